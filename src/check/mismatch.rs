//! `mismatch-accepted`: a client reused a key with a different payload, or
//! used a key the API issued for one purpose with another, and the request
//! was processed (or answered with another request's result) instead of
//! being rejected with 422. Two clients that collide on a key are judged by
//! what they were told (`lost-apply`), not here.

use super::{Facts, Violation, ViolationKind};
use crate::describe;
use crate::scenario::{ClientIx, Scenario};
use crate::wire::{Key, TransferBody};
use std::collections::BTreeMap;

fn payload(s: &Scenario, body: &TransferBody) -> String {
    format!(
        "{}>{}:{}",
        describe::account(s, body.from),
        describe::account(s, body.to),
        body.amount
    )
}

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let s = facts.scenario;
    // The payload each client's key is for: the purpose the client gave
    // when it asked the API for the key, else the payload it was first used
    // with, as the API saw it.
    let mut bound: BTreeMap<(ClientIx, Key), TransferBody> = BTreeMap::new();
    for (client, key, purpose) in &facts.purposes {
        bound.entry((*client, *key)).or_insert(*purpose);
    }
    let mut out = Vec::new();
    for reply in &facts.replies {
        let Some(key) = reply.key else { continue };
        let first = *bound.entry((reply.client, key)).or_insert(reply.body);
        let rejected = reply.response.status == 422 || reply.response.is_transient();
        if reply.body == first || rejected {
            continue;
        }
        out.push(Violation {
            kind: ViolationKind::MismatchAccepted,
            transfer: Some(reply.tag.transfer),
            key: Some(key),
            summary: format!(
                "key {key} was first used for {} and then accepted for {}",
                payload(s, &first),
                payload(s, &reply.body)
            ),
            evidence: vec![format!(
                "{} ms: {} answered {} instead of 422",
                reply.at_ms,
                describe::tag(s, reply.tag),
                describe::response(&reply.response)
            )],
        });
    }
    out
}
