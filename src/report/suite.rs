//! Output of `idemsim check`: one line per scenario, then a total. The
//! counts come from [`Totals`], the same in every format.

use super::{Color, Paint};
use crate::describe::violation_names as names;
use crate::suite::{Miss, ScenarioResult, Totals, Verdict};
use crate::text::Escaped;
use serde_json::json;

/// The human line for one scenario.
pub fn line(result: &ScenarioResult, color: Color) -> String {
    let path = Escaped(&result.path.display().to_string()).to_string();
    let name = Escaped(&result.name).to_string();
    match &result.verdict {
        Verdict::Passed { seeds_run } => format!(
            "{}  {path}  {name}: expected {}, found {}{}\n",
            color.paint(Paint::Green, "PASS"),
            names(&result.expected),
            names(&result.expected),
            seeds_note(*seeds_run, result)
        ),
        Verdict::Failed {
            seed,
            found,
            miss,
            replay,
            seeds_run,
            last_answers,
        } => {
            let why = match miss {
                Miss::Violations => String::new(),
                Miss::DidNotComplete => " (the run did not complete)".to_string(),
                Miss::Outcomes => " (the outcome counts differ from [expect])".to_string(),
                Miss::NothingSucceeded => format!(
                    " (no transfer succeeded on any seed, and [expect] does not say succeeded = 0; the last answers: {})",
                    crate::describe::last_answers(last_answers)
                ),
            };
            format!(
                "{}  {path}  {name}: expected {}, found {} on seed {seed}{why}{}\n        replay: {}\n",
                color.paint(Paint::Red, "FAIL"),
                names(&result.expected),
                names(found),
                seeds_note(*seeds_run, result),
                Escaped(replay)
            )
        }
        Verdict::Invalid { error } => {
            format!("{}  {error}\n", color.paint(Paint::Red, "BAD "))
        }
    }
}

fn seeds_note(seeds_run: u64, result: &ScenarioResult) -> String {
    use crate::scenario::ExpectOn;
    if seeds_run <= 1 {
        return String::new();
    }
    match result.expect_on {
        Some(ExpectOn::SomeSeed) => format!(" (on some seed; {seeds_run} seeds run)"),
        _ => format!(" (on every seed; {seeds_run} seeds run)"),
    }
}

/// The closing line: `24 scenarios: 24 passed, 0 failed, 0 invalid`.
pub fn total(results: &[ScenarioResult]) -> String {
    let t = Totals::of(results);
    format!(
        "{}: {} passed, {} failed, {} invalid\n",
        crate::describe::count(t.scenarios, "scenario"),
        t.passed,
        t.failed,
        t.invalid
    )
}

/// One JSON Lines object for one scenario.
pub fn json_line(result: &ScenarioResult) -> String {
    super::json::line("scenario", result)
}

/// The closing JSON Lines summary.
pub fn json_total(results: &[ScenarioResult]) -> String {
    let t = Totals::of(results);
    super::json::line(
        "summary",
        json!({
            "scenarios": t.scenarios,
            "passed": t.passed,
            "failed": t.failed,
            "invalid": t.invalid,
            "met": t.met(),
        }),
    )
}
