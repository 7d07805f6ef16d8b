//! Every example in README.md and docs/*.md is run, so the documentation
//! cannot drift from what the program does.
//!
//! * ```` ```toml ```` blocks: a whole scenario (it has `name`, `design` or
//!   `service`, and `[[client]]`) is loaded and run, and must meet its own
//!   `[expect]`; a design (it has `[[transaction]]`) must load; any other block
//!   is a fragment, which must be valid TOML, whose `[[fault]]` tables must be
//!   accepted by a scenario that runs the design or service they name (with
//!   the fragment's `[stores]`), whose `[http]` must be a well-formed service
//!   API, and whose idemsim dependency must be pinned to a commit.
//! * Commands: a line of a ```` ```sh ```` block, a `$ ` line of a
//!   ```` ```console ```` block, or an inline code span in the prose that
//!   starts with `idemsim`, `cargo run --release --` or `cargo run --release
//!   --example services --` (with or without `--locked`; the services example
//!   is the program that offers the example services) is run, in a copy of
//!   the repository's scenarios, designs and doc examples, so files it writes
//!   go nowhere. It must exit as documented: 0, unless the line's shell
//!   comment says `exits N` or the block is headed `<!-- exits N -->`. Lines
//!   with pipes run in a shell. An inline span that is only a program and a
//!   subcommand names the subcommand, and one with a placeholder (a word in
//!   capitals: `FILE`, `N`) shows a form; neither is run.
//! * Under each `$ ` line of a console block, every line shown must appear in
//!   the command's real output, in order (`...` skips any number of lines).
//! * Every `cargo install` the documents show passes `--locked`.
//! * `docs/github-actions.yml`, the workflow `docs/ci.md` shows, is valid
//!   YAML; its caches are restored after the checkout and keyed as the guide
//!   says; every `cargo` line passes `--locked`; and every job's `run` steps
//!   that need no compiler or network run here, in order, with the team's
//!   program played by the services example and the installed idemsim by
//!   this build, and must exit 0 and leave what the job uploads.

use crate::common;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

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

/// A code span in the prose, with the line it starts on.
struct Span {
    line: usize,
    text: String,
}

/// The fenced blocks and inline code spans of a document, in order.
enum Item {
    Block(Block),
    Span(Span),
}

/// Splits a document into its fenced blocks (indented ones, inside list
/// items, included) and the code spans of the prose between them.
fn items(relative: &str) -> Vec<Item> {
    let text = std::fs::read_to_string(root().join(relative)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut prose: Vec<(usize, &str)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        let indent = lines[i].len() - trimmed.len();
        if let Some(lang) = trimmed.strip_prefix("```")
            && !lang.is_empty()
            && !lang.contains('`')
        {
            out.extend(spans(&prose));
            prose.clear();
            let previous = i.checked_sub(1).map(|p| lines[p].trim()).unwrap_or("");
            let note = if previous.starts_with("<!--") {
                previous.to_string()
            } else {
                String::new()
            };
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && !lines[end].trim_start().starts_with("```") {
                end += 1;
            }
            // A block inside a list item is indented with its fence.
            let body: Vec<&str> = lines[start..end]
                .iter()
                .map(|l| {
                    let spaces = l.len() - l.trim_start_matches(' ').len();
                    &l[spaces.min(indent)..]
                })
                .collect();
            out.push(Item::Block(Block {
                file: relative.to_string(),
                line: start,
                lang: lang.trim().to_string(),
                text: body.join("\n") + "\n",
                note,
            }));
            i = end + 1;
        } else {
            prose.push((i + 1, lines[i]));
            i += 1;
        }
    }
    out.extend(spans(&prose));
    out
}

