//! Exploration benchmark: what the exploration engine costs and what it buys,
//! each figure measured side by side with its comparison in the same process.
//!
//! 1. **Lesson sweep, runs per second on one core.** Every
//!    `scenarios/lessons/*.toml` is swept over the same seeds in swarm mode
//!    (each seed also picks the fault profile, as `idemsim explore` does) by
//!    the engine's `sweep` with one job. Against it: a bare turmoil simulation
//!    (`benches/common`) replaying, seed for seed, the messages that very
//!    idemsim run exchanged — same hosts, same message sizes and send times,
//!    same latency range, same simulated time span — on plain 1 ms ticks, and
//!    nothing else. The two take turns, three passes each, and each side's
//!    fastest pass counts (idemsim on plain ticks, context only, runs once).
//!    Fair because both sides move the same messages over the same simulated
//!    time on one thread; the bare side does no encoding, no stores, no fault
//!    judging, no history and no checking. Messages idemsim
//!    lost or held are delivered there at the usual latency, and nothing
//!    crashes, which changes the bare side's work by a few messages, not by
//!    ticks. What idemsim gains is the quiet time it skips; idemsim with
//!    `skip_quiet_time: false` (the same runs on plain ticks) is shown for
//!    context, and so is the same sweep with swarm off (each lesson's own
//!    faults on other seeds).
//! 2. **`--jobs 2` against `--jobs 1`.** The engine's `sweep` over the same
//!    seeds of one lesson, swarm on, with `SweepConfig::jobs` 2 and 1,
//!    alternated three times; the best and the median of the three. Both
//!    sweeps must report the same outcome. The machine's other load is
//!    sampled from `/proc` during each measurement (cores used by this
//!    process and by everything else), because another process on a 2-core
//!    machine takes exactly the core the second job needs.
//! 3. **Quiet time.** A scenario whose client loses a response and retries
//!    after 25 h against a design with a 24 h key TTL, and the same scenario
//!    scaled down to a 1 s TTL and a retry after 1.5 s (the same story: the
//!    key expired, the retry pays again). Wall time per run of each, the runs
//!    interleaved in rounds so that a change in load hits both alike.
//! 4. **Time to the first counterexample** on the classic design with a lost
//!    response: `3-response-lost-classic.toml` with its targeted fault removed,
//!    so that nothing is lost unless the search makes it so. Counted: seeds
//!    until a run shows any violation under (a) swarm profiles
//!    (`Profile::from_seed(seed).apply`), (c) plain uniform random loss at
//!    1/100 and at 1/20 (every other fault off), each as 20 searches starting
//!    at seeds 0, 1000, 2000, … (at most 1,000 seeds each) so that no single
//!    lucky seed decides; and (b)
//!    schedules run by the exhaustive search, in the engine's order
//!    (`exhaustive::candidates`, smallest schedules first, lexicographic within
//!    a size), stopping at the first that shows a violation (the search is
//!    deterministic, so it is counted once; it is cross-checked against
//!    `exhaustive::search`). Every count includes the run that found it. Fair
//!    because all three run the same scenario through the same `run_scenario`
//!    and stop on the same condition; only where the faults come from differs.
//! 5. **Exhaustive search with K = 2** of `1-request-lost-atomic.toml`:
//!    schedules explored and total wall time, with one job and with two.
//!
//! At the end, one table gathers the figures, each with its target and
//! whether it was met. Wall time comes from `std::time::Instant`: this is a
//! benchmark of the simulator, not code inside a simulation.
//! `IDEMSIM_BENCH_SCALE` (default 1) scales the seed and run counts of
//! figures 1 to 4, for a quicker or a steadier run.

mod common;

use common::{CoresUsed, CpuSample, Plan, lesson_files, load_average, machine_line, run_bare};
use idemsim::Fault;
use idemsim::Ratio;
use idemsim::SeedRange;
use idemsim::explore::exhaustive;
use idemsim::explore::swarm::Profile;
use idemsim::explore::swarm::scenario_for;
use idemsim::explore::sweep::{SweepConfig, SweepReport, sweep};
use idemsim::history::What;
use idemsim::scenario::Scenario;
use idemsim::{EndReason, RunOptions};
use idemsim::{Mode, run_scenario, run_with};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

/// Seeds per lesson in figure 1, and how many passes over them each side
/// makes (the fastest counts).
const LESSON_SEEDS: u64 = 80;
const LESSON_PASSES: usize = 3;
/// Seeds of the sweep in figure 2, and its lesson.
const JOBS_SEEDS: u64 = 2_000;
const JOBS_LESSON: &str = "3-response-lost-classic.toml";
const JOBS_REPEATS: usize = 3;
/// Rounds and runs per round of each scenario in figure 3.
const QUIET_ROUNDS: usize = 9;
const QUIET_RUNS_PER_ROUND: u64 = 200;
/// Figure 4: searches, the spacing of their first seeds, and the most seeds
/// one search may try before it gives up.
const SEARCHES: u64 = 20;
const SEARCH_SPACING: u64 = 1_000;
const SEARCH_CAP: u64 = 1_000;
const COUNTEREXAMPLE_LESSON: &str = "3-response-lost-classic.toml";
/// Figure 5.
const EXHAUSTIVE_LESSON: &str = "1-request-lost-atomic.toml";
const EXHAUSTIVE_K: usize = 2;

