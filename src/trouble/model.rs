//! The trouble as the core sees it: ids, the seven stages, acknowledgement and follow-up state.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);
        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(/// A Slack user (`U…`/`W…`).
    UserId);
id_type!(/// A Slack conversation (`C…`, `G…`, `D…`).
    ChannelId);
id_type!(/// A Slack message timestamp, which is also its id within a channel.
    Ts);
id_type!(/// A trouble's human-friendly id: the local opening date and the day's sequence, `20261127-3`.
    TroubleId);

impl TroubleId {
    /// The order troubles were opened in: by day, then by the day's number, so `20261130-9`
    /// comes before `20261130-10` (which the id's text sorts after it).
    pub fn opening_order(&self) -> (&str, u64) {
        let (day, n) = self.0.split_once('-').unwrap_or((&self.0, ""));
        (day, n.parse().unwrap_or(u64::MAX))
    }
}

/// A severity level as configured (`[severity.N]`, N in 1–9): 1 is the most severe. Stored and
/// shown as its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Severity(u8);

impl Severity {
    pub const fn new(level: u8) -> Self {
        Severity(level)
    }

    pub const fn level(self) -> u8 {
        self.0
    }

    /// Lower numbers are more severe.
    pub fn is_more_severe_than(self, other: Severity) -> bool {
        self.0 < other.0
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for Severity {
    type Err = std::num::ParseIntError;

    /// The number alone (`1`); whether it is configured is the config's question.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Severity)
    }
}

/// The seven stages of handling a trouble, in order. Stored as their 0-based index (the
/// trouble's `stages[i]`, a timeline entry's `stage`), shown 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StageId {
    /// 1. Gather the facts, recover the affected goods.
    Facts,
    /// 2. Share the scope of impact.
    Scope,
    /// 3. Find and confirm the cause.
    Cause,
    /// 4. Restore; decide and carry out countermeasures.
    Countermeasures,
    /// 5. Settle the split of responsibility.
    Split,
    /// 6. Negotiate compensation and who bears the cost.
    Cost,
    /// 7. Present the recurrence-prevention measures.
    Prevention,
}

pub const STAGE_COUNT: usize = 7;

impl StageId {
    const ALL: [StageId; STAGE_COUNT] = [
        StageId::Facts,
        StageId::Scope,
        StageId::Cause,
        StageId::Countermeasures,
        StageId::Split,
        StageId::Cost,
        StageId::Prevention,
    ];

    /// Every stage, in order.
    pub fn all() -> impl Iterator<Item = StageId> {
        Self::ALL.into_iter()
    }

    pub const fn first() -> StageId {
        StageId::Facts
    }

    pub const fn last() -> StageId {
        StageId::Prevention
    }

    /// 0-based: its place in `Trouble::stages` and in stored entries.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// 1-based, as people number the stages.
    pub const fn number(self) -> usize {
        self as usize + 1
    }

    pub fn from_index(i: usize) -> Option<StageId> {
        Self::ALL.get(i).copied()
    }

    pub fn from_number(n: usize) -> Option<StageId> {
        n.checked_sub(1).and_then(StageId::from_index)
    }

    pub fn next(self) -> Option<StageId> {
        StageId::from_index(self.index() + 1)
    }
}

impl Serialize for StageId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.index() as u64)
    }
}

impl<'de> Deserialize<'de> for StageId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let i = u64::deserialize(d)?;
        usize::try_from(i)
            .ok()
            .and_then(StageId::from_index)
            .ok_or_else(|| serde::de::Error::custom(format!("stage {i} is not one of the seven (0-6)")))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Stage {
    pub state: StageState,
    pub started_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<UserId>,
    /// What was recorded for this stage (notes given with start/done).
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// Set only on the view of a trouble rendered for a channel shared with the customer (never
    /// stored): who acknowledged is said there, not how long the manager chain let it wait.
    #[serde(skip)]
    pub wait_untold: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    pub ours: u8,
    pub customer: u8,
    pub other: u8,
    pub reason: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

impl Split {
    /// Its shares as the timeline writes a superseded split: `70/30/0`.
    pub fn shares(&self) -> String {
        format!("{}/{}/{}", self.ours, self.customer, self.other)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    /// As written, so the currency is kept (`¥120,000`, `$3,000`).
    pub amount: String,
    pub payer: String,
    pub note: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub text: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerUpdate {
    pub text: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub promised_next: Option<DateTime<Utc>>,
    /// The customer's zone the promise was written in (`17:00 CET`: `Europe/Berlin`), so it is
    /// shown in their time beside ours. None for a promise in our own zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_zone: Option<String>,
    /// Set when the update was withdrawn (`withdraw update N`, logged on the wrong trouble, say):
    /// it stays on the timeline and keeps its number, but no longer counts as contact with the
    /// customer, nor its promise as one made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawal>,
}

/// Who withdrew a customer update, when, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Closure {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub note: String,
    /// Set when the manager chain closed it without stage 7 done.
    pub forced_reason: Option<String>,
}

/// Where `/trouble open` was typed, so the bot can tell that channel (or the reporter).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    pub channel: ChannelId,
    pub response_url: Option<String>,
    /// Who opened it, the first owner: a hand-over changes the owner, not who reported it.
    /// None in troubles stored before it was kept (their owner is taken for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserId>,
}

/// Who has been pinged for acknowledgement so far: index 0 is the manager.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Escalation {
    pub chain: Vec<UserId>,
    /// How far up the chain the bot has gone (0 = only the manager).
    pub level: usize,
    /// Bumped each time an acknowledgement timer is set, so only the newest one acts.
    pub round: u32,
    /// Re-pings of the top of the chain.
    pub top_repings: u32,
    pub gave_up: bool,
    /// Daily rounds since the bot gave up going up: the re-pings of the lower end they ask with
    /// the top, as the timeline counts them (0 in records kept before it was).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub daily_rounds: u32,
    /// When the running acknowledgement timer falls due, so a severity change never postpones it.
    #[serde(default)]
    pub due: Option<DateTime<Utc>>,
    /// The DMs asking someone to acknowledge (going up the chain, re-pings, someone new to the
    /// chain) that still show the Acknowledge button, as Slack returned them: edited once the
    /// trouble is acknowledged or closed, so no phone keeps a live button on an answered
    /// trouble. At most one per DM channel, so per person: asking someone again edits their
    /// older DM then, and a trouble asked daily for weeks keeps no more than its chain's people.
    /// Kept in the body, not the [`Tracking`]: it moves only when someone is asked, which is rare.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dms: Vec<KeptDm>,
    /// When each one the chain took in was first asked to acknowledge (the manager at opening,
    /// the others as the escalation reached them or a change of the chain took them in), so an
    /// escalation's DM says who was asked before and how long ago. Empty in troubles stored
    /// before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asked: Vec<Asked>,
    /// The DMs above, once answered (no button, the state in the manager's DM's words): edited
    /// again when a correction changes the customer, summary or severity they show, so nobody
    /// asked keeps the old words. One per DM channel, the newest. Each keeps what it asked, so
    /// whom ([`KeptDm::asks`]): a change of the chain that leaves its reader out lets it go, as
    /// it lets go of the DMs still asking. Stored as bare messages before (whose reader is not
    /// known: see `release_left_out`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settled: Vec<KeptDm>,
    /// Those in the chain the DM asking them reached nobody (no such user, a bot): the bot went
    /// past them, and nobody reads that they are asked now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UserId>,
    /// The owner's manager a fixed `[org]` names now, outside the chain kept since opening, once
    /// the bot asked them too: whoever reads the status sees them among those asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners_manager_now: Option<UserId>,
    /// Those in the chain whose Slack status said they were away when the DM asking them went,
    /// as it said then: the kickoff and the status name them beside who is asked now, so nobody
    /// wonders why the manager is not answering. Only ever adds: nobody here is passed over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub away: Vec<AwayNoted>,
    /// The DMs telling someone named manager after the acknowledgement (whom nobody asks) that
    /// the trouble is theirs: edited as the managers' DMs are (a correction, the severity, a
    /// close or reopening, a hand-over), and released when a change of the chain leaves them
    /// out. One per DM channel, the newest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub named: Vec<KeptDm>,
    /// Whom the manager's DM ([`Trouble::manager_dm`]) went to, once the trouble's manager is
    /// someone else (named since, the chain still holding them): the DM is still theirs, and is
    /// released only when a change leaves them out. None while it is the manager's own (and in
    /// troubles stored before it was kept, where the manager before a change is taken for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_dm_to: Option<UserId>,
}

