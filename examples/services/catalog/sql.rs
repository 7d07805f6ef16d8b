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
//!   `sql-on-conflict` inserts the key first with `ON CONFLICT DO NOTHING`
//!   on a unique key, in the transaction that moves the money: the second
//!   attempt waits for the first to commit, then replays its stored
//!   response. Both take their connections from a deadpool-postgres pool;
//!   `sql-on-conflict-bb8` is the fix on a bb8 pool.
//!
//! The production code below knows nothing of idemsim: it takes a
//! [`Connect`] that opens a tokio-postgres client per request, a
//! `deadpool_postgres::Pool`, or a `bb8::Pool` of any manager whose
//! connections are tokio-postgres clients (bb8-postgres's in production).
//! The test wiring ([`service`]) builds each on the database idemsim runs, in
//! a line each.

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
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, GenericClient, NoTls, Row};

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
    /// Look the key up, then pay and record it, unguarded (pooled).
    CheckThenInsert,
    /// `INSERT … ON CONFLICT DO NOTHING` first, in the paying transaction
    /// (pooled).
    OnConflict,
}

/// Where the production code gets its connections.
#[derive(Clone)]
pub enum Source {
    /// A new connection per request.
    PerRequest(Arc<dyn Connect>),
    /// A pool that lends one connection to one request at a time.
    Pool(deadpool_postgres::Pool),
    /// A bb8 pool, whichever manager opens its connections.
    Bb8(Arc<dyn Lend>),
}

/// A bb8 pool lending tokio-postgres clients, for any manager.
pub trait Lend: Send + Sync + 'static {
    fn lend(&self) -> Pin<Box<dyn Future<Output = Result<Lent, String>> + Send + '_>>;
}

/// A client a bb8 pool lent, given back when dropped.
pub type Lent = Box<dyn std::ops::DerefMut<Target = Client> + Send>;

impl<M> Lend for bb8::Pool<M>
where
    M: bb8::ManageConnection<Connection = Client>,
    M::Error: std::error::Error,
{
    fn lend(&self) -> Pin<Box<dyn Future<Output = Result<Lent, String>> + Send + '_>> {
        Box::pin(async move {
            let lent: Lent = Box::new(self.get_owned().await.map_err(|e| e.to_string())?);
            Ok(lent)
        })
    }
}

/// A connection for one request: its own, or one borrowed from a pool.
enum Conn {
    Own(Client),
    Pooled(deadpool_postgres::Object),
    Lent(Lent),
}

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        match self {
            Conn::Own(client) => client,
            Conn::Pooled(object) => object,
            Conn::Lent(lent) => lent,
        }
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        match self {
            Conn::Own(client) => client,
            Conn::Pooled(object) => object,
            Conn::Lent(lent) => lent,
        }
    }
}

impl Source {
    async fn get(&self) -> Result<Conn, String> {
        match self {
            Source::PerRequest(connect) => connect.connect().await.map(Conn::Own),
            Source::Pool(pool) => pool
                .get()
                .await
                .map(Conn::Pooled)
                .map_err(|e| e.to_string()),
            Source::Bb8(pool) => pool.lend().await.map(Conn::Lent),
        }
    }
}

#[derive(Clone)]
struct App {
    source: Source,
    variant: Variant,
}

/// The body of `POST /transfers`.
#[derive(serde::Deserialize)]
pub(super) struct Transfer {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) amount: i64,
}

