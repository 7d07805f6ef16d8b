//! `idemsim check`: every scenario under some paths, each judged against its
//! `[expect]`, on its own seed or over a seed range.

use crate::check::ViolationKind;
use crate::error::InputError;
use crate::explore::sweep::{Difference, first_difference};
use crate::run::{Mode, Replay, Run, run_with};
use crate::scenario::{ExpectOn, Loaded, Loader, Scenario};
use crate::seeds::SeedRange;
use crate::service::Services;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Why a run did not meet its scenario's expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Miss {
    /// The run stopped before it completed (a limit, a panic).
    DidNotComplete,
    /// It found other violations than expected.
    Violations,
    /// Its outcome counts differ from what `[expect]` asks.
    Outcomes,
    /// No transfer succeeded on any seed run, and the scenario does not say
    /// it expects that (`[expect] succeeded = 0`): such a check shows nothing
    /// about exactly-once (a route that answers 404 to everything holds
    /// every invariant).
    NothingSucceeded,
}

impl Miss {
    /// Why `run` of `scenario` missed its expectation, if it did.
    pub fn of(scenario: &Scenario, run: &Run) -> Option<Miss> {
        let v = &run.verdict;
        if v.met {
            None
        } else if v.end != crate::world::EndReason::Completed {
            Some(Miss::DidNotComplete)
        } else if v.found != v.expected {
            Some(Miss::Violations)
        } else {
            debug_assert!(!v.outcomes.misses(&scenario.expect).is_empty());
            Some(Miss::Outcomes)
        }
    }
}

/// What became of one scenario file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Verdict {
    /// The expectation was met (on every seed, or on some seed, as the scenario says).
    Passed { seeds_run: u64 },
    /// It was not: the seed that shows it and what that seed found.
    Failed {
        seed: u64,
        found: Vec<ViolationKind>,
        miss: Miss,
        replay: String,
        seeds_run: u64,
        /// The transfers' last answers: on the failing seed, or, when
        /// nothing succeeded, on every seed run.
        last_answers: crate::check::LastAnswers,
    },
    /// The file could not be read or is not a valid scenario.
    Invalid { error: String },
}

/// One line of `idemsim check`.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub path: PathBuf,
    pub name: String,
    pub expected: Vec<ViolationKind>,
    pub expect_on: Option<ExpectOn>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The run a report shows as evidence (the failing seed's, or the first
    /// seed's when it passed), when the check was asked to keep it.
    #[serde(skip)]
    pub shown: Option<(Loaded, Run)>,
    /// Two runs of one seed that differed, when the check ran seeds twice
    /// ([`check_services`] does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nondeterminism: Option<Nondeterminism>,
}

impl ScenarioResult {
    /// The expectation was met, and every seed run twice replayed.
    pub fn passed(&self) -> bool {
        matches!(self.verdict, Verdict::Passed { .. }) && self.nondeterminism.is_none()
    }

    pub fn invalid(&self) -> bool {
        matches!(self.verdict, Verdict::Invalid { .. })
    }
}

/// The counts of a whole `check`, the same in every report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub invalid: usize,
}

impl Totals {
    pub fn of(results: &[ScenarioResult]) -> Totals {
        let passed = results.iter().filter(|r| r.passed()).count();
        let invalid = results.iter().filter(|r| r.invalid()).count();
        Totals {
            scenarios: results.len(),
            passed,
            failed: results.len() - passed - invalid,
            invalid,
        }
    }

    /// Every expectation met and every file valid.
    pub fn met(&self) -> bool {
        self.passed == self.scenarios
    }
}

/// Every `.toml` file under `paths` (directories recursively), sorted, so the
/// order never depends on the file system. No file at all is bad input: a
/// check of nothing proves nothing.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files, 0)?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(InputError::file(path, "no such file or directory"));
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(InputError::plain(format!(
            "no scenario files under {}; expected .toml files or directories holding them",
            crate::text::list(&shown)
        )));
    }
    Ok(files)
}

/// Directories deeper than this are not searched (a symlink loop ends here).
const MAX_DEPTH: usize = 32;

