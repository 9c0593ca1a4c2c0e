//! What a rep who has never used the bot types in a hurry, in English or on a Japanese phone: read as meant, or answered with the command to type instead, nothing recorded by a guess.

mod common;

use common::*;
use trouble_bot::trouble::model::StageState;

/// A bot in `locale` whose rep typed `typed` in the origin channel: asserts the answer says
/// `meant` and that no trouble channel was created on a guess. The bot and the answer are
/// returned for what a test checks besides.
async fn answered_opening_nothing(locale: &str, typed: &str, meant: &str) -> (TestBot, String) {
    let bot = spawn_bot_in(locale).await;
    let r = bot.command_text(SALES, ORIGIN, typed).await;
    assert!(r.contains(meant), "{locale} {typed}: {r}");
    bot.expect_none("conversations.create", |_| true).await;
    (bot, r)
}

/// Asserts that, once all is delivered, the bot said nothing in Slack (no post, update or
/// ephemeral) after the call `mark`: a command read as something else told nobody of a change.
async fn nobody_told_since(bot: &TestBot, mark: u64, locale: &str) {
    bot.settle().await;
    let said: Vec<_> = bot
        .slack
        .calls()
        .into_iter()
        .filter(|c| c.seq > mark && c.method.starts_with("chat."))
        .collect();
    assert!(said.is_empty(), "{locale}: nobody told of a change: {said:?}");
}

