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
use crate::design::{Action, Answer, Design, LoadKey, Step, StoreName};
use crate::history::{Host, KeyPhase, TxnResult, What};
use crate::scenario::{AccountIx, Scenario};
use crate::vocab::wire::{
    Body, Call, ClaimToken, Code, DesignCall, Envelope, Key, MAX_DATAGRAM_BYTES, PORT, RecordKey,
    Response, ServiceCall, Tag, TxnContext, TxnOutcome,
};
pub use crate::vocab::{KeyRecord, KeyState, LedgerEntry};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use turmoil::net::UdpSocket;

impl KeyRecord {
    fn phase(&self, now_ms: u64) -> KeyPhase {
        if self.expires_at_ms.is_some_and(|t| now_ms >= t) {
            return KeyPhase::Expired;
        }
        match self.state {
            KeyState::Issued => KeyPhase::Issued,
            KeyState::InProgress { .. } => KeyPhase::InProgress,
            KeyState::Done { .. } => KeyPhase::Done,
        }
    }
}

/// A key a completer picks up: in progress for too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abandoned {
    pub key: RecordKey,
    /// The payload the claim recorded.
    pub body: Option<crate::vocab::wire::TransferBody>,
    /// The attempt that claimed it.
    pub by: Tag,
    pub locked_at_ms: u64,
}

/// One database's durable state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StoreDb {
    pub records: BTreeMap<RecordKey, KeyRecord>,
    /// By account index.
    pub balances: Vec<i64>,
    pub entries: Vec<LedgerEntry>,
    next_transfer_id: u64,
    /// What a service stored: Redis values in the key store, records in the ledger.
    pub kv: BTreeMap<Vec<u8>, super::service_store::Stored>,
    /// The transfer the service's call being run serves (see
    /// [`super::service_store::Stored::writer`]).
    pub writer: Option<crate::scenario::TransferIx>,
}

/// What a transaction has written so far; applied only on commit.
struct Staged<'a> {
    record: Option<Option<KeyRecord>>,
    deltas: Vec<(AccountIx, i64)>,
    transfer_id: Option<u64>,
    /// Reversals a `refund` staged: ledger transfer id, account, change.
    refunds: Vec<(u64, AccountIx, i64)>,
    /// The answer the API is about to send, for a cleanup's `save-answer`.
    answer: Option<&'a Response>,
    /// Where `record` is written, when not at the request's own key (the
    /// processor files a charge under the key the API gave it).
    record_at: Option<RecordKey>,
}

/// How a transaction ends early.
enum Stop {
    /// Answer; write nothing.
    Reply(Response),
    /// Answer, and store the answer in the key record for replay.
    Save(Response),
    /// Run the transaction again later.
    Wait,
}

impl StoreDb {
    pub fn with_balances(scenario: &Scenario) -> StoreDb {
        StoreDb {
            balances: scenario.accounts.iter().map(|a| a.balance).collect(),
            ..StoreDb::default()
        }
    }

    /// The state of `key`'s record (a record whose TTL has run out reads as
    /// absent to the design, but is named `expired` so the timeline says why).
    pub fn phase(&self, key: &RecordKey, now_ms: u64) -> KeyPhase {
        self.records
            .get(key)
            .map_or(KeyPhase::Absent, |r| r.phase(now_ms))
    }

    /// The live record for `key` at `now_ms` (an expired record reads as absent).
    pub fn live_record(&self, key: &RecordKey, now_ms: u64) -> Option<&KeyRecord> {
        self.records
            .get(key)
            .filter(|r| r.expires_at_ms.is_none_or(|t| now_ms < t))
    }

    /// Everything a store held in memory, lost in a crash.
    pub fn forget_everything(&mut self) {
        self.records.clear();
        self.kv.clear();
    }

