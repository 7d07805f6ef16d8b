//! Verdicts that must not lie, and inputs and outputs that must not hurt.
//!
//! Each group of tests below guards one class of failure:
//!
//! 1. a simulation that panicked (in a host, the driver or the checker) is
//!    never a pass, and the panic is reported, not dumped;
//! 2. names are bounded on the wire (`limits::MAX_NAME_BYTES`), and a name
//!    over the bound is refused with its file, line and column;
//! 3. a scenario built in code is validated exactly as its file would be;
//! 4. every replay command idemsim prints (`run`, `explore` seeds in swarm
//!    and plain mode, a failing `check`, an exhaustive counterexample)
//!    replays the very run that printed it;
//! 5. a JSON sweep that saves a repro stays JSON Lines, and the repro loads;
//! 6. a repro saved from a seed beyond TOML's integers still loads;
//! 7. liveness: a key that can never be settled is `stuck-key`, a stored
//!    definitive refusal is not;
//! 8. a definitive error after the money moved is `phantom-apply`;
//! 9. a run in which no transfer succeeded says so, and `[expect] succeeded`
//!    can fail it;
//! 10. `check` with nothing to check is bad input;
//! 11. names from a scenario cannot drive the terminal or forge report lines;
//! 12. an explicit transfer id cannot take another transfer's name;
//! 13. reads are bounded: device files and oversized files are refused fast;
//! 14. output errors: a closed pipe ends quietly, a full disk or an unwritable
//!     path is an error;
//! 15. contradictory or misplaced flags are bad input;
//! 16. cost is bounded and stated: an exhaustive search over budget is refused
//!     before it starts, a run stops at its step budget;
//! 17. `check` counts the same in every format.

use crate::common::{idemsim, json_lines, of_type, root};
use idemsim::explore::exhaustive;
use idemsim::explore::swarm::scenario_for;
use idemsim::history::Host;
use idemsim::report::json::render;
use idemsim::{EndReason, Mode, Replay, RunOptions, ScenarioSpec, TransferSpec, run_with};
use serde_json::Value;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ATOMIC: &str = "scenarios/lessons/3-response-lost-atomic.toml";
const NAIVE: &str = "scenarios/lessons/3-response-lost-naive.toml";
const DUPLICATE: &str = "scenarios/failures/12-duplicate-delivery-bug.toml";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// An absolute path to a bundled file, as a string.
fn bundled(rel: &str) -> String {
    root().join(rel).to_str().unwrap().to_string()
}

/// The raw `event` lines, byte for byte.
fn event_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["type"] == "event"
        })
        .map(str::to_string)
        .collect()
}

