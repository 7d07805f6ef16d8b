//! What the stores run for a service: Redis commands on the key store, and
//! all-or-nothing batches on the ledger.
//!
//! Both keep their data in the store's [`StoreDb`], next to a design's
//! records, so a crash loses exactly what it loses for a design: nothing on
//! a durable store, everything on a key store kept in memory.

use super::store::{LedgerEntry, StoreDb};
use crate::limits;
use crate::resp::{self, Resp};
use crate::scenario::TransferIx;
use crate::service::ledger::{BatchOutcome, Read, Stop, WireBatch, WireOp};
pub use crate::vocab::ServiceOp;
use crate::vocab::wire::{Key, Tag};
use std::collections::BTreeMap;

/// A value a service stored, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub value: Vec<u8>,
    pub expires_at_ms: Option<u64>,
    /// The transfer whose attempt wrote it last (`None`: work no attempt
    /// owns), so that an `expire-key` fault expires what that transfer's
    /// requests stored, whatever the service names its keys.
    pub writer: Option<TransferIx>,
}

/// Longest request or answer text the timeline keeps of one call.
const MAX_SUMMARY_CHARS: usize = 160;

fn summary(text: String) -> String {
    crate::text::truncate(&text, MAX_SUMMARY_CHARS)
}

impl StoreDb {
    /// The live value of `key` at `now_ms`, dropping it if it has expired.
    fn live(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Stored> {
        let expired = self
            .kv
            .get(key)
            .is_some_and(|s| s.expires_at_ms.is_some_and(|t| now_ms >= t));
        if expired {
            self.kv.remove(key);
        }
        self.kv.get_mut(key)
    }

    /// Room for one more key, dropping expired ones first when full.
    fn has_room(&mut self, now_ms: u64) -> bool {
        if self.kv.len() < limits::MAX_STORE_ENTRIES {
            return true;
        }
        self.kv
            .retain(|_, s| s.expires_at_ms.is_none_or(|t| now_ms < t));
        self.kv.len() < limits::MAX_STORE_ENTRIES
    }

    /// An `expire-key` fault on a service: the values `transfer`'s requests
    /// stored with a time to live expire now, as if their TTL had run out;
    /// how many. A value stored without a TTL never expires on its own, so
    /// the fault leaves it, as it leaves everything in the ledger.
    pub fn expire_volatile_of(&mut self, transfer: TransferIx) -> usize {
        let before = self.kv.len();
        self.kv
            .retain(|_, s| s.expires_at_ms.is_none() || s.writer != Some(transfer));
        before - self.kv.len()
    }

    /// Runs packed Redis commands (one, or a pipeline) atomically for
    /// `writer` (the transfer the call serves); the packed answers, one per
    /// command.
    pub fn run_resp(
        &mut self,
        bytes: &[u8],
        now_ms: u64,
        writer: Option<TransferIx>,
    ) -> (Vec<u8>, ServiceOp) {
        self.writer = writer;
        let commands = match resp::parse_commands(bytes) {
            Ok(commands) if commands.len() <= limits::MAX_RESP_COMMANDS => commands,
            Ok(commands) => {
                return self.refuse(format!(
                    "ERR a pipeline of {} commands; at most {}",
                    commands.len(),
                    limits::MAX_RESP_COMMANDS
                ));
            }
            Err(e) => return self.refuse(format!("ERR Protocol error: {}", e.0)),
        };
        let mut out = Vec::new();
        let mut answers = Vec::new();
        let mut queued: Option<Vec<Vec<Vec<u8>>>> = None;
        let mut committed = false;
        for args in &commands {
            let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
            let reply = match (name.as_str(), queued.as_mut()) {
                ("MULTI", None) => {
                    queued = Some(Vec::new());
                    Resp::ok()
                }
                ("MULTI", Some(_)) => Resp::error("ERR MULTI calls can not be nested"),
                ("DISCARD", Some(_)) => {
                    queued = None;
                    Resp::ok()
                }
                ("EXEC", Some(_)) => {
                    let batch = queued.take().unwrap_or_default();
                    let replies = batch
                        .iter()
                        .map(|args| self.command(args, now_ms, &mut committed))
                        .collect();
                    Resp::Array(Some(replies))
                }
                ("EXEC" | "DISCARD", None) => Resp::error(format!("ERR {name} without MULTI")),
                (_, Some(queue)) => {
                    queue.push(args.clone());
                    Resp::Simple("QUEUED".into())
                }
                (_, None) => self.command(args, now_ms, &mut committed),
            };
            answers.push(reply.to_string());
            reply.encode(&mut out);
        }
        if out.len() > limits::MAX_RESP_REPLY_BYTES {
            let refusal = Resp::error(format!(
                "ERR the replies to this request exceed {} bytes",
                limits::MAX_RESP_REPLY_BYTES
            ));
            out.clear();
            for _ in &commands {
                refusal.encode(&mut out);
            }
            answers = vec![refusal.to_string()];
        }
        let request = commands
            .iter()
            .map(|args| {
                args.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("; ");
        let op = ServiceOp {
            request: summary(request),
            answer: summary(answers.join("; ")),
            committed,
        };
        (out, op)
    }

    fn refuse(&self, message: String) -> (Vec<u8>, ServiceOp) {
        let reply = Resp::error(message);
        let mut out = Vec::new();
        reply.encode(&mut out);
        let op = ServiceOp {
            request: "(unreadable request)".into(),
            answer: summary(reply.to_string()),
            committed: false,
        };
        (out, op)
    }

    /// One Redis command; sets `wrote` when it changed the data.
    fn command(&mut self, args: &[Vec<u8>], now_ms: u64, wrote: &mut bool) -> Resp {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        let rest = &args[1..];
        let arity = |ok: bool| {
            (!ok).then(|| {
                Resp::error(format!(
                    "ERR wrong number of arguments for '{}' command",
                    name.to_ascii_lowercase()
                ))
            })
        };
        if let Some(k) = rest.first()
            && k.len() > limits::MAX_STORE_KEY_BYTES
        {
            return Resp::error(format!(
                "ERR a key of {} bytes; at most {}",
                k.len(),
                limits::MAX_STORE_KEY_BYTES
            ));
        }
        match name.as_str() {
            "PING" => match rest {
                [] => Resp::Simple("PONG".into()),
                [m] => Resp::bulk(m.clone()),
                _ => arity(false).expect("an arity error"),
            },
            "ECHO" => arity(rest.len() == 1).unwrap_or_else(|| Resp::bulk(rest[0].clone())),
            "SELECT" => arity(rest.len() == 1).unwrap_or_else(|| {
                if rest[0] == b"0" {
                    Resp::ok()
                } else {
                    Resp::error("ERR DB index is out of range")
                }
            }),
            "GET" => arity(rest.len() == 1).unwrap_or_else(|| {
                Resp::Bulk(self.live(&rest[0], now_ms).map(|s| s.value.clone()))
            }),
            "SET" => arity(rest.len() >= 2).unwrap_or_else(|| self.set(rest, now_ms, wrote)),
            "DEL" => arity(!rest.is_empty()).unwrap_or_else(|| {
                let mut n = 0;
                for k in rest {
                    if self.live(k, now_ms).is_some() {
                        self.kv.remove(k.as_slice());
                        n += 1;
                    }
                }
                *wrote |= n > 0;
                Resp::Integer(n)
            }),
            "DELEX" => arity(rest.len() == 1 || rest.len() == 3)
                .unwrap_or_else(|| self.delex(rest, now_ms, wrote)),
            "EXISTS" => arity(!rest.is_empty()).unwrap_or_else(|| {
                Resp::Integer(
                    rest.iter()
                        .filter(|k| self.live(k, now_ms).is_some())
                        .count() as i64,
                )
            }),
            "EXPIRE" | "PEXPIRE" => arity(rest.len() == 2).unwrap_or_else(|| {
                let Some(n) = number(&rest[1]) else {
                    return not_an_integer();
                };
                let unit = if name == "EXPIRE" { 1_000 } else { 1 };
                let at = expiry_at(now_ms, n, unit);
                match self.live(&rest[0], now_ms) {
                    Some(stored) => {
                        stored.expires_at_ms = Some(at);
                        *wrote = true;
                        Resp::Integer(1)
                    }
                    None => Resp::Integer(0),
                }
            }),
            "TTL" | "PTTL" => arity(rest.len() == 1).unwrap_or_else(|| {
                let unit = if name == "TTL" { 1_000 } else { 1 };
                match self.live(&rest[0], now_ms) {
                    None => Resp::Integer(-2),
                    Some(Stored {
                        expires_at_ms: None,
                        ..
                    }) => Resp::Integer(-1),
                    Some(Stored {
                        expires_at_ms: Some(t),
                        ..
                    }) => Resp::Integer(((*t - now_ms) / unit) as i64),
                }
            }),
            "INCR" | "DECR" | "INCRBY" | "DECRBY" => {
                let by_arg = name.ends_with("BY");
                arity(rest.len() == if by_arg { 2 } else { 1 }).unwrap_or_else(|| {
                    let by = if by_arg { number(&rest[1]) } else { Some(1) };
                    let Some(by) = by else {
                        return not_an_integer();
                    };
                    let by = if name.starts_with("DECR") {
                        by.checked_neg()
                    } else {
                        Some(by)
                    };
                    self.incr(&rest[0], by, now_ms, wrote)
                })
            }
            _ => Resp::error(format!(
                "ERR unknown command '{}'",
                crate::text::truncate(&name.to_ascii_lowercase(), 32)
            )),
        }
    }

    fn set(&mut self, rest: &[Vec<u8>], now_ms: u64, wrote: &mut bool) -> Resp {
        let (key, value) = (&rest[0], &rest[1]);
        if value.len() > limits::MAX_STORE_VALUE_BYTES {
            return Resp::error(format!(
                "ERR a value of {} bytes; at most {}",
                value.len(),
                limits::MAX_STORE_VALUE_BYTES
            ));
        }
        enum When {
            Always,
            Absent,
            Present,
            Equal(Vec<u8>),
            NotEqual(Vec<u8>),
        }
        let mut when = When::Always;
        let mut get = false;
        let mut expiry: Option<Option<u64>> = None;
        let mut keep_ttl = false;
        let mut i = 2;
        while i < rest.len() {
            let word = String::from_utf8_lossy(&rest[i]).to_ascii_uppercase();
            let arg = rest.get(i + 1);
            match (word.as_str(), arg) {
                ("NX", _) => when = When::Absent,
                ("XX", _) => when = When::Present,
                ("GET", _) => get = true,
                ("KEEPTTL", _) => keep_ttl = true,
                ("IFEQ", Some(v)) => {
                    when = When::Equal(v.clone());
                    i += 1;
                }
                ("IFNE", Some(v)) => {
                    when = When::NotEqual(v.clone());
                    i += 1;
                }
                ("EX" | "PX" | "EXAT" | "PXAT", Some(v)) => {
                    let Some(n) = number(v).filter(|&n| n > 0) else {
                        return Resp::error("ERR invalid expire time in 'set' command");
                    };
                    expiry = Some(Some(match word.as_str() {
                        "EX" => expiry_at(now_ms, n, 1_000),
                        "PX" => expiry_at(now_ms, n, 1),
                        "EXAT" => (n as u64)
                            .saturating_mul(1_000)
                            .saturating_sub(crate::vocab::EPOCH_MS),
                        _ => (n as u64).saturating_sub(crate::vocab::EPOCH_MS),
                    }));
                    i += 1;
                }
                _ => return Resp::error("ERR syntax error"),
            }
            i += 1;
        }
        let current = self.live(key, now_ms).cloned();
        let go = match &when {
            When::Always => true,
            When::Absent => current.is_none(),
            When::Present => current.is_some(),
            When::Equal(v) => current.as_ref().is_some_and(|c| &c.value == v),
            When::NotEqual(v) => current.as_ref().is_none_or(|c| &c.value != v),
        };
        let previous = || Resp::Bulk(current.as_ref().map(|c| c.value.clone()));
        if !go {
            return if get { previous() } else { Resp::nil() };
        }
        if current.is_none() && !self.has_room(now_ms) {
            return Resp::error("OOM command not allowed when used memory > 'maxmemory'.");
        }
        let expires_at_ms = match (expiry, keep_ttl) {
            (Some(at), _) => at,
            (None, true) => current.as_ref().and_then(|c| c.expires_at_ms),
            (None, false) => None,
        };
        self.kv.insert(
            key.clone(),
            Stored {
                value: value.clone(),
                expires_at_ms,
                writer: self.writer,
            },
        );
        *wrote = true;
        if get { previous() } else { Resp::ok() }
    }

    fn delex(&mut self, rest: &[Vec<u8>], now_ms: u64, wrote: &mut bool) -> Resp {
        let Some(current) = self.live(&rest[0], now_ms).map(|s| s.value.clone()) else {
            return Resp::Integer(0);
        };
        let go = match rest
            .get(1)
            .map(|w| String::from_utf8_lossy(w).to_ascii_uppercase())
        {
            None => true,
            Some(w) if w == "IFEQ" => current == rest[2],
            Some(w) if w == "IFNE" => current != rest[2],
            Some(_) => return Resp::error("ERR syntax error"),
        };
        if go {
            self.kv.remove(rest[0].as_slice());
            *wrote = true;
        }
        Resp::Integer(i64::from(go))
    }

    fn incr(&mut self, key: &[u8], by: Option<i64>, now_ms: u64, wrote: &mut bool) -> Resp {
        let Some(by) = by else {
            return not_an_integer();
        };
        let current = match self.live(key, now_ms) {
            None => None,
            Some(s) => match std::str::from_utf8(&s.value)
                .ok()
                .and_then(|t| t.parse::<i64>().ok())
            {
                Some(n) => Some((n, s.expires_at_ms)),
                None => return not_an_integer(),
            },
        };
        if current.is_none() && !self.has_room(now_ms) {
            return Resp::error("OOM command not allowed when used memory > 'maxmemory'.");
        }
        let (n, expires_at_ms) = current.unwrap_or((0, None));
        let Some(next) = n.checked_add(by) else {
            return Resp::error("ERR increment or decrement would overflow");
        };
        self.kv.insert(
            key.to_vec(),
            Stored {
                value: next.to_string().into_bytes(),
                expires_at_ms,
                writer: self.writer,
            },
        );
        *wrote = true;
        Resp::Integer(next)
    }

    /// Runs a ledger batch, all or nothing. The entries it committed come
    /// back filed under `tag` and `key`.
    pub fn run_batch(
        &mut self,
        batch: &WireBatch,
        tag: Tag,
        key: Option<Key>,
        now_ms: u64,
        account_name: &dyn Fn(crate::scenario::AccountIx) -> String,
    ) -> (BatchOutcome, Vec<LedgerEntry>, ServiceOp) {
        let mut written: BTreeMap<&str, Option<&str>> = BTreeMap::new();
        let mut deltas: Vec<(crate::scenario::AccountIx, i64)> = Vec::new();
        let mut reads = Vec::new();
        let stopped = batch.ops.iter().enumerate().find_map(|(at, op)| {
            if batch.ops.len() > limits::MAX_BATCH_OPS {
                return Some((0, Stop::TooLarge));
            }
            self.batch_op(op, &mut written, &mut deltas, &mut reads)
                .or_else(|| {
                    let read_bytes: usize = reads
                        .iter()
                        .map(|r| match r {
                            Read::Record(Some(v)) => v.len(),
                            _ => 8,
                        })
                        .sum();
                    (read_bytes > limits::MAX_BATCH_READ_BYTES).then_some(Stop::TooLarge)
                })
                .map(|stop| (at, stop))
        });
        let request = summary(
            batch
                .ops
                .iter()
                .map(|op| describe_op(op, account_name))
                .collect::<Vec<_>>()
                .join("; "),
        );
        if let Some((at, stop)) = stopped {
            let answer = summary(format!(
                "stopped at operation {}: {}",
                at + 1,
                describe_stop(&stop)
            ));
            let op = ServiceOp {
                request,
                answer,
                committed: false,
            };
            return (BatchOutcome::Stopped { at, stop }, Vec::new(), op);
        }
        let changed = !written.is_empty() || !deltas.is_empty();
        for (k, v) in written {
            match v {
                Some(v) => {
                    self.kv.insert(
                        k.as_bytes().to_vec(),
                        Stored {
                            value: v.as_bytes().to_vec(),
                            expires_at_ms: None,
                            writer: Some(tag.transfer),
                        },
                    );
                }
                None => {
                    self.kv.remove(k.as_bytes());
                }
            }
        }
        let entries = self.commit_deltas(deltas, tag, key, now_ms);
        let op = ServiceOp {
            request,
            answer: "committed".into(),
            committed: changed,
        };
        (BatchOutcome::Committed { reads }, entries, op)
    }

    /// One operation of a batch on its staged writes; `Some` stops the batch.
    fn batch_op<'b>(
        &self,
        op: &'b WireOp,
        written: &mut BTreeMap<&'b str, Option<&'b str>>,
        deltas: &mut Vec<(crate::scenario::AccountIx, i64)>,
        reads: &mut Vec<Read>,
    ) -> Option<Stop> {
        let current = |written: &BTreeMap<&str, Option<&str>>, k: &str| -> Option<String> {
            match written.get(k) {
                Some(v) => v.map(String::from),
                None => self
                    .kv
                    .get(k.as_bytes())
                    .map(|s| String::from_utf8_lossy(&s.value).into_owned()),
            }
        };
        let balance = |deltas: &[(crate::scenario::AccountIx, i64)],
                       a: crate::scenario::AccountIx| {
            self.balances[a.0 as usize]
                + deltas
                    .iter()
                    .filter(|(x, _)| *x == a)
                    .map(|(_, d)| d)
                    .sum::<i64>()
        };
        match op {
            WireOp::Insert { key, value } => {
                if let Some(existing) = current(written, key) {
                    return Some(Stop::Exists { value: existing });
                }
                if self.kv.len() + written.len() >= limits::MAX_STORE_ENTRIES {
                    return Some(Stop::Full);
                }
                written.insert(key, Some(value));
            }
            WireOp::Put { key, value } => {
                if current(written, key).is_none()
                    && self.kv.len() + written.len() >= limits::MAX_STORE_ENTRIES
                {
                    return Some(Stop::Full);
                }
                written.insert(key, Some(value));
            }
            WireOp::Get { key } => reads.push(Read::Record(current(written, key))),
            WireOp::Update {
                key,
                expected,
                value,
            } => match current(written, key) {
                None => return Some(Stop::Missing),
                Some(v) if &v != expected => return Some(Stop::Changed { value: Some(v) }),
                Some(_) => {
                    written.insert(key, Some(value));
                }
            },
            WireOp::Expect { key, expected } => {
                let v = current(written, key);
                if v.as_deref() != expected.as_deref() {
                    return Some(Stop::Changed { value: v });
                }
            }
            WireOp::Delete { key } => {
                written.insert(key, None);
            }
            WireOp::Transfer { from, to, amount } => {
                let have = balance(deltas, *from);
                if have < *amount {
                    return Some(Stop::InsufficientFunds { balance: have });
                }
                deltas.push((*from, -amount));
                deltas.push((*to, *amount));
            }
            WireOp::Balance { account } => reads.push(Read::Balance(balance(deltas, *account))),
        }
        None
    }
}

fn describe_op(op: &WireOp, account_name: &dyn Fn(crate::scenario::AccountIx) -> String) -> String {
    match op {
        WireOp::Insert { key, value } => format!("insert {key} = {value}"),
        WireOp::Put { key, value } => format!("put {key} = {value}"),
        WireOp::Get { key } => format!("get {key}"),
        WireOp::Update {
            key,
            expected,
            value,
        } => format!("update {key} from {expected} to {value}"),
        WireOp::Expect { key, expected } => {
            format!(
                "expect {key} = {}",
                expected.as_deref().unwrap_or("(absent)")
            )
        }
        WireOp::Delete { key } => format!("delete {key}"),
        WireOp::Transfer { from, to, amount } => {
            format!(
                "transfer {amount} {} -> {}",
                account_name(*from),
                account_name(*to)
            )
        }
        WireOp::Balance { account } => format!("balance {}", account_name(*account)),
    }
}

fn describe_stop(stop: &Stop) -> String {
    match stop {
        Stop::Exists { value } => format!("the key exists, holding {value}"),
        Stop::Missing => "no such record".into(),
        Stop::Changed { value: Some(v) } => format!("the record holds {v}"),
        Stop::Changed { value: None } => "the record is absent".into(),
        Stop::InsufficientFunds { balance } => format!("insufficient funds (balance {balance})"),
        Stop::Full => "the ledger is full".into(),
        Stop::TooLarge => "the batch is too large".into(),
    }
}

fn number(bytes: &[u8]) -> Option<i64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

fn not_an_integer() -> Resp {
    Resp::error("ERR value is not an integer or out of range")
}

/// When something set to expire `n` units (of `unit_ms`) from `now_ms` does.
fn expiry_at(now_ms: u64, n: i64, unit_ms: u64) -> u64 {
    if n <= 0 {
        return now_ms;
    }
    now_ms.saturating_add((n as u64).saturating_mul(unit_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(db: &mut StoreDb, args: &[&str], now_ms: u64) -> Resp {
        let (bytes, _) = db.run_resp(&resp::encode_command(args), now_ms, None);
        resp::parse_all(&bytes).unwrap().remove(0)
    }

    #[test]
    fn redis_commands_behave_as_redis_does() {
        let mut db = StoreDb::default();
        assert_eq!(
            run(&mut db, &["SET", "k", "a", "NX", "PX", "100"], 0),
            Resp::ok()
        );
        assert_eq!(run(&mut db, &["SET", "k", "b", "NX"], 10), Resp::nil());
        assert_eq!(run(&mut db, &["GET", "k"], 10), Resp::bulk("a"));
        assert_eq!(run(&mut db, &["PTTL", "k"], 40), Resp::Integer(60));
        assert_eq!(run(&mut db, &["GET", "k"], 100), Resp::nil());
        assert_eq!(run(&mut db, &["SET", "k", "c"], 100), Resp::ok());
        assert_eq!(run(&mut db, &["PTTL", "k"], 100), Resp::Integer(-1));
        assert_eq!(
            run(&mut db, &["SET", "k", "d", "IFEQ", "x"], 100),
            Resp::nil()
        );
        assert_eq!(
            run(&mut db, &["SET", "k", "d", "IFEQ", "c", "GET"], 100),
            Resp::bulk("c")
        );
        assert_eq!(
            run(&mut db, &["DELEX", "k", "IFEQ", "c"], 100),
            Resp::Integer(0)
        );
        assert_eq!(
            run(&mut db, &["DELEX", "k", "IFEQ", "d"], 100),
            Resp::Integer(1)
        );
        assert_eq!(run(&mut db, &["EXISTS", "k"], 100), Resp::Integer(0));
        assert_eq!(run(&mut db, &["INCR", "n"], 0), Resp::Integer(1));
        assert_eq!(run(&mut db, &["INCRBY", "n", "41"], 0), Resp::Integer(42));
        assert!(matches!(
            run(&mut db, &["EVAL", "x", "0"], 0),
            Resp::Error(_)
        ));
        assert!(matches!(run(&mut db, &["GET"], 0), Resp::Error(_)));
        let pipeline = [
            resp::encode_command(&["MULTI"]),
            resp::encode_command(&["SET", "a", "1"]),
            resp::encode_command(&["INCR", "a"]),
            resp::encode_command(&["EXEC"]),
        ]
        .concat();
        let (bytes, op) = db.run_resp(&pipeline, 0, None);
        let replies = resp::parse_all(&bytes).unwrap();
        assert_eq!(
            replies.last(),
            Some(&Resp::Array(Some(vec![Resp::ok(), Resp::Integer(2)])))
        );
        assert!(op.committed);
    }

    #[test]
    fn what_a_service_may_store_or_read_is_bounded() {
        let mut db = StoreDb::default();
        let big = "x".repeat(limits::MAX_STORE_VALUE_BYTES + 1);
        assert!(matches!(
            run(&mut db, &["SET", "k", &big], 0),
            Resp::Error(_)
        ));
        let value = "v".repeat(limits::MAX_STORE_VALUE_BYTES);
        let gets: Vec<u8> = (0..8)
            .flat_map(|i| {
                run(&mut db, &["SET", &format!("k{i}"), &value], 0);
                resp::encode_command(&["GET", &format!("k{i}")])
            })
            .collect();
        let (bytes, _) = db.run_resp(&gets, 0, None);
        let replies = resp::parse_all(&bytes).unwrap();
        assert_eq!(replies.len(), 8, "one reply per command");
        assert!(
            replies.iter().all(|r| matches!(r, Resp::Error(_))),
            "too large to send"
        );
        let reads = WireBatch {
            ops: (0..8)
                .map(|i| WireOp::Get {
                    key: format!("r{i}"),
                })
                .chain((0..8).map(|i| WireOp::Put {
                    key: format!("r{i}"),
                    value: value.clone(),
                }))
                .chain((0..8).map(|i| WireOp::Get {
                    key: format!("r{i}"),
                }))
                .collect(),
        };
        let name = |_| String::new();
        let tag = Tag::transfer(crate::scenario::TransferIx(0), 1);
        let (outcome, _, _) = db.run_batch(&reads, tag, None, 0, &name);
        assert!(
            matches!(
                outcome,
                BatchOutcome::Stopped {
                    stop: Stop::TooLarge,
                    ..
                }
            ),
            "{outcome:?}"
        );
        assert!(
            db.kv.keys().all(|k| !k.starts_with(b"r")),
            "a stopped batch keeps nothing"
        );
    }
}