/// The help writes a promise as `[next: 15:00]`; typed alone, `next` would complete the stage
/// the team is working on, noting a time, and set no promise.
#[tokio::test]
async fn a_promise_typed_after_next_completes_no_stage() {
    for (locale, typed, answer) in [
        ("en", "next: 15:00", "`/trouble update WHAT YOU TOLD THEM next: 15:00`"),
        (
            "en",
            "next tomorrow 10am",
            "`/trouble update WHAT YOU TOLD THEM next: tomorrow 10am`",
        ),
        ("ja", "next: 明日10時", "`/trouble update 伝えた内容 次回: 明日10時`"),
        ("ja", "次へ 15:00", "`/trouble update 伝えた内容 次回: 15:00`"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert!(r.contains(answer), "{locale} {typed}: {r}");
        let now = trouble(&bot, &t.id);
        assert_eq!(now.stages[0].state, StageState::InProgress, "{locale} {typed}");
        assert!(now.customer_updates.is_empty(), "{locale} {typed}");
        // A note that is no time still completes the stage, as the help says.
        bot.command_text(SALES, &t.channel, "next samples collected").await;
        assert_eq!(trouble(&bot, &t.id).stages[0].state, StageState::Done, "{locale}");
    }
}

/// `s1`, `P1` or `緊急` before the customer is how many write a severity; read as the name's
/// first word, the trouble would open at the default severity, the departments and channels
/// of sev1 never told, under a customer named `s1 ACME`.
#[tokio::test]
async fn a_severity_written_as_no_option_reads_opens_nothing_and_shows_the_open_meant() {
    for (locale, typed, meant) in [
        (
            "en",
            "open s1 ACME: lid cracked",
            "`/trouble open sev1 ACME: lid cracked`",
        ),
        (
            "en",
            "open P2 +quality ACME: lid cracked",
            "`/trouble open sev2 +quality ACME: lid cracked`",
        ),
        (
            "en",
            "open urgent ACME: lid cracked",
            "`/trouble open sev1 ACME: lid cracked`",
        ),
        ("ja", "起票 緊急 ACME：蓋割れ", "`/trouble open sev1 ACME: 蓋割れ`"),
        ("ja", "open 重大 ACME: 蓋割れ", "`/trouble open sev1 ACME: 蓋割れ`"),
    ] {
        let (bot, r) = answered_opening_nothing(locale, typed, meant).await;
        assert!(
            r.contains("Nothing was opened") || r.contains("起票していません"),
            "{r}"
        );
        bot.expect_none("chat.postMessage", |_| true).await;
    }
    // A name that starts with a word a company may take is the name.
    let bot = spawn_bot().await;
    let r = bot
        .command_text(SALES, ORIGIN, "open High Tech Corp: lid cracked")
        .await;
    assert!(r.contains("opened for High Tech Corp, sev2"), "{r}");
}

/// `ACME: lid cracked`, typed with no command as the rep would say it: the answer is the open
/// to send, and nothing is opened on a guess (nobody paged).
#[tokio::test]
async fn a_trouble_described_with_no_command_is_answered_with_the_open_to_send() {
    for (locale, typed, meant) in [
        (
            "en",
            "ACME: lid cracked",
            "Did you mean `/trouble open ACME: lid cracked`?",
        ),
        (
            "ja",
            "アクメ様：蓋が割れている",
            "`/trouble open アクメ様：蓋が割れている` のことですか？",
        ),
    ] {
        let (bot, _) = answered_opening_nothing(locale, typed, meant).await;
        bot.expect_none("chat.postMessage", |_| true).await;
        // A promise typed alone is no trouble to open.
        let r = bot.command_text(SALES, ORIGIN, "次回: 明日10時").await;
        assert!(!r.contains("open"), "{locale}: {r}");
    }
}

/// `new` is `新規` in English, `create` what other tools call it, and a command pasted whole
/// (`/trouble open …` after `/trouble`) is that command: each opens, as `open` does.
#[tokio::test]
async fn new_create_and_a_pasted_command_open_the_trouble() {
    for (locale, typed, answer) in [
        ("en", "new ACME: lid cracked", "opened for ACME, sev2"),
        ("en", "create sev1 Globex: line stopped", "opened for Globex, sev1"),
        (
            "en",
            "/trouble open Initech: labels smeared",
            "opened for Initech, sev2",
        ),
        ("ja", "new ACME：蓋割れ", "を起票しました（ACME様、sev2）"),
        ("ja", "trouble 起票 ベータ：蓋割れ", "を起票しました（ベータ様、sev2）"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let r = bot.command_text(SALES, ORIGIN, typed).await;
        assert!(r.contains(answer), "{locale} {typed}: {r}");
        bot.slack.wait_for("conversations.create", |_| true).await;
    }
}

/// `@tanaka` typed without picking the person from Slack's list reaches the bot as text: as a
/// customer's first word it would name the customer `@tanaka ACME` (and its channel), and
/// after `owner` the answer asked for a mention the rep thought they had typed.
#[tokio::test]
async fn a_name_after_at_that_is_no_mention_is_said_to_be_text() {
    for (locale, said) in [
        ("en", "reached the bot as plain text"),
        ("ja", "メンションではなく文字として届"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let r = bot.command_text(SALES, ORIGIN, "open @tanaka ACME: lid cracked").await;
        assert!(r.contains("`@tanaka`") && r.contains(said), "{locale}: {r}");
        assert!(r.contains("`/trouble open ACME: lid cracked`"), "{locale}: {r}");
        bot.expect_none("conversations.create", |_| true).await;

        let t = bot.open_ready("ACME: lid cracked").await;
        let r = bot.command_text(MANAGER, &t.channel, "owner @bob").await;
        assert!(r.contains("`@bob`") && r.contains(said), "{locale}: {r}");
        assert_eq!(trouble(&bot, &t.id).owner.as_str(), SALES);
    }
}

/// A manager answering on a phone types what they would say: `確認しました`, `承知しました`,
/// `ok`. Refused, the trouble would go on escalating over a manager who believes they answered.
#[tokio::test]
async fn a_manager_acknowledges_with_the_words_they_would_say() {
    for (locale, typed, acknowledged) in [
        ("en", "ok", "Acknowledged trouble"),
        ("ja", "確認しました", "を確認しました。エスカレーションは止まります"),
        ("ja", "承知しました", "を確認しました。エスカレーションは止まります"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        // The owner is told who may, and nothing is recorded.
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert!(r.contains("<@U0MANAGER>"), "{locale} {typed}: {r}");
        assert!(trouble(&bot, &t.id).ack.is_none(), "{locale} {typed}");
        let r = bot.command_text(MANAGER, &t.channel, typed).await;
        assert!(r.contains(acknowledged), "{locale} {typed}: {r}");
        assert!(trouble(&bot, &t.id).ack.is_some(), "{locale} {typed}");
    }
}

/// `完了３`, as a phone's input method types it with no space: answered with the command meant,
/// as `done3` is, and nothing marked on a guess.
#[tokio::test]
async fn a_stage_glued_to_a_japanese_command_word_is_answered_with_the_command_meant() {
    for locale in ["ja", "en"] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        let r = bot.command_text(SALES, &t.channel, "完了１ 現品回収済み").await;
        assert!(r.contains("`/trouble 完了 1 現品回収済み`"), "{locale}: {r}");
        assert_eq!(trouble(&bot, &t.id).stages[0].state, StageState::InProgress);
    }
}

/// `open ACME - lid cracked`: the dash a hurried hand parts the two with gets the open to send,
/// not a made-up example to retype from; nothing is opened on the guess.
#[tokio::test]
async fn a_customer_and_summary_parted_by_a_dash_get_the_open_to_send() {
    for (locale, typed, meant) in [
        (
            "en",
            "open sev1 ACME - lid cracked",
            "Did you mean `/trouble open sev1 ACME: lid cracked`?",
        ),
        (
            "ja",
            "起票 アクメ — 蓋割れ",
            "`/trouble open アクメ: 蓋割れ` のことですか？",
        ),
    ] {
        answered_opening_nothing(locale, typed, meant).await;
    }
}

/// `s1` or `緊急` typed in the trouble's channel to raise it: answered with the `sev` meant.
#[tokio::test]
async fn a_severity_typed_alone_in_the_channel_is_answered_with_the_sev_meant() {
    for (locale, typed, meant) in [
        ("en", "s1 line stopped", "Did you mean `/trouble sev 1 line stopped`?"),
        ("ja", "緊急", "`/trouble sev 1` のことですか？"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert!(r.contains(meant), "{locale} {typed}: {r}");
        assert_eq!(trouble(&bot, &t.id).severity.level(), 2);
    }
}

/// `sev1 Initech: lid cracked`, a new trouble with its `open` forgotten: typed in another
/// trouble's channel it changes nothing there (no raise, nobody paged) and shows the open meant;
/// a severity change whose reason has a label, a time or the colon left out still changes it.
#[tokio::test]
async fn a_severity_typed_before_a_customer_and_summary_raises_no_trouble_and_shows_the_open_meant() {
    for (locale, typed, meant, nothing, reason_only, label) in [
        (
            "en",
            "sev1 Initech: lid cracked",
            "Did you mean `/trouble open sev1 Initech: lid cracked`? Nothing was changed.",
            "`/trouble sev 1 Initech - lid cracked`",
            "sev 1 Initech - lid cracked",
            "sev1 reason: line stopped since 10:00",
        ),
        (
            "ja",
            "sev 1 ベータ：蓋の割れ",
            "`/trouble open sev1 ベータ：蓋の割れ` のことですか？何も変更していません。",
            "`/trouble sev 1 ベータ - 蓋の割れ`",
            "sev 1 ベータ - 蓋の割れ",
            "sev 1 理由：ライン停止",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("sev3 ACME: cracked housings").await;
        bot.settle().await;
        let mark = last_call(&bot);
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert!(r.contains(meant) && r.contains(nothing), "{locale}: {r}");
        // `P1 …` is the same open, the severity written as no option reads.
        let p1 = bot.command_text(SALES, &t.channel, "P1 ACME: lid cracked").await;
        assert!(p1.contains("`/trouble open sev1 ACME: lid cracked`"), "{locale}: {p1}");
        assert_eq!(trouble(&bot, &t.id).severity.level(), 3, "{locale}");
        nobody_told_since(&bot, mark, locale).await;
        assert_eq!(bot.store().trouble_count(), 1, "{locale}: nothing opened on a guess");
        // The change that was meant, as the answer writes it, and one whose reason has a label.
        bot.command_text(SALES, &t.channel, reason_only).await;
        assert_eq!(trouble(&bot, &t.id).severity.level(), 1, "{locale}: {reason_only}");
        let other = bot.open_ready("sev3 Globex: bent brackets").await;
        bot.command_text(SALES, &other.channel, label).await;
        assert_eq!(trouble(&bot, &other.id).severity.level(), 1, "{locale}: {label}");
    }
}

/// `sev1 globex: lid cracked`, the customer typed in lower case by a rep who forgot `open`:
/// when the words before the colon name a customer the bot knows (a `[customers]` alias, or an
/// earlier trouble the rep may see), it is the open meant, as `sev1 Globex: …` is, and typed in
/// another trouble's channel it raises nothing there; words that name no customer the bot
/// knows stay a reason (`only cosmetic: …`).
#[tokio::test]
async fn a_severity_before_a_known_customer_typed_in_lower_case_raises_no_trouble() {
    for (locale, meant) in [
        (
            "en",
            "Did you mean `/trouble open sev1 globex: lid cracked`? Nothing was changed.",
        ),
        (
            "ja",
            "`/trouble open sev1 globex: lid cracked` のことですか？何も変更していません。",
        ),
    ] {
        let aliases = "[customers]\n\"Initech Japan\" = \"Initech\"\n";
        let bot = spawn_bot_raw(&format!("{}\n{aliases}", config_speaking(locale))).await;
        let globex = bot.open_ready("sev3 Globex: bent brackets").await;
        let t = bot.open_ready("sev3 ACME: cracked housings").await;
        bot.settle().await;
        let mark = last_call(&bot);
        // An earlier trouble's customer, and a `[customers]` alias.
        let r = bot.command_text(SALES, &t.channel, "sev1 globex: lid cracked").await;
        assert!(r.contains(meant), "{locale}: {r}");
        let r = bot
            .command_text(SALES, &t.channel, "sev1 initech japan: lid cracked")
            .await;
        assert!(r.contains("sev1 initech japan: lid cracked"), "{locale}: {r}");
        assert_eq!(trouble(&bot, &t.id).severity.level(), 3, "{locale}");
        assert_eq!(trouble(&bot, &globex.id).severity.level(), 3, "{locale}");
        nobody_told_since(&bot, mark, locale).await;
        // Lower-case words that name no customer the bot knows are the change's reason.
        bot.command_text(SALES, &t.channel, "sev1 line stopped: lid cracked")
            .await;
        assert_eq!(trouble(&bot, &t.id).severity.level(), 1, "{locale}");
    }
}

/// `escalate`, `resolved`, `cancel` and their Japanese: answered with how it is done here
/// (the chain goes up by itself and `sev` raises it; `close` and what it needs; a trouble is
/// never deleted, one opened by mistake is closed with `close force`), nothing recorded.
#[tokio::test]
async fn escalate_resolved_and_cancel_are_answered_with_how_it_is_done() {
    for (locale, typed, says) in [
        (
            "en",
            "escalate",
            ["goes up the chain itself", "`/trouble sev 1 REASON`"],
        ),
        (
            "en",
            "resolved",
            ["`/trouble close [note]`", "all seven stages are done"],
        ),
        ("en", "finish", ["`/trouble close [note]`", "prevention measure"]),
        (
            "en",
            "cancel",
            ["never deleted", "`/trouble close force opened by mistake`"],
        ),
        ("ja", "エスカレ", ["一つ上の上位者に依頼", "`/trouble sev 1 理由`"]),
        ("ja", "解決", ["`/trouble close [メモ]`", "7段階すべての完了"]),
        (
            "ja",
            "キャンセル",
            ["削除できません", "`/trouble close force 誤って起票`"],
        ),
        (
            "ja",
            "取消",
            ["`/trouble 取消 報告 [N] 理由`", "`/trouble close force 誤って起票`"],
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        let before = trouble(&bot, &t.id).timeline_len;
        let r = bot.command_text(SALES, &t.channel, typed).await;
        for s in says {
            assert!(r.contains(s), "{locale} {typed}: {r}");
        }
        assert_eq!(trouble(&bot, &t.id).timeline_len, before, "{locale} {typed}");
        assert!(trouble(&bot, &t.id).closed.is_none());
    }
}

/// A summary of emoji or punctuation alone (`ACME: 🔥🔥`) would page the manager with nothing
/// of what happened: refused as an empty one is, typed or on the form; an emoji beside words opens.
#[tokio::test]
async fn a_summary_of_emoji_or_punctuation_alone_opens_nothing() {
    for (locale, typed, says) in [
        (
            "en",
            "open ACME: 🔥🔥",
            "Say what happened: `/trouble open ACME: lid cracked on lot 42`. Nothing was opened.",
        ),
        ("en", "open sev1 ACME: !!!", "Nothing was opened."),
        (
            "ja",
            "起票 ベータ：:fire: …",
            "起きたことを書いてください: `/trouble open ベータ: ロット42の蓋の割れ`。起票していません。",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let r = bot.command_text(SALES, ORIGIN, typed).await;
        assert!(r.contains(says), "{locale} {typed}: {r}");
        let metadata = serde_json::json!({"channel": ORIGIN}).to_string();
        let answer: serde_json::Value = bot
            .interaction(&open_submission("ACME", "🔥🔥", MANAGER, &metadata))
            .await
            .json()
            .await
            .expect("field errors");
        let error = answer["errors"]["summary"].as_str().unwrap_or_default();
        assert!(
            error.contains("punctuation or emoji") || error.contains("記号や絵文字"),
            "{locale}: {answer}"
        );
        assert_eq!(bot.store().trouble_count(), 0, "{locale}");
        bot.expect_none("conversations.create", |_| true).await;
        bot.expect_none("chat.postMessage", |_| true).await;
    }
    let bot = spawn_bot().await;
    let r = bot.command_text(SALES, ORIGIN, "open ACME: 🔥 line down").await;
    assert!(r.contains("opened for ACME"), "{r}");
}

/// `open ACME: Japan K.K.: lid cracked`: the customer is the whole name when the bot knows that
/// customer (a `[customers]` name, or an earlier trouble's), else the name before the first
/// colon, as typed; the answer names the customer taken either way.
#[tokio::test]
async fn a_customer_name_with_a_colon_is_read_whole_when_the_bot_knows_it() {
    let bot = spawn_bot_with(&format!(
        "{DEFAULT_SEVERITIES}\n[customers]\n\"ベータ九州\" = \"Beta Kyushu\"\n"
    ))
    .await;
    // Nobody knows `ACME Lot 42`: the customer is the name before the first colon.
    let r = bot.command_text(SALES, ORIGIN, "open ACME: Lot 42: cracked lids").await;
    assert!(r.contains("opened for ACME, sev2"), "{r}");
    let first = bot.open_ready("Initech Osaka: bent brackets").await;
    let r = bot
        .command_text(SALES, ORIGIN, "open Initech: Osaka: lid cracked")
        .await;
    assert!(r.contains("opened for Initech Osaka, sev2"), "{r}");
    let id = r.split_whitespace().nth(1).expect("an id");
    let t = trouble(&bot, id);
    assert_eq!(
        (t.customer.as_str(), t.summary.as_str()),
        ("Initech Osaka", "lid cracked")
    );
    assert_ne!(first.id, id);
    let r = bot.command_text(SALES, ORIGIN, "open Beta：Kyushu：蓋の割れ").await;
    assert!(r.contains("opened for Beta Kyushu, sev2"), "{r}");
}
