//! Test harness: the real bot on 127.0.0.1:0 with a temp data dir, a fake Slack, and requests
//! signed exactly as Slack signs them.
#![allow(dead_code)]

pub use fake_slack;
pub mod fake_socket;
mod sled_db;
#[allow(unused_imports)]
pub use sled_db::{
    overwrite_timers_of, overwrite_trouble, sled_db, sled_store, wait_released, UNREADABLE_BODY, UNREADABLE_SHOWN,
};

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

#[allow(unused_imports)]
pub use fake_slack::{Call, FakeSlack};
use serde_json::Value;
use trouble_bot::config::Config;
use trouble_bot::slack::signature::sign;
use trouble_bot::store::SledStore;
use trouble_bot::{Clock, RunningBot};

pub const SECRET: &str = "test-signing-secret";
pub const SALES: &str = "U0SALES";
pub const MANAGER: &str = "U0MANAGER";
pub const DIRECTOR: &str = "U0DIRECTOR";
pub const VP: &str = "U0VP";
pub const COLLEAGUE: &str = "U0COLLEAGUE";

/// Severity 2 acknowledged within an hour and updated every four; weekdays 09:00–18:00 in
/// Tokyo, and Monday 2026-12-07 a holiday (the tests' clock starts on Monday 2026-11-30 10:00).
pub const OFFICE_HOURS: &str = r#"
[severity.2]
ack_timeout = "1h"
customer_update_every = "4h"
[business_hours]
days = ["mon", "tue", "wed", "thu", "fri"]
open = "09:00"
close = "18:00"
holidays = ["2026-12-07"]
"#;
pub const ORIGIN: &str = "C0ORIGIN";

/// The org and departments every test shares; durations long enough that no timer fires
/// unless a test asks for it.
pub const BASE_CONFIG: &str = r#"
locale = "en"
timezone = "Asia/Tokyo"
channel_prefix = "trouble"

[org]
default_manager = "U0MANAGER"
[org.managers]
U0SALES = "U0MANAGER"
U0COLLEAGUE = "U0MANAGER"
U0MANAGER = "U0DIRECTOR"
U0DIRECTOR = "U0VP"

[departments.quality]
name = "Quality Assurance"
usergroup = "S0QUALITY"
members = ["U0QA1", "U0QA2"]

[departments.field]
name = "Field Service"
usergroup = "S0FIELD"
members = ["U0FS1"]
"#;

pub const DEFAULT_SEVERITIES: &str = r#"
[severity.1]
ack_timeout = "1h"
customer_update_every = "4h"
departments = ["quality"]
announce_channels = ["C0BIZUNIT"]
[severity.2]
ack_timeout = "1h"
customer_update_every = "4h"
[severity.3]
ack_timeout = "2h"
customer_update_every = "1d"
"#;

/// Where every test bot's manual clock starts: Monday 30 November 2026, 10:00 in Tokyo, so no
/// test depends on the real date or weekday.
pub const CLOCK_START: &str = "2026-11-30T01:00:00Z";

pub struct TestBot {
    bot: Option<RunningBot>,
    /// The bot's manual clock: a test advances it to reach a timeout or a cadence.
    pub clock: Clock,
    limits: trouble_bot::http::server::Limits,
    pub slack: FakeSlack,
    pub dir: tempfile::TempDir,
    pub base_url: String,
    config_text: String,
    env: BTreeMap<String, String>,
    client: reqwest::Client,
    /// How often the bot posts into one channel: [`FAST_CHANNEL_TURN`] unless the test is
    /// about Slack's pacing itself (`spawn_bot_paced_like_slack`).
    channel_turn: Duration,
    /// `slack_timeout` below the config's one-second floor (`spawn_bot_timing_out_after`).
    slack_timeout: Option<Duration>,
}

/// How far `settle` and `paced` move the bot's clock on at a time while calls are queued.
const PACE_STEP: Duration = Duration::from_millis(500);

/// How much real time passes at least between two of `settle`'s and `paced`'s steps.
const STEP_EVERY: Duration = Duration::from_millis(20);

/// The bots' turn to post into a channel in tests: Slack's second a message would have a test
/// that posts twenty lines into a trouble's channel wait twenty seconds for the last.
pub const FAST_CHANNEL_TURN: Duration = Duration::from_millis(20);

/// The bot with the shared org and the default severities.
pub async fn spawn_bot() -> TestBot {
    spawn_bot_with(DEFAULT_SEVERITIES).await
}

/// The bot with the shared org plus `extra` TOML (severities, business hours, …).
pub async fn spawn_bot_with(extra: &str) -> TestBot {
    spawn_bot_raw(&format!("{BASE_CONFIG}\n{extra}")).await
}

/// The bot with the shared org and the default severities, speaking `locale` (`ja`, `en`).
pub async fn spawn_bot_in(locale: &str) -> TestBot {
    spawn_bot_raw(&config_speaking(locale)).await
}

/// The config of [`spawn_bot_in`] (the shared org and the default severities, speaking
/// `locale`), for a test that adds tables to it or starts the bot another way.
pub fn config_speaking(locale: &str) -> String {
    let config = BASE_CONFIG.replace("locale = \"en\"", &format!("locale = \"{locale}\""));
    format!("{config}\n{DEFAULT_SEVERITIES}")
}

/// A config file in `locale` for the CLI (TROUBLE_CONFIG must name an existing file).
pub fn config_file(locale: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("trouble.toml");
    std::fs::write(&path, config_speaking(locale)).expect("write config");
    (dir, path)
}

/// Runs the built `trouble-bot` binary on a data directory once the bot there let it go (never
/// on a database or a listen address the environment names).
pub fn run_cli(config: &std::path::Path, data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    wait_released(data_dir);
    std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .args(args)
        .env("TROUBLE_CONFIG", config)
        .env("TROUBLE_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("TROUBLE_LISTEN")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the trouble-bot binary runs")
}

/// The bot with exactly this TOML (top-level keys must come before any table).
pub async fn spawn_bot_raw(config_text: &str) -> TestBot {
    spawn_bot_full(config_text, trouble_bot::http::server::Limits::default()).await
}

async fn spawn_bot_full(config_text: &str, limits: trouble_bot::http::server::Limits) -> TestBot {
    spawn_bot_on(config_text, limits, FakeSlack::start().await, &[]).await
}

/// The bot with exactly this TOML, posting into a channel about once a second as it does with
/// the real Slack: for the tests of that pacing, and of what it combines.
pub async fn spawn_bot_paced_like_slack(config_text: &str) -> TestBot {
    spawn_bot_tuned(config_text, Some(Config::default().slack.channel_turn), None).await
}

