//! Reopening a closed trouble by its id in a DM with the bot, whatever its channel's state.

mod common;

use common::*;
use trouble_bot::trouble::model::ChannelLoss;

/// Force-closed by the manager, then archived as troubles are once closed: nobody can type in
/// that channel and the bot cannot unarchive it. Named by its id in a DM, the manager chain
/// reopens it there; the owner may not, and is told who may. The reopener is told to unarchive
/// the channel, the owner is DMed so, and what the reopening says there waits for it.
#[tokio::test]
async fn a_closed_trouble_whose_channel_is_archived_is_reopened_by_its_id_in_a_dm() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.command_text(MANAGER, &t.channel, "close force settled by phone")
        .await;
    bot.settle().await;
    assert!(trouble(&bot, &t.id).closed.is_some(), "closed");
    // The one above the manager hears of the forced close, with the way back that works once
    // its channel is archived.
    let forced = bot.posted_saying(DIRECTOR, "force-closed").await;
    let by_dm = format!("`/trouble reopen {} REASON` in a DM with the bot opens it again", t.id);
    assert!(forced.contains(&by_dm), "{forced}");

    bot.slack.lose_channel(&t.channel, "is_archived");
    let archived = channel_event("channel_archive", &t.channel, Some(SALES));
    assert_eq!(bot.event(&archived, None).await.status(), 200);
    bot.settle().await;
    assert_eq!(trouble(&bot, &t.id).channel_lost, Some(ChannelLoss::Archived));

    // Without its id, the answer says how to name it (not "type it in its channel").
    let r = bot
        .command_text(MANAGER, "D0MANAGER", "reopen the customer found more")
        .await;
    assert!(r.contains("`/trouble reopen ID REASON`"), "{r}");
    // So does the help, where someone looks first.
    let help = bot.command_text(MANAGER, "D0MANAGER", "help").await;
    assert!(
        help.contains("`/trouble reopen ID REASON` in a DM with the bot"),
        "{help}"
    );
    // With its id but no reason: what it lacks, and that it works here.
    let r = bot
        .command_text(MANAGER, "D0MANAGER", &format!("reopen {}", t.id))
        .await;
    assert!(
        r.contains(&format!("`/trouble reopen {} REASON`", t.id)) && !r.contains("works in the trouble's channel"),
        "{r}"
    );
    assert!(trouble(&bot, &t.id).closed.is_some(), "nothing reopened yet: {r}");

    // The owner is not the manager chain: refused, naming who may.
    let r = bot
        .command_text(SALES, "D0SALES", &format!("reopen {} the customer found more", t.id))
        .await;
    assert!(r.contains(&format!("<@{MANAGER}>")), "{r}");
    assert!(
        trouble(&bot, &t.id).closed.is_some(),
        "the owner may not reopen it: {r}"
    );

    let mark = last_call(&bot);
    let r = bot
        .command_text(
            MANAGER,
            "D0MANAGER",
            &format!("reopen {} the customer found more cracks", t.id),
        )
        .await;
    let link = format!("<#{}>", t.channel);
    assert!(
        r.contains("The trouble is open again")
            && r.contains(&format!(
                "but its channel {link} is still archived. Please open it and unarchive it"
            )),
        "{r}"
    );
    // Said once: not again as the warning any change to a lost channel's trouble gets.
    assert!(!r.contains("once someone unarchives it"), "{r}");
    let reopened = trouble(&bot, &t.id);
    assert!(reopened.is_open(), "{r}");
    let reopening = reopened.substance.reopening.expect("a reopening");
    assert_eq!(
        (reopening.by.as_str(), reopening.reason.as_str()),
        (MANAGER, "the customer found more cracks"),
        "the id is not part of the reason"
    );
    // The owner hears what to do; the manager, told in the answer, is not DMed it too.
    let dm = bot.posted_saying(SALES, "was reopened, but its channel").await;
    assert!(
        dm.contains(&link) && dm.contains("Please open it and unarchive it"),
        "{dm}"
    );
    bot.nothing_posted_saying(MANAGER, "was reopened, but its channel")
        .await;
    // Its channel's line waits until someone unarchives it, then comes.
    assert!(
        posted_since(&bot, &t.channel, mark).is_empty(),
        "{:?}",
        posted_since(&bot, &t.channel, mark)
    );
    assert!(trouble(&bot, &t.id).held.is_some(), "the reopening's line waits");
    bot.slack.restore_channel(&t.channel);
    let back = channel_event("channel_unarchive", &t.channel, Some(SALES));
    assert_eq!(bot.event(&back, None).await.status(), 200);
    bot.posted_saying(&t.channel, "the customer found more cracks").await;

    // Open again, `reopen ID` in a DM says so rather than pointing to its channel.
    let r = bot
        .command_text(MANAGER, "D0MANAGER", &format!("reopen {} once more", t.id))
        .await;
    assert!(r.contains("not closed; there is nothing to reopen"), "{r}");
    assert_store_verifies(&bot, "reopened by its id in a DM");
}

