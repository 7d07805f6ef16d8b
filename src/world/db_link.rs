//! The link between a service and its database, judged as frames are
//! written.
//!
//! A service's database sits next to it, as in a datacenter, where a round
//! trip takes a fraction of a millisecond. So this link carries frames in no
//! time: a request the API writes during a step reaches the database when
//! the `ledger` host is next polled, at the start of the next step (turmoil
//! polls hosts in the order they were built, and the `ledger` host is built
//! first), and the answer reaches the API within that same step. A round
//! trip costs one step, where a tick each way would cost two; a service's
//! request makes several round trips (a statement prepared, then run, inside
//! `BEGIN` and `COMMIT`), and steps are what a run costs.
//!
//! The injector judges the messages it finds on a link between two steps
//! (see [`super::net`]); a frame that crosses in no time is never there. So
//! each frame on this link is judged as its sender writes it, by the same
//! rules ([`Shared::judge_message`]):
//!
//! * **lost**: recorded at once, and its id joins the lost set; the
//!   receiving stream throws the frame away as it arrives and resets the
//!   connection, as for a frame lost in flight;
//! * **held**: recorded at once, and the link is put on hold before the
//!   frame is written, so the frame waits on the link, where the injector
//!   finds it and keeps it until its time ([`DbLink::take_hold`]), as it
//!   keeps any held message;
//! * **to a host that is down**: lost.
//!
//! Two things the injector knows from what is in flight are kept here
//! instead: a request written to the database during a step is in flight
//! until the next step, so a crash of the database in between loses it
//! ([`Shared::lose_db_frames_in_flight`]); and a step in which anything
//! crossed the link (a frame, a connection opened or closed) is not quiet,
//! so the driver never skips time while something is about to arrive
//! ([`DbLink::take_busy`]).

use super::Shared;
use super::faults::NetVerdict;
use crate::history::{Cause, Host, What};
use crate::vocab::wire::{Header, MsgId};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// What the database link remembers between a frame's write and the
/// driver's next look.
#[derive(Default)]
pub(crate) struct DbLink {
    /// Frames judged to be held, not yet found on the link by the injector:
    /// when each is released, and why it was held.
    holds: RefCell<BTreeMap<MsgId, (u64, Cause)>>,
    /// Frames delivered to the database during this step: in flight until
    /// the `ledger` host is polled again.
    to_database: RefCell<Vec<Header>>,
    /// Whether anything crossed the link during this step.
    busy: Cell<bool>,
}

impl DbLink {
    /// The injector found frame `id` on the link: held until its time if it
    /// was judged so, delivered otherwise (it waited only because the link
    /// was on hold for another frame).
    pub fn take_hold(&self, id: MsgId) -> NetVerdict {
        match self.holds.borrow_mut().remove(&id) {
            Some((until_ms, cause)) => NetVerdict::Hold { until_ms, cause },
            None => NetVerdict::Deliver,
        }
    }

    /// Whether a held frame has not reached the link yet (its write waits
    /// for room in the socket): the link stays on hold for it.
    pub fn has_pending_hold(&self) -> bool {
        !self.holds.borrow().is_empty()
    }

    /// Whether anything crossed the link since the last call.
    pub fn take_busy(&self) -> bool {
        self.busy.replace(false)
    }

    /// A connection on the link opened or closed: its segments cross now.
    pub fn touch(&self) {
        self.busy.set(true);
    }

    /// The step is over and the database's host was not crashed: the
    /// requests written during it arrive at its next poll.
    pub fn step_over(&self) {
        self.to_database.borrow_mut().clear();
    }
}

impl Shared {
    /// Judges a frame of `header` that `from` is about to write to `to` on
    /// the database link, and does what was decided (see the module docs).
    /// Called once per frame, before the write: a hold must be in place
    /// before the frame enters the link. `rewrite` is true when the same
    /// frame is written again after the socket had no room: it keeps its
    /// verdict.
    pub(crate) fn send_on_db_link(&self, header: &Header, from: Host, to: Host, rewrite: bool) {
        assert!(
            matches!(
                (from, to),
                (Host::Api, Host::Ledger) | (Host::Ledger, Host::Api)
            ),
            "the database link joins the API and the ledger host, not {from} and {to}"
        );
        self.db_link.touch();
        if rewrite {
            if self.db_link.holds.borrow().contains_key(&header.id) {
                turmoil::hold(from.name(), to.name());
            }
            return;
        }
        let dst_down = self.down.borrow().contains(&to);
        match self.judge_message(header, from, to, dst_down) {
            NetVerdict::Deliver => {
                if to == Host::Ledger {
                    self.db_link.to_database.borrow_mut().push(*header);
                }
            }
            NetVerdict::Lose(cause) => self.lose_db_frame(header, from, to, cause),
            NetVerdict::Hold { until_ms, cause } => {
                self.record(
                    Host::Network,
                    What::Held {
                        msg: header.id,
                        from,
                        to,
                        point: header.point,
                        tag: header.tag,
                        until_ms,
                        cause,
                    },
                );
                turmoil::hold(from.name(), to.name());
                self.db_link
                    .holds
                    .borrow_mut()
                    .insert(header.id, (until_ms, cause));
            }
        }
    }

    /// The database's host has just crashed: the requests written to it
    /// during the step are lost, as messages in flight to a crashed host are.
    pub(crate) fn lose_db_frames_in_flight(&self) {
        let in_flight: Vec<Header> = self.db_link.to_database.borrow_mut().drain(..).collect();
        for header in in_flight {
            if !self.lost.borrow().contains(&header.id) {
                self.lose_db_frame(
                    &header,
                    Host::Api,
                    Host::Ledger,
                    Cause::HostDown(Host::Ledger),
                );
            }
        }
    }

    fn lose_db_frame(&self, header: &Header, from: Host, to: Host, cause: Cause) {
        self.record(
            Host::Network,
            What::Lost {
                msg: header.id,
                from,
                to,
                point: header.point,
                tag: header.tag,
                cause,
            },
        );
        self.lost.borrow_mut().insert(header.id);
    }
}