    /// Keys in progress for at least `after_ms` at `now_ms`, for a completer:
    /// each with its payload and the attempt that claimed it, in key order.
    pub fn abandoned(&self, now_ms: u64, after_ms: u64) -> Vec<Abandoned> {
        self.records
            .iter()
            .filter(|(_, r)| r.expires_at_ms.is_none_or(|t| now_ms < t))
            .filter_map(|(key, r)| match r.state {
                KeyState::InProgress {
                    locked_at_ms, by, ..
                } if now_ms.saturating_sub(locked_at_ms) >= after_ms => Some(Abandoned {
                    key: *key,
                    body: r.fingerprint,
                    by,
                    locked_at_ms,
                }),
                _ => None,
            })
            .collect()
    }

    /// When the last claim still in progress at `now_ms` was taken, if any
    /// is: a completer may yet take it up.
    pub fn latest_claim_ms(&self, now_ms: u64) -> Option<u64> {
        self.records
            .values()
            .filter(|r| r.expires_at_ms.is_none_or(|t| now_ms < t))
            .filter_map(|r| match r.state {
                KeyState::InProgress { locked_at_ms, .. } => Some(locked_at_ms),
                _ => None,
            })
            .max()
    }

    /// Evicts records, closest to expiry first (ties by key), until at most
    /// `max_records` remain; returns the keys evicted.
    pub fn evict_over(&mut self, max_records: u32) -> Vec<RecordKey> {
        let excess = self.records.len().saturating_sub(max_records as usize);
        if excess == 0 {
            return Vec::new();
        }
        let mut by_expiry: Vec<(u64, RecordKey)> = self
            .records
            .iter()
            .map(|(k, r)| (r.expires_at_ms.unwrap_or(u64::MAX), *k))
            .collect();
        by_expiry.sort();
        let doomed: Vec<RecordKey> = by_expiry.into_iter().take(excess).map(|(_, k)| k).collect();
        for k in &doomed {
            self.records.remove(k);
        }
        assert!(self.records.len() <= max_records as usize);
        doomed
    }

    /// Removes every record of `key` that has a time to live, whatever its
    /// scope (an `expire-key` fault: the TTL ran out early); returns the
    /// records removed. A record kept without a TTL never expires.
    pub fn expire(&mut self, key: Key) -> Vec<RecordKey> {
        let doomed: Vec<RecordKey> = self
            .records
            .iter()
            .filter(|(k, r)| k.key == key && r.expires_at_ms.is_some())
            .map(|(k, _)| *k)
            .collect();
        for k in &doomed {
            self.records.remove(k);
        }
        doomed
    }

    /// Runs one call atomically. Returns its outcome and the entries it committed.
    pub fn execute(
        &mut self,
        call: DesignCall,
        ctx: &TxnContext,
        tag: Tag,
        now_ms: u64,
        design: &Design,
        answer: Option<&Response>,
    ) -> (TxnOutcome, Vec<LedgerEntry>) {
        let steps = match call {
            DesignCall::IssueKey => {
                let key = ctx.record_key.expect("an issued key is named by the API");
                let record = KeyRecord {
                    state: KeyState::Issued,
                    // The purpose, when the design binds keys to one.
                    fingerprint: ctx.body,
                    expires_at_ms: design.key_ttl_ms.map(|ttl| now_ms + ttl),
                };
                self.records.insert(key, record);
                return (TxnOutcome::Continue { transfer_id: None }, Vec::new());
            }
            DesignCall::Txn(n) => &design.txn(n).steps,
        };
        let mut staged = Staged {
            record: None,
            deltas: Vec::new(),
            transfer_id: ctx.transfer_id,
            refunds: Vec::new(),
            answer,
            record_at: None,
        };
        for step in steps {
            match self.run_step(step, ctx, tag, &mut staged, now_ms, design) {
                None => {}
                Some(Stop::Reply(reply)) => return (TxnOutcome::Reply(reply), Vec::new()),
                Some(Stop::Wait) => return (TxnOutcome::Wait, Vec::new()),
                Some(Stop::Save(reply)) => {
                    self.save_answer(ctx, &reply, now_ms, design);
                    return (TxnOutcome::Reply(reply), Vec::new());
                }
            }
        }
        // A charge the processor had made already names its transfer without new entries.
        let staged_transfer_id = staged.transfer_id;
        let entries = self.commit(staged, ctx, tag, now_ms);
        let transfer_id = entries
            .first()
            .map(|e| e.transfer_id)
            .or(staged_transfer_id);
        (TxnOutcome::Continue { transfer_id }, entries)
    }

