//! `idemsim explore`: sweeps are independent of thread timing, partitions split
//! the work exactly, exhaustive search finds the smallest schedule, and a saved
//! repro reproduces its violation.

use crate::common::{idemsim, of_type, root};
use std::path::Path;

const CLASSIC: &str = "scenarios/lessons/3-response-lost-classic.toml";
const ATOMIC: &str = "scenarios/lessons/3-response-lost-atomic.toml";

#[test]
fn a_sweep_prints_the_same_bytes_whatever_the_jobs() {
    let one = idemsim(&["explore", CLASSIC, "--seeds", "0..200", "--jobs", "1"]);
    let two = idemsim(&["explore", CLASSIC, "--seeds", "0..200", "--jobs", "2"]);
    assert_eq!(one.0, Some(1), "a failing sweep exits 1: {}", one.1);
    assert_eq!(one.1, two.1);
    assert!(one.1.contains("200 seeds run, 0 skipped"), "{}", one.1);
    assert!(one.1.contains("--seed 0 --swarm"), "{}", one.1);
    let json_one = idemsim(&["explore", CLASSIC, "--seeds", "0..100", "--format", "json"]);
    let json_two = idemsim(&[
        "explore", CLASSIC, "--seeds", "0..100", "--format", "json", "--jobs", "2",
    ]);
    assert_eq!(json_one.1, json_two.1);
    let last: serde_json::Value = serde_json::from_str(json_one.1.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(last["data"]["ran"], 100);
}

#[test]
fn a_correct_design_sweeps_clean_and_exits_0() {
    let (code, stdout, _) = idemsim(&[
        "explore",
        ATOMIC,
        "--seeds",
        "0..300",
        "--jobs",
        "2",
        "--check-determinism",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stdout}");
    let summary = of_type(&stdout, "summary").pop().unwrap();
    assert_eq!(summary["failing_seeds"], 0, "{summary}");
    let reach = of_type(&stdout, "reach").pop().unwrap();
    assert!(
        reach["response-lost"].as_u64() > Some(0),
        "the sweep reached the window: {reach}"
    );
}

#[test]
fn partitions_split_the_seeds_exactly() {
    let seeds = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("  seed "))
            .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
            .collect()
    };
    let whole = idemsim(&["explore", CLASSIC, "--seeds", "0..60"]);
    let mut parts = Vec::new();
    let mut ran = 0;
    for m in 1..=3 {
        let partition = format!("slice:{m}/3");
        let (_, out, _) = idemsim(&[
            "explore",
            CLASSIC,
            "--seeds",
            "0..60",
            "--partition",
            &partition,
        ]);
        assert!(out.contains("20 seeds run, 40 skipped"), "{out}");
        ran += 20;
        parts.extend(seeds(&out));
    }
    assert_eq!(ran, 60);
    let mut parts: Vec<u64> = parts.iter().map(|s| s.parse().unwrap()).collect();
    parts.sort();
    let whole: Vec<u64> = seeds(&whole.1).iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(
        &parts[..whole.len().min(parts.len())],
        &whole[..],
        "the union of the slices is the whole"
    );
}

#[test]
fn exhaustive_search_finds_the_one_fault_that_doubles_a_naive_transfer() {
    let (code, stdout, _) = idemsim(&[
        "explore",
        "scenarios/lessons/1-request-lost-naive.toml",
        "--exhaustive",
        "--max-faults",
        "2",
        "--jobs",
        "2",
    ]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("double-apply: shown by 444 schedules; first by 1 fault:"),
        "{stdout}"
    );
    // naive has 1 transaction and uses the ledger only. Per attempt (3):
    // request, response, apply, apply-result each dropped or delayed (8);
    // the request duplicated (1: an answer never arrives twice, and the
    // API's ledger client does not resend); the api and the ledger crashed
    // at 2 sites (4); 2 stalls; a client restart: 16 each, 48. Plus the
    // ledger unreachable for two client timeouts and for the whole window: 50.
    assert!(
        stdout.contains("50 candidate faults; 1276 schedules"),
        "{stdout}"
    );
    let (code, stdout, _) = idemsim(&[
        "explore",
        "scenarios/lessons/1-request-lost-atomic.toml",
        "--exhaustive",
        "--max-faults",
        "2",
        "--jobs",
        "2",
    ]);
    assert_eq!(
        code,
        Some(0),
        "the atomic design survives every 2-fault schedule: {stdout}"
    );
}

