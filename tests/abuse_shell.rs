//! Hostile clients at the shell: replayed and double-submitted requests count once, refused
//! modal submissions stay open with the reason, slow clients are cut off, and Slack's own
//! error codes reach the timeline.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use trouble_bot::http::server::Limits;
use trouble_bot::http::BODY_LIMIT;
use trouble_bot::slack::signature::sign;
use trouble_bot::trouble::model::TroubleId;
use trouble_bot::trouble::timeline::Event;

const FORM: &str = "application/x-www-form-urlencoded";

/// A body with its signature headers, fixed once so it can be sent again byte for byte.
struct Signed {
    body: String,
    ts: String,
    signature: String,
}

impl Signed {
    fn new(bot: &TestBot, body: String) -> Signed {
        let ts = bot.now_secs().to_string();
        let signature = sign(SECRET, &ts, body.as_bytes());
        Signed { body, ts, signature }
    }

    fn interaction(bot: &TestBot, payload: &Value) -> Signed {
        Signed::new(
            bot,
            serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap(),
        )
    }

    async fn send(&self, bot: &TestBot, path: &str) -> reqwest::Response {
        bot.post_raw(
            path,
            FORM,
            self.body.clone().into_bytes(),
            &[
                ("x-slack-request-timestamp", &self.ts),
                ("x-slack-signature", &self.signature),
            ],
        )
        .await
    }
}

fn open_form(view_id: &str, customer: &str, severity: &str, department: &str) -> Value {
    let metadata = json!({"channel": ORIGIN}).to_string();
    json!({
        "type": "view_submission",
        "team": {"id": "T0TEAM", "domain": "test"},
        "user": {"id": SALES, "username": "rep", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "view": {
            "id": view_id, "type": "modal", "callback_id": "open_trouble", "private_metadata": metadata,
            "state": {"values": {
                "customer": {"value": {"type": "plain_text_input", "value": customer}},
                "summary": {"value": {"type": "plain_text_input", "value": "cracked housings"}},
                "severity": {"value": {"type": "static_select", "selected_option": {"value": severity}}},
                "departments": {"value": {"type": "multi_static_select", "selected_options": [{"value": department}]}},
            }},
        },
    })
}

async fn opened_count(bot: &TestBot) -> usize {
    bot.store().trouble_count()
}

#[tokio::test]
async fn a_replayed_open_command_opens_one_trouble_and_the_replay_gets_an_empty_200() {
    let bot = spawn_bot().await;
    let request = Signed::new(&bot, bot.command_form(SALES, ORIGIN, "open ACME: cracked housings"));
    let first = request.send(&bot, "/slack/commands").await;
    assert_eq!(first.status(), 200);
    assert!(first.text().await.unwrap().contains("opened"));
    let replay = request.send(&bot, "/slack/commands").await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.text().await.unwrap(), "", "the replay has no answer");
    assert_eq!(opened_count(&bot).await, 1);
    bot.slack.wait_for("conversations.create", |_| true).await;
    assert_eq!(bot.slack.calls_to("conversations.create").len(), 1);
}

#[tokio::test]
async fn a_replayed_command_in_a_trouble_channel_is_applied_once_even_after_a_restart() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let request = Signed::new(
        &bot,
        bot.command_form(SALES, &t.channel, "cost ¥1200 us replacement parts"),
    );
    assert_eq!(request.send(&bot, "/slack/commands").await.status(), 200);
    bot.restart().await;
    let replay = request.send(&bot, "/slack/commands").await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.text().await.unwrap(), "");
    let trouble = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert_eq!(trouble.costs.len(), 1, "{:?}", trouble.costs);
}

#[tokio::test]
async fn a_replayed_click_on_log_update_opens_one_modal() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let click = Signed::interaction(
        &bot,
        &button_payload(&bot.slack, SALES, "log_update", &t.id, &t.channel),
    );
    assert_eq!(click.send(&bot, "/slack/interactions").await.status(), 200);
    bot.slack.wait_for("views.open", |_| true).await;
    assert_eq!(click.send(&bot, "/slack/interactions").await.status(), 200);
    // A later, different click goes through the same lane: a replay's modal would come before it.
    let mut later = button_payload(&bot.slack, SALES, "log_update", &t.id, &t.channel);
    later["trigger_id"] = json!("later.trigger");
    assert_eq!(bot.interaction(&later).await.status(), 200);
    bot.slack
        .wait_for("views.open", |c| c.params["trigger_id"] == "later.trigger")
        .await;
    assert_eq!(
        bot.slack.calls_to("views.open").len(),
        2,
        "the click and the later one, not the replay"
    );
}

