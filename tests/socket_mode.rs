//! Socket Mode end to end: the bot opens its sockets with the app-level token, answers envelopes
//! as the HTTP routes answer requests, and survives refreshes and drops without losing or
//! repeating work.

mod common;

use std::time::Duration;

use common::fake_socket::{
    advance_past_waits, slots_waiting, spawn_bot_behind_front, spawn_socket_bot_on_stopped_clock, FakeSocket,
};
use common::*;
use serde_json::{json, Value};
use trouble_bot::socket_mode::state::Waiting;

/// A bot in Socket Mode (no signing secret) and the fake socket in front of its fake Slack.
async fn socket_bot() -> (TestBot, FakeSocket) {
    spawn_bot_behind_front(true, |_| {}).await
}

/// A slash command as Socket Mode wraps it: the HTTP form's fields, as JSON.
fn command_envelope(envelope_id: &str, form: &str) -> Value {
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(form).expect("form");
    let payload: serde_json::Map<String, Value> = fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    json!({
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": true,
        "payload": payload,
    })
}

/// The bot's own limit on views.open (src/slack/client.rs `OPEN_VIEW_TIMEOUT`): past it, the bot
/// answers the envelope itself (the form did not open), held or not.
const OPEN_VIEW_GIVES_UP: Duration = Duration::from_secs(2);

/// An envelope whose views.open Slack holds: what was sent, and when.
struct InFlight {
    envelope: Value,
    sent: std::time::Instant,
}

impl InFlight {
    /// Not answered yet, or answered only once [`OPEN_VIEW_GIVES_UP`] has passed since it was
    /// sent, which a loaded machine can take to get here: that answer is the bot giving up on
    /// views.open, not the socket's doing, and the test then proves less but nothing false. An
    /// answer sooner fails, with how long it took.
    fn assert_unanswered(&self, socket: &FakeSocket, what: &str) {
        let id = self.envelope["envelope_id"].as_str().expect("an envelope id");
        let (acks, after) = (socket.acks_for(id), self.sent.elapsed());
        assert!(
            acks.is_empty() || after >= OPEN_VIEW_GIVES_UP,
            "{what}: answered {after:?} after it was sent, before views.open gives up at \
             {OPEN_VIEW_GIVES_UP:?}: {acks:?}"
        );
        if !acks.is_empty() {
            // Said, so a run that proved less does not pass for one that proved it.
            eprintln!("{what}: answered {after:?} after it was sent: the bot gave up on views.open first");
        }
    }
}

/// `/trouble open` sent on socket `connection` as envelope `envelope_id`, in flight once this
/// returns: the modal opens at once, and Slack holds views.open until the test releases it
/// (`bot.slack.release("views.open")`) or the bot stops waiting by itself
/// ([`OPEN_VIEW_GIVES_UP`], real time): what follows within that stays in flight.
async fn open_in_flight(bot: &TestBot, socket: &FakeSocket, connection: usize, envelope_id: &str) -> InFlight {
    bot.slack.hold("views.open");
    let envelope = command_envelope(envelope_id, &bot.command_form(SALES, ORIGIN, "open"));
    // Before the send: the bot's own 2 s cannot start earlier than this.
    let sent = std::time::Instant::now();
    socket.send(connection, &envelope);
    bot.slack.wait_held("views.open", |_| true).await;
    InFlight { envelope, sent }
}

fn interactive_envelope(envelope_id: &str, payload: Value) -> Value {
    json!({
        "envelope_id": envelope_id,
        "type": "interactive",
        "accepts_response_payload": true,
        "payload": payload,
    })
}

fn manager_dm(slack: &FakeSlack) -> Vec<Call> {
    slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == MANAGER)
        .collect()
}

