//! The checker: reads a run's history and final state and judges every invariant.
//!
//! Each invariant lives in its own module and reports under its stable name
//! (a contract, see [`ViolationKind`]), with the evidence a person needs: which
//! transfer and key, which attempts, which balances, at what times. Operations
//! whose outcome the client never learned are `unknown`, as in Jepsen: they count
//! neither as failures nor as successes.

mod double_apply;
mod lost_apply;
mod mismatch;
mod money;
mod replay;
mod stuck;

use crate::history::{Outcome, What};
use crate::scenario::{Scenario, ViolationKind};
use crate::wire::{HttpResponse, TransferBody};
use crate::world::store::LedgerEntry;
use crate::world::{EndReason, RunOutput};
use serde::Serialize;

/// One broken invariant, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub kind: ViolationKind,
    pub transfer: Option<String>,
    pub key: Option<String>,
    /// One sentence: what broke.
    pub summary: String,
    /// The facts behind it, one per line, with times.
    pub evidence: Vec<String>,
}

/// The verdict of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub violations: Vec<Violation>,
    /// The distinct violation names found, sorted.
    pub found: Vec<ViolationKind>,
    pub expected: Vec<ViolationKind>,
    /// Found equals expected, and the run completed.
    pub met: bool,
    pub end: EndReason,
}

/// An answer the API sent for a transfer request.
pub(crate) struct Reply {
    pub at_ms: u64,
    /// Index of the client that sent the request.
    pub client: usize,
    pub transfer: String,
    pub attempt: u32,
    pub key: Option<String>,
    pub body: TransferBody,
    pub response: HttpResponse,
}

/// What a client did and learned for one transfer.
#[derive(Default)]
pub(crate) struct ClientView {
    pub key: Option<String>,
    /// Attempt number and send time of each attempt.
    pub attempts: Vec<(u32, u64)>,
    pub outcome: Option<Outcome>,
}

/// Facts drawn from the history once, shared by every invariant.
pub(crate) struct Facts<'a> {
    pub scenario: &'a Scenario,
    pub output: &'a RunOutput,
    pub replies: Vec<Reply>,
    /// Per transfer, in scenario order.
    pub clients: Vec<(String, ClientView)>,
}

impl<'a> Facts<'a> {
    fn new(scenario: &'a Scenario, output: &'a RunOutput) -> Facts<'a> {
        let mut clients: Vec<(String, ClientView)> = scenario
            .transfers()
            .map(|(_, t)| (t.id.clone(), ClientView::default()))
            .collect();
        let mut replies = Vec::new();
        for event in &output.events {
            fn view<'v>(
                clients: &'v mut [(String, ClientView)],
                id: &str,
            ) -> Option<&'v mut ClientView> {
                clients.iter_mut().find(|(t, _)| t == id).map(|(_, v)| v)
            }
            match &event.what {
                What::KeyObtained { transfer, key, .. } => {
                    if let Some(v) = view(&mut clients, transfer) {
                        v.key = Some(key.clone());
                    }
                }
                What::Sent {
                    transfer, attempt, ..
                } => {
                    if let Some(v) = view(&mut clients, transfer) {
                        v.attempts.push((*attempt, event.at_ms));
                    }
                }
                What::Finished {
                    transfer, outcome, ..
                } => {
                    if let Some(v) = view(&mut clients, transfer) {
                        v.outcome = Some(outcome.clone());
                    }
                }
                What::ApiReplied {
                    transfer,
                    attempt,
                    key,
                    body: Some(body),
                    response,
                } => replies.push(Reply {
                    at_ms: event.at_ms,
                    client: scenario
                        .transfers()
                        .find(|(_, t)| t.id == *transfer)
                        .map_or(0, |(client, _)| client),
                    transfer: transfer.clone(),
                    attempt: *attempt,
                    key: key.clone(),
                    body: body.clone(),
                    response: response.clone(),
                }),
                _ => {}
            }
        }
        Facts {
            scenario,
            output,
            replies,
            clients,
        }
    }

    /// The ledger entries of one transfer intent.
    pub fn entries_of(&self, transfer: &str) -> impl Iterator<Item = &LedgerEntry> {
        self.output
            .entries
            .iter()
            .filter(move |e| e.transfer == transfer)
    }

    /// Distinct applications (ledger transfer ids) of one intent, in order.
    pub fn applications_of(&self, transfer: &str) -> Vec<&LedgerEntry> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for e in self.entries_of(transfer).filter(|e| e.delta < 0) {
            if !seen.contains(&e.transfer_id) {
                seen.push(e.transfer_id);
                out.push(e);
            }
        }
        out
    }

    /// Attempts sent at or after the fault window closed.
    pub fn attempts_after_heal(&self, view: &ClientView) -> usize {
        let heal = self.scenario.window.heal_at_ms;
        view.attempts.iter().filter(|(_, at)| *at >= heal).count()
    }
}

/// Judges every invariant on one run.
pub fn check(scenario: &Scenario, output: &RunOutput) -> Verdict {
    let facts = Facts::new(scenario, output);
    let mut violations = Vec::new();
    violations.extend(double_apply::check(&facts));
    violations.extend(lost_apply::check(&facts));
    violations.extend(money::check(&facts));
    violations.extend(replay::check(&facts));
    violations.extend(mismatch::check(&facts));
    violations.extend(stuck::check(&facts));
    let mut found: Vec<ViolationKind> = violations.iter().map(|v| v.kind).collect();
    found.sort();
    found.dedup();
    let met = found == scenario.expect && output.end == EndReason::Completed;
    Verdict {
        violations,
        found,
        expected: scenario.expect.clone(),
        met,
        end: output.end.clone(),
    }
}

/// `key ck-1a2b3c`, or `no key`.
pub(crate) fn key_label(key: &Option<String>) -> String {
    match key {
        Some(k) => format!("key {k}"),
        None => "no key".to_string(),
    }
}
