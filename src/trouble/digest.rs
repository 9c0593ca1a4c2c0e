//! The manager's weekly digest: when it falls due (Monday 09:00, or the week's first business day) and what each manager in any chain is told of the troubles they may see.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::actions::{Action, ActionKind};
use super::approval::{approvers, Proposal, ProposalState};
use super::decide::{may_see, Decision, Delivery, Dest, Lane, Message, Op, Timer, TimerKind};
use super::hours::{is_open, local_date, local_to_utc, next_open};
use super::model::{Trouble, TroubleId, UserId};
use super::policy::Policy;

/// The local time the digest goes out on its day.
pub const DIGEST_HOUR: u32 = 9;

/// Effectiveness checks falling due before the next digest are listed in this one.
pub const LOOK_AHEAD_DAYS: i64 = 7;

/// A week's digest for one manager: the troubles whose chain they are in and may see.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagerDigest<'a> {
    pub manager: UserId,
    /// Who reads it: the manager, or the one above them in `[org]` standing in while Slack
    /// refuses the manager's DMs for good (`refused`). "You" in its rows is the reader.
    pub reader: UserId,
    /// Slack's refusal of the manager's DMs, when the reader stands in for them.
    pub refused: Option<DmRefused>,
    /// The local date the digest is for (its Monday, or the business day it moved to).
    pub day: NaiveDate,
    /// Every open trouble of theirs, most severe first, then oldest first.
    pub open: Vec<&'a Trouble>,
    /// Open and nobody in the chain has acknowledged them.
    pub unacknowledged: Vec<&'a Trouble>,
    /// The customer is owed an update: since when.
    pub updates_overdue: Vec<(&'a Trouble, DateTime<Utc>)>,
    /// Actions past their due date and not done, a closed trouble's too: a close leaves its
    /// open actions their owners' work (reminded, marked done after it), and one left open at
    /// a forced close is still someone's to finish.
    pub actions_overdue: Vec<ActionRef<'a>>,
    /// Closed troubles whose prevention actions are to be checked before the next digest; an
    /// action overdue too is listed once, among the overdue, its row noting the check.
    pub checks_due: Vec<ActionRef<'a>>,
    /// Proposals still waiting for approval, and for whom.
    pub proposals: Vec<Waiting<'a>>,
}

/// Action `n` (1-based, as the channel numbers them) of a trouble.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionRef<'a> {
    pub trouble: &'a Trouble,
    pub n: usize,
    pub action: &'a Action,
    /// Its effectiveness check, when due before the next digest: the checks section's date, and
    /// what an overdue action's row notes, as the action is listed once.
    pub check: Option<DateTime<Utc>>,
}

/// A proposal waiting for its `approvers`, the first first (none: the trouble has no manager
/// chain to approve it).
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting<'a> {
    pub trouble: &'a Trouble,
    pub proposal: &'a Proposal,
    pub approvers: Vec<UserId>,
}

impl ManagerDigest<'_> {
    /// Nothing open, no action overdue and no check due: no DM. A weekly "nothing to report" would teach managers to
    /// skim past the bot's DMs, which also carry escalations that cannot wait; the App Home
    /// shows the current state whenever they look.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.actions_overdue.is_empty() && self.checks_due.is_empty()
    }

    /// Only the rows of troubles `reader` may see: a stand-in reads the manager's digest, and a
    /// manager may be in a private trouble's chain as a colleague the rep named, whose own
    /// manager does not take part in it.
    fn seen_by(mut self, policy: &Policy, reader: &UserId) -> Self {
        let sees = |t: &Trouble| may_see(policy, t, reader);
        self.open.retain(|t| sees(t));
        self.unacknowledged.retain(|t| sees(t));
        self.updates_overdue.retain(|(t, _)| sees(t));
        self.actions_overdue.retain(|a| sees(a.trouble));
        self.checks_due.retain(|a| sees(a.trouble));
        self.proposals.retain(|w| sees(w.trouble));
        self
    }
}

