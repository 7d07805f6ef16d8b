//! The wire format: every message that crosses turmoil's network between the
//! hosts idemsim builds.
//!
//! Messages have an HTTP-like shape (method and path as an [`Endpoint`], an
//! `Idempotency-Key`, a body, a status), serialised with serde. Each datagram
//! starts with a fixed binary [`Header`] — the message id, its tag, which
//! message of the attempt it is, and the key a request carries — so that the
//! fault injector, which judges every message between two steps, reads what
//! it needs without decoding the rest; the receiver decodes the body.
//!
//! Names travel as indices into the scenario (an account is an
//! [`AccountIx`]), and keys as compact values ([`Key`]): a message stays a few
//! hundred bytes whatever the scenario calls things, so nothing a scenario may
//! say can outgrow a datagram.
//!
//! A [`Tag`] rides along with every message: which transfer and attempt it
//! belongs to. It is ghost data, like a Jepsen operation id: the fault injector
//! and the checker read it, the design never does.

use super::{AccountIx, ClientIx, TransferIx};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The one UDP port every host listens on.
pub const PORT: u16 = 7000;

/// Largest datagram idemsim sends or accepts: a service's store call carries
/// a Redis command or a ledger batch, each bounded by the limits on what
/// a store keeps (see `limits::MAX_STORE_VALUE_BYTES`).
pub const MAX_DATAGRAM_BYTES: usize = 64 * 1024;

/// Largest answer a client or a design's API receives: a response or a
/// transaction's result, whose every field is bounded (a code by
/// `limits::MAX_NAME_BYTES`), so their receive buffers stay small: a run
/// allocates one per host it boots.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024;

/// A message id: unique in a run, growing in send order.
pub type MsgId = u64;

/// Which transfer intent and attempt a message serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Tag {
    pub transfer: TransferIx,
    pub attempt: u32,
    /// The message belongs to a key request (`POST /keys`), not to the transfer itself.
    pub key_request: bool,
}

impl Tag {
    /// The tag of a message no attempt sent: an answer hyper made up, a
    /// database connection's startup, a message the injector knows nothing
    /// of. No fault names it and no report shows it.
    pub const NO_ATTEMPT: Tag = Tag {
        transfer: TransferIx(u32::MAX),
        attempt: 0,
        key_request: false,
    };

    pub fn transfer(transfer: TransferIx, attempt: u32) -> Tag {
        Tag {
            transfer,
            attempt,
            key_request: false,
        }
    }

    pub fn key_request(transfer: TransferIx, attempt: u32) -> Tag {
        Tag {
            transfer,
            attempt,
            key_request: true,
        }
    }

    /// The work a design's completer does for `transfer`'s key: attempt 0,
    /// which no client makes and no targeted fault names.
    pub fn completer(transfer: TransferIx) -> Tag {
        Tag::transfer(transfer, 0)
    }

    /// Whether the completer, not a client's attempt, sent this.
    pub fn is_completer(self) -> bool {
        self.attempt == 0 && !self.key_request
    }
}

/// Who made an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum KeyOrigin {
    /// The client made it (`ck-…`).
    Client,
    /// The API issued it (`sk-…`).
    Server,
}

/// An idempotency key: 24 random bits and who drew them, printed `ck-1a2b3c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub origin: KeyOrigin,
    pub value: u32,
}

impl Key {
    pub fn issued_by_server(self) -> bool {
        self.origin == KeyOrigin::Server
    }

    /// Parses `ck-1a2b3c` or `sk-1a2b3c`, as [`Key`] displays.
    pub fn parse(text: &str) -> Option<Key> {
        let (prefix, hex) = text.split_once('-')?;
        let origin = match prefix {
            "ck" => KeyOrigin::Client,
            "sk" => KeyOrigin::Server,
            _ => return None,
        };
        if hex.len() != 6 {
            return None;
        }
        let value = u32::from_str_radix(hex, 16).ok()?;
        Some(Key { origin, value })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.origin {
            KeyOrigin::Client => "ck",
            KeyOrigin::Server => "sk",
        };
        write!(f, "{prefix}-{:06x}", self.value)
    }
}

