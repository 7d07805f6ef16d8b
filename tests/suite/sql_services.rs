//! A service's own SQL against the database on the `ledger` host: the
//! example services' bugs are found by swarm and exhaustive search, the fix
//! holds, the money is read from the database's commits, and what a
//! database host suffers (a crash, a lost answer to COMMIT) behaves as a
//! real one's would.

use crate::common::{fault, load, root};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use idemsim::explore::exhaustive;
use idemsim::explore::sweep::{SweepConfig, sweep};
use idemsim::history::{Host, TxnResult, What};
use idemsim::service::{Env, Postgres, Service};
use idemsim::{
    DatabaseSpec, EndReason, Scenario, ScenarioSpec, SeedRange, TransferSpec, ViolationKind,
    run_scenario,
};
use std::sync::Arc;

fn scenario(file: &str) -> Scenario {
    load(&root().join(file)).unwrap_or_else(|e| panic!("{e}"))
}

/// `spec` built with the example services.
fn rebuilt(spec: ScenarioSpec) -> Result<Scenario, idemsim::InputError> {
    spec.into_builder()
        .services(&crate::common::services())
        .build()
}

/// The SQL each request of the run ran, in order: (transfer, attempt, text).
fn statements(events: &[idemsim::history::Event]) -> Vec<(u32, u32, String)> {
    crate::common::service_calls(events)
        .into_iter()
        .map(|(tag, _, op)| (tag.transfer.0, tag.attempt, op.request.clone()))
        .collect()
}

