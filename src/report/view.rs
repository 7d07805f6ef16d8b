//! One view of each event, the only place that knows every event kind.
//!
//! [`EventView`] is an event as programs read it: names in place of
//! scenario indices, typed fields, and the few words a person reads
//! (`message`, `reason`) alongside the data. JSON Lines prints it as it
//! serialises, and `docs/history.schema.json` is its JSON Schema, generated
//! from these types so the contract cannot drift from the code.
//!
//! The same event as people read it ([`timeline_words`], [`drawing`]): the timeline's sentence
//! and how the sequence diagram draws it. Both come from exhaustive matches
//! in this module, so a new event kind is its variant in
//! [`crate::history::What`] plus its arm here, and a report cannot forget it.

use super::sequence::Tone;
use super::words::{self, Messages};
use crate::describe;
use crate::history::{Event, Host, Kept, LastAnswer, LogLevel, Outcome, What};
use crate::scenario::Scenario;
use crate::text::Escaped;
use crate::vocab::wire::{Key, MsgId, Response, TransferBody};
use schemars::JsonSchema;
use serde::Serialize;

/// An answer as the reports print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ResponseView {
    pub status: u16,
    /// The machine-readable code of the answer (`created`, `conflict`).
    pub code: String,
    /// The ledger's id for the applied transfer, in a success body.
    pub transfer_id: Option<u64>,
    /// The key, in the answer to `POST /keys`.
    pub key: Option<String>,
    /// A stored answer, replayed (`Idempotent-Replayed: true`).
    pub replayed: bool,
    /// The API says this answer is final, whatever its status.
    #[serde(rename = "final")]
    pub final_answer: bool,
}

impl ResponseView {
    pub fn of(r: &Response) -> ResponseView {
        ResponseView {
            status: r.status,
            code: r.code.as_str().to_string(),
            transfer_id: r.transfer_id,
            key: key(r.key),
            replayed: r.replayed,
            final_answer: r.final_answer,
        }
    }
}

/// A transfer's body: accounts by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct BodyView {
    pub from: String,
    pub to: String,
    pub amount: i64,
}

impl BodyView {
    fn of(s: &Scenario, b: &TransferBody) -> BodyView {
        BodyView {
            from: s.account_name(b.from).to_string(),
            to: s.account_name(b.to).to_string(),
            amount: b.amount,
        }
    }
}

/// What a client finally knows about a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum OutcomeView {
    Succeeded {
        response: ResponseView,
    },
    Failed {
        response: ResponseView,
    },
    /// No definitive answer: `last` says what the client heard last.
    Unknown {
        last: String,
        last_response: Option<ResponseView>,
    },
}

impl OutcomeView {
    fn of(o: &Outcome) -> OutcomeView {
        match o {
            Outcome::Succeeded(r) => OutcomeView::Succeeded {
                response: ResponseView::of(r),
            },
            Outcome::Failed(r) => OutcomeView::Failed {
                response: ResponseView::of(r),
            },
            Outcome::Unknown(last) => OutcomeView::Unknown {
                last: describe::last_answer(last),
                last_response: match last {
                    LastAnswer::Answer(r) => Some(ResponseView::of(r)),
                    LastAnswer::TimedOut => None,
                },
            },
        }
    }
}

/// One event: when, which host recorded it, and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct EventView {
    pub at_ms: u64,
    /// The host that recorded the event (a crash's or restart's `host` is
    /// the host that crashed or restarted).
    pub host: String,
    #[serde(flatten)]
    pub what: WhatView,
}

