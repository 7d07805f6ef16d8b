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
//! One interpreter (`world::store` executes steps, `world::api`
//! sequences transactions) runs every design.

mod load;
mod tagged;

pub use load::{LoadDesignError, builtin_names, design_schema, load_design, parse_design};

use crate::vocab::wire::{Code, Response};
use serde::{Deserialize, Serialize};

/// A transaction's (or boundary's) number, as the wire and faults carry it:
/// `limits::MAX_DESIGN_TRANSACTIONS` bounds each of a design's transactions,
/// cleanups and jobs, which keeps every number far below `u16::MAX`.
pub(crate) fn txn_number(n: usize) -> u16 {
    u16::try_from(n).expect("MAX_DESIGN_TRANSACTIONS keeps transaction numbers below u16::MAX")
}

pub use crate::vocab::StoreName;

/// An answer a design gives: a status, a code, and whether the API marks it
/// final (`Should-Retry: false`), so that a client does not retry it
/// whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub code: Code,
    pub final_answer: bool,
}

impl Answer {
    pub fn response(&self) -> Response {
        Response {
            final_answer: self.final_answer,
            ..Response::error(self.status, self.code.clone())
        }
    }
}

/// What a `load-key` step does in one state of the key record. A design
/// file writes it as text: `continue`, `replay`, `wait`, or
/// `reply|save STATUS CODE`, optionally followed by `final`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Action {
    /// Go on with the next step.
    Continue,
    /// Answer with the response stored in the record (a `save-response` step wrote it).
    Replay,
    /// Stop and answer; the transaction writes nothing.
    Reply(Answer),
    /// Stop and answer, and store that answer in the key record (marking it
    /// done), so retries replay the error too (Stripe replays errors; many
    /// designs do not). Nothing else the transaction did is kept.
    Save(Answer),
    /// Wait for the other request to finish: the API runs this transaction
    /// again after `wait_ms`, up to `max_waits` times, then answers 409.
    Wait,
}

impl Action {
    /// `continue`: the default for an absent or issued key.
    fn go_on() -> Action {
        Action::Continue
    }

    /// `reply 409 key_in_use`: the default for a live claim.
    fn key_in_use() -> Action {
        Action::reply(409, "key_in_use")
    }

    /// `reply 400 key_already_used`: the default for a finished key.
    fn already_used() -> Action {
        Action::reply(400, "key_already_used")
    }

    /// `reply 402 insufficient_funds`: the default for a short balance.
    fn insufficient_funds() -> Action {
        Action::reply(402, "insufficient_funds")
    }

    fn reply(status: u16, code: &str) -> Action {
        Action::Reply(Answer {
            status,
            code: Code::parse(code),
            final_answer: false,
        })
    }
}

/// Who may see a key: one namespace for everyone, or one per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyScope {
    /// One namespace: two clients that pick the same key share one record.
    Global,
    /// Keys are scoped to the caller's identity, as the IETF draft advises.
    Client,
}

/// What the API does when a transaction on the key store gets no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyStoreDown {
    /// Answer 503 and let the client retry later.
    FailClosed,
    /// Carry on without deduplication (Adyen allows clients this fallback).
    FailOpen,
}

/// The states a key record can be in, as a `load-key` step sees them, and
/// what the step does in each.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LoadKey {
    /// No record: never issued, expired, or deleted. Default `continue`.
    #[serde(default = "Action::go_on")]
    #[schemars(with = "Option<String>")]
    pub absent: Action,
    /// Issued by the server (`issue-key`) and not yet used. Default `continue`.
    #[serde(default = "Action::go_on")]
    #[schemars(with = "Option<String>")]
    pub issued: Action,
    /// Claimed by a request that is still running (its lock has not
    /// expired). Default `reply 409 key_in_use`.
    #[serde(default = "Action::key_in_use")]
    #[schemars(with = "Option<String>")]
    pub in_progress: Action,
    /// Claimed, but the lock is older than the design's `lock_ms`: its owner
    /// is presumed dead. Default: as `in-progress`.
    #[schemars(with = "Option<String>")]
    pub stale: Option<Action>,
    /// Finished (`mark-done` or `save-response`). Default `reply 400 key_already_used`.
    #[serde(default = "Action::already_used")]
    #[schemars(with = "Option<String>")]
    pub done: Action,
    /// The record's payload fingerprint differs from this request's; checked
    /// before the state branches. Default: payloads are not compared.
    #[schemars(with = "Option<String>")]
    pub mismatch: Option<Action>,
}

impl LoadKey {
    /// What the step does with a stale claim: its own branch, or else what
    /// it does with a live one.
    pub fn when_stale(&self) -> &Action {
        self.stale.as_ref().unwrap_or(&self.in_progress)
    }
}

