//! Reach: which failure windows a run exercised.
//!
//! A sweep that quietly stops losing responses, or never crashes the API after
//! the ledger write, proves nothing about those windows. Like FoundationDB's
//! code probes and "sometimes" assertions, each run reports the [`Phase`]s it
//! reached; a sweep counts how many runs reached each, and a scenario may
//! require some to be reached at least once (`[explore] must_reach`), which
//! is checked against the names below when the scenario is loaded.

use crate::api::{Api, Place};
use crate::history::{Event, Host, KeyPhase, TxnResult, What};
use crate::vocab::wire::{Code, Point};
use std::collections::{BTreeMap, BTreeSet};

/// A failure window, or a defence at work, that a run can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    RequestLost,
    ResponseLost,
    KeyRequestLost,
    StoreRequestLost,
    StoreAnswerLost,
    Delayed,
    Duplicated,
    Crash {
        host: Host,
        boundary: Place,
    },
    Stall {
        boundary: Place,
    },
    /// A request found its key held by another (409, or a design that waits).
    ConcurrentDuplicate,
    /// A stored answer was replayed.
    Replayed,
    /// A key record went from one state to another.
    Key {
        from: KeyPhase,
        to: KeyPhase,
    },
    /// A key record expired (by its TTL or by a fault).
    Expiry,
    /// A transfer was still unanswered when the faults healed.
    Liveness,
}

const KEY_PHASES: [KeyPhase; 5] = [
    KeyPhase::Absent,
    KeyPhase::Issued,
    KeyPhase::InProgress,
    KeyPhase::Done,
    KeyPhase::Expired,
];

fn key_phase_name(p: KeyPhase) -> &'static str {
    match p {
        KeyPhase::Absent => "absent",
        KeyPhase::Issued => "issued",
        KeyPhase::InProgress => "in-progress",
        KeyPhase::Done => "done",
        KeyPhase::Expired => "expired",
    }
}

const CRASH_HOSTS: [Host; 3] = [Host::Api, Host::Keys, Host::Ledger];

impl Phase {
    /// The name `must_reach` and the reports use.
    pub fn name(self, api: &Api) -> String {
        match self {
            Phase::RequestLost => "request-lost".into(),
            Phase::ResponseLost => "response-lost".into(),
            Phase::KeyRequestLost => "key-request-lost".into(),
            Phase::StoreRequestLost => "store-request-lost".into(),
            Phase::StoreAnswerLost => "store-answer-lost".into(),
            Phase::Delayed => "delayed".into(),
            Phase::Duplicated => "duplicated".into(),
            Phase::Crash { host, boundary } => {
                format!("crash:{host}:{}", api.place_name(boundary))
            }
            Phase::Stall { boundary } => format!("stall:{}", api.place_name(boundary)),
            Phase::ConcurrentDuplicate => "concurrent-duplicate".into(),
            Phase::Replayed => "replayed".into(),
            Phase::Key { from, to } => {
                format!("key:{}->{}", key_phase_name(from), key_phase_name(to))
            }
            Phase::Expiry => "expiry".into(),
            Phase::Liveness => "liveness".into(),
        }
    }

    /// Every phase a run of `api` can reach at sites every attempt has (a
    /// service's store-call sites are named by [`Phase::parse`] too).
    pub fn all(api: &Api) -> Vec<Phase> {
        let mut out = vec![
            Phase::RequestLost,
            Phase::ResponseLost,
            Phase::KeyRequestLost,
            Phase::StoreRequestLost,
            Phase::StoreAnswerLost,
            Phase::Delayed,
            Phase::Duplicated,
        ];
        let boundaries = api.places();
        for host in CRASH_HOSTS {
            out.extend(
                boundaries
                    .iter()
                    .map(|&boundary| Phase::Crash { host, boundary }),
            );
        }
        out.extend(boundaries.iter().map(|&boundary| Phase::Stall { boundary }));
        out.extend([Phase::ConcurrentDuplicate, Phase::Replayed]);
        for from in KEY_PHASES {
            for to in KEY_PHASES {
                if from != to {
                    out.push(Phase::Key { from, to });
                }
            }
        }
        out.extend([Phase::Expiry, Phase::Liveness]);
        out
    }

    /// The phase named `text`, for `api`; else what was expected.
    pub fn parse(text: &str, api: &Api) -> Result<Phase, String> {
        let all = Phase::all(api);
        if let Some(phase) = all.iter().copied().find(|p| p.name(api) == text) {
            return Ok(phase);
        }
        // A site named by its own syntax (a service's `after:ledger-2`).
        let site = |name: &str| api.place(name);
        if let Some(rest) = text.strip_prefix("stall:")
            && let Some(boundary) = site(rest)
        {
            return Ok(Phase::Stall { boundary });
        }
        if let Some(rest) = text.strip_prefix("crash:")
            && let Some((host, at)) = rest.split_once(':')
            && let Some(host) = CRASH_HOSTS.iter().find(|h| h.name() == host)
            && let Some(boundary) = site(at)
        {
            return Ok(Phase::Crash {
                host: *host,
                boundary,
            });
        }
        let fixed: Vec<String> = all
            .iter()
            .filter(|p| {
                !matches!(
                    p,
                    Phase::Crash { .. } | Phase::Stall { .. } | Phase::Key { .. }
                )
            })
            .map(|p| p.name(api))
            .collect();
        Err(format!(
            "`{}` is not a phase this {} can reach; expected one of: {}, crash:HOST:SITE, stall:SITE (sites: {}), or key:STATE->STATE (states: absent, issued, in-progress, done, expired)",
            crate::text::escape(text),
            api.noun(),
            fixed.join(", "),
            api.place_forms()
        ))
    }
}

