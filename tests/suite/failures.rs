//! The failure-mode library: every bug scenario shows its violation, every fix
//! holds, the fixes hold on a thousand seeds of random loss, and `idemsim check`
//! reports all of it with the right exit codes.

use idemsim::history::{Kept, What};
use idemsim::suite::{CheckConfig, Verdict, check_scenario, collect_files};
use idemsim::{SeedRange, ViolationKind};
use std::path::PathBuf;

use crate::common::{idemsim, root};

fn failures() -> Vec<PathBuf> {
    collect_files(&[root().join("scenarios/failures")]).unwrap()
}

#[test]
fn every_failure_mode_has_a_bug_and_a_fix() {
    let files = failures();
    for mode in 1..=26 {
        let prefix = format!("{mode:02}-");
        let named = |suffix: &str| {
            files.iter().any(|f| {
                let name = f.file_name().unwrap().to_string_lossy();
                name.starts_with(&prefix) && name.ends_with(suffix)
            })
        };
        assert!(named("-bug.toml"), "mode {mode} has no bug scenario");
        assert!(named("-fixed.toml"), "mode {mode} has no fixed scenario");
    }
    for file in &files {
        let scenario = crate::common::load(file).unwrap();
        let is_bug = file.to_string_lossy().ends_with("-bug.toml");
        assert_eq!(
            scenario.expect.violations.is_empty(),
            !is_bug,
            "{}: a bug names its violation, a fix expects none",
            file.display()
        );
        assert!(
            scenario.description.len() > 80,
            "{}: tell the story",
            file.display()
        );
    }
}

/// From mode 16 on, each bug is found by random faults alone, as a search
/// would meet it: the file aims no fault anywhere, and some seed of the first
/// thousand shows exactly the violations it names.
#[test]
fn later_bugs_are_found_by_random_faults_alone() {
    let seeds = SeedRange::parse("0..1000").unwrap();
    let later: Vec<PathBuf> = failures()
        .into_iter()
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with("-bug.toml") && name[..2].parse::<u32>().is_ok_and(|n| n >= 16)
        })
        .collect();
    assert!(later.len() >= 6, "{later:?}");
    for file in later {
        let loaded = crate::common::loaded(&file).unwrap();
        let scenario = &loaded.scenario;
        assert!(
            scenario.faults.is_empty(),
            "{}: found without targeted faults",
            file.display()
        );
        assert_eq!(scenario.expect.seeds, idemsim::scenario::ExpectOn::SomeSeed);
        let config = CheckConfig {
            seeds: Some(seeds),
            keep_runs: false,
            options: Default::default(),
        };
        let result = check_scenario(&loaded, config, &mut |_| {});
        assert!(
            matches!(result.verdict, Verdict::Passed { .. }),
            "{}: {:?}",
            file.display(),
            result.verdict
        );
    }
}

#[test]
fn fixed_designs_hold_on_a_thousand_seeds_with_random_loss() {
    let seeds = SeedRange::parse("0..1000").unwrap();
    for file in failures()
        .iter()
        .filter(|f| f.to_string_lossy().ends_with("-fixed.toml"))
    {
        let loaded = crate::common::loaded(file).unwrap();
        let scenario = &loaded.scenario;
        assert!(
            !scenario.network.loss.is_zero(),
            "{}: the fix is shown under random loss",
            file.display()
        );
        let config = CheckConfig {
            seeds: Some(seeds),
            keep_runs: false,
            options: Default::default(),
        };
        let result = check_scenario(&loaded, config, &mut |_| {});
        match result.verdict {
            Verdict::Passed { seeds_run } => assert_eq!(seeds_run, 1000),
            other => panic!("{}: {other:?}", file.display()),
        }
    }
}

