//! The facts behind a broken invariant, as data.
//!
//! An invariant's check says what it found (entries of the ledger, answers
//! of the API, balances, records left, times) and nothing more; the reports
//! choose the words (`report::words::evidence`), so that every report says
//! the same thing and a program can read the facts without parsing prose.

use crate::design::StoreName;
use crate::history::LastAnswer;
use crate::scenario::AccountIx;
use crate::vocab::wire::{Key, RecordKey, Response, Tag};
use crate::world::LedgerEntry;
use serde::Serialize;

/// One fact behind a violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fact", rename_all = "kebab-case")]
pub enum Evidence {
    /// A ledger entry that moved the transfer's money; `with_key`: the fact
    /// names the key the entry carried (applications of one transfer may
    /// carry different keys).
    Applied { entry: LedgerEntry, with_key: bool },
    /// An answer the API gave to attempt `tag` at `at_ms`; `success`: the
    /// fact stresses that the answer was a success.
    Answered {
        at_ms: u64,
        tag: Tag,
        response: Response,
        success: bool,
    },
    /// An account's balance at the start and at the end of the run.
    Balance {
        account: AccountIx,
        start: i64,
        end: i64,
    },
    /// How many debit and credit entries one ledger transfer has.
    Legs { debits: u32, credits: u32 },
    /// The attempts a client sent for the transfer, the last at `last_at_ms`.
    AttemptsSent { attempts: usize, last_at_ms: u64 },
    /// No ledger entry names the transfer.
    NoLedgerEntry,
    /// The definitive failure the client was told, after `attempts` attempts.
    ToldFailure { attempts: usize, response: Response },
    /// Requests the client sent after the faults healed at `heal_at_ms`,
    /// and the last thing it heard.
    RetriedAfterHeal {
        requests: u32,
        heal_at_ms: u64,
        last: LastAnswer,
    },
    /// The time by which the client should have learned the outcome.
    LivenessDeadline { deadline_ms: u64 },
    /// A record of the key left in a store when the run ended.
    RecordLeft {
        store: StoreName,
        key: RecordKey,
        state: RecordLeft,
    },
    /// No record of the key is left in any store.
    NoRecordLeft { key: Key },
    /// A value a service's requests stored for the transfer, left in a store.
    ValueLeft {
        store: StoreName,
        key: String,
        expires_at_ms: Option<u64>,
    },
    /// More values left than the evidence lists.
    MoreValuesLeft { count: usize },
    /// Nothing the transfer's requests stored is left in a store idemsim sees.
    NoValueLeft,
    /// A service's own memory, which idemsim cannot see, may hold more.
    ServiceMemoryUnseen,
}

/// The state a key record was left in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordLeft {
    Expired,
    Issued,
    InProgress,
    /// Done, with the answer it stores, if it stores one.
    Done(Option<Response>),
}
