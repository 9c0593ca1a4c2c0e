//! People who are away: a Slack status saying a manager is on holiday, sick or on a plane brings
//! the next one up the chain in at once, and never leaves anyone out.

mod common;

use std::time::Duration;

use common::*;
use trouble_bot::trouble::timeline::Event;

/// The default severities' acknowledgement timeout (sev2).
const ACK_TIMEOUT: Duration = Duration::from_secs(3600);

fn dms_to(bot: &TestBot, who: &str) -> usize {
    bot.slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == who && c.took_effect())
        .count()
}

/// A manager who set `🌴 On vacation` in Slack would read the ping a week later: the director is
/// asked at once as well (the clock never moves), told why and until when, and the kickoff's
/// thread says so. The manager stays in the chain and may still acknowledge, which stops it all.
#[tokio::test]
async fn a_manager_on_vacation_is_asked_and_the_director_too_at_once() {
    let bot = spawn_bot().await;
    // Back on Thursday: Slack clears the status then.
    let until = bot.now_secs() + 3 * 24 * 3600;
    bot.slack.set_status(MANAGER, ":palm_tree:", "On vacation", until);
    let t = bot.open_ready("ACME: housing cracked").await;

    let asked = bot.posted_saying(DIRECTOR, "needs acknowledging").await;
    assert!(
        asked.contains(&format!(
            "<@{MANAGER}>, asked first, is away (🌴 on vacation until Thu 2026-12-03)"
        )) && asked.contains(&t.id),
        "{asked}"
    );
    let thread = bot.posted_saying(&t.channel, "so you are asked as well").await;
    assert!(
        thread.contains(&format!("<@{DIRECTOR}>")) && thread.contains(&format!("<@{MANAGER}>")),
        "{thread}"
    );
    // The pinned kickoff and status say who is asked now, and why the manager is not answering.
    let away = format!("now asked: <@{DIRECTOR}> · <@{MANAGER}> is away (🌴 on vacation until Thu 2026-12-03)");
    message_says(&bot, &t.channel, &t.kickoff_ts, &away).await;
    bot.settle().await;
    let status_ts = trouble(&bot, &t.id).status.expect("a status").ts;
    message_says(&bot, &t.channel, status_ts.as_str(), &away).await;
    assert!(dms_to(&bot, MANAGER) >= 1, "the manager is still pinged");
    let stored = trouble(&bot, &t.id);
    assert_eq!(stored.escalation.level, 1, "the director is asked now");
    assert!(
        stored.escalation.unreachable.is_empty(),
        "nobody is passed over as gone"
    );
    let timeline = bot.store().timeline(&stored.id).expect("the timeline reads");
    assert!(
        timeline
            .iter()
            .any(|e| matches!(&e.event, Event::AwayInSlack { who, .. } if who.as_str() == MANAGER)),
        "the timeline says why"
    );

    // Away does not mean out of the chain: the manager, reading it on the beach, acknowledges.
    let answer = bot.command_text(MANAGER, &t.channel, "ack").await;
    assert!(answer.starts_with("Acknowledged"), "{answer}");
    bot.advance_and_settle(3 * ACK_TIMEOUT).await;
    assert_eq!(dms_to(&bot, VP), 0, "acknowledged: nobody further is asked");
}

/// The director on a plane too: each DM that reaches someone away brings in the next, so the VP
/// is asked at once, and neither of those below is left out.
#[tokio::test]
async fn a_chain_away_one_after_another_reaches_the_first_one_present_at_once() {
    let bot = spawn_bot().await;
    bot.slack.set_status(MANAGER, ":face_with_thermometer:", "Out sick", 0);
    bot.slack.set_status(DIRECTOR, "", "✈️ flight to Frankfurt", 0);
    let t = bot.open_ready("ACME: housing cracked").await;
    let asked = bot.posted_saying(VP, "needs acknowledging").await;
    assert!(
        asked.contains(&format!("<@{DIRECTOR}>, asked first, is away (✈️ travelling)")),
        "{asked}"
    );
    bot.settle().await;
    assert!(dms_to(&bot, MANAGER) >= 1 && dms_to(&bot, DIRECTOR) >= 1);
    // Whoever of them answers first acknowledges.
    let answer = bot.command_text(DIRECTOR, &t.channel, "ack").await;
    assert!(answer.starts_with("Acknowledged"), "{answer}");
}

