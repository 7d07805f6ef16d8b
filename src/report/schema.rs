//! A JSON Schema of the scenario file format, for editors' completion and
//! validation (`idemsim schema > scenario.schema.json`).
//!
//! It is generated from the very types that read scenario files
//! ([`crate::scenario::ScenarioSpec`]), so it cannot drift from the loader.
//! TOML and JSON share the data model a scenario uses (tables, arrays,
//! strings, integers, booleans), so a TOML file converted to JSON validates
//! against this schema as it is.

use crate::scenario::ScenarioSpec;
use schemars::Schema;
use schemars::generate::SchemaSettings;

/// The schema, as pretty-printed JSON with a final newline.
pub fn scenario_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&scenario_schema()).expect("schemas serialise");
    text.push('\n');
    text
}

/// The JSON Schema of a design file, pretty-printed, ending in a newline.
pub fn design_schema_json() -> String {
    let mut text =
        serde_json::to_string_pretty(&crate::design::design_schema()).expect("schemas serialise");
    text.push('\n');
    text
}

/// Every knob of the design file format, as `[section] field` (a table
/// that several sections share is listed once, under all their names, and a
/// step's fields under `step`) with its description, read from the design
/// schema so that `idemsim designs` lists exactly what the loader reads.
pub fn design_knobs() -> Vec<(String, String)> {
    use serde_json::Value;
    let schema = serde_json::to_value(crate::design::design_schema()).expect("schemas serialise");
    let defs = &schema["$defs"];
    let def_name = |v: &Value| -> Option<String> {
        let reference = v["$ref"]
            .as_str()
            .or_else(|| v["items"]["$ref"].as_str())
            .or_else(|| v["anyOf"][0]["$ref"].as_str())?;
        reference.rsplit('/').next().map(str::to_string)
    };
    let describe = |v: &Value| -> String {
        if let Some(text) = v["description"].as_str() {
            return text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        let values = v["enum"].as_array().into_iter().flatten();
        let names: Vec<&str> = values.filter_map(|v| v.as_str()).collect();
        names.join(", ")
    };
    let mut knobs = Vec::new();
    // Sections by the table type they share, in order of first appearance.
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for (section, value) in schema["properties"].as_object().into_iter().flatten() {
        match def_name(value) {
            None => knobs.push((section.clone(), describe(value))),
            Some(def) => {
                let label = if value["type"] == "array" {
                    format!("[[{section}]]")
                } else {
                    format!("[{section}]")
                };
                match tables.iter_mut().find(|(d, _)| *d == def) {
                    Some((_, labels)) => labels.push(label),
                    None => tables.push((def, vec![label])),
                }
            }
        }
    }
    let mut step_def = None;
    for (def, labels) in &tables {
        let label = labels.join(" ");
        for (field, value) in defs[def.as_str()]["properties"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if field == "steps" {
                step_def = def_name(value);
                knobs.push((
                    format!("{label} steps"),
                    "a list of steps (see step)".to_string(),
                ));
            } else {
                knobs.push((format!("{label} {field}"), describe(value)));
            }
        }
    }
    if let Some(step) = step_def {
        // One entry per step (`op`), then the fields that step takes.
        for variant in defs[step.as_str()]["oneOf"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let properties = variant["properties"].as_object();
            let op = properties.and_then(|p| p["op"]["const"].as_str());
            let op = op.expect("every step of the design schema names its op");
            knobs.push((format!("step {op}"), describe(variant)));
            for (field, value) in properties.into_iter().flatten() {
                if field != "op" {
                    knobs.push((format!("step {op} {field}"), describe(value)));
                }
            }
        }
    }
    knobs
}

/// The JSON Schema (draft 2020-12) of a scenario file.
pub fn scenario_schema() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<ScenarioSpec>()
}

/// The JSON Schema (draft 2020-12) of one event of a run's history as JSON
/// Lines prints it (the `data` of a line whose `type` is `event`), generated
/// from [`super::view::EventView`], the type that line is the serialisation of.
pub fn history_schema() -> Schema {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<super::view::EventView>()
}

/// The history's schema, pretty-printed, ending in a newline
/// (`idemsim schema --history`, checked in as `docs/history.schema.json`).
pub fn history_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&history_schema()).expect("schemas serialise");
    text.push('\n');
    text
}
