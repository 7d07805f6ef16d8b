//! Swarm testing: the seed picks the fault profile as well as the faults.
//!
//! A sweep that runs every seed with the same fault rates explores one corner
//! of the fault space over and over. In swarm mode (as TigerBeetle's VOPR
//! does) each seed first draws which fault kinds are on and how often they
//! strike, so that rare combinations — only crashes, only duplicates, heavy
//! loss with stalls — each get runs of their own.

use crate::ratio::Ratio;
use crate::scenario::Scenario;
use crate::seed::derive_rng;
use rand::Rng;
use serde::Serialize;
use std::fmt;

/// The random fault rates of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub loss: Ratio,
    pub crash: Ratio,
    pub duplicate: Ratio,
    pub delay: Ratio,
    pub stall: Ratio,
}

/// Rates a swarm draws from, for each fault kind that is on.
const MESSAGE_RATES: [(u32, u32); 4] = [(1, 50), (1, 20), (1, 10), (1, 5)];
const BOUNDARY_RATES: [(u32, u32); 3] = [(1, 50), (1, 20), (1, 10)];

impl Profile {
    /// No random faults at all.
    pub const CALM: Profile = Profile {
        loss: Ratio::ZERO,
        crash: Ratio::ZERO,
        duplicate: Ratio::ZERO,
        delay: Ratio::ZERO,
        stall: Ratio::ZERO,
    };

    /// The profile seed `seed` draws: each kind on with chance one half, at a
    /// rate drawn from a small menu.
    pub fn from_seed(seed: u64) -> Profile {
        let mut rng = derive_rng(seed, "swarm");
        let mut pick = |menu: &[(u32, u32)]| {
            if rng.random_bool(0.5) {
                let (n, d) = menu[rng.random_range(0..menu.len())];
                Ratio::new(n, d).expect("menu ratios are valid")
            } else {
                Ratio::ZERO
            }
        };
        Profile {
            loss: pick(&MESSAGE_RATES),
            crash: pick(&BOUNDARY_RATES),
            duplicate: pick(&MESSAGE_RATES),
            delay: pick(&MESSAGE_RATES),
            stall: pick(&BOUNDARY_RATES),
        }
    }

    /// The scenario's own random fault rates.
    pub fn of(scenario: &Scenario) -> Profile {
        Profile {
            loss: scenario.network.loss,
            crash: scenario.window.crash,
            duplicate: scenario.window.duplicate,
            delay: scenario.window.delay,
            stall: scenario.window.stall,
        }
    }

    /// `scenario` with these random fault rates in place of its own.
    pub fn apply(&self, scenario: &Scenario) -> Scenario {
        let mut s = scenario.clone();
        s.network.loss = self.loss;
        s.window.crash = self.crash;
        s.window.duplicate = self.duplicate;
        s.window.delay = self.delay;
        s.window.stall = self.stall;
        s
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds = [
            ("loss", self.loss),
            ("crash", self.crash),
            ("duplicate", self.duplicate),
            ("delay", self.delay),
            ("stall", self.stall),
        ];
        let on: Vec<String> = kinds
            .iter()
            .filter(|(_, r)| !r.is_zero())
            .map(|(name, r)| format!("{name} {r}"))
            .collect();
        if on.is_empty() {
            write!(f, "no random faults")
        } else {
            write!(f, "{}", on.join(", "))
        }
    }
}

/// The scenario seed `seed` runs: in swarm mode with the profile the seed draws.
pub fn scenario_for(scenario: &Scenario, seed: u64, swarm: bool) -> Scenario {
    if swarm {
        Profile::from_seed(seed).apply(scenario)
    } else {
        scenario.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_vary_with_the_seed_and_repeat_for_the_same_seed() {
        assert_eq!(Profile::from_seed(3), Profile::from_seed(3));
        let distinct: std::collections::BTreeSet<String> =
            (0..50).map(|s| Profile::from_seed(s).to_string()).collect();
        assert!(distinct.len() > 20, "{distinct:?}");
    }
}
