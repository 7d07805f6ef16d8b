//! Bad input: exit code 2 and a message that names the file, the line and the
//! column, and says what was expected. Never a panic.

use std::path::Path;
use std::process::Command;

const VALID: &str = r#"name = "x"
design = "naive"
accounts = { alice = 100, bob = 0 }
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 5 }]
[expect]
violations = []
"#;

struct Outcome {
    code: Option<i32>,
    stderr: String,
}

fn run_file(dir: &Path, name: &str, text: &str) -> Outcome {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    run_args(dir, &["run", name])
}

fn run_args(dir: &Path, args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Outcome {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts exit 2, no panic, and `file:line:col: ` plus every expected fragment.
fn assert_bad(out: &Outcome, location: &str, fragments: &[&str]) {
    assert_eq!(out.code, Some(2), "exit code; stderr:\n{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!("error: {location}")),
        "expected location {location}:\n{}",
        out.stderr
    );
    for f in fragments {
        assert!(out.stderr.contains(f), "expected `{f}` in:\n{}", out.stderr);
    }
}

#[test]
fn the_valid_base_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_file(dir.path(), "ok.toml", VALID);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_args(dir.path(), &["run", "nowhere.toml"]);
    assert_bad(&out, "nowhere.toml: ", &["cannot read scenario file"]);
}

#[test]
fn toml_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_file(
        dir.path(),
        "s.toml",
        &VALID.replace("name = \"x\"", "name = \"x"),
    );
    assert_bad(&out, "s.toml:1:10: ", &["string"]);
}

#[test]
fn unknown_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = VALID.replace("design = \"naive\"", "design = \"naive\"\ncolour = 1");
    let out = run_file(dir.path(), "u.toml", &text);
    assert_bad(
        &out,
        "u.toml:3:1: ",
        &["unknown field `colour`", "expected one of"],
    );
}

#[test]
fn wrong_type() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_file(
        dir.path(),
        "t.toml",
        &VALID.replace("amount = 5", "amount = \"5\""),
    );
    assert_bad(&out, "t.toml:5:53: ", &["invalid type", "expected i64"]);
}

#[test]
fn unknown_account() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_file(
        dir.path(),
        "a.toml",
        &VALID.replace("to = \"bob\"", "to = \"carol\""),
    );
    assert_bad(
        &out,
        "a.toml:5:37: ",
        &["unknown account `carol`", "expected one of: alice, bob"],
    );
}

#[test]
fn negative_and_zero_amounts() {
    let dir = tempfile::tempdir().unwrap();
    for (name, amount) in [("neg.toml", "-5"), ("zero.toml", "0")] {
        let text = VALID.replace("amount = 5", &format!("amount = {amount}"));
        let out = run_file(dir.path(), name, &text);
        assert_bad(
            &out,
            &format!("{name}:5:53: "),
            &["expected a positive amount"],
        );
    }
}

#[test]
fn zero_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{VALID}[retry]\nmax_attempts = 0\n");
    let out = run_file(dir.path(), "z.toml", &text);
    assert_bad(
        &out,
        "z.toml:9:16: ",
        &["max_attempts is 0", "expected a value from 1"],
    );
}

#[test]
fn unknown_design() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_file(
        dir.path(),
        "d.toml",
        &VALID.replace("\"naive\"", "\"nieve\""),
    );
    assert_bad(
        &out,
        "d.toml:2:10: ",
        &["unknown design `nieve`", "naive, classic, atomic"],
    );
}

#[test]
fn unknown_step_in_a_design_file() {
    let dir = tempfile::tempdir().unwrap();
    let design = "name = \"mine\"\nsummary = \"s\"\n[[transaction]]\nname = \"t\"\nstore = \"ledger\"\nsteps = [{ op = \"debit\" }, { op = \"credit\" }, { op = \"teleport\" }]\n";
    std::fs::write(dir.path().join("mine.toml"), design).unwrap();
    let out = run_file(
        dir.path(),
        "s.toml",
        &VALID.replace("\"naive\"", "\"mine.toml\""),
    );
    assert_bad(
        &out,
        "",
        &[
            "mine.toml:6:54: ",
            "unknown step `teleport`",
            "expected one of: load-key",
        ],
    );
}

