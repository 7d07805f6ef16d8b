//! Your own service under test: a real HTTP payment endpoint (an axum
//! `Router`, or any tower `Service`) running inside the world, under the same
//! faults, search and checks as a design.
//!
//! A [`Service`] is a name and a factory. idemsim calls the factory every
//! time the `api` host boots, so a crash loses everything the process held
//! in memory, as a real crash would. The factory gets an [`Env`]: the
//! clients of the two stores the world runs for you, and the run's time and
//! randomness.
//!
//! ```no_run
//! use axum::{Json, Router, extract::State, http::StatusCode, routing::post};
//! use idemsim::service::{Batch, Env, Ledger, Service};
//!
//! #[derive(serde::Deserialize)]
//! struct Transfer { from: String, to: String, amount: i64 }
//!
//! async fn transfer(State(ledger): State<Ledger>, Json(t): Json<Transfer>) -> StatusCode {
//!     // No idempotency at all: every request moves the money.
//!     match ledger.run(Batch::new().transfer(&t.from, &t.to, t.amount)).await {
//!         Ok(outcome) if outcome.committed() => StatusCode::CREATED,
//!         Ok(_) => StatusCode::PAYMENT_REQUIRED,
//!         Err(_) => StatusCode::SERVICE_UNAVAILABLE,
//!     }
//! }
//!
//! fn naive() -> Service {
//!     Service::new("naive", |env: &Env| {
//!         Router::new().route("/transfers", post(transfer)).with_state(env.ledger())
//!     })
//!     .summary("moves the money on every request")
//! }
//! ```
//!
//! A scenario names it with `service = "naive"` instead of `design = …`, and
//! the program that runs it hands its services to idemsim: from
//! `cargo test` with [`crate::suite::check_services`], from the command line
//! with [`crate::cli::main_with`].
//!
//! What the world does around the service:
//!
//! * Clients send `POST /transfers` over HTTP/1.1 (unless the service's
//!   [`HttpApi`] says otherwise), one connection per attempt, with
//!   `Idempotency-Key`, `Authorization: Bearer client-N` (the caller's
//!   identity) and a JSON body `{"from", "to", "amount"}`; they read
//!   the status and the body. 2xx is success; 409, 429 and 5xx are retried
//!   unless the answer carries `Should-Retry: false`; any other answer is
//!   final. `Idempotent-Replayed: true` marks a stored answer.
//! * When a client gives up waiting it closes the connection, and hyper drops
//!   the handler wherever it was, as it does in production: code that must
//!   finish whether or not the client waits has to say so.
//! * Every store call, crash point and answer is attributed to the attempt
//!   being served through a task-local ([`Attempt`]), and so is the work of a
//!   task the handler spawns; work handed to a task no handler spawned must
//!   carry it with [`Attempt::scope`].
//!
//! # Deterministic without idemsim in production code
//!
//! Inside a run, the clock and the operating system's randomness that the
//! service and every crate it uses read are the simulation's: std's
//! `SystemTime::now` and `Instant::now`, `chrono::Utc::now`, `rand::rng()`,
//! `Uuid::new_v4`, the keys of std's `HashMap`. So production code written
//! with plain std and `rand` replays from its seed, and a cache that expires
//! by `Instant` after five minutes expires after five simulated minutes.
//! idemsim stays a dev-dependency: the production crate takes its stores
//! from outside (the `redis` crate's `ConnectionLike`, a trait of its own
//! for the database), and only the test builds the [`Service`] around it:
//!
//! ```no_run
//! // src/lib.rs of the production crate: no idemsim.
//! # mod production {
//! # use axum::Router;
//! pub trait Payments: Clone + Send + Sync + 'static {
//!     fn pay(&self, from: &str, to: &str, amount: i64)
//!         -> impl std::future::Future<Output = bool> + Send;
//! }
//! pub fn router<C, P>(redis: C, payments: P) -> Router
//! where
//!     C: redis::aio::ConnectionLike + Clone + Send + Sync + 'static,
//!     P: Payments,
//! {
//!     // Handlers read SystemTime::now(), Instant::now(), rand::rng() as usual.
//!     # let _ = (redis, payments);
//!     Router::new()
//! }
//! # }
//! // tests/payments.rs: idemsim is a dev-dependency.
//! use idemsim::service::{Batch, BatchOutcome, Env, Ledger, Service};
//!
//! #[derive(Clone)]
//! struct LedgerPayments(Ledger);
//!
//! impl production::Payments for LedgerPayments {
//!     async fn pay(&self, from: &str, to: &str, amount: i64) -> bool {
//!         let batch = Batch::new().transfer(from, to, amount);
//!         matches!(self.0.run(batch).await, Ok(BatchOutcome::Committed { .. }))
//!     }
//! }
//!
//! fn service() -> Service {
//!     Service::new("payments", |env: &Env| {
//!         production::router(env.keys(), LedgerPayments(env.ledger()))
//!     })
//! }
//! ```
//!
//! Covered: the C library's `clock_gettime` (wall, monotonic and boot
//! clocks), `gettimeofday`, `time`, `getrandom` and `getentropy`, on 64-bit
//! Linux with the GNU C library, on the thread that runs the simulation
//! (each service run gets a thread of its own, so that std's and `rand`'s
//! per-thread seeds start from the run), while the run lasts. Not covered:
//! state kept across runs (a `static`), code that reads time or randomness
//! without the C library (raw system calls, the vDSO, `/dev/urandom`,
//! `rdtsc`), CPU-time clocks, the branch order of `tokio::select!` without
//! `biased;`, and other platforms. [`Env`] lists what to do about each;
//! [`crate::suite::check_services`] runs seeds twice and shows where two
//! runs part.

