//! Scenarios: the workload, the network, the faults and the expected verdict.
//!
//! A scenario is written as a [`ScenarioSpec`] and becomes a runnable
//! [`Scenario`] in one of two ways: read from a TOML file (or text) by a
//! [`Loader`], or built in code with [`ScenarioSpec::builder`]. Both go
//! through the one validation, which checks every value, resolves every name (accounts, transfers, the
//! design, the message and step boundary each fault names) and reports what
//! is wrong the same way for a file (with line and column) and for code (with
//! the field's path). The simulation only ever sees validated scenarios.
//!
//! A [`Scenario`] is data only: what the world runs. Where it came from —
//! its file, the program that read it — is its [`Provenance`], kept beside
//! it in a [`Loaded`] for the replay commands reports print.
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
//! attempts_after_heal = 2            # at least this many attempts once the faults stop
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
//! kind = "drop-response"             # drop-request | drop-response | delay | crash | …
//! transfer = "t1"
//! attempt = 1
//!
//! [expect]
//! violations = ["double-apply", "inconsistent-replay"]
//! ```

mod builder;
mod database;
mod load;
mod provenance;
mod spec;
mod validate;

pub use builder::ScenarioBuilder;
pub use database::DatabaseSetup;
pub use load::Loader;
pub use provenance::{Loaded, Provenance};
pub use spec::{
    AnswerPolicy, ClientAction, ClientAnswer, ClientSpec, DatabaseSpec, Durability, ExpectOn,
    Expectation, ExploreSpec, FaultWindow, Jitter, KeySource, Keys, Network, RetryPolicy,
    RunLimits, ScenarioSpec, Seed, Simulation, Stores, TransferSpec,
};

use crate::api::Api;

/// idemsim's default HTTP shape, for a scenario that has no service.
fn default_http_api() -> &'static crate::service::HttpApi {
    static DEFAULT: std::sync::OnceLock<crate::service::HttpApi> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(crate::service::HttpApi::default)
}
use crate::fault::Fault;
use crate::reach::Phase;
use crate::vocab::wire::TransferBody;
use std::sync::Arc;

pub use crate::vocab::{AccountIx, ClientIx, TransferIx};

// The ids' constructors from positions, bounded by the scenario's limits.

impl TransferIx {
    /// Transfer number `i`: `limits::MAX_TRANSFERS` keeps it well inside `u32`.
    pub fn at(i: usize) -> TransferIx {
        assert!(
            i < crate::limits::MAX_TRANSFERS,
            "transfer {i} over MAX_TRANSFERS"
        );
        TransferIx(u32::try_from(i).expect("MAX_TRANSFERS keeps transfer numbers below u32::MAX"))
    }
}

impl ClientIx {
    /// Client number `i`: `limits::MAX_CLIENTS` keeps it well inside `u32`.
    pub fn at(i: usize) -> ClientIx {
        assert!(
            i < crate::limits::MAX_CLIENTS,
            "client {i} over MAX_CLIENTS"
        );
        ClientIx(u32::try_from(i).expect("MAX_CLIENTS keeps client numbers below u32::MAX"))
    }
}

impl AccountIx {
    /// Account number `i`: `limits::MAX_ACCOUNTS` keeps it well inside `u32`.
    pub fn at(i: usize) -> AccountIx {
        assert!(
            i < crate::limits::MAX_ACCOUNTS,
            "account {i} over MAX_ACCOUNTS"
        );
        AccountIx(u32::try_from(i).expect("MAX_ACCOUNTS keeps account numbers below u32::MAX"))
    }
}

/// An account and its starting balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub balance: i64,
}

/// One transfer intent: what a client wants done exactly once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: String,
    pub client: ClientIx,
    pub from: AccountIx,
    pub to: AccountIx,
    pub amount: i64,
    /// Send this transfer with the key of an earlier transfer of the same
    /// client, instead of a key of its own: a reused key, which a design
    /// should refuse with 422 when the payload differs.
    pub reuse_key_of: Option<TransferIx>,
}

