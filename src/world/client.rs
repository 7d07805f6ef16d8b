//! A `client-N` host: runs its transfers one after another, each with an
//! idempotency key and the scenario's retry policy.
//!
//! Each attempt is a fresh request (a fresh connection, in HTTP terms): an
//! answer to an earlier attempt that arrives late is recorded and ignored.
//! Retryable: no answer within `timeout_ms`, 409 `key_in_use`, 429 and 5xx,
//! as Stripe's SDKs do. Anything else is final.

use super::Shared;
use super::clock::timeout_at;
use crate::history::{Outcome, What};
use crate::scenario::{FaultKind, Jitter, KeySource, RetryPolicy, Transfer};
use crate::seed::derive_rng;
use crate::wire::{
    Body, Envelope, HttpRequest, HttpResponse, MAX_DATAGRAM_BYTES, PORT, Tag, TransferBody, point,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use turmoil::net::UdpSocket;

struct Client {
    shared: Rc<Shared>,
    host: String,
    socket: UdpSocket,
    api: SocketAddr,
    rng: ChaCha8Rng,
    buf: Vec<u8>,
    /// The key each finished transfer used, for `reuse_key_of`.
    keys: Vec<(String, String)>,
}

/// What one attempt came to.
enum Answer {
    Response(HttpResponse),
    TimedOut,
}

/// The client host's whole life.
pub async fn client_main(shared: Rc<Shared>, index: usize) -> turmoil::Result {
    let host = format!("client-{}", index + 1);
    let socket = UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?;
    let mut client = Client {
        rng: derive_rng(shared.seed, &host),
        api: SocketAddr::new(turmoil::lookup("api"), PORT),
        shared: shared.clone(),
        host,
        socket,
        buf: vec![0u8; MAX_DATAGRAM_BYTES],
        keys: Vec::new(),
    };
    let transfers = shared.scenario.clients[index].transfers.clone();
    for transfer in &transfers {
        client.run_transfer(transfer).await?;
    }
    Ok(())
}

/// Counts attempts against the retry policy, including those owed after healing.
struct Attempts {
    policy: RetryPolicy,
    heal_at_ms: u64,
    made: u32,
    made_after_heal: u32,
}

impl Attempts {
    fn record(&mut self, now_ms: u64) -> u32 {
        self.made += 1;
        if now_ms >= self.heal_at_ms {
            self.made_after_heal += 1;
        }
        assert!(
            self.made <= self.policy.max_attempts + self.policy.attempts_after_heal,
            "attempts are bounded"
        );
        self.made
    }

    /// Another attempt is allowed while under `max_attempts`, or while fewer
    /// than `attempts_after_heal` were made after the faults healed.
    fn may_retry(&self) -> bool {
        self.made < self.policy.max_attempts
            || self.made_after_heal < self.policy.attempts_after_heal
    }

    /// Whether the next attempt must wait for the heal (it is one of those owed after it).
    fn waits_for_heal(&self) -> bool {
        self.made >= self.policy.max_attempts
    }
}

impl Client {
    fn record(&self, what: What) {
        self.shared.record(&self.host, what);
    }

    fn attempts(&self) -> Attempts {
        Attempts {
            policy: self.shared.scenario.retry.clone(),
            heal_at_ms: self.shared.scenario.window.heal_at_ms,
            made: 0,
            made_after_heal: 0,
        }
    }

    async fn run_transfer(&mut self, transfer: &Transfer) -> turmoil::Result {
        let reused = transfer
            .reuse_key_of
            .as_ref()
            .and_then(|earlier| self.keys.iter().find(|(t, _)| t == earlier))
            .map(|(_, key)| key.clone());
        let key = match reused {
            Some(key) => {
                self.record(What::KeyObtained {
                    transfer: transfer.id.clone(),
                    key: key.clone(),
                    issued_by_server: false,
                });
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
        self.keys.push((transfer.id.clone(), key.clone()));
        let (outcome, attempts) = self.send_transfer(transfer, key).await?;
        self.finish(transfer, outcome, attempts);
        Ok(())
    }

    fn finish(&self, transfer: &Transfer, outcome: Outcome, attempts: u32) {
        self.record(What::Finished {
            transfer: transfer.id.clone(),
            outcome,
            attempts,
        });
    }

    /// A fresh key: asked from the server, or made here from the seed.
    async fn new_key(&mut self, transfer: &Transfer) -> turmoil::Result<Result<String, Outcome>> {
        match self.shared.scenario.key_source {
            KeySource::Server => self.request_key(transfer).await,
            KeySource::Client | KeySource::ClientPerAttempt => Ok(Ok(self.make_key(transfer))),
        }
    }

    fn make_key(&mut self, transfer: &Transfer) -> String {
        let space = self.shared.scenario.key_space;
        let key = format!("ck-{:06x}", self.rng.random_range(0..space));
        self.record(What::KeyObtained {
            transfer: transfer.id.clone(),
            key: key.clone(),
            issued_by_server: false,
        });
        key
    }

    /// Sends the transfer until a final answer or the retry policy runs out.
    async fn send_transfer(
        &mut self,
        transfer: &Transfer,
        mut key: String,
    ) -> turmoil::Result<(Outcome, u32)> {
        let mut attempts = self.attempts();
        let body = TransferBody {
            from: transfer.from.clone(),
            to: transfer.to.clone(),
            amount: transfer.amount,
        };
        loop {
            if attempts.waits_for_heal() {
                self.sleep_until(self.shared.scenario.window.heal_at_ms)
                    .await;
            }
            let attempt = attempts.record(self.shared.now_ms());
            if attempt > 1 && self.shared.scenario.key_source == KeySource::ClientPerAttempt {
                key = self.make_key(transfer);
            }
            self.record(What::Sent {
                transfer: transfer.id.clone(),
                attempt,
                key: Some(key.clone()),
                body: body.clone(),
            });
            let request = HttpRequest {
                client: self.host.clone(),
                method: "POST".into(),
                path: HttpRequest::TRANSFERS.into(),
                idempotency_key: Some(key.clone()),
                body: Some(body.clone()),
            };
            let tag = Tag {
                transfer: transfer.id.clone(),
                attempt,
                key_request: false,
            };
            let last = match self.attempt(&tag, &request).await? {
                Answer::Response(r) if r.is_success() => {
                    return Ok((Outcome::Succeeded { response: r }, attempt));
                }
                Answer::Response(r) if self.wants_new_key(&r) && attempts.may_retry() => {
                    match self.new_key(transfer).await? {
                        Ok(new) => key = new,
                        Err(outcome) => return Ok((outcome, attempt)),
                    }
                    r.describe()
                }
                Answer::Response(r) if !r.is_transient() => {
                    return Ok((Outcome::Rejected { response: r }, attempt));
                }
                Answer::Response(r) => r.describe(),
                Answer::TimedOut => "timed out".to_string(),
            };
            if self.restarts_after(&tag) {
                match self.new_key(transfer).await? {
                    Ok(new) => key = new,
                    Err(outcome) => return Ok((outcome, attempt)),
                }
            }
            if !attempts.may_retry() {
                return Ok((Outcome::Unknown { last }, attempt));
            }
            self.back_off(&transfer.id, attempt).await;
        }
    }

    /// A classic client answers 400 `unknown_key` by getting a new key, when its policy says so.
    fn wants_new_key(&self, response: &HttpResponse) -> bool {
        self.shared.scenario.retry.new_key_on_unknown_key
            && response.status == 400
            && response.code == "unknown_key"
    }

    /// Whether a `client-restart` fault hits after this attempt: the client
    /// restarts and forgets the key it was holding.
    fn restarts_after(&self, tag: &Tag) -> bool {
        if !self.shared.faults_active() {
            return false;
        }
        let Some(index) = self
            .shared
            .matching_fault(tag, |k| *k == FaultKind::ClientRestart)
        else {
            return false;
        };
        self.shared.fired_faults.borrow_mut().insert(index);
        self.record(What::ClientRestarted {
            transfer: tag.transfer.clone(),
        });
        true
    }

    async fn back_off(&mut self, transfer: &str, attempt: u32) {
        let wait_ms = self.backoff_ms(attempt);
        self.record(What::Backoff {
            transfer: transfer.to_string(),
            wait_ms,
        });
        self.shared.clock.sleep(wait_ms).await;
    }

    /// `POST /keys` with the retry policy; the key, or the outcome that ends the transfer.
    async fn request_key(
        &mut self,
        transfer: &Transfer,
    ) -> turmoil::Result<Result<String, Outcome>> {
        let request = HttpRequest {
            client: self.host.clone(),
            method: "POST".into(),
            path: HttpRequest::KEYS.into(),
            idempotency_key: None,
            body: None,
        };
        let (outcome, _) = self
            .with_retries(&transfer.id, request, |this, attempt| {
                this.record(What::KeyRequested {
                    transfer: transfer.id.clone(),
                    attempt,
                })
            })
            .await?;
        Ok(match outcome {
            Outcome::Succeeded { response } if response.key.is_some() => {
                let key = response.key.expect("checked above");
                self.record(What::KeyObtained {
                    transfer: transfer.id.clone(),
                    key: key.clone(),
                    issued_by_server: true,
                });
                Ok(key)
            }
            other => Err(other),
        })
    }

    /// Sends `request` until a final answer or the policy runs out.
    async fn with_retries(
        &mut self,
        transfer: &str,
        request: HttpRequest,
        on_send: impl Fn(&Self, u32),
    ) -> turmoil::Result<(Outcome, u32)> {
        let mut attempts = self.attempts();
        loop {
            if attempts.waits_for_heal() {
                self.sleep_until(self.shared.scenario.window.heal_at_ms)
                    .await;
            }
            let attempt = attempts.record(self.shared.now_ms());
            on_send(self, attempt);
            let tag = Tag {
                transfer: transfer.to_string(),
                attempt,
                key_request: !request.is_transfer(),
            };
            let last = match self.attempt(&tag, &request).await? {
                Answer::Response(r) if r.is_success() => {
                    return Ok((Outcome::Succeeded { response: r }, attempt));
                }
                Answer::Response(r) if !r.is_transient() => {
                    return Ok((Outcome::Rejected { response: r }, attempt));
                }
                Answer::Response(r) => r.describe(),
                Answer::TimedOut => "timed out".to_string(),
            };
            if !attempts.may_retry() {
                return Ok((Outcome::Unknown { last }, attempt));
            }
            self.back_off(transfer, attempt).await;
        }
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
    async fn attempt(&mut self, tag: &Tag, request: &HttpRequest) -> turmoil::Result<Answer> {
        let message = Envelope {
            id: self.shared.next_message_id(),
            reply_to: None,
            tag: tag.clone(),
            point: if request.is_transfer() {
                point::REQUEST
            } else {
                point::KEY_REQUEST
            }
            .to_string(),
            body: Body::Request(request.clone()),
        };
        self.shared
            .send(&self.socket, &self.host, &message, self.api)
            .await?;
        let deadline_ms = self.shared.now_ms() + self.shared.scenario.retry.timeout_ms;
        loop {
            let received = timeout_at(
                &self.shared.clock,
                deadline_ms,
                self.socket.recv_from(&mut self.buf),
            )
            .await;
            let Some(received) = received else {
                self.record(What::TimedOut {
                    transfer: tag.transfer.clone(),
                    attempt: tag.attempt,
                });
                return Ok(Answer::TimedOut);
            };
            let (len, _) = received?;
            let Some(envelope) = Envelope::decode(&self.buf[..len]) else {
                continue;
            };
            let Body::Response(response) = envelope.body else {
                continue;
            };
            if envelope.reply_to == Some(message.id) {
                self.record(What::Received {
                    transfer: tag.transfer.clone(),
                    attempt: tag.attempt,
                    response: response.clone(),
                });
                return Ok(Answer::Response(response));
            }
            self.record(What::LateAnswer {
                transfer: envelope.tag.transfer,
                attempt: envelope.tag.attempt,
                response,
            });
        }
    }
}
