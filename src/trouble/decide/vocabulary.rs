//! The core's vocabulary: what goes in (`Input`), what comes out (`Decision`: deliveries, timers, the reply) and the context.

use super::*;

/// What the core needs besides the trouble: the policy (never the whole configuration) and the time.
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub now: DateTime<Utc>,
}

/// How long Slack takes a slash command's `response_url` (five posts within half an hour).
pub const RESPONSE_URL_LIFETIME: Duration = Duration::minutes(30);

/// Per-trouble delivery lanes: calls in one lane run in order, lanes run side by side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// Create channel → invite → kickoff → pin → status → everything else in the channel.
    Channel,
    /// Direct messages to the manager chain: never wait for the channel.
    Dm,
    /// The notice in the channel where `/trouble open` was typed, and replies to the reporter.
    Origin,
    /// Business-unit / company-wide announcements.
    Announce,
    /// Modals: must be opened within 3 s of the trigger, so they wait for nothing.
    View,
    /// App Home tabs, republished when what they show changes.
    Home,
}

impl Lane {
    pub fn name(self) -> &'static str {
        match self {
            Lane::Channel => "channel",
            Lane::Dm => "dm",
            Lane::Origin => "origin",
            Lane::Announce => "announce",
            Lane::View => "view",
            Lane::Home => "home",
        }
    }
}

/// Messages the bot keeps and edits in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    Kickoff,
    Status,
    ManagerDm,
    /// The owner's configured manager's DM, when another manager was named at open.
    ConfiguredManagerDm,
    OriginNotice,
    /// The summary of the last report, in the channel.
    Report,
    /// A DM asking someone up the chain to acknowledge (`Message::EscalationDm`): kept in
    /// `Escalation::dms`, several at once, so never refreshed or pinned as a slot.
    EscalationDm,
    /// A DM telling someone named manager after the acknowledgement that the trouble is theirs
    /// (`Message::NamedManager`): kept in `Escalation::named`, several at once, edited as the
    /// managers' DMs are.
    NamedManagerDm,
    /// A DM saying the customer waits (a nudge, `CustomerStillWaiting`): kept in
    /// `Trouble::waiting_dms`, several at once, edited once the customer is updated.
    WaitingDm,
    /// The heads-up in the `n`th channel the severity announced the opening to, kept in
    /// `Trouble::announcements`.
    Announcement {
        n: usize,
    },
    /// A message asking for a decision on proposal `n` with its Approve / Reject buttons: the
    /// channel's line, or a DM (`dm`) to an approver. Kept in `Agreements::asking` while the
    /// proposal waits, edited once it is decided, superseded or the trouble closed.
    Proposal {
        n: usize,
        dm: bool,
    },
    /// The effectiveness check of prevention action `n`, with its buttons, asked in `round` of
    /// reopenings for the action's `epoch` of check dates. Kept in `Substance::effect_asking`
    /// while it asks, edited once it is answered, cancelled or superseded.
    EffectCheck {
        n: usize,
        round: u32,
        epoch: u32,
    },
    /// A line in the trouble's channel carrying the typed text of timeline entry `seq` (a
    /// note, a severity change's reason, …: set by `Work::send` for every kind): its ts is kept
    /// with the team's lines (`Trouble::team_lines`), so a redaction of the entry edits it.
    /// Never refreshed or pinned as a slot.
    Entry {
        seq: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dest {
    TroubleChannel,
    /// The kickoff message's thread, where acknowledgement happens.
    KickoffThread,
    /// The last report's thread, where its parts go.
    ReportThread,
    Channel(ChannelId),
    Dm(UserId),
}

/// Why someone named to `remove` stays on the trouble.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeptBy {
    /// They own it.
    Owner,
    /// They are in its manager chain.
    Chain,
    /// They are a member of one of its departments (key), which stays.
    Department(String),
    /// Their actions still open (numbers): handed to someone else first.
    Actions(Vec<usize>),
}

/// Why an announcement no longer holds ([`Message::AnnouncedNoLonger`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoLonger {
    Lowered {
        from: Severity,
        to: Severity,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    Closed {
        forced_reason: Option<String>,
    },
    /// Closed, it was opened again (`not_effective`: the measure found not to work).
    Reopened {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_effective: Option<usize>,
    },
    /// `fix customer` (`summary`: `fix summary`) changed what was announced, `from` → `to`.
    Corrected {
        summary: bool,
        from: String,
        to: String,
    },
}

/// What an [`Message::OverruledNotice`] tells of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Overruled {
    ForcedClose {
        reason: String,
    },
    Lowered {
        from: Severity,
        to: Severity,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
}

