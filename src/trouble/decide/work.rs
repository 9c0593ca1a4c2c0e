//! `Work`: a decision accumulated on a working copy of the trouble, with the moves every feature shares.

use super::*;

/// Accumulates a decision on a working copy of the trouble.
pub(in crate::trouble) struct Work<'a> {
    pub(in crate::trouble) ctx: &'a Ctx<'a>,
    pub(in crate::trouble) t: Trouble,
    pub(in crate::trouble) changed: bool,
    pub(super) d: Decision,
    /// Whether the trouble, as it came in, was open.
    open_before: bool,
    /// Whether the trouble, as it came in, was acknowledged.
    acked_before: bool,
    /// Whose App Home showed the trouble as it came in.
    home_before: Vec<UserId>,
    /// When the status had been drawn as of, as the trouble came in.
    status_as_of_before: Option<DateTime<Utc>>,
}

impl<'a> Work<'a> {
    pub(super) fn new(ctx: &'a Ctx<'a>, t: Trouble) -> Self {
        Work {
            ctx,
            open_before: t.is_open(),
            acked_before: t.ack.is_some(),
            home_before: crate::trouble::home::people(&t),
            status_as_of_before: t.status_as_of,
            t,
            changed: false,
            d: Decision::default(),
        }
    }

    pub(in crate::trouble) fn log(&mut self, actor: Option<&UserId>, event: Event) {
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

    /// Queues a call; one in the trouble's channel waits while the bot cannot post there. A DM
    /// saying the customer waits, however it came to be a DM, is kept to be settled.
    pub(in crate::trouble) fn send(&mut self, lane: Lane, mut op: Op) {
        // An owner Slack refused a DM for good would only fail again, into one more line on the
        // timeline: nothing is tried on them but what asks them to act, which brings them back
        // when it goes through (see `Outcome::DmReached`). Decided here once for every DM.
        if let Op::Post {
            to: Dest::Dm(who),
            message,
            ..
        } = &op
        {
            if self.t.unreachable_owners.contains(who) && !message.asks_the_owner() {
                return;
            }
        }
        if let Op::Post {
            to: Dest::Dm(_),
            message: Message::Nudge(_) | Message::CustomerStillWaiting { .. },
            keep_as: keep_as @ None,
        } = &mut op
        {
            *keep_as = Some(Slot::WaitingDm);
        }
        // A line in the trouble's channel carrying the typed text of an entry this decision
        // logged (a note, a severity change's reason, a measure told from elsewhere…) is kept
        // knowing which (see [`Slot::Entry`]), so a redaction of the entry edits the line:
        // decided here once for every kind, not at each line's post.
        let in_channel = op.in_trouble_channel();
        if let (
            true,
            Op::Post {
                message,
                keep_as: keep_as @ None,
                ..
            },
        ) = (in_channel, &mut op)
        {
            *keep_as = crate::trouble::redact::carried_by(&self.d.entries, message).map(|seq| Slot::Entry { seq });
        }
        if self.t.channel_waits() && op.in_trouble_channel() {
            return hold(self, Delivery { lane, op }, false);
        }
        self.d.deliveries.push(Delivery { lane, op });
    }

    pub(in crate::trouble) fn post(&mut self, lane: Lane, to: Dest, message: Message) {
        self.send(
            lane,
            Op::Post {
                to,
                message,
                keep_as: None,
            },
        );
    }

    /// Posts `message` (a nudge, a question that needs an answer) in the trouble's channel. While
    /// the bot cannot post there (the channel archived, the bot removed, Slack refused to create
    /// it; a closed trouble's channel deleted) the owner gets it by DM instead, and so does
    /// `also` (and the manager named beside them, [`Message::named_beside`]): nobody silences the
    /// bot by taking the channel away, nor Slack by refusing it.
    pub(in crate::trouble) fn post_in_channel_or_dm(&mut self, message: Message, also: Option<UserId>) {
        self.post_kept_in_channel_or_dm(message, also, None);
    }

    /// Whether what must be read goes to the trouble's channel: not while the bot cannot post
    /// there (archived, the bot removed, Slack refused to create it), nor once a closed
    /// trouble's channel is deleted (a closed one gets no new channel until reopened).
    pub(in crate::trouble) fn posts_in_channel(&self) -> bool {
        let gone = self.t.channel.is_none() && !self.t.is_open();
        !self.t.channel_waits() && !gone
    }

    /// As [`Self::post_in_channel_or_dm`], each message posted kept as `keep_as`.
    pub(in crate::trouble) fn post_kept_in_channel_or_dm(
        &mut self,
        message: Message,
        also: Option<UserId>,
        keep_as: Option<Slot>,
    ) {
        let post = |to: Dest, message: Message| Op::Post { to, message, keep_as };
        if self.posts_in_channel() {
            return self.send(Lane::Channel, post(Dest::TroubleChannel, message));
        }
        for who in self.owner_and(also, &message) {
            self.send(Lane::Dm, post(Dest::Dm(who), message.clone()));
        }
    }

    /// Who made the change this decision logged that `what` picks out (None: not logged here).
    pub(in crate::trouble) fn actor_here(&self, what: impl Fn(&Event) -> bool) -> Option<UserId> {
        self.d
            .entries
            .iter()
            .rev()
            .find(|e| what(&e.event))
            .and_then(|e| e.actor.clone())
    }

    /// DMs `message` to the owner, and to `also` (and the manager named beside them,
    /// [`Message::named_beside`]).
    pub(in crate::trouble) fn dm_owner_and(&mut self, message: Message, also: Option<UserId>) {
        for who in self.owner_and(also, &message) {
            self.post(Lane::Dm, Dest::Dm(who), message.clone());
        }
    }

    /// The owner, `also`, and whoever `message` mentions beside them, each once. An owner Slack
    /// refused a DM for good is still among them: [`Self::send`] tries them only what asks them
    /// to act.
    fn owner_and(&self, also: Option<UserId>, message: &Message) -> Vec<UserId> {
        let mut who = vec![self.t.owner.clone()];
        for a in also.into_iter().chain(message.named_beside()) {
            if !who.contains(&a) {
                who.push(a);
            }
        }
        who
    }

    /// Tells the trouble's channel what changed, through the same ordered lane as everything else.
    pub(super) fn record(&mut self, by: &UserId, what: Record) {
        self.post(
            Lane::Channel,
            Dest::TroubleChannel,
            Message::Recorded { by: by.clone(), what },
        );
    }

    /// Nothing is posted outside business hours: then the timer of `kind` is set again for the
    /// next opening, where what fell due is posted once, and this says so (true).
    pub(in crate::trouble) fn held_till_opening(&mut self, kind: TimerKind) -> bool {
        let (hours, tz, now) = (
            self.ctx.policy.business_hours.as_ref(),
            self.ctx.policy.timezone,
            self.ctx.now,
        );
        if is_open(hours, tz, now) {
            return false;
        }
        self.timer(next_open(hours, tz, now), kind);
        true
    }

    pub(in crate::trouble) fn timer(&mut self, due: DateTime<Utc>, kind: TimerKind) {
        self.d.timers.push(Timer {
            due,
            trouble: self.t.id.clone(),
            kind,
        });
    }

    /// The status message is edited after every change; a refresh already queued renders the
    /// latest state when it runs, so one is enough.
    pub(in crate::trouble) fn refresh_status(&mut self) {
        // What is overdue in it is judged as of this decision (see `Trouble::status_as_of`).
        if self.t.status_as_of != Some(self.ctx.now) {
            self.t.status_as_of = Some(self.ctx.now);
            self.changed = true;
        }
        if !self.t.status_refresh_queued {
            self.t.status_refresh_queued = true;
            self.changed = true;
            self.send(Lane::Channel, Op::Refresh { slot: Slot::Status });
        }
    }

    /// Something the status shows fell due at `due` (an action, the update owed the customer):
    /// it is redrawn to show it overdue, unless it was drawn since (once, however often asked).
    /// An edit, not a post: it comes at the due time even when the reminder waits for the opening.
    /// A closed trouble's too: an action the close left open is still someone's work, overdue
    /// in their App Home, and only its reminder comes once the trouble is closed.
    pub(in crate::trouble) fn redraw_status_past(&mut self, due: DateTime<Utc>) {
        let drawn_since = self.t.status_as_of.is_some_and(|at| at >= due);
        if due <= self.ctx.now && !drawn_since {
            self.refresh_status();
        }
    }

    /// A change to the new stages: a timeline entry and the same told as one line in the channel.
    pub(in crate::trouble) fn step(&mut self, by: &UserId, event: crate::trouble::facts::StepEvent) {
        let corrections = crate::trouble::facts::corrections_in(&event, by, self.ctx.now);
        self.t.substance.corrections.extend(corrections);
        self.log(Some(by), Event::Stage(event.clone()));
        let line = crate::trouble::facts::StepLine::Logged {
            event,
            by: Some(by.clone()),
        };
        self.post(Lane::Channel, Dest::TroubleChannel, Message::Step(line));
    }

    /// Recording a stage's substance starts the stage (no message: the line says it).
    pub(in crate::trouble) fn start_stage_quietly(&mut self, stage: StageId) {
        let s = self.t.stage_mut(stage);
        if s.state == StageState::NotStarted {
            s.state = StageState::InProgress;
            s.started_at = Some(self.ctx.now);
            self.changed = true;
        }
    }

    pub(super) fn finish(mut self, reply: Option<Reply>) -> Decision {
        // A DM asks only while the trouble waits for an acknowledgement, however it stopped
        // waiting (a reply, the button, `ack`, a close, a DM posted after either): checked
        // here once rather than on every path that acknowledges or closes.
        let answered_before = self.t.escalation.settled.clone();
        settle_escalation_dms(&mut self);
        // So does a proposal's message, however it stopped waiting.
        crate::trouble::approval::settle_asking(&mut self);
        // So does an effectiveness check, once answered, cancelled or superseded.
        crate::trouble::actions::settle_effect_checks(&mut self);
        // Acknowledging refreshes the managers' DMs itself; a close before it must too. Once
        // acknowledged before, those DMs and the escalation's answered ones say it was closed,
        // and no longer once it is reopened.
        let closed_or_reopened = self.open_before != self.t.is_open();
        let waiting_before = self.open_before && !self.acked_before;
        if (waiting_before && self.t.ack.is_none() && !self.t.is_open()) || (closed_or_reopened && self.acked_before) {
            self.refresh_manager_dms();
        }
        // The escalation's DMs answered before say it was closed, or no longer; and when an
        // acknowledgement was withdrawn (its acknowledger took the trouble over, or left the
        // chain) or given again since, who is asked now, or who acknowledged since. Left as
        // they were, the director asked before read "acknowledged by" an acknowledgement that
        // no longer stood, while they were the one asked, or "waiting" on a closed trouble.
        if closed_or_reopened || self.acked_before != self.t.ack.is_some() {
            self.refresh_settled_escalation_dms(Some(&answered_before));
        }
        // Closed, nobody is left to chase the customer's update: the DMs saying they wait say
        // so and are forgotten, however it closed (one landing after the close too).
        if !self.t.is_open() {
            if !std::mem::take(&mut self.t.waiting_settled).is_empty() {
                self.changed = true;
            }
            for dm in std::mem::take(&mut self.t.waiting_dms) {
                self.edit_waiting_dm(dm.posted, Message::CustomerWaitOver { newer: false });
            }
        }
        // The notices of its opening say it is closed, and no longer once it is reopened.
        if closed_or_reopened {
            self.refresh_origin_notice();
        }
        // The kickoff's first-call field reads overdue as the status does (by `status_as_of`):
        // redrawn as the call falls overdue there, unless this decision redraws it anyway.
        let owed = self.ctx.policy.customer_owed_by(&self.t);
        let falls_overdue = self.t.is_open()
            && !self.t.contacted()
            && self.status_as_of_before.is_none_or(|at| at < owed)
            && self.t.status_as_of.is_some_and(|at| at >= owed);
        let kickoff_redrawn = self
            .d
            .deliveries
            .iter()
            .any(|d| matches!(d.op, Op::Refresh { slot: Slot::Kickoff }));
        if falls_overdue && !kickoff_redrawn {
            self.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
        }
        self.d.reply = reply;
        self.d.subject = Some(self.t.id.clone());
        if self.changed {
            let home_after = crate::trouble::home::people(&self.t);
            self.d.home_left = self
                .home_before
                .into_iter()
                .filter(|u| !home_after.contains(u))
                .collect();
            self.d.trouble = Some(self.t);
        }
        self.d
    }

    /// Whether this decision withdrew the acknowledgement the trouble came in with.
    pub(super) fn ack_withdrawn_here(&self) -> bool {
        self.acked_before && self.t.ack.is_none()
    }

    pub(in crate::trouble) fn severity_policy(&self) -> &crate::trouble::policy::SeverityPolicy {
        self.ctx.policy.severity(self.t.severity)
    }

    /// When an acknowledgement asked now is due: the severity's `ack_timeout` on, counted in
    /// working time for a severity set to escalate in business hours only (a sev3 reported in
    /// the evening does not page the director at night), else on the clock.
    pub(super) fn ack_due(&self) -> DateTime<Utc> {
        let s = self.severity_policy();
        let wait = to_chrono(s.ack_timeout);
        match self.ctx.policy.business_hours.as_ref() {
            Some(hours) if s.escalate_in_business_hours => {
                crate::trouble::hours::add_working_time(Some(hours), self.ctx.policy.timezone, self.ctx.now, wait)
            }
            _ => self.ctx.now + wait,
        }
    }

    pub(in crate::trouble) fn cadence(&self) -> Duration {
        self.ctx.policy.working(self.severity_policy().customer_update_every)
    }

    pub(super) fn start_ack_timer(&mut self) {
        self.start_ack_timer_at(self.ack_due());
    }

    pub(super) fn start_ack_timer_at(&mut self, due: DateTime<Utc>) {
        // The round is the record's: a timer stored without it would fire as a stale round.
        self.changed = true;
        self.t.escalation.round += 1;
        self.t.escalation.due = Some(due);
        let round = self.t.escalation.round;
        self.timer(due, TimerKind::AckTimeout { round });
    }

    pub(in crate::trouble) fn start_followup_timer(&mut self, due: DateTime<Utc>) {
        self.t.followup_epoch += 1;
        let epoch = self.t.followup_epoch;
        self.changed = true;
        self.timer(due, TimerKind::FollowUp { epoch });
    }

    pub(in crate::trouble) fn working_after(&self, start: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        add_working_time(
            self.ctx.policy.business_hours.as_ref(),
            self.ctx.policy.timezone,
            start,
            amount,
        )
    }

    /// Edits the managers' DMs (the manager's, the configured one's when another was named at
    /// open, and each telling someone named manager later that it is theirs) from the trouble
    /// as it now is: its channel's link, who acknowledged.
    pub(in crate::trouble) fn refresh_manager_dms(&mut self) {
        if self.t.manager_dm.is_some() {
            self.send(Lane::Dm, Op::Refresh { slot: Slot::ManagerDm });
        }
        if self.t.configured_manager_dm.is_some() {
            self.send(
                Lane::Dm,
                Op::Refresh {
                    slot: Slot::ConfiguredManagerDm,
                },
            );
        }
        let named: Vec<Op> = self
            .t
            .escalation
            .named
            .iter()
            .filter_map(|dm| {
                dm.shown.clone().map(|message| Op::Edit {
                    channel: dm.posted.channel.clone(),
                    ts: dm.posted.ts.clone(),
                    message,
                })
            })
            .collect();
        for op in named {
            self.send(Lane::Dm, op);
        }
    }

    /// Once the customer is updated (by `by`, at `at`), every DM that said they wait says it is
    /// settled, by whom and when, and is forgotten.
    pub(in crate::trouble) fn settle_waiting_dms(&mut self, by: &UserId, at: DateTime<Utc>) {
        for dm in std::mem::take(&mut self.t.waiting_dms) {
            self.settle_waiting_dm(dm, by, at);
        }
    }

    /// Edits one DM that said the customer waits to say who updated them and when.
    pub(in crate::trouble) fn settle_waiting_dm(&mut self, dm: KeptDm, by: &UserId, at: DateTime<Utc>) {
        let promise = match &dm.shown {
            Some(Message::Nudge(nudge)) if nudge.promise_missed => nudge.promise,
            _ => None,
        };
        let message = Message::CustomerWaitSettled {
            by: by.clone(),
            at,
            promise,
        };
        self.edit_waiting_dm(dm.posted, message);
    }

    /// Edits a DM that said the customer waits to `message` (settled, superseded, closed).
    pub(in crate::trouble) fn edit_waiting_dm(&mut self, dm: PostedMessage, message: Message) {
        let (channel, ts) = (dm.channel, dm.ts);
        self.send(Lane::Dm, Op::Edit { channel, ts, message });
        self.changed = true;
    }

    /// Edits the escalation's DMs already answered from the trouble as it now is; with
    /// `answered_before`, only those answered before this decision (the others were just
    /// edited as they were settled).
    pub(super) fn refresh_settled_escalation_dms(&mut self, answered_before: Option<&[KeptDm]>) {
        for dm in self.t.escalation.settled.clone() {
            if answered_before.is_none_or(|before| before.contains(&dm)) {
                super::acknowledgement::edit_escalation_dm(self, &dm, false);
            }
        }
    }

    /// Edits the DMs that still ask someone to acknowledge (an escalation's) or to decide a
    /// proposal, as they were posted, with the trouble's current customer, summary, severity
    /// and channel: whoever is asked acts on what the trouble is now. A DM kept before what it
    /// said was is left as it is. The escalation's DMs already answered are edited too: who was
    /// asked once reads the trouble as it is now, not as it was reported.
    pub(in crate::trouble) fn refresh_asking_dms(&mut self) {
        self.refresh_settled_escalation_dms(None);
        let escalation = self.t.escalation.dms.iter().map(|dm| (&dm.posted, &dm.shown));
        let proposals = self
            .t
            .agreement
            .asking
            .iter()
            .filter(|a| a.dm)
            .map(|a| (&a.message, &a.shown));
        let shared: Vec<Op> = self
            .t
            .escalation
            .dms
            .iter()
            .filter(|dm| dm.posted.together.len() > 1)
            .map(|dm| Op::RedrawSharedDm {
                message: dm.posted.clone(),
                escalation: true,
            })
            .collect();
        let edits: Vec<Op> = escalation
            .filter(|(posted, _)| posted.together.len() <= 1)
            .chain(proposals)
            .filter_map(|(posted, shown)| {
                shown.as_ref().map(|message| Op::Edit {
                    channel: posted.channel.clone(),
                    ts: posted.ts.clone(),
                    message: message.clone(),
                })
            })
            .chain(shared)
            .collect();
        for op in edits {
            self.send(Lane::Dm, op);
        }
    }

    /// Edits the notice where the trouble was opened and the announcements of its opening,
    /// once posted.
    pub(in crate::trouble) fn refresh_origin_notice(&mut self) {
        let announced: Vec<usize> = (0..self.t.announcements.len())
            .filter(|n| self.t.announcements[*n].is_some())
            .collect();
        for n in announced {
            self.send(
                Lane::Announce,
                Op::Refresh {
                    slot: Slot::Announcement { n },
                },
            );
        }
        if self.t.origin_notice.is_some() {
            self.send(
                Lane::Origin,
                Op::Refresh {
                    slot: Slot::OriginNotice,
                },
            );
        }
    }

    /// Tells the one above `by` in the chain that may overrule (the owner's chain from `[org]`,
    /// else the trouble's) that `by` overruled the trouble's rules, unless `by` is at its top or
    /// they are among `told` already (the owner and the manager hear of a close anyway).
    pub(in crate::trouble) fn tell_the_one_above(&mut self, by: &UserId, overruled: Overruled, told: &[UserId]) {
        let configured = super::roles::chain_for(self.ctx.policy, &self.t.owner, None);
        let chain = if configured.contains(by) {
            configured
        } else {
            self.t.manager_chain().to_vec()
        };
        let Some(at) = chain.iter().position(|u| u == by) else {
            return;
        };
        if let Some(above) = chain
            .get(at + 1)
            .filter(|u| !told.contains(u) && **u != self.t.owner)
            .cloned()
        {
            let message = Message::OverruledNotice {
                by: by.clone(),
                overruled,
            };
            self.post(Lane::Dm, Dest::Dm(above), message);
        }
    }

    /// DMs the owner and the manager, but not `by`, what `message` says: someone else closed or
    /// reopened their trouble, and a manager on a phone would not see it in the channel.
    pub(in crate::trouble) fn tell_owner_and_manager(&mut self, by: &UserId, message: Message) {
        let told = [Some(self.t.owner.clone()), self.t.manager.clone()];
        for who in told.into_iter().flatten().filter(|u| u != by) {
            self.post(Lane::Dm, Dest::Dm(who), message.clone());
        }
    }

    /// Tells each of `channels` (where the trouble was announced) that the announcement no
    /// longer holds.
    pub(in crate::trouble) fn tell_announced(&mut self, channels: Vec<String>, by: &UserId, why: NoLonger) {
        for c in channels {
            let message = Message::AnnouncedNoLonger {
                by: by.clone(),
                why: why.clone(),
            };
            self.post(Lane::Announce, Dest::Channel(ChannelId::new(c)), message);
        }
    }

    /// Invites in Slack-sized batches (at most 100 users a call).
    pub(in crate::trouble) fn invite(&mut self, users: Vec<UserId>) {
        for batch in users.chunks(100) {
            self.send(Lane::Channel, Op::Invite { users: batch.to_vec() });
        }
    }

    pub(super) fn departments_to_ping(&self) -> Vec<String> {
        departments_of(self.ctx.policy, &self.t)
    }
}

pub(super) fn to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}
