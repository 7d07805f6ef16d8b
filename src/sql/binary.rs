//! PostgreSQL's binary formats, for clients that send parameters or ask
//! for results in binary (tokio-postgres does both): each converts to and
//! from the text form the engine reads and prints.

use super::SqlError;
use super::ast::SqlType;
use super::value::{Value, format_local_timestamp, format_timestamp, parse_text};

/// Seconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_OFFSET_US: i64 = 946_684_800_000_000;

/// The engine type behind an OID, for parameters.
pub fn type_of_oid(oid: u32) -> Option<SqlType> {
    Some(match oid {
        20 => SqlType::BigInt,
        21 => SqlType::SmallInt,
        23 => SqlType::Integer,
        17 => SqlType::Bytea,
        1700 => SqlType::Numeric {
            precision: None,
            scale: None,
        },
        25 | 1043 | 19 | 705 => SqlType::Text { max_chars: None },
        16 => SqlType::Boolean,
        1184 => SqlType::Timestamptz,
        1114 => SqlType::Timestamp,
        2950 => SqlType::Uuid,
        3802 | 114 => SqlType::Jsonb,
        1186 => SqlType::Interval,
        _ => return None,
    })
}

fn bad(oid: u32) -> SqlError {
    SqlError::new(
        "22P03",
        format!("incorrect binary data format in bind parameter of type {oid}"),
    )
}

fn unsupported(oid: u32) -> SqlError {
    SqlError::new(
        "0A000",
        format!(
            "parameters of type OID {oid} are not supported; idemsim's database takes bigint, integer, smallint, numeric, text, varchar, boolean, timestamptz, uuid, jsonb, interval and bytea"
        ),
    )
}

/// A parameter sent in binary, as the text the engine reads.
pub fn param_text(oid: u32, bytes: &[u8]) -> Result<String, SqlError> {
    let fixed = |n: usize| -> Result<&[u8], SqlError> {
        if bytes.len() == n {
            Ok(bytes)
        } else {
            Err(bad(oid))
        }
    };
    Ok(match oid {
        16 => if fixed(1)?[0] != 0 { "t" } else { "f" }.to_string(),
        21 => i16::from_be_bytes(fixed(2)?.try_into().map_err(|_| bad(oid))?).to_string(),
        23 => i32::from_be_bytes(fixed(4)?.try_into().map_err(|_| bad(oid))?).to_string(),
        20 => i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad(oid))?).to_string(),
        25 | 1043 | 19 | 705 | 114 => String::from_utf8(bytes.to_vec()).map_err(|_| bad(oid))?,
        3802 => match bytes.split_first() {
            Some((1, rest)) => String::from_utf8(rest.to_vec()).map_err(|_| bad(oid))?,
            _ => return Err(bad(oid)),
        },
        17 => Value::Bytes(bytes.to_vec())
            .to_text()
            .expect("bytes are not null"),
        2950 => {
            let raw = u128::from_be_bytes(fixed(16)?.try_into().map_err(|_| bad(oid))?);
            Value::Uuid(raw).to_text().expect("a uuid is not null")
        }
        1184 | 1114 => {
            let pg_us = i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad(oid))?);
            let us = pg_us
                .checked_add(PG_EPOCH_OFFSET_US)
                .ok_or_else(|| bad(oid))?;
            if oid == 1114 {
                format_local_timestamp(us)
            } else {
                format_timestamp(us)
            }
        }
        1700 => numeric_text(bytes).ok_or_else(|| bad(oid))?,
        1186 => {
            // Microseconds (8 bytes), days (4), months (4), big-endian.
            let raw = fixed(16)?;
            let micros = i64::from_be_bytes(raw[..8].try_into().map_err(|_| bad(oid))?);
            let days = i32::from_be_bytes(raw[8..12].try_into().map_err(|_| bad(oid))?);
            let months = i32::from_be_bytes(raw[12..].try_into().map_err(|_| bad(oid))?);
            super::interval::Interval {
                months,
                days,
                micros,
            }
            .to_text()
        }
        _ => return Err(unsupported(oid)),
    })
}

