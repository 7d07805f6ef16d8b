//! Where a scenario came from, kept beside it and never inside it.
//!
//! The world runs a [`Scenario`]: data only. What a replay command needs to
//! say how to run that data again — the file it was read from, the program
//! that read it — and the directory a design path in the file is relative to
//! are facts about how the scenario reached the program, not about what it
//! simulates, so two scenarios with the same data are equal wherever they
//! were read from.

use super::Scenario;
use crate::service::Services;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How a scenario reached the program: what replay commands and a saved
/// repro's design path are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The file it was read from; `None` for a scenario built in code or
    /// read from text, whose replay command names `SCENARIO.toml`.
    pub file: Option<PathBuf>,
    /// The directory a design path in the scenario is relative to.
    pub base_dir: PathBuf,
    /// The command that runs the program the scenario was loaded by, as
    /// replay commands start (`idemsim`, or a program offering services).
    pub program: Arc<[String]>,
}

impl Provenance {
    /// A scenario that `services`' program holds, read from no file: built
    /// in code, its design paths taken from the current directory.
    pub fn of_program(services: &Services) -> Provenance {
        Provenance {
            file: None,
            base_dir: PathBuf::from("."),
            program: services.program_words().into(),
        }
    }

    /// A scenario read from text named `name` by `services`' program:
    /// design paths are relative to the directory `name` is in, and the
    /// replay command names no file until the loader says which file the
    /// text was read from.
    pub(crate) fn of_text(name: &Path, services: &Services) -> Provenance {
        Provenance {
            file: None,
            base_dir: base_dir_of(name),
            program: services.program_words().into(),
        }
    }

    /// The file as a replay command names it.
    pub fn file_arg(&self) -> String {
        self.file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "SCENARIO.toml".to_string())
    }
}

impl Default for Provenance {
    /// A scenario built in code and run by `idemsim`.
    fn default() -> Provenance {
        Provenance::of_program(&Services::new())
    }
}

/// The directory design paths in `file` are relative to: its parent, or the
/// current directory for a bare file name.
fn base_dir_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A scenario read from a file or text, with where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// What the world runs.
    pub scenario: Scenario,
    /// Where it came from, for replay commands.
    pub source: Provenance,
}
