//! Where one PostgreSQL protocol message ends and the next begins, for a
//! reader that sees the bytes of a connection go by in pieces and only
//! needs each message's type: the world counts a client's requests (a
//! simple `Query`, or the extended protocol's messages up to `Sync`) and
//! the server's `ReadyForQuery` answers without decoding either.

/// The protocol code of a StartupMessage (protocol 3.0): after it, every
/// message of the client starts with a type byte.
const PROTOCOL_3: u32 = 196_608;

/// The type of a frontend `Query` message.
pub const QUERY: u8 = b'Q';
/// The type of a frontend `Execute` message.
pub const EXECUTE: u8 = b'E';
/// The type of a frontend `Sync` message.
pub const SYNC: u8 = b'S';
/// The type of a backend `ReadyForQuery` message.
pub const READY_FOR_QUERY: u8 = b'Z';

/// Splits one direction of a connection into messages.
#[derive(Debug, Clone)]
pub struct Scanner {
    /// Whether messages have no type byte yet: a client's until its
    /// StartupMessage (SSLRequest and GSSENCRequest come before it, also
    /// untyped); never for a server.
    untyped: bool,
    /// The bytes of the current message's header read so far.
    header: Vec<u8>,
    /// Bytes of the current message's body still to come.
    remaining: usize,
    /// The code of an untyped message whose body is being read (the first
    /// four bytes of its body).
    code: Vec<u8>,
}

impl Scanner {
    /// For the bytes a client sends: a startup phase, then typed messages.
    pub fn frontend() -> Scanner {
        Scanner {
            untyped: true,
            header: Vec::new(),
            remaining: 0,
            code: Vec::new(),
        }
    }

    /// For the bytes a server sends: typed messages throughout.
    pub fn backend() -> Scanner {
        Scanner {
            untyped: false,
            ..Scanner::frontend()
        }
    }

    /// Reads `bytes`, calling `on_message` with the type of every typed
    /// message whose header it completes (untyped startup messages are
    /// not reported).
    pub fn feed(&mut self, mut bytes: &[u8], mut on_message: impl FnMut(u8)) {
        while !bytes.is_empty() {
            if self.remaining > 0 {
                let n = self.remaining.min(bytes.len());
                if self.untyped && self.code.len() < 4 {
                    let want = (4 - self.code.len()).min(n);
                    self.code.extend_from_slice(&bytes[..want]);
                }
                self.remaining -= n;
                bytes = &bytes[n..];
                if self.remaining == 0 && self.untyped {
                    self.end_untyped();
                }
                continue;
            }
            let header_len = if self.untyped { 4 } else { 5 };
            let want = header_len - self.header.len();
            let n = want.min(bytes.len());
            self.header.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if self.header.len() < header_len {
                continue;
            }
            let length_at = header_len - 4;
            let length = u32::from_be_bytes(
                self.header[length_at..header_len]
                    .try_into()
                    .expect("4 bytes"),
            ) as usize;
            if !self.untyped {
                on_message(self.header[0]);
            }
            self.header.clear();
            // The length counts itself; a malformed one below 4 ends nothing.
            self.remaining = length.saturating_sub(4);
            if self.remaining == 0 && self.untyped {
                self.end_untyped();
            }
        }
    }

    /// An untyped message ended: a StartupMessage ends the startup phase.
    fn end_untyped(&mut self) {
        if self.code.len() == 4
            && u32::from_be_bytes(self.code[..4].try_into().expect("4 bytes")) == PROTOCOL_3
        {
            self.untyped = false;
        }
        self.code.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(ty: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![ty];
        out.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn untyped(code: u32, rest: &[u8]) -> Vec<u8> {
        let mut out = (rest.len() as u32 + 8).to_be_bytes().to_vec();
        out.extend_from_slice(&code.to_be_bytes());
        out.extend_from_slice(rest);
        out
    }

    #[test]
    fn messages_are_found_whatever_the_pieces() {
        let mut stream = untyped(80_877_103, b""); // SSLRequest
        stream.extend(untyped(PROTOCOL_3, b"user\0app\0\0"));
        stream.extend(typed(b'P', b"\0SELECT 1\0\0\0"));
        stream.extend(typed(b'B', b"\0\0\0\0\0\0\0\0"));
        stream.extend(typed(b'E', b"\0\0\0\0\0"));
        stream.extend(typed(SYNC, b""));
        stream.extend(typed(QUERY, b"COMMIT\0"));
        let expected = vec![b'P', b'B', b'E', SYNC, QUERY];
        for piece in [1, 2, 3, 5, 7, stream.len()] {
            let mut scanner = Scanner::frontend();
            let mut seen = Vec::new();
            for chunk in stream.chunks(piece) {
                scanner.feed(chunk, |t| seen.push(t));
            }
            assert_eq!(seen, expected, "pieces of {piece} bytes");
        }
    }
}
