//! JSON Lines: `{"type": ..., "data": ...}` per line; one line per event, then
//! one per violation, and last a summary. Field names are stable: a field may
//! be added, never renamed or removed (`docs/json-lines.md` describes each).
//!
//! Events are typed in the history; here each becomes the object the format
//! documents, with names in place of indices and the words a person reads
//! (`message`, `reason`) alongside the data a program reads (`msg`, `cause`).

use super::words::{self, Messages};
use crate::check::{Violation, ViolationKind};
use crate::describe;
use crate::history::{Event, LastAnswer, Outcome, What};
use crate::run::{Replay, Run};
use crate::scenario::{Provenance, Scenario};
use crate::wire::{Key, Response, TransferBody};
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

pub(crate) fn response_json(r: &Response) -> Value {
    json!({
        "status": r.status,
        "code": r.code.as_str(),
        "transfer_id": r.transfer_id,
        "key": key(r.key),
        "replayed": r.replayed,
        "final": r.final_answer,
    })
}

fn body_json(s: &Scenario, b: &TransferBody) -> Value {
    json!({
        "from": s.account_name(b.from),
        "to": s.account_name(b.to),
        "amount": b.amount,
    })
}

fn outcome_json(o: &Outcome) -> Value {
    match o {
        Outcome::Succeeded(r) => json!({ "outcome": "succeeded", "response": response_json(r) }),
        Outcome::Failed(r) => json!({ "outcome": "failed", "response": response_json(r) }),
        Outcome::Unknown(last) => json!({
            "outcome": "unknown",
            "last": describe::last_answer(last),
            "last_response": match last {
                LastAnswer::Answer(r) => response_json(r),
                LastAnswer::TimedOut => Value::Null,
            },
        }),
    }
}

fn event_name(what: &What) -> &'static str {
    match what {
        What::KeyRequested { .. } => "key-requested",
        What::KeyObtained { .. } => "key-obtained",
        What::Sent { .. } => "sent",
        What::Received { .. } => "received",
        What::TimedOut { .. } => "timed-out",
        What::LateAnswer { .. } => "late-answer",
        What::Backoff { .. } => "backoff",
        What::LivenessPhase { .. } => "liveness-phase",
        What::Finished { .. } => "finished",
        What::ApiReceived { .. } => "api-received",
        What::Txn { .. } => "txn",
        What::LedgerEntry { .. } => "ledger-entry",
        What::ApiReplied { .. } => "api-replied",
        What::FailedOpen { .. } => "failed-open",
        What::HandlerDropped { .. } => "handler-dropped",
        What::StoreTimeout { .. } => "store-timeout",
        What::Lost { .. } => "lost",
        What::Stalled { .. } => "stalled",
        What::Duplicated { .. } => "duplicated",
        What::ClientRestarted { .. } => "client-restarted",
        What::PaysAgain { .. } => "pays-again",
        What::KeyState { .. } => "key-state",
        What::KeyExpired { .. } => "key-expired",
        What::Outage { .. } => "outage",
        What::KeyEvicted { .. } => "key-evicted",
        What::Completing { .. } => "completing",
        What::Held { .. } => "held",
        What::Released { .. } => "released",
        What::Crashed { .. } => "crashed",
        What::Restarted { .. } => "restarted",
        What::Healed => "healed",
        What::LimitReached { .. } => "limit-reached",
        What::Panicked { .. } => "panicked",
    }
}

