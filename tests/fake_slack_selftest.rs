//! Self-test of the fake Slack server in the fake-slack crate (fake-slack/src/lib.rs), driven over real HTTP with reqwest.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fake_slack::{ChannelLimiter, FakeSlack, Fault};
use serde_json::{json, Value};

const TOKEN: &str = "Bearer xoxb-test-token";

/// The raw answer (or the transport error) of one authenticated call: its arguments as a form
/// for the methods that read only those, else as JSON.
async fn call_raw(fake: &FakeSlack, method: &str, body: Value) -> reqwest::Result<reqwest::Response> {
    let request = reqwest::Client::new()
        .post(format!("{}{method}", fake.api_url()))
        .header("Authorization", TOKEN);
    let request = if fake_slack::FORM_ONLY.contains(&method) {
        request.form(&body)
    } else {
        request.json(&body)
    };
    request.send().await
}

fn outcomes(fake: &FakeSlack, method: &str) -> Vec<String> {
    fake.calls_to(method).into_iter().map(|c| c.outcome).collect()
}

async fn call(fake: &FakeSlack, method: &str, body: Value) -> Value {
    call_raw(fake, method, body)
        .await
        .expect("request")
        .json()
        .await
        .expect("json body")
}

/// A direct message posted to a user's id is edited by the DM's id Slack answered with, as in
/// Slack: an edit addressed to the user's id finds no channel.
#[tokio::test]
async fn a_direct_message_is_edited_by_the_dm_id_not_the_user_id() {
    let fake = FakeSlack::start().await;
    let posted = call(
        &fake,
        "chat.postMessage",
        json!({"channel": "U0SALES", "text": "first"}),
    )
    .await;
    let (dm, ts) = (posted["channel"].as_str().unwrap(), posted["ts"].as_str().unwrap());
    assert!(dm.starts_with('D'), "{posted}");
    let by_user = call(
        &fake,
        "chat.update",
        json!({"channel": "U0SALES", "ts": ts, "text": "x"}),
    )
    .await;
    assert_eq!(by_user["error"], "channel_not_found", "{by_user}");
    let by_dm = call(&fake, "chat.update", json!({"channel": dm, "ts": ts, "text": "second"})).await;
    assert_eq!(by_dm["ok"], true, "{by_dm}");
}

