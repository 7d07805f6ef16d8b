//! The places in a service's handling of one attempt where a fault can crash
//! or stall the API, and how faults name them.
//!
//! A design's places are the boundaries between its transactions; a
//! service's are found by watching it work, at no cost to its code:
//!
//! * `start`: the request has arrived and the service has not seen it;
//! * `before:keys-N`, `before:ledger-N`: the attempt's Nth call to that
//!   store is about to leave;
//! * `after:keys-N`, `after:ledger-N`: that call's answer has arrived and
//!   the service has not seen it;
//! * `NAME`, `NAME#K`: the first (or Kth) time the attempt passes
//!   [`crate::service::crash_point`]`("NAME")`, a point the service declares;
//! * `end`: the service has answered and the answer has not left.
//!
//! Each is carried as a [`crate::api::Place`], so that the fault book, the
//! history and the search treat a service's places as they treat a design's.

use crate::limits;
use crate::vocab::wire::ServiceCall;

/// A place in a service's handling of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Site {
    Start,
    Before(ServiceCall),
    After(ServiceCall),
    /// The `pass`th pass (from 1) of declared crash point number `index`.
    Point {
        index: u16,
        pass: u16,
    },
    End,
}

impl Site {
    /// How faults and reports name this site, given the service's declared points.
    pub fn name(self, points: &[String]) -> String {
        match self {
            Site::Start => "start".to_string(),
            Site::End => "end".to_string(),
            Site::Before(call) => format!("before:{}", call_name(call)),
            Site::After(call) => format!("after:{}", call_name(call)),
            Site::Point { index, pass } => {
                let name = points
                    .get(index as usize)
                    .map_or("(undeclared point)", String::as_str);
                if pass == 1 {
                    name.to_string()
                } else {
                    format!("{name}#{pass}")
                }
            }
        }
    }

    /// Parses a site's name; `None` when it names no site of this service.
    pub fn parse(text: &str, points: &[String]) -> Option<Site> {
        match text {
            "start" => return Some(Site::Start),
            "end" => return Some(Site::End),
            _ => {}
        }
        if let Some(call) = text.strip_prefix("before:") {
            return parse_call(call).map(Site::Before);
        }
        if let Some(call) = text.strip_prefix("after:") {
            return parse_call(call).map(Site::After);
        }
        let (name, pass) = match text.split_once('#') {
            Some((name, pass)) => (name, pass.parse::<u16>().ok()?),
            None => (text, 1),
        };
        if !(1..=limits::MAX_POINT_PASSES).contains(&pass) {
            return None;
        }
        let index = point_number(points.iter().position(|p| p == name)?);
        Some(Site::Point { index, pass })
    }

    /// The sites every attempt of a service has, whatever its code does:
    /// `start`, `end`, and the first pass of each declared point.
    pub fn fixed(points: &[String]) -> Vec<Site> {
        let mut out = vec![Site::Start];
        out.extend((0..point_number(points.len())).map(|index| Site::Point { index, pass: 1 }));
        out.push(Site::End);
        out
    }

    /// How a person may name sites, for error messages.
    pub fn forms(points: &[String]) -> String {
        let mut forms = vec![
            "start".to_string(),
            "end".to_string(),
            format!(
                "before:keys-N, after:keys-N, before:ledger-N, after:ledger-N (N from 1 to {})",
                limits::MAX_STORE_CALLS
            ),
        ];
        if !points.is_empty() {
            forms.push(format!(
                "a declared crash point ({}), with #K for its Kth pass (K up to {})",
                points.join(", "),
                limits::MAX_POINT_PASSES
            ));
        }
        forms.join(", ")
    }
}

/// `keys-3`, `ledger-1`: how faults name a service's call.
pub fn call_name(call: ServiceCall) -> String {
    format!("{}-{}", call.store(), call.number())
}

/// Parses `keys-N` or `ledger-N`.
pub fn parse_call(text: &str) -> Option<ServiceCall> {
    let (store, n) = text.rsplit_once('-')?;
    let n: u16 = n.parse().ok()?;
    if !(1..=limits::MAX_STORE_CALLS).contains(&n) {
        return None;
    }
    match store {
        "keys" => Some(ServiceCall::Keys(n)),
        "ledger" => Some(ServiceCall::Ledger(n)),
        _ => None,
    }
}

/// A crash point's number: `limits::MAX_CRASH_POINTS` keeps it far below `u16::MAX`.
fn point_number(index: usize) -> u16 {
    u16::try_from(index).expect("MAX_CRASH_POINTS keeps crash point numbers below u16::MAX")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_site_survives_its_name() {
        let points = vec!["after-claim".to_string(), "after-debit".to_string()];
        let mut sites = vec![Site::Start, Site::End];
        for n in [1, 2, limits::MAX_STORE_CALLS] {
            for call in [ServiceCall::Keys(n), ServiceCall::Ledger(n)] {
                sites.push(Site::Before(call));
                sites.push(Site::After(call));
            }
        }
        for index in 0..2 {
            for pass in [1, 2, limits::MAX_POINT_PASSES] {
                sites.push(Site::Point { index, pass });
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for site in sites {
            assert!(names.insert(site.name(&points)), "{site:?} shares a name");
            assert_eq!(Site::parse(&site.name(&points), &points), Some(site));
        }
        assert_eq!(Site::parse("after:keys-0", &points), None);
        assert_eq!(Site::parse("after-claim#0", &points), None);
        assert_eq!(Site::parse("nowhere", &points), None);
        assert_eq!(
            Site::parse("after-debit#2", &points),
            Some(Site::Point { index: 1, pass: 2 })
        );
    }
}