#[test]
fn check_reports_every_scenario_and_a_total() {
    // Services are offered by the program that runs them (see `services`).
    let (code, stdout, stderr) = idemsim(&["check", "scenarios/lessons", "scenarios/failures"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let all = collect_files(&[
        root().join("scenarios/lessons"),
        root().join("scenarios/failures"),
    ])
    .unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("PASS")).collect();
    assert_eq!(lines.len(), all.len());
    assert!(stdout.contains(&format!(
        "{} scenarios: {} passed, 0 failed, 0 invalid",
        all.len(),
        all.len()
    )));
    assert!(stdout.contains(
        "scenarios/failures/07-key-wedged-after-crash-bug.toml  key wedged after a crash: expected lost-apply, stuck-key, found lost-apply, stuck-key"
    ));
}

#[test]
fn check_fails_with_exit_1_and_a_replay_command() {
    let dir = tempfile::tempdir().unwrap();
    // The naive design with a lost response, wrongly expected to hold.
    let text = std::fs::read_to_string(root().join("scenarios/lessons/3-response-lost-naive.toml"))
        .unwrap()
        .replace(
            "violations = [\"double-apply\", \"inconsistent-replay\"]",
            "violations = []",
        );
    let path = dir.path().join("wrong.toml");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, _) = idemsim(&["check", path.to_str().unwrap(), "--seeds", "3..6"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.starts_with("FAIL"), "{stdout}");
    let (code, json, _) = idemsim(&[
        "check",
        path.to_str().unwrap(),
        "--seeds",
        "3..6",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "{json}");
    let scenario = &crate::common::of_type(&json, "scenario")[0];
    assert_eq!(scenario["result"], "failed", "{scenario}");
    assert_eq!(
        scenario["found"],
        serde_json::json!(["double-apply", "inconsistent-replay"]),
        "{scenario}"
    );
    assert_eq!(scenario["seed"], 3, "{scenario}");
    let summary = &crate::common::of_type(&json, "summary")[0];
    assert_eq!(
        (&summary["passed"], &summary["failed"]),
        (&0.into(), &1.into()),
        "{summary}"
    );
}

#[test]
fn check_with_an_invalid_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), "name = 3\n").unwrap();
    let (code, stdout, _) = idemsim(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stdout}");
    assert!(stdout.contains("broken.toml:1:8"), "{stdout}");
    let (code, _, stderr) = idemsim(&["check", "no/such/dir"]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, _, _) = idemsim(&["check", "scenarios", "--seeds", "9..2"]);
    assert_eq!(code, Some(2));
}

#[test]
fn some_seed_expectations_need_only_one_seed() {
    // Random loss alone sometimes loses a naive response: on some seed the
    // naive design doubles a transfer, and on others it does not.
    let dir = tempfile::tempdir().unwrap();
    let text = r#"name = "naive under random loss"
design = "naive"
accounts = { alice = 10000, bob = 0 }
[network]
loss = "1/5"
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 10 }]
[expect]
violations = ["double-apply", "inconsistent-replay"]
seeds = "some-seed"
"#;
    let path = dir.path().join("some.toml");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, _) = idemsim(&["check", path.to_str().unwrap(), "--seeds", "0..200"]);
    assert_eq!(code, Some(0), "{stdout}");
    let every = dir.path().join("every.toml");
    std::fs::write(&every, text.replace("some-seed", "every-seed")).unwrap();
    let (code, stdout, _) = idemsim(&["check", every.to_str().unwrap(), "--seeds", "0..200"]);
    assert_eq!(code, Some(1), "{stdout}");
}

