//! The real server: a fresh database per script, one connection per session,
//! over TCP without TLS.
//!
//! After a statement is sent, the step has settled when every session with
//! a statement running has its reply or, in `pg_locks`, waits on a lock that
//! is not granted. A lock is granted by the session that releases it before
//! that session's reply is sent, so once every statement still running
//! waits, nothing runs that could wake one: only a deadlock check can. Each
//! session sets `deadlock_timeout` to [`DEADLOCK_TIMEOUT_MS`], and when a
//! session waits after a step the harness lets [`CHECK_WAIT`] pass (and
//! settles again) so that every check due has run before the next step.

use super::{Backend, Completion, Settled};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_postgres::{Client, Config, NoTls, SimpleQueryMessage};

/// Each session's `deadlock_timeout`.
const DEADLOCK_TIMEOUT_MS: u64 = 50;
/// How long the harness waits for the deadlock checks due after a step.
const CHECK_WAIT: Duration = Duration::from_millis(250);
/// How long a step may take to complete or block.
const STEP_LIMIT: Duration = Duration::from_secs(10);
/// How often a step's state is polled.
const POLL: Duration = Duration::from_millis(1);

/// Numbers the databases this process makes.
static DATABASES: AtomicU32 = AtomicU32::new(0);

type Running = JoinHandle<Result<Vec<SimpleQueryMessage>, tokio_postgres::Error>>;

struct Session {
    client: Arc<Client>,
    connection: JoinHandle<()>,
    pid: i32,
    running: Option<Running>,
}

/// A PostgreSQL server.
pub struct Postgres {
    runtime: Runtime,
    server: Server,
}

/// The connections to the server.
struct Server {
    config: Config,
    admin: Client,
    admin_connection: JoinHandle<()>,
    database: Option<String>,
    sessions: BTreeMap<char, Session>,
}

impl Postgres {
    /// Connects to the server `url` names (`host=... port=... user=...` or a
    /// `postgresql://` URL); the user must be allowed to create databases and
    /// set `deadlock_timeout` (a superuser).
    pub fn new(url: &str) -> Result<Postgres, String> {
        let config: Config = url
            .parse()
            .map_err(|e| format!("IDEMSIM_PG_URL `{url}` does not parse: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let (admin, admin_connection) = runtime.block_on(connect(&config)).map_err(|e| {
            format!(
                "cannot connect to PostgreSQL at IDEMSIM_PG_URL `{url}`: {}",
                said(&e)
            )
        })?;
        Ok(Postgres {
            runtime,
            server: Server {
                config,
                admin,
                admin_connection,
                database: None,
                sessions: BTreeMap::new(),
            },
        })
    }
}

async fn connect(config: &Config) -> Result<(Client, JoinHandle<()>), tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    let handle = tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok((client, handle))
}

/// An error with the server's message, if it sent one.
fn said(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// What a statement's messages say.
fn completion(reply: Result<Vec<SimpleQueryMessage>, tokio_postgres::Error>) -> Completion {
    let messages = match reply {
        Ok(messages) => messages,
        Err(e) => {
            return Completion::Error(match e.code() {
                Some(code) => code.code().to_string(),
                None => format!("(no SQLSTATE: {})", said(&e)),
            });
        }
    };
    let mut columns = None;
    let mut rows = Vec::new();
    let mut count = 0;
    for m in messages {
        match m {
            SimpleQueryMessage::RowDescription(cols) => {
                columns = Some(cols.iter().map(|c| c.name().to_string()).collect());
            }
            SimpleQueryMessage::Row(row) => {
                rows.push(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_string))
                        .collect(),
                );
            }
            SimpleQueryMessage::CommandComplete(n) => count = n,
            _ => {}
        }
    }
    match columns {
        Some(columns) => Completion::Rows {
            columns,
            rows,
            count,
        },
        None => Completion::Count(count),
    }
}

impl Server {
    /// Collects the replies that have arrived; returns whether any did.
    async fn collect(&mut self, completed: &mut BTreeMap<char, Completion>) -> bool {
        let mut any = false;
        for (name, session) in self.sessions.iter_mut() {
            if session.running.as_ref().is_some_and(|r| r.is_finished()) {
                let handle = session.running.take().unwrap();
                let reply = handle.await.expect("a statement's task does not panic");
                completed.insert(*name, completion(reply));
                any = true;
            }
        }
        any
    }

