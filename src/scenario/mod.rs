//! Scenarios: the workload, the network, the faults and the expected verdict.
//!
//! A scenario file (TOML) is read by [`load_scenario`] into a validated
//! [`Scenario`]; the simulation only ever sees validated values. Tests and
//! property generators build a [`Scenario`] directly.
//!
//! ```toml
//! name = "naive design, response lost"
//! description = "The API applies the transfer, the response is lost, the retry applies it again."
//! seed = 1
//! design = "naive"                   # built-in name, or a path to a design file
//!
//! [accounts]                         # starting balances in integer minor units
//! alice = 10_000
//! bob = 0
//!
//! [keys]
//! source = "client"                  # "client": made by the client; "server": POST /keys first
//!
//! [retry]
//! max_attempts = 4
//! timeout_ms = 200                   # per attempt
//! backoff_initial_ms = 50            # doubles each retry, up to backoff_max_ms
//! backoff_max_ms = 400
//! jitter = "half"                    # "none", "half" (Stripe: half to all), "full"
//! attempts_after_heal = 2            # extra attempts once the faults have stopped
//!
//! [network]
//! latency_min_ms = 1
//! latency_max_ms = 5
//! loss = "0"                         # random loss of each message, while faults act
//!
//! [faults]
//! heal_at_ms = 1_000                 # every fault acts before this time, none after
//! crash = "0"                        # chance the API crashes at each step boundary
//! restart_after_ms = 100
//!
//! [[client]]
//! transfers = [{ from = "alice", to = "bob", amount = 2_500 }]   # t1
//!
//! [[fault]]
//! kind = "drop-response"             # drop-request | drop-response | delay | crash
//! transfer = "t1"
//! attempt = 1
//!
//! [expect]
//! violations = ["double-apply", "inconsistent-replay"]
//! ```

mod load;
pub mod write;

pub use load::{load_scenario, message_points, parse_scenario};

use crate::design::{Design, StoreName};
use crate::ratio::Ratio;
use crate::wire::point;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where a client's idempotency key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    /// The client asks the API for a key (`POST /keys`) before the transfer.
    Server,
    /// The client makes a key itself, from the seed, once per transfer.
    Client,
    /// A faulty client (or SDK) that makes a new key for every attempt.
    ClientPerAttempt,
}

/// How the client's wait before each retry is randomised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Jitter {
    /// Exactly the exponential backoff.
    None,
    /// Between half and all of it, never below the initial backoff (Stripe's SDKs).
    Half,
    /// Anywhere from the initial backoff to all of it.
    Full,
}

/// The client's retry policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub timeout_ms: u64,
    pub backoff_initial_ms: u64,
    pub backoff_max_ms: u64,
    pub jitter: Jitter,
    /// Attempts a client still makes after the faults have healed, when it has
    /// no final answer yet: the client that comes back later. It is what lets
    /// the checker tell a design that recovers from one that does not.
    pub attempts_after_heal: u32,
    /// On 400 `unknown_key` (the key expired or was deleted), fetch or make a
    /// new key and go on retrying, as classic clients do.
    pub new_key_on_unknown_key: bool,
}

/// The network between every two hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Network {
    /// At least 1: a message spends at least one tick in flight, which is
    /// what lets idemsim see, and so lose or hold, every message.
    pub latency_min_ms: u64,
    pub latency_max_ms: u64,
    /// Chance each message is lost, while faults act.
    pub loss: Ratio,
}

/// Random faults and the window in which every fault acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultWindow {
    /// Faults act strictly before this simulated time; after it the network is healthy.
    pub heal_at_ms: u64,
    /// Chance that the API crashes at each step boundary of a transfer.
    pub crash: Ratio,
    /// How long a randomly crashed host stays down.
    pub restart_after_ms: u64,
    /// Chance that each message is delivered twice.
    pub duplicate: Ratio,
    /// Chance that each message is held past the client's timeout.
    pub delay: Ratio,
    /// Chance that the API stalls past the client's timeout at each step boundary.
    pub stall: Ratio,
}

impl FaultWindow {
    /// True when no random fault is on (loss lives in [`Network`]).
    pub fn is_calm(&self) -> bool {
        self.crash.is_zero()
            && self.duplicate.is_zero()
            && self.delay.is_zero()
            && self.stall.is_zero()
    }
}

/// A host that a crash fault can hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrashHost {
    Api,
    Keys,
    Ledger,
}

impl CrashHost {
    pub fn host(self) -> &'static str {
        match self {
            CrashHost::Api => "api",
            CrashHost::Keys => "keys",
            CrashHost::Ledger => "ledger",
        }
    }
}

