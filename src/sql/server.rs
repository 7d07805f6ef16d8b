//! The PostgreSQL wire protocol (v3) in front of a [`Database`], over any
//! byte stream: startup without TLS or password, the simple query protocol,
//! and the extended one (parse, bind, describe, execute, sync) that
//! tokio-postgres and the pools on it use. Messages are read and written
//! by the `pgwire` crate's codec; this module is the backend's side of the
//! conversation.
//!
//! Every connection of one database shares it through a [`Server`]. A
//! statement that blocks on a lock leaves its connection waiting until
//! another connection's work ends the transaction it waits for; after
//! PostgreSQL's `deadlock_timeout` of waiting it runs the deadlock check.

use super::{
    Database, Prepared, Reply, SessionId, SqlError, TxStatus, WaitLimit, param_text, result_bytes,
};
use bytes::{BufMut, BytesMut};
use pgwire::messages::data::{DataRow, FieldDescription, ParameterDescription, RowDescription};
use pgwire::messages::extendedquery::{BindComplete, CloseComplete, ParseComplete};
use pgwire::messages::response::{
    CommandComplete, EmptyQueryResponse, ErrorResponse, ReadyForQuery, SslResponse,
    TransactionStatus,
};
use pgwire::messages::startup::{Authentication, BackendKeyData, ParameterStatus, SecretKey};
use pgwire::messages::{
    DecodeContext, PgWireBackendMessage as Out, PgWireFrontendMessage as In,
    SslNegotiationMetaMessage,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// PostgreSQL's default `deadlock_timeout`: how long a blocked statement
/// waits before it checks for a deadlock.
pub const DEADLOCK_TIMEOUT_MS: u64 = 1000;
/// Most bytes a client may send in one message (PostgreSQL's own limit
/// for most messages is 1 GiB; a payment service sends kilobytes).
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// Most prepared statements and portals one connection may keep.
pub const MAX_PREPARED: usize = 1024;

/// The settings in a startup `options` parameter: words split at spaces
/// (a backslash keeps the next character, spaces included), each `-c
/// name=value` or `--name=value`; 42601 for anything else.
fn startup_options(options: &str) -> Result<Vec<(String, String)>, SqlError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = options.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.extend(chars.next()),
            c if c.is_ascii_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let invalid = |w: &str| {
        SqlError::new(
            "42601",
            format!("invalid command-line argument for server process: {w}"),
        )
    };
    let mut settings = Vec::new();
    let mut words = words.into_iter();
    while let Some(w) = words.next() {
        let assignment = match w.strip_prefix("--") {
            Some(rest) => rest.to_string(),
            None if w == "-c" => words.next().ok_or_else(|| invalid(&w))?,
            None => match w.strip_prefix("-c") {
                Some(rest) if !rest.is_empty() => rest.to_string(),
                _ => return Err(invalid(&w)),
            },
        };
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| invalid(&assignment))?;
        settings.push((name.replace('-', "_"), value.to_string()));
    }
    Ok(settings)
}

/// What a waiting statement's timer does when it fires.
#[derive(Debug, Clone, Copy)]
enum WaitTimer {
    Deadlock,
    Limit(WaitLimit),
}

/// What the host around a server learns of each connection's requests: a
/// request is a simple query, or the extended protocol's messages up to
/// and including `Sync`. Both methods do nothing unless overridden.
pub trait Observer {
    /// A request begins on `session`: its first message has arrived.
    fn begins(&self, _session: SessionId) {}
    /// A request has ended on `session`, and its `ReadyForQuery` is about
    /// to leave: `request` says what it ran and what each statement gave.
    fn ends(&self, _server: &Server, _session: SessionId, _request: &RequestLog) {}
}

/// An observer that learns nothing.
pub struct Unobserved;

impl Observer for Unobserved {}

/// What one request ran, in words, for a timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestLog {
    /// Each statement's text, as the client sent it.
    pub statements: Vec<String>,
    /// What each statement gave: its command tag (`UPDATE 1`), or its error
    /// with its SQLSTATE.
    pub results: Vec<String>,
}

impl RequestLog {
    fn result(&mut self, result: &Result<super::QueryResult, SqlError>) {
        self.results.push(match result {
            Ok(r) => r.tag.clone(),
            Err(e) => format!("ERROR {} {}", e.code, e.message),
        });
    }
}

/// One database and every connection to it.
pub struct Server {
    db: RefCell<Database>,
    /// Wakes connections whose statements may have ended.
    changed: Notify,
    /// Microseconds since the Unix epoch: the simulated clock.
    clock_us: Box<dyn Fn() -> i64>,
    /// Waits that long on the same clock (tokio's timer by default).
    sleep: Box<Sleeper>,
}

