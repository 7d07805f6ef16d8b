//! Network faults, done in turmoil's network.
//!
//! Every message spends at least one tick in flight (the scenario's minimum
//! latency is 1 ms), so after each simulation step every message sent during
//! that step sits on its link, where [`Injector::inspect`] sees it. The one
//! exception is a service's link to its database, whose frames cross in no
//! time and are judged as they are written (see [`super::db_link`]); the
//! injector sees only those held there. Message ids
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
use crate::fault::{NetAction, RANDOM_FORMS, delay, drop};
use crate::history::{Cause, Host, What};
use crate::vocab::wire::{Envelope, Header, MsgId, Point, Tag, peek_id};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use turmoil::net::UdpSocket;
use turmoil::{Protocol, Segment, Sim};

/// A message on a link, as seen between two steps.
#[derive(Clone, Copy)]
struct InFlight {
    id: MsgId,
    src: SocketAddr,
    dst: SocketAddr,
    /// The link's position in turmoil's link order.
    link: usize,
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
    /// How many clients there are (each has port `PORT + slot` on its host).
    clients: u32,
    /// The client of each transfer, for a client's TCP connections, whose
    /// ports are the system's, not the client's own.
    transfer_clients: Vec<crate::scenario::ClientIx>,
    /// Whether the `ledger` host is a service's database.
    database: bool,
}

impl HostMap {
    pub fn new(
        servers: BTreeMap<IpAddr, Host>,
        client_hosts: BTreeMap<IpAddr, u32>,
        scenario: &crate::scenario::Scenario,
    ) -> HostMap {
        HostMap {
            servers,
            client_hosts,
            client_host_count: scenario.client_host_count(),
            clients: u32::try_from(scenario.clients.len())
                .expect("MAX_CLIENTS keeps the client count below u32::MAX"),
            transfer_clients: scenario.transfers.iter().map(|t| t.client).collect(),
            database: scenario.database.is_some(),
        }
    }

    /// Whether `a` and `b` are the ends of a service's link to its database
    /// (see [`super::db_link`]).
    pub fn is_database_link(&self, a: IpAddr, b: IpAddr) -> bool {
        let ends = (self.servers.get(&a), self.servers.get(&b));
        self.database
            && matches!(
                ends,
                (Some(Host::Api), Some(Host::Ledger)) | (Some(Host::Ledger), Some(Host::Api))
            )
    }

    /// The host at `addr`, sending or receiving a message of attempt `tag`:
    /// a server by its IP; a client by its IP and its port, or, on a TCP
    /// connection (whose port the system chose), by the transfer it serves.
    pub fn host(&self, addr: SocketAddr, tag: Tag) -> Host {
        if let Some(host) = self.servers.get(&addr.ip()) {
            return *host;
        }
        let h = *self
            .client_hosts
            .get(&addr.ip())
            .expect("every address on the network is a host idemsim made");
        let slot = u32::from(addr.port().wrapping_sub(crate::vocab::wire::PORT));
        let client = h + slot.saturating_mul(self.client_host_count);
        if addr.port() >= crate::vocab::wire::PORT && client < self.clients {
            return Host::Client(crate::scenario::ClientIx(client));
        }
        match self.transfer_clients.get(tag.transfer.0 as usize) {
            Some(&client) => Host::Client(client),
            None => Host::Client(crate::scenario::ClientIx(h)),
        }
    }

