//! Swarm testing: the seed picks the fault profile as well as the faults.
//!
//! A sweep that runs every seed with the same fault rates explores one corner
//! of the fault space over and over. In swarm mode (as TigerBeetle's VOPR
//! does) each seed first draws which fault kinds are on and how often they
//! strike, so that rare combinations — only crashes, only duplicates, heavy
//! loss with stalls — each get runs of their own.

use crate::fault::random::Rates;
use crate::fault::{RANDOM_FORMS, RandomForm};
use crate::ratio::Ratio;
use crate::scenario::Scenario;
use crate::seed::derive_rng;
use rand::Rng;
use serde::Serialize;
use std::fmt;

/// The random fault rates of one run: one per random form of a fault kind,
/// in registry order (the fault registry's random forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Profile {
    rates: Rates,
}

impl Profile {
    /// No random faults at all.
    pub const CALM: Profile = Profile { rates: Rates::CALM };

    /// The profile seed `seed` draws: each form on with chance one half, at
    /// a rate drawn from its menu, in registry order (so a form registered
    /// last leaves every earlier form of every seed's profile as it was).
    pub fn from_seed(seed: u64) -> Profile {
        let mut rng = derive_rng(seed, "swarm");
        let mut rates = Rates::CALM;
        for form in RANDOM_FORMS {
            let rate = if rng.random_bool(0.5) {
                let (n, d) = form.menu[rng.random_range(0..form.menu.len())];
                Ratio::new(n, d).expect("menu ratios are valid")
            } else {
                Ratio::ZERO
            };
            rates.set(form, rate);
        }
        Profile { rates }
    }

    /// The scenario's own random fault rates.
    pub fn of(scenario: &Scenario) -> Profile {
        let mut rates = Rates::CALM;
        for form in RANDOM_FORMS {
            rates.set(form, scenario.rate(form));
        }
        Profile { rates }
    }

    /// The rate of `form`.
    pub fn rate(&self, form: &RandomForm) -> Ratio {
        self.rates.get(form)
    }

    /// `scenario` with these random fault rates in place of its own. A form
    /// the scenario's API cannot meet stays off (see `Scenario::reaches`),
    /// and so does an opt-in form the scenario does not set a rate for.
    pub fn apply(&self, scenario: &Scenario) -> Scenario {
        let mut s = scenario.clone();
        for (form, rate) in self.rates.iter() {
            let opted_in = !form.opt_in || !scenario.rate(form).is_zero();
            let rate = if (form.in_reach)(scenario) && opted_in {
                rate
            } else {
                Ratio::ZERO
            };
            s.set_rate(form, rate);
        }
        s
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on: Vec<String> = self
            .rates
            .iter()
            .filter(|(_, r)| !r.is_zero())
            .map(|(form, r)| format!("{} {r}", form.words))
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

    /// Each seed draws the profile it drew when swarm listed the kinds by
    /// hand: this is that list, drawn the same way.
    #[test]
    fn profiles_are_those_seeds_always_drew() {
        const MESSAGE: &[(u32, u32)] = &[(1, 50), (1, 20), (1, 10), (1, 5)];
        const BOUNDARY: &[(u32, u32)] = &[(1, 50), (1, 20), (1, 10)];
        const RARE: &[(u32, u32)] = &[(1, 100), (1, 50), (1, 20)];
        let historical = [
            MESSAGE, BOUNDARY, MESSAGE, MESSAGE, BOUNDARY, RARE, RARE, RARE, RARE, RARE,
        ];
        for seed in 0..500 {
            let mut rng = derive_rng(seed, "swarm");
            let drawn: Vec<Ratio> = historical
                .iter()
                .map(|menu| {
                    if rng.random_bool(0.5) {
                        let (n, d) = menu[rng.random_range(0..menu.len())];
                        Ratio::new(n, d).unwrap()
                    } else {
                        Ratio::ZERO
                    }
                })
                .collect();
            let profile = Profile::from_seed(seed);
            let now: Vec<Ratio> = RANDOM_FORMS.iter().map(|f| profile.rate(f)).collect();
            assert_eq!(now[..drawn.len()], drawn[..], "seed {seed}");
        }
    }
}
