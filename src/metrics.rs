//! Counters and histograms for `/metrics`, in Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::Utc;

use crate::store::{Counts, WriteLocksSoFar};
use crate::trouble::decide::{Decision, TimerKind};
use crate::trouble::timeline::Event;

/// Buckets in seconds: from a fast first ping to a day-long silence.
const BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 14400.0, 86400.0,
];

#[derive(Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, value: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS.len()];
        }
        for (i, le) in BUCKETS.iter().enumerate() {
            if value <= *le {
                self.counts[i] += 1;
            }
        }
        self.sum += value;
        self.count += 1;
    }
}

/// What stops the bot telling anyone, for `/metrics`' gauges: an admin alerts on each.
#[derive(Clone, Copy, Debug, Default)]
pub struct Alarms {
    /// Since when Slack cannot be reached, if it cannot.
    pub slack_unreachable_since: Option<chrono::DateTime<Utc>>,
    /// Slack refuses the bot token.
    pub slack_token_refused: bool,
    /// The store stopped writing after a failed write.
    pub writes_halted: bool,
    /// In Socket Mode, the sockets up (0: no request from Slack reaches the bot); None over HTTP.
    pub socket_connections: Option<usize>,
}

#[derive(Default)]
pub struct Metrics {
    /// Name → labels → count. Keyed by name first so counting an existing series finds it
    /// by borrowed keys, without allocating.
    counters: Mutex<BTreeMap<&'static str, BTreeMap<String, u64>>>,
    /// `trouble_bot_requests_total` for each of [`ROUTES`] × [`STATUSES`], counted without a
    /// lock (every request is counted; the mutex and the look-up were measurable on help, see
    /// BENCHMARKS.md, 57th entry). Other routes and statuses go to `counters`.
    requests: [[AtomicU64; STATUSES.len()]; ROUTES.len()],
    histograms: Mutex<BTreeMap<String, Histogram>>,
}

const REQUESTS: &str = "trouble_bot_requests_total";
const EVENTS_RATE_LIMITED: &str = "trouble_bot_events_rate_limited_total";
const DIGESTS_UNREAD: &str = "trouble_bot_digests_unread_total";

/// The routes and the statuses they answer with that [`Metrics::request`] counts lock-free.
const ROUTES: [&str; 3] = ["commands", "events", "interactions"];
const STATUSES: [u16; 8] = [200, 400, 401, 403, 408, 413, 500, 503];

const HELP: &[(&str, &str)] = &[
    ("trouble_bot_troubles_opened_total", "Troubles opened, by severity."),
    ("trouble_bot_troubles_closed_total", "Troubles closed, by severity."),
    (
        "trouble_bot_slack_calls_total",
        "Slack calls by method and outcome (ok, retry, permanent_error, unrunnable, and unconfirmed: a views.open Slack may have opened).",
    ),
    (
        REQUESTS,
        "Verified Slack requests by route and HTTP status.",
    ),
    ("trouble_bot_timers_fired_total", "Timers that acted, by kind."),
    (
        EVENTS_RATE_LIMITED,
        "Times Slack said it rate-limits the app's events (app_rate_limited): the events it held back never arrived.",
    ),
    (
        "trouble_bot_troubles_unreadable_total",
        "Troubles a walk over every trouble passed over because their stored record did not read, by walk (the weekly digest left them out; `trouble-bot verify` names them).",
    ),
    (
        DIGESTS_UNREAD,
        "Weekly digests that went to nobody: Slack refuses DMs to the manager for good and nobody above them in `[org]` can be DMed (the log names the manager).",
    ),
    (
        "trouble_bot_store_writer_lock_held_seconds_total",
        "Time the embedded store's writer lock was held: its decisions (and its other writes) take it one at a time, so its rate is the share of time spent deciding serially (near 1, writes are the limit on any number of cores).",
    ),
    (
        "trouble_bot_store_writer_lock_holds_total",
        "Times the embedded store's writer lock was taken.",
    ),
    (
        "trouble_bot_store_apply_lock_held_seconds_total",
        "Time the embedded store's applier lock was held: decided write sets are applied one at a time beside the next decision, so its rate is the share of time spent applying serially (near 1, writes are the limit on any number of cores).",
    ),
    (
        "trouble_bot_store_apply_lock_holds_total",
        "Times the embedded store's applier lock was taken.",
    ),
    (
        "trouble_bot_first_ping_seconds",
        "From the open command to the manager's DM accepted by Slack.",
    ),
    (
        "trouble_bot_acknowledgement_seconds",
        "From opening to the manager chain's acknowledgement.",
    ),
    (
        "trouble_bot_customer_update_gap_seconds",
        "Time between customer updates (the first counts from opening).",
    ),
];

impl Metrics {
    /// Counts one in the series `name{labels}`.
    fn bump(&self, name: &'static str, labels: std::fmt::Arguments<'_>) {
        self.add(name, labels, 1);
    }

