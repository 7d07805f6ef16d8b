//! `drop`: a message of the attempt is lost in the network. `drop-request`
//! and `drop-response` are the two drops every lesson uses: the request lost
//! before the API sees it, the response lost after the API processed it.

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

/// `kind = "drop"`.
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
}

/// `kind = "drop-request"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct RequestSpec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
}

/// `kind = "drop-response"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct ResponseSpec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
}

/// A drop of the message at `point`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drop {
    pub point: Point,
}

fn drop_at(
    ctx: &ResolveCtx<'_>,
    transfer: &str,
    attempt: u32,
    point: Point,
) -> Result<Fault, Problem> {
    Ok(Fault {
        target: ctx.target(transfer, attempt)?,
        kind: FaultKind::Drop(Drop { point }),
    })
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        let point = ctx.point(self.message.as_deref())?;
        drop_at(ctx, &self.transfer, self.attempt, point)
    }
}

impl Resolve for RequestSpec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        drop_at(ctx, &self.transfer, self.attempt, Point::Request)
    }
}

impl Resolve for ResponseSpec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        drop_at(ctx, &self.transfer, self.attempt, Point::Response)
    }
}

impl Behaviour for Drop {
    fn name(&self) -> &'static str {
        "drop"
    }

    fn lasts(&self) -> Lasts {
        Lasts::NOTHING
    }

    fn to_spec(&self, transfer: String, attempt: u32, api: &Api) -> FaultSpec {
        match self.point {
            Point::Request => FaultSpec::DropRequest(RequestSpec { transfer, attempt }),
            Point::Response => FaultSpec::DropResponse(ResponseSpec { transfer, attempt }),
            point => FaultSpec::Drop(Spec {
                transfer,
                attempt,
                message: Some(api.point_name(point)),
            }),
        }
    }

    fn on_message(&self, point: Point) -> Option<NetAction> {
        (point == self.point).then_some(NetAction::Lose)
    }
}

impl Explore for Drop {
    fn from_event(event: &Event, _scenario: &Scenario) -> Option<Fault> {
        match &event.what {
            What::Lost {
                tag, point, cause, ..
            } if cause.is_primary() => Some(Fault::on_attempt(
                tag.transfer,
                tag.attempt,
                FaultKind::Drop(Drop { point: *point }),
            )),
            _ => None,
        }
    }

    fn candidates(
        _scenario: &Scenario,
        places: &super::Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        places
            .points
            .iter()
            .copied()
            .map(|point| FaultKind::Drop(Drop { point }))
            .collect()
    }
}

/// Random loss: each message is lost with `[network] loss`.
pub static LOSS: RandomForm = RandomForm {
    draw: 0,
    rate_field: "loss",
    table: RateTable::Network,
    stream: "network-loss",
    menu: random::MESSAGE_RATES,
    words: "loss",
    doc: "Chance each message is lost while faults act, e.g. `\"1/20\"`.",
    in_reach: random::always,
    lasts_ms: random::instant_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};
