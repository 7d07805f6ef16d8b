//! Seed ranges (`--seeds 0..1000`) and partitions of them (`--partition
//! slice:1/4`), shared by `check`, `explore` and their reports.

use crate::limits;
use serde::Serialize;
use std::ops::Range;

/// Seeds `A..B` (B excluded) or `A..=B` (B included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeedRange {
    pub start: u64,
    /// One past the last seed; `u64::MAX` itself cannot be swept.
    pub end: u64,
}

impl SeedRange {
    /// Parses `A..B` or `A..=B`; at most [`limits::MAX_SEEDS`] seeds.
    pub fn parse(text: &str) -> Result<SeedRange, String> {
        let expected = "expected a seed range such as 0..1000 (1000 seeds) or 5..=9";
        let (start, end, inclusive) = if let Some((a, b)) = text.split_once("..=") {
            (a, b, true)
        } else if let Some((a, b)) = text.split_once("..") {
            (a, b, false)
        } else {
            return Err(format!("`{text}` is not a seed range; {expected}"));
        };
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("`{s}` in `{text}` is not a seed; {expected}"))
        };
        let start = number(start)?;
        let end = number(end)?;
        let end = if inclusive {
            end.checked_add(1)
                .ok_or_else(|| format!("`{text}` ends past the last seed"))?
        } else {
            end
        };
        if end <= start {
            return Err(format!("`{text}` holds no seed; {expected}"));
        }
        if end - start > limits::MAX_SEEDS {
            return Err(format!(
                "`{text}` holds {} seeds; expected at most {}",
                end - start,
                limits::MAX_SEEDS
            ));
        }
        Ok(SeedRange { start, end })
    }

    /// The range holding just `seed`.
    pub fn one(seed: u64) -> SeedRange {
        SeedRange {
            start: seed,
            end: seed.saturating_add(1).max(seed),
        }
    }

    pub fn seeds(&self) -> Range<u64> {
        self.start..self.end
    }

    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

impl std::fmt::Display for SeedRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
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
        assert_eq!(SeedRange::parse("5..=9").unwrap().seeds(), 5..10);
        assert!(SeedRange::parse("10..10").is_err());
        assert!(SeedRange::parse("a..3").is_err());
        assert!(SeedRange::parse("7").is_err());
        assert!(SeedRange::parse("0..99999999999").is_err());
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
