//! JUnit XML, the report format every CI system reads.
//!
//! The module has two layers, so that every command that judges runs can
//! write the same file:
//!
//! * [`Case`] and [`render`]: a flat list of test cases, each with a name, a
//!   class name, an outcome (passed, failed, skipped, or an error in the
//!   input), a one-line message and a longer text. Cases are grouped into one
//!   `<testsuite>` per class name, in order of first appearance. A seed sweep
//!   makes one case per seed (name `seed 42`, class name the scenario file),
//!   failing seeds carrying the violations and the replay command, and seeds
//!   that another partition runs as skipped.
//! * [`check_case`]: the case of one scenario of `idemsim check`;
//!   [`seed_case`]: the case of one seed of a sweep.
//!
//! No time or timestamp is written: the same runs give the same bytes.

use crate::check::Violation;
use crate::describe::violation_names as names;
use crate::explore::sweep::{SweepConfig, SweepReport};
use crate::reach::Phase;
use crate::run::Replay;
use crate::scenario::{Provenance, Scenario};
use crate::suite::{ScenarioResult, Verdict};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::Path;

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// An expectation was not met: `<failure>`.
    Failed,
    /// Not run here (e.g. another partition's seed): `<skipped>`.
    Skipped,
    /// The input could not be used (an invalid scenario): `<error>`.
    Error,
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub classname: String,
    pub outcome: Outcome,
    /// One line: what went wrong, or why the case was skipped.
    pub message: Option<String>,
    /// The details: violations with their evidence, the replay command.
    pub text: Option<String>,
    /// Extra facts as `<property>` elements (design, seed, expected, found).
    pub properties: Vec<(String, String)>,
}

impl Case {
    pub fn new(name: impl Into<String>, classname: impl Into<String>, outcome: Outcome) -> Case {
        Case {
            name: name.into(),
            classname: classname.into(),
            outcome,
            message: None,
            text: None,
            properties: Vec::new(),
        }
    }
}

/// The JUnit XML document for `cases`, under a `<testsuites>` named `report`.
pub fn render(report: &str, cases: &[Case]) -> String {
    let mut suites: Vec<TestSuite> = Vec::new();
    for case in cases {
        let index = match suites.iter().position(|s| s.name == case.classname) {
            Some(i) => i,
            None => {
                suites.push(TestSuite::new(case.classname.as_str()));
                suites.len() - 1
            }
        };
        suites[index].add_test_case(test_case(case));
    }
    let mut out = Report::new(report);
    out.add_test_suites(suites);
    out.to_string().expect("JUnit reports serialise")
}

fn test_case(case: &Case) -> TestCase {
    let mut status = match case.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Failed => TestCaseStatus::non_success(NonSuccessKind::Failure),
        Outcome::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
        Outcome::Skipped => TestCaseStatus::skipped(),
    };
    if case.outcome != Outcome::Passed {
        if let Some(message) = &case.message {
            status.set_message(message.as_str());
        }
        if let Some(text) = &case.text {
            status.set_description(text.as_str());
        }
        let ty = match case.outcome {
            Outcome::Failed => "expectation-not-met",
            Outcome::Error => "invalid-scenario",
            _ => "skipped",
        };
        status.set_type(ty);
    }
    let mut test = TestCase::new(case.name.as_str(), status);
    test.set_classname(case.classname.as_str());
    for (name, value) in &case.properties {
        test.add_property((name.as_str(), value.as_str()));
    }
    test
}

/// The class name of a scenario file: its directory, as given (`scenarios/lessons`).
pub fn classname_of(path: &Path) -> String {
    path.parent()
        .map(|p| p.display().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| ".".to_string())
}

