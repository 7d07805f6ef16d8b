//! Exhaustive search: every placement of up to K targeted faults over the
//! scenario's fault points, smallest schedules first, so that the first
//! schedule found for a violation is a smallest one.
//!
//! Fault points: for every transfer and each of its first K+1 attempts (each
//! fault causes at most one more attempt), every fault that each kind places
//! on an attempt (see `fault`): every message dropped, duplicated, or
//! delayed past the client's timeout and past the API's longest expiry (key
//! TTL, lock); the API stalled at every site for as long; the API, the key
//! store and the ledger crashed at every site; the key's records expired as
//! the attempt is sent; the client restarted after it. Once per search, each
//! store unreachable for two client timeouts and for the whole fault window.
//! The scenario's own targeted and random faults are set aside; the seed is
//! the scenario's. The number of schedules is known before the search
//! starts, and a search larger than its budget (`--max-schedules`) is
//! refused.
//!
//! So is its time: a run without faults is measured first (its host steps
//! and network work, which every schedule's run spends at least), and a
//! search whose schedules would spend more than `--max-seconds` at that
//! price is refused before it starts. Runs with faults cost more (retries,
//! held messages, stalls), so the search also counts what each run really
//! spent and stops, saying so, when the budget is gone. Both are priced in
//! deterministic work ([`super::cost`]), never wall time, so the same search
//! is refused or stops at the same schedule on every machine, with any
//! number of jobs.

use super::cost::Work;
use super::swarm::Profile;
use super::workers::parallel_map;
use crate::check::ViolationKind;
use crate::fault::{Fault, FaultKind, Places, Target};
use crate::history::What;
use crate::limits;
use crate::run::{Mode, run_with};
use crate::scenario::Scenario;
use crate::vocab::wire::{Call, Point, ServiceCall};
use crate::world::RunOptions;
use std::collections::BTreeMap;

/// The result of a search.
#[derive(Debug, Clone)]
pub struct ExhaustiveReport {
    pub candidates: usize,
    pub max_faults: usize,
    pub explored: u64,
    /// The schedules the plan held: `explored` unless the search stopped.
    pub planned: u64,
    /// What the runs spent.
    pub spent: Work,
    /// The time budget, in estimated seconds (see [`super::cost`]).
    pub max_seconds: u64,
    /// Whether the search stopped at its time budget before every planned
    /// schedule ran.
    pub stopped: bool,
    /// For each violation, the first (smallest) schedule that showed it.
    pub first: BTreeMap<ViolationKind, Vec<Fault>>,
    /// For each violation, how many schedules showed it.
    pub counts: BTreeMap<ViolationKind, u64>,
    /// For each violation, the first schedules that showed it, smallest
    /// first (at most [`limits::MAX_SHOWN_SCHEDULES`]).
    pub showing: BTreeMap<ViolationKind, Vec<Vec<Fault>>>,
    /// The scenario every schedule adds its faults to.
    pub base: Scenario,
}

impl ExhaustiveReport {
    /// The scenario that ran `schedule`, for its timeline and replay command.
    pub fn scenario_of(&self, schedule: &[Fault]) -> Scenario {
        let mut s = self.base.clone();
        s.faults = schedule.to_vec().into();
        s
    }
}

/// The scenario with no faults of its own: the base every schedule adds to.
pub fn base(scenario: &Scenario) -> Scenario {
    let mut s = Profile::CALM.apply(scenario);
    s.faults = Vec::new().into();
    s
}

/// Every single fault the search may place.
pub fn candidates(scenario: &Scenario, max_faults: usize) -> Vec<Fault> {
    let max_faults = u32::try_from(max_faults)
        .expect("MAX_EXHAUSTIVE_FAULTS keeps the faults per schedule below u32::MAX");
    let attempts = scenario.retry.max_attempts.min(max_faults + 1);
    let places = places(scenario);
    let mut out = Vec::new();
    for (transfer, _) in scenario.transfer_ixs() {
        for attempt in 1..=attempts {
            out.extend(
                FaultKind::candidates(scenario, &places, transfer, attempt)
                    .into_iter()
                    .map(|kind| Fault {
                        target: if kind.behaviour().window().is_some() {
                            Target::Window
                        } else {
                            Target::Attempt { transfer, attempt }
                        },
                        kind,
                    }),
            );
        }
    }
    out
}

