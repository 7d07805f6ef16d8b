//! Reading scenario files: TOML into [`ScenarioSpec`] through serde, then
//! [`ScenarioSpec::validate_in`]. An error names the file, the line and the
//! column and says what was expected: serde's errors carry their place, and
//! a validation problem's field path is looked up in the parsed document.

use super::Scenario;
use super::spec::ScenarioSpec;
use super::validate::Invalid;
use crate::error::{FieldPath, InputError, Segment};
use crate::service::Services;
use std::ops::Range;
use std::path::Path;

/// Reads and validates the scenario file at `path`.
pub fn load_scenario(path: &Path) -> Result<Scenario, InputError> {
    load_scenario_with(path, &Services::new())
}

/// Reads and validates the scenario file at `path`, which may name one of
/// `services`.
pub fn load_scenario_with(path: &Path, services: &Services) -> Result<Scenario, InputError> {
    let text = crate::error::read_input(path, "scenario file")?;
    let mut scenario = parse_scenario_with(path, &text, services)?;
    scenario.path = Some(path.to_path_buf());
    Ok(scenario)
}

/// Parses and validates scenario text; `path` names it in errors and anchors a
/// relative design path.
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, InputError> {
    parse_scenario_with(path, text, &Services::new())
}

/// As [`parse_scenario`], for a program that offers `services`.
pub fn parse_scenario_with(
    path: &Path,
    text: &str,
    services: &Services,
) -> Result<Scenario, InputError> {
    let spec: ScenarioSpec =
        toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    spec.validate_with_services(base, services)
        .map_err(|invalid| match invalid {
            Invalid::Value(problem) => match span_of(text, &problem.path) {
                Some(span) => InputError::at(path, text, span, problem.message),
                None => InputError::file(path, problem.message),
            },
            Invalid::Design(error) => error,
        })
}

/// Where the value at `path` is written in `text`: the deepest part of the
/// path the file spells out (a value the file leaves to its default is
/// reported at its table, or at the file as a whole).
fn span_of(text: &str, path: &FieldPath) -> Option<Range<usize>> {
    let doc: toml_edit::ImDocument<&str> = toml_edit::ImDocument::parse(text).ok()?;
    let mut found: Option<Range<usize>> = None;
    let mut here = Node::Table(doc.as_table());
    for segment in &path.0 {
        if let Segment::Name(k) = segment {
            let key = match &here {
                Node::Table(t) => t.key(k).and_then(|key| key.span()),
                Node::Inline(t) => t.key(k).and_then(|key| key.span()),
                _ => None,
            };
            return key.or(found);
        }
        let next = match (&here, segment) {
            (Node::Table(t), Segment::Key(k)) => t.get(k).and_then(Node::of_item),
            (Node::Inline(t), Segment::Key(k)) => t.get(k).map(Node::of_value),
            (Node::Array(a), Segment::Index(i)) => a.get(*i).map(Node::of_value),
            (Node::Tables(a), Segment::Index(i)) => a.get(*i).map(Node::Table),
            _ => None,
        };
        let Some(next) = next else { break };
        if let Some(span) = next.span() {
            found = Some(span);
        }
        here = next;
    }
    found
}

/// A place in a parsed TOML document.
enum Node<'a> {
    Table(&'a toml_edit::Table),
    Inline(&'a toml_edit::InlineTable),
    Array(&'a toml_edit::Array),
    Tables(&'a toml_edit::ArrayOfTables),
    Leaf(&'a toml_edit::Value),
}

impl<'a> Node<'a> {
    fn of_item(item: &'a toml_edit::Item) -> Option<Node<'a>> {
        match item {
            toml_edit::Item::Table(t) => Some(Node::Table(t)),
            toml_edit::Item::ArrayOfTables(a) => Some(Node::Tables(a)),
            toml_edit::Item::Value(v) => Some(Node::of_value(v)),
            toml_edit::Item::None => None,
        }
    }

    fn of_value(value: &'a toml_edit::Value) -> Node<'a> {
        match value {
            toml_edit::Value::InlineTable(t) => Node::Inline(t),
            toml_edit::Value::Array(a) => Node::Array(a),
            other => Node::Leaf(other),
        }
    }

    fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Table(t) => t.span(),
            Node::Inline(t) => t.span(),
            Node::Array(a) => a.span(),
            Node::Tables(a) => a.span(),
            Node::Leaf(v) => v.span(),
        }
    }
}

/// Reads the scenario at `path` with its design replaced by `design` (a
/// built-in name, or a design file's path taken from the current directory,
/// as paths on the command line are). The scenario is validated against the
/// new design exactly as a file that named it would be (a fault at
/// `after:claim` needs a design with a `claim` step), and errors point into
/// the file.
pub fn load_scenario_with_design(path: &Path, design: &str) -> Result<Scenario, InputError> {
    load_scenario_with_api(path, design, &Services::new())
}

/// As [`load_scenario_with_design`], where `api` may also name one of
/// `services`.
pub fn load_scenario_with_api(
    path: &Path,
    api: &str,
    services: &Services,
) -> Result<Scenario, InputError> {
    let design = api;
    let text = crate::error::read_input(path, "scenario file")?;
    let mut spec: ScenarioSpec =
        toml::from_str(&text).map_err(|e| InputError::from_toml(path, &text, &e))?;
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if services.get(design).is_some() {
        spec.design = None;
        spec.service = Some(design.to_string());
    } else {
        spec.service = None;
        spec.design = Some(if design.ends_with(".toml") || design.contains('/') {
            std::fs::canonicalize(design)
                .unwrap_or_else(|_| std::path::PathBuf::from(design))
                .display()
                .to_string()
        } else {
            design.to_string()
        });
    }
    let mut scenario =
        spec.validate_with_services(base, services)
            .map_err(|invalid| match invalid {
                Invalid::Value(problem) => match span_of(&text, &problem.path) {
                    Some(span) => InputError::at(path, &text, span, problem.message),
                    None => InputError::file(path, problem.message),
                },
                Invalid::Design(error) => error,
            })?;
    scenario.path = Some(path.to_path_buf());
    Ok(scenario)
}
