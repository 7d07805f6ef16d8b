//! A `client-N` host: runs its transfers one after another, each with an
//! idempotency key and the scenario's retry policy.
//!
//! Each attempt is a fresh request (a fresh connection, in HTTP terms): an
//! answer to an earlier attempt that arrives late is recorded and ignored.
//! Retryable: no answer within `timeout_ms`, 409, 429 and 5xx, as Stripe's
//! SDKs do, unless the API marks the answer final. Anything else is a
//! definitive answer, which ends the transfer, unless the client pays again
//! with a new key after a failure (`[retry.on] failure = "new-key"`). After the faults heal, a client without one goes on
//! retrying until the liveness deadline ([`super::liveness`]).

use super::Shared;
use super::clock::timeout_at;
use crate::history::{Host, LastAnswer, Outcome, What};
use crate::limits;
use crate::scenario::{
    ClientAction, ClientAnswer, ClientIx, Jitter, KeySource, RetryPolicy, TransferIx,
};
use crate::seed::derive_rng;
use crate::vocab::wire::{
    Body, Code, Endpoint, Envelope, Key, KeyOrigin, MAX_ANSWER_BYTES, Meaning, MsgId, PORT, Point,
    Request, Response, Tag,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use turmoil::net::UdpSocket;

struct Client {
    shared: Rc<Shared>,
    ix: ClientIx,
    host: Host,
    socket: UdpSocket,
    api: SocketAddr,
    rng: ChaCha8Rng,
    buf: Vec<u8>,
    /// The key each finished transfer used, for `reuse_key_of`.
    keys: Vec<(TransferIx, Key)>,
    /// Every key value this client has made, so it never repeats one while
    /// the key space has room.
    made_keys: std::collections::BTreeSet<u32>,
    /// The cookies a service set for this client.
    cookies: Rc<std::cell::RefCell<super::http::CookieJar>>,
}

/// What one attempt came to.
enum Answer {
    Response(Response),
    TimedOut,
}

/// A client host's whole life: the clients it runs, each on its own port.
/// With more clients than client hosts, client `c` runs on host `c % hosts`
/// at port `PORT + c / hosts`.
pub(crate) async fn client_host_main(
    shared: Rc<Shared>,
    first: u32,
    hosts: u32,
) -> turmoil::Result {
    let clients = u32::try_from(shared.scenario.clients.len())
        .expect("MAX_CLIENTS keeps the client count below u32::MAX");
    let mut tasks = Vec::new();
    for c in (first..clients).step_by(hosts as usize) {
        let ix = ClientIx(c);
        let port = PORT + u16::try_from(c / hosts).expect("ports are bounded by the client limit");
        let task =
            super::panics::InHost::new(Host::Client(ix), client_main(shared.clone(), ix, port));
        tasks.push(tokio::task::spawn_local(task));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// One client's whole life.
async fn client_main(shared: Rc<Shared>, ix: ClientIx, port: u16) -> turmoil::Result {
    let host = Host::Client(ix);
    let socket = UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), port)).await?;
    let mut client = Client {
        rng: derive_rng(shared.seed, &host.name()),
        api: SocketAddr::new(turmoil::lookup("api"), PORT),
        shared: shared.clone(),
        ix,
        host,
        socket,
        buf: vec![0u8; MAX_ANSWER_BYTES],
        keys: Vec::new(),
        made_keys: std::collections::BTreeSet::new(),
        cookies: Rc::default(),
    };
    shared.self_test_panic(host);
    let transfers = shared.scenario.clients[ix.0 as usize].transfers.clone();
    for transfer in transfers {
        client.run_transfer(transfer).await?;
    }
    Ok(())
}

/// Counts attempts against the retry policy, the heal and the liveness deadline.
struct Attempts {
    policy: RetryPolicy,
    heal_at_ms: u64,
    deadline_ms: u64,
    made: u32,
    made_after_heal: u32,
    /// The wait before the next attempt in the liveness phase, once in it.
    liveness_wait_ms: Option<u64>,
}

