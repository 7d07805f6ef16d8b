//! A team's own service inside the world: the example services' windows are
//! found, and what idemsim hands user code (store clients, crash points,
//! attribution, time) behaves as documented.

use crate::common::{fault, load, of_type, root, services, services_cli};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use idemsim::explore::exhaustive;
use idemsim::explore::sweep::{SweepConfig, sweep};
use idemsim::history::{TxnResult, What};
use idemsim::service::{Batch, Env, Keys, Ledger, Service, SetCondition, SetExpiry};
use idemsim::{
    EndReason, FaultSpec, Mode, RunOptions, Scenario, ScenarioSpec, SeedRange, TransferSpec,
    ViolationKind, run_scenario, run_with,
};
use serde_json::Value;

fn scenario(file: &str) -> Scenario {
    load(&root().join(file)).unwrap_or_else(|e| panic!("{e}"))
}

/// `spec`, changed from a bundled scenario's, built again with the
/// services the example offers.
fn rebuilt(spec: &idemsim::ScenarioSpec) -> Result<Scenario, idemsim::InputError> {
    spec.clone()
        .into_builder()
        .services(&crate::common::services())
        .build()
}

/// A scenario built in code around `service` (offered under its name).
fn built(service: &Service, transfers: usize) -> Scenario {
    ScenarioSpec::builder("built", "naive")
        .service(service.name())
        .account("alice", 100_000)
        .account("bob", 0)
        .client((0..transfers).map(|_| TransferSpec::new("alice", "bob", 100)))
        .services(&idemsim::Services::new().with(service.clone()))
        .build()
        .unwrap()
}

/// How many runs of a sweep reached the phase named `name`.
fn reached(report: &idemsim::explore::sweep::SweepReport, s: &Scenario, name: &str) -> u64 {
    report
        .reach
        .get(idemsim::Phase::parse(name, &s.api).unwrap())
}

/// The service's ops in the history: (attempt, store call request, answer).
fn store_ops(events: &[idemsim::history::Event]) -> Vec<(u32, u64, String, String)> {
    crate::common::service_calls(events)
        .into_iter()
        .map(|(tag, at_ms, op)| (tag.attempt, at_ms, op.request.clone(), op.answer.clone()))
        .collect()
}

#[test]
fn the_naive_service_pays_twice_when_its_response_is_lost() {
    let s = scenario("scenarios/services/naive-response-lost.toml");
    let run = run_scenario(&s, None);
    assert_eq!(run.verdict.found, vec![ViolationKind::DoubleApply]);
    let debits: Vec<u32> = run
        .output
        .entries
        .iter()
        .filter(|e| e.delta < 0)
        .map(|e| e.tag.attempt)
        .collect();
    assert_eq!(debits, vec![1, 2], "each attempt moved the money");
}

#[test]
fn the_redis_claim_holds_without_faults_and_a_swarm_finds_it_paying_twice() {
    let s = scenario("scenarios/services/redis-claim.toml");
    assert!(run_scenario(&s, None).verdict.met);
    crate::common::assert_swarm_finds(&s, "0..100", ViolationKind::DoubleApply);
}