    /// A `save` action: the transaction's other writes are dropped, and the
    /// key record alone is committed, done, with the answer stored.
    fn save_answer(&mut self, ctx: &TxnContext, reply: &Response, now_ms: u64, design: &Design) {
        let Some(key) = ctx.record_key else { return };
        let previous = self.live_record(&key, now_ms).cloned();
        let record = KeyRecord {
            state: KeyState::Done {
                response: Some(reply.clone()),
            },
            fingerprint: ctx.body,
            expires_at_ms: previous
                .and_then(|p| p.expires_at_ms)
                .or(design.key_ttl_ms.map(|ttl| now_ms + ttl)),
        };
        self.records.insert(key, record);
    }

    /// The record as this transaction sees it: staged if written, else stored.
    fn current(&self, staged: &Staged, ctx: &TxnContext, now_ms: u64) -> Option<KeyRecord> {
        match &staged.record {
            Some(r) => r.clone(),
            None => ctx
                .record_key
                .and_then(|k| self.live_record(&k, now_ms))
                .cloned(),
        }
    }

    /// Runs one step; `Some(stop)` ends the transaction early.
    #[allow(clippy::too_many_arguments)]
    fn run_step(
        &mut self,
        step: &Step,
        ctx: &TxnContext,
        tag: Tag,
        staged: &mut Staged,
        now_ms: u64,
        design: &Design,
    ) -> Option<Stop> {
        if step.is_key_op() && ctx.record_key.is_none() {
            return Some(Stop::Reply(Response::error(400, Code::MissingKey)));
        }
        let current = self.current(staged, ctx, now_ms);
        let body = ctx.body.expect("transfer transactions carry the transfer");
        match step {
            Step::LoadKey(load) => return branch(load, current.as_ref(), ctx, now_ms, design),
            Step::ClaimKey => {
                staged.record = Some(Some(KeyRecord {
                    state: KeyState::InProgress {
                        token: ctx.claim_token,
                        locked_at_ms: now_ms,
                        by: tag,
                    },
                    fingerprint: Some(body),
                    expires_at_ms: design.key_ttl_ms.map(|ttl| now_ms + ttl),
                }));
            }
            Step::CheckClaim => {
                if !claimed_by(current.as_ref(), ctx.claim_token) {
                    return Some(Stop::Reply(Response::error(409, Code::KeyInUse)));
                }
            }
            Step::Debit { insufficient } => {
                let staged_delta: i64 = staged
                    .deltas
                    .iter()
                    .filter(|(account, _)| *account == body.from)
                    .map(|(_, delta)| delta)
                    .sum();
                let balance = self.balances[body.from.0 as usize] + staged_delta;
                if balance < body.amount {
                    return act(insufficient, current.as_ref());
                }
                self.stage_money(staged, body.from, -body.amount);
            }
            Step::Credit => self.stage_money(staged, body.to, body.amount),
            Step::SaveResponse | Step::MarkDone => {
                let response =
                    (*step == Step::SaveResponse).then(|| Response::created(staged.transfer_id));
                let base = current.unwrap_or(KeyRecord {
                    state: KeyState::Issued,
                    fingerprint: Some(body),
                    expires_at_ms: design.key_ttl_ms.map(|ttl| now_ms + ttl),
                });
                staged.record = Some(Some(KeyRecord {
                    state: KeyState::Done { response },
                    ..base
                }));
            }
            Step::DeleteKey => staged.record = Some(None),
            Step::ReleaseClaim { check_owner } => {
                let owned = claimed_by(current.as_ref(), ctx.claim_token);
                if owned || (!check_owner && current.is_some()) {
                    staged.record = Some(None);
                }
            }
            Step::SaveAnswer => {
                let answer = staged
                    .answer
                    .expect("a cleanup is sent with the answer it may save")
                    .clone();
                staged.record = Some(Some(KeyRecord {
                    state: KeyState::Done {
                        response: Some(answer),
                    },
                    fingerprint: current.as_ref().and_then(|r| r.fingerprint).or(Some(body)),
                    expires_at_ms: current
                        .as_ref()
                        .and_then(|r| r.expires_at_ms)
                        .or(design.key_ttl_ms.map(|ttl| now_ms + ttl)),
                }));
            }
            Step::Refund => return self.stage_refund(staged, ctx),
            Step::Charge { insufficient } => {
                let processor_key = processor_key(design.processor_key, ctx);
                let earlier = processor_key.and_then(|k| self.live_record(&k, now_ms));
                if let Some(KeyRecord {
                    state:
                        KeyState::Done {
                            response: Some(charged),
                        },
                    ..
                }) = earlier
                {
                    // A charge the processor made already under this key: its result.
                    staged.transfer_id = charged.transfer_id;
                    return None;
                }
                if self.balances[body.from.0 as usize] < body.amount {
                    return act(insufficient, None);
                }
                self.stage_money(staged, body.from, -body.amount);
                self.stage_money(staged, body.to, body.amount);
                if let Some(k) = processor_key {
                    staged.record_at = Some(k);
                    staged.record = Some(Some(KeyRecord {
                        state: KeyState::Done {
                            response: Some(Response::created(staged.transfer_id)),
                        },
                        fingerprint: Some(body),
                        expires_at_ms: None,
                    }));
                }
            }
        }
        None
    }

