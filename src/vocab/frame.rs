//! A frame: how a write on one of the world's TCP connections travels, so
//! that the network's fault injector can read it as it reads a datagram.
//!
//! Both ends of every such connection are idemsim's (a client and a
//! service's HTTP layer, a service's database connection and the database
//! host), so each write travels as one frame: the binary [`Header`], the
//! payload's length (4 bytes, little-endian), then the bytes the code above
//! wrote. turmoil sends one TCP segment per write, so every segment in
//! flight starts with a header.

use super::wire::Header;
use std::io;

/// Bytes of a frame before its payload: the header and a 4-byte length.
pub const PREFIX_BYTES: usize = Header::BYTES + 4;

/// Largest payload of one frame; a longer write is split.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// The frame that carries `payload` (at most [`MAX_PAYLOAD_BYTES`]).
pub fn encode(header: &Header, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() <= MAX_PAYLOAD_BYTES, "a write is split first");
    let mut frame = Vec::with_capacity(PREFIX_BYTES + payload.len());
    header.write(&mut frame);
    let length = u32::try_from(payload.len())
        .expect("MAX_PAYLOAD_BYTES keeps a frame's length below u32::MAX");
    frame.extend_from_slice(&length.to_le_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// Takes the next whole frame out of `unframed`, if there is one.
pub fn take(unframed: &mut Vec<u8>) -> io::Result<Option<(Header, Vec<u8>)>> {
    if unframed.len() < PREFIX_BYTES {
        return Ok(None);
    }
    let header = Header::read(unframed)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a frame without a header"))?;
    let length = u32::from_le_bytes(
        unframed[Header::BYTES..PREFIX_BYTES]
            .try_into()
            .expect("4 bytes"),
    ) as usize;
    if length > MAX_PAYLOAD_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a frame too long",
        ));
    }
    if unframed.len() < PREFIX_BYTES + length {
        return Ok(None);
    }
    let payload = unframed[PREFIX_BYTES..PREFIX_BYTES + length].to_vec();
    unframed.drain(..PREFIX_BYTES + length);
    Ok(Some((header, payload)))
}

/// The reading half of a framed stream: the bytes read so far, the frames
/// taken out of them, and the payload being handed up in pieces. Each end
/// decides what to do with a frame (skip it, break the connection, note
/// its header); this holds what every end does alike.
#[derive(Debug, Default)]
pub struct Reader {
    /// Bytes read, not yet a whole frame.
    unframed: Vec<u8>,
    /// The payload being handed up, and how much of it has been.
    payload: Vec<u8>,
    handed_out: usize,
    /// The other end closed the stream.
    eof: bool,
}

impl Reader {
    /// Copies what is left of the current payload into `out`; false when
    /// nothing is left.
    pub fn hand_out(&mut self, out: &mut tokio::io::ReadBuf<'_>) -> bool {
        if self.handed_out >= self.payload.len() {
            return false;
        }
        let n = out.remaining().min(self.payload.len() - self.handed_out);
        out.put_slice(&self.payload[self.handed_out..self.handed_out + n]);
        self.handed_out += n;
        true
    }

    /// The next whole frame read so far, if there is one.
    pub fn next_frame(&mut self) -> io::Result<Option<(Header, Vec<u8>)>> {
        take(&mut self.unframed)
    }

    /// Hands `payload` up next.
    pub fn hand_up(&mut self, payload: Vec<u8>) {
        self.payload = payload;
        self.handed_out = 0;
    }

    /// Whether the other end has closed the stream.
    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// Reads what `inner` has: ready once some bytes (or the end of the
    /// stream) came in.
    pub fn fill<S: tokio::io::AsyncRead + Unpin>(
        &mut self,
        inner: &mut S,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        use std::task::Poll;
        let mut chunk = [0u8; 4096];
        let mut chunk_buf = tokio::io::ReadBuf::new(&mut chunk);
        match std::pin::Pin::new(inner).poll_read(cx, &mut chunk_buf) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok(())) => {
                let filled = chunk_buf.filled();
                if filled.is_empty() {
                    self.eof = true;
                } else {
                    self.unframed.extend_from_slice(filled);
                }
                Poll::Ready(Ok(()))
            }
        }
    }
}

/// Writes `payload` (at most [`MAX_PAYLOAD_BYTES`] of it) to `inner` as
/// one frame under `header`; ready with how much of the payload went.
pub fn poll_write<S: tokio::io::AsyncWrite + Unpin>(
    inner: &mut S,
    cx: &mut std::task::Context<'_>,
    header: &Header,
    payload: &[u8],
) -> std::task::Poll<io::Result<usize>> {
    use std::task::Poll;
    let payload = &payload[..payload.len().min(MAX_PAYLOAD_BYTES)];
    let frame = encode(header, payload);
    match std::pin::Pin::new(inner).poll_write(cx, &frame) {
        Poll::Ready(Ok(n)) => {
            // turmoil sends a whole write as one segment, or none of it.
            assert_eq!(n, frame.len(), "a frame leaves whole");
            Poll::Ready(Ok(payload.len()))
        }
        Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        Poll::Pending => Poll::Pending,
    }
}

/// The error a connection the network broke gives its reader and writer.
pub fn reset() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection reset")
}
