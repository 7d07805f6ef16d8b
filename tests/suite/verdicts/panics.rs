//! A simulation that panicked (in a host, the driver or the checker) is never a
//! pass, and the panic is reported, not dumped.

use super::*;

// ---------------------------------------------------------------------------
// 1. A failed simulation is never a pass
// ---------------------------------------------------------------------------

const PANIC_HOSTS: [(&str, &str); 5] = [
    ("api", "host api"),
    ("ledger", "host ledger"),
    ("client-1", "host client-1"),
    ("driver", "the driver"),
    ("checker", "the checker"),
];

#[test]
fn a_panic_in_any_host_fails_the_run_and_is_reported_not_dumped() {
    for (host, named) in PANIC_HOSTS {
        let (code, stdout, stderr) = idemsim(&["run", ATOMIC, "--self-test-panic", host]);
        assert_eq!(code, Some(1), "{host}: a panicked run fails\n{stdout}");
        assert!(
            stdout.contains("the run did not complete"),
            "{host}:\n{stdout}"
        );
        assert!(stdout.contains(named), "{host} names `{named}`:\n{stdout}");
        assert!(stdout.contains("self-test"), "{host}:\n{stdout}");
        assert!(!stdout.contains("expectation met"), "{host}:\n{stdout}");
        let last = stdout.lines().last().unwrap();
        assert_eq!(
            last,
            format!("seed 1; replay: idemsim run {ATOMIC} --seed 1"),
            "{host}: the last line names the seed and the replay"
        );
        assert!(
            !stderr.contains("panicked at"),
            "{host}: the panic is reported, not dumped:\n{stderr}"
        );
    }
}

#[test]
fn a_panicked_run_is_not_met_in_json() {
    for (host, _) in PANIC_HOSTS {
        let (code, stdout, stderr) =
            idemsim(&["run", ATOMIC, "--self-test-panic", host, "--format", "json"]);
        assert_eq!(code, Some(1), "{host}:\n{stdout}");
        assert!(!stderr.contains("panicked at"), "{host}:\n{stderr}");
        let s = summary(&stdout);
        assert_eq!(s["met"], false, "{host}: {s}");
        assert_eq!(s["end"]["end"], "panicked", "{host}: {s}");
        assert_eq!(s["end"]["host"], host, "{host}: {s}");
        assert!(
            s["end"]["message"].as_str().unwrap().contains("self-test"),
            "{host}: {s}"
        );
    }
}

#[test]
fn check_and_explore_fail_a_seed_whose_run_panicked() {
    let (code, stdout, stderr) = idemsim(&["check", ATOMIC, "--self-test-panic", "api"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.starts_with("FAIL  "), "{stdout}");
    assert!(stdout.contains("did not complete"), "{stdout}");
    assert!(
        stdout.contains("1 scenario: 0 passed, 1 failed, 0 invalid"),
        "{stdout}"
    );
    assert!(!stderr.contains("panicked at"), "{stderr}");

    let (code, stdout, stderr) = idemsim(&[
        "explore",
        ATOMIC,
        "--seeds",
        "0..5",
        "--self-test-panic",
        "api",
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("failing seeds: 5"), "{stdout}");
    for seed in 0..5 {
        assert!(
            stdout.contains(&format!("  seed {seed}  PANICKED in host api")),
            "seed {seed} is listed as panicked:\n{stdout}"
        );
    }
    assert!(!stderr.contains("panicked at"), "{stderr}");

    let (code, stdout, _) = idemsim(&[
        "explore",
        ATOMIC,
        "--seeds",
        "0..5",
        "--self-test-panic",
        "api",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1));
    let seeds = of_type(&stdout, "seed");
    assert_eq!(seeds.len(), 5, "{stdout}");
    for s in &seeds {
        assert_eq!(s["end"]["end"], "panicked", "{s}");
    }
    assert_eq!(summary(&stdout)["failing_seeds"], 5);
}

#[test]
fn a_library_run_with_a_panic_comes_back_failed() {
    let scenario = crate::common::load(&root().join(ATOMIC)).unwrap();
    let clean = run_with(&scenario, None, Mode::Plain, RunOptions::default());
    assert!(clean.verdict.met, "the scenario passes without the panic");
    let run = run_with(
        &scenario,
        None,
        Mode::Plain,
        RunOptions {
            panic_in: Some(Host::Api),
            ..Default::default()
        },
    );
    assert!(!run.verdict.met);
    assert!(
        matches!(
            &run.output.end,
            EndReason::Panicked { host: Host::Api, message } if message.contains("self-test")
        ),
        "{:?}",
        run.output.end
    );
}

#[test]

fn a_self_test_panic_that_cannot_fire_is_not_a_pass() {
    // The atomic design keeps its records in the ledger and never calls the
    // key store; the scenario has one client. A self-test of the failure
    // path that silently passes proves nothing: the run must fail (or the
    // flag be refused).
    for host in ["keys", "client-2"] {
        let (code, stdout, _) = idemsim(&["run", ATOMIC, "--self-test-panic", host]);
        assert!(
            matches!(code, Some(1) | Some(2)),
            "--self-test-panic {host} exited {code:?}:\n{stdout}"
        );
        assert!(!stdout.contains("expectation met"), "{host}:\n{stdout}");
    }
}
