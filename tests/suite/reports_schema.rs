//! The JSON Schema of the scenario format stays in step with the loader.
//!
//! The schema is generated from the types that read scenario files
//! (`ScenarioSpec`); these tests fail when what the schema says and what the
//! loader does part: a bundled scenario the schema rejects, a field or a name
//! the loader accepts that the schema lacks (or the other way round), a
//! default that differs, or a checked-in `docs/scenario.schema.json` that is
//! not what `idemsim schema` prints.
//! Regenerate the file with `IDEMSIM_UPDATE_DOCS=1 cargo test --release --test
//! suite reports_schema`, or `cargo run --release -- schema > docs/scenario.schema.json`.

use idemsim::report::schema::{scenario_schema, scenario_schema_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    serde_json::to_value(scenario_schema()).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema is a valid JSON Schema")
}

fn toml_to_json(text: &str) -> Value {
    let value: toml::Value = toml::from_str(text).unwrap();
    serde_json::to_value(value).unwrap()
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    idemsim::suite::collect_files(&[dir.to_path_buf()]).unwrap()
}

/// A scenario that uses every section and field, and one fault of each kind.
const EVERY_FIELD: &str = r#"
name = "every field"
description = "Uses every section."
seed = 7
design = "atomic"
accounts = { alice = 10_000, bob = 0 }

[keys]
source = "client"
space = 1000

[retry]
max_attempts = 5
timeout_ms = 150
backoff_initial_ms = 20
backoff_max_ms = 300
jitter = "full"
attempts_after_heal = 1
new_key_on_unknown_key = true

[network]
latency_min_ms = 1
latency_max_ms = 3
loss = "1/50"

[faults]
heal_at_ms = 2_000
crash = "1/100"
restart_after_ms = 50
duplicate = "0"
delay = "1/100"
stall = "0"

[[client]]
transfers = [
  { id = "pay", from = "alice", to = "bob", amount = 100 },
  { from = "alice", to = "bob", amount = 7, reuse_key_of = "pay" },
]

[[fault]]
kind = "drop"
transfer = "pay"
attempt = 1
message = "apply-result"

[[fault]]
kind = "drop-request"
transfer = "pay"
attempt = 2

[[fault]]
kind = "drop-response"
transfer = "pay"
attempt = 3

[[fault]]
kind = "delay"
transfer = "pay"
message = "response"
delay_ms = 400

[[fault]]
kind = "stall"
transfer = "pay"
at = "after:claim"
delay_ms = 30

[[fault]]
kind = "crash"
transfer = "t2"
host = "ledger"
at = "before:apply"
restart_after_ms = 20

[[fault]]
kind = "duplicate"
transfer = "t2"
attempt = 2

[[fault]]
kind = "expire-key"
transfer = "t2"
attempt = 3

[[fault]]
kind = "client-restart"
transfer = "t2"
attempt = 4

[[fault]]
kind = "unreachable"
host = "keys"
from_ms = 0
until_ms = 100

[stores]
keys_work_ms = 1
ledger_work_ms = 2

[limits]
max_sim_ms = 100_000

[explore]
must_reach = []

[expect]
violations = ["double-apply", "lost-apply", "money-not-conserved", "inconsistent-replay", "mismatch-accepted", "stuck-key"]
seeds = "some-seed"
"#;

#[test]
fn every_bundled_scenario_validates_against_the_schema() {
    let validator = validator();
    let files = scenario_files(&root().join("scenarios"));
    assert!(files.len() >= 20);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let errs = errors(&validator, &toml_to_json(&text));
        assert!(errs.is_empty(), "{}: {errs:#?}", file.display());
    }
}

