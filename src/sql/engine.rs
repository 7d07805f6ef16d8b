//! The database: sessions, transactions, and the statements they run.
//!
//! Each session runs one query text at a time. A statement that meets a
//! row lock, or a unique key that a running transaction inserted, blocks:
//! it keeps its place (the rows it has done stay done) and resumes when the
//! transaction it waits for ends, as a PostgreSQL backend sleeping on that
//! transaction's lock would.

use super::ast::{Isolation, Statement};
use super::binary::type_of_oid;
use super::describe::{Description, describe};
use super::exec::{self, Outcome, StmtState};
use super::money::{Commit, MoneyWatch};
use super::ssi::Ssi;
use super::storage::{Table, Tx, TxId, TxState, TxStates, Undo};
use super::value::{Value, parse_text};
use super::{QueryResult, Reply, SessionId, SqlError, TxStatus};
use std::collections::{BTreeMap, VecDeque};

/// Most sessions at once (PostgreSQL's `max_connections` is 100 by default).
pub const MAX_SESSIONS: usize = 100;
/// Most tables.
pub const MAX_TABLES: usize = 64;
/// Most row versions in one table.
pub const MAX_TUPLES_PER_TABLE: usize = 100_000;

/// A PostgreSQL-compatible database held in memory. A clone is a copy of
/// it, sessions and all (a scenario builds its database once and each run
/// starts from a copy).
#[derive(Debug, Clone)]
pub struct Database {
    pub(super) tables: Vec<Option<Table>>,
    pub(super) txs: BTreeMap<TxId, Tx>,
    next_tx: TxId,
    sessions: BTreeMap<SessionId, Session>,
    next_session: u32,
    /// Orders waits, so that blocked sessions resume first come, first served.
    next_wait: u64,
    /// Transactions that ended (or rolled back part of their work) whose
    /// waiters must look again.
    ended: VecDeque<TxId>,
    /// State of the generator behind `gen_random_uuid()`.
    pub(super) random_state: u64,
    /// The parameters (`$1`...) of the statement being run: set by
    /// `exec::run` for its length, as one statement runs at a time.
    pub(super) params: std::sync::Arc<[Value]>,
    /// The snapshot of the statement being run, set with `params`: the one
    /// its correlated subqueries read at.
    pub(super) stmt_snapshot: Option<super::storage::Snapshot>,
    /// The table that holds the money, when someone watches it.
    watch: Option<MoneyWatch>,
    /// What committed transactions did to the watched balances, oldest
    /// first, until taken.
    commits: Vec<Commit>,
    /// SERIALIZABLE transactions' reads and rw-conflicts.
    pub(super) ssi: Ssi,
}

/// Whether a session is in a transaction block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Each statement is its own transaction.
    None,
    /// After `BEGIN`.
    Open,
    /// After an error in a block: only `ROLLBACK` (or `ROLLBACK TO`) is taken.
    Failed,
}

/// A session's query in progress.
#[derive(Debug, Clone)]
struct Run {
    statements: VecDeque<Statement>,
    results: Reply,
    current: Option<StmtState>,
    now_us: i64,
}

#[derive(Debug, Clone)]
struct Session {
    tx: Option<TxId>,
    block: Block,
    /// From `BEGIN ISOLATION LEVEL` or `SET TRANSACTION`, for the block's
    /// transaction.
    isolation: Isolation,
    savepoints: Vec<(String, usize)>,
    run: Option<Run>,
    reply: Option<Reply>,
    /// The transaction this session waits for, and when it began to.
    waiting: Option<(TxId, u64)>,
    settings: BTreeMap<String, String>,
    /// `SET LOCAL`'s, until the transaction block ends.
    local_settings: BTreeMap<String, String>,
}

impl TxStates for BTreeMap<TxId, Tx> {
    fn state(&self, tx: TxId) -> TxState {
        self.get(&tx).map_or(TxState::Aborted, |t| t.state)
    }
}

