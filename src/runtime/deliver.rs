//! The outbox deliverer: one worker per busy lane, in order within the lane, retried with
//! backoff until Slack takes the call or refuses it for good.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{oneshot, watch};

use super::pacer::{backoff, span, PaceKey, Pass, Turn, Waiter};
use crate::app::{App, Wake};
use crate::i18n::combined::{combined, how_many, how_many_fit, Combined, Part, MAX_PER_MESSAGE};
use crate::i18n::render;
use crate::slack::blocks::Rendered;
use crate::slack::client::{Marked, Marker};
use crate::slack::SlackError;
use crate::store::{Claim, LaneKey, OutboxItem, StoreError};
use crate::trouble::decide::{
    channel_name, outside, AwayReading, Delivery, Dest, DmRefusal, Lane, Message, Op, Outcome, Slot,
    RESPONSE_URL_LIFETIME,
};
use crate::trouble::facts::StepLine;
use crate::trouble::model::{ChannelId, PostedMessage, Trouble, TroubleId, Ts, UserId};
use crate::trouble::record::Record;

/// How many suffixed names to try on `name_taken` before giving up.
const MAX_NAME_ATTEMPTS: u32 = 50;

pub async fn run_deliverer(app: Arc<App>, shutdown: watch::Receiver<bool>) {
    let Some(mut wakes) = app.take_wake_receiver() else {
        tracing::error!("the deliverer is already running");
        return;
    };
    let busy: Arc<Mutex<HashSet<LaneKey>>> = Arc::default();
    let mut workers = tokio::task::JoinSet::new();
    let mut shutdown_main = shutdown.clone();
    let start_lane = |lane: LaneKey, workers: &mut tokio::task::JoinSet<()>| {
        if !busy.lock().expect("busy lock").insert(lane.clone()) {
            return;
        }
        workers.spawn(lane_task(app.clone(), lane, busy.clone(), shutdown.clone()));
    };
    // What a previous run (or another instance) left undelivered; from then on, wakes name
    // their lane, and another instance's work is looked for when it says so (or a poll does).
    let all_lanes = || async {
        match app.store.lanes_with_work().await {
            Ok(lanes) => lanes,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                Vec::new()
            }
        }
    };
    all_lanes()
        .await
        .into_iter()
        .for_each(|lane| start_lane(lane, &mut workers));
    loop {
        tokio::select! {
            wake = wakes.recv() => match wake {
                Some(Wake::Lane(lane)) => start_lane(lane, &mut workers),
                None => break,
            },
            _ = app.shared_work.notified() => {
                all_lanes().await.into_iter().for_each(|lane| start_lane(lane, &mut workers));
            }
            _ = shutdown_main.changed() => break,
        }
        while workers.try_join_next().is_some() {}
    }
    // Let in-flight calls finish (their results are stored); queued ones wait for the next start.
    while workers.join_next().await.is_some() {}
}

/// Why one attempt at a call did not complete.
#[derive(Debug, thiserror::Error)]
enum AttemptError {
    /// Slack (or the way to it) answered with an error: its code belongs on the timeline.
    #[error("{0}")]
    Slack(SlackError),
    /// The deliverer's own finding: the call cannot run because what it needs does not exist
    /// (no channel yet, the trouble gone). A consequence of an earlier failure, not Slack's word.
    #[error("{method}: no {missing}")]
    Unrunnable {
        method: &'static str,
        missing: &'static str,
    },
    /// The store could not be read or written: try again.
    #[error("{0}")]
    Store(StoreError),
    /// The core could not be asked about the call (the store failed under it): try again.
    #[error("{0}")]
    Engine(#[from] crate::engine::EngineError),
    /// Another instance holds the call now (this one's lease ran out): it is theirs to finish.
    #[error("the call passed to another instance")]
    Lost,
    /// The bot is stopping while the call waits its turn: it never left, and waits for the
    /// next run.
    #[error("the bot is stopping")]
    Stopping,
    /// Whether an earlier attempt went through is told by what the bot itself posted or
    /// created, and Slack has not said yet who the bot is (`auth.test`): try again.
    #[error("the bot's own identity is not known yet")]
    IdentityUnknown,
}

impl From<SlackError> for AttemptError {
    fn from(e: SlackError) -> Self {
        AttemptError::Slack(e)
    }
}

impl From<StoreError> for AttemptError {
    fn from(e: StoreError) -> Self {
        AttemptError::Store(e)
    }
}

/// A delivery slot, held only while a call to Slack is under way: never while sleeping out
/// pacing or a 429 hold, so a waiting lane does not keep another lane from its turn.
struct CallSlot<'a> {
    app: &'a App,
    lane: Lane,
    permit: Option<tokio::sync::SemaphorePermit<'a>>,
}

impl<'a> CallSlot<'a> {
    fn new(app: &'a App, lane: Lane) -> CallSlot<'a> {
        CallSlot {
            app,
            lane,
            permit: None,
        }
    }

    async fn take(&mut self) {
        // The first ping must leave at once, whatever backlog of channel set-up there is:
        // DMs to the manager chain have slots of their own.
        let slots = match self.lane {
            Lane::Dm => &self.app.dm_slots,
            _ => &self.app.delivery_slots,
        };
        if self.permit.is_none() {
            self.permit = Some(slots.acquire().await.expect("the semaphore is never closed"));
        }
    }

    fn release(&mut self) {
        self.permit = None;
    }
}

/// A busy lane's task: delivers the lane until it has nothing left, then lets it go.
async fn lane_task(app: Arc<App>, lane: LaneKey, busy: Arc<Mutex<HashSet<LaneKey>>>, shutdown: watch::Receiver<bool>) {
    deliver_lane(&app, &lane, shutdown).await;
    busy.lock().expect("busy lock").remove(&lane);
    // Work may have arrived between our last look and leaving the lane (boxed, as the calls in
    // `deliver_lane` are: the task's size is the largest of its awaits').
    if matches!(Box::pin(app.store.claimable(&lane, app.clock.now())).await, Ok(true)) {
        app.wake(Wake::Lane(lane));
    }
}

async fn deliver_lane(app: &Arc<App>, lane: &LaneKey, shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        // The calls below are boxed: a lane's task lives as long as the lane has work, through
        // a whole Slack outage with its backoffs, and a future holds room for the largest state
        // of every call it makes. Boxed, that room is taken only while a call runs.
        let claim = match Box::pin(app.store.claim_lane_head(lane, app.clock.now())).await {
            Ok(Some(claim)) => claim,
            Ok(None) => return,
            // The store stopped writing (it said why, once): calls wait for a restart.
            Err(StoreError::Halted(_)) => return,
            Err(e) => {
                tracing::error!(error = %e, "cannot read an outbox lane");
                return;
            }
        };
        match deliver_claim(app, &claim, shutdown.clone()).await {
            Some(outcome) => Box::pin(finish_item(app, &claim.item, outcome)).await,
            None => {
                // Stopping, or the call is another instance's now: leave it to whoever comes next.
                if let Err(e) = Box::pin(app.store.release(&claim, app.clock.now())).await {
                    tracing::warn!(error = %e, "cannot release a call; it passes on when its lease runs out");
                }
                return;
            }
        }
    }
}

