//! The narrated timeline a student can follow, then one line per invariant,
//! how the transfers ended, the balances, the expectation, the seed and the
//! command that replays the run.
//!
//! Everything the scenario names (accounts, ids, the design, codes) is shown
//! with control characters escaped, so a hostile file cannot drive the
//! terminal or forge a line.

use super::words::{self, Messages};
use super::{Color, Paint};
use crate::check::{Violation, ViolationKind};
use crate::describe;
use crate::history::{Event, Outcome, What};
use crate::run::{Replay, Run};
use crate::scenario::{Provenance, Scenario};
use crate::text::{Escaped, escape, wrap};
use crate::world::EndReason;
use std::fmt::Write;

/// The whole human report of one run of `scenario`, which came from
/// `source` (the replay command names its file and program).
pub fn render(scenario: &Scenario, source: &Provenance, run: &Run, color: Color) -> String {
    let mut out = String::new();
    header(&mut out, scenario, run, color);
    timeline(&mut out, scenario, &run.output.events, color);
    verdict(&mut out, scenario, source, run, color);
    out
}

fn header(out: &mut String, scenario: &Scenario, run: &Run, color: Color) {
    let _ = writeln!(out, "{}", color.paint(Paint::Bold, &escape(&scenario.name)));
    let _ = writeln!(
        out,
        "{} {}: {}",
        scenario.api.noun(),
        Escaped(scenario.api.name()),
        Escaped(scenario.api.summary())
    );
    let _ = writeln!(out, "seed {}", run.seed);
    if !scenario.description.is_empty() {
        let _ = writeln!(out);
        for line in wrap(&scenario.description, 88) {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out);
}

/// The timeline's lines, one per event, without the heading.
pub fn timeline_lines(scenario: &Scenario, events: &[Event], color: Color) -> Vec<String> {
    let messages = Messages::index(events);
    events
        .iter()
        .map(|event| {
            let (mark, text) = narrate(scenario, &messages, &event.what);
            let text = match mark {
                Mark::Bad => color.paint(Paint::Red, &text),
                Mark::Fault => color.paint(Paint::Yellow, &text),
                Mark::Plain => text,
            };
            format!(
                "{:>8} ms  {:<9} {}",
                event.at_ms,
                event.host.to_string(),
                text
            )
        })
        .collect()
}

fn timeline(out: &mut String, scenario: &Scenario, events: &[Event], color: Color) {
    let _ = writeln!(out, "{}", color.paint(Paint::Bold, "timeline"));
    for line in timeline_lines(scenario, events, color) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out);
}

enum Mark {
    Plain,
    Fault,
    Bad,
}

