//! The statements the engine runs: the subset of PostgreSQL's SQL that
//! payment services write, as typed data. `parse` turns SQL text into these
//! (through `sqlparser`'s PostgreSQL dialect) and refuses everything else
//! with an error that names what is supported; the engine never sees a
//! statement it cannot run.

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    CreateTable(CreateTable),
    CreateIndex(CreateIndex),
    /// `DROP TABLE [IF EXISTS] name [, ...]`.
    DropTable {
        names: Vec<String>,
        if_exists: bool,
    },
    Insert(Insert),
    Select(Select),
    Update(Update),
    Delete(Delete),
    /// `BEGIN` / `START TRANSACTION [ISOLATION LEVEL ...]`.
    Begin {
        isolation: Option<Isolation>,
    },
    /// `SET TRANSACTION ISOLATION LEVEL ...` (first statement of a block).
    SetTransaction {
        isolation: Isolation,
    },
    Commit,
    Rollback,
    Savepoint {
        name: String,
    },
    RollbackToSavepoint {
        name: String,
    },
    ReleaseSavepoint {
        name: String,
    },
    /// `SET [LOCAL] name = value` / `SET name TO value`: recorded; only
    /// `lock_timeout` and `statement_timeout` change what runs (clients set
    /// `client_encoding`, `TimeZone`... too). `local` lasts to the end of
    /// the transaction block.
    Set {
        name: String,
        value: String,
        local: bool,
    },
    /// `SHOW name`.
    Show {
        name: String,
    },
}

/// A transaction isolation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isolation {
    /// PostgreSQL's default; `READ UNCOMMITTED` is the same in PostgreSQL.
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

/// A column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `bigint`, `int8`, `bigserial`.
    BigInt,
    /// `integer`, `int`, `int4`, `serial`.
    Integer,
    /// `smallint`, `int2`, `smallserial`: its own type, because a client
    /// checks a column's type before it decodes it (tokio-postgres reads a
    /// smallint into an `i16`, and refuses an int4 there).
    SmallInt,
    /// `numeric`, `decimal`, with an optional precision (total digits)
    /// and scale (digits after the point).
    Numeric {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    /// `text`; `varchar(n)` / `character varying(n)` with its limit.
    Text {
        max_chars: Option<u32>,
    },
    Boolean,
    /// `timestamptz` / `timestamp with time zone`, microseconds since the Unix epoch.
    Timestamptz,
    /// `timestamp` / `timestamp without time zone`: a wall-clock time,
    /// microseconds since 1970-01-01 00:00 on that clock. Sessions run in
    /// UTC, so a timestamptz becomes one at UTC.
    Timestamp,
    Uuid,
    /// `jsonb` (and `json`), kept as normalised text.
    Jsonb,
    /// `interval`: months, days and microseconds.
    Interval,
    /// `bytea`: bytes, as services store response bodies and hashes.
    Bytea,
}

/// `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    pub name: String,
    pub if_not_exists: bool,
    pub columns: Vec<ColumnDef>,
    /// Table constraints, and column constraints moved here (`UNIQUE`,
    /// `PRIMARY KEY`, `CHECK`, `REFERENCES` written on a column).
    pub constraints: Vec<TableConstraint>,
}

/// One column of `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    pub default: Option<Expr>,
    /// `serial` / `bigserial` / `GENERATED ... AS IDENTITY`: a sequence
    /// fills it when the insert leaves it out.
    pub serial: bool,
    /// `GENERATED ... AS IDENTITY` (where `OVERRIDING USER VALUE` applies).
    pub identity: bool,
    /// `GENERATED ALWAYS AS IDENTITY`: only the sequence (or `DEFAULT`)
    /// may give it a value, unless the insert says `OVERRIDING SYSTEM VALUE`.
    pub generated_always: bool,
}

/// `INSERT ... OVERRIDING {SYSTEM | USER} VALUE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overriding {
    /// Values given for a `GENERATED ALWAYS` identity column are kept.
    System,
    /// Values given for any identity column are ignored: the sequence fills it.
    User,
}

