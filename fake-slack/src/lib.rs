//! A fake Slack Web API (and response_url endpoint): a real axum server on 127.0.0.1 that records calls and keeps a small world.
//!
//! Besides the world (channels, members, messages, pins, DMs) it can misbehave the way Slack does:
//! - one-shot faults: `fail_next` (an `ok:false` error), `fail_http_next` (an HTTP status; 429 has `Retry-After: 1`);
//! - random faults: `set_fault_rate(method, rate, &[Fault::…])`, drawn from a seeded PRNG (`seed`), so a run
//!   is reproducible as long as the bot makes its calls in the same order;
//! - `outage(for_)`: every call answers 503 until it ends;
//! - `enforce_channel_rate_limit(true)`: chat.postMessage is limited per channel like real Slack (~1/s);
//! - `delay(method, d)` and `Fault::Slow`: late answers (the first changes the world late, the second at once);
//!   `set_latency(d)`: every Web API answer leaves `d` late;
//! - `hold(method)` … `release(method)`: calls kept in flight exactly as long as a test needs
//!   (`wait_held` says when one is), where a `delay` would have to be long enough and hope; but
//!   only as long as the client waits (the bot gives up on views.open after 2 s by itself).
//!
//! Every request is recorded as a [`Call`], faulted or not; `Call::outcome` says what the fake answered.
//! `observe` hands each call to a callback once it is answered (the demo narrates from it), and
//! `use_clock` makes the ts it hands out follow another clock than the wall's.
//!
//! `FakeSlack::start_lean()` is the same server for load (the bench): it keeps no call log and no
//! world, takes every channel and message on trust, and counts; what a caller wants to keep of
//! each call it keeps through `observe`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::Router;
use serde_json::{json, Map, Value};

/// How long `wait_for*` waits before giving up: generous, because CI machines are slow.
const WAIT_LIMIT: Duration = Duration::from_secs(10);
pub const BOT_USER_ID: &str = "UBOT";
pub const BOT_ID: &str = "BBOT";
pub const TEAM_ID: &str = "T0TEAM";
/// conversations.invite limit per current Slack docs (older docs say 1000; the bot must cap at 100).
const MAX_INVITE: usize = 100;
/// The PRNG seed until a test calls `seed`.
const DEFAULT_SEED: u64 = 0x7E57_5EED_CAFE_F00D;
/// How late `Fault::Slow` answers by default: longer than the bot's 10 s client timeout.
const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(12);
/// Per-channel chat.postMessage bucket: bursts of this many, then one per second.
const CHANNEL_BURST: f64 = 3.0;
/// Arrival jitter the per-channel limit forgives, in tokens (20 ms at one a second): the bot paces
/// by departure time, and Slack is not exact to the millisecond either.
const CHANNEL_JITTER: f64 = 0.02;

/// One request the fake received. `seq` is its 0-based position in `FakeSlack::calls()`.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub params: Value,
    /// Arrival.
    pub at: Instant,
    /// Arrival on the fake's clock (the wall's unless `use_clock` set another).
    pub wall: SystemTime,
    pub seq: u64,
    /// What the fake answered: `"ok"`; `"error:<code>"` (HTTP 200, `ok:false`); `"http:<status>"` (faults,
    /// outages, rate limits); `"reset"` (connection dropped unanswered); `"slow"` (`Fault::Slow`: the effect
    /// was applied, the answer comes late; `"slow:error:<code>"` if the call itself failed); `"pending"`
    /// while a `delay`ed call has not been decided yet.
    pub outcome: String,
    /// The JSON body answered (also for `ok:false` and 429); `Null` for a reset, a response_url
    /// post and while pending.
    pub answer: Value,
}

impl Call {
    /// Whether the call changed (or could have changed) the world: answered `ok`, or `Fault::Slow`.
    pub fn took_effect(&self) -> bool {
        self.outcome == "ok" || self.outcome == "slow"
    }
}

/// What `observe` is given: every call, once answered (faulted, rate-limited and pending ones
/// included, in the order their outcomes were decided).
pub type Observer = Arc<dyn Fn(&Call) + Send + Sync>;

/// Slack's per-channel limit on chat.postMessage: a token bucket per channel (a user id counts as
/// its DM), capacity 3, refilled at one a second, 20 ms of jitter forgiven. The fake applies it
/// with `enforce_channel_rate_limit`; a caller may replay recorded arrivals through one.
#[derive(Default)]
pub struct ChannelLimiter {
    buckets: HashMap<String, Bucket>,
}

impl ChannelLimiter {
    /// Whether a post to `channel` arriving at `at` passes (and takes its token).
    pub fn take(&mut self, channel: &str, at: Instant) -> bool {
        let bucket = self.buckets.entry(dm_or_channel(channel)).or_insert(Bucket {
            tokens: CHANNEL_BURST,
            at,
        });
        let refill = at.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + refill).min(CHANNEL_BURST);
        bucket.at = bucket.at.max(at);
        if bucket.tokens >= 1.0 - CHANNEL_JITTER {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Misbehaviour that `FakeSlack::set_fault_rate` injects at random.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 `{"ok":false,"error":"internal_error"}`; no effect.
    Http500,
    /// HTTP 429 with `Retry-After: 1` and `{"ok":false,"error":"ratelimited"}`; no effect.
    RateLimited,
    /// HTTP 200 `{"ok":false,"error":"internal_error"}` (Slack's transient error); no effect.
    TransientOk,
    /// The TCP connection is reset (RST) after the request was read, without any answer; no effect.
    Reset,
    /// The call takes effect at once, but the answer comes only after `set_slow_delay` (default 12 s,
    /// beyond the bot's 10 s timeout): Slack often does the work even when the client gave up.
    Slow,
}

#[derive(Clone, Debug)]
pub struct FakeChannel {
    pub id: String,
    pub name: String,
    pub is_private: bool,
}

/// Handle to a running fake. Clones share the same server and state; the server stops when the last clone drops.
#[derive(Clone)]
pub struct FakeSlack {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _server: Arc<ServerGuard>,
}

struct ServerGuard(tokio::task::JoinHandle<()>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Shared {
    world: Mutex<World>,
    /// Outside the world: read without its lock on the hot path.
    latency_us: AtomicU64,
    /// TCP connections accepted so far (a client that keeps its connections alive opens few).
    connections: Arc<AtomicU64>,
    /// Woken after every recorded call and every world change, so waiters never sleep-poll.
    notify: tokio::sync::Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, World> {
        // A panicking test thread must not turn every later assertion into a PoisonError.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A fault answered instead of the real behaviour (queued by `fail_next`/`fail_http_next`, or drawn at random).
#[derive(Clone, Debug)]
enum Canned {
    Slack(String),
    Http(u16),
}

/// What `handle` does with a call instead of (or besides) its normal behaviour.
enum Injection {
    Canned(Canned),
    Reset,
    Slow,
}

/// `set_fault_rate` for one method (or "*").
struct FaultRate {
    rate: f64,
    kinds: Vec<Fault>,
}

/// Token bucket of one channel for chat.postMessage.
struct Bucket {
    tokens: f64,
    at: Instant,
}

struct StoredMessage {
    channel: String,
    ts: String,
    /// Latest version: the posted params (blocks/metadata parsed to JSON) plus "ts" and the resolved "channel".
    current: Value,
    /// Earlier versions, oldest first, one per chat.update.
    edits: Vec<Value>,
}

#[derive(Default)]
struct World {
    /// `start_lean`: no call log, no world kept.
    lean: bool,
    calls: Vec<Call>,
    /// Calls received so far (the next `Call::seq`), in both modes.
    count: u64,
    observer: Option<Observer>,
    clock: Option<Arc<dyn Fn() -> SystemTime + Send + Sync>>,
    /// The instant and `clock`'s time when the limiter first read that clock.
    clock_anchor: Option<(Instant, SystemTime)>,
    delays: HashMap<String, Duration>,
    /// Methods whose calls are held until `release` (`hold`).
    held_methods: HashSet<String>,
    /// Calls held now: seq -> method.
    holding: HashMap<u64, String>,
    faults: HashMap<String, VecDeque<Canned>>,
    fault_rates: HashMap<String, FaultRate>,
    rng: u64,
    slow_delay: Duration,
    outage_until: Option<Instant>,
    /// Set by `refuse_token`: the error every call carrying the bot token answers.
    token_refused: Option<String>,
    /// User ids Slack does not know (`no_such_user`).
    unknown_users: HashSet<String>,
    /// People whom a DM is refused, with the error it answers (`refuse_dm`).
    refused_dms: HashMap<String, String>,
    /// Accounts deactivated (`deactivate`).
    deactivated: HashSet<String>,
    /// The names `users.info` gives for people (display name and full name alike).
    user_names: HashMap<String, String>,
    /// The names `team.info` gives for workspaces and organisations (`name_team`); any other
    /// is `team_not_found`.
    team_names: HashMap<String, String>,
    /// The Enterprise Grid org the workspace belongs to (`on_enterprise_grid`), which
    /// `auth.test` gives as `enterprise_id`.
    enterprise: Option<String>,
    /// The status `users.info` gives for people (`set_status`): emoji, text, expiration.
    statuses: HashMap<String, (String, String, i64)>,
    /// The time zone `users.info` gives for people (`set_zone`): IANA name and offset in
    /// seconds; anyone else is in Tokyo.
    zones: HashMap<String, (String, i64)>,
    channel_limit: bool,
    limiter: ChannelLimiter,
    rate_limited: usize,
    /// Set by `refuse_blocks`: every message or edit carrying blocks is answered `invalid_blocks`.
    blocks_refused: bool,
    injected: usize,
    taken_names: HashSet<String>,
    not_in_channel: HashSet<String>,
    /// Channels the bot cannot post in (`lose_channel`): channel id -> the error every call there gets.
    lost_channels: HashMap<String, String>,
    /// The bot token's scopes, listed with every answer as Slack does (`grant_scopes`).
    scopes: Option<String>,
    channels: Vec<FakeChannel>,
    /// Channels not created by the bot (`add_channel`): channel id -> creator.
    creators: HashMap<String, String>,
    members: HashMap<String, Vec<String>>,
    messages: Vec<StoredMessage>,
    pins: HashMap<String, Vec<String>>,
    usergroups: HashMap<String, Vec<String>>,
    open_dms: HashSet<String>,
    channel_counter: u64,
    /// Last ts handed out, in microseconds since the epoch.
    last_ts_micros: i64,
    view_counter: u64,
    /// When each `response_url` was handed out, on the fake's clock: Slack takes one for half an hour.
    response_urls_issued: HashMap<String, SystemTime>,
}

enum Reply {
    Json(StatusCode, Value),
    RateLimited,
    Text(&'static str),
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Json(status, body) => (status, axum::Json(body)).into_response(),
            Reply::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                axum::Json(err("ratelimited")),
            )
                .into_response(),
            Reply::Text(text) => (StatusCode::OK, text).into_response(),
        }
    }
}

impl Reply {
    /// The JSON answered, for `Call::answer`.
    fn body(&self) -> Value {
        match self {
            Reply::Json(_, body) => body.clone(),
            Reply::RateLimited => err("ratelimited"),
            Reply::Text(_) => Value::Null,
        }
    }

    /// The `Call::outcome` of this answer.
    fn outcome(&self) -> String {
        match self {
            Reply::Json(status, body) if *status == StatusCode::OK => match body.get("ok") {
                Some(Value::Bool(false)) => format!("error:{}", body["error"].as_str().unwrap_or("?")),
                _ => "ok".to_string(),
            },
            Reply::Json(status, _) => format!("http:{}", status.as_u16()),
            Reply::RateLimited => "http:429".to_string(),
            Reply::Text(_) => "ok".to_string(),
        }
    }
}

impl Canned {
    fn reply(&self) -> Reply {
        match self {
            Canned::Slack(error) => Reply::Json(StatusCode::OK, err(error)),
            Canned::Http(429) => Reply::RateLimited,
            Canned::Http(status) => Reply::Json(
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                err("internal_error"),
            ),
        }
    }
}

impl Fault {
    fn injection(self) -> Injection {
        match self {
            Fault::Http500 => Injection::Canned(Canned::Http(500)),
            Fault::RateLimited => Injection::Canned(Canned::Http(429)),
            Fault::TransientOk => Injection::Canned(Canned::Slack("internal_error".to_string())),
            Fault::Reset => Injection::Reset,
            Fault::Slow => Injection::Slow,
        }
    }
}

/// The connection a request came on, so that `Fault::Reset` can drop it.
#[derive(Clone, Debug, Default)]
struct Conn {
    killed: Arc<AtomicBool>,
}

impl Conn {
    fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }
}

/// A TCP listener whose connections can be reset from a handler (axum has no other way to answer nothing).
struct KillableListener(tokio::net::TcpListener, Arc<AtomicU64>);

impl axum::serve::Listener for KillableListener {
    type Io = KillableIo;
    type Addr = Conn;

