//! The ledger's client: accounts, balances and records, changed only by
//! all-or-nothing batches — the shape of one SQL transaction.
//!
//! ```no_run
//! # use idemsim::service::{Batch, BatchOutcome, Ledger, Stop};
//! # async fn claim_and_pay(ledger: &Ledger, key: &str) -> Result<(), idemsim::service::StoreError> {
//! // One transaction: the key's record, the money and the stored answer.
//! let batch = Batch::new()
//!     .insert(format!("idem/{key}"), r#"{"status":201}"#) // unique: stops if the key is taken
//!     .transfer("alice", "bob", 2_500);                    // stops if alice lacks the money
//! match ledger.run(batch).await? {
//!     BatchOutcome::Committed { .. } => { /* 201 */ }
//!     BatchOutcome::Stopped { stop: Stop::Exists { value }, .. } => { /* replay `value` */ }
//!     BatchOutcome::Stopped { .. } => { /* 402 */ }
//! }
//! # Ok(()) }
//! ```
//!
//! A batch that stops keeps nothing it did, as a rolled-back transaction.
//! Records never expire on their own. Every movement of money is filed
//! under the attempt being served, which is how the checker knows which
//! transfer it applied.

use super::StoreError;
use crate::design::StoreName;
use crate::limits;
use crate::vocab::AccountIx;
use crate::vocab::wire::{StoreAnswer, StoreRequest};
pub use crate::vocab::{BatchOutcome, LedgerOp, Read, Stop, WireBatch, WireOp};

/// A client of the ledger. Cheap to clone; every clone is the same client.
#[derive(Debug, Clone)]
pub struct Ledger {
    timeout_ms: u64,
}

/// An operation as the service writes it: accounts by name.
type Op = LedgerOp<String>;