/// A wait of some milliseconds on the server's clock.
type Sleeper = dyn Fn(u64) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

impl Server {
    /// A server whose clock (`now()`, and when a wait began) is `clock_us`,
    /// and whose deadlock checks wait on tokio's timer: the two must
    /// advance together.
    pub fn new(db: Database, clock_us: impl Fn() -> i64 + 'static) -> Rc<Server> {
        Server::with_clock(db, clock_us, |ms| {
            Box::pin(tokio::time::sleep(Duration::from_millis(ms)))
        })
    }

    /// A server whose waits (the deadlock check's) are on the clock
    /// `clock_us` reads, through `sleep`: a simulation that skips time its
    /// own way then skips to the check.
    pub fn with_clock(
        db: Database,
        clock_us: impl Fn() -> i64 + 'static,
        sleep: impl Fn(u64) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> + 'static,
    ) -> Rc<Server> {
        Rc::new(Server {
            db: RefCell::new(db),
            changed: Notify::new(),
            clock_us: Box::new(clock_us),
            sleep: Box::new(sleep),
        })
    }

    /// Runs `f` on the database, then wakes every waiting connection.
    pub fn with_db<R>(&self, f: impl FnOnce(&mut Database) -> R) -> R {
        let result = f(&mut self.db.borrow_mut());
        self.changed.notify_waiters();
        result
    }

    /// Serves one client until it leaves or the stream fails; its session's
    /// transaction then rolls back.
    pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        self: Rc<Self>,
        stream: S,
    ) -> std::io::Result<()> {
        self.serve_observed(stream, Unobserved).await
    }

    /// As [`Server::serve`], telling `observer` of each request.
    pub async fn serve_observed<S: AsyncRead + AsyncWrite + Unpin, O: Observer>(
        self: Rc<Self>,
        stream: S,
        observer: O,
    ) -> std::io::Result<()> {
        if !self.db.borrow().accepts_sessions() {
            return Ok(());
        }
        let session = self.with_db(Database::connect);
        let mut connection = Connection {
            server: self.clone(),
            session,
            stream,
            input: BytesMut::new(),
            output: BytesMut::new(),
            ctx: DecodeContext::default(),
            statements: BTreeMap::new(),
            portals: BTreeMap::new(),
            skipping: false,
            observer,
            request: None,
        };
        let result = connection.run().await;
        self.with_db(|db| db.disconnect(session));
        result
    }
}

/// A bound statement, ready to execute.
struct Portal {
    prepared: Prepared,
    params: Vec<Option<String>>,
    /// Per result column: binary (true) or text.
    binary: Vec<bool>,
}

struct Connection<S, O> {
    server: Rc<Server>,
    session: SessionId,
    stream: S,
    input: BytesMut,
    output: BytesMut,
    ctx: DecodeContext,
    statements: BTreeMap<String, Prepared>,
    portals: BTreeMap<String, Portal>,
    /// After an error in the extended protocol: messages are skipped until `Sync`.
    skipping: bool,
    observer: O,
    /// The request under way, from its first message to its `ReadyForQuery`.
    request: Option<RequestLog>,
}

fn protocol_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

impl<S: AsyncRead + AsyncWrite + Unpin, O: Observer> Connection<S, O> {
    async fn run(&mut self) -> std::io::Result<()> {
        loop {
            let Some(message) = self.read().await? else {
                return Ok(());
            };
            // As PostgreSQL does, the answers to the extended protocol's
            // commands wait in the output until `Sync` (the end of the
            // cycle, `ReadyForQuery`) or `Flush`: a client's pipeline
            // (Parse, Describe, Sync in one write) is answered in one.
            let buffered = matches!(
                message,
                In::Parse(_) | In::Bind(_) | In::Describe(_) | In::Execute(_) | In::Close(_)
            );
            if !self.handle(message).await? {
                return Ok(());
            }
            if !buffered {
                self.flush().await?;
            }
        }
    }

    /// The next message, or `None` at the end of the stream.
    async fn read(&mut self) -> std::io::Result<Option<In>> {
        loop {
            if let Some(message) = In::decode(&mut self.input, &self.ctx).map_err(protocol_error)? {
                return Ok(Some(message));
            }
            if self.input.len() > MAX_MESSAGE_BYTES {
                return Err(protocol_error("a message over idemsim's 1 MiB limit"));
            }
            if self.stream.read_buf(&mut self.input).await? == 0 {
                return Ok(None);
            }
        }
    }

    fn send(&mut self, message: Out) {
        message
            .encode(&mut self.output)
            .expect("backend messages encode");
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        if !self.output.is_empty() {
            self.stream.write_all(&self.output).await?;
            self.stream.flush().await?;
            self.output.clear();
        }
        Ok(())
    }