/// The last `summary` line's data.
fn summary(stdout: &str) -> Value {
    of_type(stdout, "summary")
        .pop()
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// Runs a printed replay command (`idemsim run ...`) with `--format json`.
fn replay_json(args: &[String]) -> (Option<i32>, String, String) {
    assert_eq!(
        args.first().map(String::as_str),
        Some("idemsim"),
        "{args:?}"
    );
    assert_eq!(args.get(1).map(String::as_str), Some("run"), "{args:?}");
    let mut all: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    all.extend(["--format", "json"]);
    idemsim(&all)
}

/// Splits a command line as a POSIX shell would, for the quoting `Replay`
/// uses: single quotes, and backslash escapes outside them.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The events of `scenario` run in-process as explore or check ran it.
fn library_events(scenario: &idemsim::Scenario, seed: Option<u64>, mode: Mode) -> Vec<String> {
    let run = run_with(scenario, seed, mode, RunOptions::default());
    event_lines(&render(scenario, &idemsim::Provenance::default(), &run))
}

struct Bounded {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs `idemsim ARGS` from the repository root, killing it and failing the
/// test if it is still running after `deadline`: a regression cannot hang
/// the suite.
fn idemsim_within(args: &[&str], deadline: Duration) -> Bounded {
    let mut out = tempfile::tempfile().unwrap();
    let mut err = tempfile::tempfile().unwrap();
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(err.try_clone().unwrap()))
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("idemsim {args:?} still running after {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = start.elapsed();
    let read = |f: &mut File| {
        use std::io::Seek;
        f.rewind().unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Bounded {
        code: status.code(),
        stdout: read(&mut out),
        stderr: read(&mut err),
        took,
    }
}

/// A small scenario: `accounts` and `transfers` are TOML fragments.
fn scenario_text(design: &str, accounts: &str, transfers: &str, expect: &str) -> String {
    format!(
        "name = \"x\"\ndesign = \"{design}\"\naccounts = {{ {accounts} }}\n\
         [[client]]\ntransfers = [{transfers}]\n[expect]\n{expect}\n"
    )
}

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

// ---------------------------------------------------------------------------
// 2. The wire bound on names
// ---------------------------------------------------------------------------

/// Asserts exit 2, no panic, an `error: PATH:LINE:COL: ` prefix, and fragments.
fn assert_refused_at(out: &(Option<i32>, String, String), path: &Path, fragments: &[&str]) {
    let (code, stdout, stderr) = out;
    assert_eq!(*code, Some(2), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let prefix = format!("error: {}:", path.display());
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with(&prefix), "expected {prefix}:\n{stderr}");
    let rest = &first[prefix.len()..];
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().unwrap();
    let col = parts.next().unwrap_or_default();
    assert!(
        line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok(),
        "expected a line and a column after the path:\n{stderr}"
    );
    for f in fragments {
        assert!(stderr.contains(f), "expected `{f}` in:\n{stderr}");
    }
}

#[test]
fn names_of_exactly_the_bound_run_and_one_byte_more_are_refused_with_a_position() {
    let max = idemsim::limits::MAX_NAME_BYTES;
    assert_eq!(max, 64);
    let dir = tempfile::tempdir().unwrap();
    let expect = "violations = []";

    // An account name.
    let at_bound = "a".repeat(max);
    let path = write(
        dir.path(),
        "account-64.toml",
        &scenario_text(
            "naive",
            &format!("{at_bound} = 100, bob = 0"),
            &format!("{{ from = \"{at_bound}\", to = \"bob\", amount = 5 }}"),
            expect,
        ),
    );
    let (code, stdout, stderr) = idemsim(&["run", text(&path), "--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(summary(&stdout)["balances"][&at_bound], 95, "{stdout}");

    let over = "a".repeat(max + 1);
    let path = write(
        dir.path(),
        "account-65.toml",
        &scenario_text(
            "naive",
            &format!("{over} = 100, bob = 0"),
            &format!("{{ from = \"{over}\", to = \"bob\", amount = 5 }}"),
            expect,
        ),
    );
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &["65 bytes", "at most 64"]);

    // A transfer id.
    for (len, ok) in [(max, true), (max + 1, false)] {
        let id = "x".repeat(len);
        let path = write(
            dir.path(),
            &format!("id-{len}.toml"),
            &scenario_text(
                "naive",
                "alice = 100, bob = 0",
                &format!("{{ id = \"{id}\", from = \"alice\", to = \"bob\", amount = 5 }}"),
                expect,
            ),
        );
        let out = idemsim(&["run", text(&path), "--format", "json"]);
        if ok {
            assert_eq!(out.0, Some(0), "{}{}", out.1, out.2);
            let events = of_type(&out.1, "event");
            assert!(
                events.iter().any(|e| e["transfer"] == id.as_str()),
                "the id is used whole: {}",
                out.1
            );
        } else {
            assert_refused_at(&out, &path, &["65 bytes", "at most 64"]);
            // The id sits on line 5, after `transfers = [{ id = "`.
            assert!(
                out.2
                    .starts_with(&format!("error: {}:5:21: ", path.display())),
                "{}",
                out.2
            );
        }
    }
}

#[test]
fn a_16_kb_transfer_id_is_refused_with_a_position_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let id = "x".repeat(16 * 1024);
    let path = write(
        dir.path(),
        "huge-id.toml",
        &scenario_text(
            "naive",
            "alice = 100, bob = 0",
            &format!("{{ id = \"{id}\", from = \"alice\", to = \"bob\", amount = 5 }}"),
            "violations = []",
        ),
    );
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &["16384 bytes", "at most 64"]);
}

// ---------------------------------------------------------------------------
// 3. A scenario built in code is validated the same way
// ---------------------------------------------------------------------------

#[test]
fn a_scenario_built_in_code_is_refused_with_the_same_message_as_its_file() {
    let error = ScenarioSpec::builder("x", "naive")
        .account("alice", 100)
        .account("bob", 0)
        .client([TransferSpec::new("alice", "carol", 5)])
        .build()
        .unwrap_err();
    let message = "unknown account `carol`; expected one of: alice, bob";
    assert_eq!(
        error.to_string(),
        format!("client[0].transfers[0].to: {message}")
    );

    let dir = tempfile::tempdir().unwrap();
    let file = "name = \"x\"\ndesign = \"naive\"\n\n[accounts]\nalice = 100\nbob = 0\n\n\
                [[client]]\ntransfers = [{ from = \"alice\", to = \"carol\", amount = 5 }]\n\
                [expect]\nviolations = []\n";
    let path = write(dir.path(), "carol.toml", file);
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &[]);
    let first = out.2.lines().next().unwrap();
    assert_eq!(
        first,
        format!("error: {}:9:37: {message}", path.display()),
        "the file's error names file, line and column, then the same message"
    );
    // The library says the same for the same text.
    let parsed = idemsim::Loader::new()
        .parse(Path::new("carol.toml"), file)
        .unwrap_err();
    assert!(
        parsed
            .to_string()
            .starts_with(&format!("carol.toml:9:37: {message}")),
        "{parsed}"
    );
}

// ---------------------------------------------------------------------------
// 4. Every replay command replays the same run
// ---------------------------------------------------------------------------

#[test]
fn the_replay_a_run_prints_replays_the_same_run() {
    let cases: [(&str, u64, bool); 5] = [
        (NAIVE, 0, false),
        (NAIVE, 5, false),
        ("scenarios/lessons/6-concurrent-retry-atomic.toml", 2, false),
        (ATOMIC, 3, true),
        (ATOMIC, 7, true),
    ];
    for (file, seed, swarm) in cases {
        let seed_text = seed.to_string();
        let mut args = vec!["run", file, "--seed", &seed_text, "--format", "json"];
        if swarm {
            args.push("--swarm");
        }
        let (_, stdout, _) = idemsim(&args);
        let s = summary(&stdout);
        let replay = strings(&s["replay_args"]);
        assert_eq!(replay.contains(&"--swarm".to_string()), swarm, "{replay:?}");
        assert!(replay.contains(&seed_text), "{replay:?}");
        let (_, again, _) = replay_json(&replay);
        let events = event_lines(&stdout);
        assert!(!events.is_empty(), "{stdout}");
        assert_eq!(
            event_lines(&again),
            events,
            "{file} seed {seed}: the replay {replay:?} shows other events"
        );
        assert_eq!(
            again, stdout,
            "{file} seed {seed}: the replay prints the same report"
        );
    }
    // A swarm run is not the plain run of the same seed (the profile matters),
    // so a replay that dropped `--swarm` would be caught above.
    let (_, plain, _) = idemsim(&["run", ATOMIC, "--seed", "7", "--format", "json"]);
    let (_, swarm, _) = idemsim(&["run", ATOMIC, "--seed", "7", "--swarm", "--format", "json"]);
    assert_ne!(event_lines(&plain), event_lines(&swarm));
}

/// Checks every `seed` line of a JSON sweep of `file` against its replay, a
/// second replay, and the in-process run the sweep judged.
fn check_sweep_replays(file: &str, swarm: bool) {
    let mut args = vec!["explore", file, "--seeds", "0..40", "--format", "json"];
    if !swarm {
        args.push("--no-swarm");
    }
    let (code, stdout, stderr) = idemsim(&args);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let seeds = of_type(&stdout, "seed");
    assert!(!seeds.is_empty(), "failing seeds exist:\n{stdout}");
    let loaded = crate::common::loaded(Path::new(file)).unwrap();
    let scenario = &loaded.scenario;
    let mode = if swarm { Mode::Swarm } else { Mode::Plain };
    for line in &seeds {
        let seed = line["seed"].as_u64().unwrap();
        let replay = strings(&line["replay_args"]);
        assert_eq!(
            replay,
            Replay::new(&loaded.source, scenario, seed, mode).args,
            "seed {seed}: the printed replay"
        );
        let (_, first, _) = replay_json(&replay);
        let s = summary(&first);
        assert_eq!(
            s["violations"], line["found"],
            "seed {seed}: the replay {replay:?} finds what the sweep found"
        );
        assert_eq!(
            Value::Array(of_type(&first, "violation")),
            line["violations"],
            "seed {seed}: the same violations, evidence and all"
        );
        let (_, second, _) = replay_json(&replay);
        let events = event_lines(&first);
        assert_eq!(
            event_lines(&second),
            events,
            "seed {seed}: two replays differ"
        );
        let judged = library_events(&scenario_for(scenario, seed, swarm), Some(seed), mode);
        assert_eq!(
            events, judged,
            "seed {seed}: the replay is not the run the sweep judged"
        );
    }
    // The human report lists the same replay commands.
    let human_args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !["--format", "json"].contains(a))
        .collect();
    let (_, human, _) = idemsim(&human_args);
    let printed: Vec<Vec<String>> = human
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("replay: "))
        .map(shell_words)
        .collect();
    assert!(!printed.is_empty(), "{human}");
    for (words, line) in printed.iter().zip(&seeds) {
        assert_eq!(words, &strings(&line["replay_args"]), "{human}");
    }
}

