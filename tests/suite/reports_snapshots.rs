//! Snapshots of what a reader sees for every lesson: the human timeline, the
//! Mermaid diagram, and the JUnit file of `idemsim check scenarios/lessons`.
//!
//! A change to any of them shows up as a reviewable diff. After reading it,
//! accept it with `cargo insta review` (or `INSTA_UPDATE=always cargo test
//! --release --test suite reports_snapshots`). Snapshots never hold colour codes.

use idemsim::report::{Color, human, mermaid};
use idemsim::run_scenario;
use std::path::{Path, PathBuf};
use std::process::Command;

fn lessons() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lessons");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| Path::new("scenarios/lessons").join(p.file_name().unwrap()))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn no_colour(text: &str) -> &str {
    assert!(!text.contains('\x1b'), "colour codes in a snapshot");
    text
}

#[test]
fn human_timeline_of_every_lesson() {
    for file in lessons() {
        let loaded = crate::common::loaded(&file).unwrap();
        let run = run_scenario(&loaded.scenario, None);
        let text = human::render(&loaded.scenario, &loaded.source, &run, Color::Never);
        insta::assert_snapshot!(format!("human-{}", stem(&file)), no_colour(&text));
    }
}

#[test]
fn mermaid_diagram_of_every_lesson() {
    for file in lessons() {
        let scenario = crate::common::load(&file).unwrap();
        let run = run_scenario(&scenario, None);
        let text = mermaid::render(&scenario, &run);
        insta::assert_snapshot!(format!("mermaid-{}", stem(&file)), no_colour(&text));
    }
}

#[test]
fn junit_of_checking_the_lessons() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lessons.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(["check", "scenarios/lessons", "--junit"])
        .arg(&path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let xml = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!("junit-lessons", no_colour(&xml));
}
