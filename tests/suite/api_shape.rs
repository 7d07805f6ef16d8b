//! A service's own API: its method, path, body, key header, key endpoint,
//! cookies and answers are what idemsim's clients speak, and a refusal is
//! judged by what it did, not by its status code.

use crate::common::services_cli;
use axum::Router;
use axum::extract::{Json, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use idemsim::history::{Outcome, What};
use idemsim::service::{Batch, BatchOutcome, Env, HttpApi, Ledger, Service, Stop};
use idemsim::{Run, Scenario, Services, ViolationKind, run_scenario};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

fn scenario(services: &Services, text: &str) -> Scenario {
    idemsim::Loader::new()
        .services(services)
        .parse(std::path::Path::new("shape.toml"), text)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn outcomes(run: &Run) -> Vec<Outcome> {
    run.output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Finished { outcome, .. } => Some(outcome.clone()),
            _ => None,
        })
        .collect()
}

/// Stripe-like: `POST /v1/accounts/{account}/charges/{key}` with its own
/// body and no key header; the answer's body says how it went.
fn charges() -> Service {
    Service::new("charges", |env: &Env| {
        let ledger = env.ledger();
        Router::new()
            .route(
                "/v1/accounts/{account}/charges/{key}",
                axum::routing::put(
                    |State(ledger): State<Ledger>,
                     Path((account, key)): Path<(String, String)>,
                     Json(body): Json<Value>| async move {
                        let (Some(to), Some(amount)) =
                            (body["destination"].as_str(), body["amount"].as_i64())
                        else {
                            return (
                                StatusCode::OK,
                                Json(json!({"status": "failed", "why": "bad request"})),
                            );
                        };
                        assert_eq!(body["currency"], "eur");
                        assert_eq!(body["capture"], true);
                        let batch = Batch::new()
                            .insert(format!("charge/{key}"), "paid")
                            .transfer(&account, to, amount);
                        match ledger.run(batch).await {
                            Ok(BatchOutcome::Committed { .. }) => {
                                (StatusCode::OK, Json(json!({"status": "succeeded"})))
                            }
                            Ok(BatchOutcome::Stopped {
                                stop: Stop::Exists { .. },
                                ..
                            }) => (StatusCode::OK, Json(json!({"status": "succeeded"}))),
                            Ok(_) => (StatusCode::OK, Json(json!({"status": "failed"}))),
                            Err(_) => (StatusCode::OK, Json(json!({"status": "processing"}))),
                        }
                    },
                ),
            )
            .with_state(ledger)
    })
}

const CHARGES: &str = r#"name = "the service's own API"
service = "charges"
accounts = { alice = 10000, bob = 0 }
[http]
method = "PUT"
path = "/v1/accounts/{from}/charges/{key}"
key_header = ""
body = { destination = "{to}", amount = "{amount}", currency = "{currency}", capture = true, note = "{transfer}" }
currency = "eur"
[http.answer]
field = "/status"
success = ["succeeded"]
failure = ["failed"]
retry = ["processing"]
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 2500 }]
[[fault]]
kind = "drop-response"
transfer = "t1"
[expect]
violations = []
"#;

#[test]
fn clients_speak_the_services_own_request_and_read_its_answers() {
    let services = Services::new().with(charges());
    let s = scenario(&services, CHARGES);
    let run = run_scenario(&s, None);
    assert!(
        run.verdict.met,
        "{:?} {:?}",
        run.verdict.found, run.output.end
    );
    assert_eq!(run.output.balance(&s, "bob"), Some(2500), "paid once");
    assert!(matches!(&outcomes(&run)[..], [Outcome::Succeeded(_)]));
    // The timeline speaks the service's API, not idemsim's default shape.
    let text = idemsim::report::human::render(
        &s,
        &idemsim::Provenance::default(),
        &run,
        idemsim::report::Color::Never,
    );
    assert!(
        text.contains("-> api  PUT /v1/accounts/{from}/charges/{key} t1#1"),
        "{text}"
    );
    assert!(
        text.contains("received PUT /v1/accounts/{from}/charges/{key} t1#1"),
        "{text}"
    );
    assert!(!text.contains("POST /transfers"), "{text}");
    // Every answer is a 200: what it means came from the body.
    let failing = s.clone();
    let text = CHARGES.replace("amount = 2500", "amount = 20000");
    let poor = scenario(
        &services,
        &text.replace("violations = []", "violations = []\nsucceeded = 0"),
    );
    let run = run_scenario(&poor, None);
    assert!(
        matches!(&outcomes(&run)[..], [Outcome::Failed(r)] if r.status == 200),
        "{:?}",
        outcomes(&run)
    );
    drop(failing);
}

