//! Lesson throughput: how many idemsim runs one core does per second, and what
//! that costs next to turmoil alone.
//!
//! For every `scenarios/lessons/*.toml` (sorted by name) the bench measures:
//!
//! * **idemsim**: `run_scenario(&scenario, Some(seed))`, over and over with a
//!   new seed each time, for a fixed wall-time budget. A run is the whole
//!   pipeline: building the world, the hosts' software (clients, API, stores,
//!   message encoding), the driver's fault injector between steps, the history
//!   and the checker.
//! * **bare**: a hand-written turmoil simulation that exchanges the same
//!   messages between the same hosts. One idemsim run with the scenario's own
//!   seed is traced ([`RunOutput::trace`]); then a `turmoil::Builder` sim with
//!   the same hosts (`ledger`, `keys`, `api`, `client-1`, … registered in the
//!   order idemsim registers them), the same latency range and a 1 ms tick
//!   replays it: each host sleeps until each of its sends' `sent_at_ms` and
//!   sends a datagram of the traced size to the traced host over
//!   `turmoil::net::UdpSocket`, while a receive loop drains what arrives.
//!   Clients finish after their last send, at the simulated time the idemsim
//!   run ended (`RunOutput::end_ms`; idemsim ends a run only once no message
//!   is in flight, so that is after its last message landed), so both
//!   simulations cover the same simulated time (column `sim ms i/b`); the
//!   bare one steps every tick of it, idemsim skips its quiet time. The
//!   replay lives in `benches/common`, shared with `benches/explore.rs`.
//!
//! Why the bare sim is a fair baseline: turmoil's cost is about one step per
//! simulated tick per host, plus the work per message. The bare sim has the
//! same hosts, the same simulated time, the same messages with the same
//! sizes at the same times, latencies drawn from the same range, and does
//! nothing else. What idemsim costs beyond it is
//! idemsim's own work (payload encoding and decoding, the stores, the fault
//! injector's inspection of every link after every step, the history, the
//! checker), which is what this bench exists to watch. It is slightly
//! generous to idemsim: messages idemsim lost are still delivered in the bare
//! sim, and nothing crashes there. idemsim's timed runs use other seeds than
//! the traced one, so their messages can differ a little from the trace.
//!
//! Wall time comes from `std::time::Instant`: this is a benchmark of the
//! simulator, not code inside a simulation. Everything runs on one thread.
//! `IDEMSIM_BENCH_SECS` overrides the wall-time budget per measurement;
//! arguments that are not flags keep only lessons whose file name contains one
//! of them.

mod common;

use common::{Plan, lesson_files, print_machine, run_bare, stem};
use idemsim::EndReason;
use idemsim::run_scenario;
use idemsim::scenario::Scenario;
use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The whole bench should stay under about a minute.
const TOTAL_BUDGET_SECS: f64 = 40.0;
const MIN_RUNS: u64 = 3;

fn main() {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let lessons = lesson_files(&filters);
    print_machine(
        "idemsim lesson bench: idemsim runs vs a bare turmoil replay of the same messages",
    );
    if lessons.is_empty() {
        println!("no lesson matched: nothing to measure");
        return;
    }
    let per_measurement = budget_per_measurement(lessons.len());
    println!(
        "lessons: {} in scenarios/lessons; wall-time budget per measurement: {:.2} s (one thread)",
        lessons.len(),
        per_measurement.as_secs_f64()
    );
    println!();

    let mut rows = Vec::new();
    for path in &lessons {
        let scenario = idemsim::Loader::new()
            .load(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .scenario;
        rows.push(measure(stem(path), &scenario, per_measurement));
    }
    print_table(&rows);
}

fn budget_per_measurement(lessons: usize) -> Duration {
    let secs = match std::env::var("IDEMSIM_BENCH_SECS") {
        Ok(s) => s
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("IDEMSIM_BENCH_SECS={s}: expected seconds")),
        Err(_) => (TOTAL_BUDGET_SECS / (2 * lessons) as f64).clamp(0.2, 1.5),
    };
    Duration::from_secs_f64(secs)
}

/// Runs `once(i)` for i = 0, 1, … until `budget` has passed (and at least
/// [`MIN_RUNS`] times); returns the count and the seconds taken.
fn time_runs(budget: Duration, mut once: impl FnMut(u64)) -> Rate {
    let start = Instant::now();
    let mut runs = 0;
    loop {
        once(runs);
        runs += 1;
        let elapsed = start.elapsed();
        if runs >= MIN_RUNS && elapsed >= budget {
            return Rate {
                runs,
                secs: elapsed.as_secs_f64(),
            };
        }
    }
}

struct Rate {
    runs: u64,
    secs: f64,
}

