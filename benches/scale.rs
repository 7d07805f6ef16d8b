//! Scale: what a run costs as scenarios grow to the limits (1,000 clients,
//! 100,000 transfers), and whether that cost stays linear in events.
//!
//! For each size the bench builds a scenario in code (the atomic design, every
//! client running its transfers one after another, no faults), runs it once,
//! and prints: wall time, simulation steps, events, microseconds per event,
//! the history's bytes per event (`size_of::<Event>()` times the events,
//! since an event holds no heap data of its own, over the events), and the
//! process's peak resident memory so far. Linear cost shows as a steady
//! microseconds-per-event column; the last column is an upper bound on what a
//! whole run (stores, history, scenario) costs per event.
//!
//! Wall time comes from `std::time::Instant`: this measures the simulator,
//! not code inside a simulation.

use idemsim::history::Event;
use idemsim::scenario::{Keys, RunLimits, ScenarioSpec, TransferSpec};
use idemsim::{EndReason, run_scenario};
use std::time::Instant;

/// (clients, transfers per client).
const SIZES: [(usize, usize); 6] = [
    (1, 1_000),
    (10, 1_000),
    (100, 100),
    (100, 1_000),
    (1_000, 10),
    (1_000, 100),
];

fn scenario(clients: usize, per_client: usize) -> idemsim::Scenario {
    let accounts = clients.clamp(2, 1_000);
    let mut builder = ScenarioSpec::builder(format!("{clients} x {per_client}"), "atomic")
        .keys(Keys::default())
        .limits(RunLimits {
            max_host_steps: idemsim::limits::MAX_HOST_STEPS,
            max_messages: idemsim::limits::MAX_MESSAGES,
            ..RunLimits::default()
        });
    for a in 0..accounts {
        builder = builder.account(format!("a{a}"), 1_000_000_000);
    }
    for c in 0..clients {
        builder = builder.client((0..per_client).map(|t| {
            let from = (c + t) % accounts;
            TransferSpec::new(format!("a{from}"), format!("a{}", (from + 1) % accounts), 1)
        }));
    }
    builder.build().expect("a valid scenario")
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    println!("idemsim scale bench");
    println!(
        "an event is {} bytes (size_of::<Event>); client hosts: at most {}",
        std::mem::size_of::<Event>(),
        idemsim::limits::MAX_CLIENT_HOSTS
    );
    println!(
        "{:>8} {:>9} {:>9} {:>8} {:>10} {:>9} {:>11} {:>12} {:>12}",
        "clients",
        "transfers",
        "wall s",
        "steps",
        "events",
        "µs/event",
        "history B/ev",
        "peak MiB",
        "peak B/ev"
    );
    for (clients, per_client) in SIZES {
        let s = scenario(clients, per_client);
        let start = Instant::now();
        let run = run_scenario(&s, None);
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(run.output.end, EndReason::Completed, "the run completes");
        assert!(
            run.verdict.met,
            "the atomic design holds: {:?}",
            run.verdict.found
        );
        assert_eq!(
            run.verdict.outcomes.succeeded as usize,
            clients * per_client,
            "every transfer succeeds"
        );
        let events = run.output.events.len();
        let history_bytes = run.output.events.capacity() * std::mem::size_of::<Event>();
        let peak = peak_rss_mib();
        println!(
            "{:>8} {:>9} {:>9.3} {:>8} {:>10} {:>9.2} {:>11.0} {:>12.1} {:>12.0}",
            clients,
            clients * per_client,
            secs,
            run.output.steps,
            events,
            secs * 1e6 / events as f64,
            history_bytes as f64 / events as f64,
            peak,
            peak * 1024.0 * 1024.0 / events as f64
        );
    }
    println!();
    println!("µs/event: wall time per event; steady means linear cost.");
    println!("history B/ev: the history's memory per event (its vector's capacity included).");
    println!(
        "peak B/ev: the process's peak memory over this run's events (an upper bound for the largest run)."
    );
}
