//! What a service's code asks of the world that runs it: the attempt a
//! spawned task serves, the time, sleeps, crash points and store calls.
//!
//! The world is built on top of this module, so it cannot be named here;
//! instead the world registers its answers ([`WorldLink`]) when a run
//! begins, and each question below asks them. Until a world has registered,
//! and outside a run afterwards, every answer says "no world", which is what
//! makes [`crate::service::crash_point`] and [`crate::service::sleep`] free
//! in production.

use super::sites::Site;
use super::{Attempt, StoreError};
use crate::design::StoreName;
use crate::vocab::AccountIx;
use crate::vocab::wire::{Header, MsgId, ServiceCall, StoreAnswer, StoreRequest};
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

/// A future a service's handler may hold: `Send`, as axum requires, since
/// it carries only plain values and channel ends, never the world.
pub(crate) type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The world's answers to a service's questions. Each returns `None`,
/// `false` or [`StoreError::OutsideRequest`] when no run is on this thread.
pub(crate) struct WorldLink {
    /// The attempt the task running now was spawned for.
    pub spawned_attempt: fn() -> Option<Attempt>,
    /// Simulated milliseconds since the run began.
    pub now_ms: fn() -> Option<u64>,
    /// Sleeps on the simulation's clock; false at once outside a run.
    pub sleep_ms: fn(u64) -> Boxed<bool>,
    /// The index of the account with this name.
    pub account: fn(&str) -> Option<AccountIx>,
    /// The site of the attempt's next pass of the named crash point.
    pub point_site: fn(Attempt, &str) -> Option<Site>,
    /// Passes a site, where a fault may stall or crash the API.
    pub pass: fn(Attempt, Site) -> Boxed<()>,
    /// One call to a store, waiting at most the timeout in milliseconds.
    pub store_call: fn(StoreName, StoreRequest, u64) -> Boxed<Result<StoreAnswer, StoreError>>,
    /// Whether the run has a database (`[database]`).
    pub has_database: fn() -> bool,
    /// Numbers the attempt's next request to the database, as its next
    /// call to the ledger, and gives it a message id.
    pub db_call: fn(Attempt) -> Result<(ServiceCall, MsgId), StoreError>,
    /// A fresh message id.
    pub message_id: fn() -> Option<MsgId>,
    /// Whether the network lost message `id`.
    pub is_lost: fn(MsgId) -> bool,
    /// Judges a frame the API is about to write to its database (`true`:
    /// the same frame again, after the socket had no room).
    pub db_send: fn(&Header, bool),
    /// A connection to the database opened or closed.
    pub db_touch: fn(),
}

static LINK: OnceLock<WorldLink> = OnceLock::new();

/// Registers the world's answers. There is one world, so every call
/// registers the same functions and only the first one is kept.
pub(crate) fn register(link: WorldLink) {
    let _ = LINK.set(link);
}

fn link() -> Option<&'static WorldLink> {
    LINK.get()
}

pub(crate) fn spawned_attempt() -> Option<Attempt> {
    link().and_then(|l| (l.spawned_attempt)())
}

pub(crate) fn now_ms() -> Option<u64> {
    link().and_then(|l| (l.now_ms)())
}

pub(crate) async fn sleep_ms(ms: u64) -> bool {
    match link() {
        Some(l) => (l.sleep_ms)(ms).await,
        None => false,
    }
}

pub(crate) fn account(name: &str) -> Option<AccountIx> {
    link().and_then(|l| (l.account)(name))
}

pub(crate) fn point_site(attempt: Attempt, name: &str) -> Option<Site> {
    link().and_then(|l| (l.point_site)(attempt, name))
}

pub(crate) async fn pass(attempt: Attempt, site: Site) {
    if let Some(l) = link() {
        (l.pass)(attempt, site).await;
    }
}

pub(crate) async fn store_call(
    store: StoreName,
    request: StoreRequest,
    timeout_ms: u64,
) -> Result<StoreAnswer, StoreError> {
    match link() {
        Some(l) => (l.store_call)(store, request, timeout_ms).await,
        None => Err(StoreError::OutsideRequest),
    }
}

pub(crate) fn has_database() -> bool {
    link().is_some_and(|l| (l.has_database)())
}

pub(crate) fn db_call(attempt: Attempt) -> Result<(ServiceCall, MsgId), StoreError> {
    match link() {
        Some(l) => (l.db_call)(attempt),
        None => Err(StoreError::OutsideRequest),
    }
}

pub(crate) fn message_id() -> Option<MsgId> {
    link().and_then(|l| (l.message_id)())
}

pub(crate) fn is_lost(id: MsgId) -> bool {
    link().is_some_and(|l| (l.is_lost)(id))
}

pub(crate) fn db_send(header: &Header, rewrite: bool) {
    if let Some(l) = link() {
        (l.db_send)(header, rewrite);
    }
}

pub(crate) fn db_touch() {
    if let Some(l) = link() {
        (l.db_touch)();
    }
}