#[test]
fn every_seed_a_swarm_sweep_lists_replays_the_run_it_judged() {
    check_sweep_replays(&bundled(DUPLICATE), true);
}

#[test]
fn every_seed_a_plain_sweep_lists_replays_the_run_it_judged() {
    check_sweep_replays(&bundled(DUPLICATE), false);
}

#[test]
fn the_replay_a_failing_check_prints_replays_the_failing_seed() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = std::fs::read_to_string(root().join(NAIVE)).unwrap();
    let expect_none = lesson.replace(
        "violations = [\"double-apply\", \"inconsistent-replay\"]",
        "violations = []",
    );
    assert_ne!(expect_none, lesson);
    // The lesson's own fault fails every seed; without it, 1-in-4 random loss
    // fails only some, so the seed the replay names matters.
    let start = expect_none.find("[[fault]]").unwrap();
    let end = expect_none.find("[expect]").unwrap();
    let random = format!("{}{}", &expect_none[..start], &expect_none[end..]).replace(
        "latency_max_ms = 5\n",
        "latency_max_ms = 5\nloss = \"1/4\"\n",
    );
    assert!(random.contains("loss = \"1/4\""));
    let mut seeds_seen = Vec::new();
    for (name, body) in [("targeted.toml", &expect_none), ("random.toml", &random)] {
        let path = write(dir.path(), name, body);
        let (code, stdout, stderr) = idemsim(&["check", text(&path), "--seeds", "0..50"]);
        assert_eq!(code, Some(1), "{name}:\n{stdout}{stderr}");
        let fail = stdout.lines().next().unwrap();
        assert!(fail.starts_with("FAIL  "), "{stdout}");
        let found = fail
            .split_once("found ")
            .and_then(|(_, rest)| rest.split_once(" on seed "))
            .map(|(found, _)| found)
            .unwrap_or_else(|| panic!("no `found ... on seed` in {fail}"));
        let line = stdout
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("replay: "))
            .unwrap_or_else(|| panic!("no replay line:\n{stdout}"));
        let replay = shell_words(line);
        let seed: u64 = replay[replay.iter().position(|w| w == "--seed").unwrap() + 1]
            .parse()
            .unwrap();
        assert!(
            fail.contains(&format!("on seed {seed}")),
            "the FAIL line and the replay name the same seed:\n{stdout}"
        );
        seeds_seen.push(seed);
        let (code, first, _) = replay_json(&replay);
        assert_eq!(code, Some(1), "the replay fails as check did:\n{first}");
        assert_eq!(
            strings(&summary(&first)["violations"]).join(", "),
            found,
            "{name}: the replay finds what check found"
        );
        let (_, second, _) = replay_json(&replay);
        assert_eq!(event_lines(&second), event_lines(&first), "{name}");
        let scenario = crate::common::load(&path).unwrap();
        assert_eq!(
            event_lines(&first),
            library_events(&scenario, Some(seed), Mode::Plain),
            "{name}: the replay is the run check judged"
        );
    }
    assert!(
        seeds_seen[1] > 0,
        "random loss spares seed 0, so the replay's seed matters: {seeds_seen:?}"
    );
}

