//! The driver: builds the turmoil simulation, steps it one tick at a time, and
//! between steps carries out what only the outside can do: judge messages in
//! flight, crash and restart hosts, close the fault window, enforce limits.

use super::net::{Injector, TracedMessage};
use super::store::{KeyRecord, LedgerEntry};
use super::{Shared, api, client, store};
use crate::design::StoreName;
use crate::history::{Event, What};
use crate::limits;
use crate::scenario::Scenario;
use crate::seed::derive_seed;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};
use turmoil::Sim;

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "end", rename_all = "kebab-case")]
pub enum EndReason {
    /// Every client finished and the world went quiet.
    Completed,
    /// A limit was reached first; the verdict covers only what happened until then.
    LimitReached { limit: String },
    /// A host's software returned an error (a bug in idemsim, never a fault of the scenario).
    HostFailed { message: String },
}

/// Everything a run produced: the history and the final durable state.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutput {
    pub seed: u64,
    pub events: Vec<Event>,
    pub balances: BTreeMap<String, i64>,
    pub entries: Vec<LedgerEntry>,
    /// Idempotency records left at the end, by store and key.
    pub records: Vec<(StoreName, String, KeyRecord)>,
    pub end: EndReason,
    pub end_ms: u64,
    /// Indexes of targeted faults that never hit (their attempt never happened).
    pub unfired_faults: Vec<usize>,
    pub messages: u64,
    /// turmoil steps the run took.
    pub steps: u64,
    /// Simulated time skipped while the world was quiet.
    pub skipped_ms: u64,
    /// Every message sent, in send order.
    #[serde(skip)]
    pub trace: Vec<TracedMessage>,
}

const HOSTS: [&str; 3] = ["ledger", "keys", "api"];

/// A crashed host and when it comes back.
struct Down {
    host: String,
    ip: IpAddr,
    restart_at_ms: u64,
}

/// How a run is driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Skip quiet time (see [`super::clock`]); off runs every tick, for comparison.
    pub skip_quiet_time: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            skip_quiet_time: true,
        }
    }
}

/// Runs `scenario` with `seed` and returns what happened.
pub fn run_world(scenario: &Scenario, seed: u64, options: RunOptions) -> RunOutput {
    let shared = Rc::new(Shared::new(scenario.clone(), seed, options.skip_quiet_time));
    let mut sim = build_sim(scenario, seed, &shared);
    let names = host_names(&sim, scenario.clients.len());
    let mut injector = Injector::new(seed, names);
    let mut down: Vec<Down> = Vec::new();
    let mut healed = false;
    let mut clients_done_at: Option<u64> = None;
    let mut steps: u64 = 0;
    let end = loop {
        let activity_before = shared.activity();
        let clients_done = match sim.step() {
            Ok(done) => done,
            Err(e) => break host_failed(&shared, &e.to_string()),
        };
        steps += 1;
        shared
            .clock
            .observe_elapsed(sim.elapsed().as_millis() as u64);
        let now_ms = shared.now_ms();
        if !healed && now_ms >= scenario.window.heal_at_ms {
            healed = true;
            shared.record("network", What::Healed);
        }
        let down_ips: BTreeSet<IpAddr> = down.iter().map(|d| d.ip).collect();
        injector.inspect(&mut sim, &shared, &down_ips);
        carry_out_crashes(&mut sim, &shared, &mut injector, &mut down, now_ms);
        restart_due(&mut sim, &shared, &mut down, now_ms);
        let woken = shared.clock.wake_due();
        let drain_deadline_ms =
            clients_done.then(|| *clients_done_at.get_or_insert(now_ms) + limits::DRAIN_MS);
        if clients_done && down.is_empty() && shared.busy.get() == 0 && injector.is_quiet(&sim) {
            break EndReason::Completed;
        }
        if let Some(reason) = over_a_limit(scenario, &shared, now_ms, steps, drain_deadline_ms) {
            break limit(&shared, &reason);
        }
        let quiet = woken == 0
            && shared.activity() == activity_before
            && injector.only_held_in_flight(&sim);
        if quiet {
            let deadlines = [
                shared.clock.next_deadline_ms(),
                injector.next_release_ms(),
                down.iter().map(|d| d.restart_at_ms).min(),
                (!healed).then_some(scenario.window.heal_at_ms),
                Some(scenario.max_sim_ms),
                drain_deadline_ms,
            ];
            let next = deadlines
                .into_iter()
                .flatten()
                .min()
                .expect("the time limit is always a deadline");
            shared.clock.skip_to(next);
        }
    };
    let end_ms = shared.now_ms();
    let skipped_ms = shared.clock.skipped_ms();
    drop(sim);
    let mut output = finish(shared, seed, end, end_ms, injector.into_trace());
    output.steps = steps;
    output.skipped_ms = skipped_ms;
    output
}

