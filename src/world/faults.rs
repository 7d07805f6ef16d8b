//! Fault decisions: where the world asks the scenario's faults, and the seed,
//! whether something goes wrong.
//!
//! Each decision first looks for a targeted fault that aims at the attempt at
//! hand, has not hit yet, and acts at this place (asked through
//! [`Behaviour`]), then draws the random fault of that place from its own
//! stream of the seed. Targeted faults are indexed by attempt, so a decision
//! costs the same with one fault or a thousand.

use super::{CrashRequest, Shared};
use crate::api::Place;
use crate::design::StoreName;
use crate::fault::random::position;
use crate::fault::{Behaviour, BoundaryAction, CrashHost, NetAction, Target};
use crate::fault::{RANDOM_FORMS, RandomForm, client_restart, crash, duplicate, expire_key};
use crate::fault::{stall, unreachable};
use crate::history::{Cause, CrashSite, Host, What};
use crate::scenario::{Scenario, TransferIx};
use crate::seed::derive_rng;
use crate::vocab::wire::Key;
use crate::vocab::wire::{Point, Tag};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The random streams of the run: one per random form of a fault kind, in
/// registry order, each named by the form's label.
pub(crate) struct RandomStreams(Vec<RefCell<ChaCha8Rng>>);

impl RandomStreams {
    pub fn new(seed: u64) -> RandomStreams {
        RandomStreams(
            RANDOM_FORMS
                .iter()
                .map(|form| RefCell::new(derive_rng(seed, form.stream)))
                .collect(),
        )
    }

    /// The stream of `form`.
    pub fn of(&self, form: &RandomForm) -> std::cell::RefMut<'_, ChaCha8Rng> {
        self.0[position(form)].borrow_mut()
    }
}

/// The scenario's targeted faults, indexed by the attempt they aim at.
pub(crate) struct FaultBook {
    by_attempt: BTreeMap<(TransferIx, u32), Vec<usize>>,
    window: Vec<usize>,
    fired: RefCell<Vec<bool>>,
}

impl FaultBook {
    pub fn new(scenario: &Scenario) -> FaultBook {
        let mut by_attempt: BTreeMap<(TransferIx, u32), Vec<usize>> = BTreeMap::new();
        let mut window = Vec::new();
        for (i, fault) in scenario.faults.iter().enumerate() {
            match fault.target {
                Target::Attempt { transfer, attempt } => {
                    by_attempt.entry((transfer, attempt)).or_default().push(i)
                }
                Target::Window => window.push(i),
            }
        }
        FaultBook {
            by_attempt,
            window,
            fired: RefCell::new(vec![false; scenario.faults.len()]),
        }
    }

    /// The first fault aimed at `tag`'s attempt that has not hit and that
    /// `hook` says acts here, with what it does.
    fn first<T>(
        &self,
        scenario: &Scenario,
        tag: Tag,
        hook: impl Fn(&dyn Behaviour) -> Option<T>,
    ) -> Option<(usize, T)> {
        let candidates = self.by_attempt.get(&(tag.transfer, tag.attempt))?;
        let fired = self.fired.borrow();
        candidates.iter().find_map(|&i| {
            if fired[i] {
                return None;
            }
            hook(scenario.faults[i].kind.behaviour()).map(|t| (i, t))
        })
    }

    fn fire(&self, index: usize) {
        let mut fired = self.fired.borrow_mut();
        assert!(!fired[index], "a targeted fault hits once");
        fired[index] = true;
    }

    /// The outage that loses a message between `from` and `to` now, if any.
    fn window_loss(
        &self,
        scenario: &Scenario,
        from: Host,
        to: Host,
        now_ms: u64,
    ) -> Option<(usize, u64)> {
        self.window.iter().find_map(|&i| {
            scenario.faults[i]
                .kind
                .behaviour()
                .loses_in_window(from, to, now_ms)
                .map(|until| (i, until))
        })
    }

    /// Indexes of targeted faults that never acted.
    pub fn unfired(&self) -> Vec<usize> {
        self.fired
            .borrow()
            .iter()
            .enumerate()
            .filter(|(_, fired)| !**fired)
            .map(|(i, _)| i)
            .collect()
    }
}

/// What the network does with a new message.
pub(crate) enum NetVerdict {
    Deliver,
    Lose(Cause),
    Hold { until_ms: u64, cause: Cause },
}

impl Shared {
    /// Whether a random fault of `form` strikes here: one draw from its
    /// stream at the scenario's rate.
    pub fn strikes(&self, form: &RandomForm) -> bool {
        self.scenario.rate(form).sample(&mut *self.rng.of(form))
    }