#[test]
fn a_scenario_with_every_field_is_valid_for_both() {
    idemsim::Loader::new()
        .parse(Path::new("every.toml"), EVERY_FIELD)
        .unwrap_or_else(|e| panic!("the loader rejects it: {e}"));
    let errs = errors(&validator(), &toml_to_json(EVERY_FIELD));
    assert!(errs.is_empty(), "{errs:#?}");
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = validator();
    let cases = [
        (
            "unknown field",
            EVERY_FIELD.replace("seed = 7", "seed = 7\nsummary = \"x\""),
        ),
        (
            "float ratio",
            EVERY_FIELD.replace("loss = \"1/50\"", "loss = \"0.02\""),
        ),
        (
            "unknown fault kind",
            EVERY_FIELD.replace("kind = \"drop\"", "kind = \"explode\""),
        ),
        (
            "field of another kind",
            EVERY_FIELD.replace(
                "kind = \"expire-key\"",
                "kind = \"expire-key\"\ndelay_ms = 3",
            ),
        ),
        (
            "zero amount",
            EVERY_FIELD.replace("amount = 100", "amount = 0"),
        ),
        (
            "unknown violation",
            EVERY_FIELD.replace("\"stuck-key\"]", "\"stuck\"]"),
        ),
        (
            "no client",
            EVERY_FIELD.replace("[[client]]", "[[clientx]]"),
        ),
    ];
    for (what, text) in cases {
        assert!(
            idemsim::Loader::new()
                .parse(Path::new("x.toml"), &text)
                .is_err(),
            "{what}: the loader accepts it"
        );
        assert!(
            !errors(&validator, &toml_to_json(&text)).is_empty(),
            "{what}: the schema accepts it"
        );
    }
}

/// The names in backticks after "expected" in a serde error.
fn expected_names(message: &str) -> BTreeSet<String> {
    let tail = message
        .split_once("expected")
        .unwrap_or_else(|| panic!("no list of names in: {message}"))
        .1;
    tail.split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

/// The loader's error for `EVERY_FIELD` with `edit` applied to its TOML tree.
fn loader_error(edit: impl FnOnce(&mut toml::Table)) -> String {
    let mut table: toml::Table = toml::from_str(EVERY_FIELD).unwrap();
    edit(&mut table);
    let text = toml::to_string(&table).unwrap();
    idemsim::Loader::new()
        .parse(Path::new("probe.toml"), &text)
        .expect_err("the probe is invalid")
        .to_string()
}

fn table_at<'a>(table: &'a mut toml::Table, path: &[&str]) -> &'a mut toml::Table {
    let mut current = table;
    for key in path {
        let value = current.get_mut(*key).unwrap_or_else(|| panic!("no {key}"));
        current = match value {
            toml::Value::Table(t) => t,
            toml::Value::Array(a) => a[0].as_table_mut().unwrap(),
            other => panic!("{key} is {other:?}"),
        };
    }
    current
}

/// The properties the schema allows for the object at `path` (through `$ref`
/// and, for a tagged union, over every variant).
fn schema_properties(schema: &Value, path: &[&str]) -> BTreeSet<String> {
    let resolve = |node: &Value| -> Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => schema["$defs"][r.trim_start_matches("#/$defs/")].clone(),
            None => node.clone(),
        }
    };
    let mut node = schema.clone();
    for key in path {
        node = resolve(&node["properties"][*key]);
        if let Some(items) = node.get("items") {
            node = resolve(items);
        }
    }
    // A tagged union lists its variants under `oneOf`; the scenario's root
    // uses `oneOf` only to require one of two fields, with no properties.
    let variants: Vec<Value> = match node.get("oneOf").and_then(Value::as_array) {
        Some(v) if v.iter().any(|x| resolve(x).get("properties").is_some()) => {
            v.iter().map(&resolve).collect()
        }
        _ => vec![node],
    };
    variants
        .iter()
        .flat_map(|v| v["properties"].as_object().unwrap().keys().cloned())
        .collect()
}