/// The bot with exactly this TOML, giving up on a Slack call after `timeout` of real time: for
/// the tests of calls Slack answers too late, which would each wait out at least the second
/// the config allows (the bot's handling of a timeout does not depend on its length).
pub async fn spawn_bot_timing_out_after(config_text: &str, timeout: Duration) -> TestBot {
    spawn_bot_tuned(config_text, None, Some(timeout)).await
}

/// [`spawn_bot_paced_like_slack`] and [`spawn_bot_timing_out_after`] at once: for a test of
/// late answers to the messages the pacing combines.
pub async fn spawn_bot_paced_timing_out_after(config_text: &str, timeout: Duration) -> TestBot {
    spawn_bot_tuned(config_text, Some(Config::default().slack.channel_turn), Some(timeout)).await
}

async fn spawn_bot_tuned(config_text: &str, channel_turn: Option<Duration>, timeout: Option<Duration>) -> TestBot {
    let mut bot = spawn_bot_unstarted(
        config_text,
        trouble_bot::http::server::Limits::default(),
        FakeSlack::start().await,
        &[],
    );
    bot.channel_turn = channel_turn.unwrap_or(bot.channel_turn);
    bot.slack_timeout = timeout;
    bot.start().await;
    bot
}

/// The bot with the shared configuration, on a fake Slack the test prepared (faults set ahead).
pub async fn spawn_bot_on_slack(slack: FakeSlack) -> TestBot {
    spawn_bot_on(
        &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"),
        trouble_bot::http::server::Limits::default(),
        slack,
        &[],
    )
    .await
}

/// The bot with exactly this TOML, on a fake Slack the test prepared, with these environment
/// variables set over the usual ones (to reach Slack through a front, to use Socket Mode, …).
pub async fn spawn_bot_on(
    config_text: &str,
    limits: trouble_bot::http::server::Limits,
    slack: FakeSlack,
    env_changes: &[(&str, String)],
) -> TestBot {
    let mut bot = spawn_bot_unstarted(config_text, limits, slack, env_changes);
    bot.start().await;
    bot
}

/// As [`spawn_bot_on`], the bot on `clock` instead of the usual one (say [`stopped_clock`]).
pub async fn spawn_bot_on_clock(
    config_text: &str,
    limits: trouble_bot::http::server::Limits,
    slack: FakeSlack,
    env_changes: &[(&str, String)],
    clock: Clock,
) -> TestBot {
    let mut bot = spawn_bot_unstarted(config_text, limits, slack, env_changes);
    bot.clock = clock;
    bot.start().await;
    bot
}

/// A clock reading [`CLOCK_START`] that moves only when the test advances it: for a test that
/// must know that nothing the bot waits for comes due while it looks.
pub fn stopped_clock() -> Clock {
    Clock::stopped(CLOCK_START.parse().expect("clock start"))
}

fn spawn_bot_unstarted(
    config_text: &str,
    limits: trouble_bot::http::server::Limits,
    slack: FakeSlack,
    env_changes: &[(&str, String)],
) -> TestBot {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut env: BTreeMap<String, String> = [
        ("SLACK_SIGNING_SECRET", SECRET.to_string()),
        ("SLACK_BOT_TOKEN", "xoxb-test-token".to_string()),
        ("SLACK_API_URL", slack.api_url()),
        ("TROUBLE_LISTEN", "127.0.0.1:0".to_string()),
        ("TROUBLE_DATA_DIR", dir.path().to_string_lossy().into_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(env_changes.iter().map(|(k, v)| (k.to_string(), v.clone())));
    TestBot {
        bot: None,
        clock: Clock::manual(CLOCK_START.parse().expect("clock start")),
        limits,
        slack,
        dir,
        base_url: String::new(),
        config_text: config_text.to_string(),
        env,
        client: http_client(),
        channel_turn: FAST_CHANNEL_TURN,
        slack_timeout: None,
    }
}

/// A client for requests to the bot: each gives up after a minute, so a bot that stops
/// answering fails the test waiting on it instead of holding the whole run until CI's limit
/// (a request with no timeout once did, on a store whose flush never returned).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("an HTTP client")
}

/// GET `url` with [`http_client`].
pub async fn http_get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    http_client().get(url).send().await
}

/// The `/metrics` text of the bot answering at `base_url` (in-process or the binary).
pub async fn metrics_at(base_url: &str) -> String {
    let response = http_get(format!("{base_url}/metrics")).await.expect("/metrics answers");
    response.text().await.expect("/metrics text")
}

/// The real time, in seconds: for requests to the real binary, which runs on the system clock.
pub fn now_secs() -> i64 {
    Clock::System.now().timestamp()
}

impl TestBot {
    pub fn config(&self) -> Config {
        let mut config =
            Config::from_sources(Some(&self.config_text), &self.env).unwrap_or_else(|p| panic!("test config: {p:?}"));
        config.slack.channel_turn = self.channel_turn;
        if let Some(timeout) = self.slack_timeout {
            config.slack.timeout = timeout;
        }
        config
    }

    async fn start(&mut self) {
        let bot = trouble_bot::start_on(self.config(), self.limits.clone(), self.clock.clone())
            .await
            .expect("bot starts");
        self.base_url = format!("http://{}", bot.addr);
        self.bot = Some(bot);
    }

