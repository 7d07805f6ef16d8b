//! Payment endpoints on PostgreSQL, written with tokio-postgres as a team
//! writes them: the SQL runs unchanged against idemsim's database, and the
//! checker judges from what the database committed.
//!
//! Two common mistakes, each with its fix:
//!
//! * `sql-key-first` records the key in a transaction of its own, then moves
//!   the money in a second one ("atomic phases" done wrong). A crash, a
//!   reset connection or a dropped handler between the two leaves the key
//!   `started` for ever: every retry is told 409 and the payment never
//!   happens. `sql-one-transaction` claims the key, moves the money and
//!   stores the response in one transaction: a failure anywhere rolls the
//!   claim back with everything else.
//! * `sql-check-then-insert` looks the key up, and only if it is absent moves
//!   the money and records the key, with no unique constraint on the key:
//!   two attempts of one transfer that overlap (a retry after a timeout
//!   while the first is still running) both find nothing and both pay.
//!   `sql-one-transaction` is the fix here too: it inserts the key first
//!   with `ON CONFLICT DO NOTHING` on a unique key, in the transaction that
//!   moves the money, so the second attempt waits for the first to commit,
//!   then replays its stored response.
//!
//! The production code below knows nothing of idemsim: it takes a
//! [`Connect`] that gives it a tokio-postgres client. The test wiring
//! ([`service`]) opens that client on the stream idemsim hands out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use idemsim::service::{Env, Postgres, Service};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio_postgres::{Client, NoTls};

/// How the production code gets a connection.
pub trait Connect: Send + Sync + 'static {
    fn connect(&self) -> Pin<Box<dyn Future<Output = Result<Client, String>> + Send + '_>>;
}

/// Which way the endpoint is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The key in its own transaction, then the money.
    KeyFirst,
    /// Key, money and response in one transaction.
    OneTransaction,
    /// Look the key up, then pay and record it, unguarded.
    CheckThenInsert,
}

#[derive(Clone)]
struct App {
    connect: Arc<dyn Connect>,
    variant: Variant,
}

#[derive(serde::Deserialize)]
struct Transfer {
    from: String,
    to: String,
    amount: i64,
}

fn answer(status: u16, body: &str, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let mut response = (status, Json(body)).into_response();
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            "true".parse().expect("a header value"),
        );
    }
    response
}

