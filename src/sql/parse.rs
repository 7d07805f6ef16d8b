//! SQL text to [`ast::Statement`]s, through `sqlparser`'s PostgreSQL dialect.
//!
//! The translation is exact or it is refused: every part of `sqlparser`'s
//! tree that carries meaning is either translated or checked absent, and a
//! construct outside the subset gives `0A000` (feature_not_supported) with a
//! message naming it and what is supported. Syntax errors are `42601`.
//!
//! Hostile input is bounded: a query text over 1 MiB is refused (`54000`),
//! the parser's recursion is limited, and so is the depth of operator chains
//! (which `sqlparser` builds in a loop, not by recursion), so that neither
//! parsing, translating nor dropping a tree can exhaust the stack (`54001`).

use std::fmt::Display;

use sqlparser::ast as sp;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::SqlError;
use super::ast;

/// The longest query text accepted, in bytes.
const MAX_QUERY_BYTES: usize = 1 << 20;
/// `sqlparser`'s recursion limit (nested parentheses, subqueries...).
const RECURSION_LIMIT: usize = 64;
/// The deepest expression accepted, counted conservatively from tokens.
const MAX_EXPRESSION_DEPTH: usize = 1000;
/// The stack a debug build parses on (see [`parse`]).
const DEBUG_STACK_BYTES: usize = 64 << 20;
/// PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated.
const MAX_IDENTIFIER_BYTES: usize = 63;

const STATEMENTS: &str = "idemsim's database runs CREATE TABLE, CREATE INDEX, DROP TABLE, \
INSERT, SELECT, UPDATE, DELETE, BEGIN/START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, \
RELEASE, ROLLBACK TO, SET and SHOW";
const TYPES: &str = "column types are bigint (int8), integer (int, int4), smallint (int2), \
serial, bigserial, smallserial, numeric/decimal [(p[, s])], text, varchar(n), boolean, \
timestamptz (timestamp with time zone), timestamp (without time zone), uuid, jsonb, json, \
interval and bytea";
const EXPRESSIONS: &str = "expressions are literals, $n parameters, columns, the operators \
= <> < <= > >= AND OR NOT + - * / % ||, the jsonb operators -> ->> @> <@ ?, IS [NOT] NULL, \
[NOT] IN (list), [NOT] BETWEEN, [NOT] LIKE | ILIKE [ESCAPE], \
casts (::type, CAST), INTERVAL '...', CASE and the functions now(), current_timestamp, \
transaction_timestamp(), clock_timestamp(), gen_random_uuid(), coalesce, lower, upper, \
length, char_length, abs, greatest, least, count, sum, min and max, and subqueries \
((SELECT ...), [NOT] EXISTS (SELECT ...), expr [NOT] IN (SELECT ...)), correlated or not";
const SUBQUERIES: &str = "a subquery is (SELECT ...), [NOT] EXISTS (SELECT ...) or \
expr [NOT] IN (SELECT ...); FOR NO KEY UPDATE and FOR KEY SHARE are read in a statement with \
subqueries when it has one locking clause";
const SELECTS: &str = "SELECT reads items [AS alias], *, t.* FROM one table [AS alias] \
with [INNER | LEFT [OUTER]] JOIN ... ON, DISTINCT, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, \
OFFSET and one FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF table] \
[NOWAIT | SKIP LOCKED]";
const CREATE_TABLES: &str = "CREATE TABLE [IF NOT EXISTS] takes columns with NOT NULL, \
NULL, DEFAULT, PRIMARY KEY, UNIQUE, CHECK, REFERENCES [ON DELETE NO ACTION | RESTRICT | \
CASCADE | SET NULL | SET DEFAULT] and GENERATED ... AS IDENTITY, and [CONSTRAINT name] \
PRIMARY KEY, UNIQUE, CHECK and FOREIGN KEY table constraints";
const INDEXES: &str =
    "CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table [USING btree] (column, ...)";
const INSERTS: &str = "INSERT INTO table [(columns)] [OVERRIDING {SYSTEM | USER} VALUE] \
VALUES (...), ... | SELECT ... | DEFAULT VALUES [ON CONFLICT [(columns) | ON CONSTRAINT name] \
DO NOTHING | ON CONFLICT {(columns) | ON CONSTRAINT name} DO UPDATE SET ... [WHERE ...]] \
[RETURNING ...]";
const UPDATES: &str = "UPDATE table [AS alias] SET column = expr, ... [FROM tables] \
[WHERE ...] [RETURNING ...] (with FROM, RETURNING names the target's columns)";
const DELETES: &str = "DELETE FROM table [AS alias] [USING tables] [WHERE ...] [RETURNING ...] \
(with USING, RETURNING names the target's columns)";
const TRANSACTIONS: &str = "transactions take ISOLATION LEVEL READ COMMITTED | READ \
UNCOMMITTED | REPEATABLE READ | SERIALIZABLE and READ WRITE";
const SETS: &str = "SET [SESSION | LOCAL] name {= | TO} value, SET [LOCAL] TIME ZONE value \
and SET TRANSACTION ISOLATION LEVEL ... are supported";

type Result<T> = std::result::Result<T, SqlError>;

fn syntax(message: impl Into<String>) -> SqlError {
    SqlError {
        code: "42601",
        message: message.into(),
    }
}

fn unsupported(what: impl Display, supported: &str) -> SqlError {
    SqlError {
        code: "0A000",
        message: format!("{what} is not supported; {supported}"),
    }
}

fn too_complex(message: impl Into<String>) -> SqlError {
    SqlError {
        code: "54001",
        message: message.into(),
    }
}

fn parser_error(e: ParserError) -> SqlError {
    match e {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => syntax(m),
        ParserError::RecursionLimitExceeded => too_complex(format!(
            "statement too complex: nested more than {RECURSION_LIMIT} levels deep"
        )),
    }
}

/// A `Display` shortened for messages.
fn shown(x: &impl Display) -> String {
    let s = x.to_string();
    if s.chars().count() <= 60 {
        s
    } else {
        let mut t: String = s.chars().take(57).collect();
        t.push_str("...");
        t
    }
}

/// Texts whose parse is remembered at most: a service sends the same few
/// statements over and over (tokio-postgres prepares each one again per
/// call), in run after run, and parsing is the dearest part of running
/// one.
const PARSE_CACHE_ENTRIES: usize = 1024;
/// The longest text remembered: the cache holds at most this many bytes
/// of text per entry.
const PARSE_CACHE_TEXT_BYTES: usize = 4096;

/// What each remembered text parses to, for the whole process: each run of
/// a service has a thread of its own, so a cache per thread would start
/// empty every run. A `BTreeMap`, not a `HashMap`: a hasher's seed would
/// draw from the randomness a run hands its thread, and so shift what the
/// service draws after it.
type ParseCache = std::sync::Mutex<std::collections::BTreeMap<String, Result<Parsed>>>;

/// A text's statements, shared: a prepared statement keeps them without a
/// copy.
pub type Parsed = std::sync::Arc<[std::sync::Arc<ast::Statement>]>;

fn parse_cache() -> &'static ParseCache {
    static PARSED: std::sync::OnceLock<ParseCache> = std::sync::OnceLock::new();
    PARSED.get_or_init(ParseCache::default)
}

/// Parses a query text (one or more statements separated by `;`).
/// Parsing is a pure function of the text, so a short text parsed before
/// is answered from memory.
pub fn parse(sql: &str) -> Result<Vec<ast::Statement>> {
    parse_shared(sql).map(|parsed| parsed.iter().map(|s| ast::Statement::clone(s)).collect())
}

/// [`parse`], without copying the statements out of the cache.
pub fn parse_shared(sql: &str) -> Result<Parsed> {
    let share = |parsed: Result<Vec<ast::Statement>>| {
        parsed.map(|statements| statements.into_iter().map(std::sync::Arc::new).collect())
    };
    if sql.len() > PARSE_CACHE_TEXT_BYTES {
        return share(parse_uncached(sql));
    }
    let cached = parse_cache()
        .lock()
        .ok()
        .and_then(|cache| cache.get(sql).cloned());
    if let Some(parsed) = cached {
        return parsed;
    }
    let parsed = share(parse_uncached(sql));
    if let Ok(mut cache) = parse_cache().lock() {
        if cache.len() >= PARSE_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(sql.to_string(), parsed.clone());
    }
    parsed
}

fn parse_uncached(sql: &str) -> Result<Vec<ast::Statement>> {
    if cfg!(debug_assertions) {
        // Unoptimised, `sqlparser` takes tens of KB of stack per nesting
        // level (optimised, a few): a debug build parses on a thread whose
        // stack holds the deepest text accepted.
        return std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .stack_size(DEBUG_STACK_BYTES)
                .spawn_scoped(scope, || parse_here(sql));
            match thread {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(e) => Err(SqlError {
                    code: "53000",
                    message: format!("could not start the parser's thread: {e}"),
                }),
            }
        });
    }
    parse_here(sql)
}

fn parse_here(sql: &str) -> Result<Vec<ast::Statement>> {
    if sql.len() > MAX_QUERY_BYTES {
        return Err(SqlError {
            code: "54000",
            message: format!(
                "query text of {} bytes is longer than the {MAX_QUERY_BYTES} bytes \
                 idemsim's database accepts",
                sql.len()
            ),
        });
    }
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| syntax(e.to_string()))?;
    let (tokens, key_locks) = rewrite_key_locks(tokens);
    check_depth(&tokens)?;
    check_tokens(&tokens)?;

    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
    // All statements are parsed before any is translated: a syntax error
    // anywhere rejects the whole text, as PostgreSQL's parser does.
    let mut parsed = Vec::new();
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        if parser.peek_token_ref().token == Token::EOF {
            break;
        }
        let start = parser.get_current_index();
        let statement = parser.parse_statement().map_err(parser_error)?;
        let end = parser.get_current_index();
        match parser.peek_token_ref().token {
            Token::SemiColon | Token::EOF => {}
            _ => {
                return Err(parser_error(
                    parser
                        .expected_ref::<()>("end of statement", parser.peek_token_ref())
                        .unwrap_err(),
                ));
            }
        }
        let locks: Vec<ast::LockStrength> = key_locks
            .iter()
            .filter(|(at, _)| (start..end).contains(at))
            .map(|&(_, strength)| strength)
            .collect();
        parsed.push((statement, locks));
    }
    parsed
        .iter()
        .map(|(statement, locks)| {
            let mut key_locks = KeyLocks {
                strengths: locks,
                used: 0,
            };
            let mut translated = statement_(statement, &mut key_locks)?;
            if !locks.is_empty() && translated.has_subquery() {
                // Which clause each `FOR NO KEY UPDATE` / `FOR KEY SHARE`
                // belongs to is known by order only, which subqueries break
                // unless the statement has one locking clause (a job claim's,
                // in its subquery, which is translated apart).
                let [key] = locks.as_slice() else {
                    return Err(several_key_locks());
                };
                if statement_locks(&translated) != 1 {
                    return Err(several_key_locks());
                }
                if key_locks.used == 0 {
                    let lock = first_lock_mut(&mut translated).expect("one locking clause");
                    if !matches!(
                        (*key, lock.strength),
                        (ast::LockStrength::NoKeyUpdate, ast::LockStrength::Update)
                            | (ast::LockStrength::KeyShare, ast::LockStrength::Share)
                    ) {
                        return Err(syntax("syntax error at or near \"KEY\""));
                    }
                    lock.strength = *key;
                    key_locks.used = 1;
                }
            }
            if key_locks.used != locks.len() {
                return Err(syntax("syntax error at or near \"KEY\""));
            }
            Ok(translated)
        })
        .collect()
}

fn several_key_locks() -> SqlError {
    unsupported(
        "`FOR NO KEY UPDATE` or `FOR KEY SHARE` in a statement with a subquery and several \
         locking clauses",
        SUBQUERIES,
    )
}

/// The locking clauses of a statement, its subqueries' included.
fn statement_locks(stmt: &ast::Statement) -> usize {
    let own = match stmt {
        ast::Statement::Select(s) => usize::from(s.locking.is_some()),
        ast::Statement::Insert(ast::Insert {
            select: Some(s), ..
        }) => usize::from(s.locking.is_some()),
        _ => 0,
    };
    own + stmt.root_exprs().into_iter().map(expr_locks).sum::<usize>()
}

/// The locking clauses of the subqueries in an expression.
fn expr_locks(e: &ast::Expr) -> usize {
    e.top_subqueries()
        .into_iter()
        .map(|node| match node {
            ast::Expr::Subquery { kind, select } => {
                let operand = match kind {
                    ast::SubqueryKind::In { expr, .. } => expr_locks(expr),
                    _ => 0,
                };
                operand
                    + usize::from(select.locking.is_some())
                    + select
                        .root_exprs()
                        .into_iter()
                        .map(expr_locks)
                        .sum::<usize>()
            }
            _ => 0,
        })
        .sum()
}

/// The first locking clause of a statement, in its subqueries too.
fn first_lock_mut(stmt: &mut ast::Statement) -> Option<&mut ast::Locking> {
    let own = match stmt {
        ast::Statement::Select(s) => s.locking.is_some(),
        ast::Statement::Insert(ast::Insert {
            select: Some(s), ..
        }) => s.locking.is_some(),
        _ => false,
    };
    if own {
        return match stmt {
            ast::Statement::Select(s) => s.locking.as_mut(),
            ast::Statement::Insert(ast::Insert {
                select: Some(s), ..
            }) => s.locking.as_mut(),
            _ => None,
        };
    }
    stmt.root_exprs_mut().into_iter().find_map(expr_lock_mut)
}

fn expr_lock_mut(e: &mut ast::Expr) -> Option<&mut ast::Locking> {
    e.top_subqueries_mut()
        .into_iter()
        .find_map(|node| match node {
            ast::Expr::Subquery { kind, select } => {
                if let ast::SubqueryKind::In { expr, .. } = kind
                    && expr_locks(expr) > 0
                {
                    return expr_lock_mut(expr);
                }
                if select.locking.is_some() {
                    return select.locking.as_mut();
                }
                select.root_exprs_mut().into_iter().find_map(expr_lock_mut)
            }
            _ => None,
        })
}

/// `sqlparser` knows `FOR UPDATE` and `FOR SHARE` only: `FOR NO KEY UPDATE`
/// and `FOR KEY SHARE` are rewritten to them before parsing, and the token
/// index of each such `FOR` remembered with its real strength.
fn rewrite_key_locks(
    tokens: Vec<TokenWithSpan>,
) -> (Vec<TokenWithSpan>, Vec<(usize, ast::LockStrength)>) {
    fn is_word(token: Option<&TokenWithSpan>, word: &str) -> bool {
        matches!(token, Some(TokenWithSpan { token: Token::Word(w), .. })
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
    }
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
        .collect();
    let mut drop = vec![false; tokens.len()];
    let mut marks = Vec::new();
    for (k, &i) in significant.iter().enumerate() {
        if !is_word(tokens.get(i), "for") {
            continue;
        }
        let next = |n: usize| significant.get(k + n).and_then(|&j| tokens.get(j));
        if is_word(next(1), "no") && is_word(next(2), "key") && is_word(next(3), "update") {
            drop[significant[k + 1]] = true;
            drop[significant[k + 2]] = true;
            marks.push((i, ast::LockStrength::NoKeyUpdate));
        } else if is_word(next(1), "key") && is_word(next(2), "share") {
            drop[significant[k + 1]] = true;
            marks.push((i, ast::LockStrength::KeyShare));
        }
    }
    if marks.is_empty() {
        return (tokens, marks);
    }
    let mut new_index = Vec::with_capacity(tokens.len());
    let mut kept = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.into_iter().enumerate() {
        new_index.push(kept.len());
        if !drop[i] {
            kept.push(token);
        }
    }
    let marks = marks
        .into_iter()
        .map(|(i, strength)| (new_index[i], strength))
        .collect();
    (kept, marks)
}

/// Token-level syntax errors `sqlparser` lets through: a `FOR` ending a
/// statement, which it reads as a column alias (`SELECT 1 FOR`) while
/// PostgreSQL reserves it, and the zero-length quoted identifier `""`.
fn check_tokens(tokens: &[TokenWithSpan]) -> Result<()> {
    let significant: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    // The first two words of the statement being read.
    let mut words: Vec<&str> = Vec::new();
    for (i, token) in significant.iter().enumerate() {
        if token.token == Token::SemiColon {
            words.clear();
        }
        let Token::Word(w) = &token.token else {
            continue;
        };
        if words.len() < 2 {
            words.push(w.value.as_str());
        }
        let is = |word: Option<&&str>, k: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(k));
        let transaction_modes = is(words.first(), "begin")
            || is(words.first(), "start")
            || (is(words.first(), "set")
                && (is(words.get(1), "transaction") || is(words.get(1), "session")));
        if transaction_modes
            && w.quote_style.is_none()
            && w.value.eq_ignore_ascii_case("deferrable")
        {
            return Err(unsupported("`[NOT] DEFERRABLE` transactions", TRANSACTIONS));
        }
        if w.quote_style == Some('"') && w.value.is_empty() {
            return Err(syntax(format!(
                "zero-length delimited identifier{}",
                token.span.start
            )));
        }
        let before = i.checked_sub(1).map(|j| &significant[j].token);
        let after = significant.get(i + 1).map(|t| &t.token);
        let after_as = matches!(before, Some(Token::Word(b)) if b.quote_style.is_none()
            && b.value.eq_ignore_ascii_case("as"));
        if w.quote_style.is_none()
            && w.value.eq_ignore_ascii_case("for")
            && matches!(after, None | Some(Token::SemiColon | Token::EOF))
            && !after_as
        {
            return Err(syntax(format!(
                "syntax error at end of input after \"{}\"{}",
                w.value, token.span.start
            )));
        }
    }
    Ok(())
}

