//! The built binary as a child process: SIGKILL mid-delivery, SIGTERM with requests in
//! flight, and logs that never show a secret.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::Value;

const TOKEN: &str = "xoxb-super-secret-token-4242";

/// The release or debug binary cargo built for these tests, running `serve`.
struct BotProcess {
    child: Child,
    base_url: String,
    logs: Arc<Mutex<String>>,
    client: reqwest::Client,
}

impl BotProcess {
    fn start(dir: &Path, config: &str, slack_url: &str, rust_log: &str) -> BotProcess {
        Self::start_with(dir, config, slack_url, rust_log, None)
    }

    /// [`Self::start`], with no file of the bot's to grow past `file_kb` KB when given: a
    /// write past it fails (EFBIG) as on a full disk. The limit is set by the shell that then
    /// becomes the bot, which also ignores SIGXFSZ (it would kill the bot at the first such write).
    fn start_with(dir: &Path, config: &str, slack_url: &str, rust_log: &str, file_kb: Option<u64>) -> BotProcess {
        let config_path = dir.join("trouble.toml");
        std::fs::write(&config_path, config).unwrap();
        let mut command = match file_kb {
            None => Command::new(env!("CARGO_BIN_EXE_trouble-bot")),
            Some(kb) => {
                let mut limited = Command::new("sh");
                limited
                    .arg("-c")
                    .arg(format!("trap '' XFSZ; ulimit -f {kb}; exec \"$0\" \"$@\""))
                    .arg(env!("CARGO_BIN_EXE_trouble-bot"));
                limited
            }
        };
        let mut child = command
            .arg("serve")
            .env("SLACK_SIGNING_SECRET", SECRET)
            .env("SLACK_BOT_TOKEN", TOKEN)
            .env("SLACK_API_URL", slack_url)
            .env("TROUBLE_CONFIG", &config_path)
            .env("TROUBLE_DATA_DIR", dir.join("data"))
            .env("TROUBLE_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let logs = collect_stderr(&mut child);
        let addr = listening_address(&mut child, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("no address; logs:\n{}", logs.lock().unwrap()));
        BotProcess {
            child,
            base_url: format!("http://{addr}"),
            logs,
            client: http_client(),
        }
    }

    async fn command(&self, user: &str, channel: &str, text: &str) -> reqwest::Response {
        let form = slash_command_form(user, channel, text, "http://127.0.0.1:9/unused");
        post_signed_command(&self.client, &self.base_url, form)
            .await
            .expect("the bot answers")
    }

    fn kill_hard(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().unwrap();
    }

    /// SIGTERM, then the exit, polled rather than waited for: the fake Slack answers on this
    /// test's runtime, and the calls the bot has in flight at the signal must be answered for
    /// it to finish them (a blocked runtime left each to run out `slack_timeout`).
    async fn terminate(&mut self) -> std::process::ExitStatus {
        self.send_sigterm();
        let child = &mut self.child;
        eventually("the bot's exit after SIGTERM", Duration::from_secs(30), || {
            child.try_wait().expect("the bot's status")
        })
        .await
    }

    /// The whole log of an exited bot, once its reader has read the last line.
    async fn logs_at_exit(&self) -> String {
        eventually("the bot's stderr read to its end", Duration::from_secs(10), || {
            let logs = self.logs.lock().unwrap();
            logs.ends_with(STDERR_CLOSED).then(|| logs.clone())
        })
        .await
    }

    fn send_sigterm(&self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config() -> String {
    format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")
}

/// After a crash, a call that was in flight is looked for once `slack_timeout` has passed:
/// keep that short so restart tests settle quickly.
fn crash_config() -> String {
    format!("slack_timeout = \"2s\"\n{}", config())
}

/// [`crash_config`] with the shortest `slack_timeout` (1 s), so a restart waits out calls
/// left in flight a second sooner: for tests whose Slack answers well within it. Not for one
/// that holds its calls near the timeout on purpose, nor for the disk test, whose invitations
/// (no attempt on record) must not be retried after a timeout.
fn quick_crash_config() -> String {
    format!("slack_timeout = \"1s\"\n{}", config())
}

fn trouble_id_of(answer: &Value) -> String {
    answer["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn killed_mid_delivery_and_restarted_every_answered_open_has_one_channel_one_kickoff_one_dm() {
    let slack = FakeSlack::start().await;
    // Slack is slow, so deliveries are in flight when the kill comes.
    slack.delay("chat.postMessage", Duration::from_millis(250));
    slack.delay("conversations.create", Duration::from_millis(250));
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &quick_crash_config(), &slack.api_url(), "info");

    let ids = open_customers(&bot, 12).await;
    slack.wait_for_n("chat.postMessage", 10, |_| true).await;
    bot.kill_hard();

    slack.delay("chat.postMessage", Duration::ZERO);
    slack.delay("conversations.create", Duration::ZERO);
    let bot = BotProcess::start(dir.path(), &quick_crash_config(), &slack.api_url(), "info");
    wait_until_set_up(&slack, &ids).await;
    let list = bot.command(SALES, ORIGIN, "list").await.json::<Value>().await.unwrap();
    for id in &ids {
        assert!(
            list["text"].as_str().unwrap().contains(id.as_str()),
            "{id} answered, so it is stored"
        );
    }
    // Timers are intact: every trouble still has its escalation and follow-up timers.
    let mut bot = bot;
    assert!(bot.terminate().await.success());
    let store = trouble_bot::store::SledStore::open(&dir.path().join("data")).unwrap();
    assert!(
        store.timers_len() >= 2 * ids.len(),
        "{} timers for {} troubles",
        store.timers_len(),
        ids.len()
    );
}

fn run_cli(args: &[&str], config: &str, env: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trouble.toml");
    std::fs::write(&path, config).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_trouble-bot"));
    command
        .args(args)
        .env("TROUBLE_CONFIG", &path)
        .env("TROUBLE_DATA_DIR", dir.path().join("data"));
    command.env_remove("SLACK_SIGNING_SECRET").env_remove("SLACK_BOT_TOKEN");
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn check_config_lists_every_problem_at_once_and_serve_names_missing_credentials() {
    let (ok, text) = run_cli(
        &["check-config"],
        "locale = \"fr\"\nlisten = \"nowhere\"\n[severity.1]\nack_timeout = \"soon\"\ncolour = 1\n",
        &[],
    );
    assert!(!ok, "{text}");
    for problem in [
        "locale",
        "listen",
        "severity.1.ack_timeout",
        "severity.1.colour: unknown key",
    ] {
        assert!(text.contains(problem), "{problem} missing from:\n{text}");
    }
    let (ok, text) = run_cli(&["check-config"], &config(), &[]);
    assert!(ok, "{text}");
    assert!(
        text.contains("configuration OK") && text.contains("department +quality"),
        "{text}"
    );
    let (ok, text) = run_cli(&["serve"], &config(), &[]);
    assert!(!ok, "serve must refuse without credentials");
    assert!(
        text.contains("SLACK_SIGNING_SECRET") && text.contains("SLACK_BOT_TOKEN"),
        "{text}"
    );
}

/// Opens troubles for customers `CUST0`…: their ids, in order.
async fn open_customers(bot: &BotProcess, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let r = bot
            .command(SALES, ORIGIN, &format!("open CUST{i}: housing cracked"))
            .await;
        assert_eq!(r.status(), 200);
        ids.push(trouble_id_of(&r.json().await.unwrap()));
    }
    ids
}

/// Waits until every trouble `CUST<i>` is set up (both pins, the manager's DM), then checks
/// that each thing was done exactly once.
async fn wait_until_set_up(slack: &FakeSlack, ids: &[String]) {
    let mut expected = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let channel = loop_until_channel(slack, &format!("-cust{i}")).await;
        slack
            .wait_for_n("pins.add", 2, |c| c.params["channel"] == channel.as_str())
            .await;
        slack
            .wait_for("chat.postMessage", |c| {
                c.took_effect() && c.params["channel"] == MANAGER && speaks_of(&c.params, id)
            })
            .await;
        expected.push((id.clone(), format!("CUST{i}")));
    }
    assert_set_up_exactly_once(slack, &expected);
}

async fn loop_until_channel(slack: &FakeSlack, slug: &str) -> String {
    slack
        .wait_for("conversations.create", |c| {
            c.params["name"].as_str().is_some_and(|n| n.contains(slug))
        })
        .await;
    wait_until(|| {
        slack
            .channels()
            .into_iter()
            .find(|c| c.name.ends_with(slug))
            .map(|c| c.id)
    })
    .await
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_flushes_and_exits_zero() {
    let slack = FakeSlack::start().await;
    // `/trouble open` without text opens a modal inside the request: Slack holds it until the signal.
    slack.hold("views.open");
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "info");
    let opened = bot.command(SALES, ORIGIN, "open ACME: before the signal").await;
    let id = trouble_id_of(&opened.json().await.unwrap());
    let base = bot.base_url.clone();
    let in_flight = {
        let form = slash_command_form(SALES, ORIGIN, "open", "http://127.0.0.1:9/unused");
        tokio::spawn(async move {
            post_signed_command(&http_client(), &base, form)
                .await
                .map(|r| r.status().as_u16())
        })
    };
    slack.wait_held("views.open", |_| true).await;
    bot.send_sigterm();
    // The signal reached the bot before the modal's answer: the bot stops listening (a new
    // connection is refused) but finishes the request in flight.
    eventually("the bot stops listening after SIGTERM", Duration::from_secs(10), || {
        std::net::TcpStream::connect(bot.base_url.trim_start_matches("http://"))
            .is_err()
            .then_some(())
    })
    .await;
    slack.release("views.open");
    let status = bot.terminate().await;
    assert!(
        status.success(),
        "exit status {status:?}; logs:\n{}",
        bot.logs.lock().unwrap()
    );
    assert_eq!(
        in_flight.await.unwrap().expect("the in-flight request was answered"),
        200
    );
    // The store was flushed and released: it opens, and the trouble is there.
    let store = trouble_bot::store::SledStore::open(&dir.path().join("data")).unwrap();
    assert!(store
        .get(&trouble_bot::trouble::model::TroubleId::new(&id))
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn the_token_the_signing_secret_and_long_header_values_never_appear_in_logs() {
    let slack = FakeSlack::start().await;
    slack.fail_next("conversations.create", "missing_scope", 1);
    slack.fail_http_next("chat.postMessage", 500, 2);
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "debug");
    bot.command(SALES, ORIGIN, "open ACME: secrets").await;
    // A request with a bad signature is logged as rejected, without its 20 KB retry header.
    let r = http_client()
        .post(format!("{}/slack/commands", bot.base_url))
        .header("x-slack-request-timestamp", now_secs().to_string())
        .header("x-slack-signature", "v0=00")
        .header("x-slack-retry-num", "7".repeat(20 * 1024))
        .body("text=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    slack.wait_for_n("chat.postMessage", 3, |_| true).await;
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    assert!(
        logs.contains("Slack refused a call for good") || logs.contains("missing_scope"),
        "the failure is logged:\n{logs}"
    );
    assert!(
        !logs.contains(TOKEN) && !logs.contains("super-secret"),
        "token leaked:\n{logs}"
    );
    assert!(!logs.contains(SECRET), "signing secret leaked:\n{logs}");
    assert!(logs.contains("rejected an unsigned or badly signed request"), "{logs}");
    assert!(!logs.contains(&"7".repeat(100)), "a header value was logged whole");
}

/// How long [`held_way_to`] holds a post at most: under [`crash_config`]'s `slack_timeout`.
const HELD_AT_MOST: Duration = Duration::from_millis(1500);

/// A way to Slack on which every post after the first `free` waits until the test sends
/// `true` on the returned sender or [`HELD_AT_MOST`] has passed since it arrived, whichever is
/// first, and arrives even when the bot that sent it has died meanwhile (bytes already on the
/// wire); other calls, and every post after the release, go straight through. Returns its API
/// URL, the number of posts on their way, and the release.
async fn held_way_to(slack: &FakeSlack, free: usize) -> (String, Arc<AtomicUsize>, tokio::sync::watch::Sender<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let target = slack.api_url().trim_end_matches("/api/").to_string();
    let (client, in_flight) = (http_client(), Arc::new(AtomicUsize::new(0)));
    let (release, released) = tokio::sync::watch::channel(false);
    let (counter, posts) = (in_flight.clone(), Arc::new(AtomicUsize::new(0)));
    let relay = move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: axum::body::Bytes| {
        let (client, target, counter, posts) = (client.clone(), target.clone(), counter.clone(), posts.clone());
        let mut released = released.clone();
        async move {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let is_post = uri.path().ends_with("chat.postMessage");
            tokio::spawn(async move {
                if is_post {
                    counter.fetch_add(1, Ordering::SeqCst);
                    if posts.fetch_add(1, Ordering::SeqCst) >= free {
                        // Within slack_timeout (2 s) of its arrival, whatever the load: the bot
                        // promises to find only a post that reached Slack within its timeout; one
                        // held longer would be posted again by the product doing nothing wrong.
                        let _ = tokio::time::timeout(HELD_AT_MOST, released.wait_for(|released| *released)).await;
                    }
                }
                let mut request = client.post(format!("{target}{uri}")).body(body);
                for name in ["authorization", "content-type"] {
                    if let Some(v) = headers.get(name) {
                        request = request.header(name, v.clone());
                    }
                }
                let answer = match request.send().await {
                    Ok(r) => (r.status().as_u16(), r.bytes().await.unwrap_or_default()),
                    Err(_) => (502, Default::default()),
                };
                if is_post {
                    counter.fetch_sub(1, Ordering::SeqCst);
                }
                let _ = tx.send(answer);
            });
            let (status, body) = rx.await.unwrap_or((502, Default::default()));
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
        }
    };
    let router = axum::Router::new().fallback(relay);
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/api/"), in_flight, release)
}

#[tokio::test]
async fn killed_with_posts_still_on_their_way_to_slack_and_restarted_at_once_each_is_posted_once() {
    let slack = FakeSlack::start().await;
    // After the first four, posts are held on their way until the release or for 1.5 s, under
    // crash_config's 2 s slack_timeout, and reach Slack also after the bot that sent them died:
    // the posts in flight at the kill land once the restarted bot is already running (as 300 ms
    // late did in the original report), unless the load delays the restart past the 1.5 s.
    let (api_url, posts_in_flight, release) = held_way_to(&slack, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &crash_config(), &api_url, "info");
    let ids = open_customers(&bot, 10).await;
    slack.wait_for_n("chat.postMessage", 4, |_| true).await;
    eventually("posts on their way to Slack", Duration::from_secs(10), || {
        (posts_in_flight.load(Ordering::SeqCst) >= 2).then_some(())
    })
    .await;
    bot.kill_hard();
    let bot = BotProcess::start(dir.path(), &crash_config(), &api_url, "info");
    release.send_replace(true);
    wait_until_set_up(&slack, &ids).await;
    drop(bot);
}

/// A client that sent part of its headers, and one trickling a 1 MiB body.
async fn slow_clients(base_url: &str) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let addr = base_url.trim_start_matches("http://");
    let mut partial = tokio::net::TcpStream::connect(addr).await.unwrap();
    partial
        .write_all(b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut trickling = tokio::net::TcpStream::connect(addr).await.unwrap();
    trickling
        .write_all(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n{")
        .await
        .unwrap();
    vec![partial, trickling]
}

#[tokio::test]
async fn sigterm_with_slow_clients_connected_flushes_and_exits_zero_within_its_deadline() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    // The grace set short (a config key, 5 s unless set), so the cut-off is not waited out;
    // slack_timeout too, as the stop's deadline is the longer of the two.
    let config = format!("shutdown_grace = \"1s\"\nslack_timeout = \"1s\"\n{}", config());
    let mut bot = BotProcess::start(dir.path(), &config, &slack.api_url(), "info");
    let opened = bot.command(SALES, ORIGIN, "open ACME: before the signal").await;
    let id = trouble_id_of(&opened.json().await.unwrap());
    let _clients = slow_clients(&bot.base_url).await;
    // Connections are accepted in the order they arrived: once a later one is answered, the
    // slow ones are the server's (else a signal before their accept would leave nothing to
    // cut off).
    let later = http_get(format!("{}/healthz", bot.base_url)).await.unwrap();
    assert!(later.status().is_success());
    bot.send_sigterm();
    // The slow clients stay connected; the bot must not wait for them forever.
    let exit = eventually("the bot exits after SIGTERM", Duration::from_secs(40), || {
        bot.child.try_wait().unwrap()
    })
    .await;
    assert!(
        exit.success(),
        "exit status {exit:?}; logs:\n{}",
        bot.logs.lock().unwrap()
    );
    let logs = bot.logs_at_exit().await;
    assert!(logs.contains("cutting off clients"), "{logs}");
    assert!(
        logs.contains("grace=1s"),
        "the configured grace, not the default: {logs}"
    );
    let store = trouble_bot::store::SledStore::open(&dir.path().join("data")).unwrap();
    assert!(store
        .get(&trouble_bot::trouble::model::TroubleId::new(&id))
        .unwrap()
        .is_some());
}

#[cfg(unix)]
#[test]
fn the_data_directory_is_created_readable_by_the_bot_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    trouble_bot::store::SledStore::open(&data).unwrap();
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{mode:o}");
}

/// The binary allocates with jemalloc and its settings (src/allocator.rs): jemalloc prints
/// its options at exit when asked to, and a binary on another allocator, or one whose
/// settings symbol the linker dropped, prints other lines or none.
#[test]
fn the_binary_runs_on_jemalloc_with_huge_pages_off_and_freed_pages_returned_by_its_thread_within_a_second() {
    let (ok, text) = run_cli(&["--version"], "", &[("_RJEM_MALLOC_CONF", "stats_print:true")]);
    assert!(ok, "{text}");
    for option in [
        "opt.thp: \"never\"",
        "opt.dirty_decay_ms: 1000 ",
        "opt.muzzy_decay_ms: 0 ",
        "opt.background_thread: true ",
    ] {
        assert!(
            text.contains(option),
            "{option} missing from jemalloc's statistics:\n{text}"
        );
    }
}

/// How the bot answers a request it could not save for sure, its disk refusing writes.
const NOT_SAVED: &str = "This could not be saved for sure: the bot cannot write to its disk right now, and nobody will hear of it from the bot until it is restarted. Tell your manager yourself";

/// Opens troubles for customers `CUST0`… until the bot cannot save one: the ids of those it
/// answered as opened, and the answer that was not.
async fn open_until_refused(bot: &BotProcess) -> (Vec<String>, String) {
    let mut ids = Vec::new();
    loop {
        assert!(ids.len() < 2000, "the disk never refused");
        let r = bot
            .command(SALES, ORIGIN, &format!("open CUST{}: housing cracked", ids.len()))
            .await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        let text = answer["text"].as_str().unwrap();
        if !text.contains("Your manager is being told by DM") {
            assert!(!ids.is_empty(), "some opens were saved before the disk refused: {text}");
            return (ids, text.to_string());
        }
        ids.push(trouble_id_of(&answer));
    }
}

/// The disk refuses the bot's writes partway through a burst of opens (a file size limit, as a
/// full disk would). The open that could not be saved, and every request after it, is told
/// so, with what to do instead: nobody heard of it from the bot. /healthz and /metrics say the
/// store stopped, and no Slack call is made that could not be recorded: before, the deliverer
/// made such calls over and over, a channel created again under a new name each time
/// (~3,000 `conversations.create` for 140 names in 3 s). After a restart with room on disk,
/// every answered open is set up exactly once.
#[tokio::test]
async fn a_disk_refusing_writes_stops_the_bot_saying_so_and_a_restart_sets_up_every_answered_open_once() {
    let slack = FakeSlack::start().await;
    // Invitations in flight when the disk refuses: their answers come after it, and cannot be
    // recorded (an invitation, unlike a post, marks no attempt before it is made).
    slack.delay("conversations.invite", Duration::from_millis(200));
    let dir = tempfile::tempdir().unwrap();
    // Room for some tens of opens with their deliveries (~15 KB written each).
    let mut bot = BotProcess::start_with(dir.path(), &crash_config(), &slack.api_url(), "info", Some(1024));
    let (ids, refusal) = open_until_refused(&bot).await;
    assert!(refusal.starts_with(NOT_SAVED), "{refusal}");
    // Every later request is refused the same way (and the stopped bot's lanes, meanwhile,
    // have time to show that they make no call).
    for i in 0..30 {
        let again = bot
            .command(SALES, ORIGIN, &format!("open LATER{i}: after the failure"))
            .await;
        let again: Value = again.json().await.unwrap();
        assert!(again["text"].as_str().unwrap().starts_with(NOT_SAVED), "{again}");
    }
    let health = http_get(format!("{}/healthz", bot.base_url)).await.unwrap();
    assert_eq!(health.status(), 503);
    assert!(health.text().await.unwrap().contains("restart the bot"));
    let metrics = metrics_at(&bot.base_url).await;
    assert!(metrics.contains("\ntrouble_bot_store_writes_halted 1\n"), "{metrics}");
    bot.kill_hard();

    slack.delay("conversations.invite", Duration::ZERO);
    let bot = BotProcess::start(dir.path(), &crash_config(), &slack.api_url(), "info");
    wait_until_set_up(&slack, &ids).await;
    // A call the stopped bot made could not be recorded, so the restart makes it again: twice
    // at most. Before, each lane made its head's call over and over until the bot was killed
    // (~1,000 invitations a second).
    let (channels, invites) = (slack.channels(), slack.calls_to("conversations.invite"));
    for id in &ids {
        let named: Vec<_> = channels
            .iter()
            .filter(|c| c.name.starts_with(&format!("trouble-{id}-")))
            .collect();
        assert_eq!(named.len(), 1, "{id} has one channel in Slack, not one per attempt");
        let invited = invites
            .iter()
            .filter(|c| c.params["channel"] == named[0].id.as_str())
            .count();
        assert!(invited <= 2, "{id}'s channel had {invited} invitations");
    }
    let health = http_get(format!("{}/healthz", bot.base_url)).await.unwrap();
    assert_eq!(health.status(), 200);
}

/// An escalation due while the disk refuses writes is neither fired nor dropped: the timer
/// loop waits for the restart (before, it tried the same timers over and over), and after it
/// every unacknowledged trouble goes up the chain.
#[tokio::test]
async fn an_escalation_due_while_the_disk_refuses_writes_goes_up_the_chain_after_the_restart() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "slack_timeout = \"1s\"\n{BASE_CONFIG}\n{}",
        DEFAULT_SEVERITIES.replace("ack_timeout = \"1h\"", "ack_timeout = \"2s\"")
    );
    let mut bot = BotProcess::start_with(dir.path(), &config, &slack.api_url(), "info", Some(1024));
    let (ids, refusal) = open_until_refused(&bot).await;
    assert!(refusal.starts_with(NOT_SAVED), "{refusal}");
    let waiting = "timers wait for a restart: the store stopped writing";
    eventually("the timer loop waits for the restart", Duration::from_secs(20), || {
        bot.logs.lock().unwrap().contains(waiting).then_some(())
    })
    .await;
    let logs = bot.logs.lock().unwrap().clone();
    assert_eq!(logs.matches(waiting).count(), 1, "{logs}");
    assert!(!logs.contains("timer failed"), "{logs}");
    bot.kill_hard();

    let _bot = BotProcess::start(dir.path(), &config, &slack.api_url(), "info");
    for i in 0..ids.len() {
        let channel = loop_until_channel(&slack, &format!("-cust{i}")).await;
        slack
            .wait_for("chat.postMessage", |c| {
                c.params["channel"] == channel.as_str()
                    && c.params["text"].as_str().is_some_and(|t| t.contains("<@U0DIRECTOR>"))
            })
            .await;
    }
}

#[tokio::test]
async fn a_request_from_another_workspace_is_refused_and_logged_once_naming_both_teams() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!("team_id = \"T0MINE\"\n{}", config());
    let mut bot = BotProcess::start(dir.path(), &config, &slack.api_url(), "info");
    for _ in 0..3 {
        assert_eq!(bot.command(SALES, ORIGIN, "list").await.status(), 403);
    }
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    let line = "refused a request from another workspace with 403: team_id is T0MINE but the request is from T0TEAM";
    assert_eq!(
        logs.matches(line).count(),
        1,
        "one line for the team, not one per request:\n{logs}"
    );
    assert!(logs.contains("WARN"), "{logs}");
}

#[tokio::test]
async fn a_bad_signature_is_a_warning_with_what_to_check_once_a_minute_and_each_request_stays_at_info() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "info");
    for _ in 0..3 {
        let r = http_client()
            .post(format!("{}/slack/commands", bot.base_url))
            .header("x-slack-request-timestamp", now_secs().to_string())
            .header("x-slack-signature", "v0=00")
            .body("text=x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    let hint = "check SLACK_SIGNING_SECRET matches the app's Signing Secret";
    assert_eq!(logs.matches(hint).count(), 1, "once, not per request:\n{logs}");
    assert!(logs.lines().any(|l| l.contains(hint) && l.contains("WARN")), "{logs}");
    assert_eq!(
        logs.matches("rejected an unsigned or badly signed request").count(),
        3,
        "{logs}"
    );
}

#[tokio::test]
async fn a_refused_bot_token_is_logged_naming_the_variable_that_sets_it() {
    let slack = FakeSlack::start().await;
    slack.refuse_token(Some("invalid_auth"));
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "info");
    eventually("the refusal in the log", Duration::from_secs(20), || {
        bot.logs
            .lock()
            .unwrap()
            .contains("Slack refuses the bot token")
            .then_some(())
    })
    .await;
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    let line = logs
        .lines()
        .find(|l| l.contains("Slack refuses the bot token"))
        .unwrap();
    assert!(
        line.contains("SLACK_BOT_TOKEN environment variable") && !line.contains("bot_token "),
        "the log names a key that does not exist: {line}"
    );
}

