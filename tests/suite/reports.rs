//! The reports for CI and for teaching: the Mermaid sequence diagram, JUnit
//! XML, the design diff and the HTML report, each read back and checked for
//! what a reader relies on.

use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn lesson(name: &str) -> String {
    format!("scenarios/lessons/{name}.toml")
}

/// Runs idemsim from the repository root, without colour.
fn idemsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    idemsim::suite::collect_files(&[dir.to_path_buf()]).unwrap()
}

// ---------------------------------------------------------------- Mermaid

/// Checks `text` against the subset of Mermaid's sequence grammar idemsim
/// writes, the way Mermaid's own parser reads it: a message's text ends at
/// `;`, `#` or a line break, so only entity codes (`#35;`) may hold them;
/// every participant is declared before use; every `rect` has its `end`.
fn assert_valid_mermaid(text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let mut ids: Vec<String> = Vec::new();
    let mut open_rects = 0;
    let text_ok = |t: &str| {
        let mut rest = t;
        while let Some(i) = rest.find(['#', ';']) {
            let tail = &rest[i..];
            let Some(entity) = tail.strip_prefix('#') else {
                return false;
            };
            let end = entity.find(';').unwrap_or(usize::MAX);
            if end == usize::MAX
                || end == 0
                || !entity[..end].chars().all(|c| c.is_ascii_alphanumeric())
            {
                return false;
            }
            rest = &entity[end + 1..];
        }
        !t.contains("%%")
    };
    for line in lines {
        let line = line.trim();
        if let Some(decl) = line.strip_prefix("participant ") {
            let id = decl.split(" as ").next().unwrap();
            assert!(
                id.chars().all(|c| c.is_ascii_alphanumeric()),
                "participant id `{id}`"
            );
            ids.push(id.to_string());
        } else if line.starts_with("rect rgba(") && line.ends_with(')') {
            open_rects += 1;
        } else if line == "end" {
            open_rects -= 1;
            assert!(open_rects >= 0, "an `end` without its `rect`");
        } else if let Some(note) = line.strip_prefix("Note over ") {
            let (over, text) = note.split_once(": ").expect("a note has text");
            for id in over.split(',') {
                assert!(ids.iter().any(|i| i == id), "undeclared `{id}` in {line}");
            }
            assert!(text_ok(text), "bad note text: {line}");
        } else {
            let (arrow_part, text) = line.split_once(": ").expect("a message has text");
            let arrow = ["-->>", "->>", "--x", "-x"]
                .into_iter()
                .find(|a| arrow_part.contains(a))
                .unwrap_or_else(|| panic!("not a message: {line}"));
            let (from, to) = arrow_part.split_once(arrow).unwrap();
            for id in [from, to] {
                assert!(ids.iter().any(|i| i == id), "undeclared `{id}` in {line}");
            }
            assert!(text_ok(text), "bad message text: {line}");
        }
    }
    assert_eq!(open_rects, 0, "every rect is closed");
}

#[test]
fn the_grammar_check_rejects_what_mermaid_rejects() {
    let head = "sequenceDiagram\n    participant c1 as client-1\n    participant api\n";
    assert_valid_mermaid(&format!("{head}    c1->>api: t1#35;1 ok\n"));
    for bad in [
        "    c1->>api: t1#1 a raw hash\n",
        "    c1->>api: a; semicolon\n",
        "    c1->>ledger: an undeclared participant\n",
        "    rect rgba(0, 0, 0, 0.1)\n    c1->>api: an open band\n",
        "    Note over c1,keys: undeclared\n",
    ] {
        let text = format!("{head}{bad}");
        let rejected = std::panic::catch_unwind(|| assert_valid_mermaid(&text)).is_err();
        assert!(rejected, "accepted: {bad}");
    }
}

fn mermaid(file: &str) -> String {
    if crate::common::names_a_service(&root().join(file)) {
        let (code, out, err) = crate::common::services_cli(&["run", file, "--diagram", "mermaid"]);
        assert_eq!(code, Some(0), "{file}: {out}{err}");
        return out;
    }
    let out = idemsim(&["run", file, "--diagram", "mermaid"]);
    assert!(out.status.success(), "{file}: {out:?}");
    stdout(&out)
}

