//! JSON Lines: `{"type": ..., "data": ...}` per line; one line per event, then
//! one per violation, and last a summary. Field names are stable.

use crate::run::{Run, replay_command};
use crate::scenario::Scenario;
use serde::Serialize;
use serde_json::json;

fn line(kind: &str, data: impl Serialize) -> String {
    let mut s =
        serde_json::to_string(&json!({ "type": kind, "data": data })).expect("reports serialise");
    s.push('\n');
    s
}

/// The whole JSON Lines report of one run.
pub fn render(scenario: &Scenario, run: &Run) -> String {
    let mut out = String::new();
    for event in &run.output.events {
        out.push_str(&line("event", event));
    }
    for violation in &run.verdict.violations {
        out.push_str(&line("violation", violation));
    }
    out.push_str(&line("summary", summary(scenario, run)));
    out
}

fn summary(scenario: &Scenario, run: &Run) -> serde_json::Value {
    let names =
        |v: &[crate::scenario::ViolationKind]| v.iter().map(|k| k.name()).collect::<Vec<_>>();
    json!({
        "scenario": scenario.name,
        "design": scenario.design.name,
        "seed": run.seed,
        "violations": names(&run.verdict.found),
        "expected": names(&run.verdict.expected),
        "met": run.verdict.met,
        "end": run.output.end,
        "end_ms": run.output.end_ms,
        "messages": run.output.messages,
        "steps": run.output.steps,
        "skipped_ms": run.output.skipped_ms,
        "balances": run.output.balances,
        "unfired_faults": run.output.unfired_faults,
        "replay": replay_command(scenario, run.seed),
    })
}