/// Bounds the depth of the tree `sqlparser` would build. Operators chained
/// at one parenthesis level are parsed by a loop, so their depth escapes the
/// parser's recursion limit; this bounds it from the tokens: each
/// comma-separated segment counts its operator tokens, and a path down
/// nested parentheses adds its segments' counts.
fn check_depth(tokens: &[TokenWithSpan]) -> Result<()> {
    #[derive(Default)]
    struct Level {
        /// Operator tokens in the current segment.
        count: usize,
        /// The deepest parenthesised group inside the current segment.
        child: usize,
        /// The deepest segment closed at this level.
        best: usize,
    }
    impl Level {
        fn close_segment(&mut self) {
            self.best = self.best.max(self.count + self.child + 1);
            self.count = 0;
            self.child = 0;
        }
    }
    let mut levels = vec![Level::default()];
    let mut deepest = 0;
    // The path being read: the sum over open levels of their count + 1.
    let mut open = 1;
    for token in tokens {
        match &token.token {
            Token::Whitespace(_) => continue,
            Token::LParen | Token::LBracket | Token::LBrace => {
                levels.push(Level::default());
                open += 1;
            }
            Token::RParen | Token::RBracket | Token::RBrace => {
                if levels.len() > 1 {
                    let mut inner = levels.pop().unwrap_or_default();
                    open -= inner.count + 1;
                    inner.close_segment();
                    if let Some(outer) = levels.last_mut() {
                        outer.child = outer.child.max(inner.best + 1);
                    }
                }
            }
            Token::Comma | Token::SemiColon => {
                if let Some(level) = levels.last_mut() {
                    open -= level.count;
                    level.close_segment();
                }
            }
            // Operands: they add no depth of their own.
            Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::Placeholder(_) => {}
            Token::Word(w) if w.keyword == sqlparser::keywords::Keyword::NoKeyword => {}
            _ => {
                if let Some(level) = levels.last_mut() {
                    level.count += 1;
                    open += 1;
                }
            }
        }
        deepest = deepest.max(open);
        if deepest > MAX_EXPRESSION_DEPTH {
            break;
        }
    }
    while let Some(mut level) = levels.pop() {
        level.close_segment();
        deepest = deepest.max(level.best);
        if let Some(outer) = levels.last_mut() {
            outer.child = outer.child.max(level.best + 1);
        }
    }
    if deepest > MAX_EXPRESSION_DEPTH {
        return Err(too_complex(format!(
            "statement too complex: an expression nests more than {MAX_EXPRESSION_DEPTH} \
             operators or parentheses"
        )));
    }
    Ok(())
}

/// The `FOR NO KEY UPDATE` / `FOR KEY SHARE` clauses of one statement.
struct KeyLocks<'a> {
    strengths: &'a [ast::LockStrength],
    used: usize,
}

// ---------------------------------------------------------------- names

