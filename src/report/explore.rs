//! Output of `idemsim explore`: what ran, which seeds failed and how to replay
//! them, what the sweep reached, and what shrinking made of the first failure.
//! Everything here is a function of the results, never of timing, so the same
//! sweep prints the same bytes whatever the number of jobs.

use crate::describe;
use crate::explore::exhaustive::ExhaustiveReport;
use crate::explore::shrink::{Reproduced, Shrunk, Size, Skipped, Unreproducible};
use crate::explore::sweep::{SeedOutcome, SweepReport};
use crate::reach::{Phase, ReachCounts};
use crate::run::{Mode, Replay, inline_fault};
use crate::scenario::{Provenance, Scenario};
use crate::text::Escaped;
use serde_json::{Value, json};
use std::fmt::Write;

/// How many failing seeds the human report lists.
const LISTED_FAILURES: usize = 20;

/// How many unreproducible seeds the human report lists before a repro.
const LISTED_SKIPPED: usize = 10;

/// The human report of a sweep.
/// `source` is where the scenario came from, for the replay commands.
pub fn sweep_text(
    scenario: &Scenario,
    source: &Provenance,
    report: &SweepReport,
    mode: Mode,
    header: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", Escaped(header));
    let _ = writeln!(
        out,
        "{} seeds run, {} skipped by the partition",
        report.ran, report.skipped
    );
    if report.violation_counts.is_empty() && report.failures_total > 0 {
        let _ = writeln!(
            out,
            "violations: none, but {} seeds failed otherwise (see below)",
            report.failures_total
        );
    } else if report.violation_counts.is_empty() {
        let _ = writeln!(out, "violations: none");
    } else {
        let counts: Vec<String> = report
            .violation_counts
            .iter()
            .map(|(k, n)| format!("{} on {n} seeds", k.name()))
            .collect();
        let _ = writeln!(out, "violations: {}", counts.join(", "));
    }
    if report.shows_nothing(scenario) {
        let _ = writeln!(
            out,
            "FAIL: no transfer succeeded on any seed, so this sweep shows nothing about exactly-once ([expect] succeeded = 0 says it should not); the last answers: {}",
            describe::last_answers(&report.last_answers)
        );
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
            seed_line(&mut out, scenario, source, f, mode);
        }
    }
    reach_text(&mut out, scenario, &report.reach);
    out
}

/// One event where two runs part, as the timeline words it (`at 252 ms,
/// client-1: <- 201 created for t1#2`), or that the run had ended.
pub(crate) fn event_words(scenario: &Scenario, event: &Option<crate::history::Event>) -> String {
    match event {
        None => "had ended".to_string(),
        Some(e) => {
            let line = super::human::timeline_lines(
                scenario,
                std::slice::from_ref(e),
                super::Color::Never,
            )
            .into_iter()
            .next()
            .unwrap_or_default();
            format!("\"{}\"", line.trim())
        }
    }
}

/// What a failing seed came to, in a few words.
fn seed_summary(scenario: &Scenario, f: &SeedOutcome) -> String {
    if let Some(nd) = &f.nondeterminism {
        format!(
            "NOT DETERMINISTIC: the two runs part: first run {}; second run {}",
            event_words(scenario, &nd.first),
            event_words(scenario, &nd.second)
        )
    } else if let Some(d) = &f.skip_changed {
        format!(
            "SKIPPING QUIET TIME CHANGED THE RUN: skipping, {}; on every tick, {}",
            event_words(scenario, &d.first),
            event_words(scenario, &d.second)
        )
    } else if f.found.is_empty() {
        match &f.end {
            crate::world::EndReason::Panicked { host, message } => format!(
                "PANICKED in {}: {}",
                super::words::panic_site(*host),
                Escaped(message)
            ),
            crate::world::EndReason::LimitReached(limit) => {
                format!("did not complete: {}", super::words::limit(*limit))
            }
            other => format!(
                "did not complete: {}",
                super::words::incomplete(other).unwrap_or_default()
            ),
        }
    } else {
        describe::violation_names(&f.found)
    }
}

