//! The driver: builds the turmoil simulation, steps it one tick at a time, and
//! between steps carries out what only the outside can do: judge messages in
//! flight, crash and restart hosts, close the fault window, enforce limits,
//! and end the run when code in a host panicked.

use super::net::{HostMap, Injector, TracedMessage};
use super::panics::{Capture, InHost};
use super::store::{KeyRecord, LedgerEntry};
use super::{Shared, api, client, http, service_world, store};
use crate::api::Api;
use crate::design::StoreName;
use crate::history::{Event, Host, Limit, What};
use crate::limits;
use crate::scenario::{ClientIx, Scenario};
use crate::seed::derive_seed;
use crate::vocab::wire::RecordKey;
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};
use turmoil::Sim;

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EndReason {
    /// Every client finished and the world went quiet.
    Completed,
    /// A limit was reached first; the verdict covers only what happened until then.
    LimitReached(Limit),
    /// Code panicked: in a host, in the driver, or in the checker. The run is void.
    Panicked { host: Host, message: String },
    /// A host's software returned an error (a bug in idemsim, never a fault of the scenario).
    HostFailed { host: Option<Host>, message: String },
}

/// Everything a run produced: the history and the final durable state.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub seed: u64,
    pub events: Vec<Event>,
    /// Final balances, by account index.
    pub balances: Vec<i64>,
    pub entries: Vec<LedgerEntry>,
    /// Idempotency records left at the end, by store and key.
    pub records: Vec<(StoreName, RecordKey, KeyRecord)>,
    /// What a service stored in the key store and the ledger and left
    /// there at the end (idemsim cannot see its process's memory).
    pub service_values: Vec<ServiceValue>,
    pub end: EndReason,
    pub end_ms: u64,
    /// Indexes of targeted faults that never hit (their attempt never happened).
    pub unfired_faults: Vec<usize>,
    pub messages: u64,
    /// turmoil steps the run took.
    pub steps: u64,
    /// Network work the run spent (see [`crate::limits::DEFAULT_MAX_NETWORK_WORK`]).
    pub network_work: u64,
    /// Simulated time skipped while the world was quiet.
    pub skipped_ms: u64,
    /// When clients stopped waiting for a definitive answer.
    pub liveness_deadline_ms: u64,
    /// Every message sent, in send order (only when [`RunOptions::trace`] is on).
    pub trace: Vec<TracedMessage>,
}

impl RunOutput {
    /// The final balance of the account named `account` of `scenario`.
    pub fn balance(&self, scenario: &Scenario, account: &str) -> Option<i64> {
        let ix = scenario.accounts.iter().position(|a| a.name == account)?;
        self.balances.get(ix).copied()
    }

    /// An output with nothing in it but why the run ended, for a run that
    /// never got to simulate (its driver panicked).
    pub fn void(seed: u64, end: EndReason) -> RunOutput {
        RunOutput {
            seed,
            events: Vec::new(),
            balances: Vec::new(),
            entries: Vec::new(),
            records: Vec::new(),
            service_values: Vec::new(),
            end,
            end_ms: 0,
            unfired_faults: Vec::new(),
            messages: 0,
            steps: 0,
            network_work: 0,
            skipped_ms: 0,
            liveness_deadline_ms: 0,
            trace: Vec::new(),
        }
    }
}

/// A value a service left in a store at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceValue {
    pub store: StoreName,
    /// Its key, as text (bytes that are not UTF-8 shown escaped).
    pub key: String,
    /// When it expires; `None`: never.
    pub expires_at_ms: Option<u64>,
    /// The transfer whose request stored it last, if one did.
    pub writer: Option<crate::scenario::TransferIx>,
}

/// Values of a service kept in the output, at most, per store: a run can
/// store far more, and reports name only a transfer's few.
const MAX_KEPT_VALUES: usize = 10_000;

