//! Acknowledgement in the kickoff thread, by button or command, and escalation up the chain.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use trouble_bot::trouble::model::TroubleId;

/// The bot's own user id in the fake Slack.
const BOT: &str = fake_slack::BOT_USER_ID;

fn is_ack_reply(c: &Call, kickoff_ts: &str) -> bool {
    c.params["thread_ts"] == kickoff_ts && text_of(&c.params).contains("Acknowledged by")
}

/// Nothing acknowledged: no thread reply saying so, and no acknowledgement stored.
async fn assert_not_acknowledged(bot: &TestBot, t: &OpenedTrouble) {
    bot.expect_none("chat.postMessage", |c| is_ack_reply(c, &t.kickoff_ts))
        .await;
    assert_eq!(acked_by(bot, &t.id), None);
}

/// The manager's DM answer that several troubles wait (the latest), as Slack took it (Slack
/// refuses a block that repeats a button's `action_id`).
fn several_wait_answer(bot: &TestBot) -> Call {
    let answer = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .rev()
        .find(|c| c.params["channel"] == MANAGER && text_of(&c.params).contains("Several troubles wait"))
        .expect("the answer");
    assert!(answer.took_effect(), "Slack took the answer: {}", answer.outcome);
    answer
}

/// The labels of a message's Acknowledge buttons, in order.
fn button_labels(message: &serde_json::Value) -> Vec<String> {
    message["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter(|e| {
            e["action_id"]
                .as_str()
                .is_some_and(|id| id.split('#').next() == Some("acknowledge"))
        })
        .map(|e| e["text"]["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn acked_by(bot: &TestBot, id: &str) -> Option<String> {
    bot.store()
        .get(&TroubleId::new(id))
        .unwrap()
        .unwrap()
        .ack
        .map(|a| a.by.to_string())
}

/// Waits until the trouble's pinned status, as Slack shows it now, says `words`.
async fn status_says(bot: &TestBot, id: &str, words: &str) {
    let status = trouble(bot, id).status.expect("the status posted");
    message_says(bot, status.channel.as_str(), status.ts.as_str(), words).await;
}

/// An hour to acknowledge: the tests advance the bot's clock past it.
const ESCALATION: &str = r#"
[severity.1]
ack_timeout = "1h"
customer_update_every = "4h"
[severity.2]
ack_timeout = "1h"
customer_update_every = "4h"
"#;
const ACK_TIMEOUT: Duration = Duration::from_secs(3600);

fn posts_to(bot: &TestBot, channel: &str, since: u64) -> usize {
    bot.slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.seq >= since && c.params["channel"] == channel)
        .count()
}

#[tokio::test]
async fn the_managers_reply_in_the_kickoff_thread_acknowledges() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let r = bot
        .event(
            &message_event("Ev1", &t.channel, MANAGER, "1800000000.000200", Some(&t.kickoff_ts)),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let reply = bot
        .slack
        .wait_for("chat.postMessage", |c| is_ack_reply(c, &t.kickoff_ts))
        .await;
    assert!(text_of(&reply.params).contains(&format!("<@{MANAGER}>")));
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(MANAGER));
    // The kickoff loses its button and says who acknowledged.
    let kickoff_edit = bot
        .slack
        .wait_for("chat.update", |c| c.params["ts"] == t.kickoff_ts.as_str())
        .await;
    assert!(
        !text_of(&kickoff_edit.params).contains("\"acknowledge\""),
        "button gone: {}",
        kickoff_edit.params
    );
    // Named once, in the acknowledgement, not again as the manager beside it.
    let kickoff = bot
        .slack
        .message_versions(&t.channel, &t.kickoff_ts)
        .pop()
        .expect("the kickoff");
    let shown = text_of(&kickoff);
    assert!(
        shown.contains(&format!("✅ acknowledged by <@{MANAGER}> after"))
            && !shown.contains(&format!("<@{MANAGER}> · ✅")),
        "{shown}"
    );
}

/// A manager on a phone often answers with a photo: Slack sends that reply as a `file_share`
/// message, which acknowledges like any reply.
#[tokio::test]
async fn the_managers_photo_in_the_kickoff_thread_acknowledges() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let mut photo = message_event("Ev1", &t.channel, MANAGER, "1800000000.000200", Some(&t.kickoff_ts));
    photo["event"]["subtype"] = "file_share".into();
    photo["event"]["upload"] = true.into();
    photo["event"]["files"] = serde_json::json!([{"id": "F0PHOTO", "mode": "hosted", "filetype": "jpg"}]);
    assert_eq!(bot.event(&photo, None).await.status(), 200);
    bot.slack
        .wait_for("chat.postMessage", |c| is_ack_reply(c, &t.kickoff_ts))
        .await;
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(MANAGER));
}

/// A manager named at open and the owner's configured manager both hear at once; the
/// configured one's DM, like the named one's, gets the channel's link once it exists and loses
/// its button once someone acknowledged (before, it kept "channel being created" and a live
/// button for good).
#[tokio::test]
async fn the_configured_managers_dm_beside_a_named_manager_gets_the_channel_link_and_the_acknowledgement() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("<@{COLLEAGUE}> ACME: broken")).await;
    let dm = wait_until(|| trouble(&bot, &t.id).configured_manager_dm).await;
    assert!(dm.together.is_empty());
    let edits_of_dm = |bot: &TestBot| -> Vec<String> {
        bot.slack
            .calls_to("chat.update")
            .iter()
            .filter(|c| c.params["channel"] == dm.channel.as_str() && c.params["ts"] == dm.ts.as_str())
            .map(|c| text_of(&c.params))
            .collect()
    };
    let link = format!("<#{}>", t.channel);
    wait_until(|| edits_of_dm(&bot).iter().any(|e| e.contains(&link)).then_some(())).await;
    let answer = bot.command_text(COLLEAGUE, &t.channel, "ack").await;
    assert!(answer.contains("cknowledged"), "{answer}");
    let acknowledged = wait_until(|| {
        edits_of_dm(&bot)
            .into_iter()
            .find(|e| e.contains(&format!("<@{COLLEAGUE}>")) && !e.contains("\"acknowledge\""))
    })
    .await;
    assert!(acknowledged.contains(&link), "{acknowledged}");
}

#[tokio::test]
async fn a_colleagues_reply_another_thread_or_the_channel_itself_does_not_acknowledge() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let events = [
        message_event("Ev1", &t.channel, COLLEAGUE, "1800000000.000201", Some(&t.kickoff_ts)),
        message_event(
            "Ev2",
            &t.channel,
            MANAGER,
            "1800000000.000202",
            Some("1799999999.000001"),
        ),
        message_event("Ev3", &t.channel, MANAGER, "1800000000.000203", None),
    ];
    for e in &events {
        assert_eq!(bot.event(e, None).await.status(), 200);
    }
    assert_not_acknowledged(&bot, &t).await;
}

#[tokio::test]
async fn the_bots_own_and_other_bots_messages_in_the_thread_do_not_acknowledge() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let mut from_bot = message_event("Ev1", &t.channel, MANAGER, "1800000000.000301", Some(&t.kickoff_ts));
    from_bot["event"]["bot_id"] = Value::String("B0OTHER".into());
    let mut edited = message_event("Ev2", &t.channel, MANAGER, "1800000000.000302", Some(&t.kickoff_ts));
    edited["event"]["subtype"] = Value::String("message_changed".into());
    for e in [&from_bot, &edited] {
        assert_eq!(bot.event(e, None).await.status(), 200);
    }
    assert_not_acknowledged(&bot, &t).await;
}

#[tokio::test]
async fn the_button_by_the_manager_acknowledges_and_by_someone_else_is_refused() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let r = bot
        .interaction(&button_payload(&bot.slack, COLLEAGUE, "acknowledge", &t.id, &t.channel))
        .await;
    assert_eq!(r.status(), 200);
    let refusal = bot
        .slack
        .wait_for("response_url", |c| c.params["_path"] == format!("click-{COLLEAGUE}"))
        .await;
    assert_eq!(refusal.params["response_type"], "ephemeral");
    assert!(
        refusal.params["text"]
            .as_str()
            .unwrap()
            .contains(&format!("<@{MANAGER}>")),
        "says who can: {}",
        refusal.params
    );
    assert_eq!(acked_by(&bot, &t.id), None, "state unchanged");

    let r = bot
        .interaction(&button_payload(&bot.slack, MANAGER, "acknowledge", &t.id, &t.channel))
        .await;
    assert_eq!(r.status(), 200);
    bot.slack
        .wait_for("chat.postMessage", |c| is_ack_reply(c, &t.kickoff_ts))
        .await;
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(MANAGER));
}

/// A button of a trouble the bot holds no record of (data restored from an older copy) is
/// answered, not met with silence; nothing is stored.
#[tokio::test]
async fn a_tap_on_a_trouble_the_bot_does_not_hold_says_so() {
    let bot = spawn_bot().await;
    for action in ["acknowledge", "log_update"] {
        let r = bot
            .interaction(&button_payload(&bot.slack, MANAGER, action, "20261101-9", "C0GONE"))
            .await;
        assert_eq!(r.status(), 200);
    }
    let answers = bot
        .slack
        .wait_for_n("response_url", 2, |c| {
            c.params["text"]
                .as_str()
                .is_some_and(|t| t == "The bot holds no record of this button's trouble, so nothing was done. `/trouble list` shows yours.")
        })
        .await;
    assert_eq!(answers.len(), 2);
    assert_eq!(bot.store().trouble_count(), 0);
}

#[tokio::test]
async fn ack_by_command_and_a_second_acknowledgement_changes_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let refused = bot.command_text(COLLEAGUE, &t.channel, "ack").await;
    assert!(refused.contains("Only"), "{refused}");
    let ok = bot.command_text(DIRECTOR, &t.channel, "ack").await;
    assert!(
        ok.contains("Acknowledged"),
        "someone above the manager may acknowledge: {ok}"
    );
    let again = bot.command_text(MANAGER, &t.channel, "ack").await;
    assert!(again.contains("Already acknowledged"), "{again}");
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(DIRECTOR));
    bot.slack
        .wait_for("chat.postMessage", |c| is_ack_reply(c, &t.kickoff_ts))
        .await;
    bot.expect_none("chat.postMessage", |c| {
        is_ack_reply(c, &t.kickoff_ts) && text_of(&c.params).contains(MANAGER)
    })
    .await;
}

#[tokio::test]
async fn the_same_event_delivered_twice_is_handled_once() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    let event = message_event("EvSame", &t.channel, MANAGER, "1800000000.000400", Some(&t.kickoff_ts));
    assert_eq!(bot.event(&event, None).await.status(), 200);
    assert_eq!(bot.event(&event, Some(1)).await.status(), 200);
    bot.slack
        .wait_for("chat.postMessage", |c| is_ack_reply(c, &t.kickoff_ts))
        .await;
    let timeline = bot.store().timeline(&TroubleId::new(&t.id)).unwrap();
    let acks = timeline
        .iter()
        .filter(|e| matches!(e.event, trouble_bot::trouble::timeline::Event::Acknowledged { .. }))
        .count();
    assert_eq!(acks, 1);
    let mark = bot.slack.calls().len() as u64;
    bot.expect_none("chat.postMessage", |c| c.seq >= mark && is_ack_reply(c, &t.kickoff_ts))
        .await;
    assert_eq!(
        bot.slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| is_ack_reply(c, &t.kickoff_ts))
            .count(),
        1
    );
}

