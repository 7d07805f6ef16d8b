//! Values, their types, and PostgreSQL's text forms: what a column holds,
//! how a literal becomes a column's type, how values compare and add up,
//! and how a result prints them.

use super::SqlError;
use super::ast::SqlType;
use super::interval::Interval;
use super::jsonb::{self, Jsonb};
use std::cmp::Ordering;

/// Most digits after the point a numeric keeps (PostgreSQL allows 16,383;
/// a payment never needs more than this, and i128 holds it exactly).
const MAX_NUMERIC_SCALE: u32 = 20;

/// One value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// bigint or integer (which one is the column's or expression's type).
    Int(i64),
    Numeric(Decimal),
    Text(String),
    Bool(bool),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// A timestamp without time zone: microseconds since 1970-01-01 00:00
    /// on its own clock.
    LocalTimestamp(i64),
    Uuid(u128),
    /// Normalised as PostgreSQL prints jsonb.
    Json(String),
    Interval(Interval),
    /// bytea.
    Bytes(Vec<u8>),
}

/// An exact decimal: `units / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub units: i128,
    pub scale: u32,
}

impl Decimal {
    fn pow10(scale: u32) -> i128 {
        10i128.pow(scale)
    }

    /// The same number with `scale` digits after the point, rounding half
    /// away from zero as PostgreSQL does.
    pub fn rescale(self, scale: u32) -> Result<Decimal, SqlError> {
        match scale.cmp(&self.scale) {
            Ordering::Equal => Ok(self),
            Ordering::Greater => {
                let units = self
                    .units
                    .checked_mul(Self::pow10(scale - self.scale))
                    .ok_or_else(numeric_overflow)?;
                Ok(Decimal { units, scale })
            }
            Ordering::Less => {
                let div = Self::pow10(self.scale - scale);
                let (q, r) = (self.units / div, self.units % div);
                let units = if r.abs() * 2 >= div {
                    q + self.units.signum()
                } else {
                    q
                };
                Ok(Decimal { units, scale })
            }
        }
    }

    fn aligned(a: Decimal, b: Decimal) -> Result<(i128, i128, u32), SqlError> {
        let scale = a.scale.max(b.scale);
        Ok((a.rescale(scale)?.units, b.rescale(scale)?.units, scale))
    }

    fn from_int(n: i64) -> Decimal {
        Decimal {
            units: i128::from(n),
            scale: 0,
        }
    }

    /// Parses PostgreSQL's numeric input: an optional sign, digits with an
    /// optional point, and an optional exponent (`1.5e1` is 15, `1e-2` is
    /// 0.01, keeping the digits written after the point less the exponent).
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i32>().ok().filter(|e| e.abs() <= 64)?),
            None => (digits, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
            || whole.len() + fraction.len() > 36
        {
            return None;
        }
        let units: i128 = format!("{whole}{fraction}").parse().ok()?;
        let written_scale = i32::try_from(fraction.len()).ok()? - exponent;
        let (units, scale) = if written_scale >= 0 {
            (units, u32::try_from(written_scale).ok()?)
        } else {
            let factor = 10i128.checked_pow(written_scale.unsigned_abs())?;
            (units.checked_mul(factor)?, 0)
        };
        if scale > MAX_NUMERIC_SCALE {
            return None;
        }
        Some(Decimal {
            units: if negative { -units } else { units },
            scale,
        })
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

fn numeric_overflow() -> SqlError {
    SqlError::new("22003", "numeric field overflow")
}

fn out_of_range(ty: &str) -> SqlError {
    SqlError::new("22003", format!("{ty} out of range"))
}

fn invalid_input(ty: &str, text: &str) -> SqlError {
    SqlError::new(
        "22P02",
        format!("invalid input syntax for type {ty}: \"{text}\""),
    )
}

/// The name PostgreSQL gives a type in messages.
pub fn type_name(ty: SqlType) -> &'static str {
    match ty {
        SqlType::BigInt => "bigint",
        SqlType::Integer => "integer",
        SqlType::SmallInt => "smallint",
        SqlType::Numeric { .. } => "numeric",
        SqlType::Text { max_chars: None } => "text",
        SqlType::Text { .. } => "character varying",
        SqlType::Boolean => "boolean",
        SqlType::Timestamptz => "timestamp with time zone",
        SqlType::Timestamp => "timestamp without time zone",
        SqlType::Uuid => "uuid",
        SqlType::Jsonb => "jsonb",
        SqlType::Interval => "interval",
        SqlType::Bytea => "bytea",
    }
}