/// A DM about no trouble (a digest, an answer) Slack refused someone for good for their own
/// reason (no such person, not visible to the bot; never the app's missing permission, which
/// refuses everyone alike): remembered bot-wide, so their digest goes to the one above them
/// until a DM to them goes through again. Every field has a default: older records load.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DmRefused {
    /// Slack's error code.
    pub error: String,
    /// When Slack refused the DM.
    pub at: DateTime<Utc>,
}

/// What the digest's timer names where a trouble's timer names its trouble: one job, one timer.
pub const TIMER_NAME: &str = "_weekly_digest";

/// The digest's timer, due `at`.
pub fn digest_timer(at: DateTime<Utc>) -> Timer {
    Timer {
        due: at,
        trouble: TroubleId::new(TIMER_NAME),
        kind: TimerKind::WeeklyDigest,
    }
}

/// What a digest firing decides: the DMs and the next timer, and the managers whose rows went
/// to nobody (Slack refuses them DMs and nobody above them in `[org]` may be DMed), for the
/// shell to warn of and count.
pub struct Fired {
    pub decision: Decision,
    pub unread: Vec<UserId>,
}

/// The digest falls due: a DM to each manager with something in theirs (rendered by the shell's
/// `render`), and the next digest's timer. A manager in `refused` (Slack refuses them DMs for
/// good) is not DMed: their digest goes to the first above them in `[org]` not refused too.
pub fn fire(
    policy: &Policy,
    now: DateTime<Utc>,
    troubles: &[Trouble],
    refused: &BTreeMap<UserId, DmRefused>,
    update_due: impl Fn(&Trouble) -> DateTime<Utc>,
    render: impl Fn(&ManagerDigest) -> String,
) -> Fired {
    let mut unread = Vec::new();
    let deliveries = weekly(policy, now, troubles, update_due)
        .into_iter()
        .filter_map(|mut d| {
            if let Some(refusal) = refused.get(&d.manager) {
                let Some(above) = stand_in(policy, &d.manager, refused) else {
                    unread.push(d.manager.clone());
                    return None;
                };
                d = d.seen_by(policy, &above);
                d.reader = above;
                d.refused = Some(refusal.clone());
                if d.is_empty() {
                    return None;
                }
            }
            Some(Delivery {
                lane: Lane::Dm,
                op: Op::Post {
                    to: Dest::Dm(d.reader.clone()),
                    message: Message::Text { text: render(&d) },
                    keep_as: None,
                },
            })
        })
        .collect();
    Fired {
        decision: Decision {
            deliveries,
            timers: vec![digest_timer(next_digest(policy, now))],
            ..Decision::default()
        },
        unread,
    }
}

/// Who reads refused `manager`'s digest: the first above them in `[org]` (`manager_of`, the
/// default manager too) whom Slack has not refused; None when the chain runs out (or loops).
pub fn stand_in(policy: &Policy, manager: &UserId, refused: &BTreeMap<UserId, DmRefused>) -> Option<UserId> {
    let mut seen = vec![manager.clone()];
    let mut current = manager.clone();
    while let Some(above) = policy.manager_of(&current) {
        if seen.contains(&above) {
            return None;
        }
        if !refused.contains_key(&above) {
            return Some(above);
        }
        seen.push(above.clone());
        current = above;
    }
    None
}

/// Whether `[org]` still lists `user` (as someone's manager, as reporting to someone, or as the
/// default manager): a refusal of someone it no longer lists is forgotten.
pub fn in_org(policy: &Policy, user: &UserId) -> bool {
    policy.default_manager.as_ref() == Some(user)
        || policy
            .managers
            .iter()
            .any(|(report, boss)| report == user || boss == user)
}

/// A digest due outside business hours (missed while the bot was down, and fired on its
/// return at night or at a weekend) waits for the next opening, which is never later than the
/// regular digest after it: only its timer is set. None when it may go now.
pub fn held_till_opening(policy: &Policy, now: DateTime<Utc>) -> Option<Decision> {
    let (hours, tz) = (policy.business_hours.as_ref(), policy.timezone);
    if is_open(hours, tz, now) {
        return None;
    }
    Some(Decision {
        timers: vec![digest_timer(next_open(hours, tz, now))],
        ..Decision::default()
    })
}

