//! Services: what checking a real axum service in idemsim costs, next to
//! the turmoil test a team writes today without it.
//!
//! The exchange: one client sends one transfer; the service moves the
//! money; its response is lost; the client times out after 200 ms, backs
//! off 50 ms and retries on a new connection; the retry is answered.
//!
//! * **idemsim**: the `naive-http` and `atomic-http` example services
//!   (`examples/services`), in a scenario built in code with one
//!   `drop-response` fault: `run_scenario` over and over, a new seed each
//!   time. A run is the whole pipeline: the world, the service booted from
//!   its factory, HTTP over framed TCP, the stores, the fault injector, the
//!   history and the checker.
//! * **hand-written**: a plain turmoil simulation of the same exchange, as
//!   a test written without idemsim would do it: an axum router on a
//!   turmoil `TcpListener` served by hyper, its ledger a balance in memory;
//!   a hyper client on a turmoil `TcpStream` per attempt, with
//!   `tokio::time::timeout`; the response dropped by a one-way partition
//!   the moment the handler has answered, repaired one step later; no
//!   checker, no history. It steps every tick of simulated time.
//!
//! The SQL example services' cost is also set against `atomic-http` side
//! by side: rounds of 50 runs of each in turn, for the budget, so that a
//! machine whose speed drifts during the bench slows both alike.
//!
//! Then **quiet time**: a service that keeps each key's stored answer for a
//! TTL (`SET … PX ttl`) and a client whose response is lost and who comes
//! back only after the TTL: with a 1 s TTL and with a 24 h TTL. idemsim
//! skips the simulated time in which nothing can happen, so the two should
//! cost about the same (target: 24 h at most 2x the 1 s run's wall time).
//!
//! Wall time comes from `std::time::Instant`; everything runs on one thread.
//! `IDEMSIM_BENCH_SECS` sets the wall-time budget per measurement (default 5).

#[path = "../examples/services/catalog/mod.rs"]
mod catalog;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use idemsim::scenario::{Jitter, RetryPolicy};
use idemsim::{FaultSpec, ScenarioSpec, TransferSpec, run_scenario};
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

const TIMEOUT_MS: u64 = 200;
const BACKOFF_MS: u64 = 50;