/// What a message says; rendered into Slack's format at delivery time, in the configured locale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// Slot messages: rendered from the trouble's current state.
    Kickoff,
    Status,
    ManagerDm,
    OriginNotice,
    Announcement,
    NoManagerHint,
    /// The owner is at the top of `[org]`: everyone there reports to them, so nobody was asked.
    TopOfOrgHint,
    /// The answer in the DM of whoever acknowledged by writing there ([`Input::DmReply`]).
    AcknowledgedInDm,
    /// The answer in the DM of whoever wrote there to acknowledge but may not ([`Input::DmReply`]):
    /// the refusal a tap on the button gets, naming the trouble and who may, never silence.
    AckRefusedInDm,
    Acknowledged {
        by: UserId,
        after_secs: i64,
        /// Set by the deliverer, never stored: the thread is in a channel shared with the
        /// customer, who reads who acknowledged, not how long it waited.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        wait_withheld: bool,
    },
    EscalationMention {
        to: UserId,
        waited_secs: i64,
        /// The one asked before, whom the bot could not reach (not their timeout passing).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        passed_over: Option<UserId>,
        /// Asked because the chain changed, not because anyone's time ran out (`waited_secs`
        /// is then the time since opening).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_to_chain: Option<NewToChain>,
    },
    EscalationDm {
        to: UserId,
        waited_secs: i64,
        /// As in `EscalationMention`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        passed_over: Option<UserId>,
        /// As in `EscalationMention`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_to_chain: Option<NewToChain>,
        /// Who in the chain below them was asked before, and how long before this DM: what
        /// someone reading it on a phone needs to act. Empty in DMs queued by an earlier release.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        asked_before: Vec<AskedBefore>,
    },
    /// An `EscalationDm` edited once it no longer asks, rendered from the trouble as it then
    /// is: who acknowledged and after how long, or that it was closed first; or, `asked_again`
    /// while nobody has, that a newer DM to the same person asks instead (only the newest keeps
    /// the button). While `to`, whom it asked, may still ask for a channel Slack refused, it
    /// keeps that button, as the managers' DM does (absent from edits queued by an earlier
    /// release, which then show none).
    EscalationDmSettled {
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        asked_again: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<UserId>,
    },
    NobodyAnswered,
    /// To someone named manager (`by`) once the trouble was acknowledged: nobody asks them to
    /// acknowledge, so this tells them it is theirs now.
    NamedManager {
        by: UserId,
        /// Whom it tells, to release it when a change of the chain leaves them out (absent from
        /// DMs queued by an earlier release, which were not kept).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<UserId>,
    },
    /// To the new owner's manager in `[org]`, new to the chain with the hand-over (`by` handed
    /// it to `to`, their report): the manager kept in front may acknowledge it before the
    /// escalation reaches them, or had already, so nothing else would tell them.
    HandedToYourReport {
        by: UserId,
        to: UserId,
    },
    /// A DM that asked someone to acknowledge (the manager's, or an escalation's when `above`),
    /// edited once a change of the chain left them out of it: nothing is asked of them any
    /// longer. `by` named `to` manager instead; or, `handed_to` set, `by` handed the trouble to
    /// that new owner, whose chain leaves them out, and `to` is the one asked now. `yours`: the
    /// new owner is the DM's reader (it was handed to them, or they took it over). `by_you`:
    /// `by` is the DM's reader, who reads that they did it, not their own name.
    NoLongerManager {
        by: UserId,
        to: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handed_to: Option<UserId>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        above: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        yours: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_you: bool,
    },
    /// To `to`, by DM, when `by` closed the trouble leaving actions of theirs open: still theirs.
    ActionsLeftOpen {
        to: UserId,
        by: UserId,
    },
    /// To `to`, by DM, whose action `by` corrected or cancelled (`event`: `ActionCorrected`,
    /// `ActionCancelled`): the former owner, the new one, whoever gave it.
    ActionChanged {
        to: UserId,
        by: UserId,
        event: crate::trouble::facts::StepEvent,
    },
    /// To the one above `by` in the owner's chain from `[org]`, by DM, when `by` overruled the
    /// trouble's own rules (a forced close, a lowered severity): one person does not end or slow
    /// a trouble unseen by the level above.
    OverruledNotice {
        by: UserId,
        overruled: Overruled,
    },
    /// To the trouble's manager, by DM, when someone above them lowered its severity: their DM
    /// is edited to the new severity without a sound, and their reminders slow with it.
    LoweredAboveYou {
        by: UserId,
        from: Severity,
        to: Severity,
        reason: String,
    },
    /// To a channel the trouble was announced in (its severity's `announce_channels`), once the
    /// heads-up given there no longer holds: lowered below the severity announced there, or
    /// closed. Leaders told "critical" also hear it was downgraded or ended, and by whom.
    AnnouncedNoLonger {
        by: UserId,
        why: NoLonger,
    },
    /// In the channel, after a nudge the owner cannot read: their Slack status says they are
    /// away, so the manager is asked to see the customer hears from us, or hand the trouble on.
    OwnerAway {
        owner: UserId,
        manager: UserId,
        /// The manager named on the trouble, mentioned beside the owner's own (`manager`): see
        /// [`crate::trouble::decide::Warned`]. Absent from a line an earlier release queued.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named: Option<UserId>,
        away: Away,
        waited_secs: i64,
    },
    /// By DM, once an action's reminder reached its owner `who`, whose Slack status says they
    /// are away (`away`): to the trouble's owner, to see action `n` handed to someone present;
    /// to the manager instead when the trouble's owner is away too (`owner_away`), or is the
    /// action's owner themself.
    ActionOwnerAway {
        n: usize,
        who: UserId,
        away: Away,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner_away: Option<Away>,
    },
    /// In the channel, once the line handing the trouble to `to` found them away (`away`): the
    /// one who handed it over (`by`), the owner's manager and the manager named beside them
    /// (`named`) are asked to see the customer still hears from us, or hand it to someone present.
    HandedToAway {
        to: UserId,
        by: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        manager: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named: Option<UserId>,
        away: Away,
    },
    /// In the channel, to the owner's manager (and the manager named beside them): `by` promised
    /// the customer the next update at `promise`, `ahead_secs` away, further than two update
    /// periods of `severity`, which silences the nudges until then.
    FarPromise {
        by: UserId,
        promise: DateTime<Utc>,
        ahead_secs: i64,
        severity: Severity,
        manager: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named: Option<UserId>,
    },
    /// To the one above the manager, by DM, once the customer has heard nothing for four update
    /// periods: the manager's mentions have not got them told.
    CustomerStillWaiting {
        waited_secs: i64,
        manager: UserId,
        /// The customer's last contact it counted from: one landing after an update is settled
        /// at once (absent in a DM queued by the previous release).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_contact: Option<DateTime<Utc>>,
    },
    /// A DM that said the customer waits (`Nudge`, `CustomerStillWaiting`), edited once
    /// the customer was updated: settled, by whom and when, so nobody on a phone acts on a
    /// stale alarm. `promise`: the promise it said was overdue, if any.
    CustomerWaitSettled {
        by: UserId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        promise: Option<DateTime<Utc>>,
    },
    /// A DM that said the customer waits, edited once it no longer needs acting on without an
    /// update to name: `newer`, a newer one to the same person says how long they wait now;
    /// else the trouble was closed.
    CustomerWaitOver {
        newer: bool,
    },
    /// To whoever logged customer update `n`, by DM, when someone else withdrew it: what they
    /// told the customer no longer counts, and they hear it from the bot, not by chance.
    UpdateWithdrawnNotice {
        n: usize,
        by: UserId,
    },
    /// To whoever recorded the cause, by DM, when someone else replaced it (`old`, as they
    /// wrote it), or its escape point (`old_escape`) when they wrote that: their finding is not
    /// rewritten without their hearing of it. An earlier release's notice names the cause alone.
    CauseReplacedNotice {
        by: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old_escape: Option<String>,
    },
    /// To the owner, by DM, when someone else logged customer update `n` with a promise of the
    /// next contact: the follow-up now keeps to that promise, not the cadence, and it is the
    /// owner who is reminded of it.
    PromiseMadeForYou {
        n: usize,
        by: UserId,
    },
    /// To the manager, by DM, when someone else corrected the customer (or the `summary`) they
    /// were told at open: the DMs already edited would otherwise change under them unseen.
    OpeningCorrectedNotice {
        by: UserId,
        summary: bool,
        from: String,
        to: String,
    },
    /// To the owner or the manager, by DM, when someone else closed the trouble.
    ClosedNotice {
        by: UserId,
        forced_reason: Option<String>,
    },
    /// To the owner or the manager, by DM, when someone else reopened it (told of its close,
    /// they hear it is open again): why, or which measure was found not to work.
    ReopenedNotice {
        by: UserId,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_effective: Option<usize>,
    },
    /// `user`, the owner (or else the manager, or with `asked` someone up the chain asked to
    /// acknowledge it while nobody has), left the channel and was added back.
    AddedBack {
        user: UserId,
        owner: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        asked: bool,
    },
    /// `user` unpinned the open trouble's kickoff or status (`slot`), and the bot pinned it
    /// again: the channel hears who did it and why it is back.
    PinnedAgain {
        user: UserId,
        slot: Slot,
    },
    StageChanged {
        stage: StageId,
        done: bool,
        by: UserId,
        note: String,
    },
    SeverityRaised {
        from: Severity,
        to: Severity,
        /// Who raised it (absent from deliveries queued by an earlier release).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<UserId>,
        /// The departments the raise brought in, mentioned in the channel line alone: those
        /// already working on it, and anyone reading a DM or an announcement, are not pinged.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        brought: Vec<String>,
        /// Why, when the raise was given a reason.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    /// Lowered by someone in the chain: said in the channel as a raise is, with who did it and
    /// why, so the slower clocks are nobody's secret.
    SeverityLowered {
        by: UserId,
        from: Severity,
        to: Severity,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
        /// Said without the cadence of customer updates it brings: in a channel shared with the
        /// customer that is our own deadline, not theirs to watch pass.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cadence_withheld: bool,
    },
    /// `/trouble add`: who brought whom in.
    ParticipantsAdded {
        by: UserId,
        users: Vec<UserId>,
        departments: Vec<String>,
    },
    /// `/trouble remove`: who took whom off the trouble.
    ParticipantsRemoved {
        by: UserId,
        users: Vec<UserId>,
    },
    Nudge(Nudge),
    /// The customer has not heard from us yet: the first-call checklist for the owner, and the
    /// manager once the deadline has passed.
    FirstContact {
        owner: UserId,
        manager: Option<UserId>,
        /// The manager named on the trouble, mentioned beside the owner's own (`manager`): see
        /// [`crate::trouble::decide::Warned`]. Absent from a line an earlier release queued.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named: Option<UserId>,
        due: DateTime<Utc>,
    },
    Closed {
        by: UserId,
        forced_reason: Option<String>,
        /// The close's note, carried as the force reason is: read from the trouble when the
        /// line goes out, a reopening (or a second close) before then would lose or swap it.
        /// None in a line an earlier release queued, which reads it from the trouble as then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// Set by the deliverer, never stored: the channel is shared with the customer, so the
        /// internal report does not follow it there.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        report_withheld: bool,
    },
    /// The report's one message in the channel, rendered from `last_report`.
    ReportSummary,
    /// A report part: `part` of `of`, already in Slack-sized pieces.
    ReportPart {
        text: String,
        part: usize,
        of: usize,
    },
    /// The report was longer than its thread may hold: how to get all of it.
    ReportContinues {
        shown: usize,
        of: usize,
    },
    /// A Slack call failed for good: only read from DMs queued by an earlier release, which
    /// sent it when the trouble's channel could not be created (now [`Message::ChannelNotCreated`]).
    DeliveryProblem {
        method: String,
        error: String,
    },
    /// To the owner: Slack refused for good (`error`) to create the trouble's channel, where the
    /// departments were to be pinged and invited: the departments never heard of it, the
    /// manager did, by DM. `again`: the channel replaced one that was deleted, so the
    /// departments heard at the kickoff; what is missing is the channel.
    ChannelNotCreated {
        error: String,
        #[serde(default)]
        again: bool,
    },
    /// To whoever answers for the trouble: `who`, owner of its open actions `actions`, could not
    /// be DMed (`error`): their reminders reach nobody, so the work is to be handed on.
    WorkUnreachable {
        who: UserId,
        error: String,
        actions: Vec<usize>,
    },
    /// In the trouble's channel, and by DM to whoever hears a warning (see `roles::warned`):
    /// Slack refused for good (`error`, for the reason `why`) a DM to `owner`, the trouble's
    /// owner, who may have left: the reminders to update the customer, and whatever else the
    /// bot tells the owner, reach nobody. Someone is to reach them, or hand the trouble over,
    /// their open `actions` with it: asked of `manager`, the one of them who may hand it over
    /// (`who_may`); `named`, the other, reads it for information.
    OwnerUnreachable {
        owner: UserId,
        error: String,
        #[serde(default, skip_serializing_if = "DmRefusal::is_no_such_person")]
        why: DmRefusal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        manager: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named: Option<UserId>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        actions: Vec<usize>,
    },
    /// To the owner: `who`, asked to acknowledge, could not be DMed (`error`, for the reason
    /// `why`); the bot went on up the chain, or, with nobody above them, could ask nobody
    /// (`nobody_above`).
    PersonUnreachable {
        who: UserId,
        error: String,
        /// Absent in messages stored before other refusals counted: no such person.
        #[serde(default, skip_serializing_if = "DmRefusal::is_no_such_person")]
        why: DmRefusal,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        nobody_above: bool,
        /// With nobody above: who below was asked all the same (and has not answered), so the
        /// owner never reads that nobody was asked when their manager was.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        asked: Vec<UserId>,
    },
    /// The bot lost the trouble's channel while the trouble is open (`by`, when Slack says who).
    ChannelLost {
        how: ChannelLoss,
        by: Option<UserId>,
    },
    /// To the owner and the manager: the trouble was reopened while the bot has lost its channel.
    ReopenedWhileLost {
        how: ChannelLoss,
    },
    /// The open trouble's channel was deleted and the bot set up a new one: in the new channel,
    /// and to the owner and the manager. In the channel, what was `held` while Slack refused to
    /// create it follows.
    ChannelReplaced {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        held: Option<HeldLines>,
    },
    /// The trouble's channel, which Slack refused at first to create, made now (`asked` for it
    /// again with the refusal's button, or made as the trouble was reopened): in the new
    /// channel, and to the owner and the manager but the one who asked. In the channel, what
    /// was `held` meanwhile follows.
    ChannelMadeLate {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asked: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        held: Option<HeldLines>,
    },
    /// In the trouble's channel once the bot can post there again: what follows was held while
    /// it could not (`how` it was lost; none: it was being made, and what follows, decided
    /// before, comes after what was said there since), from `since`; `left_out` more are on the
    /// timeline only.
    HeldFollow {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        how: Option<ChannelLoss>,
        since: DateTime<Utc>,
        count: usize,
        left_out: u32,
    },
    /// A change to the record, as one line in the trouble's channel.
    Recorded {
        by: UserId,
        what: Record,
    },
    /// Facts, returned goods, scope, cause, actions, reopening (`facts.rs`, `actions.rs`).
    Step(crate::trouble::facts::StepLine),
    /// Proposals, approvals and agreement (`approval.rs`).
    Agreement(crate::trouble::approval::AgreementLine),
    /// The 8D for the customer, rendered from the trouble as it is at delivery.
    EightD,
    /// The customer's past troubles and the running balance (`Trouble::past`).
    CustomerHistory,
    /// To the owner and the manager: the trouble's channel turned out to be shared with another
    /// organisation (`org`, its Slack id when Slack said it), and the lines posted there
    /// earlier for the team alone were withdrawn: `edited` to what the customer may read,
    /// `deleted`; `dropped` older ones were not kept to withdraw.
    TeamLinesWithdrawn {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org: Option<String>,
        /// `org`'s name, when Slack gave one (`team.info`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org_name: Option<String>,
        edited: u32,
        deleted: u32,
        #[serde(default, skip_serializing_if = "crate::trouble::model::is_zero")]
        dropped: u32,
    },
    /// What stays of the origin notice or an announcement once its channel is shared with
    /// another organisation: the troubles' ids alone (`together`, when the notice spoke of
    /// several; else the trouble's), never a customer, summary, severity or person.
    NoticeWithdrawn {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        together: Vec<TroubleId>,
    },
    /// What stays of a line whose typed text an administrator redacted (`trouble-bot redact`)
    /// `at`: that it was, and when; never the reason, which may be private.
    LineRedacted {
        at: DateTime<Utc>,
    },
    /// To the owner: an announcement was not posted in `channel`, which is shared outside.
    SharedChannelSkipped {
        channel: ChannelId,
    },
    /// To the owner: Slack refused the announcement in `channel` for good (`error`): the one
    /// at open, or the raise to `raised_to`.
    NotAnnounced {
        channel: ChannelId,
        error: String,
        /// None for items queued before raises were told of (they were announcements at open).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        raised_to: Option<Severity>,
    },
    /// Text already rendered by the shell (an answer to a button click).
    Text {
        text: String,
    },
    /// Text already rendered by the shell, with an Acknowledge button for each trouble of
    /// `acknowledge` (those waiting for the reader): a phone taps rather than types an id.
    TextWithAcks {
        text: String,
        acknowledge: Vec<TroubleId>,
    },
}

