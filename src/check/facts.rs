//! Facts drawn from a run's history once, in one pass, and shared by every
//! invariant: what each client did and learned per transfer, every answer the
//! API gave to a transfer request, and which ledger transfers applied each intent.

use super::OutcomeCounts;
use crate::history::{Outcome, What};
use crate::scenario::{ClientIx, Scenario, TransferIx};
use crate::vocab::wire::{Key, Response, Tag, TransferBody};
use crate::world::{LedgerEntry, RunOutput};

/// An answer the API sent for a transfer request.
pub(crate) struct Reply {
    pub at_ms: u64,
    /// The client that sent the request.
    pub client: ClientIx,
    pub tag: Tag,
    pub key: Option<Key>,
    pub body: TransferBody,
    pub response: Response,
}

/// What a client did and learned for one transfer.
#[derive(Default)]
pub(crate) struct TransferView {
    /// The key it last held.
    pub key: Option<Key>,
    /// Attempt number and send time of each attempt of the transfer itself.
    pub attempts: Vec<(u32, u64)>,
    /// Requests (transfer attempts and key requests) sent at or after the heal.
    pub requests_after_heal: u32,
    /// The liveness deadline, when the client went on past its policy.
    pub liveness_deadline_ms: Option<u64>,
    pub outcome: Option<Outcome>,
}

/// Facts shared by every invariant.
pub(crate) struct Facts<'a> {
    pub scenario: &'a Scenario,
    pub output: &'a RunOutput,
    pub replies: Vec<Reply>,
    /// Per transfer, in [`TransferIx`] order.
    pub views: Vec<TransferView>,
    /// Keys the API issued, with the purpose the client asked for each.
    pub purposes: Vec<(ClientIx, Key, TransferBody)>,
    /// Per transfer: the first ledger entry of each distinct ledger transfer
    /// that debited for it, in order.
    applications: Vec<Vec<&'a LedgerEntry>>,
}

impl<'a> Facts<'a> {
    /// Gathers the facts from the history. The match over events names
    /// every kind, so a new kind does not compile until what the
    /// invariants learn from it is decided.
    pub fn new(scenario: &'a Scenario, output: &'a RunOutput) -> Facts<'a> {
        let n = scenario.transfers.len();
        let mut views: Vec<TransferView> = (0..n).map(|_| TransferView::default()).collect();
        let mut replies = Vec::new();
        let mut purposes = Vec::new();
        let heal = scenario.window.heal_at_ms;
        for event in &output.events {
            match &event.what {
                What::KeyObtained { transfer, key } => views[ix(*transfer)].key = Some(*key),
                What::KeyRequested { tag, .. } if event.at_ms >= heal => {
                    views[ix(tag.transfer)].requests_after_heal += 1
                }
                What::Sent { tag, .. } => {
                    let view = &mut views[ix(tag.transfer)];
                    view.attempts.push((tag.attempt, event.at_ms));
                    if event.at_ms >= heal {
                        view.requests_after_heal += 1;
                    }
                }
                What::LivenessPhase {
                    transfer,
                    deadline_ms,
                } => views[ix(*transfer)].liveness_deadline_ms = Some(*deadline_ms),
                What::Finished {
                    transfer, outcome, ..
                } => views[ix(*transfer)].outcome = Some(outcome.clone()),
                What::ApiReplied {
                    tag,
                    body: Some(body),
                    response:
                        Response {
                            key: Some(issued), ..
                        },
                    ..
                } if tag.key_request => {
                    purposes.push((scenario.transfer(tag.transfer).client, *issued, *body))
                }
                What::ApiReplied {
                    tag,
                    key,
                    body: Some(body),
                    response,
                    ..
                } if !tag.key_request => replies.push(Reply {
                    at_ms: event.at_ms,
                    client: scenario.transfer(tag.transfer).client,
                    tag: *tag,
                    key: *key,
                    body: *body,
                    response: response.clone(),
                }),
                // Listed one by one, with no catch-all, so that a new kind
                // of event does not compile until what the invariants learn
                // from it is decided.
                What::KeyRequested { .. }
                | What::ApiReplied { .. }
                | What::Received { .. }
                | What::TimedOut { .. }
                | What::LateAnswer { .. }
                | What::Backoff { .. }
                | What::ApiReceived { .. }
                | What::Txn { .. }
                | What::LedgerEntry { .. }
                | What::FailedOpen { .. }
                | What::StoreTimeout { .. }
                | What::HandlerDropped { .. }
                | What::Lost { .. }
                | What::Stalled { .. }
                | What::Duplicated { .. }
                | What::ClientRestarted { .. }
                | What::PaysAgain { .. }
                | What::KeyState { .. }
                | What::KeyExpired { .. }
                | What::Completing { .. }
                | What::KeyEvicted { .. }
                | What::Outage { .. }
                | What::Held { .. }
                | What::Released { .. }
                | What::Crashed { .. }
                | What::Restarted { .. }
                | What::Healed
                | What::LimitReached { .. }
                | What::Log { .. }
                | What::Panicked { .. } => {}
            }
        }
        let applications = applications(n, &output.entries);
        Facts {
            scenario,
            output,
            replies,
            views,
            purposes,
            applications,
        }
    }

    /// Every transfer with what its client knows.
    pub fn transfers(&self) -> impl Iterator<Item = (TransferIx, &TransferView)> {
        self.views
            .iter()
            .enumerate()
            .map(|(i, v)| (TransferIx::at(i), v))
    }

    /// Distinct applications of one intent, in order: ledger transfers that
    /// debited for it and were not reversed since (a `refund` nets one to zero).
    pub fn applications_of(&self, transfer: TransferIx) -> &[&'a LedgerEntry] {
        &self.applications[ix(transfer)]
    }

    /// How the transfers ended, as their clients know it.
    pub fn outcome_counts(&self) -> OutcomeCounts {
        let mut counts = OutcomeCounts::default();
        for view in &self.views {
            match &view.outcome {
                Some(Outcome::Succeeded(_)) => counts.succeeded += 1,
                Some(Outcome::Failed(_)) => counts.failed += 1,
                Some(Outcome::Unknown(_)) => counts.unknown += 1,
                None => counts.unfinished += 1,
            }
        }
        counts
    }
}

fn ix(t: TransferIx) -> usize {
    t.0 as usize
}

/// Per transfer: the first debit of each ledger transfer made for it whose
/// net effect is not zero. A reversal (a design's `refund`) carries the
/// ledger transfer id it reverses, so what counts is the net movement per
/// ledger transfer, not how many entries it has.
fn applications(n: usize, entries: &[LedgerEntry]) -> Vec<Vec<&LedgerEntry>> {
    use std::collections::BTreeMap;
    let mut net: BTreeMap<(u64, crate::scenario::AccountIx), i64> = BTreeMap::new();
    for e in entries {
        *net.entry((e.transfer_id, e.account)).or_default() += e.delta;
    }
    let moved = |transfer_id: u64| {
        net.range((transfer_id, crate::scenario::AccountIx(0))..)
            .take_while(|((id, _), _)| *id == transfer_id)
            .any(|(_, delta)| *delta != 0)
    };
    let mut applications: Vec<Vec<&LedgerEntry>> = vec![Vec::new(); n];
    let mut seen = std::collections::BTreeSet::new();
    for entry in entries.iter().filter(|e| e.delta < 0) {
        if seen.insert(entry.transfer_id) && moved(entry.transfer_id) {
            applications[ix(entry.tag.transfer)].push(entry);
        }
    }
    applications
}
