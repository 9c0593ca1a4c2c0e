//! The manager's numbers: time to acknowledgement and to first customer contact, stage lead times, troubles and our costs by customer and by severity.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::approval::borne_by_us;
use super::model::{Severity, StageId, Trouble, TroubleId};
use super::money::Currency;

/// `/trouble stats` without a number of days looks this far back.
pub const DEFAULT_DAYS: u32 = 90;

/// Median and 90th percentile of some durations, and how many there were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spread {
    pub count: usize,
    pub median: Duration,
    pub p90: Duration,
}

/// Nearest-rank percentiles: with few troubles, an actual value beats an interpolated one.
pub fn spread(mut values: Vec<Duration>) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    let rank = |p: usize| values[(p * values.len()).div_ceil(100).max(1) - 1];
    Some(Spread {
        count: values.len(),
        median: rank(50),
        p90: rank(90),
    })
}

/// Troubles and what we bore, for one customer or one severity.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Group {
    /// The customer's name as first written (empty for a severity).
    pub name: String,
    pub troubles: usize,
    pub open: usize,
    /// Our share per currency (the split applied).
    pub ours: BTreeMap<Currency, i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub days: u32,
    pub troubles: usize,
    pub to_ack: Option<Spread>,
    pub to_first_contact: Option<Spread>,
    /// Per stage (0-based): from started to done, over stages done.
    pub stage_lead: Vec<Option<Spread>>,
    pub by_customer: BTreeMap<String, Group>,
    pub by_severity: BTreeMap<Severity, Group>,
}

/// What the numbers need of one trouble, kept small so a window of thousands of troubles is
/// read without decoding them whole (the store keeps one per trouble, by opening date).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRow {
    pub id: TroubleId,
    /// As first written; grouped by the caller's customer key.
    pub customer: String,
    pub severity: Severity,
    pub opened_at: DateTime<Utc>,
    pub open: bool,
    /// Whether its channel is private (None: stored before this was recorded).
    pub private: Option<bool>,
    /// Milliseconds from opening to the acknowledgement and to the first customer contact.
    pub to_ack_ms: Option<i64>,
    pub to_first_contact_ms: Option<i64>,
    /// Per stage (0-based): milliseconds from started to done, for stages done.
    pub stage_lead_ms: Vec<Option<i64>>,
    /// Our share per currency (the split applied).
    pub ours: BTreeMap<Currency, i64>,
}

impl From<&Trouble> for StatsRow {
    fn from(t: &Trouble) -> Self {
        let ms = |d: Duration| d.num_milliseconds();
        StatsRow {
            id: t.id.clone(),
            customer: t.customer.clone(),
            severity: t.severity,
            opened_at: t.opened_at,
            open: t.is_open(),
            private: t.private,
            to_ack_ms: t.ack.as_ref().map(|a| ms(a.at - t.opened_at)),
            to_first_contact_ms: t.customer_updates.first().map(|u| ms(u.at - t.opened_at)),
            stage_lead_ms: StageId::all()
                .map(|i| {
                    let s = t.stages.get(i.index())?;
                    Some(ms(s.done_at? - s.started_at?))
                })
                .collect(),
            ours: borne_by_us(t.split.as_ref(), &t.costs),
        }
    }
}

