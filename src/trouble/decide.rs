//! The decisions: given a trouble, an input and `now`, what changes and what the bot must say.
//!
//! Nothing here does I/O or reads the clock. The shell stores a `Decision` in one transaction
//! (trouble, timeline, outbox, timers) and only then answers Slack and delivers.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::command::{check_length, Command, OpenRequest, UsageError};
use super::first_contact::{first_contact_due, first_contact_reminder};
use super::hours::{add_working_time, is_open, next_open, working_time_between};
use super::model::*;
use super::record::Record;
use super::timeline::{Entry, Event, GENESIS};
use super::when::{parse_when, WhenError};
use crate::config::Config;

/// What the core needs besides the trouble: the configuration and the time.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
}

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
    OriginNotice,
    /// The summary of the last report, in the channel.
    Report,
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
    Acknowledged {
        by: UserId,
        after_secs: i64,
    },
    EscalationMention {
        to: UserId,
        waited_secs: i64,
    },
    EscalationDm {
        to: UserId,
        waited_secs: i64,
    },
    NobodyAnswered,
    StageChanged {
        stage: usize,
        done: bool,
        by: UserId,
        note: String,
    },
    SeverityRaised {
        from: u8,
        to: u8,
    },
    /// `/trouble add`: who brought whom in.
    ParticipantsAdded {
        by: UserId,
        users: Vec<UserId>,
        departments: Vec<String>,
    },
    Nudge(Nudge),
    /// The customer has not heard from us yet: the first-call checklist for the owner, and the
    /// manager once the deadline has passed.
    FirstContact {
        owner: UserId,
        manager: Option<UserId>,
        due: DateTime<Utc>,
    },
    Closed {
        by: UserId,
        forced_reason: Option<String>,
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
    DeliveryProblem {
        method: String,
        error: String,
    },
    /// A change to the record, as one line in the trouble's channel.
    Recorded {
        by: UserId,
        what: Record,
    },
    /// Facts, returned goods, scope, cause, actions, reopening (`facts.rs`, `actions.rs`).
    Step(super::facts::StepLine),
    /// Proposals, approvals and agreement (`approval.rs`).
    Agreement(super::approval::AgreementLine),
    /// The 8D for the customer, rendered from the trouble as it is at delivery.
    EightD,
    /// The customer's past troubles and the running balance (`Trouble::past`).
    CustomerHistory,
    /// To the owner: an announcement was not posted in `channel`, which is shared outside.
    SharedChannelSkipped {
        channel: ChannelId,
    },
    /// Text already rendered by the shell (an answer to a button click).
    Text {
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nudge {
    pub owner: UserId,
    pub waited_secs: i64,
    pub manager: Option<UserId>,
    pub promise: Option<DateTime<Utc>>,
    pub promise_missed: bool,
    /// When the customer had last heard from us as the nudge was decided; a later update makes
    /// the nudge stale.
    pub last_contact: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    CreateChannel,
    Invite {
        users: Vec<UserId>,
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
    Pin {
        slot: Slot,
    },
    /// An ephemeral answer through a `response_url`.
    Respond {
        url: String,
        message: Message,
    },
    OpenUpdateModal {
        trigger_id: String,
    },
    /// Re-render a user's App Home from the store and publish it.
    PublishHome {
        user: UserId,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub lane: Lane,
    pub op: Op,
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
    /// An action is due tomorrow (business days), or overdue.
    ActionDue { n: usize, overdue: bool },
    /// Ask whether prevention action `n` worked; `round` is the reopening count it was set in.
    EffectCheck { n: usize, round: u32 },
    /// The first call to the customer: a reminder halfway, then `missed` at the deadline.
    /// Stale once any update is logged.
    FirstContact { missed: bool },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timer {
    pub due: DateTime<Utc>,
    pub trouble: TroubleId,
    pub kind: TimerKind,
}

/// The result of a delivery, fed back so the trouble learns its channel and message ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    ChannelCreated {
        channel: ChannelId,
        name: String,
    },
    Posted {
        slot: Slot,
        channel: ChannelId,
        ts: Ts,
    },
    /// The origin channel refused the notice: tell the reporter instead.
    OriginUnreachable,
    /// A post into `channel` was held back: the channel is shared with another organisation
    /// (Slack Connect), where the customer may read it.
    SharedExternally {
        channel: ChannelId,
    },
    Failed {
        method: String,
        error: String,
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
    /// The effectiveness check's answer for prevention action `n`.
    Effect {
        n: usize,
        effective: bool,
    },
    /// Approve or Reject on proposal `n`.
    Proposal {
        n: usize,
        approve: bool,
    },
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
    /// Slack saw someone join or leave the trouble's channel (`member_joined_channel`/`_left_`).
    MemberJoined {
        user: UserId,
    },
    MemberLeft {
        user: UserId,
    },
    /// Earlier troubles of the same customer sharing a part or lot (found by the shell).
    Recurrence(Vec<super::facts::Earlier>),
}

/// What a user is told, ephemerally, in answer to what they did.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Opened {
        id: TroubleId,
        channel_name: String,
    },
    Usage(UsageError),
    UnknownDepartment {
        name: String,
        known: Vec<String>,
    },
    UnknownSeverity {
        level: u8,
        known: Vec<u8>,
    },
    NotInTroubleChannel,
    NotAllowed {
        act: Act,
        who: Who,
    },
    OwnerCannotBeManager,
    ParticipantsAdded {
        users: Vec<UserId>,
        depts: Vec<String>,
    },
    AlreadyAcknowledged {
        by: UserId,
    },
    Acknowledged,
    StageDone {
        stage: usize,
    },
    StageStarted {
        stage: usize,
    },
    StageAlreadyDone {
        stage: usize,
    },
    AllStagesDone,
    Noted,
    UpdateLogged {
        next_due: DateTime<Utc>,
        promised: bool,
    },
    BadWhen {
        text: String,
        error: WhenError,
    },
    MeasureAdded,
    OwnerChanged {
        to: UserId,
    },
    ManagerChanged {
        to: UserId,
    },
    SeverityChanged {
        from: u8,
        to: u8,
    },
    SeverityUnchanged,
    Closed,
    CloseMissing {
        not_done: Vec<usize>,
        /// Of those, the stages nobody ever started: the gaps a forced close would leave.
        never_started: Vec<usize>,
        has_measure: bool,
    },
    AlreadyClosed,
    ReportPosted {
        parts: usize,
        /// How many of them the thread holds (all, or nine and a note on exporting).
        shown: usize,
    },
    /// A report was posted less than a minute ago; not again.
    ReportRecent {
        at: DateTime<Utc>,
    },
    Status(Box<Trouble>),
    Step(super::facts::StepReply),
    Agreement(super::approval::AgreementReply),
    EightDPosted,
    /// Close refused: interim actions still open, or no prevention action.
    CloseActions {
        open_interim: Vec<usize>,
        has_prevention: bool,
    },
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
}

impl Decision {
    fn reply(reply: Reply) -> Decision {
        Decision {
            reply: Some(reply),
            ..Decision::default()
        }
    }
}

/// Accumulates a decision on a working copy of the trouble.
pub(super) struct Work<'a> {
    pub(super) ctx: &'a Ctx<'a>,
    pub(super) t: Trouble,
    pub(super) changed: bool,
    d: Decision,
}

impl<'a> Work<'a> {
    fn new(ctx: &'a Ctx<'a>, t: Trouble) -> Self {
        Work {
            ctx,
            t,
            changed: false,
            d: Decision::default(),
        }
    }

    pub(super) fn log(&mut self, actor: Option<&UserId>, event: Event) {
        let prev = if self.t.timeline_len == 0 {
            GENESIS.to_string()
        } else {
            self.t.timeline_head.clone()
        };
        let entry = Entry::new(
            &self.t.id,
            self.t.timeline_len,
            &prev,
            self.ctx.now,
            actor.cloned(),
            event,
        );
        self.t.timeline_len += 1;
        self.t.timeline_head = entry.hash.clone();
        self.d.entries.push(entry);
        self.changed = true;
    }

    pub(super) fn send(&mut self, lane: Lane, op: Op) {
        self.d.deliveries.push(Delivery { lane, op });
    }

    pub(super) fn post(&mut self, lane: Lane, to: Dest, message: Message) {
        self.send(
            lane,
            Op::Post {
                to,
                message,
                keep_as: None,
            },
        );
    }

    /// Tells the trouble's channel what changed, through the same ordered lane as everything else.
    fn record(&mut self, by: &UserId, what: Record) {
        self.post(
            Lane::Channel,
            Dest::TroubleChannel,
            Message::Recorded { by: by.clone(), what },
        );
    }

    pub(super) fn timer(&mut self, due: DateTime<Utc>, kind: TimerKind) {
        self.d.timers.push(Timer {
            due,
            trouble: self.t.id.clone(),
            kind,
        });
    }

    /// The status message is edited after every change; a refresh already queued renders the
    /// latest state when it runs, so one is enough.
    pub(super) fn refresh_status(&mut self) {
        if !self.t.status_refresh_queued {
            self.t.status_refresh_queued = true;
            self.changed = true;
            self.send(Lane::Channel, Op::Refresh { slot: Slot::Status });
        }
    }

    /// A change to the new stages: a timeline entry and the same told as one line in the channel.
    pub(super) fn step(&mut self, by: &UserId, event: super::facts::StepEvent) {
        self.log(Some(by), Event::Stage(event.clone()));
        let line = super::facts::StepLine::Logged(event);
        self.post(Lane::Channel, Dest::TroubleChannel, Message::Step(line));
    }

    /// Recording a stage's substance starts the stage (no message: the line says it).
    pub(super) fn start_stage_quietly(&mut self, stage: usize) {
        let s = &mut self.t.stages[stage];
        if s.state == StageState::NotStarted {
            s.state = StageState::InProgress;
            s.started_at = Some(self.ctx.now);
            self.changed = true;
        }
    }

    fn finish(mut self, reply: Option<Reply>) -> Decision {
        self.d.reply = reply;
        self.d.subject = Some(self.t.id.clone());
        if self.changed {
            self.d.trouble = Some(self.t);
        }
        self.d
    }

    fn policy(&self) -> &crate::config::SeverityPolicy {
        self.ctx.config.severity(self.t.severity)
    }

    fn ack_timeout(&self) -> Duration {
        to_chrono(self.policy().ack_timeout)
    }

    pub(super) fn cadence(&self) -> Duration {
        to_chrono(self.policy().customer_update_every)
    }

    fn start_ack_timer(&mut self) {
        self.start_ack_timer_at(self.ctx.now + self.ack_timeout());
    }

    fn start_ack_timer_at(&mut self, due: DateTime<Utc>) {
        self.t.escalation.round += 1;
        self.t.escalation.due = Some(due);
        let round = self.t.escalation.round;
        self.timer(due, TimerKind::AckTimeout { round });
    }

    pub(super) fn start_followup_timer(&mut self, due: DateTime<Utc>) {
        self.t.followup_epoch += 1;
        let epoch = self.t.followup_epoch;
        self.changed = true;
        self.timer(due, TimerKind::FollowUp { epoch });
    }

    pub(super) fn working_after(&self, start: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        add_working_time(
            self.ctx.config.business_hours.as_ref(),
            self.ctx.config.timezone,
            start,
            amount,
        )
    }

    /// Invites in Slack-sized batches (at most 100 users a call).
    fn invite(&mut self, users: Vec<UserId>) {
        for batch in users.chunks(100) {
            self.send(Lane::Channel, Op::Invite { users: batch.to_vec() });
        }
    }

    fn departments_to_ping(&self) -> Vec<String> {
        departments_of(self.ctx.config, &self.t)
    }
}

fn to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

/// The channel name: `<prefix>-<yyyymmdd>-<n>[-<ascii slug of customer>]`, at most 80 characters.
pub fn channel_name(prefix: &str, id: &TroubleId, customer: &str, attempt: u32) -> String {
    let mut slug = String::new();
    // `&amp;` in Slack's text is one `&`, not a word "amp".
    for c in crate::slack::blocks::unescape(customer).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let suffix = if attempt > 1 {
        format!("-{attempt}")
    } else {
        String::new()
    };
    let mut name = format!("{prefix}-{id}");
    if !slug.is_empty() {
        let room = 80usize.saturating_sub(name.len() + 1 + suffix.len());
        let cut: String = slug.chars().take(room).collect();
        let cut = cut.trim_end_matches('-');
        if !cut.is_empty() {
            name.push('-');
            name.push_str(cut);
        }
    }
    name.push_str(&suffix);
    name
}

/// Opens a new trouble: the first move.
pub fn open(ctx: &Ctx, id: TroubleId, seq: u32, owner: UserId, origin: Origin, req: OpenRequest) -> Decision {
    let config = ctx.config;
    // The modal's fields arrive here without the command grammar's check.
    if let Err(e) = check_length(&req.customer).and_then(|_| check_length(&req.summary)) {
        return Decision::reply(Reply::Usage(e));
    }
    let severity = req.severity.unwrap_or(config.default_severity);
    if !config.severities.contains_key(&severity) {
        return Decision::reply(Reply::UnknownSeverity {
            level: severity,
            known: config.severities.keys().copied().collect(),
        });
    }
    if let Some(bad) = req.departments.iter().find(|d| !config.departments.contains_key(*d)) {
        return Decision::reply(Reply::UnknownDepartment {
            name: bad.clone(),
            known: config.departments.keys().cloned().collect(),
        });
    }
    if let Some(refusal) = open_refusal(&owner, &req) {
        return Decision::reply(refusal);
    }
    let chain = chain_for(config, &owner, req.manager.as_ref());
    let manager = chain.first().cloned();
    // A manager named instead of the configured one: the configured one still hears at once.
    let configured = config
        .manager_of(&owner)
        .filter(|m| chain.contains(m) && Some(m) != manager.as_ref());
    let mut departments = req.departments.clone();
    let mut named = std::collections::HashSet::new();
    departments.retain(|d| named.insert(d.clone()));
    let trouble = Trouble {
        id: id.clone(),
        seq,
        customer: req.customer.clone(),
        summary: req.summary.clone(),
        severity,
        owner: owner.clone(),
        manager: manager.clone(),
        departments,
        origin,
        opened_at: ctx.now,
        channel: None,
        channel_name: Some(channel_name(&config.channel_prefix, &id, &req.customer, 1)),
        kickoff: None,
        status: None,
        manager_dm: None,
        origin_notice: None,
        // Gathering the facts starts the moment the trouble is reported.
        stages: (0..STAGE_COUNT)
            .map(|i| match i {
                0 => Stage {
                    state: StageState::InProgress,
                    started_at: Some(ctx.now),
                    ..Stage::default()
                },
                _ => Stage::default(),
            })
            .collect(),
        ack: None,
        escalation: Escalation {
            chain,
            ..Escalation::default()
        },
        customer_updates: Vec::new(),
        split: None,
        costs: Vec::new(),
        measures: Vec::new(),
        closed: None,
        timeline_len: 0,
        timeline_head: GENESIS.to_string(),
        status_refresh_queued: false,
        followup_epoch: 0,
        added: Vec::new(),
        members_seen: Vec::new(),
        private: Some(config.private_channels),
        last_report: None,
        substance: Default::default(),
        agreement: Default::default(),
        past: Vec::new(),
    };
    let mut w = Work::new(ctx, trouble);
    let departments = w.departments_to_ping();
    w.log(
        Some(&owner),
        Event::Opened {
            customer: req.customer,
            summary: req.summary,
            severity,
            owner: owner.clone(),
            manager: manager.clone(),
            departments: departments.clone(),
        },
    );
    // 1. The manager's ping goes first, in its own lane: nothing about the channel may delay it.
    if let Some(m) = &manager {
        w.send(
            Lane::Dm,
            Op::Post {
                to: Dest::Dm(m.clone()),
                message: Message::ManagerDm,
                keep_as: Some(Slot::ManagerDm),
            },
        );
        w.log(None, Event::ManagerPinged { manager: m.clone() });
        w.start_ack_timer();
    }
    if let Some(c) = &configured {
        w.post(Lane::Dm, Dest::Dm(c.clone()), Message::ManagerDm);
        w.log(None, Event::ManagerPinged { manager: c.clone() });
    }
    // 6. The origin channel hears of it at once, and 7. the announce channels.
    w.send(
        Lane::Origin,
        Op::Post {
            to: Dest::Channel(w.t.origin.channel.clone()),
            message: Message::OriginNotice,
            keep_as: Some(Slot::OriginNotice),
        },
    );
    for c in w.policy().announce_channels.clone() {
        w.post(Lane::Announce, Dest::Channel(ChannelId::new(c)), Message::Announcement);
    }
    // 2-5. The channel, in order: create, invite, kickoff (pinned), status (pinned).
    w.send(Lane::Channel, Op::CreateChannel);
    let mut invitees = vec![owner.clone()];
    invitees.extend(manager.iter().cloned());
    invitees.extend(configured.iter().cloned());
    for d in &departments {
        invitees.extend(config.departments[d].members.iter().cloned());
    }
    let mut seen = std::collections::HashSet::new();
    invitees.retain(|u| seen.insert(u.clone()));
    w.invite(invitees);
    w.send(
        Lane::Channel,
        Op::Post {
            to: Dest::TroubleChannel,
            message: Message::Kickoff,
            keep_as: Some(Slot::Kickoff),
        },
    );
    w.send(Lane::Channel, Op::Pin { slot: Slot::Kickoff });
    w.send(
        Lane::Channel,
        Op::Post {
            to: Dest::TroubleChannel,
            message: Message::Status,
            keep_as: Some(Slot::Status),
        },
    );
    w.send(Lane::Channel, Op::Pin { slot: Slot::Status });
    if manager.is_none() {
        w.post(Lane::Channel, Dest::TroubleChannel, Message::NoManagerHint);
    }
    w.t.past = super::customer::shown_in(config.private_channels, &req.past);
    if !w.t.past.is_empty() {
        w.post(Lane::Channel, Dest::KickoffThread, Message::CustomerHistory);
    }
    let first_followup = w.working_after(ctx.now, w.cadence());
    w.start_followup_timer(first_followup);
    let (reminder, due) = (
        first_contact_reminder(ctx.config, &w.t),
        first_contact_due(ctx.config, &w.t),
    );
    w.timer(reminder, TimerKind::FirstContact { missed: false });
    w.timer(due, TimerKind::FirstContact { missed: true });
    let channel_name = w.t.channel_name.clone().unwrap_or_default();
    w.changed = true;
    w.finish(Some(Reply::Opened { id, channel_name }))
}

/// Decides what an input means for an existing trouble.
pub fn decide(ctx: &Ctx, trouble: &Trouble, input: Input) -> Decision {
    let mut w = Work::new(ctx, trouble.clone());
    let reply = match input {
        Input::Command { user, command } => command_on(&mut w, user, command),
        Input::ThreadReply { user, thread_ts } => {
            let in_kickoff_thread = w.t.kickoff.as_ref().is_some_and(|k| k.ts == thread_ts);
            if in_kickoff_thread && w.t.ack.is_none() && may(ctx.config, &w.t, &user, Act::Acknowledge) && w.t.is_open()
            {
                acknowledge(&mut w, &user);
            }
            None
        }
        Input::Button { user, action } => button(&mut w, user, action),
        // A modal opened before the close may still be submitted after it.
        Input::UpdateSubmitted { .. } if w.t.closed.is_some() => Some(Reply::AlreadyClosed),
        Input::UpdateSubmitted { user, .. } if !may(ctx.config, &w.t, &user, Act::Update) => {
            refuse(ctx.config, &w.t, &user, Act::Update)
        }
        Input::UpdateSubmitted { user, text, next } => {
            match check_length(&text).and_then(|_| check_length(next.as_deref().unwrap_or_default())) {
                Err(e) => Some(Reply::Usage(e)),
                Ok(()) => Some(log_update(&mut w, &user, text, next)),
            }
        }
        // Participants see the trouble by their role; only others' membership needs keeping.
        Input::MemberJoined { user } => {
            if !w.t.members_seen.contains(&user) && !is_participant(ctx.config, &w.t, &user) {
                w.t.members_seen.push(user);
                w.changed = true;
            }
            None
        }
        Input::MemberLeft { user } => {
            if w.t.members_seen.contains(&user) {
                w.t.members_seen.retain(|u| *u != user);
                w.changed = true;
            }
            None
        }
        Input::Timer(kind) => {
            timer_fired(&mut w, kind);
            None
        }
        Input::Recurrence(earlier) => {
            super::facts::flag_recurrences(&mut w, earlier);
            None
        }
        Input::Delivered(outcome) => {
            delivered(&mut w, outcome);
            None
        }
    };
    w.finish(reply)
}

// ---------------------------------------------------------------------------------------------
// Roles: who may do what to a trouble (the README's roles table). Everyone in the channel may
// read (`status`, `report`) and add a `note`; everything else is checked here.
// ---------------------------------------------------------------------------------------------

/// An act not everyone may do: one row of the roles table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Acknowledge,
    /// `next`, `done`, `start` and the Complete button.
    Stages,
    Update,
    Split,
    Cost,
    Prevent,
    Add,
    RaiseSeverity,
    LowerSeverity,
    ChangeOwner,
    NameManager,
    Close,
    CloseForce,
    /// `fact`, `return`, `scope`, `cause`.
    Facts,
    /// `action` (adding one); `action done`/`verify` are checked per action.
    Actions,
    Reopen,
    /// `fix cost|split|fact`.
    Fix,
    /// Approve or Reject a proposal: checked per proposal (its level, never the proposer).
    Approve,
    /// `agreed N`: record that the customer accepted an approved proposal.
    Agree,
}

