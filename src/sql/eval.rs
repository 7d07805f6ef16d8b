//! Evaluating expressions over rows, and the types of their results.

use super::SqlError;
use super::ast::{BinaryOp, Expr, Function, Literal, Select, SqlType, SubqueryKind};
use super::jsonb::Jsonb;
use super::storage::ColumnMeta;
use super::value::{Arith, Value, arith, compare, parse_text};
use std::cmp::Ordering;

/// The rows an expression can name: each source by the name the query
/// calls it, and `excluded` inside `ON CONFLICT DO UPDATE`.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub sources: &'a [Source<'a>],
}

/// One table's row in a scope; `values` is `None` for the missing side of
/// a left join (every column NULL).
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub alias: &'a str,
    pub columns: &'a [ColumnMeta],
    pub values: Option<&'a [Value]>,
}

/// What evaluation needs besides the row: parameters and the clocks.
pub struct Context<'a> {
    pub params: &'a [Value],
    /// `now()`: the transaction's start, microseconds since the epoch.
    pub tx_start_us: i64,
    /// `clock_timestamp()`.
    pub clock_us: i64,
    /// The state of the generator behind `gen_random_uuid()`, seeded by
    /// the database.
    pub random_state: &'a mut u64,
    /// Runs a correlated subquery for the row at hand; `None` where the
    /// statement cannot run one (a `CHECK`, `RETURNING`).
    pub subqueries: Option<&'a mut dyn SubqueryRunner>,
}

/// Runs a subquery that names columns of the statement around it (a
/// correlated subquery) for one row of that statement, as PostgreSQL runs
/// a correlated "subplan" again for each row.
pub trait SubqueryRunner {
    /// The expression that stands for `select`'s result (a typed value, a
    /// truth, or an `IN` list) when the row is the one `scope` holds.
    /// `random_state` is the generator's state, which the subquery may draw
    /// from too.
    fn run(
        &mut self,
        kind: &SubqueryKind,
        select: &Select,
        scope: &Scope,
        random_state: &mut u64,
    ) -> Result<Expr, SqlError>;
}

