//! Tables as PostgreSQL keeps them: every row version with the transaction
//! that made it (`xmin`) and the one that replaced or deleted it (`xmax`),
//! row locks, and the rules that say which versions a snapshot sees.

use super::SqlError;
use super::ast::{Expr, Isolation, LockStrength, SqlType};
use super::value::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A transaction's number; later transactions have larger numbers.
pub type TxId = u64;

/// Where a transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxState {
    Active,
    Committed,
    Aborted,
}

/// Which transactions a statement (READ COMMITTED) or a whole transaction
/// (REPEATABLE READ, SERIALIZABLE) sees: those committed before it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Transactions numbered from here on had not begun.
    pub xmax: TxId,
    /// Transactions that were running when it was taken.
    pub active: BTreeSet<TxId>,
    /// The transaction that took it, which sees its own work.
    pub own: TxId,
}

/// One transaction.
#[derive(Debug, Clone)]
pub struct Tx {
    pub state: TxState,
    pub isolation: Isolation,
    /// REPEATABLE READ and SERIALIZABLE: taken at the first statement.
    pub snapshot: Option<Snapshot>,
    /// `now()`.
    pub start_us: i64,
    /// What to put back, newest last, if it (or a part after a savepoint)
    /// rolls back.
    pub undo: Vec<Undo>,
}

/// One change a rollback reverses.
#[derive(Debug, Clone)]
pub enum Undo {
    /// A version this transaction inserted.
    Insert { table: usize, tuple: usize },
    /// A version this transaction replaced or deleted: its `xmax` before.
    Xmax {
        table: usize,
        tuple: usize,
        before: Replaced,
    },
    /// A table this transaction created (DDL is transactional).
    CreateTable { table: usize },
    /// A table this transaction dropped, as it was.
    DropTable { table: usize, was: Box<Table> },
    /// An index this transaction added to a table: the last of its kind.
    CreateIndex { table: usize, unique: bool },
    /// A row lock this transaction took or strengthened: its strength before.
    Lock {
        table: usize,
        tuple: usize,
        tx: TxId,
        before: Option<LockStrength>,
    },
}

/// A version's replacement: who replaced or deleted it, how strongly, and
/// the version that replaced it (`None`: deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    pub by: Option<TxId>,
    pub strength: LockStrength,
    pub next: Option<usize>,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMeta {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    pub default: Option<Expr>,
    pub serial: bool,
    /// An identity column (`GENERATED ... AS IDENTITY`), not a `serial`.
    pub identity: bool,
    /// `GENERATED ALWAYS AS IDENTITY`.
    pub generated_always: bool,
}

/// An index: in [`Table::uniques`] a primary key, a `UNIQUE` constraint or
/// a unique index; in [`Table::indexes`] a plain index.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub name: String,
    pub columns: Vec<usize>,
    /// Made by a `PRIMARY KEY` or `UNIQUE` constraint (which `ON CONFLICT ON
    /// CONSTRAINT` may name), not by `CREATE INDEX`.
    pub is_constraint: bool,
}

/// A `CHECK` constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: String,
    pub expr: Expr,
}

/// A `REFERENCES` constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<usize>,
    pub table: usize,
    pub referred: Vec<usize>,
    pub on_delete: super::ast::OnDelete,
}

/// One version of a row.
#[derive(Debug, Clone)]
pub struct Tuple {
    pub xmin: TxId,
    pub replaced: Replaced,
    pub data: Vec<Value>,
    /// Row locks: holder and strength (holders that ended hold nothing).
    pub locks: Vec<(TxId, LockStrength)>,
    /// Its inserting transaction (or part of it) rolled back: no one sees it.
    pub dead: bool,
}

/// A table: its definition and every row version.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    // The definition is shared between copies: statements copy a table's
    // definition to resolve names against it, and every run starts from a
    // copy of the scenario's database. DDL changes it through
    // `Arc::make_mut`.
    pub columns: Arc<Vec<ColumnMeta>>,
    pub uniques: Arc<Vec<Index>>,
    pub checks: Arc<Vec<Check>>,
    pub foreign_keys: Arc<Vec<ForeignKey>>,
    /// Plain indexes: they change no result, but SERIALIZABLE's predicate
    /// locks depend on which scans they serve.
    pub indexes: Arc<Vec<Index>>,
    /// Shared too: a statement that reads a table holds a copy of it for
    /// its length, and every run starts from the scenario's rows. A write
    /// goes through [`Table::tuples_mut`], which copies them only while
    /// another copy is alive.
    pub tuples: Arc<Vec<Tuple>>,
    /// The next value of each serial column's sequence.
    pub sequences: Vec<i64>,
}

