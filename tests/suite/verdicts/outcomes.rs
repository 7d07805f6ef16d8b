//! Verdicts on how a run ended: a key that can never be settled is `stuck-key`
//! and a stored definitive refusal is not; a definitive error after the money
//! moved is `phantom-apply`; a run in which no transfer succeeded says so, and
//! `[expect] succeeded` can fail it.

use super::*;

// ---------------------------------------------------------------------------
// 7. Liveness
// ---------------------------------------------------------------------------

fn liveness_scenario(design: &str, alice: i64, fault: bool) -> String {
    let mut s = format!(
        "name = \"liveness\"\ndesign = \"{design}\"\n[keys]\nsource = \"client\"\n\
         [accounts]\nalice = {alice}\nbob = 0\n\
         [[client]]\ntransfers = [{{ from = \"alice\", to = \"bob\", amount = 2500 }}]\n"
    );
    if fault {
        s.push_str("[[fault]]\nkind = \"drop-response\"\ntransfer = \"t1\"\nattempt = 1\n");
    }
    s.push_str("[expect]\nviolations = []\n");
    s
}

/// Asserts the run found `stuck-key`, says so with the liveness deadline, and
/// shows the liveness phase in its timeline.
fn assert_stuck(scenario: &Path) {
    let (code, stdout, stderr) = idemsim(&["run", text(scenario), "--format", "json"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let s = summary(&stdout);
    assert!(
        strings(&s["violations"]).contains(&"stuck-key".to_string()),
        "{s}"
    );
    assert!(
        of_type(&stdout, "event")
            .iter()
            .any(|e| e["event"] == "liveness-phase"),
        "{stdout}"
    );
    let deadline = s["liveness_deadline_ms"].as_u64().unwrap();
    let (_, human, _) = idemsim(&["run", text(scenario)]);
    assert!(
        human.contains(&format!("liveness deadline: {deadline} ms")),
        "the evidence names the deadline:\n{human}"
    );
    assert!(human.contains("(liveness phase)"), "{human}");
}

#[test]
fn a_key_whose_claim_expires_at_once_is_stuck() {
    let dir = tempfile::tempdir().unwrap();
    let atomic = std::fs::read_to_string(root().join("designs/atomic.toml")).unwrap();
    let ttl0 = atomic.replace("ttl_ms = 86_400_000", "ttl_ms = 0");
    assert_ne!(ttl0, atomic);
    write(dir.path(), "ttl0.toml", &ttl0);
    let stuck = write(
        dir.path(),
        "stuck.toml",
        &liveness_scenario("ttl0.toml", 10_000, false),
    );
    assert_stuck(&stuck);

    let control = write(
        dir.path(),
        "control.toml",
        &liveness_scenario("atomic", 10_000, false),
    );
    let (code, stdout, _) = idemsim(&["run", text(&control), "--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}");
    let s = summary(&stdout);
    assert_eq!(s["violations"], serde_json::json!([]));
    assert_eq!(s["transfers"]["succeeded"], 1);
}

#[test]
fn a_stored_503_replayed_forever_is_stuck_but_a_stored_402_is_final() {
    let dir = tempfile::tempdir().unwrap();
    let atomic = std::fs::read_to_string(root().join("designs/atomic.toml")).unwrap();
    let busy = atomic.replace(
        "{ op = \"debit\", insufficient = \"save 402 insufficient_funds\" }",
        "{ op = \"debit\", insufficient = \"save 503 busy\" }",
    );
    assert_ne!(busy, atomic);
    write(dir.path(), "busy.toml", &busy);
    let stuck = write(
        dir.path(),
        "stuck.toml",
        &liveness_scenario("busy.toml", 100, true),
    );
    assert_stuck(&stuck);
    let (_, stdout, _) = idemsim(&["run", text(&stuck), "--format", "json"]);
    assert!(
        of_type(&stdout, "event")
            .iter()
            .any(|e| e["event"] == "received"
                && e["response"]["status"] == 503
                && e["response"]["replayed"] == true),
        "the stored 503 is replayed:\n{stdout}"
    );

    let control = write(
        dir.path(),
        "control.toml",
        &liveness_scenario("atomic", 100, true),
    );
    let (code, stdout, _) = idemsim(&["run", text(&control), "--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}");
    let s = summary(&stdout);
    assert_eq!(s["violations"], serde_json::json!([]), "{s}");
    assert_eq!(s["transfers"]["failed"], 1, "{s}");
    assert!(
        of_type(&stdout, "event")
            .iter()
            .any(|e| e["event"] == "received"
                && e["response"]["status"] == 402
                && e["response"]["replayed"] == true),
        "the stored 402 is replayed, a definitive failure:\n{stdout}"
    );
}

// ---------------------------------------------------------------------------
// 8. phantom-apply
// ---------------------------------------------------------------------------

#[test]
fn a_final_error_after_commit_is_a_phantom_apply_and_the_atomic_design_has_none() {
    let (code, stdout, _) = idemsim(&[
        "run",
        "scenarios/lessons/8-final-error-after-commit-final.toml",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "the lesson expects it:\n{stdout}");
    assert_eq!(
        summary(&stdout)["violations"],
        serde_json::json!(["phantom-apply"])
    );
    let entry = of_type(&stdout, "event")
        .into_iter()
        .find(|e| e["event"] == "ledger-entry")
        .expect("the money moved");
    let ledger_transfer = format!("ledger transfer {}", entry["transfer_id"]);
    let violations = of_type(&stdout, "violation");
    assert_eq!(violations.len(), 1);
    assert!(
        strings(&violations[0]["evidence"])
            .iter()
            .any(|l| l.contains(&ledger_transfer)),
        "the evidence names {ledger_transfer}: {}",
        violations[0]
    );

    let (code, stdout, _) = idemsim(&[
        "run",
        "scenarios/lessons/8-final-error-after-commit-atomic.toml",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(summary(&stdout)["violations"], serde_json::json!([]));
}

// ---------------------------------------------------------------------------
// 9. A run where no transfer succeeds
// ---------------------------------------------------------------------------

#[test]
fn a_run_that_shows_nothing_warns_and_a_check_where_nothing_succeeded_fails() {
    let dir = tempfile::tempdir().unwrap();
    // Every transfer refused with a definitive 400: nothing broke, and the
    // client knows its outcome, so the run itself does not warn; but a
    // check in which nothing ever succeeded shows nothing about
    // exactly-once, and fails unless the scenario says it expects that.
    let base = "name = \"refused\"\ndesign = \"classic\"\n[keys]\nsource = \"client\"\n\
                [accounts]\nalice = 10000\nbob = 0\n\
                [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 2500 }]\n\
                [expect]\nviolations = []\n";
    let path = write(dir.path(), "refused.toml", base);
    let (code, stdout, _) = idemsim(&["run", text(&path), "--format", "json"]);
    assert_eq!(code, Some(0), "no invariant breaks:\n{stdout}");
    let s = summary(&stdout);
    assert!(
        of_type(&stdout, "event")
            .iter()
            .any(|e| e["response"]["status"] == 400 && e["response"]["code"] == "unknown_key"),
        "{stdout}"
    );
    assert_eq!(
        s["transfers"],
        serde_json::json!({"succeeded": 0, "failed": 1, "unknown": 0, "unfinished": 0}),
        "{s}"
    );
    assert_eq!(s["warnings"], serde_json::json!([]), "{s}");
    let (code, stdout, _) = idemsim(&["check", text(&path), "--format", "json"]);
    assert_eq!(code, Some(1), "{stdout}");
    let line = &of_type(&stdout, "scenario")[0];
    assert_eq!(line["miss"], "nothing-succeeded", "{line}");
    assert_eq!(line["last_answers"][0]["status"], 400, "{line}");
    let expected = write(
        dir.path(),
        "expected.toml",
        &format!("{base}succeeded = 0\n"),
    );
    let (code, stdout, _) = idemsim(&["check", text(&expected)]);
    assert_eq!(code, Some(0), "{stdout}");

    // The ledger unreachable through the whole window and a client that
    // never comes back: no answer, nothing broke, nothing learnt.
    let silent = write(
        dir.path(),
        "silent.toml",
        "name = \"silent\"\ndesign = \"atomic\"\n[accounts]\nalice = 10000\nbob = 0\n\
         [retry]\nattempts_after_heal = 0\n\
         [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 2500 }]\n\
         [[fault]]\nkind = \"unreachable\"\nhost = \"ledger\"\nfrom_ms = 0\nuntil_ms = 1000\n\
         [expect]\nviolations = []\nsucceeded = 0\n",
    );
    let (code, stdout, _) = idemsim(&["run", text(&silent)]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("transfers: 0 succeeded, 0 failed, 1 unknown"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("warning: no transfer reached a definitive outcome")),
        "{stdout}"
    );
    let (_, json, _) = idemsim(&["run", text(&silent), "--format", "json"]);
    assert!(
        strings(&summary(&json)["warnings"]).contains(&"shows-nothing".to_string()),
        "{json}"
    );

    let counted = write(
        dir.path(),
        "counted.toml",
        &format!("{base}succeeded = 1\n"),
    );
    let (code, stdout, _) = idemsim(&["run", text(&counted)]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l == "expected 1 transfer succeeded; 0 did"),
        "{stdout}"
    );
    let (code, json, _) = idemsim(&["run", text(&counted), "--format", "json"]);
    assert_eq!(code, Some(1));
    assert_eq!(summary(&json)["met"], false);
}

/// A run that broke an invariant shows something, whatever its clients
/// learnt: it never warns that it shows nothing.
#[test]
fn a_run_with_a_violation_never_warns_that_it_shows_nothing() {
    for lesson in [
        "scenarios/lessons/3-response-lost-classic.toml",
        "scenarios/lessons/8-final-error-after-commit-final.toml",
        "scenarios/failures/03-mark-before-processing-bug.toml",
        "scenarios/failures/07-key-wedged-after-crash-bug.toml",
    ] {
        let (_, stdout, _) = idemsim(&["run", lesson, "--format", "json"]);
        let s = summary(&stdout);
        assert!(
            !strings(&s["violations"]).is_empty(),
            "{lesson} breaks an invariant:\n{s}"
        );
        assert_eq!(s["warnings"], serde_json::json!([]), "{lesson}:\n{s}");
    }
}
