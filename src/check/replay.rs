//! `inconsistent-replay`: two answers to the same client for the same key and
//! the same payload disagree: a retry got a different result than the original. Answers that
//! only say "try later" (409 key_in_use, 429, 5xx) are not outcomes and are not
//! compared; the replay header itself is not compared either. A key reused with
//! another payload is `mismatch-accepted`'s business, not this checker's.

use super::{Facts, Violation};
use crate::scenario::ViolationKind;
use std::collections::BTreeMap;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut by_key: BTreeMap<(usize, &str, String), Vec<&super::Reply>> = BTreeMap::new();
    for reply in &facts.replies {
        if let Some(key) = &reply.key
            && !reply.response.is_transient()
        {
            by_key
                .entry((reply.client, key, reply.body.fingerprint()))
                .or_default()
                .push(reply);
        }
    }
    let mut out = Vec::new();
    for ((_, key, _), replies) in by_key {
        let first = replies[0];
        if replies
            .iter()
            .all(|r| r.response.content() == first.response.content())
        {
            continue;
        }
        let other = replies
            .iter()
            .find(|r| r.response.content() != first.response.content())
            .expect("some reply differs");
        out.push(Violation {
            kind: ViolationKind::InconsistentReplay,
            transfer: Some(first.transfer.clone()),
            key: Some(key.to_string()),
            summary: format!(
                "key {key} was answered {} and later {}",
                first.response.describe(),
                other.response.describe()
            ),
            evidence: replies
                .iter()
                .map(|r| {
                    format!(
                        "{} ms: {}#{} answered {}",
                        r.at_ms,
                        r.transfer,
                        r.attempt,
                        r.response.describe()
                    )
                })
                .collect(),
        });
    }
    out
}