/// A constraint on a table.
#[derive(Debug, Clone, PartialEq)]
pub enum TableConstraint {
    PrimaryKey {
        name: Option<String>,
        columns: Vec<String>,
    },
    Unique {
        name: Option<String>,
        columns: Vec<String>,
    },
    Check {
        name: Option<String>,
        expr: Expr,
    },
    ForeignKey {
        name: Option<String>,
        columns: Vec<String>,
        foreign_table: String,
        /// Empty: the foreign table's primary key.
        referred_columns: Vec<String>,
        on_delete: OnDelete,
    },
}

/// `ON DELETE ...` of a foreign key: what deleting a referenced row does
/// to the rows that refer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDelete {
    /// `NO ACTION` (the default) and `RESTRICT`: the delete fails (23503).
    #[default]
    NoAction,
    /// They are deleted too.
    Cascade,
    /// Their referring columns become NULL.
    SetNull,
    /// Their referring columns take their defaults.
    SetDefault,
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table (columns)`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    pub name: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
    pub unique: bool,
    pub if_not_exists: bool,
}

/// `INSERT INTO table [(columns)] VALUES (...), ... [ON CONFLICT ...] [RETURNING ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    pub table: String,
    /// Empty: every column, in order.
    pub columns: Vec<String>,
    /// Each row's values; `Expr::Default` for `DEFAULT`.
    pub rows: Vec<Vec<Expr>>,
    /// `INSERT ... SELECT`: the query whose rows are inserted (`rows` is
    /// then empty). It runs before the insert, at the statement's snapshot,
    /// as a subquery does, and its rows take the place of `rows`.
    pub select: Option<Box<Select>>,
    pub on_conflict: Option<OnConflict>,
    pub returning: Vec<SelectItem>,
    pub overriding: Option<Overriding>,
}

/// `ON CONFLICT [(columns)] DO NOTHING | DO UPDATE SET ... [WHERE ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OnConflict {
    /// The unique index's columns; empty: the constraint named, or else
    /// any unique constraint (allowed with `DO NOTHING` only, as in
    /// PostgreSQL).
    pub target: Vec<String>,
    /// `ON CONFLICT ON CONSTRAINT name`: the one arbiter, by name.
    pub constraint: Option<String>,
    pub action: ConflictAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConflictAction {
    Nothing,
    /// Assignments and filter may name `excluded.col`.
    Update {
        assignments: Vec<Assignment>,
        filter: Option<Expr>,
    },
}

/// `col = expr` in `UPDATE ... SET` or `DO UPDATE SET`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub column: String,
    pub value: Expr,
}

/// A table in `FROM`, with the name the query calls it by.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRef {
    pub table: String,
    /// The alias, or the table's name.
    pub alias: String,
}

/// `[INNER | LEFT] JOIN table ON expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub table: TableRef,
    pub on: Expr,
    pub left: bool,
}

/// `SELECT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub items: Vec<SelectItem>,
    /// `None`: a `SELECT` without `FROM` (one row).
    pub from: Option<TableRef>,
    pub joins: Vec<Join>,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    /// `HAVING`: which groups stay (a query with one is grouped).
    pub having: Option<Expr>,
    /// `SELECT DISTINCT`: equal output rows (NULLs equal) appear once.
    pub distinct: bool,
    pub order_by: Vec<OrderBy>,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
    pub locking: Option<Locking>,
    /// Its tables share one scope with the statement around it, as the
    /// `FROM` of `UPDATE ... FROM` does (which reads as this query): a name
    /// both have is ambiguous instead of its own.
    pub shares_scope: bool,
}

impl Select {
    /// The tables it reads, as it names them: `FROM`, then each join.
    pub fn tables(&self) -> impl Iterator<Item = &TableRef> {
        self.from.iter().chain(self.joins.iter().map(|j| &j.table))
    }

    /// The table and columns of `SELECT <name>, <balance> FROM <table>`
    /// with no other clause: the one form a balance query takes.
    pub fn money_watch(&self) -> Option<super::money::MoneyWatch> {
        let column = |item: &SelectItem| match item {
            SelectItem::Expr {
                expr: Expr::Column { name, .. },
                ..
            } => Some(name.clone()),
            _ => None,
        };
        let plain = self.joins.is_empty()
            && self.filter.is_none()
            && self.group_by.is_empty()
            && self.having.is_none()
            && !self.distinct
            && self.limit.is_none()
            && self.offset.is_none()
            && self.locking.is_none();
        match (&self.items[..], &self.from) {
            ([name, balance], Some(from)) if plain => Some(super::money::MoneyWatch {
                table: from.table.clone(),
                name_column: column(name)?,
                balance_column: column(balance)?,
            }),
            _ => None,
        }
    }
}

