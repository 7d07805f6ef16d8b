//! `money-not-conserved`: the sum of balances changed, or a ledger transfer has a
//! debit without its credit (or the amounts differ).

use super::{Facts, Violation};
use crate::scenario::ViolationKind;
use std::collections::BTreeMap;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    let before: i64 = facts.scenario.accounts.iter().map(|(_, b)| b).sum();
    let after: i64 = facts.output.balances.values().sum();
    if before != after {
        out.push(Violation {
            kind: ViolationKind::MoneyNotConserved,
            transfer: None,
            key: None,
            summary: format!("the sum of balances went from {before} to {after}"),
            evidence: facts
                .scenario
                .accounts
                .iter()
                .map(|(name, start)| {
                    format!(
                        "{name}: {start} -> {}",
                        facts.output.balances.get(name).copied().unwrap_or(0)
                    )
                })
                .collect(),
        });
    }
    // Per ledger transfer id: (intent, debited, credited, debit count, credit count).
    let mut legs: BTreeMap<u64, (String, i64, i64, u32, u32)> = BTreeMap::new();
    for e in &facts.output.entries {
        let leg = legs
            .entry(e.transfer_id)
            .or_insert((e.transfer.clone(), 0, 0, 0, 0));
        if e.delta < 0 {
            leg.1 += -e.delta;
            leg.3 += 1;
        } else {
            leg.2 += e.delta;
            leg.4 += 1;
        }
    }
    for (id, (transfer, debited, credited, debits, credits)) in legs {
        if debited != credited || debits != credits {
            out.push(Violation {
                kind: ViolationKind::MoneyNotConserved,
                transfer: Some(transfer.clone()),
                key: None,
                summary: format!(
                    "ledger transfer {id} of {transfer} debited {debited} but credited {credited}"
                ),
                evidence: vec![format!("{debits} debit entries, {credits} credit entries")],
            });
        }
    }
    out
}
