//! The words reports use for events: how a message, a cause, a limit or a
//! fault site reads, and what a broken invariant says (its summary and its
//! evidence). Every reporter that narrates (the timeline, the diagram, the
//! key stories, the diff, JSON's `reason` and `summary` fields) takes its
//! words from here, so they all say the same thing.

use crate::check::{Evidence, LostTold, RecordLeft, Summary};
use crate::describe;
use crate::history::{Cause, Event, Host, Kept, KeyPhase, Limit, TxnResult, What};
use crate::scenario::Scenario;
use crate::vocab::wire::{Call, MsgId, Point, Response, Tag};
use std::collections::BTreeMap;

/// What the reports need to know about messages by id, gathered in one pass
/// over the history: the answer each API reply carried.
pub struct Messages<'a> {
    responses: BTreeMap<MsgId, &'a Response>,
}

impl<'a> Messages<'a> {
    pub fn index(events: &'a [Event]) -> Messages<'a> {
        let responses = events
            .iter()
            .filter_map(|e| match &e.what {
                What::ApiReplied { msg, response, .. } => Some((*msg, response)),
                _ => None,
            })
            .collect();
        Messages { responses }
    }

    /// `transfer request t1#2`, `response t1#1 (201 created)`, `apply txn t1#1`.
    pub fn label(&self, s: &Scenario, msg: MsgId, point: Point, tag: Tag) -> String {
        let t = describe::tag(s, tag);
        match point {
            Point::Request => format!("transfer request {t}"),
            Point::KeyRequest => format!("key request {t}"),
            Point::Response | Point::KeyResponse => match self.responses.get(&msg) {
                Some(r) => format!("response {t} ({})", describe::response(r)),
                None => format!("response {t}"),
            },
            Point::Call(call) => format!("{} txn {t}", call_name(s, call)),
            Point::Result(call) => format!("{}-result {t}", call_name(s, call)),
        }
    }
}

/// The name of a store call: a design transaction's, or `issue-key`.
pub fn call_name(s: &Scenario, call: Call) -> String {
    crate::text::escape(&s.api.call_name(call))
}

/// A message's name as faults write it (`request`, `apply-result`).
pub fn point_name(s: &Scenario, point: Point) -> String {
    crate::text::escape(&s.api.point_name(point))
}

/// `request`, `response`, `key request`, or `apply message` for a store call.
pub fn message_noun(s: &Scenario, point: Point) -> String {
    match point {
        Point::Request => "request".to_string(),
        Point::Response => "response".to_string(),
        Point::KeyRequest => "key request".to_string(),
        Point::KeyResponse => "key response".to_string(),
        other => format!("{} message", point_name(s, other)),
    }
}

/// The name the scenario file gives a targeted fault's kind (`drop-response`).
fn fault_name(s: &Scenario, index: usize) -> String {
    s.faults
        .get(index)
        .map(|f| f.to_spec(s).kind_name())
        .unwrap_or_else(|| "targeted".to_string())
}

/// Why a message was lost.
pub fn loss_reason(s: &Scenario, cause: Cause, point: Point, tag: Tag) -> String {
    match cause {
        Cause::Targeted(i) => format!(
            "{} fault on {} of {}",
            fault_name(s, i),
            point_name(s, point),
            describe::tag(s, tag)
        ),
        Cause::Random => "random loss".to_string(),
        Cause::HostDown(host) => format!("{host} is down"),
        Cause::Outage { store, until_ms } => format!("{store} unreachable until {until_ms} ms"),
    }
}

/// Why a message was held.
pub fn hold_reason(s: &Scenario, cause: Cause, point: Point, tag: Tag) -> String {
    match cause {
        Cause::Targeted(i) => format!(
            "{} fault on {} of {}",
            fault_name(s, i),
            point_name(s, point),
            describe::tag(s, tag)
        ),
        _ => "random delay".to_string(),
    }
}

/// What a host did when a store did not answer in time: sent the call again,
/// or gave up on it (after how many sends, when it sent it more than once).
pub fn store_timeout(store: crate::design::StoreName, tag: &str, send: u32, sends: u32) -> String {
    if send < sends {
        format!(
            "no answer from {store} for {tag}: sends the call again ({} of {sends})",
            send + 1
        )
    } else if sends > 1 {
        format!("no answer from {store} for {tag}: gives up after {sends} sends")
    } else {
        format!("no answer from {store} for {tag}: gives up")
    }
}

/// What a client that restarted kept, as `[retry.on] restart` says (what
/// it does next, the timeline shows): `it had stored its key and keeps it`.
pub fn client_restart_kept(s: &Scenario) -> &'static str {
    use crate::scenario::{ClientAction, ClientAnswer};
    match s.retry.action(ClientAnswer::Restart) {
        ClientAction::Retry => "it had stored its key and keeps it",
        ClientAction::NewKey => "it held its key in memory only and lost it",
        ClientAction::GiveUp => "it forgot the transfer",
    }
}

