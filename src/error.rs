//! Errors in what a user gave us: a scenario or design file, or a flag.
//!
//! Every such error names the file, the line and the column, and says what was
//! expected, so that a person can fix the input without reading idemsim's code.
//! They are values, never panics: the command line turns them into exit code 2.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem with user input, located in a file when it comes from one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file the problem is in; `None` for a problem with a flag.
    pub file: Option<PathBuf>,
    /// 1-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    /// What is wrong and what was expected.
    pub message: String,
    /// The offending source line, shown under the message.
    pub source_line: Option<String>,
    /// Width of the underline under the offending text (at least 1).
    pub underline_chars: usize,
}

impl InputError {
    /// A problem with the file as a whole (missing, unreadable).
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        InputError {
            file: Some(file.to_path_buf()),
            position: None,
            message: message.into(),
            source_line: None,
            underline_chars: 1,
        }
    }

    /// A problem not tied to a file, such as a bad command-line value.
    pub fn plain(message: impl Into<String>) -> Self {
        InputError {
            file: None,
            position: None,
            message: message.into(),
            source_line: None,
            underline_chars: 1,
        }
    }

    /// A problem at a byte span of `text`, the contents of `file`.
    pub fn at(file: &Path, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let start = span.start.min(text.len());
        let (line, col, line_text) = locate(text, start);
        let end = span.end.clamp(start, text.len());
        let underline_chars = text[start..end]
            .lines()
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(1)
            .max(1);
        InputError {
            file: Some(file.to_path_buf()),
            position: Some((line, col)),
            message: message.into(),
            source_line: Some(line_text.to_string()),
            underline_chars,
        }
    }
}

impl InputError {
    /// `value` if it lies in `range`; else an error at its place saying so.
    /// A value the file did not give (a default, with an empty span at 0)
    /// is reported against the file as a whole.
    pub fn check_range<T: PartialOrd + Copy + fmt::Display>(
        path: &Path,
        text: &str,
        value: &toml::Spanned<T>,
        range: std::ops::RangeInclusive<T>,
        what: &str,
    ) -> Result<T, InputError> {
        let v = *value.get_ref();
        if range.contains(&v) {
            return Ok(v);
        }
        let message = format!(
            "{what} is {v}; expected a value from {} to {}",
            range.start(),
            range.end()
        );
        let span = value.span();
        Err(if span.is_empty() && span.start == 0 {
            InputError::file(path, message)
        } else {
            InputError::at(path, text, span, message)
        })
    }

    /// A TOML syntax error or a serde error (unknown field, wrong type), at the place it names.
    pub fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> Self {
        let message = err.message().trim().replace('\n', " ");
        match err.span() {
            Some(span) => InputError::at(path, text, span, message),
            None => InputError::file(path, message),
        }
    }
}

/// Line (1-based), column (1-based, in characters) and the line's text for a byte offset.
fn locate(text: &str, offset: usize) -> (usize, usize, &str) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..offset].chars().count() + 1;
    let line_end = text[line_start..]
        .find('\n')
        .map(|i| line_start + i)
        .unwrap_or(text.len());
    (line, col, text[line_start..line_end].trim_end_matches('\r'))
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.position) {
            (Some(file), Some((line, col))) => {
                write!(f, "{}:{}:{}: {}", file.display(), line, col, self.message)?
            }
            (Some(file), None) => write!(f, "{}: {}", file.display(), self.message)?,
            (None, _) => write!(f, "{}", self.message)?,
        }
        if let (Some(src), Some((line, col))) = (&self.source_line, self.position) {
            let gutter = line.to_string().len();
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | ",
                "", line, src, ""
            )?;
            write!(
                f,
                "{}{}",
                " ".repeat(col - 1),
                "^".repeat(self.underline_chars)
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column() {
        let text = "a = 1\nbb = \"x\"\n";
        let err = InputError::at(Path::new("f.toml"), text, 11..14, "expected an integer");
        assert_eq!(err.position, Some((2, 6)));
        let shown = err.to_string();
        assert!(
            shown.starts_with("f.toml:2:6: expected an integer"),
            "{shown}"
        );
        assert!(shown.contains("2 | bb = \"x\""), "{shown}");
        assert!(shown.ends_with("|      ^^^"), "{shown:?}");
    }
}
