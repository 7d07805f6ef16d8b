//! Shrinking: from a failing run to a smallest scenario that still fails the
//! same way.
//!
//! A failing swarm seed is first made explicit: every fault the run actually
//! suffered (a message lost, held or duplicated, the API crashed or stalled at
//! a boundary) becomes a targeted fault naming its transfer, attempt and
//! message, and the random rates go to zero. The scenario then needs no
//! randomness to fail. Greedy passes then remove what the failure does not
//! need — faults, transfers, clients, attempts — keeping each removal only if
//! the same violation still shows, until nothing more can go.

use crate::history::{Cause, What};
use crate::limits;
use crate::run::{Run, run_scenario};
use crate::scenario::{Client, CrashHost, Fault, FaultKind, Scenario, ViolationKind};

/// How big a scenario is, by what shrinking removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Size {
    pub faults: usize,
    pub transfers: usize,
    pub clients: usize,
    pub attempts: u32,
}

impl Size {
    pub fn of(s: &Scenario) -> Size {
        Size {
            faults: s.faults.len() + s.outages.len(),
            transfers: s.transfers().count(),
            clients: s.clients.len(),
            attempts: s.retry.max_attempts + s.retry.attempts_after_heal,
        }
    }

    /// No part larger than `other`'s.
    pub fn within(&self, other: &Size) -> bool {
        self.faults <= other.faults
            && self.transfers <= other.transfers
            && self.clients <= other.clients
            && self.attempts <= other.attempts
    }
}

/// The outcome of a shrink.
#[derive(Debug, Clone)]
pub struct Shrunk {
    pub scenario: Scenario,
    pub seed: u64,
    pub violation: ViolationKind,
    pub runs: u64,
}

/// The faults a run suffered, as targeted faults, in the order they happened.
pub fn faults_of(run: &Run, scenario: &Scenario) -> Vec<Fault> {
    let mut faults = Vec::new();
    for event in &run.output.events {
        let fault = match &event.what {
            What::Lost {
                cause: Cause::Targeted | Cause::Random,
                transfer,
                attempt,
                point,
                ..
            } => Some((
                transfer,
                *attempt,
                FaultKind::Drop {
                    message: point.clone(),
                },
            )),
            What::Held {
                cause: Cause::Targeted | Cause::Random,
                transfer,
                attempt,
                point,
                until_ms,
                ..
            } => Some((
                transfer,
                *attempt,
                FaultKind::Delay {
                    message: point.clone(),
                    delay_ms: until_ms - event.at_ms,
                },
            )),
            What::Duplicated {
                transfer,
                attempt,
                point,
                ..
            } => Some((
                transfer,
                *attempt,
                FaultKind::Duplicate {
                    message: point.clone(),
                },
            )),
            What::Stalled {
                transfer,
                attempt,
                at,
                stall_ms,
                ..
            } => scenario.design.boundary_index(at).map(|b| {
                (
                    transfer,
                    *attempt,
                    FaultKind::Stall {
                        boundary: b,
                        boundary_name: at.clone(),
                        stall_ms: *stall_ms,
                    },
                )
            }),
            What::Crashed {
                host,
                at: Some(at),
                transfer: Some(transfer),
                attempt: Some(attempt),
                ..
            } => {
                let host = match host.as_str() {
                    "keys" => CrashHost::Keys,
                    "ledger" => CrashHost::Ledger,
                    _ => CrashHost::Api,
                };
                let restart_after_ms = crash_restart_ms(scenario, transfer, *attempt, at);
                scenario.design.boundary_index(at).map(|b| {
                    (
                        transfer,
                        *attempt,
                        FaultKind::Crash {
                            host,
                            boundary: b,
                            boundary_name: at.clone(),
                            restart_after_ms,
                        },
                    )
                })
            }
            _ => None,
        };
        if let Some((transfer, attempt, kind)) = fault {
            faults.push(Fault {
                transfer: transfer.clone(),
                attempt,
                kind,
            });
        }
    }
    faults
}

