//! RESP2, the Redis wire protocol: what the key store speaks to a service.
//!
//! Commands travel as arrays of bulk strings (as every Redis client sends
//! them); answers as any RESP2 value. Parsing is bounded: a value may not
//! nest deeper, or hold more elements or bytes, than the limits on what a
//! store keeps, so that no input can make the parser allocate without end.

use crate::limits;
use std::fmt;

/// A RESP2 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resp {
    /// `+OK`
    Simple(String),
    /// `-ERR …`
    Error(String),
    Integer(i64),
    /// `$…`; `None` is the null bulk string (a missing key).
    Bulk(Option<Vec<u8>>),
    /// `*…`; `None` is the null array.
    Array(Option<Vec<Resp>>),
}

impl Resp {
    pub fn ok() -> Resp {
        Resp::Simple("OK".to_string())
    }

    pub fn error(message: impl Into<String>) -> Resp {
        Resp::Error(message.into())
    }

    pub fn bulk(bytes: impl Into<Vec<u8>>) -> Resp {
        Resp::Bulk(Some(bytes.into()))
    }

    pub fn nil() -> Resp {
        Resp::Bulk(None)
    }

    /// Appends the value's encoding to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Resp::Simple(s) => line(out, b'+', s.as_bytes()),
            Resp::Error(s) => line(out, b'-', s.as_bytes()),
            Resp::Integer(n) => line(out, b':', n.to_string().as_bytes()),
            Resp::Bulk(None) => out.extend_from_slice(b"$-1\r\n"),
            Resp::Bulk(Some(b)) => {
                line(out, b'$', b.len().to_string().as_bytes());
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Resp::Array(None) => out.extend_from_slice(b"*-1\r\n"),
            Resp::Array(Some(items)) => {
                line(out, b'*', items.len().to_string().as_bytes());
                for item in items {
                    item.encode(out);
                }
            }
        }
    }

    /// The bulk string's text, if it is one and is UTF-8.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Resp::Bulk(Some(b)) => std::str::from_utf8(b).ok(),
            Resp::Simple(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Resp {
    /// How the timeline shows an answer: `OK`, `(nil)`, `(integer) 1`, `"text"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resp::Simple(s) => f.write_str(s),
            Resp::Error(s) => write!(f, "(error) {s}"),
            Resp::Integer(n) => write!(f, "(integer) {n}"),
            Resp::Bulk(None) | Resp::Array(None) => f.write_str("(nil)"),
            Resp::Bulk(Some(b)) => write!(f, "\"{}\"", String::from_utf8_lossy(b)),
            Resp::Array(Some(items)) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

fn line(out: &mut Vec<u8>, kind: u8, text: &[u8]) {
    out.push(kind);
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

/// Why bytes are not RESP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

/// Deepest nesting of arrays a parsed value may have.
const MAX_DEPTH: usize = 4;

/// Parses every value in `bytes`, which must hold whole values only.
pub fn parse_all(bytes: &[u8]) -> Result<Vec<Resp>, Invalid> {
    let mut values = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if values.len() >= 2 * limits::MAX_RESP_COMMANDS + 2 {
            return Err(Invalid(format!(
                "more than {} values",
                2 * limits::MAX_RESP_COMMANDS + 2
            )));
        }
        let (value, used) = parse(&bytes[at..], 0)?;
        values.push(value);
        at += used;
    }
    Ok(values)
}

/// The byte ranges of the values in `bytes`, one per value.
pub fn split(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, Invalid> {
    let mut ranges = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (_, used) = parse(&bytes[at..], 0)?;
        ranges.push(at..at + used);
        at += used;
    }
    Ok(ranges)
}

/// Parses the commands of a packed request or pipeline: arrays of bulk strings.
pub fn parse_commands(bytes: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, Invalid> {
    parse_all(bytes)?
        .into_iter()
        .map(|value| match value {
            Resp::Array(Some(items)) if !items.is_empty() => items
                .into_iter()
                .map(|item| match item {
                    Resp::Bulk(Some(b)) => Ok(b),
                    other => Err(Invalid(format!(
                        "a command argument is {other}; expected a bulk string"
                    ))),
                })
                .collect(),
            other => Err(Invalid(format!(
                "a command is {other}; expected an array of bulk strings"
            ))),
        })
        .collect()
}

/// Packs one command, as a Redis client would send it.
pub fn encode_command<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out = Vec::new();
    Resp::Array(Some(
        args.iter()
            .map(|a| Resp::bulk(a.as_ref().to_vec()))
            .collect(),
    ))
    .encode(&mut out);
    out
}

/// One value at the front of `bytes`, and how many bytes it used.
fn parse(bytes: &[u8], depth: usize) -> Result<(Resp, usize), Invalid> {
    let (kind, rest) = bytes
        .split_first()
        .ok_or_else(|| Invalid("a value is cut short".into()))?;
    let end = rest
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or_else(|| Invalid("a line has no CRLF".into()))?;
    let text = std::str::from_utf8(&rest[..end])
        .map_err(|_| Invalid("a header line is not UTF-8".into()))?;
    let mut used = 1 + end + 2;
    let number = || {
        text.parse::<i64>()
            .map_err(|_| Invalid(format!("`{text}` is not a number")))
    };
    let value = match kind {
        b'+' => Resp::Simple(text.to_string()),
        b'-' => Resp::Error(text.to_string()),
        b':' => Resp::Integer(number()?),
        b'$' => {
            let n = number()?;
            if n == -1 {
                Resp::Bulk(None)
            } else {
                let n = usize::try_from(n)
                    .ok()
                    .filter(|&n| n <= limits::MAX_STORE_VALUE_BYTES + limits::MAX_STORE_KEY_BYTES)
                    .ok_or_else(|| Invalid(format!("a bulk string of {n} bytes")))?;
                let body = bytes
                    .get(used..used + n)
                    .ok_or_else(|| Invalid("a bulk string is cut short".into()))?;
                if bytes.get(used + n..used + n + 2) != Some(b"\r\n") {
                    return Err(Invalid("a bulk string does not end in CRLF".into()));
                }
                used += n + 2;
                Resp::Bulk(Some(body.to_vec()))
            }
        }
        b'*' => {
            let n = number()?;
            if n == -1 {
                Resp::Array(None)
            } else {
                if depth >= MAX_DEPTH {
                    return Err(Invalid("arrays nest too deep".into()));
                }
                let n = usize::try_from(n)
                    .ok()
                    .filter(|&n| n <= limits::MAX_RESP_COMMANDS)
                    .ok_or_else(|| Invalid(format!("an array of {n} elements")))?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    let (item, item_used) = parse(&bytes[used..], depth + 1)?;
                    items.push(item);
                    used += item_used;
                }
                Resp::Array(Some(items))
            }
        }
        other => {
            return Err(Invalid(format!(
                "a value starts with byte {other}; expected one of + - : $ *"
            )));
        }
    };
    Ok((value, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let values = vec![
            Resp::ok(),
            Resp::error("ERR no"),
            Resp::Integer(-42),
            Resp::nil(),
            Resp::bulk(b"a\r\nb".to_vec()),
            Resp::Array(None),
            Resp::Array(Some(vec![Resp::Integer(1), Resp::bulk("x")])),
        ];
        let mut bytes = Vec::new();
        for v in &values {
            v.encode(&mut bytes);
        }
        assert_eq!(parse_all(&bytes).unwrap(), values);
        assert_eq!(split(&bytes).unwrap().len(), values.len());
    }

    #[test]
    fn commands_parse_and_bad_input_is_refused() {
        let set = encode_command(&["SET", "k", "v", "NX"]);
        assert_eq!(
            parse_commands(&set).unwrap(),
            vec![vec![
                b"SET".to_vec(),
                b"k".to_vec(),
                b"v".to_vec(),
                b"NX".to_vec()
            ]]
        );
        for bad in [
            &b"*1\r\n$3\r\nGE"[..],
            b"*1\r\n:1\r\n",
            b"$99999999999\r\n",
            b"*-2\r\n",
            b"?\r\n",
            b"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
        ] {
            assert!(parse_commands(bad).is_err(), "{bad:?}");
        }
    }
}