impl Transfer {
    /// The body its requests carry.
    pub fn body(&self) -> TransferBody {
        TransferBody {
            from: self.from,
            to: self.to,
            amount: self.amount,
        }
    }
}

/// One client host and its transfers, run one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub transfers: Vec<TransferIx>,
}

/// Something true of a scenario that whoever reads its runs should know:
/// the network alone makes some calls time out, faults or none. (A network
/// that makes every call time out is refused when the file is read.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// The slowest round trip (`2 × latency_max_ms`) is no shorter than a
    /// design's `store_timeout_ms`: store calls whose messages are slow time
    /// out.
    SlowStoreRoundTrip {
        round_trip_ms: u64,
        store_timeout_ms: u64,
    },
    /// The slowest round trip is no shorter than the client's `timeout_ms`:
    /// attempts whose messages are slow time out.
    SlowClientRoundTrip { round_trip_ms: u64, timeout_ms: u64 },
}

impl Warning {
    /// The stable name JSON Lines gives it.
    pub fn name(&self) -> &'static str {
        match self {
            Warning::SlowStoreRoundTrip { .. } => "slow-store-round-trip",
            Warning::SlowClientRoundTrip { .. } => "slow-client-round-trip",
        }
    }
}

/// A validated scenario, ready to run. Cheap to clone: the large parts are
/// shared. Made only by a [`Loader`] or a [`ScenarioBuilder`] (hence
/// `non_exhaustive`: no struct literal outside the crate skips validation).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    /// The payment API: a design or a service.
    pub api: Api,
    /// How the scenario named it (a built-in design's name, a design file's
    /// path relative to [`Provenance::base_dir`], or a service's name), for
    /// writing it back.
    pub api_ref: String,
    /// Accounts and starting balances, sorted by name ([`AccountIx`] order).
    pub accounts: Arc<[Account]>,
    pub keys: Keys,
    pub retry: RetryPolicy,
    pub network: Network,
    pub window: FaultWindow,
    pub clients: Arc<[Client]>,
    /// Every transfer, in file order ([`TransferIx`] order).
    pub transfers: Arc<[Transfer]>,
    pub faults: Arc<[Fault]>,
    pub stores: Stores,
    pub limits: RunLimits,
    pub simulation: Simulation,
    /// The scenario's own `[http]`, which wins over what the service declares.
    pub http: Option<Arc<crate::service::HttpApi>>,
    /// A service's PostgreSQL database (`[database]`), set up and checked.
    pub database: Option<Arc<DatabaseSetup>>,
    pub expect: Expectation,
    /// Phases an `idemsim explore` sweep must reach at least once.
    pub must_reach: Vec<Phase>,
}

impl Scenario {
    pub fn transfer(&self, ix: TransferIx) -> &Transfer {
        &self.transfers[ix.0 as usize]
    }

    pub fn account(&self, ix: AccountIx) -> &Account {
        &self.accounts[ix.0 as usize]
    }

    /// The name of account `ix`.
    pub fn account_name(&self, ix: AccountIx) -> &str {
        &self.account(ix).name
    }

    /// The id of transfer `ix` (`t1`).
    pub fn transfer_id(&self, ix: TransferIx) -> &str {
        &self.transfer(ix).id
    }

    /// Every transfer with its index, in file order.
    pub fn transfer_ixs(&self) -> impl Iterator<Item = (TransferIx, &Transfer)> {
        self.transfers
            .iter()
            .enumerate()
            .map(|(i, t)| (TransferIx::at(i), t))
    }

    pub fn key_source(&self) -> KeySource {
        self.keys.source
    }

    /// The index of the transfer named `id`.
    pub fn transfer_named(&self, id: &str) -> Option<TransferIx> {
        self.transfer_ixs()
            .find(|(_, t)| t.id == id)
            .map(|(ix, _)| ix)
    }