#[test]
fn the_replay_of_an_exhaustive_counterexample_replays_its_schedule() {
    let file = bundled(NAIVE);
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        &file,
        "--exhaustive",
        "--max-faults",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let found = of_type(&stdout, "counterexample");
    assert!(!found.is_empty(), "{stdout}");
    let loaded = crate::common::loaded(Path::new(&file)).unwrap();
    let scenario = &loaded.scenario;
    let plan = exhaustive::plan(scenario, 1, exhaustive::Budget::default()).unwrap();
    let report = exhaustive::search(scenario, plan, 1, &mut |_| {});
    assert_eq!(report.first.len(), found.len());
    for (line, (kind, schedule)) in found.iter().zip(&report.first) {
        assert_eq!(line["violation"], kind.name());
        let replay = strings(&line["replay_args"]);
        assert!(replay.contains(&"--only-faults".to_string()), "{replay:?}");
        assert!(replay.contains(&"--fault".to_string()), "{replay:?}");
        let judged = report.scenario_of(schedule);
        assert_eq!(
            replay,
            Replay::new(&loaded.source, &judged, judged.seed, Mode::OnlyFaults).args
        );
        let (_, first, _) = replay_json(&replay);
        assert!(
            strings(&summary(&first)["violations"]).contains(&kind.name().to_string()),
            "the replay shows {}:\n{first}",
            kind.name()
        );
        let (_, second, _) = replay_json(&replay);
        assert_eq!(event_lines(&second), event_lines(&first));
        assert_eq!(
            event_lines(&first),
            library_events(&judged, None, Mode::OnlyFaults),
            "the replay is the schedule the search judged"
        );
        // The replay's own replay command is the same command.
        assert_eq!(strings(&summary(&first)["replay_args"]), replay);
    }
}