impl Attempts {
    fn record(&mut self, now_ms: u64) -> u32 {
        self.made += 1;
        if now_ms >= self.heal_at_ms {
            self.made_after_heal += 1;
        }
        assert!(
            self.made <= limits::MAX_ATTEMPTS_PER_TRANSFER,
            "attempts are bounded"
        );
        self.made
    }

    /// Whether the policy alone (without the liveness phase) allows another attempt:
    /// under `max_attempts`, or fewer than `attempts_after_heal` after the heal.
    fn policy_allows(&self) -> bool {
        self.made < self.policy.max_attempts
            || self.made_after_heal < self.policy.attempts_after_heal
    }

    /// Another attempt is allowed by the policy, or by the liveness phase:
    /// after the heal, until the deadline, for a client that comes back.
    fn may_retry(&self, now_ms: u64) -> bool {
        if self.made >= limits::MAX_ATTEMPTS_PER_TRANSFER {
            return false;
        }
        self.policy_allows()
            || (self.policy.attempts_after_heal > 0
                && now_ms >= self.heal_at_ms
                && now_ms < self.deadline_ms)
    }

    /// Whether the next attempt must wait for the heal (it is one of those owed after it).
    fn waits_for_heal(&self) -> bool {
        self.made >= self.policy.max_attempts
    }
}

impl Client {
    fn record(&self, what: What) {
        self.shared.record(self.host, what);
    }

    fn attempts(&self) -> Attempts {
        Attempts {
            policy: self.shared.scenario.retry,
            heal_at_ms: self.shared.scenario.window.heal_at_ms,
            deadline_ms: self.shared.liveness_deadline_ms,
            made: 0,
            made_after_heal: 0,
            liveness_wait_ms: None,
        }
    }

    async fn run_transfer(&mut self, transfer: TransferIx) -> turmoil::Result {
        let spec = self.shared.scenario.transfer(transfer).clone();
        let reused = spec
            .reuse_key_of
            .and_then(|earlier| self.keys.iter().find(|(t, _)| *t == earlier))
            .map(|(_, key)| *key);
        let key = match reused {
            Some(key) => {
                self.record(What::KeyObtained { transfer, key });
                key
            }
            None => match self.new_key(transfer).await? {
                Ok(key) => key,
                Err(outcome) => {
                    self.finish(transfer, outcome, 0);
                    return Ok(());
                }
            },
        };
        self.keys.push((transfer, key));
        let (outcome, attempts) = self.send_transfer(transfer, key).await?;
        self.finish(transfer, outcome, attempts);
        Ok(())
    }

    fn finish(&self, transfer: TransferIx, outcome: Outcome, attempts: u32) {
        self.record(What::Finished {
            transfer,
            outcome,
            attempts,
        });
    }

    /// A fresh key: asked from the server, or made here from the seed.
    async fn new_key(&mut self, transfer: TransferIx) -> turmoil::Result<Result<Key, Outcome>> {
        match self.shared.scenario.key_source() {
            KeySource::Server => self.request_key(transfer).await,
            KeySource::Client | KeySource::ClientPerAttempt => Ok(Ok(self.make_key(transfer))),
        }
    }

    /// A key drawn from the key space that this client has not used yet, as
    /// a UUID generator's keys would be; only when the space is too small for
    /// that (a low-entropy key on purpose) does a client repeat itself.
    /// Clients sharing a space may still draw each other's keys.
    fn make_key(&mut self, transfer: TransferIx) -> Key {
        let space = self.shared.scenario.keys.space;
        let mut value = self.rng.random_range(0..space);
        if (self.made_keys.len() as u64) < u64::from(space) {
            while !self.made_keys.insert(value) {
                value = self.rng.random_range(0..space);
            }
        }
        let key = Key {
            origin: KeyOrigin::Client,
            value,
        };
        self.record(What::KeyObtained { transfer, key });
        key
    }

