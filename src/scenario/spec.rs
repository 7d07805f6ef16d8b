//! The scenario file model: what a scenario file says, as serde types.
//!
//! These types are the one description of the file format. They read a file
//! (`Deserialize`), write one back (`Serialize`: a shrunk counterexample
//! becomes an ordinary file), and describe the format to editors
//! (`JsonSchema`: `idemsim schema`). Values are checked, and names resolved,
//! by [`ScenarioSpec::validate`], the same for a file and for a scenario built
//! in code; sections that need no resolving (the retry policy, the network,
//! the limits…) are used by the simulation as they are.

use crate::fault::FaultSpec;
use crate::fault::random::Rates;
use crate::limits;
use crate::ratio::Ratio;
use crate::vocab::ViolationKind;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// An idemsim scenario: the workload, the network, the faults and the
/// expected verdict. Every run is reproducible from its seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "idemsim scenario")]
#[schemars(extend("oneOf" = [{ "required": ["design"] }, { "required": ["service"] }]))]
pub struct ScenarioSpec {
    /// A short title, shown first in every report.
    pub name: String,
    /// What happens and why, for the person reading the timeline.
    #[serde(default)]
    pub description: String,
    /// The seed every random choice is drawn from; `--seed` overrides it.
    #[serde(default)]
    pub seed: Seed,
    /// The payment API, as a design: a built-in design (`naive`, `classic`,
    /// `atomic`) or the path of a design file ending in `.toml`, relative to
    /// this file. A scenario names a design or a service, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub design: Option<String>,
    /// The payment API, as a service: the name of one the program running
    /// the scenario offers (see `idemsim::service`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub service: Option<String>,
    /// Accounts and their starting balances, in integer minor units.
    #[schemars(with = "BTreeMap<String, Balance>")]
    #[schemars(extend("minProperties" = 1, "maxProperties" = limits::MAX_ACCOUNTS))]
    pub accounts: BTreeMap<String, i64>,
    #[serde(default)]
    pub keys: Keys,
    #[serde(default)]
    pub retry: RetryPolicy,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub faults: FaultWindow,
    #[serde(default)]
    pub stores: Stores,
    #[serde(default)]
    pub limits: RunLimits,
    #[serde(default)]
    pub simulation: Simulation,
    /// How clients call a service (its method, path, body, key header, key
    /// endpoint and how to read its answers), when the scenario says rather
    /// than the service; only for a service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<crate::service::HttpApi>,
    /// The PostgreSQL database a service's own SQL runs against (on the
    /// `ledger` host): how it is set up, how each account is created, and
    /// where the balances are. Only for a service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseSpec>,
    #[serde(default)]
    pub explore: ExploreSpec,
    pub expect: Expectation,
    /// One table per client host (`client-1`, `client-2`, …), each running its
    /// transfers one after another.
    #[serde(rename = "client")]
    #[schemars(length(min = 1, max = limits::MAX_CLIENTS))]
    pub clients: Vec<ClientSpec>,
    /// Targeted faults: which transfer and attempt they hit, and where.
    #[serde(default, rename = "fault")]
    #[schemars(length(max = limits::MAX_FAULTS))]
    pub targeted: Vec<FaultSpec>,
}

