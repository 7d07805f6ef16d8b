//! Network faults, done in turmoil's network.
//!
//! Every message spends at least one tick in flight (the scenario's minimum
//! latency is 1 ms), so after each simulation step every message sent during
//! that step sits on its link, where [`Injector::inspect`] sees it. Message ids
//! grow in send order, so "new" means "id above the watermark". A new message
//! is judged once: delivered as turmoil schedules it, lost, or held.
//!
//! * **Lost**: turmoil 0.7 cannot remove one chosen message, but a one-way
//!   partition clears what is in flight in that direction and an immediate
//!   repair heals it. Other messages in flight from the same sender to the same
//!   receiver at that instant are lost with it, as in a real burst loss; the
//!   history records each of them.
//! * **Held** (a delay fault): the link is put on hold, and every other message
//!   on it is released at once, one tick later, so only the delayed message
//!   waits; at its time it is released too.
//! * **To a host that is down**: lost, so that a restarted host never receives
//!   what was sent to its previous life.

use super::Shared;
use crate::history::Cause;
use crate::history::What;
use crate::scenario::FaultKind;
use crate::seed::derive_rng;
use crate::wire::{Body, Envelope, peek_id};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use turmoil::{Protocol, Sim};

/// A message on a link, as seen between two steps.
struct InFlight {
    id: u64,
    src: IpAddr,
    dst: IpAddr,
}

/// A message the injector holds back.
struct Held {
    id: u64,
    src: IpAddr,
    dst: IpAddr,
    release_at_ms: u64,
}

/// What to do with a new message.
enum Verdict {
    Deliver,
    Lose {
        reason: String,
        cause: Cause,
    },
    Hold {
        until_ms: u64,
        reason: String,
        cause: Cause,
    },
}

/// A message as the timeline names it.
#[derive(Clone)]
struct MessageInfo {
    label: String,
    transfer: String,
    attempt: u32,
    point: String,
}

impl MessageInfo {
    fn of(envelope: &Envelope) -> MessageInfo {
        MessageInfo {
            label: envelope.describe(),
            transfer: envelope.tag.transfer.clone(),
            attempt: envelope.tag.attempt,
            point: envelope.point.clone(),
        }
    }
}

/// The network fault injector: judges each new message once.
pub struct Injector {
    /// Highest message id already judged.
    watermark: u64,
    loss_rng: ChaCha8Rng,
    held: Vec<Held>,
    /// Links (ordered pairs of hosts) that turmoil holds for us.
    held_links: BTreeSet<(IpAddr, IpAddr)>,
    /// What each message still in flight is, for the timeline and the shrinker.
    labels: BTreeMap<u64, MessageInfo>,
    /// Random delays: which messages are held, and for how long.
    delay_rng: ChaCha8Rng,
    names: BTreeMap<IpAddr, String>,
    /// Every message sent, in send order (for the benchmark's bare replay).
    trace: Vec<TracedMessage>,
}

/// One message as it left its sender: when, between which hosts, how large.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TracedMessage {
    pub sent_at_ms: u64,
    pub from: String,
    pub to: String,
    pub bytes: usize,
}

fn link(a: IpAddr, b: IpAddr) -> (IpAddr, IpAddr) {
    if a < b { (a, b) } else { (b, a) }
}

impl Injector {
    pub fn new(seed: u64, names: BTreeMap<IpAddr, String>) -> Injector {
        Injector {
            watermark: 0,
            loss_rng: derive_rng(seed, "network-loss"),
            delay_rng: derive_rng(seed, "network-delay"),
            held: Vec::new(),
            held_links: BTreeSet::new(),
            labels: BTreeMap::new(),
            names,
            trace: Vec::new(),
        }
    }

    /// Every message sent so far, in send order.
    pub fn into_trace(self) -> Vec<TracedMessage> {
        self.trace
    }

    fn name(&self, ip: IpAddr) -> String {
        self.names
            .get(&ip)
            .cloned()
            .unwrap_or_else(|| ip.to_string())
    }