/// What happened, by `event` name; `docs/json-lines.md` tells each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum WhatView {
    KeyRequested {
        msg: MsgId,
        transfer: String,
        attempt: u32,
    },
    KeyObtained {
        transfer: String,
        key: String,
        issued_by_server: bool,
    },
    Sent {
        msg: MsgId,
        transfer: String,
        attempt: u32,
        key: Option<String>,
        body: BodyView,
    },
    Received {
        transfer: String,
        attempt: u32,
        response: ResponseView,
    },
    TimedOut {
        transfer: String,
        attempt: u32,
    },
    LateAnswer {
        transfer: String,
        attempt: u32,
        response: ResponseView,
    },
    Backoff {
        transfer: String,
        wait_ms: u64,
        until_heal: bool,
    },
    LivenessPhase {
        transfer: String,
        deadline_ms: u64,
    },
    Finished {
        transfer: String,
        attempts: u32,
        outcome: OutcomeView,
    },
    ApiReceived {
        msg: MsgId,
        transfer: String,
        attempt: u32,
        path: String,
        key: Option<String>,
        body: Option<BodyView>,
    },
    Txn {
        msg: MsgId,
        result_msg: MsgId,
        store: String,
        transaction: String,
        transfer: String,
        attempt: u32,
        result: String,
    },
    LedgerEntry {
        transfer: String,
        attempt: u32,
        transfer_id: u64,
        key: Option<String>,
        account: String,
        delta: i64,
    },
    ApiReplied {
        msg: MsgId,
        request_msg: MsgId,
        transfer: String,
        attempt: u32,
        key: Option<String>,
        body: Option<BodyView>,
        response: ResponseView,
    },
    FailedOpen {
        transfer: String,
        attempt: u32,
        transaction: String,
    },
    HandlerDropped {
        transfer: String,
        attempt: u32,
        spawned: u32,
    },
    StoreTimeout {
        store: String,
        transfer: String,
        attempt: u32,
        send: u32,
        sends: u32,
    },
    Lost {
        msg: MsgId,
        from: String,
        to: String,
        message: String,
        reason: String,
        cause: String,
        transfer: String,
        attempt: u32,
        point: String,
    },
    Stalled {
        transfer: String,
        attempt: u32,
        at: String,
        stall_ms: u64,
        cause: String,
    },
    Duplicated {
        msg: MsgId,
        from: String,
        to: String,
        message: String,
        cause: String,
        transfer: String,
        attempt: u32,
        point: String,
    },
    ClientRestarted {
        transfer: String,
        attempt: u32,
        cause: String,
    },
    PaysAgain {
        transfer: String,
        attempt: u32,
        time: u32,
        most: u32,
    },
    KeyState {
        store: String,
        key: String,
        from: String,
        to: String,
    },
    KeyExpired {
        store: String,
        key: String,
        transfer: String,
        attempt: u32,
        cause: String,
    },
    Outage {
        store: String,
        until_ms: u64,
        cause: String,
    },
    KeyEvicted {
        store: String,
        key: String,
    },
    Completing {
        key: String,
        transfer: String,
        since_ms: u64,
    },
    Held {
        msg: MsgId,
        from: String,
        to: String,
        message: String,
        until_ms: u64,
        reason: String,
        cause: String,
        transfer: String,
        attempt: u32,
        point: String,
    },
    Released {
        msg: MsgId,
        from: String,
        to: String,
        message: String,
    },
    Crashed {
        host: String,
        reason: String,
        cause: String,
        at: Option<String>,
        transfer: Option<String>,
        attempt: Option<u32>,
    },
    Restarted {
        host: String,
        /// `durable` or `nothing`.
        kept: String,
        records_lost: u64,
    },
    Healed,
    LimitReached {
        limit: String,
    },
    Panicked {
        panicked_host: String,
        message: String,
    },
    /// A `tracing` event of the host's code (`--log`).
    Log {
        /// The transfer and attempt the code served; null when it served none.
        transfer: Option<String>,
        attempt: Option<u32>,
        /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
        level: String,
        /// The event's target: the logging module's path unless the code names one.
        target: String,
        message: String,
    },
}

fn key(k: Option<Key>) -> Option<String> {
    k.map(|k| k.to_string())
}

