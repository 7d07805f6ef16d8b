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

/// The JSON Schema (draft 2020-12) of a scenario file.
pub fn scenario_schema() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<ScenarioSpec>()
}