    /// True when nothing is in flight or held.
    pub fn is_quiet(&self, sim: &Sim) -> bool {
        self.held.is_empty() && in_flight(sim, |_| false).0.is_empty()
    }

    /// True when every message in flight is one the injector holds: nothing
    /// can arrive before the earliest release ([`Injector::next_release_ms`]).
    pub fn only_held_in_flight(&self, sim: &Sim) -> bool {
        in_flight(sim, |_| false)
            .0
            .iter()
            .all(|m| self.held.iter().any(|h| h.id == m.id))
    }

    /// When the next held message is released.
    pub fn next_release_ms(&self) -> Option<u64> {
        self.held.iter().map(|h| h.release_at_ms).min()
    }

    /// Judges the messages sent during the last step and releases held ones
    /// whose time has come. `down` names the hosts that are crashed now.
    pub fn inspect(&mut self, sim: &mut Sim, shared: &Shared, down: &BTreeSet<IpAddr>) {
        let watermark = self.watermark;
        let (messages, new) = in_flight(sim, |id| id > watermark);
        self.labels
            .retain(|id, _| messages.iter().any(|m| m.id == *id));
        let mut lose: Vec<(InFlight, String, Cause)> = Vec::new();
        let now_ms = shared.now_ms();
        for (message, envelope, bytes) in new {
            self.watermark = self.watermark.max(message.id);
            self.trace.push(TracedMessage {
                sent_at_ms: now_ms.saturating_sub(1),
                from: self.name(message.src),
                to: self.name(message.dst),
                bytes,
            });
            let info = MessageInfo::of(&envelope);
            self.labels.insert(message.id, info.clone());
            match self.judge(shared, &message, &envelope, down) {
                Verdict::Deliver => {}
                Verdict::Lose { reason, cause } => lose.push((message, reason, cause)),
                Verdict::Hold {
                    until_ms,
                    reason,
                    cause,
                } => {
                    shared.record(
                        "network",
                        What::Held {
                            from: self.name(message.src),
                            to: self.name(message.dst),
                            message: info.label,
                            until_ms,
                            reason,
                            cause,
                            transfer: info.transfer,
                            attempt: info.attempt,
                            point: info.point,
                        },
                    );
                    self.hold(sim, message, until_ms);
                }
            }
        }
        for (message, reason, cause) in lose {
            self.lose(
                sim,
                shared,
                &messages,
                message.src,
                message.dst,
                Some((message.id, reason, cause)),
            );
        }
        self.release_due(shared, shared.now_ms());
        self.settle_held_links(sim);
    }

    fn judge(
        &mut self,
        shared: &Shared,
        message: &InFlight,
        envelope: &Envelope,
        down: &BTreeSet<IpAddr>,
    ) -> Verdict {
        if down.contains(&message.dst) {
            return Verdict::Lose {
                reason: format!("{} is down", self.name(message.dst)),
                cause: Cause::HostDown,
            };
        }
        if !shared.faults_active() {
            return Verdict::Deliver;
        }
        if let Some(reason) = self.outage(shared, message) {
            return Verdict::Lose {
                reason,
                cause: Cause::Outage,
            };
        }
        let tag = &envelope.tag;
        if let Body::Request(r) = &envelope.body
            && r.is_transfer()
        {
            expire_key_if_targeted(shared, tag, r.idempotency_key.as_deref());
        }
        let point = &envelope.point;
        let targeted = shared.message_fault(tag, point, |k| {
            matches!(k, FaultKind::Drop { .. } | FaultKind::Delay { .. })
        });
        if let Some(index) = targeted {
            shared.fired_faults.borrow_mut().insert(index);
            let fault = &shared.scenario.faults[index];
            let reason = format!("{} fault on {point} of {}", fault.kind.name(), tag.label());
            return match fault.kind {
                FaultKind::Delay { delay_ms, .. } => Verdict::Hold {
                    until_ms: shared.now_ms() + delay_ms,
                    reason,
                    cause: Cause::Targeted,
                },
                _ => Verdict::Lose {
                    reason,
                    cause: Cause::Targeted,
                },
            };
        }
        if shared.scenario.network.loss.sample(&mut self.loss_rng) {
            return Verdict::Lose {
                reason: "random loss".into(),
                cause: Cause::Random,
            };
        }
        if shared.scenario.window.delay.sample(&mut self.delay_rng) {
            // Held from one to two client timeouts: long enough that a retry
            // may overtake it.
            let timeout = shared.scenario.retry.timeout_ms;
            let delay_ms = self.delay_rng.random_range(timeout..=2 * timeout);
            return Verdict::Hold {
                until_ms: shared.now_ms() + delay_ms,
                reason: "random delay".into(),
                cause: Cause::Random,
            };
        }
        Verdict::Deliver
    }

