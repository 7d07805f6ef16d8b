//! What a prepared statement takes and gives, before it runs: the types of
//! its parameters (`$1`...), inferred from where they stand as PostgreSQL
//! infers them, and the columns of its result. The extended query protocol
//! sends both to the client, which encodes its values by them.

use super::ast::{
    BinaryOp, ConflictAction, Expr, Function, Literal, Select, SelectItem, SqlType, Statement,
    SubqueryKind,
};
use super::binary::type_of_oid;
use super::engine::Database;
use super::eval::{self, Scope, Source};
use super::exec::{describe as columns, table_id, unrowed_sources as sources};
use super::storage::Table;
use super::value::type_oid;
use super::{Column, SqlError};

/// The parameter types and result columns of one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// One OID per parameter, `$1` first.
    pub param_types: Vec<u32>,
    /// Empty for a statement that returns no rows.
    pub columns: Vec<Column>,
}

/// Most parameters a statement may take (PostgreSQL's protocol limit).
pub const MAX_PARAMS: usize = 65_535;

/// Describes `stmt`; `declared` are the types the client gave (0: infer).
pub fn describe(
    db: &Database,
    stmt: &Statement,
    declared: &[u32],
) -> Result<Description, SqlError> {
    let mut params = Params::new(declared);
    params.count(stmt)?;
    // Each subquery is described in its own scope, then stands in as a
    // value of its type.
    let with_placeholders;
    let stmt = if stmt.has_subquery() {
        let mut copy = stmt.clone();
        placeholders(db, &mut copy, &mut params)?;
        with_placeholders = copy;
        &with_placeholders
    } else {
        stmt
    };
    let columns = match stmt {
        Statement::Select(sel) => select_columns(db, sel, &mut params, &[])?,
        Statement::Insert(ins) => {
            let tables = tables_of(db, [(&ins.table, &ins.table)])?;
            let t = &tables[0].1;
            let targets: Vec<usize> = if ins.columns.is_empty() {
                (0..t.columns.len()).collect()
            } else {
                ins.columns
                    .iter()
                    .map(|c| t.column(c))
                    .collect::<Result<_, _>>()?
            };
            let mut sources = sources(&tables);
            let empty = Scope { sources: &[] };
            if let Some(source) = &ins.select {
                let expected: Vec<SqlType> = targets.iter().map(|&c| t.columns[c].ty).collect();
                select_columns(db, source, &mut params, &expected)?;
            }
            for row in &ins.rows {
                for (e, &c) in row.iter().zip(&targets) {
                    params.walk(e, Some(t.columns[c].ty), &empty);
                }
            }
            sources.push(Source {
                alias: "excluded",
                columns: &t.columns,
                values: None,
            });
            let scope = Scope { sources: &sources };
            if let Some(oc) = &ins.on_conflict
                && let ConflictAction::Update {
                    assignments,
                    filter,
                } = &oc.action
            {
                for a in assignments {
                    params.walk(
                        &a.value,
                        t.column(&a.column).ok().map(|c| t.columns[c].ty),
                        &scope,
                    );
                }
                if let Some(f) = filter {
                    params.walk(f, Some(SqlType::Boolean), &scope);
                }
            }
            super::exec::insert_returning_scope(sources[0].alias, sources[0].columns, |scope| {
                columns(&ins.returning, scope)
            })?
        }
        Statement::Update(upd) => {
            let tables = tables_of(db, [(&upd.table.table, &upd.table.alias)])?;
            let sources = sources(&tables);
            let scope = Scope { sources: &sources };
            let t = &tables[0].1;
            for a in &upd.assignments {
                params.walk(
                    &a.value,
                    t.column(&a.column).ok().map(|c| t.columns[c].ty),
                    &scope,
                );
            }
            if let Some(f) = &upd.filter {
                params.walk(f, Some(SqlType::Boolean), &scope);
            }
            columns(&upd.returning, &scope)?
        }
        Statement::Delete(del) => {
            let tables = tables_of(db, [(&del.table.table, &del.table.alias)])?;
            let sources = sources(&tables);
            let scope = Scope { sources: &sources };
            if let Some(f) = &del.filter {
                params.walk(f, Some(SqlType::Boolean), &scope);
            }
            columns(&del.returning, &scope)?
        }
        Statement::Show { name } => vec![Column {
            name: name.clone(),
            type_oid: 25,
        }],
        _ => Vec::new(),
    };
    Ok(Description {
        param_types: params.oids(),
        columns,
    })
}

