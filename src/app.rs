//! The shared state of a running bot: configuration, clock, store, Slack client, the wake-ups
//! of its workers. How it starts and stops is `serve.rs`.

use std::sync::{Arc, RwLock};

use tokio::sync::{mpsc, watch, Notify};

use crate::clock::Clock;
use crate::config::{Config, Secret};
use crate::metrics::Metrics;
use crate::runtime::pacer::Pacer;
use crate::slack::client::Identity;
use crate::slack::SlackClient;
use crate::socket_mode::state::SocketState;
use crate::store::{LaneKey, Store, StoreError};
use crate::trouble::decide::{Decision, Delivery, Lane, Op};

/// What the deliverer is told when work is queued.
#[derive(Debug)]
pub enum Wake {
    /// This lane has work.
    Lane(LaneKey),
}

pub struct App {
    pub config: Arc<Config>,
    /// Where every part of the shell reads the time and waits.
    pub clock: Clock,
    pub store: Store,
    pub slack: SlackClient,
    pub metrics: Metrics,
    pub pacer: Pacer,
    /// Bounds Slack calls in flight (the manager chain's DMs have their own), so a burst
    /// of work reuses pooled connections and leaves CPU for answering Slack within 3 s.
    pub delivery_slots: tokio::sync::Semaphore,
    /// Bounds the DM lane's calls in flight apart (see `DM_SLOTS`).
    pub dm_slots: tokio::sync::Semaphore,
    /// Tells the deliverer which lane has new work (a targeted wake, no rescan of the outbox).
    outbox_wake: mpsc::UnboundedSender<Wake>,
    outbox_wake_rx: std::sync::Mutex<Option<mpsc::UnboundedReceiver<Wake>>>,
    pub timers_changed: Notify,
    /// Woken when another instance sharing the store queued calls or set timers (and by a
    /// poll, for leases that ran out): the deliverer and the timer loop look again.
    pub shared_work: Arc<Notify>,
    /// The bot's own user id, learnt from `auth.test`, so it can ignore its own messages.
    pub identity: RwLock<Option<Identity>>,
    /// Which channels are shared outside the company (Slack Connect), as far as the bot knows.
    pub shared_channels: crate::slack::connect::SharedChannels,
    /// Who has left (a deactivated account), as far as the bot knows.
    pub people_left: crate::slack::people::PeopleLeft,
    /// The Socket Mode connections, when the bot receives Slack's requests that way.
    pub socket: SocketState,
    /// Outbox items older than this were left by a previous run and may have been in flight.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// What the log has said of refused requests, per bot (not per process: a test process
    /// runs many bots).
    pub refusals_logged: crate::logs::RefusalsLogged,
    /// Set once when the bot begins to stop: its workers finish what is under way and leave
    /// the rest queued for the next run.
    pub stopping: watch::Sender<bool>,
    /// One open at a time per customer (see [`OpeningTurns`]).
    pub opening: OpeningTurns,
}

/// Opens of one customer take turns in this process: an open reads the customer's troubles
/// (the same open sent twice opens nothing the second time) and then writes its own, and two
/// sent at once (a double submit) must not both read before either wrote. Customers share one
/// of a fixed set of turns by their key's hash: no map to grow or clean, and different
/// customers meet only for the length of one write.
pub struct OpeningTurns([tokio::sync::Mutex<()>; OPENING_TURNS]);

const OPENING_TURNS: usize = 256;