/// The code spans of some lines of prose: a run of backticks up to the next
/// run of the same length, within a paragraph (CommonMark's rule).
fn spans(prose: &[(usize, &str)]) -> Vec<Item> {
    let mut out = Vec::new();
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    let mut flush = |paragraph: &mut Vec<(usize, &str)>| {
        let mut text = String::new();
        let mut starts = Vec::new();
        for (line, content) in paragraph.iter() {
            starts.push((text.len(), *line));
            text.push_str(content);
            text.push(' ');
        }
        let line_at = |offset: usize| {
            starts
                .iter()
                .rev()
                .find(|(at, _)| *at <= offset)
                .map_or(0, |(_, l)| *l)
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'`' {
                i += 1;
                continue;
            }
            let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            let open = i;
            let mut j = i + run;
            let mut close = None;
            while j < bytes.len() {
                if bytes[j] == b'`' {
                    let n = bytes[j..].iter().take_while(|&&b| b == b'`').count();
                    if n == run {
                        close = Some(j);
                        break;
                    }
                    j += n;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(c) => {
                    let content = text[open + run..c].trim();
                    let content = content.split_whitespace().collect::<Vec<_>>().join(" ");
                    out.push(Item::Span(Span {
                        line: line_at(open),
                        text: content,
                    }));
                    i = c + run;
                }
                None => i = open + run,
            }
        }
        paragraph.clear();
    };
    for &(line, content) in prose {
        if content.trim().is_empty() {
            flush(&mut paragraph);
        } else {
            paragraph.push((line, content));
        }
    }
    flush(&mut paragraph);
    out
}

fn blocks(relative: &str) -> Vec<Block> {
    items(relative)
        .into_iter()
        .filter_map(|item| match item {
            Item::Block(b) => Some(b),
            Item::Span(_) => None,
        })
        .collect()
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

/// The programs documented commands start: the installed idemsim, and the
/// example that offers the example services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Program {
    Idemsim,
    Services,
}

impl Program {
    fn binary(self) -> PathBuf {
        match self {
            Program::Idemsim => PathBuf::from(env!("CARGO_BIN_EXE_idemsim")),
            Program::Services => common::services_binary(),
        }
    }
}

/// How documented command lines start, and the program each runs.
const PREFIXES: [(&[&str], Program); 5] = [
    (&["idemsim"], Program::Idemsim),
    (&["cargo", "run", "--release", "--"], Program::Idemsim),
    (
        &["cargo", "run", "--release", "--locked", "--"],
        Program::Idemsim,
    ),
    (
        &["cargo", "run", "--release", "--example", "services", "--"],
        Program::Services,
    ),
    (
        &[
            "cargo",
            "run",
            "--release",
            "--locked",
            "--example",
            "services",
            "--",
        ],
        Program::Services,
    ),
];

/// A documented command line, understood: the program, its arguments, and
/// the shell text to run instead when the line pipes or redirects.
struct Invocation {
    program: Program,
    args: Vec<String>,
    shell: Option<String>,
}

/// What `line` runs, if it starts one of the documented programs.
fn invocation(line: &str) -> Option<Invocation> {
    let line = without_comment(line).trim();
    let plain: Vec<&str> = line.split_whitespace().collect();
    let (prefix, program) = PREFIXES
        .iter()
        .filter(|(prefix, _)| plain.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())?;
    match plain_words(line) {
        Some(words) => Some(Invocation {
            program: *program,
            args: words[prefix.len()..].to_vec(),
            shell: None,
        }),
        None => {
            // A pipe or a redirection: the shell runs it, the program's
            // words replaced by its binary.
            let mut rest = line;
            for word in prefix.iter() {
                rest = rest.trim_start().strip_prefix(word).unwrap();
            }
            let binary = program.binary();
            Some(Invocation {
                program: *program,
                args: plain[prefix.len()..]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                shell: Some(format!(
                    "{}{rest}",
                    shell_words::quote(&binary.display().to_string())
                )),
            })
        }
    }
}

/// A shell line without its trailing comment.
fn without_comment(line: &str) -> &str {
    line.split(" #").next().unwrap_or(line)
}

/// The exit code a line's comment, or else its block's note, documents; 0
/// when neither says.
fn documented_exit(line: &str, note: &str) -> i32 {
    let said = |text: &str| {
        let after = text.split("exits ").nth(1)?;
        after
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    line.split_once(" #")
        .and_then(|(_, comment)| said(comment))
        .or_else(|| said(note))
        .unwrap_or(0)
}

/// Runs a documented command in `dir`: exit code and output (stdout, then
/// stderr).
fn run(invocation: &Invocation, dir: &Path) -> (i32, String) {
    let out = match &invocation.shell {
        Some(script) => Command::new("bash")
            .args(["-o", "pipefail", "-c", script])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
        None => Command::new(invocation.program.binary())
            .args(&invocation.args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    };
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The results of commands shown in prose, by program and arguments: the
/// same check is quoted in several documents, and runs once.
type Results = Mutex<BTreeMap<(Program, Vec<String>), Arc<OnceLock<(i32, String)>>>>;

fn prose_results() -> &'static Results {
    static RESULTS: OnceLock<Results> = OnceLock::new();
    RESULTS.get_or_init(Results::default)
}

fn run_once(invocation: &Invocation, dir: &Path) -> (i32, String) {
    let key = (invocation.program, invocation.args.clone());
    let cell = prose_results()
        .lock()
        .unwrap()
        .entry(key)
        .or_default()
        .clone();
    cell.get_or_init(|| run(invocation, dir)).clone()
}

/// The words of `line` as a POSIX shell splits them; `None` for pipes and
/// redirections, which need a shell.
fn plain_words(line: &str) -> Option<Vec<String>> {
    let words =
        shell_words::split(without_comment(line).trim()).unwrap_or_else(|e| panic!("{line}: {e}"));
    let needs_shell = words.iter().any(|w| w.contains(['|', '>', '<', '&']));
    (!needs_shell).then_some(words)
}

/// Whether a command shown in prose shows a form rather than a command: a
/// placeholder in capitals (`FILE`, `A..B`, `N`), or `<…>`.
fn shows_a_form(text: &str) -> bool {
    text.contains('<')
        || text.contains('…')
        || text
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|run| !run.is_empty() && run.chars().all(|c| c.is_ascii_uppercase()))
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
                let scenario = idemsim::Loader::new()
                    .services(&services)
                    .parse(&path, &block.text)
                    .unwrap_or_else(|e| panic!("{place}: the scenario is refused: {e}"))
                    .scenario;
                let run = idemsim::run_scenario(&scenario, None);
                assert!(
                    run.verdict.met,
                    "{place}: the example does not meet its own [expect]: found {:?}",
                    run.verdict.found
                );
            } else if table.contains_key("transaction") {
                idemsim::design::parse_design(Path::new(&place), &block.text)
                    .unwrap_or_else(|e| panic!("{place}: the design is refused: {e}"));
            } else {
                check_fragment(&place, &table);
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "the docs show TOML examples ({checked})");
}

/// A fragment of a scenario file, or of a Cargo.toml.
fn check_fragment(place: &str, table: &toml::Table) {
    let stores: idemsim::scenario::Stores = table
        .get("stores")
        .map(|s| {
            s.clone()
                .try_into()
                .unwrap_or_else(|e| panic!("{place}: not a [stores] table: {e}"))
        })
        .unwrap_or_default();
    if let Some(faults) = table.get("fault") {
        for fault in faults.as_array().unwrap() {
            let spec: idemsim::FaultSpec = fault
                .clone()
                .try_into()
                .unwrap_or_else(|e| panic!("{place}: not a fault: {e}"));
            accept_fault(place, spec, stores);
        }
    }
    if let Some(http) = table.get("http") {
        let api: idemsim::service::HttpApi = http
            .clone()
            .try_into()
            .unwrap_or_else(|e| panic!("{place}: not an [http] table: {e}"));
        if let Some((field, why)) = api.problem() {
            panic!("{place}: [http] {}: {why}", field.join("."));
        }
    }
    let dependency = table
        .get("dev-dependencies")
        .or_else(|| table.get("dependencies"))
        .and_then(|d| d.get("idemsim"));
    if let Some(idemsim) = dependency {
        assert!(
            idemsim.get("rev").is_some(),
            "{place}: idemsim is a dependency pinned to a commit (`rev`), so that a seed replays"
        );
    }
}

/// A documented fault is accepted by a scenario that runs a design with the
/// step boundaries and messages faults name (`claim`, `apply`), or by one
/// that runs the example service with declared crash points (`redis-claim`),
/// whose sites and messages a service's faults name (`after:ledger-1`).
fn accept_fault(place: &str, fault: idemsim::FaultSpec, stores: idemsim::scenario::Stores) {
    let builder = idemsim::ScenarioSpec::builder("fragment", "atomic")
        .account("alice", 10_000)
        .account("bob", 0)
        .client([idemsim::TransferSpec::new("alice", "bob", 2_500)])
        .stores(stores)
        .fault(fault);
    let as_design = builder.clone().build();
    let as_service = builder
        .service("redis-claim")
        .services(&crate::common::services())
        .build();
    if let (Err(design), Err(service)) = (as_design, as_service) {
        panic!("{place}: the documented fault is refused: {design}; as a service's: {service}");
    }
}

/// Runs every command `doc` shows, in one sandbox, in the order shown, and
/// checks each exits as documented; returns how many ran.
fn run_document(doc: &str) -> usize {
    let dir = sandbox();
    let mut ran = 0;
    for item in items(doc) {
        match item {
            Item::Block(block) => {
                let place = format!("{}:{}", block.file, block.line);
                match block.lang.as_str() {
                    "sh" => {
                        for line in block.text.lines() {
                            let Some(invocation) = invocation(line) else {
                                continue;
                            };
                            let want = documented_exit(line, &block.note);
                            let (code, output) = run(&invocation, dir.path());
                            eprintln!("{place}: {line}");
                            ran += 1;
                            assert_eq!(
                                code, want,
                                "{place}: `{line}` exits {code}, documented {want}:\n{output}"
                            );
                        }
                    }
                    "console" => {
                        ran += check_console(&place, &block.text, &block.note, dir.path());
                    }
                    _ => {}
                }
            }
            Item::Span(span) => {
                let place = format!("{doc}:{}", span.line);
                let Some(invocation) = invocation(&span.text) else {
                    continue;
                };
                if invocation.args.len() < 2 || shows_a_form(&span.text) {
                    continue;
                }
                let (code, output) = run_once(&invocation, dir.path());
                eprintln!("{place}: {}", span.text);
                ran += 1;
                assert_eq!(
                    code, 0,
                    "{place}: `{}` exits {code}, shown as a command that works:\n{output}",
                    span.text
                );
            }
        }
    }
    eprintln!("{doc}: {ran} commands ran");
    ran
}

#[test]
fn every_command_in_the_readme_runs_as_documented() {
    let ran = run_document("README.md");
    assert!(ran >= 18, "README.md shows commands ({ran})");
}

#[test]
fn every_command_in_the_services_guide_runs_as_documented() {
    let ran = run_document("docs/services.md");
    assert!(ran >= 8, "docs/services.md shows commands ({ran})");
}

#[test]
fn every_command_in_the_ci_guide_runs_as_documented() {
    let ran = run_document("docs/ci.md");
    assert!(ran >= 3, "docs/ci.md shows commands ({ran})");
}

#[test]
fn every_command_in_the_other_documents_runs_as_documented() {
    for doc in documents() {
        if !["README.md", "docs/services.md", "docs/ci.md"].contains(&doc.as_str()) {
            run_document(&doc);
        }
    }
}

/// Runs the `$ ` lines of a console block and checks the lines shown under
/// each against the real output. Returns how many commands ran.
fn check_console(place: &str, text: &str, note: &str, dir: &Path) -> usize {
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
        let Some(invocation) = invocation(command) else {
            continue;
        };
        let want = documented_exit(command, note);
        let (code, output) = run(&invocation, dir);
        eprintln!("{place}: {command}");
        ran += 1;
        assert_eq!(
            code, want,
            "{place}: `{command}` exits {code}, documented {want}:\n{output}"
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

#[test]
fn every_cargo_install_shown_is_locked() {
    let mut shown = Vec::new();
    for doc in documents() {
        for item in items(&doc) {
            let texts: Vec<(usize, String)> = match item {
                Item::Block(b) => b
                    .text
                    .lines()
                    .enumerate()
                    .map(|(i, l)| (b.line + i + 1, l.to_string()))
                    .collect(),
                Item::Span(s) => vec![(s.line, s.text)],
            };
            // `cargo install` alone names the command; with arguments it is one.
            for (line, text) in texts {
                if text.contains("cargo install ") {
                    shown.push(format!("{doc}:{line}: {text}"));
                }
            }
        }
    }
    assert!(shown.len() >= 3, "{shown:?}");
    for line in &shown {
        assert!(
            line.contains("--locked"),
            "{line}: a seed replays only with the same build; install with --locked"
        );
    }
}

// ---------------------------------------------------------------- the workflow

use yaml_rust2::{Yaml, YamlLoader};

fn workflow() -> Yaml {
    let text = std::fs::read_to_string(root().join("docs/github-actions.yml")).unwrap();
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("docs/github-actions.yml is not valid YAML: {e}"));
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.remove(0)
}

fn hash_of<'a>(yaml: &'a Yaml, what: &str) -> &'a yaml_rust2::yaml::Hash {
    yaml.as_hash()
        .unwrap_or_else(|| panic!("{what} is a mapping: {yaml:?}"))
}