/// A scenario's warning, for a person.
pub fn warning(s: &Scenario, warning: crate::scenario::Warning) -> String {
    use crate::scenario::Warning;
    match warning {
        Warning::SlowStoreRoundTrip {
            round_trip_ms,
            store_timeout_ms,
        } => format!(
            "the network's slowest round trip ({round_trip_ms} ms, latency_max_ms each way) is no shorter than design `{}`'s store_timeout_ms ({store_timeout_ms} ms): store calls whose messages are slow time out, whatever faults act",
            crate::text::escape(s.api.name())
        ),
        Warning::SlowClientRoundTrip {
            round_trip_ms,
            timeout_ms,
        } => format!(
            "the network's slowest round trip ({round_trip_ms} ms, latency_max_ms each way) is no shorter than the client's timeout_ms ({timeout_ms} ms): attempts whose messages are slow time out, whatever faults act"
        ),
    }
}

/// What a restart found, as the timeline and the diagram say it: the words
/// follow what the crash did to the host's records, so a key store without
/// persistence is never said to have kept them.
pub fn restarted(kept: Kept) -> String {
    match kept {
        Kept::Durable => "restarted: durable state kept, memory lost".to_string(),
        Kept::Nothing { records: 0 } => {
            "restarted EMPTY: nothing kept (it held no idempotency records)".to_string()
        }
        Kept::Nothing { records: 1 } => {
            "restarted EMPTY: nothing kept, the 1 idempotency record it held is lost".to_string()
        }
        Kept::Nothing { records } => {
            format!(
                "restarted EMPTY: nothing kept, the {records} idempotency records it held are lost"
            )
        }
    }
}

/// Why a host crashed.
pub fn crash_reason(s: &Scenario, what: &What) -> String {
    let What::Crashed { cause, site, .. } = what else {
        return String::new();
    };
    let at = site
        .map(|site| {
            format!(
                " at {} of {}",
                s.api.place_name(site.boundary),
                describe::tag(s, site.tag)
            )
        })
        .unwrap_or_default();
    match cause {
        Cause::Targeted(_) => format!("crash fault{at}"),
        _ => format!("random crash{at}"),
    }
}

/// The cause as JSON names it.
/// Why a fault of the run's own happened: `expire-key fault 2`, `at random`.
pub fn cause_text(s: &Scenario, cause: Cause) -> String {
    match cause {
        Cause::Targeted(i) => format!("{} fault {}", fault_name(s, i), i + 1),
        Cause::Random => "at random".to_string(),
        Cause::HostDown(host) => format!("{host} is down"),
        Cause::Outage { store, until_ms } => format!("{store} unreachable until {until_ms} ms"),
    }
}

pub fn cause_name(cause: Cause) -> &'static str {
    match cause {
        Cause::Targeted(_) => "targeted",
        Cause::Random => "random",
        Cause::HostDown(_) => "host-down",
        Cause::Outage { .. } => "outage",
    }
}

/// A limit a run reached.
pub fn limit(limit: Limit) -> String {
    match limit {
        Limit::SimTime { max_sim_ms } => format!("max_sim_ms = {max_sim_ms}"),
        Limit::Drain { drain_ms } => {
            format!("drain time ({drain_ms} ms) after the last client finished")
        }
        Limit::HostSteps { max_host_steps } => {
            format!("max_host_steps = {max_host_steps} (simulation steps times hosts)")
        }
        Limit::NetworkWork { max_network_work } => format!(
            "max_network_work = {max_network_work} (messages in flight summed over steps, and queued messages moved by deliveries)"
        ),
        Limit::Messages { max_messages } => format!("max_messages = {max_messages}"),
    }
}

/// What a store transaction came to: `committed`, `stopped: 409 key_in_use`.
pub fn txn_result(result: &TxnResult) -> String {
    match result {
        TxnResult::Committed => "committed".to_string(),
        TxnResult::Stopped(r) => format!("stopped: {}", describe::response(r)),
        TxnResult::Wait => "stopped: key in use, the API will wait".to_string(),
        TxnResult::Service(op) => format!(
            "{} -> {}",
            crate::text::escape(&op.request),
            crate::text::escape(&op.answer)
        ),
    }
}

/// A key record's state: `in-progress`.
pub fn key_phase(phase: KeyPhase) -> &'static str {
    match phase {
        KeyPhase::Absent => "absent",
        KeyPhase::Issued => "issued",
        KeyPhase::InProgress => "in-progress",
        KeyPhase::Done => "done",
        KeyPhase::Expired => "expired",
    }
}