fn seed_line(
    out: &mut String,
    scenario: &Scenario,
    source: &Provenance,
    f: &SeedOutcome,
    mode: Mode,
) {
    let _ = writeln!(
        out,
        "  seed {}  {}  [{}]",
        f.seed,
        seed_summary(scenario, f),
        f.profile
    );
    let _ = writeln!(
        out,
        "      replay: {}",
        Escaped(&Replay::new(source, scenario, f.seed, mode).to_string())
    );
}

fn reach_text(out: &mut String, scenario: &Scenario, reach: &ReachCounts) {
    let _ = writeln!(out, "reach (runs that reached each phase):");
    let mut named: Vec<(String, u64)> = reach
        .iter()
        .map(|(p, n)| (p.name(&scenario.api), n))
        .collect();
    named.sort();
    if named.is_empty() {
        let _ = writeln!(out, "  (no fault phase reached)");
    }
    for (phase, n) in named {
        let _ = writeln!(out, "  {:<34} {n}", crate::text::escape(&phase));
    }
    for phase in &scenario.must_reach {
        let n = reach.get(*phase);
        let name = Escaped(&phase.name(&scenario.api)).to_string();
        if n == 0 {
            let _ = writeln!(out, "must reach {name}: NOT REACHED");
        } else {
            let _ = writeln!(out, "must reach {name}: reached by {n} runs");
        }
    }
}

/// The phases of the scenario's `must_reach` that no run reached.
pub fn unreached(scenario: &Scenario, reach: &ReachCounts) -> Vec<Phase> {
    reach.unreached(&scenario.must_reach)
}

/// JSON Lines of a sweep: one `seed` per failing seed kept, one `reach`, one `summary`.
pub fn sweep_json(
    scenario: &Scenario,
    source: &Provenance,
    report: &SweepReport,
    mode: Mode,
) -> String {
    let mut out = String::new();
    for f in &report.failures {
        let data = json!({
            "seed": f.seed,
            "profile": f.profile.to_string(),
            "found": f.found.iter().map(|k| k.name()).collect::<Vec<_>>(),
            "violations": f.violations.iter().map(|v| super::json::violation_json(scenario, v)).collect::<Vec<_>>(),
            "end": super::json::end_json(&f.end),
            "nondeterminism": f.nondeterminism.as_ref().map(|d| json!({
                "event": d.index,
                "first": d.first.as_ref().map(|e| format!("{e:?}")),
                "second": d.second.as_ref().map(|e| format!("{e:?}")),
            })),
            "skip_changed": f.skip_changed.as_ref().map(|d| json!({
                "event": d.index,
                "skipping": d.first.as_ref().map(|e| format!("{e:?}")),
                "every_tick": d.second.as_ref().map(|e| format!("{e:?}")),
            })),
            "replay": Replay::new(source, scenario, f.seed, mode).to_string(),
            "replay_args": Replay::new(source, scenario, f.seed, mode).args,
        });
        out.push_str(&super::json::line("seed", data));
    }
    let reach: serde_json::Map<String, Value> = reach_names(scenario, &report.reach)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    out.push_str(&super::json::line("reach", json!(reach)));
    let counts: serde_json::Map<String, Value> = report
        .violation_counts
        .iter()
        .map(|(k, v)| (k.name().to_string(), json!(v)))
        .collect();
    let unreached: Vec<String> = unreached(scenario, &report.reach)
        .iter()
        .map(|p| p.name(&scenario.api))
        .collect();
    out.push_str(&super::json::line(
        "summary",
        json!({
            "scenario": scenario.name,
            "ran": report.ran,
            "skipped": report.skipped,
            "failing_seeds": report.failures_total,
            "lowest_failing_seed": report.failures.first().map(|f| f.seed),
            "violations": counts,
            "unreached": unreached,
            "succeeded_runs": report.succeeded_runs,
            "shows_nothing": report.shows_nothing(scenario),
            "last_answers": report.last_answers,
        }),
    ));
    out
}

