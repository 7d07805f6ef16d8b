//! SERIALIZABLE as PostgreSQL runs it: snapshot isolation plus serializable
//! snapshot isolation's (SSI) watch for read/write dependencies, so that a
//! write skew, or a check-then-insert race, fails one of its transactions
//! with 40001 where REPEATABLE READ would let both commit.
//!
//! The rules are PostgreSQL's (its `predicate.c`), among SERIALIZABLE
//! transactions only:
//!
//! - A SERIALIZABLE transaction's reads leave *predicate locks* (`SIREAD`)
//!   that block nothing: a whole table for a sequential scan; for an index
//!   scan, the index's page and each row version it returned. More than two
//!   row locks in one table become a lock on its heap page
//!   (`max_pred_locks_per_page`).
//! - A *rw-conflict* `R -> W` is found when `W` writes what `R` holds a lock
//!   on ("conflict in"), or when `R` reads past a version that `W`, running
//!   beside it, wrote ("conflict out").
//! - A *dangerous structure* `T0 -> T1 -> T2` in which `T2` commits first
//!   fails a transaction: at the conflict when one is already committed,
//!   otherwise at commit: the first of the three to commit dooms the pivot
//!   `T1`, which then fails at its next read, write or `COMMIT`.
//!
//! What this model leaves out, each a place where PostgreSQL could raise
//! 40001 and the engine does not, or the other way round:
//! - Pages. A table's heap, and each index, count as one page, as they are
//!   while a table holds less than a page (8 kB, about a hundred narrow
//!   rows); a bigger table's rows share pages that this model cannot know.
//! - The planner. A scan counts as an index scan when its `WHERE` (or a
//!   join's `ON`) sets the first column of an index equal to a constant or
//!   a parameter (`=`, or `IN` a list of them), as PostgreSQL's planner
//!   chooses for a table without statistics; anything else is a
//!   sequential scan.
//! - Foreign-key checks and `ON CONFLICT`'s look-up of an existing row
//!   leave no predicate locks (PostgreSQL's use other snapshots for both).
//! - `READ ONLY` and `DEFERRABLE` transactions are refused by the parser;
//!   a transaction that committed without writing counts as read-only, as
//!   PostgreSQL's does.
//! - Bounds: a transaction holds at most one lock per table and kind of
//!   page, and at most [`MAX_TUPLE_LOCKS_PER_TABLE`] row locks per table,
//!   so what is kept grows with tables, not rows; a committed transaction
//!   is forgotten once every running SERIALIZABLE transaction sees it.

use super::SqlError;
use super::storage::{Snapshot, TxId};
use std::collections::{BTreeMap, BTreeSet};

/// Row locks one transaction holds on one table before they become one
/// lock on its heap page: PostgreSQL's `max_pred_locks_per_page` (2).
pub const MAX_TUPLE_LOCKS_PER_TABLE: usize = 2;

/// What a predicate lock covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A whole table: a sequential scan read it.
    Relation(usize),
    /// Every row version of a table (its one heap page).
    HeapPage(usize),
    /// One row version, by its place in the table.
    Tuple(usize, usize),
    /// Every index of a table (each one leaf page): an index scan read one.
    Index(usize),
}

impl Target {
    fn table(self) -> usize {
        match self {
            Target::Relation(t) | Target::HeapPage(t) | Target::Tuple(t, _) | Target::Index(t) => t,
        }
    }
}

/// A write, as the conflicts it can make: the targets whose holders it
/// conflicts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// A new row: its heap insert meets whole-table locks, its index
    /// entries meet index locks (`indexed`: the table has an index).
    Insert { table: usize, indexed: bool },
    /// A version replaced or deleted; `new_index_entries` when the new
    /// version needs index entries (an indexed column changed, so the
    /// update is not "heap-only").
    Replace {
        table: usize,
        tuple: usize,
        new_index_entries: bool,
    },
    /// A unique index refused a key that a committed transaction holds:
    /// before 23505, PostgreSQL checks the index page as if it wrote it,
    /// so that a read-then-insert race reports 40001 instead.
    DuplicateKey { table: usize },
}