mod attempt;
mod env;
pub(crate) mod http_api;
pub(crate) mod keys;
pub(crate) mod ledger;
pub mod postgres;
pub(crate) mod sites;
pub(crate) mod world_link;

pub use crate::resp::Resp;
pub use attempt::{Attempt, crash_point};
pub use env::{Env, now, sleep};
pub use http_api::{AnswerReading, HttpApi, KeyEndpoint};
pub use keys::{Keys, SetCondition, SetExpiry};
pub use ledger::{Batch, BatchOutcome, Ledger, Read, Stop};
#[cfg(feature = "bb8")]
pub use postgres::Bb8Manager;
pub use postgres::{Attributed, PgStream, Postgres};

use crate::limits;
use bytes::Bytes;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// An error a service's handler or body may raise.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request as a service receives it.
pub type Request = http::Request<hyper::body::Incoming>;

/// What a service's code can fail with when it calls a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No answer within the client's timeout: the call may or may not have
    /// run, and the service cannot tell.
    Timeout,
    /// The call was made outside any request: idemsim cannot tell which
    /// transfer it serves. Wrap the task in [`Attempt::scope`].
    OutsideRequest,
    /// The store refused the call (too large, too many, full).
    Refused(String),
    /// An account the scenario does not have.
    UnknownAccount(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Timeout => f.write_str("the store did not answer in time"),
            StoreError::OutsideRequest => f.write_str(
                "a store call outside any request: idemsim cannot tell which transfer it serves; \
                 carry the attempt into spawned tasks with idemsim::service::Attempt::scope",
            ),
            StoreError::Refused(why) => write!(f, "the store refused the call: {why}"),
            StoreError::UnknownAccount(name) => write!(f, "no account named `{name}`"),
        }
    }
}

impl std::error::Error for StoreError {}

/// One answer, as idemsim's layer hands it to hyper.
pub(crate) type Answer = http::Response<http_body_util::Full<Bytes>>;

/// A booted service: serves one request at a time per call, any number at once.
pub(crate) type Handler = Arc<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Answer>>>>;

type Factory = dyn Fn(&Env) -> Handler + Send + Sync;

