//! A run as a sequence diagram: messages and notes between lanes.
//!
//! This is the one model behind the Mermaid text and the SVG drawing, so that
//! both show the same story. It is built from the history alone, in one pass
//! plus an index of what became of each message (by message id).
//!
//! Messages are drawn when they are *sent*: a client's request at its `sent`
//! event, the API's answer at its `api-replied` event, a store transaction
//! and its result at the store's `txn` event. When the network later loses
//! such a message, the loss is folded into its arrow (drawn with a cross); when
//! it holds it, a note says so at the send and the arrow is drawn when the
//! network releases it, which is when the message really arrives. Everything
//! else (timeouts, crashes, stalls, expiries, the end of the fault window) is
//! a note over the lanes it concerns. The verdict's evidence closes the diagram.

use super::words::{self, Messages};
use crate::describe;
use crate::history::{Event, Host, Outcome, TxnResult, What};
use crate::run::Run;
use crate::scenario::Scenario;
use crate::text::Escaped;
use crate::wire::{Call, MsgId, Response, Tag};
use std::collections::{BTreeMap, BTreeSet};

/// How a step should catch the eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Ordinary traffic and bookkeeping.
    Plain,
    /// A fault the scenario or the seed injected: a lost, held or duplicated
    /// message, a stall, an expiry, a timeout.
    Fault,
    /// Something that breaks a host or a guarantee: a crash, a fail-open
    /// shortcut, a broken invariant.
    Bad,
    /// An answer that refuses for now or for good: 409 or 422.
    Refusal,
    /// A stored answer replayed, or an expectation met.
    Good,
}

/// One row of the diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A message from one lane to another.
    Message {
        at_ms: u64,
        from: usize,
        to: usize,
        label: String,
        /// An answer (drawn dashed), as opposed to a request.
        reply: bool,
        /// The network lost it: it never arrives.
        lost: bool,
        tone: Tone,
    },
    /// A note over the lanes `first..=last`.
    Note {
        at_ms: Option<u64>,
        first: usize,
        last: usize,
        lines: Vec<String>,
        tone: Tone,
    },
}

/// The whole diagram: lanes in drawing order, then the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    /// Host names: every client, then `api`, `keys`, `ledger`.
    pub lanes: Vec<String>,
    pub steps: Vec<Step>,
}

/// What became of a sent message.
enum Fate {
    Delivered,
    Lost(String),
    Held(u64),
}

/// Builds the diagram of one finished run.
pub fn build(scenario: &Scenario, run: &Run) -> Sequence {
    let events = &run.output.events;
    let mut lanes: Vec<String> = (1..=scenario.clients.len())
        .map(|i| format!("client-{i}"))
        .collect();
    lanes.extend(["api", "keys", "ledger"].map(String::from));
    if scenario.has_processor() {
        lanes.push("processor".to_string());
    }
    if scenario.has_completer() {
        lanes.push("completer".to_string());
    }
    let mut builder = Builder {
        scenario,
        events,
        messages: Messages::index(events),
        fates: BTreeMap::new(),
        used: vec![false; events.len()],
        clients: scenario.clients.len(),
        lanes,
        steps: Vec::new(),
        received: BTreeSet::new(),
    };
    builder.index_fates();
    for index in 0..events.len() {
        if !builder.used[index] {
            builder.used[index] = true;
            builder.event(index);
        }
    }
    builder.closing_notes(run);
    Sequence {
        lanes: builder.lanes,
        steps: builder.steps,
    }
}

struct Builder<'a> {
    scenario: &'a Scenario,
    events: &'a [Event],
    messages: Messages<'a>,
    /// The first loss or hold of each message, by id: the event's index.
    fates: BTreeMap<MsgId, usize>,
    /// Events already drawn, as part of an earlier step.
    used: Vec<bool>,
    clients: usize,
    lanes: Vec<String>,
    steps: Vec<Step>,
    /// Requests the API has received, to tell a duplicate delivery.
    received: BTreeSet<MsgId>,
}

