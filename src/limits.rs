//! A limit on everything that grows.
//!
//! Each bound keeps one run finite and its memory small, whatever the input says;
//! input beyond a limit is rejected with a clear error rather than run slowly.

/// Bytes of SQL in a scenario's `[database]` setup file (PostgreSQL's
/// server takes at most 1 GiB in one query; a schema is kilobytes).
pub const MAX_SQL_SETUP_BYTES: usize = 1 << 20;

/// Accounts in one scenario.
pub const MAX_ACCOUNTS: usize = 1_000;
/// Clients (hosts `client-1` …) in one scenario.
pub const MAX_CLIENTS: usize = 1_000;
/// Client hosts one run builds; past this many clients, clients share hosts.
pub const MAX_CLIENT_HOSTS: u32 = 32;
/// Transfers over all clients of one scenario.
pub const MAX_TRANSFERS: usize = 100_000;
/// Attempts a client may make for one transfer (or for one key request).
pub const MAX_ATTEMPTS: u32 = 100;
/// Attempts a client makes after the faults heal, at least, when it has no
/// definitive answer yet.
pub const MAX_ATTEMPTS_AFTER_HEAL: u32 = 20;
/// Attempts one transfer may make in all, liveness phase included: the
/// liveness phase doubles its waits, so it needs few.
pub const MAX_ATTEMPTS_PER_TRANSFER: u32 = 256;
/// Targeted faults in one scenario.
pub const MAX_FAULTS: usize = 1_000;
/// Transactions in one design.
pub const MAX_DESIGN_TRANSACTIONS: usize = 32;
/// Any timeout, backoff, delay, TTL or restart time, in simulated milliseconds
/// (seven days; quiet time is skipped, so long waits are cheap).
pub const MAX_TIMEOUT_MS: u64 = 7 * 86_400_000;
/// A balance or amount, in minor units (about 9.2e15: sums of a thousand stay in i64).
pub const MAX_AMOUNT: i64 = 1 << 53;
/// Network latency, in simulated milliseconds.
pub const MAX_LATENCY_MS: u64 = 10_000;
/// The shortest store timeout a design may have: every message spends at
/// least a millisecond in flight, so a store call's answer comes back 2 ms
/// after it was sent at the earliest, and must come before the timeout.
pub const MIN_STORE_TIMEOUT_MS: u64 = 3;
/// The default cap on simulated time of one run.
pub const DEFAULT_MAX_SIM_MS: u64 = 600_000;
/// The largest cap on simulated time a scenario may ask for (thirty days).
pub const MAX_SIM_MS: u64 = 30 * 86_400_000;
/// The default budget of host steps for one run: turmoil steps times hosts.
/// A turmoil step costs every host about 1.6 µs whether it works or idles,
/// so this budget is what bounds a run's wall time: about half a minute on
/// a 2-core machine. A scenario may raise it (`[limits] max_host_steps`).
pub const DEFAULT_MAX_HOST_STEPS: u64 = 20_000_000;
/// The largest budget of host steps a scenario may ask for.
pub const MAX_HOST_STEPS: u64 = 10_000_000_000;
/// The default budget of network work for one run. On every step turmoil
/// passes over each message in flight, and taking a message out of its
/// link's queue moves the messages queued behind it; the driver counts both
/// (see `Injector::network_work`). A run with long latencies and many
/// messages in flight is bounded by this budget rather than by its host
/// steps: the default is about half a minute on a 2-core machine. A
/// scenario may raise it (`[limits] max_network_work`).
pub const DEFAULT_MAX_NETWORK_WORK: u64 = 1_000_000_000;
/// The largest budget of network work a scenario may ask for.
pub const MAX_NETWORK_WORK: u64 = 1_000_000_000_000;
/// The default cap on messages one run may send.
pub const DEFAULT_MAX_MESSAGES: u64 = 2_000_000;
/// The largest cap on messages a scenario may ask for.
pub const MAX_MESSAGES: u64 = 100_000_000;
/// How long the world may run after the last client finished, so that messages
/// still in flight and delayed requests land before the checker reads the ledger.
pub const DRAIN_MS: u64 = 60_000;
/// The longest a long delay holds a message: half the drain time, so that a
/// message held after the last attempt still lands before the run ends.
pub const MAX_LONG_HOLD_MS: u64 = DRAIN_MS / 2;
/// Distinct keys a client can make (24 bits, printed as six hex digits).
pub const CLIENT_KEY_SPACE: u32 = 1 << 24;
/// Seeds in one `--seeds` range.
pub const MAX_SEEDS: u64 = 10_000_000;
/// Threads a sweep may use.
pub const MAX_JOBS: usize = 256;
/// Failing seeds a sweep keeps to report (the lowest); the rest are counted.
pub const MAX_REPORTED_FAILURES: usize = 1_000;
/// Targeted faults an exhaustive search may place in one schedule.
pub const MAX_EXHAUSTIVE_FAULTS: usize = 4;
/// Schedules an exhaustive search runs unless `--max-schedules` raises it:
/// about a minute for a one-transfer scenario on a 2-core machine.
pub const DEFAULT_MAX_SCHEDULES: u64 = 100_000;
/// Schedules one exhaustive search may be allowed to run.
pub const MAX_SCHEDULES: u64 = 100_000_000;
/// Estimated seconds of one core an exhaustive search may spend unless
/// `--max-seconds` raises it (priced from deterministic work, see
/// `explore::cost`): five minutes, two and a half on a 2-core machine.
pub const DEFAULT_MAX_SEARCH_SECONDS: u64 = 300;
/// Estimated seconds one exhaustive search may be allowed to spend (a week).
pub const MAX_SEARCH_SECONDS: u64 = 7 * 86_400;
/// Schedules an exhaustive search keeps per violation to show (the rest are counted).
pub const MAX_SHOWN_SCHEDULES: usize = 64;
/// Runs one shrink may spend.
pub const MAX_SHRINK_RUNS: u64 = 10_000;
/// Bytes in a name the scenario or a design gives (an account, a transfer id,
/// a transaction, an answer code): bounded so that every message fits a
/// datagram and every line of a report stays readable.
pub const MAX_NAME_BYTES: usize = 64;
/// Steps in one design transaction.
pub const MAX_STEPS_PER_TRANSACTION: usize = 32;
/// Bytes idemsim reads from one scenario or design file.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Bytes in a key a service stores (a Redis key, a ledger record's key).
pub const MAX_STORE_KEY_BYTES: usize = 512;
/// Bytes in a value a service stores (a Redis value, a ledger record).
pub const MAX_STORE_VALUE_BYTES: usize = 2_048;
/// Entries one store keeps for a service; past it a write is refused, as a
/// Redis server at its memory limit refuses one.
pub const MAX_STORE_ENTRIES: usize = 200_000;
/// Commands in one Redis pipeline, and arguments in one command.
pub const MAX_RESP_COMMANDS: usize = 64;
/// Bytes of one request to the key store (a command or a pipeline).
pub const MAX_RESP_REQUEST_BYTES: usize = 16 * 1024;
/// Bytes of the replies to one request; past it every command of the
/// request is answered with an error (the writes it made stand, as on a
/// Redis whose client dropped the replies).
pub const MAX_RESP_REPLY_BYTES: usize = 8 * 1024;
/// Operations in one ledger batch.
pub const MAX_BATCH_OPS: usize = 16;
/// Bytes of the records one ledger batch reads; a batch that would read
/// more stops (and keeps nothing).
pub const MAX_BATCH_READ_BYTES: usize = 8 * 1024;
/// Calls a service may make to each store while serving one attempt.
pub const MAX_STORE_CALLS: u16 = 255;
/// Crash points a service may declare, and passes of one point that a
/// fault can name (`after-debit#3`).
pub const MAX_CRASH_POINTS: usize = 64;
pub const MAX_POINT_PASSES: u16 = 16;
/// Bytes of a service's response body that idemsim reads.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The most idempotency records a design may bound its key store to.
pub const MAX_KEY_RECORDS: u32 = 1_000_000;

