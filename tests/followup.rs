//! Customer progress-update nudges: cadence, promises, the Log update modal, restarts.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use trouble_bot::i18n::{format_day_time, Locale};
use trouble_bot::trouble::model::TroubleId;

/// A cadence nudge (the first-call checklist, which also carries Log update, is another message).
fn is_nudge(c: &Call, channel: &str) -> bool {
    c.params["channel"] == channel && text_of(&c.params).contains(r#""block_id":"nudge""#)
}

/// The customer hears from us every four hours: the tests advance the bot's clock past it.
const NUDGES: &str = r#"
[severity.2]
ack_timeout = "1h"
customer_update_every = "4h"
"#;
const CADENCE: Duration = Duration::from_secs(4 * 3600);
const MINUTE: Duration = Duration::from_secs(60);

fn nudges_since(bot: &TestBot, channel: &str, since: u64) -> Vec<Call> {
    bot.slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.seq >= since && is_nudge(c, channel))
        .collect()
}

/// The first nudge in `channel` from call `since` on that mentions the manager.
/// `/trouble report` in `channel`: the text of every message it posted there.
async fn report_posted(bot: &TestBot, channel: &str) -> String {
    let mark = last_call(bot);
    bot.command_text(SALES, channel, "report").await;
    bot.settle().await;
    bot.slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.seq > mark && c.params["channel"] == channel)
        .map(|c| c.params["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn nudge_to_the_manager(bot: &TestBot, channel: &str, since: u64) -> Call {
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.seq >= since && is_nudge(c, channel) && text_of(&c.params).contains(&format!("<@{MANAGER}>"))
        })
        .await
}

/// The manager takes the bot out of the trouble's channel: what would be posted there comes
/// by DM instead.
async fn lose_the_channel(bot: &TestBot, channel: &str) {
    bot.slack.lose_channel(channel, "not_in_channel");
    let mut left = channel_event("channel_left", channel, None);
    left["event"]["actor_id"] = serde_json::json!(MANAGER);
    assert_eq!(bot.event(&left, None).await.status(), 200);
}

#[tokio::test]
async fn a_nudge_mentions_the_owner_an_update_postpones_the_next_and_close_stops_them() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(CADENCE).await;
    let first = bot
        .slack
        .wait_for("chat.postMessage", |c| is_nudge(c, &t.channel))
        .await;
    let text = text_of(&first.params);
    assert!(text.contains(&format!("<@{SALES}>")), "mentions the owner: {text}");
    assert!(
        text.contains("even if the cause is not known"),
        "says what a good update is: {text}"
    );
    assert!(
        !text.contains(&format!("<@{MANAGER}>")),
        "not yet overdue twice: {text}"
    );

    let answer = bot
        .command_text(
            SALES,
            &t.channel,
            "update Called Mr. Sato: replacement parts ship tomorrow",
        )
        .await;
    assert!(answer.contains("logged"), "{answer}");
    let mark = bot.slack.calls().len() as u64;
    bot.advance_and_settle(CADENCE).await;
    let next = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq >= mark && is_nudge(c, &t.channel))
        .await;
    assert!(
        !text_of(&next.params).contains(&format!("<@{MANAGER}>")),
        "the clock restarted at the update: {}",
        next.params
    );
    let trouble = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert_eq!(trouble.customer_updates.len(), 1);

    // Close (force, by the manager) and nothing more arrives.
    bot.command_text(MANAGER, &t.channel, "close force test").await;
    let mark = bot.slack.calls().len() as u64;
    bot.advance_and_settle(3 * CADENCE).await;
    assert!(
        nudges_since(&bot, &t.channel, mark).is_empty(),
        "no nudge after the close"
    );
}

#[tokio::test]
async fn overdue_twice_the_cadence_brings_in_the_manager() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(CADENCE).await;
    assert_eq!(nudges_since(&bot, &t.channel, 0).len(), 1, "overdue once: one nudge");
    bot.advance_and_settle(CADENCE).await;
    let with_manager = nudge_to_the_manager(&bot, &t.channel, 0).await;
    let before = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| is_nudge(c, &t.channel) && c.seq < with_manager.seq)
        .count();
    assert_eq!(before, 1, "one owner-only nudge first");
}

#[tokio::test]
async fn the_log_update_button_opens_a_modal_whose_submission_records_the_update() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(CADENCE).await;
    bot.slack
        .wait_for("chat.postMessage", |c| is_nudge(c, &t.channel))
        .await;
    // Opened, and answered by Slack, before the click is answered: a trigger id lives three
    // seconds, which no queue behind Slack's pacing may be trusted to keep.
    bot.slack.delay("views.open", Duration::from_millis(500));
    let r = bot
        .interaction(&button_payload(&bot.slack, SALES, "log_update", &t.id, &t.channel))
        .await;
    assert_eq!(r.status(), 200);
    let open = bot
        .slack
        .calls()
        .into_iter()
        .find(|c| c.method == "views.open" && c.outcome == "ok")
        .expect("the form is opened before the click is answered");
    assert_eq!(open.params["trigger_id"], "111.222.trigger");
    assert_eq!(open.params["view"]["callback_id"], "log_update");
    assert_eq!(open.params["view"]["private_metadata"], t.id.as_str());

    let submission = |text: &str, next: Option<&str>| update_submission(SALES, &t.id, text, next);
    // A time in the past is refused next to the field, and nothing is recorded.
    let r = bot
        .interaction(&submission("Told them", Some("2001-01-01 10:00")))
        .await;
    assert_eq!(r.status(), 200);
    let errors: Value = r.json().await.unwrap();
    assert_eq!(errors["response_action"], "errors");
    assert!(errors["errors"]["next"].as_str().unwrap().contains("past"), "{errors}");
    assert!(bot
        .store()
        .get(&TroubleId::new(&t.id))
        .unwrap()
        .unwrap()
        .customer_updates
        .is_empty());

    // Within two update periods (one further off is told to the manager, and the form says so).
    let r = bot
        .interaction(&submission("Told them the cause is being analysed", Some("17:00")))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().is_empty(), "an empty 200 closes the modal");
    let trouble = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert_eq!(trouble.customer_updates.len(), 1);
    assert_eq!(
        trouble.customer_updates[0].text,
        "Told them the cause is being analysed"
    );
    assert!(trouble.customer_updates[0].promised_next.is_some());
    let timeline = bot.store().timeline(&TroubleId::new(&t.id)).unwrap();
    assert!(timeline.iter().any(|e| matches!(&e.event, trouble_bot::trouble::timeline::Event::CustomerUpdate { text, .. } if text.contains("being analysed"))));
}

#[tokio::test]
async fn a_log_update_form_slack_would_not_open_or_an_outsiders_click_is_told_to_the_clicker() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.slack.fail_next("views.open", "expired_trigger_id", 1);
    let r = bot
        .interaction(&button_payload(&bot.slack, SALES, "log_update", &t.id, &t.channel))
        .await;
    assert_eq!(r.status(), 200);
    let told = click_answer(&bot, SALES, "did not open").await;
    assert!(told.contains("/trouble update"), "{told}");

    let r = bot
        .interaction(&button_payload(
            &bot.slack,
            "U0OUTSIDER",
            "log_update",
            &t.id,
            &t.channel,
        ))
        .await;
    assert_eq!(r.status(), 200);
    let refused = click_answer(&bot, "U0OUTSIDER", "Only").await;
    assert!(refused.contains(SALES), "{refused}");
    assert_eq!(
        bot.slack.calls().iter().filter(|c| c.method == "views.open").count(),
        1,
        "no form for the outsider"
    );
    // The open form alike: the answer says how to open it in one line.
    bot.slack.fail_next("views.open", "expired_trigger_id", 1);
    let told = bot.command_text(SALES, ORIGIN, "open").await;
    assert!(
        told.contains("did not open") && told.contains("/trouble open CUSTOMER: SUMMARY"),
        "{told}"
    );
}

/// The facts and action forms answer a form Slack would not open as the open and update forms
/// do: the one-line command to type instead, and a token Slack refuses said so (a retry cannot
/// mend it; the open form's says to tell the manager), never "something went wrong on our
/// side"; one Slack did not confirm (a 5xx, a timeout) may have opened, and is not said to have
/// failed.
#[tokio::test]
async fn a_facts_or_action_form_slack_would_not_open_says_the_one_line_command() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    bot.slack.fail_next("views.open", "expired_trigger_id", 1);
    let told = bot.command_text(SALES, &t.channel, "fact").await;
    assert!(
        told.contains("did not open") && told.contains("/trouble fact KEY VALUE"),
        "{told}"
    );
    // A 5xx (or a timeout) may have opened it: the answer does not say it did not.
    bot.slack.fail_http_next("views.open", 500, 1);
    let told = bot.command_text(SALES, ORIGIN, "open").await;
    assert!(
        told.contains("If it opened, use it; if not") && !told.contains("did not open"),
        "{told}"
    );
    // Counted as what each was: the refusal as an error, the 5xx as unconfirmed.
    let metrics = metrics_at(&bot.base_url).await;
    for outcome in ["permanent_error", "unconfirmed"] {
        let line = format!("trouble_bot_slack_calls_total{{method=\"views.open\",outcome=\"{outcome}\"}} 1\n");
        assert!(metrics.contains(&line), "{outcome}: {metrics}");
    }
    bot.slack.fail_next("views.open", "token_revoked", 1);
    let told = bot.command_text(SALES, &t.channel, "action").await;
    assert!(
        told.contains("refuses the bot's token (token_revoked)") && told.contains("/trouble action interim"),
        "{told}"
    );
    // The open form names who must hear of a trouble at once, as the one-line open's answer does.
    bot.slack.fail_next("views.open", "token_revoked", 1);
    let told = bot.command_text(SALES, ORIGIN, "open").await;
    assert!(
        told.contains("refuses the bot's token") && told.contains("tell your manager yourself"),
        "{told}"
    );
}

#[tokio::test]
async fn a_nudge_slack_held_back_until_the_customer_was_updated_is_withdrawn_and_the_timeline_says_so() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.settle().await;
    bot.slack.outage(Duration::from_secs(600));
    bot.advance(CADENCE);
    // The nudge is decided, and waits in the channel's lane while Slack is down.
    let id = TroubleId::new(&t.id);
    wait_until(|| {
        let timeline = bot.store().timeline(&id).ok()?;
        timeline
            .iter()
            .any(|e| matches!(e.event, trouble_bot::trouble::timeline::Event::NudgePosted { .. }))
            .then_some(())
    })
    .await;
    bot.command_text(SALES, &t.channel, "update told them the replacement ships today")
        .await;
    bot.slack.end_outage();
    bot.advance_and_settle(MINUTE).await;
    bot.posted_saying(&t.channel, "the replacement ships today").await;
    let nudges_posted = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| is_nudge(c, &t.channel) && c.outcome == "ok")
        .count();
    assert_eq!(nudges_posted, 0, "no nudge about an update already given");
    let events = event_kinds(&bot, &t.id);
    let posted = events
        .iter()
        .position(|e| e.starts_with("NudgePosted"))
        .expect("the nudge was decided");
    assert!(
        events[posted..].iter().any(|e| e.starts_with("NudgeWithdrawn")),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_promise_gets_its_nudge_and_when_missed_the_manager_is_mentioned() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    let answer = bot
        .command_text(SALES, &t.channel, "update Cause under investigation next: 2h")
        .await;
    assert!(answer.contains("promised"), "{answer}");
    let mark_promise = bot.slack.calls().len() as u64;
    // Twenty minutes before the promise, nothing yet; fifteen before, the reminder…
    bot.advance_and_settle(100 * MINUTE).await;
    assert!(
        nudges_since(&bot, &t.channel, mark_promise).is_empty(),
        "no reminder 20 minutes before"
    );
    bot.advance_and_settle(5 * MINUTE).await;
    let soon = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq >= mark_promise && is_nudge(c, &t.channel))
        .await;
    assert!(text_of(&soon.params).contains("you promised"), "{}", soon.params);
    // …then the missed promise, then (missed by a whole cadence) the manager.
    bot.advance_and_settle(15 * MINUTE).await;
    let missed = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq > soon.seq && is_nudge(c, &t.channel))
        .await;
    assert!(text_of(&missed.params).contains("overdue"), "{}", missed.params);
    bot.advance_and_settle(CADENCE).await;
    let manager = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq > missed.seq && is_nudge(c, &t.channel))
        .await;
    assert!(
        text_of(&manager.params).contains(&format!("<@{MANAGER}>")),
        "{}",
        manager.params
    );
}

