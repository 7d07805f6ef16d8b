//! `connection-reset`: the API host's connection to the client is reset
//! after the handler ran, before the whole answer arrived, as a load
//! balancer's idle timeout, a pod going away or a proxy's RST does. The
//! service has already applied the attempt; the client never gets its
//! answer. Like every failed connection, the client counts it as no answer
//! (see `world::http::attempt`) and retries as its policy says.
//!
//! Only a service's clients hold a connection that can be reset: a design's
//! clients exchange messages with it, whose loss `drop-response` stands for.
//! So a design refuses both the targeted fault and the random rate.

use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, Explore, Fault, FaultKind, FaultSpec, Lasts, NetAction, Places};
use super::{Resolve, ResolveCtx};
use crate::api::Api;
use crate::error::Problem;
use crate::scenario::{Scenario, TransferIx};
use crate::vocab::wire::Point;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `kind = "connection-reset"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct Spec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
}

/// The connection that carries the attempt's answer is reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionReset;

/// Whether `api`'s clients reach it over a connection.
fn has_connection(api: &Api) -> bool {
    api.service().is_some()
}

/// Why `api` has no connection to reset, if it has none.
fn no_connection(api: &Api) -> Option<String> {
    (!has_connection(api)).then(|| {
        format!(
            "{} `{}` answers its clients in messages, not over a connection that can be reset; expected a service (a design's lost answer is `drop-response`)",
            api.noun(),
            crate::text::escape(api.name())
        )
    })
}

/// What a reset does to a message: the client's answer is lost, and only it.
fn resets(point: Point) -> Option<NetAction> {
    (point == Point::Response).then_some(NetAction::Lose)
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        if let Some(why) = no_connection(ctx.api) {
            return Err(ctx.problem("kind", why));
        }
        Ok(Fault {
            target: ctx.target(&self.transfer, self.attempt)?,
            kind: FaultKind::ConnectionReset(ConnectionReset),
        })
    }
}

impl Behaviour for ConnectionReset {
    fn name(&self) -> &'static str {
        "connection-reset"
    }

    fn lasts(&self) -> Lasts {
        Lasts::NOTHING
    }

    fn to_spec(&self, transfer: String, attempt: u32, _api: &Api) -> FaultSpec {
        FaultSpec::ConnectionReset(Spec { transfer, attempt })
    }

    fn on_message(&self, point: Point) -> Option<NetAction> {
        resets(point)
    }
}

impl Explore for ConnectionReset {
    /// A reset after each attempt's handler ran, for a service.
    fn candidates(
        scenario: &Scenario,
        places: &Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        if has_connection(&scenario.api) && places.points.contains(&Point::Response) {
            vec![FaultKind::ConnectionReset(ConnectionReset)]
        } else {
            Vec::new()
        }
    }
}

/// Random resets: each answer of a service to a client, at `[faults]
/// connection_reset`; swarm draws a rate for it only in a scenario that
/// sets one. A seed's reset lost an answer, and shrinks to the
/// `drop-response` that loses it the same way.
pub static RANDOM: RandomForm = RandomForm {
    draw: 10,
    rate_field: "connection_reset",
    table: RateTable::Faults,
    stream: "connection-reset",
    menu: random::RARE_RATES,
    words: "connection reset",
    doc: "Chance a service's connection to a client is reset after the handler ran, before the\nanswer arrived (only for a service).",
    in_reach: |scenario| has_connection(&scenario.api),
    lasts_ms: random::instant_ms,
    on_message: Some(|point, scenario| {
        if has_connection(&scenario.api) {
            resets(point)
        } else {
            None
        }
    }),
    refuses: no_connection,
    opt_in: true,
};
