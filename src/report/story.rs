//! The story of each key: one sentence per transfer intent that says what
//! happened to it, attempt by attempt, and how it ended.
//!
//! ```text
//! key ck-a9ecb3 (t1, alice → bob 2500): attempt 1 sent at 0 ms, applied at 4 ms
//! (ledger transfer 1), answered 201 created (transfer 1), response lost, timed out at
//! 200 ms, attempt 2 sent at 250 ms, applied again at 252 ms (ledger transfer 2), ...
//! → double-apply, inconsistent-replay
//! ```
//!
//! A reader who wants to know *why* a verdict came out as it did starts here,
//! before the timeline. The story is told from the history alone.

use crate::check::Violation;
use crate::history::{Event, What};
use crate::run::Run;
use crate::scenario::{Scenario, Transfer};
use crate::wire::point;

/// What happened to one transfer intent and its key(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStory {
    pub transfer: String,
    /// Every key the client used for it, in order (more than one after a
    /// restart, an expiry or a per-attempt key).
    pub keys: Vec<String>,
    /// `alice → bob 2500`.
    pub payload: String,
    /// What happened, in order, each a short phrase with its time.
    pub steps: Vec<String>,
    /// The broken invariants that name this transfer or its key, or how it
    /// ended when none did.
    pub ending: String,
    /// True when an invariant broke for this transfer.
    pub broken: bool,
}

impl KeyStory {
    /// The whole story as one line.
    pub fn line(&self) -> String {
        format!(
            "{} ({}, {}): {} → {}",
            self.subject(),
            self.transfer,
            self.payload,
            self.steps.join(", "),
            self.ending
        )
    }

    /// `key ck-1a2b3c`, `keys a, b` or `no key`.
    pub fn subject(&self) -> String {
        match self.keys.as_slice() {
            [] => "no key".to_string(),
            [one] => format!("key {one}"),
            many => format!("keys {}", many.join(", ")),
        }
    }
}

/// One story per transfer intent, in scenario order.
pub fn stories(scenario: &Scenario, run: &Run) -> Vec<KeyStory> {
    scenario
        .transfers()
        .map(|(_, t)| story(t, &run.output.events, &run.verdict.violations))
        .collect()
}

