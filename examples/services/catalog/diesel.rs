//! A payment endpoint written with diesel's query builder on diesel-async,
//! on an append-only ledger (a balance is the sum of its account's
//! entries), relying on the isolation level instead of a unique key: in one
//! transaction it looks the key up, sums the payer's entries, adds the
//! transfer's two entries and records the key; it runs the transaction
//! again when PostgreSQL fails it with a serialization failure (40001), as
//! PostgreSQL's documentation tells such clients to.
//!
//! Two overlapping attempts of one transfer both find the key absent and
//! both add entries; no row is updated, so no row lock or "concurrent
//! update" stands between them. Under REPEATABLE READ (snapshot isolation)
//! both commit and the money moves twice: `sql-diesel-repeatable-read`.
//! Under SERIALIZABLE, PostgreSQL sees that each read what the other wrote
//! and fails one; its second run finds the key and replays:
//! `sql-diesel-serializable`.
//!
//! It answers as the tokio-postgres services of `sql` do, with their
//! request body and answers. The production code knows nothing of
//! idemsim: it takes diesel-async's deadpool pool of `AsyncPgConnection`s,
//! as a diesel-async service does. The test wiring ([`service`]) builds
//! the pool with a setup function that opens each connection on idemsim's
//! database (a tokio-postgres client, made a diesel connection by
//! `AsyncPgConnection::try_from`) instead of from the URL: the hook
//! diesel-async offers for TLS and other custom connections.

use super::sql::{Transfer, answer, unavailable};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use idemsim::service::{Env, Postgres, Service};

diesel::table! {
    entries (id) {
        id -> BigInt,
        account -> Text,
        amount -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (key) {
        key -> Text,
        state -> Text,
        status -> Nullable<Integer>,
        body -> Nullable<Text>,
    }
}

/// How many times a transaction runs before the handler gives up on
/// serialization failures.
const MAX_TRANSACTION_RUNS: usize = 5;

/// How many connections the pool keeps.
const POOL_CONNECTIONS: usize = 8;

#[derive(Clone)]
struct App {
    pool: Pool<AsyncPgConnection>,
    level: Level,
}

/// The isolation level of the paying transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    RepeatableRead,
    Serializable,
}

/// What one run of the transaction decided.
enum Outcome {
    Replayed(Option<(i32, String)>),
    Paid(u16, String),
}

/// The production handler: `POST /transfers` with an `Idempotency-Key`.
async fn transfer(State(app): State<App>, headers: HeaderMap, Json(t): Json<Transfer>) -> Response {
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|k| k.to_str().ok())
        .map(str::to_string)
    else {
        return answer(400, r#"{"code":"missing_key"}"#, false);
    };
    let Ok(mut conn) = app.pool.get().await else {
        return unavailable();
    };
    for _ in 0..MAX_TRANSACTION_RUNS {
        match run_once(&mut conn, app.level, &key, &t).await {
            Ok(Outcome::Replayed(Some((status, body)))) => {
                return answer(u16::try_from(status).unwrap_or(500), &body, true);
            }
            Ok(Outcome::Replayed(None)) => {
                return answer(409, r#"{"code":"in_progress"}"#, false);
            }
            Ok(Outcome::Paid(status, body)) => return answer(status, &body, false),
            Err(Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _)) => continue,
            Err(_) => return unavailable(),
        }
    }
    unavailable()
}

/// One run of the transaction: look the key up, pay, record the key.
async fn run_once(
    conn: &mut AsyncPgConnection,
    level: Level,
    key: &str,
    t: &Transfer,
) -> Result<Outcome, Error> {
    let builder = conn.build_transaction();
    let mut builder = match level {
        Level::RepeatableRead => builder.repeatable_read(),
        Level::Serializable => builder.serializable(),
    };
    builder
        .run(|conn| {
            async move {
                let found: Option<(String, Option<i32>, Option<String>)> = idempotency_keys::table
                    .filter(idempotency_keys::key.eq(key))
                    .select((
                        idempotency_keys::state,
                        idempotency_keys::status,
                        idempotency_keys::body,
                    ))
                    .first(conn)
                    .await
                    .optional()?;
                if let Some((state, status, body)) = found {
                    let done = (state == "done")
                        .then(|| (status.unwrap_or(500), body.unwrap_or_default()));
                    return Ok(Outcome::Replayed(done));
                }
                let (status, body) = pay(conn, t).await?;
                diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::key.eq(key),
                        idempotency_keys::state.eq("done"),
                        idempotency_keys::status.eq(i32::from(status)),
                        idempotency_keys::body.eq(&body),
                    ))
                    .execute(conn)
                    .await?;
                Ok(Outcome::Paid(status, body))
            }
            .scope_boxed()
        })
        .await
}

/// Pays if the payer's entries cover the amount: two new entries.
async fn pay(conn: &mut AsyncPgConnection, t: &Transfer) -> Result<(u16, String), Error> {
    let amounts: Vec<i64> = entries::table
        .filter(entries::account.eq(&t.from))
        .select(entries::amount)
        .load(conn)
        .await?;
    if amounts.iter().sum::<i64>() < t.amount {
        return Ok((402, r#"{"code":"insufficient_funds"}"#.to_string()));
    }
    diesel::insert_into(entries::table)
        .values(&vec![
            (entries::account.eq(&t.from), entries::amount.eq(-t.amount)),
            (entries::account.eq(&t.to), entries::amount.eq(t.amount)),
        ])
        .execute(conn)
        .await?;
    Ok((201, r#"{"status":"paid"}"#.to_string()))
}

/// The production router, on a pool built from the service's
/// configuration.
pub fn router(pool: Pool<AsyncPgConnection>, level: Level) -> Router {
    Router::new()
        .route("/transfers", post(transfer))
        .with_state(App { pool, level })
}

/// The test wiring: diesel-async's pool, whose connections are
/// tokio-postgres clients on idemsim's database. The URL names what the
/// setup function ignores: it is there because the manager asks for one.
fn pool(db: Postgres) -> Pool<AsyncPgConnection> {
    let mut config = ManagerConfig::default();
    config.custom_setup = Box::new(move |_url| {
        let db = db.clone();
        Box::pin(async move {
            let mut config = tokio_postgres::Config::new();
            config.user("app").dbname("payments");
            let client = db
                .client(&config)
                .await
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            AsyncPgConnection::try_from(client).await
        })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        "postgres://app@db/payments",
        config,
    );
    Pool::builder(manager)
        .max_size(POOL_CONNECTIONS)
        .build()
        .expect("a pool without timeouts needs no runtime to build")
}

/// The service at one isolation level: SERIALIZABLE is the fix.
pub fn service(level: Level) -> Service {
    let (name, summary) = match level {
        Level::Serializable => (
            "sql-diesel-serializable",
            "diesel-async: looks the key up, pays and records it in one SERIALIZABLE transaction, run again on 40001",
        ),
        Level::RepeatableRead => (
            "sql-diesel-repeatable-read",
            "diesel-async: the same transaction at REPEATABLE READ (snapshot isolation); no unique key",
        ),
    };
    Service::new(name, move |env: &Env| router(pool(env.postgres()), level)).summary(summary)
}
