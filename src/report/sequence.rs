//! A run as a sequence diagram: messages and notes between lanes.
//!
//! This is the one model behind the Mermaid text and the SVG drawing, so that
//! both show the same story. It is built from the history alone.
//!
//! Messages are drawn when they are *sent*: a client's request at its `sent`
//! event, the API's answer at its `api-replied` event, a store transaction
//! and its result at the store's `txn` event. When the network later loses
//! such a message, the loss is folded into its arrow (drawn with a cross); when
//! it holds it, a note says so at the send and the arrow is drawn when the
//! network releases it, which is when the message really arrives. Everything
//! else (timeouts, crashes, stalls, expiries, the end of the fault window) is
//! a note over the lanes it concerns. The verdict's evidence closes the diagram.

use crate::history::{Event, Outcome, What};
use crate::run::Run;
use crate::scenario::Scenario;
use crate::wire::{HttpResponse, point};

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

/// Builds the diagram of one finished run.
pub fn build(scenario: &Scenario, run: &Run) -> Sequence {
    let mut lanes: Vec<String> = (1..=scenario.clients.len())
        .map(|i| format!("client-{i}"))
        .collect();
    lanes.extend(["api", "keys", "ledger"].map(String::from));
    let mut builder = Builder {
        scenario,
        events: &run.output.events,
        used: vec![false; run.output.events.len()],
        lanes,
        steps: Vec::new(),
        received: Vec::new(),
    };
    for index in 0..builder.events.len() {
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

/// What became of a sent message, found later in the history.
enum Fate {
    Delivered,
    Lost(String),
    Held(u64),
}

struct Builder<'a> {
    scenario: &'a Scenario,
    events: &'a [Event],
    /// Events already drawn, as part of an earlier step.
    used: Vec<bool>,
    lanes: Vec<String>,
    steps: Vec<Step>,
    /// Requests the API has received, to tell a duplicate delivery.
    received: Vec<(String, u32, String)>,
}

impl Builder<'_> {
    fn lane(&self, host: &str) -> usize {
        self.lanes
            .iter()
            .position(|l| l == host)
            .unwrap_or(self.lanes.len() - 1)
    }

    fn last_lane(&self) -> usize {
        self.lanes.len() - 1
    }

    /// The client host that runs `transfer`.
    fn client_of(&self, transfer: &str) -> String {
        let index = self
            .scenario
            .transfers()
            .find(|(_, t)| t.id == transfer)
            .map_or(0, |(client, _)| client);
        format!("client-{}", index + 1)
    }

    fn note(&mut self, at_ms: u64, hosts: (&str, &str), text: String, tone: Tone) {
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

    /// Draws a message sent at event `index`, folding in its later loss or hold.
    fn message(&mut self, index: usize, from: &str, to: &str, sent: Sent<'_>) {
        let at_ms = self.events[index].at_ms;
        let (from_lane, to_lane) = (self.lane(from), self.lane(to));
        let label = format!("{at_ms} ms: {}", sent.label);
        match self.fate(index, from, to, sent.transfer, sent.attempt, sent.point) {
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

    /// The first later loss or hold of the message sent at event `index`; marks it drawn.
    fn fate(
        &mut self,
        index: usize,
        from: &str,
        to: &str,
        transfer: &str,
        attempt: u32,
        point: &str,
    ) -> Fate {
        for j in index + 1..self.events.len() {
            if self.used[j] {
                continue;
            }
            let same = |f: &str, t: &str, tr: &str, a: u32, p: &str| {
                f == from && t == to && tr == transfer && a == attempt && p == point
            };
            match &self.events[j].what {
                What::Lost {
                    from: f,
                    to: t,
                    transfer: tr,
                    attempt: a,
                    point: p,
                    reason,
                    ..
                } if same(f, t, tr, *a, p) => {
                    self.used[j] = true;
                    return Fate::Lost(reason.clone());
                }
                What::Held {
                    from: f,
                    to: t,
                    transfer: tr,
                    attempt: a,
                    point: p,
                    until_ms,
                    ..
                } if same(f, t, tr, *a, p) => {
                    self.used[j] = true;
                    return Fate::Held(*until_ms);
                }
                _ => {}
            }
        }
        Fate::Delivered
    }

    fn event(&mut self, index: usize) {
        let events = self.events;
        let event = &events[index];
        match &event.what {
            What::KeyRequested { .. }
            | What::KeyObtained { .. }
            | What::Sent { .. }
            | What::Received { .. }
            | What::TimedOut { .. }
            | What::LateAnswer { .. }
            | What::Backoff { .. }
            | What::Finished { .. }
            | What::ClientRestarted { .. } => self.client_event(index),
            What::ApiReceived { .. }
            | What::Txn { .. }
            | What::LedgerEntry { .. }
            | What::KeyState { .. }
            | What::ApiReplied { .. }
            | What::FailedOpen { .. }
            | What::StoreTimeout { .. }
            | What::Stalled { .. } => self.server_event(index),
            What::Lost { .. }
            | What::Held { .. }
            | What::Released { .. }
            | What::Duplicated { .. }
            | What::KeyExpired { .. }
            | What::Crashed { .. }
            | What::Restarted { .. }
            | What::Healed
            | What::LimitReached { .. } => self.fault_event(index),
            // An event this diagram has no drawing for yet: its name, so nothing is hidden.
            #[allow(unreachable_patterns)]
            other => {
                let name = event_name(other);
                let host = event.host.clone();
                self.note(event.at_ms, (&host, &host), name, Tone::Plain);
            }
        }
    }

    /// What a client did: its requests, timeouts and outcomes.
    fn client_event(&mut self, index: usize) {
        let events = self.events;
        let event = &events[index];
        let (at, host) = (event.at_ms, event.host.as_str());
        match &event.what {
            What::KeyRequested { transfer, attempt } => self.message(
                index,
                host,
                "api",
                Sent::request(
                    format!("POST /keys ({transfer}#key{attempt})"),
                    transfer,
                    *attempt,
                    point::KEY_REQUEST,
                ),
            ),
            What::KeyObtained {
                transfer,
                key,
                issued_by_server,
            } => {
                let by = crate::history::key_origin(*issued_by_server);
                self.note(
                    at,
                    (host, host),
                    format!("key {key} for {transfer} ({by})"),
                    Tone::Plain,
                );
            }
            What::Sent {
                transfer,
                attempt,
                key,
                body,
                ..
            } => {
                let key = key
                    .as_ref()
                    .map_or("no key".to_string(), |k| format!("key {k}"));
                self.message(
                    index,
                    host,
                    "api",
                    Sent::request(
                        format!(
                            "POST /transfers {transfer}#{attempt} {}→{} {}, {key}",
                            body.from, body.to, body.amount
                        ),
                        transfer,
                        *attempt,
                        point::REQUEST,
                    ),
                );
            }
            What::TimedOut { transfer, attempt } => self.note(
                at,
                (host, host),
                format!("no answer to {transfer}#{attempt}: timed out"),
                Tone::Fault,
            ),
            What::LateAnswer {
                transfer, attempt, ..
            } => self.note(
                at,
                (host, host),
                format!("late answer to {transfer}#{attempt} ignored"),
                Tone::Plain,
            ),
            What::Finished {
                transfer,
                outcome,
                attempts,
                ..
            } => {
                let tone = match outcome {
                    Outcome::Succeeded { .. } => Tone::Plain,
                    _ => Tone::Fault,
                };
                self.note(
                    at,
                    (host, host),
                    format!(
                        "{transfer} done after {attempts} attempts: {}",
                        outcome.describe()
                    ),
                    tone,
                );
            }
            What::ClientRestarted { transfer } => self.note(
                at,
                (host, host),
                format!("RESTARTED: forgot the key of {transfer}"),
                Tone::Bad,
            ),
            // Backoff waits are in the timeline; a diagram gains nothing from them.
            What::Backoff { .. } | What::Received { .. } => {}
            _ => {}
        }
    }

    /// What the API and the stores did: requests served, transactions, answers.
    fn server_event(&mut self, index: usize) {
        let events = self.events;
        let event = &events[index];
        let (at, host) = (event.at_ms, event.host.as_str());
        match &event.what {
            What::ApiReceived {
                transfer,
                attempt,
                path,
                ..
            } => {
                let id = (transfer.clone(), *attempt, path.clone());
                if self.received.contains(&id) {
                    self.note(
                        at,
                        (host, host),
                        format!("{transfer}#{attempt} arrives again: a duplicate"),
                        Tone::Fault,
                    );
                } else {
                    self.received.push(id);
                }
            }
            What::Txn {
                store,
                transaction,
                transfer,
                attempt,
                result,
                ..
            } => self.txn(index, store, transaction, transfer, *attempt, result),
            What::LedgerEntry {
                account,
                delta,
                transfer_id,
                ..
            } => self.note(
                at,
                (host, host),
                format!("ledger transfer {transfer_id}: {account} {delta:+}"),
                Tone::Plain,
            ),
            What::KeyState {
                store,
                key,
                from,
                to,
                ..
            } => self.note(
                at,
                (store, store),
                format!("key {key}: {from} → {to}"),
                Tone::Plain,
            ),
            What::ApiReplied {
                transfer,
                attempt,
                body,
                response,
                ..
            } => {
                let client = self.client_of(transfer);
                // Only a transfer request carries a body; `POST /keys` has none.
                let (point, tag) = if body.is_some() {
                    (point::RESPONSE, format!("{transfer}#{attempt}"))
                } else {
                    (point::KEY_RESPONSE, format!("{transfer}#key{attempt}"))
                };
                self.message(
                    index,
                    host,
                    &client,
                    Sent {
                        label: answer(response, &tag),
                        transfer,
                        attempt: *attempt,
                        point,
                        reply: true,
                        tone: answer_tone(response),
                    },
                );
            }
            What::FailedOpen {
                transfer,
                attempt,
                transaction,
                ..
            } => self.note(
                at,
                (host, host),
                format!(
                    "key store silent: skips {transaction} for {transfer}#{attempt} (fail-open)"
                ),
                Tone::Bad,
            ),
            What::StoreTimeout {
                store,
                transfer,
                attempt,
                ..
            } => self.note(
                at,
                (host, host),
                format!("no answer from {store} for {transfer}#{attempt}: gives up"),
                Tone::Fault,
            ),
            What::Stalled {
                transfer,
                attempt,
                at: boundary,
                stall_ms,
                ..
            } => self.note(
                at,
                (host, host),
                format!("STALLS {stall_ms} ms at {boundary} of {transfer}#{attempt}"),
                Tone::Fault,
            ),
            _ => {}
        }
    }

    /// What the network and the hosts suffered: losses, holds, crashes, the end of the faults.
    fn fault_event(&mut self, index: usize) {
        let events = self.events;
        let event = &events[index];
        let at = event.at_ms;
        match &event.what {
            What::Lost {
                from,
                to,
                message,
                reason,
                ..
            } => {
                let (f, t) = (self.lane(from), self.lane(to));
                self.steps.push(Step::Message {
                    at_ms: at,
                    from: f,
                    to: t,
                    label: format!("{at} ms: {message}, LOST: {reason}"),
                    reply: f > t,
                    lost: true,
                    tone: Tone::Fault,
                });
            }
            What::Held {
                from,
                to,
                message,
                until_ms,
                ..
            } => self.note(
                at,
                (from, to),
                format!("{message} HELD in the network until {until_ms} ms"),
                Tone::Fault,
            ),
            What::Released { from, to, message } => {
                let (f, t) = (self.lane(from), self.lane(to));
                self.steps.push(Step::Message {
                    at_ms: at,
                    from: f,
                    to: t,
                    label: format!("{at} ms: {message}, released late"),
                    reply: f > t,
                    lost: false,
                    tone: Tone::Fault,
                });
            }
            What::Duplicated {
                from, to, message, ..
            } => self.note(
                at,
                (from, to),
                format!("{message} DUPLICATED: it will arrive twice"),
                Tone::Fault,
            ),
            What::KeyExpired { store, key } => self.note(
                at,
                (store, store),
                format!("key {key} EXPIRED"),
                Tone::Fault,
            ),
            What::Crashed { host, reason, .. } => {
                self.note(at, (host, host), format!("CRASHED: {reason}"), Tone::Bad)
            }
            What::Restarted { host } => self.note(
                at,
                (host, host),
                "restarted: durable state kept, memory lost".to_string(),
                Tone::Fault,
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
                vec![format!("{at} ms: run stopped at a limit: {limit}")],
                Tone::Bad,
            ),
            _ => {}
        }
    }

    /// A store transaction: the API's call, the money it moved, and its result.
    fn txn(
        &mut self,
        index: usize,
        store: &str,
        transaction: &str,
        transfer: &str,
        attempt: u32,
        result: &str,
    ) {
        let at = self.events[index].at_ms;
        let (api, store_lane) = (self.lane("api"), self.lane(store));
        let tag = if transaction == point::ISSUE_KEY {
            format!("{transfer}#key{attempt}")
        } else {
            format!("{transfer}#{attempt}")
        };
        self.steps.push(Step::Message {
            at_ms: at,
            from: api,
            to: store_lane,
            label: format!("{at} ms: {transaction} {tag}"),
            reply: false,
            lost: false,
            tone: Tone::Plain,
        });
        self.effects(index, store_lane);
        let tone = if result.contains("[replayed]") {
            Tone::Good
        } else if result.contains("409") || result.contains("422") {
            Tone::Refusal
        } else {
            Tone::Plain
        };
        self.message(
            index,
            store,
            "api",
            Sent {
                label: result.to_string(),
                transfer,
                attempt,
                point: &point::answer(transaction),
                reply: true,
                tone,
            },
        );
    }

    /// What a transaction changed in its store (money moved, key states), as one note.
    fn effects(&mut self, index: usize, store_lane: usize) {
        let events = self.events;
        let at = events[index].at_ms;
        let host = &events[index].host;
        let mut moves: Vec<(u64, String)> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for (j, event) in events.iter().enumerate().skip(index + 1) {
            if event.at_ms != at || &event.host != host || self.used[j] {
                break;
            }
            match &event.what {
                What::LedgerEntry {
                    transfer_id,
                    account,
                    delta,
                    ..
                } => moves.push((*transfer_id, format!("{account} {delta:+}"))),
                What::KeyState { key, from, to, .. } => {
                    keys.push(format!("key {key}: {from} → {to}"))
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
            let mut lines = vec![format!("FAIL {}: {}", v.kind.name(), v.summary)];
            lines.extend(v.evidence.iter().cloned());
            self.note_over_all(None, lines, Tone::Bad);
        }
        let names = crate::suite::names;
        let met = if run.verdict.met {
            "expectation met"
        } else {
            "EXPECTATION NOT MET"
        };
        self.note_over_all(
            None,
            vec![format!(
                "expected: {}, found: {} → {met}",
                names(&run.verdict.expected),
                names(&run.verdict.found)
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
struct Sent<'a> {
    label: String,
    transfer: &'a str,
    attempt: u32,
    /// Which message of the attempt it is, as the network names it.
    point: &'a str,
    reply: bool,
    tone: Tone,
}

impl<'a> Sent<'a> {
    fn request(label: String, transfer: &'a str, attempt: u32, point: &'a str) -> Sent<'a> {
        Sent {
            label,
            transfer,
            attempt,
            point,
            reply: false,
            tone: Tone::Plain,
        }
    }
}

/// An API answer to attempt `tag` as a label; a replay is spelled out.
fn answer(response: &HttpResponse, tag: &str) -> String {
    let mut text = format!("{} {}", response.status, response.code);
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
    text
}

fn answer_tone(response: &HttpResponse) -> Tone {
    if response.replayed {
        Tone::Good
    } else if matches!(response.status, 409 | 422) {
        Tone::Refusal
    } else {
        Tone::Plain
    }
}

/// The stable name of an event, for events this diagram has no drawing for.
fn event_name(what: &What) -> String {
    serde_json::to_value(what)
        .ok()
        .and_then(|v| v.get("event").and_then(|e| e.as_str()).map(String::from))
        .unwrap_or_else(|| "event".to_string())
}