    /// Stages the reversal of every ledger transfer made under this
    /// request's key or transfer id that is not reversed yet. Refused
    /// (`409 refund_failed`, nothing written) if a payee no longer has the money.
    fn stage_refund(&self, staged: &mut Staged, ctx: &TxnContext) -> Option<Stop> {
        let mine = |e: &LedgerEntry| {
            Some(e.transfer_id) == ctx.transfer_id || (ctx.key.is_some() && e.key == ctx.key)
        };
        let mut net: BTreeMap<(u64, AccountIx), i64> = BTreeMap::new();
        for e in self.entries.iter().filter(|e| mine(e)) {
            *net.entry((e.transfer_id, e.account)).or_default() += e.delta;
        }
        let mut change: BTreeMap<AccountIx, i64> = BTreeMap::new();
        for (&(transfer_id, account), &delta) in net.iter().filter(|(_, d)| **d != 0) {
            staged.refunds.push((transfer_id, account, -delta));
            *change.entry(account).or_default() -= delta;
        }
        let overdrawn = change
            .iter()
            .any(|(account, delta)| self.balances[account.0 as usize] + delta < 0);
        if overdrawn {
            staged.refunds.clear();
            return Some(Stop::Reply(Response::error(
                409,
                Code::parse("refund_failed"),
            )));
        }
        None
    }

    /// Stages a balance change; the first one assigns the transfer its ledger id
    /// (like a database sequence, an id is used up even if the transaction stops).
    fn stage_money(&mut self, staged: &mut Staged, account: AccountIx, delta: i64) {
        if staged.transfer_id.is_none() {
            self.next_transfer_id += 1;
            staged.transfer_id = Some(self.next_transfer_id);
        }
        staged.deltas.push((account, delta));
    }

    /// Applies a service batch's balance changes as one ledger transfer,
    /// filed under `tag` and `key`.
    pub(crate) fn commit_deltas(
        &mut self,
        deltas: Vec<(AccountIx, i64)>,
        tag: Tag,
        key: Option<Key>,
        now_ms: u64,
    ) -> Vec<LedgerEntry> {
        let entries = self.record_deltas(deltas, tag, key, now_ms);
        for e in &entries {
            assert!(
                self.balances[e.account.0 as usize] >= 0 || e.delta > 0,
                "a batch's debit never takes a balance below zero (the batch checks every balance first)"
            );
        }
        entries
    }

