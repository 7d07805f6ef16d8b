//! Reach counts: which failure windows a sweep actually exercised.
//!
//! A sweep that quietly stops losing responses, or never crashes the API after
//! the ledger write, proves nothing about those windows. Like FoundationDB's
//! code probes and "sometimes" assertions, each run reports the phases it
//! reached; a sweep counts how many runs reached each, and a scenario may
//! require some to be reached at least once (`[explore] must_reach`).

use crate::history::{Cause, Event, What};
use crate::wire::point;
use std::collections::{BTreeMap, BTreeSet};

/// The phases one run reached, by name.
pub fn phases(events: &[Event]) -> BTreeSet<String> {
    let mut reached = BTreeSet::new();
    for event in events {
        match &event.what {
            What::Lost {
                point: p, cause, ..
            } if *cause != Cause::HostDown => {
                reached.insert(lost_phase(p).to_string());
            }
            What::Held { .. } => {
                reached.insert("delayed".to_string());
            }
            What::Duplicated { .. } => {
                reached.insert("duplicated".to_string());
            }
            What::Crashed { host, at, .. } => {
                reached.insert(format!("crash:{host}:{}", at.as_deref().unwrap_or("?")));
            }
            What::Stalled { at, .. } => {
                reached.insert(format!("stall:{at}"));
            }
            What::ApiReplied { response, .. }
                if response.status == 409 && response.code == "key_in_use" =>
            {
                reached.insert("concurrent-duplicate".to_string());
            }
            What::ApiReplied { response, .. } if response.replayed => {
                reached.insert("replayed".to_string());
            }
            What::Txn { result, .. } if result.contains("will wait") => {
                reached.insert("concurrent-duplicate".to_string());
            }
            What::KeyState { from, to, .. } => {
                reached.insert(format!("key:{from}->{to}"));
                if from == "expired" {
                    reached.insert("expiry".to_string());
                }
            }
            What::KeyExpired { .. } => {
                reached.insert("expiry".to_string());
            }
            _ => {}
        }
    }
    reached
}

fn lost_phase(p: &str) -> &'static str {
    match p {
        point::REQUEST => "request-lost",
        point::RESPONSE => "response-lost",
        point::KEY_REQUEST | point::KEY_RESPONSE => "key-request-lost",
        p if p.ends_with(point::RESULT_SUFFIX) => "store-answer-lost",
        _ => "store-request-lost",
    }
}

/// How many runs reached each phase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReachCounts {
    counts: BTreeMap<String, u64>,
}

impl ReachCounts {
    pub fn add(&mut self, phases: &BTreeSet<String>) {
        for phase in phases {
            *self.counts.entry(phase.clone()).or_insert(0) += 1;
        }
    }

    pub fn merge(&mut self, other: &ReachCounts) {
        for (phase, n) in &other.counts {
            *self.counts.entry(phase.clone()).or_insert(0) += n;
        }
    }

    pub fn get(&self, phase: &str) -> u64 {
        self.counts.get(phase).copied().unwrap_or(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &u64)> {
        self.counts.iter()
    }
}