/// A status only ever brings people in: the owner on leave, or a manager in a meeting (waited
/// out by the timeout, as ever), asks nobody early, and the escalation still goes up on time.
#[tokio::test]
async fn a_status_that_is_no_absence_or_not_the_askeds_changes_nothing() {
    let bot = spawn_bot().await;
    bot.slack.set_status(SALES, ":palm_tree:", "On vacation", 0);
    bot.slack
        .set_status(MANAGER, ":spiral_calendar_pad:", "In a meeting", 0);
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.settle().await;
    assert_eq!(dms_to(&bot, DIRECTOR), 0, "a meeting is no absence");
    bot.advance_and_settle(ACK_TIMEOUT).await;
    let asked = bot.posted_saying(DIRECTOR, "has not been acknowledged for 1h").await;
    assert!(asked.contains(&t.id), "{asked}");
}

/// In Japanese too, without quoting what the manager wrote.
#[tokio::test]
async fn the_director_is_told_in_japanese_without_the_managers_own_words() {
    let bot = spawn_bot_in("ja").await;
    bot.slack.set_status(MANAGER, "", "夏季休暇中 <!channel>", 0);
    let t = bot.open_ready("ACME: 筐体割れ").await;
    let asked = bot.posted_saying(DIRECTOR, "休暇中").await;
    assert!(
        asked.contains(&format!("<@{MANAGER}>さんは Slack で不在（🌴 休暇中）です")),
        "{asked}"
    );
    assert!(!asked.contains("<!channel>") && !asked.contains("夏季"), "{asked}");
    let thread = bot.posted_saying(&t.channel, "あわせて確認をお願いします").await;
    assert!(!thread.contains("<!channel>"), "{thread}");
}

/// The customer's update cadence (the default severities', sev2).
const CADENCE: Duration = Duration::from_secs(4 * 3600);

/// Posts in `channel` since call `mark` that say `words`.
fn posts_saying(bot: &TestBot, channel: &str, mark: u64, words: &str) -> Vec<String> {
    posted_since(bot, channel, mark)
        .into_iter()
        .filter(|text| text.contains(words))
        .collect()
}

/// The owner goes on leave in the middle of a trouble: the nudge that the customer is owed an
/// update would wait, unread, until it is twice overdue before the manager heard. The manager
/// is mentioned with the first nudge instead, to see the customer told or hand the trouble on;
/// once handed to someone present, their nudges go to them alone, as ever.
#[tokio::test]
async fn an_owner_on_leave_brings_the_manager_to_the_first_nudge_until_handed_over() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.slack.set_status(SALES, ":palm_tree:", "On vacation", 0);
    bot.settle().await;
    let mark = last_call(&bot);
    bot.advance_and_settle(CADENCE).await;
    let said = posts_saying(&bot, &t.channel, mark, "the owner, is away");
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains(&format!(
            "<@{SALES}>, the owner, is away (🌴 on vacation) in Slack. <@{MANAGER}> ACME has heard nothing for 4h"
        )),
        "{said:?}"
    );

    // Handed to a colleague at work, with the customer told meanwhile: the next nudge is theirs.
    let handed = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    assert!(!handed.contains("Only"), "{handed}");
    bot.command_text(COLLEAGUE, &t.channel, "update called ACME, checking the lot")
        .await;
    bot.settle().await;
    let mark = last_call(&bot);
    bot.advance_and_settle(CADENCE).await;
    assert_eq!(
        posts_saying(
            &bot,
            &t.channel,
            mark,
            &format!("<@{COLLEAGUE}> ACME has heard nothing")
        )
        .len(),
        1,
        "{:?}",
        posted_since(&bot, &t.channel, mark)
    );
    assert!(posts_saying(&bot, &t.channel, mark, "is away").is_empty());
}

