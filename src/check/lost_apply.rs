//! `lost-apply`: the client was told the transfer happened (2xx, or "already
//! handled, do not retry") but balances never changed; or the client, retrying
//! after the faults healed, got a final refusal of a transfer that never
//! applied. Refusals on the merits — 422 for a reused key, 402 for insufficient
//! funds — are legitimate answers, not lost payments.

use super::{Facts, Violation};
use crate::history::Outcome;
use crate::scenario::ViolationKind;

pub(super) fn check(facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    for (transfer, view) in &facts.clients {
        if !facts.applications_of(transfer).is_empty() {
            continue;
        }
        let told = match &view.outcome {
            Some(Outcome::Succeeded { response }) => {
                format!("the client was told {}", response.describe())
            }
            Some(Outcome::Rejected { response }) if response.code == "key_already_used" => {
                format!("the client was told {}", response.describe())
            }
            Some(Outcome::Rejected { response })
                if !is_refusal_on_the_merits(response) && facts.attempts_after_heal(view) > 0 =>
            {
                format!(
                    "the client, retrying after the faults healed, was finally refused with {}",
                    response.describe()
                )
            }
            _ => continue,
        };
        out.push(Violation {
            kind: ViolationKind::LostApply,
            transfer: Some(transfer.clone()),
            key: view.key.clone(),
            summary: format!("{transfer} never applied, but {told}"),
            evidence: vec![
                format!(
                    "{} attempts sent, last at {} ms",
                    view.attempts.len(),
                    view.attempts.last().map_or(0, |a| a.1)
                ),
                "no ledger entry names this transfer".to_string(),
            ],
        });
    }
    out
}

/// Answers that refuse the transfer for what it is, not for what went wrong.
fn is_refusal_on_the_merits(response: &crate::wire::HttpResponse) -> bool {
    matches!(response.status, 402 | 422)
}
