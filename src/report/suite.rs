//! Output of `idemsim check`: one line per scenario, then a total. The
//! counts come from [`Totals`], the same in every format.

use super::{Color, Paint};
use crate::describe::violation_names as names;
use crate::suite::{CheckFailure, Miss, Nondeterminism, ScenarioResult, Totals, Verdict};
use crate::text::Escaped;
use serde_json::json;
use std::fmt;

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

/// What two runs of one seed did where they part, in the timeline's words.
struct PartingWords {
    /// The last event both runs had.
    shared: Option<String>,
    /// What the first run did where they part (time, host, the event), or
    /// that it had ended.
    first: String,
    /// What the second run did there.
    second: String,
}

fn parting_words(nd: &Nondeterminism) -> PartingWords {
    let scenario = &nd.loaded.scenario;
    let index = nd.difference.index;
    let words = |run: &crate::run::Run| {
        super::human::timeline_lines(scenario, &run.output.events, Color::Never)
    };
    let (words_a, words_b) = (words(&nd.first), words(&nd.second));
    let at = |lines: &[String], event: &Option<crate::history::Event>, run: &crate::run::Run| match (
        lines.get(index),
        event,
    ) {
        (Some(line), Some(_)) => line.trim_start().to_string(),
        _ => format!(
            "nothing more: the run had ended at {} ms",
            run.output.end_ms
        ),
    };
    let mut first = at(&words_a, &nd.difference.first, &nd.first);
    let mut second = at(&words_b, &nd.difference.second, &nd.second);
    if first == second {
        // The timeline does not word what differs; show the events.
        if let Some(e) = &nd.difference.first {
            first = format!("{first} [{:?}]", e.what);
        }
        if let Some(e) = &nd.difference.second {
            second = format!("{second} [{:?}]", e.what);
        }
    }
    PartingWords {
        shared: index
            .checked_sub(1)
            .and_then(|i| words_a.get(i))
            .map(|line| line.trim_start().to_string()),
        first,
        second,
    }
}

impl serde::Serialize for Nondeterminism {
    /// The seed, where the histories part, and each run's event there in
    /// the timeline's words, with the command that replays the seed.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let words = parting_words(self);
        let mut out = serializer.serialize_struct("Nondeterminism", 6)?;
        out.serialize_field("seed", &self.seed)?;
        out.serialize_field("difference", &self.difference)?;
        out.serialize_field("shared", &words.shared)?;
        out.serialize_field("first", &words.first)?;
        out.serialize_field("second", &words.second)?;
        out.serialize_field("replay", &self.replay().to_string())?;
        out.end()
    }
}

/// Width of one column where two runs are shown side by side.
const COLUMN: usize = 56;

impl fmt::Display for Nondeterminism {
    /// The last event both runs had, then the two runs' events where they
    /// part, side by side, then the replay command.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const INDENT: &str = "        ";
        let words = parting_words(self);
        if let Some(shared) = &words.shared {
            writeln!(f, "{INDENT}both runs, last alike: {shared}")?;
        }
        writeln!(f, "{INDENT}{:<COLUMN$} | second run", "first run")?;
        writeln!(f, "{INDENT}{}-+-{}", "-".repeat(COLUMN), "-".repeat(COLUMN))?;
        let cell = |text: &str| -> Vec<String> {
            textwrap::wrap(
                text,
                textwrap::Options::new(COLUMN).subsequent_indent("    "),
            )
            .into_iter()
            .map(|line| line.into_owned())
            .collect()
        };
        let (left, right) = (cell(&words.first), cell(&words.second));
        for row in 0..left.len().max(right.len()) {
            let l = left.get(row).map_or("", String::as_str);
            let r = right.get(row).map_or("", String::as_str);
            writeln!(f, "{}", format!("{INDENT}{l:<COLUMN$} | {r}").trim_end())?;
        }
        writeln!(
            f,
            "{INDENT}replay: {} (twice, to see the two runs part)",
            crate::text::Escaped(&self.replay().to_string())
        )
    }
}

impl fmt::Display for CheckFailure {
    /// Every scenario that failed, as `check` words it, and where two runs
    /// of one seed parted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed: Vec<&ScenarioResult> = self.results.iter().filter(|r| !r.passed()).collect();
        writeln!(
            f,
            "{} of {} failed:",
            failed.len(),
            crate::describe::count(self.results.len(), "scenario")
        )?;
        for r in failed {
            if !matches!(r.verdict, Verdict::Passed { .. }) {
                f.write_str(&line(r, Color::Never))?;
            }
            if let Some(nd) = &r.nondeterminism {
                writeln!(
                    f,
                    "NOT DETERMINISTIC  {}  {}: two runs of seed {} part at {} ms",
                    crate::text::Escaped(&r.path.display().to_string()),
                    crate::text::Escaped(&r.name),
                    nd.seed,
                    nd.at_ms()
                )?;
                write!(f, "{nd}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for CheckFailure {
    /// As [`fmt::Display`], so that `.unwrap()` in a test shows the failures.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