fn story(transfer: &Transfer, events: &[Event], violations: &[Violation]) -> KeyStory {
    let mut teller = Teller {
        id: &transfer.id,
        keys: Vec::new(),
        steps: Vec::new(),
        applied: Vec::new(),
        last_sent: 0,
    };
    for event in events {
        teller.event(event);
    }
    let broken: Vec<&Violation> = violations
        .iter()
        .filter(|v| {
            v.transfer.as_deref() == Some(transfer.id.as_str())
                || (v.transfer.is_none() && v.key.as_ref().is_some_and(|k| teller.keys.contains(k)))
        })
        .collect();
    let ending = if broken.is_empty() {
        match teller.applied.len() {
            0 => "never applied".to_string(),
            1 => "applied exactly once".to_string(),
            n => format!("applied {n} times"),
        }
    } else {
        let mut kinds: Vec<_> = broken.iter().map(|v| v.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    KeyStory {
        transfer: transfer.id.clone(),
        keys: teller.keys,
        payload: format!("{} → {} {}", transfer.from, transfer.to, transfer.amount),
        steps: teller.steps,
        ending,
        broken: !broken.is_empty(),
    }
}

struct Teller<'a> {
    id: &'a str,
    keys: Vec<String>,
    steps: Vec<String>,
    /// Ledger transfer ids that applied this intent.
    applied: Vec<u64>,
    /// The attempt the client sent last: a phrase about an older one names it.
    last_sent: u32,
}

impl Teller<'_> {
    fn mine(&self, transfer: &str) -> bool {
        transfer == self.id
    }

    /// `attempt 1 ` when `attempt` is not the one the client sent last, else nothing.
    fn whose(&self, attempt: u32) -> String {
        if attempt == self.last_sent {
            String::new()
        } else {
            format!("attempt {attempt} ")
        }
    }

    fn add_key(&mut self, key: &str) {
        if !self.keys.iter().any(|k| k == key) {
            self.keys.push(key.to_string());
        }
    }

    fn event(&mut self, event: &Event) {
        let at = event.at_ms;
        let step = match &event.what {
            What::KeyObtained {
                transfer,
                key,
                issued_by_server,
            } if self.mine(transfer) => {
                let first = self.keys.is_empty();
                self.add_key(key);
                match (issued_by_server, first) {
                    (true, _) => Some(format!("key {key} issued at {at} ms")),
                    (false, false) => Some(format!("new key {key} at {at} ms")),
                    (false, true) => None,
                }
            }
            What::Sent {
                transfer,
                attempt,
                key,
                ..
            } if self.mine(transfer) => {
                if let Some(k) = key {
                    self.add_key(k);
                }
                self.last_sent = *attempt;
                Some(format!("attempt {attempt} sent at {at} ms"))
            }
            What::Lost {
                transfer, point, ..
            } if self.mine(transfer) => Some(format!("{} lost", message_name(point))),
            What::Held {
                transfer,
                point,
                until_ms,
                ..
            } if self.mine(transfer) => {
                Some(format!("{} held until {until_ms} ms", message_name(point)))
            }
            What::Duplicated {
                transfer, point, ..
            } if self.mine(transfer) => Some(format!("{} delivered twice", message_name(point))),
            What::Stalled {
                transfer,
                at: boundary,
                stall_ms,
                ..
            } if self.mine(transfer) => Some(format!("API stalled {stall_ms} ms at {boundary}")),
            What::Crashed {
                host,
                transfer: Some(t),
                ..
            } if self.mine(t) => Some(format!("{host} crashed at {at} ms")),
            What::LedgerEntry {
                transfer,
                attempt,
                transfer_id,
                delta,
                ..
            } if self.mine(transfer) && *delta < 0 && !self.applied.contains(transfer_id) => {
                let again = if self.applied.is_empty() {
                    ""
                } else {
                    " AGAIN"
                };
                self.applied.push(*transfer_id);
                Some(format!(
                    "{}applied{again} at {at} ms (ledger transfer {transfer_id})",
                    self.whose(*attempt)
                ))
            }
            What::ApiReplied {
                transfer,
                attempt,
                body: Some(_),
                response,
                ..
            } if self.mine(transfer) => {
                let whose = self.whose(*attempt);
                let replayed = if response.replayed { ", replayed" } else { "" };
                let mut answer = format!("{} {}", response.status, response.code);
                if let Some(id) = response.transfer_id {
                    answer.push_str(&format!(" (transfer {id})"));
                }
                Some(format!("{whose}answered {answer}{replayed}"))
            }
            What::FailedOpen {
                transfer,
                transaction,
                ..
            } if self.mine(transfer) => Some(format!("{transaction} skipped (fail-open)")),
            What::TimedOut { transfer, .. } if self.mine(transfer) => {
                Some(format!("timed out at {at} ms"))
            }
            What::ClientRestarted { transfer } if self.mine(transfer) => {
                Some(format!("client restarted at {at} ms and forgot its key"))
            }
            What::KeyExpired { key, .. } if self.keys.contains(key) => {
                Some(format!("key {key} expired at {at} ms"))
            }
            What::Finished {
                transfer, outcome, ..
            } if self.mine(transfer) => Some(format!("client told {}", outcome.describe())),
            _ => None,
        };
        if let Some(step) = step {
            self.steps.push(step);
        }
    }
}

/// `request`, `response`, `key request`, or `apply message` for a store call.
fn message_name(p: &str) -> String {
    match p {
        point::REQUEST => "request".to_string(),
        point::RESPONSE => "response".to_string(),
        point::KEY_REQUEST => "key request".to_string(),
        point::KEY_RESPONSE => "key response".to_string(),
        other => format!("{other} message"),
    }
}
