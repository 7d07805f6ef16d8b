//! The service's PostgreSQL database, reached by the team's own client.
//!
//! A scenario with `[database]` runs a PostgreSQL-compatible database on
//! the `ledger` host (see [`crate::sql`]): the service's SQL runs there
//! unchanged, under the faults every store gets, and the checker reads the
//! money from the database's own commits. The service reaches it with any
//! client that speaks the PostgreSQL protocol over a stream it is handed;
//! [`Postgres::connect`] opens that stream. With tokio-postgres:
//!
//! ```no_run
//! # async fn example(env: idemsim::service::Env) -> Result<(), Box<dyn std::error::Error>> {
//! use tokio_postgres::{Config, NoTls};
//! let db = env.postgres();
//! let (client, connection) = Config::new().user("app").connect_raw(db.connect().await?, NoTls).await?;
//! tokio::spawn(db.drive(connection));
//! # let _ = client; Ok(()) }
//! ```
//!
//! Each request the connection carries (a simple query, or the extended
//! protocol's messages up to `Sync`) is one call to the `ledger` store in
//! the timeline, numbered per attempt as `ledger-1`, `ledger-2`…, with the
//! places around it (`before:ledger-N`, `after:ledger-N`) where faults may
//! crash or stall the API, as for any store call. A message the network
//! loses breaks the connection there, as a reset does: the client sees an
//! error, and the database rolls back what the connection had not
//! committed. So losing the answer to a `COMMIT` is a commit the service
//! never learns of.
//!
//! # Which request a statement serves
//!
//! A connection's bytes are written by its own task, not by the handler
//! whose query they carry. [`Postgres::drive`] wraps that task so that its
//! work is attributed to the request whose handler last handed it work (it
//! wakes the connection's task from inside that handler), which is right
//! for a connection per request and for a pool that lends each connection
//! to one request at a time. Statements that two requests queue on one
//! shared connection within the same turn of the scheduler are attributed
//! to the first; hold a connection per request (a pool, or `Mutex<Client>`)
//! for a transaction anyway, as tokio-postgres requires.

use super::sites::Site;
use super::world_link;
use super::{Attempt, StoreError};
use crate::sql::scan::{self, Scanner};
use crate::vocab::Host;
use crate::vocab::frame::{self, MAX_PAYLOAD_BYTES};
use crate::vocab::wire::{Call, Header, MsgId, Point, ServiceCall, Tag};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The port the database listens on, PostgreSQL's own.
pub const PORT: u16 = 5432;

/// Opens connections to the scenario's database (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Postgres {
    _private: (),
}

impl Postgres {
    pub(crate) fn new() -> Postgres {
        Postgres { _private: () }
    }

    /// A new connection to the database: a stream on which a client speaks
    /// the PostgreSQL protocol (no TLS, any user and database name, no
    /// password). Fails outside a run, in a scenario without `[database]`,
    /// and while the database's host is down (connection refused).
    pub async fn connect(&self) -> io::Result<PgStream> {
        if !world_link::has_database() {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "no database: the scenario has no [database] (or no run is under way)",
            ));
        }
        let host = Host::Ledger.name();
        let inner = turmoil::net::TcpStream::connect((host.as_str(), PORT)).await?;
        Ok(PgStream::new(inner))
    }

    /// Wraps a client's connection future (tokio-postgres's second half of
    /// `connect_raw`) so that what it sends is attributed to the request
    /// that handed it the work; spawn what it returns.
    pub fn drive<F: Future>(&self, connection: F) -> Attributed<F> {
        Attributed::new(connection)
    }
}

/// A connection's future, polled on behalf of the request whose handler
/// woke it last (see the module docs).
pub struct Attributed<F> {
    inner: Pin<Box<F>>,
    serving: Arc<Mutex<Option<Attempt>>>,
    /// The task's waker and the noting waker made around it, kept while
    /// the task's waker stays the same (it does across a task's polls).
    noting: Option<(Waker, Waker)>,
}

