//! The liveness phase: how long, after the faults heal, a client goes on
//! retrying a transfer that has no definitive answer yet.
//!
//! `stuck-key` is a liveness property: once the faults stop, every key must
//! reach a final state and every client must learn its outcome. A run cannot
//! wait forever to see that, so the bound is what the design and the
//! scenario imply a correct system needs to recover after the heal:
//!
//! * what can still be in flight at the heal, the longest of: a message a
//!   fault holds (a targeted delay, a random hold of up to two client
//!   timeouts, a long hold past the API's expiries), a stall, a crashed
//!   host's restart, a store outage, and a slow store's work;
//! * then what the API may need once that has landed: a stale claim's lock
//!   expiry (`lock_ms`) — a claim held in the network can lock the key
//!   again for a request long gone, so the lock counts from when the held
//!   claim lands, not from the heal —, the API's waits for a held key
//!   (`wait_ms × max_waits`), its store timeouts over every transaction
//!   (for a service: the recovery time it declares and a store call's
//!   timeout);
//! * then one more whole attempt: the client's timeout, a round trip at the
//!   highest latency, and its longest backoff.
//!
//! The deadline is `heal_at_ms` plus that bound. Clients retry with their
//! policy first; past it they double their wait (from `backoff_max_ms`) up
//! to the deadline, and make one last attempt there. A transfer still
//! without a definitive answer then ends unknown, and the checker calls its
//! key stuck.

use crate::fault::RANDOM_FORMS;
use crate::scenario::Scenario;

/// The simulated time at which clients stop waiting for a definitive answer.
pub fn liveness_deadline_ms(scenario: &Scenario) -> u64 {
    let retry = &scenario.retry;
    let attempt_ms = retry.timeout_ms + 2 * scenario.network.latency_max_ms + retry.backoff_max_ms;
    scenario
        .window
        .heal_at_ms
        .saturating_add(in_flight_at_heal_ms(scenario))
        .saturating_add(scenario.api.settle_ms())
        .saturating_add(attempt_ms)
}

/// How long after the heal something the faults set going can still land:
/// a held message, a stall, a host coming back, an outage, a slow store.
/// Each targeted fault and each random form says how long it lasts; every
/// random form counts, on or not (a targeted fault elsewhere may set the
/// same thing going), save those that say they depend on their rate.
fn in_flight_at_heal_ms(scenario: &Scenario) -> u64 {
    let targeted_ms = scenario
        .faults
        .iter()
        .map(|f| f.kind.behaviour().lasts().ms)
        .max()
        .unwrap_or(0);
    let random_ms = RANDOM_FORMS
        .iter()
        .map(|form| (form.lasts_ms)(scenario))
        .max()
        .unwrap_or(0);
    [
        targeted_ms,
        random_ms,
        scenario.stores.keys_work_ms + scenario.stores.ledger_work_ms,
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
}
