//! The shared state of a running bot, and how it starts and stops.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use tokio::sync::{mpsc, watch, Notify};

use crate::clock::Clock;
use crate::config::{Config, Secret};
use crate::metrics::Metrics;
use crate::runtime::deliver::{run_deliverer, Pacer};
use crate::runtime::timers::run_timers;
use crate::slack::client::Identity;
use crate::slack::SlackClient;
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
    /// Bounds Slack calls in flight (the manager's DMs excepted, see the deliverer), so a burst
    /// of work reuses pooled connections and leaves CPU for answering Slack within 3 s.
    pub delivery_slots: tokio::sync::Semaphore,
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
    /// The Socket Mode connections, when the bot receives Slack's requests that way.
    pub socket: crate::socket_mode::SocketState,
    /// Outbox items older than this were left by a previous run and may have been in flight.
    pub started_at: chrono::DateTime<chrono::Utc>,
}

impl App {
    /// A bot on `store` (see [`open_store`]).
    pub fn new(config: Config, clock: Clock, store: Store) -> Arc<App> {
        let token = config.slack.bot_token.clone().unwrap_or_else(|| Secret::new(""));
        let slack = SlackClient::new(&config.slack.api_url, token, config.slack.timeout);
        let (outbox_wake, outbox_wake_rx) = mpsc::unbounded_channel();
        Arc::new(App {
            config: Arc::new(config),
            pacer: Pacer::new(clock.clone()),
            started_at: clock.now(),
            clock,
            store,
            slack,
            metrics: Metrics::default(),
            delivery_slots: tokio::sync::Semaphore::new(crate::runtime::deliver::DELIVERY_SLOTS),
            outbox_wake,
            outbox_wake_rx: std::sync::Mutex::new(Some(outbox_wake_rx)),
            timers_changed: Notify::new(),
            shared_work: Arc::default(),
            identity: RwLock::new(None),
            shared_channels: Default::default(),
            socket: Default::default(),
        })
    }

    /// Makes a stored decision durable (one shared fsync), then wakes the workers: called
    /// before answering Slack, so what the bot answered, it has stored.
    ///
    /// The decision is already applied when this runs (its transaction committed), so the
    /// workers are woken whatever the flush says: an error means "applied, durability not
    /// confirmed" (sled keeps flushing in the background), never "not applied" — a caller must
    /// not invite a retry, and a retried request is skipped by the key stored with it.
    pub async fn commit(&self, decision: &Decision) -> Result<(), StoreError> {
        let mut result = Ok(());
        if decision.trouble.is_some() || !decision.deliveries.is_empty() {
            for wait_ms in [0, 50, 200] {
                if wait_ms > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
                }
                result = self.store.flush().await;
                if result.is_ok() {
                    break;
                }
            }
        }
        if let Err(e) = &result {
            tracing::error!(error = %e, "a stored decision could not be flushed; it stands, sled retries the flush");
        }
        self.after_write(decision).await;
        result
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