fn main() {
    let started = Instant::now();
    let scale = scale();
    let mut summary = Summary::default();
    println!("idemsim exploration bench");
    println!("{}", machine_line());
    println!(
        "build: {}; load average at start: {}; scale: {scale}",
        common::build_profile(),
        load_average()
    );
    println!();

    lesson_sweep(&mut summary, scaled(LESSON_SEEDS, scale));
    jobs_scaling(&mut summary, scaled(JOBS_SEEDS, scale));
    quiet_time(&mut summary, scaled(QUIET_RUNS_PER_ROUND, scale));
    first_counterexample(&mut summary, scale);
    exhaustive_k2(&mut summary);

    summary.print(started.elapsed().as_secs_f64());
}

fn scale() -> f64 {
    match std::env::var("IDEMSIM_BENCH_SCALE") {
        Ok(s) => s
            .parse::<f64>()
            .ok()
            .filter(|x| *x > 0.0)
            .unwrap_or_else(|| panic!("IDEMSIM_BENCH_SCALE={s}: expected a positive number")),
        Err(_) => 1.0,
    }
}

fn scaled(n: u64, scale: f64) -> u64 {
    ((n as f64 * scale).round() as u64).max(1)
}

fn lesson(name: &str) -> (PathBuf, Scenario) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join("lessons")
        .join(name);
    let scenario = idemsim::Loader::new()
        .load(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .scenario;
    (path, scenario)
}

fn seeds(start: u64, count: u64) -> SeedRange {
    SeedRange::new(start, count).expect("a bench sweeps a valid seed range")
}

fn sweep_config(range: SeedRange, jobs: usize) -> SweepConfig {
    SweepConfig::swarm(range, jobs)
}

/// Seconds `f` takes, with what it returned.
fn timed<R>(f: impl FnOnce() -> R) -> (f64, R) {
    let start = Instant::now();
    let r = f();
    (start.elapsed().as_secs_f64(), r)
}

/// Seconds `f` takes, with the cores used meanwhile by us and by others.
fn timed_cores<R>(f: impl FnOnce() -> R) -> (f64, Option<CoresUsed>, R) {
    let before = CpuSample::now();
    let (secs, r) = timed(f);
    let after = CpuSample::now();
    (secs, CoresUsed::between(before, after, secs), r)
}

