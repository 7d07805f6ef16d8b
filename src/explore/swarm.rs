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
    pub long_delay: Ratio,
    pub store_crash: Ratio,
    pub expire: Ratio,
    pub client_restart: Ratio,
    pub outage: Ratio,
}

/// Rates a swarm draws from, for each fault kind that is on.
const MESSAGE_RATES: [(u32, u32); 4] = [(1, 50), (1, 20), (1, 10), (1, 5)];
const BOUNDARY_RATES: [(u32, u32); 3] = [(1, 50), (1, 20), (1, 10)];
/// Rates for the faults that strike rarely in real systems and hard when
/// they do (a message held for hours, a store crash, an outage).
const RARE_RATES: [(u32, u32); 3] = [(1, 100), (1, 50), (1, 20)];

impl Profile {
    /// No random faults at all.
    pub const CALM: Profile = Profile {
        loss: Ratio::ZERO,
        crash: Ratio::ZERO,
        duplicate: Ratio::ZERO,
        delay: Ratio::ZERO,
        stall: Ratio::ZERO,
        long_delay: Ratio::ZERO,
        store_crash: Ratio::ZERO,
        expire: Ratio::ZERO,
        client_restart: Ratio::ZERO,
        outage: Ratio::ZERO,
    };

    /// The profile seed `seed` draws: each kind on with chance one half, at a
    /// rate drawn from a small menu. (The kinds added last are drawn last, so
    /// that the earlier kinds of every seed's profile never changed.)
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
            long_delay: pick(&RARE_RATES),
            store_crash: pick(&RARE_RATES),
            expire: pick(&RARE_RATES),
            client_restart: pick(&RARE_RATES),
            outage: pick(&RARE_RATES),
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
            long_delay: scenario.window.long_delay,
            store_crash: scenario.window.store_crash,
            expire: scenario.window.expire,
            client_restart: scenario.window.client_restart,
            outage: scenario.window.outage,
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
        // A kind the scenario's API cannot meet stays off (see `Scenario::reaches`).
        let reachable = |on: bool, rate: Ratio| if on { rate } else { Ratio::ZERO };
        s.window.long_delay = reachable(scenario.long_hold_ms().is_some(), self.long_delay);
        s.window.store_crash = self.store_crash;
        s.window.expire = reachable(scenario.key_expiry_in_reach(), self.expire);
        s.window.client_restart = self.client_restart;
        s.window.outage = self.outage;
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
            ("long delay", self.long_delay),
            ("store crash", self.store_crash),
            ("expire", self.expire),
            ("client restart", self.client_restart),
            ("outage", self.outage),
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