/// Where an idempotency record lives: the key alone (one namespace for
/// everyone), or the key scoped to the client that sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordKey {
    pub scope: Option<ClientIx>,
    pub key: Key,
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scope {
            Some(client) => write!(f, "{client}/{}", self.key),
            None => write!(f, "{}", self.key),
        }
    }
}

/// The machine-readable code of an answer. The codes idemsim's own hosts
/// and clients act on are variants; a design may answer any other code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    Created,
    KeyIssued,
    KeyInUse,
    KeyAlreadyUsed,
    UnknownKey,
    PayloadMismatch,
    InsufficientFunds,
    StoreUnavailable,
    NothingToReplay,
    MissingKey,
    MissingBody,
    NotFound,
    /// A code only a design file names.
    Other(Arc<str>),
}

impl Code {
    const KNOWN: [(Code, &'static str); 12] = [
        (Code::Created, "created"),
        (Code::KeyIssued, "key_issued"),
        (Code::KeyInUse, "key_in_use"),
        (Code::KeyAlreadyUsed, "key_already_used"),
        (Code::UnknownKey, "unknown_key"),
        (Code::PayloadMismatch, "payload_mismatch"),
        (Code::InsufficientFunds, "insufficient_funds"),
        (Code::StoreUnavailable, "store_unavailable"),
        (Code::NothingToReplay, "nothing_to_replay"),
        (Code::MissingKey, "missing_key"),
        (Code::MissingBody, "missing_body"),
        (Code::NotFound, "not_found"),
    ];

    pub fn parse(text: &str) -> Code {
        Code::KNOWN
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(code, _)| code.clone())
            .unwrap_or_else(|| Code::Other(Arc::from(text)))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Code::Other(text) => text,
            known => {
                Code::KNOWN
                    .iter()
                    .find(|(code, _)| code == known)
                    .expect("every known code has a name")
                    .1
            }
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Code::parse(&text))
    }
}

/// An answer from the API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub code: Code,
    /// The ledger's id for the applied transfer, in a success body.
    pub transfer_id: Option<u64>,
    /// The key, in the answer to `POST /keys`.
    pub key: Option<Key>,
    /// The `Idempotent-Replayed: true` header: this answer is a stored one.
    pub replayed: bool,
    /// The `Should-Retry: false` header: the API says this answer is final,
    /// whatever its status (Stripe's SDKs honour such a header).
    pub final_answer: bool,
    /// A digest of a service's response body (FNV-1a, 64 bits), so that two
    /// answers with the same status but different bodies tell apart; `None`
    /// for a design, whose answers are the fields above.
    pub body_digest: Option<u64>,
    /// What the client read the answer to mean, when the service's API
    /// says how (a body field or a header): see
    /// [`crate::service::HttpApi`]. `None`: by status class.
    pub read: Option<Meaning>,
}

/// What a client makes of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Meaning {
    /// 2xx: the transfer happened.
    Success,
    /// An answer the client must not retry: a 4xx other than 409 and 429,
    /// or any answer the API marks final.
    Failure,
    /// "Try again later": 409, 429, 5xx.
    Transient,
}

impl Meaning {
    /// An answer's meaning by its status class: 2xx success; 409, 429 and
    /// 5xx transient, unless the API marks the answer final; any other
    /// status a definitive failure.
    pub fn of_status(status: u16, final_answer: bool) -> Meaning {
        if (200..300).contains(&status) {
            Meaning::Success
        } else if final_answer || ((400..500).contains(&status) && !matches!(status, 409 | 429)) {
            Meaning::Failure
        } else {
            Meaning::Transient
        }
    }
}

impl Response {
    pub fn error(status: u16, code: Code) -> Self {
        Response {
            status,
            code,
            transfer_id: None,
            key: None,
            replayed: false,
            final_answer: false,
            body_digest: None,
            read: None,
        }
    }

    pub fn created(transfer_id: Option<u64>) -> Self {
        Response {
            transfer_id,
            ..Response::error(201, Code::Created)
        }
    }

