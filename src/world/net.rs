//! Network faults, done in turmoil's network.
//!
//! Every message spends at least one tick in flight (the scenario's minimum
//! latency is 1 ms), so after each simulation step every message sent during
//! that step sits on its link, where [`Injector::inspect`] sees it. Message ids
//! grow in send order, so "new" means "id above the watermark". A new message
//! is judged once: delivered as turmoil schedules it, lost, or held.
//!
//! * **Lost**: turmoil 0.7 cannot remove one chosen message from a link, and a
//!   partition would take every other message on the link with it (other
//!   clients that share a client host, other requests to the same store). So
//!   a lost message goes on its way and is thrown away where it arrives: its
//!   id joins the run's lost set, and a host's receive loop discards a
//!   datagram whose id is in it ([`Shared::receive`]). To the receiver it never
//!   came; nothing else is touched.
//! * **Held** (a delay fault): the link is put on hold, and every other message
//!   on it is released at once, one tick later, so only the delayed message
//!   waits; at its time it is released too.
//! * **To a host that is down**: lost, so that a restarted host never receives
//!   what was sent to its previous life.
//!
//! Hosts are told apart by address: `api`, `keys` and `ledger` by IP; the
//! clients, which may share a client host when there are more of them than
//! client hosts, by IP and port ([`HostMap`]).

use super::Shared;
use super::faults::NetVerdict;
use crate::history::{Cause, Host, What};
use crate::seed::derive_rng;
use crate::wire::{Envelope, Header, MsgId, Point, Tag, peek_id};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use turmoil::net::UdpSocket;
use turmoil::{Protocol, Sim};

/// A message on a link, as seen between two steps.
struct InFlight {
    id: MsgId,
    src: SocketAddr,
    dst: SocketAddr,
}

/// A message the injector holds back.
struct Held {
    id: MsgId,
    src: SocketAddr,
    dst: SocketAddr,
    release_at_ms: u64,
}

/// Which host of the world an address is.
pub(crate) struct HostMap {
    servers: BTreeMap<IpAddr, Host>,
    /// Client hosts by IP, as their index among client hosts.
    client_hosts: BTreeMap<IpAddr, u32>,
    /// How many client hosts the clients are spread over.
    client_host_count: u32,
}

impl HostMap {
    pub fn new(
        servers: BTreeMap<IpAddr, Host>,
        client_hosts: BTreeMap<IpAddr, u32>,
        client_host_count: u32,
    ) -> HostMap {
        HostMap {
            servers,
            client_hosts,
            client_host_count,
        }
    }

    /// The host at `addr`: a server by its IP, a client by its IP and port.
    pub fn host(&self, addr: SocketAddr) -> Host {
        if let Some(host) = self.servers.get(&addr.ip()) {
            return *host;
        }
        let h = *self
            .client_hosts
            .get(&addr.ip())
            .expect("every address on the network is a host idemsim made");
        let slot = u32::from(addr.port().saturating_sub(crate::wire::PORT));
        Host::Client(crate::scenario::ClientIx(h + slot * self.client_host_count))
    }

    /// The turmoil host name at `ip` (a client host by its first client).
    pub fn host_name(&self, ip: IpAddr) -> String {
        match self.servers.get(&ip) {
            Some(host) => host.name(),
            None => format!("client-{}", self.client_hosts[&ip] + 1),
        }
    }
}

/// What the injector remembers of a message still in flight.
#[derive(Clone, Copy)]
struct MessageInfo {
    tag: Tag,
    point: Point,
}

/// The network fault injector: judges each new message once.
pub(crate) struct Injector {
    /// Highest message id already judged.
    watermark: MsgId,
    loss_rng: ChaCha8Rng,
    /// Random delays: which messages are held, and for how long.
    delay_rng: ChaCha8Rng,
    held: Vec<Held>,
    /// Links (ordered pairs of hosts) that turmoil holds for us.
    held_links: BTreeSet<(IpAddr, IpAddr)>,
    /// What each message still in flight is.
    info: BTreeMap<MsgId, MessageInfo>,
    hosts: HostMap,
    /// Every message sent, in send order (for the benchmark's bare replay).
    trace: Option<Vec<TracedMessage>>,
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

fn ip_link(a: SocketAddr, b: SocketAddr) -> (IpAddr, IpAddr) {
    link(a.ip(), b.ip())
}

impl Injector {
    pub fn new(seed: u64, hosts: HostMap, trace: bool) -> Injector {
        Injector {
            watermark: 0,
            loss_rng: derive_rng(seed, "network-loss"),
            delay_rng: derive_rng(seed, "network-delay"),
            held: Vec::new(),
            held_links: BTreeSet::new(),
            info: BTreeMap::new(),
            hosts,
            trace: trace.then(Vec::new),
        }
    }