    /// Handles one message; `false` ends the connection.
    async fn handle(&mut self, message: In) -> std::io::Result<bool> {
        let part_of_a_request = matches!(
            message,
            In::Query(_)
                | In::Parse(_)
                | In::Bind(_)
                | In::Describe(_)
                | In::Execute(_)
                | In::Sync(_)
                | In::Close(_)
                | In::Flush(_)
        );
        if part_of_a_request && self.request.is_none() {
            self.request = Some(RequestLog::default());
            self.observer.begins(self.session);
        }
        if self.skipping && !matches!(message, In::Sync(_) | In::Terminate(_)) {
            return Ok(true);
        }
        match message {
            In::SslNegotiation(
                SslNegotiationMetaMessage::PostgresSsl(_)
                | SslNegotiationMetaMessage::PostgresGss(_),
            ) => {
                self.send(Out::SslResponse(SslResponse::Refuse));
                self.ctx.awaiting_frontend_ssl = false;
            }
            In::SslNegotiation(SslNegotiationMetaMessage::None) => {
                self.ctx.awaiting_frontend_ssl = false;
            }
            In::Startup(startup) => {
                self.ctx.awaiting_frontend_startup = false;
                if let Err(e) = self.apply_startup_settings(&startup.parameters) {
                    // PostgreSQL refuses the connection (FATAL).
                    self.send(error_message(&e));
                    return Ok(false);
                }
                self.startup();
            }
            In::CancelRequest(_) | In::Terminate(_) => return Ok(false),
            In::PasswordMessageFamily(_) => {}
            In::Query(q) => {
                self.server
                    .with_db(|db| db.submit(self.session, &q.query, (self.server.clock_us)()));
                let reply = self.reply().await;
                if let Some(log) = self.request.as_mut() {
                    log.statements.push(q.query.clone());
                    reply.iter().for_each(|r| log.result(r));
                }
                self.simple_reply(reply);
                self.ready();
            }
            In::Parse(p) => {
                let prepared = self.server.db.borrow().prepare(&p.query, &p.type_oids);
                match prepared {
                    Ok(prepared) if self.statements.len() < MAX_PREPARED => {
                        self.statements.insert(p.name.unwrap_or_default(), prepared);
                        self.send(Out::ParseComplete(ParseComplete::new()));
                    }
                    Ok(_) => self.fail(SqlError::new("54000", "too many prepared statements")),
                    Err(e) => self.fail(e),
                }
            }
            In::Bind(b) => match self.bind(b) {
                Ok(()) => self.send(Out::BindComplete(BindComplete::new())),
                Err(e) => self.fail(e),
            },
            In::Describe(d) => {
                let name = d.name.unwrap_or_default();
                if d.target_type == b'S' {
                    match self.statements.get(&name).cloned() {
                        Some(p) => {
                            self.send(Out::ParameterDescription(ParameterDescription::new(
                                p.description.param_types.clone(),
                            )));
                            self.describe_rows(&p.description.columns, &[]);
                        }
                        None => self.fail(SqlError::new(
                            "26000",
                            format!("prepared statement \"{name}\" does not exist"),
                        )),
                    }
                } else {
                    match self.portals.get(&name) {
                        Some(portal) => {
                            let columns = portal.prepared.description.columns.clone();
                            let binary = portal.binary.clone();
                            self.describe_rows(&columns, &binary);
                        }
                        None => self.fail(SqlError::new(
                            "34000",
                            format!("portal \"{name}\" does not exist"),
                        )),
                    }
                }
            }
            In::Execute(e) => {
                let name = e.name.unwrap_or_default();
                let Some(portal) = self.portals.get(&name) else {
                    self.fail(SqlError::new(
                        "34000",
                        format!("portal \"{name}\" does not exist"),
                    ));
                    return Ok(true);
                };
                let (prepared, params, binary) = (
                    portal.prepared.clone(),
                    portal.params.clone(),
                    portal.binary.clone(),
                );
                self.server.with_db(|db| {
                    db.submit_prepared(self.session, &prepared, &params, (self.server.clock_us)());
                });
                let reply = self.reply().await;
                if let Some(log) = self.request.as_mut() {
                    log.statements.push(prepared.text().to_string());
                    reply.iter().for_each(|r| log.result(r));
                }
                self.extended_reply(reply, &binary);
            }
            In::Sync(_) => {
                self.skipping = false;
                self.ready();
            }
            In::Flush(_) => {}
            In::Close(c) => {
                let name = c.name.unwrap_or_default();
                if c.target_type == b'S' {
                    self.statements.remove(&name);
                } else {
                    self.portals.remove(&name);
                }
                self.send(Out::CloseComplete(CloseComplete::new()));
            }
            In::PortalSuspended(_) | In::CopyData(_) | In::CopyFail(_) | In::CopyDone(_) => {
                self.fail(SqlError::new("0A000", "COPY is not supported"));
            }
        }
        Ok(true)
    }

