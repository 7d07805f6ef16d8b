//! `idemsim check`: every scenario under some paths, each judged against its
//! `[expect]`, on its own seed or over a seed range.

use crate::error::InputError;
use crate::limits;
use crate::run::{replay_command, run_scenario};
use crate::scenario::{ExpectOn, Scenario, ViolationKind, load_scenario};
use serde::Serialize;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Seeds `A..B` (B excluded) or `A..=B` (B included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeedRange {
    pub start: u64,
    pub end: u64,
}

impl SeedRange {
    /// Parses `A..B` or `A..=B`; at most [`limits::MAX_SEEDS`] seeds.
    pub fn parse(text: &str) -> Result<SeedRange, String> {
        let expected = "expected a seed range such as 0..1000 (1000 seeds) or 5..=9";
        let (start, end, inclusive) = if let Some((a, b)) = text.split_once("..=") {
            (a, b, true)
        } else if let Some((a, b)) = text.split_once("..") {
            (a, b, false)
        } else {
            return Err(format!("`{text}` is not a seed range; {expected}"));
        };
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("`{s}` in `{text}` is not a seed; {expected}"))
        };
        let start = number(start)?;
        let end = number(end)?;
        let end = if inclusive {
            end.checked_add(1)
                .ok_or_else(|| format!("`{text}` ends past the last seed"))?
        } else {
            end
        };
        if end <= start {
            return Err(format!("`{text}` holds no seed; {expected}"));
        }
        if end - start > limits::MAX_SEEDS {
            return Err(format!(
                "`{text}` holds {} seeds; expected at most {}",
                end - start,
                limits::MAX_SEEDS
            ));
        }
        Ok(SeedRange { start, end })
    }

    pub fn seeds(&self) -> Range<u64> {
        self.start..self.end
    }

    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// What became of one scenario file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Verdict {
    /// The expectation was met (on every seed, or on some seed, as the scenario says).
    Passed { seeds_run: u64 },
    /// It was not: the seed that shows it and what that seed found.
    Failed {
        seed: u64,
        found: Vec<ViolationKind>,
        replay: String,
        seeds_run: u64,
    },
    /// The file could not be read or is not a valid scenario.
    Invalid { error: String },
}

/// One line of `idemsim check`.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub path: PathBuf,
    pub name: String,
    pub expected: Vec<ViolationKind>,
    pub expect_on: Option<ExpectOn>,
    #[serde(flatten)]
    pub verdict: Verdict,
}

impl ScenarioResult {
    pub fn passed(&self) -> bool {
        matches!(self.verdict, Verdict::Passed { .. })
    }
}

/// Every `.toml` file under `paths` (directories recursively), sorted, so the
/// order never depends on the file system.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files)?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(InputError::file(path, "no such file or directory"));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError::file(dir, format!("cannot read directory: {e}")))?;
    for entry in entries {
        let path = entry
            .map_err(|e| InputError::file(dir, format!("cannot read directory: {e}")))?
            .path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// Checks one scenario file, on its own seed or over `seeds`. `progress` is
/// called after every seed with the number of seeds run so far.
pub fn check_file(
    path: &Path,
    seeds: Option<&SeedRange>,
    progress: &mut dyn FnMut(u64),
) -> ScenarioResult {
    match load_scenario(path) {
        Ok(scenario) => check_scenario(&scenario, seeds, progress),
        Err(e) => ScenarioResult {
            path: path.to_path_buf(),
            name: String::new(),
            expected: Vec::new(),
            expect_on: None,
            verdict: Verdict::Invalid {
                error: e.to_string(),
            },
        },
    }
}

/// Checks a loaded scenario.
pub fn check_scenario(
    scenario: &Scenario,
    seeds: Option<&SeedRange>,
    progress: &mut dyn FnMut(u64),
) -> ScenarioResult {
    let own = SeedRange {
        start: scenario.seed,
        end: scenario.seed + 1,
    };
    let range = seeds.unwrap_or(&own);
    let need_every = scenario.expect_on == ExpectOn::EverySeed;
    let mut first_miss: Option<(u64, Vec<ViolationKind>)> = None;
    let mut seeds_run = 0;
    for seed in range.seeds() {
        let run = run_scenario(scenario, Some(seed));
        seeds_run += 1;
        progress(seeds_run);
        let met = run.verdict.met;
        if met && !need_every {
            return result(scenario, Verdict::Passed { seeds_run });
        }
        if !met && first_miss.is_none() {
            first_miss = Some((seed, run.verdict.found.clone()));
            if need_every {
                break;
            }
        }
    }
    let verdict = match first_miss {
        None => Verdict::Passed { seeds_run },
        Some((seed, found)) => Verdict::Failed {
            seed,
            found,
            replay: replay_command(scenario, seed),
            seeds_run,
        },
    };
    result(scenario, verdict)
}

fn result(scenario: &Scenario, verdict: Verdict) -> ScenarioResult {
    ScenarioResult {
        path: scenario.path.clone().unwrap_or_default(),
        name: scenario.name.clone(),
        expected: scenario.expect.clone(),
        expect_on: Some(scenario.expect_on),
        verdict,
    }
}

/// `double-apply, stuck-key`, or `none`.
pub fn names(kinds: &[ViolationKind]) -> String {
    if kinds.is_empty() {
        "none".to_string()
    } else {
        kinds
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seed_ranges() {
        assert_eq!(SeedRange::parse("0..10").unwrap().len(), 10);
        assert_eq!(SeedRange::parse("5..=9").unwrap().seeds(), 5..10);
        assert!(SeedRange::parse("10..10").is_err());
        assert!(SeedRange::parse("a..3").is_err());
        assert!(SeedRange::parse("7").is_err());
        assert!(SeedRange::parse("0..99999999999").is_err());
    }
}
