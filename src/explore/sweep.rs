//! Seed sweeps: every seed of a range runs the scenario with random faults.
//!
//! Seeds run on `jobs` threads, one simulation per thread at a time. Results
//! never depend on thread timing: counts are sums, failures are kept sorted by
//! seed (the lowest first), and only a bounded number of them is kept, so a
//! sweep of millions of seeds runs in bounded memory.

use super::swarm::{Profile, scenario_for};
use crate::check::{OutcomeCounts, Violation, ViolationKind};
use crate::history::Event;
use crate::limits;
use crate::reach::{ReachCounts, phases};
use crate::run::{Mode, run_with};
use crate::scenario::Scenario;
use crate::seeds::{Partition, SeedRange};
use crate::world::{EndReason, RunOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// How to sweep.
#[derive(Debug, Clone)]
pub struct SweepConfig {
    pub seeds: SeedRange,
    pub jobs: usize,
    pub partition: Option<Partition>,
    /// Let each seed pick the fault profile (swarm); off: the scenario's own rates.
    pub swarm: bool,
    /// Run each seed twice and compare the histories.
    pub check_determinism: bool,
    /// Run each seed again without skipping quiet time and compare the
    /// histories: skipping must never change what happens.
    pub check_quiet_time: bool,
    /// How each run is driven.
    pub options: RunOptions,
}

impl SweepConfig {
    /// A swarm over `seeds` on `jobs` threads, each run driven as usual and
    /// checked once: what most sweeps ask. Other sweeps change a field of it.
    pub fn swarm(seeds: SeedRange, jobs: usize) -> SweepConfig {
        SweepConfig {
            seeds,
            jobs,
            partition: None,
            swarm: true,
            check_determinism: false,
            check_quiet_time: false,
            options: RunOptions::default(),
        }
    }

    /// How each seed's scenario is made, for its replay command.
    pub fn mode(&self) -> Mode {
        if self.swarm { Mode::Swarm } else { Mode::Plain }
    }
}

/// What one seed came to.
#[derive(Debug, Clone, Serialize)]
pub struct SeedOutcome {
    pub seed: u64,
    pub profile: Profile,
    pub found: Vec<ViolationKind>,
    pub violations: Vec<Violation>,
    pub outcomes: OutcomeCounts,
    /// The transfers' last answers, counted.
    pub last_answers: crate::check::LastAnswers,
    pub end: EndReason,
    /// When the seed ran twice and the histories differed: where.
    pub nondeterminism: Option<Difference>,
    /// When the seed ran again on every tick and the histories differed: where.
    pub skip_changed: Option<Difference>,
}

/// The first event where two runs of one seed differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub index: usize,
    pub first: Option<Event>,
    pub second: Option<Event>,
}

impl SeedOutcome {
    pub fn failed(&self) -> bool {
        !self.found.is_empty()
            || self.end != EndReason::Completed
            || self.nondeterminism.is_some()
            || self.skip_changed.is_some()
    }
}

/// A whole sweep.
#[derive(Debug, Clone, Default)]
pub struct SweepReport {
    pub ran: u64,
    /// Seeds of the range that belong to other partitions.
    pub skipped: u64,
    /// The failing seeds, lowest first, at most [`limits::MAX_REPORTED_FAILURES`].
    pub failures: Vec<SeedOutcome>,
    pub failures_total: u64,
    /// How many runs showed each violation.
    pub violation_counts: BTreeMap<ViolationKind, u64>,
    pub reach: ReachCounts,
    /// Runs in which some transfer succeeded.
    pub succeeded_runs: u64,
    /// The transfers' last answers over every run, counted.
    pub last_answers: crate::check::LastAnswers,
}

impl SweepReport {
    /// A sweep in which no transfer succeeded on any seed, of a scenario that
    /// does not say none should (`[expect] succeeded = 0`): it shows nothing
    /// about exactly-once, so it fails.
    pub fn shows_nothing(&self, scenario: &Scenario) -> bool {
        self.ran > 0 && self.succeeded_runs == 0 && scenario.expect.succeeded != Some(0)
    }
}

