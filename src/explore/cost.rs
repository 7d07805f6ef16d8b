//! What runs cost, counted in the deterministic units a run's driver
//! already counts, and turned into an estimated time by one fixed model.
//!
//! A search's budget must not depend on the machine or on thread timing:
//! the same search must be refused, or stop, at the same schedule on every
//! machine and with any `--jobs`. So a budget is never wall time. It is
//! work — runs, history events, host steps (turmoil steps times hosts) and
//! network work (see [`crate::limits::DEFAULT_MAX_NETWORK_WORK`]) — priced
//! by the figures README's "Limits and cost" gives for a 2-core machine (and
//! measured on exhaustive searches of lessons and of a 50-transfer scenario,
//! within a third of their CPU time), and stated to a person in estimated
//! seconds of one core.

use crate::run::Run;
use crate::scenario::Scenario;
use serde::Serialize;

/// Estimated nanoseconds of one run's fixed cost (building the world),
/// whatever it does.
pub const RUN_NS: u64 = 40_000;
/// Estimated nanoseconds of one event of a run's history: recording it,
/// and the checker and the reach counts reading it.
pub const EVENT_NS: u64 = 1_500;
/// Estimated nanoseconds of one host step: a turmoil step costs every host
/// about this much, working or idle.
pub const HOST_STEP_NS: u64 = 1_600;
/// Estimated nanoseconds of one unit of network work.
pub const NETWORK_WORK_NS: u64 = 20;

/// Work some runs did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Work {
    pub runs: u64,
    pub events: u64,
    pub host_steps: u64,
    pub network_work: u64,
}

impl Work {
    /// What `run` of `scenario` did.
    pub fn of(scenario: &Scenario, run: &Run) -> Work {
        Work {
            runs: 1,
            events: run.output.events.len() as u64,
            host_steps: run.output.steps.saturating_mul(scenario.host_count()),
            network_work: run.output.network_work,
        }
    }

    /// Both together.
    pub fn plus(self, other: Work) -> Work {
        Work {
            runs: self.runs.saturating_add(other.runs),
            events: self.events.saturating_add(other.events),
            host_steps: self.host_steps.saturating_add(other.host_steps),
            network_work: self.network_work.saturating_add(other.network_work),
        }
    }

    /// `n` runs like these.
    pub fn times(self, n: u64) -> Work {
        Work {
            runs: self.runs.saturating_mul(n),
            events: self.events.saturating_mul(n),
            host_steps: self.host_steps.saturating_mul(n),
            network_work: self.network_work.saturating_mul(n),
        }
    }

    /// The estimated time of this work on one core, in nanoseconds.
    pub fn estimated_ns(&self) -> u128 {
        u128::from(self.runs) * u128::from(RUN_NS)
            + u128::from(self.events) * u128::from(EVENT_NS)
            + u128::from(self.host_steps) * u128::from(HOST_STEP_NS)
            + u128::from(self.network_work) * u128::from(NETWORK_WORK_NS)
    }

    /// The estimated time in whole seconds, rounded up (so a search that
    /// would take any time at all is never said to take none).
    pub fn estimated_secs(&self) -> u128 {
        self.estimated_ns().div_ceil(1_000_000_000)
    }

    /// The estimated time as a person reads it: seconds with one decimal,
    /// rounded up (`0.4`, `12.0`).
    pub fn seconds_text(&self) -> String {
        let tenths = self.estimated_ns().div_ceil(100_000_000);
        format!("{}.{}", tenths / 10, tenths % 10)
    }

    /// Whether this work fits a budget of `secs` estimated seconds.
    pub fn fits(&self, secs: u64) -> bool {
        self.estimated_ns() <= u128::from(secs) * 1_000_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_is_priced_by_the_fixed_model() {
        let one = Work {
            runs: 1,
            events: 40,
            host_steps: 1_000,
            network_work: 50_000,
        };
        assert_eq!(one.estimated_ns(), 40_000 + 60_000 + 1_600_000 + 1_000_000);
        let many = one.times(1_000);
        assert_eq!(many.estimated_ns(), 2_700_000_000);
        assert_eq!(many.estimated_secs(), 3);
        assert_eq!(many.seconds_text(), "2.7");
        assert_eq!(Work::default().seconds_text(), "0.0");
        assert!(!many.fits(2));
        assert!(many.fits(3));
        assert_eq!(one.plus(one), one.times(2));
        let huge = one.times(u64::MAX);
        assert!(!huge.fits(u64::MAX / 1_000_000_000));
    }
}
