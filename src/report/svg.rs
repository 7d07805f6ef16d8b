//! The run's sequence diagram drawn as a standalone SVG, for the HTML report.
//!
//! It draws the same [`Sequence`] as the Mermaid output, with no script and no
//! font or library from outside, so the report opens anywhere, offline. Text
//! is monospace so that its width can be known without measuring it: labels
//! and notes are wrapped to the room they have. Nothing in the drawing has an
//! `id`, so that several diagrams can share one page.

use super::sequence::{Sequence, Step, Tone};
use std::fmt::Write;

/// Width of one character of the 12 px monospace font, a little generous.
const CHAR_W: f64 = 7.4;
const LINE_H: f64 = 15.0;
/// Distance between two lifelines.
const LANE_GAP: f64 = 250.0;
const MARGIN: f64 = 16.0;
const HEAD_H: f64 = 32.0;

/// Draws `sequence` as an `<svg>` element.
pub fn render(sequence: &Sequence, title: &str) -> String {
    let lanes = sequence.lanes.len();
    let width = MARGIN * 2.0 + LANE_GAP * lanes as f64;
    let mut body = String::new();
    let mut y = MARGIN + HEAD_H + 18.0;
    for step in &sequence.steps {
        y = match step {
            Step::Message { .. } => message(&mut body, step, y, width),
            Step::Note { .. } => note(&mut body, step, y),
        };
    }
    let height = y + MARGIN;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sequence" role="img" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace" font-size="12"><title>{}</title>"#,
        xml(title)
    );
    let _ = write!(
        out,
        r##"<rect class="background" x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##
    );
    for (i, lane) in sequence.lanes.iter().enumerate() {
        lane_head(&mut out, i, lane, height);
    }
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

fn lane_x(lane: usize) -> f64 {
    MARGIN + LANE_GAP / 2.0 + LANE_GAP * lane as f64
}

fn lane_head(out: &mut String, lane: usize, name: &str, height: f64) {
    let x = lane_x(lane);
    let w = LANE_GAP - 60.0;
    let _ = write!(
        out,
        r##"<g class="lane"><line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#94a3b8" stroke-dasharray="4 4"/><rect x="{left:.1}" y="{MARGIN:.1}" width="{w:.1}" height="{HEAD_H:.1}" rx="4" fill="#dbe7f5" stroke="#1e3a5f"/><text x="{x:.1}" y="{ty:.1}" text-anchor="middle" font-weight="bold" fill="#1e3a5f">{}</text></g>"##,
        xml(name),
        top = MARGIN + HEAD_H,
        bottom = height - MARGIN,
        left = x - w / 2.0,
        ty = MARGIN + HEAD_H / 2.0 + 4.0,
    );
}

struct Colors {
    stroke: &'static str,
    fill: &'static str,
    band: Option<&'static str>,
}

fn colors(tone: Tone) -> Colors {
    match tone {
        Tone::Plain => Colors {
            stroke: "#334155",
            fill: "#f1f5f9",
            band: None,
        },
        Tone::Fault => Colors {
            stroke: "#b45309",
            fill: "#fef3c7",
            band: Some("#fffbeb"),
        },
        Tone::Refusal => Colors {
            stroke: "#c2410c",
            fill: "#ffedd5",
            band: Some("#fff7ed"),
        },
        Tone::Bad => Colors {
            stroke: "#b91c1c",
            fill: "#fee2e2",
            band: Some("#fef2f2"),
        },
        Tone::Good => Colors {
            stroke: "#15803d",
            fill: "#dcfce7",
            band: Some("#f0fdf4"),
        },
    }
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "plain",
        Tone::Fault => "fault",
        Tone::Refusal => "refusal",
        Tone::Bad => "bad",
        Tone::Good => "good",
    }
}

