//! `idemsim explore`: the command-line face of [`crate::explore`].

use super::output::{self, Output};
use super::progress::Progress;
use super::{Exit, Format};
use crate::check::ViolationKind;
use crate::error::InputError;
use crate::explore::exhaustive;
use crate::explore::shrink::{self, Reproduced};
use crate::explore::swarm::scenario_for;
use crate::explore::sweep::{SweepConfig, sweep};
use crate::limits;
use crate::report::explore as report;
use crate::report::junit;
use crate::run::run_with;
use crate::scenario::{Loaded, Loader, Provenance, Scenario};
use crate::seeds::{Partition, SeedRange};
use crate::service::Services;
use crate::world::RunOptions;
use clap::Args;
use std::path::{Path, PathBuf};

/// Faults one exhaustive schedule places unless `--max-faults` says otherwise.
const DEFAULT_MAX_FAULTS: usize = 2;

/// Search for runs that break the scenario's design.
#[derive(Args)]
pub struct ExploreArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// Seeds to sweep, `A..B` (B excluded) or `A..=B`.
    #[arg(long, value_parser = SeedRange::parse, required_unless_present = "exhaustive")]
    seeds: Option<SeedRange>,
    /// Threads to run simulations on (one simulation per thread at a time).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=limits::MAX_JOBS as u64))]
    jobs: u64,
    /// Run only a share of the seeds: `slice:M/N` (every Nth) or `hash:M/N`.
    #[arg(long, value_parser = Partition::parse, conflicts_with = "exhaustive")]
    partition: Option<Partition>,
    /// Use the scenario's own random fault rates instead of letting each seed pick them.
    #[arg(long, conflicts_with = "exhaustive")]
    no_swarm: bool,
    /// Instead of seeds, try every placement of up to --max-faults targeted faults.
    #[arg(long, conflicts_with = "seeds")]
    exhaustive: bool,
    /// The most faults one schedule places, with --exhaustive [default: 2].
    #[arg(long)]
    max_faults: Option<usize>,
    /// The most schedules a search may run, with --exhaustive; a larger search
    /// is refused before it starts, naming its size [default: 100000].
    #[arg(long)]
    max_schedules: Option<u64>,
    /// The most time a search may spend, with --exhaustive: estimated seconds
    /// of one core, priced from the work its runs do (host steps, network
    /// work), never measured, so the same search stops at the same schedule
    /// everywhere. A search that would spend more even without faults is
    /// refused before it starts; one whose runs spend it stops and says so
    /// [default: 300].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=limits::MAX_SEARCH_SECONDS))]
    max_seconds: Option<u64>,
    /// Shrink the first failure and write it as a scenario file with targeted faults only.
    #[arg(long, value_name = "PATH")]
    save_repro: Option<PathBuf>,
    /// Run each seed twice and fail if the two histories differ.
    #[arg(long, conflicts_with = "exhaustive")]
    check_determinism: bool,
    /// Run each seed again without skipping quiet time and fail if the two
    /// histories differ (skipping must never change what happens); a
    /// service's run is compared skipping whole cycles of tokio's scheduler.
    #[arg(long, conflicts_with = "exhaustive")]
    check_quiet_time: bool,
    /// Run every millisecond: never skip quiet time.
    #[arg(long, conflicts_with = "exhaustive")]
    no_skip_quiet_time: bool,
    /// Also write a JUnit XML report: one test case per failing seed, one for
    /// the seeds that passed, and one counting the seeds of other partitions.
    #[arg(long, value_name = "PATH", conflicts_with = "exhaustive")]
    junit: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    #[arg(long, value_name = "HOST", hide = true, value_parser = super::parse_host)]
    self_test_panic: Option<crate::history::Host>,
}

/// Runs the command; the exit code is 1 when any run showed a violation.
pub(super) fn explore(
    out: &mut Output,
    args: ExploreArgs,
    services: &Services,
) -> Result<Exit, InputError> {
    // clap's `requires` does not see a switch that is off (it has a value,
    // false), so the search's own flags are checked here.
    if !args.exhaustive {
        let given = [
            ("--max-faults", args.max_faults.is_some()),
            ("--max-schedules", args.max_schedules.is_some()),
            ("--max-seconds", args.max_seconds.is_some()),
        ];
        if let Some((flag, _)) = given.iter().find(|(_, given)| *given) {
            return Err(InputError::plain(format!(
                "{flag} applies to an exhaustive search; expected --exhaustive with it, or no {flag}"
            )));
        }
    }
    let loaded = Loader::new().services(services).load(&args.file)?;
    for path in [&args.save_repro, &args.junit].into_iter().flatten() {
        output::check_writable(path)?;
    }
    if args.exhaustive {
        exhaustive_search(out, &args, &loaded)
    } else {
        seed_sweep(out, &args, &loaded)
    }
}

