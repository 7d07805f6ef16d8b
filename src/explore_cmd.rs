//! `idemsim explore`: the command-line face of [`idemsim::explore`].

use clap::Args;
use idemsim::error::InputError;
use idemsim::explore::exhaustive;
use idemsim::explore::shrink::{self, Shrunk, Size};
use idemsim::explore::sweep::{Partition, SweepConfig, scenario_for, sweep};
use idemsim::report::explore as report;
use idemsim::run::run_scenario;
use idemsim::scenario::{Scenario, load_scenario};
use idemsim::suite::SeedRange;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Search for runs that break the scenario's design.
#[derive(Args)]
pub struct ExploreArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// Seeds to sweep, `A..B` (B excluded) or `A..=B`.
    #[arg(long, value_parser = SeedRange::parse, required_unless_present = "exhaustive")]
    seeds: Option<SeedRange>,
    /// Threads to run seeds on (one simulation per thread at a time).
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Run only a share of the seeds: `slice:M/N` (every Nth) or `hash:M/N`.
    #[arg(long, value_parser = Partition::parse)]
    partition: Option<Partition>,
    /// Use the scenario's own random fault rates instead of letting each seed pick them.
    #[arg(long)]
    no_swarm: bool,
    /// Instead of seeds, try every placement of up to --max-faults targeted faults.
    #[arg(long)]
    exhaustive: bool,
    /// The most faults one schedule places, with --exhaustive.
    #[arg(long, default_value_t = 2)]
    max_faults: usize,
    /// Shrink the first failure and write it as a scenario file with targeted faults only.
    #[arg(long, value_name = "PATH")]
    save_repro: Option<PathBuf>,
    /// Run each seed twice and fail if the two histories differ.
    #[arg(long)]
    check_determinism: bool,
    /// Also write a JUnit XML report: one test case per failing seed, one for
    /// the seeds that passed, and the seeds of other partitions as skipped.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: crate::Format,
}

/// Runs the command; the exit code per DESIGN.md (1: some run showed a violation).
pub fn explore(args: ExploreArgs) -> u8 {
    let scenario = match load_scenario(&args.file) {
        Ok(s) => s,
        Err(e) => return crate::bad_input_code(&e),
    };
    if args.exhaustive {
        exhaustive_search(&args, &scenario)
    } else {
        seed_sweep(&args, &scenario)
    }
}

fn seed_sweep(args: &ExploreArgs, scenario: &Scenario) -> u8 {
    let seeds = args
        .seeds
        .clone()
        .expect("clap requires --seeds without --exhaustive");
    let config = SweepConfig {
        seeds: seeds.clone(),
        jobs: args.jobs,
        partition: args.partition,
        swarm: !args.no_swarm,
        check_determinism: args.check_determinism,
    };
    let mut bar = Progress::new(seeds.len());
    let result = sweep(scenario, &config, &mut |done| bar.show(done));
    bar.clear();
    let header = format!(
        "explore {}: design {}, seeds {}..{}, {}{}",
        args.file.display(),
        scenario.design.name,
        seeds.start,
        seeds.end,
        if config.swarm {
            "swarm fault profiles"
        } else {
            "the scenario's fault rates"
        },
        args.partition
            .map(|p| format!(", partition {p}"))
            .unwrap_or_default()
    );
    let mut out = match args.format {
        crate::Format::Human => report::sweep_text(scenario, &result, &header),
        crate::Format::Json => report::sweep_json(scenario, &result),
    };
    let unreached = report::unreached(&result.reach, &scenario.must_reach);
    if let Some(path) = &args.junit {
        let cases = junit_cases(args, scenario, &config, &result, &unreached);
        let text = idemsim::report::junit::render("idemsim explore", &cases);
        if let Err(e) = idemsim::report::outputs::write(path, &text) {
            return crate::bad_input_code(&e);
        }
    }
    if let Some(path) = &args.save_repro {
        let first = result.failures.iter().find(|f| !f.found.is_empty());
        match first {
            Some(f) => {
                let explicit = shrink::make_explicit(
                    &scenario_for(scenario, f.seed, config.swarm),
                    &run_scenario(&scenario_for(scenario, f.seed, config.swarm), Some(f.seed)),
                );
                out.push_str(&save_shrunk(scenario, &explicit, f.seed, f.found[0], path));
            }
            None => out.push_str("nothing to shrink: no seed showed a violation\n"),
        }
    }
    print(&out);
    u8::from(result.failures_total > 0 || !unreached.is_empty())
}

