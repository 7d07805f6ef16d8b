//! The wire format: every message that crosses turmoil's network.
//!
//! Messages have an HTTP-like shape (method, path, `Idempotency-Key`, body,
//! status), serialised with serde. Each datagram starts with the message id as
//! eight little-endian bytes, so that the fault injector can tell a new message
//! from one it has already judged without decoding the rest.
//!
//! A [`Tag`] rides along with every message: which transfer and attempt it
//! belongs to. It is ghost data, like a Jepsen operation id: the fault injector
//! and the checker read it, the design never does.

use crate::design::Step;
use serde::{Deserialize, Serialize};

/// The one UDP port every host listens on.
pub const PORT: u16 = 7000;

/// Largest datagram idemsim sends or accepts.
pub const MAX_DATAGRAM_BYTES: usize = 16 * 1024;

/// Which transfer intent and attempt a message serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub transfer: String,
    pub attempt: u32,
    /// The message belongs to a key request (`POST /keys`), not to the transfer itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key_request: bool,
}

impl Tag {
    /// `t1#2`: transfer t1, attempt 2 (`t1#key2` for its key request).
    pub fn label(&self) -> String {
        if self.key_request {
            format!("{}#key{}", self.transfer, self.attempt)
        } else {
            format!("{}#{}", self.transfer, self.attempt)
        }
    }
}

/// The body of `POST /transfers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferBody {
    pub from: String,
    pub to: String,
    pub amount: i64,
}

impl TransferBody {
    /// The payload fingerprint a design compares to detect a reused key (422).
    pub fn fingerprint(&self) -> String {
        format!("{}>{}:{}", self.from, self.to, self.amount)
    }
}

/// An HTTP-like request from a client to the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// The caller's identity (an API key, in real life): who sends this request.
    pub client: String,
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub body: Option<TransferBody>,
}

impl HttpRequest {
    pub const TRANSFERS: &'static str = "/transfers";
    pub const KEYS: &'static str = "/keys";

    pub fn is_transfer(&self) -> bool {
        self.path == Self::TRANSFERS
    }
}

/// An HTTP-like response from the API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    /// Machine-readable outcome: `created`, `key_in_use`, `payload_mismatch`, …
    pub code: String,
    /// The ledger's id for the applied transfer, in a success body.
    pub transfer_id: Option<u64>,
    /// The key, in the answer to `POST /keys`.
    pub key: Option<String>,
    /// The `Idempotent-Replayed: true` header: this answer is a stored one.
    pub replayed: bool,
}

impl HttpResponse {
    pub fn error(status: u16, code: &str) -> Self {
        HttpResponse {
            status,
            code: code.to_string(),
            transfer_id: None,
            key: None,
            replayed: false,
        }
    }

    pub fn created(transfer_id: Option<u64>) -> Self {
        HttpResponse {
            transfer_id,
            ..HttpResponse::error(201, "created")
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Answers that say "try again later" rather than give the outcome: 409
    /// while the key is in use, 429, and server-side failures.
    pub fn is_transient(&self) -> bool {
        self.status == 409 && self.code == "key_in_use" || self.status == 429 || self.status >= 500
    }

    /// What a client may compare between two answers: everything but the replay header.
    pub fn content(&self) -> (u16, &str, Option<u64>) {
        (self.status, &self.code, self.transfer_id)
    }

    /// `201 created (transfer 3)`.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}", self.status, self.code);
        if let Some(id) = self.transfer_id {
            s.push_str(&format!(" (transfer {id})"));
        }
        if let Some(key) = &self.key {
            s.push_str(&format!(" (key {key})"));
        }
        if self.replayed {
            s.push_str(" [replayed]");
        }
        s
    }
}

/// What a store transaction runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Program {
    /// Record a newly issued key (`POST /keys`).
    IssueKey,
    /// One transaction of the transfer endpoint.
    Steps { name: String, steps: Vec<Step> },
}

