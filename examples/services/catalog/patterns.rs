//! Services built the way third-party middleware is: their own tokio timers,
//! spawned tasks and timeouts, and no idemsim call anywhere in their code.
//! idemsim must run them as a real stack would, with every millisecond of
//! simulated time seen by their timers (skipping quiet time or not), and
//! attribute what their spawned tasks do to the request that spawned them.
//!
//! * `detached-lease`: an in-process idempotency layer. It runs the inner
//!   service in a task of its own, so the work finishes even if the client
//!   hangs up, and keeps a lease on the key, renewed by a
//!   `tokio::time::interval` while it waits. The renewal lives in the
//!   request's future, so a client that hangs up stops it while the work
//!   goes on: the lease lapses, a retry takes the key over, and the money
//!   moves twice. A real bug, found only if the lease's `Instant` sees
//!   simulated time pass while the detached work runs.
//! * `timeout-calls`: the Stripe-style atomic endpoint with every ledger
//!   call wrapped in `tokio::time::timeout`. It holds.
//! * `sweeper`: replays stored answers from an in-process cache swept by a
//!   background task on `tokio::time::interval`, in front of the atomic
//!   endpoint. It holds.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use idemsim::service::{Batch, BatchOutcome, Env, Ledger, Service, Stop};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

#[derive(serde::Deserialize)]
struct Transfer {
    from: String,
    to: String,
    amount: i64,
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, Json(json!({ "code": code }))).into_response()
}

fn key_of(headers: &HeaderMap) -> Option<String> {
    let key = headers.get("idempotency-key")?.to_str().ok()?;
    let caller = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("anonymous");
    Some(format!("{caller}:{key}"))
}

/// Moves the money, with no idempotency of its own: what the layers guard.
async fn pay(State(ledger): State<Ledger>, Json(t): Json<Transfer>) -> Response {
    match ledger
        .run(Batch::new().transfer(&t.from, &t.to, t.amount))
        .await
    {
        Ok(BatchOutcome::Committed { .. }) => {
            (StatusCode::CREATED, Json(json!({ "status": "paid" }))).into_response()
        }
        Ok(BatchOutcome::Stopped { .. }) => {
            error(StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
        }
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "ledger_unavailable"),
    }
}

// ---------------------------------------------------------------- (a)

/// How long a lease holds the key unless renewed.
pub const LEASE_MS: u64 = 300;
/// How often a waiting request renews its lease.
const RENEW_EVERY_MS: u64 = 100;

/// A key's state in the layer's memory.
#[derive(Clone)]
enum Entry {
    Running { lease_until: Instant },
    Done { status: u16, body: bytes::Bytes },
}

type Entries = Arc<Mutex<BTreeMap<String, Entry>>>;

/// The layer: claim the key with a lease, run the inner service in a task
/// of its own, renew the lease while waiting for it, store the answer.
async fn detached_lease(
    State(entries): State<Entries>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(key) = key_of(request.headers()) else {
        return next.run(request).await;
    };
    let now = Instant::now();
    {
        let mut map = entries.lock().expect("not poisoned");
        match map.get(&key) {
            Some(Entry::Done { status, body }) => {
                let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
                let mut response = (status, body.clone()).into_response();
                response.headers_mut().insert(
                    "idempotent-replayed",
                    "true".parse().expect("a header value"),
                );
                return response;
            }
            Some(Entry::Running { lease_until }) if *lease_until > now => {
                return error(StatusCode::CONFLICT, "key_in_use");
            }
            // Absent, or a lease that lapsed: its holder is presumed dead.
            _ => {
                map.insert(
                    key.clone(),
                    Entry::Running {
                        lease_until: now + Duration::from_millis(LEASE_MS),
                    },
                );
            }
        }
    }
    let work = {
        let entries = entries.clone();
        let key = key.clone();
        tokio::spawn(async move {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, 1 << 16)
                .await
                .unwrap_or_default();
            entries.lock().expect("not poisoned").insert(
                key,
                Entry::Done {
                    status: parts.status.as_u16(),
                    body: body.clone(),
                },
            );
            (parts.status, body)
        })
    };
    let mut renew = tokio::time::interval(Duration::from_millis(RENEW_EVERY_MS));
    tokio::pin!(work);
    loop {
        tokio::select! {
            biased;
            done = &mut work => {
                return match done {
                    Ok((status, body)) => (status, body).into_response(),
                    Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "handler_failed"),
                };
            }
            _ = renew.tick() => {
                let mut map = entries.lock().expect("not poisoned");
                if let Some(Entry::Running { lease_until }) = map.get_mut(&key) {
                    *lease_until = Instant::now() + Duration::from_millis(LEASE_MS);
                }
            }
        }
    }
}

