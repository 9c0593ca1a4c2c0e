//! The composition root: opens the store, builds the shared state, and starts the HTTP server,
//! the deliverer, the timer loop and Socket Mode; stops them in order. Nothing imports it but
//! `main`, the demo and the tests (through `lib.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;

use crate::app::{claim_lease, App};
use crate::clock::Clock;
use crate::config::Config;
use crate::runtime::deliver::run_deliverer;
use crate::runtime::timers::run_timers;
use crate::store::{Store, StoreError};
use crate::trouble::decide::Input;

/// A bot serving on a socket, with its workers. Tests and `main` both start it this way.
pub struct RunningBot {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    tasks: tokio::task::JoinSet<()>,
    /// How long `stop` waits for the server and the workers before it cuts them off.
    stop_deadline: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error(
        "another trouble-bot seems to be using the data directory {} (data_dir or TROUBLE_DATA_DIR): \
         its store is locked. Stop that one first, or give this one another data directory",
        .dir.display()
    )]
    DataDirInUse { dir: std::path::PathBuf },
    #[error("cannot open the store in the data directory {} (data_dir or TROUBLE_DATA_DIR): {error}{hint}", .dir.display())]
    DataDir {
        dir: std::path::PathBuf,
        error: StoreError,
        hint: &'static str,
    },
    #[error(
        "the store in the data directory {} (data_dir or TROUBLE_DATA_DIR) has lost troubles: it holds \
         troubles numbered up to {}, but {} was numbered (the high-water mark {}), so {} {} gone. Its \
         log was damaged (a disk error, or a crash that tore it) and sled cut it short at the first \
         bad record; started on it, the bot would give out those ids again. Restore the latest \
         backup (trouble-bot restore DIR), or accept the loss with trouble-bot accept-loss (the \
         day's numbering then goes on after {}, and verify names the lost ids)",
        .dir.display(),
        .loss.held.as_ref().map_or("none".to_string(), ToString::to_string),
        .loss.issued,
        .dir.join(crate::store::sled::high_water::FILE).display(),
        .loss.missing_shown(),
        if .loss.missing.len() == 1 { "is" } else { "are" },
        .loss.issued
    )]
    LostTroubles {
        dir: std::path::PathBuf,
        loss: crate::store::sled::high_water::Loss,
    },
    #[error("cannot open the store in the database at {url} (database_url or DATABASE_URL): {error}")]
    Database { url: String, error: StoreError },
    #[error("cannot listen on {addr}: {error}")]
    Listen { addr: String, error: std::io::Error },
    #[error(
        "this machine's clock is {} s {} the database's: instances sharing the database write their \
         claims on Slack calls in their own time, so a clock off by half a claim's lease ({} s) takes \
         the others' calls for abandoned and sends them again. Set the clock right (NTP) and start again",
        .skew.num_milliseconds().abs() as f64 / 1000.0,
        if .skew.num_milliseconds() > 0 { "ahead of" } else { "behind" },
        .lease.as_secs()
    )]
    ClockOff {
        skew: chrono::Duration,
        lease: std::time::Duration,
    },
}

/// How far this machine's clock is from the database's, and what that means: within a second
/// nothing; past it a warning; past half a claim's lease, a refusal to start (another instance's
/// claims would read as lapsed, and its calls would be made twice).
#[derive(Debug, PartialEq, Eq)]
enum ClockCheck {
    Fine,
    Off,
    TooFarOff,
}

fn clock_check(skew: chrono::Duration, lease: std::time::Duration) -> ClockCheck {
    let off = skew.abs().to_std().unwrap_or_default();
    if off >= lease / 2 {
        ClockCheck::TooFarOff
    } else if off > std::time::Duration::from_secs(1) {
        ClockCheck::Off
    } else {
        ClockCheck::Fine
    }
}

/// On a shared database, this machine's clock against the database's (see [`clock_check`]). A
/// test's manual clock is its own, and not checked.
async fn check_clock(app: &App) -> Result<(), StartError> {
    if !matches!(app.clock, Clock::System) {
        return Ok(());
    }
    let Ok(Ok(Some(theirs))) = tokio::time::timeout(std::time::Duration::from_secs(5), app.store.shared_clock()).await
    else {
        return Ok(());
    };
    let skew = app.clock.now() - theirs;
    let lease = crate::app::claim_lease(&app.config);
    match clock_check(skew, lease) {
        ClockCheck::Fine => Ok(()),
        ClockCheck::Off => {
            tracing::warn!(
                skew_ms = skew.num_milliseconds(),
                "this machine's clock is off the database's: keep it set by NTP"
            );
            Ok(())
        }
        ClockCheck::TooFarOff => Err(StartError::ClockOff { skew, lease }),
    }
}