/// Explores `file` (with its own fault rates), saves the shrunk repro, and
/// returns the repro's faults and the JSON of `run repro`.
fn explore_and_replay(file: &str, seeds: &str) -> (Vec<Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let repro = dir.path().join("repro.toml");
    let repro_text = repro.display().to_string();
    let (code, stdout, stderr) = services_cli(&[
        "explore",
        file,
        "--seeds",
        seeds,
        "--no-swarm",
        "--save-repro",
        &repro_text,
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let shrunk = of_type(&stdout, "repro");
    assert_eq!(shrunk[0]["violation"], "double-apply", "{stdout}");
    let saved: toml::Table = toml::from_str(&std::fs::read_to_string(&repro).unwrap()).unwrap();
    let faults: Vec<Value> = saved
        .get("fault")
        .and_then(|f| f.as_array())
        .map(|a| a.iter().map(|f| serde_json::to_value(f).unwrap()).collect())
        .unwrap_or_default();
    let (code, replay, stderr) = services_cli(&["run", &repro_text, "--format", "json"]);
    assert_eq!(
        code,
        Some(0),
        "the repro replays and meets its expectation: {replay}{stderr}"
    );
    let summary = of_type(&replay, "summary").pop().unwrap();
    assert_eq!(summary["violations"], serde_json::json!(["double-apply"]));
    (faults, replay)
}

#[test]
fn a_crash_between_the_ledger_and_the_stored_response_is_found_and_replayed() {
    let (faults, _) = explore_and_replay("scenarios/services/redis-claim-crashes.toml", "0..100");
    // The window: the money has moved, the response is not stored yet.
    let in_window = ["after:ledger-1", "after-ledger", "before:keys-3"];
    assert_eq!(faults.len(), 1, "shrunk to one fault: {faults:?}");
    assert!(
        faults[0]["kind"] == "crash" && in_window.contains(&faults[0]["at"].as_str().unwrap_or("")),
        "a crash in the window: {faults:?}"
    );
}

#[test]
fn a_client_that_stops_waiting_cancels_the_handler_and_is_found_and_replayed() {
    let (faults, replay) = explore_and_replay(
        "scenarios/services/redis-claim-impatient-client.toml",
        "0..100",
    );
    assert_eq!(faults.len(), 1, "shrunk to one fault: {faults:?}");
    assert_eq!(
        faults[0]["kind"], "delay",
        "no crash, a held message: {faults:?}"
    );
    let events = of_type(&replay, "event");
    let dropped: Vec<u64> = events
        .iter()
        .filter(|e| e["event"] == "handler-dropped")
        .map(|e| e["attempt"].as_u64().unwrap())
        .collect();
    let paid: Vec<u64> = events
        .iter()
        .filter(|e| e["event"] == "ledger-entry" && e["delta"].as_i64().unwrap() < 0)
        .map(|e| e["attempt"].as_u64().unwrap())
        .collect();
    assert!(
        dropped.iter().any(|a| paid.contains(a)),
        "a handler was dropped after its money moved: dropped {dropped:?}, paid {paid:?}"
    );
}

#[test]
fn a_claim_that_expires_during_a_slow_ledger_call_needs_no_fault_at_all() {
    let s = scenario("scenarios/services/redis-claim-slow-ledger.toml");
    let plan = exhaustive::plan(&s, 0, exhaustive::Budget::schedules(10)).unwrap();
    let report = exhaustive::search(&s, plan, 1, &mut |_| {});
    assert_eq!(
        report.first.get(&ViolationKind::DoubleApply),
        Some(&Vec::new()),
        "the empty schedule shows it"
    );
    // The evidence: a second claim succeeded before the first payment committed.
    let run = run_scenario(&s, None);
    let ops = store_ops(&run.output.events);
    let claims: Vec<(u32, u64)> = ops
        .iter()
        .filter(|(_, _, req, ans)| req.starts_with("SET lock:") && ans == "OK")
        .map(|(a, at, _, _)| (*a, *at))
        .collect();
    let first_payment_ms = ops
        .iter()
        .find(|(_, _, req, _)| req.starts_with("transfer"))
        .map(|(_, at, _, _)| *at)
        .unwrap();
    assert!(claims.len() >= 2, "{ops:?}");
    assert!(
        claims[1].1 < first_payment_ms,
        "attempt {} claimed the key at {} ms, before the first payment committed at {first_payment_ms} ms",
        claims[1].0,
        claims[1].1
    );
}

#[test]
fn the_atomic_service_holds_on_a_thousand_swarm_seeds() {
    let s = scenario("scenarios/services/atomic.toml");
    let config = SweepConfig::swarm(SeedRange::parse("0..1000").unwrap(), 2);
    let report = sweep(&s, &config, &mut |_| {});
    assert_eq!(report.ran, 1000);
    assert!(report.failures.is_empty(), "{:?}", report.failures.first());
    // The swarm did reach the hard places.
    for phase in [
        "crash:api:after:ledger-1",
        "response-lost",
        "concurrent-duplicate",
        "replayed",
    ] {
        assert!(reached(&report, &s, phase) > 0, "never reached {phase}");
    }
}

#[test]
fn a_targeted_crash_at_a_declared_point_crashes_the_api_there() {
    let mut s = scenario("scenarios/services/redis-claim.toml");
    let mut spec = s.to_spec();
    spec.targeted = vec![FaultSpec::crash("t1", 1, "after-ledger")];
    s = rebuilt(&spec).unwrap();
    let run = run_scenario(&s, None);
    let crashed_at: Vec<String> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Crashed {
                site: Some(site), ..
            } => Some(s.api.place_name(site.boundary)),
            _ => None,
        })
        .collect();
    assert_eq!(crashed_at, vec!["after-ledger".to_string()]);
    assert!(run.verdict.found.contains(&ViolationKind::DoubleApply));
    // A point the service does not declare is refused when the file is read.
    spec.targeted = vec![FaultSpec::crash("t1", 1, "after-nothing")];
    let error = rebuilt(&spec).unwrap_err().to_string();
    assert!(error.contains("has no site `after-nothing`"), "{error}");
    assert!(error.contains("after-claim, after-ledger"), "{error}");
}

