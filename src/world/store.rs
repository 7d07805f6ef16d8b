//! The two databases, `keys` (a key-value store with TTL) and `ledger` (balances,
//! entries, and, in some designs, idempotency records), and the host that serves
//! their transactions.
//!
//! Both run the same engine: a transaction is a list of design steps executed
//! against a staged copy of what it touches and committed only if it runs to the
//! end. A step that answers the client (`reply …`, `replay`) stops the
//! transaction and writes nothing. The state is durable: it lives in
//! [`super::Shared`], not in the host's future, so a crash loses none of it.

use super::{Busy, Shared};
use crate::design::{Action, LoadKey, Step, StoreName};
use crate::history::What;
use crate::wire::{
    Body, Envelope, HttpResponse, MAX_DATAGRAM_BYTES, PORT, Program, Tag, TxnContext, TxnOutcome,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use turmoil::net::UdpSocket;

/// The life of an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum KeyState {
    /// Issued by the server, not used yet.
    Issued,
    /// Claimed by the request holding `token` since `locked_at_ms`.
    InProgress { token: String, locked_at_ms: u64 },
    /// Finished; `response` is kept when the design stores it for replay.
    Done { response: Option<HttpResponse> },
}

/// One idempotency record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    pub state: KeyState,
    /// The payload fingerprint of the request that claimed the key.
    pub fingerprint: Option<String>,
    /// When the record disappears; `None`: never.
    pub expires_at_ms: Option<u64>,
}

/// A movement of money, tagged with the intent it served (ghost data for the checker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub at_ms: u64,
    pub transfer: String,
    pub attempt: u32,
    pub transfer_id: u64,
    pub key: Option<String>,
    pub account: String,
    pub delta: i64,
}

/// One database's durable state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreDb {
    pub records: BTreeMap<String, KeyRecord>,
    pub balances: BTreeMap<String, i64>,
    pub entries: Vec<LedgerEntry>,
    next_transfer_id: u64,
}

/// What a transaction has written so far; applied only on commit.
struct Staged {
    record: Option<Option<KeyRecord>>,
    deltas: Vec<(String, i64)>,
    transfer_id: Option<u64>,
}

impl StoreDb {
    pub fn with_balances(accounts: &[(String, i64)]) -> StoreDb {
        StoreDb {
            balances: accounts.iter().cloned().collect(),
            ..StoreDb::default()
        }
    }