/// Delivers one claimed call, retrying; None when it was not finished (shutdown, or the claim
/// was lost), else what to tell the core.
async fn deliver_claim(app: &Arc<App>, claim: &Claim, shutdown: watch::Receiver<bool>) -> Option<Option<Outcome>> {
    let item = &claim.item;
    {
        let mut attempt: u32 = 0;
        // A call left over from a previous run (or an instance that died holding it) may have
        // reached Slack just before the crash: its attempt is on record, or read as begun when
        // the item alone stood for it (sled's `lane_head`). Unclaimed items on a shared store,
        // and those a clean stop left queued, were never tried.
        let mut maybe_sent = claim.reclaimed || item.attempt_started_at.is_some();
        // An attempt a previous run started may still be on its way to Slack: look for it only
        // once it can no longer arrive.
        if let Some(started) = item
            .attempt_started_at
            .filter(|at| *at < app.started_at || item.created_at < app.started_at || claim.reclaimed)
        {
            let wait = settle_wait(started, app.clock.now(), app.slack.timeout);
            if !wait.is_zero() {
                tracing::info!(
                    delivery = item.id,
                    ?wait,
                    "waiting out a call a previous run had in flight"
                );
                let mut shutdown = shutdown.clone();
                tokio::select! {
                    _ = app.clock.sleep(wait) => {}
                    _ = shutdown.changed() => return None,
                }
            }
        }
        let method = item_method(&item.op);
        // A response_url needs no token: it goes while Slack refuses the bot token.
        let needs_token = !matches!(item.op, Op::Respond { .. });
        let outcome = loop {
            // Boxed, as in `deliver_lane`: this loop sleeps out backoffs between the calls.
            match Box::pin(app.store.renew(claim, app.clock.now())).await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => tracing::warn!(error = %e, "cannot renew the claim on a call"),
            }
            if let Some(error) = app.slack.token_refused() {
                Box::pin(tell_reporter_not_pinged(app, item, error)).await;
            }
            // While Slack cannot be reached (or refuses the bot token), one call at a time finds
            // out whether that is over; this one waits without writing or sending, renewing its
            // claim now and then.
            let pass = {
                let renew_by = app.clock.now() + span(crate::app::claim_lease(&app.config) / 3);
                let mut shutdown = shutdown.clone();
                tokio::select! {
                    pass = Box::pin(app.pacer.wait_for_slack(renew_by, needs_token)) => pass,
                    _ = shutdown.changed() => return None,
                }
            };
            let Some(pass) = pass else { continue };
            // Another lane may have been told to wait (429) for this method. These waits are out
            // here, where a lane's task is small: in an outage every busy lane waits at once.
            app.pacer.wait_hold(method).await;
            let mut call_slot = CallSlot::new(app, item.lane);
            call_slot.take().await;
            // Slack may have become unreachable while this call waited for its slot (calls
            // hanging unanswered hold every slot, and thousands may queue behind them).
            if pass == Pass::Reachable && app.pacer.holds(needs_token) {
                continue;
            }
            let answers = app.slack.answers();
            let result = Box::pin(deliver_once(app, claim, maybe_sent, call_slot)).await;
            match &result {
                Err(AttemptError::Slack(e)) if e.is_unreachable() => app.pacer.slack_unreachable(pass),
                // Slack answers, but refuses the bot token: every call would be refused alike.
                Err(AttemptError::Slack(e)) if e.refuses_token() => app.pacer.slack_refuses_token(pass),
                // Slack answered (this call, or another meanwhile), and takes the bot token as
                // far as the bot knows (a response_url needs none: its answer says nothing of it).
                _ if app.slack.answers() != answers && app.slack.token_refused().is_none() => {
                    app.pacer.slack_answered()
                }
                // The attempt needed no call to Slack, or stopped before one: nothing learnt.
                _ => app.pacer.probe_unused(pass),
            }
            match result {
                // Refused for good, and told the reporter instead: not a call that went through.
                Ok(Some(Outcome::OriginUnreachable { channel, error })) => {
                    app.metrics.slack_call(method, "permanent_error");
                    tracing::warn!(%error, trouble = ?item.trouble, "the origin channel refused the notice; the reporter is told instead");
                    break Some(Outcome::OriginUnreachable { channel, error });
                }
                Ok(outcome) => {
                    app.metrics.slack_call(method, "ok");
                    break outcome;
                }
                Err(AttemptError::Lost | AttemptError::Stopping) => return None,
                // Nothing of this call could be recorded: it waits for a restart, not retried.
                Err(AttemptError::Store(_) | AttemptError::Engine(_)) if app.store.writes_halted().is_some() => {
                    return None
                }
                Err(AttemptError::Unrunnable { method, missing }) => {
                    app.metrics.slack_call(method, "unrunnable");
                    // What it needs (a message, a thread) waits for the channel too: so does it.
                    if let Some(channel) = Box::pin(waits_for_channel(app, item, false)).await {
                        let error = format!("no {missing}");
                        break Some(channel_unavailable(item, channel, method, error));
                    }
                    // A message nobody will see: the admin hears of it above the info lines.
                    tracing::warn!(trouble = ?item.trouble, method, missing, "a call cannot run; dropped");
                    break None;
                }
                Err(AttemptError::Slack(e)) if e.is_permanent() => {
                    app.metrics.slack_call(method, "permanent_error");
                    tracing::warn!(error = %e, trouble = ?item.trouble, "Slack refused a call for good");
                    let waiting = match e.channel_unavailable() {
                        true => Box::pin(waits_for_channel(app, item, true)).await,
                        false => None,
                    };
                    let error = e.code();
                    let refusal = e.dm_refusal();
                    break Some(match (&item.op, waiting) {
                        (_, Some(channel)) => channel_unavailable(item, channel, method, error),
                        (
                            Op::Respond {
                                message: Message::OriginNotice,
                                ..
                            },
                            _,
                        ) => Outcome::ReporterUrlRefused { error },
                        (Op::Post { to: Dest::Dm(who), .. }, _) if refusal.is_some() => {
                            let why = refusal.unwrap_or_default();
                            if why == DmRefusal::AppLacksPermission {
                                app_lacks_dm_permission(&error);
                            }
                            Outcome::PersonUnreachable {
                                who: who.clone(),
                                method: method.to_string(),
                                error,
                                why,
                            }
                        }
                        (
                            Op::Post {
                                to: Dest::Channel(channel),
                                message: message @ (Message::Announcement | Message::SeverityRaised { .. }),
                                ..
                            },
                            _,
                        ) if e.channel_unavailable() || NOT_ANNOUNCED.contains(&error.as_str()) => {
                            Outcome::NotAnnounced {
                                channel: channel.clone(),
                                error,
                                raised_to: match message {
                                    Message::SeverityRaised { to, .. } => Some(*to),
                                    _ => None,
                                },
                            }
                        }
                        _ => Outcome::Failed {
                            method: method.to_string(),
                            error,
                        },
                    });
                }
                Err(e) => {
                    app.metrics.slack_call(method, "retry");
                    let retry_after = match &e {
                        AttemptError::Slack(e) => {
                            // A timeout or a 5xx leaves it unknown whether Slack acted on the call.
                            maybe_sent |= e.is_ambiguous();
                            e.retry_after()
                        }
                        _ => None,
                    };
                    // Rate limits of methods that are not per channel hold the method for every
                    // lane. A `response_url` is limited per URL: one clicker's holds no other's.
                    let per_method = !method.starts_with("chat.") && method != "response_url";
                    if let (Some(wait), true) = (retry_after, per_method) {
                        app.pacer.hold(PaceKey::Method(method), wait);
                    }
                    attempt += 1;
                    let backoff = retry_after.unwrap_or_else(|| backoff(attempt));
                    tracing::info!(error = %e, attempt, ?backoff, "Slack call will be retried");
                    let mut shutdown = shutdown.clone();
                    tokio::select! {
                        _ = app.clock.sleep(backoff) => {}
                        _ = shutdown.changed() => return None,
                    }
                }
            }
        };
        Some(outcome)
    }
}

/// The app may DM nobody (`error`: a scope missing, a workspace preference): every trouble's
/// chain fails alike until a Slack admin mends the install, so the admin reads it above the
/// warnings, once a process rather than once a DM.
fn app_lacks_dm_permission(error: &str) {
    static LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !LOGGED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::error!(
            %error,
            "Slack refuses the app every DM: reinstall it with the bot scopes of manifest.yml (im:write, chat:write), or lift the workspace preference that keeps the bot from posting; `trouble-bot check-slack` names a missing scope"
        );
    }
}

/// Besides the channel being unavailable, what Slack answers an announcement the bot may not
/// post: someone must change the channel's settings or `announce_channels`.
const NOT_ANNOUNCED: [&str; 2] = ["restricted_action", "posting_to_general_channel_denied"];

/// The channel of `item`'s trouble when `item` is a call there that must wait for the bot to be
/// able to post there again: Slack refused it so (`refused`), or the trouble already holds calls
/// for its channel (what this one needs, a message or a thread, is among them). `Some(None)`
/// whenever the trouble has no channel: whether the call waits for one Slack refused, follows
/// one being made (asked for again while this call was queued), or went with one deleted, is
/// the core's to decide (see `Outcome::ChannelUnavailable`), never this read's.
async fn waits_for_channel(app: &App, item: &OutboxItem, refused: bool) -> Option<Option<ChannelId>> {
    if !item.op.in_trouble_channel() {
        return None;
    }
    let t = app.store.get(item.trouble.as_ref()?).await.ok()??;
    let Some(channel) = t.channel.clone() else {
        return Some(None);
    };
    (refused || t.held.is_some() || t.channel_lost.is_some()).then_some(Some(channel))
}

fn channel_unavailable(item: &OutboxItem, channel: Option<ChannelId>, method: &str, error: String) -> Outcome {
    Outcome::ChannelUnavailable {
        call: Box::new(Delivery {
            lane: item.lane,
            op: item.op.clone(),
        }),
        channel,
        method: method.to_string(),
        error,
    }
}

/// While Slack refuses the bot token, whoever opened the trouble of `item` before the bot knew
/// was answered that their manager was being told. Until that DM has gone, they hear otherwise,
/// once, through the command's `response_url`: it needs no token (and Slack takes it for half
/// an hour). Its answer says nothing of the token, so the pacer does not hear of it.
async fn tell_reporter_not_pinged(app: &App, item: &OutboxItem, error: &'static str) {
    let Some(id) = &item.trouble else { return };
    if !app.pacer.first_look_while_refused(id) {
        return;
    }
    let Ok(Some(t)) = app.store.get(id).await else { return };
    let Some(url) = t.origin.response_url.as_deref() else {
        return;
    };
    if t.manager_dm.is_some() || app.clock.now() - t.opened_at > RESPONSE_URL_LIFETIME {
        return;
    }
    let text = crate::i18n::not_pinged_while_token_refused(app.config.locale, id, error);
    match app.slack.respond(url, &Rendered::text(text), false).await {
        Ok(()) => tracing::info!(trouble = %id, "told the reporter their manager was not pinged"),
        Err(e) => tracing::info!(trouble = %id, error = %e, "cannot tell the reporter their manager was not pinged"),
    }
}