thread_local! {
    /// Connection futures alive on this thread (see [`driven_alive`]).
    static DRIVEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many connection futures wrapped by [`Postgres::drive`] are alive on
/// this thread. Such a task waits on its connection's bytes and its
/// client's requests, never on a timer of its own, so the world may skip
/// quiet time and end a run while it idles (a pool keeps its connections
/// open for ever).
pub(crate) fn driven_alive() -> usize {
    DRIVEN.with(std::cell::Cell::get)
}

impl<F: Future> Attributed<F> {
    pub fn new(inner: F) -> Attributed<F> {
        DRIVEN.with(|d| d.set(d.get() + 1));
        Attributed {
            inner: Box::pin(inner),
            serving: Arc::default(),
            noting: None,
        }
    }
}

impl<F> Drop for Attributed<F> {
    fn drop(&mut self) {
        DRIVEN.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// A waker that notes which request woke it before passing the wake on.
struct NotingWaker {
    inner: Waker,
    serving: Arc<Mutex<Option<Attempt>>>,
}

impl NotingWaker {
    fn note(&self) {
        if let Some(attempt) = Attempt::current()
            && let Ok(mut serving) = self.serving.lock()
        {
            *serving = Some(attempt);
        }
    }
}

impl Wake for NotingWaker {
    fn wake(self: Arc<Self>) {
        self.note();
        self.inner.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.note();
        self.inner.wake_by_ref();
    }
}

impl<F: Future> Future for Attributed<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let same = this
            .noting
            .as_ref()
            .is_some_and(|(task, _)| task.will_wake(cx.waker()));
        if !same {
            let noting = Waker::from(Arc::new(NotingWaker {
                inner: cx.waker().clone(),
                serving: this.serving.clone(),
            }));
            this.noting = Some((cx.waker().clone(), noting));
        }
        let waker = &this.noting.as_ref().expect("made above").1;
        let mut noting = Context::from_waker(waker);
        let serving = this.serving.lock().ok().and_then(|s| *s);
        let inner = this.inner.as_mut();
        match serving {
            Some(attempt) => super::attempt::sync_scope(attempt, || inner.poll(&mut noting)),
            None => inner.poll(&mut noting),
        }
    }
}

/// A future a stream waits on before it goes on: a fault's stall, or a
/// crash that never ends.
type Passing = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One connection to the database, as the service's client sees it: a
/// byte stream whose writes travel as frames the network can judge.
pub struct PgStream {
    inner: turmoil::net::TcpStream,
    /// Splits what the client writes into messages.
    written: Scanner,
    /// Splits what the server sends into messages.
    read: Scanner,
    /// The header of the request being written, until its last message
    /// (`Sync` or `Query`) has left.
    open: Option<Header>,
    /// A fault's stall or crash at a site, which the stream waits out
    /// before the next write leaves or the next answer is handed up.
    passing: Option<Passing>,
    reader: frame::Reader,
    /// The network lost a message: the connection is reset.
    broken: bool,
    /// The frame judged for the write under way, until it leaves: a write
    /// retried for want of room keeps its verdict.
    judged: Option<MsgId>,
}

impl Drop for PgStream {
    fn drop(&mut self) {
        // The connection's closing crosses the link now.
        world_link::db_touch();
    }
}

impl PgStream {
    fn new(inner: turmoil::net::TcpStream) -> PgStream {
        // The connection's opening has just crossed the link.
        world_link::db_touch();
        PgStream {
            inner,
            written: Scanner::frontend(),
            read: Scanner::backend(),
            open: None,
            passing: None,
            reader: frame::Reader::default(),
            broken: false,
            judged: None,
        }
    }

    /// Waits out a site's fault, if one is being passed.
    fn poll_passing(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(passing) = self.passing.as_mut() {
            if passing.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.passing = None;
        }
        Poll::Ready(())
    }

    /// The header of a write that starts a request: the attempt it serves
    /// numbers it as its next call to the ledger, and a fault may act just
    /// before it leaves.
    fn open_request(&mut self) -> io::Result<Header> {
        let Some(attempt) = Attempt::current() else {
            return Ok(Header {
                id: world_link::message_id().ok_or_else(frame::reset)?,
                tag: Tag::NO_ATTEMPT,
                point: Point::Call(Call::Service(ServiceCall::Ledger(0))),
                key: None,
            });
        };
        let (call, id) = world_link::db_call(attempt).map_err(|e| match e {
            StoreError::Refused(why) => io::Error::other(why),
            other => io::Error::other(other.to_string()),
        })?;
        self.passing = Some(Box::pin(world_link::pass(attempt, Site::Before(call))));
        Ok(Header {
            id,
            tag: attempt.tag,
            point: Point::Call(Call::Service(call)),
            key: attempt.key,
        })
    }
}

/// What a write holds: whether it runs a statement (a simple `Query` or an
/// `Execute`: preparing, describing and closing statements run nothing,
/// and are no call of their own), how many requests it ends, and the
/// scanner past it, which stands once the write has left.
fn requests_in(scanner: &Scanner, bytes: &[u8]) -> (bool, usize, Scanner) {
    let mut past = scanner.clone();
    let (mut runs, mut ends) = (false, 0);
    past.feed(bytes, |ty| {
        runs |= ty == scan::QUERY || ty == scan::EXECUTE;
        ends += usize::from(ty == scan::QUERY || ty == scan::SYNC);
    });
    (runs, ends, past)
}

impl AsyncWrite for PgStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.broken {
            return Poll::Ready(Err(frame::reset()));
        }
        let buf = &buf[..buf.len().min(MAX_PAYLOAD_BYTES)];
        let (runs, ends, past) = requests_in(&this.written, buf);
        if this.open.is_none() && runs {
            match this.open_request() {
                Ok(header) => this.open = Some(header),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        if this.poll_passing(cx).is_pending() {
            return Poll::Pending;
        }
        let header = match this.open {
            Some(header) => header,
            // The startup, or a request that runs nothing: no call.
            None => Header {
                id: match world_link::message_id() {
                    Some(id) => id,
                    None => return Poll::Ready(Err(frame::reset())),
                },
                tag: Tag::NO_ATTEMPT,
                point: Point::Call(Call::Service(ServiceCall::Ledger(0))),
                key: None,
            },
        };
        world_link::db_send(&header, this.judged == Some(header.id));
        this.judged = Some(header.id);
        let written = std::task::ready!(frame::poll_write(&mut this.inner, cx, &header, buf))?;
        this.judged = None;
        assert_eq!(
            written,
            buf.len(),
            "a write no longer than a frame leaves whole"
        );
        this.written = past;
        if ends > 0 {
            this.open = None;
        }
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        world_link::db_touch();
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl AsyncRead for PgStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.broken {
                return Poll::Ready(Err(frame::reset()));
            }
            if this.poll_passing(cx).is_pending() {
                return Poll::Pending;
            }
            if this.reader.hand_out(out) {
                return Poll::Ready(Ok(()));
            }
            if let Some((header, payload)) = this.reader.next_frame()? {
                if world_link::is_lost(header.id) {
                    this.broken = true;
                    continue;
                }
                let mut answers = 0;
                this.read.feed(&payload, |ty| {
                    answers += usize::from(ty == scan::READY_FOR_QUERY);
                });
                this.reader.hand_up(payload);
                // The answer has come and the client has not seen it yet.
                if let Point::Result(Call::Service(call @ ServiceCall::Ledger(n))) = header.point
                    && answers > 0
                    && n > 0
                    && header.tag != Tag::NO_ATTEMPT
                {
                    let attempt = Attempt {
                        tag: header.tag,
                        key: None,
                    };
                    this.passing = Some(Box::pin(world_link::pass(attempt, Site::After(call))));
                }
                continue;
            }
            if this.reader.at_eof() {
                return Poll::Ready(Ok(()));
            }
            if let Err(e) = std::task::ready!(this.reader.fill(&mut this.inner, cx)) {
                return Poll::Ready(Err(e));
            }
        }
    }
}