/// Every trouble is in the data directory: the bot makes it 0700, but one the admin made (a
/// umask of 022, a directory created by hand or by a deployment tool) may let others read the
/// store. Said at each start with how to close it; the bot changes nothing of the admin's.
fn warn_if_others_read(dir: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(dir) else {
            return;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %dir.display(),
                mode = %format_args!("{mode:o}"),
                "the data directory lets other users in, and it holds every trouble: `chmod 700` it"
            );
        }
    }
}

/// Starts the bot with the default HTTP limits and the configured `shutdown_grace`.
pub async fn start(config: Config) -> Result<RunningBot, StartError> {
    let limits = crate::http::server::Limits {
        shutdown_grace: config.shutdown_grace,
        ..crate::http::server::Limits::default()
    };
    start_with(config, limits).await
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
    let store = open_store(&config).await.map_err(|e| why_not_opened(&config, e))?;
    // A store behind the mark beside it lost troubles its log held: serving it would number
    // them again, and nothing else would ever say they were lost.
    if let Some(loss) = store.sled().and_then(|s| s.lost_at_open()) {
        return Err(StartError::LostTroubles {
            dir: data_dir_shown(&config),
            loss: loss.clone(),
        });
    }
    let app = App::new(config, clock, store);
    Box::pin(check_clock(&app)).await?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|error| StartError::Listen {
            addr: listen.clone(),
            error,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|error| StartError::Listen { addr: listen, error })?;
    let rx = app.stopping.subscribe();
    let mut tasks = tokio::task::JoinSet::new();
    let router = crate::http::router(app.clone());
    // In-flight Slack calls finish within slack_timeout; requests within the grace period.
    let stop_deadline = limits.shutdown_grace.max(app.config.slack.timeout) + std::time::Duration::from_secs(1);
    tasks.spawn(crate::http::server::serve(listener, router, limits, rx.clone()));
    tasks.spawn(run_deliverer(app.clone(), rx.clone()));
    tasks.spawn(run_timers(app.clone(), rx.clone()));
    // Off the start-up path: the bot answers while the texts load.
    tasks.spawn({
        let app = app.clone();
        async move {
            if let Err(e) = app.store.warm_search().await {
                tracing::warn!(error = %e, "cannot read the search texts ahead; the first search will");
            }
        }
    });
    tasks.spawn(learn_identity(app.clone(), rx.clone()));
    if app.config.socket_mode() {
        tasks.spawn(crate::socket_mode::run(app.clone(), rx.clone()));
    }
    tasks.spawn(prune_keys(app.clone(), rx.clone()));
    tasks.spawn(look_over_open_troubles(app.clone()));
    if let (Some(url), true) = (&app.config.database_url, app.store.is_shared()) {
        let listen =
            crate::store::pg::listen::wake_on_new_work(url.expose().to_string(), app.shared_work.clone(), SHARED_POLL);
        let mut stop = rx;
        tasks.spawn(async move {
            tokio::select! {
                _ = listen => {}
                _ = stop.changed() => {}
            }
        });
    }
    let store = match &app.config.database_url {
        Some(url) => format!("PostgreSQL at {}", crate::store::pg::redacted(url.expose())),
        None => format!("sled in {}", data_dir_shown(&app.config).display()),
    };
    // In Socket Mode nothing of Slack's reaches this address: it must not read as if it could.
    let serving = match app.config.socket_mode() {
        true => format!(
            "trouble-bot started in Socket Mode: Slack's requests come over its connections; /healthz and /metrics on {addr}"
        ),
        false => format!(
            "trouble-bot listening on {addr} for Slack's requests over HTTP (/slack/commands, /slack/events, /slack/interactions)"
        ),
    };
    tracing::info!(%addr, config_file = %app.config.source, %store, "{serving}");
    for w in app.config.warnings() {
        tracing::warn!("{}", crate::i18n::config_warning(crate::i18n::Locale::En, w));
    }
    if app.config.database_url.is_none() {
        warn_if_others_read(&data_dir_shown(&app.config));
    }
    Ok(RunningBot {
        addr,
        app,
        tasks,
        stop_deadline,
    })
}