impl EventView {
    /// The view of `event`: the one match over every event kind's data.
    pub fn of(s: &Scenario, messages: &Messages<'_>, event: &Event) -> EventView {
        let id = |t: crate::history::TransferIx| s.transfer_id(t).to_string();
        let host = |h: &Host| h.to_string();
        let store = |st: &crate::history::StoreName| st.name().to_string();
        let what = match &event.what {
            What::KeyRequested { msg, tag } => WhatView::KeyRequested {
                msg: *msg,
                transfer: id(tag.transfer),
                attempt: tag.attempt,
            },
            What::KeyObtained { transfer, key: k } => WhatView::KeyObtained {
                transfer: id(*transfer),
                key: k.to_string(),
                issued_by_server: k.issued_by_server(),
            },
            What::Sent {
                msg,
                tag,
                key: k,
                body,
            } => WhatView::Sent {
                msg: *msg,
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                key: key(*k),
                body: BodyView::of(s, body),
            },
            What::Received { tag, response } => WhatView::Received {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                response: ResponseView::of(response),
            },
            What::LateAnswer { tag, response } => WhatView::LateAnswer {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                response: ResponseView::of(response),
            },
            What::TimedOut { tag } => WhatView::TimedOut {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
            },
            What::Backoff {
                transfer,
                wait_ms,
                until_heal,
            } => WhatView::Backoff {
                transfer: id(*transfer),
                wait_ms: *wait_ms,
                until_heal: *until_heal,
            },
            What::LivenessPhase {
                transfer,
                deadline_ms,
            } => WhatView::LivenessPhase {
                transfer: id(*transfer),
                deadline_ms: *deadline_ms,
            },
            What::Finished {
                transfer,
                outcome,
                attempts,
            } => WhatView::Finished {
                transfer: id(*transfer),
                attempts: *attempts,
                outcome: OutcomeView::of(outcome),
            },
            What::ApiReceived {
                msg,
                tag,
                endpoint,
                key: k,
                body,
            } => WhatView::ApiReceived {
                msg: *msg,
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                path: endpoint.path().to_string(),
                key: key(*k),
                body: body.map(|b| BodyView::of(s, &b)),
            },
            What::Txn {
                msg,
                result_msg,
                store: st,
                call,
                tag,
                result,
            } => WhatView::Txn {
                msg: *msg,
                result_msg: *result_msg,
                store: store(st),
                transaction: s.api.call_name(*call).to_string(),
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                result: words::txn_result(result),
            },
            What::LedgerEntry {
                tag,
                transfer_id,
                key: k,
                account,
                delta,
            } => WhatView::LedgerEntry {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                transfer_id: *transfer_id,
                key: key(*k),
                account: s.account_name(*account).to_string(),
                delta: *delta,
            },
            What::ApiReplied {
                msg,
                request_msg,
                tag,
                key: k,
                body,
                response,
                ..
            } => WhatView::ApiReplied {
                msg: *msg,
                request_msg: *request_msg,
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                key: key(*k),
                body: body.map(|b| BodyView::of(s, &b)),
                response: ResponseView::of(response),
            },
            What::HandlerDropped { tag, spawned } => WhatView::HandlerDropped {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                spawned: *spawned,
            },
            What::FailedOpen { tag, call } => WhatView::FailedOpen {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                transaction: s.api.call_name(*call).to_string(),
            },
            What::StoreTimeout {
                store: st,
                tag,
                send,
                sends,
            } => WhatView::StoreTimeout {
                store: store(st),
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                send: *send,
                sends: *sends,
            },
            What::Lost {
                msg,
                from,
                to,
                point,
                tag,
                cause,
            } => WhatView::Lost {
                msg: *msg,
                from: host(from),
                to: host(to),
                message: messages.label(s, *msg, *point, *tag),
                reason: words::loss_reason(s, *cause, *point, *tag),
                cause: words::cause_name(*cause).to_string(),
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                point: s.api.point_name(*point).to_string(),
            },
            What::Held {
                msg,
                from,
                to,
                point,
                tag,
                until_ms,
                cause,
            } => WhatView::Held {
                msg: *msg,
                from: host(from),
                to: host(to),
                message: messages.label(s, *msg, *point, *tag),
                until_ms: *until_ms,
                reason: words::hold_reason(s, *cause, *point, *tag),
                cause: words::cause_name(*cause).to_string(),
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                point: s.api.point_name(*point).to_string(),
            },
            What::Released {
                msg,
                from,
                to,
                point,
                tag,
            } => WhatView::Released {
                msg: *msg,
                from: host(from),
                to: host(to),
                message: messages.label(s, *msg, *point, *tag),
            },
            What::Duplicated {
                msg,
                from,
                to,
                point,
                tag,
                cause,
            } => WhatView::Duplicated {
                msg: *msg,
                from: host(from),
                to: host(to),
                message: messages.label(s, *msg, *point, *tag),
                cause: words::cause_name(*cause).to_string(),
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                point: s.api.point_name(*point).to_string(),
            },
            What::Stalled {
                tag,
                boundary,
                stall_ms,
                cause,
            } => WhatView::Stalled {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                at: s.api.place_name(*boundary).to_string(),
                stall_ms: *stall_ms,
                cause: words::cause_name(*cause).to_string(),
            },
            What::ClientRestarted { tag, cause } => WhatView::ClientRestarted {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                cause: words::cause_name(*cause).to_string(),
            },
            What::PaysAgain { tag, time, most } => WhatView::PaysAgain {
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                time: *time,
                most: *most,
            },
            What::Completing {
                key: k,
                tag,
                since_ms,
            } => WhatView::Completing {
                key: k.to_string(),
                transfer: id(tag.transfer),
                since_ms: *since_ms,
            },
            What::KeyEvicted { store: st, key: k } => WhatView::KeyEvicted {
                store: store(st),
                key: k.to_string(),
            },
            What::Outage {
                store: st,
                until_ms,
                cause,
            } => WhatView::Outage {
                store: store(st),
                until_ms: *until_ms,
                cause: words::cause_name(*cause).to_string(),
            },
            What::KeyState {
                store: st,
                key: k,
                from,
                to,
            } => WhatView::KeyState {
                store: store(st),
                key: k.to_string(),
                from: words::key_phase(*from).to_string(),
                to: words::key_phase(*to).to_string(),
            },
            What::KeyExpired {
                store: st,
                key: k,
                tag,
                cause,
            } => WhatView::KeyExpired {
                store: store(st),
                key: k.to_string(),
                transfer: id(tag.transfer),
                attempt: tag.attempt,
                cause: words::cause_name(*cause).to_string(),
            },
            crashed @ What::Crashed {
                host: h,
                cause,
                site,
            } => WhatView::Crashed {
                host: host(h),
                reason: words::crash_reason(s, crashed),
                cause: words::cause_name(*cause).to_string(),
                at: site.map(|x| s.api.place_name(x.boundary).to_string()),
                transfer: site.map(|x| id(x.tag.transfer)),
                attempt: site.map(|x| x.tag.attempt),
            },
            What::Restarted { host: h, kept } => {
                let (kept, records_lost) = match kept {
                    Kept::Durable => ("durable", 0),
                    Kept::Nothing { records } => ("nothing", *records),
                };
                WhatView::Restarted {
                    host: host(h),
                    kept: kept.to_string(),
                    records_lost,
                }
            }
            What::Healed => WhatView::Healed,
            What::LimitReached { limit } => WhatView::LimitReached {
                limit: words::limit(*limit),
            },
            What::Panicked { host: h, message } => WhatView::Panicked {
                panicked_host: host(h),
                message: message.clone(),
            },
            What::Log {
                tag,
                level,
                target,
                message,
            } => WhatView::Log {
                transfer: tag.map(|t| id(t.transfer)),
                attempt: tag.map(|t| t.attempt),
                level: level.name().to_string(),
                target: target.to_string(),
                message: message.to_string(),
            },
        };
        EventView {
            at_ms: event.at_ms,
            host: event.host.to_string(),
            what,
        }
    }
}

