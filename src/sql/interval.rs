//! `interval`: a span of months, days and microseconds, as PostgreSQL
//! keeps one (the three are separate: a month is not a number of days until
//! it is added to a date), read and printed as PostgreSQL does with
//! `IntervalStyle` `postgres`, and added to timestamps in UTC.
//!
//! Payment code writes intervals to say when a claim goes stale
//! (`locked_at < now() - interval '30 seconds'`) or a key expires
//! (`now() + interval '24 hours'`).

use std::cmp::Ordering;

use super::value::MICROS_PER_DAY;

const MICROS_PER_SECOND: i64 = 1_000_000;

/// A span: months, days and microseconds, each with its own sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

/// How many of the next smaller part a unit of each part holds, for a
/// fraction written on a larger unit (`1.5 days`).
enum Unit {
    Months(i64),
    Days(i64),
    Micros(i64),
}

fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" => Unit::Micros(1),
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => Unit::Micros(1_000),
        "second" | "seconds" | "s" | "sec" | "secs" => Unit::Micros(MICROS_PER_SECOND),
        "minute" | "minutes" | "m" | "min" | "mins" => Unit::Micros(60 * MICROS_PER_SECOND),
        "hour" | "hours" | "h" | "hr" | "hrs" => Unit::Micros(3_600 * MICROS_PER_SECOND),
        "day" | "days" | "d" => Unit::Days(1),
        "week" | "weeks" | "w" => Unit::Days(7),
        "month" | "months" | "mon" | "mons" => Unit::Months(1),
        "year" | "years" | "y" | "yr" | "yrs" => Unit::Months(12),
        _ => return None,
    })
}

impl Interval {
    pub const ZERO: Interval = Interval {
        months: 0,
        days: 0,
        micros: 0,
    };

    /// Reads `1 day 02:00:00`, `90 minutes`, `-5 minutes`, `1.5 seconds`,
    /// `1 mon 2 days ago`, `36:00:00`: number-and-unit pairs and a clock
    /// part, as PostgreSQL's input takes them; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Interval> {
        let lower = text.trim().to_ascii_lowercase();
        let (body, ago) = match lower.strip_suffix("ago") {
            Some(rest) => (rest.trim_end(), true),
            None => (lower.as_str(), false),
        };
        let body = body.strip_prefix('@').unwrap_or(body);
        let words: Vec<&str> = body.split_whitespace().collect();
        if words.is_empty() {
            return None;
        }
        let mut total = Interval::ZERO;
        let mut i = 0;
        while i < words.len() {
            let word = words[i];
            if word.contains(':') {
                total = total.add(clock(word)?)?;
                i += 1;
                continue;
            }
            // `5 minutes`, or `5minutes`.
            let split = word
                .find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(word.len());
            let (number, attached) = word.split_at(split);
            let name = if attached.is_empty() {
                i += 1;
                *words.get(i)?
            } else {
                attached
            };
            total = total.add(amount(number, unit(name)?)?)?;
            i += 1;
        }
        if ago { total.negate() } else { Some(total) }
    }

    pub fn negate(self) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_neg()?,
            days: self.days.checked_neg()?,
            micros: self.micros.checked_neg()?,
        })
    }

    pub fn add(self, other: Interval) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_add(other.months)?,
            days: self.days.checked_add(other.days)?,
            micros: self.micros.checked_add(other.micros)?,
        })
    }

    /// PostgreSQL's order of intervals: a month counts as 30 days, a day as
    /// 24 hours.
    pub fn cmp_span(self, other: Interval) -> Ordering {
        self.span().cmp(&other.span())
    }

    fn span(self) -> i128 {
        (i128::from(self.months) * 30 + i128::from(self.days)) * i128::from(MICROS_PER_DAY)
            + i128::from(self.micros)
    }

    /// The interval from `earlier` to `later` (µs since the epoch), whole
    /// days first, as PostgreSQL subtracts two timestamps.
    pub fn between(later: i64, earlier: i64) -> Option<Interval> {
        let micros = later.checked_sub(earlier)?;
        Some(Interval {
            months: 0,
            days: i32::try_from(micros / MICROS_PER_DAY).ok()?,
            micros: micros % MICROS_PER_DAY,
        })
    }

    /// `us` (µs since the epoch, UTC) moved by this interval: months on the
    /// calendar (the day kept, or the month's last), then days, then time.
    pub fn add_to(self, us: i64) -> Option<i64> {
        let day = us.div_euclid(MICROS_PER_DAY);
        let time = us.rem_euclid(MICROS_PER_DAY);
        let (y, m, d) = super::value::civil_from_days(day);
        let month_index = y.checked_mul(12)? + (m - 1) + i64::from(self.months);
        let (y2, m2) = (month_index.div_euclid(12), month_index.rem_euclid(12) + 1);
        let d2 = d.min(days_in_month(y2, m2));
        let moved_day = super::value::days_from_civil(y2, m2, d2) + i64::from(self.days);
        moved_day
            .checked_mul(MICROS_PER_DAY)?
            .checked_add(time)?
            .checked_add(self.micros)
    }

    /// PostgreSQL's output: `1 year 2 mons 3 days 04:05:06.5`, `-00:05:00`,
    /// `-1 days +02:00:00`, `00:00:00` for nothing.
    pub fn to_text(self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut negative_before = false;
        let (years, months) = (self.months / 12, self.months % 12);
        for (value, name) in [
            (i64::from(years), "year"),
            (i64::from(months), "mon"),
            (i64::from(self.days), "day"),
        ] {
            if value == 0 {
                continue;
            }
            let plus = if negative_before && value > 0 {
                "+"
            } else {
                ""
            };
            let plural = if value == 1 { "" } else { "s" };
            parts.push(format!("{plus}{value} {name}{plural}"));
            negative_before |= value < 0;
        }
        if self.micros != 0 || parts.is_empty() {
            let sign = if self.micros < 0 {
                "-"
            } else if negative_before {
                "+"
            } else {
                ""
            };
            let clock = super::value::format_clock(self.micros.unsigned_abs());
            parts.push(format!("{sign}{clock}"));
        }
        parts.join(" ")
    }
}