/// A stream whose connection failed: every read and write gives the
/// error, so a client library reports it as its own connection error.
#[cfg(feature = "postgres")]
struct Failed(io::ErrorKind, String);

#[cfg(feature = "postgres")]
impl AsyncRead for Failed {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Err(io::Error::new(self.0, self.1.clone())))
    }
}

#[cfg(feature = "postgres")]
impl AsyncWrite for Failed {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::Error::new(self.0, self.1.clone())))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The user a connection names when its configuration names none.
#[cfg(feature = "postgres")]
const DEFAULT_USER: &str = "idemsim";

/// tokio-postgres and deadpool-postgres on the scenario's database. A
/// configuration without a user connects as `idemsim` (the database takes
/// any user and password).
#[cfg(feature = "postgres")]
impl Postgres {
    /// A tokio-postgres client on a new connection, its connection's task
    /// spawned through [`Postgres::drive`]:
    ///
    /// ```no_run
    /// # async fn example(env: idemsim::service::Env) -> Result<(), tokio_postgres::Error> {
    /// let client = env.postgres().client(&tokio_postgres::Config::new()).await?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub async fn client(
        &self,
        config: &tokio_postgres::Config,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        self.spawned(config).await.map(|(client, _)| client)
    }

    /// A client and the task that runs its connection, as deadpool wants them.
    async fn spawned(
        &self,
        config: &tokio_postgres::Config,
    ) -> Result<(tokio_postgres::Client, tokio::task::JoinHandle<()>), tokio_postgres::Error> {
        // Without a user, tokio-postgres asks the operating system for the
        // one running the process: state from outside the run.
        let mut config = config.clone();
        if config.get_user().is_none() {
            config.user(DEFAULT_USER);
        }
        let config = &config;
        let (client, task) = match self.connect().await {
            Ok(stream) => {
                let (client, connection) =
                    config.connect_raw(stream, tokio_postgres::NoTls).await?;
                let task = tokio::spawn(self.drive(async move {
                    let _ = connection.await;
                }));
                (client, task)
            }
            Err(e) => {
                let failed = Failed(e.kind(), e.to_string());
                let (client, connection) =
                    config.connect_raw(failed, tokio_postgres::NoTls).await?;
                let task = tokio::spawn(async move {
                    let _ = connection.await;
                });
                (client, task)
            }
        };
        Ok((client, task))
    }

    /// A deadpool-postgres manager whose connections are this database's;
    /// the production code keeps its `deadpool_postgres::Pool`:
    ///
    /// ```no_run
    /// # fn example(env: &idemsim::service::Env) {
    /// use deadpool_postgres::{ManagerConfig, Pool};
    /// let manager = env.postgres().deadpool(tokio_postgres::Config::new(), ManagerConfig::default());
    /// let pool = Pool::builder(manager).max_size(4).build().expect("a pool");
    /// # let _ = pool; }
    /// ```
    pub fn deadpool(
        &self,
        config: tokio_postgres::Config,
        manager: deadpool_postgres::ManagerConfig,
    ) -> deadpool_postgres::Manager {
        deadpool_postgres::Manager::from_connect(config, DeadpoolConnect(self.clone()), manager)
    }
}