/// How a run is driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Skip quiet time, the spans in which nothing is in flight and no timer
    /// is due; off runs every tick, for comparison.
    pub skip_quiet_time: bool,
    /// Skip a service's quiet time only in whole cycles of tokio's
    /// scheduler ([`super::SERVICE_SKIP_QUANTUM_MS`]), ticking the rest, so
    /// that the run equals the run on every tick event for event: what
    /// `--check-quiet-time` compares. Off, quiet time is skipped by the
    /// millisecond, and two tasks a service's runtime woke in the same
    /// millisecond may run in the other order than on every tick (see
    /// `world::warp`). A design's world always skips by the millisecond.
    pub whole_scheduler_cycles: bool,
    /// Keep a trace of every message (for the benchmark's bare replay).
    pub trace: bool,
    /// A self-test of the failure path: code in this host (or the driver, or
    /// the checker) panics at its first chance, as a bug would. The run must
    /// end failed, naming the host and the panic.
    pub panic_in: Option<Host>,
    /// Which of the code's own `tracing` events the history keeps
    /// (`--log`); `None` keeps none and installs nothing.
    pub log: Option<crate::world::logs::LogFilter>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            skip_quiet_time: true,
            whole_scheduler_cycles: false,
            trace: false,
            panic_in: None,
            log: None,
        }
    }
}

/// How long a frame between the API and its database takes, each way: no
/// time (see `db_link`).
pub const DATABASE_LATENCY_MS: u64 = 0;

/// A crashed host and when it comes back.
struct Down {
    host: Host,
    ip: IpAddr,
    restart_at_ms: u64,
    /// What the crash left of its records, for the restart to say.
    kept: crate::history::Kept,
}