/// How long to wait before looking for a call that started at `started`: it may reach Slack
/// until the client gives up on it (`timeout`), plus a margin for Slack's own processing.
fn settle_wait(started: chrono::DateTime<Utc>, now: chrono::DateTime<Utc>, timeout: Duration) -> Duration {
    const MARGIN: Duration = Duration::from_secs(1);
    let settled = started + chrono::Duration::from_std(timeout + MARGIN).unwrap_or(chrono::Duration::MAX);
    (settled - now).to_std().unwrap_or(Duration::ZERO)
}

/// Removes the item and feeds its outcome to the core, in one transaction.
async fn finish_item(app: &Arc<App>, item: &OutboxItem, outcome: Option<Outcome>) {
    if let Err(e) = app.engine().delivered(item, outcome).await {
        tracing::error!(error = %e, "cannot record a delivery");
    }
}

fn item_method(op: &Op) -> &'static str {
    match op {
        Op::CreateChannel => "conversations.create",
        Op::RenameChannel { .. } => "conversations.rename",
        Op::Invite { .. } => "conversations.invite",
        Op::Kick { .. } => "conversations.kick",
        Op::Post { .. } => "chat.postMessage",
        Op::Refresh { .. } | Op::Edit { .. } | Op::RedrawSharedDm { .. } => "chat.update",
        Op::Withdraw { outside: Some(_), .. } => "chat.update",
        Op::Withdraw { outside: None, .. } => "chat.delete",
        Op::Pin { .. } => "pins.add",
        Op::Respond { .. } => "response_url",
        Op::OpenUpdateModal { .. } => "views.open",
        Op::PublishHome { .. } => "views.publish",
        Op::CheckChannel { .. } => "conversations.info",
    }
}

fn missing(method: &'static str, what: &'static str) -> AttemptError {
    AttemptError::Unrunnable { method, missing: what }
}

fn slot_message(t: &Trouble, slot: Slot) -> Option<&crate::trouble::model::PostedMessage> {
    match slot {
        Slot::Kickoff => t.kickoff.as_ref(),
        Slot::Status => t.status.as_ref(),
        Slot::ManagerDm => t.manager_dm.as_ref(),
        Slot::ConfiguredManagerDm => t.configured_manager_dm.as_ref(),
        Slot::OriginNotice => t.origin_notice.as_ref(),
        Slot::Announcement { n } => t.announcements.get(n).and_then(Option::as_ref),
        Slot::Report => t.last_report.as_ref().and_then(|r| r.message.as_ref()),
        // Several at once, each edited by its own `Op::Edit`.
        Slot::EscalationDm
        | Slot::NamedManagerDm
        | Slot::WaitingDm
        | Slot::Proposal { .. }
        | Slot::EffectCheck { .. }
        | Slot::Entry { .. } => None,
    }
}

/// What `Op::Refresh` redraws a slot's one message as. None for the slots of which several are
/// kept at once (`slot_message` finds none of them either): each is edited by its own
/// `Op::Edit`, with the content its decision gave it, and is never refreshed as a slot.
fn slot_content(slot: Slot) -> Option<Message> {
    match slot {
        Slot::Kickoff => Some(Message::Kickoff),
        Slot::Status => Some(Message::Status),
        Slot::ManagerDm | Slot::ConfiguredManagerDm => Some(Message::ManagerDm),
        Slot::OriginNotice => Some(Message::OriginNotice),
        Slot::Announcement { .. } => Some(Message::Announcement),
        Slot::Report => Some(Message::ReportSummary),
        Slot::EscalationDm
        | Slot::NamedManagerDm
        | Slot::WaitingDm
        | Slot::Proposal { .. }
        | Slot::EffectCheck { .. }
        | Slot::Entry { .. } => None,
    }
}