fn seed_sweep(out: &mut Output, args: &ExploreArgs, loaded: &Loaded) -> Result<Exit, InputError> {
    let (scenario, source) = (&loaded.scenario, &loaded.source);
    let seeds = args
        .seeds
        .expect("clap requires --seeds without --exhaustive");
    let config = SweepConfig {
        seeds,
        jobs: jobs(args),
        partition: args.partition,
        swarm: !args.no_swarm,
        check_determinism: args.check_determinism,
        check_quiet_time: args.check_quiet_time,
        options: RunOptions {
            panic_in: args.self_test_panic,
            skip_quiet_time: !args.no_skip_quiet_time,
            ..RunOptions::default()
        },
    };
    let mut bar = Progress::new(seeds.len(), "seeds");
    let result = sweep(scenario, &config, &mut |done| bar.set(done));
    bar.finish();
    let header = format!(
        "explore {}: {} {}, seeds {}, {}{}",
        args.file.display(),
        scenario.api.noun(),
        scenario.api.name(),
        seeds,
        if config.swarm {
            "swarm fault profiles"
        } else {
            "the scenario's fault rates"
        },
        args.partition
            .map(|p| format!(", partition {p}"))
            .unwrap_or_default()
    );
    let json = args.format == Format::Json;
    let text = if json {
        report::sweep_json(scenario, source, &result, config.mode())
    } else {
        report::sweep_text(scenario, source, &result, config.mode(), &header)
    };
    out.write(&text);
    let unreached = report::unreached(scenario, &result.reach);
    if let Some(path) = &args.junit {
        let cases = junit::sweep_cases(&args.file, scenario, source, &config, &result, &unreached);
        output::write_file(path, &junit::render("idemsim explore", &cases))?;
    }
    if let Some(path) = &args.save_repro {
        // Every kept failing seed with a violation, lowest first: the first
        // that reproduces with targeted faults only is shrunk and saved.
        let failing: Vec<(u64, Vec<ViolationKind>)> = result
            .failures
            .iter()
            .filter(|f| !f.found.is_empty())
            .map(|f| (f.seed, f.found.clone()))
            .collect();
        let text = if failing.is_empty() {
            report::no_repro("nothing to shrink: no seed showed a violation", json)
        } else {
            let reproduced = shrink::first_reproducible(&failing, |seed| {
                let ran = scenario_for(scenario, seed, config.swarm);
                let run = run_with(&ran, Some(seed), config.mode(), config.options);
                shrink::explicit_of(&ran, &run)
            });
            save_reproduced(scenario, source, &reproduced, path, json)?
        };
        out.write(&text);
    }
    Ok(Exit::met(
        result.failures_total == 0 && unreached.is_empty() && !result.shows_nothing(scenario),
    ))
}

fn exhaustive_search(
    out: &mut Output,
    args: &ExploreArgs,
    loaded: &Loaded,
) -> Result<Exit, InputError> {
    let (scenario, source) = (&loaded.scenario, &loaded.source);
    let max_faults = args.max_faults.unwrap_or(DEFAULT_MAX_FAULTS);
    let budget = exhaustive::Budget {
        max_schedules: args.max_schedules.unwrap_or(limits::DEFAULT_MAX_SCHEDULES),
        max_seconds: args
            .max_seconds
            .unwrap_or(limits::DEFAULT_MAX_SEARCH_SECONDS),
    };
    let plan = exhaustive::plan(scenario, max_faults, budget)
        .map_err(|e| InputError::plain(e.to_string()))?;
    // The cost, known before the search starts.
    eprintln!(
        "exhaustive search: {} candidate faults, {} schedules of up to {} faults, at least {} s of one core (budget {} s)",
        plan.candidates,
        plan.schedules,
        plan.max_faults,
        plan.estimate().seconds_text(),
        plan.max_seconds
    );
    let mut bar = Progress::new(plan.schedules, "schedules");
    let result = exhaustive::search(scenario, plan, jobs(args), &mut |done| bar.set(done));
    bar.finish();
    let header = format!(
        "exhaustive search of {}: {} {}",
        args.file.display(),
        scenario.api.noun(),
        scenario.api.name()
    );
    let json = args.format == Format::Json;
    out.write(&if json {
        report::exhaustive_json(&result, source)
    } else {
        report::exhaustive_text(&result, source, &header)
    });
    if let (Some(path), Some((kind, schedule))) = (&args.save_repro, result.first.iter().next()) {
        let s = result.scenario_of(schedule);
        // A schedule is targeted faults already: it shrinks as it is.
        let reproduced =
            shrink::first_reproducible(&[(scenario.seed, vec![*kind])], |_| (s.clone(), 0));
        out.write(&save_reproduced(scenario, source, &reproduced, path, json)?);
    } else if args.save_repro.is_some() {
        out.write(&report::no_repro(
            "nothing to shrink: no schedule showed a violation",
            json,
        ));
    }
    // A search stopped at its budget did not complete, as a run that
    // reached a limit does not: it cannot pass for one that held.
    Ok(Exit::met(result.first.is_empty() && !result.stopped))
}

/// Writes the repro `reproduced` found, if any, to `path`; returns what to
/// print about it.
fn save_reproduced(
    original: &Scenario,
    source: &Provenance,
    reproduced: &Reproduced,
    path: &Path,
    json: bool,
) -> Result<String, InputError> {
    if let Some((shrunk, _)) = &reproduced.shrunk {
        shrink::write_repro(original, shrunk, path)?;
    }
    let shown = path.display().to_string();
    Ok(if json {
        report::repro_json(reproduced, &shown)
    } else {
        report::repro_text(reproduced, source, &shown)
    })
}

/// The threads asked for: clap's range (`limits::MAX_JOBS`) keeps it small.
fn jobs(args: &ExploreArgs) -> usize {
    usize::try_from(args.jobs).expect("MAX_JOBS keeps --jobs inside usize")
}