pub fn detached_lease_service() -> Service {
    Service::new("detached-lease", |env: &Env| {
        let entries: Entries = Arc::default();
        // The detached work waits as long as the ledger takes.
        let ledger = env.ledger().with_timeout_ms(10_000);
        Router::new()
            .route("/transfers", post(pay))
            .with_state(ledger)
            .layer(axum::middleware::from_fn_with_state(
                entries,
                detached_lease,
            ))
    })
    .summary(
        "an in-process layer: the work runs detached, its lease is renewed by the waiting request",
    )
    .recovery_ms(LEASE_MS)
}

// ---------------------------------------------------------------- (b) and (c)

/// How long the atomic endpoint waits for the ledger.
const LEDGER_TIMEOUT_MS: u64 = 150;

/// The atomic endpoint: the key's record, the money and the answer in one
/// ledger batch; a retry replays the stored answer. Every ledger call is
/// wrapped in `tokio::time::timeout`.
async fn atomic(
    State(ledger): State<Ledger>,
    headers: HeaderMap,
    Json(t): Json<Transfer>,
) -> Response {
    let Some(key) = key_of(&headers) else {
        return error(StatusCode::BAD_REQUEST, "missing_idempotency_key");
    };
    let record = format!("idem/{key}");
    let paid = json!({ "status": 201, "body": { "status": "paid" } }).to_string();
    let batch = Batch::new()
        .insert(&record, &paid)
        .transfer(&t.from, &t.to, t.amount);
    let outcome =
        tokio::time::timeout(Duration::from_millis(LEDGER_TIMEOUT_MS), ledger.run(batch)).await;
    match outcome {
        Ok(Ok(BatchOutcome::Committed { .. })) => {
            (StatusCode::CREATED, Json(json!({ "status": "paid" }))).into_response()
        }
        Ok(Ok(BatchOutcome::Stopped {
            stop: Stop::Exists { value },
            ..
        })) => replay(&value),
        Ok(Ok(BatchOutcome::Stopped { .. })) => {
            // No money: store the refusal so that a retry hears the same.
            let refused = json!({ "status": 402, "body": { "code": "insufficient_funds" } });
            let stored = tokio::time::timeout(
                Duration::from_millis(LEDGER_TIMEOUT_MS),
                ledger.run(Batch::new().insert(&record, refused.to_string())),
            )
            .await;
            match stored {
                Ok(Ok(BatchOutcome::Committed { .. })) => {
                    error(StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
                }
                Ok(Ok(BatchOutcome::Stopped {
                    stop: Stop::Exists { value },
                    ..
                })) => replay(&value),
                _ => error(StatusCode::SERVICE_UNAVAILABLE, "ledger_unavailable"),
            }
        }
        Ok(Err(_)) | Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "ledger_unavailable"),
    }
}

/// A stored answer, replayed.
fn replay(stored: &str) -> Response {
    let stored: Value = serde_json::from_str(stored).unwrap_or_default();
    let status = stored["status"]
        .as_u64()
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(stored["body"].clone())).into_response();
    response.headers_mut().insert(
        "idempotent-replayed",
        "true".parse().expect("a header value"),
    );
    response
}

pub fn timeout_calls_service() -> Service {
    Service::new("timeout-calls", |env: &Env| {
        Router::new()
            .route("/transfers", post(atomic))
            .with_state(env.ledger())
    })
    .summary("the atomic endpoint, every ledger call under tokio::time::timeout")
}

/// How long the cache keeps an answer.
const CACHE_MS: u64 = 2_000;
/// How often the background task sweeps the cache.
const SWEEP_EVERY_MS: u64 = 500;

type Cache = Arc<Mutex<BTreeMap<String, (Instant, StatusCode, bytes::Bytes)>>>;

/// Answers from the cache when it can, else asks the atomic endpoint and
/// caches what it says.
async fn cached(
    State(cache): State<Cache>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(key) = key_of(request.headers()) else {
        return next.run(request).await;
    };
    if let Some((_, status, body)) = cache.lock().expect("not poisoned").get(&key).cloned() {
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            "idempotent-replayed",
            "true".parse().expect("a header value"),
        );
        return response;
    }
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 1 << 16)
        .await
        .unwrap_or_default();
    if parts.status.is_success() || parts.status.is_client_error() {
        cache
            .lock()
            .expect("not poisoned")
            .insert(key, (Instant::now(), parts.status, body.clone()));
    }
    Response::from_parts(parts, axum::body::Body::from(body))
}

pub fn sweeper_service() -> Service {
    Service::new("sweeper", |env: &Env| {
        let cache: Cache = Arc::default();
        let swept = cache.clone();
        // The background sweeper, started with the process.
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(SWEEP_EVERY_MS));
            loop {
                every.tick().await;
                let now = Instant::now();
                swept.lock().expect("not poisoned").retain(|_, (at, _, _)| {
                    now.duration_since(*at) < Duration::from_millis(CACHE_MS)
                });
            }
        });
        Router::new()
            .route("/transfers", post(atomic))
            .with_state(env.ledger())
            .layer(axum::middleware::from_fn_with_state(cache, cached))
    })
    .summary("a cache of answers swept by a background task, in front of the atomic endpoint")
}
