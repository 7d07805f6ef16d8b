//! A JSON Schema of the scenario file format, for editors' completion and
//! validation (`idemsim schema > scenario.schema.json`).
//!
//! The loader reads scenario files into private structs that carry source
//! spans, for error messages that point at a line and column. Those spans mean
//! nothing to a schema, so this module mirrors the file's shape in plain types
//! that exist only to be described, with the loader's defaults and limits.
//! The test suite keeps the two in step: every bundled scenario must validate,
//! the loader's own list of accepted fields and names (from its error
//! messages) must match the schema's, and the checked-in
//! `docs/scenario.schema.json` must be what this module generates.
//!
//! TOML and JSON share the data model a scenario uses (tables, arrays,
//! strings, integers, booleans), so a TOML file converted to JSON validates
//! against this schema as it is.

// The mirror types exist to be described, not built: most variants are never constructed.
#![allow(dead_code)]

use crate::limits;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use std::collections::BTreeMap;

/// The schema, as pretty-printed JSON with a final newline.
pub fn scenario_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&scenario_schema()).expect("schemas serialise");
    text.push('\n');
    text
}

/// The JSON Schema (draft 2020-12) of a scenario file.
pub fn scenario_schema() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<ScenarioFile>()
}

/// An idemsim scenario: the workload, the network, the faults and the
/// expected verdict. Every run is reproducible from its seed.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "idemsim scenario")]
struct ScenarioFile {
    /// A short title, shown first in every report.
    name: String,
    /// What happens and why, for the person reading the timeline.
    #[serde(default)]
    description: String,
    /// The seed every random choice is drawn from; `--seed` overrides it.
    #[serde(default)]
    seed: u64,
    /// A built-in design (`naive`, `classic`, `atomic`) or the path of a
    /// design file ending in `.toml`, relative to this file.
    design: String,
    /// Accounts and their starting balances, in integer minor units.
    #[schemars(extend("minProperties" = 1, "maxProperties" = limits::MAX_ACCOUNTS))]
    accounts: BTreeMap<String, Balance>,
    #[serde(default)]
    keys: Keys,
    #[serde(default)]
    retry: Retry,
    #[serde(default)]
    network: Network,
    #[serde(default)]
    faults: Faults,
    /// One table per client host (`client-1`, `client-2`, …), each running its
    /// transfers one after another.
    #[schemars(length(min = 1, max = limits::MAX_CLIENTS))]
    client: Vec<Client>,
    /// Targeted faults: which transfer and attempt they hit, and where.
    #[serde(default)]
    #[schemars(length(max = limits::MAX_FAULTS))]
    fault: Vec<Fault>,
    #[serde(default)]
    stores: Stores,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    explore: Explore,
    expect: Expect,
}

/// What a seed sweep (`idemsim explore`) must cover.
#[derive(Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
struct Explore {
    /// Phases a sweep must reach at least once.
    #[serde(default)]
    must_reach: Vec<String>,
}

/// A balance or amount in minor units.
#[derive(Serialize, JsonSchema)]
#[schemars(transparent)]
struct Balance(#[schemars(range(min = 0, max = limits::MAX_AMOUNT))] i64);

/// Where idempotency keys come from.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Keys {
    #[serde(default = "key_source")]
    source: KeySource,
    /// How many distinct keys a client draws from; a small space makes
    /// low-entropy keys that collide between clients.
    #[serde(default = "key_space")]
    #[schemars(range(min = 1, max = limits::CLIENT_KEY_SPACE))]
    space: u32,
}

impl Default for Keys {
    fn default() -> Self {
        Keys {
            source: key_source(),
            space: key_space(),
        }
    }
}

fn key_source() -> KeySource {
    KeySource::Client
}

fn key_space() -> u32 {
    limits::CLIENT_KEY_SPACE
}

/// Where a client's idempotency key comes from.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum KeySource {
    /// The client asks the API for a key (`POST /keys`) before the transfer.
    Server,
    /// The client makes a key itself, once per transfer (Stripe-style).
    Client,
    /// A faulty client that makes a new key for every attempt.
    ClientPerAttempt,
}

