//! Which attempt a piece of a service's work serves, and crash points.
//!
//! idemsim's layer in front of the service knows which attempt a request
//! serves (its clients say so in the framing of the connection, which the
//! service never sees) and runs the handler inside a task-local scope, so
//! the store clients, [`crash_point`] and the ledger's entries know which
//! transfer and which try they serve without the service passing anything.
//! A task the handler spawns (middleware that runs the inner service in a
//! task of its own, a lease renewed beside the handler) is attributed to the
//! attempt whose handler spawned it, with no help from its code. The layer
//! also puts the [`Attempt`] in the request's extensions, for code that
//! wants to read it.

use crate::vocab::wire::{Key, Tag};
use std::fmt;
use std::future::Future;

tokio::task_local! {
    static ATTEMPT: Attempt;
}

/// The transfer and try a request belongs to: ghost data, which idemsim
/// reads and the service passes along without looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub(crate) tag: Tag,
    /// The idempotency key the request carried.
    pub(crate) key: Option<Key>,
}

impl Attempt {
    /// The attempt the current task serves, if it serves one: the
    /// request's handler, or a task a handler spawned.
    pub fn current() -> Option<Attempt> {
        ATTEMPT
            .try_with(|a| *a)
            .ok()
            .or_else(super::world_link::spawned_attempt)
    }

    /// Runs `future` as part of this attempt: for work handed to a task
    /// that no handler spawned (a worker that takes jobs from a queue).
    pub fn scope<F: Future>(self, future: F) -> impl Future<Output = F::Output> {
        ATTEMPT.scope(self, future)
    }
}

/// Runs `f` as part of `attempt`, synchronously: for a future polled on
/// its behalf by a wrapper (see [`super::postgres::Attributed`]).
pub(crate) fn sync_scope<R>(attempt: Attempt, f: impl FnOnce() -> R) -> R {
    ATTEMPT.sync_scope(attempt, f)
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transfer {} attempt {}",
            self.tag.transfer.0 + 1,
            self.tag.attempt
        )
    }
}

/// A place in the service's code where a scenario may crash the API (or
/// stall it), named so that faults and the search can aim at it:
///
/// ```no_run
/// # async fn debit() {}
/// # async fn mark_done() {}
/// # async fn handler() {
/// debit().await;
/// idemsim::service::crash_point("after-debit").await;
/// mark_done().await;
/// # }
/// ```
///
/// Outside a simulation, or outside a request, it returns at once and costs
/// nothing. Inside, it counts the attempt's passes: a fault names the first
/// pass `after-debit` and later ones `after-debit#2`. The name must be one
/// the service declares ([`crate::service::Service::crash_points`]).
pub async fn crash_point(name: &'static str) {
    let Some(attempt) = Attempt::current() else {
        return;
    };
    let Some(site) = super::world_link::point_site(attempt, name) else {
        return;
    };
    super::world_link::pass(attempt, site).await;
}
