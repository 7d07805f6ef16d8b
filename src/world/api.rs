//! The `api` host: the payment API, running a design.
//!
//! The API keeps nothing durable of its own: it sequences the design's
//! transactions, sending each to the store it names, and answers the client.
//! Before each transaction and after the last one it passes a step boundary,
//! where the fault injector may crash a host ([`super::Shared::crash_point`]).

use super::clock::timeout;
use super::{Busy, Shared};
use crate::design::{KeyScope, KeyStoreDown, StoreName, Transaction};
use crate::history::What;
use crate::seed::derive_rng;
use crate::wire::TransferBody;
use crate::wire::{
    Body, Envelope, HttpRequest, HttpResponse, MAX_DATAGRAM_BYTES, PORT, Program, Tag, TxnContext,
    TxnOutcome, point,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use tokio::sync::oneshot;
use turmoil::net::UdpSocket;

/// What the API needs from the network: calls to stores, with a timeout.
pub struct Api {
    shared: Rc<Shared>,
    socket: UdpSocket,
    /// Store calls waiting for their result, by request message id. In memory:
    /// lost with the API on a crash, as a real process's would be.
    pending: RefCell<BTreeMap<u64, oneshot::Sender<TxnOutcome>>>,
    /// Issues server-side keys; seeded per incarnation so a restart never repeats a key.
    key_rng: RefCell<ChaCha8Rng>,
    incarnation: u32,
    next_request: Cell<u64>,
}

/// The API host's main loop: one task per client request, and routing of store results.
pub async fn api_main(shared: Rc<Shared>) -> turmoil::Result {
    let incarnation = shared.api_incarnation.get() + 1;
    shared.api_incarnation.set(incarnation);
    let socket = UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?;
    let api = Rc::new(Api {
        key_rng: RefCell::new(derive_rng(shared.seed, &format!("api-keys-{incarnation}"))),
        shared,
        socket,
        pending: RefCell::new(BTreeMap::new()),
        incarnation,
        next_request: Cell::new(0),
    });
    let mut buf = vec![0u8; MAX_DATAGRAM_BYTES];
    loop {
        let (len, from) = api.socket.recv_from(&mut buf).await?;
        let Some(envelope) = Envelope::decode(&buf[..len]) else {
            continue;
        };
        match envelope.body {
            Body::Request(request) => {
                let api = api.clone();
                let busy = Busy::new(&api.shared);
                tokio::task::spawn_local(async move {
                    let _busy = busy;
                    api.serve(envelope.id, envelope.tag, request, from).await
                });
            }
            Body::TxnResult(outcome) => {
                let waiter = envelope
                    .reply_to
                    .and_then(|id| api.pending.borrow_mut().remove(&id));
                if let Some(waiter) = waiter {
                    let _ = waiter.send(outcome);
                }
            }
            _ => {}
        }
    }
}

impl Api {
    async fn serve(&self, request_id: u64, tag: Tag, request: HttpRequest, client: SocketAddr) {
        self.shared.record(
            "api",
            What::ApiReceived {
                transfer: tag.transfer.clone(),
                attempt: tag.attempt,
                path: request.path.clone(),
                key: request.idempotency_key.clone(),
                body: request.body.clone(),
            },
        );
        let response = if request.is_transfer() {
            self.transfer(&tag, &request).await
        } else {
            self.issue_key(&tag, &request).await
        };
        // `None`: the API crashed at a step boundary and never answers.
        let Some(response) = response else {
            return std::future::pending().await;
        };
        self.shared.record(
            "api",
            What::ApiReplied {
                transfer: tag.transfer.clone(),
                attempt: tag.attempt,
                key: request.idempotency_key.clone(),
                body: request.body.clone(),
                response: response.clone(),
            },
        );
        let reply = Envelope {
            id: self.shared.next_message_id(),
            reply_to: Some(request_id),
            tag,
            point: point::answer(if request.is_transfer() {
                point::REQUEST
            } else {
                point::KEY_REQUEST
            }),
            body: Body::Response(response),
        };
        let _ = self.shared.send(&self.socket, "api", &reply, client).await;
    }

    async fn issue_key(&self, tag: &Tag, request: &HttpRequest) -> Option<HttpResponse> {
        let design = &self.shared.scenario.design;
        if !design.issues_keys {
            return Some(HttpResponse::error(404, "not_found"));
        }
        let key = format!(
            "sk-{:06x}",
            self.key_rng.borrow_mut().random_range(0..0x100_0000u32)
        );
        let ctx = self.context(&request.client, Some(key.clone()), None);
        match self
            .call(design.key_store, Program::IssueKey, ctx, tag)
            .await
        {
            Some(TxnOutcome::Continue { .. }) => Some(HttpResponse {
                key: Some(key),
                ..HttpResponse::error(201, "key_issued")
            }),
            Some(TxnOutcome::Reply(r)) => Some(r),
            Some(TxnOutcome::Wait) | None => Some(HttpResponse::error(503, "store_unavailable")),
        }
    }

    /// Runs the design's transactions in order. `None` when the API crashed.
    async fn transfer(&self, tag: &Tag, request: &HttpRequest) -> Option<HttpResponse> {
        let design = &self.shared.scenario.design;
        let Some(body) = request.body.clone() else {
            return Some(HttpResponse::error(400, "missing_body"));
        };
        let mut ctx = self.context(&request.client, request.idempotency_key.clone(), Some(body));
        for (index, txn) in design.transactions.iter().enumerate() {
            if !self.boundary(tag, index).await {
                return None;
            }
            match self.run_transaction(txn, &ctx, tag).await {
                Some(TxnOutcome::Continue { transfer_id }) => {
                    ctx.transfer_id = transfer_id.or(ctx.transfer_id)
                }
                Some(TxnOutcome::Reply(response)) => return Some(response),
                Some(TxnOutcome::Wait) => return Some(HttpResponse::error(409, "key_in_use")),
                None if self.fails_open(txn) => {
                    self.shared.record(
                        "api",
                        What::FailedOpen {
                            transfer: tag.transfer.clone(),
                            attempt: tag.attempt,
                            transaction: txn.name.clone(),
                        },
                    );
                }
                None => return Some(HttpResponse::error(503, "store_unavailable")),
            }
        }
        if !self.boundary(tag, design.transactions.len()).await {
            return None;
        }
        Some(HttpResponse::created(ctx.transfer_id))
    }

    /// Passes step boundary `index`: a stall fault may hold the API here, a
    /// crash fault may end it (false: the API is crashing and must stop).
    async fn boundary(&self, tag: &Tag, index: usize) -> bool {
        if let Some(stall_ms) = self.shared.stall_ms(tag, index) {
            self.shared.clock.sleep(stall_ms).await;
        }
        !self.shared.crash_point(tag, index)
    }

    /// One transaction, run again while the design says `wait` (at most
    /// `max_waits` times); `Wait` when the waiting ran out.
    async fn run_transaction(
        &self,
        txn: &Transaction,
        ctx: &TxnContext,
        tag: &Tag,
    ) -> Option<TxnOutcome> {
        let design = &self.shared.scenario.design;
        let program = Program::Steps {
            name: txn.name.clone(),
            steps: txn.steps.clone(),
        };
        let mut waits = 0;
        loop {
            let outcome = self
                .call(txn.store, program.clone(), ctx.clone(), tag)
                .await;
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
        let design = &self.shared.scenario.design;
        design.key_store_down == KeyStoreDown::FailOpen
            && txn.store == design.key_store
            && txn.steps.iter().all(|s| s.is_key_op())
    }

    fn context(&self, client: &str, key: Option<String>, body: Option<TransferBody>) -> TxnContext {
        let design = &self.shared.scenario.design;
        let request = self.next_request.get() + 1;
        self.next_request.set(request);
        let record_key = key.as_ref().map(|k| match design.key_scope {
            KeyScope::Global => k.clone(),
            KeyScope::Client => format!("{client}/{k}"),
        });
        TxnContext {
            key,
            record_key,
            body,
            claim_token: format!("api{}-r{}", self.incarnation, request),
            transfer_id: None,
            key_ttl_ms: design.key_ttl_ms,
            lock_ms: design.lock_ms,
        }
    }

    /// Sends one transaction to a store and waits for its result, at most the
    /// design's store timeout. `None` on timeout: the transaction may or may
    /// not have committed, and the API cannot tell.
    async fn call(
        &self,
        store: StoreName,
        program: Program,
        context: TxnContext,
        tag: &Tag,
    ) -> Option<TxnOutcome> {
        let id = self.shared.next_message_id();
        let (sender, receiver) = oneshot::channel();
        self.pending.borrow_mut().insert(id, sender);
        let point = match &program {
            Program::IssueKey => point::ISSUE_KEY.to_string(),
            Program::Steps { name, .. } => name.clone(),
        };
        let message = Envelope {
            id,
            reply_to: None,
            tag: tag.clone(),
            point,
            body: Body::Txn { program, context },
        };
        let to = SocketAddr::new(turmoil::lookup(store.host()), PORT);
        let _ = self.shared.send(&self.socket, "api", &message, to).await;
        let timeout_ms = self.shared.scenario.design.store_timeout_ms;
        match timeout(&self.shared.clock, timeout_ms, receiver).await {
            Some(Ok(outcome)) => Some(outcome),
            _ => {
                self.pending.borrow_mut().remove(&id);
                self.shared.record(
                    "api",
                    What::StoreTimeout {
                        store: store.host().to_string(),
                        transfer: tag.transfer.clone(),
                        attempt: tag.attempt,
                    },
                );
                None
            }
        }
    }
}