/// The client's retry policy.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
struct Retry {
    #[schemars(range(min = 1, max = limits::MAX_ATTEMPTS))]
    max_attempts: u32,
    /// Per attempt.
    #[schemars(range(min = 1, max = limits::MAX_TIMEOUT_MS))]
    timeout_ms: u64,
    /// The first wait before a retry; it doubles every retry.
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    backoff_initial_ms: u64,
    /// The cap on the wait; no smaller than `backoff_initial_ms`.
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    backoff_max_ms: u64,
    jitter: Jitter,
    /// Attempts still made after the faults stop, when no final answer came.
    #[schemars(range(max = limits::MAX_ATTEMPTS_AFTER_HEAL))]
    attempts_after_heal: u32,
    /// On 400 `unknown_key`, get a new key and go on (classic clients).
    new_key_on_unknown_key: bool,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_attempts: 4,
            timeout_ms: 200,
            backoff_initial_ms: 50,
            backoff_max_ms: 400,
            jitter: Jitter::Half,
            attempts_after_heal: 2,
            new_key_on_unknown_key: false,
        }
    }
}

/// How the wait before each retry is randomised.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Jitter {
    /// Exactly the exponential backoff.
    None,
    /// Between half and all of it (Stripe's SDKs).
    Half,
    /// Anywhere up to all of it.
    Full,
}

/// The network between every two hosts.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
struct Network {
    /// At least 1: every message spends a tick in flight.
    #[schemars(range(min = 1, max = limits::MAX_LATENCY_MS))]
    latency_min_ms: u64,
    #[schemars(range(min = 1, max = limits::MAX_LATENCY_MS))]
    latency_max_ms: u64,
    /// Chance each message is lost while faults act, e.g. `"1/20"`.
    loss: RatioText,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency_min_ms: 1,
            latency_max_ms: 5,
            loss: RatioText::zero(),
        }
    }
}

/// A probability written as a ratio of integers (`"1/20"`) or `"0"`, never a
/// float, so that a seed means the same thing on every machine.
#[derive(Serialize, JsonSchema)]
#[schemars(transparent)]
struct RatioText(#[schemars(regex(pattern = r"^\s*(0|[0-9]+\s*/\s*[0-9]+)\s*$"))] String);

impl RatioText {
    fn zero() -> RatioText {
        RatioText("0".to_string())
    }
}

/// Random faults, and the window in which every fault acts.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
struct Faults {
    /// Every fault acts before this time; none after.
    #[schemars(range(max = limits::MAX_SIM_MS))]
    heal_at_ms: u64,
    /// Chance the API crashes at each step boundary.
    crash: RatioText,
    /// How long a randomly crashed host stays down.
    #[schemars(range(min = 1, max = limits::MAX_TIMEOUT_MS))]
    restart_after_ms: u64,
    /// Chance each message is delivered twice.
    duplicate: RatioText,
    /// Chance each message is held in the network past the client's timeout.
    delay: RatioText,
    /// Chance the API stalls at each step boundary.
    stall: RatioText,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            heal_at_ms: 1_000,
            crash: RatioText::zero(),
            restart_after_ms: 100,
            duplicate: RatioText::zero(),
            delay: RatioText::zero(),
            stall: RatioText::zero(),
        }
    }
}

/// One client host.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Client {
    /// Named `t1`, `t2`, … in file order over all clients, unless given an `id`.
    #[schemars(length(min = 1))]
    transfers: Vec<Transfer>,
}

/// One transfer intent: what a client wants done exactly once.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Transfer {
    /// A unique id; `t1`, `t2`, … by default.
    id: Option<String>,
    /// The payer: an account of `[accounts]`.
    from: String,
    /// The payee: another account of `[accounts]`.
    to: String,
    #[schemars(range(min = 1, max = limits::MAX_AMOUNT))]
    amount: i64,
    /// Send it with the key of an earlier transfer of the same client: a reused key.
    reuse_key_of: Option<String>,
}

