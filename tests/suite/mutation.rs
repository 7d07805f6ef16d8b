//! Mutation testing of the scenario and design loaders: the bundled scenarios
//! and designs,
//! broken at random — bytes flipped, dropped or doubled, lines repeated,
//! numbers set to their limits and beyond, strings swapped for hostile ones —
//! must each either be refused with an error that names the file (and its
//! line and column where the problem has a place), or load and run to an end
//! within the run's budget. Never a panic, never a hang, never a run that
//! ends in a panic.
//!
//! The case count and the seed are fixed, so CI runs the same cases every
//! time; `IDEMSIM_MUTATION_CASES` raises the count for a longer hunt.

use idemsim::report::{Color, human, json};
use idemsim::{EndReason, Mode, RunOptions, run_with};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every bundled scenario: (its path, its text).
fn corpus() -> Vec<(PathBuf, String)> {
    with_text(idemsim::suite::collect_files(&[root().join("scenarios")]).unwrap())
}

/// Each file in sorted order, with its text.
fn with_text(mut files: Vec<PathBuf>) -> Vec<(PathBuf, String)> {
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

/// Runs `cases` (or `IDEMSIM_MUTATION_CASES`) mutants of `files`, each one
/// to three mutations of a file, drawn by a runner seeded with `seed` so
/// that CI meets the same cases every time; `check` judges one mutant.
/// Returns the number of cases.
fn mutate(
    files: &[(PathBuf, String)],
    cases: u32,
    seed: u8,
    check: impl Fn(&Path, &str) -> Result<(), TestCaseError>,
) -> u32 {
    let cases: u32 = std::env::var("IDEMSIM_MUTATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = (0..files.len(), proptest::collection::vec(mutation(), 1..4));
    let result = runner.run(&strategy, |(index, mutations)| {
        let (path, text) = &files[index];
        let mut mutated = text.clone();
        for m in &mutations {
            mutated = apply(&mutated, m);
        }
        check(path, &mutated)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    cases
}

/// Numbers at and past the limits the loader checks.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "64",
    "65",
    "2147483648",
    "4294967296",
    "9007199254740992",
    "9223372036854775807",
    "18446744073709551615",
    "99999999999999999999999",
    "1e9",
    "-9223372036854775808",
    "0x7fffffff",
];

/// Strings a hostile file might hold.
fn strings() -> Vec<String> {
    vec![
        String::new(),
        "a".repeat(64),
        "b".repeat(65),
        "c".repeat(16 * 1024),
        "\u{1b}[2J".to_string(),
        "line\n999 ms ledger FAKE".to_string(),
        "t1".to_string(),
        "t2".to_string(),
        "alice".to_string(),
        "after:apply".to_string(),
        "before:nothing".to_string(),
        "../../../../../../dev/zero".to_string(),
        "designs/../designs/naive.toml".to_string(),
        "request".to_string(),
        "apply-result".to_string(),
        "1/0".to_string(),
        "3/2".to_string(),
        "\u{202e}evil".to_string(),
    ]
}

/// One mutation of a scenario's text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the byte at (a fraction of the length) with `byte`.
    Byte { at: f64, byte: u8 },
    /// Remove a run of bytes.
    Cut { at: f64, len: usize },
    /// Repeat a line.
    DupLine { at: f64 },
    /// Replace the Nth number in the text.
    Number { nth: usize, with: usize },
    /// Replace the Nth quoted string in the text.
    Str { nth: usize, with: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64, any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
        (0.0..1.0f64, 1..40usize).prop_map(|(at, len)| Mutation::Cut { at, len }),
        (0.0..1.0f64).prop_map(|at| Mutation::DupLine { at }),
        (0..40usize, 0..NUMBERS.len()).prop_map(|(nth, with)| Mutation::Number { nth, with }),
        (0..40usize, 0..18usize).prop_map(|(nth, with)| Mutation::Str { nth, with }),
    ]
}

/// Byte spans of the number tokens (outside strings and comments, roughly).
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if starts {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
                i += 1;
            }
            spans.push((start, i));
        } else {
            i += 1;
        }
    }
    spans
}

