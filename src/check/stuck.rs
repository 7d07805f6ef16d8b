//! `stuck-key`: after the faults stopped, the client kept retrying and never
//! learned the outcome, because the key is wedged: its record is left in
//! progress and the design gives it no expiry, so no retry can ever finish.
//!
//! A client that ran out of attempts while faults still acted has an unknown
//! outcome, which is no violation: the fault, not the design, kept it in the
//! dark. Nor is a client that gave up while a claim was merely waiting to go
//! stale: the design would have let a later retry through.

use super::{Facts, Violation};
use crate::history::Outcome;
use crate::scenario::ViolationKind;
use crate::world::store::{KeyRecord, KeyState};

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    for (transfer, view) in &facts.clients {
        let Some(Outcome::Unknown { last }) = &view.outcome else {
            continue;
        };
        let after_heal = facts.attempts_after_heal(view);
        if after_heal == 0 {
            continue;
        }
        let Some(key) = &view.key else { continue };
        let Some((record_key, record)) = final_record(facts, key) else {
            continue;
        };
        let wedged = matches!(record.state, KeyState::InProgress { .. })
            && facts.scenario.design.lock_ms.is_none();
        if !wedged {
            continue;
        }
        out.push(Violation {
            kind: ViolationKind::StuckKey,
            transfer: Some(transfer.clone()),
            key: view.key.clone(),
            summary: format!(
                "{transfer} never reached a final answer, though {after_heal} attempts came after the faults healed at {} ms",
                facts.scenario.window.heal_at_ms
            ),
            evidence: vec![
                format!("last attempt: {last}"),
                format!("key {record_key} is left in progress, and the design lets no claim expire"),
            ],
        });
    }
    out
}

/// The record a client's key ended with (scoped per client or not).
fn final_record<'a>(facts: &'a Facts, key: &str) -> Option<(&'a str, &'a KeyRecord)> {
    let scoped = format!("/{key}");
    facts
        .output
        .records
        .iter()
        .find(|(_, k, _)| k == key || k.ends_with(&scoped))
        .map(|(_, k, r)| (k.as_str(), r))
}