/// A targeted fault: where in one request's life it hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FaultKind {
    /// The message is lost in the network (`drop-request`: before the API
    /// sees the request; `drop-response`: after the API processed it).
    Drop { message: String },
    /// The message is held in the network for `delay_ms`, then delivered.
    Delay { message: String, delay_ms: u64 },
    /// The API stalls for `stall_ms` at step boundary `boundary` while
    /// serving this attempt (a pause, a slow dependency), so that a retry
    /// overlaps the original.
    Stall {
        boundary: usize,
        boundary_name: String,
        stall_ms: u64,
    },
    /// The message is delivered twice.
    Duplicate { message: String },
    /// The key's record expires just as this attempt is sent.
    ExpireKey,
    /// After this attempt fails, the client restarts and forgets its key.
    ClientRestart,
    /// `host` crashes when the API reaches step boundary `boundary` while
    /// serving this attempt, and restarts `restart_after_ms` later.
    Crash {
        host: CrashHost,
        boundary: usize,
        boundary_name: String,
        restart_after_ms: u64,
    },
}

impl FaultKind {
    /// The name a scenario file uses.
    /// The message a network fault acts on, if it is one.
    pub fn message(&self) -> Option<&str> {
        match self {
            FaultKind::Drop { message }
            | FaultKind::Delay { message, .. }
            | FaultKind::Duplicate { message } => Some(message),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Drop { message } if message == point::REQUEST => "drop-request",
            FaultKind::Drop { message } if message == point::RESPONSE => "drop-response",
            FaultKind::Drop { .. } => "drop",
            FaultKind::Delay { .. } => "delay",
            FaultKind::Stall { .. } => "stall",
            FaultKind::Duplicate { .. } => "duplicate",
            FaultKind::ExpireKey => "expire-key",
            FaultKind::ClientRestart => "client-restart",
            FaultKind::Crash { .. } => "crash",
        }
    }
}

/// A targeted fault and the attempt it hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// Transfer id (`t1`, `t2`, … in file order unless named).
    pub transfer: String,
    /// 1-based attempt number.
    pub attempt: u32,
    #[serde(flatten)]
    pub kind: FaultKind,
}

/// A store the API cannot reach from `from_ms` until `until_ms`: every
/// message to or from it is lost in that window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outage {
    pub store: StoreName,
    pub from_ms: u64,
    pub until_ms: u64,
}

/// How long each store takes to run one transaction (a slow query, a lock wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stores {
    pub keys_work_ms: u64,
    pub ledger_work_ms: u64,
}

/// One transfer intent: what a client wants done exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub id: String,
    pub from: String,
    pub to: String,
    pub amount: i64,
    /// Send this transfer with the key of an earlier transfer of the same
    /// client, instead of a key of its own: a reused key, which a design
    /// should refuse with 422 when the payload differs.
    pub reuse_key_of: Option<String>,
}

/// One client host and its transfers, run one after another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    pub transfers: Vec<Transfer>,
}

/// The stable names of the invariants (a contract: see DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationKind {
    DoubleApply,
    LostApply,
    MoneyNotConserved,
    InconsistentReplay,
    MismatchAccepted,
    StuckKey,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 6] = [
        ViolationKind::DoubleApply,
        ViolationKind::LostApply,
        ViolationKind::MoneyNotConserved,
        ViolationKind::InconsistentReplay,
        ViolationKind::MismatchAccepted,
        ViolationKind::StuckKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::DoubleApply => "double-apply",
            ViolationKind::LostApply => "lost-apply",
            ViolationKind::MoneyNotConserved => "money-not-conserved",
            ViolationKind::InconsistentReplay => "inconsistent-replay",
            ViolationKind::MismatchAccepted => "mismatch-accepted",
            ViolationKind::StuckKey => "stuck-key",
        }
    }
}

/// On which seeds of a range a scenario's expectation must be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectOn {
    /// Every seed: a design that must hold, or a bug the faults always show.
    #[serde(alias = "every")]
    EverySeed,
    /// At least one seed: a bug that random faults show only sometimes.
    #[serde(alias = "some")]
    SomeSeed,
}

/// A validated scenario, ready to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub design: Design,
    /// Accounts and starting balances, sorted by name.
    pub accounts: Vec<(String, i64)>,
    pub key_source: KeySource,
    /// How many distinct keys a client draws from; a small space makes
    /// low-entropy keys that collide between clients.
    pub key_space: u32,
    pub retry: RetryPolicy,
    pub network: Network,
    pub window: FaultWindow,
    pub clients: Vec<Client>,
    pub faults: Vec<Fault>,
    pub outages: Vec<Outage>,
    pub stores: Stores,
    /// Cap on simulated time; a run that reaches it reports so.
    pub max_sim_ms: u64,
    /// The violations the run must show, sorted; empty for a design that must hold.
    pub expect: Vec<ViolationKind>,
    /// Over a seed range (`idemsim check --seeds`), on which seeds `expect` must hold.
    pub expect_on: ExpectOn,
    /// Phases an `idemsim explore` sweep must reach at least once.
    pub must_reach: Vec<String>,
    /// The file it was read from, for the replay command.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Scenario {
    /// Every transfer, in id order of appearance, with the index of its client.
    pub fn transfers(&self) -> impl Iterator<Item = (usize, &Transfer)> {
        self.clients
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.transfers.iter().map(move |t| (i, t)))
    }

    pub fn initial_balance(&self, account: &str) -> Option<i64> {
        self.accounts
            .iter()
            .find(|(name, _)| name == account)
            .map(|(_, b)| *b)
    }
}