/// Makes one attempt at one call, holding `call_slot` (taken) while it talks to Slack. Ok(None):
/// done, nothing to tell the core.
///
/// Each attempt's future is allocated whole (`deliver_claim` boxes it), so the awaits of the
/// pacing, the core and the combined messages are boxed in turn: only the path an attempt
/// takes costs room (see `a_delivery_moves_and_allocates_little_memory`).
async fn deliver_once(
    app: &Arc<App>,
    claim: &Claim,
    maybe_sent: bool,
    mut call_slot: CallSlot<'_>,
) -> Result<Option<Outcome>, AttemptError> {
    let item = &claim.item;
    let slack = &app.slack;
    let method = item_method(&item.op);
    let trouble = match &item.trouble {
        Some(id) => match app.store.get(id).await? {
            Some(t) => Some(t),
            None => return Err(missing(method, "trouble")),
        },
        None => None,
    };
    let locale = app.config.locale;
    let rendered = |t: &Trouble, m: &Message| render(locale, &app.config, t, m);
    match (&item.op, trouble) {
        // An answer the shell rendered, which needs no trouble's record.
        (
            Op::Respond {
                url,
                message: message @ (Message::Text { .. } | Message::TextWithAcks { .. }),
                replace,
            },
            _,
        ) => {
            let rendered = crate::i18n::shell_rendered(locale, message).unwrap_or_default();
            slack.respond(url, &rendered, *replace).await?;
            Ok(None)
        }
        (Op::PublishHome { user }, _) => {
            // Only the troubles this person owns, manages or may acknowledge (the home index).
            let rows = Box::pin(app.store.home_rows(&app.config.policy, user)).await?;
            let decisions = Box::pin(app.store.home_decisions(&app.config.policy, user, &rows)).await?;
            let refusals = Box::pin(app.store.home_channel_refusals(&app.config.policy, user, &rows)).await?;
            let view = crate::i18n::home_view(locale, &app.config, &rows, &decisions, &refusals, app.clock.now());
            slack.publish_home(user, &view).await?;
            Ok(None)
        }
        (Op::OpenUpdateModal { trigger_id }, Some(t)) => {
            slack
                .open_view(trigger_id, &crate::i18n::modals::update_modal(locale, &t))
                .await?;
            Ok(None)
        }
        // An ephemeral cannot be looked up, so a 5xx or a timeout (Slack may have shown it) is
        // sent again: the answer to a click shown twice at worst (once, when it replaces the
        // original), rather than a clicker never told what their click did.
        (Op::Respond { url, message, replace }, Some(t)) => {
            slack.respond(url, &rendered(&t, message), *replace).await?;
            Ok(None)
        }
        // A DM that belongs to no trouble (the weekly digest, an answer in someone's DM),
        // rendered when it was decided.
        (
            Op::Post {
                to: Dest::Dm(user),
                message: message @ (Message::Text { .. } | Message::TextWithAcks { .. }),
                keep_as: None,
            },
            None,
        ) => {
            let channel = ChannelId::new(user.as_str());
            let marker = Marker {
                deliveries: vec![item.marker()],
                troubles: Vec::new(),
            };
            if maybe_sent && Box::pin(earlier_post(app, item, &channel, None)).await?.is_some() {
                return Ok(None);
            }
            Box::pin(take_turn_to_post(app, claim, &mut call_slot, &channel)).await?;
            let mut message = crate::i18n::shell_rendered(locale, message).unwrap_or_default();
            let zone = Box::pin(zone_of_reader(app, user, &message)).await;
            say_whose_times(app, zone, &mut message);
            slack
                .post_message(channel.as_str(), &message, None, Some(&marker))
                .await
                .inspect_err(|e| hold_on_429(app, &channel, e))?;
            Ok(None)
        }
        (_, None) => Err(missing(method, "trouble")),
        (Op::CreateChannel, Some(t)) => {
            if let (Some(channel), Some(name)) = (&t.channel, &t.channel_name) {
                return Ok(Some(Outcome::ChannelCreated {
                    channel: channel.clone(),
                    name: name.clone(),
                }));
            }
            // Its own say: a private trouble's channel set up again (deleted, or reopened
            // without one) stays private, whatever `private_channels` says since.
            let private = crate::trouble::decide::Viewers::of(&t).private(&app.config.policy);
            for attempt in 1..=MAX_NAME_ATTEMPTS {
                let name = channel_name(&app.config.policy.channel_prefix, &t.id, &t.customer, attempt);
                mark_attempt(app, claim).await?;
                match slack.create_channel(&name, private).await {
                    Ok((channel, name)) => {
                        app.shared_channels.made_here(channel.as_str(), app.clock.now());
                        return Ok(Some(Outcome::ChannelCreated { channel, name }));
                    }
                    Err(SlackError::Api { error, .. }) if error == "name_taken" => {
                        // Our own earlier attempt may have created it before we heard back.
                        if maybe_sent {
                            let own = app.bot_identity().ok_or(AttemptError::IdentityUnknown)?;
                            match slack.find_own_channel(&name, &own.user_id).await {
                                Ok(Some(channel)) => return Ok(Some(Outcome::ChannelCreated { channel, name })),
                                Ok(None) => {}
                                Err(e) if e.is_permanent() => tracing::info!(error = %e, "cannot list channels"),
                                Err(e) => return Err(e.into()),
                            }
                        }
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Err(SlackError::Api {
                method: method.into(),
                error: "name_taken".into(),
            }
            .into())
        }
        (Op::RenameChannel { name }, Some(t)) => {
            let channel = t.channel.clone().ok_or_else(|| missing(method, "channel"))?;
            // A name someone gave the channel by hand in Slack is theirs: a corrected customer
            // renames only the name the bot gave it.
            let now = slack.channel_name(&channel).await?;
            // Already so named: an earlier attempt renamed it and its answer was lost (a timeout,
            // a 5xx). Taken for a hand rename, the store would keep the old name, and no later
            // correction would rename the channel again.
            if now.as_deref() == Some(name.as_str()) {
                return Ok(Some(Outcome::ChannelRenamed { name: name.clone() }));
            }
            if let (Some(now), Some(given)) = (now, t.channel_name.as_ref()) {
                if now != *given {
                    tracing::info!(trouble = %t.id, "the channel was renamed by hand and keeps that name");
                    return Ok(None);
                }
            }
            match slack.rename_channel(&channel, name).await {
                Ok(name) => Ok(Some(Outcome::ChannelRenamed { name })),
                // The name is a convenience: taken, refused or not ours to change, the channel
                // keeps its old one and nothing counts as failed.
                Err(e @ SlackError::Api { .. }) if e.is_permanent() => {
                    tracing::info!(error = %e, trouble = %t.id, "the channel keeps its name");
                    Ok(None)
                }
                Err(e) => Err(e.into()),
            }
        }
        (Op::CheckChannel { n }, Some(t)) => {
            let channel = t.channel.clone().ok_or_else(|| missing(method, "channel"))?;
            let seen = slack.channel_seen(&channel).await?;
            Ok(Some(Outcome::ChannelChecked { channel, seen, n: *n }))
        }
        (Op::Invite { users }, Some(t)) => {
            let channel = t.channel.clone().ok_or_else(|| missing(method, "channel"))?;
            // The bot's own id in `[org]` (pasted as someone's manager): Slack refuses the whole
            // invitation (`cant_invite_self`), and the owner and everyone with it stay out.
            let users: Vec<UserId> = users.iter().filter(|u| !is_the_bot(app, u)).cloned().collect();
            if !users.is_empty() {
                slack.invite(&channel, &users).await?;
            }
            Ok(None)
        }
        (Op::Kick { user }, Some(t)) => {
            let channel = t.channel.clone().ok_or_else(|| missing(method, "channel"))?;
            slack.kick(&channel, user).await?;
            Ok(None)
        }
        (Op::Pin { slot }, Some(t)) => {
            let posted = slot_message(&t, *slot).ok_or_else(|| missing(method, "message"))?;
            slack.pin(&posted.channel, &posted.ts).await?;
            Ok(None)
        }
        (Op::Refresh { slot }, Some(t)) => {
            let trouble = if *slot == Slot::Status {
                // At most about one status edit a second per channel (edits have their own pace,
                // apart from posts). Then clear the flag and render: any change after this point
                // queues another refresh, and changes during the wait ride on this one.
                if let Some(posted) = &t.status {
                    call_slot.release();
                    Box::pin(wait_holding(
                        app,
                        claim,
                        app.pacer.turn(PaceKey::Edits(posted.channel.clone())),
                    ))
                    .await?;
                    call_slot.take().await;
                }
                let now = Box::pin(app.engine().sending(&t.id, &item.op)).await?.trouble;
                match now {
                    Some(now) => Arc::new(now),
                    None => app.store.get(&t.id).await.ok().flatten().unwrap_or(t),
                }
            } else {
                t
            };
            let posted = slot_message(&trouble, *slot)
                .ok_or_else(|| missing(method, "message"))?
                .clone();
            let content = slot_content(*slot).ok_or_else(|| missing(method, "message"))?;
            // An origin notice or announcement in a channel shared since (its event lost or
            // late): withdrawn rather than edited with what the newcomers may not read.
            if matches!(slot, Slot::OriginNotice | Slot::Announcement { .. })
                && Box::pin(app.shared_channels.is_shared(slack, &posted.channel, app.clock.now())).await?
            {
                call_slot.release();
                let input = crate::trouble::decide::Input::NoticesShared {
                    channel: posted.channel.clone(),
                    org: None,
                    org_name: None,
                };
                Box::pin(app.engine().apply(&trouble.id, &[], input)).await?;
                app.withdraw_notices_once_in(&posted.channel);
                return Ok(None);
            }
            if posted.together.len() > 1 {
                let kind = match slot {
                    Slot::ManagerDm | Slot::ConfiguredManagerDm => Combined::ManagerDm,
                    _ => Combined::Notice,
                };
                call_slot.release();
                return Box::pin(refresh_together(app, kind, &posted)).await;
            }
            // A status in a channel shared with the customer leaves out the split, costs and
            // proposals, and it and the kickoff leave out how long the acknowledgement waited,
            // who up the chain is asked, and our deadlines (the first call's, the next
            // update's), which the customer would watch pass (asked of Slack only when there is
            // something to leave out: the kickoff always shows the first call).
            let outside = match slot {
                Slot::Status => {
                    trouble.is_open()
                        || crate::trouble::approval::has_internal(&trouble)
                        || !trouble.substance.scope.is_empty()
                        || crate::trouble::approval::tells_the_wait(&trouble)
                }
                Slot::Kickoff => true,
                _ => false,
            } && Box::pin(app.shared_channels.is_shared(slack, &posted.channel, app.clock.now())).await?;
            if outside {
                Box::pin(found_shared(app, &trouble)).await;
            }
            let message = if outside {
                rendered(&crate::trouble::approval::pinned_for_outside(&trouble), &content)
            } else {
                rendered(&trouble, &content)
            };
            slack
                .update_message(&posted.channel, &posted.ts, &message)
                .await
                .inspect_err(|e| hold_on_429(app, &posted.channel, e))?;
            Ok(None)
        }
        (Op::RedrawSharedDm { message, escalation }, Some(_)) => {
            call_slot.release();
            let kind = match escalation {
                true => Combined::EscalationDm,
                false => Combined::ManagerDm,
            };
            Box::pin(refresh_together(app, kind, message)).await
        }
        (Op::Withdraw { channel, ts, outside }, Some(t)) => {
            // Gone already (someone deleted it): nothing of it is left to read.
            let gone = |e: &SlackError| matches!(e, SlackError::Api { error, .. } if error == "message_not_found");
            let result = match outside {
                // Said as the deliverer says it where the customer reads (see `Op::Post`): a
                // close's line without the split and costs.
                Some(line) => {
                    let t = crate::trouble::approval::for_outside(&t);
                    slack.update_message(channel, ts, &rendered(&t, line)).await
                }
                None => slack.delete_message(channel, ts).await,
            };
            match result {
                Err(e) if gone(&e) => Ok(None),
                other => other
                    .inspect_err(|e| hold_on_429(app, channel, e))
                    .map(|_| None)
                    .map_err(Into::into),
            }
        }
        (Op::Edit { channel, ts, message }, Some(t)) => {
            slack
                .update_message(channel, ts, &rendered(&t, message))
                .await
                .inspect_err(|e| hold_on_429(app, channel, e))?;
            Ok(None)
        }
        // Says what Slack's refusal made untrue or said already: dropped with the channel's posts.
        (Op::Post { to, message, .. }, Some(t)) if t.channel.is_none() && message.needs_channel(to, &t.owner) => {
            Err(missing(method, "channel"))
        }
        (Op::Post { to, message, keep_as }, Some(t)) => {
            // What a channel shared with the customer may not read, the core says (see
            // `trouble::decide::outside`): internal lines, lines for the team alone, and lines
            // said there without part of them. Checked before the report's thread is looked up,
            // which a withheld summary never gets.
            let internal = outside::internal(message);
            let follow_up = outside::for_the_team_alone(message);
            let outside_line = outside::line_for_outside(message);
            // The kickoff or status posted again (someone deleted it) in a channel shared since
            // reads as the pinned ones are edited there (see the `Refresh` above).
            let pinned = matches!(message, Message::Kickoff | Message::Status);
            let mut t = t;
            let mut message = message;
            // Posted as it is in the trouble's channel, a line for the team is kept to withdraw
            // should the channel be shared later (Slack Connect shows the newcomers its history).
            let judged = app.clock.now();
            let mut for_the_team = false;
            if let (true, Some(c)) = (
                (internal || outside_line.is_some() || follow_up || pinned)
                    && !matches!(to, Dest::Dm(_) | Dest::Channel(_)),
                &t.channel,
            ) {
                let now = app.clock.now();
                let shared = match pinned {
                    true if app.shared_channels.just_made(c, now) => false,
                    true => Box::pin(app.shared_channels.is_shared_now(slack, c, now)).await?,
                    false => Box::pin(app.shared_channels.is_shared(slack, c, now)).await?,
                };
                for_the_team = !shared && !pinned;
                if shared {
                    Box::pin(found_shared(app, &t)).await;
                    if follow_up {
                        tracing::info!(channel = %c, "a follow-up goes by DM: the trouble's channel is shared outside the company");
                        return Ok(Some(Outcome::FollowUpHeld {
                            message: message.clone(),
                        }));
                    }
                    if pinned {
                        t = Arc::new(crate::trouble::approval::pinned_for_outside(&t));
                    } else if let Some(line) = &outside_line {
                        // A close's line says what was closed, without the split and costs.
                        if matches!(message, Message::Closed { .. }) {
                            t = Arc::new(crate::trouble::approval::for_outside(&t));
                        }
                        message = line;
                    } else {
                        tracing::warn!(channel = %c, "not posting the split, a cost, a proposal, the customer's past costs or the internal report into a channel shared outside the company");
                        return Ok(match message {
                            Message::Agreement(line) => Some(Outcome::AgreementHeld { line: line.clone() }),
                            _ => None,
                        });
                    }
                }
            }
            // The history shown again when the split is being settled is read afresh: the
            // snapshot taken at open would miss what the customer's other troubles recorded
            // and approved since (and those opened since), the very balance the split is
            // weighed against.
            if matches!((message, to), (Message::CustomerHistory, Dest::TroubleChannel)) {
                let policy = &app.config.policy;
                match app.store.customer_troubles(&policy.customers, &t.customer).await {
                    Ok(theirs) => {
                        let past = crate::trouble::customer::past_troubles(policy, &t.customer, &theirs);
                        let mut now = (*t).clone();
                        now.past = crate::trouble::customer::shown_besides(policy, &now, past);
                        t = Arc::new(now);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the customer's troubles again: the history shows them as at open")
                    }
                }
            }
            let (channel, thread_ts) = match to {
                Dest::TroubleChannel => (t.channel.clone().ok_or_else(|| missing(method, "channel"))?, None),
                Dest::KickoffThread => {
                    let k = t.kickoff.clone().ok_or_else(|| missing(method, "kickoff"))?;
                    (k.channel, Some(k.ts))
                }
                Dest::ReportThread => {
                    let r = slot_message(&t, Slot::Report).ok_or_else(|| missing(method, "report"))?;
                    (r.channel.clone(), Some(r.ts.clone()))
                }
                Dest::Channel(c) => (c.clone(), None),
                // Nobody reads what the bot writes to itself (its own id in `[org]`, say): as a DM
                // to any bot, so whoever it asked to act is passed over at once, and the owner told.
                Dest::Dm(user) if is_the_bot(app, user) => {
                    return Err(AttemptError::Slack(SlackError::Api {
                        method: method.to_string(),
                        error: "cannot_dm_bot".into(),
                    }))
                }
                Dest::Dm(user) => (ChannelId::new(user.as_str()), None),
            };
            // A nudge or an action's reminder that waited in the queue may no longer be true: the
            // core says.
            let may_be_stale = matches!(
                message,
                Message::Nudge(_) | Message::Step(StepLine::ActionReminder { .. })
            );
            // Slack is asked the reader's zone before the check of what may be stale, not
            // between it and the post, where an answer slow to come would let one go stale.
            let reader_zone = match to {
                Dest::Dm(reader) => {
                    let said = crate::i18n::render_to(locale, &app.config, &t, message, to);
                    Box::pin(zone_of_reader(app, reader, &said)).await
                }
                _ => None,
            };
            if may_be_stale && Box::pin(app.engine().sending(&t.id, &item.op)).await?.withdrawn {
                return Ok(None);
            }
            // The origin and announce channels may be shared with the customer (Slack Connect):
            // nothing internal is posted there; the core decides who hears instead.
            if let Dest::Channel(c) = to {
                if Box::pin(app.shared_channels.is_shared(slack, c, app.clock.now())).await? {
                    tracing::warn!(channel = %c, lane = ?item.lane, "not posting into a channel shared outside the company");
                    // The notices posted there before it was shared are withdrawn (once a run;
                    // `channel_shared` lost or late).
                    app.withdraw_notices_once_in(c);
                    return Ok(Some(Outcome::SharedExternally { channel: c.clone() }));
                }
            }
            if maybe_sent {
                if let Some(Marked { channel, ts, troubles }) =
                    Box::pin(earlier_post(app, item, &channel, thread_ts.as_ref())).await?
                {
                    let outcome = keep_as.map(|slot| Outcome::Posted {
                        slot,
                        channel: channel.clone(),
                        ts: ts.clone(),
                        together: troubles,
                        shown: shown(slot, message),
                    });
                    let outcome = kept_for_the_team(for_the_team, channel, ts, message, judged, outcome);
                    return Ok(reached_set_aside(&t, to, outcome));
                }
            }
            if let (Some(kind), None) = (combinable(to, message), &thread_ts) {
                call_slot.release();
                let waiter = Waiter {
                    claim: claim.clone(),
                    trouble: t,
                    message: message.clone(),
                    keep_as: *keep_as,
                };
                return Box::pin(post_together(app, channel, kind, waiter)).await;
            }
            Box::pin(take_turn_to_post(app, claim, &mut call_slot, &channel)).await?;
            let marker = Marker {
                deliveries: vec![item.marker()],
                troubles: vec![t.id.clone()],
            };
            let mut rendered = crate::i18n::render_to(locale, &app.config, &t, message, to);
            say_whose_times(app, reader_zone, &mut rendered);
            let result = slack
                .post_message(channel.as_str(), &rendered, thread_ts.as_ref(), Some(&marker))
                .await;
            if let Err(e) = &result {
                hold_on_429(app, &channel, e);
            }
            let mut away = None;
            if result.is_ok() {
                if let Some(who) = Box::pin(reader_left(app, to, message)).await {
                    return Ok(Some(person_left(who)));
                }
                away = Box::pin(reader_away(app, &t, to, message)).await;
            }
            let posted_at = result.as_ref().ok().cloned();
            let outcome = told_away(posted(app, &t, message, *keep_as, result, Vec::new())?, away);
            Ok(match posted_at {
                Some((channel, ts)) => reached_set_aside(
                    &t,
                    to,
                    kept_for_the_team(for_the_team, channel, ts, message, judged, outcome),
                ),
                None => outcome,
            })
        }
    }
}

/// `outcome` of a post that went through to `to`, told the core as reaching an owner of `t` it
/// set aside when Slack took a DM to them (see `Outcome::DmReached`): the core alone decides
/// what that changes. Any other DM tells it nothing more, so a delivered DM writes nothing.
fn reached_set_aside(t: &Trouble, to: &Dest, outcome: Option<Outcome>) -> Option<Outcome> {
    match to {
        Dest::Dm(who) if t.unreachable_owners.contains(who) => Some(Outcome::DmReached {
            who: who.clone(),
            then: outcome.map(Box::new),
        }),
        _ => outcome,
    }
}

/// `outcome`, and when `for_the_team`, the line posted (`channel`, `ts`) to withdraw should the
/// trouble's channel be shared later (see `Outcome::TeamLinePosted`).
fn kept_for_the_team(
    for_the_team: bool,
    channel: ChannelId,
    ts: Ts,
    message: &Message,
    judged: DateTime<Utc>,
    outcome: Option<Outcome>,
) -> Option<Outcome> {
    if !for_the_team {
        // The entry a line carries is kept with the team's lines alone: one posted as it is
        // where the customer may read (a customer update's, a line in a shared channel) tells
        // the core nothing, so its delivery does not rewrite the trouble.
        return outcome.filter(|o| {
            !matches!(
                o,
                Outcome::Posted {
                    slot: Slot::Entry { .. },
                    ..
                }
            )
        });
    }
    let outside = outside::line_for_outside(message);
    Some(Outcome::TeamLinePosted {
        line: Box::new(crate::trouble::model::TeamLine {
            channel,
            ts,
            outside,
            entry: None,
        }),
        judged,
        then: outcome.map(Box::new),
    })
}

/// The deliverer found the trouble's channel shared outside the company while the trouble still
/// keeps lines posted there for the team: Slack's `channel_shared` was lost or late, and the
/// core withdraws them now. Its own write: should it fail, the next post that finds the
/// channel shared asks again.
async fn found_shared(app: &App, t: &Trouble) {
    if t.team_lines.is_empty() && t.team_lines_dropped == 0 {
        return;
    }
    let input = crate::trouble::decide::Input::ChannelShared {
        org: None,
        org_name: None,
    };
    if let Err(e) = Box::pin(app.engine().apply(&t.id, &[], input)).await {
        tracing::warn!(error = %e, trouble = %t.id, "cannot withdraw the team's lines from a shared channel yet");
    }
}

/// What the core keeps of a message posted into `slot`: the message itself when the slot is
/// kept several at once (an escalation's DM, a proposal's DM), to edit it again as it was.
fn shown(slot: Slot, message: &Message) -> Option<Box<Message>> {
    matches!(
        slot,
        Slot::EscalationDm | Slot::NamedManagerDm | Slot::WaitingDm | Slot::Proposal { dm: true, .. }
    )
    .then(|| Box::new(message.clone()))
}

/// A DM giving a time of day to someone whose Slack is set to another zone (a manager abroad)
/// ends saying the times are ours and how far from theirs, so a due time is not read on their
/// own clock. Their zone comes from the `users.info` answer the bot keeps for an hour (asked
/// now when not kept; read from Slack's answer only: the bot's hours and quiet times stay the
/// company's, and Slack's own notification schedule keeps their night).
async fn zone_of_reader(app: &App, reader: &UserId, said: &crate::i18n::Rendered) -> Option<chrono_tz::Tz> {
    if !crate::i18n::gives_a_time(&said.text) && !crate::i18n::gives_a_time(&said.blocks_said()) {
        return None;
    }
    app.people_left.zone(&app.slack, reader, app.clock.now()).await
}

/// [`zone_of_reader`]'s line, added to the DM when the reader's clock is not ours.
fn say_whose_times(app: &App, theirs: Option<chrono_tz::Tz>, rendered: &mut crate::i18n::Rendered) {
    let (now, ours) = (app.clock.now(), app.config.policy.timezone);
    let Some(note) = theirs.and_then(|theirs| crate::i18n::zone_note(app.config.locale, ours, theirs, now)) else {
        return;
    };
    rendered.text = format!("{}\n{note}", rendered.text);
    if let Some(blocks) = rendered.blocks.as_mut() {
        blocks.push(crate::slack::blocks::context(&note));
    }
}

/// Whether `user` is the bot itself (once it knows its own id).
fn is_the_bot(app: &App, user: &UserId) -> bool {
    app.bot_user_id().is_some_and(|bot| bot == user.as_str())
}

/// Who read `message`, just posted to `to`, if they have left: Slack writes to a deactivated
/// account without error, and nobody reads it. Asked of a DM that asks its reader to act
/// (acknowledge, or see to an action), once it went, so the first ping never waits for the
/// answer.
async fn reader_left<'a>(app: &App, to: &'a Dest, message: &Message) -> Option<&'a UserId> {
    let asks = matches!(
        message,
        Message::ManagerDm | Message::EscalationDm { .. } | Message::Step(StepLine::ActionReminder { .. })
    );
    match to {
        Dest::Dm(who) if asks && app.people_left.has_left(&app.slack, who, app.clock.now()).await => Some(who),
        _ => None,
    }
}

/// Who read `message`, just posted to `to`, and how they are away, if their Slack status says
/// so: asked of a DM that asks its reader to acknowledge, so the next one up can be asked at
/// once as well (the core decides whether they are the one it waits for), and of a nudge or
/// the first-call checklist that only the owner is asked to act on, so the manager hears the
/// customer waits on someone away. Also of what asks its reader for work no one else is asked
/// for (`reading`): an action's reminder DMed to its owner, the news of that owner away DMed to
/// the trouble's owner, and the channel's line handing the trouble to someone, which the
/// command could not check before answering.
async fn reader_away(app: &App, t: &Trouble, to: &Dest, message: &Message) -> Option<FoundAway> {
    let (reader, reading) = match (to, message) {
        (Dest::Dm(who), Message::ManagerDm | Message::EscalationDm { .. }) => (who, None),
        // Asked once a nudge: in the channel, or by DM to the owner while there is none.
        (Dest::TroubleChannel, Message::Nudge(n)) if n.manager.is_none() => (&n.owner, None),
        (Dest::Dm(who), Message::Nudge(n)) if n.manager.is_none() && *who == n.owner => (who, None),
        // The first-call checklist, halfway to its deadline, likewise.
        (
            Dest::TroubleChannel,
            Message::FirstContact {
                owner, manager: None, ..
            },
        ) => (owner, None),
        (
            Dest::Dm(who),
            Message::FirstContact {
                owner, manager: None, ..
            },
        ) if who == owner => (who, None),
        // The DM to the action's owner; a copy the trouble's owner reads is theirs to act on.
        (Dest::Dm(who), Message::Step(StepLine::ActionReminder { n, .. }))
            if n.checked_sub(1)
                .and_then(|i| t.substance.actions.get(i))
                .is_some_and(|a| a.owner == *who) =>
        {
            (who, Some(AwayReading::ActionReminder { n: *n }))
        }
        (
            Dest::Dm(who),
            Message::ActionOwnerAway {
                n, owner_away: None, ..
            },
        ) if *who == t.owner => (who, Some(AwayReading::ActionOwnerAway { n: *n })),
        (
            Dest::TroubleChannel,
            Message::Recorded {
                by,
                what: Record::Owner { to, .. },
            },
        ) if by != to => (to, Some(AwayReading::HandedOver { by: by.clone() })),
        _ => return None,
    };
    let away = app.people_left.away(&app.slack, reader, app.clock.now()).await?;
    Some(FoundAway {
        who: reader.clone(),
        away,
        reading,
    })
}

/// Someone away who read a post, as [`reader_away`] found them.
#[derive(Clone)]
struct FoundAway {
    who: UserId,
    away: crate::trouble::model::Away,
    reading: Option<AwayReading>,
}

/// What the core hears of a post whose reader is `away`: what the post taught, and the absence.
fn told_away(outcome: Option<Outcome>, away: Option<FoundAway>) -> Option<Outcome> {
    match away {
        Some(FoundAway { who, away, reading }) => Some(Outcome::ReaderAway {
            posted: outcome.map(Box::new),
            who,
            away,
            reading,
        }),
        None => outcome,
    }
}

/// What the core hears of a DM that reached `who`, who has left: as of one Slack had nobody to
/// deliver to, so the trouble goes past them and whoever answers for their work hears.
fn person_left(who: &UserId) -> Outcome {
    Outcome::PersonUnreachable {
        who: who.clone(),
        method: "chat.postMessage".into(),
        error: crate::slack::people::DEACTIVATED.into(),
        why: DmRefusal::NoSuchPerson,
    }
}

/// What the core hears of a post carrying trouble `t`'s `message` (with `together`, the
/// troubles of a combined message).
fn posted(
    app: &App,
    t: &Trouble,
    message: &Message,
    keep_as: Option<Slot>,
    result: Result<(ChannelId, Ts), SlackError>,
    together: Vec<TroubleId>,
) -> Result<Option<Outcome>, SlackError> {
    match (result, keep_as) {
        (Ok((channel, ts)), Some(slot)) => {
            if slot == Slot::ManagerDm {
                app.metrics
                    .first_ping((app.clock.now() - t.opened_at).num_milliseconds() as f64 / 1000.0);
            }
            Ok(Some(Outcome::Posted {
                slot,
                channel,
                ts,
                together,
                shown: shown(slot, message),
            }))
        }
        (Ok(_), None) => Ok(None),
        (Err(SlackError::Api { error, .. }), Some(Slot::OriginNotice))
            if [
                "not_in_channel",
                "channel_not_found",
                "is_archived",
                "restricted_action",
            ]
            .contains(&error.as_str()) =>
        {
            Ok(Some(Outcome::OriginUnreachable {
                channel: Some(t.origin.channel.clone()),
                error,
            }))
        }
        (Err(e), _) => Err(e),
    }
}

/// How long the second message of a burst to one channel waits for the rest of the burst: a
/// burst of fifty opens commits over ~80 ms on two cores. The first message never waits.
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);
/// While troubles still join it after [`GATHER`], the second message waits on in steps of
/// [`GATHER_QUIET`], up to this long in all: well inside the first second.
const GATHER_AT_MOST: std::time::Duration = std::time::Duration::from_millis(400);
const GATHER_QUIET: std::time::Duration = std::time::Duration::from_millis(30);
/// A call that leads within this long of the channel's last message is the second message of a
/// burst (Slack's turn is about a second a channel). Without it, a ping whose call arrived just
/// after the first message came back went alone at once, and the rest of a burst of ten waited
/// a whole turn for a third message (three runs of eight in the bench).
const BURST: std::time::Duration = std::time::Duration::from_secs(1);