#[test]
fn a_saved_repro_reproduces_its_violation_with_targeted_faults_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repro.toml");
    let path_text = path.to_str().unwrap();
    let (code, stdout, _) = idemsim(&[
        "explore",
        CLASSIC,
        "--seeds",
        "0..50",
        "--save-repro",
        path_text,
    ]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("saved to"), "{stdout}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("loss = \"0\""), "no randomness: {text}");
    assert!(text.contains("[[fault]]"), "{text}");
    let (code, report, _) = idemsim(&["run", path_text]);
    assert_eq!(code, Some(0), "the repro meets its expectation: {report}");
    assert!(report.contains("expectation met"), "{report}");
    // A schedule from the exhaustive search that shows two violations at once.
    let exhaustive = dir.path().join("exhaustive.toml");
    let (code, stdout, _) = idemsim(&[
        "explore",
        "scenarios/lessons/1-request-lost-classic.toml",
        "--exhaustive",
        "--max-faults",
        "1",
        "--save-repro",
        exhaustive.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{stdout}");
    let (code, report, _) = idemsim(&["run", exhaustive.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{report}");
    let _ = Path::new(path_text);
}

#[test]
fn an_unreached_phase_fails_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(ATOMIC))
        .unwrap()
        .replace(
            "[expect]",
            "[explore]\nmust_reach = [\"response-lost\", \"crash:keys:after:apply\"]\n\n[expect]",
        );
    let path = dir.path().join("reach.toml");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, _) = idemsim(&["explore", path.to_str().unwrap(), "--seeds", "0..50"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("must reach crash:keys:after:apply: NOT REACHED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("must reach response-lost: reached by"),
        "{stdout}"
    );
}

#[test]
fn bad_explore_flags_exit_2() {
    assert_eq!(
        idemsim(&[
            "explore",
            CLASSIC,
            "--seeds",
            "0..10",
            "--partition",
            "slice:4/3"
        ])
        .0,
        Some(2)
    );
    assert_eq!(idemsim(&["explore", CLASSIC]).0, Some(2));
    assert_eq!(
        idemsim(&["explore", CLASSIC, "--exhaustive", "--max-faults", "9"]).0,
        Some(2)
    );
    assert_eq!(
        idemsim(&["explore", "missing.toml", "--seeds", "0..3"]).0,
        Some(2)
    );
}

#[test]
fn a_partitioned_sweep_writes_junit_counting_the_other_slices_seeds_in_one_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sweep.xml");
    let (code, _, _) = idemsim(&[
        "explore",
        CLASSIC,
        "--seeds",
        "0..20",
        "--partition",
        "slice:2/4",
        "--junit",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1));
    let xml = std::fs::read_to_string(&path).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    // The seeds of the three other slices are one skipped case that counts
    // them: a slice of a million-seed sweep must not list the other 750,000.
    assert_eq!(report.skipped, 1, "{xml}");
    assert!(xml.contains("15 seeds of other partitions"), "{xml}");
    assert!(report.failures >= 1, "{xml}");
    assert_eq!(
        report.tests as usize,
        1 + report.failures as usize + 1,
        "the skipped count, failing seeds, and one case for the passing ones"
    );
    assert!(
        xml.contains("--seed 1 --swarm") || xml.contains("--swarm"),
        "{xml}"
    );
}

#[test]
fn the_last_seed_can_be_swept_checked_and_partitioned() {
    const MAX: &str = "18446744073709551615";
    let (code, stdout, stderr) = idemsim(&["run", CLASSIC, "--seed", MAX]);
    assert_eq!(
        code,
        Some(0),
        "run --seed accepts the last seed: {stdout}{stderr}"
    );
    let last_six = format!("{}..={MAX}", u64::MAX - 5);
    let (code, stdout, stderr) = idemsim(&["check", CLASSIC, "--seeds", &last_six]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("6 seeds run"), "{stdout}");
    // The same range written with its exclusive end, 2^64.
    let exclusive = format!("{}..18446744073709551616", u64::MAX - 5);
    let (code, again, _) = idemsim(&["check", CLASSIC, "--seeds", &exclusive]);
    assert_eq!((code, &again), (Some(0), &stdout));
    let (code, stdout, stderr) =
        idemsim(&["explore", CLASSIC, "--seeds", &last_six, "--format", "json"]);
    assert_eq!(
        code,
        Some(1),
        "classic fails some swarm seed: {stdout}{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["data"]["ran"], 6, "{stdout}");
    let mut ran = 0;
    for m in 1..=4 {
        let partition = format!("hash:{m}/4");
        let (_, out, err) = idemsim(&[
            "explore",
            CLASSIC,
            "--seeds",
            &last_six,
            "--partition",
            &partition,
            "--format",
            "json",
        ]);
        let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap())
            .unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        ran += summary["data"]["ran"].as_u64().unwrap();
        assert_eq!(
            summary["data"]["ran"].as_u64().unwrap() + summary["data"]["skipped"].as_u64().unwrap(),
            6,
            "{out}"
        );
    }
    assert_eq!(ran, 6, "the partitions cover the range exactly once");
    // A scenario whose own seed is the last one is checked on it.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(CLASSIC))
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("seed =") {
                format!("seed = \"{MAX}\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = dir.path().join("last-seed.toml");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, stderr) = idemsim(&["check", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(of_type(&stdout, "scenario")[0]["seeds_run"], 1, "{stdout}");
    // Past the last seed is still refused, as bad input.
    let (code, _, stderr) = idemsim(&["check", CLASSIC, "--seeds", "0..=18446744073709551616"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is not a seed"), "{stderr}");
}

/// A scenario of `transfers` transfers whose design's completer looks every
/// millisecond, so a run skips no quiet time: a fault that holds a message
/// or stalls the API makes its run cost many times one without faults.
fn busy_completer_scenario(dir: &Path, count: usize) -> std::path::PathBuf {
    let design = std::fs::read_to_string(root().join("designs/variants/completer-checked.toml"))
        .unwrap()
        .replace("every_ms = 100", "every_ms = 1");
    std::fs::write(dir.join("completer-1ms.toml"), design).unwrap();
    let transfers = "  { from = \"alice\", to = \"bob\", amount = 10 },\n".repeat(count);
    let scenario = format!(
        "name = \"busy\"\ndesign = \"completer-1ms.toml\"\naccounts = {{ alice = 100000, bob = 0 }}\n\
         [[client]]\ntransfers = [\n{transfers}]\n[expect]\nviolations = []\n"
    );
    let path = dir.join(format!("busy-{count}.toml"));
    std::fs::write(&path, scenario).unwrap();
    path
}

/// An exhaustive search is priced before it starts, from the work (host
/// steps, network work, events) of a run without faults: a search that
/// would spend more than --max-seconds even so is refused, with the price
/// and the flag that raises the budget. No clock is read: the same search is
/// refused on every machine.
#[test]
fn an_exhaustive_search_over_its_time_budget_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let path = busy_completer_scenario(dir.path(), 50);
    let file = path.to_str().unwrap();
    let scenario = idemsim::Loader::new().load(&path).unwrap().scenario;
    let budget = |max_seconds| idemsim::explore::exhaustive::Budget {
        max_seconds,
        ..Default::default()
    };
    let plan = idemsim::explore::exhaustive::plan(&scenario, 1, budget(3_600)).unwrap();
    let least = plan.estimate().estimated_secs() as u64;
    assert!(least > 2, "{plan:?}");
    let shown = plan.estimate().seconds_text();
    assert!(plan.calm.host_steps > 0 && plan.calm.events > 0, "{plan:?}");
    let refused = idemsim::explore::exhaustive::plan(&scenario, 1, budget(least - 1)).unwrap_err();
    assert!(
        matches!(refused, idemsim::explore::exhaustive::TooBig::Time { .. }),
        "{refused:?}"
    );
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        file,
        "--exhaustive",
        "--max-faults",
        "1",
        "--max-seconds",
        &(least - 1).to_string(),
    ]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "nothing ran: {stdout}");
    assert!(
        stderr.contains(&format!(
            "{} schedules of up to 1 faults would take at least {shown} s of one core",
            plan.schedules
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--max-seconds {least} (at most 604800)")),
        "{stderr}"
    );
    // The flag belongs to the exhaustive search, and has bounds.
    for args in [
        vec!["explore", file, "--seeds", "0..3", "--max-seconds", "10"],
        vec!["explore", file, "--exhaustive", "--max-seconds", "0"],
        vec!["explore", file, "--exhaustive", "--max-seconds", "604801"],
    ] {
        let (code, stdout, stderr) = idemsim(&args);
        assert_eq!(code, Some(2), "{args:?}: {stdout}{stderr}");
    }
}

/// Runs with faults cost more than the run without: the search counts
/// what each run spent and stops at its budget, at the same schedule with
/// any number of jobs, and says so; a stopped search exits 1, as a run that
/// reached a limit does.
#[test]
fn an_exhaustive_search_stops_at_its_time_budget_and_says_so() {
    use idemsim::explore::exhaustive;
    let dir = tempfile::tempdir().unwrap();
    let path = busy_completer_scenario(dir.path(), 1);
    let scenario = idemsim::Loader::new().load(&path).unwrap().scenario;
    let budget = exhaustive::Budget {
        max_seconds: 1,
        ..Default::default()
    };
    // Without faults the 2-fault search would take under a second.
    let plan = exhaustive::plan(&scenario, 2, budget).unwrap();
    assert!(plan.estimate().fits(1), "{plan:?}");
    let one = exhaustive::search(&scenario, plan, 1, &mut |_| {});
    let two = exhaustive::search(&scenario, plan, 2, &mut |_| {});
    assert!(one.stopped, "{} of {}", one.explored, one.planned);
    assert!(one.explored > 0 && one.explored < one.planned);
    assert_eq!(
        (one.explored, one.spent, &one.first),
        (two.explored, two.spent, &two.first),
        "where it stops depends on work, not on threads"
    );
    assert!(!one.spent.fits(0) && one.spent.estimated_ns() >= 1_000_000_000);
    let per_run = one.spent.estimated_ns() / u128::from(one.spent.runs);
    assert!(
        one.spent.estimated_ns() <= 1_000_000_000 + 2 * per_run.max(100_000_000),
        "it stops close to its budget: {:?}",
        one.spent
    );
    let text =
        idemsim::report::explore::exhaustive_text(&one, &idemsim::Provenance::default(), "header");
    assert!(
        text.contains(&format!(
            "STOPPED at the time budget: {} of {} schedules explored",
            one.explored, one.planned
        )),
        "{text}"
    );
    assert!(text.contains("raise --max-seconds"), "{text}");
    assert!(text.contains("violations: none among the"), "{text}");
    // The same on the command line.
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        path.to_str().unwrap(),
        "--exhaustive",
        "--max-faults",
        "2",
        "--max-seconds",
        "1",
        "--jobs",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(
        code,
        Some(1),
        "a stopped search is not a pass: {stdout}{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["data"]["stopped"], true, "{stdout}");
    assert_eq!(summary["data"]["explored"], one.explored, "{stdout}");
    assert_eq!(summary["data"]["planned"], one.planned, "{stdout}");
}

/// A completer that resends its unchecked job when an answer is lost pays
/// twice; so does the API's own resend of its unchecked apply. The first
/// needs a fault on the completer's work, which no targeted fault can aim
/// at; the second a lost `apply-result`. `--save-repro` tries the failing
/// seeds lowest first, says why each lower one could not be reproduced, and
/// saves the first that can.
#[test]
fn save_repro_leaves_out_seeds_that_need_a_fault_on_the_completers_work() {
    let dir = tempfile::tempdir().unwrap();
    let design = std::fs::read_to_string(root().join("designs/variants/completer-unchecked.toml"))
        .unwrap()
        .replace(
            "[completer]",
            "[api]\ncall_attempts = 2\nstore_timeout_ms = 100\n\n[completer]",
        );
    std::fs::write(dir.path().join("resend.toml"), design).unwrap();
    let scenario = "name = \"completer resends\"\nseed = 0\ndesign = \"resend.toml\"\n\
        accounts = { alice = 10000, bob = 0 }\n[retry]\nmax_attempts = 4\ntimeout_ms = 200\n\
        [network]\nloss = \"1/6\"\n[faults]\ncrash = \"1/6\"\n\
        [[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 100 }]\n\
        [expect]\nviolations = []\n";
    let path = dir.path().join("resend-scenario.toml");
    std::fs::write(&path, scenario).unwrap();
    let file = path.to_str().unwrap();

    // Typed: seed 11 fails only through the completer's work.
    let loaded = idemsim::Loader::new().load(&path).unwrap().scenario;
    let run = idemsim::run_scenario(&loaded, Some(11));
    assert!(
        run.verdict
            .found
            .contains(&idemsim::ViolationKind::DoubleApply),
        "{:?}",
        run.verdict.found
    );
    let (_, completer) = idemsim::explore::shrink::explicit_of(&loaded, &run);
    assert_eq!(completer, 1);
    let reproduced = idemsim::explore::shrink::first_reproducible(
        &[
            (11, run.verdict.found.clone()),
            (23, vec![idemsim::ViolationKind::DoubleApply]),
        ],
        |seed| {
            let ran = idemsim::run_scenario(&loaded, Some(seed));
            idemsim::explore::shrink::explicit_of(&loaded, &ran)
        },
    );
    assert_eq!(
        reproduced.skipped,
        vec![idemsim::explore::shrink::Skipped {
            seed: 11,
            violations: run.verdict.found.clone(),
            why: idemsim::explore::shrink::Unreproducible::CompleterFaults { faults: 1 },
        }]
    );
    let (shrunk, _) = reproduced.shrunk.expect("seed 23 reproduces");
    assert_eq!(shrunk.seed, 23);

    // On the command line: the file is written, and says which seed and why.
    let repro = dir.path().join("repro.toml");
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        file,
        "--seeds",
        "0..30",
        "--no-swarm",
        "--save-repro",
        repro.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "seed 11 (double-apply, inconsistent-replay) not reproduced: 1 fault on the completer's work, which no targeted fault can aim at"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "seed 23 is the lowest failing seed that reproduces with targeted faults only"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("shrunk double-apply (seed 23)"), "{stdout}");
    let (code, report, _) = idemsim(&["run", repro.to_str().unwrap()]);
    assert_eq!(code, Some(0), "the repro meets its expectation: {report}");
    assert!(report.contains("found: double-apply"), "{report}");
    // JSON Lines carries the same, typed.
    let (_, stdout, _) = idemsim(&[
        "explore",
        file,
        "--seeds",
        "0..30",
        "--no-swarm",
        "--format",
        "json",
        "--save-repro",
        repro.to_str().unwrap(),
    ]);
    let repro_line = of_type(&stdout, "repro")
        .pop()
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(repro_line["seed"], 23);
    assert_eq!(repro_line["skipped"][0]["seed"], 11);
    assert_eq!(repro_line["skipped"][0]["reason"], "completer-faults");
    assert_eq!(repro_line["skipped"][0]["faults"], 1);
}
