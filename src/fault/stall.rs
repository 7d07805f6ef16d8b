//! `stall`: the API pauses at a step boundary while serving the attempt (a
//! garbage-collection pause, a slow dependency), so that a retry overlaps the
//! original or a claim goes stale under its owner.

use super::Lasts;
use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, BoundaryAction, Explore, Fault, FaultKind, FaultSpec, Resolve, ResolveCtx};
use crate::api::{Api, Place};
use crate::error::Problem;
use crate::history::{Event, What};
use crate::scenario::{Scenario, TransferIx};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `kind = "stall"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct Spec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
    /// A step boundary: `before:NAME` or `after:NAME` of a design transaction.
    pub at: String,
    /// How long the API stalls, in simulated milliseconds.
    #[schemars(range(min = 1, max = crate::limits::MAX_TIMEOUT_MS))]
    pub delay_ms: u64,
}

/// A pause of `stall_ms` at `boundary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    pub boundary: Place,
    pub stall_ms: u64,
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        let boundary = ctx.boundary(&self.at)?;
        let stall_ms = ctx.duration("delay_ms", self.delay_ms)?;
        Ok(Fault {
            target: ctx.target(&self.transfer, self.attempt)?,
            kind: FaultKind::Stall(Stall { boundary, stall_ms }),
        })
    }
}

impl Behaviour for Stall {
    fn name(&self) -> &'static str {
        "stall"
    }

    fn lasts(&self) -> Lasts {
        Lasts {
            ms: self.stall_ms,
            shrinks: true,
        }
    }

    fn to_spec(&self, transfer: String, attempt: u32, api: &Api) -> FaultSpec {
        FaultSpec::Stall(Spec {
            transfer,
            attempt,
            at: api.place_name(self.boundary),
            delay_ms: self.stall_ms,
        })
    }

    fn at_boundary(&self, boundary: Place) -> Option<BoundaryAction> {
        (boundary == self.boundary).then_some(BoundaryAction::Stall {
            stall_ms: self.stall_ms,
        })
    }

    fn smaller(&self) -> Vec<FaultKind> {
        if self.stall_ms <= 1 {
            return Vec::new();
        }
        vec![FaultKind::Stall(Stall {
            stall_ms: self.stall_ms / 2,
            ..*self
        })]
    }
}

impl Explore for Stall {
    fn from_event(event: &Event, _scenario: &Scenario) -> Option<Fault> {
        match &event.what {
            What::Stalled {
                tag,
                boundary,
                stall_ms,
                ..
            } => Some(Fault::on_attempt(
                tag.transfer,
                tag.attempt,
                FaultKind::Stall(Stall {
                    boundary: *boundary,
                    stall_ms: *stall_ms,
                }),
            )),
            _ => None,
        }
    }

    /// The API stalling at every site, past the client's timeout, and past
    /// the lock expiry when the API has one (so that a claim goes stale
    /// under its owner).
    fn candidates(
        scenario: &Scenario,
        places: &super::Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        let lengths = scenario.hold_lengths_ms();
        places
            .sites
            .iter()
            .flat_map(|&boundary| {
                lengths
                    .iter()
                    .map(move |&stall_ms| FaultKind::Stall(Stall { boundary, stall_ms }))
            })
            .collect()
    }
}

/// Random stalls: the API pauses at a step boundary for one to two client
/// timeouts, so that a retry overlaps the stalled attempt.
pub static RANDOM: RandomForm = RandomForm {
    draw: 4,
    rate_field: "stall",
    table: RateTable::Faults,
    stream: "stall",
    menu: random::BOUNDARY_RATES,
    words: "stall",
    doc: "Chance the API stalls at each step boundary.",
    in_reach: random::always,
    lasts_ms: random::two_timeouts_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};
