//! Running one statement inside a transaction, with PostgreSQL's rules for
//! what it sees, what it locks, and what it waits for.
//!
//! READ COMMITTED takes a snapshot per statement; a row that a concurrent
//! transaction changed is waited for, then its newest version is checked
//! against the statement's `WHERE` again and used if it still matches
//! (PostgreSQL's documented re-check). REPEATABLE READ and SERIALIZABLE
//! keep the transaction's first snapshot and fail with 40001 instead;
//! SERIALIZABLE's reads and writes also go to `predicate` and `ssi`, which
//! fail a transaction whose dependencies could form a cycle.

use super::ast::{
    ConflictAction, CreateIndex, CreateTable, Delete, Expr, Insert, Isolation, Literal,
    LockStrength, LockWait, OnConflict, OnDelete, Overriding, SelectItem, SqlType, Statement,
    SubqueryKind, TableConstraint, Update,
};
use super::binary;
use super::engine::{Database, MAX_TABLES, MAX_TUPLES_PER_TABLE};
use super::eval::{self, Context, Scope, Source};
use super::predicate;
use super::ssi::Write;
use super::storage::{
    Check, ColumnMeta, ForeignKey, Index, Liveness, Replaced, Snapshot, Table, Tuple, TxId,
    TxState, Undo, liveness, lock_blocker,
};
use super::value::{Value, type_oid};
use super::{Column, QueryResult, SqlError};
use std::cmp::Ordering;
use std::sync::Arc;

/// What a statement came to, short of an error.
pub enum Outcome {
    Done(QueryResult),
    /// It waits for this transaction to end.
    Blocked(TxId),
}

/// A statement in progress: what it has done survives a wait.
#[derive(Debug, Clone)]
pub struct StmtState {
    /// Shared with the prepared statement it runs: a statement is copied
    /// only when running it changes it (its subqueries' results put in
    /// their places), never on every execution.
    pub stmt: Arc<Statement>,
    pub now_us: i64,
    /// `$1`... as the client bound them.
    pub params: Arc<[Value]>,
    snapshot: Option<Snapshot>,
    work: Option<Work>,
    /// Rows returned so far (`RETURNING`, a locking `SELECT`).
    rows: Vec<Vec<Value>>,
    count: u64,
    /// The subquery running before the statement, when one waits.
    sub: Option<Box<StmtState>>,
}

impl StmtState {
    pub fn new(stmt: impl Into<Arc<Statement>>, now_us: i64) -> StmtState {
        StmtState {
            stmt: stmt.into(),
            now_us,
            params: Arc::from(Vec::new()),
            snapshot: None,
            work: None,
            rows: Vec::new(),
            count: 0,
            sub: None,
        }
    }
}

/// The rows a statement works through, and how far it got.
#[derive(Debug, Clone)]
enum Work {
    /// Versions found at the statement's snapshot, in order.
    Rows { tuples: Vec<usize>, cursor: usize },
    /// A locking query's rows (a version of each table it reads, or none
    /// on the missing side of a left join), sorted at the snapshot.
    Combos { combos: Vec<Combo>, cursor: usize },
    /// Rows to insert (values computed once, as `nextval` is), and the
    /// versions this statement wrote.
    Insert {
        rows: Vec<Vec<Value>>,
        cursor: usize,
        touched: Vec<usize>,
    },
}

/// Runs (or resumes) a statement in transaction `tx`.
pub fn run(db: &mut Database, tx: TxId, state: &mut StmtState) -> Result<Outcome, SqlError> {
    if state.snapshot.is_none() {
        state.snapshot = Some(snapshot_for(db, tx));
    }
    db.params = state.params.clone();
    db.stmt_snapshot = state.snapshot.clone();
    if state.work.is_none() {
        // Names first, before any part of the statement runs (a part that
        // waited has had its check).
        if state.sub.is_none() {
            check_names(db, &state.stmt)?;
        }
        if (state.sub.is_some() || state.stmt.has_subquery())
            && let Some(blocker) = run_subqueries(db, tx, state)?
        {
            return Ok(Outcome::Blocked(blocker));
        }
        if let Some(blocker) = run_insert_select(db, tx, state)? {
            return Ok(Outcome::Blocked(blocker));
        }
    }
    // The steps below read the statement beside the state they change;
    // they hold their own reference to it.
    let stmt = Arc::clone(&state.stmt);
    match &*stmt {
        Statement::CreateTable(c) => create_table(db, tx, c).map(Outcome::Done),
        Statement::CreateIndex(c) => create_index(db, tx, c).map(Outcome::Done),
        Statement::DropTable { names, if_exists } => drop_tables(db, tx, names, *if_exists),
        Statement::Insert(i) => insert(db, tx, state, i),
        Statement::Select(s) => select(db, tx, state, s),
        Statement::Update(u) => update(db, tx, state, u),
        Statement::Delete(d) => delete(db, tx, state, d),
        other => unreachable!("transaction control is the session's: {other:?}"),
    }
}

// ---------------------------------------------------------------- subqueries

/// Runs the statement's uncorrelated subqueries, each once, in the order
/// written, at the statement's snapshot, and puts each one's result in its
/// place (as PostgreSQL runs an uncorrelated subquery once, as an "init
/// plan"); `Some(tx)` when one waits for `tx`, to go on where it stopped.
/// A correlated subquery, one that names a column of the statement's rows,
/// stays in place: [`PerRow`] runs it for each row, as PostgreSQL runs a
/// "subplan".
fn run_subqueries(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
) -> Result<Option<TxId>, SqlError> {
    if state.sub.is_none() {
        // The first call for this statement (a resumed one has its sub).
        let stmt = Arc::make_mut(&mut state.stmt);
        name_subquery_items(stmt);
        prepare_correlated(db, stmt)?;
    }
    // The statement's tables stay as they are while its subqueries run.
    let around = row_tables(db, &state.stmt);
    loop {
        let next = {
            state.stmt.top_subqueries().into_iter().position(|node| {
                let Expr::Subquery { select, .. } = node else {
                    unreachable!("a top subquery is a subquery")
                };
                outer_column(db, select, &around, &mut Vec::new()).is_none()
            })
        };
        let Some(at) = next else {
            return Ok(None);
        };
        let Expr::Subquery { kind, select } = &*Arc::make_mut(&mut state.stmt)
            .top_subqueries_mut()
            .swap_remove(at)
        else {
            unreachable!("a top subquery is a subquery")
        };
        let (kind, inner) = (kind.clone(), (**select).clone());
        let result = match sub_select(db, tx, state, &inner)? {
            Ok(result) => result,
            Err(blocker) => return Ok(Some(blocker)),
        };
        let value = subquery_value(&kind, result)?;
        *Arc::make_mut(&mut state.stmt)
            .top_subqueries_mut()
            .swap_remove(at) = value;
    }
}

/// Gives each output item that is a subquery the name PostgreSQL gives it
/// (its column's, or `exists`) before the subquery is replaced by a value.
fn name_subquery_items(stmt: &mut Statement) {
    let items = match stmt {
        Statement::Select(s) => &mut s.items,
        Statement::Update(u) => &mut u.returning,
        Statement::Delete(d) => &mut d.returning,
        Statement::Insert(i) => &mut i.returning,
        _ => return,
    };
    for item in items {
        if let SelectItem::Expr { expr, alias } = item
            && alias.is_none()
            && matches!(expr, Expr::Subquery { .. })
        {
            *alias = Some(eval::output_name(expr));
        }
    }
}

/// Checks each correlated subquery of a statement before any row is read,
/// as PostgreSQL plans one: its names (with the statement's columns as
/// typed NULLs), no row locks (which would wait in the middle of a row),
/// and a scalar one's type, which it keeps as a cast so that the
/// statement's result columns are described before any row is read.
fn prepare_correlated(db: &Database, stmt: &mut Statement) -> Result<(), SqlError> {
    let around = row_tables(db, stmt);
    let sources = unrowed_sources(&around);
    let scope = Scope { sources: &sources };
    for node in stmt.top_subqueries_mut() {
        let Expr::Subquery { kind, select } = &*node else {
            unreachable!("a top subquery is a subquery")
        };
        if select.shares_scope {
            let own = own_tables(db, select);
            for e in select.root_exprs() {
                check_shared_names(e, &own, &scope)?;
            }
        }
        let Some(column) = outer_column(db, select, &around, &mut Vec::new()) else {
            continue;
        };
        if has_locking(select) {
            return Err(SqlError::new(
                "0A000",
                format!(
                    "FOR UPDATE/SHARE in a subquery that names {column} of the statement around \
                     it (a correlated subquery) is not supported; a locking subquery names only \
                     its own tables' columns"
                ),
            ));
        }
        let bound = bind_outer(db, select, &scope)?;
        check_names(db, &Statement::Select(bound.clone()))?;
        if *kind == SubqueryKind::Scalar {
            let described = super::describe::query_columns(db, &bound)?;
            let [column] = described.as_slice() else {
                return Err(super::describe::one_column_error(kind));
            };
            let ty = column_type(column.type_oid)?;
            let subquery = std::mem::replace(node, Expr::Default);
            *node = Expr::Cast {
                expr: Box::new(subquery),
                ty,
            };
        }
    }
    Ok(())
}

/// Whether a query, or one of its subqueries, locks rows.
fn has_locking(select: &super::ast::Select) -> bool {
    select.locking.is_some()
        || select
            .root_exprs()
            .into_iter()
            .flat_map(Expr::top_subqueries)
            .any(|node| matches!(node, Expr::Subquery { select, .. } if has_locking(select)))
}

/// The tables a statement's rows come from, by the names it gives them,
/// with their definitions (no rows).
fn row_tables(db: &Database, stmt: &Statement) -> Vec<(String, Table)> {
    stmt.row_tables()
        .into_iter()
        .filter_map(|r| {
            let id = table_id(db, &r.table).ok()?;
            Some((r.alias.clone(), table(db, id).clone_definition()))
        })
        .collect()
}

/// The sources of tables named by a statement, without a row: what names
/// are checked and results described against.
pub(super) fn unrowed_sources(tables: &[(String, Table)]) -> Vec<Source<'_>> {
    tables
        .iter()
        .map(|(alias, t)| Source {
            alias,
            columns: &t.columns,
            values: None,
        })
        .collect()
}

/// Tables by the names a statement gives them: their column names.
fn named_columns<'r>(
    db: &Database,
    refs: impl Iterator<Item = &'r super::ast::TableRef>,
) -> Vec<(String, Vec<String>)> {
    refs.filter_map(|r| {
        let id = table_id(db, &r.table).ok()?;
        let columns = table(db, id)
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect();
        Some((r.alias.clone(), columns))
    })
    .collect()
}

/// A query's own tables, by the names it gives them: their column names.
fn own_tables(db: &Database, select: &super::ast::Select) -> Vec<(String, Vec<String>)> {
    named_columns(db, select.tables())
}

/// Whether a column reference names a column of `tables`: a qualified one
/// when the qualifier is one of their names (the column is then theirs or
/// missing), an unqualified one when one of them has it.
fn names_own(tables: &[(String, Vec<String>)], qualifier: Option<&str>, name: &str) -> bool {
    match qualifier {
        Some(q) => tables.iter().any(|(alias, _)| alias == q),
        None => tables
            .iter()
            .any(|(_, columns)| columns.iter().any(|c| c == name)),
    }
}

/// A column of the statement around it that `select` (or a subquery in
/// it) names, as PostgreSQL resolves a name: the nearest query first.
/// `inner` holds the tables of the subqueries between `select` and the
/// statement. `None` for an uncorrelated subquery.
fn outer_column(
    db: &Database,
    select: &super::ast::Select,
    around: &[(String, Table)],
    inner: &mut Vec<Vec<(String, Vec<String>)>>,
) -> Option<String> {
    inner.push(own_tables(db, select));
    let mut found = None;
    for e in select.root_exprs() {
        found = found.or_else(|| outer_column_in(db, e, around, inner));
    }
    inner.pop();
    found
}

