//! The engine's own checks: single sessions, and interleavings whose
//! outcome PostgreSQL documents. The differential suite compares far more
//! against a real server.

use super::{Database, Reply, SessionId};

/// A reply in a compact form: rows as `a|b`, or the error's SQLSTATE.
fn show(reply: &Reply) -> String {
    reply
        .iter()
        .map(|r| match r {
            Ok(q) if q.columns.is_empty() => q.tag.clone(),
            Ok(q) => q
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|v| v.clone().unwrap_or_else(|| "NULL".into()))
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect::<Vec<_>>()
                .join(";"),
            Err(e) => format!("ERROR {}", e.code),
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

struct Db {
    db: Database,
    now_us: i64,
}

impl Db {
    fn new() -> Db {
        Db {
            db: Database::new(),
            now_us: 1_000_000,
        }
    }

    /// Submits and returns the reply, or `blocked`.
    fn q(&mut self, s: SessionId, sql: &str) -> String {
        self.now_us += 1000;
        self.db.submit(s, sql, self.now_us);
        match self.db.take_reply(s) {
            Some(r) => show(&r),
            None => {
                assert!(self.db.is_blocked(s));
                "blocked".into()
            }
        }
    }

    fn reply(&mut self, s: SessionId) -> String {
        self.db.take_reply(s).map_or("none".into(), |r| show(&r))
    }
}

#[test]
fn a_single_session_creates_inserts_selects_updates_and_deletes() {
    let mut d = Db::new();
    let a = d.db.connect();
    assert_eq!(
        d.q(a, "CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0))"),
        "CREATE TABLE"
    );
    assert_eq!(
        d.q(a, "INSERT INTO accounts VALUES ('alice', 100), ('bob', 0)"),
        "INSERT 0 2"
    );
    assert_eq!(
        d.q(a, "INSERT INTO accounts VALUES ('alice', 5)"),
        "ERROR 23505"
    );
    assert_eq!(
        d.q(
            a,
            "UPDATE accounts SET balance = balance - 150 WHERE id = 'alice'"
        ),
        "ERROR 23514"
    );
    assert_eq!(
        d.q(
            a,
            "UPDATE accounts SET balance = balance - 30 WHERE id = 'alice' RETURNING balance"
        ),
        "70"
    );
    assert_eq!(
        d.q(a, "SELECT id, balance FROM accounts ORDER BY id"),
        "alice|70;bob|0"
    );
    assert_eq!(
        d.q(a, "SELECT count(*), sum(balance) FROM accounts"),
        "2|70"
    );
    assert_eq!(
        d.q(a, "DELETE FROM accounts WHERE balance = 0 RETURNING id"),
        "bob"
    );
    assert_eq!(
        d.q(a, "SELECT * FROM accounts WHERE id IN ('bob', 'alice')"),
        "alice|70"
    );
}

#[test]
fn on_conflict_does_nothing_or_updates() {
    let mut d = Db::new();
    let a = d.db.connect();
    d.q(
        a,
        "CREATE TABLE keys (key text PRIMARY KEY, hits integer NOT NULL DEFAULT 1)",
    );
    assert_eq!(
        d.q(
            a,
            "INSERT INTO keys (key) VALUES ('k') ON CONFLICT DO NOTHING RETURNING key"
        ),
        "k"
    );
    assert_eq!(
        d.q(
            a,
            "INSERT INTO keys (key) VALUES ('k') ON CONFLICT (key) DO NOTHING RETURNING key"
        ),
        ""
    );
    assert_eq!(
        d.q(a, "INSERT INTO keys (key) VALUES ('k') ON CONFLICT (key) DO UPDATE SET hits = keys.hits + 1 RETURNING hits"),
        "2"
    );
}

#[test]
fn read_committed_waits_for_a_row_lock_and_rechecks_the_new_version() {
    let mut d = Db::new();
    let (a, b) = (d.db.connect(), d.db.connect());
    d.q(a, "CREATE TABLE t (id integer PRIMARY KEY, v integer)");
    d.q(a, "INSERT INTO t VALUES (1, 10)");
    d.q(a, "BEGIN");
    assert_eq!(d.q(a, "UPDATE t SET v = 20 WHERE id = 1"), "UPDATE 1");
    assert_eq!(d.q(b, "UPDATE t SET v = v + 1 WHERE v = 10"), "blocked");
    assert_eq!(d.q(a, "COMMIT"), "COMMIT");
    // b re-checked v = 10 on the new version (20): no row.
    assert_eq!(d.reply(b), "UPDATE 0");
    d.q(a, "BEGIN");
    d.q(a, "UPDATE t SET v = 30 WHERE id = 1");
    assert_eq!(
        d.q(b, "UPDATE t SET v = v + 1 WHERE id = 1 RETURNING v"),
        "blocked"
    );
    d.q(a, "COMMIT");
    assert_eq!(d.reply(b), "31");
}

#[test]
fn a_second_insert_of_a_key_waits_then_fails_or_proceeds() {
    let mut d = Db::new();
    let (a, b) = (d.db.connect(), d.db.connect());
    d.q(a, "CREATE TABLE k (key text PRIMARY KEY)");
    d.q(a, "BEGIN");
    d.q(a, "INSERT INTO k VALUES ('x')");
    assert_eq!(d.q(b, "INSERT INTO k VALUES ('x')"), "blocked");
    d.q(a, "ROLLBACK");
    assert_eq!(d.reply(b), "INSERT 0 1");
    d.q(a, "BEGIN");
    d.q(a, "INSERT INTO k VALUES ('y')");
    assert_eq!(
        d.q(b, "INSERT INTO k VALUES ('y') ON CONFLICT DO NOTHING"),
        "blocked"
    );
    d.q(a, "COMMIT");
    assert_eq!(d.reply(b), "INSERT 0 0");
}

#[test]
fn repeatable_read_fails_a_concurrent_update_and_deadlocks_are_found() {
    let mut d = Db::new();
    let (a, b) = (d.db.connect(), d.db.connect());
    d.q(a, "CREATE TABLE t (id integer PRIMARY KEY, v integer)");
    d.q(a, "INSERT INTO t VALUES (1, 10), (2, 20)");
    d.q(a, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    assert_eq!(d.q(a, "SELECT v FROM t WHERE id = 1"), "10");
    d.q(b, "UPDATE t SET v = 11 WHERE id = 1");
    assert_eq!(d.q(a, "SELECT v FROM t WHERE id = 1"), "10");
    assert_eq!(d.q(a, "UPDATE t SET v = 12 WHERE id = 1"), "ERROR 40001");
    assert_eq!(d.q(a, "SELECT 1"), "ERROR 25P02");
    assert_eq!(d.q(a, "ROLLBACK"), "ROLLBACK");

    d.q(a, "BEGIN");
    d.q(b, "BEGIN");
    d.q(a, "UPDATE t SET v = 0 WHERE id = 1");
    d.q(b, "UPDATE t SET v = 0 WHERE id = 2");
    assert_eq!(d.q(a, "UPDATE t SET v = 0 WHERE id = 2"), "blocked");
    assert_eq!(d.q(b, "UPDATE t SET v = 0 WHERE id = 1"), "blocked");
    assert!(d.db.detect_deadlock(a, 0));
    assert_eq!(d.reply(a), "ERROR 40P01");
    assert_eq!(d.reply(b), "UPDATE 1");
}

#[test]
fn nullif_and_truth_tests_treat_null_as_postgresql_does() {
    let mut d = Db::new();
    let a = d.db.connect();
    d.q(
        a,
        "CREATE TABLE f (id integer PRIMARY KEY, v boolean, n integer)",
    );
    d.q(
        a,
        "INSERT INTO f VALUES (1, true, 0), (2, false, 5), (3, NULL, NULL)",
    );
    assert_eq!(
        d.q(a, "SELECT id FROM f WHERE v IS NOT TRUE ORDER BY id"),
        "2;3"
    );
    assert_eq!(
        d.q(a, "SELECT id FROM f WHERE v IS NOT FALSE ORDER BY id"),
        "1;3"
    );
    assert_eq!(d.q(a, "SELECT id FROM f WHERE v IS FALSE"), "2");
    assert_eq!(
        d.q(a, "SELECT 10 / NULLIF(n, 0) FROM f ORDER BY id"),
        "NULL;2;NULL"
    );
}

#[test]
fn returning_draws_fresh_uuids_from_the_database_seed() {
    let mut d = Db::new();
    let a = d.db.connect();
    d.q(a, "CREATE TABLE k (id integer PRIMARY KEY)");
    let out = d.q(
        a,
        "INSERT INTO k VALUES (1), (2) RETURNING gen_random_uuid()",
    );
    let uuids: Vec<&str> = out.split(';').collect();
    assert_eq!(uuids.len(), 2, "{out}");
    assert_ne!(uuids[0], uuids[1]);
}

#[test]
fn each_commit_notes_what_it_did_to_the_watched_balances_under_its_own_session() {
    use super::{Commit, MoneyWatch};
    let mut t = Db::new();
    let setup = t.db.connect();
    t.q(
        setup,
        "CREATE TABLE accounts (id text PRIMARY KEY, balance numeric(12,2) NOT NULL); \
         INSERT INTO accounts VALUES ('alice', 100), ('bob', 0)",
    );
    t.db.watch_money(MoneyWatch::from_query("SELECT id, balance FROM accounts").unwrap());
    let (a, b) = (t.db.connect(), t.db.connect());
    // A block that updates alice twice and bob once: one commit, net deltas.
    t.q(a, "BEGIN");
    t.q(
        a,
        "UPDATE accounts SET balance = balance - 10 WHERE id = 'alice'",
    );
    t.q(
        a,
        "UPDATE accounts SET balance = balance - 5 WHERE id = 'alice'",
    );
    t.q(
        a,
        "UPDATE accounts SET balance = balance + 15 WHERE id = 'bob'",
    );
    // b's autocommit update waits on a's lock, and commits during a's COMMIT.
    assert_eq!(
        t.q(
            b,
            "UPDATE accounts SET balance = balance - 1 WHERE id = 'alice'"
        ),
        "blocked"
    );
    assert!(t.db.take_commits().is_empty(), "nothing committed yet");
    t.q(a, "COMMIT");
    assert_eq!(t.reply(b), "UPDATE 1");
    let commits = t.db.take_commits();
    let deltas = |c: &Commit| c.deltas.clone().unwrap();
    assert_eq!(commits.len(), 2, "{commits:?}");
    assert_eq!(commits[0].session, a);
    assert_eq!(
        deltas(&commits[0]),
        [("alice".to_string(), -15), ("bob".to_string(), 15)]
    );
    assert_eq!(commits[1].session, b);
    assert_eq!(deltas(&commits[1]), [("alice".to_string(), -1)]);
    // A rollback and a statement that changes no balance note nothing.
    t.q(a, "BEGIN");
    t.q(a, "UPDATE accounts SET balance = 0");
    t.q(a, "ROLLBACK");
    t.q(a, "UPDATE accounts SET id = id WHERE id = 'bob'");
    assert!(t.db.take_commits().is_empty());
    assert_eq!(
        t.db.balances().unwrap(),
        [("alice".to_string(), 84), ("bob".to_string(), 15)]
    );
    // A fraction is no whole number of units: the commit says so.
    t.q(a, "UPDATE accounts SET balance = 1.5 WHERE id = 'bob'");
    let commits = t.db.take_commits();
    assert_eq!(commits[0].deltas.as_ref().unwrap_err().code, "22003");
}

#[test]
fn a_crash_rolls_every_open_transaction_back_at_once() {
    let mut t = Db::new();
    let s = t.db.connect();
    t.q(
        s,
        "CREATE TABLE t (id integer PRIMARY KEY, v bigint); INSERT INTO t VALUES (1, 0)",
    );
    let (a, b) = (t.db.connect(), t.db.connect());
    t.q(a, "BEGIN");
    t.q(a, "UPDATE t SET v = 1 WHERE id = 1");
    assert_eq!(t.q(b, "UPDATE t SET v = 2 WHERE id = 1"), "blocked");
    t.db.crash();
    // Neither ran: b did not resume to commit as a's work rolled back.
    let c = t.db.connect();
    assert_eq!(t.q(c, "SELECT v FROM t"), "0");
}

#[test]
fn a_balance_query_is_exactly_a_name_and_a_balance_from_one_table() {
    use super::MoneyWatch;
    assert!(MoneyWatch::from_query("SELECT id, balance FROM accounts").is_ok());
    for bad in [
        "SELECT id, balance FROM accounts WHERE balance > 0",
        "SELECT id FROM accounts",
        "SELECT id, balance + 1 FROM accounts",
        "SELECT a.id, b.balance FROM accounts a JOIN other b ON a.id = b.id",
        "UPDATE accounts SET balance = 0",
        "SELECT id, balance FROM accounts; SELECT 1",
    ] {
        assert!(MoneyWatch::from_query(bad).is_err(), "{bad}");
    }
}

#[test]
fn an_upsert_tells_an_insert_from_an_update_by_xmax_and_nothing_else_reads_it() {
    let mut t = Db::new();
    let s = t.db.connect();
    t.q(
        s,
        "CREATE TABLE k (key text PRIMARY KEY, hits int NOT NULL DEFAULT 1)",
    );
    let upsert = "INSERT INTO k (key) VALUES ('a') ON CONFLICT (key) DO UPDATE \
                  SET hits = k.hits + 1 RETURNING hits, (xmax = 0) AS inserted";
    assert_eq!(t.q(s, upsert), "1|t");
    assert_eq!(t.q(s, upsert), "2|f");
    assert_eq!(t.q(s, "INSERT INTO k VALUES ('b', 5) RETURNING *"), "b|5");
    assert_eq!(t.q(s, "SELECT xmax FROM k"), "ERROR 0A000");
    assert_eq!(
        t.q(s, "UPDATE k SET hits = 0 RETURNING xmin"),
        "ERROR 0A000"
    );
    assert!(
        t.db.prepare(upsert, &[]).is_ok(),
        "a prepared upsert describes xmax"
    );
}

#[test]
fn like_matches_with_backtracking_escapes_and_case_folding() {
    let mut d = Db::new();
    let a = d.db.connect();
    let check = |d: &mut Db, expr: &str| d.q(a, &format!("SELECT {expr}"));
    assert_eq!(
        check(&mut d, "'abcbcd' LIKE 'a%bcd'"),
        "t",
        "backtracks past the first bc"
    );
    assert_eq!(check(&mut d, "'abcbce' LIKE 'a%bcd'"), "f");
    assert_eq!(
        check(&mut d, "'a%c' LIKE 'a\\%c', 'abc' LIKE 'a\\%c'"),
        "t|f"
    );
    assert_eq!(check(&mut d, "'a_c' LIKE 'a!_c' ESCAPE '!'"), "t");
    assert_eq!(check(&mut d, "'ÄBC' ILIKE 'äb%', 'ÄBC' LIKE 'äb%'"), "t|f");
    assert_eq!(check(&mut d, "'x' LIKE '%%%_%%'"), "t");
    assert_eq!(check(&mut d, "NULL LIKE 'a', 'a' LIKE NULL"), "NULL|NULL");
    assert_eq!(check(&mut d, "'ab' LIKE 'a!' ESCAPE '!'"), "ERROR 22025");
    assert_eq!(check(&mut d, "1 LIKE '1'"), "ERROR 42883");
}

#[test]
fn distinct_and_having_shape_grouped_and_deduplicated_output() {
    let mut d = Db::new();
    let a = d.db.connect();
    d.q(a, "CREATE TABLE t (id int PRIMARY KEY, k text, n int)");
    d.q(
        a,
        "INSERT INTO t VALUES (1, 'a', 1), (2, 'a', 1), (3, NULL, 2), (4, NULL, 2), (5, 'b', 3)",
    );
    assert_eq!(
        d.q(a, "SELECT DISTINCT k, n FROM t ORDER BY k NULLS FIRST"),
        "NULL|2;a|1;b|3"
    );
    assert_eq!(d.q(a, "SELECT DISTINCT k FROM t ORDER BY n"), "ERROR 42P10");
    assert_eq!(
        d.q(
            a,
            "SELECT k, count(*) FROM t GROUP BY k HAVING count(*) > 1 ORDER BY k"
        ),
        "a|2;NULL|2"
    );
    assert_eq!(d.q(a, "SELECT sum(n) FROM t HAVING sum(n) > 100"), "");
    assert_eq!(
        d.q(a, "SELECT k FROM t WHERE id = 1 FOR UPDATE HAVING true"),
        "ERROR 42601"
    );
}

#[test]
fn serializable_fails_the_second_half_of_a_write_skew_at_commit() {
    let mut d = Db::new();
    let (a, b) = (d.db.connect(), d.db.connect());
    d.q(
        a,
        "CREATE TABLE on_call (doctor text PRIMARY KEY, active boolean NOT NULL)",
    );
    d.q(
        a,
        "INSERT INTO on_call VALUES ('alice', true), ('bob', true)",
    );
    for s in [a, b] {
        d.q(s, "BEGIN ISOLATION LEVEL SERIALIZABLE");
        assert_eq!(d.q(s, "SELECT count(*) FROM on_call WHERE active"), "2");
    }
    d.q(
        a,
        "UPDATE on_call SET active = false WHERE doctor = 'alice'",
    );
    d.q(b, "UPDATE on_call SET active = false WHERE doctor = 'bob'");
    assert_eq!(d.q(a, "COMMIT"), "COMMIT");
    // Doomed: its next read fails, before its COMMIT would.
    assert_eq!(
        d.q(b, "SELECT active FROM on_call WHERE doctor = 'bob'"),
        "ERROR 40001"
    );
    d.q(b, "ROLLBACK");
    assert_eq!(d.q(a, "SELECT count(*) FROM on_call WHERE active"), "1");

    // Under REPEATABLE READ the same schedule lets both commit.
    d.q(a, "UPDATE on_call SET active = true");
    for s in [a, b] {
        d.q(s, "BEGIN ISOLATION LEVEL REPEATABLE READ");
        d.q(s, "SELECT count(*) FROM on_call WHERE active");
    }
    d.q(
        a,
        "UPDATE on_call SET active = false WHERE doctor = 'alice'",
    );
    d.q(b, "UPDATE on_call SET active = false WHERE doctor = 'bob'");
    assert_eq!(d.q(a, "COMMIT"), "COMMIT");
    assert_eq!(d.q(b, "COMMIT"), "COMMIT");
    assert_eq!(d.q(a, "SELECT count(*) FROM on_call WHERE active"), "0");
}

#[test]
fn serializable_key_race_is_40001_and_disjoint_rows_commit() {
    let mut d = Db::new();
    let (a, b) = (d.db.connect(), d.db.connect());
    d.q(a, "CREATE TABLE keys (key text PRIMARY KEY)");
    d.q(
        a,
        "CREATE TABLE accounts (id integer PRIMARY KEY, balance integer)",
    );
    d.q(a, "INSERT INTO accounts VALUES (1, 100), (2, 100)");
    for s in [a, b] {
        d.q(s, "BEGIN ISOLATION LEVEL SERIALIZABLE");
        assert_eq!(d.q(s, "SELECT count(*) FROM keys WHERE key = 'k'"), "0");
    }
    d.q(a, "INSERT INTO keys VALUES ('k')");
    assert_eq!(d.q(b, "INSERT INTO keys VALUES ('k')"), "blocked");
    d.q(a, "COMMIT");
    // Not 23505: b read the key absent, so the duplicate is a serialization failure.
    assert_eq!(d.reply(b), "ERROR 40001");
    d.q(b, "ROLLBACK");

    // Reads and writes of different rows by primary key: row locks only.
    d.q(a, "BEGIN ISOLATION LEVEL SERIALIZABLE");
    d.q(b, "BEGIN ISOLATION LEVEL SERIALIZABLE");
    d.q(a, "SELECT balance FROM accounts WHERE id = 1");
    d.q(b, "SELECT balance FROM accounts WHERE id = 2");
    d.q(b, "UPDATE accounts SET balance = 90 WHERE id = 2");
    d.q(a, "UPDATE accounts SET balance = 90 WHERE id = 1");
    assert_eq!(d.q(a, "COMMIT"), "COMMIT");
    assert_eq!(d.q(b, "COMMIT"), "COMMIT");
}

#[test]
fn subqueries_run_before_their_statement_and_correlated_ones_for_each_row() {
    let mut d = Db::new();
    let (a, b) = (d.db.connect(), d.db.connect());
    d.q(
        a,
        "CREATE TABLE jobs (id integer PRIMARY KEY, state text NOT NULL, run_at timestamptz)",
    );
    d.q(
        a,
        "INSERT INTO jobs VALUES (1, 'ready', now()), (2, 'ready', now())",
    );
    let claim = "UPDATE jobs SET state = 'running' WHERE id = \
                 (SELECT id FROM jobs WHERE state = $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, run_at";
    // Parameters inside a subquery are typed from its own scope, and the
    // result's columns from the statement's.
    let prepared = d.db.prepare(claim, &[]).unwrap();
    assert_eq!(prepared.description.param_types, vec![25]);
    let oids: Vec<u32> = prepared
        .description
        .columns
        .iter()
        .map(|c| c.type_oid)
        .collect();
    assert_eq!(oids, vec![23, 1184]);
    let scalar =
        d.db.prepare("SELECT (SELECT run_at FROM jobs WHERE id = $1)", &[])
            .unwrap();
    assert_eq!(scalar.description.param_types, vec![23]);
    assert_eq!(scalar.description.columns[0].type_oid, 1184);

    d.q(a, "BEGIN");
    d.q(b, "BEGIN");
    let claim_literal = claim.replace("$1", "'ready'");
    assert!(d.q(a, &claim_literal).starts_with("1|"));
    // SKIP LOCKED: the second claim passes over the row the first holds.
    assert!(d.q(b, &claim_literal).starts_with("2|"));
    d.q(a, "COMMIT");
    d.q(b, "COMMIT");

    // A correlated subquery runs for each row, and is typed before any.
    let correlated = "SELECT id, (SELECT run_at FROM jobs k WHERE k.id = j.id AND k.id > 1) \
                      FROM jobs j WHERE EXISTS (SELECT 1 FROM jobs k WHERE k.id = j.id) ORDER BY id";
    let prepared = d.db.prepare(correlated, &[]).unwrap();
    assert_eq!(prepared.description.columns[1].type_oid, 1184);
    let rows = d.q(a, correlated);
    let lines: Vec<&str> = rows.split(';').collect();
    assert_eq!(lines.len(), 2, "{rows}");
    assert_eq!(lines[0], "1|NULL", "{rows}");
    assert_eq!(lines[1], "2|1970-01-01 00:00:01.002+00", "{rows}");
    // One that locks rows would wait in the middle of a row: refused.
    assert_eq!(
        d.q(
            a,
            "SELECT id FROM jobs j WHERE EXISTS (SELECT 1 FROM jobs k WHERE k.id = j.id FOR UPDATE)"
        ),
        "ERROR 0A000"
    );
    assert_eq!(
        d.q(a, "CREATE TABLE t (n integer CHECK (n > (SELECT 1)))"),
        "ERROR 0A000"
    );
    assert_eq!(d.q(a, "SELECT (SELECT id FROM jobs)"), "ERROR 21000");
}

#[test]
fn insert_select_takes_its_rows_and_its_parameter_types_from_the_target() {
    let mut d = Db::new();
    let a = d.db.connect();
    d.q(
        a,
        "CREATE TABLE keys (key text NOT NULL, attempts bigint NOT NULL DEFAULT 0)",
    );
    let insert_if_absent = "INSERT INTO keys (key, attempts) SELECT $1, $2 \
                            WHERE NOT EXISTS (SELECT 1 FROM keys WHERE key = $1) RETURNING attempts";
    let prepared = d.db.prepare(insert_if_absent, &[]).unwrap();
    assert_eq!(prepared.description.param_types, vec![25, 20]);
    assert_eq!(prepared.description.columns[0].type_oid, 20);
    let literal = insert_if_absent.replace("$1", "'k'").replace("$2", "7");
    assert_eq!(d.q(a, &literal), "7");
    // The key is there: no row, so nothing returned.
    assert_eq!(d.q(a, &literal), "");
    assert_eq!(
        d.q(
            a,
            "INSERT INTO keys SELECT key || '2' FROM keys RETURNING key, attempts"
        ),
        "k2|0"
    );
    assert_eq!(d.q(a, "SELECT 1 WHERE false"), "");
    assert_eq!(d.q(a, "SELECT count(*) FROM keys"), "2");
    assert_eq!(d.q(a, "SELECT count(*) WHERE true"), "1");
}
