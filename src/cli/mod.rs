//! The `idemsim` command line: parses flags, calls the library, writes what
//! the reporters make, and maps results to exit codes in one place
//! ([`Exit`]). `src/main.rs` is one call to [`main`].
//!
//! Output behaves as a Unix tool's should: when standard output is a closed
//! pipe (`idemsim designs | head -1`) the command stops writing and finishes
//! quietly with the exit code its results give; any other failed write is
//! an error with a message and exit code 2. Progress goes to standard error,
//! only when it is a terminal.

mod explore;
mod output;
mod progress;

use crate::error::InputError;
use crate::report::suite as suite_report;
use crate::report::{Color, diff as report_diff, html, human, json, junit, mermaid, schema};
use crate::run::{Mode, run_with};
use crate::scenario::{Loaded, Loader};
use crate::seeds::SeedRange;
use crate::service::Services;
use crate::suite::{CheckConfig, Totals, check_file, collect_files};
use crate::world::RunOptions;
use clap::{Parser, Subcommand, ValueEnum};
use output::Output;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes (a contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every expectation was met.
    Met = 0,
    /// An expectation was not met, or a run did not complete (a limit, a panic).
    NotMet = 1,
    /// Bad input: an unreadable or invalid scenario, a bad flag, or output
    /// that could not be written.
    BadInput = 2,
}

impl Exit {
    fn met(met: bool) -> Exit {
        if met { Exit::Met } else { Exit::NotMet }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

#[derive(Parser)]
#[command(
    name = "idemsim",
    version,
    about = "Deterministic failure-injection simulator for idempotent payment APIs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    /// A narrated timeline and a verdict.
    Human,
    /// JSON Lines: one object per event, the last a summary.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Diagram {
    /// A Mermaid `sequenceDiagram`, which GitHub renders in Markdown.
    Mermaid,
}

/// `--log`'s filter, checked as `tracing_subscriber` reads it.
fn parse_log(text: &str) -> Result<crate::world::logs::LogFilter, String> {
    crate::world::logs::LogFilter::new(text)
}

pub(crate) fn parse_host(text: &str) -> Result<crate::history::Host, String> {
    use crate::history::Host;
    match text {
        "api" => Ok(Host::Api),
        "keys" => Ok(Host::Keys),
        "ledger" => Ok(Host::Ledger),
        "driver" => Ok(Host::Driver),
        "checker" => Ok(Host::Checker),
        other => other
            .strip_prefix("client-")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n >= 1)
            .map(|n| Host::Client(crate::scenario::ClientIx(n - 1)))
            .ok_or_else(|| format!("`{other}` is not a host; expected api, keys, ledger, client-N, driver or checker")),
    }
}

