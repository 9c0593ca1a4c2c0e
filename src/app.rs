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
use crate::store::{lane_key, Store, StoreError};
use crate::trouble::decide::{Decision, Delivery, Lane, Op};

/// What the deliverer is told when work is queued.
#[derive(Debug)]
pub enum Wake {
    /// This lane (its outbox key prefix) has work.
    Lane(Vec<u8>),
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
    /// The bot's own user id, learnt from `auth.test`, so it can ignore its own messages.
    pub identity: RwLock<Option<Identity>>,
    /// Outbox items older than this were left by a previous run and may have been in flight.
    pub started_at: chrono::DateTime<chrono::Utc>,
}

impl App {
    pub fn new(config: Config, clock: Clock) -> Result<Arc<App>, StoreError> {
        let store = Store::open(&config.data_dir)?;
        let token = config.slack.bot_token.clone().unwrap_or_else(|| Secret::new(""));
        let slack = SlackClient::new(&config.slack.api_url, token, config.slack.timeout);
        let (outbox_wake, outbox_wake_rx) = mpsc::unbounded_channel();
        Ok(Arc::new(App {
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
            identity: RwLock::new(None),
        }))
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
        self.refresh_homes(decision);
        let mut woken: Vec<Vec<u8>> = Vec::new();
        for d in &decision.deliveries {
            let key = lane_key(decision.subject.as_ref(), d.lane);
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
    fn refresh_homes(&self, decision: &Decision) {
        let Some(t) = decision.trouble.as_ref().filter(|_| !decision.entries.is_empty()) else {
            return;
        };
        let mut people = vec![t.owner.clone()];
        people.extend(t.manager_chain().iter().cloned());
        let now = self.clock.now();
        for user in people {
            if self.store.is_home_viewer(&user) && !self.store.home_publish_pending(&user) {
                self.publish_home(user, now);
            }
        }
    }

    pub fn publish_home(&self, user: crate::trouble::model::UserId, now: chrono::DateTime<chrono::Utc>) {
        let op = Op::PublishHome { user };
        match self.store.enqueue_loose(vec![Delivery { lane: Lane::Home, op }], now) {
            Ok(()) => self.wake(Wake::Lane(lane_key(None, Lane::Home))),
            Err(e) => tracing::error!(error = %e, "cannot queue an App Home refresh"),
        }
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
    let app = App::new(config, clock)?;
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
    tasks.spawn(prune_events(app.clone(), rx));
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
async fn prune_events(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let cutoff = app.clock.now() - chrono::Duration::hours(6);
        if let Err(e) = app.store.prune_events(cutoff) {
            tracing::warn!(error = %e, "cannot prune event ids");
        }
        tokio::select! {
            _ = app.clock.sleep(std::time::Duration::from_secs(600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