    /// The state of `key`'s record as a name: `absent`, `issued`, `in-progress`,
    /// `done`, or `expired` (a record whose TTL has run out reads as absent to
    /// the design, but the timeline says why).
    pub fn state_name(&self, key: &str, now_ms: u64) -> &'static str {
        match self.records.get(key) {
            None => "absent",
            Some(r) if r.expires_at_ms.is_some_and(|t| now_ms >= t) => "expired",
            Some(r) => match r.state {
                KeyState::Issued => "issued",
                KeyState::InProgress { .. } => "in-progress",
                KeyState::Done { .. } => "done",
            },
        }
    }

    /// The live record for `key` at `now_ms` (an expired record reads as absent).
    pub fn live_record(&self, key: &str, now_ms: u64) -> Option<&KeyRecord> {
        self.records
            .get(key)
            .filter(|r| r.expires_at_ms.is_none_or(|t| now_ms < t))
    }

    /// Runs one transaction atomically. Returns its outcome and, for the
    /// timeline, the entries it committed.
    pub fn execute(
        &mut self,
        program: &Program,
        ctx: &TxnContext,
        tag: &Tag,
        now_ms: u64,
    ) -> (TxnOutcome, Vec<LedgerEntry>) {
        let steps = match program {
            Program::IssueKey => {
                let key = ctx
                    .record_key
                    .clone()
                    .expect("an issued key is named by the API");
                let record = KeyRecord {
                    state: KeyState::Issued,
                    fingerprint: None,
                    expires_at_ms: ctx.key_ttl_ms.map(|ttl| now_ms + ttl),
                };
                self.records.insert(key, record);
                return (TxnOutcome::Continue { transfer_id: None }, Vec::new());
            }
            Program::Steps { steps, .. } => steps,
        };
        let mut staged = Staged {
            record: None,
            deltas: Vec::new(),
            transfer_id: ctx.transfer_id,
        };
        for step in steps {
            match self.run_step(step, ctx, &mut staged, now_ms) {
                None => {}
                Some(Stop::Reply(reply)) => return (TxnOutcome::Reply(reply), Vec::new()),
                Some(Stop::Wait) => return (TxnOutcome::Wait, Vec::new()),
                Some(Stop::Save(reply)) => {
                    self.save_error(ctx, &reply, now_ms);
                    return (TxnOutcome::Reply(reply), Vec::new());
                }
            }
        }
        let entries = self.commit(staged, ctx, tag, now_ms);
        let transfer_id = entries.first().map(|e| e.transfer_id).or(ctx.transfer_id);
        (TxnOutcome::Continue { transfer_id }, entries)
    }

    /// A `save` action: the transaction's other writes are dropped, and the
    /// key record alone is committed, done, with the error answer stored.
    fn save_error(&mut self, ctx: &TxnContext, reply: &HttpResponse, now_ms: u64) {
        let Some(key) = &ctx.record_key else { return };
        let previous = self.live_record(key, now_ms).cloned();
        let record = KeyRecord {
            state: KeyState::Done {
                response: Some(reply.clone()),
            },
            fingerprint: ctx.body.as_ref().map(|b| b.fingerprint()),
            expires_at_ms: previous
                .and_then(|p| p.expires_at_ms)
                .or(ctx.key_ttl_ms.map(|ttl| now_ms + ttl)),
        };
        self.records.insert(key.clone(), record);
    }

    /// The record as this transaction sees it: staged if written, else stored.
    fn current(&self, staged: &Staged, ctx: &TxnContext, now_ms: u64) -> Option<KeyRecord> {
        match &staged.record {
            Some(r) => r.clone(),
            None => ctx
                .record_key
                .as_deref()
                .and_then(|k| self.live_record(k, now_ms))
                .cloned(),
        }
    }

    /// Runs one step; `Some(stop)` ends the transaction early.
    fn run_step(
        &mut self,
        step: &Step,
        ctx: &TxnContext,
        staged: &mut Staged,
        now_ms: u64,
    ) -> Option<Stop> {
        if step.is_key_op() && ctx.record_key.is_none() {
            return Some(Stop::Reply(HttpResponse::error(400, "missing_key")));
        }
        let current = self.current(staged, ctx, now_ms);
        let body = ctx
            .body
            .as_ref()
            .expect("transfer transactions carry the transfer");
        match step {
            Step::LoadKey(load) => return branch(load, current.as_ref(), ctx, now_ms),
            Step::ClaimKey => {
                staged.record = Some(Some(KeyRecord {
                    state: KeyState::InProgress {
                        token: ctx.claim_token.clone(),
                        locked_at_ms: now_ms,
                    },
                    fingerprint: Some(body.fingerprint()),
                    expires_at_ms: ctx.key_ttl_ms.map(|ttl| now_ms + ttl),
                }));
            }
            Step::CheckClaim => {
                let holds = matches!(&current, Some(KeyRecord { state: KeyState::InProgress { token, .. }, .. }) if *token == ctx.claim_token);
                if !holds {
                    return Some(Stop::Reply(HttpResponse::error(409, "key_in_use")));
                }
            }
            Step::Debit { insufficient } => {
                let staged_delta: i64 = staged
                    .deltas
                    .iter()
                    .filter(|(account, _)| *account == body.from)
                    .map(|(_, delta)| delta)
                    .sum();
                let balance = self.balances.get(&body.from).copied().unwrap_or(0) + staged_delta;
                if balance < body.amount {
                    return act(insufficient, current.as_ref());
                }
                self.stage_money(staged, &body.from, -body.amount);
            }
            Step::Credit => self.stage_money(staged, &body.to, body.amount),
            Step::SaveResponse | Step::MarkDone => {
                let response = (*step == Step::SaveResponse)
                    .then(|| HttpResponse::created(staged.transfer_id));
                let base = current.unwrap_or(KeyRecord {
                    state: KeyState::Issued,
                    fingerprint: Some(body.fingerprint()),
                    expires_at_ms: ctx.key_ttl_ms.map(|ttl| now_ms + ttl),
                });
                staged.record = Some(Some(KeyRecord {
                    state: KeyState::Done { response },
                    ..base
                }));
            }
            Step::DeleteKey => staged.record = Some(None),
        }
        None
    }

    /// Stages a balance change; the first one assigns the transfer its ledger id
    /// (like a database sequence, an id is used up even if the transaction stops).
    fn stage_money(&mut self, staged: &mut Staged, account: &str, delta: i64) {
        if staged.transfer_id.is_none() {
            self.next_transfer_id += 1;
            staged.transfer_id = Some(self.next_transfer_id);
        }
        staged.deltas.push((account.to_string(), delta));
    }

    fn commit(
        &mut self,
        staged: Staged,
        ctx: &TxnContext,
        tag: &Tag,
        now_ms: u64,
    ) -> Vec<LedgerEntry> {
        if let (Some(record), Some(key)) = (staged.record, &ctx.record_key) {
            match record {
                Some(r) => self.records.insert(key.clone(), r),
                None => self.records.remove(key),
            };
        }
        let mut entries = Vec::new();
        for (account, delta) in staged.deltas {
            let balance = self
                .balances
                .get_mut(&account)
                .expect("accounts were validated");
            *balance += delta;
            let entry = LedgerEntry {
                at_ms: now_ms,
                transfer: tag.transfer.clone(),
                attempt: tag.attempt,
                transfer_id: staged
                    .transfer_id
                    .expect("a money step assigns a transfer id"),
                key: ctx.key.clone(),
                account,
                delta,
            };
            self.entries.push(entry.clone());
            entries.push(entry);
        }
        entries
    }
}

