//! The event log every part of the world appends to.
//!
//! One history per run: clients, the API, the stores, the network and the
//! driver each record what they did, at which simulated millisecond, in the
//! order it happened. The checker judges the history (and the final state);
//! every reporter prints it. Nothing else flows from the simulation out.
//!
//! Events are data, not sentences: transfers, accounts and clients are
//! indices into the scenario, keys and answers are typed values, every
//! message carries its id, and why a fault happened is a [`Cause`]. The words
//! a person reads are chosen by the reporters (`report`), never here, so no
//! module ever decides anything by reading another's prose. An event costs a
//! fixed few dozen bytes whatever the scenario names things.

pub use crate::api::Place;
pub use crate::vocab::wire::{
    Call, Code, Endpoint, Key, KeyOrigin, Meaning, MsgId, Point, RecordKey, Response, Tag,
    TransferBody,
};
pub use crate::vocab::{AccountIx, ClientIx, Host, StoreName, TransferIx};
pub use crate::vocab::{KeyRecord, KeyState, LedgerEntry, ServiceOp};
use serde::Serialize;

/// The last thing a client heard for a transfer it never finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LastAnswer {
    TimedOut,
    Answer(Response),
}

/// What a client finally knows about a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A 2xx answer.
    Succeeded(Response),
    /// A definitive failure: an answer the client must not retry (a 4xx other
    /// than 409 and 429, or an answer the API marks final).
    Failed(Response),
    /// The client stopped without a definitive answer: the outcome is
    /// unknown (Jepsen's `:info`) and the checker counts it neither way.
    Unknown(LastAnswer),
}

impl Outcome {
    pub fn response(&self) -> Option<&Response> {
        match self {
            Outcome::Succeeded(r) | Outcome::Failed(r) => Some(r),
            Outcome::Unknown(LastAnswer::Answer(r)) => Some(r),
            Outcome::Unknown(LastAnswer::TimedOut) => None,
        }
    }
}

/// Why a fault happened: what a reader, and the shrinker, needs to tell a
/// fault the scenario asked for from one the seed drew or one that followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cause {
    /// Targeted fault number `n` (0-based) of the scenario.
    Targeted(usize),
    /// A random fault drawn from the seed.
    Random,
    /// Sent to a host that is down.
    HostDown(Host),
    /// Sent to or from `store` while it was unreachable (an outage).
    Outage { store: StoreName, until_ms: u64 },
}

impl Cause {
    /// A fault the scenario or the seed chose, as opposed to one that followed from another.
    pub fn is_primary(self) -> bool {
        matches!(self, Cause::Targeted(_) | Cause::Random)
    }
}

/// The state of an idempotency record, as a step of a design sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum KeyPhase {
    Absent,
    Issued,
    InProgress,
    Done,
    /// A record whose TTL has run out: absent to a design, named so a reader sees why.
    Expired,
}

/// What a store transaction came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TxnResult {
    Committed,
    /// Stopped at a step that answers the client; nothing (or only a saved
    /// answer) was written.
    Stopped(Response),
    /// Stopped because another request holds the key; the API will wait and run it again.
    Wait,
    /// A service's call: what it asked and what the store answered.
    Service(std::sync::Arc<crate::vocab::ServiceOp>),
}

/// A limit a run reached before it completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Limit {
    /// The scenario's cap on simulated time.
    SimTime { max_sim_ms: u64 },
    /// The time the world may take to go quiet after the last client finished.
    Drain { drain_ms: u64 },
    /// The run's budget of host steps (steps × hosts).
    HostSteps { max_host_steps: u64 },
    /// The run's budget of network work (messages in flight summed over
    /// steps, plus the messages each delivery moves in its link's queue).
    NetworkWork { max_network_work: u64 },
    /// The cap on messages one run may send.
    Messages { max_messages: u64 },
}

/// Where a crash hit: the step boundary the API had reached serving an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CrashSite {
    pub boundary: Place,
    pub tag: Tag,
}

