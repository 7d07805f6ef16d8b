//! The documents under `docs/` say what the program really does.
//!
//! * `docs/lessons.md` is generated from `docs/lessons.template.md`: every
//!   line `$ idemsim ARGS` becomes the command and its real output. The test
//!   fails when the checked-in guide differs from a fresh one; regenerate it
//!   with `IDEMSIM_UPDATE_DOCS=1 cargo test --release --test suite reports_docs`.
//! * `docs/json-lines.md` describes every event type and field that the
//!   bundled scenarios print.
//! * `docs/ci.md` shows `docs/github-actions.yml` verbatim, and the workflow
//!   only uses flags that exist (`docs_examples` runs its steps).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common;

/// Runs idemsim from the repository root: exit code and stdout.
fn idemsim(args: &[&str]) -> (Option<i32>, String) {
    let (code, stdout, _) = common::idemsim(args);
    (code, stdout)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Checks `generated` against the file at `relative`, or writes it when
/// `IDEMSIM_UPDATE_DOCS` is set.
fn assert_current(relative: &str, generated: &str) {
    let path = root().join(relative);
    if std::env::var_os("IDEMSIM_UPDATE_DOCS").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != generated {
        let first = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or(
                on_disk.lines().count().min(generated.lines().count()),
                |i| i,
            );
        panic!(
            "{relative} is stale from line {}: regenerate it with \
             `IDEMSIM_UPDATE_DOCS=1 cargo test --release --test suite reports_docs`\n\
             on disk:   {:?}\ngenerated: {:?}",
            first + 1,
            on_disk.lines().nth(first),
            generated.lines().nth(first)
        );
    }
}

/// Expands every `$ idemsim ARGS` line of the template into the command and
/// its output; a Mermaid diagram goes in a `mermaid` block, which GitHub draws.
fn lessons_guide() -> String {
    let template = read("docs/lessons.template.md");
    let mut out = String::from(
        "<!-- Generated from docs/lessons.template.md by tests/suite/reports_docs.rs; edit the \
         template, then run `IDEMSIM_UPDATE_DOCS=1 cargo test --release --test suite reports_docs`. -->\n\n",
    );
    for line in template.lines() {
        let Some(command) = line.strip_prefix("$ idemsim ") else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let args: Vec<&str> = command.split_whitespace().collect();
        let (code, output) = idemsim(&args);
        assert_eq!(
            code,
            Some(0),
            "`idemsim {command}` in the guide exits {code:?}; a lesson must meet its expectation"
        );
        out.push_str(&format!("```console\n$ idemsim {command}\n"));
        if command.contains("--diagram mermaid") {
            out.push_str(&format!("```\n\n```mermaid\n{output}```\n"));
        } else {
            out.push_str(&format!("{output}```\n"));
        }
    }
    out
}

#[test]
fn the_lessons_guide_is_current() {
    let guide = lessons_guide();
    assert!(!guide.contains('\x1b'), "no colour codes in the guide");
    for window in ["1-request-lost", "2-crash-during", "3-response-lost"] {
        assert!(guide.contains(window), "the guide walks through {window}");
    }
    assert!(guide.contains("```mermaid\nsequenceDiagram\n"));
    assert_current("docs/lessons.md", &guide);
}

/// For every event type the bundled scenarios print, the fields it carries.
fn printed_events() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    for dir in ["scenarios/lessons", "scenarios/failures"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    let mut events: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |name: &str, fields: &serde_json::Map<String, serde_json::Value>| {
        events
            .entry(name.to_string())
            .or_default()
            .extend(fields.keys().cloned());
    };
    for file in &files {
        let (_, output) = idemsim(&["run", file.to_str().unwrap(), "--format", "json"]);
        for line in output.lines() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let data = value["data"].as_object().unwrap();
            match value["type"].as_str().unwrap() {
                "event" => add(data["event"].as_str().unwrap(), data),
                other => add(other, data),
            }
        }
    }
    events
}

/// The part of `doc` under the heading `### \`name\``, up to the next heading.
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(heading)? + heading.len();
    let rest = &doc[start..];
    Some(&rest[..rest.find("\n#").unwrap_or(rest.len())])
}

#[test]
fn the_json_lines_doc_describes_every_event_and_field() {
    let doc = read("docs/json-lines.md");
    let events = printed_events();
    assert!(events.len() > 15, "the bundled scenarios print most events");
    let common = ["event", "at_ms", "host"];
    for (name, fields) in &events {
        let heading = match name.as_str() {
            "violation" => "## Violations".to_string(),
            "summary" => "## Summary".to_string(),
            event => format!("### `{event}`"),
        };
        let text =
            section(&doc, &heading).unwrap_or_else(|| panic!("no section {heading} for {name}"));
        for field in fields.iter().filter(|f| !common.contains(&f.as_str())) {
            assert!(
                text.contains(&format!("`{field}`")),
                "{name}: field `{field}` is not described under {heading}"
            );
        }
    }
}

fn workflow_block(doc: &str) -> String {
    let start = doc.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let len = doc[start..].find("```").unwrap();
    doc[start..start + len].to_string()
}

#[test]
fn the_ci_recipe_shows_the_workflow_file_and_its_flags_exist() {
    let doc = read("docs/ci.md");
    let file = read("docs/github-actions.yml");
    assert_eq!(
        workflow_block(&doc),
        file,
        "docs/ci.md shows docs/github-actions.yml"
    );
    for flag in ["--junit", "--seeds", "--html"] {
        assert!(file.contains(flag));
    }
    let (_, help) = idemsim(&["check", "--help"]);
    for flag in ["--junit", "--seeds", "--html", "--format"] {
        assert!(help.contains(flag), "idemsim check has {flag}");
    }
    let (_, help) = idemsim(&["explore", "--help"]);
    for flag in [
        "--partition",
        "--jobs",
        "--check-determinism",
        "--check-quiet-time",
        "--save-repro",
        "--junit",
    ] {
        assert!(file.contains(flag), "the workflow's sweep uses {flag}");
        assert!(help.contains(flag), "idemsim explore has {flag}");
    }
    // docs_examples runs the workflow's steps against this repository.
}
