//! What runs on the `api` host, and how faults and reports name its places.
//!
//! A scenario's payment API is a **design** (data, run by idemsim's
//! interpreter) or a **service** (a team's own HTTP code, see
//! [`crate::service`]). Both offer faults the same kinds of places — the
//! messages of an attempt, and the sites where the API can be crashed or
//! stalled — under names this module gives, so that faults, the search,
//! reach and every report speak of either the same way.

use crate::design::{Boundary, Design, StoreName};
use crate::service::Service;
use crate::service::sites::{self, Site};
use crate::vocab::wire::{Call, Point};
use serde::Serialize;
use std::sync::Arc;

/// A place where the API can crash or stall while serving an attempt, as
/// faults, the history and the search carry it: a design's step boundary
/// (a count of committed transactions) or a service's `Site`. Each API
/// parses, names and lists its own kind (see [`Api::place_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Place {
    Design(Boundary),
    Service(Site),
}

/// The payment API a scenario runs.
#[derive(Debug, Clone)]
pub enum Api {
    Design(Arc<Design>),
    Service(Arc<Service>),
}

impl Api {
    pub fn name(&self) -> &str {
        match self {
            Api::Design(d) => &d.name,
            Api::Service(s) => s.name(),
        }
    }

    pub fn summary(&self) -> &str {
        match self {
            Api::Design(d) => &d.summary,
            Api::Service(s) => s.summary_text(),
        }
    }