#[test]
fn a_route_that_does_not_match_fails_the_check_and_says_what_the_service_answered() {
    let services = Services::new().with(charges());
    // The default shape (POST /transfers) meets no route of this service:
    // every call is a 404, and no invariant can break.
    let text = CHARGES.split("[http]").next().unwrap().to_string()
        + "[[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 2500 }]\n[expect]\nviolations = []\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong-route.toml");
    std::fs::write(&path, &text).unwrap();
    let s = idemsim::Loaded {
        scenario: scenario(&services, &text),
        source: idemsim::Provenance::default(),
    };
    let result = idemsim::suite::check_scenario(&s, Default::default(), &mut |_| {});
    match &result.verdict {
        idemsim::suite::Verdict::Failed {
            miss, last_answers, ..
        } => {
            assert_eq!(*miss, idemsim::suite::Miss::NothingSucceeded);
            assert_eq!(last_answers.0.len(), 1);
            assert_eq!(last_answers.0[0].status, Some(404));
        }
        other => panic!("a check of a route that never matches must fail: {other:?}"),
    }
    // Saying it is expected passes it.
    let expected = idemsim::Loaded {
        scenario: scenario(&services, &format!("{text}succeeded = 0\n")),
        source: idemsim::Provenance::default(),
    };
    let result = idemsim::suite::check_scenario(&expected, Default::default(), &mut |_| {});
    assert!(result.passed(), "{:?}", result.verdict);
}

/// A key issued by the service at its own endpoint, read from its answer,
/// and a session the endpoint starts with a cookie that every later
/// request must carry: a client keeps its cookies, as a browser does.
fn checkout() -> Service {
    Service::new("checkout", |env: &Env| {
        let ledger = env.ledger();
        let sessions: Arc<Mutex<u64>> = Arc::default();
        Router::new()
            .route(
                "/checkout",
                post(move |headers: HeaderMap| {
                    let sessions = sessions.clone();
                    async move {
                        let n = {
                            let mut next = sessions.lock().unwrap();
                            *next += 1;
                            *next
                        };
                        let _ = headers;
                        (
                            [(axum::http::header::SET_COOKIE, format!("sid=s{n}; Path=/; HttpOnly"))],
                            Json(json!({"checkout": {"token": format!("tok-{n}")}})),
                        )
                    }
                }),
            )
            .route(
                "/pay",
                post(|State(ledger): State<Ledger>, headers: HeaderMap, Json(body): Json<Value>| async move {
                    let cookie = headers.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or("");
                    let Some(sid) = cookie.split("; ").find_map(|c| c.strip_prefix("sid=")) else {
                        return StatusCode::UNAUTHORIZED.into_response();
                    };
                    let token = body["token"].as_str().unwrap_or("");
                    let batch = Batch::new()
                        .insert(format!("pay/{sid}/{token}"), "paid")
                        .transfer("alice", "bob", body["amount"].as_i64().unwrap_or(0));
                    match ledger.run(batch).await {
                        Ok(BatchOutcome::Committed { .. })
                        | Ok(BatchOutcome::Stopped { stop: Stop::Exists { .. }, .. }) => {
                            StatusCode::CREATED.into_response()
                        }
                        Ok(_) => StatusCode::PAYMENT_REQUIRED.into_response(),
                        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                    }
                }),
            )
            .with_state(ledger)
    })
    .http(HttpApi {
        path: "/pay".into(),
        key_header: String::new(),
        body: Some(json!({"token": "{key}", "amount": "{amount}"})),
        key_endpoint: Some(idemsim::service::KeyEndpoint {
            method: "POST".into(),
            path: "/checkout".into(),
            body: None,
            field: "/checkout/token".into(),
        }),
        ..HttpApi::default()
    })
}