/// One step of a transaction: a table whose `op` names the step, such as
/// `{ op = "debit", insufficient = "reply 402 no_money" }`, with the fields
/// that step takes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema, strum::IntoStaticStr)]
#[serde(
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    deny_unknown_fields
)]
#[schemars(tag = "op")]
#[strum(serialize_all = "kebab-case")]
pub enum Step {
    /// Read the key record and branch on its state.
    LoadKey(LoadKey),
    /// Mark the key in progress, owned by this request, with its payload fingerprint.
    ClaimKey,
    /// Check that this request still owns the key (its claim was not taken over); 409 if not.
    CheckClaim,
    /// Take the amount from the payer's balance; records a ledger entry.
    /// `insufficient` is what happens when the balance is below the amount.
    Debit {
        /// When the payer's balance is short. Default `reply 402 insufficient_funds`.
        #[serde(default = "Action::insufficient_funds")]
        #[schemars(with = "Option<String>")]
        insufficient: Action,
    },
    /// Give the amount to the payee; records a ledger entry.
    Credit,
    /// Mark the key done and store the response that will be sent, for replay.
    SaveResponse,
    /// Mark the key done without storing the response.
    MarkDone,
    /// Delete the key record.
    DeleteKey,
    /// Cleanup only: give up this request's claim so a retry need not wait
    /// for the lock to expire. With `check-owner`, only a record still in
    /// progress under this request's claim is deleted (a compare-and-delete);
    /// without, whatever the record holds is deleted (a plain `DEL`): a
    /// finished key, or a claim another request took over.
    ReleaseClaim {
        /// Delete only this request's own claim (true, the default), or
        /// whatever the record holds.
        #[serde(default = "Step::checks_owner")]
        #[schemars(with = "Option<bool>")]
        check_owner: bool,
    },
    /// Cleanup only: store the answer the API is about to send (a refusal,
    /// or its own 503 after a timeout) as the key's response, marking it
    /// done, so that retries replay it.
    SaveAnswer,
    /// At the processor: charge the payer and pay the payee, once per
    /// processor key when the design sends one (`[processor] key`).
    /// `insufficient` is what happens when the payer's balance is short.
    Charge {
        /// When the payer's balance is short. Default `reply 402 insufficient_funds`.
        #[serde(default = "Action::insufficient_funds")]
        #[schemars(with = "Option<String>")]
        insufficient: Action,
    },
    /// Cleanup only, in the ledger: reverse every ledger transfer made under
    /// this request's key (or its transfer id) that is not reversed yet: a
    /// compensation. Refused, writing nothing, if a payee has spent the money.
    Refund,
}

impl Step {
    /// The name a design file uses for this step.
    pub fn op_name(&self) -> &'static str {
        self.into()
    }

    /// `check-owner`'s default: a release deletes only its own claim.
    fn checks_owner() -> bool {
        true
    }

    /// Steps that move money must run in the ledger.
    pub fn is_ledger_op(&self) -> bool {
        matches!(self, Step::Debit { .. } | Step::Credit | Step::Refund)
    }

    /// Steps that run at the processor.
    pub fn is_processor_op(&self) -> bool {
        matches!(self, Step::Charge { .. })
    }

    /// Steps that only a cleanup may take (they act on a failure).
    pub fn is_cleanup_only(&self) -> bool {
        matches!(
            self,
            Step::ReleaseClaim { .. } | Step::SaveAnswer | Step::Refund
        )
    }

    /// Steps a cleanup may not take: those that start or make a payment.
    pub fn is_endpoint_only(&self) -> bool {
        matches!(
            self,
            Step::LoadKey(_)
                | Step::ClaimKey
                | Step::Debit { .. }
                | Step::Credit
                | Step::Charge { .. }
                | Step::SaveResponse
        )
    }

    /// Steps that read or write the idempotency record.
    pub fn is_key_op(&self) -> bool {
        !self.is_ledger_op() && !self.is_processor_op()
    }
}

/// One atomic group: steps that one store commits together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub name: String,
    pub store: StoreName,
    pub steps: Vec<Step>,
    /// What runs when something goes wrong (a transfer transaction only).
    pub on: Cleanups,
}

/// The cleanups a transfer transaction names, by index into
/// [`Design::cleanups`]. The API runs them before it answers, and answers
/// what it would have answered anyway; a cleanup that fails is not retried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleanups {
    /// This transaction stopped with an answer (not a replay), or waited in vain.
    pub refusal: Option<u16>,
    /// This transaction's store did not answer in time.
    pub timeout: Option<u16>,
    /// This transaction committed, and a later one was refused or timed out.
    /// Such cleanups run latest transaction first, as a saga unwinds.
    pub later_failure: Option<u16>,
}