/// How a transaction ends early.
enum Stop {
    /// Answer; write nothing.
    Reply(HttpResponse),
    /// Answer, and store the answer in the key record for replay.
    Save(HttpResponse),
    /// Run the transaction again later.
    Wait,
}

/// What a `load-key` step decides for the record it found.
fn branch(
    load: &LoadKey,
    record: Option<&KeyRecord>,
    ctx: &TxnContext,
    now_ms: u64,
) -> Option<Stop> {
    let Some(record) = record else {
        return act(&load.absent, None);
    };
    let fingerprint = ctx.body.as_ref().map(|b| b.fingerprint());
    if let (Some(mismatch), Some(stored)) = (&load.mismatch, &record.fingerprint)
        && fingerprint.as_ref() != Some(stored)
    {
        return act(mismatch, Some(record));
    }
    let action = match &record.state {
        KeyState::Issued => &load.issued,
        KeyState::InProgress { locked_at_ms, .. } => {
            let stale = ctx
                .lock_ms
                .is_some_and(|lock| now_ms.saturating_sub(*locked_at_ms) >= lock);
            if stale {
                &load.stale
            } else {
                &load.in_progress
            }
        }
        KeyState::Done { .. } => &load.done,
    };
    act(action, Some(record))
}

fn act(action: &Action, record: Option<&KeyRecord>) -> Option<Stop> {
    match action {
        Action::Continue => None,
        Action::Replay => Some(Stop::Reply(match record.map(|r| &r.state) {
            Some(KeyState::Done {
                response: Some(stored),
            }) => HttpResponse {
                replayed: true,
                ..stored.clone()
            },
            // Nothing stored to replay (the key is absent, in progress or done
            // without a response): the design asked for the impossible.
            _ => HttpResponse::error(500, "nothing_to_replay"),
        })),
        Action::Reply { status, code } => Some(Stop::Reply(HttpResponse::error(*status, code))),
        Action::Save { status, code } => Some(Stop::Save(HttpResponse::error(*status, code))),
        Action::Wait => Some(Stop::Wait),
    }
}