impl Write {
    fn covers(self, target: Target) -> bool {
        match (self, target) {
            (Write::Insert { table, .. }, Target::Relation(t)) => t == table,
            (Write::Insert { table, indexed }, Target::Index(t)) => indexed && t == table,
            (Write::DuplicateKey { table }, Target::Index(t)) => t == table,
            (Write::Replace { table, .. }, Target::Relation(t) | Target::HeapPage(t)) => t == table,
            (Write::Replace { table, tuple, .. }, Target::Tuple(t, u)) => t == table && u == tuple,
            (
                Write::Replace {
                    table,
                    new_index_entries,
                    ..
                },
                Target::Index(t),
            ) => new_index_entries && t == table,
            _ => false,
        }
    }
}

/// One SERIALIZABLE transaction, from its snapshot on.
#[derive(Debug, Clone)]
struct Sxact {
    snapshot: Snapshot,
    /// The commit sequence number when its snapshot was taken.
    snapshot_seq: u64,
    /// Its place in the commit order, once committed.
    commit_seq: Option<u64>,
    /// Chosen to fail: its next read, write or `COMMIT` raises 40001.
    doomed: bool,
    wrote: bool,
    /// Committed with a rw-conflict out to a transaction that committed
    /// before it (PostgreSQL's `SXACT_FLAG_CONFLICT_OUT`).
    conflict_out_at_commit: bool,
    locks: BTreeSet<Target>,
    /// `R -> me`: transactions that read what this one wrote.
    ins: BTreeSet<TxId>,
    /// `me -> W`: transactions that wrote what this one read.
    outs: BTreeSet<TxId>,
}

impl Sxact {
    fn committed(&self) -> bool {
        self.commit_seq.is_some()
    }

    /// A committed transaction that wrote nothing is read-only.
    fn read_only(&self) -> bool {
        self.committed() && !self.wrote
    }

    /// Whether `target` is covered by a lock it holds.
    fn holds(&self, target: Target) -> bool {
        self.locks.contains(&target)
            || match target {
                Target::Tuple(t, _) => {
                    self.locks.contains(&Target::Relation(t))
                        || self.locks.contains(&Target::HeapPage(t))
                }
                Target::HeapPage(t) => self.locks.contains(&Target::Relation(t)),
                // An index is a relation of its own: a table's lock does
                // not cover it.
                Target::Relation(_) | Target::Index(_) => false,
            }
    }
}

/// The SERIALIZABLE transactions' predicate locks and rw-conflicts.
#[derive(Debug, Clone, Default)]
pub struct Ssi {
    xacts: BTreeMap<TxId, Sxact>,
    last_commit_seq: u64,
}

/// Why a transaction fails; PostgreSQL's message, its reason in the text.
fn failure(reason: &str) -> SqlError {
    SqlError::new(
        "40001",
        format!(
            "could not serialize access due to read/write dependencies among transactions ({reason})"
        ),
    )
}

impl Ssi {
    /// A SERIALIZABLE transaction took its snapshot: from now on it is watched.
    pub fn begin(&mut self, tx: TxId, snapshot: Snapshot) {
        let previous = self.xacts.insert(
            tx,
            Sxact {
                snapshot,
                snapshot_seq: self.last_commit_seq,
                commit_seq: None,
                doomed: false,
                wrote: false,
                conflict_out_at_commit: false,
                locks: BTreeSet::new(),
                ins: BTreeSet::new(),
                outs: BTreeSet::new(),
            },
        );
        assert!(previous.is_none(), "a transaction takes one snapshot");
    }

    /// Whether `tx` is a running SERIALIZABLE transaction.
    pub fn watches(&self, tx: TxId) -> bool {
        self.xacts.get(&tx).is_some_and(|s| !s.committed())
    }

    /// Fails a doomed transaction as it reads or writes.
    pub fn check_doomed(&self, tx: TxId) -> Result<(), SqlError> {
        match self.xacts.get(&tx) {
            Some(s) if s.doomed => Err(failure("canceled on identification as a pivot")),
            _ => Ok(()),
        }
    }