    /// Stops the bot gracefully and starts it again on the same data directory.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start().await;
    }

    pub async fn stop(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await;
        }
    }

    /// The bot's time, in seconds: what a request's signature timestamp must be close to.
    pub fn now_secs(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// Moves the bot's clock forward; its timers, backoffs and pacing due by then run.
    pub fn advance(&self, by: Duration) {
        self.clock
            .as_manual()
            .expect("test bots run on a manual clock")
            .advance(by);
    }

    /// The running bot's shared state (what its Socket Mode slots wait for, say).
    pub fn app(&self) -> &std::sync::Arc<trouble_bot::App> {
        &self.bot.as_ref().expect("bot running").app
    }

    pub fn store(&self) -> &SledStore {
        self.bot
            .as_ref()
            .expect("bot running")
            .app
            .store
            .sled()
            .expect("test bots run on sled")
    }

    /// POSTs a body signed with the test secret (or as the caller says).
    pub async fn post_signed(&self, path: &str, content_type: &str, body: &str) -> reqwest::Response {
        let ts = self.now_secs().to_string();
        let signature = sign(SECRET, &ts, body.as_bytes());
        self.post_raw(
            path,
            content_type,
            body.as_bytes().to_vec(),
            &[("x-slack-request-timestamp", &ts), ("x-slack-signature", &signature)],
        )
        .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.send().await.expect("request reaches the bot")
    }

    /// A slash command form as Slack sends it, answering to a fake response_url.
    pub fn command_form(&self, user: &str, channel: &str, text: &str) -> String {
        slash_command_form(user, channel, text, &self.slack.response_url(&format!("cmd-{user}")))
    }

    /// `/trouble <text>` typed by `user` in `channel`; returns the JSON answer (Null if empty).
    pub async fn command(&self, user: &str, channel: &str, text: &str) -> Value {
        let response = self
            .post_signed(
                "/slack/commands",
                "application/x-www-form-urlencoded",
                &self.command_form(user, channel, text),
            )
            .await;
        assert_eq!(
            response.status(),
            200,
            "command {text:?} answered {}",
            response.status()
        );
        let body = response.text().await.expect("body");
        if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap_or(Value::String(body))
        }
    }

    /// The ephemeral text of a command's answer.
    pub async fn command_text(&self, user: &str, channel: &str, text: &str) -> String {
        let answer = self.command(user, channel, text).await;
        assert_eq!(answer["response_type"], "ephemeral", "answer to {text:?}: {answer}");
        answer["text"].as_str().unwrap_or_default().to_string()
    }

    pub async fn event(&self, body: &Value, retry_num: Option<u32>) -> reqwest::Response {
        let body = body.to_string();
        let ts = self.now_secs().to_string();
        let signature = sign(SECRET, &ts, body.as_bytes());
        let retry = retry_num.map(|n| n.to_string());
        let mut headers = vec![
            ("x-slack-request-timestamp", ts.as_str()),
            ("x-slack-signature", signature.as_str()),
        ];
        if let Some(n) = &retry {
            headers.push(("x-slack-retry-num", n.as_str()));
            headers.push(("x-slack-retry-reason", "http_timeout"));
        }
        self.post_raw("/slack/events", "application/json", body.into_bytes(), &headers)
            .await
    }

    pub async fn interaction(&self, payload: &Value) -> reqwest::Response {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).expect("form");
        self.post_signed("/slack/interactions", "application/x-www-form-urlencoded", &body)
            .await
    }

    /// Opens a trouble as the sales rep and waits until its channel, kickoff and status exist.
    pub async fn open_ready(&self, text: &str) -> OpenedTrouble {
        self.open_ready_as(SALES, text).await
    }

    /// Opens a trouble as the sales rep while Slack refuses to create channels (once:
    /// `restricted_action`), waits for the DM telling them and for the bot to settle, and
    /// answers the trouble's id.
    pub async fn opened_refused(&self, text: &str) -> String {
        self.slack.fail_next("conversations.create", "restricted_action", 1);
        let (_, id) = self.opened(SALES, text).await;
        self.posted_saying(SALES, "restricted_action").await;
        self.settle().await;
        id
    }

    /// `/trouble open TEXT` as `user` from ORIGIN: the answer, and the id of the trouble it
    /// opened, read from the answer or, when the open was answered that it may not be saved yet
    /// (a loaded machine), the store's next trouble (a test opens one at a time).
    pub async fn opened(&self, user: &str, text: &str) -> (String, String) {
        let before = self.trouble_count().await;
        let answer = self.command_text(user, ORIGIN, &format!("open {text}")).await;
        let named = answer.split_whitespace().nth(1).filter(|w| is_trouble_id(w));
        let id = match named {
            Some(id) => id.to_string(),
            // A loaded machine: answered that it may not be saved yet, the open still at work.
            // The trouble the store holds next is this one (a test opens one at a time).
            None => {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
                while self.trouble_count().await <= before {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "no trouble opened by “{answer}” within 30s"
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let troubles = self.app().store.all_troubles().await.expect("troubles");
                let newest = troubles.iter().map(|t| &t.id).max_by_key(|id| {
                    let (day, n) = id.as_str().split_once('-').unwrap_or_default();
                    (day.to_string(), n.parse::<u64>().unwrap_or_default())
                });
                newest.expect("the trouble opened").to_string()
            }
        };
        (answer, id)
    }

    /// How many troubles the store holds, on sled or PostgreSQL.
    async fn trouble_count(&self) -> usize {
        match self.app().store.sled() {
            Some(sled) => sled.trouble_count(),
            None => self.app().store.all_troubles().await.expect("troubles").len(),
        }
    }

    /// Opens a trouble as `user` and waits until its channel, kickoff and status exist.
    pub async fn open_ready_as(&self, user: &str, text: &str) -> OpenedTrouble {
        let (_, id) = self.opened(user, text).await;
        let trouble_id = trouble_bot::trouble::model::TroubleId::new(&id);
        let trouble = wait_until(|| {
            self.store()
                .get(&trouble_id)
                .ok()
                .flatten()
                .filter(|t| t.status.is_some() && t.kickoff.is_some())
        })
        .await;
        let channel_id = trouble.channel.clone().expect("channel").to_string();
        self.slack
            .wait_for_n("pins.add", 2, |c| c.params["channel"] == channel_id.as_str())
            .await;
        let channel = trouble.channel.clone().expect("channel").to_string();
        let kickoff_ts = trouble.kickoff.clone().expect("kickoff").ts.to_string();
        OpenedTrouble {
            id,
            channel,
            kickoff_ts,
        }
    }
}

impl Drop for TestBot {
    fn drop(&mut self) {
        // A test that panicked leaves the bot running; its runtime ends with the test anyway.
        let Some(bot) = self.bot.take() else { return };
        if !std::thread::panicking() {
            if let Some(store) = bot.app.store.sled() {
                assert_records_match_timelines(store);
            }
        }
    }
}

/// Every trouble's record says what its timeline says: whatever a test did through the bot,
/// `verify` would find nothing to report (it never cries wolf over the bot's own writes).
fn assert_records_match_timelines(store: &SledStore) {
    store.with_writes_paused(|store| {
        let walked = store.troubles_where(|_| true).expect("the troubles read");
        for t in &walked.troubles {
            let entries = store.timeline(&t.id).expect("the timeline reads");
            if trouble_bot::trouble::timeline::verify_chain(&entries, t.timeline_len, &t.timeline_head).is_ok() {
                let differs = trouble_bot::trouble::replay::differs(t, &entries);
                assert_eq!(differs, None, "{}: the record disagrees with its timeline", t.id);
            }
        }
    })
}

pub struct OpenedTrouble {
    pub id: String,
    pub channel: String,
    pub kickoff_ts: String,
}

/// Polls `check` (the bot's store, the fake Slack's record) until it holds, for up to 10 s.
/// Whether `word` is a trouble's id as the bot writes it (`20261130-1`).
fn is_trouble_id(word: &str) -> bool {
    word.split_once('-').is_some_and(|(day, n)| {
        day.len() == 8 && day.chars().chain(n.chars()).all(|c| c.is_ascii_digit()) && !n.is_empty()
    })
}

pub async fn wait_until<T>(check: impl FnMut() -> Option<T>) -> T {
    eventually("condition", Duration::from_secs(10), check).await
}

/// Polls `check` until it holds, for up to `limit`; panics naming `what` otherwise.
pub async fn eventually<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    eventually_async(what, limit, || std::future::ready(check())).await
}