/// The `keys` or `ledger` host: serve transactions until crashed.
pub async fn store_main(shared: Rc<Shared>, which: StoreName) -> turmoil::Result {
    let socket = Rc::new(UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?);
    let work_ms = match which {
        StoreName::Keys => shared.scenario.stores.keys_work_ms,
        StoreName::Ledger => shared.scenario.stores.ledger_work_ms,
    };
    let mut buf = vec![0u8; MAX_DATAGRAM_BYTES];
    loop {
        let (len, from) = socket.recv_from(&mut buf).await?;
        let Some(envelope) = Envelope::decode(&buf[..len]) else {
            continue;
        };
        if work_ms == 0 {
            serve(&shared, which, &socket, envelope, from).await;
            continue;
        }
        // A slow store works on each transaction for `work_ms`, several at once;
        // each commits atomically when its work is done.
        let busy = Busy::new(&shared);
        let (shared, socket) = (shared.clone(), socket.clone());
        tokio::task::spawn_local(async move {
            let _busy = busy;
            shared.clock.sleep(work_ms).await;
            serve(&shared, which, &socket, envelope, from).await;
        });
    }
}

/// Runs one transaction and answers it.
async fn serve(
    shared: &Shared,
    which: StoreName,
    socket: &UdpSocket,
    envelope: Envelope,
    from: SocketAddr,
) {
    let Body::Txn { program, context } = &envelope.body else {
        return;
    };
    let now_ms = shared.now_ms();
    let db = match which {
        StoreName::Keys => &shared.keys_db,
        StoreName::Ledger => &shared.ledger_db,
    };
    let key = context.record_key.as_deref();
    let before = key.map(|k| db.borrow().state_name(k, now_ms));
    let (outcome, entries) = db
        .borrow_mut()
        .execute(program, context, &envelope.tag, now_ms);
    record_txn(shared, which, program, &envelope.tag, &outcome, entries);
    if let (Some(key), Some(from)) = (key, before) {
        let to = db.borrow().state_name(key, now_ms);
        if from != to {
            shared.record(
                which.host(),
                What::KeyState {
                    store: which.host().to_string(),
                    key: key.to_string(),
                    from: from.to_string(),
                    to: to.to_string(),
                },
            );
        }
    }
    let reply = Envelope {
        id: shared.next_message_id(),
        reply_to: Some(envelope.id),
        tag: envelope.tag.clone(),
        point: crate::wire::point::answer(&envelope.point),
        body: Body::TxnResult(outcome),
    };
    let _ = shared.send(socket, which.host(), &reply, from).await;
}

fn record_txn(
    shared: &Shared,
    which: StoreName,
    program: &Program,
    tag: &Tag,
    outcome: &TxnOutcome,
    entries: Vec<LedgerEntry>,
) {
    let host = which.host();
    let transaction = match program {
        Program::IssueKey => "issue-key".to_string(),
        Program::Steps { name, .. } => name.clone(),
    };
    let result = match outcome {
        TxnOutcome::Continue { .. } => "committed".to_string(),
        TxnOutcome::Reply(r) => format!("stopped: {}", r.describe()),
        TxnOutcome::Wait => "stopped: key in use, the API will wait".to_string(),
    };
    shared.record(
        host,
        What::Txn {
            store: host.to_string(),
            transaction,
            transfer: tag.transfer.clone(),
            attempt: tag.attempt,
            result,
        },
    );
    for e in entries {
        shared.record(
            host,
            What::LedgerEntry {
                transfer: e.transfer,
                attempt: e.attempt,
                transfer_id: e.transfer_id,
                key: e.key,
                account: e.account,
                delta: e.delta,
            },
        );
    }
}
