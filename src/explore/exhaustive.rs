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

use super::swarm::Profile;
use super::workers::parallel_map;
use crate::check::ViolationKind;
use crate::design::StoreName;
use crate::fault::{Fault, FaultKind, Places, Target};
use crate::history::What;
use crate::limits;
use crate::run::{Mode, run_with};
use crate::scenario::Scenario;
use crate::service::sites::Site;
use crate::wire::{Call, Point};
use crate::world::RunOptions;
use std::collections::BTreeMap;

/// The result of a search.
#[derive(Debug, Clone)]
pub struct ExhaustiveReport {
    pub candidates: usize,
    pub max_faults: usize,
    pub explored: u64,
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
    let attempts = scenario.retry.max_attempts.min(max_faults as u32 + 1);
    let places = places(scenario);
    let mut out = Vec::new();
    for (transfer, _) in scenario.transfer_ixs() {
        for attempt in 1..=attempts {
            out.extend(
                FaultKind::candidates(scenario, &places, transfer, attempt)
                    .into_iter()
                    .map(|kind| Fault {
                        target: if kind.behaviour().targets_window() {
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
    let mut most = [0u16; 2];
    for event in &run.output.events {
        if let What::Txn { call, .. } = &event.what
            && let Some((store, n)) = call.service_call()
        {
            most[store as usize] = most[store as usize].max(n);
        }
    }
    for store in [StoreName::Keys, StoreName::Ledger] {
        let made = most[store as usize];
        if made == 0 {
            continue;
        }
        for n in 1..=(made + 1).min(limits::MAX_STORE_CALLS) {
            let call = Call::service(store, n);
            places
                .points
                .extend([Point::Call(call), Point::Result(call)]);
            places
                .boundaries
                .extend([Site::Before(call).boundary(), Site::After(call).boundary()]);
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

/// What a search will cost, known before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub candidates: usize,
    pub max_faults: usize,
    pub schedules: u64,
}

/// Why a search cannot start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooBig {
    Faults { max_faults: usize },
    Schedules { plan: Plan, budget: u64 },
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
        }
    }
}

/// What a search of `scenario` with up to `max_faults` faults costs, if it
/// fits in `budget` schedules.
pub fn plan(scenario: &Scenario, max_faults: usize, budget: u64) -> Result<Plan, TooBig> {
    if max_faults > limits::MAX_EXHAUSTIVE_FAULTS {
        return Err(TooBig::Faults { max_faults });
    }
    let candidates = candidates(&base(scenario), max_faults).len();
    let plan = Plan {
        candidates,
        max_faults,
        schedules: schedule_count(candidates, max_faults),
    };
    if plan.schedules > budget.min(limits::MAX_SCHEDULES) {
        return Err(TooBig::Schedules {
            plan,
            budget: budget.min(limits::MAX_SCHEDULES),
        });
    }
    Ok(plan)
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

/// Every index set of size `size` from `0..n`, in lexicographic order, in
/// batches of at most `batch` (so memory stays bounded however many there are).
fn for_each_batch(n: usize, size: usize, batch: usize, mut f: impl FnMut(&[Vec<usize>])) {
    if size > n {
        return;
    }
    let mut current: Vec<usize> = (0..size).collect();
    let mut pending = Vec::with_capacity(batch);
    loop {
        pending.push(current.clone());
        if pending.len() == batch {
            f(&pending);
            pending.clear();
        }
        if !next_combination(&mut current, n) {
            break;
        }
    }
    if !pending.is_empty() {
        f(&pending);
    }
}

/// Schedules handed to the workers at a time.
const BATCH: usize = 4_096;

/// Runs every schedule of `plan`, smallest first.
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
        first: BTreeMap::new(),
        counts: BTreeMap::new(),
        showing: BTreeMap::new(),
        base: base.clone(),
    };
    for size in 0..=plan.max_faults {
        for_each_batch(pool.len(), size, BATCH, |schedules| {
            let found = parallel_map(schedules, jobs, |indices| {
                let mut s = base.clone();
                s.faults = indices
                    .iter()
                    .map(|&i| pool[i].clone())
                    .collect::<Vec<_>>()
                    .into();
                run_with(&s, None, Mode::OnlyFaults, RunOptions::default())
                    .verdict
                    .found
            });
            for (indices, found) in schedules.iter().zip(found) {
                report.explored += 1;
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
        });
    }
    assert_eq!(
        report.explored, plan.schedules,
        "every planned schedule ran"
    );
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_are_counted_and_ordered() {
        let mut all = Vec::new();
        for_each_batch(4, 2, 4, |batch| all.extend_from_slice(batch));
        assert_eq!(
            all,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        let mut none = Vec::new();
        for_each_batch(4, 0, 4, |batch| none.extend_from_slice(batch));
        assert_eq!(none, vec![Vec::<usize>::new()]);
        assert_eq!(schedule_count(4, 2), 1 + 4 + 6);
        assert_eq!(schedule_count(63, 2), 1 + 63 + 1953);
    }
}