/// `ORDER BY expr [ASC | DESC] [NULLS FIRST | LAST]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub expr: Expr,
    pub descending: bool,
    /// `None`: PostgreSQL's default (nulls last ascending, first descending).
    pub nulls_first: Option<bool>,
}

/// `FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [NOWAIT | SKIP LOCKED]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locking {
    pub strength: LockStrength,
    pub wait: LockWait,
    /// `OF table`: the one table (by the name the query gives it) whose
    /// rows are locked; `None`: every table the query reads.
    pub of: Option<String>,
}

/// A row lock's strength, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockStrength {
    KeyShare,
    Share,
    NoKeyUpdate,
    Update,
}

impl LockStrength {
    /// PostgreSQL's conflict table for row-level locks.
    pub fn conflicts_with(self, other: LockStrength) -> bool {
        use LockStrength::*;
        match (self, other) {
            (KeyShare, Update) | (Update, KeyShare) => true,
            (KeyShare, _) | (_, KeyShare) => false,
            (Share, Share) => false,
            _ => true,
        }
    }
}

/// What a locking read does with a row another transaction has locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    Wait,
    /// `NOWAIT`: fail at once with 55P03.
    NoWait,
    /// `SKIP LOCKED`: leave the row out.
    SkipLocked,
}

/// One output column: an expression with an optional name, or `*`.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    Expr {
        expr: Expr,
        alias: Option<String>,
    },
    /// `*` or `t.*`.
    Wildcard {
        qualifier: Option<String>,
    },
}

/// `UPDATE table [AS alias] SET ... [WHERE ...] [RETURNING ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub table: TableRef,
    pub assignments: Vec<Assignment>,
    pub filter: Option<Expr>,
    pub returning: Vec<SelectItem>,
    /// The tables of `FROM`, which its subqueries read; kept to check the
    /// names `RETURNING` uses.
    pub joined: Vec<TableRef>,
}

/// `DELETE FROM table [AS alias] [WHERE ...] [RETURNING ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    pub table: TableRef,
    pub filter: Option<Expr>,
    pub returning: Vec<SelectItem>,
    /// The tables of `USING` (see [`Update::joined`]).
    pub joined: Vec<TableRef>,
}

/// A literal as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    /// A number as written (`12`, `-3`, `10.50`): its type is decided where
    /// it is used, as PostgreSQL does.
    Number(String),
    /// A quoted string: of unknown type until used.
    Text(String),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Literal),
    /// `$n`, numbered from 1.
    Param(usize),
    /// A column, optionally qualified (`t.col`, `excluded.col`).
    Column {
        qualifier: Option<String>,
        name: String,
    },
    /// `DEFAULT` in an `INSERT`'s values.
    Default,
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Not(Box<Expr>),
    Negate(Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    /// `expr::type` / `CAST(expr AS type)`.
    Cast {
        expr: Box<Expr>,
        ty: SqlType,
    },
    /// A function call: `now()`, `coalesce(a, b)`, `count(*)`...
    Function {
        name: Function,
        args: Vec<Expr>,
        /// `count(*)`.
        star: bool,
        distinct: bool,
    },
    /// `expr [NOT] LIKE | ILIKE pattern [ESCAPE escape]`: `_` matches one
    /// character, `%` any run of them, and the escape character (a
    /// backslash unless the statement says otherwise) the next one as it is.
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<Box<Expr>>,
        negated: bool,
        /// `ILIKE`: letters match whatever their case.
        case_insensitive: bool,
    },
    /// `CASE WHEN c THEN v ... [ELSE e] END`.
    Case {
        branches: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    /// A subquery: `(SELECT ...)`, `[NOT] EXISTS (SELECT ...)` or
    /// `expr [NOT] IN (SELECT ...)`. The engine runs it before its
    /// statement (PostgreSQL's "init plan") and puts its result in its
    /// place, so it may not name a column of the enclosing query.
    Subquery {
        kind: SubqueryKind,
        select: Box<Select>,
    },
}

