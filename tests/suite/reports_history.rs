//! The JSON Schema of the history stays in step with what `--format json`
//! prints and with `docs/json-lines.md`.
//!
//! The schema is generated from the event view that the JSON Lines report is
//! the serialisation of; these tests fail when a printed event does not
//! validate, when an event kind of the schema has no section in the
//! document (or a section names no event kind), or when the checked-in
//! `docs/history.schema.json` is not what `idemsim schema --history` prints.
//! Regenerate the file with `IDEMSIM_UPDATE_DOCS=1 cargo test --release --test
//! suite reports_history`, or `cargo run --release -- schema --history > docs/history.schema.json`.

use crate::common;
use idemsim::report::schema::{history_schema, history_schema_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `event` name the schema allows.
fn schema_event_names() -> BTreeSet<String> {
    let schema = serde_json::to_value(history_schema()).unwrap();
    let mut names = BTreeSet::new();
    let mut stack = vec![&schema];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(event)) = m.get("properties").and_then(|p| p.get("event"))
                {
                    if let Some(Value::String(name)) = event.get("const") {
                        names.insert(name.clone());
                    }
                    for name in event
                        .get("enum")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        names.insert(name.as_str().unwrap().to_string());
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    names
}

#[test]
fn the_checked_in_history_schema_is_the_generated_one() {
    let path = root().join("docs/history.schema.json");
    let generated = history_schema_json();
    if std::env::var_os("IDEMSIM_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/history.schema.json is stale; regenerate it with \
         `IDEMSIM_UPDATE_DOCS=1 cargo test --release --test suite reports_history`"
    );
    let (code, out, _) = common::idemsim(&["schema", "--history"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out, generated,
        "idemsim schema --history prints the same schema"
    );
}

#[test]
fn every_printed_event_validates_against_the_history_schema() {
    let schema = serde_json::to_value(history_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut seen = BTreeSet::new();
    for dir in ["scenarios/lessons", "scenarios/failures"] {
        let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let (_, out, _) = common::idemsim(&["run", file.to_str().unwrap(), "--format", "json"]);
            for line in out.lines() {
                let value: Value = serde_json::from_str(line).unwrap();
                if value["type"] != "event" {
                    continue;
                }
                let data = &value["data"];
                let errors: Vec<String> =
                    validator.iter_errors(data).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "{}: {data}: {errors:?}", file.display());
                seen.insert(data["event"].as_str().unwrap().to_string());
            }
        }
    }
    let names = schema_event_names();
    assert!(seen.len() > 15, "the bundled scenarios print most events");
    assert!(seen.is_subset(&names), "{seen:?} not all in {names:?}");
}

#[test]
fn the_json_lines_doc_has_a_section_per_event_kind_of_the_schema() {
    let doc = std::fs::read_to_string(root().join("docs/json-lines.md")).unwrap();
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### `")?.strip_suffix('`'))
        .map(str::to_string)
        .collect();
    let names = schema_event_names();
    assert!(names.len() > 30, "{names:?}");
    assert_eq!(
        names, documented,
        "the schema's event kinds and the document's sections"
    );
}