/// The next 128 random bits (splitmix64, twice).
fn next_random(state: &mut u64) -> u128 {
    let mut draw = || {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (u128::from(draw()) << 64) | u128::from(draw())
}

/// Where a column is: the source and its position.
pub fn resolve(
    scope: &Scope,
    qualifier: Option<&str>,
    name: &str,
) -> Result<(usize, usize), SqlError> {
    let mut found = None;
    for (s, source) in scope.sources.iter().enumerate() {
        if qualifier.is_some_and(|q| q != source.alias) {
            continue;
        }
        if let Some(c) = source.columns.iter().position(|c| c.name == name) {
            if found.is_some() {
                return Err(SqlError::new(
                    "42702",
                    format!("column reference \"{name}\" is ambiguous"),
                ));
            }
            found = Some((s, c));
        }
    }
    found.ok_or_else(|| match qualifier {
        Some(q) if !scope.sources.iter().any(|s| s.alias == q) => SqlError::new(
            "42P01",
            format!("missing FROM-clause entry for table \"{q}\""),
        ),
        Some(q) => SqlError::new("42703", format!("column {q}.{name} does not exist")),
        None if SYSTEM_COLUMNS.contains(&name) => SqlError::new(
            "0A000",
            format!(
                "the system column \"{name}\" is not supported here; idemsim's database reads \
                 only xmax, in INSERT ... RETURNING (as in RETURNING (xmax = 0) AS inserted)"
            ),
        ),
        None => SqlError::new("42703", format!("column \"{name}\" does not exist")),
    })
}

/// PostgreSQL's system columns, which every table has.
const SYSTEM_COLUMNS: [&str; 6] = ["xmin", "xmax", "cmin", "cmax", "ctid", "tableoid"];

/// An expression's value for one row. `group` is the whole group when the
/// query aggregates (the row is then the group's first).
pub fn eval(
    expr: &Expr,
    scope: &Scope,
    group: Option<&[Scope]>,
    ctx: &mut Context,
) -> Result<Value, SqlError> {
    Ok(match expr {
        Expr::Literal(l) => literal(l)?,
        Expr::Param(n) => ctx
            .params
            .get(n - 1)
            .cloned()
            .ok_or_else(|| SqlError::new("42P02", format!("there is no parameter ${n}")))?,
        Expr::Column { qualifier, name } => {
            let (s, c) = resolve(scope, qualifier.as_deref(), name)?;
            scope.sources[s]
                .values
                .map_or(Value::Null, |v| v[c].clone())
        }
        Expr::Default => {
            return Err(SqlError::new(
                "42601",
                "DEFAULT is not allowed in this context",
            ));
        }
        Expr::Binary { op, left, right } => binary(*op, left, right, scope, group, ctx)?,
        Expr::Not(e) => match truth(&eval(e, scope, group, ctx)?)? {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::Negate(e) => match eval(e, scope, group, ctx)? {
            Value::Null => Value::Null,
            v => arith(Arith::Sub, &Value::Int(0), &v)?,
        },
        Expr::IsNull { expr, negated } => {
            Value::Bool(eval(expr, scope, group, ctx)?.is_null() != *negated)
        }
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let v = eval(expr, scope, group, ctx)?;
            let mut result = Some(false);
            for item in list {
                let w = eval(item, scope, group, ctx)?;
                match equal(&v, &w)? {
                    Some(true) => {
                        result = Some(true);
                        break;
                    }
                    None => result = None,
                    Some(false) => {}
                }
            }
            match result {
                Some(b) => Value::Bool(b != *negated),
                None => Value::Null,
            }
        }
        Expr::Between {
            expr,
            low,
            high,
            negated,
        } => {
            let v = eval(expr, scope, group, ctx)?;
            let lo = order(&v, &eval(low, scope, group, ctx)?)?;
            let hi = order(&v, &eval(high, scope, group, ctx)?)?;
            let inside = and3(
                lo.map(|o| o != Ordering::Less),
                hi.map(|o| o != Ordering::Greater),
            );
            match inside {
                Some(b) => Value::Bool(b != *negated),
                None => Value::Null,
            }
        }
        Expr::Cast { expr, ty } => cast(eval(expr, scope, group, ctx)?, *ty)?,
        Expr::Like {
            expr,
            pattern,
            escape,
            negated,
            case_insensitive,
        } => {
            let text = eval(expr, scope, group, ctx)?;
            let pattern = eval(pattern, scope, group, ctx)?;
            let escape = match escape {
                Some(e) => eval(e, scope, group, ctx)?,
                None => Value::Text("\\".to_string()),
            };
            match like(&text, &pattern, &escape, *case_insensitive)? {
                Some(matched) => Value::Bool(matched != *negated),
                None => Value::Null,
            }
        }
        Expr::Function {
            name,
            args,
            star,
            distinct,
        } => function(*name, args, *star, *distinct, scope, group, ctx)?,
        Expr::Subquery { kind, select } => {
            let Some(runner) = ctx.subqueries.as_deref_mut() else {
                return Err(SqlError::new(
                    "0A000",
                    "a subquery that names a column of the statement around it (a correlated \
                     subquery) is not supported here: it runs in WHERE, ON, the select list, \
                     GROUP BY, HAVING, ORDER BY and SET",
                ));
            };
            let replacement = runner.run(kind, select, scope, ctx.random_state)?;
            return eval(&replacement, scope, group, ctx);
        }
        Expr::Case {
            branches,
            otherwise,
        } => {
            for (when, then) in branches {
                if truth(&eval(when, scope, group, ctx)?)? == Some(true) {
                    return eval(then, scope, group, ctx);
                }
            }
            match otherwise {
                Some(e) => eval(e, scope, group, ctx)?,
                None => Value::Null,
            }
        }
    })
}

/// `text LIKE pattern ESCAPE escape`, NULL when any of them is. Only text
/// is matched (PostgreSQL has no `~~` for other types); the escape is one
/// character, or empty for none.
fn like(
    text: &Value,
    pattern: &Value,
    escape: &Value,
    case_insensitive: bool,
) -> Result<Option<bool>, SqlError> {
    let as_text = |v: &Value| match v {
        Value::Text(s) => Ok(Some(s.clone())),
        Value::Null => Ok(None),
        other => Err(SqlError::new(
            "42883",
            format!(
                "operator does not exist: {} ~~ text (LIKE matches text; cast the value with ::text)",
                cast_name(type_of_value(other))
            ),
        )),
    };
    let (Some(text), Some(pattern), Some(escape)) =
        (as_text(text)?, as_text(pattern)?, as_text(escape)?)
    else {
        return Ok(None);
    };
    let mut escapes = escape.chars();
    let escape = match (escapes.next(), escapes.next()) {
        (None, _) => None,
        (Some(c), None) => Some(c),
        _ => {
            return Err(SqlError::new(
                "22025",
                "invalid escape string: escape string must be empty or one character",
            ));
        }
    };
    let fold = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        }
    };
    let pattern = like_pattern(&fold(&pattern), escape)?;
    Ok(Some(like_matches(&fold(&text), &pattern)))
}

