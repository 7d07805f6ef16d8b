//! The key store's client: a key-value store with TTL that speaks the Redis
//! protocol.
//!
//! Idempotency code written with the `redis` crate runs unchanged on a
//! [`Keys`]: it implements `redis::aio::ConnectionLike` (with the default
//! `redis` feature), so `redis::cmd("SET")…query_async(&mut keys)`,
//! `AsyncCommands` and pipelines work as they do on a
//! `MultiplexedConnection`. Write the code against `impl ConnectionLike`
//! (or a type parameter) and hand it a `MultiplexedConnection` in
//! production and [`crate::service::Env::keys`] under idemsim. A
//! `MultiplexedConnection` itself cannot be used here: it writes from a
//! background task, which no attempt owns, so idemsim could not tell which
//! transfer a command served.
//!
//! Commands: `GET`, `SET` with `NX`, `XX`, `IFEQ`, `IFNE`, `GET`, `EX`, `PX`,
//! `KEEPTTL`; `DEL`, `DELEX` (compare-and-delete with `IFEQ`/`IFNE`),
//! `EXISTS`, `EXPIRE`, `PEXPIRE`, `TTL`, `PTTL`, `INCR`, `INCRBY`, `DECR`,
//! `DECRBY`, `PING`, `ECHO`, `SELECT 0`, and `MULTI`/`EXEC`/`DISCARD` within
//! one pipeline. A pipeline runs atomically. Anything else is answered with
//! an error, as a real server answers an unknown command.
//!
//! The native methods below cover the same ground without the `redis` crate.

use super::StoreError;
use crate::design::StoreName;
use crate::resp::{self, Resp};
use crate::vocab::wire::{StoreAnswer, StoreRequest};

/// A client of the key store. Cheap to clone; every clone is the same client.
#[derive(Debug, Clone)]
pub struct Keys {
    timeout_ms: u64,
}

/// How long a store client waits for an answer unless told otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = 1_000;

/// When `SET` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetCondition {
    Always,
    /// `NX`: only when the key is absent (a claim).
    IfAbsent,
    /// `XX`: only when the key is present.
    IfPresent,
    /// `IFEQ`: only when the key holds this value (check-and-set).
    IfEqual(String),
}

/// When a value `SET` writes expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetExpiry {
    Never,
    /// `PX`: after this many milliseconds.
    Millis(u64),
    /// `KEEPTTL`: when the value it replaces would have.
    KeepTtl,
}

impl Keys {
    pub(crate) fn new() -> Keys {
        Keys {
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }

    /// The same client, waiting `timeout_ms` for each answer.
    pub fn with_timeout_ms(mut self, timeout_ms: u64) -> Keys {
        self.timeout_ms = timeout_ms.max(1);
        self
    }

    /// Sends packed RESP (one command or a pipeline) and returns the packed
    /// answers, one per command.
    pub(crate) async fn packed(&self, bytes: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        if bytes.len() > crate::limits::MAX_RESP_REQUEST_BYTES {
            return Err(StoreError::Refused(format!(
                "a request of {} bytes; at most {}",
                bytes.len(),
                crate::limits::MAX_RESP_REQUEST_BYTES
            )));
        }
        let answer = super::world_link::store_call(
            StoreName::Keys,
            StoreRequest::Resp(bytes),
            self.timeout_ms,
        )
        .await?;
        match answer {
            StoreAnswer::Resp(bytes) => Ok(bytes),
            StoreAnswer::Batch(_) => Err(StoreError::Refused(
                "a ledger answer from the key store".into(),
            )),
        }
    }

    /// Runs one command, given as its words: `keys.command(["GET", "k"])`.
    pub async fn command<I, A>(&self, args: I) -> Result<Resp, StoreError>
    where
        I: IntoIterator<Item = A>,
        A: AsRef<[u8]>,
    {
        let args: Vec<Vec<u8>> = args.into_iter().map(|a| a.as_ref().to_vec()).collect();
        let bytes = self.packed(resp::encode_command(&args)).await?;
        let mut values = resp::parse_all(&bytes).map_err(|e| StoreError::Refused(e.0))?;
        if values.len() != 1 {
            return Err(StoreError::Refused(format!(
                "{} answers to one command",
                values.len()
            )));
        }
        Ok(values.remove(0))
    }

    /// `GET`: the value, or `None` for a missing key.
    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.command(["GET", key]).await? {
            Resp::Bulk(Some(b)) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
            Resp::Bulk(None) => Ok(None),
            other => Err(unexpected(other)),
        }
    }

