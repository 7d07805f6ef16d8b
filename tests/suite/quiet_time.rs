//! Skipping quiet time changes no event and no verdict: every bundled scenario
//! runs with and without skipping, on several seeds, and the histories must be
//! equal event for event; skipping must also take fewer steps.

use idemsim::RunOptions;
use idemsim::run_with;
use idemsim::suite::collect_files;
use std::path::PathBuf;

#[test]
fn skipping_changes_no_event_and_no_verdict() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = collect_files(&[root.join("scenarios")]).unwrap();
    let mut steps_plain = 0;
    let mut steps_skipping = 0;
    for file in &files {
        let scenario = crate::common::load(file).unwrap();
        for seed in [scenario.seed, 7, 1234] {
            let plain = run_with(
                &scenario,
                Some(seed),
                idemsim::Mode::Plain,
                RunOptions {
                    skip_quiet_time: false,
                    ..RunOptions::default()
                },
            );
            let skipping = run_with(
                &scenario,
                Some(seed),
                idemsim::Mode::Plain,
                RunOptions {
                    skip_quiet_time: true,
                    ..RunOptions::default()
                },
            );
            assert_eq!(plain.output.skipped_ms, 0);
            if let Some(i) = (0..plain.output.events.len().max(skipping.output.events.len()))
                .find(|&i| plain.output.events.get(i) != skipping.output.events.get(i))
            {
                panic!(
                    "{} seed {seed}: event {i} differs:\n plain:    {:?}\n skipping: {:?}",
                    file.display(),
                    plain.output.events.get(i),
                    skipping.output.events.get(i)
                );
            }
            assert_eq!(
                plain.verdict,
                skipping.verdict,
                "{} seed {seed}",
                file.display()
            );
            assert_eq!(plain.output.balances, skipping.output.balances);
            assert_eq!(plain.output.end_ms, skipping.output.end_ms);
            steps_plain += plain.output.steps;
            steps_skipping += skipping.output.steps;
        }
    }
    assert!(
        steps_skipping * 3 < steps_plain,
        "skipping took {steps_skipping} steps, plain ticks {steps_plain}"
    );
}

/// The atomic design with a key TTL of `ttl_ms`, and a scenario whose client
/// loses a response and retries `retry_after_ms` later.
fn long_wait(
    dir: &std::path::Path,
    ttl_ms: u64,
    retry_after_ms: u64,
) -> idemsim::scenario::Scenario {
    let design = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("designs/atomic.toml"),
    )
    .unwrap()
    .replace("ttl_ms = 86_400_000", &format!("ttl_ms = {ttl_ms}"));
    std::fs::write(dir.join(format!("ttl-{ttl_ms}.toml")), design).unwrap();
    let text = format!(
        r#"name = "long wait"
design = "ttl-{ttl_ms}.toml"
accounts = {{ alice = 10000, bob = 0 }}
[retry]
max_attempts = 2
timeout_ms = 200
backoff_initial_ms = {retry_after_ms}
backoff_max_ms = {retry_after_ms}
jitter = "none"
attempts_after_heal = 0
[faults]
heal_at_ms = {retry_after_ms}
[limits]
max_sim_ms = 172800000
[[client]]
transfers = [{{ from = "alice", to = "bob", amount = 5 }}]
[[fault]]
kind = "drop-response"
transfer = "t1"
[expect]
violations = ["double-apply", "inconsistent-replay"]
"#
    );
    let path = dir.join(format!("wait-{retry_after_ms}.toml"));
    std::fs::write(&path, text).unwrap();
    crate::common::load(&path).unwrap()
}

#[test]
fn a_day_long_wait_costs_no_more_steps_than_a_second() {
    let dir = tempfile::tempdir().unwrap();
    // A 24 h TTL and a retry after 25 h, against a 1 s TTL and a retry after
    // 1.5 s: the same story (the key expired; the retry pays again).
    let day = long_wait(dir.path(), 86_400_000, 90_000_000);
    let second = long_wait(dir.path(), 1_000, 1_500);
    let long = run_with(&day, None, idemsim::Mode::Plain, RunOptions::default());
    let short = run_with(&second, None, idemsim::Mode::Plain, RunOptions::default());
    assert!(long.output.end_ms > 90_000_000, "{}", long.output.end_ms);
    assert!(long.verdict.met, "{:?}", long.verdict.found);
    assert!(short.verdict.met, "{:?}", short.verdict.found);
    assert!(
        long.output.steps <= short.output.steps + 5,
        "a 25 h wait took {} steps, a 1.5 s wait {}",
        long.output.steps,
        short.output.steps
    );
    let plain = run_with(
        &second,
        None,
        idemsim::Mode::Plain,
        RunOptions {
            skip_quiet_time: false,
            ..RunOptions::default()
        },
    );
    assert!(
        plain.output.steps > 10 * short.output.steps,
        "{} vs {}",
        plain.output.steps,
        short.output.steps
    );
}
