//! The Slack-native surface: the open modal, App Home, and /metrics.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use trouble_bot::trouble::model::{Severity, TroubleId};

#[tokio::test]
async fn the_open_modal_opens_with_the_trigger_id_and_its_submission_opens_a_trouble() {
    let bot = spawn_bot().await;
    let answer = bot.command(SALES, ORIGIN, "open").await;
    assert_eq!(answer, Value::Null, "an empty 200: the modal is the answer");
    let open = bot.slack.wait_for("views.open", |_| true).await;
    assert!(
        open.params["trigger_id"]
            .as_str()
            .is_some_and(|t| t.starts_with("1337.42.")),
        "{}",
        open.params
    );
    let view = &open.params["view"];
    assert_eq!(view["callback_id"], "open_trouble");
    let blocks = view["blocks"].to_string();
    for block in ["customer", "summary", "severity", "manager", "departments", "contact"] {
        assert!(
            blocks.contains(&format!("\"block_id\":\"{block}\"")),
            "{block} in {blocks}"
        );
    }
    assert!(
        blocks.contains(&format!("\"initial_user\":\"{MANAGER}\"")),
        "manager defaulted: {blocks}"
    );
    let metadata = view["private_metadata"].as_str().unwrap().to_string();
    assert!(
        metadata.contains(ORIGIN),
        "the origin channel is remembered: {metadata}"
    );

    let r = bot
        .interaction(&open_submission("  ", "lot 42 housings", MANAGER, &metadata))
        .await;
    let errors: Value = r.json().await.unwrap();
    assert_eq!(errors["response_action"], "errors");
    assert!(errors["errors"]["customer"].is_string(), "{errors}");
    let r = bot
        .interaction(&open_submission("様", "lot 42 housings", MANAGER, &metadata))
        .await;
    let errors: Value = r.json().await.unwrap();
    assert!(
        errors["errors"]["customer"]
            .as_str()
            .is_some_and(|e| e.contains("names nobody")),
        "{errors}"
    );
    assert_eq!(bot.store().trouble_count(), 0);

    let r = bot
        .interaction(&open_submission(
            "ACME",
            "defective housings in lot 42",
            MANAGER,
            &metadata,
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().is_empty(), "the modal closes");
    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    assert!(dm.params["text"].as_str().unwrap().contains("ACME"));
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == ORIGIN)
        .await;
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == "C0BIZUNIT")
        .await;
    let troubles = bot.store().all_troubles().unwrap();
    assert_eq!(troubles.len(), 1);
    let t = &troubles[0];
    assert_eq!((t.severity, t.customer.as_str()), (Severity::new(1), "ACME"));
    assert!(t.summary.contains("Mr. Sato"));
    assert_eq!(t.departments, ["field"]);
    assert_eq!(t.origin.channel.as_str(), ORIGIN);
}

#[tokio::test]
async fn app_home_shows_a_trouble_waiting_for_the_viewers_acknowledgement_and_refreshes() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    open_app_home(&bot, MANAGER).await;
    let publish = bot
        .slack
        .wait_for("views.publish", |c| c.params["user_id"] == MANAGER)
        .await;
    let view = publish.params["view"].to_string();
    assert!(view.contains("Waiting for your acknowledgement* (1)"), "{view}");
    assert!(view.contains(&t.id));

    bot.command_text(MANAGER, &t.channel, "ack").await;
    let mark = publish.seq;
    let refreshed = bot
        .slack
        .wait_for("views.publish", |c| c.seq > mark && c.params["user_id"] == MANAGER)
        .await;
    assert!(
        refreshed.params["view"]
            .to_string()
            .contains("Waiting for your acknowledgement* (0)"),
        "{}",
        refreshed.params["view"]
    );
}

/// The manager acknowledges while their Home is being published (its rows read, Slack not yet
/// answered): that publish shows the trouble still waiting, so the acknowledgement gets one of
/// its own, and the Home published last no longer asks.
#[tokio::test]
async fn app_home_acknowledged_while_it_is_being_published_is_published_again() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    bot.slack.hold("views.publish");
    open_app_home(&bot, MANAGER).await;
    let held = bot
        .slack
        .wait_held("views.publish", |c| c.params["user_id"] == MANAGER)
        .await;
    let waiting = "Waiting for your acknowledgement* (1)";
    assert!(
        held.params["view"].to_string().contains(waiting),
        "{}",
        held.params["view"]
    );

    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.slack.release("views.publish");
    bot.settle().await;
    let published: Vec<String> = bot
        .slack
        .calls_to("views.publish")
        .iter()
        .filter(|c| c.params["user_id"] == MANAGER)
        .map(|c| c.params["view"].to_string())
        .collect();
    assert_eq!(published.len(), 2, "the held one, then the acknowledgement's");
    assert!(
        published[1].contains("Waiting for your acknowledgement* (0)"),
        "the Home left showing: {}",
        published[1]
    );
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_move_when_a_trouble_is_opened() {
    let bot = spawn_bot().await;
    let before = metrics_at(&bot.base_url).await;
    assert_eq!(
        sample(&before, "trouble_bot_troubles_opened_total{severity=\"2\"}"),
        None
    );
    let t = bot.open_ready("ACME: broken").await;
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    let _ = t;
    let after = metrics_at(&bot.base_url).await;
    check_prometheus_text(&after);
    assert_eq!(
        sample(&after, "trouble_bot_troubles_opened_total{severity=\"2\"}"),
        Some(1.0),
        "{after}"
    );
    assert_eq!(
        sample(&after, "trouble_bot_first_ping_seconds_count"),
        Some(1.0),
        "{after}"
    );
    assert!(
        sample(
            &after,
            "trouble_bot_slack_calls_total{method=\"conversations.create\",outcome=\"ok\"}"
        )
        .unwrap()
            >= 1.0
    );
    assert_eq!(sample(&after, "trouble_bot_troubles"), Some(1.0));
    assert!(
        sample(&after, "trouble_bot_timers_pending").unwrap() >= 2.0,
        "ack and follow-up timers"
    );
    // The open and its deliveries' results were decided under the store's writer lock and
    // applied under the applier's.
    let grew = |counter: &str| {
        sample(&after, counter).unwrap_or_else(|| panic!("{counter} missing: {after}"))
            - sample(&before, counter).unwrap_or(0.0)
    };
    for lock in ["writer", "apply"] {
        assert!(
            grew(&format!("trouble_bot_store_{lock}_lock_holds_total")) >= 2.0,
            "the open's write set and a delivery's result: {after}"
        );
        assert!(
            grew(&format!("trouble_bot_store_{lock}_lock_held_seconds_total")) > 0.0,
            "{after}"
        );
    }
    let _ = TroubleId::new("x");
    let _ = Duration::ZERO;
}

fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    })
}

/// Every line is a comment (`# HELP`/`# TYPE`) or `name{labels} value`, and every sample's
/// metric has a TYPE line before it.
fn check_prometheus_text(text: &str) {
    let mut typed = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let name = parts.next().unwrap();
            let kind = parts.next().unwrap();
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.insert(name.to_string());
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        assert!(value.parse::<f64>().is_ok(), "value of {line}");
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "name {name}"
        );
        if series.contains('{') {
            assert!(series.ends_with('}'), "labels closed: {line}");
        }
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        assert!(typed.contains(name) || typed.contains(base), "no TYPE before {line}");
    }
}