fn outer_column_in(
    db: &Database,
    e: &Expr,
    around: &[(String, Table)],
    inner: &mut Vec<Vec<(String, Vec<String>)>>,
) -> Option<String> {
    match e {
        Expr::Column { qualifier, name } => {
            let q = qualifier.as_deref();
            // `t.x` with `t` the statement's table is its, even when `t`
            // has no `x` (binding then reports the missing column).
            let theirs = !inner.iter().any(|tables| names_own(tables, q, name))
                && around.iter().any(|(alias, t)| match q {
                    Some(q) => q == alias,
                    None => t.column(name).is_ok(),
                });
            theirs.then(|| match q {
                Some(q) => format!("column \"{q}.{name}\""),
                None => format!("column \"{name}\""),
            })
        }
        Expr::Subquery { select, .. } => e
            .children()
            .into_iter()
            .find_map(|c| outer_column_in(db, c, around, inner))
            .or_else(|| outer_column(db, select, around, inner)),
        _ => e
            .children()
            .into_iter()
            .find_map(|c| outer_column_in(db, c, around, inner)),
    }
}

/// `select` with each column it names of the row in `scope` (the
/// statement around it) replaced by that row's value, typed as its column:
/// an uncorrelated query that gives the subquery's result for that row.
fn bind_outer(
    db: &Database,
    select: &super::ast::Select,
    scope: &Scope,
) -> Result<super::ast::Select, SqlError> {
    let mut bound = select.clone();
    bind_select(db, &mut bound, scope, &mut Vec::new())?;
    Ok(bound)
}

fn bind_select(
    db: &Database,
    select: &mut super::ast::Select,
    scope: &Scope,
    inner: &mut Vec<Vec<(String, Vec<String>)>>,
) -> Result<(), SqlError> {
    // A query that shares the statement's scope had its names checked once,
    // before any row (`prepare_correlated`).
    inner.push(own_tables(db, select));
    let bound = select
        .root_exprs_mut()
        .into_iter()
        .try_for_each(|e| bind_expr(db, e, scope, inner));
    inner.pop();
    bound
}

/// In a query that shares its scope with the statement around it (see
/// [`super::ast::Select::shares_scope`]), an unqualified name that both
/// its tables and the statement's have is ambiguous (42702).
fn check_shared_names(
    e: &Expr,
    own: &[(String, Vec<String>)],
    scope: &Scope,
) -> Result<(), SqlError> {
    if let Expr::Column {
        qualifier: None,
        name,
    } = e
        && names_own(own, None, name)
        && eval::resolve(scope, None, name).is_ok()
    {
        return Err(SqlError::new(
            "42702",
            format!("column reference \"{name}\" is ambiguous"),
        ));
    }
    e.children()
        .into_iter()
        .try_for_each(|c| check_shared_names(c, own, scope))
}

fn bind_expr(
    db: &Database,
    e: &mut Expr,
    scope: &Scope,
    inner: &mut Vec<Vec<(String, Vec<String>)>>,
) -> Result<(), SqlError> {
    if let Expr::Column { qualifier, name } = &*e {
        let q = qualifier.as_deref();
        if inner.iter().any(|tables| names_own(tables, q, name)) {
            return Ok(());
        }
        let names_outer_table = q.is_some_and(|q| scope.sources.iter().any(|s| s.alias == q));
        match eval::resolve(scope, q, name) {
            Ok((s, c)) => {
                let source = &scope.sources[s];
                let value = source.values.and_then(|values| values[c].to_text());
                *e = typed_literal(&value, source.columns[c].ty);
            }
            // `t.missing` where `t` is the statement's table.
            Err(missing) if names_outer_table => return Err(missing),
            // Left for the subquery's own check to report.
            Err(_) => {}
        }
        return Ok(());
    }
    for child in e.children_mut() {
        bind_expr(db, child, scope, inner)?;
    }
    if let Expr::Subquery { select, .. } = e {
        bind_select(db, select, scope, inner)?;
    }
    Ok(())
}

/// Runs the statement's correlated subqueries, one row at a time: each is
/// bound to the row (see [`bind_outer`]) and run as a statement of its own
/// at the statement's snapshot, so its reads take their predicate locks for
/// that row, as a PostgreSQL subplan's index scan does.
struct PerRow<'d> {
    db: &'d mut Database,
    tx: TxId,
    now_us: i64,
}

impl eval::SubqueryRunner for PerRow<'_> {
    fn run(
        &mut self,
        kind: &SubqueryKind,
        select: &super::ast::Select,
        scope: &Scope,
        random_state: &mut u64,
    ) -> Result<Expr, SqlError> {
        let bound = bind_outer(self.db, select, scope)?;
        let params = self.db.params.clone();
        let snapshot = self.db.stmt_snapshot.clone();
        let mut sub = StmtState::new(Statement::Select(bound), self.now_us);
        sub.params = params.clone();
        sub.snapshot = snapshot.clone();
        self.db.random_state = *random_state;
        let outcome = run(self.db, self.tx, &mut sub);
        *random_state = self.db.random_state;
        // The statement around it goes on with its own.
        self.db.params = params;
        self.db.stmt_snapshot = snapshot;
        match outcome? {
            Outcome::Done(result) => subquery_value(kind, result),
            Outcome::Blocked(_) => Err(SqlError::new(
                "0A000",
                "a correlated subquery that waits for a row lock is not supported",
            )),
        }
    }
}

/// Runs an `INSERT ... SELECT`'s query and makes its rows the insert's
/// values; `Some(tx)` when it waits for `tx`.
fn run_insert_select(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
) -> Result<Option<TxId>, SqlError> {
    let Statement::Insert(Insert {
        select: Some(source),
        ..
    }) = &*state.stmt
    else {
        return Ok(None);
    };
    let source = (**source).clone();
    let result = match sub_select(db, tx, state, &source)? {
        Ok(result) => result,
        Err(blocker) => return Ok(Some(blocker)),
    };
    let types = result
        .columns
        .iter()
        .map(|c| column_type(c.type_oid))
        .collect::<Result<Vec<_>, _>>()?;
    let rows: Vec<Vec<Expr>> = result
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(&types)
                .map(|(v, ty)| typed_literal(v, *ty))
                .collect()
        })
        .collect();
    let Statement::Insert(ins) = Arc::make_mut(&mut state.stmt) else {
        unreachable!("matched above")
    };
    ins.rows = rows;
    ins.select = None;
    Ok(None)
}

/// Runs `inner` as a part of the statement (a subquery, an `INSERT`'s
/// query) at the statement's snapshot, going on with the one that waited;
/// `Err(tx)` when it waits for `tx`.
fn sub_select(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    inner: &super::ast::Select,
) -> Result<Result<QueryResult, TxId>, SqlError> {
    if state.sub.is_none() {
        let mut sub = StmtState::new(Statement::Select(inner.clone()), state.now_us);
        sub.params = state.params.clone();
        sub.snapshot = state.snapshot.clone();
        state.sub = Some(Box::new(sub));
    }
    let sub = state.sub.as_mut().expect("made above");
    // Its own subqueries run as parts of it.
    let outcome = run(db, tx, sub);
    db.params = state.params.clone();
    db.stmt_snapshot = state.snapshot.clone();
    match outcome? {
        Outcome::Blocked(other) => Ok(Err(other)),
        Outcome::Done(result) => {
            state.sub = None;
            Ok(Ok(result))
        }
    }
}

/// The type of a result column, to read its text back.
fn column_type(oid: u32) -> Result<SqlType, SqlError> {
    binary::type_of_oid(oid).ok_or_else(|| {
        SqlError::new(
            "0A000",
            "a subquery's column has a type idemsim does not read",
        )
    })
}

/// A value in PostgreSQL's text form, typed: what a subquery's result
/// stands as in its statement.
fn typed_literal(text: &Option<String>, ty: SqlType) -> Expr {
    Expr::Cast {
        expr: Box::new(Expr::Literal(match text {
            Some(t) => Literal::Text(t.clone()),
            None => Literal::Null,
        })),
        ty,
    }
}

/// A subquery's result as the expression that replaces it: a value typed
/// as its column, a truth for `EXISTS`, a list for `IN`.
fn subquery_value(kind: &SubqueryKind, result: QueryResult) -> Result<Expr, SqlError> {
    let one_column = || match result.columns.as_slice() {
        [column] => column_type(column.type_oid),
        _ => Err(super::describe::one_column_error(kind)),
    };
    Ok(match kind {
        SubqueryKind::Exists { negated } => {
            Expr::Literal(Literal::Bool(result.rows.is_empty() == *negated))
        }
        SubqueryKind::Scalar => {
            let ty = one_column()?;
            if result.rows.len() > 1 {
                return Err(SqlError::new(
                    "21000",
                    "more than one row returned by a subquery used as an expression",
                ));
            }
            typed_literal(&result.rows.first().and_then(|r| r[0].clone()), ty)
        }
        SubqueryKind::In { expr, negated } => {
            let ty = one_column()?;
            if result.rows.is_empty() {
                // Nothing to match: false, and NOT IN true, whatever `expr` is.
                Expr::Literal(Literal::Bool(*negated))
            } else {
                Expr::InList {
                    expr: expr.clone(),
                    list: result
                        .rows
                        .iter()
                        .map(|r| typed_literal(&r[0], ty))
                        .collect(),
                    negated: *negated,
                }
            }
        }
    })
}

/// The names an `UPDATE ... FROM`'s (a `DELETE ... USING`'s) `RETURNING`
/// uses: one that both the target and a joined table have is ambiguous
/// (42702), as in PostgreSQL; one that only a joined table has is refused,
/// as `RETURNING` here names the target's columns only.
fn check_joined_returning(
    db: &Database,
    items: &[SelectItem],
    target: &Scope,
    joined: &[super::ast::TableRef],
) -> Result<(), SqlError> {
    if joined.is_empty() {
        return Ok(());
    }
    let others = named_columns(db, joined.iter());
    fn walk(e: &Expr, others: &[(String, Vec<String>)], target: &Scope) -> Result<(), SqlError> {
        if let Expr::Column {
            qualifier: None,
            name,
        } = e
            && names_own(others, None, name)
        {
            return Err(match eval::resolve(target, None, name) {
                Ok(_) => {
                    SqlError::new("42702", format!("column reference \"{name}\" is ambiguous"))
                }
                Err(_) => SqlError::new(
                    "0A000",
                    format!(
                        "RETURNING names \"{name}\", a column of a table of FROM or USING: \
                         RETURNING names the target table's columns only"
                    ),
                ),
            });
        }
        e.children()
            .into_iter()
            .try_for_each(|c| walk(c, others, target))
    }
    items.iter().try_for_each(|item| match item {
        SelectItem::Expr { expr, .. } => walk(expr, &others, target),
        SelectItem::Wildcard { .. } => Ok(()),
    })
}

