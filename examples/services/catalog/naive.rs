//! A naive payment endpoint: it moves the money on every request and never
//! looks at the `Idempotency-Key`. A retry after a lost response pays twice.
//!
//! It logs with `tracing` as a team's service would; `--log naive_http=info`
//! shows each line in the timeline, at its simulated time, for its attempt.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use idemsim::service::{Batch, BatchOutcome, Env, Ledger, Service};
use serde_json::{Value, json};

/// The body of `POST /transfers`.
#[derive(serde::Deserialize)]
pub struct Transfer {
    pub from: String,
    pub to: String,
    pub amount: i64,
}

async fn transfer(
    State(ledger): State<Ledger>,
    Json(t): Json<Transfer>,
) -> (StatusCode, Json<Value>) {
    tracing::info!(
        target: "naive_http",
        amount = t.amount,
        "moving money from {} to {}",
        t.from,
        t.to
    );
    match ledger
        .run(Batch::new().transfer(&t.from, &t.to, t.amount))
        .await
    {
        Ok(BatchOutcome::Committed { .. }) => {
            (StatusCode::CREATED, Json(json!({ "status": "paid" })))
        }
        Ok(BatchOutcome::Stopped { .. }) => (
            StatusCode::PAYMENT_REQUIRED,
            Json(json!({ "code": "insufficient_funds" })),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "code": "ledger_unavailable" })),
        ),
    }
}

pub fn service() -> Service {
    Service::new("naive-http", |env: &Env| {
        Router::new()
            .route("/transfers", post(transfer))
            .with_state(env.ledger())
    })
    .summary("moves the money on every request; ignores Idempotency-Key")
}