/// The places a search aims at. A design's are fixed. A service's store
/// calls depend on its code, so they are learned from a run without faults
/// (the scenario's seed): every call it made to each store, one more (a
/// retry may go further than a first attempt), their answers, and the sites
/// before and after each.
fn places(scenario: &Scenario) -> Places {
    let mut places = Places::fixed(&scenario.api);
    if scenario.api.service().is_none() {
        return places;
    }
    let run = run_with(scenario, None, Mode::OnlyFaults, RunOptions::default());
    // The most calls the run made to each store, by store.
    let mut most = [0u16; 2];
    for event in &run.output.events {
        if let What::Txn {
            call: Call::Service(call),
            ..
        } = &event.what
        {
            let made = &mut most[call.store() as usize];
            *made = (*made).max(call.number());
        }
    }
    for unnumbered in [ServiceCall::Keys(0), ServiceCall::Ledger(0)] {
        let made = most[unnumbered.store() as usize];
        if made == 0 {
            continue;
        }
        for n in 1..=(made + 1).min(limits::MAX_STORE_CALLS) {
            let call = Call::Service(unnumbered.numbered(n));
            places
                .points
                .extend([Point::Call(call), Point::Result(call)]);
            places.sites.extend(scenario.api.places_around(call));
        }
    }
    places
}

/// How many schedules of up to `k` faults `n` candidates make.
pub fn schedule_count(n: usize, k: usize) -> u64 {
    (0..=k)
        .map(|size| {
            (0..size).fold(1u128, |acc, i| {
                (acc * (n.saturating_sub(i)) as u128 / (i as u128 + 1)).min(u64::MAX as u128)
            })
        })
        .sum::<u128>()
        .min(u64::MAX as u128) as u64
}

/// What a search may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Schedules (`--max-schedules`).
    pub max_schedules: u64,
    /// Estimated seconds of one core (`--max-seconds`, see [`super::cost`]).
    pub max_seconds: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            max_schedules: limits::DEFAULT_MAX_SCHEDULES,
            max_seconds: limits::DEFAULT_MAX_SEARCH_SECONDS,
        }
    }
}

impl Budget {
    /// The most any search may be allowed.
    pub fn most() -> Budget {
        Budget {
            max_schedules: limits::MAX_SCHEDULES,
            max_seconds: limits::MAX_SEARCH_SECONDS,
        }
    }

    /// `budget` schedules, and the default time.
    pub fn schedules(max_schedules: u64) -> Budget {
        Budget {
            max_schedules,
            ..Budget::default()
        }
    }

    /// Each bound at most its limit.
    fn capped(self) -> Budget {
        Budget {
            max_schedules: self.max_schedules.min(limits::MAX_SCHEDULES),
            max_seconds: self.max_seconds.min(limits::MAX_SEARCH_SECONDS),
        }
    }
}

/// What a search will cost, known before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub candidates: usize,
    pub max_faults: usize,
    pub schedules: u64,
    /// What the run without faults spent: the least each schedule's run spends.
    pub calm: Work,
    /// The time budget the search stops at, in estimated seconds.
    pub max_seconds: u64,
}

impl Plan {
    /// The least the whole search will spend: every schedule at the price
    /// of the run without faults.
    pub fn estimate(&self) -> Work {
        self.calm.times(self.schedules)
    }
}

/// Why a search cannot start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooBig {
    Faults {
        max_faults: usize,
    },
    Schedules {
        plan: Plan,
        budget: u64,
    },
    /// Even at the price of runs without faults it would take too long.
    Time {
        plan: Plan,
        max_seconds: u64,
    },
}

impl std::fmt::Display for TooBig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TooBig::Faults { max_faults } => write!(
                f,
                "--max-faults {max_faults} is too many; expected at most {}",
                limits::MAX_EXHAUSTIVE_FAULTS
            ),
            TooBig::Schedules { plan, budget } => write!(
                f,
                "{} candidate faults make {} schedules of up to {} faults, over the budget of {budget}; \
                 expected fewer transfers, a smaller --max-faults, or --max-schedules {} (at most {}) to run them on purpose",
                plan.candidates,
                plan.schedules,
                plan.max_faults,
                plan.schedules,
                limits::MAX_SCHEDULES
            ),
            TooBig::Time { plan, max_seconds } => {
                let estimate = plan.estimate();
                write!(
                    f,
                    "{} schedules of up to {} faults would take at least {} s of one core \
                     (each as much as a run without faults: {} host steps and {} network work), \
                     over the budget of {max_seconds} s; expected fewer transfers, a smaller --max-faults, \
                     or --max-seconds {} (at most {}) to run it on purpose",
                    plan.schedules,
                    plan.max_faults,
                    estimate.seconds_text(),
                    plan.calm.host_steps,
                    plan.calm.network_work,
                    estimate.estimated_secs().max(u128::from(*max_seconds) + 1),
                    limits::MAX_SEARCH_SECONDS
                )
            }
        }
    }
}

