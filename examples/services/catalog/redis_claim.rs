//! An idempotent endpoint as many teams write it: a Redis claim in front of
//! the money.
//!
//! 1. A stored response for the key? Replay it.
//! 2. Claim the key: `SET lock:… OWNER NX PX 300`. Taken? 409, try later.
//! 3. Move the money in the ledger.
//! 4. Store the response in Redis for a day, and release the claim.
//!
//! It reads as safe, and most of the time it is. It is written against
//! `redis::aio::ConnectionLike`, so the same code takes a
//! `MultiplexedConnection` in production and idemsim's key store here.
//!
//! Its windows, which idemsim finds without being told where to look:
//!
//! * a crash between the ledger and step 4: nothing says the money moved,
//!   the claim expires, and the retry pays again;
//! * a ledger call slower than the claim: the claim expires while the
//!   money is moving, and the retry claims the key and pays again;
//! * a client that gives up waiting: hyper drops the handler wherever it
//!   is; dropped after the ledger, the response is never stored, and once
//!   the claim expires the retry pays again;
//! * two requests at once (a retry, or a copy a proxy sent again): the
//!   second checks for a stored response before the first has stored it,
//!   and claims the key just after the first released it — checking,
//!   claiming and storing are three steps, not one.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use idemsim::service::{Batch, BatchOutcome, Env, Ledger, Service, crash_point};
use rand::Rng;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// How long a claim holds the key.
pub const LOCK_MS: u64 = 300;

/// How long a stored response is kept, in seconds: a day.
pub const RESPONSE_TTL_S: u64 = 86_400;

#[derive(Clone)]
struct App<C> {
    redis: C,
    ledger: Ledger,
    /// How long a stored response is kept, in seconds.
    response_ttl_s: u64,
    /// Where claim owners' tokens come from.
    rng: Arc<Mutex<rand_chacha::ChaCha8Rng>>,
}

#[derive(serde::Deserialize)]
struct Transfer {
    from: String,
    to: String,
    amount: i64,
}

fn answer(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

fn error(status: u16, code: &str) -> Response {
    answer(status, json!({ "code": code }))
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn transfer<C>(
    State(app): State<App<C>>,
    headers: HeaderMap,
    Json(t): Json<Transfer>,
) -> Response
where
    C: redis::aio::ConnectionLike + Clone + Send + Sync + 'static,
{
    let Some(key) = header(&headers, "idempotency-key") else {
        return error(400, "missing_idempotency_key");
    };
    let scope = format!(
        "{}:{key}",
        header(&headers, "authorization").unwrap_or("anonymous")
    );
    let mut redis = app.redis.clone();

    // 1. A stored response: replay it.
    let stored: redis::RedisResult<Option<String>> = redis::cmd("GET")
        .arg(format!("response:{scope}"))
        .query_async(&mut redis)
        .await;
    match stored {
        Ok(Some(stored)) => {
            let stored: Value = serde_json::from_str(&stored).unwrap_or_default();
            let status = stored["status"].as_u64().unwrap_or(500) as u16;
            let mut response = answer(status, stored["body"].clone());
            response.headers_mut().insert(
                "idempotent-replayed",
                "true".parse().expect("a header value"),
            );
            return response;
        }
        Ok(None) => {}
        Err(_) => return error(503, "keys_unavailable"),
    }

    // 2. Claim the key.
    let owner = format!(
        "{:016x}",
        app.rng.lock().expect("not poisoned").random::<u64>()
    );
    let lock = format!("lock:{scope}");
    let claimed: redis::RedisResult<Option<String>> = redis::cmd("SET")
        .arg(&lock)
        .arg(&owner)
        .arg("NX")
        .arg("PX")
        .arg(LOCK_MS)
        .query_async(&mut redis)
        .await;
    match claimed {
        Ok(Some(_)) => {}
        Ok(None) => return error(409, "key_in_use"),
        Err(_) => return error(503, "keys_unavailable"),
    }
    crash_point("after-claim").await;

    // 3. Move the money.
    let (status, body) = match app
        .ledger
        .run(Batch::new().transfer(&t.from, &t.to, t.amount))
        .await
    {
        Ok(BatchOutcome::Committed { .. }) => (201, json!({ "status": "paid" })),
        Ok(BatchOutcome::Stopped { .. }) => (402, json!({ "code": "insufficient_funds" })),
        Err(_) => {
            let _ = release(&mut redis, &lock, &owner).await;
            return error(503, "ledger_unavailable");
        }
    };
    crash_point("after-ledger").await;

    // 4. Store the response, then release the claim.
    let stored = json!({ "status": status, "body": body }).to_string();
    let _: redis::RedisResult<()> = redis::cmd("SET")
        .arg(format!("response:{scope}"))
        .arg(stored)
        .arg("EX")
        .arg(app.response_ttl_s)
        .query_async(&mut redis)
        .await;
    let _ = release(&mut redis, &lock, &owner).await;
    answer(status, body)
}

/// Deletes the claim only if this request still owns it.
async fn release<C: redis::aio::ConnectionLike>(
    redis: &mut C,
    lock: &str,
    owner: &str,
) -> redis::RedisResult<i64> {
    redis::cmd("DELEX")
        .arg(lock)
        .arg("IFEQ")
        .arg(owner)
        .query_async(redis)
        .await
}

/// The service, over any Redis connection, keeping responses `response_ttl_s`.
pub fn router<C>(
    redis: C,
    ledger: Ledger,
    rng: rand_chacha::ChaCha8Rng,
    response_ttl_s: u64,
) -> Router
where
    C: redis::aio::ConnectionLike + Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/transfers", post(transfer::<C>))
        .with_state(App {
            redis,
            ledger,
            response_ttl_s,
            rng: Arc::new(Mutex::new(rng)),
        })
}

pub fn service() -> Service {
    service_keeping(RESPONSE_TTL_S)
}

/// The service under its name, keeping responses `response_ttl_s` seconds.
pub fn service_keeping(response_ttl_s: u64) -> Service {
    Service::new("redis-claim", move |env: &Env| {
        router(env.keys(), env.ledger(), env.rng(), response_ttl_s)
    })
    .summary("claims the key in Redis, moves the money, stores the response")
    .crash_points(["after-claim", "after-ledger"])
    .recovery_ms(LOCK_MS)
}
