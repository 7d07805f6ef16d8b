//! The run as a Mermaid `sequenceDiagram`, which GitHub renders inside a
//! ```` ```mermaid ```` block, so a failing seed can be pasted into an issue or
//! a pull request and read as a picture.
//!
//! Lanes are the clients, `api`, `keys` and `ledger`. A lost message is an
//! arrow ending in a cross (`-x`); answers are dashed. Steps that catch the
//! eye sit on a coloured band (`rect`): amber for injected faults and 409/422
//! refusals, red for crashes and broken invariants, green for replayed answers
//! and a met expectation. The broken invariants and their evidence are notes
//! at the end.
//!
//! Mermaid's sequence grammar ends a message at `;`, `#` or a line break, so
//! every piece of text is escaped with Mermaid's entity codes (`#35;` for `#`).

use super::sequence::{Sequence, Step, Tone};
use crate::run::Run;
use crate::scenario::Scenario;
use std::fmt::Write;

/// The Mermaid source of one run's sequence diagram.
pub fn render(scenario: &Scenario, run: &Run) -> String {
    render_sequence(&super::sequence::build(scenario, run))
}

/// The Mermaid source of a built sequence.
pub fn render_sequence(sequence: &Sequence) -> String {
    let ids: Vec<String> = sequence.lanes.iter().map(|l| lane_id(l)).collect();
    let mut out = String::from("sequenceDiagram\n");
    for (id, lane) in ids.iter().zip(&sequence.lanes) {
        if id == lane {
            let _ = writeln!(out, "    participant {id}");
        } else {
            let _ = writeln!(out, "    participant {id} as {}", escape(lane));
        }
    }
    // Consecutive steps of one colour share a band; the closing notes (the
    // verdict, which has no time) never share one with the run.
    let mut band: Option<(Option<&str>, bool)> = None;
    for step in &sequence.steps {
        let (tone, closing) = match step {
            Step::Message { tone, .. } => (*tone, false),
            Step::Note { tone, at_ms, .. } => (*tone, at_ms.is_none()),
        };
        let key = (band_color(tone), closing);
        if band != Some(key) {
            if let Some((Some(_), _)) = band {
                out.push_str("    end\n");
            }
            if let Some(color) = key.0 {
                let _ = writeln!(out, "    rect {color}");
            }
            band = Some(key);
        }
        let indent = if key.0.is_some() { "        " } else { "    " };
        let _ = writeln!(out, "{indent}{}", line(step, &ids));
    }
    if let Some((Some(_), _)) = band {
        out.push_str("    end\n");
    }
    out
}

fn band_color(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Plain => None,
        Tone::Fault | Tone::Refusal => Some("rgba(255, 191, 0, 0.18)"),
        Tone::Bad => Some("rgba(220, 38, 38, 0.15)"),
        Tone::Good => Some("rgba(22, 163, 74, 0.15)"),
    }
}

/// One statement: an arrow or a note.
fn line(step: &Step, ids: &[String]) -> String {
    match step {
        Step::Message {
            from,
            to,
            label,
            reply,
            lost,
            ..
        } => {
            let arrow = match (reply, lost) {
                (false, false) => "->>",
                (true, false) => "-->>",
                (false, true) => "-x",
                (true, true) => "--x",
            };
            format!("{}{arrow}{}: {}", ids[*from], ids[*to], escape(label))
        }
        Step::Note {
            first, last, lines, ..
        } => {
            let over = if first == last {
                ids[*first].clone()
            } else {
                format!("{},{}", ids[*first], ids[*last])
            };
            let text: Vec<String> = lines.iter().map(|l| escape(l)).collect();
            format!("Note over {over}: {}", text.join("<br/>"))
        }
    }
}

/// A participant id Mermaid parses without surprises: `client-3` becomes `c3`.
fn lane_id(lane: &str) -> String {
    match lane.strip_prefix("client-") {
        Some(n) => format!("c{n}"),
        None => lane.chars().filter(|c| c.is_ascii_alphanumeric()).collect(),
    }
}

/// Escapes the characters Mermaid's sequence grammar or its HTML labels would
/// misread, with Mermaid's decimal entity codes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '%' => out.push_str("#37;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_ends_a_message() {
        assert_eq!(escape("t1#2; a<b> 5%"), "t1#35;2#59; a#60;b#62; 5#37;");
    }

    #[test]
    fn lane_ids_are_plain_words() {
        assert_eq!(lane_id("client-12"), "c12");
        assert_eq!(lane_id("ledger"), "ledger");
    }
}