impl Default for Database {
    fn default() -> Self {
        Database::new()
    }
}

impl Database {
    pub fn new() -> Database {
        Database::with_seed(0)
    }

    /// A database whose `gen_random_uuid()` draws from `seed`.
    pub fn with_seed(seed: u64) -> Database {
        Database {
            tables: Vec::new(),
            txs: BTreeMap::new(),
            next_tx: 1,
            sessions: BTreeMap::new(),
            next_session: 1,
            next_wait: 0,
            ended: VecDeque::new(),
            random_state: seed ^ 0x9E37_79B9_7F4A_7C15,
            params: std::sync::Arc::from(Vec::new()),
            stmt_snapshot: None,
            watch: None,
            commits: Vec::new(),
            ssi: Ssi::default(),
        }
    }

    /// From now on, `gen_random_uuid()` draws from `seed`.
    pub fn reseed(&mut self, seed: u64) {
        self.random_state = Database::with_seed(seed).random_state;
    }

    /// From now on, notes what each committed transaction does to the
    /// balances `watch` names (see [`super::MoneyWatch`]).
    pub fn watch_money(&mut self, watch: MoneyWatch) {
        self.watch = Some(watch);
    }

    /// The commits noted since the last call, oldest first.
    pub fn take_commits(&mut self) -> Vec<Commit> {
        std::mem::take(&mut self.commits)
    }

    /// Every account's committed balance in the watched table, by name.
    pub fn balances(&self) -> Result<Vec<(String, i64)>, SqlError> {
        let watch = self
            .watch
            .as_ref()
            .ok_or_else(|| SqlError::new("55000", "no balance table is watched"))?;
        let committed = |tx: TxId| self.txs.state(tx) == TxState::Committed;
        watch.balances(&self.tables, |t| {
            !t.dead && committed(t.xmin) && !t.replaced.by.is_some_and(committed)
        })
    }

    /// The server process stops: every session ends, and every transaction
    /// still running rolls back, as a restart's recovery finds them.
    /// All sessions end at once: none resumes to commit as another's
    /// transaction rolls back.
    pub fn crash(&mut self) {
        let sessions = std::mem::take(&mut self.sessions);
        for tx in sessions.into_values().filter_map(|s| s.tx) {
            self.abort(tx);
        }
        self.ended.clear();
        self.ssi.clear();
    }

    /// Opens a session. Panics past `MAX_SESSIONS` (100): the server refuses the
    /// connection before that.
    pub fn connect(&mut self) -> SessionId {
        assert!(self.sessions.len() < MAX_SESSIONS, "too many sessions");
        let id = SessionId(self.next_session);
        self.next_session += 1;
        self.sessions.insert(
            id,
            Session {
                tx: None,
                block: Block::None,
                isolation: Isolation::ReadCommitted,
                savepoints: Vec::new(),
                run: None,
                reply: None,
                waiting: None,
                settings: BTreeMap::new(),
                local_settings: BTreeMap::new(),
            },
        );
        id
    }

    /// Whether another session may connect.
    pub fn accepts_sessions(&self) -> bool {
        self.sessions.len() < MAX_SESSIONS
    }

    /// Closes a session: its transaction rolls back, its locks go.
    pub fn disconnect(&mut self, session: SessionId) {
        if let Some(s) = self.sessions.remove(&session)
            && let Some(tx) = s.tx
        {
            self.abort(tx);
        }
        self.settle();
    }

    /// Starts a query text (one or more statements) on a session; it runs
    /// until it ends or blocks.
    pub fn submit(&mut self, session: SessionId, sql: &str, now_us: i64) {
        let statements = super::parse(sql);
        let s = self.session_mut(session);
        assert!(s.run.is_none(), "a session runs one query at a time");
        s.reply = None;
        match statements {
            Ok(statements) => {
                s.run = Some(Run {
                    statements: statements.into(),
                    results: Vec::new(),
                    current: None,
                    now_us,
                });
                self.drive(session);
            }
            Err(e) => {
                let s = self.session_mut(session);
                s.reply = Some(vec![Err(e)]);
                if s.block == Block::Open {
                    s.block = Block::Failed;
                    self.fail_block(session);
                }
            }
        }
        self.settle();
    }