/// Checks, before any row is read, that the tables and columns a statement
/// names exist and that an `ON CONFLICT` names a unique index: PostgreSQL
/// refuses such a statement whatever the data.
fn check_names(db: &Database, stmt: &Statement) -> Result<(), SqlError> {
    let definition = |name: &str| -> Result<Table, SqlError> {
        Ok(table(db, table_id(db, name)?).clone_definition())
    };
    match stmt {
        Statement::Select(sel) => {
            let mut tables = Vec::new();
            for r in sel.tables() {
                tables.push((r.alias.clone(), definition(&r.table)?));
            }
            let sources = unrowed_sources(&tables);
            let scope = Scope { sources: &sources };
            let aliases: Vec<&str> = sel
                .items
                .iter()
                .filter_map(|i| match i {
                    SelectItem::Expr { alias: Some(a), .. } => Some(a.as_str()),
                    _ => None,
                })
                .collect();
            for item in &sel.items {
                if let SelectItem::Expr { expr, .. } = item {
                    eval::check_columns(expr, &scope)?;
                }
            }
            for e in sel
                .filter
                .iter()
                .chain(sel.joins.iter().map(|j| &j.on))
                .chain(&sel.group_by)
                .chain(&sel.having)
            {
                eval::check_columns(e, &scope)?;
            }
            for o in &sel.order_by {
                let output = matches!(&o.expr, Expr::Column { qualifier: None, name } if aliases.contains(&name.as_str()))
                    || matches!(&o.expr, Expr::Literal(_));
                if !output {
                    eval::check_columns(&o.expr, &scope)?;
                }
            }
        }
        Statement::Update(u) => {
            let t = definition(&u.table.table)?;
            let sources = [Source {
                alias: &u.table.alias,
                columns: &t.columns,
                values: None,
            }];
            let scope = Scope { sources: &sources };
            for a in &u.assignments {
                t.column(&a.column)?;
                eval::check_columns(&a.value, &scope)?;
            }
            for e in u.filter.iter() {
                eval::check_columns(e, &scope)?;
            }
            check_joined_returning(db, &u.returning, &scope, &u.joined)?;
            check_returning(&u.returning, &scope)?;
        }
        Statement::Delete(d) => {
            let t = definition(&d.table.table)?;
            let sources = [Source {
                alias: &d.table.alias,
                columns: &t.columns,
                values: None,
            }];
            let scope = Scope { sources: &sources };
            for e in d.filter.iter() {
                eval::check_columns(e, &scope)?;
            }
            check_joined_returning(db, &d.returning, &scope, &d.joined)?;
            check_returning(&d.returning, &scope)?;
        }
        Statement::Insert(i) => {
            let t = definition(&i.table)?;
            column_ids(&t, &i.columns)?;
            let sources = [
                Source {
                    alias: &i.table,
                    columns: &t.columns,
                    values: None,
                },
                Source {
                    alias: "excluded",
                    columns: &t.columns,
                    values: None,
                },
            ];
            if let Some(oc) = &i.on_conflict {
                if let Some(name) = &oc.constraint
                    && !t.uniques.iter().any(|u| u.is_constraint && u.name == *name)
                {
                    return Err(SqlError::new(
                        "42704",
                        format!(
                            "constraint \"{name}\" for table \"{}\" does not exist",
                            t.name
                        ),
                    ));
                }
                let target = column_ids(&t, &oc.target)?;
                let mut target = target;
                target.sort_unstable();
                let matches_index = oc.target.is_empty()
                    || t.uniques.iter().any(|u| {
                        let mut columns = u.columns.clone();
                        columns.sort_unstable();
                        columns == target
                    });
                if !matches_index {
                    return Err(SqlError::new(
                        "42P10",
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    ));
                }
                if let ConflictAction::Update {
                    assignments,
                    filter,
                } = &oc.action
                {
                    let scope = Scope { sources: &sources };
                    for a in assignments {
                        t.column(&a.column)?;
                        eval::check_columns(&a.value, &scope)?;
                    }
                    for f in filter.iter() {
                        eval::check_columns(f, &scope)?;
                    }
                }
            }
            insert_returning_scope(sources[0].alias, sources[0].columns, |scope| {
                check_returning(&i.returning, scope)
            })?;
        }
        _ => {}
    }
    Ok(())
}

fn check_returning(items: &[SelectItem], scope: &Scope) -> Result<(), SqlError> {
    for item in items {
        if let SelectItem::Expr { expr, .. } = item {
            eval::check_columns(expr, scope)?;
        }
    }
    Ok(())
}

/// The statement's snapshot: the transaction's own under REPEATABLE READ
/// and SERIALIZABLE (taken at its first statement), a fresh one otherwise.
fn snapshot_for(db: &mut Database, tx: TxId) -> Snapshot {
    let fresh = Snapshot {
        xmax: db.next_tx(),
        active: db
            .txs
            .iter()
            .filter(|(id, t)| **id != tx && t.state == TxState::Active)
            .map(|(id, _)| *id)
            .collect(),
        own: tx,
    };
    let t = db.txs.get_mut(&tx).expect("a running transaction");
    if t.isolation == Isolation::ReadCommitted {
        return fresh;
    }
    if let Some(taken) = &t.snapshot {
        return taken.clone();
    }
    t.snapshot = Some(fresh.clone());
    if t.isolation == Isolation::Serializable {
        db.ssi.begin(tx, fresh.clone());
    }
    fresh
}

fn isolation(db: &Database, tx: TxId) -> Isolation {
    db.txs[&tx].isolation
}

pub fn table_id(db: &Database, name: &str) -> Result<usize, SqlError> {
    db.tables
        .iter()
        .position(|t| t.as_ref().is_some_and(|t| t.name == name))
        .ok_or_else(|| SqlError::new("42P01", format!("relation \"{name}\" does not exist")))
}

fn table(db: &Database, id: usize) -> &Table {
    db.tables[id].as_ref().expect("a table that exists")
}

fn table_mut(db: &mut Database, id: usize) -> &mut Table {
    db.tables[id].as_mut().expect("a table that exists")
}

/// Evaluates `expr` over `sources` with the statement's clocks.
fn eval_in(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    expr: &Expr,
    sources: &[Source],
) -> Result<Value, SqlError> {
    with_context(db, tx, now_us, |ctx| {
        eval::eval(expr, &Scope { sources }, None, ctx)
    })
}

/// Runs `f` with what evaluation needs in the statement being run: its
/// parameters, its clocks, the generator behind `gen_random_uuid()`, and a
/// runner for its correlated subqueries.
fn with_context<R>(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    f: impl FnOnce(&mut Context) -> Result<R, SqlError>,
) -> Result<R, SqlError> {
    let tx_start_us = db.txs[&tx].start_us;
    let params = db.params.clone();
    let mut random_state = db.random_state;
    let out = {
        let mut runner = PerRow { db, tx, now_us };
        let mut ctx = Context {
            params: &params,
            tx_start_us,
            clock_us: now_us,
            random_state: &mut random_state,
            subqueries: Some(&mut runner),
        };
        f(&mut ctx)
    };
    db.random_state = random_state;
    out
}

/// A row by value: the name the statement calls its table, its columns,
/// its values.
type RowSource = (String, std::sync::Arc<Vec<ColumnMeta>>, Option<Vec<Value>>);

/// Result columns and rows in text form.
type Rendered = (Vec<Column>, Vec<Vec<Option<String>>>);

/// `eval_in` for an expression that cannot reach `gen_random_uuid()`'s
/// state through a borrowed table: it takes the row's values by copy.
fn eval_row(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    expr: &Expr,
    sources: &[RowSource],
) -> Result<Value, SqlError> {
    let sources: Vec<Source> = sources
        .iter()
        .map(|(alias, columns, values)| Source {
            alias,
            columns,
            values: values.as_deref(),
        })
        .collect();
    eval_in(db, tx, now_us, expr, &sources)
}

/// An expression without a row (a constant, a parameter), as the
/// statement being run sees it.
pub(super) fn eval_constant(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    expr: &Expr,
) -> Result<Value, SqlError> {
    eval_in(db, tx, now_us, expr, &[])
}

fn is_true(v: &Value) -> Result<bool, SqlError> {
    Ok(eval::truth(v)? == Some(true))
}

// ---------------------------------------------------------------- DDL

fn create_table(db: &mut Database, tx: TxId, c: &CreateTable) -> Result<QueryResult, SqlError> {
    if table_id(db, &c.name).is_ok() {
        if c.if_not_exists {
            return Ok(QueryResult::tag_only("CREATE TABLE"));
        }
        return Err(SqlError::new(
            "42P07",
            format!("relation \"{}\" already exists", c.name),
        ));
    }
    if db.tables.iter().flatten().count() >= MAX_TABLES {
        return Err(SqlError::new(
            "54000",
            format!("too many tables; idemsim's database holds at most {MAX_TABLES}"),
        ));
    }
    if c.columns
        .iter()
        .any(|d| d.default.as_ref().is_some_and(Expr::has_subquery))
    {
        return Err(SqlError::new(
            "0A000",
            "cannot use subquery in DEFAULT expression",
        ));
    }
    if c.constraints
        .iter()
        .any(|k| matches!(k, TableConstraint::Check { expr, .. } if expr.has_subquery()))
    {
        return Err(SqlError::new(
            "0A000",
            "cannot use subquery in check constraint",
        ));
    }
    let mut columns: Vec<ColumnMeta> = Vec::new();
    for def in &c.columns {
        if columns.iter().any(|col| col.name == def.name) {
            return Err(SqlError::new(
                "42701",
                format!("column \"{}\" specified more than once", def.name),
            ));
        }
        columns.push(ColumnMeta {
            name: def.name.clone(),
            ty: def.ty,
            not_null: def.not_null || def.serial,
            default: def.default.clone(),
            serial: def.serial,
            identity: def.identity,
            generated_always: def.generated_always,
        });
    }
    let mut t = Table {
        name: c.name.clone(),
        sequences: vec![1; columns.len()],
        columns: columns.into(),
        uniques: Default::default(),
        checks: Default::default(),
        foreign_keys: Default::default(),
        indexes: Default::default(),
        tuples: Arc::new(Vec::new()),
    };
    for constraint in &c.constraints {
        add_constraint(db, &mut t, constraint)?;
    }
    db.tables.push(Some(t));
    let table = db.tables.len() - 1;
    push_undo(db, tx, Undo::CreateTable { table });
    Ok(QueryResult::tag_only("CREATE TABLE"))
}

fn column_ids(t: &Table, names: &[String]) -> Result<Vec<usize>, SqlError> {
    names.iter().map(|n| t.column(n)).collect()
}

fn add_constraint(db: &Database, t: &mut Table, c: &TableConstraint) -> Result<(), SqlError> {
    match c {
        TableConstraint::PrimaryKey { name, columns } => {
            if t.uniques.iter().any(|u| u.name.ends_with("_pkey")) {
                return Err(SqlError::new(
                    "42P16",
                    format!(
                        "multiple primary keys for table \"{}\" are not allowed",
                        t.name
                    ),
                ));
            }
            let ids = column_ids(t, columns)?;
            for &i in &ids {
                std::sync::Arc::make_mut(&mut t.columns)[i].not_null = true;
            }
            std::sync::Arc::make_mut(&mut t.uniques).push(Index {
                name: name.clone().unwrap_or_else(|| format!("{}_pkey", t.name)),
                columns: ids,
                is_constraint: true,
            });
        }
        TableConstraint::Unique { name, columns } => {
            let ids = column_ids(t, columns)?;
            std::sync::Arc::make_mut(&mut t.uniques).push(Index {
                name: name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}_key", t.name, columns.join("_"))),
                columns: ids,
                is_constraint: true,
            });
        }
        TableConstraint::Check { name, expr } => {
            let name = name.clone().unwrap_or_else(|| check_name(t, expr));
            std::sync::Arc::make_mut(&mut t.checks).push(Check {
                name,
                expr: expr.clone(),
            });
        }
        TableConstraint::ForeignKey {
            name,
            columns,
            foreign_table,
            referred_columns,
            on_delete,
        } => {
            let ids = column_ids(t, columns)?;
            let (parent_id, parent) = if *foreign_table == t.name {
                (db.tables.len(), &*t)
            } else {
                let id = table_id(db, foreign_table)?;
                (id, table(db, id))
            };
            let referred = if referred_columns.is_empty() {
                parent
                    .uniques
                    .iter()
                    .find(|u| u.name.ends_with("_pkey"))
                    .map(|u| u.columns.clone())
                    .ok_or_else(|| {
                        SqlError::new(
                            "42830",
                            format!(
                                "there is no primary key for referenced table \"{foreign_table}\""
                            ),
                        )
                    })?
            } else {
                column_ids(parent, referred_columns)?
            };
            if !parent.uniques.iter().any(|u| u.columns == referred) {
                return Err(SqlError::new(
                    "42830",
                    format!(
                        "there is no unique constraint matching given keys for referenced table \"{foreign_table}\""
                    ),
                ));
            }
            if ids.len() != referred.len() {
                return Err(SqlError::new(
                    "42830",
                    "number of referencing and referenced columns for foreign key disagree",
                ));
            }
            std::sync::Arc::make_mut(&mut t.foreign_keys).push(ForeignKey {
                name: name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}_fkey", t.name, columns.join("_"))),
                columns: ids,
                table: parent_id,
                referred,
                on_delete: *on_delete,
            });
        }
    }
    Ok(())
}