/// Someone of the chain away, as their Slack status said (see [`Escalation::away`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AwayNoted {
    pub who: UserId,
    pub away: Away,
}

impl Escalation {
    /// `who` is in its chain and heard of the trouble at once: the escalation reached them, or
    /// they were asked (at the open, the configured manager beside one named; or as a change of
    /// the chain took them in). Not one a change of the chain left out since, asked or not.
    pub fn heard_at_once(&self, who: &UserId) -> bool {
        self.chain
            .iter()
            .position(|c| c == who)
            .is_some_and(|at| at <= self.level || self.asked_at(who).is_some())
    }

    /// When `who` was first asked to acknowledge, when known.
    pub fn asked_at(&self, who: &UserId) -> Option<DateTime<Utc>> {
        self.asked.iter().find(|a| a.who == *who).map(|a| a.at)
    }

    /// Everyone in its chain, passed over as unreachable, or asked, each once: the owner's
    /// manager a fixed `[org]` names is asked at a start only when not among them
    /// (`ask_owners_manager_now`), which a trouble's summary keeps for the start to read.
    pub fn known(&self) -> Vec<UserId> {
        let mut known: Vec<UserId> = Vec::new();
        for who in self
            .chain
            .iter()
            .chain(&self.unreachable)
            .chain(self.asked.iter().map(|a| &a.who))
        {
            if !known.contains(who) {
                known.push(who.clone());
            }
        }
        known
    }

    /// Whom the escalation waits on now, once it has gone past the manager alone: the one it
    /// reached, and the manager too when they were asked no earlier. A manager named above the
    /// configured one (at opening, or passed up before anyone acknowledged) is asked together
    /// with them, so the status names both rather than the one below the kickoff's. Empty at
    /// level 0, when the manager alone is asked, unless the owner's manager a fixed `[org]` names
    /// was asked too: then both. Nobody the bot could not reach is named.
    pub fn asked_now(&self) -> Vec<UserId> {
        let outside = self.asked_outside();
        let mut now: Vec<UserId> = match self.chain.get(self.level).filter(|_| self.level > 0) {
            None if outside.is_none() => return Vec::new(),
            None => self.chain.first().cloned().into_iter().collect(),
            Some(reached) => {
                let head = &self.chain[0];
                let together = match (self.asked_at(head), self.asked_at(reached)) {
                    (Some(h), Some(r)) => h >= r,
                    _ => false,
                };
                together
                    .then(|| head.clone())
                    .into_iter()
                    .chain([reached.clone()])
                    .collect()
            }
        };
        now.extend(outside.cloned());
        now.retain(|who| !self.unreachable.contains(who));
        now
    }

    /// The owner's manager a fixed `[org]` names now, once asked from outside the chain kept on
    /// the trouble (`ask_owners_manager_now`): asked as those the escalation reached are, so
    /// their DM keeps its button, their answer in it counts, and App Home lists the trouble.
    pub fn asked_outside(&self) -> Option<&UserId> {
        self.owners_manager_now.as_ref().filter(|m| !self.chain.contains(m))
    }

    /// Whether `who` is held by the escalation at all: in its chain, or asked from outside it
    /// ([`Escalation::asked_outside`]). Whoever is not has been let go.
    pub fn holds(&self, who: &UserId) -> bool {
        self.chain.contains(who) || self.asked_outside() == Some(who)
    }