#[tokio::test]
async fn a_promise_missed_at_closing_time_brings_the_manager_in_after_a_cadence_of_working_time() {
    let bot = spawn_bot_with(&format!(
        "{NUDGES}\n[business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n"
    ))
    .await;
    let t = bot.open_ready("ACME: broken").await;
    // Monday 10:00 in Tokyo: the customer is promised news by 17:30.
    bot.command_text(SALES, &t.channel, "update Cause under investigation next: 17:30")
        .await;
    let manager_nudged = |bot: &TestBot| {
        nudges_since(bot, &t.channel, 0)
            .iter()
            .any(|c| text_of(&c.params).contains(&format!("<@{MANAGER}>")))
    };
    bot.advance_and_settle(7 * 60 * MINUTE + 16 * MINUTE).await;
    assert_eq!(nudges_since(&bot, &t.channel, 0).len(), 1, "before the promise");
    bot.advance_and_settle(15 * MINUTE).await;
    assert_eq!(nudges_since(&bot, &t.channel, 0).len(), 2, "at the promise");
    assert!(!manager_nudged(&bot));
    // Tuesday 12:00: half an hour before opening plus three and a half hours, not yet a cadence.
    bot.advance_and_settle(18 * 60 * MINUTE + 29 * MINUTE).await;
    assert!(!manager_nudged(&bot), "missed by 3.5 working hours, not by a cadence");
    bot.advance_and_settle(31 * MINUTE).await;
    assert!(manager_nudged(&bot), "missed by four working hours: the manager hears");
}

/// Under business hours a `1d` cadence is a working day: set at 10:00 on Monday, the nudge
/// comes at 10:00 on Tuesday (24 working hours of 9-hour days would have been Wednesday 15:00).
#[tokio::test]
async fn a_one_day_cadence_under_business_hours_nudges_at_the_same_time_the_next_working_day() {
    let bot = spawn_bot_with(
        "[severity.3]\nack_timeout = \"1h\"\ncustomer_update_every = \"1d\"\n\
         [business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n",
    )
    .await;
    // Monday 10:00 in Tokyo.
    let t = bot.open_ready("sev3 ACME: a scratch on one housing").await;
    bot.advance_and_settle(24 * 60 * MINUTE - MINUTE).await;
    assert!(nudges_since(&bot, &t.channel, 0).is_empty(), "Tuesday 09:59");
    bot.advance_and_settle(MINUTE).await;
    assert_eq!(nudges_since(&bot, &t.channel, 0).len(), 1, "Tuesday 10:00");
    // An update at Tuesday 17:00 is owed again by Wednesday 17:00.
    bot.advance_and_settle(7 * 60 * MINUTE).await;
    bot.command_text(SALES, &t.channel, "update Replacement shipped today")
        .await;
    let since = bot.slack.calls().len() as u64;
    bot.advance_and_settle(24 * 60 * MINUTE - MINUTE).await;
    assert!(nudges_since(&bot, &t.channel, since).is_empty(), "Wednesday 16:59");
    bot.advance_and_settle(MINUTE).await;
    assert_eq!(nudges_since(&bot, &t.channel, since).len(), 1, "Wednesday 17:00");
}

#[tokio::test]
async fn a_promise_in_the_past_or_unreadable_is_refused() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let past = bot
        .command_text(SALES, &t.channel, "update Called next: 2001-01-01 09:00")
        .await;
    assert!(past.contains("past"), "{past}");
    let garbage = bot
        .command_text(SALES, &t.channel, "update Called next: whenever")
        .await;
    assert!(garbage.contains("15:00"), "shows the accepted forms: {garbage}");
    assert!(bot
        .store()
        .get(&TroubleId::new(&t.id))
        .unwrap()
        .unwrap()
        .customer_updates
        .is_empty());
}

#[tokio::test]
async fn the_bot_stopped_across_three_cadences_posts_one_nudge_after_it_starts() {
    let mut bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.stop().await;
    // Down for more than three cadences.
    bot.advance(3 * CADENCE + CADENCE / 2);
    let mark = bot.slack.calls().len() as u64;
    bot.restart().await;
    bot.settle().await;
    let first = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq >= mark && is_nudge(c, &t.channel))
        .await;
    assert!(
        text_of(&first.params).contains(&format!("<@{MANAGER}>")),
        "long overdue: the manager is told"
    );
    assert_eq!(
        nudges_since(&bot, &t.channel, mark).len(),
        1,
        "one nudge, not one per cadence missed"
    );
}

#[tokio::test]
async fn the_status_message_shows_the_last_update_and_the_next_due() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "update Called the plant next: tomorrow 10:00")
        .await;
    let status_ts = bot
        .store()
        .get(&TroubleId::new(&t.id))
        .unwrap()
        .unwrap()
        .status
        .unwrap()
        .ts
        .to_string();
    let update = bot
        .slack
        .wait_for("chat.update", |c| {
            c.params["ts"] == status_ts.as_str() && text_of(&c.params).contains("promised")
        })
        .await;
    assert!(text_of(&update.params).contains("10:00"), "{}", update.params);
}

#[tokio::test]
async fn outside_business_hours_nothing_is_posted() {
    // Business hours only on Wednesdays; the test clock starts on a Monday: the nudge falls due, but waits.
    let extra = format!("{NUDGES}\n[business_hours]\ndays = [\"wed\"]\nopen = \"00:00\"\nclose = \"23:59\"\n");
    let bot = spawn_bot_with(&extra).await;
    let t = bot.open_ready("ACME: broken").await;
    // Monday 15:00 in Tokyo: four hours have passed, but no working hours.
    bot.advance_and_settle(CADENCE + MINUTE * 60).await;
    assert!(
        nudges_since(&bot, &t.channel, 0).is_empty(),
        "nothing posted outside business hours"
    );
    let trouble = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert!(trouble.is_open());
    // Wednesday 07:00 in Tokyo: four working hours have passed, the nudge goes out.
    bot.advance_and_settle(Duration::from_secs(40 * 3600)).await;
    assert!(
        !nudges_since(&bot, &t.channel, 0).is_empty(),
        "the nudge goes out on Wednesday"
    );
}

/// A rep promises a day, not an hour (`next: 明日中`, `next: 金曜`): the promise falls due at the
/// close of that business day, rather than the whole update being refused.
#[tokio::test]
async fn a_promise_of_a_day_alone_falls_due_at_its_close() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let answer = bot
        .command_text(SALES, &t.channel, "update 謝罪済み、代替品を手配中 次回：明日中")
        .await;
    // The test clock starts on Monday 2026-11-30 in Tokyo: tomorrow's close is 18:00.
    assert!(answer.contains("2026-12-01 18:00"), "{answer}");
    let stored = trouble(&bot, &t.id);
    assert_eq!(stored.customer_updates.len(), 1);
    let local = stored
        .promised_next()
        .expect("a promise")
        .with_timezone(&chrono_tz::Asia::Tokyo);
    assert_eq!(local.format("%Y-%m-%d %H:%M").to_string(), "2026-12-01 18:00");
}

/// The owner on a phone sees the overdue update in App Home with **Log update**: the click
/// opens the same form, its submission records the update, and the Home no longer lists it.
#[tokio::test]
async fn an_overdue_update_is_logged_from_app_home() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(CADENCE).await;
    let home = app_home(&bot, SALES).await;
    let view: Value = serde_json::from_str(&home).expect("a view");
    let overdue = view["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .skip_while(|b| {
            !b["text"]["text"]
                .as_str()
                .is_some_and(|x| x.contains("Customer update overdue* (1)"))
        })
        .nth(1)
        .expect("the overdue row")
        .clone();
    assert!(
        overdue["text"]["text"].as_str().unwrap_or_default().contains(&t.id),
        "{overdue}"
    );
    assert_eq!(overdue["accessory"]["action_id"], "log_update", "{overdue}");
    let value = overdue["accessory"]["value"].as_str().expect("a value");

    let r = bot.interaction(&home_button_payload(SALES, "log_update", value)).await;
    assert_eq!(r.status(), 200);
    let open = bot.slack.wait_for("views.open", |_| true).await;
    assert_eq!(open.params["view"]["private_metadata"], t.id.as_str());
    let r = bot
        .interaction(&update_submission(
            SALES,
            &t.id,
            "Told them the cause is being analysed",
            None,
        ))
        .await;
    assert_eq!(r.status(), 200);
    let home = app_home(&bot, SALES).await;
    assert!(home.contains("Customer update overdue* (0)"), "{home}");
}

/// A promise for the evening is recalled before the hours end, as the answer says at once; one
/// with no working time left before it is answered so, rather than with a reminder that would
/// never come.
#[tokio::test]
async fn a_promise_outside_business_hours_is_recalled_before_they_end_and_the_answer_says_so() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    // Thursday 17:00 in Tokyo (the clock starts on Monday 10:00).
    bot.advance_and_settle(Duration::from_secs((3 * 24 + 7) * 3600)).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot
        .command_text(SALES, &t.channel, "update told them we call back next: 22:00")
        .await;
    assert!(
        r.contains(
            "The promised Thu 2026-12-03 22:00 is outside business hours, so I'll remind you at Thu 2026-12-03 17:45"
        ),
        "{r}"
    );
    let mark = bot.slack.calls().iter().map(|c| c.seq).max().unwrap_or(0);
    bot.advance_and_settle(45 * MINUTE).await;
    let reminder = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq > mark && is_nudge(c, &t.channel))
        .await;
    let text = text_of(&reminder.params);
    assert!(text.contains("this is the last reminder before it"), "{text}");

    // Friday 18:30: the hours are over until Tuesday (Monday is a holiday).
    bot.advance_and_settle(Duration::from_secs(24 * 3600 + 45 * 60)).await;
    let r = bot
        .command_text(SALES, &t.channel, "update apologised next: tomorrow 10:00")
        .await;
    assert!(
        r.contains(
            "No business hours are left before the promised Sat 2026-12-05 10:00, so no reminder will come before it"
        ),
        "{r}"
    );
}