// ---------------------------------------------------------------------------
// 5, 6. Saved repros
// ---------------------------------------------------------------------------

#[test]
fn a_json_sweep_that_saves_a_repro_prints_only_json_and_the_repro_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repro.toml");
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        DUPLICATE,
        "--seeds",
        "0..40",
        "--format",
        "json",
        "--save-repro",
        text(&path),
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let lines = json_lines(&stdout);
    let repro: Vec<&Value> = lines.iter().filter(|v| v["type"] == "repro").collect();
    assert_eq!(repro.len(), 1, "{stdout}");
    assert_eq!(repro[0]["data"]["path"], text(&path));
    assert!(path.is_file());
    let (code, report, stderr) = idemsim(&["run", text(&path)]);
    assert_eq!(code, Some(0), "{report}{stderr}");
    assert!(report.contains("expectation met"), "{report}");
}

#[test]
fn a_repro_saved_from_a_seed_near_u64_max_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big-seed.toml");
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        NAIVE,
        "--seeds",
        "18446744073709551000..18446744073709551010",
        "--save-repro",
        text(&path),
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let saved = std::fs::read_to_string(&path).unwrap();
    let seed_line = saved
        .lines()
        .find(|l| l.starts_with("seed = "))
        .unwrap_or_else(|| panic!("no seed in:\n{saved}"));
    let value = seed_line.trim_start_matches("seed = ");
    let digits = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("the seed is a string: {seed_line}"));
    let seed: u64 = digits.parse().unwrap();
    assert!(seed > i64::MAX as u64, "{seed}");
    let (code, report, stderr) = idemsim(&["run", text(&path)]);
    assert_eq!(code, Some(0), "{report}{stderr}");
    assert!(
        report.ends_with(&format!("--seed {seed}\n")),
        "the repro runs on its seed:\n{report}"
    );
}

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
    assert!(human.contains("FAIL  stuck-key"), "{human}");
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
    let (code, stdout, _) = idemsim(&["run", text(&path)]);
    assert_eq!(code, Some(0), "no invariant breaks:\n{stdout}");
    assert!(stdout.contains("400 unknown_key"), "{stdout}");
    assert!(
        stdout.contains("transfers: 0 succeeded, 1 failed, 0 unknown"),
        "{stdout}"
    );
    assert!(!stdout.contains("warning:"), "{stdout}");
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
        let (_, stdout, _) = idemsim(&["run", lesson]);
        assert!(
            stdout.contains("FAIL  "),
            "{lesson} breaks an invariant:\n{stdout}"
        );
        assert!(!stdout.contains("warning:"), "{lesson}:\n{stdout}");
    }
}

