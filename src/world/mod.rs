//! The simulated world: turmoil hosts, their durable state, and the driver.
//!
//! Hosts: `client-N` (one per scenario client), `api`, `keys` and `ledger`.
//! Every message between them is a UDP datagram on turmoil's network, so the
//! network can lose or hold any of them (see [`net`]). A fresh datagram per
//! request, with client and API timeouts, stands in for a fresh HTTP
//! connection per attempt.
//!
//! State a database keeps on disk (the key store's records, the ledger's
//! balances, entries and records) lives in [`Shared`], outside the hosts'
//! futures, so it survives a crash; everything a host keeps in its future (the
//! API's pending store calls, a client's current attempt) is lost with it.
//! All hosts run on one thread, so `Rc` and `RefCell` suffice.

mod api;
mod client;
pub(crate) mod clock;
mod db_host;
mod db_link;
mod driver;
mod faults;
mod frame;
mod http;
mod lineage;
mod liveness;
pub(crate) mod logs;
mod net;
pub(crate) mod panics;
mod service_store;
pub(crate) mod service_world;
mod store;
mod warp;
pub use warp::SERVICE_SKIP_QUANTUM_MS;

pub use driver::{EndReason, RunOptions, RunOutput, ServiceValue, run_world};
pub use liveness::liveness_deadline_ms;
pub use net::TracedMessage;
pub use store::{KeyRecord, KeyState, LedgerEntry};

pub use crate::vocab::EPOCH_MS;

/// The simulated milliseconds since the run began, read by a service's own
/// clock calls on the run's thread; `None` while no world is reachable.
pub(crate) fn service_clock_ms() -> Option<u64> {
    service_world::os_clock_ms()
}

use crate::design::StoreName;
use crate::fault::CrashHost;
use crate::history::{Cause, CrashSite, History, Host, Kept, What};
use crate::scenario::Scenario;
use crate::seed::derive_rng;
use crate::vocab::wire::{Key, KeyOrigin};
use clock::Clock;
use faults::{FaultBook, RandomStreams};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use store::StoreDb;

/// A crash a host asked for (at a step boundary); the driver carries it out
/// between two steps, because only the driver can crash a host.
#[derive(Debug, Clone)]
pub(crate) struct CrashRequest {
    pub host: CrashHost,
    pub restart_after_ms: u64,
    pub cause: Cause,
    pub site: CrashSite,
}

/// Counts a piece of work as in service for as long as it lives, crash included.
pub(crate) struct Busy(Rc<Shared>);