/// The first move decides everything: a trouble handed to a rep who is out sick would have its
/// first-call checklist read by nobody until the deadline. The manager is brought in with it.
#[tokio::test]
async fn the_first_call_checklist_for_an_owner_away_brings_the_manager_in() {
    let bot = spawn_bot().await;
    bot.slack
        .set_status(COLLEAGUE, ":face_with_thermometer:", "Out sick", 0);
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    bot.settle().await;
    let mark = last_call(&bot);
    // Halfway to the first call's deadline (1h at sev2).
    bot.advance_and_settle(Duration::from_secs(30 * 60)).await;
    let said = posts_saying(&bot, &t.channel, mark, "the owner, is away");
    assert_eq!(said.len(), 1, "{:?}", posted_since(&bot, &t.channel, mark));
    assert!(
        said[0].contains(&format!(
            "<@{COLLEAGUE}>, the owner, is away (🤒 out sick) in Slack. <@{MANAGER}>"
        )),
        "{said:?}"
    );
}

/// Troubles opened in the same second for a manager on holiday reach them in one combined DM
/// (Slack's pace for one channel): each of them still brings the director in at once, every
/// trouble its own line, as a single DM would.
#[tokio::test]
async fn troubles_sharing_one_dm_to_a_manager_away_each_bring_the_director_in_at_once() {
    let bot = spawn_bot_paced_like_slack(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    bot.slack.enforce_channel_rate_limit(true);
    bot.slack
        .set_status(MANAGER, ":palm_tree:", "On vacation", bot.now_secs() + 3 * 24 * 3600);
    let opens = (0..6).map(|i| {
        let bot = &bot;
        async move {
            let answer = bot
                .command_text(SALES, ORIGIN, &format!("open CUST{i}: housings cracked in lot {i}"))
                .await;
            assert!(answer.contains("opened"), "{answer}");
            answer
                .split_whitespace()
                .nth(1)
                .expect("the answer names it")
                .to_string()
        }
    });
    let ids: Vec<String> = futures_util::future::join_all(opens).await;
    bot.paced("each trouble asks the director", || {
        ids.iter()
            .all(|id| trouble(&bot, id).escalation.level == 1)
            .then_some(())
    })
    .await;
    let shared = ids
        .iter()
        .filter_map(|id| trouble(&bot, id).manager_dm)
        .any(|dm| dm.together.len() > 1);
    assert!(shared, "some of them reached the manager in one combined DM");
    let told_director = |id: &str| {
        bot.slack
            .messages_in(DIRECTOR)
            .iter()
            .map(text_of)
            .any(|m| m.contains(id) && m.contains(&format!("<@{MANAGER}>, asked first, is away")))
    };
    bot.paced("the director told of each, and why", || {
        ids.iter().all(|id| told_director(id)).then_some(())
    })
    .await;
}

/// DMs to `who` that say `words`.
fn dms_saying(bot: &TestBot, who: &str, words: &str) -> Vec<String> {
    bot.slack
        .messages_in(who)
        .iter()
        .map(text_of)
        .filter(|m| m.contains(words))
        .collect()
}

/// An action's owner on holiday reads neither its "due soon" nor its "overdue" reminder: the
/// trouble's owner hears it once, to hand the action on, and the reminders still go to them.
#[tokio::test]
async fn an_action_owner_away_is_told_to_the_troubles_owner_once() {
    let bot = spawn_bot().await;
    bot.slack.set_status("U0QA1", ":palm_tree:", "On vacation", 0);
    let t = bot.open_ready("ACME: housings cracked").await;
    // Due in a few seconds: the "due soon" reminder is at once, the overdue one just after.
    let added = bot
        .command_text(
            SALES,
            &t.channel,
            "action interim Sort the warehouse stock owner:<@U0QA1> due:3s",
        )
        .await;
    assert!(added.to_lowercase().contains("action #1"), "{added}");
    let told = bot.posted_saying(SALES, "owner of action #1").await;
    assert!(
        told.starts_with("⚠️ <@U0QA1>, owner of action #1 of trouble")
            && told.contains("is away (🌴 on vacation) in Slack")
            && told.contains("`/trouble fix action 1 owner:@…`"),
        "{told}"
    );
    bot.advance_and_settle(Duration::from_secs(10)).await;
    bot.posted_saying("U0QA1", "action #1 is overdue").await;
    bot.settle().await;
    assert_eq!(
        dms_saying(&bot, SALES, "owner of action #1").len(),
        1,
        "once per action and absence"
    );
    assert!(dms_saying(&bot, MANAGER, "owner of action #1").is_empty());
}

/// The trouble's owner away too: the manager hears it, and why them.
#[tokio::test]
async fn an_action_owner_and_the_troubles_owner_both_away_tell_the_manager() {
    let bot = spawn_bot_in("ja").await;
    bot.slack.set_status("U0QA1", ":face_with_thermometer:", "Out sick", 0);
    let t = bot.open_ready("ACME: 筐体割れ").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.slack.set_status(SALES, ":palm_tree:", "On vacation", 0);
    bot.command_text(SALES, &t.channel, "action interim 在庫選別 owner:<@U0QA1> due:3s")
        .await;
    bot.posted_saying(SALES, "対策 #1 の担当 <@U0QA1>").await;
    let told = bot.posted_saying(MANAGER, "対策 #1 の担当 <@U0QA1>").await;
    assert!(
        told.contains("Slack で不在（🤒 病欠）")
            && told.contains(&format!("トラブルの担当 <@{SALES}>さんも Slack で不在（🌴 休暇中）"))
            && told.contains("`/trouble 訂正 対策 1 担当:@…`"),
        "{told}"
    );
    bot.advance_and_settle(Duration::from_secs(10)).await;
    bot.settle().await;
    assert_eq!(dms_saying(&bot, MANAGER, "対策 #1 の担当").len(), 1);
}

/// `/trouble owner @x` cannot ask Slack before it answers; the line handing the trouble over,
/// posted after, finds them away: the one who handed it and the manager hear it there.
#[tokio::test]
async fn a_trouble_handed_to_someone_away_tells_who_handed_it_and_the_manager() {
    let bot = spawn_bot().await;
    bot.slack.set_status(COLLEAGUE, "", "✈️ flight to Frankfurt", 0);
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let handed = bot
        .command_text(DIRECTOR, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    assert!(!handed.contains("Only"), "{handed}");
    let said = bot.posted_saying(&t.channel, "just handed this trouble").await;
    assert!(
        said.contains(&format!(
            "⚠️ <@{COLLEAGUE}>, just handed this trouble by <@{DIRECTOR}>, is away (✈️ travelling) in Slack. <@{DIRECTOR}> <@{MANAGER}> please see ACME still hears from us"
        )),
        "{said}"
    );
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), COLLEAGUE, "handed all the same");
}

/// The whole chain away: nobody is above the VP to bring in, but the pinned status names the
/// VP as away like those below, so whoever reads it knows why nobody answers.
#[tokio::test]
async fn the_top_of_the_chain_away_is_named_as_away_in_the_status() {
    let bot = spawn_bot().await;
    bot.slack.set_status(MANAGER, ":palm_tree:", "On vacation", 0);
    bot.slack.set_status(DIRECTOR, ":palm_tree:", "On vacation", 0);
    bot.slack.set_status(VP, ":face_with_thermometer:", "Out sick", 0);
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.posted_saying(VP, "needs acknowledging").await;
    message_says(
        &bot,
        &t.channel,
        &t.kickoff_ts,
        &format!("<@{VP}> is away (🤒 out sick)"),
    )
    .await;
    message_says(
        &bot,
        &t.channel,
        &t.kickoff_ts,
        &format!("now asked: <@{VP}> · <@{MANAGER}> is away (🌴 on vacation) · <@{DIRECTOR}> is away (🌴 on vacation) · <@{VP}> is away (🤒 out sick)"),
    )
    .await;
}
