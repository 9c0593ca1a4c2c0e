//! Self-test of the fake Slack server in tests/common/fake_slack.rs, driven over real HTTP with reqwest.

#[path = "common/fake_slack.rs"]
mod fake_slack;

use std::time::{Duration, Instant};

use fake_slack::FakeSlack;
use serde_json::{json, Value};

const TOKEN: &str = "Bearer xoxb-test-token";

async fn call(fake: &FakeSlack, method: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}{method}", fake.api_url()))
        .header("Authorization", TOKEN)
        .json(&body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json body")
}

#[tokio::test]
async fn create_channel_then_name_taken_and_invite() {
    let fake = FakeSlack::start().await;
    let created = call(
        &fake,
        "conversations.create",
        json!({"name": "trouble-0001", "is_private": true}),
    )
    .await;
    assert_eq!(created["ok"], true);
    assert_eq!(created["channel"]["id"], "C0000001");
    assert_eq!(created["channel"]["is_private"], true);

    let again = call(&fake, "conversations.create", json!({"name": "trouble-0001"})).await;
    assert_eq!(again, json!({"ok": false, "error": "name_taken"}));
    fake.take_name("reserved");
    let taken = call(&fake, "conversations.create", json!({"name": "reserved"})).await;
    assert_eq!(taken["error"], "name_taken");
    let bad = call(&fake, "conversations.create", json!({"name": "Has Caps"})).await;
    assert_eq!(bad["error"], "invalid_name_specials");
    let long = call(&fake, "conversations.create", json!({"name": "a".repeat(81)})).await;
    assert_eq!(long["error"], "invalid_name_maxlength");
    assert_eq!(fake.channels().len(), 1);

    // Form-encoded bodies are accepted too (Slack takes both).
    let invited: Value = reqwest::Client::new()
        .post(format!("{}conversations.invite", fake.api_url()))
        .header("Authorization", TOKEN)
        .form(&[("channel", "C0000001"), ("users", "U1,U2")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(invited["ok"], true);
    assert_eq!(fake.members("C0000001"), vec!["UBOT", "U1", "U2"]);
    let many: Vec<String> = (0..101).map(|i| format!("U{i}")).collect();
    let too_many = call(
        &fake,
        "conversations.invite",
        json!({"channel": "C0000001", "users": many.join(",")}),
    )
    .await;
    assert_eq!(too_many["error"], "too_many_users");
    assert_eq!(fake.calls_to("conversations.invite").len(), 2);
}

#[tokio::test]
async fn post_update_pin_history_and_auth() {
    let fake = FakeSlack::start().await;
    let posted = call(
        &fake,
        "chat.postMessage",
        json!({"channel": "C0RIGIN", "text": "first", "metadata": {"event_type": "t", "event_payload": {}}}),
    )
    .await;
    assert_eq!(posted["ok"], true);
    let ts = posted["ts"].as_str().unwrap().to_string();
    let second = call(
        &fake,
        "chat.postMessage",
        json!({"channel": "C0RIGIN", "text": "second"}),
    )
    .await;
    assert!(second["ts"].as_str().unwrap() > ts.as_str(), "ts must increase");

    let updated = call(
        &fake,
        "chat.update",
        json!({"channel": "C0RIGIN", "ts": ts, "text": "edited"}),
    )
    .await;
    assert_eq!(updated["text"], "edited");
    let msgs = fake.messages_in("C0RIGIN");
    assert_eq!(msgs[0]["text"], "edited");
    assert_eq!(msgs[0]["ts"], ts.as_str());
    assert_eq!(fake.message_versions("C0RIGIN", &ts).len(), 2);
    let missing = call(
        &fake,
        "chat.update",
        json!({"channel": "C0RIGIN", "ts": "1.2", "text": "x"}),
    )
    .await;
    assert_eq!(missing["error"], "message_not_found");

    let pin = json!({"channel": "C0RIGIN", "timestamp": ts});
    assert_eq!(call(&fake, "pins.add", pin.clone()).await["ok"], true);
    assert_eq!(call(&fake, "pins.add", pin).await["error"], "already_pinned");
    assert_eq!(fake.pins("C0RIGIN"), vec![ts.clone()]);

    let history = call(&fake, "conversations.history", json!({"channel": "C0RIGIN"})).await;
    assert_eq!(history["messages"][0]["text"], "second");
    assert_eq!(history["messages"][1]["metadata"]["event_type"], "t");

    let dm = call(&fake, "chat.postMessage", json!({"channel": "U42", "text": "hi"})).await;
    assert_eq!(dm["channel"], "DU42");
    assert_eq!(fake.messages_in("U42").len(), 1);

    fake.set_not_in_channel("C0THER");
    let refused = call(&fake, "chat.postMessage", json!({"channel": "C0THER", "text": "x"})).await;
    assert_eq!(refused["error"], "not_in_channel");

    let unauthed: Value = reqwest::Client::new()
        .post(format!("{}auth.test", fake.api_url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unauthed["error"], "not_authed");
    assert_eq!(call(&fake, "auth.test", json!({})).await["user_id"], "UBOT");
    assert_eq!(call(&fake, "nope.nope", json!({})).await["error"], "unknown_method");
}

#[tokio::test]
async fn faults_do_not_change_the_world_and_429_has_retry_after() {
    let fake = FakeSlack::start().await;
    fake.fail_http_next("conversations.create", 429, 1);
    fake.fail_next("conversations.create", "restricted_action", 1);

    let resp = reqwest::Client::new()
        .post(format!("{}conversations.create", fake.api_url()))
        .header("Authorization", TOKEN)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "ratelimited");

    let second = call(&fake, "conversations.create", json!({"name": "x"})).await;
    assert_eq!(second, json!({"ok": false, "error": "restricted_action"}));
    assert!(fake.channels().is_empty(), "faulted calls must not create channels");

    let third = call(&fake, "conversations.create", json!({"name": "x"})).await;
    assert_eq!(third["ok"], true);

    fake.fail_http_next("chat.postMessage", 500, 1);
    let resp = reqwest::Client::new()
        .post(format!("{}chat.postMessage", fake.api_url()))
        .header("Authorization", TOKEN)
        .json(&json!({"channel": "C1", "text": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "internal_error");
    assert!(fake.messages_in("C1").is_empty());
}

#[tokio::test]
async fn wait_for_sees_slow_calls_on_arrival_and_response_url_is_recorded() {
    let fake = FakeSlack::start().await;
    fake.delay("chat.postMessage", Duration::from_millis(400));
    let started = Instant::now();
    let poster = {
        let fake = fake.clone();
        tokio::spawn(async move { call(&fake, "chat.postMessage", json!({"channel": "C9", "text": "slow"})).await })
    };
    let seen = fake.wait_for("chat.postMessage", |c| c.params["text"] == "slow").await;
    assert!(seen.at.duration_since(started) < Duration::from_millis(400));
    assert_eq!(poster.await.unwrap()["ok"], true);
    assert!(started.elapsed() >= Duration::from_millis(400));

    let url = fake.response_url("cmd-1");
    let resp = reqwest::Client::new()
        .post(&url)
        .json(&json!({"text": "done", "response_type": "ephemeral"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "ok");
    let recorded = fake.wait_for_n("response_url", 1, |_| true).await;
    assert_eq!(recorded[0].params["_path"], "cmd-1");
    assert_eq!(recorded[0].params["text"], "done");

    fake.expect_none("chat.update", |_| true, Duration::from_millis(100))
        .await;
}

#[tokio::test]
#[should_panic(expected = "expected no `chat.postMessage` call")]
async fn expect_none_panics_on_a_matching_call() {
    let fake = FakeSlack::start().await;
    call(&fake, "chat.postMessage", json!({"channel": "C1", "text": "oops"})).await;
    // Fails at once rather than after the window: the call is already recorded.
    fake.expect_none("chat.postMessage", |_| true, Duration::from_secs(30))
        .await;
}
