//! What a run leaves behind: the stores' records and ledger entries, a
//! service's store calls as the timeline shows them, and the answers
//! clients were left with.

use super::AccountIx;
use super::wire::{ClaimToken, Code, Fingerprint, Key, Response, Tag};
use serde::Serialize;

/// The life of an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum KeyState {
    /// Issued by the server, not used yet.
    Issued,
    /// Claimed by the request holding `token` since `locked_at_ms`. `by`
    /// is the attempt that claimed it (ghost data: a completer that finishes
    /// the key files its work under that transfer).
    InProgress {
        token: ClaimToken,
        locked_at_ms: u64,
        by: Tag,
    },
    /// Finished; `response` is kept when the design stores it for replay.
    Done { response: Option<Response> },
}

/// One idempotency record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    pub state: KeyState,
    /// The payload fingerprint of the request that claimed the key.
    pub fingerprint: Option<Fingerprint>,
    /// When the record disappears; `None`: never.
    pub expires_at_ms: Option<u64>,
}

/// A movement of money, tagged with the intent it served (ghost data for the checker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub at_ms: u64,
    pub tag: Tag,
    pub transfer_id: u64,
    pub key: Option<Key>,
    pub account: AccountIx,
    pub delta: i64,
}

/// A service's call as a store ran it, for the timeline: the request and
/// the answer in words, and whether it changed anything.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceOp {
    pub request: String,
    pub answer: String,
    pub committed: bool,
}

/// The last answer of each transfer, counted by status and code: what the
/// API told clients, for a check in which nothing succeeded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LastAnswers(pub Vec<AnswerCount>);

/// How many transfers ended at one kind of last answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AnswerCount {
    /// The status, or `None` when the client got no answer at all.
    pub status: Option<u16>,
    pub code: Option<Code>,
    pub transfers: u64,
}