    /// Parses and describes one statement for the extended protocol;
    /// `declared` are the parameter types the client gave (0: infer).
    pub fn prepare(&self, sql: &str, declared: &[u32]) -> Result<Prepared, SqlError> {
        let statements = super::parse::parse_shared(sql)?;
        if statements.len() > 1 {
            return Err(SqlError::new(
                "42601",
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        let statement = statements.first().cloned();
        let description = match &statement {
            Some(stmt) => describe(self, stmt, declared)?,
            None => Description {
                param_types: Vec::new(),
                columns: Vec::new(),
            },
        };
        Ok(Prepared {
            statement,
            description,
            text: std::rc::Rc::from(sql),
        })
    }

    /// Runs a prepared statement with its parameters in text form (`None`:
    /// NULL), as [`Database::submit`] runs a query text.
    pub fn submit_prepared(
        &mut self,
        session: SessionId,
        prepared: &Prepared,
        params: &[Option<String>],
        now_us: i64,
    ) {
        let s = self.session_mut(session);
        assert!(s.run.is_none(), "a session runs one query at a time");
        s.reply = None;
        let values = bind(&prepared.description.param_types, params);
        let (stmt, values) = match (prepared.statement.clone(), values) {
            (Some(stmt), Ok(values)) => (stmt, values),
            (_, values) => {
                self.end_unrun(session, values.err());
                return;
            }
        };
        let mut state = StmtState::new(stmt, now_us);
        state.params = values.into();
        self.session_mut(session).run = Some(Run {
            statements: VecDeque::new(),
            results: Vec::new(),
            current: Some(state),
            now_us,
        });
        self.drive(session);
        self.settle();
    }

    /// Ends a prepared statement's execution that runs nothing: an empty
    /// statement, or parameters that do not bind (which fails the block).
    fn end_unrun(&mut self, session: SessionId, error: Option<SqlError>) {
        let failed = error.is_some();
        let s = self.session_mut(session);
        s.reply = Some(error.into_iter().map(Err).collect());
        if failed && s.block == Block::Open {
            s.block = Block::Failed;
            self.fail_block(session);
        }
        self.settle();
    }

    /// The reply of the session's last query, once it has ended.
    pub fn take_reply(&mut self, session: SessionId) -> Option<Reply> {
        self.session_mut(session).reply.take()
    }

    /// Sets a session's setting from its connection's startup parameters
    /// (`options=-c lock_timeout=1s`, or the name itself), as `SET` would.
    pub fn set_at_startup(
        &mut self,
        session: SessionId,
        name: &str,
        value: &str,
    ) -> Result<(), SqlError> {
        self.set(session, &name.to_ascii_lowercase(), value, false)
    }

    /// `SET [LOCAL] name = value`: refused when the setting cannot take the
    /// value; `local` lasts to the end of the block, and outside one does
    /// nothing (PostgreSQL warns and goes on).
    fn set(
        &mut self,
        session: SessionId,
        name: &str,
        value: &str,
        local: bool,
    ) -> Result<(), SqlError> {
        check_setting(name, value)?;
        let s = self.session_mut(session);
        let settings = match (local, s.block) {
            (false, _) => &mut s.settings,
            (true, Block::None) => return Ok(()),
            (true, Block::Open | Block::Failed) => &mut s.local_settings,
        };
        settings.insert(name.to_string(), value.to_string());
        Ok(())
    }

    /// How long a statement of `session` may wait, by the setting that
    /// limits it (`lock_timeout`, `statement_timeout`); `None` when the
    /// setting is 0 or unset (no limit), as PostgreSQL's default.
    pub fn wait_limit_ms(&self, session: SessionId, limit: WaitLimit) -> Option<u64> {
        let s = self.sessions.get(&session)?;
        let name = limit.setting();
        let value = s
            .local_settings
            .get(name)
            .or_else(|| s.settings.get(name))?;
        timeout_ms(name, value).ok().filter(|ms| *ms > 0)
    }

    /// Fails `session`'s waiting statement with `e` (a lock or statement
    /// timeout), as PostgreSQL cancels it; false when it no longer waits.
    pub fn cancel_wait(&mut self, session: SessionId, e: SqlError) -> bool {
        if !self.is_blocked(session) {
            return false;
        }
        self.fail_statement(session, e);
        self.settle();
        true
    }

    pub fn is_blocked(&self, session: SessionId) -> bool {
        self.sessions
            .get(&session)
            .is_some_and(|s| s.waiting.is_some())
    }

    /// The transaction a blocked session waits for, and the order in which
    /// it began to wait.
    pub fn waits_for(&self, session: SessionId) -> Option<(u64, u64)> {
        self.sessions.get(&session).and_then(|s| s.waiting)
    }

    pub fn tx_status(&self, session: SessionId) -> TxStatus {
        match self.sessions.get(&session).map(|s| s.block) {
            Some(Block::Open) => TxStatus::InBlock,
            Some(Block::Failed) => TxStatus::Failed,
            _ => TxStatus::Idle,
        }
    }

    /// PostgreSQL's deadlock check for a blocked session: if the chain of
    /// waits from it comes back to it, its statement fails with 40P01 and
    /// its transaction rolls back, which frees the others.
    pub fn detect_deadlock(&mut self, session: SessionId, _now_us: i64) -> bool {
        let Some(me) = self.sessions.get(&session).and_then(|s| s.tx) else {
            return false;
        };
        let mut seen = Vec::new();
        let mut at = session;
        while let Some((waited, _)) = self.sessions.get(&at).and_then(|s| s.waiting) {
            if waited == me {
                self.fail_statement(session, SqlError::new("40P01", "deadlock detected"));
                self.settle();
                return true;
            }
            if seen.contains(&waited) {
                return false;
            }
            seen.push(waited);
            match self.owner_of(waited) {
                Some(owner) => at = owner,
                None => return false,
            }
        }
        false
    }

    fn owner_of(&self, tx: TxId) -> Option<SessionId> {
        self.sessions
            .iter()
            .find(|(_, s)| s.tx == Some(tx))
            .map(|(id, _)| *id)
    }

    fn session_mut(&mut self, session: SessionId) -> &mut Session {
        self.sessions
            .get_mut(&session)
            .expect("a session the database opened")
    }

    /// Resumes the sessions that wait for transactions that ended, until
    /// no more can move.
    fn settle(&mut self) {
        while let Some(tx) = self.ended.pop_front() {
            let mut waiters: Vec<(u64, SessionId)> = self
                .sessions
                .iter()
                .filter_map(|(id, s)| match s.waiting {
                    Some((on, order)) if on == tx => Some((order, *id)),
                    _ => None,
                })
                .collect();
            waiters.sort();
            for (_, id) in waiters {
                self.session_mut(id).waiting = None;
                self.drive(id);
            }
        }
    }

    /// Runs a session's query on from where it stands.
    fn drive(&mut self, session: SessionId) {
        loop {
            let state = {
                let s = self.session_mut(session);
                let run = s.run.as_mut().expect("a query to drive");
                match run.current.take() {
                    Some(state) => state,
                    None => match run.statements.pop_front() {
                        Some(stmt) => StmtState::new(stmt, run.now_us),
                        None => {
                            let run = s.run.take().expect("checked above");
                            s.reply = Some(run.results);
                            return;
                        }
                    },
                }
            };
            match self.run_statement(session, state) {
                Step::Done(result) => {
                    let run = self.session_mut(session).run.as_mut().expect("running");
                    run.results.push(Ok(result));
                }
                Step::Blocked(state, on) => {
                    self.next_wait += 1;
                    let order = self.next_wait;
                    let s = self.session_mut(session);
                    s.waiting = Some((on, order));
                    s.run.as_mut().expect("running").current = Some(*state);
                    return;
                }
                Step::Failed(e) => {
                    self.fail_statement(session, e);
                    return;
                }
            }
        }
    }

    /// Ends a session's query with an error: the statement's work rolls
    /// back, and with it the transaction (or the block's work since its
    /// last savepoint), as PostgreSQL aborts on any error.
    fn fail_statement(&mut self, session: SessionId, e: SqlError) {
        let s = self.session_mut(session);
        s.waiting = None;
        let mut run = s.run.take().expect("a query that failed");
        run.results.push(Err(e));
        s.reply = Some(run.results);
        match s.block {
            Block::None => {
                if let Some(tx) = s.tx.take() {
                    self.abort(tx);
                }
            }
            Block::Open | Block::Failed => {
                s.block = Block::Failed;
                self.fail_block(session);
            }
        }
    }

    /// A block failed: undo its work back to its last savepoint, or all of
    /// it when it has none.
    fn fail_block(&mut self, session: SessionId) {
        let s = self.session_mut(session);
        let mark = s.savepoints.last().map(|(_, mark)| *mark);
        let Some(tx) = s.tx else { return };
        match mark {
            Some(mark) => self.undo_to(tx, mark),
            None => {
                self.session_mut(session).tx = None;
                self.abort(tx);
            }
        }
    }

    fn run_statement(&mut self, session: SessionId, mut state: StmtState) -> Step {
        let block = self.sessions[&session].block;
        if block == Block::Failed && !state.stmt.ends_block() {
            return Step::Failed(SqlError::new(
                "25P02",
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        if let Some(result) = self.control(session, &state.stmt) {
            return match result {
                Ok(r) => Step::Done(r),
                Err(e) => Step::Failed(e),
            };
        }
        // A statement outside a block is a transaction of its own.
        let tx = match self.sessions[&session].tx {
            Some(tx) => tx,
            None => {
                let isolation = self.sessions[&session].isolation;
                let tx = self.begin(isolation, state.now_us);
                self.session_mut(session).tx = Some(tx);
                tx
            }
        };
        match exec::run(self, tx, &mut state) {
            Ok(Outcome::Done(result)) => {
                if self.sessions[&session].block == Block::None {
                    self.session_mut(session).tx = None;
                    if let Err(e) = self.commit(tx, session) {
                        return Step::Failed(e);
                    }
                }
                Step::Done(result)
            }
            Ok(Outcome::Blocked(on)) => Step::Blocked(Box::new(state), on),
            Err(e) => Step::Failed(e),
        }
    }

    /// Transaction control and session settings; `None` for other statements.
    fn control(
        &mut self,
        session: SessionId,
        stmt: &Statement,
    ) -> Option<Result<QueryResult, SqlError>> {
        let done = |tag: &str| Some(Ok(QueryResult::tag_only(tag)));
        match stmt {
            Statement::Begin { isolation } => {
                let s = self.session_mut(session);
                if s.block == Block::None {
                    s.block = Block::Open;
                    s.isolation = isolation.unwrap_or(Isolation::ReadCommitted);
                    s.savepoints.clear();
                }
                done("BEGIN")
            }
            Statement::SetTransaction { isolation } => {
                let s = self.session_mut(session);
                let started =
                    s.tx.and_then(|tx| self.txs.get(&tx))
                        .is_some_and(|t| t.snapshot.is_some());
                if started {
                    return Some(Err(SqlError::new(
                        "25001",
                        "SET TRANSACTION ISOLATION LEVEL must be called before any query",
                    )));
                }
                let s = self.session_mut(session);
                s.isolation = *isolation;
                if let Some(tx) = s.tx
                    && let Some(t) = self.txs.get_mut(&tx)
                {
                    t.isolation = *isolation;
                }
                done("SET")
            }
            Statement::Commit => {
                let s = self.session_mut(session);
                let failed = s.block == Block::Failed;
                s.block = Block::None;
                s.local_settings.clear();
                s.isolation = Isolation::ReadCommitted;
                s.savepoints.clear();
                if let Some(tx) = s.tx.take() {
                    if failed {
                        self.abort(tx);
                    } else if let Err(e) = self.commit(tx, session) {
                        return Some(Err(e));
                    }
                }
                done(if failed { "ROLLBACK" } else { "COMMIT" })
            }
            Statement::Rollback => {
                let s = self.session_mut(session);
                s.block = Block::None;
                s.local_settings.clear();
                s.isolation = Isolation::ReadCommitted;
                s.savepoints.clear();
                if let Some(tx) = s.tx.take() {
                    self.abort(tx);
                }
                done("ROLLBACK")
            }
            Statement::Savepoint { name } => {
                let s = self.session_mut(session);
                if s.block == Block::None {
                    return Some(Err(SqlError::new(
                        "25P01",
                        "SAVEPOINT can only be used in transaction blocks",
                    )));
                }
                let tx = match s.tx {
                    Some(tx) => tx,
                    None => {
                        let isolation = s.isolation;
                        let now_us = s.run.as_ref().map_or(0, |r| r.now_us);
                        let tx = self.begin(isolation, now_us);
                        self.session_mut(session).tx = Some(tx);
                        tx
                    }
                };
                let mark = self.txs[&tx].undo.len();
                self.session_mut(session)
                    .savepoints
                    .push((name.clone(), mark));
                done("SAVEPOINT")
            }
            Statement::RollbackToSavepoint { name } | Statement::ReleaseSavepoint { name } => {
                let release = matches!(stmt, Statement::ReleaseSavepoint { .. });
                let s = self.session_mut(session);
                if s.block == Block::None {
                    let what = if release {
                        "RELEASE SAVEPOINT"
                    } else {
                        "ROLLBACK TO SAVEPOINT"
                    };
                    return Some(Err(SqlError::new(
                        "25P01",
                        format!("{what} can only be used in transaction blocks"),
                    )));
                }
                let Some(at) = s.savepoints.iter().rposition(|(n, _)| n == name) else {
                    return Some(Err(SqlError::new(
                        "3B001",
                        format!("savepoint \"{name}\" does not exist"),
                    )));
                };
                let mark = s.savepoints[at].1;
                if release {
                    s.savepoints.truncate(at);
                    return done("RELEASE");
                }
                s.savepoints.truncate(at + 1);
                s.block = Block::Open;
                if let Some(tx) = s.tx {
                    self.undo_to(tx, mark);
                }
                done("ROLLBACK")
            }
            Statement::Set { name, value, local } => match self.set(session, name, value, *local) {
                Ok(()) => done("SET"),
                Err(e) => Some(Err(e)),
            },
            Statement::Show { name } => {
                let s = &self.sessions[&session];
                let value = s
                    .local_settings
                    .get(name)
                    .or_else(|| s.settings.get(name))
                    .cloned()
                    .or_else(|| default_setting(name).map(str::to_string));
                Some(match value {
                    Some(v) => Ok(QueryResult {
                        tag: "SHOW".to_string(),
                        rows_affected: 0,
                        columns: vec![super::Column {
                            name: name.clone(),
                            type_oid: 25,
                        }],
                        rows: vec![vec![Some(v)]],
                    }),
                    None => Err(SqlError::new(
                        "42704",
                        format!("unrecognized configuration parameter \"{name}\""),
                    )),
                })
            }
            _ => None,
        }
    }

    fn begin(&mut self, isolation: Isolation, now_us: i64) -> TxId {
        let tx = self.next_tx;
        self.next_tx += 1;
        self.txs.insert(
            tx,
            Tx {
                state: TxState::Active,
                isolation,
                snapshot: None,
                start_us: now_us,
                undo: Vec::new(),
            },
        );
        tx
    }

    /// Commits `tx`, or rolls it back when SERIALIZABLE's check at commit
    /// fails it (40001).
    fn commit(&mut self, tx: TxId, session: SessionId) -> Result<(), SqlError> {
        if let Err(e) = self.ssi.pre_commit(tx) {
            self.abort(tx);
            return Err(e);
        }
        if let Some(watch) = &self.watch {
            let deltas = watch.deltas(&self.tables, &self.txs[&tx].undo);
            if !matches!(&deltas, Ok(d) if d.is_empty()) {
                self.commits.push(Commit { session, deltas });
            }
        }
        let t = self.txs.get_mut(&tx).expect("a transaction that began");
        assert_eq!(
            t.state,
            TxState::Active,
            "only a running transaction commits"
        );
        t.state = TxState::Committed;
        t.undo.clear();
        self.ended.push_back(tx);
        self.ssi.committed(tx);
        Ok(())
    }

    fn abort(&mut self, tx: TxId) {
        self.undo_to(tx, 0);
        let t = self.txs.get_mut(&tx).expect("a transaction that began");
        t.state = TxState::Aborted;
        self.ended.push_back(tx);
        self.ssi.aborted(tx);
    }

    /// Reverses a transaction's work after `mark` (an undo-log length).
    fn undo_to(&mut self, tx: TxId, mark: usize) {
        let undo: Vec<Undo> = {
            let t = self.txs.get_mut(&tx).expect("a transaction that began");
            t.undo.split_off(mark.min(t.undo.len()))
        };
        for u in undo.into_iter().rev() {
            match u {
                Undo::Insert { table, tuple } => {
                    if let Some(t) = self.tables[table].as_mut() {
                        t.tuples_mut()[tuple].dead = true;
                    }
                }
                Undo::Xmax {
                    table,
                    tuple,
                    before,
                } => {
                    if let Some(t) = self.tables[table].as_mut() {
                        t.tuples_mut()[tuple].replaced = before;
                    }
                }
                Undo::CreateTable { table } => self.tables[table] = None,
                Undo::DropTable { table, was } => self.tables[table] = Some(*was),
                Undo::CreateIndex { table, unique } => {
                    if let Some(t) = self.tables[table].as_mut() {
                        if unique {
                            std::sync::Arc::make_mut(&mut t.uniques).pop();
                        } else {
                            std::sync::Arc::make_mut(&mut t.indexes).pop();
                        }
                    }
                }
                Undo::Lock {
                    table,
                    tuple,
                    tx: holder,
                    before,
                } => {
                    if let Some(t) = self.tables[table].as_mut() {
                        let locks = &mut t.tuples_mut()[tuple].locks;
                        locks.retain(|(h, _)| *h != holder);
                        if let Some(strength) = before {
                            locks.push((holder, strength));
                        }
                    }
                }
            }
        }
        // Waiters look again: what they waited on may be gone.
        self.ended.push_back(tx);
    }

    /// A new transaction number for snapshots: the next one to begin.
    pub(super) fn next_tx(&self) -> TxId {
        self.next_tx
    }
}

/// A statement parsed and described for the extended protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// `None`: an empty query. Shared: a portal bound to it copies the
    /// prepared statement, and only a run needs a statement of its own.
    statement: Option<std::sync::Arc<Statement>>,
    pub description: Description,
    /// The text it was prepared from.
    text: std::rc::Rc<str>,
}

impl Prepared {
    /// The text the statement was prepared from.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Parameters in text form, read as their types.
fn bind(types: &[u32], params: &[Option<String>]) -> Result<Vec<Value>, SqlError> {
    if params.len() != types.len() {
        return Err(SqlError::new(
            "08P01",
            format!(
                "bind message supplies {} parameters, but prepared statement requires {}",
                params.len(),
                types.len()
            ),
        ));
    }
    types
        .iter()
        .zip(params)
        .map(|(&oid, p)| match p {
            None => Ok(Value::Null),
            Some(text) => {
                let ty = type_of_oid(oid).ok_or_else(|| {
                    SqlError::new(
                        "0A000",
                        format!("parameters of type OID {oid} are not supported"),
                    )
                })?;
                parse_text(text, ty)
            }
        })
        .collect()
}

/// What running a statement came to.
enum Step {
    Done(QueryResult),
    Blocked(Box<StmtState>, TxId),
    Failed(SqlError),
}

/// A setting that limits how long a statement waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitLimit {
    /// `lock_timeout`: each wait for a lock; 55P03 past it.
    Lock,
    /// `statement_timeout`: the statement, from its start; 57014 past it.
    Statement,
}

impl WaitLimit {
    fn of_setting(name: &str) -> Option<WaitLimit> {
        match name {
            "lock_timeout" => Some(WaitLimit::Lock),
            "statement_timeout" => Some(WaitLimit::Statement),
            _ => None,
        }
    }

    fn setting(self) -> &'static str {
        match self {
            WaitLimit::Lock => "lock_timeout",
            WaitLimit::Statement => "statement_timeout",
        }
    }

    /// The error PostgreSQL cancels the statement with.
    pub fn error(self) -> SqlError {
        match self {
            WaitLimit::Lock => SqlError::new("55P03", "canceling statement due to lock timeout"),
            WaitLimit::Statement => {
                SqlError::new("57014", "canceling statement due to statement timeout")
            }
        }
    }
}

/// Refuses a value the setting cannot take (22023); only the settings
/// that change what runs are read.
fn check_setting(name: &str, value: &str) -> Result<(), SqlError> {
    match WaitLimit::of_setting(name) {
        Some(_) => timeout_ms(name, value).map(|_| ()),
        None => Ok(()),
    }
}

/// A time setting's value in milliseconds, read as PostgreSQL reads it: a
/// number (milliseconds) or a number with a unit (`us`, `ms`, `s`, `min`,
/// `h`, `d`); 22023 otherwise.
fn timeout_ms(name: &str, value: &str) -> Result<u64, SqlError> {
    let invalid = || {
        SqlError::new(
            "22023",
            format!("invalid value for parameter \"{name}\": \"{value}\""),
        )
    };
    let text = value.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..digits].parse().map_err(|_| invalid())?;
    let per_unit_us: u64 = match text[digits..].trim() {
        "" | "ms" => 1_000,
        "us" => 1,
        "s" => 1_000_000,
        "min" => 60_000_000,
        "h" => 3_600_000_000,
        "d" => 86_400_000_000,
        _ => return Err(invalid()),
    };
    let us = number.checked_mul(per_unit_us).ok_or_else(invalid)?;
    // PostgreSQL rounds a value below its unit up to 1 ms.
    Ok(us.div_ceil(1_000))
}

/// The settings `SHOW` answers without a `SET` before it.
fn default_setting(name: &str) -> Option<&'static str> {
    Some(match name {
        "transaction_isolation" | "default_transaction_isolation" => "read committed",
        "timezone" => "UTC",
        "client_encoding" | "server_encoding" => "UTF8",
        "datestyle" => "ISO, MDY",
        "standard_conforming_strings" => "on",
        "integer_datetimes" => "on",
        "server_version" => "15.0",
        "lock_timeout" | "statement_timeout" => "0",
        _ => return None,
    })
}

impl QueryResult {
    pub(super) fn tag_only(tag: &str) -> QueryResult {
        QueryResult {
            tag: tag.to_string(),
            rows_affected: 0,
            columns: Vec::new(),
            rows: Vec::new(),
        }
    }
}

impl Statement {
    /// Statements a failed block still takes.
    fn ends_block(&self) -> bool {
        matches!(
            self,
            Statement::Rollback | Statement::Commit | Statement::RollbackToSavepoint { .. }
        )
    }
}