/// The messages several troubles may share when many wait for the same channel at once: the
/// manager's first ping (ten troubles opened together for one manager must all reach them in
/// the first second, while Slack allows about one message a second per channel), the asks of
/// an escalation (troubles opened together time out together: a director asked about six of
/// them in the same instant reads two DMs, not six), and the notices in an origin or
/// announcement channel.
fn combinable(to: &Dest, message: &Message) -> Option<Combined> {
    match (to, message) {
        (Dest::Dm(_), Message::ManagerDm) => Some(Combined::ManagerDm),
        (Dest::Dm(_), Message::EscalationDm { .. }) => Some(Combined::EscalationDm),
        (Dest::Channel(_), Message::OriginNotice | Message::Announcement) => Some(Combined::Notice),
        _ => None,
    }
}

/// Posts `me` in `channel` at the channel's next turn, together with the calls that wait for
/// the same turn meanwhile: the first call waits for the turn, the others wait for it. What is
/// still waiting when a message leaves goes at the turn after.
async fn post_together(
    app: &App,
    channel: ChannelId,
    kind: Combined,
    me: Waiter,
) -> Result<Option<Outcome>, AttemptError> {
    let key = (channel, kind);
    let claim = me.claim.clone();
    let (tx, mut rx) = oneshot::channel();
    let lead = {
        let mut gatherings = app.pacer.gatherings.lock().expect("gathering lock");
        let gathering = gatherings.entry(key.clone()).or_default();
        if gathering.led {
            gathering.waiting.push_back((me, tx));
            None
        } else {
            gathering.led = true;
            // The message before this one came back moments ago, before this call could join
            // it: a burst is under way, so this one gathers the rest as a handed-on turn does.
            let follows = gathering.last_left.is_some_and(|at| at.elapsed() < BURST);
            Some((me, follows))
        }
    };
    let (me, handed_on) = match lead {
        Some(lead) => lead,
        None => {
            // The lease must not lapse while another call waits out the channel's turn.
            let step = crate::app::claim_lease(&app.config) / 3;
            loop {
                tokio::select! {
                    turn = &mut rx => match turn {
                        Ok(Turn::Lead(me)) => break (*me, true),
                        Ok(Turn::Done(result)) => return result.map_err(AttemptError::Slack),
                        Ok(Turn::Lost) | Err(_) => return Err(AttemptError::Lost),
                    },
                    _ = app.clock.sleep(step) => {
                        if let Err(e) = app.store.renew(&claim, app.clock.now()).await {
                            tracing::warn!(error = %e, "cannot renew the claim on a call");
                        }
                    }
                }
            }
        }
    };
    // Passed on however the post ends (a panic included): nobody waits for a turn forever.
    let _hand_on = HandOn { app, key: &key };
    lead_post(app, &key, me, handed_on).await
}

