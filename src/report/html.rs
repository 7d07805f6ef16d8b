//! A self-contained HTML report: one page for a run, or one page listing every
//! scenario of `idemsim check`.
//!
//! Each run shows its verdict first (the expectation, and every invariant with
//! its evidence), then the story of each key, the balances before and after,
//! the sequence diagram drawn as inline SVG ([`super::svg`]), and the full
//! text report. The page has no script and loads nothing: styles are inline
//! and fonts are the reader's own, so it can be attached to a CI run or sent
//! by mail and still open offline. Its bytes depend only on the runs.

use super::sequence;
use super::story;
use super::svg::{self, xml};
use super::{Color, human};
use crate::check::ViolationKind;
use crate::describe::violation_names as names;
use crate::run::{Replay, Run};
use crate::scenario::{Provenance, Scenario};
use crate::suite::{ScenarioResult, Verdict};
use crate::world::EndReason;
use std::fmt::Write;

/// The page of one run of `scenario`, which came from `source`.
pub fn run_page(scenario: &Scenario, source: &Provenance, run: &Run) -> String {
    let mut body = String::new();
    run_article(&mut body, scenario, source, run, 0);
    page(&format!("idemsim: {}", scenario.name), &body)
}

/// The page of `idemsim check`: a table of every scenario, then each one.
pub fn check_page(entries: &[ScenarioResult]) -> String {
    let mut body = String::new();
    let passed = entries.iter().filter(|e| e.passed()).count();
    let all = passed == entries.len();
    let _ = write!(
        body,
        r#"<header><h1>idemsim check</h1><p class="verdict {}" id="verdict">{} scenarios: {passed} passed, {} not</p></header>"#,
        if all { "met" } else { "not-met" },
        entries.len(),
        entries.len() - passed
    );
    body.push_str(
        "<table class=\"summary\"><thead><tr><th>result</th><th>scenario</th><th>file</th><th>expected</th><th>found</th></tr></thead><tbody>",
    );
    for (i, entry) in entries.iter().enumerate() {
        summary_row(&mut body, entry, i + 1);
    }
    body.push_str("</tbody></table>");
    for (i, entry) in entries.iter().enumerate() {
        match &entry.shown {
            Some((loaded, run)) => {
                run_article(&mut body, &loaded.scenario, &loaded.source, run, i + 1)
            }
            None => invalid_article(&mut body, entry, i + 1),
        }
    }
    page("idemsim check", &body)
}

fn summary_row(body: &mut String, r: &ScenarioResult, n: usize) {
    let (mark, class, found) = match &r.verdict {
        Verdict::Passed { .. } => ("PASS", "pass", names(&r.expected)),
        Verdict::Failed { found, seed, .. } => {
            ("FAIL", "fail", format!("{} on seed {seed}", names(found)))
        }
        Verdict::Invalid { .. } => ("BAD", "fail", "invalid scenario".to_string()),
    };
    let name = if r.name.is_empty() {
        "(invalid)"
    } else {
        &r.name
    };
    let _ = write!(
        body,
        r##"<tr class="{class}"><td class="mark">{mark}</td><td><a href="#scenario-{n}">{}</a></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>"##,
        xml(name),
        xml(&r.path.display().to_string()),
        xml(&names(&r.expected)),
        xml(&found)
    );
}

fn invalid_article(body: &mut String, result: &ScenarioResult, n: usize) {
    let error = match &result.verdict {
        Verdict::Invalid { error } => error.clone(),
        _ => "the scenario could not be loaded".to_string(),
    };
    let _ = write!(
        body,
        r#"<article class="run" id="scenario-{n}"><h2>{}</h2><div class="verdict not-met"><p><strong>INVALID SCENARIO</strong></p><pre>{}</pre></div></article>"#,
        xml(&result.path.display().to_string()),
        xml(&error)
    );
}