/// Runs `scenario` with `seed` and returns what happened. Panics in hosts
/// end the run ([`EndReason::Panicked`]); the caller catches panics of the
/// driver itself.
pub fn run_world(scenario: &Scenario, seed: u64, options: RunOptions) -> RunOutput {
    assert!(
        scenario.api.service().is_none() || crate::interpose::active(),
        "a service runs on a thread whose clock and randomness are the run's"
    );
    let capture = Capture::begin();
    let skip_quiet_time = options.skip_quiet_time && scenario.simulation.skip_quiet_time;
    // A service's tokio runtime sees the same poll counts skipping as
    // ticking only when whole scheduler cycles are skipped (see `warp`).
    let skip_quantum_ms = if scenario.api.service().is_some() && options.whole_scheduler_cycles {
        super::SERVICE_SKIP_QUANTUM_MS
    } else {
        1
    };
    let mut shared = Shared::new(scenario.clone(), seed, skip_quiet_time, skip_quantum_ms);
    shared.panic_in = options.panic_in;
    let shared = Rc::new(shared);
    let entered = service_world::enter(&shared);
    let mut sim = build_sim(scenario, seed, &shared);
    let hosts = host_map(&sim, scenario);
    let mut injector = Injector::new(hosts, options.trace);
    let mut down: Vec<Down> = Vec::new();
    let mut healed = false;
    let mut clients_done_at: Option<u64> = None;
    let mut steps: u64 = 0;
    let mut network_work: u64 = 0;
    let host_count = scenario.host_count();
    let end = loop {
        let activity_before = shared.activity();
        if options.panic_in == Some(Host::Driver) && steps == 3 {
            panic!("self-test: the driver panics");
        }
        let stepped = sim.step();
        steps += 1;
        // Something crossed the database link in no time: it may not have
        // arrived yet (see `db_link`).
        let db_link_busy = shared.db_link.take_busy();
        if let Some(caught) = capture.take().into_iter().next() {
            break panicked(&shared, caught.host.unwrap_or(Host::Driver), caught.message);
        }
        let clients_done = match stepped {
            Ok(done) => done,
            Err(e) => break host_failed(&shared, &e.to_string()),
        };
        if let Some((host, message)) = shared.failure.borrow_mut().take() {
            break broke_a_rule(&shared, host, message);
        }
        shared
            .clock
            .observe_elapsed(sim.elapsed().as_millis() as u64);
        let now_ms = shared.now_ms();
        if !healed && now_ms >= scenario.window.heal_at_ms {
            healed = true;
            shared.record(Host::Network, What::Healed);
        }
        let down_ips: BTreeSet<IpAddr> = down.iter().map(|d| d.ip).collect();
        injector.inspect(&mut sim, &shared, &down_ips);
        network_work = network_work.saturating_add(injector.network_work());
        carry_out_crashes(&mut sim, &shared, &mut injector, &mut down, now_ms);
        restart_due(&mut sim, &shared, &mut down, now_ms);
        shared.db_link.step_over();
        let woken = shared.clock.wake_due();
        let drain_deadline_ms =
            clients_done.then(|| *clients_done_at.get_or_insert(now_ms) + limits::DRAIN_MS);
        let settle_until_ms = clients_done_at
            .and_then(|done_ms| settle_until_ms(&shared, done_ms, now_ms))
            .map(|t| t.min(drain_deadline_ms.unwrap_or(t)));
        if clients_done
            && down.is_empty()
            && shared.busy.get() == 0
            && injector.is_quiet(&sim)
            && !db_link_busy
            && settle_until_ms.is_none_or(|t| now_ms >= t)
        {
            break EndReason::Completed;
        }
        if let Some(limit) = over_a_limit(
            scenario,
            &shared,
            now_ms,
            Spent {
                host_steps: steps * host_count,
                network_work,
            },
            drain_deadline_ms,
        ) {
            shared.record(Host::Driver, What::LimitReached { limit });
            break EndReason::LimitReached(limit);
        }
        // A service's handler or spawned task may wait on a tokio timer,
        // which idemsim cannot see: no skip while any is alive (see `warp`).
        let quiet = woken == 0
            && !db_link_busy
            && shared.activity() == activity_before
            && shared.handling.get() == 0
            && super::warp::service_tasks_alive(&shared) == 0
            && injector.only_held_in_flight(&sim);
        if quiet {
            let deadlines = [
                shared.clock.next_deadline_ms(),
                injector.next_release_ms(),
                down.iter().map(|d| d.restart_at_ms).min(),
                (!healed).then_some(scenario.window.heal_at_ms),
                Some(scenario.limits.max_sim_ms),
                drain_deadline_ms,
                settle_until_ms,
            ];
            let next = deadlines
                .into_iter()
                .flatten()
                .min()
                .expect("the time limit is always a deadline");
            let skipped_ms = shared.clock.skip_to(next);
            super::warp::advance_api_clock(&shared, skipped_ms);
        }
    };
    let end = match (options.panic_in, end) {
        // A self-test of the failure path whose panic never came: the host
        // never ran code. That proves nothing, so it is no pass either.
        (Some(host), EndReason::Completed) if host != Host::Checker => EndReason::HostFailed {
            host: Some(host),
            message: format!("self-test: code in {host} never ran, so it could not panic"),
        },
        (_, end) => end,
    };
    let end_ms = shared.now_ms();
    let skipped_ms = shared.clock.skipped_ms();
    // The hosts go down with the simulation; what their tasks do as they
    // are dropped is not something they did.
    shared.api_crashing.set(true);
    drop(sim);
    drop(entered);
    *shared.service.borrow_mut() = None;
    // Tasks dropped with the simulation may panic as they unwind; the run has
    // ended, and what it ended with stands.
    drop(capture.take());
    let mut output = finish(shared, seed, end, end_ms, injector.into_trace());
    output.steps = steps;
    output.network_work = network_work;
    output.skipped_ms = skipped_ms;
    output
}