/// What follows a channel's line saying why it comes late: the `count` messages held for it from
/// `since`, in order; `left_out` more are on the timeline only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldLines {
    pub since: DateTime<Utc>,
    pub count: usize,
    #[serde(default, skip_serializing_if = "crate::trouble::model::is_zero")]
    pub left_out: u32,
}

impl Message {
    /// The manager named on the trouble a warning mentions beside the owner's own: by DM too,
    /// where the warning cannot go to the channel.
    pub fn named_beside(&self) -> Option<UserId> {
        match self {
            Message::Nudge(Nudge { named, .. })
            | Message::FirstContact { named, .. }
            | Message::OwnerAway { named, .. }
            | Message::FarPromise { named, .. } => named.clone(),
            _ => None,
        }
    }

    /// Whether this DM asks its reader to act (update the customer, make the first call, see to
    /// an action, chase the returned goods): the one kind still tried on an owner Slack refused a DM for good, since one
    /// that goes through brings them back (see [`Outcome::DmReached`]); anything else to them
    /// would only fail alike.
    pub fn asks_the_owner(&self) -> bool {
        matches!(
            self,
            Message::Nudge(_)
                | Message::FirstContact { .. }
                | Message::Step(crate::trouble::facts::StepLine::ActionReminder { .. })
                | Message::Step(crate::trouble::facts::StepLine::ReturnReminder { .. })
        )
    }