/// The case of one scenario checked by `idemsim check`. The run the check
/// kept (the failing seed's) lets a failure carry the violations and their
/// evidence.
pub fn check_case(result: &ScenarioResult) -> Case {
    let run = result.shown.as_ref().map(|(_, run)| run);
    let name = result
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| result.path.display().to_string());
    let classname = classname_of(&result.path);
    match &result.verdict {
        Verdict::Passed { seeds_run } => {
            let mut case = Case::new(name, classname, Outcome::Passed);
            case.properties = properties(result, None, &names(&result.expected));
            case.properties
                .push(("seeds_run".into(), seeds_run.to_string()));
            case
        }
        Verdict::Failed {
            seed,
            found,
            replay,
            seeds_run,
            ..
        } => {
            let mut case = Case::new(name, classname, Outcome::Failed);
            case.message = Some(format!(
                "{}: expected {}, found {} on seed {seed}",
                result.name,
                names(&result.expected),
                names(found)
            ));
            let mut text = String::new();
            if let Some(run) = run {
                let scenario = result.shown.as_ref().map(|(s, _)| s);
                if let Some(scenario) = scenario {
                    text.push_str(&violations_text(
                        &scenario.scenario,
                        &run.verdict.violations,
                    ));
                }
            }
            text.push_str(&format!(
                "expected: {}; found: {} on seed {seed} ({seeds_run} seeds run)\nreplay: {replay}\n",
                names(&result.expected),
                names(found)
            ));
            case.text = Some(text);
            case.properties = properties(result, Some(*seed), &names(found));
            case
        }
        Verdict::Invalid { error } => {
            let mut case = Case::new(name, classname, Outcome::Error);
            case.message = Some(
                error
                    .lines()
                    .next()
                    .unwrap_or("invalid scenario")
                    .to_string(),
            );
            case.text = Some(format!("{error}\n"));
            case
        }
    }
}

/// The case of one seed of a sweep over the scenario at `path`: `seed N`,
/// grouped under the scenario file. A failing seed carries its violations
/// (with their evidence) and the command that replays it; a seed another
/// partition runs is [`Outcome::Skipped`] with `message` saying so.
///
/// ```
/// use idemsim::report::junit::{Case, Outcome, render, seed_case};
/// use std::path::Path;
///
/// let path = Path::new("scenarios/lessons/3-response-lost-atomic.toml");
/// let cases: Vec<Case> = (0..4)
///     .map(|seed| {
///         if seed % 2 == 0 {
///             seed_case(path, seed, Outcome::Passed, None, None)
///         } else {
///             let mut case = seed_case(path, seed, Outcome::Skipped, None, None);
///             case.message = Some("run by another partition (slice:2/2)".into());
///             case
///         }
///     })
///     .collect();
/// let xml = render("idemsim explore", &cases);
/// assert!(xml.contains(r#"tests="4""#) && xml.contains(r#"skipped="2""#));
/// ```
pub fn seed_case(
    path: &Path,
    seed: u64,
    outcome: Outcome,
    violations: Option<(&Scenario, &[Violation])>,
    replay: Option<&str>,
) -> Case {
    let mut case = Case::new(format!("seed {seed}"), path.display().to_string(), outcome);
    case.properties.push(("seed".to_string(), seed.to_string()));
    if outcome == Outcome::Failed {
        let found = violations.map_or(&[][..], |(_, v)| v);
        let mut kinds: Vec<_> = found.iter().map(|v| v.kind).collect();
        kinds.sort();
        kinds.dedup();
        case.message = Some(format!("seed {seed}: found {}", names(&kinds)));
        let mut text = violations
            .map(|(s, v)| violations_text(s, v))
            .unwrap_or_default();
        if let Some(replay) = replay {
            text.push_str(&format!("replay: {replay}\n"));
        }
        case.text = Some(text);
    }
    case
}