impl Table {
    /// The row versions, to change.
    pub fn tuples_mut(&mut self) -> &mut Vec<Tuple> {
        Arc::make_mut(&mut self.tuples)
    }

    pub fn column(&self, name: &str) -> Result<usize, SqlError> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                SqlError::new(
                    "42703",
                    format!(
                        "column \"{name}\" of relation \"{}\" does not exist",
                        self.name
                    ),
                )
            })
    }

    /// The table's definition without its rows.
    pub fn clone_definition(&self) -> Table {
        Table {
            name: self.name.clone(),
            columns: self.columns.clone(),
            uniques: self.uniques.clone(),
            checks: self.checks.clone(),
            foreign_keys: self.foreign_keys.clone(),
            indexes: self.indexes.clone(),
            tuples: Arc::new(Vec::new()),
            sequences: self.sequences.clone(),
        }
    }

    /// Whether a column is part of a unique index (so that changing it
    /// takes the stronger row lock, as a key update does).
    pub fn is_key_column(&self, column: usize) -> bool {
        self.uniques.iter().any(|u| u.columns.contains(&column))
    }

    /// Every index, unique or not.
    pub fn all_indexes(&self) -> impl Iterator<Item = &Index> {
        self.uniques.iter().chain(self.indexes.iter())
    }

    /// Whether a column is in any index (so that changing it writes index
    /// entries: the update is not "heap-only").
    pub fn is_indexed_column(&self, column: usize) -> bool {
        self.all_indexes().any(|i| i.columns.contains(&column))
    }
}

/// The transactions, as visibility asks about them.
pub trait TxStates {
    fn state(&self, tx: TxId) -> TxState;
}

impl Snapshot {
    /// Whether the work of `tx` is in this snapshot.
    pub fn sees(&self, tx: TxId, states: &impl TxStates) -> bool {
        tx == self.own
            || (tx < self.xmax
                && !self.active.contains(&tx)
                && states.state(tx) == TxState::Committed)
    }

    /// Whether a version is visible: made by a transaction it sees, and not
    /// replaced or deleted by one it sees.
    pub fn sees_tuple(&self, t: &Tuple, states: &impl TxStates) -> bool {
        !t.dead && self.sees(t.xmin, states) && !t.replaced.by.is_some_and(|x| self.sees(x, states))
    }
}

/// Whether a version is live for a uniqueness check: its inserter committed
/// (or is `me`) and no committed transaction (nor `me`) replaced it.
pub enum Liveness {
    Live,
    Dead,
    /// Its fate depends on a transaction still running.
    Pending(TxId),
}

/// A version's liveness for `me`, whatever any snapshot says: what a unique
/// index sees.
pub fn liveness(t: &Tuple, me: TxId, states: &impl TxStates) -> Liveness {
    if t.dead {
        return Liveness::Dead;
    }
    if t.xmin != me {
        match states.state(t.xmin) {
            TxState::Active => return Liveness::Pending(t.xmin),
            TxState::Aborted => return Liveness::Dead,
            TxState::Committed => {}
        }
    }
    match t.replaced.by {
        None => Liveness::Live,
        Some(x) if x == me => Liveness::Dead,
        Some(x) => match states.state(x) {
            TxState::Committed => Liveness::Dead,
            TxState::Aborted => Liveness::Live,
            TxState::Active => Liveness::Pending(x),
        },
    }
}

/// Who stands in the way of `me` taking a row lock of `strength` on a
/// version: a running replacer, or a running holder of a conflicting lock.
pub fn lock_blocker(
    t: &Tuple,
    me: TxId,
    strength: LockStrength,
    states: &impl TxStates,
) -> Option<TxId> {
    if let Some(x) = t.replaced.by
        && x != me
        && states.state(x) == TxState::Active
        && t.replaced.strength.conflicts_with(strength)
    {
        return Some(x);
    }
    t.locks
        .iter()
        .find(|(holder, held)| {
            *holder != me
                && states.state(*holder) == TxState::Active
                && held.conflicts_with(strength)
        })
        .map(|(holder, _)| *holder)
}