    /// Republishes the App Home of the people a change concerns, if they use it.
    async fn refresh_homes(&self, decision: &Decision) {
        let Some(t) = decision.trouble.as_ref().filter(|_| !decision.entries.is_empty()) else {
            return;
        };
        let mut people = vec![t.owner.clone()];
        people.extend(t.manager_chain().iter().cloned());
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
}

/// A bot serving on a socket, with its workers. Tests and `main` both start it this way.
pub struct RunningBot {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    shutdown: watch::Sender<bool>,
    tasks: tokio::task::JoinSet<()>,
    /// How long `stop` waits for the server and the workers before it cuts them off.
    stop_deadline: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {error}")]
    Listen { addr: String, error: std::io::Error },
}

/// Starts the bot with the default HTTP limits.
pub async fn start(config: Config) -> Result<RunningBot, StartError> {
    start_with(config, crate::http::server::Limits::default()).await
}

/// Starts the bot with these HTTP limits (tests shorten the timeouts).
pub async fn start_with(config: Config, limits: crate::http::server::Limits) -> Result<RunningBot, StartError> {
    start_on(config, limits, Clock::System).await
}

/// Starts the bot on this clock (tests pass a manual one and advance it instead of sleeping).
pub async fn start_on(
    config: Config,
    limits: crate::http::server::Limits,
    clock: Clock,
) -> Result<RunningBot, StartError> {
    let listen = config.listen.clone();
    let store = open_store(&config).await?;
    let app = App::new(config, clock, store);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|error| StartError::Listen {
            addr: listen.clone(),
            error,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|error| StartError::Listen { addr: listen, error })?;
    let (shutdown, rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    let router = crate::http::router(app.clone());
    // In-flight Slack calls finish within slack_timeout; requests within the grace period.
    let stop_deadline = limits.shutdown_grace.max(app.config.slack.timeout) + std::time::Duration::from_secs(1);
    tasks.spawn(crate::http::server::serve(listener, router, limits, rx.clone()));
    tasks.spawn(run_deliverer(app.clone(), rx.clone()));
    tasks.spawn(run_timers(app.clone(), rx.clone()));
    tasks.spawn(learn_identity(app.clone(), rx.clone()));
    if app.config.socket_mode() {
        tasks.spawn(crate::socket_mode::run(app.clone(), rx.clone()));
    }
    tasks.spawn(prune_keys(app.clone(), rx.clone()));
    if let (Some(url), true) = (&app.config.database_url, app.store.is_shared()) {
        let listen =
            crate::pg::listen::wake_on_new_work(url.expose().to_string(), app.shared_work.clone(), SHARED_POLL);
        let mut stop = rx;
        tasks.spawn(async move {
            tokio::select! {
                _ = listen => {}
                _ = stop.changed() => {}
            }
        });
    }
    tracing::info!(%addr, "trouble-bot listening");
    Ok(RunningBot {
        addr,
        app,
        shutdown,
        tasks,
        stop_deadline,
    })
}

impl RunningBot {
    /// Stops accepting, lets in-flight requests and Slack calls finish, flushes the store.
    /// Bounded: whatever still runs at the deadline (a slow client, a hung call) is cut off,
    /// and the store is flushed all the same; the outbox keeps what was not delivered.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        let finished = tokio::time::timeout(self.stop_deadline, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!("work still running at the shutdown deadline was cut off");
            self.tasks.shutdown().await;
        }
        if let Err(e) = self.app.store.flush().await {
            tracing::error!(error = %e, "final flush failed");
        }
    }
}

/// How often an instance sharing the store looks for work no notification announced (a lease
/// that ran out, a notification lost with its connection).
const SHARED_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// The store `config` names: PostgreSQL at `database_url` (schema brought up to date), sled
/// under `data_dir` otherwise.
pub async fn open_store(config: &Config) -> Result<Store, StoreError> {
    match &config.database_url {
        None => Store::open_sled(&config.data_dir),
        Some(url) => {
            let instance = format!(
                "{}:{}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into()),
                std::process::id()
            );
            Store::connect_postgres(url.expose(), &instance, claim_lease(config)).await
        }
    }
}

/// A claim must outlast what a lane worker does between two renewals (an attempt and the
/// longest backoff), so a live instance keeps its work; no longer, so a dead one's moves on.
pub fn claim_lease(config: &Config) -> std::time::Duration {
    config.slack.timeout + crate::runtime::deliver::MAX_BACKOFF + std::time::Duration::from_secs(2)
}

/// Asks Slack who the bot is, retrying in the background: the server does not wait for it.
async fn learn_identity(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    let mut wait = std::time::Duration::from_millis(500);
    loop {
        match app.slack.auth_test().await {
            Ok(identity) => {
                tracing::info!(user = %identity.user_id, "connected to Slack");
                if let Ok(mut slot) = app.identity.write() {
                    *slot = Some(identity);
                }
                return;
            }
            Err(e) => tracing::warn!(error = %e, "auth.test failed; will retry"),
        }
        tokio::select! {
            _ = app.clock.sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        wait = (wait * 2).min(std::time::Duration::from_secs(60));
    }
}

/// Slack stops retrying an event within minutes; remembering ids for six hours is plenty.
async fn prune_keys(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let cutoff = app.clock.now() - chrono::Duration::hours(6);
        if let Err(e) = app.store.prune_keys(cutoff).await {
            tracing::warn!(error = %e, "cannot prune event ids");
        }
        tokio::select! {
            _ = app.clock.sleep(std::time::Duration::from_secs(600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