/// What a search of `scenario` with up to `max_faults` faults costs, if it
/// fits in `budget`. Runs the scenario once without faults to price it.
pub fn plan(scenario: &Scenario, max_faults: usize, budget: Budget) -> Result<Plan, TooBig> {
    if max_faults > limits::MAX_EXHAUSTIVE_FAULTS {
        return Err(TooBig::Faults { max_faults });
    }
    let budget = budget.capped();
    let base = base(scenario);
    let candidates = candidates(&base, max_faults).len();
    let calm = run_with(&base, None, Mode::OnlyFaults, RunOptions::default());
    let plan = Plan {
        candidates,
        max_faults,
        schedules: schedule_count(candidates, max_faults),
        calm: Work::of(&base, &calm),
        max_seconds: budget.max_seconds,
    };
    check(plan, budget)
}

/// `plan` if it fits `budget`: its schedules, and its least cost in time.
pub fn check(plan: Plan, budget: Budget) -> Result<Plan, TooBig> {
    let budget = budget.capped();
    if plan.schedules > budget.max_schedules {
        return Err(TooBig::Schedules {
            plan,
            budget: budget.max_schedules,
        });
    }
    if !plan.estimate().fits(budget.max_seconds) {
        return Err(TooBig::Time {
            plan,
            max_seconds: budget.max_seconds,
        });
    }
    Ok(Plan {
        max_seconds: budget.max_seconds,
        ..plan
    })
}