#[test]
fn designs_lists_the_built_ins_and_a_design_is_taken_by_path() {
    let (code, stdout, _) = idemsim(&["designs"]);
    assert_eq!(code, Some(0));
    for name in ["naive", "classic", "atomic"] {
        assert!(stdout.lines().any(|l| l.starts_with(name)), "{stdout}");
    }
    // Every knob of the design language, the newer ones included.
    for knob in [
        "[api] on_wait_exhausted",
        "[api] call_attempts",
        "[keys] bind",
        "[keys] durable",
        "[keys] max_records",
        "[completer] every_ms",
        "[completer] run",
        "[processor] key",
        "[[cleanup]] [[job]] [[transaction]] on_refusal",
        "step release-claim check-owner",
        "step load-key in-progress",
        "step charge insufficient",
        "step release-claim ",
        "step save-answer ",
        "step refund ",
    ] {
        assert!(stdout.contains(knob), "{knob} missing: {stdout}");
    }
    let scenario =
        crate::common::load(&root().join("scenarios/failures/03-mark-before-processing-bug.toml"))
            .unwrap();
    assert_eq!(scenario.api.name(), "classic-mark-first");
}

#[test]
fn a_design_whose_group_spans_two_stores_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let design = "name = \"x\"\nsummary = \"s\"\n[keys]\nstore = \"keys\"\n[[transaction]]\nname = \"all\"\nstore = \"ledger\"\nsteps = [{ op = \"debit\" }, { op = \"credit\" }, { op = \"mark-done\" }]\n";
    std::fs::write(dir.path().join("span.toml"), design).unwrap();
    let scenario = "name = \"s\"\ndesign = \"span.toml\"\naccounts = { a = 1, b = 0 }\n[[client]]\ntransfers = [{ from = \"a\", to = \"b\", amount = 1 }]\n[expect]\nviolations = []\n";
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let (code, _, stderr) = idemsim(&["run", dir.path().join("s.toml").to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("span.toml:8:47"), "{stderr}");
    assert!(
        stderr.contains("one transaction covers one store"),
        "{stderr}"
    );
}

