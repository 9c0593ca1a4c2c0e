//! domain.md's practices, each driven over HTTP where no other test drove it.

mod common;

use common::*;

/// The first move (domain.md, 初動が命): the manager and the related departments hear at once.
/// When Slack refuses for good to create the trouble's channel (a workspace that lets only its
/// admins create channels answers `restricted_action`), the departments' ping and invitation,
/// which live in that channel, never happen: the owner is told which trouble it is, that the
/// manager knows, and which departments to tell themselves.
#[tokio::test]
async fn a_channel_slack_refuses_to_create_leaves_the_owner_told_whom_to_tell() {
    let bot = spawn_bot().await;
    bot.slack.fail_next("conversations.create", "restricted_action", 1);
    let (_, id) = bot.opened(SALES, "sev1 +field ACME: housings cracked").await;
    bot.posted_saying(MANAGER, &id).await;
    let dm = bot.posted_saying(SALES, "restricted_action").await;
    for words in [
        id.as_str(),
        "ACME — housings cracked",
        "<@U0MANAGER> was told by DM",
        "The related departments (Field Service, Quality Assurance) have not been told",
        "tell them yourself",
    ] {
        assert!(dm.contains(words), "{words}: {dm}");
    }
    bot.settle().await;
    assert!(bot.slack.calls_to("conversations.invite").is_empty());

    let ja = spawn_bot_in("ja").await;
    ja.slack.fail_next("conversations.create", "restricted_action", 1);
    let (_, id) = ja.opened(SALES, "ACME: 蓋の割れ").await;
    let dm = ja.posted_saying(SALES, "restricted_action").await;
    for words in [
        format!("トラブル {id}（ACME — 蓋の割れ）のチャンネルを Slack が作成できませんでした"),
        "<@U0MANAGER>さんには DM で伝えてあります".to_string(),
    ] {
        assert!(dm.contains(&words), "{words}: {dm}");
    }
    assert!(
        !dm.contains("関係部門"),
        "a sev2 opened with no department names none: {dm}"
    );
}