struct HandOn<'a> {
    app: &'a App,
    key: &'a (ChannelId, Combined),
}

impl Drop for HandOn<'_> {
    fn drop(&mut self) {
        hand_on(self.app, self.key);
    }
}

/// The turn passes to the first call still waiting (if any); with none, the channel's entry
/// stays, led by nobody, while a call arriving within [`BURST`] would still be part of the burst.
fn hand_on(app: &App, key: &(ChannelId, Combined)) {
    let Ok(mut gatherings) = app.pacer.gatherings.lock() else {
        return;
    };
    let Some(gathering) = gatherings.get_mut(key) else {
        return;
    };
    gathering.last_left = Some(tokio::time::Instant::now());
    while let Some((waiter, turn)) = gathering.waiting.pop_front() {
        if turn.send(Turn::Lead(Box::new(waiter))).is_ok() {
            return;
        }
    }
    gathering.led = false;
    // Kept while a burst may still follow; idle entries go at the map's next look.
    let now = tokio::time::Instant::now();
    gatherings.forget(|_, g| g.led || g.last_left.is_some_and(|at| now.duration_since(at) < BURST));
}

/// Waits for the channel's turn, then posts `me` and the calls waiting behind it (as many as
/// fit, see [`how_many`]) as one message (or `me` alone, as its own message, when nobody waits).
/// `handed_on`: `me` waited while the message before it was on its way, so a burst is under
/// way; its turn is then taken no sooner than [`GATHER`] after the previous message returned.
async fn lead_post(
    app: &App,
    (channel, kind): &(ChannelId, Combined),
    me: Waiter,
    handed_on: bool,
) -> Result<Option<Outcome>, AttemptError> {
    let started = tokio::time::Instant::now();
    pace_post(app, &me.claim, channel).await?;
    if handed_on {
        // What is still landing from the same burst (its opens commit over some tens of
        // milliseconds) rides on this message rather than waiting a whole turn for the next.
        // Real time, not the bot's clock: the opens' own arrival is what is waited for.
        tokio::time::sleep_until(started + GATHER).await;
        let waiting = || {
            let gatherings = app.pacer.gatherings.lock().expect("gathering lock");
            gatherings.get(&(channel.clone(), *kind)).map_or(0, |g| g.waiting.len())
        };
        let mut joined = waiting();
        while joined < MAX_PER_MESSAGE - 1 && started.elapsed() + GATHER_QUIET <= GATHER_AT_MOST {
            tokio::time::sleep(GATHER_QUIET).await;
            let now_joined = waiting();
            if now_joined == joined {
                break;
            }
            joined = now_joined;
        }
    }
    let put_back = |others: Vec<(Waiter, oneshot::Sender<Turn>)>| {
        let mut gatherings = app.pacer.gatherings.lock().expect("gathering lock");
        let gathering = gatherings.entry((channel.clone(), *kind)).or_default();
        for other in others.into_iter().rev() {
            gathering.waiting.push_front(other);
        }
        gathering.waiting.len()
    };
    let mut others: Vec<_> = {
        let mut gatherings = app.pacer.gatherings.lock().expect("gathering lock");
        let gathering = gatherings.entry((channel.clone(), *kind)).or_default();
        let take = how_many(gathering.waiting.len() + 1) - 1;
        gathering.waiting.drain(..take).collect()
    };
    // As many as fit one message Slack takes; the rest keep their place at the head of the line.
    let parts: Vec<_> = std::iter::once(&me)
        .chain(others.iter().map(|(w, _)| w))
        .map(|w| (&*w.trouble, Some(&w.message)))
        .collect();
    let fit = how_many_fit(app.config.locale, &app.config, *kind, &parts);
    let left = others.split_off(fit - 1);
    let more = put_back(left);
    // The slot first, as `take_turn_to_post` does: a call waiting for one after its attempt is
    // recorded would outlive its lease there, unrenewed, and another instance that took it
    // over would find nothing in Slack yet and post it too.
    let mut call_slot = CallSlot::new(app, me.claim.item.lane);
    call_slot.take().await;
    // Recorded, durably and together, right before the call (or, within `ATTEMPT_COVERED` of
    // their queueing, stood for by the items themselves): after a crash each call looks for the
    // message by its own id (see `find_marked`) instead of posting again.
    let claims: Vec<&Claim> = std::iter::once(&me.claim)
        .chain(others.iter().map(|(w, _)| &w.claim))
        .collect();
    let marked = match app.store.mark_attempts(&claims, app.clock.now()).await {
        Ok(marked) => marked,
        Err(e) => {
            put_back(others);
            return Err(e.into());
        }
    };
    if !marked[0] {
        put_back(others);
        return Err(AttemptError::Lost);
    }
    let members: Vec<&Waiter> = std::iter::once(&me)
        .chain(
            others
                .iter()
                .zip(&marked[1..])
                .filter(|(_, ours)| **ours)
                .map(|((w, _), _)| w),
        )
        .collect();
    let locale = app.config.locale;
    let (rendered, together) = if members.len() == 1 {
        (render(locale, &app.config, &me.trouble, &me.message), Vec::new())
    } else {
        let troubles: Vec<Part> = members
            .iter()
            .map(|w| (Trouble::clone(&w.trouble), Some(w.message.clone())))
            .collect();
        let together = troubles.iter().map(|(t, _)| t.id.clone()).collect();
        (combined(locale, &app.config, *kind, &troubles, more, None), together)
    };
    let marker = Marker {
        deliveries: members.iter().map(|w| w.claim.item.marker()).collect(),
        troubles: together.clone(),
    };
    if members.len() > 1 {
        tracing::info!(channel = %channel, troubles = members.len(), more, "posting one message for several troubles");
    }
    let result = app
        .slack
        .post_message(channel.as_str(), &rendered, None, Some(&marker))
        .await;
    call_slot.release();
    if let Err(e) = &result {
        hold_on_429(app, channel, e);
    }
    // One reader for all of them: one who left reads none of it.
    let to = match &me.claim.item.op {
        Op::Post { to, .. } => Some(to.clone()),
        _ => None,
    };
    let left = match &to {
        Some(to) if result.is_ok() => Box::pin(reader_left(app, to, &me.message)).await,
        _ => None,
    };
    let away = match &to {
        Some(to) if result.is_ok() && left.is_none() => Box::pin(reader_away(app, &me.trouble, to, &me.message)).await,
        _ => None,
    };
    let outcome = |waiter: &Waiter| match left {
        Some(who) => Ok(Some(person_left(who))),
        None => posted(
            app,
            &waiter.trouble,
            &waiter.message,
            waiter.keep_as,
            result.clone(),
            together.clone(),
        )
        .map(|outcome| told_away(outcome, away.clone())),
    };
    for ((waiter, turn), still_ours) in others.into_iter().zip(marked.into_iter().skip(1)) {
        let told = if still_ours {
            Turn::Done(outcome(&waiter))
        } else {
            Turn::Lost
        };
        // A waiter that gave up (its worker stopped) finds the message by its marker later.
        let _ = turn.send(told);
    }
    Ok(outcome(&me)?)
}

