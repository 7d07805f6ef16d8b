//! Report files a command writes beside what it prints: `--junit` and `--html`.

use super::html::{self, CheckEntry};
use super::junit;
use super::rerun::shown_run;
use crate::error::InputError;
use crate::suite::ScenarioResult;
use std::path::Path;

/// Writes `text` to `path`; a path that cannot be written is bad input.
pub fn write(path: &Path, text: &str) -> Result<(), InputError> {
    std::fs::write(path, text).map_err(|e| InputError::file(path, format!("cannot write: {e}")))
}

/// The JUnit and HTML files of `idemsim check`, when asked for.
pub fn write_check_files(
    results: &[ScenarioResult],
    junit_path: Option<&Path>,
    html_path: Option<&Path>,
) -> Result<(), InputError> {
    if junit_path.is_none() && html_path.is_none() {
        return Ok(());
    }
    // The run each report shows: the failing seed's, or the scenario's own.
    let shown: Vec<_> = results.iter().map(shown_run).collect();
    if let Some(path) = junit_path {
        let cases: Vec<junit::Case> = results
            .iter()
            .zip(&shown)
            .map(|(r, s)| junit::check_case(r, s.as_ref().map(|(_, run)| run)))
            .collect();
        write(path, &junit::render("idemsim check", &cases))?;
    }
    if let Some(path) = html_path {
        let entries: Vec<CheckEntry<'_>> = results
            .iter()
            .zip(&shown)
            .map(|(result, s)| CheckEntry {
                result,
                shown: s.as_ref().map(|(scenario, run)| (scenario, run)),
            })
            .collect();
        write(path, &html::check_page(&entries))?;
    }
    Ok(())
}