/// The numbers over the troubles opened in the last `days` before `now`. The caller passes only
/// the troubles the asker may see; `customer_key` groups spellings of one customer.
pub fn stats(rows: &[StatsRow], days: u32, now: DateTime<Utc>, customer_key: impl Fn(&str) -> String) -> Stats {
    let since = now - Duration::days(days.into());
    let recent: Vec<&StatsRow> = rows
        .iter()
        .filter(|t| t.opened_at >= since && t.opened_at <= now)
        .collect();
    let spread_of = |ms: &dyn Fn(&StatsRow) -> Option<i64>| {
        spread(
            recent
                .iter()
                .filter_map(|t| ms(t))
                .map(Duration::milliseconds)
                .collect(),
        )
    };
    let to_ack = spread_of(&|t| t.to_ack_ms);
    let to_first_contact = spread_of(&|t| t.to_first_contact_ms);
    let stage_lead = StageId::all()
        .map(|i| spread_of(&|t| t.stage_lead_ms.get(i.index()).copied().flatten().filter(|d| *d >= 0)))
        .collect();
    let mut by_customer: BTreeMap<String, Group> = BTreeMap::new();
    let mut by_severity: BTreeMap<Severity, Group> = BTreeMap::new();
    for t in &recent {
        let customer = by_customer.entry(customer_key(&t.customer)).or_insert_with(|| Group {
            name: t.customer.clone(),
            ..Group::default()
        });
        for group in [customer, by_severity.entry(t.severity).or_default()] {
            group.troubles += 1;
            group.open += usize::from(t.open);
            for (c, minor) in &t.ours {
                *group.ours.entry(*c).or_insert(0) += minor;
            }
        }
    }
    Stats {
        days,
        troubles: recent.len(),
        to_ack,
        to_first_contact,
        stage_lead,
        by_customer,
        by_severity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::model::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minutes)
    }

    fn trouble(customer: &str, severity: u8, opened: i64, ack: i64, contact: i64, cost: &str) -> Trouble {
        let json = serde_json::json!({
            "id": format!("x-{opened}"), "seq": 1, "customer": customer, "summary": "s", "severity": severity,
            "owner": "U0SALES", "manager": "U0MANAGER", "departments": [],
            "origin": {"channel": "C1", "response_url": null}, "opened_at": at(opened),
            "channel": null, "channel_name": null, "kickoff": null, "status": null, "manager_dm": null, "origin_notice": null,
            "stages": (0..7).map(|i| if i == 0 {
                serde_json::json!({"state": "done", "started_at": at(opened), "done_at": at(opened + 60), "done_by": "U0SALES", "notes": []})
            } else {
                serde_json::json!({"state": "not_started", "started_at": null, "done_at": null, "done_by": null, "notes": []})
            }).collect::<Vec<_>>(),
            "ack": {"by": "U0MANAGER", "at": at(ack)},
            "escalation": {"chain": ["U0MANAGER"], "level": 0, "round": 1, "top_repings": 0, "gave_up": false},
            "customer_updates": [{"text": "called", "by": "U0SALES", "at": at(contact), "promised_next": null}],
            "split": null,
            "costs": [{"amount": cost, "payer": "ours", "note": "", "by": "U0SALES", "at": at(opened)}],
            "measures": [], "closed": null, "timeline_len": 0, "timeline_head": "", "status_refresh_queued": false, "followup_epoch": 0,
        });
        serde_json::from_value(json).expect("fixture trouble")
    }

    #[test]
    fn three_troubles_give_medians_p90s_and_groups() {
        let troubles = [
            trouble("ACME", 1, 0, 10, 30, "¥100,000"),
            trouble("acme", 2, 100, 130, 160, "¥50,000"),
            trouble("Globex", 2, 200, 290, 320, "$1,000"),
        ];
        let rows: Vec<StatsRow> = troubles.iter().map(StatsRow::from).collect();
        let s = stats(&rows, 30, at(1000), |c| c.to_lowercase());
        assert_eq!(s.troubles, 3);
        assert_eq!(
            s.to_ack,
            Some(Spread {
                count: 3,
                median: Duration::minutes(30),
                p90: Duration::minutes(90)
            })
        );
        assert_eq!(
            s.to_first_contact,
            Some(Spread {
                count: 3,
                median: Duration::minutes(60),
                p90: Duration::minutes(120)
            })
        );
        assert_eq!(s.stage_lead[0].map(|x| x.median), Some(Duration::minutes(60)));
        assert_eq!(s.stage_lead[1], None);
        assert_eq!(s.by_customer["acme"].troubles, 2);
        assert_eq!(s.by_customer["acme"].ours[&Currency::Jpy], 150_000);
        assert_eq!(s.by_severity[&Severity::new(2)].troubles, 2);
        assert_eq!(s.by_severity[&Severity::new(2)].ours[&Currency::Usd], 100_000);
    }

    #[test]
    fn troubles_older_than_the_window_are_left_out() {
        let troubles = [trouble("ACME", 1, 0, 10, 30, "¥1")];
        let rows: Vec<StatsRow> = troubles.iter().map(StatsRow::from).collect();
        let s = stats(&rows, 1, at(3 * 24 * 60), |c| c.to_string());
        assert_eq!(s.troubles, 0);
        assert_eq!(s.to_ack, None);
    }
}