/// What a crashed host found of its records when it started again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Kept {
    /// Its durable state: a store's records, balances and entries (the API
    /// has none of its own; what it had in flight is gone).
    Durable,
    /// Nothing: it started empty, and the `records` idempotency records it
    /// held are gone (a key store without persistence, or a design's records
    /// in the API's memory).
    Nothing { records: u64 },
}

/// How severe a logged event is, as `tracing` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn of(level: tracing::Level) -> LogLevel {
        match level {
            tracing::Level::ERROR => LogLevel::Error,
            tracing::Level::WARN => LogLevel::Warn,
            tracing::Level::INFO => LogLevel::Info,
            tracing::Level::DEBUG => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }

    /// `ERROR`, `WARN`, `INFO`, `DEBUG`, `TRACE`: as `tracing` prints it.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
        }
    }
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum What {
    /// A client asks the API for an idempotency key (`tag.key_request`).
    KeyRequested { msg: MsgId, tag: Tag },
    /// A client has a key for a transfer (issued by the server or made by itself).
    KeyObtained { transfer: TransferIx, key: Key },
    /// A client sends an attempt of a transfer.
    Sent {
        msg: MsgId,
        tag: Tag,
        key: Option<Key>,
        body: TransferBody,
    },
    /// A client receives the answer to its current attempt.
    Received { tag: Tag, response: Response },
    /// A client gave up waiting for an attempt's answer.
    TimedOut { tag: Tag },
    /// An answer to an earlier attempt arrived after the client stopped waiting for it.
    LateAnswer { tag: Tag, response: Response },
    /// A client waits before the next attempt: its backoff, or, when
    /// `until_heal`, until the faults heal, since it has made all the
    /// attempts its policy allows while they act (`max_attempts`) and owes
    /// the rest (`attempts_after_heal`) to after the heal.
    Backoff {
        transfer: TransferIx,
        wait_ms: u64,
        until_heal: bool,
    },
    /// The faults have healed and a transfer still has no definitive answer:
    /// its client goes on retrying until `deadline_ms` (the liveness phase).
    LivenessPhase {
        transfer: TransferIx,
        deadline_ms: u64,
    },
    /// What the client finally knows about a transfer.
    Finished {
        transfer: TransferIx,
        outcome: Outcome,
        attempts: u32,
    },
    /// The API starts serving a request (message `msg`).
    ApiReceived {
        msg: MsgId,
        tag: Tag,
        endpoint: Endpoint,
        key: Option<Key>,
        body: Option<TransferBody>,
    },
    /// A store ran (or refused) one call: `call` arrived as message `msg`,
    /// and its result leaves as message `result_msg`.
    Txn {
        msg: MsgId,
        result_msg: MsgId,
        store: StoreName,
        call: Call,
        tag: Tag,
        result: TxnResult,
    },
    /// The ledger moved money: `delta` is negative for a debit.
    LedgerEntry {
        tag: Tag,
        transfer_id: u64,
        key: Option<Key>,
        account: AccountIx,
        delta: i64,
    },
    /// The API sends its answer (message `msg`) to request `request_msg`.
    ApiReplied {
        msg: MsgId,
        request_msg: MsgId,
        tag: Tag,
        endpoint: Endpoint,
        key: Option<Key>,
        body: Option<TransferBody>,
        response: Response,
    },
    /// The key store did not answer and the design fails open: the API carries
    /// on without deduplication.
    FailedOpen { tag: Tag, call: Call },
    /// The API (or the completer) waited in vain for a store's answer to
    /// the `send`th send of a call it sends at most `sends` times (a
    /// design's `[api] call_attempts`; 1 for a service, whose code decides
    /// what to do next): it sends the call again while `send < sends`, and
    /// gives up on it after the last.
    StoreTimeout {
        store: StoreName,
        tag: Tag,
        send: u32,
        sends: u32,
    },
    /// A service's handler for attempt `tag` was dropped before it answered:
    /// its client closed the connection, and hyper drops the handler
    /// wherever it was waiting. The `spawned` tasks the handler had started
    /// are not dropped with it: their work goes on, under the same attempt.
    HandlerDropped { tag: Tag, spawned: u32 },
    /// The network lost a message.
    Lost {
        msg: MsgId,
        from: Host,
        to: Host,
        point: Point,
        tag: Tag,
        cause: Cause,
    },
    /// The API stalls at a step boundary.
    Stalled {
        tag: Tag,
        boundary: Place,
        stall_ms: u64,
        cause: Cause,
    },
    /// The network delivers a message twice.
    Duplicated {
        msg: MsgId,
        from: Host,
        to: Host,
        point: Point,
        tag: Tag,
        cause: Cause,
    },
    /// A client restarted after attempt `tag` failed; what it kept follows
    /// the scenario's `[retry.on] restart`.
    ClientRestarted { tag: Tag, cause: Cause },
    /// Attempt `tag` was answered a definitive failure and the client pays
    /// again with a new key (`[retry.on] failure = "new-key"`, a person
    /// pressing Pay again): the `time`th time, of at most `most`.
    PaysAgain { tag: Tag, time: u32, most: u32 },
    /// A key record changed state in a committed transaction.
    KeyState {
        store: StoreName,
        key: RecordKey,
        from: KeyPhase,
        to: KeyPhase,
    },
    /// A key record expired ahead of its TTL, as attempt `tag` was sent.
    KeyExpired {
        store: StoreName,
        key: RecordKey,
        tag: Tag,
        cause: Cause,
    },
    /// The completer picked up `key`, in progress since `since_ms`, to
    /// finish or fail it (its store calls carry `tag`).
    Completing {
        key: RecordKey,
        tag: Tag,
        since_ms: u64,
    },
    /// A full key store evicted `key`'s record, the one closest to its
    /// expiry, to make room (`[keys] max_records`).
    KeyEvicted { store: StoreName, key: RecordKey },
    /// `store` became unreachable until `until_ms`: every message to or from
    /// it is lost until then.
    Outage {
        store: StoreName,
        until_ms: u64,
        cause: Cause,
    },
    /// The network holds a message until `until_ms`.
    Held {
        msg: MsgId,
        from: Host,
        to: Host,
        point: Point,
        tag: Tag,
        until_ms: u64,
        cause: Cause,
    },
    /// The network delivers a held message.
    Released {
        msg: MsgId,
        from: Host,
        to: Host,
        point: Point,
        tag: Tag,
    },
    /// A host crashed, where `site` says when a crash fault caused it.
    Crashed {
        host: Host,
        cause: Cause,
        site: Option<CrashSite>,
    },
    /// A crashed host started again with an empty memory, and with what
    /// `kept` says of the records it held.
    Restarted { host: Host, kept: Kept },
    /// The fault window closed: from now on the network is healthy and no host crashes.
    Healed,
    /// The run stopped at one of its limits.
    LimitReached { limit: Limit },
    /// Code running in the host (a service, or a crate it uses) logged a
    /// `tracing` event that the run's `--log` filter lets through (see
    /// `crate::world::logs`); `tag` is the attempt that code served, when it
    /// served one. `message` holds the event's message, then its other
    /// fields as ` name=value`.
    Log {
        tag: Option<Tag>,
        level: LogLevel,
        target: Box<str>,
        message: Box<str>,
    },
    /// Code running in `host` (or the driver or the checker) panicked: the run
    /// is void, whatever it had shown so far.
    Panicked { host: Host, message: String },
}

/// An event: when, where, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub at_ms: u64,
    pub host: Host,
    pub what: What,
}

/// The ordered log of a run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct History {
    events: Vec<Event>,
}

impl History {
    pub fn push(&mut self, at_ms: u64, host: Host, what: What) {
        if let Some(last) = self.events.last() {
            assert!(
                at_ms >= last.at_ms,
                "history must be in time order: {at_ms} ms after {} ms",
                last.at_ms
            );
        }
        self.events.push(Event { at_ms, host, what });
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn into_events(self) -> Vec<Event> {
        self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_small() {
        // Memory per event is a scale target: a history of a million events
        // must fit in a few hundred megabytes.
        assert!(
            std::mem::size_of::<Event>() <= 160,
            "{} bytes",
            std::mem::size_of::<Event>()
        );
    }
}