/// Slack's read methods take form or query arguments only: a JSON body is dropped unread, and
/// the call is answered as though it had none (what a client sending JSON everywhere meets).
#[tokio::test]
async fn a_read_method_ignores_a_json_body_as_slack_does() {
    let fake = FakeSlack::start().await;
    let created = call(&fake, "conversations.create", json!({"name": "trouble-1"})).await;
    let channel = created["channel"]["id"].as_str().expect("a channel").to_string();
    let as_json = reqwest::Client::new()
        .post(format!("{}conversations.info", fake.api_url()))
        .header("Authorization", TOKEN)
        .json(&json!({"channel": channel}))
        .send()
        .await
        .expect("request");
    let as_json: Value = as_json.json().await.expect("json body");
    assert_eq!(as_json["error"], "channel_not_found", "{as_json}");
    let as_form = call(&fake, "conversations.info", json!({"channel": channel})).await;
    assert_eq!(as_form["channel"]["id"], channel.as_str(), "{as_form}");
    let query = reqwest::Client::new()
        .get(format!("{}conversations.info?channel={channel}", fake.api_url()))
        .header("Authorization", TOKEN)
        .send()
        .await
        .expect("request");
    let query: Value = query.json().await.expect("json body");
    assert_eq!(query["ok"], true, "{query}");
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
    assert_eq!(call(&fake, "pins.add", pin.clone()).await["error"], "already_pinned");
    assert_eq!(fake.pins("C0RIGIN"), vec![ts.clone()]);
    // Unpinned by a person, it can be pinned again; unpinning what is not pinned changes nothing.
    assert!(fake.unpin("C0RIGIN", &ts));
    assert!(!fake.unpin("C0RIGIN", &ts));
    assert!(fake.pins("C0RIGIN").is_empty());
    assert_eq!(call(&fake, "pins.add", pin).await["ok"], true);
    assert_eq!(fake.pins("C0RIGIN"), vec![ts.clone()]);

    let history = call(
        &fake,
        "conversations.history",
        json!({"channel": "C0RIGIN", "include_all_metadata": true}),
    )
    .await;
    assert_eq!(history["messages"][0]["text"], "second");
    assert_eq!(history["messages"][1]["metadata"]["event_type"], "t");
    // Like Slack: no metadata unless asked for.
    let plain = call(&fake, "conversations.history", json!({"channel": "C0RIGIN"})).await;
    assert!(plain["messages"][1].get("metadata").is_none(), "{plain}");

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

/// A held method's calls stay in flight, unanswered and without effect, until the test releases
/// them, however long that is; other methods go on; after the release the call is answered and
/// takes effect, and later calls are not held.
#[tokio::test]
async fn held_calls_wait_for_their_release_and_change_the_world_only_then() {
    let fake = FakeSlack::start().await;
    fake.hold("chat.postMessage");
    let poster = {
        let fake = fake.clone();
        tokio::spawn(async move { call(&fake, "chat.postMessage", json!({"channel": "C9", "text": "held"})).await })
    };
    let held = fake.wait_held("chat.postMessage", |c| c.params["text"] == "held").await;
    assert_eq!(held.outcome, "pending");
    // A call made after it is answered at once; the held one still is not.
    assert_eq!(
        call(&fake, "auth.test", json!({})).await["ok"],
        true,
        "other methods answer"
    );
    assert!(!poster.is_finished(), "answered before its release");
    assert!(fake.messages_in("C9").is_empty(), "took effect before its release");
    assert_eq!(outcomes(&fake, "chat.postMessage"), ["pending"]);

    fake.release("chat.postMessage");
    assert_eq!(poster.await.unwrap()["ok"], true);
    assert_eq!(fake.messages_in("C9").len(), 1);
    assert_eq!(outcomes(&fake, "chat.postMessage"), ["ok"]);
    call(&fake, "chat.postMessage", json!({"channel": "C9", "text": "free"})).await;
    assert_eq!(fake.messages_in("C9").len(), 2, "no longer held");
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

#[tokio::test]
async fn a_fault_rate_of_one_answers_each_kind_as_described_and_changes_nothing() {
    let fake = FakeSlack::start().await;
    let post = json!({"channel": "C1", "text": "t"});

    fake.set_fault_rate("chat.postMessage", 1.0, &[Fault::Http500]);
    let r = call_raw(&fake, "chat.postMessage", post.clone()).await.unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "internal_error");

    fake.set_fault_rate("chat.postMessage", 1.0, &[Fault::RateLimited]);
    let r = call_raw(&fake, "chat.postMessage", post.clone()).await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");

    fake.set_fault_rate("chat.postMessage", 1.0, &[Fault::TransientOk]);
    let r = call_raw(&fake, "chat.postMessage", post.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"ok": false, "error": "internal_error"})
    );

    fake.set_fault_rate("chat.postMessage", 1.0, &[Fault::Reset]);
    let e = call_raw(&fake, "chat.postMessage", post.clone())
        .await
        .expect_err("a reset connection gives no answer");
    assert!(!e.is_timeout() && !e.is_status(), "{e:?}");

    assert!(fake.messages_in("C1").is_empty(), "faulted calls changed the world");
    assert_eq!(
        outcomes(&fake, "chat.postMessage"),
        ["http:500", "http:429", "error:internal_error", "reset"]
    );
    assert!(fake.calls_to("chat.postMessage").iter().all(|c| !c.took_effect()));
    assert_eq!(fake.fault_count(), 4);

    // A reset connection does not take the server down, and a rate of 0 turns faults off.
    fake.set_fault_rate("chat.postMessage", 0.0, &[Fault::Reset]);
    assert_eq!(call(&fake, "chat.postMessage", post).await["ok"], true);
    assert_eq!(fake.messages_in("C1").len(), 1);
    assert_eq!(fake.fault_count(), 4);
}

