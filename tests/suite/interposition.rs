//! Code idemsim did not write is deterministic too: a service written with
//! plain std and `rand` — the wall clock, `Instant`, `rand::rng()`, a
//! `HashMap` iterated in order — replays from its seed, its five-minute
//! expiry ends after five simulated minutes, and only the thread running a
//! simulation sees the simulation's clock; in this test binary and in the
//! `services` example.

use crate::common::services_cli;
use idemsim::history::{Event, TxnResult, What};
use idemsim::service::{Batch, BatchOutcome, Env, Ledger, Service};
use idemsim::{Run, Scenario, Services, run_scenario};
use std::path::Path;

/// Where the simulation's wall clock starts: 2023-11-14 22:13:20 UTC.
const EPOCH_MS: u64 = 1_700_000_000_000;

/// A payment service as a team writes it for production: nothing of
/// idemsim in it. Time comes from std, randomness from `rand`, money moves
/// through a trait the team's database implements.
mod production {
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    use axum::{Json, Router};
    use rand::Rng;
    use std::collections::HashMap;
    use std::future::Future;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    /// Where money moves (the team's database).
    pub trait Payments: Clone + Send + Sync + 'static {
        fn pay(&self, from: &str, to: &str, amount: i64) -> impl Future<Output = bool> + Send;
    }

    /// How long a session lasts, by `Instant`.
    pub const SESSION_TTL: Duration = Duration::from_secs(300);

    /// A session: a random id, renewed once it is five minutes old.
    struct Session {
        id: u32,
        started: Instant,
    }

    #[derive(Clone)]
    struct App<C, P> {
        redis: C,
        payments: P,
        session: Arc<Mutex<Option<Session>>>,
    }

    #[derive(serde::Deserialize)]
    struct Transfer {
        from: String,
        to: String,
        amount: i64,
    }

    /// What the handler read this time, as it notes it in Redis: the wall
    /// clock in ms, the session's id, age (ms) and whether it was just
    /// renewed, and the order in which a `HashMap` gave back its keys.
    fn note(session: &Mutex<Option<Session>>) -> String {
        let (id, age, renewed) = {
            let mut slot = session.lock().expect("not poisoned");
            let renew = slot
                .as_ref()
                .is_none_or(|s| s.started.elapsed() >= SESSION_TTL);
            if renew {
                *slot = Some(Session {
                    id: rand::rng().random(),
                    started: Instant::now(),
                });
            }
            let s = slot.as_ref().expect("just set");
            (s.id, s.started.elapsed(), renew)
        };
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let tally: HashMap<&str, usize> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        let order: String = tally.keys().copied().collect();
        format!(
            "w={wall} s={id:08x} a={} r={} o={order}",
            age.as_millis(),
            u8::from(renewed)
        )
    }

    async fn transfer<C, P>(
        State(app): State<App<C, P>>,
        headers: HeaderMap,
        Json(t): Json<Transfer>,
    ) -> StatusCode
    where
        C: redis::aio::ConnectionLike + Clone + Send + Sync + 'static,
        P: Payments,
    {
        let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) else {
            return StatusCode::BAD_REQUEST;
        };
        let mut redis = app.redis.clone();
        let noted: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("seen/{key}"))
            .arg(note(&app.session))
            .query_async(&mut redis)
            .await;
        if noted.is_err() {
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        // Pay once per key: a retry of a claimed key is answered as done.
        let claimed: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(format!("paid/{key}"))
            .arg(1)
            .arg("NX")
            .query_async(&mut redis)
            .await;
        match claimed {
            Ok(Some(_)) if app.payments.pay(&t.from, &t.to, t.amount).await => StatusCode::CREATED,
            Ok(Some(_)) => StatusCode::PAYMENT_REQUIRED,
            Ok(None) => StatusCode::CREATED,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn router<C, P>(redis: C, payments: P) -> Router
    where
        C: redis::aio::ConnectionLike + Clone + Send + Sync + 'static,
        P: Payments,
    {
        Router::new()
            .route("/transfers", post(transfer::<C, P>))
            .with_state(App {
                redis,
                payments,
                session: Arc::new(Mutex::new(None)),
            })
    }
}

/// The test's side: the production router, with idemsim's stores in place
/// of Redis and the database.
#[derive(Clone)]
struct LedgerPayments(Ledger);

impl production::Payments for LedgerPayments {
    async fn pay(&self, from: &str, to: &str, amount: i64) -> bool {
        matches!(
            self.0.run(Batch::new().transfer(from, to, amount)).await,
            Ok(BatchOutcome::Committed { .. })
        )
    }
}

pub fn plain_std() -> Service {
    Service::new("plain-std", |env: &Env| {
        production::router(env.keys(), LedgerPayments(env.ledger()))
    })
    .summary("std's clocks, rand::rng() and a HashMap, with no idemsim in the handler")
}

fn offered() -> Services {
    Services::new().with(plain_std())
}

/// A scenario around `plain-std`: two transfers, `extra` appended.
pub fn scenario_text(extra: &str) -> String {
    format!(
        r#"
name = "plain std service"
seed = 1
service = "plain-std"
accounts = {{ alice = 10000, bob = 0 }}

[[client]]
transfers = [
  {{ from = "alice", to = "bob", amount = 100 }},
  {{ from = "alice", to = "bob", amount = 100 }},
]
{extra}
[expect]
violations = []
"#
    )
}

fn scenario(extra: &str, services: &Services) -> Scenario {
    idemsim::Loader::new()
        .services(services)
        .parse(Path::new("plain.toml"), &scenario_text(extra))
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

/// What the handler noted at each request, with the time the key store
/// stored it: (stored at ms, w, s, a, r, o).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Note {
    stored_at_ms: u64,
    wall_ms: u64,
    session: String,
    age_ms: u64,
    renewed: bool,
    order: String,
}

fn notes(events: &[Event]) -> Vec<Note> {
    events
        .iter()
        .filter_map(|e| match &e.what {
            What::Txn {
                result: TxnResult::Service(op),
                ..
            } if op.request.starts_with("SET seen/") => {
                let field = |name: &str| {
                    op.request
                        .split(' ')
                        .find_map(|w| w.strip_prefix(&format!("{name}=")))
                        .unwrap_or_else(|| panic!("no {name} in {}", op.request))
                        .to_string()
                };
                Some(Note {
                    stored_at_ms: e.at_ms,
                    wall_ms: field("w").parse().unwrap(),
                    session: field("s"),
                    age_ms: field("a").parse().unwrap(),
                    renewed: field("r") == "1",
                    order: field("o"),
                })
            }
            _ => None,
        })
        .collect()
}

fn human(scenario: &Scenario, run: &Run) -> String {
    idemsim::report::human::render(
        scenario,
        &idemsim::Provenance::default(),
        run,
        idemsim::report::Color::Never,
    )
}

#[test]
fn a_service_on_plain_std_and_rand_replays_from_its_seed() {
    let s = scenario("", &offered());
    let first = run_scenario(&s, Some(1));
    assert!(first.verdict.met, "{}", human(&s, &first));
    let second = run_scenario(&s, Some(1));
    assert_eq!(human(&s, &first), human(&s, &second), "byte for byte");
    assert_eq!(first.output.events, second.output.events);

    let noted = notes(&first.output.events);
    assert_eq!(noted.len(), 2, "{}", human(&s, &first));
    for n in &noted {
        // The wall clock is the simulation's: from its epoch, never past
        // the moment the key store stored the note.
        let since_epoch = n.wall_ms.checked_sub(EPOCH_MS);
        assert!(
            since_epoch.is_some_and(|ms| ms <= n.stored_at_ms),
            "{n:?} is the simulation's clock"
        );
    }
    assert!(noted[0].renewed, "the first request opens the session");
    assert!(!noted[1].renewed, "the second, moments later, keeps it");
    assert_eq!(noted[0].session, noted[1].session);
    assert_eq!(
        noted[1].age_ms,
        noted[1].wall_ms - noted[0].wall_ms,
        "Instant and SystemTime advance together"
    );

    // Another seed, other randomness: the session's id and the map's order.
    let per_seed: Vec<Note> = (1..=8)
        .map(|seed| notes(&run_scenario(&s, Some(seed)).output.events)[0].clone())
        .collect();
    assert_eq!(per_seed[0], noted[0], "seed 1 again, in a later run");
    let sessions: std::collections::BTreeSet<&str> =
        per_seed.iter().map(|n| n.session.as_str()).collect();
    assert_eq!(sessions.len(), 8, "each seed draws its own session id");
    let orders: std::collections::BTreeSet<&str> =
        per_seed.iter().map(|n| n.order.as_str()).collect();
    assert!(
        orders.len() > 1,
        "the map's order follows the seed: {orders:?}"
    );
}

#[test]
fn an_instant_based_five_minute_expiry_ends_in_simulated_time() {
    // The first response is lost; the client retries after `backoff` ms.
    let after = |backoff: u64| {
        let retry = format!(
            r#"
[retry]
timeout_ms = 200
backoff_initial_ms = {backoff}
backoff_max_ms = {backoff}
jitter = "none"

[[fault]]
kind = "drop-response"
transfer = "t1"
attempt = 1
"#
        );
        let s = scenario(&retry, &offered());
        let run = run_scenario(&s, None);
        assert!(run.verdict.met, "{}", human(&s, &run));
        notes(&run.output.events)
    };
    let late = after(300_000);
    assert!(late[0].renewed);
    assert!(
        late[1].wall_ms - late[0].wall_ms >= 300_000,
        "five simulated minutes passed: {late:?}"
    );
    assert!(
        late[1].renewed,
        "the session expired in simulated time: {late:?}"
    );
    assert_ne!(late[0].session, late[1].session);
    assert_eq!(late[1].age_ms, 0);

    let early = after(299_000);
    assert!(
        !early[1].renewed,
        "before five minutes the session holds: {early:?}"
    );
    assert_eq!(early[0].session, early[1].session);
    assert!(early[1].age_ms >= 299_000 && early[1].age_ms < 300_000);
}

/// A service whose handler reads the monotonic clock itself and asks
/// another thread, running meanwhile, to read it too.
fn two_threads_service(
    ask: std::sync::mpsc::Sender<std::sync::mpsc::Sender<(u64, u64, u64)>>,
) -> Service {
    let ask = std::sync::Mutex::new(ask);
    let ask = std::sync::Arc::new(ask);
    Service::new("two-threads", move |env: &Env| {
        let keys = env.keys();
        let ask = ask.clone();
        axum::Router::new().route(
            "/transfers",
            axum::routing::post(move || {
                let (keys, ask) = (keys.clone(), ask.clone());
                async move {
                    let here = monotonic_ns(false);
                    let (answer, reading) = std::sync::mpsc::channel();
                    ask.lock().unwrap().send(answer).unwrap();
                    // Blocks the simulation until the other thread has read.
                    let (before, there, after) = reading.recv().unwrap();
                    let text = format!("here={here} there={before},{there},{after}");
                    let _ = keys.command(["SET", "clocks", &text]).await;
                    axum::http::StatusCode::SERVICE_UNAVAILABLE
                }
            }),
        )
    })
}

/// `CLOCK_MONOTONIC` in ns, through the C library's entry point (`raw`:
/// the system call itself).
fn monotonic_ns(raw: bool) -> u64 {
    let mut t = libc::timespec::default();
    let tp: *mut libc::timespec = &mut t;
    // SAFETY (test): `tp` points to a timespec of ours.
    let rc = unsafe {
        if raw {
            libc::syscall(libc::SYS_clock_gettime, libc::CLOCK_MONOTONIC, tp) as i32
        } else {
            libc::clock_gettime(libc::CLOCK_MONOTONIC, tp)
        }
    };
    assert_eq!(rc, 0);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

#[test]
fn only_the_thread_running_a_simulation_reads_its_clock() {
    let (ask, asked) = std::sync::mpsc::channel::<std::sync::mpsc::Sender<(u64, u64, u64)>>();
    let observer = std::thread::spawn(move || {
        for answer in asked {
            let before = monotonic_ns(true);
            let there = monotonic_ns(false);
            let after = monotonic_ns(true);
            answer.send((before, there, after)).unwrap();
        }
    });
    let service = two_threads_service(ask);
    let services = Services::new().with(service);
    let text = r#"
name = "two threads"
service = "two-threads"
accounts = { alice = 100, bob = 0 }
[[client]]
transfers = [{ from = "alice", to = "bob", amount = 1 }]
[retry]
max_attempts = 1
attempts_after_heal = 0
[expect]
violations = []
"#;
    let s = idemsim::Loader::new()
        .services(&services)
        .parse(Path::new("t.toml"), text)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    let run = run_scenario(&s, None);
    drop(services);
    drop(s);
    let readings: Vec<String> = run
        .output
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Txn {
                result: TxnResult::Service(op),
                ..
            } => Some(op.request.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(readings.len(), 1, "{readings:?}");
    let numbers: Vec<u64> = readings[0]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    let [here, before, there, after] = numbers[..] else {
        panic!("{readings:?}")
    };
    // The simulation's thread: the simulated monotonic clock, a whole
    // number of milliseconds past its base.
    assert_eq!(here % 1_000_000, 0, "{here}");
    assert!(here >= 1_000_000 * 1_000_000_000, "{here}");
    assert!(here < 1_000_000 * 1_000_000_000 + 600_000_000_000, "{here}");
    // Another thread, during the run: the kernel's.
    assert!(
        before <= there && there <= after,
        "{before} {there} {after}"
    );
    observer.join().unwrap();
    // And this thread, after the run: the kernel's.
    let before = monotonic_ns(true);
    let now = monotonic_ns(false);
    assert!(before <= now && now <= monotonic_ns(true));
}

#[test]
fn runs_on_parallel_threads_each_see_their_own_seed() {
    let s = scenario("", &offered());
    let alone: Vec<Vec<Event>> = (1..=4)
        .map(|seed| run_scenario(&s, Some(seed)).output.events)
        .collect();
    let together: Vec<Vec<Event>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..=4)
            .map(|seed| {
                let s = &s;
                scope.spawn(move || run_scenario(s, Some(seed)).output.events)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (seed, (a, t)) in (1..).zip(alone.iter().zip(&together)) {
        let difference = idemsim::explore::sweep::first_difference(a, t);
        assert_eq!(difference, None, "seed {seed}: alone and in parallel");
    }
}

#[test]
fn names_looked_up_at_run_time_find_the_simulations_definitions() {
    // The `getrandom` crate (behind `rand::rng()` and `Uuid::new_v4`) finds
    // `getrandom` with `dlsym(RTLD_DEFAULT, …)`: it must find the program's
    // definition, not the C library's.
    // SAFETY (test): dlopen/dlsym with NUL-terminated names; RTLD_NOLOAD
    // only returns the already loaded C library.
    unsafe {
        let libc_handle = libc::dlopen(c"libc.so.6".as_ptr(), libc::RTLD_NOW | libc::RTLD_NOLOAD);
        assert!(!libc_handle.is_null());
        for name in [
            c"getrandom",
            c"getentropy",
            c"clock_gettime",
            c"gettimeofday",
            c"time",
        ] {
            let found = libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr());
            let c_library = libc::dlsym(libc_handle, name.as_ptr());
            assert!(!found.is_null() && !c_library.is_null(), "{name:?}");
            assert_ne!(found, c_library, "{name:?} is the program's own");
        }
        libc::dlclose(libc_handle);
    }
}

#[test]
fn the_services_example_reads_the_simulations_wall_clock() {
    // atomic-http stamps its claims with `SystemTime::now()`; the claim of
    // t1, handled at 4 ms, reads the simulation's epoch plus 4 ms.
    let (code, stdout, stderr) = services_cli(&["run", "scenarios/services/atomic.toml"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            r#"txn ledger-1 for t1#1: insert idem/Bearer client-1/ck-a9ecb3 = {"at_ms":1700000000004,"#
        ),
        "{stdout}"
    );
}
