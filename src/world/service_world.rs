//! Where a service's code meets the world: its store calls, crash points,
//! time and sleeps.
//!
//! A service's handlers must be `Send` (axum requires it), and the world is
//! not: it lives in `Rc`s on the one thread that runs the simulation. So the
//! handles a service holds carry nothing of the world; each call finds it
//! through a thread-local that the driver sets for the length of a run
//! ([`enter`]), and the futures it returns hold only plain values and
//! channel ends. Outside a run the thread-local is empty and every call says
//! so, which is what makes [`crate::service::crash_point`] free in
//! production.

use super::{Busy, Shared};
use crate::api::Place;
use crate::design::StoreName;
use crate::history::{Host, What};
use crate::limits;
use crate::scenario::AccountIx;
use crate::service::sites::Site;
use crate::service::world_link::WorldLink;
use crate::service::{Attempt, StoreError};
use crate::vocab::wire::{
    Body, Call, Envelope, MsgId, PORT, ServiceCall, StoreAnswer, StoreRequest, Tag,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use tokio::sync::oneshot;
use turmoil::net::UdpSocket;

thread_local! {
    static WORLD: RefCell<Option<Rc<Shared>>> = const { RefCell::new(None) };
}

/// While alive, a service's calls on this thread reach `shared`.
pub(crate) struct Entered {
    _not_send: std::marker::PhantomData<*const ()>,
}

pub(crate) fn enter(shared: &Rc<Shared>) -> Entered {
    crate::service::world_link::register(LINK);
    WORLD.with(|w| {
        let mut w = w.borrow_mut();
        assert!(w.is_none(), "one run at a time on a thread");
        *w = Some(shared.clone());
    });
    Entered {
        _not_send: std::marker::PhantomData,
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        WORLD.with(|w| *w.borrow_mut() = None);
    }
}

/// The world's answers to a service's questions (see
/// [`crate::service::world_link`]), registered when a run begins.
const LINK: WorldLink = WorldLink {
    spawned_attempt,
    now_ms,
    sleep_ms: |ms| Box::pin(sleep_ms(ms)),
    account,
    point_site,
    pass: |attempt, site| Box::pin(pass(attempt, site)),
    store_call: |store, request, timeout_ms| Box::pin(store_call(store, request, timeout_ms)),
    has_database: || with(|shared| shared.db.is_some()).unwrap_or(false),
    db_call,
    message_id: || with(|shared| shared.next_message_id()),
    is_lost: |id| with(|shared| shared.lost.borrow().contains(&id)).unwrap_or(false),
    db_send: |header, rewrite| {
        with(|shared| shared.send_on_db_link(header, Host::Api, Host::Ledger, rewrite));
    },
    db_touch: || {
        with(|shared| shared.db_link.touch());
    },
};

/// Numbers the attempt's next request to the database (a call to the
/// ledger, which the database is) and gives it a message id.
fn db_call(attempt: Attempt) -> Result<(ServiceCall, MsgId), StoreError> {
    with(|shared| {
        let call = shared.next_service_call(attempt.tag, StoreName::Ledger)?;
        Ok((call, shared.next_message_id()))
    })
    .unwrap_or(Err(StoreError::OutsideRequest))
}

/// Runs `f` on the world of the run on this thread, if there is one.
fn with<R>(f: impl FnOnce(&Rc<Shared>) -> R) -> Option<R> {
    let shared = WORLD.with(|w| w.borrow().clone())?;
    Some(f(&shared))
}

/// What one boot of the `api` host keeps for its service: lost on a crash.
pub(crate) struct ServiceBoot {
    /// The socket store calls leave from. The boot's own task owns it, so
    /// that a crash (which drops the host's tasks) unbinds it; a call after
    /// the crash finds it gone.
    pub socket: std::rc::Weak<UdpSocket>,
    /// Store calls waiting for their answer, by message id.
    pub pending: BTreeMap<MsgId, oneshot::Sender<StoreAnswer>>,
    /// Calls made so far to each store, per attempt.
    pub calls: BTreeMap<Tag, [u16; 2]>,
    /// Passes of each declared crash point, per attempt.
    pub passes: BTreeMap<(Tag, u16), u16>,
    /// Which attempt each task the handlers spawned serves.
    pub lineage: super::lineage::Lineage,
}

impl ServiceBoot {
    pub fn new(socket: std::rc::Weak<UdpSocket>) -> ServiceBoot {
        ServiceBoot {
            socket,
            pending: BTreeMap::new(),
            calls: BTreeMap::new(),
            passes: BTreeMap::new(),
            lineage: super::lineage::Lineage::default(),
        }
    }
}

/// The attempt the task running now was spawned for, when a request's
/// handler spawned it (see [`super::lineage`]).
pub(crate) fn spawned_attempt() -> Option<Attempt> {
    let task = super::lineage::current_task()?;
    with(|shared| {
        shared
            .service
            .borrow()
            .as_ref()
            .and_then(|boot| boot.lineage.of(task))
    })
    .flatten()
}

/// Records the log event `log` makes, given the attempt the code running
/// now serves, in the history of the run on this thread, as the current
/// host's. Code no host is marked as running is a task the service spawned
/// when it serves an attempt (the API's), and otherwise the simulation's
/// own stepping (the driver's). False when no run is here, or when its
/// history is being written at this very moment, in which case the log is
/// dropped.
pub(crate) fn record_log(
    log: impl FnOnce(Option<crate::vocab::wire::Tag>) -> crate::history::What,
) -> bool {
    let tag = Attempt::current().map(|a| a.tag);
    with(|shared| {
        let host = super::panics::current_host().unwrap_or(match tag {
            Some(_) => crate::history::Host::Api,
            None => crate::history::Host::Driver,
        });
        let now_ms = shared.now_ms();
        let Ok(mut history) = shared.history.try_borrow_mut() else {
            return false;
        };
        history.push(now_ms, host, log(tag));
        true
    })
    .unwrap_or(false)
}

/// Notes that tasks numbered strictly between `start` and `end` serve `attempt`.
pub(crate) fn note_spawned(start: u64, end: u64, attempt: Attempt) {
    let _ = with(|shared| {
        if let Some(boot) = shared.service.borrow_mut().as_mut() {
            boot.lineage.note(start, end, attempt);
        }
    });
}

/// Simulated milliseconds since the start of the run on this thread.
pub(crate) fn now_ms() -> Option<u64> {
    with(|shared| shared.now_ms())
}

/// The run's clock for the C library's clock functions ([`crate::interpose`]),
/// which any code on this thread may call at any moment (tokio reads the
/// clock inside a step for its metrics): as [`now_ms`], but `None` rather
/// than a panic while the run's state is being set up or torn down, or the
/// thread is ending.
pub(crate) fn os_clock_ms() -> Option<u64> {
    WORLD
        .try_with(|w| {
            w.try_borrow()
                .ok()?
                .as_ref()
                .map(|shared| shared.clock.reading_ms())
        })
        .ok()
        .flatten()
}

/// The index of the account named `name` in the run on this thread.
pub(crate) fn account(name: &str) -> Option<AccountIx> {
    with(|shared| shared.account_named(name)).flatten()
}

/// Sleeps `ms` on the simulation's clock; false (at once) outside a run.
pub(crate) async fn sleep_ms(ms: u64) -> bool {
    let Some(deadline_ms) = now_ms().map(|now| now.saturating_add(ms)) else {
        return false;
    };
    WorldSleep {
        deadline_ms,
        id: None,
    }
    .await;
    true
}

/// A wait on the simulation's clock that holds no reference to it.
struct WorldSleep {
    deadline_ms: u64,
    id: Option<u64>,
}

impl Future for WorldSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let (deadline, id) = (this.deadline_ms, &mut this.id);
        // Outside a run (the world has ended) the wait is over.
        with(|shared| shared.clock.poll_until(deadline, id, cx.waker())).unwrap_or(Poll::Ready(()))
    }
}

