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

use super::view::{self, Drawing};
use super::words::{self, Messages};
use crate::describe;
use crate::history::{Event, Host, TxnResult, What};
use crate::run::Run;
use crate::scenario::Scenario;
use crate::text::Escaped;
use crate::vocab::wire::{Call, MsgId, Response, Tag};
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
        let at = event.at_ms;
        match view::drawing(self.scenario, &self.messages, event) {
            Drawing::Message => self.message_event(index),
            Drawing::Note { over, text, tone } => self.note(at, over, text, tone),
            Drawing::Across { text, tone } => {
                self.note_over_all(Some(at), vec![format!("{at} ms: {text}")], tone)
            }
            Drawing::Nothing => {}
        }
    }

    /// A message between lanes: a request, an answer, a store call, or the
    /// network's loss or late release of one.
    fn message_event(&mut self, index: usize) {
        let s = self.scenario;
        let event = &self.events[index];
        let (at, host) = (event.at_ms, event.host);
        match &event.what {
            What::KeyRequested { msg, tag } => {
                let label = format!("POST /keys ({})", self.tag(*tag));
                self.message(index, (host, Host::Api), *msg, Sent::request(label));
            }
            What::Sent {
                msg,
                tag,
                key,
                body,
            } => {
                let label = format!(
                    "{} {} {}→{} {}, {}",
                    describe::request_line(s, crate::vocab::wire::Endpoint::Transfers),
                    self.tag(*tag),
                    describe::account(s, body.from),
                    describe::account(s, body.to),
                    body.amount,
                    describe::key_label(*key)
                );
                self.message(index, (host, Host::Api), *msg, Sent::request(label));
            }
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
            // A request the API receives for the first time is drawn at its send.
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
                What::KeyState { key, from, to, .. } => {
                    keys.push(view::key_change(key, *from, *to))
                }
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
            let mut lines = vec![format!(
                "FAIL {}: {}",
                v.kind.name(),
                words::summary(self.scenario, &v.summary)
            )];
            lines.extend(
                v.evidence
                    .iter()
                    .map(|fact| words::evidence(self.scenario, fact)),
            );
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
