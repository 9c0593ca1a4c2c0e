//! `cargo bench`: the release-built bot on loopback against a fake Slack, loaded by a generator that
//! signs every request exactly as Slack does. Prints one table; BENCHMARKS.md explains it.
//!
//! `cargo bench -- --quick` (or `BENCH_QUICK=1 cargo bench`) runs smaller counts; `cargo bench --
//! open scale` runs only those parts (baseline, help, open, ping, scale, nudge, wrk). `BENCH_BOLT=1`
//! also installs a Bolt for JavaScript app from npm into a temporary folder and measures its bare
//! `ack()` on the same signed command, the peer every figure is compared with. The `wrk` part
//! repeats the issue's own measurement (wrk against the release binary) when wrk is at hand,
//! and the ceiling of a durable open: its Slack calls made alone.

// The binary's allocator and settings, so the in-process figures measure what it runs on.
trouble_bot::use_jemalloc!();

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use fake_slack::{dm_or_channel, Call, ChannelLimiter, FakeSlack};
use serde_json::{json, Value};
use trouble_bot::config::{Config, Secret};
use trouble_bot::slack::blocks::Rendered;
use trouble_bot::slack::signature::{sign, verify};
use trouble_bot::slack::SlackClient;
use trouble_bot::RunningBot;

const SECRET: &str = "bench-signing-secret";
const DEFAULT_MANAGER: &str = "U0MANAGER";

/// Every id, customer and channel in the run is unique: one counter for the whole process.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Opts {
    quick: bool,
    /// Also measure a Bolt for JavaScript app's bare ack (`BENCH_BOLT=1`; needs node and npm).
    bolt: bool,
    parts: Vec<String>,
    /// Seconds of measured load per row of the throughput table.
    load_secs: f64,
    warmup_secs: f64,
    scale_n: u64,
    nudge_n: u64,
    ping_n: u64,
    list_n: u64,
}

impl Opts {
    fn from_args() -> Opts {
        let mut quick = std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let bolt = std::env::var("BENCH_BOLT").is_ok_and(|v| !v.is_empty() && v != "0");
        let mut parts = Vec::new();
        for arg in std::env::args().skip(1) {
            if arg == "--quick" {
                quick = true;
            } else if !arg.starts_with('-') {
                parts.push(arg);
            }
            // Other flags (cargo passes `--bench`) are ignored.
        }
        if quick {
            Opts {
                quick,
                bolt,
                parts,
                load_secs: 1.5,
                warmup_secs: 0.3,
                scale_n: 100_000,
                nudge_n: 200,
                ping_n: 40,
                list_n: 20,
            }
        } else {
            Opts {
                quick,
                bolt,
                parts,
                load_secs: 5.0,
                warmup_secs: 1.0,
                scale_n: 100_000,
                nudge_n: 1_000,
                ping_n: 200,
                list_n: 50,
            }
        }
    }

    fn wants(&self, part: &str) -> bool {
        self.parts.is_empty() || self.parts.iter().any(|p| p == part)
    }
}

// ---------------------------------------------------------------------------------------------
// Fake Slack
// ---------------------------------------------------------------------------------------------

/// What the bench reads of one call to the fake, kept as the call is answered.
#[derive(Clone)]
struct Rec {
    method: String,
    /// `channel` param (chat.*, pins.*, conversations.invite) or the requested name (conversations.create).
    channel: String,
    /// conversations.create: the id handed out.
    created: String,
    at: Instant,
    wall: DateTime<Utc>,
    /// A customer-update nudge (chat.postMessage carrying the Log update button).
    nudge: bool,
    /// Answered 429 by the per-channel limiter.
    limited: bool,
    /// chat.postMessage: how many troubles the message speaks of (several when combined).
    troubles: usize,
}

impl Rec {
    fn of(call: &Call) -> Rec {
        let param = |k: &str| {
            call.params
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let post = call.method == "chat.postMessage";
        Rec {
            channel: match call.method.as_str() {
                "conversations.create" => param("name"),
                "conversations.open" => param("users"),
                _ => param("channel"),
            },
            created: call.answer["channel"]["id"]
                .as_str()
                .filter(|_| call.method == "conversations.create")
                .unwrap_or_default()
                .to_string(),
            at: call.at,
            wall: DateTime::<Utc>::from(call.wall),
            nudge: post && mentions(&call.params, "log_update"),
            limited: call.outcome == "http:429",
            troubles: call.params["metadata"]["event_payload"]["troubles"]
                .as_str()
                .map_or(1, |t| t.split(',').count()),
            method: call.method.clone(),
        }
    }
}

/// Whether any string in `v` contains `needle`.
fn mentions(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(items) => items.iter().any(|i| mentions(i, needle)),
        Value::Object(map) => map.values().any(|i| mentions(i, needle)),
        _ => false,
    }
}

/// The `fake-slack` crate's server, lean (no call log, no world on the hot path), and what the
/// bench keeps of each call when it records.
#[derive(Clone)]
struct Fake {
    slack: FakeSlack,
    calls: Arc<Mutex<Vec<Rec>>>,
}

impl Fake {
    /// A fake that only counts calls.
    async fn counting() -> Fake {
        Fake {
            slack: FakeSlack::start_lean().await,
            calls: Arc::default(),
        }
    }

    /// A fake answering each call after `latency`, applying Slack's per-channel limit when
    /// `limit_channels`, and keeping a [`Rec`] of every call.
    async fn recording(latency: Duration, limit_channels: bool) -> Fake {
        let fake = Fake::counting().await;
        fake.slack.set_latency(latency);
        fake.slack.enforce_channel_rate_limit(limit_channels);
        let calls = fake.calls.clone();
        fake.slack.observe(move |call| lock(&calls).push(Rec::of(call)));
        fake
    }

    fn api_url(&self) -> String {
        self.slack.api_url()
    }

    fn response_url(&self) -> String {
        self.slack.response_url("x")
    }

    fn calls(&self) -> Vec<Rec> {
        lock(&self.calls).clone()
    }

