//! The crate is layered: each top-level module may use only modules of a
//! lower layer (or its own). A lower layer that imports a higher one makes
//! the modules one knot, where every change reaches everywhere; this test
//! names each such import.

use std::collections::BTreeMap;
use std::path::Path;

/// The layers, lowest first: the shared vocabulary, small utilities, the
/// API's two forms and the registry over them, the event log, scenarios
/// with their faults, the world, the checker, runs, exploration, reports
/// and the command line. Modules in one layer may use each other: a
/// scenario is made of faults, and a fault is judged against its scenario.
const LAYERS: &[&[&str]] = &[
    &["vocab"],
    &[
        "limits",
        "text",
        "ratio",
        "seed",
        "seeds",
        "resp",
        "interpose",
        "sql",
    ],
    &["error"],
    &["design"],
    &["service"],
    &["api"],
    &["history"],
    &["reach"],
    &["fault", "scenario"],
    &["describe"],
    &["world"],
    &["check"],
    &["run"],
    &["explore"],
    &["suite"],
    &["report"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a source file belongs to.
fn module_of(path: &Path) -> String {
    let relative = path
        .strip_prefix(crate::common::root().join("src"))
        .unwrap();
    let first = relative
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Code of a file without its comments (line and doc comments), so that a
/// module named in prose is not taken for a use of it.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::module` a file's code names.
fn uses(text: &str) -> Vec<String> {
    let code = code(text);
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        out.push(name);
        rest = after;
    }
    out
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import of a higher layer by a lower one: (file, module it uses).
pub fn back_edges() -> BTreeMap<String, Vec<String>> {
    let mut all = Vec::new();
    files(&crate::common::root().join("src"), &mut all);
    all.sort();
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in all {
        let module = module_of(&path);
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let ours = layer_of(&module).unwrap_or_else(|| panic!("module `{module}` has no layer"));
        let text = std::fs::read_to_string(&path).unwrap();
        for used in uses(&text) {
            if used == module {
                continue;
            }
            let Some(theirs) = layer_of(&used) else {
                continue;
            };
            if theirs > ours {
                let file = path.display().to_string();
                let list = edges.entry(file).or_default();
                if !list.contains(&used) {
                    list.push(used);
                }
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_a_higher_layer() {
    let edges = back_edges();
    assert!(
        edges.is_empty(),
        "{} files import a higher layer:\n{}",
        edges.len(),
        edges
            .iter()
            .map(|(file, used)| format!("  {file} -> {}", used.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_check_sees_an_import_and_not_prose() {
    assert_eq!(
        uses("use crate::world::Shared;\n// crate::cli in prose\nlet x = crate::check::run();"),
        vec!["world".to_string(), "check".to_string()]
    );
}