    /// Sends the transfer until a definitive answer, or until the policy and
    /// the liveness phase run out.
    async fn send_transfer(
        &mut self,
        transfer: TransferIx,
        mut key: Key,
    ) -> turmoil::Result<(Outcome, u32)> {
        let mut attempts = self.attempts();
        let body = self.shared.scenario.transfer(transfer).body();
        let pay_again = self.shared.scenario.retry.pay_again_times();
        let mut paid_again = 0;
        loop {
            self.before_attempt(&mut attempts, transfer).await;
            let attempt = attempts.record(self.shared.now_ms());
            if attempt > 1 && self.shared.scenario.key_source() == KeySource::ClientPerAttempt {
                key = self.make_key(transfer);
            }
            let tag = Tag::transfer(transfer, attempt);
            let request = Request {
                client: self.ix,
                endpoint: Endpoint::Transfers,
                key: Some(key),
                body: Some(body),
            };
            let answer = self.attempt(tag, request).await?;
            let (last, kind) = match answer {
                Answer::Response(r) => {
                    let meaning = r.meaning();
                    match (meaning, answer_kind(&r, meaning)) {
                        (Meaning::Success, _) => return Ok((Outcome::Succeeded(r), attempt)),
                        (_, Some(kind)) => (LastAnswer::Answer(r), kind),
                        (Meaning::Failure, None) => {
                            // A person who presses Pay again: the same
                            // payment, a new key, while the bound and the
                            // attempts allow.
                            if paid_again >= pay_again || !attempts.may_retry(self.shared.now_ms())
                            {
                                return Ok((Outcome::Failed(r), attempt));
                            }
                            paid_again += 1;
                            self.record(What::PaysAgain {
                                tag,
                                time: paid_again,
                                most: pay_again,
                            });
                            match self.new_key(transfer).await? {
                                Ok(new) => key = new,
                                Err(outcome) => return Ok((outcome, attempt)),
                            }
                            self.back_off(&mut attempts, transfer, attempt).await;
                            continue;
                        }
                        (Meaning::Transient, None) => {
                            (LastAnswer::Answer(r), ClientAnswer::ServerError)
                        }
                    }
                }
                Answer::TimedOut => (LastAnswer::TimedOut, ClientAnswer::Timeout),
            };
            let mut action = self.shared.scenario.retry.action(kind);
            if let (ClientAnswer::UnknownKey, ClientAction::GiveUp, LastAnswer::Answer(r)) =
                (kind, action, &last)
            {
                return Ok((Outcome::Failed(r.clone()), attempt));
            }
            if let Some(cause) = self.shared.client_restarts(tag) {
                self.record(What::ClientRestarted { tag, cause });
                action = match self.shared.scenario.retry.action(ClientAnswer::Restart) {
                    ClientAction::Retry => action,
                    after_restart => after_restart,
                };
            }
            if action == ClientAction::GiveUp || !attempts.may_retry(self.shared.now_ms()) {
                return Ok((gave_up(kind, last), attempt));
            }
            if action == ClientAction::NewKey {
                match self.new_key(transfer).await? {
                    Ok(new) => key = new,
                    Err(outcome) => return Ok((outcome, attempt)),
                }
            }
            self.back_off(&mut attempts, transfer, attempt).await;
        }
    }

    /// Waits for the heal when the next attempt is one owed after it.
    async fn before_attempt(&mut self, attempts: &mut Attempts, _transfer: TransferIx) {
        if attempts.waits_for_heal() {
            self.sleep_until(self.shared.scenario.window.heal_at_ms)
                .await;
        }
    }

