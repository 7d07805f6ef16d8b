//! `idemsim diff`: the same scenario and seed under two designs (or
//! services), side by side.
//!
//! A teaching tool: the events both runs share are printed once, then the two
//! timelines in two columns from the first event where they differ, aligned
//! by simulated time, and last how each invariant, the balances and the
//! verdict came out under each design. Plain text, no colour, so that it
//! reads the same in a terminal, a file and a slide.

use super::view::EventView;
use super::words::Messages;
use super::{Color, human};
use crate::check::ViolationKind;
use crate::describe::violation_names as names;
use crate::history::Event;
use crate::run::Run;
use crate::scenario::Scenario;
use crate::text::Escaped;
use std::fmt::Write;

/// Width of one column of the side-by-side part.
const COLUMN: usize = 62;
/// Width of the event part of a column line before its text: `  1234 ms  client-1  `.
const LEAD: usize = 21;

/// One side of the comparison.
pub struct Side<'a> {
    pub scenario: &'a Scenario,
    pub run: &'a Run,
}

/// The whole side-by-side report.
pub fn render(a: &Side<'_>, b: &Side<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", Escaped(&a.scenario.name));
    let _ = writeln!(out, "seed {}", a.run.seed);
    for (label, side) in [("A", a), ("B", b)] {
        let _ = writeln!(
            out,
            "{} {label}: {}: {}",
            side.scenario.api.noun(),
            Escaped(side.scenario.api.name()),
            Escaped(side.scenario.api.summary())
        );
    }
    let _ = writeln!(out);
    let lines_a = timeline_lines(a);
    let lines_b = timeline_lines(b);
    let events_a = &a.run.output.events;
    let events_b = &b.run.output.events;
    // Events are compared by their views, which name what the indices
    // stand for: index 0 of one design's transactions is not the same
    // transaction as index 0 of the other's.
    let shared = views(a)
        .iter()
        .zip(&views(b))
        .take_while(|(x, y)| x == y)
        .count();
    if shared > 0 {
        let both = match (a.scenario.api.noun(), b.scenario.api.noun()) {
            (x, y) if x == y => format!("both {x}s"),
            _ => "both".to_string(),
        };
        let _ = writeln!(out, "{both} ({shared} events)");
        for line in &lines_a[..shared] {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out);
    }
    if shared == lines_a.len() && shared == lines_b.len() {
        let _ = writeln!(out, "the histories are the same");
    } else {
        let at = events_a
            .get(shared)
            .or(events_b.get(shared))
            .map_or(0, |e| e.at_ms);
        let _ = writeln!(
            out,
            "the histories diverge at event {} ({at} ms)",
            shared + 1
        );
        side_by_side(
            &mut out,
            (&events_a[shared..], &lines_a[shared..]),
            (&events_b[shared..], &lines_b[shared..]),
            (a.scenario.api.name(), b.scenario.api.name()),
        );
    }
    let _ = writeln!(out);
    verdicts(&mut out, a, b);
    out
}

/// The typed view of every event.
fn views(side: &Side<'_>) -> Vec<EventView> {
    let events = &side.run.output.events;
    let messages = Messages::index(events);
    events
        .iter()
        .map(|e| EventView::of(side.scenario, &messages, e))
        .collect()
}

/// The human timeline's line for every event, without colour.
fn timeline_lines(side: &Side<'_>) -> Vec<String> {
    human::timeline_lines(side.scenario, &side.run.output.events, Color::Never)
        .iter()
        .map(|l| narrow_time(l))
        .collect()
}

/// A timeline line with its time right-aligned in six columns instead of eight.
fn narrow_time(line: &str) -> String {
    let trimmed = line.trim_start();
    match trimmed.split_once(' ') {
        Some((ms, rest)) => format!("{ms:>6} {rest}"),
        None => trimmed.to_string(),
    }
}