/// A service under test: a name, what it is, its declared crash points and
/// the factory that builds it at every boot of the `api` host.
#[derive(Clone)]
pub struct Service {
    name: String,
    summary: String,
    crash_points: Vec<String>,
    recovery_ms: u64,
    http: HttpApi,
    factory: Arc<Factory>,
}

/// How long, after the faults heal, a service may need before it answers
/// again when it does not say (see [`Service::recovery_ms`]).
pub const DEFAULT_RECOVERY_MS: u64 = 1_000;

impl Service {
    /// A service named `name`, built by `factory` at every boot.
    ///
    /// `factory` returns any tower service over `http::Request` (an axum
    /// `Router` is one). Its response body is read whole (up to
    /// [`limits::MAX_RESPONSE_BYTES`]) before it leaves, so that the history
    /// records what the client will get.
    pub fn new<F, S, B>(name: impl Into<String>, factory: F) -> Service
    where
        F: Fn(&Env) -> S + Send + Sync + 'static,
        S: tower::Service<Request, Response = http::Response<B>> + Clone + 'static,
        S::Error: Into<BoxError>,
        S::Future: 'static,
        B: hyper::body::Body<Data = Bytes> + 'static,
        B::Error: Into<BoxError>,
    {
        let factory = move |env: &Env| -> Handler {
            let service = factory(env);
            Arc::new(move |request: Request| {
                let service = service.clone();
                Box::pin(serve_one(service, request))
            })
        };
        Service {
            name: name.into(),
            summary: String::new(),
            crash_points: Vec::new(),
            recovery_ms: DEFAULT_RECOVERY_MS,
            http: HttpApi::default(),
            factory: Arc::new(factory),
        }
    }

    /// How clients call the service: its method, path, body, key header,
    /// key endpoint and how to read its answers (see [`HttpApi`]). A
    /// scenario's `[http]` table, when it has one, wins. By default
    /// `POST /transfers` with `{"from", "to", "amount"}` and an
    /// `Idempotency-Key` header, answers read by status class.
    pub fn http(mut self, api: HttpApi) -> Service {
        self.http = api;
        self
    }

    /// How clients call the service, as it declares.
    pub fn http_api(&self) -> &HttpApi {
        &self.http
    }

    /// One line on what the service does, for reports and `designs`.
    pub fn summary(mut self, summary: impl Into<String>) -> Service {
        self.summary = summary.into();
        self
    }

    /// The crash points the code passes ([`crash_point`]), so that faults
    /// and the search can name them. A point the code passes without
    /// declaring it fails the run.
    pub fn crash_points<I, T>(mut self, names: I) -> Service
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.crash_points = names.into_iter().map(Into::into).collect();
        self
    }

    /// How long, after the faults heal, the service may need before it can
    /// answer every key again: the expiry of a lock left by a crashed
    /// request, say. Clients keep retrying at least this long after the
    /// heal before a transfer still unanswered counts as `stuck-key`.
    pub fn recovery_ms(mut self, recovery_ms: u64) -> Service {
        self.recovery_ms = recovery_ms;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn summary_text(&self) -> &str {
        &self.summary
    }

    pub fn declared_points(&self) -> &[String] {
        &self.crash_points
    }

    pub fn recovery(&self) -> u64 {
        self.recovery_ms
    }

    /// Builds the service for one boot.
    pub(crate) fn boot(&self, env: &Env) -> Handler {
        (self.factory)(env)
    }

    /// What is wrong with how the service was declared, if anything.
    pub fn problems(&self) -> Option<String> {
        let well_named = |n: &str| {
            !n.is_empty()
                && n.len() <= limits::MAX_NAME_BYTES
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !well_named(&self.name) {
            return Some(format!(
                "service name `{}`: expected 1 to {} letters, digits, `-` or `_`",
                crate::text::escape(&self.name),
                limits::MAX_NAME_BYTES
            ));
        }
        if self.crash_points.len() > limits::MAX_CRASH_POINTS {
            return Some(format!(
                "service `{}` declares {} crash points; expected at most {}",
                self.name,
                self.crash_points.len(),
                limits::MAX_CRASH_POINTS
            ));
        }
        for (i, point) in self.crash_points.iter().enumerate() {
            if !well_named(point) || point == "start" || point == "end" {
                return Some(format!(
                    "service `{}` declares crash point `{}`: expected 1 to {} letters, digits, `-` or `_`, and neither `start` nor `end`",
                    self.name,
                    crate::text::escape(point),
                    limits::MAX_NAME_BYTES
                ));
            }
            if self.crash_points[..i].contains(point) {
                return Some(format!(
                    "service `{}` declares crash point `{point}` twice",
                    self.name
                ));
            }
        }
        if let Some((field, why)) = self.http.problem() {
            return Some(format!(
                "service `{}`: its HTTP API's {}: {why}",
                self.name,
                field.join(".")
            ));
        }
        if self.recovery_ms > limits::MAX_TIMEOUT_MS {
            return Some(format!(
                "service `{}`: recovery_ms is {}; expected at most {}",
                self.name,
                self.recovery_ms,
                limits::MAX_TIMEOUT_MS
            ));
        }
        None
    }
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service")
            .field("name", &self.name)
            .field("crash_points", &self.crash_points)
            .field("recovery_ms", &self.recovery_ms)
            .finish_non_exhaustive()
    }
}

