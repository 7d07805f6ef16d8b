//! A ledger batch as it crosses the network: operations on records and
//! accounts, and what the batch came to. A service builds batches with
//! `crate::service::Batch`; the ledger host runs them.

use super::AccountIx;
use serde::{Deserialize, Serialize};

/// One operation of a batch, with its accounts as `A`: by name as the
/// service names them, by index as the ledger host receives them
/// ([`WireOp`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LedgerOp<A> {
    Insert {
        key: String,
        value: String,
    },
    Put {
        key: String,
        value: String,
    },
    Get {
        key: String,
    },
    Update {
        key: String,
        expected: String,
        value: String,
    },
    Expect {
        key: String,
        expected: Option<String>,
    },
    Delete {
        key: String,
    },
    Transfer {
        from: A,
        to: A,
        amount: i64,
    },
    Balance {
        account: A,
    },
}

/// A batch as the ledger host receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireBatch {
    pub ops: Vec<WireOp>,
}

/// One operation as the ledger host receives it: accounts by index.
pub type WireOp = LedgerOp<AccountIx>;

/// What a batch came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchOutcome {
    /// Every operation ran and all are committed; one [`Read`] per `get` and
    /// `balance`, in order.
    Committed { reads: Vec<Read> },
    /// Operation `at` (from 0) stopped the batch: nothing it did is kept.
    Stopped { at: usize, stop: Stop },
}

impl BatchOutcome {
    pub fn committed(&self) -> bool {
        matches!(self, BatchOutcome::Committed { .. })
    }
}

/// What a `get` or `balance` read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Read {
    Record(Option<String>),
    Balance(i64),
}

/// Why a batch stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stop {
    /// `insert` found the key taken; `value` is the record there.
    Exists { value: String },
    /// `update` found no record.
    Missing,
    /// `update` or `expect` found another value (`None`: no record).
    Changed { value: Option<String> },
    /// `transfer` found less than the amount in the payer's account.
    InsufficientFunds { balance: i64 },
    /// The ledger holds as many records as it can.
    Full,
    /// The batch has more operations, or reads more, than one batch may
    /// (see `limits::MAX_BATCH_OPS`, `limits::MAX_BATCH_READ_BYTES`).
    TooLarge,
}
