//! Seed ranges (`--seeds 0..1000`) and partitions of them (`--partition
//! slice:1/4`), shared by `check`, `explore` and their reports.

use crate::limits;
use serde::Serialize;
use std::ops::RangeInclusive;

/// Seeds `A..B` (B excluded) or `A..=B` (B included), never empty and at most
/// [`limits::MAX_SEEDS`] long.
///
/// The range keeps its *last* seed rather than one past it, so that it can
/// hold `u64::MAX`: every seed `run --seed` accepts can be swept, and no
/// iteration, partition or count over a range needs a value past `u64::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeedRange {
    start: u64,
    last: u64,
}

impl SeedRange {
    /// Parses `A..B` or `A..=B`; at most [`limits::MAX_SEEDS`] seeds. `B` of
    /// `A..B` may be 2^64, one past the last seed.
    pub fn parse(text: &str) -> Result<SeedRange, String> {
        let expected = "expected a seed range such as 0..1000 (1000 seeds) or 5..=9";
        let (start, end, inclusive) = if let Some((a, b)) = text.split_once("..=") {
            (a, b, true)
        } else if let Some((a, b)) = text.split_once("..") {
            (a, b, false)
        } else {
            return Err(format!("`{text}` is not a seed range; {expected}"));
        };
        let not_a_seed = |s: &str| format!("`{s}` in `{text}` is not a seed; {expected}");
        let seed = |s: &str| s.trim().parse::<u64>().map_err(|_| not_a_seed(s));
        let start = seed(start)?;
        // The last seed: `B` itself, or one before `B` for `A..B`, where `B`
        // may be 2^64 (one past `u64::MAX`).
        let last = if inclusive {
            Some(seed(end)?)
        } else {
            let end = end
                .trim()
                .parse::<u128>()
                .ok()
                .filter(|n| *n <= u128::from(u64::MAX) + 1)
                .ok_or_else(|| not_a_seed(end))?;
            end.checked_sub(1).and_then(|last| u64::try_from(last).ok())
        };
        let Some(last) = last.filter(|last| *last >= start) else {
            return Err(format!("`{text}` holds no seed; {expected}"));
        };
        let count = u128::from(last - start) + 1;
        if count > u128::from(limits::MAX_SEEDS) {
            return Err(format!(
                "`{text}` holds {count} seeds; expected at most {}",
                limits::MAX_SEEDS
            ));
        }
        Ok(SeedRange { start, last })
    }

    /// `count` seeds from `start` on: 1 to [`limits::MAX_SEEDS`] of them, the
    /// last at most `u64::MAX`.
    pub fn new(start: u64, count: u64) -> Result<SeedRange, String> {
        if count == 0 || count > limits::MAX_SEEDS {
            return Err(format!(
                "{count} seeds; expected 1 to {}",
                limits::MAX_SEEDS
            ));
        }
        let last = start
            .checked_add(count - 1)
            .ok_or_else(|| format!("{count} seeds from {start} end past the last seed"))?;
        Ok(SeedRange { start, last })
    }

    /// The range holding just `seed` (any seed, `u64::MAX` too).
    pub fn one(seed: u64) -> SeedRange {
        SeedRange {
            start: seed,
            last: seed,
        }
    }

    /// The first seed.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The last seed (included).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Every seed, in order.
    pub fn seeds(&self) -> RangeInclusive<u64> {
        self.start..=self.last
    }

    /// The seed at `index` (0 is the first), if the range holds that many.
    pub fn nth(&self, index: u64) -> Option<u64> {
        self.start.checked_add(index).filter(|s| *s <= self.last)
    }

    /// How many seeds: at least 1, at most [`limits::MAX_SEEDS`], so the sum
    /// cannot overflow.
    pub fn len(&self) -> u64 {
        self.last - self.start + 1
    }

    /// Never: a range holds at least one seed (kept for the `len` idiom).
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl std::fmt::Display for SeedRange {
    /// `A..B` as the flags write it, or `A..=B` when the range ends at the
    /// last seed (no `B` past it fits a `u64`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.last.checked_add(1) {
            Some(end) => write!(f, "{}..{end}", self.start),
            None => write!(f, "{}..={}", self.start, self.last),
        }
    }
}

/// Which share of a seed range this process runs (1-based `M` of `N`), the
/// way nextest splits tests across CI jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Partition {
    /// Every `N`th seed of the range, starting with the `M`th.
    Slice { m: u64, n: u64 },
    /// Seeds whose hash is `M - 1` modulo `N`: an even spread that does not
    /// depend on where the range starts.
    Hash { m: u64, n: u64 },
}

