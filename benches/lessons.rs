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
//!   simulations take the same number of steps (column `sim ms i/b`).
//!
//! Why the bare sim is a fair baseline: turmoil's cost is about one step per
//! simulated tick per host, plus the work per message. The bare sim has the
//! same hosts, the same number of steps, the same messages with the same
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

use idemsim::run::run_scenario;
use idemsim::scenario::{Scenario, load_scenario};
use idemsim::world::net::TracedMessage;
use idemsim::world::{EndReason, RunOutput};
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant, UNIX_EPOCH};
use turmoil::net::UdpSocket;

/// The port every bare host binds (any port works; idemsim's is 7000).
const PORT: u16 = 7000;
/// Hosts idemsim registers before the clients, in its order (see `world::driver`).
const SERVERS: [&str; 3] = ["ledger", "keys", "api"];
/// The whole bench should stay under about a minute.
const TOTAL_BUDGET_SECS: f64 = 40.0;
const MIN_RUNS: u64 = 3;

fn main() {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let lessons = lesson_files(&filters);
    print_machine();
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
        let scenario = load_scenario(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        rows.push(measure(name, &scenario, per_measurement));
    }
    print_table(&rows);
}

/// Every `scenarios/lessons/*.toml`, sorted by name, kept by `filters` if any.
fn lesson_files(filters: &[String]) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join("lessons");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
        })
        .collect();
    files.sort();
    files
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

fn print_machine() {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown (no /proc/cpuinfo model name)".to_string());
    println!("idemsim lesson bench: idemsim runs vs a bare turmoil replay of the same messages");
    println!("machine: nproc = {nproc}, cpu = {cpu}");
    let profile = if cfg!(debug_assertions) {
        "debug (figures are not representative)"
    } else {
        "release"
    };
    println!("build: {profile}");
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
    let traced = run_scenario(scenario, None).output;
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
        messages: traced.trace.len(),
        idem_sim_ms: traced.end_ms,
        bare_sim_ms,
        completed: traced.end == EndReason::Completed,
        idem,
        bare,
    }
}

/// One datagram a bare host sends.
struct Send {
    at_ms: u64,
    to: usize,
    bytes: usize,
}

/// What the bare simulation replays: hosts in idemsim's registration order,
/// each with its sends in send order.
struct Plan {
    hosts: Vec<String>,
    clients: usize,
    sends: Vec<Vec<Send>>,
    latency_min_ms: u64,
    latency_max_ms: u64,
    /// Clients finish in the step that starts at this simulated time.
    end_ms: u64,
    payload: Vec<u8>,
}

impl Plan {
    fn from_run(scenario: &Scenario, run: &RunOutput) -> Plan {
        let clients = scenario.clients.len();
        let hosts: Vec<String> = SERVERS
            .iter()
            .map(|h| h.to_string())
            .chain((1..=clients).map(|i| format!("client-{i}")))
            .collect();
        let index = |name: &str| {
            hosts
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("traced host `{name}` is not one of {hosts:?}"))
        };
        let mut sends: Vec<Vec<Send>> = hosts.iter().map(|_| Vec::new()).collect();
        for TracedMessage {
            sent_at_ms,
            from,
            to,
            bytes,
        } in &run.trace
        {
            sends[index(from)].push(Send {
                at_ms: *sent_at_ms,
                to: index(to),
                bytes: *bytes,
            });
        }
        // A client's sleep until `t` ends in the step that takes the clock past
        // `t`, so waking at `end_ms - 1` covers `end_ms` simulated ms, as the
        // idemsim run did. The idemsim run ended only once nothing was in flight,
        // so by then its last message had landed (within the latency range).
        let last_send = run.trace.iter().map(|m| m.sent_at_ms).max().unwrap_or(0);
        let largest = run.trace.iter().map(|m| m.bytes).max().unwrap_or(0);
        Plan {
            clients,
            sends,
            latency_min_ms: scenario.network.latency_min_ms,
            latency_max_ms: scenario.network.latency_max_ms,
            end_ms: run.end_ms.saturating_sub(1).max(last_send),
            payload: vec![0u8; largest],
            hosts,
        }
    }
}

/// One bare simulation of `plan` with turmoil seed `seed`; returns the
/// simulated milliseconds it covered.
fn run_bare(plan: &Rc<Plan>, seed: u64) -> u64 {
    let mut sim = turmoil::Builder::new()
        .rng_seed(seed)
        .epoch(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .simulation_duration(Duration::from_millis(plan.end_ms + 10_000))
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(Duration::from_millis(plan.latency_min_ms))
        .max_message_latency(Duration::from_millis(plan.latency_max_ms))
        .build();
    for (host, name) in plan.hosts.iter().enumerate() {
        if host < SERVERS.len() {
            let plan = plan.clone();
            sim.host(name.as_str(), move || replay(plan.clone(), host, false));
        } else {
            sim.client(name.as_str(), replay(plan.clone(), host, true));
        }
    }
    debug_assert_eq!(plan.hosts.len(), SERVERS.len() + plan.clients);
    sim.run()
        .unwrap_or_else(|e| panic!("bare simulation failed: {e}"));
    sim.elapsed().as_millis() as u64
}

/// A bare host: sends its traced datagrams at their times while draining
/// what arrives. A client stops at the plan's end; a server never stops.
async fn replay(plan: Rc<Plan>, host: usize, client: bool) -> turmoil::Result {
    let socket = UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?;
    let start = tokio::time::Instant::now();
    let addrs: Vec<SocketAddr> = plan
        .hosts
        .iter()
        .map(|h| SocketAddr::new(turmoil::lookup(h.as_str()), PORT))
        .collect();
    let receive = async {
        let mut buf = vec![0u8; plan.payload.len().max(1)];
        loop {
            socket.recv_from(&mut buf).await?;
        }
    };
    let send = async {
        for s in &plan.sends[host] {
            tokio::time::sleep_until(start + Duration::from_millis(s.at_ms)).await;
            socket
                .send_to(&plan.payload[..s.bytes], addrs[s.to])
                .await?;
        }
        if client {
            tokio::time::sleep_until(start + Duration::from_millis(plan.end_ms)).await;
        } else {
            std::future::pending::<()>().await;
        }
        Ok(())
    };
    tokio::select! {
        biased;
        done = receive => done,
        done = send => done,
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