fn parse_seeds(text: &str) -> Result<SeedRange, String> {
    SeedRange::parse(text)
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and print its timeline and verdict.
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Seed for every random choice; defaults to the scenario's `seed`.
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Print a sequence diagram of the run instead of the report.
        #[arg(long, value_enum)]
        diagram: Option<Diagram>,
        /// Also write a self-contained HTML report to this file.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Let the seed pick the random fault profile, as `explore` does
        /// (the replay of a swarm seed).
        #[arg(long, conflicts_with = "only_faults")]
        swarm: bool,
        /// Set aside the scenario's own faults and random fault rates and run
        /// only the `--fault` faults (the replay of an exhaustive schedule).
        #[arg(long)]
        only_faults: bool,
        /// A targeted fault as an inline TOML table, such as
        /// '{ kind = "drop-response", transfer = "t1", attempt = 1 }'; repeatable.
        #[arg(long = "fault", value_name = "TOML", requires = "only_faults")]
        faults: Vec<String>,
        /// Run every millisecond: never skip quiet time.
        #[arg(long)]
        no_skip_quiet_time: bool,
        /// Keep the service's own `tracing` events in the history, as
        /// `tracing_subscriber::EnvFilter` directives select them
        /// (`info`, `info,my_crate=debug`); off by default.
        #[arg(long, value_name = "FILTER", value_parser = parse_log)]
        log: Option<crate::world::logs::LogFilter>,
        /// A self-test of the failure path: make code in this host (`api`,
        /// `keys`, `ledger`, `client-1`, `driver`, `checker`) panic.
        #[arg(long, value_name = "HOST", hide = true, value_parser = parse_host)]
        self_test_panic: Option<crate::history::Host>,
    },
    /// Run every scenario under the paths and check each against its `[expect]`.
    Check {
        /// Scenario files, or directories searched recursively for `.toml` files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Run each scenario over a seed range, `A..B` (B excluded) or `A..=B`;
        /// `[expect] seeds` says whether every seed or some seed must meet it.
        #[arg(long, value_parser = parse_seeds)]
        seeds: Option<SeedRange>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Also write a JUnit XML report (one test case per scenario) to this file.
        #[arg(long, value_name = "PATH")]
        junit: Option<PathBuf>,
        /// Also write a self-contained HTML report of every scenario to this file.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Run every millisecond: never skip quiet time.
        #[arg(long)]
        no_skip_quiet_time: bool,
        #[arg(long, value_name = "HOST", hide = true, value_parser = parse_host)]
        self_test_panic: Option<crate::history::Host>,
    },
    /// Run one scenario and seed under two designs and show where they diverge.
    Diff {
        /// The scenario file (TOML).
        file: PathBuf,
        /// A design to compare, given twice: a built-in name, a design file,
        /// or the name of a service this program offers.
        #[arg(long = "design", value_name = "DESIGN", required = true, num_args = 1)]
        designs: Vec<String>,
        /// Seed for every random choice; defaults to the scenario's `seed`.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Sweep seeds (or every small fault schedule) for runs that break the design.
    Explore(explore::ExploreArgs),
    /// Print the JSON Schema of the scenario file format (or, with
    /// `--design`, of the design file format; with `--history`, of an event
    /// as `--format json` prints it).
    Schema {
        /// The design file format instead of the scenario's.
        #[arg(long, conflicts_with = "history")]
        design: bool,
        /// An event of a run's history, as a JSON Lines `event` line's `data`.
        #[arg(long)]
        history: bool,
    },
    /// List the built-in designs.
    Designs,
}

/// Runs the command line: parses `std::env::args`, runs, and returns the exit code.
pub fn main() -> ExitCode {
    main_with(Services::new())
}

/// The command line of a program that offers `services` to its scenarios
/// (`service = "…"`): every command of `idemsim` works on them. A crate
/// that tests its own payment service adds a file such as
/// `examples/idemsim.rs`:
///
/// ```no_run
/// # fn payments() -> idemsim::Service { unimplemented!() }
/// fn main() -> std::process::ExitCode {
///     idemsim::cli::main_with(
///         idemsim::Services::new()
///             .with(payments())
///             .program("cargo run --example idemsim --"),
///     )
/// }
/// ```
///
/// and runs `cargo run --example idemsim -- check scenarios/`.
pub fn main_with(services: Services) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::BadInput
            } else {
                Exit::Met
            }
            .into();
        }
    };
    let mut out = Output::stdout();
    let exit = match execute(cli.command, &mut out, &services) {
        Ok(exit) => exit,
        Err(error) => {
            out.flush_quietly();
            eprintln!("error: {error}");
            Exit::BadInput
        }
    };
    match out.finish() {
        Ok(()) => exit.into(),
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            Exit::BadInput.into()
        }
    }
}

