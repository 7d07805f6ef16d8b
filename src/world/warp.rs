//! Skipping quiet time for a service's own clock, and knowing when it may
//! not be skipped.
//!
//! idemsim's hosts wait on idemsim's clock, whose timers the driver sees
//! and fires (see [`super::clock`]). A service's code and the crates it uses
//! wait on tokio's: `tokio::time::sleep`, `interval`, `timeout`, a lease
//! renewed by a task the service spawned. Each turmoil host has a tokio
//! runtime of its own, with a paused clock that turmoil moves one tick per
//! step; tokio does not say when the next of its timers is due.
//!
//! So, for the `api` host of a service:
//!
//! * **No skip while a tokio timer may be pending**: while a request's
//!   handler runs, or while any task the service spawned is alive (the
//!   runtime counts them: [`service_tasks_alive`]), the driver does not skip,
//!   and every millisecond is a step, exactly as without skipping. Only when
//!   no handler runs and no spawned task is alive can no tokio timer fire,
//!   since a timer fires only for a task waiting on it.
//! * **The skip reaches tokio's clock too**: when the driver skips, the
//!   `api` host's tokio clock is moved by the same amount in the next step
//!   (which, by the rule above, runs nothing else on the host), so that
//!   `tokio::time::Instant` arithmetic in the service sees the time that
//!   passed: a lease stored as an `Instant` expires on time.
//!
//! A task the service spawns with `spawn_local` is not counted by the
//! runtime; quiet time skipped while such a task waits on a timer would hold
//! that timer back. Services on axum spawn `Send` tasks; turn skipping off
//! (`[simulation] skip_quiet_time = false`) for one that does not.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Quiet time the `api` host's tokio clock has yet to skip.
#[derive(Debug, Default)]
pub(crate) struct Warp {
    pending_ms: Cell<u64>,
    waker: RefCell<Option<Waker>>,
}

impl Warp {
    /// The driver skipped `ms`: the host's tokio clock must follow.
    pub fn request(&self, ms: u64) {
        if ms == 0 {
            return;
        }
        self.pending_ms
            .set(self.pending_ms.get().saturating_add(ms));
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }

    /// A new boot's runtime has a clock of its own: nothing is owed to it.
    pub fn forget(&self) {
        self.pending_ms.set(0);
        self.waker.borrow_mut().take();
    }

    fn poll_pending(&self, cx: &mut Context<'_>) -> Poll<u64> {
        let ms = self.pending_ms.replace(0);
        if ms > 0 {
            return Poll::Ready(ms);
        }
        *self.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Runs on the `api` host of a service for one boot: moves the host's tokio
/// clock by whatever quiet time the driver skipped.
pub(crate) async fn follow(shared: Rc<super::Shared>) {
    shared.warp.forget();
    loop {
        let ms = Pending(&shared).await;
        tokio::time::advance(Duration::from_millis(ms)).await;
    }
}

struct Pending<'a>(&'a super::Shared);

impl Future for Pending<'_> {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        self.0.warp.poll_pending(cx)
    }
}

/// Tasks the service spawned that are alive now on its `api` host (zero for
/// a design, and while the host is down: its runtime went with it), but for
/// database connections' tasks, which wait on no timer (see
/// [`crate::service::postgres::driven_alive`]).
pub(crate) fn service_tasks_alive(shared: &super::Shared) -> usize {
    shared
        .api_runtime
        .borrow()
        .as_ref()
        .map_or(0, |runtime| runtime.metrics().num_alive_tasks())
        .saturating_sub(crate::service::postgres::driven_alive())
}

/// Tasks alive beyond those the service started as it booted: work its
/// requests left going on.
pub(crate) fn request_tasks_alive(shared: &super::Shared) -> usize {
    service_tasks_alive(shared).saturating_sub(shared.boot_tasks.get())
}