// ---------------------------------------------------------------------------
// 10. Nothing to check
// ---------------------------------------------------------------------------

#[test]
fn check_with_no_scenario_files_is_bad_input() {
    let empty = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "README.md", "# not a scenario\n");
    write(other.path(), "data.json", "{}\n");
    for dir in [empty.path(), other.path()] {
        for format in ["human", "json"] {
            let (code, stdout, stderr) = idemsim(&["check", text(dir), "--format", format]);
            assert_eq!(code, Some(2), "{}: {stdout}{stderr}", dir.display());
            assert!(stderr.contains("no scenario files"), "{stderr}");
        }
    }
}

// ---------------------------------------------------------------------------
// 11. Terminal safety
// ---------------------------------------------------------------------------

const HOSTILE_ACCOUNT: &str = "ev\u{1b}[2Jil";
const HOSTILE_ID: &str = "t\n999 ms ledger    FAKE LINE";
const HOSTILE_TITLE: &str = "\u{1b}]0;title\u{7}";

/// A TOML basic string holding `s` (JSON's escapes are TOML's).
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn hostile_scenario(to: &str) -> String {
    let account = toml_string(HOSTILE_ACCOUNT);
    let id = toml_string(HOSTILE_ID);
    format!(
        "name = {}\ndescription = {}\ndesign = \"naive\"\n[keys]\nsource = \"client\"\n\
         [accounts]\n{account} = 10000\nbob = 0\n\
         [[client]]\ntransfers = [{{ id = {id}, from = {account}, to = {}, amount = 2500 }}]\n\
         [[fault]]\nkind = \"drop-response\"\ntransfer = {id}\nattempt = 1\n\
         [expect]\nviolations = []\n",
        toml_string(&format!("hostile {HOSTILE_TITLE}")),
        toml_string(&format!("desc {HOSTILE_TITLE}")),
        toml_string(to),
    )
}

/// A line that begins like a timeline line of the ledger saying `FAKE`.
fn forged(line: &str) -> bool {
    let l = line.trim_start();
    let digits = l.len() - l.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return false;
    }
    let Some(rest) = l[digits..].strip_prefix(" ms") else {
        return false;
    };
    rest.trim_start()
        .strip_prefix("ledger")
        .is_some_and(|r| r.trim_start().starts_with("FAKE"))
}

fn assert_terminal_safe(what: &str, output: &str) {
    assert!(
        !output.contains('\u{1b}'),
        "{what}: ESC in output:\n{output}"
    );
    assert!(
        !output.contains('\u{7}'),
        "{what}: BEL in output:\n{output}"
    );
    if let Some(line) = output.lines().find(|l| forged(l)) {
        panic!("{what}: a forged line `{line}` in:\n{output}");
    }
}