/// The host an event names in a panic: `api`, or `the driver`.
pub fn panic_site(host: Host) -> String {
    match host {
        Host::Driver => "the driver".to_string(),
        Host::Checker => "the checker".to_string(),
        other => format!("host {other}"),
    }
}

/// Why a run did not complete, in words (`None` when it did).
pub fn incomplete(end: &crate::world::EndReason) -> Option<String> {
    use crate::world::EndReason;
    match end {
        EndReason::Completed => None,
        EndReason::LimitReached(l) => Some(format!("it stopped at {}", limit(*l))),
        EndReason::Panicked { host, message } => Some(format!(
            "code in {} panicked: {}",
            panic_site(*host),
            crate::text::escape(message)
        )),
        EndReason::HostFailed { host, message } => Some(format!(
            "{} failed: {}",
            host.map_or("a host".to_string(), |h| format!("host {h}")),
            crate::text::escape(message)
        )),
    }
}

/// Why a targeted fault never hit, with the fault as the note names it:
/// `fault 2 (drop-response on t1#3) never hit: that attempt never reached its
/// point`, or for an outage, which targets a window rather than an attempt,
/// `fault 1 (unreachable keys from 0 to 600 ms) never hit: nothing was sent
/// to or from keys then`.
pub fn unfired_fault(s: &Scenario, index: usize) -> Option<String> {
    let f = s.faults.get(index)?;
    // As the scenario file names it (`drop-response`, not the `drop` it runs as).
    let kind = f.to_spec(s).kind_name();
    Some(match (f.kind.behaviour().window(), f.attempt()) {
        (Some(w), _) => {
            let host = w.host;
            format!(
                "fault {} ({kind} {host} from {} to {} ms) never hit: nothing was sent to or from {host} then",
                index + 1,
                w.from_ms,
                w.until_ms
            )
        }
        (_, Some((t, a))) => format!(
            "fault {} ({kind} on {}#{a}) never hit: that attempt never reached its point",
            index + 1,
            describe::transfer(s, t)
        ),
        (_, None) => format!("fault {} ({kind}) never hit", index + 1),
    })
}

/// What a dropped handler leaves running: `; the 2 tasks it spawned go on`.
pub fn spawned_go_on(spawned: u32) -> String {
    match spawned {
        0 => String::new(),
        1 => "; the task it spawned goes on".to_string(),
        n => format!("; the {n} tasks it spawned go on"),
    }
}

/// What broke, as the one sentence that heads a violation.
pub fn summary(s: &Scenario, broke: &Summary) -> String {
    match broke {
        Summary::AppliedTimes { transfer, times } => format!(
            "{} was applied {times} times",
            describe::transfer(s, *transfer)
        ),
        Summary::NeverApplied { transfer, told } => format!(
            "{} never applied, but {}",
            describe::transfer(s, *transfer),
            lost_told(told)
        ),
        Summary::SumChanged { before, after } => {
            format!("the sum of balances went from {before} to {after}")
        }
        Summary::LegsDiffer {
            transfer,
            ledger_transfer,
            debited,
            credited,
        } => format!(
            "ledger transfer {ledger_transfer} of {} debited {debited} but credited {credited}",
            describe::transfer(s, *transfer)
        ),
        Summary::ReplayDiffered { key, first, later } => format!(
            "key {key} was answered {} and later {}",
            describe::response(first),
            describe::response(later)
        ),
        Summary::MismatchAccepted { key, first, second } => format!(
            "key {key} was first used for {} and then accepted for {}",
            payload(s, first),
            payload(s, second)
        ),
        Summary::NeverDefinitive { transfer } => format!(
            "{} never got a definitive answer, though its client kept retrying after the faults healed",
            describe::transfer(s, *transfer)
        ),
        Summary::FailedYetMoved { transfer, response } => format!(
            "{} was told {}, a definitive failure, yet its money moved",
            describe::transfer(s, *transfer),
            describe::response(response)
        ),
    }
}

/// What the client of a transfer that never applied was told, as the end
/// of a summary: `the client was told 201 created`.
fn lost_told(told: &LostTold) -> String {
    match told {
        LostTold::Success { response } => {
            format!("the client was told {}", describe::response(response))
        }
        LostTold::RefusedOnRetry { response } => format!(
            "the client, retrying, was finally refused with {}",
            describe::response(response)
        ),
        LostTold::RetriedAfterHeal { heal_at_ms, last } => format!(
            "the client kept retrying after the faults healed at {heal_at_ms} ms and never got it done (last attempt: {})",
            describe::last_answer(last)
        ),
    }
}

/// A transfer's payload: `alice>bob:100`.
fn payload(s: &Scenario, body: &crate::vocab::wire::TransferBody) -> String {
    format!(
        "{}>{}:{}",
        describe::account(s, body.from),
        describe::account(s, body.to),
        body.amount
    )
}

