//! Reporters: each reads a finished [`Run`](crate::run::Run) (its events, final
//! state and verdict) and writes text; none reaches into the simulation.

pub mod diff;
pub mod explore;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod mermaid;
pub mod outputs;
pub mod rerun;
pub mod schema;
pub mod sequence;
pub mod story;
pub mod suite;
pub mod svg;

/// Whether to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Never,
    Always,
}

impl Color {
    /// Colour only on a terminal, and never when `NO_COLOR` is set (no-color.org).
    pub fn for_stdout() -> Color {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if !no_color && std::io::stdout().is_terminal() {
            Color::Always
        } else {
            Color::Never
        }
    }

    pub(crate) fn paint(self, code: &str, text: &str) -> String {
        match self {
            Color::Never => text.to_string(),
            Color::Always => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
}
