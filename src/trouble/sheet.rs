//! One trouble as a spreadsheet row (`trouble-bot export-list`): the figures a quarterly review sorts by.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::actions::{prevention_count, ActionKind};
use super::approval::{awaits_decision, counted_costs};
use super::model::{ChannelId, Severity, StageState, Trouble, TroubleId, UserId};
use super::money::Currency;
use super::record::cost_totals;
use super::stats::StatsRow;

/// What the row says of one trouble, as values (the caller writes them in its format).
#[derive(Clone, Debug, PartialEq)]
pub struct SheetRow {
    pub id: TroubleId,
    pub opened_at: DateTime<Utc>,
    /// As stored (Slack's escaped form); the writer makes it plain, inert text.
    pub customer: String,
    pub summary: String,
    pub severity: Severity,
    pub private: Option<bool>,
    /// The owner and manager by the name Slack last showed, else by id.
    pub owner: String,
    pub manager: Option<String>,
    /// How many of the seven stages are done, and the first one not done (the current one;
    /// None when all are done).
    pub stages_done: usize,
    pub current_stage: Option<usize>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Closed by the manager chain without stage 7 done.
    pub forced: bool,
    /// Milliseconds from opening to the acknowledgement and to the first customer contact.
    pub to_ack_ms: Option<i64>,
    pub to_first_contact_ms: Option<i64>,
    /// Our share per currency and every counted cost per currency (all payers).
    pub ours: BTreeMap<Currency, i64>,
    pub total: BTreeMap<Currency, i64>,
    /// A split or cost still awaits approval: its figures are not settled.
    pub awaiting: bool,
    /// Prevention measures (actions not cancelled, and measures of earlier releases), those
    /// still open, and the effectiveness checks answered yes and no.
    pub measures: usize,
    pub measures_open: usize,
    pub measures_effective: usize,
    pub measures_not_effective: usize,
    pub reopened: u32,
    /// Earlier troubles flagged as a possible recurrence of this one's problem.
    pub recurrence_of: Vec<TroubleId>,
    pub channel_name: Option<String>,
    pub channel: Option<ChannelId>,
}