/// PostgreSQL's name for an unnamed check: `table_column_check` when it
/// names one column, `table_check` otherwise.
fn check_name(t: &Table, expr: &Expr) -> String {
    let mut names = Vec::new();
    collect_columns(expr, &mut names);
    names.dedup();
    match names.as_slice() {
        [one] => format!("{}_{one}_check", t.name),
        _ => format!("{}_check", t.name),
    }
}

fn collect_columns(expr: &Expr, out: &mut Vec<String>) {
    if let Expr::Column { name, .. } = expr
        && !out.contains(name)
    {
        out.push(name.clone());
    }
    for child in expr.children() {
        collect_columns(child, out);
    }
}

fn create_index(db: &mut Database, tx: TxId, c: &CreateIndex) -> Result<QueryResult, SqlError> {
    let id = table_id(db, &c.table)?;
    let name = c
        .name
        .clone()
        .unwrap_or_else(|| format!("{}_{}_idx", c.table, c.columns.join("_")));
    let taken = db
        .tables
        .iter()
        .flatten()
        .any(|t| t.all_indexes().any(|i| i.name == name) || t.name == name);
    if taken {
        if c.if_not_exists {
            return Ok(QueryResult::tag_only("CREATE INDEX"));
        }
        return Err(SqlError::new(
            "42P07",
            format!("relation \"{name}\" already exists"),
        ));
    }
    let t = table(db, id);
    let columns = column_ids(t, &c.columns)?;
    if c.unique {
        let live: Vec<&Tuple> = t
            .tuples
            .iter()
            .filter(|tuple| matches!(liveness(tuple, tx, &db.txs), Liveness::Live))
            .collect();
        for (i, a) in live.iter().enumerate() {
            for b in &live[i + 1..] {
                if same_key(a, b, &columns) {
                    return Err(SqlError::new(
                        "23505",
                        format!("could not create unique index \"{name}\""),
                    ));
                }
            }
        }
        std::sync::Arc::make_mut(&mut table_mut(db, id).uniques).push(Index {
            name,
            columns,
            is_constraint: false,
        });
    } else {
        std::sync::Arc::make_mut(&mut table_mut(db, id).indexes).push(Index {
            name,
            columns,
            is_constraint: false,
        });
    }
    push_undo(
        db,
        tx,
        Undo::CreateIndex {
            table: id,
            unique: c.unique,
        },
    );
    Ok(QueryResult::tag_only("CREATE INDEX"))
}

fn same_key(a: &Tuple, b: &Tuple, columns: &[usize]) -> bool {
    columns.iter().all(|&c| {
        !a.data[c].is_null()
            && eval::order(&a.data[c], &b.data[c]).ok().flatten() == Some(Ordering::Equal)
    })
}

fn drop_tables(
    db: &mut Database,
    tx: TxId,
    names: &[String],
    if_exists: bool,
) -> Result<Outcome, SqlError> {
    for name in names {
        let id = match table_id(db, name) {
            Ok(id) => id,
            Err(_) if if_exists => continue,
            Err(e) => return Err(e),
        };
        let referenced = db.tables.iter().enumerate().any(|(i, t)| {
            i != id
                && t.as_ref()
                    .is_some_and(|t| t.foreign_keys.iter().any(|f| f.table == id))
        });
        if referenced {
            return Err(SqlError::new(
                "2BP01",
                format!("cannot drop table {name} because other objects depend on it"),
            ));
        }
        let was = db.tables[id].take().expect("a table that exists");
        push_undo(
            db,
            tx,
            Undo::DropTable {
                table: id,
                was: Box::new(was),
            },
        );
    }
    Ok(Outcome::Done(QueryResult::tag_only("DROP TABLE")))
}

// ---------------------------------------------------------------- row locks

/// What trying to lock a row's newest version gave.
enum Lock {
    /// Locked: the version (newer than the one asked for when `moved`).
    Locked {
        tuple: usize,
        moved: bool,
    },
    /// Deleted by a committed transaction.
    Gone,
    /// `SKIP LOCKED` and it is locked.
    Skipped,
    Blocked(TxId),
}

/// Locks the newest version of the row whose version `start` is, following
/// committed updates under READ COMMITTED.
fn lock_row(
    db: &mut Database,
    tx: TxId,
    table_id: usize,
    start: usize,
    strength: LockStrength,
    wait: LockWait,
) -> Result<Lock, SqlError> {
    let mut at = start;
    let repeatable = isolation(db, tx) != Isolation::ReadCommitted;
    loop {
        let t = table(db, table_id);
        let tuple = &t.tuples[at];
        if let Some(blocker) = lock_blocker(tuple, tx, strength, &db.txs) {
            return match wait {
                LockWait::Wait => Ok(Lock::Blocked(blocker)),
                LockWait::SkipLocked => Ok(Lock::Skipped),
                LockWait::NoWait => Err(SqlError::new(
                    "55P03",
                    format!("could not obtain lock on row in relation \"{}\"", t.name),
                )),
            };
        }
        if let Some(by) = tuple.replaced.by {
            let committed_other =
                by != tx && db.txs.get(&by).map(|t| t.state) == Some(TxState::Committed);
            if committed_other && repeatable {
                return Err(serialization_failure());
            }
            if committed_other || by == tx {
                match tuple.replaced.next {
                    Some(next) => {
                        at = next;
                        continue;
                    }
                    None => return Ok(Lock::Gone),
                }
            }
        }
        let held = tuple.locks.iter().find(|(h, _)| *h == tx).map(|(_, s)| *s);
        if held.is_none_or(|h| h < strength) {
            let t = table_mut(db, table_id);
            let locks = &mut t.tuples_mut()[at].locks;
            locks.retain(|(h, _)| *h != tx);
            locks.push((tx, strength));
            push_undo(
                db,
                tx,
                Undo::Lock {
                    table: table_id,
                    tuple: at,
                    tx,
                    before: held,
                },
            );
        }
        return Ok(Lock::Locked {
            tuple: at,
            moved: at != start,
        });
    }
}

fn serialization_failure() -> SqlError {
    SqlError::new(
        "40001",
        "could not serialize access due to concurrent update",
    )
}

fn push_undo(db: &mut Database, tx: TxId, undo: Undo) {
    db.txs
        .get_mut(&tx)
        .expect("a running transaction")
        .undo
        .push(undo);
}

// ---------------------------------------------------------------- writes

/// A unique key that a row would break, and how.
enum KeyCheck {
    Free,
    /// A live version has the key: the index and that version.
    Taken {
        index: usize,
        tuple: usize,
    },
    Blocked(TxId),
}

/// Whether `values` would duplicate a live key of any unique index
/// (`except`: the version being replaced). NULLs never collide.
fn check_keys(
    db: &Database,
    tx: TxId,
    table_id: usize,
    values: &[Value],
    except: Option<usize>,
) -> KeyCheck {
    let t = table(db, table_id);
    for (index, u) in t.uniques.iter().enumerate() {
        if u.columns.iter().any(|&c| values[c].is_null()) {
            continue;
        }
        for (i, tuple) in t.tuples.iter().enumerate() {
            if Some(i) == except
                || !u.columns.iter().all(|&c| {
                    eval::order(&tuple.data[c], &values[c]).ok().flatten() == Some(Ordering::Equal)
                })
            {
                continue;
            }
            match liveness(tuple, tx, &db.txs) {
                Liveness::Live => return KeyCheck::Taken { index, tuple: i },
                Liveness::Pending(other) => return KeyCheck::Blocked(other),
                Liveness::Dead => {}
            }
        }
    }
    KeyCheck::Free
}

/// The error for a key that a live version holds: 23505, unless
/// SERIALIZABLE's check of the index page, which PostgreSQL makes first,
/// finds a dangerous structure (40001).
fn duplicate(db: &mut Database, tx: TxId, table_id: usize, index: usize) -> SqlError {
    if let Err(e) = db
        .ssi
        .conflict_in(tx, Write::DuplicateKey { table: table_id })
    {
        return e;
    }
    let t = table(db, table_id);
    SqlError::new(
        "23505",
        format!(
            "duplicate key value violates unique constraint \"{}\"",
            t.uniques[index].name
        ),
    )
}

/// NOT NULL and CHECK, in PostgreSQL's order.
fn check_row(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    values: &[Value],
) -> Result<(), SqlError> {
    let t = table(db, table_id);
    for (c, col) in t.columns.iter().enumerate() {
        if col.not_null && values[c].is_null() {
            return Err(SqlError::new(
                "23502",
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    col.name, t.name
                ),
            ));
        }
    }
    let checks = t.checks.clone();
    let source = vec![(t.name.clone(), t.columns.clone(), Some(values.to_vec()))];
    let name = t.name.clone();
    for check in checks.iter() {
        let v = eval_row(db, tx, now_us, &check.expr, &source)?;
        if eval::truth(&v)? == Some(false) {
            return Err(SqlError::new(
                "23514",
                format!(
                    "new row for relation \"{name}\" violates check constraint \"{}\"",
                    check.name
                ),
            ));
        }
    }
    Ok(())
}

/// Each foreign key of the row must find its parent, which it locks
/// `FOR KEY SHARE` so that the parent cannot go while the child is new.
fn check_parents(
    db: &mut Database,
    tx: TxId,
    table_id: usize,
    values: &[Value],
) -> Result<Option<TxId>, SqlError> {
    let fks = table(db, table_id).foreign_keys.clone();
    for fk in fks.iter() {
        if fk.columns.iter().any(|&c| values[c].is_null()) {
            continue;
        }
        let parent_id = fk.table;
        // Versions with the key whose inserter committed (or is us) and
        // that no committed transaction replaced: the row as it stands.
        // Whether a running replacer stands in the way is the row lock's
        // question: a non-key update does not stop `FOR KEY SHARE`.
        let candidates: Vec<usize> = table(db, parent_id)
            .tuples
            .iter()
            .enumerate()
            .filter(|(_, tuple)| {
                let inserted = tuple.xmin == tx
                    || db.txs.get(&tuple.xmin).map(|t| t.state) == Some(TxState::Committed);
                let replaced = tuple.replaced.by.is_some_and(|x| {
                    x == tx || db.txs.get(&x).map(|t| t.state) == Some(TxState::Committed)
                });
                !tuple.dead
                    && inserted
                    && !replaced
                    && fk.columns.iter().zip(&fk.referred).all(|(&c, &p)| {
                        eval::order(&tuple.data[p], &values[c]).ok().flatten()
                            == Some(Ordering::Equal)
                    })
            })
            .map(|(i, _)| i)
            .collect();
        let mut found = false;
        for i in candidates {
            match lock_row(db, tx, parent_id, i, LockStrength::KeyShare, LockWait::Wait)? {
                Lock::Blocked(other) => return Ok(Some(other)),
                Lock::Locked { .. } => {
                    found = true;
                    break;
                }
                Lock::Gone | Lock::Skipped => {}
            }
        }
        if !found {
            return Err(SqlError::new(
                "23503",
                format!(
                    "insert or update on table \"{}\" violates foreign key constraint \"{}\"",
                    table(db, table_id).name,
                    fk.name
                ),
            ));
        }
    }
    Ok(None)
}