fn reach_names(scenario: &Scenario, reach: &ReachCounts) -> Vec<(String, u64)> {
    let mut named: Vec<(String, u64)> = reach
        .iter()
        .map(|(p, n)| (p.name(&scenario.api), n))
        .collect();
    named.sort();
    named
}

/// The faults of a schedule as a scenario file writes them, one per line.
fn schedule_lines(scenario: &Scenario, faults: &[crate::fault::Fault]) -> Vec<String> {
    faults
        .iter()
        .map(|f| inline_fault(&f.to_spec(scenario)))
        .collect()
}

/// The human report of an exhaustive search.
/// `source` is where the searched scenario came from, for the replay commands.
pub fn exhaustive_text(report: &ExhaustiveReport, source: &Provenance, header: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", Escaped(header));
    let _ = writeln!(
        out,
        "{} candidate faults; {} schedules of up to {} faults explored, smallest first",
        report.candidates, report.explored, report.max_faults
    );
    if report.stopped {
        let _ = writeln!(
            out,
            "STOPPED at the time budget: {} of {} schedules explored, about {} s of one core spent (--max-seconds {}); the other {} were not searched; raise --max-seconds to search them all",
            report.explored,
            report.planned,
            report.spent.seconds_text(),
            report.max_seconds,
            report.planned - report.explored,
        );
    }
    if report.first.is_empty() && report.stopped {
        let _ = writeln!(
            out,
            "violations: none among the {} schedules explored",
            report.explored
        );
    } else if report.first.is_empty() {
        let _ = writeln!(out, "violations: none");
    }
    for (kind, schedule) in &report.first {
        let scenario = report.scenario_of(schedule);
        let count = report.counts.get(kind).copied().unwrap_or(1);
        let _ = writeln!(
            out,
            "{}: shown by {}; first by {} fault{}{}",
            kind.name(),
            describe::count(
                usize::try_from(count).expect("MAX_SCHEDULES keeps a count inside usize"),
                "schedule",
            ),
            schedule.len(),
            if schedule.len() == 1 { "" } else { "s" },
            if schedule.is_empty() {
                " (no fault at all)"
            } else {
                ":"
            }
        );
        for line in schedule_lines(&scenario, schedule) {
            let _ = writeln!(out, "    {}", Escaped(&line));
        }
        let replay = Replay::new(source, &scenario, scenario.seed, Mode::OnlyFaults);
        let _ = writeln!(out, "    replay: {}", Escaped(&replay.to_string()));
    }
    out
}

/// JSON Lines of an exhaustive search.
pub fn exhaustive_json(report: &ExhaustiveReport, source: &Provenance) -> String {
    let mut out = String::new();
    for (kind, schedule) in &report.first {
        let scenario = report.scenario_of(schedule);
        let faults: Vec<Value> = schedule
            .iter()
            .map(|f| serde_json::to_value(f.to_spec(&scenario)).expect("fault specs serialise"))
            .collect();
        let replay = Replay::new(source, &scenario, scenario.seed, Mode::OnlyFaults);
        out.push_str(&super::json::line(
            "counterexample",
            json!({
                "violation": kind.name(),
                "schedules": report.counts.get(kind).copied().unwrap_or(1),
                "faults": faults,
                "replay": replay.to_string(),
                "replay_args": replay.args,
            }),
        ));
    }
    out.push_str(&super::json::line(
        "summary",
        json!({
            "candidates": report.candidates,
            "max_faults": report.max_faults,
            "explored": report.explored,
            "planned": report.planned,
            "stopped": report.stopped,
            "max_seconds": report.max_seconds,
            "spent": report.spent,
            "estimated_seconds": report.spent.estimated_ns() as f64 / 1e9,
            "violations": report.first.keys().map(|k| k.name()).collect::<Vec<_>>(),
        }),
    ));
    out
}