/// How deadpool-postgres opens a connection to the scenario's database.
#[cfg(feature = "postgres")]
struct DeadpoolConnect(Postgres);

#[cfg(feature = "postgres")]
impl deadpool_postgres::Connect for DeadpoolConnect {
    fn connect(
        &self,
        config: &tokio_postgres::Config,
    ) -> Pin<
        Box<
            dyn Future<
                    Output = Result<
                        (tokio_postgres::Client, tokio::task::JoinHandle<()>),
                        tokio_postgres::Error,
                    >,
                > + Send
                + '_,
        >,
    > {
        let config = config.clone();
        Box::pin(async move { self.0.spawned(&config).await })
    }
}

/// A bb8 connection manager whose connections are tokio-postgres clients on
/// the scenario's database (see [`Postgres::bb8`]).
#[cfg(feature = "bb8")]
#[derive(Debug, Clone)]
pub struct Bb8Manager {
    postgres: Postgres,
    config: tokio_postgres::Config,
}

#[cfg(feature = "bb8")]
impl Postgres {
    /// A bb8 connection manager on the database. bb8-postgres's own
    /// manager opens an operating-system socket, so the pool's manager type
    /// differs from production's: code that builds its pool from outside
    /// and is generic over `M: bb8::ManageConnection<Connection =
    /// tokio_postgres::Client>` runs unchanged.
    ///
    /// ```no_run
    /// # async fn example(env: &idemsim::service::Env) -> Result<(), tokio_postgres::Error> {
    /// let pool = bb8::Pool::builder()
    ///     .max_size(4)
    ///     .build(env.postgres().bb8(tokio_postgres::Config::new()))
    ///     .await?;
    /// # let _ = pool; Ok(()) }
    /// ```
    ///
    /// bb8 reaps idle connections from a task of its own on a tokio
    /// interval, alive as long as the pool, and idemsim skips no quiet time
    /// while a task of the service is alive: a pool built with
    /// `.idle_timeout(None).max_lifetime(None)` has no such task, and its
    /// runs cost what a deadpool's do.
    pub fn bb8(&self, config: tokio_postgres::Config) -> Bb8Manager {
        Bb8Manager {
            postgres: self.clone(),
            config,
        }
    }
}

#[cfg(feature = "bb8")]
impl bb8::ManageConnection for Bb8Manager {
    type Connection = tokio_postgres::Client;
    type Error = tokio_postgres::Error;

    fn connect(&self) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send {
        self.postgres.client(&self.config)
    }

    /// As bb8-postgres checks a connection: an empty query.
    async fn is_valid(&self, conn: &mut Self::Connection) -> Result<(), Self::Error> {
        conn.simple_query("").await.map(|_| ())
    }

    fn has_broken(&self, conn: &mut Self::Connection) -> bool {
        conn.is_closed()
    }
}