/// An identifier as PostgreSQL reads it: unquoted ones lower-cased (ASCII
/// only), quoted ones kept; both truncated to 63 bytes.
fn ident(id: &sp::Ident) -> Result<String> {
    let mut name = match id.quote_style {
        None => id.value.to_ascii_lowercase(),
        Some('"') => id.value.clone(),
        // sqlparser also takes 'a' for a name where PostgreSQL does not.
        Some(_) => {
            return Err(syntax(format!(
                "syntax error at or near \"{id}\"{}",
                id.span.start
            )));
        }
    };
    if name.len() > MAX_IDENTIFIER_BYTES {
        let mut end = MAX_IDENTIFIER_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    Ok(name)
}

fn idents(ids: &[sp::Ident]) -> Result<Vec<String>> {
    ids.iter().map(ident).collect()
}

fn name_parts(name: &sp::ObjectName) -> Result<Vec<String>> {
    name.0
        .iter()
        .map(|part| match part {
            sp::ObjectNamePart::Identifier(id) => ident(id),
            sp::ObjectNamePart::Function(_) => Err(unsupported(
                format!("the name `{}`", shown(name)),
                "names are identifiers",
            )),
        })
        .collect()
}

/// A table's name: unqualified, or in schema `public` (the only schema).
fn table_name(name: &sp::ObjectName) -> Result<String> {
    let mut parts = name_parts(name)?;
    match parts.len() {
        1 => Ok(parts.remove(0)),
        2 if parts[0] == "public" => Ok(parts.remove(1)),
        _ => Err(unsupported(
            format!("the qualified name `{}`", shown(name)),
            "tables are named without a schema (or in schema public)",
        )),
    }
}

/// A column name written as an object name (`INSERT` columns, `SET` targets).
fn column_name(name: &sp::ObjectName) -> Result<String> {
    let mut parts = name_parts(name)?;
    if parts.len() == 1 {
        Ok(parts.remove(0))
    } else {
        Err(unsupported(
            format!("the column reference `{}`", shown(name)),
            "a target column is named by one identifier",
        ))
    }
}

fn index_columns(columns: &[sp::IndexColumn], what: &str) -> Result<Vec<String>> {
    columns
        .iter()
        .map(|c| {
            let sp::IndexColumn {
                column,
                operator_class,
            } = c;
            let sp::OrderByExpr {
                expr,
                options,
                with_fill,
            } = column;
            if operator_class.is_some() {
                return Err(unsupported("an operator class", what));
            }
            if with_fill.is_some() || matches!(options.sort, Some(sp::OrderBySort::Using(_))) {
                return Err(unsupported(format!("`{}`", shown(column)), what));
            }
            match expr {
                sp::Expr::Identifier(id) => ident(id),
                other => Err(unsupported(
                    format!("the expression `{}` in a column list", shown(other)),
                    what,
                )),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- statements

fn statement_(statement: &sp::Statement, locks: &mut KeyLocks) -> Result<ast::Statement> {
    use sp::Statement as S;
    Ok(match statement {
        S::CreateTable(create) => ast::Statement::CreateTable(create_table(create)?),
        S::CreateIndex(create) => ast::Statement::CreateIndex(create_index(create)?),
        S::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            restrict: _,
            purge,
            temporary,
            table,
        } => {
            if *object_type != sp::ObjectType::Table {
                return Err(unsupported(format!("`DROP {object_type}`"), STATEMENTS));
            }
            if *cascade {
                return Err(unsupported(
                    "`DROP TABLE ... CASCADE`",
                    "DROP TABLE [IF EXISTS] name, ... is supported",
                ));
            }
            if *purge || *temporary || table.is_some() {
                return Err(unsupported(
                    format!("`{}`", shown(statement)),
                    "DROP TABLE [IF EXISTS] name, ... is supported",
                ));
            }
            ast::Statement::DropTable {
                names: names.iter().map(table_name).collect::<Result<_>>()?,
                if_exists: *if_exists,
            }
        }
        S::Insert(insert) => ast::Statement::Insert(insert_(insert)?),
        S::Query(query) => ast::Statement::Select(select_query(query, locks)?),
        S::Update(update) => ast::Statement::Update(update_(update)?),
        S::Delete(delete) => ast::Statement::Delete(delete_(delete)?),
        S::StartTransaction {
            modes,
            begin: _,
            transaction,
            modifier,
            statements,
            exception,
            has_end_keyword,
        } => {
            if modifier.is_some()
                || !statements.is_empty()
                || exception.is_some()
                || *has_end_keyword
                || matches!(transaction, Some(sp::BeginTransactionKind::Tran))
            {
                return Err(unsupported(
                    format!("`{}`", shown(statement)),
                    "BEGIN [TRANSACTION | WORK] and START TRANSACTION with transaction modes \
                     are supported",
                ));
            }
            ast::Statement::Begin {
                isolation: transaction_modes(modes)?,
            }
        }
        S::Commit {
            chain,
            end: _,
            modifier,
        } => {
            if *chain {
                return Err(unsupported(
                    "`COMMIT AND CHAIN`",
                    "COMMIT and END are supported",
                ));
            }
            if modifier.is_some() {
                return Err(unsupported(
                    format!("`{}`", shown(statement)),
                    "COMMIT and END are supported",
                ));
            }
            ast::Statement::Commit
        }
        S::Rollback { chain, savepoint } => {
            if *chain {
                return Err(unsupported(
                    "`ROLLBACK AND CHAIN`",
                    "ROLLBACK, ABORT and ROLLBACK TO [SAVEPOINT] name are supported",
                ));
            }
            match savepoint {
                None => ast::Statement::Rollback,
                Some(name) => ast::Statement::RollbackToSavepoint { name: ident(name)? },
            }
        }
        S::Savepoint { name } => ast::Statement::Savepoint { name: ident(name)? },
        S::ReleaseSavepoint { name } => ast::Statement::ReleaseSavepoint { name: ident(name)? },
        S::Set(set) => set_(set)?,
        S::ShowVariable { variable } => show(variable)?,
        other => {
            return Err(unsupported(
                format!("`{}`", statement_kind(other)),
                STATEMENTS,
            ));
        }
    })
}

/// The leading keywords of a statement, to name it in a message.
fn statement_kind(statement: &sp::Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .take(3)
        .collect();
    if words.is_empty() {
        shown(&text)
    } else {
        words.join(" ")
    }
}

fn transaction_modes(modes: &[sp::TransactionMode]) -> Result<Option<ast::Isolation>> {
    let mut isolation = None;
    for mode in modes {
        match mode {
            sp::TransactionMode::AccessMode(sp::TransactionAccessMode::ReadWrite) => {}
            sp::TransactionMode::AccessMode(sp::TransactionAccessMode::ReadOnly) => {
                return Err(unsupported("`READ ONLY` transactions", TRANSACTIONS));
            }
            sp::TransactionMode::IsolationLevel(level) => {
                let level = match level {
                    sp::TransactionIsolationLevel::ReadUncommitted
                    | sp::TransactionIsolationLevel::ReadCommitted => ast::Isolation::ReadCommitted,
                    sp::TransactionIsolationLevel::RepeatableRead => ast::Isolation::RepeatableRead,
                    sp::TransactionIsolationLevel::Serializable => ast::Isolation::Serializable,
                    sp::TransactionIsolationLevel::Snapshot => {
                        return Err(unsupported("`ISOLATION LEVEL SNAPSHOT`", TRANSACTIONS));
                    }
                };
                if isolation.is_some() {
                    return Err(syntax("conflicting or redundant options"));
                }
                isolation = Some(level);
            }
        }
    }
    Ok(isolation)
}

fn set_(set: &sp::Set) -> Result<ast::Statement> {
    match set {
        sp::Set::SingleAssignment {
            scope,
            hivevar,
            variable,
            values,
        } => {
            let local = match scope {
                None | Some(sp::ContextModifier::Session) => false,
                Some(sp::ContextModifier::Local) => true,
                Some(other) => return Err(unsupported(format!("`SET {other}`"), SETS)),
            };
            if *hivevar {
                return Err(unsupported("`SET HIVEVAR:`", SETS));
            }
            Ok(ast::Statement::Set {
                name: name_parts(variable)?.join("."),
                value: set_values(values)?,
                local,
            })
        }
        sp::Set::SetTimeZone { local, value } => {
            if matches!(value, sp::Expr::Identifier(id)
                if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("local"))
            {
                return Err(unsupported("`SET TIME ZONE LOCAL`", SETS));
            }
            Ok(ast::Statement::Set {
                name: "timezone".into(),
                value: set_values(std::slice::from_ref(value))?,
                local: *local,
            })
        }
        sp::Set::SetNames {
            charset_name,
            collation_name: None,
        } => Ok(ast::Statement::Set {
            name: "client_encoding".into(),
            value: charset_name.value.clone(),
            local: false,
        }),
        sp::Set::SetTransaction {
            modes,
            snapshot,
            session,
        } => {
            if *session {
                return Err(unsupported(
                    "`SET SESSION CHARACTERISTICS AS TRANSACTION`",
                    SETS,
                ));
            }
            if snapshot.is_some() {
                return Err(unsupported("`SET TRANSACTION SNAPSHOT`", SETS));
            }
            match transaction_modes(modes)? {
                Some(isolation) => Ok(ast::Statement::SetTransaction { isolation }),
                None => Err(unsupported(
                    "`SET TRANSACTION` without ISOLATION LEVEL",
                    SETS,
                )),
            }
        }
        other => Err(unsupported(format!("`{}`", shown(other)), SETS)),
    }
}

/// A `SET` value as text: strings and numbers as written, unquoted words
/// lower-cased, several values joined by `, `.
fn set_values(values: &[sp::Expr]) -> Result<String> {
    let mut parts = Vec::new();
    for value in values {
        let text = match value {
            sp::Expr::Value(v) => match &v.value {
                sp::Value::SingleQuotedString(s)
                | sp::Value::EscapedStringLiteral(s)
                | sp::Value::UnicodeStringLiteral(s) => s.clone(),
                sp::Value::DollarQuotedString(s) => s.value.clone(),
                sp::Value::Number(n, false) => n.clone(),
                sp::Value::Boolean(b) => b.to_string(),
                _ => return Err(unsupported(format!("the value `{}`", shown(value)), SETS)),
            },
            sp::Expr::UnaryOp {
                op: sp::UnaryOperator::Minus,
                expr,
            } => match expr.as_ref() {
                sp::Expr::Value(sp::ValueWithSpan {
                    value: sp::Value::Number(n, false),
                    ..
                }) => format!("-{n}"),
                _ => return Err(unsupported(format!("the value `{}`", shown(value)), SETS)),
            },
            sp::Expr::Identifier(id)
                if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default") =>
            {
                return Err(unsupported("`SET ... TO DEFAULT`", SETS));
            }
            sp::Expr::Identifier(id) => ident(id)?,
            _ => return Err(unsupported(format!("the value `{}`", shown(value)), SETS)),
        };
        parts.push(text);
    }
    Ok(parts.join(", "))
}

fn show(variable: &[sp::Ident]) -> Result<ast::Statement> {
    let words = idents(variable)?;
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let name = match words.as_slice() {
        ["transaction", "isolation", "level"] => "transaction_isolation".to_string(),
        ["time", "zone"] => "timezone".to_string(),
        ["all"] => return Err(unsupported("`SHOW ALL`", "SHOW name is supported")),
        [one] => one.to_string(),
        _ => {
            return Err(unsupported(
                format!("`SHOW {}`", words.join(" ")),
                "SHOW name is supported",
            ));
        }
    };
    Ok(ast::Statement::Show { name })
}

// ---------------------------------------------------------------- DDL

fn create_table(create: &sp::CreateTable) -> Result<ast::CreateTable> {
    let specific: &[(bool, &str)] = &[
        (create.or_replace, "`CREATE OR REPLACE TABLE`"),
        (
            create.temporary || create.global.is_some(),
            "`CREATE TEMPORARY TABLE`",
        ),
        (create.unlogged, "`CREATE UNLOGGED TABLE`"),
        (create.query.is_some(), "`CREATE TABLE ... AS`"),
        (create.like.is_some(), "`CREATE TABLE ... (LIKE ...)`"),
        (create.inherits.is_some(), "table inheritance (`INHERITS`)"),
        (
            create.partition_by.is_some()
                || create.partition_of.is_some()
                || create.for_values.is_some(),
            "table partitioning",
        ),
        (create.on_commit.is_some(), "`ON COMMIT`"),
        (
            create.table_options != sp::CreateTableOptions::None,
            "table options (`WITH (...)`, `TABLESPACE`)",
        ),
    ];
    if let Some((_, what)) = specific.iter().find(|(present, _)| *present) {
        return Err(unsupported(what, CREATE_TABLES));
    }
    // Everything else must be as a plain `CREATE TABLE` leaves it.
    let plain =
        sqlparser::ast::helpers::stmt_create_table::CreateTableBuilder::new(create.name.clone())
            .if_not_exists(create.if_not_exists)
            .build();
    let mut bare = create.clone();
    bare.columns.clear();
    bare.constraints.clear();
    if bare != plain {
        return Err(unsupported(
            "this CREATE TABLE option (only columns and constraints are read)",
            CREATE_TABLES,
        ));
    }

    let name = table_name(&create.name)?;
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    for column in &create.columns {
        columns.push(column_def(column, &mut constraints)?);
    }
    for constraint in &create.constraints {
        constraints.push(table_constraint(constraint, None, None)?);
    }
    let primary_keys = constraints
        .iter()
        .filter(|c| matches!(c, ast::TableConstraint::PrimaryKey { .. }))
        .count();
    if primary_keys > 1 {
        return Err(SqlError {
            code: "42P16",
            message: format!("multiple primary keys for table \"{name}\" are not allowed"),
        });
    }
    Ok(ast::CreateTable {
        name,
        if_not_exists: create.if_not_exists,
        columns,
        constraints,
    })
}

fn column_def(
    column: &sp::ColumnDef,
    constraints: &mut Vec<ast::TableConstraint>,
) -> Result<ast::ColumnDef> {
    let sp::ColumnDef {
        name,
        data_type: sql_type,
        options,
    } = column;
    let name = ident(name)?;
    let (ty, serial) = data_type(sql_type, true)?;
    let mut def = ast::ColumnDef {
        name: name.clone(),
        ty,
        not_null: serial,
        default: None,
        serial,
        identity: false,
        generated_always: false,
    };
    let mut said_null = false;
    let mut said_not_null = false;
    for option in options {
        let sp::ColumnOptionDef {
            name: constraint_name,
            option,
        } = option;
        let constraint_name = constraint_name.as_ref();
        match option {
            sp::ColumnOption::Null => said_null = true,
            sp::ColumnOption::NotNull => said_not_null = true,
            sp::ColumnOption::Default(e) => {
                if def.default.is_some() || def.serial {
                    return Err(syntax(format!(
                        "multiple default values specified for column \"{name}\""
                    )));
                }
                def.default = Some(expr(e)?);
            }
            sp::ColumnOption::PrimaryKey(_)
            | sp::ColumnOption::Unique(_)
            | sp::ColumnOption::ForeignKey(_)
            | sp::ColumnOption::Check(_) => {
                let constraint = match option {
                    sp::ColumnOption::PrimaryKey(c) => {
                        def.not_null = true;
                        sp::TableConstraint::PrimaryKey(c.clone())
                    }
                    sp::ColumnOption::Unique(c) => sp::TableConstraint::Unique(c.clone()),
                    sp::ColumnOption::ForeignKey(c) => sp::TableConstraint::ForeignKey(c.clone()),
                    sp::ColumnOption::Check(c) => sp::TableConstraint::Check(c.clone()),
                    _ => unreachable!("matched above"),
                };
                constraints.push(table_constraint(&constraint, constraint_name, Some(&name))?);
            }
            sp::ColumnOption::Generated {
                generated_as,
                sequence_options,
                generation_expr,
                generation_expr_mode,
                generated_keyword: _,
            } => {
                if generation_expr.is_some() || generation_expr_mode.is_some() {
                    return Err(unsupported(
                        "generated columns (`GENERATED ALWAYS AS (expr) STORED`)",
                        CREATE_TABLES,
                    ));
                }
                if !matches!(
                    generated_as,
                    sp::GeneratedAs::Always | sp::GeneratedAs::ByDefault
                ) {
                    return Err(unsupported(format!("`{option}`"), CREATE_TABLES));
                }
                if sequence_options.as_ref().is_some_and(|o| !o.is_empty()) {
                    return Err(unsupported(
                        "identity sequence options",
                        "GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY is supported",
                    ));
                }
                if def.serial || def.default.is_some() {
                    return Err(syntax(format!(
                        "both default and identity specified for column \"{name}\""
                    )));
                }
                if !matches!(
                    def.ty,
                    ast::SqlType::BigInt | ast::SqlType::Integer | ast::SqlType::SmallInt
                ) {
                    return Err(SqlError {
                        code: "22023",
                        message: format!(
                            "identity column type must be smallint, integer, or bigint \
                             (column \"{name}\")"
                        ),
                    });
                }
                def.serial = true;
                def.identity = true;
                def.generated_always = matches!(generated_as, sp::GeneratedAs::Always);
                def.not_null = true;
            }
            sp::ColumnOption::Collation(c) => {
                return Err(unsupported(
                    format!("the column collation `COLLATE {}`", shown(c)),
                    CREATE_TABLES,
                ));
            }
            other => {
                return Err(unsupported(
                    format!("the column option `{}`", shown(other)),
                    CREATE_TABLES,
                ));
            }
        }
    }
    if said_null && said_not_null {
        return Err(syntax(format!(
            "conflicting NULL/NOT NULL declarations for column \"{name}\""
        )));
    }
    if said_null && def.not_null {
        return Err(syntax(format!(
            "conflicting NULL/NOT NULL declarations for column \"{name}\""
        )));
    }
    def.not_null |= said_not_null;
    Ok(def)
}

fn characteristics(c: &Option<sp::ConstraintCharacteristics>) -> Result<()> {
    if let Some(sp::ConstraintCharacteristics {
        deferrable,
        initially,
        enforced,
    }) = c
    {
        if *deferrable == Some(true) || *initially == Some(sp::DeferrableInitial::Deferred) {
            return Err(unsupported("deferrable constraints", CREATE_TABLES));
        }
        if enforced.is_some() {
            return Err(unsupported("`[NOT] ENFORCED`", CREATE_TABLES));
        }
    }
    Ok(())
}

/// A table constraint, or a column's (`column` then names its column and
/// its own column list is empty).
fn table_constraint(
    constraint: &sp::TableConstraint,
    option_name: Option<&sp::Ident>,
    column: Option<&String>,
) -> Result<ast::TableConstraint> {
    let constraint_name =
        |own: &Option<sp::Ident>| own.as_ref().or(option_name).map(ident).transpose();
    let columns_of = |listed: Vec<String>| -> Vec<String> {
        match column {
            Some(c) if listed.is_empty() => vec![c.clone()],
            _ => listed,
        }
    };
    match constraint {
        sp::TableConstraint::PrimaryKey(sp::PrimaryKeyConstraint {
            name,
            index_name,
            index_type,
            columns,
            include,
            index_options,
            characteristics: chars,
        })
        | sp::TableConstraint::Unique(sp::UniqueConstraint {
            name,
            index_name,
            index_type_display: _,
            index_type,
            columns,
            include,
            index_options,
            characteristics: chars,
            nulls_distinct: _,
        }) => {
            let what = "PRIMARY KEY and UNIQUE take a plain column list";
            if index_name.is_some() || index_type.is_some() || !index_options.is_empty() {
                return Err(unsupported(
                    format!("`{}`", shown(constraint)),
                    CREATE_TABLES,
                ));
            }
            if !include.is_empty() {
                return Err(unsupported("`INCLUDE` columns", what));
            }
            if let sp::TableConstraint::Unique(u) = constraint {
                if u.nulls_distinct == sp::NullsDistinctOption::NotDistinct {
                    return Err(unsupported("`NULLS NOT DISTINCT`", what));
                }
                if u.index_type_display != sp::KeyOrIndexDisplay::None {
                    return Err(unsupported(format!("`{}`", shown(constraint)), what));
                }
            }
            characteristics(chars)?;
            let columns = columns_of(index_columns(columns, what)?);
            let name = constraint_name(name)?;
            Ok(match constraint {
                sp::TableConstraint::PrimaryKey(_) => {
                    ast::TableConstraint::PrimaryKey { name, columns }
                }
                _ => ast::TableConstraint::Unique { name, columns },
            })
        }
        sp::TableConstraint::ForeignKey(sp::ForeignKeyConstraint {
            name,
            index_name,
            columns,
            foreign_table,
            referred_columns,
            on_delete,
            on_update,
            match_kind,
            characteristics: chars,
        }) => {
            let what = "REFERENCES table [(column, ...)] [ON DELETE NO ACTION | RESTRICT | CASCADE \
                        | SET NULL | SET DEFAULT] [ON UPDATE NO ACTION | RESTRICT] is supported";
            let on_delete = match on_delete {
                None | Some(sp::ReferentialAction::NoAction | sp::ReferentialAction::Restrict) => {
                    ast::OnDelete::NoAction
                }
                Some(sp::ReferentialAction::Cascade) => ast::OnDelete::Cascade,
                Some(sp::ReferentialAction::SetNull) => ast::OnDelete::SetNull,
                Some(sp::ReferentialAction::SetDefault) => ast::OnDelete::SetDefault,
            };
            match on_update {
                None | Some(sp::ReferentialAction::NoAction | sp::ReferentialAction::Restrict) => {}
                Some(other) => return Err(unsupported(format!("`ON UPDATE {other}`"), what)),
            }
            match match_kind {
                None | Some(sp::ConstraintReferenceMatchKind::Simple) => {}
                Some(other) => return Err(unsupported(format!("`{other}`"), what)),
            }
            if index_name.is_some() {
                return Err(unsupported(format!("`{}`", shown(constraint)), what));
            }
            characteristics(chars)?;
            Ok(ast::TableConstraint::ForeignKey {
                name: constraint_name(name)?,
                columns: columns_of(idents(columns)?),
                foreign_table: table_name(foreign_table)?,
                referred_columns: idents(referred_columns)?,
                on_delete,
            })
        }
        sp::TableConstraint::Check(sp::CheckConstraint {
            name,
            expr: e,
            no_inherit,
            enforced,
        }) => {
            if *no_inherit {
                return Err(unsupported("`CHECK ... NO INHERIT`", CREATE_TABLES));
            }
            if enforced.is_some() {
                return Err(unsupported("`[NOT] ENFORCED`", CREATE_TABLES));
            }
            Ok(ast::TableConstraint::Check {
                name: constraint_name(name)?,
                expr: expr(e)?,
            })
        }
        other => Err(unsupported(
            format!("the constraint `{}`", shown(other)),
            CREATE_TABLES,
        )),
    }
}

fn create_index(create: &sp::CreateIndex) -> Result<ast::CreateIndex> {
    let sp::CreateIndex {
        name,
        table_name: table,
        using,
        columns,
        unique,
        concurrently,
        r#async,
        if_not_exists,
        include,
        nulls_distinct,
        with,
        predicate,
        index_options,
        alter_options,
    } = create;
    match using {
        None | Some(sp::IndexType::BTree) => {}
        Some(other) => return Err(unsupported(format!("`USING {other}` indexes"), INDEXES)),
    }
    let refusals: &[(bool, &str)] = &[
        (*concurrently, "`CREATE INDEX CONCURRENTLY`"),
        (!include.is_empty(), "`INCLUDE` columns"),
        (predicate.is_some(), "partial indexes (`WHERE`)"),
        (*nulls_distinct == Some(false), "`NULLS NOT DISTINCT`"),
        (!with.is_empty(), "index storage parameters (`WITH (...)`)"),
        (
            *r#async || !index_options.is_empty() || !alter_options.is_empty(),
            "this CREATE INDEX option",
        ),
    ];
    if let Some((_, what)) = refusals.iter().find(|(present, _)| *present) {
        return Err(unsupported(what, INDEXES));
    }
    let name = match name {
        None => None,
        Some(n) => Some(table_name(n)?),
    };
    Ok(ast::CreateIndex {
        name,
        table: table_name(table)?,
        columns: index_columns(columns, INDEXES)?,
        unique: *unique,
        if_not_exists: *if_not_exists,
    })
}

/// A type, and whether it is a serial one (allowed in a column definition).
fn data_type(ty: &sp::DataType, in_column: bool) -> Result<(ast::SqlType, bool)> {
    use ast::SqlType as T;
    use sp::DataType as D;
    let refuse = || unsupported(format!("the type `{ty}`"), TYPES);
    let length = |l: &Option<sp::CharacterLength>| -> Result<Option<u32>> {
        match l {
            None => Ok(None),
            Some(sp::CharacterLength::IntegerLength { length, unit: None }) => {
                match u32::try_from(*length) {
                    Ok(n) if (1..=10_485_760).contains(&n) => Ok(Some(n)),
                    _ => Err(SqlError {
                        code: "22023",
                        message: "length for type varchar must be between 1 and 10485760".into(),
                    }),
                }
            }
            Some(_) => Err(refuse()),
        }
    };
    let numeric = |info: &sp::ExactNumberInfo| -> Result<T> {
        match info {
            sp::ExactNumberInfo::None => Ok(T::Numeric {
                precision: None,
                scale: None,
            }),
            sp::ExactNumberInfo::Precision(p) if (1..=1000).contains(p) => Ok(T::Numeric {
                precision: Some(*p as u32),
                scale: Some(0),
            }),
            sp::ExactNumberInfo::PrecisionAndScale(p, s)
                if (1..=1000).contains(p) && *s >= 0 && (*s as u64) <= *p =>
            {
                Ok(T::Numeric {
                    precision: Some(*p as u32),
                    scale: Some(*s as u32),
                })
            }
            _ => Err(unsupported(
                format!("the type `{ty}`"),
                "numeric takes a precision of 1 to 1000 and a scale of 0 to the precision",
            )),
        }
    };
    let ty = match ty {
        D::BigInt(None) | D::Int8(None) => T::BigInt,
        D::Int(None) | D::Integer(None) | D::Int4(None) => T::Integer,
        D::SmallInt(None) | D::Int2(None) => T::SmallInt,
        D::Bytea => T::Bytea,
        D::Numeric(info) | D::Decimal(info) | D::Dec(info) => numeric(info)?,
        D::Text => T::Text { max_chars: None },
        D::Varchar(l) | D::CharacterVarying(l) | D::CharVarying(l) => T::Text {
            max_chars: length(l)?,
        },
        D::Boolean | D::Bool => T::Boolean,
        D::Timestamp(None, sp::TimezoneInfo::WithTimeZone | sp::TimezoneInfo::Tz) => T::Timestamptz,
        D::Timestamp(None, sp::TimezoneInfo::None | sp::TimezoneInfo::WithoutTimeZone) => {
            T::Timestamp
        }
        D::Uuid => T::Uuid,
        D::JSON | D::JSONB => T::Jsonb,
        D::Interval {
            fields: None,
            precision: None,
        } => T::Interval,
        D::Custom(name, modifiers) if modifiers.is_empty() => {
            let parts = name_parts(name)?;
            let serial = match parts.as_slice() {
                [one] => match one.as_str() {
                    "bigserial" | "serial8" => Some(T::BigInt),
                    "serial" | "serial4" => Some(T::Integer),
                    "smallserial" | "serial2" => Some(T::SmallInt),
                    "timestamptz" => return Ok((T::Timestamptz, false)),
                    "int8" => return Ok((T::BigInt, false)),
                    "int4" => return Ok((T::Integer, false)),
                    "int2" => return Ok((T::SmallInt, false)),
                    "bool" => return Ok((T::Boolean, false)),
                    _ => None,
                },
                _ => None,
            };
            match serial {
                Some(t) if in_column => return Ok((t, true)),
                Some(_) => {
                    return Err(SqlError {
                        code: "42704",
                        message: format!("type \"{}\" does not exist", parts.join(".")),
                    });
                }
                None => return Err(refuse()),
            }
        }
        _ => return Err(refuse()),
    };
    Ok((ty, false))
}

/// `INTERVAL '5 minutes'`, or `INTERVAL '5' MINUTE`: a quoted text cast to
/// interval (a unit after the quote is read as part of the text).
fn interval_literal(iv: &sp::Interval) -> Result<ast::Expr> {
    let refuse = || {
        unsupported(
            format!("the interval `{iv}`"),
            "intervals are written INTERVAL '<number> <unit> ...' or INTERVAL '<number>' <UNIT>",
        )
    };
    if iv.last_field.is_some()
        || iv.leading_precision.is_some()
        || iv.fractional_seconds_precision.is_some()
    {
        return Err(refuse());
    }
    let sp::Expr::Value(value) = iv.value.as_ref() else {
        return Err(refuse());
    };
    let sp::Value::SingleQuotedString(text) = &value.value else {
        return Err(refuse());
    };
    let text = match &iv.leading_field {
        None => text.clone(),
        Some(unit) => format!("{text} {unit}"),
    };
    Ok(ast::Expr::Cast {
        expr: Box::new(ast::Expr::Literal(ast::Literal::Text(text))),
        ty: ast::SqlType::Interval,
    })
}

// ---------------------------------------------------------------- DML

fn returning(items: &Option<Vec<sp::SelectItem>>) -> Result<Vec<ast::SelectItem>> {
    match items {
        None => Ok(Vec::new()),
        Some(items) => items.iter().map(select_item).collect(),
    }
}

fn assignments(list: &[sp::Assignment], what: &str) -> Result<Vec<ast::Assignment>> {
    list.iter()
        .map(|sp::Assignment { target, value }| match target {
            sp::AssignmentTarget::ColumnName(name) => match value {
                sp::Expr::Identifier(id)
                    if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default") =>
                {
                    Ok(ast::Assignment {
                        column: column_name(name)?,
                        value: ast::Expr::Default,
                    })
                }
                _ => Ok(ast::Assignment {
                    column: column_name(name)?,
                    value: expr(value)?,
                }),
            },
            sp::AssignmentTarget::Tuple(_) => Err(unsupported("`SET (column, ...) = (...)`", what)),
        })
        .collect()
}

fn insert_(insert: &sp::Insert) -> Result<ast::Insert> {
    let sp::Insert {
        insert_token: _,
        optimizer_hints,
        or,
        ignore,
        into,
        table,
        table_alias,
        columns,
        by_name,
        overwrite,
        source,
        assignments: set_assignments,
        partitioned,
        after_columns,
        overriding,
        has_table_keyword,
        on,
        returning: returning_items,
        output,
        replace_into,
        priority,
        insert_alias,
        settings,
        format_clause,
        multi_table_insert_type,
        multi_table_into_clauses,
        multi_table_when_clauses,
        multi_table_else_clause,
    } = insert;
    if !*into {
        return Err(syntax("syntax error: INSERT requires INTO"));
    }
    let overriding = overriding.as_ref().map(|o| match o {
        sp::InsertOverriding::System => ast::Overriding::System,
        sp::InsertOverriding::User => ast::Overriding::User,
    });
    if !optimizer_hints.is_empty()
        || or.is_some()
        || *ignore
        || *by_name
        || *overwrite
        || !set_assignments.is_empty()
        || partitioned.is_some()
        || !after_columns.is_empty()
        || *has_table_keyword
        || output.is_some()
        || *replace_into
        || priority.is_some()
        || insert_alias.is_some()
        || settings.is_some()
        || format_clause.is_some()
        || multi_table_insert_type.is_some()
        || !multi_table_into_clauses.is_empty()
        || !multi_table_when_clauses.is_empty()
        || multi_table_else_clause.is_some()
    {
        return Err(unsupported("this form of INSERT", INSERTS));
    }
    let table = match table {
        sp::TableObject::TableName(name) => table_name(name)?,
        _ => return Err(unsupported("inserting into a table function", INSERTS)),
    };
    let columns: Vec<String> = columns.iter().map(column_name).collect::<Result<_>>()?;
    let (rows, select) = match source.as_ref().map(|s| (s, s.body.as_ref())) {
        // `DEFAULT VALUES`: one row of defaults.
        None if columns.is_empty() => (vec![Vec::new()], None),
        None => return Err(syntax("syntax error at or near \"DEFAULT\"")),
        Some((source, sp::SetExpr::Select(_))) => (Vec::new(), Some(Box::new(subquery(source)?))),
        Some((source, _)) => (insert_rows(source)?, None),
    };
    let width = match &select {
        Some(s) => s.items.len(),
        None => rows.first().map_or(0, Vec::len),
    };
    if rows.iter().any(|r| r.len() != width) {
        return Err(syntax("VALUES lists must all be the same length"));
    }
    if !columns.is_empty() && width > columns.len() {
        return Err(syntax("INSERT has more expressions than target columns"));
    }
    if !columns.is_empty() && width < columns.len() {
        return Err(syntax("INSERT has more target columns than expressions"));
    }
    let on_conflict = match on {
        None => None,
        Some(sp::OnInsert::OnConflict(sp::OnConflict {
            conflict_target,
            action,
        })) => {
            let mut constraint = None;
            let target = match conflict_target {
                None => Vec::new(),
                Some(sp::ConflictTarget::Columns {
                    columns,
                    predicate: None,
                }) => idents(columns)?,
                Some(sp::ConflictTarget::Columns {
                    predicate: Some(_), ..
                }) => {
                    return Err(unsupported(
                        "`ON CONFLICT (columns) WHERE ...` (a partial index's predicate)",
                        INSERTS,
                    ));
                }
                Some(sp::ConflictTarget::OnConstraint(name)) => {
                    let mut parts = name_parts(name)?;
                    if parts.len() != 1 {
                        return Err(syntax(format!(
                            "syntax error at or near \"{}\"",
                            shown(name)
                        )));
                    }
                    constraint = Some(parts.remove(0));
                    Vec::new()
                }
            };
            let action = match action {
                sp::OnConflictAction::DoNothing => ast::ConflictAction::Nothing,
                sp::OnConflictAction::DoUpdate(sp::DoUpdate {
                    assignments: list,
                    selection,
                }) => {
                    if target.is_empty() && constraint.is_none() {
                        return Err(syntax(
                            "ON CONFLICT DO UPDATE requires inference specification or \
                             constraint name",
                        ));
                    }
                    ast::ConflictAction::Update {
                        assignments: assignments(list, INSERTS)?,
                        filter: selection.as_ref().map(expr).transpose()?,
                    }
                }
            };
            Some(ast::OnConflict {
                target,
                constraint,
                action,
            })
        }
        Some(sp::OnInsert::DuplicateKeyUpdate(_)) => {
            return Err(unsupported("`ON DUPLICATE KEY UPDATE`", INSERTS));
        }
        Some(_) => return Err(unsupported("this ON clause", INSERTS)),
    };
    let mut insert = ast::Insert {
        table,
        columns,
        rows,
        select,
        on_conflict,
        returning: returning(returning_items)?,
        overriding,
    };
    if let Some(sp::TableAliasWithoutColumns { explicit: _, alias }) = table_alias {
        unalias_insert(&mut insert, &ident(alias)?)?;
    }
    Ok(insert)
}

/// `INSERT INTO t AS a`: the alias is the only name of `t` in ON CONFLICT
/// and RETURNING, as in PostgreSQL; the ast names the table itself, so `a.x`
/// becomes `t.x`, and `t.x` is PostgreSQL's error.
fn unalias_insert(insert: &mut ast::Insert, alias: &str) -> Result<()> {
    fn rename(qualifier: &mut Option<String>, alias: &str, table: &str) -> Result<()> {
        match qualifier {
            Some(q) if q == alias => *q = table.to_string(),
            Some(q) if q == table => {
                return Err(SqlError {
                    code: "42P01",
                    message: format!(
                        "invalid reference to FROM-clause entry for table \"{table}\" \
                         (the statement calls it \"{alias}\")"
                    ),
                });
            }
            _ => {}
        }
        Ok(())
    }
    fn walk(e: &mut ast::Expr, alias: &str, table: &str) -> Result<()> {
        if let ast::Expr::Column { qualifier, .. } = e {
            rename(qualifier, alias, table)?;
        }
        for child in e.children_mut() {
            walk(child, alias, table)?;
        }
        Ok(())
    }
    let table = insert.table.clone();
    if alias == table {
        return Ok(());
    }
    if alias == "excluded" {
        return Err(unsupported(
            "the alias `excluded` for an INSERT's table",
            "ON CONFLICT calls the proposed row excluded",
        ));
    }
    for row in &mut insert.rows {
        for e in row {
            walk(e, alias, &table)?;
        }
    }
    if let Some(ast::OnConflict {
        action: ast::ConflictAction::Update {
            assignments,
            filter,
        },
        ..
    }) = &mut insert.on_conflict
    {
        for a in assignments {
            walk(&mut a.value, alias, &table)?;
        }
        if let Some(f) = filter {
            walk(f, alias, &table)?;
        }
    }
    for item in &mut insert.returning {
        match item {
            ast::SelectItem::Expr { expr, .. } => walk(expr, alias, &table)?,
            ast::SelectItem::Wildcard { qualifier } => rename(qualifier, alias, &table)?,
        }
    }
    Ok(())
}

/// The rows of `VALUES (...), ...`: an INSERT's source must be exactly that.
fn insert_rows(source: &sp::Query) -> Result<Vec<Vec<ast::Expr>>> {
    let sp::Query {
        with,
        body,
        order_by,
        limit_clause,
        fetch,
        locks,
        for_clause,
        settings,
        format_clause,
        pipe_operators,
    } = source;
    let values = match body.as_ref() {
        sp::SetExpr::Values(values) => values,
        sp::SetExpr::Query(_) | sp::SetExpr::SetOperation { .. } => {
            return Err(unsupported(
                "this `INSERT ... SELECT` (a parenthesized or combined query)",
                INSERTS,
            ));
        }
        _ => return Err(unsupported("this INSERT source", INSERTS)),
    };
    if with.is_some()
        || order_by.is_some()
        || limit_clause.is_some()
        || fetch.is_some()
        || !locks.is_empty()
        || for_clause.is_some()
        || settings.is_some()
        || format_clause.is_some()
        || !pipe_operators.is_empty()
    {
        return Err(unsupported(
            "clauses on an INSERT's VALUES (WITH, ORDER BY, LIMIT...)",
            INSERTS,
        ));
    }
    let sp::Values {
        explicit_row,
        value_keyword,
        rows,
    } = values;
    if *explicit_row {
        return Err(unsupported("`VALUES ROW(...)`", INSERTS));
    }
    if *value_keyword {
        return Err(syntax("syntax error at or near \"VALUE\""));
    }
    rows.iter()
        .map(|row| {
            row.content
                .iter()
                .map(|e| match e {
                    sp::Expr::Identifier(id)
                        if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default") =>
                    {
                        Ok(ast::Expr::Default)
                    }
                    other => expr(other),
                })
                .collect()
        })
        .collect()
}

/// A single table named in UPDATE or DELETE.
fn target_table(table: &sp::TableWithJoins, what: &str) -> Result<ast::TableRef> {
    if !table.joins.is_empty() {
        return Err(unsupported("joins in the target of UPDATE or DELETE", what));
    }
    table_factor(&table.relation, what)
}

fn update_(update: &sp::Update) -> Result<ast::Update> {
    let sp::Update {
        update_token: _,
        optimizer_hints,
        table,
        on_cluster,
        assignments: list,
        from,
        selection,
        returning: returning_items,
        output,
        or,
        order_by,
        limit,
        settings,
    } = update;
    let from = match from {
        None => None,
        Some(sp::UpdateTableFromKind::AfterSet(tables)) => Some(tables),
        Some(sp::UpdateTableFromKind::BeforeSet(_)) => {
            return Err(syntax("syntax error at or near \"FROM\""));
        }
    };
    if !order_by.is_empty() || limit.is_some() {
        return Err(unsupported("`ORDER BY` and `LIMIT` in UPDATE", UPDATES));
    }
    if !optimizer_hints.is_empty()
        || on_cluster.is_some()
        || output.is_some()
        || or.is_some()
        || settings.is_some()
    {
        return Err(unsupported("this form of UPDATE", UPDATES));
    }
    let mut update = ast::Update {
        table: target_table(table, UPDATES)?,
        assignments: assignments(list, UPDATES)?,
        filter: selection.as_ref().map(expr).transpose()?,
        returning: returning(returning_items)?,
        joined: Vec::new(),
    };
    if let Some(tables) = from {
        let joined = joined_tables(tables, update.filter.take())?;
        update.joined = joined.tables();
        joined.check_returning(&update.returning, "UPDATE ... FROM")?;
        for a in &mut update.assignments {
            a.value = joined.value(std::mem::replace(&mut a.value, ast::Expr::Default));
        }
        update.filter = Some(joined.exists());
    }
    Ok(update)
}

fn delete_(delete: &sp::Delete) -> Result<ast::Delete> {
    let sp::Delete {
        delete_token: _,
        optimizer_hints,
        tables,
        from,
        on_cluster,
        using,
        selection,
        returning: returning_items,
        output,
        order_by,
        limit,
        settings,
    } = delete;
    if !order_by.is_empty() || limit.is_some() {
        return Err(unsupported("`ORDER BY` and `LIMIT` in DELETE", DELETES));
    }
    if !optimizer_hints.is_empty()
        || !tables.is_empty()
        || on_cluster.is_some()
        || output.is_some()
        || settings.is_some()
    {
        return Err(unsupported("this form of DELETE", DELETES));
    }
    let table = match from {
        sp::FromTable::WithFromKeyword(tables) if tables.len() == 1 => &tables[0],
        sp::FromTable::WithFromKeyword(_) => {
            return Err(unsupported("deleting from several tables", DELETES));
        }
        sp::FromTable::WithoutKeyword(_) => {
            return Err(syntax("syntax error: DELETE requires FROM"));
        }
    };
    let mut delete = ast::Delete {
        table: target_table(table, DELETES)?,
        filter: selection.as_ref().map(expr).transpose()?,
        returning: returning(returning_items)?,
        joined: Vec::new(),
    };
    if let Some(tables) = using {
        let joined = joined_tables(tables, delete.filter.take())?;
        delete.joined = joined.tables();
        joined.check_returning(&delete.returning, "DELETE ... USING")?;
        delete.filter = Some(joined.exists());
    }
    Ok(delete)
}

// ---------------------------------------------------------------- SELECT

fn table_factor(factor: &sp::TableFactor, what: &str) -> Result<ast::TableRef> {
    match factor {
        sp::TableFactor::Table {
            name,
            alias,
            args,
            with_hints,
            version,
            with_ordinality,
            partitions,
            json_path,
            sample,
            index_directives,
            // `ONLY t` and `t *` name the table itself: there is no inheritance.
            inheritance: _,
        } => {
            if args.is_some() {
                return Err(unsupported("table functions", what));
            }
            if sample.is_some() {
                return Err(unsupported("`TABLESAMPLE`", what));
            }
            if !with_hints.is_empty()
                || version.is_some()
                || *with_ordinality
                || !partitions.is_empty()
                || json_path.is_some()
                || !index_directives.is_empty()
            {
                return Err(unsupported(
                    format!("the table reference `{}`", shown(factor)),
                    what,
                ));
            }
            let table = table_name(name)?;
            let alias = match alias {
                None => table.clone(),
                Some(sp::TableAlias {
                    explicit: _,
                    name,
                    columns,
                    at,
                }) => {
                    if !columns.is_empty() || at.is_some() {
                        return Err(unsupported("column aliases on a table", what));
                    }
                    ident(name)?
                }
            };
            Ok(ast::TableRef { table, alias })
        }
        sp::TableFactor::Derived { lateral: true, .. }
        | sp::TableFactor::Function { lateral: true, .. } => Err(unsupported("`LATERAL`", what)),
        sp::TableFactor::Derived { .. } => Err(unsupported("subqueries in FROM", what)),
        sp::TableFactor::NestedJoin { .. } => Err(unsupported("parenthesised joins", what)),
        other => Err(unsupported(
            format!("the table reference `{}`", shown(other)),
            what,
        )),
    }
}

fn select_query(query: &sp::Query, key_locks: &mut KeyLocks) -> Result<ast::Select> {
    let sp::Query {
        with,
        body,
        order_by,
        limit_clause,
        fetch,
        locks,
        for_clause,
        settings,
        format_clause,
        pipe_operators,
    } = query;
    if with.is_some() {
        return Err(unsupported("`WITH` (common table expressions)", SELECTS));
    }
    let select = match body.as_ref() {
        sp::SetExpr::Select(select) => select,
        sp::SetExpr::SetOperation { op, .. } => {
            return Err(unsupported(format!("`{op}`"), SELECTS));
        }
        sp::SetExpr::Values(_) => return Err(unsupported("a bare `VALUES` query", SELECTS)),
        sp::SetExpr::Query(_) => return Err(unsupported("a parenthesised query", SELECTS)),
        sp::SetExpr::Table(_) => return Err(unsupported("`TABLE name`", SELECTS)),
        _ => return Err(unsupported("this query", SELECTS)),
    };
    if fetch.is_some() {
        return Err(unsupported("`FETCH FIRST ... ROWS`", SELECTS));
    }
    if for_clause.is_some()
        || settings.is_some()
        || format_clause.is_some()
        || !pipe_operators.is_empty()
    {
        return Err(unsupported("this query clause", SELECTS));
    }
    let mut out = select_(select)?;
    if let Some(sp::OrderBy { kind, interpolate }) = order_by {
        if interpolate.is_some() {
            return Err(unsupported("`INTERPOLATE`", SELECTS));
        }
        match kind {
            sp::OrderByKind::Expressions(list) => {
                out.order_by = list.iter().map(order_by_expr).collect::<Result<_>>()?;
            }
            sp::OrderByKind::All(_) => return Err(unsupported("`ORDER BY ALL`", SELECTS)),
        }
    }
    match limit_clause {
        None => {}
        Some(sp::LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) => {
            if !limit_by.is_empty() {
                return Err(unsupported("`LIMIT ... BY`", SELECTS));
            }
            out.limit = limit.as_ref().map(expr).transpose()?;
            // `OFFSET n ROW(S)` means the same as `OFFSET n`.
            out.offset = offset.as_ref().map(|o| expr(&o.value)).transpose()?;
        }
        Some(sp::LimitClause::OffsetCommaLimit { .. }) => {
            return Err(syntax("LIMIT #,# syntax is not supported"));
        }
    }
    match locks.as_slice() {
        [] => {}
        [lock] => out.locking = Some(locking(lock, &out, key_locks)?),
        _ => {
            return Err(unsupported(
                "several locking clauses",
                "a SELECT takes one FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE clause",
            ));
        }
    }
    if let Some(l) = &out.locking {
        let clause = lock_clause_name(l.strength);
        // A table after a LEFT JOIN may be missing from a row (and so may
        // the tables joined to it): it has no row to lock.
        let first_nullable = out.joins.iter().position(|j| j.left);
        let nullable = out
            .joins
            .iter()
            .skip(first_nullable.unwrap_or(out.joins.len()))
            .any(|j| l.of.as_ref().is_none_or(|of| *of == j.table.alias));
        if nullable {
            return Err(SqlError::new(
                "0A000",
                format!("{clause} cannot be applied to the nullable side of an outer join"),
            ));
        }
        if !out.group_by.is_empty() {
            return Err(unsupported(
                format!("{clause} with GROUP BY clause"),
                "a locking read reads rows of a table",
            ));
        }
        if out.items.iter().any(|item| match item {
            ast::SelectItem::Expr { expr, .. } => super::eval::has_aggregate(expr),
            ast::SelectItem::Wildcard { .. } => false,
        }) {
            return Err(unsupported(
                format!("{clause} with aggregate functions"),
                "a locking read reads rows of a table",
            ));
        }
    }
    Ok(out)
}

fn lock_clause_name(strength: ast::LockStrength) -> &'static str {
    match strength {
        ast::LockStrength::KeyShare => "FOR KEY SHARE",
        ast::LockStrength::Share => "FOR SHARE",
        ast::LockStrength::NoKeyUpdate => "FOR NO KEY UPDATE",
        ast::LockStrength::Update => "FOR UPDATE",
    }
}

fn locking(
    lock: &sp::LockClause,
    select: &ast::Select,
    key_locks: &mut KeyLocks,
) -> Result<ast::Locking> {
    let sp::LockClause {
        lock_type,
        of,
        nonblock,
    } = lock;
    let mut strength = match lock_type {
        sp::LockType::Update => ast::LockStrength::Update,
        sp::LockType::Share => ast::LockStrength::Share,
    };
    if let Some(&key) = key_locks.strengths.get(key_locks.used) {
        let matches = matches!(
            (key, strength),
            (ast::LockStrength::NoKeyUpdate, ast::LockStrength::Update)
                | (ast::LockStrength::KeyShare, ast::LockStrength::Share)
        );
        if matches {
            key_locks.used += 1;
            strength = key;
        }
    }
    let of = match of {
        None => None,
        Some(of) => {
            let name = table_name(of)?;
            if !select.tables().any(|t| t.alias == name) {
                return Err(SqlError::new(
                    "42P01",
                    format!(
                        "relation \"{name}\" in {} clause not found in FROM clause",
                        lock_clause_name(strength)
                    ),
                ));
            }
            Some(name)
        }
    };
    let wait = match nonblock {
        None => ast::LockWait::Wait,
        Some(sp::NonBlock::Nowait) => ast::LockWait::NoWait,
        Some(sp::NonBlock::SkipLocked) => ast::LockWait::SkipLocked,
    };
    Ok(ast::Locking { strength, wait, of })
}

fn order_by_expr(o: &sp::OrderByExpr) -> Result<ast::OrderBy> {
    let sp::OrderByExpr {
        expr: e,
        options: sp::OrderByOptions { sort, nulls_first },
        with_fill,
    } = o;
    if with_fill.is_some() {
        return Err(unsupported("`WITH FILL`", SELECTS));
    }
    let descending = match sort {
        None | Some(sp::OrderBySort::Asc) => false,
        Some(sp::OrderBySort::Desc) => true,
        Some(sp::OrderBySort::Using(_)) => {
            return Err(unsupported("`ORDER BY ... USING operator`", SELECTS));
        }
    };
    Ok(ast::OrderBy {
        expr: expr(e)?,
        descending,
        nulls_first: *nulls_first,
    })
}

fn select_(select: &sp::Select) -> Result<ast::Select> {
    let sp::Select {
        select_token: _,
        optimizer_hints,
        distinct,
        select_modifiers,
        top,
        top_before_distinct: _,
        projection,
        exclude,
        into,
        from,
        lateral_views,
        prewhere,
        selection,
        connect_by,
        group_by,
        cluster_by,
        distribute_by,
        sort_by,
        having,
        named_window,
        qualify,
        window_before_qualify: _,
        value_table_mode,
        flavor,
    } = select;
    let distinct = match distinct {
        None | Some(sp::Distinct::All) => false,
        Some(sp::Distinct::Distinct) => true,
        Some(sp::Distinct::On(_)) => return Err(unsupported("`DISTINCT ON`", SELECTS)),
    };
    if into.is_some() {
        return Err(unsupported("`SELECT ... INTO`", SELECTS));
    }
    if !named_window.is_empty() {
        return Err(unsupported("`WINDOW`", SELECTS));
    }
    if !lateral_views.is_empty() {
        return Err(unsupported("`LATERAL VIEW`", SELECTS));
    }
    if !optimizer_hints.is_empty()
        || select_modifiers.is_some()
        || top.is_some()
        || exclude.is_some()
        || prewhere.is_some()
        || !connect_by.is_empty()
        || !cluster_by.is_empty()
        || !distribute_by.is_empty()
        || !sort_by.is_empty()
        || qualify.is_some()
        || value_table_mode.is_some()
        || *flavor != sp::SelectFlavor::Standard
    {
        return Err(unsupported("this SELECT clause", SELECTS));
    }
    let group_by = match group_by {
        sp::GroupByExpr::All(_) => return Err(unsupported("`GROUP BY ALL`", SELECTS)),
        sp::GroupByExpr::Expressions(exprs, modifiers) => {
            if !modifiers.is_empty() {
                return Err(unsupported("`GROUP BY ... WITH` modifiers", SELECTS));
            }
            exprs.iter().map(expr).collect::<Result<Vec<_>>>()?
        }
    };
    let (from, joins) = from_list(from)?;
    let items: Vec<ast::SelectItem> = projection.iter().map(select_item).collect::<Result<_>>()?;
    let group_by = group_by
        .into_iter()
        .map(|g| group_by_position(g, &items))
        .collect::<Result<Vec<_>>>()?;
    Ok(ast::Select {
        items,
        from,
        joins,
        filter: selection.as_ref().map(expr).transpose()?,
        group_by,
        having: having.as_ref().map(expr).transpose()?,
        distinct,
        order_by: Vec::new(),
        limit: None,
        offset: None,
        locking: None,
        shares_scope: false,
    })
}

/// `FROM a JOIN x ON .., b`: the first table, then each join. Each table
/// after the first is an inner join on `true` (a cross product), followed
/// by its own joins, which can name only it and its joined tables.
fn from_list(from: &[sp::TableWithJoins]) -> Result<(Option<ast::TableRef>, Vec<ast::Join>)> {
    let Some((sp::TableWithJoins { relation, joins }, rest)) = from.split_first() else {
        return Ok((None, Vec::new()));
    };
    let first = table_factor(relation, SELECTS)?;
    let mut all = joins.iter().map(join).collect::<Result<Vec<_>>>()?;
    for item in rest {
        all.push(ast::Join {
            table: table_factor(&item.relation, SELECTS)?,
            on: ast::Expr::Literal(ast::Literal::Bool(true)),
            left: false,
        });
        for j in &item.joins {
            all.push(join(j)?);
        }
    }
    Ok((Some(first), all))
}

/// `UPDATE t SET ... FROM f WHERE c` and `DELETE FROM t USING f WHERE c`
/// read as correlated subqueries over the other tables: the target's rows
/// are those for which `EXISTS (SELECT 1 FROM f WHERE c)`, and each `SET`
/// value is `(SELECT value FROM f WHERE c LIMIT 1)`, the first joined row
/// (PostgreSQL takes one joined row too, which one unspecified). `RETURNING`
/// then names the target's columns only, so a `*` or another table's name
/// in it is refused rather than answered without those columns.
struct JoinedTables {
    from: Option<ast::TableRef>,
    joins: Vec<ast::Join>,
    filter: Option<ast::Expr>,
}

impl JoinedTables {
    fn query(&self, item: ast::Expr, limit: Option<ast::Expr>) -> ast::Expr {
        let kind = match limit {
            Some(_) => ast::SubqueryKind::Scalar,
            None => ast::SubqueryKind::Exists { negated: false },
        };
        let select = ast::Select {
            items: vec![ast::SelectItem::Expr {
                expr: item,
                alias: None,
            }],
            from: self.from.clone(),
            joins: self.joins.clone(),
            filter: self.filter.clone(),
            group_by: Vec::new(),
            having: None,
            distinct: false,
            order_by: Vec::new(),
            limit,
            offset: None,
            locking: None,
            shares_scope: true,
        };
        ast::Expr::Subquery {
            kind,
            select: Box::new(select),
        }
    }

    /// The target rows' condition.
    fn exists(&self) -> ast::Expr {
        self.query(ast::Expr::Literal(ast::Literal::Number("1".into())), None)
    }

    /// A `SET` value from the first joined row.
    fn value(&self, e: ast::Expr) -> ast::Expr {
        match e {
            ast::Expr::Default => ast::Expr::Default,
            e => self.query(
                e,
                Some(ast::Expr::Literal(ast::Literal::Number("1".into()))),
            ),
        }
    }

    fn tables(&self) -> Vec<ast::TableRef> {
        self.from
            .iter()
            .chain(self.joins.iter().map(|j| &j.table))
            .cloned()
            .collect()
    }

    /// Refuses `RETURNING` items that would need the other tables' columns.
    fn check_returning(&self, items: &[ast::SelectItem], what: &str) -> Result<()> {
        let others: Vec<&str> = self
            .from
            .iter()
            .chain(self.joins.iter().map(|j| &j.table))
            .map(|t| t.alias.as_str())
            .collect();
        for item in items {
            let names_other = match item {
                ast::SelectItem::Wildcard { qualifier: None } => true,
                ast::SelectItem::Wildcard { qualifier: Some(q) } => others.contains(&q.as_str()),
                ast::SelectItem::Expr { expr, .. } => names_qualifier(expr, &others),
            };
            if names_other {
                return Err(unsupported(
                    format!("`RETURNING` with the columns of the tables of {what}"),
                    "RETURNING names the target table's columns",
                ));
            }
        }
        Ok(())
    }
}

/// Whether an expression names a column qualified by one of `aliases`.
fn names_qualifier(e: &ast::Expr, aliases: &[&str]) -> bool {
    matches!(e, ast::Expr::Column { qualifier: Some(q), .. } if aliases.contains(&q.as_str()))
        || e.children()
            .into_iter()
            .any(|c| names_qualifier(c, aliases))
}

/// Rewrites an `UPDATE ... FROM` or `DELETE ... USING` (see [`JoinedTables`]).
fn joined_tables(tables: &[sp::TableWithJoins], filter: Option<ast::Expr>) -> Result<JoinedTables> {
    let (from, joins) = from_list(tables)?;
    Ok(JoinedTables {
        from,
        joins,
        filter,
    })
}

/// `GROUP BY 2`: the second output item's expression, as PostgreSQL reads
/// a plain integer there (42P10 when there is no such item).
fn group_by_position(g: ast::Expr, items: &[ast::SelectItem]) -> Result<ast::Expr> {
    let ast::Expr::Literal(ast::Literal::Number(n)) = &g else {
        return Ok(g);
    };
    let Ok(position) = n.parse::<usize>() else {
        return Ok(g);
    };
    match position.checked_sub(1).and_then(|i| items.get(i)) {
        Some(ast::SelectItem::Expr { expr, .. }) => Ok(expr.clone()),
        Some(ast::SelectItem::Wildcard { .. }) => Err(unsupported(
            format!("`GROUP BY {position}` naming a `*` item"),
            SELECTS,
        )),
        None => Err(SqlError::new(
            "42P10",
            format!("GROUP BY position {position} is not in select list"),
        )),
    }
}

/// `coalesce(x, when_null) = truth`: how `IS [NOT] TRUE | FALSE` reads.
fn is_truth(x: ast::Expr, when_null: bool, truth: bool) -> ast::Expr {
    let coalesced = ast::Expr::Function {
        name: ast::Function::Coalesce,
        args: vec![x, ast::Expr::Literal(ast::Literal::Bool(when_null))],
        star: false,
        distinct: false,
    };
    ast::Expr::Binary {
        op: ast::BinaryOp::Eq,
        left: Box::new(coalesced),
        right: Box::new(ast::Expr::Literal(ast::Literal::Bool(truth))),
    }
}

fn join(j: &sp::Join) -> Result<ast::Join> {
    let sp::Join {
        relation,
        global,
        join_operator,
    } = j;
    if *global {
        return Err(unsupported("`GLOBAL JOIN`", SELECTS));
    }
    let (constraint, left) = match join_operator {
        sp::JoinOperator::Join(c) | sp::JoinOperator::Inner(c) => (c, false),
        sp::JoinOperator::Left(c) | sp::JoinOperator::LeftOuter(c) => (c, true),
        sp::JoinOperator::Right(_) | sp::JoinOperator::RightOuter(_) => {
            return Err(unsupported("`RIGHT JOIN`", SELECTS));
        }
        sp::JoinOperator::FullOuter(_) => return Err(unsupported("`FULL JOIN`", SELECTS)),
        sp::JoinOperator::CrossJoin(_) => return Err(unsupported("`CROSS JOIN`", SELECTS)),
        _ => return Err(unsupported("this kind of join", SELECTS)),
    };
    let on = match constraint {
        sp::JoinConstraint::On(e) => expr(e)?,
        sp::JoinConstraint::Using(_) | sp::JoinConstraint::UsingAlias(..) => {
            return Err(unsupported("`JOIN ... USING`", SELECTS));
        }
        sp::JoinConstraint::Natural => return Err(unsupported("`NATURAL JOIN`", SELECTS)),
        sp::JoinConstraint::None => {
            return Err(syntax("syntax error: JOIN requires an ON condition"));
        }
    };
    Ok(ast::Join {
        table: table_factor(relation, SELECTS)?,
        on,
        left,
    })
}

fn wildcard_options(options: &sp::WildcardAdditionalOptions) -> Result<()> {
    let sp::WildcardAdditionalOptions {
        wildcard_token: _,
        opt_ilike,
        opt_exclude,
        opt_except,
        opt_replace,
        opt_rename,
        opt_alias,
    } = options;
    if opt_ilike.is_some()
        || opt_exclude.is_some()
        || opt_except.is_some()
        || opt_replace.is_some()
        || opt_rename.is_some()
        || opt_alias.is_some()
    {
        return Err(unsupported(
            format!("`{options}` after *"),
            "a select item is expr [AS alias], * or t.*",
        ));
    }
    Ok(())
}

fn select_item(item: &sp::SelectItem) -> Result<ast::SelectItem> {
    Ok(match item {
        sp::SelectItem::UnnamedExpr(e) => ast::SelectItem::Expr {
            expr: expr(e)?,
            alias: None,
        },
        sp::SelectItem::ExprWithAlias { expr: e, alias } => ast::SelectItem::Expr {
            expr: expr(e)?,
            alias: Some(ident(alias)?),
        },
        sp::SelectItem::Wildcard(options) => {
            wildcard_options(options)?;
            ast::SelectItem::Wildcard { qualifier: None }
        }
        sp::SelectItem::QualifiedWildcard(
            sp::SelectItemQualifiedWildcardKind::ObjectName(name),
            options,
        ) => {
            wildcard_options(options)?;
            ast::SelectItem::Wildcard {
                qualifier: Some(table_name(name)?),
            }
        }
        other => {
            return Err(unsupported(
                format!("the select item `{}`", shown(other)),
                "a select item is expr [AS alias], * or t.*",
            ));
        }
    })
}

// ---------------------------------------------------------------- expressions

fn boxed(e: &sp::Expr) -> Result<Box<ast::Expr>> {
    Ok(Box::new(expr(e)?))
}

fn number(text: &str, long: bool) -> Result<ast::Expr> {
    if long {
        return Err(unsupported(format!("the literal `{text}L`"), EXPRESSIONS));
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return Err(unsupported(
            format!("the number `{text}`"),
            "numbers are written in decimal digits, with an optional fraction and exponent",
        ));
    }
    Ok(ast::Expr::Literal(ast::Literal::Number(text.to_string())))
}

fn value(v: &sp::ValueWithSpan) -> Result<ast::Expr> {
    use ast::Literal as L;
    use sp::Value as V;
    let text = |s: &String| Ok(ast::Expr::Literal(L::Text(s.clone())));
    match &v.value {
        V::Number(n, long) => number(n, *long),
        V::SingleQuotedString(s) | V::EscapedStringLiteral(s) | V::UnicodeStringLiteral(s) => {
            text(s)
        }
        V::DollarQuotedString(s) => text(&s.value),
        V::Boolean(b) => Ok(ast::Expr::Literal(L::Bool(*b))),
        V::Null => Ok(ast::Expr::Literal(L::Null)),
        V::Placeholder(p) => match p.strip_prefix('$').map(str::parse::<usize>) {
            Some(Ok(n)) if n >= 1 => Ok(ast::Expr::Param(n)),
            Some(Ok(_)) => Err(SqlError {
                code: "42P02",
                message: "there is no parameter $0".into(),
            }),
            _ => Err(unsupported(
                format!("the placeholder `{p}`"),
                "parameters are $1, $2, ...",
            )),
        },
        other => Err(unsupported(format!("the literal `{other}`"), EXPRESSIONS)),
    }
}

fn binary_op(op: &sp::BinaryOperator) -> Result<ast::BinaryOp> {
    use ast::BinaryOp as B;
    use sp::BinaryOperator as O;
    Ok(match op {
        O::Eq => B::Eq,
        O::NotEq => B::NotEq,
        O::Lt => B::Lt,
        O::LtEq => B::LtEq,
        O::Gt => B::Gt,
        O::GtEq => B::GtEq,
        O::And => B::And,
        O::Or => B::Or,
        O::Plus => B::Plus,
        O::Minus => B::Minus,
        O::Multiply => B::Multiply,
        O::Divide => B::Divide,
        O::Modulo => B::Modulo,
        O::StringConcat => B::Concat,
        O::Arrow => B::JsonGet,
        O::LongArrow => B::JsonGetText,
        O::AtArrow => B::JsonContains,
        O::ArrowAt => B::JsonContainedBy,
        O::Question => B::JsonHasKey,
        other => return Err(unsupported(format!("the operator `{other}`"), EXPRESSIONS)),
    })
}

/// Whether an expression calls a volatile function (which a rewrite may not
/// evaluate twice).
fn is_volatile(e: &ast::Expr) -> bool {
    matches!(
        e,
        ast::Expr::Function {
            name: ast::Function::ClockTimestamp | ast::Function::GenRandomUuid,
            ..
        }
    ) || e.children().into_iter().any(is_volatile)
}

/// Translates an expression. The cases that recurse along operator chains
/// are kept here, in a small stack frame; everything else is in
/// [`expr_other`], so that the deepest accepted chains need little stack
/// even in unoptimised builds.
fn expr(e: &sp::Expr) -> Result<ast::Expr> {
    use sp::Expr as X;
    Ok(match e {
        X::Nested(inner) => expr(inner)?,
        X::BinaryOp { left, op, right } => ast::Expr::Binary {
            op: binary_op(op)?,
            left: boxed(left)?,
            right: boxed(right)?,
        },
        X::IsNull(inner) => ast::Expr::IsNull {
            expr: boxed(inner)?,
            negated: false,
        },
        X::IsNotNull(inner) => ast::Expr::IsNull {
            expr: boxed(inner)?,
            negated: true,
        },
        X::UnaryOp {
            op: sp::UnaryOperator::Not,
            expr: inner,
        } => ast::Expr::Not(boxed(inner)?),
        X::Cast {
            kind: sp::CastKind::Cast | sp::CastKind::DoubleColon,
            expr: inner,
            data_type: ty,
            format: None,
        } => ast::Expr::Cast {
            expr: boxed(inner)?,
            ty: data_type(ty, false)?.0,
        },
        _ => expr_other(e)?,
    })
}

#[inline(never)]
fn expr_other(e: &sp::Expr) -> Result<ast::Expr> {
    use sp::Expr as X;
    Ok(match e {
        X::Identifier(id) => {
            if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default") {
                return Err(syntax("DEFAULT is not allowed in this context"));
            }
            // PostgreSQL reads these reserved words as functions, not columns.
            const FUNCTION_KEYWORDS: [&str; 12] = [
                "current_catalog",
                "current_date",
                "current_role",
                "current_schema",
                "current_time",
                "current_timestamp",
                "current_user",
                "localtime",
                "localtimestamp",
                "session_user",
                "system_user",
                "user",
            ];
            let name = ident(id)?;
            if id.quote_style.is_none() && FUNCTION_KEYWORDS.contains(&name.as_str()) {
                return Err(unsupported(format!("the function `{name}`"), EXPRESSIONS));
            }
            ast::Expr::Column {
                qualifier: None,
                name,
            }
        }
        X::CompoundIdentifier(parts) => match parts.as_slice() {
            [table, column] => ast::Expr::Column {
                qualifier: Some(ident(table)?),
                name: ident(column)?,
            },
            _ => {
                return Err(unsupported(
                    format!("the column reference `{}`", shown(e)),
                    "columns are written column or table.column",
                ));
            }
        },
        X::Value(v) => value(v)?,
        X::Nested(inner) => expr(inner)?,
        X::BinaryOp { left, op, right } => ast::Expr::Binary {
            op: binary_op(op)?,
            left: boxed(left)?,
            right: boxed(right)?,
        },
        X::UnaryOp { op, expr: inner } => match op {
            sp::UnaryOperator::Not => ast::Expr::Not(boxed(inner)?),
            sp::UnaryOperator::Minus => match inner.as_ref() {
                X::Value(sp::ValueWithSpan {
                    value: sp::Value::Number(n, long),
                    ..
                }) => number(&format!("-{n}"), *long)?,
                _ => ast::Expr::Negate(boxed(inner)?),
            },
            sp::UnaryOperator::Plus => match inner.as_ref() {
                X::Value(sp::ValueWithSpan {
                    value: sp::Value::Number(n, long),
                    ..
                }) => number(n, *long)?,
                _ => {
                    return Err(unsupported(
                        "unary `+` on anything but a number",
                        EXPRESSIONS,
                    ));
                }
            },
            other => {
                return Err(unsupported(
                    format!("the prefix operator `{other}`"),
                    EXPRESSIONS,
                ));
            }
        },
        X::IsNull(inner) => ast::Expr::IsNull {
            expr: boxed(inner)?,
            negated: false,
        },
        X::IsNotNull(inner) => ast::Expr::IsNull {
            expr: boxed(inner)?,
            negated: true,
        },
        X::In {
            expr: inner,
            target,
            negated,
            global,
        } => {
            if *global {
                return Err(unsupported("`GLOBAL IN`", EXPRESSIONS));
            }
            match target {
                sp::InTarget::List(list) => {
                    if list.is_empty() {
                        return Err(syntax("syntax error at or near \")\" (empty IN list)"));
                    }
                    ast::Expr::InList {
                        expr: boxed(inner)?,
                        list: list.iter().map(expr).collect::<Result<_>>()?,
                        negated: *negated,
                    }
                }
                sp::InTarget::Subquery(query) => ast::Expr::Subquery {
                    kind: ast::SubqueryKind::In {
                        expr: boxed(inner)?,
                        negated: *negated,
                    },
                    select: Box::new(subquery(query)?),
                },
                _ => return Err(unsupported(format!("`{}`", shown(e)), EXPRESSIONS)),
            }
        }
        X::Between {
            expr: inner,
            negated,
            low,
            high,
        } => ast::Expr::Between {
            expr: boxed(inner)?,
            low: boxed(low)?,
            high: boxed(high)?,
            negated: *negated,
        },
        X::Cast {
            kind,
            expr: inner,
            data_type: ty,
            format,
        } => {
            if !matches!(kind, sp::CastKind::Cast | sp::CastKind::DoubleColon) || format.is_some() {
                return Err(unsupported(format!("`{}`", shown(e)), EXPRESSIONS));
            }
            ast::Expr::Cast {
                expr: boxed(inner)?,
                ty: data_type(ty, false)?.0,
            }
        }
        X::TypedString(sp::TypedString {
            data_type: ty,
            value: v,
            uses_odbc_syntax,
        }) => {
            if *uses_odbc_syntax {
                return Err(unsupported(format!("`{}`", shown(e)), EXPRESSIONS));
            }
            // `type 'text'` is a literal of that type: the cast of the string.
            ast::Expr::Cast {
                expr: Box::new(value(v)?),
                ty: data_type(ty, false)?.0,
            }
        }
        X::Case {
            case_token: _,
            end_token: _,
            operand,
            conditions,
            else_result,
        } => {
            let operand = operand.as_deref().map(expr).transpose()?;
            if operand.as_ref().is_some_and(is_volatile) {
                return Err(unsupported(
                    "a simple CASE on a volatile expression",
                    "CASE x WHEN v ... is read as CASE WHEN x = v ...",
                ));
            }
            let branches = conditions
                .iter()
                .map(|sp::CaseWhen { condition, result }| {
                    let condition = expr(condition)?;
                    let condition = match &operand {
                        None => condition,
                        Some(x) => ast::Expr::Binary {
                            op: ast::BinaryOp::Eq,
                            left: Box::new(x.clone()),
                            right: Box::new(condition),
                        },
                    };
                    Ok((condition, expr(result)?))
                })
                .collect::<Result<_>>()?;
            ast::Expr::Case {
                branches,
                otherwise: else_result.as_deref().map(boxed).transpose()?,
            }
        }
        X::Function(f) => function(f)?,
        X::Subquery(query) => ast::Expr::Subquery {
            kind: ast::SubqueryKind::Scalar,
            select: Box::new(subquery(query)?),
        },
        X::Exists {
            subquery: query,
            negated,
        } => ast::Expr::Subquery {
            kind: ast::SubqueryKind::Exists { negated: *negated },
            select: Box::new(subquery(query)?),
        },
        X::Like {
            negated,
            any,
            expr: inner,
            pattern,
            escape_char,
        }
        | X::ILike {
            negated,
            any,
            expr: inner,
            pattern,
            escape_char,
        } => {
            if *any {
                return Err(unsupported("`LIKE ANY`", EXPRESSIONS));
            }
            ast::Expr::Like {
                expr: boxed(inner)?,
                pattern: boxed(pattern)?,
                escape: escape_char.as_deref().map(boxed).transpose()?,
                negated: *negated,
                case_insensitive: matches!(e, X::ILike { .. }),
            }
        }
        X::SimilarTo { .. } | X::RLike { .. } => {
            return Err(unsupported(
                "`SIMILAR TO` and regular expressions",
                EXPRESSIONS,
            ));
        }
        X::AnyOp { .. } | X::AllOp { .. } => {
            return Err(unsupported("`ANY` and `ALL`", EXPRESSIONS));
        }
        X::Array(_) => return Err(unsupported("arrays", EXPRESSIONS)),
        X::Interval(iv) => interval_literal(iv)?,
        X::IsDistinctFrom(..) | X::IsNotDistinctFrom(..) => {
            return Err(unsupported("`IS [NOT] DISTINCT FROM`", EXPRESSIONS));
        }
        // `x IS [NOT] TRUE | FALSE` never gives NULL: a NULL `x` counts as
        // neither true nor false, so `coalesce(x, default) = truth`.
        X::IsTrue(inner) => is_truth(expr(inner)?, false, true),
        X::IsNotTrue(inner) => is_truth(expr(inner)?, false, false),
        X::IsFalse(inner) => is_truth(expr(inner)?, true, false),
        X::IsNotFalse(inner) => is_truth(expr(inner)?, true, true),
        X::Tuple(_) => return Err(unsupported("row constructors `(a, b)`", EXPRESSIONS)),
        X::AtTimeZone { .. } => return Err(unsupported("`AT TIME ZONE`", EXPRESSIONS)),
        X::Extract { .. } => return Err(unsupported("`EXTRACT`", EXPRESSIONS)),
        X::Collate { .. } => return Err(unsupported("`COLLATE`", EXPRESSIONS)),
        other => {
            return Err(unsupported(
                format!("the expression `{}`", shown(other)),
                EXPRESSIONS,
            ));
        }
    })
}

/// A subquery in an expression: a `SELECT` of its own (its `FOR NO KEY
/// UPDATE` / `FOR KEY SHARE`, if any, is refused by the statement).
fn subquery(query: &sp::Query) -> Result<ast::Select> {
    select_query(
        query,
        &mut KeyLocks {
            strengths: &[],
            used: 0,
        },
    )
}

fn function(f: &sp::Function) -> Result<ast::Expr> {
    use ast::Function as F;
    let sp::Function {
        name,
        uses_odbc_syntax,
        parameters,
        args,
        within_group,
        filter,
        null_treatment,
        over,
    } = f;
    let parts = name_parts(name)?;
    let shown_name = parts.join(".");
    if over.is_some() {
        return Err(unsupported(
            format!("the window function `{shown_name}(...) OVER`"),
            EXPRESSIONS,
        ));
    }
    if filter.is_some() {
        return Err(unsupported("aggregate `FILTER (WHERE ...)`", EXPRESSIONS));
    }
    if !within_group.is_empty() {
        return Err(unsupported("`WITHIN GROUP`", EXPRESSIONS));
    }
    if *uses_odbc_syntax || null_treatment.is_some() || *parameters != sp::FunctionArguments::None {
        return Err(unsupported(format!("`{}`", shown(f)), EXPRESSIONS));
    }
    let unknown = || unsupported(format!("the function `{shown_name}`"), EXPRESSIONS);
    let [fname] = parts.as_slice() else {
        return Err(unknown());
    };
    // `current_timestamp` is written without parentheses, the others with.
    let list = match args {
        sp::FunctionArguments::None => {
            return match fname.as_str() {
                "current_timestamp" => Ok(ast::Expr::Function {
                    name: F::Now,
                    args: Vec::new(),
                    star: false,
                    distinct: false,
                }),
                _ => Err(unknown()),
            };
        }
        sp::FunctionArguments::Subquery(_) => return Err(unsupported("subqueries", EXPRESSIONS)),
        sp::FunctionArguments::List(list) => list,
    };
    let (name, arity): (F, std::ops::RangeInclusive<usize>) = match fname.as_str() {
        "now" | "transaction_timestamp" => (F::Now, 0..=0),
        "clock_timestamp" => (F::ClockTimestamp, 0..=0),
        "gen_random_uuid" => (F::GenRandomUuid, 0..=0),
        "coalesce" => (F::Coalesce, 1..=usize::MAX),
        "nullif" => (F::NullIf, 2..=2),
        "lower" => (F::Lower, 1..=1),
        "upper" => (F::Upper, 1..=1),
        "length" | "char_length" | "character_length" => (F::Length, 1..=1),
        "abs" => (F::Abs, 1..=1),
        "greatest" => (F::Greatest, 1..=usize::MAX),
        "least" => (F::Least, 1..=usize::MAX),
        "count" => (F::Count, 1..=1),
        "sum" => (F::Sum, 1..=1),
        "min" => (F::Min, 1..=1),
        "max" => (F::Max, 1..=1),
        _ => return Err(unknown()),
    };
    let sp::FunctionArgumentList {
        duplicate_treatment,
        args: list_args,
        clauses,
    } = list;
    if !clauses.is_empty() {
        return Err(unsupported(
            format!("clauses in the arguments of `{shown_name}` (ORDER BY, ...)"),
            EXPRESSIONS,
        ));
    }
    let distinct = matches!(duplicate_treatment, Some(sp::DuplicateTreatment::Distinct));
    if duplicate_treatment.is_some() && !name.is_aggregate() {
        return Err(SqlError {
            code: "42809",
            message: format!("DISTINCT specified, but {shown_name} is not an aggregate function"),
        });
    }
    let mut star = false;
    let mut out_args = Vec::new();
    for arg in list_args {
        match arg {
            sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(e)) => out_args.push(expr(e)?),
            sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Wildcard)
                if name == F::Count && list_args.len() == 1 && !distinct =>
            {
                star = true
            }
            sp::FunctionArg::Named { .. } | sp::FunctionArg::ExprNamed { .. } => {
                return Err(unsupported("named function arguments", EXPRESSIONS));
            }
            _ => {
                return Err(syntax(format!(
                    "syntax error in the arguments of {shown_name}"
                )));
            }
        }
    }
    if !star && !arity.contains(&out_args.len()) {
        return Err(SqlError {
            code: "42883",
            message: format!(
                "function {shown_name} with {} arguments does not exist",
                out_args.len()
            ),
        });
    }
    Ok(ast::Expr::Function {
        name,
        args: out_args,
        star,
        distinct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast::{BinaryOp, Expr, Function, Literal, SqlType, Statement, TableConstraint};

    fn one(sql: &str) -> Statement {
        let mut statements = parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        assert_eq!(statements.len(), 1, "{sql}");
        statements.remove(0)
    }

    fn select(sql: &str) -> ast::Select {
        match one(sql) {
            Statement::Select(s) => s,
            other => panic!("{sql}: {other:?}"),
        }
    }

    /// The one item of `SELECT <e>`.
    fn e(text: &str) -> Expr {
        let s = select(&format!("SELECT {text}"));
        match s.items.as_slice() {
            [ast::SelectItem::Expr { expr, alias: None }] => expr.clone(),
            other => panic!("{text}: {other:?}"),
        }
    }

    fn error(sql: &str) -> SqlError {
        match parse(sql) {
            Ok(s) => panic!("{sql} parsed: {s:?}"),
            Err(e) => e,
        }
    }

    fn refused(sql: &str, names: &str) {
        let e = error(sql);
        assert_eq!(e.code, "0A000", "{sql}: {e:?}");
        let message = e.message.to_lowercase();
        assert!(
            message.contains(&names.to_lowercase()) && message.contains("supported"),
            "{sql}: {}",
            e.message
        );
    }

    fn col(name: &str) -> Expr {
        Expr::Column {
            qualifier: None,
            name: name.into(),
        }
    }

    fn qcol(q: &str, name: &str) -> Expr {
        Expr::Column {
            qualifier: Some(q.into()),
            name: name.into(),
        }
    }

    fn num(n: &str) -> Expr {
        Expr::Literal(Literal::Number(n.into()))
    }

    fn text(s: &str) -> Expr {
        Expr::Literal(Literal::Text(s.into()))
    }

    fn bin(op: BinaryOp, left: Expr, right: Expr) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        }
    }

    fn call(name: Function, args: Vec<Expr>) -> Expr {
        Expr::Function {
            name,
            args,
            star: false,
            distinct: false,
        }
    }

    fn item(expr: Expr) -> ast::SelectItem {
        ast::SelectItem::Expr { expr, alias: None }
    }

    #[test]
    fn create_table() {
        let sql = r#"CREATE TABLE IF NOT EXISTS Payments (
            id bigserial PRIMARY KEY,
            "Key" text NOT NULL UNIQUE,
            amount numeric(12, 2) NOT NULL CHECK (amount > 0),
            currency varchar(3) DEFAULT 'EUR',
            merchant_id integer CONSTRAINT fk_m REFERENCES merchants (id),
            created_at timestamp with time zone NOT NULL DEFAULT now(),
            attempt int GENERATED BY DEFAULT AS IDENTITY,
            body jsonb, ok bool NULL, ref uuid, n smallint, big int8, d decimal,
            CONSTRAINT one_key UNIQUE (merchant_id, "Key"),
            FOREIGN KEY (ref) REFERENCES public.other,
            CHECK (n >= 0)
        )"#;
        let column = |name: &str, ty| ast::ColumnDef {
            name: name.into(),
            ty,
            not_null: false,
            default: None,
            serial: false,
            identity: false,
            generated_always: false,
        };
        let expected = ast::CreateTable {
            name: "payments".into(),
            if_not_exists: true,
            columns: vec![
                ast::ColumnDef {
                    not_null: true,
                    serial: true,
                    ..column("id", SqlType::BigInt)
                },
                ast::ColumnDef {
                    not_null: true,
                    ..column("Key", SqlType::Text { max_chars: None })
                },
                ast::ColumnDef {
                    not_null: true,
                    ..column(
                        "amount",
                        SqlType::Numeric {
                            precision: Some(12),
                            scale: Some(2),
                        },
                    )
                },
                ast::ColumnDef {
                    default: Some(text("EUR")),
                    ..column("currency", SqlType::Text { max_chars: Some(3) })
                },
                column("merchant_id", SqlType::Integer),
                ast::ColumnDef {
                    not_null: true,
                    default: Some(call(Function::Now, vec![])),
                    ..column("created_at", SqlType::Timestamptz)
                },
                ast::ColumnDef {
                    not_null: true,
                    serial: true,
                    identity: true,
                    ..column("attempt", SqlType::Integer)
                },
                column("body", SqlType::Jsonb),
                column("ok", SqlType::Boolean),
                column("ref", SqlType::Uuid),
                column("n", SqlType::SmallInt),
                column("big", SqlType::BigInt),
                column(
                    "d",
                    SqlType::Numeric {
                        precision: None,
                        scale: None,
                    },
                ),
            ],
            constraints: vec![
                TableConstraint::PrimaryKey {
                    name: None,
                    columns: vec!["id".into()],
                },
                TableConstraint::Unique {
                    name: None,
                    columns: vec!["Key".into()],
                },
                TableConstraint::Check {
                    name: None,
                    expr: bin(BinaryOp::Gt, col("amount"), num("0")),
                },
                TableConstraint::ForeignKey {
                    name: Some("fk_m".into()),
                    columns: vec!["merchant_id".into()],
                    foreign_table: "merchants".into(),
                    referred_columns: vec!["id".into()],
                    on_delete: ast::OnDelete::NoAction,
                },
                TableConstraint::Unique {
                    name: Some("one_key".into()),
                    columns: vec!["merchant_id".into(), "Key".into()],
                },
                TableConstraint::ForeignKey {
                    name: None,
                    columns: vec!["ref".into()],
                    foreign_table: "other".into(),
                    referred_columns: vec![],
                    on_delete: ast::OnDelete::NoAction,
                },
                TableConstraint::Check {
                    name: None,
                    expr: bin(BinaryOp::GtEq, col("n"), num("0")),
                },
            ],
        };
        assert_eq!(one(sql), Statement::CreateTable(expected));
        match one("CREATE TABLE t (a integer, PRIMARY KEY (a), b numeric(5))") {
            Statement::CreateTable(t) => {
                assert_eq!(
                    t.columns[1].ty,
                    SqlType::Numeric {
                        precision: Some(5),
                        scale: Some(0)
                    }
                );
                assert!(!t.if_not_exists);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn create_index_and_drop_table() {
        assert_eq!(
            one(
                "CREATE UNIQUE INDEX IF NOT EXISTS Idx ON public.payments USING btree \
                 (merchant_id, created_at DESC)"
            ),
            Statement::CreateIndex(ast::CreateIndex {
                name: Some("idx".into()),
                table: "payments".into(),
                columns: vec!["merchant_id".into(), "created_at".into()],
                unique: true,
                if_not_exists: true,
            })
        );
        assert_eq!(
            one("create index on t (a)"),
            Statement::CreateIndex(ast::CreateIndex {
                name: None,
                table: "t".into(),
                columns: vec!["a".into()],
                unique: false,
                if_not_exists: false,
            })
        );
        assert_eq!(
            one("DROP TABLE IF EXISTS a, \"B\""),
            Statement::DropTable {
                names: vec!["a".into(), "B".into()],
                if_exists: true,
            }
        );
        assert_eq!(
            one("DROP TABLE a RESTRICT"),
            Statement::DropTable {
                names: vec!["a".into()],
                if_exists: false,
            }
        );
    }

    #[test]
    fn insert() {
        let sql = "INSERT INTO payments (id, key, amount) VALUES ($1, 'k', -12.50), \
                   (DEFAULT, $2, 3) ON CONFLICT (key) DO UPDATE SET amount = \
                   excluded.amount + payments.amount WHERE payments.amount < 100 \
                   RETURNING id, amount AS a, *";
        assert_eq!(
            one(sql),
            Statement::Insert(ast::Insert {
                table: "payments".into(),
                columns: vec!["id".into(), "key".into(), "amount".into()],
                rows: vec![
                    vec![Expr::Param(1), text("k"), num("-12.50")],
                    vec![Expr::Default, Expr::Param(2), num("3")],
                ],
                select: None,
                on_conflict: Some(ast::OnConflict {
                    target: vec!["key".into()],
                    constraint: None,
                    action: ast::ConflictAction::Update {
                        assignments: vec![ast::Assignment {
                            column: "amount".into(),
                            value: bin(
                                BinaryOp::Plus,
                                qcol("excluded", "amount"),
                                qcol("payments", "amount"),
                            ),
                        }],
                        filter: Some(bin(BinaryOp::Lt, qcol("payments", "amount"), num("100"),)),
                    },
                }),
                returning: vec![
                    item(col("id")),
                    ast::SelectItem::Expr {
                        expr: col("amount"),
                        alias: Some("a".into()),
                    },
                    ast::SelectItem::Wildcard { qualifier: None },
                ],
                overriding: None,
            })
        );
        assert_eq!(
            one("insert into t values (1) on conflict do nothing"),
            Statement::Insert(ast::Insert {
                table: "t".into(),
                columns: vec![],
                rows: vec![vec![num("1")]],
                select: None,
                on_conflict: Some(ast::OnConflict {
                    target: vec![],
                    constraint: None,
                    action: ast::ConflictAction::Nothing,
                }),
                returning: vec![],
                overriding: None,
            })
        );
        match one("INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (a, b) DO NOTHING") {
            Statement::Insert(i) => assert_eq!(
                i.on_conflict,
                Some(ast::OnConflict {
                    target: vec!["a".into(), "b".into()],
                    constraint: None,
                    action: ast::ConflictAction::Nothing,
                })
            ),
            other => panic!("{other:?}"),
        }
        // An alias is the table's only name in ON CONFLICT and RETURNING.
        match one(
            "INSERT INTO idem_keys AS k (key) VALUES ($1) ON CONFLICT (key) DO UPDATE \
             SET hits = k.hits + 1 WHERE k.locked IS NULL RETURNING k.*, k.hits",
        ) {
            Statement::Insert(i) => {
                assert_eq!(
                    i.on_conflict,
                    Some(ast::OnConflict {
                        target: vec!["key".into()],
                        constraint: None,
                        action: ast::ConflictAction::Update {
                            assignments: vec![ast::Assignment {
                                column: "hits".into(),
                                value: bin(BinaryOp::Plus, qcol("idem_keys", "hits"), num("1")),
                            }],
                            filter: Some(Expr::IsNull {
                                expr: Box::new(qcol("idem_keys", "locked")),
                                negated: false,
                            }),
                        },
                    })
                );
                assert_eq!(
                    i.returning,
                    vec![
                        ast::SelectItem::Wildcard {
                            qualifier: Some("idem_keys".into())
                        },
                        item(qcol("idem_keys", "hits")),
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        let e = error("INSERT INTO t AS a VALUES (1) RETURNING t.x");
        assert_eq!(e.code, "42P01");
        // PostgreSQL requires a conflict target for DO UPDATE.
        let e = error("INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET a = 1");
        assert_eq!(e.code, "42601");
        assert!(e.message.contains("ON CONFLICT DO UPDATE requires"));
        for bad in [
            "INSERT INTO t (a) VALUES (1, 2)",
            "INSERT INTO t (a, b) VALUES (1)",
            "INSERT INTO t VALUES (1), (1, 2)",
        ] {
            assert_eq!(error(bad).code, "42601", "{bad}");
        }
    }

    #[test]
    fn select_with_everything() {
        let s = select(
            "SELECT p.id, r.*, count(*) AS \"N\" FROM Payments AS p \
             JOIN refunds r ON r.payment_id = p.id \
             LEFT OUTER JOIN fees f ON f.id = p.fee_id \
             INNER JOIN x ON TRUE \
             WHERE p.status IN ('a', 'b') AND p.amount NOT BETWEEN 1 AND $1 \
             AND r.note IS NOT NULL AND NOT (p.flag IS NULL) \
             GROUP BY p.id, r.id ORDER BY p.created_at DESC NULLS FIRST, 2 ASC, p.id \
             LIMIT $2 OFFSET 5",
        );
        let and = |l, r| bin(BinaryOp::And, l, r);
        assert_eq!(
            s,
            ast::Select {
                items: vec![
                    item(qcol("p", "id")),
                    ast::SelectItem::Wildcard {
                        qualifier: Some("r".into())
                    },
                    ast::SelectItem::Expr {
                        expr: Expr::Function {
                            name: Function::Count,
                            args: vec![],
                            star: true,
                            distinct: false,
                        },
                        alias: Some("N".into()),
                    },
                ],
                from: Some(ast::TableRef {
                    table: "payments".into(),
                    alias: "p".into(),
                }),
                joins: vec![
                    ast::Join {
                        table: ast::TableRef {
                            table: "refunds".into(),
                            alias: "r".into(),
                        },
                        on: bin(BinaryOp::Eq, qcol("r", "payment_id"), qcol("p", "id")),
                        left: false,
                    },
                    ast::Join {
                        table: ast::TableRef {
                            table: "fees".into(),
                            alias: "f".into(),
                        },
                        on: bin(BinaryOp::Eq, qcol("f", "id"), qcol("p", "fee_id")),
                        left: true,
                    },
                    ast::Join {
                        table: ast::TableRef {
                            table: "x".into(),
                            alias: "x".into(),
                        },
                        on: Expr::Literal(Literal::Bool(true)),
                        left: false,
                    },
                ],
                filter: Some(and(
                    and(
                        and(
                            Expr::InList {
                                expr: Box::new(qcol("p", "status")),
                                list: vec![text("a"), text("b")],
                                negated: false,
                            },
                            Expr::Between {
                                expr: Box::new(qcol("p", "amount")),
                                low: Box::new(num("1")),
                                high: Box::new(Expr::Param(1)),
                                negated: true,
                            },
                        ),
                        Expr::IsNull {
                            expr: Box::new(qcol("r", "note")),
                            negated: true,
                        },
                    ),
                    Expr::Not(Box::new(Expr::IsNull {
                        expr: Box::new(qcol("p", "flag")),
                        negated: false,
                    })),
                )),
                group_by: vec![qcol("p", "id"), qcol("r", "id")],
                having: None,
                distinct: false,
                order_by: vec![
                    ast::OrderBy {
                        expr: qcol("p", "created_at"),
                        descending: true,
                        nulls_first: Some(true),
                    },
                    ast::OrderBy {
                        expr: num("2"),
                        descending: false,
                        nulls_first: None,
                    },
                    ast::OrderBy {
                        expr: qcol("p", "id"),
                        descending: false,
                        nulls_first: None,
                    },
                ],
                limit: Some(Expr::Param(2)),
                offset: Some(num("5")),
                locking: None,
                shares_scope: false,
            }
        );
        let s = select("SELECT * FROM t");
        assert_eq!(s.items, vec![ast::SelectItem::Wildcard { qualifier: None }]);
        assert_eq!(s.limit, None);
        let s = select("SELECT 1 AS for, 2 AS \"for\"");
        assert!(matches!(&s.items[0], ast::SelectItem::Expr { alias: Some(a), .. } if a == "for"));
        let s = select("SELECT 1 LIMIT ALL");
        assert_eq!(s.from, None);
        assert_eq!(s.limit, None);
    }

    #[test]
    fn locking_clauses() {
        let lock = |sql: &str| select(sql).locking.unwrap();
        use ast::{LockStrength as S, LockWait as W};
        let cases = [
            (
                "SELECT * FROM t WHERE id = $1 FOR UPDATE",
                S::Update,
                W::Wait,
            ),
            (
                "SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED",
                S::NoKeyUpdate,
                W::SkipLocked,
            ),
            (
                "SELECT * FROM t for  /* c */ no key update nowait",
                S::NoKeyUpdate,
                W::NoWait,
            ),
            ("SELECT * FROM t FOR SHARE", S::Share, W::Wait),
            (
                "SELECT * FROM t FOR KEY SHARE NOWAIT",
                S::KeyShare,
                W::NoWait,
            ),
        ];
        for (sql, strength, wait) in cases {
            let of = None;
            assert_eq!(lock(sql), ast::Locking { strength, wait, of }, "{sql}");
        }
        let of_x = lock("SELECT * FROM t AS x JOIN u ON TRUE FOR NO KEY UPDATE OF x SKIP LOCKED");
        assert_eq!(
            of_x,
            ast::Locking {
                strength: S::NoKeyUpdate,
                wait: W::SkipLocked,
                of: Some("x".into())
            }
        );
        // Each statement keeps its own strength.
        let statements =
            parse("SELECT * FROM t FOR UPDATE; SELECT * FROM u FOR KEY SHARE; SELECT 1").unwrap();
        let strengths: Vec<_> = statements
            .iter()
            .map(|s| match s {
                Statement::Select(s) => s.locking.as_ref().map(|l| l.strength),
                _ => panic!(),
            })
            .collect();
        assert_eq!(strengths, vec![Some(S::Update), Some(S::KeyShare), None]);
        assert_eq!(error("SELECT * FROM t FOR UPDATE OF u").code, "42P01");
        refused(
            "SELECT * FROM t FOR UPDATE FOR SHARE",
            "several locking clauses",
        );
        refused("SELECT a FROM t GROUP BY a FOR UPDATE", "GROUP BY");
        refused("SELECT count(*) FROM t FOR NO KEY UPDATE", "aggregate");
        let nullable = error("SELECT * FROM t LEFT JOIN u ON u.id = t.id FOR UPDATE");
        assert_eq!(nullable.code, "0A000");
        assert!(nullable.message.contains("nullable side"), "{nullable:?}");
        lock("SELECT * FROM t LEFT JOIN u ON u.id = t.id FOR UPDATE OF t");
        let s = select("SELECT * FROM t JOIN u ON u.id = t.id FOR SHARE SKIP LOCKED");
        assert_eq!(s.joins.len(), 1);
        assert_eq!(
            s.locking,
            Some(ast::Locking {
                strength: S::Share,
                wait: W::SkipLocked,
                of: None
            })
        );
        assert_eq!(error("SELECT * FROM t FOR NO KEY").code, "42601");
        assert_eq!(error("SELECT * FROM t FOR KEY").code, "42601");
    }

    #[test]
    fn update_and_delete() {
        assert_eq!(
            one("UPDATE payments AS p SET status = 'done', n = n + 1 \
                 WHERE p.id = $1 RETURNING p.status"),
            Statement::Update(ast::Update {
                table: ast::TableRef {
                    table: "payments".into(),
                    alias: "p".into(),
                },
                assignments: vec![
                    ast::Assignment {
                        column: "status".into(),
                        value: text("done"),
                    },
                    ast::Assignment {
                        column: "n".into(),
                        value: bin(BinaryOp::Plus, col("n"), num("1")),
                    },
                ],
                filter: Some(bin(BinaryOp::Eq, qcol("p", "id"), Expr::Param(1))),
                returning: vec![item(qcol("p", "status"))],
                joined: vec![],
            })
        );
        assert_eq!(
            one("DELETE FROM idem_keys WHERE expires_at < now() RETURNING *"),
            Statement::Delete(ast::Delete {
                table: ast::TableRef {
                    table: "idem_keys".into(),
                    alias: "idem_keys".into(),
                },
                filter: Some(bin(
                    BinaryOp::Lt,
                    col("expires_at"),
                    call(Function::Now, vec![])
                )),
                returning: vec![ast::SelectItem::Wildcard { qualifier: None }],
                joined: vec![],
            })
        );
        assert_eq!(
            one("delete from t"),
            Statement::Delete(ast::Delete {
                table: ast::TableRef {
                    table: "t".into(),
                    alias: "t".into(),
                },
                filter: None,
                returning: vec![],
                joined: vec![],
            })
        );
    }

    #[test]
    fn transactions() {
        use ast::Isolation as I;
        let sql = "BEGIN; BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE; \
                   START TRANSACTION ISOLATION LEVEL READ UNCOMMITTED, READ WRITE; \
                   begin work isolation level repeatable read; \
                   SET TRANSACTION ISOLATION LEVEL READ COMMITTED; \
                   COMMIT; END; ROLLBACK; ABORT; SAVEPOINT Sp1; ROLLBACK TO SAVEPOINT sp1; \
                   ROLLBACK TO \"Sp\"; RELEASE SAVEPOINT s; RELEASE s;";
        assert_eq!(
            parse(sql).unwrap(),
            vec![
                Statement::Begin { isolation: None },
                Statement::Begin {
                    isolation: Some(I::Serializable)
                },
                Statement::Begin {
                    isolation: Some(I::ReadCommitted)
                },
                Statement::Begin {
                    isolation: Some(I::RepeatableRead)
                },
                Statement::SetTransaction {
                    isolation: I::ReadCommitted
                },
                Statement::Commit,
                Statement::Commit,
                Statement::Rollback,
                Statement::Rollback,
                Statement::Savepoint { name: "sp1".into() },
                Statement::RollbackToSavepoint { name: "sp1".into() },
                Statement::RollbackToSavepoint { name: "Sp".into() },
                Statement::ReleaseSavepoint { name: "s".into() },
                Statement::ReleaseSavepoint { name: "s".into() },
            ]
        );
        refused("BEGIN READ ONLY", "READ ONLY");
        refused(
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
            "READ ONLY",
        );
        refused("COMMIT AND CHAIN", "AND CHAIN");
        refused(
            "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE",
            "DEFERRABLE",
        );
        refused(
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE NOT DEFERRABLE",
            "DEFERRABLE",
        );
        refused("SET TRANSACTION READ WRITE", "without ISOLATION LEVEL");
    }

    #[test]
    fn set_and_show() {
        let set = |name: &str, value: &str| Statement::Set {
            name: name.into(),
            value: value.into(),
            local: false,
        };
        assert_eq!(
            parse(
                "SET client_encoding = 'UTF8'; SET SESSION TimeZone TO 'UTC'; \
                 SET TIME ZONE 'Europe/Paris'; SET search_path = Public, \"Mine\"; \
                 SET statement_timeout = 5000; SET extra_float_digits = -3; \
                 SET myapp.user_id = '7'; SET NAMES 'utf8'; SET standard_conforming_strings = on"
            )
            .unwrap(),
            vec![
                set("client_encoding", "UTF8"),
                set("timezone", "UTC"),
                set("timezone", "Europe/Paris"),
                set("search_path", "public, Mine"),
                set("statement_timeout", "5000"),
                set("extra_float_digits", "-3"),
                set("myapp.user_id", "7"),
                set("client_encoding", "utf8"),
                set("standard_conforming_strings", "on"),
            ]
        );
        assert_eq!(
            parse("SHOW TimeZone; show transaction isolation level; SHOW server_version").unwrap(),
            vec![
                Statement::Show {
                    name: "timezone".into()
                },
                Statement::Show {
                    name: "transaction_isolation".into()
                },
                Statement::Show {
                    name: "server_version".into()
                },
            ]
        );
        assert_eq!(
            parse("SET LOCAL lock_timeout = '1s'").unwrap(),
            vec![Statement::Set {
                name: "lock_timeout".into(),
                value: "1s".into(),
                local: true,
            }]
        );
        refused("SET statement_timeout TO DEFAULT", "DEFAULT");
        refused("SET ROLE admin", "ROLE");
        refused("SHOW ALL", "SHOW ALL");
        refused("SET TIME ZONE LOCAL", "TIME ZONE LOCAL");
        refused("SET TIME ZONE DEFAULT", "DEFAULT");
    }

    #[test]
    fn expressions() {
        assert_eq!(e("-5"), num("-5"));
        assert_eq!(e("- 2.50"), num("-2.50"));
        assert_eq!(e("+7"), num("7"));
        assert_eq!(e("-(5)"), Expr::Negate(Box::new(num("5"))));
        assert_eq!(e("-a"), Expr::Negate(Box::new(col("a"))));
        assert_eq!(e("1e3"), num("1e3"));
        assert_eq!(e("'it''s'"), text("it's"));
        assert_eq!(e("E'a\\nb'"), text("a\nb"));
        assert_eq!(e("$$x$$"), text("x"));
        assert_eq!(e("NULL"), Expr::Literal(Literal::Null));
        assert_eq!(e("false"), Expr::Literal(Literal::Bool(false)));
        assert_eq!(e("$12"), Expr::Param(12));
        assert_eq!(e("\"MixedCase\""), col("MixedCase"));
        assert_eq!(e("MixedCase"), col("mixedcase"));
        assert_eq!(e("T.Col"), qcol("t", "col"));
        assert_eq!(e("((((a))))"), col("a"));
        assert_eq!(
            e("a || 'x' <> b"),
            bin(
                BinaryOp::NotEq,
                bin(BinaryOp::Concat, col("a"), text("x")),
                col("b")
            )
        );
        assert_eq!(
            e("1 + 2 * 3 - 4 / 5 % 6"),
            bin(
                BinaryOp::Minus,
                bin(
                    BinaryOp::Plus,
                    num("1"),
                    bin(BinaryOp::Multiply, num("2"), num("3"))
                ),
                bin(
                    BinaryOp::Modulo,
                    bin(BinaryOp::Divide, num("4"), num("5")),
                    num("6")
                )
            )
        );
        assert_eq!(
            e("a != 1 OR a <= 2 OR a >= 3"),
            bin(
                BinaryOp::Or,
                bin(
                    BinaryOp::Or,
                    bin(BinaryOp::NotEq, col("a"), num("1")),
                    bin(BinaryOp::LtEq, col("a"), num("2"))
                ),
                bin(BinaryOp::GtEq, col("a"), num("3"))
            )
        );
        let cast = |expr, ty| Expr::Cast {
            expr: Box::new(expr),
            ty,
        };
        assert_eq!(e("$1::bigint"), cast(Expr::Param(1), SqlType::BigInt));
        assert_eq!(
            e("CAST(a AS varchar(10))"),
            cast(
                col("a"),
                SqlType::Text {
                    max_chars: Some(10)
                }
            )
        );
        assert_eq!(
            e("'2024-01-01'::timestamptz"),
            cast(text("2024-01-01"), SqlType::Timestamptz)
        );
        assert_eq!(
            e("timestamp with time zone '2024-01-01'"),
            cast(text("2024-01-01"), SqlType::Timestamptz)
        );
        assert_eq!(e("x::uuid"), cast(col("x"), SqlType::Uuid));
        assert_eq!(e("x::json"), cast(col("x"), SqlType::Jsonb));
        assert_eq!(e("x::int4"), cast(col("x"), SqlType::Integer));
        assert_eq!(
            e("a NOT IN (1, 2)"),
            Expr::InList {
                expr: Box::new(col("a")),
                list: vec![num("1"), num("2")],
                negated: true,
            }
        );
        assert_eq!(
            e("CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' ELSE 'z' END"),
            Expr::Case {
                branches: vec![
                    (bin(BinaryOp::Gt, col("a"), num("0")), text("p")),
                    (bin(BinaryOp::Lt, col("a"), num("0")), text("n")),
                ],
                otherwise: Some(Box::new(text("z"))),
            }
        );
        assert_eq!(
            e("CASE status WHEN 'a' THEN 1 END"),
            Expr::Case {
                branches: vec![(bin(BinaryOp::Eq, col("status"), text("a")), num("1"))],
                otherwise: None,
            }
        );
        assert_eq!(e("now()"), call(Function::Now, vec![]));
        assert_eq!(e("CURRENT_TIMESTAMP"), call(Function::Now, vec![]));
        assert_eq!(e("current_timestamp"), call(Function::Now, vec![]));
        assert_eq!(e("transaction_timestamp()"), call(Function::Now, vec![]));
        assert_eq!(
            e("clock_timestamp()"),
            call(Function::ClockTimestamp, vec![])
        );
        assert_eq!(
            e("gen_random_uuid()"),
            call(Function::GenRandomUuid, vec![])
        );
        assert_eq!(
            e("COALESCE(a, b, 0)"),
            call(Function::Coalesce, vec![col("a"), col("b"), num("0")])
        );
        for (text_name, f) in [
            ("lower", Function::Lower),
            ("upper", Function::Upper),
            ("length", Function::Length),
            ("char_length", Function::Length),
            ("abs", Function::Abs),
            ("sum", Function::Sum),
            ("min", Function::Min),
            ("max", Function::Max),
            ("count", Function::Count),
        ] {
            assert_eq!(e(&format!("{text_name}(x)")), call(f, vec![col("x")]));
        }
        assert_eq!(
            e("greatest(a, 1)"),
            call(Function::Greatest, vec![col("a"), num("1")])
        );
        assert_eq!(e("least(a)"), call(Function::Least, vec![col("a")]));
        assert_eq!(
            e("count(DISTINCT merchant_id)"),
            Expr::Function {
                name: Function::Count,
                args: vec![col("merchant_id")],
                star: false,
                distinct: true,
            }
        );
    }

    #[test]
    fn refusals() {
        let cases = [
            (
                "MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN DELETE",
                "MERGE",
            ),
            ("CREATE VIEW v AS SELECT 1", "CREATE VIEW"),
            ("DROP INDEX i", "DROP INDEX"),
            ("TRUNCATE t", "TRUNCATE"),
            ("ALTER TABLE t ADD COLUMN a int", "ALTER TABLE"),
            ("COPY t FROM STDIN", "COPY"),
            ("DROP TABLE t CASCADE", "CASCADE"),
            ("WITH x AS (SELECT 1) SELECT * FROM x", "WITH"),
            ("SELECT 1 UNION SELECT 2", "UNION"),
            ("SELECT DISTINCT ON (a) a FROM t", "DISTINCT ON"),
            ("SELECT a FROM t GROUP BY ALL", "GROUP BY ALL"),
            (
                "SELECT * FROM t OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY",
                "FETCH",
            ),
            ("SELECT * FROM a RIGHT JOIN b ON TRUE", "RIGHT JOIN"),
            ("SELECT * FROM a FULL JOIN b ON TRUE", "FULL JOIN"),
            ("SELECT * FROM a CROSS JOIN b", "CROSS JOIN"),
            ("SELECT * FROM a JOIN b USING (id)", "USING"),
            ("SELECT * FROM a NATURAL JOIN b", "NATURAL"),
            ("SELECT * FROM (SELECT 1) s", "subqueries in FROM"),
            ("SELECT * FROM t, LATERAL (SELECT 1) s", "`LATERAL`"),
            (
                "SELECT * FROM t JOIN LATERAL (SELECT 1) s ON TRUE",
                "LATERAL",
            ),
            ("SELECT * FROM s.t", "qualified name"),
            ("SELECT (WITH w AS (SELECT 1) SELECT * FROM w)", "WITH"),
            (
                "SELECT * FROM t WHERE id = (SELECT id FROM t LIMIT 1 FOR SHARE) FOR NO KEY UPDATE",
                "several locking clauses",
            ),
            ("SELECT a LIKE ANY ('x%') FROM t", "LIKE ANY"),
            ("SELECT a SIMILAR TO 'x%' FROM t", "SIMILAR TO"),
            ("SELECT a = ANY($1) FROM t", "ANY"),
            ("SELECT ARRAY[1, 2]", "arrays"),
            ("SELECT 1_000", "1_000"),
            ("SELECT current_schema", "current_schema"),
            ("SELECT a FROM t WHERE b = current_role", "current_role"),
            ("SELECT user", "user"),
            ("SELECT INTERVAL '1 2' DAY TO HOUR", "the interval"),
            ("SELECT a IS DISTINCT FROM b FROM t", "DISTINCT FROM"),
            ("SELECT row_number() OVER () FROM t", "window function"),
            ("SELECT md5(a) FROM t", "the function `md5`"),
            ("SELECT pg_catalog.now()", "pg_catalog.now"),
            ("SELECT count(*) FILTER (WHERE a) FROM t", "FILTER"),
            ("SELECT a ~ 'x' FROM t", "operator"),
            ("SELECT a::float8 FROM t", "float8"),
            ("SELECT (a, b) FROM t", "row constructors"),
            ("SELECT now() AT TIME ZONE 'UTC'", "AT TIME ZONE"),
            ("SELECT a INTO u FROM t", "INTO"),
            (
                "INSERT INTO t SELECT 1 UNION SELECT 2",
                "a parenthesized or combined query",
            ),
            (
                "INSERT INTO t VALUES (1) ON CONFLICT (a) WHERE b DO NOTHING",
                "partial index",
            ),
            (
                "UPDATE t SET a = u.a FROM u WHERE u.id = t.id RETURNING *",
                "RETURNING",
            ),
            ("UPDATE t SET (a, b) = (1, 2)", "SET (column, ...)"),
            (
                "DELETE FROM t USING u WHERE u.id = t.id RETURNING u.id",
                "RETURNING",
            ),
            ("CREATE TEMPORARY TABLE t (a int)", "TEMPORARY"),
            ("CREATE UNLOGGED TABLE t (a int)", "UNLOGGED"),
            ("CREATE TABLE t (a int) INHERITS (u)", "inheritance"),
            (
                "CREATE TABLE t (a int) PARTITION BY RANGE (a)",
                "partitioning",
            ),
            ("CREATE TABLE t AS SELECT 1", "AS"),
            (
                "CREATE TABLE t (a int) WITH (fillfactor = 70)",
                "table options",
            ),
            ("CREATE TABLE t (a text COLLATE \"C\")", "collation"),
            ("CREATE TABLE t (a float8)", "FLOAT8"),
            ("CREATE TABLE t (a char(3))", "CHAR(3)"),
            ("CREATE TABLE t (a int[])", "INT[]"),
            (
                "CREATE TABLE t (a int REFERENCES u ON UPDATE CASCADE)",
                "ON UPDATE CASCADE",
            ),
            (
                "CREATE TABLE t (a int, FOREIGN KEY (a) REFERENCES u ON UPDATE SET NULL)",
                "ON UPDATE SET NULL",
            ),
            (
                "CREATE TABLE t (a int UNIQUE DEFERRABLE INITIALLY DEFERRED)",
                "deferrable",
            ),
            (
                "CREATE TABLE t (a int GENERATED ALWAYS AS (1) STORED)",
                "generated columns",
            ),
            (
                "CREATE TABLE t (a int, EXCLUDE USING gist (a WITH =))",
                "EXCLUDE",
            ),
            ("CREATE INDEX i ON t (lower(a))", "expression"),
            ("CREATE INDEX i ON t (a) WHERE a > 0", "partial"),
            ("CREATE INDEX i ON t (a) INCLUDE (b)", "INCLUDE"),
            ("CREATE INDEX i ON t USING hash (a)", "USING HASH"),
            ("CREATE INDEX CONCURRENTLY i ON t (a)", "CONCURRENTLY"),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|&(sql, names)| {
                std::panic::catch_unwind(|| refused(sql, names))
                    .err()
                    .map(|_| sql.to_string())
            })
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
        // The statement refusal lists what is supported.
        let e = error("MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN DELETE");
        assert!(
            e.message.contains("CREATE TABLE, CREATE INDEX, DROP TABLE"),
            "{e:?}"
        );
    }

    #[test]
    fn postgres_errors() {
        for (sql, code) in [
            ("SELEC 1", "42601"),
            ("SELECT (1", "42601"),
            ("SELECT 'unterminated", "42601"),
            ("SELECT 1 END", "42601"),
            ("SELECT 1; SELEC 2", "42601"),
            ("SELECT lower(a, b) FROM t", "42883"),
            ("SELECT now(1)", "42883"),
            ("SELECT $0", "42P02"),
            ("SELECT ?", "42601"),
            ("SELECT \"\" FROM t", "42601"),
            ("SELECT * FROM 'a'", "42601"),
            ("SELECT 1 AS 'one'", "42601"),
            (
                "CREATE TABLE t (a int PRIMARY KEY, b int, PRIMARY KEY (b))",
                "42P16",
            ),
            ("SELECT lower(DISTINCT a) FROM t", "42809"),
            ("SELECT a::serial FROM t", "42704"),
            ("SELECT DEFAULT", "42601"),
            ("CREATE TABLE t (a int NULL NOT NULL)", "42601"),
            ("CREATE TABLE t (a serial DEFAULT 1)", "42601"),
            (
                "CREATE TABLE t (a text GENERATED BY DEFAULT AS IDENTITY)",
                "22023",
            ),
            (
                "BEGIN ISOLATION LEVEL SERIALIZABLE, ISOLATION LEVEL READ COMMITTED",
                "42601",
            ),
        ] {
            assert_eq!(error(sql).code, code, "{sql}: {:?}", error(sql));
        }
        // A syntax error anywhere rejects the text, even after a refusal.
        assert_eq!(
            error("MERGE INTO t USING u ON TRUE WHEN MATCHED THEN DELETE; SELEC").code,
            "42601"
        );
    }

    #[test]
    fn names_are_truncated_to_63_bytes() {
        let long = "a".repeat(70);
        assert_eq!(e(&long), col(&"a".repeat(63)));
        let quoted = format!("\"{}\"", "é".repeat(40));
        assert_eq!(e(&quoted), col(&"é".repeat(31)));
    }

    #[test]
    fn hostile_inputs() {
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(parse(";").unwrap(), vec![]);
        assert_eq!(parse(" ;; ; ").unwrap(), vec![]);
        assert_eq!(
            parse("-- only a comment\n/* and another */").unwrap(),
            vec![]
        );
        assert_eq!(parse("SELECT 1;;SELECT 2;").unwrap().len(), 2);

        let deep = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(error(&deep).code, "54001");
        let wide = format!("SELECT {}{}", "(".repeat(900), "a, ".repeat(300_000));
        assert!(parse(&wide).is_err());
        let unbalanced = format!("SELECT {}", "(".repeat(100_000));
        assert!(parse(&unbalanced).is_err());
        let nots = format!("SELECT {} TRUE", "NOT ".repeat(10_000));
        assert_eq!(error(&nots).code, "54001");
        for nested in [
            format!("SELECT {} TRUE", "NOT ".repeat(RECURSION_LIMIT + 6)),
            format!(
                "SELECT {}1{}",
                "(".repeat(RECURSION_LIMIT + 6),
                ")".repeat(RECURSION_LIMIT + 6)
            ),
            format!(
                "SELECT {}1{}",
                "lower(".repeat(RECURSION_LIMIT + 6),
                ")".repeat(RECURSION_LIMIT + 6)
            ),
        ] {
            // sqlparser sometimes reports the limit as the syntax error of
            // an alternative it tried instead.
            assert!(
                ["54001", "42601"].contains(&error(&nested).code),
                "{nested}"
            );
        }
        let minus = format!("SELECT {}1", "- ".repeat(10_000));
        assert_eq!(error(&minus).code, "54001");
        // Chains that sqlparser builds in a loop, not by recursion.
        let chain = format!("SELECT 1{}", " + 1".repeat(200_000));
        assert_eq!(error(&chain).code, "54001");
        let casts = format!("SELECT a{}", "::text".repeat(100_000));
        assert_eq!(error(&casts).code, "54001");
        let nested_chains = format!(
            "SELECT {}1{}",
            "(1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + ".repeat(60),
            ")".repeat(60)
        );
        assert_eq!(error(&nested_chains).code, "54001");
        // Long flat lists and moderate chains are fine.
        let list = (0..20_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let s = select(&format!("SELECT * FROM t WHERE a IN ({list})"));
        assert!(matches!(s.filter, Some(Expr::InList { ref list, .. }) if list.len() == 20_000));
        let rows = vec!["($1::uuid, 'x', -1)"; 20_000].join(", ");
        match one(&format!("INSERT INTO t VALUES {rows}")) {
            Statement::Insert(i) => assert_eq!(i.rows.len(), 20_000),
            other => panic!("{other:?}"),
        }
        let ands = (0..300)
            .map(|i| format!("c{i} = ${}", i + 1))
            .collect::<Vec<_>>()
            .join(" AND ");
        assert!(
            select(&format!("SELECT * FROM t WHERE {ands}"))
                .filter
                .is_some()
        );

        let big = format!("SELECT '{}'", "x".repeat(2 << 20));
        assert_eq!(error(&big).code, "54000");
        for junk in [
            "\0",
            "'",
            "\"",
            "$",
            "$$",
            "$1$",
            "E'\\",
            "/*",
            "::",
            "FOR NO KEY UPDATE",
            "SELECT 1 FOR",
        ] {
            assert!(parse(junk).is_err(), "{junk:?}");
        }
        // Arbitrary bytes never panic.
        let mut seed = 0x9e37_79b9_u32;
        for _ in 0..300 {
            let mut s = String::new();
            for _ in 0..40 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let pieces = [
                    "SELECT", "(", ")", "'", ",", ";", "FOR", "NO", "KEY", "UPDATE", "1", "$1",
                    "::", "-", "*", "FROM", "t", "\"", "E'", "$$", "/*", "--", "\n", "CASE",
                    "WHEN", "END", "INSERT", "VALUES", "ON", "CONFLICT", "DO", "SET", "=", "é",
                ];
                s.push_str(pieces[seed as usize % pieces.len()]);
                s.push(' ');
            }
            let _ = parse(&s);
        }
    }

    #[test]
    fn the_deepest_accepted_expressions_fit_a_small_stack() {
        // The longest chains and deepest nesting under the bounds, parsed,
        // translated and dropped on a thread with a 1 MiB stack (half a test
        // thread's).
        let texts = [
            format!("SELECT 1{}", " + 1".repeat(MAX_EXPRESSION_DEPTH - 10)),
            format!(
                "SELECT a{}",
                "::text".repeat((MAX_EXPRESSION_DEPTH - 10) / 2)
            ),
            format!(
                "SELECT {}a{}",
                "NOT ".repeat(RECURSION_LIMIT - 4),
                " IS NULL AND a".repeat((MAX_EXPRESSION_DEPTH - 100) / 3)
            ),
        ];
        for text in texts {
            let handle = std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || parse(&text).map(|s| s.len()))
                .unwrap();
            assert_eq!(handle.join().unwrap(), Ok(1));
        }
    }
}
