//! Targeted faults: what a scenario's `[[fault]]` tables ask for, one module
//! per kind.
//!
//! Each kind keeps everything about itself in its own file: the fields a
//! scenario file gives it ([`FaultSpec`], with its JSON Schema), how those
//! fields are checked and resolved against the design, where in the world it
//! acts (the hooks of `Behaviour`), how a fault the world suffered by chance
//! becomes this kind of targeted fault (for shrinking), which faults of the
//! kind an exhaustive search places, and how one is made smaller.
//!
//! The world never matches on kinds: at each place a fault can act it asks
//! the faults that target the attempt at hand through `Behaviour`, and its
//! random decisions through the kinds' [`RandomForm`]s. Adding a kind means
//! one new module here and its line in `fault_kinds!` below.

pub mod random;

use crate::api::{Api, Place};
use crate::error::{FieldPath, Problem};
use crate::history::{Event, Host};
use crate::limits;
use crate::scenario::{Scenario, TransferIx};
use crate::vocab::wire::Point;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crash::CrashHost;
pub use duplicate::can_arrive_twice;
pub use random::RandomForm;

/// How long a fault holds something up (a message, the API, a host) past
/// the moment it strikes: what the liveness deadline waits for, and what
/// shrinking makes smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lasts {
    pub ms: u64,
    /// Whether shrinking counts it (a delay or a stall it can shorten; not
    /// a crashed host's restart time, which it keeps).
    pub shrinks: bool,
}

impl Lasts {
    /// A fault that acts at once, or whose whole effect ends by the heal.
    pub const NOTHING: Lasts = Lasts {
        ms: 0,
        shrinks: false,
    };

    /// What shrinking counts of it.
    pub fn shrinkable_ms(self) -> u64 {
        if self.shrinks { self.ms } else { 0 }
    }
}

/// What the network does with a message a fault hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetAction {
    /// It is lost.
    Lose,
    /// It is held for `delay_ms`, then delivered.
    Hold { delay_ms: u64 },
}

/// What happens where the API passes a step boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryAction {
    /// The API pauses for `stall_ms`.
    Stall { stall_ms: u64 },
    /// `host` crashes and comes back `restart_after_ms` later.
    Crash {
        host: CrashHost,
        restart_after_ms: u64,
    },
}

/// The places in the world where a targeted fault can act. Each hook is
/// asked only of faults that target the attempt at hand (and have not hit
/// yet); a kind answers at the hooks where it acts and keeps the defaults
/// elsewhere.
pub(crate) trait Behaviour {
    /// The name a scenario file uses for this kind.
    fn name(&self) -> &'static str;

    /// This fault as a scenario file writes it, on attempt `attempt` of
    /// transfer `transfer` (ignored by faults that target a time window).
    fn to_spec(&self, transfer: String, attempt: u32, api: &Api) -> FaultSpec;

    /// A message of the attempt enters the network: lose or hold it?
    fn on_message(&self, _point: Point) -> Option<NetAction> {
        None
    }

    /// A message of the attempt is being sent: send it twice?
    fn duplicates(&self, _point: Point) -> bool {
        false
    }

    /// The API reaches step boundary `boundary` while serving the attempt.
    fn at_boundary(&self, _boundary: Place) -> Option<BoundaryAction> {
        None
    }

    /// The attempt's transfer request enters the network: does the key's record expire now?
    fn expires_key(&self) -> bool {
        false
    }

    /// The attempt failed: does the client restart (keeping what `[retry.on]
    /// restart` says it keeps)?
    fn restarts_client(&self) -> bool {
        false
    }

    /// The window of time the fault acts in, for a fault that acts on a
    /// window rather than on an attempt.
    fn window(&self) -> Option<Window> {
        None
    }

    /// For faults that act on a time window rather than an attempt: a message
    /// between `from` and `to` enters the network at `now_ms`; is it lost,
    /// and until when does the fault last?
    fn loses_in_window(&self, _from: Host, _to: Host, _now_ms: u64) -> Option<u64> {
        None
    }

    /// How long the fault holds something up once it strikes.
    fn lasts(&self) -> Lasts;