#[tokio::test]
async fn without_an_answer_the_director_is_invited_dmed_and_mentioned_then_nothing_after_the_ack() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == DIRECTOR)
        .await;
    assert!(text_of(&dm.params).contains("not been acknowledged"), "{}", dm.params);
    // On a phone the button is right there: the DM says so, not only "in the channel".
    assert!(
        text_of(&dm.params).contains("Acknowledge it with the button below, or in <#"),
        "{}",
        dm.params
    );
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.params["users"].as_str().is_some_and(|u| u.contains(DIRECTOR))
        })
        .await;
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.params["thread_ts"] == t.kickoff_ts.as_str() && text_of(&c.params).contains(&format!("<@{DIRECTOR}>"))
        })
        .await;
    assert!(bot.slack.members(&t.channel).contains(&DIRECTOR.to_string()));
    // The channel's status says who is asked now, not only that the manager has not answered.
    let now_asked = format!("waiting for acknowledgement · now asked: <@{DIRECTOR}>");
    status_says(&bot, &t.id, &now_asked).await;
    // And so does the pinned kickoff, below its request to the manager.
    message_says(&bot, &t.channel, &t.kickoff_ts, &now_asked).await;

    bot.command_text(DIRECTOR, &t.channel, "ack").await;
    status_says(&bot, &t.id, &format!("acknowledged by <@{DIRECTOR}>")).await;
    let mark = bot.slack.calls().len() as u64;
    // Two more ack timeouts pass: the VP must not be pinged.
    bot.advance_and_settle(2 * ACK_TIMEOUT).await;
    assert_eq!(posts_to(&bot, VP, mark), 0, "the VP is not pinged after the ack");
    let timeline = bot.store().timeline(&TroubleId::new(&t.id)).unwrap();
    let escalations = timeline
        .iter()
        .filter(|e| matches!(e.event, trouble_bot::trouble::timeline::Event::Escalated { .. }))
        .count();
    assert_eq!(escalations, 1);
}

/// A rep who marks every stage done within a minute of opening cannot close the trouble before
/// anyone above them has acknowledged it: the close would end the escalation, so the director
/// would never hear of a trouble the manager never answered. The chain goes up as before.
#[tokio::test]
async fn the_owner_cannot_close_a_trouble_nobody_has_acknowledged_and_the_chain_still_goes_up() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "prevent be careful").await;
    all_stages_done(&bot, &t).await;
    let before = trouble(&bot, &t.id).timeline_len;
    let refused = bot.command_text(SALES, &t.channel, "close").await;
    assert_eq!(
        refused,
        format!(
            "Nobody has acknowledged this trouble yet, so it cannot be closed: <@{MANAGER}> or those above them \
             (<@{DIRECTOR}>, <@{VP}>) acknowledges it first, so that no trouble closes before its manager has \
             heard of it."
        )
    );
    let kept = trouble(&bot, &t.id);
    assert!(kept.closed.is_none() && kept.timeline_len == before, "nothing changed");
    bot.advance_and_settle(ACK_TIMEOUT).await;
    bot.posted_saying(DIRECTOR, "not been acknowledged").await;
    // Once someone in the chain has heard of it, the owner closes it.
    bot.command_text(DIRECTOR, &t.channel, "ack").await;
    assert_eq!(
        bot.command_text(SALES, &t.channel, "close").await,
        closed_reply(&bot, &t)
    );
}

/// A manager covering for their rep, who acknowledges, lowers a sev1 and forces it closed,
/// does not end it unseen: the director, the one above them, is told of each by DM (the VP,
/// above the director, is not), and the channel the sev1 was announced in hears of each.
#[tokio::test]
async fn a_lowering_and_a_forced_close_are_told_to_the_one_above_who_made_them_and_where_it_was_announced() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("sev1 ACME: housing fire risk").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    assert_eq!(
        bot.command_text(MANAGER, &t.channel, "sev 3").await,
        "Give the reason for lowering it from sev1: `/trouble sev 3 REASON` (a lowering slows every clock, so the \
         channel and the level above hear why). Nothing was changed."
    );
    assert_eq!(
        bot.command_text(MANAGER, &t.channel, "sev 3 only cosmetic: no fire risk after all")
            .await,
        format!("Severity of trouble {} (ACME) changed from sev1 to sev3.", t.id)
    );
    let lowered = bot.posted_saying(DIRECTOR, "lowered the severity").await;
    assert!(
        lowered.contains(&format!(
            "⬇️ <@{MANAGER}> lowered the severity of trouble {} (ACME) from sev1 critical to sev3 minor. <#{}>\n\
             Reason:\n> only cosmetic: no fire risk after all\n",
            t.id, t.channel
        )) && lowered.contains("`/trouble sev 1` in its channel raises it again"),
        "{lowered}"
    );
    // The business unit told "critical" at open hears it was downgraded, and by whom.
    let downgraded = bot.posted_saying("C0BIZUNIT", "was lowered").await;
    assert!(
        downgraded.contains(&format!(
            "⬇️ Trouble {} (ACME), announced here as sev1 critical, was lowered to sev3 minor by <@{MANAGER}>. <#{}>\n\
             Reason:\n> only cosmetic: no fire risk after all",
            t.id, t.channel
        )),
        "{downgraded}"
    );
    // The channel's own line says why, and so does the timeline.
    bot.posted_saying(&t.channel, "Reason:\n> only cosmetic: no fire risk after all")
        .await;
    // Raised again (announced again), then forced closed: said there too.
    bot.command_text(MANAGER, &t.channel, "sev 1").await;
    bot.command_text(MANAGER, &t.channel, "close force duplicate of another trouble")
        .await;
    let closed = bot.posted_saying(DIRECTOR, "force-closed").await;
    assert!(
        closed.contains(&format!(
            "🏁 <@{MANAGER}> force-closed trouble {} (ACME, sev1 critical) with none of its seven stages done.",
            t.id
        )) && closed.contains("duplicate of another trouble"),
        "{closed}"
    );
    let ended = bot.posted_saying("C0BIZUNIT", "announced here, was force-closed").await;
    assert!(
        ended.contains(&format!("<@{MANAGER}>")) && ended.contains("duplicate of another trouble"),
        "{ended}"
    );
    bot.settle().await;
    assert_eq!(posts_to(&bot, VP, 0), 0, "the one above the director is not told");

    // Reopened: where its close was told, and the owner, hear it is open again, and why.
    let r = bot
        .command_text(MANAGER, &t.channel, "reopen not a duplicate after all")
        .await;
    assert!(r.contains("open again"), "{r}");
    let again = bot
        .posted_saying("C0BIZUNIT", "announced here and closed, was reopened")
        .await;
    assert!(
        again.contains(&format!("was reopened by <@{MANAGER}>."))
            && again.contains("Reason:\n> not a duplicate after all"),
        "{again}"
    );
    let told = bot.posted_saying(SALES, "reopened trouble").await;
    assert!(
        told.contains(&format!("🔄 <@{MANAGER}> reopened trouble {} (ACME).", t.id)),
        "{told}"
    );
}

#[tokio::test]
async fn at_the_top_of_the_chain_the_bot_repings_then_says_nobody_answered() {
    let config = r#"
locale = "en"
[org]
default_manager = "U0BOSS"
[severity.2]
ack_timeout = "1h"
customer_update_every = "4h"
"#;
    let bot = spawn_bot_raw(config).await;
    let t = bot.open_ready("ACME: broken").await;
    for _ in 0..6 {
        bot.advance_and_settle(ACK_TIMEOUT).await;
    }
    let last = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == t.channel.as_str() && text_of(&c.params).contains("whole chain was pinged")
        })
        .await;
    let repings = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| {
            c.params["channel"] == "U0BOSS"
                && text_of(&c.params).contains("has not been acknowledged")
                && c.seq < last.seq
        })
        .count();
    assert_eq!(repings, 5, "the boss is re-pinged five times, then the channel is told");
    let gave_up = "nobody has acknowledged (the whole chain was asked)";
    status_says(&bot, &t.id, gave_up).await;
    message_says(&bot, &t.channel, &t.kickoff_ts, gave_up).await;
    let mark = bot.slack.calls().len() as u64;
    bot.advance_and_settle(3 * ACK_TIMEOUT).await;
    assert_eq!(posts_to(&bot, "U0BOSS", mark), 0, "no ping after the channel was told");
    // But a trouble nobody acknowledged never goes quiet: the chain is asked again a day on.
    bot.advance_and_settle(21 * ACK_TIMEOUT).await;
    bot.posted_saying("U0BOSS", "has not been acknowledged").await;
    assert_eq!(posts_to(&bot, "U0BOSS", mark), 1, "once a day");
}

/// Opened on a Friday evening and nobody answers: the bot goes up the chain at once, whatever
/// the hour, but asks the top again only in business hours, so the night and the long weekend
/// neither wake them hourly nor use up the re-pings; once it has given up, it asks again the
/// next working day.
#[tokio::test]
async fn the_top_is_asked_again_in_business_hours_and_a_given_up_trouble_the_next_working_day() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    // Friday 17:30 in Tokyo (the clock starts on Monday 10:00).
    bot.advance_and_settle(Duration::from_secs((4 * 24 + 7) * 3600 + 1800))
        .await;
    let t = bot.open_ready("ACME: line stopped").await;
    let mark = bot.slack.calls().len() as u64;
    // The weekly digest goes to them too: only the asking counts.
    let asked = |who: &str| {
        bot.slack
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| {
                c.seq >= mark && c.params["channel"] == who && text_of(&c.params).contains("has not been acknowledged")
            })
            .count()
    };
    bot.advance_and_settle(ACK_TIMEOUT).await;
    bot.posted_saying(DIRECTOR, "has not been acknowledged").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    bot.posted_saying(VP, "has not been acknowledged").await;
    // To Tuesday 08:30 (Monday is a holiday), an hour at a time: the VP was asked once.
    for _ in 0..(3 * 24 + 13) {
        bot.advance_and_settle(ACK_TIMEOUT).await;
    }
    assert_eq!(asked(VP), 1, "nobody is woken hourly at night");
    // Tuesday 09:00 to 13:00: five re-pings; at 14:00 the channel is told.
    for _ in 0..6 {
        bot.advance_and_settle(ACK_TIMEOUT).await;
    }
    assert_eq!(asked(VP), 6, "the re-pings came in business hours");
    bot.posted_saying(&t.channel, "whole chain was pinged").await;
    let before = asked(MANAGER);
    // A working day after giving up, Wednesday afternoon: the manager and the top are asked again.
    for _ in 0..25 {
        bot.advance_and_settle(ACK_TIMEOUT).await;
    }
    assert_eq!(asked(VP), 7);
    assert_eq!(asked(MANAGER), before + 1);
}

