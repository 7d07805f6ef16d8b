//! `duplicate`: a message of the attempt arrives twice. turmoil cannot copy a
//! message in flight, so the world sends a duplicated message twice where it
//! enters the network, both copies with one id, as a retransmitting proxy would.

use super::{Behaviour, Explore, Fault, FaultKind, FaultSpec, Resolve, ResolveCtx};
use crate::api::Api;
use crate::error::Problem;
use crate::history::{Event, What};
use crate::scenario::{Scenario, TransferIx};
use crate::wire::Point;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `kind = "duplicate"`.
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

/// A second delivery of the message at `point`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    pub point: Point,
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        let point = ctx.point(self.message.as_deref())?;
        Ok(Fault {
            target: ctx.target(&self.transfer, self.attempt)?,
            kind: FaultKind::Duplicate(Duplicate { point }),
        })
    }
}

impl Behaviour for Duplicate {
    fn name(&self) -> &'static str {
        "duplicate"
    }

    fn to_spec(&self, transfer: String, attempt: u32, api: &Api) -> FaultSpec {
        FaultSpec::Duplicate(Spec {
            transfer,
            attempt,
            message: Some(api.point_name(self.point)),
        })
    }

    fn duplicates(&self, point: Point) -> bool {
        point == self.point
    }
}

impl Explore for Duplicate {
    fn from_event(event: &Event, _scenario: &Scenario) -> Option<Fault> {
        match &event.what {
            What::Duplicated { tag, point, .. } => Some(Fault::on_attempt(
                tag.transfer,
                tag.attempt,
                FaultKind::Duplicate(Duplicate { point: *point }),
            )),
            _ => None,
        }
    }

    /// Every message; a service's answer travels on the connection that
    /// asked, which TCP never delivers twice, so not its response.
    fn candidates(
        scenario: &Scenario,
        places: &super::Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        let service = scenario.api.service().is_some();
        places
            .points
            .iter()
            .copied()
            .filter(|p| !(service && *p == crate::wire::Point::Response))
            .map(|point| FaultKind::Duplicate(Duplicate { point }))
            .collect()
    }
}
