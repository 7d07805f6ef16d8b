//! `money-not-conserved`: the sum of balances changed, or a ledger transfer has a
//! debit without its credit (or the amounts differ).

use super::{Evidence, Facts, Summary, Violation, ViolationKind};
use std::collections::BTreeMap;

/// The legs of one ledger transfer.
#[derive(Default)]
struct Legs {
    debited: i64,
    credited: i64,
    debits: u32,
    credits: u32,
}

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let s = facts.scenario;
    let mut out = Vec::new();
    let before: i64 = s.accounts.iter().map(|a| a.balance).sum();
    let after: i64 = facts.output.balances.iter().sum();
    if before != after {
        out.push(Violation {
            kind: ViolationKind::MoneyNotConserved,
            transfer: None,
            key: None,
            summary: Summary::SumChanged { before, after },
            evidence: s
                .accounts
                .iter()
                .zip(&facts.output.balances)
                .enumerate()
                .map(|(i, (a, end))| Evidence::Balance {
                    account: crate::scenario::AccountIx::at(i),
                    start: a.balance,
                    end: *end,
                })
                .collect(),
        });
    }
    let mut legs: BTreeMap<u64, (crate::scenario::TransferIx, Legs)> = BTreeMap::new();
    for e in &facts.output.entries {
        let (_, leg) = legs
            .entry(e.transfer_id)
            .or_insert((e.tag.transfer, Legs::default()));
        if e.delta < 0 {
            leg.debited += -e.delta;
            leg.debits += 1;
        } else {
            leg.credited += e.delta;
            leg.credits += 1;
        }
    }
    for (id, (transfer, leg)) in legs {
        if leg.debited != leg.credited || leg.debits != leg.credits {
            out.push(Violation {
                kind: ViolationKind::MoneyNotConserved,
                transfer: Some(transfer),
                key: None,
                summary: Summary::LegsDiffer {
                    transfer,
                    ledger_transfer: id,
                    debited: leg.debited,
                    credited: leg.credited,
                },
                evidence: vec![Evidence::Legs {
                    debits: leg.debits,
                    credits: leg.credits,
                }],
            });
        }
    }
    out
}
