//! The shell's one door for changes: read the clock once, let the core decide inside the store's
//! atomic write, commit, wake the workers, hand back the decision.
//!
//! HTTP handlers (commands, clicks, modals, events), the deliverer (a call's outcome, and what a
//! call about to go still carries) and the timer loop all change a trouble through [`Engine`]; none of them writes a trouble, a
//! timeline entry, an outbox item or a timer itself. What stays outside are explicit,
//! non-trouble writes named on the store (an App Home viewer, a loose App Home publish or click
//! answer, an attempt record, a replay key with nothing else to write, whom Slack refuses DMs):
//! bookkeeping of the delivery machinery, not decisions.

use crate::app::App;
use crate::store::{OutboxItem, StoreError};
use crate::trouble::command::{Command, OpenRequest};
use crate::trouble::decide::{
    self, Ctx, Decision, Delivery, Dest, DmRefusal, Input, Lane, Message, Op, Outcome, Timer, TimerKind,
};
use crate::trouble::digest::{self, DmRefused};
use crate::trouble::model::{Origin, Trouble, TroubleId, UserId};
use crate::trouble::people::{people_named, shown_name};
use crate::trouble::replay::verify_trouble;
use crate::trouble::timeline::Entry;

/// How long a report waits for Slack to name its people (`users.info`, one person after the
/// other): it is posted within a slash command's answer, which Slack waits 3 s for.
const NAMES_WAIT: std::time::Duration = std::time::Duration::from_millis(800);

/// The most people one report asks Slack the names of.
const NAMES_ASKED: usize = 20;

/// How many times a refusal an earlier release kept no flag of is read before the bot gives up
/// until the next start (see [`Engine::flag_refusal_unflagged`]).
const FLAG_TRIES: usize = 3;

/// Whether Slack refused to tell names once already (said once in the log, not per report).
static NAMES_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What came of a change the engine was asked to apply.
#[derive(Debug)]
pub enum Applied {
    /// The core decided; what it decided is stored (and, where it mattered, flushed) and the
    /// workers are woken.
    Decided(Box<Decision>),
    /// A request the bot had handled before (Slack's retry, a double submit): nothing changed.
    AlreadyHandled,
}

/// The store could not carry out a change: nothing of it was written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EngineError(#[from] StoreError);

impl EngineError {
    /// Whether trying the same again cannot succeed (see [`StoreError::is_permanent`]).
    pub fn is_permanent(&self) -> bool {
        self.0.is_permanent()
    }
}

/// The front door, borrowed from the running [`App`] (see [`App::engine`]).
pub struct Engine<'a> {
    app: &'a App,
}

impl App {
    /// The one way to change a trouble.
    pub fn engine(&self) -> Engine<'_> {
        Engine { app: self }
    }
}