    /// The sessions with a statement running that wait on a lock.
    async fn waiting(&self) -> Result<Vec<char>, String> {
        let pids: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.running.is_some())
            .map(|s| s.pid.to_string())
            .collect();
        if pids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT pid FROM pg_locks WHERE NOT granted AND pid IN ({})",
            pids.join(", ")
        );
        let messages = self
            .admin
            .simple_query(&sql)
            .await
            .map_err(|e| format!("pg_locks: {}", said(&e)))?;
        let waiting: Vec<i32> = messages
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => r.get(0).and_then(|p| p.parse().ok()),
                _ => None,
            })
            .collect();
        Ok(self
            .sessions
            .iter()
            .filter(|(_, s)| s.running.is_some() && waiting.contains(&s.pid))
            .map(|(n, _)| *n)
            .collect())
    }

    /// Polls until every statement running has completed or waits.
    async fn settle(
        &mut self,
        completed: &mut BTreeMap<char, Completion>,
        started: Instant,
    ) -> Result<Vec<char>, String> {
        loop {
            self.collect(completed).await;
            let running: Vec<char> = self
                .sessions
                .iter()
                .filter(|(_, s)| s.running.is_some())
                .map(|(n, _)| *n)
                .collect();
            let waiting = self.waiting().await?;
            if running.iter().all(|s| waiting.contains(s)) {
                return Ok(waiting);
            }
            if started.elapsed() > STEP_LIMIT {
                let neither: Vec<String> = running
                    .iter()
                    .filter(|s| !waiting.contains(s))
                    .map(|s| s.to_string())
                    .collect();
                return Err(format!(
                    "the statement of session {} neither completed nor blocked on a lock within {} s",
                    neither.join(", "),
                    STEP_LIMIT.as_secs()
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn step_async(&mut self, name: char, sql: &str) -> Result<Settled, String> {
        let started = Instant::now();
        let session = self
            .sessions
            .get_mut(&name)
            .ok_or_else(|| format!("no session {name}"))?;
        let client = session.client.clone();
        let sql = sql.to_string();
        session.running = Some(tokio::spawn(async move { client.simple_query(&sql).await }));
        let mut completed = BTreeMap::new();
        let mut blocked = self.settle(&mut completed, started).await?;
        // The deadlock checks of the waits that began: wait for them, and
        // again if they (or the statements they let run) changed anything.
        while !blocked.is_empty() {
            tokio::time::sleep(CHECK_WAIT).await;
            let before = completed.len();
            blocked = self.settle(&mut completed, Instant::now()).await?;
            if completed.len() == before {
                break;
            }
        }
        Ok(Settled { completed, blocked })
    }

    async fn open_async(&mut self, names: &[char]) -> Result<(), String> {
        let db = format!(
            "idemsim_sqldiff_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        // Two queries: CREATE DATABASE cannot run in the implicit
        // transaction of a query text with two statements.
        for sql in [
            format!("DROP DATABASE IF EXISTS {db}"),
            format!(
                "CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
            ),
        ] {
            self.admin
                .simple_query(&sql)
                .await
                .map_err(|e| format!("creating database {db}: {}", said(&e)))?;
        }
        self.database = Some(db.clone());
        let mut config = self.config.clone();
        config.dbname(&db);
        for &name in names {
            let (client, connection) = connect(&config)
                .await
                .map_err(|e| format!("connecting session {name} to {db}: {}", said(&e)))?;
            let settings = format!(
                "SET deadlock_timeout = '{DEADLOCK_TIMEOUT_MS}ms'; SET lock_timeout = 0; \
                 SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; \
                 SET default_transaction_isolation = 'read committed'; SET TimeZone = 'UTC'; \
                 SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; \
                 SET extra_float_digits = 1; SET client_min_messages = 'warning'; \
                 SELECT pg_backend_pid()"
            );
            let messages = client
                .simple_query(&settings)
                .await
                .map_err(|e| format!("setting up session {name}: {}", said(&e)))?;
            let pid = messages
                .iter()
                .find_map(|m| match m {
                    SimpleQueryMessage::Row(r) => r.get(0).and_then(|p| p.parse().ok()),
                    _ => None,
                })
                .ok_or("pg_backend_pid() returned no row")?;
            self.sessions.insert(
                name,
                Session {
                    client: Arc::new(client),
                    connection,
                    pid,
                    running: None,
                },
            );
        }
        Ok(())
    }

    async fn close_async(&mut self) -> Result<(), String> {
        for (_, session) in std::mem::take(&mut self.sessions) {
            if let Some(r) = session.running {
                r.abort();
            }
            session.connection.abort();
        }
        if let Some(db) = self.database.take() {
            self.admin
                .simple_query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                .await
                .map_err(|e| format!("dropping database {db}: {}", said(&e)))?;
        }
        Ok(())
    }
}

impl Backend for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn open(&mut self, sessions: &[char]) -> Result<(), String> {
        self.runtime.block_on(self.server.open_async(sessions))
    }

    fn step(&mut self, session: char, sql: &str) -> Result<Settled, String> {
        self.runtime.block_on(self.server.step_async(session, sql))
    }

    fn close(&mut self) -> Result<(), String> {
        self.runtime.block_on(self.server.close_async())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.admin_connection.abort();
    }
}