#[test]
fn a_swarm_switches_declared_points_on_and_crashes_there() {
    let s = scenario("scenarios/services/redis-claim.toml");
    let config = SweepConfig::swarm(SeedRange::parse("0..300").unwrap(), 2);
    let report = sweep(&s, &config, &mut |_| {});
    let at_points = reached(&report, &s, "crash:api:after-claim")
        + reached(&report, &s, "crash:api:after-ledger");
    assert!(at_points > 0, "no random crash at a declared point");
}

/// A service whose one route runs `f` (with its store clients).
fn service_of<F, Fut>(name: &str, points: &[&str], f: F) -> Service
where
    F: Fn(Keys, Ledger) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let points: Vec<String> = points.iter().map(|p| p.to_string()).collect();
    Service::new(name, move |env: &Env| {
        let (keys, ledger, f) = (env.keys(), env.ledger(), f.clone());
        Router::new().route(
            "/transfers",
            post(move || {
                let (keys, ledger, f) = (keys.clone(), ledger.clone(), f.clone());
                async move { f(keys, ledger).await }
            }),
        )
    })
    .crash_points(points)
}

fn host_failure(run: &idemsim::Run) -> String {
    match &run.output.end {
        EndReason::HostFailed { message, .. } => message.clone(),
        other => panic!("expected a failed host, got {other:?}"),
    }
}

#[test]
fn a_crash_point_the_service_does_not_declare_fails_the_run() {
    let service = service_of("undeclared", &["declared"], |_, _| async {
        idemsim::service::crash_point("undeclared").await;
        StatusCode::CREATED
    });
    let run = run_scenario(&built(&service, 1), None);
    assert!(!run.verdict.met);
    let message = host_failure(&run);
    assert!(message.contains("crash point `undeclared`"), "{message}");
    assert!(message.contains("declared"), "{message}");
}

/// The ledger's debits, as (transfer index, attempt) of the attempt each is filed under.
fn debits(run: &idemsim::Run) -> Vec<(u32, u32)> {
    run.output
        .entries
        .iter()
        .filter(|e| e.delta < 0)
        .map(|e| (e.tag.transfer.0, e.tag.attempt))
        .collect()
}

