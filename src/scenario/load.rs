//! Reading scenario files: TOML into [`ScenarioSpec`] through serde, then
//! the validation every scenario goes through (`validate.rs`). An error
//! names the file, the line and the column and says what was expected:
//! serde's errors carry their place, and a validation problem's field path
//! is looked up in the parsed document.

use super::provenance::{Loaded, Provenance};
use super::spec::ScenarioSpec;
use super::validate::Invalid;
use crate::error::{FieldPath, InputError, Segment};
use crate::service::Services;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The one way to read a scenario file (or scenario text) into a runnable
/// [`super::Scenario`]: TOML through serde, then the same validation a
/// scenario built in code gets, with every problem placed in the file.
///
/// ```
/// use idemsim::scenario::Loader;
/// use std::path::Path;
///
/// let text = "name = \"x\"\ndesign = \"naive\"\naccounts = { a = 1 }\n\n[[client]]\ntransfers = [{ from = \"a\", to = \"b\", amount = 1 }]\n\n[expect]\nviolations = []\n";
/// let error = Loader::new().parse(Path::new("x.toml"), text).unwrap_err();
/// assert!(error.to_string().starts_with("x.toml:6:"), "{error}");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Loader<'a> {
    services: Option<&'a Services>,
    api: Option<&'a str>,
}

impl Default for Loader<'_> {
    fn default() -> Self {
        Loader::new()
    }
}

impl<'a> Loader<'a> {
    /// A loader for `idemsim` itself: designs only, no services.
    pub fn new() -> Loader<'a> {
        Loader {
            services: None,
            api: None,
        }
    }

    /// Offers `services` to scenarios that name one (`service = "…"`); the
    /// replay commands of what it loads start with their program.
    pub fn services(self, services: &'a Services) -> Loader<'a> {
        Loader {
            services: Some(services),
            ..self
        }
    }

    /// Runs `api` in place of the design or service the file names: a
    /// built-in design's name, a design file's path taken from the current
    /// directory (as paths on the command line are), or one of the offered
    /// services. The scenario is validated against it exactly as a file
    /// that named it would be (a fault at `after:claim` needs a design with
    /// a `claim` step), and errors point into the file.
    pub fn api(self, api: &'a str) -> Loader<'a> {
        Loader {
            api: Some(api),
            ..self
        }
    }

    /// Reads and validates the scenario file at `path`.
    pub fn load(&self, path: &Path) -> Result<Loaded, InputError> {
        let text = crate::error::read_input(path, "scenario file")?;
        let mut loaded = self.parse(path, &text)?;
        loaded.source.file = Some(path.to_path_buf());
        Ok(loaded)
    }

    /// Parses and validates scenario `text`; `path` names it in errors and
    /// anchors a relative design path, but replay commands name no file.
    pub fn parse(&self, path: &Path, text: &str) -> Result<Loaded, InputError> {
        let no_services = Services::new();
        let services = self.services.unwrap_or(&no_services);
        let mut spec: ScenarioSpec =
            toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
        if let Some(api) = self.api {
            name_api(&mut spec, api, services);
        }
        let source = Provenance::of_text(path, services);
        let scenario = spec
            .validate(&source.base_dir, services)
            .map_err(|invalid| located(invalid, path, text))?;
        Ok(Loaded { scenario, source })
    }
}

/// `spec` running `api` instead of what it names (see [`Loader::api`]).
fn name_api(spec: &mut ScenarioSpec, api: &str, services: &Services) {
    if services.get(api).is_some() {
        spec.design = None;
        spec.service = Some(api.to_string());
        return;
    }
    spec.service = None;
    spec.design = Some(if api.ends_with(".toml") || api.contains('/') {
        std::fs::canonicalize(api)
            .unwrap_or_else(|_| PathBuf::from(api))
            .display()
            .to_string()
    } else {
        api.to_string()
    });
}

/// A validation problem placed in the file: at the line and column of the
/// value it names, else at the file as a whole.
fn located(invalid: Invalid, path: &Path, text: &str) -> InputError {
    match invalid {
        Invalid::Value(problem) => match span_of(text, &problem.path) {
            Some(span) => InputError::at(path, text, span, problem.message),
            None => InputError::file(path, problem.message),
        },
        Invalid::Design(error) => error,
    }
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