#[test]
fn every_bundled_scenario_has_a_valid_mermaid_diagram() {
    for file in scenario_files(&root().join("scenarios")) {
        let file = file.strip_prefix(root()).unwrap().display().to_string();
        let text = mermaid(&file);
        assert_valid_mermaid(&text);
        assert!(!text.contains('\x1b'), "{file}: colour codes");
    }
}

#[test]
fn mermaid_shows_the_lost_response_and_the_evidence() {
    let text = mermaid(&lesson("3-response-lost-naive"));
    for participant in [
        "participant c1 as client-1",
        "participant api",
        "participant keys",
        "participant ledger",
    ] {
        assert!(text.contains(participant), "{participant}\n{text}");
    }
    // The lost answer is a dashed arrow ending in a cross, on an amber band.
    let lost = text
        .lines()
        .find(|l| l.contains("--xc1:"))
        .expect("a lost response arrow");
    assert!(
        lost.contains("201 created (transfer 1) for t1#35;1"),
        "{lost}"
    );
    assert!(lost.contains("LOST"), "{lost}");
    // Both applications are on the ledger's lane.
    assert!(text.contains("Note over ledger: 4 ms: ledger transfer 1: alice -2500, bob +2500"));
    assert!(text.contains("Note over ledger: 252 ms: ledger transfer 2: alice -2500, bob +2500"));
    // The evidence closes the diagram, over every lane.
    let tail: Vec<&str> = text.lines().rev().take(8).collect();
    assert!(
        tail.iter().any(|l| l.contains(
            "Note over c1,ledger: FAIL double-apply: t1 was applied 2 times<br/>ledger transfer 1 at 4 ms"
        )),
        "{text}"
    );
    assert!(tail.iter().any(|l| l.contains("→ expectation met")));
}

#[test]
fn mermaid_marks_crashes_replays_and_refusals() {
    let crash = mermaid(&lesson("2-crash-during-atomic"));
    assert!(crash.contains("Note over api: 8 ms: CRASHED"), "{crash}");
    assert!(crash.contains("restarted"), "{crash}");
    let replay = crash
        .lines()
        .find(|l| l.contains("api-->>c1:") && l.contains("REPLAYED"))
        .expect("the replayed answer");
    assert!(replay.contains("201 created (transfer 1)"), "{replay}");

    let concurrent = mermaid(&lesson("6-concurrent-retry-atomic"));
    assert!(concurrent.contains("STALLS 250 ms"), "{concurrent}");
    let lines: Vec<&str> = concurrent.lines().collect();
    let refusal = lines
        .iter()
        .position(|l| l.contains("api-->>c1:") && l.contains("409 key_in_use"))
        .expect("the 409 answer");
    // On an amber band: the nearest `rect` above it is amber and not yet closed.
    let band = lines[..refusal]
        .iter()
        .rposition(|l| l.trim_start().starts_with("rect ") || l.trim() == "end")
        .unwrap();
    assert!(
        lines[band].contains("rect rgba(255, 191, 0"),
        "{concurrent}"
    );

    let reused = mermaid(&lesson("4-reused-key-atomic"));
    assert!(reused.contains("422 payload_mismatch"), "{reused}");
}

// ---------------------------------------------------------------- JUnit

/// A directory with one passing, one failing and one invalid scenario.
fn mixed_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let naive = std::fs::read_to_string(root().join(lesson("3-response-lost-naive"))).unwrap();
    std::fs::write(dir.path().join("a-passes.toml"), &naive).unwrap();
    let wrong = naive.replace(
        r#"violations = ["double-apply", "inconsistent-replay"]"#,
        "violations = []",
    );
    assert_ne!(wrong, naive);
    std::fs::write(dir.path().join("b-fails.toml"), wrong).unwrap();
    std::fs::write(
        dir.path().join("c-invalid.toml"),
        "name = \"x\"\ndesign = 3\n",
    )
    .unwrap();
    dir
}