    /// Whether `who` is asked to acknowledge: in the chain as far as the escalation reached, or
    /// asked from outside it ([`Escalation::asked_outside`]). What a DM answer, App Home and the
    /// digest go by.
    pub fn asks(&self, who: &UserId) -> bool {
        self.chain.iter().take(self.level + 1).any(|u| u == who) || self.asked_outside() == Some(who)
    }

    /// Of `people`, in order, those the bot has not found it cannot reach.
    pub fn reachable(&self, people: &[UserId]) -> Vec<UserId> {
        people
            .iter()
            .filter(|u| !self.unreachable.contains(u))
            .cloned()
            .collect()
    }

    /// Notes that `who` is asked at `at`, unless they were asked before.
    pub fn note_asked(&mut self, who: &UserId, at: DateTime<Utc>) {
        if self.asked_at(who).is_none() {
            self.asked.push(Asked { who: who.clone(), at });
        }
    }
}

/// Someone in the chain first asked to acknowledge at `at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Asked {
    pub who: UserId,
    pub at: DateTime<Utc>,
}

/// A DM kept while it asks for something (an acknowledgement), as Slack returned it, with what
/// it says: edited again with the trouble's current facts (a severity changed, the customer
/// corrected) and, since the message names whom it asks, released when a change of the chain
/// leaves them out. Stored as the bare message before `shown` was kept (which reads as this).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptDm {
    #[serde(flatten)]
    pub posted: PostedMessage,
    /// The message posted; None in DMs kept before it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown: Option<crate::trouble::decide::Message>,
}

impl Trouble {
    /// Whether its origin notice or one of its announcements stands in `channel`.
    pub fn has_notice_in(&self, channel: &ChannelId) -> bool {
        self.origin_notice
            .iter()
            .chain(self.announcements.iter().flatten())
            .any(|p| p.channel == *channel)
    }
}

impl KeptDm {
    /// Whom it asks to acknowledge, when known.
    pub fn asks(&self) -> Option<&UserId> {
        match &self.shown {
            Some(crate::trouble::decide::Message::EscalationDm { to, .. }) => Some(to),
            _ => None,
        }
    }

    /// Whom it told they were named manager, when known.
    pub fn named(&self) -> Option<&UserId> {
        match &self.shown {
            Some(crate::trouble::decide::Message::NamedManager { to, .. }) => to.as_ref(),
            _ => None,
        }
    }
}

/// The last report (`/trouble report`, or a close's): when it was asked for, how long it was, and the summary message
/// whose thread holds the parts (known once Slack has it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastReport {
    pub at: DateTime<Utc>,
    pub parts: usize,
    pub message: Option<PostedMessage>,
    /// How long the timeline was when it was posted: a report asked again with nothing
    /// recorded since (a double tap) is answered privately; after a change it is posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline_len: Option<u64>,
}

/// Someone's reply in a thread the bot could not tell yet (see [`Trouble::early_replies`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyReply {
    pub user: UserId,
    pub thread_ts: Ts,
}

/// A line the bot posted in the trouble's channel for the team (see [`Trouble::team_lines`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamLine {
    pub channel: ChannelId,
    pub ts: Ts,
    /// What the customer may read of it (the line without its reason or note): edited to this.
    /// None: nothing of it is theirs, and it is deleted. A forced close's kept by an earlier
    /// release still holds its reason, never shown; a redaction of the close rewrites it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<crate::trouble::decide::Message>,
    /// The timeline entry whose typed text the line carries (a note's, a severity change's
    /// reason, a forced close's…: the latest its decision logged), so that a redaction of it
    /// edits the line too. None for a line carrying no typed text, and for lines a previous
    /// release kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
}

