//! Fault decisions taken inside hosts: at the API's step boundaries (crash,
//! stall) and where a message enters the network (duplicate). Network loss and
//! delay are decided by the driver's injector ([`super::net`]).
//!
//! Each decision first looks for a targeted fault of the scenario that names
//! this attempt and has not hit yet, then draws the random fault from its own
//! stream of the seed.

use super::{CrashRequest, Shared};
use crate::history::{Cause, What};
use crate::scenario::{CrashHost, FaultKind};
use crate::wire::{Envelope, Tag};
use rand::Rng;
use std::net::SocketAddr;
use turmoil::net::UdpSocket;

impl Shared {
    /// Index of the first targeted fault for this attempt's processing (crash,
    /// stall, expire-key, client-restart) that `matches` and has not hit yet.
    pub fn matching_fault(&self, tag: &Tag, matches: impl Fn(&FaultKind) -> bool) -> Option<usize> {
        if tag.key_request {
            return None;
        }
        self.first_unfired(|f| {
            f.transfer == tag.transfer && f.attempt == tag.attempt && matches(&f.kind)
        })
    }

    /// Index of the first targeted network fault on message `point` of this
    /// attempt that `matches` and has not hit yet.
    pub fn message_fault(
        &self,
        tag: &Tag,
        point: &str,
        matches: impl Fn(&FaultKind) -> bool,
    ) -> Option<usize> {
        self.first_unfired(|f| {
            f.transfer == tag.transfer
                && f.attempt == tag.attempt
                && f.kind.message() == Some(point)
                && matches(&f.kind)
        })
    }

    fn first_unfired(&self, pick: impl Fn(&crate::scenario::Fault) -> bool) -> Option<usize> {
        let fired = self.fired_faults.borrow();
        self.scenario
            .faults
            .iter()
            .enumerate()
            .find_map(|(i, f)| (pick(f) && !fired.contains(&i)).then_some(i))
    }

    fn fire(&self, index: usize) {
        let fresh = self.fired_faults.borrow_mut().insert(index);
        assert!(fresh, "a targeted fault hits once");
    }

    /// A random stall lasts from one to two client timeouts, so that a retry
    /// overlaps the stalled attempt.
    fn random_stall_ms(&self) -> u64 {
        let timeout = self.scenario.retry.timeout_ms;
        self.rng
            .stall
            .borrow_mut()
            .random_range(timeout..=2 * timeout)
    }

    /// Called by the API at step boundary `boundary` of attempt `tag`: how long
    /// a stall holds the API here, if one hits.
    pub fn stall_ms(&self, tag: &Tag, boundary: usize) -> Option<u64> {
        if !self.faults_active() {
            return None;
        }
        let targeted = self.matching_fault(
            tag,
            |k| matches!(k, FaultKind::Stall { boundary: b, .. } if *b == boundary),
        );
        let (stall_ms, cause) = if let Some(index) = targeted {
            self.fire(index);
            let FaultKind::Stall { stall_ms, .. } = self.scenario.faults[index].kind else {
                unreachable!("matched a stall fault");
            };
            (stall_ms, Cause::Targeted)
        } else if self
            .scenario
            .window
            .stall
            .sample(&mut *self.rng.stall.borrow_mut())
        {
            (self.random_stall_ms(), Cause::Random)
        } else {
            return None;
        };
        self.record(
            "api",
            What::Stalled {
                transfer: tag.transfer.clone(),
                attempt: tag.attempt,
                at: self.scenario.design.boundary_name(boundary),
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
    pub fn crash_point(&self, tag: &Tag, boundary: usize) -> bool {
        if !self.faults_active() || tag.key_request {
            return false;
        }
        let at = self.scenario.design.boundary_name(boundary);
        let targeted = self.matching_fault(
            tag,
            |k| matches!(k, FaultKind::Crash { boundary: b, .. } if *b == boundary),
        );
        let request = if let Some(index) = targeted {
            self.fire(index);
            let FaultKind::Crash {
                host,
                restart_after_ms,
                ..
            } = self.scenario.faults[index].kind
            else {
                unreachable!("matched a crash fault");
            };
            CrashRequest {
                host,
                restart_after_ms,
                reason: format!("crash fault at {at} of {}", tag.label()),
                cause: Cause::Targeted,
                at,
                tag: tag.clone(),
            }
        } else if self
            .scenario
            .window
            .crash
            .sample(&mut *self.rng.crash.borrow_mut())
        {
            CrashRequest {
                host: CrashHost::Api,
                restart_after_ms: self.scenario.window.restart_after_ms,
                reason: format!("random crash at {at} of {}", tag.label()),
                cause: Cause::Random,
                at,
                tag: tag.clone(),
            }
        } else {
            return false;
        };
        let stops_api = request.host == CrashHost::Api;
        self.crash_requests.borrow_mut().push(request);
        stops_api
    }

    /// Sends `envelope` from `host` to `to`. This is where a message enters the
    /// network, and where a duplicate is made: turmoil cannot copy a message in
    /// flight, so a duplicated message is sent twice here, both copies with
    /// the same id, as a retransmitting proxy would.
    pub async fn send(
        &self,
        socket: &UdpSocket,
        host: &str,
        envelope: &Envelope,
        to: SocketAddr,
    ) -> std::io::Result<()> {
        let bytes = envelope.encode();
        socket.send_to(&bytes, to).await?;
        if let Some(cause) = self.duplicates(envelope) {
            self.record(
                "network",
                What::Duplicated {
                    from: host.to_string(),
                    to: turmoil::reverse_lookup(to.ip()).unwrap_or_else(|| to.ip().to_string()),
                    message: envelope.describe(),
                    cause,
                    transfer: envelope.tag.transfer.clone(),
                    attempt: envelope.tag.attempt,
                    point: envelope.point.clone(),
                },
            );
            socket.send_to(&bytes, to).await?;
        }
        Ok(())
    }

    fn duplicates(&self, envelope: &Envelope) -> Option<Cause> {
        if !self.faults_active() {
            return None;
        }
        let targeted = self.message_fault(&envelope.tag, &envelope.point, |k| {
            matches!(k, FaultKind::Duplicate { .. })
        });
        if let Some(index) = targeted {
            self.fire(index);
            return Some(Cause::Targeted);
        }
        self.scenario
            .window
            .duplicate
            .sample(&mut *self.rng.duplicate.borrow_mut())
            .then_some(Cause::Random)
    }
}