impl From<&Trouble> for SheetRow {
    fn from(t: &Trouble) -> Self {
        // The durations and our share exactly as `/trouble stats` counts them, the totals as
        // the trouble's own totals and `/trouble history` count them (rejected costs left out).
        let stats = StatsRow::from(t);
        let mut total = BTreeMap::new();
        for ((_, currency), minor) in cost_totals(&counted_costs(t)) {
            let sum: &mut i64 = total.entry(currency).or_insert(0);
            *sum = sum.saturating_add(minor);
        }
        let name = |u: &UserId| t.names.get(u).map_or_else(|| u.to_string(), |n| n.name.clone());
        let prevent = || {
            t.substance
                .actions
                .iter()
                .filter(|a| a.kind == ActionKind::Prevent && a.cancelled.is_none())
        };
        SheetRow {
            id: t.id.clone(),
            opened_at: t.opened_at,
            customer: t.customer.clone(),
            summary: t.summary.clone(),
            severity: t.severity,
            private: t.private,
            owner: name(&t.owner),
            manager: t.manager.as_ref().map(name),
            stages_done: t.stages.iter().filter(|s| s.state == StageState::Done).count(),
            current_stage: t.stages.iter().position(|s| s.state != StageState::Done).map(|i| i + 1),
            closed_at: t.closed.as_ref().map(|c| c.at),
            forced: t.closed_by_force(),
            to_ack_ms: stats.to_ack_ms,
            to_first_contact_ms: stats.to_first_contact_ms,
            ours: stats.ours,
            total,
            awaiting: awaits_decision(t),
            measures: prevention_count(t),
            measures_open: prevent().filter(|a| a.is_open()).count(),
            measures_effective: prevent().filter(|a| a.effective == Some(true)).count(),
            measures_not_effective: prevent().filter(|a| a.effective == Some(false)).count(),
            reopened: t.substance.reopened,
            recurrence_of: t.substance.recurrences.clone(),
            channel_name: t.channel_name.clone(),
            channel: t.channel.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: &str, done: bool, effective: Option<bool>, cancelled: bool) -> serde_json::Value {
        let mark = serde_json::json!({"by": "U0SALES", "at": "2026-11-02T00:00:00Z", "note": ""});
        serde_json::json!({
            "kind": kind, "text": "t", "owner": "U0SALES", "due": null, "check": null, "by": "U0SALES",
            "at": "2026-11-02T00:00:00Z", "done": if done { mark.clone() } else { serde_json::Value::Null },
            "verified": null, "effective": effective, "cancelled": if cancelled { mark } else { serde_json::Value::Null },
        })
    }

    /// A trouble with a legacy measure, prevention actions in every state and an interim one.
    fn trouble() -> Trouble {
        let json = serde_json::json!({
            "id": "20261102-1", "seq": 1, "customer": "ACME", "summary": "s", "severity": 2,
            "owner": "U0SALES", "manager": "U0MANAGER", "departments": [],
            "origin": {"channel": "C1", "response_url": null}, "opened_at": "2026-11-02T00:00:00Z",
            "channel": "C0TROUBLE", "channel_name": "trouble-20261102-1-acme", "kickoff": null, "status": null,
            "manager_dm": null, "origin_notice": null,
            "stages": (0..7).map(|i| serde_json::json!({
                "state": if i == 0 || i == 2 { "done" } else { "not_started" },
                "started_at": null, "done_at": null, "done_by": null, "notes": []
            })).collect::<Vec<_>>(),
            "ack": null,
            "escalation": {"chain": ["U0MANAGER"], "level": 0, "round": 1, "top_repings": 0, "gave_up": false},
            "customer_updates": [], "split": null,
            "costs": [
                {"amount": "¥100,000", "payer": "ours", "note": "", "by": "U0SALES", "at": "2026-11-02T00:00:00Z"},
                {"amount": "¥50,000", "payer": "customer", "note": "", "by": "U0SALES", "at": "2026-11-02T00:00:00Z"},
                {"amount": "about 3 pallets", "payer": "ours", "note": "", "by": "U0SALES", "at": "2026-11-02T00:00:00Z"},
            ],
            "measures": [{"text": "old", "by": "U0SALES", "at": "2026-11-02T00:00:00Z"}],
            "closed": null, "timeline_len": 0, "timeline_head": "", "status_refresh_queued": false, "followup_epoch": 0,
            "names": {"U0SALES": {"name": "Tanaka", "at": "2026-11-02T00:00:00Z"}},
            "substance": {
                "actions": [
                    action("prevent", false, None, false),
                    action("prevent", true, Some(true), false),
                    action("prevent", true, Some(false), false),
                    action("prevent", false, None, true),
                    action("interim", false, None, false),
                ],
                "reopened": 2, "recurrences": ["20261001-4"],
            },
        });
        serde_json::from_value(json).expect("fixture trouble")
    }

    #[test]
    fn measures_stages_costs_and_people_are_counted_as_the_report_and_history_count_them() {
        let r = SheetRow::from(&trouble());
        // The legacy measure and the three prevention actions not cancelled; the interim is none.
        assert_eq!(
            (
                r.measures,
                r.measures_open,
                r.measures_effective,
                r.measures_not_effective
            ),
            (4, 1, 1, 1)
        );
        assert_eq!((r.stages_done, r.current_stage), (2, Some(2)), "stage 3 done before 2");
        assert_eq!(r.ours.get(&Currency::Jpy), Some(&100_000));
        assert_eq!(
            r.total.get(&Currency::Jpy),
            Some(&150_000),
            "a cost written as text is not summed"
        );
        assert_eq!((r.owner.as_str(), r.manager.as_deref()), ("Tanaka", Some("U0MANAGER")));
        assert_eq!((r.reopened, r.recurrence_of.len()), (2, 1));
        assert_eq!((r.to_ack_ms, r.closed_at, r.forced), (None, None, false));
    }
}