/// The Log update form says what the command would when it says more than "logged": a promise
/// outside business hours is recalled before they end, and the form, rather than closing, shows
/// when.
#[tokio::test]
async fn the_log_update_form_shows_when_a_promise_outside_business_hours_is_recalled() {
    for (locale, next, said) in [
        (
            "en",
            "22:00",
            "is outside business hours, so I'll remind you at Thu 2026-12-03 17:45",
        ),
        ("ja", "22:00", "は営業時間外のため、その前の営業時間内（"),
    ] {
        let config = BASE_CONFIG.replace("locale = \"en\"", &format!("locale = \"{locale}\""));
        let bot = spawn_bot_raw(&format!("{config}\n{OFFICE_HOURS}")).await;
        // Thursday 17:00 in Tokyo (the clock starts on Monday 10:00).
        bot.advance_and_settle(Duration::from_secs((3 * 24 + 7) * 3600)).await;
        let t = bot.open_ready("ACME: broken").await;
        let r = bot
            .interaction(&update_submission(SALES, &t.id, "told them we call back", Some(next)))
            .await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap_or_default();
        assert_eq!(answer["response_action"], "update", "{locale}: {answer}");
        let shown = answer["view"].to_string();
        assert!(shown.contains(said) && shown.contains("17:45"), "{locale}: {shown}");
        assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 1, "{locale}");
    }
}

/// A trouble reopened after days closed owes its customer an update a cadence after the
/// reopening: the Home does not list it overdue at once, the first nudge counts from the
/// reopening and says so, and the manager is brought in only once that is overdue twice.
#[tokio::test]
async fn a_reopened_trouble_counts_the_customer_update_cadence_from_the_reopening() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "update Replacements shipped next: tomorrow 10:00")
        .await;
    bot.command_text(MANAGER, &t.channel, "close force customer accepted the replacements")
        .await;
    bot.advance_and_settle(Duration::from_secs(5 * 24 * 3600)).await;
    let r = bot
        .command_text(MANAGER, &t.channel, "reopen customer found more cracks")
        .await;
    assert!(r.contains("open again"), "{r}");
    let home = app_home(&bot, SALES).await;
    assert!(
        home.contains("Customer update overdue* (0)"),
        "not overdue the moment it is reopened: {home}"
    );
    let status_ts = trouble(&bot, &t.id).status.expect("a status message").ts.to_string();
    let reopened_at = chrono::DateTime::from_timestamp(bot.now_secs(), 0).expect("the bot's clock");
    let due = format_day_time(
        Locale::En,
        bot.config().policy.timezone,
        reopened_at + chrono::Duration::hours(4),
    );
    // The channel's status message says the next update is due a cadence after the reopening,
    // not the promise made before the close.
    let status = bot
        .slack
        .wait_for("chat.update", |c| {
            c.params["ts"] == status_ts.as_str() && text_of(&c.params).contains(&due)
        })
        .await;
    let status = text_of(&status.params);
    assert!(
        status.contains("Next update due") && !status.contains("Next contact promised"),
        "{status}"
    );

    let mark = bot.slack.calls().len() as u64;
    bot.advance_and_settle(CADENCE).await;
    let first = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq >= mark && is_nudge(c, &t.channel))
        .await;
    let text = text_of(&first.params);
    assert!(text.contains("since the trouble was reopened"), "{text}");
    assert!(text.contains("in the 4h since"), "waited since the reopening: {text}");
    assert!(
        !text.contains(&format!("<@{MANAGER}>")),
        "the closed days are not waiting: {text}"
    );
    bot.advance_and_settle(CADENCE).await;
    nudge_to_the_manager(&bot, &t.channel, first.seq + 1).await;
}

/// The manager brought in by a nudge reads what the customer was last told, when and by whom,
/// without opening the status.
#[tokio::test]
async fn a_nudge_that_brings_in_the_manager_quotes_what_the_customer_was_last_told() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "update Told Mr. Sato we are sorting stock")
        .await;
    bot.advance_and_settle(CADENCE).await;
    bot.advance_and_settle(CADENCE).await;
    let with_manager = nudge_to_the_manager(&bot, &t.channel, 0).await;
    let text = with_manager.params["text"].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!(
            "Last told to the customer (Mon 2026-11-30 10:00, <@{SALES}>): “Told Mr. Sato we are sorting stock”"
        )),
        "{text}"
    );
}

/// A colleague's update that gives no new time leaves the owner's promise standing: the customer
/// still expects the call. The answer says so, the status still shows the promise, and the
/// reminder still comes a quarter of an hour before it, not a cadence after the colleague's update.
#[tokio::test]
async fn a_colleagues_update_without_a_time_leaves_the_owners_promise_standing() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "update sorting started next: 6h")
        .await;
    bot.advance_and_settle(60 * MINUTE).await;
    let answer = bot
        .command_text(MANAGER, &t.channel, "update QA sent the 8D draft to their QA")
        .await;
    assert!(
        answer.contains("15 minutes before the promised") && answer.contains("the earlier promise stands"),
        "{answer}"
    );
    assert!(trouble(&bot, &t.id).promised_next().is_some());
    let mark = bot.slack.calls().len() as u64;
    // A cadence (4h) after the colleague's update, nothing: the promise (in 5h) governs.
    bot.advance_and_settle(4 * 60 * MINUTE + 30 * MINUTE).await;
    assert!(
        nudges_since(&bot, &t.channel, mark).is_empty(),
        "no cadence nudge before the promise"
    );
    bot.advance_and_settle(20 * MINUTE).await;
    let soon = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq >= mark && is_nudge(c, &t.channel))
        .await;
    assert!(text_of(&soon.params).contains("you promised"), "{}", soon.params);
}

/// A call promised before a close still stands after a reopening: no "coming up" nudge a cadence
/// after the reopening, days early, but the promise's own reminder a quarter of an hour before it.
#[tokio::test]
async fn a_promise_made_before_a_close_is_reminded_on_time_after_a_reopening() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    // Now is Monday 2026-11-30 10:00 in Tokyo: the call is promised for Thursday 10:00.
    let r = bot
        .command_text(SALES, &t.channel, "update called them next: 2026-12-03 10:00")
        .await;
    assert!(r.contains("Thu 2026-12-03 10:00"), "{r}");
    bot.command_text(MANAGER, &t.channel, "close force paused by the customer")
        .await;
    bot.advance_and_settle(Duration::from_secs(24 * 3600)).await;
    let r = bot.command_text(MANAGER, &t.channel, "reopen more defects").await;
    assert!(r.contains("open again"), "{r}");
    let mark = last_call(&bot);
    bot.advance_and_settle(CADENCE + MINUTE).await;
    let early = nudges_since(&bot, &t.channel, mark);
    assert!(
        early.is_empty(),
        "{:?}",
        early.iter().map(|c| text_of(&c.params)).collect::<Vec<_>>()
    );
    // Tuesday 14:01 to Thursday 09:46: the reminder, a quarter of an hour before the call.
    bot.advance_and_settle(Duration::from_secs(43 * 3600 + 45 * 60)).await;
    let reminder = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq > mark && is_nudge(c, &t.channel))
        .await;
    let text = text_of(&reminder.params);
    assert!(
        text.contains("Thu 2026-12-03 10:00") && text.contains("coming up"),
        "{text}"
    );
}

/// Opened on a Friday evening, the first call falls due days of the calendar later (Monday 7
/// December is a holiday): the checklist says the allowance as configured, working time, not
/// the calendar's "3d16h".
#[tokio::test]
async fn the_first_call_checklist_says_its_allowance_in_business_hours() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    // Monday 10:00 to Friday 17:40.
    bot.advance_and_settle(Duration::from_secs((4 * 24 + 7) * 3600 + 40 * 60))
        .await;
    bot.open_ready("ACME: broken").await;
    let mark = last_call(&bot);
    // To Tuesday 09:11, past the checklist's halfway point (09:10).
    bot.advance_and_settle(Duration::from_secs((3 * 24 + 15) * 3600 + 31 * 60))
        .await;
    let checklist = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark && text_of(&c.params).contains("has not heard from us yet")
        })
        .await;
    let text = text_of(&checklist.params);
    assert!(
        text.contains("The first call is due by Tue 2026-12-08 09:40 (1h of business hours after opening)"),
        "{text}"
    );
    assert!(!text.contains("3d"), "{text}");
}

/// After a hand-over, a promise the former owner made is named as theirs: the new owner is
/// reminded of it, not told they made it.
#[tokio::test]
async fn a_promise_made_before_a_handover_is_named_as_its_makers() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "update called them next: 12:00")
        .await;
    bot.command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    let mark = last_call(&bot);
    bot.advance_and_settle(Duration::from_secs(2 * 3600 + 60)).await;
    let nudges: Vec<String> = nudges_since(&bot, &t.channel, mark)
        .iter()
        .map(|c| text_of(&c.params))
        .collect();
    assert!(
        nudges
            .iter()
            .any(|n| n.contains(&format!("<@{COLLEAGUE}> the update <@{SALES}> promised ACME for"))),
        "{nudges:?}"
    );
    assert!(nudges.iter().all(|n| !n.contains("you promised")), "{nudges:?}");
}

/// An update logged on the wrong trouble (Globex's channel, told to ACME) is withdrawn: it stays
/// on the timeline, and counts for nothing: not as the first contact (the kickoff, the first-call
/// checklist, `stats`, `list` and App Home say the customer has not heard from us), nor its
/// promise (no reminder comes, and the next update does not keep it), while the cadence runs
/// from the opening again.
#[tokio::test]
async fn an_update_logged_on_the_wrong_trouble_is_withdrawn_and_counts_for_nothing() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("Globex: late delivery").await;
    bot.advance_and_settle(10 * MINUTE).await;
    let logged = bot
        .command_text(
            SALES,
            &t.channel,
            "update told ACME we will replace lot 42 next: tomorrow 10:00",
        )
        .await;
    assert!(logged.contains("logged"), "{logged}");
    bot.paced("the kickoff shows the first contact made", || {
        let k = bot.slack.message_versions(&t.channel, &t.kickoff_ts).pop()?;
        (text_of(&k).contains("First customer contact") && !text_of(&k).contains("due by")).then_some(())
    })
    .await;

    // Someone who neither logged it, owns the trouble nor is in the chain changes nothing.
    let refused = bot
        .command_text(COLLEAGUE, &t.channel, "withdraw update wrong trouble")
        .await;
    assert!(
        refused.starts_with("Only") && refused.contains(SALES) && refused.contains(MANAGER),
        "{refused}"
    );
    assert!(trouble(&bot, &t.id).customer_updates[0].withdrawn.is_none());

    let mark = last_call(&bot);
    let answer = bot
        .command_text(SALES, &t.channel, "withdraw update wrong trouble, that was ACME")
        .await;
    assert!(
        answer.contains("Update #1") && answer.contains("withdrawn") && answer.contains("has not heard from us yet"),
        "{answer}"
    );
    let stored = trouble(&bot, &t.id);
    assert_eq!(stored.customer_updates.len(), 1, "the update stays on the record");
    let withdrawal = stored.customer_updates[0].withdrawn.as_ref().expect("marked withdrawn");
    assert_eq!(withdrawal.by.as_str(), SALES);
    assert_eq!(withdrawal.reason, "wrong trouble, that was ACME");
    assert!(!stored.contacted() && stored.promised_next().is_none());
    let kinds = event_kinds(&bot, &t.id);
    assert!(kinds.iter().any(|k| k.starts_with("CustomerUpdate")), "{kinds:?}");
    assert!(
        kinds.last().is_some_and(|k| k.starts_with("UpdateWithdrawn")),
        "{kinds:?}"
    );

    let line = bot
        .posted_saying(&t.channel, &format!("Update #1 withdrawn by <@{SALES}>"))
        .await;
    assert!(
        line.contains("wrong trouble, that was ACME") && line.contains("replace lot 42"),
        "{line}"
    );
    // The first call is owed again: its checklist comes at its halfway point (30 minutes after
    // the opening), and the kickoff shows the deadline, not the contact.
    bot.advance_and_settle(20 * MINUTE).await;
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark
                && c.params["channel"] == t.channel.as_str()
                && text_of(&c.params).contains("First call checklist")
        })
        .await;
    bot.paced("the kickoff shows the first contact due again", || {
        let k = bot.slack.message_versions(&t.channel, &t.kickoff_ts).pop()?;
        text_of(&k).contains("due by").then_some(())
    })
    .await;

    let again = bot
        .command_text(SALES, &t.channel, "withdraw update pressed twice")
        .await;
    assert!(again.contains(&format!("already withdrawn by <@{SALES}>")), "{again}");
    assert_eq!(
        event_kinds(&bot, &t.id)
            .iter()
            .filter(|k| k.starts_with("UpdateWithdrawn"))
            .count(),
        1
    );

    let stats = bot.command_text(DIRECTOR, ORIGIN, "stats").await;
    assert!(stats.contains("To first customer contact: none recorded"), "{stats}");
    let list = bot.command_text(MANAGER, ORIGIN, "list").await;
    assert!(
        list_rows(&list).1.contains(&t.id) && list.contains("customer not updated yet"),
        "{list}"
    );
    let home = app_home(&bot, MANAGER).await;
    assert!(
        home.contains("customer not updated yet") && !home.contains("last heard"),
        "{home}"
    );

    // The cadence runs from the opening again: the nudge is due four hours after it, not at
    // the withdrawn promise's reminder tomorrow.
    let mark = last_call(&bot);
    bot.advance_and_settle(CADENCE - 30 * MINUTE).await;
    let nudges = nudges_since(&bot, &t.channel, mark);
    assert_eq!(nudges.len(), 1, "{nudges:?}");
    assert!(
        text_of(&nudges[0].params).contains("since the trouble was opened"),
        "{:?}",
        nudges[0]
    );

    // An update now keeps no promise (the withdrawn one was never made).
    let next = bot
        .command_text(SALES, &t.channel, "update apologised, replacement in the works")
        .await;
    assert!(
        next.contains("logged") && !next.contains("earlier promise stands"),
        "{next}"
    );
    // Past the withdrawn promise's time: its reminder never comes.
    bot.advance_and_settle(Duration::from_secs(24 * 3600)).await;
    bot.nothing_posted_saying(&t.channel, "promised ACME an update").await;
    bot.nothing_posted_saying(&t.channel, "promised ACME for").await;
}