/// A key store declared non-durable (`[keys] durable = false`) restarts
/// empty: a crash after the answer was stored, and a lost answer, make the
/// retry pay again. The same design with a durable store replays.
#[test]
fn a_key_store_that_restarts_empty_forgets_what_was_paid() {
    let dir = tempfile::tempdir().unwrap();
    let design = |durable: bool| {
        format!(
            "name = \"cache\"\nsummary = \"s\"\n[keys]\nstore = \"keys\"\nscope = \"client\"\ndurable = {durable}\n\
             [[transaction]]\nname = \"claim\"\nstore = \"keys\"\nsteps = [{{ op = \"load-key\", done = \"replay\" }}, {{ op = \"claim-key\" }}]\n\
             [[transaction]]\nname = \"apply\"\nstore = \"ledger\"\nsteps = [{{ op = \"debit\" }}, {{ op = \"credit\" }}]\n\
             [[transaction]]\nname = \"save\"\nstore = \"keys\"\nsteps = [{{ op = \"save-response\" }}]\n"
        )
    };
    let scenario = |design_file: &str, expect: &str| {
        format!(
            "name = \"s\"\ndesign = \"{design_file}\"\naccounts = {{ a = 10, b = 0 }}\n[[client]]\ntransfers = [{{ from = \"a\", to = \"b\", amount = 1 }}]\n\
             [[fault]]\nkind = \"crash\"\nhost = \"keys\"\nat = \"after:save\"\ntransfer = \"t1\"\n\
             [[fault]]\nkind = \"drop-response\"\ntransfer = \"t1\"\n[expect]\nviolations = {expect}\n"
        )
    };
    std::fs::write(dir.path().join("volatile.toml"), design(false)).unwrap();
    std::fs::write(dir.path().join("durable.toml"), design(true)).unwrap();
    let forgets = dir.path().join("forgets.toml");
    std::fs::write(
        &forgets,
        scenario(
            "volatile.toml",
            "[\"double-apply\", \"inconsistent-replay\"]",
        ),
    )
    .unwrap();
    let keeps = dir.path().join("keeps.toml");
    std::fs::write(&keeps, scenario("durable.toml", "[]")).unwrap();
    for file in [&forgets, &keeps] {
        let (code, stdout, stderr) = idemsim(&["run", file.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{}: {stdout}{stderr}", file.display());
    }
}

/// Whether the key store keeps its records is one knob, stated once: a
/// design says it in its file (`[keys] durable`, with `store = "keys"`
/// only), a service's scenario in `[stores] keys_durability`. What cannot
/// be true is refused at its line, and a restart says what the crash did to
/// the records, in the typed history and in every report's words.
#[test]
fn key_store_durability_is_one_knob_told_truthfully() {
    let dir = tempfile::tempdir().unwrap();
    let design = |store: &str, durable: &str| {
        format!(
            "name = \"cache\"\nsummary = \"s\"\n[keys]\nstore = \"{store}\"\nscope = \"client\"\n{durable}\n\
             [[transaction]]\nname = \"claim\"\nstore = \"{store}\"\nsteps = [{{ op = \"load-key\", done = \"replay\" }}, {{ op = \"claim-key\" }}]\n\
             [[transaction]]\nname = \"apply\"\nstore = \"ledger\"\nsteps = [{{ op = \"debit\" }}, {{ op = \"credit\" }}]\n\
             [[transaction]]\nname = \"save\"\nstore = \"{store}\"\nsteps = [{{ op = \"save-response\" }}]\n"
        )
    };
    let scenario = |design_file: &str, host: &str, extra: &str| {
        format!(
            "name = \"s\"\ndesign = \"{design_file}\"\naccounts = {{ a = 10, b = 0 }}\n[[client]]\ntransfers = [{{ from = \"a\", to = \"b\", amount = 1 }}]\n\
             [[fault]]\nkind = \"crash\"\nhost = \"{host}\"\nat = \"after:save\"\ntransfer = \"t1\"\n\
             [[fault]]\nkind = \"drop-response\"\ntransfer = \"t1\"\n{extra}[expect]\nviolations = []\n"
        )
    };
    let run_file = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        idemsim(&["run", path.to_str().unwrap()])
    };
    // Records in memory are never kept, whatever `durable` says; records in
    // the ledger always are. Both values are refused, at the value.
    for (store, durable) in [("memory", "true"), ("memory", "false"), ("ledger", "false")] {
        std::fs::write(
            dir.path().join("d.toml"),
            design(store, &format!("durable = {durable}")),
        )
        .unwrap();
        let (code, _, stderr) = run_file("s.toml", scenario("d.toml", "api", ""));
        assert_eq!(code, Some(2), "{store} durable = {durable}: {stderr}");
        assert!(stderr.contains("d.toml:6:11: "), "{stderr}");
        assert!(
            stderr.contains("expected no `durable`, or store = \"keys\""),
            "{stderr}"
        );
    }
    // A scenario may not restate what its design says.
    std::fs::write(dir.path().join("d.toml"), design("keys", "")).unwrap();
    let (code, _, stderr) = run_file(
        "s.toml",
        scenario("d.toml", "keys", "[stores]\nkeys_durability = \"memory\"\n"),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("s.toml:15:19: "), "{stderr}");
    assert!(
        stderr.contains("design `cache` states whether its key store keeps its records"),
        "{stderr}"
    );
    // What a restart found, typed and in words.
    let restarts = |design_text: String, host: &str| {
        std::fs::write(dir.path().join("d.toml"), design_text).unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, scenario("d.toml", host, "")).unwrap();
        let s = idemsim::Loader::new().load(&path).unwrap().scenario;
        let run = idemsim::run_scenario(&s, None);
        let kept: Vec<Kept> = run
            .output
            .events
            .iter()
            .filter_map(|e| match e.what {
                What::Restarted { kept, .. } => Some(kept),
                _ => None,
            })
            .collect();
        let text = idemsim::report::human::render(
            &s,
            &idemsim::Provenance::default(),
            &run,
            idemsim::report::Color::Never,
        );
        let restart_line = text
            .lines()
            .find(|l| l.contains("restarted"))
            .unwrap_or_default()
            .to_string();
        (kept, restart_line, run.verdict.found)
    };
    let (kept, line, found) = restarts(design("keys", "durable = false"), "keys");
    assert_eq!(kept, vec![Kept::Nothing { records: 1 }], "{line}");
    assert!(
        line.contains("restarted EMPTY: nothing kept, the 1 idempotency record it held is lost"),
        "{line}"
    );
    assert!(found.contains(&ViolationKind::DoubleApply), "{found:?}");
    let (kept, line, found) = restarts(design("memory", ""), "api");
    assert_eq!(kept, vec![Kept::Nothing { records: 1 }], "{line}");
    assert!(!line.contains("durable state kept"), "{line}");
    assert!(found.contains(&ViolationKind::DoubleApply), "{found:?}");
    let (kept, line, found) = restarts(design("keys", ""), "keys");
    assert_eq!(kept, vec![Kept::Durable], "{line}");
    assert!(line.contains("restarted: durable state kept"), "{line}");
    assert!(found.is_empty(), "{found:?}");
}

