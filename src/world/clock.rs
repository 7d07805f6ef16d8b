//! Simulated time, and how quiet time is skipped.
//!
//! turmoil advances every host by one tick per step, idle or not, so a run's
//! wall time grows with its simulated time: a 25-hour backoff would cost 90
//! million steps. idemsim therefore keeps a clock of its own:
//!
//! * **Reading**: `now = turmoil's elapsed time + warp offset`. Every part of
//!   the world reads this clock ([`super::Shared::now_ms`]); nothing reads
//!   tokio's or the operating system's.
//! * **Waiting**: every wait in the world (client timeouts and backoff, the
//!   API's store timeout, stalls, slow stores) is a [`Sleep`] on this clock,
//!   registered with its deadline. Between two steps the driver wakes every
//!   sleep whose deadline has come ([`Clock::wake_due`]); the woken task runs
//!   in the next step, exactly as a tokio timer would.
//! * **Skipping**: when, after a step, nothing is in flight on the network
//!   but messages the fault injector holds, no host did anything during the
//!   step and no timer is due, the driver raises the warp offset so that the
//!   next step lands on the earliest deadline ([`Clock::skip_to`]): the next
//!   timer, the release of a held message, a host restart, the end of the
//!   fault window or the run's time limit.
//!
//! Why this cannot reorder or change events: in the skipped span no message
//! could arrive (none was in flight but held ones, released at a deadline),
//! no host could act (none was woken, and
//! hosts only wake on a message or a timer), and no driver action was due
//! (its deadlines bound the skip). The next thing that happens is the earliest
//! deadline, and it happens at the same simulated millisecond as it would
//! have on plain ticks. turmoil's own randomness is spent per message, not
//! per step, so skipping steps leaves it untouched. `tests/suite/quiet_time.rs`
//! runs every lesson both ways and compares the histories.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The simulation's clock: turmoil's elapsed time plus the skipped time.
#[derive(Default)]
pub struct Clock {
    /// Simulated time skipped so far.
    offset_ms: Cell<u64>,
    /// turmoil's elapsed time, as the driver last saw it.
    elapsed_ms: Cell<u64>,
    /// Pending sleeps, by deadline and registration order.
    timers: RefCell<BTreeMap<(u64, u64), Waker>>,
    next_timer_id: Cell<u64>,
    /// Whether quiet time may be skipped (off: plain ticks, for comparison).
    skipping: bool,
    /// Skips are whole multiples of this many milliseconds (steps); the rest
    /// of a quiet span is ticked. 1 for a design; for a service, a whole
    /// number of tokio's scheduler cycles (see [`super::warp`]).
    quantum_ms: u64,
}

impl Clock {
    pub fn new(skipping: bool, quantum_ms: u64) -> Clock {
        assert!(quantum_ms >= 1, "a skip quantum of at least one step");
        Clock {
            skipping,
            quantum_ms,
            ..Clock::default()
        }
    }

    /// Simulated milliseconds since the start of the run.
    ///
    /// Hosts run their code at the start of a step, when turmoil's clock
    /// reads what the driver saw after the previous step (idemsim's waits
    /// are timers on this clock, woken between steps, never tokio timers that
    /// could fire within a step), so the reading the driver keeps is the one
    /// hosts see, and asking turmoil for it on every event is not needed.
    pub fn now_ms(&self) -> u64 {
        debug_assert!(
            turmoil::sim_elapsed().is_none_or(|e| e.as_millis() as u64 == self.elapsed_ms.get()),
            "a host runs at the time the driver saw"
        );
        self.reading_ms()
    }

    /// The same reading, for readers outside the hosts' code: the C
    /// library's clock functions answer from it (`crate::interpose`), and
    /// tokio and turmoil call them inside a step, where turmoil's clock has
    /// already moved on.
    pub fn reading_ms(&self) -> u64 {
        self.elapsed_ms.get() + self.offset_ms.get()
    }

    /// Called by the driver after every step with turmoil's elapsed time.
    pub fn observe_elapsed(&self, elapsed_ms: u64) {
        assert!(elapsed_ms >= self.elapsed_ms.get(), "time never goes back");
        self.elapsed_ms.set(elapsed_ms);
    }

    /// Milliseconds skipped so far.
    pub fn skipped_ms(&self) -> u64 {
        self.offset_ms.get()
    }