/// What a subquery gives its expression.
#[derive(Debug, Clone, PartialEq)]
pub enum SubqueryKind {
    /// `(SELECT ...)`: its one value, NULL when it has no row.
    Scalar,
    /// `[NOT] EXISTS (SELECT ...)`.
    Exists { negated: bool },
    /// `expr [NOT] IN (SELECT ...)`.
    In { expr: Box<Expr>, negated: bool },
}

impl Expr {
    /// The expressions directly inside this one, in the order they are
    /// written: the one place that knows each form's parts, for the walks
    /// that look at every part alike.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Literal(_) | Expr::Param(_) | Expr::Column { .. } | Expr::Default => Vec::new(),
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::Not(e)
            | Expr::Negate(e)
            | Expr::IsNull { expr: e, .. }
            | Expr::Cast { expr: e, .. } => {
                vec![e]
            }
            Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            Expr::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            Expr::Function { args, .. } => args.iter().collect(),
            Expr::Like {
                expr,
                pattern,
                escape,
                ..
            } => [Some(&**expr), Some(&**pattern), escape.as_deref()]
                .into_iter()
                .flatten()
                .collect(),
            Expr::Case {
                branches,
                otherwise,
            } => branches
                .iter()
                .flat_map(|(w, t)| [w, t])
                .chain(otherwise.as_deref())
                .collect(),
            // The subquery's own expressions are in its scope, not this one's.
            Expr::Subquery { kind, .. } => match kind {
                SubqueryKind::In { expr, .. } => vec![expr],
                SubqueryKind::Scalar | SubqueryKind::Exists { .. } => Vec::new(),
            },
        }
    }

    /// [`Expr::children`], to change them.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Expr::Literal(_) | Expr::Param(_) | Expr::Column { .. } | Expr::Default => Vec::new(),
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::Not(e)
            | Expr::Negate(e)
            | Expr::IsNull { expr: e, .. }
            | Expr::Cast { expr: e, .. } => {
                vec![e]
            }
            Expr::InList { expr, list, .. } => std::iter::once(&mut **expr).chain(list).collect(),
            Expr::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            Expr::Function { args, .. } => args.iter_mut().collect(),
            Expr::Like {
                expr,
                pattern,
                escape,
                ..
            } => [
                Some(&mut **expr),
                Some(&mut **pattern),
                escape.as_deref_mut(),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Expr::Case {
                branches,
                otherwise,
            } => branches
                .iter_mut()
                .flat_map(|(w, t)| [w, t])
                .chain(otherwise.as_deref_mut())
                .collect(),
            Expr::Subquery { kind, .. } => match kind {
                SubqueryKind::In { expr, .. } => vec![expr],
                SubqueryKind::Scalar | SubqueryKind::Exists { .. } => Vec::new(),
            },
        }
    }

    /// The subqueries in it that no other subquery holds, in the order
    /// written (a subquery in an `IN` subquery's operand is held by it).
    pub fn top_subqueries(&self) -> Vec<&Expr> {
        if matches!(self, Expr::Subquery { .. }) {
            return vec![self];
        }
        self.children()
            .into_iter()
            .flat_map(Expr::top_subqueries)
            .collect()
    }

    /// [`Expr::top_subqueries`], to change them.
    pub fn top_subqueries_mut(&mut self) -> Vec<&mut Expr> {
        if matches!(self, Expr::Subquery { .. }) {
            return vec![self];
        }
        self.children_mut()
            .into_iter()
            .flat_map(Expr::top_subqueries_mut)
            .collect()
    }

    /// Whether a subquery is anywhere in it.
    pub fn has_subquery(&self) -> bool {
        matches!(self, Expr::Subquery { .. }) || self.children().into_iter().any(Expr::has_subquery)
    }

    /// The first subquery (in the order written) that holds no subquery of
    /// its own, anywhere in it: the next one to run.
    pub fn innermost_subquery_mut(&mut self) -> Option<&mut Expr> {
        /// Where the next subquery is, decided before borrowing to change.
        enum Place {
            Here,
            InOperand,
            InSelect,
            InChildren,
        }
        let place = match &*self {
            Expr::Subquery { kind, select } => match kind {
                SubqueryKind::In { expr, .. } if expr.has_subquery() => Place::InOperand,
                _ if select.has_subquery() => Place::InSelect,
                _ => Place::Here,
            },
            e if e.has_subquery() => Place::InChildren,
            _ => return None,
        };
        match (place, self) {
            (Place::Here, e) => Some(e),
            (
                Place::InOperand,
                Expr::Subquery {
                    kind: SubqueryKind::In { expr, .. },
                    ..
                },
            ) => expr.innermost_subquery_mut(),
            (Place::InSelect, Expr::Subquery { select, .. }) => select
                .root_exprs_mut()
                .into_iter()
                .find_map(Expr::innermost_subquery_mut),
            (Place::InChildren, e) => e
                .children_mut()
                .into_iter()
                .find_map(Expr::innermost_subquery_mut),
            _ => unreachable!("the place was read from this expression"),
        }
    }
}