    async fn accept(&mut self) -> (KillableIo, Conn) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    self.1.fetch_add(1, Ordering::Relaxed);
                    let conn = Conn::default();
                    let io = KillableIo {
                        inner: stream,
                        killed: conn.killed.clone(),
                    };
                    return (io, conn);
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Conn> {
        Ok(Conn::default())
    }
}

impl Connected<axum::serve::IncomingStream<'_, KillableListener>> for Conn {
    fn connect_info(stream: axum::serve::IncomingStream<'_, KillableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP stream that fails every read and write once its connection is killed; dropping it then sends
/// an RST, so the client sees "connection reset" instead of an answer.
struct KillableIo {
    inner: tokio::net::TcpStream,
    killed: Arc<AtomicBool>,
}

impl KillableIo {
    fn check(&self) -> io::Result<()> {
        if self.killed.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "fake slack: Fault::Reset",
            ))
        } else {
            Ok(())
        }
    }
}

impl tokio::io::AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for KillableIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        FakeSlack::start_with(false).await
    }

    /// The fake for load: answers every method as `start`'s does, but keeps no call log (`calls()`
    /// stays empty, so `wait_for*` and `expect_none` cannot be used) and no world (channels,
    /// members, messages and pins are taken on trust: invites, edits and pins succeed, history is
    /// empty). Counts calls, faults and 429s; `observe` to keep something of each call.
    pub async fn start_lean() -> FakeSlack {
        FakeSlack::start_with(true).await
    }

    async fn start_with(lean: bool) -> FakeSlack {
        let shared = Arc::new(Shared {
            world: Mutex::new(World {
                lean,
                rng: DEFAULT_SEED,
                slow_delay: DEFAULT_SLOW_DELAY,
                ..World::default()
            }),
            latency_us: AtomicU64::new(0),
            connections: Arc::default(),
            notify: tokio::sync::Notify::new(),
        });
        let app = Router::new()
            // `any`, not just POST: users.info / chat.getPermalink are GET-style in Slack's docs.
            .route("/api/{method}", any(api_handler))
            .route("/response/{name}", post(response_url_handler))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake slack: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake slack: local_addr");
        let connections = shared.connections.clone();
        let server = tokio::spawn(async move {
            let listener = KillableListener(listener, connections);
            axum::serve(listener, app.into_make_service_with_connect_info::<Conn>())
                .await
                .expect("fake slack: serve");
        });
        FakeSlack {
            shared,
            addr,
            _server: Arc::new(ServerGuard(server)),
        }
    }

    pub fn api_url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    /// A `response_url` handed out now, on the fake's clock (see `use_clock`): like Slack's, it is
    /// refused half an hour later (`404 expired_url`). Asking again for a name hands it out anew.
    pub fn response_url(&self, name: &str) -> String {
        let mut world = self.shared.lock();
        let now = world.wall_now();
        world.response_urls_issued.insert(name.to_string(), now);
        format!("http://{}/response/{}", self.addr, name)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// How many requests arrived so far (in both modes; faulted and rate-limited ones included).
    pub fn call_count(&self) -> u64 {
        self.shared.lock().count
    }

    /// How many TCP connections were accepted so far.
    pub fn connection_count(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.matching(method, &|_: &Call| true)
    }

    /// First call to `method` satisfying `pred` (already recorded or arriving within 10 s).
    pub async fn wait_for(&self, method: &str, pred: impl Fn(&Call) -> bool) -> Call {
        self.wait_for_n(method, 1, pred).await.swap_remove(0)
    }

    /// All matching calls, once there are at least `n` of them (waits up to 10 s).
    pub async fn wait_for_n(&self, method: &str, n: usize, pred: impl Fn(&Call) -> bool) -> Vec<Call> {
        let found = self
            .wait_until(WAIT_LIMIT, |calls| {
                let found: Vec<Call> = calls.iter().filter(|c| c.method == method && pred(c)).cloned().collect();
                (found.len() >= n).then_some(found)
            })
            .await;
        found.unwrap_or_else(|| {
            panic!(
                "fake slack: timed out after {WAIT_LIMIT:?} waiting for {n} `{method}` call(s) \
                 matching the predicate ({} matched).\n{}",
                self.matching(method, &pred).len(),
                self.describe_calls(method)
            )
        })
    }

    /// Waits up to `limit` until `check`, looking at every call recorded so far (oldest first),
    /// finds what it looks for; None past the limit. For waits that span several calls.
    pub async fn wait_until<T>(&self, limit: Duration, mut check: impl FnMut(&[Call]) -> Option<T>) -> Option<T> {
        self.wait_world(limit, |world| check(&world.calls)).await
    }

    /// `wait_until`, looking at the whole world (the calls held, say).
    async fn wait_world<T>(&self, limit: Duration, mut check: impl FnMut(&World) -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + limit;
        let mut timed_out = false;
        loop {
            // Created before the check: notify_waiters() reaches futures from the moment they exist,
            // so a call recorded between the check and the await is not lost.
            let notified = self.shared.notify.notified();
            if let Some(found) = check(&self.shared.lock()) {
                return Some(found);
            }
            if timed_out {
                return None;
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(remaining, notified).await.is_err() {
                timed_out = true; // one last check above
            }
        }
    }

    /// Proves absence: panics if a matching call is recorded now or arrives within `for_`.
    /// Earlier calls count too; narrow `pred` (e.g. `c.seq >= mark`) to look only at later ones.
    pub async fn expect_none(&self, method: &str, pred: impl Fn(&Call) -> bool, for_: Duration) {
        let deadline = Instant::now() + for_;
        let mut window_over = false;
        loop {
            let notified = self.shared.notify.notified();
            if let Some(hit) = self.matching(method, &pred).into_iter().next() {
                panic!(
                    "fake slack: expected no `{method}` call matching the predicate within {for_:?}, \
                     but got call #{} with params {}",
                    hit.seq, hit.params
                );
            }
            if window_over {
                return;
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(remaining, notified).await.is_err() {
                window_over = true;
            }
        }
    }

    /// Answers `method` only after `d`, and changes the world only then (the call is recorded at once,
    /// with outcome "pending"). If the client gives up first, the call never takes effect; for
    /// "done but answered too late" use `Fault::Slow`.
    pub fn delay(&self, method: &str, d: Duration) {
        self.shared.lock().delays.insert(method.to_string(), d);
    }

    /// From now until `release(method)`, every call of `method` (not in an outage) is held: recorded
    /// at once with outcome "pending", answered, and the world changed, only once released; then
    /// its `delay`, fault or normal answer follows as though it had just arrived (except that a
    /// `Fault::Slow` drawn for it changes the world at once, as ever). For a test that needs a
    /// call in flight while it does something else: `wait_held` says when one is.
    ///
    /// The hold keeps the call from Slack's side only: a client that stops waiting by itself (the
    /// bot's views.open after 2 s of real time, any call after its `slack_timeout`) goes on
    /// without an answer while the test still holds the call, and closes its connection, which
    /// ends the held call: it never changes the world, released or not (as a delayed call whose
    /// client gave up). A call that took effect though its client gave up is `Fault::Slow`.
    pub fn hold(&self, method: &str) {
        self.shared.lock().held_methods.insert(method.to_string());
    }

    /// Lets every held call of `method` go on, and stops holding new ones.
    pub fn release(&self, method: &str) {
        let mut world = self.shared.lock();
        world.held_methods.remove(method);
        world.holding.retain(|_, held| held != method);
        drop(world);
        self.shared.notify.notify_waiters();
    }

    /// The first call of `method` matching `pred` that is held now, once there is one (waits up
    /// to 10 s, as `wait_for`).
    pub async fn wait_held(&self, method: &str, pred: impl Fn(&Call) -> bool) -> Call {
        let held = self
            .wait_world(WAIT_LIMIT, |world| {
                world
                    .calls
                    .iter()
                    .find(|c| c.method == method && world.holding.contains_key(&c.seq) && pred(c))
                    .cloned()
            })
            .await;
        held.unwrap_or_else(|| {
            panic!(
                "fake slack: timed out after {WAIT_LIMIT:?} waiting for a held `{method}` call matching \
                 the predicate (is `{method}` held?).\n{}",
                self.describe_calls(method)
            )
        })
    }

    pub fn fail_next(&self, method: &str, error: &str, times: usize) {
        self.push_faults(method, Canned::Slack(error.to_string()), times);
    }

    pub fn fail_http_next(&self, method: &str, status: u16, times: usize) {
        self.push_faults(method, Canned::Http(status), times);
    }

    /// From now on, each call of `method` is faulted with probability `rate` (0.0–1.0), with one of `kinds`
    /// chosen uniformly. `"*"` means every method except auth.test (response_url included); a method's own
    /// rate wins over `"*"`. Rate 0 or no kinds removes the setting. Queued `fail_next` faults go first.
    /// Faults apply to calls carrying a bot token (and to response_url), like `fail_next`.
    pub fn set_fault_rate(&self, method: &str, rate: f64, kinds: &[Fault]) {
        let mut world = self.shared.lock();
        if rate <= 0.0 || kinds.is_empty() {
            world.fault_rates.remove(method);
        } else {
            let rate = FaultRate {
                rate: rate.min(1.0),
                kinds: kinds.to_vec(),
            };
            world.fault_rates.insert(method.to_string(), rate);
        }
    }

    /// Removes every `set_fault_rate` setting and every queued `fail_next`/`fail_http_next` fault.
    pub fn clear_faults(&self) {
        let mut world = self.shared.lock();
        world.fault_rates.clear();
        world.faults.clear();
    }

    /// Restarts the fault PRNG (splitmix64) from `seed`; the default seed is fixed.
    pub fn seed(&self, seed: u64) {
        self.shared.lock().rng = seed;
    }

    /// How late `Fault::Slow` answers (default 12 s).
    pub fn set_slow_delay(&self, d: Duration) {
        self.shared.lock().slow_delay = d;
    }

    /// Every Web API call (not response_url) is answered `d` after it arrived; the world changes
    /// at once. Zero (the default) answers at once.
    pub fn set_latency(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.shared.latency_us.store(us, Ordering::Relaxed);
    }

    /// From now on, `observer` is given every call once its outcome is decided (replacing an
    /// earlier observer). It runs under the fake's lock, in the order the world changed, so it
    /// must be quick and must not call this `FakeSlack`.
    pub fn observe(&self, observer: impl Fn(&Call) + Send + Sync + 'static) {
        self.shared.lock().observer = Some(Arc::new(observer));
    }

    /// The clock the fake reads for the ts it hands out, for `Call::wall` and for the per-channel
    /// limit (the wall clock by default): a story on virtual time gets ts of its own time, and a
    /// test that moves the bot's clock on moves the limit's refill with it.
    pub fn use_clock(&self, now: impl Fn() -> SystemTime + Send + Sync + 'static) {
        let mut world = self.shared.lock();
        world.clock = Some(Arc::new(now));
        world.clock_anchor = None;
    }

    /// Faults injected so far: queued (`fail_next`, `fail_http_next`) and random (`set_fault_rate`).
    /// Outage 503s and channel rate limit 429s are not counted here.
    pub fn fault_count(&self) -> usize {
        self.shared.lock().injected
    }

    /// From now, for `for_`, every request (auth.test and response_url included) answers HTTP 503
    /// `{"ok":false,"error":"service_unavailable"}` at once, without effect.
    pub fn outage(&self, for_: Duration) {
        self.shared.lock().outage_until = Some(Instant::now() + for_);
    }

    pub fn end_outage(&self) {
        self.shared.lock().outage_until = None;
    }

    /// From now, `user` is no user Slack knows (a mistyped id, say): a DM to them answers
    /// `channel_not_found`, opening one `user_not_found`, and an invitation of them
    /// `user_not_found` (with `force`, the others are invited and the answer lists the error per
    /// user, as Slack does).
    pub fn no_such_user(&self, user: &str) {
        self.shared.lock().unknown_users.insert(user.to_string());
    }

    /// From now, a DM to `user` (posting to them, or opening one) answers `error`: a guest the
    /// bot cannot see (`user_not_visible`), or the app lacking a scope (`missing_scope`), say.
    pub fn refuse_dm(&self, user: &str, error: &str) {
        self.shared.lock().refused_dms.insert(user.to_string(), error.to_string());
    }

    /// From now, a DM to `user` goes again, as before [`Self::refuse_dm`] (a permission
    /// mended, a guest made a member).
    pub fn accept_dm(&self, user: &str) {
        self.shared.lock().refused_dms.remove(user);
    }

    /// From now, `user`'s account is deactivated (they left): `users.info` says `deleted`, and a
    /// DM to them is still taken without error, as Slack does.
    pub fn deactivate(&self, user: &str) {
        self.shared.lock().deactivated.insert(user.to_string());
    }

    /// From now, `users.info` gives `user` this status (`:palm_tree:`, `On vacation`, and when
    /// Slack clears it in Unix seconds, 0 for never), as they set it in Slack.
    pub fn set_status(&self, user: &str, emoji: &str, text: &str, expiration: i64) {
        self.shared
            .lock()
            .statuses
            .insert(user.to_string(), (emoji.to_string(), text.to_string(), expiration));
    }

    /// From now, `users.info` gives `user` this time zone (`America/Los_Angeles`, and its
    /// offset from UTC in seconds, `-28800`), as their Slack profile sets it.
    pub fn set_zone(&self, user: &str, tz: &str, offset: i64) {
        self.shared.lock().zones.insert(user.to_string(), (tz.to_string(), offset));
    }

    /// From now, `users.info` names `user` so (their display name and full name); anyone not
    /// named has neither.
    pub fn name_user(&self, user: &str, name: &str) {
        self.shared.lock().user_names.insert(user.to_string(), name.to_string());
    }

    /// From now, `team.info` names workspace or organisation `team` (`T…`, `E…`) so; any team
    /// not named is `team_not_found`.
    pub fn name_team(&self, team: &str, name: &str) {
        self.shared.lock().team_names.insert(team.to_string(), name.to_string());
    }

    /// From now, the workspace belongs to Enterprise Grid org `org` (`E…`): `auth.test` says so.
    pub fn on_enterprise_grid(&self, org: &str) {
        self.shared.lock().enterprise = Some(org.to_string());
    }

    /// From now, every call carrying the bot token (auth.test included) answers HTTP 200
    /// `{"ok":false,"error":<error>}` without effect, as Slack does for a revoked token or an
    /// uninstalled app (`token_revoked`, `invalid_auth`, `account_inactive`); None accepts it again.
    /// response_url, which needs no token, still works.
    pub fn refuse_token(&self, error: Option<&str>) {
        self.shared.lock().token_refused = error.map(str::to_string);
    }

    /// Slack's per-channel limit on chat.postMessage (about one a second, short bursts tolerated): a token
    /// bucket per channel (a DM counts as its D… channel), capacity 3, refilled at one per second (see
    /// [`ChannelLimiter`]). Beyond it the call answers 429 `Retry-After: 1` without effect. Off by default;
    /// switching it resets every bucket to a full burst.
    pub fn enforce_channel_rate_limit(&self, on: bool) {
        let mut world = self.shared.lock();
        world.channel_limit = on;
        world.limiter = ChannelLimiter::default();
    }

    /// Refuses (`invalid_blocks`) every chat.postMessage and chat.update that carries blocks, as
    /// Slack does a block it will not take, while `on`; their text alone goes through.
    pub fn refuse_blocks(&self, on: bool) {
        self.shared.lock().blocks_refused = on;
    }

    /// How many 429s the per-channel rate limit answered (injected 429s are in `fault_count`).
    pub fn rate_limited_count(&self) -> usize {
        self.shared.lock().rate_limited
    }

    /// A channel that someone else created (`creator`), which the bot is not a member of.
    /// It shows in conversations.list/info but is never a trouble channel. Returns its id.
    pub fn add_channel(&self, name: &str, is_private: bool, creator: &str) -> String {
        let mut world = self.shared.lock();
        world.channel_counter += 1;
        let channel = FakeChannel {
            id: format!("C{:07}", world.channel_counter),
            name: name.to_string(),
            is_private,
        };
        world.creators.insert(channel.id.clone(), creator.to_string());
        world.members.insert(channel.id.clone(), vec![creator.to_string()]);
        world.channels.push(channel.clone());
        channel.id
    }

    pub fn take_name(&self, name: &str) {
        self.shared.lock().taken_names.insert(name.to_string());
    }

    /// From now on every post, edit, pin and invitation in `channel` answers `error`, as Slack
    /// does once the channel is archived (`is_archived`) or the bot removed (`not_in_channel`).
    pub fn lose_channel(&self, channel: &str, error: &str) {
        self.shared.lock().lost_channels.insert(channel.to_string(), error.to_string());
    }

    /// The bot token has these scopes: every answer lists them (`x-oauth-scopes`), as Slack's
    /// do. Until this is called, answers list none.
    pub fn grant_scopes(&self, scopes: &[&str]) {
        self.shared.lock().scopes = Some(scopes.join(","));
    }

    /// `channel` deleted, as by an admin: gone with its members, messages and pins, its name free
    /// again, and every call there answers `channel_not_found`.
    pub fn delete_channel(&self, channel: &str) {
        let mut world = self.shared.lock();
        world.channels.retain(|c| c.id != channel);
        world.messages.retain(|m| m.channel != channel);
        world.pins.remove(channel);
        world.members.remove(channel);
        world.lost_channels.insert(channel.to_string(), "channel_not_found".to_string());
    }

    /// The message `ts` in `channel` deleted, as by an admin (unpinned with it).
    pub fn delete_message(&self, channel: &str, ts: &str) {
        let mut world = self.shared.lock();
        world.messages.retain(|m| !(m.channel == channel && m.ts == ts));
        if let Some(pins) = world.pins.get_mut(channel) {
            pins.retain(|p| p != ts);
        }
    }

    /// The message `ts` in `channel` unpinned, as by a person in Slack (`pins.remove`, which
    /// the bot never calls): whether it was pinned. Slack then sends `pin_removed`, which the
    /// test posts itself.
    pub fn unpin(&self, channel: &str, ts: &str) -> bool {
        let channel = dm_or_channel(channel);
        let mut world = self.shared.lock();
        let Some(pins) = world.pins.get_mut(&channel) else {
            return false;
        };
        let before = pins.len();
        pins.retain(|p| p != ts);
        pins.len() < before
    }

    /// ... and now they succeed again (unarchived, the bot added back).
    pub fn restore_channel(&self, channel: &str) {
        self.shared.lock().lost_channels.remove(channel);
    }

    pub fn set_not_in_channel(&self, channel: &str) {
        self.shared.lock().not_in_channel.insert(channel.to_string());
    }

    /// `users` join `channel` (as if they had joined it themselves).
    pub fn join(&self, channel: &str, users: &[&str]) {
        let mut world = self.shared.lock();
        let members = world.members.entry(channel.to_string()).or_default();
        for user in users {
            if !members.iter().any(|m| m == user) {
                members.push(user.to_string());
            }
        }
    }

    /// A person (not the bot) writes `text` in `channel` (a user id means the DM with that user),
    /// in the thread of `thread_ts` if given: the message is in the world (history, replies) with
    /// a fresh ts, which is returned for the event that tells the bot.
    pub fn user_posts(&self, channel: &str, user: &str, text: &str, thread_ts: Option<&str>) -> String {
        let channel = dm_or_channel(channel);
        let mut world = self.shared.lock();
        let ts = world.next_ts();
        let mut current = json!({"channel": channel, "user": user, "text": text, "ts": ts});
        if let Some(thread_ts) = thread_ts {
            current["thread_ts"] = json!(thread_ts);
        }
        world.messages.push(StoredMessage {
            channel,
            ts: ts.clone(),
            current,
            edits: Vec::new(),
        });
        drop(world);
        self.shared.notify.notify_waiters();
        ts
    }

    /// Members returned by usergroups.users.list for `usergroup` (default: none).
    pub fn set_usergroup_users(&self, usergroup: &str, users: &[&str]) {
        let users = users.iter().map(|u| u.to_string()).collect();
        self.shared.lock().usergroups.insert(usergroup.to_string(), users);
    }

    pub fn channels(&self) -> Vec<FakeChannel> {
        self.shared.lock().channels.clone()
    }

    /// Messages in `channel` (a user id means the DM with that user), oldest first, latest edit applied.
    pub fn messages_in(&self, channel: &str) -> Vec<Value> {
        let channel = dm_or_channel(channel);
        let world = self.shared.lock();
        world
            .messages
            .iter()
            .filter(|m| m.channel == channel)
            .map(|m| m.current.clone())
            .collect()
    }

    /// Every version of one message, oldest first; the last one is what `messages_in` shows.
    pub fn message_versions(&self, channel: &str, ts: &str) -> Vec<Value> {
        let channel = dm_or_channel(channel);
        let world = self.shared.lock();
        world
            .messages
            .iter()
            .find(|m| m.channel == channel && m.ts == ts)
            .map(|m| {
                let mut all = m.edits.clone();
                all.push(m.current.clone());
                all
            })
            .unwrap_or_default()
    }

    pub fn pins(&self, channel: &str) -> Vec<String> {
        let channel = dm_or_channel(channel);
        self.shared.lock().pins.get(&channel).cloned().unwrap_or_default()
    }

    /// Someone renames `channel` by hand in Slack (no call from the bot).
    pub fn rename_by_hand(&self, channel: &str, name: &str) {
        let mut world = self.shared.lock();
        if let Some(c) = world.channels.iter_mut().find(|c| c.id == channel) {
            c.name = name.to_string();
        }
    }

    pub fn members(&self, channel: &str) -> Vec<String> {
        self.shared.lock().members.get(channel).cloned().unwrap_or_default()
    }

    fn push_faults(&self, method: &str, fault: Canned, times: usize) {
        let mut world = self.shared.lock();
        let queue = world.faults.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    fn matching(&self, method: &str, pred: &dyn Fn(&Call) -> bool) -> Vec<Call> {
        let world = self.shared.lock();
        world
            .calls
            .iter()
            .filter(|c| c.method == method && pred(c))
            .cloned()
            .collect()
    }

    /// Timeout diagnostics: every call's method, plus the params of calls to the awaited method.
    fn describe_calls(&self, method: &str) -> String {
        let calls = self.calls();
        let mut out = format!("recorded calls ({}):", calls.len());
        for c in &calls {
            out.push_str(&format!("\n  #{} {}", c.seq, c.method));
            if c.outcome != "ok" {
                out.push_str(&format!(" [{}]", c.outcome));
            }
            if c.method == method {
                let mut params = c.params.to_string();
                if params.len() > 300 {
                    let cut = (0..=300).rev().find(|i| params.is_char_boundary(*i));
                    params.truncate(cut.unwrap_or(0));
                    params.push('…');
                }
                out.push_str(&format!(" {params}"));
            }
        }
        out
    }
}

async fn api_handler(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = query
        .map(|q| form_to_json(q.as_bytes()))
        .unwrap_or_else(|| Value::Object(Map::new()));
    // Slack's read methods take query or form arguments only: a JSON body is dropped unread,
    // and the call answered as though it had none.
    let body_read = !FORM_ONLY.contains(&method.as_str()) || !is_json(&headers, &body);
    if let (true, Value::Object(into), Value::Object(from)) = (body_read, &mut params, parse_body(&headers, &body)) {
        into.extend(from);
    }
    let authed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| token.starts_with("xoxb-"));
    let latency = Duration::from_micros(shared.latency_us.load(Ordering::Relaxed));
    let m = method.clone();
    let reply = handle(&shared, &conn, method, params, authed, move |world, p| {
        if !authed {
            Reply::Json(StatusCode::OK, err("not_authed"))
        } else if let Some(error) = &world.token_refused {
            Reply::Json(StatusCode::OK, err(error))
        } else if m == "chat.postMessage" && !world.take_channel_token(p) {
            Reply::RateLimited
        } else {
            Reply::Json(StatusCode::OK, world.dispatch(&m, p))
        }
    })
    .await;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut response = reply.into_response();
    let scopes = shared.lock().scopes.clone();
    if let Some(scopes) = scopes.filter(|_| authed) {
        if let Ok(value) = header::HeaderValue::from_str(&scopes) {
            response.headers_mut().insert("x-oauth-scopes", value);
        }
    }
    response
}

async fn response_url_handler(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = match parse_body(&headers, &body) {
        Value::Object(map) => Value::Object(map),
        other => json!({ "_raw": other }),
    };
    params["_path"] = Value::String(name.clone());
    handle(&shared, &conn, "response_url".to_string(), params, true, move |world, _| {
        let issued = world.response_urls_issued.get(&name).copied();
        let age = issued.and_then(|at| world.wall_now().duration_since(at).ok());
        match age.is_some_and(|age| age > RESPONSE_URL_LIFETIME) {
            true => Reply::Json(StatusCode::NOT_FOUND, err("expired_url")),
            false => Reply::Text("ok"),
        }
    })
    .await
    .into_response()
}

/// How long Slack takes a `response_url`.
const RESPONSE_URL_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// What `handle` decided on arrival.
enum Next<A> {
    /// Answered at once (the world, if changed, changed under the recording lock).
    Now(Reply),
    /// A `delay`ed call: after the sleep, the injected fault or else the normal behaviour.
    Later(Duration, Option<Canned>, A),
    /// `Fault::Slow`: the world already changed; answer after the sleep.
    Slow(Duration, Reply),
    /// `Fault::Reset`: drop the connection (after the method's delay, if any).
    Reset(Duration),
}

/// How a call ended, for its record.
enum Decided<'a> {
    Answered(&'a Reply),
    /// `Fault::Slow`: applied, answered late.
    Slow(&'a Reply),
    Reset,
}

impl Decided<'_> {
    /// `Call::outcome` and `Call::answer`.
    fn outcome_and_answer(&self) -> (String, Value) {
        match self {
            Decided::Answered(reply) => (reply.outcome(), reply.body()),
            Decided::Slow(reply) => {
                let outcome = match reply.outcome().as_str() {
                    "ok" => "slow".to_string(),
                    other => format!("slow:{other}"),
                };
                (outcome, reply.body())
            }
            Decided::Reset => ("reset".to_string(), Value::Null),
        }
    }
}

/// A call between its arrival and its outcome.
struct Arrival {
    seq: u64,
    method: String,
    params: Value,
    at: Instant,
    wall: SystemTime,
}

impl Arrival {
    fn call(&self, outcome: String, answer: Value) -> Call {
        Call {
            method: self.method.clone(),
            params: self.params.clone(),
            at: self.at,
            wall: self.wall,
            seq: self.seq,
            outcome,
            answer,
        }
    }
}

/// Records the call on arrival, then applies outage, fault, hold and delay, then the normal behaviour.
/// Without a delay the world changes under the same lock as the recording, so a test that saw the
/// call via `wait_for` also sees its effect (e.g. in `messages_in`).
async fn handle<A: FnOnce(&mut World, &Value) -> Reply>(
    shared: &Shared,
    conn: &Conn,
    method: String,
    params: Value,
    use_faults: bool,
    answer: A,
) -> Reply {
    let (arrival, next, held) = {
        let mut world = shared.lock();
        let arrival = world.arrive(method, params);
        let method = arrival.method.as_str();
        let in_outage = world.outage_until.is_some_and(|until| Instant::now() < until);
        let injection = if in_outage || !use_faults {
            None
        } else {
            world.injection(method)
        };
        let delay = world.delays.get(method).copied().filter(|d| !d.is_zero());
        let held = !in_outage && world.held_methods.contains(method);
        if held {
            world.holding.insert(arrival.seq, method.to_string());
        }
        // A held call is decided after its release, as a delayed one after its delay.
        let delay = if held { Some(delay.unwrap_or_default()) } else { delay };
        let next = if in_outage {
            Next::Now(Reply::Json(StatusCode::SERVICE_UNAVAILABLE, err("service_unavailable")))
        } else {
            match (injection, delay) {
                (Some(Injection::Reset), d) => Next::Reset(d.unwrap_or_default()),
                (Some(Injection::Slow), _) => {
                    let reply = answer(&mut world, &arrival.params);
                    Next::Slow(world.slow_delay, reply)
                }
                (Some(Injection::Canned(canned)), Some(d)) => Next::Later(d, Some(canned), answer),
                (None, Some(d)) => Next::Later(d, None, answer),
                // A faulted call must leave the world untouched, so `answer` is not run at all.
                (Some(Injection::Canned(canned)), None) => Next::Now(canned.reply()),
                (None, None) => Next::Now(answer(&mut world, &arrival.params)),
            }
        };
        match &next {
            Next::Now(reply) => world.decided(&arrival, Decided::Answered(reply)),
            Next::Later(..) => {}
            Next::Slow(_, reply) => world.decided(&arrival, Decided::Slow(reply)),
            Next::Reset(_) => world.decided(&arrival, Decided::Reset),
        }
        (arrival, next, held)
    };
    shared.notify.notify_waiters();
    if held {
        released(shared, arrival.seq).await;
    }
    match next {
        Next::Now(reply) => reply,
        Next::Later(d, canned, answer) => {
            tokio::time::sleep(d).await;
            let reply = {
                let mut world = shared.lock();
                let reply = match canned {
                    Some(canned) => canned.reply(),
                    None => answer(&mut world, &arrival.params),
                };
                world.decided(&arrival, Decided::Answered(&reply));
                reply
            };
            shared.notify.notify_waiters();
            reply
        }
        Next::Slow(d, reply) => {
            tokio::time::sleep(d).await;
            reply
        }
        Next::Reset(d) => {
            tokio::time::sleep(d).await;
            // Every read and write on this connection now fails: hyper drops it without writing this.
            conn.kill();
            Reply::Json(StatusCode::BAD_GATEWAY, err("connection_reset"))
        }
    }
}

/// Returns once call `seq` is no longer held (`FakeSlack::release`).
async fn released(shared: &Shared, seq: u64) {
    loop {
        let notified = shared.notify.notified();
        if !shared.lock().holding.contains_key(&seq) {
            return;
        }
        notified.await;
    }
}

impl World {
    /// Numbers the call and, unless lean, records it as pending.
    fn arrive(&mut self, method: String, params: Value) -> Arrival {
        let arrival = Arrival {
            seq: self.count,
            method,
            params,
            at: Instant::now(),
            wall: self.wall_now(),
        };
        self.count += 1;
        if !self.lean {
            self.calls.push(arrival.call("pending".to_string(), Value::Null));
        }
        arrival
    }

    /// The call's outcome is known: recorded (unless lean) and shown to the observer. A lean
    /// fake without an observer spends nothing on it.
    fn decided(&mut self, arrival: &Arrival, how: Decided<'_>) {
        let observer = self.observer.clone();
        if self.lean {
            if let Some(observer) = observer {
                let (outcome, answer) = how.outcome_and_answer();
                observer(&arrival.call(outcome, answer));
            }
            return;
        }
        let (outcome, answer) = how.outcome_and_answer();
        let Some(call) = self.calls.get_mut(arrival.seq as usize) else {
            return;
        };
        call.outcome = outcome;
        call.answer = answer;
        if let Some(observer) = observer {
            observer(call);
        }
    }

    fn wall_now(&self) -> SystemTime {
        match &self.clock {
            Some(now) => now(),
            None => SystemTime::now(),
        }
    }

    /// The fault for this call, if any: a queued one first, else a random draw per `set_fault_rate`.
    fn injection(&mut self, method: &str) -> Option<Injection> {
        if let Some(canned) = self.faults.get_mut(method).and_then(|q| q.pop_front()) {
            self.injected += 1;
            return Some(Injection::Canned(canned));
        }
        let key = if self.fault_rates.contains_key(method) {
            method
        } else if method != "auth.test" && self.fault_rates.contains_key("*") {
            "*"
        } else {
            return None;
        };
        let (rate, n) = {
            let r = &self.fault_rates[key];
            (r.rate, r.kinds.len())
        };
        let draw = (self.next_random() >> 11) as f64 / (1u64 << 53) as f64;
        let pick = (self.next_random() % n as u64) as usize;
        if draw >= rate {
            return None;
        }
        self.injected += 1;
        Some(self.fault_rates[key].kinds[pick].injection())
    }

    /// splitmix64: small, fast, and good enough to spread faults.
    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Now for the per-channel limit: the wall's instant, or `use_clock`'s time counted on from an
    /// instant (the limiter only compares arrivals).
    fn limit_now(&mut self) -> Instant {
        let Some(now) = self.clock.as_ref().map(|clock| clock()) else {
            return Instant::now();
        };
        let (at, then) = *self.clock_anchor.get_or_insert_with(|| (Instant::now(), now));
        at + now.duration_since(then).unwrap_or_default()
    }

    /// What Slack refuses in a message's blocks (see [`blocks_problem`]), or any blocks at all
    /// while `refuse_blocks` is on.
    fn blocks_problem(&self, p: &Value) -> Option<&'static str> {
        let carries_blocks = json_param(p, "blocks").is_some_and(|b| b.as_array().is_some_and(|b| !b.is_empty()));
        match self.blocks_refused && carries_blocks {
            true => Some("invalid_blocks"),
            false => blocks_problem(p),
        }
    }

    /// Per-channel token bucket of chat.postMessage; false (and counted) when the call must get a 429.
    fn take_channel_token(&mut self, p: &Value) -> bool {
        if !self.channel_limit {
            return true;
        }
        let Some(channel) = s(p, "channel").filter(|c| !c.is_empty()) else {
            return true;
        };
        let at = self.limit_now();
        if self.limiter.take(&channel, at) {
            true
        } else {
            self.rate_limited += 1;
            false
        }
    }

    fn dispatch(&mut self, method: &str, p: &Value) -> Value {
        let in_channel = [
            "conversations.invite",
            "conversations.kick",
            "conversations.rename",
            "chat.postMessage",
            "chat.update",
            "chat.delete",
            "pins.add",
        ]
        .contains(&method);
        if let Some(error) = s(p, "channel").and_then(|c| self.lost_channels.get(&c)).filter(|_| in_channel) {
            return err(error);
        }
        match method {
            "auth.test" => {
                let mut answer = json!({
                    "ok": true, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": TEAM_ID,
                    "user": "trouble-bot", "team": "Test", "url": "https://test.slack.com/"
                });
                if let Some(org) = &self.enterprise {
                    answer["enterprise_id"] = json!(org);
                }
                answer
            }
            "conversations.create" => self.create_channel(p),
            "conversations.rename" => self.rename_channel(p),
            "conversations.invite" => self.invite(p),
            "conversations.kick" => self.kick(p),
            "chat.postMessage" => self.post_message(p),
            "chat.update" => self.update_message(p),
            "chat.delete" => self.delete_own_message(p),
            "pins.add" => self.pin(p),
            "chat.postEphemeral" => match (s(p, "channel"), s(p, "user")) {
                (Some(_), Some(_)) => json!({"ok": true, "message_ts": self.next_ts()}),
                (None, _) => err("channel_not_found"),
                (_, None) => err("user_not_found"),
            },
            "views.open" => match (s(p, "trigger_id"), json_param(p, "view")) {
                (None, _) => err("invalid_trigger_id"),
                (_, None) => err("invalid_arguments"),
                (Some(_), Some(view)) => match view_problem(&view) {
                    Some(problem) => refused_view(problem),
                    None => self.view_reply(view, None),
                },
            },
            "views.publish" => match (s(p, "user_id"), json_param(p, "view")) {
                (Some(_), Some(view)) => match view_problem(&view) {
                    Some(problem) => refused_view(problem),
                    None => self.view_reply(view, None),
                },
                _ => err("invalid_arguments"),
            },
            "views.update" => match json_param(p, "view") {
                Some(view) => match view_problem(&view) {
                    Some(problem) => refused_view(problem),
                    None => self.view_reply(view, s(p, "view_id")),
                },
                None => err("invalid_arguments"),
            },
            "chat.getPermalink" => self.permalink(p),
            "conversations.history" => self.history(p),
            "conversations.replies" => self.replies(p),
            "conversations.open" => self.open_dm(p),
            "conversations.list" => self.list_channels(p),
            "conversations.info" => self.channel_info(p),
            "conversations.members" => match s(p, "channel").and_then(|id| self.known_channel(&id)) {
                // One page: a test's channel holds a handful.
                Some(channel) => json!({"ok": true, "members": self.members.get(&channel.id).cloned().unwrap_or_default(),
                    "response_metadata": {"next_cursor": ""}}),
                None => err("channel_not_found"),
            },
            "users.info" => match s(p, "user") {
                Some(user) if self.unknown_users.contains(&user) => err("user_not_found"),
                // A person the test named shows by that name; anyone else has none to show.
                Some(user) => {
                    let name = self.user_names.get(&user).cloned().unwrap_or_default();
                    let (emoji, text, expiration) = self.statuses.get(&user).cloned().unwrap_or_default();
                    let (tz, offset) = self
                        .zones
                        .get(&user)
                        .cloned()
                        .unwrap_or_else(|| ("Asia/Tokyo".to_string(), 32400));
                    json!({"ok": true, "user": {
                        "id": user, "team_id": TEAM_ID, "name": user.to_lowercase(),
                        "real_name": name, "deleted": self.deactivated.contains(&user), "is_bot": false,
                        "tz": tz, "tz_offset": offset,
                        "profile": {"real_name": name, "display_name": name, "status_emoji": emoji,
                            "status_text": text, "status_expiration": expiration}
                    }})
                }
                None => err("user_not_found"),
            },
            "team.info" => match s(p, "team").and_then(|team| self.team_names.get(&team).map(|n| (team, n))) {
                Some((team, name)) => json!({"ok": true, "team": {"id": team, "name": name, "domain": team.to_lowercase()}}),
                None => err("team_not_found"),
            },
            "usergroups.users.list" => {
                let users = s(p, "usergroup")
                    .and_then(|g| self.usergroups.get(&g).cloned())
                    .unwrap_or_default();
                json!({"ok": true, "users": users})
            }
            _ => err("unknown_method"),
        }
    }

    /// `conversations.rename`: the same rules for the name as `conversations.create`.
    fn rename_channel(&mut self, p: &Value) -> Value {
        let Some(id) = s(p, "channel") else {
            return err("channel_not_found");
        };
        let name = s(p, "name").unwrap_or_default();
        if let Some(error) = channel_name_problem(&name) {
            return err(error);
        }
        let taken = self.channels.iter().any(|c| c.name == name && c.id != id);
        if self.taken_names.contains(&name) || taken {
            return err("name_taken");
        }
        match self.channels.iter_mut().find(|c| c.id == id) {
            Some(channel) => {
                channel.name = name;
                let channel = channel.clone();
                json!({"ok": true, "channel": self.channel_obj(&channel)})
            }
            None => err("channel_not_found"),
        }
    }

    fn create_channel(&mut self, p: &Value) -> Value {
        let name = s(p, "name").unwrap_or_default();
        if name.is_empty() {
            return err("invalid_name_required");
        }
        if name.chars().count() > 80 {
            return err("invalid_name_maxlength");
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        if !name.chars().all(allowed) {
            return err("invalid_name_specials");
        }
        if name.chars().all(|c| c == '-' || c == '_') {
            return err("invalid_name_punctuation");
        }
        if self.taken_names.contains(&name) || self.channels.iter().any(|c| c.name == name) {
            return err("name_taken");
        }
        self.channel_counter += 1;
        let channel = FakeChannel {
            id: format!("C{:07}", self.channel_counter),
            name,
            is_private: flag(p, "is_private"),
        };
        if !self.lean {
            self.members.insert(channel.id.clone(), vec![BOT_USER_ID.to_string()]);
            self.channels.push(channel.clone());
        }
        json!({"ok": true, "channel": self.channel_obj(&channel)})
    }

    fn invite(&mut self, p: &Value) -> Value {
        let found = s(p, "channel").and_then(|id| self.known_channel(&id));
        let Some(channel) = found else {
            return err("channel_not_found");
        };
        let users: Vec<String> = match p.get("users") {
            Some(Value::Array(items)) => items.iter().filter_map(|u| u.as_str().map(str::to_string)).collect(),
            _ => s(p, "users")
                .unwrap_or_default()
                .split(',')
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .collect(),
        };
        if users.is_empty() {
            return err("no_user");
        }
        if users.len() > MAX_INVITE {
            return err("too_many_users");
        }
        // Real Slack refuses to invite the calling bot to a channel (it is already in it).
        if users.iter().any(|u| u == BOT_USER_ID) {
            return err("cant_invite_self");
        }
        let (unknown, users): (Vec<String>, Vec<String>) =
            users.into_iter().partition(|u| self.unknown_users.contains(u));
        let force = s(p, "force").is_some_and(|f| f == "true");
        if !unknown.is_empty() && (!force || users.is_empty()) {
            return err("user_not_found");
        }
        let errors: Vec<Value> = unknown
            .iter()
            .map(|u| json!({"user": u, "ok": false, "error": "user_not_found"}))
            .collect();
        if self.lean {
            return json!({"ok": true, "channel": self.channel_obj(&channel)});
        }
        let members = self.members.entry(channel.id.clone()).or_default();
        for user in users {
            if !members.contains(&user) {
                members.push(user);
            }
        }
        let mut answer = json!({"ok": true, "channel": self.channel_obj(&channel)});
        if !errors.is_empty() {
            answer["errors"] = Value::Array(errors);
        }
        answer
    }

    /// `conversations.kick`: one user out of a channel, as Slack answers it (`cant_kick_self`
    /// for the bot, `not_in_channel` for someone not in it).
    fn kick(&mut self, p: &Value) -> Value {
        let found = s(p, "channel").and_then(|id| self.known_channel(&id));
        let Some(channel) = found else {
            return err("channel_not_found");
        };
        let Some(user) = s(p, "user").filter(|u| !u.is_empty()) else {
            return err("user_not_found");
        };
        if user == BOT_USER_ID {
            return err("cant_kick_self");
        }
        let members = self.members.entry(channel.id.clone()).or_default();
        match members.iter().position(|m| *m == user) {
            Some(i) => {
                members.remove(i);
                json!({"ok": true})
            }
            None => err("not_in_channel"),
        }
    }

    fn post_message(&mut self, p: &Value) -> Value {
        let Some(raw_channel) = s(p, "channel").filter(|c| !c.is_empty()) else {
            return err("channel_not_found");
        };
        let channel = dm_or_channel(&raw_channel);
        if self.not_in_channel.contains(&raw_channel) || self.not_in_channel.contains(&channel) {
            return err("not_in_channel");
        }
        if self.unknown_users.contains(&raw_channel) {
            return err("channel_not_found");
        }
        if let Some(error) = self.refused_dms.get(&raw_channel) {
            return err(error);
        }
        if let Some(problem) = self.blocks_problem(p) {
            return err(problem);
        }
        let has_content = ["text", "blocks", "attachments", "markdown_text"]
            .iter()
            .any(|k| s(p, k).is_some_and(|v| !v.is_empty()) || p.get(*k).is_some_and(Value::is_array));
        if !has_content {
            return err("no_text");
        }
        let ts = self.next_ts();
        if self.lean {
            let message = json!({"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts});
            return json!({"ok": true, "channel": channel, "ts": ts, "message": message});
        }
        let mut stored = normalized(p);
        stored["ts"] = json!(ts);
        stored["channel"] = json!(channel);
        let message = message_json(&stored);
        self.messages.push(StoredMessage {
            channel: channel.clone(),
            ts: ts.clone(),
            current: stored,
            edits: Vec::new(),
        });
        json!({"ok": true, "channel": channel, "ts": ts, "message": message})
    }

    fn update_message(&mut self, p: &Value) -> Value {
        let raw_channel = s(p, "channel").unwrap_or_default();
        // Slack edits a direct message by the DM's id (D…), never by the user's (U… or W…).
        if raw_channel.starts_with('U') || raw_channel.starts_with('W') {
            return err("channel_not_found");
        }
        let channel = dm_or_channel(&raw_channel);
        let ts = s(p, "ts").unwrap_or_default();
        if let Some(problem) = self.blocks_problem(p) {
            return err(problem);
        }
        if self.lean {
            return json!({"ok": true, "channel": channel, "ts": ts, "text": p.get("text").cloned().unwrap_or(json!(""))});
        }
        let Some(msg) = self.find_message(&channel, &ts) else {
            return err("message_not_found");
        };
        let previous = msg.current.clone();
        if let (Value::Object(current), Value::Object(changes)) = (&mut msg.current, normalized(p)) {
            for (k, v) in changes {
                if k != "channel" && k != "ts" {
                    current.insert(k, v);
                }
            }
        }
        msg.edits.push(previous);
        let message = message_json(&msg.current);
        let text = msg.current.get("text").cloned().unwrap_or(json!(""));
        json!({"ok": true, "channel": channel, "ts": ts, "text": text, "message": message})
    }

    /// `chat.delete`: the message goes, unpinned with it (Slack leaves a thread's replies under
    /// a tombstone; here they stay, as messages of their own).
    fn delete_own_message(&mut self, p: &Value) -> Value {
        let channel = dm_or_channel(&s(p, "channel").unwrap_or_default());
        let ts = s(p, "ts").unwrap_or_default();
        if self.lean {
            return json!({"ok": true, "channel": channel, "ts": ts});
        }
        if self.find_message(&channel, &ts).is_none() {
            return err("message_not_found");
        }
        self.messages.retain(|m| !(m.channel == channel && m.ts == ts));
        if let Some(pins) = self.pins.get_mut(&channel) {
            pins.retain(|p| *p != ts);
        }
        json!({"ok": true, "channel": channel, "ts": ts})
    }

    fn pin(&mut self, p: &Value) -> Value {
        let channel = dm_or_channel(&s(p, "channel").unwrap_or_default());
        let ts = s(p, "timestamp").unwrap_or_default();
        if self.lean {
            return json!({"ok": true});
        }
        if self.find_message(&channel, &ts).is_none() {
            return err("message_not_found");
        }
        let pins = self.pins.entry(channel).or_default();
        if pins.contains(&ts) {
            return err("already_pinned");
        }
        pins.push(ts);
        json!({"ok": true})
    }

    fn permalink(&mut self, p: &Value) -> Value {
        let (Some(raw_channel), Some(ts)) = (s(p, "channel"), s(p, "message_ts")) else {
            return err("channel_not_found");
        };
        let channel = dm_or_channel(&raw_channel);
        let mut link = format!("https://test.slack.com/archives/{channel}/p{}", ts.replace('.', ""));
        // Thread replies get Slack's thread query, as in the ok_thread_reply fixture.
        let parent = self
            .find_message(&channel, &ts)
            .and_then(|m| s(&m.current, "thread_ts"))
            .filter(|parent| *parent != ts);
        if let Some(parent) = parent {
            link.push_str(&format!("?thread_ts={parent}&cid={channel}"));
        }
        json!({"ok": true, "channel": channel, "permalink": link})
    }

    /// Channel-level messages, newest first; `oldest`/`latest` (exclusive unless `inclusive`), `limit`
    /// (default 100) and `cursor` as in Slack. Like Slack, `metadata` only with `include_all_metadata`.
    fn history(&mut self, p: &Value) -> Value {
        let Some(channel) = s(p, "channel").filter(|c| !c.is_empty()).map(|c| dm_or_channel(&c)) else {
            return err("channel_not_found");
        };
        let range = TsRange::of(p);
        // Like Slack, history lists channel-level messages only: thread replies are left out
        // unless they were broadcast to the channel.
        let top_level: Vec<Value> = self
            .messages
            .iter()
            .rev()
            .filter(|m| m.channel == channel && range.contains(&m.ts))
            .filter(|m| {
                let reply = s(&m.current, "thread_ts").is_some_and(|t| t != m.ts);
                !reply || flag(&m.current, "reply_broadcast")
            })
            .map(|m| message_json(&m.current))
            .collect();
        page_of_messages(p, top_level)
    }

    /// A thread: its parent first, then the replies oldest first (within `oldest`/`latest`).
    fn replies(&mut self, p: &Value) -> Value {
        let (Some(channel), Some(ts)) = (s(p, "channel").map(|c| dm_or_channel(&c)), s(p, "ts")) else {
            return err("thread_not_found");
        };
        if self.lean {
            return page_of_messages(p, Vec::new());
        }
        let Some(parent) = self.messages.iter().find(|m| m.channel == channel && m.ts == ts) else {
            return err("thread_not_found");
        };
        let range = TsRange::of(p);
        let mut thread = vec![message_json(&parent.current)];
        thread.extend(
            self.messages
                .iter()
                .filter(|m| m.channel == channel && m.ts != ts && range.contains(&m.ts))
                .filter(|m| s(&m.current, "thread_ts").as_deref() == Some(ts.as_str()))
                .map(|m| message_json(&m.current)),
        );
        page_of_messages(p, thread)
    }

    /// conversations.open with `users` (one id → the DM `D<user>`, as chat.postMessage answers; several →
    /// an `G…` group DM) or with `channel` (reopen).
    fn open_dm(&mut self, p: &Value) -> Value {
        if let Some(channel) = s(p, "channel").filter(|c| !c.is_empty()) {
            return json!({"ok": true, "no_op": true, "already_open": true, "channel": {"id": channel}});
        }
        let users: Vec<String> = s(p, "users")
            .unwrap_or_default()
            .split(',')
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect();
        if users.is_empty() {
            return err("users_list_not_supplied");
        }
        if users.iter().any(|u| u == BOT_USER_ID) && users.len() == 1 {
            return err("cannot_dm_bot");
        }
        if users.iter().any(|u| self.unknown_users.contains(u)) {
            return err("user_not_found");
        }
        if let Some(error) = users.iter().find_map(|u| self.refused_dms.get(u)) {
            return err(error);
        }
        let id = match users.as_slice() {
            [one] => dm_or_channel(one),
            many => format!("G{}", many.join("")),
        };
        let already_open = !self.open_dms.insert(id.clone());
        json!({"ok": true, "no_op": already_open, "already_open": already_open, "channel": {"id": id}})
    }

    /// conversations.list: `types` (default `public_channel`, as in Slack), `limit` (default 100, max 1000)
    /// and `cursor`; the last page has `next_cursor: ""`.
    fn list_channels(&mut self, p: &Value) -> Value {
        let types = s(p, "types")
            .filter(|t| !t.is_empty())
            .unwrap_or("public_channel".into());
        let types: Vec<&str> = types.split(',').map(str::trim).collect();
        let wanted = |c: &FakeChannel| {
            let kind = if c.is_private {
                "private_channel"
            } else {
                "public_channel"
            };
            types.contains(&kind)
        };
        let limit = s(p, "limit")
            .and_then(|l| l.parse::<usize>().ok())
            .filter(|l| *l > 0)
            .unwrap_or(100)
            .min(1000);
        let Some(start) = parse_cursor(p) else {
            return err("invalid_cursor");
        };
        let matching: Vec<Value> = self
            .channels
            .iter()
            .filter(|c| wanted(c))
            .map(|c| self.channel_obj(c))
            .collect();
        let next = if start + limit < matching.len() {
            cursor_for(start + limit)
        } else {
            String::new()
        };
        let channels: Vec<Value> = matching.into_iter().skip(start).take(limit).collect();
        json!({"ok": true, "channels": channels, "response_metadata": {"next_cursor": next}})
    }

    fn channel_info(&mut self, p: &Value) -> Value {
        let Some(id) = s(p, "channel").filter(|c| !c.is_empty()) else {
            return err("channel_not_found");
        };
        // As `lose_channel` said: archived, the bot not in it, or gone.
        let lost = self.lost_channels.get(&id).cloned();
        if lost.as_deref() == Some("channel_not_found") {
            return err("channel_not_found");
        }
        if let Some(channel) = self.known_channel(&id) {
            let mut info = self.channel_obj(&channel);
            match lost.as_deref() {
                Some("is_archived") => info["is_archived"] = json!(true),
                Some(_) => info["is_member"] = json!(false),
                None => {}
            }
            return json!({"ok": true, "channel": info});
        }
        match id.strip_prefix('D') {
            Some(user) if user.starts_with('U') || user.starts_with('W') => json!({"ok": true, "channel": {
                "id": id, "is_im": true, "is_channel": false, "is_group": false, "is_mpim": false,
                "is_private": true, "user": user, "created": 1_700_000_000, "is_archived": false,
                "is_org_shared": false
            }}),
            _ => err("channel_not_found"),
        }
    }

    /// The channel with this id; when lean, any C…/G… id names a public channel of the bot's.
    fn known_channel(&self, id: &str) -> Option<FakeChannel> {
        if let Some(channel) = self.channels.iter().find(|c| c.id == id) {
            return Some(channel.clone());
        }
        let channel_like = id.starts_with('C') || id.starts_with('G');
        (self.lean && channel_like).then(|| FakeChannel {
            id: id.to_string(),
            name: id.to_lowercase(),
            is_private: false,
        })
    }

    /// A channel as Slack describes it: `creator` is UBOT unless `add_channel` said otherwise.
    /// When lean, the bot is taken to be in every channel.
    fn channel_obj(&self, c: &FakeChannel) -> Value {
        let creator = self.creators.get(&c.id).map(String::as_str).unwrap_or(BOT_USER_ID);
        let is_member = self.lean
            || self
                .members
                .get(&c.id)
                .is_some_and(|m| m.iter().any(|u| u == BOT_USER_ID));
        let num_members = self.members.get(&c.id).map(Vec::len).unwrap_or(0);
        json!({
            "id": c.id, "name": c.name, "name_normalized": c.name,
            "is_channel": true, "is_group": false, "is_im": false, "is_mpim": false,
            "is_private": c.is_private, "is_archived": false, "is_general": false,
            "is_member": is_member, "created": 1_700_000_000, "creator": creator,
            "is_shared": false, "is_ext_shared": false, "is_org_shared": false,
            "num_members": num_members,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": []
        })
    }

    fn view_reply(&mut self, view: Value, view_id: Option<String>) -> Value {
        let id = view_id.unwrap_or_else(|| {
            self.view_counter += 1;
            format!("V{:07}", self.view_counter)
        });
        let mut view = match view {
            Value::Object(map) => Value::Object(map),
            _ => json!({}),
        };
        view["id"] = json!(id);
        view["team_id"] = json!(TEAM_ID);
        json!({"ok": true, "view": view})
    }

    fn find_message(&mut self, channel: &str, ts: &str) -> Option<&mut StoredMessage> {
        self.messages.iter_mut().find(|m| m.channel == channel && m.ts == ts)
    }

    /// Unique, strictly increasing, fixed-width (so string order = time order) Slack-style ts taken from
    /// the fake's clock (the wall's unless `use_clock`), like Slack's: `oldest = now - 60 s` style filters work.
    fn next_ts(&mut self) -> String {
        let now = self
            .wall_now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or_default();
        let micros = now.max(self.last_ts_micros + 1);
        self.last_ts_micros = micros;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

/// What Slack says of a channel name it will not take (create or rename); None when it would.
fn channel_name_problem(name: &str) -> Option<&'static str> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if name.is_empty() {
        Some("invalid_name_required")
    } else if name.chars().count() > 80 {
        Some("invalid_name_maxlength")
    } else if !name.chars().all(allowed) {
        Some("invalid_name_specials")
    } else if name.chars().all(|c| c == '-' || c == '_') {
        Some("invalid_name_punctuation")
    } else {
        None
    }
}

fn err(error: &str) -> Value {
    json!({"ok": false, "error": error})
}

/// A user id (U…/W…) as a chat.postMessage channel means "DM that user"; Slack answers with a D… id.
pub fn dm_or_channel(channel: &str) -> String {
    if channel.starts_with('U') || channel.starts_with('W') {
        format!("D{channel}")
    } else {
        channel.to_string()
    }
}

/// A param as a string; numbers and bools are stringified because form bodies cannot type them.
fn s(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(v) => Some(v.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn flag(p: &Value, key: &str) -> bool {
    matches!(s(p, key).as_deref(), Some("true" | "1"))
}

/// A JSON-valued param (view, blocks, metadata): an object/array in JSON bodies, a JSON string in forms.
/// What Slack refuses in a message's blocks, as it answers: more than 50 blocks, a section's
/// text over 3,000 characters or a field's over 2,000, two blocks with one `block_id`, or one
/// block repeating an element's `action_id`, a button's `accessibility_label` over 75
/// characters, or any part past its own limit ([`element_problem`]: a header over 150, a
/// button's text over 75…) (`invalid_blocks`); or texts, button labels
/// included, that together pass about 12,000 characters though each is within its own limit
/// (`msg_blocks_too_long`).
fn blocks_problem(p: &Value) -> Option<&'static str> {
    let blocks = json_param(p, "blocks")?;
    let blocks = blocks.as_array()?;
    if blocks.len() > 50 {
        return Some("invalid_blocks");
    }
    let chars = |v: &Value| v["text"].as_str().map_or(0, |t| t.chars().count());
    let mut total = 0;
    let mut block_ids = std::collections::HashSet::new();
    for b in blocks {
        let (text, fields) = (chars(&b["text"]), b["fields"].as_array().map(Vec::as_slice).unwrap_or_default());
        let elements = b["elements"].as_array().map(Vec::as_slice).unwrap_or_default();
        if text > 3000 || fields.iter().any(|f| chars(f) > 2000) {
            return Some("invalid_blocks");
        }
        if b["block_id"].as_str().is_some_and(|id| !block_ids.insert(id.to_string())) {
            return Some("invalid_blocks");
        }
        let mut action_ids = std::collections::HashSet::new();
        if elements.iter().any(|e| e["action_id"].as_str().is_some_and(|id| !action_ids.insert(id.to_string()))) {
            return Some("invalid_blocks");
        }
        let label_over = |e: &Value| e["accessibility_label"].as_str().is_some_and(|a| a.chars().count() > 75);
        if elements.iter().chain([&b["accessory"]]).any(label_over) {
            return Some("invalid_blocks");
        }
        if element_problem(b, elements, fields) {
            return Some("invalid_blocks");
        }
        total += text
            + fields.iter().map(chars).sum::<usize>()
            + elements.iter().map(|e| chars(e) + chars(&e["text"])).sum::<usize>()
            + chars(&b["accessory"]["text"]);
    }
    (total > 12_000).then_some("msg_blocks_too_long")
}

/// The limits Slack holds one block's parts to beyond a section's text, each as documented for
/// its place (docs.slack.dev/reference/block-kit): a header's text 150 characters; a section
/// at most 10 fields; a context at most 10 elements, an actions block 25; a button's text 75,
/// its value 2,000 and url 3,000; a select's option text 75 and value 150; any text object
/// 3,000; `block_id` and `action_id` 255. Characters are counted as Slack's JSON schema
/// counts a string's length: in code points (Rust's `char`), never bytes.
fn element_problem(b: &Value, elements: &[Value], fields: &[Value]) -> bool {
    let n = |v: &Value| v.as_str().map_or(0, |t| t.chars().count());
    let over = |v: &Value, max: usize| n(v) > max;
    let kind = b["type"].as_str().unwrap_or_default();
    let button_over = |e: &Value| {
        (e["type"] == "button" && (over(&e["text"]["text"], 75) || over(&e["value"], 2000) || over(&e["url"], 3000)))
            || over(&e["action_id"], 255)
            || e["options"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| over(&o["text"]["text"], 75) || over(&o["value"], 150))
    };
    (kind == "header" && over(&b["text"]["text"], 150))
        || fields.len() > 10
        || (kind == "context" && elements.len() > 10)
        || (kind == "actions" && elements.len() > 25)
        || over(&b["block_id"], 255)
        || elements.iter().any(|e| over(&e["text"], 3000) || button_over(e))
        || (!b["accessory"].is_null() && button_over(&b["accessory"]))
}

/// What Slack refuses in a view (a modal, or App Home's), answering `invalid_arguments` with the
/// schema's message: the view object's own limits (a modal's title, close and submit of at most
/// 24 characters, its title required, a submit wherever there is an input, private_metadata of
/// 3,000, callback_id of 255), more than 100 blocks, a section's text over 3,000 characters, two
/// blocks with one `block_id`, and what an input, a text input or a select may hold.
fn view_problem(view: &Value) -> Option<String> {
    let chars = |v: &Value| v.as_str().map_or(0, |t| t.chars().count());
    let over = |v: &Value, max: usize, at: &str| (chars(v) > max).then(|| format!("must be no longer than {max} characters [{at}]"));
    let modal = view["type"] == "modal";
    let blocks = view["blocks"].as_array().cloned().unwrap_or_default();
    let has_input = blocks.iter().any(|b| b["type"] == "input");
    let mut problems = vec![
        over(&view["private_metadata"], 3000, "/view/private_metadata"),
        over(&view["callback_id"], 255, "/view/callback_id"),
        (blocks.len() > 100).then(|| "no more than 100 items allowed [/view/blocks]".to_string()),
    ];
    if modal {
        problems.extend([
            (chars(&view["title"]["text"]) == 0).then(|| "a modal needs a title [/view/title]".to_string()),
            over(&view["title"]["text"], 24, "/view/title/text"),
            over(&view["close"]["text"], 24, "/view/close/text"),
            over(&view["submit"]["text"], 24, "/view/submit/text"),
            (has_input && view["submit"].is_null()).then(|| "submit is required with an input block [/view/submit]".to_string()),
        ]);
    }
    let mut ids = std::collections::HashSet::new();
    for (i, b) in blocks.iter().enumerate() {
        let at = |field: &str| format!("/view/blocks/{i}/{field}");
        problems.extend([
            over(&b["text"]["text"], 3000, &at("text/text")),
            over(&b["block_id"], 255, &at("block_id")),
            b["block_id"]
                .as_str()
                .is_some_and(|id| !ids.insert(id.to_string()))
                .then(|| format!("block_id repeated [{}]", at("block_id"))),
            over(&b["label"]["text"], 2000, &at("label/text")),
            over(&b["hint"]["text"], 2000, &at("hint/text")),
            over(&b["accessory"]["accessibility_label"], 75, &at("accessory/accessibility_label")),
        ]);
        let elements = b["elements"].as_array().map(Vec::as_slice).unwrap_or_default();
        let fields = b["fields"].as_array().map(Vec::as_slice).unwrap_or_default();
        if element_problem(b, elements, fields) {
            problems.push(Some(format!("a part past its limit [{}]", at(""))));
        }
        let element = &b["element"];
        if !element.is_null() {
            problems.extend([
                over(&element["action_id"], 255, &at("element/action_id")),
                over(&element["placeholder"]["text"], 150, &at("element/placeholder/text")),
                over(&element["initial_value"], 3000, &at("element/initial_value")),
                element["max_length"]
                    .as_u64()
                    .is_some_and(|m| m > 3000)
                    .then(|| format!("max_length over 3000 [{}]", at("element/max_length"))),
                element["options"]
                    .as_array()
                    .is_some_and(|o| o.len() > 100)
                    .then(|| format!("no more than 100 options [{}]", at("element/options"))),
            ]);
            for (j, option) in element["options"].as_array().into_iter().flatten().enumerate() {
                problems.push(over(&option["text"]["text"], 75, &at(&format!("element/options/{j}/text/text"))));
                problems.push(over(&option["value"], 150, &at(&format!("element/options/{j}/value"))));
            }
        }
    }
    problems.into_iter().flatten().next()
}

fn refused_view(problem: String) -> Value {
    json!({"ok": false, "error": "invalid_arguments", "response_metadata": {"messages": [format!("[ERROR] {problem}")]}})
}

fn json_param(p: &Value, key: &str) -> Option<Value> {
    match p.get(key)? {
        Value::String(text) => serde_json::from_str(text).ok(),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

/// Params as stored in the world: token dropped, JSON-in-a-string fields parsed.
fn normalized(p: &Value) -> Value {
    let mut out = p.clone();
    if let Value::Object(map) = &mut out {
        map.remove("token");
        for key in ["blocks", "attachments", "metadata"] {
            if let Some(v) = json_param(p, key) {
                map.insert(key.to_string(), v);
            }
        }
    }
    out
}

/// The message object Slack echoes back (postMessage/update/history), shaped like the fixtures.
fn message_json(stored: &Value) -> Value {
    let mut msg = json!({
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "text": stored.get("text").cloned().unwrap_or(json!("")),
        "ts": stored.get("ts").cloned().unwrap_or(Value::Null),
    });
    // A person's message (`user_posts`): their id, and no bot_id.
    if let Some(Value::String(user)) = stored.get("user") {
        msg["user"] = json!(user);
        if let Value::Object(map) = &mut msg {
            map.remove("bot_id");
        }
    }
    for key in ["blocks", "attachments", "thread_ts", "metadata"] {
        if let Some(v) = stored.get(key) {
            msg[key] = v.clone();
        }
    }
    msg
}

/// A Slack ts ("1700000000.000100", "1700000000" or a number) in microseconds.
fn ts_micros(ts: &str) -> Option<i64> {
    let (secs, frac) = ts.trim().split_once('.').unwrap_or((ts.trim(), ""));
    let secs: i64 = secs.parse().ok()?;
    let frac = format!("{:0<6}", frac.get(..frac.len().min(6))?);
    Some(secs * 1_000_000 + frac.parse::<i64>().ok()?)
}

/// `oldest`/`latest`/`inclusive` of history and replies.
struct TsRange {
    oldest: Option<i64>,
    latest: Option<i64>,
    inclusive: bool,
}

impl TsRange {
    fn of(p: &Value) -> TsRange {
        let bound = |key: &str| s(p, key).and_then(|v| ts_micros(&v)).filter(|v| *v > 0);
        TsRange {
            oldest: bound("oldest"),
            latest: bound("latest"),
            inclusive: flag(p, "inclusive"),
        }
    }

    fn contains(&self, ts: &str) -> bool {
        let Some(t) = ts_micros(ts) else {
            return false;
        };
        let after = self.oldest.is_none_or(|o| t > o || (self.inclusive && t == o));
        let before = self.latest.is_none_or(|l| t < l || (self.inclusive && t == l));
        after && before
    }
}

/// Slack's opaque cursors, here "offset_<n>"; none or empty means the start.
fn parse_cursor(p: &Value) -> Option<usize> {
    match s(p, "cursor").filter(|c| !c.is_empty()) {
        None => Some(0),
        Some(c) => c.strip_prefix("offset_")?.parse().ok(),
    }
}

fn cursor_for(offset: usize) -> String {
    format!("offset_{offset}")
}

/// One page of history/replies: `limit` (default 100, max 999) from `cursor`; metadata dropped unless
/// `include_all_metadata` (Slack's default is false).
fn page_of_messages(p: &Value, mut all: Vec<Value>) -> Value {
    let limit = s(p, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(100)
        .min(999);
    let Some(start) = parse_cursor(p) else {
        return err("invalid_cursor");
    };
    if !flag(p, "include_all_metadata") {
        for m in &mut all {
            if let Value::Object(map) = m {
                map.remove("metadata");
            }
        }
    }
    let has_more = start + limit < all.len();
    let next = if has_more {
        cursor_for(start + limit)
    } else {
        String::new()
    };
    let messages: Vec<Value> = all.into_iter().skip(start).take(limit).collect();
    json!({"ok": true, "messages": messages, "has_more": has_more, "response_metadata": {"next_cursor": next}})
}

/// The Web API methods that read only query or form arguments (Slack's OpenAPI spec: `get`,
/// consuming `application/x-www-form-urlencoded` alone).
pub const FORM_ONLY: &[&str] = &[
    "conversations.history",
    "conversations.info",
    "conversations.list",
    "conversations.members",
    "conversations.replies",
    "users.info",
    "usergroups.users.list",
    "chat.getPermalink",
];

/// Whether a body is JSON: by its content type (any charset), or by its look when it has none.
fn is_json(headers: &HeaderMap, body: &[u8]) -> bool {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    content_type.starts_with("application/json")
        || (!content_type.starts_with("application/x-www-form-urlencoded")
            && body.trim_ascii_start().starts_with(b"{"))
}

/// Body → JSON object: JSON for application/json (any charset), else form-encoded; empty → {}.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Value::Object(Map::new());
    }
    if is_json(headers, body) {
        serde_json::from_slice(body).unwrap_or_else(|_| json!({ "_raw": String::from_utf8_lossy(body) }))
    } else {
        form_to_json(body)
    }
}

fn form_to_json(body: &[u8]) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}
