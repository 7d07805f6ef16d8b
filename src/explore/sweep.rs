//! Seed sweeps: every seed of a range runs the scenario with random faults.
//!
//! Seeds run on `jobs` threads, one simulation per thread at a time. Results
//! never depend on thread timing: counts are sums, failures are kept sorted by
//! seed (the lowest first), and only a bounded number of them is kept, so a
//! sweep of millions of seeds runs in bounded memory.

use super::reach::{ReachCounts, phases};
use super::swarm::Profile;
use crate::check::Violation;
use crate::history::Event;
use crate::limits;
use crate::run::run_scenario;
use crate::scenario::{Scenario, ViolationKind};
use crate::suite::SeedRange;
use crate::world::EndReason;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// Which share of a seed range this process runs (1-based `M` of `N`), the
/// way nextest splits tests across CI jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Partition {
    /// Every `N`th seed of the range, starting with the `M`th.
    Slice { m: u64, n: u64 },
    /// Seeds whose hash is `M - 1` modulo `N`: an even spread that does not
    /// depend on where the range starts.
    Hash { m: u64, n: u64 },
}

impl Partition {
    pub fn parse(text: &str) -> Result<Partition, String> {
        let expected = "expected slice:M/N or hash:M/N with 1 <= M <= N, such as slice:1/4";
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not a partition; {expected}"))?;
        let (m, n) = rest
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a partition; {expected}"))?;
        let m: u64 = m
            .parse()
            .map_err(|_| format!("`{m}` is not a number; {expected}"))?;
        let n: u64 = n
            .parse()
            .map_err(|_| format!("`{n}` is not a number; {expected}"))?;
        if m == 0 || n == 0 || m > n {
            return Err(format!("`{text}` is out of range; {expected}"));
        }
        match kind {
            "slice" => Ok(Partition::Slice { m, n }),
            "hash" => Ok(Partition::Hash { m, n }),
            _ => Err(format!("unknown partition kind `{kind}`; {expected}")),
        }
    }

    /// Whether the seed at `index` within the range (value `seed`) is ours.
    pub fn includes(&self, index: u64, seed: u64) -> bool {
        match *self {
            Partition::Slice { m, n } => index % n == m - 1,
            Partition::Hash { m, n } => splitmix(seed) % n == m - 1,
        }
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Partition::Slice { m, n } => write!(f, "slice:{m}/{n}"),
            Partition::Hash { m, n } => write!(f, "hash:{m}/{n}"),
        }
    }
}

/// A fixed, well-mixing hash of a seed (SplitMix64's finaliser).
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

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
}

/// What one seed came to.
#[derive(Debug, Clone, Serialize)]
pub struct SeedOutcome {
    pub seed: u64,
    pub profile: Profile,
    pub found: Vec<ViolationKind>,
    pub violations: Vec<Violation>,
    pub end: EndReason,
    /// When the seed ran twice and the histories differed: where.
    pub nondeterminism: Option<String>,
}

impl SeedOutcome {
    pub fn failed(&self) -> bool {
        !self.found.is_empty() || self.end != EndReason::Completed || self.nondeterminism.is_some()
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
}

/// The scenario seed `seed` runs under `config`.
pub fn scenario_for(scenario: &Scenario, seed: u64, swarm: bool) -> Scenario {
    if swarm {
        Profile::from_seed(seed).apply(scenario)
    } else {
        scenario.clone()
    }
}

/// Runs one seed (twice when checking determinism).
pub fn run_seed(
    scenario: &Scenario,
    seed: u64,
    swarm: bool,
    check_determinism: bool,
) -> (SeedOutcome, ReachCounts) {
    let s = scenario_for(scenario, seed, swarm);
    let run = run_scenario(&s, Some(seed));
    let nondeterminism = check_determinism
        .then(|| {
            first_difference(
                &run.output.events,
                &run_scenario(&s, Some(seed)).output.events,
            )
        })
        .flatten();
    let mut reach = ReachCounts::default();
    reach.add(&phases(&run.output.events));
    let outcome = SeedOutcome {
        seed,
        profile: Profile::of(&s),
        found: run.verdict.found,
        violations: run.verdict.violations,
        end: run.output.end,
        nondeterminism,
    };
    (outcome, reach)
}

/// Where two histories of the same seed part, described for a person.
pub fn first_difference(a: &[Event], b: &[Event]) -> Option<String> {
    let index = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    let show = |e: Option<&Event>| match e {
        Some(e) => serde_json::to_string(e).unwrap_or_default(),
        None => "(no event)".to_string(),
    };
    Some(format!(
        "event {index} differs: first run {}, second run {}",
        show(a.get(index)),
        show(b.get(index))
    ))
}

/// Sweeps the seed range. `progress` is called from the calling thread with
/// the number of seeds done.
pub fn sweep(
    scenario: &Scenario,
    config: &SweepConfig,
    progress: &mut dyn FnMut(u64),
) -> SweepReport {
    let range = &config.seeds;
    let ours = |index: u64| {
        config
            .partition
            .is_none_or(|p| p.includes(index, range.start + index))
    };
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
                    if index >= range.len() {
                        break;
                    }
                    if !ours(index) {
                        continue;
                    }
                    let result = run_seed(
                        scenario,
                        range.start + index,
                        config.swarm,
                        config.check_determinism,
                    );
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
    failures.insert(at, outcome);
    failures.truncate(limits::MAX_REPORTED_FAILURES);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_split_a_range_exactly() {
        for text in ["slice:1/3", "slice:2/3", "slice:3/3"] {
            assert!(Partition::parse(text).is_ok());
        }
        for kind in ["slice", "hash"] {
            let parts: Vec<Partition> = (1..=4)
                .map(|m| Partition::parse(&format!("{kind}:{m}/4")).unwrap())
                .collect();
            for index in 0..1000u64 {
                let owners = parts
                    .iter()
                    .filter(|p| p.includes(index, 500 + index))
                    .count();
                assert_eq!(owners, 1, "{kind} index {index}");
            }
        }
        assert!(Partition::parse("slice:0/4").is_err());
        assert!(Partition::parse("slice:5/4").is_err());
        assert!(Partition::parse("round:1/2").is_err());
        assert!(Partition::parse("slice:1").is_err());
    }

    #[test]
    fn first_difference_names_the_event() {
        use crate::history::{Event, What};
        let event = |at_ms| Event {
            at_ms,
            host: "network".into(),
            what: What::Healed,
        };
        let a = vec![event(1), event(2)];
        let b = vec![event(1), event(3)];
        let text = first_difference(&a, &b).unwrap();
        assert!(text.starts_with("event 1 differs"), "{text}");
        assert!(
            text.contains("\"at_ms\":2") && text.contains("\"at_ms\":3"),
            "{text}"
        );
        assert_eq!(first_difference(&a, &a), None);
        assert!(
            first_difference(&a, &a[..1])
                .unwrap()
                .contains("(no event)")
        );
    }
}
