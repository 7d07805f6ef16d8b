//! One run: scenario → world (+ faults) → history → checker.

use crate::check::{Verdict, check};
use crate::scenario::Scenario;
use crate::world::{RunOptions, RunOutput, run_world};

/// A finished run: what happened and what the checker made of it.
#[derive(Debug, Clone)]
pub struct Run {
    pub seed: u64,
    pub output: RunOutput,
    pub verdict: Verdict,
}

/// Runs `scenario` once, with `seed` or else the scenario's own seed.
pub fn run_scenario(scenario: &Scenario, seed: Option<u64>) -> Run {
    run_with(scenario, seed, RunOptions::default())
}

/// Runs `scenario` once with explicit [`RunOptions`].
pub fn run_with(scenario: &Scenario, seed: Option<u64>, options: RunOptions) -> Run {
    let seed = seed.unwrap_or(scenario.seed);
    let output = run_world(scenario, seed, options);
    let verdict = check(scenario, &output);
    Run {
        seed,
        output,
        verdict,
    }
}

/// The command that replays a run exactly.
pub fn replay_command(scenario: &Scenario, seed: u64) -> String {
    replay_command_with(scenario, seed, false)
}

/// The command that replays a run; `swarm`: the seed also picked the fault profile.
pub fn replay_command_with(scenario: &Scenario, seed: u64, swarm: bool) -> String {
    let path = scenario
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "SCENARIO.toml".to_string());
    let swarm = if swarm { " --swarm" } else { "" };
    format!("idemsim run {path} --seed {seed}{swarm}")
}
