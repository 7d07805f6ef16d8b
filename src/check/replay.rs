//! `inconsistent-replay`: two answers to the same client for the same key and
//! the same payload disagree: a retry got a different result than the
//! original. Answers that only say "try later" (409, 429, a 5xx not marked
//! final) are not outcomes and are not compared; the replay header itself is
//! not compared either. A key reused with another payload is
//! `mismatch-accepted`'s business, not this checker's.

use super::facts::Reply;
use super::{Evidence, Facts, Summary, Violation, ViolationKind};
use crate::scenario::ClientIx;
use crate::vocab::wire::{Key, TransferBody};
use std::collections::BTreeMap;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut by_key: BTreeMap<(ClientIx, Key, TransferBody), Vec<&Reply>> = BTreeMap::new();
    for reply in &facts.replies {
        if let Some(key) = reply.key
            && !reply.response.is_transient()
        {
            by_key
                .entry((reply.client, key, reply.body))
                .or_default()
                .push(reply);
        }
    }
    let mut out = Vec::new();
    for ((_, key, _), replies) in by_key {
        let first = replies[0];
        let Some(other) = replies
            .iter()
            .find(|r| r.response.content() != first.response.content())
        else {
            continue;
        };
        out.push(Violation {
            kind: ViolationKind::InconsistentReplay,
            transfer: Some(first.tag.transfer),
            key: Some(key),
            summary: Summary::ReplayDiffered {
                key,
                first: first.response.clone(),
                later: other.response.clone(),
            },
            evidence: replies
                .iter()
                .map(|r| Evidence::Answered {
                    at_ms: r.at_ms,
                    tag: r.tag,
                    response: r.response.clone(),
                    success: false,
                })
                .collect(),
        });
    }
    out
}
