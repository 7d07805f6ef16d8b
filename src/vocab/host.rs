//! The hosts of the world and the stores an API calls.

use super::ClientIx;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which store a transaction or record lives in.
///
/// Its names are written once, here: the design file, reports and JSON spell
/// them as the variants in kebab case (`strum` and `serde` alike).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::Display,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StoreName {
    Keys,
    Ledger,
    /// The API process's own memory: no network between, and nothing kept
    /// through a crash or restart of the API.
    Memory,
    /// A third party that moves the money (a card processor), called from
    /// inside processing; it keeps its own idempotency records.
    Processor,
}

impl StoreName {
    /// The host that holds the store (`api` for its memory).
    pub fn host(self) -> &'static str {
        match self {
            StoreName::Memory => "api",
            remote => remote.name(),
        }
    }

    /// The name a design file uses.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Whether calls to the store cross the network (and so meet its faults).
    pub fn is_remote(self) -> bool {
        self != StoreName::Memory
    }
}

/// A host of the world, or one of the two actors outside the hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Host {
    Client(ClientIx),
    Api,
    Keys,
    Ledger,
    /// A design's processor: the third party that charges.
    Processor,
    /// A design's completer: a worker that finishes or fails keys left in progress.
    Completer,
    /// The simulated network (faults on messages, the end of the fault window).
    Network,
    /// The driver that steps the simulation (limits, host failures).
    Driver,
    /// The checker that judges a finished run.
    Checker,
}

impl Host {
    pub fn store(store: StoreName) -> Host {
        match store {
            StoreName::Keys => Host::Keys,
            StoreName::Memory => Host::Api,
            StoreName::Ledger => Host::Ledger,
            StoreName::Processor => Host::Processor,
        }
    }

    /// The name turmoil knows the host by (and every report prints).
    pub fn name(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Client(c) => write!(f, "{c}"),
            Host::Api => f.write_str("api"),
            Host::Keys => f.write_str("keys"),
            Host::Ledger => f.write_str("ledger"),
            Host::Completer => f.write_str("completer"),
            Host::Processor => f.write_str("processor"),
            Host::Network => f.write_str("network"),
            Host::Driver => f.write_str("driver"),
            Host::Checker => f.write_str("checker"),
        }
    }
}

/// Whether a store keeps its data through a crash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Durability {
    #[default]
    Durable,
    Memory,
}