/// PostgreSQL's OID of a type, as a result's description carries it.
pub fn type_oid(ty: SqlType) -> u32 {
    match ty {
        SqlType::BigInt => 20,
        SqlType::Integer => 23,
        SqlType::SmallInt => 21,
        SqlType::Numeric { .. } => 1700,
        SqlType::Text { max_chars: None } => 25,
        SqlType::Text { .. } => 1043,
        SqlType::Boolean => 16,
        SqlType::Timestamptz => 1184,
        SqlType::Timestamp => 1114,
        SqlType::Uuid => 2950,
        SqlType::Jsonb => 3802,
        SqlType::Interval => 1186,
        SqlType::Bytea => 17,
    }
}

impl Value {
    /// PostgreSQL's text output form; `None` for NULL.
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Int(n) => n.to_string(),
            Value::Numeric(d) => d.to_string(),
            Value::Text(s) | Value::Json(s) => s.clone(),
            Value::Bool(b) => if *b { "t" } else { "f" }.to_string(),
            Value::Timestamp(us) => format_timestamp(*us),
            Value::LocalTimestamp(us) => format_local_timestamp(*us),
            Value::Uuid(u) => format_uuid(*u),
            Value::Interval(i) => i.to_text(),
            Value::Bytes(b) => format_bytea(b),
        })
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value stored in a column of type `ty`: a literal or expression
    /// result converted as PostgreSQL's assignment cast would.
    pub fn coerce(self, ty: SqlType) -> Result<Value, SqlError> {
        match (self, ty) {
            (Value::Null, _) => Ok(Value::Null),
            (Value::Int(n), SqlType::Integer) => {
                i32::try_from(n).map_err(|_| out_of_range("integer"))?;
                Ok(Value::Int(n))
            }
            (Value::Int(n), SqlType::SmallInt) => {
                i16::try_from(n).map_err(|_| out_of_range("smallint"))?;
                Ok(Value::Int(n))
            }
            (Value::Int(n), SqlType::BigInt) => Ok(Value::Int(n)),
            (Value::Int(n), SqlType::Numeric { precision, scale }) => {
                numeric_value(Decimal::from_int(n), precision, scale)
            }
            (Value::Numeric(d), SqlType::Numeric { precision, scale }) => {
                numeric_value(d, precision, scale)
            }
            (Value::Numeric(d), SqlType::BigInt | SqlType::Integer | SqlType::SmallInt) => {
                let whole = d.rescale(0)?.units;
                let n = i64::try_from(whole).map_err(|_| out_of_range(type_name(ty)))?;
                Value::Int(n).coerce(ty)
            }
            (Value::Text(s), _) => parse_text(&s, ty),
            // Sessions run in UTC: the two kinds of timestamp meet there.
            (Value::Timestamp(us) | Value::LocalTimestamp(us), SqlType::Timestamp) => {
                Ok(Value::LocalTimestamp(us))
            }
            (Value::LocalTimestamp(us), SqlType::Timestamptz) => Ok(Value::Timestamp(us)),
            (v @ Value::Bool(_), SqlType::Boolean)
            | (v @ Value::Timestamp(_), SqlType::Timestamptz)
            | (v @ Value::Uuid(_), SqlType::Uuid)
            | (v @ Value::Json(_), SqlType::Jsonb)
            | (v @ Value::Interval(_), SqlType::Interval)
            | (v @ Value::Bytes(_), SqlType::Bytea) => Ok(v),
            (v, SqlType::Text { max_chars }) => {
                let text = v.to_text().unwrap_or_default();
                check_length(Value::Text(text), max_chars)
            }
            (v, ty) => Err(SqlError::new(
                "42804",
                format!(
                    "a value of type {} cannot be stored as {}",
                    v.type_hint(),
                    type_name(ty)
                ),
            )),
        }
    }

    /// A word for the value's own type, for messages.
    pub fn type_hint(&self) -> &'static str {
        match self {
            Value::Null => "unknown",
            Value::Int(_) => "bigint",
            Value::Numeric(_) => "numeric",
            Value::Text(_) => "text",
            Value::Bool(_) => "boolean",
            Value::Timestamp(_) => "timestamp with time zone",
            Value::LocalTimestamp(_) => "timestamp without time zone",
            Value::Uuid(_) => "uuid",
            Value::Json(_) => "jsonb",
            Value::Interval(_) => "interval",
            Value::Bytes(_) => "bytea",
        }
    }
}