/// One event as the format documents it.
pub fn event_json(s: &Scenario, messages: &Messages<'_>, event: &Event) -> Value {
    let mut m = Map::new();
    m.insert("event".into(), json!(event_name(&event.what)));
    m.insert("at_ms".into(), json!(event.at_ms));
    m.insert("host".into(), json!(event.host.to_string()));
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    match &event.what {
        What::KeyRequested { msg, tag } => {
            put("msg", json!(msg));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
        }
        What::KeyObtained { transfer, key: k } => {
            put("transfer", json!(s.transfer_id(*transfer)));
            put("key", json!(k.to_string()));
            put("issued_by_server", json!(k.issued_by_server()));
        }
        What::Sent {
            msg,
            tag,
            key: k,
            body,
        } => {
            put("msg", json!(msg));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("key", key(*k));
            put("body", body_json(s, body));
        }
        What::Received { tag, response } | What::LateAnswer { tag, response } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("response", response_json(response));
        }
        What::TimedOut { tag } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
        }
        What::Backoff {
            transfer,
            wait_ms,
            until_heal,
        } => {
            put("transfer", json!(s.transfer_id(*transfer)));
            put("wait_ms", json!(wait_ms));
            put("until_heal", json!(until_heal));
        }
        What::LivenessPhase {
            transfer,
            deadline_ms,
        } => {
            put("transfer", json!(s.transfer_id(*transfer)));
            put("deadline_ms", json!(deadline_ms));
        }
        What::Finished {
            transfer,
            outcome,
            attempts,
        } => {
            put("transfer", json!(s.transfer_id(*transfer)));
            put("attempts", json!(attempts));
            put("outcome", outcome_json(outcome));
        }
        What::ApiReceived {
            msg,
            tag,
            endpoint,
            key: k,
            body,
        } => {
            put("msg", json!(msg));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("path", json!(endpoint.path()));
            put("key", key(*k));
            put("body", body.map_or(Value::Null, |b| body_json(s, &b)));
        }
        What::Txn {
            msg,
            result_msg,
            store,
            call,
            tag,
            result,
        } => {
            put("msg", json!(msg));
            put("result_msg", json!(result_msg));
            put("store", json!(store.name()));
            put("transaction", json!(s.api.call_name(*call)));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("result", json!(words::txn_result(result)));
        }
        What::LedgerEntry {
            tag,
            transfer_id,
            key: k,
            account,
            delta,
        } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("transfer_id", json!(transfer_id));
            put("key", key(*k));
            put("account", json!(s.account_name(*account)));
            put("delta", json!(delta));
        }
        What::ApiReplied {
            msg,
            request_msg,
            tag,
            key: k,
            body,
            response,
            ..
        } => {
            put("msg", json!(msg));
            put("request_msg", json!(request_msg));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("key", key(*k));
            put("body", body.map_or(Value::Null, |b| body_json(s, &b)));
            put("response", response_json(response));
        }
        What::HandlerDropped { tag, spawned } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("spawned", json!(spawned));
        }
        What::FailedOpen { tag, call } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("transaction", json!(s.api.call_name(*call)));
        }
        What::StoreTimeout {
            store,
            tag,
            send,
            sends,
        } => {
            put("store", json!(store.name()));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("send", json!(send));
            put("sends", json!(sends));
        }
        What::Lost {
            msg,
            from,
            to,
            point,
            tag,
            cause,
        } => {
            put("msg", json!(msg));
            put("from", json!(from.to_string()));
            put("to", json!(to.to_string()));
            put("message", json!(messages.label(s, *msg, *point, *tag)));
            put("reason", json!(words::loss_reason(s, *cause, *point, *tag)));
            put("cause", json!(words::cause_name(*cause)));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("point", json!(s.api.point_name(*point)));
        }
        What::Held {
            msg,
            from,
            to,
            point,
            tag,
            until_ms,
            cause,
        } => {
            put("msg", json!(msg));
            put("from", json!(from.to_string()));
            put("to", json!(to.to_string()));
            put("message", json!(messages.label(s, *msg, *point, *tag)));
            put("until_ms", json!(until_ms));
            put("reason", json!(words::hold_reason(s, *cause, *point, *tag)));
            put("cause", json!(words::cause_name(*cause)));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("point", json!(s.api.point_name(*point)));
        }
        What::Released {
            msg,
            from,
            to,
            point,
            tag,
        } => {
            put("msg", json!(msg));
            put("from", json!(from.to_string()));
            put("to", json!(to.to_string()));
            put("message", json!(messages.label(s, *msg, *point, *tag)));
        }
        What::Duplicated {
            msg,
            from,
            to,
            point,
            tag,
            cause,
        } => {
            put("msg", json!(msg));
            put("from", json!(from.to_string()));
            put("to", json!(to.to_string()));
            put("message", json!(messages.label(s, *msg, *point, *tag)));
            put("cause", json!(words::cause_name(*cause)));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("point", json!(s.api.point_name(*point)));
        }
        What::Stalled {
            tag,
            boundary,
            stall_ms,
            cause,
        } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("at", json!(s.api.boundary_name(*boundary)));
            put("stall_ms", json!(stall_ms));
            put("cause", json!(words::cause_name(*cause)));
        }
        What::ClientRestarted { tag, cause } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("cause", json!(words::cause_name(*cause)));
        }
        What::PaysAgain { tag, time, most } => {
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("time", json!(time));
            put("most", json!(most));
        }
        What::Completing {
            key: k,
            tag,
            since_ms,
        } => {
            put("key", json!(k.to_string()));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("since_ms", json!(since_ms));
        }
        What::KeyEvicted { store, key: k } => {
            put("store", json!(store.name()));
            put("key", json!(k.to_string()));
        }
        What::Outage {
            store,
            until_ms,
            cause,
        } => {
            put("store", json!(store.name()));
            put("until_ms", json!(until_ms));
            put("cause", json!(words::cause_name(*cause)));
        }
        What::KeyState {
            store,
            key: k,
            from,
            to,
        } => {
            put("store", json!(store.name()));
            put("key", json!(k.to_string()));
            put("from", json!(words::key_phase(*from)));
            put("to", json!(words::key_phase(*to)));
        }
        What::KeyExpired {
            store,
            key: k,
            tag,
            cause,
        } => {
            put("store", json!(store.name()));
            put("key", json!(k.to_string()));
            put("transfer", json!(s.transfer_id(tag.transfer)));
            put("attempt", json!(tag.attempt));
            put("cause", json!(words::cause_name(*cause)));
        }
        crashed @ What::Crashed { host, cause, site } => {
            put("host", json!(host.to_string()));
            put("reason", json!(words::crash_reason(s, crashed)));
            put("cause", json!(words::cause_name(*cause)));
            put(
                "at",
                site.map_or(Value::Null, |x| json!(s.api.boundary_name(x.boundary))),
            );
            put(
                "transfer",
                site.map_or(Value::Null, |x| json!(s.transfer_id(x.tag.transfer))),
            );
            put(
                "attempt",
                site.map_or(Value::Null, |x| json!(x.tag.attempt)),
            );
        }
        What::Restarted { host, kept } => {
            put("host", json!(host.to_string()));
            let (kept, lost) = match kept {
                crate::history::Kept::Durable => ("durable", 0),
                crate::history::Kept::Nothing { records } => ("nothing", *records),
            };
            put("kept", json!(kept));
            put("records_lost", json!(lost));
        }
        What::Healed => {}
        What::LimitReached { limit } => put("limit", json!(words::limit(*limit))),
        What::Panicked { host, message } => {
            put("panicked_host", json!(host.to_string()));
            put("message", json!(message));
        }
    }
    Value::Object(m)
}

/// A violation as the format documents it.
pub fn violation_json(s: &Scenario, v: &Violation) -> Value {
    json!({
        "kind": v.kind.name(),
        "transfer": v.transfer.map(|t| s.transfer_id(t)),
        "key": key(v.key),
        "summary": v.summary,
        "evidence": v.evidence,
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
