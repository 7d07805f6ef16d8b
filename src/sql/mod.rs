//! A PostgreSQL-compatible SQL engine: the database a service's own SQL runs
//! against inside the world.
//!
//! The engine is deterministic and synchronous. A session submits a
//! statement; it runs to its end or blocks on a lock that another
//! transaction holds, as PostgreSQL's would. A blocked statement resumes by
//! itself when the transaction it waits for ends, and its reply is then
//! taken with [`Database::take_reply`]. Time comes from the caller, so waits
//! and `now()` are simulated time.

pub mod ast;
mod binary;
mod describe;
mod engine;
mod eval;
mod exec;
mod interval;
mod jsonb;
mod money;
mod predicate;
pub mod scan;
mod ssi;
mod storage;
mod value;

pub use binary::{param_text, result_bytes};
pub use describe::Description;
pub use engine::{Database, Prepared, WaitLimit};
pub use money::{Commit, MoneyWatch};
pub use server::{DEADLOCK_TIMEOUT_MS, Observer, RequestLog, Server};

mod parse;
mod server;
pub use parse::parse;

/// A session (one client connection) of a [`Database`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u32);

/// What one statement returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryResult {
    /// The command tag PostgreSQL sends (`INSERT 0 1`, `SELECT 2`, `BEGIN`).
    pub tag: String,
    /// The number in the tag: rows inserted, updated, deleted or returned.
    pub rows_affected: u64,
    /// The result's columns, for statements that return rows.
    pub columns: Vec<Column>,
    /// The rows, each value in PostgreSQL's text output form (`None`: NULL).
    pub rows: Vec<Vec<Option<String>>>,
}

/// A column of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// PostgreSQL's type OID (20 bigint, 23 integer, 25 text, 16 boolean...).
    pub type_oid: u32,
}

/// An error as PostgreSQL reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// The SQLSTATE code (`23505` unique violation, `40001`, `40P01`...).
    pub code: &'static str,
    pub message: String,
}

impl SqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> SqlError {
        SqlError {
            code,
            message: message.into(),
        }
    }
}

/// What a submitted query text gave: the result of each statement run, in
/// order; a query stops at its first error, which is then the last item.
pub type Reply = Vec<Result<QueryResult, SqlError>>;

/// Where a session's transaction stands, as `ReadyForQuery` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    /// Not in a transaction block.
    Idle,
    /// In a transaction block.
    InBlock,
    /// In a failed transaction block: only ROLLBACK is accepted.
    Failed,
}
#[cfg(test)]
mod tests;