/// A sev2 set to escalate in business hours only, reported on Monday at 17:30: the hour the
/// manager has to acknowledge counts working time (30 minutes that evening, 30 the next
/// morning), so the director is asked on Tuesday at 09:30, not at 18:30, and the VP an hour
/// of business later.
#[tokio::test]
async fn a_severity_that_escalates_in_business_hours_waits_for_the_office_to_open() {
    let hours = OFFICE_HOURS.replace(
        "customer_update_every = \"4h\"\n[business_hours]",
        "customer_update_every = \"4h\"\nescalate_in_business_hours = true\n[business_hours]",
    );
    let bot = spawn_bot_with(&hours).await;
    // Monday 17:30 in Tokyo (the clock starts on Monday 10:00).
    bot.advance_and_settle(Duration::from_secs(7 * 3600 + 1800)).await;
    let t = bot.open_ready("ACME: labels misprinted").await;
    // To Tuesday 09:29: fifteen and a half hours, nobody above the manager is asked.
    bot.advance_and_settle(Duration::from_secs(15 * 3600 + 59 * 60)).await;
    bot.nothing_posted_saying(DIRECTOR, "has not been acknowledged").await;
    bot.advance_and_settle(Duration::from_secs(60)).await;
    bot.posted_saying(DIRECTOR, "has not been acknowledged").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    bot.posted_saying(VP, "has not been acknowledged").await;
    assert!(trouble(&bot, &t.id).ack.is_none());
}

#[tokio::test]
async fn a_bot_restarted_during_the_wait_still_escalates_once_on_time() {
    let mut bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance(ACK_TIMEOUT / 2);
    bot.restart().await;
    bot.advance_and_settle(ACK_TIMEOUT / 2 - Duration::from_secs(60)).await;
    assert_eq!(posts_to(&bot, DIRECTOR, 0), 0, "not escalated a minute early");
    bot.advance_and_settle(Duration::from_secs(60)).await;
    assert_eq!(posts_to(&bot, DIRECTOR, 0), 1, "escalated when the ack timeout ran out");
    bot.command_text(DIRECTOR, &t.channel, "ack").await;
    let dms = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == DIRECTOR)
        .count();
    assert_eq!(dms, 1, "escalated once");
}

#[tokio::test]
async fn a_timer_that_fell_due_while_the_bot_was_down_fires_once_after_start() {
    let mut bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.stop().await;
    // Stay down past two ack timeouts; the store has the timer.
    bot.advance(2 * ACK_TIMEOUT + ACK_TIMEOUT / 2);
    let mark = bot.slack.calls().len() as u64;
    bot.restart().await;
    bot.settle().await;
    assert_eq!(
        posts_to(&bot, DIRECTOR, mark),
        1,
        "the missed escalation happens once after start"
    );
    bot.command_text(DIRECTOR, &t.channel, "ack").await;
    let to_vp = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == VP)
        .count();
    assert_eq!(to_vp, 0, "one escalation for the missed period, not one per period");
}

#[tokio::test]
async fn a_manager_nobody_can_dm_is_passed_over_at_once_and_the_owner_hears_why() {
    let bot = spawn_bot().await;
    // A mistyped id in `[org]`, say: Slack has nobody there to write to.
    bot.slack.no_such_user(MANAGER);
    let (_, id) = bot.opened(SALES, "ACME: housing cracked").await;
    // No acknowledgement timeout waited out (the clock never moves): the director is asked,
    // and told why.
    let asked = bot.posted_saying(DIRECTOR, "needs acknowledging").await;
    assert!(asked.contains(&format!("could not reach <@{MANAGER}>")), "{asked}");
    let told = bot.posted_saying(SALES, "could not DM").await;
    assert!(told.contains(&format!("<@{MANAGER}>")) && told.contains(&id), "{told}");
    // Everyone else is in the channel: the unknown id is left out of the invitation.
    bot.settle().await;
    let t = bot.store().get(&TroubleId::new(&id)).unwrap().unwrap();
    let members = bot.slack.members(t.channel.expect("a channel").as_str());
    assert!(
        [SALES, DIRECTOR].iter().all(|m| members.iter().any(|x| x == m)),
        "{members:?}"
    );
    assert_eq!(t.escalation.level, 1);
}

/// Slack takes a DM to a deactivated account without error, and nobody reads it: a manager who
/// left would have held every trouble of their reports for a whole acknowledgement timeout.
/// Once the ping went, the bot asks Slack whether its reader has left (remembered for an hour),
/// and goes past them at once, as past an id Slack does not know, telling the owner they were
/// deactivated.
#[tokio::test]
async fn a_manager_who_left_is_passed_over_at_once_and_the_owner_hears_they_were_deactivated() {
    let bot = spawn_bot().await;
    let before = bot.open_ready("Initech: late delivery").await;
    bot.command_text(MANAGER, &before.channel, "ack").await;
    bot.settle().await;
    bot.slack.deactivate(MANAGER);
    let dms_to_manager = || {
        bot.slack
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.params["channel"] == MANAGER && c.took_effect())
            .count()
    };
    let pinged_before = dms_to_manager();
    assert!(pinged_before >= 1, "{} pinged the manager", before.id);
    // What Slack said is trusted for an hour; the next DM after it asks again.
    bot.advance_and_settle(Duration::from_secs(3601)).await;

    let (_, id) = bot.opened(SALES, "ACME: housing cracked").await;
    let asked = bot.posted_saying(DIRECTOR, "needs acknowledging").await;
    assert!(
        asked.contains(&id) && asked.contains(&format!("<@{MANAGER}>")),
        "{asked}"
    );
    let told = bot.posted_saying(SALES, "has been deactivated in Slack").await;
    assert!(told.contains(&format!("<@{MANAGER}>")) && told.contains(&id), "{told}");
    bot.settle().await;
    assert_eq!(dms_to_manager(), pinged_before + 1, "the ping went, as Slack takes it");
    let t = bot.store().get(&TroubleId::new(&id)).unwrap().unwrap();
    assert!(t.manager_dm.is_none(), "no DM kept that nobody reads");
    assert_eq!(t.escalation.level, 1, "the director is asked now");
    assert!(t.escalation.unreachable.iter().any(|u| u.as_str() == MANAGER));
    // Nobody is sent to the one who left: a refusal names who can still answer.
    let channel = t.channel.expect("its channel");
    let refused = bot.command_text(COLLEAGUE, channel.as_str(), "ack").await;
    assert!(
        refused.starts_with("Only") && refused.contains(&format!("<@{DIRECTOR}>")),
        "{refused}"
    );
    assert!(!refused.contains(&format!("<@{MANAGER}>")), "{refused}");
}

#[tokio::test]
async fn a_timer_record_that_does_not_read_holds_back_no_other_trouble_s_escalation() {
    let mut bot = spawn_bot_with(ESCALATION).await;
    let spoiled = bot.open_ready("ACME: broken").await;
    let other = bot.open_ready("Globex: late").await;
    bot.settle().await;
    bot.stop().await;
    // A kind a newer release wrote, say, after a rollback: the first trouble's timers do not read.
    let data_dir = bot.config().data_dir;
    let n = overwrite_timers_of(&data_dir, &spoiled.id, br#"{"kind":"a_kind_of_a_newer_release"}"#).await;
    assert!(n > 0);
    bot.restart().await;

    bot.advance_and_settle(ACK_TIMEOUT).await;
    let asked = bot.posted_saying(DIRECTOR, "not been acknowledged").await;
    assert!(asked.contains(&other.id) && !asked.contains(&spoiled.id), "{asked}");
    // The spoiled ones wait their hour rather than being tried over and over, and stay.
    assert!(bot.store().next_timer_due(bot.clock.now()).unwrap() > Some(bot.clock.now()));
    assert!(bot.store().timers_len() >= n);
    bot.stop().await;
    let (ok, stdout) = verify_stopped(&data_dir);
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains(&format!("BROKEN timer of {}: the record does not read (", spoiled.id))
            && stdout.contains(&format!(
                "保存されたタイマーと送信待ちの呼び出しのうち{n}件が読めません"
            )),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_timer_whose_trouble_does_not_read_is_tried_again_in_an_hour_not_every_few_seconds() {
    let mut bot = spawn_bot_with(ESCALATION).await;
    let spoiled = bot.open_ready("ACME: broken").await;
    bot.settle().await;
    bot.stop().await;
    overwrite_trouble(&bot.config().data_dir, &spoiled.id, UNREADABLE_BODY).await;
    bot.restart().await;
    // Its acknowledgement falls due and cannot fire: kept, and tried again in an hour (or at the
    // next start), not every few seconds with an error logged each time.
    bot.advance(ACK_TIMEOUT);
    eventually("the firing that failed put off", Duration::from_secs(10), || {
        let now = bot.clock.now();
        let next = bot.store().next_timer_due(now).unwrap()?;
        (next > now + chrono::Duration::minutes(1)).then_some(())
    })
    .await;
    assert_eq!(
        bot.slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.params["channel"] == DIRECTOR)
            .count(),
        0,
        "nothing goes up the chain for a trouble the bot cannot read"
    );
}

/// A manager on a phone reads the DM and answers from there: `status ID` and `ack ID` work
/// anywhere. A trouble they may not see, or one that does not exist, gets the same answer, and
/// the owner still cannot acknowledge their own trouble by naming it.
#[tokio::test]
async fn status_and_ack_name_a_trouble_by_its_id_from_a_dm() {
    let bot = spawn_bot_raw(&format!(
        "{}\n{DEFAULT_SEVERITIES}",
        BASE_CONFIG.replace("locale = \"en\"", "locale = \"en\"\nprivate_channels = true")
    ))
    .await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let dm = "D0MANAGERDM";

    let status = bot.command_text(MANAGER, dm, &format!("status {}", t.id)).await;
    assert!(status.starts_with(&format!("Status {}", t.id)), "{status}");
    let own = bot.command_text(SALES, dm, &format!("ack {}", t.id)).await;
    assert!(own.starts_with(&format!("Only <@{MANAGER}>")), "{own}");
    assert_eq!(acked_by(&bot, &t.id), None);

    let nobody = format!(
        "There is no trouble `{}` that you may see. `/trouble list` shows yours.",
        t.id
    );
    assert_eq!(
        bot.command_text("U0STRANGER", dm, &format!("status {}", t.id)).await,
        nobody
    );
    assert_eq!(
        bot.command_text(MANAGER, dm, "ack ２０９９０１０１－９").await,
        "There is no trouble `20990101-9` that you may see. `/trouble list` shows yours."
    );
    // With no id: the troubles waiting for them, to name one.
    let waiting = bot.command_text(MANAGER, dm, "ack").await;
    assert!(waiting.contains("`/trouble ack ID`"), "{waiting}");
    assert!(waiting.contains(&format!("• `{}` sev", t.id)), "{waiting}");

    // Two ids: one at a time, each written out, rather than the second left unsaid.
    let other = bot.open_ready("Globex: labels smudged").await;
    let both = bot
        .command_text(MANAGER, dm, &format!("ack {} {}", t.id, other.id))
        .await;
    assert_eq!(
        both,
        format!(
            "Name one trouble at a time: `/trouble ack {}`, `/trouble ack {}`. Nothing was changed.",
            t.id, other.id
        )
    );
    assert_eq!((acked_by(&bot, &t.id), acked_by(&bot, &other.id)), (None, None));

    // The answer names the trouble acknowledged, for a manager with several on a phone.
    let acked = bot.command_text(MANAGER, dm, &format!("ack {}", t.id)).await;
    assert_eq!(
        acked,
        format!("Acknowledged trouble {} (ACME). Escalation has stopped.", t.id)
    );
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(MANAGER));
}

/// The report's timeline names who acknowledged once, in front, as every entry names its actor.
#[tokio::test]
async fn the_report_names_the_acknowledger_once_on_their_timeline_entry() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    let line = report
        .lines()
        .find(|l| l.contains("acknowledged after"))
        .unwrap_or_else(|| panic!("the acknowledgement entry: {report}"));
    assert!(line.contains(&format!("@{MANAGER} — acknowledged after ")), "{line}");
    assert_eq!(line.matches(MANAGER).count(), 1, "{line}");
}

