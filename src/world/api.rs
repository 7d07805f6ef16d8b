//! The `api` host: the payment API, running a design.
//!
//! The API keeps nothing durable of its own: it sequences the design's
//! transactions, sending each to the store it names, and answers the client.
//! Before each transaction and after the last one it passes a step boundary,
//! where the fault injector may stall it or crash a host.

use super::clock::timeout;
use super::{Busy, Shared};
use crate::api::Place;
use crate::design::{Boundary, Design, KeyScope, KeyStoreDown, StoreName, Transaction, txn_number};
use crate::history::{Host, What};
use crate::seed::derive_rng;
use crate::vocab::wire::{
    Body, Call, ClaimToken, Code, DesignCall, Endpoint, Envelope, Key, KeyOrigin, MAX_ANSWER_BYTES,
    MsgId, PORT, RecordKey, Request, Response, Tag, TransferBody, TxnContext, TxnOutcome,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use tokio::sync::oneshot;
use turmoil::net::UdpSocket;

/// What the API needs from the network: calls to stores, with a timeout.
/// A design's completer runs the same way on a host of its own.
pub(super) struct Api {
    /// `api`, or `completer`.
    host: Host,
    shared: Rc<Shared>,
    /// The design this API runs.
    design: Arc<Design>,
    socket: UdpSocket,
    /// Store calls waiting for their result, by request message id. In memory:
    /// lost with the API on a crash, as a real process's would be.
    pending: RefCell<BTreeMap<MsgId, oneshot::Sender<TxnOutcome>>>,
    /// Issues server-side keys; seeded per incarnation so a restart never repeats a key.
    key_rng: RefCell<ChaCha8Rng>,
    incarnation: u32,
    next_request: Cell<u32>,
}

/// The API host's main loop: one task per client request, and routing of store results.
pub(crate) async fn api_main(shared: Rc<Shared>) -> turmoil::Result {
    let incarnation = shared.api_incarnation.get() + 1;
    shared.api_incarnation.set(incarnation);
    let socket = UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?;
    let design = shared
        .scenario
        .api
        .design()
        .expect("the design interpreter runs only designs")
        .clone();
    let api = Rc::new(Api {
        host: Host::Api,
        design,
        key_rng: RefCell::new(derive_rng(shared.seed, &format!("api-keys-{incarnation}"))),
        shared,
        socket,
        pending: RefCell::new(BTreeMap::new()),
        incarnation,
        next_request: Cell::new(0),
    });
    let mut buf = vec![0u8; MAX_ANSWER_BYTES];
    loop {
        let Some((envelope, from)) = api.shared.receive(&api.socket, &mut buf).await? else {
            continue;
        };
        match envelope.body {
            Body::Request(request) => {
                let api = api.clone();
                let busy = Busy::new(&api.shared);
                super::panics::spawn(Host::Api, async move {
                    let _busy = busy;
                    api.serve(envelope.id, envelope.tag, request, from).await
                });
            }
            Body::Result(outcome) => api.route(envelope.reply_to, outcome),
            _ => {}
        }
    }
}

/// A design's completer host: every `every_ms` it picks up the keys left
/// in progress past `after_ms` and runs the completer's transactions for
/// each, while the hosts' results are routed back to it.
pub(crate) async fn completer_main(shared: Rc<Shared>) -> turmoil::Result {
    let socket = UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?;
    let design = shared
        .scenario
        .api
        .design()
        .expect("only a design has a completer")
        .clone();
    let completer = Rc::new(Api {
        host: Host::Completer,
        design,
        key_rng: RefCell::new(derive_rng(shared.seed, "completer-keys")),
        shared,
        socket,
        pending: RefCell::new(BTreeMap::new()),
        incarnation: COMPLETER_INCARNATION,
        next_request: Cell::new(0),
    });
    let worker = completer.clone();
    super::panics::spawn(
        Host::Completer,
        async move { worker.complete_forever().await },
    );
    let mut buf = vec![0u8; MAX_ANSWER_BYTES];
    loop {
        let Some((envelope, _)) = completer
            .shared
            .receive(&completer.socket, &mut buf)
            .await?
        else {
            continue;
        };
        if let Body::Result(outcome) = envelope.body {
            completer.route(envelope.reply_to, outcome);
        }
    }
}

/// The incarnation in a completer's claim tokens: no API boot reaches it.
const COMPLETER_INCARNATION: u32 = u32::MAX;

impl Api {
    /// Hands a store's result to the call waiting for it, if any still is.
    fn route(&self, reply_to: Option<MsgId>, outcome: TxnOutcome) {
        let waiter = reply_to.and_then(|id| self.pending.borrow_mut().remove(&id));
        if let Some(waiter) = waiter {
            let _ = waiter.send(outcome);
        }
    }

    /// The completer's loop: look, finish what is abandoned, sleep.
    async fn complete_forever(&self) {
        let completer = self
            .design
            .completer
            .clone()
            .expect("the completer host runs only for a design with one");
        loop {
            self.shared.clock.sleep(completer.every_ms).await;
            let now_ms = self.shared.now_ms();
            let found = self
                .shared
                .db(self.design.key_store)
                .borrow()
                .abandoned(now_ms, completer.after_ms);
            let _busy = Busy::new(&self.shared);
            for abandoned in found
                .into_iter()
                .take(crate::limits::MAX_COMPLETER_KEYS_PER_PASS)
            {
                self.complete(&completer, abandoned).await;
            }
        }
    }

    /// Runs the completer's transactions for one abandoned key, in order,
    /// until one does not commit.
    async fn complete(
        &self,
        completer: &crate::design::Completer,
        abandoned: super::store::Abandoned,
    ) {
        let tag = Tag::completer(abandoned.by.transfer);
        self.shared.record(
            Host::Completer,
            What::Completing {
                key: abandoned.key,
                tag,
                since_ms: abandoned.locked_at_ms,
            },
        );
        let body = abandoned
            .body
            .expect("a claim records the payload it was made for");
        let mut ctx = self.context_for(abandoned.key, body);
        for &n in &completer.run {
            let store = self.design.txn(n).store;
            match self
                .call(
                    store,
                    DesignCall::Txn(n),
                    ctx,
                    tag,
                    Some(&completer.answer.response()),
                )
                .await
            {
                Some(TxnOutcome::Continue { transfer_id }) => {
                    ctx.transfer_id = transfer_id.or(ctx.transfer_id)
                }
                _ => return,
            }
        }
    }

    /// The completer's context for a key: the record's own scope and payload,
    /// and a claim token of its own.
    fn context_for(&self, record_key: RecordKey, body: TransferBody) -> TxnContext {
        self.context_at(Some(record_key.key), Some(record_key), Some(body))
    }

    async fn serve(&self, request_msg: MsgId, tag: Tag, request: Request, client: SocketAddr) {
        self.shared.self_test_panic(Host::Api);
        self.shared.record(
            Host::Api,
            What::ApiReceived {
                msg: request_msg,
                tag,
                endpoint: request.endpoint,
                key: request.key,
                body: request.body,
            },
        );
        let response = match request.endpoint {
            Endpoint::Transfers => self.transfer(tag, &request).await,
            Endpoint::Keys => self.issue_key(tag, &request).await,
        };
        // `None`: the API crashed at a step boundary and never answers.
        let Some(response) = response else {
            return std::future::pending().await;
        };
        let msg = self.shared.next_message_id();
        self.shared.record(
            Host::Api,
            What::ApiReplied {
                msg,
                request_msg,
                tag,
                endpoint: request.endpoint,
                key: request.key,
                body: request.body,
                response: response.clone(),
            },
        );
        let point = match request.endpoint {
            Endpoint::Transfers => crate::vocab::wire::Point::Response,
            Endpoint::Keys => crate::vocab::wire::Point::KeyResponse,
        };
        let reply = Envelope {
            id: msg,
            reply_to: Some(request_msg),
            tag,
            point,
            body: Body::Response(response),
        };
        self.shared
            .send(
                &self.socket,
                Host::Api,
                Host::Client(request.client),
                client,
                &reply,
            )
            .await
            .expect("an answer always fits a datagram");
    }

    async fn issue_key(&self, tag: Tag, request: &Request) -> Option<Response> {
        let design = &self.design;
        if !design.issues_keys {
            return Some(Response::error(404, Code::NotFound));
        }
        let key = Key {
            origin: KeyOrigin::Server,
            value: self.key_rng.borrow_mut().random_range(0..0x100_0000u32),
        };
        let purpose = if design.binds_keys {
            request.body
        } else {
            None
        };
        let ctx = self.context(request.client, Some(key), purpose);
        match self
            .call(design.key_store, DesignCall::IssueKey, ctx, tag, None)
            .await
        {
            Some(TxnOutcome::Continue { .. }) => Some(Response {
                key: Some(key),
                ..Response::error(201, Code::KeyIssued)
            }),
            Some(TxnOutcome::Reply(r)) => Some(r),
            Some(TxnOutcome::Wait) | None => Some(Response::error(503, Code::StoreUnavailable)),
        }
    }

    /// Runs the design's transactions in order. `None` when the API crashed.
    async fn transfer(&self, tag: Tag, request: &Request) -> Option<Response> {
        let design = self.design.clone();
        let Some(body) = request.body else {
            return Some(Response::error(400, Code::MissingBody));
        };
        let mut ctx = self.context(request.client, request.key, Some(body));
        // Transactions that committed, for the cleanups of a later failure.
        let mut committed: Vec<&Transaction> = Vec::new();
        for (index, txn) in design.transactions.iter().enumerate() {
            if !self.boundary(tag, Boundary(txn_number(index))).await {
                return None;
            }
            let call = DesignCall::Txn(txn_number(index));
            let (answer, cleanup) = match self.run_transaction(txn, call, &ctx, tag).await {
                Some(TxnOutcome::Continue { transfer_id }) => {
                    ctx.transfer_id = transfer_id.or(ctx.transfer_id);
                    committed.push(txn);
                    continue;
                }
                // A replay is the key's own answer, not a failure of this request.
                Some(TxnOutcome::Reply(response)) if response.replayed => return Some(response),
                Some(TxnOutcome::Reply(response)) => (response, txn.on.refusal),
                Some(TxnOutcome::Wait) => (design.on_wait_exhausted.response(), txn.on.refusal),
                None if self.fails_open(txn) => {
                    self.shared.record(
                        Host::Api,
                        What::FailedOpen {
                            tag,
                            call: Call::Design(call),
                        },
                    );
                    continue;
                }
                None => (design.on_store_timeout.response(), txn.on.timeout),
            };
            self.clean_up(cleanup, &ctx, tag, &answer).await;
            for done in committed.iter().rev() {
                self.clean_up(done.on.later_failure, &ctx, tag, &answer)
                    .await;
            }
            return Some(answer);
        }
        if !self
            .boundary(tag, Boundary(txn_number(design.transactions.len())))
            .await
        {
            return None;
        }
        Some(Response::created(ctx.transfer_id))
    }

    /// Runs one cleanup, if the design names one, before the API sends
    /// `answer`. Its outcome changes nothing: a cleanup that is refused or
    /// gets no answer in time is not retried.
    async fn clean_up(&self, cleanup: Option<u16>, ctx: &TxnContext, tag: Tag, answer: &Response) {
        let Some(index) = cleanup else { return };
        let design = &self.design;
        let call = design.cleanup_call(index);
        let store = design.cleanups[index as usize].store;
        self.call(store, call, *ctx, tag, Some(answer)).await;
    }

    /// Passes step boundary `boundary`: a stall fault may hold the API here, a
    /// crash fault may end it (false: the API is crashing and must stop).
    async fn boundary(&self, tag: Tag, boundary: Boundary) -> bool {
        let place = Place::Design(boundary);
        if let Some(stall_ms) = self.shared.stall_ms(tag, place) {
            self.shared.clock.sleep(stall_ms).await;
        }
        !self.shared.crash_point(tag, place)
    }

    /// One transaction, run again while the design says `wait` (at most
    /// `max_waits` times); `Wait` when the waiting ran out.
    async fn run_transaction(
        &self,
        txn: &Transaction,
        call: DesignCall,
        ctx: &TxnContext,
        tag: Tag,
    ) -> Option<TxnOutcome> {
        let design = &self.design;
        let mut waits = 0;
        loop {
            let outcome = self.call(txn.store, call, *ctx, tag, None).await;
            if outcome != Some(TxnOutcome::Wait) || waits >= design.max_waits {
                return outcome;
            }
            waits += 1;
            self.shared.clock.sleep(design.wait_ms).await;
        }
    }

    /// A fail-open design skips a key-store transaction that got no answer,
    /// as long as it moves no money.
    fn fails_open(&self, txn: &Transaction) -> bool {
        let design = &self.design;
        design.key_store_down == KeyStoreDown::FailOpen
            && txn.store == design.key_store
            && txn.steps.iter().all(|s| s.is_key_op())
    }

    fn context(
        &self,
        client: crate::scenario::ClientIx,
        key: Option<Key>,
        body: Option<TransferBody>,
    ) -> TxnContext {
        let record_key = key.map(|key| RecordKey {
            scope: (self.design.key_scope == KeyScope::Client).then_some(client),
            key,
        });
        self.context_at(key, record_key, body)
    }

    /// A context for one request served (or one key a completer takes up),
    /// with a claim token no other request of this incarnation holds.
    fn context_at(
        &self,
        key: Option<Key>,
        record_key: Option<RecordKey>,
        body: Option<TransferBody>,
    ) -> TxnContext {
        let request = self.next_request.get() + 1;
        self.next_request.set(request);
        TxnContext {
            key,
            record_key,
            body,
            claim_token: ClaimToken {
                incarnation: self.incarnation,
                request,
            },
            transfer_id: None,
        }
    }

    /// Sends a call to a store, again after each timeout while the
    /// design's `call_attempts` allow. `None` when none was answered in time.
    async fn call(
        &self,
        store: StoreName,
        call: DesignCall,
        context: TxnContext,
        tag: Tag,
        answer: Option<&Response>,
    ) -> Option<TxnOutcome> {
        let sends = self.design.call_attempts;
        for send in 1..=sends {
            let outcome = self
                .call_once(store, call, context, tag, answer, (send, sends))
                .await;
            if outcome.is_some() || !store.is_remote() {
                return outcome;
            }
        }
        None
    }

    /// Sends one call to a store and waits for its result, at most the
    /// design's store timeout. `None` on timeout: the transaction may or may
    /// not have committed, and the API cannot tell.
    async fn call_once(
        &self,
        store: StoreName,
        call: DesignCall,
        context: TxnContext,
        tag: Tag,
        answer: Option<&Response>,
        (send, sends): (u32, u32),
    ) -> Option<TxnOutcome> {
        let id = self.shared.next_message_id();
        if !store.is_remote() {
            // The API's own memory: no message, nothing to lose or wait for.
            let (outcome, _) =
                super::store::run_call(&self.shared, store, call, &context, tag, id, answer);
            return Some(outcome);
        }
        let (sender, receiver) = oneshot::channel();
        self.pending.borrow_mut().insert(id, sender);
        let message = Envelope {
            id,
            reply_to: None,
            tag,
            point: crate::vocab::wire::Point::Call(Call::Design(call)),
            body: Body::Call {
                call,
                context,
                answer: answer.cloned(),
            },
        };
        let to = SocketAddr::new(turmoil::lookup(store.host()), PORT);
        self.shared
            .send(&self.socket, self.host, Host::store(store), to, &message)
            .await
            .expect("a store call always fits a datagram");
        let timeout_ms = self.design.store_timeout_ms;
        match timeout(&self.shared.clock, timeout_ms, receiver).await {
            Some(Ok(outcome)) => Some(outcome),
            _ => {
                self.pending.borrow_mut().remove(&id);
                self.shared.record(
                    self.host,
                    What::StoreTimeout {
                        store,
                        tag,
                        send,
                        sends,
                    },
                );
                None
            }
        }
    }
}
