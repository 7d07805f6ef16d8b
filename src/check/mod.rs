//! The checker: reads a run's history and final state and judges every invariant.
//!
//! Each invariant is one module with one `check` function, listed once in
//! `invariants!` below under its stable name (a contract: the names are
//! what scenario files expect and what CI output greps for), the way
//! stateright lists its properties. Each reports its violations with the
//! evidence a person needs: which transfer and key, which attempts, which
//! balances, at what times. Operations whose outcome the client never learned
//! are `unknown`, as in Jepsen: they count neither as failures nor as
//! successes, except where the liveness phase says the client should have
//! learned it (`stuck-key`).

mod evidence;
mod facts;
mod summary;

pub use evidence::{Evidence, RecordLeft};
pub use summary::{LostTold, Summary};

pub(crate) use facts::Facts;

use crate::scenario::{Expectation, Scenario, TransferIx};
use crate::vocab::wire::Key;
use crate::world::{EndReason, RunOutput};
use serde::Serialize;

/// One broken invariant, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub kind: ViolationKind,
    pub transfer: Option<TransferIx>,
    pub key: Option<Key>,
    /// What broke, as data: the reports word it as one sentence.
    pub summary: Summary,
    /// The facts behind it, as data: the reports word each as one line.
    pub evidence: Vec<Evidence>,
}

mod double_apply;
mod lost_apply;
mod mismatch;
mod money;
mod phantom;
mod replay;
mod stuck;

pub use crate::vocab::ViolationKind;

/// The module that checks each invariant. The match is exhaustive, so an
/// invariant named in the vocabulary without its checker does not compile.
fn checker(kind: ViolationKind) -> fn(&Facts) -> Vec<Violation> {
    match kind {
        ViolationKind::DoubleApply => double_apply::check,
        ViolationKind::LostApply => lost_apply::check,
        ViolationKind::MoneyNotConserved => money::check,
        ViolationKind::InconsistentReplay => replay::check,
        ViolationKind::MismatchAccepted => mismatch::check,
        ViolationKind::StuckKey => stuck::check,
        ViolationKind::PhantomApply => phantom::check,
    }
}

/// How the transfers of a run ended, as their clients know it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCounts {
    pub succeeded: u32,
    pub failed: u32,
    pub unknown: u32,
    /// Transfers whose client never finished (the run stopped first).
    pub unfinished: u32,
}

impl OutcomeCounts {
    /// The counts an expectation asks for that this run missed: (what, wanted, got).
    pub fn misses(&self, expect: &Expectation) -> Vec<(&'static str, u32, u32)> {
        [
            ("succeeded", expect.succeeded, self.succeeded),
            ("failed", expect.failed, self.failed),
            ("unknown", expect.unknown, self.unknown),
        ]
        .into_iter()
        .filter_map(|(what, want, got)| want.filter(|w| *w != got).map(|w| (what, w, got)))
        .collect()
    }
}

pub use crate::vocab::{AnswerCount, LastAnswers};

/// Distinct kinds of last answer kept; the rest are counted under the last.
const MAX_ANSWER_KINDS: usize = 16;

impl LastAnswers {
    /// Counts one transfer's last answer (`None`: it got none).
    pub fn add(&mut self, response: Option<&crate::vocab::wire::Response>) {
        self.add_count(
            response.map(|r| r.status),
            response.map(|r| r.code.clone()),
            1,
        );
    }

    fn add_count(&mut self, status: Option<u16>, code: Option<crate::vocab::wire::Code>, n: u64) {
        let at = self
            .0
            .iter()
            .position(|c| c.status == status && c.code == code)
            .or_else(|| (self.0.len() >= MAX_ANSWER_KINDS).then(|| self.0.len() - 1));
        match at {
            Some(i) => self.0[i].transfers += n,
            None => {
                self.0.push(AnswerCount {
                    status,
                    code,
                    transfers: n,
                });
                self.0.sort();
            }
        }
    }

    /// Adds another run's counts.
    pub fn merge(&mut self, other: &LastAnswers) {
        for c in &other.0 {
            self.add_count(c.status, c.code.clone(), c.transfers);
        }
    }
}

/// The verdict of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub violations: Vec<Violation>,
    /// The distinct violation names found, sorted.
    pub found: Vec<ViolationKind>,
    pub expected: Vec<ViolationKind>,
    pub outcomes: OutcomeCounts,
    /// The last answer each transfer got, counted.
    pub last_answers: LastAnswers,
    /// Found equals expected, the outcome counts match what the scenario
    /// asks for, and the run completed.
    pub met: bool,
    pub end: EndReason,
}

impl Verdict {
    /// A completed run that shows nothing about exactly-once: no invariant
    /// broke, and no transfer reached a definitive outcome (a design that
    /// refuses or never answers anything holds every invariant). A run that
    /// broke one shows something, whatever its clients learned.
    pub fn shows_nothing(&self) -> bool {
        self.violations.is_empty()
            && self.outcomes.succeeded == 0
            && self.outcomes.failed == 0
            && self.end == EndReason::Completed
    }
}

/// Judges every invariant on one run.
pub fn check(scenario: &Scenario, output: &RunOutput) -> Verdict {
    let facts = Facts::new(scenario, output);
    let mut violations = Vec::new();
    for kind in ViolationKind::ALL {
        let found = checker(*kind)(&facts);
        assert!(
            found.iter().all(|v| v.kind == *kind),
            "an invariant reports under its own name"
        );
        violations.extend(found);
    }
    let mut found: Vec<ViolationKind> = violations.iter().map(|v| v.kind).collect();
    found.sort();
    found.dedup();
    let outcomes = facts.outcome_counts();
    let mut last_answers = LastAnswers::default();
    for (_, view) in facts.transfers() {
        if let Some(outcome) = &view.outcome {
            last_answers.add(outcome.response());
        }
    }
    let met = found == scenario.expect.violations
        && outcomes.misses(&scenario.expect).is_empty()
        && output.end == EndReason::Completed;
    Verdict {
        violations,
        found,
        expected: scenario.expect.violations.clone(),
        outcomes,
        last_answers,
        met,
        end: output.end.clone(),
    }
}

/// The verdict of a run that could not be judged (it panicked before the checker ran).
pub fn void_verdict(scenario: &Scenario, end: EndReason) -> Verdict {
    Verdict {
        violations: Vec::new(),
        found: Vec::new(),
        expected: scenario.expect.violations.clone(),
        outcomes: OutcomeCounts::default(),
        last_answers: LastAnswers::default(),
        met: false,
        end,
    }
}
