//! Output of `idemsim explore`: what ran, which seeds failed and how to replay
//! them, what the sweep reached, and what shrinking made of the first failure.
//! Everything here is a function of the results, never of timing, so the same
//! sweep prints the same bytes whatever the number of jobs.

use crate::explore::exhaustive::ExhaustiveReport;
use crate::explore::reach::ReachCounts;
use crate::explore::shrink::{Shrunk, Size};
use crate::explore::sweep::{SeedOutcome, SweepReport};
use crate::run::replay_command_with;
use crate::scenario::{Fault, FaultKind, Scenario};
use crate::suite::names;
use serde_json::json;
use std::fmt::Write;

/// How many failing seeds the human report lists.
const LISTED_FAILURES: usize = 20;

/// The human report of a sweep.
pub fn sweep_text(scenario: &Scenario, report: &SweepReport, header: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{header}");
    let _ = writeln!(
        out,
        "{} seeds run, {} skipped by the partition",
        report.ran, report.skipped
    );
    if report.violation_counts.is_empty() {
        let _ = writeln!(out, "violations: none");
    } else {
        let counts: Vec<String> = report
            .violation_counts
            .iter()
            .map(|(k, n)| format!("{} on {n} seeds", k.name()))
            .collect();
        let _ = writeln!(out, "violations: {}", counts.join(", "));
    }
    if report.failures_total == 0 {
        let _ = writeln!(out, "failing seeds: none");
    } else {
        let _ = writeln!(
            out,
            "failing seeds: {} (lowest first{})",
            report.failures_total,
            if report.failures.len() > LISTED_FAILURES {
                format!(", first {LISTED_FAILURES} listed")
            } else {
                String::new()
            }
        );
        for f in report.failures.iter().take(LISTED_FAILURES) {
            seed_line(&mut out, scenario, f);
        }
    }
    reach_text(&mut out, &report.reach, &scenario.must_reach);
    out
}

fn seed_line(out: &mut String, scenario: &Scenario, f: &SeedOutcome) {
    let what = if let Some(nd) = &f.nondeterminism {
        format!("NOT DETERMINISTIC: {nd}")
    } else if f.found.is_empty() {
        format!("{:?}", f.end)
    } else {
        names(&f.found)
    };
    let _ = writeln!(out, "  seed {}  {what}  [{}]", f.seed, f.profile);
    let _ = writeln!(
        out,
        "      replay: {}",
        replay_command_with(scenario, f.seed, true)
    );
}

fn reach_text(out: &mut String, reach: &ReachCounts, must_reach: &[String]) {
    let _ = writeln!(out, "reach (runs that reached each phase):");
    let mut any = false;
    for (phase, n) in reach.iter() {
        any = true;
        let _ = writeln!(out, "  {phase:<34} {n}");
    }
    if !any {
        let _ = writeln!(out, "  (no fault phase reached)");
    }
    for phase in must_reach {
        let n = reach.get(phase);
        if n == 0 {
            let _ = writeln!(out, "must reach {phase}: NOT REACHED");
        } else {
            let _ = writeln!(out, "must reach {phase}: reached by {n} runs");
        }
    }
}

/// The phases of `must_reach` that no run reached.
pub fn unreached<'a>(reach: &ReachCounts, must_reach: &'a [String]) -> Vec<&'a str> {
    must_reach
        .iter()
        .filter(|p| reach.get(p) == 0)
        .map(String::as_str)
        .collect()
}

/// JSON Lines of a sweep: one `seed` per failing seed kept, one `reach`, one `summary`.
pub fn sweep_json(scenario: &Scenario, report: &SweepReport) -> String {
    let mut out = String::new();
    for f in &report.failures {
        let mut data = serde_json::to_value(f).expect("outcomes serialise");
        data["replay"] = json!(replay_command_with(scenario, f.seed, true));
        push_line(&mut out, "seed", data);
    }
    let reach: serde_json::Map<String, serde_json::Value> = report
        .reach
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    push_line(&mut out, "reach", json!(reach));
    let counts: serde_json::Map<String, serde_json::Value> = report
        .violation_counts
        .iter()
        .map(|(k, v)| (k.name().to_string(), json!(v)))
        .collect();
    push_line(
        &mut out,
        "summary",
        json!({
            "scenario": scenario.name,
            "ran": report.ran,
            "skipped": report.skipped,
            "failing_seeds": report.failures_total,
            "lowest_failing_seed": report.failures.first().map(|f| f.seed),
            "violations": counts,
            "unreached": unreached(&report.reach, &scenario.must_reach),
        }),
    );
    out
}