    /// The highest attempt number a transfer can reach (liveness phase included).
    pub fn max_attempt(&self) -> u32 {
        crate::limits::MAX_ATTEMPTS_PER_TRANSFER
    }

    /// The rate of random form `form`, from whichever table holds it.
    pub fn rate(&self, form: &crate::fault::RandomForm) -> crate::Ratio {
        match form.table {
            crate::fault::random::RateTable::Network => self.network.loss,
            crate::fault::random::RateTable::Faults => self.window.rates.get(form),
        }
    }

    /// Sets the rate of random form `form`, in whichever table holds it.
    pub fn set_rate(&mut self, form: &crate::fault::RandomForm, rate: crate::Ratio) {
        match form.table {
            crate::fault::random::RateTable::Network => self.network.loss = rate,
            crate::fault::random::RateTable::Faults => self.window.rates.set(form, rate),
        }
    }

    /// How long a long delay holds a message: past the longest expiry the
    /// API relies on (a design's key TTL or lock, a service's recovery time)
    /// that a message can outlive, plus a client timeout. A message outlives
    /// at most [`crate::limits::MAX_LONG_HOLD_MS`]: an expiry longer than
    /// that (a 24-hour TTL) is taken to outlast the network, and the hold
    /// reaches past the next shorter one (the lock). `None` when the API has
    /// no expiry a message can outlive.
    pub fn long_hold_ms(&self) -> Option<u64> {
        // Asked for every message the network carries: no allocation.
        let expiry_ms = self
            .api
            .expiries_ms()
            .into_iter()
            .flatten()
            .filter(|&e| e <= crate::limits::MAX_LONG_HOLD_MS)
            .max()?;
        Some(expiry_ms.saturating_add(self.retry.timeout_ms))
    }

    /// How long search holds a message or stalls the API: two client
    /// timeouts (a retry overlaps), and the long hold when there is one.
    pub fn hold_lengths_ms(&self) -> Vec<u64> {
        let mut lengths = vec![2 * self.retry.timeout_ms];
        if let Some(hold_ms) = self.long_hold_ms()
            && !lengths.contains(&hold_ms)
        {
            lengths.push(hold_ms);
        }
        lengths
    }

    /// Whether a key's records can expire within what a run simulates: the
    /// design's key TTL is at most [`crate::limits::MAX_LONG_HOLD_MS`]. A
    /// longer TTL (Stripe's 24 hours) outlasts every retry and held message,
    /// so search does not expire keys it protects. A service declares no
    /// TTL: its own expiries happen as simulated time passes.
    pub fn key_expiry_in_reach(&self) -> bool {
        self.api
            .key_ttl_ms()
            .is_some_and(|ttl_ms| ttl_ms <= crate::limits::MAX_LONG_HOLD_MS)
    }

    /// Hosts in the simulation: the client hosts (clients share them past
    /// [`crate::limits::MAX_CLIENT_HOSTS`]) plus `api`, `keys` and `ledger`.
    pub fn host_count(&self) -> u64 {
        u64::from(self.client_host_count())
            + 3
            + u64::from(self.has_completer())
            + u64::from(self.has_processor())
    }

    /// How clients call the API when it is a service: the scenario's
    /// `[http]`, else what the service declares (idemsim's default shape
    /// unless it says otherwise).
    pub fn http_api(&self) -> &crate::service::HttpApi {
        match (&self.http, self.api.service()) {
            (Some(http), _) => http,
            (None, Some(service)) => service.http_api(),
            (None, None) => default_http_api(),
        }
    }

    /// Whether a message at `point` can arrive twice (see
    /// `fault::can_arrive_twice`).
    pub fn duplicable(&self, point: crate::vocab::wire::Point) -> bool {
        crate::fault::can_arrive_twice(&self.api, &self.stores, point)
    }

    /// Whether the design calls a processor host.
    pub fn has_processor(&self) -> bool {
        self.api
            .design()
            .is_some_and(|d| d.stores().contains(&crate::design::StoreName::Processor))
    }

