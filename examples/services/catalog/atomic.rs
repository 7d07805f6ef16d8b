//! An idempotent endpoint done the way Stripe describes it: the key's
//! record, the money and the stored response live in one database and
//! change in one transaction.
//!
//! 1. Claim: insert the key's record (`started`, with the request's
//!    fingerprint) under a unique key. Taken? Done: replay the stored
//!    response. Another payload: 422. Started less than `LOCK_MS` ago: 409,
//!    try later. Older: its owner is presumed dead; take the record over
//!    (compare-and-set), or 409 if someone else just did.
//! 2. Apply: one batch checks the claim is still ours, moves the money and
//!    stores the response. Insufficient funds: one batch stores the 402.
//!
//! A crash, a lost answer or a cancelled handler anywhere leaves either
//! nothing done (the claim goes stale and a retry takes over) or everything
//! done (a retry replays).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use idemsim::service::{Batch, BatchOutcome, Env, Ledger, Service, Stop, StoreError};
use rand::Rng;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// After how long a started claim is presumed abandoned.
pub const LOCK_MS: u64 = 300;

#[derive(Clone)]
struct App {
    ledger: Ledger,
    /// Where each claim's nonce comes from, so that no two claims look alike.
    rng: Arc<Mutex<rand_chacha::ChaCha8Rng>>,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Transfer {
    from: String,
    to: String,
    amount: i64,
}

fn answer(status: u16, body: &Value, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(body.clone())).into_response();
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            "true".parse().expect("a header value"),
        );
    }
    response
}

fn error(status: u16, code: &str) -> Response {
    answer(status, &json!({ "code": code }), false)
}

/// The wall clock, read as production reads it: inside a simulation it is
/// the simulation's clock, with nothing asked of idemsim.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// What the request asks for, to tell a reused key from a retry.
fn fingerprint(t: &Transfer) -> String {
    format!("{}>{}:{}", t.from, t.to, t.amount)
}

/// What a claim step decided.
enum Claim {
    /// The record is ours: this value, which the apply step must still find.
    Ours(String),
    /// Answer at once.
    Answer(Response),
}

async fn transfer(State(app): State<App>, headers: HeaderMap, Json(t): Json<Transfer>) -> Response {
    let ledger = &app.ledger;
    let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) else {
        return error(400, "missing_idempotency_key");
    };
    let caller = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("anonymous");
    let record_key = format!("idem/{caller}/{key}");
    let nonce = app.rng.lock().expect("not poisoned").random::<u64>();
    let mine = match claim(ledger, &record_key, &t, nonce).await {
        Ok(Claim::Ours(value)) => value,
        Ok(Claim::Answer(response)) => return response,
        Err(_) => return error(503, "ledger_unavailable"),
    };
    match apply(ledger, &record_key, &mine, &t).await {
        Ok(response) => response,
        Err(_) => error(503, "ledger_unavailable"),
    }
}

async fn claim(
    ledger: &Ledger,
    record_key: &str,
    t: &Transfer,
    nonce: u64,
) -> Result<Claim, StoreError> {
    let started = json!({
        "state": "started",
        "fingerprint": fingerprint(t),
        "at_ms": now_ms(),
        "nonce": format!("{nonce:016x}"),
    })
    .to_string();
    let existing = match ledger
        .run(Batch::new().insert(record_key, &started))
        .await?
    {
        BatchOutcome::Committed { .. } => return Ok(Claim::Ours(started)),
        BatchOutcome::Stopped {
            stop: Stop::Exists { value },
            ..
        } => value,
        BatchOutcome::Stopped { .. } => return Ok(Claim::Answer(error(503, "ledger_full"))),
    };
    let record: Value = serde_json::from_str(&existing).unwrap_or_default();
    if record["fingerprint"].as_str() != Some(fingerprint(t).as_str()) {
        return Ok(Claim::Answer(error(422, "payload_mismatch")));
    }
    if record["state"] == "done" {
        let status = record["status"].as_u64().unwrap_or(500) as u16;
        return Ok(Claim::Answer(answer(status, &record["body"], true)));
    }
    let age_ms = now_ms().saturating_sub(record["at_ms"].as_u64().unwrap_or(0));
    if age_ms < LOCK_MS {
        return Ok(Claim::Answer(error(409, "key_in_use")));
    }
    // The owner is presumed dead: take the claim over, unless another request just did.
    match ledger
        .run(Batch::new().update(record_key, &existing, &started))
        .await?
    {
        BatchOutcome::Committed { .. } => Ok(Claim::Ours(started)),
        BatchOutcome::Stopped { .. } => Ok(Claim::Answer(error(409, "key_in_use"))),
    }
}

async fn apply(
    ledger: &Ledger,
    record_key: &str,
    mine: &str,
    t: &Transfer,
) -> Result<Response, StoreError> {
    let done = |status: u16, body: &Value| {
        json!({ "state": "done", "fingerprint": fingerprint(t), "status": status, "body": body })
            .to_string()
    };
    let paid = json!({ "status": "paid" });
    let batch = Batch::new()
        .update(record_key, mine, done(201, &paid))
        .transfer(&t.from, &t.to, t.amount);
    match ledger.run(batch).await? {
        BatchOutcome::Committed { .. } => Ok(answer(201, &paid, false)),
        BatchOutcome::Stopped {
            stop: Stop::InsufficientFunds { .. },
            ..
        } => {
            let refused = json!({ "code": "insufficient_funds" });
            let store = Batch::new().update(record_key, mine, done(402, &refused));
            match ledger.run(store).await? {
                BatchOutcome::Committed { .. } => Ok(answer(402, &refused, false)),
                BatchOutcome::Stopped { .. } => Ok(error(409, "key_in_use")),
            }
        }
        // The claim was taken over while this request was away.
        BatchOutcome::Stopped { .. } => Ok(error(409, "key_in_use")),
    }
}

pub fn service() -> Service {
    Service::new("atomic-http", |env: &Env| {
        Router::new()
            .route("/transfers", post(transfer))
            .with_state(App {
                ledger: env.ledger(),
                rng: Arc::new(Mutex::new(env.rng())),
            })
    })
    .summary("key, money and stored response in one ledger transaction; retries replay")
    .recovery_ms(LOCK_MS)
}