impl Partition {
    pub fn parse(text: &str) -> Result<Partition, String> {
        let expected = "expected slice:M/N or hash:M/N with 1 <= M <= N, such as slice:1/4";
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not a partition; {expected}"))?;
        let (m, n) = rest
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a partition; {expected}"))?;
        let m: u64 = m
            .parse()
            .map_err(|_| format!("`{m}` is not a number; {expected}"))?;
        let n: u64 = n
            .parse()
            .map_err(|_| format!("`{n}` is not a number; {expected}"))?;
        if m == 0 || n == 0 || m > n {
            return Err(format!("`{text}` is out of range; {expected}"));
        }
        match kind {
            "slice" => Ok(Partition::Slice { m, n }),
            "hash" => Ok(Partition::Hash { m, n }),
            _ => Err(format!("unknown partition kind `{kind}`; {expected}")),
        }
    }

    /// Whether the seed at `index` within the range (value `seed`) is ours.
    pub fn includes(&self, index: u64, seed: u64) -> bool {
        match *self {
            Partition::Slice { m, n } => index % n == m - 1,
            Partition::Hash { m, n } => splitmix(seed) % n == m - 1,
        }
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Partition::Slice { m, n } => write!(f, "slice:{m}/{n}"),
            Partition::Hash { m, n } => write!(f, "hash:{m}/{n}"),
        }
    }
}

/// A fixed, well-mixing hash of a seed (SplitMix64's finaliser).
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seed_ranges() {
        assert_eq!(SeedRange::parse("0..10").unwrap().len(), 10);
        assert_eq!(SeedRange::parse("5..=9").unwrap().seeds(), 5..=9);
        assert!(SeedRange::parse("10..10").is_err());
        assert!(SeedRange::parse("10..=9").is_err());
        assert!(SeedRange::parse("a..3").is_err());
        assert!(SeedRange::parse("7").is_err());
        assert!(SeedRange::parse("0..99999999999").is_err());
        assert!(SeedRange::parse("0..=18446744073709551616").is_err());
        assert!(SeedRange::parse("18446744073709551616..=18446744073709551616").is_err());
    }

    #[test]
    fn the_last_seed_can_be_swept() {
        let max = u64::MAX;
        let inclusive = SeedRange::parse("18446744073709551610..=18446744073709551615").unwrap();
        assert_eq!(inclusive.len(), 6);
        assert_eq!(inclusive.last(), max);
        assert_eq!(inclusive.seeds().count(), 6);
        assert_eq!(inclusive.seeds().last(), Some(max));
        assert_eq!(inclusive.nth(5), Some(max));
        assert_eq!(inclusive.nth(6), None);
        assert_eq!(
            inclusive.to_string(),
            "18446744073709551610..=18446744073709551615"
        );
        // `A..2^64` is the same range, written exclusively.
        assert_eq!(
            SeedRange::parse("18446744073709551610..18446744073709551616").unwrap(),
            inclusive
        );
        let last = SeedRange::parse("18446744073709551615..=18446744073709551615").unwrap();
        assert_eq!(last.len(), 1);
        assert_eq!(last.seeds().collect::<Vec<_>>(), vec![max]);
        assert_eq!(SeedRange::one(max), last);
        assert_eq!(SeedRange::one(max).seeds().count(), 1);
        assert_eq!(SeedRange::new(max - 5, 6).unwrap(), inclusive);
        assert!(SeedRange::new(max - 5, 7).is_err());
        assert!(SeedRange::new(0, 0).is_err());
        assert_eq!(SeedRange::parse("0..10").unwrap().to_string(), "0..10");
        // Every seed of the range belongs to exactly one partition.
        for kind in ["slice", "hash"] {
            let parts: Vec<Partition> = (1..=4)
                .map(|m| Partition::parse(&format!("{kind}:{m}/4")).unwrap())
                .collect();
            for (index, seed) in inclusive.seeds().enumerate() {
                let owners = parts
                    .iter()
                    .filter(|p| p.includes(index as u64, seed))
                    .count();
                assert_eq!(owners, 1, "{kind} seed {seed}");
            }
        }
    }

    #[test]
    fn partitions_split_a_range_exactly() {
        for kind in ["slice", "hash"] {
            let parts: Vec<Partition> = (1..=4)
                .map(|m| Partition::parse(&format!("{kind}:{m}/4")).unwrap())
                .collect();
            for index in 0..1000u64 {
                let owners = parts
                    .iter()
                    .filter(|p| p.includes(index, 500 + index))
                    .count();
                assert_eq!(owners, 1, "{kind} index {index}");
            }
        }
        assert!(Partition::parse("slice:0/4").is_err());
        assert!(Partition::parse("slice:5/4").is_err());
        assert!(Partition::parse("round:1/2").is_err());
        assert!(Partition::parse("slice:1").is_err());
    }
}