#[test]
fn keys_from_the_services_endpoint_and_cookies_kept_per_client() {
    let services = Services::new().with(checkout());
    let s = scenario(
        &services,
        r#"name = "checkout"
service = "checkout"
accounts = { alice = 10000, bob = 0 }
[keys]
source = "server"
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 100 }, { from = "alice", to = "bob", amount = 200 }]
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 300 }]
[[fault]]
kind = "drop-response"
transfer = "t1"
[expect]
violations = []
"#,
    );
    let run = run_scenario(&s, None);
    assert!(
        run.verdict.met,
        "{:?} {:?}",
        run.verdict.found, run.output.end
    );
    assert_eq!(run.output.balance(&s, "bob"), Some(600), "each paid once");
    let issued: Vec<String> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::KeyObtained { key, .. } => Some(key.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        issued.len(),
        3,
        "one key per transfer, from the endpoint: {issued:?}"
    );
}

/// Refuses a reused key with another payload with `status` (and moves no
/// money), or, with `pay_anyway`, moves the money and still answers
/// `status`; with `replay`, answers the first payload's success.
fn refusing(name: &str, status: u16, pay_anyway: bool, replay: bool) -> Service {
    Service::new(name, move |env: &Env| {
        let ledger = env.ledger();
        Router::new()
            .route(
                "/transfers",
                post(
                    move |State(ledger): State<Ledger>,
                          headers: HeaderMap,
                          Json(t): Json<Value>| async move {
                        let key = headers
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let (from, to, amount) = (
                            t["from"].as_str().unwrap_or("").to_string(),
                            t["to"].as_str().unwrap_or("").to_string(),
                            t["amount"].as_i64().unwrap_or(0),
                        );
                        let fingerprint = format!("{from}>{to}:{amount}");
                        let batch = Batch::new()
                            .insert(format!("idem/{key}"), &fingerprint)
                            .transfer(&from, &to, amount);
                        match ledger.run(batch).await {
                            Ok(BatchOutcome::Committed { .. }) => {
                                StatusCode::CREATED.into_response()
                            }
                            Ok(BatchOutcome::Stopped {
                                stop: Stop::Exists { value },
                                ..
                            }) if value == fingerprint => StatusCode::CREATED.into_response(),
                            Ok(BatchOutcome::Stopped {
                                stop: Stop::Exists { .. },
                                ..
                            }) => {
                                if replay {
                                    return StatusCode::CREATED.into_response();
                                }
                                if pay_anyway {
                                    let _ =
                                        ledger.run(Batch::new().transfer(&from, &to, amount)).await;
                                }
                                let status = StatusCode::from_u16(status).unwrap();
                                (status, Json(json!({"code": "idempotency_error"}))).into_response()
                            }
                            Ok(_) => StatusCode::PAYMENT_REQUIRED.into_response(),
                            Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                        }
                    },
                ),
            )
            .with_state(ledger)
    })
}

const REUSED: &str = r#"name = "a key reused with another payload"
service = "SERVICE"
accounts = { alice = 10000, bob = 0 }
[[client]]
transfers = [
  { from = "alice", to = "bob", amount = 2500 },
  { from = "alice", to = "bob", amount = 300, reuse_key_of = "t1" },
]
[expect]
violations = []
"#;

fn mismatch_found(service: Service) -> bool {
    let name = service.name().to_string();
    let services = Services::new().with(service);
    let s = scenario(&services, &REUSED.replace("SERVICE", &name));
    run_scenario(&s, None)
        .verdict
        .found
        .contains(&ViolationKind::MismatchAccepted)
}

#[test]
fn a_refusal_is_judged_by_what_it_did_not_by_its_status() {
    // Stripe answers 400, many Postgres designs 409, the IETF draft 422:
    // each refused the second payload, and no money moved.
    for status in [400, 409, 422] {
        assert!(
            !mismatch_found(refusing(&format!("refuses-{status}"), status, false, false)),
            "a {status} that moved no money refused the mismatch"
        );
    }
    // Money moved for the second payload: accepted, whatever it answered.
    assert!(mismatch_found(refusing("pays-then-400", 400, true, false)));
    // A success claimed for the second payload: accepted, though no money moved.
    assert!(mismatch_found(refusing(
        "replays-success",
        400,
        false,
        true
    )));
}

#[test]
fn a_bad_http_table_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "name = \"bad\"\nservice = \"atomic-http\"\naccounts = { alice = 1, bob = 0 }\n[http]\npath = \"/pay/{nope}\"\n[[client]]\ntransfers = [{ from = \"alice\", to = \"bob\", amount = 1 }]\n[expect]\nviolations = []\n",
    )
    .unwrap();
    let (code, _, stderr) = services_cli(&["run", path.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("bad.toml:5:"), "{stderr}");
    assert!(stderr.contains("unknown placeholder `{nope}`"), "{stderr}");
}