impl Select {
    /// Every expression written in it, outside its subqueries: items,
    /// joins' `ON`, `WHERE`, `GROUP BY`, `HAVING`, `ORDER BY`, `LIMIT`,
    /// `OFFSET`. The one place that knows a `SELECT`'s parts.
    pub fn root_exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = item_exprs(&self.items).collect();
        out.extend(self.joins.iter().map(|j| &j.on));
        out.extend(self.filter.iter());
        out.extend(self.group_by.iter());
        out.extend(self.having.iter());
        out.extend(self.order_by.iter().map(|o| &o.expr));
        out.extend(self.limit.iter().chain(&self.offset));
        out
    }

    /// [`Select::root_exprs`], to change them.
    pub fn root_exprs_mut(&mut self) -> Vec<&mut Expr> {
        let mut out: Vec<&mut Expr> = item_exprs_mut(&mut self.items).collect();
        out.extend(self.joins.iter_mut().map(|j| &mut j.on));
        out.extend(self.filter.iter_mut());
        out.extend(self.group_by.iter_mut());
        out.extend(self.having.iter_mut());
        out.extend(self.order_by.iter_mut().map(|o| &mut o.expr));
        out.extend(self.limit.iter_mut().chain(&mut self.offset));
        out
    }

    /// Whether a subquery is anywhere in it.
    pub fn has_subquery(&self) -> bool {
        self.root_exprs().into_iter().any(Expr::has_subquery)
    }
}

fn item_exprs(items: &[SelectItem]) -> impl Iterator<Item = &Expr> {
    items.iter().filter_map(|i| match i {
        SelectItem::Expr { expr, .. } => Some(expr),
        SelectItem::Wildcard { .. } => None,
    })
}

fn item_exprs_mut(items: &mut [SelectItem]) -> impl Iterator<Item = &mut Expr> {
    items.iter_mut().filter_map(|i| match i {
        SelectItem::Expr { expr, .. } => Some(expr),
        SelectItem::Wildcard { .. } => None,
    })
}

impl Statement {
    /// Every expression written in a query or a change of rows, outside
    /// its subqueries; none for other statements.
    pub fn root_exprs(&self) -> Vec<&Expr> {
        match self {
            Statement::Select(s) => s.root_exprs(),
            Statement::Insert(i) => {
                // An `INSERT ... SELECT`'s query is a scope of its own, but
                // its parameters and subqueries are the statement's.
                let mut out: Vec<&Expr> = i.rows.iter().flatten().collect();
                out.extend(i.select.iter().flat_map(|s| s.root_exprs()));
                if let Some(OnConflict {
                    action:
                        ConflictAction::Update {
                            assignments,
                            filter,
                        },
                    ..
                }) = &i.on_conflict
                {
                    out.extend(assignments.iter().map(|a| &a.value));
                    out.extend(filter.iter());
                }
                out.extend(item_exprs(&i.returning));
                out
            }
            Statement::Update(u) => {
                let mut out: Vec<&Expr> = u.assignments.iter().map(|a| &a.value).collect();
                out.extend(u.filter.iter());
                out.extend(item_exprs(&u.returning));
                out
            }
            Statement::Delete(d) => {
                let mut out: Vec<&Expr> = d.filter.iter().collect();
                out.extend(item_exprs(&d.returning));
                out
            }
            _ => Vec::new(),
        }
    }