/// A message the bot posted and keeps editing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostedMessage {
    pub channel: ChannelId,
    pub ts: Ts,
    /// Every trouble the message speaks of, in its order, when several share it (the manager's
    /// DM or a channel notice combined while they waited for the channel's turn): an edit
    /// renders all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub together: Vec<TroubleId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trouble {
    pub id: TroubleId,
    /// The day's sequence number, used in the channel name.
    pub seq: u32,
    pub customer: String,
    pub summary: String,
    pub severity: Severity,
    pub owner: UserId,
    /// Who owned it before, each hand-over's former owner in turn: a former owner never
    /// overrules the trouble, nor is it handed to one of their reports or named to one as
    /// manager (a record of an earlier release, which kept none, has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_owners: Vec<UserId>,
    pub manager: Option<UserId>,
    pub departments: Vec<String>,
    pub origin: Origin,
    pub opened_at: DateTime<Utc>,
    pub channel: Option<ChannelId>,
    pub channel_name: Option<String>,
    pub kickoff: Option<PostedMessage>,
    pub status: Option<PostedMessage>,
    pub manager_dm: Option<PostedMessage>,
    /// The DM to the owner's configured manager when another was named at open (both hear at
    /// once): kept, like [`Self::manager_dm`], to be edited with the channel's link and the
    /// acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_manager_dm: Option<PostedMessage>,
    pub origin_notice: Option<PostedMessage>,
    /// The heads-up posted at open in each channel its severity announces to, by the channel's
    /// place in that list (None: not posted, or refused): edited like the origin notice, so a
    /// business unit's copy gets the channel's link and follows a corrected customer or summary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub announcements: Vec<Option<PostedMessage>>,
    pub stages: Vec<Stage>,
    pub ack: Option<Acknowledgement>,
    pub escalation: Escalation,
    pub customer_updates: Vec<CustomerUpdate>,
    pub split: Option<Split>,
    pub costs: Vec<Cost>,
    pub measures: Vec<Measure>,
    pub closed: Option<Closure>,
    /// Number of timeline entries and the hash of the last one (the chain head).
    pub timeline_len: u64,
    pub timeline_head: String,
    /// A status-message refresh is already waiting in the outbox; later changes ride on it.
    pub status_refresh_queued: bool,
    /// The creation of its channel is waiting in the outbox (queued at the open, or as a new
    /// channel is set up) until Slack answers, made or refused: meanwhile nothing sets a channel
    /// up again (a reopening, say), the coming one's set-up serves. False for troubles stored
    /// before this was kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub channel_create_queued: bool,
    /// Bumped whenever the follow-up clock restarts, so a stale nudge timer knows it is stale.
    pub followup_epoch: u32,
    /// Bumped when a severity change moves the first call's timers, so those set for the
    /// severity before know they are stale.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub first_contact_epoch: u32,
    /// People added with `/trouble add`: participants besides the owner, the chain and the
    /// members of its departments.
    #[serde(default)]
    pub added: Vec<UserId>,
    /// Members the bot has seen join its channel (and not leave): they may see a private trouble.
    #[serde(default)]
    pub members_seen: Vec<UserId>,
    /// How the bot lost the trouble's channel, while it has (see [`ChannelLoss`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_lost: Option<ChannelLoss>,
    /// What the bot meant to say in the trouble's channel while it could not (see [`Held`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Held>,
    /// While the bot waits for its channel (lost, or calls held), the number of the next check
    /// whether it can post there again: a check timer of another number is stale. `u32::MAX`
    /// once Slack refused a check for good, until the channel is back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_check: Option<u32>,
    /// Kickoffs deleted and posted again in the same channel, latest last (at most
    /// [`Trouble::EARLIER_KICKOFFS`]): Slack leaves a deleted thread parent's replies under a
    /// tombstone, and a reply there still acknowledges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_kickoffs: Vec<Ts>,
    /// Whether its channel is private; None for a trouble stored before this was recorded.
    #[serde(default)]
    pub private: Option<bool>,
    /// Troubles stored before reports were remembered open with none.
    #[serde(default)]
    pub last_report: Option<LastReport>,
    /// Facts, returned goods, scope, cause and actions; troubles stored before them have none.
    #[serde(default)]
    pub substance: super::facts::Substance,
    /// Split and cost proposals, their approval and the customer's agreement.
    #[serde(default)]
    pub agreement: super::approval::Agreements,
    /// The customer's past troubles as they stood at opening (the last five), shown in the
    /// kickoff thread and again when the split is being settled (stage 5).
    #[serde(default)]
    pub past: Vec<super::customer::PastTrouble>,
    /// The names of its people as Slack showed them when last asked: the report and the 8D
    /// name people without mentioning them (a mention pings), and an id reads as nobody.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub names: std::collections::BTreeMap<UserId, KnownName>,
    /// The customer and summary as reported, once either was corrected: the kickoff and the
    /// managers' DMs, edited to the corrected words, say what was first said beside them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_reported: Option<AsReported>,
    /// Replies in a thread of the trouble's channel that came before the bot knew its
    /// kickoff's ts (Slack posted it, its answer still on the way): each is an
    /// acknowledgement once the kickoff turns out to be that thread. At most
    /// [`Trouble::EARLY_REPLIES`], forgotten once the kickoff is known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub early_replies: Vec<EarlyReply>,
    /// The DMs saying the customer waits (a nudge by DM, the one above the manager told the
    /// customer still waits), as posted: edited once the customer is updated, or the trouble
    /// closed, as the escalation's DMs are once answered, and forgotten then. One per DM channel,
    /// the newest (a nudge by DM comes every cadence in a channel shared with the customer), so
    /// at most a few: kept in the body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting_dms: Vec<KeptDm>,
    /// The waiting DMs updates settled, the last to each person, as they were kept before it:
    /// should the updates since the wait they counted from all be withdrawn, they say again
    /// that the customer waits, and are kept again. Forgotten at the close.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting_settled: Vec<KeptDm>,
    /// Owners of its open actions the bot could not DM (gone from Slack): whoever answers for
    /// the trouble was told once, to hand their work to someone else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreachable_workers: Vec<UserId>,
    /// Owners of the trouble Slack refused a DM to for good, for a reason of their own (gone
    /// from Slack, someone the bot may not reach): their manager and the channel were told
    /// once, and the bot's follow-ups DM them no longer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreachable_owners: Vec<UserId>,
    /// Owners of its open actions a reminder found away in Slack, each as it found them:
    /// whoever answers for the trouble was told once per action and absence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub away_workers: Vec<AwayWorker>,
    /// Lines posted in its channel while nobody of another organisation read it that a channel
    /// shared with the customer would not have carried as they are (see
    /// `trouble::decide::outside`): withdrawn, each once, when the channel turns out to be
    /// shared (Slack Connect shows the history to whoever joins). At most
    /// [`Trouble::TEAM_LINES`]; older ones are counted in [`Trouble::team_lines_dropped`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team_lines: Vec<TeamLine>,
    /// Team lines beyond [`Trouble::TEAM_LINES`], not kept (told when the channel is shared).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub team_lines_dropped: u32,
    /// When the bot last learnt that its channel is shared outside the company (and withdrew
    /// the team lines): a line whose post was judged before then is withdrawn as it is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_seen: Option<DateTime<Utc>>,
    /// When the core last had the status redrawn: what fell due by then (an action, the update
    /// owed the customer) reads overdue there, as `list` and App Home say it. The status is
    /// drawn from the stored trouble alone, never from a clock: the timers at those due times
    /// redraw it (absent from troubles whose status was not redrawn since this was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_as_of: Option<DateTime<Utc>>,
    /// Whether a channel of the trouble was deleted (an admin, a Slack retention rule): a
    /// channel Slack then refuses to create is a replacement, the departments having heard at
    /// the kickoff, not the first move left undone. False for troubles stored before this was.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub channel_deleted: bool,
    /// Slack refused for good to create the trouble's channel and nobody has asked for it
    /// again since: the owner's refusal DM, the managers' DMs, the escalation's DMs still asking
    /// and App Home carry a button that asks (once: a creation queued clears this, so a double
    /// click or a second person makes no second channel).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub channel_refused: bool,
    /// Where the wait counted from (see [`Self::cadence_from`]) when the one above the manager
    /// was last told the customer still waits: told once per wait, however late the nudge that
    /// finds it four cadences long (the bot down across it, a severity raised past it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub still_waiting_told: Option<DateTime<Utc>>,
    /// Set only on the view of a trouble rendered for its pinned kickoff and status in a
    /// channel shared with the customer (never stored): our own deadlines (the first call's,
    /// the next update's) are not the customer's to watch pass; the team has them by DM.
    #[serde(skip)]
    pub deadlines_untold: bool,
}