/// How a timeline line should catch the eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Ordinary traffic and bookkeeping.
    Plain,
    Fault,
    Bad,
}

/// The timeline's sentence for one event: the one match over every event
/// kind's words for people.
pub fn timeline_words(s: &Scenario, messages: &Messages<'_>, what: &What) -> (Mark, String) {
    use Mark::*;
    let tag = |t| describe::tag(s, t);
    let transfer = |t| describe::transfer(s, t);
    match what {
        What::KeyRequested { tag: t, .. } => (
            Plain,
            format!(
                "-> api  POST /keys for {} (attempt {})",
                transfer(t.transfer),
                t.attempt
            ),
        ),
        What::KeyObtained { transfer: t, key } => (
            Plain,
            format!(
                "has key {key} for {} ({})",
                transfer(*t),
                describe::key_origin(*key)
            ),
        ),
        What::Sent {
            tag: t, key, body, ..
        } => (
            Plain,
            format!(
                "-> api  {} {} {} -> {} {}{}",
                describe::request_line(s, crate::vocab::wire::Endpoint::Transfers),
                tag(*t),
                describe::account(s, body.from),
                describe::account(s, body.to),
                body.amount,
                key.map(|k| format!("  {}", describe::key_carried(s, k)))
                    .unwrap_or_default()
            ),
        ),
        What::Received { tag: t, response } => (
            Plain,
            format!("<- {} for {}", describe::response(response), tag(*t)),
        ),
        What::TimedOut { tag: t } => (Fault, format!("no answer to {}: timed out", tag(*t))),
        What::LateAnswer { tag: t, response } => (
            Plain,
            format!(
                "late answer to {} ignored: {}",
                tag(*t),
                describe::response(response)
            ),
        ),
        What::Backoff {
            transfer: t,
            wait_ms,
            until_heal: false,
        } => (
            Plain,
            format!("backs off {wait_ms} ms before retrying {}", transfer(*t)),
        ),
        What::Backoff {
            transfer: t,
            wait_ms,
            until_heal: true,
        } => (
            Plain,
            format!(
                "has made the {} attempts allowed while faults act: waits {wait_ms} ms, until the heal, to retry {}",
                s.retry.max_attempts,
                transfer(*t)
            ),
        ),
        What::LivenessPhase {
            transfer: t,
            deadline_ms,
        } => (
            Fault,
            format!(
                "{} has no definitive answer yet: keeps retrying until {deadline_ms} ms (liveness phase)",
                transfer(*t)
            ),
        ),
        What::Finished {
            transfer: t,
            outcome,
            attempts,
        } => {
            let mark = match outcome {
                Outcome::Succeeded(_) => Plain,
                _ => Fault,
            };
            (
                mark,
                format!(
                    "{} done after {attempts} attempt{}: {}",
                    transfer(*t),
                    if *attempts == 1 { "" } else { "s" },
                    describe::outcome(outcome)
                ),
            )
        }
        What::ApiReceived {
            tag: t,
            endpoint,
            key,
            ..
        } => (
            Plain,
            format!(
                "received {} {}{}",
                describe::request_line(s, *endpoint),
                tag(*t),
                key.map(|k| format!(" ({k})")).unwrap_or_default()
            ),
        ),
        What::Txn {
            call,
            tag: t,
            result,
            ..
        } => (
            Plain,
            format!(
                "txn {} for {}: {}",
                words::call_name(s, *call),
                tag(*t),
                words::txn_result(result)
            ),
        ),
        What::LedgerEntry {
            tag: t,
            transfer_id,
            account,
            delta,
            ..
        } => (
            Plain,
            format!(
                "{} {delta:+} (ledger transfer {transfer_id}, {})",
                describe::account(s, *account),
                tag(*t)
            ),
        ),
        What::ApiReplied {
            tag: t, response, ..
        } => (
            Plain,
            format!("-> {} for {}", describe::response(response), tag(*t)),
        ),
        What::StoreTimeout {
            store,
            tag: t,
            send,
            sends,
        } => (Fault, words::store_timeout(*store, &tag(*t), *send, *sends)),
        What::HandlerDropped { tag: t, spawned } => (
            Bad,
            format!(
                "handler for {} dropped unfinished: its client closed the connection{}",
                tag(*t),
                words::spawned_go_on(*spawned)
            ),
        ),
        What::FailedOpen { tag: t, call } => (
            Bad,
            format!(
                "key store silent: skips txn {} for {} (fail-open)",
                words::call_name(s, *call),
                tag(*t)
            ),
        ),
        What::Lost {
            msg,
            from,
            to,
            point,
            tag: t,
            cause,
        } => (
            Fault,
            format!(
                "LOST {}, {from} -> {to}: {}",
                messages.label(s, *msg, *point, *t),
                words::loss_reason(s, *cause, *point, *t)
            ),
        ),
        What::Held {
            msg,
            from,
            to,
            point,
            tag: t,
            until_ms,
            cause,
        } => (
            Fault,
            format!(
                "HELD {}, {from} -> {to}, until {until_ms} ms: {}",
                messages.label(s, *msg, *point, *t),
                words::hold_reason(s, *cause, *point, *t)
            ),
        ),
        What::Stalled {
            tag: t,
            boundary,
            stall_ms,
            ..
        } => (
            Fault,
            format!(
                "STALLS {stall_ms} ms at {} of {}",
                s.api.place_name(*boundary),
                tag(*t)
            ),
        ),
        What::Duplicated {
            msg,
            from,
            to,
            point,
            tag: t,
            ..
        } => (
            Fault,
            format!(
                "DUPLICATED {}, {from} -> {to}: it will arrive twice",
                messages.label(s, *msg, *point, *t)
            ),
        ),
        What::PaysAgain { tag: t, time, most } => (
            Bad,
            format!(
                "{} failed for good: pays again with a new key ({time} of at most {most})",
                tag(*t)
            ),
        ),
        What::ClientRestarted { tag: t, cause } => (
            Bad,
            format!(
                "RESTARTED after {} ({}): {}",
                tag(*t),
                words::cause_text(s, *cause),
                words::client_restart_kept(s)
            ),
        ),
        What::KeyState { key, from, to, .. } => (
            Plain,
            format!(
                "key {key}: {} -> {}",
                words::key_phase(*from),
                words::key_phase(*to)
            ),
        ),
        What::KeyExpired {
            store,
            key,
            tag: t,
            cause,
        } => (
            Fault,
            format!(
                "key {key} EXPIRED in {store} as {} was sent ({})",
                tag(*t),
                words::cause_text(s, *cause)
            ),
        ),
        What::Completing {
            key,
            tag: t,
            since_ms,
        } => (
            Plain,
            format!(
                "picks up key {key} of {}, in progress since {since_ms} ms",
                describe::transfer(s, t.transfer)
            ),
        ),
        What::KeyEvicted { store, key } => (
            Fault,
            format!("key {key} EVICTED from {store}: the store was full"),
        ),
        What::Outage {
            store,
            until_ms,
            cause,
        } => (
            Fault,
            format!(
                "{store} UNREACHABLE until {until_ms} ms ({})",
                words::cause_text(s, *cause)
            ),
        ),
        What::Released {
            msg,
            from,
            to,
            point,
            tag: t,
        } => (
            Fault,
            format!(
                "released {}, {from} -> {to}",
                messages.label(s, *msg, *point, *t)
            ),
        ),
        crashed @ What::Crashed { .. } => (
            Bad,
            format!("CRASHED ({})", words::crash_reason(s, crashed)),
        ),
        What::Restarted { kept, .. } => (
            match kept {
                crate::history::Kept::Durable => Fault,
                crate::history::Kept::Nothing { .. } => Bad,
            },
            words::restarted(*kept),
        ),
        What::Healed => (
            Fault,
            "faults stop: the network is healthy from now on".to_string(),
        ),
        What::LimitReached { limit } => (
            Bad,
            format!("run stopped at a limit: {}", words::limit(*limit)),
        ),
        What::Panicked { host, message } => (
            Bad,
            format!(
                "PANICKED in {}: {}",
                words::panic_site(*host),
                Escaped(message)
            ),
        ),
        What::Log {
            tag: t,
            level,
            target,
            message,
        } => (
            match level {
                LogLevel::Error => Bad,
                LogLevel::Warn => Fault,
                _ => Plain,
            },
            format!(
                "log {} {}: {}{}",
                level.name(),
                Escaped(target),
                Escaped(message),
                t.map(|t| format!(" ({})", tag(t))).unwrap_or_default()
            ),
        ),
    }
}