/// A number stored in `numeric(precision, scale)`: rounded to the scale,
/// then refused (22003) when its whole part needs more digits than the
/// precision leaves, as PostgreSQL's `apply_typmod` does.
fn numeric_value(
    d: Decimal,
    precision: Option<u32>,
    scale: Option<u32>,
) -> Result<Value, SqlError> {
    let d = match scale {
        Some(scale) => d.rescale(scale.min(MAX_NUMERIC_SCALE))?,
        None => d,
    };
    if let (Some(precision), Some(declared_scale)) = (precision, scale) {
        debug_assert!(
            declared_scale <= precision,
            "the parser keeps scale <= precision"
        );
        let whole_digits = precision - declared_scale;
        // Past i128's 38 digits every value this engine holds fits.
        let fits = 10i128
            .checked_pow(whole_digits + d.scale)
            .is_none_or(|limit| d.units.abs() < limit);
        if !fits {
            return Err(SqlError::new(
                "22003",
                format!(
                    "numeric field overflow: a field with precision {precision}, scale \
                     {declared_scale} must round to an absolute value less than 10^{whole_digits}"
                ),
            ));
        }
    }
    Ok(Value::Numeric(d))
}

/// The error for a text that is not a numeric. `NaN` and the infinities
/// are numerics to PostgreSQL, but not to this engine: they are refused as
/// unsupported rather than called invalid.
fn numeric_input_error(s: &str) -> SqlError {
    let word = s.trim().trim_start_matches(['+', '-']).to_ascii_lowercase();
    if matches!(word.as_str(), "nan" | "infinity" | "inf") {
        return SqlError::new(
            "0A000",
            format!(
                "numeric \"{}\" is not supported: numerics here are finite, exact decimals",
                s.trim()
            ),
        );
    }
    invalid_input("numeric", s)
}

/// A text stored in `varchar(n)`: too long is an error, unless only
/// spaces are past the limit, which are cut (PostgreSQL's rule).
fn check_length(v: Value, max_chars: Option<u32>) -> Result<Value, SqlError> {
    if let (Value::Text(s), Some(max)) = (&v, max_chars)
        && s.chars().count() > max as usize
    {
        let kept: String = s.chars().take(max as usize).collect();
        if s.chars().skip(max as usize).all(|c| c == ' ') {
            return Ok(Value::Text(kept));
        }
        return Err(SqlError::new(
            "22001",
            format!("value too long for type character varying({max})"),
        ));
    }
    Ok(v)
}

/// A text (a quoted literal, a parameter sent as text) read as `ty`.
pub fn parse_text(s: &str, ty: SqlType) -> Result<Value, SqlError> {
    let name = type_name(ty);
    match ty {
        SqlType::BigInt | SqlType::Integer | SqlType::SmallInt => {
            let n: i64 = s.trim().parse().map_err(|_| {
                if !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit() || b == b'-')
                {
                    out_of_range(&format!("value \"{s}\" is out of range for type {name}"))
                } else {
                    invalid_input(name, s)
                }
            })?;
            Value::Int(n).coerce(ty)
        }
        SqlType::Numeric { precision, scale } => {
            let d = Decimal::parse(s).ok_or_else(|| numeric_input_error(s))?;
            numeric_value(d, precision, scale)
        }
        SqlType::Text { max_chars } => check_length(Value::Text(s.to_string()), max_chars),
        SqlType::Boolean => match s.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "y" | "yes" | "on" | "1" => Ok(Value::Bool(true)),
            "f" | "false" | "n" | "no" | "off" | "0" => Ok(Value::Bool(false)),
            _ => Err(invalid_input(name, s)),
        },
        SqlType::Uuid => parse_uuid(s)
            .map(Value::Uuid)
            .ok_or_else(|| invalid_input(name, s)),
        SqlType::Jsonb => Ok(Value::Json(Jsonb::parse(s)?.text())),
        SqlType::Timestamptz => parse_timestamp(s, true).map(Value::Timestamp),
        SqlType::Timestamp => parse_timestamp(s, false).map(Value::LocalTimestamp),
        SqlType::Interval => Interval::parse(s).map(Value::Interval).ok_or_else(|| {
            SqlError::new(
                "22007",
                format!("invalid input syntax for type interval: \"{s}\""),
            )
        }),
        SqlType::Bytea => parse_bytea(s).map(Value::Bytes),
    }
}