    /// [`Statement::root_exprs`], to change them.
    pub fn root_exprs_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Statement::Select(s) => s.root_exprs_mut(),
            Statement::Insert(i) => {
                let mut out: Vec<&mut Expr> = i.rows.iter_mut().flatten().collect();
                out.extend(i.select.iter_mut().flat_map(|s| s.root_exprs_mut()));
                if let Some(OnConflict {
                    action:
                        ConflictAction::Update {
                            assignments,
                            filter,
                        },
                    ..
                }) = &mut i.on_conflict
                {
                    out.extend(assignments.iter_mut().map(|a| &mut a.value));
                    out.extend(filter.iter_mut());
                }
                out.extend(item_exprs_mut(&mut i.returning));
                out
            }
            Statement::Update(u) => {
                let mut out: Vec<&mut Expr> =
                    u.assignments.iter_mut().map(|a| &mut a.value).collect();
                out.extend(u.filter.iter_mut());
                out.extend(item_exprs_mut(&mut u.returning));
                out
            }
            Statement::Delete(d) => {
                let mut out: Vec<&mut Expr> = d.filter.iter_mut().collect();
                out.extend(item_exprs_mut(&mut d.returning));
                out
            }
            _ => Vec::new(),
        }
    }

    /// The next subquery to describe: see [`Expr::innermost_subquery_mut`].
    pub fn innermost_subquery_mut(&mut self) -> Option<&mut Expr> {
        self.root_exprs_mut()
            .into_iter()
            .find_map(Expr::innermost_subquery_mut)
    }

    /// Its subqueries that no other subquery holds, in the order written.
    pub fn top_subqueries(&self) -> Vec<&Expr> {
        self.root_exprs()
            .into_iter()
            .flat_map(Expr::top_subqueries)
            .collect()
    }

    /// [`Statement::top_subqueries`], to change them.
    pub fn top_subqueries_mut(&mut self) -> Vec<&mut Expr> {
        self.root_exprs_mut()
            .into_iter()
            .flat_map(Expr::top_subqueries_mut)
            .collect()
    }

    /// The tables whose rows its expressions name: a query's (an `INSERT
    /// ... SELECT`'s query's), or the one an `UPDATE` or `DELETE` changes.
    pub fn row_tables(&self) -> Vec<&TableRef> {
        match self {
            Statement::Select(s) => s.tables().collect(),
            Statement::Insert(Insert {
                select: Some(s), ..
            }) => s.tables().collect(),
            Statement::Update(u) => vec![&u.table],
            Statement::Delete(d) => vec![&d.table],
            _ => Vec::new(),
        }
    }

    /// Whether a subquery is anywhere in it.
    pub fn has_subquery(&self) -> bool {
        self.root_exprs().into_iter().any(Expr::has_subquery)
    }
}

/// The operators the engine evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    Plus,
    Minus,
    Multiply,
    Divide,
    Modulo,
    /// `||`.
    Concat,
    /// jsonb `->`: a field (by text key) or an element (by integer index).
    JsonGet,
    /// jsonb `->>`: the same, as text.
    JsonGetText,
    /// jsonb `@>`: the left contains the right.
    JsonContains,
    /// jsonb `<@`: the left is contained in the right.
    JsonContainedBy,
    /// jsonb `?`: the text is a top-level key (or string element).
    JsonHasKey,
}

/// The functions the engine evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `now()`, `current_timestamp`, `transaction_timestamp()`: the
    /// transaction's start time.
    Now,
    /// `clock_timestamp()`: the current time.
    ClockTimestamp,
    /// `gen_random_uuid()`: from the run's seed.
    GenRandomUuid,
    Coalesce,
    /// `nullif(a, b)`: NULL when `a = b`, else `a`.
    NullIf,
    Lower,
    Upper,
    Length,
    Abs,
    Greatest,
    Least,
    Count,
    Sum,
    Min,
    Max,
}

impl Function {
    /// Aggregates fold a group of rows into one value.
    pub fn is_aggregate(self) -> bool {
        matches!(
            self,
            Function::Count | Function::Sum | Function::Min | Function::Max
        )
    }
}