    /// Smaller versions of this fault (a shorter delay), for shrinking.
    fn smaller(&self) -> Vec<FaultKind> {
        Vec::new()
    }
}

/// What the search and the shrinker need from a kind, without an instance.
pub(crate) trait Explore {
    /// The targeted fault that makes a run suffer `event` again, if `event`
    /// is a fault of this kind (a message lost by chance becomes a `drop`).
    fn from_event(_event: &Event, _scenario: &Scenario) -> Option<Fault> {
        None
    }

    /// The faults of this kind an exhaustive search places on one attempt.
    fn candidates(
        _scenario: &Scenario,
        _places: &Places,
        _transfer: TransferIx,
        _attempt: u32,
    ) -> Vec<FaultKind> {
        Vec::new()
    }
}

/// The places of an attempt a search aims faults at: the messages it sends
/// and the sites where the API may crash or stall. A design's are fixed; a
/// service's depend on what its code does (see `explore::exhaustive`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub points: Vec<Point>,
    /// Where the API may crash or stall: step boundaries of a design,
    /// sites of a service.
    pub sites: Vec<Place>,
}

impl Places {
    /// The places every attempt has, whatever its code does.
    pub fn fixed(api: &Api) -> Places {
        Places {
            points: api.points(),
            sites: api.places(),
        }
    }
}

/// Resolves a fault's fields against the scenario and the design.
pub(crate) trait Resolve {
    fn resolve(&self, ctx: &ResolveCtx<'_>) -> Result<Fault, Problem>;
}

/// What resolving a fault needs: the API, the transfers and the fault's place in the file.
pub(crate) struct ResolveCtx<'a> {
    pub api: &'a Api,
    /// The scenario's stores: which of their clients resend a call.
    pub stores: &'a crate::scenario::Stores,
    pub transfer_ids: &'a BTreeMap<String, TransferIx>,
    /// The highest attempt number any transfer can reach.
    pub max_attempt: u32,
    pub heal_at_ms: u64,
    /// Where this fault is in the scenario (`fault[3]`).
    pub path: FieldPath,
}

impl ResolveCtx<'_> {
    pub fn problem(&self, field: &str, message: impl Into<String>) -> Problem {
        Problem::new(self.path.key(field), message)
    }

    /// The attempt a fault names.
    pub fn target(&self, transfer: &str, attempt: u32) -> Result<Target, Problem> {
        let Some(&ix) = self.transfer_ids.get(transfer) else {
            let known: Vec<&str> = self.transfer_ids.keys().map(String::as_str).collect();
            return Err(self.problem(
                "transfer",
                format!(
                    "unknown transfer `{transfer}`; expected one of: {}",
                    crate::text::list(&known)
                ),
            ));
        };
        if !(1..=self.max_attempt).contains(&attempt) {
            return Err(self.problem(
                "attempt",
                format!(
                    "attempt is {attempt}; expected a value from 1 to {}",
                    self.max_attempt
                ),
            ));
        }
        Ok(Target::Attempt {
            transfer: ix,
            attempt,
        })
    }

    /// The message a network fault names (`request` when it names none).
    pub fn point(&self, message: Option<&str>) -> Result<Point, Problem> {
        let Some(name) = message else {
            return Ok(Point::Request);
        };
        self.api.point(name).ok_or_else(|| {
            self.problem(
                "message",
                format!(
                    "{} `{}` sends no message `{}`; expected one of: {}",
                    self.api.noun(),
                    self.api.name(),
                    crate::text::escape(name),
                    self.api.point_forms()
                ),
            )
        })
    }

    /// The step boundary a fault's `at` names.
    pub fn boundary(&self, at: &str) -> Result<Place, Problem> {
        self.api.place(at).ok_or_else(|| {
            let what = self.api.site_noun();
            self.problem(
                "at",
                format!(
                    "{} `{}` has no {what} `{}`; expected one of: {}",
                    self.api.noun(),
                    self.api.name(),
                    crate::text::escape(at),
                    self.api.place_forms()
                ),
            )
        })
    }

    /// The hosts a fault may crash (see [`crash::nameable`]).
    pub fn crash_hosts(&self) -> Vec<CrashHost> {
        crash::nameable(self.api)
    }

    /// The store hosts a fault may cut off (the same, less the API).
    pub fn store_hosts(&self) -> Vec<CrashHost> {
        crash::nameable(self.api)
            .into_iter()
            .filter(|h| h.store().is_some())
            .collect()
    }

    /// `host` if it is one of `hosts`; else a problem at the fault's `host`
    /// saying which hosts this design or service has, and why it matters
    /// (`what`: what the fault would do to it).
    pub fn host_among(
        &self,
        host: CrashHost,
        hosts: &[CrashHost],
        what: &str,
    ) -> Result<CrashHost, Problem> {
        if hosts.contains(&host) {
            return Ok(host);
        }
        let names: Vec<&str> = hosts.iter().map(|h| h.name()).collect();
        Err(self.problem(
            "host",
            format!(
                "{} `{}` has no host `{}` to {what}; expected one of: {}",
                self.api.noun(),
                crate::text::escape(self.api.name()),
                host.name(),
                crate::text::list(&names)
            ),
        ))
    }

    /// A duration field: at least 1 ms, at most [`limits::MAX_TIMEOUT_MS`].
    pub fn duration(&self, field: &str, value_ms: u64) -> Result<u64, Problem> {
        if (1..=limits::MAX_TIMEOUT_MS).contains(&value_ms) {
            Ok(value_ms)
        } else {
            Err(self.problem(
                field,
                format!(
                    "{field} is {value_ms}; expected a value from 1 to {}",
                    limits::MAX_TIMEOUT_MS
                ),
            ))
        }
    }
}

