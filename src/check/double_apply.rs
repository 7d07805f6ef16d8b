//! `double-apply`: one transfer intent changed balances more than once.
//!
//! Counted per intent, not per key, so that a design that hands out a second
//! key for the same payment (delete-on-done, a client that makes a new key per
//! attempt) is caught too.

use super::{Evidence, Facts, Summary, Violation, ViolationKind};

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    for (transfer, _) in facts.transfers() {
        let applications = facts.applications_of(transfer);
        if applications.len() <= 1 {
            continue;
        }
        let evidence = applications
            .iter()
            .map(|e| Evidence::Applied {
                entry: (*e).clone(),
                with_key: true,
            })
            .collect();
        out.push(Violation {
            kind: ViolationKind::DoubleApply,
            transfer: Some(transfer),
            key: applications[0].key,
            summary: Summary::AppliedTimes {
                transfer,
                times: applications.len(),
            },
            evidence,
        });
    }
    out
}