    /// Counts `by` in the series `name{labels}`. The labels are formatted on the stack; only a
    /// series seen for the first time allocates.
    fn add(&self, name: &'static str, labels: std::fmt::Arguments<'_>, by: u64) {
        let mut buf = [0u8; 192];
        let mut cursor = std::io::Cursor::new(&mut buf[..]);
        let label = match std::io::Write::write_fmt(&mut cursor, labels) {
            Ok(()) => {
                let len = cursor.position() as usize;
                std::borrow::Cow::Borrowed(std::str::from_utf8(&buf[..len]).unwrap_or_default())
            }
            Err(_) => std::borrow::Cow::Owned(labels.to_string()),
        };
        if let Ok(mut c) = self.counters.lock() {
            let series = c.entry(name).or_default();
            match series.get_mut(label.as_ref()) {
                Some(count) => *count += by,
                None => {
                    series.insert(label.into_owned(), by);
                }
            }
        }
    }

    fn observe(&self, name: &str, seconds: f64) {
        if let Ok(mut h) = self.histograms.lock() {
            h.entry(name.to_string()).or_default().observe(seconds.max(0.0));
        }
    }

    pub fn slack_call(&self, method: &str, outcome: &str) {
        self.bump(
            "trouble_bot_slack_calls_total",
            format_args!("method=\"{method}\",outcome=\"{outcome}\""),
        );
    }

    /// Slack said it dropped the app's events for a minute (`app_rate_limited`).
    pub fn events_rate_limited(&self) {
        self.bump(EVENTS_RATE_LIMITED, format_args!(""));
    }