/// Who may do an act, as a refusal names them.
#[derive(Clone, Debug, PartialEq)]
pub enum Who {
    /// The manager chain: its head or anyone above them (never the owner).
    Chain(Vec<UserId>),
    /// The owner or the manager chain.
    OwnerOrChain { owner: UserId, chain: Vec<UserId> },
    /// The participants: owner, chain, members of its departments, people added.
    Participants {
        owner: UserId,
        chain: Vec<UserId>,
        departments: Vec<String>,
    },
}

/// A promise to the customer may reach at most this far ahead.
pub const MAX_PROMISE_DAYS: u32 = 14;

/// The manager chain of a trouble: a named manager in front of the owner's configured chain
/// (which it never replaces), then the named manager's own superiors; without repeats and never
/// the owner.
pub fn chain_for(config: &Config, owner: &UserId, named: Option<&UserId>) -> Vec<UserId> {
    let mut chain: Vec<UserId> = named.cloned().into_iter().collect();
    if let Some(m) = config.manager_of(owner) {
        chain.extend(config.chain_from(&m));
    }
    if let Some(n) = named {
        chain.extend(config.chain_from(n));
    }
    let mut seen = std::collections::HashSet::new();
    chain.retain(|u| u != owner && seen.insert(u.clone()));
    chain
}