/// Until when, after the last client finished at `done_ms`, the world keeps
/// running for hosts that can still act on their own; `None` when none can.
/// A completer may yet take up a claim still in progress: the world runs
/// until the completer's first pass after that claim is abandoned, and its
/// work, are over. A service's request may have left a task going on: the
/// world runs for as long as the service says it needs to recover, and a
/// store call's timeout. The world does not wait for ever: a host that
/// still acts after that acts past the run's horizon.
fn settle_until_ms(shared: &Shared, done_ms: u64, now_ms: u64) -> Option<u64> {
    let scenario = &shared.scenario;
    let completer = scenario.api.design().and_then(|design| {
        let completer = design.completer.as_ref()?;
        let claimed_ms = shared
            .db(design.key_store)
            .borrow()
            .latest_claim_ms(now_ms)?;
        let work_ms = design
            .store_timeout_ms
            .saturating_mul(completer.run.len() as u64 + 1);
        Some(
            claimed_ms
                .saturating_add(completer.after_ms)
                .saturating_add(completer.every_ms)
                .saturating_add(work_ms),
        )
    });
    let service = scenario.api.service().and_then(|service| {
        (super::warp::request_tasks_alive(shared) > 0).then(|| {
            done_ms
                .saturating_add(service.recovery())
                .saturating_add(crate::service::keys::DEFAULT_TIMEOUT_MS)
        })
    });
    completer.into_iter().chain(service).max()
}

/// What a run has spent of its step budgets so far.
struct Spent {
    /// Steps times hosts: every step costs every host.
    host_steps: u64,
    /// Network work: messages in flight and queued messages moved.
    network_work: u64,
}

/// The limit a run has reached, if any: simulated time, drain time, host
/// steps, message steps, messages.
fn over_a_limit(
    scenario: &Scenario,
    shared: &Shared,
    now_ms: u64,
    spent: Spent,
    drain_deadline_ms: Option<u64>,
) -> Option<Limit> {
    let limits = &scenario.limits;
    if now_ms >= limits.max_sim_ms {
        return Some(Limit::SimTime {
            max_sim_ms: limits.max_sim_ms,
        });
    }
    if drain_deadline_ms.is_some_and(|d| now_ms > d) {
        return Some(Limit::Drain {
            drain_ms: limits::DRAIN_MS,
        });
    }
    if spent.host_steps >= limits.max_host_steps {
        return Some(Limit::HostSteps {
            max_host_steps: limits.max_host_steps,
        });
    }
    if spent.network_work >= limits.max_network_work {
        return Some(Limit::NetworkWork {
            max_network_work: limits.max_network_work,
        });
    }
    if shared.messages_sent() > limits.max_messages {
        return Some(Limit::Messages {
            max_messages: limits.max_messages,
        });
    }
    None
}

fn panicked(shared: &Shared, host: Host, message: String) -> EndReason {
    shared.record(
        Host::Driver,
        What::Panicked {
            host,
            message: message.clone(),
        },
    );
    EndReason::Panicked { host, message }
}

/// Code the run hosts broke a rule idemsim cannot run past (a service
/// passed a crash point it does not declare, or called a store outside any
/// request): the run fails, naming the host and the rule.
fn broke_a_rule(shared: &Shared, host: Host, message: String) -> EndReason {
    shared.record(
        Host::Driver,
        What::Panicked {
            host,
            message: message.clone(),
        },
    );
    EndReason::HostFailed {
        host: Some(host),
        message,
    }
}

fn host_failed(shared: &Shared, message: &str) -> EndReason {
    shared.record(
        Host::Driver,
        What::Panicked {
            host: Host::Driver,
            message: format!("a host's software failed: {message}"),
        },
    );
    EndReason::HostFailed {
        host: None,
        message: message.to_string(),
    }
}