#[tokio::test]
async fn the_log_says_at_start_what_the_bot_reads_and_serves_and_at_the_end_that_it_stopped() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "info");
    assert!(bot.terminate().await.success());
    let logs = bot.logs_at_exit().await;
    let start = logs
        .lines()
        .find(|l| l.contains("for Slack's requests over HTTP (/slack/commands, /slack/events, /slack/interactions)"))
        .unwrap_or_else(|| panic!("no start line:\n{logs}"));
    let data = dir.path().join("data");
    for part in [
        format!("config_file={}", dir.path().join("trouble.toml").display()),
        format!("store=sled in {}", data.display()),
        "trouble-bot listening on 127.0.0.1:".to_string(),
    ] {
        assert!(start.contains(&part), "{part:?} missing from: {start}");
    }
    let last = logs.lines().rev().find(|l| !l.starts_with("--")).unwrap_or_default();
    assert!(last.contains("trouble-bot stopped; the store is flushed"), "{logs}");
}

/// A command as Slack sends it, with the `response_url` and `trigger_id` given (both are
/// bearer credentials of a sort: whoever holds them may answer in the user's name).
async fn command_with(bot: &BotProcess, user: &str, channel: &str, text: &str, response_url: &str, trigger: &str) {
    let form = serde_urlencoded::to_string([
        ("team_id", "T0TEAM"),
        ("channel_id", channel),
        ("user_id", user),
        ("command", "/trouble"),
        ("text", text),
        ("response_url", response_url),
        ("trigger_id", trigger),
    ])
    .unwrap();
    let r = post_signed_command(&bot.client, &bot.base_url, form).await.unwrap();
    assert_eq!(r.status(), 200, "{text}");
}

