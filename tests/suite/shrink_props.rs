//! Property: shrinking a failing run gives a scenario that still fails with the
//! same violation, uses targeted faults only, and is never larger than the
//! failing scenario it came from.

use idemsim::explore::shrink::{Size, make_explicit, shrink};
use idemsim::explore::swarm::scenario_for;
use idemsim::run_scenario;
use proptest::prelude::*;
use proptest::test_runner::{FailurePersistence, FileFailurePersistence};
use std::path::Path;

/// The failures proptest has found and shrunk before, replayed before any new case.
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/suite/shrink_props.proptest-regressions"
);

/// The recorded failures are where the property's configuration reads them, and
/// parse: a path proptest could not resolve would replay nothing, silently.
#[test]
fn recorded_failures_are_loaded_for_replay() {
    let recorded = std::fs::read_to_string(REGRESSIONS).unwrap();
    let lines = recorded
        .lines()
        .filter(|line| line.starts_with("cc "))
        .count();
    assert!(lines >= 1, "{REGRESSIONS} records no failure");
    let loaded = FileFailurePersistence::Direct(REGRESSIONS).load_persisted_failures2(None);
    assert_eq!(loaded.len(), lines);
}

fn scenario_text(design: &str, clients: &[Vec<u64>], faults: &[(usize, u32, &str)]) -> String {
    let source = if design == "classic" {
        "server"
    } else {
        "client"
    };
    let mut text = format!(
        "name = \"generated\"\ndesign = \"{design}\"\naccounts = {{ alice = 1000000, bob = 0, carol = 0 }}\n[keys]\nsource = \"{source}\"\n"
    );
    let mut id = 0;
    for amounts in clients {
        text.push_str("[[client]]\ntransfers = [");
        for (i, amount) in amounts.iter().enumerate() {
            id += 1;
            let to = if i % 2 == 0 { "bob" } else { "carol" };
            text.push_str(&format!(
                "{{ id = \"t{id}\", from = \"alice\", to = \"{to}\", amount = {amount} }}, "
            ));
        }
        text.push_str("]\n");
    }
    for (transfer, attempt, kind) in faults {
        let transfer = 1 + transfer % id;
        text.push_str(&format!(
            "[[fault]]\nkind = \"{kind}\"\ntransfer = \"t{transfer}\"\nattempt = {attempt}\n"
        ));
    }
    text.push_str("[expect]\nviolations = []\n");
    text
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        // The same cases on every run: a failure here replays.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1de5),
        // A failure is recorded in, and every recorded failure replayed from,
        // the file beside this one. By default proptest looks for it beside a
        // `lib.rs` or `main.rs` it finds above this file, which here is
        // `tests/suite/main.rs`, so the path is given outright.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        .. ProptestConfig::default()
    })]

    #[test]
    fn shrunk_scenarios_fail_the_same_way_and_are_never_larger(
        design in prop::sample::select(vec!["naive", "classic"]),
        clients in prop::collection::vec(prop::collection::vec(1u64..500, 1..3), 1..3),
        faults in prop::collection::vec((0usize..6, 1u32..3, prop::sample::select(vec!["drop-request", "drop-response", "duplicate"])), 0..3),
        seed in 0u64..10_000,
        swarm in any::<bool>(),
    ) {
        let text = scenario_text(design, &clients, &faults);
        let base = idemsim::Loader::new().parse(Path::new("gen.toml"), &text).unwrap().scenario;
        let scenario = scenario_for(&base, seed, swarm);
        let run = run_scenario(&scenario, Some(seed));
        prop_assume!(!run.verdict.found.is_empty());
        let violation = run.verdict.found[0];
        let explicit = make_explicit(&scenario, &run);
        prop_assert!(explicit.network.loss.is_zero() && explicit.window.is_calm());
        // Making the faults explicit names each fault by transfer, attempt and
        // message; when one attempt sends the same message twice (a duplicated
        // request runs twice) a random fault on the second copy cannot be
        // named, and the replay may not fail. Shrinking starts from a replay
        // that fails; that is what `--save-repro` checks too.
        let replay = run_scenario(&explicit, Some(seed));
        prop_assume!(replay.verdict.found.contains(&violation));
        let shrunk = shrink(&explicit, seed, violation).expect("it shows the violation");
        let again = run_scenario(&shrunk.scenario, Some(seed));
        prop_assert!(again.verdict.found.contains(&violation));
        prop_assert!(Size::of(&shrunk.scenario).within(&Size::of(&explicit)));
        prop_assert!(shrunk.scenario.network.loss.is_zero() && shrunk.scenario.window.is_calm());
    }
}