/// Its departments: those named and those its severity always includes.
pub fn departments_of(config: &Config, t: &Trouble) -> Vec<String> {
    let mut all = t.departments.clone();
    for d in &config.severity(t.severity).departments {
        if !all.contains(d) {
            all.push(d.clone());
        }
    }
    all
}

pub fn is_participant(config: &Config, t: &Trouble, user: &UserId) -> bool {
    t.owner == *user
        || t.manager_chain().contains(user)
        || t.added.contains(user)
        || departments_of(config, t)
            .iter()
            .filter_map(|d| config.departments.get(d))
            .any(|d| d.members.contains(user))
}

pub fn who_may(config: &Config, t: &Trouble, act: Act) -> Who {
    let chain = t.manager_chain().to_vec();
    match act {
        Act::Acknowledge | Act::LowerSeverity | Act::ChangeOwner | Act::CloseForce | Act::Reopen | Act::Approve => {
            Who::Chain(chain)
        }
        // With no chain at all, the owner names one (anyone but themself).
        Act::NameManager if !chain.is_empty() => Who::Chain(chain),
        Act::NameManager | Act::Close | Act::Agree => Who::OwnerOrChain {
            owner: t.owner.clone(),
            chain,
        },
        Act::Stages
        | Act::Update
        | Act::Split
        | Act::Cost
        | Act::Prevent
        | Act::Add
        | Act::RaiseSeverity
        | Act::Facts
        | Act::Actions
        | Act::Fix => Who::Participants {
            owner: t.owner.clone(),
            chain,
            departments: departments_of(config, t),
        },
    }
}