/// A validated design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Design {
    pub name: String,
    /// The file a design came from; `None` for a built-in design.
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
    /// Whether the `keys` host keeps its records through a crash (`[keys]
    /// durable`, stated only with `store = "keys"`; a cache that restarts
    /// empty does not). Records in the API's memory are lost with every API
    /// crash and records in the ledger always kept, whatever this says.
    pub key_store_durable: bool,
    /// At most this many records in the key store; one more evicts the
    /// record closest to its expiry (`[keys] max_records`, Redis's
    /// `volatile-ttl`). `None`: no bound but the run's.
    pub max_key_records: Option<u32>,
    /// How long the API waits for a store before answering 503.
    pub store_timeout_ms: u64,
    /// What the API does when the key store does not answer.
    pub key_store_down: KeyStoreDown,
    /// For `wait`: how long between two looks, and how many looks at most.
    pub wait_ms: u64,
    pub max_waits: u32,
    /// What the API answers when a store does not answer in time (and the
    /// design does not fail open): by default a retryable 503.
    pub on_store_timeout: Answer,
    /// What the API answers when a `wait` runs out (`max_waits` looks and the
    /// key is still in progress): by default 409 `key_in_use`.
    pub on_wait_exhausted: Answer,
    /// `Some` when the API issues keys (`POST /keys`), recording them in `key_store`.
    pub issues_keys: bool,
    /// Whether an issued key is bound to the purpose the client gave when it
    /// asked for it (`[keys] bind`): the payload is recorded with the key,
    /// and a `load-key` step's `mismatch` branch compares it on use.
    pub binds_keys: bool,
    /// The transfer endpoint, in order.
    pub transactions: Vec<Transaction>,
    /// Transactions that run only on a failure (`[[cleanup]]`), named by
    /// the transfer transactions' `on_*` fields.
    pub cleanups: Vec<Transaction>,
    /// Transactions only the completer runs (`[[job]]`).
    pub jobs: Vec<Transaction>,
    /// A worker that finishes or fails keys left in progress (`[completer]`).
    pub completer: Option<Completer>,
    /// Which key the API sends the processor with each charge.
    pub processor_key: ProcessorKey,
    /// How many times the API sends a store or processor call that gets no
    /// answer in time, at most, before it gives up (`[api] call_attempts`).
    pub call_attempts: u32,
}

/// The idempotency key the API gives the processor with a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProcessorKey {
    /// None: every charge call charges.
    None,
    /// Derived from the client's idempotency key: every call for one key,
    /// from any attempt, charges once.
    Request,
    /// Made fresh for each attempt the API serves: the API's own resends
    /// charge once, a client's retry charges again.
    Attempt,
}

/// A second completion path (Brandur's "completer", a recovery job): a
/// worker host that looks at the key store every `every_ms`, picks up each
/// key in progress for longer than `after_ms`, and runs `run` for it, with
/// the payload its record holds, racing any client retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completer {
    pub every_ms: u64,
    pub after_ms: u64,
    /// Transactions, cleanups or jobs, in wire numbering, run in order; the
    /// first that does not commit ends the work on that key.
    pub run: Vec<u16>,
    /// What a `save-answer` step of the completer stores: the answer a
    /// client's retry will replay for a key the completer failed.
    pub answer: Answer,
}

/// A step boundary of the transfer endpoint: boundary `i` lies after `i`
/// transactions have committed and before transaction `i` starts. Every
/// boundary is a place where a crash or a stall can be injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Boundary(pub u16);

impl Design {
    /// Where the money moves: the processor when a step charges there,
    /// else the ledger.
    pub fn money_store(&self) -> StoreName {
        let charges = self
            .all_transactions()
            .flat_map(|t| &t.steps)
            .any(|s| s.is_processor_op());
        if charges {
            StoreName::Processor
        } else {
            StoreName::Ledger
        }
    }

    /// The store hosts the design talks to over the network, in name order.
    pub fn stores(&self) -> Vec<StoreName> {
        let mut stores: Vec<StoreName> = self.all_transactions().map(|t| t.store).collect();
        if self.issues_keys {
            stores.push(self.key_store);
        }
        stores.retain(|s| s.is_remote());
        stores.sort();
        stores.dedup();
        stores
    }

    /// Transaction `n` of the wire's numbering: the transfer transactions,
    /// then the cleanups.
    pub fn txn(&self, n: u16) -> &Transaction {
        let n = n as usize;
        let endpoint = self.transactions.len();
        let cleanups = endpoint + self.cleanups.len();
        if n < endpoint {
            &self.transactions[n]
        } else if n < cleanups {
            &self.cleanups[n - endpoint]
        } else {
            &self.jobs[n - cleanups]
        }
    }