impl RunningBot {
    /// Stops accepting, lets in-flight requests and Slack calls finish, flushes the store.
    /// Bounded: whatever still runs at the deadline (a slow client, a hung call) is cut off,
    /// and the store is flushed all the same; the outbox keeps what was not delivered.
    pub async fn stop(mut self) {
        self.app.stopping.send_replace(true);
        let finished = tokio::time::timeout(self.stop_deadline, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!("work still running at the shutdown deadline was cut off");
            self.tasks.shutdown().await;
        }
        // Every worker is done: what they left queued is known never to have left, but for
        // the calls they began.
        if let Err(e) = self.app.store.stopped_cleanly().await {
            tracing::warn!(error = %e, "cannot record which calls never left; the next start looks for them in Slack");
        }
        if let Err(e) = self.app.store.tidy().await {
            tracing::warn!(error = %e, "the store's log could not be tidied; it stays as it is");
        }
        match self.app.store.flush().await {
            Ok(()) => tracing::info!("trouble-bot stopped; the store is flushed"),
            Err(e) => {
                tracing::error!(error = %e, "final flush failed");
                tracing::info!("trouble-bot stopped; the final flush failed (a restart completes what was begun)");
            }
        }
    }
}

/// How often an instance sharing the store looks for work no notification announced (a lease
/// that ran out, a notification lost with its connection).
const SHARED_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// The data directory as an admin finds it: absolute, whatever directory the bot started in.
fn data_dir_shown(config: &Config) -> std::path::PathBuf {
    std::path::absolute(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone())
}