/// Someone up the chain who forces a close of a trouble nobody acknowledged, or reopens it, has
/// heard of it: that is their acknowledgement, so nobody is asked, up to them and past them,
/// about what they have just done; the answer says the stage it is really back at.
#[tokio::test]
async fn a_forced_close_and_a_reopening_by_the_chain_are_its_acknowledgement() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    let r = bot.command_text(DIRECTOR, &t.channel, "close force duplicate").await;
    let closed = trouble(&bot, &t.id);
    assert!(closed.closed.is_some(), "{r}");
    assert_eq!(closed.ack.map(|a| a.by.to_string()).as_deref(), Some(DIRECTOR));
    bot.advance_and_settle(2 * ACK_TIMEOUT).await;
    let mark = bot.slack.calls().len() as u64;
    let r = bot
        .command_text(DIRECTOR, &t.channel, "reopen not a duplicate after all")
        .await;
    assert!(r.contains("back at stage 1"), "{r}");
    bot.advance_and_settle(2 * ACK_TIMEOUT).await;
    // The manager, told of the forced close, is told of the reopening: nothing is asked.
    bot.posted_saying(MANAGER, &format!("<@{DIRECTOR}> reopened trouble"))
        .await;
    for who in [MANAGER, DIRECTOR, VP] {
        let asked = bot
            .slack
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.seq >= mark && c.params["channel"] == who && !text_of(&c.params).contains("reopened trouble"))
            .count();
        assert_eq!(asked, 0, "{who} is asked nothing");
    }
}

/// Slack posted the kickoff but its answer is late, and the manager replies in the kickoff's
/// thread before the bot knows its ts: the reply is kept, and acknowledges once the kickoff is
/// known, as a reply in its thread does; nobody is told nobody answered.
#[tokio::test]
async fn a_reply_in_the_kickoffs_thread_before_the_bot_knows_it_still_acknowledges() {
    // Slack's answers come after the bot gave up (at 300 ms, below the config's floor of a
    // second): 1.2 s, so a stall of the runtime up to 900 ms still finds the timeout first, and
    // a call without a fault rarely takes the 300 ms that would make it a timeout too.
    let timeout = Duration::from_millis(300);
    let bot = spawn_bot_timing_out_after(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"), timeout).await;
    bot.slack.set_slow_delay(4 * timeout);
    bot.slack
        .set_fault_rate("chat.postMessage", 1.0, &[fake_slack::Fault::Slow]);
    let (_, id) = bot.opened(SALES, "LATE: lid cracked").await;
    let (channel, kickoff_ts) = eventually("the kickoff in Slack", Duration::from_secs(20), || {
        let channel = trouble(&bot, &id).channel?.to_string();
        let kickoff = bot.slack.messages_in(&channel).into_iter().find(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains(&format!("Trouble {id}:")))
        })?;
        Some((channel, kickoff["ts"].as_str()?.to_string()))
    })
    .await;
    bot.slack.clear_faults();
    let reply = message_event(
        "EvEarlyReply",
        &channel,
        MANAGER,
        "1800000000.000990",
        Some(&kickoff_ts),
    );
    // Sent while the bot still waits to look the kickoff up (its wait runs on the test's clock).
    assert!(
        trouble(&bot, &id).kickoff.is_none(),
        "the bot does not know the kickoff yet"
    );
    assert_eq!(bot.event(&reply, None).await.status(), 200);
    assert_eq!(acked_by(&bot, &id), None);
    eventually("the kickoff known", Duration::from_secs(20), || {
        bot.advance(Duration::from_millis(500));
        trouble(&bot, &id).kickoff.map(|_| ())
    })
    .await;
    bot.settle().await;
    assert_eq!(acked_by(&bot, &id).as_deref(), Some(MANAGER));
    assert!(
        trouble(&bot, &id).early_replies.is_empty(),
        "the reply is forgotten once used"
    );
    let thread: Vec<String> = bot
        .slack
        .messages_in(&channel)
        .iter()
        .filter(|m| m["thread_ts"] == kickoff_ts.as_str())
        .map(text_of)
        .collect();
    assert!(thread.iter().any(|t| t.contains("Acknowledged by")), "{thread:?}");
}

/// Waits until the DM at `dm`, as Slack shows it now, says `words` and has no live button.
async fn dm_settled(bot: &TestBot, dm: &(String, String), words: &str) -> String {
    message_says(bot, &dm.0, &dm.1, words).await;
    let now = text_of(&bot.slack.message_versions(&dm.0, &dm.1).pop().expect("the DM"));
    assert!(!now.contains("\"acknowledge\""), "the button is gone: {now}");
    now
}

/// A trouble that climbed to the VP and was re-pinged there, then acknowledged: each DM that
/// asked (the director's, the VP's) loses its button and says who acknowledged and after how
/// long, as the manager's DM does; the VP's older DM already pointed to the newer one when it
/// came, so only the newest asks at any time (and the record keeps one per person).
#[tokio::test]
async fn every_dm_that_asked_up_the_chain_says_who_acknowledged_and_loses_its_button() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    let asking = "has not been acknowledged";
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = nth_dm_saying(&bot, DIRECTOR, 1, asking).await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let vp_first = nth_dm_saying(&bot, VP, 1, asking).await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let vp_again = nth_dm_saying(&bot, VP, 2, asking).await;
    assert_ne!(vp_first, vp_again);
    dm_settled(&bot, &vp_first, "asked again in a newer message below").await;
    let kept = wait_until(|| Some(trouble(&bot, &t.id).escalation.dms).filter(|k| k.len() == 2)).await;
    assert_eq!(
        kept.iter().map(|m| m.posted.ts.to_string()).collect::<Vec<_>>(),
        vec![director.1.clone(), vp_again.1.clone()]
    );

    let answer = bot.command_text(VP, &t.channel, "ack").await;
    assert!(answer.contains("cknowledged"), "{answer}");
    let acknowledged = format!("acknowledged by <@{VP}> after 3h");
    for dm in [&director, &vp_again] {
        let now = dm_settled(&bot, dm, &acknowledged).await;
        assert!(!now.contains(asking), "{now}");
    }
    assert!(trouble(&bot, &t.id).escalation.dms.is_empty());
    // A tap on a button the phone still showed is answered as before; nothing asks any more.
    bot.advance_and_settle(2 * ACK_TIMEOUT).await;
    assert_eq!(posts_to(&bot, VP, 0), 2);
}

/// Nobody up the chain answered, and the next day's ask reaches the manager again: their first
/// DM points to the newer one and loses its button, so only the newest asks.
#[tokio::test]
async fn the_managers_first_dm_points_to_the_newer_one_when_they_are_asked_again() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    let first = trouble(&bot, &t.id).manager_dm.expect("the manager's DM");
    let first = (first.channel.to_string(), first.ts.to_string());
    for _ in 0..10 {
        bot.advance_and_settle(ACK_TIMEOUT).await;
    }
    bot.advance_and_settle(24 * ACK_TIMEOUT).await;
    let again = nth_dm_saying(&bot, MANAGER, 1, "has not been acknowledged").await;
    assert_eq!(again.0, first.0, "the same DM channel");
    let now = dm_settled(&bot, &first, "asked again in a newer message below").await;
    assert!(now.contains("ACME"), "it still says which trouble: {now}");
    assert!(trouble(&bot, &t.id).manager_dm.is_none(), "the first DM is forgotten");
    assert!(dm_now(&bot, &again).contains("\"acknowledge\""), "the newer one asks");

    let answer = bot.command_text(MANAGER, &t.channel, "ack").await;
    assert!(answer.contains("cknowledged"), "{answer}");
    dm_settled(&bot, &again, &format!("acknowledged by <@{MANAGER}>")).await;
}

/// Closed (forced) by the director before anyone acknowledged: the DMs that asked, the
/// manager's first one included, lose their button and say the director acknowledged it.
#[tokio::test]
async fn a_trouble_force_closed_before_anyone_acknowledged_leaves_no_dm_asking() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = nth_dm_saying(&bot, DIRECTOR, 1, "has not been acknowledged").await;
    let r = bot.command_text(DIRECTOR, &t.channel, "close force duplicate").await;
    assert!(trouble(&bot, &t.id).closed.is_some(), "{r}");
    // The director who forced it had heard of it: every DM says so, and asks nothing.
    let closed = format!("acknowledged by <@{DIRECTOR}> after 1h");
    dm_settled(&bot, &director, &closed).await;
    let manager_dm = trouble(&bot, &t.id).manager_dm.expect("the manager's DM");
    dm_settled(
        &bot,
        &(manager_dm.channel.to_string(), manager_dm.ts.to_string()),
        &closed,
    )
    .await;
}

/// Someone named manager before anyone acknowledged is told they were named, and how long ago
/// the trouble was opened, not that it "has not been acknowledged for 0s"; their DM too loses
/// its button once they acknowledge.
#[tokio::test]
async fn a_manager_named_later_is_told_they_were_named_and_when_it_was_opened() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(Duration::from_secs(25 * 60)).await;
    bot.command_text(MANAGER, &t.channel, &format!("manager <@{COLLEAGUE}>"))
        .await;
    let named = nth_dm_saying(&bot, COLLEAGUE, 1, "you were named its manager (opened 25m ago)").await;
    let dm = bot.slack.message_versions(&named.0, &named.1).pop().expect("the DM");
    assert!(!text_of(&dm).contains("not been acknowledged"), "{dm}");
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.params["thread_ts"] == t.kickoff_ts.as_str()
                && text_of(&c.params).contains(&format!(
                    "<@{COLLEAGUE}> you were named manager of this trouble (opened 25m ago)"
                ))
        })
        .await;
    bot.command_text(COLLEAGUE, &t.channel, "ack").await;
    dm_settled(&bot, &named, &format!("acknowledged by <@{COLLEAGUE}> after 25m")).await;
}