/// What a trouble's opening said before `fix customer` or `fix summary` corrected it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsReported {
    pub customer: String,
    pub summary: String,
}

/// A person's name as Slack showed it (`users.info`), and when it was asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownName {
    pub name: String,
    pub at: DateTime<Utc>,
}

impl Trouble {
    /// How long a name is trusted before Slack is asked again (someone renamed reads under
    /// the new name from then on).
    pub const NAME_FRESH_FOR: chrono::Duration = chrono::Duration::days(7);

    /// The people of `ids` whose name the trouble does not hold, or holds from too long ago.
    pub fn names_to_learn(&self, ids: Vec<UserId>, now: DateTime<Utc>) -> Vec<UserId> {
        ids.into_iter()
            .filter(|id| self.names.get(id).is_none_or(|n| now - n.at >= Self::NAME_FRESH_FOR))
            .collect()
    }

    /// `text` (the report, the 8D) with every `@U…` it names written as that person's name,
    /// where the trouble holds one.
    pub fn with_names(&self, text: &str) -> String {
        if self.names.is_empty() {
            return text.to_string();
        }
        crate::trouble::people::with_names(text, |id| self.names.get(&UserId::new(id)).map(|n| n.name.clone()))
    }
}

impl Trouble {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// Whether what the bot says in the trouble's channel waits for it (see [`Held`]): the bot
    /// lost the channel, or Slack refused to create it and nobody has asked for it again since.
    pub fn channel_waits(&self) -> bool {
        self.channel_lost.is_some() || (self.channel.is_none() && self.channel_refused)
    }

    /// Whether a command of the trouble's channel, typed outside every trouble's channel naming
    /// the trouble by its id, acts on it: while it has no channel to type in (being made,
    /// refused by Slack, deleted once closed). Otherwise the answer points to its channel, where
    /// everyone reads what the command says (one the bot lost is unarchived, or the bot invited
    /// back, as its DMs say).
    pub fn takes_commands_by_id(&self) -> bool {
        self.channel.is_none()
    }

    /// Closed by the manager chain without stage 7 done (`close force`): what was unfinished
    /// then was left open, where an ordinary close leaves only measures under way.
    pub fn closed_by_force(&self) -> bool {
        self.closed.as_ref().is_some_and(|c| c.forced_reason.is_some())
    }

    /// The current stage: the first one not done; None when all are done.
    pub fn current_stage(&self) -> Option<StageId> {
        StageId::all().find(|&i| self.stage(i).state != StageState::Done)
    }

    /// Who opened it: the first owner (the owner, for a trouble stored before that was kept).
    pub fn opened_by(&self) -> &UserId {
        self.origin.by.as_ref().unwrap_or(&self.owner)
    }

    pub fn stage(&self, id: StageId) -> &Stage {
        &self.stages[id.index()]
    }

    pub fn stage_mut(&mut self, id: StageId) -> &mut Stage {
        &mut self.stages[id.index()]
    }

    /// The customer updates that count as contact: every one logged but those withdrawn.
    pub fn counted_updates(&self) -> impl DoubleEndedIterator<Item = &CustomerUpdate> + Clone {
        self.customer_updates.iter().filter(|u| u.withdrawn.is_none())
    }

    /// Whether the customer has heard from us at all (a withdrawn update does not count).
    pub fn contacted(&self) -> bool {
        self.counted_updates().next().is_some()
    }

    pub fn last_customer_contact(&self) -> DateTime<Utc> {
        self.counted_updates().last().map(|u| u.at).unwrap_or(self.opened_at)
    }

    /// The promised next contact: the latest promise made, while no update came after its time.
    /// An update with no promise of its own (a colleague's, say) leaves an earlier promise
    /// standing, since the customer still expects it; only a new promise replaces it.
    pub fn promised_next(&self) -> Option<DateTime<Utc>> {
        let last = self.counted_updates().last()?;
        self.counted_updates()
            .rev()
            .find_map(|u| u.promised_next)
            .filter(|p| *p > last.at)
    }

    /// When the promise the counted update `i` made was settled: by the first later update that
    /// made a promise of its own or came at or after its time. A later update before it with no
    /// promise leaves it standing, as [`Self::promised_next`] does (the customer still expects
    /// that call), so it neither keeps nor breaks it. None while it stands, or with no promise.
    pub fn promise_settled_at(&self, i: usize) -> Option<DateTime<Utc>> {
        let mut later = self.counted_updates().skip(i);
        let promised = later.next()?.promised_next?;
        later
            .find(|u| u.promised_next.is_some() || u.at >= promised)
            .map(|u| u.at)
    }

    /// The customer's zone the promise for AT was written in (`17:00 CET`), None for our own.
    pub fn promise_zone(&self, at: DateTime<Utc>) -> Option<crate::trouble::zone::Zone> {
        self.counted_updates()
            .rev()
            .find(|u| u.promised_next == Some(at))
            .and_then(|u| u.promised_zone.as_deref())
            .and_then(crate::trouble::zone::zone_of)
    }

    /// The promise made at the last update, while it still stands: the trouble open and not
    /// reopened since it was made.
    pub fn standing_promise(&self) -> Option<DateTime<Utc>> {
        self.promised_next()
            .filter(|p| self.is_open() && *p > self.cadence_from())
    }

    /// Where the customer-update cadence counts from: see [`cadence_from`].
    pub fn cadence_from(&self) -> DateTime<Utc> {
        cadence_from(self.last_customer_contact(), self.substance.reopened_at)
    }

    /// From when the first call's deadline counts: see [`first_call_from`].
    pub fn first_call_from(&self, policy: &super::policy::Policy) -> Option<DateTime<Utc>> {
        first_call_from(
            policy,
            self.severity,
            !self.contacted(),
            self.opened_at,
            self.substance.reopened_at,
        )
    }