/// Operations that commit together or not at all, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    ops: Vec<Op>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    fn push(mut self, op: Op) -> Batch {
        self.ops.push(op);
        self
    }

    /// Inserts a record under a unique key; if the key is taken the batch
    /// stops with [`Stop::Exists`] and the record there.
    pub fn insert(self, key: impl Into<String>, value: impl Into<String>) -> Batch {
        self.push(Op::Insert {
            key: key.into(),
            value: value.into(),
        })
    }

    /// Writes a record, whatever was there.
    pub fn put(self, key: impl Into<String>, value: impl Into<String>) -> Batch {
        self.push(Op::Put {
            key: key.into(),
            value: value.into(),
        })
    }

    /// Reads a record: one [`Read::Record`] in the outcome.
    pub fn get(self, key: impl Into<String>) -> Batch {
        self.push(Op::Get { key: key.into() })
    }

    /// Replaces a record only if it holds `expected` (compare-and-set);
    /// else the batch stops with [`Stop::Changed`] (or [`Stop::Missing`]).
    pub fn update(
        self,
        key: impl Into<String>,
        expected: impl Into<String>,
        value: impl Into<String>,
    ) -> Batch {
        self.push(Op::Update {
            key: key.into(),
            expected: expected.into(),
            value: value.into(),
        })
    }

    /// Goes on only if the record holds `expected` (`None`: is absent); else
    /// the batch stops with [`Stop::Changed`].
    pub fn expect(self, key: impl Into<String>, expected: Option<&str>) -> Batch {
        self.push(Op::Expect {
            key: key.into(),
            expected: expected.map(String::from),
        })
    }

    /// Deletes a record, if there is one.
    pub fn delete(self, key: impl Into<String>) -> Batch {
        self.push(Op::Delete { key: key.into() })
    }

    /// Moves `amount` (positive) from one account to another; if `from`
    /// holds less, the batch stops with [`Stop::InsufficientFunds`].
    pub fn transfer(self, from: &str, to: &str, amount: i64) -> Batch {
        self.push(Op::Transfer {
            from: from.to_string(),
            to: to.to_string(),
            amount,
        })
    }

    /// Reads an account's balance: one [`Read::Balance`] in the outcome.
    pub fn balance(self, account: &str) -> Batch {
        self.push(Op::Balance {
            account: account.to_string(),
        })
    }

    /// The batch as it travels: accounts by index, every size checked.
    fn to_wire(
        &self,
        account: &dyn Fn(&str) -> Option<AccountIx>,
    ) -> Result<WireBatch, StoreError> {
        if self.ops.len() > limits::MAX_BATCH_OPS {
            return Err(StoreError::Refused(format!(
                "a batch of {} operations; at most {}",
                self.ops.len(),
                limits::MAX_BATCH_OPS
            )));
        }
        let key = |k: &str| -> Result<String, StoreError> {
            if k.len() > limits::MAX_STORE_KEY_BYTES {
                return Err(StoreError::Refused(format!(
                    "a key of {} bytes; at most {}",
                    k.len(),
                    limits::MAX_STORE_KEY_BYTES
                )));
            }
            Ok(k.to_string())
        };
        let value = |v: &str| -> Result<String, StoreError> {
            if v.len() > limits::MAX_STORE_VALUE_BYTES {
                return Err(StoreError::Refused(format!(
                    "a value of {} bytes; at most {}",
                    v.len(),
                    limits::MAX_STORE_VALUE_BYTES
                )));
            }
            Ok(v.to_string())
        };
        let acct =
            |name: &str| account(name).ok_or_else(|| StoreError::UnknownAccount(name.to_string()));
        let ops = self
            .ops
            .iter()
            .map(|op| {
                Ok(match op {
                    Op::Insert { key: k, value: v } => WireOp::Insert {
                        key: key(k)?,
                        value: value(v)?,
                    },
                    Op::Put { key: k, value: v } => WireOp::Put {
                        key: key(k)?,
                        value: value(v)?,
                    },
                    Op::Get { key: k } => WireOp::Get { key: key(k)? },
                    Op::Update {
                        key: k,
                        expected,
                        value: v,
                    } => WireOp::Update {
                        key: key(k)?,
                        expected: value(expected)?,
                        value: value(v)?,
                    },
                    Op::Expect { key: k, expected } => WireOp::Expect {
                        key: key(k)?,
                        expected: expected.as_deref().map(value).transpose()?,
                    },
                    Op::Delete { key: k } => WireOp::Delete { key: key(k)? },
                    Op::Transfer { from, to, amount } => {
                        if !(1..=limits::MAX_AMOUNT).contains(amount) {
                            return Err(StoreError::Refused(format!(
                                "a transfer of {amount}; expected an amount from 1 to {}",
                                limits::MAX_AMOUNT
                            )));
                        }
                        WireOp::Transfer {
                            from: acct(from)?,
                            to: acct(to)?,
                            amount: *amount,
                        }
                    }
                    Op::Balance { account: a } => WireOp::Balance { account: acct(a)? },
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(WireBatch { ops })
    }
}

impl Ledger {
    pub(crate) fn new() -> Ledger {
        Ledger {
            timeout_ms: super::keys::DEFAULT_TIMEOUT_MS,
        }
    }

    /// The same client, waiting `timeout_ms` for each answer.
    pub fn with_timeout_ms(mut self, timeout_ms: u64) -> Ledger {
        self.timeout_ms = timeout_ms.max(1);
        self
    }

    /// Runs `batch`, all or nothing.
    pub async fn run(&self, batch: Batch) -> Result<BatchOutcome, StoreError> {
        let wire = batch.to_wire(&super::world_link::account)?;
        let answer = super::world_link::store_call(
            StoreName::Ledger,
            StoreRequest::Batch(wire),
            self.timeout_ms,
        )
        .await?;
        match answer {
            StoreAnswer::Batch(outcome) => Ok(outcome),
            StoreAnswer::Resp(_) => Err(StoreError::Refused(
                "a key-store answer from the ledger".into(),
            )),
        }
    }

    /// A record, read on its own.
    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.run(Batch::new().get(key)).await? {
            BatchOutcome::Committed { reads } => match reads.into_iter().next() {
                Some(Read::Record(value)) => Ok(value),
                _ => Err(StoreError::Refused("no read in the answer".into())),
            },
            BatchOutcome::Stopped { stop, .. } => {
                Err(StoreError::Refused(format!("a read stopped: {stop:?}")))
            }
        }
    }
}
