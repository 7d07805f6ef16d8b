//! The `ledger` host of a scenario with `[database]`: a PostgreSQL server
//! ([`crate::sql::Server`]) on turmoil's TCP, port 5432, in front of one
//! database that outlives the host's boots, as a durable one does.
//!
//! Each connection's bytes travel as frames (see [`crate::vocab::frame`])
//! whose headers say which attempt sent a request and which of its calls
//! to the ledger it is (the service's end,
//! [`crate::service::postgres::PgStream`], numbers them). The host
//! records every request as a store call in the history, and every
//! committed transaction that moved money as ledger entries of the attempt
//! whose request committed it: the checker judges from those. A message
//! the network loses resets the connection: the database rolls back what
//! the session had not committed. A crash ends every session the same way.

use super::Shared;
use crate::history::{Host, TxnResult, What};
use crate::scenario::{AccountIx, DatabaseSetup};
use crate::service::postgres::PORT;
use crate::sql::{Commit, Database, Observer, RequestLog, Server, SessionId};
use crate::vocab::ServiceOp;
use crate::vocab::frame;
use crate::vocab::wire::{Call, Header, Point, ServiceCall, Tag};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The database of a run, and which request each session serves.
pub(crate) struct Db {
    pub server: Rc<Server>,
    /// The header of the frame that began each session's request in
    /// progress: the attempt it serves and which call it is.
    serving: RefCell<BTreeMap<SessionId, Header>>,
}

/// Longest request or answer text the timeline keeps of one call.
const MAX_SUMMARY_CHARS: usize = 240;

/// The simulation's clock, in microseconds since the Unix epoch, for
/// `now()`.
fn clock_us() -> i64 {
    let ms = super::service_world::os_clock_ms().unwrap_or(0);
    i64::try_from((crate::vocab::EPOCH_MS + ms).saturating_mul(1_000)).unwrap_or(i64::MAX)
}

impl Db {
    /// A fresh copy of the scenario's database for a run with `seed`.
    pub fn new(setup: &DatabaseSetup, seed: u64) -> Db {
        let database = setup.database(crate::seed::derive_seed(seed, "database"));
        Db {
            server: Server::with_clock(database, clock_us, |ms| {
                Box::pin(async move {
                    super::service_world::sleep_ms(ms).await;
                })
            }),
            serving: RefCell::new(BTreeMap::new()),
        }
    }

    /// Every account's balance as the database holds it, by name.
    pub fn balances(&self) -> Vec<(String, i64)> {
        self.server
            .with_db(|db| db.balances())
            .expect("the balance query read the database when the scenario was read")
    }
}

/// The `ledger` host's program: accept connections and serve each until
/// it ends or the host crashes.
pub(crate) async fn db_main(shared: Rc<Shared>) -> turmoil::Result {
    let listener =
        turmoil::net::TcpListener::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?;
    loop {
        let (inner, _) = listener.accept().await?;
        let connection = Rc::new(Connection::default());
        let stream = ServerStream {
            inner,
            shared: shared.clone(),
            connection: connection.clone(),
            reader: frame::Reader::default(),
            broken: false,
            working_until: None,
            judged: None,
        };
        shared.db_link.touch();
        let observer = Recorder {
            shared: shared.clone(),
            connection,
        };
        let server = shared
            .db
            .as_ref()
            .expect("the database host runs only with a database")
            .server
            .clone();
        super::panics::spawn(Host::Ledger, async move {
            // A connection that fails (reset, or closed by a crash of the
            // API) ends; its session's work rolls back either way.
            let _ = server.serve_observed(stream, observer).await;
        });
    }
}

/// What the host knows of one connection.
#[derive(Default)]
struct Connection {
    /// The header of the last frame read.
    last: Cell<Option<Header>>,
    /// The header the frames of the answer being written carry.
    reply: Cell<Option<Header>>,
}

/// Records each request and what it committed.
struct Recorder {
    shared: Rc<Shared>,
    connection: Rc<Connection>,
}

impl Observer for Recorder {
    fn begins(&self, session: SessionId) {
        if let (Some(db), Some(header)) = (&self.shared.db, self.connection.last.get()) {
            db.serving.borrow_mut().insert(session, header);
        }
    }

    fn ends(&self, server: &Server, session: SessionId, request: &RequestLog) {
        let Some(db) = &self.shared.db else { return };
        let commits = server.with_db(Database::take_commits);
        let header = db.serving.borrow().get(&session).copied();
        let result_msg = self.shared.next_message_id();
        let call = header.and_then(|h| match h.point {
            Point::Call(Call::Service(call @ ServiceCall::Ledger(n))) if n > 0 => Some(call),
            _ => None,
        });
        let moved = commits.iter().any(|c| c.session == session);
        match (header, call) {
            (Some(h), Some(call)) if h.tag != Tag::NO_ATTEMPT && !request.statements.is_empty() => {
                self.shared.record(
                    Host::Ledger,
                    What::Txn {
                        msg: h.id,
                        result_msg,
                        store: crate::design::StoreName::Ledger,
                        call: Call::Service(call),
                        tag: h.tag,
                        result: TxnResult::Service(std::sync::Arc::new(op(request, moved))),
                    },
                );
                self.connection.reply.set(Some(Header {
                    id: result_msg,
                    tag: h.tag,
                    point: Point::Result(Call::Service(call)),
                    key: None,
                }));
            }
            _ => self.connection.reply.set(None),
        }
        for commit in commits {
            self.shared.record_commit(db, commit);
        }
        db.serving.borrow_mut().remove(&session);
    }
}