    /// Waits before the next attempt: the policy's backoff, or in the
    /// liveness phase a doubling wait that lands no later than the deadline.
    async fn back_off(&mut self, attempts: &mut Attempts, transfer: TransferIx, attempt: u32) {
        let now_ms = self.shared.now_ms();
        let wait_ms = if attempts.policy_allows() {
            self.backoff_ms(attempt)
        } else {
            let deadline_ms = attempts.deadline_ms;
            let wait = match attempts.liveness_wait_ms {
                None => {
                    self.record(What::LivenessPhase {
                        transfer,
                        deadline_ms,
                    });
                    self.shared.scenario.retry.backoff_max_ms.max(1)
                }
                Some(previous) => previous.saturating_mul(2),
            };
            attempts.liveness_wait_ms = Some(wait);
            wait.min(deadline_ms.saturating_sub(now_ms)).max(1)
        };
        // Attempts while the faults act are spent: the next one is owed to
        // after the heal, and waits for it (see `before_attempt`), however
        // short the backoff.
        let heal_ms = self.shared.scenario.window.heal_at_ms;
        let until_heal = attempts.waits_for_heal() && now_ms + wait_ms < heal_ms;
        let wait_ms = if until_heal {
            heal_ms - now_ms
        } else {
            wait_ms
        };
        self.record(What::Backoff {
            transfer,
            wait_ms,
            until_heal,
        });
        self.shared.clock.sleep(wait_ms).await;
    }

    /// `POST /keys` with the retry policy; the key, or the outcome that ends the transfer.
    async fn request_key(&mut self, transfer: TransferIx) -> turmoil::Result<Result<Key, Outcome>> {
        let mut attempts = self.attempts();
        // The key's purpose travels with the request for it: a design that
        // binds keys records it, and a transfer that uses the key for
        // another payload is refused.
        let request = Request {
            client: self.ix,
            endpoint: Endpoint::Keys,
            key: None,
            body: Some(self.shared.scenario.transfer(transfer).body()),
        };
        let outcome = loop {
            self.before_attempt(&mut attempts, transfer).await;
            let attempt = attempts.record(self.shared.now_ms());
            let tag = Tag::key_request(transfer, attempt);
            let last = match self.attempt(tag, request).await? {
                Answer::Response(r) => match r.meaning() {
                    // A key request answered with success but no key it
                    // could read: the client cannot go on.
                    Meaning::Success if r.key.is_none() => break Outcome::Failed(r),
                    Meaning::Success => break Outcome::Succeeded(r),
                    Meaning::Failure => break Outcome::Failed(r),
                    Meaning::Transient => LastAnswer::Answer(r),
                },
                Answer::TimedOut => LastAnswer::TimedOut,
            };
            if !attempts.may_retry(self.shared.now_ms()) {
                break Outcome::Unknown(last);
            }
            self.back_off(&mut attempts, transfer, attempt).await;
        };
        Ok(match outcome {
            Outcome::Succeeded(Response { key: Some(key), .. }) => {
                self.record(What::KeyObtained { transfer, key });
                Ok(key)
            }
            other => Err(other),
        })
    }

    async fn sleep_until(&self, at_ms: u64) {
        let now = self.shared.now_ms();
        if now < at_ms {
            self.shared.clock.sleep_until(at_ms).await;
        }
    }

    /// The wait before attempt `attempt + 1`: exponential, capped, jittered.
    fn backoff_ms(&mut self, attempt: u32) -> u64 {
        let policy = &self.shared.scenario.retry;
        let doublings = attempt.saturating_sub(1).min(32);
        let base = policy
            .backoff_initial_ms
            .saturating_mul(1u64 << doublings)
            .min(policy.backoff_max_ms);
        let low = match policy.jitter {
            Jitter::None => return base,
            Jitter::Half => (base / 2).max(policy.backoff_initial_ms).min(base),
            Jitter::Full => policy.backoff_initial_ms.min(base),
        };
        self.rng.random_range(low..=base)
    }