fn build_sim<'a>(scenario: &Scenario, seed: u64, shared: &Rc<Shared>) -> Sim<'a> {
    // The driver stops the run itself; turmoil's own limit sits beyond ours.
    let duration_ms = scenario.limits.max_sim_ms + limits::DRAIN_MS + 1_000;
    let mut sim = turmoil::Builder::new()
        .rng_seed(derive_seed(seed, "turmoil"))
        .epoch(UNIX_EPOCH + Duration::from_millis(super::EPOCH_MS))
        .simulation_duration(Duration::from_millis(duration_ms))
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(Duration::from_millis(scenario.network.latency_min_ms))
        .max_message_latency(Duration::from_millis(scenario.network.latency_max_ms))
        .build();
    let processor = scenario.has_processor().then_some(StoreName::Processor);
    // The `ledger` host is built first, so turmoil polls it first in every
    // step: a database's answer reaches the API in the step it is written
    // (see `db_link`).
    for which in [StoreName::Ledger, StoreName::Keys]
        .into_iter()
        .chain(processor)
    {
        let shared = shared.clone();
        let host = Host::store(which);
        if which == StoreName::Ledger && shared.db.is_some() {
            sim.host(which.host(), move || {
                InHost::new(host, super::db_host::db_main(shared.clone()))
            });
            continue;
        }
        sim.host(which.host(), move || {
            InHost::new(host, store::store_main(shared.clone(), which))
        });
    }
    if scenario.has_completer() {
        let shared = shared.clone();
        sim.host(Host::Completer.name().as_str(), move || {
            InHost::new(Host::Completer, api::completer_main(shared.clone()))
        });
    }
    let for_api = shared.clone();
    match &scenario.api {
        Api::Design(_) => sim.host("api", move || {
            InHost::new(Host::Api, api::api_main(for_api.clone()))
        }),
        Api::Service(service) => {
            let service = service.clone();
            sim.host("api", move || {
                InHost::new(
                    Host::Api,
                    http::service_main(for_api.clone(), service.clone()),
                )
            })
        }
    }
    if scenario.database.is_some() {
        // A service's database sits next to it, as in a datacenter: its
        // frames cross in no time and are judged as they are written (see
        // `db_link`), where the scenario's latency is the clients' network.
        sim.set_link_latency(
            "api",
            StoreName::Ledger.host(),
            Duration::from_millis(DATABASE_LATENCY_MS),
        );
    }
    let hosts = scenario.client_host_count();
    for h in 0..hosts {
        let first = Host::Client(ClientIx(h));
        sim.client(
            first.name(),
            InHost::new(first, client::client_host_main(shared.clone(), h, hosts)),
        );
    }
    sim
}

/// How many client hosts the clients run on: one each, up to
/// [`limits::MAX_CLIENT_HOSTS`]. turmoil links every host to every other and
/// visits every link for every host on every step, so a step costs the
/// square of the hosts; past the bound, clients share hosts (each on a port
/// of its own) and a step's cost stays bounded.
fn host_map(sim: &Sim, scenario: &Scenario) -> HostMap {
    let client_hosts = scenario.client_host_count();
    let completer = scenario.has_completer().then_some(Host::Completer);
    let processor = scenario.has_processor().then_some(Host::Processor);
    let servers = [Host::Ledger, Host::Keys, Host::Api]
        .into_iter()
        .chain(completer)
        .chain(processor)
        .map(|host| (sim.lookup(host.name().as_str()), host))
        .collect();
    let clients = (0..client_hosts)
        .map(|h| (sim.lookup(Host::Client(ClientIx(h)).name().as_str()), h))
        .collect();
    HostMap::new(servers, clients, scenario)
}