/// The restart delay a crash had: the targeted fault's, or the random one's.
fn crash_restart_ms(scenario: &Scenario, transfer: &str, attempt: u32, at: &str) -> u64 {
    scenario
        .faults
        .iter()
        .find_map(|f| match &f.kind {
            FaultKind::Crash {
                boundary_name,
                restart_after_ms,
                ..
            } if f.transfer == transfer && f.attempt == attempt && boundary_name == at => {
                Some(*restart_after_ms)
            }
            _ => None,
        })
        .unwrap_or(scenario.window.restart_after_ms)
}

/// `scenario` as it ran in `run`, with every fault it suffered made targeted
/// and no randomness left.
pub fn make_explicit(scenario: &Scenario, run: &Run) -> Scenario {
    let mut s = super::exhaustive::base(scenario);
    s.outages = scenario.outages.clone();
    s.faults = faults_of(run, scenario);
    s.seed = run.seed;
    s
}

fn shows(s: &Scenario, seed: u64, violation: ViolationKind, runs: &mut u64) -> bool {
    *runs += 1;
    run_scenario(s, Some(seed))
        .verdict
        .found
        .contains(&violation)
}

/// Shrinks a scenario that shows `violation` on `seed` (with no random
/// faults: see [`make_explicit`]). `None` if it does not show it to begin with.
pub fn shrink(scenario: &Scenario, seed: u64, violation: ViolationKind) -> Option<Shrunk> {
    let mut runs = 0;
    if !shows(scenario, seed, violation, &mut runs) {
        return None;
    }
    let mut best = scenario.clone();
    loop {
        let before = Size::of(&best);
        for candidate in smaller(&best) {
            if runs >= limits::MAX_SHRINK_RUNS {
                break;
            }
            if Size::of(&candidate) < Size::of(&best)
                && shows(&candidate, seed, violation, &mut runs)
            {
                best = candidate;
            }
        }
        if Size::of(&best) == before || runs >= limits::MAX_SHRINK_RUNS {
            break;
        }
    }
    best.seed = seed;
    // The repro expects everything it shows, so that `idemsim run` meets it.
    runs += 1;
    best.expect = run_scenario(&best, Some(seed)).verdict.found;
    assert!(
        best.expect.contains(&violation),
        "the shrunk scenario shows the violation"
    );
    assert!(
        Size::of(&best).within(&Size::of(scenario)),
        "shrinking never grows a scenario"
    );
    Some(Shrunk {
        scenario: best,
        seed,
        violation,
        runs,
    })
}

/// One-step-smaller variants of `s`, the most promising first.
fn smaller(s: &Scenario) -> Vec<Scenario> {
    let mut out = Vec::new();
    for i in 0..s.faults.len() {
        let mut c = s.clone();
        c.faults.remove(i);
        out.push(c);
    }
    for i in 0..s.outages.len() {
        let mut c = s.clone();
        c.outages.remove(i);
        out.push(c);
    }
    let ids: Vec<String> = s.transfers().map(|(_, t)| t.id.clone()).collect();
    for id in ids {
        if let Some(c) = without_transfer(s, &id) {
            out.push(c);
        }
    }
    if s.retry.attempts_after_heal > 0 {
        let mut c = s.clone();
        c.retry.attempts_after_heal -= 1;
        out.push(c);
    }
    let needed = s.faults.iter().map(|f| f.attempt).max().unwrap_or(1);
    if s.retry.max_attempts > needed.max(1) {
        let mut c = s.clone();
        c.retry.max_attempts -= 1;
        out.push(c);
    }
    out
}

/// `s` without transfer `id`, its faults, and the clients left with nothing;
/// `None` if it is the last transfer or another transfer reuses its key.
fn without_transfer(s: &Scenario, id: &str) -> Option<Scenario> {
    if s.transfers().count() <= 1
        || s.transfers()
            .any(|(_, t)| t.reuse_key_of.as_deref() == Some(id))
    {
        return None;
    }
    let mut c = s.clone();
    c.clients = s
        .clients
        .iter()
        .map(|client| Client {
            transfers: client
                .transfers
                .iter()
                .filter(|t| t.id != id)
                .cloned()
                .collect(),
        })
        .filter(|client| !client.transfers.is_empty())
        .collect();
    c.faults.retain(|f| f.transfer != id);
    Some(c)
}