/// One element of a `LIKE` pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LikePart {
    /// A character that matches itself.
    Char(char),
    /// `_`.
    One,
    /// `%`.
    Any,
}

fn like_pattern(pattern: &[char], escape: Option<char>) -> Result<Vec<LikePart>, SqlError> {
    let mut parts = Vec::with_capacity(pattern.len());
    let mut chars = pattern.iter().copied();
    while let Some(c) = chars.next() {
        parts.push(match c {
            c if Some(c) == escape => LikePart::Char(chars.next().ok_or_else(|| {
                SqlError::new("22025", "LIKE pattern must not end with escape character")
            })?),
            '_' => LikePart::One,
            '%' => LikePart::Any,
            c => LikePart::Char(c),
        });
    }
    Ok(parts)
}

/// Whether `text` matches `pattern`, greedily with backtracking to the
/// last `%`: time linear in the text for each `%`.
fn like_matches(text: &[char], pattern: &[LikePart]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(LikePart::Any) => {
                resume = Some((p, t));
                p += 1;
            }
            Some(LikePart::One) => {
                t += 1;
                p += 1;
            }
            Some(LikePart::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match resume {
                Some((any, from)) => {
                    p = any + 1;
                    t = from + 1;
                    resume = Some((any, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|part| *part == LikePart::Any)
}

/// A literal's value: numbers as integers when they fit, else numeric;
/// quoted text stays text until the context gives it a type.
pub fn literal(l: &Literal) -> Result<Value, SqlError> {
    Ok(match l {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Text(s) => Value::Text(s.clone()),
        Literal::Number(n) => match n.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => parse_text(
                n,
                SqlType::Numeric {
                    precision: None,
                    scale: None,
                },
            )?,
        },
    })
}

/// `CAST(v AS ty)`.
/// An explicit cast differs from storing a value: a boolean reads as
/// `true`/`false`, and a too-long text is cut to `varchar(n)`.
pub fn cast(v: Value, ty: SqlType) -> Result<Value, SqlError> {
    match (&v, ty) {
        (Value::Bool(b), SqlType::Integer | SqlType::BigInt) => Ok(Value::Int(i64::from(*b))),
        (Value::Int(n), SqlType::Boolean) => Ok(Value::Bool(*n != 0)),
        (Value::Bool(b), SqlType::Text { .. }) => Ok(Value::Text(b.to_string())),
        (
            Value::Text(s),
            SqlType::Text {
                max_chars: Some(max),
            },
        ) => Ok(Value::Text(s.chars().take(max as usize).collect())),
        _ => v.coerce(ty),
    }
}

/// A condition's truth: `None` for NULL.
pub fn truth(v: &Value) -> Result<Option<bool>, SqlError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Text(s) => match parse_text(s, SqlType::Boolean)? {
            Value::Bool(b) => Ok(Some(b)),
            _ => unreachable!("a boolean parses to a boolean"),
        },
        _ => Err(SqlError::new(
            "42804",
            "argument of WHERE must be type boolean",
        )),
    }
}

fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Brings a quoted literal (text) to the other side's type, as PostgreSQL
/// types an unknown literal by what it meets.
fn unify(a: Value, b: Value) -> Result<(Value, Value), SqlError> {
    Ok(match (a, b) {
        (Value::Text(s), other) if !matches!(other, Value::Text(_) | Value::Null) => {
            let ty = type_of_value(&other);
            (parse_text(&s, ty)?, other)
        }
        (other, Value::Text(s)) if !matches!(other, Value::Text(_) | Value::Null) => {
            let ty = type_of_value(&other);
            let parsed = parse_text(&s, ty)?;
            (other, parsed)
        }
        pair => pair,
    })
}

fn type_of_value(v: &Value) -> SqlType {
    match v {
        Value::Null | Value::Text(_) => SqlType::Text { max_chars: None },
        Value::Int(_) => SqlType::BigInt,
        Value::Numeric(_) => SqlType::Numeric {
            precision: None,
            scale: None,
        },
        Value::Bool(_) => SqlType::Boolean,
        Value::Timestamp(_) => SqlType::Timestamptz,
        Value::LocalTimestamp(_) => SqlType::Timestamp,
        Value::Uuid(_) => SqlType::Uuid,
        Value::Json(_) => SqlType::Jsonb,
        Value::Interval(_) => SqlType::Interval,
        Value::Bytes(_) => SqlType::Bytea,
    }
}

/// Orders two values; `None` when either is NULL.
pub fn order(a: &Value, b: &Value) -> Result<Option<Ordering>, SqlError> {
    if a.is_null() || b.is_null() {
        return Ok(None);
    }
    let (a, b) = unify(a.clone(), b.clone())?;
    compare(&a, &b).map(Some).ok_or_else(|| {
        SqlError::new(
            "42883",
            "operator does not exist: the two sides have different types",
        )
    })
}

fn equal(a: &Value, b: &Value) -> Result<Option<bool>, SqlError> {
    Ok(order(a, b)?.map(|o| o == Ordering::Equal))
}

fn binary(
    op: BinaryOp,
    left: &Expr,
    right: &Expr,
    scope: &Scope,
    group: Option<&[Scope]>,
    ctx: &mut Context,
) -> Result<Value, SqlError> {
    let a = eval(left, scope, group, ctx)?;
    if op == BinaryOp::And && truth(&a)? == Some(false) {
        return Ok(Value::Bool(false));
    }
    if op == BinaryOp::Or && truth(&a)? == Some(true) {
        return Ok(Value::Bool(true));
    }
    let b = eval(right, scope, group, ctx)?;
    let to_value = |o: Option<bool>| o.map_or(Value::Null, Value::Bool);
    Ok(match op {
        BinaryOp::And => to_value(and3(truth(&a)?, truth(&b)?)),
        BinaryOp::Or => to_value(or3(truth(&a)?, truth(&b)?)),
        BinaryOp::Eq => to_value(order(&a, &b)?.map(|o| o == Ordering::Equal)),
        BinaryOp::NotEq => to_value(order(&a, &b)?.map(|o| o != Ordering::Equal)),
        BinaryOp::Lt => to_value(order(&a, &b)?.map(|o| o == Ordering::Less)),
        BinaryOp::LtEq => to_value(order(&a, &b)?.map(|o| o != Ordering::Greater)),
        BinaryOp::Gt => to_value(order(&a, &b)?.map(|o| o == Ordering::Greater)),
        BinaryOp::GtEq => to_value(order(&a, &b)?.map(|o| o != Ordering::Less)),
        BinaryOp::Concat => match (a, b) {
            // bytea || bytea; a quoted literal beside bytes is bytes, as
            // everywhere a literal meets a typed value (`unify`).
            (a @ Value::Bytes(_), b @ (Value::Bytes(_) | Value::Text(_)))
            | (a @ Value::Text(_), b @ Value::Bytes(_)) => match unify(a, b)? {
                (Value::Bytes(mut x), Value::Bytes(y)) => {
                    x.extend_from_slice(&y);
                    Value::Bytes(x)
                }
                _ => unreachable!("a literal beside bytes reads as bytes"),
            },
            (a, b) => match (a.to_text(), b.to_text()) {
                (Some(x), Some(y)) => Value::Text(x + &y),
                _ => Value::Null,
            },
        },
        BinaryOp::JsonGet
        | BinaryOp::JsonGetText
        | BinaryOp::JsonContains
        | BinaryOp::JsonContainedBy
        | BinaryOp::JsonHasKey => json_operator(op, a, b)?,
        BinaryOp::Plus
        | BinaryOp::Minus
        | BinaryOp::Multiply
        | BinaryOp::Divide
        | BinaryOp::Modulo => {
            if a.is_null() || b.is_null() {
                return Ok(Value::Null);
            }
            let (a, b) = numeric_operands(a, b)?;
            let op = match op {
                BinaryOp::Plus => Arith::Add,
                BinaryOp::Minus => Arith::Sub,
                BinaryOp::Multiply => Arith::Mul,
                BinaryOp::Divide => Arith::Div,
                _ => Arith::Rem,
            };
            let value = arith(op, &a, &b)?;
            check_int_width(&value, left, right, scope)?;
            value
        }
    })
}

/// Integers are computed in 64 bits; PostgreSQL computes `integer op
/// integer` in 32 and `smallint op smallint` in 16, and fails past them.
/// Checked only for a result too wide, and only when both operands are
/// typed integers or smallints (a parameter or a quoted literal, typed
/// by what it meets, is never judged narrow here).
fn check_int_width(
    value: &Value,
    left: &Expr,
    right: &Expr,
    scope: &Scope,
) -> Result<(), SqlError> {
    let Value::Int(n) = *value else {
        return Ok(());
    };
    if i16::try_from(n).is_ok() {
        return Ok(());
    }
    let narrow = |e: &Expr| {
        let ty = type_of(e, scope);
        matches!(ty, SqlType::Integer | SqlType::SmallInt).then_some(ty)
    };
    // The right operand is typed only when the left one is narrow: a
    // bigint or numeric balance, the common case, costs one look-up.
    let Some(l) = narrow(left) else {
        return Ok(());
    };
    let Some(r) = narrow(right) else {
        return Ok(());
    };
    if l == SqlType::SmallInt && r == SqlType::SmallInt {
        return Err(SqlError::new("22003", "smallint out of range"));
    }
    if i32::try_from(n).is_err() {
        return Err(SqlError::new("22003", "integer out of range"));
    }
    Ok(())
}

/// A jsonb operator. Its jsonb operands may be quoted literals (text),
/// read as jsonb as PostgreSQL types an unknown literal beside jsonb.
fn json_operator(op: BinaryOp, a: Value, b: Value) -> Result<Value, SqlError> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let doc = json_operand(&a, op)?;
    Ok(match op {
        BinaryOp::JsonGet | BinaryOp::JsonGetText => {
            let found = match &b {
                Value::Int(index) => doc.element(*index),
                Value::Text(key) => doc.field(key),
                other => return Err(json_operator_error(op, other)),
            };
            match (found, op) {
                (None, _) => Value::Null,
                (Some(v), BinaryOp::JsonGet) => Value::Json(v.text()),
                (Some(v), _) => v.as_text().map_or(Value::Null, Value::Text),
            }
        }
        BinaryOp::JsonContains => Value::Bool(doc.contains(&json_operand(&b, op)?)),
        BinaryOp::JsonContainedBy => Value::Bool(json_operand(&b, op)?.contains(&doc)),
        BinaryOp::JsonHasKey => match &b {
            Value::Text(key) => Value::Bool(doc.has_key(key)),
            other => return Err(json_operator_error(op, other)),
        },
        _ => unreachable!("only jsonb operators reach here"),
    })
}