/// Calls one service once and reads its answer whole.
async fn serve_one<S, B>(mut service: S, request: Request) -> Answer
where
    S: tower::Service<Request, Response = http::Response<B>>,
    S::Error: Into<BoxError>,
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = match service.ready().await {
        Ok(ready) => ready.call(request).await,
        Err(e) => Err(e),
    };
    let response = match response {
        Ok(response) => response,
        Err(e) => return internal_error(&e.into().to_string()),
    };
    let (parts, body) = response.into_parts();
    let limited = http_body_util::Limited::new(body, limits::MAX_RESPONSE_BYTES);
    match limited.collect().await {
        Ok(collected) => {
            http::Response::from_parts(parts, http_body_util::Full::new(collected.to_bytes()))
        }
        Err(e) => internal_error(&format!("the response body could not be read: {e}")),
    }
}

/// A 500 for a service that failed to produce an answer at all.
pub(crate) fn internal_error(why: &str) -> Answer {
    let body = serde_json::json!({ "code": "service_error", "message": why }).to_string();
    http::Response::builder()
        .status(http::StatusCode::INTERNAL_SERVER_ERROR)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(http_body_util::Full::new(Bytes::from(body)))
        .expect("a fixed response is valid")
}

/// The services a program offers its scenarios, by name, and how to run
/// that program (for the replay commands reports print).
#[derive(Debug, Clone)]
pub struct Services {
    services: Vec<Service>,
    program: Vec<String>,
}

impl Default for Services {
    fn default() -> Services {
        Services {
            services: Vec::new(),
            program: vec!["idemsim".to_string()],
        }
    }
}

impl Services {
    pub fn new() -> Services {
        Services::default()
    }

    /// The command that runs this program, as replay commands should start:
    /// `cargo run --example idemsim --` for a program in a crate's
    /// `examples/`. `idemsim` unless told.
    pub fn program(mut self, command: &str) -> Services {
        let words: Vec<String> = command.split_whitespace().map(String::from).collect();
        if !words.is_empty() {
            self.program = words;
        }
        self
    }

    /// The words of [`Services::program`].
    pub fn program_words(&self) -> &[String] {
        &self.program
    }

    /// Adds `service`; a later service of the same name replaces it.
    pub fn with(mut self, service: Service) -> Services {
        self.services.retain(|s| s.name != service.name);
        self.services.push(service);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Service> {
        self.services.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    pub fn names(&self) -> Vec<&str> {
        self.services.iter().map(|s| s.name.as_str()).collect()
    }
}

impl FromIterator<Service> for Services {
    fn from_iter<I: IntoIterator<Item = Service>>(iter: I) -> Services {
        iter.into_iter().fold(Services::new(), Services::with)
    }
}
