//! `delay`: a message of the attempt is held in the network for `delay_ms`,
//! then delivered, so that a retry can overtake it or a late request arrive
//! after the answer was given.

use super::Lasts;
use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, Explore, Fault, FaultKind, FaultSpec, NetAction, Resolve, ResolveCtx};
use crate::api::Api;
use crate::error::Problem;
use crate::history::{Event, What};
use crate::scenario::{Scenario, TransferIx};
use crate::vocab::wire::Point;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `kind = "delay"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct Spec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
    /// Which message; `request` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub message: Option<String>,
    /// How long the message is held, in simulated milliseconds.
    #[schemars(range(min = 1, max = crate::limits::MAX_TIMEOUT_MS))]
    pub delay_ms: u64,
}

/// A hold of the message at `point` for `delay_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    pub point: Point,
    pub delay_ms: u64,
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        let point = ctx.point(self.message.as_deref())?;
        let delay_ms = ctx.duration("delay_ms", self.delay_ms)?;
        Ok(Fault {
            target: ctx.target(&self.transfer, self.attempt)?,
            kind: FaultKind::Delay(Delay { point, delay_ms }),
        })
    }
}

impl Behaviour for Delay {
    fn name(&self) -> &'static str {
        "delay"
    }

    fn lasts(&self) -> Lasts {
        Lasts {
            ms: self.delay_ms,
            shrinks: true,
        }
    }

    fn to_spec(&self, transfer: String, attempt: u32, api: &Api) -> FaultSpec {
        FaultSpec::Delay(Spec {
            transfer,
            attempt,
            message: Some(api.point_name(self.point)),
            delay_ms: self.delay_ms,
        })
    }

    fn on_message(&self, point: Point) -> Option<NetAction> {
        (point == self.point).then_some(NetAction::Hold {
            delay_ms: self.delay_ms,
        })
    }

    fn smaller(&self) -> Vec<FaultKind> {
        if self.delay_ms <= 1 {
            return Vec::new();
        }
        vec![FaultKind::Delay(Delay {
            delay_ms: self.delay_ms / 2,
            ..*self
        })]
    }
}

impl Explore for Delay {
    fn from_event(event: &Event, _scenario: &Scenario) -> Option<Fault> {
        match &event.what {
            What::Held {
                tag,
                point,
                until_ms,
                cause,
                ..
            } if cause.is_primary() => Some(Fault::on_attempt(
                tag.transfer,
                tag.attempt,
                FaultKind::Delay(Delay {
                    point: *point,
                    delay_ms: until_ms - event.at_ms,
                }),
            )),
            _ => None,
        }
    }

    /// Every message, held past the client's timeout (twice its timeout),
    /// and past the longest expiry a message can outlive.
    fn candidates(
        scenario: &Scenario,
        places: &super::Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        let lengths = scenario.hold_lengths_ms();
        places
            .points
            .iter()
            .flat_map(|&point| {
                lengths
                    .iter()
                    .map(move |&delay_ms| FaultKind::Delay(Delay { point, delay_ms }))
            })
            .collect()
    }
}

/// Random holds: a message held from one to two client timeouts, long
/// enough that a retry may overtake it.
pub static HOLD: RandomForm = RandomForm {
    draw: 3,
    rate_field: "delay",
    table: RateTable::Faults,
    stream: "network-delay",
    menu: random::MESSAGE_RATES,
    words: "delay",
    doc: "Chance each message is held in the network past the client's timeout.",
    in_reach: random::always,
    lasts_ms: random::two_timeouts_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};

/// Random long holds: a message held past the API's expiries (see
/// `Scenario::long_hold_ms`); only where the API has an expiry.
pub static LONG_HOLD: RandomForm = RandomForm {
    draw: 5,
    rate_field: "long_delay",
    table: RateTable::Faults,
    stream: "network-long-delay",
    menu: random::RARE_RATES,
    words: "long delay",
    doc: "Chance each message is held long: past the key TTL or lock expiry of\nthe design (or a service's recovery time), plus a client timeout — a\nmessage stuck in a queue for hours. No long hold without an expiry.",
    in_reach: long_hold_in_reach,
    lasts_ms: long_hold_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};

fn long_hold_in_reach(scenario: &Scenario) -> bool {
    scenario.long_hold_ms().is_some()
}

/// A long hold outlasts the heal only when the scenario turns it on.
fn long_hold_ms(scenario: &Scenario) -> u64 {
    if scenario.rate(&LONG_HOLD).is_zero() {
        0
    } else {
        scenario.long_hold_ms().unwrap_or(0)
    }
}