/// A mapping's string values, by key (`env:`).
fn strings(yaml: &Yaml) -> BTreeMap<String, String> {
    yaml.as_hash()
        .map(|h| {
            h.iter()
                .map(|(k, v)| {
                    let value = match v {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        other => panic!("env value {other:?}"),
                    };
                    (k.as_str().unwrap().to_string(), value)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The jobs of the workflow, in order: name and definition.
fn jobs(workflow: &Yaml) -> Vec<(String, Yaml)> {
    hash_of(&workflow["jobs"], "jobs")
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
        .collect()
}

fn steps(job: &Yaml) -> Vec<Yaml> {
    job["steps"].as_vec().cloned().unwrap_or_default()
}

fn uses(step: &Yaml) -> &str {
    step["uses"].as_str().unwrap_or("")
}

#[test]
fn the_workflow_is_yaml_and_caches_after_the_checkout_what_the_guide_says() {
    let workflow = workflow();
    assert!(
        !workflow["on"]["pull_request"].is_badvalue(),
        "the workflow runs on pull requests"
    );
    let env = strings(&workflow["env"]);
    let mut cargo_lines = 0;
    let mut target_caches = 0;
    let mut install_caches = 0;
    for (name, job) in jobs(&workflow) {
        let steps = steps(&job);
        let checkout = steps
            .iter()
            .position(|s| uses(s).starts_with("actions/checkout@"));
        for (i, step) in steps.iter().enumerate() {
            if uses(step).starts_with("actions/cache@") {
                assert!(
                    checkout.is_some_and(|c| c < i),
                    "job {name}: a cache step before the checkout has no Cargo.lock to key by"
                );
                let path = step["with"]["path"].as_str().unwrap_or("");
                let key = step["with"]["key"].as_str().unwrap_or("");
                if path.lines().any(|p| p.trim() == "target") {
                    target_caches += 1;
                    for dir in ["~/.cargo/registry", "~/.cargo/git"] {
                        assert!(path.contains(dir), "job {name}: caches {dir}");
                    }
                    assert!(
                        key.contains("hashFiles('Cargo.lock')"),
                        "job {name}: target/ is keyed by Cargo.lock: {key}"
                    );
                }
            }
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            for line in script.lines().filter(|l| l.contains("cargo ")) {
                cargo_lines += 1;
                assert!(
                    line.contains("--locked"),
                    "job {name}: `{line}`: a seed replays only with the same build"
                );
                // An installed binary is cached by the commit it came from,
                // and installed only when that cache missed.
                if line.contains("cargo install") {
                    let root_dir = line
                        .split("--root ")
                        .nth(1)
                        .unwrap()
                        .split_whitespace()
                        .next()
                        .unwrap();
                    let rev_var = line
                        .split("--rev ")
                        .nth(1)
                        .unwrap()
                        .split_whitespace()
                        .next()
                        .unwrap();
                    let rev_var = rev_var.trim_matches('"').trim_start_matches('$');
                    assert!(
                        env.contains_key(rev_var),
                        "job {name}: {rev_var} is set under env"
                    );
                    let cache = steps[..i]
                        .iter()
                        .find(|s| {
                            uses(s).starts_with("actions/cache@")
                                && s["with"]["path"].as_str() == Some(root_dir)
                        })
                        .unwrap_or_else(|| {
                            panic!("job {name}: {root_dir} is cached before the install")
                        });
                    let key = cache["with"]["key"].as_str().unwrap();
                    assert!(
                        key.contains(&format!("env.{rev_var}")),
                        "job {name}: keyed by the commit: {key}"
                    );
                    let id = cache["id"].as_str().expect("the cache step has an id");
                    let condition = step["if"].as_str().unwrap_or("");
                    assert!(
                        condition.contains(&format!("steps.{id}.outputs.cache-hit")),
                        "job {name}: installs only when the cache missed: {condition}"
                    );
                    install_caches += 1;
                }
            }
        }
    }
    assert!(cargo_lines >= 2 && target_caches >= 1 && install_caches >= 1);
}

/// The stand-ins for what the workflow builds, by the path it runs them at:
/// the team's program is played by the services example (the same few
/// lines with the example services), the installed idemsim by this build.
fn stand_ins() -> [(&'static str, PathBuf); 2] {
    [
        (
            "target/release/examples/idemsim",
            Program::Services.binary(),
        ),
        ("tools/bin/idemsim", Program::Idemsim.binary()),
    ]
}

/// Replaces the `${{ … }}` expressions a `run` script may hold: the job's
/// matrix (its first value) and the workflow's env.
fn expand(script: &str, matrix: &Yaml, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = script;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("an expression ends") + start;
        let expression = rest[start + 3..end].trim();
        let value = if let Some(key) = expression.strip_prefix("matrix.") {
            match &matrix[key][0] {
                Yaml::Integer(i) => i.to_string(),
                Yaml::String(s) => s.clone(),
                other => panic!("matrix.{key}: {other:?}"),
            }
        } else if let Some(key) = expression.strip_prefix("env.") {
            env[key].clone()
        } else {
            panic!(
                "a run step holds `${{{{ {expression} }}}}`, which this test cannot stand in for"
            )
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_workflows_steps_run_against_this_repository() {
    let workflow = workflow();
    let env = strings(&workflow["env"]);
    let mut ran = 0;
    for (name, job) in jobs(&workflow) {
        // Each job runs on a fresh machine: a checkout, and what it downloads.
        let dir = sandbox();
        for (path, binary) in stand_ins() {
            let at = dir.path().join(path);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(binary, &at).unwrap();
        }
        let mut job_env = env.clone();
        job_env.extend(strings(&job["env"]));
        for step in steps(&job) {
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            // Compiling and installing need a compiler and the network.
            if script.contains("cargo ") {
                continue;
            }
            let script = expand(script, &job["strategy"]["matrix"], &job_env);
            let out = Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
                .current_dir(dir.path())
                .envs(&job_env)
                .output()
                .unwrap();
            eprintln!("job {name}: {script}");
            ran += 1;
            assert!(
                out.status.success(),
                "job {name}: `{script}` exits {:?}:\n{}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // What the job uploads is there.
        for step in steps(&job) {
            if uses(&step).starts_with("actions/upload-artifact@") {
                let path = step["with"]["path"].as_str().unwrap();
                assert!(
                    dir.path().join(path).exists(),
                    "job {name} uploads {path}, which its steps did not write"
                );
            }
        }
    }
    eprintln!("docs/github-actions.yml: {ran} run steps ran");
    assert!(ran >= 5, "the workflow's steps ran ({ran})");
}