    /// One attempt: send, then wait for its answer or the timeout.
    async fn attempt(&mut self, tag: Tag, request: Request) -> turmoil::Result<Answer> {
        let id = self.shared.next_message_id();
        let point = match request.endpoint {
            Endpoint::Transfers => {
                self.record(What::Sent {
                    msg: id,
                    tag,
                    key: request.key,
                    body: request.body.expect("a transfer request has a body"),
                });
                Point::Request
            }
            Endpoint::Keys => {
                self.record(What::KeyRequested { msg: id, tag });
                Point::KeyRequest
            }
        };
        if self.shared.scenario.api.service().is_some() {
            return Ok(self.attempt_http(tag, request, id).await);
        }
        let message = Envelope {
            id,
            reply_to: None,
            tag,
            point,
            body: Body::Request(request),
        };
        self.shared
            .send(&self.socket, self.host, Host::Api, self.api, &message)
            .await?;
        let deadline_ms = self.shared.now_ms() + self.shared.scenario.retry.timeout_ms;
        loop {
            let received = timeout_at(
                &self.shared.clock,
                deadline_ms,
                self.shared.receive(&self.socket, &mut self.buf),
            )
            .await;
            let Some(received) = received else {
                self.record(What::TimedOut { tag });
                return Ok(Answer::TimedOut);
            };
            let Some((envelope, _)) = received? else {
                continue;
            };
            let Body::Response(response) = envelope.body else {
                continue;
            };
            if envelope.reply_to == Some(id) {
                self.record(What::Received {
                    tag,
                    response: response.clone(),
                });
                return Ok(Answer::Response(response));
            }
            self.record(What::LateAnswer {
                tag: envelope.tag,
                response,
            });
        }
    }

    /// One attempt against a service: an HTTP request on a connection of
    /// its own, shaped as the service's API says (see `world::http`).
    async fn attempt_http(&mut self, tag: Tag, request: Request, id: MsgId) -> Answer {
        let body = request.body.expect("every request of a client has a body");
        let (http_request, point) = match request.endpoint {
            Endpoint::Transfers => (
                super::http::transfer_request(&self.shared, self.ix, tag, request.key, body),
                Point::Request,
            ),
            Endpoint::Keys => (
                super::http::key_request(&self.shared, self.ix, tag, body)
                    .expect("a scenario asks a service for keys only when it names the endpoint"),
                Point::KeyRequest,
            ),
        };
        let exchange = super::http::Exchange {
            client: self.ix,
            tag,
            key: request.key,
            request_msg: id,
            request: http_request,
            cookies: self.cookies.clone(),
        };
        let deadline_ms = self.shared.now_ms() + self.shared.scenario.retry.timeout_ms;
        if let Some(cause) = self.shared.duplicates(tag, point) {
            self.shared.record(
                Host::Network,
                What::Duplicated {
                    msg: id,
                    from: self.host,
                    to: Host::Api,
                    point,
                    tag,
                    cause,
                },
            );
            super::http::duplicate(&self.shared, exchange.clone(), deadline_ms);
        }
        match super::http::attempt(&self.shared, &exchange, deadline_ms).await {
            Some((mut response, bytes)) => {
                if tag.key_request {
                    response.key = self
                        .shared
                        .scenario
                        .http_api()
                        .issued_key(&bytes)
                        .and_then(|text| self.shared.intern_issued_key(&text));
                }
                self.record(What::Received {
                    tag,
                    response: response.clone(),
                });
                Answer::Response(response)
            }
            None => {
                self.record(What::TimedOut { tag });
                Answer::TimedOut
            }
        }
    }
}

/// Which answer of the client's policy a response is; `None` for a
/// definitive failure the policy does not cover.
fn answer_kind(response: &Response, meaning: Meaning) -> Option<ClientAnswer> {
    if meaning == Meaning::Failure {
        return (response.status == 400
            && response.code == Code::UnknownKey
            && !response.final_answer)
            .then_some(ClientAnswer::UnknownKey);
    }
    Some(match response.status {
        409 => ClientAnswer::Conflict,
        429 => ClientAnswer::RateLimited,
        _ => ClientAnswer::ServerError,
    })
}

/// The outcome of a transfer the client stops retrying: a refused key is a
/// definitive failure; anything else leaves the client not knowing.
fn gave_up(kind: ClientAnswer, last: LastAnswer) -> Outcome {
    match (kind, last) {
        (ClientAnswer::UnknownKey, LastAnswer::Answer(r)) => Outcome::Failed(r),
        (_, last) => Outcome::Unknown(last),
    }
}