#[tokio::test]
async fn a_whole_trouble_with_failures_logs_at_the_default_level_no_word_a_customer_or_colleague_wrote() {
    const CUSTOMER: &str = "Qzvcorp";
    const SUMMARY: &str = "lawsuit-threat over dented housings";
    const NOTE: &str = "confided their plant manager was fired";
    const UPDATE: &str = "told them the recall costs them nothing";
    const LOT: &str = "LOTQX-991";
    const REASON: &str = "settled out of court quietly";
    const RESPONSE_URL: &str = "http://127.0.0.1:9/commands/T0TEAM/77/bearerxyzzy";
    const TRIGGER: &str = "4242.77.triggerplugh";
    let slack = FakeSlack::start().await;
    // The origin channel refuses the notice: the reporter is told through the response_url,
    // which does not answer either.
    slack.set_not_in_channel(ORIGIN);
    slack.fail_next("views.open", "expired_trigger_id", 1);
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "");
    command_with(&bot, SALES, ORIGIN, "open", RESPONSE_URL, TRIGGER).await;
    command_with(
        &bot,
        SALES,
        ORIGIN,
        &format!("open sev1 {CUSTOMER}: {SUMMARY}"),
        RESPONSE_URL,
        TRIGGER,
    )
    .await;
    let channel = loop_until_channel(&slack, "-qzvcorp").await;
    slack
        .wait_for_n("pins.add", 2, |c| c.params["channel"] == channel.as_str())
        .await;
    // A post Slack refuses for good, one it fails once, an edit it refuses.
    slack.fail_next("chat.postMessage", "msg_too_long", 1);
    command_with(&bot, SALES, &channel, &format!("note {NOTE}"), RESPONSE_URL, TRIGGER).await;
    slack.fail_http_next("chat.postMessage", 500, 1);
    slack.fail_next("chat.update", "cant_update_message", 1);
    for text in [
        format!("update {UPDATE}"),
        format!("fact lot {LOT}"),
        format!("search {SUMMARY}"),
        format!("history {CUSTOMER}"),
        "list".into(),
        format!("bogus {NOTE}"),
    ] {
        command_with(&bot, SALES, &channel, &text, RESPONSE_URL, TRIGGER).await;
    }
    command_with(
        &bot,
        MANAGER,
        &channel,
        &format!("close force {REASON}"),
        RESPONSE_URL,
        TRIGGER,
    )
    .await;
    // Someone forges a command carrying the same words: refused for its signature.
    let forged = http_client()
        .post(format!("{}/slack/commands", bot.base_url))
        .header("x-slack-request-timestamp", now_secs().to_string())
        .header("x-slack-signature", "v0=00")
        .body(format!("text=note+{NOTE}&response_url={RESPONSE_URL}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == channel.as_str() && c.params.to_string().contains(REASON)
        })
        .await;
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    assert!(
        logs.contains("Slack refused a call for good"),
        "the failures are logged:\n{logs}"
    );
    let lower = logs.to_lowercase();
    for secret in [
        CUSTOMER,
        SUMMARY,
        NOTE,
        UPDATE,
        LOT,
        REASON,
        "bearerxyzzy",
        "triggerplugh",
        "dented",
        "fired",
    ] {
        assert!(
            !lower.contains(&secret.to_lowercase()),
            "{secret:?} is in the log:\n{logs}"
        );
    }
}

