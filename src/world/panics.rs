//! A panic anywhere in a run is a failed run, never a pass.
//!
//! tokio catches a panic in a spawned task and drops the task silently; a
//! run would then go on and be judged on what happened before, and a host
//! that died of a bug would pass for one that worked. So while a run is
//! active on a thread, a process-wide panic hook records every panic on that
//! thread (with the host whose code was running, as far as idemsim can tell)
//! instead of printing it, and the driver ends the run as soon as it sees
//! one. Panics on other threads (another test, another sweep worker with no
//! run active) go to the hook that was there before.

use crate::history::Host;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll};

/// A panic caught during a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    /// The host whose code panicked; `None` when it ran outside any host
    /// idemsim set up (the driver or the checker).
    pub host: Option<Host>,
    /// The panic's message and where in the source it was raised.
    pub message: String,
}

thread_local! {
    /// The host whose task is being polled on this thread.
    static CURRENT_HOST: Cell<Option<Host>> = const { Cell::new(None) };
    /// Panics caught on this thread; `Some` while a run is active here.
    static CAUGHT: RefCell<Option<Vec<Caught>>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let active = CAUGHT.with(|c| c.borrow().is_some());
            if !active {
                previous(info);
                return;
            }
            let payload = info.payload();
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic with no message".to_string());
            let message = match info.location() {
                Some(at) => format!("{text} (at {}:{})", at.file(), at.line()),
                None => text,
            };
            let host = CURRENT_HOST.with(Cell::get);
            CAUGHT.with(|c| {
                if let Some(list) = c.borrow_mut().as_mut()
                    && list.len() < 16
                {
                    list.push(Caught { host, message });
                }
            });
        }));
    });
}

/// While alive, panics on this thread are caught for the run instead of
/// printed. Captures nest: only the outermost one stops catching.
pub struct Capture {
    outermost: bool,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Capture {
    pub fn begin() -> Capture {
        install_hook();
        let outermost = CAUGHT.with(|c| {
            let mut c = c.borrow_mut();
            let outermost = c.is_none();
            if outermost {
                *c = Some(Vec::new());
            }
            outermost
        });
        Capture {
            outermost,
            _not_send: std::marker::PhantomData,
        }
    }

    /// The panics caught since the last call.
    pub fn take(&self) -> Vec<Caught> {
        CAUGHT.with(|c| {
            c.borrow_mut()
                .as_mut()
                .map(std::mem::take)
                .unwrap_or_default()
        })
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if self.outermost {
            CAUGHT.with(|c| *c.borrow_mut() = None);
            CURRENT_HOST.with(|h| h.set(None));
        }
    }
}

/// The host whose code runs on this thread now, if a host's does.
pub(crate) fn current_host() -> Option<Host> {
    CURRENT_HOST.with(Cell::get)
}

/// Runs `f` as code of `host`: a panic inside is attributed to it.
pub fn as_host<R>(host: Host, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Host>);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT_HOST.with(|h| h.set(self.0));
        }
    }
    let _restore = Restore(CURRENT_HOST.with(|h| h.replace(Some(host))));
    f()
}

/// A future that runs as code of `host`: a panic inside it is attributed to `host`.
pub struct InHost<F> {
    host: Host,
    future: Pin<Box<F>>,
}

impl<F: Future> InHost<F> {
    pub fn new(host: Host, future: F) -> InHost<F> {
        InHost {
            host,
            future: Box::pin(future),
        }
    }
}

impl<F: Future> Future for InHost<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let host = self.host;
        as_host(host, || self.future.as_mut().poll(cx))
    }
}

/// Spawns a task of `host` on the host's runtime.
pub fn spawn<F>(host: Host, future: F)
where
    F: Future<Output = ()> + 'static,
{
    tokio::task::spawn_local(InHost::new(host, future));
}