    /// Files what a committed transaction of a service's own database did
    /// to the balances, as one ledger transfer under `tag` and `key`. The
    /// database is the authority here: a balance may go below zero if its
    /// schema lets it.
    pub(crate) fn record_deltas(
        &mut self,
        deltas: Vec<(AccountIx, i64)>,
        tag: Tag,
        key: Option<Key>,
        now_ms: u64,
    ) -> Vec<LedgerEntry> {
        if deltas.is_empty() {
            return Vec::new();
        }
        self.next_transfer_id += 1;
        let transfer_id = self.next_transfer_id;
        deltas
            .into_iter()
            .map(|(account, delta)| {
                let balance = &mut self.balances[account.0 as usize];
                *balance = balance.saturating_add(delta);
                let entry = LedgerEntry {
                    at_ms: now_ms,
                    tag,
                    transfer_id,
                    key,
                    account,
                    delta,
                };
                self.entries.push(entry.clone());
                entry
            })
            .collect()
    }

    /// Applies one entry to its account's balance and files it in the ledger.
    fn post(&mut self, entry: LedgerEntry) -> LedgerEntry {
        let balance = &mut self.balances[entry.account.0 as usize];
        *balance += entry.delta;
        assert!(
            *balance >= 0 || entry.delta > 0,
            "a debit never takes a balance below zero (a refund is checked against every balance first)"
        );
        self.entries.push(entry.clone());
        entry
    }

    fn commit(
        &mut self,
        staged: Staged<'_>,
        ctx: &TxnContext,
        tag: Tag,
        now_ms: u64,
    ) -> Vec<LedgerEntry> {
        if let (Some(record), Some(key)) = (staged.record, staged.record_at.or(ctx.record_key)) {
            match record {
                Some(r) => self.records.insert(key, r),
                None => self.records.remove(&key),
            };
        }
        let moves = staged.deltas.into_iter().map(|(account, delta)| {
            let transfer_id = staged
                .transfer_id
                .expect("a money step assigns a transfer id");
            (transfer_id, account, delta)
        });
        moves
            .chain(staged.refunds)
            .map(|(transfer_id, account, delta)| {
                self.post(LedgerEntry {
                    at_ms: now_ms,
                    tag,
                    transfer_id,
                    key: ctx.key,
                    account,
                    delta,
                })
            })
            .collect()
    }
}

/// Whether `record` is a claim in progress held under `token`.
fn claimed_by(record: Option<&KeyRecord>, token: ClaimToken) -> bool {
    matches!(record, Some(KeyRecord { state: KeyState::InProgress { token: held, .. }, .. }) if *held == token)
}

/// The key the processor files a charge under, as the design derives it.
fn processor_key(mode: crate::design::ProcessorKey, ctx: &TxnContext) -> Option<RecordKey> {
    use crate::design::ProcessorKey;
    match mode {
        ProcessorKey::None => None,
        ProcessorKey::Request => ctx.record_key,
        // One key per request the API serves: its claim token, made a key.
        ProcessorKey::Attempt => Some(RecordKey {
            scope: None,
            key: Key {
                origin: crate::vocab::wire::KeyOrigin::Server,
                value: ctx
                    .claim_token
                    .incarnation
                    .wrapping_mul(0x9E37_79B9)
                    .wrapping_add(ctx.claim_token.request),
            },
        }),
    }
}

/// What a `load-key` step decides for the record it found.
fn branch(
    load: &LoadKey,
    record: Option<&KeyRecord>,
    ctx: &TxnContext,
    now_ms: u64,
    design: &Design,
) -> Option<Stop> {
    let Some(record) = record else {
        return act(&load.absent, None);
    };
    if let (Some(mismatch), Some(stored)) = (&load.mismatch, &record.fingerprint)
        && ctx.body.as_ref() != Some(stored)
    {
        return act(mismatch, Some(record));
    }
    let action = match &record.state {
        KeyState::Issued => &load.issued,
        KeyState::InProgress { locked_at_ms, .. } => {
            let stale = design
                .lock_ms
                .is_some_and(|lock| now_ms.saturating_sub(*locked_at_ms) >= lock);
            if stale {
                load.when_stale()
            } else {
                &load.in_progress
            }
        }
        KeyState::Done { .. } => &load.done,
    };
    act(action, Some(record))
}

