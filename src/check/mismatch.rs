//! `mismatch-accepted`: a client reused a key with a different payload, or
//! used a key the API issued for one purpose with another, and the API
//! accepted it: money moved for the second payload under that key, or the
//! answer claimed success for it (a replay of the first request's success
//! is one: the client believes its second payment went through).
//!
//! A refusal is judged by what it did, not by its status code: the IETF
//! draft answers 422, Stripe 400 (`idempotency_error`), many designs 409;
//! any answer that moved no money and did not claim success refused the
//! mismatch. Two clients that collide on a key are judged by what they
//! were told (`lost-apply`), not here.

use super::facts::Reply;
use super::{Evidence, Facts, Summary, Violation, ViolationKind};
use crate::scenario::{ClientIx, TransferIx};
use crate::vocab::wire::{Key, Meaning, TransferBody};
use crate::world::LedgerEntry;
use std::collections::BTreeMap;

/// Everything that shows one mismatched use of a key was accepted.
#[derive(Default)]
struct Acceptance<'a> {
    first: Option<TransferBody>,
    second: Option<TransferBody>,
    /// Answers that claimed success for the second payload.
    successes: Vec<&'a Reply>,
    /// Money the second payload's transfer moved under the key.
    moved: Vec<&'a LedgerEntry>,
}

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    // The payload each client's key is for: the purpose the client gave
    // when it asked the API for the key, else the payload it was first used
    // with, as the API saw it.
    let mut bound: BTreeMap<(ClientIx, Key), TransferBody> = BTreeMap::new();
    for (client, key, purpose) in &facts.purposes {
        bound.entry((*client, *key)).or_insert(*purpose);
    }
    let mut accepted: BTreeMap<(TransferIx, Key), Acceptance> = BTreeMap::new();
    for reply in &facts.replies {
        let Some(key) = reply.key else { continue };
        let first = *bound.entry((reply.client, key)).or_insert(reply.body);
        if reply.body == first {
            continue;
        }
        let transfer = reply.tag.transfer;
        let acceptance = accepted.entry((transfer, key)).or_default();
        acceptance.first = Some(first);
        acceptance.second = Some(reply.body);
        if reply.response.meaning() == Meaning::Success {
            acceptance.successes.push(reply);
        }
        if acceptance.moved.is_empty() {
            acceptance.moved = facts
                .applications_of(transfer)
                .iter()
                .copied()
                .filter(|e| e.key == Some(key))
                .collect();
        }
    }
    accepted
        .into_iter()
        .filter(|(_, a)| !a.successes.is_empty() || !a.moved.is_empty())
        .map(|((transfer, key), a)| violation(transfer, key, &a))
        .collect()
}

fn violation(transfer: TransferIx, key: Key, a: &Acceptance) -> Violation {
    let (Some(first), Some(second)) = (a.first, a.second) else {
        unreachable!("an acceptance is recorded with both payloads")
    };
    let mut evidence: Vec<Evidence> = a
        .successes
        .iter()
        .map(|r| Evidence::Answered {
            at_ms: r.at_ms,
            tag: r.tag,
            response: r.response.clone(),
            success: true,
        })
        .collect();
    evidence.extend(a.moved.iter().map(|e| Evidence::Applied {
        entry: (*e).clone(),
        with_key: false,
    }));
    Violation {
        kind: ViolationKind::MismatchAccepted,
        transfer: Some(transfer),
        key: Some(key),
        summary: Summary::MismatchAccepted { key, first, second },
        evidence,
    }
}