/// Draws an arrow with its label above it; returns the next row's top.
fn message(out: &mut String, step: &Step, y: f64, width: f64) -> f64 {
    let Step::Message {
        from,
        to,
        label,
        reply,
        lost,
        tone,
        ..
    } = step
    else {
        return y;
    };
    let (x1, x2) = (lane_x(*from), lane_x(*to));
    let span = (x2 - x1).abs().max(LANE_GAP);
    let lines = wrap(label, ((span - 24.0) / CHAR_W) as usize);
    let arrow_y = y + LINE_H * lines.len() as f64 + 4.0;
    let next = arrow_y + 14.0;
    let c = colors(*tone);
    let lost_class = if *lost { " lost" } else { "" };
    let _ = write!(
        out,
        r#"<g class="message {}{lost_class}">"#,
        tone_class(*tone)
    );
    if let Some(band) = c.band {
        let _ = write!(
            out,
            r#"<rect x="0" y="{:.1}" width="{width:.0}" height="{:.1}" fill="{band}"/>"#,
            y - 4.0,
            next - y
        );
    }
    let mid = (x1 + x2) / 2.0;
    for (i, text) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="{mid:.1}" y="{:.1}" text-anchor="middle" fill="{}">{}</text>"#,
            y + LINE_H * (i as f64 + 1.0) - 3.0,
            c.stroke,
            xml(text)
        );
    }
    let dash = if *reply {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    };
    let dir = if x2 >= x1 { 1.0 } else { -1.0 };
    // A lost message stops short of its target, at a cross.
    let end = if *lost { x1 + (x2 - x1) * 0.8 } else { x2 };
    let _ = write!(
        out,
        r#"<line x1="{x1:.1}" y1="{arrow_y:.1}" x2="{end:.1}" y2="{arrow_y:.1}" stroke="{}" stroke-width="1.5"{dash}/>"#,
        c.stroke
    );
    if *lost {
        let _ = write!(
            out,
            r#"<path class="cross" d="M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}" stroke="{}" stroke-width="2.5"/>"#,
            end - 6.0,
            arrow_y - 6.0,
            end + 6.0,
            arrow_y + 6.0,
            end - 6.0,
            arrow_y + 6.0,
            end + 6.0,
            arrow_y - 6.0,
            c.stroke
        );
    } else {
        let _ = write!(
            out,
            r#"<path class="head" d="M{end:.1} {arrow_y:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{}"/>"#,
            end - dir * 10.0,
            arrow_y - 5.0,
            end - dir * 10.0,
            arrow_y + 5.0,
            c.stroke
        );
    }
    out.push_str("</g>");
    next
}

/// Draws a note box over its lanes; returns the next row's top.
fn note(out: &mut String, step: &Step, y: f64) -> f64 {
    let Step::Note {
        first,
        last,
        lines,
        tone,
        ..
    } = step
    else {
        return y;
    };
    let left = lane_x(*first) - LANE_GAP / 2.0 + 12.0;
    let right = lane_x(*last) + LANE_GAP / 2.0 - 12.0;
    let chars = ((right - left - 16.0) / CHAR_W) as usize;
    let text: Vec<String> = lines.iter().flat_map(|l| wrap(l, chars)).collect();
    let height = LINE_H * text.len() as f64 + 10.0;
    let c = colors(*tone);
    let _ = write!(
        out,
        r#"<g class="note {}"><rect x="{left:.1}" y="{y:.1}" width="{:.1}" height="{height:.1}" rx="3" fill="{}" stroke="{}"/>"#,
        tone_class(*tone),
        right - left,
        c.fill,
        c.stroke
    );
    for (i, line) in text.iter().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#0f172a">{}</text>"##,
            left + 8.0,
            y + 5.0 + LINE_H * (i as f64 + 1.0) - 3.0,
            xml(line)
        );
    }
    out.push_str("</g>");
    y + height + 8.0
}

/// Greedy word wrap to at most `width` characters a line; longer words are cut.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let cut: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(cut);
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Escapes text for XML and HTML.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_words_and_cuts_long_ones() {
        assert_eq!(wrap("aaa bbb ccc", 8), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghijkl", 8), vec!["abcdefgh", "ijkl"]);
        assert_eq!(wrap("", 8), vec![""]);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(xml(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
