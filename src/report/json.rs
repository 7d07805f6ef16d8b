//! JSON Lines: `{"type": ..., "data": ...}` per line; one line per event, then
//! one per violation, and last a summary. Field names are stable: a field may
//! be added, never renamed or removed (`docs/json-lines.md` describes each).
//!
//! Events are typed in the history; here each becomes the object the format
//! documents, with names in place of indices and the words a person reads
//! (`message`, `reason`) alongside the data a program reads (`msg`, `cause`).

use super::view::EventView;
use super::words::{self, Messages};
use crate::check::{Violation, ViolationKind};
use crate::history::Event;
use crate::run::{Replay, Run};
use crate::scenario::{Provenance, Scenario};
use crate::vocab::wire::Key;
use crate::world::EndReason;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// One JSON Lines line.
pub fn line(kind: &str, data: impl Serialize) -> String {
    let mut s =
        serde_json::to_string(&json!({ "type": kind, "data": data })).expect("reports serialise");
    s.push('\n');
    s
}

/// The whole JSON Lines report of one run of `scenario`, which came from
/// `source` (the replay command names its file and program).
pub fn render(scenario: &Scenario, source: &Provenance, run: &Run) -> String {
    let messages = Messages::index(&run.output.events);
    let mut out = String::new();
    for event in &run.output.events {
        out.push_str(&line("event", event_json(scenario, &messages, event)));
    }
    for violation in &run.verdict.violations {
        out.push_str(&line("violation", violation_json(scenario, violation)));
    }
    out.push_str(&line("summary", summary(scenario, source, run)));
    out
}

fn key(k: Option<Key>) -> Value {
    k.map_or(Value::Null, |k| json!(k.to_string()))
}

/// One event as the format documents it: the serialisation of its
/// [`EventView`], with keys in the format's (alphabetical) order.
pub fn event_json(s: &Scenario, messages: &Messages<'_>, event: &Event) -> Value {
    serde_json::to_value(EventView::of(s, messages, event)).expect("events serialise")
}

/// A violation as the format documents it.
pub fn violation_json(s: &Scenario, v: &Violation) -> Value {
    json!({
        "kind": v.kind.name(),
        "transfer": v.transfer.map(|t| s.transfer_id(t)),
        "key": key(v.key),
        "summary": words::summary(s, &v.summary),
        "evidence": v.evidence.iter().map(|fact| words::evidence(s, fact)).collect::<Vec<_>>(),
    })
}

/// Why a run ended, as the format documents it.
pub fn end_json(end: &EndReason) -> Value {
    match end {
        EndReason::Completed => json!({ "end": "completed" }),
        EndReason::LimitReached(limit) => {
            json!({ "end": "limit-reached", "limit": words::limit(*limit) })
        }
        EndReason::Panicked { host, message } => {
            json!({ "end": "panicked", "host": host.to_string(), "message": message })
        }
        EndReason::HostFailed { message, .. } => {
            json!({ "end": "host-failed", "message": message })
        }
    }
}

fn names(kinds: &[ViolationKind]) -> Vec<&'static str> {
    kinds.iter().map(|k| k.name()).collect()
}

fn summary(s: &Scenario, source: &Provenance, run: &Run) -> Value {
    let balances: Map<String, Value> = s
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                a.name.clone(),
                json!(run.output.balances.get(i).copied().unwrap_or(a.balance)),
            )
        })
        .collect();
    let o = run.verdict.outcomes;
    json!({
        "scenario": s.name,
        s.api.noun(): s.api.name(),
        "seed": run.seed,
        "violations": names(&run.verdict.found),
        "expected": names(&run.verdict.expected),
        "met": run.verdict.met,
        "end": end_json(&run.output.end),
        "end_ms": run.output.end_ms,
        "messages": run.output.messages,
        "steps": run.output.steps,
        "skipped_ms": run.output.skipped_ms,
        "liveness_deadline_ms": run.output.liveness_deadline_ms,
        "transfers": {
            "succeeded": o.succeeded,
            "failed": o.failed,
            "unknown": o.unknown,
            "unfinished": o.unfinished,
        },
        "warnings": super::human::nothing_succeeded(run)
            .then_some("shows-nothing")
            .into_iter()
            .chain(s.warnings().iter().map(|w| w.name()))
            .collect::<Vec<_>>(),
        "balances": balances,
        "unfired_faults": run.output.unfired_faults,
        "replay": Replay::of(source, s, run).to_string(),
        "replay_args": Replay::of(source, s, run).args,
    })
}