/// Byte spans of the insides of basic strings `"..."` on one line.
fn string_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let quotes: Vec<usize> = line.match_indices('"').map(|(i, _)| i).collect();
        for pair in quotes.chunks(2) {
            if let [a, b] = pair {
                spans.push((offset + a + 1, offset + b));
            }
        }
        offset += line.len();
    }
    spans
}

fn at(text: &str, fraction: f64) -> usize {
    let mut i = ((text.len() as f64) * fraction) as usize;
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    match m {
        Mutation::Byte { at: f, byte } => {
            let mut bytes = text.as_bytes().to_vec();
            if bytes.is_empty() {
                return text.to_string();
            }
            let i = ((bytes.len() as f64) * f) as usize % bytes.len();
            bytes[i] = *byte;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::Cut { at: f, len } => {
            let start = at(text, *f);
            let end = at(
                text,
                ((start + len) as f64 / text.len().max(1) as f64).min(1.0),
            );
            format!("{}{}", &text[..start], &text[end.max(start)..])
        }
        Mutation::DupLine { at: f } => {
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return text.to_string();
            }
            let n = ((lines.len() as f64) * f) as usize % lines.len();
            let mut out: Vec<&str> = lines.clone();
            out.insert(n, lines[n]);
            out.join("\n")
        }
        Mutation::Number { nth, with } => {
            let spans = number_spans(text);
            if spans.is_empty() {
                return text.to_string();
            }
            let (a, b) = spans[nth % spans.len()];
            format!("{}{}{}", &text[..a], NUMBERS[*with], &text[b..])
        }
        Mutation::Str { nth, with } => {
            let spans = string_spans(text);
            if spans.is_empty() {
                return text.to_string();
            }
            let (a, b) = spans[nth % spans.len()];
            let s = &strings()[with % strings().len()];
            // Written as TOML would escape it, so the text stays a string.
            let escaped: String = toml::Value::String(s.clone()).to_string();
            let inner = &escaped[1..escaped.len() - 1];
            format!("{}{}{}", &text[..a], inner, &text[b..])
        }
    }
}

/// A mutated scenario either loads or is refused well; a loaded one runs to
/// an end within its budget; nothing panics. Returns whether it loaded.
fn judge(path: &Path, text: &str) -> Result<bool, TestCaseError> {
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        idemsim::Loader::new()
            .services(&crate::common::services())
            .parse(path, text)
            .map(|loaded| loaded.scenario)
    }));
    let Ok(parsed) = parsed else {
        return Err(TestCaseError::fail(format!(
            "the loader panicked on:\n{text}"
        )));
    };
    let scenario = match parsed {
        Err(e) => {
            let shown = e.to_string();
            prop_assert!(
                shown.starts_with(&path.display().to_string()),
                "an error names the file: {shown}"
            );
            prop_assert!(
                !shown.contains('\u{1b}'),
                "errors escape control characters"
            );
            return Ok(false);
        }
        Ok(s) => s,
    };
    // Keep each run short: a budget of host steps well below the default.
    let mut scenario = scenario;
    scenario.limits.max_host_steps = scenario.limits.max_host_steps.min(400_000);
    let run = run_with(&scenario, None, Mode::Plain, RunOptions::default());
    prop_assert!(
        !matches!(
            run.output.end,
            EndReason::Panicked { .. } | EndReason::HostFailed { .. }
        ),
        "the run ended in a panic: {:?}\n{text}",
        run.output.end
    );
    let reports = catch_unwind(AssertUnwindSafe(|| {
        let h = human::render(
            &scenario,
            &idemsim::Provenance::default(),
            &run,
            Color::Never,
        );
        let j = json::render(&scenario, &idemsim::Provenance::default(), &run);
        (h, j)
    }));
    prop_assert!(reports.is_ok(), "a report panicked on:\n{text}");
    let (h, _) = reports.unwrap();
    prop_assert!(
        !h.contains('\u{1b}'),
        "the timeline escapes control characters"
    );
    Ok(true)
}