/// A completer may fail what it finds abandoned: its job stores the
/// completer's answer (a final 500). With the apply fenced by `check-claim`,
/// the paused request then stops and no money moves; its client, retrying,
/// is told the failure, and the checker names the payment the client kept
/// asking for and lost (`lost-apply`, a failure not on the merits). Without
/// the fence the request pays anyway while its client is told it failed
/// (`phantom-apply`), and the request's own late 201 disagrees with the
/// stored failure (`inconsistent-replay`).
#[test]
fn a_completer_that_fails_abandoned_keys_needs_the_fence_too() {
    let dir = tempfile::tempdir().unwrap();
    let design = |fence: &str| {
        format!(
            "name = \"fail-abandoned\"\nsummary = \"s\"\n[keys]\nstore = \"ledger\"\nscope = \"client\"\n\
             [completer]\nevery_ms = 100\nafter_ms = 150\nrun = [\"give-up\"]\nanswer = \"reply 500 abandoned final\"\n\
             [[transaction]]\nname = \"claim\"\nstore = \"ledger\"\nsteps = [{{ op = \"load-key\", done = \"replay\" }}, {{ op = \"claim-key\" }}]\n\
             [[transaction]]\nname = \"apply\"\nstore = \"ledger\"\nsteps = [{fence}{{ op = \"debit\" }}, {{ op = \"credit\" }}, {{ op = \"save-response\" }}]\n\
             [[job]]\nname = \"give-up\"\nstore = \"ledger\"\nsteps = [{{ op = \"load-key\", in-progress = \"continue\", absent = \"reply 404 gone\", done = \"reply 409 done\" }}, {{ op = \"save-answer\" }}]\n"
        )
    };
    let scenario = |design_file: &str, expect: &str| {
        format!(
            "name = \"s\"\ndesign = \"{design_file}\"\naccounts = {{ a = 10, b = 0 }}\n[keys]\nsource = \"client\"\n\
             [[client]]\ntransfers = [{{ from = \"a\", to = \"b\", amount = 1 }}]\n\
             [[fault]]\nkind = \"stall\"\nat = \"after:claim\"\ndelay_ms = 600\ntransfer = \"t1\"\n\
             [expect]\n{expect}\n"
        )
    };
    std::fs::write(
        dir.path().join("fenced.toml"),
        design("{ op = \"check-claim\" }, "),
    )
    .unwrap();
    std::fs::write(dir.path().join("unfenced.toml"), design("")).unwrap();
    let holds = dir.path().join("holds.toml");
    std::fs::write(
        &holds,
        scenario("fenced.toml", "violations = [\"lost-apply\"]\nfailed = 1"),
    )
    .unwrap();
    let phantom = dir.path().join("phantom.toml");
    std::fs::write(
        &phantom,
        scenario(
            "unfenced.toml",
            "violations = [\"inconsistent-replay\", \"phantom-apply\"]",
        ),
    )
    .unwrap();
    for file in [&holds, &phantom] {
        let (code, stdout, stderr) = idemsim(&["run", file.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{}: {stdout}{stderr}", file.display());
        assert!(stdout.contains("completer picks up key"), "{stdout}");
    }
}

/// A person who presses Pay again after a definitive failure sends the same
/// payment with a new key (`[retry.on] failure = "new-key"`). Against the
/// design of failure mode 15, which answers a final 500 when it cannot know
/// whether the ledger committed, the second payment moves the money again:
/// a double-apply across two keys, which the checker counts per intent. The
/// fixed design answers a retryable 503, so the client retries with the same
/// key and is paid once; a true refusal (402) is paid again at most
/// `pay_again` times and ends failed, with nothing to report.
#[test]
fn a_client_that_pays_again_after_a_final_error_doubles_the_payment() {
    let pay_again = |file: &str, extra: &str| {
        let path = root().join("scenarios/failures").join(file);
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "[[client]]",
            &format!("[retry.on]\nfailure = \"new-key\"\n{extra}\n[[client]]"),
        );
        let s = idemsim::Loader::new().parse(&path, &text).unwrap().scenario;
        let run = idemsim::run_scenario(&s, None);
        (s, run)
    };
    let (_, run) = pay_again("15-final-error-after-commit-bug.toml", "");
    assert_eq!(run.verdict.found, vec![ViolationKind::DoubleApply]);
    let again: Vec<(u32, u32)> = run
        .output
        .events
        .iter()
        .filter_map(|e| match e.what {
            What::PaysAgain { time, most, .. } => Some((time, most)),
            _ => None,
        })
        .collect();
    assert_eq!(again, vec![(1, 1)]);
    let keys: std::collections::BTreeSet<String> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Sent { key: Some(k), .. } => Some(k.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(keys.len(), 2, "two keys, one payment: {keys:?}");
    let evidence = &run.verdict.violations[0].evidence;
    let applied_keys: std::collections::BTreeSet<String> = evidence
        .iter()
        .filter_map(|fact| match fact {
            idemsim::Evidence::Applied {
                entry,
                with_key: true,
            } => entry.key.map(|k| k.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        applied_keys, keys,
        "each application names its key: {evidence:?}"
    );

    let (_, run) = pay_again("15-final-error-after-commit-fixed.toml", "");
    assert!(run.verdict.found.is_empty(), "{:?}", run.verdict.found);
    assert!(
        !run.output
            .events
            .iter()
            .any(|e| matches!(e.what, What::PaysAgain { .. })),
        "a 503 is retried with the same key"
    );

    // A true refusal: the client pays again twice, is refused twice more,
    // and the transfer ends failed after three payments.
    let poor = "name = \"poor\"\ndesign = \"atomic\"\naccounts = { alice = 100, bob = 0 }\n\
        [retry]\npay_again = 2\n[retry.on]\nfailure = \"new-key\"\n\
        [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 500 }]\n[expect]\nviolations = []\nfailed = 1\n";
    let s = idemsim::Loader::new()
        .parse(std::path::Path::new("poor.toml"), poor)
        .unwrap()
        .scenario;
    let run = idemsim::run_scenario(&s, None);
    assert!(run.verdict.met, "{:?}", run.verdict.found);
    let finished: Vec<u32> = run
        .output
        .events
        .iter()
        .filter_map(|e| match e.what {
            What::Finished { attempts, .. } => Some(attempts),
            _ => None,
        })
        .collect();
    assert_eq!(finished, vec![3], "one payment and two more");
    let text = idemsim::report::human::render(
        &s,
        &idemsim::Provenance::default(),
        &run,
        idemsim::report::Color::Never,
    );
    assert!(
        text.contains("t1#2 failed for good: pays again with a new key (2 of at most 2)"),
        "{text}"
    );
}
