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
//! * **The skip reaches tokio's clock too**: when the driver skips, it moves
//!   the `api` host's tokio clock by the same amount ([`advance_api_clock`]),
//!   so that `tokio::time::Instant` arithmetic in the service sees the time
//!   that passed: a lease stored as an `Instant` expires on time. The driver
//!   does it between steps, from outside the runtime: a task doing it would
//!   be polled where plain ticks poll none, and so move the poll counts of
//!   the next rule.
//! * **A skip changes no timer, but may change tokio's order**: tokio picks
//!   the next task to run from one of two queues (tasks woken inside the
//!   runtime, and tasks woken from outside it, as turmoil's network wakes
//!   them), and which queue it looks at first depends on a count of its
//!   polls: the runtime's scheduler looks outside first every 31st poll, a
//!   `LocalSet` every 31st value of a count that wraps at 256. Every idle
//!   step adds to each count, the same at every step; a skipped step adds
//!   nothing. So after a
//!   skip, two tasks woken in the same millisecond may run in the other order
//!   than on plain ticks (in `sql-one-transaction`, 5 seeds in 3,200: on
//!   seed 1423 the database host served two connections woken in the same
//!   millisecond in the other order). Either order is one tokio produces, and
//!   each seed replays its own. Only skips of whole multiples of
//!   [`SERVICE_SKIP_QUANTUM_MS`] leave every count where plain ticks leave
//!   it; they cost up to that many ticked steps a quiet span (a 250 ms wait
//!   is never skipped, and the benchmark's service runs took 2.1 to 4.4
//!   times as long), so runs skip by the millisecond, and the comparison with
//!   plain ticks (`--check-quiet-time`, [`crate::RunOptions::whole_scheduler_cycles`])
//!   skips whole cycles: it proves the rules above, event for event, and
//!   the quantum changes nothing but the counts.
//!
//! A task the service spawns with `spawn_local` is not counted by the
//! runtime; quiet time skipped while such a task waits on a timer would hold
//! that timer back. Services on axum spawn `Send` tasks; turn skipping off
//! (`[simulation] skip_quiet_time = false`) for one that does not.

use std::time::Duration;

/// Steps after which both of tokio's poll counts are back where plain
/// ticks leave them, whatever each idle step adds to them: 31 (the runtime's
/// interval) times 256 (the `LocalSet` count's wrap), 7.9 seconds of
/// simulated time. Skips of this quantum are what
/// [`crate::RunOptions::whole_scheduler_cycles`] asks for.
pub const SERVICE_SKIP_QUANTUM_MS: u64 = 31 * 256;

/// Moves the running `api` host's tokio clock forward by `ms` that the
/// driver skipped (nothing to do while the host is down: a new boot's
/// runtime starts a clock of its own).
pub(crate) fn advance_api_clock(shared: &super::Shared, ms: u64) {
    if ms == 0 {
        return;
    }
    let Some(runtime) = shared.api_runtime.borrow().clone() else {
        return;
    };
    let _entered = runtime.enter();
    // `advance` moves the paused clock as it is first polled, then yields
    // once to let due timers fire; none is due (see the module docs), and
    // the yield, polled outside the runtime's scheduler, wakes nobody.
    let advance = std::pin::pin!(tokio::time::advance(Duration::from_millis(ms)));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = std::future::Future::poll(advance, &mut cx);
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