fn cores_text(cores: Option<CoresUsed>) -> String {
    match cores {
        Some(c) => format!("{:.2} / {:.2}", c.ours, c.others),
        None => "n/a".to_string(),
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn geomean(values: &[f64]) -> f64 {
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
}

// ---------------------------------------------------------------------------
// Figure 1: the lesson sweep against the bare replay.

struct LessonRow {
    name: String,
    seeds: u64,
    mean_messages: f64,
    mean_sim_ms: f64,
    mean_steps: f64,
    /// Runs in which the network held a message (a delay fault), and the
    /// steps those runs took.
    held: u64,
    held_steps: u64,
    /// Runs that stopped at a limit instead of completing.
    limited: u64,
    sweep_secs: f64,
    plain_ticks_secs: f64,
    bare_secs: f64,
}

impl LessonRow {
    fn rate(&self, secs: f64) -> f64 {
        self.seeds as f64 / secs
    }
}

/// Figure 1 over every lesson, in swarm mode or with each lesson's own faults.
struct LessonSweep {
    rows: Vec<LessonRow>,
    cores: Option<CoresUsed>,
    load_before: String,
    load_after: String,
}

impl LessonSweep {
    fn measure(per_lesson: u64, swarm: bool) -> LessonSweep {
        let load_before = load_average();
        let (_, cores, rows) = timed_cores(|| {
            lesson_files(&[])
                .iter()
                .map(|path| {
                    let scenario = idemsim::Loader::new()
                        .load(path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                        .scenario;
                    measure_lesson(common::stem(path), &scenario, per_lesson, swarm)
                })
                .collect::<Vec<_>>()
        });
        LessonSweep {
            rows,
            cores,
            load_before,
            load_after: load_average(),
        }
    }

    fn runs(&self) -> u64 {
        self.rows.iter().map(|r| r.seeds).sum()
    }

    fn secs(&self, which: fn(&LessonRow) -> f64) -> f64 {
        self.rows.iter().map(which).sum()
    }

    fn rate(&self, which: fn(&LessonRow) -> f64) -> f64 {
        self.runs() as f64 / self.secs(which)
    }

    /// Runs/s of the idemsim sweep over runs/s of the bare replay.
    fn ratio(&self) -> f64 {
        self.secs(|r| r.bare_secs) / self.secs(|r| r.sweep_secs)
    }

    fn plain_ratio(&self) -> f64 {
        self.secs(|r| r.bare_secs) / self.secs(|r| r.plain_ticks_secs)
    }

    fn geomean(&self) -> f64 {
        geomean(
            &self
                .rows
                .iter()
                .map(|r| r.bare_secs / r.sweep_secs)
                .collect::<Vec<_>>(),
        )
    }

    fn print_totals(&self, label: &str) {
        println!(
            "{label}: {} runs each way; idemsim sweep {:.2} s = {:.1} runs/s; idemsim on plain ticks {:.2} s = {:.1} runs/s; bare {:.2} s = {:.1} runs/s",
            self.runs(),
            self.secs(|r| r.sweep_secs),
            self.rate(|r| r.sweep_secs),
            self.secs(|r| r.plain_ticks_secs),
            self.rate(|r| r.plain_ticks_secs),
            self.secs(|r| r.bare_secs),
            self.rate(|r| r.bare_secs),
        );
        println!(
            "  idem/bare {:.2}x (geometric mean over lessons {:.2}x); plain ticks/bare {:.2}x; idemsim takes {:.0} steps per run for {:.0} simulated ms",
            self.ratio(),
            self.geomean(),
            self.plain_ratio(),
            self.rows.iter().map(|r| r.mean_steps).sum::<f64>() / self.rows.len() as f64,
            self.rows.iter().map(|r| r.mean_sim_ms).sum::<f64>() / self.rows.len() as f64,
        );
        let held: u64 = self.rows.iter().map(|r| r.held).sum();
        let held_steps: u64 = self.rows.iter().map(|r| r.held_steps).sum();
        let steps: f64 = self
            .rows
            .iter()
            .map(|r| r.mean_steps * r.seeds as f64)
            .sum();
        let other_runs = self.runs() - held;
        println!(
            "  runs with a held message: {held} of {}, taking {:.0}% of idemsim's steps ({:.0} steps per run, against {:.0} in the other runs)",
            self.runs(),
            100.0 * held_steps as f64 / steps,
            held_steps as f64 / held.max(1) as f64,
            (steps - held_steps as f64) / other_runs.max(1) as f64,
        );
        println!(
            "  cores used us / others {}; load average {} before, {} after",
            cores_text(self.cores),
            self.load_before,
            self.load_after
        );
    }
}

fn lesson_sweep(summary: &mut Summary, per_lesson: u64) {
    let lessons = lesson_files(&[]).len();
    println!(
        "1. lesson sweep: {lessons} lessons x seeds 0..{per_lesson}, one thread; each seed's bare run replays that seed's messages"
    );
    let swarm = LessonSweep::measure(per_lesson, true);
    let own = LessonSweep::measure(per_lesson, false);

    println!("swarm on (each seed picks the fault profile, as idemsim explore does):");
    let rows = &swarm.rows;
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(6).max(6);
    let header = |a: &str,
                  b: &str,
                  c: &str,
                  d: &str,
                  e: &str,
                  f: &str,
                  g: &str,
                  h: &str,
                  i: &str,
                  j: &str| {
        println!(
            "{a:<width$}  {b:>5}  {c:>7}  {d:>6}  {e:>5}  {f:>10}  {g:>10}  {h:>10}  {i:>9}  {j:>10}"
        )
    };
    header(
        "lesson",
        "msgs",
        "sim ms",
        "steps",
        "held",
        "idem sweep",
        "plain tick",
        "bare",
        "idem/bare",
        "plain/bare",
    );
    header(
        "", "mean", "mean", "mean", "runs", "runs/s", "runs/s", "runs/s", "", "",
    );
    let line = "-".repeat(width + 2 + 5 + 2 + 7 + 2 + 6 + 2 + 5 + 3 * 12 + 2 + 9 + 2 + 10);
    println!("{line}");
    for r in rows {
        let limited = if r.limited > 0 {
            format!("  ({} runs stopped at a limit)", r.limited)
        } else {
            String::new()
        };
        println!(
            "{:<width$}  {:>5.1}  {:>7.0}  {:>6.0}  {:>5}  {:>10.1}  {:>10.1}  {:>10.1}  {:>9.2}  {:>10.2}{limited}",
            r.name,
            r.mean_messages,
            r.mean_sim_ms,
            r.mean_steps,
            r.held,
            r.rate(r.sweep_secs),
            r.rate(r.plain_ticks_secs),
            r.rate(r.bare_secs),
            r.bare_secs / r.sweep_secs,
            r.bare_secs / r.plain_ticks_secs,
        );
    }
    println!("{line}");
    swarm.print_totals("all lessons, swarm on");
    own.print_totals("all lessons, swarm off (each lesson's own faults, other seeds)");
    println!(
        "idem sweep: sweep() with jobs 1; bare: each run's traced messages on plain ticks (each the fastest of {LESSON_PASSES} alternating passes); plain tick: the same seeds through run_with(skip_quiet_time: false), one pass."
    );
    println!(
        "held: runs in which the network held a message (a delay fault); steps: turmoil steps per idemsim run."
    );
    println!();
    summary.add(
        "1 lesson sweep, runs/s, one core, swarm on",
        format!("idemsim {:.1}", swarm.rate(|r| r.sweep_secs)),
        format!("bare turmoil {:.1}", swarm.rate(|r| r.bare_secs)),
        swarm.ratio(),
        Target::AtLeast(3.0),
    );
    summary.add(
        "  same, swarm off (lessons' own faults)",
        format!("idemsim {:.1}", own.rate(|r| r.sweep_secs)),
        format!("bare turmoil {:.1}", own.rate(|r| r.bare_secs)),
        own.ratio(),
        Target::AtLeast(3.0),
    );
    summary.add(
        "  context: swarm on, skip_quiet_time off",
        format!("idemsim {:.1}", swarm.rate(|r| r.plain_ticks_secs)),
        format!("bare turmoil {:.1}", swarm.rate(|r| r.bare_secs)),
        swarm.plain_ratio(),
        Target::None,
    );
}

fn measure_lesson(name: String, scenario: &Scenario, count: u64, swarm: bool) -> LessonRow {
    let range = seeds(0, count);
    // The traced runs (also the warm-up): one plan per seed.
    let mut plans = Vec::new();
    let (mut messages, mut sim_ms, mut steps, mut limited) = (0, 0, 0, 0);
    let (mut held, mut held_steps) = (0, 0);
    for seed in range.seeds() {
        let s = scenario_for(scenario, seed, swarm);
        let out = common::traced(&s, Some(seed));
        messages += out.trace.len();
        sim_ms += out.end_ms;
        steps += out.steps;
        if out
            .events
            .iter()
            .any(|e| matches!(e.what, What::Held { .. }))
        {
            held += 1;
            held_steps += out.steps;
        }
        limited += u64::from(out.end != EndReason::Completed);
        plans.push((seed, Rc::new(Plan::from_run(&s, &out))));
    }
    run_bare(&plans[0].1, plans[0].0);

    let mut config = sweep_config(range, 1);
    config.swarm = swarm;
    // The sweep and the bare replay take turns, and each keeps its fastest
    // pass: a pass slowed by another process says nothing about either.
    let (mut sweep_secs, mut bare_secs) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..LESSON_PASSES {
        let (secs, report) = timed(|| sweep(scenario, &config, &mut |_| {}));
        assert_eq!(report.ran, count, "{name}: the sweep ran every seed");
        sweep_secs = sweep_secs.min(secs);
        let (secs, ()) = timed(|| {
            for (seed, plan) in &plans {
                black_box(run_bare(plan, *seed));
            }
        });
        bare_secs = bare_secs.min(secs);
    }
    let (plain_ticks_secs, ()) = timed(|| {
        for seed in range.seeds() {
            let s = scenario_for(scenario, seed, swarm);
            black_box(run_with(
                &s,
                Some(seed),
                Mode::Plain,
                RunOptions {
                    skip_quiet_time: false,
                    ..RunOptions::default()
                },
            ));
        }
    });
    let n = count as f64;
    LessonRow {
        name,
        seeds: count,
        mean_messages: messages as f64 / n,
        mean_sim_ms: sim_ms as f64 / n,
        mean_steps: steps as f64 / n,
        held,
        held_steps,
        limited,
        sweep_secs,
        plain_ticks_secs,
        bare_secs,
    }
}

// ---------------------------------------------------------------------------
// Figure 2: --jobs 2 against --jobs 1.

fn jobs_scaling(summary: &mut Summary, count: u64) {
    let (_, scenario) = lesson(JOBS_LESSON);
    let range = seeds(0, count);
    println!(
        "2. sweep of {JOBS_LESSON}, seeds 0..{count}, swarm on: jobs 2 against jobs 1, {JOBS_REPEATS} times each, alternating"
    );
    let load_before = load_average();
    // Warm-up, and the outcome every sweep must reproduce.
    let expected = outcome(&sweep(&scenario, &sweep_config(range, 2), &mut |_| {}));
    println!(
        "{:>6}  {:>4}  {:>8}  {:>9}  {:>23}  {:>10}  {:>14}",
        "repeat",
        "jobs",
        "wall s",
        "runs/s",
        "cores used: us / others",
        "runs/cpu-s",
        "load average"
    );
    let mut secs: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut per_cpu: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for repeat in 0..JOBS_REPEATS {
        // Alternate which goes first, so a drift in load does not favour one.
        let order: [usize; 2] = if repeat % 2 == 0 { [1, 2] } else { [2, 1] };
        for jobs in order {
            let (s, cores, report) =
                timed_cores(|| sweep(&scenario, &sweep_config(range, jobs), &mut |_| {}));
            assert_eq!(
                outcome(&report),
                expected,
                "a sweep's outcome does not depend on its jobs"
            );
            let cpu_rate = cores.map(|c| count as f64 / (c.ours * s));
            println!(
                "{:>6}  {:>4}  {:>8.3}  {:>9.1}  {:>23}  {:>10}  {:>14}",
                repeat + 1,
                jobs,
                s,
                count as f64 / s,
                cores_text(cores),
                cpu_rate.map_or("n/a".to_string(), |r| format!("{r:.1}")),
                load_average()
            );
            secs[jobs - 1].push(s);
            per_cpu[jobs - 1].extend(cpu_rate);
        }
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let best_ratio = best(&secs[0]) / best(&secs[1]);
    let median_ratio = median(&secs[0]) / median(&secs[1]);
    let paired: Vec<f64> = secs[0].iter().zip(&secs[1]).map(|(a, b)| a / b).collect();
    println!(
        "throughput jobs 2 / jobs 1: best {best_ratio:.2}x (best {:.3} s vs {:.3} s), median {median_ratio:.2}x (median {:.3} s vs {:.3} s), per repeat {}",
        best(&secs[0]),
        best(&secs[1]),
        median(&secs[0]),
        median(&secs[1]),
        paired
            .iter()
            .map(|r| format!("{r:.2}x"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    if !per_cpu[0].is_empty() && !per_cpu[1].is_empty() {
        println!(
            "runs per CPU-second (median): jobs 1 {:.1}, jobs 2 {:.1} ({:.2}x): the work per run does not grow with the jobs when this is near 1",
            median(&per_cpu[0]),
            median(&per_cpu[1]),
            median(&per_cpu[1]) / median(&per_cpu[0])
        );
    }
    println!(
        "sweep outcome, identical in every sweep: {} seeds ran, {} failing; load average {load_before} before, {} after",
        expected.0,
        expected.1,
        load_average()
    );
    println!(
        "cores used: this process's CPU time / wall time, and the rest of the machine's busy time (from /proc) over the same span; runs/cpu-s: runs per second of this process's CPU time."
    );
    println!();
    summary.add(
        "2 sweep throughput, jobs 2 / jobs 1, best of 3",
        format!("{:.1} runs/s", count as f64 / best(&secs[1])),
        format!("{:.1} runs/s", count as f64 / best(&secs[0])),
        best_ratio,
        Target::AtLeast(1.8),
    );
    summary.add(
        "  median of 3",
        format!("{:.1} runs/s", count as f64 / median(&secs[1])),
        format!("{:.1} runs/s", count as f64 / median(&secs[0])),
        median_ratio,
        Target::AtLeast(1.8),
    );
}

/// What a sweep found, to compare sweeps.
fn outcome(report: &SweepReport) -> (u64, u64, Vec<u64>) {
    (
        report.ran,
        report.failures_total,
        report.failures.iter().map(|f| f.seed).collect(),
    )
}

// ---------------------------------------------------------------------------
// Figure 3: the quiet-time pair.

/// The atomic design with a key TTL of `ttl_ms`, and a scenario whose client
/// loses a response and retries `retry_after_ms` later.
fn long_wait(dir: &Path, ttl_ms: u64, retry_after_ms: u64) -> Scenario {
    let design =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/atomic.toml"))
            .expect("designs/atomic.toml is readable");
    let needle = "ttl_ms = 86_400_000";
    assert!(design.contains(needle), "designs/atomic.toml sets {needle}");
    let design = design.replace(needle, &format!("ttl_ms = {ttl_ms}"));
    std::fs::write(dir.join(format!("ttl-{ttl_ms}.toml")), design).expect("temp dir is writable");
    let text = format!(
        r#"name = "long wait"
design = "ttl-{ttl_ms}.toml"
accounts = {{ alice = 10000, bob = 0 }}
[retry]
max_attempts = 2
timeout_ms = 200
backoff_initial_ms = {retry_after_ms}
backoff_max_ms = {retry_after_ms}
jitter = "none"
attempts_after_heal = 0
[faults]
heal_at_ms = {retry_after_ms}
[limits]
max_sim_ms = 172800000
[[client]]
transfers = [{{ from = "alice", to = "bob", amount = 5 }}]
[[fault]]
kind = "drop-response"
transfer = "t1"
[expect]
violations = ["double-apply", "inconsistent-replay"]
"#
    );
    let path = dir.join(format!("wait-{retry_after_ms}.toml"));
    std::fs::write(&path, text).expect("temp dir is writable");
    idemsim::Loader::new()
        .load(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .scenario
}

fn quiet_time(summary: &mut Summary, per_round: u64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let day = long_wait(dir.path(), 86_400_000, 90_000_000);
    let second = long_wait(dir.path(), 1_000, 1_500);
    println!(
        "3. quiet time: 24 h TTL, retry after 25 h, against 1 s TTL, retry after 1.5 s; {QUIET_ROUNDS} rounds of {per_round} runs each, interleaved"
    );
    let pair = [
        ("24 h TTL, retry after 25 h", &day),
        ("1 s TTL, retry after 1.5 s", &second),
    ];
    for (label, s) in pair {
        let run = run_scenario(s, None);
        println!(
            "  {label}: {} simulated ms, {} skipped, {} steps, found [{}], expectation {}",
            run.output.end_ms,
            run.output.skipped_ms,
            run.output.steps,
            run.verdict
                .found
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", "),
            if run.verdict.met { "met" } else { "NOT met" }
        );
    }
    let load_before = load_average();
    let mut per_run: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..QUIET_ROUNDS {
        let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let s = pair[which].1;
            let (secs, ()) = timed(|| {
                for _ in 0..per_round {
                    black_box(run_scenario(s, None));
                }
            });
            per_run[which].push(secs / per_round as f64);
        }
    }
    let ratios: Vec<f64> = per_run[0]
        .iter()
        .zip(&per_run[1])
        .map(|(a, b)| a / b)
        .collect();
    let median_ratio = median(&ratios);
    let mean_day = mean(&per_run[0]);
    let mean_second = mean(&per_run[1]);
    println!(
        "  wall per run: 25 h wait {:.1} us (median of rounds {:.1} us), 1.5 s wait {:.1} us (median {:.1} us)",
        mean_day * 1e6,
        median(&per_run[0]) * 1e6,
        mean_second * 1e6,
        median(&per_run[1]) * 1e6
    );
    println!(
        "  ratio 25 h / 1.5 s: per round {}; median {median_ratio:.3}x, of means {:.3}x; load average {load_before} before, {} after",
        ratios
            .iter()
            .map(|r| format!("{r:.3}"))
            .collect::<Vec<_>>()
            .join(" "),
        mean_day / mean_second,
        load_average()
    );
    println!();
    summary.add(
        "3 quiet time: wall per run, 25 h / 1.5 s",
        format!("{:.1} us", median(&per_run[0]) * 1e6),
        format!("{:.1} us", median(&per_run[1]) * 1e6),
        median_ratio,
        Target::AtMost(1.2),
    );
}

// ---------------------------------------------------------------------------
// Figure 4: time to the first counterexample.

/// One search's result: runs until the first violation (the run that found
/// it included), or `None` when the cap came first.
struct Search {
    runs: Option<u64>,
    secs: f64,
}

struct SearchStats {
    label: String,
    searches: Vec<Search>,
}

impl SearchStats {
    /// Counts, with a search that gave up counted at the cap (a lower bound).
    fn counts(&self, cap: u64) -> Vec<f64> {
        self.searches
            .iter()
            .map(|s| s.runs.unwrap_or(cap) as f64)
            .collect()
    }

    fn given_up(&self) -> usize {
        self.searches.iter().filter(|s| s.runs.is_none()).count()
    }

    fn mean_secs(&self) -> f64 {
        mean(&self.searches.iter().map(|s| s.secs).collect::<Vec<_>>())
    }
}

/// Seeds from `start` upward until `make(seed)` run with `seed` shows a violation.
fn seeds_until_violation(start: u64, cap: u64, make: impl Fn(u64) -> Scenario) -> Search {
    let begin = Instant::now();
    for n in 1..=cap {
        let seed = start + n - 1;
        let run = run_scenario(&make(seed), Some(seed));
        if !run.verdict.found.is_empty() {
            return Search {
                runs: Some(n),
                secs: begin.elapsed().as_secs_f64(),
            };
        }
    }
    Search {
        runs: None,
        secs: begin.elapsed().as_secs_f64(),
    }
}

fn describe_schedule(scenario: &Scenario, faults: &[Fault]) -> String {
    if faults.is_empty() {
        "no fault".to_string()
    } else {
        faults
            .iter()
            .map(|f| idemsim::inline_fault(&f.to_spec(scenario)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every index set of size `size` from `0..n`, lexicographic (the engine's order).
fn combinations(n: usize, size: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, n: usize, size: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == size {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            go(i + 1, n, size, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(0, n, size, &mut Vec::new(), &mut out);
    out
}

/// The exhaustive search's order up to `max_faults`, run until the first
/// schedule that shows a violation: (schedules run, that schedule, seconds).
fn exhaustive_until_violation(
    scenario: &Scenario,
    max_faults: usize,
) -> (u64, Option<Vec<Fault>>, f64) {
    let begin = Instant::now();
    let base = exhaustive::base(scenario);
    let pool = exhaustive::candidates(&base, max_faults);
    let mut runs = 0;
    for size in 0..=max_faults {
        for indices in combinations(pool.len(), size) {
            runs += 1;
            let mut s = base.clone();
            s.faults = indices
                .iter()
                .map(|&i| pool[i].clone())
                .collect::<Vec<_>>()
                .into();
            if !run_scenario(&s, None).verdict.found.is_empty() {
                return (runs, Some(s.faults.to_vec()), begin.elapsed().as_secs_f64());
            }
        }
    }
    (runs, None, begin.elapsed().as_secs_f64())
}

fn first_counterexample(summary: &mut Summary, scale: f64) {
    let (_, lesson) = lesson(COUNTEREXAMPLE_LESSON);
    let mut base = lesson.clone();
    base.faults = Vec::new().into();
    let searches = scaled(SEARCHES, scale);
    println!(
        "4. first counterexample: {COUNTEREXAMPLE_LESSON} without its targeted fault; {searches} searches from seeds 0, {SEARCH_SPACING}, {}, ..., at most {SEARCH_CAP} seeds each",
        2 * SEARCH_SPACING
    );
    let load_before = load_average();
    // Without faults the design must hold, or the counts below mean nothing.
    let clean = (0..20)
        .filter(|&seed| !run_scenario(&base, Some(seed)).verdict.found.is_empty())
        .count();
    println!("  without any fault: {clean} of 20 seeds show a violation (must be 0)");
    assert_eq!(clean, 0, "the faultless classic scenario holds");

    let uniform = |n: u32, d: u32| {
        let mut s = exhaustive::base(&base);
        s.network.loss = Ratio::new(n, d).expect("a valid ratio");
        s
    };
    let uniform_100 = uniform(1, 100);
    let uniform_20 = uniform(1, 20);
    let starts: Vec<u64> = (0..searches).map(|i| i * SEARCH_SPACING).collect();
    let run_searches = |label: &str, make: &dyn Fn(u64) -> Scenario| SearchStats {
        label: label.to_string(),
        searches: starts
            .iter()
            .map(|&start| seeds_until_violation(start, SEARCH_CAP, make))
            .collect(),
    };
    let swarm = run_searches("(a) swarm, seeds", &|seed| {
        Profile::from_seed(seed).apply(&base)
    });
    let loss_100 = run_searches("(c) uniform loss 1/100, seeds", &|_| uniform_100.clone());
    let loss_20 = run_searches("(c) uniform loss 1/20, seeds", &|_| uniform_20.clone());

    // (b): deterministic; K = 1 first, as smallest schedules come first anyway.
    let mut exhaustive_result = None;
    for k in 1..=2 {
        let (runs, schedule, secs) = exhaustive_until_violation(&base, k);
        if let Some(schedule) = schedule {
            exhaustive_result = Some((k, runs, schedule, secs));
            break;
        }
    }
    let plan = exhaustive::plan(&base, 1, exhaustive::Budget::most())
        .expect("a K = 1 search is in bounds");
    let check = exhaustive::search(&base, plan, 1, &mut |_| {});

    println!(
        "  {:<32}  {:>8}  {:>8}  {:>6}  {:>6}  {:>8}  {:>14}",
        "search", "mean", "median", "min", "max", "gave up", "ms per search"
    );
    let print_stats = |stats: &SearchStats| {
        let counts = stats.counts(SEARCH_CAP);
        println!(
            "  {:<32}  {:>8.1}  {:>8.1}  {:>6.0}  {:>6.0}  {:>8}  {:>14.1}",
            stats.label,
            mean(&counts),
            median(&counts),
            counts.iter().copied().fold(f64::INFINITY, f64::min),
            counts.iter().copied().fold(0.0, f64::max),
            stats.given_up(),
            stats.mean_secs() * 1e3
        );
    };
    print_stats(&swarm);
    match &exhaustive_result {
        Some((k, runs, _, secs)) => println!(
            "  {:<32}  {:>8}  {:>8}  {:>6}  {:>6}  {:>8}  {:>14.1}",
            format!("(b) exhaustive K = {k}, schedules"),
            runs,
            runs,
            runs,
            runs,
            0,
            secs * 1e3
        ),
        None => println!("  (b) exhaustive: no schedule of up to 2 faults shows a violation"),
    }
    print_stats(&loss_100);
    print_stats(&loss_20);
    if let Some((_, runs, schedule, _)) = &exhaustive_result {
        let earliest = check
            .first
            .values()
            .map(|faults| position(&base, 1, faults))
            .min()
            .flatten();
        println!(
            "  (b) first counterexample: {} (schedule {runs} of {} with K = 1); exhaustive::search with K = 1 puts its earliest first-violation schedule at {}: {}",
            describe_schedule(&base, schedule),
            check.explored,
            earliest.map_or("none".to_string(), |p| p.to_string()),
            if earliest == Some(*runs) {
                "agrees"
            } else {
                "DISAGREES"
            }
        );
    }
    println!(
        "  counts include the run that found the violation; a search that gave up counts as {SEARCH_CAP} (a lower bound). Load average {load_before} before, {} after",
        load_average()
    );
    println!();

    let stats = |st: &SearchStats| {
        let counts = st.counts(SEARCH_CAP);
        (mean(&counts), median(&counts))
    };
    let (c_mean, c_median) = stats(&loss_100);
    let (a_mean, a_median) = stats(&swarm);
    let (c20_mean, c20_median) = stats(&loss_20);
    let against = format!("1/100 loss: {c_mean:.1} (median {c_median:.1})");
    summary.add(
        "4a seeds to a counterexample: swarm, mean",
        format!("{a_mean:.1} (median {a_median:.1})"),
        against.clone(),
        a_mean / c_mean,
        Target::Below(1.0),
    );
    match &exhaustive_result {
        Some((k, runs, _, _)) => summary.add(
            &format!("4b schedules, exhaustive K = {k}"),
            format!("{runs} schedules"),
            against.clone(),
            *runs as f64 / c_mean,
            Target::Below(1.0),
        ),
        None => summary.add(
            "4b schedules, exhaustive",
            "none found".to_string(),
            against.clone(),
            f64::INFINITY,
            Target::Below(1.0),
        ),
    }
    summary.add(
        "  context: uniform loss 1/20, mean",
        format!("{c20_mean:.1} (median {c20_median:.1})"),
        against,
        c20_mean / c_mean,
        Target::None,
    );
    let ms_against = format!("1/100 loss: {:.1} ms", loss_100.mean_secs() * 1e3);
    summary.add(
        "  context: wall ms to a counterexample, swarm",
        format!("{:.1} ms", swarm.mean_secs() * 1e3),
        ms_against.clone(),
        swarm.mean_secs() / loss_100.mean_secs(),
        Target::None,
    );
    if let Some((_, _, _, secs)) = &exhaustive_result {
        summary.add(
            "  context: wall ms to a counterexample, exhaustive",
            format!("{:.1} ms", secs * 1e3),
            ms_against,
            secs / loss_100.mean_secs(),
            Target::None,
        );
    }
}

/// Where `faults` comes in the exhaustive order up to `max_faults` (1-based).
fn position(scenario: &Scenario, max_faults: usize, faults: &[Fault]) -> Option<u64> {
    let pool = exhaustive::candidates(&exhaustive::base(scenario), max_faults);
    let mut n = 0;
    for size in 0..=max_faults {
        for indices in combinations(pool.len(), size) {
            n += 1;
            if indices.len() == faults.len()
                && indices.iter().zip(faults).all(|(&i, f)| pool[i] == *f)
            {
                return Some(n);
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Figure 5: exhaustive search, K = 2.

fn exhaustive_k2(summary: &mut Summary) {
    let (_, scenario) = lesson(EXHAUSTIVE_LESSON);
    println!("5. exhaustive search of {EXHAUSTIVE_LESSON}, K = {EXHAUSTIVE_K}");
    let mut results = Vec::new();
    for jobs in [1, 2] {
        let (secs, cores, report) = timed_cores(|| {
            let plan = exhaustive::plan(&scenario, EXHAUSTIVE_K, exhaustive::Budget::most())
                .expect("the search is within bounds");
            exhaustive::search(&scenario, plan, jobs, &mut |_| {})
        });
        println!(
            "  jobs {jobs}: {} candidates, {} schedules explored in {secs:.2} s = {:.1} schedules/s ({} per CPU-second); violations found: {}; cores used us / others {}; load average {}",
            report.candidates,
            report.explored,
            report.explored as f64 / secs,
            cores.map_or("n/a".to_string(), |c| format!(
                "{:.1}",
                report.explored as f64 / (c.ours * secs)
            )),
            if report.first.is_empty() {
                "none".to_string()
            } else {
                report
                    .first
                    .keys()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            cores_text(cores),
            load_average()
        );
        results.push((jobs, secs, report));
    }
    assert_eq!(
        results[0].2.explored, results[1].2.explored,
        "the same schedules whatever the jobs"
    );
    println!();
    for (jobs, secs, report) in &results {
        summary.add(
            &format!("5 exhaustive K = 2, 1-request-lost-atomic, jobs {jobs}"),
            format!("{} schedules", report.explored),
            format!("{secs:.2} s"),
            report.explored as f64 / secs,
            Target::Info("schedules/s"),
        );
    }
}

// ---------------------------------------------------------------------------
// The closing table.

enum Target {
    AtLeast(f64),
    AtMost(f64),
    Below(f64),
    /// Context, no target.
    None,
    /// The value column is a rate with this unit, not a ratio.
    Info(&'static str),
}

struct Line {
    figure: String,
    measured: String,
    against: String,
    value: f64,
    target: Target,
}

#[derive(Default)]
struct Summary {
    lines: Vec<Line>,
}

impl Summary {
    fn add(&mut self, figure: &str, measured: String, against: String, value: f64, target: Target) {
        self.lines.push(Line {
            figure: figure.to_string(),
            measured,
            against,
            value,
            target,
        });
    }

    fn print(&self, total_secs: f64) {
        println!("summary");
        println!("{}", machine_line());
        println!("load average at the end: {}", load_average());
        let w = [
            self.lines.iter().map(|l| l.figure.len()).max().unwrap_or(0),
            self.lines
                .iter()
                .map(|l| l.measured.len())
                .max()
                .unwrap_or(0)
                .max(8),
            self.lines
                .iter()
                .map(|l| l.against.len())
                .max()
                .unwrap_or(0)
                .max(7),
        ];
        let header = format!(
            "{:<a$}  {:<b$}  {:<c$}  {:>14}  {:>8}  {}",
            "figure",
            "measured",
            "against",
            "value",
            "target",
            "result",
            a = w[0],
            b = w[1],
            c = w[2]
        );
        println!("{header}");
        println!("{}", "-".repeat(header.len() + 6));
        for l in &self.lines {
            let (value, target, result) = match l.target {
                Target::AtLeast(t) => (
                    format!("{:.2}x", l.value),
                    format!(">= {t}x"),
                    met(l.value >= t),
                ),
                Target::AtMost(t) => (
                    format!("{:.3}x", l.value),
                    format!("<= {t}x"),
                    met(l.value <= t),
                ),
                Target::Below(t) => (
                    format!("{:.3}x", l.value),
                    format!("< {t}x"),
                    met(l.value < t),
                ),
                Target::None => (format!("{:.2}x", l.value), "-".to_string(), "context"),
                Target::Info(unit) => (format!("{:.1} {unit}", l.value), "-".to_string(), "-"),
            };
            println!(
                "{:<a$}  {:<b$}  {:<c$}  {:>14}  {:>8}  {}",
                l.figure,
                l.measured,
                l.against,
                value,
                target,
                result,
                a = w[0],
                b = w[1],
                c = w[2]
            );
        }
        println!(
            "value: measured over against (1, 2: a throughput ratio; 3: a wall-time ratio; 4: a count ratio; 5: schedules per second)."
        );
        println!("whole bench: {total_secs:.1} s");
    }
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}
