//! Shrinking: from a failing run to a smallest scenario that still fails the
//! same way, and the file that reproduces it.
//!
//! A failing swarm seed is first made explicit: every fault the run actually
//! suffered (a message lost, held or duplicated, a host crashed or the API
//! stalled) becomes a targeted fault naming its transfer, attempt and message
//! (each fault kind knows which events are its own), and the random rates go
//! to zero. The scenario then needs no randomness to fail. Greedy passes then
//! remove what the failure does not need — faults, transfers, clients,
//! attempts — and make what stays smaller (shorter delays), keeping each
//! change only if the same violation still shows, until nothing more can go.

use super::exhaustive::base;
use crate::check::ViolationKind;
use crate::error::InputError;
use crate::fault::{Fault, FaultKind, Target};
use crate::limits;
use crate::run::{Run, run_scenario};
use crate::scenario::{Scenario, ScenarioSpec};
use serde::Serialize;
use std::path::Path;

/// How big a scenario is, by what shrinking removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Size {
    pub faults: usize,
    pub transfers: usize,
    pub clients: usize,
    pub attempts: u32,
    /// The sum of the faults' durations (delays, stalls).
    pub fault_ms: u64,
}

impl Size {
    pub fn of(s: &Scenario) -> Size {
        Size {
            faults: s.faults.len(),
            transfers: s.transfers.len(),
            clients: s.clients.len(),
            attempts: s.retry.max_attempts + s.retry.attempts_after_heal,
            fault_ms: s
                .faults
                .iter()
                .map(|f| f.kind.behaviour().lasts().shrinkable_ms())
                .sum(),
        }
    }

    /// No part larger than `other`'s.
    pub fn within(&self, other: &Size) -> bool {
        self.faults <= other.faults
            && self.transfers <= other.transfers
            && self.clients <= other.clients
            && self.attempts <= other.attempts
            && self.fault_ms <= other.fault_ms
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
    run.output
        .events
        .iter()
        .filter_map(|event| FaultKind::from_event(event, scenario))
        .collect()
}

/// `scenario` as it ran in `run`, with every fault it suffered made targeted
/// and no randomness left.
pub fn make_explicit(scenario: &Scenario, run: &Run) -> Scenario {
    let mut s = base(scenario);
    let windows = scenario
        .faults
        .iter()
        .filter(|f| f.target == Target::Window)
        .cloned();
    s.faults = windows
        .chain(faults_of(run, scenario))
        .collect::<Vec<_>>()
        .into();
    s.seed = run.seed;
    s
}

/// How many of the faults `run` suffered struck a completer's work: the
/// faults [`make_explicit`] cannot keep.
pub fn completer_faults(run: &Run, scenario: &Scenario) -> usize {
    run.output
        .events
        .iter()
        .filter(|event| FaultKind::struck_completer(event, scenario))
        .count()
}

/// Why a failing seed gave no repro.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Unreproducible {
    /// `faults` of the faults it suffered struck a completer's work, which
    /// no targeted fault can aim at, and without them it no longer fails.
    CompleterFaults { faults: usize },
    /// With every fault it suffered made targeted, it no longer fails (the
    /// timing of the random faults mattered).
    NotShown,
}

/// A failing seed that gave no repro, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub seed: u64,
    pub violations: Vec<ViolationKind>,
    #[serde(flatten)]
    pub why: Unreproducible,
}

/// What came of trying failing seeds for a repro, lowest first.
#[derive(Debug, Clone)]
pub struct Reproduced {
    /// The first seed that shrank, and how large its explicit scenario was.
    pub shrunk: Option<(Shrunk, Size)>,
    /// The lower failing seeds that could not be reproduced.
    pub skipped: Vec<Skipped>,
}

/// A failing seed's scenario with targeted faults only (see
/// [`make_explicit`]), and how many faults of its run no targeted fault
/// could keep (see [`completer_faults`]).
pub fn explicit_of(ran: &Scenario, run: &Run) -> (Scenario, usize) {
    (make_explicit(ran, run), completer_faults(run, ran))
}

