//! Counters for `/metrics`, in Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use crate::store::Store;
use crate::trouble::decide::TimerKind;

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(String, String), u64>>,
}

impl Metrics {
    fn bump(&self, name: &str, labels: String) {
        if let Ok(mut c) = self.counters.lock() {
            *c.entry((name.to_string(), labels)).or_default() += 1;
        }
    }

    pub fn slack_call(&self, method: &str, outcome: &str) {
        self.bump(
            "trouble_bot_slack_calls_total",
            format!("method=\"{method}\",outcome=\"{outcome}\""),
        );
    }

    pub fn trouble_opened(&self, severity: u8) {
        self.bump("trouble_bot_troubles_opened_total", format!("severity=\"{severity}\""));
    }

    pub fn trouble_closed(&self, severity: u8) {
        self.bump("trouble_bot_troubles_closed_total", format!("severity=\"{severity}\""));
    }

    pub fn request(&self, route: &str, status: u16) {
        self.bump(
            "trouble_bot_requests_total",
            format!("route=\"{route}\",status=\"{status}\""),
        );
    }

    pub fn note_timer_fired(&self, kind: &TimerKind) {
        let kind = match kind {
            TimerKind::AckTimeout { .. } => "ack_timeout",
            TimerKind::FollowUp { .. } => "follow_up",
        };
        self.bump("trouble_bot_timers_fired_total", format!("kind=\"{kind}\""));
    }

    pub fn render(&self, store: &Store) -> String {
        let mut out = String::new();
        let counters = self.counters.lock().map(|c| c.clone()).unwrap_or_default();
        let mut last = String::new();
        for ((name, labels), value) in &counters {
            if *name != last {
                let _ = writeln!(out, "# TYPE {name} counter");
                last = name.clone();
            }
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
        let _ = writeln!(
            out,
            "# TYPE trouble_bot_outbox_depth gauge\ntrouble_bot_outbox_depth {}",
            store.outbox_len()
        );
        let _ = writeln!(
            out,
            "# TYPE trouble_bot_timers_pending gauge\ntrouble_bot_timers_pending {}",
            store.timers_len()
        );
        let _ = writeln!(
            out,
            "# TYPE trouble_bot_troubles gauge\ntrouble_bot_troubles {}",
            store.trouble_count()
        );
        out
    }
}