/// The phases one run reached. The match over events names every kind,
/// so a new kind does not compile until the phase it reaches is decided.
pub fn phases(events: &[Event]) -> BTreeSet<Phase> {
    let mut reached = BTreeSet::new();
    for event in events {
        match &event.what {
            What::Lost { point, cause, .. }
                if !matches!(cause, crate::history::Cause::HostDown(_)) =>
            {
                reached.insert(lost_phase(*point));
            }
            What::Held { .. } => {
                reached.insert(Phase::Delayed);
            }
            What::Duplicated { .. } => {
                reached.insert(Phase::Duplicated);
            }
            What::Crashed {
                host,
                site: Some(site),
                ..
            } => {
                reached.insert(Phase::Crash {
                    host: *host,
                    boundary: site.boundary,
                });
            }
            What::Stalled { boundary, .. } => {
                reached.insert(Phase::Stall {
                    boundary: *boundary,
                });
            }
            What::ApiReplied { response, .. }
                if response.status == 409 && response.code == Code::KeyInUse =>
            {
                reached.insert(Phase::ConcurrentDuplicate);
            }
            What::ApiReplied { response, .. } if response.replayed => {
                reached.insert(Phase::Replayed);
            }
            What::Txn {
                result: TxnResult::Wait,
                ..
            } => {
                reached.insert(Phase::ConcurrentDuplicate);
            }
            What::KeyState { from, to, .. } => {
                reached.insert(Phase::Key {
                    from: *from,
                    to: *to,
                });
                if *from == KeyPhase::Expired {
                    reached.insert(Phase::Expiry);
                }
            }
            What::KeyExpired { .. } | What::KeyEvicted { .. } => {
                reached.insert(Phase::Expiry);
            }
            What::LivenessPhase { .. } => {
                reached.insert(Phase::Liveness);
            }
            // Listed one by one, with no catch-all, so that a new kind of
            // event does not compile until the phase it reaches is decided.
            What::Lost { .. }
            | What::Crashed { site: None, .. }
            | What::ApiReplied { .. }
            | What::Txn { .. }
            | What::KeyRequested { .. }
            | What::KeyObtained { .. }
            | What::Sent { .. }
            | What::Received { .. }
            | What::TimedOut { .. }
            | What::LateAnswer { .. }
            | What::Backoff { .. }
            | What::Finished { .. }
            | What::ApiReceived { .. }
            | What::LedgerEntry { .. }
            | What::FailedOpen { .. }
            | What::StoreTimeout { .. }
            | What::HandlerDropped { .. }
            | What::ClientRestarted { .. }
            | What::PaysAgain { .. }
            | What::Completing { .. }
            | What::Outage { .. }
            | What::Released { .. }
            | What::Restarted { .. }
            | What::Healed
            | What::LimitReached { .. }
            | What::Log { .. }
            | What::Panicked { .. } => {}
        }
    }
    reached
}

fn lost_phase(point: Point) -> Phase {
    match point {
        Point::Request => Phase::RequestLost,
        Point::Response => Phase::ResponseLost,
        Point::KeyRequest | Point::KeyResponse => Phase::KeyRequestLost,
        Point::Result(_) => Phase::StoreAnswerLost,
        Point::Call(_) => Phase::StoreRequestLost,
    }
}

/// How many runs reached each phase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReachCounts {
    counts: BTreeMap<Phase, u64>,
}

impl ReachCounts {
    pub fn add(&mut self, phases: &BTreeSet<Phase>) {
        for phase in phases {
            *self.counts.entry(*phase).or_insert(0) += 1;
        }
    }

    pub fn merge(&mut self, other: &ReachCounts) {
        for (phase, n) in &other.counts {
            *self.counts.entry(*phase).or_insert(0) += n;
        }
    }

    pub fn get(&self, phase: Phase) -> u64 {
        self.counts.get(&phase).copied().unwrap_or(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Phase, u64)> + '_ {
        self.counts.iter().map(|(p, n)| (*p, *n))
    }

    /// The phases of `required` that no run reached.
    pub fn unreached(&self, required: &[Phase]) -> Vec<Phase> {
        required
            .iter()
            .copied()
            .filter(|p| self.get(*p) == 0)
            .collect()
    }
}