#[test]
fn unknown_fault_kind_and_transfer() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{VALID}[[fault]]\nkind = \"explode\"\ntransfer = \"t1\"\n");
    let out = run_file(dir.path(), "f.toml", &text);
    assert_bad(
        &out,
        "f.toml:9:8: ",
        &["unknown variant `explode`", "drop-request"],
    );
    let text = format!("{VALID}[[fault]]\nkind = \"drop-request\"\ntransfer = \"t9\"\n");
    let out = run_file(dir.path(), "g.toml", &text);
    assert_bad(
        &out,
        "g.toml:10:12: ",
        &["unknown transfer `t9`", "expected one of: t1"],
    );
}

#[test]
fn crash_at_an_unknown_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("{VALID}[[fault]]\nkind = \"crash\"\ntransfer = \"t1\"\nat = \"after:nothing\"\n");
    let out = run_file(dir.path(), "c.toml", &text);
    assert_bad(
        &out,
        "c.toml:11:6: ",
        &[
            "no step boundary `after:nothing`",
            "before:apply, after:apply",
        ],
    );
}

#[test]
fn bad_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{VALID}[network]\nloss = \"0.05\"\n");
    let out = run_file(dir.path(), "r.toml", &text);
    assert_bad(
        &out,
        "r.toml:9:8: ",
        &["not a ratio", "expected a ratio such as \"1/20\""],
    );
}

#[test]
fn bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    assert_eq!(
        run_args(dir.path(), &["run", "ok.toml", "--seed", "x"]).code,
        Some(2)
    );
    assert_eq!(
        run_args(dir.path(), &["run", "ok.toml", "--format", "xml"]).code,
        Some(2)
    );
    assert_eq!(run_args(dir.path(), &["frobnicate"]).code, Some(2));
}

