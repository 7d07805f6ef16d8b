//! jsonb: PostgreSQL's binary JSON, as a value tree with its text form,
//! its order, containment (`@>`) and field access (`->`, `->>`, `?`).
//!
//! A jsonb column holds its canonical text ([`super::value::Value::Json`]);
//! operators parse it back into a [`Jsonb`]. Numbers are exact decimals,
//! so `1.50` prints as written and equals `1.5`, as PostgreSQL's numeric
//! does. JSON parsers that read numbers as floats cannot give either, so
//! the small grammar is read here.

use super::SqlError;
use super::value::Decimal;
use std::cmp::Ordering;
use std::fmt::Write as _;

/// Deepest nesting of arrays and objects accepted. PostgreSQL's limit
/// comes from its stack depth; a bound here keeps recursion safe.
pub const MAX_DEPTH: usize = 200;

/// One jsonb value. An object's pairs are kept in PostgreSQL's storage
/// order (shorter keys first, then bytewise), each key once.
#[derive(Debug, Clone, PartialEq)]
pub enum Jsonb {
    Null,
    Bool(bool),
    Number(Decimal),
    String(String),
    Array(Vec<Jsonb>),
    Object(Vec<(String, Jsonb)>),
}

/// PostgreSQL's order of object keys in storage and output.
fn key_order(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Jsonb {
    /// Parses JSON text as jsonb input does: 22P02 for text that is not
    /// JSON, a repeated key keeping its last value.
    pub fn parse(text: &str) -> Result<Jsonb, SqlError> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            at: 0,
            text,
        };
        reader.skip_space();
        let value = reader.value(0)?;
        reader.skip_space();
        if reader.at != reader.bytes.len() {
            return Err(reader.invalid("expected the end of the input"));
        }
        Ok(value)
    }

    /// The canonical text PostgreSQL prints: `{"a": 1, "b": [1, 2]}`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Jsonb::Null => out.push_str("null"),
            Jsonb::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Jsonb::Number(d) => {
                let _ = write!(out, "{d}");
            }
            Jsonb::String(s) => write_string(s, out),
            Jsonb::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Jsonb::Object(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_string(key, out);
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// `->>`'s text: a string unquoted, JSON null as SQL NULL, anything
    /// else in its jsonb text.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Jsonb::Null => None,
            Jsonb::String(s) => Some(s.clone()),
            other => Some(other.text()),
        }
    }

    /// `-> 'key'`: an object's field.
    pub fn field(&self, key: &str) -> Option<&Jsonb> {
        match self {
            Jsonb::Object(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `-> n`: an array's element, counting from the end when negative. A
    /// scalar is stored as a one-element array, so it is its own element 0.
    pub fn element(&self, index: i64) -> Option<&Jsonb> {
        let items = match self {
            Jsonb::Array(items) => items,
            Jsonb::Object(_) => return None,
            scalar => return matches!(index, 0 | -1).then_some(scalar),
        };
        let len = i64::try_from(items.len()).ok()?;
        let at = if index < 0 { len + index } else { index };
        usize::try_from(at).ok().and_then(|at| items.get(at))
    }

    /// `? 'key'`: a key of an object, a string element of an array, or the
    /// string itself.
    pub fn has_key(&self, key: &str) -> bool {
        match self {
            Jsonb::Object(_) => self.field(key).is_some(),
            Jsonb::Array(items) => items
                .iter()
                .any(|i| matches!(i, Jsonb::String(s) if s == key)),
            Jsonb::String(s) => s == key,
            _ => false,
        }
    }

    /// `a @> b` at the top level, where an array also contains a scalar
    /// among its elements (PostgreSQL's one exception to structure).
    pub fn contains(&self, other: &Jsonb) -> bool {
        match (self, other) {
            (Jsonb::Array(items), scalar) if scalar.is_scalar() => {
                items.iter().any(|i| i.contains_nested(scalar))
            }
            _ => self.contains_nested(other),
        }
    }

    /// Containment below the top: an object holds each of the other's pairs
    /// (values contained in turn), an array holds each of the other's
    /// elements somewhere, a scalar only an equal scalar.
    fn contains_nested(&self, other: &Jsonb) -> bool {
        match (self, other) {
            (Jsonb::Object(_), Jsonb::Object(wanted)) => wanted
                .iter()
                .all(|(k, want)| self.field(k).is_some_and(|have| have.contains_nested(want))),
            (Jsonb::Array(items), Jsonb::Array(wanted)) => wanted.iter().all(|want| {
                items.iter().any(|have| {
                    // A scalar element matches only a scalar element.
                    have.is_scalar() == want.is_scalar() && have.contains_nested(want)
                })
            }),
            (a, b) if a.is_scalar() && b.is_scalar() => compare_values(a, b) == Ordering::Equal,
            _ => false,
        }
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Jsonb::Array(_) | Jsonb::Object(_))
    }

    /// Rank of a type in PostgreSQL's jsonb order: null < string < number
    /// < boolean < array < object.
    fn rank(&self) -> u8 {
        match self {
            Jsonb::Null => 0,
            Jsonb::String(_) => 1,
            Jsonb::Number(_) => 2,
            Jsonb::Bool(_) => 3,
            Jsonb::Array(_) => 4,
            Jsonb::Object(_) => 5,
        }
    }
}

/// PostgreSQL's jsonb btree order, used by `=`, `<` and `ORDER BY`. For
/// historical reasons an empty top-level array sorts below every scalar.
pub fn compare(a: &Jsonb, b: &Jsonb) -> Ordering {
    match (a, b) {
        (Jsonb::Array(x), s) if x.is_empty() && s.is_scalar() => Ordering::Less,
        (s, Jsonb::Array(y)) if y.is_empty() && s.is_scalar() => Ordering::Greater,
        _ => compare_values(a, b),
    }
}

/// The order below the top: by type, then containers by size before
/// content (objects key, value, key, value... in storage order).
fn compare_values(a: &Jsonb, b: &Jsonb) -> Ordering {
    match (a, b) {
        (Jsonb::Null, Jsonb::Null) => Ordering::Equal,
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x.cmp(y),
        (Jsonb::Number(x), Jsonb::Number(y)) => {
            super::value::compare_decimals(*x, *y).unwrap_or_else(|| x.units.cmp(&y.units))
        }
        (Jsonb::String(x), Jsonb::String(y)) => x.cmp(y),
        (Jsonb::Array(x), Jsonb::Array(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|(p, q)| compare_values(p, q))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        (Jsonb::Object(x), Jsonb::Object(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|((kp, vp), (kq, vq))| kp.cmp(kq).then_with(|| compare_values(vp, vq)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        _ => a.rank().cmp(&b.rank()),
    }
}

/// A JSON string with PostgreSQL's escapes.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A cursor over JSON text.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    text: &'a str,
}

impl Reader<'_> {
    fn invalid(&self, expected: &str) -> SqlError {
        SqlError::new(
            "22P02",
            format!(
                "invalid input syntax for type json: \"{}\" ({expected} at byte {})",
                self.text, self.at
            ),
        )
    }

    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.bytes.get(self.at) == Some(&byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn value(&mut self, depth: usize) -> Result<Jsonb, SqlError> {
        if depth > MAX_DEPTH {
            return Err(SqlError::new(
                "54001",
                format!("jsonb nests deeper than {MAX_DEPTH} arrays and objects"),
            ));
        }
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Jsonb::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.word(),
            None => Err(self.invalid("expected a value")),
        }
    }

    fn word(&mut self) -> Result<Jsonb, SqlError> {
        for (word, value) in [
            ("true", Jsonb::Bool(true)),
            ("false", Jsonb::Bool(false)),
            ("null", Jsonb::Null),
        ] {
            if self.bytes[self.at..].starts_with(word.as_bytes()) {
                self.at += word.len();
                return Ok(value);
            }
        }
        Err(self.invalid("expected a value"))
    }

    fn number(&mut self) -> Result<Jsonb, SqlError> {
        let start = self.at;
        self.eat(b'-');
        let digits = |r: &mut Self| {
            let from = r.at;
            while r.bytes.get(r.at).is_some_and(u8::is_ascii_digit) {
                r.at += 1;
            }
            r.at - from
        };
        let whole_start = self.at;
        let whole = digits(self);
        if whole == 0 || whole > 1 && self.bytes[whole_start] == b'0' {
            return Err(self.invalid("expected a number"));
        }
        if self.eat(b'.') && digits(self) == 0 {
            return Err(self.invalid("expected digits after the point"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if digits(self) == 0 {
                return Err(self.invalid("expected the exponent's digits"));
            }
        }
        let written = &self.text[start..self.at];
        Decimal::parse(written).map(Jsonb::Number).ok_or_else(|| {
            SqlError::new(
                "0A000",
                format!(
                    "the jsonb number {written} is not supported: numbers here have at most 36 \
                     digits and 20 after the point"
                ),
            )
        })
    }

    fn string(&mut self) -> Result<String, SqlError> {
        debug_assert_eq!(self.bytes.get(self.at), Some(&b'"'));
        self.at += 1;
        let mut out = String::new();
        loop {
            let run_start = self.at;
            while self
                .bytes
                .get(self.at)
                .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.at += 1;
            }
            out.push_str(&self.text[run_start..self.at]);
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                _ => return Err(self.invalid("expected the end of the string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, SqlError> {
        let Some(&b) = self.bytes.get(self.at) else {
            return Err(self.invalid("expected an escape"));
        };
        self.at += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(self.invalid("expected a valid escape")),
        })
    }

    fn hex4(&mut self) -> Result<u32, SqlError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.invalid("expected four hexadecimal digits after \\u"))?;
        self.at += 4;
        Ok(u32::from_str_radix(digits, 16).expect("checked hexadecimal"))
    }

    /// `\uXXXX`, a surrogate pair joined; `\u0000` is refused (22P05) as
    /// jsonb cannot hold it.
    fn unicode_escape(&mut self) -> Result<char, SqlError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !(self.eat(b'\\') && self.eat(b'u')) {
                return Err(self.invalid("expected a low surrogate"));
            }
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.invalid("expected a low surrogate"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        if code == 0 {
            return Err(SqlError::new(
                "22P05",
                "unsupported Unicode escape sequence: \\u0000 cannot be converted to text",
            ));
        }
        char::from_u32(code).ok_or_else(|| self.invalid("expected a valid code point"))
    }

    fn array(&mut self, depth: usize) -> Result<Jsonb, SqlError> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.eat(b']') {
            return Ok(Jsonb::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            if self.eat(b']') {
                return Ok(Jsonb::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.invalid("expected , or ]"));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Jsonb, SqlError> {
        self.at += 1;
        let mut pairs: Vec<(String, Jsonb)> = Vec::new();
        self.skip_space();
        if self.eat(b'}') {
            return Ok(Jsonb::Object(pairs));
        }
        loop {
            self.skip_space();
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.invalid("expected a string key"));
            }
            let key = self.string()?;
            self.skip_space();
            if !self.eat(b':') {
                return Err(self.invalid("expected :"));
            }
            self.skip_space();
            let value = self.value(depth + 1)?;
            match pairs.binary_search_by(|(k, _)| key_order(k, &key)) {
                Ok(at) => pairs[at].1 = value,
                Err(at) => pairs.insert(at, (key, value)),
            }
            self.skip_space();
            if self.eat(b'}') {
                return Ok(Jsonb::Object(pairs));
            }
            if !self.eat(b',') {
                return Err(self.invalid("expected , or }"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(text: &str) -> Jsonb {
        Jsonb::parse(text).unwrap()
    }

    #[test]
    fn text_is_postgres_canonical_form() {
        assert_eq!(
            j(r#"{"status":201,"id":"t1","amount":2500}"#).text(),
            r#"{"id": "t1", "amount": 2500, "status": 201}"#
        );
        assert_eq!(
            j(r#"{"b": 1, "a": 2, "b": 3}"#).text(),
            r#"{"a": 2, "b": 3}"#
        );
        assert_eq!(
            j(r#"[1.50, 1e2, -0.0, 2E-2]"#).text(),
            "[1.50, 100, 0.0, 0.02]"
        );
        assert_eq!(j(r#""a\u00e9\n\u0001\/""#).text(), "\"a\u{e9}\\n\\u0001/\"");
        assert_eq!(j(r#""\ud83d\ude00""#).text(), "\"\u{1F600}\"");
    }

    #[test]
    fn bad_json_is_refused_with_sqlstate() {
        for bad in [
            "{bad json}",
            "[1,]",
            "01",
            "1.",
            "\"\\x\"",
            "tru",
            "[1] 2",
            "",
        ] {
            assert_eq!(Jsonb::parse(bad).unwrap_err().code, "22P02", "{bad}");
        }
        assert_eq!(Jsonb::parse(r#""\u0000""#).unwrap_err().code, "22P05");
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(Jsonb::parse(&deep).unwrap_err().code, "54001");
    }

    #[test]
    fn numbers_compare_by_value_and_types_by_rank() {
        assert_eq!(compare(&j("1.0"), &j("1")), Ordering::Equal);
        assert_eq!(
            compare(&j(r#"{"a": 1.0}"#), &j(r#"{"a": 1}"#)),
            Ordering::Equal
        );
        assert_eq!(compare(&j("null"), &j("\"a\"")), Ordering::Less);
        assert_eq!(compare(&j("true"), &j("[]")), Ordering::Greater);
        assert_eq!(compare(&j("[1, 2]"), &j("[3]")), Ordering::Greater);
        assert_eq!(compare(&j("{}"), &j("[1, 2, 3]")), Ordering::Greater);
    }

    #[test]
    fn containment_follows_structure_with_the_top_level_exception() {
        let doc = j(r#"{"a": 1, "b": [1, 2, {"c": 3}], "d": {"e": "x"}}"#);
        assert!(doc.contains(&j(r#"{"a": 1.0}"#)));
        assert!(doc.contains(&j(r#"{"b": [2, 1]}"#)));
        assert!(doc.contains(&j(r#"{"b": [{}]}"#)));
        assert!(doc.contains(&j(r#"{"d": {}}"#)));
        assert!(!doc.contains(&j(r#"{"b": 1}"#)));
        assert!(!doc.contains(&j(r#"{"a": 2}"#)));
        assert!(j("[1, 2]").contains(&j("1")));
        assert!(!j("[[1, 2]]").contains(&j("[1]")));
        assert!(!j(r#"{"a": [1]}"#).contains(&j(r#"{"a": 1}"#)));
    }

    #[test]
    fn access_by_key_and_index() {
        let doc = j(r#"{"a": [10, 20, 30], "s": "x", "n": null}"#);
        assert_eq!(doc.field("a").and_then(|a| a.element(-1)), Some(&j("30")));
        assert_eq!(doc.field("a").and_then(|a| a.element(3)), None);
        assert_eq!(
            doc.field("s").and_then(Jsonb::as_text),
            Some("x".to_string())
        );
        assert_eq!(doc.field("n").and_then(Jsonb::as_text), None);
        assert!(doc.has_key("s") && !doc.has_key("x"));
        assert_eq!(j("\"t\"").element(-1), Some(&j("\"t\"")));
        assert_eq!(doc.element(0), None);
    }
}
