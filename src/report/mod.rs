//! Reporters: each reads finished runs (their events, final state and
//! verdict) and writes text; none loads a scenario or runs one.
//!
//! * [`human`]: the narrated timeline a student can follow, and the verdict.
//! * [`json`]: JSON Lines for machines.
//! * [`junit`]: JUnit XML for CI.
//! * [`html`], [`svg`], [`mermaid`]: pictures of a run (built from one
//!   [`sequence`] model), and [`story`]: one sentence per key.
//! * [`diff`]: one scenario under two designs, side by side.
//! * [`suite`] and [`explore`]: what `check` and `explore` print.
//! * [`schema`]: the JSON Schema of the scenario file format.

pub mod diff;
pub mod explore;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod mermaid;
pub mod schema;
pub mod sequence;
pub mod story;
pub mod suite;
pub mod svg;
pub mod view;
pub(crate) mod words;

use anstyle::{AnsiColor, Style};

/// Whether to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Never,
    Always,
}

/// The colours the human reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paint {
    Bold,
    Red,
    Green,
    Yellow,
}

impl Color {
    /// Colour only on a terminal, and never when `NO_COLOR` is set
    /// (no-color.org), as anstream decides for standard output.
    pub fn for_stdout() -> Color {
        match anstream::AutoStream::choice(&std::io::stdout()) {
            anstream::ColorChoice::Never => Color::Never,
            _ => Color::Always,
        }
    }

    pub(crate) fn paint(self, paint: Paint, text: &str) -> String {
        match self {
            Color::Never => text.to_string(),
            Color::Always => {
                let style = match paint {
                    Paint::Bold => Style::new().bold(),
                    Paint::Red => Style::new().fg_color(Some(AnsiColor::Red.into())),
                    Paint::Green => Style::new().fg_color(Some(AnsiColor::Green.into())),
                    Paint::Yellow => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
                };
                format!("{style}{text}{style:#}")
            }
        }
    }
}
