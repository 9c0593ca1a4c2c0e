//! What a phone's lock screen and Slack's banners show of the bot's messages: the top-level
//! `text` (mobile notifications read nothing else), cut after about 100–150 characters. The
//! messages that ask someone to act say so, and about which customer, within that.

mod common;

use std::time::Duration;

use common::*;

/// Slack shows about this much of a notification's text.
const LOCK_SCREEN: usize = 150;

/// The `text` of the first message posted to `to` whose text contains `words`.
async fn text_posted(bot: &TestBot, to: &str, words: &str) -> String {
    let call = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == to && c.params["text"].as_str().is_some_and(|t| t.contains(words))
        })
        .await;
    call.params["text"].as_str().unwrap_or_default().to_string()
}

/// The first `n` characters of `text`: what a lock screen shows of it.
fn shown(text: &str) -> String {
    text.chars().take(LOCK_SCREEN).collect()
}

/// A summary far longer than any notification shows: whatever follows it in a text would never
/// be seen.
fn long_summary() -> String {
    "defective housings cracked on arrival, ".repeat(60)
}

/// The kickoff asks the manager before anything else, names the customer, and pings the
/// departments in its text too; the manager's DM and the escalation's DM ask first and say
/// which customer, however long the summary: in English and in Japanese.
#[tokio::test]
async fn the_asks_and_the_customer_come_first_in_every_notification_in_both_locales() {
    for (locale, kickoff_ask, dm_ask, escalation_ask, waited) in [
        (
            "en",
            "🚨 <@U0MANAGER> please acknowledge · sev1 critical · Trouble ",
            "🚨 Please acknowledge · sev1 critical · Trouble ",
            "⏫ Please acknowledge · sev1 critical · Trouble ",
            "unacknowledged for 1h",
        ),
        (
            "ja",
            "🚨 <@U0MANAGER>さん 確認をお願いします · sev1 重大 · トラブル ",
            "🚨 確認をお願いします · sev1 重大 · トラブル ",
            "⏫ 確認をお願いします · sev1 重大 · トラブル ",
            "1時間未確認",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready(&format!("sev1 ACME: {}", long_summary())).await;
        let about = format!("{}: ACME — defective housings cracked", t.id);

        let kickoff = text_posted(&bot, &t.channel, &t.id).await;
        assert!(
            shown(&kickoff).starts_with(&format!("{kickoff_ask}{about}")),
            "{locale}: the kickoff's notification: {kickoff}"
        );
        // The user group of the department the severity brings in is pinged by the text too,
        // however long the summary (which the text cuts short; the blocks have it whole).
        assert!(
            kickoff.ends_with(" · <!subteam^S0QUALITY>") && kickoff.chars().count() < 400,
            "{locale}: {kickoff}"
        );

        let dm = text_posted(&bot, MANAGER, &t.id).await;
        assert!(
            shown(&dm).starts_with(&format!("{dm_ask}{about}")),
            "{locale}: the manager's DM: {dm}"
        );

        bot.advance_and_settle(Duration::from_secs(3600)).await;
        let escalation = text_posted(&bot, DIRECTOR, &t.id).await;
        assert!(
            shown(&escalation).starts_with(&format!("{escalation_ask}{about}")),
            "{locale}: the escalation's DM: {escalation}"
        );
        // Why they are asked, and by whom it was opened, survive the summary.
        assert!(
            escalation.contains(waited) && escalation.contains(&format!("<@{SALES}>")),
            "{locale}: {escalation}"
        );
    }
}

/// A private trouble's customer and summary never reach the channel it was typed in, nor an
/// announce channel: their notifications (and the messages) say a private trouble was opened,
/// by whom and where, in both locales; several opened at once, likewise; the trouble's own
/// channel and the manager's DM still have them.
#[tokio::test]
async fn a_private_troubles_notices_outside_it_name_no_customer_or_summary() {
    for (locale, opened) in [("en", "opened private trouble"), ("ja", "非公開のトラブル")] {
        let config = BASE_CONFIG.replace(
            "locale = \"en\"",
            &format!("locale = \"{locale}\"\nprivate_channels = true"),
        );
        let bot = spawn_bot_raw(&format!("{config}\n{DEFAULT_SEVERITIES}")).await;
        let t = bot.open_ready("sev1 ACME: defective housings").await;
        let outside: Vec<String> = bot
            .slack
            .calls()
            .iter()
            .filter(|c| c.method == "chat.postMessage" || c.method == "chat.update")
            .filter(|c| c.params["channel"] == ORIGIN || c.params["channel"] == "C0BIZUNIT")
            .map(|c| text_of(&c.params))
            .collect();
        assert!(
            outside.len() >= 2,
            "{locale}: the origin and the announce channel told: {outside:?}"
        );
        for text in &outside {
            assert!(
                text.contains(opened) && text.contains(&t.id) && !text.contains("ACME") && !text.contains("housings"),
                "{locale}: {text}"
            );
        }
        // Those taking part read it whole.
        assert!(text_of(&bot.slack.messages_in(&t.channel)[0]).contains("defective housings"));
        assert!(bot.posted_saying(MANAGER, "defective housings").await.contains("ACME"));

        // Closed by force with a reason: the announce channel hears it closed, not why.
        bot.command_text(DIRECTOR, &t.channel, "close force Globex asked us to stop")
            .await;
        let closed = text_posted(&bot, "C0BIZUNIT", "🏁").await;
        assert!(
            closed.contains(&t.id) && !closed.contains("ACME") && !closed.contains("Globex"),
            "{locale}: {closed}"
        );

        // Raised to a severity announced: the announce channel hears which trouble, not whose
        // or why.
        let raised = bot.open_ready("Hooli: lids cracked").await;
        bot.command_text(SALES, &raised.channel, "sev 1 Hooli's line stopped")
            .await;
        let told = text_posted(&bot, "C0BIZUNIT", &raised.id).await;
        assert!(
            told.starts_with("⬆️") && !told.contains("Hooli") && !told.contains("lids"),
            "{locale}: {told}"
        );

        // Several at once share one notice, which names none of their customers.
        let mark = last_call(&bot);
        for i in 0..3 {
            bot.command_text(COLLEAGUE, ORIGIN, &format!("open Initech {i}: pumps leaking"))
                .await;
        }
        bot.settle().await;
        let notices = posted_since(&bot, ORIGIN, mark);
        assert!(!notices.is_empty(), "{locale}");
        for text in notices {
            assert!(!text.contains("Initech") && !text.contains("pumps"), "{locale}: {text}");
        }
    }
}

/// Someone asked by a line in the trouble's channel is mentioned in its text and its block
/// however long what was typed before their name: the approver of a proposal with a long
/// reason, the owner of an action with a long text. Both cut at Slack's limits once, losing
/// the mention (nobody was pinged, nor read who may approve).
#[tokio::test]
async fn a_long_reason_or_action_text_never_pushes_out_who_is_asked() {
    for (locale, approver, owner) in [
        ("en", "Who may approve: <@U0MANAGER>", "owner <@U0QA1>"),
        ("ja", "承認できる人: <@U0MANAGER>さん", "担当 <@U0QA1>さん"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        let long = "mold ".repeat(590);
        bot.command_text(SALES, &t.channel, &format!("split 70/30 {long}"))
            .await;
        bot.command_text(
            SALES,
            &t.channel,
            &format!("action interim {long} owner:<@U0QA1> due:3d"),
        )
        .await;
        for (needle, asked) in [("#1", approver), ("#1", owner)] {
            let call = bot
                .slack
                .wait_for("chat.postMessage", |c| {
                    c.params["channel"] == t.channel.as_str() && text_of(&c.params).contains(asked)
                })
                .await;
            let text = call.params["text"].as_str().unwrap_or_default();
            assert!(text.contains(asked) && text.contains(needle), "{locale}: {text}");
            assert!(
                call.params["blocks"].to_string().contains(asked),
                "{locale}: {}",
                call.params
            );
        }
    }
}

/// The effectiveness check asks in the trouble's channel, whose name may say nothing of the
/// customer (a Japanese one's has no slug): its text names the trouble and its customer.
#[tokio::test]
async fn the_effectiveness_checks_notification_names_the_trouble_and_its_customer() {
    for (locale, ask) in [
        ("en", "it is time to check prevention action #1"),
        ("ja", "再発防止策 #1"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = closed_with_a_measure(&bot, "アクメ: 蓋の割れ").await;
        // The kickoff, edited, no longer reads as an alarm in the channel's list.
        bot.settle().await;
        let kickoff = bot
            .slack
            .message_versions(&t.channel, &t.kickoff_ts)
            .pop()
            .expect("kickoff");
        assert!(
            kickoff["text"].as_str().is_some_and(|k| k.starts_with("🏁 sev2")),
            "{locale}: {kickoff}"
        );
        bot.advance_and_settle(Duration::from_secs(10)).await;
        let text = text_posted(&bot, &t.channel, "🔁").await;
        assert!(
            shown(&text).contains(ask) && shown(&text).contains(&format!("{} アクメ", t.id)),
            "{locale}: {text}"
        );
    }
}

/// Out of its channel (the bot removed from it), the owner's nudge comes by DM: its
/// notification says the ask first and which trouble after it, the summary cut short, however
/// long it is.
#[tokio::test]
async fn a_nudge_by_dm_asks_first_however_long_the_summary() {
    for (locale, ask, about) in [
        ("en", "⏰ <@U0SALES> ACME has heard nothing", "📌 Trouble "),
        ("ja", "⏰ <@U0SALES>さん 起票から4時間、ACME様には", "📌 トラブル "),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready(&format!("ACME: {}", long_summary())).await;
        bot.slack.lose_channel(&t.channel, "not_in_channel");
        let mut left = channel_event("channel_left", &t.channel, None);
        left["event"]["actor_id"] = serde_json::json!(MANAGER);
        assert_eq!(bot.event(&left, None).await.status(), 200);
        bot.advance_and_settle(Duration::from_secs(4 * 3600)).await;
        // The first-call checklist comes the same way, and asks first too.
        let first_call = text_posted(&bot, SALES, "📌").await;
        assert!(first_call.starts_with("⚠️ <@U0SALES>"), "{locale}: {first_call}");
        let nudge = text_posted(&bot, SALES, ask).await;
        assert!(shown(&nudge).starts_with(ask), "{locale}: {nudge}");
        assert!(
            nudge.contains(&format!("{about}{}", t.id)) && nudge.chars().count() < 1000,
            "{locale}: {nudge}"
        );
    }
}

/// A manager on a trip to California, owner of an action: its reminder DM gives the due time in
/// Tokyo's clock, as every message does, and ends saying so and how far that is from the zone
/// their Slack is set to, so `due Wed 15:00` is not read as 15:00 in California. The channel's
/// copy, a DM to someone in Tokyo and a DM giving no time of day say nothing of zones.
#[tokio::test]
async fn a_dm_giving_a_time_to_someone_in_another_zone_says_whose_time_it_is() {
    for (locale, note) in [
        (
            "en",
            "🕒 The times in this message are Asia/Tokyo time (JST), 17h ahead of your time zone in Slack (America/Los_Angeles, PST).",
        ),
        (
            "ja",
            "🕒 このメッセージの時刻は Asia/Tokyo の時刻（JST）で、あなたのSlackのタイムゾーン（America/Los_Angeles、PST）より17時間進んでいます。",
        ),
    ] {
        let hours = "[business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n";
        let bot = spawn_bot_raw(&format!("{}\n{hours}", config_speaking(locale))).await;
        bot.slack.set_zone(MANAGER, "America/Los_Angeles", -8 * 3600);
        let t = bot.open_ready("ACME: broken housings").await;
        let first = text_posted(&bot, MANAGER, "ACME").await;
        assert!(!first.contains("🕒"), "{first}");
        let due = if locale == "en" { "due: wed 15:00" } else { "期限: 水曜 15:00" };
        bot.command_text(SALES, &t.channel, &format!("action interim sort the stock owner:<@{MANAGER}> {due}"))
            .await;
        bot.command_text(SALES, &t.channel, &format!("action interim call the plant owner:<@{COLLEAGUE}> {due}"))
            .await;
        // Tuesday 09:00, the opening before the due date: the owners are reminded.
        bot.advance_and_settle(Duration::from_secs(23 * 3600)).await;
        let reminder = text_posted(&bot, MANAGER, "#1").await;
        assert!(reminder.contains("15:00") && reminder.ends_with(note), "{locale}: {reminder}");
        let colleagues = text_posted(&bot, COLLEAGUE, "#2").await;
        assert!(!colleagues.contains("🕒"), "{locale}: {colleagues}");
        let channel = text_posted(&bot, &t.channel, "#1").await;
        assert!(!channel.contains("🕒"), "{locale}: {channel}");
    }
}