fn json_operand(v: &Value, op: BinaryOp) -> Result<Jsonb, SqlError> {
    match v {
        Value::Json(text) | Value::Text(text) => Jsonb::parse(text),
        other => Err(json_operator_error(op, other)),
    }
}

fn json_operator_error(op: BinaryOp, operand: &Value) -> SqlError {
    let symbol = match op {
        BinaryOp::JsonGet => "->",
        BinaryOp::JsonGetText => "->>",
        BinaryOp::JsonContains => "@>",
        BinaryOp::JsonContainedBy => "<@",
        _ => "?",
    };
    SqlError::new(
        "42883",
        format!(
            "operator does not exist: jsonb {symbol} {}; jsonb's operators take jsonb and a \
             text key or integer index",
            operand.type_hint()
        ),
    )
}

/// Quoted literals in arithmetic are read as numbers.
fn numeric_operands(a: Value, b: Value) -> Result<(Value, Value), SqlError> {
    // Beside a timestamp or an interval, a quoted literal is an interval
    // (`now() - '5 minutes'`), as PostgreSQL resolves it.
    let temporal = |v: &Value| {
        matches!(
            v,
            Value::Timestamp(_) | Value::LocalTimestamp(_) | Value::Interval(_)
        )
    };
    let interval = |v: Value| match v {
        Value::Text(s) => parse_text(&s, SqlType::Interval),
        v => Ok(v),
    };
    if temporal(&a) || temporal(&b) {
        return Ok((interval(a)?, interval(b)?));
    }
    let number = |v: Value| match v {
        Value::Text(s) => match s.trim().parse::<i64>() {
            Ok(n) => Ok(Value::Int(n)),
            Err(_) => parse_text(
                &s,
                SqlType::Numeric {
                    precision: None,
                    scale: None,
                },
            ),
        },
        v => Ok(v),
    };
    Ok((number(a)?, number(b)?))
}