/// A mistyped manager in `[org]` with nobody above them: the owner is told plainly that nobody
/// was asked (not that the next one up was), and once the admin fixes `[org]` the manager it
/// names acknowledges, though the trouble's chain was built from the typo.
#[tokio::test]
async fn a_chain_of_one_unreachable_manager_says_nobody_was_asked_and_the_fixed_org_acknowledges() {
    let typo = "U0MANAGRE";
    let broken = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")
        .replace("U0SALES = \"U0MANAGER\"", &format!("U0SALES = \"{typo}\""));
    let broken = broken.replace(
        "default_manager = \"U0MANAGER\"",
        &format!("default_manager = \"{typo}\""),
    );
    let mut bot = spawn_bot_raw(&broken).await;
    bot.slack.no_such_user(typo);
    let t = bot.open_ready("ACME: housing cracked").await;
    let told = bot.posted_saying(SALES, "could not DM").await;
    assert!(
        told.contains("nobody has been asked to acknowledge it") && !told.contains("asked the next one up"),
        "{told}"
    );

    bot.restart_with_config(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"))
        .await;
    // The daily round, with nobody in the kept chain to ask, asks the manager `[org]` names now.
    bot.advance_and_settle(Duration::from_secs(24 * 3600)).await;
    let asked = bot
        .posted_saying(MANAGER, "the bot now has you as the owner's manager")
        .await;
    assert!(asked.contains(&t.id), "{asked}");
    let answer = bot.command_text(MANAGER, &t.channel, "ack").await;
    assert!(answer.starts_with("Acknowledged"), "{answer}");
    assert_eq!(
        trouble(&bot, &t.id).ack.map(|a| a.by.as_str().to_string()),
        Some(MANAGER.to_string())
    );
}

/// The bot's own user id pasted into `[org]` as the rep's manager: what it writes to itself
/// nobody reads, so the next one up (the manager) is asked at once and the owner told to have
/// `[org]` checked, as for any bot there; and the channel's invitation leaves the bot out, which
/// Slack would refuse whole (`cant_invite_self`), keeping the owner out of their own channel.
#[tokio::test]
async fn the_bots_own_id_in_the_org_is_passed_over_at_once_and_the_owner_still_joins_the_channel() {
    let config = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}").replace(
        "U0SALES = \"U0MANAGER\"",
        &format!("U0SALES = \"{BOT}\"\n{BOT} = \"U0MANAGER\""),
    );
    let bot = spawn_bot_raw(&config).await;
    let t = bot.open_ready("ACME: housing cracked").await;
    // No time passes: the manager is asked now, not an acknowledgement timeout later.
    let asked = bot.posted_saying(MANAGER, "Please acknowledge").await;
    assert!(asked.contains(&t.id), "{asked}");
    let told = bot.posted_saying(SALES, "could not DM").await;
    assert!(told.contains(&format!("<@{BOT}>")), "{told}");
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.outcome == "ok"
                && c.params["channel"] == t.channel.as_str()
                && c.params["users"].as_str().is_some_and(|u| u.contains(SALES))
        })
        .await;
    bot.expect_none("conversations.invite", |c| {
        c.params["users"].as_str().is_some_and(|u| u.contains(BOT))
    })
    .await;
}

/// The manager on a phone reads the notification, not the channel: the DM's text starts with
/// what is asked while it waits, is edited to the new severity when it is raised (with a DM
/// saying so), and a close someone else makes reaches the manager and the owner by DM.
#[tokio::test]
async fn the_manager_on_a_phone_hears_what_changes_by_dm() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let dm = trouble(&bot, &t.id).manager_dm.expect("the manager's DM");
    let first = bot.slack.message_versions(dm.channel.as_str(), dm.ts.as_str());
    let text = first[0]["text"].as_str().unwrap_or_default().to_string();
    assert!(
        text.starts_with("🚨 Please acknowledge · sev2 major · Trouble"),
        "{text}"
    );

    let mark = last_call(&bot);
    bot.command_text(SALES, &t.channel, "sev 1").await;
    let raised = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark && c.params["channel"] == MANAGER && text_of(&c.params).contains("raised the severity")
        })
        .await;
    // The channel's line pings the departments it brings in; the manager's DM pings nobody else.
    assert!(!text_of(&raised.params).contains("subteam"), "{}", raised.params);
    bot.paced("the manager's DM edited to sev1", || {
        let latest = bot.slack.message_versions(dm.channel.as_str(), dm.ts.as_str()).pop()?;
        latest["text"]
            .as_str()
            .filter(|t| t.starts_with("🚨 Please acknowledge · sev1"))
            .map(str::to_string)
    })
    .await;

    bot.command_text(MANAGER, &t.channel, "ack").await;
    let mark = last_call(&bot);
    bot.command_text(DIRECTOR, &t.channel, "close force customer withdrew")
        .await;
    for who in [MANAGER, SALES] {
        bot.slack
            .wait_for("chat.postMessage", |c| {
                c.seq > mark
                    && c.params["channel"] == who
                    && text_of(&c.params).contains(&format!("<@{DIRECTOR}> force-closed trouble {} (ACME)", t.id))
                    && text_of(&c.params).contains("customer withdrew")
            })
            .await;
    }
    message_says(&bot, dm.channel.as_str(), dm.ts.as_str(), "🏁 Closed").await;
    let latest = bot
        .slack
        .message_versions(dm.channel.as_str(), dm.ts.as_str())
        .pop()
        .unwrap();
    let text = latest["text"].as_str().unwrap_or_default();
    assert!(!text.contains("Please acknowledge"), "{text}");
    // Nor does its body, which says it was answered and then closed.
    let body = latest["blocks"].to_string();
    assert!(body.contains(&format!("<@{SALES}> reported this trouble.")), "{body}");
    assert!(!body.contains("Please acknowledge"), "{body}");
    assert!(
        body.contains(&format!("acknowledged by <@{MANAGER}>")) && body.contains(&format!("by <@{DIRECTOR}>")),
        "{body}"
    );
}

/// The manager answers the bot's DM as people answer a DM on a phone, in it rather than in the
/// kickoff's thread: that acknowledges the one trouble waiting for them, once however often
/// Slack delivers the event, and the bot says so there; the DM no longer asks.
#[tokio::test]
async fn the_managers_answer_in_the_dm_acknowledges_the_one_trouble_waiting_for_them() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let answer = dm_event("EvDm1", MANAGER, "了解、すぐ見ます", None);
    for retry in [None, Some(1)] {
        assert_eq!(bot.event(&answer, retry).await.status(), 200);
    }
    let said = bot.posted_saying(MANAGER, "You acknowledged trouble").await;
    assert!(
        said.contains(&format!("{} (ACME)", t.id)) && said.contains(&format!("<#{}>", t.channel)),
        "{said}"
    );
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(MANAGER));
    bot.slack
        .wait_for("chat.postMessage", |c| is_ack_reply(c, &t.kickoff_ts))
        .await;
    let dm = trouble(&bot, &t.id).manager_dm.expect("the manager's DM");
    message_says(
        &bot,
        dm.channel.as_str(),
        dm.ts.as_str(),
        &format!("<@{SALES}> reported this trouble."),
    )
    .await;
    bot.settle().await;
    let told = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == MANAGER && text_of(&c.params).contains("You acknowledged"))
        .count();
    assert_eq!(told, 1, "answered once for the event Slack sent twice");
}

/// With two troubles waiting, a reply in the thread of one's DM acknowledges that one; a message
/// in the DM itself could be either, so it acknowledges neither and names both.
#[tokio::test]
async fn with_two_waiting_a_reply_in_one_dms_thread_acknowledges_it_and_a_message_in_the_dm_neither() {
    let bot = spawn_bot().await;
    let first = bot.open_ready("ACME: housings cracked").await;
    let second = bot.open_ready("Globex: late delivery").await;
    bot.settle().await;

    bot.event(&dm_event("EvDm1", MANAGER, "on it", None), None).await;
    let said = bot.posted_saying(MANAGER, "Several troubles wait").await;
    assert!(said.contains(&first.id) && said.contains(&second.id), "{said}");
    assert!(said.contains("none is acknowledged yet"), "{said}");
    assert_eq!(acked_by(&bot, &first.id), None);
    assert_eq!(acked_by(&bot, &second.id), None);

    // Each has its button there, for a phone: the sev2 opened first leads.
    let answer = several_wait_answer(&bot);
    let buttons = button_labels(&answer.params);
    assert_eq!(
        buttons,
        vec![
            format!("Acknowledge {}", first.id),
            format!("Acknowledge {}", second.id)
        ],
        "{}",
        answer.params
    );

    let dm = trouble(&bot, &second.id).manager_dm.expect("the manager's DM");
    assert!(dm.together.is_empty(), "one DM each: {dm:?}");
    bot.event(&dm_event("EvDm2", MANAGER, "looking", Some(dm.ts.as_str())), None)
        .await;
    let said = bot.posted_saying(MANAGER, "You acknowledged trouble").await;
    assert!(said.contains(&second.id), "{said}");
    assert_eq!(acked_by(&bot, &second.id).as_deref(), Some(MANAGER));
    assert_eq!(acked_by(&bot, &first.id), None);
}

/// Writing to the bot acknowledges only what answers an ask the writer may answer: the owner's
/// message, the manager's in another thread, and the manager's once nothing waits for them,
/// record nothing and are told so.
#[tokio::test]
async fn a_dm_to_the_bot_that_answers_no_ask_records_nothing_and_says_so() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.event(&dm_event("EvDm1", SALES, "did my manager see it?", None), None)
        .await;
    let said = bot.posted_saying(SALES, "This message was not recorded").await;
    assert!(said.contains("/trouble help"), "{said}");
    assert_eq!(acked_by(&bot, &t.id), None);

    // A reply in another thread (a proposal's, the weekly digest's) answers no ask: the one
    // waiting is listed, not said to be one of several.
    let mark = last_call(&bot);
    bot.event(&dm_event("EvDm3", MANAGER, "ok", Some("1700000000.000100")), None)
        .await;
    let said = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark
                && c.params["channel"] == MANAGER
                && text_of(&c.params).contains("I could not read it as the answer to a request to acknowledge")
        })
        .await;
    assert!(text_of(&said.params).contains(&t.id), "{}", said.params);
    assert_eq!(acked_by(&bot, &t.id), None);

    bot.command_text(MANAGER, &t.channel, "ack").await;
    let mark = last_call(&bot);
    bot.event(&dm_event("EvDm2", MANAGER, "thanks", None), None).await;
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark
                && c.params["channel"] == MANAGER
                && text_of(&c.params).contains("This message was not recorded")
        })
        .await;
}

/// Gone up the chain, the director answers in the thread of the escalation's DM: that
/// acknowledges it, as the director's reply in the kickoff's thread would, and the DM settles.
#[tokio::test]
async fn the_directors_answer_in_the_escalation_dms_thread_acknowledges() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let asked = nth_dm_saying(&bot, DIRECTOR, 1, "has not been acknowledged").await;
    bot.event(&dm_event("EvDir", DIRECTOR, "見ます", Some(&asked.1)), None)
        .await;
    let said = bot.posted_saying(DIRECTOR, "You acknowledged trouble").await;
    assert!(said.contains(&t.id), "{said}");
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(DIRECTOR));
    dm_settled(&bot, &asked, &format!("acknowledged by <@{DIRECTOR}>")).await;
}

/// The trouble named by its channel, as a phone's autocomplete inserts it (`#` and the name,
/// which Slack sends as `<#C…|name>`, or without the name), acts on that trouble from a DM.
#[tokio::test]
async fn a_trouble_named_by_its_channel_is_acknowledged_and_read_from_a_dm() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("Initech: wrong labels").await;
    let name = trouble(&bot, &t.id).channel_name.expect("the channel's name");
    let r = bot
        .command_text(MANAGER, "D0MANAGER", &format!("status <#{}|{name}>", t.channel))
        .await;
    assert!(r.starts_with(&format!("Status {}", t.id)), "{r}");
    let r = bot.command_text(MANAGER, "D0MANAGER", &format!("status #{name}")).await;
    assert!(r.starts_with(&format!("Status {}", t.id)), "{r}");
    let r = bot
        .command_text(MANAGER, "D0MANAGER", &format!("ack <#{}>", t.channel))
        .await;
    assert!(r.starts_with(&format!("Acknowledged trouble {}", t.id)), "{r}");
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(MANAGER));
}

/// The DM at `dm`, as Slack shows it now.
fn dm_now(bot: &TestBot, dm: &(String, String)) -> String {
    text_of(&bot.slack.message_versions(&dm.0, &dm.1).pop().expect("the DM"))
}