    /// `design` or `service`, for messages that name it.
    pub fn noun(&self) -> &'static str {
        match self {
            Api::Design(_) => "design",
            Api::Service(_) => "service",
        }
    }

    /// Whether two APIs are the same: equal designs (their files already
    /// read), or services of one name (a program offers one service per name).
    pub fn same_as(&self, other: &Api) -> bool {
        match (self, other) {
            (Api::Design(a), Api::Design(b)) => a == b,
            (Api::Service(a), Api::Service(b)) => a.name() == b.name(),
            _ => false,
        }
    }

    pub fn design(&self) -> Option<&Arc<Design>> {
        match self {
            Api::Design(d) => Some(d),
            Api::Service(_) => None,
        }
    }

    pub fn service(&self) -> Option<&Arc<Service>> {
        match self {
            Api::Design(_) => None,
            Api::Service(s) => Some(s),
        }
    }

    /// The stores the API talks to: a design's, from its transactions and
    /// key store; both for a service (which may call either). Search places
    /// store crashes and outages only on these.
    pub fn stores(&self) -> Vec<StoreName> {
        match self {
            Api::Design(d) => d.stores(),
            Api::Service(_) => vec![StoreName::Keys, StoreName::Ledger],
        }
    }

    /// What a place where the API can crash or stall is called, for
    /// messages: a design's `step boundary`, a service's `site`.
    pub fn site_noun(&self) -> &'static str {
        match self {
            Api::Design(_) => "step boundary",
            Api::Service(_) => "site",
        }
    }

    /// The expiries the API relies on that a held message could outlive: a
    /// design's key TTL and lock, a service's declared recovery time. Asked
    /// for every message the network carries: no allocation.
    pub fn expiries_ms(&self) -> [Option<u64>; 2] {
        match self {
            Api::Design(d) => [d.key_ttl_ms, d.lock_ms],
            Api::Service(s) => [Some(s.recovery()), None],
        }
    }

    /// The time to live of a design's key records; a service declares none
    /// (its own expiries happen as simulated time passes).
    pub fn key_ttl_ms(&self) -> Option<u64> {
        match self {
            Api::Design(d) => d.key_ttl_ms,
            Api::Service(_) => None,
        }
    }

    /// How long the API itself may need to answer every key again after
    /// the faults heal: a design's lock expiry, waits and store timeouts;
    /// what a service declares (`Service::recovery_ms`) plus one store
    /// call's timeout.
    pub fn settle_ms(&self) -> u64 {
        match self {
            Api::Design(design) => [
                design.lock_ms.unwrap_or(0),
                design.wait_ms.saturating_mul(u64::from(design.max_waits)),
                design
                    .store_timeout_ms
                    .saturating_mul(design.transactions.len() as u64 + 1),
            ]
            .into_iter()
            .max()
            .unwrap_or(0),
            Api::Service(service) => service
                .recovery()
                .saturating_add(crate::service::keys::DEFAULT_TIMEOUT_MS),
        }
    }

    /// Whether the `keys` host keeps its records through a crash: a
    /// design's `[keys] durable`; for a service, what the scenario says
    /// (`declared`, durable by default).
    pub fn keys_durability(
        &self,
        declared: Option<crate::vocab::Durability>,
    ) -> crate::vocab::Durability {
        use crate::vocab::Durability;
        match self {
            Api::Design(d) if d.key_store_durable => Durability::Durable,
            Api::Design(_) => Durability::Memory,
            Api::Service(_) => declared.unwrap_or_default(),
        }
    }

    /// The crash points a service declares (none for a design).
    pub fn declared_points(&self) -> &[String] {
        match self {
            Api::Design(_) => &[],
            Api::Service(s) => s.declared_points(),
        }
    }

    /// How faults and the timeline name a place where the API can crash or
    /// stall. A place of the other API's kind cannot arise from a scenario
    /// (faults are resolved against their own API); it is shown raw.
    pub fn place_name(&self, place: Place) -> String {
        match (self, place) {
            (Api::Design(d), Place::Design(boundary)) => d.boundary_name(boundary),
            (Api::Service(s), Place::Service(site)) => site.name(s.declared_points()),
            (_, other) => format!("({other:?})"),
        }
    }

    /// The place a fault's `at` names.
    pub fn place(&self, name: &str) -> Option<Place> {
        match self {
            Api::Design(d) => d.boundary_index(name).map(Place::Design),
            Api::Service(s) => Site::parse(name, s.declared_points()).map(Place::Service),
        }
    }

    /// How a person may name places, for error messages.
    pub fn place_forms(&self) -> String {
        match self {
            Api::Design(d) => d.boundary_names().join(", "),
            Api::Service(s) => Site::forms(s.declared_points()),
        }
    }

    /// The places every attempt has, whatever happens: a design's boundaries;
    /// a service's `start`, `end` and declared points (its store calls
    /// depend on what its code does, see `explore::exhaustive`).
    pub fn places(&self) -> Vec<Place> {
        match self {
            Api::Design(d) => d.boundaries().map(Place::Design).collect(),
            Api::Service(s) => Site::fixed(s.declared_points())
                .into_iter()
                .map(Place::Service)
                .collect(),
        }
    }

    /// The places around a store call the API was seen making: a service's
    /// sites before it leaves and after its answer arrives; none for a
    /// design, whose places are all fixed (see [`Api::places`]).
    pub fn places_around(&self, call: Call) -> Vec<Place> {
        match (self, call) {
            (Api::Service(_), Call::Service(call)) => vec![
                Place::Service(Site::Before(call)),
                Place::Service(Site::After(call)),
            ],
            (Api::Design(_), _) | (_, Call::Design(_)) => Vec::new(),
        }
    }

    /// How faults name a store call: a design's transaction, a service's
    /// `keys-2`. A design call of a service cannot arise (its calls are
    /// all service calls); it is shown raw.
    pub fn call_name(&self, call: Call) -> String {
        match (self, call) {
            (_, Call::Service(call)) => sites::call_name(call),
            (Api::Design(d), Call::Design(call)) => d.call_name(call).to_string(),
            (Api::Service(_), Call::Design(call)) => format!("{call:?}"),
        }
    }

    /// The store a call goes to; `None` for a call this API never makes
    /// (a design call of a service).
    pub fn call_store(&self, call: Call) -> Option<StoreName> {
        match (self, call) {
            (_, Call::Service(call)) => Some(call.store()),
            (Api::Design(d), Call::Design(call)) => Some(d.call_store(call)),
            (Api::Service(_), Call::Design(_)) => None,
        }
    }

    /// How faults name a message of an attempt.
    pub fn point_name(&self, point: Point) -> String {
        match point {
            Point::Request => "request".to_string(),
            Point::Response => "response".to_string(),
            Point::KeyRequest => "key-request".to_string(),
            Point::KeyResponse => "key-response".to_string(),
            Point::Call(call) => self.call_name(call),
            Point::Result(call) => format!("{}-result", self.call_name(call)),
        }
    }

    /// The message a fault's `message` names.
    pub fn point(&self, name: &str) -> Option<Point> {
        match self {
            Api::Design(d) => d.point(name),
            Api::Service(_) => match name {
                "request" => Some(Point::Request),
                "response" => Some(Point::Response),
                _ => match name.strip_suffix("-result") {
                    Some(call) => sites::parse_call(call).map(|c| Point::Result(Call::Service(c))),
                    None => sites::parse_call(name).map(|c| Point::Call(Call::Service(c))),
                },
            },
        }
    }

    /// How a person may name messages, for error messages.
    pub fn point_forms(&self) -> String {
        match self {
            Api::Design(d) => d
                .points()
                .into_iter()
                .map(|p| d.point_name(p))
                .collect::<Vec<_>>()
                .join(", "),
            Api::Service(_) => format!(
                "request, response, keys-N, ledger-N (the attempt's Nth call to that store, N from 1 to {}), or either with -result for its answer",
                crate::limits::MAX_STORE_CALLS
            ),
        }
    }

    /// The messages every attempt sends, whatever happens (a service's store
    /// calls depend on its code).
    pub fn points(&self) -> Vec<Point> {
        match self {
            Api::Design(d) => d.points(),
            Api::Service(_) => vec![Point::Request, Point::Response],
        }
    }
}