    /// The settings a client sends at startup: any parameter but the
    /// connection's own (`user`, `database`, `replication`), and each
    /// `-c name=value` or `--name=value` in `options`, as PostgreSQL reads
    /// them.
    fn apply_startup_settings(
        &mut self,
        parameters: &BTreeMap<String, String>,
    ) -> Result<(), SqlError> {
        let mut settings: Vec<(String, String)> = Vec::new();
        for (name, value) in parameters {
            match name.as_str() {
                "user" | "database" | "replication" => {}
                "options" => settings.extend(startup_options(value)?),
                _ => settings.push((name.clone(), value.clone())),
            }
        }
        let session = self.session;
        self.server.with_db(|db| {
            settings
                .iter()
                .try_for_each(|(name, value)| db.set_at_startup(session, name, value))
        })
    }

    fn startup(&mut self) {
        self.send(Out::Authentication(Authentication::Ok));
        for (name, value) in [
            ("server_version", "15.0"),
            ("server_encoding", "UTF8"),
            ("client_encoding", "UTF8"),
            ("DateStyle", "ISO, MDY"),
            ("TimeZone", "UTC"),
            ("integer_datetimes", "on"),
            ("standard_conforming_strings", "on"),
            ("IntervalStyle", "postgres"),
            ("is_superuser", "on"),
            ("application_name", ""),
        ] {
            self.send(Out::ParameterStatus(ParameterStatus::new(
                name.to_string(),
                value.to_string(),
            )));
        }
        let pid = i32::try_from(self.session.0).unwrap_or(i32::MAX);
        self.send(Out::BackendKeyData(BackendKeyData::new(
            pid,
            SecretKey::I32(pid),
        )));
        self.ready();
    }

    fn ready(&mut self) {
        if let Some(request) = self.request.take() {
            self.observer.ends(&self.server, self.session, &request);
        }
        let status = match self.server.db.borrow().tx_status(self.session) {
            TxStatus::Idle => TransactionStatus::Idle,
            TxStatus::InBlock => TransactionStatus::Transaction,
            TxStatus::Failed => TransactionStatus::Error,
        };
        self.send(Out::ReadyForQuery(ReadyForQuery::new(status)));
    }

    fn fail(&mut self, e: SqlError) {
        self.send(error_message(&e));
        self.skipping = true;
    }

    /// Waits for the session's reply. While the statement waits for a
    /// lock, three timers run, as PostgreSQL's: the deadlock check once the
    /// wait has lasted `deadlock_timeout` (the timer starts when a wait
    /// begins, whatever else the database does meanwhile); `lock_timeout`
    /// from the same start, and `statement_timeout` from the statement's,
    /// each cancelling the statement when set.
    async fn reply(&mut self) -> Reply {
        let started_us = (self.server.clock_us)();
        // The wait being timed, and when it began (µs).
        let mut timed: Option<((u64, u64), i64)> = None;
        let mut checked = None;
        loop {
            let changed = self.server.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(reply) = self.server.db.borrow_mut().take_reply(self.session) {
                return reply;
            }
            let wait = self.server.db.borrow().waits_for(self.session);
            let Some(w) = wait else {
                changed.await;
                continue;
            };
            let wait_began_us = match timed {
                Some((timed_wait, began_us)) if timed_wait == w => began_us,
                _ => {
                    let now_us = (self.server.clock_us)();
                    timed = Some((w, now_us));
                    now_us
                }
            };
            let (timer, due_us) = self.next_timer(w, checked, started_us, wait_began_us);
            let Some(due_us) = due_us else {
                changed.await;
                continue;
            };
            let left_us = due_us.saturating_sub((self.server.clock_us)()).max(0);
            let left_ms = u64::try_from(left_us).unwrap_or(0).div_ceil(1_000);
            tokio::select! {
                biased;
                () = &mut changed => {}
                () = (self.server.sleep)(left_ms) => {
                    let now = (self.server.clock_us)();
                    match timer {
                        WaitTimer::Deadlock => {
                            checked = Some(w);
                            self.server.with_db(|db| db.detect_deadlock(self.session, now));
                        }
                        WaitTimer::Limit(limit) => {
                            self.server.with_db(|db| db.cancel_wait(self.session, limit.error()));
                        }
                    }
                }
            }
        }
    }

