//! `duplicate`: a message of the attempt arrives twice. turmoil cannot copy a
//! message in flight, so the world sends a duplicated message twice where it
//! enters the network, both copies with one id, as a retransmitting proxy would.
//!
//! Only where a real system sends a message twice ([`can_arrive_twice`]): a
//! request that a client, or a proxy on the way, sends again on a new
//! connection; a store call only when the API's client of that store resends
//! after a connection error, which the scenario must say. An answer never
//! arrives twice: it goes back on the connection that asked, and TCP never
//! delivers a byte twice.

use super::Lasts;
use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, Explore, Fault, FaultKind, FaultSpec, Resolve, ResolveCtx};
use crate::api::Api;
use crate::error::Problem;
use crate::history::{Event, What};
use crate::scenario::{Scenario, TransferIx};
use crate::vocab::wire::Point;
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

/// Whether a message at `point` can arrive twice, as real networks and
/// clients make it happen. A request (a client's to the API, or the API's
/// to a processor, both HTTP calls) may be sent again by the client or by a
/// proxy on a new connection. A store call reaches the store twice only when
/// the API's client of that store resends after a connection error, which
/// the scenario says with `[stores] keys_client_resends` or
/// `ledger_client_resends`. An answer, never.
pub fn can_arrive_twice(api: &Api, stores: &crate::scenario::Stores, point: Point) -> bool {
    use crate::design::StoreName;
    match point {
        Point::Request | Point::KeyRequest => true,
        Point::Response | Point::KeyResponse | Point::Result(_) => false,
        Point::Call(call) => match api.call_store(call) {
            Some(StoreName::Keys) => stores.keys_client_resends,
            Some(StoreName::Ledger) => stores.ledger_client_resends,
            Some(StoreName::Processor) => true,
            Some(StoreName::Memory) | None => false,
        },
    }
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        let point = ctx.point(self.message.as_deref())?;
        if !can_arrive_twice(ctx.api, ctx.stores, point) {
            return Err(ctx.problem(
                "message",
                format!(
                    "`{}` cannot arrive twice: {}; expected a message a client or proxy can send again: {}",
                    ctx.api.point_name(point),
                    why_not_twice(ctx.api, point),
                    twice_forms(ctx.api, ctx.stores)
                ),
            ));
        }
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

    fn lasts(&self) -> Lasts {
        Lasts::NOTHING
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
        places
            .points
            .iter()
            .copied()
            .filter(|p| scenario.duplicable(*p))
            .map(|point| FaultKind::Duplicate(Duplicate { point }))
            .collect()
    }
}

/// Why a message cannot arrive twice, for the error that refuses a
/// `duplicate` aimed at it.
fn why_not_twice(api: &Api, point: Point) -> &'static str {
    match point {
        Point::Call(call)
            if matches!(api.call_store(call), Some(crate::design::StoreName::Memory) | None) =>
        {
            "it never crosses the network"
        }
        Point::Call(_) => {
            "a store call arrives twice only when the API's client of that store resends after a connection error; say so with `[stores] keys_client_resends = true` or `ledger_client_resends = true`"
        }
        _ => "an answer goes back on the connection that asked, and TCP never delivers it twice",
    }
}

/// The messages of `api` that can arrive twice, for error messages.
fn twice_forms(api: &Api, stores: &crate::scenario::Stores) -> String {
    let names: Vec<String> = api
        .points()
        .into_iter()
        .filter(|p| can_arrive_twice(api, stores, *p))
        .map(|p| api.point_name(p))
        .collect();
    let mut text = names.join(", ");
    if api.service().is_some() {
        let resending: Vec<&str> = [
            ("keys-N", stores.keys_client_resends),
            ("ledger-N", stores.ledger_client_resends),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
        for name in resending {
            text.push_str(", ");
            text.push_str(name);
        }
    }
    text
}

/// Random duplicates: a message sent twice where it can be.
pub static RANDOM: RandomForm = RandomForm {
    draw: 2,
    rate_field: "duplicate",
    table: RateTable::Faults,
    stream: "duplicate",
    menu: random::MESSAGE_RATES,
    words: "duplicate",
    doc: "Chance each message is delivered twice.",
    in_reach: random::always,
    lasts_ms: random::instant_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};