    /// `SET` under a condition, with an expiry; true when it wrote.
    pub async fn set(
        &self,
        key: &str,
        value: &str,
        condition: SetCondition,
        expiry: SetExpiry,
    ) -> Result<bool, StoreError> {
        let mut args: Vec<String> = vec!["SET".into(), key.into(), value.into()];
        match condition {
            SetCondition::Always => {}
            SetCondition::IfAbsent => args.push("NX".into()),
            SetCondition::IfPresent => args.push("XX".into()),
            SetCondition::IfEqual(v) => args.extend(["IFEQ".into(), v]),
        }
        match expiry {
            SetExpiry::Never => {}
            SetExpiry::Millis(ms) => args.extend(["PX".into(), ms.to_string()]),
            SetExpiry::KeepTtl => args.push("KEEPTTL".into()),
        }
        match self.command(&args).await? {
            Resp::Simple(_) => Ok(true),
            Resp::Bulk(None) => Ok(false),
            other => Err(unexpected(other)),
        }
    }

    /// `SET key value NX PX ttl_ms`: claims an absent key; true when claimed.
    pub async fn set_nx_px(&self, key: &str, value: &str, ttl_ms: u64) -> Result<bool, StoreError> {
        self.set(
            key,
            value,
            SetCondition::IfAbsent,
            SetExpiry::Millis(ttl_ms),
        )
        .await
    }

    /// `DEL`: true when the key existed.
    pub async fn del(&self, key: &str) -> Result<bool, StoreError> {
        self.integer(["DEL", key]).await.map(|n| n > 0)
    }

    /// `DELEX key IFEQ value`: deletes the key only if it holds `value`
    /// (releasing a lock only its owner holds); true when it deleted.
    pub async fn del_if_eq(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        self.integer(["DELEX", key, "IFEQ", value])
            .await
            .map(|n| n > 0)
    }

    /// `EXISTS`.
    pub async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        self.integer(["EXISTS", key]).await.map(|n| n > 0)
    }

    /// `PEXPIRE`: true when the key exists.
    pub async fn pexpire(&self, key: &str, ttl_ms: u64) -> Result<bool, StoreError> {
        self.integer(["PEXPIRE", key, &ttl_ms.to_string()])
            .await
            .map(|n| n > 0)
    }

    /// `PTTL`: milliseconds left, -1 for no expiry, -2 for a missing key.
    pub async fn pttl(&self, key: &str) -> Result<i64, StoreError> {
        self.integer(["PTTL", key]).await
    }

    /// `INCR`: the new value.
    pub async fn incr(&self, key: &str) -> Result<i64, StoreError> {
        self.integer(["INCR", key]).await
    }

    async fn integer<const N: usize>(&self, args: [&str; N]) -> Result<i64, StoreError> {
        match self.command(args).await? {
            Resp::Integer(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }
}

fn unexpected(answer: Resp) -> StoreError {
    StoreError::Refused(format!("the key store answered {answer}"))
}

#[cfg(feature = "redis")]
mod redis_client {
    use super::{Keys, StoreError};
    use redis::{Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, Value};

    fn redis_error(e: StoreError) -> RedisError {
        let kind = match e {
            StoreError::Timeout => ErrorKind::Io,
            _ => ErrorKind::Client,
        };
        RedisError::from((kind, "idemsim key store", e.to_string()))
    }

    /// Parses the packed answers into the `redis` crate's values.
    fn values(bytes: &[u8]) -> Result<Vec<Value>, RedisError> {
        let ranges = crate::resp::split(bytes)
            .map_err(|e| RedisError::from((ErrorKind::Parse, "idemsim key store", e.0)))?;
        ranges
            .into_iter()
            .map(|r| redis::parse_redis_value(&bytes[r]))
            .collect()
    }

    impl redis::aio::ConnectionLike for Keys {
        fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
            let bytes = cmd.get_packed_command();
            let keys = self.clone();
            Box::pin(async move {
                let answer = keys.packed(bytes).await.map_err(redis_error)?;
                let mut values = values(&answer)?;
                match values.len() {
                    1 => Ok(values.remove(0)),
                    n => Err(RedisError::from((
                        ErrorKind::Parse,
                        "idemsim key store",
                        format!("{n} answers to one command"),
                    ))),
                }
            })
        }

        fn req_packed_commands<'a>(
            &'a mut self,
            pipeline: &'a Pipeline,
            offset: usize,
            count: usize,
        ) -> RedisFuture<'a, Vec<Value>> {
            let bytes = pipeline.get_packed_pipeline();
            let keys = self.clone();
            Box::pin(async move {
                let answer = keys.packed(bytes).await.map_err(redis_error)?;
                Ok(values(&answer)?
                    .into_iter()
                    .skip(offset)
                    .take(count)
                    .collect())
            })
        }

        fn get_db(&self) -> i64 {
            0
        }
    }
}
