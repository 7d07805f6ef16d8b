//! `mismatch-accepted`: a client reused a key with a different payload, and the
//! request was processed (or answered with another request's result) instead
//! of being rejected with 422. Two clients that collide on a key are judged by
//! what they were told (`lost-apply`), not here.

use super::{Facts, Violation};
use crate::scenario::ViolationKind;
use crate::wire::TransferBody;
use std::collections::BTreeMap;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    // The payload each client's key was first used with, as the API saw it.
    let mut bound: BTreeMap<(usize, &str), &TransferBody> = BTreeMap::new();
    let mut out = Vec::new();
    for reply in &facts.replies {
        let Some(key) = &reply.key else { continue };
        let first = *bound.entry((reply.client, key)).or_insert(&reply.body);
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