    /// Whether this line, posted `to` for a trouble owned by `owner`, says nothing true or new
    /// once its channel's creation, behind which it was queued, left the trouble without one
    /// (Slack refused): then it is dropped, as the channel's own posts are, a DM too. A channel
    /// never made said to be made now, to anyone; a deleted channel's line to its owner, who is
    /// DMed the refusal with its button. Anyone else must hear of the deletion, replaced or
    /// not, and the line says which ([`Message::ChannelReplaced`]).
    pub fn needs_channel(&self, to: &Dest, owner: &UserId) -> bool {
        match self {
            Message::ChannelMadeLate { .. } => true,
            Message::ChannelReplaced { .. } => matches!(to, Dest::Dm(who) if who == owner),
            _ => false,
        }
    }
}

/// Why someone is asked to acknowledge at once when the chain changes (`/trouble manager`,
/// `/trouble owner`) rather than when the one below them ran out of time: told as such, since
/// "not acknowledged for 0s" means nothing to someone just named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewToChain {
    /// They were named the trouble's manager (the first of its chain).
    Manager,
    /// They are above the manager in the new chain, at or below where the escalation had gone.
    Above,
    /// Not the chain but the trouble is new again: closed before anyone acknowledged it, it was
    /// reopened, and the manager is asked anew (the time since opening would read as a wait).
    Reopened,
    /// They are the owner's manager as `[org]` names them now, fixed after the trouble opened
    /// (its manager left, a reorg): the chain kept on the trouble never reaches them.
    OwnersManagerNow,
    /// The one asked before them (`passed_over`) is away, as their Slack status says: they
    /// are asked at once as well, and the one away may still acknowledge.
    BelowAway { away: Away },
    /// Not the chain but its answer changed: the acknowledgement they had seen was withdrawn
    /// (its acknowledger took the trouble over, or left the chain), so they are asked again.
    AckWithdrawn,
}

