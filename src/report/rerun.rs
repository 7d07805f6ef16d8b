//! The run a report shows for one scenario of `idemsim check`.
//!
//! `check` keeps only each scenario's verdict, not its events, so that a sweep
//! over thousands of seeds holds little memory. A report that shows evidence
//! (JUnit, HTML) runs the one seed that matters once more: the failing seed,
//! or the scenario's own seed when it passed. Runs are deterministic, so this
//! is the very run `check` judged.

use crate::run::{Run, run_scenario};
use crate::scenario::{Scenario, load_scenario};
use crate::suite::{ScenarioResult, Verdict};

/// The scenario and the run to show for `result`; `None` for an invalid scenario.
pub fn shown_run(result: &ScenarioResult) -> Option<(Scenario, Run)> {
    let seed = match &result.verdict {
        Verdict::Invalid { .. } => return None,
        Verdict::Failed { seed, .. } => Some(*seed),
        Verdict::Passed { .. } => None,
    };
    let scenario = load_scenario(&result.path).ok()?;
    let run = run_scenario(&scenario, seed);
    Some((scenario, run))
}
