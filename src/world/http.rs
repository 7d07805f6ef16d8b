//! A service on the `api` host, and its clients' HTTP: real HTTP/1.1 (hyper)
//! over turmoil's TCP, one connection per attempt.
//!
//! The host boots the service with its factory at every start, binds
//! port 80 and serves each connection with hyper. idemsim's layer sits
//! between hyper and the service: it reads which attempt a request serves,
//! records what arrived and what left, passes the `start` and `end` sites
//! where faults may stall or crash the API, and runs the service inside the
//! attempt's scope so that its store calls are attributed.

use super::frame::{Connection, FramedStream};
use super::service_world::{self, Handling, ServiceBoot};
use super::{Shared, clock::timeout_at};
use crate::history::{Host, What};
use crate::scenario::ClientIx;
use crate::service::sites::Site;
use crate::service::{Attempt, Env, Service};
use crate::wire::{Code, Endpoint, Key, MsgId, PORT, Response, Tag, TransferBody};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::sync::Arc;
use turmoil::net::{TcpListener, TcpStream, UdpSocket};

/// The port a service listens on.
pub const HTTP_PORT: u16 = 80;

/// The `api` host running a service, for one boot.
pub(crate) async fn service_main(shared: Rc<Shared>, service: Arc<Service>) -> turmoil::Result {
    let incarnation = shared.api_incarnation.get() + 1;
    shared.api_incarnation.set(incarnation);
    let socket = Rc::new(UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?);
    *shared.service.borrow_mut() = Some(ServiceBoot::new(Rc::downgrade(&socket)));
    *shared.api_runtime.borrow_mut() = Some(tokio::runtime::Handle::current());
    super::panics::spawn(Host::Api, super::warp::follow(shared.clone()));
    let listener = TcpListener::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), HTTP_PORT)).await?;
    {
        let shared = shared.clone();
        super::panics::spawn(Host::Api, async move {
            let _ = service_world::route_answers(shared, socket).await;
        });
    }
    shared.self_test_panic(Host::Api);
    let env = Env {
        incarnation,
        seed: shared.seed,
    };
    let handler = service.boot(&env);
    loop {
        let (stream, _) = listener.accept().await?;
        let connection = Rc::new(Connection::default());
        let io = TokioIo::new(FramedStream::server(
            stream,
            shared.clone(),
            connection.clone(),
        ));
        let (shared, handler) = (shared.clone(), handler.clone());
        let serve = hyper::service::service_fn(move |request| {
            layer(shared.clone(), handler.clone(), connection.clone(), request)
        });
        super::panics::spawn(Host::Api, async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            // hyper's `date` header reads the wall clock.
            builder.auto_date_header(false).writev(false);
            let _ = builder.serve_connection(io, serve).await;
        });
    }
}

/// idemsim's layer around one request (see the module docs).
async fn layer(
    shared: Rc<Shared>,
    handler: crate::service::Handler,
    connection: Rc<Connection>,
    mut request: crate::service::Request,
) -> Result<crate::service::Answer, Infallible> {
    // Which attempt the request serves travels in the connection's framing,
    // which only idemsim's two ends read: the service never sees it.
    let tag = connection
        .tag
        .get()
        .filter(|tag| (tag.transfer.0 as usize) < shared.scenario.transfers.len());
    let Some(tag) = tag else {
        return Ok(crate::service::internal_error(
            "a request that no idemsim client sent",
        ));
    };
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .and_then(Key::parse);
    let body = shared.scenario.transfer(tag.transfer).body();
    let request_msg = connection.request_msg.get();
    shared.record(
        Host::Api,
        What::ApiReceived {
            msg: request_msg,
            tag,
            endpoint: Endpoint::Transfers,
            key,
            body: Some(body),
        },
    );
    let handling = Handling::new(&shared, tag);
    let attempt = Attempt { tag, key };
    request.extensions_mut().insert(attempt);
    service_world::pass(attempt, Site::Start).await;
    let answer = super::lineage::Watched::new(
        attempt.scope(handler(request)),
        attempt,
        Rc::new(service_world::note_spawned),
        handling.spawned.clone(),
    )
    .await;
    service_world::pass(attempt, Site::End).await;
    let (parts, body_bytes) = answer.into_parts();
    let bytes = body_bytes
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    handling.finish();
    let response = response_of(parts.status, &parts.headers, &bytes);
    let msg = shared.next_message_id();
    connection.response_msg.set(Some(msg));
    shared.record(
        Host::Api,
        What::ApiReplied {
            msg,
            request_msg,
            tag,
            endpoint: Endpoint::Transfers,
            key,
            body: Some(body),
            response,
        },
    );
    Ok(http::Response::from_parts(parts, Full::new(bytes)))
}