/// Everything about one run, as an `<article>`.
fn run_article(body: &mut String, scenario: &Scenario, source: &Provenance, run: &Run, n: usize) {
    let id = if n == 0 {
        "run".to_string()
    } else {
        format!("scenario-{n}")
    };
    let _ = write!(
        body,
        r#"<article class="run" id="{id}"><h2>{}</h2><p class="meta">{} <strong>{}</strong>: {} · seed {}</p>"#,
        xml(&scenario.name),
        scenario.api.noun(),
        xml(scenario.api.name()),
        xml(scenario.api.summary()),
        run.seed
    );
    verdict(body, scenario, run);
    if !scenario.description.is_empty() {
        let _ = write!(
            body,
            r#"<section class="description"><p>{}</p></section>"#,
            xml(&scenario.description).replace("\n\n", "</p><p>")
        );
    }
    stories(body, scenario, run);
    balances(body, scenario, run);
    diagram(body, scenario, run);
    let text = human::render(scenario, source, run, Color::Never);
    let _ = write!(
        body,
        r#"<section class="text"><details><summary>Full text report</summary><pre>{}</pre></details></section><p class="replay">replay: <code>{}</code></p></article>"#,
        xml(&text),
        xml(&Replay::of(source, scenario, run).to_string())
    );
}