/// Edits a message several troubles share (see [`post_together`]) from the current state of
/// all of them. Edits of one message go one at a time; a refresh queued before another edit
/// read the troubles is already shown by it, and is skipped.
async fn refresh_together(app: &App, kind: Combined, message: &PostedMessage) -> Result<Option<Outcome>, AttemptError> {
    let arrived = app.pacer.arrivals.fetch_add(1, Ordering::SeqCst);
    let lock = app.pacer.edit_lock(message);
    let mut last_read = lock.lock().await;
    if *last_read > arrived {
        return Ok(None);
    }
    let before = *last_read;
    *last_read = app.pacer.arrivals.fetch_add(1, Ordering::SeqCst);
    let mut troubles = Vec::with_capacity(message.together.len());
    for id in &message.together {
        match app.store.get(id).await {
            Ok(Some(t)) => {
                let alone = t.asking_escalation_dm(message).cloned();
                troubles.push((Arc::unwrap_or_clone(t), alone));
            }
            Ok(None) => {}
            // Rendered without it, the message would lose that trouble's line: it stays as it
            // was, and the lane (the troubles' later pings) goes on.
            Err(e) if e.is_unreadable() => {
                *last_read = before;
                crate::store::Unreadable::new(id.as_str().as_bytes(), e)
                    .left_out_of("an edit of the message it shares with others (the message stays as it was)");
                return Ok(None);
            }
            Err(e) => {
                *last_read = before;
                return Err(e.into());
            }
        }
    }
    let rendered = combined(app.config.locale, &app.config, kind, &troubles, 0, Some(message));
    match app.slack.update_message(&message.channel, &message.ts, &rendered).await {
        Ok(()) => Ok(None),
        Err(e) => {
            *last_read = before;
            hold_on_429(app, &message.channel, &e);
            Err(e.into())
        }
    }
}

