//! Text for a terminal: input shown safely, lists, and wrapping.
//!
//! Scenario files arrive in pull requests, so what they say is untrusted: an
//! account named `ESC[2J` would clear the screen, one with a newline would
//! forge a timeline line. Every name, id, description and error message a
//! person reads goes through [`Escaped`], which shows control characters
//! (and the invisible characters that reorder text) as `\u{1b}` escapes.
//! HTML, JSON and XML output escape by their own rules instead.

use std::fmt;

/// Displays a string with control and bidirectional-override characters escaped.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

/// Whether a character could change what a terminal shows beyond itself.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        if !text.chars().any(is_unsafe) {
            return f.write_str(text);
        }
        for c in text.chars() {
            if is_unsafe(c) {
                write!(f, "\\u{{{:x}}}", c as u32)?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// `text` with control characters escaped.
pub fn escape(text: &str) -> String {
    Escaped(text).to_string()
}

/// At most `max_bytes` of `text`, cut at a character boundary, with `…`
/// when cut.
pub fn truncate(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_string();
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// `a, b, c` (or `none`), each item escaped.
pub fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items
        .iter()
        .map(|s| escape(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Wraps prose to `width` columns (counted in characters), keeping
/// blank-line paragraph breaks; control characters are escaped first.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split("\n\n") {
        let flowed: Vec<&str> = paragraph.split_whitespace().collect();
        let flowed = escape(&flowed.join(" "));
        for line in textwrap::wrap(&flowed, textwrap::Options::new(width.max(1))) {
            lines.push(line.into_owned());
        }
        lines.push(String::new());
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_drives_a_terminal() {
        assert_eq!(escape("alice"), "alice");
        assert_eq!(escape("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\ny"), "x\\u{a}y");
        assert_eq!(escape("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(escape("\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
    }

    #[test]
    fn wraps_by_characters() {
        let lines = wrap("ééééé ééééé ééééé", 11);
        assert_eq!(lines, vec!["ééééé ééééé", "ééééé"]);
        assert_eq!(wrap("a\n\nb", 10), vec!["a", "", "b"]);
    }
}