fn carry_out_crashes(
    sim: &mut Sim,
    shared: &Shared,
    injector: &mut Injector,
    down: &mut Vec<Down>,
    now_ms: u64,
) {
    let requests: Vec<_> = shared.crash_requests.borrow_mut().drain(..).collect();
    for request in requests {
        let host = request.host.host();
        if down.iter().any(|d| d.host == host) {
            continue;
        }
        let name = host.name();
        shared.api_crashing.set(host == Host::Api);
        sim.crash(name.as_str());
        shared.api_crashing.set(false);
        let kept = shared.lose_on_crash(host);
        if host == Host::Api {
            shared.api_runtime.borrow_mut().take();
        }
        shared.record(
            host,
            What::Crashed {
                host,
                cause: request.cause,
                site: Some(request.site),
            },
        );
        let ip = sim.lookup(name.as_str());
        injector.lose_all_to(sim, shared, ip);
        if host == Host::Ledger {
            shared.lose_db_frames_in_flight();
        }
        shared.down.borrow_mut().insert(host);
        down.push(Down {
            host,
            ip,
            restart_at_ms: now_ms + request.restart_after_ms,
            kept,
        });
    }
}

fn restart_due(sim: &mut Sim, shared: &Shared, down: &mut Vec<Down>, now_ms: u64) {
    if down.iter().all(|d| d.restart_at_ms > now_ms) {
        return;
    }
    let (due, still_down): (Vec<Down>, Vec<Down>) =
        down.drain(..).partition(|d| d.restart_at_ms <= now_ms);
    *down = still_down;
    for d in due {
        sim.bounce(d.host.name().as_str());
        shared.down.borrow_mut().remove(&d.host);
        shared.record(
            d.host,
            What::Restarted {
                host: d.host,
                kept: d.kept,
            },
        );
    }
}

fn finish(
    shared: Rc<Shared>,
    seed: u64,
    end: EndReason,
    end_ms: u64,
    trace: Vec<TracedMessage>,
) -> RunOutput {
    let shared = Rc::try_unwrap(shared).unwrap_or_else(|_| {
        panic!("the simulation was dropped, so no host holds the shared state")
    });
    let messages = shared.messages_sent();
    let unfired_faults = shared.faults.unfired();
    let liveness_deadline_ms = shared.liveness_deadline_ms;
    let money_store = shared
        .scenario
        .api
        .design()
        .map_or(StoreName::Ledger, |d| d.money_store());
    if let (Some(db), EndReason::Completed) = (&shared.db, &end) {
        let held: Vec<i64> = db.balances().into_iter().map(|(_, b)| b).collect();
        assert_eq!(
            held,
            shared.ledger_db.borrow().balances,
            "the ledger entries filed from the database's commits add up to the balances it holds"
        );
    }
    let ledger = shared.ledger_db.into_inner();
    let keys = shared.keys_db.into_inner();
    let memory = shared.memory_db.into_inner();
    let processor = shared.processor_db.into_inner();
    let service_values = [(StoreName::Keys, &keys), (StoreName::Ledger, &ledger)]
        .into_iter()
        .flat_map(|(store, db)| {
            db.kv
                .iter()
                .filter(move |(_, v)| v.expires_at_ms.is_none_or(|t| t > end_ms))
                .take(MAX_KEPT_VALUES)
                .map(move |(k, v)| ServiceValue {
                    store,
                    key: String::from_utf8_lossy(k).into_owned(),
                    expires_at_ms: v.expires_at_ms,
                    writer: v.writer,
                })
        })
        .collect();
    let records = [
        (StoreName::Keys, &keys),
        (StoreName::Ledger, &ledger),
        (StoreName::Memory, &memory),
    ]
    .into_iter()
    .flat_map(|(store, db)| db.records.iter().map(move |(k, r)| (store, *k, r.clone())))
    .collect();
    // Where the money moved: the ledger, or a design's processor.
    let money = match money_store {
        StoreName::Processor => processor,
        _ => ledger,
    };
    RunOutput {
        seed,
        events: shared.history.into_inner().into_events(),
        balances: money.balances,
        entries: money.entries,
        records,
        service_values,
        end,
        end_ms,
        unfired_faults,
        messages,
        steps: 0,
        network_work: 0,
        skipped_ms: 0,
        liveness_deadline_ms,
        trace,
    }
}