/// Whether sled refused the data directory because another process holds its lock.
fn locked(e: &StoreError) -> bool {
    matches!(e, StoreError::Sled(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock"))
}

/// A store that did not open, said so that the admin knows where and what to do: sled's own
/// error names neither the directory nor that another bot holds it.
fn why_not_opened(config: &Config, error: StoreError) -> StartError {
    if let Some(url) = &config.database_url {
        // Which database, its password left out: the admin may have several.
        let url = crate::store::pg::redacted(url.expose());
        return StartError::Database { url, error };
    }
    let dir = data_dir_shown(config);
    if locked(&error) {
        return StartError::DataDirInUse { dir };
    }
    let hint = match &error {
        StoreError::Sled(sled::Error::Io(e)) => match e.kind() {
            std::io::ErrorKind::PermissionDenied => " (the bot's user may not write there)",
            std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => {
                " (something that is not a directory is in the way)"
            }
            _ => "",
        },
        _ => "",
    };
    StartError::DataDir { dir, error, hint }
}

/// The store `config` names: PostgreSQL at `database_url` (schema brought up to date), sled
/// under `data_dir` otherwise.
pub async fn open_store(config: &Config) -> Result<Store, StoreError> {
    match &config.database_url {
        None => {
            // sled's lock on the data directory goes with the store's last holder: after a stop
            // in this process (a restart in place), a read still finishing on a blocking thread
            // may hold it a moment longer. Another process holding it fails after the wait.
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
            let mut said = false;
            loop {
                match Store::open_sled(&config.data_dir) {
                    Err(e) if locked(&e) && tokio::time::Instant::now() < deadline => {
                        if !said {
                            said = true;
                            tracing::info!(
                                data_dir = %config.data_dir.display(),
                                "the store is locked; waiting up to 5 s for whoever holds it to let go"
                            );
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                    opened => return opened,
                }
            }
        }
        Some(url) => {
            let instance = instance_name();
            tracing::info!(%instance, "this run claims Slack calls and timers on PostgreSQL under its own name");
            Store::connect_postgres(url.expose(), &instance, claim_lease(config)).await
        }
    }
}

/// This run's name in the claims it writes on PostgreSQL: the host, the pid and a part drawn
/// at random. Every guard against a call made twice is `claimed_by = <name>`, so no two runs
/// may share one: systemd exports no `HOSTNAME`, and machines cloned from one image start the
/// unit under the same pid.
fn instance_name() -> String {
    use std::hash::BuildHasher;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    // Keys the OS draws for each process (and varies for each one made), with the time.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let random = std::collections::hash_map::RandomState::new().hash_one(nanos);
    format!("{host}:{}:{:012x}", std::process::id(), random & 0xffff_ffff_ffff)
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
                // Slack takes the token (again): calls held for its refusal may go.
                app.pacer.slack_answered();
                return;
            }
            // Refused at start (a revoked or mistyped token): every call waits from the first,
            // as it does once a delivery hears it, rather than each trying and being refused.
            Err(e) if e.refuses_token() => {
                tracing::warn!(error = %e, "auth.test: Slack refuses the bot token; will retry");
                app.pacer.slack_refuses_token(crate::runtime::pacer::Pass::Reachable);
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

/// What the start owes the open troubles, read once from their summaries: the manager `[org]`
/// names now, and the refusals an earlier release did not flag.
async fn look_over_open_troubles(app: Arc<App>) {
    let open = match app.store.open_summaries().await {
        Ok(open) => open,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the open troubles; a manager [org] names now hears at the escalation's next step, and a refused channel an earlier release left unflagged is looked for at the next start");
            return;
        }
    };
    ask_whom_org_names_now(&app, &open).await;
    flag_refusals_of_earlier_releases(&app, &open).await;
}

/// `[org]` may name another manager for a trouble's owner than when it opened (the admin fixed
/// it and restarted): each open trouble nobody acknowledged asks them at once. Read from the
/// open troubles' summaries: only a trouble whose escalation does not know them yet is read
/// and decided on.
async fn ask_whom_org_names_now(app: &App, open: &[crate::trouble::model::TroubleSummary]) {
    let policy = &app.config.policy;
    let new_to_them = open
        .iter()
        .filter(|t| crate::trouble::decide::org_may_name_someone_new(policy, t));
    for waiting in new_to_them {
        if let Err(e) = app.engine().apply(&waiting.id, &[], Input::OrgRead).await {
            tracing::warn!(error = %e, trouble = %waiting.id, "cannot ask the manager [org] names now; they hear at the escalation's next step");
        }
    }
}

/// A trouble an earlier release stored after Slack refused to create its channel kept no flag
/// saying so (`Trouble::channel_refused`): no button asked for the channel again, nothing
/// warned. Its timeline says it: each open trouble without a channel and without the flag has
/// its timeline read, and one that ends with the refusal is flagged through the core (see
/// `decide::refusal_unflagged`), written back once, for sled and PostgreSQL alike; the timeline
/// is left as it is. Few are read: a trouble opened by this release carries the flag, or has
/// its channel on the way. A closed one is read at its reopening (`Engine::apply`), not here:
/// no closed trouble is read at start.
async fn flag_refusals_of_earlier_releases(app: &App, open: &[crate::trouble::model::TroubleSummary]) {
    for s in open.iter().filter(|s| s.channel.is_none()) {
        if let Err(e) = app.engine().flag_refusal_unflagged(&s.id).await {
            tracing::warn!(error = %e, trouble = %s.id, "cannot flag the channel Slack refused to create; flagged at the next start");
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Two runs never share a name, though the same host and pid (clones of one image): the name
    /// is `host:pid:` and 48 random bits, not a count a clone would count the same.
    #[test]
    fn each_run_is_named_apart_from_every_other_though_on_the_same_host_and_pid() {
        let prefix = format!(":{}:", std::process::id());
        let random: Vec<u64> = (0..8)
            .map(|_| {
                let name = instance_name();
                let (host, tail) = name.split_once(&prefix).expect("host:pid:random");
                assert!(!host.is_empty() && !host.contains(':'), "{name}");
                assert!(
                    tail.len() == 12 && tail.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{name}"
                );
                u64::from_str_radix(tail, 16).unwrap()
            })
            .collect();
        // 48 random bits apart: two of eight within 2^16 of each other is a count (or a clock).
        for (i, a) in random.iter().enumerate() {
            for b in &random[i + 1..] {
                assert!(a.abs_diff(*b) > 1 << 16, "{random:x?}");
            }
        }
    }

    /// Within a second of the database's clock nothing is said; past it a warning; from half a
    /// claim's lease on (the default lease is 20 s) the bot refuses to start, saying how far
    /// off it is, which way, and why.
    #[test]
    fn a_clock_far_off_the_databases_refuses_the_start_and_says_why() {
        let lease = std::time::Duration::from_secs(20);
        let ms = chrono::Duration::milliseconds;
        assert_eq!(clock_check(ms(900), lease), ClockCheck::Fine);
        assert_eq!(clock_check(ms(-1500), lease), ClockCheck::Off);
        assert_eq!(clock_check(ms(9_999), lease), ClockCheck::Off);
        assert_eq!(clock_check(ms(10_000), lease), ClockCheck::TooFarOff);
        assert_eq!(clock_check(ms(-60_000), lease), ClockCheck::TooFarOff);
        let said = StartError::ClockOff {
            skew: ms(60_000),
            lease,
        }
        .to_string();
        assert!(
            said.starts_with("this machine's clock is 60 s ahead of the database's"),
            "{said}"
        );
        assert!(
            said.contains("half a claim's lease (20 s)") && said.ends_with("(NTP) and start again"),
            "{said}"
        );
        let said = StartError::ClockOff {
            skew: ms(-12_500),
            lease,
        }
        .to_string();
        assert!(
            said.starts_with("this machine's clock is 12.5 s behind the database's"),
            "{said}"
        );
    }
}