fn walk(dir: &Path, files: &mut Vec<PathBuf>, depth: usize) -> Result<(), InputError> {
    if depth > MAX_DEPTH {
        return Err(InputError::file(
            dir,
            format!("directories nest deeper than {MAX_DEPTH}; expected a tree of scenario files"),
        ));
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError::file(dir, format!("cannot read directory: {e}")))?;
    for entry in entries {
        let path = entry
            .map_err(|e| InputError::file(dir, format!("cannot read directory: {e}")))?
            .path();
        if path.is_dir() {
            walk(&path, files, depth + 1)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// How to check.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckConfig {
    /// Run each scenario over these seeds instead of its own.
    pub seeds: Option<SeedRange>,
    /// Keep the run a report shows (for `--junit` and `--html`).
    pub keep_runs: bool,
    /// How each run is driven.
    pub options: crate::world::RunOptions,
}

/// Checks one scenario file. `progress` is called after every seed with the
/// number of seeds run so far.
pub fn check_file(
    path: &Path,
    services: &Services,
    config: CheckConfig,
    progress: &mut dyn FnMut(u64),
) -> ScenarioResult {
    match Loader::new().services(services).load(path) {
        Ok(loaded) => check_scenario(&loaded, config, progress),
        Err(e) => invalid(path, &e),
    }
}

/// What became of a file that is not a valid scenario.
fn invalid(path: &Path, error: &InputError) -> ScenarioResult {
    ScenarioResult {
        path: path.to_path_buf(),
        name: String::new(),
        expected: Vec::new(),
        expect_on: None,
        verdict: Verdict::Invalid {
            error: error.to_string(),
        },
        shown: None,
        nondeterminism: None,
    }
}

/// Checks a loaded scenario.
pub fn check_scenario(
    loaded: &Loaded,
    config: CheckConfig,
    progress: &mut dyn FnMut(u64),
) -> ScenarioResult {
    check_scenario_runs(loaded, config, progress, &mut |_| {})
}

/// [`check_scenario`], handing every run to `each` as it ends.
fn check_scenario_runs(
    loaded: &Loaded,
    config: CheckConfig,
    progress: &mut dyn FnMut(u64),
    each: &mut dyn FnMut(&Run),
) -> ScenarioResult {
    let scenario = &loaded.scenario;
    let replay = |seed: u64| Replay::new(&loaded.source, scenario, seed, Mode::Plain).to_string();
    let range = config.seeds.unwrap_or(SeedRange::one(scenario.seed));
    let need_every = scenario.expect.seeds == ExpectOn::EverySeed;
    let mut first_miss: Option<(u64, Run)> = None;
    let mut first_run: Option<Run> = None;
    let mut seeds_run = 0;
    // A check shows something only if some transfer succeeded on some seed,
    // or the scenario says none should (see `Miss::NothingSucceeded`).
    let nothing_expected = scenario.expect.succeeded == Some(0);
    let mut any_success = nothing_expected;
    let mut answers = crate::check::LastAnswers::default();
    let mut first_seed_run: Option<(u64, Run)> = None;
    for seed in range.seeds() {
        let run = run_with(scenario, Some(seed), Mode::Plain, config.options);
        each(&run);
        seeds_run += 1;
        progress(seeds_run);
        any_success |= run.verdict.outcomes.succeeded > 0;
        answers.merge(&run.verdict.last_answers);
        let met = run.verdict.met;
        if met && !need_every && any_success {
            return result(loaded, Verdict::Passed { seeds_run }, config, Some(run));
        }
        if met && first_seed_run.is_none() && !any_success {
            first_seed_run = Some((seed, run.clone()));
        }
        if !met {
            first_miss = Some((seed, run));
            if need_every {
                break;
            }
        } else if first_run.is_none() && config.keep_runs {
            first_run = Some(run);
        }
    }
    // Otherwise met (on every seed, or on some seed) but nothing succeeded.
    let otherwise_met = if need_every {
        first_miss.is_none()
    } else {
        first_seed_run.is_some()
    };
    if !any_success && otherwise_met {
        let (seed, run) = first_seed_run
            .or(first_run.map(|run| (range.start(), run)))
            .expect("a met seed was kept");
        let verdict = Verdict::Failed {
            seed,
            found: run.verdict.found.clone(),
            miss: Miss::NothingSucceeded,
            replay: replay(seed),
            seeds_run,
            last_answers: answers,
        };
        return result(loaded, verdict, config, Some(run));
    }
    match first_miss {
        Some((seed, run)) if need_every || first_run.is_none() => {
            let verdict = Verdict::Failed {
                seed,
                found: run.verdict.found.clone(),
                miss: Miss::of(scenario, &run).expect("the run missed"),
                replay: replay(seed),
                seeds_run,
                last_answers: run.verdict.last_answers.clone(),
            };
            result(loaded, verdict, config, Some(run))
        }
        _ => result(loaded, Verdict::Passed { seeds_run }, config, first_run),
    }
}

fn result(
    loaded: &Loaded,
    verdict: Verdict,
    config: CheckConfig,
    run: Option<Run>,
) -> ScenarioResult {
    let scenario = &loaded.scenario;
    ScenarioResult {
        path: loaded.source.file.clone().unwrap_or_default(),
        name: scenario.name.clone(),
        expected: scenario.expect.violations.clone(),
        expect_on: Some(scenario.expect.seeds),
        verdict,
        shown: run
            .filter(|_| config.keep_runs)
            .map(|r| (loaded.clone(), r)),
        nondeterminism: None,
    }
}

/// Two runs of one seed of a scenario that differ, and where. Reports word
/// it (what each run did at the first event where they part) from the runs
/// kept here.
#[derive(Debug, Clone)]
pub struct Nondeterminism {
    pub seed: u64,
    /// Where the histories part, as `explore --check-determinism` compares
    /// them.
    pub difference: Difference,
    /// The scenario both runs ran, and where it came from.
    pub loaded: Loaded,
    /// The first run of the seed.
    pub first: Box<Run>,
    /// The second run of the seed.
    pub second: Box<Run>,
}

impl Nondeterminism {
    /// Whether `first` and `second`, two runs of one seed of `loaded`'s
    /// scenario, differ, and where.
    pub fn between(loaded: &Loaded, first: &Run, second: &Run) -> Option<Nondeterminism> {
        assert_eq!(first.seed, second.seed, "two runs of one seed");
        let difference = first_difference(&first.output.events, &second.output.events)?;
        Some(Nondeterminism {
            seed: first.seed,
            difference,
            loaded: loaded.clone(),
            first: Box::new(first.clone()),
            second: Box::new(second.clone()),
        })
    }

    /// When the runs part: the time of the first differing event.
    pub fn at_ms(&self) -> u64 {
        self.difference
            .first
            .as_ref()
            .or(self.difference.second.as_ref())
            .map_or(0, |e| e.at_ms)
    }

    /// The command that replays the seed (once: run it twice to compare).
    pub fn replay(&self) -> Replay {
        Replay::new(
            &self.loaded.source,
            &self.loaded.scenario,
            self.seed,
            Mode::Plain,
        )
    }
}

/// Why [`check_services`] failed: every scenario that missed its
/// expectation or could not be read, with what a person needs to see it
/// again.
#[derive(Clone)]
pub struct CheckFailure {
    pub results: Vec<ScenarioResult>,
}

impl std::error::Error for CheckFailure {}

/// How many seeds of each scenario [`check_services`] runs twice, to see
/// that they replay: the first this many it runs.
pub const DETERMINISM_SEEDS: u64 = 4;

/// How [`check_services_with`] checks: on which seeds, and how many of them
/// twice.
///
/// ```
/// use idemsim::SeedRange;
/// use idemsim::suite::ServicesCheck;
///
/// let thorough = ServicesCheck::default()
///     .seeds(SeedRange::parse("0..200").unwrap())
///     .determinism_seeds(20);
/// let no_replay_check = ServicesCheck::default().determinism_seeds(0);
/// # let _ = (thorough, no_replay_check);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServicesCheck {
    /// Run each scenario over these seeds instead of its own.
    pub seeds: Option<SeedRange>,
    /// Run the first this many seeds of each scenario a second time and
    /// fail the scenario if the two runs differ; 0 does not.
    pub determinism_seeds: u64,
}

impl Default for ServicesCheck {
    fn default() -> Self {
        ServicesCheck {
            seeds: None,
            determinism_seeds: DETERMINISM_SEEDS,
        }
    }
}

impl ServicesCheck {
    /// Run each scenario over `seeds` instead of its own seed.
    pub fn seeds(mut self, seeds: SeedRange) -> Self {
        self.seeds = Some(seeds);
        self
    }

    /// Run the first `count` seeds of each scenario twice (0: none).
    pub fn determinism_seeds(mut self, count: u64) -> Self {
        self.determinism_seeds = count;
        self
    }
}

/// Checks every scenario under `paths` (files, or directories searched for
/// `.toml` files) against its `[expect]`, with `services` offered to those
/// that name one, on each scenario's own seed or over `seeds`: the check of
/// `idemsim check`, for `cargo test`. It also runs the first
/// [`DETERMINISM_SEEDS`] seeds of each scenario twice and fails the scenario
/// if the two runs differ (a service that keeps state across runs, say);
/// [`check_services_with`] sets how many, or none.
///
/// ```no_run
/// # fn my_services() -> idemsim::Services { idemsim::Services::new() }
/// #[test]
/// fn payments_never_lose_or_double_money() {
///     idemsim::suite::check_services(["scenarios/payments"], &my_services(), None).unwrap();
/// }
/// ```
///
/// A failure lists each scenario that missed: the seed, the violations it
/// found and the command that replays it; for two runs that differ, what
/// each did at the first event where they part, side by side.
pub fn check_services<P: AsRef<Path>>(
    paths: impl IntoIterator<Item = P>,
    services: &Services,
    seeds: Option<SeedRange>,
) -> Result<Totals, CheckFailure> {
    let check = ServicesCheck {
        seeds,
        ..ServicesCheck::default()
    };
    check_services_with(paths, services, check)
}

/// [`check_services`], checking as `check` says.
pub fn check_services_with<P: AsRef<Path>>(
    paths: impl IntoIterator<Item = P>,
    services: &Services,
    check: ServicesCheck,
) -> Result<Totals, CheckFailure> {
    let paths: Vec<PathBuf> = paths
        .into_iter()
        .map(|p| p.as_ref().to_path_buf())
        .collect();
    let files = match collect_files(&paths) {
        Ok(files) => files,
        Err(e) => {
            let path = paths.first().cloned().unwrap_or_default();
            return Err(CheckFailure {
                results: vec![invalid(&path, &e)],
            });
        }
    };
    let config = CheckConfig {
        seeds: check.seeds,
        ..CheckConfig::default()
    };
    let results: Vec<ScenarioResult> = files
        .iter()
        .map(|file| check_file_twice(file, services, config, check.determinism_seeds))
        .collect();
    let totals = Totals::of(&results);
    if totals.met() {
        Ok(totals)
    } else {
        Err(CheckFailure { results })
    }
}

/// Checks one file as [`check_file`] does, and runs the first `twice` seeds
/// a second time, comparing the two histories as `explore
/// --check-determinism` does.
fn check_file_twice(
    path: &Path,
    services: &Services,
    config: CheckConfig,
    twice: u64,
) -> ScenarioResult {
    let loaded = match Loader::new().services(services).load(path) {
        Ok(loaded) => loaded,
        Err(e) => return invalid(path, &e),
    };
    let mut compared = 0;
    let mut nondeterminism = None;
    let mut compare = |run: &Run| {
        if compared >= twice || nondeterminism.is_some() {
            return;
        }
        compared += 1;
        let again = run_with(&loaded.scenario, Some(run.seed), run.mode, config.options);
        nondeterminism = Nondeterminism::between(&loaded, run, &again);
    };
    let mut result = check_scenario_runs(&loaded, config, &mut |_| {}, &mut compare);
    result.nondeterminism = nondeterminism;
    result
}
