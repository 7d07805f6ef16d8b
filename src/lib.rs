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
//! ```
//! use idemsim::scenario::parse_scenario;
//! use idemsim::run::run_scenario;
//! use idemsim::scenario::ViolationKind;
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
//! let scenario = parse_scenario(Path::new("example.toml"), text).unwrap();
//! let run = run_scenario(&scenario, None);
//! // The API applied the transfer, the response was lost, the client retried
//! // with the same key, and the naive design applied it again.
//! assert!(run.verdict.found.contains(&ViolationKind::DoubleApply));
//! assert!(run.verdict.met);
//! assert_eq!(run.output.balances["bob"], 5000);
//! ```
//!
//! ## How it fits together
//!
//! Data flows one way: [`scenario`] → [`world`] (+ faults) → [`history`] →
//! [`check`] → [`report`].
//!
//! * [`scenario`] reads and validates scenario files (TOML), with errors that
//!   name file, line and column.
//! * [`design`] reads designs: what the API does, as transactions of steps
//!   against the stores. `naive`, `classic` and `atomic` ship built in.
//! * [`world`] runs the turmoil simulation: hosts, durable stores, the
//!   network fault injector, crashes and restarts.
//! * [`history`] is the ordered event log every part appends to.
//! * [`check`] judges the invariants, one module each, by stable name.
//! * [`report`] prints the narrated timeline and verdict, or JSON Lines.
//!
//! ## Determinism
//!
//! Every random choice is drawn from the run's seed through named ChaCha
//! streams ([`seed`]); turmoil gets a derived `rng_seed` and a fixed epoch;
//! no `HashMap` iteration, no wall clock, no threads inside a simulation.
//! The same scenario and seed print the same bytes on every machine.

pub mod check;
pub mod design;
pub mod error;
pub mod explore;
pub mod history;
pub mod limits;
pub mod ratio;
pub mod report;
pub mod run;
pub mod scenario;
pub mod seed;
pub mod suite;
pub mod wire;
pub mod world;
