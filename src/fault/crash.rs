//! `crash`: a host crashes when the API reaches a step boundary serving the
//! attempt, and restarts later with its durable state and an empty memory.
//! Crashing the API between two transactions is the "failure during
//! processing" window; crashing a store there loses what was in flight to it.

use super::Lasts;
use super::random::{self, RandomForm, RateTable};
use super::{Behaviour, BoundaryAction, Explore, Fault, FaultKind, FaultSpec, Resolve, ResolveCtx};
use crate::api::{Api, Place};
use crate::design::StoreName;
use crate::error::Problem;
use crate::history::{Cause, Event, Host, What};
use crate::scenario::{Scenario, TransferIx};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A host a crash fault can hit.
// Its names are written once, here: scenario files, reports and JSON spell
// them as the variants in kebab case (`serde` and `strum` alike).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
#[schemars(rename = "Host")]
pub enum CrashHost {
    Api,
    Keys,
    Ledger,
    /// A design's processor (a third party it charges).
    Processor,
}

impl CrashHost {
    /// The name a scenario file gives the host.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn host(self) -> Host {
        match self {
            CrashHost::Api => Host::Api,
            CrashHost::Keys => Host::Keys,
            CrashHost::Ledger => Host::Ledger,
            CrashHost::Processor => Host::Processor,
        }
    }

    /// The host that holds `store` (the API holds its memory).
    pub fn of_store(store: StoreName) -> CrashHost {
        match store {
            StoreName::Keys => CrashHost::Keys,
            StoreName::Ledger => CrashHost::Ledger,
            StoreName::Processor => CrashHost::Processor,
            StoreName::Memory => CrashHost::Api,
        }
    }

    /// The store this host holds; `None` for the API.
    pub fn store(self) -> Option<StoreName> {
        match self {
            CrashHost::Api => None,
            CrashHost::Keys => Some(StoreName::Keys),
            CrashHost::Ledger => Some(StoreName::Ledger),
            CrashHost::Processor => Some(StoreName::Processor),
        }
    }

    fn of(host: Host) -> Option<CrashHost> {
        match host {
            Host::Api => Some(CrashHost::Api),
            Host::Keys => Some(CrashHost::Keys),
            Host::Ledger => Some(CrashHost::Ledger),
            Host::Processor => Some(CrashHost::Processor),
            _ => None,
        }
    }
}

/// The hosts a targeted fault may name: the API, the key store and the
/// ledger — every world has them, whether or not the API talks to them, so
/// that one scenario describes one environment for any design (as `diff`
/// runs it) — and the processor only when the design charges one, from its
/// transfer endpoint, a cleanup or a completer's job ([`Api::stores`]): a
/// world without one has no such host.
pub(crate) fn nameable(api: &Api) -> Vec<CrashHost> {
    let processor = api
        .stores()
        .contains(&StoreName::Processor)
        .then_some(CrashHost::Processor);
    [CrashHost::Api, CrashHost::Keys, CrashHost::Ledger]
        .into_iter()
        .chain(processor)
        .collect()
}

/// How long a crashed host stays down when the fault does not say.
pub const DEFAULT_RESTART_AFTER_MS: u64 = 100;

fn default_restart_after_ms() -> u64 {
    DEFAULT_RESTART_AFTER_MS
}

fn default_host() -> CrashHost {
    CrashHost::Api
}

/// `kind = "crash"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct Spec {
    pub transfer: String,
    #[serde(default = "super::first_attempt")]
    #[schemars(range(min = 1))]
    pub attempt: u32,
    /// The host that crashes; `api` by default.
    #[serde(default = "default_host")]
    pub host: CrashHost,
    /// A step boundary: `before:NAME` or `after:NAME` of a design transaction.
    pub at: String,
    /// How long the host stays down.
    #[serde(default = "default_restart_after_ms")]
    #[schemars(range(min = 1, max = crate::limits::MAX_TIMEOUT_MS))]
    pub restart_after_ms: u64,
}

/// `host` crashes at `boundary` and restarts `restart_after_ms` later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crash {
    pub host: CrashHost,
    pub boundary: Place,
    pub restart_after_ms: u64,
}