fn unavailable() -> Response {
    answer(503, r#"{"code":"database_unavailable"}"#, false)
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
    let Ok(mut client) = app.connect.connect().await else {
        return unavailable();
    };
    let result = match app.variant {
        Variant::KeyFirst => key_first(&mut client, &key, &t).await,
        Variant::OneTransaction => one_transaction(&mut client, &key, &t).await,
        Variant::CheckThenInsert => check_then_insert(&mut client, &key, &t).await,
    };
    result.unwrap_or_else(|_| unavailable())
}

/// What a transfer stores and answers: 201 paid, or 402 when the payer
/// has too little.
async fn pay(
    tx: &tokio_postgres::Transaction<'_>,
    t: &Transfer,
) -> Result<(u16, String), tokio_postgres::Error> {
    let debited = tx
        .execute(
            "UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $1",
            &[&t.amount, &t.from],
        )
        .await?;
    if debited == 0 {
        return Ok((402, r#"{"code":"insufficient_funds"}"#.to_string()));
    }
    tx.execute(
        "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
        &[&t.amount, &t.to],
    )
    .await?;
    Ok((201, r#"{"status":"paid"}"#.to_string()))
}

/// The stored answer of a key, if it has one: `None` while it is started.
async fn stored(
    client: &impl tokio_postgres::GenericClient,
    key: &str,
) -> Result<Option<Option<(i32, String)>>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT state, status, body FROM idempotency_keys WHERE key = $1",
            &[&key],
        )
        .await?;
    Ok(row.map(|r| {
        let state: String = r.get(0);
        (state == "done").then(|| {
            (
                r.get::<_, Option<i32>>(1).unwrap_or(500),
                r.get::<_, Option<String>>(2).unwrap_or_default(),
            )
        })
    }))
}

fn replay(found: Option<(i32, String)>) -> Response {
    match found {
        Some((status, body)) => answer(u16::try_from(status).unwrap_or(500), &body, true),
        None => answer(409, r#"{"code":"in_progress"}"#, false),
    }
}

/// The bug of atomic phases done wrong: the key commits on its own first.
async fn key_first(
    client: &mut Client,
    key: &str,
    t: &Transfer,
) -> Result<Response, tokio_postgres::Error> {
    let claimed = client
        .execute(
            "INSERT INTO idempotency_keys (key, state) VALUES ($1, 'started') ON CONFLICT DO NOTHING",
            &[&key],
        )
        .await?;
    if claimed == 0 {
        return Ok(replay(stored(client, key).await?.flatten()));
    }
    let tx = client.transaction().await?;
    let (status, body) = pay(&tx, t).await?;
    tx.execute(
        "UPDATE idempotency_keys SET state = 'done', status = $2, body = $3 WHERE key = $1",
        &[&key, &i32::from(status), &body],
    )
    .await?;
    tx.commit().await?;
    Ok(answer(status, &body, false))
}

/// The fix: the claim, the money and the response commit together; a
/// second attempt's insert waits on the first's uncommitted key, then finds
/// it done.
async fn one_transaction(
    client: &mut Client,
    key: &str,
    t: &Transfer,
) -> Result<Response, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let claimed = tx
        .execute(
            "INSERT INTO idempotency_keys (key, state) VALUES ($1, 'started') ON CONFLICT (key) DO NOTHING",
            &[&key],
        )
        .await?;
    if claimed == 0 {
        let found = stored(&tx, key).await?.flatten();
        tx.commit().await?;
        return Ok(replay(found));
    }
    let (status, body) = pay(&tx, t).await?;
    tx.execute(
        "UPDATE idempotency_keys SET state = 'done', status = $2, body = $3 WHERE key = $1",
        &[&key, &i32::from(status), &body],
    )
    .await?;
    tx.commit().await?;
    Ok(answer(status, &body, false))
}

/// The race: look, then act, with nothing to stop two attempts from both
/// finding the key absent.
async fn check_then_insert(
    client: &mut Client,
    key: &str,
    t: &Transfer,
) -> Result<Response, tokio_postgres::Error> {
    if let Some(found) = stored(client, key).await? {
        return Ok(replay(found));
    }
    let tx = client.transaction().await?;
    let (status, body) = pay(&tx, t).await?;
    tx.execute(
        "INSERT INTO idempotency_keys (key, state, status, body) VALUES ($1, 'done', $2, $3)",
        &[&key, &i32::from(status), &body],
    )
    .await?;
    tx.commit().await?;
    Ok(answer(status, &body, false))
}

/// The production router.
pub fn router(connect: Arc<dyn Connect>, variant: Variant) -> Router {
    Router::new()
        .route("/transfers", post(transfer))
        .with_state(App { connect, variant })
}

/// The test wiring: a connection per request, on idemsim's stream.
struct Simulated(Postgres);

impl Connect for Simulated {
    fn connect(&self) -> Pin<Box<dyn Future<Output = Result<Client, String>> + Send + '_>> {
        Box::pin(async move {
            let stream = self.0.connect().await.map_err(|e| e.to_string())?;
            let (client, connection) = tokio_postgres::Config::new()
                .user("app")
                .dbname("payments")
                .connect_raw(stream, NoTls)
                .await
                .map_err(|e| e.to_string())?;
            tokio::spawn(self.0.drive(connection));
            Ok(client)
        })
    }
}

/// One of the four variants as a service.
pub fn service(variant: Variant) -> Service {
    let (name, summary) = match variant {
        Variant::KeyFirst => (
            "sql-key-first",
            "records the key in its own transaction, then pays",
        ),
        Variant::OneTransaction => (
            "sql-one-transaction",
            "claims the key, pays and stores the answer in one transaction",
        ),
        Variant::CheckThenInsert => (
            "sql-check-then-insert",
            "looks the key up, then pays and records it; no unique key",
        ),
    };
    Service::new(name, move |env: &Env| {
        router(Arc::new(Simulated(env.postgres())), variant)
    })
    .summary(summary)
}