/// bytea's text output: `\x` and two lowercase hex digits a byte
/// (PostgreSQL's default `bytea_output = hex`).
fn format_bytea(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 + 2 * bytes.len());
    text.push_str("\\x");
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    text
}

/// bytea's text input, in PostgreSQL's two forms: hex (`\x` then pairs of
/// hex digits, whitespace allowed between pairs) and escape (bytes as
/// written, `\\` a backslash, `\nnn` an octal byte).
fn parse_bytea(s: &str) -> Result<Vec<u8>, SqlError> {
    match s.strip_prefix("\\x") {
        Some(hex) => parse_bytea_hex(hex),
        None => parse_bytea_escape(s),
    }
}

fn parse_bytea_hex(hex: &str) -> Result<Vec<u8>, SqlError> {
    let invalid_digit =
        |c: char| SqlError::new("22023", format!("invalid hexadecimal digit: \"{c}\""));
    let mut bytes = Vec::with_capacity(hex.len() / 2);
    let mut chars = hex.chars();
    while let Some(high) = chars.next() {
        if matches!(high, ' ' | '\n' | '\t' | '\r') {
            continue;
        }
        let high_value = high.to_digit(16).ok_or_else(|| invalid_digit(high))?;
        let low = chars.next().ok_or_else(|| {
            SqlError::new("22023", "invalid hexadecimal data: odd number of digits")
        })?;
        let low_value = low.to_digit(16).ok_or_else(|| invalid_digit(low))?;
        bytes.push(u8::try_from(high_value * 16 + low_value).expect("two hex digits make a byte"));
    }
    Ok(bytes)
}

fn parse_bytea_escape(s: &str) -> Result<Vec<u8>, SqlError> {
    let raw = s.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut at = 0;
    while at < raw.len() {
        if raw[at] != b'\\' {
            bytes.push(raw[at]);
            at += 1;
            continue;
        }
        let octal = raw.get(at + 1..at + 4).filter(|d| {
            (b'0'..=b'3').contains(&d[0])
                && (b'0'..=b'7').contains(&d[1])
                && (b'0'..=b'7').contains(&d[2])
        });
        if let Some(d) = octal {
            bytes.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
            at += 4;
        } else if raw.get(at + 1) == Some(&b'\\') {
            bytes.push(b'\\');
            at += 2;
        } else {
            return Err(invalid_input("bytea", s));
        }
    }
    Ok(bytes)
}

