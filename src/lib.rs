//! # idemsim
//!
//! A deterministic failure-injection simulator for idempotent payment APIs.
//!
//! A payment API that moves money must survive a client that retries after a
//! network glitch. idemsim builds a small world inside one [turmoil]
//! simulation — clients, a lossy network, a payment API, a key-value store
//! for idempotency keys and a ledger — loses requests and responses and
//! crashes hosts before, during and after processing, and then checks that
//! every transfer changed balances **exactly once per key**. Every run is
//! reproducible from its seed.
//!
//! ## A first run
//!
//! A scenario says who pays whom, which design the API runs, which faults
//! strike, and which violations the run must show. Run it, and read the
//! verdict:
//!
//! ```
//! use idemsim::{Loader, ViolationKind, run_scenario};
//! use std::path::Path;
//!
//! let text = r#"
//! name = "naive design, response lost"
//! design = "naive"
//! accounts = { alice = 10000, bob = 0 }
//!
//! [[client]]
//! transfers = [{ from = "alice", to = "bob", amount = 2500 }]
//!
//! [[fault]]
//! kind = "drop-response"
//! transfer = "t1"
//! attempt = 1
//!
//! [expect]
//! violations = ["double-apply", "inconsistent-replay"]
//! "#;
//! let scenario = Loader::new().parse(Path::new("example.toml"), text).unwrap().scenario;
//! let run = run_scenario(&scenario, None);
//! // The API applied the transfer, the response was lost, the client retried
//! // with the same key, and the naive design applied it again.
//! assert!(run.verdict.found.contains(&ViolationKind::DoubleApply));
//! assert!(run.verdict.met);
//! assert_eq!(run.output.balances, vec![5000, 5000]); // alice, bob
//! ```
//!
//! ## In a test of your own
//!
//! Build scenarios in code (the same checks as a file), run them, and assert
//! on the verdict; a failing run names its seed and the command that replays it:
//!
//! ```
//! use idemsim::{FaultSpec, Provenance, Replay, ScenarioSpec, TransferSpec, run_scenario};
//!
//! let scenario = ScenarioSpec::builder("atomic holds", "atomic")
//!     .account("alice", 10_000)
//!     .account("bob", 0)
//!     .client([TransferSpec::new("alice", "bob", 2_500)])
//!     .fault(FaultSpec::drop_response("t1", 1))
//!     .fault(FaultSpec::crash("t1", 2, "after:claim"))
//!     .build()
//!     .unwrap();
//! for seed in 0..20 {
//!     let run = run_scenario(&scenario, Some(seed));
//!     assert!(
//!         run.verdict.met,
//!         "seed {seed} found {:?}; replay: {}",
//!         run.verdict.found,
//!         Replay::of(&Provenance::default(), &scenario, &run)
//!     );
//! }
//! ```
//!
//! ## Reading a run
//!
//! The history is typed data: every event says when, on which host, and what
//! — with message ids, tags naming the transfer and attempt, and causes for
//! every fault. Reports turn it into words; your code can read it directly:
//!
//! ```
//! use idemsim::history::{Host, What};
//! use idemsim::{FaultSpec, ScenarioSpec, TransferSpec, run_scenario};
//!
//! let scenario = ScenarioSpec::builder("lost request", "naive")
//!     .account("alice", 100)
//!     .account("bob", 0)
//!     .client([TransferSpec::new("alice", "bob", 10)])
//!     .fault(FaultSpec::drop_request("t1", 1))
//!     .build()
//!     .unwrap();
//! let run = run_scenario(&scenario, None);
//! let lost = run
//!     .output
//!     .events
//!     .iter()
//!     .filter(|e| matches!(e.what, What::Lost { .. }))
//!     .count();
//! assert_eq!(lost, 1);
//! let attempts = run
//!     .output
//!     .events
//!     .iter()
//!     .filter(|e| matches!(e.what, What::Sent { .. }) && matches!(e.host, Host::Client(_)))
//!     .count();
//! assert_eq!(attempts, 2); // the retry went through
//! let source = idemsim::Provenance::default(); // built in code: no file
//! print!("{}", idemsim::report::human::render(&scenario, &source, &run, idemsim::report::Color::Never));
//! ```
//!
//! ## Your own service
//!
//! The API may be your own HTTP code instead of a design: an axum `Router`
//! (or any tower `Service`) built by a factory at every boot, talking to the
//! simulated stores through clients idemsim hands it. See [`service`] for
//! the whole story and `docs/services.md` for a guide; in short:
//!
//! ```
//! use axum::{Router, http::StatusCode, routing::post};
//! use idemsim::service::{Batch, Env, Service};
//! use idemsim::{ScenarioSpec, Services, TransferSpec, ViolationKind, run_scenario};
//!
//! // Moves the money on every request: no idempotency at all.
//! let naive = Service::new("naive", |env: &Env| {
//!     let ledger = env.ledger();
//!     Router::new().route(
//!         "/transfers",
//!         post(move || {
//!             let ledger = ledger.clone();
//!             async move {
//!                 match ledger.run(Batch::new().transfer("alice", "bob", 100)).await {
//!                     Ok(outcome) if outcome.committed() => StatusCode::CREATED,
//!                     _ => StatusCode::SERVICE_UNAVAILABLE,
//!                 }
//!             }
//!         }),
//!     )
//! });
//! let scenario = ScenarioSpec::builder("naive service, response lost", "naive")
//!     .service("naive")
//!     .account("alice", 1_000)
//!     .account("bob", 0)
//!     .client([TransferSpec::new("alice", "bob", 100)])
//!     .fault(idemsim::FaultSpec::drop_response("t1", 1))
//!     .services(&Services::new().with(naive))
//!     .build()
//!     .unwrap();
//! let run = run_scenario(&scenario, None);
//! assert_eq!(run.verdict.found, vec![ViolationKind::DoubleApply]);
//! ```
//!
//! ## What is public
//!
//! * **Service authors** need [`service`] (the [`Service`] and its
//!   [`service::Env`], the store clients, crash points, the attempt) and
//!   [`cli::main_with`] to offer their services to the command line.
//! * **Test authors** need the crate root: [`Loader`] and
//!   [`ScenarioSpec::builder`] to make a [`Scenario`], [`run_scenario`] or
//!   [`run_with`] to run it, the [`Run`] with its [`Verdict`] and
//!   [`history`], [`Replay`] for the command that replays it, and
//!   [`suite::check_services`] to check a directory of scenarios.
//! * Tools built on idemsim use [`explore`] (seed sweeps, exhaustive search,
//!   shrinking), [`report`] (every output format), [`design`] (design
//!   files) and [`limits`].
//! * [`sql`] is a PostgreSQL-compatible database held in memory, with its
//!   wire protocol: what a service's own SQL runs against inside the world.
//!
//! The other modules are private.
//!
//! ## How it fits together
//!
//! Data flows one way: [`scenario`] → world (+ faults) → [`history`] →
//! checker ([`Verdict`]) → [`report`], with [`explore`] and the command line
//! ([`cli`]) above them. The modules are layered, each using only those
//! below it, with a shared vocabulary (ids, hosts, stores, messages, records)
//! at the bottom; a test in the suite keeps it so.
//!
//! * [`scenario`] reads and validates scenario files (TOML) with a
//!   [`Loader`], with errors that name file, line and column, and builds
//!   scenarios in code with [`ScenarioSpec::builder`]; both go through one
//!   validation. Where a scenario came from (its file, the program) is its
//!   [`Provenance`], kept beside it for replay commands.
//! * [`design`] reads designs: what the API does, as transactions of steps
//!   against the stores. `naive`, `classic` and `atomic` ship built in.
//! * [`service`] runs a team's own HTTP service as the API instead; an
//!   [`Api`] names the places of either (messages, sites) for faults and
//!   reports.
//! * The world runs the turmoil simulation: hosts, durable stores, the
//!   network fault injector, crashes and restarts, the liveness phase.
//! * [`history`] is the ordered, typed event log every part appends to.
//! * The checker judges the invariants, one module each, by stable name
//!   ([`ViolationKind`]), with typed [`Evidence`].
//! * [`report`] prints the narrated timeline and verdict, JSON Lines, JUnit,
//!   HTML and diagrams.
//! * [`explore`] sweeps seeds, searches fault schedules, and shrinks a
//!   failure to a scenario file.
//!
//! ## Determinism
//!
//! Every random choice is drawn from the run's seed through named ChaCha
//! streams; turmoil gets a derived `rng_seed` and a fixed epoch; no `HashMap`
//! iteration, no wall clock, no threads inside a simulation. The same scenario
//! and seed print the same bytes on every machine. A service keeps that
//! promise without asking idemsim for anything: inside its run the clock and
//! the operating system's randomness that it and every crate it uses read
//! (`SystemTime::now`, `Instant::now`, `rand::rng()`, `Uuid::new_v4`, std's
//! `HashMap` keys) are the simulation's, on 64-bit Linux with the GNU C
//! library (see [`service`] for what is covered and what is not).
//! [`suite::check_services`] runs seeds twice and shows where two runs part,
//! as `explore --check-determinism` does.

#![deny(unsafe_code)]

mod api;
mod check;
pub mod cli;
mod describe;
pub mod design;
mod error;
pub mod explore;
mod fault;
pub mod history;
mod interpose;
pub mod limits;
mod ratio;
mod reach;
pub mod report;
mod resp;
mod run;
pub mod scenario;
mod seed;
mod seeds;
pub mod service;
pub mod sql;
pub mod suite;
mod text;
mod vocab;
mod world;

pub use api::Api;
pub use check::{Evidence, LastAnswers, OutcomeCounts, Verdict, Violation, ViolationKind};
pub use error::{FieldPath, InputError};
pub use fault::{CrashHost, Fault, FaultSpec};
pub use ratio::Ratio;
pub use reach::Phase;
pub use run::{Mode, Replay, Run, inline_fault, run_scenario, run_with};
pub use scenario::{
    DatabaseSpec, Loaded, Loader, Provenance, Scenario, ScenarioBuilder, ScenarioSpec, TransferSpec,
};
pub use seeds::{Partition, SeedRange};
pub use service::{Service, Services};
pub use world::logs::LogFilter;
pub use world::{EndReason, RunOptions, RunOutput, SERVICE_SKIP_QUANTUM_MS, TracedMessage};
