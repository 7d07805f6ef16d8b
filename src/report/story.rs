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
//! before the timeline. The stories are told from the history alone, in one
//! pass over it.

use super::words;
use crate::check::Violation;
use crate::describe;
use crate::history::{Event, What};
use crate::run::Run;
use crate::scenario::{Scenario, TransferIx};
use crate::vocab::wire::{Key, Tag};

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
    let mut tellers: Vec<Teller> = scenario.transfer_ixs().map(|_| Teller::default()).collect();
    for event in &run.output.events {
        event_step(scenario, &mut tellers, event);
    }
    tellers
        .into_iter()
        .enumerate()
        .map(|(i, teller)| finish(scenario, TransferIx::at(i), teller, &run.verdict.violations))
        .collect()
}

fn finish(
    scenario: &Scenario,
    ix: TransferIx,
    teller: Teller,
    violations: &[Violation],
) -> KeyStory {
    let transfer = scenario.transfer(ix);
    let broken: Vec<&Violation> = violations
        .iter()
        .filter(|v| {
            v.transfer == Some(ix)
                || (v.transfer.is_none() && v.key.is_some_and(|k| teller.keys.contains(&k)))
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
        describe::violation_names(&kinds)
    };
    KeyStory {
        transfer: describe::transfer(scenario, ix),
        keys: teller.keys.iter().map(|k| k.to_string()).collect(),
        payload: format!(
            "{} → {} {}",
            describe::account(scenario, transfer.from),
            describe::account(scenario, transfer.to),
            transfer.amount
        ),
        steps: teller.steps,
        ending,
        broken: !broken.is_empty(),
    }
}

#[derive(Default)]
struct Teller {
    keys: Vec<Key>,
    steps: Vec<String>,
    /// Ledger transfer ids that applied this intent.
    applied: Vec<u64>,
    /// The attempt the client sent last: a phrase about an older one names it.
    last_sent: u32,
}

impl Teller {
    /// `attempt 1 ` when `tag` is not the attempt the client sent last,
    /// `the completer ` for the completer's own work, else nothing.
    fn whose(&self, tag: Tag) -> String {
        if tag.is_completer() {
            "the completer ".to_string()
        } else if tag.attempt == self.last_sent {
            String::new()
        } else {
            format!("attempt {} ", tag.attempt)
        }
    }

    fn add_key(&mut self, key: Key) {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
    }
}

/// Adds what `event` tells to the story of the transfer it concerns. The
/// match names every kind of event, so a new kind does not compile until
/// its place in the stories is decided.
fn event_step(s: &Scenario, tellers: &mut [Teller], event: &Event) {
    let at = event.at_ms;
    let teller = |t: TransferIx| t.0 as usize;
    let (ix, step) = match &event.what {
        What::KeyObtained { transfer, key } => {
            let t = &mut tellers[teller(*transfer)];
            let first = t.keys.is_empty();
            t.add_key(*key);
            let step = match (key.issued_by_server(), first) {
                (true, _) => Some(format!("key {key} issued at {at} ms")),
                (false, false) => Some(format!("new key {key} at {at} ms")),
                (false, true) => None,
            };
            (teller(*transfer), step)
        }
        What::Sent { tag, key, .. } => {
            let t = &mut tellers[teller(tag.transfer)];
            if let Some(k) = key {
                t.add_key(*k);
            }
            t.last_sent = tag.attempt;
            (
                teller(tag.transfer),
                Some(format!("attempt {} sent at {at} ms", tag.attempt)),
            )
        }
        What::Lost { tag, point, .. } => (
            teller(tag.transfer),
            Some(format!("{} lost", words::message_noun(s, *point))),
        ),
        What::Held {
            tag,
            point,
            until_ms,
            ..
        } => (
            teller(tag.transfer),
            Some(format!(
                "{} held until {until_ms} ms",
                words::message_noun(s, *point)
            )),
        ),
        What::Duplicated { tag, point, .. } => (
            teller(tag.transfer),
            Some(format!(
                "{} delivered twice",
                words::message_noun(s, *point)
            )),
        ),
        What::Stalled {
            tag,
            boundary,
            stall_ms,
            ..
        } => (
            teller(tag.transfer),
            Some(format!(
                "API stalled {stall_ms} ms at {}",
                s.api.place_name(*boundary)
            )),
        ),
        What::Crashed {
            host,
            site: Some(site),
            ..
        } => (
            teller(site.tag.transfer),
            Some(format!("{host} crashed at {at} ms")),
        ),
        What::LedgerEntry {
            tag,
            transfer_id,
            delta,
            ..
        } if *delta < 0 => {
            let t = &mut tellers[teller(tag.transfer)];
            if t.applied.contains(transfer_id) {
                return;
            }
            let again = if t.applied.is_empty() { "" } else { " AGAIN" };
            t.applied.push(*transfer_id);
            (
                teller(tag.transfer),
                Some(format!(
                    "{}applied{again} at {at} ms (ledger transfer {transfer_id})",
                    t.whose(*tag)
                )),
            )
        }
        What::ApiReplied {
            tag,
            body: Some(_),
            response,
            ..
        } => {
            let t = &tellers[teller(tag.transfer)];
            let whose = t.whose(*tag);
            let replayed = if response.replayed { ", replayed" } else { "" };
            let mut answer = format!(
                "{} {}",
                response.status,
                crate::text::Escaped(response.code.as_str())
            );
            if let Some(id) = response.transfer_id {
                answer.push_str(&format!(" (transfer {id})"));
            }
            (
                teller(tag.transfer),
                Some(format!("{whose}answered {answer}{replayed}")),
            )
        }
        What::HandlerDropped { tag, spawned } => (
            teller(tag.transfer),
            Some(format!(
                "its handler dropped when the client hung up{}",
                words::spawned_go_on(*spawned)
            )),
        ),
        What::FailedOpen { tag, call } => (
            teller(tag.transfer),
            Some(format!(
                "{} skipped (fail-open)",
                words::call_name(s, *call)
            )),
        ),
        What::TimedOut { tag } => (teller(tag.transfer), Some(format!("timed out at {at} ms"))),
        What::LivenessPhase {
            transfer,
            deadline_ms,
        } => (
            teller(*transfer),
            Some(format!(
                "still unanswered after the heal, retried until {deadline_ms} ms"
            )),
        ),
        What::PaysAgain { tag, .. } => (
            teller(tag.transfer),
            Some(format!(
                "attempt {} failed for good; the client paid again with a new key at {at} ms",
                tag.attempt
            )),
        ),
        What::ClientRestarted { tag, .. } => (
            teller(tag.transfer),
            Some(
                match s.retry.action(crate::scenario::ClientAnswer::Restart) {
                    crate::scenario::ClientAction::NewKey => {
                        format!("client restarted at {at} ms and forgot its key")
                    }
                    crate::scenario::ClientAction::GiveUp => {
                        format!("client restarted at {at} ms and forgot the transfer")
                    }
                    crate::scenario::ClientAction::Retry => {
                        format!("client restarted at {at} ms, keeping its key")
                    }
                },
            ),
        ),
        What::KeyExpired { key, .. } => {
            for t in tellers.iter_mut().filter(|t| t.keys.contains(&key.key)) {
                t.steps.push(format!("key {} expired at {at} ms", key.key));
            }
            return;
        }
        What::KeyEvicted { key, .. } => {
            for t in tellers.iter_mut().filter(|t| t.keys.contains(&key.key)) {
                t.steps.push(format!(
                    "key {} evicted at {at} ms: the store was full",
                    key.key
                ));
            }
            return;
        }
        What::Finished {
            transfer, outcome, ..
        } => (
            teller(*transfer),
            Some(format!("client told {}", describe::outcome(outcome))),
        ),
        // Listed one by one, with no catch-all, so that a new kind of event
        // does not compile until its place in the stories is decided.
        What::Crashed { site: None, .. }
        | What::LedgerEntry { .. }
        | What::ApiReplied { body: None, .. }
        | What::KeyRequested { .. }
        | What::Received { .. }
        | What::LateAnswer { .. }
        | What::Backoff { .. }
        | What::ApiReceived { .. }
        | What::Txn { .. }
        | What::StoreTimeout { .. }
        | What::KeyState { .. }
        | What::Completing { .. }
        | What::Outage { .. }
        | What::Released { .. }
        | What::Restarted { .. }
        | What::Healed
        | What::LimitReached { .. }
        | What::Log { .. }
        | What::Panicked { .. } => return,
    };
    if let Some(step) = step {
        tellers[ix].steps.push(step);
    }
}
