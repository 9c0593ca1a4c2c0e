//! Log output: the subscriber the binary installs, and the request tag its lines carry.
//!
//! Serving a request costs nothing for logging unless a line is printed: the request's id, path
//! and retry number are kept as plain data in a task-local while it is served (no span, no
//! formatting, no allocation) and written into a line only when one is printed.

use std::fmt::{self, Write as _};

use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

use crate::config::Config;

/// A client-chosen value is kept to this many bytes in a log line.
const MAX_VALUE: usize = 32;

/// The request a log line was printed for.
#[derive(Clone, Copy)]
pub struct RequestTag {
    id: u64,
    path: Bounded,
    retry: Bounded,
}

/// The first bytes of a client-chosen value, inline; cleaned up only when printed.
#[derive(Clone, Copy)]
struct Bounded {
    bytes: [u8; MAX_VALUE],
    len: u8,
    cut: bool,
}

impl Bounded {
    fn new(value: &[u8]) -> Bounded {
        let len = value.len().min(MAX_VALUE);
        let mut bytes = [0; MAX_VALUE];
        bytes[..len].copy_from_slice(&value[..len]);
        Bounded {
            bytes,
            len: len as u8,
            cut: value.len() > MAX_VALUE,
        }
    }
}

impl fmt::Display for Bounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in String::from_utf8_lossy(&self.bytes[..usize::from(self.len)]).chars() {
            // Slack's ids and headers are printable ASCII: anything else (a control character,
            // a line or paragraph separator, a bidirectional override) could forge or hide a line.
            f.write_char(if c.is_ascii_graphic() || c == ' ' { c } else { '?' })?;
        }
        if self.cut {
            f.write_char('…')?;
        }
        Ok(())
    }
}

impl RequestTag {
    pub fn new(id: u64, path: &[u8], retry: Option<&[u8]>) -> RequestTag {
        RequestTag {
            id,
            path: Bounded::new(path),
            retry: Bounded::new(retry.unwrap_or(b"0")),
        }
    }
}

/// What one bot's log has already said about requests refused for their signature or their
/// workspace: when every request is refused (a wrong secret, a mistyped `team_id`) the admin
/// sees why at the default level, and a flood of forged requests cannot fill the log.
#[derive(Default)]
pub struct RefusalsLogged {
    last_signature_warning: std::sync::Mutex<Option<i64>>,
    teams: std::sync::Mutex<Vec<String>>,
}

impl RefusalsLogged {
    /// How many distinct refused workspaces are named in the log.
    pub const TEAMS: usize = 16;

    /// Whether a signature refused at NOW (unix seconds) is warned of: the first, then at most
    /// one a minute.
    pub fn signature_warning_due(&self, now: i64) -> bool {
        let Ok(mut last) = self.last_signature_warning.lock() else {
            return false;
        };
        if last.is_some_and(|at| now.saturating_sub(at) < 60) {
            return false;
        }
        *last = Some(now);
        true
    }

    /// Whether TEAM's refusal is logged (the first of that team, among the first
    /// [`Self::TEAMS`]), and if so whether it is the last team that will be.
    pub fn team_refusal_due(&self, team: &str) -> Option<bool> {
        let mut logged = self.teams.lock().ok()?;
        if logged.len() >= Self::TEAMS || logged.iter().any(|t| t == team) {
            return None;
        }
        logged.push(team.to_string());
        Some(logged.len() == Self::TEAMS)
    }
}

/// A client-chosen value as a log line may show it: its first bytes, all but printable ASCII as `?`.
pub fn bounded(value: &str) -> String {
    Bounded::new(value.as_bytes()).to_string()
}

tokio::task_local! {
    static REQUEST: RequestTag;
}

/// Runs `serve` with `tag` as the request its log lines belong to.
pub async fn tagged<F: std::future::Future>(tag: RequestTag, serve: F) -> F::Output {
    REQUEST.scope(tag, serve).await
}

/// Writes each line as the wrapped format does, with the request it was printed for added.
struct Tagged<F> {
    inner: F,
    json: bool,
}

impl<S, N, F> FormatEvent<S, N> for Tagged<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let Ok(tag) = REQUEST.try_with(|t| *t) else {
            return self.inner.format_event(ctx, writer, event);
        };
        let mut line = String::new();
        self.inner.format_event(ctx, Writer::new(&mut line), event)?;
        let line = line.trim_end_matches('\n');
        if self.json {
            let Some(open) = line.strip_suffix('}') else {
                return writeln!(writer, "{line}");
            };
            let text = |b: &Bounded| serde_json::Value::String(b.to_string());
            writeln!(
                writer,
                r#"{open},"request":{{"id":{},"path":{},"slack_retry":{}}}}}"#,
                tag.id,
                text(&tag.path),
                text(&tag.retry)
            )
        } else {
            writeln!(
                writer,
                "{line} request{{id={} path={} slack_retry={}}}",
                tag.id, tag.path, tag.retry
            )
        }
    }
}

/// Installs the log subscriber: `config`'s filter (RUST_LOG overrides it), text or JSON lines
/// (`log_format = "json"`) written to `out`.
pub fn init<W>(config: &Config, out: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt;
    subscriber(config, out).init();
}

/// The subscriber [`init`] installs, for a caller that installs it otherwise (a test, for the
/// lines of its own bot).
pub fn subscriber<W>(config: &Config, out: W) -> tracing::Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::new(&config.log_filter);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(out);
    if config.log_json {
        let inner = tracing_subscriber::fmt::format().json();
        tracing::Dispatch::new(builder.event_format(Tagged { inner, json: true }).finish())
    } else {
        let inner = tracing_subscriber::fmt::format().with_ansi(false);
        tracing::Dispatch::new(builder.event_format(Tagged { inner, json: false }).finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_logged_once_a_minute_and_once_per_workspace() {
        let logged = RefusalsLogged::default();
        assert!(logged.signature_warning_due(1_000));
        assert!(!logged.signature_warning_due(1_059));
        assert!(logged.signature_warning_due(1_060));
        assert_eq!(logged.team_refusal_due("T0OTHER"), Some(false));
        assert_eq!(logged.team_refusal_due("T0OTHER"), None);
        let last = (1..RefusalsLogged::TEAMS)
            .map(|n| logged.team_refusal_due(&format!("T{n}")))
            .last();
        assert_eq!(last, Some(Some(true)));
        assert_eq!(logged.team_refusal_due("T0LATE"), None);
    }

    #[test]
    fn a_logged_header_value_is_short_and_printable() {
        assert_eq!(Bounded::new(b"1").to_string(), "1");
        let logged = Bounded::new("9".repeat(20_000).as_bytes()).to_string();
        assert!(logged.chars().count() <= 33, "{logged}");
        assert_eq!(Bounded::new(b"1\r\n\x1b[31m").to_string(), "1???[31m");
        // A line separator and a right-to-left override are not control characters.
        assert_eq!(Bounded::new("1\u{2028}2\u{202e}3".as_bytes()).to_string(), "1?2?3");
    }
}
