//! The bot's log: a line logged while serving a request names the request, in the text and the
//! JSON format. A binary of its own, as tracing decides once for every thread whether a line is
//! wanted: a test elsewhere logging the same line with no subscriber of its own would switch it
//! off for this one.

mod common;

use common::*;
use trouble_bot::config::Config;
use trouble_bot::logs::{subscriber, tagged, RequestTag};

/// What the bot logs while serving a request names the request (its id, path and Slack's retry
/// number), so one request can be followed through the log: the bot's own log format, with the
/// tag the server puts on each request.
#[tokio::test]
async fn a_line_logged_while_serving_a_request_names_the_request() {
    let lines = Lines::default();
    let out = lines.clone();
    let subscriber = subscriber(&Config::default(), move || out.clone());
    // This test's runtime runs the bot on this thread, so its lines reach this subscriber alone.
    let _logging = tracing::dispatcher::set_default(&subscriber);
    let bot = spawn_bot().await;
    let unsigned = bot
        .post_raw(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            bot.command_form(SALES, ORIGIN, "help").into_bytes(),
            &[("x-slack-retry-num", "2")],
        )
        .await;
    assert_eq!(unsigned.status(), 401);
    let log = lines.text();
    let line = log
        .lines()
        .find(|l| l.contains("rejected an unsigned or badly signed request"))
        .unwrap_or_else(|| panic!("no line for the refusal in:\n{log}"));
    assert!(
        line.contains(" request{id=") && line.ends_with(" path=/slack/commands slack_retry=2}"),
        "{line}"
    );
}

/// A body over the 1 MiB bound is refused with 413 and a line at INFO naming the request, as
/// the 408 and the 401 are: declared too long up front, or found so as its chunks come. It is
/// no verified request of Slack's, so /metrics counts it under no route.
#[tokio::test]
async fn a_body_refused_as_too_large_is_logged_with_its_request_and_counted_nowhere() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let lines = Lines::default();
    let out = lines.clone();
    let subscriber = subscriber(&Config::default(), move || out.clone());
    let _logging = tracing::dispatcher::set_default(&subscriber);
    let bot = spawn_bot().await;
    let limit = trouble_bot::http::BODY_LIMIT;
    let declared = format!(
        "POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        limit + 1
    );
    // One chunk longer than the bound, of which one byte past it is sent (never finished).
    let chunked = format!(
        "POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}",
        limit + 10,
        "a".repeat(limit + 1)
    );
    for request in [declared, chunked] {
        let mut stream = tokio::net::TcpStream::connect(bot.base_url.trim_start_matches("http://"))
            .await
            .unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut answer))
            .await
            .expect("the connection is closed")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }
    let log = lines.text();
    let refused: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("refused a body over the bound with 413") && l.contains("bound=1048576"))
        .collect();
    assert_eq!(refused.len(), 2, "{log}");
    assert!(
        refused[0].contains(" INFO ") && refused[0].contains(" path=/slack/commands "),
        "{}",
        refused[0]
    );
    assert!(refused[1].contains(" path=/slack/events "), "{}", refused[1]);
    let metrics = metrics_at(&bot.base_url).await;
    assert!(
        !metrics.lines().any(|l| l.starts_with("trouble_bot_requests_total{")),
        "{metrics}"
    );
}

/// With `team_id` naming an Enterprise Grid org (`E…`), a request refused with 403 is logged
/// naming both the request's workspace and its org (or that it has none): the org alone would
/// be "(none)" for every workspace not on Grid, and say nothing of where the request came from.
#[tokio::test]
async fn a_request_refused_for_another_org_is_logged_naming_its_workspace_and_org() {
    let lines = Lines::default();
    let out = lines.clone();
    let subscriber = subscriber(&Config::default(), move || out.clone());
    let _logging = tracing::dispatcher::set_default(&subscriber);
    let bot = spawn_bot_raw(&format!("team_id = \"E0ORG\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let form = bot.command_form(SALES, ORIGIN, "list");
    for form in [form.clone(), format!("{form}&enterprise_id=E0OTHER")] {
        let r = bot
            .post_signed("/slack/commands", "application/x-www-form-urlencoded", &form)
            .await;
        assert_eq!(r.status(), 403);
    }
    let log = lines.text();
    for from in ["T0TEAM (no org)", "T0TEAM (E0OTHER)"] {
        let line = format!("team_id is E0ORG but the request is from {from};");
        assert!(log.contains(&line), "no {line:?} in:\n{log}");
    }
}

/// Slack saying it dropped the app's events for a minute (`app_rate_limited`) is logged as a
/// warning naming that minute, and counted in `/metrics`: the acknowledgements of that minute
/// never arrive, and the operator would otherwise see nothing.
#[tokio::test]
async fn events_slack_dropped_for_a_minute_are_logged_with_the_minute_and_counted() {
    let lines = Lines::default();
    let out = lines.clone();
    let subscriber = subscriber(&Config::default(), move || out.clone());
    let _logging = tracing::dispatcher::set_default(&subscriber);
    let bot = spawn_bot().await;
    // As Slack documents it (docs.slack.dev, the Events API's rate limits).
    let limited = serde_json::json!({"token": "legacy", "type": "app_rate_limited", "team_id": "T0TEAM",
        "minute_rate_limited": 1_800_000_000, "api_app_id": "A0APP"});
    assert_eq!(bot.event(&limited, None).await.status(), 200);
    let log = lines.text();
    assert!(
        log.lines()
            .any(|l| l.contains("WARN") && l.contains("app_rate_limited") && l.contains("2027-01-15T08:00:00+00:00")),
        "{log}"
    );
    let metrics = metrics_at(&bot.base_url).await;
    assert!(
        metrics.contains("\ntrouble_bot_events_rate_limited_total 1\n"),
        "{metrics}"
    );
}

/// What the bot's log format (JSON with `json`) prints of a line logged while serving the
/// request `tag`, or outside any request.
fn printed(json: bool, tag: Option<RequestTag>) -> String {
    let lines = Lines::default();
    let out = lines.clone();
    let config = Config {
        log_json: json,
        ..Config::default()
    };
    let log = || tracing::info!(answer = 42, "something happened");
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    tracing::dispatcher::with_default(&subscriber(&config, move || out.clone()), || {
        runtime.block_on(async {
            match tag {
                Some(tag) => tagged(tag, async { log() }).await,
                None => log(),
            }
        })
    });
    lines.text()
}

#[test]
fn a_line_printed_while_serving_a_request_names_the_request_with_its_client_values_bounded() {
    let long_retry = "7".repeat(100);
    let tag = RequestTag::new(7, b"/slack/\x1bcommands", Some(long_retry.as_bytes()));
    let line = printed(false, Some(tag));
    assert!(line.contains("something happened"), "{line}");
    assert!(
        line.contains("request{id=7 path=/slack/?commands slack_retry="),
        "{line}"
    );
    assert!(!line.contains(&long_retry) && line.contains('…'), "{line}");
    let line = printed(true, Some(tag));
    let value: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON object");
    assert_eq!(value["request"]["id"], 7);
    assert_eq!(value["request"]["path"], "/slack/?commands");
    assert_eq!(value["fields"]["answer"], 42);
}

#[test]
fn a_line_printed_outside_any_request_is_the_plain_format() {
    let line = printed(false, None);
    assert!(
        line.contains("something happened") && !line.contains("request{"),
        "{line}"
    );
    let value: serde_json::Value = serde_json::from_str(printed(true, None).trim()).unwrap();
    assert!(value.get("request").is_none());
}

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Lines {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