/// The cases of a seed sweep of the scenario at `path`: one per failing seed
/// (with its violations and replay command), one for the seeds that passed
/// (failed when a phase the scenario must reach was never reached), and one
/// that counts the seeds other partitions run, as skipped.
pub fn sweep_cases(
    path: &Path,
    scenario: &Scenario,
    source: &Provenance,
    config: &SweepConfig,
    report: &SweepReport,
    unreached: &[Phase],
) -> Vec<Case> {
    let classname = path.display().to_string();
    let mut cases: Vec<Case> = report
        .failures
        .iter()
        .map(|f| {
            let replay = Replay::new(source, scenario, f.seed, config.mode()).to_string();
            let mut case = seed_case(
                path,
                f.seed,
                Outcome::Failed,
                Some((scenario, &f.violations)),
                Some(&replay),
            );
            if f.violations.is_empty() {
                case.message = Some(match (&f.nondeterminism, &f.skip_changed) {
                    (Some(nd), _) => format!(
                        "not deterministic: the two runs part: first run {}; second run {}",
                        super::explore::event_words(scenario, &nd.first),
                        super::explore::event_words(scenario, &nd.second)
                    ),
                    (None, Some(d)) => format!(
                        "skipping quiet time changed the run: skipping, {}; on every tick, {}",
                        super::explore::event_words(scenario, &d.first),
                        super::explore::event_words(scenario, &d.second)
                    ),
                    (None, None) => format!(
                        "the run did not complete: {}",
                        super::words::incomplete(&f.end).unwrap_or_default()
                    ),
                });
            }
            case
        })
        .collect();
    let passed = report.ran - report.failures_total;
    let mut summary = Case::new(
        format!("seeds {}: {passed} passed", config.seeds),
        classname.clone(),
        if unreached.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Failed
        },
    );
    if !unreached.is_empty() {
        let names: Vec<String> = unreached.iter().map(|p| p.name(&scenario.api)).collect();
        summary.message = Some(format!("phases never reached: {}", names.join(", ")));
    }
    cases.push(summary);
    if let Some(partition) = config.partition
        && report.skipped > 0
    {
        let mut case = Case::new(
            format!("{} seeds of other partitions", report.skipped),
            classname,
            Outcome::Skipped,
        );
        case.message = Some(format!("run by another partition than {partition}"));
        cases.push(case);
    }
    cases
}

fn properties(result: &ScenarioResult, seed: Option<u64>, found: &str) -> Vec<(String, String)> {
    let mut p = vec![
        ("scenario".to_string(), result.name.clone()),
        ("expected".to_string(), names(&result.expected)),
        ("found".to_string(), found.to_string()),
    ];
    if let Some(seed) = seed {
        p.push(("seed".to_string(), seed.to_string()));
    }
    p
}

/// Every violation of a run of `scenario` with its evidence, as a failure's text.
pub fn violations_text(scenario: &Scenario, violations: &[Violation]) -> String {
    let mut text = String::new();
    for v in violations {
        text.push_str(&format!(
            "FAIL {}: {}\n",
            v.kind.name(),
            super::words::summary(scenario, &v.summary)
        ));
        for fact in &v.evidence {
            text.push_str(&format!("    {}\n", super::words::evidence(scenario, fact)));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_cases_by_classname_and_counts_them() {
        let mut failed = Case::new("seed 3", "a.toml", Outcome::Failed);
        failed.message = Some("double-apply".into());
        failed.text = Some("replay: idemsim run a.toml --seed 3\n".into());
        let cases = vec![
            Case::new("seed 1", "a.toml", Outcome::Passed),
            Case::new("x", "b", Outcome::Error),
            failed,
            Case::new("seed 4", "a.toml", Outcome::Skipped),
        ];
        let xml = render("idemsim explore", &cases);
        let report = Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(report.tests, 4);
        assert_eq!(report.failures, 1);
        assert_eq!(report.errors, 1);
        assert_eq!(report.skipped, 1);
        assert_eq!(report.test_suites.len(), 2);
        assert_eq!(report.test_suites[0].name.as_str(), "a.toml");
        assert_eq!(report.test_suites[0].test_cases.len(), 3);
        assert!(xml.contains("replay: idemsim run a.toml --seed 3"));
    }
}
