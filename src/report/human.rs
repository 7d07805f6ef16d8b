//! The narrated timeline a student can follow, then one line per invariant,
//! how the transfers ended, the balances, the expectation, the seed and the
//! command that replays the run.
//!
//! Everything the scenario names (accounts, ids, the design, codes) is shown
//! with control characters escaped, so a hostile file cannot drive the
//! terminal or forge a line.

use super::view::{self, Mark};
use super::words::{self, Messages};
use super::{Color, Paint};
use crate::check::{Violation, ViolationKind};
use crate::describe;
use crate::history::Event;
use crate::run::{Replay, Run};
use crate::scenario::{Provenance, Scenario};
use crate::text::{Escaped, escape, wrap};
use crate::world::EndReason;
use std::fmt::Write;

/// The whole human report of one run of `scenario`, which came from
/// `source` (the replay command names its file and program).
pub fn render(scenario: &Scenario, source: &Provenance, run: &Run, color: Color) -> String {
    let mut out = String::new();
    header(&mut out, scenario, run, color);
    timeline(&mut out, scenario, &run.output.events, color);
    verdict(&mut out, scenario, source, run, color);
    out
}

fn header(out: &mut String, scenario: &Scenario, run: &Run, color: Color) {
    let _ = writeln!(out, "{}", color.paint(Paint::Bold, &escape(&scenario.name)));
    let _ = writeln!(
        out,
        "{} {}: {}",
        scenario.api.noun(),
        Escaped(scenario.api.name()),
        Escaped(scenario.api.summary())
    );
    let _ = writeln!(out, "seed {}", run.seed);
    if !scenario.description.is_empty() {
        let _ = writeln!(out);
        for line in wrap(&scenario.description, 88) {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out);
}

/// The timeline's lines, one per event, without the heading.
pub fn timeline_lines(scenario: &Scenario, events: &[Event], color: Color) -> Vec<String> {
    let messages = Messages::index(events);
    events
        .iter()
        .map(|event| {
            let (mark, text) = view::timeline_words(scenario, &messages, &event.what);
            let text = match mark {
                Mark::Bad => color.paint(Paint::Red, &text),
                Mark::Fault => color.paint(Paint::Yellow, &text),
                Mark::Plain => text,
            };
            format!(
                "{:>8} ms  {:<9} {}",
                event.at_ms,
                event.host.to_string(),
                text
            )
        })
        .collect()
}

fn timeline(out: &mut String, scenario: &Scenario, events: &[Event], color: Color) {
    let _ = writeln!(out, "{}", color.paint(Paint::Bold, "timeline"));
    for line in timeline_lines(scenario, events, color) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out);
}

/// The evidence of `violation`, a run of `scenario`'s, one line per fact.
pub fn evidence_lines(scenario: &Scenario, violation: &Violation) -> Vec<String> {
    violation
        .evidence
        .iter()
        .map(|fact| words::evidence(scenario, fact))
        .collect()
}

/// One line per invariant: `ok` or `FAIL` with its evidence.
pub(crate) fn invariant_lines(
    out: &mut String,
    scenario: &Scenario,
    violations: &[Violation],
    color: Color,
) {
    for kind in ViolationKind::ALL {
        let broken: Vec<&Violation> = violations.iter().filter(|x| x.kind == *kind).collect();
        if broken.is_empty() {
            let _ = writeln!(
                out,
                "  {}    {}",
                color.paint(Paint::Green, "ok"),
                kind.name()
            );
            continue;
        }
        for b in broken {
            let _ = writeln!(
                out,
                "  {}  {}: {}",
                color.paint(Paint::Red, "FAIL"),
                kind.name(),
                words::summary(scenario, &b.summary)
            );
            for line in evidence_lines(scenario, b) {
                let _ = writeln!(out, "          {line}");
            }
        }
    }
}

/// `transfers: 2 succeeded, 0 failed, 1 unknown`.
pub(crate) fn outcomes_line(run: &Run) -> String {
    let o = run.verdict.outcomes;
    let mut line = format!(
        "transfers: {} succeeded, {} failed, {} unknown",
        o.succeeded, o.failed, o.unknown
    );
    if o.unfinished > 0 {
        let _ = write!(line, ", {} unfinished", o.unfinished);
    }
    line
}

/// Whether to warn that a run shows nothing about exactly-once (see
/// [`crate::check::Verdict::shows_nothing`]).
pub(crate) fn nothing_succeeded(run: &Run) -> bool {
    run.verdict.shows_nothing()
}

fn verdict(out: &mut String, scenario: &Scenario, source: &Provenance, run: &Run, color: Color) {
    let v = &run.verdict;
    match &run.output.end {
        EndReason::Completed => {
            let _ = writeln!(out, "{}", color.paint(Paint::Bold, "invariants"));
            invariant_lines(out, scenario, &v.violations, color);
        }
        EndReason::Panicked {
            host: crate::history::Host::Checker | crate::history::Host::Driver,
            ..
        } => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(Paint::Bold, "invariants: not judged, the run was void")
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Bold,
                    "invariants (judged on what happened before the run stopped)"
                )
            );
            invariant_lines(out, scenario, &v.violations, color);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", outcomes_line(run));
    if nothing_succeeded(run) {
        let _ = writeln!(
            out,
            "{}",
            color.paint(
                Paint::Yellow,
                "warning: no transfer reached a definitive outcome and nothing broke, so this run shows nothing about exactly-once"
            )
        );
    }
    for warning in scenario.warnings() {
        let _ = writeln!(
            out,
            "{}",
            color.paint(
                Paint::Yellow,
                &format!("warning: {}", words::warning(scenario, warning))
            )
        );
    }
    for (what, want, got) in v.outcomes.misses(&scenario.expect) {
        let _ = writeln!(
            out,
            "{}",
            color.paint(
                Paint::Red,
                &format!(
                    "expected {} {what}; {got} did",
                    describe::count(
                        usize::try_from(want).expect("MAX_TRANSFERS keeps a count inside usize"),
                        "transfer",
                    )
                )
            )
        );
    }
    let balances: Vec<String> = scenario
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let end = run.output.balances.get(i).copied().unwrap_or(a.balance);
            format!("{} {} -> {end}", Escaped(&a.name), a.balance)
        })
        .collect();
    let _ = writeln!(out, "balances: {}", balances.join(", "));
    for index in &run.output.unfired_faults {
        if let Some(note) = super::words::unfired_fault(scenario, *index) {
            let _ = writeln!(out, "note: {note}");
        }
    }
    match &run.output.end {
        EndReason::Completed => {}
        EndReason::LimitReached(limit) => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Red,
                    &format!(
                        "the run did not complete: it stopped at {}",
                        words::limit(*limit)
                    )
                )
            );
        }
        EndReason::Panicked { host, message } => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Red,
                    &format!(
                        "the run did not complete: code in {} panicked: {}",
                        words::panic_site(*host),
                        Escaped(message)
                    )
                )
            );
        }
        EndReason::HostFailed { message, .. } => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Red,
                    &format!(
                        "the run did not complete: a host failed: {}",
                        Escaped(message)
                    )
                )
            );
        }
    }
    let met = if v.met {
        color.paint(Paint::Green, "expectation met")
    } else {
        color.paint(Paint::Red, "EXPECTATION NOT MET")
    };
    let _ = writeln!(
        out,
        "expected: {}; found: {} -> {met}",
        describe::violation_names(&v.expected),
        describe::violation_names(&v.found)
    );
    let _ = writeln!(
        out,
        "seed {}; replay: {}",
        run.seed,
        Escaped(&Replay::of(source, scenario, run).to_string())
    );
}