    /// The database link, as an ordered pair of addresses.
    fn database_link(&self) -> (IpAddr, IpAddr) {
        let ip = |wanted: Host| {
            self.servers
                .iter()
                .find(|(_, host)| **host == wanted)
                .map(|(ip, _)| *ip)
                .expect("the API and the ledger host are on the network")
        };
        link(ip(Host::Api), ip(Host::Ledger))
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
    held: Vec<Held>,
    /// Links (ordered pairs of hosts) that turmoil holds for us.
    held_links: BTreeSet<(IpAddr, IpAddr)>,
    /// What each message still in flight is (and, until the next sweep,
    /// some that have arrived: see [`Injector::forget_delivered`]).
    info: BTreeMap<MsgId, MessageInfo>,
    /// Sweep `info` once it holds this many entries: sweeping on every step
    /// would cost a pass over every message in flight each time.
    sweep_info_at: usize,
    /// Messages on each link (in turmoil's link order) after the last step.
    link_lengths: Vec<u64>,
    /// Network work of the last step (see [`Injector::network_work`]).
    step_work: u64,
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

/// The fewest entries of [`Injector::info`] worth a sweep.
const MIN_INFO_SWEEP: usize = 1024;

fn link(a: IpAddr, b: IpAddr) -> (IpAddr, IpAddr) {
    if a < b { (a, b) } else { (b, a) }
}

fn ip_link(a: SocketAddr, b: SocketAddr) -> (IpAddr, IpAddr) {
    link(a.ip(), b.ip())
}

impl Injector {
    pub fn new(hosts: HostMap, trace: bool) -> Injector {
        Injector {
            watermark: 0,
            held: Vec::new(),
            held_links: BTreeSet::new(),
            info: BTreeMap::new(),
            sweep_info_at: MIN_INFO_SWEEP,
            link_lengths: Vec::new(),
            step_work: 0,
            hosts,
            trace: trace.then(Vec::new),
        }
    }

    /// Every message sent so far, in send order, when tracing.
    pub fn into_trace(self) -> Vec<TracedMessage> {
        self.trace.unwrap_or_default()
    }

    fn host(&self, addr: SocketAddr, tag: Tag) -> Host {
        self.hosts.host(addr, tag)
    }

    /// True when nothing is in flight or held.
    pub fn is_quiet(&self, sim: &Sim) -> bool {
        self.held.is_empty() && !any_in_flight(sim, |_| true)
    }

    /// True when every message in flight is one the injector holds: nothing
    /// can arrive before the earliest release ([`Injector::next_release_ms`]).
    pub fn only_held_in_flight(&self, sim: &Sim) -> bool {
        if self.held.is_empty() {
            return !any_in_flight(sim, |_| true);
        }
        let held: BTreeSet<MsgId> = self.held.iter().map(|h| h.id).collect();
        !any_in_flight(sim, |id| !held.contains(&id))
    }

    /// What the last step cost turmoil's network, in messages touched: a
    /// pass over every message in flight, and for each message delivered,
    /// the messages it moved in its link's queue (turmoil takes a message out
    /// of the middle of a queue by shifting the shorter side, half the queue
    /// at most: counted as half). Long latencies with many messages in
    /// flight make this grow faster than the messages do, so the driver
    /// charges it to its own budget ([`crate::limits::DEFAULT_MAX_NETWORK_WORK`]).
    pub fn network_work(&self) -> u64 {
        self.step_work
    }

    /// When the next held message is released.
    pub fn next_release_ms(&self) -> Option<u64> {
        self.held.iter().map(|h| h.release_at_ms).min()
    }

    /// Judges the messages sent during the last step and releases held ones
    /// whose time has come. `down` names the hosts that are crashed now.
    pub fn inspect(&mut self, sim: &mut Sim, shared: &Shared, down: &BTreeSet<IpAddr>) {
        let Scan { lengths, new } = scan(sim, self.watermark);
        self.step_work = step_work(&self.link_lengths, &lengths, &new);
        self.link_lengths = lengths;
        self.forget_delivered(sim);
        let new_copies: Vec<InFlight> = new.iter().map(|(m, _, _)| *m).collect();
        let mut lose: Vec<(InFlight, Cause)> = Vec::new();
        let now_ms = shared.now_ms();
        for (message, header, bytes) in new {
            self.watermark = self.watermark.max(message.id);
            let (from, to) = (
                self.host(message.src, header.tag),
                self.host(message.dst, header.tag),
            );
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
                NetVerdict::Hold { until_ms, .. }
                    if self
                        .hosts
                        .is_database_link(message.src.ip(), message.dst.ip()) =>
                {
                    // Recorded as it was written (see `db_link`).
                    self.hold(sim, message, until_ms);
                }
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
        let copies: Vec<&InFlight> = new_copies.iter().collect();
        for (message, cause) in &lose {
            self.lose(shared, &copies, message.id, *cause);
        }
        self.release_due(shared, shared.now_ms());
        if shared.db_link.has_pending_hold() {
            // A held frame whose write waits for room: turmoil holds its
            // link already; let the others on it go meanwhile.
            self.held_links.insert(self.hosts.database_link());
        }
        self.settle_held_links(sim);
    }

    /// Drops what the injector remembers of messages that have arrived, once
    /// enough have piled up that a pass over the links pays for itself.
    fn forget_delivered(&mut self, sim: &Sim) {
        if self.info.len() < self.sweep_info_at {
            return;
        }
        let live: BTreeSet<MsgId> = all_in_flight(sim).iter().map(|m| m.id).collect();
        self.info.retain(|id, _| live.contains(id));
        self.sweep_info_at = (2 * self.info.len()).max(MIN_INFO_SWEEP);
    }

    fn judge(
        &mut self,
        shared: &Shared,
        message: &InFlight,
        header: &Header,
        down: &BTreeSet<IpAddr>,
    ) -> NetVerdict {
        let from = self.host(message.src, header.tag);
        let to = self.host(message.dst, header.tag);
        let dst_down = down.contains(&message.dst.ip());
        if self
            .hosts
            .is_database_link(message.src.ip(), message.dst.ip())
        {
            // Judged as it was written (see `db_link`): only a hold
            // leaves a frame on the link for the injector to see.
            if dst_down && header.tag != Tag::NO_ATTEMPT {
                return NetVerdict::Lose(Cause::HostDown(to));
            }
            return shared.db_link.take_hold(message.id);
        }
        shared.judge_message(header, from, to, dst_down)
    }

    /// Loses message `id`: every copy of it in flight is thrown away where it
    /// arrives (see the module docs).
    /// `copies` holds every copy of message `id` in flight (a duplicated
    /// message is sent twice at once, so both copies are new together).
    fn lose(&mut self, shared: &Shared, copies: &[&InFlight], id: MsgId, cause: Cause) {
        let Some(info) = self.info.remove(&id) else {
            return;
        };
        // Both copies of a duplicated message share an id: one event each.
        for copy in copies.iter().filter(|m| m.id == id) {
            shared.record(
                Host::Network,
                What::Lost {
                    msg: id,
                    from: self.host(copy.src, info.tag),
                    to: self.host(copy.dst, info.tag),
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
        let messages = all_in_flight(sim);
        let copies: Vec<&InFlight> = messages.iter().collect();
        let mut doomed: Vec<(MsgId, Host)> = messages
            .iter()
            .filter(|m| m.dst.ip() == ip)
            .map(|m| {
                let tag = self.info.get(&m.id).map_or(Tag::NO_ATTEMPT, |i| i.tag);
                (m.id, self.host(m.dst, tag))
            })
            .collect();
        doomed.dedup_by_key(|(id, _)| *id);
        for (id, to) in doomed {
            self.lose(shared, &copies, id, Cause::HostDown(to));
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
                    from: self.host(h.src, info.tag),
                    to: self.host(h.dst, info.tag),
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
                    let id = message_id(sent.protocol());
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

/// The bytes of one of idemsim's messages: a datagram, or a TCP segment
/// carrying a frame (see `world::frame`). TCP's own segments (a connection
/// opening or closing) carry none.
fn message_bytes(protocol: &Protocol) -> Option<&[u8]> {
    match protocol {
        Protocol::Udp(datagram) => Some(&datagram.0),
        Protocol::Tcp(Segment::Data(_, bytes)) => Some(bytes),
        Protocol::Tcp(_) => None,
    }
}

fn message_id(protocol: &Protocol) -> Option<MsgId> {
    message_bytes(protocol).and_then(peek_id)
}

/// Whether something in flight is a message with an id that `pick` picks,
/// or a segment of TCP's own, which nothing holds (no allocation: the
/// driver asks this on every step).
fn any_in_flight(sim: &Sim, pick: impl Fn(MsgId) -> bool) -> bool {
    let mut found = false;
    sim.links(|links| {
        for l in links {
            for sent in l {
                if message_id(sent.protocol()).is_none_or(&pick) {
                    found = true;
                    return;
                }
            }
        }
    });
    found
}

/// What one pass over the links found after a step.
struct Scan {
    /// Messages on each link, in turmoil's link order (links are made with
    /// the hosts and never removed, so the order is stable).
    lengths: Vec<u64>,
    /// Messages above the watermark (not judged yet), with their headers and
    /// sizes, in id order.
    new: Vec<(InFlight, Header, usize)>,
}

/// One pass over every message in flight, allocating only for new ones: the
/// driver makes it after every step.
fn scan(sim: &Sim, watermark: MsgId) -> Scan {
    let mut lengths = Vec::new();
    let mut new = Vec::new();
    sim.links(|links| {
        for (link, l) in links.enumerate() {
            let mut length = 0;
            for sent in l {
                length += 1;
                let Some(bytes) = message_bytes(sent.protocol()) else {
                    continue;
                };
                let Some(id) = peek_id(bytes) else {
                    continue;
                };
                if id > watermark
                    && let Some(header) = Header::read(bytes)
                {
                    let (src, dst) = sent.pair();
                    let message = InFlight { id, src, dst, link };
                    new.push((message, header, bytes.len()));
                }
            }
            lengths.push(length);
        }
    });
    new.sort_by_key(|(m, _, _)| m.id);
    Scan { lengths, new }
}

/// The network work of one step (see [`Injector::network_work`]), from the
/// link lengths before and after it and the messages it sent.
fn step_work(before: &[u64], after: &[u64], new: &[(InFlight, Header, usize)]) -> u64 {
    let mut sent = vec![0u64; after.len()];
    for (message, _, _) in new {
        sent[message.link] += 1;
    }
    let mut work: u64 = 0;
    for (link, &length) in after.iter().enumerate() {
        let had = before.get(link).copied().unwrap_or(0);
        let delivered = (had + sent[link]).saturating_sub(length);
        work = work.saturating_add(length + delivered.saturating_mul(had / 2));
    }
    work
}

/// Every message in flight, in id order.
fn all_in_flight(sim: &Sim) -> Vec<InFlight> {
    let mut all = Vec::new();
    sim.links(|links| {
        for (link, l) in links.enumerate() {
            for sent in l {
                if let Some(id) = message_id(sent.protocol()) {
                    let (src, dst) = sent.pair();
                    all.push(InFlight { id, src, dst, link });
                }
            }
        }
    });
    all.sort_by_key(|m| m.id);
    all
}

impl Shared {
    /// What the network does with a message of `header` from `from` to
    /// `to`: deliver it, lose it or hold it. Targeted faults first, then
    /// each random form in registry order, each a draw from its own stream.
    pub(crate) fn judge_message(
        &self,
        header: &Header,
        from: Host,
        to: Host,
        dst_down: bool,
    ) -> NetVerdict {
        // A frame no attempt sent (an answer hyper made up, a database
        // connection's startup) goes as it is: no fault in the book names
        // it, and no report could.
        if header.tag == Tag::NO_ATTEMPT {
            return NetVerdict::Deliver;
        }
        if dst_down {
            return NetVerdict::Lose(Cause::HostDown(to));
        }
        if !self.faults_active() {
            return NetVerdict::Deliver;
        }
        match self.net_verdict(header.tag, header.point, header.key, from, to) {
            NetVerdict::Deliver => {}
            decided => return decided,
        }
        if self.strikes(&drop::LOSS) {
            return NetVerdict::Lose(Cause::Random);
        }
        if let Some(hold_ms) = self.scenario.long_hold_ms()
            && self.strikes(&delay::LONG_HOLD)
        {
            return NetVerdict::Hold {
                until_ms: self.now_ms() + hold_ms,
                cause: Cause::Random,
            };
        }
        if self.strikes(&delay::HOLD) {
            // Held from one to two client timeouts: long enough that a retry
            // may overtake it.
            let delay_ms = self.random_span_ms(&delay::HOLD);
            return NetVerdict::Hold {
                until_ms: self.now_ms() + delay_ms,
                cause: Cause::Random,
            };
        }
        // Then each form that acts on messages, in registry order.
        for form in RANDOM_FORMS {
            if let Some(on_message) = form.on_message
                && let Some(action) = on_message(header.point, &self.scenario)
                && self.strikes(form)
            {
                return match action {
                    NetAction::Lose => NetVerdict::Lose(Cause::Random),
                    NetAction::Hold { delay_ms } => NetVerdict::Hold {
                        until_ms: self.now_ms() + delay_ms,
                        cause: Cause::Random,
                    },
                };
            }
        }
        NetVerdict::Deliver
    }

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
        self.send_now(socket, from, to, addr, envelope)
    }

    /// [`Shared::send`] without awaiting: turmoil puts a datagram on its link
    /// at once, so code that cannot hold the socket across an await (a
    /// service's store clients) sends with this.
    pub fn send_now(
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
        socket.try_send_to(&bytes, addr)?;
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
            socket.try_send_to(&bytes, addr)?;
        }
        Ok(())
    }
}