    /// Every transaction of the design in wire numbering: the transfer
    /// endpoint's, the cleanups, the jobs.
    pub fn all_transactions(&self) -> impl Iterator<Item = &Transaction> {
        self.transactions
            .iter()
            .chain(&self.cleanups)
            .chain(&self.jobs)
    }

    /// The wire's number of cleanup `index`.
    pub fn cleanup_call(&self, index: u16) -> crate::vocab::wire::DesignCall {
        assert!((index as usize) < self.cleanups.len());
        crate::vocab::wire::DesignCall::Txn(txn_number(self.transactions.len()) + index)
    }

    /// How many step boundaries the transfer endpoint has.
    pub fn boundary_count(&self) -> usize {
        self.transactions.len() + 1
    }

    pub fn boundaries(&self) -> impl Iterator<Item = Boundary> + use<> {
        (0..txn_number(self.boundary_count())).map(Boundary)
    }

    /// The name of a boundary, as faults and the timeline write it:
    /// `before:NAME` for the first, `after:NAME` for the others.
    pub fn boundary_name(&self, boundary: Boundary) -> String {
        let index = boundary.0 as usize;
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

    /// Parses `before:NAME` or `after:NAME` into a boundary.
    pub fn boundary_index(&self, name: &str) -> Option<Boundary> {
        let (side, txn) = name.split_once(':')?;
        let position = self.transactions.iter().position(|t| t.name == txn)?;
        let index = match side {
            "before" => position,
            "after" => position + 1,
            _ => return None,
        };
        Some(Boundary(txn_number(index)))
    }

    /// All boundary names a fault may use (both spellings of each inner one), for error messages.
    pub fn boundary_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for t in &self.transactions {
            names.push(format!("before:{}", t.name));
            names.push(format!("after:{}", t.name));
        }
        names
    }

    /// The name of a store call, as faults name its message.
    pub fn call_name(&self, call: crate::vocab::wire::DesignCall) -> &str {
        match call {
            crate::vocab::wire::DesignCall::IssueKey => "issue-key",
            crate::vocab::wire::DesignCall::Txn(n) => &self.txn(n).name,
        }
    }

    /// The store a call goes to.
    pub fn call_store(&self, call: crate::vocab::wire::DesignCall) -> StoreName {
        match call {
            crate::vocab::wire::DesignCall::IssueKey => self.key_store,
            crate::vocab::wire::DesignCall::Txn(n) => self.txn(n).store,
        }
    }

    /// The name of a message of an attempt, as faults and the timeline write it.
    pub fn point_name(&self, point: crate::vocab::wire::Point) -> String {
        use crate::vocab::wire::{Call, Point};
        match point {
            Point::Request => "request".to_string(),
            Point::Response => "response".to_string(),
            Point::KeyRequest => "key-request".to_string(),
            Point::KeyResponse => "key-response".to_string(),
            Point::Call(Call::Design(call)) => self.call_name(call).to_string(),
            Point::Result(Call::Design(call)) => format!("{}-result", self.call_name(call)),
            // A service's calls are named by the service's vocabulary.
            Point::Call(Call::Service(_)) => "(service call)".to_string(),
            Point::Result(Call::Service(_)) => "(service call)-result".to_string(),
        }
    }

    /// Every message a design's attempts send, in the order a request meets them.
    pub fn points(&self) -> Vec<crate::vocab::wire::Point> {
        use crate::vocab::wire::{Call, DesignCall, Point};
        let mut points = vec![Point::Request, Point::Response];
        if self.issues_keys {
            points.extend([Point::KeyRequest, Point::KeyResponse]);
            if self.key_store.is_remote() {
                let issue = Call::Design(DesignCall::IssueKey);
                points.extend([Point::Call(issue), Point::Result(issue)]);
            }
        }
        // A completer's jobs belong to no client attempt, so no fault names
        // them; a transaction in the API's memory sends no message.
        for n in 0..txn_number(self.transactions.len() + self.cleanups.len()) {
            if !self.txn(n).store.is_remote() {
                continue;
            }
            let txn = Call::Design(DesignCall::Txn(n));
            points.push(Point::Call(txn));
            points.push(Point::Result(txn));
        }
        points
    }

    /// The message a fault names by `name`, if this design sends one.
    pub fn point(&self, name: &str) -> Option<crate::vocab::wire::Point> {
        self.points()
            .into_iter()
            .find(|p| self.point_name(*p) == name)
    }
}