    fn total(&self) -> u64 {
        self.slack.call_count()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------------
// The bot and the baseline
// ---------------------------------------------------------------------------------------------

/// The bot's configuration. With `default_manager`, everyone outside the org table reports to
/// one manager, who is then DMed about every trouble besides the manager named in it.
fn config_text(customer_update_every: &str, default_manager: bool) -> String {
    let org = if default_manager {
        format!("[org]\ndefault_manager = \"{DEFAULT_MANAGER}\"")
    } else {
        String::new()
    };
    format!(
        r#"
locale = "en"
timezone = "Asia/Tokyo"
channel_prefix = "trouble"

{org}

[severity.1]
ack_timeout = "1h"
customer_update_every = "4h"
[severity.2]
ack_timeout = "1h"
customer_update_every = "{customer_update_every}"
[severity.3]
ack_timeout = "2h"
customer_update_every = "1d"
"#
    )
}

fn bot_env(api_url: &str, dir: &Path, listen: &str) -> BTreeMap<String, String> {
    [
        ("SLACK_SIGNING_SECRET", SECRET.to_string()),
        ("SLACK_BOT_TOKEN", "xoxb-bench-token".to_string()),
        ("SLACK_API_URL", api_url.to_string()),
        ("TROUBLE_LISTEN", listen.to_string()),
        ("TROUBLE_DATA_DIR", dir.to_string_lossy().into_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn bot_config(api_url: &str, dir: &Path, every: &str) -> Config {
    bot_config_with(api_url, dir, every, true)
}

fn bot_config_with(api_url: &str, dir: &Path, every: &str, default_manager: bool) -> Config {
    Config::from_sources(
        Some(&config_text(every, default_manager)),
        &bot_env(api_url, dir, "127.0.0.1:0"),
    )
    .unwrap_or_else(|p| panic!("bench config: {p:?}"))
}

async fn start_bot(fake: &Fake, dir: &Path, every: &str) -> (RunningBot, String) {
    start_bot_at(&fake.api_url(), dir, every).await
}

/// A bot whose troubles DM only the manager each open names (every open names its own):
/// the durable-open and scale rows measure opens, not one person's DM pacing, which the
/// ping part measures on its own.
async fn start_bot_named(api_url: &str, dir: &Path) -> (RunningBot, String) {
    start_with_config(bot_config_with(api_url, dir, "4h", false)).await
}

async fn start_bot_at(api_url: &str, dir: &Path, every: &str) -> (RunningBot, String) {
    start_with_config(bot_config(api_url, dir, every)).await
}

async fn start_with_config(config: Config) -> (RunningBot, String) {
    let bot = trouble_bot::start(config).await.expect("bot starts");
    let url = format!("http://{}", bot.addr);
    (bot, url)
}

/// A bare axum handler that verifies Slack's signature and answers: the floor for any handler.
async fn start_baseline() -> String {
    async fn handle(State(secrets): State<Arc<Vec<Secret>>>, headers: HeaderMap, body: Bytes) -> Response {
        let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
        let now = Utc::now().timestamp();
        match verify(
            &secrets,
            h("x-slack-request-timestamp"),
            h("x-slack-signature"),
            &body,
            now,
        ) {
            Ok(()) => axum::Json(json!({"response_type": "ephemeral", "text": "ok"})).into_response(),
            Err(_) => StatusCode::UNAUTHORIZED.into_response(),
        }
    }
    let router = Router::new()
        .route("/slack/commands", post(handle))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(Arc::new(vec![Secret::new(SECRET)]));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("baseline binds");
    let addr = listener.local_addr().expect("baseline addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

// ---------------------------------------------------------------------------------------------
// Load generator
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Help,
    /// Distinct reporter, manager (`<@…>`), origin channel and customer per request.
    Open,
    /// Opened by one reporter with the org's default manager, from one origin channel.
    OpenDefaultManager,
    List,
    /// Another read command (`history …`, `search …`, `stats`), from U0SALES in C0ORIGIN.
    Read(&'static str),
    /// The help command's body, answered by a peer with an empty 200 (Bolt's bare `ack()`).
    PeerAck,
}

fn command_body(kind: Kind, n: u64, response_url: &str) -> String {
    let (user, channel, text) = match kind {
        Kind::Help | Kind::PeerAck => ("U0SALES".to_string(), "C0ORIGIN".to_string(), "help".to_string()),
        Kind::List => ("U0SALES".to_string(), "C0ORIGIN".to_string(), "list".to_string()),
        Kind::Read(text) => ("U0SALES".to_string(), "C0ORIGIN".to_string(), text.to_string()),
        Kind::Open => (
            format!("USALES{n:07}"),
            format!("CORIG{n:07}"),
            format!("open <@UMGR{n:07}> Cust{n:07}: housing cracked on lot {n}"),
        ),
        Kind::OpenDefaultManager => (
            "U0SALES".to_string(),
            format!("CORIG{n:07}"),
            format!("open Cust{n:07}: housing cracked on lot {n}"),
        ),
    };
    serde_urlencoded::to_string([
        ("token", "legacy"),
        ("team_id", "T0TEAM"),
        ("team_domain", "bench"),
        ("channel_id", channel.as_str()),
        ("channel_name", "somewhere"),
        ("user_id", user.as_str()),
        ("user_name", "someone"),
        ("command", "/trouble"),
        ("text", text.as_str()),
        ("api_app_id", "A0APP"),
        ("response_url", response_url),
        ("trigger_id", "1337.42.abcdef"),
    ])
    .expect("form")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Sends one freshly signed `/trouble` command; Ok(latency) when answered 200 with the expected text.
async fn send(client: &reqwest::Client, base: &str, kind: Kind, n: u64, response_url: &str) -> Result<Duration, ()> {
    let body = command_body(kind, n, response_url);
    let ts = Utc::now().timestamp().to_string();
    let signature = sign(SECRET, &ts, body.as_bytes());
    let t0 = Instant::now();
    let response = client
        .post(format!("{base}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|_| ())?;
    let ok = response.status() == StatusCode::OK;
    let text = response.bytes().await.map_err(|_| ())?;
    let latency = t0.elapsed();
    let expected = match kind {
        // While the bot knows Slack is down, an open is answered as saved, its manager not
        // pinged yet: stored all the same (the ack path's row).
        Kind::Open | Kind::OpenDefaultManager => contains(&text, b" opened") || contains(&text, b" is saved"),
        Kind::Help | Kind::List | Kind::Read(_) => !text.is_empty(),
        Kind::PeerAck => true,
    };
    if ok && expected {
        Ok(latency)
    } else {
        Err(())
    }
}

struct Sample {
    latencies: Vec<Duration>,
    elapsed: Duration,
    errors: u64,
    /// CPU time of the whole bench process (bot, generator and fake) over the window, in cores.
    cpu_cores: f64,
    /// Bytes this process caused to be written to storage over the window (/proc/self/io).
    disk_bytes: u64,
    /// CPU used by every other process on the machine over the window, in cores (noise).
    others_cores: f64,
}

impl Sample {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// `concurrency` closed-loop workers until `duration` has passed or `max` requests were sent.
async fn run_load(
    base: &str,
    kind: Kind,
    concurrency: usize,
    duration: Duration,
    max: u64,
    response_url: &str,
) -> Sample {
    let client = client();
    let sent = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu_secs(None);
    let machine_before = machine_busy_secs();
    let disk_before = disk_written();
    let start = Instant::now();
    let deadline = start + duration;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, sent, base, response_url) =
            (client.clone(), sent.clone(), base.to_string(), response_url.to_string());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < max {
                match send(&client, &base, kind, next_id(), &response_url).await {
                    Ok(l) => latencies.push(l),
                    Err(()) => errors += 1,
                }
            }
            (latencies, errors)
        });
    }
    let mut sample = Sample {
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
        errors: 0,
        cpu_cores: 0.0,
        disk_bytes: 0,
        others_cores: 0.0,
    };
    while let Some(done) = workers.join_next().await {
        let (l, e) = done.expect("worker");
        sample.latencies.extend(l);
        sample.errors += e;
    }
    sample.elapsed = start.elapsed();
    sample.cpu_cores = (cpu_secs(None) - cpu_before) / sample.elapsed.as_secs_f64().max(1e-9);
    sample.disk_bytes = disk_written().saturating_sub(disk_before);
    let own = cpu_secs(None) - cpu_before;
    sample.others_cores =
        ((machine_busy_secs() - machine_before - own) / sample.elapsed.as_secs_f64().max(1e-9)).max(0.0);
    sample.latencies.sort();
    sample
}

// ---------------------------------------------------------------------------------------------
// Measuring helpers
// ---------------------------------------------------------------------------------------------

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1000.0;
    if v < 10.0 {
        format!("{v:.2} ms")
    } else if v < 10_000.0 {
        format!("{v:.1} ms")
    } else {
        format!("{:.1} s", v / 1000.0)
    }
}

/// The child's RSS once it has settled: the bot answers `/healthz` while it still loads the
/// search texts in the background, so a reading taken at once would leave them out. Settled
/// means no change over 64 KB for a whole second (at most ten seconds).
async fn settled_rss_kb(pid: u32) -> u64 {
    let started = Instant::now();
    let (mut last, mut since) = (rss_kb(Some(pid)), Instant::now());
    while started.elapsed() < Duration::from_secs(10) && since.elapsed() < Duration::from_secs(1) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = rss_kb(Some(pid));
        if now.abs_diff(last) > 64 {
            (last, since) = (now, Instant::now());
        }
    }
    last
}

fn rss_kb(pid: Option<u32>) -> u64 {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_string(),
    };
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// User + system CPU seconds a process (this one, or `pid`) has used (all threads).
fn cpu_secs(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // /proc reports clock ticks; USER_HZ is 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// A ratio with three significant digits: the open's share of the baseline (about 0.02×) is
/// what compares runs on a host whose speed changes from one hour to the next, and two decimals
/// would round every run to the same figure.
fn times(r: f64) -> String {
    if r >= 0.1 {
        format!("{r:.2}×")
    } else {
        format!("{r:.4}×")
    }
}

/// Busy CPU seconds of the whole machine so far (all CPUs; idle and iowait excluded).
fn machine_busy_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = ticks.iter().sum();
    let idle = ticks.get(3).copied().unwrap_or(0.0) + ticks.get(4).copied().unwrap_or(0.0);
    (total - idle) / 100.0
}

/// Bytes written to storage by this process so far (`write_bytes` in /proc/self/io).
fn disk_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("write_bytes:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Bytes the files under `dir` take on disk (allocated blocks, not apparent length).
fn dir_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.blocks() * 512,
            Err(_) => 0,
        })
        .sum()
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// Waits until the outbox is empty (every intended Slack call delivered); None past `limit`.
async fn drain(app: &trouble_bot::App, limit: Duration) -> Option<Duration> {
    let t = Instant::now();
    loop {
        if app.store.sled().expect("the bench runs on sled").outbox_len() == 0 {
            return Some(t.elapsed());
        }
        if t.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_healthy(base: &str, limit: Duration) -> bool {
    let client = client();
    let t = Instant::now();
    while t.elapsed() < limit {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == StatusCode::OK {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    false
}

fn load_avg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

struct Row {
    what: String,
    concurrency: usize,
    sample: Sample,
    /// Throughput and p99 of the baseline at the same concurrency.
    baseline: Option<(f64, Duration)>,
    /// Throughput and p99 of Bolt-JS's bare ack at the same concurrency (`BENCH_BOLT=1`).
    bolt: Option<(f64, Duration)>,
    note: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    lines: Vec<(String, String)>,
    targets: Vec<(String, String, bool)>,
}

impl Report {
    fn line(&mut self, what: impl Into<String>, value: impl Into<String>) {
        let (what, value) = (what.into(), value.into());
        eprintln!("  {what}: {value}");
        self.lines.push((what, value));
    }

    fn target(&mut self, what: impl Into<String>, measured: impl Into<String>, met: bool) {
        self.targets.push((what.into(), measured.into(), met));
    }

    fn print(&self, opts: &Opts) {
        println!();
        println!(
            "trouble-bot benchmark ({} run) — {} cores, {} total memory",
            if opts.quick { "quick" } else { "full" },
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            mem_total()
        );
        println!();
        if !self.rows.is_empty() {
            println!(
                "| {:<34} | {:>3} | {:>6} | {:>8} | {:>9} | {:>9} | {:>9} | {:>13} | {:>11} | {:>13} | {:>5} | {:>6} | {:>9} | note",
                "ack latency / throughput",
                "c",
                "n",
                "req/s",
                "p50",
                "p99",
                "max",
                "req/s vs base",
                "p99 vs base",
                "req/s vs Bolt",
                "CPU",
                "others",
                "disk/req"
            );
            println!(
                "|{:-<36}|{:-<5}|{:-<8}|{:-<10}|{:-<11}|{:-<11}|{:-<11}|{:-<15}|{:-<13}|{:-<15}|{:-<7}|{:-<8}|{:-<11}|------",
                "", "", "", "", "", "", "", "", "", "", "", "", ""
            );
            for r in &self.rows {
                let s = &r.sample;
                let (ratio, p99_ratio) = match r.baseline {
                    Some((rate, p99)) => (
                        times(s.rate() / rate),
                        format!(
                            "{:.1}×",
                            pct(&s.latencies, 99.0).as_secs_f64() / p99.as_secs_f64().max(1e-9)
                        ),
                    ),
                    None => ("—".to_string(), "—".to_string()),
                };
                let bolt_ratio = r
                    .bolt
                    .map(|(rate, _)| times(s.rate() / rate))
                    .unwrap_or_else(|| "—".to_string());
                let errors = if s.errors > 0 {
                    format!(" ERRORS: {}", s.errors)
                } else {
                    String::new()
                };
                println!(
                    "| {:<34} | {:>3} | {:>6} | {:>8.0} | {:>9} | {:>9} | {:>9} | {:>13} | {:>11} | {:>13} | {:>4.0}% | {:>5.0}% | {:>6.1} KB | {}{}",
                    r.what,
                    r.concurrency,
                    s.latencies.len(),
                    s.rate(),
                    ms(pct(&s.latencies, 50.0)),
                    ms(pct(&s.latencies, 99.0)),
                    ms(s.latencies.last().copied().unwrap_or_default()),
                    ratio,
                    p99_ratio,
                    bolt_ratio,
                    100.0 * s.cpu_cores,
                    100.0 * s.others_cores,
                    s.disk_bytes as f64 / 1024.0 / (s.latencies.len().max(1) as f64),
                    r.note,
                    errors
                );
            }
            println!();
        }
        if !self.lines.is_empty() {
            let width = self.lines.iter().map(|(w, _)| w.chars().count()).max().unwrap_or(0);
            for (what, value) in &self.lines {
                println!("  {what:<width$}  {value}");
            }
            println!();
        }
        if !self.targets.is_empty() {
            println!("targets (2-core machine):");
            for (what, measured, met) in &self.targets {
                println!("  [{}] {what}: {measured}", if *met { "met " } else { "MISS" });
            }
        }
    }
}

fn mem_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.1} GB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Parts
// ---------------------------------------------------------------------------------------------

const LEVELS: [usize; 3] = [1, 16, 64];

/// What every row is compared with, per concurrency: throughput and p99.
#[derive(Default)]
struct Peers {
    /// The in-process bare axum handler (verify + answer).
    base: HashMap<usize, (f64, Duration)>,
    /// Bolt for JavaScript answering with a bare `ack()` (empty unless `BENCH_BOLT=1`).
    bolt: HashMap<usize, (f64, Duration)>,
}

/// The Bolt-JS peer: the same command, the same signing secret, answered with a bare `ack()`.
const BOLT_APP: &str = r#"
const { App, LogLevel } = require('@slack/bolt');
const app = new App({
  signingSecret: process.env.SIGNING_SECRET,
  authorize: async () => ({ botToken: 'xoxb-bench', botId: 'B0BENCH', botUserId: 'U0BENCH' }),
  endpoints: '/slack/commands',
  logLevel: LogLevel.ERROR,
});
app.command('/trouble', async ({ ack }) => { await ack(); });
(async () => {
  await app.start({ port: Number(process.env.PORT), host: '127.0.0.1' });
  console.log('ready');
})();
"#;

/// Kills the Bolt app when the part ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Installs `@slack/bolt` (5.1, the version the issue measured) into a temporary folder with npm
/// and starts the peer app there; its base URL, or why not.
fn start_bolt(dir: &Path) -> Result<(Child, String), String> {
    std::fs::write(dir.join("package.json"), r#"{"name":"bolt-peer","private":true}"#).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("app.js"), BOLT_APP).map_err(|e| e.to_string())?;
    let install = std::process::Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "@slack/bolt@5.1"])
        .current_dir(dir)
        .status()
        .map_err(|e| format!("npm: {e}"))?;
    if !install.success() {
        return Err(format!("npm install @slack/bolt failed: {install}"));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let child = std::process::Command::new("node")
        .arg("app.js")
        .current_dir(dir)
        .env("SIGNING_SECRET", SECRET)
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("node: {e}"))?;
    Ok((Child(child), format!("http://127.0.0.1:{port}")))
}

/// Node takes a moment to start: waits (up to 30 s) until Bolt acks a signed command.
async fn wait_bolt(base: &str) -> bool {
    let client = client();
    let t = Instant::now();
    while send(&client, base, Kind::PeerAck, 0, "http://127.0.0.1:9/")
        .await
        .is_err()
    {
        if t.elapsed() > Duration::from_secs(30) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

async fn part_bolt(
    opts: &Opts,
    report: &mut Report,
    base_peer: &HashMap<usize, (f64, Duration)>,
) -> HashMap<usize, (f64, Duration)> {
    eprintln!("bolt: Bolt for JavaScript 5.1, bare ack() (installing from npm)");
    let dir = tempfile::tempdir().expect("temp dir");
    let (child, base) = match start_bolt(dir.path()) {
        Ok(started) => started,
        Err(why) => {
            eprintln!("  no Bolt peer: {why}");
            report.line("Bolt-JS peer", format!("not measured: {why}"));
            return HashMap::new();
        }
    };
    if !wait_bolt(&base).await {
        report.line("Bolt-JS peer", "not measured: it did not answer within 30 s");
        return HashMap::new();
    }
    let out = peer_rows(opts, report, &base, Kind::PeerAck, "Bolt-JS 5.1 bare ack()", base_peer).await;
    drop(child);
    out
}

async fn part_baseline(opts: &Opts, report: &mut Report) -> HashMap<usize, (f64, Duration)> {
    eprintln!("baseline: bare axum handler, signature check only");
    let base = start_baseline().await;
    peer_rows(
        opts,
        report,
        &base,
        Kind::Help,
        "baseline (verify + answer)",
        &HashMap::new(),
    )
    .await
}

/// Loads a peer at every level: its rows, and its throughput and p99 per concurrency.
async fn peer_rows(
    opts: &Opts,
    report: &mut Report,
    base: &str,
    kind: Kind,
    what: &str,
    compared_with: &HashMap<usize, (f64, Duration)>,
) -> HashMap<usize, (f64, Duration)> {
    let mut out = HashMap::new();
    for c in LEVELS {
        let warm = Duration::from_secs_f64(opts.warmup_secs);
        run_load(base, kind, c, warm, u64::MAX, "http://127.0.0.1:9/").await;
        let s = run_load(
            base,
            kind,
            c,
            Duration::from_secs_f64(opts.load_secs),
            u64::MAX,
            "http://127.0.0.1:9/",
        )
        .await;
        eprintln!("  c={c}: {:.0} req/s p99 {}", s.rate(), ms(pct(&s.latencies, 99.0)));
        out.insert(c, (s.rate(), pct(&s.latencies, 99.0)));
        report.rows.push(Row {
            what: what.into(),
            concurrency: c,
            sample: s,
            baseline: compared_with.get(&c).copied(),
            bolt: None,
            note: String::new(),
        });
    }
    out
}

async fn part_help(opts: &Opts, report: &mut Report, peers: &Peers) {
    eprintln!("help: /trouble help");
    let fake = Fake::counting().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, base) = start_bot(&fake, dir.path(), "4h").await;
    let response_url = fake.response_url();
    for c in LEVELS {
        let warm = Duration::from_secs_f64(opts.warmup_secs);
        run_load(&base, Kind::Help, c, warm, u64::MAX, &response_url).await;
        let s = run_load(
            &base,
            Kind::Help,
            c,
            Duration::from_secs_f64(opts.load_secs),
            u64::MAX,
            &response_url,
        )
        .await;
        eprintln!("  c={c}: {:.0} req/s p99 {}", s.rate(), ms(pct(&s.latencies, 99.0)));
        let b = peers.base.get(&c).copied();
        if c == 16 {
            let p99 = pct(&s.latencies, 99.0);
            if let Some((rate, _)) = b {
                report.target(
                    "help ≥ 0.8× baseline throughput at c=16",
                    format!("{:.2}×", s.rate() / rate),
                    s.rate() >= 0.8 * rate,
                );
            }
            report.target(
                "help p99 < 5 ms at c=16",
                ms(p99),
                p99 < Duration::from_millis(5) && s.errors == 0,
            );
        }
        report.rows.push(Row {
            what: "/trouble help".into(),
            concurrency: c,
            sample: s,
            baseline: b,
            bolt: peers.bolt.get(&c).copied(),
            note: String::new(),
        });
    }
    bot.stop().await;
}

async fn part_open(opts: &Opts, report: &mut Report, peers: &Peers) {
    eprintln!("open: /trouble open, durable, deliveries running (fake Slack 0 ms)");
    for c in LEVELS {
        // A fresh bot per level, so each starts from an empty store.
        let fake = Fake::counting().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let (bot, base) = start_bot_named(&fake.api_url(), dir.path()).await;
        let response_url = fake.response_url();
        // Warm the connections with help, not opens, so no earlier deliveries overlap the window.
        let warm = Duration::from_secs_f64(opts.warmup_secs);
        run_load(&base, Kind::Help, c, warm, u64::MAX, &response_url).await;
        let calls_before = fake.total();
        let written_before = disk_written();
        let s = run_load(
            &base,
            Kind::Open,
            c,
            Duration::from_secs_f64(opts.load_secs),
            u64::MAX,
            &response_url,
        )
        .await;
        let backlog = bot.app.store.sled().expect("the bench runs on sled").outbox_len();
        let calls_during = fake.total() - calls_before;
        // Split at the window's end: what the opens and the deliveries made meanwhile wrote, and
        // what the deliveries left over wrote after (the total is the figure the target reads).
        let written_during = disk_written().saturating_sub(written_before);
        let drained = drain(&bot.app, Duration::from_secs(120)).await;
        let calls_total = fake.total() - calls_before;
        let opened = s.latencies.len() as f64;
        bot.app.store.flush().await.expect("flush");
        let written_per_open = disk_written().saturating_sub(written_before) as f64 / opened.max(1.0);
        let troubles = bot
            .app
            .store
            .sled()
            .expect("the bench runs on sled")
            .trouble_count()
            .max(1) as f64;
        bot.stop().await;
        // At rest: the data directory after a restart (sled settles its log on open and stop).
        let (again, _) = start_bot_named(&fake.api_url(), dir.path()).await;
        again.stop().await;
        let at_rest = dir_bytes(dir.path()) as f64 / troubles;
        let note = format!(
            "{:.1} KB written/open incl. its deliveries ({:.1} during the load, {:.1} in the drain), {:.1} KB/trouble at rest; outbox at end {backlog}; drained {}; Slack calls {calls_total} ({:.1}/open, {:.0}% done during load)",
            written_per_open / 1024.0,
            written_during as f64 / opened.max(1.0) / 1024.0,
            written_per_open / 1024.0 - written_during as f64 / opened.max(1.0) / 1024.0,
            at_rest / 1024.0,
            drained.map(ms).unwrap_or_else(|| "NOT within 120 s".into()),
            calls_total as f64 / opened.max(1.0),
            100.0 * calls_during as f64 / calls_total.max(1) as f64
        );
        eprintln!(
            "  c={c}: {:.0} opens/s p99 {}; {note}",
            s.rate(),
            ms(pct(&s.latencies, 99.0))
        );
        if c == 64 {
            let p99 = pct(&s.latencies, 99.0);
            match peers.bolt.get(&c) {
                Some((bolt, _)) => report.target(
                    "open ≥ 1× Bolt-JS bare ack at c=64",
                    format!("{:.0}/s = {:.2}× Bolt ({bolt:.0}/s)", s.rate(), s.rate() / bolt),
                    s.rate() >= *bolt && s.errors == 0,
                ),
                None => report.target(
                    "open ≥ 1× Bolt-JS bare ack at c=64 (run with BENCH_BOLT=1)",
                    format!("{:.0}/s; Bolt not measured", s.rate()),
                    false,
                ),
            }
            report.target("open p99 ack < 50 ms at c=64", ms(p99), p99 < Duration::from_millis(50));
            report.target(
                "open: < 16 KB written per open (with its deliveries)",
                format!("{:.1} KB", written_per_open / 1024.0),
                written_per_open < 16.0 * 1024.0,
            );
            report.target(
                "open: < 4 KB on disk per trouble at rest (after a restart)",
                format!("{:.1} KB", at_rest / 1024.0),
                at_rest < 4.0 * 1024.0,
            );
            let keep_up = drained.is_some_and(|d| d < Duration::from_secs(1));
            report.target(
                "deliveries keep up at c=64 (outbox drained < 1 s after the load)",
                format!(
                    "{}; backlog at end {backlog}",
                    drained.map(ms).unwrap_or_else(|| "not drained".into())
                ),
                keep_up,
            );
        }
        report.rows.push(Row {
            what: "/trouble open (durable)".into(),
            concurrency: c,
            sample: s,
            baseline: peers.base.get(&c).copied(),
            bolt: peers.bolt.get(&c).copied(),
            note,
        });
    }
    // Diagnostic: the ack path alone. Slack is unreachable (connection refused), so deliveries
    // wait for one probe instead of running; what is left is parse, decide, transaction and fsync.
    let c = 64;
    let dir = tempfile::tempdir().expect("temp dir");
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| format!("http://{a}/api/"))
        .expect("a free port");
    let (bot, base) = start_bot_named(&dead, dir.path()).await;
    let warm = Duration::from_secs_f64(opts.warmup_secs);
    run_load(&base, Kind::Help, c, warm, u64::MAX, "http://127.0.0.1:9/").await;
    let s = run_load(
        &base,
        Kind::Open,
        c,
        Duration::from_secs_f64(opts.load_secs),
        u64::MAX,
        "http://127.0.0.1:9/",
    )
    .await;
    eprintln!(
        "  ack path only, c={c}: {:.0} opens/s p99 {}",
        s.rate(),
        ms(pct(&s.latencies, 99.0))
    );
    report.rows.push(Row {
        what: "open, Slack down (ack path only)".into(),
        concurrency: c,
        sample: s,
        baseline: peers.base.get(&c).copied(),
        bolt: peers.bolt.get(&c).copied(),
        note: "diagnostic: deliveries wait for a probe instead of running".into(),
    });
    bot.stop().await;
}

/// Time to first ping and to a ready channel, opening one trouble every `gap`.
async fn part_ping(opts: &Opts, report: &mut Report) {
    for latency_ms in [0u64, 100] {
        eprintln!("ping: fake Slack answering in {latency_ms} ms");
        let fake = Fake::recording(Duration::from_millis(latency_ms), false).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let (bot, base) = start_bot(&fake, dir.path(), "4h").await;
        let response_url = fake.response_url();
        let client = client();
        // Warm the connection.
        for _ in 0..20 {
            let _ = send(&client, &base, Kind::Help, 0, &response_url).await;
        }
        let gap = Duration::from_millis(25);
        let mut sent: Vec<(u64, Instant)> = Vec::new();
        let mut errors = 0;
        let start = Instant::now();
        for i in 0..opts.ping_n {
            let n = next_id();
            let t0 = Instant::now();
            match send(&client, &base, Kind::Open, n, &response_url).await {
                Ok(_) => sent.push((n, t0)),
                Err(()) => errors += 1,
            }
            tokio::time::sleep_until((start + gap * (i as u32 + 1)).into()).await;
        }
        // Wait (bounded) for every DM and every second pin.
        let limit = Instant::now() + Duration::from_secs(30);
        let (firsts, readies) = loop {
            let calls = fake.calls();
            let (firsts, readies) = ping_times(&calls, &sent);
            if (firsts.len() == sent.len() && readies.len() == sent.len()) || Instant::now() > limit {
                break (firsts, readies);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let label = format!("fake Slack {latency_ms} ms");
        report.line(
            format!("time to first ping ({label}, {} opens, 1 per 25 ms)", sent.len()),
            format!(
                "p50 {}  p99 {}  max {}{}",
                ms(pct(&firsts, 50.0)),
                ms(pct(&firsts, 99.0)),
                ms(firsts.last().copied().unwrap_or_default()),
                missing_note(firsts.len(), sent.len(), errors)
            ),
        );
        report.line(
            format!("time to ready channel ({label}: 2nd pins.add)"),
            format!(
                "p50 {}  p99 {}  max {}{}",
                ms(pct(&readies, 50.0)),
                ms(pct(&readies, 99.0)),
                ms(readies.last().copied().unwrap_or_default()),
                missing_note(readies.len(), sent.len(), errors)
            ),
        );
        let bound = Duration::from_millis(latency_ms + 10);
        let p99 = pct(&firsts, 99.0);
        report.target(
            format!("first ping p99 ≤ one round trip + 10 ms ({label}: ≤ {})", ms(bound)),
            ms(p99),
            p99 <= bound && firsts.len() == sent.len(),
        );
        // The same manager for a burst: Slack's per-channel limit applies to the DM channel too,
        // and is enforced here (429 beyond it). A DM speaking of several troubles counts for each.
        for burst in [10, 50].into_iter().filter(|_| latency_ms == 0) {
            // A fresh start for the manager's DM channel: its pacing tokens back at a full burst.
            tokio::time::sleep(Duration::from_secs(3)).await;
            fake.slack.enforce_channel_rate_limit(true);
            let from = fake.calls().len();
            let mut joins = tokio::task::JoinSet::new();
            let t0 = Instant::now();
            for _ in 0..burst {
                let (client, base, response_url) = (client.clone(), base.clone(), response_url.clone());
                joins.spawn(
                    async move { send(&client, &base, Kind::OpenDefaultManager, next_id(), &response_url).await },
                );
            }
            while joins.join_next().await.is_some() {}
            // Paced one by one, fifty DMs would take about a minute: wait for that much.
            let limit = Instant::now() + Duration::from_secs(90);
            let dms = loop {
                let dms: Vec<Duration> = fake.calls()[from..]
                    .iter()
                    .filter(|r| r.method == "chat.postMessage" && r.channel == DEFAULT_MANAGER && !r.limited)
                    .flat_map(|r| std::iter::repeat_n(r.at.saturating_duration_since(t0), r.troubles))
                    .collect();
                if dms.len() >= burst || Instant::now() > limit {
                    break dms;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            let mut dms = dms;
            dms.sort();
            let calls = fake.calls();
            let posts = calls[from..]
                .iter()
                .filter(|r| r.method == "chat.postMessage" && r.channel == DEFAULT_MANAGER);
            let (sent, limited) = posts.fold((0, 0), |(s, l), r| {
                (s + usize::from(!r.limited), l + usize::from(r.limited))
            });
            report.line(
                format!("first ping, {burst} opens at once for ONE manager (fake 0 ms, limiter on)"),
                format!(
                    "p50 {}  max {}  ({} of {burst} troubles, in {sent} DMs, {limited} answered 429)",
                    ms(pct(&dms, 50.0)),
                    ms(dms.last().copied().unwrap_or_default()),
                    dms.len()
                ),
            );
            fake.slack.enforce_channel_rate_limit(false);
        }
        bot.stop().await;
    }
}

fn missing_note(got: usize, sent: usize, errors: usize) -> String {
    let mut s = String::new();
    if got < sent {
        s.push_str(&format!("  (MISSING {} of {sent})", sent - got));
    }
    if errors > 0 {
        s.push_str(&format!("  ({errors} opens failed)"));
    }
    s
}

/// Per open: its DM's arrival, and the second pins.add in its channel, relative to sending.
fn ping_times(calls: &[Rec], sent: &[(u64, Instant)]) -> (Vec<Duration>, Vec<Duration>) {
    let mut first_dm: HashMap<&str, Instant> = HashMap::new();
    let mut channel_of: HashMap<String, &str> = HashMap::new();
    let mut pins: HashMap<&str, Vec<Instant>> = HashMap::new();
    for r in calls.iter().filter(|r| !r.limited) {
        match r.method.as_str() {
            "chat.postMessage" => {
                first_dm.entry(r.channel.as_str()).or_insert(r.at);
            }
            "conversations.create" => {
                // trouble-<yyyymmdd>-<n>-custNNNNNNN
                if let Some(slug) = r.channel.rsplit('-').next() {
                    channel_of.insert(slug.to_string(), r.created.as_str());
                }
            }
            "pins.add" => pins.entry(r.channel.as_str()).or_default().push(r.at),
            _ => {}
        }
    }
    let mut firsts = Vec::new();
    let mut readies = Vec::new();
    for (n, t0) in sent {
        if let Some(at) = first_dm.get(format!("UMGR{n:07}").as_str()) {
            firsts.push(at.saturating_duration_since(*t0));
        }
        let ready = channel_of
            .get(&format!("cust{n:07}"))
            .and_then(|c| pins.get(c))
            .and_then(|p| p.get(1));
        if let Some(at) = ready {
            readies.push(at.saturating_duration_since(*t0));
        }
    }
    firsts.sort();
    readies.sort();
    (firsts, readies)
}

/// The reads timed at scale, as commands: what each asks (the seeded data has 1,000 customers,
/// `Cust0000000`…, and summaries "housing cracked on lot N").
const SCALE_READS: &[(&str, Kind)] = &[
    ("/trouble list", Kind::List),
    ("/trouble history", Kind::Read("history Cust0000042")),
    ("/trouble search", Kind::Read("search lot 4242")),
    ("/trouble stats (90 days)", Kind::Read("stats")),
];

/// Troubles of the scale part: `n` over the two years before now, one in ten open, written
/// through the store seam (what an open decides, with the trouble as it stands once its
/// deliveries are done; closed ones acknowledged, updated and closed by force), one transaction
/// each. One in a hundred closed with a prevention action left open ([`left_open`]): its owner's
/// App Home still shows it, and an upgrade's start-up pass reads it. At rest: no outbox items and
/// no timers, so nothing fires while the reads are timed.
async fn seed_direct(bot: &RunningBot, n: u64) -> Duration {
    use trouble_bot::trouble::actions::{Action, ActionKind};
    use trouble_bot::trouble::command::OpenRequest;
    use trouble_bot::trouble::decide::{self, Ctx};
    use trouble_bot::trouble::model::{Acknowledgement, ChannelId, Closure, CustomerUpdate, Origin, UserId};
    let app = &bot.app;
    let t = Instant::now();
    let span = chrono::Duration::days(730);
    let start = Utc::now() - span;
    for i in 0..n {
        let at = start + span * (i as i32) / (n as i32);
        let day = at
            .with_timezone(&app.config.policy.timezone)
            .format("%Y%m%d")
            .to_string();
        let ctx = Ctx {
            policy: &app.config.policy,
            now: at,
        };
        // Spread over the open ones too (every tenth is open): 20 open per owner, 200 per manager.
        let owner = UserId::new(format!("USALES{:04}", (i / 10) % 500));
        let manager = UserId::new(format!("UMGR{:03}", (i / 10) % 50));
        let origin = Origin {
            channel: ChannelId::new(format!("CORIG{:04}", i % 500)),
            response_url: None,
            by: None,
        };
        let req = OpenRequest {
            severity: Some(trouble_bot::trouble::model::Severity::new(1 + (i % 3) as u8)),
            manager: Some(manager.clone()),
            departments: Vec::new(),
            customer: format!("Cust{:07}", i % 1000),
            summary: format!("housing cracked on lot {i}"),
            past: Vec::new(),
        };
        let open = i % 10 == 0;
        app.store
            .open_trouble(&day, &[], at, |id, seq| {
                let mut d = decide::open(&ctx, id, seq, owner.clone(), origin.clone(), req.clone());
                d.deliveries.clear();
                d.timers.clear();
                if let Some(t) = d.trouble.as_mut() {
                    t.channel = Some(ChannelId::new(format!("CTRB{i:07}")));
                    t.channel_name = Some(format!("trouble-{}", t.id));
                    if !open {
                        t.ack = Some(Acknowledgement {
                            by: manager.clone(),
                            at: at + chrono::Duration::minutes(12),
                            wait_untold: false,
                        });
                        t.customer_updates.push(CustomerUpdate {
                            text: "replacement shipped".into(),
                            by: owner.clone(),
                            at: at + chrono::Duration::hours(2),
                            promised_next: None,
                            promised_zone: None,
                            withdrawn: None,
                        });
                        if left_open(i) {
                            t.substance.actions.push(Action {
                                kind: ActionKind::Prevent,
                                text: format!("inspect every housing of lot {i}"),
                                owner: owner.clone(),
                                due: Some(at + chrono::Duration::days(10)),
                                check: None,
                                by: manager.clone(),
                                at: at + chrono::Duration::days(1),
                                done: None,
                                verified: None,
                                effective: None,
                                judged: None,
                                cancelled: None,
                                round: 0,
                            });
                        }
                        t.closed = Some(Closure {
                            by: manager.clone(),
                            at: at + chrono::Duration::days(3),
                            note: String::new(),
                            forced_reason: Some("seeded".into()),
                        });
                    }
                }
                d
            })
            .await
            .expect("open through the store")
            .expect("no request key to repeat");
    }
    app.store.flush().await.expect("flush");
    t.elapsed()
}

/// Whether seeded trouble `i` (closed: `i % 10 != 0`) was closed by force with an action left open.
fn left_open(i: u64) -> bool {
    i % 100 == 1
}

/// The marks the upgrade's one-off start-up passes leave in the store's index once done (the App
/// Home rows of troubles closed by force: `build_sled_forced_rows`; the stats days' count of
/// troubles waiting for an acknowledgement: `build_sled_waiting`). Removed, the next start runs
/// the passes as the first start after an upgrade does.
const UPGRADE_MARKS: [&[u8]; 2] = [b"built:forced-rows", b"built:waiting"];

/// `n` GETs of `path`, one after another: latencies sorted (errors dropped, counted).
async fn get_load(base: &str, path: &str, n: u64) -> (Vec<Duration>, u64) {
    let client = client();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for _ in 0..n {
        let t0 = Instant::now();
        let answered = match client.get(format!("{base}{path}")).send().await {
            Ok(r) => r.status() == StatusCode::OK && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        if answered {
            latencies.push(t0.elapsed());
        } else {
            errors += 1;
        }
    }
    latencies.sort();
    (latencies, errors)
}

/// What rendering one manager's App Home costs: its troubles read and the view built, as the
/// deliverer does before `views.publish` (the call itself left out).
async fn home_read(bot: &RunningBot, user: &trouble_bot::trouble::model::UserId) -> usize {
    let rows = bot
        .app
        .store
        .home_rows(&bot.app.config.policy, user)
        .await
        .expect("home rows");
    let decisions = bot
        .app
        .store
        .home_decisions(&bot.app.config.policy, user, &rows)
        .await
        .expect("home decisions");
    let refusals = bot
        .app
        .store
        .home_channel_refusals(&bot.app.config.policy, user, &rows)
        .await
        .expect("home channel refusals");
    let view = trouble_bot::i18n::home_view(
        bot.app.config.locale,
        &bot.app.config,
        &rows,
        &decisions,
        &refusals,
        Utc::now(),
    );
    view.to_string().len()
}

async fn part_scale(opts: &Opts, report: &mut Report) {
    let n = opts.scale_n;
    eprintln!("scale: {n} troubles, one in ten open");
    let fake = Fake::counting().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let response_url = fake.response_url();
    let (bot, _base) = start_bot_named(&fake.api_url(), dir.path()).await;
    let seeding = seed_direct(&bot, n).await;
    let counts = bot.app.store.counts().await.expect("counts");
    let size = bot.app.store.sled().expect("the bench runs on sled").size_on_disk();
    report.line(
        format!(
            "seed: {} troubles ({} open) through the store seam",
            counts.troubles, counts.open
        ),
        format!(
            "{:.1} s ({:.0}/s); store size on disk {:.1} KB per trouble ({:.0} MB)",
            seeding.as_secs_f64(),
            n as f64 / seeding.as_secs_f64().max(1e-9),
            size as f64 / counts.troubles.max(1) as f64 / 1024.0,
            size as f64 / 1024.0 / 1024.0
        ),
    );
    bot.stop().await;

    // Start-up in-process: trouble_bot::start until /healthz answers; then the App Home reads.
    let t = Instant::now();
    let (bot, base) = start_bot_named(&fake.api_url(), dir.path()).await;
    let healthy = wait_healthy(&base, Duration::from_secs(30)).await;
    let startup = t.elapsed();
    report.line(
        format!("start-up with {n} troubles (in-process start → /healthz 200)"),
        if healthy {
            ms(startup)
        } else {
            "NOT healthy within 30 s".into()
        },
    );
    let mut home = Vec::new();
    let mut home_bytes = 0;
    for k in 0..opts.list_n.max(50) {
        let user = trouble_bot::trouble::model::UserId::new(format!("UMGR{:03}", k % 50));
        let t0 = Instant::now();
        home_bytes = home_read(&bot, &user).await;
        home.push(t0.elapsed());
    }
    home.sort();
    let home_p99 = pct(&home, 99.0);
    report.line(
        format!(
            "App Home of a manager with {} open troubles: read + render, in-process ({} managers)",
            n / 10 / 50,
            home.len()
        ),
        format!(
            "p50 {}  p99 {}  ({:.0} KB view)",
            ms(pct(&home, 50.0)),
            ms(home_p99),
            home_bytes as f64 / 1024.0
        ),
    );
    bot.stop().await;

    // The bot alone: the release binary as a child process on the same data directory.
    let child = measure_child(&fake, dir.path(), &response_url, opts.list_n).await;
    let mut read_p99 = vec![("App Home", home_p99)];
    match &child {
        Ok(c) => {
            report.line(
                format!("bot alone (release binary, {n} troubles): start-up exec → /healthz 200"),
                ms(c.startup),
            );
            report.line(
                "bot alone: RSS idle after start / after the reads",
                format!("{} / {}", mb(c.rss_idle), mb(c.rss_after_reads)),
            );
            for (what, sample, errors) in &c.reads {
                report.line(
                    format!("bot alone: {what} ({} requests, c=1)", sample.len()),
                    format!(
                        "p50 {}  p99 {}  max {}{}",
                        ms(pct(sample, 50.0)),
                        ms(pct(sample, 99.0)),
                        ms(sample.last().copied().unwrap_or_default()),
                        if *errors > 0 {
                            format!(" ({errors} errors)")
                        } else {
                            String::new()
                        }
                    ),
                );
                read_p99.push((what, if *errors > 0 { Duration::MAX } else { pct(sample, 99.0) }));
            }
        }
        Err(e) => report.line("bot alone (release binary)", format!("not measured: {e}")),
    }

    // The first start after an upgrade: the one-off passes over the index run before the server
    // listens (the other passes' marks stay: they date from releases long past).
    {
        let db = sled::open(dir.path().join("db")).expect("the store opens (sled, under `db`)");
        let index = db.open_tree("index").expect("index tree");
        for mark in UPGRADE_MARKS {
            let removed = index.remove(mark).expect("the mark removed");
            assert!(removed.is_some(), "the pass had marked the store: {mark:?}");
        }
        db.flush().expect("flush");
    }
    let t = Instant::now();
    let (bot, base) = start_bot_named(&fake.api_url(), dir.path()).await;
    let upgraded = wait_healthy(&base, Duration::from_secs(30)).await;
    let upgrade_startup = t.elapsed();
    bot.stop().await;
    let rewritten = (0..n).filter(|&i| left_open(i)).count();
    report.line(
        format!(
            "start-up after an upgrade (in-process; the forced-close rows' pass, {rewritten} to rewrite; \
             the waiting count's, {} open)",
            n.div_ceil(10)
        ),
        if upgraded {
            ms(upgrade_startup)
        } else {
            "NOT healthy within 30 s".into()
        },
    );
    let n_label = format!("{n} troubles (10% open)");
    if let Ok(c) = &child {
        let rss = c.rss_after_reads.max(c.rss_idle);
        report.target(
            format!("{n_label}: RSS < 64 MB (bot alone, max of idle/after reads)"),
            mb(rss),
            rss < 64 * 1024,
        );
    }
    let startup_child = child.as_ref().map(|c| c.startup).unwrap_or(startup);
    report.target(
        format!("{n_label}: start-up < 1 s"),
        format!(
            "in-process {}, binary {}, after an upgrade {}",
            ms(startup),
            ms(startup_child),
            ms(upgrade_startup)
        ),
        healthy && upgraded && startup.max(startup_child).max(upgrade_startup) < Duration::from_secs(1),
    );
    for (what, p99) in read_p99 {
        report.target(
            format!("{n_label}: {what} p99 < 20 ms"),
            if p99 == Duration::MAX {
                "errors".to_string()
            } else {
                ms(p99)
            },
            p99 < Duration::from_millis(20),
        );
    }
    // To look into the store afterwards (a profile of the binary on it, its files).
    if std::env::var_os("BENCH_SCALE_KEEP").is_some() {
        eprintln!("scale: the data directory kept at {}", dir.keep().display());
    }
}

struct ChildFigures {
    startup: Duration,
    rss_idle: u64,
    rss_after_reads: u64,
    /// Per read: its label, sorted latencies, errors.
    reads: Vec<(&'static str, Vec<Duration>, u64)>,
}

/// Starts the release binary (`serve`) on `dir` against `api_url` with the bench's
/// configuration and this `RUST_LOG` (None: the default, `info`); its logs go nowhere.
fn spawn_binary(api_url: &str, dir: &Path, rust_log: Option<&str>) -> Result<(std::process::Child, String), String> {
    let exe = env!("CARGO_BIN_EXE_trouble-bot");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let config_path = dir.join("bench-trouble.toml");
    std::fs::write(&config_path, config_text("4h", false)).map_err(|e| e.to_string())?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("serve")
        .env_clear()
        .envs(bot_env(api_url, dir, &listen))
        .env("TROUBLE_CONFIG", &config_path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(filter) = rust_log {
        cmd.env("RUST_LOG", filter);
    }
    let child = cmd.spawn().map_err(|e| format!("cannot run {exe}: {e}"))?;
    Ok((child, format!("http://{listen}")))
}

/// SIGTERM (graceful), then SIGKILL if it lingers; only this child, by its id.
async fn stop_binary(mut child: std::process::Child) {
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
}

async fn measure_child(fake: &Fake, dir: &Path, response_url: &str, reads_n: u64) -> Result<ChildFigures, String> {
    let t = Instant::now();
    let (child, base) = spawn_binary(&fake.api_url(), dir, Some("warn"))?;
    let healthy = wait_healthy(&base, Duration::from_secs(30)).await;
    let startup = t.elapsed();
    let result = if healthy {
        let rss_idle = settled_rss_kb(child.id()).await;
        let mut reads = Vec::new();
        for (what, kind) in SCALE_READS {
            let sample = run_load(&base, *kind, 1, Duration::from_secs(120), reads_n, response_url).await;
            reads.push((*what, sample.latencies, sample.errors));
        }
        let (metrics, errors) = get_load(&base, "/metrics", reads_n).await;
        reads.push(("/metrics", metrics, errors));
        let rss_after_reads = rss_kb(Some(child.id()));
        Ok(ChildFigures {
            startup,
            rss_idle,
            rss_after_reads,
            reads,
        })
    } else {
        Err("the binary did not answer /healthz within 30 s".to_string())
    };
    stop_binary(child).await;
    result
}

async fn part_nudge(opts: &Opts, report: &mut Report) {
    let n = opts.nudge_n;
    let every = Duration::from_secs(5);
    for limit in [false, true] {
        let label = if limit {
            "fake enforces 1 post/s/channel, burst 3 (429 beyond)"
        } else {
            "no per-channel limit in the fake"
        };
        eprintln!("nudge: {n} customer-update nudges due together; {label}");
        let fake = Fake::recording(Duration::ZERO, limit).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let (bot, _base) = start_bot(&fake, dir.path(), "5s").await;
        let response_url = fake.response_url();
        let fill_took = open_direct(&bot, n, &response_url).await;
        let opened: Vec<_> = bot
            .app
            .store
            .all_troubles()
            .await
            .expect("troubles")
            .into_iter()
            .map(|t| (t.id.to_string(), t.opened_at))
            .collect();
        let first_opened = opened.iter().map(|(_, at)| *at).min().unwrap_or_else(Utc::now);
        let last_opened = opened.iter().map(|(_, at)| *at).max().unwrap_or_else(Utc::now);
        // Bounded wait: until every trouble's channel got its first nudge, or 30 s after the last was due.
        let deadline =
            Instant::now() + (last_opened - Utc::now()).to_std().unwrap_or_default() + every + Duration::from_secs(30);
        loop {
            let nudged = fake
                .calls()
                .iter()
                .filter(|r| r.nudge && !r.limited)
                .map(|r| r.channel.clone())
                .collect::<std::collections::HashSet<_>>()
                .len() as u64;
            if nudged >= opened.len() as u64 || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let troubles = bot
            .app
            .store
            .sled()
            .expect("the bench runs on sled")
            .all_troubles()
            .expect("troubles");
        let calls = fake.calls();
        let mut first_nudge: HashMap<&str, DateTime<Utc>> = HashMap::new();
        for r in calls.iter().filter(|r| r.nudge && !r.limited) {
            first_nudge.entry(r.channel.as_str()).or_insert(r.wall);
        }
        let mut late = Vec::new();
        for t in &troubles {
            let due = t.opened_at + chrono::Duration::from_std(every).expect("duration");
            let at = t.channel.as_ref().and_then(|c| first_nudge.get(c.as_str()));
            if let Some(at) = at {
                late.push((*at - due).to_std().unwrap_or_default());
            }
        }
        late.sort();
        let posts = calls.iter().filter(|r| r.method == "chat.postMessage").count();
        let refused = calls.iter().filter(|r| r.limited).count();
        let would_refuse = replay_limiter(&calls);
        let max_in_1s = max_posts_in_one_second(&calls);
        report.line(
            format!(
                "{} nudges due within {:.2} s ({label})",
                troubles.len(),
                (last_opened - first_opened).num_milliseconds() as f64 / 1000.0
            ),
            format!(
                "late p50 {}  p99 {}  max {}  ({} of {} posted; {} opened in {})",
                ms(pct(&late, 50.0)),
                ms(pct(&late, 99.0)),
                ms(late.last().copied().unwrap_or_default()),
                late.len(),
                troubles.len(),
                n,
                ms(fill_took)
            ),
        );
        report.line(
            format!("  per-channel limit ({label})"),
            format!(
                "{refused} of {} calls answered 429 ({:.2}%), {posts} chat.postMessage; \
                 a 1/s burst-3 limiter would refuse {would_refuse}; most posts to one channel in 1 s: {max_in_1s}",
                calls.len(),
                100.0 * refused as f64 / calls.len().max(1) as f64
            ),
        );
        let p99 = pct(&late, 99.0);
        let all = late.len() == troubles.len();
        if limit {
            let share = refused as f64 / calls.len().max(1) as f64;
            report.target(
                format!("{n} nudges with per-channel limits: < 1% of calls answered 429"),
                format!(
                    "{:.2}% ({refused} of {}); lateness p99 {}",
                    100.0 * share,
                    calls.len(),
                    ms(p99)
                ),
                share < 0.01 && all,
            );
        } else {
            report.target(
                format!("{n} nudges due together: p99 lateness < 1 s"),
                format!("{}{}", ms(p99), if all { "" } else { " (some never posted)" }),
                p99 < Duration::from_secs(1) && all,
            );
        }
        bot.stop().await;
    }
}

/// Opens `n` troubles through the store API with one `now`, as the HTTP handler does (decide,
/// one transaction each, wake the workers, one flush), so every follow-up timer falls due at the
/// same instant: HTTP opens are too slow on 2 cores to put 1,000 due times in one second.
async fn open_direct(bot: &RunningBot, n: u64, response_url: &str) -> Duration {
    use trouble_bot::trouble::command::OpenRequest;
    use trouble_bot::trouble::decide::{self, Ctx};
    use trouble_bot::trouble::model::{ChannelId, Origin, UserId};
    let app = &bot.app;
    let t = Instant::now();
    let now = Utc::now();
    let day = now
        .with_timezone(&app.config.policy.timezone)
        .format("%Y%m%d")
        .to_string();
    let ctx = Ctx {
        policy: &app.config.policy,
        now,
    };
    for _ in 0..n {
        let i = next_id();
        let owner = UserId::new(format!("USALES{i:07}"));
        let origin = Origin {
            channel: ChannelId::new(format!("CORIG{i:07}")),
            response_url: Some(response_url.to_string()),
            by: None,
        };
        let req = OpenRequest {
            severity: None,
            manager: Some(UserId::new(format!("UMGR{i:07}"))),
            departments: Vec::new(),
            customer: format!("Cust{i:07}"),
            summary: format!("housing cracked on lot {i}"),
            past: Vec::new(),
        };
        let decision = app
            .store
            .open_trouble(&day, &[], now, |id, seq| {
                decide::open(&ctx, id, seq, owner.clone(), origin.clone(), req.clone())
            })
            .await
            .expect("open through the store")
            .unwrap_or_default();
        app.after_write(&decision).await;
    }
    app.store
        .sled()
        .expect("the bench runs on sled")
        .flush()
        .await
        .expect("flush");
    t.elapsed()
}

/// How many accepted chat.postMessage calls a 1/s, burst-3 per-channel limiter would have refused.
fn replay_limiter(calls: &[Rec]) -> usize {
    let mut limiter = ChannelLimiter::default();
    calls
        .iter()
        .filter(|r| r.method == "chat.postMessage" && !r.limited)
        .filter(|r| !limiter.take(&r.channel, r.at))
        .count()
}

fn max_posts_in_one_second(calls: &[Rec]) -> usize {
    let mut by_channel: HashMap<String, Vec<Instant>> = HashMap::new();
    for r in calls.iter().filter(|r| r.method == "chat.postMessage" && !r.limited) {
        by_channel.entry(dm_or_channel(&r.channel)).or_default().push(r.at);
    }
    let mut best = 0;
    for times in by_channel.values_mut() {
        times.sort();
        let mut start = 0;
        for end in 0..times.len() {
            while times[end].saturating_duration_since(times[start]) >= Duration::from_secs(1) {
                start += 1;
            }
            best = best.max(end - start + 1);
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------
// The issue's own measurement: wrk against the release binary
// ---------------------------------------------------------------------------------------------

/// wrk's Lua script: reads the signed commands (a signature, a tab and a body a line), sends
/// them in turn, and prints its figures on one line when the run is done.
const WRK_SCRIPT: &str = r#"
local data = os.getenv("BENCH_WRK_DATA")
local ts = os.getenv("BENCH_WRK_TS")
local requests = {}
init = function()
  for line in io.lines(data) do
    local signature, body = line:match("^(%S+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/slack/commands", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Slack-Request-Timestamp"] = ts,
      ["X-Slack-Signature"] = signature,
    }, body)
  end
end
local i = 0
request = function()
  i = i % #requests + 1
  return requests[i]
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH req=%d non2xx=%d errors=%d secs=%.3f p50=%.3f p99=%.3f\n",
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"#;

/// One wrk run: requests answered per second, p50 and p99.
struct WrkFigures {
    rate: f64,
    p50: Duration,
    p99: Duration,
    /// The server's CPU time (user + system, all its threads) per request: unlike the rate,
    /// barely moved by what else the machine is running.
    cpu_per_request: Duration,
    /// The share of the run's time the bot's store held each of its two write locks, the
    /// writer's and the applier's (`/metrics`; None for a server without them): its writes pass
    /// through each one at a time, so `rate / share` of the busier is as fast as it could go on
    /// any number of cores.
    lock_shares: Option<LockShares>,
}

/// The share of a window each of the store's write locks was held.
#[derive(Clone, Copy)]
struct LockShares {
    writer: f64,
    applier: f64,
}

impl LockShares {
    /// The lock held the longer share: the one that bounds the rate.
    fn busier(self) -> f64 {
        self.writer.max(self.applier)
    }
}

/// The bot's write locks' time held so far, in seconds, read from its `/metrics`: the
/// writer's, and the applier's (0 for a release before the two stages).
async fn write_locks_held(base: &str) -> Option<LockShares> {
    let text = reqwest::get(format!("{base}/metrics")).await.ok()?.text().await.ok()?;
    let series = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse::<f64>().ok())
    };
    Some(LockShares {
        writer: series("trouble_bot_store_writer_lock_held_seconds_total")?,
        applier: series("trouble_bot_store_apply_lock_held_seconds_total").unwrap_or(0.0),
    })
}

/// Runs wrk (one thread, `c` connections, `secs`) against `base`, served by process `pid`
/// (None: this one), with `n` distinct commands of `kind`, each signed as Slack signs it. Err
/// when wrk fails or any answer was not a 200.
#[allow(clippy::too_many_arguments)]
async fn run_wrk(
    wrk: &str,
    base: &str,
    pid: Option<u32>,
    kind: Kind,
    c: usize,
    secs: u64,
    n: u64,
    response_url: &str,
) -> Result<WrkFigures, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let ts = Utc::now().timestamp().to_string();
    let mut data = String::new();
    for _ in 0..n {
        let body = command_body(kind, next_id(), response_url);
        data.push_str(&sign(SECRET, &ts, body.as_bytes()));
        data.push('\t');
        data.push_str(&body);
        data.push('\n');
    }
    let (data_path, script_path) = (dir.path().join("commands.tsv"), dir.path().join("commands.lua"));
    std::fs::write(&data_path, data).map_err(|e| e.to_string())?;
    std::fs::write(&script_path, WRK_SCRIPT).map_err(|e| e.to_string())?;
    let mut cmd = std::process::Command::new(wrk);
    cmd.args(["-t1", &format!("-c{c}"), &format!("-d{secs}s"), "-s"])
        .arg(&script_path)
        .arg(format!("{base}/slack/commands"))
        .env("BENCH_WRK_DATA", &data_path)
        .env("BENCH_WRK_TS", &ts);
    // Counted from here: the commands above were signed by this process, which may be the server.
    let held_before = write_locks_held(base).await;
    let (cpu_before, started) = (cpu_secs(pid), Instant::now());
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot run {wrk}: {e}"))?;
    let (cpu, elapsed) = (cpu_secs(pid) - cpu_before, started.elapsed());
    let lock_shares = match (held_before, write_locks_held(base).await) {
        (Some(before), Some(after)) => Some(LockShares {
            writer: (after.writer - before.writer) / elapsed.as_secs_f64(),
            applier: (after.applier - before.applier) / elapsed.as_secs_f64(),
        }),
        _ => None,
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("BENCH ")).ok_or_else(|| {
        format!(
            "wrk gave no figures: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })?;
    let field = |name: &str| -> f64 {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let (requests, secs) = (field("req"), field("secs"));
    if field("non2xx") != 0.0 || field("errors") != 0.0 {
        return Err(format!("not every answer was a 200: {line}"));
    }
    // A repeated open is answered as already handled: cheaper than an open, so not counted.
    if kind == Kind::Open && requests > n as f64 {
        return Err(format!(
            "wrk sent {requests} requests but only {n} distinct ones were made"
        ));
    }
    Ok(WrkFigures {
        rate: requests / secs,
        p50: Duration::from_secs_f64(field("p50") / 1000.0),
        p99: Duration::from_secs_f64(field("p99") / 1000.0),
        cpu_per_request: Duration::from_secs_f64(cpu / requests.max(1.0)),
        lock_shares,
    })
}

/// The issue's side-by-side run, as it was measured there: wrk (one thread) on loopback against
/// the release binary in a process of its own (default log level; its Slack is this process's
/// lean fake), the bare baseline and, with `BENCH_BOLT=1`, Bolt. `BENCH_WRK` names the wrk
/// binary (default: `wrk` on the PATH); without it the part says so.
async fn part_wrk(opts: &Opts, report: &mut Report) {
    let wrk = std::env::var("BENCH_WRK")
        .ok()
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "wrk".to_string());
    if std::process::Command::new(&wrk).arg("--version").output().is_err() {
        report.line(
            "wrk (the issue's measurement)",
            format!("not measured: cannot run `{wrk}` (set BENCH_WRK)"),
        );
        return;
    }
    eprintln!("wrk: the release binary, the baseline and Bolt, loaded by wrk as in the issue");
    let secs = if opts.quick { 3 } else { 10 };
    let fake = Fake::counting().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (child, bot) = match spawn_binary(&fake.api_url(), dir.path(), None) {
        Ok(started) => started,
        Err(why) => {
            report.line("wrk (the issue's measurement)", format!("not measured: {why}"));
            return;
        }
    };
    if !wait_healthy(&bot, Duration::from_secs(30)).await {
        report.line(
            "wrk (the issue's measurement)",
            "not measured: the binary did not start",
        );
        stop_binary(child).await;
        return;
    }
    let baseline = start_baseline().await;
    let bolt_dir = tempfile::tempdir().expect("temp dir");
    let bolt = if opts.bolt {
        match start_bolt(bolt_dir.path()) {
            Ok((bolt_child, url)) => {
                let ready = wait_bolt(&url).await;
                ready.then_some((bolt_child, url))
            }
            Err(why) => {
                eprintln!("  no Bolt peer: {why}");
                None
            }
        }
    } else {
        None
    };
    let response_url = fake.response_url();
    // The help command (Bolt gets its body too) at c=16, 1,000 distinct bodies cycled.
    let bot_pid = Some(child.id());
    let base_help = Some(run_wrk(&wrk, &baseline, None, Kind::Help, 16, secs, 1000, &response_url).await);
    let bolt_help = match &bolt {
        Some((Child(node), url)) => {
            Some(run_wrk(&wrk, url, Some(node.id()), Kind::PeerAck, 16, secs, 1000, &response_url).await)
        }
        None => None,
    };
    let bot_help = run_wrk(&wrk, &bot, bot_pid, Kind::Help, 16, secs, 1000, &response_url).await;
    // Enough distinct opens for a rate well beyond any measured here (run_wrk refuses a run
    // that went through them all).
    let bot_open = run_wrk(&wrk, &bot, bot_pid, Kind::Open, 64, secs, 4000 * secs, &response_url).await;
    let open_calls_done = fake.total();
    stop_binary(child).await;
    drop(bolt);
    let ceiling = slack_calls_ceiling(&fake, 64, Duration::from_secs(secs)).await;
    let figures = |f: &Result<WrkFigures, String>| match f {
        Ok(f) => format!(
            "{:.0} req/s, p50 {}, p99 {}, CPU {:.1} µs/req",
            f.rate,
            ms(f.p50),
            ms(f.p99),
            f.cpu_per_request.as_secs_f64() * 1e6
        ),
        Err(why) => why.clone(),
    };
    let ratio = |a: &Result<WrkFigures, String>, peer: &Option<Result<WrkFigures, String>>| match (a, peer) {
        (Ok(a), Some(Ok(b))) => Some(a.rate / b.rate),
        _ => None,
    };
    let label = "wrk, one thread, release binary";
    for (peer, figured) in [("baseline help", &base_help), ("Bolt-JS 5.1 bare ack()", &bolt_help)] {
        if let Some(f) = figured {
            report.line(format!("{label}: {peer} c=16"), figures(f));
        }
    }
    let vs = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{r:.2}×"));
    // The baseline's CPU per request over help's: the throughput ratio without the machine's noise.
    let cpu_ratio = match (&bot_help, &base_help) {
        (Ok(h), Some(Ok(b))) => Some(b.cpu_per_request.as_secs_f64() / h.cpu_per_request.as_secs_f64()),
        _ => None,
    };
    report.line(
        format!("{label}: /trouble help c=16"),
        format!(
            "{}; {} the baseline ({} by CPU per request), {} Bolt",
            figures(&bot_help),
            vs(ratio(&bot_help, &base_help)),
            vs(cpu_ratio),
            vs(ratio(&bot_help, &bolt_help))
        ),
    );
    report.line(
        format!("{label}: /trouble open (durable, deliveries running) c=64"),
        format!(
            "{}; {} Bolt; Slack calls by the end: {open_calls_done}",
            figures(&bot_open),
            vs(ratio(&bot_open, &bolt_help))
        ),
    );
    // The store decides one write set at a time, and applies one at a time beside the next
    // decision: the share of the window the busier of its two locks was held bounds the open's
    // rate on any number of cores, however fast the rest of an open gets, while a write costs
    // what it costs here (wall time, nearly all of it the holders' CPU: 97% in the twenty-third
    // session, so a quiet machine holds them about as long).
    let lock_bound = match &bot_open {
        Ok(WrkFigures {
            rate,
            lock_shares: Some(shares),
            ..
        }) => Some((rate / shares.busier().max(f64::EPSILON), *shares, *rate)),
        _ => None,
    };
    let lock_bound_vs_bolt = match (lock_bound, &bolt_help) {
        (Some((bound, ..)), Some(Ok(b))) => format!("{:.2}×", bound / b.rate),
        _ => "—".to_string(),
    };
    if let Some((bound, shares, rate)) = lock_bound {
        report.line(
            format!("{label}: /trouble open's write locks c=64"),
            format!(
                "writer's held {:.0}% of the window ({:.0} µs per open), applier's {:.0}% ({:.0} µs): at most {bound:.0} opens/s however many cores, {lock_bound_vs_bolt} Bolt",
                shares.writer * 100.0,
                shares.writer / rate * 1e6,
                shares.applier * 100.0,
                shares.applier / rate * 1e6,
            ),
        );
    }
    // The ceiling against Bolt, where both were measured: what the open's target is up against.
    let ceiling_vs_bolt = match (&ceiling, &bolt_help) {
        (Ok(c), Some(Ok(b))) => format!("{:.2}×", c.rate / b.rate),
        _ => "—".to_string(),
    };
    match &ceiling {
        Ok(c) => {
            let of_bolt = &ceiling_vs_bolt;
            let open_share = bot_open
                .as_ref()
                .map_or("—".to_string(), |o| format!("{:.0}%", 100.0 * o.rate / c.rate));
            report.line(
                format!("ceiling: an open's {} Slack calls alone, c=64", c.methods.len()),
                format!(
                    "{:.0} opens' worth/s ({:.0} calls/s): {of_bolt} Bolt; the durable open makes {open_share} of it ({})",
                    c.rate,
                    c.rate * c.methods.len() as f64,
                    tally(&c.methods)
                ),
            );
        }
        Err(why) => report.line("ceiling: an open's Slack calls alone, c=64", why.clone()),
    }
    report.target(
        "wrk: help ≥ 0.8× the bare baseline at c=16",
        vs(ratio(&bot_help, &base_help)),
        ratio(&bot_help, &base_help).is_some_and(|r| r >= 0.8),
    );
    report.target(
        "wrk: open ≥ 1× Bolt-JS bare ack at c=64 (BENCH_BOLT=1)",
        format!(
            "{} (its Slack calls alone, the ceiling: {ceiling_vs_bolt}; the write locks' bound: {lock_bound_vs_bolt})",
            vs(ratio(&bot_open, &bolt_help))
        ),
        ratio(&bot_open, &bolt_help).is_some_and(|r| r >= 1.0),
    );
    report.target(
        "wrk: open p99 < 50 ms at c=64",
        bot_open.as_ref().map_or_else(|e| e.clone(), |f| ms(f.p99)),
        bot_open.as_ref().is_ok_and(|f| f.p99 < Duration::from_millis(50)),
    );
}

/// What an open's Slack calls alone cost this machine: the calls one open makes, in order.
struct Ceiling {
    /// The methods of one open's calls, in the order it made them.
    methods: Vec<String>,
    /// Opens' worth of calls a second.
    rate: f64,
}

/// `chat.postMessage ×4, pins.add ×2, …`: how many calls of each method, most first.
fn tally(methods: &[String]) -> String {
    let mut counts: Vec<(usize, &str)> = Vec::new();
    for m in methods {
        match counts.iter_mut().find(|(_, seen)| seen == m) {
            Some((n, _)) => *n += 1,
            None => counts.push((1, m)),
        }
    }
    counts.sort_by_key(|&(n, _)| std::cmp::Reverse(n));
    counts
        .iter()
        .map(|(n, m)| format!("{m} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ceiling of a durable open with its deliveries running: the Slack calls one open makes
/// (captured from a bot in this process, bodies and all), made again and again through the
/// bot's own client to the same lean fake by `c` workers (the bot's bound on calls in flight),
/// each making one open's calls in order, with nothing stored, rendered or answered. Whatever
/// else an open costs comes on top, so no open with its deliveries keeping up can go faster
/// on this machine. (`SlackClient::call` reads each answer whole, where the bot's own calls
/// read a field or two: the ceiling is, if anything, a little low.)
async fn slack_calls_ceiling(fake: &Fake, c: usize, window: Duration) -> Result<Ceiling, String> {
    let capture = FakeSlack::start_lean().await;
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let sink = seen.clone();
    capture.observe(move |call| lock(&sink).push((call.method.clone(), call.params.clone())));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (bot, base) = start_bot_named(&capture.api_url(), dir.path()).await;
    // What the bot asks of Slack at start (who it is, in the background) is not the open's.
    let limit = Instant::now() + Duration::from_secs(5);
    while !lock(&seen).iter().any(|(method, _)| method == "auth.test") && Instant::now() < limit {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    lock(&seen).clear();
    let response_url = capture.response_url("x");
    send(&client(), &base, Kind::Open, next_id(), &response_url)
        .await
        .map_err(|()| "the open to capture was not answered".to_string())?;
    // Every call has been made once the outbox is empty: an item leaves it after the fake
    // answered (and recorded) its call.
    if drain(&bot.app, Duration::from_secs(10)).await.is_none() {
        bot.stop().await;
        return Err("the open's calls were not all made within 10 s".to_string());
    }
    let calls = lock(&seen).clone();
    bot.stop().await;
    if calls.is_empty() {
        return Err("the open made no Slack call".to_string());
    }
    let slack = SlackClient::new(&fake.api_url(), Secret::new("xoxb-bench"), Duration::from_secs(30));
    let (calls, response_url) = (Arc::new(calls), fake.response_url());
    let start = Instant::now();
    let deadline = start + window;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..c {
        let (slack, calls, response_url) = (slack.clone(), calls.clone(), response_url.clone());
        workers.spawn(async move {
            let mut opens = 0u64;
            while Instant::now() < deadline {
                for (method, params) in calls.iter() {
                    let made = if method == "response_url" {
                        let text = params["text"].as_str().unwrap_or_default().to_string();
                        slack
                            .respond(&response_url, &Rendered { text, blocks: None }, false)
                            .await
                    } else {
                        slack.call(method, params).await.map(drop)
                    };
                    made.map_err(|e| format!("{method}: {e}"))?;
                }
                opens += 1;
            }
            Ok::<u64, String>(opens)
        });
    }
    let mut opens = 0;
    while let Some(done) = workers.join_next().await {
        opens += done.map_err(|e| e.to_string())??;
    }
    Ok(Ceiling {
        methods: calls.iter().map(|(method, _)| method.clone()).collect(),
        rate: opens as f64 / start.elapsed().as_secs_f64(),
    })
}

fn main() {
    let opts = Opts::from_args();
    // The bot logs as it does in production (the default filter, `info`, formatted as text);
    // the lines go nowhere, but producing them costs what it costs.
    trouble_bot::logs::init(
        &bot_config("http://127.0.0.1:9/", Path::new("/nonexistent"), "4h"),
        std::io::sink,
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    eprintln!(
        "trouble-bot bench: {} run; load average before: {}",
        if opts.quick { "quick" } else { "full" },
        load_avg()
    );
    let started = Instant::now();
    let (own_before, machine_before) = (cpu_secs(None), machine_busy_secs());
    let load_before = load_avg();
    let mut report = runtime.block_on(async {
        let mut report = Report::default();
        // Scale first, while this process is still small: its in-process RSS growth is then
        // mostly the bot's.
        if opts.wants("scale") {
            part_scale(&opts, &mut report).await;
        }
        let mut peers = Peers::default();
        if opts.wants("baseline") || opts.wants("help") || opts.wants("open") {
            peers.base = part_baseline(&opts, &mut report).await;
            if opts.bolt {
                peers.bolt = part_bolt(&opts, &mut report, &peers.base).await;
            }
        }
        if opts.wants("help") {
            part_help(&opts, &mut report, &peers).await;
        }
        if opts.wants("open") {
            part_open(&opts, &mut report, &peers).await;
        }
        if opts.wants("ping") {
            part_ping(&opts, &mut report).await;
        }
        if opts.wants("nudge") {
            part_nudge(&opts, &mut report).await;
        }
        if opts.wants("wrk") {
            part_wrk(&opts, &mut report).await;
        }
        report
    });
    let elapsed = started.elapsed().as_secs_f64();
    let others = (machine_busy_secs() - machine_before - (cpu_secs(None) - own_before)) / elapsed;
    report.line(
        "noise: other processes' CPU over the whole run / load average before → after",
        format!("{:.2} cores / {load_before} → {}", others.max(0.0), load_avg()),
    );
    report.print(&opts);
    eprintln!(
        "done in {:.0} s; load average after: {}",
        started.elapsed().as_secs_f64(),
        load_avg()
    );
}
