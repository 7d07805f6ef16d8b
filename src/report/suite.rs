//! Output of `idemsim check`: one line per scenario, then a total.

use super::Color;
use crate::suite::{ScenarioResult, Verdict, names};
use serde_json::json;

/// The human line for one scenario.
pub fn line(result: &ScenarioResult, color: Color) -> String {
    let path = result.path.display();
    match &result.verdict {
        Verdict::Passed { seeds_run } => format!(
            "{}  {path}  {}: expected {}, found {}{}\n",
            color.paint("32", "PASS"),
            result.name,
            names(&result.expected),
            names(&result.expected),
            seeds_note(*seeds_run, result)
        ),
        Verdict::Failed {
            seed,
            found,
            replay,
            seeds_run,
        } => format!(
            "{}  {path}  {}: expected {}, found {} on seed {seed}{}\n        replay: {replay}\n",
            color.paint("31", "FAIL"),
            result.name,
            names(&result.expected),
            names(found),
            seeds_note(*seeds_run, result)
        ),
        Verdict::Invalid { error } => {
            format!("{}  {error}\n", color.paint("31", "BAD "))
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

/// The closing line: `24 scenarios: 24 passed, 0 failed`.
pub fn total(results: &[ScenarioResult]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    let invalid = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Invalid { .. }))
        .count();
    let failed = results.len() - passed - invalid;
    let mut s = format!(
        "{} scenarios: {passed} passed, {failed} failed",
        results.len()
    );
    if invalid > 0 {
        s.push_str(&format!(", {invalid} invalid"));
    }
    s.push('\n');
    s
}

/// One JSON Lines object for one scenario.
pub fn json_line(result: &ScenarioResult) -> String {
    let mut s = serde_json::to_string(&json!({ "type": "scenario", "data": result }))
        .expect("reports serialise");
    s.push('\n');
    s
}

/// The closing JSON Lines summary.
pub fn json_total(results: &[ScenarioResult]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    let mut s = serde_json::to_string(&json!({
        "type": "summary",
        "data": {
            "scenarios": results.len(),
            "passed": passed,
            "failed": results.len() - passed,
            "met": passed == results.len(),
        }
    }))
    .expect("reports serialise");
    s.push('\n');
    s
}