/// Someone asked to acknowledge before an escalation's DM, and how long before it (unknown in
/// troubles stored before ask times were kept).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AskedBefore {
    pub who: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secs_ago: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nudge {
    pub owner: UserId,
    pub waited_secs: i64,
    pub manager: Option<UserId>,
    /// The manager named on the trouble, mentioned beside the owner's own (`manager`): see
    /// [`crate::trouble::decide::Warned`]. Absent from a line an earlier release queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<UserId>,
    pub promise: Option<DateTime<Utc>>,
    pub promise_missed: bool,
    /// When the customer had last heard from us as the nudge was decided; a later update makes
    /// the nudge stale.
    pub last_contact: DateTime<Utc>,
    /// The promise ahead falls outside business hours: recalled before they end, this is the
    /// last reminder before it (absent from nudges queued by an earlier release).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub last_reminder: bool,
    /// Reopened after the last update: `waited_secs` counts from the reopening (absent from
    /// nudges queued by an earlier release).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub since_reopened: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    CreateChannel,
    /// Rename the trouble's channel to `name` (its customer corrected); a name Slack refuses
    /// (`name_taken`, no right to rename) leaves the old one.
    RenameChannel {
        name: String,
    },
    Invite {
        users: Vec<UserId>,
    },
    /// Take `user` out of the trouble's channel (`/trouble remove`): Slack's
    /// `conversations.kick`, one person a call.
    Kick {
        user: UserId,
    },
    Post {
        to: Dest,
        message: Message,
        keep_as: Option<Slot>,
    },
    /// Re-render a kept message from the current state and edit it in place.
    Refresh {
        slot: Slot,
    },
    /// Render `message` from the current state and edit the message (`channel`, `ts`) with it:
    /// one of several the trouble keeps of a kind (its escalation DMs), which no slot names.
    /// Only ever a DM.
    Edit {
        channel: ChannelId,
        ts: Ts,
        message: Message,
    },
    /// Draw again, from each trouble's state, a DM several troubles share (a manager's, or with
    /// `escalation` an escalation's) that this trouble no longer keeps as it was (answered, its
    /// reader asked again below or left the chain): its line then says so, with no button.
    /// Only ever a DM.
    RedrawSharedDm {
        message: PostedMessage,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        escalation: bool,
    },
    Pin {
        slot: Slot,
    },
    /// An ephemeral answer through a `response_url`; with `replace`, in place of the message
    /// tapped (a list of Acknowledge buttons, drawn again as it stands after the tap).
    Respond {
        url: String,
        message: Message,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        replace: bool,
    },
    /// The Log update form, as an earlier release queued it: delivered if one is still queued,
    /// never decided now (the shell opens the form at once, while its trigger id is alive).
    OpenUpdateModal {
        trigger_id: String,
    },
    /// Re-render a user's App Home from the store and publish it.
    PublishHome {
        user: UserId,
    },
    /// Ask Slack whether the bot can post in the trouble's channel again (`conversations.info`),
    /// as check `n`.
    CheckChannel {
        #[serde(default)]
        n: u32,
    },
    /// A line of the trouble's channel meant for the team, posted before the channel was shared
    /// with the customer: edited to `outside` (`chat.update`), or deleted (`chat.delete`) when
    /// nothing of it is the customer's.
    Withdraw {
        channel: ChannelId,
        ts: Ts,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outside: Option<Message>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub lane: Lane,
    pub op: Op,
}

impl Op {
    /// Whether the call is made in the trouble's own channel (it cannot while the bot has lost it).
    pub fn in_trouble_channel(&self) -> bool {
        match self {
            Op::Invite { .. } | Op::Kick { .. } | Op::Withdraw { .. } => true,
            Op::Post { to, .. } => matches!(to, Dest::TroubleChannel | Dest::KickoffThread | Dest::ReportThread),
            Op::Refresh { slot } | Op::Pin { slot } => matches!(slot, Slot::Kickoff | Slot::Status | Slot::Report),
            Op::CreateChannel
            | Op::RenameChannel { .. }
            | Op::Edit { .. }
            | Op::RedrawSharedDm { .. }
            | Op::Respond { .. }
            | Op::OpenUpdateModal { .. }
            | Op::PublishHome { .. }
            | Op::CheckChannel { .. } => false,
        }
    }

    /// Whether the call posts a report's summary in the trouble's channel.
    pub fn posts_report_summary(&self) -> bool {
        matches!(
            self,
            Op::Post {
                message: Message::ReportSummary,
                ..
            }
        )
    }

    /// Whether the call posts in a report's thread (a part of it).
    pub fn posts_in_report_thread(&self) -> bool {
        matches!(
            self,
            Op::Post {
                to: Dest::ReportThread,
                ..
            }
        )
    }

    /// Whether the call posts a report: its summary, or a part in the summary's thread.
    pub fn posts_report(&self) -> bool {
        self.posts_report_summary() || self.posts_in_report_thread()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "timer", rename_all = "snake_case")]
pub enum TimerKind {
    /// No acknowledgement yet: go up the chain. `round` must match the trouble's, or it is stale.
    AckTimeout { round: u32 },
    /// The customer is owed an update. `epoch` must match the trouble's, or it is stale.
    FollowUp { epoch: u32 },
    /// The returned goods are still only requested. `round` must match, or it is stale.
    ReturnReminder { round: u32 },
    /// An action is due tomorrow (business days), or overdue. `round` must match the action's
    /// (its due date corrected since: stale).
    ActionDue {
        n: usize,
        overdue: bool,
        #[serde(default, skip_serializing_if = "crate::trouble::model::is_zero")]
        round: u32,
    },
    /// Ask whether prevention action `n` worked; `round` is the reopening count it was set in,
    /// `epoch` the action's round (its check date corrected since: stale).
    EffectCheck {
        n: usize,
        round: u32,
        #[serde(default, skip_serializing_if = "crate::trouble::model::is_zero")]
        epoch: u32,
    },
    /// The first call to the customer: a reminder halfway, then `missed` at the deadline.
    /// Stale once any update is logged, or when `epoch` is not the trouble's
    /// `first_contact_epoch` (a severity change moved them).
    FirstContact {
        missed: bool,
        #[serde(default, skip_serializing_if = "crate::trouble::model::is_zero")]
        epoch: u32,
    },
    /// The manager's weekly digest: of no trouble, fired by the engine (`trouble::digest`).
    WeeklyDigest,
    /// Ask Slack whether the bot can post in the trouble's channel again. `n` must match the
    /// trouble's `channel_check`, or it is stale.
    ChannelCheck { n: u32 },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timer {
    pub due: DateTime<Utc>,
    pub trouble: TroubleId,
    pub kind: TimerKind,
}

/// What someone away read, of the posts that are neither a request to acknowledge nor a
/// nudge (see [`Outcome::ReaderAway`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reading", rename_all = "snake_case")]
pub enum AwayReading {
    /// The reminder of action `n`, which they own.
    ActionReminder { n: usize },
    /// As the trouble's owner, that action `n`'s owner is away ([`Message::ActionOwnerAway`]).
    ActionOwnerAway { n: usize },
    /// The channel's line handing them the trouble, by `by`.
    HandedOver { by: UserId },
}

/// Why Slack refused for good a DM to someone, as the owner must hear it: each asks a
/// different person to act (the shell classes Slack's codes, in `SlackError::dm_refusal`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DmRefusal {
    /// Slack has nobody there to write to: no such user, a bot, someone who left. `[org]` is
    /// to be checked.
    #[default]
    NoSuchPerson,
    /// They exist, but the bot may not reach them: a guest it cannot see, someone of another
    /// workspace of the organisation, their one conversation refused to the app.
    NotVisible,
    /// The app may DM nobody (a scope missing, a workspace preference): an install problem, so
    /// every DM fails alike until a Slack admin mends it, and then reaches everyone again.
    AppLacksPermission,
}

impl DmRefusal {
    pub fn is_no_such_person(&self) -> bool {
        *self == DmRefusal::NoSuchPerson
    }
}

/// The result of a delivery, fed back so the trouble learns its channel and message ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    ChannelCreated {
        channel: ChannelId,
        name: String,
    },
    /// The trouble's channel is called `name` now (`Op::RenameChannel`).
    ChannelRenamed {
        name: String,
    },
    Posted {
        slot: Slot,
        channel: ChannelId,
        ts: Ts,
        /// Every trouble the message speaks of, when several share it (see `PostedMessage`).
        together: Vec<TroubleId>,
        /// The message posted, for a slot kept several at once (an escalation's DM, a
        /// proposal's DM): edited again with the trouble's current facts, and it names whom
        /// it asks. Absent from outcomes recorded before it was told.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shown: Option<Box<Message>>,
    },
    /// The origin `channel` refused the notice for good (`error`): tell the reporter instead.
    /// Both are empty in an outcome recorded before they were kept.
    OriginUnreachable {
        #[serde(default)]
        channel: Option<ChannelId>,
        #[serde(default)]
        error: String,
    },
    /// Slack refused the `response_url` the origin notice went to (`error`): tell the reporter
    /// by DM instead.
    ReporterUrlRefused {
        error: String,
    },
    /// A post into `channel` was held back: the channel is shared with another organisation
    /// (Slack Connect), where the customer may read it.
    SharedExternally {
        channel: ChannelId,
    },
    /// A follow-up meant for the team (a nudge, the first-call checklist, an escalation or
    /// nobody-answered line) was held back from the trouble's channel: it is shared with another
    /// organisation (Slack Connect), where the customer would read that they are kept waiting.
    FollowUpHeld {
        message: Message,
    },
    /// A proposal's line was held back from the trouble's channel: it is shared with another
    /// organisation (Slack Connect), where the customer may read it.
    AgreementHeld {
        line: crate::trouble::approval::AgreementLine,
    },
    Failed {
        method: String,
        error: String,
    },
    /// A DM to `who` failed for good (`method`, `error`) for want of someone to write to, or of
    /// leave to (`why`): no such user (a mistyped id in `[org]`), a bot, someone the bot may
    /// not reach, or the app lacking a permission. Any other refusal is the message's: `Failed`.
    PersonUnreachable {
        who: UserId,
        method: String,
        error: String,
        /// Absent in outcomes stored before other refusals counted: no such person.
        #[serde(default, skip_serializing_if = "DmRefusal::is_no_such_person")]
        why: DmRefusal,
    },
    /// A DM reached `who`, an owner of the trouble set aside as Slack refused them a DM for good
    /// (`Trouble::unreachable_owners`): Slack takes their DMs again (a permission mended, an
    /// account reactivated), so they are set aside no more. `then` is what else the post taught.
    DmReached {
        who: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        then: Option<Box<Outcome>>,
    },
    /// A DM asking `who` to acknowledge reached them (or a nudge, or what `reading` says), and
    /// their Slack status says they are away: what the post taught (`posted`, when it is
    /// kept), and the absence, so the next one up is asked at once as well (or whoever answers
    /// for what they were to do hears it).
    ReaderAway {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        posted: Option<Box<Outcome>>,
        who: UserId,
        away: Away,
        /// What they read, when it asked them no acknowledgement and was no nudge.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reading: Option<AwayReading>,
    },
    /// The announcement in `channel` (at open, or of the raise to `raised_to`) failed for good
    /// (`error`): the bot is not in that private channel, it was archived or deleted, or
    /// posting there is restricted.
    NotAnnounced {
        channel: ChannelId,
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        raised_to: Option<Severity>,
    },
    /// A call to the trouble's channel failed for good (`method`, `error`) because the bot can
    /// no longer post there (archived, the bot removed), or found no channel (Slack refused to
    /// create it, or it is being made again): it waits until it can. Boxed: an outcome is small,
    /// and this one is rare.
    ChannelUnavailable {
        call: Box<Delivery>,
        /// The channel the call was for; none when the trouble had none.
        #[serde(default)]
        channel: Option<ChannelId>,
        method: String,
        error: String,
    },
    /// What Slack shows of the trouble's `channel`, asked by check `n` (`Op::CheckChannel`).
    ChannelChecked {
        channel: ChannelId,
        seen: ChannelSeen,
        n: u32,
    },
    /// A line for the team was posted in the trouble's channel as it is, the channel judged not
    /// shared outside at `judged` (see [`crate::trouble::model::Trouble::team_lines`]); `then`
    /// is what else the post taught. Boxed: an outcome is small.
    TeamLinePosted {
        line: Box<crate::trouble::model::TeamLine>,
        judged: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        then: Option<Box<Outcome>>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ButtonAction {
    Acknowledge,
    /// The status message's button, for the stage it showed (None: whatever is current).
    CompleteStage {
        stage: Option<usize>,
    },
    LogUpdate {
        trigger_id: String,
    },
    /// The effectiveness check's answer for prevention action `n`, from a check asked in
    /// `round` of reopenings for the action's dates as of `epoch` (its `round`: a date
    /// corrected since makes it stale); None: a button drawn by an earlier release.
    Effect {
        n: usize,
        effective: bool,
        round: Option<u32>,
        epoch: Option<u32>,
    },
    /// Approve or Reject on proposal `n`.
    Proposal {
        n: usize,
        approve: bool,
    },
    /// Done on action `n`, from its owner's App Home: as `action done N`.
    ActionDone {
        n: usize,
    },
    /// "Create the channel again", on the DM telling the owner Slack refused to create it.
    CreateChannel,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Command {
        user: UserId,
        command: Command,
    },
    ThreadReply {
        user: UserId,
        thread_ts: Ts,
    },
    /// A message `user` typed in their DM with the bot in answer to its ask: in the thread of
    /// the DM asking them about this trouble, or in the DM itself while this is the only one
    /// waiting for them. An acknowledgement, as a reply in the kickoff's thread is.
    DmReply {
        user: UserId,
    },
    Button {
        user: UserId,
        action: ButtonAction,
    },
    UpdateSubmitted {
        user: UserId,
        text: String,
        next: Option<String>,
    },
    Timer(TimerKind),
    Delivered(Outcome),
    /// The deliverer is about to make this call (a status refresh, a nudge): what it carries
    /// is decided here, as it goes (see [`Decision::withdrawn`]).
    Sending(Op),
    /// Slack saw someone join or leave the trouble's channel (`member_joined_channel`/`_left_`).
    MemberJoined {
        user: UserId,
    },
    MemberLeft {
        user: UserId,
    },
    /// Slack saw `user` unpin the message `ts` in the trouble's channel (`pin_removed`).
    Unpinned {
        user: UserId,
        ts: Ts,
    },
    /// The bot can no longer post in the trouble's channel (archived, or the bot removed from
    /// it), by whom when Slack says.
    ChannelLost {
        how: ChannelLoss,
        by: Option<UserId>,
    },
    /// ... and now it can again (unarchived, or the bot added back).
    ChannelBack {
        how: ChannelLoss,
        by: Option<UserId>,
    },
    /// A message in the trouble's channel was deleted (Slack does not say by whom).
    MessageDeleted {
        ts: Ts,
    },
    /// The trouble's channel was deleted (`channel_deleted`/`group_deleted`), by whom when Slack
    /// says (`actor_id`).
    ChannelDeleted {
        by: Option<UserId>,
    },
    /// Earlier troubles of the same customer sharing a part or lot (found by the shell).
    Recurrence(Vec<crate::trouble::facts::Earlier>),
    /// A prevention measure recorded in another trouble that shares a part or lot.
    MeasureElsewhere(crate::trouble::facts::MeasureElsewhere),
    /// The bot started with `[org]` as it reads now: an unacknowledged trouble whose owner's
    /// manager it names stands outside the chain asks them at once.
    OrgRead,
    /// The bot started on a store an earlier release wrote, which kept no
    /// [`Trouble::channel_refused`]: the trouble's timeline, whose head was `head`, says Slack
    /// refused to create its channel (a deleted one's `replacement`), and nothing asked for one
    /// since (see [`crate::trouble::decide::refusal_unflagged`]).
    RefusalOnTimeline {
        head: String,
        replacement: bool,
    },
    /// The trouble's channel is shared with another organisation (Slack Connect): Slack said so
    /// (`channel_shared`, naming `org`; an event marked `is_ext_shared_channel`), or the
    /// deliverer found it so before a post. What the team alone was told there is withdrawn.
    ChannelShared {
        org: Option<String>,
        /// `org`'s name, when Slack gave one (`team.info`).
        org_name: Option<String>,
    },
    /// `channel`, where the trouble's origin notice or an announcement of it stands, is shared
    /// with another organisation (`org`, when Slack said it), which reads its history: what the
    /// notice says of the trouble is withdrawn.
    NoticesShared {
        channel: ChannelId,
        org: Option<String>,
        /// `org`'s name, when Slack gave one (`team.info`).
        org_name: Option<String>,
    },
}

/// Slack refused to create the trouble's channel, and nobody has asked for it since: what the
/// bot posts there waits for it (said in an answer that would otherwise read as posted), and
/// whether the one answered may ask for it (`may_ask_for_channel`), so that the answer points
/// them to the button only where they have it.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    pub may_ask: bool,
}