impl Busy {
    pub(crate) fn new(shared: &Rc<Shared>) -> Busy {
        shared.busy.set(shared.busy.get() + 1);
        Busy(shared.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let busy = self.0.busy.get();
        assert!(busy > 0, "busy count underflow");
        self.0.busy.set(busy - 1);
    }
}

/// State shared by every host and the driver.
pub(crate) struct Shared {
    pub scenario: Scenario,
    pub seed: u64,
    pub history: RefCell<History>,
    pub keys_db: RefCell<StoreDb>,
    pub ledger_db: RefCell<StoreDb>,
    /// Idempotency records a design keeps in the API's memory
    /// (`[keys] store = "memory"`): emptied whenever the API crashes.
    pub memory_db: RefCell<StoreDb>,
    /// A design's processor: the balances it moves and its own idempotency
    /// records (where the money lives when a design charges there).
    pub processor_db: RefCell<StoreDb>,
    /// A service's PostgreSQL database (`[database]`), on the `ledger`
    /// host: it outlives the host's crashes, as a durable database does.
    pub db: Option<db_host::Db>,
    /// Crashes requested since the driver last looked.
    pub crash_requests: RefCell<Vec<CrashRequest>>,
    /// The scenario's targeted faults, and which have hit.
    pub faults: FaultBook,
    /// Requests being served now (by the API, or by a slow store); the run
    /// does not end while any is.
    pub busy: Cell<u32>,
    /// How many times the API has started (1 on the first start).
    pub api_incarnation: Cell<u32>,
    next_message_id: Cell<u64>,
    /// Simulated time, with quiet time skipped.
    pub clock: Clock,
    /// Counts everything hosts do (events and messages), so the driver can
    /// tell a step in which nothing happened.
    activity: Cell<u64>,
    /// Random fault decisions, each from its own stream of the seed.
    pub(crate) rng: RandomStreams,
    /// When clients stop waiting for a definitive answer (see [`liveness`]).
    pub liveness_deadline_ms: u64,
    /// The host whose code panics, in a self-test of the failure path.
    pub panic_in: Option<Host>,
    /// Messages the network lost: thrown away where they arrive (see [`net`]).
    pub lost: RefCell<std::collections::BTreeSet<crate::vocab::wire::MsgId>>,
    /// The service's link to its database, judged as frames are written
    /// (see [`db_link`]).
    pub(crate) db_link: db_link::DbLink,
    /// Hosts crashed and not restarted yet.
    pub(crate) down: RefCell<std::collections::BTreeSet<Host>>,
    /// What the current boot of a service keeps (`None` for a design).
    pub service: RefCell<Option<service_world::ServiceBoot>>,
    /// A service's handlers running now: quiet time is not skipped while any
    /// is (see [`service_world::Handling`]).
    pub handling: Cell<u32>,
    /// Which of a service's declared crash points the seed switched on, so
    /// that they may crash at random (FoundationDB's BUGGIFY).
    pub buggify: Vec<bool>,
    /// A rule broken by code the run hosts; the driver ends the run failed.
    pub failure: RefCell<Option<(Host, String)>>,
    /// Until when each store (by [`StoreName`] order) is unreachable in a
    /// random outage.
    pub outages: RefCell<[u64; 4]>,
    /// True while the driver crashes the `api` host (or ends the run): what
    /// its tasks do as they are dropped is the crash, not something they did.
    pub api_crashing: Cell<bool>,
    /// The tokio runtime of the current boot of a service's `api` host, whose
    /// tasks and timers are the service's own (see [`warp`]).
    pub api_runtime: RefCell<Option<tokio::runtime::Handle>>,
    /// Tasks alive on the service's `api` host once it had booted (those
    /// its factory started, which live as long as the process).
    pub boot_tasks: Cell<usize>,
    /// The text of each key a service issued, by the value of the [`Key`]
    /// that stands for it in the history.
    issued_keys: RefCell<IssuedKeys>,
}

/// The keys a service issued, both ways.
#[derive(Default)]
struct IssuedKeys {
    texts: Vec<String>,
    values: std::collections::BTreeMap<String, u32>,
}

impl Shared {
    /// What a crash of `host` loses of the records it holds, as its restart
    /// will find them: a key store that keeps nothing (see
    /// [`Scenario::keys_durability`]) and the API holding a design's records
    /// in memory forget every one; every other host keeps its durable state.
    pub fn lose_on_crash(&self, host: Host) -> Kept {
        let in_memory = self
            .scenario
            .api
            .design()
            .is_some_and(|d| d.key_store == StoreName::Memory);
        let db = match host {
            Host::Keys
                if self.scenario.keys_durability() == crate::scenario::Durability::Memory =>
            {
                &self.keys_db
            }
            Host::Api if in_memory => &self.memory_db,
            Host::Ledger => {
                if let Some(db) = &self.db {
                    self.crash_db(db);
                }
                return Kept::Durable;
            }
            _ => return Kept::Durable,
        };
        let mut db = db.borrow_mut();
        let records = (db.records.len() + db.kv.len()) as u64;
        db.forget_everything();
        Kept::Nothing { records }
    }

    /// The database of `store`.
    pub fn db(&self, store: StoreName) -> &RefCell<StoreDb> {
        match store {
            StoreName::Keys => &self.keys_db,
            StoreName::Ledger => &self.ledger_db,
            StoreName::Memory => &self.memory_db,
            StoreName::Processor => &self.processor_db,
        }
    }