/// One line of the timeline for one event.
fn narrate(s: &Scenario, messages: &Messages<'_>, what: &What) -> (Mark, String) {
    use Mark::*;
    let tag = |t| describe::tag(s, t);
    let transfer = |t| describe::transfer(s, t);
    match what {
        What::KeyRequested { tag: t, .. } => (
            Plain,
            format!(
                "-> api  POST /keys for {} (attempt {})",
                transfer(t.transfer),
                t.attempt
            ),
        ),
        What::KeyObtained { transfer: t, key } => (
            Plain,
            format!(
                "has key {key} for {} ({})",
                transfer(*t),
                describe::key_origin(*key)
            ),
        ),
        What::Sent {
            tag: t, key, body, ..
        } => (
            Plain,
            format!(
                "-> api  {} {} {} -> {} {}{}",
                describe::request_line(s, crate::wire::Endpoint::Transfers),
                tag(*t),
                describe::account(s, body.from),
                describe::account(s, body.to),
                body.amount,
                key.map(|k| format!("  {}", describe::key_carried(s, k)))
                    .unwrap_or_default()
            ),
        ),
        What::Received { tag: t, response } => (
            Plain,
            format!("<- {} for {}", describe::response(response), tag(*t)),
        ),
        What::TimedOut { tag: t } => (Fault, format!("no answer to {}: timed out", tag(*t))),
        What::LateAnswer { tag: t, response } => (
            Plain,
            format!(
                "late answer to {} ignored: {}",
                tag(*t),
                describe::response(response)
            ),
        ),
        What::Backoff {
            transfer: t,
            wait_ms,
            until_heal: false,
        } => (
            Plain,
            format!("backs off {wait_ms} ms before retrying {}", transfer(*t)),
        ),
        What::Backoff {
            transfer: t,
            wait_ms,
            until_heal: true,
        } => (
            Plain,
            format!(
                "has made the {} attempts allowed while faults act: waits {wait_ms} ms, until the heal, to retry {}",
                s.retry.max_attempts,
                transfer(*t)
            ),
        ),
        What::LivenessPhase {
            transfer: t,
            deadline_ms,
        } => (
            Fault,
            format!(
                "{} has no definitive answer yet: keeps retrying until {deadline_ms} ms (liveness phase)",
                transfer(*t)
            ),
        ),
        What::Finished {
            transfer: t,
            outcome,
            attempts,
        } => {
            let mark = match outcome {
                Outcome::Succeeded(_) => Plain,
                _ => Fault,
            };
            (
                mark,
                format!(
                    "{} done after {attempts} attempt{}: {}",
                    transfer(*t),
                    if *attempts == 1 { "" } else { "s" },
                    describe::outcome(outcome)
                ),
            )
        }
        What::ApiReceived {
            tag: t,
            endpoint,
            key,
            ..
        } => (
            Plain,
            format!(
                "received {} {}{}",
                describe::request_line(s, *endpoint),
                tag(*t),
                key.map(|k| format!(" ({k})")).unwrap_or_default()
            ),
        ),
        What::Txn {
            call,
            tag: t,
            result,
            ..
        } => (
            Plain,
            format!(
                "txn {} for {}: {}",
                words::call_name(s, *call),
                tag(*t),
                words::txn_result(result)
            ),
        ),
        What::LedgerEntry {
            tag: t,
            transfer_id,
            account,
            delta,
            ..
        } => (
            Plain,
            format!(
                "{} {delta:+} (ledger transfer {transfer_id}, {})",
                describe::account(s, *account),
                tag(*t)
            ),
        ),
        What::ApiReplied {
            tag: t, response, ..
        } => (
            Plain,
            format!("-> {} for {}", describe::response(response), tag(*t)),
        ),
        What::StoreTimeout {
            store,
            tag: t,
            send,
            sends,
        } => (Fault, words::store_timeout(*store, &tag(*t), *send, *sends)),
        What::HandlerDropped { tag: t, spawned } => (
            Bad,
            format!(
                "handler for {} dropped unfinished: its client closed the connection{}",
                tag(*t),
                words::spawned_go_on(*spawned)
            ),
        ),
        What::FailedOpen { tag: t, call } => (
            Bad,
            format!(
                "key store silent: skips txn {} for {} (fail-open)",
                words::call_name(s, *call),
                tag(*t)
            ),
        ),
        What::Lost {
            msg,
            from,
            to,
            point,
            tag: t,
            cause,
        } => (
            Fault,
            format!(
                "LOST {}, {from} -> {to}: {}",
                messages.label(s, *msg, *point, *t),
                words::loss_reason(s, *cause, *point, *t)
            ),
        ),
        What::Held {
            msg,
            from,
            to,
            point,
            tag: t,
            until_ms,
            cause,
        } => (
            Fault,
            format!(
                "HELD {}, {from} -> {to}, until {until_ms} ms: {}",
                messages.label(s, *msg, *point, *t),
                words::hold_reason(s, *cause, *point, *t)
            ),
        ),
        What::Stalled {
            tag: t,
            boundary,
            stall_ms,
            ..
        } => (
            Fault,
            format!(
                "STALLS {stall_ms} ms at {} of {}",
                s.api.boundary_name(*boundary),
                tag(*t)
            ),
        ),
        What::Duplicated {
            msg,
            from,
            to,
            point,
            tag: t,
            ..
        } => (
            Fault,
            format!(
                "DUPLICATED {}, {from} -> {to}: it will arrive twice",
                messages.label(s, *msg, *point, *t)
            ),
        ),
        What::PaysAgain { tag: t, time, most } => (
            Bad,
            format!(
                "{} failed for good: pays again with a new key ({time} of at most {most})",
                tag(*t)
            ),
        ),
        What::ClientRestarted { tag: t, cause } => (
            Bad,
            format!(
                "RESTARTED after {} ({}): {}",
                tag(*t),
                words::cause_text(s, *cause),
                words::client_restart_kept(s)
            ),
        ),
        What::KeyState { key, from, to, .. } => (
            Plain,
            format!(
                "key {key}: {} -> {}",
                words::key_phase(*from),
                words::key_phase(*to)
            ),
        ),
        What::KeyExpired {
            store,
            key,
            tag: t,
            cause,
        } => (
            Fault,
            format!(
                "key {key} EXPIRED in {store} as {} was sent ({})",
                tag(*t),
                words::cause_text(s, *cause)
            ),
        ),
        What::Completing {
            key,
            tag: t,
            since_ms,
        } => (
            Plain,
            format!(
                "picks up key {key} of {}, in progress since {since_ms} ms",
                describe::transfer(s, t.transfer)
            ),
        ),
        What::KeyEvicted { store, key } => (
            Fault,
            format!("key {key} EVICTED from {store}: the store was full"),
        ),
        What::Outage {
            store,
            until_ms,
            cause,
        } => (
            Fault,
            format!(
                "{store} UNREACHABLE until {until_ms} ms ({})",
                words::cause_text(s, *cause)
            ),
        ),
        What::Released {
            msg,
            from,
            to,
            point,
            tag: t,
        } => (
            Fault,
            format!(
                "released {}, {from} -> {to}",
                messages.label(s, *msg, *point, *t)
            ),
        ),
        crashed @ What::Crashed { .. } => (
            Bad,
            format!("CRASHED ({})", words::crash_reason(s, crashed)),
        ),
        What::Restarted { kept, .. } => (
            match kept {
                crate::history::Kept::Durable => Fault,
                crate::history::Kept::Nothing { .. } => Bad,
            },
            words::restarted(*kept),
        ),
        What::Healed => (
            Fault,
            "faults stop: the network is healthy from now on".to_string(),
        ),
        What::LimitReached { limit } => (
            Bad,
            format!("run stopped at a limit: {}", words::limit(*limit)),
        ),
        What::Panicked { host, message } => (
            Bad,
            format!(
                "PANICKED in {}: {}",
                words::panic_site(*host),
                Escaped(message)
            ),
        ),
    }
}