fn tables_of<'a>(
    db: &Database,
    refs: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Result<Vec<(String, Table)>, SqlError> {
    let mut out = Vec::new();
    for (name, alias) in refs {
        let id = table_id(db, name)?;
        let t = db.tables[id].as_ref().expect("a table that exists");
        // Only the definition is needed: no rows are copied.
        out.push((alias.clone(), t.clone_definition()));
    }
    Ok(out)
}

/// A query's result columns, as its statement will describe them.
pub(super) fn query_columns(db: &Database, sel: &Select) -> Result<Vec<Column>, SqlError> {
    select_columns(db, sel, &mut Params::new(&[]), &[])
}

/// A `SELECT`'s columns, its parameters walked in its scope; an item
/// that is a bare parameter takes its type from `expected` (the target
/// columns of an `INSERT ... SELECT`) when it has one.
fn select_columns(
    db: &Database,
    sel: &Select,
    params: &mut Params,
    expected: &[SqlType],
) -> Result<Vec<Column>, SqlError> {
    let tables = tables_of(
        db,
        sel.from
            .iter()
            .map(|f| (&f.table, &f.alias))
            .chain(sel.joins.iter().map(|j| (&j.table.table, &j.table.alias))),
    )?;
    let sources = sources(&tables);
    let scope = Scope { sources: &sources };
    for (i, item) in sel.items.iter().enumerate() {
        if let SelectItem::Expr { expr, .. } = item {
            params.walk(expr, expected.get(i).copied(), &scope);
        }
    }
    for j in &sel.joins {
        params.walk(&j.on, Some(SqlType::Boolean), &scope);
    }
    for f in sel.filter.iter().chain(&sel.having) {
        params.walk(f, Some(SqlType::Boolean), &scope);
    }
    for e in sel.limit.iter().chain(&sel.offset) {
        params.walk(e, Some(SqlType::BigInt), &scope);
    }
    for o in &sel.order_by {
        params.walk(&o.expr, None, &scope);
    }
    columns(&sel.items, &scope)
}

/// Replaces each subquery, innermost first, by a value of its type (a
/// typed NULL; `true` for `EXISTS`), after describing it.
fn placeholders(db: &Database, stmt: &mut Statement, params: &mut Params) -> Result<(), SqlError> {
    while let Some(node) = stmt.innermost_subquery_mut() {
        let Expr::Subquery { kind, select } = &*node else {
            unreachable!("the innermost subquery is a subquery")
        };
        let described = select_columns(db, select, params, &[])?;
        let typed_null = || -> Result<Expr, SqlError> {
            let [column] = described.as_slice() else {
                return Err(one_column_error(kind));
            };
            Ok(Expr::Cast {
                expr: Box::new(Expr::Literal(Literal::Null)),
                ty: type_of_oid(column.type_oid).unwrap_or(SqlType::Text { max_chars: None }),
            })
        };
        *node = match kind {
            SubqueryKind::Scalar => typed_null()?,
            SubqueryKind::Exists { .. } => Expr::Literal(Literal::Bool(true)),
            SubqueryKind::In { expr, negated } => Expr::InList {
                expr: expr.clone(),
                list: vec![typed_null()?],
                negated: *negated,
            },
        };
    }
    Ok(())
}

/// PostgreSQL's error for a scalar or `IN` subquery without exactly one
/// column.
pub(super) fn one_column_error(kind: &SubqueryKind) -> SqlError {
    match kind {
        SubqueryKind::In { .. } => SqlError::new("42601", "subquery has too many columns"),
        _ => SqlError::new("42601", "subquery must return only one column"),
    }
}

/// The parameters found so far and their types.
struct Params {
    types: Vec<Option<SqlType>>,
    declared: Vec<u32>,
}

impl Params {
    fn new(declared: &[u32]) -> Params {
        Params {
            types: Vec::new(),
            declared: declared.to_vec(),
        }
    }

    /// Sizes the list by the highest `$n` the statement names.
    fn count(&mut self, stmt: &Statement) -> Result<(), SqlError> {
        let highest = max_param(stmt).max(self.declared.len());
        if highest > MAX_PARAMS {
            return Err(SqlError::new(
                "54000",
                format!("a statement takes at most {MAX_PARAMS} parameters"),
            ));
        }
        self.types = vec![None; highest];
        Ok(())
    }

    fn oids(&self) -> Vec<u32> {
        self.types
            .iter()
            .enumerate()
            .map(|(i, t)| match self.declared.get(i) {
                Some(&oid) if oid != 0 => oid,
                _ => t.map_or(25, type_oid),
            })
            .collect()
    }