#[test]
fn junit_has_one_case_per_scenario_with_evidence_and_replay() {
    let dir = mixed_dir();
    let junit = dir.path().join("out").with_extension("xml");
    let out = idemsim(&[
        "check",
        dir.path().to_str().unwrap(),
        "scenarios/lessons",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an invalid scenario is bad input"
    );
    let lessons = scenario_files(&root().join("scenarios/lessons")).len();
    let xml = std::fs::read_to_string(&junit).unwrap();
    let report = Report::deserialize_from_str(&xml).unwrap();
    assert_eq!(report.tests, lessons + 3);
    assert_eq!(report.failures, 1);
    assert_eq!(report.errors, 1);
    assert_eq!(report.skipped, 0);
    assert_eq!(report.test_suites.len(), 2, "one suite per directory");
    let cases: Vec<_> = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .collect();
    let case = |name: &str| {
        cases
            .iter()
            .find(|c| c.name.as_str() == name)
            .unwrap_or_else(|| panic!("no case {name}"))
    };
    assert!(matches!(
        case("a-passes").status,
        TestCaseStatus::Success { .. }
    ));
    match &case("b-fails").status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message,
            description,
            ..
        } => {
            let message = message.as_ref().unwrap().as_str();
            assert!(
                message
                    .contains("expected none, found double-apply, inconsistent-replay on seed 1"),
                "{message}"
            );
            let text = description.as_ref().unwrap().as_str();
            assert!(
                text.contains("FAIL double-apply: t1 was applied 2 times"),
                "{text}"
            );
            assert!(
                text.contains("ledger transfer 2 at 252 ms, by attempt 2"),
                "the evidence: {text}"
            );
            assert!(text.contains("replay: idemsim run "), "{text}");
            assert!(text.contains("b-fails.toml --seed 1"), "{text}");
        }
        other => panic!("b-fails: {other:?}"),
    }
    match &case("c-invalid").status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Error,
            message,
            ..
        } => assert!(
            message
                .as_ref()
                .unwrap()
                .as_str()
                .contains("c-invalid.toml:2:"),
            "{message:?}"
        ),
        other => panic!("c-invalid: {other:?}"),
    }
    assert!(
        !xml.contains("timestamp") && !xml.contains("time="),
        "no clock in the file"
    );
}