#[tokio::test]
async fn a_slow_call_takes_effect_at_once_but_answers_late() {
    let fake = FakeSlack::start().await;
    fake.set_slow_delay(Duration::from_millis(600));
    fake.set_fault_rate("conversations.create", 1.0, &[Fault::Slow]);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let e = impatient
        .post(format!("{}conversations.create", fake.api_url()))
        .header("Authorization", TOKEN)
        .json(&json!({"name": "slow-one"}))
        .send()
        .await
        .expect_err("the client gives up first");
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(fake.channels().len(), 1, "Slack did the work anyway");
    assert_eq!(outcomes(&fake, "conversations.create"), ["slow"]);
    assert!(fake.calls_to("conversations.create")[0].took_effect());

    // A patient client gets the real answer, late; a retry of the same call sees the effect.
    let started = Instant::now();
    let again = call(&fake, "conversations.create", json!({"name": "slow-one"})).await;
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(again["error"], "name_taken");
    assert_eq!(outcomes(&fake, "conversations.create")[1], "slow:error:name_taken");
    assert_eq!(fake.fault_count(), 2);
}

#[tokio::test]
async fn star_faults_every_method_but_auth_test_and_a_seed_makes_runs_repeatable() {
    let run = |seed: u64| async move {
        let fake = FakeSlack::start().await;
        fake.seed(seed);
        fake.set_fault_rate("*", 0.5, &[Fault::Http500, Fault::TransientOk]);
        assert_eq!(call(&fake, "auth.test", json!({})).await["ok"], true);
        for i in 0..40 {
            let _ = call_raw(
                &fake,
                "chat.postMessage",
                json!({"channel": "C1", "text": i.to_string()}),
            )
            .await;
        }
        assert!(outcomes(&fake, "auth.test").iter().all(|o| o == "ok"));
        let posted = fake.messages_in("C1").len();
        assert_eq!(posted + fake.fault_count(), 40);
        assert!((8..=32).contains(&posted), "about half get through: {posted}");
        outcomes(&fake, "chat.postMessage")
    };
    let first = run(7).await;
    assert_eq!(first, run(7).await, "same seed, same faults");
    assert_ne!(first, run(8).await, "another seed, other faults");
    assert!(first.iter().any(|o| o == "http:500") && first.iter().any(|o| o == "error:internal_error"));
}

#[tokio::test]
async fn an_outage_answers_503_to_everything_until_it_ends() {
    let fake = FakeSlack::start().await;
    fake.outage(Duration::from_secs(60));
    for method in ["auth.test", "chat.postMessage", "conversations.create"] {
        let r = call_raw(&fake, method, json!({"channel": "C1", "text": "t", "name": "x"}))
            .await
            .unwrap();
        assert_eq!(r.status(), 503, "{method}");
    }
    let r = reqwest::Client::new()
        .post(fake.response_url("cmd-1"))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503, "response_url too");
    assert!(fake.messages_in("C1").is_empty() && fake.channels().is_empty());
    assert!(fake.calls().iter().all(|c| c.outcome == "http:503"));
    assert_eq!(fake.fault_count(), 0, "an outage is not counted as injected faults");

    fake.end_outage();
    assert_eq!(
        call(&fake, "chat.postMessage", json!({"channel": "C1", "text": "t"})).await["ok"],
        true
    );

    // An outage also ends by itself.
    fake.outage(Duration::from_millis(200));
    assert_eq!(
        call(&fake, "auth.test", json!({})).await["error"],
        "service_unavailable"
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(call(&fake, "auth.test", json!({})).await["ok"], true);
}