    pub fn request(&self, route: &str, status: u16) {
        let counter = ROUTES.iter().position(|r| *r == route).and_then(|r| {
            let s = STATUSES.iter().position(|s| *s == status)?;
            Some(&self.requests[r][s])
        });
        match counter {
            Some(counter) => {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            None => self.bump(REQUESTS, format_args!("route=\"{route}\",status=\"{status}\"")),
        }
    }

    pub fn first_ping(&self, seconds: f64) {
        self.observe("trouble_bot_first_ping_seconds", seconds);
    }

    pub fn note_timer_fired(&self, kind: &TimerKind) {
        let kind = match kind {
            TimerKind::AckTimeout { .. } => "ack_timeout",
            TimerKind::FollowUp { .. } => "follow_up",
            TimerKind::ReturnReminder { .. } => "return_reminder",
            TimerKind::ActionDue { .. } => "action_due",
            TimerKind::EffectCheck { .. } => "effect_check",
            TimerKind::FirstContact { .. } => "first_contact",
            TimerKind::WeeklyDigest => "weekly_digest",
            TimerKind::ChannelCheck { .. } => "channel_check",
        };
        self.bump("trouble_bot_timers_fired_total", format_args!("kind=\"{kind}\""));
    }

    /// Counts the troubles whose records did not read in a walk over every trouble (`walk`).
    pub fn unreadable(&self, walk: &str, troubles: usize) {
        if troubles > 0 {
            self.add(
                "trouble_bot_troubles_unreadable_total",
                format_args!("walk=\"{walk}\""),
                troubles as u64,
            );
        }
    }

    /// Counts the weekly digests that went to nobody (see [`DIGESTS_UNREAD`]'s help).
    pub fn digests_unread(&self, digests: usize) {
        if digests > 0 {
            self.add(DIGESTS_UNREAD, format_args!(""), digests as u64);
        }
    }

    /// Reads what a stored decision means for the counters and histograms.
    pub fn observe_decision(&self, decision: &Decision) {
        let Some(t) = &decision.trouble else {
            return;
        };
        for entry in &decision.entries {
            match &entry.event {
                Event::Opened { severity, .. } => self.bump(
                    "trouble_bot_troubles_opened_total",
                    format_args!("severity=\"{severity}\""),
                ),
                Event::Closed { .. } => self.bump(
                    "trouble_bot_troubles_closed_total",
                    format_args!("severity=\"{}\"", t.severity),
                ),
                Event::Acknowledged { after_secs, .. } => {
                    self.observe("trouble_bot_acknowledgement_seconds", *after_secs as f64)
                }
                Event::CustomerUpdate { .. } => {
                    let mut counted = t.counted_updates().rev();
                    let last = counted.next();
                    let previous = counted.next().map_or(t.opened_at, |u| u.at);
                    if let Some(last) = last {
                        self.observe(
                            "trouble_bot_customer_update_gap_seconds",
                            (last.at - previous).num_milliseconds() as f64 / 1000.0,
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// The text of `/metrics`: the counters, with the embedded store's `lock_time`, and the
    /// gauges read at `now` from the store's `counts`, its `oldest` undelivered call, and the
    /// `alarms`.
    pub fn render(
        &self,
        counts: Counts,
        lock_time: Option<WriteLocksSoFar>,
        oldest: Option<chrono::DateTime<Utc>>,
        alarms: Alarms,
        now: chrono::DateTime<Utc>,
    ) -> String {
        let Alarms {
            slack_unreachable_since,
            slack_token_refused,
            writes_halted,
            socket_connections,
        } = alarms;
        let mut out = String::new();
        let help = |out: &mut String, name: &str, kind: &str| {
            if let Some((_, text)) = HELP.iter().find(|(n, _)| *n == name) {
                let _ = writeln!(out, "# HELP {name} {text}");
            }
            let _ = writeln!(out, "# TYPE {name} {kind}");
        };
        let mut counters = self.counters.lock().map(|c| c.clone()).unwrap_or_default();
        for (route, counts) in ROUTES.iter().zip(&self.requests) {
            for (status, count) in STATUSES.iter().zip(counts) {
                let count = count.load(Ordering::Relaxed);
                if count > 0 {
                    let label = format!("route=\"{route}\",status=\"{status}\"");
                    *counters.entry(REQUESTS).or_default().entry(label).or_default() += count;
                }
            }
        }
        for (name, series) in &counters {
            help(&mut out, name, "counter");
            for (labels, value) in series {
                let _ = match labels.is_empty() {
                    true => writeln!(out, "{name} {value}"),
                    false => writeln!(out, "{name}{{{labels}}} {value}"),
                };
            }
        }
        if let Some(locks) = lock_time {
            for (name, value) in [
                (
                    "trouble_bot_store_writer_lock_held_seconds_total",
                    locks.writer.held.as_secs_f64(),
                ),
                ("trouble_bot_store_writer_lock_holds_total", locks.writer.holds as f64),
                (
                    "trouble_bot_store_apply_lock_held_seconds_total",
                    locks.applier.held.as_secs_f64(),
                ),
                ("trouble_bot_store_apply_lock_holds_total", locks.applier.holds as f64),
            ] {
                help(&mut out, name, "counter");
                let _ = writeln!(out, "{name} {value}");
            }
        }
        let histograms = self.histograms.lock().map(|h| h.clone()).unwrap_or_default();
        for (name, h) in &histograms {
            help(&mut out, name, "histogram");
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{name}_bucket{{le=\"{le}\"}} {}",
                    h.counts.get(i).copied().unwrap_or(0)
                );
            }
            let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "{name}_sum {}", h.sum);
            let _ = writeln!(out, "{name}_count {}", h.count);
        }
        let seconds_since = |at: Option<chrono::DateTime<Utc>>| {
            at.map(|at| (now - at).num_milliseconds() as f64 / 1000.0)
                .unwrap_or(0.0)
        };
        let gauges = [
            (
                "trouble_bot_outbox_depth",
                "Slack calls waiting to be delivered.",
                counts.outbox as f64,
            ),
            (
                "trouble_bot_outbox_oldest_age_seconds",
                "Age of the oldest undelivered Slack call.",
                seconds_since(oldest),
            ),
            (
                "trouble_bot_slack_unreachable_seconds",
                "How long Slack has not been reachable (0 while it answers).",
                seconds_since(slack_unreachable_since),
            ),
            (
                "trouble_bot_slack_token_refused",
                "1 while Slack refuses the bot token (every call waits for an admin to mend it).",
                f64::from(u8::from(slack_token_refused)),
            ),
            (
                "trouble_bot_timers_pending",
                "Stored timers (escalations, nudges).",
                counts.timers as f64,
            ),
            (
                "trouble_bot_store_writes_halted",
                "1 once the store stopped writing after a failed write (a restart goes on).",
                f64::from(u8::from(writes_halted)),
            ),
            ("trouble_bot_troubles", "Troubles in the store.", counts.troubles as f64),
            (
                "trouble_bot_troubles_open",
                "Open troubles in the store.",
                counts.open as f64,
            ),
        ];
        let sockets = socket_connections.map(|n| {
            (
                "trouble_bot_socket_connections",
                "Socket Mode connections up (0: no request from Slack reaches the bot).",
                n as f64,
            )
        });
        for (name, text, value) in gauges.into_iter().chain(sockets) {
            let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests are counted on two paths (a known route and status without a lock, any other in
    /// the map); `/metrics` shows them as one series, in the order the labels sort.
    #[test]
    fn requests_are_rendered_as_one_sorted_series_whatever_path_counted_them() {
        let metrics = Metrics::default();
        for (route, status) in [
            ("events", 200),
            ("commands", 200),
            ("commands", 418),
            ("commands", 200),
            ("interactions", 503),
            ("other", 200),
        ] {
            metrics.request(route, status);
        }
        let text = metrics.render(Counts::default(), None, None, Alarms::default(), Utc::now());
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(REQUESTS)).collect();
        assert_eq!(
            lines,
            [
                "# HELP trouble_bot_requests_total Verified Slack requests by route and HTTP status.",
                "# TYPE trouble_bot_requests_total counter",
                "trouble_bot_requests_total{route=\"commands\",status=\"200\"} 2",
                "trouble_bot_requests_total{route=\"commands\",status=\"418\"} 1",
                "trouble_bot_requests_total{route=\"events\",status=\"200\"} 1",
                "trouble_bot_requests_total{route=\"interactions\",status=\"503\"} 1",
                "trouble_bot_requests_total{route=\"other\",status=\"200\"} 1",
            ]
        );
    }
}
