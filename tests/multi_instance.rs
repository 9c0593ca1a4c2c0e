//! Two instances of the built binary on one PostgreSQL database with the fake Slack: work
//! spreads over both and is done once, and what a killed instance held passes to the other.

mod common;
mod pg;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use fake_slack::Fault;
use serde_json::{json, Value};
use trouble_bot::slack::signature::sign;

/// A short Slack timeout keeps the claim lease (timeout + longest backoff + 2 s) short.
fn config(extra: &str) -> String {
    format!("slack_timeout = \"1s\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}\n{extra}")
}

/// A severity whose acknowledgement is due seconds after opening.
const QUICK_ACK: &str = "[severity.4]\nack_timeout = \"8s\"\ncustomer_update_every = \"4h\"\n";

/// One `trouble-bot serve` on the shared database.
struct Instance {
    child: Child,
    base_url: String,
    client: reqwest::Client,
}

impl Instance {
    fn start(dir: &Path, database_url: &str, slack_url: &str, extra: &str) -> Instance {
        std::fs::create_dir_all(dir).unwrap();
        let config_path = dir.join("trouble.toml");
        std::fs::write(&config_path, config(extra)).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
            .arg("serve")
            .env("SLACK_SIGNING_SECRET", SECRET)
            .env("SLACK_BOT_TOKEN", "xoxb-multi-instance")
            .env("SLACK_API_URL", slack_url)
            .env("TROUBLE_CONFIG", &config_path)
            .env("TROUBLE_DATA_DIR", dir.join("data"))
            .env("DATABASE_URL", database_url)
            .env("TROUBLE_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("trouble-bot listening on ") {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).expect("the instance listens");
        Instance {
            child,
            base_url: format!("http://{addr}"),
            client: reqwest::Client::new(),
        }
    }

    /// Opens a trouble for `customer` (options such as `sev4` may come first): its id.
    async fn open(&self, customer: &str) -> String {
        let form = slash_command_form(
            SALES,
            ORIGIN,
            &format!("open {customer}: housing cracked"),
            "http://127.0.0.1:9/unused",
        );
        let answer: Value = post_signed_command(&self.client, &self.base_url, form)
            .await
            .expect("the instance answers")
            .json()
            .await
            .unwrap();
        answer["text"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    }

    async fn event(&self, body: &Value) -> u16 {
        let body = body.to_string();
        let ts = now_secs().to_string();
        self.client
            .post(format!("{}/slack/events", self.base_url))
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", &ts)
            .header("x-slack-signature", sign(SECRET, &ts, body.as_bytes()))
            .body(body)
            .send()
            .await
            .expect("the instance answers")
            .status()
            .as_u16()
    }

    fn kill_hard(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().unwrap();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until trouble `customer` has its channel, both pins and the manager's DM.
async fn wait_set_up(slack: &FakeSlack, id: &str, customer: &str) {
    let slug = format!("-{}", customer.to_lowercase());
    let channel = eventually("the trouble's channel", Duration::from_secs(60), || {
        slack
            .channels()
            .into_iter()
            .find(|c| c.name.ends_with(&slug))
            .map(|c| c.id)
    })
    .await;
    eventually("both pins", Duration::from_secs(60), || {
        (slack.pins(&channel).len() >= 2).then_some(())
    })
    .await;
    let dm = format!("Trouble {id}:");
    eventually("the manager's DM", Duration::from_secs(60), || {
        slack
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| {
                c.took_effect()
                    && c.params["channel"] == MANAGER
                    && c.params["text"].as_str().is_some_and(|t| t.starts_with(&dm))
            })
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn opens_spread_over_two_instances_under_slack_faults_get_one_channel_kickoff_status_and_dm_each() {
    let slack = FakeSlack::start().await;
    slack.seed(7);
    for method in ["chat.postMessage", "conversations.create", "pins.add"] {
        slack.set_fault_rate(method, 0.2, &[Fault::Http500, Fault::TransientOk, Fault::RateLimited]);
    }
    let url = pg::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let a = Instance::start(&dir.path().join("a"), &url, &slack.api_url(), "");
    let b = Instance::start(&dir.path().join("b"), &url, &slack.api_url(), "");
    let mut opened = Vec::new();
    for i in 0..6 {
        let customer = format!("CUST{i}");
        let instance = if i % 2 == 0 { &a } else { &b };
        opened.push((instance.open(&customer).await, customer));
    }
    let ids: std::collections::HashSet<_> = opened.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids.len(), opened.len(), "every open got its own number: {opened:?}");
    for (id, customer) in &opened {
        wait_set_up(&slack, id, customer).await;
    }
    slack.clear_faults();
    assert_set_up_exactly_once(&slack, &opened);
    // `verify` reads the shared database beside the running instances.
    let verify = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .arg("verify")
        .env("TROUBLE_CONFIG", dir.path().join("a").join("trouble.toml"))
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{out}");
    assert!(out.contains("6 troubles checked, 0 broken"), "{out}");
}

#[tokio::test]
async fn the_same_slack_event_delivered_to_both_instances_is_handled_once() {
    let slack = FakeSlack::start().await;
    let url = pg::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let a = Instance::start(&dir.path().join("a"), &url, &slack.api_url(), "");
    let b = Instance::start(&dir.path().join("b"), &url, &slack.api_url(), "");
    let event = json!({
        "type": "event_callback",
        "event_id": "Ev0HOME1",
        "event": {"type": "app_home_opened", "user": SALES, "tab": "home"}
    });
    let (x, y) = tokio::join!(a.event(&event), b.event(&event));
    assert_eq!((x, y), (200, 200));
    slack.wait_for("views.publish", |c| c.params["user_id"] == SALES).await;
    slack
        .expect_none(
            "views.publish",
            {
                let first = slack.calls_to("views.publish")[0].seq;
                move |c| c.seq > first
            },
            Duration::from_secs(2),
        )
        .await;
}

#[tokio::test]
async fn an_instance_killed_mid_delivery_leaves_its_claimed_calls_to_the_other_after_the_lease() {
    let slack = FakeSlack::start().await;
    // Slow enough that the kill comes while A holds calls, some in flight.
    slack.delay("conversations.create", Duration::from_millis(800));
    let url = pg::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let mut a = Instance::start(&dir.path().join("a"), &url, &slack.api_url(), "");
    let mut opened = Vec::new();
    for i in 0..3 {
        let customer = format!("KILL{i}");
        opened.push((a.open(&customer).await, customer));
    }
    slack.wait_for("conversations.create", |_| true).await;
    a.kill_hard();
    slack.delay("conversations.create", Duration::ZERO);
    let _b = Instance::start(&dir.path().join("b"), &url, &slack.api_url(), "");
    for (id, customer) in &opened {
        wait_set_up(&slack, id, customer).await;
    }
    assert_set_up_exactly_once(&slack, &opened);
}

#[tokio::test]
async fn an_ack_timer_due_while_one_instance_is_down_fires_once_on_the_other() {
    let slack = FakeSlack::start().await;
    let url = pg::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let mut a = Instance::start(&dir.path().join("a"), &url, &slack.api_url(), QUICK_ACK);
    let _b = Instance::start(&dir.path().join("b"), &url, &slack.api_url(), QUICK_ACK);
    let id = a.open("sev4 TIMER0").await;
    wait_set_up(&slack, &id, "TIMER0").await;
    a.kill_hard();
    let escalated = eventually("the escalation to the director", Duration::from_secs(60), || {
        slack
            .calls_to("chat.postMessage")
            .into_iter()
            .find(|c| c.took_effect() && c.params["channel"] == DIRECTOR)
    })
    .await;
    assert!(
        escalated.params.to_string().contains(id.as_str()),
        "{}",
        escalated.params
    );
    slack
        .expect_none(
            "chat.postMessage",
            move |c| c.params["channel"] == DIRECTOR && c.seq > escalated.seq,
            Duration::from_secs(3),
        )
        .await;
}
