//! Cost is bounded and stated: an exhaustive search over budget is refused
//! before it starts, a run stops at its step budget; and `check` counts the
//! same in every format.

use super::*;

// ---------------------------------------------------------------------------
// 16. Cost
// ---------------------------------------------------------------------------

#[test]
fn an_exhaustive_search_over_budget_is_refused_before_it_starts() {
    let scenario = crate::common::load(&root().join(ATOMIC)).unwrap();
    let three = exhaustive::plan(&scenario, 3, exhaustive::Budget::most()).unwrap();
    assert!(three.schedules > idemsim::limits::DEFAULT_MAX_SCHEDULES);
    let out = idemsim_within(
        &["explore", ATOMIC, "--exhaustive", "--max-faults", "3"],
        QUICK,
    );
    assert_eq!(out.code, Some(2), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr
            .contains(&format!("{} schedules", three.schedules)),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--max-schedules"), "{}", out.stderr);

    let one = exhaustive::plan(&scenario, 1, exhaustive::Budget::most()).unwrap();
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        ATOMIC,
        "--exhaustive",
        "--max-faults",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("{} schedules", one.schedules)),
        "the cost is stated: {stderr}"
    );
    assert_eq!(summary(&stdout)["explored"], one.schedules);
}

#[test]
fn a_run_that_hits_its_host_step_budget_fails_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let transfers = vec!["{ from = \"alice\", to = \"bob\", amount = 1 }"; 20].join(", ");
    let mut body = "name = \"busy\"\ndesign = \"atomic\"\n[keys]\nsource = \"client\"\n\
                     [accounts]\nalice = 10000\nbob = 0\n\
                     [network]\nlatency_min_ms = 50\nlatency_max_ms = 100\n\
                     [limits]\nmax_host_steps = 5000\n"
        .to_string();
    for _ in 0..4 {
        body.push_str(&format!("[[client]]\ntransfers = [{transfers}]\n"));
    }
    body.push_str("[expect]\nviolations = []\n");
    let path = write(dir.path(), "steps.toml", &body);
    let out = idemsim_within(&["run", text(&path)], QUICK);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("max_host_steps = 5000"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("the run did not complete"),
        "{}",
        out.stdout
    );
    assert!(out.took < Duration::from_secs(5), "took {:?}", out.took);
    let (code, json, _) = idemsim(&["run", text(&path), "--format", "json"]);
    assert_eq!(code, Some(1));
    let s = summary(&json);
    assert_eq!(s["end"]["end"], "limit-reached", "{s}");
    assert_eq!(s["met"], false);
}

/// Long latencies with clients that retry faster than the network carries
/// messages pile messages up in flight; each step then costs turmoil a pass
/// over all of them, which host steps do not count. The network-work budget
/// does, and ends the run while it is still cheap.
#[test]
fn a_run_that_piles_up_messages_in_flight_hits_its_network_budget() {
    let dir = tempfile::tempdir().unwrap();
    let transfers = vec!["{ from = \"alice\", to = \"bob\", amount = 1 }"; 20].join(", ");
    let mut body = "name = \"piled up\"\ndesign = \"atomic\"\n[keys]\nsource = \"client\"\n\
                     [accounts]\nalice = 10000\nbob = 0\n\
                     [network]\nlatency_min_ms = 1\nlatency_max_ms = 10000\n\
                     [retry]\nmax_attempts = 100\ntimeout_ms = 5\nbackoff_initial_ms = 1\nbackoff_max_ms = 1\n\
                     [limits]\nmax_network_work = 200000\n"
        .to_string();
    for _ in 0..8 {
        body.push_str(&format!("[[client]]\ntransfers = [{transfers}]\n"));
    }
    body.push_str("[expect]\nviolations = []\n");
    let path = write(dir.path(), "piled.toml", &body);
    let (code, json, stderr) = idemsim(&["run", text(&path), "--format", "json"]);
    assert_eq!(code, Some(1), "{json}{stderr}");
    let s = summary(&json);
    assert_eq!(s["end"]["end"], "limit-reached", "{s}");
    assert!(
        s["end"]["limit"]
            .as_str()
            .is_some_and(|l| l.starts_with("max_network_work = 200000")),
        "{s}"
    );
    // With the budget raised, the same scenario gets further.
    let raised = body.replace("max_network_work = 200000", "max_network_work = 2000000");
    let path = write(dir.path(), "raised.toml", &raised);
    let (_, json, _) = idemsim(&["run", text(&path), "--format", "json"]);
    let r = summary(&json);
    assert!(
        r["steps"].as_u64() > s["steps"].as_u64(),
        "a larger budget runs longer: {r} vs {s}"
    );
}

// ---------------------------------------------------------------------------
// 17. Check counts are the same in every format
// ---------------------------------------------------------------------------

#[test]
fn check_counts_an_invalid_file_the_same_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(ATOMIC), dir.path().join("a-valid.toml")).unwrap();
    write(
        dir.path(),
        "b-invalid.toml",
        "name = \"broken\"\ndesign = \n",
    );
    let (code, stdout, stderr) = idemsim(&["check", text(dir.path())]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("2 scenarios: 1 passed, 0 failed, 1 invalid"),
        "{stdout}"
    );
    let (code, json, _) = idemsim(&["check", text(dir.path()), "--format", "json"]);
    assert_eq!(code, Some(2), "{json}");
    let results: Vec<String> = of_type(&json, "scenario")
        .iter()
        .map(|s| s["result"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(results, ["passed", "invalid"]);
    let s = summary(&json);
    assert_eq!(
        (
            &s["scenarios"],
            &s["passed"],
            &s["failed"],
            &s["invalid"],
            &s["met"]
        ),
        (
            &Value::from(2),
            &Value::from(1),
            &Value::from(0),
            &Value::from(1),
            &Value::from(false)
        ),
        "{s}"
    );
}
