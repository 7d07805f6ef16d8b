//! The `idemsim` command: a thin layer over the library.

mod explore_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use idemsim::error::InputError;
use idemsim::report::diff as report_diff;
use idemsim::report::suite as suite_report;
use idemsim::report::{Color, html, human, json, mermaid, outputs, schema};
use idemsim::run::run_scenario;
use idemsim::scenario::load_scenario;
use idemsim::suite::{SeedRange, Verdict, check_file, collect_files};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes (a contract).
mod exit {
    /// Every expectation was met.
    pub const MET: u8 = 0;
    /// An expectation was not met.
    pub const NOT_MET: u8 = 1;
    /// Bad input: an unreadable or invalid scenario, or a bad flag.
    pub const BAD_INPUT: u8 = 2;
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

#[derive(Clone, Copy, ValueEnum)]
enum Format {
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
        #[arg(long)]
        swarm: bool,
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
    },
    /// Run one scenario and seed under two designs and show where they diverge.
    Diff {
        /// The scenario file (TOML).
        file: PathBuf,
        /// A design to compare, given twice: a built-in name or a design file.
        #[arg(long = "design", value_name = "DESIGN", required = true)]
        designs: Vec<String>,
        /// Seed for every random choice; defaults to the scenario's `seed`.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Sweep seeds (or every small fault schedule) for runs that break the design.
    Explore(explore_cmd::ExploreArgs),
    /// Print the JSON Schema of the scenario file format.
    Schema,
    /// List the built-in designs.
    Designs,
}

fn parse_seeds(text: &str) -> Result<SeedRange, String> {
    SeedRange::parse(text)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::BAD_INPUT
            } else {
                exit::MET
            });
        }
    };
    match cli.command {
        Command::Run {
            file,
            seed,
            format,
            diagram,
            html,
            swarm,
        } => run(file, seed, format, diagram, html, swarm),
        Command::Check {
            paths,
            seeds,
            format,
            junit,
            html,
        } => check(&paths, seeds.as_ref(), format, (junit, html)),
        Command::Diff {
            file,
            designs,
            seed,
        } => diff(&file, &designs, seed),
        Command::Schema => {
            print!("{}", schema::scenario_schema_json());
            ExitCode::from(exit::MET)
        }
        Command::Explore(args) => ExitCode::from(explore_cmd::explore(args)),
        Command::Designs => designs(),
    }
}

/// Reports bad input on stderr; the exit code for it.
fn bad_input_code(error: &InputError) -> u8 {
    eprintln!("error: {error}");
    exit::BAD_INPUT
}

fn bad_input(error: &InputError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(exit::BAD_INPUT)
}

fn run(
    file: PathBuf,
    seed: Option<u64>,
    format: Format,
    diagram: Option<Diagram>,
    html_path: Option<PathBuf>,
    swarm: bool,
) -> ExitCode {
    let scenario = match load_scenario(&file) {
        Ok(s) => s,
        Err(e) => return bad_input(&e),
    };
    let scenario = if swarm {
        idemsim::explore::sweep::scenario_for(&scenario, seed.unwrap_or(scenario.seed), true)
    } else {
        scenario
    };
    let run = run_scenario(&scenario, seed);
    if let Some(path) = html_path
        && let Err(e) = outputs::write(&path, &html::run_page(&scenario, &run))
    {
        return bad_input(&e);
    }
    let text = match (diagram, format) {
        (Some(Diagram::Mermaid), _) => mermaid::render(&scenario, &run),
        (None, Format::Human) => human::render(&scenario, &run, Color::for_stdout()),
        (None, Format::Json) => json::render(&scenario, &run),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    ExitCode::from(if run.verdict.met {
        exit::MET
    } else {
        exit::NOT_MET
    })
}

/// Report files `check` writes: `--junit` and `--html`.
type CheckFiles = (Option<PathBuf>, Option<PathBuf>);

fn check(
    paths: &[PathBuf],
    seeds: Option<&SeedRange>,
    format: Format,
    files_out: CheckFiles,
) -> ExitCode {
    let files = match collect_files(paths) {
        Ok(files) => files,
        Err(e) => return bad_input(&e),
    };
    let color = Color::for_stdout();
    let mut progress = Progress::new(files.len(), seeds.map_or(1, |s| s.len()));
    let mut results = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for (index, file) in files.iter().enumerate() {
        let result = check_file(file, seeds, &mut |done| progress.show(index, done));
        progress.clear();
        let text = match format {
            Format::Human => suite_report::line(&result, color),
            Format::Json => suite_report::json_line(&result),
        };
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
        results.push(result);
    }
    let total = match format {
        Format::Human => suite_report::total(&results),
        Format::Json => suite_report::json_total(&results),
    };
    let _ = stdout.write_all(total.as_bytes());
    let _ = stdout.flush();
    let (junit_path, html_path) = files_out;
    if let Err(e) =
        outputs::write_check_files(&results, junit_path.as_deref(), html_path.as_deref())
    {
        return bad_input(&e);
    }
    if results
        .iter()
        .any(|r| matches!(r.verdict, Verdict::Invalid { .. }))
    {
        ExitCode::from(exit::BAD_INPUT)
    } else if results.iter().all(|r| r.passed()) {
        ExitCode::from(exit::MET)
    } else {
        ExitCode::from(exit::NOT_MET)
    }
}

/// A progress line on stderr, only when stderr is a terminal and the sweep is long.
struct Progress {
    enabled: bool,
    files: usize,
    seeds: u64,
}

impl Progress {
    fn new(files: usize, seeds: u64) -> Progress {
        use std::io::IsTerminal;
        Progress {
            enabled: std::io::stderr().is_terminal() && seeds > 1,
            files,
            seeds,
        }
    }

    fn show(&mut self, file_index: usize, seeds_done: u64) {
        if self.enabled && (seeds_done.is_multiple_of(50) || seeds_done == self.seeds) {
            eprint!(
                "\r  scenario {}/{}: seed {seeds_done}/{}   ",
                file_index + 1,
                self.files,
                self.seeds
            );
        }
    }

    fn clear(&mut self) {
        if self.enabled {
            eprint!("\r{:60}\r", "");
        }
    }
}

fn diff(file: &std::path::Path, designs: &[String], seed: Option<u64>) -> ExitCode {
    let [a, b] = designs else {
        return bad_input(&InputError::plain(format!(
            "`diff` takes two designs (--design A --design B); got {}",
            designs.len()
        )));
    };
    let mut sides = Vec::new();
    for design in [a, b] {
        match report_diff::scenario_with_design(file, design) {
            Ok(scenario) => {
                let run = run_scenario(&scenario, seed);
                sides.push((scenario, run));
            }
            Err(e) => return bad_input(&e),
        }
    }
    let side = |i: usize| report_diff::Side {
        scenario: &sides[i].0,
        run: &sides[i].1,
    };
    print!("{}", report_diff::render(&side(0), &side(1)));
    // A teaching tool: whatever the designs do, the comparison succeeded.
    ExitCode::from(exit::MET)
}

fn designs() -> ExitCode {
    for name in idemsim::design::builtin_names() {
        match idemsim::design::load_design(name, std::path::Path::new(".")) {
            Ok(d) => println!("{:<8} {}", d.name, d.summary),
            Err(_) => unreachable!("built-in designs are checked by the test suite"),
        }
    }
    ExitCode::from(exit::MET)
}