#[test]
fn the_schema_has_the_loaders_fields_in_every_table() {
    let schema = schema();
    let tables: [&[&str]; 11] = [
        &[],
        &["keys"],
        &["retry"],
        &["network"],
        &["faults"],
        &["client"],
        &["client", "transfers"],
        &["stores"],
        &["limits"],
        &["explore"],
        &["expect"],
    ];
    for path in tables {
        let error = loader_error(|t| {
            table_at(t, path).insert("zzz_probe".into(), toml::Value::Integer(1));
        });
        let mut loader = expected_names(&error);
        loader.remove("zzz_probe");
        assert_eq!(
            schema_properties(&schema, path),
            loader,
            "fields of [{}]: {error}",
            path.join(".")
        );
    }
    // A fault table's fields depend on its kind: probe one fault of each kind.
    let every: toml::Table = toml::from_str(EVERY_FIELD).unwrap();
    let kinds: Vec<String> = every["fault"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect();
    let variants = schema["$defs"]["Fault"]["oneOf"].as_array().unwrap();
    for (i, kind) in kinds.iter().enumerate() {
        let error = loader_error(|t| {
            let faults = t.get_mut("fault").unwrap().as_array_mut().unwrap();
            faults[i]
                .as_table_mut()
                .unwrap()
                .insert("zzz_probe".into(), toml::Value::Integer(1));
        });
        let mut loader = expected_names(&error);
        loader.remove("zzz_probe");
        let variant = variants
            .iter()
            .find(|v| v["properties"]["kind"]["const"].as_str() == Some(kind))
            .unwrap_or_else(|| panic!("no schema variant for `{kind}`"));
        let mut in_schema: BTreeSet<String> = variant["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        in_schema.remove("kind");
        assert_eq!(in_schema, loader, "fields of a `{kind}` fault: {error}");
    }
}

/// The `enum` (or `const` per variant) names the schema allows at a property.
fn schema_names(schema: &Value, def: &str) -> BTreeSet<String> {
    let node = &schema["$defs"][def];
    let mut names = BTreeSet::new();
    for variant in node["oneOf"].as_array().into_iter().flatten() {
        if let Some(c) = variant.get("const").and_then(Value::as_str) {
            names.insert(c.to_string());
        }
        if let Some(c) = variant["properties"]["kind"]["const"].as_str() {
            names.insert(c.to_string());
        }
        for e in variant["enum"].as_array().into_iter().flatten() {
            names.insert(e.as_str().unwrap().to_string());
        }
    }
    for e in node["enum"].as_array().into_iter().flatten() {
        names.insert(e.as_str().unwrap().to_string());
    }
    names
}

#[test]
fn the_schema_has_the_loaders_names() {
    let schema = schema();
    let probe = toml::Value::String("zzz_probe".into());
    type Edit = Box<dyn Fn(&mut toml::Table, toml::Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "Fault",
            Box::new(|t, v| {
                table_at(t, &["fault"]).insert("kind".into(), v);
            }),
        ),
        (
            "KeySource",
            Box::new(|t, v| {
                table_at(t, &["keys"]).insert("source".into(), v);
            }),
        ),
        (
            "Jitter",
            Box::new(|t, v| {
                table_at(t, &["retry"]).insert("jitter".into(), v);
            }),
        ),
        (
            "ViolationName",
            Box::new(|t, v| {
                table_at(t, &["expect"]).insert("violations".into(), toml::Value::Array(vec![v]));
            }),
        ),
        (
            "ExpectOn",
            Box::new(|t, v| {
                table_at(t, &["expect"]).insert("seeds".into(), v);
            }),
        ),
        (
            "Host",
            Box::new(|t, v| {
                let faults = t.get_mut("fault").unwrap().as_array_mut().unwrap();
                let crash = faults
                    .iter_mut()
                    .find(|f| f["kind"].as_str() == Some("crash"))
                    .unwrap();
                crash.as_table_mut().unwrap().insert("host".into(), v);
            }),
        ),
    ];
    for (def, edit) in cases {
        let error = loader_error(|t| edit(t, probe.clone()));
        let loader = expected_names(&error);
        let in_schema = schema_names(&schema, def);
        // serde lists a variant's main name; the schema may add its aliases.
        assert!(
            loader.is_subset(&in_schema) && !loader.is_empty(),
            "{def}: the loader accepts {loader:?}, the schema {in_schema:?} ({error})"
        );
        for name in &in_schema {
            let error = loader_error(|t| {
                edit(t, toml::Value::String(name.clone()));
                // A probe that the loader accepts whole proves nothing; break
                // something unrelated so that only the name is judged.
                t.insert("zzz_probe".into(), toml::Value::Integer(1));
            });
            assert!(
                error.contains("zzz_probe"),
                "{def}: the schema allows `{name}`, the loader does not: {error}"
            );
        }
    }
}

#[test]
fn the_schema_defaults_are_the_loaders() {
    let schema = schema();
    let minimal = r#"
name = "m"
design = "naive"
accounts = { a = 1, b = 0 }
[[client]]
transfers = [{ from = "a", to = "b", amount = 1 }]
[expect]
violations = []
"#;
    let s = idemsim::Loader::new()
        .parse(Path::new("m.toml"), minimal)
        .unwrap()
        .scenario;
    let default = |def: &str, field: &str| -> Value {
        let node = &schema["$defs"][def]["properties"][field];
        node.get("default")
            .cloned()
            .unwrap_or_else(|| schema["properties"][def.to_lowercase()]["default"][field].clone())
    };
    let pairs: Vec<(&str, &str, Value)> = vec![
        ("Retry", "max_attempts", s.retry.max_attempts.into()),
        ("Retry", "timeout_ms", s.retry.timeout_ms.into()),
        (
            "Retry",
            "backoff_initial_ms",
            s.retry.backoff_initial_ms.into(),
        ),
        ("Retry", "backoff_max_ms", s.retry.backoff_max_ms.into()),
        (
            "Retry",
            "attempts_after_heal",
            s.retry.attempts_after_heal.into(),
        ),
        (
            "Retry",
            "jitter",
            serde_json::to_value(s.retry.jitter).unwrap(),
        ),
        (
            "Retry",
            "new_key_on_unknown_key",
            s.retry.new_key_on_unknown_key.into(),
        ),
        ("Network", "latency_min_ms", s.network.latency_min_ms.into()),
        ("Network", "latency_max_ms", s.network.latency_max_ms.into()),
        ("Network", "loss", s.network.loss.to_string().into()),
        ("Faults", "heal_at_ms", s.window.heal_at_ms.into()),
        (
            "Faults",
            "restart_after_ms",
            s.window.restart_after_ms.into(),
        ),
        (
            "Faults",
            "crash",
            s.window.rates.named("crash").unwrap().to_string().into(),
        ),
        ("Keys", "space", s.keys.space.into()),
        (
            "Keys",
            "source",
            serde_json::to_value(s.key_source()).unwrap(),
        ),
        ("Limits", "max_sim_ms", s.limits.max_sim_ms.into()),
        ("Stores", "ledger_work_ms", s.stores.ledger_work_ms.into()),
    ];
    for (def, field, loader) in pairs {
        assert_eq!(default(def, field), loader, "default of {def}.{field}");
    }
}

#[test]
fn the_checked_in_schema_is_the_generated_one() {
    let path = root().join("docs/scenario.schema.json");
    let generated = scenario_schema_json();
    if std::env::var_os("IDEMSIM_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/scenario.schema.json is stale; regenerate it with \
         `IDEMSIM_UPDATE_DOCS=1 cargo test --release --test suite reports_schema` \
         or `cargo run --release -- schema > docs/scenario.schema.json`"
    );
}

#[test]
fn idemsim_schema_prints_the_same_schema() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        scenario_schema_json()
    );
}