pub fn may(config: &Config, t: &Trouble, user: &UserId, act: Act) -> bool {
    match who_may(config, t, act) {
        Who::Chain(chain) => chain.contains(user) && t.owner != *user,
        Who::OwnerOrChain { owner, chain } => owner == *user || chain.contains(user),
        Who::Participants { .. } => is_participant(config, t, user),
    }
}

/// The refusal when `user` may not do `act`, naming who may.
fn refuse(config: &Config, t: &Trouble, user: &UserId, act: Act) -> Option<Reply> {
    (!may(config, t, user, act)).then(|| Reply::NotAllowed {
        act,
        who: who_may(config, t, act),
    })
}

/// Who may see a trouble in `list`, `history` and App Home: anyone when its channel is public;
/// for a private one, its participants and the members the bot has seen join.
pub fn may_see(config: &Config, t: &Trouble, user: &UserId) -> bool {
    !t.private.unwrap_or(config.private_channels) || t.members_seen.contains(user) || is_participant(config, t, user)
}

/// Why an open request is refused before anything is created: the owner is never their own
/// manager (the command, the modal and `/trouble manager` alike).
pub fn open_refusal(owner: &UserId, req: &OpenRequest) -> Option<Reply> {
    (req.manager.as_ref() == Some(owner)).then_some(Reply::OwnerCannotBeManager)
}

/// The row of the roles table a command falls under (None: anyone in the channel, or checked
/// where the command is decided).
fn act_of(config: &Config, t: &Trouble, command: &Command) -> Option<Act> {
    Some(match command {
        // An unknown level is a usage mistake, answered as such to anyone.
        Command::Severity(to) if !config.severities.contains_key(to) => return None,
        Command::Next(_) | Command::Done(..) | Command::Start(..) => Act::Stages,
        Command::Update { .. } => Act::Update,
        Command::Split { .. } => Act::Split,
        Command::Cost { .. } => Act::Cost,
        Command::Prevent(_) => Act::Prevent,
        Command::Add { .. } => Act::Add,
        // Lower numbers are more severe.
        Command::Severity(to) if *to <= t.severity => Act::RaiseSeverity,
        Command::Severity(_) => Act::LowerSeverity,
        Command::Owner(_) => Act::ChangeOwner,
        Command::Manager(_) => Act::NameManager,
        Command::Close(_) => Act::Close,
        Command::CloseForce(_) => Act::CloseForce,
        Command::Step(step) => return step.act(),
        Command::Agreed(..) => Act::Agree,
        _ => return None,
    })
}