/// Steps `indices` (a strictly increasing choice from `0..n`) to the next
/// such choice in lexicographic order; false when it was the last.
fn next_combination(indices: &mut [usize], n: usize) -> bool {
    let k = indices.len();
    for i in (0..k).rev() {
        if indices[i] < n - k + i {
            indices[i] += 1;
            for j in i + 1..k {
                indices[j] = indices[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

/// Every index set of size `size` from `0..n`, in lexicographic order,
/// handed out in batches (so memory stays bounded however many there are).
struct Combinations {
    n: usize,
    current: Option<Vec<usize>>,
}

impl Combinations {
    fn new(n: usize, size: usize) -> Combinations {
        Combinations {
            n,
            current: (size <= n).then(|| (0..size).collect()),
        }
    }

    /// The next at most `batch` index sets; empty when none are left.
    fn next_batch(&mut self, batch: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        while out.len() < batch {
            let Some(current) = &mut self.current else {
                break;
            };
            out.push(current.clone());
            if !next_combination(current, self.n) {
                self.current = None;
            }
        }
        out
    }
}

/// How many schedules to run before looking at the budget again: half of
/// what the budget left pays for at the price of the dearest run so far
/// (the run without faults before any ran), at least one and at most
/// [`BATCH`]. Runs of one search differ a hundredfold in cost (a message
/// held past an expiry while a completer keeps every step busy), so pricing
/// a batch at its dearest run, and committing half of what is left, keeps
/// the search close to its budget. Every input is deterministic, so where
/// the search stops is too.
fn batch_size(spent: Work, dearest_ns: u128, max_seconds: u64) -> usize {
    let budget_ns = u128::from(max_seconds) * 1_000_000_000;
    let left_ns = budget_ns.saturating_sub(spent.estimated_ns());
    (left_ns / (2 * dearest_ns.max(1))).clamp(1, BATCH as u128) as usize
}

/// Schedules handed to the workers at a time.
const BATCH: usize = 4_096;

/// Runs every schedule of `plan`, smallest first, until its time budget
/// is spent.
pub fn search(
    scenario: &Scenario,
    plan: Plan,
    jobs: usize,
    progress: &mut dyn FnMut(u64),
) -> ExhaustiveReport {
    let base = base(scenario);
    let pool = candidates(&base, plan.max_faults);
    assert_eq!(pool.len(), plan.candidates, "the plan matches the search");
    let mut report = ExhaustiveReport {
        candidates: pool.len(),
        max_faults: plan.max_faults,
        explored: 0,
        planned: plan.schedules,
        spent: Work::default(),
        max_seconds: plan.max_seconds,
        stopped: false,
        first: BTreeMap::new(),
        counts: BTreeMap::new(),
        showing: BTreeMap::new(),
        base: base.clone(),
    };
    let mut dearest_ns = plan.calm.estimated_ns();
    'sizes: for size in 0..=plan.max_faults {
        let mut combinations = Combinations::new(pool.len(), size);
        loop {
            if !report.spent.fits(plan.max_seconds) {
                report.stopped = report.explored < plan.schedules;
                break 'sizes;
            }
            let batch = batch_size(report.spent, dearest_ns, plan.max_seconds);
            let schedules = combinations.next_batch(batch);
            if schedules.is_empty() {
                break;
            }
            let ran = parallel_map(&schedules, jobs, |indices| {
                let mut s = base.clone();
                s.faults = indices
                    .iter()
                    .map(|&i| pool[i].clone())
                    .collect::<Vec<_>>()
                    .into();
                let run = run_with(&s, None, Mode::OnlyFaults, RunOptions::default());
                (run.verdict.found.clone(), Work::of(&s, &run))
            });
            for (indices, (found, work)) in schedules.iter().zip(ran) {
                report.explored += 1;
                report.spent = report.spent.plus(work);
                dearest_ns = dearest_ns.max(work.estimated_ns());
                for kind in found {
                    let schedule = || indices.iter().map(|&i| pool[i].clone()).collect();
                    report.first.entry(kind).or_insert_with(schedule);
                    *report.counts.entry(kind).or_insert(0) += 1;
                    let showing = report.showing.entry(kind).or_default();
                    if showing.len() < limits::MAX_SHOWN_SCHEDULES {
                        showing.push(schedule());
                    }
                }
            }
            progress(report.explored);
        }
    }
    assert!(
        report.stopped || report.explored == plan.schedules,
        "every planned schedule ran, or the search said it stopped"
    );
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(n: usize, size: usize, batch: usize) -> Vec<Vec<usize>> {
        let mut combinations = Combinations::new(n, size);
        let mut out = Vec::new();
        loop {
            let next = combinations.next_batch(batch);
            if next.is_empty() {
                return out;
            }
            assert!(next.len() <= batch);
            out.extend(next);
        }
    }

    #[test]
    fn combinations_are_counted_and_ordered() {
        let pairs = all(4, 2, 3);
        assert_eq!(
            pairs,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(all(4, 0, 4), vec![Vec::<usize>::new()]);
        assert!(all(2, 3, 4).is_empty());
        assert_eq!(schedule_count(4, 2), 1 + 4 + 6);
        assert_eq!(schedule_count(63, 2), 1 + 63 + 1953);
    }

    fn plan_of(schedules: u64, host_steps: u64) -> Plan {
        Plan {
            candidates: 10,
            max_faults: 1,
            schedules,
            calm: Work {
                runs: 1,
                events: 0,
                host_steps,
                network_work: 0,
            },
            max_seconds: 0,
        }
    }

    /// The refusal is decided from work, never from a clock: 1,000 runs of
    /// 100,000 host steps (0.16 s each, plus 40 µs to build) are 160.04 s
    /// of one core.
    #[test]
    fn a_search_is_priced_before_it_starts() {
        let plan = plan_of(1_000, 100_000);
        assert_eq!(plan.estimate().estimated_secs(), 161);
        let refused = check(
            plan,
            Budget {
                max_schedules: 1_000,
                max_seconds: 160,
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                refused,
                TooBig::Time {
                    max_seconds: 160,
                    ..
                }
            ),
            "{refused:?}"
        );
        let words = refused.to_string();
        assert!(words.contains("at least 160.1 s of one core"), "{words}");
        assert!(words.contains("100000 host steps"), "{words}");
        assert!(words.contains("--max-seconds 161"), "{words}");
        let fits = check(
            plan,
            Budget {
                max_schedules: 1_000,
                max_seconds: 161,
            },
        )
        .unwrap();
        assert_eq!(fits.max_seconds, 161);
        // Schedules are counted first, and a budget above the limit is the limit.
        assert!(matches!(
            check(
                plan,
                Budget {
                    max_schedules: 999,
                    max_seconds: 161
                }
            ),
            Err(TooBig::Schedules { .. })
        ));
        let most = check(
            plan,
            Budget {
                max_schedules: u64::MAX,
                max_seconds: u64::MAX,
            },
        )
        .unwrap();
        assert_eq!(most.max_seconds, limits::MAX_SEARCH_SECONDS);
    }

    /// The search looks at its budget as often as what is left requires.
    #[test]
    fn batches_shrink_as_the_budget_runs_out() {
        let second = 1_000_000_000;
        let none = Work::default();
        assert_eq!(batch_size(none, second, 5), 2, "half of what is left");
        assert_eq!(batch_size(none, second / 100_000, 100), BATCH);
        let one_s = Work {
            runs: 1,
            events: 0,
            host_steps: 625_000,
            network_work: 0,
        };
        assert_eq!(batch_size(one_s.times(2), second, 3), 1, "at least one");
        assert_eq!(
            batch_size(one_s.times(30), second, 3),
            1,
            "past the budget, one"
        );
        assert_eq!(batch_size(one_s.times(2), 4 * second, 42), 4);
        assert_eq!(batch_size(one_s.times(2), second, 42), 19);
    }
}
