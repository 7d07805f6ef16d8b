//! `client-restart`: after the attempt fails, the client restarts. What it
//! keeps follows the scenario's `[retry.on] restart`: its key, stored
//! before it sent (`retry`, the default: the next attempt carries the same
//! key); nothing but the payment, its key held in memory only (`new-key`:
//! the next attempt carries a new key); or nothing (`give-up`).

use super::Lasts;
use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, Explore, Fault, FaultKind, FaultSpec, Resolve, ResolveCtx};
use crate::api::Api;
use crate::error::Problem;
use crate::history::{Event, What};
use crate::scenario::{Scenario, TransferIx};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `kind = "client-restart"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct Spec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
}

/// The client restarts after the attempt fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientRestart;

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        Ok(Fault {
            target: ctx.target(&self.transfer, self.attempt)?,
            kind: FaultKind::ClientRestart(ClientRestart),
        })
    }
}

impl Behaviour for ClientRestart {
    fn name(&self) -> &'static str {
        "client-restart"
    }

    fn lasts(&self) -> Lasts {
        Lasts::NOTHING
    }

    fn to_spec(&self, transfer: String, attempt: u32, _api: &Api) -> FaultSpec {
        FaultSpec::ClientRestart(Spec { transfer, attempt })
    }

    fn restarts_client(&self) -> bool {
        true
    }
}

impl Explore for ClientRestart {
    fn from_event(event: &Event, _scenario: &Scenario) -> Option<Fault> {
        match &event.what {
            What::ClientRestarted { tag, cause } if cause.is_primary() => Some(Fault::on_attempt(
                tag.transfer,
                tag.attempt,
                FaultKind::ClientRestart(ClientRestart),
            )),
            _ => None,
        }
    }

    /// The client restarting after each attempt.
    fn candidates(
        _scenario: &Scenario,
        _places: &super::Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        vec![FaultKind::ClientRestart(ClientRestart)]
    }
}

/// Random restarts after failed attempts.
pub static RANDOM: RandomForm = RandomForm {
    draw: 8,
    rate_field: "client_restart",
    table: RateTable::Faults,
    stream: "client-restart",
    menu: random::RARE_RATES,
    words: "client restart",
    doc: "Chance a client restarts after a failed attempt; what it keeps\nfollows `[retry.on] restart`.",
    in_reach: random::always,
    lasts_ms: random::instant_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};
