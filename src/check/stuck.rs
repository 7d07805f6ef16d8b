//! `stuck-key`: after the faults stopped, the client kept retrying and still
//! never learned the outcome (every answer was 409, 5xx or silence).
//!
//! A client that ran out of attempts while faults still acted has an unknown
//! outcome, which is no violation: the fault, not the design, kept it in the dark.

use super::{Facts, Violation};
use crate::history::Outcome;
use crate::scenario::ViolationKind;

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
        out.push(Violation {
            kind: ViolationKind::StuckKey,
            transfer: Some(transfer.clone()),
            key: view.key.clone(),
            summary: format!(
                "{transfer} never reached a final answer, though {after_heal} attempts came after the faults healed at {} ms",
                facts.scenario.window.heal_at_ms
            ),
            evidence: vec![format!("last attempt: {last}")],
        });
    }
    out
}