/// A balance or amount in minor units (for the schema).
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct Balance(#[schemars(range(min = 0, max = limits::MAX_AMOUNT))] i64);

/// A seed. TOML integers stop at 2^63 - 1, so a larger seed is written as a
/// string of digits; both forms are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seed(pub u64);

impl Serialize for Seed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(self.0) {
            Ok(small) => s.serialize_i64(small),
            Err(_) => s.serialize_str(&self.0.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Seed, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Seed;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a seed from 0 to 18446744073709551615 (an integer, or a string of digits)",
                )
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Seed, E> {
                Ok(Seed(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Seed, E> {
                u64::try_from(v).map(Seed).map_err(|_| {
                    E::custom(format!(
                        "seed {v} is negative; expected a seed from 0 to 18446744073709551615"
                    ))
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Seed, E> {
                v.trim().parse().map(Seed).map_err(|_| {
                    E::custom(format!(
                        "`{v}` is not a seed; expected a seed from 0 to 18446744073709551615"
                    ))
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl JsonSchema for Seed {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Seed".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A seed from 0 to 2^64 - 1: an integer, or a string of digits for seeds TOML integers cannot hold.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": r"^\s*[0-9]{1,20}\s*$" }
            ]
        })
    }
}

/// Where idempotency keys come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Keys {
    pub source: KeySource,
    /// How many distinct keys a client draws from; a small space makes
    /// low-entropy keys that collide between clients.
    #[schemars(range(min = 1, max = limits::CLIENT_KEY_SPACE))]
    pub space: u32,
}

impl Default for Keys {
    fn default() -> Self {
        Keys {
            source: KeySource::Client,
            space: limits::CLIENT_KEY_SPACE,
        }
    }
}

/// Where a client's idempotency key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    /// The client asks the API for a key (`POST /keys`) before the transfer.
    Server,
    /// The client makes a key itself, once per transfer (Stripe-style).
    Client,
    /// A faulty client that makes a new key for every attempt.
    ClientPerAttempt,
}

/// How the client's wait before each retry is randomised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Retry")]
pub struct RetryPolicy {
    /// Attempts while the faults act.
    #[schemars(range(min = 1, max = limits::MAX_ATTEMPTS))]
    pub max_attempts: u32,
    /// How long the client waits for each answer.
    #[schemars(range(min = 1, max = limits::MAX_TIMEOUT_MS))]
    pub timeout_ms: u64,
    /// The first wait before a retry; it doubles every retry.
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    pub backoff_initial_ms: u64,
    /// The cap on the wait while the faults act; no smaller than `backoff_initial_ms`.
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    pub backoff_max_ms: u64,
    pub jitter: Jitter,
    /// Once the faults heal, a client without a definitive answer goes on
    /// retrying until the liveness deadline, and makes at least this many
    /// attempts after the heal. 0: the client never comes back, and whether
    /// it could have learned the outcome is not judged.
    #[schemars(range(max = limits::MAX_ATTEMPTS_AFTER_HEAL))]
    pub attempts_after_heal: u32,
    /// On 400 `unknown_key` (the key expired or was deleted), fetch or make a
    /// new key and go on retrying, as classic clients do. The same as
    /// `on.unknown_key = "new-key"`.
    pub new_key_on_unknown_key: bool,
    /// How many times, at most, a client whose `[retry.on] failure` is
    /// `new-key` pays again after a definitive failure (1 to `max_attempts`;
    /// 1 when not given). Refused with any other `failure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(min = 1, max = limits::MAX_ATTEMPTS))]
    pub pay_again: Option<u32>,
    /// What the client does with each kind of answer but a success, and
    /// after a restart.
    pub on: AnswerPolicy,
}

impl RetryPolicy {
    /// What the client does after `answer`.
    pub fn action(&self, answer: ClientAnswer) -> ClientAction {
        let on = &self.on;
        match answer {
            ClientAnswer::Timeout => on.timeout,
            ClientAnswer::Conflict => on.conflict,
            ClientAnswer::RateLimited => on.rate_limited,
            ClientAnswer::ServerError => on.server_error,
            ClientAnswer::UnknownKey if self.new_key_on_unknown_key => ClientAction::NewKey,
            ClientAnswer::UnknownKey => on.unknown_key,
            ClientAnswer::Restart => on.restart,
            ClientAnswer::Failure => on.failure,
        }
    }

    /// How many times the client pays again with a new key after a
    /// definitive failure: none unless `[retry.on] failure = "new-key"`.
    pub fn pay_again_times(&self) -> u32 {
        match self.on.failure {
            ClientAction::NewKey => self.pay_again.unwrap_or(1),
            ClientAction::Retry | ClientAction::GiveUp => 0,
        }
    }
}

/// The answers a client policy distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAnswer {
    /// No answer before the client's timeout.
    Timeout,
    /// 409: another request holds the key.
    Conflict,
    /// 429: too many requests.
    RateLimited,
    /// A 5xx the API did not mark final.
    ServerError,
    /// 400 `unknown_key`: the key expired, was deleted, or was never issued.
    UnknownKey,
    /// Not an answer: the client process restarted after an attempt.
    Restart,
    /// A definitive failure: a 4xx other than 409, 429 and `unknown_key`,
    /// or any answer the API marks final.
    Failure,
}

/// What a client does after one kind of answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAction {
    /// Retry with the same key (after the backoff), while the policy allows.
    Retry,
    /// Stop: the transfer ends without a definitive answer.
    GiveUp,
    /// Start over: get or make a new key and retry with it. After a restart,
    /// this is a client that kept its key only in memory.
    NewKey,
}

/// `[retry.on]`: the client's action for each kind of answer. A success
/// always ends the transfer; a definitive failure (a 4xx other than 409 and
/// 429, or an answer the API marks final) ends it unless `failure =
/// "new-key"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct AnswerPolicy {
    /// No answer before the timeout.
    pub timeout: ClientAction,
    /// 409 (the key is in use).
    pub conflict: ClientAction,
    /// 429.
    pub rate_limited: ClientAction,
    /// A 5xx not marked final.
    pub server_error: ClientAction,
    /// 400 `unknown_key`.
    pub unknown_key: ClientAction,
    /// After the client restarts (a `client-restart` fault): `retry` for a
    /// client that stored its key before sending (the default, as Stripe
    /// advises), `new-key` for one that kept the key only in memory and lost
    /// it, `give-up` for one that forgets the transfer.
    pub restart: ClientAction,
    /// A definitive failure (a 402, a 4xx other than 409, 429 and
    /// `unknown_key`, or an answer marked final): `give-up` (the default)
    /// ends the transfer failed; `new-key` is a person who presses Pay again:
    /// the same payment with a new key, at most `[retry] pay_again` times.
    /// `retry` is refused: the API has given its last word on that key.
    pub failure: ClientAction,
}

impl Default for AnswerPolicy {
    fn default() -> Self {
        AnswerPolicy {
            timeout: ClientAction::Retry,
            conflict: ClientAction::Retry,
            rate_limited: ClientAction::Retry,
            server_error: ClientAction::Retry,
            unknown_key: ClientAction::GiveUp,
            restart: ClientAction::Retry,
            failure: ClientAction::GiveUp,
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            timeout_ms: 200,
            backoff_initial_ms: 50,
            backoff_max_ms: 400,
            jitter: Jitter::Half,
            attempts_after_heal: 2,
            new_key_on_unknown_key: false,
            pay_again: None,
            on: AnswerPolicy::default(),
        }
    }
}

/// The network between every two hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// At least 1: a message spends at least one tick in flight, which is
    /// what lets idemsim see, and so lose or hold, every message.
    #[schemars(range(min = 1, max = limits::MAX_LATENCY_MS))]
    pub latency_min_ms: u64,
    #[schemars(range(min = 1, max = limits::MAX_LATENCY_MS))]
    pub latency_max_ms: u64,
    /// Chance each message is lost while faults act, e.g. `"1/20"`.
    pub loss: Ratio,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency_min_ms: 1,
            latency_max_ms: 5,
            loss: Ratio::ZERO,
        }
    }
}