/// What a client makes of an HTTP answer (and what the history records of
/// it): the status; the code from the JSON body's `code` (or `error.code`,
/// or `error` when it is a string), else the status's reason in snake case;
/// the `Idempotent-Replayed` and `Should-Retry` headers; and a digest of the
/// body, so that answers that differ only in their bodies tell apart.
pub(crate) fn response_of(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Response {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let from_body = json.as_ref().and_then(|j| {
        j.get("code")
            .and_then(|c| c.as_str())
            .or_else(|| {
                j.get("error")
                    .and_then(|e| e.get("code"))
                    .and_then(|c| c.as_str())
            })
            .or_else(|| j.get("error").and_then(|e| e.as_str()))
            .map(|c| crate::text::truncate(c, crate::limits::MAX_NAME_BYTES))
    });
    let code = from_body.unwrap_or_else(|| {
        status
            .canonical_reason()
            .unwrap_or("unknown")
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
    });
    let header_is = |name: &str, value: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    };
    Response {
        status: status.as_u16(),
        code: Code::parse(&code),
        transfer_id: None,
        key: None,
        replayed: header_is("idempotent-replayed", "true"),
        final_answer: header_is("should-retry", "false"),
        body_digest: Some(fnv1a(body)),
    }
}

/// FNV-1a, 64 bits: a digest that is the same on every machine.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One attempt of a client against a service: connect, send, read the
/// answer, all before `deadline_ms`. `None` when no answer came in time (a
/// connection that fails counts as no answer: the client waits out its
/// timeout, as for a request lost on the way).
pub(crate) async fn attempt(
    shared: &Rc<Shared>,
    client: ClientIx,
    tag: Tag,
    key: Option<Key>,
    body: TransferBody,
    request_msg: MsgId,
    deadline_ms: u64,
) -> Option<Response> {
    let exchange = exchange(shared, client, tag, key, body, request_msg);
    match timeout_at(&shared.clock, deadline_ms, exchange).await {
        Some(Ok(response)) => Some(response),
        Some(Err(_)) => {
            shared.clock.sleep_until(deadline_ms).await;
            None
        }
        None => None,
    }
}

/// The request of a duplicated attempt, sent again on a connection of its
/// own, as a retransmitting proxy would: its answer goes nowhere.
pub(crate) fn duplicate(
    shared: &Rc<Shared>,
    client: ClientIx,
    tag: Tag,
    key: Option<Key>,
    body: TransferBody,
    request_msg: MsgId,
    deadline_ms: u64,
) {
    let shared = shared.clone();
    super::panics::spawn(Host::Client(client), async move {
        let exchange = exchange(&shared, client, tag, key, body, request_msg);
        let _ = timeout_at(&shared.clock, deadline_ms, exchange).await;
    });
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn exchange(
    shared: &Rc<Shared>,
    client: ClientIx,
    tag: Tag,
    key: Option<Key>,
    body: TransferBody,
    request_msg: MsgId,
) -> Result<Response, crate::service::BoxError> {
    let stream = TcpStream::connect((turmoil::lookup("api"), HTTP_PORT)).await?;
    let io = TokioIo::new(FramedStream::client(
        stream,
        shared.clone(),
        tag,
        key,
        request_msg,
    ));
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .writev(false)
        .handshake(io)
        .await?;
    let _driver = AbortOnDrop(tokio::task::spawn_local(async move {
        let _ = connection.await;
    }));
    let scenario = &shared.scenario;
    let json = serde_json::json!({
        "from": scenario.account_name(body.from),
        "to": scenario.account_name(body.to),
        "amount": body.amount,
    })
    .to_string();
    let mut request = http::Request::post("/transfers")
        .header(HOST, "api")
        .header(CONTENT_TYPE, "application/json")
        .header(AUTHORIZATION, format!("Bearer {}", Host::Client(client)));
    if let Some(key) = key {
        request = request.header("idempotency-key", key.to_string());
    }
    let response = sender
        .send_request(request.body(Full::new(Bytes::from(json)))?)
        .await?;
    let (parts, body) = response.into_parts();
    let bytes = Limited::new(body, crate::limits::MAX_RESPONSE_BYTES)
        .collect()
        .await?
        .to_bytes();
    Ok(response_of(parts.status, &parts.headers, &bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_as_clients_read_them() {
        let mut headers = http::HeaderMap::new();
        let r = response_of(http::StatusCode::CREATED, &headers, b"{\"id\":7}");
        assert_eq!((r.status, r.code.as_str()), (201, "created"));
        assert!(r.is_success() && !r.replayed);
        headers.insert("idempotent-replayed", "true".parse().unwrap());
        headers.insert("should-retry", "false".parse().unwrap());
        let r = response_of(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            &headers,
            br#"{"error":{"code":"ledger_down"}}"#,
        );
        assert_eq!(r.code.as_str(), "ledger_down");
        assert!(r.replayed && r.final_answer);
        assert_eq!(r.meaning(), crate::wire::Meaning::Failure);
        let a = response_of(http::StatusCode::OK, &http::HeaderMap::new(), b"a");
        let b = response_of(http::StatusCode::OK, &http::HeaderMap::new(), b"b");
        assert_ne!(a.content(), b.content());
    }
}