/// A request and its answer in words, for the timeline.
fn op(request: &RequestLog, committed: bool) -> ServiceOp {
    let words = |parts: &[String]| crate::text::truncate(&parts.join("; "), MAX_SUMMARY_CHARS);
    ServiceOp {
        request: words(&request.statements),
        answer: words(&request.results),
        committed: committed || request.results.iter().any(|r| r == "COMMIT"),
    }
}

impl Shared {
    /// The database's host crashed: what committed before is filed, then
    /// every session ends and what it had not committed rolls back.
    pub fn crash_db(&self, db: &Db) {
        for commit in db.server.with_db(Database::take_commits) {
            self.record_commit(db, commit);
        }
        db.server.with_db(Database::crash);
        db.serving.borrow_mut().clear();
    }

    /// Files what a committed transaction did to the balances as ledger
    /// entries of the attempt whose request committed it. Money moved by
    /// no request's work, in an account the scenario does not have, or in
    /// amounts idemsim cannot read, fails the run: the checker could not
    /// judge it.
    fn record_commit(&self, db: &Db, commit: Commit) {
        let deltas = match commit.deltas {
            Ok(deltas) => deltas,
            Err(e) => {
                self.fail(Host::Ledger, e.message);
                return;
            }
        };
        let header = db.serving.borrow().get(&commit.session).copied();
        let Some(header) = header.filter(|h| h.tag != Tag::NO_ATTEMPT) else {
            self.fail(
                Host::Ledger,
                "a transaction that no request sent moved money: idemsim cannot tell which transfer it serves; \
                 carry the attempt into the task that runs it (idemsim::service::Attempt::scope), \
                 and spawn a pooled connection's task through Postgres::drive"
                    .to_string(),
            );
            return;
        };
        let mut moves: Vec<(AccountIx, i64)> = Vec::with_capacity(deltas.len());
        for (name, delta) in deltas {
            match self.account_named(&name) {
                Some(account) => moves.push((account, delta)),
                None => {
                    self.fail(
                        Host::Ledger,
                        format!(
                            "a transaction changed the balance of `{}`, which [accounts] does not have; expected one of the scenario's accounts",
                            crate::text::escape(&name)
                        ),
                    );
                    return;
                }
            }
        }
        let now_ms = self.now_ms();
        let entries = self
            .ledger_db
            .borrow_mut()
            .record_deltas(moves, header.tag, header.key, now_ms);
        self.record_entries(Host::Ledger, entries);
    }

    /// The index of the account named `name`.
    pub fn account_named(&self, name: &str) -> Option<AccountIx> {
        self.scenario
            .accounts
            .binary_search_by(|a| a.name.as_str().cmp(name))
            .ok()
            .map(AccountIx::at)
    }
}

/// The database's end of one connection: frames read and written.
struct ServerStream {
    inner: turmoil::net::TcpStream,
    shared: Rc<Shared>,
    connection: Rc<Connection>,
    reader: frame::Reader,
    broken: bool,
    /// A slow database (`[stores] ledger_work_ms`, while the faults act)
    /// works on the request just read until then: its deadline, and the
    /// clock's timer for it.
    working_until: Option<(u64, Option<u64>)>,
    /// The frame judged for the write under way, until it leaves: a write
    /// retried for want of room keeps its verdict (see `db_link`).
    judged: Option<crate::vocab::wire::MsgId>,
}

impl Drop for ServerStream {
    fn drop(&mut self) {
        // The connection's closing crosses the link now.
        self.shared.db_link.touch();
        if let Some((deadline_ms, timer @ Some(_))) = self.working_until.take() {
            self.shared.clock.cancel(deadline_ms, timer);
        }
    }
}

impl AsyncRead for ServerStream {
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
            if let Some((deadline_ms, timer)) = &mut this.working_until {
                if this
                    .shared
                    .clock
                    .poll_until(*deadline_ms, timer, cx.waker())
                    .is_pending()
                {
                    return Poll::Pending;
                }
                this.working_until = None;
            }
            if this.reader.hand_out(out) {
                return Poll::Ready(Ok(()));
            }
            if let Some((header, payload)) = this.reader.next_frame()? {
                if this.shared.lost.borrow().contains(&header.id) {
                    this.broken = true;
                    continue;
                }
                this.connection.last.set(Some(header));
                this.reader.hand_up(payload);
                let work_ms = this.shared.scenario.stores.ledger_work_ms;
                let a_call = matches!(
                    header.point,
                    Point::Call(Call::Service(ServiceCall::Ledger(n))) if n > 0
                );
                if a_call && work_ms > 0 && this.shared.faults_active() {
                    this.working_until = Some((this.shared.now_ms() + work_ms, None));
                }
                continue;
            }
            if this.reader.at_eof() {
                return Poll::Ready(Ok(()));
            }
            if let Err(e) = ready!(this.reader.fill(&mut this.inner, cx)) {
                return Poll::Ready(Err(e));
            }
        }
    }
}

impl AsyncWrite for ServerStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.broken {
            return Poll::Ready(Err(frame::reset()));
        }
        let header = match this.connection.reply.get() {
            Some(header) => header,
            None => {
                // An answer no request's (the startup's): a message of its own.
                let header = Header {
                    id: this.shared.next_message_id(),
                    tag: Tag::NO_ATTEMPT,
                    point: Point::Result(Call::Service(ServiceCall::Ledger(0))),
                    key: None,
                };
                this.connection.reply.set(Some(header));
                header
            }
        };
        let rewrite = this.judged == Some(header.id);
        this.shared
            .send_on_db_link(&header, Host::Ledger, Host::Api, rewrite);
        this.judged = Some(header.id);
        let written = ready!(frame::poll_write(&mut this.inner, cx, &header, buf));
        this.judged = None;
        Poll::Ready(written)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shared.db_link.touch();
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