    /// Everyone who may act as the manager: the manager and the chain above.
    pub const EARLIER_KICKOFFS: usize = 5;
    /// How many replies in a thread not known yet a trouble keeps.
    pub const EARLY_REPLIES: usize = 8;

    /// Whether `thread_ts` is the thread of the kickoff, where the manager acknowledges (or of
    /// one deleted and posted again).
    pub fn is_kickoff_thread(&self, thread_ts: &Ts) -> bool {
        self.kickoff.as_ref().is_some_and(|k| k.ts == *thread_ts) || self.earlier_kickoffs.contains(thread_ts)
    }

    /// Whether `thread_ts` is the thread of a DM the bot sent asking someone to acknowledge
    /// this trouble (the manager's, the configured manager's, an escalation's still asking).
    pub fn is_asking_dm_thread(&self, thread_ts: &Ts) -> bool {
        let managers = [&self.manager_dm, &self.configured_manager_dm].into_iter().flatten();
        let escalation = self.escalation.dms.iter().map(|dm| &dm.posted);
        managers.chain(escalation).any(|posted| posted.ts == *thread_ts)
    }

    /// Whether the trouble still keeps `message` as a DM asking to acknowledge it (a manager's,
    /// an escalation's): one shared with other troubles is forgotten by a trouble that no longer
    /// asks its reader (answered, asked again below, left the chain), and stays for the others.
    pub fn keeps_asking_dm(&self, message: &PostedMessage) -> bool {
        let same = |kept: &PostedMessage| kept.channel == message.channel && kept.ts == message.ts;
        let escalation = self.escalation.dms.iter().map(|dm| &dm.posted);
        [&self.manager_dm, &self.configured_manager_dm]
            .into_iter()
            .flatten()
            .chain(escalation)
            .any(same)
    }

    /// Whether the trouble keeps `message` to edit at all: still asking, or an escalation's DM
    /// answered and kept for later corrections.
    pub fn keeps_dm(&self, message: &PostedMessage) -> bool {
        let answered = |kept: &KeptDm| kept.posted.channel == message.channel && kept.posted.ts == message.ts;
        self.keeps_asking_dm(message) || self.escalation.settled.iter().any(answered)
    }

    /// What trouble's escalation DM `message` said when it was posted, while it still asks.
    pub fn asking_escalation_dm(&self, message: &PostedMessage) -> Option<&crate::trouble::decide::Message> {
        self.escalation
            .dms
            .iter()
            .find(|dm| dm.posted.channel == message.channel && dm.posted.ts == message.ts)
            .and_then(|dm| dm.shown.as_ref())
    }

    pub fn manager_chain(&self) -> &[UserId] {
        &self.escalation.chain
    }

    /// Whether the bot found Slack will not take a DM to `who` (gone from Slack, deactivated):
    /// passed over in the chain, an owner or an action's owner set aside. Nobody should be sent
    /// to them, nor the bot ask them anything.
    pub fn cannot_be_reached(&self, who: &UserId) -> bool {
        self.escalation.unreachable.contains(who)
            || self.unreachable_owners.contains(who)
            || self.unreachable_workers.contains(who)
    }

    /// Nobody has acknowledged it and the escalation asks `user` ([`Escalation::asks`]): it
    /// waits for their acknowledgement (App Home's first section, the digest's *for you*, an
    /// answer in their DM).
    pub fn awaits_ack_of(&self, user: &UserId) -> bool {
        self.ack.is_none() && self.escalation.asks(user)
    }
}

/// Where the customer-update cadence counts from: the last contact, or the reopening when it
/// came after it. A trouble reopened after days closed owes its customer an update a cadence
/// after the reopening, not at once for the days it was closed.
pub fn cadence_from(last_contact: DateTime<Utc>, reopened_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    reopened_at.filter(|r| *r > last_contact).unwrap_or(last_contact)
}

/// From when the first call's deadline counts: the opening, while no call has been made, unless
/// the trouble was reopened after that deadline had passed. Such a trouble owes its customer an
/// update a cadence after the reopening (its nudge counts so), not a first call due since an
/// opening days before: the status, App Home and the digest say what the nudge goes by. One
/// closed and reopened before the deadline still owes the first call by it (its timer still
/// fires): a close by mistake never moves a first call's deadline.
pub fn first_call_from(
    policy: &super::policy::Policy,
    severity: Severity,
    never_updated: bool,
    opened_at: DateTime<Utc>,
    reopened_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let owed_at_reopening = |reopened: DateTime<Utc>| policy.first_call_due(severity, opened_at) > reopened;
    (never_updated && reopened_at.is_none_or(owed_at_reopening)).then_some(opened_at)
}

/// What `/trouble list` shows of an open trouble, kept in its own index so listing thousands
/// of troubles does not decode them whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TroubleSummary {
    pub id: TroubleId,
    pub customer: String,
    pub severity: Severity,
    pub current_stage: Option<StageId>,
    pub acknowledged: bool,
    pub opened_at: DateTime<Utc>,
    pub last_customer_contact: DateTime<Utc>,
    pub channel: Option<ChannelId>,
    pub channel_name: Option<String>,
    /// Whether its channel is private; None in a summary written before this was recorded.
    #[serde(default)]
    pub private: Option<bool>,
    /// The start of the trouble's summary ([`summary_start`]), so two troubles of one customer
    /// tell apart in `/trouble list`; empty in a summary written before this was kept, until
    /// the trouble's next change.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// What the customer update's due time counts from, so the list marks an update overdue;
    /// None in a summary an earlier release wrote, until the store's next start fills it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<CadenceBasis>,
    /// While nobody acknowledged it: its owner and whom its escalation already knows, so the
    /// look at start for the manager a fixed `[org]` names reads the summaries, not every such
    /// trouble whole (see `decide::org_may_name_someone_new`). None once acknowledged or closed,
    /// and in a summary an earlier release wrote, until the trouble's next change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting: Option<AwaitingAck>,
}