fn command_on(w: &mut Work, user: UserId, command: Command) -> Option<Reply> {
    let reopening = matches!(command, Command::Step(super::facts::Step::Reopen(_)));
    // The 8D is wanted most once the trouble is closed.
    if w.t.closed.is_some() && !matches!(command, Command::Status | Command::Report | Command::Report8d) && !reopening {
        return Some(Reply::AlreadyClosed);
    }
    if let Some(refusal) = act_of(w.ctx.config, &w.t, &command).and_then(|act| refuse(w.ctx.config, &w.t, &user, act)) {
        return Some(refusal);
    }
    let now = w.ctx.now;
    Some(match command {
        Command::Status => Reply::Status(Box::new(w.t.clone())),
        Command::Ack => try_acknowledge(w, &user),
        Command::Next(note) => match w.t.current_stage() {
            None => Reply::AllStagesDone,
            Some(stage) if super::facts::stage_refusal(w, &user, stage, &note).is_some() => {
                return super::facts::stage_refusal(w, &user, stage, &note)
            }
            Some(stage) => {
                complete_stage(w, &user, stage, note);
                Reply::StageDone { stage }
            }
        },
        // Done twice would claim a second completion on the record; `note` adds to a done stage.
        Command::Done(stage, _) if w.t.stages[stage].state == StageState::Done => Reply::StageAlreadyDone { stage },
        Command::Done(stage, note) if super::facts::stage_refusal(w, &user, stage, &note).is_some() => {
            return super::facts::stage_refusal(w, &user, stage, &note)
        }
        Command::Done(stage, note) => {
            complete_stage(w, &user, stage, note);
            Reply::StageDone { stage }
        }
        Command::Start(stage, note) => {
            // Starting a stage that was done reopens it: rework is part of the record.
            if w.t.stages[stage].state == StageState::Done {
                let s = &mut w.t.stages[stage];
                s.state = StageState::InProgress;
                s.done_at = None;
                s.done_by = None;
            }
            start_stage(w, &user, stage, note.clone());
            w.log(
                Some(&user),
                Event::StageStarted {
                    stage,
                    note: note.clone(),
                },
            );
            w.post(
                Lane::Channel,
                Dest::TroubleChannel,
                Message::StageChanged {
                    stage,
                    done: false,
                    by: user.clone(),
                    note,
                },
            );
            w.refresh_status();
            Reply::StageStarted { stage }
        }
        Command::Update { text, next } => log_update(w, &user, text, next),
        Command::Note(text) => {
            w.record(&user, Record::Note { text: text.clone() });
            w.log(Some(&user), Event::Note { text });
            Reply::Noted
        }
        Command::Split {
            ours,
            customer,
            other,
            reason,
        } => {
            start_stage(w, &user, 4, String::new());
            w.t.split = Some(Split {
                ours,
                customer,
                other,
                reason: reason.clone(),
                by: user.clone(),
                at: now,
            });
            w.record(
                &user,
                Record::Split {
                    ours,
                    customer,
                    other,
                    reason: reason.clone(),
                },
            );
            w.log(
                Some(&user),
                Event::SplitSet {
                    ours,
                    customer,
                    other,
                    reason,
                },
            );
            super::approval::propose(w, &user, super::approval::Item::Split)
        }
        Command::Cost { amount, payer, note } => {
            start_stage(w, &user, 5, String::new());
            w.t.costs.push(Cost {
                amount: amount.clone(),
                payer: payer.clone(),
                note: note.clone(),
                by: user.clone(),
                at: now,
            });
            w.record(
                &user,
                Record::Cost {
                    amount: amount.clone(),
                    payer: payer.clone(),
                    note: note.clone(),
                },
            );
            w.log(Some(&user), Event::CostAdded { amount, payer, note });
            let n = w.t.costs.len();
            super::approval::propose(w, &user, super::approval::Item::Cost { n })
        }
        Command::Agreed(n, note) => super::approval::agreed(w, &user, n, note),
        // Anyone in the channel may ask, like the report; the channel reviews it before it goes out.
        Command::Report8d => {
            w.post(Lane::Channel, Dest::TroubleChannel, Message::EightD);
            Reply::EightDPosted
        }
        // A measure is a prevention action owned by the trouble's owner.
        Command::Prevent(text) => super::actions::add_action(
            w,
            &user,
            super::actions::NewAction {
                kind: super::actions::ActionKind::Prevent,
                text,
                owner: None,
                due: None,
                check: None,
            },
        ),
        Command::Step(step) => super::facts::decide_step(w, &user, step),
        Command::Add { users, departments } => add_participants(w, &user, users, departments),
        Command::Owner(to) => {
            let from = std::mem::replace(&mut w.t.owner, to.clone());
            w.record(
                &user,
                Record::Owner {
                    from: from.clone(),
                    to: to.clone(),
                },
            );
            w.log(Some(&user), Event::OwnerChanged { from, to: to.clone() });
            w.invite(vec![to.clone()]);
            w.refresh_status();
            Reply::OwnerChanged { to }
        }
        Command::Manager(to) => {
            if to == w.t.owner {
                return Some(Reply::OwnerCannotBeManager);
            }
            let from = w.t.manager.replace(to.clone());
            w.t.escalation = Escalation {
                chain: chain_for(w.ctx.config, &w.t.owner, Some(&to)),
                round: w.t.escalation.round,
                ..Escalation::default()
            };
            w.record(
                &user,
                Record::Manager {
                    from: from.clone(),
                    to: to.clone(),
                },
            );
            w.log(Some(&user), Event::ManagerChanged { from, to: to.clone() });
            w.invite(vec![to.clone()]);
            if w.t.ack.is_none() {
                ask_to_acknowledge(w, &to);
                w.start_ack_timer();
            }
            w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
            w.refresh_status();
            Reply::ManagerChanged { to }
        }
        Command::Severity(to) => {
            if !w.ctx.config.severities.contains_key(&to) {
                return Some(Reply::UnknownSeverity {
                    level: to,
                    known: w.ctx.config.severities.keys().copied().collect(),
                });
            }
            let from = w.t.severity;
            if from == to {
                return Some(Reply::SeverityUnchanged);
            }
            let before = w.departments_to_ping();
            let announced_before = w.policy().announce_channels.clone();
            w.t.severity = to;
            w.log(Some(&user), Event::SeverityChanged { from, to });
            // The new severity's clocks apply from now on: a shorter wait for an acknowledgement
            // brings the escalation forward, a longer one never postpones it; the cadence of
            // customer updates restarts (a promised time keeps its own timer).
            if w.t.ack.is_none() && w.t.manager.is_some() && !w.t.escalation.gave_up {
                let due = w.ctx.now + w.ack_timeout();
                match w.t.escalation.due {
                    Some(running) if running <= due => {}
                    _ => w.start_ack_timer_at(due),
                }
            }
            let last = w.t.last_customer_contact();
            if w.t.promised_next().filter(|p| *p > last).is_none() {
                let due = w.working_after(last, w.cadence()).max(now);
                w.start_followup_timer(due);
            }
            // Lower numbers are more severe: only a raise brings new people in.
            if to < from {
                let new_departments: Vec<String> = w
                    .departments_to_ping()
                    .into_iter()
                    .filter(|d| !before.contains(d))
                    .collect();
                let members: Vec<UserId> = new_departments
                    .iter()
                    .flat_map(|d| w.ctx.config.departments[d].members.clone())
                    .collect();
                w.invite(members);
                w.post(
                    Lane::Channel,
                    Dest::TroubleChannel,
                    Message::SeverityRaised { from, to },
                );
                for c in w.policy().announce_channels.clone() {
                    if !announced_before.contains(&c) {
                        w.post(
                            Lane::Announce,
                            Dest::Channel(ChannelId::new(c)),
                            Message::SeverityRaised { from, to },
                        );
                    }
                }
            }
            w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
            w.refresh_status();
            Reply::SeverityChanged { from, to }
        }
        Command::Close(note) => {
            let not_done: Vec<usize> = (0..STAGE_COUNT)
                .filter(|i| w.t.stages[*i].state != StageState::Done)
                .collect();
            let (open_interim, has_prevention) = super::actions::close_gaps(&w.t);
            if !not_done.is_empty() || !has_prevention {
                let never_started = not_done
                    .iter()
                    .copied()
                    .filter(|i| w.t.stages[*i].state == StageState::NotStarted)
                    .collect();
                return Some(Reply::CloseMissing {
                    not_done,
                    never_started,
                    has_measure: has_prevention,
                });
            }
            if !open_interim.is_empty() {
                return Some(Reply::CloseActions {
                    open_interim,
                    has_prevention,
                });
            }
            close(w, &user, note, None);
            Reply::Closed
        }
        Command::CloseForce(reason) => {
            close(w, &user, String::new(), Some(reason));
            Reply::Closed
        }
        // Answered by the shell: they read other troubles or the whole timeline.
        Command::Report
        | Command::Help
        | Command::OpenModal
        | Command::Open(_)
        | Command::List
        | Command::History(_)
        | Command::Stats(_) => return None,
    })
}