#[tokio::test]
async fn a_command_over_the_socket_opens_a_trouble_with_the_same_answer_and_first_ping_as_over_http() {
    let http = spawn_bot().await;
    let (bot, socket) = socket_bot().await;
    let c = socket.wait_live(2).await;
    assert_eq!(socket.opens(), 2, "two sockets, one URL each");

    let text = "open sev2 ACME: defective housings in lot 42";
    let over_http = http.command(SALES, ORIGIN, text).await;
    socket.send(
        c[0],
        &command_envelope("env-open-1", &bot.command_form(SALES, ORIGIN, text)),
    );
    let ack = socket.wait_acks("env-open-1", 1).await.remove(0);
    assert_eq!(ack.connection, c[0], "acknowledged on the socket it came on");
    assert_eq!(ack.body["payload"], over_http, "the same ephemeral answer as over HTTP");
    assert!(
        over_http["text"].as_str().unwrap_or_default().contains("opened"),
        "{over_http}"
    );

    let dm_http = http
        .slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    let dm_socket = bot
        .slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    assert_eq!(dm_socket.params["text"], dm_http.params["text"], "the same first ping");
    assert_eq!(dm_socket.params["blocks"], dm_http.params["blocks"]);
    bot.settle().await;
    assert_eq!(bot.store().open_summaries().expect("store").len(), 1);
}