/// Answered, the escalation's DM names whom to call once the trouble is handed over, in the
/// manager's DM's words: the director asked before reads who owns it now, not only who reported
/// it.
#[tokio::test]
async fn an_answered_escalation_dm_names_the_owner_after_a_hand_over() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = dm_saying(&bot, DIRECTOR, "has not been acknowledged").await;
    bot.command_text(DIRECTOR, &t.channel, "ack").await;
    dm_settled(&bot, &director, &format!("acknowledged by <@{DIRECTOR}>")).await;

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    assert!(r.contains(COLLEAGUE), "{r}");
    let owner = format!("Owner now: <@{COLLEAGUE}> (reported by <@{SALES}>)");
    let now = dm_settled(&bot, &director, &owner).await;
    assert!(now.contains(&format!("acknowledged by <@{DIRECTOR}>")), "{now}");
}

/// Handed over while the director was asked: the owner is now the director, and their chain
/// (the VP) is asked. The director's escalation DM and the manager's own DM asked people the
/// chain leaves out: both say why they no longer ask (the director's, that it is theirs now),
/// lose their button and are forgotten; a tap on one a phone still showed is refused, naming
/// who may acknowledge.
#[tokio::test]
async fn a_hand_over_takes_the_button_off_every_dm_asking_someone_it_left_out() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = nth_dm_saying(&bot, DIRECTOR, 1, "has not been acknowledged").await;
    let manager_dm = trouble(&bot, &t.id).manager_dm.expect("the manager's DM");
    let manager_dm = (manager_dm.channel.to_string(), manager_dm.ts.to_string());
    assert!(dm_now(&bot, &manager_dm).contains("\"acknowledge\""));

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{DIRECTOR}>"))
        .await;
    assert!(r.contains(DIRECTOR) && r.contains(VP), "{r}");
    nth_dm_saying(&bot, VP, 1, "you were named its manager").await;
    // The manager made the hand-over: their DM says they did, not their own name.
    let why = format!("was handed to <@{DIRECTOR}> by you; <@{VP}> is asked now");
    let now = dm_settled(&bot, &manager_dm, &why).await;
    assert!(now.contains("Nothing is asked of you any longer"), "{now}");
    // The director reads that it is theirs now, not that it was handed to them by the manager.
    let yours = format!("<@{MANAGER}> handed trouble {} (*ACME*) to you: it is yours now.", t.id);
    let now = dm_settled(&bot, &director, &yours).await;
    assert!(
        now.contains(&format!("<@{VP}> is asked to acknowledge it now.")),
        "{now}"
    );
    assert!(now.contains("This message asks nothing of you any longer."), "{now}");
    let kept = trouble(&bot, &t.id);
    assert!(kept.manager_dm.is_none(), "the manager's DM is forgotten");
    assert!(
        kept.escalation.dms.iter().all(|dm| dm.posted.ts.as_str() != director.1),
        "the director's DM is forgotten"
    );

    for who in [DIRECTOR, MANAGER] {
        bot.interaction(&button_payload(&bot.slack, who, "acknowledge", &t.id, who))
            .await;
        let refused = click_answer(&bot, who, "Only").await;
        assert!(refused.contains(&format!("<@{VP}>")), "{refused}");
    }
    assert_eq!(acked_by(&bot, &t.id), None);
}

/// Whoever is asked to acknowledge acts on what the trouble is now: a raise reaches the
/// director asked by the escalation (not only the manager), and their DM, button kept, shows
/// the new severity and the corrected customer; the manager's DM does too.
#[tokio::test]
async fn the_escalation_dm_shows_the_current_severity_and_customer_and_a_raise_reaches_whoever_is_asked() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = nth_dm_saying(&bot, DIRECTOR, 1, "has not been acknowledged").await;
    assert!(dm_now(&bot, &director).contains("sev2"));

    let mark = last_call(&bot);
    bot.command_text(SALES, &t.channel, "sev 1").await;
    for who in [MANAGER, DIRECTOR] {
        bot.slack
            .wait_for("chat.postMessage", |c| {
                c.seq > mark && c.params["channel"] == who && text_of(&c.params).contains("raised the severity")
            })
            .await;
    }
    message_says(&bot, &director.0, &director.1, "defective housings in lot 42, sev1").await;

    let r = bot
        .command_text(SALES, &t.channel, "fix customer ACME Industries")
        .await;
    assert!(r.contains("DMs that asked for an acknowledgement"), "{r}");
    message_says(&bot, &director.0, &director.1, "(ACME Industries — defective housings").await;
    let now = dm_now(&bot, &director);
    assert!(now.contains("\"acknowledge\""), "it still asks: {now}");
    let manager_dm = trouble(&bot, &t.id).manager_dm.expect("the manager's DM");
    message_says(
        &bot,
        manager_dm.channel.as_str(),
        manager_dm.ts.as_str(),
        "ACME Industries",
    )
    .await;

    // Lowered by the director, who is asked: their DM follows too.
    let r = bot.command_text(DIRECTOR, &t.channel, "sev 2 one line only").await;
    assert!(r.contains("from sev1 to sev2"), "{r}");
    message_says(&bot, &director.0, &director.1, "defective housings in lot 42, sev2").await;
}

/// Who was asked once reads the trouble as it is now: the director's escalation DM, answered
/// by the manager's acknowledgement, follows a corrected customer and a raise, without its
/// button coming back.
#[tokio::test]
async fn an_answered_escalation_dm_follows_a_correction() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = nth_dm_saying(&bot, DIRECTOR, 1, "has not been acknowledged").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    message_says(&bot, &director.0, &director.1, &format!("acknowledged by <@{MANAGER}>")).await;

    bot.command_text(SALES, &t.channel, "fix customer ACME Industries")
        .await;
    message_says(&bot, &director.0, &director.1, "(ACME Industries — defective housings").await;
    bot.command_text(SALES, &t.channel, "sev 1").await;
    message_says(&bot, &director.0, &director.1, "defective housings in lot 42, sev1").await;
    let now = dm_now(&bot, &director);
    assert!(!now.contains("\"acknowledge\""), "answered, no button: {now}");
    assert!(now.contains(&format!("acknowledged by <@{MANAGER}>")), "{now}");
}

/// An escalation's DM is enough to act on from a phone: it names who opened the trouble and
/// who was asked before and how long ago; the manager's DM, which still asks them, says who is
/// asked now.
#[tokio::test]
async fn the_escalation_dm_names_the_owner_and_who_was_asked_before_and_the_manager_hears_who_is_asked_now() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = nth_dm_saying(&bot, DIRECTOR, 1, "has not been acknowledged").await;
    let said = dm_now(&bot, &director);
    assert!(
        said.contains(&format!("opened by <@{SALES}> · asked: <@{MANAGER}> 1h ago")),
        "{said}"
    );
    let manager_dm = trouble(&bot, &t.id).manager_dm.expect("the manager's DM");
    let manager_dm = (manager_dm.channel.to_string(), manager_dm.ts.to_string());
    message_says(&bot, &manager_dm.0, &manager_dm.1, &format!("now asked: <@{DIRECTOR}>")).await;
    assert!(
        dm_now(&bot, &manager_dm).contains("\"acknowledge\""),
        "the manager may still acknowledge"
    );

    bot.advance_and_settle(ACK_TIMEOUT).await;
    let vp = nth_dm_saying(&bot, VP, 1, "has not been acknowledged").await;
    let said = dm_now(&bot, &vp);
    assert!(
        said.contains(&format!("asked: <@{MANAGER}> 2h ago, <@{DIRECTOR}> 1h ago")),
        "{said}"
    );
    message_says(&bot, &manager_dm.0, &manager_dm.1, &format!("now asked: <@{VP}>")).await;
}

/// The list of Acknowledge buttons the bot answers a DM with goes stale as the troubles are
/// acknowledged elsewhere: a tap in it is answered in the list's place, drawn again with what
/// still waits, so no button stays live beside a trouble acknowledged since, and once none
/// waits, the list says so and keeps no button.
#[tokio::test]
async fn a_tap_in_a_dm_answers_list_draws_the_list_again_with_what_still_waits() {
    let bot = spawn_bot().await;
    let first = bot.open_ready("ACME: housings cracked").await;
    let second = bot.open_ready("Globex: late delivery").await;
    let third = bot.open_ready("Initech: wrong labels").await;
    bot.settle().await;
    bot.event(&dm_event("EvDm1", MANAGER, "on it", None), None).await;
    bot.posted_saying(MANAGER, "Several troubles wait").await;
    let list = several_wait_answer(&bot);
    // The buttons as Slack shows them: each with its block, as a tap sends them back.
    let button = |id: &str| -> (String, String, String) {
        list.params["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|b| {
                let block = b["block_id"].as_str().unwrap_or_default().to_string();
                b["elements"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |e| (block.clone(), e))
            })
            .find(|(_, e)| e["text"]["text"] == format!("Acknowledge {id}").as_str())
            .map(|(block, e)| {
                let value = e["value"].as_str().unwrap_or_default().to_string();
                (block, e["action_id"].as_str().unwrap_or_default().to_string(), value)
            })
            .unwrap_or_else(|| panic!("no button for {id}: {}", list.params))
    };
    // Tapped as Slack sends it: with the button's own action id (each one in a row its own).
    let tap = |id: &str, url: &str| {
        let (block, action, value) = button(id);
        let mut payload = button_payload_to(&bot.slack.response_url(url), MANAGER, &action, &value, MANAGER);
        payload["actions"][0]["block_id"] = block.into();
        payload
    };

    // The director acknowledges the first in its channel; the manager then taps the second.
    bot.command_text(DIRECTOR, &first.channel, "ack").await;
    assert_eq!(bot.interaction(&tap(&second.id, "list-1")).await.status(), 200);
    let drawn = bot
        .slack
        .wait_for("response_url", |c| c.params["_path"] == "list-1")
        .await;
    assert_eq!(drawn.params["replace_original"], true, "{}", drawn.params);
    let text = text_of(&drawn.params);
    assert!(
        text.starts_with(&format!("Acknowledged trouble {}", second.id)),
        "the tap's answer first: {text}"
    );
    assert!(text.contains("Still waiting for your acknowledgement"), "{text}");
    assert!(
        text.contains(&third.id) && !text.contains(&format!("`{}`", first.id)),
        "{text}"
    );
    let labels = button_labels(&drawn.params);
    assert_eq!(labels, vec![format!("Acknowledge {}", third.id)], "{}", drawn.params);
    assert_eq!(acked_by(&bot, &second.id).as_deref(), Some(MANAGER));

    // A stale button (the first, acknowledged by the director) says so, and the list is drawn
    // again; once the last is acknowledged, none waits and no button is left.
    bot.command_text(MANAGER, &third.channel, "ack").await;
    assert_eq!(bot.interaction(&tap(&first.id, "list-2")).await.status(), 200);
    let drawn = bot
        .slack
        .wait_for("response_url", |c| c.params["_path"] == "list-2")
        .await;
    let text = text_of(&drawn.params);
    assert!(
        text.starts_with(&format!("Trouble {} (", first.id))
            && text.contains(&format!("was already acknowledged by <@{DIRECTOR}>")),
        "which, and who acknowledged it: {text}"
    );
    assert!(text.contains("None waits for your acknowledgement now."), "{text}");
    assert!(
        !drawn.params.to_string().contains("\"acknowledge\""),
        "{}",
        drawn.params
    );
}