/// When the digest after `now` is due: 09:00 local on the first business day of a week (Monday,
/// or the next business day when Monday is a holiday), strictly after `now`.
pub fn next_digest(policy: &Policy, now: DateTime<Utc>) -> DateTime<Utc> {
    let tz = policy.timezone;
    let today = local_date(tz, now);
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let at_nine = NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).expect("valid time");
    // A year of weeks without a business day is a broken schedule: fall back to a week on.
    for week in 0..=53u64 {
        let start = monday + Days::new(7 * week);
        let Some(day) = first_business_day(policy, start) else {
            continue;
        };
        let Some(at) = local_to_utc(tz, day.and_time(at_nine)) else {
            continue;
        };
        if at > now {
            return at;
        }
    }
    now + Duration::days(7)
}

/// The first business day of the week starting `monday`; None when the whole week is closed.
fn first_business_day(policy: &Policy, monday: NaiveDate) -> Option<NaiveDate> {
    let schedule = policy.business_hours.as_ref();
    (0..7u64)
        .map(|i| monday + Days::new(i))
        .find(|day| schedule.is_none_or(|h| h.days.contains(&day.weekday()) && !h.holidays.contains(day)))
}

/// Everyone the digest goes to: the configured chains (every manager in the org table and the
/// default manager, with the chains above them) and the managers named on the troubles.
pub fn managers<'a>(policy: &Policy, troubles: impl IntoIterator<Item = &'a Trouble>) -> BTreeSet<UserId> {
    let mut all = BTreeSet::new();
    for m in policy.managers.values().chain(policy.default_manager.iter()) {
        all.extend(policy.chain_from(m));
    }
    for t in troubles {
        all.extend(t.manager.iter().cloned());
        all.extend(t.manager_chain().iter().cloned());
        all.extend(t.escalation.asked_outside().cloned());
    }
    all
}

/// Whether the digest at `now` speaks of `t`: open, or closed with an action overdue or an
/// effectiveness check due within the week ahead. The store reads only these for the digest.
pub fn speaks_of(t: &Trouble, now: DateTime<Utc>) -> bool {
    let horizon = now + Duration::days(LOOK_AHEAD_DAYS);
    t.is_open()
        || t.substance
            .actions
            .iter()
            .any(|a| overdue(a, now) || check_due(a, horizon))
}

/// An action not done (nor cancelled) whose due date passed before `now`.
fn overdue(a: &Action, now: DateTime<Utc>) -> bool {
    a.is_open() && a.due.is_some_and(|d| d < now)
}

/// A recurrence-prevention measure whose effectiveness is still to be confirmed by `horizon`;
/// a cancelled one never is (the close asks no check of it either).
fn check_due(a: &Action, horizon: DateTime<Utc>) -> bool {
    a.kind == ActionKind::Prevent
        && a.cancelled.is_none()
        && a.effective.is_none()
        && a.check.is_some_and(|c| c <= horizon)
}