/// With an update before it, a withdrawn update puts the follow-up clock back to that one: the
/// cadence nudge comes a cadence after it, and the manager chain may withdraw a colleague's.
#[tokio::test]
async fn withdrawing_an_update_puts_the_follow_up_clock_back_to_the_contact_before_it() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, &format!("add <@{COLLEAGUE}>"))
        .await;
    bot.advance_and_settle(10 * MINUTE).await;
    bot.command_text(SALES, &t.channel, "update apologised, asked for the lot back")
        .await;
    bot.advance_and_settle(3 * 3600 * Duration::from_secs(1)).await;
    bot.command_text(
        COLLEAGUE,
        &t.channel,
        "update told Globex the truck left next: tomorrow 10:00",
    )
    .await;
    assert!(trouble(&bot, &t.id).promised_next().is_some());

    let answer = bot
        .command_text(MANAGER, &t.channel, "fix update 2 logged on the wrong trouble")
        .await;
    let first = format_day_time(
        Locale::En,
        chrono_tz::Asia::Tokyo,
        trouble(&bot, &t.id).customer_updates[0].at,
    );
    assert!(
        answer.contains("Update #2") && answer.contains(&format!("last heard from us at {first}")),
        "{answer}"
    );
    let stored = trouble(&bot, &t.id);
    assert!(stored.customer_updates[0].withdrawn.is_none() && stored.customer_updates[1].withdrawn.is_some());
    assert_eq!(stored.last_customer_contact(), stored.customer_updates[0].at);
    assert!(stored.promised_next().is_none());
    bot.posted_saying(&t.channel, &format!("Update #2 withdrawn by <@{MANAGER}>"))
        .await;

    // A cadence after the first update (10 min + 4 h), not the withdrawn promise's reminder.
    let mark = last_call(&bot);
    bot.advance_and_settle(55 * MINUTE).await;
    assert!(
        nudges_since(&bot, &t.channel, mark).is_empty(),
        "not before the cadence"
    );
    bot.advance_and_settle(10 * MINUTE).await;
    let nudges = nudges_since(&bot, &t.channel, mark);
    assert_eq!(nudges.len(), 1, "{nudges:?}");
    assert!(
        // The customer named, so a rep with several troubles reads which one in the notification.
        nudges[0].params["text"]
            .as_str()
            .unwrap_or_default()
            .contains("ACME has heard nothing for 4h"),
        "{:?}",
        nudges[0]
    );

    // The report lists the update still counted; its timeline keeps both, and the withdrawal.
    let report = report_posted(&bot, &t.channel).await;
    let updates = report.split("Customer updates").nth(1).expect("the report's updates");
    let updates = &updates[..updates.find("Timeline").unwrap_or(updates.len())];
    assert!(
        updates.contains("asked for the lot back") && !updates.contains("truck left"),
        "{updates}"
    );
    assert!(report.contains("customer update #2 withdrawn"), "{report}");

    let none = bot.command_text(SALES, &t.channel, "withdraw update 5 typo").await;
    assert!(none.contains("no update #5") && none.contains("#1 to #2"), "{none}");
}

/// A withdrawal after hours that leaves a nudge overdue posts nothing at night: the nudge comes
/// once at the opening.
#[tokio::test]
async fn a_nudge_a_withdrawal_makes_due_after_hours_comes_at_the_opening() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME: broken").await;
    // Monday 10:00 to 17:00: the opening's nudge (14:00) has come.
    bot.advance_and_settle(Duration::from_secs(7 * 3600)).await;
    bot.command_text(SALES, &t.channel, "update called them").await;
    // 18:30: after hours.
    bot.advance_and_settle(90 * MINUTE).await;
    let mark = last_call(&bot);
    let answer = bot
        .command_text(SALES, &t.channel, "withdraw update that was Globex")
        .await;
    assert!(answer.contains("withdrawn"), "{answer}");
    bot.settle().await;
    assert!(nudges_since(&bot, &t.channel, mark).is_empty(), "nothing at night");
    // Tuesday 09:00.
    bot.advance_and_settle(Duration::from_secs(14 * 3600 + 30 * 60)).await;
    let nudges = nudges_since(&bot, &t.channel, mark);
    assert_eq!(nudges.len(), 1, "once, at the opening: {nudges:?}");
}

/// In Japanese: `取消 報告` withdraws, answered and said in the channel in Japanese.
#[tokio::test]
async fn an_update_is_withdrawn_in_japanese() {
    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: 蓋の割れ").await;
    bot.command_text(SALES, &t.channel, "報告 お詫びしました").await;
    let answer = bot
        .command_text(SALES, &t.channel, "取消 報告 1 別件のトラブルでした")
        .await;
    assert!(
        answer.contains("お客様への報告 #1") && answer.contains("取り消しました"),
        "{answer}"
    );
    let line = bot.posted_saying(&t.channel, "お客様への報告 #1 を").await;
    assert!(
        line.contains("取り消しました") && line.contains("別件のトラブルでした"),
        "{line}"
    );
    let no_reason = bot.command_text(SALES, &t.channel, "取消 報告").await;
    assert!(no_reason.contains("理由"), "{no_reason}");
    assert!(trouble(&bot, &t.id).customer_updates[0].withdrawn.is_some());
}

/// Four update periods without a word to the customer, the manager reminded since the second:
/// the director, the one above the manager, hears once by DM, saying how long and who was
/// reminded. Nothing more the period after.
#[tokio::test]
async fn a_customer_left_without_news_for_four_periods_is_told_to_the_one_above_the_manager() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    for _ in 0..3 {
        bot.advance_and_settle(CADENCE).await;
    }
    bot.nothing_posted_saying(DIRECTOR, "has heard nothing from us").await;
    bot.advance_and_settle(CADENCE).await;
    let told = bot.posted_saying(DIRECTOR, "has heard nothing from us").await;
    assert!(
        told.contains(&format!(
            "📣 The customer of trouble {} (ACME, sev2 major) has heard nothing from us for 16h (updates are due every 4h); <@{MANAGER}> has been reminded. <#{}>",
            t.id, t.channel
        )),
        "{told}"
    );
    bot.advance_and_settle(CADENCE).await;
    let dms = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == DIRECTOR && text_of(&c.params).contains("has heard nothing"))
        .count();
    assert_eq!(dms, 1, "once");
}

/// The director, told the customer still waits, is not left with a stale alarm on their
/// phone: once the customer is updated, that DM says it is settled, by whom and when.
#[tokio::test]
async fn the_customer_still_waiting_dm_says_it_is_settled_once_the_customer_is_updated() {
    let (bot, t, told) = director_told().await;
    bot.command_text(SALES, &t.channel, "update told them the replacement ships today")
        .await;
    let settled = format!(
        "✅ Settled: on trouble {} (ACME), the customer was waiting; <@{SALES}> updated the customer",
        t.id
    );
    message_says(&bot, &told.0, &told.1, &settled).await;
}

/// Four cadences without a word to the customer: the director's DM says so (its channel and ts).
async fn director_told() -> (TestBot, OpenedTrouble, (String, String)) {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    for _ in 0..4 {
        bot.advance_and_settle(CADENCE).await;
    }
    let told = dm_saying(&bot, DIRECTOR, "has heard nothing from us").await;
    (bot, t, told)
}

/// [`director_told`], then an update settles the DM, five minutes ago.
async fn director_told_then_settled() -> (TestBot, OpenedTrouble, (String, String)) {
    let (bot, t, told) = director_told().await;
    bot.command_text(SALES, &t.channel, "update called them").await;
    message_says(&bot, &told.0, &told.1, "✅ Settled").await;
    bot.advance_and_settle(MINUTE * 5).await;
    (bot, t, told)
}

/// The update that settled the director's DM withdrawn (wrong trouble), the customer waits
/// again: the DM says so again, the wait counted up to the withdrawal (16h when it was posted,
/// 16h5m now), rather than read "Settled" for good, and is kept for the next update.
#[tokio::test]
async fn a_waiting_dm_settled_by_an_update_later_withdrawn_says_the_customer_waits_again() {
    let (bot, t, told) = director_told_then_settled().await;
    bot.command_text(SALES, &t.channel, "withdraw update wrong trouble")
        .await;
    message_says(&bot, &told.0, &told.1, "has heard nothing from us for 16h5m").await;
    wait_until(|| (trouble(&bot, &t.id).waiting_dms.len() == 1).then_some(())).await;
    bot.command_text(SALES, &t.channel, "update called them for real").await;
    message_says(&bot, &told.0, &told.1, "✅ Settled").await;
}

/// Two updates logged after the director's DM, both withdrawn (wrong trouble), in either order:
/// while one of them stands the customer heard from us since the wait the DM counted, so it stays
/// settled; once neither does, it says again that the customer waits, whichever settled it.
#[tokio::test]
async fn a_waiting_dm_says_the_customer_waits_again_once_every_update_since_is_withdrawn() {
    for order in [["1", "2"], ["2", "1"]] {
        let (bot, t, told) = director_told_then_settled().await;
        bot.command_text(SALES, &t.channel, "update sent the photos").await;
        bot.advance_and_settle(MINUTE * 5).await;
        let first = format!("withdraw update {} wrong trouble", order[0]);
        bot.command_text(SALES, &t.channel, &first).await;
        bot.settle().await;
        let now = bot.slack.message_versions(&told.0, &told.1).pop().expect("the DM");
        assert!(
            text_of(&now).contains("✅ Settled"),
            "{order:?}: one update stands: {now}"
        );
        let second = format!("withdraw update {} wrong trouble", order[1]);
        bot.command_text(SALES, &t.channel, &second).await;
        message_says(&bot, &told.0, &told.1, "has heard nothing from us for 16h10m").await;
    }
}