/// The top of the chain cannot be DMed (gone from Slack) after the manager and the director
/// were asked: the owner is told who was asked and has not answered, never that nobody was
/// asked to acknowledge it.
#[tokio::test]
async fn an_unreachable_top_is_reported_with_who_was_asked_below_it() {
    let bot = spawn_bot().await;
    bot.open_ready("ACME: housings cracked").await;
    bot.settle().await;
    bot.slack.no_such_user(VP);
    let hour = std::time::Duration::from_secs(3600);
    bot.advance_and_settle(hour).await; // the director is asked
    bot.advance_and_settle(hour).await; // the VP cannot be
    let told = bot.posted_saying(SALES, "could not DM").await;
    assert!(!told.contains("nobody has been asked"), "{told}");
    assert!(
        told.contains(&format!(
            "Nobody is above them to ask; the bot asked <@{MANAGER}>, <@{DIRECTOR}> and has no answer yet"
        )),
        "{told}"
    );
}

// A late Acknowledge on the manager's DM, after the director acknowledged or after a forced
// close: nothing is recorded, and the answer, which comes beside one of several DMs, names the
// trouble (its id and customer), as the answer to an acknowledgement does.
#[tokio::test]
async fn a_late_acknowledge_on_a_dm_names_the_trouble_it_refuses() {
    let bot = spawn_bot().await;
    let a = bot.open_ready("ACME: housings cracked").await;
    let b = bot.open_ready("Globex: labels misprinted").await;
    bot.command_text(DIRECTOR, &a.channel, "ack").await;
    bot.command_text(DIRECTOR, &b.channel, "close force customer withdrew the claim")
        .await;
    bot.settle().await;
    let mut answers = Vec::new();
    for t in [&a, &b] {
        let who = format!("{MANAGER}-{}", t.id);
        let url = bot.slack.response_url(&format!("click-{who}"));
        let payload = button_payload_to(&url, MANAGER, "acknowledge", &t.id, &format!("D{MANAGER}"));
        assert_eq!(bot.interaction(&payload).await.status(), 200);
        answers.push(click_answer(&bot, &who, "").await);
    }
    assert!(
        answers[0].contains(&format!(
            "Trouble {} (ACME) was already acknowledged by <@{DIRECTOR}>",
            a.id
        )),
        "{}",
        answers[0]
    );
    assert!(
        answers[1].contains(&format!("Trouble {} (Globex) is already closed", b.id)),
        "{}",
        answers[1]
    );
    assert_eq!(
        trouble(&bot, &a.id).ack.map(|k| k.by.to_string()),
        Some(DIRECTOR.to_string())
    );
    assert!(trouble(&bot, &b.id).ack.is_none_or(|k| k.by.as_str() != MANAGER));
}

/// The manager left and the admin fixed `[org]` while a trouble waited: the chain kept on the
/// trouble still names the one who left, but the owner's manager `[org]` names now is invited
/// and asked as the bot starts, told why they are asked, listed among those asked, asked no
/// second time at the escalation's next step (which goes on up), and acknowledges.
#[tokio::test]
async fn the_manager_a_fixed_org_names_is_asked_as_the_bot_starts() {
    const MANAGER2: &str = "U0MANAGER2";
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let acknowledged = bot.open_ready("GLOBEX: lids loose").await;
    bot.command_text(MANAGER, &acknowledged.channel, "ack").await;
    bot.settle().await;
    bot.advance_and_settle(Duration::from_secs(1800)).await;
    let fixed = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}").replace(
        "U0SALES = \"U0MANAGER\"",
        &format!("U0SALES = \"{MANAGER2}\"\n{MANAGER2} = \"U0DIRECTOR\""),
    );
    let mark = bot.slack.calls().len();
    bot.restart_with_config(&fixed).await;

    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER2)
        .await;
    assert!(
        text_of(&dm.params)
            .contains("the bot now has you as the owner's manager, and nobody has acknowledged it yet (opened 30m"),
        "{}",
        dm.params
    );
    assert!(text_of(&dm.params).contains("ACME"), "{}", dm.params);
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.params["channel"] == t.channel.as_str()
                && c.params["users"].as_str().is_some_and(|u| u.contains(MANAGER2))
        })
        .await;
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.params["thread_ts"] == t.kickoff_ts.as_str()
                && text_of(&c.params).contains(&format!("<@{MANAGER2}> the bot now has you as the owner's manager"))
        })
        .await;
    bot.settle().await;
    let asked = |bot: &TestBot| {
        bot.slack
            .calls()
            .iter()
            .filter(|c| c.method == "chat.postMessage" && c.params["channel"] == MANAGER2)
            .count()
    };
    // The acknowledged trouble asks nobody.
    assert_eq!(asked(&bot), 1);
    assert!(
        !bot.slack.calls()[mark..]
            .iter()
            .any(|c| { c.method == "conversations.invite" && c.params["channel"] == acknowledged.channel.as_str() }),
        "the acknowledged trouble took nobody in"
    );
    let pinged: Vec<String> = event_kinds(&bot, &t.id)
        .into_iter()
        .filter(|e| e.starts_with("ManagerPinged"))
        .collect();
    assert!(
        pinged.len() == 2 && pinged[0].contains(MANAGER) && pinged[1].contains(MANAGER2),
        "the timeline says whom the bot asked: {pinged:?}"
    );
    // Whoever reads the status sees them among those asked, beside the manager.
    let now_asked = format!("now asked: <@{MANAGER}>, <@{MANAGER2}>");
    status_says(&bot, &t.id, &now_asked).await;
    message_says(&bot, &t.channel, &t.kickoff_ts, &now_asked).await;
    // Their DM asks as the chain's do: kept with its button, and their Home lists the trouble.
    let kept = trouble(&bot, &t.id).escalation.dms;
    assert!(
        kept.iter().any(|dm| dm.asks().is_some_and(|u| u.as_str() == MANAGER2)),
        "{kept:?}"
    );
    let home = app_home(&bot, MANAGER2).await;
    assert!(
        home.contains("Waiting for your acknowledgement* (1)") && home.contains(&t.id),
        "{home}"
    );

    // Asked once: the escalation's next step goes on up, and a restart asks them no more.
    bot.advance_and_settle(Duration::from_secs(1800)).await;
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == DIRECTOR)
        .await;
    status_says(&bot, &t.id, &format!("now asked: <@{DIRECTOR}>, <@{MANAGER2}>")).await;
    bot.restart_with_config(&fixed).await;
    bot.settle().await;
    assert_eq!(asked(&bot), 1);

    // Answered on a phone, in the DM itself: that acknowledges it, and the DM says so.
    bot.event(&dm_event("EvDmM2", MANAGER2, "了解", None), None).await;
    bot.posted_saying(MANAGER2, "You acknowledged trouble").await;
    assert_eq!(acked_by(&bot, &t.id).as_deref(), Some(MANAGER2));
    let dm = kept
        .iter()
        .find(|dm| dm.asks().is_some_and(|u| u.as_str() == MANAGER2))
        .expect("their DM");
    let answered = format!("acknowledged by <@{MANAGER2}>");
    message_says(&bot, dm.posted.channel.as_str(), dm.posted.ts.as_str(), &answered).await;
}

/// A plain close by someone in the chain, before anyone acknowledged, is their acknowledgement
/// as a forced close is: on the record and said in the kickoff's thread, so the trouble never
/// reads "not acknowledged" once the chain itself closed it.
#[tokio::test]
async fn a_plain_close_by_the_chain_is_its_acknowledgement() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    bot.command_text(SALES, &t.channel, "prevent be careful").await;
    all_stages_done(&bot, &t).await;
    assert!(trouble(&bot, &t.id).ack.is_none());
    let r = bot.command_text(DIRECTOR, &t.channel, "close").await;
    assert_eq!(r, closed_reply(&bot, &t));
    let closed = trouble(&bot, &t.id);
    assert!(closed.closed.is_some());
    assert_eq!(closed.ack.map(|a| a.by.to_string()).as_deref(), Some(DIRECTOR));
    let said = bot.posted_saying(&t.channel, "Acknowledged by").await;
    assert!(said.contains(&format!("<@{DIRECTOR}>")), "{said}");
}

/// The director, asked by the escalation, then answered by the manager's acknowledgement: the
/// manager takes the trouble over, so that acknowledgement no longer stands and the director is
/// the one asked. An edit notifies nobody, so the director is asked again at once, by a new DM
/// with the button that says why; the answered one, edited through the outbox as every DM is,
/// no longer reads "acknowledged by" the manager but points to the newer one. The escalation's
/// clock starts again then: the VP hears an acknowledgement timeout later, not at once.
#[tokio::test]
async fn a_withdrawn_acknowledgement_asks_the_one_it_answered_again_at_once_with_the_button() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let director = nth_dm_saying(&bot, DIRECTOR, 1, "has not been acknowledged").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let by_manager = format!("acknowledged by <@{MANAGER}>");
    message_says(&bot, &director.0, &director.1, &by_manager).await;

    bot.advance_and_settle(Duration::from_secs(600)).await;
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{MANAGER}>"))
        .await;
    assert!(r.contains("no longer stands"), "{r}");
    let again = nth_dm_saying(&bot, DIRECTOR, 1, "no longer stands, so it waits for one again").await;
    assert_ne!(again, director);
    assert!(
        dm_now(&bot, &again).contains("\"acknowledge\""),
        "the new DM has the button"
    );
    let older = dm_settled(&bot, &director, "asked again in a newer message below").await;
    assert!(!older.contains(&by_manager), "{older}");
    // The kickoff's thread mentions them too, as any ask does.
    let mention = bot
        .posted_saying(&t.channel, "no longer stands, so it waits again")
        .await;
    assert!(mention.contains(&format!("<@{DIRECTOR}>")), "{mention}");

    // Restarted from the withdrawal: 50 minutes on, the VP has not been asked; an hour on, asked.
    let to_vp = |c: &Call| c.params["channel"] == VP && text_of(&c.params).contains(&t.id);
    bot.advance_and_settle(ACK_TIMEOUT - Duration::from_secs(600)).await;
    assert!(
        !bot.slack.calls_to("chat.postMessage").iter().any(to_vp),
        "not before its time"
    );
    bot.advance_and_settle(Duration::from_secs(600)).await;
    bot.slack.wait_for("chat.postMessage", to_vp).await;

    bot.command_text(DIRECTOR, &t.channel, "ack").await;
    dm_settled(&bot, &again, &format!("acknowledged by <@{DIRECTOR}>")).await;
}

/// The VP, asked by the escalation, then answered by the manager's acknowledgement, which the
/// manager's taking the trouble over withdrew: the VP (and the director below, the trouble's
/// manager now) are asked again at once; the VP's answered DM points to the newer one rather
/// than read "waiting" beside it, and still does once the director acknowledges; the newer one
/// says who acknowledged.
#[tokio::test]
async fn an_answered_escalation_dm_asked_again_points_to_the_newer_one() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    let asking = "has not been acknowledged";
    bot.advance_and_settle(ACK_TIMEOUT).await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let vp_first = nth_dm_saying(&bot, VP, 1, asking).await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(MANAGER, &t.channel, &format!("owner <@{MANAGER}>"))
        .await;

    let again = "no longer stands";
    let vp_again = nth_dm_saying(&bot, VP, 1, again).await;
    nth_dm_saying(&bot, DIRECTOR, 1, again).await;
    assert_ne!(vp_again, vp_first);
    dm_settled(&bot, &vp_first, "asked again in a newer message below").await;
    bot.command_text(DIRECTOR, &t.channel, "ack").await;
    dm_settled(&bot, &vp_again, &format!("acknowledged by <@{DIRECTOR}>")).await;
    let first = dm_now(&bot, &vp_first);
    assert!(
        first.contains("asked again in a newer message below") && !first.contains("waiting for acknowledgement"),
        "{first}"
    );
}

