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
