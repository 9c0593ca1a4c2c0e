//! The bot's log: a line logged while serving a request names the request. A binary of its own,
//! as tracing decides once for every thread whether a line is wanted: a test elsewhere logging the
//! same line with no subscriber of its own would switch it off for this one.

mod common;

use common::*;

/// What the bot logs while serving a request names the request (its id, path and Slack's retry
/// number), so one request can be followed through the log: the bot's own log format, with the
/// tag the server puts on each request.
#[tokio::test]
async fn a_line_logged_while_serving_a_request_names_the_request() {
    let lines = Lines::default();
    let out = lines.clone();
    let subscriber = trouble_bot::logs::subscriber(&trouble_bot::config::Config::default(), move || out.clone());
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
    let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("rejected an unsigned or badly signed request"))
        .unwrap_or_else(|| panic!("no line for the refusal in:\n{log}"));
    assert!(
        line.contains(" request{id=") && line.ends_with(" path=/slack/commands slack_retry=2}"),
        "{line}"
    );
}

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
