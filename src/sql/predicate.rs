//! What a SERIALIZABLE transaction's scan of a table reads: the predicate
//! locks it leaves and the rw-conflicts out it finds (see [`super::ssi`]).
//! Which locks depend on how PostgreSQL's planner reaches the rows, so this
//! is also where the engine guesses that plan.

use super::SqlError;
use super::ast::{BinaryOp, Expr};
use super::engine::Database;
use super::eval;
use super::ssi::Target;
use super::storage::{Snapshot, Table, TxId, TxState, TxStates};
use super::value::Value;
use std::cmp::Ordering;

/// How a scan reaches a table's rows.
#[derive(Debug, Clone, PartialEq)]
enum Path {
    /// Every row version: a lock on the whole table.
    Sequential,
    /// Through an index on `column`, for the rows whose value is one of
    /// `keys`: a lock on the index's page and on each version returned.
    Index { column: usize, keys: Vec<Value> },
}

/// Records what transaction `tx`, if SERIALIZABLE, reads by scanning table
/// `table_id` (called `alias` in the statement) at `snapshot` under
/// `filters` (the `WHERE`, and the `ON` of each join, all of which hold).
pub fn read_scan(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    snapshot: &Snapshot,
    (table_id, alias): (usize, &str),
    filters: &[&Expr],
) -> Result<(), SqlError> {
    if !db.ssi.watches(tx) {
        return Ok(());
    }
    let path = path(db, tx, now_us, table_id, alias, filters);
    let t = db.tables[table_id].as_ref().expect("a table being scanned");
    let examined: Vec<usize> = match &path {
        Path::Sequential => (0..t.tuples.len()).collect(),
        Path::Index { column, keys } => (0..t.tuples.len())
            .filter(|&i| {
                let v = &t.tuples[i].data[*column];
                keys.iter()
                    .any(|k| eval::order(v, k).ok().flatten() == Some(Ordering::Equal))
            })
            .collect(),
    };
    if !examined.is_empty() {
        db.ssi.check_doomed(tx)?;
    }
    let mut locked = Vec::new();
    let mut writers: Vec<TxId> = Vec::new();
    for i in examined {
        let tuple = &t.tuples[i];
        if tuple.dead {
            continue;
        }
        // The writer whose work this reader does not see: the replacer of
        // a version it sees, or the inserter of one it does not.
        let writer = if snapshot.sees_tuple(tuple, &db.txs) {
            if tuple.xmin != tx {
                locked.push(i);
            }
            tuple.replaced.by
        } else {
            Some(tuple.xmin)
        };
        if let Some(w) = writer
            && w != tx
            && db.txs.state(w) != TxState::Aborted
            && !snapshot.sees(w, &db.txs)
            && !writers.contains(&w)
        {
            writers.push(w);
        }
    }
    match path {
        Path::Sequential => db.ssi.lock(tx, Target::Relation(table_id)),
        Path::Index { .. } => {
            db.ssi.lock(tx, Target::Index(table_id));
            for i in locked {
                db.ssi.lock(tx, Target::Tuple(table_id, i));
            }
        }
    }
    for w in writers {
        db.ssi.conflict_out(tx, w)?;
    }
    Ok(())
}

/// The planner's choice, as far as locks tell: an index scan when a
/// condition that must hold sets the first column of an index equal to
/// constants, as PostgreSQL chooses for a table without statistics.
fn path(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    alias: &str,
    filters: &[&Expr],
) -> Path {
    let mut conjuncts = Vec::new();
    for f in filters {
        and_parts(f, &mut conjuncts);
    }
    let t = db.tables[table_id].as_ref().expect("a table being scanned");
    let mut found = None;
    for c in conjuncts {
        if let Some((column, exprs)) = key_condition(t, alias, c)
            && t.all_indexes().any(|i| i.columns.first() == Some(&column))
        {
            found = Some((column, exprs));
            break;
        }
    }
    let Some((column, exprs)) = found else {
        return Path::Sequential;
    };
    let mut keys = Vec::with_capacity(exprs.len());
    for e in exprs {
        match super::exec::eval_constant(db, tx, now_us, e) {
            Ok(v) => keys.push(v),
            Err(_) => return Path::Sequential,
        }
    }
    Path::Index { column, keys }
}

/// The parts of an `AND` chain.
fn and_parts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => {
            and_parts(left, out);
            and_parts(right, out);
        }
        other => out.push(other),
    }
}

/// `column = constant`, `constant = column` or `column IN (constants)` on
/// a column of this table: the column and the constants.
fn key_condition<'a>(t: &Table, alias: &str, e: &'a Expr) -> Option<(usize, Vec<&'a Expr>)> {
    let own_column = |e: &Expr| match e {
        Expr::Column { qualifier, name } if qualifier.as_deref().is_none_or(|q| q == alias) => {
            t.column(name).ok()
        }
        _ => None,
    };
    match e {
        Expr::Binary {
            op: BinaryOp::Eq,
            left,
            right,
        } => {
            if let Some(c) = own_column(left)
                && is_constant(right)
            {
                return Some((c, vec![&**right]));
            }
            if let Some(c) = own_column(right)
                && is_constant(left)
            {
                return Some((c, vec![&**left]));
            }
            None
        }
        Expr::InList {
            expr,
            list,
            negated: false,
        } if list.iter().all(is_constant) => own_column(expr).map(|c| (c, list.iter().collect())),
        _ => None,
    }
}

/// Literals and parameters, cast or negated: what an index condition can
/// compare with, and what evaluates without a row or a side effect.
fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Literal(_) | Expr::Param(_) => true,
        Expr::Cast { expr, .. } | Expr::Negate(expr) => is_constant(expr),
        _ => false,
    }
}
