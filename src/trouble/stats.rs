//! The manager's numbers: time to acknowledgement and to first customer contact, stage lead times, troubles and our costs by customer and by severity.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::model::{Severity, StageId, Trouble, TroubleId, STAGE_COUNT};
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
    /// Of the troubles without a time to acknowledgement, those open and still waiting for one
    /// now (the rest were closed without one).
    pub waiting: usize,
    pub to_first_contact: Option<Spread>,
    /// Per stage (0-based): from started to done, over stages done.
    pub stage_lead: Vec<Option<Spread>>,
    pub by_customer: BTreeMap<String, Group>,
    pub by_severity: BTreeMap<Severity, Group>,
}

impl Stats {
    /// The troubles left out of the time to acknowledgement, having none: `(all, still waiting
    /// now)`, the waiting never more than all: both come from the same tallies and rows, and
    /// a tally gone wrong must not show more troubles waiting than went unanswered.
    pub fn not_acknowledged(&self) -> (usize, usize) {
        let all = self.troubles.saturating_sub(self.to_ack.map_or(0, |s| s.count));
        (all, self.waiting.min(all))
    }

    /// The `n` customers with the most troubles (ties in the order of their keys), and the
    /// others summed with how many they are (None when all are among the `n`).
    pub fn top_customers(&self, n: usize) -> (Vec<&Group>, Option<(usize, Group)>) {
        let mut listed: Vec<&Group> = self.by_customer.values().collect();
        listed.sort_by_key(|g| std::cmp::Reverse(g.troubles));
        let others = listed.split_off(n.min(listed.len()));
        let summed = (!others.is_empty()).then(|| {
            let mut sum = Group::default();
            for g in &others {
                sum.troubles += g.troubles;
                sum.open += g.open;
                for (currency, minor) in &g.ours {
                    let s = sum.ours.entry(*currency).or_insert(0i64);
                    *s = s.saturating_add(*minor);
                }
            }
            (others.len(), sum)
        });
        (listed, summed)
    }
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
            to_first_contact_ms: t.counted_updates().next().map(|u| ms(u.at - t.opened_at)),
            stage_lead_ms: StageId::all()
                .map(|i| {
                    let s = t.stages.get(i.index())?;
                    Some(ms(s.done_at? - s.started_at?))
                })
                .collect(),
            ours: super::approval::our_share(t),
        }
    }
}

/// How many durations the numbers spread: to acknowledgement, to first contact, each stage's lead.
pub const MEASURES: usize = 2 + STAGE_COUNT;

impl StatsRow {
    /// Its durations in milliseconds, in the order of [`MEASURES`], as the numbers count them
    /// (a negative stage lead, from a clock set back, is left out).
    pub fn measures(&self) -> [Option<i64>; MEASURES] {
        let mut out = [None; MEASURES];
        out[0] = self.to_ack_ms;
        out[1] = self.to_first_contact_ms;
        for (i, slot) in out[2..].iter_mut().enumerate() {
            *slot = self.stage_lead_ms.get(i).copied().flatten().filter(|d| *d >= 0);
        }
        out
    }

    /// Open, and nobody has acknowledged it yet.
    pub fn waiting(&self) -> bool {
        self.open && self.to_ack_ms.is_none()
    }

    /// Its place in a window: opening millisecond, then id (the order the index keeps).
    pub fn order(&self) -> (i64, &str) {
        (self.opened_at.timestamp_millis(), self.id.as_str())
    }
}

/// Troubles and our share, counted so that a trouble counted can be taken out again: each
/// currency keeps how many troubles brought it (a zero share still names its currency).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub troubles: u64,
    pub open: u64,
    /// Per currency: our share summed, and over how many troubles.
    pub ours: BTreeMap<Currency, (i64, u64)>,
}

impl Counts {
    fn add(&mut self, r: &StatsRow) {
        self.troubles += 1;
        self.open += u64::from(r.open);
        for (c, minor) in &r.ours {
            let (sum, n) = self.ours.entry(*c).or_insert((0, 0));
            *sum = sum.saturating_add(*minor);
            *n += 1;
        }
    }

    /// False when `r` cannot have been counted here (then nothing is changed).
    fn remove(&mut self, r: &StatsRow) -> bool {
        let counted = self.troubles > 0
            && self.open >= u64::from(r.open)
            && r.ours.keys().all(|c| self.ours.get(c).is_some_and(|(_, n)| *n > 0));
        if counted {
            self.troubles -= 1;
            self.open -= u64::from(r.open);
            for (c, minor) in &r.ours {
                let entry = self.ours.get_mut(c).expect("checked above");
                entry.0 = entry.0.saturating_sub(*minor);
                entry.1 -= 1;
                if entry.1 == 0 {
                    self.ours.remove(c);
                }
            }
        }
        counted
    }