/// A window of time in which a host is cut off from the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub host: Host,
    pub from_ms: u64,
    pub until_ms: u64,
}

/// What a fault hits: one attempt of one transfer, or (for an outage) a
/// window of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Attempt { transfer: TransferIx, attempt: u32 },
    Window,
}

/// A resolved targeted fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub target: Target,
    pub kind: FaultKind,
}

impl Fault {
    pub fn on_attempt(transfer: TransferIx, attempt: u32, kind: FaultKind) -> Fault {
        Fault {
            target: Target::Attempt { transfer, attempt },
            kind,
        }
    }

    /// The transfer and attempt it targets, if it targets one.
    pub fn attempt(&self) -> Option<(TransferIx, u32)> {
        match self.target {
            Target::Attempt { transfer, attempt } => Some((transfer, attempt)),
            Target::Window => None,
        }
    }
}

/// The first attempt, a fault's default target.
fn first_attempt() -> u32 {
    1
}

/// Registers the fault kinds, one line each: the kind's module, its
/// runtime type, the names a scenario file may use for it (a kind may have
/// several, such as `drop-request` for a `drop` of the request), and its
/// random forms (each declares its own place in swarm's draw order).
macro_rules! fault_kinds {
    (
        $(
            $module:ident: $kind:ident($kind_ty:ty)
            { $( $(#[$doc:meta])* $spec:ident($spec_ty:ty) ),* $(,)? }
            random [ $( $form:path ),* $(,)? ]
        ),* $(,)?
    ) => {
        $( pub(crate) mod $module; )*

        /// Every random form of every kind, in swarm's draw order (each at
        /// the position it declares; checked when the crate is compiled).
        pub const RANDOM_FORMS: &[&RandomForm] =
            &random::in_draw_order([$( $( &$form, )* )*]);

        /// A resolved fault kind, with what it needs at run time.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum FaultKind { $( $kind($kind_ty) ),* }

        impl FaultKind {
            pub(crate) fn behaviour(&self) -> &dyn Behaviour {
                match self { $( FaultKind::$kind(k) => k ),* }
            }

            /// The faults that make a run suffer `event` again, if it was a
            /// fault that a targeted fault can aim at: one that struck a
            /// completer's work (attempt 0, which no client makes) cannot be.
            pub(crate) fn from_event(event: &Event, scenario: &Scenario) -> Option<Fault> {
                $(
                    if let Some(f) = <$kind_ty as Explore>::from_event(event, scenario) {
                        return (f.attempt().is_none_or(|(_, attempt)| attempt > 0)).then_some(f);
                    }
                )*
                None
            }

            /// Whether `event` is a fault that struck a completer's work
            /// (attempt 0): a fault the run suffered that no targeted fault
            /// can aim at, so a repro cannot have it.
            pub(crate) fn struck_completer(event: &Event, scenario: &Scenario) -> bool {
                $(
                    if let Some(f) = <$kind_ty as Explore>::from_event(event, scenario) {
                        return f.attempt().is_some_and(|(_, attempt)| attempt == 0);
                    }
                )*
                false
            }

            /// Every fault an exhaustive search may place on one attempt.
            pub(crate) fn candidates(
                scenario: &Scenario,
                places: &Places,
                transfer: TransferIx,
                attempt: u32,
            ) -> Vec<FaultKind> {
                let mut out = Vec::new();
                $( out.extend(<$kind_ty as Explore>::candidates(scenario, places, transfer, attempt)); )*
                out
            }
        }

        /// A targeted fault as a scenario file writes it (`[[fault]]`). `transfer`
        /// and `attempt` (default 1) say which attempt it hits; a message is named
        /// as the network names it: `request`, `response`, `key-request`,
        /// `key-response`, a design transaction's name (`apply`), or that name with
        /// `-result` for its answer.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
        #[serde(tag = "kind", rename_all = "kebab-case")]
        #[schemars(rename = "Fault")]
        pub enum FaultSpec { $( $( $(#[$doc])* $spec($spec_ty), )* )* }

        impl FaultSpec {
            pub(crate) fn resolver(&self) -> &dyn Resolve {
                match self { $( $( FaultSpec::$spec(s) => s, )* )* }
            }
        }
    };
}

fault_kinds! {
    drop: Drop(drop::Drop) {
        /// A message of the attempt is lost in the network.
        Drop(drop::Spec),
        /// The attempt's request is lost before the API sees it.
        DropRequest(drop::RequestSpec),
        /// The API processed the attempt; its response is lost.
        DropResponse(drop::ResponseSpec),
    } random [drop::LOSS],
    delay: Delay(delay::Delay) {
        /// A message is held in the network for `delay_ms`, then delivered.
        Delay(delay::Spec),
    } random [delay::HOLD, delay::LONG_HOLD],
    duplicate: Duplicate(duplicate::Duplicate) {
        /// A message of the attempt arrives twice.
        Duplicate(duplicate::Spec),
    } random [duplicate::RANDOM],
    stall: Stall(stall::Stall) {
        /// The API pauses `delay_ms` at step boundary `at` while serving the attempt.
        Stall(stall::Spec),
    } random [stall::RANDOM],
    crash: Crash(crash::Crash) {
        /// A host crashes when the API reaches step boundary `at` serving the attempt.
        Crash(crash::Spec),
    } random [crash::API_CRASH, crash::STORE_CRASH],
    expire_key: ExpireKey(expire_key::ExpireKey) {
        /// The key's record disappears as the attempt is sent, as if its TTL ran out.
        ExpireKey(expire_key::Spec),
    } random [expire_key::RANDOM],
    client_restart: ClientRestart(client_restart::ClientRestart) {
        /// After the attempt fails, the client restarts; what it keeps follows
        /// `[retry.on] restart` (by default it stored its key and retries with it).
        ClientRestart(client_restart::Spec),
    } random [client_restart::RANDOM],
    unreachable: Unreachable(unreachable::Unreachable) {
        /// Every message to or from a store is lost from `from_ms` until `until_ms`.
        Unreachable(unreachable::Spec),
    } random [unreachable::RANDOM],
    connection_reset: ConnectionReset(connection_reset::ConnectionReset) { /** A service's connection to the client is reset after the handler ran, before the answer arrived. */ ConnectionReset(connection_reset::Spec) } random [connection_reset::RANDOM],
}

impl FaultKind {
    /// The name a scenario file uses for this kind.
    pub fn name(&self) -> &'static str {
        self.behaviour().name()
    }
}

impl Fault {
    /// This fault as a scenario file writes it.
    pub fn to_spec(&self, scenario: &Scenario) -> FaultSpec {
        let (transfer, attempt) = match self.target {
            Target::Attempt { transfer, attempt } => {
                (scenario.transfer(transfer).id.clone(), attempt)
            }
            Target::Window => (String::new(), 1),
        };
        self.kind
            .behaviour()
            .to_spec(transfer, attempt, &scenario.api)
    }
}

impl FaultSpec {
    /// The request of attempt `attempt` of `transfer` is lost.
    pub fn drop_request(transfer: impl Into<String>, attempt: u32) -> FaultSpec {
        FaultSpec::DropRequest(drop::RequestSpec {
            transfer: transfer.into(),
            attempt,
        })
    }

    /// The response to attempt `attempt` of `transfer` is lost.
    pub fn drop_response(transfer: impl Into<String>, attempt: u32) -> FaultSpec {
        FaultSpec::DropResponse(drop::ResponseSpec {
            transfer: transfer.into(),
            attempt,
        })
    }

    /// The message `message` (`request`, `apply-result`, …) of the attempt is lost.
    pub fn drop(
        transfer: impl Into<String>,
        attempt: u32,
        message: impl Into<String>,
    ) -> FaultSpec {
        FaultSpec::Drop(drop::Spec {
            transfer: transfer.into(),
            attempt,
            message: Some(message.into()),
        })
    }

    /// The API crashes at step boundary `at` (`after:apply`) serving the attempt.
    pub fn crash(transfer: impl Into<String>, attempt: u32, at: impl Into<String>) -> FaultSpec {
        FaultSpec::Crash(crash::Spec {
            transfer: transfer.into(),
            attempt,
            host: CrashHost::Api,
            at: at.into(),
            restart_after_ms: crash::DEFAULT_RESTART_AFTER_MS,
        })
    }

    /// The message `message` of the attempt is held for `delay_ms`.
    pub fn delay(
        transfer: impl Into<String>,
        attempt: u32,
        message: impl Into<String>,
        delay_ms: u64,
    ) -> FaultSpec {
        FaultSpec::Delay(delay::Spec {
            transfer: transfer.into(),
            attempt,
            message: Some(message.into()),
            delay_ms,
        })
    }

    /// The name a scenario file gives this kind (`drop-response`).
    pub fn kind_name(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(String::from))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forms every seed has drawn, with their fields and streams, in
    /// the order swarm draws them: changing any of these changes what
    /// existing seeds do. New forms go after them.
    #[test]
    fn the_first_random_forms_keep_their_order_fields_and_streams() {
        let historical = [
            ("loss", "network-loss"),
            ("crash", "crash"),
            ("duplicate", "duplicate"),
            ("delay", "network-delay"),
            ("stall", "stall"),
            ("long_delay", "network-long-delay"),
            ("store_crash", "store-crash"),
            ("expire", "expire"),
            ("client_restart", "client-restart"),
            ("outage", "outage"),
        ];
        let registered: Vec<(&str, &str)> = RANDOM_FORMS
            .iter()
            .map(|f| (f.rate_field, f.stream))
            .collect();
        assert_eq!(registered[..historical.len()], historical[..]);
        assert!(
            RANDOM_FORMS
                .iter()
                .all(|f| f.opt_in == (f.draw >= historical.len())),
            "the forms every seed has drawn are on in swarm; later ones only where a scenario opts in"
        );
    }

    #[test]
    fn random_forms_have_distinct_fields_and_streams_and_one_network_rate() {
        let fields: std::collections::BTreeSet<&str> =
            RANDOM_FORMS.iter().map(|f| f.rate_field).collect();
        let streams: std::collections::BTreeSet<&str> =
            RANDOM_FORMS.iter().map(|f| f.stream).collect();
        assert_eq!(fields.len(), RANDOM_FORMS.len());
        assert_eq!(streams.len(), RANDOM_FORMS.len());
        let network: Vec<&str> = RANDOM_FORMS
            .iter()
            .filter(|f| f.table == random::RateTable::Network)
            .map(|f| f.rate_field)
            .collect();
        assert_eq!(network, ["loss"], "`[network]` holds the loss rate alone");
    }
}
