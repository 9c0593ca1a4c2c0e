//! What App Home shows of an open trouble to one person, derived from the trouble alone so the read index can keep it beside the person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::actions::{Action, ActionKind};
use super::approval::ProposalState;
use super::model::{ChannelId, Severity, StageId, Trouble, TroubleId, UserId};

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
    /// The owner or the manager: whose Home shows a customer update overdue.
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

/// Whose App Home shows `t`: while it is open, its owner, manager and manager chain, those
/// added to it and the members seen in its channel (a department's engineer finds the troubles
/// they work on), and whoever owns one of its actions not done yet; once it is closed, only
/// whoever owns an action the close left open (a measure that takes weeks), to find and mark
/// it done.
pub fn people(t: &Trouble) -> Vec<UserId> {
    let mut people = Vec::new();
    if t.is_open() {
        people.push(t.owner.clone());
        people.extend(t.manager.iter().cloned());
        people.extend(t.manager_chain().iter().cloned());
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
            text: a.text.chars().take(ACTION_TEXT_CHARS).collect(),
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
    pub fn first_call_from(&self) -> Option<DateTime<Utc>> {
        super::model::first_call_from(self.never_updated, self.last_customer_contact, self.reopened_at)
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
            awaits_ack: t.ack.is_none() && chain.iter().take(t.escalation.level + 1).any(|u| u == user),
            owns: t.owner == *user,
            answers_customer: t.owner == *user || t.manager.as_ref() == Some(user),
            participant: t.owner == *user
                || chain.contains(user)
                || t.added.contains(user)
                || t.members_seen.contains(user),
            private: t.private,
            never_updated: !t.contacted(),
            reopened_at: t.substance.reopened_at,
            summary: super::model::summary_start(&t.summary),
            owner: (t.owner != *user).then(|| t.owner.clone()),
            manages: t.owner != *user
                && (t.manager.as_ref() == Some(user) || chain.iter().take(t.escalation.level + 1).any(|u| u == user)),
            actions: actions_of(t, user),
            takes_part: t.added.contains(user) || t.members_seen.contains(user),
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