/// A fact behind a violation, as one line of evidence.
pub fn evidence(s: &Scenario, fact: &Evidence) -> String {
    match fact {
        Evidence::Applied { entry: e, with_key } => {
            let key = if *with_key {
                format!(" ({})", describe::key_label(e.key))
            } else {
                String::new()
            };
            format!(
                "ledger transfer {} at {} ms, {}{key}: {} -{}",
                e.transfer_id,
                e.at_ms,
                describe::by(e.tag),
                describe::account(s, e.account),
                -e.delta
            )
        }
        Evidence::Answered {
            at_ms,
            tag,
            response,
            success,
        } => format!(
            "{at_ms} ms: {} answered {}{}",
            describe::tag(s, *tag),
            describe::response(response),
            if *success { ", a success" } else { "" }
        ),
        Evidence::Balance {
            account,
            start,
            end,
        } => format!("{}: {start} -> {end}", describe::account(s, *account)),
        Evidence::Legs { debits, credits } => {
            format!("{debits} debit entries, {credits} credit entries")
        }
        Evidence::AttemptsSent {
            attempts,
            last_at_ms,
        } => format!(
            "{} sent, last at {last_at_ms} ms",
            describe::count(*attempts, "attempt")
        ),
        Evidence::NoLedgerEntry => "no ledger entry names this transfer".to_string(),
        Evidence::ToldFailure { attempts, response } => format!(
            "the client's last answer, after {}: {}",
            describe::count(*attempts, "attempt"),
            describe::response(response)
        ),
        Evidence::RetriedAfterHeal {
            requests,
            heal_at_ms,
            last,
        } => format!(
            "{} after the faults healed at {heal_at_ms} ms; the last answer: {}",
            describe::count(*requests as usize, "request"),
            describe::last_answer(last)
        ),
        Evidence::LivenessDeadline { deadline_ms } => {
            format!("liveness deadline: {deadline_ms} ms")
        }
        Evidence::RecordLeft { store, key, state } => {
            let state = match state {
                RecordLeft::Expired => "expired".to_string(),
                RecordLeft::Issued => "issued".to_string(),
                RecordLeft::InProgress => "in progress".to_string(),
                RecordLeft::Done(Some(r)) => format!("done, storing {}", describe::response(r)),
                RecordLeft::Done(None) => "done".to_string(),
            };
            format!("{key} left {state} in {store}")
        }
        Evidence::NoRecordLeft { key } => format!("no record of key {key} is left"),
        Evidence::ValueLeft {
            store,
            key,
            expires_at_ms,
        } => {
            let until = match expires_at_ms {
                Some(t) => format!("until {t} ms"),
                None => "with no expiry".to_string(),
            };
            format!(
                "`{}` left in {store} by its requests, {until}",
                crate::text::Escaped(key)
            )
        }
        Evidence::MoreValuesLeft { count } => format!("and {count} more"),
        Evidence::NoValueLeft => {
            "nothing its requests stored is left in the key store or the ledger".to_string()
        }
        Evidence::ServiceMemoryUnseen => {
            "what the service keeps in its own memory, idemsim cannot see".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Loader, TransferIx};
    use crate::vocab::wire::TransferBody;
    use std::path::Path;

    const TEXT: &str = r#"
name = "summaries"
design = "naive"
accounts = { alice = 100, bob = 0 }

[[client]]
transfers = [{ from = "alice", to = "bob", amount = 10 }]

[expect]
violations = []
"#;

    fn scenario() -> Scenario {
        Loader::new()
            .parse(Path::new("s.toml"), TEXT)
            .expect("the scenario is valid")
            .scenario
    }

    /// The sentences no scenario of the suite breaks, pinned here.
    #[test]
    fn money_and_mismatch_summaries_name_their_facts() {
        let s = scenario();
        let t1 = TransferIx::at(0);
        assert_eq!(
            summary(
                &s,
                &Summary::SumChanged {
                    before: 100,
                    after: 90
                }
            ),
            "the sum of balances went from 100 to 90"
        );
        assert_eq!(
            summary(
                &s,
                &Summary::LegsDiffer {
                    transfer: t1,
                    ledger_transfer: 7,
                    debited: 10,
                    credited: 0
                }
            ),
            "ledger transfer 7 of t1 debited 10 but credited 0"
        );
        let body = |amount| TransferBody {
            from: crate::scenario::AccountIx::at(0),
            to: crate::scenario::AccountIx::at(1),
            amount,
        };
        let key = crate::vocab::wire::Key::parse("ck-00002a").expect("a key as keys print");
        assert_eq!(
            summary(
                &s,
                &Summary::MismatchAccepted {
                    key,
                    first: body(10),
                    second: body(20)
                }
            ),
            "key ck-00002a was first used for alice>bob:10 and then accepted for alice>bob:20"
        );
    }
}