/// Runs one seed (twice when checking determinism).
pub fn run_seed(
    scenario: &Scenario,
    seed: u64,
    config: &SweepConfig,
) -> (SeedOutcome, ReachCounts) {
    let s = scenario_for(scenario, seed, config.swarm);
    let mode = config.mode();
    let run = run_with(&s, Some(seed), mode, config.options);
    let nondeterminism = config
        .check_determinism
        .then(|| {
            first_difference(
                &run.output.events,
                &run_with(&s, Some(seed), mode, config.options).output.events,
            )
        })
        .flatten();
    let skip_changed = config
        .check_quiet_time
        .then(|| quiet_time_difference(&s, seed, mode, config.options, &run))
        .flatten();
    let mut reach = ReachCounts::default();
    reach.add(&phases(&run.output.events));
    let outcome = SeedOutcome {
        seed,
        profile: Profile::of(&s),
        found: run.verdict.found,
        violations: run.verdict.violations,
        outcomes: run.verdict.outcomes,
        last_answers: run.verdict.last_answers,
        end: run.output.end,
        nondeterminism,
        skip_changed,
    };
    (outcome, reach)
}

/// Where the seed's history skipping quiet time and its history on every
/// tick part. For a service, the skipping run compared skips whole cycles of
/// tokio's scheduler, the only skips after which its run queues are picked
/// as on every tick (see [`RunOptions::whole_scheduler_cycles`]); for a
/// design it is `run`.
fn quiet_time_difference(
    scenario: &Scenario,
    seed: u64,
    mode: crate::Mode,
    options: RunOptions,
    run: &crate::Run,
) -> Option<Difference> {
    let every_tick = RunOptions {
        skip_quiet_time: false,
        ..options
    };
    let ticking = run_with(scenario, Some(seed), mode, every_tick);
    if scenario.api.service().is_none() || !options.skip_quiet_time {
        return first_difference(&run.output.events, &ticking.output.events);
    }
    let whole_cycles = RunOptions {
        whole_scheduler_cycles: true,
        ..options
    };
    let skipping = run_with(scenario, Some(seed), mode, whole_cycles);
    first_difference(&skipping.output.events, &ticking.output.events)
}

/// Where two histories of the same seed part.
pub fn first_difference(a: &[Event], b: &[Event]) -> Option<Difference> {
    let index = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    Some(Difference {
        index,
        first: a.get(index).cloned(),
        second: b.get(index).cloned(),
    })
}

/// Sweeps the seed range. `progress` is called from the calling thread with
/// the number of seeds done.
pub fn sweep(
    scenario: &Scenario,
    config: &SweepConfig,
    progress: &mut dyn FnMut(u64),
) -> SweepReport {
    let range = &config.seeds;
    let ours = |index: u64, seed: u64| config.partition.is_none_or(|p| p.includes(index, seed));
    let next_index = AtomicU64::new(0);
    let jobs = config.jobs.clamp(1, limits::MAX_JOBS);
    let mut report = SweepReport::default();
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<(SeedOutcome, ReachCounts)>(4 * jobs);
        for _ in 0..jobs {
            let sender = sender.clone();
            let next_index = &next_index;
            let ours = &ours;
            scope.spawn(move || {
                loop {
                    let index = next_index.fetch_add(1, Ordering::Relaxed);
                    // `nth` ends the range without adding past `u64::MAX`.
                    let Some(seed) = range.nth(index) else {
                        break;
                    };
                    if !ours(index, seed) {
                        continue;
                    }
                    let result = run_seed(scenario, seed, config);
                    if sender.send(result).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (outcome, reach) in receiver {
            report.ran += 1;
            report.reach.merge(&reach);
            if outcome.outcomes.succeeded > 0 {
                report.succeeded_runs += 1;
            }
            report.last_answers.merge(&outcome.last_answers);
            for kind in &outcome.found {
                *report.violation_counts.entry(*kind).or_insert(0) += 1;
            }
            if outcome.failed() {
                report.failures_total += 1;
                keep_lowest(&mut report.failures, outcome);
            }
            progress(report.ran);
        }
    });
    report.skipped = range.len() - report.ran;
    report
}

/// Keeps the failing seeds sorted and bounded: the lowest seeds win.
fn keep_lowest(failures: &mut Vec<SeedOutcome>, outcome: SeedOutcome) {
    let at = failures.partition_point(|f| f.seed < outcome.seed);
    if at >= limits::MAX_REPORTED_FAILURES {
        return;
    }
    failures.insert(at, outcome);
    failures.truncate(limits::MAX_REPORTED_FAILURES);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, Host, What};

    #[test]
    fn first_difference_names_the_event() {
        let event = |at_ms| Event {
            at_ms,
            host: Host::Network,
            what: What::Healed,
        };
        let a = vec![event(1), event(2)];
        let b = vec![event(1), event(3)];
        let d = first_difference(&a, &b).unwrap();
        assert_eq!(d.index, 1);
        assert_eq!(d.first, Some(event(2)));
        assert_eq!(first_difference(&a, &a), None);
        assert_eq!(first_difference(&a, &a[..1]).unwrap().second, None);
    }
}