    /// Whether the `keys` host keeps its records through a crash. One knob,
    /// stated once: a design's `[keys] durable`, a service's `[stores]
    /// keys_durability` (validation refuses the latter with a design).
    pub fn keys_durability(&self) -> Durability {
        self.api.keys_durability(self.stores.keys_durability)
    }

    /// What the network does to the run whatever faults act (see
    /// [`Warning`]).
    pub fn warnings(&self) -> Vec<Warning> {
        let round_trip_ms = self.network.latency_max_ms.saturating_mul(2);
        let mut out = Vec::new();
        if let Some(d) = self.api.design()
            && round_trip_ms >= d.store_timeout_ms
        {
            out.push(Warning::SlowStoreRoundTrip {
                round_trip_ms,
                store_timeout_ms: d.store_timeout_ms,
            });
        }
        if round_trip_ms >= self.retry.timeout_ms {
            out.push(Warning::SlowClientRoundTrip {
                round_trip_ms,
                timeout_ms: self.retry.timeout_ms,
            });
        }
        out
    }

    /// Whether the design runs a completer host beside the API.
    pub fn has_completer(&self) -> bool {
        self.api.design().is_some_and(|d| d.completer.is_some())
    }

    /// turmoil hosts the clients run on.
    pub fn client_host_count(&self) -> u32 {
        u32::try_from(self.clients.len())
            .expect("MAX_CLIENTS keeps the client count below u32::MAX")
            .min(crate::limits::MAX_CLIENT_HOSTS)
    }
}

impl PartialEq for Scenario {
    /// Two scenarios are equal when they hold the same data: they would
    /// write the same file and run the same API. Compares values only, and
    /// reads no file: where each came from is its [`Provenance`].
    fn eq(&self, other: &Scenario) -> bool {
        self.api.same_as(&other.api) && self.to_spec() == other.to_spec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::ViolationKind;
    use std::path::Path;

    const TEXT: &str = r#"
name = "response lost"
design = "naive"
accounts = { alice = 100, bob = 0 }

[[client]]
transfers = [{ from = "alice", to = "bob", amount = 10 }]

[[fault]]
kind = "drop-response"
transfer = "t1"
attempt = 1

[expect]
violations = ["double-apply", "inconsistent-replay"]
"#;

    #[test]
    fn equal_scenarios_hold_equal_data_wherever_they_came_from() {
        let one = Loader::new().parse(Path::new("a/one.toml"), TEXT).unwrap();
        let two = Loader::new().parse(Path::new("b/two.toml"), TEXT).unwrap();
        assert_ne!(one.source, two.source, "read as two files");
        assert_eq!(one.scenario, two.scenario, "the same data");
        let built = ScenarioSpec::builder("response lost", "naive")
            .account("alice", 100)
            .account("bob", 0)
            .client([TransferSpec::new("alice", "bob", 10)])
            .fault(crate::fault::FaultSpec::drop_response("t1", 1))
            .expect([
                ViolationKind::DoubleApply,
                ViolationKind::InconsistentReplay,
            ])
            .build()
            .unwrap();
        assert_eq!(built, one.scenario, "built in code or read, the same data");
        let mut reseeded = built.clone();
        reseeded.seed += 1;
        assert_ne!(reseeded, built, "a different seed is different data");
    }

    #[test]
    fn comparing_and_writing_back_read_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let design = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/atomic.toml");
        std::fs::copy(design, dir.path().join("mine.toml")).unwrap();
        let text = TEXT
            .replace("design = \"naive\"", "design = \"mine.toml\"")
            .replace(r#"["double-apply", "inconsistent-replay"]"#, "[]");
        let loaded = Loader::new()
            .parse(&dir.path().join("s.toml"), &text)
            .unwrap();
        assert_eq!(loaded.source.base_dir, dir.path());
        let scenario = loaded.scenario;
        drop(dir);
        assert_eq!(scenario.clone(), scenario);
        assert_eq!(scenario.to_spec().design.as_deref(), Some("mine.toml"));
    }
}