/// The most messages a report puts in its thread; a longer one says how to export it.
pub const MAX_REPORT_PARTS: usize = 10;

/// How long a posted report stands: asking again within it is answered privately.
const REPORT_AGAIN_AFTER_SECS: i64 = 60;

/// Posts a report (already split for Slack): one summary message in the trouble's channel,
/// the parts in its thread, at most [`MAX_REPORT_PARTS`] messages there.
pub fn report_posts(ctx: &Ctx, trouble: &Trouble, parts: Vec<String>) -> Decision {
    if let Some(last) = &trouble.last_report {
        if ctx.now - last.at < Duration::seconds(REPORT_AGAIN_AFTER_SECS) {
            return Decision::reply(Reply::ReportRecent { at: last.at });
        }
    }
    let mut w = Work::new(ctx, trouble.clone());
    let of = parts.len();
    // The previous summary stays known until the new one is posted: parts of an earlier
    // report still queued go to their own thread.
    let message = w.t.last_report.take().and_then(|r| r.message);
    w.t.last_report = Some(LastReport {
        at: ctx.now,
        parts: of,
        message,
    });
    w.changed = true;
    w.send(
        Lane::Channel,
        Op::Post {
            to: Dest::TroubleChannel,
            message: Message::ReportSummary,
            keep_as: Some(Slot::Report),
        },
    );
    let shown = if of > MAX_REPORT_PARTS {
        MAX_REPORT_PARTS - 1
    } else {
        of
    };
    for (i, text) in parts.into_iter().take(shown).enumerate() {
        w.post(
            Lane::Channel,
            Dest::ReportThread,
            Message::ReportPart { text, part: i + 1, of },
        );
    }
    if shown < of {
        w.post(
            Lane::Channel,
            Dest::ReportThread,
            Message::ReportContinues { shown, of },
        );
    }
    w.finish(Some(Reply::ReportPosted { parts: of, shown }))
}

/// `/trouble add`: makes people and departments participants, invites them and says so.
fn add_participants(w: &mut Work, by: &UserId, users: Vec<UserId>, departments: Vec<String>) -> Reply {
    let config = w.ctx.config;
    if let Some(bad) = departments.iter().find(|d| !config.departments.contains_key(*d)) {
        return Reply::UnknownDepartment {
            name: bad.clone(),
            known: config.departments.keys().cloned().collect(),
        };
    }
    let before = departments_of(config, &w.t);
    let mut new_departments: Vec<String> = Vec::new();
    for d in departments {
        if !before.contains(&d) && !new_departments.contains(&d) {
            new_departments.push(d);
        }
    }
    let mut new_users: Vec<UserId> = Vec::new();
    for u in users {
        if !w.t.added.contains(&u) && !new_users.contains(&u) {
            new_users.push(u);
        }
    }
    if new_users.is_empty() && new_departments.is_empty() {
        return Reply::ParticipantsAdded {
            users: Vec::new(),
            depts: Vec::new(),
        };
    }
    w.t.added.extend(new_users.iter().cloned());
    w.t.departments.extend(new_departments.iter().cloned());
    let mut invitees = new_users.clone();
    for d in &new_departments {
        for m in &config.departments[d].members {
            if !invitees.contains(m) {
                invitees.push(m.clone());
            }
        }
    }
    w.log(
        Some(by),
        Event::ParticipantsAdded {
            users: new_users.clone(),
            departments: new_departments.clone(),
        },
    );
    w.invite(invitees);
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::ParticipantsAdded {
            by: by.clone(),
            users: new_users.clone(),
            departments: new_departments.clone(),
        },
    );
    // The kickoff lists the departments.
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    Reply::ParticipantsAdded {
        users: new_users,
        depts: new_departments,
    }
}

fn close(w: &mut Work, user: &UserId, note: String, forced_reason: Option<String>) {
    w.t.closed = Some(Closure {
        by: user.clone(),
        at: w.ctx.now,
        note: note.clone(),
        forced_reason: forced_reason.clone(),
    });
    // Bumping the epochs makes every pending nudge and escalation timer stale.
    w.t.followup_epoch += 1;
    w.t.escalation.round += 1;
    w.log(
        Some(user),
        Event::Closed {
            note,
            forced_reason: forced_reason.clone(),
        },
    );
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::Closed {
            by: user.clone(),
            forced_reason,
        },
    );
    super::actions::on_close(w);
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    // The channel is the record: a close leaves the report there, and the kickoff links to it.
    w.d.report_due = true;
}

/// The stage where the split is settled: the customer's history is shown again when it starts.
const SPLIT_STAGE: usize = 4;

fn start_stage(w: &mut Work, _user: &UserId, stage: usize, note: String) {
    let s = &mut w.t.stages[stage];
    if s.state == StageState::NotStarted {
        s.state = StageState::InProgress;
        s.started_at = Some(w.ctx.now);
        w.changed = true;
        if stage == SPLIT_STAGE && !w.t.past.is_empty() {
            w.post(Lane::Channel, Dest::TroubleChannel, Message::CustomerHistory);
        }
    }
    if !note.is_empty() {
        w.t.stages[stage].notes.push(note);
        w.changed = true;
    }
}

