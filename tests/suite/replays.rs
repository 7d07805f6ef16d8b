//! `check_services` runs the first seeds of each scenario twice: a service
//! that keeps state across runs (which no run resets) fails, with what each
//! run did where they part, side by side; a service on plain std and `rand`
//! passes.

use crate::interposition::{plain_std, scenario_text};
use idemsim::Services;
use idemsim::service::{Batch, BatchOutcome, Env, Service};
use idemsim::suite::{ServicesCheck, check_services, check_services_with};

/// Counts requests across runs of the process: state no interposition can
/// reset, so two runs of one seed differ.
static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn counting() -> Service {
    Service::new("counting", |env: &Env| {
        let (keys, ledger) = (env.keys(), env.ledger());
        axum::Router::new().route(
            "/transfers",
            axum::routing::post(move || {
                let (keys, ledger) = (keys.clone(), ledger.clone());
                async move {
                    let n = REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let _ = keys.command(["SET", "requests", &n.to_string()]).await;
                    match ledger.run(Batch::new().transfer("alice", "bob", 100)).await {
                        Ok(BatchOutcome::Committed { .. }) => axum::http::StatusCode::CREATED,
                        _ => axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    }
                }
            }),
        )
    })
}

/// A directory holding one scenario of `service`, that must hold.
fn scenario_dir(service: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario_text("").replace(
        r#"service = "plain-std""#,
        &format!(r#"service = "{service}""#),
    );
    std::fs::write(dir.path().join(format!("{service}.toml")), text).unwrap();
    dir
}

#[test]
fn check_services_fails_a_service_whose_runs_differ_showing_both_side_by_side() {
    let services = Services::new().with(counting()).with(plain_std());
    let dir = scenario_dir("counting");
    let failure = check_services([dir.path()], &services, None)
        .expect_err("two runs of one seed differ")
        .to_string();
    assert!(failure.contains("1 of 1 scenario failed"), "{failure}");
    assert!(
        failure.contains("NOT DETERMINISTIC") && failure.contains("two runs of seed 1 part at"),
        "{failure}"
    );
    assert!(
        failure.contains("first run") && failure.contains("second run"),
        "{failure}"
    );
    // The two runs' events where they part, in the timeline's words, on one
    // line each side.
    let row = failure
        .lines()
        .find(|l| l.contains("SET requests") && l.contains(" | "))
        .unwrap_or_else(|| panic!("a row with both runs' SET:\n{failure}"));
    let (left, right) = row.split_once(" | ").unwrap();
    assert!(
        left.contains("ms  keys") && right.contains("ms  keys"),
        "{row}"
    );
    let value = |side: &str| {
        side.split("SET requests ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
    };
    assert_ne!(value(left), value(right), "{row}");
    assert!(
        !failure.contains("event 1"),
        "words, not an event number: {failure}"
    );
    assert!(failure.contains("both runs, last alike:"), "{failure}");

    // The deterministic service passes the same check.
    let dir = scenario_dir("plain-std");
    let totals = check_services([dir.path()], &services, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((totals.scenarios, totals.passed), (1, 1));
}

#[test]
fn check_services_with_no_determinism_seeds_runs_each_seed_once() {
    let services = Services::new().with(counting());
    let dir = scenario_dir("counting");
    let check = ServicesCheck::default().determinism_seeds(0);
    let totals =
        check_services_with([dir.path()], &services, check).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(totals.passed, 1);
    // Over a range, the sample is the first seeds run.
    let check = ServicesCheck::default()
        .seeds(idemsim::SeedRange::parse("5..9").unwrap())
        .determinism_seeds(2);
    let failure = check_services_with([dir.path()], &services, check)
        .expect_err("the counter differs")
        .to_string();
    assert!(failure.contains("two runs of seed 5 part"), "{failure}");
}