/// A JSON answer, marked when it replays a stored one.
pub(super) fn answer(status: u16, body: &str, replayed: bool) -> Response {
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

/// The answer when the database cannot be reached or fails.
pub(super) fn unavailable() -> Response {
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
    let Ok(mut conn) = app.source.get().await else {
        return unavailable();
    };
    let client: &mut Client = &mut conn;
    // The pooled variants send each statement with its types, in one go.
    let sql = match app.source {
        Source::PerRequest(_) => Style::Prepared,
        Source::Pool(_) | Source::Bb8(_) => Style::Typed,
    };
    let result = match app.variant {
        Variant::KeyFirst => key_first(sql, client, &key, &t).await,
        Variant::OneTransaction | Variant::OnConflict => {
            one_transaction(sql, client, &key, &t).await
        }
        Variant::CheckThenInsert => check_then_insert(sql, client, &key, &t).await,
    };
    result.unwrap_or_else(|_| unavailable())
}

/// How the code sends a statement: prepared, then executed (two round
/// trips: tokio-postgres's `execute` and `query_opt`), or in one go with
/// its parameters' types (`execute_typed`, `query_typed_opt`), as code
/// behind a pool often does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Prepared,
    Typed,
}

type Param<'a> = (&'a (dyn ToSql + Sync), Type);