/// Random faults, and the window in which every fault acts (`[faults]`).
/// Its rates are one per random form of a fault kind (each kind's module
/// declares its forms), read and written by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultWindow {
    /// Every fault acts before this time; none after. The liveness phase starts here.
    pub heal_at_ms: u64,
    /// How long a randomly crashed host stays down.
    pub restart_after_ms: u64,
    /// The chance of each random form (zero for `[network] loss`, which
    /// [`Network`] holds).
    pub rates: Rates,
}

impl Default for FaultWindow {
    fn default() -> Self {
        FaultWindow {
            heal_at_ms: 1_000,
            restart_after_ms: 100,
            rates: Rates::default(),
        }
    }
}

impl FaultWindow {
    /// True when no random fault is on (loss lives in [`Network`]).
    pub fn is_calm(&self) -> bool {
        self.rates.is_calm()
    }
}

impl Serialize for FaultWindow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::fault::random::serialize_window(self, serializer)
    }
}

impl<'de> Deserialize<'de> for FaultWindow {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::fault::random::deserialize_window(deserializer, FaultWindow::default())
    }
}

impl JsonSchema for FaultWindow {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Faults".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::fault::random::window_schema(generator, &FaultWindow::default())
    }
}

/// The stores: how long each takes to run one transaction (a slow query, a
/// lock wait) while the faults act (after the heal they answer at once),
/// and whether the key store keeps its data through a crash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Stores {
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    pub keys_work_ms: u64,
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    pub ledger_work_ms: u64,
    /// For a service's key store: `durable` (the default) keeps its data
    /// through a crash; `memory` loses everything `keys` held, as a Redis
    /// without persistence does. A design states this itself (`[keys]
    /// durable` in its file), so a scenario that names a design and sets
    /// this is refused: one knob, stated once. The ledger is always durable.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Durability")]
    pub keys_durability: Option<Durability>,
    /// The API's client of the key store resends a call after a connection
    /// error (some client libraries retry on their own), so one call may
    /// reach the store twice: only then may a `duplicate` fault strike a
    /// call to `keys`. Off by default: TCP never delivers a request twice.
    pub keys_client_resends: bool,
    /// As `keys_client_resends`, for the ledger's client.
    pub ledger_client_resends: bool,
}

