//! Verdicts that must not lie, and inputs and outputs that must not hurt, a
//! file per class of failure:
//!
//! - `panics`: a simulation that panicked is never a pass;
//! - `names`: names are bounded, positioned when refused, validated alike from
//!   code and file, and cannot take another transfer's;
//! - `replay_commands`: every printed replay command replays its run, and saved
//!   repros load;
//! - `outcomes`: `stuck-key`, `phantom-apply`, and runs where nothing succeeded;
//! - `terminal`: names cannot drive the terminal or forge report lines;
//! - `input_output`: bounded reads, output errors, bad flags, nothing to check;
//! - `cost`: budgets refused up front or stopped at, and counts alike in every
//!   format.
//!
//! The helpers they share are here.

mod cost;
mod input_output;
mod names;
mod outcomes;
mod panics;
mod replay_commands;
mod terminal;

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

/// The words of a printed replay command, as a POSIX shell splits them.
fn replay_words(line: &str) -> Vec<String> {
    shell_words::split(line).unwrap_or_else(|e| panic!("{line}: {e}"))
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

const QUICK: Duration = Duration::from_secs(10);

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