fn parse_uuid(s: &str) -> Option<u128> {
    let s = s.trim();
    let s = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

fn format_uuid(u: u128) -> String {
    let h = format!("{u:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

pub(super) const MICROS_PER_DAY: i64 = 86_400_000_000;

/// `2026-12-07 04:25:55.123456+00`, in UTC, as PostgreSQL prints a
/// timestamptz with `TimeZone` UTC (trailing zeros of the fraction dropped).
pub fn format_timestamp(us: i64) -> String {
    let days = us.div_euclid(MICROS_PER_DAY);
    let rest = us.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let clock = format_clock(rest.unsigned_abs());
    format!("{y:04}-{m:02}-{d:02} {clock}+00")
}

/// A timestamp without time zone as PostgreSQL prints it (ISO style): as
/// a timestamptz at UTC, without the offset.
pub fn format_local_timestamp(us: i64) -> String {
    let mut text = format_timestamp(us);
    let kept = text.len() - "+00".len();
    text.truncate(kept);
    text
}

/// `HH:MM:SS[.ffffff]` for a span of microseconds (the hours past 24 if
/// it is that long), trailing zeros of the fraction dropped, as PostgreSQL
/// prints a time of day and an interval's time.
pub(super) fn format_clock(micros: u64) -> String {
    let secs = micros / 1_000_000;
    let fraction = micros % 1_000_000;
    let mut text = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if fraction != 0 {
        text.push('.');
        text.push_str(format!("{fraction:06}").trim_end_matches('0'));
    }
    text
}

/// `YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z|+HH[:MM]|-HH[:MM]]`, or a date
/// alone, in microseconds: at UTC for a timestamptz (`zoned`), else on the
/// timestamp's own clock, an offset ignored as PostgreSQL ignores it; 22007
/// when it is not a time, 22008 when a field is out of range.
fn parse_timestamp(s: &str, zoned: bool) -> Result<i64, SqlError> {
    let ty = if zoned {
        SqlType::Timestamptz
    } else {
        SqlType::Timestamp
    };
    let syntax = || {
        SqlError::new(
            "22007",
            format!("invalid input syntax for type {}: \"{s}\"", type_name(ty)),
        )
    };
    let range = || {
        SqlError::new(
            "22008",
            format!("date/time field value out of range: \"{s}\""),
        )
    };
    let (days, secs, micros) = timestamp_fields(s, zoned)
        .ok_or_else(syntax)?
        .ok_or_else(range)?;
    (days * 86_400 + secs)
        .checked_mul(1_000_000)
        .and_then(|us| us.checked_add(micros))
        .ok_or_else(range)
}

/// The days, seconds and microseconds of a timestamp (at UTC when
/// `zoned`, else on its own clock, any offset ignored): `None` when it is
/// not one, `Some(None)` when a field is out of range.
#[allow(clippy::type_complexity)]
fn timestamp_fields(s: &str, zoned: bool) -> Option<Option<(i64, i64, i64)>> {
    let s = s.trim();
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, t.trim()),
        None => (s, "00:00:00"),
    };
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Some(None);
    }
    let (clock, offset_secs) = split_offset(time)?;
    let mut fields = clock.splitn(3, ':');
    let hour: i64 = fields.next()?.parse().ok()?;
    let minute: i64 = fields.next()?.parse().ok()?;
    let (second, micros) = match fields.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, fraction) = sec.split_once('.').unwrap_or((sec, ""));
            let fraction = format!("{:0<6}", fraction.get(..fraction.len().min(6))?);
            (whole.parse::<i64>().ok()?, fraction.parse::<i64>().ok()?)
        }
    };
    if hour > 24 || minute > 59 || second > 60 {
        return Some(None);
    }
    let days = days_from_civil(year, month, day);
    let offset_secs = if zoned { offset_secs } else { 0 };
    let secs = (hour * 60 + minute) * 60 + second - offset_secs;
    Some(Some((days, secs, micros)))
}

/// The clock part and its offset from UTC in seconds.
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    match time.rfind(['+', '-']) {
        Some(at) => {
            let (clock, offset) = time.split_at(at);
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let offset = &offset[1..];
            let (h, m) = offset.split_once(':').unwrap_or((offset, "0"));
            let secs = h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60;
            Some((clock.trim(), sign * secs))
        }
        None => Some((time, 0)),
    }
}

/// Compares two non-null values of comparable types; `None` when they are
/// not comparable (the caller reports the type error).
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Numeric(y)) => compare_decimals(Decimal::from_int(*x), *y),
        (Value::Numeric(x), Value::Int(y)) => compare_decimals(*x, Decimal::from_int(*y)),
        (Value::Numeric(x), Value::Numeric(y)) => compare_decimals(*x, *y),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Json(x), Value::Json(y)) => Some(compare_json_texts(x, y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (
            Value::Timestamp(x) | Value::LocalTimestamp(x),
            Value::Timestamp(y) | Value::LocalTimestamp(y),
        ) => Some(x.cmp(y)),
        (Value::Uuid(x), Value::Uuid(y)) => Some(x.cmp(y)),
        (Value::Interval(x), Value::Interval(y)) => Some(x.cmp_span(*y)),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

pub fn compare_decimals(a: Decimal, b: Decimal) -> Option<Ordering> {
    let (x, y, _) = Decimal::aligned(a, b).ok()?;
    Some(x.cmp(&y))
}

/// An arithmetic operator on two non-null numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// `a op b` for numbers, with PostgreSQL's errors (22003 out of range,
/// 22012 division by zero). Two integers stay integers.
pub fn arith(op: Arith, a: &Value, b: &Value) -> Result<Value, SqlError> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_arith(op, *x, *y).map(Value::Int),
        (Value::Int(x), Value::Numeric(y)) => decimal_arith(op, Decimal::from_int(*x), *y),
        (Value::Numeric(x), Value::Int(y)) => decimal_arith(op, *x, Decimal::from_int(*y)),
        (Value::Numeric(x), Value::Numeric(y)) => decimal_arith(op, *x, *y),
        (
            Value::Timestamp(_) | Value::LocalTimestamp(_) | Value::Interval(_),
            Value::Timestamp(_) | Value::LocalTimestamp(_) | Value::Interval(_),
        ) => local_time_arith(op, a, b),
        _ => Err(SqlError::new(
            "42883",
            format!(
                "operator does not exist: {} and {}",
                a.type_hint(),
                b.type_hint()
            ),
        )),
    }
}