/// The design file format's schema: checked in, and true to every bundled
/// design (built-in and variant), and to what the loader refuses outright.
mod design {
    use super::{errors, root, toml_to_json};
    use idemsim::report::schema::design_schema_json;

    fn validator() -> jsonschema::Validator {
        let schema = serde_json::to_value(idemsim::design::design_schema()).unwrap();
        jsonschema::validator_for(&schema).expect("the design schema is a valid JSON Schema")
    }

    fn design_files() -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for dir in ["designs", "designs/variants"] {
            for entry in std::fs::read_dir(root().join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "toml") {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn the_checked_in_design_schema_is_the_generated_one() {
        let path = root().join("docs/design.schema.json");
        let generated = design_schema_json();
        if std::env::var_os("IDEMSIM_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "docs/design.schema.json is stale; regenerate it with \
             `cargo run --release -- schema --design > docs/design.schema.json`"
        );
    }

    #[test]
    fn every_bundled_design_loads_and_validates_against_the_schema() {
        let validator = validator();
        let files = design_files();
        assert!(files.len() >= 20, "{files:?}");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            idemsim::design::parse_design(&file, &text)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let errs = errors(&validator, &toml_to_json(&text));
            assert!(errs.is_empty(), "{}: {errs:#?}", file.display());
        }
    }

    #[test]
    fn the_design_schema_rejects_unknown_fields_steps_and_stores() {
        let validator = validator();
        let base = std::fs::read_to_string(root().join("designs/atomic.toml")).unwrap();
        for (what, text) in [
            (
                "unknown field",
                base.replace("issue = true", "issue = true\nissued = true"),
            ),
            (
                "unknown step",
                base.replace("op = \"credit\"", "op = \"teleport\""),
            ),
            (
                "unknown store",
                base.replace("store = \"ledger\"\nttl_ms", "store = \"disk\"\nttl_ms"),
            ),
            (
                "zero call attempts",
                format!("{base}\n[api]\ncall_attempts = 0\n"),
            ),
        ] {
            assert!(
                !errors(&validator, &toml_to_json(&text)).is_empty(),
                "the schema accepts a design with an {what}"
            );
            assert!(
                idemsim::design::parse_design(std::path::Path::new("x.toml"), &text).is_err(),
                "the loader accepts a design with an {what}"
            );
        }
    }
}
