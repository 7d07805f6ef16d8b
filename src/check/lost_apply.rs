//! `lost-apply`: a transfer never applied, yet the client was told it did,
//! or was left without it although it kept trying:
//!
//! * the client was told success (2xx);
//! * a retry (not the first attempt) was refused with a definitive failure
//!   that is not a refusal on the merits: the refusal came from the traces
//!   of an earlier attempt (`400 key_already_used` for a key marked done
//!   before the money moved, `400 unknown_key` after the key was lost);
//! * the client went on retrying after the faults healed and never got a
//!   definitive answer.
//!
//! Refusals on the merits — 422 for a reused key, 402 for insufficient
//! funds — are legitimate answers, not lost payments.

use super::{Evidence, Facts, LostTold, Summary, Violation, ViolationKind};
use crate::history::Outcome;
use crate::vocab::wire::Response;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let s = facts.scenario;
    let mut out = Vec::new();
    for (transfer, view) in facts.transfers() {
        if !facts.applications_of(transfer).is_empty() {
            continue;
        }
        let retried = view.attempts.len() > 1;
        let told = match &view.outcome {
            Some(Outcome::Succeeded(r)) => LostTold::Success {
                response: r.clone(),
            },
            Some(Outcome::Failed(r)) if retried && !is_refusal_on_the_merits(r) => {
                LostTold::RefusedOnRetry {
                    response: r.clone(),
                }
            }
            Some(Outcome::Unknown(last)) if view.requests_after_heal > 0 => {
                LostTold::RetriedAfterHeal {
                    heal_at_ms: s.window.heal_at_ms,
                    last: last.clone(),
                }
            }
            _ => continue,
        };
        out.push(Violation {
            kind: ViolationKind::LostApply,
            transfer: Some(transfer),
            key: view.key,
            summary: Summary::NeverApplied { transfer, told },
            evidence: vec![
                Evidence::AttemptsSent {
                    attempts: view.attempts.len(),
                    last_at_ms: view.attempts.last().map_or(0, |a| a.1),
                },
                Evidence::NoLedgerEntry,
            ],
        });
    }
    out
}

/// Answers that refuse the transfer for what it is, not for what went wrong.
fn is_refusal_on_the_merits(response: &Response) -> bool {
    matches!(response.status, 402 | 422)
}