/// The VP, answered by the manager's acknowledgement, is asked again once the manager took the
/// trouble over; closed (by the director, which acknowledges it) before the VP answers, the
/// DM asking again says it was closed, never that it still waits.
#[tokio::test]
async fn an_escalation_dm_asking_again_says_so_when_the_trouble_is_closed() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    bot.advance_and_settle(ACK_TIMEOUT).await;
    nth_dm_saying(&bot, VP, 1, "has not been acknowledged").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(MANAGER, &t.channel, &format!("owner <@{MANAGER}>"))
        .await;
    let vp = nth_dm_saying(&bot, VP, 1, "no longer stands").await;
    let r = bot
        .command_text(DIRECTOR, &t.channel, "close force the customer withdrew the claim")
        .await;
    assert!(r.starts_with("Closed"), "{r}");
    dm_settled(&bot, &vp, "🏁 Closed").await;
    assert!(!dm_now(&bot, &vp).contains("waiting for acknowledgement"));
}

/// Whether `c`, made since `mark`, is the escalation of the trouble for `customer` reaching `who`.
fn asks_up(c: &fake_slack::Call, who: &str, customer: &str, mark: u64) -> bool {
    c.seq >= mark
        && c.params["channel"] == who
        && text_of(&c.params).contains("not been acknowledged")
        && text_of(&c.params).contains(customer)
}

/// Whether the escalation of the trouble for `customer` has reached `who` by DM since `mark`.
fn asked_up_about(bot: &TestBot, who: &str, customer: &str, mark: u64) -> bool {
    (bot.slack.calls_to("chat.postMessage").iter()).any(|c| asks_up(c, who, customer, mark))
}

/// With no `[severity.N]` table, the spec's defaults hold: nobody acknowledging a sev1 brings
/// the director in after 10 minutes, a sev2 after 30 minutes, a sev3 after 2 hours, and none
/// minutes early.
#[tokio::test]
async fn without_severity_tables_sev1_goes_up_after_ten_minutes_sev2_after_thirty_sev3_after_two_hours() {
    let bot = spawn_bot_raw(BASE_CONFIG).await;
    bot.open_ready("sev1 ACME: line stopped").await;
    bot.open_ready("Globex: label misprint").await;
    bot.open_ready("sev3 Initech: a typo on the invoice").await;
    // Nothing left queued from the openings: `settle` runs the bot's clock fast while calls
    // are queued, and the margins below are minutes, not the run's luck.
    bot.settle().await;
    let mark = bot.slack.calls().len() as u64;
    let minutes = |m: u64| Duration::from_secs(m * 60);
    bot.advance_and_settle(minutes(8)).await;
    assert!(!asked_up_about(&bot, DIRECTOR, "ACME", mark), "not before 10 minutes");
    bot.advance_and_settle(minutes(2)).await;
    went_up_about(&bot, DIRECTOR, "ACME", mark).await;
    bot.advance_and_settle(minutes(17)).await;
    assert!(!asked_up_about(&bot, DIRECTOR, "Globex", mark), "not before 30 minutes");
    bot.advance_and_settle(minutes(3)).await;
    went_up_about(&bot, DIRECTOR, "Globex", mark).await;
    bot.advance_and_settle(minutes(80)).await;
    assert!(!asked_up_about(&bot, DIRECTOR, "Initech", mark), "not before 2 hours");
    bot.advance_and_settle(minutes(10)).await;
    went_up_about(&bot, DIRECTOR, "Initech", mark).await;
}

/// Waits for the escalation of the trouble for `customer` to reach `who` by DM since `mark`.
async fn went_up_about(bot: &TestBot, who: &str, customer: &str, mark: u64) {
    bot.slack
        .wait_for("chat.postMessage", |c| asks_up(c, who, customer, mark))
        .await;
}

/// Durations are written as the spec shows them: `1h30m` and seconds (`90s`) time the
/// escalation to the second they say.
#[tokio::test]
async fn an_ack_timeout_written_1h30m_or_90s_goes_up_then_and_not_before() {
    let config = format!("{BASE_CONFIG}\n[severity.2]\nack_timeout = \"1h30m\"\n[severity.3]\nack_timeout = \"90s\"\n");
    let bot = spawn_bot_raw(&config).await;
    bot.open_ready("Globex: label misprint").await;
    bot.open_ready("sev3 Initech: a typo on the invoice").await;
    bot.settle().await;
    let mark = bot.slack.calls().len() as u64;
    bot.advance_and_settle(Duration::from_secs(60)).await;
    assert!(!asked_up_about(&bot, DIRECTOR, "Initech", mark), "not before 90s");
    bot.advance_and_settle(Duration::from_secs(30)).await;
    went_up_about(&bot, DIRECTOR, "Initech", mark).await;
    bot.advance_and_settle(Duration::from_secs(84 * 60)).await;
    assert!(!asked_up_about(&bot, DIRECTOR, "Globex", mark), "not before 1h30m");
    bot.advance_and_settle(Duration::from_secs(5 * 60)).await;
    went_up_about(&bot, DIRECTOR, "Globex", mark).await;
}

/// A colleague named manager by mistake acknowledges from their DM, and is replaced: their
/// answered DM says someone else manages it now, and is let go. Later changes (a corrected
/// summary, the severity, a close) no longer reach it: it would go on showing the trouble's
/// progress to someone out of it.
#[tokio::test]
async fn an_answered_escalation_dm_is_let_go_once_its_reader_leaves_the_chain() {
    let bot = spawn_bot_with(ESCALATION).await;
    let t = bot.open_ready("ACME: broken").await;
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("manager <@{COLLEAGUE}>"))
        .await;
    assert!(r.contains(COLLEAGUE), "{r}");
    let colleague = dm_saying(&bot, COLLEAGUE, "you were named its manager").await;
    bot.command_text(COLLEAGUE, &t.channel, "ack").await;
    dm_settled(&bot, &colleague, &format!("acknowledged by <@{COLLEAGUE}>")).await;

    bot.command_text(MANAGER, &t.channel, &format!("manager <@{MANAGER}>"))
        .await;
    let let_go = format!(
        "<@{MANAGER}> named <@{MANAGER}> manager of trouble {} (*ACME*) instead of you",
        t.id
    );
    let now = dm_settled(&bot, &colleague, &let_go).await;
    assert!(now.contains("nothing is asked of you any longer"), "{now}");
    bot.settle().await;
    let kept = trouble(&bot, &t.id);
    assert!(
        kept.escalation
            .settled
            .iter()
            .all(|dm| dm.posted.ts.as_str() != colleague.1),
        "the colleague's DM is forgotten"
    );

    // The manager, asked again since the colleague's acknowledgement no longer stands, reads
    // the corrected summary; the colleague does not.
    bot.command_text(SALES, &t.channel, "fix summary the housings crack in the cold")
        .await;
    let asking = (kept.escalation.dms.iter())
        .find(|dm| dm.asks().is_some_and(|u| u.as_str() == MANAGER))
        .expect("the DM asking the manager");
    let (channel, ts) = (asking.posted.channel.as_str(), asking.posted.ts.as_str());
    message_says(&bot, channel, ts, "the housings crack in the cold").await;
    bot.settle().await;
    let versions = bot.slack.message_versions(&colleague.0, &colleague.1);
    assert!(
        versions.iter().all(|v| !text_of(v).contains("crack in the cold")),
        "the colleague, out of the chain, no longer reads the trouble: {versions:?}"
    );
}

/// A manager Slack will not let the bot DM (a guest it cannot see, say: `user_not_visible`) is
/// passed over at once like one Slack has no DM for: the director is asked without the clock
/// moving to the ack timeout, the timeline says whom and why, and the owner reads why in plain
/// words and that they are to tell the manager themselves.
#[tokio::test]
async fn a_manager_the_bot_may_not_see_is_passed_over_at_once_and_the_owner_told_to_reach_them() {
    let bot = spawn_bot().await;
    bot.slack.refuse_dm(MANAGER, "user_not_visible");
    let (_, id) = bot.opened(SALES, "ACME: housing cracked").await;
    let asked = bot.posted_saying(DIRECTOR, "needs acknowledging").await;
    assert!(asked.contains(&format!("could not reach <@{MANAGER}>")), "{asked}");
    let told = bot.posted_saying(SALES, "does not let it reach them").await;
    assert!(
        told.contains(&id)
            && told.contains(&format!("Tell <@{MANAGER}> yourself"))
            && told.contains("user_not_visible"),
        "{told}"
    );
    bot.settle().await;
    let t = bot.store().get(&TroubleId::new(&id)).unwrap().unwrap();
    assert_eq!(t.escalation.level, 1);
    let timeline = bot.store().timeline(&TroubleId::new(&id)).unwrap();
    assert!(
        timeline.iter().any(|e| matches!(&e.event,
            trouble_bot::trouble::timeline::Event::DeliveryFailed { error, who: Some(who), .. }
                if error == "user_not_visible" && who.as_str() == MANAGER)),
        "{timeline:?}"
    );
}

/// Someone whose DM Slack refused for good stays silent through the daily rounds: once the
/// bot has given up going up the chain, each working day asks whoever of the chain it can still
/// reach, never the manager Slack refused again, and the owner hears why once, not once a day.
/// Neither the manager's DM nor a notice about them floods anyone's DMs or the channel.
#[tokio::test]
async fn a_manager_slack_refused_for_good_is_not_dmed_again_by_the_daily_rounds_nor_told_of_each_day() {
    let bot = spawn_bot().await;
    bot.slack.refuse_dm(MANAGER, "user_not_visible");
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.posted_saying(SALES, "does not let it reach them").await;
    // Up the chain an hour at a time, the top re-pinged until the bot gives up, then three
    // working days of rounds (no business hours: a day is a day).
    for _ in 0..8 {
        bot.advance_and_settle(Duration::from_secs(3600)).await;
    }
    assert!(trouble(&bot, &t.id).escalation.gave_up, "the bot gave up going up");
    for _ in 0..6 {
        bot.advance_and_settle(Duration::from_secs(12 * 3600)).await;
    }
    let kept = trouble(&bot, &t.id);
    assert!(kept.escalation.daily_rounds >= 3, "{:?}", kept.escalation);
    // The rounds ran: the director, the lowest of the chain still reachable, asked each day.
    let to = |who: &str| {
        bot.slack
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.params["channel"] == who)
            .map(|c| text_of(&c.params))
            .collect::<Vec<_>>()
    };
    assert!(to(DIRECTOR).len() >= 4, "{:?}", to(DIRECTOR));
    assert_eq!(to(MANAGER).len(), 1, "the one DM Slack refused, never tried again");
    let told = |texts: Vec<String>| {
        texts
            .iter()
            .filter(|s| s.contains(&format!("could not DM <@{MANAGER}>")))
            .count()
    };
    assert_eq!(told(to(SALES)), 1, "the owner hears once: {:?}", to(SALES));
    assert_eq!(told(to(&t.channel)), 0, "{:?}", to(&t.channel));
    let timeline = bot.store().timeline(&TroubleId::new(&t.id)).unwrap();
    let refused = timeline
        .iter()
        .filter(|e| {
            matches!(&e.event, trouble_bot::trouble::timeline::Event::DeliveryFailed { who: Some(who), .. }
                if who.as_str() == MANAGER)
        })
        .count();
    assert_eq!(refused, 1, "{timeline:?}");
}