#[tokio::test]
async fn a_modal_submission_replayed_or_submitted_twice_opens_one_trouble() {
    let bot = spawn_bot().await;
    let submission = open_form("V0DOUBLE", "ACME", "1", "quality");
    let first = Signed::interaction(&bot, &submission);
    let r = first.send(&bot, "/slack/interactions").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "", "the modal closes");
    // The same bytes again (a replay), and a fresh signature for the same view (a double click),
    // twice at once.
    assert_eq!(first.send(&bot, "/slack/interactions").await.status(), 200);
    let (again, at_once) = tokio::join!(bot.interaction(&submission), bot.interaction(&submission));
    assert_eq!(at_once.status(), 200);
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), "");
    assert_eq!(opened_count(&bot).await, 1);
}

#[tokio::test]
async fn a_refused_modal_submission_stays_open_with_the_reason_and_its_correction_goes_through() {
    let bot = spawn_bot().await;
    let errors = |v: &Value| v["errors"].as_object().cloned().unwrap_or_default();
    let r = bot.interaction(&open_form("V0FIX", "ACME", "9", "quality")).await;
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["response_action"], "errors", "{answer}");
    assert!(errors(&answer).contains_key("severity"), "{answer}");
    let r = bot.interaction(&open_form("V0FIX", "ACME", "1", "removed")).await;
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["response_action"], "errors", "{answer}");
    assert!(errors(&answer).contains_key("departments"), "{answer}");
    assert_eq!(opened_count(&bot).await, 0, "nothing opened while refused");
    let r = bot.interaction(&open_form("V0FIX", "ACME", "1", "quality")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "");
    assert_eq!(
        opened_count(&bot).await,
        1,
        "the corrected submission of the same view opened it"
    );
}

#[tokio::test]
async fn an_update_modal_for_a_trouble_that_does_not_exist_stays_open_with_the_reason() {
    let bot = spawn_bot().await;
    let payload = json!({
        "type": "view_submission",
        "team": {"id": "T0TEAM"},
        "user": {"id": SALES},
        "view": {"id": "V0GONE", "callback_id": "log_update", "private_metadata": "20990101-1",
            "state": {"values": {"text": {"t": {"type": "plain_text_input", "value": "told them"}}}}},
    });
    let answer: Value = bot.interaction(&payload).await.json().await.unwrap();
    assert_eq!(answer["response_action"], "errors", "{answer}");
    assert!(
        answer["errors"]["text"].as_str().is_some_and(|t| !t.is_empty()),
        "{answer}"
    );
}

#[tokio::test]
async fn a_slack_error_code_starting_with_no_lands_on_the_timeline() {
    let bot = spawn_bot().await;
    bot.slack.fail_next("chat.postMessage", "no_user", 1);
    let (_, id) = bot.opened(SALES, "ACME: cracked housings").await;
    let id = TroubleId::new(&id);
    let failure = wait_until(|| {
        bot.store().timeline(&id).unwrap().into_iter().find(|e| {
            matches!(&e.event, Event::DeliveryFailed { method, error, .. } if method == "chat.postMessage" && error == "no_user")
        })
    })
    .await;
    assert_eq!(failure.actor, None);
}

/// A bot whose HTTP timeouts are short enough to watch them work.
async fn impatient_bot() -> TestBot {
    spawn_bot_with_limits(Limits {
        header_read: Duration::from_millis(700),
        body_read: Duration::from_millis(700),
        ..Limits::default()
    })
    .await
}

/// Reads until the server closes the connection; what it sent, if anything.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&answer).into_owned()
}