/// [`eventually`] of a check that awaits, as a read of the store the bot runs on (PostgreSQL
/// too) does.
pub async fn eventually_async<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not reached within {limit:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// How often `eventually` and `settle` look again. Most waits end within milliseconds, and a
/// test waits dozens of times: a coarser poll added up to many seconds over the suite.
const POLL: Duration = Duration::from_millis(5);

/// A number never handed out before in this test process: Slack's trigger ids and action
/// timestamps differ on every invocation, so two requests a test sends are never byte for
/// byte the same (the bot treats those as replays).
pub fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A `/trouble` slash command body (form-encoded), with the fields Slack sends.
pub fn slash_command_form(user: &str, channel: &str, text: &str, response_url: &str) -> String {
    let trigger_id = format!("1337.42.{}", unique());
    serde_urlencoded::to_string([
        ("token", "legacy"),
        ("team_id", "T0TEAM"),
        ("team_domain", "test"),
        ("channel_id", channel),
        ("channel_name", "somewhere"),
        ("user_id", user),
        ("user_name", "someone"),
        ("command", "/trouble"),
        ("text", text),
        ("api_app_id", "A0APP"),
        ("response_url", response_url),
        ("trigger_id", trigger_id.as_str()),
    ])
    .expect("form")
}

/// A message event in Slack's Events API wrapper.
pub fn message_event(event_id: &str, channel: &str, user: &str, ts: &str, thread_ts: Option<&str>) -> Value {
    let mut event = serde_json::json!({
        "type": "message", "channel": channel, "user": user, "text": "on it", "ts": ts,
        "channel_type": "channel", "event_ts": ts,
    });
    if let Some(t) = thread_ts {
        event["thread_ts"] = Value::String(t.to_string());
        event["parent_user_id"] = Value::String("UBOT".into());
    }
    serde_json::json!({
        "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "event": event,
        "type": "event_callback", "event_id": event_id, "event_time": now_secs(),
        "authorizations": [{"team_id": "T0TEAM", "user_id": "UBOT", "is_bot": true}],
    })
}

/// A message `user` wrote in their DM with the bot, in the thread of the bot's DM `thread_ts`
/// or not, as Slack sends it (`message.im`).
pub fn dm_event(event_id: &str, user: &str, text: &str, thread_ts: Option<&str>) -> Value {
    let ts = format!("1800000000.{:06}", unique());
    let mut body = message_event(event_id, &format!("D{user}"), user, &ts, thread_ts);
    body["event"]["channel_type"] = Value::String("im".into());
    body["event"]["text"] = Value::String(text.into());
    body
}

/// A `block_actions` payload for one of the bot's buttons, answering to the fake's response_url.
pub fn button_payload(slack: &FakeSlack, user: &str, action_id: &str, trouble_id: &str, channel: &str) -> Value {
    button_payload_to(
        &slack.response_url(&format!("click-{user}")),
        user,
        action_id,
        trouble_id,
        channel,
    )
}

/// A `block_actions` payload for one of the bot's buttons, with its value and response_url as given.
pub fn button_payload_to(response_url: &str, user: &str, action_id: &str, value: &str, channel: &str) -> Value {
    serde_json::json!({
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "test"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": channel},
        "channel": {"id": channel, "name": "trouble"},
        "trigger_id": "111.222.trigger",
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button", "action_ts": format!("1.{}", unique())}],
    })
}

fn plain_text_of(message: &Value) -> &str {
    message["text"].as_str().unwrap_or_default()
}

/// For each (trouble id, customer): exactly one channel (named after the customer), one
/// kickoff and one status message in it, both pinned, the owner and manager invited, one
/// manager DM; and in the channel the effective invite, kickoff and status came in that order.
pub fn assert_set_up_exactly_once(slack: &FakeSlack, troubles: &[(String, String)]) {
    let channels = slack.channels();
    let dms = slack.messages_in(MANAGER);
    let calls = slack.calls();
    // The effective invites and posts by channel, gathered in one pass: looked for trouble by
    // trouble in every call, a hundred troubles' check took seconds of a loaded run.
    let mut effective: HashMap<&str, Vec<&Call>> = HashMap::new();
    for c in calls.iter().filter(|c| c.took_effect()) {
        if let Some(channel) = c.params["channel"].as_str() {
            effective.entry(channel).or_default().push(c);
        }
    }
    for (id, customer) in troubles {
        let slug = format!("-{}", customer.to_lowercase());
        let named: Vec<_> = channels.iter().filter(|c| c.name.ends_with(&slug)).collect();
        assert_eq!(named.len(), 1, "one channel for {id}: {named:?}");
        let channel = named[0].id.as_str();
        // The kickoff's text starts with its ask (`🚨 @manager please acknowledge · sev2 … ·
        // Trouble ID: …`); the status's with its id.
        let (kickoff, status) = (format!("Trouble {id}:"), format!("Status {id}:"));
        let messages = slack.messages_in(channel);
        let find = |prefix: &str| {
            messages
                .iter()
                .filter(|m| plain_text_of(m).contains(prefix))
                .collect::<Vec<_>>()
        };
        let (kickoffs, statuses) = (find(&kickoff), find(&status));
        assert_eq!(
            (kickoffs.len(), statuses.len()),
            (1, 1),
            "one kickoff and one status for {id} in {channel}"
        );
        let pins = slack.pins(channel);
        for m in [kickoffs[0], statuses[0]] {
            assert!(
                pins.iter().any(|p| m["ts"] == p.as_str()),
                "{id}: pinned {}",
                plain_text_of(m)
            );
        }
        assert_eq!(
            dms.iter().filter(|m| speaks_of(m, id)).count(),
            1,
            "one manager DM for {id}"
        );
        let members = slack.members(channel);
        assert!(
            members.iter().any(|m| m == SALES) && members.iter().any(|m| m == MANAGER),
            "{id} members {members:?}"
        );
        let in_channel = effective.get(channel).map(Vec::as_slice).unwrap_or_default();
        let first_effective = |method: &str, prefix: &str| {
            in_channel
                .iter()
                .filter(|c| c.method == method && plain_text_of(&c.params).contains(prefix))
                .map(|c| c.seq)
                .min()
                .unwrap_or_else(|| panic!("{id}: no effective {method} {prefix:?}"))
        };
        let (invite, kickoff, status) = (
            first_effective("conversations.invite", ""),
            first_effective("chat.postMessage", &kickoff),
            first_effective("chat.postMessage", &status),
        );
        assert!(
            invite < kickoff && kickoff < status,
            "order in {id}: invite {invite}, kickoff {kickoff}, status {status}"
        );
    }
}

/// The bot with the shared org and the default severities, serving under these HTTP limits.
pub async fn spawn_bot_with_limits(limits: trouble_bot::http::server::Limits) -> TestBot {
    spawn_bot_full(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"), limits).await
}

/// A form submitted by `user`: its view (`view_id`, `callback_id`, `private_metadata`) and input
/// `values`. Slack gives each opened form its own view id, and a retried submission the same.
pub fn view_submission(user: &str, view_id: &str, callback_id: &str, private_metadata: &str, values: Value) -> Value {
    serde_json::json!({
        "type": "view_submission",
        "team": {"id": "T0TEAM", "domain": "test"},
        "user": {"id": user, "username": "rep", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "trigger_id": "222.333.trigger",
        "view": {
            "id": view_id, "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "state": {"values": values},
        },
    })
}

/// A channel event of `kind` (`channel_archive`, `channel_left`, `channel_deleted`, …) for
/// `channel`, naming `user` when given, as Slack signs and sends it.
pub fn channel_event(kind: &str, channel: &str, user: Option<&str>) -> Value {
    let mut event = serde_json::json!({"type": kind, "channel": channel, "event_ts": "1800000000.000100"});
    if let Some(user) = user {
        event["user"] = serde_json::json!(user);
    }
    serde_json::json!({
        "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "event": event,
        "type": "event_callback", "event_id": format!("Ev{}", unique()), "event_time": now_secs(),
        "authorizations": [{"team_id": "T0TEAM", "user_id": "UBOT", "is_bot": true}],
    })
}

/// The Log update form for trouble `id`, submitted by `user`.
pub fn update_submission(user: &str, id: &str, text: &str, next: Option<&str>) -> Value {
    let values = serde_json::json!({
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "next": {"value": {"type": "plain_text_input", "value": next}},
    });
    view_submission(user, "V0000001", "log_update", id, values)
}

/// The facts form drawn for trouble `trouble_id` as it stands now, submitted by the owner with
/// `fields` (`(key, value)` each): its metadata carries what it showed, as the bot draws it.
pub fn facts_form_now(bot: &TestBot, trouble_id: &str, fields: &[(&str, &str)]) -> Value {
    let facts = trouble(bot, trouble_id).substance.facts;
    let metadata = trouble_bot::slack::contracts::FactsMetadata::drawn(trouble_id, &facts).encode();
    let mut v = facts_submission(trouble_id, fields);
    v["view"]["private_metadata"] = serde_json::json!(metadata);
    v
}

/// The facts form submitted by the owner for trouble `trouble_id`: each `(key, value)` a field.
/// Its metadata is the bare id, as an earlier release drew it (no record of what it showed).
pub fn facts_submission(trouble_id: &str, fields: &[(&str, &str)]) -> Value {
    let mut values = serde_json::Map::new();
    for (key, value) in fields {
        values.insert(
            format!("fact_{key}"),
            serde_json::json!({"value": {"type": "plain_text_input", "value": value}}),
        );
    }
    serde_json::json!({
        "type": "view_submission",
        "team": {"id": "T0TEAM", "domain": "test"},
        "user": {"id": SALES, "username": "rep", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "trigger_id": format!("555.{}.trigger", unique()),
        "view": {
            "id": format!("VFACTS{}", unique()), "type": "modal", "callback_id": "trouble_facts",
            "private_metadata": trouble_id, "state": {"values": values},
        },
    })
}

/// The open form submitted by the sales rep, naming `manager`, with sev1, +field and a contact.
pub fn open_submission(customer: &str, summary: &str, manager: &str, private_metadata: &str) -> Value {
    let values = serde_json::json!({
        "customer": {"value": {"type": "plain_text_input", "value": customer}},
        "summary": {"value": {"type": "plain_text_input", "value": summary}},
        "severity": {"value": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "sev1"}, "value": "1"}}},
        "manager": {"value": {"type": "users_select", "selected_user": manager}},
        "departments": {"value": {"type": "multi_static_select", "selected_options": [{"text": {"type": "plain_text", "text": "Field"}, "value": "field"}]}},
        "contact": {"value": {"type": "plain_text_input", "value": "Mr. Sato"}},
    });
    view_submission(SALES, "V0000009", "open_trouble", private_metadata, values)
}

/// The open form submitted from ORIGIN naming `manager`, which the bot must answer by keeping the
/// form open: the error it shows on the manager field.
pub async fn open_form_manager_refused(bot: &TestBot, manager: &str) -> String {
    let metadata = serde_json::json!({"channel": ORIGIN}).to_string();
    let answer: Value = bot
        .interaction(&open_submission("ACME", "lid cracked", manager, &metadata))
        .await
        .json()
        .await
        .expect("the form is answered");
    assert_eq!(answer["response_action"], "errors", "{answer}");
    answer["errors"]["manager"].as_str().unwrap_or_default().to_string()
}

/// POSTs a slash-command form to a bot at `base_url` (one not started by `spawn_bot`, e.g. the
/// binary as a child process), signed as Slack signs it.
pub async fn post_signed_command(
    client: &reqwest::Client,
    base_url: &str,
    form: String,
) -> reqwest::Result<reqwest::Response> {
    let url = format!("{base_url}/slack/commands");
    post_signed_at(client, &url, "application/x-www-form-urlencoded", now_secs(), form).await
}

/// POSTs `body` to `url` signed as Slack signs it at `ts` (Unix seconds: a bot on a manual clock
/// checks the timestamp against its own time).
pub async fn post_signed_at(
    client: &reqwest::Client,
    url: &str,
    content_type: &str,
    ts: i64,
    body: String,
) -> reqwest::Result<reqwest::Response> {
    let ts = ts.to_string();
    let signature = sign(SECRET, &ts, body.as_bytes());
    client
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await
}

impl TestBot {
    /// Moves the bot's clock forward by `by`, then waits until every timer due by then has fired
    /// and every Slack call it caused was delivered: after this, what the jump brought about has
    /// happened, and what it did not bring about will not (without another jump).
    pub async fn advance_and_settle(&self, by: Duration) {
        self.advance(by);
        self.settle().await;
    }

    /// Asserts that no `method` call matching `pred` was made, once everything the bot has
    /// decided so far was delivered: what it answered, it had already stored, so nothing that
    /// a request caused can still arrive after this.
    pub async fn expect_none(&self, method: &str, pred: impl Fn(&Call) -> bool) {
        self.settle().await;
        self.slack.expect_none(method, pred, Duration::ZERO).await;
    }

    /// The text of the message posted to `to` (a user, for a DM, or a channel) that says
    /// `words`, once it comes.
    pub async fn posted_saying(&self, to: &str, words: &str) -> String {
        let posted = self
            .slack
            .wait_for("chat.postMessage", |c| {
                c.params["channel"] == to && text_of(&c.params).contains(words)
            })
            .await;
        text_of(&posted.params)
    }

    /// The post of trouble `id`'s 8D report (`/trouble report 8d`), once it comes.
    pub async fn eight_d_report(&self, id: &str) -> Call {
        let heading = format!("8D report {id}");
        self.slack
            .wait_for("chat.postMessage", |c| {
                c.params["text"].as_str().is_some_and(|s| s.starts_with(&heading))
            })
            .await
    }

    /// Asserts that no message saying `words` was posted to `to` (see `expect_none`).
    pub async fn nothing_posted_saying(&self, to: &str, words: &str) {
        self.expect_none("chat.postMessage", |c| {
            c.params["channel"] == to && text_of(&c.params).contains(words)
        })
        .await;
    }

    /// Waits until no stored timer is due at the bot's clock and the outbox is empty. While
    /// calls wait their turn (Slack's pace of about one message a second per channel), the
    /// clock is moved on a second at a time, so a test does not wait out the pacing.
    pub async fn settle(&self) {
        self.settle_within(Duration::from_secs(20)).await;
    }

    /// Waits until `check` finds what it looks for, moving the clock on through Slack's pacing
    /// (half a second at a time, only while calls are queued), so a test that looks for a post
    /// queued behind others does not wait out the pace of about one message a second in real time.
    pub async fn paced<T>(&self, what: &str, check: impl FnMut() -> Option<T>) -> T {
        self.paced_within(what, Duration::from_secs(60), PACE_STEP, check).await
    }

    /// `settle`, for up to `limit` of real time (Slack's faults and slow answers take real time).
    pub async fn settle_within(&self, limit: Duration) {
        self.settle_stepping(limit, PACE_STEP).await
    }

    /// `settle_within`, moving the clock on by `step` at a time while calls are queued: for a
    /// test whose calls wait out many retries' backoffs (seconds each on the bot's clock), and
    /// that has nothing else due within minutes that a longer step could bring about.
    pub async fn settle_stepping(&self, limit: Duration, step: Duration) {
        self.paced_within("due timers fired and deliveries done", limit, step, || {
            let now = self.clock.now();
            let due = self
                .store()
                .next_timer_due(now)
                .expect("timers readable")
                .is_some_and(|due| due <= now);
            (!due && self.store().outbox_len() == 0).then_some(())
        })
        .await
    }

    async fn paced_within<T>(
        &self,
        what: &str,
        limit: Duration,
        step: Duration,
        mut check: impl FnMut() -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + limit;
        let mut stepped = tokio::time::Instant::now();
        loop {
            if let Some(found) = check() {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not reached within {limit:?}"
            );
            tokio::time::sleep(POLL).await;
            // Looked at every POLL, the clock still moves on no faster than a step per
            // STEP_EVERY of real time: how far a settle moves it stays what the tests were
            // written for (timers hours away must not come due while calls are delivered).
            if self.store().outbox_len() > 0 && stepped.elapsed() >= STEP_EVERY {
                self.advance(step);
                stepped = tokio::time::Instant::now();
            }
        }
    }
}

/// Trouble `id`'s timeline events as debug text (`"NudgePosted { .. }"`), oldest first.
pub fn event_kinds(bot: &TestBot, id: &str) -> Vec<String> {
    bot.store()
        .timeline(&trouble_bot::trouble::model::TroubleId::new(id))
        .expect("timeline readable")
        .iter()
        .map(|e| format!("{:?}", e.event))
        .collect()
}

/// The manager approves every proposal still awaiting a decision (stages 5 and 6 wait for them),
/// with the buttons of their messages.
pub async fn approve_pending(bot: &TestBot, t: &OpenedTrouble) {
    for p in trouble(bot, &t.id).agreement.proposals {
        if matches!(p.state, trouble_bot::trouble::approval::ProposalState::Proposed) {
            let payload = approve_payload(&bot.slack.response_url("approve"), MANAGER, t, p.n);
            assert_eq!(bot.interaction(&payload).await.status(), 200);
        }
    }
}

/// `user`'s click on Approve of proposal `n` of `t`, answered at `response_url`.
pub fn approve_payload(response_url: &str, user: &str, t: &OpenedTrouble, n: usize) -> Value {
    button_payload_to(
        response_url,
        user,
        "proposal_approve",
        &format!("{}:{n}", t.id),
        &t.channel,
    )
}

/// English `stats` with each median and p90 read as `_`: the manual clock also runs at real speed
/// between jumps, so a loaded machine can read an acknowledgement given at once as `1s`. For
/// tests of what `stats` counts beside those times.
pub fn with_times_elided(stats: &str) -> String {
    let words: Vec<&str> = stats.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let timed = i > 0 && matches!(words[i - 1], "median" | "p90");
        out.push(if timed { "_" } else { word });
    }
    out.join(" ")
}

