//! Which request a task serves, when a service hands its work to tasks it
//! spawns: middleware that runs the inner service in a task of its own (so
//! that it finishes when the client hangs up), a lease renewed by a timer
//! beside the handler, a write-behind of the stored response.
//!
//! Code inside a request's handler is attributed through a task-local
//! ([`crate::service::Attempt`]); a task it spawns starts outside that
//! scope, and third-party code cannot be asked to carry it. tokio numbers
//! every task from one counter for the whole process, at spawn, in spawn
//! order. So idemsim's layer reads the counter just before and just after
//! each poll of a request's handler (by spawning an empty marker task and
//! taking its number) and notes the window: a task whose number falls in it
//! was spawned during that poll, by the handler, for its attempt. Tasks
//! other threads spawn meanwhile take numbers in the window too, but they
//! never run on this thread, so they are never looked up here.
//!
//! The window is noted only when the poll really spawned: the runtime's
//! count of live tasks, read just around the poll, grew (a poll runs no
//! other task, so nothing can end meanwhile). That count is the runtime's
//! own, so the number of tasks a handler spawned is the same in every
//! process, which the history may then say.
//!
//! What this does not see: a task spawned by a spawned task (only the
//! handler's own polls are watched), a task spawned with `spawn_local`
//! (not counted by the runtime), and a task that a request spawns and that
//! later works for other requests (a lazily started worker): it stays
//! attributed to the request that spawned it.

use crate::service::Attempt;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// The windows of task numbers that requests' handlers spawned into.
#[derive(Debug, Default)]
pub(crate) struct Lineage {
    /// Exclusive start of each window, to its exclusive end and attempt.
    windows: BTreeMap<u64, (u64, Attempt)>,
}

impl Lineage {
    /// Tasks numbered strictly between `start` and `end` were spawned for `attempt`.
    pub fn note(&mut self, start: u64, end: u64, attempt: Attempt) {
        assert!(start < end, "a window's markers are spawned in order");
        let before = self.windows.range(..=start).next_back();
        assert!(
            before.is_none_or(|(_, (prev_end, _))| *prev_end <= start),
            "windows of one thread's polls never overlap"
        );
        self.windows.insert(start, (end, attempt));
    }

    /// The attempt the task numbered `task` was spawned for, if a handler spawned it.
    pub fn of(&self, task: u64) -> Option<Attempt> {
        let (start, (end, attempt)) = self.windows.range(..task).next_back()?;
        (*start < task && task < *end).then_some(*attempt)
    }
}

/// The number tokio gave a task. `Id` shows it and orders by it but does
/// not hand it out; its `Display` is that number.
pub(crate) fn task_number(id: tokio::task::Id) -> u64 {
    id.to_string()
        .parse()
        .expect("a tokio task id displays as its number")
}

/// The number of the task running now, if any.
pub(crate) fn current_task() -> Option<u64> {
    tokio::task::try_id().map(task_number)
}

/// Reads tokio's task counter: spawns an empty task and takes its number.
fn counter() -> u64 {
    task_number(tokio::task::spawn(async {}).id())
}

/// Tasks alive on the runtime of the current host (those spawned with
/// `tokio::spawn`; idemsim's own run on the host's `LocalSet`).
pub(crate) fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// A request's handler, watched so that the tasks it spawns are known to
/// serve its attempt (see the module docs). `spawned` counts them.
pub(crate) struct Watched<F> {
    inner: Pin<Box<F>>,
    attempt: Attempt,
    note: Rc<dyn Fn(u64, u64, Attempt)>,
    spawned: Rc<Cell<u32>>,
}

impl<F: Future> Watched<F> {
    pub fn new(
        inner: F,
        attempt: Attempt,
        note: Rc<dyn Fn(u64, u64, Attempt)>,
        spawned: Rc<Cell<u32>>,
    ) -> Watched<F> {
        Watched {
            inner: Box::pin(inner),
            attempt,
            note,
            spawned,
        }
    }
}

impl<F: Future> Future for Watched<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let start = counter();
        let alive_before = alive_tasks();
        let output = this.inner.as_mut().poll(cx);
        let alive_after = alive_tasks();
        let end = counter();
        if alive_after > alive_before {
            (this.note)(start, end, this.attempt);
            let more = u32::try_from(alive_after - alive_before).unwrap_or(u32::MAX);
            this.spawned.set(this.spawned.get().saturating_add(more));
        }
        output
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TransferIx;
    use crate::vocab::wire::Tag;

    fn attempt(transfer: u32) -> Attempt {
        Attempt {
            tag: Tag::transfer(TransferIx(transfer), 1),
            key: None,
        }
    }

    #[test]
    fn a_task_belongs_to_the_window_it_was_numbered_in() {
        let mut lineage = Lineage::default();
        lineage.note(10, 14, attempt(0));
        lineage.note(20, 21, attempt(1));
        lineage.note(30, 40, attempt(2));
        assert_eq!(lineage.of(11), Some(attempt(0)));
        assert_eq!(lineage.of(13), Some(attempt(0)));
        assert_eq!(lineage.of(10), None, "the marker itself is no one's");
        assert_eq!(lineage.of(14), None);
        assert_eq!(lineage.of(17), None, "between windows: spawned elsewhere");
        assert_eq!(lineage.of(20), None);
        assert_eq!(lineage.of(35), Some(attempt(2)));
        assert_eq!(lineage.of(5), None);
        assert_eq!(lineage.of(50), None);
    }

    #[test]
    fn spawned_tasks_are_attributed_within_a_runtime() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let noted: Rc<std::cell::RefCell<Lineage>> = Rc::default();
            let sink = noted.clone();
            let spawned = Rc::new(Cell::new(0));
            let (tx, rx) = tokio::sync::oneshot::channel();
            let handler = async move {
                let child = tokio::spawn(async { tokio::task::try_id().map(task_number) });
                tx.send(child).ok();
            };
            Watched::new(
                handler,
                attempt(7),
                Rc::new(move |s, e, a| sink.borrow_mut().note(s, e, a)),
                spawned.clone(),
            )
            .await;
            let child = rx.await.unwrap().await.unwrap().unwrap();
            assert_eq!(noted.borrow().of(child), Some(attempt(7)));
            assert_eq!(spawned.get(), 1);
        });
    }
}