/// Out of its channel, the owner's nudge that a promised update is overdue comes by DM; once the
/// customer is updated, it says so (the promise it was about, who updated them), in both
/// languages, rather than still read overdue.
#[tokio::test]
async fn the_owners_overdue_promise_dm_says_it_is_settled_once_the_customer_is_updated() {
    for (locale, overdue, settled) in [
        ("en", "is overdue", "was overdue; <@U0SALES> updated the customer"),
        ("ja", "を過ぎています", "に約束した報告は遅れましたが、"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: broken").await;
        bot.command_text(SALES, &t.channel, "update called them next: 2h").await;
        lose_the_channel(&bot, &t.channel).await;
        bot.advance_and_settle(Duration::from_secs(2 * 3600 + 60)).await;
        let nudge = dm_saying(&bot, SALES, overdue).await;
        bot.command_text(SALES, &t.channel, "update shipped the replacement")
            .await;
        message_says(&bot, &nudge.0, &nudge.1, settled).await;
        message_says(&bot, &nudge.0, &nudge.1, "✅").await;
    }
}

/// Out of its channel, a nudge comes by DM every cadence: only the newest to each person is
/// kept, the older pointing to it, so a trouble left a week keeps a few, not hundreds. At the
/// close, those kept say it was closed and are forgotten; none is left reading the customer waits.
#[tokio::test]
async fn only_the_newest_waiting_dm_to_each_person_is_kept_and_the_close_settles_them() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    lose_the_channel(&bot, &t.channel).await;
    bot.advance_and_settle(CADENCE).await;
    let first = dm_saying(&bot, SALES, "heard nothing from us in the 4h").await;
    for _ in 0..3 {
        bot.advance_and_settle(CADENCE).await;
    }
    message_says(&bot, &first.0, &first.1, "the newer message below says how long").await;
    let kept = wait_until(|| {
        let kept = trouble(&bot, &t.id).waiting_dms;
        let per_person = kept
            .iter()
            .map(|m| &m.posted.channel)
            .collect::<std::collections::HashSet<_>>();
        (kept.len() == per_person.len() && !kept.iter().any(|m| m.posted.ts.as_str() == first.1)).then_some(kept)
    })
    .await;
    assert!(!kept.is_empty() && kept.len() <= 3, "one per person: {kept:?}");
    bot.command_text(MANAGER, &t.channel, "close force test").await;
    for m in &kept {
        let (channel, ts) = (m.posted.channel.as_str(), m.posted.ts.as_str());
        message_says(&bot, channel, ts, &format!("🏁 Trouble {} (ACME) was closed", t.id)).await;
    }
    wait_until(|| trouble(&bot, &t.id).waiting_dms.is_empty().then_some(())).await;
}

/// The director's DM that the customer still waits, held on its way while the owner updates
/// the customer, is settled as it lands, not left reading the customer has heard nothing.
#[tokio::test]
async fn a_customer_still_waiting_dm_landing_after_the_update_is_settled_at_once() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    for _ in 0..3 {
        bot.advance_and_settle(CADENCE).await;
    }
    bot.slack.hold("chat.postMessage");
    bot.advance(CADENCE);
    bot.slack
        .wait_held("chat.postMessage", |c| {
            c.params["channel"] == DIRECTOR && text_of(&c.params).contains("has heard nothing")
        })
        .await;
    bot.command_text(SALES, &t.channel, "update told them the replacement ships today")
        .await;
    bot.slack.release("chat.postMessage");
    let told = dm_saying(&bot, DIRECTOR, "has heard nothing from us").await;
    let settled = format!(
        "✅ Settled: on trouble {} (ACME), the customer was waiting; <@{SALES}> updated the customer",
        t.id
    );
    message_says(&bot, &told.0, &told.1, &settled).await;
    wait_until(|| trouble(&bot, &t.id).waiting_dms.is_empty().then_some(())).await;
}

/// An update the manager logged, withdrawn by the owner: the manager hears it from the bot,
/// with what they had logged and why it was withdrawn. One withdrawn by whoever logged it
/// tells nobody.
#[tokio::test]
async fn whoever_logged_an_update_someone_else_withdrew_is_told() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(MANAGER, &t.channel, "update told them 3000 pcs are recalled")
        .await;
    bot.command_text(SALES, &t.channel, "update told them the truck left")
        .await;
    bot.command_text(SALES, &t.channel, "withdraw update 1 that was Globex")
        .await;
    let told = bot.posted_saying(MANAGER, "withdrew customer update #1").await;
    assert!(
        told.contains(&format!(
            "✏️ <@{SALES}> withdrew customer update #1 you logged on trouble {} (ACME)",
            t.id
        )) && told.contains("3000 pcs are recalled")
            && told.contains("that was Globex"),
        "{told}"
    );
    bot.command_text(SALES, &t.channel, "withdraw update 2 typed twice")
        .await;
    bot.nothing_posted_saying(SALES, "withdrew customer update").await;
}

/// An update withdrawn once the cadence from the last contact still counted has run out: the
/// answer says an update is owed now, not a deadline already past as if it were ahead.
#[tokio::test]
async fn an_update_withdrawn_after_the_cadence_ran_out_is_answered_as_owed_now() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("Globex: late delivery").await;
    bot.command_text(SALES, &t.channel, "update told them we are checking the lot")
        .await;
    bot.advance_and_settle(CADENCE / 2).await;
    let second = bot
        .command_text(SALES, &t.channel, "update replacement ships friday")
        .await;
    assert!(second.contains("logged"), "{second}");
    bot.advance_and_settle(CADENCE * 3 / 4).await;
    // The first update counts again: its cadence ran out an hour ago.
    let answer = bot
        .command_text(SALES, &t.channel, "withdraw update 2 that was Initech")
        .await;
    assert!(
        answer.contains("The next update is overdue: it is owed now."),
        "{answer}"
    );
    assert!(!answer.contains("due by"), "{answer}");

    // Within the cadence, the answer gives the time still ahead.
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("Globex: late delivery").await;
    bot.command_text(SALES, &t.channel, "update told them we are checking the lot")
        .await;
    bot.command_text(SALES, &t.channel, "update typed twice").await;
    let answer = bot
        .command_text(SALES, &t.channel, "withdraw update 2 typed twice")
        .await;
    assert!(answer.contains("The next update is due by"), "{answer}");
}

/// An update that says nothing would restart the follow-up clock and silence the nudges: a
/// letter that shows as blank (the Hangul filler), a mention alone, an emoji's code alone, a
/// sign Slack escapes or a mark that only lengthens or sits on a letter is refused as
/// punctuation is, and nothing is logged. The report says what each update
/// promised, and whether the next one came in time.
#[tokio::test]
async fn an_update_that_says_nothing_is_refused_and_the_report_says_what_was_promised_and_kept() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    // A typed `&` comes as Slack's `&amp;`; `ー` only lengthens the letter before it.
    for blank in [
        "\u{3164}",
        "\u{FFA0} next: 15:00",
        "<@U0SALES>",
        ":ok: :+1:",
        "&amp;",
        "&lt;&gt;",
        "ー",
        "\u{0363}",
    ] {
        let r = bot.command_text(SALES, &t.channel, &format!("update {blank}")).await;
        assert!(
            r.starts_with("Write the text after `/trouble update`"),
            "{blank:?}: {r}"
        );
    }
    assert!(trouble(&bot, &t.id).customer_updates.is_empty());

    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "update apologised, replacement on its way next: tomorrow 10:00",
        )
        .await;
    assert!(r.contains("logged"), "{r}");
    bot.advance(Duration::from_secs(26 * 3600));
    bot.command_text(SALES, &t.channel, "update replacement delivered next: wed 10:00")
        .await;
    bot.command_text(SALES, &t.channel, "update installed").await;
    let report = report_posted(&bot, &t.channel).await;
    for line in [
        "promising the next contact by 2026-12-01 10:00, missed by 2h: apologised, replacement on its way",
        // `installed` gave no time, so Wednesday's promise still stands (the answer, the status
        // and the reminder say so): neither kept nor missed yet.
        "promising the next contact by 2026-12-02 10:00: replacement delivered",
        "customer update (next contact promised by 2026-12-01 10:00): apologised",
    ] {
        assert!(report.contains(line), "{line:?} in {report}");
    }
}

/// A promise an update with no time left standing, and the trouble closed after that time with
/// nobody calling: the report says it was missed, not nothing, as the reminder would have.
#[tokio::test]
async fn a_promise_still_standing_at_a_close_after_its_time_reads_missed_in_the_report() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "update apologised next: tomorrow 10:00")
        .await;
    bot.command_text(SALES, &t.channel, "update still checking").await;
    bot.advance(Duration::from_secs(2 * 24 * 3600));
    let r = bot
        .command_text(MANAGER, &t.channel, "close force the customer withdrew the claim")
        .await;
    assert!(r.starts_with("Closed"), "{r}");
    let missed = "promising the next contact by 2026-12-01 10:00, missed: no update by then: apologised";
    let report = report_posted(&bot, &t.channel).await;
    assert!(report.contains(missed), "{report}");
    // Reopened, the close that came after its time still tells.
    let r = bot.command_text(MANAGER, &t.channel, "reopen the claim is back").await;
    assert!(r.starts_with("The trouble is open again"), "{r}");
    let report = report_posted(&bot, &t.channel).await;
    assert!(report.contains(missed), "reopened: {report}");
}

/// A first call made after its deadline shows on the kickoff as late, and by how much: a ✅
/// there would pass it for one made in time. One in time shows the ✅.
#[tokio::test]
async fn a_first_contact_after_its_deadline_shows_on_the_kickoff_as_late() {
    let bot = spawn_bot_with(NUDGES).await;
    let late = bot.open_ready("Globex: late delivery").await;
    let in_time = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &in_time.channel, "update apologised, checking")
        .await;
    bot.advance_and_settle(70 * MINUTE).await;
    bot.command_text(SALES, &late.channel, "update apologised, replacement on its way")
        .await;
    let field = |t: &OpenedTrouble, what: &'static str| {
        let (channel, kickoff) = (t.channel.clone(), t.kickoff_ts.clone());
        let bot = &bot;
        bot.paced(what, move || {
            let k = bot.slack.message_versions(&channel, &kickoff).pop()?;
            let text = text_of(&k);
            let at = text.find("First customer contact")?;
            let field = text[at..].split('"').next().unwrap_or_default().to_string();
            (!field.contains("due by")).then_some(field)
        })
    };
    let shown = field(&late, "the late first contact on the kickoff").await;
    assert!(
        shown.contains("⚠️") && shown.contains("10m after the deadline"),
        "{shown}"
    );
    let shown = field(&in_time, "the first contact in time on the kickoff").await;
    assert!(shown.contains("✅") && !shown.contains("deadline"), "{shown}");
}

