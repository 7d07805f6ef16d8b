//! What broke, as data: the headline of a violation.
//!
//! A check fills in the facts of what broke (which transfer, how many times,
//! which amounts, which answers) and nothing more; the reports word it in
//! one place (`report::words::summary`), so that every report says the same
//! sentence and a program can read the facts without parsing prose.

use crate::history::LastAnswer;
use crate::scenario::TransferIx;
use crate::vocab::wire::{Key, Response, TransferBody};
use serde::Serialize;

/// What broke, one kind per way an invariant breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "broke", rename_all = "kebab-case")]
pub enum Summary {
    /// `double-apply`: the transfer's money moved `times` times (more than once).
    AppliedTimes { transfer: TransferIx, times: usize },
    /// `lost-apply`: the transfer's money never moved, yet the client was
    /// told it did or was left without it.
    NeverApplied {
        transfer: TransferIx,
        told: LostTold,
    },
    /// `money-not-conserved`: the sum of balances changed.
    SumChanged { before: i64, after: i64 },
    /// `money-not-conserved`: one ledger transfer debited and credited
    /// different amounts.
    LegsDiffer {
        transfer: TransferIx,
        ledger_transfer: u64,
        debited: i64,
        credited: i64,
    },
    /// `inconsistent-replay`: the same key and payload got two different answers.
    ReplayDiffered {
        key: Key,
        first: Response,
        later: Response,
    },
    /// `mismatch-accepted`: a key bound to one payload was accepted for another.
    MismatchAccepted {
        key: Key,
        first: TransferBody,
        second: TransferBody,
    },
    /// `stuck-key`: the client kept retrying after the heal and never
    /// learned the outcome.
    NeverDefinitive { transfer: TransferIx },
    /// `phantom-apply`: the client was told a definitive failure, yet the
    /// transfer's money moved.
    FailedYetMoved {
        transfer: TransferIx,
        response: Response,
    },
}

/// What the client of a transfer that never applied was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "told", rename_all = "kebab-case")]
pub enum LostTold {
    /// A success.
    Success { response: Response },
    /// A definitive failure, on a retry, that is no refusal on the merits.
    RefusedOnRetry { response: Response },
    /// Nothing definitive, though it retried after the faults healed at
    /// `heal_at_ms`; `last` is the last thing it heard.
    RetriedAfterHeal { heal_at_ms: u64, last: LastAnswer },
}