fn execute(command: Command, out: &mut Output, services: &Services) -> Result<Exit, InputError> {
    match command {
        Command::Run {
            file,
            seed,
            format,
            diagram,
            html,
            swarm,
            only_faults,
            faults,
            no_skip_quiet_time,
            log,
            self_test_panic,
        } => {
            let mode = if swarm {
                Mode::Swarm
            } else if only_faults {
                Mode::OnlyFaults
            } else {
                Mode::Plain
            };
            let options = RunOptions {
                panic_in: self_test_panic,
                skip_quiet_time: !no_skip_quiet_time,
                log,
                ..RunOptions::default()
            };
            let (loaded, seed) = scenario_in_mode(&file, seed, mode, &faults, services)?;
            run(
                out,
                &loaded,
                seed,
                mode,
                format,
                diagram,
                html.as_deref(),
                options,
            )
        }
        Command::Check {
            paths,
            seeds,
            format,
            junit,
            html,
            no_skip_quiet_time,
            self_test_panic,
        } => {
            let options = RunOptions {
                panic_in: self_test_panic,
                skip_quiet_time: !no_skip_quiet_time,
                ..RunOptions::default()
            };
            let files = (junit.as_deref(), html.as_deref());
            check(out, &paths, seeds, format, files, options, services)
        }
        Command::Diff {
            file,
            designs,
            seed,
        } => diff(out, &file, &designs, seed, services),
        Command::Schema { design, history } => {
            out.write(&if design {
                schema::design_schema_json()
            } else if history {
                schema::history_schema_json()
            } else {
                schema::scenario_schema_json()
            });
            Ok(Exit::Met)
        }
        Command::Explore(args) => explore::explore(out, args, services),
        Command::Designs => designs(out, services),
    }
}

/// The scenario a run of `file` in `mode` runs, with where it came from,
/// and the seed: the command line's `--seed` and faults are applied here,
/// to the data, never stored in it.
pub(crate) fn scenario_in_mode(
    file: &Path,
    seed: Option<u64>,
    mode: Mode,
    faults: &[String],
    services: &Services,
) -> Result<(Loaded, u64), InputError> {
    let Loaded { scenario, source } = Loader::new().services(services).load(file)?;
    let seed = seed.unwrap_or(scenario.seed);
    let scenario = match mode {
        Mode::Plain => scenario,
        Mode::Swarm => crate::explore::swarm::scenario_for(&scenario, seed, true),
        Mode::OnlyFaults => {
            let mut spec = crate::explore::exhaustive::base(&scenario).to_spec();
            for text in faults {
                spec.targeted.push(parse_fault(text)?);
            }
            scenario.with_spec(&spec)?
        }
    };
    Ok((Loaded { scenario, source }, seed))
}

/// A `--fault` value: an inline TOML table in the scenario file's `[[fault]]` form.
fn parse_fault(text: &str) -> Result<crate::fault::FaultSpec, InputError> {
    #[derive(serde::Deserialize)]
    struct One {
        fault: crate::fault::FaultSpec,
    }
    let doc = format!("fault = {text}");
    toml::from_str::<One>(&doc).map(|one| one.fault).map_err(|e| {
        InputError::plain(format!(
            "--fault {}: {}; expected an inline table such as '{{ kind = \"drop-response\", transfer = \"t1\", attempt = 1 }}'",
            crate::text::escape(text),
            e.message().trim()
        ))
    })
}

#[allow(clippy::too_many_arguments)]
fn run(
    out: &mut Output,
    loaded: &Loaded,
    seed: u64,
    mode: Mode,
    format: Format,
    diagram: Option<Diagram>,
    html_path: Option<&Path>,
    options: RunOptions,
) -> Result<Exit, InputError> {
    let (scenario, source) = (&loaded.scenario, &loaded.source);
    if let Some(path) = html_path {
        output::check_writable(path)?;
    }
    let run = run_with(scenario, Some(seed), mode, options);
    if let Some(path) = html_path {
        output::write_file(path, &html::run_page(scenario, source, &run))?;
    }
    let text = match (diagram, format) {
        (Some(Diagram::Mermaid), _) => mermaid::render(scenario, &run),
        (None, Format::Human) => human::render(scenario, source, &run, out.color()),
        (None, Format::Json) => json::render(scenario, source, &run),
    };
    out.write(&text);
    Ok(Exit::met(run.verdict.met))
}