/// Until the first call is made, it is what the customer is owed: past its deadline the
/// status and the manager's App Home show it due, never the next update hours away, since the
/// bot has already told the manager to follow up.
#[tokio::test]
async fn a_first_call_missed_shows_as_owed_in_the_status_and_app_home() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("sev1 ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let status = bot
        .command(MANAGER, "D0MANAGER", &format!("status {}", t.id))
        .await
        .to_string();
    assert!(
        status.contains("First call due") && !status.contains("Next update due"),
        "{status}"
    );
    bot.advance_and_settle(45 * MINUTE).await;
    let home = app_home(&bot, MANAGER).await;
    assert!(
        home.contains("Customer update overdue* (1)") && home.contains(&t.id),
        "{home}"
    );
    bot.command_text(SALES, &t.channel, "update apologised, checking").await;
    let status = bot
        .command(MANAGER, "D0MANAGER", &format!("status {}", t.id))
        .await
        .to_string();
    assert!(
        status.contains("Next update due") && !status.contains("First call due"),
        "{status}"
    );
    let home = app_home(&bot, MANAGER).await;
    assert!(home.contains("Customer update overdue* (0)"), "{home}");
}

/// A participant other than the owner promises the customer the next contact: the owner, who
/// is reminded of it, is DMed that the follow-up now keeps to that promise and how to withdraw
/// it; the answer says the owner is the one reminded. The owner's own promise tells nobody.
#[tokio::test]
async fn a_promise_logged_by_someone_else_is_told_to_the_owner() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality ACME: cracked housings").await;
    let r = bot
        .command_text(
            "U0QA1",
            &t.channel,
            "update called them about the cause next: tomorrow 10:00",
        )
        .await;
    assert!(r.contains(&format!("I'll remind <@{SALES}> 15 minutes before")), "{r}");
    let dm = bot.posted_saying(SALES, "logged customer update #1").await;
    assert!(
        dm.contains("<@U0QA1>") && dm.contains("(ACME)") && dm.contains("`/trouble withdraw update 1 REASON`"),
        "{dm}"
    );
    let mark = last_call(&bot);
    let r = bot
        .command_text(SALES, &t.channel, "update called again next: tomorrow 15:00")
        .await;
    assert!(r.contains("I'll remind you"), "{r}");
    bot.settle().await;
    let told = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.seq > mark && c.params["channel"] == SALES)
        .count();
    assert_eq!(told, 0, "the owner's own promise is not DMed to them");
}

/// The same update sent twice at once (a double submit, on the threads a real server runs on),
/// or typed again a moment later, is logged once; the same words later, or another's, are news.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_update_sent_twice_is_logged_once() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let text = "update called them, replacement ships today";
    let (a, b) = tokio::join!(
        bot.command_text(SALES, &t.channel, text),
        bot.command_text(SALES, &t.channel, text)
    );
    let answers = [&a, &b];
    assert_eq!(
        answers
            .iter()
            .filter(|r| r.starts_with("Customer update logged"))
            .count(),
        1,
        "{a}\n{b}"
    );
    assert_eq!(
        answers.iter().filter(|r| r.contains("it is not logged twice")).count(),
        1,
        "{a}\n{b}"
    );
    let again = bot
        .command_text(SALES, &t.channel, "update Called them,  replacement ships today")
        .await;
    assert!(again.starts_with("You logged this same update at"), "{again}");
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 1);
    bot.advance(Duration::from_secs(61));
    let later = bot.command_text(SALES, &t.channel, text).await;
    assert!(later.starts_with("Customer update logged"), "{later}");
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 2);
}

/// A relative promise is counted from the moment each copy arrives, so two copies of `next: 2h`
/// land milliseconds (or, typed again, seconds) apart: still the promise already made, logged
/// once, while another promise within the minute is news.
#[tokio::test]
async fn the_same_update_with_a_relative_promise_sent_twice_or_retyped_is_logged_once() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let text = "update called them, replacement ships today next: 2h";
    let (a, b) = tokio::join!(
        bot.command_text(SALES, &t.channel, text),
        bot.command_text(SALES, &t.channel, text)
    );
    assert_eq!(
        [&a, &b]
            .iter()
            .filter(|r| r.starts_with("Customer update logged"))
            .count(),
        1,
        "{a}\n{b}"
    );
    bot.advance(Duration::from_secs(50));
    let again = bot.command_text(SALES, &t.channel, text).await;
    assert!(again.starts_with("You logged this same update at"), "{again}");
    // The Log update form with the same words and promise is the same update too.
    let form = update_submission(SALES, &t.id, "called them, replacement ships today", Some("2h"));
    bot.interaction(&form).await;
    let tr = trouble(&bot, &t.id);
    assert_eq!(tr.customer_updates.len(), 1, "{:?}", tr.customer_updates);
    bot.settle().await;
    let lines = posted_since(&bot, &t.channel, 0)
        .into_iter()
        .filter(|p| p.contains("📞") && p.contains("replacement ships today"))
        .count();
    assert_eq!(lines, 1, "one 📞 line in the channel");
    // Another promise, even within the minute, is what the customer was told now.
    let later = bot
        .command_text(
            SALES,
            &t.channel,
            "update called them, replacement ships today next: 3h",
        )
        .await;
    assert!(later.starts_with("Customer update logged"), "{later}");
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 2);
}

/// A promise nearer than the reminder's quarter of an hour: a reminder "coming up" would go at
/// once, mentioning the rep who just typed it. None comes before it; the answer says so, and
/// at the promise, with no update logged, the nudge says it is overdue.
#[tokio::test]
async fn a_promise_nearer_than_the_reminder_lead_is_not_reminded_of_at_once() {
    let bot = spawn_bot_with(NUDGES).await;
    let t = bot.open_ready("ACME: broken").await;
    let mark = last_call(&bot) + 1;
    let answer = bot
        .command_text(SALES, &t.channel, "update called them next: 10m")
        .await;
    assert!(
        answer.contains("less than 15 minutes away, so no reminder comes before it"),
        "{answer}"
    );
    assert!(!answer.contains("15 minutes before"), "{answer}");
    bot.settle().await;
    assert!(nudges_since(&bot, &t.channel, mark).is_empty(), "no nudge at once");
    bot.advance_and_settle(9 * MINUTE).await;
    assert!(
        nudges_since(&bot, &t.channel, mark).is_empty(),
        "nor before the promise"
    );
    bot.advance_and_settle(MINUTE).await;
    let nudges = nudges_since(&bot, &t.channel, mark);
    assert_eq!(nudges.len(), 1, "at the promise");
    assert!(text_of(&nudges[0].params).contains("overdue"), "{}", nudges[0].params);
}

#[tokio::test]
async fn a_promise_nearer_than_the_reminder_lead_is_answered_in_japanese() {
    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: 蓋の割れ").await;
    let answer = bot
        .command_text(SALES, &t.channel, "update 電話しました next: 10m")
        .await;
    assert!(
        answer.contains("15分を切っているため、事前のお知らせはしません"),
        "{answer}"
    );
}

// The Log update form, opened from a button, names its trouble in its first block (its id, the
// customer and the start of the summary): a rep with two ACME troubles can tell which it logs for.
#[tokio::test]
async fn the_log_update_form_names_its_trouble() {
    let bot = spawn_bot().await;
    let a = bot.open_ready("ACME: housings cracked").await;
    let _b = bot.open_ready("ACME: labels misprinted").await;
    let mark = last_call(&bot);
    let payload = button_payload(&bot.slack, SALES, "log_update", &a.id, &a.channel);
    assert_eq!(bot.interaction(&payload).await.status(), 200);
    let open = bot.slack.wait_for("views.open", |c| c.seq > mark).await;
    let first = open.params["view"]["blocks"][0].to_string();
    assert!(
        first.contains(&format!("`{}` *ACME* — housings cracked", a.id)),
        "the form's first block: {first}"
    );
}

/// A rep in Tokyo promises a customer in Germany the next call at 17:00 their time: the bot
/// reads `17:00 CET`, keeps the one moment (01:00 the next day in Tokyo), and shows it in both
/// clocks, each with its zone, wherever the promise is read: the answer, the channel's line,
/// the status, the reminder before our hours end, and the report.
#[tokio::test]
async fn a_promise_in_the_customers_time_zone_is_kept_and_shown_in_both_clocks() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME GmbH: broken housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let both = "Tue 2026-12-01 01:00 JST (Mon 2026-11-30 17:00 CET, the customer's time)";
    let r = bot
        .command_text(SALES, &t.channel, "update cause under investigation next: 17:00 CET")
        .await;
    assert!(
        r.contains(&format!("The promised {both} is outside business hours")),
        "{r}"
    );
    bot.posted_saying(&t.channel, &format!("next contact promised by {both}"))
        .await;
    let status_ts = trouble(&bot, &t.id).status.expect("a status message").ts.to_string();
    bot.slack
        .wait_for("chat.update", |c| {
            c.params["ts"] == status_ts.as_str() && text_of(&c.params).contains(both)
        })
        .await;
    assert_eq!(
        trouble(&bot, &t.id).promised_next(),
        Some("2026-11-30T16:00:00Z".parse().unwrap())
    );

    // Reminded at 17:45, before our hours end, in both clocks.
    let mark = last_call(&bot);
    bot.advance_and_settle(Duration::from_secs(7 * 3600 + 45 * 60)).await;
    let reminder = bot
        .slack
        .wait_for("chat.postMessage", |c| c.seq > mark && is_nudge(c, &t.channel))
        .await;
    let text = text_of(&reminder.params);
    assert!(
        text.contains(&format!("promised ACME GmbH an update at {both}")),
        "{text}"
    );

    let report = report_posted(&bot, &t.channel).await;
    assert!(
        report.contains("2026-12-01 01:00 (2026-11-30 17:00 CET, the customer's time)"),
        "{report}"
    );
    // A zone not read is refused, saying how to name it.
    let r = bot
        .command_text(SALES, &t.channel, "update called again next: 9am WITA")
        .await;
    assert!(r.contains("name their zone by its city or region"), "{r}");
}

/// Withdrawing a later update brings back the earlier promise made in the customer's zone: the
/// answer names it in both clocks, as every other place does, so the rep does not call Germany
/// at 01:00 their time because our clock was the only one shown.
#[tokio::test]
async fn a_promise_in_the_customers_zone_that_stands_again_after_a_withdrawal_shows_both_clocks() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME GmbH: broken housings").await;
    bot.command_text(SALES, &t.channel, "update cause under investigation next: 17:00 CET")
        .await;
    bot.command_text(SALES, &t.channel, "update wrong trouble next: 16:00")
        .await;
    let r = bot
        .command_text(SALES, &t.channel, "withdraw update 2 logged on the wrong trouble")
        .await;
    let both = "Tue 2026-12-01 01:00 JST (Mon 2026-11-30 17:00 CET, the customer's time)";
    assert!(r.contains(&format!("The next update is due by {both}.")), "{r}");
}

/// A customer who gives their time as an offset (`17:00 UTC+1`, `GMT-5`, `UTC+05:30`) is
/// promised on that clock, shown as the offset it is, in the answer and the report; an offset no
/// clock shows is refused, saying why, and nothing is logged.
#[tokio::test]
async fn a_promise_at_a_fixed_offset_from_utc_is_read_and_shown_as_that_offset() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME GmbH: broken housings").await;
    for (next, both) in [
        (
            "17:00 UTC+1",
            "Tue 2026-12-01 01:00 JST (Mon 2026-11-30 17:00 UTC+01:00, the customer's time)",
        ),
        (
            "5pm GMT-5",
            "Tue 2026-12-01 07:00 JST (Mon 2026-11-30 17:00 UTC-05:00, the customer's time)",
        ),
        (
            "17:00 (UTC+05:30)",
            "Mon 2026-11-30 20:30 JST (Mon 2026-11-30 17:00 UTC+05:30, the customer's time)",
        ),
    ] {
        let r = bot
            .command_text(SALES, &t.channel, &format!("update told them {next} next: {next}"))
            .await;
        assert!(r.contains(&format!("promised {both}")), "{next}: {r}");
    }
    let report = report_posted(&bot, &t.channel).await;
    assert!(
        report.contains("2026-11-30 20:30 (2026-11-30 17:00 UTC+05:30, the customer's time)"),
        "{report}"
    );
    let r = bot
        .command_text(SALES, &t.channel, "update called again next: 17:00 UTC+15")
        .await;
    assert!(
        r.contains("`UTC+15` is no clock's offset: no zone is more than 14 hours from UTC"),
        "{r}"
    );
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 3);
}