    pub fn new(
        scenario: Scenario,
        seed: u64,
        skip_quiet_time: bool,
        skip_quantum_ms: u64,
    ) -> Shared {
        let ledger = StoreDb::with_balances(&scenario);
        Shared {
            seed,
            history: RefCell::new(History::default()),
            keys_db: RefCell::new(StoreDb::default()),
            ledger_db: RefCell::new(ledger),
            memory_db: RefCell::new(StoreDb::default()),
            processor_db: RefCell::new(StoreDb::with_balances(&scenario)),
            db: scenario
                .database
                .as_ref()
                .map(|setup| db_host::Db::new(setup, seed)),
            crash_requests: RefCell::new(Vec::new()),
            faults: FaultBook::new(&scenario),
            busy: Cell::new(0),
            api_incarnation: Cell::new(0),
            next_message_id: Cell::new(1),
            clock: Clock::new(skip_quiet_time, skip_quantum_ms),
            activity: Cell::new(0),
            rng: RandomStreams::new(seed),
            liveness_deadline_ms: liveness_deadline_ms(&scenario),
            panic_in: None,
            lost: RefCell::new(std::collections::BTreeSet::new()),
            db_link: db_link::DbLink::default(),
            down: RefCell::new(std::collections::BTreeSet::new()),
            service: RefCell::new(None),
            handling: Cell::new(0),
            buggify: buggify(&scenario, seed),
            failure: RefCell::new(None),
            api_crashing: Cell::new(false),
            api_runtime: RefCell::new(None),
            boot_tasks: Cell::new(0),
            issued_keys: RefCell::new(IssuedKeys::default()),
            outages: RefCell::new([0; 4]),
            scenario,
        }
    }

    /// Simulated milliseconds since the start of the run.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// How much the hosts have done so far (see `activity`).
    pub fn activity(&self) -> u64 {
        self.activity.get()
    }

    /// True while faults may act.
    pub fn faults_active(&self) -> bool {
        self.now_ms() < self.scenario.window.heal_at_ms
    }

    pub fn record(&self, host: Host, what: What) {
        if let Host::Client(c) = host {
            // Reports index lanes and tellers by client.
            assert!(
                (c.0 as usize) < self.scenario.clients.len(),
                "no client {c}"
            );
        }
        self.activity.set(self.activity.get() + 1);
        let now = self.now_ms();
        self.history.borrow_mut().push(now, host, what);
    }

    /// A fresh message id; ids grow in send order, which the fault injector relies on.
    pub fn next_message_id(&self) -> u64 {
        self.activity.set(self.activity.get() + 1);
        let id = self.next_message_id.get();
        self.next_message_id.set(id + 1);
        id
    }

    /// Panics when a self-test asked code in `host` to.
    pub fn self_test_panic(&self, host: Host) {
        if self.panic_in == Some(host) {
            panic!("self-test: code in {host} panics");
        }
    }

    /// The key that stands in the history for a key a service issued as
    /// `text` (the same text, the same key); `None` past
    /// [`crate::limits::MAX_ISSUED_KEYS`].
    pub fn intern_issued_key(&self, text: &str) -> Option<Key> {
        let mut keys = self.issued_keys.borrow_mut();
        let value = match keys.values.get(text) {
            Some(value) => *value,
            None if keys.texts.len() < crate::limits::MAX_ISSUED_KEYS => {
                let value = u32::try_from(keys.texts.len()).expect("issued keys are bounded");
                keys.texts.push(text.to_string());
                keys.values.insert(text.to_string(), value);
                value
            }
            None => return None,
        };
        Some(Key {
            origin: KeyOrigin::Server,
            value,
        })
    }

    /// The text a client sends for `key`: a key a service issued as it was
    /// issued, a key a client made as it prints.
    pub fn key_text(&self, key: Key) -> String {
        let issued = (key.origin == KeyOrigin::Server && self.scenario.api.service().is_some())
            .then(|| {
                self.issued_keys
                    .borrow()
                    .texts
                    .get(key.value as usize)
                    .cloned()
            })
            .flatten();
        issued.unwrap_or_else(|| key.to_string())
    }

    pub fn messages_sent(&self) -> u64 {
        self.next_message_id.get() - 1
    }
}

/// Which of a service's declared crash points may crash at random in a run
/// with seed `seed`: each with chance one half, when random crashes are on.
fn buggify(scenario: &Scenario, seed: u64) -> Vec<bool> {
    use rand::Rng;
    let points = scenario.api.declared_points();
    if scenario.rate(&crate::fault::crash::API_CRASH).is_zero() {
        return vec![false; points.len()];
    }
    let mut rng = derive_rng(seed, "buggify");
    points.iter().map(|_| rng.random_bool(0.5)).collect()
}