    /// A future that completes once the clock reads `deadline_ms` or later.
    pub fn sleep_until(&self, deadline_ms: u64) -> Sleep<'_> {
        Sleep {
            clock: self,
            deadline_ms,
            id: None,
        }
    }

    pub fn sleep(&self, duration_ms: u64) -> Sleep<'_> {
        self.sleep_until(self.now_ms().saturating_add(duration_ms))
    }

    /// Wakes every sleep whose deadline has come; returns how many.
    pub fn wake_due(&self) -> usize {
        let now = self.now_ms();
        if self.next_deadline_ms().is_none_or(|d| d > now) {
            return 0;
        }
        let mut timers = self.timers.borrow_mut();
        let later = timers.split_off(&(now + 1, 0));
        let due = std::mem::replace(&mut *timers, later);
        drop(timers);
        let count = due.len();
        for (_, waker) in due {
            waker.wake();
        }
        count
    }

    /// The earliest pending deadline.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        self.timers
            .borrow()
            .keys()
            .next()
            .map(|(deadline, _)| *deadline)
    }

    /// Skips quiet time so that the next step lands on `deadline_ms`; how
    /// much it skipped. The caller has established that nothing can happen
    /// before it.
    pub fn skip_to(&self, deadline_ms: u64) -> u64 {
        if !self.skipping {
            return 0;
        }
        let now = self.now_ms();
        // The next step adds one tick; land exactly on the deadline.
        if deadline_ms <= now + 1 {
            return 0;
        }
        let skip = (deadline_ms - now - 1) / self.quantum_ms * self.quantum_ms;
        self.offset_ms.set(self.offset_ms.get() + skip);
        skip
    }

    /// Polls a wait until `deadline_ms` that keeps its own state (`id`),
    /// for waits that cannot borrow the clock across an await (a service's,
    /// which must be `Send`).
    pub(crate) fn poll_until(
        &self,
        deadline_ms: u64,
        id: &mut Option<u64>,
        waker: &Waker,
    ) -> Poll<()> {
        if self.now_ms() >= deadline_ms {
            self.unregister(deadline_ms, id.take());
            return Poll::Ready(());
        }
        self.register(deadline_ms, id, waker);
        Poll::Pending
    }

    /// Forgets a wait [`Clock::poll_until`] registered.
    pub(crate) fn cancel(&self, deadline_ms: u64, id: Option<u64>) {
        self.unregister(deadline_ms, id);
    }

    fn register(&self, deadline_ms: u64, id: &mut Option<u64>, waker: &Waker) {
        let id = *id.get_or_insert_with(|| {
            let next = self.next_timer_id.get();
            self.next_timer_id.set(next + 1);
            next
        });
        self.timers
            .borrow_mut()
            .insert((deadline_ms, id), waker.clone());
    }

    fn unregister(&self, deadline_ms: u64, id: Option<u64>) {
        if let Some(id) = id {
            self.timers.borrow_mut().remove(&(deadline_ms, id));
        }
    }
}

/// A wait on the simulation's clock.
pub struct Sleep<'a> {
    clock: &'a Clock,
    deadline_ms: u64,
    id: Option<u64>,
}

impl Future for Sleep<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.clock.now_ms() >= this.deadline_ms {
            this.clock.unregister(this.deadline_ms, this.id.take());
            return Poll::Ready(());
        }
        this.clock
            .register(this.deadline_ms, &mut this.id, cx.waker());
        Poll::Pending
    }
}

impl Drop for Sleep<'_> {
    fn drop(&mut self) {
        self.clock.unregister(self.deadline_ms, self.id.take());
    }
}

/// Runs `future` for at most `duration_ms` on `clock`; `None` on timeout.
pub async fn timeout<F: Future>(clock: &Clock, duration_ms: u64, future: F) -> Option<F::Output> {
    timeout_at(clock, clock.now_ms().saturating_add(duration_ms), future).await
}

/// Runs `future` until the clock reads `deadline_ms`; `None` if it has not finished by then.
pub async fn timeout_at<F: Future>(
    clock: &Clock,
    deadline_ms: u64,
    future: F,
) -> Option<F::Output> {
    tokio::select! {
        biased;
        output = future => Some(output),
        () = clock.sleep_until(deadline_ms) => None,
    }
}
