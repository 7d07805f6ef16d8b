//! The `idemsim` command: a thin layer over the library.

use clap::{Parser, Subcommand, ValueEnum};
use idemsim::error::InputError;
use idemsim::report::{Color, human, json};
use idemsim::run::run_scenario;
use idemsim::scenario::load_scenario;
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
    },
    /// List the built-in designs.
    Designs,
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
        Command::Run { file, seed, format } => run(file, seed, format),
        Command::Designs => designs(),
    }
}

fn bad_input(error: &InputError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(exit::BAD_INPUT)
}

fn run(file: PathBuf, seed: Option<u64>, format: Format) -> ExitCode {
    let scenario = match load_scenario(&file) {
        Ok(s) => s,
        Err(e) => return bad_input(&e),
    };
    let run = run_scenario(&scenario, seed);
    let text = match format {
        Format::Human => human::render(&scenario, &run, Color::for_stdout()),
        Format::Json => json::render(&scenario, &run),
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

fn designs() -> ExitCode {
    for name in idemsim::design::builtin_names() {
        match idemsim::design::load_design(name, std::path::Path::new(".")) {
            Ok(d) => println!("{:<8} {}", d.name, d.summary),
            Err(_) => unreachable!("built-in designs are checked by the test suite"),
        }
    }
    ExitCode::from(exit::MET)
}