    pub fn meaning(&self) -> Meaning {
        self.read
            .unwrap_or_else(|| Meaning::of_status(self.status, self.final_answer))
    }

    pub fn is_success(&self) -> bool {
        self.meaning() == Meaning::Success
    }

    /// Answers that say "try again later" rather than give the outcome.
    pub fn is_transient(&self) -> bool {
        self.meaning() == Meaning::Transient
    }

    /// What a client may compare between two answers: everything but the replay header.
    pub fn content(&self) -> (u16, &Code, Option<u64>, Option<u64>) {
        (self.status, &self.code, self.transfer_id, self.body_digest)
    }
}

/// The body of `POST /transfers`: accounts by index into the scenario's
/// (sorted) accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TransferBody {
    pub from: AccountIx,
    pub to: AccountIx,
    pub amount: i64,
}

/// What a design compares to detect a reused key with another payload (422).
pub type Fingerprint = TransferBody;

/// The API's endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Endpoint {
    /// `POST /transfers`.
    Transfers,
    /// `POST /keys`.
    Keys,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Transfers => "/transfers",
            Endpoint::Keys => "/keys",
        }
    }
}

/// A request from a client to the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The caller's identity (an API key, in real life): who sends this request.
    pub client: ClientIx,
    pub endpoint: Endpoint,
    pub key: Option<Key>,
    pub body: Option<TransferBody>,
}

/// What the API asks a store to run: a design's call or a service's. On
/// the wire each travels in its own kind of message (`Body::Call`,
/// `Body::StoreCall`), which carries only its own kind; a point names
/// either. Serialised as the arm it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Call {
    Design(DesignCall),
    Service(ServiceCall),
}

/// What a design asks a store to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DesignCall {
    /// Record a newly issued key (`POST /keys`).
    IssueKey,
    /// Transaction `n` of the design's transfer endpoint.
    Txn(u16),
}

/// A service's call to a store: it reaches only the key store and the
/// ledger, and numbers its calls to each per attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServiceCall {
    /// A service's `n`th call (from 1) to the key store while serving one attempt.
    Keys(u16),
    /// A service's `n`th call (from 1) to the ledger while serving one attempt.
    Ledger(u16),
}

impl ServiceCall {
    /// The `n`th call of a service to `store` in one attempt; `None` for a
    /// store no service reaches (the API's memory, a processor).
    pub fn to(store: super::StoreName, n: u16) -> Option<ServiceCall> {
        match store {
            super::StoreName::Keys => Some(ServiceCall::Keys(n)),
            super::StoreName::Ledger => Some(ServiceCall::Ledger(n)),
            super::StoreName::Memory | super::StoreName::Processor => None,
        }
    }

    /// The store the call goes to.
    pub fn store(self) -> super::StoreName {
        match self {
            ServiceCall::Keys(_) => super::StoreName::Keys,
            ServiceCall::Ledger(_) => super::StoreName::Ledger,
        }
    }

    /// The call to the same store numbered `n`.
    pub fn numbered(self, n: u16) -> ServiceCall {
        match self {
            ServiceCall::Keys(_) => ServiceCall::Keys(n),
            ServiceCall::Ledger(_) => ServiceCall::Ledger(n),
        }
    }

    /// The call's number among the attempt's calls to its store, from 1.
    pub fn number(self) -> u16 {
        match self {
            ServiceCall::Keys(n) | ServiceCall::Ledger(n) => n,
        }
    }
}

/// Which message of an attempt this is: how faults name messages.
///
/// `request` and `response` travel between the client and the API for the
/// transfer; `key-request` and `key-response` for `POST /keys`; between the
/// API and a store, a call travels as its transaction's name (`issue-key` for
/// a key being issued) and its answer as that name with `-result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Point {
    Request,
    Response,
    KeyRequest,
    KeyResponse,
    Call(Call),
    Result(Call),
}

impl Point {
    /// The point of the answer to a message at this point.
    pub fn answer(self) -> Point {
        match self {
            Point::Request => Point::Response,
            Point::KeyRequest => Point::KeyResponse,
            Point::Call(call) => Point::Result(call),
            other => other,
        }
    }