    fn set(&mut self, n: usize, ty: Option<SqlType>) {
        if let (Some(slot), Some(ty)) = (self.types.get_mut(n.wrapping_sub(1)), ty)
            && slot.is_none()
        {
            *slot = Some(ty);
        }
    }

    /// The type an expression has, unless it is a parameter (or NULL).
    fn known(expr: &Expr, scope: &Scope) -> Option<SqlType> {
        match expr {
            Expr::Param(_)
            | Expr::Literal(super::ast::Literal::Null | super::ast::Literal::Text(_)) => None,
            e => Some(eval::type_of(e, scope)),
        }
    }

    fn walk(&mut self, expr: &Expr, expected: Option<SqlType>, scope: &Scope) {
        match expr {
            Expr::Param(n) => self.set(*n, expected),
            Expr::Binary { op, left, right } => {
                let side = match op {
                    BinaryOp::And | BinaryOp::Or => Some(SqlType::Boolean),
                    BinaryOp::Concat => Some(SqlType::Text { max_chars: None }),
                    // A key or index beside jsonb is text unless written
                    // as a number; the other side of containment is jsonb.
                    BinaryOp::JsonGet | BinaryOp::JsonGetText | BinaryOp::JsonHasKey => {
                        self.walk(left, Some(SqlType::Jsonb), scope);
                        self.walk(right, Some(SqlType::Text { max_chars: None }), scope);
                        return;
                    }
                    BinaryOp::JsonContains | BinaryOp::JsonContainedBy => Some(SqlType::Jsonb),
                    _ => Self::known(left, scope)
                        .or_else(|| Self::known(right, scope))
                        .or(expected),
                };
                self.walk(left, side, scope);
                self.walk(right, side, scope);
            }
            Expr::Not(e) => self.walk(e, Some(SqlType::Boolean), scope),
            Expr::Negate(e) => self.walk(e, expected, scope),
            Expr::IsNull { expr, .. } => self.walk(expr, None, scope),
            Expr::InList { expr, list, .. } => {
                let ty = std::iter::once(&**expr)
                    .chain(list)
                    .find_map(|e| Self::known(e, scope));
                self.walk(expr, ty, scope);
                list.iter().for_each(|e| self.walk(e, ty, scope));
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                let ty = [&**expr, low, high]
                    .into_iter()
                    .find_map(|e| Self::known(e, scope));
                for e in [&**expr, &**low, &**high] {
                    self.walk(e, ty, scope);
                }
            }
            Expr::Cast { expr, ty } => self.walk(expr, Some(*ty), scope),
            Expr::Function { name, args, .. } => {
                let ty = match name {
                    Function::Lower | Function::Upper | Function::Length => {
                        Some(SqlType::Text { max_chars: None })
                    }
                    _ => args.iter().find_map(|e| Self::known(e, scope)).or(expected),
                };
                args.iter().for_each(|e| self.walk(e, ty, scope));
            }
            Expr::Case {
                branches,
                otherwise,
            } => {
                let ty = branches
                    .iter()
                    .find_map(|(_, t)| Self::known(t, scope))
                    .or(expected);
                for (when, then) in branches {
                    self.walk(when, Some(SqlType::Boolean), scope);
                    self.walk(then, ty, scope);
                }
                if let Some(o) = otherwise {
                    self.walk(o, ty, scope);
                }
            }
            Expr::Like { .. } => {
                for e in expr.children() {
                    self.walk(e, Some(SqlType::Text { max_chars: None }), scope);
                }
            }
            Expr::Subquery { kind, .. } => {
                // Its own parameters were walked in its scope (`placeholders`).
                if let SubqueryKind::In { expr, .. } = kind {
                    self.walk(expr, None, scope);
                }
            }
            Expr::Literal(_) | Expr::Column { .. } | Expr::Default => {}
        }
    }
}

fn max_param(stmt: &Statement) -> usize {
    stmt.root_exprs().into_iter().map(max_in).max().unwrap_or(0)
}

fn max_in(e: &Expr) -> usize {
    let own = match e {
        Expr::Param(n) => *n,
        _ => 0,
    };
    let inner = match e {
        Expr::Subquery { select, .. } => select.root_exprs().into_iter().map(max_in).max(),
        _ => None,
    };
    e.children()
        .into_iter()
        .map(max_in)
        .fold(own.max(inner.unwrap_or(0)), usize::max)
}