impl Style {
    async fn execute(
        self,
        c: &impl GenericClient,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<u64, tokio_postgres::Error> {
        match self {
            Style::Prepared => c.execute(sql, &values(params)).await,
            Style::Typed => c.execute_typed(sql, params).await,
        }
    }

    async fn query_opt(
        self,
        c: &impl GenericClient,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<Row>, tokio_postgres::Error> {
        match self {
            Style::Prepared => c.query_opt(sql, &values(params)).await,
            Style::Typed => c.query_typed_opt(sql, params).await,
        }
    }
}

fn values<'a>(params: &[Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|(value, _)| *value).collect()
}

/// What a transfer stores and answers: 201 paid, or 402 when the payer
/// has too little.
async fn pay(
    sql: Style,
    tx: &tokio_postgres::Transaction<'_>,
    t: &Transfer,
) -> Result<(u16, String), tokio_postgres::Error> {
    let debited = sql
        .execute(
            tx,
            "UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $1",
            &[(&t.amount, Type::INT8), (&t.from, Type::TEXT)],
        )
        .await?;
    if debited == 0 {
        return Ok((402, r#"{"code":"insufficient_funds"}"#.to_string()));
    }
    sql.execute(
        tx,
        "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
        &[(&t.amount, Type::INT8), (&t.to, Type::TEXT)],
    )
    .await?;
    Ok((201, r#"{"status":"paid"}"#.to_string()))
}

/// The stored answer of a key, if it has one: `None` while it is started.
async fn stored(
    sql: Style,
    client: &impl GenericClient,
    key: &str,
) -> Result<Option<Option<(i32, String)>>, tokio_postgres::Error> {
    let row = sql
        .query_opt(
            client,
            "SELECT state, status, body FROM idempotency_keys WHERE key = $1",
            &[(&key, Type::TEXT)],
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

/// Marks the key done with the answer, in the paying transaction.
async fn finish(
    sql: Style,
    tx: &tokio_postgres::Transaction<'_>,
    key: &str,
    status: u16,
    body: &str,
) -> Result<u64, tokio_postgres::Error> {
    sql.execute(
        tx,
        "UPDATE idempotency_keys SET state = 'done', status = $2, body = $3 WHERE key = $1",
        &[
            (&key, Type::TEXT),
            (&i32::from(status), Type::INT4),
            (&body, Type::TEXT),
        ],
    )
    .await
}

/// The bug of atomic phases done wrong: the key commits on its own first.
async fn key_first(
    sql: Style,
    client: &mut Client,
    key: &str,
    t: &Transfer,
) -> Result<Response, tokio_postgres::Error> {
    let claimed = sql
        .execute(
            &*client,
            "INSERT INTO idempotency_keys (key, state) VALUES ($1, 'started') ON CONFLICT DO NOTHING",
            &[(&key, Type::TEXT)],
        )
        .await?;
    if claimed == 0 {
        return Ok(replay(stored(sql, &*client, key).await?.flatten()));
    }
    let tx = client.transaction().await?;
    let (status, body) = pay(sql, &tx, t).await?;
    finish(sql, &tx, key, status, &body).await?;
    tx.commit().await?;
    Ok(answer(status, &body, false))
}

/// The fix: the claim, the money and the response commit together; a
/// second attempt's insert waits on the first's uncommitted key, then finds
/// it done.
async fn one_transaction(
    sql: Style,
    client: &mut Client,
    key: &str,
    t: &Transfer,
) -> Result<Response, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let claimed = sql
        .execute(
            &tx,
            "INSERT INTO idempotency_keys (key, state) VALUES ($1, 'started') ON CONFLICT (key) DO NOTHING",
            &[(&key, Type::TEXT)],
        )
        .await?;
    if claimed == 0 {
        let found = stored(sql, &tx, key).await?.flatten();
        tx.commit().await?;
        return Ok(replay(found));
    }
    let (status, body) = pay(sql, &tx, t).await?;
    finish(sql, &tx, key, status, &body).await?;
    tx.commit().await?;
    Ok(answer(status, &body, false))
}

/// The race: look, then act, with nothing to stop two attempts from both
/// finding the key absent.
async fn check_then_insert(
    sql: Style,
    client: &mut Client,
    key: &str,
    t: &Transfer,
) -> Result<Response, tokio_postgres::Error> {
    if let Some(found) = stored(sql, &*client, key).await? {
        return Ok(replay(found));
    }
    let tx = client.transaction().await?;
    let (status, body) = pay(sql, &tx, t).await?;
    sql.execute(
        &tx,
        "INSERT INTO idempotency_keys (key, state, status, body) VALUES ($1, 'done', $2, $3)",
        &[
            (&key, Type::TEXT),
            (&i32::from(status), Type::INT4),
            (&body, Type::TEXT),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(answer(status, &body, false))
}

/// The production router.
pub fn router(source: Source, variant: Variant) -> Router {
    Router::new()
        .route("/transfers", post(transfer))
        .with_state(App { source, variant })
}

/// The test wiring: a connection per request, on idemsim's stream, as a
/// team would write it with nothing but tokio-postgres.
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

/// The test wiring of a pooled variant: deadpool-postgres on the database.
fn pool(db: &Postgres) -> deadpool_postgres::Pool {
    let mut config = tokio_postgres::Config::new();
    config.user("app").dbname("payments");
    let manager = db.deadpool(config, deadpool_postgres::ManagerConfig::default());
    deadpool_postgres::Pool::builder(manager)
        .max_size(4)
        .build()
        .expect("a pool with no timeouts builds")
}

/// The test wiring of the bb8 fix: bb8 on the database, with no reaper
/// (the pool's idle and lifetime limits off), so that no task of its own
/// keeps quiet time from being skipped.
fn bb8_pool(db: &Postgres) -> bb8::Pool<idemsim::service::Bb8Manager> {
    let mut config = tokio_postgres::Config::new();
    config.user("app").dbname("payments");
    bb8::Pool::builder()
        .max_size(4)
        .idle_timeout(None)
        .max_lifetime(None)
        .build_unchecked(db.bb8(config))
}

/// `sql-on-conflict` on a bb8 pool: the production code lends its clients
/// from a `bb8::Pool` through [`Lend`], whatever the manager.
pub fn service_bb8() -> Service {
    Service::new("sql-on-conflict-bb8", |env: &Env| {
        let pool = bb8_pool(&env.postgres());
        router(Source::Bb8(Arc::new(pool)), Variant::OnConflict)
    })
    .summary(
        "INSERT … ON CONFLICT DO NOTHING on a unique key, in the paying transaction (bb8 pool)",
    )
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
            "looks the key up, then pays and records it; no unique key (pooled)",
        ),
        Variant::OnConflict => (
            "sql-on-conflict",
            "INSERT … ON CONFLICT DO NOTHING on a unique key, in the paying transaction (pooled)",
        ),
    };
    Service::new(name, move |env: &Env| {
        let db = env.postgres();
        let source = match variant {
            Variant::KeyFirst | Variant::OneTransaction => {
                Source::PerRequest(Arc::new(Simulated(db)))
            }
            Variant::CheckThenInsert | Variant::OnConflict => Source::Pool(pool(&db)),
        };
        router(source, variant)
    })
    .summary(summary)
}