    /// A message from the API to a store, or its answer.
    pub fn is_store_traffic(self) -> bool {
        matches!(self, Point::Call(_) | Point::Result(_))
    }
}

/// Bytes as a JSON string of the characters U+0000 to U+00FF, one per byte:
/// RESP is mostly ASCII, so this costs little over the bytes themselves,
/// where serde's default (an array of numbers) costs three to four times.
mod latin1 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.chars()
            .map(|c| {
                u8::try_from(u32::from(c))
                    .map_err(|_| serde::de::Error::custom("a character past U+00FF"))
            })
            .collect()
    }
}

/// Who holds a claim: unique per API incarnation and request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClaimToken {
    pub incarnation: u32,
    pub request: u32,
}

/// What a transaction knows about the request it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnContext {
    /// The key as the client sent it.
    pub key: Option<Key>,
    /// Where the record lives.
    pub record_key: Option<RecordKey>,
    pub body: Option<TransferBody>,
    pub claim_token: ClaimToken,
    /// The ledger's id for this transfer, once a debit has assigned one.
    pub transfer_id: Option<u64>,
}

/// The result of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnOutcome {
    /// Committed; go on with the next transaction.
    Continue { transfer_id: Option<u64> },
    /// Stopped at a step that answers the client.
    Reply(Response),
    /// Another request holds the key and the design waits: run this again later.
    Wait,
}

/// Every kind of message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    Request(Request),
    Response(Response),
    Call {
        call: DesignCall,
        context: TxnContext,
        /// For a design's cleanup: the answer the API is about to send.
        answer: Option<Response>,
    },
    Result(TxnOutcome),
    /// A service's call to a store. `key` is the idempotency key of the
    /// attempt it serves (ghost data, like the tag: the ledger files its
    /// entries under it).
    StoreCall {
        call: ServiceCall,
        key: Option<Key>,
        request: StoreRequest,
    },
    /// A store's answer to a service's call.
    StoreAnswer(StoreAnswer),
}

/// What a service asks a store to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreRequest {
    /// Redis commands in RESP, as the `redis` crate packs them (a pipeline
    /// may hold several); the key store runs them in order, atomically.
    Resp(#[serde(with = "latin1")] Vec<u8>),
    /// A ledger batch: all or nothing.
    Batch(super::WireBatch),
}

/// A store's answer to a [`StoreRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreAnswer {
    /// The RESP replies, one per command.
    Resp(#[serde(with = "latin1")] Vec<u8>),
    Batch(super::BatchOutcome),
}

/// A message with its id, the id it answers, and its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: MsgId,
    pub reply_to: Option<MsgId>,
    pub tag: Tag,
    pub point: Point,
    pub body: Body,
}

/// A message too large for a datagram: a bug in idemsim, since every field
/// of a message is bounded (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    pub bytes: usize,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a message of {} bytes exceeds the {MAX_DATAGRAM_BYTES}-byte datagram limit",
            self.bytes
        )
    }
}

/// What the network's fault injector reads of a message: its id, its tag,
/// which message of the attempt it is, and the key a request carries. Written
/// in front of the body in a fixed binary layout of [`Header::BYTES`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub id: MsgId,
    pub tag: Tag,
    pub point: Point,
    pub key: Option<Key>,
}

impl Header {
    /// id 8, transfer 4, attempt 4, key request 1, point 1, call 2, key 1 + 4.
    pub const BYTES: usize = 25;

    fn point_code(point: Point) -> (u8, u16) {
        match point {
            Point::Request => (0, 0),
            Point::Response => (1, 0),
            Point::KeyRequest => (2, 0),
            Point::KeyResponse => (3, 0),
            Point::Call(Call::Design(DesignCall::Txn(n))) => (4, n),
            Point::Result(Call::Design(DesignCall::Txn(n))) => (5, n),
            Point::Call(Call::Design(DesignCall::IssueKey)) => (6, 0),
            Point::Result(Call::Design(DesignCall::IssueKey)) => (7, 0),
            Point::Call(Call::Service(ServiceCall::Keys(n))) => (8, n),
            Point::Result(Call::Service(ServiceCall::Keys(n))) => (9, n),
            Point::Call(Call::Service(ServiceCall::Ledger(n))) => (10, n),
            Point::Result(Call::Service(ServiceCall::Ledger(n))) => (11, n),
        }
    }