/// An open trouble nobody acknowledged, as its summary keeps it: its owner, and everyone its
/// escalation knows ([`Escalation::known`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingAck {
    pub owner: UserId,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known: Vec<UserId>,
    /// The owner's manager a fixed `[org]` named, asked from outside the chain
    /// ([`Escalation::asked_outside`]): a start that finds `[org]` names someone else lets them go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<UserId>,
}

/// The parts of a trouble its customer update's due time is judged from (with its severity and
/// last contact), as App Home's row keeps them: see [`TroubleSummary::update_late`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CadenceBasis {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_next: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopened_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_updated: bool,
}

impl CadenceBasis {
    pub fn of(t: &Trouble) -> Self {
        CadenceBasis {
            promised_next: t.promised_next(),
            reopened_at: t.substance.reopened_at,
            never_updated: !t.contacted(),
        }
    }
}

impl TroubleSummary {
    /// How late the customer's update is at `now` (None while it is not due, or for a row that
    /// does not carry its basis yet): what `Policy::customer_owed_by` says of the trouble, so
    /// `/trouble list` marks the same troubles App Home calls overdue.
    pub fn update_late(&self, policy: &super::policy::Policy, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let basis = self.cadence.as_ref()?;
        let owed = policy.owed_by(
            self.severity,
            cadence_from(self.last_customer_contact, basis.reopened_at),
            basis.promised_next,
            first_call_from(
                policy,
                self.severity,
                basis.never_updated,
                self.opened_at,
                basis.reopened_at,
            ),
        );
        (owed < now).then(|| now - owed)
    }
}

/// How much of a trouble's summary a row keeps (App Home, `/trouble list`, the lists of a DM,
/// the digest): enough to tell two troubles of one customer apart on a phone.
pub const SUMMARY_CHARS: usize = 80;

/// The start of `summary` a row shows: its first [`SUMMARY_CHARS`] characters, as typed (shown
/// through the neutraliser like any user text).
pub fn summary_start(summary: &str) -> String {
    super::markup::start_within(summary, SUMMARY_CHARS).to_string()
}

impl From<&Trouble> for TroubleSummary {
    fn from(t: &Trouble) -> Self {
        TroubleSummary {
            id: t.id.clone(),
            customer: t.customer.clone(),
            severity: t.severity,
            current_stage: t.current_stage(),
            acknowledged: t.ack.is_some(),
            opened_at: t.opened_at,
            last_customer_contact: t.last_customer_contact(),
            channel: t.channel.clone(),
            channel_name: t.channel_name.clone(),
            private: t.private,
            summary: summary_start(&t.summary),
            cadence: Some(CadenceBasis::of(t)),
            awaiting: (t.ack.is_none() && t.is_open()).then(|| AwaitingAck {
                owner: t.owner.clone(),
                known: t.escalation.known(),
                outside: t.escalation.asked_outside().cloned(),
            }),
        }
    }
}

/// How a trouble is stored: what Slack's answers and the timeline move on every delivery result
/// (the trouble's channel, the messages the bot keeps editing, the refresh and creation flags,
/// the chain head) lives in a small record of its own beside the trouble's body, so that
/// recording a message's ts rewrites ~300 bytes instead of the whole trouble. A body stored
/// without one (the previous release wrote the trouble whole) carries these fields itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tracking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kickoff: Option<PostedMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PostedMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_dm: Option<PostedMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_manager_dm: Option<PostedMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_notice: Option<PostedMessage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub announcements: Vec<Option<PostedMessage>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_report: Option<LastReport>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub status_refresh_queued: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub channel_create_queued: bool,
    #[serde(default)]
    pub timeline_len: u64,
    #[serde(default)]
    pub timeline_head: String,
}

impl Tracking {
    pub fn of(t: &Trouble) -> Tracking {
        Tracking {
            channel: t.channel.clone(),
            channel_name: t.channel_name.clone(),
            kickoff: t.kickoff.clone(),
            status: t.status.clone(),
            manager_dm: t.manager_dm.clone(),
            configured_manager_dm: t.configured_manager_dm.clone(),
            origin_notice: t.origin_notice.clone(),
            announcements: t.announcements.clone(),
            last_report: t.last_report.clone(),
            status_refresh_queued: t.status_refresh_queued,
            channel_create_queued: t.channel_create_queued,
            timeline_len: t.timeline_len,
            timeline_head: t.timeline_head.clone(),
        }
    }

    /// Puts these fields into `t` (a body read from the store).
    pub fn apply(self, t: &mut Trouble) {
        t.channel = self.channel;
        t.channel_name = self.channel_name;
        t.kickoff = self.kickoff;
        t.status = self.status;
        t.manager_dm = self.manager_dm;
        t.configured_manager_dm = self.configured_manager_dm;
        t.origin_notice = self.origin_notice;
        t.announcements = self.announcements;
        t.last_report = self.last_report;
        t.status_refresh_queued = self.status_refresh_queued;
        t.channel_create_queued = self.channel_create_queued;
        t.timeline_len = self.timeline_len;
        t.timeline_head = self.timeline_head;
    }
}

impl Trouble {
    /// The trouble as its body is stored beside its [`Tracking`]: those fields left empty.
    pub fn body(&self) -> Trouble {
        let mut body = self.clone();
        Tracking::default().apply(&mut body);
        body
    }