/// A message's text and its blocks as one string, for assertions that look for words in either.
pub fn text_of(message: &Value) -> String {
    format!("{} {}", message["text"].as_str().unwrap_or_default(), message["blocks"])
}

/// Where Slack holds the first DM to `who` saying `words`: (channel, ts).
pub async fn dm_saying(bot: &TestBot, who: &str, words: &str) -> (String, String) {
    nth_dm_saying(bot, who, 1, words).await
}

/// Where Slack holds the `n`th DM to `who` saying `words` (counting only posts Slack took):
/// (channel, ts).
pub async fn nth_dm_saying(bot: &TestBot, who: &str, n: usize, words: &str) -> (String, String) {
    let posts = bot
        .slack
        .wait_for_n("chat.postMessage", n, |c| {
            c.params["channel"] == who && c.outcome == "ok" && text_of(&c.params).contains(words)
        })
        .await;
    let answer = &posts[n - 1].answer;
    let (channel, ts) = (answer["channel"].as_str(), answer["ts"].as_str());
    (channel.expect("a channel").to_string(), ts.expect("a ts").to_string())
}

/// Waits until the message `ts` in `channel`, as Slack shows it now, says `words`.
pub async fn message_says(bot: &TestBot, channel: &str, ts: &str, words: &str) {
    eventually(&format!("{ts} says {words:?}"), Duration::from_secs(10), || {
        let now = bot.slack.message_versions(channel, ts).pop()?;
        text_of(&now).contains(words).then_some(())
    })
    .await;
}