/// Shrinks the first of `failing` (seeds with the violations each showed,
/// lowest first) that fails the same way with targeted faults only;
/// `explicit(seed)` makes the seed's scenario explicit (see
/// [`explicit_of`]). A seed whose run needed a fault no targeted fault can
/// aim at (one on a completer's work) is skipped, saying so, and the next
/// is tried: a repro is saved whenever any failing seed can be reproduced.
/// An unreproducible seed costs two runs, so trying every kept failing seed
/// stays cheap.
pub fn first_reproducible(
    failing: &[(u64, Vec<ViolationKind>)],
    explicit: impl Fn(u64) -> (Scenario, usize),
) -> Reproduced {
    let mut skipped = Vec::new();
    for (seed, violations) in failing {
        let (explicit, faults) = explicit(*seed);
        for &violation in violations {
            if let Some(shrunk) = shrink(&explicit, *seed, violation) {
                return Reproduced {
                    shrunk: Some((shrunk, Size::of(&explicit))),
                    skipped,
                };
            }
        }
        skipped.push(Skipped {
            seed: *seed,
            violations: violations.clone(),
            why: if faults > 0 {
                Unreproducible::CompleterFaults { faults }
            } else {
                Unreproducible::NotShown
            },
        });
    }
    Reproduced {
        shrunk: None,
        skipped,
    }
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
    let final_run = run_scenario(&best, Some(seed));
    best.expect.violations = final_run.verdict.found;
    assert!(
        best.expect.violations.contains(&violation),
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
        let mut faults = s.faults.to_vec();
        faults.remove(i);
        let mut c = s.clone();
        c.faults = faults.into();
        out.push(c);
    }
    // A fault that cost its transfer attempts, removed with them: the
    // transfer's later faults move `shift` attempts earlier (as far as the
    // first attempt), so that what they hit may still come at the same
    // point of the story.
    for (i, fault) in s.faults.iter().enumerate() {
        let Some((transfer, attempt)) = fault.attempt() else {
            continue;
        };
        let later = |f: &Fault| {
            f.attempt()
                .filter(|&(t, a)| t == transfer && a > attempt)
                .map(|(_, a)| a)
        };
        let Some(earliest_later) = s.faults.iter().filter_map(later).min() else {
            continue;
        };
        for shift in 1..earliest_later {
            let mut faults = s.faults.to_vec();
            faults.remove(i);
            for f in &mut faults {
                if later(f).is_some()
                    && let Target::Attempt { attempt: a, .. } = &mut f.target
                {
                    *a -= shift;
                }
            }
            let mut c = s.clone();
            c.faults = faults.into();
            out.push(c);
        }
    }
    for (i, fault) in s.faults.iter().enumerate() {
        for kind in fault.kind.behaviour().smaller() {
            let mut faults = s.faults.to_vec();
            faults[i].kind = kind;
            let mut c = s.clone();
            c.faults = faults.into();
            out.push(c);
        }
    }
    for (ix, _) in s.transfer_ixs() {
        if let Some(c) = without_transfer(s, ix) {
            out.push(c);
        }
    }
    if s.retry.attempts_after_heal > 0 {
        let mut c = s.clone();
        c.retry.attempts_after_heal -= 1;
        out.push(c);
    }
    let needed = s
        .faults
        .iter()
        .filter_map(|f| f.attempt().map(|(_, a)| a))
        .max()
        .unwrap_or(1);
    if s.retry.max_attempts > needed.max(1) {
        let mut c = s.clone();
        c.retry.max_attempts -= 1;
        out.push(c);
    }
    out
}

/// `s` without transfer `ix`, its faults, and the clients left with nothing;
/// `None` if it is the last transfer or another transfer reuses its key.
fn without_transfer(s: &Scenario, ix: crate::scenario::TransferIx) -> Option<Scenario> {
    if s.transfers.len() <= 1 || s.transfers.iter().any(|t| t.reuse_key_of == Some(ix)) {
        return None;
    }
    let mut spec = s.to_spec();
    let id = s.transfer(ix).id.clone();
    for client in &mut spec.clients {
        client
            .transfers
            .retain(|t| t.id.as_deref() != Some(id.as_str()));
    }
    spec.clients.retain(|c| !c.transfers.is_empty());
    let kept: Vec<bool> = s
        .faults
        .iter()
        .map(|f| f.attempt().is_none_or(|(t, _)| t != ix))
        .collect();
    let mut k = kept.iter();
    spec.targeted
        .retain(|_| *k.next().expect("one spec per fault"));
    s.with_spec(&spec).ok()
}

/// A shrunk scenario as a scenario file that will live in `dir`.
pub fn repro_spec(original: &Scenario, shrunk: &Shrunk, dir: &Path) -> ScenarioSpec {
    let mut spec = shrunk.scenario.to_spec_in(dir);
    spec.name = format!("{} (shrunk: {})", original.name, shrunk.violation.name());
    spec.description = format!(
        "A smallest scenario found by idemsim explore that shows {} on seed {}, with targeted faults only.",
        shrunk.violation.name(),
        shrunk.seed
    );
    spec
}

/// Writes a shrunk scenario to `path` as a scenario file.
pub fn write_repro(original: &Scenario, shrunk: &Shrunk, path: &Path) -> Result<(), InputError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let spec = repro_spec(original, shrunk, dir);
    let text = toml::to_string(&spec)
        .map_err(|e| InputError::file(path, format!("cannot write the scenario: {e}")))?;
    std::fs::write(path, text).map_err(|e| InputError::file(path, format!("cannot write: {e}")))
}