impl Engine<'_> {
    /// Feeds `input` to trouble `id`. `seen` are the request's keys (signature, event id, view
    /// id): a request seen before is skipped, and the keys are stored with what it changed.
    pub async fn apply(&self, id: &TroubleId, seen: &[&str], input: Input) -> Result<Applied, EngineError> {
        if matches!(
            &input,
            Input::Command {
                command: Command::Report8d { .. },
                ..
            }
        ) {
            // The 8D goes to the customer: its people by name, asked of Slack first.
            if let Err(e) = Box::pin(self.learn_names(id)).await {
                tracing::warn!(error = %e, trouble = %id, "the 8D names people by id");
            }
        }
        if decide::may_reopen(&input) {
            // Refused under a release that kept no flag of it, its channel is made late at the
            // reopening, not "deleted" and replaced.
            if let Err(e) = Box::pin(self.flag_refusal_unflagged(id)).await {
                tracing::warn!(error = %e, trouble = %id, "cannot read whether Slack refused the trouble's channel before the reopening");
            }
        }
        let applied = self
            .decide_on(id, seen, None, true, move |ctx, t| {
                decide::decide(ctx, t, input.clone())
            })
            .await?;
        if matches!(&applied, Applied::Decided(d) if d.report_due) {
            // The decision stands whatever becomes of the report; `/trouble report` can post it again.
            if let Err(e) = self.report(id, &[]).await {
                tracing::error!(error = %e, trouble = %id, "cannot queue the report of a closed trouble");
            }
        }
        Ok(applied)
    }

    /// Flags Slack's refusal to create trouble `id`'s channel when a release that kept no flag
    /// of it stored the trouble (see `decide::refusal_unflagged`): its timeline read, the core
    /// decides, checking again under the trouble's turn. At start for the open troubles, and
    /// before a reopening. A decision landing between the read and the flag (a timer due at
    /// start, a note) moves the timeline on and the core flags nothing: read again, up to
    /// [`FLAG_TRIES`] times, then said in the log (the next start reads it again).
    pub async fn flag_refusal_unflagged(&self, id: &TroubleId) -> Result<(), EngineError> {
        for _ in 0..FLAG_TRIES {
            let Some(t) = self.app.store.get(id).await? else {
                return Ok(());
            };
            if !decide::may_be_refused_unflagged(&t) {
                return Ok(());
            }
            let entries = self.app.store.timeline(id).await?;
            let Some(input) = decide::refusal_unflagged(&t, &entries) else {
                return Ok(());
            };
            let applied = self
                .decide_on(id, &[], None, true, move |ctx, t| decide::decide(ctx, t, input.clone()))
                .await?;
            if matches!(&applied, Applied::Decided(d) if d.trouble.as_ref().is_some_and(|t| t.channel_refused)) {
                return Ok(());
            }
        }
        tracing::warn!(trouble = %id, tries = FLAG_TRIES, "the timeline moved on each time it was read: the channel Slack refused to create under an earlier release is not flagged; read again at the next start");
        Ok(())
    }

    /// Opens a trouble: its id (the day's next number, in the configured timezone) is allocated
    /// in the same atomic write that stores it.
    pub async fn open(
        &self,
        seen: &[&str],
        owner: UserId,
        origin: Origin,
        request: OpenRequest,
    ) -> Result<Applied, EngineError> {
        let ctx = self.context();
        let now = ctx.now;
        let day = now
            .with_timezone(&self.app.config.policy.timezone)
            .format("%Y%m%d")
            .to_string();
        // Before the history is read: a severity's name typed first is no part of the customer.
        let request = decide::severity_by_name(&self.app.config.policy, request);
        let request = OpenRequest {
            customer: crate::trouble::customer::as_kept(&request.customer),
            ..request
        };
        // The customer's history goes to the core with the request (principle 3: the balance),
        // read and written in the customer's turn: it must hold an open of theirs sent a moment
        // before (the same open sent twice opens once).
        let key = crate::trouble::customer::normalize(&request.customer);
        let turn = self.app.opening.take(&key).await;
        // Across instances too, on a shared database: a double submit behind a balancer lands
        // on two of them.
        let shared_turn = match Box::pin(self.app.store.customer_turn(&key)).await {
            Ok(turn) => turn,
            Err(e) => {
                tracing::warn!(error = %e, "cannot take the customer's turn to open in the database");
                None
            }
        };
        let aliases = &self.app.config.policy.customers;
        let past = self
            .app
            .store
            .customer_troubles(aliases, &request.customer)
            .await
            .map(|theirs| {
                crate::trouble::customer::past_troubles(&self.app.config.policy, &request.customer, &theirs)
            })?;
        let request = OpenRequest { past, ..request };
        let result = self
            .app
            .store
            .open_trouble(&day, seen, now, |id, seq| {
                decide::open(&ctx, id, seq, owner.clone(), origin.clone(), request.clone())
            })
            .await?;
        // Written (readable by the next open), if not yet flushed: the next may read it now.
        drop(shared_turn);
        drop(turn);
        self.committed(result.ok(), true).await
    }

    /// Asks Slack the names of the people trouble `id`'s report and 8D name (those it holds no
    /// name for, or one from over a week ago) and keeps them on the trouble. The asking stops
    /// after [`NAMES_WAIT`]: whoever is not named by then stays an id in this report.
    pub async fn learn_names(&self, id: &TroubleId) -> Result<(), EngineError> {
        let config = &self.app.config;
        let Some((trouble, timeline)) = self.trouble_with_timeline(id).await? else {
            return Ok(());
        };
        // The texts as they would read with no name known: every person in them, as an id.
        let mut bare = Trouble::clone(&trouble);
        bare.names.clear();
        let texts = crate::i18n::report_markdown(config.locale, config, &bare, &timeline)
            + &crate::i18n::eightd_markdown(config.locale, config, &bare);
        let people = people_named(&texts).into_iter().map(UserId::new).collect();
        let mut wanted = trouble.names_to_learn(people, self.app.clock.now());
        // Typed text may name many (a note full of `@U…`): the first few are asked each time.
        wanted.truncate(NAMES_ASKED);
        let mut learnt = Vec::new();
        let asking = async {
            for who in wanted {
                match self.app.slack.user_name(who.as_str()).await {
                    // Someone with no name to show (or nobody Slack knows) stays an id, and is
                    // asked again next time: rare, and never more than NAMES_ASKED at once.
                    Ok(name) => learnt.extend(name.as_deref().and_then(shown_name).map(|n| (who, n))),
                    Err(e) if ["user_not_found", "user_not_visible"].contains(&e.code().as_str()) => {}
                    Err(e) => {
                        // The users:read scope missing, say: the rest would fail the same way.
                        if e.is_permanent() && !NAMES_REFUSED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                            tracing::warn!(error = %e, "Slack does not tell people's names (the users:read scope?): reports show user ids");
                        }
                        break;
                    }
                }
            }
        };
        let _ = tokio::time::timeout(NAMES_WAIT, asking).await;
        if learnt.is_empty() {
            return Ok(());
        }
        self.decide_on(id, &[], None, false, move |ctx, t| {
            decide::names_learned(ctx, t, learnt.clone())
        })
        .await?;
        Ok(())
    }

    /// Renders trouble `id`'s report from its timeline and lets the core post it
    /// (`/trouble report`, and every close).
    pub async fn report(&self, id: &TroubleId, seen: &[&str]) -> Result<Applied, EngineError> {
        if let Err(e) = self.learn_names(id).await {
            tracing::warn!(error = %e, trouble = %id, "the report names people by id");
        }
        let config = &self.app.config;
        // Rendered outside the trouble's turn: should its timeline move before the parts are
        // queued, the core posts nothing and it is rendered again; the third time it is posted
        // as it reads.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some((trouble, timeline)) = self.trouble_with_timeline(id).await? else {
                return Ok(Applied::Decided(Box::default()));
            };
            let markdown = crate::i18n::report_markdown(config.locale, config, &trouble, &timeline);
            let parts = crate::i18n::slack_parts(
                &crate::i18n::report_mrkdwn(&markdown),
                crate::slack::blocks::SECTION_TEXT_LIMIT - 20,
            );
            let (rendered, moved) = (&trouble.timeline_head, std::sync::atomic::AtomicBool::new(false));
            let applied = self
                .decide_on(id, seen, None, true, |ctx, t| {
                    let rendered_from = (attempt < 3).then_some(rendered.as_str());
                    decide::report_posts(ctx, t, parts.clone(), rendered_from).unwrap_or_else(|| {
                        moved.store(true, std::sync::atomic::Ordering::Relaxed);
                        // Nothing decided: the request's key is not remembered either.
                        Decision::default()
                    })
                })
                .await?;
            if !moved.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(applied);
            }
        }
    }

    /// Trouble `id` and its timeline for a report, which says so when the chain does not check.
    /// They are two reads, and a decision may land between them: entries appended after the
    /// trouble was read are left out (the report is of that trouble), and a chain that does not
    /// check is read once more, so only a store whose chain is broken gets a report that says so.
    async fn trouble_with_timeline(
        &self,
        id: &TroubleId,
    ) -> Result<Option<(std::sync::Arc<Trouble>, Vec<Entry>)>, EngineError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let Some(trouble) = self.app.store.get(id).await? else {
                return Ok(None);
            };
            let mut timeline = self.app.store.timeline(id).await?;
            timeline.truncate(trouble.timeline_len as usize);
            if tries == 2 || verify_trouble(&trouble, &timeline).is_ok() {
                return Ok(Some((trouble, timeline)));
            }
        }
    }

    /// Records a Slack call's outcome: the outbox `item` leaves the outbox in the same write as
    /// what the core makes of the outcome (or alone, when there is nothing to decide).
    pub async fn delivered(&self, item: &OutboxItem, outcome: Option<Outcome>) -> Result<Applied, EngineError> {
        self.dm_taught(item, outcome.as_ref()).await;
        match (&item.trouble, outcome) {
            (Some(id), Some(outcome)) => {
                // Nobody waits for an answer: the outcome needs no flush of its own.
                self.decide_on(id, &[], Some(item), false, move |ctx, t| {
                    decide::decide(ctx, t, Input::Delivered(outcome.clone()))
                })
                .await
            }
            _ => {
                self.app.store.finish(item).await?;
                Ok(Applied::Decided(Box::default()))
            }
        }
    }

    /// What a DM's `outcome` teaches of whom Slack refuses DMs: a DM about no trouble (a
    /// digest, an answer) refused for good for the person's own reason is remembered, so their
    /// digest goes to the one above them; a DM that reaches them (about no trouble, or posted
    /// for one) forgets it. The app lacking a permission refuses everyone alike: no one's to
    /// route around. Bookkeeping beside the call's outcome: a failed write is logged, and the
    /// next refused digest records it again.
    async fn dm_taught(&self, item: &OutboxItem, outcome: Option<&Outcome>) {
        let Op::Post { to: Dest::Dm(who), .. } = &item.op else {
            return;
        };
        let written = match (outcome, &item.trouble) {
            (Some(Outcome::PersonUnreachable { error, why, .. }), None) if *why != DmRefusal::AppLacksPermission => {
                tracing::warn!(user = %who, %error, "Slack refuses DMs to this person for good: their weekly digest goes to the one above them in [org] until a DM reaches them");
                let refusal = DmRefused {
                    error: error.clone(),
                    at: self.app.clock.now(),
                };
                self.app.store.refuse_dms(who, &refusal).await
            }
            (None, None) | (Some(Outcome::Posted { .. } | Outcome::DmReached { .. }), _) => {
                match self.app.store.dm_reached(who).await {
                    Ok(true) => {
                        tracing::info!(user = %who, "a DM reached them again: their weekly digest goes to them again");
                        Ok(())
                    }
                    other => other.map(|_| ()),
                }
            }
            _ => Ok(()),
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, user = %who, "cannot record whether Slack refuses this person DMs");
        }
    }

    /// Lets the core look at a call the deliverer is about to make, as it is about to go: the
    /// core may withdraw it (a nudge no longer true) or note that it goes (a status refresh
    /// lets the next change queue another). Nobody waits for an answer: no flush of its own.
    pub async fn sending(&self, id: &TroubleId, op: &Op) -> Result<Decision, EngineError> {
        let op = op.clone();
        let applied = self
            .decide_on(id, &[], None, false, move |ctx, t| {
                decide::decide(ctx, t, Input::Sending(op.clone()))
            })
            .await?;
        Ok(match applied {
            Applied::Decided(d) => *d,
            Applied::AlreadyHandled => Decision::default(),
        })
    }

    /// Fires a due timer: it leaves the store in the same write as what the core makes of it,
    /// so it acts exactly once, across crashes too.
    pub async fn fire(&self, timer: &Timer) -> Result<Decision, EngineError> {
        if timer.kind == TimerKind::WeeklyDigest {
            return self.weekly_digest(timer).await;
        }
        let ctx = self.context();
        let now = ctx.now;
        let kind = timer.kind.clone();
        let decision = self
            .app
            .store
            .fire_timer(timer, now, |t| decide::decide(&ctx, t, Input::Timer(kind.clone())))
            .await?;
        // Timers are not answered to anyone: no flush to wait for, only workers to wake.
        self.app.after_write(&decision).await;
        Ok(decision)
    }

    /// Answers `user` in their DM with the bot with `text` (rendered by the shell), about no
    /// trouble, with an Acknowledge button for each of `acknowledge`: queued with `event_id`
    /// remembered, so a retried event is answered once.
    pub async fn answer_in_dm(
        &self,
        event_id: &str,
        user: &UserId,
        text: String,
        acknowledge: Vec<TroubleId>,
    ) -> Result<(), EngineError> {
        let message = match acknowledge.is_empty() {
            true => Message::Text { text },
            false => Message::TextWithAcks { text, acknowledge },
        };
        let decision = Decision {
            deliveries: vec![Delivery {
                lane: Lane::Dm,
                op: Op::Post {
                    to: Dest::Dm(user.clone()),
                    message,
                    keep_as: None,
                },
            }],
            ..Decision::default()
        };
        if self
            .app
            .store
            .answer_once(event_id, self.app.clock.now(), &decision)
            .await?
        {
            self.app.after_write(&decision).await;
        }
        Ok(())
    }

    /// Sets the weekly digest's timer unless one is waiting (at start: the first instance sets
    /// it, a restart finds it).
    pub async fn schedule_digest(&self) -> Result<(), EngineError> {
        let next = digest::next_digest(&self.app.config.policy, self.app.clock.now());
        if self.app.store.schedule_global(&digest::digest_timer(next)).await? {
            tracing::info!(due = %next, "weekly digest scheduled");
        }
        Ok(())
    }

    /// The weekly digest: the troubles it speaks of read, the core's DMs (rendered here) and the next
    /// digest's timer written in the atomic write that removes this one, so it goes out once
    /// whichever instance fires it.
    async fn weekly_digest(&self, timer: &Timer) -> Result<Decision, EngineError> {
        let ctx = self.context();
        let config = &self.app.config;
        let now = ctx.now;
        // Fired at night or at a weekend (the bot was down at its time): at the next opening.
        if let Some(held) = digest::held_till_opening(ctx.policy, now) {
            if self.app.store.fire_global(timer, now, &held).await? {
                self.app.after_write(&held).await;
            }
            return Ok(held);
        }
        let walked = self
            .app
            .store
            .troubles_where(move |t| digest::speaks_of(t, now))
            .await?;
        // One record that does not read must not cost every other chain its digest, week after
        // week: it is left out, named in the log and counted for the admin's alerts.
        for u in &walked.unreadable {
            u.left_out_of("the weekly digest");
        }
        self.app.metrics.unreadable("weekly_digest", walked.unreadable.len());
        let troubles = walked.troubles;
        let refused = self.refused_in_org().await;
        let digest::Fired { decision, unread } = digest::fire(
            ctx.policy,
            ctx.now,
            &troubles,
            &refused,
            |t| ctx.policy.customer_owed_by(t),
            |d| crate::i18n::digest::digest_text(config.locale, ctx.policy.timezone, d, ctx.now),
        );
        if !self.app.store.fire_global(timer, ctx.now, &decision).await? {
            return Ok(Decision::default());
        }
        // Said and counted once, by the instance that fired it: an admin is to mend `[org]`
        // (or the account) so someone reads these troubles' week.
        for manager in &unread {
            tracing::warn!(%manager, "Slack refuses DMs to this manager and nobody above them in [org] can be DMed: their weekly digest went to nobody");
        }
        self.app.metrics.digests_unread(unread.len());
        self.app.after_write(&decision).await;
        Ok(decision)
    }

    /// The people Slack refuses DMs whom `[org]` still lists; a refusal of anyone it no longer
    /// lists is forgotten (should they come back, their digest goes to them to be tried anew).
    /// Unreadable: nobody is routed around this week, as before any refusal was kept.
    async fn refused_in_org(&self) -> std::collections::BTreeMap<UserId, DmRefused> {
        let policy = &self.app.config.policy;
        let mut refused = match self.app.store.refused_dms().await {
            Ok(refused) => refused,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read whom Slack refuses DMs: this digest goes to every manager");
                return Default::default();
            }
        };
        let gone: Vec<UserId> = refused.keys().filter(|u| !digest::in_org(policy, u)).cloned().collect();
        for who in gone {
            refused.remove(&who);
            if let Err(e) = self.app.store.dm_reached(&who).await {
                tracing::warn!(error = %e, user = %who, "cannot forget a refusal of DMs to someone [org] no longer lists");
            }
        }
        refused
    }

    /// What the core decides with: the clock, read once for the whole change.
    fn context(&self) -> Ctx<'_> {
        Ctx {
            policy: &self.app.config.policy,
            now: self.app.clock.now(),
        }
    }

    async fn decide_on(
        &self,
        id: &TroubleId,
        seen: &[&str],
        done_item: Option<&OutboxItem>,
        answered: bool,
        decide: impl Fn(&Ctx, &Trouble) -> Decision,
    ) -> Result<Applied, EngineError> {
        let ctx = self.context();
        let now = ctx.now;
        let result = self
            .app
            .store
            .transact(id, seen, done_item, now, |t| decide(&ctx, t))
            .await?;
        self.committed(result.ok(), answered).await
    }

    /// Wakes the workers for a stored decision, first making it durable when someone will be
    /// `answered` with it: what the bot answered, it has stored. A flush error is logged (see
    /// `App::commit`) and not returned: the decision stands, so its reply is still true, and a
    /// retry would be skipped by the key stored with it.
    async fn committed(&self, decision: Option<Decision>, answered: bool) -> Result<Applied, EngineError> {
        let Some(decision) = decision else {
            tracing::info!("a request already handled came again; answered without effect");
            return Ok(Applied::AlreadyHandled);
        };
        if answered {
            self.app.commit(&decision).await?;
        } else {
            self.app.after_write(&decision).await;
        }
        Ok(Applied::Decided(Box::new(decision)))
    }
}