    /// How long a random fault of `form` that struck lasts: from one to two
    /// client timeouts, drawn from its stream.
    pub fn random_span_ms(&self, form: &RandomForm) -> u64 {
        let timeout = self.scenario.retry.timeout_ms;
        self.rng.of(form).random_range(timeout..=2 * timeout)
    }

    /// Judges a message that has just entered the network (the driver's
    /// injector calls this once per message).
    pub fn net_verdict(
        &self,
        tag: Tag,
        point: Point,
        key: Option<Key>,
        from: Host,
        to: Host,
    ) -> NetVerdict {
        if !self.faults_active() {
            return NetVerdict::Deliver;
        }
        let now_ms = self.now_ms();
        if let Some(store) = store_between(from, to) {
            if let Some((index, until_ms)) =
                self.faults.window_loss(&self.scenario, from, to, now_ms)
            {
                if !self.faults.fired.borrow()[index] {
                    self.faults.fired.borrow_mut()[index] = true;
                    self.record(
                        Host::store(store),
                        What::Outage {
                            store,
                            until_ms,
                            cause: Cause::Targeted(index),
                        },
                    );
                }
                return NetVerdict::Lose(Cause::Outage { store, until_ms });
            }
            if let Some(until_ms) = self.random_outage(store, now_ms) {
                return NetVerdict::Lose(Cause::Outage { store, until_ms });
            }
        }
        if point == Point::Request
            && let Some(key) = key
        {
            self.expire_key(tag, key);
        }
        if let Some((index, action)) = self
            .faults
            .first(&self.scenario, tag, |b| b.on_message(point))
        {
            self.faults.fire(index);
            let cause = Cause::Targeted(index);
            return match action {
                NetAction::Lose => NetVerdict::Lose(cause),
                NetAction::Hold { delay_ms } => NetVerdict::Hold {
                    until_ms: now_ms + delay_ms,
                    cause,
                },
            };
        }
        NetVerdict::Deliver
    }

    /// The outage `store` is in at `now_ms`, if any: one already under way,
    /// or one that starts now at random (lasting one to two client timeouts).
    fn random_outage(&self, store: StoreName, now_ms: u64) -> Option<u64> {
        let slot = store as usize;
        let until_ms = self.outages.borrow()[slot];
        if now_ms < until_ms {
            return Some(until_ms);
        }
        if !self.strikes(&unreachable::RANDOM) {
            return None;
        }
        let until_ms = now_ms + self.random_span_ms(&unreachable::RANDOM);
        self.outages.borrow_mut()[slot] = until_ms;
        self.record(
            Host::store(store),
            What::Outage {
                store,
                until_ms,
                cause: Cause::Random,
            },
        );
        Some(until_ms)
    }

    /// An `expire-key` fault, or one at random: the key's records disappear
    /// just as the attempt's request enters the network.
    fn expire_key(&self, tag: Tag, key: Key) {
        if tag.key_request {
            return;
        }
        let targeted = self
            .faults
            .first(&self.scenario, tag, |b| b.expires_key().then_some(()));
        let cause = match targeted {
            Some((index, ())) => {
                self.faults.fire(index);
                Cause::Targeted(index)
            }
            None if self.strikes(&expire_key::RANDOM) => Cause::Random,
            None => return,
        };
        if self.scenario.api.service().is_some() {
            // A service names its records itself: what its requests for
            // this transfer stored with a TTL in the key store expires.
            // Its ledger keeps records as a database does, with no TTL.
            let store = crate::design::StoreName::Keys;
            if self.keys_db.borrow_mut().expire_volatile_of(tag.transfer) > 0 {
                self.record(
                    Host::store(store),
                    What::KeyExpired {
                        store,
                        key: crate::vocab::wire::RecordKey { scope: None, key },
                        tag,
                        cause,
                    },
                );
            }
            return;
        }
        for (store, db) in [
            (crate::design::StoreName::Keys, &self.keys_db),
            (crate::design::StoreName::Ledger, &self.ledger_db),
        ] {
            let doomed = db.borrow_mut().expire(key);
            for record_key in doomed {
                self.record(
                    Host::store(store),
                    What::KeyExpired {
                        store,
                        key: record_key,
                        tag,
                        cause,
                    },
                );
            }
        }
    }