/// The limit a run has reached, if any: simulated time, drain time, steps, messages.
fn over_a_limit(
    scenario: &Scenario,
    shared: &Shared,
    now_ms: u64,
    steps: u64,
    drain_deadline_ms: Option<u64>,
) -> Option<String> {
    if now_ms >= scenario.max_sim_ms {
        return Some(format!("max_sim_ms = {}", scenario.max_sim_ms));
    }
    if drain_deadline_ms.is_some_and(|d| now_ms > d) {
        return Some("drain time after the last client finished".to_string());
    }
    if steps >= limits::MAX_STEPS {
        return Some(format!("{} simulation steps", limits::MAX_STEPS));
    }
    if shared.messages_sent() > limits::MAX_MESSAGES {
        return Some(format!("{} messages", limits::MAX_MESSAGES));
    }
    None
}

fn limit(shared: &Shared, what: &str) -> EndReason {
    shared.record(
        "driver",
        What::LimitReached {
            limit: what.to_string(),
        },
    );
    EndReason::LimitReached {
        limit: what.to_string(),
    }
}

fn host_failed(shared: &Shared, message: &str) -> EndReason {
    shared.record(
        "driver",
        What::LimitReached {
            limit: format!("host failed: {message}"),
        },
    );
    EndReason::HostFailed {
        message: message.to_string(),
    }
}

fn build_sim<'a>(scenario: &Scenario, seed: u64, shared: &Rc<Shared>) -> Sim<'a> {
    // The driver stops the run itself; turmoil's own limit sits beyond ours.
    let duration_ms = scenario.max_sim_ms + limits::DRAIN_MS + 1_000;
    let mut sim = turmoil::Builder::new()
        .rng_seed(derive_seed(seed, "turmoil"))
        .epoch(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .simulation_duration(Duration::from_millis(duration_ms))
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(Duration::from_millis(scenario.network.latency_min_ms))
        .max_message_latency(Duration::from_millis(scenario.network.latency_max_ms))
        .build();
    for (name, which) in [("ledger", StoreName::Ledger), ("keys", StoreName::Keys)] {
        let shared = shared.clone();
        sim.host(name, move || store::store_main(shared.clone(), which));
    }
    let for_api = shared.clone();
    sim.host("api", move || api::api_main(for_api.clone()));
    for index in 0..scenario.clients.len() {
        sim.client(
            format!("client-{}", index + 1),
            client::client_main(shared.clone(), index),
        );
    }
    sim
}

fn host_names(sim: &Sim, clients: usize) -> BTreeMap<IpAddr, String> {
    let clients = (1..=clients).map(|i| format!("client-{i}"));
    HOSTS
        .iter()
        .map(|h| h.to_string())
        .chain(clients)
        .map(|name| (sim.lookup(name.as_str()), name))
        .collect()
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
        sim.crash(host);
        shared.record(
            host,
            What::Crashed {
                host: host.to_string(),
                reason: request.reason,
                cause: request.cause,
                at: Some(request.at),
                transfer: Some(request.tag.transfer),
                attempt: Some(request.tag.attempt),
            },
        );
        let ip = sim.lookup(host);
        injector.lose_all_to(sim, shared, ip);
        down.push(Down {
            host: host.to_string(),
            ip,
            restart_at_ms: now_ms + request.restart_after_ms,
        });
    }
}

fn restart_due(sim: &mut Sim, shared: &Shared, down: &mut Vec<Down>, now_ms: u64) {
    let (due, still_down): (Vec<Down>, Vec<Down>) =
        down.drain(..).partition(|d| d.restart_at_ms <= now_ms);
    *down = still_down;
    for d in due {
        sim.bounce(d.host.as_str());
        shared.record(
            &d.host,
            What::Restarted {
                host: d.host.clone(),
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
    let ledger = shared.ledger_db.into_inner();
    let keys = shared.keys_db.into_inner();
    let fired = shared.fired_faults.into_inner();
    let unfired_faults = (0..shared.scenario.faults.len())
        .filter(|i| !fired.contains(i))
        .collect();
    let records = [(StoreName::Keys, &keys), (StoreName::Ledger, &ledger)]
        .into_iter()
        .flat_map(|(store, db)| {
            db.records
                .iter()
                .map(move |(k, r)| (store, k.clone(), r.clone()))
        })
        .collect();
    RunOutput {
        seed,
        events: shared.history.into_inner().into_events(),
        balances: ledger.balances,
        entries: ledger.entries,
        records,
        end,
        end_ms,
        unfired_faults,
        messages,
        steps: 0,
        skipped_ms: 0,
        trace,
    }
}
