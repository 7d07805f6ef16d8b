//! Pieces the benches share: the lesson files, the machine they run on, and a
//! bare turmoil simulation that replays the messages of one idemsim run.
//!
//! The bare replay: one idemsim run is traced ([`RunOutput::trace`]); then a
//! `turmoil::Builder` sim with the same hosts (`ledger`, `keys`, `api`,
//! `client-1`, … registered in the order idemsim registers them), the same
//! latency range and a 1 ms tick replays it: each host sleeps until each of
//! its sends' `sent_at_ms` and sends a datagram of the traced size to the
//! traced host over `turmoil::net::UdpSocket`, while a receive loop drains
//! what arrives. Clients finish at the simulated time the idemsim run ended
//! (`RunOutput::end_ms`; idemsim ends a run only once no message is in flight,
//! so that is after its last message landed), so both simulations cover the
//! same simulated time. The bare sim steps every tick: it has no way to skip
//! quiet time, which is what a plain turmoil simulation pays.

// Each bench uses its own share of these helpers.
#![allow(dead_code)]

use idemsim::RunOutput;
use idemsim::TracedMessage;
use idemsim::scenario::Scenario;
use idemsim::{Mode, RunOptions, run_with};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};
use turmoil::net::UdpSocket;

/// The port every bare host binds (any port works; idemsim's is 7000).
const PORT: u16 = 7000;
/// Hosts idemsim registers before the clients, in its order (see `world::driver`).
const SERVERS: [&str; 3] = ["ledger", "keys", "api"];

/// Every `scenarios/lessons/*.toml`, sorted by name, kept by `filters` if any.
pub fn lesson_files(filters: &[String]) -> Vec<PathBuf> {
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

/// A lesson's name: its file name without `.toml`.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// How many threads this process may run at once.
pub fn nproc() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

/// The CPU model from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown (no /proc/cpuinfo model name)".to_string())
}

/// `machine: nproc = N, cpu = MODEL`.
pub fn machine_line() -> String {
    format!("machine: nproc = {}, cpu = {}", nproc(), cpu_model())
}

/// Whether this is an optimised build.
pub fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug (figures are not representative)"
    } else {
        "release"
    }
}

pub fn print_machine(title: &str) {
    println!("{title}");
    println!("{}", machine_line());
    println!("build: {}", build_profile());
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` prints them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_string())
}

/// CPU time counters, to tell what this process used from what the machine did.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    /// This process's user + system time, in clock ticks (threads that
    /// exited included).
    process_ticks: u64,
    /// The machine's busy and total time over all cores, in clock ticks.
    busy_ticks: u64,
    total_ticks: u64,
}

impl CpuSample {
    /// `None` where `/proc` is not there.
    pub fn now() -> Option<CpuSample> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may hold spaces) start at `state`.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        let system = std::fs::read_to_string("/proc/stat").ok()?;
        let cpu: Vec<u64> = system
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is in user).
        let total: u64 = cpu.iter().take(8).sum();
        let idle = cpu.get(3).copied().unwrap_or(0) + cpu.get(4).copied().unwrap_or(0);
        Some(CpuSample {
            process_ticks: utime + stime,
            busy_ticks: total - idle,
            total_ticks: total,
        })
    }
}

/// Cores used between two samples: by this process, and by everything else.
#[derive(Debug, Clone, Copy)]
pub struct CoresUsed {
    pub ours: f64,
    pub others: f64,
}

impl CoresUsed {
    pub fn between(a: Option<CpuSample>, b: Option<CpuSample>, wall_secs: f64) -> Option<Self> {
        let (a, b) = (a?, b?);
        let total = b.total_ticks.saturating_sub(a.total_ticks);
        if total == 0 || wall_secs <= 0.0 {
            return None;
        }
        // /proc/stat counts every core's ticks: total / wall = ticks per second x cores.
        let cores = nproc().max(1) as f64;
        let ticks_per_core_sec = total as f64 / cores / wall_secs;
        let ours =
            b.process_ticks.saturating_sub(a.process_ticks) as f64 / ticks_per_core_sec / wall_secs;
        let busy = b.busy_ticks.saturating_sub(a.busy_ticks) as f64 / total as f64 * cores;
        Some(CoresUsed {
            ours,
            others: (busy - ours).max(0.0),
        })
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
pub struct Plan {
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
    /// The messages of `run`, a run of `scenario`.
    pub fn from_run(scenario: &Scenario, run: &RunOutput) -> Plan {
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

    /// Messages the plan sends.
    pub fn messages(&self) -> usize {
        self.sends.iter().map(Vec::len).sum()
    }
}

/// One bare simulation of `plan` with turmoil seed `seed`; returns the
/// simulated milliseconds it covered.
pub fn run_bare(plan: &Rc<Plan>, seed: u64) -> u64 {
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

/// One idemsim run with every message traced, for the bare replay.
pub fn traced(scenario: &Scenario, seed: Option<u64>) -> RunOutput {
    let options = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    run_with(scenario, seed, Mode::Plain, options).output
}