#[tokio::test]
async fn a_response_url_is_refused_half_an_hour_after_it_was_handed_out_on_the_fakes_clock() {
    let fake = FakeSlack::start().await;
    let seconds = Arc::new(AtomicU64::new(1_577_836_800));
    let story = seconds.clone();
    fake.use_clock(move || UNIX_EPOCH + Duration::from_secs(story.load(Ordering::SeqCst)));
    let url = fake.response_url("cmd-1");
    let respond = || reqwest::Client::new().post(&url).json(&json!({"text": "t"})).send();
    seconds.fetch_add(30 * 60, Ordering::SeqCst);
    assert_eq!(respond().await.unwrap().status(), 200, "within its half hour");
    seconds.fetch_add(1, Ordering::SeqCst);
    let refused = respond().await.unwrap();
    assert_eq!(refused.status(), 404);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "expired_url");
    // Handed out again (another command by the same name), it is taken again.
    let _ = fake.response_url("cmd-1");
    assert_eq!(respond().await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_channel_rate_limit_refills_on_the_clock_the_fake_is_given() {
    let fake = FakeSlack::start().await;
    let seconds = Arc::new(AtomicU64::new(1_577_836_800));
    let story = seconds.clone();
    fake.use_clock(move || UNIX_EPOCH + Duration::from_secs(story.load(Ordering::SeqCst)));
    fake.enforce_channel_rate_limit(true);
    let post = json!({"channel": "C1", "text": "t"});
    for _ in 0..3 {
        assert_eq!(call(&fake, "chat.postMessage", post.clone()).await["ok"], true);
    }
    let r = call_raw(&fake, "chat.postMessage", post.clone()).await.unwrap();
    assert_eq!(r.status(), 429, "the burst spent; the story's clock has not moved");
    // Two seconds on the story's clock, none on the wall's: two more posts.
    seconds.fetch_add(2, Ordering::SeqCst);
    for _ in 0..2 {
        assert_eq!(call(&fake, "chat.postMessage", post.clone()).await["ok"], true);
    }
    let r = call_raw(&fake, "chat.postMessage", post.clone()).await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(fake.rate_limited_count(), 2);
}

#[tokio::test]
async fn the_channel_rate_limit_allows_a_burst_of_three_then_one_a_second() {
    let fake = FakeSlack::start().await;
    fake.enforce_channel_rate_limit(true);
    let post = |channel: &str| json!({"channel": channel, "text": "t"});
    for _ in 0..3 {
        assert_eq!(call(&fake, "chat.postMessage", post("C1")).await["ok"], true);
    }
    let r = call_raw(&fake, "chat.postMessage", post("C1")).await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(fake.rate_limited_count(), 1);
    assert_eq!(fake.messages_in("C1").len(), 3, "the 429 had no effect");
    // Per channel: another channel and a DM still have their own burst.
    assert_eq!(call(&fake, "chat.postMessage", post("C2")).await["ok"], true);
    assert_eq!(call(&fake, "chat.postMessage", post("U1")).await["ok"], true);

    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(call(&fake, "chat.postMessage", post("C1")).await["ok"], true);
    let r = call_raw(&fake, "chat.postMessage", post("C1")).await.unwrap();
    assert_eq!(r.status(), 429, "one token per second, not a new burst");
    assert_eq!(fake.rate_limited_count(), 2);
    assert_eq!(fake.messages_in("C1").len(), 4);
    assert_eq!(fake.fault_count(), 0);

    fake.enforce_channel_rate_limit(false);
    for _ in 0..5 {
        assert_eq!(call(&fake, "chat.postMessage", post("C1")).await["ok"], true);
    }
}

#[tokio::test]
async fn conversations_open_list_info_and_replies() {
    let fake = FakeSlack::start().await;
    let opened = call(&fake, "conversations.open", json!({"users": "U1"})).await;
    assert_eq!(opened["ok"], true);
    assert_eq!(opened["channel"]["id"], "DU1");
    let dm = call(&fake, "chat.postMessage", json!({"channel": "U1", "text": "hi"})).await;
    assert_eq!(dm["channel"], opened["channel"]["id"], "same DM id as chat.postMessage");
    assert_eq!(
        call(&fake, "conversations.open", json!({})).await["error"],
        "users_list_not_supplied"
    );

    let public = call(&fake, "conversations.create", json!({"name": "pub"})).await;
    let private = call(
        &fake,
        "conversations.create",
        json!({"name": "priv", "is_private": true}),
    )
    .await;
    let foreign = fake.add_channel("someone-elses", false, "U0OTHER");
    let list = call(&fake, "conversations.list", json!({})).await;
    let names: Vec<&str> = list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["pub", "someone-elses"],
        "Slack lists public channels only by default"
    );
    assert_eq!(list["response_metadata"]["next_cursor"], "");
    assert_eq!(list["channels"][0]["creator"], "UBOT");
    assert_eq!(list["channels"][1]["creator"], "U0OTHER");
    assert_eq!(list["channels"][1]["is_member"], false);

    // Paging through both kinds, one at a time.
    let mut cursor = String::new();
    let mut seen = Vec::new();
    loop {
        let page = call(
            &fake,
            "conversations.list",
            json!({"types": "public_channel,private_channel", "limit": 1, "cursor": cursor}),
        )
        .await;
        seen.extend(page["channels"].as_array().unwrap().iter().map(|c| c["id"].clone()));
        cursor = page["response_metadata"]["next_cursor"].as_str().unwrap().to_string();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(
        seen,
        [
            public["channel"]["id"].clone(),
            private["channel"]["id"].clone(),
            json!(foreign)
        ]
    );

    let info = call(
        &fake,
        "conversations.info",
        json!({"channel": private["channel"]["id"]}),
    )
    .await;
    assert_eq!(info["channel"]["name"], "priv");
    assert_eq!(info["channel"]["is_private"], true);
    assert_eq!(
        call(&fake, "conversations.info", json!({"channel": "DU1"})).await["channel"]["user"],
        "U1"
    );
    assert_eq!(
        call(&fake, "conversations.info", json!({"channel": "C404"})).await["error"],
        "channel_not_found"
    );

    // Threads and time windows: ts come from the wall clock, so `oldest = now - 60 s` finds them.
    let since = chrono::Utc::now().timestamp() - 60;
    let parent = call(&fake, "chat.postMessage", json!({"channel": "C7", "text": "parent"})).await;
    let parent_ts = parent["ts"].as_str().unwrap().to_string();
    let marker = json!({"event_type": "m", "event_payload": {"delivery": "d1"}});
    let reply = call(
        &fake,
        "chat.postMessage",
        json!({"channel": "C7", "text": "reply", "thread_ts": parent_ts, "metadata": marker}),
    )
    .await;
    let args =
        json!({"channel": "C7", "ts": parent_ts, "oldest": format!("{since}.000000"), "include_all_metadata": true});
    let thread = call(&fake, "conversations.replies", args).await;
    assert_eq!(thread["messages"][0]["ts"], parent_ts.as_str());
    assert_eq!(thread["messages"][1]["ts"], reply["ts"]);
    assert_eq!(thread["messages"][1]["metadata"]["event_payload"]["delivery"], "d1");
    let history = call(
        &fake,
        "conversations.history",
        json!({"channel": "C7", "oldest": format!("{since}.000000")}),
    )
    .await;
    assert_eq!(
        history["messages"].as_array().unwrap().len(),
        1,
        "replies stay in the thread"
    );
    let later = call(
        &fake,
        "conversations.history",
        json!({"channel": "C7", "oldest": parent_ts}),
    )
    .await;
    assert!(later["messages"].as_array().unwrap().is_empty(), "oldest is exclusive");
    let inclusive = call(
        &fake,
        "conversations.history",
        json!({"channel": "C7", "latest": parent_ts, "inclusive": true}),
    )
    .await;
    assert_eq!(inclusive["messages"].as_array().unwrap().len(), 1);
}

/// What an observer was given: (seq, method, outcome, answer).
type Observed = Arc<Mutex<Vec<(u64, String, String, Value)>>>;

fn observing(fake: &FakeSlack) -> Observed {
    let seen: Observed = Arc::default();
    let into = seen.clone();
    fake.observe(move |c| {
        let entry = (c.seq, c.method.clone(), c.outcome.clone(), c.answer.clone());
        into.lock().unwrap().push(entry);
    });
    seen
}

#[tokio::test]
async fn the_observer_gets_every_call_in_order_with_its_outcome_and_answer() {
    let fake = FakeSlack::start().await;
    let seen = observing(&fake);
    fake.fail_next("pins.add", "internal_error", 1);
    fake.enforce_channel_rate_limit(true);
    let posted = call(&fake, "chat.postMessage", json!({"channel": "C1", "text": "one"})).await;
    call(&fake, "pins.add", json!({"channel": "C1", "timestamp": posted["ts"]})).await;
    for _ in 0..3 {
        call(&fake, "chat.postMessage", json!({"channel": "C1", "text": "more"})).await;
    }
    let seen = seen.lock().unwrap().clone();
    let summary: Vec<(u64, &str, &str)> = seen.iter().map(|(n, m, o, _)| (*n, m.as_str(), o.as_str())).collect();
    assert_eq!(
        summary,
        [
            (0, "chat.postMessage", "ok"),
            (1, "pins.add", "error:internal_error"),
            (2, "chat.postMessage", "ok"),
            (3, "chat.postMessage", "ok"),
            (4, "chat.postMessage", "http:429"),
        ]
    );
    assert_eq!(seen[0].3["ts"], posted["ts"], "the answer as the bot read it");
    assert_eq!(seen[4].3["error"], "ratelimited");
    let recorded = fake.calls();
    assert_eq!(
        recorded[0].answer["ts"], posted["ts"],
        "the call log keeps the answer too"
    );
    assert_eq!(recorded.len(), 5);
}

#[tokio::test]
async fn a_lean_fake_answers_every_method_on_trust_and_keeps_only_counts() {
    let fake = FakeSlack::start_lean().await;
    let seen = observing(&fake);
    let created = call(&fake, "conversations.create", json!({"name": "trouble-1"})).await;
    let channel = created["channel"]["id"].as_str().expect("an id").to_string();
    assert_eq!(created["channel"]["is_member"], true);
    let invited = call(
        &fake,
        "conversations.invite",
        json!({"channel": channel, "users": "U1,U2"}),
    )
    .await;
    assert_eq!(invited["ok"], true);
    let posted = call(
        &fake,
        "chat.postMessage",
        json!({"channel": channel, "text": "kickoff"}),
    )
    .await;
    assert_eq!(posted["ok"], true);
    let ts = posted["ts"].clone();
    for (method, body) in [
        ("chat.update", json!({"channel": channel, "ts": ts, "text": "edited"})),
        ("pins.add", json!({"channel": channel, "timestamp": ts})),
        ("pins.add", json!({"channel": channel, "timestamp": ts})),
        ("conversations.replies", json!({"channel": channel, "ts": ts})),
        ("conversations.info", json!({"channel": "C0SOMEWHERE"})),
    ] {
        let answer = call(&fake, method, body).await;
        assert_eq!(answer["ok"], true, "{method}: {answer}");
    }
    // Nothing was kept: no history, no call log; the calls were counted and observed.
    let history = call(&fake, "conversations.history", json!({"channel": channel})).await;
    assert_eq!(history["messages"], json!([]));
    assert!(fake.calls().is_empty());
    assert!(fake.messages_in(&channel).is_empty());
    assert!(fake.channels().is_empty());
    assert_eq!(fake.call_count(), 9);
    assert_eq!(seen.lock().unwrap().len(), 9);
    // Faults and the channel limit still apply.
    fake.fail_next("chat.postMessage", "internal_error", 1);
    let failed = call(&fake, "chat.postMessage", json!({"channel": channel, "text": "x"})).await;
    assert_eq!(failed["error"], "internal_error");
    fake.enforce_channel_rate_limit(true);
    for _ in 0..3 {
        call(&fake, "chat.postMessage", json!({"channel": channel, "text": "x"})).await;
    }
    let limited = call_raw(&fake, "chat.postMessage", json!({"channel": channel, "text": "x"}))
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(fake.rate_limited_count(), 1);
    assert_eq!(fake.fault_count(), 1);
}

#[tokio::test]
async fn with_a_latency_the_answer_comes_late_but_the_world_changes_at_once() {
    let fake = FakeSlack::start().await;
    fake.set_latency(Duration::from_secs(10));
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let answer = impatient
        .post(format!("{}chat.postMessage", fake.api_url()))
        .header("Authorization", TOKEN)
        .json(&json!({"channel": "C1", "text": "late"}))
        .send()
        .await;
    assert!(answer.is_err_and(|e| e.is_timeout()), "answered before the latency");
    assert_eq!(fake.messages_in("C1").len(), 1, "the post took effect on arrival");
    assert_eq!(fake.calls_to("chat.postMessage")[0].outcome, "ok");
    fake.set_latency(Duration::ZERO);
    let patient = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let answer = patient
        .post(format!("{}auth.test", fake.api_url()))
        .header("Authorization", TOKEN)
        .send()
        .await;
    assert!(answer.is_ok(), "no latency once it is set back to zero");
}

#[tokio::test]
async fn ts_follow_the_clock_the_fake_is_given() {
    let fake = FakeSlack::start().await;
    let story = UNIX_EPOCH + Duration::from_secs(1_577_836_800); // 2020-01-01T00:00:00Z
    fake.use_clock(move || story);
    let first = call(&fake, "chat.postMessage", json!({"channel": "C1", "text": "a"})).await;
    let second = call(&fake, "chat.postMessage", json!({"channel": "C1", "text": "b"})).await;
    assert_eq!(first["ts"], "1577836800.000000");
    assert_eq!(second["ts"], "1577836800.000001", "still unique and increasing");
    assert_eq!(fake.calls()[0].wall, story);
    assert!(SystemTime::now() > story + Duration::from_secs(3600));
}

#[tokio::test]
async fn a_person_posts_in_a_thread_and_joins_a_channel() {
    let fake = FakeSlack::start().await;
    let channel = fake.add_channel("sales", false, "U1");
    let info = call(&fake, "conversations.info", json!({"channel": channel})).await;
    assert_eq!(info["channel"]["is_member"], false);
    fake.join(&channel, &["UBOT", "U2", "U1"]);
    assert_eq!(fake.members(&channel), ["U1", "UBOT", "U2"]);
    let info = call(&fake, "conversations.info", json!({"channel": channel})).await;
    assert_eq!(info["channel"]["is_member"], true);

    let parent = call(
        &fake,
        "chat.postMessage",
        json!({"channel": channel, "text": "kickoff"}),
    )
    .await;
    let parent_ts = parent["ts"].as_str().unwrap();
    let reply_ts = fake.user_posts(&channel, "U2", "on it", Some(parent_ts));
    let thread = call(
        &fake,
        "conversations.replies",
        json!({"channel": channel, "ts": parent_ts}),
    )
    .await;
    let messages = thread["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["ts"], reply_ts.as_str());
    assert_eq!(messages[1]["user"], "U2");
    assert!(messages[1].get("bot_id").is_none(), "a person's message has no bot_id");
    assert_eq!(messages[0]["bot_id"], "BBOT");
}

#[test]
fn the_channel_limiter_forgives_20_ms_of_jitter_and_no_more() {
    let mut limiter = ChannelLimiter::default();
    let t0 = Instant::now();
    for _ in 0..3 {
        assert!(limiter.take("C1", t0));
    }
    assert!(!limiter.take("C1", t0), "the burst is spent");
    assert!(
        limiter.take("C1", t0 + Duration::from_millis(985)),
        "a token 15 ms early"
    );
    assert!(
        !limiter.take("C1", t0 + Duration::from_millis(1_950)),
        "50 ms early is refused"
    );
    assert!(limiter.take("U1", t0), "a DM has its own bucket");
    assert!(limiter.take("DU1", t0) && limiter.take("DU1", t0));
    assert!(!limiter.take("U1", t0), "U1 and DU1 are one channel");
}

#[tokio::test]
async fn blocks_past_slacks_limits_are_refused_as_slack_refuses_them() {
    let fake = FakeSlack::start().await;
    let section = |n: usize| json!({"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(n)}});
    let post = |blocks: Vec<Value>| json!({"channel": "C0ANY", "text": "t", "blocks": blocks});
    let ok = call(&fake, "chat.postMessage", post(vec![section(3000); 3])).await;
    assert_eq!(ok["ok"], true, "{ok}");
    let long = call(&fake, "chat.postMessage", post(vec![section(3000); 5])).await;
    assert_eq!(long["error"], "msg_blocks_too_long");
    let many = call(&fake, "chat.postMessage", post(vec![section(1); 51])).await;
    assert_eq!(many["error"], "invalid_blocks");
    let wide = call(&fake, "chat.postMessage", post(vec![section(3001)])).await;
    assert_eq!(wide["error"], "invalid_blocks");
    // Each part is held to its own limit, counted in characters (code points) as Slack counts
    // them: 150 emoji of a header are within it, 151 are not.
    let header = |t: String| json!({"type": "header", "text": {"type": "plain_text", "text": t}});
    let button = |t: String| json!({"type": "actions", "elements": [{"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": t}}]});
    let context = |n: usize| json!({"type": "context", "elements": vec![json!({"type": "mrkdwn", "text": "x"}); n]});
    for (blocks, fits) in [
        (vec![header("🔥".repeat(150))], true),
        (vec![header("🔥".repeat(151))], false),
        (vec![button("確".repeat(75))], true),
        (vec![button("確".repeat(76))], false),
        (vec![context(10)], true),
        (vec![context(11)], false),
    ] {
        let answer = call(&fake, "chat.postMessage", post(blocks.clone())).await;
        assert_eq!(answer["ok"] == true, fits, "{blocks:?}: {answer}");
        if !fits {
            assert_eq!(answer["error"], "invalid_blocks");
        }
    }
    let ts = ok["ts"].as_str().expect("ts");
    let update = call(
        &fake,
        "chat.update",
        json!({"channel": "C0ANY", "ts": ts, "text": "t", "blocks": vec![section(3000); 5]}),
    )
    .await;
    assert_eq!(update["error"], "msg_blocks_too_long");
}

/// A Home view Slack would refuse is refused: more than 100 blocks, a section over 3,000
/// characters, a block id used twice; one within the limits is published.
#[tokio::test]
async fn a_home_view_past_slacks_limits_is_refused() {
    let fake = FakeSlack::start().await;
    let section = |text: String| json!({"type": "section", "text": {"type": "mrkdwn", "text": text}});
    let publish = |blocks: Vec<Value>| {
        let fake = &fake;
        async move {
            call(
                fake,
                "views.publish",
                json!({"user_id": "U0SALES", "view": {"type": "home", "blocks": blocks}}),
            )
            .await
        }
    };
    let fine = publish((0..100).map(|i| section(format!("row {i}"))).collect()).await;
    assert_eq!(fine["ok"], true, "{fine}");
    let many = publish((0..101).map(|i| section(format!("row {i}"))).collect()).await;
    assert_eq!(many["error"], "invalid_arguments", "{many}");
    let long = publish(vec![section("x".repeat(3001))]).await;
    assert_eq!(long["error"], "invalid_arguments", "{long}");
    let twice = json!({"type": "actions", "block_id": "b", "elements": []});
    let repeated = publish(vec![twice.clone(), twice]).await;
    assert_eq!(repeated["error"], "invalid_arguments", "{repeated}");
}

/// A modal Slack would refuse is refused, by views.open and views.update alike, saying where:
/// a title, close or submit over 24 characters, no title, an input without submit, private
/// metadata over 3,000 characters, a placeholder over 150, an option over 75; one within the
/// limits opens.
#[tokio::test]
async fn a_modal_past_slacks_limits_is_refused() {
    let fake = FakeSlack::start().await;
    let input = json!({
        "type": "input", "block_id": "what", "label": {"type": "plain_text", "text": "What"},
        "element": {"type": "plain_text_input", "action_id": "what",
            "placeholder": {"type": "plain_text", "text": "Lot, quantity"}},
    });
    let modal = json!({
        "type": "modal", "callback_id": "facts",
        "title": {"type": "plain_text", "text": "事実と範囲を記録する"},
        "submit": {"type": "plain_text", "text": "Save"},
        "private_metadata": "x".repeat(3000),
        "blocks": [input],
    });
    let open = |view: Value| {
        let fake = &fake;
        async move { call(fake, "views.open", json!({"trigger_id": "1.2.3", "view": view})).await }
    };
    let fine = open(modal.clone()).await;
    assert_eq!(fine["ok"], true, "{fine}");
    let view_id = fine["view"]["id"].as_str().expect("a view id").to_string();
    let changed = |pointer: &str, value: Value| {
        let mut view = modal.clone();
        *view.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value;
        view
    };
    for (pointer, value) in [
        ("/title/text", json!("x".repeat(25))),
        ("/title/text", json!("")),
        ("/submit/text", json!("あ".repeat(25))),
        ("/private_metadata", json!("x".repeat(3001))),
        ("/blocks/0/element/placeholder/text", json!("x".repeat(151))),
        ("/submit", Value::Null),
    ] {
        let refused = open(changed(pointer, value.clone())).await;
        assert_eq!(refused["error"], "invalid_arguments", "{pointer} = {value}: {refused}");
        assert!(
            refused["response_metadata"]["messages"][0]
                .as_str()
                .is_some_and(|m| m.starts_with("[ERROR]")),
            "{refused}"
        );
        let update = call(
            &fake,
            "views.update",
            json!({"view_id": view_id, "view": changed(pointer, value.clone())}),
        )
        .await;
        assert_eq!(update["error"], "invalid_arguments", "{pointer} = {value}: {update}");
    }
    let option = |text: String| json!({"text": {"type": "plain_text", "text": text}, "value": "v"});
    let select = |text: String| {
        changed(
            "/blocks/0/element",
            json!({"type": "static_select", "action_id": "who", "options": [option(text)]}),
        )
    };
    assert_eq!(open(select("x".repeat(75))).await["ok"], true);
    assert_eq!(open(select("x".repeat(76))).await["error"], "invalid_arguments");
}
