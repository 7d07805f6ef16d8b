//! Standard output as a good Unix tool treats it, and the report files
//! commands write beside it.

use crate::error::InputError;
use crate::report::Color;
use std::io::{self, Write};
use std::path::Path;

/// Standard output: a closed pipe ends the writing quietly; any other write
/// error is kept and reported when the command finishes.
pub(crate) struct Output {
    stdout: io::Stdout,
    closed: bool,
    error: Option<io::Error>,
    color: Color,
}

impl Output {
    pub fn stdout() -> Output {
        Output {
            stdout: io::stdout(),
            closed: false,
            error: None,
            color: super::stdout_color(),
        }
    }

    /// The colour reports on this output may use.
    pub fn color(&self) -> Color {
        self.color
    }

    /// Writes `text` now (a line of a long check appears as it is judged).
    pub fn write(&mut self, text: &str) {
        if self.closed || self.error.is_some() || text.is_empty() {
            return;
        }
        let mut lock = self.stdout.lock();
        let result = lock.write_all(text.as_bytes()).and_then(|()| lock.flush());
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => self.error = Some(e),
        }
    }

    /// Flushes what was written before an error message goes to standard error.
    pub fn flush_quietly(&mut self) {
        let _ = self.stdout.flush();
    }

    /// The write error, if one happened (a closed pipe is none).
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match self.stdout.flush() {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e),
            _ => Ok(()),
        }
    }
}

/// Fails, before any work starts, when a report file could not be written
/// at `path` (no such directory, no permission, a directory in the way).
pub(crate) fn check_writable(path: &Path) -> Result<(), InputError> {
    let existed = path.exists();
    if path.is_dir() {
        return Err(InputError::file(
            path,
            "cannot write: it is a directory; expected a file path",
        ));
    }
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| InputError::file(path, format!("cannot write: {e}")))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Writes a report file.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), InputError> {
    std::fs::write(path, text).map_err(|e| InputError::file(path, format!("cannot write: {e}")))
}
