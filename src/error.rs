//! Errors in what a user gave us: a scenario or design file, or a flag.
//!
//! Every such error names the file, the line and the column, and says what was
//! expected, so that a person can fix the input without reading idemsim's code.
//! They are values, never panics: the command line turns them into exit code 2.

use crate::text::Escaped;
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
    /// The error as a person reads it. Everything that came from the input
    /// (the message quotes names, the source line is the file's) is shown
    /// with control characters escaped, so that a hostile file cannot drive
    /// the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = Escaped(&self.message);
        match (&self.file, self.position) {
            (Some(file), Some((line, col))) => write!(
                f,
                "{}:{}:{}: {message}",
                Escaped(&file.display().to_string()),
                line,
                col
            )?,
            (Some(file), None) => write!(f, "{}: {message}", Escaped(&file.display().to_string()))?,
            (None, _) => write!(f, "{message}")?,
        }
        if let (Some(src), Some((line, col))) = (&self.source_line, self.position) {
            let gutter = line.to_string().len();
            // A very long line is shown as a window around the column.
            let (src, col) = window(src, col);
            let src = src.as_str();
            // The underline sits under the escaped line: count what precedes
            // the column as it is shown.
            let before: String = src.chars().take(col - 1).collect();
            let shown_col = Escaped(&before).to_string().chars().count();
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | ",
                "",
                line,
                Escaped(src),
                ""
            )?;
            write!(
                f,
                "{}{}",
                " ".repeat(shown_col),
                "^".repeat(self.underline_chars.clamp(1, WINDOW_CHARS))
            )?;
        }
        Ok(())
    }
}

/// Characters of a source line shown around the column at most.
const WINDOW_CHARS: usize = 120;

/// `line` cut to a window around 1-based column `col`, with `…` where it was
/// cut, and the column within the window.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WINDOW_CHARS {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(1).saturating_sub(WINDOW_CHARS / 3);
    let end = (start + WINDOW_CHARS).min(chars.len());
    let mut shown = String::new();
    let mut col = col - start;
    if start > 0 {
        shown.push('…');
        col += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col)
}

/// Where in a scenario a value lives: `client[1].transfers[0].from`. A
/// problem found in a scenario built in code names its path; one found in a
/// file also gets the line and column the path leads to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
    /// The key itself rather than its value (a name that is wrong).
    Name(String),
}

impl FieldPath {
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    /// This path, then the table key `key`.
    pub fn key(&self, key: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_string()));
        p
    }

    /// This path, then the key `key` itself (not its value).
    pub fn name(&self, key: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Name(key.to_string()));
        p
    }

    /// This path, then item `index` of an array.
    pub fn index(&self, index: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) | Segment::Name(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) | Segment::Name(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A value of a scenario that is not valid, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: FieldPath,
    pub message: String,
}

impl Problem {
    pub fn new(path: FieldPath, message: impl Into<String>) -> Problem {
        Problem {
            path,
            message: message.into(),
        }
    }

    /// The problem in a scenario that was built in code: named by its path.
    pub fn into_input_error(self) -> InputError {
        if self.path.0.is_empty() {
            InputError::plain(self.message)
        } else {
            InputError::plain(format!("{}: {}", self.path, self.message))
        }
    }
}

/// Reads a scenario or design file, refusing what is not a regular file or
/// is larger than [`crate::limits::MAX_FILE_BYTES`], so that a path such as
/// `/dev/zero` is an error rather than a read that never ends.
pub fn read_input(path: &Path, what: &str) -> Result<String, InputError> {
    use std::io::Read;
    let cap = crate::limits::MAX_FILE_BYTES;
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::file(path, format!("cannot read {what}: {e}")))?;
    if !meta.is_file() {
        return Err(InputError::file(
            path,
            format!("cannot read {what}: not a regular file; expected a TOML file"),
        ));
    }
    if meta.len() > cap {
        return Err(InputError::file(
            path,
            format!(
                "{what} is {} bytes; expected at most {cap} bytes",
                meta.len()
            ),
        ));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::file(path, format!("cannot read {what}: {e}")))?;
    let mut bytes = Vec::new();
    // The size was checked, but a file can grow between the check and the read.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::file(path, format!("cannot read {what}: {e}")))?;
    if bytes.len() as u64 > cap {
        return Err(InputError::file(
            path,
            format!("{what} is larger than {cap} bytes; expected at most {cap} bytes"),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| InputError::file(path, format!("{what} is not UTF-8 text")))
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