/// No child row may still point at a row being deleted (or whose key changes).
fn check_children(
    db: &Database,
    tx: TxId,
    table_id: usize,
    old: &[Value],
    new: Option<&[Value]>,
) -> Result<(), SqlError> {
    for child in &db.tables {
        let Some(child) = child else { continue };
        for fk in child.foreign_keys.iter() {
            let parent = fk.table;
            if parent != table_id {
                continue;
            }
            if let Some(new) = new
                && fk
                    .referred
                    .iter()
                    .all(|&p| eval::order(&old[p], &new[p]).ok().flatten() == Some(Ordering::Equal))
            {
                continue;
            }
            let referenced = child.tuples.iter().any(|tuple| {
                matches!(liveness(tuple, tx, &db.txs), Liveness::Live)
                    && fk.columns.iter().zip(&fk.referred).all(|(&c, &p)| {
                        eval::order(&tuple.data[c], &old[p]).ok().flatten() == Some(Ordering::Equal)
                    })
            });
            if referenced {
                let verb = if new.is_some() { "update" } else { "delete" };
                return Err(SqlError::new(
                    "23503",
                    format!(
                        "{verb} on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
                        table(db, table_id).name,
                        fk.name,
                        child.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Does what each `ON DELETE CASCADE | SET NULL | SET DEFAULT` foreign key
/// says to the rows referring to `old`, a row of `table_id` about to be
/// deleted, and so on down the chain: rows are locked (waited on) and
/// changed before the row they refer to goes. `Some(tx)` when a row must
/// wait for `tx`; run again, the work already done is not found again (its
/// rows no longer refer). PostgreSQL does this at the end of the statement,
/// in a trigger; the outcome differs only for a statement that reads the
/// referring rows again after deleting the row they refer to.
fn act_on_children(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    old: &[Value],
) -> Result<Option<TxId>, SqlError> {
    let mut deleted: Vec<(usize, Vec<Value>)> = vec![(table_id, old.to_vec())];
    let mut next = 0;
    while let Some((parent, values)) = deleted.get(next).cloned() {
        next += 1;
        let keys: Vec<(usize, ForeignKey)> = db
            .tables
            .iter()
            .enumerate()
            .filter_map(|(id, t)| Some((id, t.as_ref()?)))
            .flat_map(|(id, t)| t.foreign_keys.iter().map(move |fk| (id, fk.clone())))
            .filter(|(_, fk)| fk.table == parent && fk.on_delete != OnDelete::NoAction)
            .collect();
        for (child, fk) in keys {
            let refers = |data: &[Value]| {
                fk.columns.iter().zip(&fk.referred).all(|(&c, &p)| {
                    eval::order(&data[c], &values[p]).ok().flatten() == Some(Ordering::Equal)
                })
            };
            let rows: Vec<usize> = {
                let t = table(db, child);
                (0..t.tuples.len())
                    .filter(|&i| {
                        matches!(liveness(&t.tuples[i], tx, &db.txs), Liveness::Live)
                            && refers(&t.tuples[i].data)
                    })
                    .collect()
            };
            let strength = match fk.on_delete {
                OnDelete::Cascade => LockStrength::Update,
                _ => LockStrength::NoKeyUpdate,
            };
            for row in rows {
                let tuple = match lock_row(db, tx, child, row, strength, LockWait::Wait)? {
                    Lock::Blocked(other) => return Ok(Some(other)),
                    Lock::Gone | Lock::Skipped => continue,
                    Lock::Locked { tuple, .. } => tuple,
                };
                let data = table(db, child).tuples[tuple].data.clone();
                if !refers(&data) {
                    continue;
                }
                if fk.on_delete == OnDelete::Cascade {
                    db.ssi.conflict_in(
                        tx,
                        Write::Replace {
                            table: child,
                            tuple,
                            new_index_entries: false,
                        },
                    )?;
                    replace(db, tx, child, tuple, LockStrength::Update, None);
                    deleted.push((child, data));
                    continue;
                }
                let mut new = data;
                for &c in &fk.columns {
                    new[c] = match fk.on_delete {
                        OnDelete::SetDefault => default_value(db, tx, now_us, child, c)?,
                        _ => Value::Null,
                    };
                }
                if let Written::Blocked(other) = write_version(db, tx, now_us, child, tuple, new)? {
                    return Ok(Some(other));
                }
            }
        }
    }
    // Rows that a cascade deleted may still be referred to through keys
    // without an action: the delete then fails, as the statement does.
    for (child, data) in deleted.iter().skip(1) {
        check_children(db, tx, *child, data, None)?;
    }
    Ok(None)
}

fn add_tuple(
    db: &mut Database,
    tx: TxId,
    table_id: usize,
    data: Vec<Value>,
) -> Result<usize, SqlError> {
    let t = table_mut(db, table_id);
    if t.tuples.len() >= MAX_TUPLES_PER_TABLE {
        return Err(SqlError::new(
            "54000",
            format!(
                "table \"{}\" holds {MAX_TUPLES_PER_TABLE} row versions, idemsim's limit",
                t.name
            ),
        ));
    }
    t.tuples_mut().push(Tuple {
        xmin: tx,
        replaced: Replaced {
            by: None,
            strength: LockStrength::Update,
            next: None,
        },
        data,
        locks: Vec::new(),
        dead: false,
    });
    let tuple = t.tuples.len() - 1;
    push_undo(
        db,
        tx,
        Undo::Insert {
            table: table_id,
            tuple,
        },
    );
    Ok(tuple)
}

fn replace(
    db: &mut Database,
    tx: TxId,
    table_id: usize,
    tuple: usize,
    strength: LockStrength,
    next: Option<usize>,
) {
    let t = table_mut(db, table_id);
    let before = t.tuples[tuple].replaced;
    t.tuples_mut()[tuple].replaced = Replaced {
        by: Some(tx),
        strength,
        next,
    };
    push_undo(
        db,
        tx,
        Undo::Xmax {
            table: table_id,
            tuple,
            before,
        },
    );
}

#[allow(clippy::too_many_arguments)]
/// The new values of a row after `assignments`, `excluded` being the row an
/// `INSERT ... ON CONFLICT` proposed.
fn assign(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    alias: &str,
    old: &[Value],
    excluded: Option<&[Value]>,
    assignments: &[super::ast::Assignment],
) -> Result<Vec<Value>, SqlError> {
    let t = table(db, table_id);
    let columns = t.columns.clone();
    let mut sources = vec![(alias.to_string(), columns.clone(), Some(old.to_vec()))];
    if let Some(ex) = excluded {
        sources.push(("excluded".to_string(), columns.clone(), Some(ex.to_vec())));
    }
    let mut new = old.to_vec();
    for a in assignments {
        let c = table(db, table_id).column(&a.column)?;
        if columns[c].generated_always && a.value != Expr::Default {
            return Err(SqlError::new(
                "428C9",
                format!("column \"{}\" can only be updated to DEFAULT", a.column),
            ));
        }
        let v = match &a.value {
            Expr::Default => default_value(db, tx, now_us, table_id, c)?,
            e => eval_row(db, tx, now_us, e, &sources)?,
        };
        new[c] = v.coerce(columns[c].ty)?;
    }
    Ok(new)
}

fn default_value(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    c: usize,
) -> Result<Value, SqlError> {
    let col = table(db, table_id).columns[c].clone();
    if col.serial {
        let t = table_mut(db, table_id);
        let v = t.sequences[c];
        t.sequences[c] += 1;
        return Value::Int(v).coerce(col.ty);
    }
    match &col.default {
        Some(e) => eval_in(db, tx, now_us, e, &[])?.coerce(col.ty),
        None => Ok(Value::Null),
    }
}

fn insert(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    ins: &Insert,
) -> Result<Outcome, SqlError> {
    let table_id = table_id(db, &ins.table)?;
    if state.work.is_none() {
        let rows = prepare_rows(db, tx, state.now_us, table_id, ins)?;
        state.work = Some(Work::Insert {
            rows,
            cursor: 0,
            touched: Vec::new(),
        });
    }
    loop {
        let Some(Work::Insert { rows, cursor, .. }) = &state.work else {
            unreachable!("an insert's work is its rows")
        };
        let Some(values) = rows.get(*cursor).cloned() else {
            break;
        };
        match insert_one(db, tx, state, table_id, ins, values)? {
            Some(blocker) => return Ok(Outcome::Blocked(blocker)),
            None => {
                if let Some(Work::Insert { cursor, .. }) = &mut state.work {
                    *cursor += 1;
                }
            }
        }
    }
    finish(
        db,
        state,
        format!("INSERT 0 {}", state.count),
        &ins.returning,
        table_id,
        &ins.table,
        true,
    )
}

/// Inserts one row, or does what `ON CONFLICT` says; `Some(tx)` when it
/// must wait for `tx` first.
fn insert_one(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    table_id: usize,
    ins: &Insert,
    values: Vec<Value>,
) -> Result<Option<TxId>, SqlError> {
    check_row(db, tx, state.now_us, table_id, &values)?;
    if ins.on_conflict.is_none() {
        // The new version goes into the table before its index entries
        // look for a duplicate key (without ON CONFLICT's look first).
        db.ssi.conflict_in(
            tx,
            Write::Insert {
                table: table_id,
                indexed: false,
            },
        )?;
    }
    match check_keys(db, tx, table_id, &values, None) {
        KeyCheck::Blocked(other) => return Ok(Some(other)),
        KeyCheck::Taken { index, tuple } => {
            let arbiter = ins
                .on_conflict
                .as_ref()
                .filter(|oc| is_arbiter(table(db, table_id), index, oc));
            let Some(oc) = arbiter else {
                return Err(duplicate(db, tx, table_id, index));
            };
            return on_conflict(db, tx, state, table_id, ins, oc, tuple, &values);
        }
        KeyCheck::Free => {}
    }
    if let Some(other) = check_parents(db, tx, table_id, &values)? {
        return Ok(Some(other));
    }
    if db.ssi.watches(tx) {
        let indexed = table(db, table_id).all_indexes().next().is_some();
        db.ssi.conflict_in(
            tx,
            Write::Insert {
                table: table_id,
                indexed,
            },
        )?;
    }
    let tuple = add_tuple(db, tx, table_id, values.clone())?;
    if let Some(Work::Insert { touched, .. }) = &mut state.work {
        touched.push(tuple);
    }
    state.count += 1;
    if !ins.returning.is_empty() {
        state.rows.push(with_xmax(values, 0));
    }
    Ok(None)
}

/// A row `INSERT ... RETURNING` evaluates, with its version's `xmax` last:
/// 0 for a row inserted, the transaction for one `ON CONFLICT DO UPDATE`
/// replaced (PostgreSQL leaves its row lock there), which is how
/// `RETURNING (xmax = 0) AS inserted` tells the two apart.
fn with_xmax(mut row: Vec<Value>, xmax: TxId) -> Vec<Value> {
    row.push(Value::Int(i64::try_from(xmax).unwrap_or(i64::MAX)));
    row
}

/// Whether unique index `index` is one the `ON CONFLICT` names (any, when
/// it names none).
fn is_arbiter(t: &Table, index: usize, oc: &OnConflict) -> bool {
    if let Some(name) = &oc.constraint {
        return t.uniques[index].name == *name;
    }
    if oc.target.is_empty() {
        return true;
    }
    let mut target: Vec<usize> = oc.target.iter().filter_map(|n| t.column(n).ok()).collect();
    let mut columns = t.uniques[index].columns.clone();
    target.sort_unstable();
    columns.sort_unstable();
    target == columns
}

#[allow(clippy::too_many_arguments)]
fn on_conflict(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    table_id: usize,
    ins: &Insert,
    oc: &OnConflict,
    existing: usize,
    values: &[Value],
) -> Result<Option<TxId>, SqlError> {
    let repeatable = isolation(db, tx) != Isolation::ReadCommitted;
    let snapshot = state.snapshot.clone().expect("taken at the start");
    let visible = snapshot.sees_tuple(&table(db, table_id).tuples[existing], &db.txs);
    match &oc.action {
        ConflictAction::Nothing => {
            if repeatable && !visible {
                return Err(serialization_failure());
            }
            Ok(None)
        }
        ConflictAction::Update {
            assignments,
            filter,
        } => {
            let touched = matches!(&state.work, Some(Work::Insert { touched, .. }) if touched.contains(&existing));
            if touched {
                return Err(SqlError::new(
                    "21000",
                    "ON CONFLICT DO UPDATE command cannot affect row a second time",
                ));
            }
            let tuple = match lock_row(
                db,
                tx,
                table_id,
                existing,
                LockStrength::Update,
                LockWait::Wait,
            )? {
                Lock::Blocked(other) => return Ok(Some(other)),
                // The row changed under us: try the whole row again.
                Lock::Gone | Lock::Skipped | Lock::Locked { moved: true, .. } => {
                    return insert_again(db, tx, state, table_id, ins, values);
                }
                Lock::Locked {
                    tuple,
                    moved: false,
                } => tuple,
            };
            if repeatable && !visible {
                return Err(serialization_failure());
            }
            let old = table(db, table_id).tuples[tuple].data.clone();
            let t = table(db, table_id);
            let columns = t.columns.clone();
            let alias = ins.table.clone();
            if let Some(f) = filter {
                let sources = vec![
                    (alias.clone(), columns.clone(), Some(old.clone())),
                    (
                        "excluded".to_string(),
                        columns.clone(),
                        Some(values.to_vec()),
                    ),
                ];
                if !is_true(&eval_row(db, tx, state.now_us, f, &sources)?)? {
                    return Ok(None);
                }
            }
            let new = assign(
                db,
                tx,
                state.now_us,
                table_id,
                &alias,
                &old,
                Some(values),
                assignments,
            )?;
            match write_version(db, tx, state.now_us, table_id, tuple, new.clone())? {
                Written::Blocked(other) => Ok(Some(other)),
                Written::Done(new_tuple) => {
                    if let Some(Work::Insert { touched, .. }) = &mut state.work {
                        touched.push(new_tuple);
                    }
                    state.count += 1;
                    if !ins.returning.is_empty() {
                        state.rows.push(with_xmax(new, tx));
                    }
                    Ok(None)
                }
            }
        }
    }
}

/// The conflicting row went away or moved while we waited: the insert of
/// this row starts over, as PostgreSQL's speculative insertion does.
fn insert_again(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    table_id: usize,
    ins: &Insert,
    values: &[Value],
) -> Result<Option<TxId>, SqlError> {
    insert_one(db, tx, state, table_id, ins, values.to_vec())
}

/// What writing a new version came to.
enum Written {
    Done(usize),
    Blocked(TxId),
}

/// Replaces locked version `tuple` with `new`, after the checks a new
/// version must pass.
fn write_version(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    tuple: usize,
    new: Vec<Value>,
) -> Result<Written, SqlError> {
    check_row(db, tx, now_us, table_id, &new)?;
    if db.ssi.watches(tx) {
        let t = table(db, table_id);
        let new_index_entries =
            changes_any(&t.tuples[tuple].data, &new, |c| t.is_indexed_column(c));
        db.ssi.conflict_in(
            tx,
            Write::Replace {
                table: table_id,
                tuple,
                new_index_entries,
            },
        )?;
    }
    match check_keys(db, tx, table_id, &new, Some(tuple)) {
        KeyCheck::Blocked(other) => return Ok(Written::Blocked(other)),
        KeyCheck::Taken { index, .. } => return Err(duplicate(db, tx, table_id, index)),
        KeyCheck::Free => {}
    }
    if let Some(other) = check_parents(db, tx, table_id, &new)? {
        return Ok(Written::Blocked(other));
    }
    let old = table(db, table_id).tuples[tuple].data.clone();
    check_children(db, tx, table_id, &old, Some(&new))?;
    let key_changed = {
        let t = table(db, table_id);
        changes_any(&old, &new, |c| t.is_key_column(c))
    };
    let strength = if key_changed {
        LockStrength::Update
    } else {
        LockStrength::NoKeyUpdate
    };
    let new_tuple = add_tuple(db, tx, table_id, new)?;
    replace(db, tx, table_id, tuple, strength, Some(new_tuple));
    Ok(Written::Done(new_tuple))
}

/// Whether a column that `counts` changes value from `old` to `new`.
fn changes_any(old: &[Value], new: &[Value], counts: impl Fn(usize) -> bool) -> bool {
    (0..new.len())
        .any(|c| counts(c) && eval::order(&old[c], &new[c]).ok().flatten() != Some(Ordering::Equal))
}

/// Whether an `INSERT` keeps a value given for column `c` (false: the
/// sequence fills it), or 428C9 for a `GENERATED ALWAYS` identity column
/// given a value without `OVERRIDING SYSTEM VALUE`, as PostgreSQL's
/// rewriter decides.
fn takes_given_value(
    t: &Table,
    c: usize,
    overriding: Option<Overriding>,
) -> Result<bool, SqlError> {
    let col = &t.columns[c];
    match overriding {
        Some(Overriding::User) if col.identity => Ok(false),
        Some(Overriding::System) => Ok(true),
        _ if col.generated_always => Err(SqlError::new(
            "428C9",
            format!(
                "cannot insert a non-DEFAULT value into column \"{}\": it is an identity \
                 column defined as GENERATED ALWAYS (use OVERRIDING SYSTEM VALUE to override)",
                col.name
            ),
        )),
        _ => Ok(true),
    }
}

/// The rows of an `INSERT`, with defaults and sequences filled in and each
/// value in its column's type.
fn prepare_rows(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    ins: &Insert,
) -> Result<Vec<Vec<Value>>, SqlError> {
    let t = table(db, table_id);
    let targets: Vec<usize> = if ins.columns.is_empty() {
        (0..t.columns.len()).collect()
    } else {
        column_ids(t, &ins.columns)?
    };
    let types: Vec<_> = t.columns.iter().map(|c| c.ty).collect();
    let mut rows = Vec::with_capacity(ins.rows.len());
    for exprs in &ins.rows {
        if exprs.len() > targets.len() {
            return Err(SqlError::new(
                "42601",
                "INSERT has more expressions than target columns",
            ));
        }
        if exprs.len() < targets.len() && !ins.columns.is_empty() {
            return Err(SqlError::new(
                "42601",
                "INSERT has more target columns than expressions",
            ));
        }
        let mut given: Vec<Option<Value>> = vec![None; types.len()];
        for (&c, e) in targets.iter().zip(exprs) {
            if *e != Expr::Default && takes_given_value(table(db, table_id), c, ins.overriding)? {
                let v = eval_in(db, tx, now_us, e, &[])?;
                given[c] = Some(v.coerce(types[c])?);
            }
        }
        let mut row = Vec::with_capacity(types.len());
        for (c, v) in given.into_iter().enumerate() {
            row.push(match v {
                Some(v) => v,
                None => default_value(db, tx, now_us, table_id, c)?,
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

// ---------------------------------------------------------------- UPDATE, DELETE

/// The versions of a table visible to the statement that match `filter`.
fn matching(
    db: &mut Database,
    tx: TxId,
    state: &StmtState,
    table_id: usize,
    alias: &str,
    filter: Option<&Expr>,
) -> Result<Vec<usize>, SqlError> {
    let snapshot = state.snapshot.clone().expect("taken at the start");
    let filters: Vec<&Expr> = filter.into_iter().collect();
    predicate::read_scan(db, tx, state.now_us, &snapshot, (table_id, alias), &filters)?;
    let t = table(db, table_id);
    let visible: Vec<usize> = (0..t.tuples.len())
        .filter(|&i| snapshot.sees_tuple(&t.tuples[i], &db.txs))
        .collect();
    let mut out = Vec::new();
    for i in visible {
        if row_matches(db, tx, state.now_us, table_id, alias, i, filter)? {
            out.push(i);
        }
    }
    Ok(out)
}

fn row_matches(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    table_id: usize,
    alias: &str,
    tuple: usize,
    filter: Option<&Expr>,
) -> Result<bool, SqlError> {
    let Some(f) = filter else { return Ok(true) };
    let t = table(db, table_id);
    let sources = vec![(
        alias.to_string(),
        t.columns.clone(),
        Some(t.tuples[tuple].data.clone()),
    )];
    is_true(&eval_row(db, tx, now_us, f, &sources)?)
}

fn update(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    upd: &Update,
) -> Result<Outcome, SqlError> {
    let table_id = table_id(db, &upd.table.table)?;
    let alias = upd.table.alias.clone();
    for a in &upd.assignments {
        table(db, table_id).column(&a.column)?;
    }
    if state.work.is_none() {
        let tuples = matching(db, tx, state, table_id, &alias, upd.filter.as_ref())?;
        state.work = Some(Work::Rows { tuples, cursor: 0 });
    }
    let strength = {
        let t = table(db, table_id);
        let keyed = upd
            .assignments
            .iter()
            .any(|a| t.column(&a.column).is_ok_and(|c| t.is_key_column(c)));
        if keyed {
            LockStrength::Update
        } else {
            LockStrength::NoKeyUpdate
        }
    };
    loop {
        let tuple = match lock_next(
            db,
            tx,
            state,
            table_id,
            &alias,
            upd.filter.as_ref(),
            strength,
        )? {
            NextRow::Row(tuple) => tuple,
            NextRow::Blocked(other) => return Ok(Outcome::Blocked(other)),
            NextRow::Done => break,
        };
        let old = table(db, table_id).tuples[tuple].data.clone();
        let new = assign(
            db,
            tx,
            state.now_us,
            table_id,
            &alias,
            &old,
            None,
            &upd.assignments,
        )?;
        match write_version(db, tx, state.now_us, table_id, tuple, new.clone())? {
            Written::Blocked(other) => return Ok(Outcome::Blocked(other)),
            Written::Done(_) => {
                state.count += 1;
                if !upd.returning.is_empty() {
                    state.rows.push(new);
                }
                advance(state);
            }
        }
    }
    finish(
        db,
        state,
        format!("UPDATE {}", state.count),
        &upd.returning,
        table_id,
        &alias,
        false,
    )
}

fn delete(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    del: &Delete,
) -> Result<Outcome, SqlError> {
    let table_id = table_id(db, &del.table.table)?;
    let alias = del.table.alias.clone();
    if state.work.is_none() {
        let tuples = matching(db, tx, state, table_id, &alias, del.filter.as_ref())?;
        state.work = Some(Work::Rows { tuples, cursor: 0 });
    }
    loop {
        let tuple = match lock_next(
            db,
            tx,
            state,
            table_id,
            &alias,
            del.filter.as_ref(),
            LockStrength::Update,
        )? {
            NextRow::Row(tuple) => tuple,
            NextRow::Blocked(other) => return Ok(Outcome::Blocked(other)),
            NextRow::Done => break,
        };
        let old = table(db, table_id).tuples[tuple].data.clone();
        if let Some(other) = act_on_children(db, tx, state.now_us, table_id, &old)? {
            return Ok(Outcome::Blocked(other));
        }
        check_children(db, tx, table_id, &old, None)?;
        db.ssi.conflict_in(
            tx,
            Write::Replace {
                table: table_id,
                tuple,
                new_index_entries: false,
            },
        )?;
        replace(db, tx, table_id, tuple, LockStrength::Update, None);
        state.count += 1;
        if !del.returning.is_empty() {
            state.rows.push(old);
        }
        advance(state);
    }
    finish(
        db,
        state,
        format!("DELETE {}", state.count),
        &del.returning,
        table_id,
        &alias,
        false,
    )
}

/// The next row an UPDATE or DELETE changes.
enum NextRow {
    /// Locked at its newest version, which still matches the WHERE.
    Row(usize),
    Blocked(TxId),
    Done,
}

/// Locks the statement's next row (skipping rows deleted meanwhile, and
/// rows whose newest version no longer matches: READ COMMITTED's re-check).
fn lock_next(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    table_id: usize,
    alias: &str,
    filter: Option<&Expr>,
    strength: LockStrength,
) -> Result<NextRow, SqlError> {
    while let Some(start) = next_row(state) {
        match lock_row(db, tx, table_id, start, strength, LockWait::Wait)? {
            Lock::Blocked(other) => return Ok(NextRow::Blocked(other)),
            Lock::Gone | Lock::Skipped => advance(state),
            Lock::Locked { tuple, moved } => {
                if !moved || row_matches(db, tx, state.now_us, table_id, alias, tuple, filter)? {
                    return Ok(NextRow::Row(tuple));
                }
                advance(state);
            }
        }
    }
    Ok(NextRow::Done)
}

fn next_row(state: &StmtState) -> Option<usize> {
    match &state.work {
        Some(Work::Rows { tuples, cursor }) => tuples.get(*cursor).copied(),
        _ => None,
    }
}

fn advance(state: &mut StmtState) {
    if let Some(Work::Rows { cursor, .. }) = &mut state.work {
        *cursor += 1;
    }
}

/// The statement's result: `RETURNING` items evaluated over the rows it
/// kept.
/// `xmax` says whether the rows carry their version's xmax last (an
/// `INSERT`'s do).
fn finish(
    db: &mut Database,
    state: &mut StmtState,
    tag: String,
    returning: &[SelectItem],
    table_id: usize,
    alias: &str,
    xmax: bool,
) -> Result<Outcome, SqlError> {
    let mut result = QueryResult::tag_only(&tag);
    result.rows_affected = state.count;
    if !returning.is_empty() {
        let rows = std::mem::take(&mut state.rows);
        let columns = table(db, table_id).columns.clone();
        let target = Target {
            alias,
            columns: &columns,
            xmax,
        };
        let (described, values) = project(
            returning,
            target,
            &rows,
            state.now_us,
            &state.params,
            &mut db.random_state,
        )?;
        result.columns = described;
        result.rows = values;
    }
    Ok(Outcome::Done(result))
}

/// The table a statement's `RETURNING` reads, and whether its rows carry
/// their version's `xmax` last (an `INSERT`'s do).
#[derive(Clone, Copy)]
struct Target<'a> {
    alias: &'a str,
    columns: &'a [ColumnMeta],
    xmax: bool,
}

/// The `xmax` system column, as `INSERT ... RETURNING` may read it. Its
/// source has no alias, so no wildcard and no qualified name reaches it.
fn xmax_column() -> ColumnMeta {
    ColumnMeta {
        name: "xmax".to_string(),
        ty: super::ast::SqlType::BigInt,
        not_null: true,
        default: None,
        serial: false,
        identity: false,
        generated_always: false,
    }
}

/// The sources one `RETURNING` row is read from: the table's, and the
/// `xmax` system column's unless the table has a column of that name.
fn returning_sources<'a>(
    target: Target<'a>,
    system: &'a [ColumnMeta],
    row: Option<&'a [Value]>,
) -> Vec<Source<'a>> {
    let (values, xmax) = match row {
        Some(row) if target.xmax => {
            let (values, xmax) = row.split_at(row.len() - 1);
            (Some(values), Some(xmax))
        }
        other => (other, None),
    };
    let mut sources = vec![Source {
        alias: target.alias,
        columns: target.columns,
        values,
    }];
    if target.xmax && !target.columns.iter().any(|c| c.name == "xmax") {
        sources.push(Source {
            alias: "",
            columns: system,
            values: xmax,
        });
    }
    sources
}

/// Runs `f` on the scope an `INSERT`'s `RETURNING` is checked and
/// described in: the table's columns, and its `xmax`.
pub(super) fn insert_returning_scope<R>(
    alias: &str,
    columns: &[ColumnMeta],
    f: impl FnOnce(&Scope) -> R,
) -> R {
    let system = [xmax_column()];
    let target = Target {
        alias,
        columns,
        xmax: true,
    };
    f(&Scope {
        sources: &returning_sources(target, &system, None),
    })
}

/// Evaluates output items over single-table rows (for `RETURNING`).
fn project(
    items: &[SelectItem],
    target: Target,
    rows: &[Vec<Value>],
    now_us: i64,
    state_params: &std::sync::Arc<[Value]>,
    random_state: &mut u64,
) -> Result<Rendered, SqlError> {
    let system = [xmax_column()];
    let describe_sources = returning_sources(target, &system, None);
    let described = describe(
        items,
        &Scope {
            sources: &describe_sources,
        },
    )?;
    let params = state_params.clone();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let sources = returning_sources(target, &system, Some(row));
        let scope = Scope { sources: &sources };
        let mut ctx = Context {
            params: &params,
            tx_start_us: now_us,
            clock_us: now_us,
            random_state,
            subqueries: None,
        };
        out.push(
            output_values(items, &scope, None, &mut ctx)?
                .into_iter()
                .map(|v| v.to_text())
                .collect(),
        );
    }
    Ok((described, out))
}

/// The columns output items produce.
pub(super) fn describe(items: &[SelectItem], scope: &Scope) -> Result<Vec<Column>, SqlError> {
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::Expr { expr, alias } => out.push(Column {
                name: alias.clone().unwrap_or_else(|| eval::output_name(expr)),
                type_oid: type_oid(eval::type_of(expr, scope)),
            }),
            SelectItem::Wildcard { qualifier } => {
                for s in wildcard_sources(scope, qualifier.as_deref())? {
                    out.extend(s.columns.iter().map(|c| Column {
                        name: c.name.clone(),
                        type_oid: type_oid(c.ty),
                    }));
                }
            }
        }
    }
    Ok(out)
}

fn wildcard_sources<'a>(
    scope: &Scope<'a>,
    qualifier: Option<&str>,
) -> Result<Vec<Source<'a>>, SqlError> {
    let sources: Vec<Source> = scope
        .sources
        .iter()
        .filter(|s| !s.alias.is_empty() && qualifier.is_none_or(|q| q == s.alias))
        .copied()
        .collect();
    if sources.is_empty() {
        return Err(SqlError::new(
            "42P01",
            format!(
                "missing FROM-clause entry for table \"{}\"",
                qualifier.unwrap_or("*")
            ),
        ));
    }
    Ok(sources)
}

fn output_values(
    items: &[SelectItem],
    scope: &Scope,
    group: Option<&[Scope]>,
    ctx: &mut Context,
) -> Result<Vec<Value>, SqlError> {
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::Expr { expr, .. } => out.push(eval::eval(expr, scope, group, ctx)?),
            SelectItem::Wildcard { qualifier } => {
                for s in wildcard_sources(scope, qualifier.as_deref())? {
                    match s.values {
                        Some(values) => out.extend(values.iter().cloned()),
                        None => out.extend(s.columns.iter().map(|_| Value::Null)),
                    }
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- SELECT

/// One row of a `FROM` with its joins: a version of each table (`None`:
/// the missing side of a left join).
type Combo = Vec<Option<usize>>;

fn select(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    sel: &super::ast::Select,
) -> Result<Outcome, SqlError> {
    let snapshot = state.snapshot.clone().expect("taken at the start");
    // The tables, by the names the query gives them.
    let mut refs: Vec<(usize, String)> = Vec::new();
    if let Some(from) = &sel.from {
        refs.push((table_id(db, &from.table)?, from.alias.clone()));
    }
    for j in &sel.joins {
        refs.push((table_id(db, &j.table.table)?, j.table.alias.clone()));
    }
    if sel.locking.is_some()
        && (!sel.group_by.is_empty()
            || items_aggregate(sel)
            || sel.having.is_some()
            || sel.distinct)
    {
        return Err(SqlError::new(
            "0A000",
            "FOR UPDATE/SHARE is supported without aggregates, HAVING or DISTINCT",
        ));
    }
    if sel.distinct && !order_in_select_list(sel) {
        return Err(SqlError::new(
            "42P10",
            "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
        ));
    }
    // Copies of the tables, for reads that borrow nothing of `db`: a copy
    // shares its definition and its rows (see [`Table::tuples`]).
    let tables: Vec<Table> = refs.iter().map(|(id, _)| table(db, *id).clone()).collect();
    let tx_start_us = db.txs[&tx].start_us;
    let params = db.params.clone();
    let now_us = state.now_us;

    let combos = if state.work.is_none() {
        let filters: Vec<&Expr> = sel
            .filter
            .iter()
            .chain(sel.joins.iter().map(|j| &j.on))
            .collect();
        for (id, alias) in &refs {
            predicate::read_scan(db, tx, now_us, &snapshot, (*id, alias), &filters)?;
        }
        let combos = join(&tables, &refs, sel, &snapshot, db, tx, tx_start_us, now_us)?;
        if sel.locking.is_some() {
            // Sorted at the snapshot; locked in that order.
            let sorted = sort_combos(&tables, &refs, sel, combos, db, tx, tx_start_us, now_us)?;
            state.work = Some(Work::Combos {
                combos: sorted,
                cursor: 0,
            });
            Vec::new()
        } else {
            combos
        }
    } else {
        Vec::new()
    };

    if let Some(locking) = &sel.locking {
        return locking_select(db, tx, state, sel, &refs, locking);
    }

    let grouped = !sel.group_by.is_empty() || items_aggregate(sel) || sel.having.is_some();
    let mut random_state = db.random_state;
    let scopes: Vec<Vec<Source>> = combos
        .iter()
        .map(|c| sources_of(&tables, &refs, c))
        .collect();
    let mut runner = PerRow { db, tx, now_us };
    let mut ctx = Context {
        params: &params,
        tx_start_us,
        clock_us: now_us,
        random_state: &mut random_state,
        subqueries: Some(&mut runner),
    };
    let empty_sources: Vec<Source> = refs
        .iter()
        .zip(&tables)
        .map(|((_, alias), t)| Source {
            alias,
            columns: &t.columns,
            values: None,
        })
        .collect();
    let columns = describe(
        &sel.items,
        &Scope {
            sources: &empty_sources,
        },
    )?;
    // (output values, sort keys) per output row.
    let mut rows: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    if grouped {
        let mut groups: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
        for (i, sources) in scopes.iter().enumerate() {
            let scope = Scope { sources };
            let mut key = Vec::new();
            for g in &sel.group_by {
                key.push(eval::eval(g, &scope, None, &mut ctx)?);
            }
            match groups.iter_mut().find(|(k, _)| same_values(k, &key)) {
                Some((_, members)) => members.push(i),
                None => groups.push((key, vec![i])),
            }
        }
        if groups.is_empty() && sel.group_by.is_empty() {
            groups.push((Vec::new(), Vec::new()));
        }
        for (_, members) in groups {
            let member_scopes: Vec<Scope> = members
                .iter()
                .map(|&i| Scope {
                    sources: &scopes[i],
                })
                .collect();
            let first = member_scopes.first().copied().unwrap_or(Scope {
                sources: &empty_sources,
            });
            if let Some(having) = &sel.having {
                let kept = eval::eval(having, &first, Some(&member_scopes), &mut ctx)?;
                if !is_true(&kept)? {
                    continue;
                }
            }
            let values = output_values(&sel.items, &first, Some(&member_scopes), &mut ctx)?;
            let keys = sort_keys(sel, &values, &first, Some(&member_scopes), &mut ctx)?;
            rows.push((values, keys));
        }
    } else {
        for sources in &scopes {
            let scope = Scope { sources };
            let values = output_values(&sel.items, &scope, None, &mut ctx)?;
            let keys = sort_keys(sel, &values, &scope, None, &mut ctx)?;
            rows.push((values, keys));
        }
    }
    let db = runner.db;
    db.random_state = random_state;
    sort_rows(sel, &mut rows);
    if sel.distinct {
        rows = first_of_equal_rows(rows);
    }
    let rows = limit_rows(
        db,
        tx,
        now_us,
        sel,
        rows.into_iter().map(|(v, _)| v).collect(),
    )?;
    let mut result = QueryResult::tag_only(&format!("SELECT {}", rows.len()));
    result.rows_affected = rows.len() as u64;
    result.columns = columns;
    result.rows = rows
        .into_iter()
        .map(|r| r.into_iter().map(|v| v.to_text()).collect())
        .collect();
    Ok(Outcome::Done(result))
}

/// Whether every `ORDER BY` expression is an output column (by position,
/// by alias or written as an item), as `SELECT DISTINCT` requires.
fn order_in_select_list(sel: &super::ast::Select) -> bool {
    sel.order_by.iter().all(|o| match &o.expr {
        Expr::Literal(_) => true,
        e => sel.items.iter().any(|item| match item {
            SelectItem::Expr { expr, alias } => {
                expr == e
                    || matches!(e, Expr::Column { qualifier: None, name } if alias.as_deref() == Some(name.as_str()))
            }
            SelectItem::Wildcard { .. } => matches!(e, Expr::Column { .. }),
        }),
    })
}

fn items_aggregate(sel: &super::ast::Select) -> bool {
    sel.items
        .iter()
        .any(|i| matches!(i, SelectItem::Expr { expr, .. } if eval::has_aggregate(expr)))
}

/// `SELECT DISTINCT`: of rows with equal output values (NULLs equal), the
/// first in output order stays. Sorting the rows' positions by their values
/// brings equal rows together, in n log n comparisons rather than one per
/// pair, which a table of 100,000 rows could not afford.
fn first_of_equal_rows<K>(rows: Vec<(Vec<Value>, K)>) -> Vec<(Vec<Value>, K)> {
    let compare = |a: &[Value], b: &[Value]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                // One expression's values share a type, so they compare.
                (false, false) => eval::order(x, y).ok().flatten().unwrap_or(Ordering::Equal),
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    // Stable: among equal rows the first in output order comes first.
    order.sort_by(|&a, &b| compare(&rows[a].0, &rows[b].0));
    let mut keep = vec![false; rows.len()];
    for (i, pair) in order.iter().enumerate() {
        keep[*pair] = i == 0 || !same_values(&rows[order[i - 1]].0, &rows[*pair].0);
    }
    rows.into_iter()
        .zip(keep)
        .filter_map(|(row, kept)| kept.then_some(row))
        .collect()
}

fn same_values(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (x.is_null() && y.is_null())
                || eval::order(x, y).ok().flatten() == Some(Ordering::Equal)
        })
}

fn sources_of<'a>(
    tables: &'a [Table],
    refs: &'a [(usize, String)],
    combo: &Combo,
) -> Vec<Source<'a>> {
    refs.iter()
        .zip(tables)
        .zip(combo)
        .map(|(((_, alias), t), at)| Source {
            alias,
            columns: &t.columns,
            values: at.map(|i| t.tuples[i].data.as_slice()),
        })
        .collect()
}

/// The rows of the `FROM` and its joins that pass the `WHERE`, at the snapshot.
#[allow(clippy::too_many_arguments)]
fn join(
    tables: &[Table],
    refs: &[(usize, String)],
    sel: &super::ast::Select,
    snapshot: &Snapshot,
    db: &mut Database,
    tx: TxId,
    tx_start_us: i64,
    now_us: i64,
) -> Result<Vec<Combo>, SqlError> {
    let visible: Vec<Vec<usize>> = tables
        .iter()
        .map(|t| {
            (0..t.tuples.len())
                .filter(|&i| snapshot.sees_tuple(&t.tuples[i], &db.txs))
                .collect()
        })
        .collect();
    // Without FROM, one row of no columns, which the WHERE may drop.
    let mut combos: Vec<Combo> = match visible.first() {
        None => vec![Vec::new()],
        Some(first) => first.iter().map(|&i| vec![Some(i)]).collect(),
    };
    let mut random_state = db.random_state;
    let params = db.params.clone();
    let mut runner = PerRow { db, tx, now_us };
    let mut ctx = Context {
        params: &params,
        tx_start_us,
        clock_us: now_us,
        random_state: &mut random_state,
        subqueries: Some(&mut runner),
    };
    for (j, join) in sel.joins.iter().enumerate() {
        let right = &visible[j + 1];
        let mut next = Vec::new();
        for combo in combos {
            let mut matched = false;
            for &r in right {
                let mut candidate = combo.clone();
                candidate.push(Some(r));
                let sources = sources_of(&tables[..j + 2], &refs[..j + 2], &candidate);
                if eval::truth(&eval::eval(
                    &join.on,
                    &Scope { sources: &sources },
                    None,
                    &mut ctx,
                )?)? == Some(true)
                {
                    next.push(candidate);
                    matched = true;
                }
            }
            if !matched && join.left {
                let mut candidate = combo;
                candidate.push(None);
                next.push(candidate);
            }
        }
        combos = next;
    }
    let mut kept = Vec::new();
    for combo in combos {
        let keep = match &sel.filter {
            None => true,
            Some(f) => {
                let sources = sources_of(tables, refs, &combo);
                eval::truth(&eval::eval(
                    f,
                    &Scope { sources: &sources },
                    None,
                    &mut ctx,
                )?)? == Some(true)
            }
        };
        if keep {
            kept.push(combo);
        }
    }
    runner.db.random_state = random_state;
    Ok(kept)
}

/// The values `ORDER BY` sorts a row by: an output column by position or
/// name, or an expression over the row.
fn sort_keys(
    sel: &super::ast::Select,
    values: &[Value],
    scope: &Scope,
    group: Option<&[Scope]>,
    ctx: &mut Context,
) -> Result<Vec<Value>, SqlError> {
    let mut keys = Vec::new();
    for o in &sel.order_by {
        if let Expr::Literal(super::ast::Literal::Number(n)) = &o.expr
            && let Ok(k) = n.parse::<usize>()
        {
            let v = values.get(k.wrapping_sub(1)).cloned().ok_or_else(|| {
                SqlError::new(
                    "42P10",
                    format!("ORDER BY position {k} is not in select list"),
                )
            })?;
            keys.push(v);
            continue;
        }
        if let Expr::Column {
            qualifier: None,
            name,
        } = &o.expr
            && let Some(i) = sel.items.iter().position(
                |item| matches!(item, SelectItem::Expr { alias: Some(a), .. } if a == name),
            )
        {
            keys.push(values[i].clone());
            continue;
        }
        keys.push(eval::eval(&o.expr, scope, group, ctx)?);
    }
    Ok(keys)
}

fn sort_rows(sel: &super::ast::Select, rows: &mut [(Vec<Value>, Vec<Value>)]) {
    if sel.order_by.is_empty() {
        return;
    }
    rows.sort_by(|a, b| compare_keys(sel, &a.1, &b.1));
}

fn compare_keys(sel: &super::ast::Select, a: &[Value], b: &[Value]) -> Ordering {
    for (o, (x, y)) in sel.order_by.iter().zip(a.iter().zip(b)) {
        let nulls_first = o.nulls_first.unwrap_or(o.descending);
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o2 = eval::order(x, y).ok().flatten().unwrap_or(Ordering::Equal);
                if o.descending { o2.reverse() } else { o2 }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[allow(clippy::too_many_arguments)]
fn sort_combos(
    tables: &[Table],
    refs: &[(usize, String)],
    sel: &super::ast::Select,
    combos: Vec<Combo>,
    db: &mut Database,
    tx: TxId,
    tx_start_us: i64,
    now_us: i64,
) -> Result<Vec<Combo>, SqlError> {
    let mut random_state = db.random_state;
    let params = db.params.clone();
    let mut runner = PerRow { db, tx, now_us };
    let mut ctx = Context {
        params: &params,
        tx_start_us,
        clock_us: now_us,
        random_state: &mut random_state,
        subqueries: Some(&mut runner),
    };
    let mut keyed = Vec::new();
    for combo in combos {
        let sources = sources_of(tables, refs, &combo);
        let scope = Scope { sources: &sources };
        let values = output_values(&sel.items, &scope, None, &mut ctx)?;
        let keys = sort_keys(sel, &values, &scope, None, &mut ctx)?;
        keyed.push((combo, keys));
    }
    keyed.sort_by(|a, b| compare_keys(sel, &a.1, &b.1));
    Ok(keyed.into_iter().map(|(c, _)| c).collect())
}

fn limit_value(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    e: Option<&Expr>,
) -> Result<Option<usize>, SqlError> {
    let Some(e) = e else { return Ok(None) };
    match eval_in(db, tx, now_us, e, &[])? {
        Value::Null => Ok(None),
        Value::Int(n) if n >= 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        Value::Int(_) => Err(SqlError::new("2201W", "LIMIT must not be negative")),
        _ => Err(SqlError::new(
            "42804",
            "argument of LIMIT must be type bigint",
        )),
    }
}

fn limit_rows(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    sel: &super::ast::Select,
    rows: Vec<Vec<Value>>,
) -> Result<Vec<Vec<Value>>, SqlError> {
    let offset = limit_value(db, tx, now_us, sel.offset.as_ref())?.unwrap_or(0);
    let limit = limit_value(db, tx, now_us, sel.limit.as_ref())?;
    Ok(rows
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect())
}

/// A locking `SELECT` (`FOR UPDATE` and the like) after its rows were
/// found and sorted at the snapshot: locks, in that order, the row of each
/// table it locks (every table, or the one named by `OF`), waiting as
/// PostgreSQL does. A row that a concurrent transaction changed and
/// committed is locked at its newest version, and the joined row is kept
/// only if it still passes the `WHERE` and the joins' `ON` (READ
/// COMMITTED's re-check); a deleted one, or one `SKIP LOCKED` passes over,
/// is left out. Stops once `LIMIT` rows are locked.
fn locking_select(
    db: &mut Database,
    tx: TxId,
    state: &mut StmtState,
    sel: &super::ast::Select,
    refs: &[(usize, String)],
    locking: &super::ast::Locking,
) -> Result<Outcome, SqlError> {
    let offset = limit_value(db, tx, state.now_us, sel.offset.as_ref())?.unwrap_or(0);
    let limit = limit_value(db, tx, state.now_us, sel.limit.as_ref())?;
    let locks: Vec<bool> = refs
        .iter()
        .map(|(_, alias)| locking.of.as_ref().is_none_or(|of| of == alias))
        .collect();
    loop {
        let Some(Work::Combos { combos, cursor }) = &state.work else {
            unreachable!("a locking query's work is its rows")
        };
        let Some(found) = combos.get(*cursor).cloned() else {
            break;
        };
        if limit.is_some_and(|l| state.rows.len() >= offset.saturating_add(l)) {
            break;
        }
        let mut current = found.clone();
        let mut moved_any = false;
        let mut kept = true;
        for (i, &(table_id, _)) in refs.iter().enumerate() {
            let (true, Some(start)) = (locks[i], found[i]) else {
                continue;
            };
            match lock_row(db, tx, table_id, start, locking.strength, locking.wait)? {
                Lock::Blocked(other) => return Ok(Outcome::Blocked(other)),
                Lock::Gone | Lock::Skipped => {
                    kept = false;
                    break;
                }
                Lock::Locked { tuple, moved } => {
                    current[i] = Some(tuple);
                    moved_any |= moved;
                }
            }
        }
        if kept
            && let Some(values) = locked_row(db, tx, state.now_us, sel, refs, &current, moved_any)?
        {
            state.rows.push(values);
        }
        if let Some(Work::Combos { cursor, .. }) = &mut state.work {
            *cursor += 1;
        }
    }
    let rows: Vec<Vec<Value>> = std::mem::take(&mut state.rows)
        .into_iter()
        .skip(offset)
        .collect();
    let tables: Vec<(String, Table)> = refs
        .iter()
        .map(|(id, alias)| (alias.clone(), table(db, *id).clone_definition()))
        .collect();
    let sources = unrowed_sources(&tables);
    let mut result = QueryResult::tag_only(&format!("SELECT {}", rows.len()));
    result.rows_affected = rows.len() as u64;
    result.columns = describe(&sel.items, &Scope { sources: &sources })?;
    result.rows = rows
        .into_iter()
        .map(|r| r.into_iter().map(|v| v.to_text()).collect())
        .collect();
    Ok(Outcome::Done(result))
}

/// The output values of a locked joined row at the versions locked, or
/// `None` when a version moved and the row no longer passes the `WHERE` or
/// a join's `ON`.
fn locked_row(
    db: &mut Database,
    tx: TxId,
    now_us: i64,
    sel: &super::ast::Select,
    refs: &[(usize, String)],
    combo: &[Option<usize>],
    recheck: bool,
) -> Result<Option<Vec<Value>>, SqlError> {
    let rows: Vec<RowSource> = refs
        .iter()
        .zip(combo)
        .map(|((id, alias), at)| {
            let t = table(db, *id);
            (
                alias.clone(),
                t.columns.clone(),
                at.map(|i| t.tuples[i].data.clone()),
            )
        })
        .collect();
    let sources: Vec<Source> = rows
        .iter()
        .map(|(alias, columns, values)| Source {
            alias,
            columns,
            values: values.as_deref(),
        })
        .collect();
    let scope = Scope { sources: &sources };
    with_context(db, tx, now_us, |ctx| {
        if recheck {
            for condition in sel.joins.iter().map(|j| &j.on).chain(&sel.filter) {
                if !is_true(&eval::eval(condition, &scope, None, ctx)?)? {
                    return Ok(None);
                }
            }
        }
        output_values(&sel.items, &scope, None, ctx).map(Some)
    })
}
