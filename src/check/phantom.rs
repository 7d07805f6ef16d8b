//! `phantom-apply`: the mirror of `lost-apply`. The client was given a
//! definitive failure for a transfer — an answer it must not retry: a 4xx
//! other than 409 and 429, or any answer the API marks final — yet that
//! transfer's money moved. The client tells its user the payment failed;
//! the user pays again some other way, and the money has gone twice.

use super::{Evidence, Facts, Summary, Violation, ViolationKind};
use crate::history::Outcome;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    for (transfer, view) in facts.transfers() {
        let Some(Outcome::Failed(response)) = &view.outcome else {
            continue;
        };
        let applications = facts.applications_of(transfer);
        if applications.is_empty() {
            continue;
        }
        let mut evidence = vec![Evidence::ToldFailure {
            attempts: view.attempts.len(),
            response: response.clone(),
        }];
        evidence.extend(applications.iter().map(|e| Evidence::Applied {
            entry: (*e).clone(),
            with_key: false,
        }));
        out.push(Violation {
            kind: ViolationKind::PhantomApply,
            transfer: Some(transfer),
            key: view.key,
            summary: Summary::FailedYetMoved {
                transfer,
                response: response.clone(),
            },
            evidence,
        });
    }
    out
}