    /// Why `message` is lost to an outage of a store, if one is on now.
    fn outage(&self, shared: &Shared, message: &InFlight) -> Option<String> {
        let now_ms = shared.now_ms();
        let (src, dst) = (self.name(message.src), self.name(message.dst));
        shared
            .scenario
            .outages
            .iter()
            .find(|o| {
                let host = o.store.host();
                (o.from_ms..o.until_ms).contains(&now_ms) && (src == host || dst == host)
            })
            .map(|o| format!("{} unreachable until {} ms", o.store.host(), o.until_ms))
    }

    /// Loses every message in flight from `src` to `dst` (see the module docs).
    /// `target` names the message that caused it and why.
    fn lose(
        &mut self,
        sim: &mut Sim,
        shared: &Shared,
        messages: &[InFlight],
        src: IpAddr,
        dst: IpAddr,
        target: Option<(u64, String, Cause)>,
    ) {
        let victims: Vec<u64> = messages
            .iter()
            .filter(|m| m.src == src && m.dst == dst)
            .map(|m| m.id)
            .collect();
        let still_there: Vec<u64> = victims
            .into_iter()
            .filter(|id| self.labels.contains_key(id))
            .collect();
        if still_there.is_empty() {
            return;
        }
        for id in &still_there {
            let (reason, cause) = match &target {
                Some((t, reason, cause)) if t == id => (reason.clone(), *cause),
                Some((t, _, _)) => (
                    format!("lost in the same burst as message {t}"),
                    Cause::Burst,
                ),
                None => (format!("{} is down", self.name(dst)), Cause::HostDown),
            };
            // Both copies of a duplicated message share an id: label each copy.
            let info = self
                .labels
                .get(id)
                .cloned()
                .expect("still_there holds labelled ids");
            shared.record(
                "network",
                What::Lost {
                    from: self.name(src),
                    to: self.name(dst),
                    message: info.label,
                    reason,
                    cause,
                    transfer: info.transfer,
                    attempt: info.attempt,
                    point: info.point,
                },
            );
        }
        for id in &still_there {
            self.labels.remove(id);
        }
        self.held.retain(|h| !still_there.contains(&h.id));
        sim.partition_oneway(src, dst);
        sim.repair_oneway(src, dst);
        if self.held_links.contains(&link(src, dst)) {
            // The repair lifted our hold on this direction; put it back.
            sim.hold(src, dst);
        }
    }

    /// Loses everything in flight to `host` (it has just crashed).
    pub fn lose_all_to(&mut self, sim: &mut Sim, shared: &Shared, host: IpAddr) {
        let (messages, _) = in_flight(sim, |_| false);
        let sources: BTreeSet<IpAddr> = messages
            .iter()
            .filter(|m| m.dst == host)
            .map(|m| m.src)
            .collect();
        for src in sources {
            self.lose(sim, shared, &messages, src, host, None);
        }
    }

    fn hold(&mut self, sim: &mut Sim, message: InFlight, until_ms: u64) {
        if self.held_links.insert(link(message.src, message.dst)) {
            sim.hold(message.src, message.dst);
        }
        self.held.push(Held {
            id: message.id,
            src: message.src,
            dst: message.dst,
            release_at_ms: until_ms,
        });
    }

