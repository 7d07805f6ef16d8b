//! Building a scenario in code, for a test or a property generator.
//!
//! ```
//! use idemsim::{FaultSpec, ScenarioSpec, TransferSpec, ViolationKind};
//!
//! let scenario = ScenarioSpec::builder("response lost", "naive")
//!     .account("alice", 10_000)
//!     .account("bob", 0)
//!     .client([TransferSpec::new("alice", "bob", 2_500)])
//!     .fault(FaultSpec::drop_response("t1", 1))
//!     .expect([ViolationKind::DoubleApply, ViolationKind::InconsistentReplay])
//!     .build()
//!     .unwrap();
//! assert_eq!(scenario.transfers.len(), 1);
//!
//! // A mistake is reported as a file's would be, with the field's path.
//! let error = ScenarioSpec::builder("typo", "naive")
//!     .account("alice", 10_000)
//!     .account("bob", 0)
//!     .client([TransferSpec::new("alice", "carol", 5)])
//!     .build()
//!     .unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "client[0].transfers[0].to: unknown account `carol`; expected one of: alice, bob"
//! );
//! ```
//!
//! The builder is the one way to make a scenario in code; the
//! [`super::Loader`] is the one way to read one. Both go through the same
//! validation, so a scenario built here and the file it would write are
//! refused, or accepted, alike.

use super::Scenario;
use super::spec::{
    ClientSpec, Expectation, FaultWindow, Keys, Network, RetryPolicy, RunLimits, ScenarioSpec,
    Seed, Stores, TransferSpec,
};
use super::validate::Invalid;
use crate::error::InputError;
use crate::fault::FaultSpec;
use crate::service::Services;
use crate::vocab::ViolationKind;
use std::collections::BTreeMap;
use std::path::Path;

/// Builds a [`ScenarioSpec`] step by step; [`ScenarioBuilder::build`] validates it.
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    spec: ScenarioSpec,
    /// What a scenario that names a service may name (see [`ScenarioBuilder::services`]).
    services: Services,
}

impl ScenarioSpec {
    /// A scenario named `name` running `design` (a built-in name or a design
    /// file's path), with default settings and nothing in it yet.
    pub fn builder(name: impl Into<String>, design: impl Into<String>) -> ScenarioBuilder {
        ScenarioSpec {
            name: name.into(),
            description: String::new(),
            seed: Seed(0),
            design: Some(design.into()),
            service: None,
            accounts: BTreeMap::new(),
            keys: Keys::default(),
            retry: RetryPolicy::default(),
            network: Network::default(),
            faults: FaultWindow::default(),
            stores: Stores::default(),
            limits: RunLimits::default(),
            simulation: Default::default(),
            http: None,
            database: None,
            explore: Default::default(),
            expect: Expectation::violations([]),
            clients: Vec::new(),
            targeted: Vec::new(),
        }
        .into_builder()
    }

    /// A builder that starts from this spec: a scenario read from a file,
    /// changed in code (`loaded.scenario.to_spec()`), and built again.
    pub fn into_builder(self) -> ScenarioBuilder {
        ScenarioBuilder {
            spec: self,
            services: Services::new(),
        }
    }
}

impl TransferSpec {
    /// A transfer of `amount` from `from` to `to`, named by its position.
    pub fn new(from: impl Into<String>, to: impl Into<String>, amount: i64) -> TransferSpec {
        TransferSpec {
            id: None,
            from: from.into(),
            to: to.into(),
            amount,
            reuse_key_of: None,
        }
    }

    /// The same transfer, named `id`.
    pub fn id(mut self, id: impl Into<String>) -> TransferSpec {
        self.id = Some(id.into());
        self
    }
}

impl ScenarioBuilder {
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.spec.description = text.into();
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.spec.seed = Seed(seed);
        self
    }

    pub fn account(mut self, name: impl Into<String>, balance: i64) -> Self {
        self.spec.accounts.insert(name.into(), balance);
        self
    }

    /// A client host running `transfers` one after another.
    pub fn client(mut self, transfers: impl IntoIterator<Item = TransferSpec>) -> Self {
        self.spec.clients.push(ClientSpec {
            transfers: transfers.into_iter().collect(),
        });
        self
    }

    pub fn fault(mut self, fault: FaultSpec) -> Self {
        self.spec.targeted.push(fault);
        self
    }

    pub fn keys(mut self, keys: Keys) -> Self {
        self.spec.keys = keys;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.spec.retry = retry;
        self
    }

    pub fn network(mut self, network: Network) -> Self {
        self.spec.network = network;
        self
    }

    /// The fault window and random fault rates (`[faults]`).
    pub fn window(mut self, window: FaultWindow) -> Self {
        self.spec.faults = window;
        self
    }

    pub fn stores(mut self, stores: Stores) -> Self {
        self.spec.stores = stores;
        self
    }

    pub fn limits(mut self, limits: RunLimits) -> Self {
        self.spec.limits = limits;
        self
    }

    /// The violations every run must show (none for a design that must hold).
    pub fn expect(mut self, violations: impl IntoIterator<Item = ViolationKind>) -> Self {
        self.spec.expect = Expectation::violations(violations);
        self
    }

    pub fn expectation(mut self, expect: Expectation) -> Self {
        self.spec.expect = expect;
        self
    }

    /// The spec built so far.
    pub fn spec(self) -> ScenarioSpec {
        self.spec
    }

    /// The service's PostgreSQL database (`[database]`).
    pub fn database(mut self, database: super::DatabaseSpec) -> Self {
        self.spec.database = Some(database);
        self
    }

    /// Runs the service named `name` instead of the design.
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.spec.design = None;
        self.spec.service = Some(name.into());
        self
    }

    /// Offers `services` to the scenario, which may name one of them (see
    /// [`ScenarioBuilder::service`]).
    pub fn services(mut self, services: &Services) -> Self {
        self.services = services.clone();
        self
    }

    /// Validates the spec; a design path is taken from the current
    /// directory. A problem names the field's path.
    pub fn build(self) -> Result<Scenario, InputError> {
        self.spec
            .validate(Path::new("."), &self.services)
            .map_err(Invalid::into_input_error)
    }
}