    fn point_of(kind: u8, n: u16) -> Option<Point> {
        Some(match kind {
            0 => Point::Request,
            1 => Point::Response,
            2 => Point::KeyRequest,
            3 => Point::KeyResponse,
            4 => Point::Call(Call::Design(DesignCall::Txn(n))),
            5 => Point::Result(Call::Design(DesignCall::Txn(n))),
            6 => Point::Call(Call::Design(DesignCall::IssueKey)),
            7 => Point::Result(Call::Design(DesignCall::IssueKey)),
            8 => Point::Call(Call::Service(ServiceCall::Keys(n))),
            9 => Point::Result(Call::Service(ServiceCall::Keys(n))),
            10 => Point::Call(Call::Service(ServiceCall::Ledger(n))),
            11 => Point::Result(Call::Service(ServiceCall::Ledger(n))),
            _ => return None,
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_le_bytes());
        out.extend_from_slice(&self.tag.transfer.0.to_le_bytes());
        out.extend_from_slice(&self.tag.attempt.to_le_bytes());
        out.push(u8::from(self.tag.key_request));
        let (kind, call) = Header::point_code(self.point);
        out.push(kind);
        out.extend_from_slice(&call.to_le_bytes());
        match self.key {
            None => out.extend_from_slice(&[0, 0, 0, 0, 0]),
            Some(k) => {
                out.push(match k.origin {
                    KeyOrigin::Client => 1,
                    KeyOrigin::Server => 2,
                });
                out.extend_from_slice(&k.value.to_le_bytes());
            }
        }
    }

    /// The header at the front of a datagram.
    pub fn read(bytes: &[u8]) -> Option<Header> {
        let b = bytes.get(..Header::BYTES)?;
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let key = match b[20] {
            0 => None,
            1 => Some(KeyOrigin::Client),
            2 => Some(KeyOrigin::Server),
            _ => return None,
        }
        .map(|origin| Key {
            origin,
            value: u32_at(21),
        });
        Some(Header {
            id: u64::from_le_bytes(b[..8].try_into().expect("8 bytes")),
            tag: Tag {
                transfer: TransferIx(u32_at(8)),
                attempt: u32_at(12),
                key_request: b[16] != 0,
            },
            point: Header::point_of(b[17], u16::from_le_bytes([b[18], b[19]]))?,
            key,
        })
    }
}

impl Envelope {
    /// The header the injector reads.
    pub fn header(&self) -> Header {
        Header {
            id: self.id,
            tag: self.tag,
            point: self.point,
            key: match &self.body {
                Body::Request(r) => r.key,
                _ => None,
            },
        }
    }

    pub fn encode(&self) -> Result<Vec<u8>, TooLarge> {
        let mut bytes = Vec::with_capacity(160);
        self.header().write(&mut bytes);
        debug_assert_eq!(bytes.len(), Header::BYTES);
        serde_json::to_writer(&mut bytes, self).expect("messages always serialise");
        if bytes.len() > MAX_DATAGRAM_BYTES {
            return Err(TooLarge { bytes: bytes.len() });
        }
        Ok(bytes)
    }

