//! Exhaustive search: every placement of up to K targeted faults over the
//! scenario's fault points, smallest schedules first, so that the first
//! schedule found for a violation is a smallest one.
//!
//! Fault points: for every transfer and each of its first K+1 attempts (each
//! fault causes at most one more attempt), every message of the attempt —
//! between client and API and between API and stores — can be dropped,
//! duplicated or delayed past the client's timeout, and the API can crash at
//! every step boundary. The scenario's own targeted and random faults are set
//! aside; the seed is the scenario's.

use super::workers::parallel_map;
use crate::limits;
use crate::run::run_scenario;
use crate::scenario::{CrashHost, Fault, FaultKind, Scenario, ViolationKind, message_points};
use serde::Serialize;
use std::collections::BTreeMap;

/// The result of a search.
#[derive(Debug, Clone, Serialize)]
pub struct ExhaustiveReport {
    pub candidates: usize,
    pub max_faults: usize,
    pub explored: u64,
    /// For each violation, the first (smallest) schedule that showed it.
    pub first: BTreeMap<ViolationKind, Vec<Fault>>,
}

/// The scenario with no faults of its own: the base every schedule adds to.
pub fn base(scenario: &Scenario) -> Scenario {
    let mut s = super::swarm::Profile {
        loss: crate::ratio::Ratio::ZERO,
        crash: crate::ratio::Ratio::ZERO,
        duplicate: crate::ratio::Ratio::ZERO,
        delay: crate::ratio::Ratio::ZERO,
        stall: crate::ratio::Ratio::ZERO,
    }
    .apply(scenario);
    s.faults.clear();
    s.outages.clear();
    s
}

/// Every single fault the search may place.
pub fn candidates(scenario: &Scenario, max_faults: usize) -> Vec<Fault> {
    let design = &scenario.design;
    let attempts = scenario.retry.max_attempts.min(max_faults as u32 + 1);
    let delay_ms = 2 * scenario.retry.timeout_ms;
    let mut out = Vec::new();
    for (_, transfer) in scenario.transfers() {
        for attempt in 1..=attempts {
            let mut add = |kind| {
                out.push(Fault {
                    transfer: transfer.id.clone(),
                    attempt,
                    kind,
                })
            };
            for message in message_points(design) {
                add(FaultKind::Drop {
                    message: message.clone(),
                });
                add(FaultKind::Duplicate {
                    message: message.clone(),
                });
                add(FaultKind::Delay { message, delay_ms });
            }
            for boundary in 0..design.boundary_count() {
                add(FaultKind::Crash {
                    host: CrashHost::Api,
                    boundary,
                    boundary_name: design.boundary_name(boundary),
                    restart_after_ms: scenario.window.restart_after_ms,
                });
            }
        }
    }
    out
}

/// All index sets of size `size` from `0..n`, in lexicographic order.
fn combinations(n: usize, size: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut current = Vec::with_capacity(size);
    fn go(
        start: usize,
        n: usize,
        size: usize,
        current: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if current.len() == size {
            out.push(current.clone());
            return;
        }
        for i in start..n {
            current.push(i);
            go(i + 1, n, size, current, out);
            current.pop();
        }
    }
    go(0, n, size, &mut current, &mut out);
    out
}

/// How many schedules of up to `k` faults `n` candidates make.
pub fn schedule_count(n: usize, k: usize) -> u64 {
    (0..=k)
        .map(|size| (0..size).fold(1u128, |acc, i| acc * (n - i) as u128 / (i as u128 + 1)))
        .sum::<u128>()
        .min(u64::MAX as u128) as u64
}

/// Runs every schedule of up to `max_faults` faults, smallest first.
pub fn search(
    scenario: &Scenario,
    max_faults: usize,
    jobs: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<ExhaustiveReport, String> {
    if max_faults > limits::MAX_EXHAUSTIVE_FAULTS {
        return Err(format!(
            "--max-faults {max_faults} is too many; expected at most {}",
            limits::MAX_EXHAUSTIVE_FAULTS
        ));
    }
    let base = base(scenario);
    let pool = candidates(&base, max_faults);
    let total = schedule_count(pool.len(), max_faults);
    if total > limits::MAX_SCHEDULES {
        return Err(format!(
            "{} candidate faults make {total} schedules of up to {max_faults}; expected at most {} (fewer transfers or a smaller --max-faults)",
            pool.len(),
            limits::MAX_SCHEDULES
        ));
    }
    let mut report = ExhaustiveReport {
        candidates: pool.len(),
        max_faults,
        explored: 0,
        first: BTreeMap::new(),
    };
    for size in 0..=max_faults {
        let schedules = combinations(pool.len(), size);
        let found = parallel_map(&schedules, jobs, |indices| {
            let mut s = base.clone();
            s.faults = indices.iter().map(|&i| pool[i].clone()).collect();
            run_scenario(&s, None).verdict.found
        });
        for (indices, found) in schedules.iter().zip(found) {
            report.explored += 1;
            for kind in found {
                report
                    .first
                    .entry(kind)
                    .or_insert_with(|| indices.iter().map(|&i| pool[i].clone()).collect());
            }
        }
        progress(report.explored);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_are_counted_and_ordered() {
        assert_eq!(
            combinations(4, 2),
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(schedule_count(4, 2), 1 + 4 + 6);
        assert_eq!(schedule_count(63, 2), 1 + 63 + 1953);
    }
}