pub use crate::vocab::Durability;

/// `[database]`: a service's PostgreSQL database. Its tables come from
/// `setup` (or the file `setup_file` names), its accounts from `account`
/// run once per account of `[accounts]`, and the checker reads the money
/// where `balances` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSpec {
    /// SQL run once before the run, as one simple query: the service's
    /// tables, constraints and indexes (its migrations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<String>,
    /// A file of SQL to run instead of `setup`, relative to this file. A
    /// replay file carries its text as `setup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_file: Option<String>,
    /// The statement that creates one account, run after `setup` with `$1`
    /// the account's name (text) and `$2` its balance (bigint), for example
    /// `INSERT INTO accounts (id, balance) VALUES ($1, $2)`.
    pub account: String,
    /// Where the money is: exactly `SELECT <name column>, <balance column>
    /// FROM <table>`. The checker judges from what each committed
    /// transaction did to these balances.
    pub balances: String,
}

/// How the simulation is driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Simulation {
    /// Skip simulated time in which nothing can happen (the default), so a
    /// 24-hour wait costs what a short one does. Skipping never changes what
    /// a run does: it jumps only to the next moment anything could wake,
    /// and not at all while a service's own code may be waiting on a tokio
    /// timer. `false` runs every millisecond, for comparison
    /// (`--no-skip-quiet-time` does the same for one command).
    pub skip_quiet_time: bool,
}

impl Default for Simulation {
    fn default() -> Self {
        Simulation {
            skip_quiet_time: true,
        }
    }
}

/// Bounds on one run; a run that reaches one says so and fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(rename = "Limits")]
pub struct RunLimits {
    /// Simulated-time cap.
    #[schemars(range(min = 1, max = limits::MAX_SIM_MS))]
    pub max_sim_ms: u64,
    /// Budget of host steps (simulation steps times hosts), which bounds
    /// wall time: the default is about half a minute on a 2-core machine.
    #[schemars(range(min = 1, max = limits::MAX_HOST_STEPS))]
    pub max_host_steps: u64,
    /// Budget of network work (messages in flight summed over steps, plus the
    /// messages each delivery moves in its link's queue), which bounds the
    /// wall time of runs with long latencies: the default is about half a
    /// minute on a 2-core machine.
    #[schemars(range(min = 1, max = limits::MAX_NETWORK_WORK))]
    pub max_network_work: u64,
    /// Cap on messages sent.
    #[schemars(range(min = 1, max = limits::MAX_MESSAGES))]
    pub max_messages: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_sim_ms: limits::DEFAULT_MAX_SIM_MS,
            max_host_steps: limits::DEFAULT_MAX_HOST_STEPS,
            max_network_work: limits::DEFAULT_MAX_NETWORK_WORK,
            max_messages: limits::DEFAULT_MAX_MESSAGES,
        }
    }
}