    /// The first timer due while the session waits in wait `w`: the
    /// deadlock check (unless this wait had it), `lock_timeout` and
    /// `statement_timeout`; ties go to the limits, checked last to first
    /// as PostgreSQL's timeout handler does (statement first).
    fn next_timer(
        &self,
        w: (u64, u64),
        checked: Option<(u64, u64)>,
        started_us: i64,
        wait_began_us: i64,
    ) -> (WaitTimer, Option<i64>) {
        let db = self.server.db.borrow();
        let after = |from_us: i64, ms: u64| {
            from_us.saturating_add(i64::try_from(ms.saturating_mul(1_000)).unwrap_or(i64::MAX))
        };
        let mut timers = vec![
            (
                WaitTimer::Limit(WaitLimit::Statement),
                db.wait_limit_ms(self.session, WaitLimit::Statement)
                    .map(|ms| after(started_us, ms)),
            ),
            (
                WaitTimer::Limit(WaitLimit::Lock),
                db.wait_limit_ms(self.session, WaitLimit::Lock)
                    .map(|ms| after(wait_began_us, ms)),
            ),
        ];
        if checked != Some(w) {
            timers.push((
                WaitTimer::Deadlock,
                Some(after(wait_began_us, DEADLOCK_TIMEOUT_MS)),
            ));
        }
        timers
            .into_iter()
            .filter_map(|(timer, due)| due.map(|due| (timer, due)))
            .min_by_key(|(_, due)| *due)
            .map_or((WaitTimer::Deadlock, None), |(timer, due)| {
                (timer, Some(due))
            })
    }

    fn simple_reply(&mut self, reply: Reply) {
        if reply.is_empty() {
            self.send(Out::EmptyQueryResponse(EmptyQueryResponse::new()));
        }
        for result in reply {
            match result {
                Ok(r) => {
                    if !r.columns.is_empty() {
                        self.describe_rows(&r.columns, &[]);
                    }
                    for row in &r.rows {
                        self.send(Out::DataRow(data_row(row, &r.columns, &[])));
                    }
                    self.send(Out::CommandComplete(CommandComplete::new(r.tag)));
                }
                Err(e) => self.send(error_message(&e)),
            }
        }
    }

    fn extended_reply(&mut self, reply: Reply, binary: &[bool]) {
        match reply.into_iter().next() {
            None => self.send(Out::EmptyQueryResponse(EmptyQueryResponse::new())),
            Some(Ok(r)) => {
                for row in &r.rows {
                    self.send(Out::DataRow(data_row(row, &r.columns, binary)));
                }
                self.send(Out::CommandComplete(CommandComplete::new(r.tag)));
            }
            Some(Err(e)) => self.fail(e),
        }
    }

    fn describe_rows(&mut self, columns: &[super::Column], binary: &[bool]) {
        if columns.is_empty() {
            self.send(Out::NoData(pgwire::messages::data::NoData::new()));
            return;
        }
        let fields = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let format = i16::from(binary.get(i).copied().unwrap_or(false));
                FieldDescription::new(c.name.clone(), 0, 0, c.type_oid, -1, -1, format)
            })
            .collect();
        self.send(Out::RowDescription(RowDescription::new(fields)));
    }

    fn bind(&mut self, b: pgwire::messages::extendedquery::Bind) -> Result<(), SqlError> {
        let name = b.statement_name.unwrap_or_default();
        let prepared = self.statements.get(&name).cloned().ok_or_else(|| {
            SqlError::new(
                "26000",
                format!("prepared statement \"{name}\" does not exist"),
            )
        })?;
        let types = &prepared.description.param_types;
        let format_of = |codes: &[i16], i: usize| match codes {
            [] => 0,
            [one] => *one,
            many => many.get(i).copied().unwrap_or(0),
        };
        let mut params = Vec::with_capacity(b.parameters.len());
        for (i, p) in b.parameters.iter().enumerate() {
            params.push(match p {
                None => None,
                Some(bytes) if format_of(&b.parameter_format_codes, i) == 1 => {
                    let oid = types.get(i).copied().unwrap_or(25);
                    Some(param_text(oid, bytes)?)
                }
                Some(bytes) => Some(String::from_utf8(bytes.to_vec()).map_err(|_| {
                    SqlError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
                })?),
            });
        }
        let columns = prepared.description.columns.len();
        let binary = (0..columns)
            .map(|i| format_of(&b.result_column_format_codes, i) == 1)
            .collect();
        if self.portals.len() >= MAX_PREPARED {
            return Err(SqlError::new("54000", "too many portals"));
        }
        self.portals.insert(
            b.portal_name.unwrap_or_default(),
            Portal {
                prepared,
                params,
                binary,
            },
        );
        Ok(())
    }
}