fn push_line(out: &mut String, kind: &str, data: serde_json::Value) {
    out.push_str(
        &serde_json::to_string(&json!({ "type": kind, "data": data })).expect("reports serialise"),
    );
    out.push('\n');
}

/// One fault as a person reads it: `drop of response, t1#1`.
pub fn describe_fault(f: &Fault) -> String {
    let what = match &f.kind {
        FaultKind::Drop { message } => format!("drop of {message}"),
        FaultKind::Duplicate { message } => format!("duplicate of {message}"),
        FaultKind::Delay { message, delay_ms } => format!("delay of {message} by {delay_ms} ms"),
        FaultKind::Stall {
            boundary_name,
            stall_ms,
            ..
        } => format!("stall at {boundary_name} for {stall_ms} ms"),
        FaultKind::Crash {
            host,
            boundary_name,
            ..
        } => format!("crash of {} at {boundary_name}", host.host()),
        FaultKind::ExpireKey => "key expiry".to_string(),
        FaultKind::ClientRestart => "client restart".to_string(),
    };
    format!("{what}, {}#{}", f.transfer, f.attempt)
}

/// The human report of an exhaustive search.
pub fn exhaustive_text(report: &ExhaustiveReport, header: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{header}");
    let _ = writeln!(
        out,
        "{} candidate faults; {} schedules of up to {} faults explored, smallest first",
        report.candidates, report.explored, report.max_faults
    );
    if report.first.is_empty() {
        let _ = writeln!(out, "violations: none");
    }
    for (kind, schedule) in &report.first {
        let faults: Vec<String> = schedule.iter().map(describe_fault).collect();
        let shown = if faults.is_empty() {
            "no fault at all".to_string()
        } else {
            faults.join("; ")
        };
        let _ = writeln!(
            out,
            "{}: first shown by {} fault{}: {shown}",
            kind.name(),
            schedule.len(),
            if schedule.len() == 1 { "" } else { "s" }
        );
    }
    out
}

/// JSON Lines of an exhaustive search.
pub fn exhaustive_json(report: &ExhaustiveReport) -> String {
    let mut out = String::new();
    for (kind, schedule) in &report.first {
        push_line(
            &mut out,
            "counterexample",
            json!({ "violation": kind.name(), "faults": schedule }),
        );
    }
    push_line(
        &mut out,
        "summary",
        json!({
            "candidates": report.candidates,
            "max_faults": report.max_faults,
            "explored": report.explored,
            "violations": report.first.keys().map(|k| k.name()).collect::<Vec<_>>(),
        }),
    );
    out
}

/// What shrinking made of a failure.
pub fn shrunk_text(original: &Size, shrunk: &Shrunk, saved_to: Option<&str>) -> String {
    let size = Size::of(&shrunk.scenario);
    let mut out = format!(
        "shrunk {} (seed {}) in {} runs: {} -> {} faults, {} -> {} transfers, {} -> {} clients, {} -> {} attempts\n",
        shrunk.violation.name(),
        shrunk.seed,
        shrunk.runs,
        original.faults,
        size.faults,
        original.transfers,
        size.transfers,
        original.clients,
        size.clients,
        original.attempts,
        size.attempts
    );
    for f in &shrunk.scenario.faults {
        let _ = writeln!(out, "  fault: {}", describe_fault(f));
    }
    if let Some(path) = saved_to {
        let _ = writeln!(out, "saved to {path}; replay: idemsim run {path}");
    }
    out
}