/// Why a failing seed could not be reproduced, for a person.
fn skipped_reason(skipped: &Skipped) -> String {
    match skipped.why {
        Unreproducible::CompleterFaults { faults } => format!(
            "{} on the completer's work, which no targeted fault can aim at; without {} the seed no longer fails",
            describe::count(faults, "fault"),
            if faults == 1 { "it" } else { "them" }
        ),
        Unreproducible::NotShown => {
            "with every fault it suffered made targeted it no longer fails (the timing of random faults mattered)".to_string()
        }
    }
}

/// What trying failing seeds for a repro came to, for a person: which lower
/// seeds could not be reproduced and why, then what shrinking made of the
/// one that could, saved to `saved_to`.
/// `source` is where the explored scenario came from: its program runs the saved file.
pub fn repro_text(r: &Reproduced, source: &Provenance, saved_to: &str) -> String {
    let mut out = String::new();
    for skipped in r.skipped.iter().take(LISTED_SKIPPED) {
        let names: Vec<&str> = skipped.violations.iter().map(|v| v.name()).collect();
        let _ = writeln!(
            out,
            "seed {} ({}) not reproduced: {}",
            skipped.seed,
            names.join(", "),
            skipped_reason(skipped)
        );
    }
    if r.skipped.len() > LISTED_SKIPPED {
        let _ = writeln!(
            out,
            "... and {} more failing seeds not reproduced",
            r.skipped.len() - LISTED_SKIPPED
        );
    }
    match &r.shrunk {
        Some((shrunk, original)) => {
            if !r.skipped.is_empty() {
                let _ = writeln!(
                    out,
                    "seed {} is the lowest failing seed that reproduces with targeted faults only",
                    shrunk.seed
                );
            }
            out.push_str(&shrunk_text(original, shrunk, source, saved_to));
        }
        None => {
            let _ = writeln!(
                out,
                "could not reproduce any of the {} failing seeds with targeted faults only; no file written",
                r.skipped.len()
            );
        }
    }
    out
}

/// What trying failing seeds for a repro came to, as one JSON Lines line.
pub fn repro_json(r: &Reproduced, saved_to: &str) -> String {
    let skipped = serde_json::to_value(&r.skipped).expect("skipped seeds serialise");
    match &r.shrunk {
        Some((shrunk, original)) => {
            let size = Size::of(&shrunk.scenario);
            super::json::line(
                "repro",
                json!({
                    "violation": shrunk.violation.name(),
                    "seed": shrunk.seed,
                    "runs": shrunk.runs,
                    "faults": [original.faults, size.faults],
                    "transfers": [original.transfers, size.transfers],
                    "clients": [original.clients, size.clients],
                    "attempts": [original.attempts, size.attempts],
                    "path": saved_to,
                    "skipped": skipped,
                }),
            )
        }
        None => super::json::line(
            "repro",
            json!({
                "path": null,
                "reason": "no failing seed reproduces with targeted faults only",
                "skipped": skipped,
            }),
        ),
    }
}

/// What shrinking made of a failure, for a person.
fn shrunk_text(original: &Size, shrunk: &Shrunk, source: &Provenance, saved_to: &str) -> String {
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
    for line in schedule_lines(&shrunk.scenario, &shrunk.scenario.faults) {
        let _ = writeln!(out, "  fault: {}", Escaped(&line));
    }
    let path = Escaped(saved_to);
    let program = Escaped(&source.program.join(" ")).to_string();
    let _ = writeln!(out, "saved to {path}; replay: {program} run {path}");
    out
}

/// Why no repro file was written, as text or as a JSON line.
pub fn no_repro(reason: &str, json: bool) -> String {
    if json {
        super::json::line("repro", json!({ "path": null, "reason": reason }))
    } else {
        format!("{reason}\n")
    }
}
