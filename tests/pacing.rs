//! Many troubles at once for one manager: each reaches them in the first second, within Slack's
//! per-channel limit, as one combined message that every trouble still edits as its own.

mod common;

use std::time::Duration;

use common::fake_slack::Fault;
use common::*;
use serde_json::Value;
use trouble_bot::trouble::decide::{Dest, Op};
use trouble_bot::trouble::model::{PostedMessage, TroubleId};
use trouble_bot::trouble::timeline::Event;

/// Opens `n` troubles for the sales rep (whose manager is MANAGER) at once; for each, its id and
/// how many calls the fake had seen when its answer came (the trouble was stored by then: what
/// the bot answered, it has stored; on a loaded machine that can be well after it was sent).
async fn open_many(bot: &TestBot, n: usize) -> Vec<(String, u64)> {
    // Each summary its own: the same open typed again names the first instead of opening.
    static OPENED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let opens = (0..n).map(|i| async move {
        let k = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let answer = bot
            .command_text(
                SALES,
                ORIGIN,
                &format!("open CUST{i}: housings cracked in lot {i}, batch {k}"),
            )
            .await;
        let stored = bot.slack.calls().len() as u64;
        assert!(answer.contains("opened"), "{answer}");
        let id = answer.split_whitespace().nth(1).expect("the answer names the trouble");
        (id.to_string(), stored)
    });
    futures_util::future::join_all(opens).await
}

/// The manager's DMs that reached Slack, in order, with their place among the fake's calls.
fn dms(bot: &TestBot) -> Vec<(u64, Value)> {
    dms_to(bot, MANAGER)
}

/// The DMs to `who` that reached Slack, in order, with their place among the fake's calls.
fn dms_to(bot: &TestBot, who: &str) -> Vec<(u64, Value)> {
    bot.slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == who && c.took_effect())
        .map(|c| (c.seq, c.params))
        .collect()
}

/// Which of `ids` no DM has spoken of yet.
fn not_yet_told(bot: &TestBot, ids: &[String]) -> Vec<String> {
    let dms = dms(bot);
    ids.iter()
        .filter(|id| !dms.iter().any(|(_, m)| speaks_of(m, id)))
        .cloned()
        .collect()
}