#[test]
fn hostile_names_cannot_drive_the_terminal_or_forge_lines() {
    assert!(forged("     999 ms ledger    FAKE LINE"));
    assert!(!forged(
        "     3 ms  ledger    txn apply for t\\u{a}999 ms ledger    FAKE"
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "hostile.toml", &hostile_scenario("bob"));
    let file = text(&path);
    // (what, arguments, whether the output shows the transfer id)
    let runs: [(&str, Vec<&str>, bool); 5] = [
        ("run", vec!["run", file], true),
        ("check", vec!["check", file], false),
        ("mermaid", vec!["run", file, "--diagram", "mermaid"], true),
        (
            "diff",
            vec!["diff", file, "--design", "naive", "--design", "atomic"],
            true,
        ),
        ("explore", vec!["explore", file, "--seeds", "0..5"], false),
    ];
    for (what, args, shows_id) in runs {
        let (code, stdout, stderr) = idemsim(&args);
        assert_ne!(code, Some(2), "{what} accepts the file: {stderr}");
        assert!(
            !shows_id || stdout.contains("FAKE LINE"),
            "{what} shows the id, escaped:\n{stdout}"
        );
        assert_terminal_safe(what, &stdout);
        assert_terminal_safe(what, &stderr);
    }

    // Bad input quoting the hostile names.
    let bad = write(
        dir.path(),
        "hostile-bad.toml",
        &hostile_scenario("x\u{1b}[2J\u{1b}]0;t\u{7}y"),
    );
    let (code, stdout, stderr) = idemsim(&["run", text(&bad)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown account"), "{stderr}");
    assert_terminal_safe("bad input", &stdout);
    assert_terminal_safe("bad input", &stderr);

    // JSON escapes the bytes and keeps the names exactly.
    let (_, json, _) = idemsim(&["run", file, "--format", "json"]);
    assert!(!json.contains('\u{1b}') && !json.contains('\u{7}'));
    assert_eq!(json.lines().count(), json_lines(&json).len());
    let events = of_type(&json, "event");
    assert!(events.iter().any(|e| e["account"] == HOSTILE_ACCOUNT));
    assert!(events.iter().any(|e| e["transfer"] == HOSTILE_ID));
    let s = summary(&json);
    assert_eq!(s["scenario"], format!("hostile {HOSTILE_TITLE}"));
    assert_eq!(s["balances"][HOSTILE_ACCOUNT], 5000, "{s}");
}

// ---------------------------------------------------------------------------
// 12. Identity
// ---------------------------------------------------------------------------

#[test]
fn an_explicit_id_that_takes_a_later_transfers_name_is_refused_at_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "ids.toml",
        "name = \"x\"\ndesign = \"naive\"\naccounts = { alice = 100, bob = 0 }\n\
         [[client]]\ntransfers = [\n\
         \x20 { id = \"t2\", from = \"alice\", to = \"bob\", amount = 5 },\n\
         \x20 { from = \"alice\", to = \"bob\", amount = 6 },\n]\n\
         [expect]\nviolations = []\n",
    );
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &["also the id"]);
    assert!(
        out.2
            .starts_with(&format!("error: {}:6:10: ", path.display())),
        "points at the id's value on line 6:\n{}",
        out.2
    );
}

// ---------------------------------------------------------------------------
// 13. Bounded reads
// ---------------------------------------------------------------------------

const QUICK: Duration = Duration::from_secs(10);

#[test]
fn device_files_and_oversized_files_are_refused_quickly() {
    let out = idemsim_within(&["run", "/dev/zero"], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);

    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let out = idemsim_within(&["run", text(&link)], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);

    // `check` of a directory holding such a link reports it as invalid.
    let out = idemsim_within(&["check", text(dir.path())], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stdout);
    assert!(out.stdout.contains("not a regular file"), "{}", out.stdout);

    // A design file is read with the same bounds.
    let lesson = std::fs::read_to_string(root().join(ATOMIC)).unwrap();
    let zero_design = lesson.replace("design = \"atomic\"", "design = \"/dev/zero\"");
    assert_ne!(zero_design, lesson);
    let scenario = write(dir.path(), "zero-design.toml", &zero_design);
    let out = idemsim_within(&["run", text(&scenario)], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);

    // Valid TOML one byte-line past the cap: the scenario, then comment lines.
    let cap = idemsim::limits::MAX_FILE_BYTES;
    let mut big = lesson.clone();
    let padding = format!("# {}\n", "x".repeat(98));
    while (big.len() as u64) <= cap {
        big.push_str(&padding);
    }
    assert!(
        toml::from_str::<toml::Value>(&big).is_ok(),
        "the padding is valid TOML"
    );
    let path = write(dir.path(), "big.toml", &big);
    let out = idemsim_within(&["run", text(&path)], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains(&cap.to_string()), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.took < QUICK);
}