/// A trouble as stored now.
/// The answer to a close that went through: it names the trouble closed.
pub fn closed_reply(bot: &TestBot, t: &OpenedTrouble) -> String {
    format!("Closed trouble {} ({}).", t.id, trouble(bot, &t.id).customer)
}

pub fn trouble(bot: &TestBot, id: &str) -> trouble_bot::trouble::model::Trouble {
    bot.store()
        .get(&trouble_bot::trouble::model::TroubleId::new(id))
        .expect("store readable")
        .expect("trouble stored")
}

/// Waits until the trouble's record holds `user` among the people added to it.
pub async fn wait_added(bot: &TestBot, id: &str, user: &str) {
    wait_until(|| trouble(bot, id).added.iter().any(|u| u.as_str() == user).then_some(())).await;
}

/// The answer to a click, sent to its response_url, whose text contains `needle`.
pub async fn click_answer(bot: &TestBot, user: &str, needle: &str) -> String {
    let path = format!("click-{user}");
    let call = bot
        .slack
        .wait_for("response_url", |c| {
            c.params["_path"] == path.as_str() && c.params["text"].as_str().is_some_and(|t| t.contains(needle))
        })
        .await;
    call.params["text"].as_str().unwrap_or_default().to_string()
}

/// Collects a spawned binary's stderr (piped) into a string, line by line, for failure messages.
pub fn collect_stderr(child: &mut std::process::Child) -> std::sync::Arc<std::sync::Mutex<String>> {
    use std::io::BufRead;
    let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("stderr is piped");
    let sink = logs.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut l = sink.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
        sink.lock().unwrap().push_str(STDERR_CLOSED);
    });
    logs
}