fn error_message(e: &SqlError) -> Out {
    Out::ErrorResponse(ErrorResponse::new(vec![
        (b'S', "ERROR".to_string()),
        (b'V', "ERROR".to_string()),
        (b'C', e.code.to_string()),
        (b'M', e.message.clone()),
    ]))
}

fn data_row(row: &[Option<String>], columns: &[super::Column], binary: &[bool]) -> DataRow {
    let mut data = BytesMut::new();
    for (i, value) in row.iter().enumerate() {
        match value {
            None => data.put_i32(-1),
            Some(text) => {
                let bytes = if binary.get(i).copied().unwrap_or(false) {
                    let oid = columns.get(i).map_or(25, |c| c.type_oid);
                    result_bytes(oid, text).unwrap_or_else(|_| text.as_bytes().to_vec())
                } else {
                    text.as_bytes().to_vec()
                };
                data.put_i32(i32::try_from(bytes.len()).unwrap_or(i32::MAX));
                data.put_slice(&bytes);
            }
        }
    }
    DataRow::new(data, i16::try_from(row.len()).unwrap_or(i16::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::NoTls;

    /// A tokio-postgres client connected to a fresh server over an
    /// in-memory stream, on the current thread.
    async fn client(server: &Rc<Server>) -> tokio_postgres::Client {
        let (near, far) = tokio::io::duplex(1 << 16);
        tokio::task::spawn_local(server.clone().serve(far));
        let (client, connection) = tokio_postgres::Config::new()
            .user("idemsim")
            .dbname("payments")
            .connect_raw(near, NoTls)
            .await
            .expect("the server accepts a connection");
        tokio::task::spawn_local(connection);
        client
    }

    fn local(test: impl std::future::Future<Output = ()>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        tokio::task::LocalSet::new().block_on(&runtime, test);
    }

    #[test]
    fn tokio_postgres_runs_simple_and_prepared_statements() {
        local(async {
            let server = Server::new(Database::new(), || 1_700_000_000_000_000);
            let c = client(&server).await;
            c.batch_execute(
                "CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL, seen timestamptz, ref uuid, amount numeric(12,2), ok boolean)",
            )
            .await
            .unwrap();
            let n = c
                .execute(
                    "INSERT INTO accounts (id, balance, amount, ok) VALUES ($1, $2, 12.50, true)",
                    &[&"alice", &100i64],
                )
                .await
                .unwrap();
            assert_eq!(n, 1);
            let row = c
                .query_one(
                    "UPDATE accounts SET balance = balance - $1 WHERE id = $2 RETURNING balance, ok",
                    &[&30i64, &"alice"],
                )
                .await
                .unwrap();
            assert_eq!(row.get::<_, i64>(0), 70);
            assert!(row.get::<_, bool>(1));
            let rows = c
                .query(
                    "SELECT id, balance FROM accounts WHERE balance > $1",
                    &[&0i64],
                )
                .await
                .unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].get::<_, String>("id"), "alice");
            let err = c
                .execute(
                    "INSERT INTO accounts (id, balance) VALUES ($1, $2)",
                    &[&"alice", &1i64],
                )
                .await
                .unwrap_err();
            assert_eq!(
                err.code(),
                Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
            );
        });
    }

    #[test]
    fn smallint_bytea_and_timestamp_columns_take_and_give_their_own_types() {
        // A client checks each column's type before it decodes a value:
        // an `i16` reads only a smallint, a `Vec<u8>` only a bytea.
        local(async {
            let server = Server::new(Database::new(), || 0);
            let c = client(&server).await;
            c.batch_execute(
                "CREATE TABLE answers (key text PRIMARY KEY, status smallint, body bytea, \
                 at timestamp DEFAULT '2026-12-07 04:25:55+02')",
            )
            .await
            .unwrap();
            let body: Vec<u8> = vec![0, 1, 0x7b, 0xff, b'\\'];
            c.execute(
                "INSERT INTO answers VALUES ($1, $2, $3)",
                &[&"k1", &201i16, &body],
            )
            .await
            .unwrap();
            let row = c
                .query_one(
                    "SELECT status, body, length(body) FROM answers WHERE body = $1",
                    &[&body],
                )
                .await
                .unwrap();
            assert_eq!(row.get::<_, i16>(0), 201);
            assert_eq!(row.get::<_, Vec<u8>>(1), body);
            assert_eq!(row.get::<_, i32>(2), 5);
            // The offset is ignored; the wall-clock time read as UTC.
            let at: std::time::SystemTime = c
                .query_one(
                    "SELECT at FROM answers WHERE at < $1",
                    &[&std::time::SystemTime::now()],
                )
                .await
                .unwrap()
                .get(0);
            let at_s = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
            assert_eq!(at_s, 1_796_617_555);
            let text = c
                .simple_query("SELECT body FROM answers")
                .await
                .unwrap()
                .into_iter()
                .find_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                    _ => None,
                });
            assert_eq!(text.as_deref(), Some("\\x00017bff5c"));
            // The parameter is described as a smallint: tokio-postgres
            // itself refuses an `i32` for it.
            assert!(
                c.execute("UPDATE answers SET status = $1", &[&40_000i32])
                    .await
                    .is_err()
            );
            let err = c
                .execute("UPDATE answers SET status = 40000", &[])
                .await
                .unwrap_err();
            assert_eq!(
                err.code(),
                Some(&tokio_postgres::error::SqlState::NUMERIC_VALUE_OUT_OF_RANGE)
            );
        });
    }

    #[test]
    fn a_transaction_blocks_another_until_it_commits() {
        local(async {
            let server = Server::new(Database::new(), || 0);
            let mut a = client(&server).await;
            let b = client(&server).await;
            a.batch_execute("CREATE TABLE t (id integer PRIMARY KEY, v bigint)")
                .await
                .unwrap();
            a.execute("INSERT INTO t VALUES (1, 10)", &[])
                .await
                .unwrap();
            let tx = a.transaction().await.unwrap();
            tx.execute("UPDATE t SET v = v + 1 WHERE id = 1", &[])
                .await
                .unwrap();
            let waiting = tokio::task::spawn_local(async move {
                b.query_one("UPDATE t SET v = v * 2 WHERE id = 1 RETURNING v", &[])
                    .await
                    .unwrap()
                    .get::<_, i64>(0)
            });
            tokio::task::yield_now().await;
            assert!(!waiting.is_finished());
            tx.commit().await.unwrap();
            assert_eq!(waiting.await.unwrap(), 22);
        });
    }
}