impl Builder<'_> {
    /// The first loss or hold of every message, in one pass.
    fn index_fates(&mut self) {
        for (i, event) in self.events.iter().enumerate() {
            if let What::Lost { msg, .. } | What::Held { msg, .. } = &event.what {
                self.fates.entry(*msg).or_insert(i);
            }
        }
    }

    fn lane(&self, host: Host) -> usize {
        match host {
            Host::Client(c) => (c.0 as usize).min(self.clients.saturating_sub(1)),
            Host::Api => self.clients,
            Host::Keys => self.clients + 1,
            Host::Processor => self.clients + 3,
            Host::Completer => self.lanes.len() - 1,
            _ => self.clients + 2,
        }
    }

    fn last_lane(&self) -> usize {
        self.lanes.len() - 1
    }

    fn tag(&self, tag: Tag) -> String {
        describe::tag(self.scenario, tag)
    }

    fn note(&mut self, at_ms: u64, hosts: (Host, Host), text: String, tone: Tone) {
        let (a, b) = (self.lane(hosts.0), self.lane(hosts.1));
        self.steps.push(Step::Note {
            at_ms: Some(at_ms),
            first: a.min(b),
            last: a.max(b),
            lines: vec![format!("{at_ms} ms: {text}")],
            tone,
        });
    }

    fn note_over_all(&mut self, at_ms: Option<u64>, lines: Vec<String>, tone: Tone) {
        self.steps.push(Step::Note {
            at_ms,
            first: 0,
            last: self.last_lane(),
            lines,
            tone,
        });
    }

    /// What became of message `msg`; marks the loss or hold drawn.
    fn fate(&mut self, msg: MsgId) -> Fate {
        let Some(&j) = self.fates.get(&msg) else {
            return Fate::Delivered;
        };
        if self.used[j] {
            return Fate::Delivered;
        }
        self.used[j] = true;
        match &self.events[j].what {
            What::Lost {
                point, tag, cause, ..
            } => Fate::Lost(words::loss_reason(self.scenario, *cause, *point, *tag)),
            What::Held { until_ms, .. } => Fate::Held(*until_ms),
            _ => Fate::Delivered,
        }
    }

    /// Draws message `msg` sent at event `index`, folding in its later loss or hold.
    fn message(&mut self, index: usize, route: (Host, Host), msg: MsgId, sent: Sent) {
        let at_ms = self.events[index].at_ms;
        let (from, to) = route;
        let (from_lane, to_lane) = (self.lane(from), self.lane(to));
        let label = format!("{at_ms} ms: {}", sent.label);
        match self.fate(msg) {
            Fate::Delivered => self.steps.push(Step::Message {
                at_ms,
                from: from_lane,
                to: to_lane,
                label,
                reply: sent.reply,
                lost: false,
                tone: sent.tone,
            }),
            Fate::Lost(reason) => self.steps.push(Step::Message {
                at_ms,
                from: from_lane,
                to: to_lane,
                label: format!("{label}, LOST: {reason}"),
                reply: sent.reply,
                lost: true,
                tone: Tone::Fault,
            }),
            Fate::Held(until_ms) => self.note(
                at_ms,
                (from, to),
                format!("{} HELD in the network until {until_ms} ms", sent.label),
                Tone::Fault,
            ),
        }
    }

    fn event(&mut self, index: usize) {
        let event = &self.events[index];
        match &event.what {
            What::KeyRequested { .. }
            | What::KeyObtained { .. }
            | What::Sent { .. }
            | What::Received { .. }
            | What::TimedOut { .. }
            | What::LateAnswer { .. }
            | What::Backoff { .. }
            | What::LivenessPhase { .. }
            | What::Finished { .. }
            | What::ClientRestarted { .. }
            | What::PaysAgain { .. } => self.client_event(index),
            What::ApiReceived { .. }
            | What::Txn { .. }
            | What::LedgerEntry { .. }
            | What::KeyState { .. }
            | What::ApiReplied { .. }
            | What::FailedOpen { .. }
            | What::HandlerDropped { .. }
            | What::StoreTimeout { .. }
            | What::Completing { .. }
            | What::Stalled { .. } => self.server_event(index),
            What::Lost { .. }
            | What::Held { .. }
            | What::Released { .. }
            | What::Duplicated { .. }
            | What::KeyExpired { .. }
            | What::KeyEvicted { .. }
            | What::Outage { .. }
            | What::Crashed { .. }
            | What::Restarted { .. }
            | What::Healed
            | What::LimitReached { .. }
            | What::Panicked { .. } => self.fault_event(index),
        }
    }

    /// What a client did: its requests, timeouts and outcomes.
    fn client_event(&mut self, index: usize) {
        let s = self.scenario;
        let event = &self.events[index];
        let (at, host) = (event.at_ms, event.host);
        match &event.what {
            What::KeyRequested { msg, tag } => {
                let label = format!("POST /keys ({})", self.tag(*tag));
                self.message(index, (host, Host::Api), *msg, Sent::request(label));
            }
            What::KeyObtained { transfer, key } => self.note(
                at,
                (host, host),
                format!(
                    "key {key} for {} ({})",
                    describe::transfer(s, *transfer),
                    describe::key_origin(*key)
                ),
                Tone::Plain,
            ),
            What::Sent {
                msg,
                tag,
                key,
                body,
            } => {
                let label = format!(
                    "{} {} {}→{} {}, {}",
                    describe::request_line(s, crate::wire::Endpoint::Transfers),
                    self.tag(*tag),
                    describe::account(s, body.from),
                    describe::account(s, body.to),
                    body.amount,
                    describe::key_label(*key)
                );
                self.message(index, (host, Host::Api), *msg, Sent::request(label));
            }
            What::TimedOut { tag } => self.note(
                at,
                (host, host),
                format!("no answer to {}: timed out", self.tag(*tag)),
                Tone::Fault,
            ),
            What::LateAnswer { tag, .. } => self.note(
                at,
                (host, host),
                format!("late answer to {} ignored", self.tag(*tag)),
                Tone::Plain,
            ),
            What::LivenessPhase {
                transfer,
                deadline_ms,
            } => self.note(
                at,
                (host, host),
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
            } => {
                let tone = match outcome {
                    Outcome::Succeeded(_) => Tone::Plain,
                    _ => Tone::Fault,
                };
                self.note(
                    at,
                    (host, host),
                    format!(
                        "{} done after {}: {}",
                        describe::transfer(s, *transfer),
                        describe::count(*attempts as usize, "attempt"),
                        describe::outcome(outcome)
                    ),
                    tone,
                );
            }
            What::PaysAgain { tag, time, most } => self.note(
                at,
                (host, host),
                format!(
                    "pays {} again with a new key ({time} of at most {most})",
                    describe::transfer(s, tag.transfer)
                ),
                Tone::Bad,
            ),
            What::ClientRestarted { tag, .. } => self.note(
                at,
                (host, host),
                format!(
                    "RESTARTED after {}: {}",
                    self.tag(*tag),
                    words::client_restart_kept(s)
                ),
                Tone::Bad,
            ),
            // Backoff waits are in the timeline; a diagram gains nothing from them.
            _ => {}
        }
    }

    /// What the API and the stores did: requests served, transactions, answers.
    fn server_event(&mut self, index: usize) {
        let s = self.scenario;
        let event = &self.events[index];
        let (at, host) = (event.at_ms, event.host);
        match &event.what {
            What::ApiReceived { msg, tag, .. } if !self.received.insert(*msg) => self.note(
                at,
                (host, host),
                format!("{} arrives again: a duplicate", self.tag(*tag)),
                Tone::Fault,
            ),
            What::Txn {
                result_msg,
                store,
                call,
                tag,
                result,
                ..
            } => self.txn(index, Host::store(*store), *call, *tag, *result_msg, result),
            What::LedgerEntry {
                account,
                delta,
                transfer_id,
                ..
            } => self.note(
                at,
                (host, host),
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
            } => self.note(
                at,
                (Host::store(*store), Host::store(*store)),
                format!(
                    "key {key}: {} → {}",
                    words::key_phase(*from),
                    words::key_phase(*to)
                ),
                Tone::Plain,
            ),
            What::ApiReplied {
                msg, tag, response, ..
            } => {
                let client = Host::Client(s.transfer(tag.transfer).client);
                let sent = Sent {
                    label: answer(response, &self.tag(*tag)),
                    reply: true,
                    tone: answer_tone(response),
                };
                self.message(index, (host, client), *msg, sent);
            }
            What::HandlerDropped { tag, spawned } => self.note(
                at,
                (host, host),
                format!(
                    "handler for {} dropped: its client hung up{}",
                    self.tag(*tag),
                    super::words::spawned_go_on(*spawned)
                ),
                Tone::Bad,
            ),
            What::FailedOpen { tag, call } => self.note(
                at,
                (host, host),
                format!(
                    "key store silent: skips {} for {} (fail-open)",
                    words::call_name(s, *call),
                    self.tag(*tag)
                ),
                Tone::Bad,
            ),
            What::StoreTimeout {
                store,
                tag,
                send,
                sends,
            } => self.note(
                at,
                (host, host),
                words::store_timeout(*store, &self.tag(*tag), *send, *sends),
                Tone::Fault,
            ),
            What::Stalled {
                tag,
                boundary,
                stall_ms,
                ..
            } => self.note(
                at,
                (host, host),
                format!(
                    "STALLS {stall_ms} ms at {} of {}",
                    s.api.boundary_name(*boundary),
                    self.tag(*tag)
                ),
                Tone::Fault,
            ),
            _ => {}
        }
    }

    /// What the network and the hosts suffered: losses, holds, crashes, the end of the faults.
    fn fault_event(&mut self, index: usize) {
        let s = self.scenario;
        let event = &self.events[index];
        let at = event.at_ms;
        match &event.what {
            What::Lost {
                msg,
                from,
                to,
                point,
                tag,
                cause,
            } => {
                let (f, t) = (self.lane(*from), self.lane(*to));
                let label = format!(
                    "{at} ms: {}, LOST: {}",
                    self.messages.label(s, *msg, *point, *tag),
                    words::loss_reason(s, *cause, *point, *tag)
                );
                self.steps.push(Step::Message {
                    at_ms: at,
                    from: f,
                    to: t,
                    label,
                    reply: f > t,
                    lost: true,
                    tone: Tone::Fault,
                });
            }
            What::Held {
                msg,
                from,
                to,
                point,
                tag,
                until_ms,
                ..
            } => {
                let label = self.messages.label(s, *msg, *point, *tag);
                self.note(
                    at,
                    (*from, *to),
                    format!("{label} HELD in the network until {until_ms} ms"),
                    Tone::Fault,
                );
            }
            What::Released {
                msg,
                from,
                to,
                point,
                tag,
            } => {
                let (f, t) = (self.lane(*from), self.lane(*to));
                let label = format!(
                    "{at} ms: {}, released late",
                    self.messages.label(s, *msg, *point, *tag)
                );
                self.steps.push(Step::Message {
                    at_ms: at,
                    from: f,
                    to: t,
                    label,
                    reply: f > t,
                    lost: false,
                    tone: Tone::Fault,
                });
            }
            What::Duplicated {
                msg,
                from,
                to,
                point,
                tag,
                ..
            } => {
                let label = self.messages.label(s, *msg, *point, *tag);
                self.note(
                    at,
                    (*from, *to),
                    format!("{label} DUPLICATED: it will arrive twice"),
                    Tone::Fault,
                );
            }
            What::KeyExpired { store, key, .. } => self.note(
                at,
                (Host::store(*store), Host::store(*store)),
                format!("key {key} EXPIRED"),
                Tone::Fault,
            ),
            What::KeyEvicted { store, key } => self.note(
                at,
                (Host::store(*store), Host::store(*store)),
                format!("key {key} EVICTED: the store was full"),
                Tone::Fault,
            ),
            What::Outage {
                store, until_ms, ..
            } => self.note(
                at,
                (Host::store(*store), Host::store(*store)),
                format!("UNREACHABLE until {until_ms} ms"),
                Tone::Fault,
            ),
            crashed @ What::Crashed { host, .. } => {
                let reason = words::crash_reason(s, crashed);
                self.note(at, (*host, *host), format!("CRASHED: {reason}"), Tone::Bad)
            }
            What::Restarted { host, kept } => self.note(
                at,
                (*host, *host),
                words::restarted(*kept),
                match kept {
                    crate::history::Kept::Durable => Tone::Fault,
                    crate::history::Kept::Nothing { .. } => Tone::Bad,
                },
            ),
            What::Healed => self.note_over_all(
                Some(at),
                vec![format!(
                    "{at} ms: faults stop, the network is healthy from now on"
                )],
                Tone::Plain,
            ),
            What::LimitReached { limit } => self.note_over_all(
                Some(at),
                vec![format!(
                    "{at} ms: run stopped at a limit: {}",
                    words::limit(*limit)
                )],
                Tone::Bad,
            ),
            What::Panicked { host, message } => self.note_over_all(
                Some(at),
                vec![format!(
                    "{at} ms: PANICKED in {}: {}",
                    words::panic_site(*host),
                    Escaped(message)
                )],
                Tone::Bad,
            ),
            _ => {}
        }
    }

    /// A store transaction: the API's call, the money it moved, and its result.
    fn txn(
        &mut self,
        index: usize,
        store: Host,
        call: Call,
        tag: Tag,
        result_msg: MsgId,
        result: &TxnResult,
    ) {
        let at = self.events[index].at_ms;
        // The API's call, or the completer's.
        let caller = if tag.is_completer() {
            Host::Completer
        } else {
            Host::Api
        };
        let (api, store_lane) = (self.lane(caller), self.lane(store));
        self.steps.push(Step::Message {
            at_ms: at,
            from: api,
            to: store_lane,
            label: format!(
                "{at} ms: {} {}",
                words::call_name(self.scenario, call),
                self.tag(tag)
            ),
            reply: false,
            lost: false,
            tone: Tone::Plain,
        });
        self.effects(index, store_lane);
        let tone = match result {
            TxnResult::Stopped(r) if r.replayed => Tone::Good,
            TxnResult::Stopped(r) if matches!(r.status, 409 | 422) => Tone::Refusal,
            _ => Tone::Plain,
        };
        self.message(
            index,
            (store, caller),
            result_msg,
            Sent {
                label: words::txn_result(result),
                reply: true,
                tone,
            },
        );
    }

    /// What a transaction changed in its store (money moved, key states), as one note.
    fn effects(&mut self, index: usize, store_lane: usize) {
        let s = self.scenario;
        let events = self.events;
        let at = events[index].at_ms;
        let host = events[index].host;
        let mut moves: Vec<(u64, String)> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for (j, event) in events.iter().enumerate().skip(index + 1) {
            if event.at_ms != at || event.host != host || self.used[j] {
                break;
            }
            match &event.what {
                What::LedgerEntry {
                    transfer_id,
                    account,
                    delta,
                    ..
                } => moves.push((
                    *transfer_id,
                    format!("{} {delta:+}", describe::account(s, *account)),
                )),
                What::KeyState { key, from, to, .. } => keys.push(format!(
                    "key {key}: {} → {}",
                    words::key_phase(*from),
                    words::key_phase(*to)
                )),
                _ => break,
            }
            self.used[j] = true;
        }
        let mut lines = Vec::new();
        if let Some((first_id, _)) = moves.first() {
            let list: Vec<String> = moves.iter().map(|(_, m)| m.clone()).collect();
            if moves.iter().all(|(id, _)| id == first_id) {
                lines.push(format!(
                    "{at} ms: ledger transfer {first_id}: {}",
                    list.join(", ")
                ));
            } else {
                lines.push(format!("{at} ms: ledger: {}", list.join(", ")));
            }
        }
        for k in keys {
            lines.push(format!("{at} ms: {k}"));
        }
        if !lines.is_empty() {
            self.steps.push(Step::Note {
                at_ms: Some(at),
                first: store_lane,
                last: store_lane,
                lines,
                tone: Tone::Plain,
            });
        }
    }

    /// The broken invariants with their evidence, then the verdict.
    fn closing_notes(&mut self, run: &Run) {
        for v in &run.verdict.violations {
            let mut lines = vec![format!("FAIL {}: {}", v.kind.name(), v.summary)];
            lines.extend(v.evidence.iter().cloned());
            self.note_over_all(None, lines, Tone::Bad);
        }
        let met = if run.verdict.met {
            "expectation met"
        } else {
            "EXPECTATION NOT MET"
        };
        self.note_over_all(
            None,
            vec![format!(
                "expected: {}, found: {} → {met}",
                describe::violation_names(&run.verdict.expected),
                describe::violation_names(&run.verdict.found)
            )],
            if run.verdict.met {
                Tone::Good
            } else {
                Tone::Bad
            },
        );
    }
}

/// What a message carries and how to draw it.
struct Sent {
    label: String,
    reply: bool,
    tone: Tone,
}

impl Sent {
    fn request(label: String) -> Sent {
        Sent {
            label,
            reply: false,
            tone: Tone::Plain,
        }
    }
}

/// An API answer to attempt `tag` as a label; a replay is spelled out.
fn answer(response: &Response, tag: &str) -> String {
    let mut text = format!("{} {}", response.status, Escaped(response.code.as_str()));
    if let Some(id) = response.transfer_id {
        text.push_str(&format!(" (transfer {id})"));
    }
    if let Some(key) = &response.key {
        text.push_str(&format!(" (key {key})"));
    }
    text.push_str(&format!(" for {tag}"));
    if response.replayed {
        text.push_str(", REPLAYED");
    }
    if response.final_answer {
        text.push_str(", FINAL");
    }
    text
}

fn answer_tone(response: &Response) -> Tone {
    if response.replayed {
        Tone::Good
    } else if matches!(response.status, 409 | 422) {
        Tone::Refusal
    } else {
        Tone::Plain
    }
}