/// Opens `n` troubles at once, with Slack's per-channel limit enforced. Each must reach the
/// manager in a DM that left before its answer, in the DM that was on its way when it was
/// answered or in the one after that: never more than one paced turn (a second) behind,
/// however many wait.
async fn each_reaches_the_manager_within_one_turn(n: usize) -> (TestBot, Vec<String>) {
    let bot = spawn_bot_paced_like_slack(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    bot.slack.enforce_channel_rate_limit(true);
    let opened = open_many(&bot, n).await;
    let ids: Vec<String> = opened.iter().map(|(id, _)| id.clone()).collect();
    eventually(
        &format!("all {n} troubles told to the manager"),
        Duration::from_secs(20),
        || not_yet_told(&bot, &ids).is_empty().then_some(()),
    )
    .await;
    assert_eq!(bot.slack.rate_limited_count(), 0, "no post was answered 429");
    let dms = dms(&bot);
    assert!(dms.len() < n, "{} DMs for {n} troubles: several share one", dms.len());
    for (id, stored) in &opened {
        let carried_by: Vec<usize> = (0..dms.len()).filter(|&k| speaks_of(&dms[k].1, id)).collect();
        assert_eq!(carried_by.len(), 1, "{id} is in exactly one DM");
        let first_after = dms.iter().position(|(seq, _)| seq >= stored).unwrap_or(dms.len());
        assert!(
            carried_by[0] <= first_after + 1,
            "{id} went out before its answer (call {stored}) or in one of the two DMs after it: {:?}",
            dms.iter()
                .map(|(seq, m)| format!("{seq}: {}", m["metadata"]["event_payload"]))
                .collect::<Vec<_>>()
        );
    }
    // Slack's limit, enforced by the fake in real time, is what the checks above are about. The
    // callers go on to the lines of the DMs, moving the clock through the bot's pacing as they
    // settle: the limit left on, each post into a trouble's channel (a close, a reopen) waited
    // out a real second in 429s, ~4 s of one test, none of it to do with the lines.
    bot.slack.enforce_channel_rate_limit(false);
    (bot, ids)
}

/// The DM `posted` points at, as it reads now: trouble `id`'s line in it (the whole message
/// when it is the trouble's own) and whether that line still has its Acknowledge button.
fn dm_line(bot: &TestBot, posted: &PostedMessage, id: &str) -> (Value, String, bool) {
    dm_line_in(bot, MANAGER, posted, id)
}

/// [`dm_line`] in `who`'s DM.
fn dm_line_in(bot: &TestBot, who: &str, posted: &PostedMessage, id: &str) -> (Value, String, bool) {
    let message = bot
        .slack
        .messages_in(who)
        .into_iter()
        .find(|m| m["ts"] == posted.ts.as_str())
        .unwrap_or_else(|| panic!("{id}'s DM {posted:?} exists"));
    assert!(asks_of(&message, id), "{id}'s DM speaks of it: {message}");
    let blocks = message["blocks"].as_array().cloned().unwrap_or_default();
    if posted.together.is_empty() {
        let button = message.to_string().contains("\"action_id\":\"acknowledge\"");
        return (message.clone(), message.to_string(), button);
    }
    let block = blocks
        .iter()
        .find(|b| {
            b["text"]["text"]
                .as_str()
                .is_some_and(|t| t.contains(&format!("*{id}*")))
        })
        .unwrap_or_else(|| panic!("{id} has its line in {message}"));
    let line = block["text"]["text"].as_str().unwrap_or_default().to_string();
    (message, line, block["accessory"]["action_id"] == "acknowledge")
}

#[tokio::test]
async fn ten_troubles_opened_in_the_same_second_for_one_manager_each_reach_the_manager_within_one_turn_without_a_429() {
    each_reaches_the_manager_within_one_turn(10).await;
}

#[tokio::test]
async fn fifty_troubles_opened_in_the_same_second_for_one_manager_each_reach_the_manager_within_one_turn_without_a_429()
{
    let (bot, _) = each_reaches_the_manager_within_one_turn(50).await;
    for (_, dm) in dms(&bot) {
        let blocks = dm["blocks"].as_array().map_or(0, Vec::len);
        assert!(blocks <= 50, "within Block Kit's 50 blocks: {blocks}");
    }
}

/// The first ping of a burst came back before the next trouble's call could join it: the next
/// DM still waits for the rest of the burst, instead of going alone at once and leaving the
/// others a whole turn (a second) behind in a third DM.
#[tokio::test]
async fn troubles_opened_just_after_a_ping_came_back_share_the_next_dm_rather_than_one_going_alone() {
    let bot = spawn_bot_paced_like_slack(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    bot.slack.enforce_channel_rate_limit(true);
    open_many(&bot, 1).await;
    eventually("the first ping reached the manager", Duration::from_secs(10), || {
        (dms(&bot).len() == 1).then_some(())
    })
    .await;
    let ids: Vec<String> = open_many(&bot, 9).await.into_iter().map(|(id, _)| id).collect();
    eventually("all nine told to the manager", Duration::from_secs(20), || {
        not_yet_told(&bot, &ids).is_empty().then_some(())
    })
    .await;
    let dms = dms(&bot);
    let carried = ids.iter().filter(|id| speaks_of(&dms[1].1, id)).count();
    assert!(
        carried > 1,
        "the DM after the first carries {carried} of the nine; DMs: {:?}",
        dms.iter()
            .map(|(_, m)| m["metadata"]["event_payload"].to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(bot.slack.rate_limited_count(), 0, "no post was answered 429");
}

#[tokio::test]
async fn each_troubles_channel_link_acknowledgement_hand_over_and_reopening_edit_its_own_line_of_the_message_it_shares()
{
    let (bot, ids) = each_reaches_the_manager_within_one_turn(10).await;
    bot.settle().await;
    // Every trouble keeps the message it went out in as its own edit target.
    let troubles: Vec<_> = ids.iter().map(|id| trouble(&bot, id)).collect();
    for t in &troubles {
        let posted = t.manager_dm.clone().expect("the DM is kept");
        let (_, line, button) = dm_line(&bot, &posted, t.id.as_str());
        let channel = t.channel.clone().expect("channel");
        assert!(
            line.contains(&format!("<#{channel}>")),
            "{} links its channel: {line}",
            t.id
        );
        assert!(button, "{} can be acknowledged", t.id);
    }
    let shared = troubles
        .iter()
        .find(|t| t.manager_dm.as_ref().is_some_and(|p| p.together.len() > 2))
        .expect("several troubles share a DM");
    let posted = shared.manager_dm.clone().unwrap();
    let acked = posted.together[1].clone();
    let answer = bot
        .interaction(&button_payload(
            &bot.slack,
            MANAGER,
            "acknowledge",
            acked.as_str(),
            "D0MANAGER",
        ))
        .await;
    assert_eq!(answer.status(), 200);
    bot.settle().await;
    assert!(trouble(&bot, acked.as_str()).ack.is_some(), "acknowledged");
    let (_, line, button) = dm_line(&bot, &posted, acked.as_str());
    assert!(line.contains("acknowledged by"), "{line}");
    assert!(!button, "no button left for {acked}: {line}");
    for other in posted.together.iter().filter(|id| **id != acked) {
        let (_, line, button) = dm_line(&bot, &posted, other.as_str());
        assert!(
            button && line.contains("waiting for acknowledgement"),
            "{other} still waits: {line}"
        );
        assert!(trouble(&bot, other.as_str()).ack.is_none());
    }
    let (message, _, _) = dm_line(&bot, &posted, acked.as_str());
    let n = posted.together.len();
    let still = format!("🚨 {n} troubles were reported. {} still wait", n - 1);
    assert!(
        message["text"].as_str().unwrap_or_default().starts_with(&still),
        "{message}"
    );

    // The rest answered too: the first line a phone shows no longer asks anything.
    for other in posted.together.iter().filter(|id| **id != acked) {
        let answer = bot.command_text(MANAGER, "D0MANAGER", &format!("ack {other}")).await;
        assert!(answer.starts_with("Acknowledged"), "{answer}");
    }
    bot.settle().await;
    let (message, _, _) = dm_line(&bot, &posted, acked.as_str());
    let text = message["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with(&format!(
            "{n} troubles were reported. None waits for acknowledgement now."
        )),
        "{message}"
    );
    assert!(!message.to_string().contains("Please acknowledge"), "{message}");

    // Handed over and reopened, a line says what its own DM would: whom to call now, and that
    // it is open again, by whom and why; the others' lines say nothing of it.
    let channel = trouble(&bot, acked.as_str()).channel.expect("channel");
    let r = bot
        .command_text(MANAGER, channel.as_str(), &format!("owner <@{COLLEAGUE}>"))
        .await;
    assert!(r.contains(COLLEAGUE), "{r}");
    bot.settle().await;
    let owner = format!("Owner now: <@{COLLEAGUE}> (reported by <@{SALES}>)");
    let (_, line, _) = dm_line(&bot, &posted, acked.as_str());
    assert!(line.contains(&owner) && line.contains("acknowledged by"), "{line}");
    bot.command_text(MANAGER, channel.as_str(), "close force a duplicate")
        .await;
    bot.command_text(MANAGER, channel.as_str(), "reopen the cracks came back")
        .await;
    bot.settle().await;
    let (_, line, _) = dm_line(&bot, &posted, acked.as_str());
    let reopened = format!("by <@{MANAGER}>: the cracks came back");
    assert!(
        line.contains("🔄 Reopened") && line.contains(&reopened) && line.contains(&owner),
        "{line}"
    );
    for other in posted.together.iter().filter(|id| **id != acked) {
        let (_, line, _) = dm_line(&bot, &posted, other.as_str());
        assert!(
            !line.contains("Owner now") && !line.contains("Reopened"),
            "{other}: {line}"
        );
    }
}

/// Ten troubles opened at once for the manager, and the DM several of them share.
async fn ten_sharing_a_dm() -> (TestBot, PostedMessage) {
    let (bot, ids) = each_reaches_the_manager_within_one_turn(10).await;
    bot.settle().await;
    let shared = ids
        .iter()
        .map(|id| trouble(&bot, id))
        .find(|t| t.manager_dm.as_ref().is_some_and(|p| p.together.len() > 2))
        .expect("several troubles share a DM");
    (bot, shared.manager_dm.unwrap())
}

/// One trouble of a shared DM handed over above the manager: its line stops asking them (no
/// button, who is asked now), the trouble forgets the DM, and the others' lines still ask.
#[tokio::test]
async fn a_hand_over_takes_the_button_off_its_line_in_a_dm_it_shares_and_leaves_the_others_asking() {
    let (bot, posted) = ten_sharing_a_dm().await;
    let handed = posted.together[1].clone();
    let channel = trouble(&bot, handed.as_str()).channel.expect("channel");
    let r = bot
        .command_text(MANAGER, channel.as_str(), &format!("owner <@{DIRECTOR}>"))
        .await;
    assert!(r.contains(VP), "{r}");
    bot.settle().await;

    let (message, line, button) = dm_line(&bot, &posted, handed.as_str());
    assert!(!button, "no button left for {handed}: {line}");
    assert!(
        line.contains("nothing is asked of you any longer")
            && line.contains(&format!("Owner now: <@{DIRECTOR}> (reported by <@{SALES}>)"))
            && !line.contains("from <@")
            && line.contains(&format!("now asked: <@{VP}>")),
        "{line}"
    );
    assert!(
        trouble(&bot, handed.as_str()).manager_dm.is_none(),
        "the DM is forgotten"
    );
    for other in posted.together.iter().filter(|id| **id != handed) {
        let (_, line, button) = dm_line(&bot, &posted, other.as_str());
        assert!(
            button && line.contains("waiting for acknowledgement"),
            "{other} still asks: {line}"
        );
    }
    let n = posted.together.len();
    let still = format!("🚨 {n} troubles were reported. {} still wait", n - 1);
    assert!(
        message["text"].as_str().unwrap_or_default().starts_with(&still),
        "{message}"
    );

    // Another trouble's edit draws the whole message again: the handed-over line stays settled.
    let other = posted.together.iter().find(|id| **id != handed).unwrap().clone();
    let answer = bot.command_text(MANAGER, "D0MANAGER", &format!("ack {other}")).await;
    assert!(answer.starts_with("Acknowledged"), "{answer}");
    bot.settle().await;
    let (_, line, button) = dm_line(&bot, &posted, handed.as_str());
    assert!(!button && line.contains("nothing is asked of you any longer"), "{line}");
}

/// A trouble the manager acknowledged from a DM it shares, then handed to someone under another
/// manager: its line says nothing is asked of them and whom it went to, not who acknowledged (as
/// its own DM would, let go), and the DM drawn again for the
/// others shows nothing later of it (who acknowledged since) to someone out of its chain.
#[tokio::test]
async fn an_acknowledged_trouble_handed_out_of_its_managers_chain_shows_its_shared_dm_nothing_more() {
    let (bot, posted) = ten_sharing_a_dm().await;
    let replaced = posted.together[1].clone();
    let answer = bot.command_text(MANAGER, "D0MANAGER", &format!("ack {replaced}")).await;
    assert!(answer.starts_with("Acknowledged"), "{answer}");
    bot.settle().await;
    let (_, line, _) = dm_line(&bot, &posted, replaced.as_str());
    assert!(line.contains(&format!("acknowledged by <@{MANAGER}>")), "{line}");

    let channel = trouble(&bot, replaced.as_str()).channel.expect("channel");
    let r = bot
        .command_text(MANAGER, channel.as_str(), &format!("owner <@{DIRECTOR}>"))
        .await;
    assert!(r.contains(DIRECTOR), "{r}");
    bot.settle().await;
    let let_go = |bot: &TestBot| {
        let (_, line, button) = dm_line(bot, &posted, replaced.as_str());
        assert!(
            !button
                && line.contains("nothing is asked of you any longer")
                && line.contains(&format!("Owner now: <@{DIRECTOR}>"))
                && !line.contains("acknowledged by"),
            "{line}"
        );
        line
    };
    let_go(&bot);

    // Handed out of the manager's chain, it is asked of the VP now, who acknowledges; then
    // another trouble's acknowledgement draws the whole message again.
    let answer = bot.command_text(VP, channel.as_str(), "ack").await;
    assert!(answer.starts_with("Acknowledged"), "{answer}");
    let other = posted.together.iter().find(|id| **id != replaced).unwrap().clone();
    let answer = bot.command_text(MANAGER, "D0MANAGER", &format!("ack {other}")).await;
    assert!(answer.starts_with("Acknowledged"), "{answer}");
    bot.settle().await;
    let (_, other_line, _) = dm_line(&bot, &posted, other.as_str());
    assert!(
        other_line.contains("acknowledged by"),
        "the message was drawn again: {other_line}"
    );
    let line = let_go(&bot);
    assert!(!line.contains(VP), "{line}");
}

/// The manager is asked again (at the top of a chain of one, the re-ping after the timeout), one
/// DM a trouble: the lines of the DM the troubles shared point to the newer ones and lose their
/// buttons, so only the newest ask.
/// Forty troubles opened at once with long summaries (some as long as a summary may be): the
/// messages they share stay within what Slack takes (3,000 characters a line, about 12,000 in
/// all, which the fake enforces), so each reaches the manager and the origin channel, and none
/// records a failed delivery. Before, a shared message of 15,000 characters was refused, and
/// 29 of 30 troubles never pinged the manager.
#[tokio::test]
async fn many_troubles_with_long_summaries_share_messages_slack_takes_and_each_is_told() {
    let bot = spawn_bot_paced_like_slack(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let long = "the customer's line stopped after the housings cracked during assembly; ".repeat(6);
    let longest = "the customer's line stopped after the housings cracked during assembly; ".repeat(39);
    let opens = (0..40).map(|i| {
        let (bot, long, longest) = (&bot, &long, &longest);
        async move {
            // Every tenth as long as a summary may be.
            let summary = if i % 10 == 5 { longest } else { long };
            let answer = bot
                .command_text(
                    SALES,
                    ORIGIN,
                    &format!("open Customer number {i} of the lot: {summary} (case {i})"),
                )
                .await;
            assert!(answer.contains("opened"), "{answer}");
            answer
                .split_whitespace()
                .nth(1)
                .expect("the answer names the trouble")
                .to_string()
        }
    });
    let ids: Vec<String> = futures_util::future::join_all(opens).await;
    let told_in = |channel: &str| {
        let posts = dms_to(&bot, channel);
        ids.iter()
            .all(|id| {
                posts
                    .iter()
                    .any(|(_, m)| speaks_of(m, id) || text_of(m).contains(id.as_str()))
            })
            .then_some(posts)
    };
    let dms = eventually("each told to the manager", Duration::from_secs(30), || told_in(MANAGER)).await;
    eventually("each told in the origin channel", Duration::from_secs(30), || {
        told_in(ORIGIN)
    })
    .await;
    bot.settle().await;
    assert!(dms.len() < 40, "{} DMs for 40 troubles: several share one", dms.len());
    // Each line whole, as posted: the summary shortened, never the line's own end (its link and
    // what it asks), as shortening the whole message to fit would; and the summary's start
    // still reads, as fewer lines to a message leave room for.
    for (_, dm) in &dms {
        for line in dm["blocks"].as_array().into_iter().flatten().skip(1) {
            let text = line["text"]["text"].as_str().unwrap_or_default();
            assert!(
                !line["accessory"].is_object()
                    || (text.ends_with("waiting for acknowledgement") && text.contains(&long[..120])),
                "{text}"
            );
        }
    }
    let refused: Vec<String> = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| !c.took_effect())
        .map(|c| format!("{} {}", c.params["channel"], c.outcome))
        .collect();
    assert!(refused.is_empty(), "refused: {refused:?}");
    for id in &ids {
        let timeline = bot.store().timeline(&TroubleId::new(id)).unwrap();
        assert!(
            !timeline.iter().any(|e| matches!(e.event, Event::DeliveryFailed { .. })),
            "{id}: {timeline:?}"
        );
    }
}

/// Whether `message` (a manager's or an escalation's DM, alone or shared) speaks of trouble `id`.
fn asks_of(message: &Value, id: &str) -> bool {
    speaks_of(message, id) || text_of(message).contains(&format!("Trouble {id} ("))
}

/// The escalation's DM to `who` that trouble `id` keeps, while it asks.
fn asking_dm(bot: &TestBot, id: &str, who: &str) -> Option<PostedMessage> {
    trouble(bot, id)
        .escalation
        .dms
        .into_iter()
        .find(|dm| dm.posted.channel.as_str() == format!("D{who}"))
        .map(|dm| dm.posted)
}

/// Troubles opened together time out together. Each step up the chain asks about all of them
/// in one paced turn: at most two DMs to the director for six troubles (not six in the same
/// instant), each trouble with its own line, its reason and its button. One acknowledged there
/// loses its button and leaves the others asking; the VP's asks are combined the same way, and
/// the hourly ask of the top of the chain points the older shared DM to the newer one.
#[tokio::test]
async fn troubles_that_time_out_together_ask_each_one_up_the_chain_in_a_shared_dm_with_a_button_each() {
    let bot = spawn_bot_paced_like_slack(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    // Slack's limit on the bot's clock, which the test moves on an hour at a time and through
    // the pacing as it settles: on the wall's, each trouble's channel post after a jump was
    // answered 429 until a real second had passed.
    let clock = bot.clock.clone();
    bot.slack.use_clock(move || std::time::SystemTime::from(clock.now()));
    bot.slack.enforce_channel_rate_limit(true);
    let ids: Vec<String> = open_many(&bot, 6).await.into_iter().map(|(id, _)| id).collect();
    eventually("all six told to the manager", Duration::from_secs(20), || {
        not_yet_told(&bot, &ids).is_empty().then_some(())
    })
    .await;
    bot.settle().await;

    let asked_of_all = |who: &'static str| {
        let bot = &bot;
        let ids = &ids;
        move || {
            let dms = dms_to(bot, who);
            ids.iter()
                .all(|id| dms.iter().filter(|(_, m)| asks_of(m, id)).count() == 1)
                .then_some(dms)
        }
    };
    bot.advance_and_settle(Duration::from_secs(3600)).await;
    let director = eventually(
        "each asked of the director once",
        Duration::from_secs(20),
        asked_of_all(DIRECTOR),
    )
    .await;
    bot.settle().await;
    assert!(
        director.len() <= 2,
        "{} DMs to the director for six troubles",
        director.len()
    );
    let refused = |who: &str| {
        bot.slack
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.params["channel"] == who && !c.took_effect())
            .count()
    };
    assert_eq!(refused(DIRECTOR), 0, "no DM to the director was answered 429");
    let posted = ids
        .iter()
        .filter_map(|id| asking_dm(&bot, id, DIRECTOR))
        .find(|p| p.together.len() > 1)
        .expect("several troubles share the director's DM, each keeping it");
    for id in &posted.together {
        let (_, line, button) = dm_line_in(&bot, DIRECTOR, &posted, id.as_str());
        assert!(button, "{id} can be acknowledged from the shared DM: {line}");
        assert!(
            line.contains("unacknowledged for") && line.contains(&format!("asked: <@{MANAGER}>")),
            "{id}'s line says why the director is asked and who was asked before: {line}"
        );
    }

    // A severity raised on one of them draws its line again in the shared DM, and only its line:
    // the others keep theirs, each with its button.
    let raised = posted.together[1].clone();
    let (_, before, _) = dm_line_in(&bot, DIRECTOR, &posted, raised.as_str());
    let channel = trouble(&bot, raised.as_str()).channel.expect("channel");
    let answer = bot
        .command_text(SALES, channel.as_str(), "sev 1 the customer's line has stopped")
        .await;
    assert!(answer.contains("sev1") || answer.contains("1"), "{answer}");
    bot.settle().await;
    let (_, after, button) = dm_line_in(&bot, DIRECTOR, &posted, raised.as_str());
    assert!(
        after != before && button,
        "{raised}'s line is drawn again, still asking: {after}"
    );
    for id in &posted.together {
        let (_, line, button) = dm_line_in(&bot, DIRECTOR, &posted, id.as_str());
        assert!(button, "{id} still asks after another's change: {line}");
    }
    let edits = bot.slack.calls_to("chat.update");
    let edits: Vec<&str> = edits
        .iter()
        .filter(|c| c.params["ts"] == posted.ts.as_str())
        .map(|c| c.params["text"].as_str().unwrap_or_default())
        .collect();
    assert!(
        !edits.is_empty()
            && edits
                .iter()
                .all(|text| text.contains("troubles were left unacknowledged")),
        "every edit of the shared DM draws all its troubles: {edits:?}"
    );

    let acked = posted.together[0].clone();
    let answer = bot
        .interaction(&button_payload(
            &bot.slack,
            DIRECTOR,
            "acknowledge",
            acked.as_str(),
            "D0DIRECTOR",
        ))
        .await;
    assert_eq!(answer.status(), 200);
    bot.settle().await;
    assert!(trouble(&bot, acked.as_str()).ack.is_some(), "acknowledged");
    let (message, line, button) = dm_line_in(&bot, DIRECTOR, &posted, acked.as_str());
    assert!(!button && line.contains("acknowledged by"), "{line}");
    let n = posted.together.len();
    let heading = format!("⏫ {n} troubles were left unacknowledged. {} still wait", n - 1);
    let heading = match n {
        2 => "⏫ 2 troubles were left unacknowledged. 1 still waits".to_string(),
        _ => heading,
    };
    assert!(
        message["text"].as_str().unwrap_or_default().starts_with(&heading),
        "{message}"
    );
    for other in posted.together.iter().filter(|id| **id != acked) {
        let (_, line, button) = dm_line_in(&bot, DIRECTOR, &posted, other.as_str());
        assert!(button, "{other} still asks the director: {line}");
    }

    // An hour on, the VP is asked about the five left, combined the same way.
    let waiting: Vec<String> = ids.iter().filter(|id| id.as_str() != acked.as_str()).cloned().collect();
    bot.advance_and_settle(Duration::from_secs(3600)).await;
    let vp = eventually("each asked of the VP", Duration::from_secs(20), || {
        let dms = dms_to(&bot, VP);
        waiting
            .iter()
            .all(|id| dms.iter().any(|(_, m)| asks_of(m, id)))
            .then_some(dms)
    })
    .await;
    assert!(vp.len() <= 2, "{} DMs to the VP for five troubles", vp.len());
    assert_eq!(refused(VP), 0, "no DM to the VP was answered 429");
    assert!(
        vp.iter().all(|(_, m)| !asks_of(m, acked.as_str())),
        "the acknowledged one is not asked"
    );
    bot.settle().await;
    let first_to_vp = waiting
        .iter()
        .filter_map(|id| asking_dm(&bot, id, VP))
        .find(|p| p.together.len() > 1)
        .expect("several troubles share the VP's DM");

    // The top of the chain is asked again the next hour: the older shared DM points below.
    bot.advance_and_settle(Duration::from_secs(3600)).await;
    for id in &first_to_vp.together {
        eventually(
            &format!("{id}'s line in the VP's older DM points to the newer one"),
            Duration::from_secs(20),
            || {
                let (_, line, button) = dm_line_in(&bot, VP, &first_to_vp, id.as_str());
                (!button && line.contains("asked again in a newer message below")).then_some(())
            },
        )
        .await;
    }
    let vp_again = dms_to(&bot, VP);
    assert!(
        vp_again.len() - vp.len() <= 2,
        "{} new DMs to the VP",
        vp_again.len() - vp.len()
    );
}

#[tokio::test]
async fn a_dm_several_troubles_share_points_to_the_newer_ones_when_the_manager_is_asked_again() {
    let alone = BASE_CONFIG.replacen("U0MANAGER = \"U0DIRECTOR\"\n", "", 1);
    let bot = spawn_bot_paced_like_slack(&format!("{alone}\n{DEFAULT_SEVERITIES}")).await;
    let ids: Vec<String> = open_many(&bot, 3).await.into_iter().map(|(id, _)| id).collect();
    eventually("all three told to the manager", Duration::from_secs(20), || {
        not_yet_told(&bot, &ids).is_empty().then_some(())
    })
    .await;
    bot.settle().await;
    let posted = ids
        .iter()
        .filter_map(|id| trouble(&bot, id).manager_dm)
        .find(|p| p.together.len() > 1)
        .expect("two troubles share a DM");
    bot.advance_and_settle(Duration::from_secs(3600)).await;
    for id in &posted.together {
        eventually(
            &format!("{id}'s line points to the newer DM"),
            Duration::from_secs(20),
            || {
                let (_, line, button) = dm_line(&bot, &posted, id.as_str());
                (!button && line.contains("asked again in a newer message below")).then_some(())
            },
        )
        .await;
        assert!(
            trouble(&bot, id.as_str()).manager_dm.is_none(),
            "{id} forgets the shared DM"
        );
    }
    let (message, _, _) = dm_line(&bot, &posted, posted.together[0].as_str());
    assert!(!message.to_string().contains("\"acknowledge\""), "{message}");
    let heading = format!(
        "{} troubles were reported. This message asks nothing of you any longer.",
        posted.together.len()
    );
    assert!(
        message["text"].as_str().unwrap_or_default().starts_with(&heading),
        "{message}"
    );
}

#[tokio::test]
async fn a_combined_dm_that_reached_slack_before_its_answer_and_a_restart_is_looked_up_not_posted_again() {
    // Slack does the work but answers after the bot gave up: whether a post went is unknown.
    // The bot gives up at 300 ms (below the config's floor of a second, as the timeout's length
    // changes nothing here) and Slack answers at 1.2 s, so a stall of the runtime up to 900 ms
    // still finds the timeout first.
    let timeout = Duration::from_millis(300);
    let mut bot = spawn_bot_paced_timing_out_after(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"), timeout).await;
    bot.slack.set_slow_delay(4 * timeout);
    bot.slack.set_fault_rate("chat.postMessage", 1.0, &[Fault::Slow]);
    let ids: Vec<String> = open_many(&bot, 10).await.into_iter().map(|(id, _)| id).collect();
    eventually("every trouble posted to the manager", Duration::from_secs(20), || {
        not_yet_told(&bot, &ids).is_empty().then_some(())
    })
    .await;
    // Stopped while the last DM's answer is still on its way: it stays queued, its attempt
    // recorded before the call (or its item standing for it), as a crash would leave it.
    bot.stop().await;
    let posted_before = dms(&bot);
    let combined: Vec<&String> = ids
        .iter()
        .filter(|id| {
            posted_before.iter().any(|(_, m)| {
                m["metadata"]["event_payload"]["troubles"]
                    .as_str()
                    .is_some_and(|t| t.contains(id.as_str()))
            })
        })
        .collect();
    assert!(combined.len() >= 2, "several troubles share a DM: {posted_before:?}");
    let store = sled_store(bot.dir.path()).await;
    let unanswered: Vec<String> = store
        .outbox_items()
        .expect("outbox")
        .into_iter()
        .filter(|i| matches!(&i.op, Op::Post { to: Dest::Dm(u), .. } if u.as_str() == MANAGER))
        .filter(|i| {
            // As the next run's deliverer reads it: attempted, so looked for before posting.
            let head = store.lane_head(&i.lane_key()).expect("lane").expect("queued");
            head.id == i.id && head.attempt_started_at.is_some()
        })
        .filter_map(|i| i.trouble.map(|t| t.as_str().to_string()))
        .collect();
    drop(store);
    assert!(
        unanswered.iter().filter(|id| combined.contains(id)).count() >= 2,
        "a combined DM attempted and unanswered: {unanswered:?}"
    );

    // The manager kept writing in the DM meanwhile: the DMs sit pages back in its history.
    for n in 0..450 {
        bot.slack.user_posts(MANAGER, MANAGER, &format!("note {n}"), None);
    }
    bot.slack.clear_faults();
    bot.restart().await;
    bot.settle().await;
    let dms = dms(&bot);
    assert_eq!(dms.len(), posted_before.len(), "nothing posted twice");
    for id in &ids {
        assert_eq!(
            dms.iter().filter(|(_, m)| speaks_of(m, id)).count(),
            1,
            "{id} told once"
        );
        let posted = trouble(&bot, id).manager_dm.expect("the DM found and kept");
        let (_, line, _) = dm_line(&bot, &posted, id);
        assert!(line.contains(id.as_str()), "{line}");
    }
}

/// On a phone the notification is all the manager reads first: the single DM leads with the
/// ask and the severity, and a DM shared by several troubles names each one's severity and customer, the
/// most severe first, in its notification and in its lines.
#[tokio::test]
async fn a_shared_dm_names_each_troubles_severity_and_customer_most_severe_first() {
    let bot = spawn_bot_paced_like_slack(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    bot.slack.enforce_channel_rate_limit(true);
    let first = open_many(&bot, 1).await.remove(0).0;
    eventually("the first ping reached the manager", Duration::from_secs(10), || {
        (dms(&bot).len() == 1).then_some(())
    })
    .await;
    let single = dms(&bot)[0].1["text"].as_str().unwrap_or_default().to_string();
    assert!(
        single.starts_with("🚨 Please acknowledge · sev2 ")
            && single.contains(&format!(" · Trouble {first}: CUST0 — ")),
        "{single}"
    );
    let mut ids = Vec::new();
    for text in [
        "open sev3 Beta: wrong labels",
        "open sev1 Globex: line stopped",
        "open Umbrella: lids loose",
    ] {
        let answer = bot.command_text(SALES, ORIGIN, text).await;
        ids.push(answer.split_whitespace().nth(1).expect("an id").to_string());
    }
    eventually("all three told to the manager", Duration::from_secs(20), || {
        not_yet_told(&bot, &ids).is_empty().then_some(())
    })
    .await;
    let shared = dms(&bot)
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| ids.iter().filter(|id| speaks_of(m, id)).count() > 1)
        .expect("a DM shared by the three");
    // Those it carries (at least two), in order of severity.
    let in_order = |text: &str, names: [&str; 3]| {
        let at: Vec<usize> = names.iter().filter_map(|who| text.find(who)).collect();
        at.len() >= 2 && at.windows(2).all(|w| w[0] < w[1])
    };
    let text = shared["text"].as_str().unwrap_or_default();
    assert!(in_order(text, ["sev1 Globex", "sev2 Umbrella", "sev3 Beta"]), "{text}");
    let lines = shared["blocks"].to_string();
    assert!(in_order(&lines, ["Globex", "Umbrella", "Beta"]), "{lines}");
}