#[test]
fn junit_of_the_same_check_is_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xml"), dir.path().join("b.xml"));
    for path in [&a, &b] {
        let out = idemsim(&[
            "check",
            "scenarios/lessons",
            "--junit",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
    }
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn an_unwritable_report_path_is_bad_input() {
    let out = idemsim(&[
        "check",
        "scenarios/lessons/1-request-lost-naive.toml",
        "--junit",
        "/nonexistent-dir/x.xml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

// ---------------------------------------------------------------- diff

#[test]
fn diff_shows_the_shared_start_then_both_timelines_and_verdicts() {
    let out = idemsim(&[
        "diff",
        &lesson("3-response-lost-naive"),
        "--design",
        "naive",
        "--design",
        "atomic",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a teaching tool exits 0: {out:?}"
    );
    let text = stdout(&out);
    assert!(text.contains("design A: naive"), "{text}");
    assert!(text.contains("design B: atomic"), "{text}");
    assert!(text.contains("both designs (3 events)"), "{text}");
    assert!(
        text.contains("the histories diverge at event 4 (4 ms)"),
        "{text}"
    );
    let header = text
        .lines()
        .find(|l| l.starts_with("A: naive"))
        .expect("column headers");
    assert!(header.contains("| B: atomic"), "{header}");
    // The two columns side by side: naive applies, atomic claims, at the same time.
    let row = text
        .lines()
        .find(|l| l.contains("txn apply for t1#1: committed"))
        .unwrap();
    assert!(
        row.contains("| ") && row.contains("txn claim for t1#1: committed"),
        "{row}"
    );
    let verdict = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(verdict("double-apply"), "double-apply FAIL ok <- differs");
    assert_eq!(verdict("lost-apply"), "lost-apply ok ok");
    assert!(text.contains("balances alice 10000 -> 5000, bob 0 -> 5000"));
    assert!(text.contains("balances alice 10000 -> 7500, bob 0 -> 2500"));
    assert!(!text.contains('\x1b'));
}

#[test]
fn diff_of_a_design_with_itself_has_no_divergence() {
    let out = idemsim(&[
        "diff",
        &lesson("1-request-lost-atomic"),
        "--design",
        "atomic",
        "--design",
        "atomic",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("the histories are the same"));
}

#[test]
fn diff_rejects_bad_input_with_exit_2() {
    let file = lesson("2-crash-during-atomic");
    // One design only.
    let out = idemsim(&["diff", &file, "--design", "naive"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("two designs"));
    // An unknown design, named with the scenario's line.
    let out = idemsim(&["diff", &file, "--design", "naive", "--design", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown design `nope`"), "{err}");
    assert!(err.contains("2-crash-during-atomic.toml:"), "{err}");
    // A fault at a boundary the other design lacks is the loader's own error.
    let out = idemsim(&[
        "diff",
        &lesson("2-crash-after-claim-atomic"),
        "--design",
        "atomic",
        "--design",
        "naive",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no step boundary"),
        "{out:?}"
    );
}

// ---------------------------------------------------------------- HTML

#[test]
fn html_report_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("run.html");
    let out = idemsim(&[
        "run",
        &lesson("3-response-lost-naive"),
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    // The report on stdout is unchanged by --html.
    assert!(stdout(&out).contains("expectation met"));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "http://", "https://", "<link", "@import", "url("] {
        let allowed_ns = html.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !allowed_ns.contains(forbidden),
            "external or script: {forbidden}"
        );
    }
    assert!(html.contains("<svg"), "the diagram");
    assert!(html.contains("class=\"verdict met\""));
    assert!(html.contains("Verdict: Expectation met"));
    // The story of the key, the balances and the evidence.
    assert!(html.contains(
        "attempt 1 sent at 0 ms, applied at 4 ms (ledger transfer 1), answered 201 created (transfer 1), response lost"
    ), "{html}");
    assert!(html.contains("applied AGAIN at 252 ms (ledger transfer 2)"));
    assert!(html.contains("<tr><td>alice</td><td>10000</td><td>5000</td><td>-5000</td></tr>"));
    assert!(
        html.contains("ledger transfer 2 at 252 ms, by attempt 2 (key ck-a9ecb3): alice -2500")
    );
}

#[test]
fn html_check_page_lists_every_scenario() {
    let dir = mixed_dir();
    let page = dir.path().join("check.html");
    let out = idemsim(&[
        "check",
        dir.path().to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("3 scenarios: 1 passed, 2 not"), "{html}");
    assert_eq!(html.matches("<article class=\"run\"").count(), 3);
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "a diagram per valid scenario"
    );
    assert!(html.contains("EXPECTATION NOT MET"));
    assert!(html.contains("INVALID SCENARIO"));
}

#[test]
fn diagrams_and_pages_are_the_same_bytes_in_every_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = lesson("5-delayed-request-naive");
    let mut pages = Vec::new();
    let mut diagrams = Vec::new();
    for i in 0..2 {
        let page = dir.path().join(format!("{i}.html"));
        let out = idemsim(&["run", &file, "--html", page.to_str().unwrap()]);
        assert!(out.status.success());
        pages.push(std::fs::read(&page).unwrap());
        diagrams.push(stdout(&idemsim(&["run", &file, "--diagram", "mermaid"])));
    }
    assert_eq!(pages[0], pages[1]);
    assert_eq!(diagrams[0], diagrams[1]);
}

// ------------------------------------------------ Words that match the run

fn load_text(name: &str, text: &str) -> idemsim::Scenario {
    idemsim::Loader::new()
        .parse(&root().join(name), text)
        .unwrap()
        .scenario
}

fn human(s: &idemsim::Scenario, run: &idemsim::Run) -> String {
    idemsim::report::human::render(
        s,
        &idemsim::Provenance::default(),
        run,
        idemsim::report::Color::Never,
    )
}

/// A completer racing a request whose apply it does not fence, with
/// stalls and duplicated messages: the seeds it fails on show its work.
fn completer_scenario() -> idemsim::Scenario {
    let design = root().join("designs/variants/completer-unchecked.toml");
    load_text(
        "completer.toml",
        &format!(
            "name = \"c\"\ndesign = {:?}\naccounts = {{ alice = 10000, bob = 0 }}\n\
             [faults]\nstall = \"1/3\"\ndelay = \"1/4\"\n\
             [[client]]\ntransfers = [{{ from = \"alice\", to = \"bob\", amount = 100 }}]\n\
             [expect]\nviolations = []\n",
            design.to_str().unwrap()
        ),
    )
}

/// An answer a store sends the completer goes to the completer, not the
/// API, and money the completer moved is its own, not "attempt 0"'s.
#[test]
fn the_completers_work_is_told_as_the_completers() {
    use idemsim::history::{Host, What};
    let s = completer_scenario();
    let mut held_answers = 0;
    let mut by_completer = 0;
    for seed in 0..60 {
        let run = idemsim::run_scenario(&s, Some(seed));
        for e in &run.output.events {
            if let What::Held { from, to, tag, .. } = &e.what
                && tag.is_completer()
                && *from == Host::Ledger
            {
                assert_eq!(*to, Host::Completer, "seed {seed}");
                held_answers += 1;
            }
        }
        for v in &run.verdict.violations {
            for line in idemsim::report::human::evidence_lines(&s, v) {
                assert!(!line.contains("attempt 0"), "seed {seed}: {line}");
                by_completer += usize::from(line.contains("by the completer"));
            }
        }
        let text = human(&s, &run);
        assert!(
            !text.contains("(completer), ledger -> api"),
            "seed {seed}:\n{text}"
        );
    }
    assert!(
        held_answers > 0,
        "some seed holds an answer to the completer"
    );
    assert!(
        by_completer > 0,
        "some seed shows money the completer moved"
    );
}

/// A design that resends a call which got no answer says so, and says
/// "gives up" only after its last send; the words follow the typed event.
#[test]
fn a_store_timeout_says_whether_the_call_is_sent_again() {
    use idemsim::history::What;
    let design =
        std::fs::read_to_string(root().join("designs/variants/processor-request-key.toml"))
            .unwrap();
    assert!(design.contains("call_attempts = 3"));
    let s = load_text(
        "resend.toml",
        &format!(
            "name = \"r\"\ndesign = {:?}\naccounts = {{ alice = 10000, bob = 0 }}\n\
             [[client]]\ntransfers = [{{ from = \"alice\", to = \"bob\", amount = 100 }}]\n\
             [[fault]]\nkind = \"unreachable\"\nhost = \"processor\"\nfrom_ms = 0\nuntil_ms = 250\n\
             [expect]\nviolations = []\n",
            root()
                .join("designs/variants/processor-request-key.toml")
                .to_str()
                .unwrap()
        ),
    );
    let run = idemsim::run_scenario(&s, None);
    let timeouts: Vec<(u32, u32)> = run
        .output
        .events
        .iter()
        .filter_map(|e| match e.what {
            What::StoreTimeout { send, sends, .. } => Some((send, sends)),
            _ => None,
        })
        .collect();
    assert!(
        timeouts.contains(&(1, 3)) && timeouts.contains(&(2, 3)),
        "{timeouts:?}"
    );
    let text = human(&s, &run);
    assert!(text.contains("sends the call again (2 of 3)"), "{text}");
    assert!(text.contains("sends the call again (3 of 3)"), "{text}");
    for line in text.lines().filter(|l| l.contains("gives up")) {
        assert!(line.contains("gives up after 3 sends"), "{line}\n{text}");
    }
}

/// A client that has made every attempt allowed while the faults act waits
/// for the heal, and says so, instead of a backoff it does not keep.
#[test]
fn a_client_waiting_for_the_heal_says_so() {
    use idemsim::history::What;
    let s = load_text(
        "spent.toml",
        "name = \"spent\"\ndesign = \"atomic\"\naccounts = { alice = 100, bob = 0 }\n\
         [retry]\nmax_attempts = 2\n[faults]\nheal_at_ms = 2000\n\
         [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 5 }]\n\
         [[fault]]\nkind = \"drop-request\"\ntransfer = \"t1\"\nattempt = 1\n\
         [[fault]]\nkind = \"drop-request\"\ntransfer = \"t1\"\nattempt = 2\n\
         [expect]\nviolations = []\n",
    );
    let run = idemsim::run_scenario(&s, None);
    let waits: Vec<(u64, u64, bool)> = run
        .output
        .events
        .iter()
        .filter_map(|e| match e.what {
            What::Backoff {
                wait_ms,
                until_heal,
                ..
            } => Some((e.at_ms, wait_ms, until_heal)),
            _ => None,
        })
        .collect();
    let (at, wait, until_heal) = *waits.last().unwrap();
    assert!(until_heal, "{waits:?}");
    assert_eq!(at + wait, 2000, "{waits:?}");
    let third = run.output.events.iter().find_map(|e| match &e.what {
        What::Sent { tag, .. } if tag.attempt == 3 => Some(e.at_ms),
        _ => None,
    });
    assert_eq!(third, Some(2000), "the retry comes at the heal");
    let text = human(&s, &run);
    assert!(
        text.contains(&format!(
            "has made the 2 attempts allowed while faults act: waits {wait} ms, until the heal, to retry t1"
        )),
        "{text}"
    );
    assert_eq!(text.matches("backs off").count(), 1, "{text}");
}

/// What a restarted client is said to have kept follows `[retry.on]
/// restart`, in the timeline, the diagram and the schema.
#[test]
fn a_restarted_client_is_told_as_its_policy_says() {
    let base = "name = \"restart\"\ndesign = \"atomic\"\naccounts = { alice = 100, bob = 0 }\n\
        [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 5 }]\n\
        [[fault]]\nkind = \"drop-response\"\ntransfer = \"t1\"\n\
        [[fault]]\nkind = \"client-restart\"\ntransfer = \"t1\"\n\
        [expect]\nviolations = []\n";
    let kept = load_text("kept.toml", base);
    let run = idemsim::run_scenario(&kept, None);
    let text = human(&kept, &run);
    assert!(text.contains("RESTARTED after t1#1"), "{text}");
    assert!(
        text.contains("it had stored its key and keeps it"),
        "{text}"
    );
    assert!(!text.contains("lost the key"), "{text}");
    let keys = |run: &idemsim::Run| {
        run.output
            .events
            .iter()
            .filter(|e| matches!(e.what, idemsim::history::What::KeyObtained { .. }))
            .count()
    };
    assert_eq!(keys(&run), 1, "one key, kept across the restart");
    let diagram = idemsim::report::mermaid::render(&kept, &run);
    assert!(
        diagram.contains("it had stored its key and keeps it"),
        "{diagram}"
    );
    let lost = load_text(
        "lost.toml",
        &base.replace(
            "[[client]]",
            "[retry.on]\nrestart = \"new-key\"\n[[client]]",
        ),
    );
    let run = idemsim::run_scenario(&lost, None);
    let text = human(&lost, &run);
    assert!(
        text.contains("it held its key in memory only and lost it"),
        "{text}"
    );
    assert_eq!(keys(&run), 2, "a new key after the restart");
    let schema = std::fs::read_to_string(root().join("docs/scenario.schema.json")).unwrap();
    assert!(
        !schema.contains("forgets its key"),
        "the schema follows [retry.on] restart"
    );
}