#[test]
fn empty_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_file(dir.path(), "empty.toml", "");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("empty.toml"), "{}", out.stderr);
    std::fs::write(dir.path().join("bin.toml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let out = run_args(dir.path(), &["run", "bin.toml"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("bin.toml"), "{}", out.stderr);
}

/// A fault may name only a host the world has: the API, the key store and
/// the ledger always, the processor only with a design that charges one.
/// Before, a crash of a processor the design lacks panicked the driver, and
/// an outage of it was accepted with a note that "that attempt never reached
/// its point".
#[test]
fn faults_aimed_at_a_host_the_design_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let crash = |host: &str| {
        format!(
            "{VALID}[[fault]]\nkind = \"crash\"\ntransfer = \"t1\"\nhost = \"{host}\"\nat = \"after:apply\"\n"
        )
    };
    let out = run_file(dir.path(), "p.toml", &crash("processor"));
    assert_bad(
        &out,
        "p.toml:11:8: ",
        &[
            "design `naive` has no host `processor` to crash",
            "expected one of: api, keys, ledger",
        ],
    );
    for host in ["api", "keys", "ledger"] {
        // It runs (a crash of the API after the apply doubles a naive transfer: exit 1).
        let out = run_file(dir.path(), "ok.toml", &crash(host));
        assert!(matches!(out.code, Some(0 | 1)), "{host}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    let outage = |host: &str| {
        format!(
            "{VALID}[[fault]]\nkind = \"unreachable\"\nhost = \"{host}\"\nfrom_ms = 0\nuntil_ms = 500\n"
        )
    };
    let out = run_file(dir.path(), "u.toml", &outage("processor"));
    assert_bad(
        &out,
        "u.toml:10:8: ",
        &[
            "design `naive` has no host `processor` to cut off",
            "expected one of: keys, ledger",
        ],
    );
    let out = run_file(dir.path(), "a.toml", &outage("api"));
    assert_bad(
        &out,
        "a.toml:10:8: ",
        &[
            "cannot be unreachable from itself",
            "expected one of: keys, ledger",
        ],
    );
    // A design with a processor may cut it off.
    let design = crate::common::root().join("designs/variants/processor-request-key.toml");
    let with_processor = VALID.replace(
        "design = \"naive\"",
        &format!("design = {:?}", design.to_str().unwrap()),
    );
    let ok = format!(
        "{with_processor}[[fault]]\nkind = \"unreachable\"\nhost = \"processor\"\nfrom_ms = 0\nuntil_ms = 100\n"
    );
    let out = run_file(dir.path(), "proc.toml", &ok);
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// An outage that nothing crossed is noted as a window, not as an attempt.
#[test]
fn an_outage_that_never_hit_is_noted_as_a_window() {
    let text = format!(
        "{VALID}[[fault]]\nkind = \"unreachable\"\nhost = \"keys\"\nfrom_ms = 0\nuntil_ms = 500\n"
    );
    let scenario = idemsim::Loader::new()
        .parse(Path::new("w.toml"), &text)
        .unwrap()
        .scenario;
    let run = idemsim::run_scenario(&scenario, None);
    assert_eq!(
        run.output.unfired_faults,
        vec![0],
        "naive never talks to keys"
    );
    let text = idemsim::report::human::render(
        &scenario,
        &idemsim::Provenance::default(),
        &run,
        idemsim::report::Color::Never,
    );
    assert!(
        text.contains("note: fault 1 (unreachable keys from 0 to 500 ms) never hit: nothing was sent to or from keys then"),
        "{text}"
    );
    assert!(!text.contains("that attempt"), "{text}");
}

/// A service talks to the key store and the ledger, never to a processor.
#[test]
fn a_service_has_no_processor_to_crash() {
    let text = std::fs::read_to_string(
        crate::common::root().join("scenarios/services/naive-response-lost.toml"),
    )
    .unwrap()
    .replace(
        "[expect]",
        "[[fault]]\nkind = \"crash\"\ntransfer = \"t1\"\nhost = \"processor\"\nat = \"end\"\n\n[expect]",
    );
    let error = idemsim::Loader::new()
        .services(&crate::common::services())
        .parse(Path::new("s.toml"), &text)
        .expect_err("a service has no processor");
    let shown = error.to_string();
    assert!(shown.starts_with("s.toml:"), "{shown}");
    assert!(
        shown.contains(
            "service `naive-http` has no host `processor` to crash; expected one of: api, keys, ledger"
        ),
        "{shown}"
    );
}

/// Paying again is stated with `[retry.on] failure = "new-key"` and bounded
/// by `[retry] pay_again`; what cannot mean anything is refused at its place.
#[test]
fn paying_again_is_bounded_and_stated_once() {
    let dir = tempfile::tempdir().unwrap();
    let with = |retry: &str, on: &str| {
        format!("{VALID}[retry]\nmax_attempts = 3\n{retry}\n[retry.on]\n{on}\n")
    };
    let out = run_file(dir.path(), "r.toml", &with("", "failure = \"retry\""));
    assert_bad(
        &out,
        "r.toml:12:11: ",
        &[
            "a definitive failure is the API's last word",
            "expected \"give-up\"",
        ],
    );
    let out = run_file(dir.path(), "p.toml", &with("pay_again = 2", ""));
    assert_bad(
        &out,
        "p.toml:10:13: ",
        &["expected [retry.on] failure = \"new-key\" with it"],
    );
    let out = run_file(
        dir.path(),
        "m.toml",
        &with("pay_again = 4", "failure = \"new-key\""),
    );
    assert_bad(
        &out,
        "m.toml:10:13: ",
        &["pay_again is 4; expected a value from 1 to 3"],
    );
    let out = run_file(
        dir.path(),
        "ok.toml",
        &with("pay_again = 3", "failure = \"new-key\""),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

/// An empty name is reported with one article.
#[test]
fn an_empty_account_name_reads_as_english() {
    let dir = tempfile::tempdir().unwrap();
    let text = VALID.replace(
        "accounts = { alice = 100, bob = 0 }",
        "accounts = { alice = 100, bob = 0, \"\" = 1 }",
    );
    let out = run_file(dir.path(), "e.toml", &text);
    assert_bad(
        &out,
        "e.toml:3:",
        &["an empty account name; expected a name"],
    );
    assert!(!out.stderr.contains("an empty an"), "{}", out.stderr);
    let long = "x".repeat(65);
    let text = VALID.replace("bob = 0 }", &format!("bob = 0, {long} = 1 }}"));
    let out = run_file(dir.path(), "l.toml", &text);
    assert_bad(
        &out,
        "l.toml:3:",
        &["the account name is 65 bytes; expected at most 64 bytes"],
    );
}

/// A network no answer can cross in time is refused where it is said: a
/// message spends at least latency_min_ms each way, so when twice that is no
/// sooner than a wait, nothing is ever answered and every design would show
/// lost-apply and stuck-key. A slow latency_max_ms is a fault worth running,
/// so it is allowed, and the reports warn.
#[test]
fn a_network_slower_than_every_wait_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let network = |min: u64, max: u64, retry: &str| {
        format!(
            "{VALID}[network]\nlatency_min_ms = {min}\nlatency_max_ms = {max}\n[retry]\n{retry}\n"
        )
    };
    // atomic waits 1,000 ms for a store; the client 5,000.
    let atomic = |text: String| text.replace("design = \"naive\"", "design = \"atomic\"");
    let out = run_file(
        dir.path(),
        "s.toml",
        &atomic(network(500, 500, "timeout_ms = 5000")),
    );
    assert_bad(
        &out,
        "s.toml:9:18: ",
        &[
            "a store call's answer takes at least 1000 ms",
            "design `atomic` waits only 1000 ms for it (store_timeout_ms)",
            "expected latency_min_ms of at most 499",
        ],
    );
    let out = run_file(
        dir.path(),
        "ok.toml",
        &atomic(network(499, 499, "timeout_ms = 5000")),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // The client's own wait.
    let out = run_file(dir.path(), "c.toml", &network(100, 100, "timeout_ms = 200"));
    assert_bad(
        &out,
        "c.toml:9:18: ",
        &[
            "the client waits only 200 ms",
            "no attempt could ever be answered",
            "at most 99",
        ],
    );
    let out = run_file(dir.path(), "t.toml", &network(1, 1, "timeout_ms = 2"));
    assert_bad(&out, "t.toml:12:14: ", &["the client waits only 2 ms"]);
    // A design's store timeout can never be shorter than the shortest round trip.
    std::fs::write(
        dir.path().join("quick.toml"),
        std::fs::read_to_string(crate::common::root().join("designs/naive.toml"))
            .unwrap()
            .replace(
                "[[transaction]]",
                "[api]\nstore_timeout_ms = 2\n\n[[transaction]]",
            ),
    )
    .unwrap();
    let out = run_file(
        dir.path(),
        "q.toml",
        &VALID.replace("design = \"naive\"", "design = \"quick.toml\""),
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("quick.toml:")
            && out
                .stderr
                .contains("store_timeout_ms is 2; expected a value from 3"),
        "{}",
        out.stderr
    );
    // Slow at times: allowed, with a warning the run carries as typed data.
    let path = dir.path().join("w.toml");
    std::fs::write(&path, atomic(network(10, 600, "timeout_ms = 5000"))).unwrap();
    let scenario = idemsim::Loader::new().load(&path).unwrap().scenario;
    assert_eq!(
        scenario.warnings(),
        vec![idemsim::scenario::Warning::SlowStoreRoundTrip {
            round_trip_ms: 1200,
            store_timeout_ms: 1000
        }]
    );
    let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(["run", "w.toml", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json = String::from_utf8(out.stdout).unwrap();
    let summary = &crate::common::of_type(&json, "summary")[0];
    let warnings = summary["warnings"].as_array().unwrap();
    assert!(
        warnings.contains(&serde_json::json!("slow-store-round-trip")),
        "{summary}"
    );
}

/// A service's store clients set their own timeouts in its code, so only
/// the client's timeout is held against the network.
#[test]
fn a_service_is_held_to_the_clients_timeout_only() {
    let base = std::fs::read_to_string(
        crate::common::root().join("scenarios/services/naive-response-lost.toml"),
    )
    .unwrap();
    let with = |retry: &str| {
        base.replace("timeout_ms = 200", retry).replace(
            "[[client]]",
            "[network]\nlatency_min_ms = 600\nlatency_max_ms = 600\n\n[[client]]",
        )
    };
    let services = crate::common::services();
    let refused = idemsim::Loader::new()
        .services(&services)
        .parse(Path::new("s.toml"), &with("timeout_ms = 200"))
        .expect_err("no answer within 200 ms");
    assert!(
        refused.to_string().contains("the client waits only 200 ms"),
        "{refused}"
    );
    idemsim::Loader::new()
        .services(&services)
        .parse(Path::new("s.toml"), &with("timeout_ms = 5000"))
        .expect("a service's store timeouts are its own");
}