fn check(
    out: &mut Output,
    paths: &[PathBuf],
    seeds: Option<SeedRange>,
    format: Format,
    (junit_path, html_path): (Option<&Path>, Option<&Path>),
    options: RunOptions,
    services: &Services,
) -> Result<Exit, InputError> {
    let files = collect_files(paths)?;
    for path in [junit_path, html_path].into_iter().flatten() {
        output::check_writable(path)?;
    }
    let color = out.color();
    let config = CheckConfig {
        seeds,
        keep_runs: junit_path.is_some() || html_path.is_some(),
        options,
    };
    let seeds_per_file = seeds.map_or(1, |s| s.len());
    let mut bar = progress::Progress::new(files.len() as u64 * seeds_per_file, "seeds");
    let mut results = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let before = index as u64 * seeds_per_file;
        let result = check_file(file, services, config, &mut |done| bar.set(before + done));
        let text = match format {
            Format::Human => suite_report::line(&result, color),
            Format::Json => suite_report::json_line(&result),
        };
        bar.suspend(|| out.write(&text));
        results.push(result);
    }
    bar.finish();
    out.write(&match format {
        Format::Human => suite_report::total(&results),
        Format::Json => suite_report::json_total(&results),
    });
    if let Some(path) = junit_path {
        let cases: Vec<junit::Case> = results.iter().map(junit::check_case).collect();
        output::write_file(path, &junit::render("idemsim check", &cases))?;
    }
    if let Some(path) = html_path {
        output::write_file(path, &html::check_page(&results))?;
    }
    let totals = Totals::of(&results);
    Ok(if totals.invalid > 0 {
        Exit::BadInput
    } else {
        Exit::met(totals.met())
    })
}

fn diff(
    out: &mut Output,
    file: &Path,
    designs: &[String],
    seed: Option<u64>,
    services: &Services,
) -> Result<Exit, InputError> {
    let [a, b] = designs else {
        return Err(InputError::plain(format!(
            "`diff` takes two designs (--design A --design B); got {}",
            designs.len()
        )));
    };
    let mut sides = Vec::new();
    for design in [a, b] {
        let scenario = Loader::new()
            .services(services)
            .api(design)
            .load(file)?
            .scenario;
        let run = run_with(&scenario, seed, Mode::Plain, RunOptions::default());
        sides.push((scenario, run));
    }
    let side = |i: usize| report_diff::Side {
        scenario: &sides[i].0,
        run: &sides[i].1,
    };
    out.write(&report_diff::render(&side(0), &side(1)));
    // A teaching tool: whatever the designs do, the comparison succeeded.
    Ok(Exit::Met)
}

fn designs(out: &mut Output, services: &Services) -> Result<Exit, InputError> {
    for name in crate::design::builtin_names() {
        let design = crate::design::load_design(name, Path::new("."))
            .unwrap_or_else(|e| panic!("built-in design {name} is invalid: {e:?}"));
        out.write(&format!("{:<8} {}\n", design.name, design.summary));
    }
    out.write("\ndesign file knobs (`idemsim schema --design` has the full format):\n");
    let knobs = schema::design_knobs();
    let width = knobs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (knob, text) in knobs {
        out.write(&format!("  {knob:<width$}  {text}\n"));
    }
    if !services.is_empty() {
        out.write("\nservices this program offers (service = \"…\"):\n");
        for service in services.iter() {
            out.write(&format!(
                "{:<12} {}\n",
                crate::text::escape(service.name()),
                crate::text::escape(service.summary_text())
            ));
        }
    }
    Ok(Exit::Met)
}

/// The colour a report on standard output may use.
pub(crate) fn stdout_color() -> Color {
    Color::for_stdout()
}