/// The JUnit cases of a sweep. Seeds of other partitions are listed one by
/// one as skipped (up to [`MAX_LISTED_SKIPPED`], then as one case).
fn junit_cases(
    args: &ExploreArgs,
    scenario: &Scenario,
    config: &SweepConfig,
    result: &idemsim::explore::sweep::SweepReport,
    unreached: &[&str],
) -> Vec<idemsim::report::junit::Case> {
    use idemsim::report::junit::{Case, Outcome, seed_case};
    let path = args.file.as_path();
    let classname = path.display().to_string();
    let mut cases: Vec<Case> = result
        .failures
        .iter()
        .map(|f| {
            let replay = idemsim::run::replay_command_with(scenario, f.seed, config.swarm);
            let mut case = seed_case(path, f.seed, Outcome::Failed, &f.violations, Some(&replay));
            if f.violations.is_empty() {
                case.message = Some(match &f.nondeterminism {
                    Some(nd) => format!("not deterministic: {nd}"),
                    None => format!("the run did not complete: {:?}", f.end),
                });
            }
            case
        })
        .collect();
    let passed = result.ran - result.failures_total;
    let mut summary = Case::new(
        format!(
            "seeds {}..{}: {passed} passed",
            config.seeds.start, config.seeds.end
        ),
        classname.clone(),
        if unreached.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Failed
        },
    );
    if !unreached.is_empty() {
        summary.message = Some(format!("phases never reached: {}", unreached.join(", ")));
    }
    cases.push(summary);
    if let Some(partition) = config.partition {
        if result.skipped <= MAX_LISTED_SKIPPED {
            for index in 0..config.seeds.len() {
                let seed = config.seeds.start + index;
                if !partition.includes(index, seed) {
                    let mut case = seed_case(path, seed, Outcome::Skipped, &[], None);
                    case.message = Some(format!("run by another partition than {partition}"));
                    cases.push(case);
                }
            }
        } else {
            let mut case = Case::new(
                format!("{} seeds of other partitions", result.skipped),
                classname,
                Outcome::Skipped,
            );
            case.message = Some(format!("run by another partition than {partition}"));
            cases.push(case);
        }
    }
    cases
}

/// Skipped seeds listed one by one in a JUnit file, at most.
const MAX_LISTED_SKIPPED: u64 = 100_000;

fn exhaustive_search(args: &ExploreArgs, scenario: &Scenario) -> u8 {
    let mut bar = Progress::new(0);
    let result = match exhaustive::search(scenario, args.max_faults, args.jobs, &mut |done| {
        bar.show(done)
    }) {
        Ok(r) => r,
        Err(message) => return crate::bad_input_code(&InputError::plain(message)),
    };
    bar.clear();
    let header = format!(
        "exhaustive search of {}: design {}",
        args.file.display(),
        scenario.design.name
    );
    let mut out = match args.format {
        crate::Format::Human => report::exhaustive_text(&result, &header),
        crate::Format::Json => report::exhaustive_json(&result),
    };
    if let (Some(path), Some((kind, schedule))) = (&args.save_repro, result.first.iter().next()) {
        let mut s = exhaustive::base(scenario);
        s.faults = schedule.clone();
        out.push_str(&save_shrunk(scenario, &s, scenario.seed, *kind, path));
    }
    print(&out);
    u8::from(!result.first.is_empty())
}

/// Shrinks `explicit` (a failing scenario with targeted faults only) and
/// writes it to `path`; returns the lines that say so.
fn save_shrunk(
    original: &Scenario,
    explicit: &Scenario,
    seed: u64,
    violation: idemsim::scenario::ViolationKind,
    path: &PathBuf,
) -> String {
    let Some(shrunk) = shrink::shrink(explicit, seed, violation) else {
        return format!(
            "could not reproduce {} with targeted faults only (seed {seed}); no file written\n",
            violation.name()
        );
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let named = named_repro(original, &shrunk);
    let text = idemsim::scenario::write::to_toml(&named, dir);
    let shown = path.display().to_string();
    match std::fs::write(path, text) {
        Ok(()) => report::shrunk_text(&Size::of(explicit), &shrunk, Some(&shown)),
        Err(e) => format!("could not write {shown}: {e}\n"),
    }
}

fn named_repro(original: &Scenario, shrunk: &Shrunk) -> Scenario {
    let mut s = shrunk.scenario.clone();
    s.name = format!("{} (shrunk: {})", original.name, shrunk.violation.name());
    s.description = format!(
        "A smallest scenario found by idemsim explore that shows {} on seed {}, with targeted faults only.",
        shrunk.violation.name(),
        shrunk.seed
    );
    s
}

fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// A progress line on stderr when it is a terminal.
struct Progress {
    enabled: bool,
    total: u64,
}

impl Progress {
    fn new(total: u64) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            total,
        }
    }

    fn show(&mut self, done: u64) {
        if self.enabled && done.is_multiple_of(100) {
            if self.total > 0 {
                let width = 30;
                let filled = (done * width / self.total.max(1)) as usize;
                eprint!(
                    "\r  [{}{}] {done}/{}",
                    "#".repeat(filled),
                    " ".repeat(width as usize - filled.min(width as usize)),
                    self.total
                );
            } else {
                eprint!("\r  {done} runs");
            }
        }
    }

    fn clear(&mut self) {
        if self.enabled {
            eprint!("\r{:70}\r", "");
        }
    }
}
