//! `unreachable`: a store the API cannot reach from `from_ms` until
//! `until_ms`: every message to or from it is lost in that window (a
//! partition, a failover, a dead connection pool).

use super::Lasts;
use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, Explore, Fault, FaultKind, FaultSpec, Resolve, ResolveCtx, Target};
use crate::api::Api;
use crate::design::StoreName;
use crate::error::Problem;
use crate::fault::CrashHost;
use crate::history::{Cause, Event, Host, What};
use crate::scenario::{Scenario, TransferIx};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `kind = "unreachable"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct Spec {
    /// A store host: `keys`, `ledger`, or `processor` when the design
    /// charges one.
    pub host: CrashHost,
    pub from_ms: u64,
    pub until_ms: u64,
}

/// `store` is cut off from `from_ms` until `until_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreachable {
    pub store: StoreName,
    pub from_ms: u64,
    pub until_ms: u64,
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        let stores = ctx.store_hosts();
        let Some(store) = self.host.store() else {
            let names: Vec<&str> = stores.iter().map(|h| h.name()).collect();
            return Err(ctx.problem(
                "host",
                format!(
                    "the api cannot be unreachable from itself; expected one of: {}",
                    crate::text::list(&names)
                ),
            ));
        };
        ctx.host_among(self.host, &stores, "cut off")?;
        let heal = ctx.heal_at_ms;
        if self.from_ms > heal {
            return Err(ctx.problem(
                "from_ms",
                format!(
                    "from_ms is {}; expected a value from 0 to {heal} (heal_at_ms: faults act only before it)",
                    self.from_ms
                ),
            ));
        }
        if !(self.from_ms..=heal).contains(&self.until_ms) {
            return Err(ctx.problem(
                "until_ms",
                format!(
                    "until_ms is {}; expected a value from {} (from_ms) to {heal} (heal_at_ms)",
                    self.until_ms, self.from_ms
                ),
            ));
        }
        Ok(Fault {
            target: Target::Window,
            kind: FaultKind::Unreachable(Unreachable {
                store,
                from_ms: self.from_ms,
                until_ms: self.until_ms,
            }),
        })
    }
}

impl Behaviour for Unreachable {
    fn name(&self) -> &'static str {
        "unreachable"
    }

    fn lasts(&self) -> Lasts {
        // An outage a scenario names ends by the heal.
        Lasts::NOTHING
    }

    fn to_spec(&self, _transfer: String, _attempt: u32, _api: &Api) -> FaultSpec {
        FaultSpec::Unreachable(Spec {
            host: CrashHost::of_store(self.store),
            from_ms: self.from_ms,
            until_ms: self.until_ms,
        })
    }

    fn window(&self) -> Option<super::Window> {
        Some(super::Window {
            host: Host::store(self.store),
            from_ms: self.from_ms,
            until_ms: self.until_ms,
        })
    }

    fn loses_in_window(&self, from: Host, to: Host, now_ms: u64) -> Option<u64> {
        let store = Host::store(self.store);
        ((self.from_ms..self.until_ms).contains(&now_ms) && (from == store || to == store))
            .then_some(self.until_ms)
    }
}

impl Explore for Unreachable {
    /// A random outage becomes the same window, targeted.
    fn from_event(event: &Event, _scenario: &Scenario) -> Option<Fault> {
        match &event.what {
            What::Outage {
                store,
                until_ms,
                cause: Cause::Random,
            } => Some(Fault {
                target: Target::Window,
                kind: FaultKind::Unreachable(Unreachable {
                    store: *store,
                    from_ms: event.at_ms,
                    until_ms: *until_ms,
                }),
            }),
            _ => None,
        }
    }

    /// Each store cut off for the first two client timeouts, and for the
    /// whole fault window. Windows belong to no attempt: they are placed
    /// once, with the first attempt of the first transfer.
    fn candidates(
        scenario: &Scenario,
        _places: &super::Places,
        transfer: TransferIx,
        attempt: u32,
    ) -> Vec<FaultKind> {
        if transfer != TransferIx(0) || attempt != 1 {
            return Vec::new();
        }
        let heal = scenario.window.heal_at_ms;
        let short = (2 * scenario.retry.timeout_ms).min(heal);
        let mut out = Vec::new();
        for store in scenario.api.stores() {
            for until_ms in [short, heal] {
                let u = Unreachable {
                    store,
                    from_ms: 0,
                    until_ms,
                };
                if until_ms > 0 && !out.contains(&FaultKind::Unreachable(u)) {
                    out.push(FaultKind::Unreachable(u));
                }
            }
        }
        out
    }
}

/// Random outages: a store unreachable for one to two client timeouts.
pub static RANDOM: RandomForm = RandomForm {
    draw: 9,
    rate_field: "outage",
    table: RateTable::Faults,
    stream: "outage",
    menu: random::RARE_RATES,
    words: "outage",
    doc: "Chance, at each message to or from a store, that the store becomes\nunreachable for one to two client timeouts.",
    in_reach: random::always,
    lasts_ms: random::two_timeouts_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};