    /// Every message sent so far, in send order, when tracing.
    pub fn into_trace(self) -> Vec<TracedMessage> {
        self.trace.unwrap_or_default()
    }

    fn host(&self, addr: SocketAddr) -> Host {
        self.hosts.host(addr)
    }

    /// True when nothing is in flight or held.
    pub fn is_quiet(&self, sim: &Sim) -> bool {
        self.held.is_empty() && !any_in_flight(sim, |_| true)
    }

    /// True when every message in flight is one the injector holds: nothing
    /// can arrive before the earliest release ([`Injector::next_release_ms`]).
    pub fn only_held_in_flight(&self, sim: &Sim) -> bool {
        !any_in_flight(sim, |id| !self.held.iter().any(|h| h.id == id))
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
        if !self.info.is_empty() {
            let live: BTreeSet<MsgId> = messages.iter().map(|m| m.id).collect();
            self.info.retain(|id, _| live.contains(id));
        }
        let mut lose: Vec<(InFlight, Cause)> = Vec::new();
        let now_ms = shared.now_ms();
        for (message, header, bytes) in new {
            self.watermark = self.watermark.max(message.id);
            let (from, to) = (self.host(message.src), self.host(message.dst));
            if let Some(trace) = &mut self.trace {
                trace.push(TracedMessage {
                    sent_at_ms: now_ms.saturating_sub(1),
                    from: self.hosts.host_name(message.src.ip()),
                    to: self.hosts.host_name(message.dst.ip()),
                    bytes,
                });
            }
            let info = MessageInfo {
                tag: header.tag,
                point: header.point,
            };
            self.info.insert(message.id, info);
            match self.judge(shared, &message, &header, down) {
                NetVerdict::Deliver => {}
                NetVerdict::Lose(cause) => lose.push((message, cause)),
                NetVerdict::Hold { until_ms, cause } => {
                    shared.record(
                        Host::Network,
                        What::Held {
                            msg: message.id,
                            from,
                            to,
                            point: info.point,
                            tag: info.tag,
                            until_ms,
                            cause,
                        },
                    );
                    self.hold(sim, message, until_ms);
                }
            }
        }
        for (message, cause) in lose {
            self.lose(shared, &messages, message.id, cause);
        }
        self.release_due(shared, shared.now_ms());
        self.settle_held_links(sim);
    }

    fn judge(
        &mut self,
        shared: &Shared,
        message: &InFlight,
        header: &Header,
        down: &BTreeSet<IpAddr>,
    ) -> NetVerdict {
        if down.contains(&message.dst.ip()) {
            return NetVerdict::Lose(Cause::HostDown(self.host(message.dst)));
        }
        if !shared.faults_active() {
            return NetVerdict::Deliver;
        }

        let (from, to) = (self.host(message.src), self.host(message.dst));
        match shared.net_verdict(header.tag, header.point, header.key, from, to) {
            NetVerdict::Deliver => {}
            decided => return decided,
        }
        if shared.scenario.network.loss.sample(&mut self.loss_rng) {
            return NetVerdict::Lose(Cause::Random);
        }
        if shared.scenario.window.delay.sample(&mut self.delay_rng) {
            // Held from one to two client timeouts: long enough that a retry
            // may overtake it.
            let timeout = shared.scenario.retry.timeout_ms;
            let delay_ms = self.delay_rng.random_range(timeout..=2 * timeout);
            return NetVerdict::Hold {
                until_ms: shared.now_ms() + delay_ms,
                cause: Cause::Random,
            };
        }
        NetVerdict::Deliver
    }

    /// Loses message `id`: every copy of it in flight is thrown away where it
    /// arrives (see the module docs).
    fn lose(&mut self, shared: &Shared, messages: &[InFlight], id: MsgId, cause: Cause) {
        let Some(info) = self.info.remove(&id) else {
            return;
        };
        // Both copies of a duplicated message share an id: one event each.
        for copy in messages.iter().filter(|m| m.id == id) {
            shared.record(
                Host::Network,
                What::Lost {
                    msg: id,
                    from: self.host(copy.src),
                    to: self.host(copy.dst),
                    point: info.point,
                    tag: info.tag,
                    cause,
                },
            );
        }
        shared.lost.borrow_mut().insert(id);
        self.held.retain(|h| h.id != id);
    }

