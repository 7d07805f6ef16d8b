//! What a service gets from the world at boot: its store clients, time and
//! randomness.
//!
//! A run replays from its seed only if the code under test takes nothing
//! from outside the simulation. Inside a service's run, the clock and the
//! operating system's randomness already come from the simulation, for the
//! service and every crate it uses, with nothing asked of them: idemsim
//! answers the C library's `clock_gettime`, `gettimeofday`, `time`,
//! `getrandom` and `getentropy` on the thread that runs the simulation (64-bit
//! Linux with the GNU C library). So plain std and `rand` replay:
//!
//! * `SystemTime::now()`, `chrono::Utc::now()`: the simulation's clock,
//!   from 2023-11-14 22:13:20 UTC, quiet time that idemsim skips included;
//! * `Instant::now()`: a monotonic clock that advances with it, so an expiry
//!   of five minutes ends after five simulated minutes;
//! * `rand::rng()`, `Uuid::new_v4()`, the keys of std's `HashMap` (and so
//!   its iteration order): the run's seed, a different stream for every
//!   seed, the same bytes in every process.
//!
//! [`now`], [`Env::now`] and [`Env::rng`] keep working and give the same
//! clock; [`Env::rng`] also differs at every boot of the `api` host. What is
//! still yours to avoid, because no clock or random call carries it:
//!
//! * state kept across runs in the process (a `static`, a `OnceLock`, a
//!   global cache): two runs of one seed then differ;
//! * time or randomness read without the C library: raw system calls
//!   (`rustix`'s default backend), the vDSO called directly, `/dev/urandom`,
//!   `rdtsc`/`rdrand`; CPU-time clocks, which report the real processor's
//!   work;
//! * `tokio::select!` without `biased;` (tokio seeds its choice from a
//!   process-wide counter);
//! * threads and thread pools (`std::thread::spawn`, `spawn_blocking`):
//!   keep the work on the task;
//! * real sockets (`redis::Client::get_multiplexed_async_connection`,
//!   a connection pool): take the clients [`Env`] hands you.
//!
//! `idemsim explore --check-determinism` runs each seed twice and names the
//! first event where the two runs part, which is where a leak shows;
//! [`crate::suite::check_services`] does the same on a few seeds of every
//! scenario, and shows what each run did there.

use super::keys::Keys;
use super::ledger::Ledger;
use super::postgres::Postgres;
use super::world_link as service_world;
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, SystemTime};

/// What the world hands a service at each boot of the `api` host.
#[derive(Debug, Clone)]
pub struct Env {
    pub(crate) incarnation: u32,
    pub(crate) seed: u64,
}

impl Env {
    /// The key store: a key-value store with TTL that speaks the Redis
    /// protocol (see [`Keys`]).
    pub fn keys(&self) -> Keys {
        Keys::new()
    }

    /// The ledger: accounts, balances and records, changed by all-or-nothing
    /// batches (see [`Ledger`]).
    pub fn ledger(&self) -> Ledger {
        Ledger::new()
    }

    /// The scenario's PostgreSQL database (`[database]`): opens connections
    /// any PostgreSQL client speaks over (see [`Postgres`]).
    pub fn postgres(&self) -> Postgres {
        Postgres::new()
    }

    /// Randomness from the run's seed, different at every boot (so that a
    /// restarted process does not repeat its predecessor's draws).
    pub fn rng(&self) -> ChaCha8Rng {
        crate::seed::derive_rng(self.seed, &format!("service-{}", self.incarnation))
    }

    /// How many times the `api` host has booted, this boot included.
    pub fn incarnation(&self) -> u32 {
        self.incarnation
    }

    /// The time now: see [`now`].
    pub fn now(&self) -> SystemTime {
        now()
    }
}

/// The time now: the simulation's clock inside a run (which starts at
/// 2023-11-14 22:13:20 UTC), the system's outside one. Inside a service's
/// run `SystemTime::now()` reads the same clock; this works on every
/// platform.
pub fn now() -> SystemTime {
    match service_world::now_ms() {
        Some(ms) => std::time::UNIX_EPOCH + Duration::from_millis(crate::vocab::EPOCH_MS + ms),
        None => SystemTime::now(),
    }
}

/// Waits `duration` on the simulation's clock inside a run, on tokio's
/// outside one. idemsim sees this timer when it skips quiet time, as it
/// cannot see a tokio timer in a task started with `spawn_local`: wait with
/// this there.
pub async fn sleep(duration: Duration) {
    let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if !service_world::sleep_ms(ms).await {
        tokio::time::sleep(duration).await;
    }
}