/// Where a click asking for a trouble's channel again (after Slack refused it) leaves it.
#[derive(Clone, Debug, PartialEq)]
pub enum ChannelAgain {
    /// Asked: Slack is asked to create it now; `then_held`, messages waited for it (or were
    /// left out), and follow the set-up.
    Asked { then_held: bool },
    /// It has one already: nothing to ask.
    Exists(ChannelId),
    /// Its creation is under way (asked by someone else a moment ago, or still at its first
    /// try): a second one would make two channels.
    Coming,
}

/// What a user is told, ephemerally, in answer to what they did.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The same person opened this customer's trouble with this summary a moment ago: that one,
    /// not a second (nothing opened).
    OpenedAlready {
        id: TroubleId,
        channel: Option<ChannelId>,
        /// With no channel: its name, and whether Slack refused to create it (nothing is being
        /// set up then: the answer names the way forward).
        channel_name: Option<String>,
        refused: bool,
        /// A severity, a manager or departments were typed with it: not applied, and said so
        /// (someone retyping to escalate must not believe it escalated).
        options: bool,
    },
    Opened {
        id: TroubleId,
        /// As read from what was typed, and its severity: said back, so that a misreading
        /// (`sev-1` taken for part of the name) shows before anyone relies on it.
        customer: String,
        severity: Severity,
        channel_name: String,
        /// Whether a manager was asked at once (none is configured or named: nobody was).
        manager_pinged: bool,
        /// Nobody was pinged because the owner is at the top of `[org]` (nobody can be named
        /// their manager either), not because `[org]` leaves them out.
        top_of_org: bool,
    },
    Usage(UsageError),
    UnknownDepartment {
        name: String,
        known: Vec<String>,
    },
    UnknownSeverity {
        level: Severity,
        known: Vec<Severity>,
    },
    NotInTroubleChannel,
    NotAllowed {
        act: Act,
        who: Who,
    },
    /// `ack` (`確認`) typed by the owner, who may not acknowledge: refused as [`Reply::NotAllowed`],
    /// with where to see how things stand, since to a Japanese rep 確認 is "check". The pointer
    /// names the trouble: typed where no trouble is (a DM, the channel it was opened from),
    /// `status` alone finds none.
    AckNotAllowedToOwner {
        who: Who,
        id: TroubleId,
    },
    OwnerCannotBeManager,
    /// The manager named reports to the owner in `[org]`.
    ManagerReportsToOwner {
        manager: UserId,
        owner: UserId,
    },
    /// The manager named owned the trouble before (`manager == former`), or reports to whoever
    /// did: they would come to acknowledge and close what they (or their superior) caused.
    ManagerOwnedItBefore {
        manager: UserId,
        former: UserId,
    },
    ParticipantsAdded {
        users: Vec<UserId>,
        depts: Vec<String>,
    },
    ParticipantsRemoved {
        users: Vec<UserId>,
    },
    /// `remove` refused, changing nothing: `user` takes part otherwise than by being added, or
    /// still has work on it.
    NotRemovable {
        user: UserId,
        kept: KeptBy,
    },
    AlreadyAcknowledged {
        by: UserId,
        /// The one asking acknowledged it themself (a second tap, the button after a reply).
        you: bool,
    },
    /// A refusal of a late tap on a DM's button (already acknowledged, already closed), said of
    /// trouble `id` of `customer`: the answer comes beside one of several DMs, and says which.
    AboutTrouble {
        id: TroubleId,
        customer: String,
        reply: Box<Reply>,
    },
    /// Acknowledged: which trouble, so a manager with several on a phone knows which took.
    Acknowledged {
        id: TroubleId,
        customer: String,
        /// Slack refused the trouble's channel: the line saying so waits for it.
        refused: Option<Refused>,
        /// The trouble's channel is lost to the bot (archived, the bot removed): the line
        /// waits for its return as well.
        lost: Option<ChannelLoss>,
    },
    /// `ack ID1 ID2` (or `status`): one trouble at a time, each to type on its own.
    OneTroubleAtATime {
        ack: bool,
        ids: Vec<TroubleId>,
    },
    StageDone {
        stage: StageId,
    },
    StageStarted {
        stage: StageId,
    },
    StageAlreadyDone {
        stage: StageId,
    },
    AllStagesDone,
    Noted,
    UpdateLogged {
        next_due: DateTime<Utc>,
        promised: bool,
        /// With a promise: when the owner is reminded of it, a quarter of an hour before, or,
        /// for a promise outside business hours, before the hours end. None: no working time is
        /// left before it, so no reminder comes.
        reminder: Option<DateTime<Utc>>,
        /// The promise is less than the reminder lead away: no reminder comes before it, and
        /// the follow-up says it is overdue at the promise if no update came by then.
        near: bool,
        /// The promise is one made at an earlier update, which this one (with no `next:`) left
        /// standing: the customer still expects it.
        kept: bool,
        /// What followed a promise's marker in the text when no time was read from it (`次回は
        /// あさって昼過ぎ`): kept as words, no promise set, and said so.
        unread_promise: Option<String>,
        /// Who is reminded of the promise, when not the one who logged it: the owner.
        reminded: Option<UserId>,
        /// The customer's zone the promise was written in (`17:00 CET`), shown beside ours.
        zone: Option<crate::trouble::zone::Zone>,
        /// The promise named no zone and was read on our clock, while an earlier one on this
        /// trouble named the customer's, `zone`: shown beside it, so a rep who meant their
        /// 17:00 sees at once that ours was read.
        zone_remembered: bool,
        /// The promise is further ahead than two update periods: the owner's manager was told
        /// so, in the channel (see `Message::FarPromise`).
        manager_told: Option<UserId>,
    },
    BadWhen {
        text: String,
        error: WhenError,
    },
    /// Customer update `n` (what it said) withdrawn: the customer last heard from us at
    /// `last_contact` (None: never); they are owed word by `next_due`, as the status shows it
    /// (`overdue`: that is now or past, owed at once), the first call's deadline when
    /// `first_contact` (then the same time), and a promise standing again written in the
    /// customer's `zone` when it was.
    UpdateWithdrawn {
        n: usize,
        text: String,
        last_contact: Option<DateTime<Utc>>,
        next_due: DateTime<Utc>,
        overdue: bool,
        first_contact: Option<DateTime<Utc>>,
        zone: Option<crate::trouble::zone::Zone>,
    },
    /// `withdraw update N` naming none of the `count` updates logged.
    NoSuchUpdate {
        n: usize,
        count: usize,
    },
    UpdateAlreadyWithdrawn {
        n: usize,
        by: UserId,
        at: DateTime<Utc>,
    },
    /// The same update by the same person a moment after it was logged (a double submit, or
    /// typed again when no answer came in time): logged once, as update `n`.
    UpdateAlreadyLogged {
        n: usize,
        at: DateTime<Utc>,
    },
    /// Only whoever logged update `n`, the owner or the manager chain may withdraw it.
    WithdrawNotAllowed {
        n: usize,
        logged_by: UserId,
        owner: UserId,
        chain: Vec<UserId>,
    },
    MeasureAdded,
    /// `manager`: who became the manager with it (the old one took the trouble over).
    OwnerChanged {
        to: UserId,
        manager: Option<UserId>,
        /// Who had acknowledged and is not above the new owner (is the new owner, or reports to
        /// them): that no longer stands.
        ack_withdrawn: Option<UserId>,
    },
    /// `/trouble owner` naming someone with nobody above them left to acknowledge.
    NobodyAboveNewOwner {
        to: UserId,
    },
    /// `/trouble owner` naming someone who reports to the `owner`: the owner would then overrule
    /// the trouble they owned; `overruling`, who does now.
    HandedToOwnersReport {
        to: UserId,
        /// The owner `to` reports to, or, when `former`, who owned it before.
        owner: UserId,
        overruling: Vec<UserId>,
        former: bool,
    },
    ManagerChanged {
        to: UserId,
        /// Who had acknowledged and is out of the chain now: that no longer stands.
        ack_withdrawn: Option<UserId>,
    },
    /// Which trouble, as `Acknowledged` says it: a change typed in the wrong channel is seen.
    SeverityChanged {
        id: TroubleId,
        customer: String,
        from: Severity,
        to: Severity,
    },
    /// `/trouble sev N` lowering the severity with no reason: the level above hears of every
    /// lowering, and why.
    LoweringNeedsReason {
        from: Severity,
        to: Severity,
    },
    /// `/trouble sev N` at the severity it has: `level`, named back.
    SeverityUnchanged {
        level: Severity,
    },
    /// Closed: which trouble, as `Acknowledged` says it (a close is the gravest act to land on
    /// the wrong trouble unseen).
    Closed {
        id: TroubleId,
        customer: String,
    },
    /// `close` by the owner of a trouble nobody in the chain has acknowledged: closing first
    /// would end the escalation with no manager having heard. `chain` acknowledges first.
    CloseUnacknowledged {
        chain: Vec<UserId>,
    },
    CloseMissing {
        not_done: Vec<StageId>,
        /// Of those, the stages nobody ever started: the gaps a forced close would leave.
        never_started: Vec<StageId>,
        has_measure: bool,
        /// Prevention actions found not effective: no measure a close rests on, a new one is.
        not_effective: Vec<usize>,
        /// Who may `close force` it, as its refusal would name them: the owner's `[org]` chain
        /// when there is one, not a manager named in front of it. Boxed: the largest answer.
        forcers: Box<Who>,
        /// Whether the one who typed `close` is among them: told "you can", not named.
        you_may_force: bool,
    },
    /// The trouble is closed; `reopeners` may reopen it to work on it again.
    AlreadyClosed {
        reopeners: Vec<UserId>,
    },
    ReportPosted {
        parts: usize,
        /// How many of them the thread holds (all, or nine and a note on exporting).
        shown: usize,
    },
    /// The trouble's channel is shared with the customer: the internal report is not posted there.
    ReportNotInSharedChannel,
    /// A report was posted less than a minute ago; not again.
    ReportRecent {
        at: DateTime<Utc>,
    },
    Status(Box<Trouble>),
    Step(crate::trouble::facts::StepReply),
    Agreement(crate::trouble::approval::AgreementReply),
    EightDPosted,
    /// The 8D sent to the asker by DM for review: its channel is shared with the customer.
    EightDSentForReview,
    /// The answer to "Create the channel again" on trouble `id`.
    ChannelAgain {
        id: TroubleId,
        answer: ChannelAgain,
    },
    /// Close refused: interim actions still open, or no prevention action.
    CloseActions {
        open_interim: Vec<usize>,
        has_prevention: bool,
    },
}

