//! HTTP over turmoil's TCP, framed so the fault injector can judge it.
//!
//! Both ends of every connection between a client and a service are
//! idemsim's, so each write travels as one frame: the binary
//! [`Header`] every datagram starts with (message id, tag, which message of
//! the attempt it is), its length, then the bytes hyper wrote. turmoil sends
//! one TCP segment per write, so every segment in flight starts with a
//! header, and the injector reads it exactly as it reads a datagram's.
//!
//! A lost message is thrown away where it arrives, as for datagrams: the
//! reading end skips a frame whose id is in the run's lost set, and hyper
//! above it never sees those bytes. A held message is held in turmoil's
//! network, and the stream behind it waits, as TCP does.

use super::Shared;
use crate::limits;
use crate::vocab::wire::{Header, Key, MsgId, Point, Tag};
use std::cell::Cell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use turmoil::net::TcpStream;

use crate::vocab::frame::{self, MAX_PAYLOAD_BYTES};

/// What the server's end of one connection has learned and decided.
#[derive(Debug, Default)]
pub(crate) struct Connection {
    /// The id of the request frame read last.
    pub request_msg: Cell<MsgId>,
    /// The attempt the connection serves, from its request frames.
    pub tag: Cell<Option<Tag>>,
    /// The idempotency key the attempt carries, from its request frames.
    pub key: Cell<Option<Key>>,
    /// The id the response's frames carry, once the layer has chosen it.
    pub response_msg: Cell<Option<MsgId>>,
}

/// Which end of a connection a stream is.
enum End {
    /// A client's: its frames are the request of attempt `tag`.
    Client {
        tag: Tag,
        key: Option<Key>,
        request_msg: MsgId,
    },
    /// The service's: its frames answer the request it read.
    Server { connection: Rc<Connection> },
}

/// A TCP stream whose writes travel as frames (see the module docs).
pub(crate) struct FramedStream {
    inner: TcpStream,
    shared: Rc<Shared>,
    end: End,
    reader: frame::Reader,
}

impl FramedStream {
    pub fn client(
        inner: TcpStream,
        shared: Rc<Shared>,
        tag: Tag,
        key: Option<Key>,
        request_msg: MsgId,
    ) -> FramedStream {
        FramedStream::new(
            inner,
            shared,
            End::Client {
                tag,
                key,
                request_msg,
            },
        )
    }

    pub fn server(
        inner: TcpStream,
        shared: Rc<Shared>,
        connection: Rc<Connection>,
    ) -> FramedStream {
        FramedStream::new(inner, shared, End::Server { connection })
    }

    fn new(inner: TcpStream, shared: Rc<Shared>, end: End) -> FramedStream {
        FramedStream {
            inner,
            shared,
            end,
            reader: frame::Reader::default(),
        }
    }

    /// The header of the next frame this end writes.
    fn header(&self) -> Header {
        match &self.end {
            End::Client {
                tag,
                key,
                request_msg,
            } => Header {
                id: *request_msg,
                tag: *tag,
                point: if tag.key_request {
                    Point::KeyRequest
                } else {
                    Point::Request
                },
                key: *key,
            },
            End::Server { connection } => {
                let id = connection.response_msg.get().unwrap_or_else(|| {
                    // An answer hyper wrote on its own (to a request it could
                    // not parse): a message of its own.
                    let id = self.shared.next_message_id();
                    connection.response_msg.set(Some(id));
                    id
                });
                let tag = connection.tag.get().unwrap_or(Tag::NO_ATTEMPT);
                Header {
                    id,
                    tag,
                    point: if tag.key_request {
                        Point::KeyResponse
                    } else {
                        Point::Response
                    },
                    key: None,
                }
            }
        }
    }
}

impl AsyncRead for FramedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.reader.hand_out(out) {
                return Poll::Ready(Ok(()));
            }
            if let Some((header, payload)) = this.reader.next_frame()? {
                if this.shared.lost.borrow().contains(&header.id) {
                    continue;
                }
                if let End::Server { connection } = &this.end {
                    connection.request_msg.set(header.id);
                    connection.tag.set(Some(header.tag));
                    connection.key.set(header.key);
                }
                this.reader.hand_up(payload);
                continue;
            }
            if this.reader.at_eof() {
                return Poll::Ready(Ok(()));
            }
            if let Err(e) = ready!(this.reader.fill(&mut this.inner, cx)) {
                return Poll::Ready(Err(e));
            }
        }
    }
}

impl AsyncWrite for FramedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let header = this.header();
        frame::poll_write(&mut this.inner, cx, &header, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

const _: () = assert!(MAX_PAYLOAD_BYTES >= limits::MAX_RESPONSE_BYTES);
