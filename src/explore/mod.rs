//! Exploration: search for the run that breaks a design, make it small, and
//! hand back a file that reproduces it.
//!
//! * [`sweep`]: every seed of a range with random faults; in swarm mode the
//!   seed also picks the fault profile ([`swarm`]). Parallel, partitionable,
//!   bounded in memory, with reach counts ([`crate::Phase`]) and an optional
//!   determinism self-check.
//! * [`exhaustive`]: every placement of up to K targeted faults, smallest
//!   first, within a budget of schedules and of time ([`cost`]).
//! * [`shrink`]: from a failing run to a smallest scenario with only targeted
//!   faults that fails the same way, written as an ordinary scenario file.

pub mod cost;
pub mod exhaustive;
pub mod shrink;
pub mod swarm;
pub mod sweep;
mod workers;

pub use workers::parallel_map;