    /// Loses everything in flight to host `ip` (it has just crashed).
    pub fn lose_all_to(&mut self, sim: &mut Sim, shared: &Shared, ip: IpAddr) {
        let (messages, _) = in_flight(sim, |_| false);
        let mut doomed: Vec<(MsgId, Host)> = messages
            .iter()
            .filter(|m| m.dst.ip() == ip)
            .map(|m| (m.id, self.host(m.dst)))
            .collect();
        doomed.dedup_by_key(|(id, _)| *id);
        for (id, to) in doomed {
            self.lose(shared, &messages, id, Cause::HostDown(to));
        }
    }

    fn hold(&mut self, sim: &mut Sim, message: InFlight, until_ms: u64) {
        if self.held_links.insert(ip_link(message.src, message.dst)) {
            sim.hold(message.src.ip(), message.dst.ip());
        }
        self.held.push(Held {
            id: message.id,
            src: message.src,
            dst: message.dst,
            release_at_ms: until_ms,
        });
    }

    fn release_due(&mut self, shared: &Shared, now_ms: u64) {
        if self.held.iter().all(|h| h.release_at_ms > now_ms) {
            return;
        }
        let (due, keep): (Vec<Held>, Vec<Held>) =
            self.held.drain(..).partition(|h| h.release_at_ms <= now_ms);
        self.held = keep;
        for h in due {
            let Some(info) = self.info.get(&h.id).copied() else {
                continue;
            };
            shared.record(
                Host::Network,
                What::Released {
                    msg: h.id,
                    from: self.host(h.src),
                    to: self.host(h.dst),
                    point: info.point,
                    tag: info.tag,
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
        let held_ids: BTreeSet<MsgId> = self.held.iter().map(|h| h.id).collect();
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
            self.held.iter().map(|h| ip_link(h.src, h.dst)).collect();
        let idle: Vec<(IpAddr, IpAddr)> = self.held_links.difference(&busy).copied().collect();
        for (a, b) in idle {
            sim.release(a, b);
            self.held_links.remove(&(a, b));
        }
    }
}

fn udp_id(protocol: &Protocol) -> Option<MsgId> {
    match protocol {
        Protocol::Udp(datagram) => peek_id(&datagram.0),
        Protocol::Tcp(_) => None,
    }
}

/// Whether some message in flight has an id that `pick` picks (no allocation:
/// the driver asks this on every step).
fn any_in_flight(sim: &Sim, pick: impl Fn(MsgId) -> bool) -> bool {
    let mut found = false;
    sim.links(|links| {
        for l in links {
            for sent in l {
                if let Protocol::Udp(datagram) = sent.protocol()
                    && peek_id(&datagram.0).is_some_and(&pick)
                {
                    found = true;
                    return;
                }
            }
        }
    });
    found
}

/// Every message in flight, and the headers of those `is_new` picks, in id order.
#[allow(clippy::type_complexity)]
fn in_flight(
    sim: &Sim,
    is_new: impl Fn(MsgId) -> bool,
) -> (Vec<InFlight>, Vec<(InFlight, Header, usize)>) {
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
                let message = || InFlight { id, src, dst };
                if is_new(id)
                    && let Some(header) = Header::read(&datagram.0)
                {
                    new.push((message(), header, datagram.0.len()));
                }
                all.push(message());
            }
        }
    });
    all.sort_by_key(|m| m.id);
    new.sort_by_key(|(m, _, _)| m.id);
    (all, new)
}

impl Shared {
    /// The next message for `socket` that the network did not lose (a lost
    /// message is thrown away as it arrives), or `None` for a datagram that
    /// is not idemsim's.
    pub async fn receive(
        &self,
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> std::io::Result<Option<(Envelope, SocketAddr)>> {
        let (len, from) = socket.recv_from(buf).await?;
        let Some(envelope) = Envelope::decode(&buf[..len]) else {
            return Ok(None);
        };
        if self.lost.borrow().contains(&envelope.id) {
            return Ok(None);
        }
        Ok(Some((envelope, from)))
    }

    /// Sends `envelope` from host `from` to host `to` at `addr`. This is where
    /// a message enters the network, and where a duplicate is made: turmoil
    /// cannot copy a message in flight, so a duplicated message is sent twice
    /// here, both copies with the same id, as a retransmitting proxy would.
    pub async fn send(
        &self,
        socket: &UdpSocket,
        from: Host,
        to: Host,
        addr: SocketAddr,
        envelope: &Envelope,
    ) -> std::io::Result<()> {
        let bytes = envelope
            .encode()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        socket.send_to(&bytes, addr).await?;
        if let Some(cause) = self.duplicates(envelope.tag, envelope.point) {
            self.record(
                Host::Network,
                What::Duplicated {
                    msg: envelope.id,
                    from,
                    to,
                    point: envelope.point,
                    tag: envelope.tag,
                    cause,
                },
            );
            socket.send_to(&bytes, addr).await?;
        }
        Ok(())
    }
}
