//! What App Home shows of an open trouble to one person, derived from the trouble alone so the read index can keep it beside the person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::actions::{Action, ActionKind};
use super::approval::ProposalState;
use super::model::{ChannelId, Severity, StageId, Trouble, TroubleId, UserId};

/// Of a person's App Home rows, the troubles whose channel Slack refused to create (open, no
/// channel, the refusal recorded): `refused`, said on each of their rows whoever looks, and
/// among them `asks`, those this person may ask for again (the button, judged as the click is).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelRefusals {
    pub refused: Vec<TroubleId>,
    pub asks: Vec<TroubleId>,
}

impl ChannelRefusals {
    /// Judges one trouble of `user`'s Home for both sets.
    pub fn judge(&mut self, policy: &super::policy::Policy, t: &Trouble, user: &UserId) {
        if !(t.is_open() && t.channel.is_none() && t.channel_refused) {
            return;
        }
        self.refused.push(t.id.clone());
        if super::decide::may_ask_for_channel(policy, t, user) {
            self.asks.push(t.id.clone());
        }
    }
}

/// One row of a person's App Home: about 150 bytes stored (short names, microseconds; each
/// person's copy is rewritten when it changes, so its size is written again and again), so a
/// Home of 200 troubles is one short scan of the index instead of 200 troubles decoded whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeRow {
    #[serde(rename = "i")]
    pub id: TroubleId,
    #[serde(rename = "c")]
    pub customer: String,
    #[serde(rename = "s")]
    pub severity: Severity,
    /// None when every stage is done.
    #[serde(rename = "g")]
    pub current_stage: Option<StageId>,
    #[serde(rename = "ch")]
    pub channel: Option<ChannelId>,
    #[serde(rename = "cn")]
    pub channel_name: Option<String>,
    #[serde(rename = "l", with = "chrono::serde::ts_microseconds")]
    pub last_customer_contact: DateTime<Utc>,
    #[serde(rename = "p", with = "chrono::serde::ts_microseconds_option")]
    pub promised_next: Option<DateTime<Utc>>,
    /// Nobody has acknowledged and the person is in the chain as far as it has been pinged.
    #[serde(rename = "a")]
    pub awaits_ack: bool,
    #[serde(rename = "o")]
    pub owns: bool,
    /// The owner or the manager: whose customer update it is (whoever up the chain was asked
    /// for it, `manages`, sees it overdue too).
    #[serde(rename = "u")]
    pub answers_customer: bool,
    /// Whether the person may see it whatever its channel's privacy (the owner, the chain,
    /// added or seen in the channel); otherwise the configuration decides (see `may_see`).
    #[serde(rename = "v")]
    pub participant: bool,
    #[serde(rename = "pr")]
    pub private: Option<bool>,
    /// No customer update logged yet (`last_customer_contact` is the opening). A row written
    /// before this was kept reads as updated, as it was shown then.
    #[serde(rename = "n", default, skip_serializing_if = "std::ops::Not::not")]
    pub never_updated: bool,
    /// The summary's start, so two troubles of one customer tell apart (absent from rows an
    /// earlier release wrote).
    #[serde(rename = "su", default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// The owner, on a row of someone else's trouble: whom a manager follows up with.
    #[serde(rename = "ow", default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    /// The person is its manager, or was asked to acknowledge it up the chain: it stays in
    /// their Home once acknowledged, so they can find their team's troubles again.
    #[serde(rename = "m", default, skip_serializing_if = "std::ops::Not::not")]
    pub manages: bool,
    /// When it was last reopened: see [`HomeRow::cadence_from`].
    #[serde(
        rename = "ro",
        default,
        with = "chrono::serde::ts_microseconds_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reopened_at: Option<DateTime<Utc>>,
    /// The proposals awaiting a decision (their numbers) that the person may be asked for:
    /// they are in the chain and not the owner. Whether they may decide each one depends on
    /// the configured limits, so it is judged when the Home is drawn.
    #[serde(rename = "d", default, skip_serializing_if = "Vec::is_empty")]
    pub proposals: Vec<usize>,
    /// The actions the person owns that are not done yet: a department member assigned one
    /// sees it in their Home with its due date, even on a trouble they do not own.
    #[serde(rename = "ac", default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<HomeAction>,
    /// The person was added to it or joined its channel, neither owning nor managing it: their
    /// Home lists it among the troubles they take part in.
    #[serde(rename = "tp", default, skip_serializing_if = "std::ops::Not::not")]
    pub takes_part: bool,
    /// The trouble was closed by force: the row holds the person's actions that close left
    /// open, which read so, as the status says (on sled, the rows an earlier release wrote are
    /// rewritten once at start: `index::build_sled_forced_rows`).
    #[serde(rename = "cl", default, skip_serializing_if = "std::ops::Not::not")]
    pub closed_by_force: bool,
}