// ---------------------------------------------------------------------------
// 14. Output errors
// ---------------------------------------------------------------------------

/// Runs `idemsim ARGS` with stdout a pipe whose reader is closed at once.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_closed_pipe_ends_output_quietly_with_the_results_exit_code() {
    for args in [vec!["designs"], vec!["schema"]] {
        let (code, stderr) = with_closed_stdout(&args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // A failing sweep still exits 1, not 2, when nobody reads it.
    let (code, stderr) = with_closed_stdout(&["explore", DUPLICATE, "--seeds", "0..40"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_full_disk_is_an_error_not_a_success() {
    for args in [["schema"], ["designs"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
            .args(args)
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_unwritable_repro_path_is_refused_before_the_sweep() {
    let out = idemsim_within(
        &[
            "explore",
            NAIVE,
            "--seeds",
            "0..10",
            "--save-repro",
            "/nonexistent-dir/x.toml",
        ],
        QUICK,
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no sweep ran:\n{}", out.stdout);
    // A million seeds would take minutes; the refusal comes first.
    let out = idemsim_within(
        &[
            "explore",
            NAIVE,
            "--seeds",
            "0..1000000",
            "--save-repro",
            "/nonexistent-dir/x.toml",
        ],
        QUICK,
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert!(out.took < Duration::from_secs(5), "took {:?}", out.took);
}

// ---------------------------------------------------------------------------
// 15. Flags
// ---------------------------------------------------------------------------

fn assert_bad_flag(args: &[&str]) {
    let (code, stdout, stderr) = idemsim(args);
    assert_eq!(code, Some(2), "{args:?}:\n{stdout}{stderr}");
    assert!(stdout.is_empty(), "{args:?} ran:\n{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn contradictory_explore_flags_are_bad_input() {
    assert_bad_flag(&["explore", ATOMIC, "--seeds", "0..3", "--jobs", "0"]);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("x.xml");
    let extras: [&[&str]; 5] = [
        &["--seeds", "0..3"],
        &["--partition", "slice:1/2"],
        &["--no-swarm"],
        &["--check-determinism"],
        &["--junit", text(&junit)],
    ];
    for extra in extras {
        let mut args = vec!["explore", ATOMIC, "--exhaustive", "--max-faults", "1"];
        args.extend_from_slice(extra);
        assert_bad_flag(&args);
    }
    assert!(!junit.exists());
}

#[test]

fn search_flags_without_exhaustive_are_bad_input() {
    for flag in [["--max-faults", "2"], ["--max-schedules", "10"]] {
        let mut args = vec!["explore", ATOMIC, "--seeds", "0..3"];
        args.extend_from_slice(&flag);
        assert_bad_flag(&args);
    }
}

#[test]
fn an_unknown_must_reach_phase_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = std::fs::read_to_string(root().join(ATOMIC)).unwrap();
    let typo = lesson.replace(
        "[expect]",
        "[explore]\nmust_reach = [\"respons-lost\"]\n\n[expect]",
    );
    assert_ne!(typo, lesson);
    let path = write(dir.path(), "reach.toml", &typo);
    let line = typo
        .lines()
        .position(|l| l.starts_with("must_reach"))
        .unwrap()
        + 1;
    for args in [
        vec!["explore", text(&path), "--seeds", "0..3"],
        vec!["run", text(&path)],
    ] {
        let out = idemsim(&args);
        assert_refused_at(&out, &path, &["not a phase", "respons-lost"]);
        assert!(
            out.2
                .starts_with(&format!("error: {}:{line}:15: ", path.display())),
            "{}",
            out.2
        );
    }
}

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
