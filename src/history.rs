//! The event log every part of the world appends to.
//!
//! One history per run: clients, the API, the stores and the network each record
//! what they did, at which simulated millisecond, in the order it happened. The
//! checker judges the history (and the final state); every reporter prints it.
//! Nothing else flows from the simulation to the outside.

use crate::wire::{HttpResponse, TransferBody};
use serde::Serialize;

/// What a client finally knows about a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// A 2xx answer.
    Succeeded { response: HttpResponse },
    /// A final error answer (4xx other than 409 key_in_use): the client stops.
    Rejected { response: HttpResponse },
    /// The client ran out of attempts without a final answer: the outcome is
    /// unknown (Jepsen's `:info`) and the checker counts it neither way.
    Unknown { last: String },
}

impl Outcome {
    pub fn describe(&self) -> String {
        match self {
            Outcome::Succeeded { response } => format!("succeeded: {}", response.describe()),
            Outcome::Rejected { response } => format!("rejected: {}", response.describe()),
            Outcome::Unknown { last } => format!("unknown (last attempt: {last})"),
        }
    }
}

/// Why a fault happened: what a reader, and the shrinker, needs to tell a
/// fault the scenario asked for from one the seed drew or one that followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// A targeted fault of the scenario.
    Targeted,
    /// A random fault drawn from the seed.
    Random,
    /// Lost in flight together with another message that was lost.
    Burst,
    /// Sent to a host that is down.
    HostDown,
    /// Sent to or from a store during its outage.
    Outage,
}

/// How the timeline says where a key came from.
pub fn key_origin(issued_by_server: bool) -> &'static str {
    if issued_by_server {
        "issued by the server"
    } else {
        "made by the client"
    }
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum What {
    /// A client asks the API for an idempotency key.
    KeyRequested { transfer: String, attempt: u32 },
    /// A client has a key for a transfer (issued by the server or made by itself).
    KeyObtained {
        transfer: String,
        key: String,
        issued_by_server: bool,
    },
    /// A client sends an attempt of a transfer.
    Sent {
        transfer: String,
        attempt: u32,
        key: Option<String>,
        body: TransferBody,
    },
    /// A client receives the answer to its current attempt.
    Received {
        transfer: String,
        attempt: u32,
        response: HttpResponse,
    },
    /// A client gave up waiting for an attempt's answer.
    TimedOut { transfer: String, attempt: u32 },
    /// An answer to an earlier attempt arrived after the client stopped waiting for it.
    LateAnswer {
        transfer: String,
        attempt: u32,
        response: HttpResponse,
    },
    /// A client waits before the next attempt.
    Backoff { transfer: String, wait_ms: u64 },
    /// What the client finally knows about a transfer.
    Finished {
        transfer: String,
        outcome: Outcome,
        attempts: u32,
    },
    /// The API starts serving a request.
    ApiReceived {
        transfer: String,
        attempt: u32,
        path: String,
        key: Option<String>,
        body: Option<TransferBody>,
    },
    /// A store ran (or refused) one transaction.
    Txn {
        store: String,
        transaction: String,
        transfer: String,
        attempt: u32,
        result: String,
    },
    /// The ledger moved money: `delta` is negative for a debit.
    LedgerEntry {
        transfer: String,
        attempt: u32,
        transfer_id: u64,
        key: Option<String>,
        account: String,
        delta: i64,
    },
    /// The API sends its answer.
    ApiReplied {
        transfer: String,
        attempt: u32,
        key: Option<String>,
        body: Option<TransferBody>,
        response: HttpResponse,
    },
    /// The key store did not answer and the design fails open: the API carries
    /// on without deduplication.
    FailedOpen {
        transfer: String,
        attempt: u32,
        transaction: String,
    },
    /// The API gave up waiting for a store.
    StoreTimeout {
        store: String,
        transfer: String,
        attempt: u32,
    },
    /// The network lost a message.
    Lost {
        from: String,
        to: String,
        message: String,
        reason: String,
        cause: Cause,
        transfer: String,
        attempt: u32,
        point: String,
    },
    /// The API stalls at a step boundary (a `stall` fault).
    Stalled {
        transfer: String,
        attempt: u32,
        at: String,
        stall_ms: u64,
        cause: Cause,
    },
    /// The network delivers a message twice.
    Duplicated {
        from: String,
        to: String,
        message: String,
        cause: Cause,
        transfer: String,
        attempt: u32,
        point: String,
    },
    /// A client restarted and lost the key it was holding.
    ClientRestarted { transfer: String },
    /// A key record changed state (`absent`, `issued`, `in-progress`, `done`,
    /// `expired`) in a committed transaction.
    KeyState {
        store: String,
        key: String,
        from: String,
        to: String,
    },
    /// A key record expired (an `expire-key` fault, ahead of its TTL).
    KeyExpired { store: String, key: String },
    /// The network holds a message until `until_ms`.
    Held {
        from: String,
        to: String,
        message: String,
        until_ms: u64,
        reason: String,
        cause: Cause,
        transfer: String,
        attempt: u32,
        point: String,
    },
    /// The network delivers a held message.
    Released {
        from: String,
        to: String,
        message: String,
    },
    /// A host crashed; `at` is the step boundary the API had reached serving
    /// `transfer`#`attempt`, when the crash came from one.
    Crashed {
        host: String,
        reason: String,
        cause: Cause,
        at: Option<String>,
        transfer: Option<String>,
        attempt: Option<u32>,
    },
    /// A crashed host started again, with its durable state and an empty memory.
    Restarted { host: String },
    /// The fault window closed: from now on the network is healthy and no host crashes.
    Healed,
    /// The run stopped at one of its limits.
    LimitReached { limit: String },
}

/// An event: when, where, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub at_ms: u64,
    pub host: String,
    #[serde(flatten)]
    pub what: What,
}

/// The ordered log of a run.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    events: Vec<Event>,
}

impl History {
    pub fn push(&mut self, at_ms: u64, host: &str, what: What) {
        if let Some(last) = self.events.last() {
            assert!(
                at_ms >= last.at_ms,
                "history must be in time order: {at_ms} ms after {} ms",
                last.at_ms
            );
        }
        self.events.push(Event {
            at_ms,
            host: host.to_string(),
            what,
        });
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn into_events(self) -> Vec<Event> {
        self.events
    }
}