/// The most keys a design's completer takes up in one pass.
pub const MAX_COMPLETER_KEYS_PER_PASS: usize = 64;

/// Bytes of one template of a service's API (a path, a header value, a
/// body), so that every request a client builds stays small.
pub const MAX_TEMPLATE_BYTES: usize = 4 * 1024;
/// Headers a service's API adds to every request.
pub const MAX_HTTP_HEADERS: usize = 32;
/// Values on each of a service's answer lists (`success`, `failure`, `retry`).
pub const MAX_ANSWER_VALUES: usize = 32;
/// Bytes of a key a service issues; a longer one is not taken as a key.
pub const MAX_KEY_TEXT_BYTES: usize = 255;
/// Distinct keys a service may issue in one run (each is remembered, to
/// send back and to name in reports).
pub const MAX_ISSUED_KEYS: usize = 1_000_000;
/// Cookies one client keeps, and bytes of one; more are not kept.
pub const MAX_COOKIES: usize = 64;
pub const MAX_COOKIE_BYTES: usize = 4 * 1024;
/// `tracing` events one run keeps in its history with `--log`; later ones
/// are dropped, so a chatty service cannot grow a history without bound.
pub const MAX_LOG_EVENTS: usize = 10_000;
/// Bytes of one log event's message (its fields included) and of its
/// target; the rest is cut, marked with `…`.
pub const MAX_LOG_MESSAGE_BYTES: usize = 1_024;

#[cfg(test)]
mod tests {
    //! The limits keep every message within one datagram.

    use super::MAX_NAME_BYTES;
    use crate::vocab::wire::tests::biggest;
    use crate::vocab::wire::{Body, Code, Envelope, Key, KeyOrigin, MAX_ANSWER_BYTES, Response};

    #[test]
    fn every_message_fits_a_datagram_with_the_longest_name() {
        let bytes = biggest(MAX_NAME_BYTES).encode().unwrap();
        assert!(bytes.len() < 1024, "{} bytes", bytes.len());
        // A response carries a code, which a design file names: the design
        // loader bounds it (see `limits::MAX_NAME_BYTES`).
        let code = "\u{1}".repeat(MAX_NAME_BYTES);
        let mut response = Response::error(599, Code::parse(&code));
        response.key = Some(Key {
            origin: KeyOrigin::Client,
            value: u32::MAX,
        });
        let e = Envelope {
            body: Body::Response(response),
            ..biggest(MAX_NAME_BYTES)
        };
        let bytes = e.encode().unwrap();
        assert!(bytes.len() <= MAX_ANSWER_BYTES, "{} bytes", bytes.len());
    }
}