impl Default for OpeningTurns {
    fn default() -> Self {
        OpeningTurns(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

impl OpeningTurns {
    /// Waits for the turn of the customer filed under `key`.
    pub async fn take(&self, key: &str) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        self.0[(hash % OPENING_TURNS as u64) as usize].lock().await
    }
}

impl App {
    /// A bot on `store` (see [`open_store`]).
    pub fn new(config: Config, clock: Clock, store: Store) -> Arc<App> {
        let token = config.slack.bot_token.clone().unwrap_or_else(|| Secret::new(""));
        let slack = SlackClient::new(&config.slack.api_url, token, config.slack.timeout);
        let (outbox_wake, outbox_wake_rx) = mpsc::unbounded_channel();
        let pacer = Pacer::new(clock.clone(), config.slack.channel_turn);
        Arc::new(App {
            config: Arc::new(config),
            pacer,
            started_at: clock.now(),
            clock,
            store,
            slack,
            metrics: Metrics::default(),
            delivery_slots: tokio::sync::Semaphore::new(crate::runtime::pacer::DELIVERY_SLOTS),
            dm_slots: tokio::sync::Semaphore::new(crate::runtime::pacer::DM_SLOTS),
            outbox_wake,
            outbox_wake_rx: std::sync::Mutex::new(Some(outbox_wake_rx)),
            timers_changed: Notify::new(),
            shared_work: Arc::default(),
            identity: RwLock::new(None),
            shared_channels: Default::default(),
            people_left: Default::default(),
            socket: Default::default(),
            refusals_logged: Default::default(),
            stopping: watch::Sender::new(false),
            opening: OpeningTurns::default(),
        })
    }

    /// Makes a stored decision durable (one shared fsync), then wakes the workers: called
    /// before answering Slack, so what the bot answered, it has stored.
    ///
    /// The decision is already applied when this runs (its transaction committed). A failed
    /// flush is not retried: sled's answer to a write that failed stays an error, so the
    /// decision will not be durable in this run, and the store stops writing (`StoreError::
    /// Halted`). The caller then must not say it was done (an open answered "opened" whose
    /// flush had failed was gone after the restart, its manager never told): it answers that
    /// nothing can be counted on as saved, and no worker is woken for it.
    pub async fn commit(&self, decision: &Decision) -> Result<(), StoreError> {
        if decision.trouble.is_some() || !decision.deliveries.is_empty() {
            self.store.flush().await?;
        }
        self.after_write(decision).await;
        Ok(())
    }

    /// Wakes the workers a stored decision concerns.
    pub async fn after_write(&self, decision: &Decision) {
        self.metrics.observe_decision(decision);
        self.refresh_homes(decision).await;
        let mut woken: Vec<LaneKey> = Vec::new();
        for d in &decision.deliveries {
            let key = LaneKey::of(decision.subject.as_ref(), d.lane);
            if !woken.contains(&key) {
                self.wake(Wake::Lane(key.clone()));
                woken.push(key);
            }
        }
        if !decision.timers.is_empty() {
            self.timers_changed.notify_one();
        }
    }

    /// Republishes the App Home of the people a change concerns, if they use it: those whose
    /// Home shows the trouble now, and those whose Home showed it before the change.
    async fn refresh_homes(&self, decision: &Decision) {
        let Some(t) = decision.trouble.as_ref().filter(|_| !decision.entries.is_empty()) else {
            return;
        };
        let mut people = crate::trouble::home::people(t);
        people.extend(decision.home_left.iter().cloned());
        let now = self.clock.now();
        for user in people {
            if matches!(self.store.home_needs_publish(&user).await, Ok(true)) {
                self.publish_home(user, now).await;
            }
        }
    }

    pub async fn publish_home(&self, user: crate::trouble::model::UserId, now: chrono::DateTime<chrono::Utc>) {
        let op = Op::PublishHome { user };
        if let Err(e) = self.send_loose(Delivery { lane: Lane::Home, op }, now).await {
            tracing::error!(error = %e, "cannot queue an App Home refresh");
        }
    }

    /// Queues a call that belongs to no trouble (an App Home publish, the answer to a click)
    /// and wakes its lane: bookkeeping of the delivery machinery, not a decision.
    pub async fn send_loose(&self, delivery: Delivery, now: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
        let lane = LaneKey::of(None, delivery.lane);
        self.store.enqueue_loose(vec![delivery], now).await?;
        self.wake(Wake::Lane(lane));
        Ok(())
    }

    pub fn wake(&self, wake: Wake) {
        // Only fails when the deliverer has stopped; the work stays in the outbox for the next start.
        let _ = self.outbox_wake.send(wake);
    }

    /// The deliverer's end of the wake channel (taken once, when it starts).
    pub fn take_wake_receiver(&self) -> Option<mpsc::UnboundedReceiver<Wake>> {
        self.outbox_wake_rx.lock().ok()?.take()
    }

    pub fn bot_user_id(&self) -> Option<String> {
        self.identity.read().ok()?.as_ref().map(|i| i.user_id.to_string())
    }

    /// Whether a request Slack says comes from someone of workspace `team` (and Enterprise Grid
    /// org `enterprise`) comes from another organisation: a customer in a channel shared with
    /// them (Slack Connect), who never acts for the company. Unknown (Slack said no team, or the
    /// bot knows neither its workspace nor its org yet) is not another: the roles still decide. Read under the
    /// identity's lock, copying nothing: every command asks.
    pub fn of_another_org(&self, team: Option<&str>, enterprise: Option<&str>) -> bool {
        let Some(team) = team.filter(|t| !t.is_empty()) else {
            return false;
        };
        let guard = self.identity.read();
        let identity = guard.as_deref().ok().and_then(Option::as_ref);
        // With an org configured (`E…`) our org is known before `auth.test` answers: only
        // when neither is known is nobody another.
        let (ours, our_org) = (self.our_workspace(identity), self.our_org(identity));
        if ours.is_none() && our_org.is_none() {
            return false;
        }
        // On Grid, Slack may name someone's team by the org's `E…` itself.
        let same_org =
            Some(team) == our_org || enterprise.filter(|e| !e.is_empty()).is_some_and(|e| our_org == Some(e));
        Some(team) != ours && !same_org
    }

    /// `channel` is shared with another organisation, which reads its history: every trouble
    /// whose origin notice or announcement stands there has it withdrawn (`Input::NoticesShared`).
    /// Finding them walks every trouble, so it runs on its own task (off the answer to Slack;
    /// sled's walk off the async workers): channels are shared rarely, and
    /// [`crate::slack::connect::SharedChannels::first_sweep`] keeps the other paths to once.
    pub fn withdraw_notices_in(
        self: &Arc<Self>,
        channel: crate::trouble::model::ChannelId,
        org: Option<String>,
        org_name: Option<String>,
    ) {
        let app = Arc::clone(self);
        tokio::spawn(async move {
            let there = channel.clone();
            let walked = match app.store.troubles_where(move |t| t.has_notice_in(&there)).await {
                Ok(walked) => walked,
                Err(e) => {
                    tracing::warn!(error = %e, %channel, "cannot look for the notices standing in a channel shared outside");
                    app.shared_channels.unswept(channel.as_str());
                    return;
                }
            };
            for unreadable in &walked.unreadable {
                unreadable.left_out_of("the notices withdrawn from a channel shared outside");
            }
            for t in walked.troubles {
                let input = crate::trouble::decide::Input::NoticesShared {
                    channel: channel.clone(),
                    org: org.clone(),
                    org_name: org_name.clone(),
                };
                if let Err(e) = Box::pin(app.engine().apply(&t.id, &[], input)).await {
                    tracing::warn!(error = %e, trouble = %t.id, "cannot withdraw a notice from a channel shared outside");
                    app.shared_channels.unswept(channel.as_str());
                }
            }
        });
    }

    /// [`Self::withdraw_notices_in`], the first time this run `channel` is found shared on a
    /// path that does not know by whom (an event marked shared, a post or an edit refused as
    /// shared); `channel_shared` itself always looks.
    pub fn withdraw_notices_once_in(self: &Arc<Self>, channel: &crate::trouble::model::ChannelId) {
        if self.shared_channels.first_sweep(channel.as_str()) {
            self.withdraw_notices_in(channel.clone(), None, None);
        }
    }

    /// Our workspace's id: the configured `team_id` (a `T…`), else the one `auth.test` said
    /// (`identity`).
    pub fn our_workspace<'a>(&'a self, identity: Option<&'a crate::slack::client::Identity>) -> Option<&'a str> {
        self.config
            .team_workspace()
            .or_else(|| identity.and_then(|i| i.team_id.as_deref()))
    }

    /// Our Enterprise Grid org's id, on one: the configured `team_id` (an `E…`), else the one
    /// `auth.test` said (`identity`).
    pub fn our_org<'a>(&'a self, identity: Option<&'a crate::slack::client::Identity>) -> Option<&'a str> {
        self.config
            .team_org()
            .or_else(|| identity.and_then(|i| i.enterprise_id.as_deref()))
    }

    /// Of the people a command names, the first Slack says cannot take the part: one of
    /// `joining` of another organisation (a customer met through Slack Connect, who never
    /// acts for the company), else one of `to_reach` whose account is deactivated (what the
    /// bot sends them would be read by nobody). Each person is looked up once (the remembered
    /// `users.info` answer answers both questions), all at once, so the command waits
    /// [`OUTSIDER_WAIT`] at most. Unsure (no answer in time) is neither.
    pub async fn unfit_among<'a>(
        &self,
        joining: Vec<&'a crate::trouble::model::UserId>,
        to_reach: Vec<&'a crate::trouble::model::UserId>,
    ) -> Option<Unfit> {
        let mut people: Vec<&crate::trouble::model::UserId> = Vec::new();
        for who in joining.iter().chain(&to_reach) {
            if !people.contains(who) {
                people.push(who);
            }
        }
        let now = self.clock.now();
        let seen = futures_util::future::join_all(people.iter().map(|who| async move {
            let seen = tokio::time::timeout(OUTSIDER_WAIT, self.people_left.seen(&self.slack, who, now)).await;
            (*who, seen.ok().flatten())
        }))
        .await;
        let said =
            |who: &crate::trouble::model::UserId| seen.iter().find(|(w, _)| *w == who).and_then(|(_, s)| s.as_ref());
        let outsider = joining.iter().find(|who| {
            said(who).is_some_and(|s| self.of_another_org(s.team_id.as_deref(), s.enterprise_id.as_deref()))
        });
        if let Some(who) = outsider {
            return Some(Unfit::Outsider((*who).clone()));
        }
        to_reach
            .iter()
            .find(|who| said(who).is_some_and(|s| s.deactivated))
            .map(|who| Unfit::Departed((*who).clone()))
    }

    /// The manager named at open (typed or chosen in the form) when Slack places them in
    /// another organisation or says their account is deactivated, asked as [`Self::unfit_among`]
    /// asks (the remembered answer, else `users.info` within [`OUTSIDER_WAIT`]). Checked before
    /// anything is stored: once open, the named manager's DM, the channel invite and the
    /// kickoff's mention would reach an outsider, and the ask to acknowledge would reach nobody
    /// in a departed account. None named, or the owner's configured manager (ours by
    /// configuration), asks nothing: the usual open waits on no Slack call.
    pub async fn unfit_named_at_open(
        &self,
        owner: &crate::trouble::model::UserId,
        named: Option<&crate::trouble::model::UserId>,
    ) -> Option<Unfit> {
        let named = named?;
        if self.config.policy.manager_of(owner).as_ref() == Some(named) {
            return None;
        }
        self.unfit_among(vec![named], vec![named]).await
    }

    /// The bot's own identity, once `auth.test` has said it.
    pub fn bot_identity(&self) -> Option<crate::slack::client::Identity> {
        self.identity.read().ok()?.clone()
    }

    /// The refusal when `people` name the bot itself to a part in a trouble (see
    /// [`crate::trouble::command::Command::people_given_a_part`]).
    pub fn refuse_the_bot<'a>(
        &self,
        mut people: impl Iterator<Item = &'a crate::trouble::model::UserId>,
    ) -> Option<String> {
        let bot = self.bot_user_id()?;
        people
            .any(|u| u.as_str() == bot)
            .then(|| crate::i18n::bot_given_a_part(self.config.locale, &bot))
    }
}

/// Why Slack says someone named cannot take the part a command gives them ([`App::unfit_among`]).
#[derive(Debug, PartialEq, Eq)]
pub enum Unfit {
    /// Of another organisation.
    Outsider(crate::trouble::model::UserId),
    /// Their Slack account is deactivated.
    Departed(crate::trouble::model::UserId),
}

impl Unfit {
    /// The refusal of a command or form that gave them `part`: why, and that nothing changed.
    pub fn refusal(&self, l: crate::i18n::Locale, part: crate::trouble::command::Part) -> String {
        match self {
            Unfit::Outsider(who) => crate::i18n::outsider_given_a_part(l, who.as_str()),
            Unfit::Departed(who) => crate::i18n::departed_given_a_part(l, who.as_str(), part),
        }
    }
}

/// How long a command waits for Slack to say who someone named is (their organisation, whether
/// their account is deactivated).
const OUTSIDER_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// A claim must outlast what a lane worker does between two renewals (an attempt and the
/// longest backoff), so a live instance keeps its work; no longer, so a dead one's moves on.
pub fn claim_lease(config: &Config) -> std::time::Duration {
    config.slack.timeout + crate::runtime::pacer::MAX_BACKOFF + std::time::Duration::from_secs(2)
}