#[test]
fn a_store_call_from_a_task_the_handler_spawned_is_attributed_without_help() {
    let spawning = service_of("spawning", &[], |_, ledger: Ledger| async move {
        let moved =
            tokio::spawn(
                async move { ledger.run(Batch::new().transfer("alice", "bob", 100)).await },
            )
            .await;
        match moved {
            Ok(Ok(outcome)) if outcome.committed() => StatusCode::CREATED,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    });
    let run = run_scenario(&built(&spawning, 2), None);
    assert!(run.verdict.met, "{:?}", run.output.end);
    assert_eq!(
        debits(&run),
        vec![(0, 1), (1, 1)],
        "each payment filed under the attempt whose handler spawned its task"
    );

    // A task started with the process serves no request: its store calls
    // cannot be attributed, and the run says so.
    let background = Service::new("background", |env: &Env| {
        let ledger = env.ledger();
        tokio::spawn(async move {
            let _ = ledger.run(Batch::new().transfer("alice", "bob", 1)).await;
        });
        Router::new().route("/transfers", post(|| async { StatusCode::CREATED }))
    });
    let run = run_scenario(&built(&background, 1), None);
    assert!(
        host_failure(&run).contains("outside any request"),
        "{}",
        host_failure(&run)
    );
}

/// Middleware written as third-party crates write it: a tower layer that
/// runs the inner service in a task of its own, so that the work finishes
/// whether or not the client waits. Its store calls are the attempt's, the
/// timeline says the dropped handler left work going on, and that work's
/// later calls appear under the same attempt.
#[test]
fn a_middleware_that_spawns_the_inner_service_is_attributed_and_its_work_shown_going_on() {
    use tower::{Layer, ServiceExt};
    #[derive(Clone)]
    struct Detach;
    impl<S: Clone> Layer<S> for Detach {
        type Service = Detached<S>;
        fn layer(&self, inner: S) -> Detached<S> {
            Detached(inner)
        }
    }
    #[derive(Clone)]
    struct Detached<S>(S);
    impl<S> tower::Service<axum::extract::Request> for Detached<S>
    where
        S: tower::Service<axum::extract::Request, Response = axum::response::Response>
            + Clone
            + Send
            + 'static,
        S::Future: Send,
        S::Error: Send + 'static,
    {
        type Response = axum::response::Response;
        type Error = S::Error;
        type Future = std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<Self::Response, S::Error>> + Send>,
        >;
        fn poll_ready(
            &mut self,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Result<(), S::Error>> {
            std::task::Poll::Ready(Ok(()))
        }
        fn call(&mut self, request: axum::extract::Request) -> Self::Future {
            let inner = self.0.clone();
            let work = tokio::spawn(async move { inner.oneshot(request).await });
            Box::pin(async move {
                match work.await {
                    Ok(answer) => answer,
                    Err(_) => Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
                }
            })
        }
    }
    use axum::response::IntoResponse;
    // The ledger takes 400 ms while the faults act: the client (200 ms)
    // hangs up, and the detached payment goes on.
    let service = Service::new("detach", |env: &Env| {
        let ledger = env.ledger().with_timeout_ms(5_000);
        Router::new()
            .route(
                "/transfers",
                post(move || {
                    let ledger = ledger.clone();
                    async move {
                        match ledger.run(Batch::new().transfer("alice", "bob", 100)).await {
                            Ok(outcome) if outcome.committed() => StatusCode::CREATED,
                            _ => StatusCode::SERVICE_UNAVAILABLE,
                        }
                    }
                }),
            )
            .layer(Detach)
    });
    let scenario = ScenarioSpec::builder("detached", "naive")
        .service("detach")
        .account("alice", 10_000)
        .account("bob", 0)
        .client([TransferSpec::new("alice", "bob", 100)])
        .stores(idemsim::scenario::Stores {
            ledger_work_ms: 400,
            ..Default::default()
        })
        .services(&idemsim::Services::new().with(service))
        .build()
        .unwrap();
    let run = run_scenario(&scenario, None);
    assert_eq!(run.output.end, EndReason::Completed);
    let dropped: Vec<u32> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::HandlerDropped { tag, spawned } if tag.attempt == 1 => Some(*spawned),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, vec![1], "one task goes on after the hang-up");
    assert!(
        debits(&run).contains(&(0, 1)),
        "the detached payment of attempt 1 is filed under it: {:?}",
        debits(&run)
    );
    let text = idemsim::report::human::render(
        &scenario,
        &idemsim::Provenance::default(),
        &run,
        idemsim::report::Color::Never,
    );
    assert!(text.contains("the task it spawned goes on"), "{text}");
}

#[test]
fn a_panicking_handler_fails_the_run_naming_the_api() {
    let service = service_of("panics", &[], |_, _| async {
        panic!("the handler is broken");
    });
    let run = run_scenario(&built(&service, 1), None);
    match &run.output.end {
        EndReason::Panicked { host, message } => {
            assert_eq!(*host, idemsim::history::Host::Api);
            assert!(message.contains("the handler is broken"), "{message}");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert!(!run.verdict.met);
}

#[test]
fn the_native_key_store_client_behaves_as_redis_does() {
    let service = service_of("native-keys", &[], |keys: Keys, _| async move {
        let k = "k";
        let checks = async {
            assert!(keys.set_nx_px(k, "a", 300).await?);
            assert!(!keys.set_nx_px(k, "b", 300).await?);
            assert_eq!(keys.get(k).await?.as_deref(), Some("a"));
            assert!(keys.pttl(k).await? > 0);
            assert!(!keys.del_if_eq(k, "b").await?);
            assert!(
                keys.set(
                    k,
                    "c",
                    SetCondition::IfEqual("a".into()),
                    SetExpiry::KeepTtl
                )
                .await?
            );
            assert!(keys.del_if_eq(k, "c").await?);
            assert!(!keys.exists(k).await?);
            assert_eq!(keys.incr("n").await?, 1);
            idemsim::service::sleep(std::time::Duration::from_millis(10)).await;
            Ok::<_, idemsim::service::StoreError>(())
        };
        match checks.await {
            Ok(()) => StatusCode::CREATED,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    });
    let run = run_scenario(&built(&service, 1), None);
    assert_eq!(
        run.verdict.outcomes.succeeded,
        1,
        "{:?}",
        store_ops(&run.output.events)
    );
}

#[test]
fn a_key_store_kept_in_memory_forgets_the_stored_response_in_a_crash() {
    let s = scenario("scenarios/services/redis-claim.toml");
    let mut spec = s.to_spec();
    spec.clients.truncate(1);
    spec.clients[0].transfers.truncate(1);
    // The response is lost, and the key store crashes after storing it.
    let crash = fault(
        r#"{ kind = "crash", host = "keys", transfer = "t1", attempt = 1, at = "after:keys-4" }"#,
    );
    spec.targeted = vec![FaultSpec::drop_response("t1", 1), crash];
    let durable = rebuilt(&spec).unwrap();
    let run = run_scenario(&durable, None);
    assert!(run.verdict.found.is_empty(), "durable: the retry replays");
    spec.stores.keys_durability = Some(idemsim::scenario::Durability::Memory);
    let memory = rebuilt(&spec).unwrap();
    let run = run_scenario(&memory, None);
    assert_eq!(
        run.verdict.found,
        vec![ViolationKind::DoubleApply],
        "memory: the retry pays again"
    );
}

#[test]
fn quiet_time_is_passed_over_around_a_service_as_around_a_design() {
    let s = scenario("scenarios/services/naive-response-lost.toml");
    let steps = |backoff_ms: u64| {
        let mut spec = s.to_spec();
        spec.retry.backoff_initial_ms = backoff_ms;
        spec.retry.backoff_max_ms = backoff_ms;
        spec.faults.heal_at_ms = backoff_ms + 1_000;
        spec.limits.max_sim_ms = 2 * backoff_ms + 60_000;
        let run = run_scenario(&rebuilt(&spec).unwrap(), None);
        assert_eq!(run.verdict.found, vec![ViolationKind::DoubleApply]);
        (run.output.steps, run.output.skipped_ms)
    };
    let (short_steps, _) = steps(1_500);
    let (long_steps, long_skipped) = steps(90_000_000);
    assert!(long_skipped >= 90_000_000, "skipped {long_skipped} ms");
    assert!(
        long_steps <= 2 * short_steps,
        "a 25 h wait took {long_steps} steps against {short_steps}"
    );
}

#[test]
fn check_determinism_names_the_first_event_where_a_leaky_service_parts() {
    // A service that stores a count it keeps across runs: two runs of one
    // seed differ.
    static SEEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let leaky = service_of("leaky", &[], |keys: Keys, _| async move {
        let seen = SEEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match keys.command(["SET", "seen", &seen.to_string()]).await {
            Ok(_) => StatusCode::CREATED,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    });
    let config = SweepConfig {
        swarm: false,
        check_determinism: true,
        ..SweepConfig::swarm(SeedRange::parse("0..2").unwrap(), 1)
    };
    let report = sweep(&built(&leaky, 1), &config, &mut |_| {});
    let difference = report
        .failures
        .first()
        .and_then(|f| f.nondeterminism.clone())
        .expect("the wall clock shows");
    match difference.first.map(|e| e.what) {
        Some(What::Txn {
            result: TxnResult::Service(op),
            ..
        }) => assert!(op.request.starts_with("SET seen"), "{op:?}"),
        other => panic!("the first difference is the SET: {other:?}"),
    }
    // The same service on idemsim's clock replays exactly.
    let sound = service_of("sound", &[], |keys: Keys, _| async move {
        let now = idemsim::service::now();
        let ms = now
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        match keys.command(["SET", "seen", &ms.to_string()]).await {
            Ok(_) => StatusCode::CREATED,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    });
    let report = sweep(&built(&sound, 1), &config, &mut |_| {});
    assert!(
        report.failures.iter().all(|f| f.nondeterminism.is_none()),
        "{:?}",
        report.failures
    );
}

#[test]
fn check_services_passes_the_bundled_services_and_names_what_fails() {
    let totals = idemsim::suite::check_services(["scenarios/services"], &services(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(totals.scenarios >= 6);
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/services/naive-response-lost.toml"))
        .unwrap()
        .replace("violations = [\"double-apply\"]", "violations = []");
    std::fs::write(dir.path().join("wrong.toml"), text).unwrap();
    let failure = idemsim::suite::check_services([dir.path()], &services(), None)
        .unwrap_err()
        .to_string();
    assert!(failure.contains("1 of 1 scenario failed"), "{failure}");
    assert!(failure.contains("double-apply"), "{failure}");
    assert!(
        failure.contains("cargo run --release --example services -- run"),
        "{failure}"
    );
}

#[test]
fn two_processes_give_byte_identical_output_for_a_service() {
    for format in ["human", "json"] {
        let args = [
            "run",
            "scenarios/services/redis-claim.toml",
            "--seed",
            "12",
            "--swarm",
            "--format",
            format,
        ];
        let (_, first, _) = services_cli(&args);
        let (_, second, _) = services_cli(&args);
        assert!(first.len() > 1_000, "{first}");
        assert_eq!(first, second, "{format}");
    }
    let run = |seed| {
        let s = scenario("scenarios/services/redis-claim.toml");
        run_with(&s, Some(seed), Mode::Swarm, RunOptions::default())
    };
    assert_eq!(run(12).output.events, run(12).output.events);
}

#[test]
fn the_plain_idemsim_binary_refuses_a_service_scenario_at_its_service_field() {
    let (code, stdout, stderr) =
        crate::common::idemsim(&["run", "scenarios/services/redis-claim.toml"]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("scenarios/services/redis-claim.toml:10:11: service `redis-claim`, but this program offers no services"),
        "{stderr}"
    );
}

#[test]
fn diff_compares_two_services_from_the_first_event_where_they_part() {
    let (code, stdout, stderr) = services_cli(&[
        "diff",
        "scenarios/services/naive-response-lost.toml",
        "--design",
        "naive-http",
        "--design",
        "atomic-http",
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("service A: naive-http"), "{stdout}");
    assert!(stdout.contains("service B: atomic-http"), "{stdout}");
    assert!(stdout.contains("both services ("), "{stdout}");
    assert!(
        stdout.contains("the histories diverge at event"),
        "{stdout}"
    );
}

#[test]
fn an_unreachable_key_store_delays_the_redis_claim_but_pays_once() {
    let s = scenario("scenarios/services/redis-claim.toml");
    let mut spec = s.to_spec();
    spec.targeted = vec![fault(
        r#"{ kind = "unreachable", host = "keys", from_ms = 0, until_ms = 900 }"#,
    )];
    let run = run_scenario(&rebuilt(&spec).unwrap(), None);
    assert!(
        run.verdict.met,
        "{:?} {:?}",
        run.verdict.found, run.output.end
    );
    let lost_in_outage = run
        .output
        .events
        .iter()
        .filter(|e| {
            matches!(
                &e.what,
                What::Lost {
                    cause: idemsim::history::Cause::Outage { .. },
                    ..
                }
            )
        })
        .count();
    assert!(
        lost_in_outage > 0,
        "calls to the key store were lost in the outage"
    );
    assert_eq!(
        run.verdict.outcomes.succeeded, 2,
        "both transfers went through after the outage"
    );
}

/// A service's own `tracing` events, with `--log`, are in the history at
/// the simulated millisecond they were logged, in the API's host, for the
/// attempt whose handler logged them; without a filter there are none, and
/// keeping them changes nothing else in the run.
#[test]
fn a_services_own_logs_are_in_the_history_at_simulated_time_for_their_attempt() {
    use idemsim::history::{Host, LogLevel};
    let s = scenario("scenarios/services/naive-response-lost.toml");
    let quiet = run_scenario(&s, None);
    assert!(
        !quiet
            .output
            .events
            .iter()
            .any(|e| matches!(e.what, What::Log { .. })),
        "no filter, no logs"
    );
    let options = RunOptions {
        log: Some(idemsim::LogFilter::new("warn,naive_http=info").unwrap()),
        ..RunOptions::default()
    };
    let run = run_with(&s, None, Mode::Plain, options);
    let received: Vec<(u32, u64)> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::ApiReceived { tag, .. } => Some((tag.attempt, e.at_ms)),
            _ => None,
        })
        .collect();
    let logs: Vec<(u32, u64, Host, LogLevel, String, String)> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Log {
                tag,
                level,
                target,
                message,
            } => Some((
                tag.expect("logged inside a request's handler").attempt,
                e.at_ms,
                e.host,
                *level,
                target.to_string(),
                message.to_string(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(logs.len(), 2, "one line per attempt: {logs:?}");
    for ((attempt, at_ms, host, level, target, message), (sent, received_ms)) in
        logs.iter().zip(&received)
    {
        assert_eq!(attempt, sent, "attributed to the attempt that logged it");
        assert_eq!(at_ms, received_ms, "logged as the request arrived");
        assert_eq!(*host, Host::Api);
        assert_eq!(*level, LogLevel::Info);
        assert_eq!(target, "naive_http");
        assert_eq!(message, "moving money from alice to bob amount=2500");
    }
    let without_logs: Vec<_> = run
        .output
        .events
        .iter()
        .filter(|e| !matches!(e.what, What::Log { .. }))
        .cloned()
        .collect();
    assert_eq!(
        without_logs, quiet.output.events,
        "logs change nothing else"
    );
    assert_eq!(run.verdict.found, quiet.verdict.found);
}

/// `--log` shows the lines in the timeline and in JSON Lines, and a filter
/// `tracing_subscriber` cannot read is refused as bad input.
#[test]
fn run_log_shows_a_services_lines_in_every_report() {
    let file = "scenarios/services/naive-response-lost.toml";
    let (_, human, _) = services_cli(&["run", file, "--log", "naive_http=info"]);
    assert!(
        human.contains(
            "api       log INFO naive_http: moving money from alice to bob amount=2500 (t1#1)"
        ),
        "{human}"
    );
    let (_, quiet, _) = services_cli(&["run", file]);
    assert!(!quiet.contains(" log "), "off by default");
    let (_, json, _) = services_cli(&["run", file, "--log", "naive_http=info", "--format", "json"]);
    let logs: Vec<Value> = crate::common::json_lines(&json)
        .into_iter()
        .filter(|l| l["data"]["event"] == "log")
        .collect();
    assert_eq!(logs.len(), 2, "{json}");
    assert_eq!(logs[1]["data"]["attempt"], 2);
    assert_eq!(logs[1]["data"]["transfer"], "t1");
    assert_eq!(logs[1]["data"]["host"], "api");
    assert_eq!(logs[1]["data"]["level"], "INFO");
    let (code, _, err) = services_cli(&["run", file, "--log", "info,[[["]);
    assert_eq!(code, Some(2), "{err}");
}