impl Rate {
    fn per_sec(&self) -> f64 {
        self.runs as f64 / self.secs
    }
}

struct Row {
    name: String,
    messages: usize,
    idem_sim_ms: u64,
    bare_sim_ms: u64,
    completed: bool,
    idem: Rate,
    bare: Rate,
}

impl Row {
    /// idemsim runs/s over bare runs/s.
    fn ratio(&self) -> f64 {
        self.idem.per_sec() / self.bare.per_sec()
    }
}

fn measure(name: String, scenario: &Scenario, budget: Duration) -> Row {
    // The traced run (and a warm-up for the timed ones).
    let traced = common::traced(scenario, None);
    let plan = Rc::new(Plan::from_run(scenario, &traced));
    let bare_sim_ms = run_bare(&plan, 0); // warm-up, and proof the replay finishes
    let idem = time_runs(budget, |i| {
        black_box(run_scenario(scenario, Some(scenario.seed.wrapping_add(i))));
    });
    let bare = time_runs(budget, |i| {
        black_box(run_bare(&plan, i));
    });
    Row {
        name,
        messages: plan.messages(),
        idem_sim_ms: traced.end_ms,
        bare_sim_ms,
        completed: traced.end == EndReason::Completed,
        idem,
        bare,
    }
}

fn print_table(rows: &[Row]) {
    let name_width = rows
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0)
        .max("lesson".len());
    println!(
        "{:<name_width$}  {:>5}  {:>13}  {:>7} {:>6} {:>9}  {:>7} {:>6} {:>9}  {:>9}",
        "lesson", "msgs", "sim ms i/b", "idem", "s", "runs/s", "bare", "s", "runs/s", "idem/bare"
    );
    let line = "-".repeat(name_width + 2 + 5 + 2 + 13 + 2 + 24 + 2 + 24 + 2 + 9);
    println!("{line}");
    for r in rows {
        let mark = if r.completed { "" } else { " *" };
        println!(
            "{:<name_width$}  {:>5}  {:>13}  {:>7} {:>6.2} {:>9.1}  {:>7} {:>6.2} {:>9.1}  {:>9.3}{mark}",
            r.name,
            r.messages,
            format!("{}/{}", r.idem_sim_ms, r.bare_sim_ms),
            r.idem.runs,
            r.idem.secs,
            r.idem.per_sec(),
            r.bare.runs,
            r.bare.secs,
            r.bare.per_sec(),
            r.ratio(),
        );
    }
    println!("{line}");
    // One pass over the suite: every lesson once, at each lesson's mean time per run.
    let pass = |rate: fn(&Row) -> &Rate| rows.iter().map(|r| 1.0 / rate(r).per_sec()).sum::<f64>();
    let idem_pass = pass(|r| &r.idem);
    let bare_pass = pass(|r| &r.bare);
    let geomean = (rows.iter().map(|r| r.ratio().ln()).sum::<f64>() / rows.len() as f64).exp();
    let total_runs = |rate: fn(&Row) -> &Rate| rows.iter().map(|r| rate(r).runs).sum::<u64>();
    let total_secs = |rate: fn(&Row) -> &Rate| rows.iter().map(|r| rate(r).secs).sum::<f64>();
    println!(
        "all {} lessons: idemsim {} runs in {:.2} s = {:.1} runs/s; bare {} runs in {:.2} s = {:.1} runs/s",
        rows.len(),
        total_runs(|r| &r.idem),
        total_secs(|r| &r.idem),
        total_runs(|r| &r.idem) as f64 / total_secs(|r| &r.idem),
        total_runs(|r| &r.bare),
        total_secs(|r| &r.bare),
        total_runs(|r| &r.bare) as f64 / total_secs(|r| &r.bare),
    );
    println!(
        "one pass over all lessons (each once): idemsim {:.3} ms = {:.1} passes/s; bare {:.3} ms = {:.1} passes/s; idem/bare {:.3}",
        idem_pass * 1e3,
        1.0 / idem_pass,
        bare_pass * 1e3,
        1.0 / bare_pass,
        bare_pass / idem_pass,
    );
    println!(
        "geometric mean of idem/bare over lessons: {geomean:.3} (an idemsim run costs {:.2}x the bare replay)",
        1.0 / geomean
    );
    println!();
    println!(
        "msgs: messages in the traced run (the lesson's own seed), replayed by every bare run."
    );
    println!(
        "sim ms i/b: simulated ms covered by the traced idemsim run / by a bare run (about equal by design)."
    );
    println!("idem/bare: idemsim runs/s divided by bare runs/s (below 1: idemsim is slower).");
    if rows.iter().any(|r| !r.completed) {
        println!("*: the traced idemsim run stopped at a limit instead of completing.");
    }
}