    /// `tx` read `target`: it keeps a predicate lock on it, a finer one
    /// giving way to a coarser one.
    pub fn lock(&mut self, tx: TxId, target: Target) {
        let Some(s) = self.xacts.get_mut(&tx) else {
            return;
        };
        if s.holds(target) {
            return;
        }
        let table = target.table();
        match target {
            Target::Relation(_) => s.locks.retain(|l| {
                !(l.table() == table && matches!(l, Target::HeapPage(_) | Target::Tuple(..)))
            }),
            Target::HeapPage(_) => s
                .locks
                .retain(|l| !matches!(l, Target::Tuple(t, _) if *t == table)),
            Target::Tuple(..) | Target::Index(_) => {}
        }
        s.locks.insert(target);
        let tuples = s
            .locks
            .iter()
            .filter(|l| matches!(l, Target::Tuple(t, _) if *t == table))
            .count();
        if tuples > MAX_TUPLE_LOCKS_PER_TABLE {
            s.locks
                .retain(|l| !matches!(l, Target::Tuple(t, _) if *t == table));
            s.locks.insert(Target::HeapPage(table));
        }
    }

    /// Reader `me` met a version that `writer`, running beside it, wrote
    /// (inserted, or replaced after `me`'s snapshot): `me -> writer`.
    pub fn conflict_out(&mut self, me: TxId, writer: TxId) -> Result<(), SqlError> {
        let Some(m) = self.xacts.get(&me) else {
            return Ok(());
        };
        self.check_doomed(me)?;
        if m.outs.contains(&writer) {
            return Ok(());
        }
        match self.xacts.get(&writer) {
            Some(w) if writer != me && !w.doomed => {}
            _ => return Ok(()),
        }
        self.flag(me, writer, me)
    }

    /// Writer `me` writes: every other SERIALIZABLE transaction holding a
    /// lock the write covers, and running beside `me`, gets `R -> me`.
    pub fn conflict_in(&mut self, me: TxId, write: Write) -> Result<(), SqlError> {
        let Some(s) = self.xacts.get_mut(&me) else {
            return Ok(());
        };
        if s.doomed {
            return Err(failure("canceled on identification as a pivot"));
        }
        s.wrote = true;
        let snapshot = &self.xacts[&me].snapshot;
        let readers: Vec<TxId> = self
            .xacts
            .iter()
            .filter(|(id, r)| {
                **id != me
                    && !r.doomed
                    && (!r.committed() || !sees(snapshot, **id))
                    && !r.outs.contains(&me)
                    && r.locks.iter().any(|l| write.covers(*l))
            })
            .map(|(id, _)| *id)
            .collect();
        for reader in readers {
            self.flag(reader, me, me)?;
        }
        Ok(())
    }

    /// Records `reader -> writer`, first failing a transaction if the
    /// conflict completes a dangerous structure (PostgreSQL's
    /// `OnConflict_CheckForSerializationFailure`); `me` is the transaction
    /// whose statement found the conflict.
    fn flag(&mut self, reader: TxId, writer: TxId, me: TxId) -> Result<(), SqlError> {
        if self.dangerous(reader, writer) {
            let w = &self.xacts[&writer];
            if me == writer {
                return Err(failure(
                    "canceled on identification as a pivot, during write",
                ));
            }
            if w.committed() {
                assert_eq!(
                    me, reader,
                    "a conflict is found by its reader or its writer"
                );
                return Err(failure("canceled on conflict out to pivot, during read"));
            }
            self.xacts.get_mut(&writer).expect("known").doomed = true;
        }
        self.xacts
            .get_mut(&reader)
            .expect("known")
            .outs
            .insert(writer);
        self.xacts
            .get_mut(&writer)
            .expect("known")
            .ins
            .insert(reader);
        Ok(())
    }