/// A Tokyo rep who writes our own clock as an offset (`17:00 UTC+9`) means our 17:00, as
/// `17:00 JST` does: it is shown once, not again beside itself as the customer's time, and the
/// record keeps no customer zone for it; nor does the report, nor a `fact occurred`.
#[tokio::test]
async fn an_offset_equal_to_ours_is_our_clock_not_the_customers() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME KK: broken housings").await;
    let r = bot
        .command_text(SALES, &t.channel, "update called them next: 17:00 UTC+9")
        .await;
    assert!(r.contains("promised Mon 2026-11-30 17:00"), "{r}");
    assert!(!r.contains("the customer's time") && !r.contains("UTC+09:00"), "{r}");
    let t_now = trouble(&bot, &t.id);
    assert_eq!(t_now.promised_next(), Some("2026-11-30T08:00:00Z".parse().unwrap()));
    assert_eq!(t_now.customer_updates[0].promised_zone, None);
    let report = report_posted(&bot, &t.channel).await;
    assert!(
        report.contains("2026-11-30 17:00") && !report.contains("UTC+09:00"),
        "{report}"
    );
    bot.command_text(SALES, &t.channel, "fact occurred 11/28 10:00 GMT+9")
        .await;
    assert_eq!(
        trouble(&bot, &t.id).substance.facts.occurred.as_deref(),
        Some("2026-11-28 10:00")
    );
}

/// Once a promise named the customer's zone, a later `next: 16:00` naming none is still read on
/// our clock (read on theirs, a Tokyo 16:00 would move by eight hours without a word), but the
/// answer shows it on the customer's clock too and says how to name theirs: a rep who meant
/// Berlin's 16:00 sees at once that 08:00 there was promised.
#[tokio::test]
async fn a_later_promise_naming_no_zone_is_ours_and_shown_on_the_customers_clock_too() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME GmbH: broken housings").await;
    bot.command_text(SALES, &t.channel, "update cause under investigation next: 17:00 CET")
        .await;
    let r = bot
        .command_text(SALES, &t.channel, "update parts shipped next: 16:00")
        .await;
    assert!(
        r.contains("Mon 2026-11-30 16:00 JST (Mon 2026-11-30 08:00 CET, the customer's time)")
            && r.contains("If you meant their time, name it: `next: 17:00 Europe/Berlin`."),
        "{r}"
    );
    let t_now = trouble(&bot, &t.id);
    assert_eq!(t_now.promised_next(), Some("2026-11-30T07:00:00Z".parse().unwrap()));
    // The record keeps what was written: no zone.
    assert_eq!(t_now.customer_updates[1].promised_zone, None);
    // Our zone named is what the rep meant: nothing to point out.
    let r = bot
        .command_text(SALES, &t.channel, "update called Mr. Weber next: 17:00 JST")
        .await;
    assert!(!r.contains("If you meant their time"), "{r}");
}

/// A hurried rep writes the zone right after the time and the day after it (`5pm EDT fri`), or
/// the day first: both read as Friday 17:00 in New York. An abbreviation of several zones there
/// is still refused, not guessed, saying how to name the zone.
#[tokio::test]
async fn a_zone_written_between_the_time_and_the_day_is_read() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("Initech: late delivery").await;
    let both = "Sat 2026-12-05 07:00 JST (Fri 2026-12-04 17:00 EST, the customer's time)";
    for (n, next) in ["5pm EDT fri", "fri 5pm EDT", "17:00 ET on Friday"].iter().enumerate() {
        let r = bot
            .command_text(SALES, &t.channel, &format!("update call {n} done next: {next}"))
            .await;
        assert!(r.contains(&format!("promised {both}")), "{next}: {r}");
    }
    let r = bot
        .command_text(SALES, &t.channel, "update called again next: 5pm CST fri")
        .await;
    assert!(
        r.contains("`5pm CST fri`") && r.contains("name their zone by its city or region"),
        "{r}"
    );
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 3);
}

/// A zone written before its time, as read off the customer's mail (`EDT 5pm fri`, `CET 17:00`,
/// `fri EDT 5pm`), is read as the zone after it is, in `next:` and `due:`; an abbreviation of
/// several zones there is still refused, saying how to name the zone, and nothing is logged.
#[tokio::test]
async fn a_zone_written_before_the_time_is_read() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("Initech: late delivery").await;
    let both = "Sat 2026-12-05 07:00 JST (Fri 2026-12-04 17:00 EST, the customer's time)";
    for (n, next) in ["EDT 5pm fri", "fri EDT 5pm", "(EST) 17:00 fri"].iter().enumerate() {
        let r = bot
            .command_text(SALES, &t.channel, &format!("update call {n} done next: {next}"))
            .await;
        assert!(r.contains(&format!("promised {both}")), "{next}: {r}");
    }
    let r = bot
        .command_text(SALES, &t.channel, "update mailed Berlin next: CET 17:00 fri")
        .await;
    assert!(r.contains("(Fri 2026-12-04 17:00 CET, the customer's time)"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "update called again next: CST 5pm fri")
        .await;
    assert!(
        r.contains("`CST 5pm fri`") && r.contains("name their zone by its city or region"),
        "{r}"
    );
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 4);
    let r = bot
        .command_text(SALES, &t.channel, "action interim ship spares due: fri EDT 5pm")
        .await;
    assert!(r.contains("Due Sat 2026-12-05 07:00"), "{r}");
    assert_eq!(trouble(&bot, &t.id).substance.actions[0].text, "ship spares");
}

/// A zone before its time as Japanese is typed, glued (`ドイツ時間17時`, `金曜ドイツ時間17時`) or
/// spaced (`ドイツ時間 17時`), and `CET17:00`: read on the customer's clock, for `next:` and `due:`.
#[tokio::test]
async fn a_zone_glued_before_the_time_is_read() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME GmbH: broken housings").await;
    let both = "Sat 2026-12-05 01:00 JST (Fri 2026-12-04 17:00 CET, the customer's time)";
    for (n, next) in [
        "金曜 ドイツ時間 17時",
        "金曜 ドイツ時間17時",
        "金曜ドイツ時間17時",
        "CET17:00 fri",
    ]
    .iter()
    .enumerate()
    {
        let r = bot
            .command_text(SALES, &t.channel, &format!("update call {n} done 次回: {next}"))
            .await;
        assert!(r.contains(&format!("promised {both}")), "{next}: {r}");
    }
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "action interim 代替品を出荷 期限: 金曜ドイツ時間17時",
        )
        .await;
    assert!(r.contains("Due Sat 2026-12-05 01:00"), "{r}");
    assert_eq!(trouble(&bot, &t.id).substance.actions[0].text, "代替品を出荷");
}

/// In Japanese, with the customer's zone named as people say it (`ドイツ時間`, a city), in the
/// week the US has moved its clocks and Europe not yet: each promise lands on the customer's
/// clock as said, and the zone shown is the one in force then (EDT, still CET).
#[tokio::test]
async fn a_promise_in_the_customers_time_zone_in_japanese_across_a_daylight_saving_change() {
    let hours =
        "[business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n";
    let bot = spawn_bot_raw(&format!("{}\n{hours}", config_speaking("ja"))).await;
    // Friday 2027-03-12 10:00 in Tokyo: New York moves to EDT on Sunday the 14th, Berlin on the 28th.
    bot.advance_and_settle(Duration::from_secs(102 * 24 * 3600)).await;
    let t = bot.open_ready("Initech: 納期遅延").await;
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "update 調査中とお伝えした 次回: 月曜 9時 ニューヨーク",
        )
        .await;
    assert!(
        r.contains("2027-03-15(月) 22:00 JST（先方時間 2027-03-15(月) 09:00 EDT）"),
        "{r}"
    );
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "update ドイツ拠点にも説明した 次回: 月曜 17時 ドイツ時間",
        )
        .await;
    assert!(
        r.contains("2027-03-16(火) 01:00 JST（先方時間 2027-03-15(月) 17:00 CET）"),
        "{r}"
    );
    bot.posted_saying(
        &t.channel,
        "次回連絡の約束 2027-03-16(火) 01:00 JST（先方時間 2027-03-15(月) 17:00 CET）",
    )
    .await;
    // A zone that names more than one place is refused, not guessed (Chicago's or China's?).
    let r = bot
        .command_text(SALES, &t.channel, "update 連絡した 次回: 17:00 CST")
        .await;
    assert!(
        r.contains("`17:00 CST`") && r.contains("`CST` や `IST` のように複数の地域を指す略称は読みません"),
        "{r}"
    );
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 2);
}

/// The part of an App Home view under its *Customer update overdue* heading.
fn overdue_section(home: &str, heading: &str, next: &str) -> String {
    let from = home.find(heading).unwrap_or_else(|| panic!("no {heading}: {home}"));
    let to = home[from..].find(next).map_or(home.len(), |i| from + i);
    home[from..to].to_string()
}