/// One line per invariant: `ok` or `FAIL` with its evidence.
pub(crate) fn invariant_lines(out: &mut String, violations: &[Violation], color: Color) {
    for kind in ViolationKind::ALL {
        let broken: Vec<&Violation> = violations.iter().filter(|x| x.kind == *kind).collect();
        if broken.is_empty() {
            let _ = writeln!(
                out,
                "  {}    {}",
                color.paint(Paint::Green, "ok"),
                kind.name()
            );
            continue;
        }
        for b in broken {
            let _ = writeln!(
                out,
                "  {}  {}: {}",
                color.paint(Paint::Red, "FAIL"),
                kind.name(),
                b.summary
            );
            for line in &b.evidence {
                let _ = writeln!(out, "          {line}");
            }
        }
    }
}

/// `transfers: 2 succeeded, 0 failed, 1 unknown`.
pub(crate) fn outcomes_line(run: &Run) -> String {
    let o = run.verdict.outcomes;
    let mut line = format!(
        "transfers: {} succeeded, {} failed, {} unknown",
        o.succeeded, o.failed, o.unknown
    );
    if o.unfinished > 0 {
        let _ = write!(line, ", {} unfinished", o.unfinished);
    }
    line
}

/// Whether to warn that a run shows nothing about exactly-once (see
/// [`crate::check::Verdict::shows_nothing`]).
pub(crate) fn nothing_succeeded(run: &Run) -> bool {
    run.verdict.shows_nothing()
}

fn verdict(out: &mut String, scenario: &Scenario, source: &Provenance, run: &Run, color: Color) {
    let v = &run.verdict;
    match &run.output.end {
        EndReason::Completed => {
            let _ = writeln!(out, "{}", color.paint(Paint::Bold, "invariants"));
            invariant_lines(out, &v.violations, color);
        }
        EndReason::Panicked {
            host: crate::history::Host::Checker | crate::history::Host::Driver,
            ..
        } => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(Paint::Bold, "invariants: not judged, the run was void")
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Bold,
                    "invariants (judged on what happened before the run stopped)"
                )
            );
            invariant_lines(out, &v.violations, color);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", outcomes_line(run));
    if nothing_succeeded(run) {
        let _ = writeln!(
            out,
            "{}",
            color.paint(
                Paint::Yellow,
                "warning: no transfer reached a definitive outcome and nothing broke, so this run shows nothing about exactly-once"
            )
        );
    }
    for warning in scenario.warnings() {
        let _ = writeln!(
            out,
            "{}",
            color.paint(
                Paint::Yellow,
                &format!("warning: {}", words::warning(scenario, warning))
            )
        );
    }
    for (what, want, got) in v.outcomes.misses(&scenario.expect) {
        let _ = writeln!(
            out,
            "{}",
            color.paint(
                Paint::Red,
                &format!(
                    "expected {} {what}; {got} did",
                    describe::count(
                        usize::try_from(want).expect("MAX_TRANSFERS keeps a count inside usize"),
                        "transfer",
                    )
                )
            )
        );
    }
    let balances: Vec<String> = scenario
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let end = run.output.balances.get(i).copied().unwrap_or(a.balance);
            format!("{} {} -> {end}", Escaped(&a.name), a.balance)
        })
        .collect();
    let _ = writeln!(out, "balances: {}", balances.join(", "));
    for index in &run.output.unfired_faults {
        if let Some(note) = super::words::unfired_fault(scenario, *index) {
            let _ = writeln!(out, "note: {note}");
        }
    }
    match &run.output.end {
        EndReason::Completed => {}
        EndReason::LimitReached(limit) => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Red,
                    &format!(
                        "the run did not complete: it stopped at {}",
                        words::limit(*limit)
                    )
                )
            );
        }
        EndReason::Panicked { host, message } => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Red,
                    &format!(
                        "the run did not complete: code in {} panicked: {}",
                        words::panic_site(*host),
                        Escaped(message)
                    )
                )
            );
        }
        EndReason::HostFailed { message, .. } => {
            let _ = writeln!(
                out,
                "{}",
                color.paint(
                    Paint::Red,
                    &format!(
                        "the run did not complete: a host failed: {}",
                        Escaped(message)
                    )
                )
            );
        }
    }
    let met = if v.met {
        color.paint(Paint::Green, "expectation met")
    } else {
        color.paint(Paint::Red, "EXPECTATION NOT MET")
    };
    let _ = writeln!(
        out,
        "expected: {}; found: {} -> {met}",
        describe::violation_names(&v.expected),
        describe::violation_names(&v.found)
    );
    let _ = writeln!(
        out,
        "seed {}; replay: {}",
        run.seed,
        Escaped(&Replay::of(source, scenario, run).to_string())
    );
}
