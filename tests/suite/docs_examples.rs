//! Every example in README.md and docs/*.md is run, so the documentation
//! cannot drift from what the program does.
//!
//! * ```` ```toml ```` blocks: a whole scenario (it has `name`, `design` and
//!   `[[client]]`) is loaded and run, and must meet its own `[expect]`; a
//!   design (it has `[[transaction]]`) must load; any other block is a
//!   fragment, which must be valid TOML, and whose `[[fault]]` tables must be
//!   accepted by a scenario that runs the design they name.
//! * ```` ```sh ```` blocks: every line that starts with `idemsim`,
//!   `cargo run --release --` or `cargo run --release --example services --`
//!   (the example that offers the example services) is run (in a copy of the
//!   repository's scenarios and designs, so files it writes go nowhere) and
//!   must not be refused as bad input (exit 2) unless the block is headed
//!   `<!-- exits 2 -->`.
//! * ```` ```console ```` blocks: `$ command` lines are run the same way, and
//!   every line shown under one must appear in its real output, in order
//!   (`...` skips any number of lines).

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    common::root()
}

/// A fenced block: its info string, the line it starts on, its text, and the
/// HTML comment on the line before it, if any.
struct Block {
    file: String,
    line: usize,
    lang: String,
    text: String,
    note: String,
}

fn blocks(relative: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(root().join(relative)).unwrap();
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if let Some(lang) = lines[i].strip_prefix("```")
            && !lang.is_empty()
        {
            let note = if i > 0 && lines[i - 1].starts_with("<!--") {
                lines[i - 1].to_string()
            } else {
                String::new()
            };
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && !lines[end].starts_with("```") {
                end += 1;
            }
            out.push(Block {
                file: relative.to_string(),
                line: start,
                lang: lang.trim().to_string(),
                text: lines[start..end].join("\n") + "\n",
                note,
            });
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The documents whose examples are checked.
fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_string()];
    let mut more: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        // The lessons guide is generated from its template and checked whole.
        .filter(|p| !p.ends_with("lessons.md"))
        .map(|p| format!("docs/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// A scratch copy of the scenarios and designs, where commands run.
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["scenarios", "designs", "docs/examples"] {
        copy_dir(&root().join(sub), &dir.path().join(sub));
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    if !from.exists() {
        return;
    }
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Runs one documented command line in `dir`: exit code and stdout. The
/// `services` example's command line runs as that example's binary.
fn run_line(line: &str, dir: &Path) -> Option<(i32, String)> {
    let args: Vec<String> = shell_words(line)?;
    let services = ["run", "--release", "--example", "services", "--"];
    let (binary, rest) = match args.first().map(String::as_str) {
        Some("idemsim") => (PathBuf::from(env!("CARGO_BIN_EXE_idemsim")), &args[1..]),
        Some("cargo") if args.len() > 3 && args[1..4] == ["run", "--release", "--"] => {
            (PathBuf::from(env!("CARGO_BIN_EXE_idemsim")), &args[4..])
        }
        Some("cargo") if args.len() > 5 && args[1..6] == services => {
            (crate::common::services_binary(), &args[6..])
        }
        _ => return None,
    };
    let out = Command::new(binary)
        .args(rest)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    ))
}

/// Splits a command line as a POSIX shell would, for the quoting the docs
/// use (single and double quotes); `None` for pipes and redirections, which
/// need a shell.
fn shell_words(line: &str) -> Option<Vec<String>> {
    let line = line.split(" #").next().unwrap_or(line).trim();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                has = true;
            }
            None if c == '|' || c == '>' || c == '<' || c == '&' => return None,
            None if c.is_whitespace() => {
                if has || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    has = false;
                }
            }
            None => word.push(c),
        }
    }
    if has || !word.is_empty() {
        words.push(word);
    }
    Some(words)
}