/// An action as a Home row shows it; its text cut short, since each change rewrites the row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeAction {
    #[serde(rename = "n")]
    pub n: usize,
    #[serde(rename = "k")]
    pub kind: ActionKind,
    #[serde(rename = "t")]
    pub text: String,
    #[serde(rename = "du", with = "chrono::serde::ts_microseconds_option", default)]
    pub due: Option<DateTime<Utc>>,
}

/// How much of an action's text a Home row keeps.
const ACTION_TEXT_CHARS: usize = 100;

/// Whose App Home shows `t`: while it is open, its owner, manager and manager chain (and the
/// owner's manager a fixed `[org]` names, asked from outside it), those added to it and the
/// members seen in its channel (a department's engineer finds the troubles they work on), and
/// whoever owns one of its actions not done yet; once it is closed, only whoever owns an action
/// the close left open (a measure that takes weeks), to find and mark it done.
pub fn people(t: &Trouble) -> Vec<UserId> {
    let mut people = Vec::new();
    if t.is_open() {
        people.push(t.owner.clone());
        people.extend(t.manager.iter().cloned());
        people.extend(t.manager_chain().iter().cloned());
        people.extend(t.escalation.asked_outside().cloned());
        people.extend(t.added.iter().cloned());
        people.extend(t.members_seen.iter().cloned());
    }
    people.extend(undone_actions(t).map(|(_, a)| a.owner.clone()));
    people.sort();
    people.dedup();
    people
}

/// The actions of `t` not done (nor cancelled) yet, numbered as the channel numbers them: each
/// shows in its owner's Home.
pub fn undone_actions(t: &Trouble) -> impl Iterator<Item = (usize, &Action)> {
    t.substance
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_open())
        .map(|(i, a)| (i + 1, a))
}

/// The person's actions on `t` that are not done, for their Home.
pub fn actions_of(t: &Trouble, user: &UserId) -> Vec<HomeAction> {
    undone_actions(t)
        .filter(|(_, a)| a.owner == *user)
        .map(|(n, a)| HomeAction {
            n,
            kind: a.kind,
            text: super::markup::start_within(&a.text, ACTION_TEXT_CHARS).to_string(),
            due: a.due,
        })
        .collect()
}

impl HomeRow {
    /// Where the customer-update cadence counts from, as `Trouble::cadence_from`.
    pub fn cadence_from(&self) -> DateTime<Utc> {
        super::model::cadence_from(self.last_customer_contact, self.reopened_at)
    }

    /// From when the first call's deadline counts, as `Trouble::first_call_from` (while no
    /// update was logged, `last_customer_contact` is the opening).
    pub fn first_call_from(&self, policy: &super::policy::Policy) -> Option<DateTime<Utc>> {
        super::model::first_call_from(
            policy,
            self.severity,
            self.never_updated,
            self.last_customer_contact,
            self.reopened_at,
        )
    }

