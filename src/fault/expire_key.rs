//! `expire-key`: the key's record disappears just as the attempt's request
//! enters the network, as if its TTL had run out while the client waited.
//!
//! Only what has a time to live can expire: a design's records when it sets
//! `[keys] ttl_ms`; for a service, the values its requests for the transfer
//! stored in the key store with a TTL (whatever it names them). A database
//! row, or a value stored without a TTL, never disappears on its own.

use super::Lasts;
use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, Explore, Fault, FaultKind, FaultSpec, Resolve, ResolveCtx};
use crate::api::Api;
use crate::error::Problem;
use crate::history::{Event, What};
use crate::scenario::{Scenario, TransferIx};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `kind = "expire-key"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct Spec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
}

/// The record of the attempt's key expires as the request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpireKey;

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        // The fault stands for a TTL running out: a design that keeps its
        // records without one has nothing that could expire.
        if let Some(design) = ctx.api.design()
            && design.key_ttl_ms.is_none()
        {
            return Err(ctx.problem(
                "kind",
                format!(
                    "design `{}` keeps its idempotency records without a time to live ([keys] ttl_ms), so none can expire; expected a design whose records expire",
                    design.name
                ),
            ));
        }
        Ok(Fault {
            target: ctx.target(&self.transfer, self.attempt)?,
            kind: FaultKind::ExpireKey(ExpireKey),
        })
    }
}

impl Behaviour for ExpireKey {
    fn name(&self) -> &'static str {
        "expire-key"
    }

    fn lasts(&self) -> Lasts {
        Lasts::NOTHING
    }

    fn to_spec(&self, transfer: String, attempt: u32, _api: &Api) -> FaultSpec {
        FaultSpec::ExpireKey(Spec { transfer, attempt })
    }

    fn expires_key(&self) -> bool {
        true
    }
}

impl Explore for ExpireKey {
    fn from_event(event: &Event, _scenario: &Scenario) -> Option<Fault> {
        match &event.what {
            What::KeyExpired { tag, cause, .. } if cause.is_primary() => Some(Fault::on_attempt(
                tag.transfer,
                tag.attempt,
                FaultKind::ExpireKey(ExpireKey),
            )),
            _ => None,
        }
    }

    /// The key's records expiring as each attempt is sent, when the
    /// design's TTL is short enough for a retry to outlive it.
    fn candidates(
        scenario: &Scenario,
        _places: &super::Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        if scenario.key_expiry_in_reach() {
            vec![FaultKind::ExpireKey(ExpireKey)]
        } else {
            Vec::new()
        }
    }
}

/// Random expiries, where a record can expire at all.
pub static RANDOM: RandomForm = RandomForm {
    draw: 7,
    rate_field: "expire",
    table: RateTable::Faults,
    stream: "expire",
    menu: random::RARE_RATES,
    words: "expire",
    doc: "Chance the records of a request's key expire as the request is sent.",
    in_reach: Scenario::key_expiry_in_reach,
    lasts_ms: random::instant_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};
