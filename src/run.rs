//! One run: scenario → world (+ faults) → history → checker, and the
//! command that replays it.

use crate::check::{Verdict, check, void_verdict};
use crate::fault::FaultSpec;
use crate::history::Host;
use crate::scenario::{Provenance, Scenario};
use crate::world::panics::{Capture, as_host};
use crate::world::{EndReason, RunOptions, RunOutput, run_world};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// How the scenario of a run was made from its file: what a replay must redo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The file as it is.
    Plain,
    /// The seed also picked the random fault profile (`--swarm`).
    Swarm,
    /// The file's own faults and random rates set aside, and only the run's
    /// targeted faults placed (a schedule of an exhaustive search).
    OnlyFaults,
}

/// A finished run: what happened and what the checker made of it.
#[derive(Debug, Clone)]
pub struct Run {
    pub seed: u64,
    pub mode: Mode,
    pub output: RunOutput,
    pub verdict: Verdict,
}

/// Runs `scenario` once, with `seed` or else the scenario's own seed.
pub fn run_scenario(scenario: &Scenario, seed: Option<u64>) -> Run {
    run_with(scenario, seed, Mode::Plain, RunOptions::default())
}

/// Runs `scenario` once. Whatever panics — code in a host, the driver, the
/// checker — the run comes back, failed, with the panic as its end.
///
/// A service's run runs on a thread of its own, whose clock and OS
/// randomness are the run's (see `src/interpose.rs`): code in the service
/// that reads `SystemTime::now`, `Instant::now`, `rand::rng()` or std's
/// `HashMap` keys replays from the seed.
pub fn run_with(scenario: &Scenario, seed: Option<u64>, mode: Mode, options: RunOptions) -> Run {
    let seed = seed.unwrap_or(scenario.seed);
    if scenario.api.service().is_none() {
        return run_here(scenario, seed, mode, options);
    }
    crate::interpose::on_own_thread(seed, crate::world::service_clock_ms, || {
        run_here(scenario, seed, mode, options)
    })
    .unwrap_or_else(|e| {
        let end = EndReason::HostFailed {
            host: None,
            message: format!("could not start the run's thread: {e}"),
        };
        Run {
            seed,
            mode,
            output: RunOutput::void(seed, end.clone()),
            verdict: void_verdict(scenario, end),
        }
    })
}

fn run_here(scenario: &Scenario, seed: u64, mode: Mode, options: RunOptions) -> Run {
    let capture = Capture::begin();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let output =
            crate::world::logs::with_logs(options.log, || run_world(scenario, seed, options));
        let verdict = as_host(Host::Checker, || {
            if options.panic_in == Some(Host::Checker) {
                panic!("self-test: the checker panics");
            }
            check(scenario, &output)
        });
        (output, verdict)
    }));
    let (output, verdict) = match result {
        Ok(done) => done,
        Err(_) => {
            let caught = capture.take().into_iter().next();
            let end = EndReason::Panicked {
                host: caught.as_ref().and_then(|c| c.host).unwrap_or(Host::Driver),
                message: caught
                    .map(|c| c.message)
                    .unwrap_or_else(|| "a panic with no message".to_string()),
            };
            (
                RunOutput::void(seed, end.clone()),
                void_verdict(scenario, end),
            )
        }
    };
    Run {
        seed,
        mode,
        output,
        verdict,
    }
}

/// The command that replays a run exactly, as its parts (a person reads it
/// with [`fmt::Display`]; a test can run it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub args: Vec<String>,
}

impl Replay {
    /// How to replay `run` of `scenario` (the scenario as it ran), which
    /// came from `source`.
    pub fn of(source: &Provenance, scenario: &Scenario, run: &Run) -> Replay {
        Replay::new(source, scenario, run.seed, run.mode)
    }

    /// How to replay seed `seed` of `scenario`, which came from `source`, in
    /// `mode`: `source`'s program runs `source`'s file.
    pub fn new(source: &Provenance, scenario: &Scenario, seed: u64, mode: Mode) -> Replay {
        let mut args: Vec<String> = source.program.to_vec();
        args.extend([
            "run".to_string(),
            source.file_arg(),
            "--seed".to_string(),
            seed.to_string(),
        ]);
        match mode {
            Mode::Plain => {}
            Mode::Swarm => args.push("--swarm".to_string()),
            Mode::OnlyFaults => {
                args.push("--only-faults".to_string());
                for fault in scenario.faults.iter() {
                    args.push("--fault".to_string());
                    args.push(inline_fault(&fault.to_spec(scenario)));
                }
            }
        }
        Replay { args }
    }
}

impl fmt::Display for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Quoted for a POSIX shell, so a person can paste it whatever the path.
        f.write_str(&shell_words::join(&self.args))
    }
}

/// A fault as an inline TOML table: `{ kind = "drop-response", transfer = "t1", attempt = 1 }`.
pub fn inline_fault(spec: &FaultSpec) -> String {
    let value = toml::Value::try_from(spec).expect("a fault spec is a TOML table");
    let toml::Value::Table(table) = value else {
        unreachable!("a fault spec is a table")
    };
    // `kind` first, as a person writes it.
    let mut parts: Vec<String> = Vec::new();
    if let Some(kind) = table.get("kind") {
        parts.push(format!("kind = {kind}"));
    }
    for (k, v) in &table {
        if k != "kind" {
            parts.push(format!("{k} = {v}"));
        }
    }
    format!("{{ {} }}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replay_reads_back_as_the_words_it_was_made_of() {
        let args: Vec<String> = [
            "idemsim",
            "run",
            "a/b.toml",
            "my file.toml",
            "it's",
            "",
            "$x`y`",
        ]
        .map(String::from)
        .to_vec();
        let line = Replay { args: args.clone() }.to_string();
        assert!(
            line.starts_with("idemsim run a/b.toml 'my file.toml' "),
            "{line}"
        );
        assert_eq!(shell_words::split(&line).unwrap(), args);
        assert_eq!(
            inline_fault(&FaultSpec::drop_response("t1", 2)),
            r#"{ kind = "drop-response", attempt = 2, transfer = "t1" }"#
        );
    }
}