/// A record damaged so that a customer's words stand where the bot expects a word of its own
/// (a torn write, a hand edit, a newer release): the bot logs that it does not read, naming
/// the trouble and the field's trouble, but not the words, which the decode error quotes.
/// `verify`, run by the admin on the store itself, still shows them.
#[tokio::test]
async fn a_record_that_does_not_read_is_logged_without_the_words_it_holds() {
    const SUMMARY: &str = "lawsuit-threat over dented housings";
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "");
    let id = trouble_id_of(
        &bot.command(SALES, ORIGIN, &format!("open Qzvcorp: {SUMMARY}"))
            .await
            .json()
            .await
            .unwrap(),
    );
    let channel = loop_until_channel(&slack, "-qzvcorp").await;
    slack
        .wait_for_n("pins.add", 2, |c| c.params["channel"] == channel.as_str())
        .await;
    bot.terminate().await;
    let damaged = serde_json::json!({"id": id, "customer": "Qzvcorp", "stages": [{"state": SUMMARY}]});
    overwrite_trouble(&dir.path().join("data"), &id, damaged.to_string().as_bytes()).await;
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "");
    for ask in ["list", "history Qzvcorp", "search dented"] {
        bot.command(SALES, ORIGIN, ask).await;
    }
    let r = bot.command(SALES, &channel, "note more").await;
    assert_eq!(r.status(), 200);
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    assert!(
        logs.contains("does not read") && logs.contains(&id),
        "the damage is logged:\n{logs}"
    );
    assert!(!logs.contains("dented"), "the summary is in the log:\n{logs}");
}

/// A data directory made by hand with a umask of 022 lets every local user read the store:
/// the bot says so at start, with what to do, and leaves the admin's directory as it is. One
/// the bot made itself (0700) brings no such line.
#[cfg(unix)]
#[tokio::test]
async fn a_data_directory_others_may_read_is_a_warning_at_start() {
    use std::os::unix::fs::PermissionsExt;
    const SAID: &str = "the data directory lets other users in";
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut bot = BotProcess::start(dir.path(), &config(), &slack.api_url(), "");
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    assert!(
        logs.contains(SAID) && logs.contains("chmod 700") && logs.contains("755"),
        "{logs}"
    );
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755, "the admin's directory is left as it is");

    let fresh = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::start(fresh.path(), &config(), &slack.api_url(), "");
    bot.terminate().await;
    let logs = bot.logs_at_exit().await;
    assert!(!logs.contains(SAID), "{logs}");
}
