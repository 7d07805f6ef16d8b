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
use crate::service::http_api::{AnswerReading, Fill, HttpRequest, Meaning};
use crate::service::sites::Site;
use crate::service::{Attempt, Env, Service};
use crate::vocab::wire::{Code, Endpoint, Key, MsgId, PORT, Response, Tag, TransferBody};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use std::cell::RefCell;
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
    shared.boot_tasks.set(super::lineage::alive_tasks());
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
    // The key too: wherever the service's API puts it, the client says
    // which one it sent in the framing.
    let key = connection.key.get();
    let body = shared.scenario.transfer(tag.transfer).body();
    let endpoint = if tag.key_request {
        Endpoint::Keys
    } else {
        Endpoint::Transfers
    };
    let request_msg = connection.request_msg.get();
    shared.record(
        Host::Api,
        What::ApiReceived {
            msg: request_msg,
            tag,
            endpoint,
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
    let mut response = response_of(
        parts.status,
        &parts.headers,
        &bytes,
        &shared.scenario.http_api().answer,
    );
    if tag.key_request {
        response.key = shared
            .scenario
            .http_api()
            .issued_key(&bytes)
            .and_then(|text| shared.intern_issued_key(&text));
    }
    let msg = shared.next_message_id();
    connection.response_msg.set(Some(msg));
    shared.record(
        Host::Api,
        What::ApiReplied {
            msg,
            request_msg,
            tag,
            endpoint,
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
/// the `Idempotent-Replayed` and `Should-Retry` headers; what the answer
/// means by the service's rules (`reading`: see [`AnswerReading`]); and a
/// digest of the body, so that answers that differ only in their bodies
/// tell apart.
pub(crate) fn response_of(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    body: &[u8],
    reading: &AnswerReading,
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
    let final_answer = header_is("should-retry", "false");
    let meaning = reading.meaning(status.as_u16(), headers, json.as_ref());
    Response {
        status: status.as_u16(),
        code: Code::parse(&code),
        transfer_id: None,
        key: None,
        replayed: header_is("idempotent-replayed", "true"),
        final_answer,
        body_digest: Some(fnv1a(body)),
        // Recorded only where the service's own rules read it otherwise
        // than its status class does.
        read: (meaning != Meaning::of_status(status.as_u16(), final_answer)).then_some(meaning),
    }
}

/// FNV-1a, 64 bits: a digest that is the same on every machine.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The cookies one client keeps, as an HTTP client with a cookie store
/// does: every cookie the service sets, sent back on every later request
/// (all requests go to one host and path). A cookie is forgotten when the
/// service sets it again with `Max-Age=0`; expiry dates are not read, so a
/// cookie lives for the run, as a session cookie does.
#[derive(Debug, Default)]
pub(crate) struct CookieJar {
    cookies: std::collections::BTreeMap<String, String>,
}

impl CookieJar {
    /// The `Cookie` header to send, if any cookie is kept.
    fn header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Keeps what the answer's `Set-Cookie` headers set.
    fn keep(&mut self, headers: &http::HeaderMap) {
        for value in headers.get_all(http::header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            if text.len() > crate::limits::MAX_COOKIE_BYTES {
                continue;
            }
            let Ok(cookie) = cookie::Cookie::parse(text) else {
                continue;
            };
            let removed = cookie
                .max_age()
                .is_some_and(|age| age <= cookie::time::Duration::ZERO);
            if removed {
                self.cookies.remove(cookie.name());
            } else if self.cookies.contains_key(cookie.name())
                || self.cookies.len() < crate::limits::MAX_COOKIES
            {
                self.cookies
                    .insert(cookie.name().to_string(), cookie.value().to_string());
            }
        }
    }
}

/// One exchange of a client with a service: what to send, and on whose
/// behalf (the framing every segment carries, which only idemsim reads).
#[derive(Clone)]
pub(crate) struct Exchange {
    pub client: ClientIx,
    pub tag: Tag,
    pub key: Option<Key>,
    pub request_msg: MsgId,
    pub request: HttpRequest,
    pub cookies: Rc<RefCell<CookieJar>>,
}

/// The transfer request of attempt `tag`, as the service's API shapes it.
pub(crate) fn transfer_request(
    shared: &Shared,
    client: ClientIx,
    tag: Tag,
    key: Option<Key>,
    body: TransferBody,
) -> HttpRequest {
    let scenario = &shared.scenario;
    let key_text = key.map(|k| shared.key_text(k)).unwrap_or_default();
    let client_name = Host::Client(client).name();
    let fill = Fill {
        from: scenario.account_name(body.from),
        to: scenario.account_name(body.to),
        amount: body.amount,
        currency: &scenario.http_api().currency,
        transfer: &scenario.transfer(tag.transfer).id,
        key: &key_text,
        client: &client_name,
    };
    scenario.http_api().transfer_request(&fill)
}

/// The request that asks the service for a key for `transfer`, when its
/// API issues them.
pub(crate) fn key_request(
    shared: &Shared,
    client: ClientIx,
    tag: Tag,
    body: TransferBody,
) -> Option<HttpRequest> {
    let scenario = &shared.scenario;
    let client_name = Host::Client(client).name();
    let fill = Fill {
        from: scenario.account_name(body.from),
        to: scenario.account_name(body.to),
        amount: body.amount,
        currency: &scenario.http_api().currency,
        transfer: &scenario.transfer(tag.transfer).id,
        key: "",
        client: &client_name,
    };
    scenario.http_api().key_request(&fill)
}

/// One attempt of a client against a service: connect, send, read the
/// answer, all before `deadline_ms`. `None` when no answer came in time (a
/// connection that fails counts as no answer: the client waits out its
/// timeout, as for a request lost on the way). The answer's raw body comes
/// back too, for a key request whose key is in it.
pub(crate) async fn attempt(
    shared: &Rc<Shared>,
    exchange: &Exchange,
    deadline_ms: u64,
) -> Option<(Response, Bytes)> {
    let call = run_exchange(shared, exchange);
    match timeout_at(&shared.clock, deadline_ms, call).await {
        Some(Ok(answer)) => Some(answer),
        Some(Err(_)) => {
            shared.clock.sleep_until(deadline_ms).await;
            None
        }
        None => None,
    }
}

/// The request of a duplicated attempt, sent again on a connection of its
/// own, as a client or a retransmitting proxy would: its answer goes nowhere.
pub(crate) fn duplicate(shared: &Rc<Shared>, exchange: Exchange, deadline_ms: u64) {
    let shared = shared.clone();
    super::panics::spawn(Host::Client(exchange.client), async move {
        let call = run_exchange(&shared, &exchange);
        let _ = timeout_at(&shared.clock, deadline_ms, call).await;
    });
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn run_exchange(
    shared: &Rc<Shared>,
    exchange: &Exchange,
) -> Result<(Response, Bytes), crate::service::BoxError> {
    let stream = TcpStream::connect((turmoil::lookup("api"), HTTP_PORT)).await?;
    let io = TokioIo::new(FramedStream::client(
        stream,
        shared.clone(),
        exchange.tag,
        exchange.key,
        exchange.request_msg,
    ));
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .writev(false)
        .handshake(io)
        .await?;
    let _driver = AbortOnDrop(tokio::task::spawn_local(async move {
        let _ = connection.await;
    }));
    let shape = &exchange.request;
    let mut request = http::Request::builder()
        .method(shape.method.clone())
        .uri(shape.path.as_str())
        .header(HOST, "api")
        .header(
            AUTHORIZATION,
            format!("Bearer {}", Host::Client(exchange.client)),
        );
    if shape.body.is_some() {
        request = request.header(CONTENT_TYPE, "application/json");
    }
    for (name, value) in &shape.headers {
        request = request.header(name, value.as_str());
    }
    if let Some(cookies) = exchange.cookies.borrow().header() {
        request = request.header(http::header::COOKIE, cookies);
    }
    let body = Bytes::from(shape.body.clone().unwrap_or_default());
    let response = sender.send_request(request.body(Full::new(body))?).await?;
    let (parts, body) = response.into_parts();
    exchange.cookies.borrow_mut().keep(&parts.headers);
    let bytes = Limited::new(body, crate::limits::MAX_RESPONSE_BYTES)
        .collect()
        .await?
        .to_bytes();
    let reading = &shared.scenario.http_api().answer;
    Ok((
        response_of(parts.status, &parts.headers, &bytes, reading),
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_as_clients_read_them() {
        let mut headers = http::HeaderMap::new();
        let reading = AnswerReading::default();
        let r = response_of(http::StatusCode::CREATED, &headers, b"{\"id\":7}", &reading);
        assert_eq!((r.status, r.code.as_str()), (201, "created"));
        assert!(r.is_success() && !r.replayed);
        headers.insert("idempotent-replayed", "true".parse().unwrap());
        headers.insert("should-retry", "false".parse().unwrap());
        let r = response_of(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            &headers,
            br#"{"error":{"code":"ledger_down"}}"#,
            &reading,
        );
        assert_eq!(r.code.as_str(), "ledger_down");
        assert!(r.replayed && r.final_answer);
        assert_eq!(r.meaning(), crate::vocab::wire::Meaning::Failure);
        let a = response_of(
            http::StatusCode::OK,
            &http::HeaderMap::new(),
            b"a",
            &reading,
        );
        let b = response_of(
            http::StatusCode::OK,
            &http::HeaderMap::new(),
            b"b",
            &reading,
        );
        assert_ne!(a.content(), b.content());
    }
}