/// Whoever up the chain a trouble was escalated to sees its customer update overdue in their App
/// Home, as its owner and manager do: a VP woken by a sev1 nobody acknowledged, whose customer
/// has heard nothing all night, never reads "None" there. A trouble the chain never took up to
/// them stays out of it.
#[tokio::test]
async fn the_vp_a_sev1_was_escalated_to_sees_its_customer_kept_waiting_in_app_home() {
    for (locale, heading, next, none) in [
        (
            "en",
            "Customer update overdue* (",
            "Troubles you own or manage",
            "Customer update overdue* (0)",
        ),
        (
            "ja",
            "お客様への報告が期限切れ（",
            "担当・管理しているトラブル",
            "お客様への報告が期限切れ（0）*",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let night = bot.open_ready("sev1 MegaCorp: line 3 stopped").await;
        let calm = bot.open_ready("sev3 ACME: label misprint").await;
        bot.command_text(MANAGER, &calm.channel, "ack").await;
        // Up the chain an hour at a time: the director at 11:00, the VP at 12:00.
        for _ in 0..5 {
            bot.advance_and_settle(Duration::from_secs(1800)).await;
        }
        assert_eq!(
            trouble(&bot, &night.id).escalation.level,
            2,
            "{locale}: the VP is asked"
        );
        for who in [VP, DIRECTOR] {
            let home = app_home(&bot, who).await;
            let overdue = overdue_section(&home, heading, next);
            assert!(
                overdue.contains(&format!("\"value\":\"{}\"", night.id)) && overdue.contains("log_update"),
                "{locale} {who}: the sev1's customer waits, with Log update: {overdue}"
            );
            assert!(
                !overdue.contains(&calm.id),
                "{locale} {who}: never escalated: {overdue}"
            );
        }
        // Acknowledged, it stays where the VP finds it again, its customer still waiting.
        bot.command_text(VP, &night.channel, "ack").await;
        let home = app_home(&bot, VP).await;
        assert!(
            overdue_section(&home, heading, next).contains(&night.id),
            "{locale}: {home}"
        );
        // Once the customer is called, nothing is overdue.
        bot.command_text(SALES, &night.channel, "update called them").await;
        let home = app_home(&bot, VP).await;
        assert!(home.contains(none), "{locale}: {home}");
    }
}

/// `/trouble list` says which customer updates are overdue, and by how much, as App Home does:
/// a VP reading "customer last heard 5h ago" on every row need not know each severity's
/// cadence, or the promise made, to tell a late sev2 from a sev3 on time.
#[tokio::test]
async fn the_list_marks_each_trouble_whose_customer_update_is_overdue_and_by_how_much() {
    for (locale, mark) in [("en", "⚠️ update overdue by 1h"), ("ja", "⚠️ お客様への報告 1時間超過")]
    {
        let bot = spawn_bot_in(locale).await;
        let late = bot.open_ready("sev2 ACME: lid cracked").await;
        let promised = bot.open_ready("sev2 Globex: seal torn").await;
        let calm = bot.open_ready("sev3 Initech: label misprint").await;
        bot.advance_and_settle(10 * MINUTE).await;
        bot.command_text(SALES, &late.channel, "update apologised").await;
        bot.command_text(SALES, &promised.channel, "update truck leaves next: tomorrow 10:00")
            .await;
        bot.command_text(SALES, &calm.channel, "update reprint queued").await;
        assert!(trouble(&bot, &promised.id).promised_next().is_some(), "{locale}");
        // 15:10: the sev2's update was due at 14:10; the promise and the sev3's day still run.
        bot.advance_and_settle(5 * 3600 * Duration::from_secs(1)).await;
        let list = bot.command_text(VP, ORIGIN, "list").await;
        let row = |id: &str| {
            list.lines()
                .find(|l| l.contains(id))
                .unwrap_or_else(|| panic!("{locale}: {id:?} listed: {list}"))
                .to_string()
        };
        assert!(row(&late.id).contains(mark), "{locale}: {list}");
        for on_time in [&promised.id, &calm.id] {
            assert!(!row(on_time).contains("⚠️"), "{locale}: {list}");
        }
        // Logged, it reads on time again.
        bot.command_text(SALES, &late.channel, "update replacement shipped")
            .await;
        let list = bot.command_text(VP, ORIGIN, "list").await;
        assert!(!list.contains("⚠️"), "{locale}: {list}");
    }
}

/// The owner's DM that the promised update is overdue, settled by a later update: once both
/// updates are withdrawn (wrong trouble), in either order, the customer waits again, and the DM
/// says so again; but the promise was the withdrawn update's, no longer one made, so the DM no
/// longer says a promised update is overdue: the customer has heard nothing since the opening.
#[tokio::test]
async fn a_waiting_dm_said_again_drops_a_promise_whose_update_was_withdrawn() {
    for order in [["2", "1"], ["1", "2"]] {
        let bot = spawn_bot().await;
        let t = bot.open_ready("ACME: broken").await;
        bot.command_text(SALES, &t.channel, "update called them next: 2h").await;
        lose_the_channel(&bot, &t.channel).await;
        bot.advance_and_settle(Duration::from_secs(2 * 3600 + 60)).await;
        let nudge = dm_saying(&bot, SALES, "is overdue").await;
        bot.command_text(SALES, &t.channel, "update shipped the replacement")
            .await;
        message_says(&bot, &nudge.0, &nudge.1, "✅").await;

        let first = format!("withdraw update {} wrong trouble", order[0]);
        bot.command_text(SALES, &t.channel, &first).await;
        bot.settle().await;
        match order[0] {
            // The promise stands while its update does: missed, the owner is told again at once.
            "2" => drop(nth_dm_saying(&bot, SALES, 2, "is overdue").await),
            _ => {
                let now = text_of(&bot.slack.message_versions(&nudge.0, &nudge.1).pop().expect("the DM"));
                assert!(now.contains("✅"), "{order:?}: the second update stands: {now}");
            }
        }
        let second = format!("withdraw update {} wrong trouble", order[1]);
        bot.command_text(SALES, &t.channel, &second).await;
        let now = |m: &trouble_bot::trouble::model::KeptDm| {
            let versions = bot
                .slack
                .message_versions(m.posted.channel.as_str(), m.posted.ts.as_str());
            versions.last().map(text_of).unwrap_or_default()
        };
        let kept = wait_until(|| {
            let kept = trouble(&bot, &t.id).waiting_dms;
            kept.iter()
                .any(|m| now(m).contains("has heard nothing from us in the 2h"))
                .then_some(kept)
        })
        .await;
        for m in &kept {
            assert!(!now(m).contains("promised"), "{order:?}: {}", now(m));
        }
    }
}

/// With no `[severity.N]` table, the spec's cadences hold: the first update nudge of a sev1
/// comes an hour after its opening, a sev2's four hours after, a sev3's a day after (no
/// business hours: around the clock), and none a minute early.
#[tokio::test]
async fn without_severity_tables_the_first_nudge_comes_after_an_hour_four_hours_and_a_day() {
    let bot = spawn_bot_raw(BASE_CONFIG).await;
    let mut opened = Vec::new();
    for (text, hours) in [
        ("sev1 ACME: line stopped", 1),
        ("Globex: label misprint", 4),
        ("sev3 Initech: a typo on the invoice", 24),
    ] {
        let t = bot.open_ready(text).await;
        // Acknowledged: no escalation crowds the hours waited out.
        bot.command_text(MANAGER, &t.channel, "ack").await;
        opened.push((t, hours));
    }
    bot.settle().await;
    for (t, hours) in &opened {
        let record = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
        let due = record.opened_at + chrono::Duration::hours(*hours);
        let advance_to = |at: chrono::DateTime<chrono::Utc>| {
            let by = (at - bot.clock.now()).to_std().expect("ahead of the clock");
            bot.advance_and_settle(by)
        };
        advance_to(due - chrono::Duration::minutes(1)).await;
        assert!(
            nudges_since(&bot, &t.channel, 0).is_empty(),
            "{}: no nudge before {hours}h",
            t.id
        );
        advance_to(due).await;
        assert_eq!(
            nudges_since(&bot, &t.channel, 0).len(),
            1,
            "{}: the nudge at {hours}h",
            t.id
        );
        // Its nudge each cadence would crowd the day the last one waits out.
        bot.command_text(MANAGER, &t.channel, "close force its cadence was seen")
            .await;
    }
}

/// A trouble closed and reopened the next day, updated since the reopening, its nudge DMed (the
/// bot out of its channel) and settled by a later update: once both updates are withdrawn, the
/// DM says again that the customer waits, counted from the reopening as a nudge posted now
/// would say it, not "since the trouble was opened" (the wait it first counted from an update
/// no longer made). After hours, the DM stands so until the opening.
#[tokio::test]
async fn a_waiting_dm_said_again_counts_from_the_reopening_once_the_updates_since_are_withdrawn() {
    let hours =
        "[business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n";
    let bot = spawn_bot_with(&format!("{NUDGES}\n{hours}")).await;
    // Monday 10:00 in Tokyo: closed at once, reopened on Tuesday at 10:00.
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(MANAGER, &t.channel, "close force wrong customer")
        .await;
    bot.advance_and_settle(Duration::from_secs(24 * 3600)).await;
    let r = bot
        .command_text(MANAGER, &t.channel, "reopen it was them after all")
        .await;
    assert!(r.contains("open again"), "{r}");
    bot.advance_and_settle(MINUTE).await;
    bot.command_text(SALES, &t.channel, "update called them").await;
    lose_the_channel(&bot, &t.channel).await;
    bot.advance_and_settle(CADENCE).await;
    let nudge = dm_saying(&bot, SALES, "has heard nothing for 4h").await;
    bot.command_text(SALES, &t.channel, "update sent the photos").await;
    message_says(&bot, &nudge.0, &nudge.1, "✅ Settled").await;
    // Tuesday 18:01, after hours.
    bot.advance_and_settle(CADENCE).await;
    for n in ["1", "2"] {
        let withdraw = format!("withdraw update {n} wrong trouble");
        bot.command_text(SALES, &t.channel, &withdraw).await;
    }
    message_says(&bot, &nudge.0, &nudge.1, "has heard nothing from us in the 8h1m since").await;
    let now = text_of(&bot.slack.message_versions(&nudge.0, &nudge.1).pop().expect("the DM"));
    assert!(now.contains("since the trouble was reopened"), "{now}");
}

/// A promise further off than two update periods silences the nudges until then: it stands, and
/// the owner's manager is told at once in the trouble's channel, how far off it is and how often
/// the customer usually hears.
#[tokio::test]
async fn a_promise_far_off_is_told_to_the_manager_in_the_channel() {
    let bot = spawn_bot_with(
        r#"
[severity.2]
ack_timeout = "1h"
customer_update_every = "1h"
"#,
    )
    .await;
    let t = bot.open_ready("ACME: line down").await;
    let mark = last_call(&bot);
    // Monday 30 November: ten days off, where the customer usually hears every hour.
    let answer = bot
        .command_text(SALES, &t.channel, "update Parts ordered next: 12/10 10:00")
        .await;
    assert!(
        answer.contains(&format!("<@{MANAGER}>, the manager, was told")) && !answer.contains("in the channel"),
        "{answer}"
    );
    let told = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark && c.params["channel"] == t.channel && text_of(&c.params).contains("promised ACME")
        })
        .await;
    let text = told.params["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with(&format!("📣 <@{MANAGER}>: <@{SALES}> promised ACME")),
        "{text}"
    );
    assert!(
        text.contains("10d") && text.contains("usually hears every 1h"),
        "{text}"
    );
    assert!(
        text.contains("Until then the only nudge is the reminder just before it."),
        "{text}"
    );
    let stored = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert!(stored.promised_next().is_some(), "the promise stands");
}

/// The owner Slack will not let the bot DM (a guest it cannot see: `user_not_visible`) misses
/// what the bot tells them by DM, here the promise their manager made the customer in their
/// name. Their manager hears it, by DM and in the trouble's channel, with why and how to hand
/// the trouble over; once: the next DM that fails tells nobody again.
#[tokio::test]
async fn an_owner_the_bot_may_not_dm_is_told_to_their_manager_and_the_channel_once() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.slack.refuse_dm(SALES, "user_not_visible");
    let mark = last_call(&bot);
    for promise in ["next: 3h", "next: 5h"] {
        bot.command_text(MANAGER, &t.channel, &format!("update Parts on the way {promise}"))
            .await;
        bot.settle().await;
    }
    let said = format!(
        "⚠️ The bot cannot DM <@{SALES}>, the owner of trouble {} (ACME): Slack does not let it reach them (user_not_visible)",
        t.id
    );
    let what = format!(
        "<@{MANAGER}>, please tell them yourself, or hand the trouble to someone the bot can reach with `/trouble owner @…` in <#{}>.",
        t.channel
    );
    for to in [MANAGER, t.channel.as_str()] {
        let told: Vec<String> = posted_since(&bot, to, mark)
            .into_iter()
            .filter(|m| m.contains("cannot DM"))
            .collect();
        assert_eq!(told.len(), 1, "{to}: once, though two DMs failed: {told:?}");
        assert!(told[0].starts_with(&said) && told[0].contains(&what), "{to}: {told:?}");
    }
    assert_eq!(
        trouble(&bot, &t.id).unreachable_owners,
        vec![trouble_bot::trouble::model::UserId::new(SALES)]
    );
}