/// The actions of `troubles` that `pick` picks, in that order, each with its check when due by
/// `horizon`.
fn actions_where<'a>(
    troubles: impl Iterator<Item = &'a Trouble>,
    horizon: DateTime<Utc>,
    pick: impl Fn(&Action) -> bool,
) -> Vec<ActionRef<'a>> {
    troubles
        .flat_map(|t| {
            let numbered = t.substance.actions.iter().enumerate();
            numbered
                .filter(|(_, a)| pick(a))
                .map(move |(i, action)| ActionRef {
                    trouble: t,
                    n: i + 1,
                    action,
                    check: action.check.filter(|_| check_due(action, horizon)),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The week's digests at `now`, one per manager with something in it, in manager order.
/// `update_due` says when a trouble's customer is next owed an update.
pub fn weekly<'a>(
    policy: &Policy,
    now: DateTime<Utc>,
    troubles: &'a [Trouble],
    update_due: impl Fn(&Trouble) -> DateTime<Utc>,
) -> Vec<ManagerDigest<'a>> {
    let day = local_date(policy.timezone, now);
    let horizon = now + Duration::days(LOOK_AHEAD_DAYS);
    // Most severe first, then oldest first.
    let mut sorted: Vec<&Trouble> = troubles.iter().collect();
    sorted.sort_by(|a, b| (a.severity, a.opened_at, a.id.as_str()).cmp(&(b.severity, b.opened_at, b.id.as_str())));
    let open: Vec<&Trouble> = sorted.iter().copied().filter(|t| t.is_open()).collect();
    // An open trouble's first: the section shows a few rows, and a closed trouble's forgotten
    // measure must not push out of sight the action a customer is still waiting on.
    let overdue_actions = actions_where(
        open.iter()
            .copied()
            .chain(sorted.iter().copied().filter(|t| !t.is_open())),
        horizon,
        |a| overdue(a, now),
    );
    // An action both overdue and with its check due is listed once: among the overdue, the
    // more urgent (a measure not yet in place cannot be checked), its row noting the check.
    let checks = actions_where(troubles.iter().filter(|t| !t.is_open()), horizon, |a| {
        check_due(a, horizon) && !overdue(a, now)
    });
    // Its manager and chain, and the owner's manager a fixed `[org]` names, asked from outside
    // the chain ([`Escalation::asked_outside`]): the bot asked them, and they may acknowledge it.
    let concerns = |t: &Trouble, m: &UserId| {
        let chain = t.manager.as_ref() == Some(m) || t.manager_chain().contains(m);
        (chain && may_see(policy, t, m)) || t.escalation.asked_outside() == Some(m)
    };
    // Open, or closed with a check due or an action overdue: listed (one pass, not a search of
    // the lists per trouble, and no copy of them).
    let everyone = managers(policy, troubles.iter().filter(|t| speaks_of(t, now)));
    everyone
        .into_iter()
        .map(|m| {
            let mine: Vec<&Trouble> = open.iter().copied().filter(|t| concerns(t, &m)).collect();
            let mut checks_due: Vec<ActionRef> = checks.iter().filter(|c| concerns(c.trouble, &m)).cloned().collect();
            checks_due.sort_by_key(|c| c.action.check);
            ManagerDigest {
                day,
                unacknowledged: mine.iter().copied().filter(|t| t.ack.is_none()).collect(),
                updates_overdue: mine
                    .iter()
                    .map(|t| (*t, update_due(t)))
                    .filter(|(_, due)| *due <= now)
                    .collect(),
                actions_overdue: overdue_actions
                    .iter()
                    .filter(|a| concerns(a.trouble, &m))
                    .cloned()
                    .collect(),
                proposals: mine
                    .iter()
                    .flat_map(|t| {
                        t.agreement
                            .proposals
                            .iter()
                            .filter(|p| matches!(p.state, ProposalState::Proposed))
                            .map(move |p| Waiting {
                                trouble: t,
                                proposal: p,
                                approvers: approvers(policy, t, p),
                            })
                    })
                    .collect(),
                checks_due,
                open: mine,
                reader: m.clone(),
                refused: None,
                manager: m,
            }
        })
        .filter(|d| !d.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::hours::BusinessHours;
    use chrono::Weekday;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn config(holidays: &[&str]) -> Policy {
        let mut c = Policy::default();
        c.managers.insert(UserId::new("U0SALES"), UserId::new("U0MANAGER"));
        c.managers.insert(UserId::new("U0MANAGER"), UserId::new("U0DIRECTOR"));
        c.managers.insert(UserId::new("U0OTHER"), UserId::new("U0BOSS"));
        if !holidays.is_empty() {
            c.business_hours = Some(BusinessHours {
                days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
                open: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                close: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
                holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
            });
        }
        c
    }

    /// A trouble opened Monday 2026-11-30 10:00 Tokyo, in `manager`'s chain.
    fn trouble(id: &str, severity: u8, manager: &str, private: bool) -> Trouble {
        let json = serde_json::json!({
            "id": id, "seq": 1, "customer": "ACME", "summary": "s", "severity": severity,
            "owner": "U0SALES", "manager": manager, "departments": [],
            "origin": {"channel": "C1", "response_url": null}, "opened_at": at("2026-11-30T01:00:00Z"),
            "channel": "C9", "channel_name": "trouble-x", "kickoff": null, "status": null, "manager_dm": null, "origin_notice": null,
            "stages": (0..7).map(|_| serde_json::json!({"state": "not_started", "started_at": null, "done_at": null, "done_by": null, "notes": []})).collect::<Vec<_>>(),
            "ack": null,
            "escalation": {"chain": [manager, "U0DIRECTOR"], "level": 0, "round": 1, "top_repings": 0, "gave_up": false},
            "customer_updates": [], "split": null, "costs": [], "measures": [], "closed": null,
            "timeline_len": 0, "timeline_head": "", "status_refresh_queued": false, "followup_epoch": 0,
            "private": private,
        });
        serde_json::from_value(json).expect("fixture trouble")
    }

    #[test]
    fn the_digest_falls_on_monday_nine_or_the_weeks_first_business_day() {
        let plain = config(&[]);
        // (now, expected) in UTC; Tokyo is UTC+9, so 09:00 there is 00:00 UTC.
        let table = [
            ("2026-11-30T01:00:00Z", "2026-12-07T00:00:00Z"), // Monday 10:00: next week
            ("2026-11-29T23:59:00Z", "2026-11-30T00:00:00Z"), // Monday 08:59: this morning
            ("2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z"), // exactly 09:00: the next one
            ("2026-12-05T12:00:00Z", "2026-12-07T00:00:00Z"), // Saturday
        ];
        for (now, expected) in table {
            assert_eq!(next_digest(&plain, at(now)), at(expected), "from {now}");
        }
        let holiday = config(&["2026-12-07"]);
        assert_eq!(
            next_digest(&holiday, at("2026-12-01T00:00:00Z")),
            at("2026-12-08T00:00:00Z")
        );
        // Fired on the Tuesday it moved to, the next one is the Monday after.
        assert_eq!(
            next_digest(&holiday, at("2026-12-08T00:00:00Z")),
            at("2026-12-14T00:00:00Z")
        );
        // A week with no business day at all is skipped.
        let week_off = config(&["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"]);
        assert_eq!(
            next_digest(&week_off, at("2026-12-01T00:00:00Z")),
            at("2026-12-14T00:00:00Z")
        );
    }

    #[test]
    fn each_manager_gets_the_troubles_of_their_chain_they_may_see() {
        let c = config(&[]);
        let mut other = trouble("t-2", 1, "U0BOSS", true);
        other.escalation.chain = vec![UserId::new("U0BOSS")];
        let troubles = [
            trouble("t-1", 2, "U0MANAGER", false),
            other,
            trouble("t-3", 1, "U0MANAGER", false),
        ];
        let now = at("2026-12-07T00:00:00Z");
        let digests = weekly(&c, now, &troubles, |t| t.opened_at + Duration::hours(4));
        let of = |m: &str| digests.iter().find(|d| d.manager.as_str() == m);
        let ids = |d: &ManagerDigest| d.open.iter().map(|t| t.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(of("U0MANAGER").unwrap()), ["t-3", "t-1"], "most severe first");
        assert_eq!(ids(of("U0DIRECTOR").unwrap()), ["t-3", "t-1"], "the chain above too");
        assert_eq!(ids(of("U0BOSS").unwrap()), ["t-2"]);
        // The private trouble is not in the director's digest: they are not in its chain.
        assert_eq!(of("U0MANAGER").unwrap().unacknowledged.len(), 2);
        assert_eq!(of("U0MANAGER").unwrap().updates_overdue.len(), 2);
        // Nothing open for them: no digest at all.
        assert!(of("U0SALES").is_none());
        assert!(of("U0OTHER").is_none());
    }

    #[test]
    fn a_private_trouble_outside_a_managers_chain_is_not_in_their_digest() {
        let c = config(&[]);
        let mut t = trouble("t-1", 1, "U0MANAGER", true);
        // The manager field names someone the chain no longer holds (reassigned): not theirs.
        t.manager = Some(UserId::new("U0DIRECTOR"));
        t.escalation.chain = vec![UserId::new("U0DIRECTOR")];
        let troubles = [t];
        let digests = weekly(&c, at("2026-12-07T00:00:00Z"), &troubles, |t| t.opened_at);
        assert!(digests.iter().all(|d| d.manager.as_str() != "U0MANAGER"));
        assert_eq!(digests.len(), 1);
    }

    #[test]
    fn overdue_actions_waiting_proposals_and_due_checks_are_listed() {
        let c = config(&[]);
        let now = at("2026-12-07T00:00:00Z");
        let mut open = trouble("t-1", 2, "U0MANAGER", false);
        let action = |due: &str, done: bool, kind: &str, check: Option<&str>| {
            serde_json::from_value::<Action>(serde_json::json!({
                "kind": kind, "text": "fix the mold", "owner": "U0SALES", "due": at(due), "check": check.map(at),
                "by": "U0SALES", "at": at("2026-11-30T01:00:00Z"),
                "done": done.then(|| serde_json::json!({"by": "U0SALES", "at": at(due), "note": ""})),
                "verified": null, "effective": null,
            }))
            .expect("fixture action")
        };
        open.substance.actions = vec![
            action("2026-12-04T00:00:00Z", false, "interim", None),
            action("2026-12-04T00:00:00Z", true, "interim", None),
            action("2026-12-09T00:00:00Z", false, "permanent", None),
        ];
        open.agreement.proposals = vec![serde_json::from_value(serde_json::json!({
            "n": 1, "item": {"item": "split"}, "by": "U0SALES", "at": at("2026-12-01T00:00:00Z"),
            "level": 1, "crossed": [], "state": {"state": "proposed"},
        }))
        .unwrap()];
        let mut closed = trouble("t-2", 3, "U0MANAGER", false);
        closed.closed = Some(serde_json::from_value(serde_json::json!({"by": "U0MANAGER", "at": at("2026-12-01T00:00:00Z"), "forced_reason": null, "note": ""})).unwrap());
        closed.substance.actions = vec![
            action("2026-12-01T00:00:00Z", true, "prevent", Some("2026-12-10T00:00:00Z")),
            action("2026-12-01T00:00:00Z", true, "prevent", Some("2027-01-10T00:00:00Z")),
            // Overdue with its check due this week: listed once, among the overdue.
            action("2026-12-01T00:00:00Z", false, "prevent", Some("2026-12-09T00:00:00Z")),
            // Cancelled, its check due this week: never checked, so not listed.
            Action {
                cancelled: serde_json::from_value(
                    serde_json::json!({"by": "U0SALES", "at": at("2026-11-30T02:00:00Z"), "note": "duplicate"}),
                )
                .unwrap(),
                ..action("2026-12-01T00:00:00Z", false, "prevent", Some("2026-12-08T00:00:00Z"))
            },
        ];
        let troubles = [open, closed];
        let digests = weekly(&c, now, &troubles, |_| now + Duration::hours(1));
        let d = digests.iter().find(|d| d.manager.as_str() == "U0MANAGER").unwrap();
        assert_eq!(d.open.len(), 1);
        assert!(d.updates_overdue.is_empty());
        assert_eq!(
            d.actions_overdue
                .iter()
                .map(|a| (a.trouble.id.as_str(), a.n, a.check))
                .collect::<Vec<_>>(),
            [("t-1", 1, None), ("t-2", 3, Some(at("2026-12-09T00:00:00Z")))]
        );
        assert_eq!(
            d.checks_due
                .iter()
                .map(|a| (a.trouble.id.as_str(), a.n))
                .collect::<Vec<_>>(),
            [("t-2", 1)]
        );
        assert_eq!(d.proposals.len(), 1);
        // Level 1: the director decides, and the manager's digest says so.
        assert_eq!(d.proposals[0].approvers.first().map(|u| u.as_str()), Some("U0DIRECTOR"));

        // What the store reads for the digest: the open one and the closed one with a check due
        // this week; a closed one whose only check is next month is left unread.
        assert!(troubles.iter().all(|t| speaks_of(t, now)));
        let mut later = troubles[1].clone();
        later.substance.actions.truncate(2);
        later.substance.actions.remove(0);
        assert!(!speaks_of(&later, now));
        // Nor does the digest read it for a cancelled measure's check.
        later.substance.actions.push(troubles[1].substance.actions[3].clone());
        assert!(!speaks_of(&later, now));
    }

    /// A close leaves an action its owner's work: overdue after a forced close (or an ordinary
    /// one), it is listed, and a manager with nothing else open still gets the digest.
    #[test]
    fn an_overdue_action_a_close_left_open_is_listed_and_its_trouble_read() {
        let c = config(&[]);
        let now = at("2026-12-07T00:00:00Z");
        let action = |due: &str, done: bool| {
            serde_json::from_value::<Action>(serde_json::json!({
                "kind": "interim", "text": "sort the stock", "owner": "U0SALES", "due": at(due), "check": null,
                "by": "U0SALES", "at": at("2026-11-30T01:00:00Z"),
                "done": done.then(|| serde_json::json!({"by": "U0SALES", "at": at(due), "note": ""})),
                "verified": null, "effective": null,
            }))
            .expect("fixture action")
        };
        let closed = |id: &str, forced: Option<&str>| {
            let mut t = trouble(id, 2, "U0MANAGER", false);
            t.closed = Some(serde_json::from_value(serde_json::json!({"by": "U0MANAGER", "at": at("2026-12-02T00:00:00Z"), "forced_reason": forced, "note": ""})).unwrap());
            t.substance.actions = vec![
                action("2026-12-01T00:00:00Z", false),
                action("2026-12-01T00:00:00Z", true),
                action("2026-12-09T00:00:00Z", false),
            ];
            t
        };
        let troubles = [closed("t-1", Some("withdrawn")), closed("t-2", None)];
        assert!(troubles.iter().all(|t| speaks_of(t, now)));
        let digests = weekly(&c, now, &troubles, |_| now);
        let d = digests
            .iter()
            .find(|d| d.manager.as_str() == "U0MANAGER")
            .expect("a digest");
        assert!(d.open.is_empty() && d.checks_due.is_empty());
        assert_eq!(
            d.actions_overdue
                .iter()
                .map(|a| (a.trouble.id.as_str(), a.n))
                .collect::<Vec<_>>(),
            [("t-1", 1), ("t-2", 1)]
        );
        // An open trouble's overdue action comes first, however severe and old the closed
        // ones are: the section shows a few rows, and that one a customer is still waiting on.
        let mut open = trouble("t-3", 4, "U0MANAGER", false);
        open.opened_at = at("2026-12-03T00:00:00Z");
        open.substance.actions = vec![action("2026-12-04T00:00:00Z", false)];
        let with_open = [troubles[0].clone(), troubles[1].clone(), open];
        let digests = weekly(&c, now, &with_open, |_| now);
        let d = digests.iter().find(|d| d.manager.as_str() == "U0MANAGER").unwrap();
        assert_eq!(
            d.actions_overdue
                .iter()
                .map(|a| a.trouble.id.as_str())
                .collect::<Vec<_>>(),
            ["t-3", "t-1", "t-2"]
        );
        // Done, or not yet due: nothing to read.
        let mut quiet = troubles[0].clone();
        quiet.substance.actions.remove(0);
        assert!(!speaks_of(&quiet, now));
        assert!(weekly(&c, now, &[quiet], |_| now).is_empty());
    }

    /// A refused manager's digest goes to the first above them Slack takes DMs for, through the
    /// default manager too; nobody when the chain runs out or comes round again.
    #[test]
    fn a_refused_managers_stand_in_is_the_first_above_them_not_refused() {
        let mut c = config(&[]);
        c.managers.insert(UserId::new("U0DIRECTOR"), UserId::new("U0VP"));
        let refused = |users: &[&str]| -> BTreeMap<UserId, DmRefused> {
            users.iter().map(|u| (UserId::new(*u), DmRefused::default())).collect()
        };
        let from = |c: &Policy, u: &str, r: &[&str]| stand_in(c, &UserId::new(u), &refused(r)).map(|u| u.to_string());
        assert_eq!(from(&c, "U0MANAGER", &["U0MANAGER"]).as_deref(), Some("U0DIRECTOR"));
        assert_eq!(
            from(&c, "U0MANAGER", &["U0MANAGER", "U0DIRECTOR"]).as_deref(),
            Some("U0VP")
        );
        assert_eq!(from(&c, "U0MANAGER", &["U0MANAGER", "U0DIRECTOR", "U0VP"]), None);
        assert_eq!(from(&c, "U0VP", &["U0VP"]), None, "the top has nobody above");
        c.default_manager = Some(UserId::new("U0BOSS"));
        assert_eq!(
            from(&c, "U0VP", &["U0VP"]).as_deref(),
            Some("U0BOSS"),
            "the default manager"
        );
        // A loop in `[org]` ends the walk.
        c.managers.insert(UserId::new("U0BOSS"), UserId::new("U0OTHER"));
        assert_eq!(from(&c, "U0VP", &["U0VP", "U0BOSS", "U0OTHER"]), None);
        assert!(in_org(&c, &UserId::new("U0BOSS")) && !in_org(&c, &UserId::new("U0NOBODY")));
    }

    /// A stand-in reads only the refused manager's rows they may see: a private trouble on which
    /// the manager is a colleague the rep named (not in the rep's `[org]` chain) is left out for
    /// the colleague's own manager, and a digest with nothing left is not sent.
    #[test]
    fn a_stand_in_reads_only_the_rows_they_may_see() {
        let mut c = config(&[]);
        c.managers.insert(UserId::new("U0COLLEAGUE"), UserId::new("U0BOSS"));
        let now = at("2026-12-07T00:00:00Z");
        let refused: BTreeMap<UserId, DmRefused> = [(UserId::new("U0COLLEAGUE"), DmRefused::default())]
            .into_iter()
            .collect();
        let to = |troubles: &[Trouble]| -> Vec<(String, String)> {
            fire(
                &c,
                now,
                troubles,
                &refused,
                |_| now,
                |d| d.open.iter().map(|t| t.id.to_string()).collect(),
            )
            .decision
            .deliveries
            .into_iter()
            .filter_map(|d| match d.op {
                Op::Post {
                    to: Dest::Dm(who),
                    message: Message::Text { text },
                    ..
                } => Some((who.to_string(), text)),
                _ => None,
            })
            .collect()
        };
        let private = trouble("20261130-1", 2, "U0COLLEAGUE", true);
        let public = trouble("20261130-2", 2, "U0COLLEAGUE", false);
        let read = to(&[private.clone(), public]);
        let boss: Vec<&String> = read.iter().filter(|(who, _)| who == "U0BOSS").map(|(_, t)| t).collect();
        assert_eq!(boss, vec!["20261130-2"], "{read:?}");
        assert!(
            !to(&[private]).iter().any(|(who, _)| who == "U0BOSS"),
            "nothing left: not sent"
        );
    }

    /// The owner's manager a fixed `[org]` names, asked from outside the chain kept on the
    /// trouble, finds it in their digest as waiting for their acknowledgement, private or not.
    #[test]
    fn the_manager_a_fixed_org_names_finds_the_trouble_they_are_asked_about() {
        let mut c = config(&[]);
        c.managers.insert(UserId::new("U0SALES"), UserId::new("U0NEWMGR"));
        let asked = |id: &str, private: bool| {
            let mut t = trouble(id, 2, "U0MANAGER", private);
            t.escalation.owners_manager_now = Some(UserId::new("U0NEWMGR"));
            t
        };
        let troubles = [asked("t-1", false), asked("t-2", true)];
        let digests = weekly(&c, at("2026-12-07T00:00:00Z"), &troubles, |t| t.opened_at);
        let theirs = digests
            .iter()
            .find(|d| d.manager.as_str() == "U0NEWMGR")
            .expect("a digest");
        let ids = |ts: &[&Trouble]| ts.iter().map(|t| t.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&theirs.unacknowledged), ["t-1", "t-2"]);
        assert_eq!(ids(&theirs.open), ["t-1", "t-2"]);
    }
}
