//! `stuck-key`: after the faults stopped, the client kept retrying through
//! the whole liveness phase (see `world::liveness`) and never learned the
//! outcome: every answer said "try again" (409 forever for a wedged claim or
//! a key that can never be claimed, a stored 5xx replayed forever), or none
//! came at all.
//!
//! A client that ran out of attempts while the faults still acted, and that
//! the scenario does not bring back after the heal (`attempts_after_heal =
//! 0`), has an unknown outcome, which is no violation: the faults, not the
//! design, kept it in the dark.

use super::{Evidence, Facts, RecordLeft, Summary, Violation, ViolationKind};
use crate::history::Outcome;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let s = facts.scenario;
    let mut out = Vec::new();
    for (transfer, view) in facts.transfers() {
        let Some(Outcome::Unknown(last)) = &view.outcome else {
            continue;
        };
        if view.requests_after_heal == 0 {
            continue;
        }
        let mut evidence = vec![
            Evidence::RetriedAfterHeal {
                requests: view.requests_after_heal,
                heal_at_ms: s.window.heal_at_ms,
                last: last.clone(),
            },
            Evidence::LivenessDeadline {
                deadline_ms: view
                    .liveness_deadline_ms
                    .unwrap_or(facts.output.liveness_deadline_ms),
            },
        ];
        if s.api.service().is_some() {
            evidence.extend(service_values_left(facts, transfer));
        } else if let Some(key) = view.key {
            let left: Vec<Evidence> = facts
                .output
                .records
                .iter()
                .filter(|(_, k, _)| k.key == key)
                .map(|(store, k, r)| Evidence::RecordLeft {
                    store: *store,
                    key: *k,
                    state: record_state(r, facts.output.end_ms),
                })
                .collect();
            if left.is_empty() {
                evidence.push(Evidence::NoRecordLeft { key });
            }
            evidence.extend(left);
        }
        out.push(Violation {
            kind: ViolationKind::StuckKey,
            transfer: Some(transfer),
            key: view.key,
            summary: Summary::NeverDefinitive { transfer },
            evidence,
        });
    }
    out
}

/// Values shown of what a service left for one transfer.
const SHOWN_VALUES: usize = 4;

/// What idemsim saw of a service's records for `transfer` at the end (what
/// its requests left in the key store and the ledger), and what it could
/// not (the service's own memory).
fn service_values_left(facts: &Facts, transfer: crate::scenario::TransferIx) -> Vec<Evidence> {
    let left: Vec<&crate::world::ServiceValue> = facts
        .output
        .service_values
        .iter()
        .filter(|v| v.writer == Some(transfer))
        .collect();
    let mut out: Vec<Evidence> = left
        .iter()
        .take(SHOWN_VALUES)
        .map(|v| Evidence::ValueLeft {
            store: v.store,
            key: v.key.clone(),
            expires_at_ms: v.expires_at_ms,
        })
        .collect();
    if left.len() > SHOWN_VALUES {
        out.push(Evidence::MoreValuesLeft {
            count: left.len() - SHOWN_VALUES,
        });
    }
    if left.is_empty() {
        out.push(Evidence::NoValueLeft);
    }
    out.push(Evidence::ServiceMemoryUnseen);
    out
}

fn record_state(record: &crate::world::KeyRecord, end_ms: u64) -> RecordLeft {
    use crate::world::KeyState;
    if record.expires_at_ms.is_some_and(|t| end_ms >= t) {
        return RecordLeft::Expired;
    }
    match &record.state {
        KeyState::Issued => RecordLeft::Issued,
        KeyState::InProgress { .. } => RecordLeft::InProgress,
        KeyState::Done { response } => RecordLeft::Done(response.clone()),
    }
}