/// What [`collect_stderr`] appends once the child's stderr is closed: every line it wrote has
/// been read (a child's exit is seen before its reader has read its last lines).
pub const STDERR_CLOSED: &str = "-- stderr closed --\n";

/// The address a spawned `serve` (stdout piped) says it listens on (in Socket Mode: where
/// /healthz and /metrics answer), within `limit`; None if it never says so.
pub fn listening_address(child: &mut std::process::Child, limit: Duration) -> Option<String> {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let addr = line
                .strip_prefix("trouble-bot listening on ")
                .or_else(|| line.strip_prefix("trouble-bot in Socket Mode; /healthz and /metrics on "));
            if let Some(addr) = addr {
                let _ = tx.send(addr.trim().to_string());
            }
        }
    });
    rx.recv_timeout(limit).ok()
}

/// Whether a message the bot posted (a fake's stored message or a call's params) speaks of
/// trouble `id`: its own message (`Trouble <id>: …`) or one several troubles share, which lists
/// their ids in its metadata.
pub fn speaks_of(message: &Value, id: &str) -> bool {
    let own = plain_text_of(message).contains(&format!(" · Trouble {id}:"));
    let shared = message["metadata"]["event_payload"]["troubles"]
        .as_str()
        .is_some_and(|listed| listed.split(',').any(|t| t == id));
    own || shared
}

impl TestBot {
    /// Stops the bot and starts it again on the same data directory with `config_text` as its
    /// configuration from then on (as an operator edits trouble.toml between runs).
    pub async fn restart_with_config(&mut self, config_text: &str) {
        self.stop().await;
        self.config_text = config_text.to_string();
        self.start().await;
    }
}

/// The count a `/trouble list` answer heads with and the ids of its rows, in order.
pub fn list_rows(answer: &str) -> (usize, Vec<String>) {
    if answer.starts_with("No open troubles") {
        return (0, Vec::new());
    }
    let total = answer
        .strip_prefix('*')
        .and_then(|a| a.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the list heads with a count: {answer}"));
    let ids = answer
        .lines()
        .filter_map(|line| line.strip_prefix("• `"))
        .map(|row| row.split('`').next().unwrap_or_default().to_string())
        .collect();
    (total, ids)
}

/// `/trouble list` as reading every open trouble answers it for `user`: how many they may see
/// and the first fifty of those by severity, then age.
pub fn list_counted_one_by_one(bot: &TestBot, user: &str) -> (usize, Vec<String>) {
    let policy = bot.config().policy;
    let user = trouble_bot::trouble::model::UserId::new(user);
    let mut open: Vec<_> = bot
        .store()
        .all_troubles()
        .expect("store readable")
        .into_iter()
        .filter(|t| t.is_open() && trouble_bot::trouble::decide::may_see(&policy, t, &user))
        .collect();
    open.sort_by_key(|t| (t.severity.level(), t.opened_at.timestamp_millis(), t.id.to_string()));
    (open.len(), open.iter().take(50).map(|t| t.id.to_string()).collect())
}

/// `trouble-bot verify` on the stopped bot's data directory `data_dir`: (succeeded, stdout).
pub fn verify_stopped(data_dir: &std::path::Path) -> (bool, String) {
    let config = tempfile::NamedTempFile::new().unwrap();
    wait_released(data_dir);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .arg("verify")
        .env("TROUBLE_CONFIG", config.path())
        .env("TROUBLE_DATA_DIR", data_dir)
        .output()
        .expect("the binary runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A config file for the CLI (TROUBLE_CONFIG must name an existing file).
pub fn cli_config() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("trouble.toml");
    std::fs::write(&path, format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).expect("write config");
    (dir, path)
}

/// `trouble-bot export ID --format FORMAT` with the built binary, as an operator runs it.
pub fn cli_export(config: &std::path::Path, data_dir: &std::path::Path, id: &str, format: &str) -> String {
    wait_released(data_dir);
    let out: std::process::Output = std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .args(["export", id, "--format", format])
        .env("TROUBLE_CONFIG", config)
        .env("TROUBLE_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the trouble-bot binary runs");
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Opens `user`'s App Home and returns the view Slack is given next.
pub async fn app_home(bot: &TestBot, user: &str) -> String {
    let mark = last_call(bot);
    open_app_home(bot, user).await;
    home_published_after(bot, user, mark).await
}

/// Slack says `user` opened their App Home (`app_home_opened`), and the bot takes it.
pub async fn open_app_home(bot: &TestBot, user: &str) {
    let opened = serde_json::json!({
        "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "type": "event_callback",
        "event_id": format!("EvHome{}", unique()), "event_time": now_secs(),
        "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1.2"},
    });
    assert_eq!(bot.event(&opened, None).await.status(), 200);
}

/// What the bot posted to `channel` (a user: their DM) after the call `mark`, as text (with
/// its blocks: see [`text_of`]).
pub fn posted_since(bot: &TestBot, channel: &str, mark: u64) -> Vec<String> {
    bot.slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.seq > mark && c.params["channel"] == channel)
        .map(|c| text_of(&c.params))
        .collect()
}

/// Asserts that `trouble-bot verify` (in English) finds the bot's store sound, every record
/// replaying from its timeline; `what` says what that proves. Its output is returned for what
/// a test checks besides (the count of troubles checked).
pub fn assert_store_verifies(bot: &TestBot, what: &str) -> String {
    let verified = trouble_bot::admin::verify(trouble_bot::i18n::Locale::En, bot.store());
    assert_eq!(verified.code, 0, "{what}: {}", verified.stdout);
    verified.stdout
}

/// The last call Slack has had so far: what came after it is what a step made.
pub fn last_call(bot: &TestBot) -> u64 {
    bot.slack.calls().iter().map(|c| c.seq).max().unwrap_or(0)
}

/// The first view of `user`'s App Home published after the call `mark`.
pub async fn home_published_after(bot: &TestBot, user: &str, mark: u64) -> String {
    let publish = bot
        .slack
        .wait_for("views.publish", |c| c.seq > mark && c.params["user_id"] == user)
        .await;
    publish.params["view"].to_string()
}

/// A click on a button in `user`'s App Home: Slack sends no response_url from a view.
pub fn home_button_payload(user: &str, action_id: &str, value: &str) -> Value {
    serde_json::json!({
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "test"},
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home"},
        "trigger_id": "111.222.trigger",
        "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button", "action_ts": format!("1.{}", unique())}],
    })
}