/// The two remaining timelines in columns, rows aligned by simulated time.
fn side_by_side(
    out: &mut String,
    a: (&[Event], &[String]),
    b: (&[Event], &[String]),
    names: (&str, &str),
) {
    let left = format!("A: {}", names.0);
    let _ = writeln!(out, "{left:<COLUMN$} | B: {}", names.1);
    let _ = writeln!(out, "{}-+-{}", "-".repeat(COLUMN), "-".repeat(COLUMN));
    let (mut i, mut j) = (0, 0);
    while i < a.0.len() || j < b.0.len() {
        let ta = a.0.get(i).map(|e| e.at_ms);
        let tb = b.0.get(j).map(|e| e.at_ms);
        let (left, right) = match (ta, tb) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
                (Some(&a.1[i - 1]), Some(&b.1[j - 1]))
            }
            (Some(x), Some(y)) if x < y => {
                i += 1;
                (Some(&a.1[i - 1]), None)
            }
            (Some(_), None) => {
                i += 1;
                (Some(&a.1[i - 1]), None)
            }
            _ => {
                j += 1;
                (None, Some(&b.1[j - 1]))
            }
        };
        row(out, left, right);
    }
}

fn row(out: &mut String, left: Option<&String>, right: Option<&String>) {
    let l = left.map(|t| cell(t)).unwrap_or_default();
    let r = right.map(|t| cell(t)).unwrap_or_default();
    for k in 0..l.len().max(r.len()) {
        let lt = l.get(k).map_or("", String::as_str);
        let rt = r.get(k).map_or("", String::as_str);
        let line = format!("{lt:<COLUMN$} | {rt}");
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// A timeline line wrapped to the column, continuation lines indented.
fn cell(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    let mut width = COLUMN;
    while rest.len() > width {
        let cut = rest[..width]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|p| *p > LEAD / 2)
            .unwrap_or(width);
        let head: String = rest[..cut].iter().collect();
        lines.push(head.trim_end().to_string());
        rest = rest[cut..]
            .iter()
            .copied()
            .skip_while(|c| *c == ' ')
            .collect();
        width = COLUMN - LEAD;
    }
    let tail: String = rest.iter().collect();
    lines.push(tail);
    for line in lines.iter_mut().skip(1) {
        *line = format!("{}{line}", " ".repeat(LEAD));
    }
    lines
}

fn verdicts(out: &mut String, a: &Side<'_>, b: &Side<'_>) {
    let left = format!("A: {}", a.scenario.api.name());
    let _ = writeln!(
        out,
        "{:<22}{left:<30}B: {}",
        "invariant",
        b.scenario.api.name()
    );
    for &kind in ViolationKind::ALL {
        let status = |side: &Side<'_>| {
            let n = side
                .run
                .verdict
                .violations
                .iter()
                .filter(|v| v.kind == kind)
                .count();
            match n {
                0 => "ok".to_string(),
                1 => "FAIL".to_string(),
                n => format!("FAIL ({n} times)"),
            }
        };
        let (sa, sb) = (status(a), status(b));
        let mark = if sa == sb { "" } else { "   <- differs" };
        let _ = writeln!(out, "{:<22}{sa:<30}{sb}{mark}", kind.name());
    }
    let _ = writeln!(out);
    for (label, side) in [("A", a), ("B", b)] {
        let _ = writeln!(
            out,
            "{label} {}: found {}; balances {}",
            side.scenario.api.name(),
            names(&side.run.verdict.found),
            balances(side)
        );
        for v in &side.run.verdict.violations {
            let _ = writeln!(
                out,
                "    {}: {}",
                v.kind.name(),
                super::words::summary(side.scenario, &v.summary)
            );
        }
    }
}

fn balances(side: &Side<'_>) -> String {
    side.scenario
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let end = side
                .run
                .output
                .balances
                .get(i)
                .copied()
                .unwrap_or(a.balance);
            format!("{} {} -> {end}", Escaped(&a.name), a.balance)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_wrap_with_an_indent() {
        let long = format!("{} ms  client-1  {}", 5, "word ".repeat(30));
        let lines = cell(&long);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= COLUMN));
        assert!(lines[1].starts_with(&" ".repeat(LEAD)));
    }
}
