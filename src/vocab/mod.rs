//! The words every layer shares: ids, hosts and stores, the messages on the
//! wire, a ledger batch, the invariants' names, and the start of simulated
//! time.
//!
//! This module imports nothing else of the crate, so that any module may use
//! it and the modules above it import one another downward only (a test in
//! the suite checks the layering).

mod batch;
pub mod frame;
mod host;
mod ids;
mod records;
mod violation;
pub mod wire;

pub use batch::{BatchOutcome, LedgerOp, Read, Stop, WireBatch, WireOp};
pub use host::{Durability, Host, StoreName};
pub use ids::{AccountIx, ClientIx, TransferIx};
pub use records::{AnswerCount, KeyRecord, KeyState, LastAnswers, LedgerEntry, ServiceOp};
pub use violation::ViolationKind;

/// Where the simulation's clock starts, in milliseconds since the Unix
/// epoch (2023-11-14 22:13:20 UTC): what a service reads as the time.
pub const EPOCH_MS: u64 = 1_700_000_000_000;