#[cfg(test)]
mod on_turmoil {
    use super::*;
    use std::time::Duration;
    use tokio_postgres::NoTls;

    const PORT: u16 = 5432;

    /// A `db` host serving one database on turmoil's TCP: the database
    /// outlives the host's boots, as a durable one does.
    fn db_host(sim: &mut turmoil::Sim<'_>, server: Rc<Server>) {
        sim.host("db", move || {
            let server = server.clone();
            async move {
                let listener = turmoil::net::TcpListener::bind(("0.0.0.0", PORT)).await?;
                loop {
                    let (stream, _) = listener.accept().await?;
                    tokio::task::spawn_local(server.clone().serve(stream));
                }
            }
        });
    }

    /// A minute-long simulation with a `db` host on a fresh database
    /// whose clock is the simulation's, as tokio's timer is.
    fn sim_with_db() -> turmoil::Sim<'static> {
        let mut sim = turmoil::Builder::new()
            .simulation_duration(Duration::from_secs(60))
            .build();
        let server = Server::new(Database::new(), || turmoil::elapsed().as_micros() as i64);
        db_host(&mut sim, server);
        sim
    }

    async fn connect() -> tokio_postgres::Client {
        connect_with(tokio_postgres::Config::new().user("app"))
            .await
            .expect("the server accepts the connection")
    }

    async fn connect_with(
        config: &tokio_postgres::Config,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let stream = turmoil::net::TcpStream::connect(("db", PORT))
            .await
            .expect("the db host listens");
        let (client, connection) = config.connect_raw(stream, NoTls).await?;
        tokio::task::spawn_local(connection);
        Ok(client)
    }

    /// Two clients on another host deadlock; after `deadlock_timeout` of
    /// simulated time the first to wait is chosen as the victim, and the
    /// other goes on.
    #[test]
    fn tokio_postgres_runs_over_turmoil_and_a_deadlock_is_broken_in_simulated_time() {
        let mut sim = sim_with_db();
        sim.client("app", async {
            let setup = connect().await;
            setup
                .batch_execute(
                    "CREATE TABLE t (id integer PRIMARY KEY, v bigint); INSERT INTO t VALUES (1, 0), (2, 0)",
                )
                .await?;
            let a = connect().await;
            let b = connect().await;
            a.batch_execute("BEGIN; UPDATE t SET v = 1 WHERE id = 1").await?;
            b.batch_execute("BEGIN; UPDATE t SET v = 2 WHERE id = 2").await?;
            let started = tokio::time::Instant::now();
            let first = tokio::task::spawn_local(async move {
                let r = a.execute("UPDATE t SET v = 1 WHERE id = 2", &[]).await;
                (r.map_err(|e| e.code().cloned()), a)
            });
            // Long past the network's latency: `a` waits first.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let second = b.execute("UPDATE t SET v = 2 WHERE id = 1", &[]).await;
            let (first, _a) = first.await.expect("the task ends");
            assert_eq!(
                first,
                Err(Some(tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED))
            );
            assert_eq!(second.expect("the survivor's update goes through"), 1);
            let waited = started.elapsed();
            assert!(
                waited >= Duration::from_millis(DEADLOCK_TIMEOUT_MS),
                "the check ran after {waited:?}"
            );
            b.batch_execute("COMMIT").await?;
            let rows = setup.query("SELECT v FROM t ORDER BY id", &[]).await?;
            let values: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
            // The victim's first update rolled back with its transaction.
            assert_eq!(values, [2, 2]);
            Ok(())
        });
        sim.run().expect("the simulation succeeds");
    }

    /// `lock_timeout` and `statement_timeout` cancel a statement that waits
    /// for a lock at their time of simulated time (55P03, 57014), before
    /// the deadlock check is due; `SET LOCAL` lasts to the block's end.
    #[test]
    fn lock_and_statement_timeouts_cancel_a_wait_in_simulated_time() {
        use tokio_postgres::error::SqlState;
        let mut sim = sim_with_db();
        sim.client("app", async {
            let holder = connect().await;
            holder
                .batch_execute(
                    "CREATE TABLE t (id integer PRIMARY KEY, v bigint); INSERT INTO t VALUES (1, 0);
                     BEGIN; UPDATE t SET v = 1 WHERE id = 1",
                )
                .await?;
            let waiter = connect().await;
            let code = |r: Result<u64, tokio_postgres::Error>| r.map_err(|e| e.code().cloned());

            waiter
                .batch_execute("BEGIN; SET LOCAL lock_timeout = '200ms'")
                .await?;
            let started = tokio::time::Instant::now();
            let r = waiter.execute("UPDATE t SET v = 2 WHERE id = 1", &[]).await;
            let waited = started.elapsed();
            assert_eq!(code(r), Err(Some(SqlState::LOCK_NOT_AVAILABLE)));
            assert!(
                (Duration::from_millis(200)..Duration::from_millis(400)).contains(&waited),
                "cancelled after {waited:?}"
            );
            // The block failed; its end also ends SET LOCAL.
            waiter.batch_execute("ROLLBACK").await?;
            let shown: String = waiter.query_one("SHOW lock_timeout", &[]).await?.get(0);
            assert_eq!(shown, "0", "no lock_timeout is set after the block");

            waiter
                .batch_execute("SET statement_timeout = '1ms' ")
                .await?;
            waiter.batch_execute("SET statement_timeout = 300").await?;
            let started = tokio::time::Instant::now();
            let r = waiter.execute("UPDATE t SET v = 3 WHERE id = 1", &[]).await;
            let waited = started.elapsed();
            assert_eq!(code(r), Err(Some(SqlState::QUERY_CANCELED)));
            assert!(
                waited < Duration::from_millis(DEADLOCK_TIMEOUT_MS),
                "{waited:?}"
            );
            let bad = waiter.batch_execute("SET lock_timeout = 'soon'").await;
            assert_eq!(
                bad.map_err(|e| e.code().cloned()),
                Err(Some(SqlState::INVALID_PARAMETER_VALUE))
            );

            // A setting sent at startup, as `options` carries it.
            let optioned = connect_with(
                tokio_postgres::Config::new()
                    .user("app")
                    .options("-c lock_timeout=150ms --statement-timeout=5s"),
            )
            .await?;
            let shown: String = optioned
                .query_one("SHOW statement_timeout", &[])
                .await?
                .get(0);
            assert_eq!(shown, "5s");
            let started = tokio::time::Instant::now();
            let r = optioned
                .execute("UPDATE t SET v = 5 WHERE id = 1", &[])
                .await;
            assert_eq!(code(r), Err(Some(SqlState::LOCK_NOT_AVAILABLE)));
            assert!(started.elapsed() < Duration::from_millis(300));
            let refused = connect_with(
                tokio_postgres::Config::new()
                    .user("app")
                    .options("-c lock_timeout=whenever"),
            )
            .await;
            assert!(
                refused.is_err(),
                "a bad startup setting refuses the connection"
            );

            // Without a limit the wait lasts until the holder commits.
            waiter.batch_execute("SET statement_timeout = 0").await?;
            let wait = tokio::task::spawn_local(async move {
                waiter
                    .execute("UPDATE t SET v = 4 WHERE id = 1", &[])
                    .await
                    .map_err(|e| e.code().cloned())
            });
            tokio::time::sleep(Duration::from_secs(5)).await;
            assert!(!wait.is_finished());
            holder.batch_execute("COMMIT").await?;
            assert_eq!(wait.await.expect("the task ends"), Ok(1));
            Ok(())
        });
        sim.run().expect("the simulation succeeds");
    }
}