fn complete_stage(w: &mut Work, user: &UserId, stage: usize, note: String) {
    let now = w.ctx.now;
    let s = &mut w.t.stages[stage];
    if s.started_at.is_none() {
        s.started_at = Some(now);
    }
    s.state = StageState::Done;
    s.done_at = Some(now);
    s.done_by = Some(user.clone());
    if !note.is_empty() {
        s.notes.push(note.clone());
    }
    w.log(
        Some(user),
        Event::StageDone {
            stage,
            note: note.clone(),
        },
    );
    // The next stage is now the one being worked on.
    if let Some(next) = w.t.current_stage() {
        if w.t.stages[next].state == StageState::NotStarted {
            start_stage(w, user, next, String::new());
        }
    }
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::StageChanged {
            stage,
            done: true,
            by: user.clone(),
            note,
        },
    );
    w.refresh_status();
}

fn try_acknowledge(w: &mut Work, user: &UserId) -> Reply {
    if let Some(ack) = &w.t.ack {
        return Reply::AlreadyAcknowledged { by: ack.by.clone() };
    }
    if let Some(refusal) = refuse(w.ctx.config, &w.t, user, Act::Acknowledge) {
        return refusal;
    }
    acknowledge(w, user);
    Reply::Acknowledged
}

fn acknowledge(w: &mut Work, user: &UserId) {
    let after_secs = (w.ctx.now - w.t.opened_at).num_seconds();
    w.t.ack = Some(Acknowledgement {
        by: user.clone(),
        at: w.ctx.now,
    });
    w.log(
        Some(user),
        Event::Acknowledged {
            by: user.clone(),
            after_secs,
        },
    );
    w.post(
        Lane::Channel,
        Dest::KickoffThread,
        Message::Acknowledged {
            by: user.clone(),
            after_secs,
        },
    );
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    if w.t.manager_dm.is_some() {
        w.send(Lane::Dm, Op::Refresh { slot: Slot::ManagerDm });
    }
}

fn button(w: &mut Work, user: UserId, action: ButtonAction) -> Option<Reply> {
    // The effectiveness check is asked after close.
    if let ButtonAction::Effect { n, effective } = action {
        return Some(super::actions::effect_answered(w, &user, n, effective));
    }
    if w.t.closed.is_some() {
        return Some(Reply::AlreadyClosed);
    }
    // Who may approve depends on the proposal: decided there.
    if let ButtonAction::Proposal { n, approve } = action {
        return Some(super::approval::decide_button(w, &user, n, approve));
    }
    let act = match action {
        ButtonAction::Acknowledge => Act::Acknowledge,
        ButtonAction::CompleteStage { .. } => Act::Stages,
        ButtonAction::LogUpdate { .. } => Act::Update,
        ButtonAction::Effect { .. } | ButtonAction::Proposal { .. } => return None,
    };
    if let Some(refusal) = refuse(w.ctx.config, &w.t, &user, act) {
        return Some(refusal);
    }
    match action {
        ButtonAction::Acknowledge => Some(try_acknowledge(w, &user)),
        // A stale button (a double click, or a status message not yet refreshed) must not
        // complete a later stage than the one it showed.
        ButtonAction::CompleteStage { stage: Some(stage) }
            if stage >= STAGE_COUNT || w.t.stages[stage].state == StageState::Done =>
        {
            Some(Reply::StageAlreadyDone {
                stage: stage.min(STAGE_COUNT - 1),
            })
        }
        ButtonAction::CompleteStage { stage: Some(stage) }
            if super::facts::stage_refusal(w, &user, stage, "").is_some() =>
        {
            super::facts::stage_refusal(w, &user, stage, "")
        }
        ButtonAction::CompleteStage { stage: Some(stage) } => {
            complete_stage(w, &user, stage, String::new());
            Some(Reply::StageDone { stage })
        }
        ButtonAction::CompleteStage { stage: None } => match w.t.current_stage() {
            None => Some(Reply::AllStagesDone),
            Some(stage) if super::facts::stage_refusal(w, &user, stage, "").is_some() => {
                super::facts::stage_refusal(w, &user, stage, "")
            }
            Some(stage) => {
                complete_stage(w, &user, stage, String::new());
                Some(Reply::StageDone { stage })
            }
        },
        ButtonAction::LogUpdate { trigger_id } => {
            w.send(Lane::View, Op::OpenUpdateModal { trigger_id });
            None
        }
        ButtonAction::Effect { .. } | ButtonAction::Proposal { .. } => None,
    }
}

fn log_update(w: &mut Work, user: &UserId, text: String, next: Option<String>) -> Reply {
    let now = w.ctx.now;
    let promised = match next {
        None => None,
        Some(n) => match parse_when(&n, now, w.ctx.config.timezone) {
            // A promise far ahead would silence every nudge until then.
            Ok(at) if at > now + Duration::days(MAX_PROMISE_DAYS.into()) => {
                return Reply::BadWhen {
                    text: n,
                    error: WhenError::TooFar { days: MAX_PROMISE_DAYS },
                }
            }
            Ok(at) => Some(at),
            Err(error) => return Reply::BadWhen { text: n, error },
        },
    };
    if w.t.customer_updates.is_empty() {
        // The kickoff shows the first-contact deadline until it is met.
        w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    }
    w.t.customer_updates.push(CustomerUpdate {
        text: text.clone(),
        by: user.clone(),
        at: now,
        promised_next: promised,
    });
    w.record(
        user,
        Record::Update {
            text: text.clone(),
            promised_next: promised,
        },
    );
    w.log(
        Some(user),
        Event::CustomerUpdate {
            text,
            promised_next: promised,
        },
    );
    let next_due = match promised {
        // Nudge a quarter of an hour before the promise (or at once when it is closer than that).
        Some(p) => (p - Duration::minutes(15)).max(now),
        None => w.working_after(now, w.cadence()),
    };
    w.start_followup_timer(next_due);
    w.refresh_status();
    Reply::UpdateLogged {
        next_due: promised.unwrap_or(next_due),
        promised: promised.is_some(),
    }
}

fn timer_fired(w: &mut Work, kind: TimerKind) {
    if let TimerKind::EffectCheck { n, round } = kind {
        return super::actions::effect_check(w, n, round);
    }
    if w.t.closed.is_some() {
        return;
    }
    match kind {
        TimerKind::AckTimeout { round } => {
            if round == w.t.escalation.round && w.t.ack.is_none() && !w.t.escalation.gave_up {
                escalate(w);
            }
        }
        TimerKind::FollowUp { epoch } => {
            if epoch == w.t.followup_epoch {
                follow_up(w);
            }
        }
        TimerKind::ReturnReminder { round } => super::facts::return_reminder(w, round),
        TimerKind::ActionDue { n, overdue } => super::actions::action_reminder(w, n, overdue),
        TimerKind::EffectCheck { .. } => {}
        TimerKind::FirstContact { missed } => {
            if w.t.customer_updates.is_empty() {
                first_contact(w, missed);
            }
        }
    }
}

const MAX_TOP_REPINGS: u32 = 5;

