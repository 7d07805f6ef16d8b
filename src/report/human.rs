//! The narrated timeline a student can follow, then one line per invariant,
//! the balances, the expectation, the seed and the command that replays the run.

use super::Color;
use crate::check::Violation;
use crate::history::{Event, Outcome, What};
use crate::run::{Run, replay_command};
use crate::scenario::{Scenario, ViolationKind};
use crate::world::EndReason;
use std::fmt::Write;

/// The whole human report of one run.
pub fn render(scenario: &Scenario, run: &Run, color: Color) -> String {
    let mut out = String::new();
    header(&mut out, scenario, run, color);
    timeline(&mut out, &run.output.events, color);
    verdict(&mut out, scenario, run, color);
    out
}

fn header(out: &mut String, scenario: &Scenario, run: &Run, color: Color) {
    let _ = writeln!(out, "{}", color.paint("1", &scenario.name));
    let _ = writeln!(
        out,
        "design {}: {}",
        scenario.design.name, scenario.design.summary
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

fn timeline(out: &mut String, events: &[Event], color: Color) {
    let _ = writeln!(out, "{}", color.paint("1", "timeline"));
    for event in events {
        let (mark, text) = narrate(&event.what);
        let text = match mark {
            Mark::Bad => color.paint("31", &text),
            Mark::Fault => color.paint("33", &text),
            Mark::Plain => text,
        };
        let _ = writeln!(out, "{:>8} ms  {:<9} {}", event.at_ms, event.host, text);
    }
    let _ = writeln!(out);
}

enum Mark {
    Plain,
    Fault,
    Bad,
}

/// One line of the timeline for one event.
fn narrate(what: &What) -> (Mark, String) {
    use Mark::*;
    let tag = |t: &str, a: &u32| format!("{t}#{a}");
    match what {
        What::KeyRequested { transfer, attempt } => (
            Plain,
            format!("-> api  POST /keys for {transfer} (attempt {attempt})"),
        ),
        What::KeyObtained {
            transfer,
            key,
            issued_by_server,
        } => {
            let by = crate::history::key_origin(*issued_by_server);
            (Plain, format!("has key {key} for {transfer} ({by})"))
        }
        What::Sent {
            transfer,
            attempt,
            key,
            body,
        } => (
            Plain,
            format!(
                "-> api  POST /transfers {} {} -> {} {}{}",
                tag(transfer, attempt),
                body.from,
                body.to,
                body.amount,
                key.as_ref()
                    .map(|k| format!("  Idempotency-Key: {k}"))
                    .unwrap_or_default()
            ),
        ),
        What::Received {
            transfer,
            attempt,
            response,
        } => (
            Plain,
            format!("<- {} for {}", response.describe(), tag(transfer, attempt)),
        ),
        What::TimedOut { transfer, attempt } => (
            Fault,
            format!("no answer to {}: timed out", tag(transfer, attempt)),
        ),
        What::LateAnswer {
            transfer,
            attempt,
            response,
        } => (
            Plain,
            format!(
                "late answer to {} ignored: {}",
                tag(transfer, attempt),
                response.describe()
            ),
        ),
        What::Backoff { transfer, wait_ms } => (
            Plain,
            format!("backs off {wait_ms} ms before retrying {transfer}"),
        ),
        What::Finished {
            transfer,
            outcome,
            attempts,
        } => {
            let mark = match outcome {
                Outcome::Succeeded { .. } => Plain,
                _ => Fault,
            };
            (
                mark,
                format!(
                    "{transfer} done after {attempts} attempt{}: {}",
                    if *attempts == 1 { "" } else { "s" },
                    outcome.describe()
                ),
            )
        }
        What::ApiReceived {
            transfer,
            attempt,
            path,
            key,
            ..
        } => (
            Plain,
            format!(
                "received POST {path} {}{}",
                tag(transfer, attempt),
                key.as_ref().map(|k| format!(" ({k})")).unwrap_or_default()
            ),
        ),
        What::Txn {
            transaction,
            transfer,
            attempt,
            result,
            ..
        } => (
            Plain,
            format!("txn {transaction} for {}: {result}", tag(transfer, attempt)),
        ),
        What::LedgerEntry {
            transfer,
            attempt,
            transfer_id,
            account,
            delta,
            ..
        } => (
            Plain,
            format!(
                "{account} {delta:+} (ledger transfer {transfer_id}, {})",
                tag(transfer, attempt)
            ),
        ),
        What::ApiReplied {
            transfer,
            attempt,
            response,
            ..
        } => (
            Plain,
            format!("-> {} for {}", response.describe(), tag(transfer, attempt)),
        ),
        What::StoreTimeout {
            store,
            transfer,
            attempt,
        } => (
            Fault,
            format!(
                "no answer from {store} for {}: gives up",
                tag(transfer, attempt)
            ),
        ),
        What::FailedOpen {
            transfer,
            attempt,
            transaction,
        } => (
            Bad,
            format!(
                "key store silent: skips txn {transaction} for {} (fail-open)",
                tag(transfer, attempt)
            ),
        ),
        What::Lost {
            from,
            to,
            message,
            reason,
            ..
        } => (Fault, format!("LOST {message}, {from} -> {to}: {reason}")),
        What::Held {
            from,
            to,
            message,
            until_ms,
            reason,
            ..
        } => (
            Fault,
            format!("HELD {message}, {from} -> {to}, until {until_ms} ms: {reason}"),
        ),
        What::Stalled {
            transfer,
            attempt,
            at,
            stall_ms,
            ..
        } => (
            Fault,
            format!("STALLS {stall_ms} ms at {at} of {}", tag(transfer, attempt)),
        ),
        What::Duplicated {
            from, to, message, ..
        } => (
            Fault,
            format!("DUPLICATED {message}, {from} -> {to}: it will arrive twice"),
        ),
        What::ClientRestarted { transfer } => (
            Bad,
            format!("RESTARTED and lost the key it held for {transfer}"),
        ),
        What::KeyState { key, from, to, .. } => (Plain, format!("key {key}: {from} -> {to}")),
        What::KeyExpired { store, key } => (Fault, format!("key {key} EXPIRED in {store}")),
        What::Released { from, to, message } => {
            (Fault, format!("released {message}, {from} -> {to}"))
        }
        What::Crashed { reason, .. } => (Bad, format!("CRASHED ({reason})")),
        What::Restarted { .. } => (
            Fault,
            "restarted: durable state kept, memory lost".to_string(),
        ),
        What::Healed => (
            Fault,
            "faults stop: the network is healthy from now on".to_string(),
        ),
        What::LimitReached { limit } => (Bad, format!("run stopped at a limit: {limit}")),
    }
}

fn verdict(out: &mut String, scenario: &Scenario, run: &Run, color: Color) {
    let v = &run.verdict;
    let _ = writeln!(out, "{}", color.paint("1", "invariants"));
    for kind in ViolationKind::ALL {
        let broken: Vec<&Violation> = v.violations.iter().filter(|x| x.kind == kind).collect();
        if broken.is_empty() {
            let _ = writeln!(out, "  {}    {}", color.paint("32", "ok"), kind.name());
            continue;
        }
        for b in broken {
            let _ = writeln!(
                out,
                "  {}  {}: {}",
                color.paint("31", "FAIL"),
                kind.name(),
                b.summary
            );
            for line in &b.evidence {
                let _ = writeln!(out, "          {line}");
            }
        }
    }
    let _ = writeln!(out);
    let balances: Vec<String> = scenario
        .accounts
        .iter()
        .map(|(name, start)| {
            let end = run.output.balances.get(name).copied().unwrap_or(0);
            format!("{name} {start} -> {end}")
        })
        .collect();
    let _ = writeln!(out, "balances: {}", balances.join(", "));
    for index in &run.output.unfired_faults {
        let f = &scenario.faults[*index];
        let _ = writeln!(
            out,
            "note: fault {} ({} on {}#{}) never hit: that attempt never reached its point",
            index + 1,
            f.kind.name(),
            f.transfer,
            f.attempt
        );
    }
    if let EndReason::LimitReached { limit } | EndReason::HostFailed { message: limit } =
        &run.output.end
    {
        let _ = writeln!(
            out,
            "{}",
            color.paint("31", &format!("the run did not complete: {limit}"))
        );
    }
    let names = crate::suite::names;
    let met = if v.met {
        color.paint("32", "expectation met")
    } else {
        color.paint("31", "EXPECTATION NOT MET")
    };
    let _ = writeln!(
        out,
        "expected: {}; found: {} -> {met}",
        names(&v.expected),
        names(&v.found)
    );
    let _ = writeln!(
        out,
        "seed {}; replay: {}",
        run.seed,
        replay_command(scenario, run.seed)
    );
}

/// Greedy word wrap, keeping blank-line paragraph breaks.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split("\n\n") {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines.push(String::new());
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}
