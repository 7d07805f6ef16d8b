//! A service's own logs, in the history.
//!
//! A team's service (and the crates it uses) log with `tracing`. With a
//! filter (`--log info,my_crate=debug`, `tracing_subscriber::EnvFilter`
//! syntax), a run installs a subscriber for its own duration, on the thread
//! that runs the world, which is the thread that polls the service (a
//! service's run has a thread of its own, see `src/interpose.rs`). Every
//! event the filter lets through becomes a [`What::Log`] of the history:
//! at the simulated millisecond it was logged, in the host whose code
//! logged it, and for the attempt that code served (its request's handler,
//! or a task the handler spawned; see `src/world/lineage.rs`). Without a
//! filter no subscriber is installed and the history is what it always was.
//!
//! A log is evidence, never an input: keeping one changes no scheduling
//! and no randomness, so a seed replays the same with or without `--log`.
//! What a run keeps is bounded: [`crate::limits::MAX_LOG_EVENTS`] events
//! per run (later ones are dropped) and
//! [`crate::limits::MAX_LOG_MESSAGE_BYTES`] bytes of each message (the rest
//! is cut, marked with `…`).

use crate::history::{LogLevel, What};
use crate::limits::{MAX_LOG_EVENTS, MAX_LOG_MESSAGE_BYTES};
use std::cell::Cell;
use std::fmt::{self, Write};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::{EnvFilter, Registry};

/// Which `tracing` events a run keeps, in `EnvFilter` syntax, checked when
/// the command line is read.
///
/// It is `Copy` as every other run option is, so that a sweep hands it to
/// each run for free: the text lives as long as the process (a command line
/// gives one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogFilter {
    directives: &'static str,
}

impl LogFilter {
    /// A filter from `EnvFilter` directives (`info,my_crate=debug`); an
    /// error names what `tracing_subscriber` could not read.
    pub fn new(directives: &str) -> Result<LogFilter, String> {
        EnvFilter::builder()
            .parse(directives)
            .map_err(|e| format!("`--log {directives}`: {e}"))?;
        Ok(LogFilter {
            directives: Box::leak(directives.to_string().into_boxed_str()),
        })
    }

    /// The directives, as given.
    pub fn directives(self) -> &'static str {
        self.directives
    }

    fn env_filter(self) -> EnvFilter {
        EnvFilter::builder()
            .parse(self.directives)
            .expect("a filter is checked when it is made")
    }
}

thread_local! {
    /// Log events the run on this thread has kept so far.
    static KEPT: Cell<usize> = const { Cell::new(0) };
}

/// Runs `run` with `filter`'s events recorded into the history of the run
/// on this thread (nothing is installed without a filter).
pub(crate) fn with_logs<R>(filter: Option<LogFilter>, run: impl FnOnce() -> R) -> R {
    let Some(filter) = filter else {
        return run();
    };
    KEPT.with(|k| k.set(0));
    let subscriber = Registry::default().with(HistoryLayer.with_filter(filter.env_filter()));
    tracing::subscriber::with_default(subscriber, run)
}

/// The layer that turns `tracing` events into history events.
struct HistoryLayer;

impl<S: tracing::Subscriber> Layer<S> for HistoryLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if KEPT.with(Cell::get) >= MAX_LOG_EVENTS {
            return;
        }
        let meta = event.metadata();
        let mut text = Text::default();
        event.record(&mut text);
        let kept = super::service_world::record_log(|tag| What::Log {
            tag,
            level: LogLevel::of(*meta.level()),
            target: bounded(meta.target()).into_boxed_str(),
            message: text.0.into_boxed_str(),
        });
        if kept {
            KEPT.with(|k| k.set(k.get() + 1));
        }
    }
}

/// An event's message, then its other fields as ` name=value`, cut at
/// [`MAX_LOG_MESSAGE_BYTES`].
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.0.len() > MAX_LOG_MESSAGE_BYTES {
            return;
        }
        if field.name() == "message" {
            let rest = std::mem::take(&mut self.0);
            let _ = write!(self.0, "{value:?}{rest}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
        self.0 = bounded(&self.0);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }
}

/// `text`, cut to at most [`MAX_LOG_MESSAGE_BYTES`] bytes (and `…`).
fn bounded(text: &str) -> String {
    crate::text::truncate(text, MAX_LOG_MESSAGE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_LOG_MESSAGE_BYTES);
        let cut = bounded(&long);
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= MAX_LOG_MESSAGE_BYTES + '…'.len_utf8());
        assert_eq!(bounded("short"), "short");
    }

    #[test]
    fn a_filter_is_checked_when_made() {
        assert!(LogFilter::new("info,my_crate=debug").is_ok());
        assert!(LogFilter::new("info,[[[").is_err());
    }
}