    fn merge(&mut self, other: &Counts) {
        self.troubles += other.troubles;
        self.open += other.open;
        for (c, (minor, n)) in &other.ours {
            let (sum, count) = self.ours.entry(*c).or_insert((0, 0));
            *sum = sum.saturating_add(*minor);
            *count += n;
        }
    }

    fn group(&self, name: String) -> Group {
        Group {
            name,
            troubles: self.troubles as usize,
            open: self.open as usize,
            ours: self.ours.iter().map(|(c, (minor, _))| (*c, *minor)).collect(),
        }
    }
}

/// One customer's counts (under its alias-free key) and its spelling in the first of its
/// troubles, by the window's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub first: (i64, String),
    pub name: String,
    pub counts: Counts,
}

impl Named {
    pub fn of(r: &StatsRow) -> Named {
        let (at, id) = r.order();
        let mut counts = Counts::default();
        counts.add(r);
        Named {
            first: (at, id.to_string()),
            name: r.customer.clone(),
            counts,
        }
    }

    pub fn add(&mut self, r: &StatsRow) {
        let (at, id) = r.order();
        if (at, id) < (self.first.0, self.first.1.as_str()) {
            self.first = (at, id.to_string());
            self.name = r.customer.clone();
        }
        self.counts.add(r);
    }

    /// False when `r` cannot be taken out exactly: not counted here, or the first of several
    /// (the next first is not kept).
    pub fn remove(&mut self, r: &StatsRow) -> bool {
        let (at, id) = r.order();
        let first = (at, id) == (self.first.0, self.first.1.as_str());
        if first && self.counts.troubles > 1 {
            return false;
        }
        self.counts.remove(r)
    }

    fn merge(&mut self, other: &Named) {
        self.merge_parts((other.first.0, &other.first.1), &other.name, &other.counts);
    }

    /// [`Named::merge`] of another's parts, borrowed: copied only if they name the group.
    fn merge_parts(&mut self, first: (i64, &str), name: &str, counts: &Counts) {
        if first < (self.first.0, self.first.1.as_str()) {
            self.first = (first.0, first.1.to_string());
            self.name = name.to_string();
        }
        self.counts.merge(counts);
    }
}

/// The durations and the counts by severity of some troubles (the store keeps one per day,
/// the customers beside it as [`Named`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Per measure (see [`MEASURES`]): the durations, ascending.
    pub durations: Vec<Vec<i64>>,
    pub by_severity: BTreeMap<Severity, Counts>,
    /// How many are open and waiting for an acknowledgement ([`StatsRow::waiting`]).
    pub waiting: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            durations: vec![Vec::new(); MEASURES],
            by_severity: BTreeMap::new(),
            waiting: 0,
        }
    }
}

impl Tally {
    pub fn add(&mut self, r: &StatsRow) {
        for (list, value) in self.durations.iter_mut().zip(r.measures()) {
            if let Some(v) = value {
                let at = list.partition_point(|x| *x < v);
                list.insert(at, v);
            }
        }
        self.by_severity.entry(r.severity).or_default().add(r);
        self.waiting += u64::from(r.waiting());
    }

    /// False when `r` cannot have been counted here (then the tally is not to be trusted).
    pub fn remove(&mut self, r: &StatsRow) -> bool {
        if self.waiting < u64::from(r.waiting()) {
            return false;
        }
        for (list, value) in self.durations.iter_mut().zip(r.measures()) {
            if let Some(v) = value {
                match list.binary_search(&v) {
                    Ok(at) => {
                        list.remove(at);
                    }
                    Err(_) => return false,
                }
            }
        }
        let Some(counts) = self.by_severity.get_mut(&r.severity) else {
            return false;
        };
        if !counts.remove(r) {
            return false;
        }
        if counts.troubles == 0 {
            self.by_severity.remove(&r.severity);
        }
        self.waiting -= u64::from(r.waiting());
        true
    }

    pub fn is_empty(&self) -> bool {
        self.by_severity.is_empty()
    }
}

/// Many troubles summed: what [`stats`] reads from the store's per-day aggregates, plus the
/// troubles it counts one by one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summed {
    pub tally: Tally,
    /// By the customer's alias-free key ([`super::customer::normalize`]).
    pub customers: std::collections::HashMap<String, Named>,
}