impl Drop for WorldSleep {
    fn drop(&mut self) {
        let (deadline, id) = (self.deadline_ms, self.id.take());
        if id.is_some() {
            let _ = with(|shared| shared.clock.cancel(deadline, id));
        }
    }
}

/// What a fault does where the attempt passes a site.
#[derive(Debug, Clone, Copy, Default)]
struct SiteAction {
    stall_ms: Option<u64>,
    crash: bool,
}

/// Passes `site` of `attempt`: a fault may stall the API here, or crash it,
/// in which case this never returns (the driver crashes the host before the
/// next step, dropping the task).
pub(crate) async fn pass(attempt: Attempt, site: Site) {
    let Some(action) = with(|shared| shared.at_service_site(attempt.tag, site)) else {
        return;
    };
    if let Some(stall_ms) = action.stall_ms
        && !sleep_ms(stall_ms).await
    {
        return;
    }
    if action.crash {
        std::future::pending::<()>().await;
    }
}

/// The site of the next pass of crash point `name` by `attempt`; `None`
/// outside a run, past the passes a fault can name, or for a point the
/// service does not declare (which fails the run).
pub(crate) fn point_site(attempt: Attempt, name: &str) -> Option<Site> {
    with(|shared| {
        let points = shared.scenario.api.declared_points();
        let Some(index) = points.iter().position(|p| p == name) else {
            shared.fail(
                Host::Api,
                format!(
                    "the service passed crash point `{}`, which it does not declare; \
                     expected one of: {} (declare it with Service::crash_points)",
                    crate::text::escape(name),
                    crate::text::list(points)
                ),
            );
            return None;
        };
        let index = u16::try_from(index)
            .expect("MAX_CRASH_POINTS keeps crash point numbers below u16::MAX");
        let mut boot = shared.service.borrow_mut();
        let boot = boot.as_mut()?;
        let pass = boot.passes.entry((attempt.tag, index)).or_insert(0);
        *pass = pass.saturating_add(1);
        (*pass <= limits::MAX_POINT_PASSES).then_some(Site::Point { index, pass: *pass })
    })
    .flatten()
}

