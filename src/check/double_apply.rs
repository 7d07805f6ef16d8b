//! `double-apply`: one transfer intent changed balances more than once.
//!
//! Counted per intent, not per key, so that a design that hands out a second
//! key for the same payment (delete-on-done, a client that makes a new key per
//! attempt) is caught too.

use super::{Facts, Violation, key_label};
use crate::scenario::ViolationKind;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    for (transfer, _) in &facts.clients {
        let applications = facts.applications_of(transfer);
        if applications.len() <= 1 {
            continue;
        }
        let evidence = applications
            .iter()
            .map(|e| {
                format!(
                    "ledger transfer {} at {} ms, by attempt {} ({}): {} -{}",
                    e.transfer_id,
                    e.at_ms,
                    e.attempt,
                    key_label(&e.key),
                    e.account,
                    -e.delta
                )
            })
            .collect();
        out.push(Violation {
            kind: ViolationKind::DoubleApply,
            transfer: Some(transfer.clone()),
            key: applications[0].key.clone(),
            summary: format!("{transfer} was applied {} times", applications.len()),
            evidence,
        });
    }
    out
}