#[test]
fn mutated_scenarios_are_refused_with_a_place_or_run_to_an_end() {
    let files = corpus();
    assert!(files.len() > 40, "the corpus is the bundled scenarios");
    let loaded = std::cell::Cell::new(0u32);
    let refused_with_place = std::cell::Cell::new(0u32);
    let cases = mutate(&files, 512, 7, |path, mutated| {
        if judge(path, mutated)? {
            loaded.set(loaded.get() + 1);
        } else if idemsim::Loader::new()
            .services(&crate::common::services())
            .parse(path, mutated)
            .err()
            .is_some_and(|e| e.position.is_some())
        {
            refused_with_place.set(refused_with_place.get() + 1);
        }
        Ok(())
    });
    // Both halves of the claim are exercised: some mutants load and run,
    // most are refused, and most refusals point at a line and column.
    let refused = cases - loaded.get();
    eprintln!(
        "mutation: {cases} cases, {} loaded and ran, {refused} refused ({} with a line and column)",
        loaded.get(),
        refused_with_place.get()
    );
    assert!(loaded.get() > cases / 20, "some mutants still load and run");
    assert!(refused > cases / 4, "most mutants are refused");
    assert!(
        refused_with_place.get() * 2 > refused,
        "most refusals name a line and column"
    );
}

/// Every bundled design (built-ins and variants): (its path, its text).
fn design_corpus() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for dir in ["designs", "designs/variants"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    with_text(files)
}

/// A scenario that runs whatever design sits beside it as `design.toml`,
/// under every kind of random fault, with two clients racing.
const DESIGN_HARNESS: &str = r#"
name = "mutated design"
design = "design.toml"
accounts = { alice = 10_000, bob = 10_000 }
[keys]
source = "client"
[network]
loss = "1/10"
[faults]
crash = "1/10"
stall = "1/10"
delay = "1/10"
long_delay = "1/20"
store_crash = "1/20"
outage = "1/20"
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 2_500 }, { from = "alice", to = "bob", amount = 100 }]
[[client]]
transfers = [{ from = "bob", to = "alice", amount = 700 }]
[expect]
violations = []
"#;

/// Design files are input too: a mutated design is refused with the file
/// named (and a line and column where the problem has a place), or it loads
/// and a run of it, under every random fault, ends within its budget and
/// reports without a panic.
#[test]
fn mutated_designs_are_refused_with_a_place_or_run_to_an_end() {
    let files = design_corpus();
    assert!(files.len() >= 20, "the corpus is the bundled designs");
    let dir = tempfile::tempdir().unwrap();
    let design_path = dir.path().join("design.toml");
    let scenario_path = dir.path().join("scenario.toml");
    let loaded = std::cell::Cell::new(0u32);
    let refused_with_place = std::cell::Cell::new(0u32);
    let cases = mutate(&files, 256, 11, |_, mutated| {
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            idemsim::design::parse_design(&design_path, mutated)
        }));
        let Ok(parsed) = parsed else {
            return Err(TestCaseError::fail(format!(
                "the design loader panicked on:\n{mutated}"
            )));
        };
        if let Err(e) = parsed {
            let shown = e.to_string();
            prop_assert!(
                shown.starts_with(&design_path.display().to_string()),
                "an error names the file: {shown}"
            );
            prop_assert!(
                !shown.contains('\u{1b}'),
                "errors escape control characters"
            );
            if e.position.is_some() {
                refused_with_place.set(refused_with_place.get() + 1);
            }
            return Ok(());
        }
        std::fs::write(&design_path, mutated).unwrap();
        if judge(&scenario_path, DESIGN_HARNESS)? {
            loaded.set(loaded.get() + 1);
        }
        Ok(())
    });
    let refused = cases - loaded.get();
    eprintln!(
        "design mutation: {cases} cases, {} loaded and ran, {refused} refused ({} with a line and column)",
        loaded.get(),
        refused_with_place.get()
    );
    assert!(loaded.get() > cases / 20, "some mutants still load and run");
    assert!(
        refused_with_place.get() * 2 > refused,
        "most refusals name a line and column"
    );
}