impl Summed {
    /// Adds one trouble, its durations appended unsorted as [`Summed::merge_tally`] appends
    /// a day's: [`spread`] sorts. (Inserting each in order moved most of the list each time
    /// once the whole days' durations were in it.)
    pub fn add(&mut self, r: &StatsRow) {
        for (list, value) in self.tally.durations.iter_mut().zip(r.measures()) {
            list.extend(value);
        }
        self.tally.by_severity.entry(r.severity).or_default().add(r);
        self.tally.waiting += u64::from(r.waiting());
        match self.customers.entry(super::customer::normalize(&r.customer)) {
            std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().add(r),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Named::of(r));
            }
        }
    }

    /// Adds a day's (or any) tally, its durations appended unsorted: [`spread`] sorts.
    pub fn merge_tally(&mut self, other: &Tally) {
        for (list, more) in self.tally.durations.iter_mut().zip(&other.durations) {
            list.extend_from_slice(more);
        }
        for (level, counts) in &other.by_severity {
            self.tally.by_severity.entry(*level).or_default().merge(counts);
        }
        self.tally.waiting += other.waiting;
    }

    /// Adds a customer's counts (as a day's chunk holds them) under its alias-free `key`,
    /// borrowed: a customer already here takes them without a copy of its key or names.
    pub fn merge_customer(&mut self, key: &str, first: (i64, &str), name: &str, counts: &Counts) {
        match self.customers.get_mut(key) {
            Some(named) => named.merge_parts(first, name, counts),
            None => {
                self.customers.insert(
                    key.to_string(),
                    Named {
                        first: (first.0, first.1.to_string()),
                        name: name.to_string(),
                        counts: counts.clone(),
                    },
                );
            }
        }
    }
}

/// Whether a trouble opened `at` is in the window of the last `days` before `now`.
fn in_window(at: DateTime<Utc>, days: u32, now: DateTime<Utc>) -> bool {
    at >= now - Duration::days(days.into()) && at <= now
}

/// The numbers over the troubles opened in the last `days` before `now`. The caller passes only
/// the troubles the asker may see; `customer_key` takes a customer's alias-free key
/// ([`super::customer::normalize`] of its name) to its group's (the `[customers]` aliases).
pub fn stats(rows: &[StatsRow], days: u32, now: DateTime<Utc>, customer_key: impl Fn(&str) -> String) -> Stats {
    stats_with(Summed::default(), rows, days, now, customer_key)
}

