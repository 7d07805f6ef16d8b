//! A fault means something a real network, process or store can do: a
//! message arrives twice only where a client or proxy sends it again, an
//! answer never does, and only what has a time to live can expire.

use crate::common::{load, root, services_cli};
use idemsim::history::Point;
use idemsim::history::What;
use idemsim::{RunOptions, run_with};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const NAIVE_SERVICE: &str = "name = \"naive\"\nservice = \"naive-http\"\n\
    accounts = { alice = 10000, bob = 0 }\n\
    [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 2500 }]\n";

/// A duplicated call to the ledger models nothing real: a service talks to
/// its database over TCP, which never delivers a request twice. It is
/// refused at the fault's line unless the scenario says the service's
/// ledger client resends calls after a connection error.
#[test]
fn a_duplicate_store_call_exists_only_where_the_client_resends() {
    let dir = tempfile::tempdir().unwrap();
    let fault = "[[fault]]\nkind = \"duplicate\"\ntransfer = \"t1\"\nmessage = \"ledger-1\"\n";
    let refused = write(
        dir.path(),
        "refused.toml",
        &format!("{NAIVE_SERVICE}{fault}[expect]\nviolations = []\n"),
    );
    let (code, _, stderr) = services_cli(&["run", refused.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("refused.toml:9:"), "{stderr}");
    assert!(
        stderr.contains("`ledger-1` cannot arrive twice"),
        "{stderr}"
    );
    assert!(stderr.contains("ledger_client_resends"), "{stderr}");

    // Said so: the client library resends, and the naive service, answered
    // once, pays twice — a real bug of a service on such a client.
    let resending = write(
        dir.path(),
        "resending.toml",
        &format!(
            "{NAIVE_SERVICE}[stores]\nledger_client_resends = true\n{fault}[expect]\nviolations = [\"double-apply\"]\n"
        ),
    );
    let (code, stdout, stderr) = services_cli(&["run", resending.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");

    // An answer never arrives twice, for a design either.
    let answer = write(
        dir.path(),
        "answer.toml",
        "name = \"a\"\ndesign = \"naive\"\naccounts = { alice = 10, bob = 0 }\n\
         [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 1 }]\n\
         [[fault]]\nkind = \"duplicate\"\ntransfer = \"t1\"\nmessage = \"response\"\n\
         [expect]\nviolations = []\n",
    );
    let (code, _, stderr) = services_cli(&["run", answer.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("TCP never delivers it twice"), "{stderr}");
}

/// Random duplicates strike requests only: over many seeds at a high rate,
/// no store call and no answer of a design or a service is ever sent twice,
/// and the naive service answered in one attempt is never reported paying
/// twice by a duplicate nobody could have sent.
#[test]
fn random_duplicates_strike_only_requests() {
    for file in [
        "scenarios/lessons/3-response-lost-atomic.toml",
        "scenarios/services/naive-response-lost.toml",
        "scenarios/services/redis-claim.toml",
    ] {
        let mut scenario = load(&root().join(file)).unwrap();
        assert!(
            scenario
                .window
                .rates
                .set_named("duplicate", idemsim::Ratio::new(1, 2).unwrap())
        );
        let mut duplicated = 0;
        for seed in 0..40 {
            let run = run_with(
                &scenario,
                Some(seed),
                idemsim::Mode::Plain,
                RunOptions::default(),
            );
            for e in &run.output.events {
                if let What::Duplicated { point, .. } = &e.what {
                    assert!(
                        matches!(point, Point::Request | Point::KeyRequest),
                        "{file} seed {seed}: {point:?} duplicated"
                    );
                    duplicated += 1;
                }
            }
        }
        assert!(duplicated > 0, "{file}: requests are still duplicated");
    }
}

/// `expire-key` stands for a TTL running out: a design that keeps its
/// records without one is refused at the fault.
#[test]
fn expire_key_needs_something_with_a_time_to_live() {
    let dir = tempfile::tempdir().unwrap();
    let design = std::fs::read_to_string(root().join("designs/atomic.toml")).unwrap();
    let forever: String = design
        .lines()
        .filter(|l| !l.trim_start().starts_with("ttl_ms"))
        .collect::<Vec<_>>()
        .join("\n");
    write(dir.path(), "forever.toml", &forever);
    let path = write(
        dir.path(),
        "s.toml",
        "name = \"s\"\ndesign = \"forever.toml\"\naccounts = { alice = 10, bob = 0 }\n\
         [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 1 }]\n\
         [[fault]]\nkind = \"expire-key\"\ntransfer = \"t1\"\nattempt = 2\n\
         [expect]\nviolations = []\n",
    );
    let (code, _, stderr) = services_cli(&["run", path.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("without a time to live"), "{stderr}");
}

/// On a service, `expire-key` expires what the transfer's requests stored
/// with a TTL in the key store, whatever the service names it, and nothing
/// in the ledger: the redis-claim example's stored response (kept a day)
/// expires, the retry after it pays again.
#[test]
fn expire_key_on_a_service_expires_only_its_values_with_a_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "expired.toml",
        "name = \"e\"\nservice = \"redis-claim\"\naccounts = { alice = 10000, bob = 0 }\n\
         [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 100 }]\n\
         [[fault]]\nkind = \"drop-response\"\ntransfer = \"t1\"\n\
         [[fault]]\nkind = \"expire-key\"\ntransfer = \"t1\"\nattempt = 2\n\
         [expect]\nviolations = [\"double-apply\"]\n",
    );
    let services = crate::common::services();
    let scenario = idemsim::Loader::new()
        .services(&services)
        .load(&path)
        .unwrap()
        .scenario;
    let run = idemsim::run_scenario(&scenario, None);
    assert!(run.verdict.met, "{:?}", run.verdict.found);
    let expired: Vec<_> = run
        .output
        .events
        .iter()
        .filter(|e| matches!(e.what, What::KeyExpired { .. }))
        .map(|e| e.host)
        .collect();
    assert_eq!(
        expired,
        vec![idemsim::history::Host::Keys],
        "the key store only"
    );
}

const NAIVE_DESIGN: &str = "name = \"naive\"\ndesign = \"naive\"\n\
    accounts = { alice = 10000, bob = 0 }\n\
    [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 2500 }]\n";

/// A reset connection after the handler ran: the service has applied the
/// attempt, its client never hears so and retries; the naive service pays
/// again.
#[test]
fn a_connection_reset_after_the_handler_ran_leaves_the_payment_applied() {
    let scenario = load(&root().join("scenarios/services/naive-connection-reset.toml")).unwrap();
    let run = idemsim::run_scenario(&scenario, None);
    assert_eq!(run.verdict.found, vec![idemsim::ViolationKind::DoubleApply]);
    let debits: Vec<u32> = run
        .output
        .entries
        .iter()
        .filter(|e| e.delta < 0)
        .map(|e| e.tag.attempt)
        .collect();
    assert_eq!(
        debits,
        vec![1, 2],
        "the first attempt applied before the reset"
    );
    let lost: Vec<(u32, Point)> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Lost { tag, point, .. } => Some((tag.attempt, *point)),
            _ => None,
        })
        .collect();
    assert_eq!(lost, vec![(1, Point::Response)], "only the answer is lost");
}

/// A design's clients hold no connection to reset: the fault and its
/// random rate are refused at their lines.
#[test]
fn a_design_has_no_connection_to_reset() {
    let dir = tempfile::tempdir().unwrap();
    let targeted = write(
        dir.path(),
        "targeted.toml",
        &format!(
            "{NAIVE_DESIGN}[[fault]]\nkind = \"connection-reset\"\ntransfer = \"t1\"\n[expect]\nviolations = []\n"
        ),
    );
    let (code, _, stderr) = crate::common::idemsim(&["run", targeted.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("targeted.toml:7:8:"), "{stderr}");
    assert!(
        stderr.contains("not over a connection that can be reset"),
        "{stderr}"
    );
    let random = write(
        dir.path(),
        "random.toml",
        &format!("{NAIVE_DESIGN}[faults]\nconnection_reset = \"1/5\"\n[expect]\nviolations = []\n"),
    );
    let (code, _, stderr) = crate::common::idemsim(&["run", random.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("random.toml:7:"), "{stderr}");
    assert!(
        stderr.contains("not over a connection that can be reset"),
        "{stderr}"
    );
}

/// Swarm turns resets on only for a scenario that sets their rate, so a
/// swarm over any other scenario runs each seed as it always has.
#[test]
fn swarm_resets_connections_only_where_the_scenario_opts_in() {
    use idemsim::explore::swarm::Profile;
    let rate = |file: &str, seed: u64| {
        let scenario = load(&root().join(file)).unwrap();
        Profile::from_seed(seed)
            .apply(&scenario)
            .window
            .rates
            .named("connection_reset")
            .unwrap()
    };
    let silent = (0..64).all(|seed| rate("scenarios/services/atomic.toml", seed).is_zero());
    assert!(silent, "a scenario without the rate never gets one");
    let on = (0..64)
        .filter(|&seed| !rate("scenarios/services/atomic-connection-resets.toml", seed).is_zero())
        .count();
    assert!((8..56).contains(&on), "on in about half the seeds: {on}");
}

/// An exhaustive search places a reset on each attempt of a service, and
/// none on a design's.
#[test]
fn exhaustive_search_places_resets_for_a_service_only() {
    use idemsim::explore::exhaustive;
    let resets = |scenario: &idemsim::Scenario| {
        exhaustive::candidates(scenario, 1)
            .iter()
            .filter(|f| f.kind.name() == "connection-reset")
            .count()
    };
    let service = load(&root().join("scenarios/services/naive-connection-reset.toml")).unwrap();
    assert!(resets(&service) > 0);
    let design = load(&root().join("scenarios/lessons/3-response-lost-naive.toml")).unwrap();
    assert_eq!(resets(&design), 0);
}