/// One call of a service to a store, on behalf of the attempt being served.
pub(crate) async fn store_call(
    store: StoreName,
    request: StoreRequest,
    timeout_ms: u64,
) -> Result<StoreAnswer, StoreError> {
    let Some(attempt) = Attempt::current() else {
        let _ = with(|shared| shared.fail(Host::Api, StoreError::OutsideRequest.to_string()));
        return Err(StoreError::OutsideRequest);
    };
    let call = with(|shared| {
        if store == StoreName::Ledger && shared.db.is_some() {
            return Err(StoreError::Refused(
                "this scenario's ledger is its PostgreSQL database ([database]): reach it with Env::postgres()".into(),
            ));
        }
        shared.next_service_call(attempt.tag, store)
    })
    .ok_or(StoreError::OutsideRequest)??;
    pass(attempt, Site::Before(call)).await;
    let (id, receiver) = with(|shared| shared.send_store_call(attempt, call, request))
        .ok_or(StoreError::OutsideRequest)??;
    let deadline_ms = now_ms()
        .ok_or(StoreError::OutsideRequest)?
        .saturating_add(timeout_ms);
    let answer = tokio::select! {
        biased;
        answer = receiver => answer.ok(),
        () = WorldSleep { deadline_ms, id: None } => None,
    };
    let Some(answer) = answer else {
        let _ = with(|shared| {
            if let Some(boot) = shared.service.borrow_mut().as_mut() {
                boot.pending.remove(&id);
            }
            shared.record(
                Host::Api,
                What::StoreTimeout {
                    store,
                    tag: attempt.tag,
                    send: 1,
                    sends: 1,
                },
            );
        });
        return Err(StoreError::Timeout);
    };
    pass(attempt, Site::After(call)).await;
    Ok(answer)
}