fn escalate(w: &mut Work) {
    let chain = w.t.escalation.chain.clone();
    let next_level = w.t.escalation.level + 1;
    if let Some(next) = chain.get(next_level) {
        w.t.escalation.level = next_level;
        w.log(
            None,
            Event::Escalated {
                to: next.clone(),
                level: next_level,
            },
        );
        w.invite(vec![next.clone()]);
        ask_to_acknowledge(w, next);
        w.start_ack_timer();
        w.refresh_status();
    } else if let Some(top) = chain.last() {
        if w.t.escalation.top_repings < MAX_TOP_REPINGS {
            w.t.escalation.top_repings += 1;
            let count = w.t.escalation.top_repings;
            w.log(None, Event::Repinged { to: top.clone(), count });
            ask_to_acknowledge(w, top);
            w.start_ack_timer();
        } else {
            w.t.escalation.gave_up = true;
            w.log(None, Event::NobodyAnswered);
            w.post(Lane::Channel, Dest::TroubleChannel, Message::NobodyAnswered);
            w.refresh_status();
        }
    }
}

/// Asks someone in the chain to acknowledge: a DM (which never waits for the channel) and a
/// mention in the kickoff thread, where a reply acknowledges.
fn ask_to_acknowledge(w: &mut Work, who: &UserId) {
    let waited_secs = (w.ctx.now - w.t.opened_at).num_seconds();
    w.post(
        Lane::Dm,
        Dest::Dm(who.clone()),
        Message::EscalationDm {
            to: who.clone(),
            waited_secs,
        },
    );
    w.post(
        Lane::Channel,
        Dest::KickoffThread,
        Message::EscalationMention {
            to: who.clone(),
            waited_secs,
        },
    );
}

fn follow_up(w: &mut Work) {
    let now = w.ctx.now;
    let config = w.ctx.config;
    let hours = config.business_hours.as_ref();
    if !is_open(hours, config.timezone, now) {
        // Nothing is posted outside business hours; what fell due is posted once at opening.
        let at = next_open(hours, config.timezone, now);
        w.start_followup_timer(at);
        return;
    }
    let cadence = w.cadence();
    let last = w.t.last_customer_contact();
    let waited = working_time_between(hours, config.timezone, last, now);
    let waited_secs = (now - last).num_seconds();
    let promise = w.t.promised_next().filter(|p| *p > last);
    let (mention_manager, promise_missed, next_due) = match promise {
        Some(p) if now < p => (false, false, p),
        Some(p) => {
            let badly = now >= p + cadence;
            let next = if badly {
                w.working_after(now, cadence)
            } else {
                p + cadence
            };
            (badly, true, next)
        }
        None => {
            // One nudge however many periods passed (e.g. while the bot was down), then one a
            // cadence while the customer is still waiting.
            let next = w.working_after(now, cadence).max(now + Duration::seconds(1));
            (waited >= cadence * 2, false, next)
        }
    };
    let nudge = Nudge {
        owner: w.t.owner.clone(),
        waited_secs,
        manager: if mention_manager { w.t.manager.clone() } else { None },
        promise,
        promise_missed,
        last_contact: last,
    };
    w.log(
        None,
        Event::NudgePosted {
            waited_secs,
            manager_mentioned: nudge.manager.is_some(),
        },
    );
    w.post(Lane::Channel, Dest::TroubleChannel, Message::Nudge(nudge));
    w.start_followup_timer(next_due);
    w.refresh_status();
}

/// Reminds the owner of the first call (the checklist and a Log update button); once the
/// deadline has passed, brings the manager in.
fn first_contact(w: &mut Work, missed: bool) {
    let manager = if missed { w.t.manager.clone() } else { None };
    w.log(
        None,
        Event::NudgePosted {
            waited_secs: (w.ctx.now - w.t.opened_at).num_seconds(),
            manager_mentioned: manager.is_some(),
        },
    );
    let message = Message::FirstContact {
        owner: w.t.owner.clone(),
        manager,
        due: first_contact_due(w.ctx.config, &w.t),
    };
    w.post(Lane::Channel, Dest::TroubleChannel, message);
}

fn delivered(w: &mut Work, outcome: Outcome) {
    match outcome {
        Outcome::ChannelCreated { channel, name } => {
            w.t.channel = Some(channel.clone());
            w.t.channel_name = Some(name.clone());
            w.log(None, Event::ChannelCreated { channel, name });
            // The DM and the origin notice went out before the channel existed: add its link.
            if w.t.manager_dm.is_some() {
                w.send(Lane::Dm, Op::Refresh { slot: Slot::ManagerDm });
            }
            if w.t.origin_notice.is_some() {
                w.send(
                    Lane::Origin,
                    Op::Refresh {
                        slot: Slot::OriginNotice,
                    },
                );
            }
        }
        Outcome::Posted { slot, channel, ts } => {
            let posted = Some(PostedMessage { channel, ts });
            let channel_known = w.t.channel.is_some();
            match slot {
                Slot::Kickoff => w.t.kickoff = posted,
                Slot::Status => w.t.status = posted,
                Slot::Report => {
                    if let Some(r) = w.t.last_report.as_mut() {
                        r.message = posted;
                    }
                    // A closed trouble's kickoff links to its report.
                    if w.t.closed.is_some() {
                        w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
                    }
                }
                Slot::ManagerDm => {
                    w.t.manager_dm = posted;
                    if channel_known {
                        w.send(Lane::Dm, Op::Refresh { slot: Slot::ManagerDm });
                    }
                }
                Slot::OriginNotice => {
                    w.t.origin_notice = posted;
                    if channel_known {
                        w.send(
                            Lane::Origin,
                            Op::Refresh {
                                slot: Slot::OriginNotice,
                            },
                        );
                    }
                }
            }
            w.changed = true;
        }
        // Nothing internal goes where the customer reads: the reporter alone hears of the trouble
        // they opened there; the owner hears that an announcement was held back.
        Outcome::SharedExternally { channel } if channel != w.t.origin.channel => {
            let owner = w.t.owner.clone();
            w.post(Lane::Dm, Dest::Dm(owner), Message::SharedChannelSkipped { channel });
        }
        Outcome::OriginUnreachable | Outcome::SharedExternally { .. } => {
            if let Some(url) = w.t.origin.response_url.clone() {
                w.send(
                    Lane::Origin,
                    Op::Respond {
                        url,
                        message: Message::OriginNotice,
                    },
                );
            }
        }
        // Always Slack's own error code: a call that could not run because an earlier one failed
        // (no channel yet) never reaches here, the deliverer drops it (see `AttemptError`).
        Outcome::Failed { method, error } => {
            w.log(
                None,
                Event::DeliveryFailed {
                    method: method.clone(),
                    error: error.clone(),
                },
            );
            // Without a channel nothing else can happen there: the owner must know at once.
            if method == "conversations.create" {
                let owner = w.t.owner.clone();
                w.post(Lane::Dm, Dest::Dm(owner), Message::DeliveryProblem { method, error });
            }
        }
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