    /// Whether `self` and `other` differ only in their [`Tracking`] (the body need not be
    /// written again).
    pub fn same_body(&self, other: &Trouble) -> bool {
        // Field by field rather than on a copy with the tracking swapped in (a delivery's result
        // asks this of two whole troubles); a field added to `Trouble` must be named here.
        let Trouble {
            id,
            seq,
            customer,
            summary,
            severity,
            owner,
            former_owners,
            manager,
            departments,
            origin,
            opened_at,
            channel: _,
            channel_name: _,
            kickoff: _,
            status: _,
            manager_dm: _,
            configured_manager_dm: _,
            origin_notice: _,
            announcements: _,
            stages,
            ack,
            escalation,
            customer_updates,
            split,
            costs,
            measures,
            closed,
            timeline_len: _,
            timeline_head: _,
            status_refresh_queued: _,
            channel_create_queued: _,
            followup_epoch,
            first_contact_epoch,
            added,
            members_seen,
            channel_lost,
            held,
            channel_check,
            earlier_kickoffs,
            private,
            last_report: _,
            substance,
            agreement,
            past,
            names,
            as_reported,
            early_replies,
            waiting_dms,
            waiting_settled,
            unreachable_workers,
            unreachable_owners,
            away_workers,
            team_lines,
            team_lines_dropped,
            shared_seen,
            status_as_of,
            channel_deleted,
            channel_refused,
            still_waiting_told,
            deadlines_untold: _,
        } = self;
        *id == other.id
            && *seq == other.seq
            && *customer == other.customer
            && *summary == other.summary
            && *severity == other.severity
            && *owner == other.owner
            && *former_owners == other.former_owners
            && *manager == other.manager
            && *departments == other.departments
            && *origin == other.origin
            && *opened_at == other.opened_at
            && *stages == other.stages
            && *ack == other.ack
            && *escalation == other.escalation
            && *customer_updates == other.customer_updates
            && *split == other.split
            && *costs == other.costs
            && *measures == other.measures
            && *closed == other.closed
            && *followup_epoch == other.followup_epoch
            && *first_contact_epoch == other.first_contact_epoch
            && *added == other.added
            && *members_seen == other.members_seen
            && *channel_lost == other.channel_lost
            && *held == other.held
            && *channel_check == other.channel_check
            && *earlier_kickoffs == other.earlier_kickoffs
            && *private == other.private
            && *substance == other.substance
            && *agreement == other.agreement
            && *past == other.past
            && *names == other.names
            && *as_reported == other.as_reported
            && *early_replies == other.early_replies
            && *waiting_dms == other.waiting_dms
            && *waiting_settled == other.waiting_settled
            && *unreachable_workers == other.unreachable_workers
            && *unreachable_owners == other.unreachable_owners
            && *away_workers == other.away_workers
            && *team_lines == other.team_lines
            && *team_lines_dropped == other.team_lines_dropped
            && *shared_seen == other.shared_seen
            && *status_as_of == other.status_as_of
            && *channel_deleted == other.channel_deleted
            && *channel_refused == other.channel_refused
            && *still_waiting_told == other.still_waiting_told
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn troubles_are_ordered_as_they_were_opened_not_as_their_ids_sort() {
        let [a, b, c] = ["20261130-9", "20261130-10", "20261201-1"].map(TroubleId::new);
        assert!(a.opening_order() < b.opening_order());
        assert!(b.opening_order() < c.opening_order());
    }

    #[test]
    fn stages_and_severities_are_stored_as_the_numbers_they_replaced() {
        for (i, stage) in StageId::all().enumerate() {
            assert_eq!(serde_json::to_string(&stage).unwrap(), i.to_string());
            assert_eq!(serde_json::from_str::<StageId>(&i.to_string()).unwrap(), stage);
            assert_eq!(stage.number(), i + 1);
        }
        assert!(serde_json::from_str::<StageId>("7").is_err(), "there are seven stages");
        assert_eq!(serde_json::to_string(&Severity::new(2)).unwrap(), "2");
        assert_eq!(serde_json::from_str::<Severity>("3").unwrap(), Severity::new(3));
    }

    #[test]
    fn a_lower_severity_number_is_more_severe() {
        assert!(Severity::new(1).is_more_severe_than(Severity::new(2)));
        assert!(!Severity::new(2).is_more_severe_than(Severity::new(2)));
        assert_eq!("3".parse::<Severity>().unwrap(), Severity::new(3));
        assert_eq!(Severity::new(3).to_string(), "3");
    }
}

/// What asking Slack about the trouble's channel found (`conversations.info`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelSeen {
    /// The bot can post there.
    Usable,
    Archived,
    /// Shown to the bot, without the bot in it.
    BotOut,
    /// Slack shows the bot no such channel: deleted, or private without the bot.
    NotFound,
}

/// How the bot can lose the trouble's channel, its shared record: it posts nothing there after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelLoss {
    /// Someone archived the channel (`channel_archive`/`group_archive`).
    Archived,
    /// Someone removed the bot from the channel (`channel_left`/`group_left`).
    BotRemoved,
}

/// The calls to the trouble's channel that wait, in order, while the bot cannot post there (the
/// channel lost, or never made: Slack refused it): once it can again they go, after a line
/// saying why they come late. Bounded: a trouble's channel lost for weeks while its commands go
/// on (the bot removed, commands still work) keeps at most [`Held::MOST`] lines (the messages
/// it keeps, such as a kickoff posted again, always, and a report whole, the latest only); the
/// timeline keeps everything.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Held {
    /// When the first of them was held.
    pub since: DateTime<Utc>,
    pub calls: Vec<crate::trouble::decide::Delivery>,
    /// How many of `calls`, at their head, came back refused from the outbox: decided before
    /// the bot knew, they go before those held as they were decided.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refused: u32,
    /// Messages held beyond [`Held::MOST`], not kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub left_out: u32,
    /// How the channel was lost, as far as the bot knew when it first held a call: said when
    /// they follow, should the bot learn of the return only by checking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<ChannelLoss>,
}

impl Held {
    pub const MOST: usize = 50;
}

impl Trouble {
    /// The most team lines a trouble keeps to withdraw (a few dozen bytes each).
    pub const TEAM_LINES: usize = 500;
}

pub(crate) fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The owner `who` of action `n`, found away (`away`) by its reminder (see
/// [`Trouble::away_workers`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwayWorker {
    pub n: usize,
    pub who: UserId,
    pub away: Away,
}

/// Someone away, as their Slack status says (set by themselves: it may only bring more people
/// in, never leave anyone out). Their own status text is never shown: only what it reads as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Away {
    pub why: Absence,
    /// When the status clears itself, when it was set to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// What a Slack status reads as, of the absences that keep someone from answering for a day
/// or more (a meeting or a commute is waited out by the acknowledgement timeout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Absence {
    Vacation,
    Sick,
    Travelling,
    OutOfOffice,
}