/// A private trouble's id typed in a DM by someone who may not see it tells them nothing of it;
/// typed in another trouble's channel it reopens nothing there and says where it works.
#[tokio::test]
async fn reopening_by_id_tells_nothing_of_a_private_trouble_and_nothing_in_another_troubles_channel() {
    let bot = spawn_bot_raw(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.command_text(MANAGER, &t.channel, "close force settled by phone")
        .await;
    bot.settle().await;
    let r = bot
        .command_text(
            COLLEAGUE,
            "D0COLLEAGUE",
            &format!("reopen {} the customer found more", t.id),
        )
        .await;
    assert_eq!(
        r,
        format!(
            "There is no trouble `{}` that you may see. `/trouble list` shows yours.",
            t.id
        )
    );
    assert!(trouble(&bot, &t.id).closed.is_some(), "{r}");

    let other = bot.open_ready("Globex: lids loose").await;
    let r = bot
        .command_text(
            MANAGER,
            &other.channel,
            &format!("reopen {} the customer found more", t.id),
        )
        .await;
    assert!(
        r.contains(&format!("To reopen {}, type it in a DM with the bot", t.id)),
        "{r}"
    );
    assert!(trouble(&bot, &t.id).closed.is_some(), "{r}");
    assert!(trouble(&bot, &other.id).is_open() && trouble(&bot, &other.id).substance.reopening.is_none());
}

/// The VP, at the top of `[org]`, closed their own trouble and the bot was removed from its
/// channel: nobody above them may reopen it, so they may, by its id in a DM, and are told to add
/// the bot back.
#[tokio::test]
async fn the_top_of_the_org_reopens_their_own_trouble_by_its_id_in_a_dm() {
    let bot = spawn_bot().await;
    let t = closed_by_the_top_of_the_org(&bot).await;
    bot.settle().await;
    bot.slack.lose_channel(&t.channel, "not_in_channel");
    let left = channel_event("channel_left", &t.channel, None);
    assert_eq!(bot.event(&left, None).await.status(), 200);
    bot.settle().await;

    let r = bot
        .command_text(
            MANAGER,
            "D0MANAGER",
            &format!("reopen {} the customer found more", t.id),
        )
        .await;
    assert!(r.contains(&format!("<@{VP}>")), "{r}");
    assert!(trouble(&bot, &t.id).closed.is_some(), "below the VP: {r}");
    let r = bot
        .command_text(VP, "D0VP", &format!("reopen {} the customer found more", t.id))
        .await;
    assert!(trouble(&bot, &t.id).is_open(), "{r}");
    assert!(
        r.contains(&format!(
            "but the bot is still out of its channel <#{}>. Please add it back",
            t.channel
        )),
        "{r}"
    );
}