fn verdict(body: &mut String, scenario: &Scenario, run: &Run) {
    let v = &run.verdict;
    let (class, headline) = if v.met {
        ("met", "Expectation met")
    } else {
        ("not-met", "EXPECTATION NOT MET")
    };
    let _ = write!(
        body,
        r#"<section class="verdict {class}"><h3>Verdict: {headline}</h3><p>expected: <strong>{}</strong>; found: <strong>{}</strong></p><ul class="invariants">"#,
        xml(&names(&v.expected)),
        xml(&names(&v.found))
    );
    for &kind in ViolationKind::ALL {
        let broken: Vec<_> = v.violations.iter().filter(|x| x.kind == kind).collect();
        if broken.is_empty() {
            let _ = write!(
                body,
                r#"<li class="ok"><span class="mark">ok</span> {}</li>"#,
                kind.name()
            );
        }
        for b in broken {
            let _ = write!(
                body,
                r#"<li class="fail"><span class="mark">FAIL</span> {}: {}<ul class="evidence">"#,
                kind.name(),
                xml(&super::words::summary(scenario, &b.summary))
            );
            for fact in &b.evidence {
                let line = super::words::evidence(scenario, fact);
                let _ = write!(body, "<li>{}</li>", xml(&line));
            }
            body.push_str("</ul></li>");
        }
    }
    body.push_str("</ul>");
    let incomplete = match &run.output.end {
        EndReason::Completed => None,
        EndReason::LimitReached(limit) => Some(super::words::limit(*limit)),
        EndReason::Panicked { host, message } => Some(format!(
            "code in {} panicked: {message}",
            super::words::panic_site(*host)
        )),
        EndReason::HostFailed { message, .. } => Some(message.clone()),
    };
    if let Some(why) = incomplete {
        let _ = write!(
            body,
            r#"<p class="warning">The run did not complete: {}</p>"#,
            xml(&why)
        );
    }
    let _ = write!(
        body,
        r#"<p class="note">{}</p>"#,
        xml(&human::outcomes_line(run))
    );
    if human::nothing_succeeded(run) {
        body.push_str(r#"<p class="warning">No transfer reached a definitive outcome and nothing broke, so this run shows nothing about exactly-once.</p>"#);
    }
    for warning in scenario.warnings() {
        let _ = write!(
            body,
            r#"<p class="warning">Warning: {}.</p>"#,
            xml(&super::words::warning(scenario, warning))
        );
    }
    for index in &run.output.unfired_faults {
        if let Some(note) = super::words::unfired_fault(scenario, *index) {
            let _ = write!(body, r#"<p class="note">Note: {}.</p>"#, xml(&note));
        }
    }
    body.push_str("</section>");
}

fn stories(body: &mut String, scenario: &Scenario, run: &Run) {
    body.push_str(r#"<section class="stories"><h3>What happened to each key</h3><ul>"#);
    for s in story::stories(scenario, run) {
        let class = if s.broken { "broken" } else { "held" };
        let _ = write!(
            body,
            r#"<li class="{class}"><strong>{}</strong> ({}, {}): {} → <strong>{}</strong></li>"#,
            xml(&s.subject()),
            xml(&s.transfer),
            xml(&s.payload),
            xml(&s.steps.join(", ")),
            xml(&s.ending)
        );
    }
    body.push_str("</ul></section>");
}

fn balances(body: &mut String, scenario: &Scenario, run: &Run) {
    body.push_str(
        r#"<section class="balances"><h3>Balances</h3><table><thead><tr><th>account</th><th>before</th><th>after</th><th>change</th></tr></thead><tbody>"#,
    );
    let mut before_sum = 0i64;
    let mut after_sum = 0i64;
    for (i, account) in scenario.accounts.iter().enumerate() {
        let (name, before) = (&account.name, account.balance);
        let after = run.output.balances.get(i).copied().unwrap_or(before);
        before_sum += before;
        after_sum += after;
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{before}</td><td>{after}</td><td>{:+}</td></tr>",
            xml(name),
            after - before
        );
    }
    let _ = write!(
        body,
        r#"<tr class="total"><td>total</td><td>{before_sum}</td><td>{after_sum}</td><td>{:+}</td></tr></tbody></table></section>"#,
        after_sum - before_sum
    );
}

fn diagram(body: &mut String, scenario: &Scenario, run: &Run) {
    let sequence = sequence::build(scenario, run);
    let _ = write!(
        body,
        r#"<section class="diagram"><h3>Sequence</h3><p class="legend"><span class="k fault">amber</span> fault or 409/422 · <span class="k bad">red</span> crash or broken invariant · <span class="k good">green</span> replayed answer · dashed: an answer · ✕: lost in the network</p><div class="scroll">{}</div></section>"#,
        svg::render(
            &sequence,
            &format!("Sequence diagram of {}, seed {}", scenario.name, run.seed)
        )
    );
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        xml(title)
    )
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:24px;color:#0f172a;background:#fff;line-height:1.45}\
h1{font-size:1.6em;margin:0 0 8px}h2{font-size:1.35em;margin:0 0 4px}h3{font-size:1.05em;margin:18px 0 6px}\
article.run{border-top:2px solid #cbd5e1;padding-top:16px;margin-top:24px}\
.meta{color:#475569;margin:0 0 10px}\
.verdict{border-radius:6px;padding:10px 14px;border:2px solid}\
.verdict.met{background:#dcfce7;border-color:#15803d}\
.verdict.not-met{background:#fee2e2;border-color:#b91c1c}\
.verdict h3{margin:0 0 4px}\
ul.invariants{list-style:none;padding-left:0;margin:6px 0 0}\
ul.invariants .mark{display:inline-block;width:3.2em;font-weight:bold}\
li.ok .mark{color:#15803d}li.fail .mark{color:#b91c1c}\
ul.evidence{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;color:#334155}\
.stories li.broken{color:#7f1d1d}.stories li{margin-bottom:4px}\
table{border-collapse:collapse}td,th{border:1px solid #cbd5e1;padding:3px 10px;text-align:right}\
th{background:#f1f5f9}td:first-child,th:first-child{text-align:left}\
table.summary td,table.summary th{text-align:left}tr.fail td.mark{color:#b91c1c;font-weight:bold}tr.pass td.mark{color:#15803d;font-weight:bold}\
tr.total td{font-weight:bold}\
.scroll{overflow-x:auto;border:1px solid #e2e8f0;border-radius:6px}\
.legend{font-size:.85em;color:#475569}.k{padding:0 4px;border-radius:3px}\
.k.fault{background:#fef3c7}.k.bad{background:#fee2e2}.k.good{background:#dcfce7}\
pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8em;background:#f8fafc;padding:8px;overflow-x:auto}\
.replay code{background:#f1f5f9;padding:2px 6px}\
.warning{color:#b91c1c;font-weight:bold}.note{color:#92400e}";