    /// Called by the API at step boundary `boundary` of attempt `tag`: how long
    /// a stall holds the API here, if one hits.
    pub fn stall_ms(&self, tag: Tag, boundary: Place) -> Option<u64> {
        if !self.faults_active() || tag.key_request {
            return None;
        }
        let targeted = self
            .faults
            .first(&self.scenario, tag, |b| match b.at_boundary(boundary) {
                Some(BoundaryAction::Stall { stall_ms }) => Some(stall_ms),
                _ => None,
            });
        let (stall_ms, cause) = if let Some((index, stall_ms)) = targeted {
            self.faults.fire(index);
            (stall_ms, Cause::Targeted(index))
        } else if self.strikes(&stall::RANDOM) {
            // From one to two client timeouts, so that a retry overlaps the
            // stalled attempt.
            (self.random_span_ms(&stall::RANDOM), Cause::Random)
        } else {
            return None;
        };
        self.record(
            Host::Api,
            What::Stalled {
                tag,
                boundary,
                stall_ms,
                cause,
            },
        );
        Some(stall_ms)
    }

    /// Called by the API at step boundary `boundary` of attempt `tag`: decides
    /// whether a host crashes here. Returns true when the API itself is the
    /// host to crash, in which case the caller must stop (the driver will
    /// crash it before the next step).
    pub fn crash_point(&self, tag: Tag, boundary: Place) -> bool {
        self.crash_point_if(tag, boundary, true)
    }

    /// As [`Shared::crash_point`]; a random crash may strike only if `random`.
    pub fn crash_point_if(&self, tag: Tag, boundary: Place, random: bool) -> bool {
        if !self.faults_active() || tag.key_request {
            return false;
        }
        let targeted = self
            .faults
            .first(&self.scenario, tag, |b| match b.at_boundary(boundary) {
                Some(BoundaryAction::Crash {
                    host,
                    restart_after_ms,
                }) => Some((host, restart_after_ms)),
                _ => None,
            });
        let site = CrashSite { boundary, tag };
        let request = if let Some((index, (host, restart_after_ms))) = targeted {
            self.faults.fire(index);
            CrashRequest {
                host,
                restart_after_ms,
                cause: Cause::Targeted(index),
                site,
            }
        } else if random && self.strikes(&crash::API_CRASH) {
            CrashRequest {
                host: CrashHost::Api,
                restart_after_ms: self.scenario.window.restart_after_ms,
                cause: Cause::Random,
                site,
            }
        } else if let Some(host) = self.random_store_crash() {
            CrashRequest {
                host,
                restart_after_ms: self.scenario.window.restart_after_ms,
                cause: Cause::Random,
                site,
            }
        } else {
            return false;
        };
        let stops_api = request.host == CrashHost::Api;
        self.crash_requests.borrow_mut().push(request);
        stops_api
    }

    /// Whether a message at `point` of attempt `tag` is sent twice, and why:
    /// only where a real client or proxy can send it twice
    /// ([`Scenario::duplicable`]).
    pub fn duplicates(&self, tag: Tag, point: Point) -> Option<Cause> {
        if !self.faults_active() || !self.scenario.duplicable(point) {
            return None;
        }
        if let Some((index, ())) = self
            .faults
            .first(&self.scenario, tag, |b| b.duplicates(point).then_some(()))
        {
            self.faults.fire(index);
            return Some(Cause::Targeted(index));
        }
        self.strikes(&duplicate::RANDOM).then_some(Cause::Random)
    }

    /// A store that crashes here at random, if one does: one of the stores
    /// the API talks to over the network (a store it never calls could
    /// crash too, but that changes nothing a run can show).
    fn random_store_crash(&self) -> Option<CrashHost> {
        if !self.strikes(&crash::STORE_CRASH) {
            return None;
        }
        let stores: Vec<StoreName> = self
            .scenario
            .api
            .stores()
            .into_iter()
            .filter(|s| matches!(s, StoreName::Keys | StoreName::Ledger))
            .collect();
        match stores.len() {
            0 => None,
            n => Some(CrashHost::of_store(
                stores[self.rng.of(&crash::STORE_CRASH).random_range(0..n)],
            )),
        }
    }

    /// Whether the client restarts after the failed attempt `tag` (a
    /// `client-restart` fault, or at random), and why.
    pub fn client_restarts(&self, tag: Tag) -> Option<Cause> {
        if !self.faults_active() || tag.key_request {
            return None;
        }
        if let Some((index, ())) = self
            .faults
            .first(&self.scenario, tag, |b| b.restarts_client().then_some(()))
        {
            self.faults.fire(index);
            return Some(Cause::Targeted(index));
        }
        self.strikes(&client_restart::RANDOM)
            .then_some(Cause::Random)
    }
}

/// The store a message travels to or from, if any.
fn store_between(from: Host, to: Host) -> Option<StoreName> {
    [from, to].into_iter().find_map(|h| match h {
        Host::Keys => Some(StoreName::Keys),
        Host::Ledger => Some(StoreName::Ledger),
        Host::Processor => Some(StoreName::Processor),
        _ => None,
    })
}