/// How the sequence diagram draws one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drawing {
    /// A message between lanes, drawn by the diagram's own rules (which fold
    /// in what later became of it): requests, answers, store calls, and the
    /// network's losses and releases.
    Message,
    /// A note over the lanes of two hosts (the same host twice for one lane).
    Note {
        over: (Host, Host),
        text: String,
        tone: Tone,
    },
    /// A note across every lane.
    Across { text: String, tone: Tone },
    /// Nothing: the timeline tells it and a diagram gains nothing from it.
    Nothing,
}

/// How the diagram draws `event`: the one match over every event kind's
/// place in the picture.
pub fn drawing(s: &Scenario, messages: &Messages<'_>, event: &Event) -> Drawing {
    let tag = |t| describe::tag(s, t);
    let host = event.host;
    let here = |text: String, tone: Tone| Drawing::Note {
        over: (host, host),
        text,
        tone,
    };
    let at_store = |store: crate::history::StoreName, text: String, tone: Tone| Drawing::Note {
        over: (Host::store(store), Host::store(store)),
        text,
        tone,
    };
    match &event.what {
        What::KeyRequested { .. }
        | What::Sent { .. }
        | What::ApiReceived { .. }
        | What::Txn { .. }
        | What::ApiReplied { .. }
        | What::Lost { .. }
        | What::Released { .. } => Drawing::Message,
        What::Received { .. } | What::Backoff { .. } => Drawing::Nothing,
        What::KeyObtained { transfer, key } => here(
            format!(
                "key {key} for {} ({})",
                describe::transfer(s, *transfer),
                describe::key_origin(*key)
            ),
            Tone::Plain,
        ),
        What::TimedOut { tag: t } => {
            here(format!("no answer to {}: timed out", tag(*t)), Tone::Fault)
        }
        What::LateAnswer { tag: t, .. } => {
            here(format!("late answer to {} ignored", tag(*t)), Tone::Plain)
        }
        What::LivenessPhase {
            transfer,
            deadline_ms,
        } => here(
            format!(
                "{} unanswered after the heal: retries until {deadline_ms} ms",
                describe::transfer(s, *transfer)
            ),
            Tone::Fault,
        ),
        What::Finished {
            transfer,
            outcome,
            attempts,
        } => here(
            format!(
                "{} done after {}: {}",
                describe::transfer(s, *transfer),
                describe::count(*attempts as usize, "attempt"),
                describe::outcome(outcome)
            ),
            match outcome {
                Outcome::Succeeded(_) => Tone::Plain,
                _ => Tone::Fault,
            },
        ),
        What::PaysAgain { tag: t, time, most } => here(
            format!(
                "pays {} again with a new key ({time} of at most {most})",
                describe::transfer(s, t.transfer)
            ),
            Tone::Bad,
        ),
        What::ClientRestarted { tag: t, .. } => here(
            format!(
                "RESTARTED after {}: {}",
                tag(*t),
                words::client_restart_kept(s)
            ),
            Tone::Bad,
        ),
        What::LedgerEntry {
            account,
            delta,
            transfer_id,
            ..
        } => here(
            format!(
                "ledger transfer {transfer_id}: {} {delta:+}",
                describe::account(s, *account)
            ),
            Tone::Plain,
        ),
        What::KeyState {
            store,
            key,
            from,
            to,
        } => at_store(*store, key_change(key, *from, *to), Tone::Plain),
        What::HandlerDropped { tag: t, spawned } => here(
            format!(
                "handler for {} dropped: its client hung up{}",
                tag(*t),
                words::spawned_go_on(*spawned)
            ),
            Tone::Bad,
        ),
        What::FailedOpen { tag: t, call } => here(
            format!(
                "key store silent: skips {} for {} (fail-open)",
                words::call_name(s, *call),
                tag(*t)
            ),
            Tone::Bad,
        ),
        What::StoreTimeout {
            store,
            tag: t,
            send,
            sends,
        } => here(
            words::store_timeout(*store, &tag(*t), *send, *sends),
            Tone::Fault,
        ),
        What::Stalled {
            tag: t,
            boundary,
            stall_ms,
            ..
        } => here(
            format!(
                "STALLS {stall_ms} ms at {} of {}",
                s.api.place_name(*boundary),
                tag(*t)
            ),
            Tone::Fault,
        ),
        What::Completing { .. } => Drawing::Nothing,
        What::Held {
            msg,
            from,
            to,
            point,
            tag: t,
            until_ms,
            ..
        } => Drawing::Note {
            over: (*from, *to),
            text: format!(
                "{} HELD in the network until {until_ms} ms",
                messages.label(s, *msg, *point, *t)
            ),
            tone: Tone::Fault,
        },
        What::Duplicated {
            msg,
            from,
            to,
            point,
            tag: t,
            ..
        } => Drawing::Note {
            over: (*from, *to),
            text: format!(
                "{} DUPLICATED: it will arrive twice",
                messages.label(s, *msg, *point, *t)
            ),
            tone: Tone::Fault,
        },
        What::KeyExpired { store, key, .. } => {
            at_store(*store, format!("key {key} EXPIRED"), Tone::Fault)
        }
        What::KeyEvicted { store, key } => at_store(
            *store,
            format!("key {key} EVICTED: the store was full"),
            Tone::Fault,
        ),
        What::Outage {
            store, until_ms, ..
        } => at_store(
            *store,
            format!("UNREACHABLE until {until_ms} ms"),
            Tone::Fault,
        ),
        crashed @ What::Crashed { host: h, .. } => Drawing::Note {
            over: (*h, *h),
            text: format!("CRASHED: {}", words::crash_reason(s, crashed)),
            tone: Tone::Bad,
        },
        What::Restarted { host: h, kept } => Drawing::Note {
            over: (*h, *h),
            text: words::restarted(*kept),
            tone: match kept {
                Kept::Durable => Tone::Fault,
                Kept::Nothing { .. } => Tone::Bad,
            },
        },
        What::Healed => Drawing::Across {
            text: "faults stop, the network is healthy from now on".to_string(),
            tone: Tone::Plain,
        },
        What::LimitReached { limit } => Drawing::Across {
            text: format!("run stopped at a limit: {}", words::limit(*limit)),
            tone: Tone::Bad,
        },
        What::Log { level, message, .. } => here(
            format!("log {} {}", level.name(), Escaped(message)),
            match level {
                LogLevel::Error => Tone::Bad,
                LogLevel::Warn => Tone::Fault,
                _ => Tone::Plain,
            },
        ),
        What::Panicked { host: h, message } => Drawing::Across {
            text: format!(
                "PANICKED in {}: {}",
                words::panic_site(*h),
                Escaped(message)
            ),
            tone: Tone::Bad,
        },
    }
}

/// `key k1: absent → in progress`, as the diagram notes a key record's change.
pub fn key_change(
    key: &crate::history::RecordKey,
    from: crate::history::KeyPhase,
    to: crate::history::KeyPhase,
) -> String {
    format!(
        "key {key}: {} → {}",
        words::key_phase(from),
        words::key_phase(to)
    )
}