/// A result value (in text form) in binary, for a column of type `oid`.
pub fn result_bytes(oid: u32, text: &str) -> Result<Vec<u8>, SqlError> {
    let ty = type_of_oid(oid).ok_or_else(|| unsupported(oid))?;
    let value = parse_text(text, ty)?;
    Ok(match (oid, value) {
        (16, Value::Bool(b)) => vec![u8::from(b)],
        (21, Value::Int(n)) => i16::try_from(n)
            .map_err(|_| bad(oid))?
            .to_be_bytes()
            .to_vec(),
        (23, Value::Int(n)) => i32::try_from(n)
            .map_err(|_| bad(oid))?
            .to_be_bytes()
            .to_vec(),
        (20, Value::Int(n)) => n.to_be_bytes().to_vec(),
        (2950, Value::Uuid(u)) => u.to_be_bytes().to_vec(),
        (17, Value::Bytes(b)) => b,
        (1184, Value::Timestamp(us)) | (1114, Value::LocalTimestamp(us)) => {
            (us - PG_EPOCH_OFFSET_US).to_be_bytes().to_vec()
        }
        (3802, Value::Json(s)) => {
            let mut out = vec![1];
            out.extend_from_slice(s.as_bytes());
            out
        }
        (1700, Value::Numeric(_) | Value::Int(_)) => numeric_bytes(text),
        (1186, Value::Interval(i)) => {
            let mut out = i.micros.to_be_bytes().to_vec();
            out.extend_from_slice(&i.days.to_be_bytes());
            out.extend_from_slice(&i.months.to_be_bytes());
            out
        }
        _ => text.as_bytes().to_vec(),
    })
}

/// PostgreSQL's binary numeric (base-10000 digits) as decimal text.
fn numeric_text(bytes: &[u8]) -> Option<String> {
    let word = |i: usize| -> Option<u16> {
        Some(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]))
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(2)? as i16);
    let sign = word(4)?;
    let dscale = usize::from(word(6)?);
    if sign == 0xC000 || bytes.len() != 8 + 2 * ndigits {
        return None;
    }
    let digits: Vec<u16> = (0..ndigits)
        .map(|i| word(8 + 2 * i))
        .collect::<Option<_>>()?;
    let mut whole = String::new();
    let mut fraction = String::new();
    for (i, d) in digits.iter().enumerate() {
        let position = weight - i32::try_from(i).ok()?;
        if position >= 0 {
            if whole.is_empty() {
                whole = d.to_string();
            } else {
                whole.push_str(&format!("{d:04}"));
            }
        } else {
            // Zero groups between the point and the first digit.
            while fraction.len() < usize::try_from(-position - 1).ok()? * 4 {
                fraction.push_str("0000");
            }
            fraction.push_str(&format!("{d:04}"));
        }
    }
    // Zero groups between the last digit and the point.
    let last_position = weight - i32::try_from(ndigits).ok()? + 1;
    if !whole.is_empty() && last_position > 0 {
        for _ in 0..last_position {
            whole.push_str("0000");
        }
    }
    if whole.is_empty() {
        whole.push('0');
    }
    fraction.truncate(dscale);
    while fraction.len() < dscale {
        fraction.push('0');
    }
    let sign = if sign == 0x4000 { "-" } else { "" };
    Some(if dscale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    })
}

/// Decimal text as PostgreSQL's binary numeric.
fn numeric_bytes(text: &str) -> Vec<u8> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let dscale = fraction.len();
    let whole = whole.trim_start_matches('0');
    // Pad both sides to whole groups of four digits around the point.
    let pad_left = (4 - whole.len() % 4) % 4;
    let pad_right = (4 - fraction.len() % 4) % 4;
    let all = format!(
        "{}{whole}{fraction}{}",
        "0".repeat(pad_left),
        "0".repeat(pad_right)
    );
    let mut groups: Vec<u16> = all
        .as_bytes()
        .chunks(4)
        .map(|c| {
            std::str::from_utf8(c)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    let mut weight = i32::try_from((whole.len() + pad_left) / 4).unwrap_or(0) - 1;
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    let mut out = Vec::with_capacity(8 + 2 * groups.len());
    out.extend_from_slice(&u16::try_from(groups.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(&i16::try_from(weight).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(&(if negative { 0x4000u16 } else { 0 }).to_be_bytes());
    out.extend_from_slice(&u16::try_from(dscale).unwrap_or(0).to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerics_round_trip_through_the_binary_form() {
        for text in [
            "0",
            "1",
            "10000",
            "123456789.25",
            "-0.0005",
            "0.50",
            "7.00",
            "100.1",
        ] {
            let bytes = numeric_bytes(text);
            assert_eq!(numeric_text(&bytes).as_deref(), Some(text), "{text}");
        }
    }

    #[test]
    fn integers_uuids_and_times_round_trip() {
        for (oid, text) in [
            (20, "-42"),
            (23, "7"),
            (16, "t"),
            (2950, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            (1184, "2026-12-07 04:25:55.5+00"),
            (3802, "{\"a\": 1}"),
        ] {
            let bytes = result_bytes(oid, text).unwrap();
            assert_eq!(param_text(oid, &bytes).unwrap(), text, "{oid}");
        }
    }
}
