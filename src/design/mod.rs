//! Designs: what the payment API does for each endpoint, written as data.
//!
//! A design is an ordered list of **transactions**. Each transaction runs against
//! one store (`keys`, the key-value store with TTL, or `ledger`, the payments
//! database) and is atomic there: its steps commit together or not at all. Between
//! two transactions nothing is atomic, and every such boundary is a place where
//! idemsim can crash a host. That is the whole lesson of idempotency in one
//! sentence: what one transaction covers is safe, what spans two is not.
//!
//! The built-in designs (`naive`, `classic`, `atomic`) are ordinary design files
//! under `designs/`, compiled into the binary; a user passes their own by path.
//! One interpreter ([`crate::world::store`] executes steps, [`crate::world::api`]
//! sequences transactions) runs every design.

mod load;

pub use load::{LoadDesignError, builtin_names, load_design, parse_design};

use serde::{Deserialize, Serialize};

/// Which store a transaction or record lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreName {
    Keys,
    Ledger,
}

impl StoreName {
    pub fn host(self) -> &'static str {
        match self {
            StoreName::Keys => "keys",
            StoreName::Ledger => "ledger",
        }
    }
}

/// What a `load-key` step does in one state of the key record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Go on with the next step.
    Continue,
    /// Answer with the response stored in the record (a `save-response` step wrote it).
    Replay,
    /// Stop and answer with this status and error code; the transaction writes nothing.
    Reply { status: u16, code: String },
    /// Stop and answer with this status and code, and store that answer in the
    /// key record (marking it done), so retries replay the error too (Stripe
    /// replays errors; many designs do not). Nothing else the transaction did is kept.
    Save { status: u16, code: String },
    /// Wait for the other request to finish: the API runs this transaction
    /// again after `wait_ms`, up to `max_waits` times, then answers 409.
    Wait,
}

/// Who may see a key: one namespace for everyone, or one per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyScope {
    /// One namespace: two clients that pick the same key share one record.
    Global,
    /// Keys are scoped to the caller's identity, as the IETF draft advises.
    Client,
}

/// What the API does when a transaction on the key store gets no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyStoreDown {
    /// Answer 503 and let the client retry later.
    FailClosed,
    /// Carry on without deduplication (Adyen allows clients this fallback).
    FailOpen,
}

/// The states a key record can be in, as a `load-key` step sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadKey {
    /// No record: never issued, expired, or deleted.
    pub absent: Action,
    /// Issued by the server (`issue-key`) and not yet used.
    pub issued: Action,
    /// Claimed by a request that is still running (its lock has not expired).
    pub in_progress: Action,
    /// Claimed, but the lock is older than the design's `lock_ms`: its owner is presumed dead.
    pub stale: Action,
    /// Finished (`mark-done` or `save-response`).
    pub done: Action,
    /// The record's payload fingerprint differs from this request's; checked
    /// before the state branches. `None`: payloads are not compared.
    pub mismatch: Option<Action>,
}

/// One step of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Step {
    /// Read the key record and branch on its state.
    LoadKey(LoadKey),
    /// Mark the key in progress, owned by this request, with its payload fingerprint.
    ClaimKey,
    /// Check that this request still owns the key (its claim was not taken over); 409 if not.
    CheckClaim,
    /// Take the amount from the payer's balance; records a ledger entry.
    /// `insufficient` is what happens when the balance is below the amount.
    Debit { insufficient: Action },
    /// Give the amount to the payee; records a ledger entry.
    Credit,
    /// Mark the key done and store the response that will be sent, for replay.
    SaveResponse,
    /// Mark the key done without storing the response.
    MarkDone,
    /// Delete the key record.
    DeleteKey,
}

impl Step {
    /// The name a design file uses for this step.
    pub fn op_name(&self) -> &'static str {
        match self {
            Step::LoadKey(_) => "load-key",
            Step::ClaimKey => "claim-key",
            Step::CheckClaim => "check-claim",
            Step::Debit { .. } => "debit",
            Step::Credit => "credit",
            Step::SaveResponse => "save-response",
            Step::MarkDone => "mark-done",
            Step::DeleteKey => "delete-key",
        }
    }

    /// Steps that move money must run in the ledger.
    pub fn is_ledger_op(&self) -> bool {
        matches!(self, Step::Debit { .. } | Step::Credit)
    }

    /// Steps that read or write the idempotency record.
    pub fn is_key_op(&self) -> bool {
        !self.is_ledger_op()
    }
}

/// One atomic group: steps that one store commits together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    pub name: String,
    pub store: StoreName,
    pub steps: Vec<Step>,
}

/// A validated design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Design {
    pub name: String,
    /// The file a design came from; `None` for a built-in design.
    #[serde(skip)]
    pub source: Option<std::path::PathBuf>,
    pub summary: String,
    pub description: String,
    /// Where idempotency records live.
    pub key_store: StoreName,
    /// How long a key record lives; `None`: forever.
    pub key_ttl_ms: Option<u64>,
    /// After how long an in-progress claim counts as stale; `None`: never.
    pub lock_ms: Option<u64>,
    /// Who may see a key.
    pub key_scope: KeyScope,
    /// How long the API waits for a store before answering 503.
    pub store_timeout_ms: u64,
    /// What the API does when the key store does not answer.
    pub key_store_down: KeyStoreDown,
    /// For `wait`: how long between two looks, and how many looks at most.
    pub wait_ms: u64,
    pub max_waits: u32,
    /// `Some` when the API issues keys (`POST /keys`), recording them in `key_store`.
    pub issues_keys: bool,
    /// The transfer endpoint, in order.
    pub transactions: Vec<Transaction>,
}

impl Design {
    /// Crash points of the transfer endpoint: boundary `i` lies after `i`
    /// transactions have committed and before transaction `i` starts.
    pub fn boundary_count(&self) -> usize {
        self.transactions.len() + 1
    }

    /// The name of boundary `index`, as faults and the timeline write it.
    pub fn boundary_name(&self, index: usize) -> String {
        assert!(
            index < self.boundary_count(),
            "boundary {index} out of range"
        );
        if index == 0 {
            format!("before:{}", self.transactions[0].name)
        } else {
            format!("after:{}", self.transactions[index - 1].name)
        }
    }

    /// Parses `before:NAME` or `after:NAME` into a boundary index.
    pub fn boundary_index(&self, name: &str) -> Option<usize> {
        let (side, txn) = name.split_once(':')?;
        let position = self.transactions.iter().position(|t| t.name == txn)?;
        match side {
            "before" => Some(position),
            "after" => Some(position + 1),
            _ => None,
        }
    }

    /// All boundary names, for error messages.
    pub fn boundary_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for t in &self.transactions {
            names.push(format!("before:{}", t.name));
            names.push(format!("after:{}", t.name));
        }
        names
    }
}