#[tokio::test]
async fn a_modal_submission_over_the_socket_gets_the_same_response_action_as_over_http() {
    let http = spawn_bot().await;
    let (_bot, socket) = socket_bot().await;
    let c = socket.wait_live(2).await;
    // No customer: the modal stays open with the reason on the field.
    let submission = open_submission("", "housings crack", MANAGER, r#"{"channel":"C0ORIGIN"}"#);
    let over_http: Value = http.interaction(&submission).await.json().await.expect("json answer");
    assert_eq!(over_http["response_action"], "errors", "{over_http}");

    socket.send(c[1], &interactive_envelope("env-view-1", submission));
    let ack = socket.wait_acks("env-view-1", 1).await.remove(0);
    assert_eq!(ack.body["payload"], over_http);
}

#[tokio::test]
async fn an_envelope_redelivered_after_a_reconnect_is_handled_once_and_answered_the_same() {
    let (bot, socket) = socket_bot().await;
    let c = socket.wait_live(2).await;
    let envelope = command_envelope(
        "env-again-1",
        &bot.command_form(SALES, ORIGIN, "open ACME: defective housings"),
    );
    socket.send(c[0], &envelope);
    let first = socket.wait_acks("env-again-1", 1).await.remove(0);
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;

    // The socket drops; Slack, not sure the acknowledgement arrived, delivers it again on the
    // connection the bot opens in its place.
    socket.drop_connection(c[0]);
    socket.wait_closed(c[0]).await;
    let live = eventually("a replacement socket", Duration::from_secs(10), || {
        // Its slot waits half a second first (a socket that worked): the clock is moved past it.
        advance_past_waits(&bot);
        let live = socket.live();
        (live.len() == 2 && !live.contains(&c[0])).then_some(live)
    })
    .await;
    assert_eq!(socket.opens(), 3);
    let fresh = *live.iter().find(|id| **id != c[1]).expect("the new socket");
    socket.send(fresh, &envelope);
    let acks = socket.wait_acks("env-again-1", 2).await;
    assert_eq!(acks[1].connection, fresh);
    assert_eq!(
        acks[1].body["payload"], first.body["payload"],
        "answered as the first time"
    );

    bot.settle().await;
    assert_eq!(manager_dm(&bot.slack).len(), 1, "one first ping");
    assert_eq!(bot.store().open_summaries().expect("store").len(), 1, "one trouble");
}

#[tokio::test]
async fn an_envelope_in_flight_when_its_socket_drops_is_still_handled_and_its_redeliveries_acknowledged() {
    let (bot, socket) = socket_bot().await;
    let c = socket.wait_live(2).await;
    let envelope = open_in_flight(&bot, &socket, c[0], "env-drop-1").await.envelope;

    // The network cuts the socket meanwhile: the handling goes on, and Slack, never
    // acknowledged, delivers the envelope again on the socket opened in its place and on the
    // other one.
    socket.drop_connection(c[0]);
    socket.wait_closed(c[0]).await;
    let live = eventually("a replacement socket", Duration::from_secs(10), || {
        advance_past_waits(&bot);
        let live = socket.live();
        (live.len() == 2 && !live.contains(&c[0])).then_some(live)
    })
    .await;
    let fresh = *live.iter().find(|id| **id != c[1]).expect("the new socket");
    socket.send(fresh, &envelope);
    socket.send(c[1], &envelope);
    bot.slack.release("views.open");
    let acks = socket.wait_acks("env-drop-1", 2).await;
    let mut on: Vec<usize> = acks.iter().map(|a| a.connection).collect();
    on.sort_unstable();
    let mut expected = vec![fresh, c[1]];
    expected.sort_unstable();
    assert_eq!(on, expected, "each redelivery acknowledged where it came");
    assert_eq!(acks[0].body, acks[1].body, "with the same answer");
    assert_eq!(bot.slack.calls_to("views.open").len(), 1, "handled once");
}

#[tokio::test]
async fn a_disconnect_message_brings_a_new_socket_while_the_envelope_in_flight_is_still_answered() {
    let (bot, socket) = socket_bot().await;
    let c = socket.wait_live(2).await;
    let modal = open_in_flight(&bot, &socket, c[0], "env-flight-1").await;
    modal.assert_unanswered(&socket, "still in flight");
    socket.ask_to_reconnect(c[0]);

    eventually("a socket in place of the retiring one", Duration::from_secs(10), || {
        (socket.opens() == 3).then_some(())
    })
    .await;
    modal.assert_unanswered(&socket, "still in flight");
    bot.slack.release("views.open");
    let acks = socket.wait_acks("env-flight-1", 1).await;
    assert_eq!(
        acks[0].connection, c[0],
        "acknowledged on the socket it came on, after the disconnect"
    );
    socket.wait_closed(c[0]).await;
    let live = socket.wait_live(2).await;
    assert!(!live.contains(&c[0]), "{live:?}");
    assert_eq!(bot.slack.calls_to("views.open").len(), 1, "handled once");
}

#[tokio::test]
async fn a_command_arriving_on_a_socket_after_its_disconnect_warning_is_still_handled_and_acknowledged() {
    let (bot, socket) = socket_bot().await;
    let c = socket.wait_live(2).await;
    // Something in flight keeps the retiring socket open, as a real refresh often finds.
    let modal = open_in_flight(&bot, &socket, c[0], "env-warned-modal").await;
    socket.send(
        c[0],
        &json!({"type": "disconnect", "reason": "warning", "debug_info": {"host": "x"}}),
    );
    eventually("a socket in place of the retiring one", Duration::from_secs(10), || {
        (socket.opens() == 3).then_some(())
    })
    .await;

    // Slack still delivers on that socket during the warning; it never sends a slash command
    // again, so this one must be answered here.
    socket.send(
        c[0],
        &command_envelope(
            "env-warned-open",
            &bot.command_form(SALES, ORIGIN, "open sev2 ACME: cracked housings"),
        ),
    );
    let ack = socket.wait_acks("env-warned-open", 1).await.remove(0);
    assert_eq!(ack.connection, c[0], "acknowledged on the socket it came on");
    assert!(
        ack.body["payload"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("opened"),
        "{}",
        ack.body
    );
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    modal.assert_unanswered(&socket, "the modal still in flight");
    bot.slack.release("views.open");
    socket.wait_acks("env-warned-modal", 1).await;
    socket.wait_closed(c[0]).await;
    bot.settle().await;
    assert_eq!(bot.store().open_summaries().expect("store").len(), 1);
}

#[tokio::test]
async fn slacks_request_urls_answer_404_in_socket_mode() {
    let (bot, socket) = socket_bot().await;
    socket.wait_live(2).await;
    let form = bot.command_form(SALES, ORIGIN, "open ACME: housings");
    for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        let r = bot.post_signed(path, "application/x-www-form-urlencoded", &form).await;
        assert_eq!(r.status(), 404, "{path}");
    }
    bot.settle().await;
    assert!(
        manager_dm(&bot.slack).is_empty(),
        "nothing was opened around the socket"
    );
}

#[tokio::test]
async fn healthz_says_why_while_no_socket_is_up_and_ok_once_one_is() {
    let (bot, socket) = spawn_bot_behind_front(true, |socket| socket.refuse_opens(true)).await;
    let down = health_until(&bot, "503 naming the failing call", |status, text| {
        status == 503 && text.contains("apps.connections.open failed")
    })
    .await;
    assert!(down.1.starts_with("socket mode:"), "{down:?}");
    // What a dashboard alerts on: /metrics counts the sockets up.
    let sockets = |text: String| {
        text.lines()
            .find(|l| l.starts_with("trouble_bot_socket_connections "))
            .map(str::to_string)
    };
    assert_eq!(
        sockets(metrics_at(&bot.base_url).await).as_deref(),
        Some("trouble_bot_socket_connections 0")
    );

    socket.refuse_opens(false);
    // Each slot backs off from its failed attempts: the clock is moved past those waits.
    let live = eventually("2 live sockets", Duration::from_secs(10), || {
        advance_past_waits(&bot);
        let live = socket.live();
        (live.len() == 2).then_some(live)
    })
    .await;
    health_until(&bot, "200 with both sockets up", |status, text| {
        status == 200 && text.contains("2 connected")
    })
    .await;
    assert_eq!(
        sockets(metrics_at(&bot.base_url).await).as_deref(),
        Some("trouble_bot_socket_connections 2")
    );

    socket.refuse_opens(true);
    for id in live {
        socket.drop_connection(id);
    }
    health_until(&bot, "503 once every socket dropped", |status, _| status == 503).await;
    assert_eq!(
        sockets(metrics_at(&bot.base_url).await).as_deref(),
        Some("trouble_bot_socket_connections 0")
    );
    // Over HTTP there are no sockets to count.
    let http = spawn_bot().await;
    assert_eq!(sockets(metrics_at(&http.base_url).await), None);
}

#[tokio::test]
async fn a_rate_limited_connections_open_is_not_asked_again_before_retry_after_on_any_slot() {
    // The clock stands still: nothing a slot waits for comes until the test moves it.
    let (bot, socket) = spawn_socket_bot_on_stopped_clock(|socket| socket.rate_limit_opens(Some(30))).await;
    let (_, said) = health_until(&bot, "503 naming Slack's wait", |status, text| {
        status == 503 && text.contains("next attempt in 30 s")
    })
    .await;
    assert!(said.contains("rate limited"), "{said}");
    // Each slot asked at most once (one may have found the other's answer first).
    slots_waiting(&bot, 2).await;
    let asked = socket.opens();
    assert!((1..=2).contains(&asked), "asked {asked} times before Retry-After");
    // Without Retry-After the backoff would ask again after 1 s, then 2 s, …: up to a second
    // before it is up, nobody does.
    bot.advance(Duration::from_secs(29));
    slots_waiting(&bot, 2).await;
    assert_eq!(socket.opens(), asked, "asked again before Retry-After was up");
    // Once it is up, they ask again (and wait again, as Slack still says to).
    bot.advance(Duration::from_secs(1));
    slots_waiting(&bot, 2).await;
    let again = socket.opens() - asked;
    assert!((1..=2).contains(&again), "asked {again} times once Retry-After was up");
}

#[tokio::test]
async fn connections_slack_turns_away_at_once_are_asked_for_again_with_growing_waits_and_said_why() {
    // The clock stands still: a slot asks again only when the test moves it past the wait.
    let (bot, socket) = spawn_socket_bot_on_stopped_clock(|_| {}).await;
    let live = socket.wait_live(2).await;
    // Another instance on the same app, say: Slack turns every new connection away.
    let turned_away = json!({"type": "disconnect", "reason": "too_many_websockets"});
    socket.greet_new_connections_with(Some(turned_away.clone()));
    let before = socket.opens();
    for id in live {
        socket.send(id, &turned_away);
    }
    // Per slot: a replacement at once (no time has passed), turned away too; then one after
    // a wait of 0.375–0.5 s (a quarter of jitter), one after 0.75–1 s, one after 1.5–2 s. While
    // both slots wait nobody asks, so the count of opens is exact at each step.
    let ms = Duration::from_millis;
    let steps = [(ms(375), ms(500)), (ms(750), ms(1000)), (ms(1500), ms(2000))];
    for (step, (shortest, longest)) in steps.into_iter().enumerate() {
        if step > 0 {
            advance_past_waits(&bot);
        }
        let waits = slots_waiting(&bot, 2).await;
        assert_eq!(
            socket.opens(),
            before + 2 + 2 * step,
            "per slot: a replacement at once, then one after each of {step} waits"
        );
        assert!(
            waits.iter().all(|w| (shortest..=longest).contains(w)),
            "wait {}: {waits:?}",
            step + 1
        );
    }
    let (_, said) = health_until(&bot, "503 naming the reason", |status, _| status == 503).await;
    assert!(
        said.contains("too_many_websockets") && said.contains("another trouble-bot"),
        "{said}"
    );

    // Once Slack takes connections again, both come back after their wait.
    socket.greet_new_connections_with(None);
    advance_past_waits(&bot);
    health_until(&bot, "200 with both sockets up", |status, text| {
        status == 200 && text.contains("2 connected")
    })
    .await;
}

#[tokio::test]
async fn socket_mode_turned_off_for_the_app_stops_the_reconnecting_and_healthz_says_what_to_do() {
    let (bot, socket) = socket_bot().await;
    let live = socket.wait_live(2).await;
    let before = socket.opens();
    for id in &live {
        socket.send(*id, &json!({"type": "disconnect", "reason": "link_disabled"}));
    }
    let (_, said) = health_until(&bot, "503 saying Socket Mode is off", |status, text| {
        status == 503 && text.contains("turned Socket Mode off")
    })
    .await;
    assert!(
        said.contains("link_disabled") && said.contains("Enable Socket Mode") && said.contains("restart"),
        "{said}"
    );
    for id in live {
        socket.wait_closed(id).await;
    }
    // A refresh would be replaced at once: instead each slot stops asking, for good.
    eventually("both slots stopped asking", Duration::from_secs(10), || {
        let waiting = bot.app().socket.waiting();
        (waiting.len() == 2 && waiting.values().all(|w| *w == Waiting::ForGood)).then_some(())
    })
    .await;
    assert_eq!(socket.opens(), before, "asked for a connection after link_disabled");
    assert!(health_until(&bot, "still 503", |status, _| status == 503)
        .await
        .1
        .contains("link_disabled"));
}

/// Polls `/healthz` until `ok` holds for its status and text, for up to 10 s.
async fn health_until(bot: &TestBot, what: &str, ok: impl Fn(u16, &str) -> bool) -> (u16, String) {
    health_at(&bot.base_url, what, ok).await
}

/// [`health_until`] for a bot at `base_url`.
async fn health_at(base_url: &str, what: &str, ok: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let r = http_get(format!("{base_url}/healthz")).await.expect("healthz");
        let seen = (r.status().as_u16(), r.text().await.unwrap_or_default());
        if ok(seen.0, &seen.1) {
            return seen;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: last {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_managers_reply_over_the_socket_acknowledges_and_its_retry_is_acknowledged_without_effect() {
    let (bot, socket) = socket_bot().await;
    let c = socket.wait_live(2).await;
    socket.send(
        c[0],
        &command_envelope("env-ack-open", &bot.command_form(SALES, ORIGIN, "open ACME: housings")),
    );
    let trouble = wait_until(|| {
        let summaries = bot.store().open_summaries().ok()?;
        let id = summaries.first()?.id.clone();
        bot.store().get(&id).ok().flatten().filter(|t| t.kickoff.is_some())
    })
    .await;
    let channel = trouble.channel.clone().expect("channel").to_string();
    let kickoff_ts = trouble.kickoff.clone().expect("kickoff").ts.to_string();
    let event = message_event(
        "Ev0SOCKETACK",
        &channel,
        MANAGER,
        "1795748400.000900",
        Some(&kickoff_ts),
    );
    let envelope = |id: &str, retry: u32| {
        json!({"envelope_id": id, "type": "events_api", "accepts_response_payload": false,
               "retry_attempt": retry, "retry_reason": if retry > 0 { "timeout" } else { "" }, "payload": event})
    };
    socket.send(c[1], &envelope("env-ack-1", 0));
    socket.wait_acks("env-ack-1", 1).await;
    let acked = wait_until(|| bot.store().get(&trouble.id).ok().flatten().filter(|t| t.ack.is_some())).await;
    assert_eq!(acked.ack.as_ref().map(|a| a.by.to_string()), Some(MANAGER.to_string()));

    // Slack retries the event in a new envelope: acknowledged, nothing happens again.
    socket.send(c[0], &envelope("env-ack-2", 1));
    let retry = socket.wait_acks("env-ack-2", 1).await.remove(0);
    assert!(
        retry.body.get("payload").is_none(),
        "events carry no answer: {}",
        retry.body
    );
    bot.settle().await;
    let thanks = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| {
            c.params["thread_ts"] == kickoff_ts.as_str() && c.params["text"].to_string().contains("Acknowledged by")
        })
        .count();
    assert_eq!(thanks, 1);
}

/// The binary serving in Socket Mode behind `front` with `app_token`, its log at `log_level`
/// written to a file: the child, its address, the log's path and the directory holding them
/// (kept while the test runs).
fn binary_in_socket_mode(
    front: &FakeSocket,
    app_token: &str,
    log_level: &str,
) -> (std::process::Child, String, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("trouble.toml");
    std::fs::write(&config, format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).expect("config");
    let log_path = dir.path().join("stderr.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .arg("serve")
        .env_remove("SLACK_SIGNING_SECRET")
        .env("SLACK_APP_TOKEN", app_token)
        .env("SLACK_BOT_TOKEN", "xoxb-test-token")
        .env("SLACK_API_URL", front.api_url())
        .env("TROUBLE_CONFIG", &config)
        .env("TROUBLE_DATA_DIR", dir.path().join("data"))
        .env("TROUBLE_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", log_level)
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log_path).expect("log file"))
        .spawn()
        .expect("the binary starts");
    let addr = listening_address(&mut child, Duration::from_secs(20)).expect("listening");
    (child, addr, log_path, dir)
}

#[tokio::test]
async fn the_binary_serves_in_socket_mode_with_only_the_two_tokens_and_never_logs_the_app_token() {
    let slack = FakeSlack::start().await;
    let front = FakeSocket::start(&slack).await;
    let (mut child, addr, log_path, _dir) = binary_in_socket_mode(&front, common::fake_socket::APP_TOKEN, "debug");

    let live = front.wait_live(2).await;
    let form = slash_command_form(SALES, ORIGIN, "open ACME: housings", &slack.response_url("bin"));
    front.send(live[0], &command_envelope("env-bin-1", &form));
    let ack = front.wait_acks("env-bin-1", 1).await.remove(0);
    assert!(
        ack.body["payload"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("opened"),
        "{}",
        ack.body
    );
    slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    let health = http_get(format!("http://{addr}/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200);
    let _ = child.kill();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(logs.contains("Socket Mode connection up"), "{logs}");
    assert!(
        logs.contains("trouble-bot started in Socket Mode: Slack's requests come over its connections")
            && !logs.contains("listening"),
        "in Socket Mode nothing says Slack could reach the bot's address:\n{logs}"
    );
    assert!(!logs.contains("testtoken"), "the app token appears in the logs");
    assert!(
        !logs.contains("ticket="),
        "a socket URL (a one-time ticket) appears in the logs"
    );
}

#[tokio::test]
async fn a_refused_app_token_is_named_once_in_the_log_and_in_healthz_with_what_to_do() {
    let slack = FakeSlack::start().await;
    let front = FakeSocket::start(&slack).await;
    let (mut child, addr, log_path, _dir) = binary_in_socket_mode(&front, "xapp-1-A0APP-1-revokedtoken", "info");

    let (_, health) = health_at(&format!("http://{addr}"), "503 naming the app token", |status, text| {
        status == 503 && text.contains("SLACK_APP_TOKEN")
    })
    .await;
    assert!(
        health.starts_with("socket mode: Slack refuses the app-level token (invalid_auth)")
            && health.contains("connections:write")
            && health.contains("next attempt in"),
        "{health}"
    );
    // Both connections asked again meanwhile: still said once.
    eventually("a second attempt on each connection", Duration::from_secs(10), || {
        (front.opens() >= 4).then_some(())
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&log_path).unwrap_or_default();
    let named: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("Slack refuses the app-level token"))
        .collect();
    assert_eq!(named.len(), 1, "once, not per connection and attempt:\n{logs}");
    assert!(
        named[0].contains("ERROR")
            && named[0].contains("invalid_auth")
            && named[0].contains("SLACK_APP_TOKEN environment variable")
            && named[0].contains("App-Level Tokens"),
        "{}",
        named[0]
    );
    assert!(!logs.contains("revokedtoken"), "the app token appears in the logs");
}

/// `check-slack` asks Slack for a connection with the app-level token, before a restart finds
/// out that no request would reach the bot: it says the token works, or what to do.
#[tokio::test(flavor = "multi_thread")]
async fn check_slack_says_whether_slack_takes_the_app_token() {
    let slack = FakeSlack::start().await;
    let front = FakeSocket::start(&slack).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("trouble.toml");
    // Only the tokens are looked at here: no announce channel to find.
    let without_channels =
        format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}").replace("announce_channels = [\"C0BIZUNIT\"]", "");
    std::fs::write(&config, without_channels).expect("config");
    let check = |app_token: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"));
        command
            .arg("check-slack")
            .env("SLACK_APP_TOKEN", app_token)
            .env("SLACK_BOT_TOKEN", "xoxb-test-token")
            .env("SLACK_API_URL", front.api_url())
            .env("TROUBLE_CONFIG", &config)
            .env("TROUBLE_DATA_DIR", dir.path().join("data"));
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
    };
    let works = check(common::fake_socket::APP_TOKEN).await.unwrap();
    let stdout = String::from_utf8_lossy(&works.stdout).into_owned();
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("app token:") && l.contains("works (Socket Mode can connect)")),
        "{stdout}"
    );
    assert!(works.status.success(), "{stdout}");
    let opened = front.opens();
    assert_eq!(opened, 1, "asked once, and never connected");

    let refused = check("xapp-1-A0APP-1-revokedtoken").await.unwrap();
    let stdout = String::from_utf8_lossy(&refused.stdout).into_owned();
    assert!(!refused.status.success(), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("app token:")
            && l.contains("✗ Slack refuses it (invalid_auth)")
            && l.contains("App-Level Tokens")
            && l.contains("SLACK_APP_TOKEN")),
        "{stdout}"
    );
    assert!(!stdout.contains("revokedtoken"), "the token is never printed: {stdout}");
    assert!(stdout.ends_with("1 problem found.\n"), "{stdout}");
}