#[test]
fn a_services_own_sql_runs_and_the_money_is_read_from_the_databases_commits() {
    let s = scenario("scenarios/services/sql-one-transaction.toml");
    let run = run_scenario(&s, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    assert_eq!(run.output.balance(&s, "alice"), Some(8_500));
    assert_eq!(run.output.balance(&s, "bob"), Some(11_500));
    // Each transfer's one transaction moved its money, filed under it.
    let moves: Vec<(u32, u32, i64)> = run
        .output
        .entries
        .iter()
        .map(|e| (e.tag.transfer.0, e.tag.attempt, e.delta))
        .collect();
    assert_eq!(
        moves,
        [(0, 1, -2_500), (0, 1, 2_500), (1, 1, 1_000), (1, 1, -1_000)]
    );
    let sql = statements(&run.output.events);
    assert!(
        sql.iter()
            .any(|(t, a, text)| (*t, *a) == (0, 1)
                && text.starts_with("INSERT INTO idempotency_keys")),
        "{sql:?}"
    );
    assert_eq!(
        sql.iter().filter(|(_, _, text)| text == "COMMIT").count(),
        2,
        "{sql:?}"
    );
}

#[test]
fn the_key_committed_on_its_own_is_found_by_swarm_and_by_one_fault() {
    let s = scenario("scenarios/services/sql-key-first.toml");
    crate::common::assert_swarm_finds(&s, "0..30", ViolationKind::LostApply);
    let plan = exhaustive::plan(&s, 1, exhaustive::Budget::schedules(2_000)).unwrap();
    let searched = exhaustive::search(&s, plan, 1, &mut |_| {});
    let first = searched
        .first
        .get(&ViolationKind::StuckKey)
        .expect("one fault leaves the key started for ever");
    assert_eq!(first.len(), 1, "{first:?}");
}

#[test]
fn check_then_insert_without_a_unique_key_pays_twice_under_swarm_and_one_fault() {
    let s = scenario("scenarios/services/sql-check-then-insert.toml");
    crate::common::assert_swarm_finds(&s, "0..120", ViolationKind::DoubleApply);
    let plan = exhaustive::plan(&s, 1, exhaustive::Budget::schedules(2_000)).unwrap();
    let searched = exhaustive::search(&s, plan, 1, &mut |_| {});
    assert!(
        searched.first.contains_key(&ViolationKind::DoubleApply),
        "{:?}",
        searched.first
    );
    // The race itself: the duplicate's debit waited on the first's row
    // lock, and went on once the first committed.
    let run = run_scenario(&s, None);
    let debits: Vec<(u32, u64)> = run
        .output
        .entries
        .iter()
        .filter(|e| e.delta < 0 && e.tag.transfer.0 == 0)
        .map(|e| (e.tag.attempt, e.transfer_id))
        .collect();
    assert_eq!(
        debits,
        [(1, 1), (1, 2)],
        "both copies of t1's request paid, in two transactions"
    );
    let sql = statements(&run.output.events);
    assert!(
        sql.iter()
            .filter(|(t, _, text)| *t == 0 && text.starts_with("SELECT state"))
            .count()
            >= 2,
        "both looked the key up: {sql:?}"
    );
}

#[test]
fn the_fix_holds_on_swarm_seeds_and_every_single_fault() {
    let s = scenario("scenarios/services/sql-one-transaction.toml");
    let config = SweepConfig::swarm(SeedRange::parse("0..200").unwrap(), 2);
    let report = sweep(&s, &config, &mut |_| {});
    assert_eq!(report.ran, 200);
    assert!(report.failures.is_empty(), "{:?}", report.failures.first());
    let plan = exhaustive::plan(&s, 1, exhaustive::Budget::schedules(2_000)).unwrap();
    let searched = exhaustive::search(&s, plan, 1, &mut |_| {});
    assert!(searched.first.is_empty(), "{:?}", searched.first);
    assert!(searched.explored > 100, "{} schedules", searched.explored);
}

/// Both fixes hold on every schedule of up to two faults: about 312,000
/// schedules each, several minutes, so CI runs it with the other long
/// searches (`--ignored sql_fixes_hold`).
#[test]
#[ignore = "long: every schedule of up to two faults of two services (CI runs it)"]
fn sql_fixes_hold_on_every_schedule_of_up_to_two_faults() {
    for file in [
        "scenarios/services/sql-one-transaction.toml",
        "scenarios/services/sql-on-conflict.toml",
    ] {
        let s = scenario(file);
        let plan = exhaustive::plan(&s, 2, exhaustive::Budget::most()).unwrap();
        let searched = exhaustive::search(&s, plan, 2, &mut |_| {});
        assert!(!searched.stopped, "{file}: every schedule ran");
        assert!(searched.first.is_empty(), "{file}: {:?}", searched.first);
        assert!(
            searched.explored > 300_000,
            "{file}: {} schedules",
            searched.explored
        );
    }
}

#[test]
fn the_pooled_fix_makes_the_duplicate_wait_then_replay() {
    let mut spec = scenario("scenarios/services/sql-on-conflict.toml").to_spec();
    spec.targeted = vec![fault(
        r#"{ kind = "duplicate", transfer = "t1", attempt = 1, message = "request" }"#,
    )];
    let s = rebuilt(spec).unwrap();
    let run = run_scenario(&s, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    let paid = run
        .output
        .entries
        .iter()
        .filter(|e| e.delta < 0 && e.tag.transfer.0 == 0)
        .count();
    assert_eq!(paid, 1);
    let swarm = SweepConfig::swarm(SeedRange::parse("0..100").unwrap(), 2);
    let report = sweep(&s, &swarm, &mut |_| {});
    assert!(report.failures.is_empty(), "{:?}", report.failures.first());
}

/// The same fix on a bb8 pool, whose production code lends clients from a
/// `bb8::Pool` of any manager: the duplicate waits on the uncommitted key
/// and replays, a lost answer to the COMMIT replays, and a swarm of faults
/// finds nothing; its connections are the database's (the statements are in
/// the timeline as the ledger's calls).
#[test]
fn a_bb8_pool_runs_the_fix_unchanged() {
    let base = scenario("scenarios/services/sql-on-conflict-bb8.toml");
    assert_eq!(base.api.service().unwrap().name(), "sql-on-conflict-bb8");
    let mut spec = base.to_spec();
    spec.targeted = vec![fault(
        r#"{ kind = "duplicate", transfer = "t1", attempt = 1, message = "request" }"#,
    )];
    let duplicated = rebuilt(spec.clone()).unwrap();
    let run = run_scenario(&duplicated, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    let debits = |run: &idemsim::Run| {
        run.output
            .entries
            .iter()
            .filter(|e| e.delta < 0 && e.tag.transfer.0 == 0)
            .count()
    };
    assert_eq!(debits(&run), 1);
    assert!(
        !statements(&run.output.events).is_empty(),
        "the pool's statements ran on the database"
    );
    let commit_lost = statements(&run_scenario(&base, None).output.events)
        .iter()
        .filter(|(t, a, _)| (*t, *a) == (0, 1))
        .position(|(_, _, text)| text == "COMMIT")
        .expect("the first attempt commits")
        + 1;
    spec.targeted = vec![fault(&format!(
        r#"{{ kind = "drop", transfer = "t1", attempt = 1, message = "ledger-{commit_lost}-result" }}"#
    ))];
    let run = run_scenario(&rebuilt(spec).unwrap(), None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    assert_eq!(debits(&run), 1, "the commit stands and the retry replays");
    let swarm = SweepConfig::swarm(SeedRange::parse("0..100").unwrap(), 2);
    let report = sweep(&base, &swarm, &mut |_| {});
    assert!(report.failures.is_empty(), "{:?}", report.failures.first());
}

#[test]
fn a_crash_of_the_database_rolls_back_the_open_transaction_and_a_retry_pays_once() {
    let mut spec = scenario("scenarios/services/sql-one-transaction.toml").to_spec();
    // After the key's insert, inside the open transaction.
    spec.targeted = vec![fault(
        r#"{ kind = "crash", host = "ledger", transfer = "t1", attempt = 1, at = "after:ledger-2" }"#,
    )];
    let s = rebuilt(spec).unwrap();
    let run = run_scenario(&s, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    assert!(
        run.output.events.iter().any(|e| matches!(
            e.what,
            What::Crashed {
                host: Host::Ledger,
                ..
            }
        )),
        "the database host crashed"
    );
    let paid_by: Vec<u32> = run
        .output
        .entries
        .iter()
        .filter(|e| e.tag.transfer.0 == 0 && e.delta < 0)
        .map(|e| e.tag.attempt)
        .collect();
    assert_eq!(paid_by.len(), 1, "paid once: {paid_by:?}");
    assert!(paid_by[0] > 1, "by a retry, after the crash: {paid_by:?}");
}

/// Which of t1's first attempt's database calls is its COMMIT (from 1).
fn first_attempts_commit(events: &[idemsim::history::Event]) -> usize {
    statements(events)
        .iter()
        .filter(|(t, a, _)| (*t, *a) == (0, 1))
        .position(|(_, _, text)| text == "COMMIT")
        .expect("the first attempt commits")
        + 1
}

#[test]
fn a_lost_answer_to_commit_is_a_commit_the_service_never_learns_of() {
    let s = scenario("scenarios/services/sql-one-transaction.toml");
    let plain = run_scenario(&s, None);
    let commit_call = first_attempts_commit(&plain.output.events);
    let mut spec = s.to_spec();
    spec.targeted = vec![fault(&format!(
        r#"{{ kind = "drop", transfer = "t1", attempt = 1, message = "ledger-{commit_call}-result" }}"#
    ))];
    let s = rebuilt(spec).unwrap();
    let run = run_scenario(&s, None);
    assert!(run.verdict.met, "the retry replays: {:?}", run.verdict);
    let t1: Vec<(u32, i64)> = run
        .output
        .entries
        .iter()
        .filter(|e| e.tag.transfer.0 == 0)
        .map(|e| (e.tag.attempt, e.delta))
        .collect();
    assert_eq!(
        t1,
        [(1, -2_500), (1, 2_500)],
        "the first attempt's commit stands"
    );
    assert!(
        run.output
            .events
            .iter()
            .any(|e| matches!(e.what, What::Lost { .. })),
        "the answer was lost"
    );
    let attempts = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Finished {
                transfer, attempts, ..
            } if transfer.0 == 0 => Some(*attempts),
            _ => None,
        })
        .next();
    assert!(attempts.is_some_and(|a| a >= 2), "{attempts:?}");
}

/// The database link carries frames in no time, and is judged as frames are
/// written: a round trip costs one step, and a delay fault still holds the
/// one answer it names, on the link, until its time.
#[test]
fn a_round_trip_to_the_database_takes_a_millisecond_and_a_held_answer_waits_its_time() {
    let s = scenario("scenarios/services/sql-one-transaction.toml");
    let plain = run_scenario(&s, None);
    let calls_at: Vec<u64> = plain
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Txn { tag, .. } if (tag.transfer.0, tag.attempt) == (0, 1) => Some(e.at_ms),
            _ => None,
        })
        .collect();
    assert!(calls_at.len() >= 5, "{calls_at:?}");
    for pair in calls_at.windows(2) {
        // A simple query is one round trip, a statement prepared then run
        // is two.
        let gap_ms = pair[1] - pair[0];
        assert!((1..=2).contains(&gap_ms), "{calls_at:?}");
    }
    let commit_call = first_attempts_commit(&plain.output.events);
    let mut spec = s.to_spec();
    spec.targeted = vec![fault(&format!(
        r#"{{ kind = "delay", transfer = "t1", attempt = 1, message = "ledger-{commit_call}-result", delay_ms = 40 }}"#
    ))];
    let s = rebuilt(spec).unwrap();
    let run = run_scenario(&s, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    let at = |wanted: fn(&What) -> bool| {
        run.output
            .events
            .iter()
            .find(|e| wanted(&e.what))
            .map(|e| e.at_ms)
    };
    let held_ms = at(|w| matches!(w, What::Held { .. })).expect("the answer is held");
    let released_ms = at(|w| matches!(w, What::Released { .. })).expect("and released");
    assert_eq!(released_ms - held_ms, 40, "held for the fault's 40 ms");
    let answered_ms = run
        .output
        .events
        .iter()
        .find(|e| {
            matches!(&e.what, What::ApiReplied { tag, .. } if (tag.transfer.0, tag.attempt) == (0, 1))
        })
        .map(|e| e.at_ms)
        .expect("the first attempt answers");
    assert!(
        answered_ms >= released_ms,
        "the service learns of its commit only once the answer arrives: {answered_ms} < {released_ms}"
    );
}

/// A service whose requests share one connection, opened by the first
/// request and lent to one request at a time, as a pool does.
fn shared_connection_service() -> Service {
    type Shared = Arc<tokio::sync::Mutex<Option<tokio_postgres::Client>>>;
    async fn pay(State((db, conn)): State<(Postgres, Shared)>) -> StatusCode {
        let mut guard = conn.lock().await;
        if guard.is_none() {
            let Ok(stream) = db.connect().await else {
                return StatusCode::SERVICE_UNAVAILABLE;
            };
            let Ok((client, connection)) = tokio_postgres::Config::new()
                .user("app")
                .connect_raw(stream, tokio_postgres::NoTls)
                .await
            else {
                return StatusCode::SERVICE_UNAVAILABLE;
            };
            tokio::spawn(db.drive(connection));
            *guard = Some(client);
        }
        let client = guard.as_mut().expect("connected above");
        let paid = client
            .batch_execute(
                "BEGIN; UPDATE accounts SET balance = balance - 100 WHERE id = 'alice'; \
                 UPDATE accounts SET balance = balance + 100 WHERE id = 'bob'; COMMIT",
            )
            .await;
        match paid {
            Ok(()) => StatusCode::CREATED,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    Service::new("shared-connection", |env: &Env| {
        let shared: Shared = Arc::default();
        Router::new()
            .route("/transfers", post(pay))
            .with_state((env.postgres(), shared))
    })
}

fn database() -> DatabaseSpec {
    DatabaseSpec {
        setup: Some("CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL)".into()),
        setup_file: None,
        account: "INSERT INTO accounts VALUES ($1, $2)".into(),
        balances: "SELECT id, balance FROM accounts".into(),
    }
}

#[test]
fn a_connection_lent_to_one_request_after_another_files_each_commit_under_its_own_request() {
    let service = shared_connection_service();
    let s = ScenarioSpec::builder("shared", "naive")
        .service(service.name())
        .account("alice", 1_000)
        .account("bob", 0)
        .database(database())
        .client((0..3).map(|_| TransferSpec::new("alice", "bob", 100)))
        .services(&idemsim::Services::new().with(service))
        .build()
        .unwrap();
    let run = run_scenario(&s, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    let debits: Vec<u32> = run
        .output
        .entries
        .iter()
        .filter(|e| e.delta < 0)
        .map(|e| e.tag.transfer.0)
        .collect();
    // The connection's task was spawned by the first request; each commit
    // is still the request's that handed it the work.
    assert_eq!(debits, [0, 1, 2]);
}

#[test]
fn money_moved_by_work_no_request_sent_fails_the_run_and_says_why() {
    let service = Service::new("background-payer", |env: &Env| {
        let db = env.postgres();
        // A task of the process's own, outside any request.
        tokio::spawn(async move {
            let Ok(stream) = db.connect().await else {
                return;
            };
            let Ok((client, connection)) = tokio_postgres::Config::new()
                .user("app")
                .connect_raw(stream, tokio_postgres::NoTls)
                .await
            else {
                return;
            };
            tokio::spawn(connection);
            let _ = client
                .batch_execute("UPDATE accounts SET balance = balance - 1 WHERE id = 'alice'")
                .await;
        });
        Router::new().route("/transfers", post(|| async { StatusCode::CREATED }))
    });
    let s = ScenarioSpec::builder("background", "naive")
        .service(service.name())
        .account("alice", 1_000)
        .account("bob", 0)
        .database(database())
        .client([TransferSpec::new("alice", "bob", 100)])
        .services(&idemsim::Services::new().with(service))
        .build()
        .unwrap();
    let run = run_scenario(&s, None);
    match &run.output.end {
        EndReason::HostFailed {
            host: Some(Host::Ledger),
            message,
        } => assert!(message.contains("no request sent moved money"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_database_section_that_cannot_run_is_refused_where_it_is_written() {
    let base = std::fs::read_to_string(root().join("scenarios/services/sql-one-transaction.toml"))
        .unwrap();
    let cases = [
        (
            base.replace(
                "balances = \"SELECT id, balance FROM accounts\"",
                "balances = \"SELECT id, balance FROM accounts WHERE balance > 0\"",
            ),
            "balances",
            "exactly `SELECT <name column>, <balance column> FROM <table>`",
        ),
        (
            base.replace(
                "account = \"INSERT INTO accounts (id, balance) VALUES ($1, $2)\"",
                "account = \"INSERT INTO acounts (id, balance) VALUES ($1, $2)\"",
            ),
            "account",
            "42P01",
        ),
        (
            base.replace(
                "setup_file = \"sql/schema.sql\"",
                "setup = \"CREATE TABLE accounts (id text,\"",
            ),
            "setup",
            "SQLSTATE",
        ),
        (
            base.replace("sql/schema.sql", "sql/missing.sql"),
            "setup_file",
            "cannot read",
        ),
    ];
    for (text, field, expected) in cases {
        let dir = root().join("scenarios/services");
        let file = dir.join(format!("bad-{field}.toml.tmp"));
        std::fs::write(&file, &text).unwrap();
        let err = idemsim::Loader::new()
            .services(&crate::common::services())
            .load(&file)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        std::fs::remove_file(&file).unwrap();
        assert!(err.contains(expected), "{field}: {err}");
        let line = text
            .lines()
            .position(|l| l.starts_with(field))
            .map(|i| i + 1)
            .unwrap();
        assert!(
            err.contains(&format!(":{line}:")),
            "{field} at line {line}: {err}"
        );
    }
}

#[test]
fn a_run_on_the_database_replays_event_for_event() {
    let s = scenario("scenarios/services/sql-check-then-insert.toml");
    let config = SweepConfig::swarm(SeedRange::parse("0..10").unwrap(), 1);
    let mut seen = Vec::new();
    for _ in 0..2 {
        let report = sweep(&s, &config, &mut |_| {});
        seen.push(format!("{:?}", report.violation_counts));
    }
    assert_eq!(seen[0], seen[1]);
    let a = run_scenario(&s, Some(7));
    let b = run_scenario(&s, Some(7));
    assert_eq!(a.output.events, b.output.events);
}

#[test]
fn a_slow_database_works_on_each_request_while_the_faults_act() {
    let mut spec = scenario("scenarios/services/sql-on-conflict.toml").to_spec();
    spec.stores.ledger_work_ms = 40;
    let s = rebuilt(spec).unwrap();
    let run = run_scenario(&s, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    let calls: Vec<u64> = run
        .output
        .events
        .iter()
        .filter(|e| matches!(e.what, What::Txn { .. }))
        .map(|e| e.at_ms)
        .collect();
    let healed_ms = s.window.heal_at_ms;
    let slow: Vec<&[u64]> = calls.windows(2).filter(|w| w[1] < healed_ms).collect();
    assert!(!slow.is_empty());
    for w in slow {
        assert!(
            w[1] - w[0] >= 40,
            "calls {} ms apart: {calls:?}",
            w[1] - w[0]
        );
    }
}

/// A service that moves the money in three round trips: debit, credit,
/// commit; two transfers in opposite directions at once lock the two
/// accounts in opposite orders.
fn two_step_service() -> Service {
    #[derive(serde::Deserialize)]
    struct Transfer {
        from: String,
        to: String,
        amount: i64,
    }
    async fn pay(State(db): State<Postgres>, axum::Json(t): axum::Json<Transfer>) -> StatusCode {
        let Ok(mut client) = db.client(&tokio_postgres::Config::new()).await else {
            return StatusCode::SERVICE_UNAVAILABLE;
        };
        let paid = async {
            let tx = client.transaction().await?;
            tx.execute(
                "UPDATE accounts SET balance = balance - $1 WHERE id = $2",
                &[&t.amount, &t.from],
            )
            .await?;
            tx.execute(
                "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
                &[&t.amount, &t.to],
            )
            .await?;
            tx.commit().await
        };
        match paid.await {
            Ok(()) => StatusCode::CREATED,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    Service::new("two-step", |env: &Env| {
        Router::new()
            .route("/transfers", post(pay))
            .with_state(env.postgres())
    })
}

#[test]
fn a_deadlock_between_two_requests_is_broken_after_deadlock_timeout_of_simulated_time() {
    let service = two_step_service();
    let s = ScenarioSpec::builder("deadlock", "naive")
        .service(service.name())
        .account("alice", 1_000)
        .account("bob", 1_000)
        .database(database())
        .retry(idemsim::scenario::RetryPolicy {
            timeout_ms: 5_000,
            ..Default::default()
        })
        .client([TransferSpec::new("alice", "bob", 100)])
        .client([TransferSpec::new("bob", "alice", 10)])
        .services(&idemsim::Services::new().with(service))
        .build()
        .unwrap();
    let run = run_scenario(&s, None);
    let deadlocked: Vec<u64> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Txn {
                result: TxnResult::Service(op),
                ..
            } if op.answer.contains("ERROR 40P01") => Some(e.at_ms),
            _ => None,
        })
        .collect();
    assert_eq!(deadlocked.len(), 1, "one victim");
    assert!(
        deadlocked[0] >= idemsim::sql::DEADLOCK_TIMEOUT_MS,
        "broken at {} ms",
        deadlocked[0]
    );
    // The victim's client retries; both transfers end applied once.
    assert_eq!(run.output.balance(&s, "alice"), Some(910));
    assert_eq!(run.output.balance(&s, "bob"), Some(1_090));
}

#[test]
fn diesel_async_runs_unchanged_and_serializable_stops_the_race_snapshot_isolation_lets_through() {
    // REPEATABLE READ: the duplicated attempt's two transactions write
    // different rows, so both commit and the money moves twice.
    let rr = scenario("scenarios/services/sql-diesel-repeatable-read.toml");
    assert_eq!(
        rr.api.service().unwrap().name(),
        "sql-diesel-repeatable-read"
    );
    let run = run_scenario(&rr, None);
    assert_eq!(run.verdict.found, vec![idemsim::ViolationKind::DoubleApply]);

    // SERIALIZABLE, the same code: one of the two fails with 40001 (at the
    // statement that finds it doomed, or at COMMIT), its second run finds
    // the key, and alice is debited once.
    let ser = scenario("scenarios/services/sql-diesel-serializable.toml");
    let run = run_scenario(&ser, None);
    assert!(run.verdict.met, "{:?}", run.verdict);
    assert!(run.verdict.found.is_empty());
    let t1 =
        |op: &&(idemsim::history::Tag, u64, &idemsim::history::ServiceOp)| op.0.transfer.0 == 0;
    let calls = crate::common::service_calls(&run.output.events);
    let serialization_failures = calls
        .iter()
        .filter(t1)
        .filter(|(_, _, op)| op.answer.starts_with("ERROR 40001"))
        .count();
    assert_eq!(
        serialization_failures, 1,
        "one transaction of t1 fails to serialize"
    );
    let debits = run
        .output
        .entries
        .iter()
        .filter(|e| e.delta < 0 && e.tag.transfer.0 == 0)
        .count();
    assert_eq!(debits, 1);
    // diesel's own SQL (quoted names, qualified columns, LIMIT $n) ran.
    assert!(calls.iter().any(|(_, _, op)| {
        op.request
            .starts_with("SELECT \"idempotency_keys\".\"state\"")
    }));
    let swarm = SweepConfig::swarm(SeedRange::parse("0..100").unwrap(), 2);
    let report = sweep(&ser, &swarm, &mut |_| {});
    assert!(report.failures.is_empty(), "{:?}", report.failures.first());
}