/// A split recorded and approved, and a cost of nothing (`¥0`, which asks nobody), unless some
/// are recorded already: what stages 5 and 6 are done on. Typed by the owner [`SALES`], as any
/// locale's bot reads it; the answers are checked only for what was recorded.
pub async fn split_and_cost_settled(bot: &TestBot, t: &OpenedTrouble) {
    split_and_cost_settled_by(bot, SALES, t).await
}

/// [`split_and_cost_settled`], typed by `user`; the split approved by the first who may (none
/// when nobody stands above them: it then holds nothing up).
pub async fn split_and_cost_settled_by(bot: &TestBot, user: &str, t: &OpenedTrouble) {
    use trouble_bot::trouble::approval::{approvers, ProposalState};
    // Read from whichever store the bot runs on (PostgreSQL too).
    let stored = || async {
        let id = trouble_bot::trouble::model::TroubleId::new(&t.id);
        bot.app()
            .store
            .get(&id)
            .await
            .expect("store readable")
            .expect("trouble stored")
    };
    if stored().await.split.is_none() {
        let r = bot.command_text(user, &t.channel, "split 100/0 our packing").await;
        let now = stored().await;
        let p = now.agreement.proposals.last().expect("the split is proposed").clone();
        // A split refused would leave another proposal last: approving that settles nothing.
        assert!(
            r.contains(&format!("proposal #{}", p.n)) || r.contains(&format!("提案 #{}", p.n)),
            "the split proposed: {r}"
        );
        if let Some(by) = approvers(&bot.config().policy, &now, &p).first() {
            // Answered at a response URL of its own: a test's later `click_answer` reads its own.
            let payload = approve_payload(&bot.slack.response_url(&format!("settle-{by}")), by.as_str(), t, p.n);
            assert_eq!(bot.interaction(&payload).await.status(), 200, "the split approved");
            eventually_async("the split approved", Duration::from_secs(10), || async {
                let now = stored().await;
                matches!(now.agreement.proposals[p.n - 1].state, ProposalState::Approved { .. }).then_some(())
            })
            .await;
        }
    }
    if stored().await.costs.is_empty() {
        let r = bot.command_text(user, &t.channel, "cost ¥0 ours replaced free").await;
        assert!(r.contains("Cost #") || r.contains("費用 #"), "the cost recorded: {r}");
    }
}

/// Every stage done by command (the owner), so only the close rule's other conditions remain.
pub async fn all_stages_done(bot: &TestBot, t: &OpenedTrouble) {
    // Stage 3 is done on a cause recorded, 5 and 6 on a split and a cost.
    if trouble(bot, &t.id).substance.cause.is_none() {
        let r = bot
            .command_text(SALES, &t.channel, "cause mold temperature drifted")
            .await;
        assert!(r.contains("ause"), "cause: {r}");
    }
    split_and_cost_settled(bot, t).await;
    for n in 1..=7 {
        let r = bot.command_text(SALES, &t.channel, &format!("done {n}")).await;
        assert!(r.contains(&format!("Stage {n}")), "done {n}: {r}");
    }
}

/// `opened` (`customer: summary`) opened, acknowledged by the manager, given a prevention
/// measure whose effectiveness is checked 2 s after the close, every stage done, and closed: in
/// whichever language the bot speaks (its answers are not read).
pub async fn closed_with_a_measure(bot: &TestBot, opened: &str) -> OpenedTrouble {
    let t = bot.open_ready(opened).await;
    acknowledged_and_closed_with(bot, &t, MANAGER, "Mold temperature alarm check:2s").await;
    t
}

/// `t` acknowledged by `acker`, given the prevention measure `measure` (what follows `action
/// prevent`, its `check:` with it), every stage done, and closed: in whichever language the bot
/// speaks (its answers are not read).
pub async fn acknowledged_and_closed_with(bot: &TestBot, t: &OpenedTrouble, acker: &str, measure: &str) {
    bot.command_text(acker, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, &format!("action prevent {measure}"))
        .await;
    bot.command_text(SALES, &t.channel, "cause mold temperature drifted")
        .await;
    split_and_cost_settled(bot, t).await;
    for n in 1..=7 {
        bot.command_text(SALES, &t.channel, &format!("done {n}")).await;
    }
    bot.command_text(SALES, &t.channel, "close").await;
    assert!(trouble(bot, &t.id).closed.is_some(), "{} closed", t.id);
}

/// ACME's trouble opened, worked through and closed by the VP, at the top of `[org]`: nobody
/// is above them to reopen it.
pub async fn closed_by_the_top_of_the_org(bot: &TestBot) -> OpenedTrouble {
    let t = bot.open_ready_as(VP, "ACME: housing cracked").await;
    bot.command_text(VP, &t.channel, "cause mold temperature drifted").await;
    bot.command_text(VP, &t.channel, "action prevent mold temperature alarm")
        .await;
    split_and_cost_settled_by(bot, VP, &t).await;
    for n in 1..=7 {
        let r = bot.command_text(VP, &t.channel, &format!("done {n}")).await;
        assert!(r.contains(&format!("Stage {n}")), "done {n}: {r}");
    }
    let closed = bot.command_text(VP, &t.channel, "close").await;
    assert!(trouble(bot, &t.id).closed.is_some(), "{closed}");
    t
}

/// The answer to a tap in App Home after the call `mark`: the window opened over the Home.
pub async fn tap_answer(bot: &TestBot, mark: u64) -> String {
    let open = bot.slack.wait_for("views.open", |c| c.seq > mark).await;
    open.params["view"]["blocks"].to_string()
}

/// `user` clicks `action` on item `n` of trouble `t`: a proposal's `proposal_approve` /
/// `proposal_reject`, an effectiveness check's `effect_ok` / `effect_ng`. The answer comes to
/// the response URL `click-{user}` (see [`click_answer`]).
pub async fn click_on(bot: &TestBot, user: &str, action: &str, t: &OpenedTrouble, n: usize) {
    let payload = button_payload_to(
        &bot.slack.response_url(&format!("click-{user}")),
        user,
        action,
        &format!("{}:{n}", t.id),
        &t.channel,
    );
    assert_eq!(bot.interaction(&payload).await.status(), 200, "click on {action}");
}
