//! The engine behind [`Database`](super::Database).

use super::{Reply, SessionId, TxStatus};

/// A database: its tables, its transactions and its sessions.
#[derive(Debug, Default)]
pub struct Database {}

impl Database {
    /// An empty database.
    pub fn new() -> Database {
        unimplemented!("idemsim::sql::Database::new")
    }

    /// Opens a session.
    pub fn connect(&mut self) -> SessionId {
        unimplemented!("idemsim::sql::Database::connect")
    }

    /// Runs a query text (simple-query protocol: one or more statements)
    /// until it ends or blocks on a lock. Panics if the session still has
    /// one running.
    pub fn submit(&mut self, session: SessionId, sql: &str, now_us: i64) {
        let _ = (session, sql, now_us);
        unimplemented!("idemsim::sql::Database::submit")
    }

    /// The reply, once the query has ended (a blocked query ends by itself
    /// when the transaction it waits for ends).
    pub fn take_reply(&mut self, session: SessionId) -> Option<Reply> {
        let _ = session;
        unimplemented!("idemsim::sql::Database::take_reply")
    }

    /// Whether the session's query waits on a lock.
    pub fn is_blocked(&self, session: SessionId) -> bool {
        let _ = session;
        unimplemented!("idemsim::sql::Database::is_blocked")
    }

    /// PostgreSQL's deadlock check, as it runs `deadlock_timeout` after a
    /// session began to wait: if this blocked session is in a wait cycle,
    /// its statement fails with 40P01 (and its transaction aborts,
    /// releasing its locks). Returns whether it did.
    pub fn detect_deadlock(&mut self, session: SessionId, now_us: i64) -> bool {
        let _ = (session, now_us);
        unimplemented!("idemsim::sql::Database::detect_deadlock")
    }

    /// Where the session's transaction stands.
    pub fn tx_status(&self, session: SessionId) -> TxStatus {
        let _ = session;
        unimplemented!("idemsim::sql::Database::tx_status")
    }

    /// Closes a session, rolling back its transaction.
    pub fn disconnect(&mut self, session: SessionId) {
        let _ = session;
        unimplemented!("idemsim::sql::Database::disconnect")
    }
}