    fn release_due(&mut self, shared: &Shared, now_ms: u64) {
        let (due, keep): (Vec<Held>, Vec<Held>) =
            self.held.drain(..).partition(|h| h.release_at_ms <= now_ms);
        self.held = keep;
        for h in due {
            shared.record(
                "network",
                What::Released {
                    from: self.name(h.src),
                    to: self.name(h.dst),
                    message: self
                        .labels
                        .get(&h.id)
                        .map(|i| i.label.clone())
                        .unwrap_or_default(),
                },
            );
        }
    }

    /// On every held link, lets all but the held messages go, and lifts the
    /// hold from links that no longer carry a held message.
    fn settle_held_links(&mut self, sim: &mut Sim) {
        if self.held_links.is_empty() {
            return;
        }
        let held_ids: BTreeSet<u64> = self.held.iter().map(|h| h.id).collect();
        let held_links = &self.held_links;
        sim.links(|links| {
            for l in links {
                if !held_links.contains(&l.pair()) {
                    continue;
                }
                for sent in l {
                    let id = udp_id(sent.protocol());
                    if id.is_none_or(|id| !held_ids.contains(&id)) {
                        sent.deliver();
                    }
                }
            }
        });
        let busy: BTreeSet<(IpAddr, IpAddr)> =
            self.held.iter().map(|h| link(h.src, h.dst)).collect();
        let idle: Vec<(IpAddr, IpAddr)> = self.held_links.difference(&busy).copied().collect();
        for (a, b) in idle {
            sim.release(a, b);
            self.held_links.remove(&(a, b));
        }
    }
}

/// An `expire-key` fault: the key's record disappears just as the targeted
/// attempt's request enters the network, as if its TTL had run out.
fn expire_key_if_targeted(shared: &Shared, tag: &crate::wire::Tag, key: Option<&str>) {
    let Some(key) = key else { return };
    let Some(index) = shared.matching_fault(tag, |k| *k == FaultKind::ExpireKey) else {
        return;
    };
    shared.fired_faults.borrow_mut().insert(index);
    let scoped_suffix = format!("/{key}");
    for (store, db) in [("keys", &shared.keys_db), ("ledger", &shared.ledger_db)] {
        let mut db = db.borrow_mut();
        let doomed: Vec<String> = db
            .records
            .keys()
            .filter(|k| k.as_str() == key || k.ends_with(&scoped_suffix))
            .cloned()
            .collect();
        for k in doomed {
            db.records.remove(&k);
            shared.record(
                store,
                What::KeyExpired {
                    store: store.to_string(),
                    key: k,
                },
            );
        }
    }
}

fn udp_id(protocol: &Protocol) -> Option<u64> {
    match protocol {
        Protocol::Udp(datagram) => peek_id(&datagram.0),
        Protocol::Tcp(_) => None,
    }
}

/// Every message in flight, and the decoded envelopes of those `is_new` picks, in id order.
#[allow(clippy::type_complexity)]
fn in_flight(
    sim: &Sim,
    is_new: impl Fn(u64) -> bool,
) -> (Vec<InFlight>, Vec<(InFlight, Envelope, usize)>) {
    let mut all = Vec::new();
    let mut new = Vec::new();
    sim.links(|links| {
        for l in links {
            for sent in l {
                let (src, dst) = sent.pair();
                let Protocol::Udp(datagram) = sent.protocol() else {
                    continue;
                };
                let Some(id) = peek_id(&datagram.0) else {
                    continue;
                };
                let message = || InFlight {
                    id,
                    src: src.ip(),
                    dst: dst.ip(),
                };
                if is_new(id)
                    && let Some(envelope) = Envelope::decode(&datagram.0)
                {
                    new.push((message(), envelope, datagram.0.len()));
                }
                all.push(message());
            }
        }
    });
    all.sort_by_key(|m| m.id);
    new.sort_by_key(|(m, _, _)| m.id);
    (all, new)
}