/// Time arithmetic with a timestamp without time zone: done as with a
/// timestamptz at UTC (sessions run in UTC), a timestamp result without
/// time zone when a timestamp operand was one.
fn local_time_arith(op: Arith, a: &Value, b: &Value) -> Result<Value, SqlError> {
    let local = |v: &Value| matches!(v, Value::LocalTimestamp(_));
    let zoned = |v: &Value| match v {
        Value::LocalTimestamp(us) => Value::Timestamp(*us),
        v => v.clone(),
    };
    let result = time_arith(op, &zoned(a), &zoned(b))?;
    Ok(match result {
        Value::Timestamp(us) if local(a) || local(b) => Value::LocalTimestamp(us),
        v => v,
    })
}

/// Timestamps and intervals: `timestamptz ± interval`, `interval +
/// timestamptz`, `timestamptz - timestamptz`, `interval ± interval`.
fn time_arith(op: Arith, a: &Value, b: &Value) -> Result<Value, SqlError> {
    let overflow = || SqlError::new("22008", "timestamp out of range");
    let value = match (op, a, b) {
        (Arith::Add, Value::Timestamp(t), Value::Interval(i))
        | (Arith::Add, Value::Interval(i), Value::Timestamp(t)) => {
            Value::Timestamp(i.add_to(*t).ok_or_else(overflow)?)
        }
        (Arith::Sub, Value::Timestamp(t), Value::Interval(i)) => {
            let back = i.negate().ok_or_else(overflow)?;
            Value::Timestamp(back.add_to(*t).ok_or_else(overflow)?)
        }
        (Arith::Sub, Value::Timestamp(x), Value::Timestamp(y)) => {
            Value::Interval(Interval::between(*x, *y).ok_or_else(|| out_of_range("interval"))?)
        }
        (Arith::Add, Value::Interval(x), Value::Interval(y)) => {
            Value::Interval(x.add(*y).ok_or_else(|| out_of_range("interval"))?)
        }
        (Arith::Sub, Value::Interval(x), Value::Interval(y)) => Value::Interval(
            y.negate()
                .and_then(|y| x.add(y))
                .ok_or_else(|| out_of_range("interval"))?,
        ),
        _ => {
            return Err(SqlError::new(
                "42883",
                format!(
                    "operator does not exist: {} and {}",
                    a.type_hint(),
                    b.type_hint()
                ),
            ));
        }
    };
    Ok(value)
}

fn int_arith(op: Arith, x: i64, y: i64) -> Result<i64, SqlError> {
    let result = match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub => x.checked_sub(y),
        Arith::Mul => x.checked_mul(y),
        Arith::Div | Arith::Rem if y == 0 => {
            return Err(SqlError::new("22012", "division by zero"));
        }
        Arith::Div => x.checked_div(y),
        Arith::Rem => x.checked_rem(y),
    };
    result.ok_or_else(|| out_of_range("bigint"))
}

fn decimal_arith(op: Arith, x: Decimal, y: Decimal) -> Result<Value, SqlError> {
    let d = match op {
        Arith::Add | Arith::Sub | Arith::Rem => {
            let (a, b, scale) = Decimal::aligned(x, y)?;
            let units = match op {
                Arith::Add => a.checked_add(b),
                Arith::Sub => a.checked_sub(b),
                _ if b == 0 => return Err(SqlError::new("22012", "division by zero")),
                _ => a.checked_rem(b),
            };
            Decimal {
                units: units.ok_or_else(numeric_overflow)?,
                scale,
            }
        }
        Arith::Mul => {
            let units = x.units.checked_mul(y.units).ok_or_else(numeric_overflow)?;
            let d = Decimal {
                units,
                scale: x.scale + y.scale,
            };
            if d.scale > MAX_NUMERIC_SCALE {
                d.rescale(MAX_NUMERIC_SCALE)?
            } else {
                d
            }
        }
        Arith::Div => {
            if y.units == 0 {
                return Err(SqlError::new("22012", "division by zero"));
            }
            let scale = x.scale.max(y.scale).clamp(16, MAX_NUMERIC_SCALE);
            // x / y at `scale` digits: (x.units * 10^(scale + y.scale - x.scale + 1)) / y.units, rounded.
            let shift = scale + y.scale + 1;
            let numerator = Decimal {
                units: x.units,
                scale: x.scale,
            }
            .rescale(shift.max(x.scale))?;
            let extra = numerator.scale - x.scale;
            let raw = numerator
                .units
                .checked_div(y.units)
                .ok_or_else(numeric_overflow)?;
            // raw has (x.scale + extra - y.scale) digits after the point.
            let raw_scale = x.scale + extra - y.scale;
            Decimal {
                units: raw,
                scale: raw_scale,
            }
            .rescale(scale)?
        }
    };
    Ok(Value::Numeric(d))
}