impl Shared {
    /// A rule of the run was broken by code idemsim runs: the driver ends the
    /// run as failed, naming `host` and `message`.
    pub fn fail(&self, host: Host, message: String) {
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some((host, message));
        }
    }

    /// Numbers the attempt's next call to `store`.
    fn next_service_call(&self, tag: Tag, store: StoreName) -> Result<ServiceCall, StoreError> {
        let unnumbered = ServiceCall::to(store, 0)
            .ok_or_else(|| StoreError::Refused(format!("a service reaches no {store} host")))?;
        let mut boot = self.service.borrow_mut();
        let boot = boot
            .as_mut()
            .expect("a service's code runs only while its host is up");
        let counts = boot.calls.entry(tag).or_insert([0, 0]);
        let slot = &mut counts[store as usize];
        if *slot >= limits::MAX_STORE_CALLS {
            return Err(StoreError::Refused(format!(
                "more than {} calls to {store} in one attempt",
                limits::MAX_STORE_CALLS
            )));
        }
        *slot += 1;
        Ok(unnumbered.numbered(*slot))
    }

    /// Sends a store call and registers for its answer.
    fn send_store_call(
        &self,
        attempt: Attempt,
        call: ServiceCall,
        request: StoreRequest,
    ) -> Result<(MsgId, oneshot::Receiver<StoreAnswer>), StoreError> {
        let store = call.store();
        let id = self.next_message_id();
        let envelope = Envelope {
            id,
            reply_to: None,
            tag: attempt.tag,
            point: crate::vocab::wire::Point::Call(Call::Service(call)),
            body: Body::StoreCall {
                call,
                key: attempt.key,
                request,
            },
        };
        let (sender, receiver) = oneshot::channel();
        let socket = {
            let mut boot = self.service.borrow_mut();
            let boot = boot.as_mut().expect("a service's host is up");
            boot.pending.insert(id, sender);
            boot.socket.upgrade()
        };
        let Some(socket) = socket else {
            return Err(StoreError::Refused("the api host is down".into()));
        };
        let to = SocketAddr::new(turmoil::lookup(store.host()), PORT);
        self.send_now(&socket, Host::Api, Host::store(store), to, &envelope)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        Ok((id, receiver))
    }

    /// What the faults do at `site` of attempt `tag`.
    fn at_service_site(&self, tag: Tag, site: Site) -> SiteAction {
        let place = Place::Service(site);
        let stall_ms = self.stall_ms(tag, place);
        // A declared point is one the seed may switch on (BUGGIFY): only
        // those switched on for this run crash at random.
        let random = match site {
            Site::Point { index, .. } => self.buggify.get(index as usize).copied().unwrap_or(false),
            _ => true,
        };
        let crash = self.crash_point_if(tag, place, random);
        SiteAction { stall_ms, crash }
    }
}

/// Routes the stores' answers to the calls waiting for them, for one boot.
pub(crate) async fn route_answers(shared: Rc<Shared>, socket: Rc<UdpSocket>) -> turmoil::Result {
    let mut buf = vec![0u8; crate::vocab::wire::MAX_DATAGRAM_BYTES];
    loop {
        let Some((envelope, _)) = shared.receive(&socket, &mut buf).await? else {
            continue;
        };
        let Body::StoreAnswer(answer) = envelope.body else {
            continue;
        };
        let waiter = envelope.reply_to.and_then(|id| {
            shared
                .service
                .borrow_mut()
                .as_mut()
                .and_then(|boot| boot.pending.remove(&id))
        });
        if let Some(waiter) = waiter {
            let _ = waiter.send(answer);
        }
    }
}

/// Counts a service's handler as running, for as long as it lives: while
/// any runs, quiet time is not skipped, since the handler may be waiting on
/// a tokio timer, whose next firing idemsim cannot see.
///
/// A handler dropped before it finished, while its host is up, was dropped
/// by hyper because the client hung up: the history says so, and how many
/// tasks the handler had spawned, which hyper does not drop.
pub(crate) struct Handling {
    _busy: Busy,
    shared: Rc<Shared>,
    tag: Tag,
    finished: bool,
    /// Tasks the handler spawned (see [`super::lineage::Watched`]).
    pub spawned: Rc<std::cell::Cell<u32>>,
}

impl Handling {
    pub fn new(shared: &Rc<Shared>, tag: Tag) -> Handling {
        shared.handling.set(shared.handling.get() + 1);
        Handling {
            _busy: Busy::new(shared),
            shared: shared.clone(),
            tag,
            finished: false,
            spawned: Rc::default(),
        }
    }

    /// The handler answered.
    pub fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        let n = self.shared.handling.get();
        assert!(n > 0, "handling count underflow");
        self.shared.handling.set(n - 1);
        if !self.finished && !self.shared.api_crashing.get() {
            self.shared.record(
                Host::Api,
                What::HandlerDropped {
                    tag: self.tag,
                    spawned: self.spawned.get(),
                },
            );
        }
    }
}