/// A targeted fault. `transfer` and `attempt` (default 1) say which attempt it
/// hits; a message is named as the network names it: `request`, `response`,
/// `key-request`, `key-response`, a design transaction's name (`apply`), or
/// that name with `-result` for its answer.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum Fault {
    /// A message of the attempt is lost in the network.
    Drop {
        transfer: String,
        attempt: Option<Attempt>,
        /// Which message; `request` by default.
        message: Option<String>,
    },
    /// The attempt's request is lost before the API sees it.
    DropRequest {
        transfer: String,
        attempt: Option<Attempt>,
    },
    /// The API processed the attempt; its response is lost.
    DropResponse {
        transfer: String,
        attempt: Option<Attempt>,
    },
    /// A message is held in the network for `delay_ms`, then delivered.
    Delay {
        transfer: String,
        attempt: Option<Attempt>,
        /// Which message; `request` by default.
        message: Option<String>,
        delay_ms: Millis,
    },
    /// The API pauses `delay_ms` at step boundary `at` while serving the attempt.
    Stall {
        transfer: String,
        attempt: Option<Attempt>,
        /// A step boundary: `before:NAME` or `after:NAME` of a design transaction.
        at: String,
        delay_ms: Millis,
    },
    /// A host crashes when the API reaches step boundary `at` serving the attempt.
    Crash {
        transfer: String,
        attempt: Option<Attempt>,
        /// `api` by default.
        host: Option<Host>,
        /// A step boundary: `before:NAME` or `after:NAME` of a design transaction.
        at: String,
        /// 100 by default.
        restart_after_ms: Option<Millis>,
    },
    /// A message of the attempt arrives twice.
    Duplicate {
        transfer: String,
        attempt: Option<Attempt>,
        /// Which message; `request` by default.
        message: Option<String>,
    },
    /// The key's record disappears as the attempt is sent, as if its TTL ran out.
    ExpireKey {
        transfer: String,
        attempt: Option<Attempt>,
    },
    /// After the attempt fails, the client restarts and forgets its key.
    ClientRestart {
        transfer: String,
        attempt: Option<Attempt>,
    },
    /// Every message to or from a store is lost from `from_ms` until `until_ms`.
    Unreachable {
        /// `keys` or `ledger`.
        host: Host,
        from_ms: u64,
        until_ms: u64,
    },
}

/// A 1-based attempt number.
#[derive(Serialize, JsonSchema)]
#[schemars(transparent)]
struct Attempt(#[schemars(range(min = 1))] u32);

/// A duration in simulated milliseconds.
#[derive(Serialize, JsonSchema)]
#[schemars(transparent)]
struct Millis(#[schemars(range(min = 1, max = limits::MAX_TIMEOUT_MS))] u64);

/// A host a fault can hit.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Host {
    Api,
    Keys,
    Ledger,
}

/// How long each store takes to run one transaction (a slow query).
#[derive(Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, default)]
struct Stores {
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    keys_work_ms: u64,
    #[schemars(range(max = limits::MAX_TIMEOUT_MS))]
    ledger_work_ms: u64,
}

/// Bounds on one run.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Limits {
    /// Simulated-time cap; a run that reaches it says so.
    #[serde(default = "max_sim_ms")]
    #[schemars(range(min = 1, max = limits::MAX_SIM_MS))]
    max_sim_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sim_ms: max_sim_ms(),
        }
    }
}

fn max_sim_ms() -> u64 {
    limits::DEFAULT_MAX_SIM_MS
}

/// The verdict the run must reach.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// The violations the run must show; `[]` for a design that must hold.
    violations: Vec<ViolationName>,
    /// Over a seed range, whether every seed or some seed must meet it.
    #[serde(default = "every_seed")]
    seeds: ExpectOn,
}

fn every_seed() -> ExpectOn {
    ExpectOn::EverySeed
}

/// The stable names of the invariants.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum ViolationName {
    /// One transfer intent changed balances more than once.
    DoubleApply,
    /// The client was told success but balances never changed.
    LostApply,
    /// The sum of balances changed, or a debit exists without its credit.
    MoneyNotConserved,
    /// Two answers for the same key and payload disagree.
    InconsistentReplay,
    /// A key reused with a different payload was processed instead of refused.
    MismatchAccepted,
    /// After the faults stopped, the client never learned the outcome.
    StuckKey,
}

/// On which seeds of a range the expectation must be met.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum ExpectOn {
    /// Every seed (also written `every`).
    EverySeed,
    /// At least one seed: a bug random faults show only sometimes (also `some`).
    SomeSeed,
    Every,
    Some,
}