/// The message `item` already posted in `channel` before a crash or timeout, if Slack shows it.
async fn earlier_post(
    app: &App,
    item: &OutboxItem,
    channel: &ChannelId,
    thread_ts: Option<&Ts>,
) -> Result<Option<Marked>, AttemptError> {
    let own = app.bot_identity().ok_or(AttemptError::IdentityUnknown)?;
    match app
        .slack
        .find_marked(
            channel.as_str(),
            thread_ts,
            item.marker(),
            item.created_at.timestamp(),
            &own,
        )
        .await
    {
        Ok(Some(posted)) => {
            tracing::info!(
                delivery = item.id,
                "already posted before a crash or timeout; not posting twice"
            );
            Ok(Some(posted))
        }
        Ok(None) => Ok(None),
        // We cannot look (e.g. a public channel the bot is not in): posting beats silence.
        Err(e) if e.is_permanent() => {
            tracing::info!(error = %e, "cannot check for an earlier post");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Waits for the turn to post in `channel` without holding a call slot, then records the attempt.
async fn take_turn_to_post(
    app: &App,
    claim: &Claim,
    call_slot: &mut CallSlot<'_>,
    channel: &ChannelId,
) -> Result<(), AttemptError> {
    call_slot.release();
    pace_post(app, claim, channel).await?;
    call_slot.take().await;
    mark_attempt(app, claim).await
}

/// Waits for this instance's turn to post in `channel` (and any 429 hold on it) and, when
/// other instances share the store, for the channel's turn among all of them.
async fn pace_post(app: &App, claim: &Claim, channel: &ChannelId) -> Result<(), AttemptError> {
    let mine = app.pacer.turn(PaceKey::Posts(channel.clone()));
    let shared = match app
        .store
        .reserve_post_slot(channel, app.clock.now(), app.pacer.turn)
        .await
    {
        Ok(slot) => slot.map(|at| at - span(app.pacer.turn)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot take a shared posting slot; paced by this instance alone");
            None
        }
    };
    wait_holding(app, claim, shared.map_or(mine, |at| at.max(mine))).await
}

/// Sleeps until `until`, renewing the claim on the way: a long queue for a busy channel must
/// not let the lease lapse and hand the call to another instance that would queue again.
/// A stop ends the wait: a stop never waits out a queue (calls that never left are the next
/// run's to send, with nothing to look for).
async fn wait_holding(app: &App, claim: &Claim, until: DateTime<Utc>) -> Result<(), AttemptError> {
    let step = span(crate::app::claim_lease(&app.config) / 3);
    let mut stopping = app.stopping.subscribe();
    loop {
        let now = app.clock.now();
        if now >= until {
            return Ok(());
        }
        tokio::select! {
            _ = app.clock.sleep_until(until.min(now + step)) => {}
            _ = stopping.wait_for(|stopping| *stopping) => return Err(AttemptError::Stopping),
        }
        if !app.store.renew(claim, app.clock.now()).await? {
            return Err(AttemptError::Lost);
        }
    }
}

/// Records, durably, that a call that must not happen twice leaves now.
async fn mark_attempt(app: &App, claim: &Claim) -> Result<(), AttemptError> {
    if app.store.mark_attempt(claim, app.clock.now()).await? {
        Ok(())
    } else {
        Err(AttemptError::Lost)
    }
}

fn hold_on_429(app: &App, channel: &ChannelId, e: &SlackError) {
    if let Some(wait) = e.retry_after() {
        app.pacer.hold(PaceKey::Posts(channel.clone()), wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_a_previous_run_started_is_looked_for_only_after_it_can_no_longer_arrive() {
        let started = chrono::DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let timeout = Duration::from_secs(2);
        let at = |ms: i64| started + chrono::Duration::milliseconds(ms);
        assert_eq!(settle_wait(started, at(0), timeout), Duration::from_secs(3));
        assert_eq!(settle_wait(started, at(2500), timeout), Duration::from_millis(500));
        assert_eq!(settle_wait(started, at(3000), timeout), Duration::ZERO);
        assert_eq!(settle_wait(started, at(60_000), timeout), Duration::ZERO);
    }

    /// An app with the default configuration on a sled store of its own (kept while the
    /// directory is), for what can be measured without running it.
    fn app_on_sled() -> (tempfile::TempDir, Arc<App>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = crate::config::Config::from_sources(None, &Default::default()).expect("default config");
        let store = crate::store::Store::open_sled(dir.path()).expect("store opens");
        (dir, App::new(config, crate::clock::Clock::System, store))
    }

    /// A call of this instance's, queued at `now` and never tried.
    fn claimed_call(now: DateTime<Utc>) -> Claim {
        Claim {
            item: OutboxItem {
                id: 1,
                trouble: None,
                lane: Lane::Dm,
                op: Op::CreateChannel,
                created_at: now,
                attempt_started_at: None,
                marked_as: None,
            },
            reclaimed: false,
        }
    }

    /// A lane's task lives as long as its lane has work: through a Slack outage, every lane
    /// of every trouble opened meanwhile waits (for its backoff, or for a delivery slot) at
    /// once. Its future must not keep room for the calls it makes in between: it took 22 KB
    /// before they were boxed, and the release binary held 463 MB after 8,000 troubles opened
    /// in ten seconds of an outage (115 MB after).
    #[tokio::test]
    async fn a_lane_waiting_out_a_slack_outage_holds_little_memory() {
        let (_dir, app) = app_on_sled();
        let (_stop, shutdown) = watch::channel(false);
        let waiting = lane_task(app, LaneKey::of(None, Lane::Dm), Arc::default(), shutdown);
        let size = std::mem::size_of_val(&waiting);
        assert!(size <= 2048, "a lane's task takes {size} bytes");
    }

    /// A stop does not wait out a channel's queue: a call waiting its turn to post gives up the
    /// wait, unsent, for the next run (an hour's wait here; the test waits ten seconds at most).
    #[tokio::test]
    async fn a_call_waiting_its_turn_to_post_is_left_for_the_next_run_when_the_bot_stops() {
        let (_dir, app) = app_on_sled();
        let claim = claimed_call(app.clock.now());
        let until = app.clock.now() + chrono::TimeDelta::hours(1);
        let waiting = tokio::spawn({
            let app = app.clone();
            async move { wait_holding(&app, &claim, until).await }
        });
        app.stopping.send_replace(true);
        let waited = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the wait ends at the stop")
            .expect("the wait runs");
        assert!(matches!(waited, Err(AttemptError::Stopping)), "{waited:?}");
    }

    /// Every Slack call is one delivery, and each boxes the futures it awaits (see
    /// `deliver_lane`): a future is moved into its box whole, the room of its largest state
    /// included. On sled the store answers at once, so the store's calls hold no room for the
    /// PostgreSQL queries they do not make (1.7-2.3 KB each before), and one attempt stays a
    /// small allocation for jemalloc (under its 14 KiB classes: 21.7 KB before, a large
    /// allocation whose pages went back to the system at every free).
    #[tokio::test]
    async fn a_delivery_moves_and_allocates_little_memory() {
        let (_dir, app) = app_on_sled();
        let lane = LaneKey::of(None, Lane::Dm);
        let now = app.clock.now();
        let claim = claimed_call(now);
        let id = crate::trouble::model::TroubleId::new("20261201-1");
        let store_calls = [
            (
                "claim_lane_head",
                std::mem::size_of_val(&app.store.claim_lane_head(&lane, now)),
            ),
            ("renew", std::mem::size_of_val(&app.store.renew(&claim, now))),
            ("get", std::mem::size_of_val(&app.store.get(&id))),
            (
                "transact",
                std::mem::size_of_val(&app.store.transact(&id, &[], None, now, |_| Default::default())),
            ),
        ];
        for (call, size) in store_calls {
            assert!(size <= 256, "the store's {call} takes {size} bytes");
        }
        let attempt = std::mem::size_of_val(&deliver_once(&app, &claim, false, CallSlot::new(&app, Lane::Dm)));
        assert!(attempt <= 14 * 1024, "an attempt takes {attempt} bytes");
    }
}