/// `N` of `unit`, a fraction spilling into the smaller parts.
fn amount(number: &str, unit: Unit) -> Option<Interval> {
    let value: f64 = number.parse().ok()?;
    if !value.is_finite() || value.abs() > 1e15 {
        return None;
    }
    let whole = value.trunc();
    let fraction = value - whole;
    Some(match unit {
        Unit::Micros(per) => Interval {
            micros: (value * per as f64).round() as i64,
            ..Interval::ZERO
        },
        Unit::Days(per) => {
            let days = value * per as f64;
            Interval {
                days: i32::try_from(days.trunc() as i64).ok()?,
                micros: ((days - days.trunc()) * MICROS_PER_DAY as f64).round() as i64,
                ..Interval::ZERO
            }
        }
        Unit::Months(per) => {
            let months = whole as i64 * per + (fraction * per as f64).trunc() as i64;
            let rest = fraction * per as f64 - (fraction * per as f64).trunc();
            let days = rest * 30.0;
            Interval {
                months: i32::try_from(months).ok()?,
                days: i32::try_from(days.trunc() as i64).ok()?,
                micros: ((days - days.trunc()) * MICROS_PER_DAY as f64).round() as i64,
            }
        }
    })
}

/// `HH:MM[:SS[.f]]`, with an optional sign.
fn clock(word: &str) -> Option<Interval> {
    let (sign, rest) = match word.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, word.strip_prefix('+').unwrap_or(word)),
    };
    let mut fields = rest.splitn(3, ':');
    let hours: i64 = fields.next()?.parse().ok()?;
    let minutes: i64 = fields.next()?.parse().ok()?;
    let seconds: f64 = match fields.next() {
        Some(s) => s.parse().ok()?,
        None => 0.0,
    };
    if !(0..60).contains(&minutes) || !(0.0..60.0).contains(&seconds) {
        return None;
    }
    let micros = (hours * 3_600 + minutes * 60) * MICROS_PER_SECOND
        + (seconds * MICROS_PER_SECOND as f64).round() as i64;
    Some(Interval {
        micros: sign * micros,
        ..Interval::ZERO
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_and_print_as_postgresql_does() {
        // Each pair as PostgreSQL 15 prints the input with IntervalStyle postgres.
        for (input, printed) in [
            ("1 day 2 hours", "1 day 02:00:00"),
            ("90 minutes", "01:30:00"),
            ("30 seconds", "00:00:30"),
            ("-5 minutes", "-00:05:00"),
            ("1 mon 2 days", "1 mon 2 days"),
            ("1.5 seconds", "00:00:01.5"),
            ("36 hours", "36:00:00"),
            (
                "2 years 3 mons 4 days 05:06:07.5",
                "2 years 3 mons 4 days 05:06:07.5",
            ),
            ("1 week", "7 days"),
            ("-1 day +2 hours", "-1 days +02:00:00"),
            ("100 ms", "00:00:00.1"),
            ("0 seconds", "00:00:00"),
            ("5 minutes ago", "-00:05:00"),
            ("1.5 days", "1 day 12:00:00"),
        ] {
            let parsed = Interval::parse(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(parsed.to_text(), printed, "{input}");
        }
        for bad in ["", "five minutes", "5 fortnights", "1:99"] {
            assert_eq!(Interval::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn intervals_move_timestamps_on_the_calendar() {
        let jan31 = super::super::value::parse_text(
            "2024-01-31 10:00:00+00",
            super::super::ast::SqlType::Timestamptz,
        )
        .unwrap();
        let super::super::value::Value::Timestamp(us) = jan31 else {
            panic!()
        };
        let month = Interval::parse("1 month").unwrap();
        assert_eq!(
            super::super::value::format_timestamp(month.add_to(us).unwrap()),
            "2024-02-29 10:00:00+00"
        );
        let later = us + 47 * 3_600 * MICROS_PER_SECOND + 30 * 60 * MICROS_PER_SECOND;
        assert_eq!(
            Interval::between(later, us).unwrap().to_text(),
            "1 day 23:30:00"
        );
        assert_eq!(
            Interval::parse("1 mon")
                .unwrap()
                .cmp_span(Interval::parse("30 days").unwrap()),
            Ordering::Equal
        );
    }
}