    /// Whether `reader -> writer` would close `reader -> writer -> T2` with
    /// `T2` committed first, or `T0 -> reader -> writer` with `writer`
    /// committed first.
    fn dangerous(&self, reader: TxId, writer: TxId) -> bool {
        let r = &self.xacts[&reader];
        let w = &self.xacts[&writer];
        if w.committed() {
            if w.conflict_out_at_commit {
                return true;
            }
        } else {
            // The writer as a pivot: an out-conflict to a committed T2.
            let pivot = w.outs.iter().any(|t2| {
                let t2 = &self.xacts[t2];
                let Some(t2_seq) = t2.commit_seq else {
                    return false;
                };
                r.commit_seq.is_none_or(|s| t2_seq <= s)
                    && (!r.read_only() || t2_seq <= r.snapshot_seq)
            });
            if pivot {
                return true;
            }
        }
        // The reader as a pivot, once the writer committed.
        let Some(w_seq) = w.commit_seq else {
            return false;
        };
        if r.read_only() {
            return false;
        }
        r.ins.iter().any(|t0| {
            let t0 = &self.xacts[t0];
            if r.committed() && t0.committed() {
                // Conflicts between two committed transactions are gone.
                return false;
            }
            !t0.doomed
                && t0.commit_seq.is_none_or(|s| s >= w_seq)
                && (!t0.read_only() || t0.snapshot_seq >= w_seq)
        })
    }

    /// `me` asks to commit: it fails if doomed; otherwise it dooms each
    /// running pivot `me -> near` ... `far -> near` whose `far` is `me` or
    /// still running (PostgreSQL's `PreCommit_CheckForSerializationFailure`).
    pub fn pre_commit(&mut self, me: TxId) -> Result<(), SqlError> {
        let Some(s) = self.xacts.get(&me) else {
            return Ok(());
        };
        if s.doomed {
            return Err(failure(
                "canceled on identification as a pivot, during commit attempt",
            ));
        }
        let pivots: Vec<TxId> = s
            .ins
            .iter()
            .copied()
            .filter(|near| {
                let n = &self.xacts[near];
                !n.committed()
                    && !n.doomed
                    && n.ins.iter().any(|far| {
                        let f = &self.xacts[far];
                        *far == me || (!f.committed() && !f.doomed)
                    })
            })
            .collect();
        for near in pivots {
            self.xacts.get_mut(&near).expect("known").doomed = true;
        }
        Ok(())
    }

    /// `tx` committed.
    pub fn committed(&mut self, tx: TxId) {
        if !self.xacts.contains_key(&tx) {
            return;
        }
        self.last_commit_seq += 1;
        let seq = self.last_commit_seq;
        let conflict_out = {
            let s = &self.xacts[&tx];
            s.wrote
                && s.outs
                    .iter()
                    .any(|w| self.xacts[w].commit_seq.is_some_and(|ws| ws < seq))
        };
        let s = self.xacts.get_mut(&tx).expect("checked above");
        s.commit_seq = Some(seq);
        s.conflict_out_at_commit = conflict_out;
        self.forget_old();
    }

    /// `tx` rolled back: its locks and conflicts go with it.
    pub fn aborted(&mut self, tx: TxId) {
        let Some(s) = self.xacts.remove(&tx) else {
            return;
        };
        for other in s.ins.iter().chain(&s.outs) {
            if let Some(o) = self.xacts.get_mut(other) {
                o.ins.remove(&tx);
                o.outs.remove(&tx);
            }
        }
        self.forget_old();
    }

    /// The server restarted: no transaction survives.
    pub fn clear(&mut self) {
        self.xacts.clear();
    }

    /// Forgets committed transactions that every running one sees: none
    /// can conflict with them any more (a conflict needs the two to run
    /// side by side).
    fn forget_old(&mut self) {
        let running: Vec<&Snapshot> = self
            .xacts
            .values()
            .filter(|s| !s.committed())
            .map(|s| &s.snapshot)
            .collect();
        let old: Vec<TxId> = self
            .xacts
            .iter()
            .filter(|(id, s)| s.committed() && running.iter().all(|snap| sees(snap, **id)))
            .map(|(id, _)| *id)
            .collect();
        for tx in old {
            let s = self.xacts.remove(&tx).expect("listed above");
            for other in s.ins.iter().chain(&s.outs) {
                if let Some(o) = self.xacts.get_mut(other) {
                    o.ins.remove(&tx);
                    o.outs.remove(&tx);
                }
            }
        }
    }
}

/// Whether `snapshot` sees the commit of `tx` (which committed).
fn sees(snapshot: &Snapshot, tx: TxId) -> bool {
    tx == snapshot.own || (tx < snapshot.xmax && !snapshot.active.contains(&tx))
}