    pub fn of(t: &Trouble, user: &UserId) -> HomeRow {
        let row = HomeRow::in_open(t, user);
        if t.is_open() {
            return row;
        }
        // Closed: nothing to acknowledge, update or decide; only the person's open actions.
        HomeRow {
            awaits_ack: false,
            owns: false,
            answers_customer: false,
            manages: false,
            takes_part: false,
            proposals: Vec::new(),
            closed_by_force: t.closed_by_force(),
            ..row
        }
    }

    fn in_open(t: &Trouble, user: &UserId) -> HomeRow {
        let chain = t.manager_chain();
        HomeRow {
            id: t.id.clone(),
            customer: t.customer.clone(),
            severity: t.severity,
            current_stage: t.current_stage(),
            channel: t.channel.clone(),
            channel_name: t.channel_name.clone(),
            last_customer_contact: t.last_customer_contact(),
            promised_next: t.promised_next(),
            awaits_ack: t.awaits_ack_of(user),
            owns: t.owner == *user,
            answers_customer: t.owner == *user || t.manager.as_ref() == Some(user),
            participant: t.owner == *user
                || t.escalation.holds(user)
                || t.added.contains(user)
                || t.members_seen.contains(user),
            private: t.private,
            never_updated: !t.contacted(),
            reopened_at: t.substance.reopened_at,
            summary: super::model::summary_start(&t.summary),
            owner: (t.owner != *user).then(|| t.owner.clone()),
            manages: t.owner != *user && (t.manager.as_ref() == Some(user) || t.escalation.asks(user)),
            actions: actions_of(t, user),
            takes_part: t.added.contains(user) || t.members_seen.contains(user),
            closed_by_force: false,
            proposals: if chain.contains(user) && t.owner != *user {
                t.agreement
                    .proposals
                    .iter()
                    .filter(|p| p.state == ProposalState::Proposed)
                    .map(|p| p.n)
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

impl HomeRow {
    /// Whether the customer update this person answers for (the owner, the manager) or watches
    /// over (whoever up the chain the bot asked to acknowledge it) is overdue: App Home's
    /// *Customer update overdue*, and `mine`'s second rank. A VP the sev1 was escalated to
    /// would otherwise read "None" there while its customer had heard nothing all night.
    pub fn update_overdue(&self, policy: &super::policy::Policy, now: DateTime<Utc>) -> bool {
        (self.answers_customer || self.manages)
            && policy.owed_by(
                self.severity,
                self.cadence_from(),
                self.promised_next,
                self.first_call_from(policy),
            ) <= now
    }
}

/// How soon one of `mine`'s troubles needs its reader, the most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// It waits for their acknowledgement or their decision on a proposal.
    AsksYou,
    /// The customer update they answer for is overdue.
    UpdateOverdue,
    /// They own or manage it, and nothing of it is overdue on them.
    Rest,
}

/// One of a person's troubles as `/trouble mine` lists it: its Home row, what waits on them
/// there, and how urgent that is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mine {
    pub row: HomeRow,
    pub awaits_ack: bool,
    /// The proposals awaiting their decision (as App Home's *Proposals waiting for your approval*).
    pub decide: Vec<usize>,
    pub update_overdue: bool,
    pub urgency: Urgency,
}

/// A person's troubles for `/trouble mine`, from their App Home rows and the proposals they may
/// decide (both as App Home reads them): those they own, manage, or are asked to acknowledge
/// or to decide something on, the most urgent first (waiting for their acknowledgement or
/// decision, then an overdue customer update, then the rest), each rank the most severe and
/// then the oldest first. A row they only take part in or hold an action on is left out.
pub fn mine(
    policy: &super::policy::Policy,
    rows: &[HomeRow],
    decisions: &[(TroubleId, Vec<usize>)],
    now: DateTime<Utc>,
) -> Vec<Mine> {
    let mut mine: Vec<Mine> = rows
        .iter()
        .filter_map(|row| {
            let decide = decisions
                .iter()
                .find(|(id, _)| *id == row.id)
                .map(|(_, ns)| ns.clone())
                .unwrap_or_default();
            if !(row.owns || row.manages || row.awaits_ack || !decide.is_empty()) {
                return None;
            }
            let update_overdue = row.update_overdue(policy, now);
            let urgency = match (row.awaits_ack || !decide.is_empty(), update_overdue) {
                (true, _) => Urgency::AsksYou,
                (false, true) => Urgency::UpdateOverdue,
                (false, false) => Urgency::Rest,
            };
            Some(Mine {
                row: row.clone(),
                awaits_ack: row.awaits_ack,
                decide,
                update_overdue,
                urgency,
            })
        })
        .collect();
    mine.sort_by(|a, b| {
        (a.urgency, a.row.severity, a.row.id.opening_order()).cmp(&(
            b.urgency,
            b.row.severity,
            b.row.id.opening_order(),
        ))
    });
    mine
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::trouble::model::Severity;

    /// An open sev`sev` ACME trouble `n` its reader owns, heard from a minute ago: the row other
    /// tests vary.
    pub(crate) fn row(n: usize, sev: u8, now: DateTime<Utc>) -> HomeRow {
        HomeRow {
            id: TroubleId::new(format!("20261130-{n}")),
            customer: "ACME".into(),
            severity: Severity::new(sev),
            current_stage: None,
            channel: None,
            channel_name: None,
            // Heard from a minute ago: no update is owed.
            last_customer_contact: now - chrono::Duration::minutes(1),
            promised_next: None,
            awaits_ack: false,
            owns: true,
            answers_customer: true,
            participant: true,
            private: None,
            never_updated: false,
            reopened_at: None,
            summary: String::new(),
            owner: None,
            manages: false,
            proposals: Vec::new(),
            actions: Vec::new(),
            takes_part: false,
            closed_by_force: false,
        }
    }

    fn ids(mine: &[Mine]) -> Vec<&str> {
        mine.iter().map(|m| m.row.id.as_str()).collect()
    }

    #[test]
    fn what_asks_you_comes_first_then_overdue_updates_then_the_rest() {
        let now = Utc::now();
        let policy = super::super::policy::Policy::default();
        let rest = row(1, 1, now);
        let overdue = HomeRow {
            last_customer_contact: now - chrono::Duration::days(30),
            ..row(2, 3, now)
        };
        let ack = HomeRow {
            awaits_ack: true,
            owns: false,
            manages: true,
            ..row(3, 3, now)
        };
        let decide = HomeRow {
            owns: false,
            manages: true,
            proposals: vec![1],
            ..row(4, 2, now)
        };
        let taking_part = HomeRow {
            owns: false,
            takes_part: true,
            ..row(5, 1, now)
        };
        let rows = vec![rest, overdue, ack, decide, taking_part];
        let decisions = vec![(TroubleId::new("20261130-4"), vec![1])];
        let mine = mine(&policy, &rows, &decisions, now);
        assert_eq!(ids(&mine), ["20261130-4", "20261130-3", "20261130-2", "20261130-1"]);
        assert_eq!(mine[0].decide, [1]);
        assert!(mine[1].awaits_ack && mine[2].update_overdue && !mine[3].update_overdue);
    }

    /// A proposal someone else decides (the limits ask for the director) asks nothing of a
    /// manager who only sees it: their trouble is ranked by what does wait on them.
    #[test]
    fn a_proposal_they_may_not_decide_asks_nothing_of_them() {
        let now = Utc::now();
        let policy = super::super::policy::Policy::default();
        let managed = HomeRow {
            owns: false,
            manages: true,
            proposals: vec![1],
            ..row(1, 1, now)
        };
        let mine = mine(&policy, &[managed], &[], now);
        assert_eq!(mine[0].urgency, Urgency::Rest);
        assert!(mine[0].decide.is_empty());
    }
}