fn function(
    name: Function,
    args: &[Expr],
    star: bool,
    distinct: bool,
    scope: &Scope,
    group: Option<&[Scope]>,
    ctx: &mut Context,
) -> Result<Value, SqlError> {
    if name.is_aggregate() {
        let rows: Vec<Scope> = match group {
            Some(rows) => rows.to_vec(),
            None => {
                return Err(SqlError::new(
                    "42803",
                    "aggregate functions are not allowed here",
                ));
            }
        };
        return aggregate(name, args, star, distinct, &rows, ctx);
    }
    let mut values = Vec::with_capacity(args.len());
    for a in args {
        values.push(eval(a, scope, group, ctx)?);
    }
    let one = |values: &[Value]| values.first().cloned().unwrap_or(Value::Null);
    Ok(match name {
        Function::Now => Value::Timestamp(ctx.tx_start_us),
        Function::ClockTimestamp => Value::Timestamp(ctx.clock_us),
        Function::GenRandomUuid => {
            // Version 4, variant 1, as gen_random_uuid() makes them.
            let raw = next_random(ctx.random_state);
            let v4 = (raw & !(0xF << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
            Value::Uuid(v4)
        }
        Function::Coalesce => values
            .into_iter()
            .find(|v| !v.is_null())
            .unwrap_or(Value::Null),
        Function::NullIf => {
            let first = one(&values);
            let second = values.get(1).cloned().unwrap_or(Value::Null);
            match order(&first, &second)? {
                Some(Ordering::Equal) => Value::Null,
                _ => first,
            }
        }
        Function::Lower | Function::Upper => match one(&values).to_text() {
            None => Value::Null,
            Some(s) if name == Function::Lower => Value::Text(s.to_lowercase()),
            Some(s) => Value::Text(s.to_uppercase()),
        },
        Function::Length => match one(&values) {
            Value::Bytes(b) => Value::Int(i64::try_from(b.len()).unwrap_or(i64::MAX)),
            v => match v.to_text() {
                None => Value::Null,
                Some(s) => Value::Int(i64::try_from(s.chars().count()).unwrap_or(i64::MAX)),
            },
        },
        Function::Abs => match one(&values) {
            Value::Null => Value::Null,
            v if order(&v, &Value::Int(0))? == Some(Ordering::Less) => {
                arith(Arith::Sub, &Value::Int(0), &v)?
            }
            v => v,
        },
        Function::Greatest | Function::Least => {
            let mut best: Option<Value> = None;
            for v in values.into_iter().filter(|v| !v.is_null()) {
                best = Some(match best {
                    None => v,
                    Some(b) => {
                        let o = order(&v, &b)?.unwrap_or(Ordering::Equal);
                        let take = if name == Function::Greatest {
                            o == Ordering::Greater
                        } else {
                            o == Ordering::Less
                        };
                        if take { v } else { b }
                    }
                });
            }
            best.unwrap_or(Value::Null)
        }
        Function::Count | Function::Sum | Function::Min | Function::Max => {
            unreachable!("aggregates are folded above")
        }
    })
}

fn aggregate(
    name: Function,
    args: &[Expr],
    star: bool,
    distinct: bool,
    rows: &[Scope],
    ctx: &mut Context,
) -> Result<Value, SqlError> {
    if star {
        return Ok(Value::Int(i64::try_from(rows.len()).unwrap_or(i64::MAX)));
    }
    let arg = args
        .first()
        .ok_or_else(|| SqlError::new("42883", "an aggregate needs one argument"))?;
    let mut values: Vec<Value> = Vec::new();
    for row in rows {
        let v = eval(arg, row, None, ctx)?;
        if v.is_null() {
            continue;
        }
        if distinct
            && values
                .iter()
                .any(|w| order(w, &v).ok().flatten() == Some(Ordering::Equal))
        {
            continue;
        }
        values.push(v);
    }
    Ok(match name {
        Function::Count => Value::Int(i64::try_from(values.len()).unwrap_or(i64::MAX)),
        Function::Sum => {
            let mut total: Option<Value> = None;
            for v in values {
                total = Some(match total {
                    None => v,
                    Some(t) => arith(Arith::Add, &t, &v)?,
                });
            }
            total.unwrap_or(Value::Null)
        }
        Function::Min | Function::Max => {
            let mut best: Option<Value> = None;
            for v in values {
                best = Some(match best {
                    None => v,
                    Some(b) => {
                        let o = order(&v, &b)?.unwrap_or(Ordering::Equal);
                        let take = (name == Function::Max) == (o == Ordering::Greater)
                            && o != Ordering::Equal;
                        if take { v } else { b }
                    }
                });
            }
            best.unwrap_or(Value::Null)
        }
        _ => unreachable!("only aggregates reach here"),
    })
}

/// Whether an expression contains an aggregate.
pub fn has_aggregate(expr: &Expr) -> bool {
    matches!(expr, Expr::Function { name, .. } if name.is_aggregate())
        || expr.children().into_iter().any(has_aggregate)
}

/// The type of an expression's result, as a result's description gives it.
pub fn type_of(expr: &Expr, scope: &Scope) -> SqlType {
    let text = SqlType::Text { max_chars: None };
    match expr {
        Expr::Literal(Literal::Number(n)) => match n.parse::<i64>() {
            Ok(v) if i32::try_from(v).is_ok() => SqlType::Integer,
            Ok(_) => SqlType::BigInt,
            Err(_) => SqlType::Numeric {
                precision: None,
                scale: None,
            },
        },
        Expr::Literal(Literal::Bool(_)) => SqlType::Boolean,
        Expr::Literal(_) | Expr::Param(_) | Expr::Default => text,
        Expr::Column { qualifier, name } => match resolve(scope, qualifier.as_deref(), name) {
            Ok((s, c)) => scope.sources[s].columns[c].ty,
            Err(_) => text,
        },
        Expr::Binary { op, left, right } => match op {
            // As `eval` joins them: bytes beside bytes or a literal.
            BinaryOp::Concat
                if type_of(left, scope) == SqlType::Bytea
                    || type_of(right, scope) == SqlType::Bytea =>
            {
                SqlType::Bytea
            }
            BinaryOp::Concat | BinaryOp::JsonGetText => text,
            BinaryOp::JsonGet => SqlType::Jsonb,
            BinaryOp::Plus
            | BinaryOp::Minus
            | BinaryOp::Multiply
            | BinaryOp::Divide
            | BinaryOp::Modulo => arith_type(*op, type_of(left, scope), type_of(right, scope)),
            _ => SqlType::Boolean,
        },
        Expr::Negate(e) => type_of(e, scope),
        Expr::Not(_)
        | Expr::IsNull { .. }
        | Expr::InList { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::Subquery {
            kind: SubqueryKind::Exists { .. } | SubqueryKind::In { .. },
            ..
        } => SqlType::Boolean,
        // Typed once it has run (or, to describe it, once its placeholder
        // is in its place).
        Expr::Subquery {
            kind: SubqueryKind::Scalar,
            ..
        } => text,
        Expr::Cast { ty, .. } => *ty,
        Expr::Case { branches, .. } => branches
            .first()
            .map_or(text, |(_, then)| type_of(then, scope)),
        Expr::Function { name, args, .. } => {
            let first = || args.first().map_or(text, |a| type_of(a, scope));
            match name {
                Function::Now | Function::ClockTimestamp => SqlType::Timestamptz,
                Function::GenRandomUuid => SqlType::Uuid,
                Function::Lower | Function::Upper => text,
                Function::Length => SqlType::Integer,
                Function::Count => SqlType::BigInt,
                Function::Sum => match first() {
                    SqlType::Integer | SqlType::SmallInt => SqlType::BigInt,
                    SqlType::BigInt | SqlType::Numeric { .. } => SqlType::Numeric {
                        precision: None,
                        scale: None,
                    },
                    other => other,
                },
                Function::Coalesce
                | Function::NullIf
                | Function::Abs
                | Function::Greatest
                | Function::Least
                | Function::Min
                | Function::Max => first(),
            }
        }
    }
}

/// The type of `a op b` for an arithmetic operator: a timestamp moved by
/// an interval stays a timestamp, two timestamps part by an interval.
fn arith_type(op: BinaryOp, a: SqlType, b: SqlType) -> SqlType {
    use SqlType::{Interval, Timestamp, Timestamptz};
    match (op, a, b) {
        (BinaryOp::Minus, Timestamptz | Timestamp, Timestamptz | Timestamp) => Interval,
        (_, Timestamp, _) | (_, _, Timestamp) => Timestamp,
        (_, Timestamptz, _) | (_, _, Timestamptz) => Timestamptz,
        (_, Interval, _) | (_, _, Interval) => Interval,
        _ => numeric_type(a, b),
    }
}

fn numeric_type(a: SqlType, b: SqlType) -> SqlType {
    match (a, b) {
        (SqlType::Numeric { .. }, _) | (_, SqlType::Numeric { .. }) => SqlType::Numeric {
            precision: None,
            scale: None,
        },
        (SqlType::BigInt, _) | (_, SqlType::BigInt) => SqlType::BigInt,
        (SqlType::SmallInt, SqlType::SmallInt) => SqlType::SmallInt,
        _ => SqlType::Integer,
    }
}

/// The name PostgreSQL gives a cast's result column.
fn cast_name(ty: SqlType) -> &'static str {
    match ty {
        SqlType::BigInt => "int8",
        SqlType::Integer => "int4",
        SqlType::SmallInt => "int2",
        SqlType::Numeric { .. } => "numeric",
        SqlType::Text { max_chars: None } => "text",
        SqlType::Text { .. } => "varchar",
        SqlType::Boolean => "bool",
        SqlType::Timestamptz => "timestamptz",
        SqlType::Timestamp => "timestamp",
        SqlType::Uuid => "uuid",
        SqlType::Jsonb => "jsonb",
        SqlType::Interval => "interval",
        SqlType::Bytea => "bytea",
    }
}

/// Checks that every column an expression names exists and is not
/// ambiguous, as PostgreSQL does before it runs a statement (so that a
/// typo fails even on an empty table).
pub fn check_columns(expr: &Expr, scope: &Scope) -> Result<(), SqlError> {
    if let Expr::Column { qualifier, name } = expr {
        resolve(scope, qualifier.as_deref(), name)?;
    }
    expr.children()
        .into_iter()
        .try_for_each(|child| check_columns(child, scope))
}

/// The column name PostgreSQL gives an output expression without an alias.
pub fn output_name(expr: &Expr) -> String {
    match expr {
        Expr::Column { name, .. } => name.clone(),
        // A cast of a column keeps the column's name; any other cast is
        // named by its type, as PostgreSQL names it.
        Expr::Cast { expr, ty } => match **expr {
            Expr::Column { .. } | Expr::Function { .. } | Expr::Subquery { .. } => {
                output_name(expr)
            }
            _ => cast_name(*ty).to_string(),
        },
        Expr::Function { name, .. } => match name {
            Function::Now => "now",
            Function::ClockTimestamp => "clock_timestamp",
            Function::GenRandomUuid => "gen_random_uuid",
            Function::Coalesce => "coalesce",
            Function::NullIf => "nullif",
            Function::Lower => "lower",
            Function::Upper => "upper",
            Function::Length => "length",
            Function::Abs => "abs",
            Function::Greatest => "greatest",
            Function::Least => "least",
            Function::Count => "count",
            Function::Sum => "sum",
            Function::Min => "min",
            Function::Max => "max",
        }
        .to_string(),
        Expr::Case { .. } => "case".to_string(),
        // A scalar subquery is named by its one column, as PostgreSQL names it.
        Expr::Subquery {
            kind: SubqueryKind::Scalar,
            select,
        } => match select.items.first() {
            Some(super::ast::SelectItem::Expr { alias: Some(a), .. }) => a.clone(),
            Some(super::ast::SelectItem::Expr { expr, .. }) => output_name(expr),
            _ => "?column?".to_string(),
        },
        Expr::Subquery {
            kind: SubqueryKind::Exists { negated: false },
            ..
        } => "exists".to_string(),
        _ => "?column?".to_string(),
    }
}