/// What a seed sweep (`idemsim explore`) must cover.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Explore")]
pub struct ExploreSpec {
    /// Phases a sweep must reach at least once, such as `response-lost` or
    /// `crash:api:after:apply` (see `idemsim explore`).
    #[serde(default)]
    pub must_reach: Vec<String>,
}

/// The verdict a run must reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Expect")]
pub struct Expectation {
    /// The violations the run must show; `[]` for a design that must hold.
    pub violations: Vec<ViolationKind>,
    /// Over a seed range, whether every seed or some seed must meet it.
    #[serde(default = "every_seed")]
    pub seeds: ExpectOn,
    /// How many transfers must end succeeded (told 2xx), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = limits::MAX_TRANSFERS))]
    pub succeeded: Option<u32>,
    /// How many transfers must end failed (a definitive failure), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = limits::MAX_TRANSFERS))]
    pub failed: Option<u32>,
    /// How many transfers must end unknown (no definitive answer), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = limits::MAX_TRANSFERS))]
    pub unknown: Option<u32>,
}

impl Expectation {
    /// Expect exactly `violations`, on every seed, with no count required.
    pub fn violations(violations: impl IntoIterator<Item = ViolationKind>) -> Expectation {
        let mut violations: Vec<ViolationKind> = violations.into_iter().collect();
        violations.sort();
        violations.dedup();
        Expectation {
            violations,
            seeds: ExpectOn::EverySeed,
            succeeded: None,
            failed: None,
            unknown: None,
        }
    }
}

impl JsonSchema for ExpectOn {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ExpectOn".into()
    }

    /// The names serde reads, aliases included (which a derived schema would leave out).
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "On which seeds of a range a scenario's expectation must be met.",
            "oneOf": [
                {
                    "description": "Every seed: a design that must hold, or a bug the faults always show.",
                    "type": "string",
                    "enum": ["every-seed", "every"]
                },
                {
                    "description": "At least one seed: a bug that random faults show only sometimes.",
                    "type": "string",
                    "enum": ["some-seed", "some"]
                }
            ]
        })
    }
}

fn every_seed() -> ExpectOn {
    ExpectOn::EverySeed
}

/// On which seeds of a range a scenario's expectation must be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectOn {
    /// Every seed: a design that must hold, or a bug the faults always show
    /// (also written `every`).
    #[serde(alias = "every")]
    EverySeed,
    /// At least one seed: a bug that random faults show only sometimes (also `some`).
    #[serde(alias = "some")]
    SomeSeed,
}

/// One client host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Client")]
pub struct ClientSpec {
    /// Named `t1`, `t2`, … in file order over all clients, unless given an `id`.
    #[schemars(length(min = 1))]
    pub transfers: Vec<TransferSpec>,
}

/// One transfer intent: what a client wants done exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Transfer")]
pub struct TransferSpec {
    /// A unique id; `tN` by default, N its position in the file (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", length(min = 1, max = limits::MAX_NAME_BYTES))]
    pub id: Option<String>,
    /// The payer: an account of `[accounts]`.
    pub from: String,
    /// The payee: another account of `[accounts]`.
    pub to: String,
    #[schemars(range(min = 1, max = limits::MAX_AMOUNT))]
    pub amount: i64,
    /// Send it with the key of an earlier transfer of the same client: a reused key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub reuse_key_of: Option<String>,
}