    pub fn decode(bytes: &[u8]) -> Option<Envelope> {
        let header = Header::read(bytes)?;
        let envelope: Envelope = serde_json::from_slice(bytes.get(Header::BYTES..)?).ok()?;
        (envelope.header() == header).then_some(envelope)
    }
}

/// The message id at the head of a datagram.
pub fn peek_id(bytes: &[u8]) -> Option<MsgId> {
    Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The largest message there is, with an answer code of `code_bytes`: a
    /// design call with every optional field set to its largest value. The
    /// limits' own tests size the code by the longest name a design may use.
    pub(crate) fn biggest(code_bytes: usize) -> Envelope {
        let key = Key {
            origin: KeyOrigin::Server,
            value: u32::MAX,
        };
        let body = TransferBody {
            from: AccountIx(u32::MAX),
            to: AccountIx(u32::MAX),
            amount: i64::MIN,
        };
        Envelope {
            id: u64::MAX,
            reply_to: Some(u64::MAX),
            tag: Tag::key_request(TransferIx(u32::MAX), u32::MAX),
            point: Point::Result(Call::Design(DesignCall::Txn(u16::MAX))),
            body: Body::Call {
                call: DesignCall::Txn(u16::MAX),
                context: TxnContext {
                    key: Some(key),
                    record_key: Some(RecordKey {
                        scope: Some(ClientIx(u32::MAX)),
                        key,
                    }),
                    body: Some(body),
                    claim_token: ClaimToken {
                        incarnation: u32::MAX,
                        request: u32::MAX,
                    },
                    transfer_id: Some(u64::MAX),
                },
                answer: Some(Response {
                    key: Some(key),
                    transfer_id: Some(u64::MAX),
                    body_digest: Some(u64::MAX),
                    ..Response::error(599, Code::parse(&"x".repeat(code_bytes)))
                }),
            },
        }
    }

    #[test]
    fn round_trips() {
        let e = Envelope {
            id: 42,
            reply_to: Some(7),
            tag: Tag::transfer(TransferIx(0), 2),
            point: Point::Response,
            body: Body::Response(Response::created(Some(3))),
        };
        let bytes = e.encode().unwrap();
        assert_eq!(peek_id(&bytes), Some(42));
        assert_eq!(Header::read(&bytes), Some(e.header()));
        assert_eq!(Envelope::decode(&bytes), Some(e));
        assert_eq!(Envelope::decode(&bytes[..4]), None);
        let big = biggest(64);
        assert_eq!(Header::read(&big.encode().unwrap()), Some(big.header()));
    }

    /// A call is written as the arm it holds, as when one enum held every
    /// kind: messages keep their form and size, so seeds replay as before.
    #[test]
    fn calls_keep_their_wire_form() {
        let calls = [
            (Call::Design(DesignCall::IssueKey), r#""IssueKey""#),
            (Call::Design(DesignCall::Txn(3)), r#"{"Txn":3}"#),
            (Call::Service(ServiceCall::Keys(1)), r#"{"Keys":1}"#),
            (Call::Service(ServiceCall::Ledger(2)), r#"{"Ledger":2}"#),
        ];
        for (call, json) in calls {
            assert_eq!(serde_json::to_string(&call).unwrap(), json);
            assert_eq!(serde_json::from_str::<Call>(json).unwrap(), call);
        }
    }

    #[test]
    fn store_calls_carry_any_bytes() {
        let bytes: Vec<u8> = (0..=255).collect();
        let e = Envelope {
            id: 1,
            reply_to: None,
            tag: Tag::transfer(TransferIx(0), 1),
            point: Point::Call(Call::Service(ServiceCall::Keys(1))),
            body: Body::StoreCall {
                call: ServiceCall::Keys(1),
                key: None,
                request: StoreRequest::Resp(bytes.clone()),
            },
        };
        let encoded = e.encode().unwrap();
        assert_eq!(Envelope::decode(&encoded), Some(e));
        assert!(
            encoded.len() < 6 * bytes.len() + 200,
            "{} bytes",
            encoded.len()
        );
    }

    #[test]
    fn meanings() {
        assert_eq!(Response::created(None).meaning(), Meaning::Success);
        assert_eq!(
            Response::error(409, Code::KeyInUse).meaning(),
            Meaning::Transient
        );
        assert_eq!(
            Response::error(400, Code::UnknownKey).meaning(),
            Meaning::Failure
        );
        let mut final_500 = Response::error(500, Code::parse("internal"));
        assert_eq!(final_500.meaning(), Meaning::Transient);
        final_500.final_answer = true;
        assert_eq!(final_500.meaning(), Meaning::Failure);
        assert_eq!(Code::parse("key_in_use"), Code::KeyInUse);
        assert_eq!(Code::parse("teapot").as_str(), "teapot");
    }
}