/// [`stats`] over `summed` (troubles already known to be in the window and visible, as the
/// store's aggregates of whole days give them) and `rows`, filtered to the window here.
pub fn stats_with(
    mut summed: Summed,
    rows: &[StatsRow],
    days: u32,
    now: DateTime<Utc>,
    customer_key: impl Fn(&str) -> String,
) -> Stats {
    for r in rows.iter().filter(|t| in_window(t.opened_at, days, now)) {
        summed.add(r);
    }
    let Summed { tally, customers } = summed;
    let mut spreads = tally
        .durations
        .into_iter()
        .map(|list| spread(list.into_iter().map(Duration::milliseconds).collect()));
    let to_ack = spreads.next().flatten();
    let to_first_contact = spreads.next().flatten();
    let stage_lead = spreads.collect();
    // Spellings whose alias-free keys the aliases join: the earliest trouble names the group.
    let mut joined: BTreeMap<String, Named> = BTreeMap::new();
    for (key, named) in customers {
        match joined.entry(customer_key(&key)) {
            std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().merge(&named),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(named);
            }
        }
    }
    let troubles = tally.by_severity.values().map(|c| c.troubles as usize).sum();
    Stats {
        days,
        troubles,
        to_ack,
        waiting: usize::try_from(tally.waiting).unwrap_or(usize::MAX),
        to_first_contact,
        stage_lead,
        by_customer: joined
            .into_iter()
            .map(|(key, named)| (key, named.counts.group(named.name)))
            .collect(),
        by_severity: tally
            .by_severity
            .iter()
            .map(|(level, counts)| (*level, counts.group(String::new())))
            .collect(),
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
    fn the_customers_with_the_most_troubles_come_first_and_the_others_are_summed() {
        let troubles = [
            trouble("Initech", 1, 0, 10, 30, "¥100"),
            trouble("ACME", 1, 10, 20, 30, "¥1,000"),
            trouble("Globex", 2, 20, 30, 40, "$5"),
            trouble("ACME", 2, 30, 40, 50, "¥0"),
            trouble("Umbrella", 3, 40, 50, 60, "¥200"),
        ];
        let rows: Vec<StatsRow> = troubles.iter().map(StatsRow::from).collect();
        let s = stats(&rows, 30, at(1000), |c| c.to_string());
        let names = |groups: &[&Group]| groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>();
        let (listed, others) = s.top_customers(2);
        assert_eq!(names(&listed), ["ACME", "Globex"], "most troubles, then by key");
        let (count, summed) = others.expect("two more customers");
        assert_eq!((count, summed.troubles, summed.open), (2, 2, 2));
        assert_eq!(summed.ours, BTreeMap::from([(Currency::Jpy, 300)]));
        let (listed, others) = s.top_customers(4);
        assert_eq!(names(&listed), ["ACME", "Globex", "Initech", "Umbrella"]);
        assert_eq!(others, None);
    }

    #[test]
    fn troubles_older_than_the_window_are_left_out() {
        let troubles = [trouble("ACME", 1, 0, 10, 30, "¥1")];
        let rows: Vec<StatsRow> = troubles.iter().map(StatsRow::from).collect();
        let s = stats(&rows, 1, at(3 * 24 * 60), |c| c.to_string());
        assert_eq!(s.troubles, 0);
        assert_eq!(s.to_ack, None);
    }

    #[test]
    fn troubles_summed_ahead_and_counted_one_by_one_give_what_counting_all_one_by_one_gives() {
        let troubles = [
            trouble("ACME", 1, 0, 10, 30, "¥100,000"),
            trouble("Globex", 2, 200, 290, 320, "$1,000"),
            trouble("acme", 2, 100, 130, 160, "¥50,000"),
            trouble("Initech", 3, 300, 300, 400, "¥0"),
        ];
        let rows: Vec<StatsRow> = troubles.iter().map(StatsRow::from).collect();
        let key = |c: &str| crate::trouble::customer::normalize(c);
        let one_by_one = stats(&rows, 30, at(1000), key);
        for split in 0..=rows.len() {
            // The first `split` summed ahead (as whole days are), the rest counted here.
            let mut summed = Summed::default();
            let mut day = Tally::default();
            for r in &rows[..split] {
                day.add(r);
                let named = Named::of(r);
                summed.merge_customer(
                    &key(&r.customer),
                    (named.first.0, &named.first.1),
                    &named.name,
                    &named.counts,
                );
            }
            summed.merge_tally(&day);
            assert_eq!(
                stats_with(summed, &rows[split..], 30, at(1000), key),
                one_by_one,
                "{split} summed"
            );
        }
        // The group is named by its earliest trouble whichever part holds it; a zero share
        // still names its currency.
        assert_eq!(one_by_one.by_customer["acme"].name, "ACME");
        assert_eq!(one_by_one.by_customer["initech"].ours[&Currency::Jpy], 0);
    }

    #[test]
    fn a_trouble_taken_out_of_a_tally_leaves_it_as_it_was_and_one_never_counted_is_refused() {
        let rows: Vec<StatsRow> = [
            trouble("ACME", 1, 0, 10, 30, "¥100,000"),
            trouble("ACME", 2, 100, 130, 160, "$5"),
        ]
        .iter()
        .map(StatsRow::from)
        .collect();
        let mut tally = Tally::default();
        tally.add(&rows[0]);
        let before = tally.clone();
        tally.add(&rows[1]);
        assert!(tally.remove(&rows[1]));
        assert_eq!(tally, before);
        assert!(!tally.clone().remove(&rows[1]), "never counted");

        let mut named = Named::of(&rows[0]);
        named.add(&rows[1]);
        assert!(
            !named.clone().remove(&rows[0]),
            "the first of two: the next name is not kept"
        );
        assert!(named.remove(&rows[1]));
        assert_eq!(named, Named::of(&rows[0]));
    }

    #[test]
    fn the_open_troubles_waiting_for_an_acknowledgement_are_those_of_the_window_nobody_acknowledged() {
        let mut waiting = trouble("ACME", 1, 100, 110, 120, "¥1");
        waiting.ack = None;
        let acknowledged = trouble("ACME", 1, 200, 210, 220, "¥1");
        let mut too_old = trouble("ACME", 1, -3 * 24 * 60, 0, 0, "¥1");
        too_old.ack = None;
        let mut closed_unanswered = trouble("ACME", 1, 300, 310, 320, "¥1");
        closed_unanswered.ack = None;
        let mut rows: Vec<StatsRow> = [&waiting, &acknowledged, &too_old, &closed_unanswered]
            .into_iter()
            .map(StatsRow::from)
            .collect();
        rows[3].open = false;
        let s = stats(&rows, 1, at(1000), |c| c.to_string());
        assert_eq!((s.troubles, s.waiting), (3, 1));

        // Summed ahead in a day's tally, taken out again when acknowledged.
        let mut day = Tally::default();
        day.add(&rows[0]);
        let mut summed = Summed::default();
        summed.merge_tally(&day);
        assert_eq!(stats_with(summed, &[], 1, at(1000), |c| c.to_string()).waiting, 1);
        assert!(day.remove(&rows[0]));
        assert_eq!(day.waiting, 0);
        assert!(!day.remove(&rows[0]), "never counted twice");

        // The waiting never outnumber those not acknowledged.
        let mut s = stats(&rows[..2], 1, at(1000), |c| c.to_string());
        s.waiting = 3;
        assert_eq!(s.not_acknowledged(), (1, 1));
    }
}