/// What a transaction knows about the request it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnContext {
    /// The key as the client sent it.
    pub key: Option<String>,
    /// Where the record lives: the key itself, or `client/key` when keys are
    /// scoped per client.
    pub record_key: Option<String>,
    pub body: Option<TransferBody>,
    /// Who holds a claim: unique per API incarnation and request.
    pub claim_token: String,
    /// The ledger's id for this transfer, once a debit has assigned one.
    pub transfer_id: Option<u64>,
    pub key_ttl_ms: Option<u64>,
    pub lock_ms: Option<u64>,
}

/// The result of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnOutcome {
    /// Committed; go on with the next transaction.
    Continue { transfer_id: Option<u64> },
    /// Stopped at a step that answers the client.
    Reply(HttpResponse),
    /// Another request holds the key and the design waits: run this again later.
    Wait,
}

/// Every kind of message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    Request(HttpRequest),
    Response(HttpResponse),
    Txn {
        program: Program,
        context: TxnContext,
    },
    TxnResult(TxnOutcome),
}

/// A message with its id, the id it answers, and its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: u64,
    pub reply_to: Option<u64>,
    pub tag: Tag,
    /// Which message of its attempt this is (see [`point`]); faults name it.
    pub point: String,
    pub body: Body,
}

/// The names of the messages of one attempt, as faults write them.
///
/// `request` and `response` travel between the client and the API for the
/// transfer; `key-request` and `key-response` for `POST /keys`; between the
/// API and a store, a transaction travels as its name (`issue-key` for a key
/// being issued) and its answer as the name with `-result`.
pub mod point {
    pub const REQUEST: &str = "request";
    pub const RESPONSE: &str = "response";
    pub const KEY_REQUEST: &str = "key-request";
    pub const KEY_RESPONSE: &str = "key-response";
    pub const ISSUE_KEY: &str = "issue-key";
    pub const RESULT_SUFFIX: &str = "-result";

    /// The point of the answer to a message at `point`.
    pub fn answer(point: &str) -> String {
        match point {
            REQUEST => RESPONSE.to_string(),
            KEY_REQUEST => KEY_RESPONSE.to_string(),
            txn => format!("{txn}{RESULT_SUFFIX}"),
        }
    }

    /// Names no design transaction may take, because messages already use them.
    pub fn is_reserved(name: &str) -> bool {
        [REQUEST, RESPONSE, KEY_REQUEST, KEY_RESPONSE, ISSUE_KEY].contains(&name)
            || name.ends_with(RESULT_SUFFIX)
    }
}

impl Envelope {
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = self.id.to_le_bytes().to_vec();
        serde_json::to_writer(&mut bytes, self).expect("messages always serialise");
        assert!(bytes.len() <= MAX_DATAGRAM_BYTES, "message too large");
        bytes
    }

    pub fn decode(bytes: &[u8]) -> Option<Envelope> {
        let envelope: Envelope = serde_json::from_slice(bytes.get(8..)?).ok()?;
        (Some(envelope.id) == peek_id(bytes)).then_some(envelope)
    }

    /// A short description for the timeline: `transfer request t1#2`, `apply txn t1#1`.
    pub fn describe(&self) -> String {
        let label = self.tag.label();
        match &self.body {
            Body::Request(r) if r.is_transfer() => format!("transfer request {label}"),
            Body::Request(_) => format!("key request {label}"),
            Body::Response(r) => format!("response {label} ({})", r.describe()),
            Body::Txn {
                program: Program::IssueKey,
                ..
            } => format!("issue-key txn {label}"),
            Body::Txn {
                program: Program::Steps { name, .. },
                ..
            } => format!("{name} txn {label}"),
            Body::TxnResult(_) => format!("{} {label}", self.point),
        }
    }
}

/// The message id at the head of a datagram.
pub fn peek_id(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let e = Envelope {
            id: 42,
            reply_to: Some(7),
            tag: Tag {
                transfer: "t1".into(),
                attempt: 2,
                key_request: false,
            },
            point: point::RESPONSE.to_string(),
            body: Body::Response(HttpResponse::created(Some(3))),
        };
        let bytes = e.encode();
        assert_eq!(peek_id(&bytes), Some(42));
        assert_eq!(Envelope::decode(&bytes), Some(e));
        assert_eq!(Envelope::decode(&bytes[..4]), None);
    }
}
