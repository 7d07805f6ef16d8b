//! Probabilities written as ratios (`"1/20"`), never floats.
//!
//! A float chance means slightly different things on different machines and in
//! different decimal renderings; a ratio of two integers drawn against an integer
//! random number means the same thing everywhere, so a seed replays exactly.

use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A probability `numerator / denominator`, with `numerator <= denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    numerator: u32,
    denominator: u32,
}

impl Ratio {
    /// Never happens.
    pub const ZERO: Ratio = Ratio {
        numerator: 0,
        denominator: 1,
    };

    /// `numerator / denominator`; `None` if the denominator is zero or the ratio exceeds one.
    pub fn new(numerator: u32, denominator: u32) -> Option<Ratio> {
        (denominator > 0 && numerator <= denominator).then_some(Ratio {
            numerator,
            denominator,
        })
    }

    pub fn is_zero(self) -> bool {
        self.numerator == 0
    }

    /// Draws one yes/no answer from `rng`: yes with this probability.
    pub fn sample(self, rng: &mut impl Rng) -> bool {
        if self.numerator == 0 {
            return false;
        }
        rng.random_range(0..self.denominator) < self.numerator
    }
}

impl FromStr for Ratio {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let expected = "expected a ratio such as \"1/20\" or \"0\"";
        let text = text.trim();
        if text == "0" {
            return Ok(Ratio::ZERO);
        }
        let (n, d) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a ratio; {expected}"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a ratio; {expected}"))?;
        let d: u32 = d
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a ratio; {expected}"))?;
        Ratio::new(n, d).ok_or_else(|| {
            format!("`{text}` is not a probability; expected a denominator above zero and a numerator no larger than it")
        })
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.numerator == 0 {
            write!(f, "0")
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl schemars::JsonSchema for Ratio {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RatioText".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A probability written as a ratio of integers (`\"1/20\"`) or `\"0\"`, never a float, so that a seed means the same thing on every machine.",
            "type": "string",
            "pattern": r"^\s*(0|[0-9]+\s*/\s*[0-9]+)\s*$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("1/20".parse::<Ratio>().unwrap(), Ratio::new(1, 20).unwrap());
        assert_eq!("0".parse::<Ratio>().unwrap(), Ratio::ZERO);
        assert!("0.05".parse::<Ratio>().is_err());
        assert!("3/2".parse::<Ratio>().is_err());
        assert!("1/0".parse::<Ratio>().is_err());
    }

    #[test]
    fn samples_near_the_ratio() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let r = Ratio::new(1, 4).unwrap();
        let hits = (0..4000).filter(|_| r.sample(&mut rng)).count();
        assert!((800..1200).contains(&hits), "{hits}");
        assert!(!Ratio::ZERO.sample(&mut rng));
    }
}