impl Resolve for Spec {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem> {
        let host = ctx.host_among(self.host, &ctx.crash_hosts(), "crash")?;
        let boundary = ctx.boundary(&self.at)?;
        let restart_after_ms = ctx.duration("restart_after_ms", self.restart_after_ms)?;
        Ok(Fault {
            target: ctx.target(&self.transfer, self.attempt)?,
            kind: FaultKind::Crash(Crash {
                host,
                boundary,
                restart_after_ms,
            }),
        })
    }
}

impl Behaviour for Crash {
    fn name(&self) -> &'static str {
        "crash"
    }

    fn lasts(&self) -> Lasts {
        Lasts {
            ms: self.restart_after_ms,
            shrinks: false,
        }
    }

    fn to_spec(&self, transfer: String, attempt: u32, api: &Api) -> FaultSpec {
        FaultSpec::Crash(Spec {
            transfer,
            attempt,
            host: self.host,
            at: api.place_name(self.boundary),
            restart_after_ms: self.restart_after_ms,
        })
    }

    fn at_boundary(&self, boundary: Place) -> Option<BoundaryAction> {
        (boundary == self.boundary).then_some(BoundaryAction::Crash {
            host: self.host,
            restart_after_ms: self.restart_after_ms,
        })
    }
}

impl Explore for Crash {
    fn from_event(event: &Event, scenario: &Scenario) -> Option<Fault> {
        let What::Crashed {
            host,
            cause,
            site: Some(site),
        } = &event.what
        else {
            return None;
        };
        let restart_after_ms = match cause {
            Cause::Targeted(index) => match scenario.faults.get(*index).map(|f| &f.kind) {
                Some(FaultKind::Crash(c)) => c.restart_after_ms,
                _ => scenario.window.restart_after_ms,
            },
            _ => scenario.window.restart_after_ms,
        };
        Some(Fault::on_attempt(
            site.tag.transfer,
            site.tag.attempt,
            FaultKind::Crash(Crash {
                host: CrashHost::of(*host)?,
                boundary: site.boundary,
                restart_after_ms,
            }),
        ))
    }

    /// The API and each store it talks to, crashed at every site: a host the
    /// API never talks to would change nothing.
    fn candidates(
        scenario: &Scenario,
        places: &super::Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        let hosts: Vec<CrashHost> = std::iter::once(CrashHost::Api)
            .chain(scenario.api.stores().into_iter().map(CrashHost::of_store))
            .collect();
        places
            .sites
            .iter()
            .flat_map(|&boundary| {
                hosts.iter().map(move |&host| {
                    FaultKind::Crash(Crash {
                        host,
                        boundary,
                        restart_after_ms: scenario.window.restart_after_ms,
                    })
                })
            })
            .collect()
    }
}

/// Random API crashes at step boundaries, back after `[faults] restart_after_ms`.
pub static API_CRASH: RandomForm = RandomForm {
    draw: 1,
    rate_field: "crash",
    table: RateTable::Faults,
    stream: "crash",
    menu: random::BOUNDARY_RATES,
    words: "crash",
    doc: "Chance the API crashes at each step boundary.",
    in_reach: random::always,
    lasts_ms: restart_after_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};

/// Random store crashes at the API's step boundaries.
pub static STORE_CRASH: RandomForm = RandomForm {
    draw: 6,
    rate_field: "store_crash",
    table: RateTable::Faults,
    stream: "store-crash",
    menu: random::RARE_RATES,
    words: "store crash",
    doc: "Chance a store (`keys` or `ledger`, either) crashes at each step boundary.",
    in_reach: random::always,
    lasts_ms: restart_after_ms,
    on_message: None,
    refuses: random::never_refused,
    opt_in: false,
};

/// A randomly crashed host is down for the scenario's restart time.
fn restart_after_ms(scenario: &Scenario) -> u64 {
    scenario.window.restart_after_ms
}

#[cfg(test)]
mod tests {
    use super::CrashHost;

    #[test]
    fn a_hosts_name_is_how_scenario_files_spell_it() {
        for host in [
            CrashHost::Api,
            CrashHost::Keys,
            CrashHost::Ledger,
            CrashHost::Processor,
        ] {
            let spelled = serde_json::to_value(host).unwrap();
            assert_eq!(spelled, host.name(), "{host:?}");
            assert_eq!(host.host().name(), host.name(), "{host:?}");
        }
    }
}