impl Reply {
    /// Whether this answer to a customer update says more than "logged, and you are reminded a
    /// quarter of an hour before the promise" (or, with none, when the next one is due): no
    /// reminder comes, it comes earlier, the earlier promise stands, the time was read on our
    /// clock, the owner is the one reminded, or a promise could not be read. A form closing
    /// silently would hide it; the command's answer shows it anyway.
    pub fn update_warns(&self) -> bool {
        let Reply::UpdateLogged {
            next_due,
            promised,
            reminder,
            near,
            kept,
            unread_promise,
            reminded,
            zone,
            zone_remembered,
            manager_told,
        } = self
        else {
            return false;
        };
        // Who is reminded, and when, is said only of a promise: with none, "the next one is due
        // by" is all the answer says of the clock, plain.
        let unusual_reminder =
            *near || reminded.is_some() || !reminder.is_some_and(|at| reminder_at_lead(*next_due, at));
        // The clock it was read on is said only with the zone to name.
        (*promised && (unusual_reminder || *kept))
            || (zone.is_some() && *zone_remembered)
            || unread_promise.is_some()
            || manager_told.is_some()
    }
}

/// Whether the reminder of a promise at `promise` comes `at` the usual lead before it (not
/// earlier, for a promise outside business hours).
pub fn reminder_at_lead(promise: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    promise - at <= REMINDER_LEAD
}

/// Everything one input changes. Applied atomically by the shell.
#[derive(Debug, Default)]
pub struct Decision {
    /// The trouble this decision is about (None for a refusal before one exists).
    pub subject: Option<TroubleId>,
    /// The trouble as it is now, when it changed.
    pub trouble: Option<Trouble>,
    pub entries: Vec<Entry>,
    pub deliveries: Vec<Delivery>,
    pub timers: Vec<Timer>,
    pub reply: Option<Reply>,
    /// The report is to be posted now (a close): the shell renders it from the timeline, which
    /// only it reads, and hands it back through [`report_posts`].
    pub report_due: bool,
    /// The call the deliverer was about to make ([`Input::Sending`]) is no longer true: it is
    /// dropped instead.
    pub withdrawn: bool,
    /// Whose App Home showed the trouble before this change and no longer does (an owner or a
    /// manager replaced, an action done, the trouble closed): their Home is drawn again too.
    pub home_left: Vec<UserId>,
}

impl Decision {
    pub(super) fn reply(reply: Reply) -> Decision {
        Decision {
            reply: Some(reply),
            ..Decision::default()
        }
    }
}