fn budget() -> Duration {
    let secs = std::env::var("IDEMSIM_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(5.0);
    Duration::from_secs_f64(secs)
}

/// What a run of `other` costs against a run of `base`, measured side by
/// side: rounds that time a batch of each in turn, for the budget, so that
/// a machine whose speed drifts (one shared with other work) slows both
/// alike. The ratio of the two total times per run.
fn side_by_side(base: &idemsim::Scenario, other: &idemsim::Scenario) -> f64 {
    const BATCH: u64 = 50;
    let start = Instant::now();
    let (mut base_time, mut other_time) = (Duration::ZERO, Duration::ZERO);
    let mut seed = 0;
    while seed < 3 * BATCH || start.elapsed() < budget() {
        for (scenario, total) in [(base, &mut base_time), (other, &mut other_time)] {
            let began = Instant::now();
            for s in seed..seed + BATCH {
                black_box(run_scenario(scenario, Some(s)));
            }
            *total += began.elapsed();
        }
        seed += BATCH;
    }
    other_time.as_secs_f64() / base_time.as_secs_f64()
}

/// Runs `one(seed)` for the budget; runs per second.
fn measure(mut one: impl FnMut(u64)) -> (u64, f64) {
    let start = Instant::now();
    let mut runs = 0;
    while runs < 3 || start.elapsed() < budget() {
        one(runs);
        runs += 1;
    }
    (runs, runs as f64 / start.elapsed().as_secs_f64())
}

/// The schema of the SQL example services (`scenarios/services/sql/schema.sql`).
const SQL_SCHEMA: &str = include_str!("../scenarios/services/sql/schema.sql");
/// The ledger of entries of the diesel services (`scenarios/services/sql/schema-entries.sql`).
const ENTRIES_SCHEMA: &str = include_str!("../scenarios/services/sql/schema-entries.sql");

fn idemsim_scenario(service: &str) -> idemsim::Scenario {
    let mut builder = ScenarioSpec::builder("one lost response", "naive");
    if service.starts_with("sql-diesel") {
        builder = builder.database(idemsim::DatabaseSpec {
            setup: Some(ENTRIES_SCHEMA.to_string()),
            setup_file: None,
            account: "INSERT INTO entries (account, amount) VALUES ($1, $2)".to_string(),
            balances: "SELECT account, amount FROM entries".to_string(),
        });
    } else if service.starts_with("sql-") {
        builder = builder.database(idemsim::DatabaseSpec {
            setup: Some(SQL_SCHEMA.to_string()),
            setup_file: None,
            account: "INSERT INTO accounts (id, balance) VALUES ($1, $2)".to_string(),
            balances: "SELECT id, balance FROM accounts".to_string(),
        });
    }
    builder
        .service(service)
        .account("alice", 10_000)
        .account("bob", 0)
        .retry(RetryPolicy {
            max_attempts: 4,
            timeout_ms: TIMEOUT_MS,
            backoff_initial_ms: BACKOFF_MS,
            backoff_max_ms: BACKOFF_MS,
            jitter: Jitter::None,
            ..RetryPolicy::default()
        })
        .client([TransferSpec::new("alice", "bob", 2_500)])
        .fault(FaultSpec::drop_response("t1", 1))
        .services(&catalog::services())
        .build()
        .expect("a valid scenario")
}

/// The hand-written test: one run with seed `seed`; how many times the
/// money moved, and the steps it took.
fn hand_written(seed: u64) -> (i64, u64) {
    let moved = Arc::new(AtomicI64::new(0));
    let answered = Arc::new(AtomicBool::new(false));
    let mut sim = turmoil::Builder::new()
        .rng_seed(seed)
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(Duration::from_millis(1))
        .max_message_latency(Duration::from_millis(5))
        .simulation_duration(Duration::from_secs(60))
        .build();
    {
        let (moved, answered) = (moved.clone(), answered.clone());
        sim.host("api", move || {
            let (moved, answered) = (moved.clone(), answered.clone());
            async move {
                let router = Router::new()
                    .route("/transfers", post(pay))
                    .with_state((moved, answered));
                let listener =
                    turmoil::net::TcpListener::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), 80))
                        .await?;
                loop {
                    let (stream, _) = listener.accept().await?;
                    let service = hyper_util::service::TowerToHyperService::new(router.clone());
                    tokio::task::spawn_local(async move {
                        let mut builder = hyper::server::conn::http1::Builder::new();
                        builder.auto_date_header(false);
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        });
    }
    sim.client("client", async move {
        for attempt in 1..=4 {
            let exchange = async {
                let stream = turmoil::net::TcpStream::connect(("api", 80)).await?;
                let (mut sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
                tokio::task::spawn_local(connection);
                let request = http::Request::post("/transfers")
                    .header("idempotency-key", "k1")
                    .header("content-type", "application/json")
                    .body(Full::new(bytes::Bytes::from(
                        r#"{"from":"alice","to":"bob","amount":2500}"#,
                    )))?;
                let response = sender.send_request(request).await?;
                let status = response.status();
                let _ = response.into_body().collect().await?;
                Ok::<_, Box<dyn std::error::Error>>(status)
            };
            match tokio::time::timeout(Duration::from_millis(TIMEOUT_MS), exchange).await {
                Ok(Ok(status)) if status.is_success() => return Ok(()),
                _ if attempt == 4 => return Ok(()),
                _ => tokio::time::sleep(Duration::from_millis(BACKOFF_MS)).await,
            }
        }
        Ok(())
    });
    let mut dropped = false;
    let mut steps = 1;
    while !sim.step().expect("the simulation runs") {
        steps += 1;
        // The fault: the first response is lost on its way back.
        if !dropped && answered.load(Ordering::SeqCst) {
            sim.partition_oneway("api", "client");
            sim.step().expect("the simulation runs");
            steps += 1;
            sim.repair_oneway("api", "client");
            dropped = true;
        }
    }
    (moved.load(Ordering::SeqCst), steps)
}

async fn pay(State((moved, answered)): State<(Arc<AtomicI64>, Arc<AtomicBool>)>) -> StatusCode {
    moved.fetch_add(1, Ordering::SeqCst);
    answered.store(true, Ordering::SeqCst);
    StatusCode::CREATED
}

/// A service that stores each answer under its key for `ttl_ms` and replays it.
fn ttl_service(ttl_ms: u64) -> idemsim::Service {
    use idemsim::service::{Batch, Env, Keys, Ledger};
    async fn pay(
        State((keys, ledger, ttl_ms)): State<(Keys, Ledger, u64)>,
        headers: http::HeaderMap,
    ) -> StatusCode {
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none")
            .to_string();
        if let Ok(Some(_)) = keys.get(&key).await {
            return StatusCode::OK;
        }
        match ledger.run(Batch::new().transfer("alice", "bob", 1)).await {
            Ok(o) if o.committed() => {}
            _ => return StatusCode::SERVICE_UNAVAILABLE,
        }
        let _ = keys.set_nx_px(&key, "paid", ttl_ms).await;
        StatusCode::CREATED
    }
    idemsim::Service::new(format!("ttl-{ttl_ms}"), move |env: &Env| {
        Router::new()
            .route("/transfers", post(pay))
            .with_state((env.keys(), env.ledger(), ttl_ms))
    })
}

/// The quiet-time scenario: the response is lost; the client comes back
/// 500 ms after the TTL ran out.
fn ttl_scenario(ttl_ms: u64) -> idemsim::Scenario {
    let service = ttl_service(ttl_ms);
    let wait_ms = ttl_ms + 500;
    let mut builder = ScenarioSpec::builder("a retry after the TTL", "naive")
        .service(service.name())
        .account("alice", 10_000)
        .account("bob", 0)
        .retry(RetryPolicy {
            max_attempts: 2,
            timeout_ms: TIMEOUT_MS,
            backoff_initial_ms: wait_ms,
            backoff_max_ms: wait_ms,
            jitter: Jitter::None,
            ..RetryPolicy::default()
        })
        .client([TransferSpec::new("alice", "bob", 1)])
        .fault(FaultSpec::drop_response("t1", 1));
    builder = builder.window(idemsim::scenario::FaultWindow {
        heal_at_ms: wait_ms + 1_000,
        ..Default::default()
    });
    let limits = idemsim::scenario::RunLimits {
        max_sim_ms: 3 * wait_ms,
        ..idemsim::scenario::RunLimits::default()
    };
    builder
        .limits(limits)
        .services(&idemsim::Services::new().with(service))
        .build()
        .expect("a valid scenario")
}

fn main() {
    println!(
        "idemsim services bench: an axum service under idemsim vs a hand-written turmoil test"
    );
    println!(
        "the exchange: one transfer, its response lost, timeout {TIMEOUT_MS} ms, backoff {BACKOFF_MS} ms, a retry that is answered"
    );
    println!(
        "budget per measurement: {:.1} s, one thread",
        budget().as_secs_f64()
    );
    println!();
    // Both sides must do what the exchange says before they are timed.
    let (paid, hand_steps) = hand_written(1);
    assert_eq!(paid, 2, "the hand-written test pays twice");
    let naive = idemsim_scenario("naive-http");
    let atomic = idemsim_scenario("atomic-http");
    let sql = idemsim_scenario("sql-one-transaction");
    let pooled = idemsim_scenario("sql-on-conflict");
    let diesel = idemsim_scenario("sql-diesel-serializable");
    assert_eq!(
        run_scenario(&naive, Some(1)).verdict.found,
        vec![idemsim::ViolationKind::DoubleApply]
    );
    assert!(run_scenario(&atomic, Some(1)).verdict.met);
    assert!(run_scenario(&sql, Some(1)).verdict.met);
    assert!(run_scenario(&pooled, Some(1)).verdict.met);
    assert!(run_scenario(&diesel, Some(1)).verdict.met);

    let (hand_runs, hand_rate) = measure(|seed| {
        black_box(hand_written(seed));
    });
    let steps = Rc::new(std::cell::Cell::new(0u64));
    let mut rows = Vec::new();
    for (name, scenario) in [
        ("naive-http", &naive),
        ("atomic-http", &atomic),
        ("sql-one-transaction", &sql),
        ("sql-on-conflict", &pooled),
        ("sql-diesel-serializable", &diesel),
    ] {
        let steps = steps.clone();
        let (runs, rate) = measure(|seed| {
            let run = run_scenario(scenario, Some(seed));
            steps.set(run.output.steps);
            black_box(run);
        });
        rows.push((name, runs, rate, steps.get()));
    }
    println!(
        "{:<34} {:>8} {:>10} {:>8} {:>12}",
        "", "runs", "runs/s", "steps", "vs hand"
    );
    println!("{}", "-".repeat(76));
    println!(
        "{:<34} {:>8} {:>10.1} {:>8} {:>12}",
        "hand-written turmoil + hyper + axum", hand_runs, hand_rate, hand_steps, "1.00x"
    );
    for (name, runs, rate, steps) in &rows {
        println!(
            "{:<34} {:>8} {:>10.1} {:>8} {:>11.2}x",
            format!("idemsim, {name}"),
            runs,
            rate,
            steps,
            rate / hand_rate
        );
    }
    println!();
    println!(
        "steps: turmoil steps per run (the hand-written test steps every 1 ms tick; idemsim skips quiet time)"
    );
    println!("vs hand: runs/s over the hand-written test's runs/s; target >= 1.00x");
    for (name, how, scenario) in [
        (
            "sql-one-transaction",
            "tokio-postgres, a connection per request",
            &sql,
        ),
        ("sql-on-conflict", "deadpool-postgres", &pooled),
        (
            "sql-diesel-serializable",
            "diesel-async, a SERIALIZABLE transaction on a ledger of entries",
            &diesel,
        ),
    ] {
        println!(
            "{name} ({how}, on idemsim's PostgreSQL database) costs {:.2}x a run of atomic-http, side by side; target <= 2.00x",
            side_by_side(&atomic, scenario)
        );
    }
    println!();

    println!("quiet time: a stored answer with a TTL, the client back 500 ms after it expires");
    let mut walls = Vec::new();
    for (label, ttl_ms) in [("1 s TTL", 1_000), ("24 h TTL", 86_400_000)] {
        let scenario = ttl_scenario(ttl_ms);
        let check = run_scenario(&scenario, Some(1));
        assert_eq!(
            check.verdict.found,
            vec![idemsim::ViolationKind::DoubleApply],
            "the expired key lets the retry pay again"
        );
        let (runs, rate) = measure(|seed| {
            black_box(run_scenario(&scenario, Some(seed)));
        });
        println!(
            "  {label:<9} {runs:>7} runs {rate:>9.1} runs/s, {:>6.1} us/run; {} simulated ms, {} skipped, {} steps",
            1e6 / rate,
            check.output.end_ms,
            check.output.skipped_ms,
            check.output.steps
        );
        walls.push(1.0 / rate);
    }
    println!(
        "  24 h / 1 s wall time per run: {:.2}x (target <= 2x)",
        walls[1] / walls[0]
    );
}