/// A raw connection to the bot that has sent `bytes`.
async fn connect_and_send(bot: &TestBot, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(bot.base_url.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let bot = impatient_bot().await;
    let mut stream = connect_and_send(&bot, b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
    until_closed(&mut stream).await;
    // And an idle kept-alive connection is closed the same way.
    let mut idle = connect_and_send(&bot, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let answer = until_closed(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_client_that_trickles_its_body_is_answered_408_and_cut_off() {
    let bot = impatient_bot().await;
    let mut stream = connect_and_send(
        &bot,
        b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
    )
    .await;
    let trickle = async {
        for _ in 0..200 {
            if stream.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    trickle.await;
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The bot still serves everyone else.
    let r = http_get(format!("{}/healthz", bot.base_url)).await.unwrap();
    assert_eq!(r.status(), 200);
}

/// (The 413's log line, and that /metrics counts it nowhere: tests/logs.rs, where a test can
/// read the log.)
#[tokio::test]
async fn an_over_limit_content_length_is_refused_before_the_body_is_sent() {
    let bot = spawn_bot().await;
    let mut stream = connect_and_send(
        &bot,
        b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n",
    )
    .await;
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn a_modal_that_slack_is_slow_to_open_is_given_up_in_time_to_answer_within_3_seconds() {
    let bot = spawn_bot().await;
    // Slack's trigger id lasts 3 s: an answer after that is lost, so the bot gives up at 2 s
    // and says so, rather than waiting out slack_timeout (10 s). Slack may still open it after
    // the bot gave up, so the answer is unsure, not "did not open".
    bot.slack.delay("views.open", Duration::from_millis(2500));
    let answer = bot.command(SALES, ORIGIN, "open").await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    assert!(
        answer["text"]
            .as_str()
            .is_some_and(|t| t.contains("If it opened, use it")),
        "{answer}"
    );
}

/// The head of a signed request to `path` whose body follows in chunks (no length given up front).
fn chunked_head(path: &str, content_type: &str, signed: &Signed) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n\
         X-Slack-Request-Timestamp: {}\r\nX-Slack-Signature: {}\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        signed.ts, signed.signature
    )
}

/// A body sent in pieces (chunked: hyper hands each chunk over as a frame of its own) is read
/// whole, as one sent at once is.
#[tokio::test]
async fn a_command_whose_body_comes_in_chunks_is_read_whole() {
    let bot = spawn_bot().await;
    let signed = Signed::new(&bot, bot.command_form(SALES, ORIGIN, "help"));
    let (head, tail) = signed.body.split_at(signed.body.len() / 2);
    let request = format!(
        "{}{:x}\r\n{head}\r\n{:x}\r\n{tail}\r\n0\r\n\r\n",
        chunked_head("/slack/commands", FORM, &signed),
        head.len(),
        tail.len()
    );
    let mut stream = connect_and_send(&bot, request.as_bytes()).await;
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("ephemeral"), "{answer}");
}

/// `prefix`, filled with `a` to `len` bytes in all with `suffix`.
fn filled(prefix: &str, suffix: &str, len: usize) -> String {
    [prefix, &"a".repeat(len - prefix.len() - suffix.len()), suffix].concat()
}

/// Signed requests to each Slack route, each `len` bytes long; the command opens a trouble, were
/// it read. A field the bot does not read carries the bulk of a form.
fn of_length(bot: &TestBot, len: usize) -> [(&'static str, &'static str, Signed); 3] {
    let open = bot.command_form(SALES, ORIGIN, "open sev1 ACME: cracked housings") + "&padding=";
    let interaction = Signed::interaction(bot, &open_form("V0BIG", "GLOBEX", "1", "quality")).body + "&padding=";
    let handshake = r#"{"type":"url_verification","challenge":""#;
    [
        ("/slack/commands", FORM, Signed::new(bot, filled(&open, "", len))),
        (
            "/slack/events",
            "application/json",
            Signed::new(bot, filled(handshake, r#""}"#, len)),
        ),
        (
            "/slack/interactions",
            FORM,
            Signed::new(bot, filled(&interaction, "", len)),
        ),
    ]
}

/// A chunked body declares no length to refuse up front: on every Slack route it is refused
/// with 413 as soon as what has come of it passes the 1 MiB bound, without waiting for the rest
/// (the chunk sent here is never finished), so nothing of it is stored or sent to Slack.
#[tokio::test]
async fn a_chunked_body_is_refused_as_soon_as_it_passes_the_bound() {
    let bot = spawn_bot().await;
    for (path, content_type, signed) in of_length(&bot, BODY_LIMIT + 10) {
        // One chunk of the whole body, of which one byte past the bound is sent.
        let head = format!(
            "{}{:x}\r\n",
            chunked_head(path, content_type, &signed),
            signed.body.len()
        );
        let mut stream = connect_and_send(&bot, head.as_bytes()).await;
        stream.write_all(&signed.body.as_bytes()[..=BODY_LIMIT]).await.unwrap();
        let answer = until_closed(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
    }
    bot.settle().await;
    assert_eq!(opened_count(&bot).await, 0);
    let calls = bot.slack.calls();
    assert!(
        calls.iter().all(|c| c.method == "auth.test"),
        "no Slack call but auth.test: {:?}",
        calls.iter().map(|c| &c.method).collect::<Vec<_>>()
    );
}

/// A chunked body of exactly the bound is served: the bound refuses only what passes it.
#[tokio::test]
async fn a_chunked_body_of_exactly_the_bound_is_served() {
    let bot = spawn_bot().await;
    for (path, content_type, signed) in of_length(&bot, BODY_LIMIT) {
        let (head, tail) = signed.body.split_at(signed.body.len() / 2);
        let request = format!(
            "{}{:x}\r\n{head}\r\n{:x}\r\n{tail}\r\n0\r\n\r\n",
            chunked_head(path, content_type, &signed),
            head.len(),
            tail.len()
        );
        let mut stream = connect_and_send(&bot, request.as_bytes()).await;
        let answer = until_closed(&mut stream).await;
        let status = answer.lines().next().unwrap_or_default();
        assert_eq!(status, "HTTP/1.1 200 OK", "{path}");
    }
    bot.settle().await;
    assert_eq!(
        opened_count(&bot).await,
        2,
        "the command and the modal each opened a trouble"
    );
}
