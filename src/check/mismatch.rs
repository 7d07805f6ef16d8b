//! `mismatch-accepted`: a key reused with a different payload was processed (or
//! answered with another request's result) instead of being rejected with 422.

use super::{Facts, Violation};
use crate::scenario::ViolationKind;
use crate::wire::TransferBody;
use std::collections::BTreeMap;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    // The payload each key was first used with, from the API's point of view.
    let mut bound: BTreeMap<&str, &TransferBody> = BTreeMap::new();
    let mut out = Vec::new();
    for reply in &facts.replies {
        let Some(key) = &reply.key else { continue };
        let first = *bound.entry(key).or_insert(&reply.body);
        let rejected = reply.response.status == 422 || reply.response.is_transient();
        if reply.body == *first || rejected {
            continue;
        }
        out.push(Violation {
            kind: ViolationKind::MismatchAccepted,
            transfer: Some(reply.transfer.clone()),
            key: Some(key.clone()),
            summary: format!(
                "key {key} was first used for {} and then accepted for {}",
                first.fingerprint(),
                reply.body.fingerprint()
            ),
            evidence: vec![format!(
                "{} ms: {}#{} answered {} instead of 422",
                reply.at_ms,
                reply.transfer,
                reply.attempt,
                reply.response.describe()
            )],
        });
    }
    out
}
