//! The world runs until every host that can still act has settled, and the
//! liveness deadline follows from what can still be in flight: a completer
//! that pays again after its client gave up is seen, and a claim the
//! network held past its lock does not cut the client off.

use idemsim::{RunOptions, ViolationKind, run_with};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Claim, move the money, then mark the key done in a transaction of its
/// own; a completer takes over claims left in progress and runs the apply
/// and the finish again, without checking whether the money already moved.
const REPAYING: &str = r#"name = "repaying"
summary = "a completer that finishes abandoned keys by paying again"
[keys]
store = "ledger"
ttl_ms = 86_400_000
scope = "client"
[completer]
every_ms = 100
after_ms = 150
run = ["take-over", "apply", "finish"]
[[transaction]]
name = "claim"
store = "ledger"
steps = [
  { op = "load-key", absent = "continue", in-progress = "reply 409 key_in_use", done = "replay" },
  { op = "claim-key" },
]
[[transaction]]
name = "apply"
store = "ledger"
steps = [{ op = "debit" }, { op = "credit" }]
[[transaction]]
name = "finish"
store = "ledger"
steps = [{ op = "save-response" }]
[[job]]
name = "take-over"
store = "ledger"
steps = [
  { op = "load-key", absent = "reply 404 gone", in-progress = "continue", done = "reply 409 already_done" },
  { op = "claim-key" },
]
"#;

/// The API crashes after the money moved and before the key is marked
/// done; the client gives up after one attempt. Nothing is left running but
/// the completer, which takes the abandoned claim over and pays again. A
/// world that ended with its last client never let it.
#[test]
fn a_completer_that_pays_again_after_the_client_gave_up_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repaying.toml", REPAYING);
    let path = write(
        dir.path(),
        "gave-up.toml",
        r#"name = "the client gave up; the completer did not"
design = "repaying.toml"
accounts = { alice = 10000, bob = 0 }
[retry]
max_attempts = 1
attempts_after_heal = 0
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 2500 }]
[[fault]]
kind = "crash"
transfer = "t1"
at = "after:apply"
[expect]
violations = ["double-apply"]
succeeded = 0
"#,
    );
    let scenario = crate::common::load(&path).unwrap();
    let run = run_with(&scenario, None, idemsim::Mode::Plain, RunOptions::default());
    assert!(
        run.verdict.met,
        "{:?} {:?}",
        run.verdict.found, run.output.end
    );
    let completer_debits = run
        .output
        .entries
        .iter()
        .filter(|e| e.delta < 0 && e.tag.is_completer())
        .count();
    assert_eq!(completer_debits, 1, "the completer paid the second time");
    assert!(run.verdict.found.contains(&ViolationKind::DoubleApply));
}

/// The atomic design with a 30 s lock. The network holds the first
/// attempt's claim 30.3 s; the second attempt claims and the API crashes.
/// The held claim lands after that claim went stale, takes the key over
/// for a request long gone and locks it 30 s more. A deadline of the heal
/// plus one lock cut the client off before the key came free (lost-apply,
/// stuck-key); the deadline now counts what can still land after the heal
/// and the lock it can take.
#[test]
fn a_claim_held_past_its_lock_does_not_cut_the_client_off() {
    let dir = tempfile::tempdir().unwrap();
    let atomic = std::fs::read_to_string(crate::common::root().join("designs/atomic.toml"))
        .unwrap()
        .replace("lock_ms = 300", "lock_ms = 30_000");
    assert!(atomic.contains("lock_ms = 30_000"));
    write(dir.path(), "atomic30.toml", &atomic);
    let path = write(
        dir.path(),
        "relock.toml",
        r#"name = "a held claim relocks a key"
design = "atomic30.toml"
accounts = { alice = 10000, bob = 0 }
[retry]
max_attempts = 4
timeout_ms = 200
backoff_initial_ms = 50
backoff_max_ms = 400
jitter = "none"
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 2500 }]
[[fault]]
kind = "delay"
transfer = "t1"
message = "claim"
delay_ms = 30_300
[[fault]]
kind = "crash"
transfer = "t1"
attempt = 2
at = "after:claim"
[expect]
violations = []
"#,
    );
    let scenario = crate::common::load(&path).unwrap();
    let run = run_with(&scenario, None, idemsim::Mode::Plain, RunOptions::default());
    assert!(run.verdict.met, "{:?}", run.verdict.found);
    assert!(run.output.liveness_deadline_ms > 1_000 + 30_300 + 30_000);
    assert_eq!(run.verdict.outcomes.succeeded, 1);
}