#[test]
fn every_toml_example_loads_and_scenarios_meet_their_expectation() {
    let mut checked = 0;
    for doc in documents() {
        for block in blocks(&doc).into_iter().filter(|b| b.lang == "toml") {
            let place = format!("{}:{}", block.file, block.line);
            let table: toml::Table = toml::from_str(&block.text)
                .unwrap_or_else(|e| panic!("{place}: not valid TOML: {e}"));
            if table.contains_key("name")
                && (table.contains_key("design") || table.contains_key("service"))
                && table.contains_key("client")
            {
                let path = root().join("scenarios").join("example.toml");
                let services = crate::common::services();
                let scenario =
                    idemsim::scenario::parse_scenario_with(&path, &block.text, &services)
                        .unwrap_or_else(|e| panic!("{place}: the scenario is refused: {e}"));
                let run = idemsim::run_scenario(&scenario, None);
                assert!(
                    run.verdict.met,
                    "{place}: the example does not meet its own [expect]: found {:?}",
                    run.verdict.found
                );
            } else if table.contains_key("transaction") {
                idemsim::design::parse_design(Path::new(&place), &block.text)
                    .unwrap_or_else(|e| panic!("{place}: the design is refused: {e}"));
            } else if let Some(faults) = table.get("fault") {
                let faults = faults.as_array().unwrap();
                for fault in faults {
                    let spec: idemsim::FaultSpec = fault
                        .clone()
                        .try_into()
                        .unwrap_or_else(|e| panic!("{place}: not a fault: {e}"));
                    accept_fault(&place, spec);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "the docs show TOML examples ({checked})");
}

/// A documented fault is accepted by a scenario that runs a design with the
/// step boundaries and messages faults name (`claim`, `apply`), or by one
/// that runs the example service with declared crash points (`redis-claim`),
/// whose sites and messages a service's faults name (`after:ledger-1`).
fn accept_fault(place: &str, fault: idemsim::FaultSpec) {
    let builder = idemsim::ScenarioSpec::builder("fragment", "atomic")
        .account("alice", 10_000)
        .account("bob", 0)
        .client([idemsim::TransferSpec::new("alice", "bob", 2_500)])
        .fault(fault);
    let as_design = builder.clone().build();
    let as_service = builder
        .service("redis-claim")
        .build_with(&crate::common::services());
    if let (Err(design), Err(service)) = (as_design, as_service) {
        panic!("{place}: the documented fault is refused: {design}; as a service's: {service}");
    }
}

#[test]
fn every_documented_command_runs_and_shows_what_it_prints() {
    let dir = sandbox();
    let mut ran = 0;
    for doc in documents() {
        for block in blocks(&doc) {
            let place = format!("{}:{}", block.file, block.line);
            let may_fail_input = block.note.contains("exits 2");
            match block.lang.as_str() {
                "sh" => {
                    for line in block.text.lines() {
                        let Some((code, output)) = run_line(line, dir.path()) else {
                            continue;
                        };
                        ran += 1;
                        assert!(
                            may_fail_input || code != 2,
                            "{place}: `{line}` is refused as bad input:\n{output}"
                        );
                    }
                }
                "console" => ran += check_console(&place, &block.text, dir.path(), may_fail_input),
                _ => {}
            }
        }
    }
    assert!(ran >= 10, "the docs show commands ({ran})");
}

/// Runs the `$ ` lines of a console block and checks the lines shown under
/// each against the real output. Returns how many commands ran.
fn check_console(place: &str, text: &str, dir: &Path, may_fail_input: bool) -> usize {
    let mut ran = 0;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(command) = line.strip_prefix("$ ") else {
            continue;
        };
        let mut shown = Vec::new();
        while let Some(next) = lines.peek() {
            if next.starts_with("$ ") {
                break;
            }
            shown.push(lines.next().unwrap().to_string());
        }
        let Some((code, output)) = run_line(command, dir) else {
            continue;
        };
        ran += 1;
        assert!(
            may_fail_input || code != 2,
            "{place}: `{command}` is refused as bad input:\n{output}"
        );
        let real: Vec<&str> = output.lines().collect();
        let mut at = 0;
        let mut gap = false;
        for want in shown.iter().map(|s| s.trim_end()).filter(|s| !s.is_empty()) {
            if want.trim() == "..." {
                gap = true;
                continue;
            }
            let found = if gap {
                real[at..].iter().position(|r| r.trim_end() == want)
            } else {
                real.get(at)
                    .filter(|r| r.trim_end() == want)
                    .map(|_| 0)
                    .or_else(|| real[at..].iter().position(|r| r.trim_end() == want))
            };
            match found {
                Some(i) => at += i + 1,
                None => panic!(
                    "{place}: `{command}` does not print the line shown:\n  {want}\nits output:\n{output}"
                ),
            }
            gap = false;
        }
    }
    ran
}