fn act(action: &Action, record: Option<&KeyRecord>) -> Option<Stop> {
    let answer = |a: &Answer| a.response();
    match action {
        Action::Continue => None,
        Action::Replay => Some(Stop::Reply(match record.map(|r| &r.state) {
            Some(KeyState::Done {
                response: Some(stored),
            }) => Response {
                replayed: true,
                ..stored.clone()
            },
            // Nothing stored to replay (the key is absent, in progress or done
            // without a response): the design asked for the impossible.
            _ => Response::error(500, Code::NothingToReplay),
        })),
        Action::Reply(a) => Some(Stop::Reply(answer(a))),
        Action::Save(a) => Some(Stop::Save(answer(a))),
        Action::Wait => Some(Stop::Wait),
    }
}

/// The `keys` or `ledger` host: serve transactions until crashed.
pub(crate) async fn store_main(shared: Rc<Shared>, which: StoreName) -> turmoil::Result {
    let socket = Rc::new(UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?);
    let work_ms = match which {
        StoreName::Keys => shared.scenario.stores.keys_work_ms,
        StoreName::Ledger => shared.scenario.stores.ledger_work_ms,
        StoreName::Memory | StoreName::Processor => 0,
    };
    let mut buf = vec![0u8; MAX_DATAGRAM_BYTES];
    loop {
        let Some((envelope, from)) = shared.receive(&socket, &mut buf).await? else {
            continue;
        };
        // A slow store is a fault like any other: it acts while the faults do,
        // and after the heal the store answers at once.
        if work_ms == 0 || !shared.faults_active() {
            serve(&shared, which, &socket, envelope, from).await?;
            continue;
        }
        // A slow store works on each transaction for `work_ms`, several at once;
        // each commits atomically when its work is done.
        let busy = Busy::new(&shared);
        let (shared, socket) = (shared.clone(), socket.clone());
        super::panics::spawn(Host::store(which), async move {
            let _busy = busy;
            shared.clock.sleep(work_ms).await;
            serve(&shared, which, &socket, envelope, from)
                .await
                .expect("a store's answer fits a datagram");
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
) -> std::io::Result<()> {
    if let Body::StoreCall { call, key, request } = &envelope.body {
        return serve_service(shared, which, socket, &envelope, *call, *key, request, from);
    }
    let Body::Call {
        call,
        context,
        answer,
    } = &envelope.body
    else {
        return Ok(());
    };
    shared.self_test_panic(Host::store(which));
    let (outcome, result_msg) = run_call(
        shared,
        which,
        *call,
        context,
        envelope.tag,
        envelope.id,
        answer.as_ref(),
    );
    let host = Host::store(which);
    let reply = Envelope {
        id: result_msg,
        reply_to: Some(envelope.id),
        tag: envelope.tag,
        point: envelope.point.answer(),
        body: Body::Result(outcome),
    };
    shared
        .send(socket, host, caller(envelope.tag), from, &reply)
        .await
}

/// The host a design call came from, which its answer goes back to: the
/// completer for its own work, else the API.
fn caller(tag: Tag) -> Host {
    if tag.is_completer() {
        Host::Completer
    } else {
        Host::Api
    }
}

/// Runs one design call in `which` store and records what it did: the
/// transaction, its ledger entries, and the key's change of state. `msg` is
/// the call's message; returns the outcome and the id of its answer.
pub(crate) fn run_call(
    shared: &Shared,
    which: StoreName,
    call: DesignCall,
    context: &TxnContext,
    tag: Tag,
    msg: crate::vocab::wire::MsgId,
    answer: Option<&Response>,
) -> (TxnOutcome, crate::vocab::wire::MsgId) {
    let now_ms = shared.now_ms();
    let db = shared.db(which);
    let key = context.record_key;
    let before = key.map(|k| db.borrow().phase(&k, now_ms));
    let design = shared
        .scenario
        .api
        .design()
        .expect("a design's calls come from a design");
    let (outcome, entries) = db
        .borrow_mut()
        .execute(call, context, tag, now_ms, design, answer);
    let result_msg = shared.next_message_id();
    let host = Host::store(which);
    shared.record(
        host,
        What::Txn {
            msg,
            result_msg,
            store: which,
            call: Call::Design(call),
            tag,
            result: match &outcome {
                TxnOutcome::Continue { .. } => TxnResult::Committed,
                TxnOutcome::Reply(r) => TxnResult::Stopped(r.clone()),
                TxnOutcome::Wait => TxnResult::Wait,
            },
        },
    );
    shared.record_entries(host, entries);
    if let (Some(key), Some(from_phase)) = (key, before) {
        let to_phase = db.borrow().phase(&key, now_ms);
        if from_phase != to_phase {
            shared.record(
                host,
                What::KeyState {
                    store: which,
                    key,
                    from: from_phase,
                    to: to_phase,
                },
            );
        }
    }
    if let Some(max_records) = design.max_key_records
        && which == design.key_store
    {
        for key in db.borrow_mut().evict_over(max_records) {
            shared.record(host, What::KeyEvicted { store: which, key });
        }
    }
    (outcome, result_msg)
}

/// Runs one call of a service and answers it.
#[allow(clippy::too_many_arguments)]
fn serve_service(
    shared: &Shared,
    which: StoreName,
    socket: &UdpSocket,
    envelope: &Envelope,
    call: ServiceCall,
    key: Option<Key>,
    request: &crate::vocab::wire::StoreRequest,
    from: SocketAddr,
) -> std::io::Result<()> {
    use crate::vocab::wire::{StoreAnswer, StoreRequest};
    shared.self_test_panic(Host::store(which));
    let now_ms = shared.now_ms();
    let db = shared.db(which);
    let tag = envelope.tag;
    let (answer, entries, op) = match (which, request) {
        (StoreName::Keys, StoreRequest::Resp(bytes)) => {
            let (replies, op) = db.borrow_mut().run_resp(
                bytes,
                now_ms,
                (!tag.is_completer()).then_some(tag.transfer),
            );
            (StoreAnswer::Resp(replies), Vec::new(), op)
        }
        (StoreName::Ledger, StoreRequest::Batch(batch)) => {
            let scenario = &shared.scenario;
            let name = |a: AccountIx| scenario.account_name(a).to_string();
            let (outcome, entries, op) = db.borrow_mut().run_batch(batch, tag, key, now_ms, &name);
            (StoreAnswer::Batch(outcome), entries, op)
        }
        // A call to the wrong store: the store does not understand it.
        _ => return Ok(()),
    };
    let result_msg = shared.next_message_id();
    let host = Host::store(which);
    shared.record(
        host,
        What::Txn {
            msg: envelope.id,
            result_msg,
            store: which,
            call: Call::Service(call),
            tag,
            result: TxnResult::Service(std::sync::Arc::new(op)),
        },
    );
    shared.record_entries(host, entries);
    let fallback = match &answer {
        StoreAnswer::Resp(_) => {
            let mut bytes = Vec::new();
            crate::resp::Resp::error("ERR the reply does not fit a message").encode(&mut bytes);
            StoreAnswer::Resp(bytes)
        }
        StoreAnswer::Batch(_) => {
            StoreAnswer::Batch(crate::service::ledger::BatchOutcome::Stopped {
                at: 0,
                stop: crate::service::ledger::Stop::TooLarge,
            })
        }
    };
    let reply = |answer| Envelope {
        id: result_msg,
        reply_to: Some(envelope.id),
        tag,
        point: envelope.point.answer(),
        body: Body::StoreAnswer(answer),
    };
    // The limits keep every answer within a message; should one not fit,
    // the service gets an error rather than the store host failing.
    shared
        .send_now(socket, host, Host::Api, from, &reply(answer))
        .or_else(|_| shared.send_now(socket, host, Host::Api, from, &reply(fallback)))
}

impl Shared {
    /// Records what the ledger filed: one event per entry, in order.
    pub(crate) fn record_entries(&self, host: Host, entries: Vec<LedgerEntry>) {
        for e in entries {
            self.record(
                host,
                What::LedgerEntry {
                    tag: e.tag,
                    transfer_id: e.transfer_id,
                    key: e.key,
                    account: e.account,
                    delta: e.delta,
                },
            );
        }
    }
}