/// Orders two stored jsonb texts by jsonb's order (`1.0` equals `1`).
fn compare_json_texts(x: &str, y: &str) -> Ordering {
    match (Jsonb::parse(x), Jsonb::parse(y)) {
        (Ok(a), Ok(b)) => jsonb::compare(&a, &b),
        // A stored jsonb text is always canonical, so this is unreachable;
        // text order keeps the answer deterministic all the same.
        _ => {
            debug_assert!(false, "a stored jsonb text does not parse");
            x.cmp(y)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_postgresql_prints_them() {
        let d = Decimal::parse("10.50").unwrap();
        assert_eq!(d.to_string(), "10.50");
        assert_eq!(Decimal::parse("-0.05").unwrap().to_string(), "-0.05");
        assert_eq!(d.rescale(1).unwrap().to_string(), "10.5");
        assert_eq!(
            Decimal::parse("2.345")
                .unwrap()
                .rescale(2)
                .unwrap()
                .to_string(),
            "2.35"
        );
        assert_eq!(
            Decimal::parse("-2.345")
                .unwrap()
                .rescale(2)
                .unwrap()
                .to_string(),
            "-2.35"
        );
        let q = arith(
            Arith::Div,
            &Value::Int(10),
            &Value::Numeric(Decimal::from_int(4)),
        )
        .unwrap();
        assert_eq!(q.to_text().unwrap(), "2.5000000000000000");
        assert_eq!(
            arith(Arith::Div, &Value::Int(7), &Value::Int(2)).unwrap(),
            Value::Int(3)
        );
        assert!(arith(Arith::Add, &Value::Int(i64::MAX), &Value::Int(1)).is_err());
    }

    #[test]
    fn timestamps_round_trip_in_utc() {
        let us = parse_timestamp("2026-12-07 04:25:55.1234+00", true).unwrap();
        assert_eq!(
            parse_timestamp("tomorrow-ish", true).unwrap_err().code,
            "22007"
        );
        assert_eq!(
            parse_timestamp("2026-13-01", true).unwrap_err().code,
            "22008"
        );
        assert_eq!(format_timestamp(us), "2026-12-07 04:25:55.1234+00");
        assert_eq!(format_timestamp(0), "1970-01-01 00:00:00+00");
        let shifted = parse_timestamp("2026-12-07T06:25:55+02:00", true).unwrap();
        assert_eq!(format_timestamp(shifted), "2026-12-07 04:25:55+00");
    }

    #[test]
    fn literals_become_the_column_type() {
        assert_eq!(
            Value::Text("42".into()).coerce(SqlType::BigInt).unwrap(),
            Value::Int(42)
        );
        assert_eq!(
            Value::Text("x".into())
                .coerce(SqlType::BigInt)
                .unwrap_err()
                .code,
            "22P02"
        );
        assert_eq!(
            Value::Int(1 << 40)
                .coerce(SqlType::Integer)
                .unwrap_err()
                .code,
            "22003"
        );
        assert_eq!(
            Value::Text("abcd".into())
                .coerce(SqlType::Text { max_chars: Some(3) })
                .unwrap_err()
                .code,
            "22001"
        );
        let json = Value::Text(r#"{"bb":1,"a":[1,2]}"#.into())
            .coerce(SqlType::Jsonb)
            .unwrap();
        assert_eq!(json.to_text().unwrap(), r#"{"a": [1, 2], "bb": 1}"#);
        let u = Value::Text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11".into())
            .coerce(SqlType::Uuid)
            .unwrap();
        assert_eq!(u.to_text().unwrap(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    }
}
