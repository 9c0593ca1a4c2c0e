//! What a Japanese team types through its input method (full-width signs, no spaces, kanji
//! numbers, departments by the names they know): read as meant, end to end over HTTP.

mod common;

use common::*;
use trouble_bot::trouble::actions::ActionKind;
use trouble_bot::trouble::model::{StageId, StageState, TroubleId};
use trouble_bot::trouble::timeline::Event;

/// The shared org, in Japanese, its departments named as the team knows them.
async fn spawn_japanese() -> TestBot {
    let config = BASE_CONFIG
        .replace("locale = \"en\"", "locale = \"ja\"")
        .replace("name = \"Quality Assurance\"", "name = \"品質保証部\"")
        .replace("name = \"Field Service\"", "name = \"フィールドサービス部\"");
    spawn_bot_raw(&format!("{config}\n{DEFAULT_SEVERITIES}")).await
}

#[tokio::test]
async fn a_department_is_named_by_its_japanese_name_with_either_plus() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("+品質保証部 ガンマ：異音").await;
    let opened = trouble(&bot, &t.id);
    assert_eq!(
        (opened.customer.as_str(), opened.departments.clone()),
        ("ガンマ", vec!["quality".to_string()])
    );

    let r = bot.command_text(SALES, &t.channel, "追加 ＋フィールドサービス部").await;
    assert!(r.contains("フィールドサービス部を参加者に追加"), "{r}");
    assert!(trouble(&bot, &t.id).departments.contains(&"field".to_string()));
    let r = bot.command_text(SALES, &t.channel, "追加 ＋営業企画部").await;
    assert!(r.contains("`+営業企画部`") && r.contains("`+quality`"), "{r}");
}

#[tokio::test]
async fn words_glued_by_a_full_width_colon_and_kanji_numbers_read_as_meant() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("担当：<@{COLLEAGUE}>"))
        .await;
    assert!(
        r.contains(&format!("<@{COLLEAGUE}>")) && !r.contains("コマンドはありません"),
        "{r}"
    );
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), COLLEAGUE);

    let r = bot
        .command_text(
            COLLEAGUE,
            &t.channel,
            "再発防止 検査基準改訂 担当：<@U0QA2> 期限：12/20 確認：2027/3/1",
        )
        .await;
    assert!(r.contains("#1"), "{r}");
    let measure = trouble(&bot, &t.id).substance.actions[0].clone();
    assert_eq!(
        (measure.kind, measure.text.as_str(), measure.owner.as_str()),
        (ActionKind::Prevent, "検査基準改訂", "U0QA2")
    );
    assert!(measure.due.is_some() && measure.check.is_some(), "{measure:?}");

    let r = bot.command_text(COLLEAGUE, &t.channel, "完了 二 影響範囲を共有").await;
    assert!(r.contains("第2段階"), "{r}");
    assert_eq!(trouble(&bot, &t.id).stage(StageId::Scope).state, StageState::Done);
}

#[tokio::test]
async fn a_promise_by_part_of_the_day_a_count_a_labelled_ratio_and_halves_read_as_meant() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;

    // Monday 10:00 in Tokyo: "tomorrow afternoon" is kept as a promise, by its end.
    let r = bot.command_text(SALES, &t.channel, "報告 お詫び、次回は明日午後").await;
    assert!(r.contains("次回の約束 2026-12-01(火) 17:00"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "報告 経過説明 次回：明朝").await;
    assert!(r.contains("次回の約束 2026-12-01(火) 09:00"), "{r}");

    bot.command_text(SALES, &t.channel, "返品 依頼 ３００個").await;
    let returned = trouble(&bot, &t.id).substance.returned.expect("the return");
    assert_eq!(returned.qty.as_deref(), Some("300"));

    bot.command_text(SALES, &t.channel, "責任区分 当社６：お客様４ 金型の摩耗")
        .await;
    let split = trouble(&bot, &t.id).split.expect("the split");
    assert_eq!(
        (split.ours, split.customer, split.reason.as_str()),
        (60, 40, "金型の摩耗")
    );

    let r = bot
        .command_text(SALES, &t.channel, "費用 ３０，０００円 折半 運賃")
        .await;
    assert!(
        r.contains("`/trouble cost ¥15,000 当社 運賃` と `/trouble cost ¥15,000 お客様 運賃`")
            && r.contains("何も記録していません"),
        "{r}"
    );
    assert!(trouble(&bot, &t.id).costs.is_empty());
}

/// A manager on a phone names the trouble as the phone offers it: its id before the command, in
/// Japanese order, or its id alone for its status.
#[tokio::test]
async fn an_id_before_the_command_or_alone_names_the_trouble_in_a_dm() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    let r = bot.command_text(MANAGER, "D0MANAGER", &t.id).await;
    assert!(r.starts_with(&format!("状況 {}", t.id)), "{r}");
    let r = bot.command_text(MANAGER, "D0MANAGER", &format!("{} 確認", t.id)).await;
    assert!(r.contains("確認しました"), "{r}");
    assert_eq!(
        trouble(&bot, &t.id).ack.map(|a| a.by.to_string()).as_deref(),
        Some(MANAGER)
    );
}

/// An id typed with the dash of a Japanese keyboard's hiragana mode (`ー`) names its trouble as
/// the ASCII id does: a forced close, a lowering or an update typed in another trouble's channel
/// is answered with where it works, and never lands on the trouble whose channel it was typed in.
#[tokio::test]
async fn an_id_typed_with_a_long_vowel_dash_names_its_trouble_as_the_ascii_id_does() {
    let bot = spawn_japanese().await;
    let here = bot.open_ready("アクメ：ハウジング割れ").await;
    let there = bot.open_ready("イニテック：異音").await;
    let full_width: String = there
        .id
        .chars()
        .map(|c| match c {
            '-' => 'ー',
            d => char::from_u32(d as u32 + 0xFEE0).unwrap_or(d),
        })
        .collect();
    let before = trouble(&bot, &here.id);
    for (ascii, typed) in [
        (
            format!("close force {} 重複", there.id),
            format!("close force {full_width} 重複"),
        ),
        (format!("sev 3 {}", there.id), format!("sev 3 {full_width}")),
        (
            format!("update {} 先方に説明済み", there.id),
            format!("update {full_width} 先方に説明済み"),
        ),
    ] {
        let expected = bot.command_text(MANAGER, &here.channel, &ascii).await;
        assert!(expected.contains(&format!("<#{}>", there.channel)), "{expected}");
        let r = bot.command_text(MANAGER, &here.channel, &typed).await;
        assert_eq!(r, expected, "{typed}");
    }
    let after = trouble(&bot, &here.id);
    assert!(after.is_open());
    assert_eq!(after.severity, before.severity);
    assert_eq!(after.timeline_len, before.timeline_len, "nothing recorded here");
    assert!(trouble(&bot, &there.id).is_open());
}

/// A promise whose time the bot cannot read (`次回は あさって昼過ぎ`) is logged as words, and
/// the answer says no promise was set and how to give one: no reminder is silently missing.
#[tokio::test]
async fn a_promise_whose_time_is_not_read_is_logged_as_words_and_said_to_be_no_promise() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    let r = bot
        .command_text(SALES, &t.channel, "報告 調査中 次回は あさって昼過ぎ")
        .await;
    assert!(
        r.starts_with("お客様への報告を記録しました。") && r.contains("`あさって昼過ぎ` からは日時を読み取れなかった"),
        "{r}"
    );
    let logged = trouble(&bot, &t.id);
    assert_eq!(logged.customer_updates.len(), 1);
    assert_eq!(logged.customer_updates[0].text, "調査中 次回は あさって昼過ぎ");
    assert_eq!(logged.promised_next(), None);
    let r = bot.command_text(SALES, &t.channel, "報告 調査中 次回は明日10時").await;
    assert!(!r.contains("読み取れなかった"), "{r}");
}

/// With business hours opening at 10:00, `明朝` (first thing tomorrow) is promised for 10:00,
/// when the office opens, not 9:00, before anyone is in.
#[tokio::test]
async fn the_morning_promised_is_the_business_hours_opening() {
    let config = BASE_CONFIG.replace("locale = \"en\"", "locale = \"ja\"");
    let hours =
        "[business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"10:00\"\nclose = \"18:00\"";
    let bot = spawn_bot_raw(&format!("{config}\n{DEFAULT_SEVERITIES}\n{hours}")).await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    let r = bot.command_text(SALES, &t.channel, "報告 経過説明 次回：明朝").await;
    assert!(r.contains("次回の約束 2026-12-01(火) 10:00"), "{r}");
}

/// The manager answers the bot's DM in Japanese, as on a phone: acknowledged, and answered in
/// Japanese; the owner writing there is told, in Japanese, that nothing was recorded.
#[tokio::test]
async fn an_answer_in_the_dm_acknowledges_and_is_answered_in_japanese() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    bot.event(&dm_event("EvJa1", MANAGER, "了解、すぐ見ます", None), None)
        .await;
    let said = bot
        .posted_saying(MANAGER, "を確認しました。エスカレーションは止まります。")
        .await;
    assert!(said.contains(&format!("トラブル {}（アクメ）", t.id)), "{said}");
    assert_eq!(
        trouble(&bot, &t.id).ack.map(|a| a.by.to_string()).as_deref(),
        Some(MANAGER)
    );
    bot.event(&dm_event("EvJa2", SALES, "見てもらえましたか", None), None)
        .await;
    let said = bot.posted_saying(SALES, "このメッセージは記録していません").await;
    assert!(said.contains("`/trouble help`"), "{said}");
}

/// A shop or a person is ゼータさん to a rep, a letter's addressee イプシロン殿, a name set off
/// 「ガンマ電機」: the honorific and the quotes are the rep's, not the name's. Kept without them
/// (the bot adds 様 itself), the customer is one customer whatever the rep typed, so its
/// history and the recurrence check find every trouble.
#[tokio::test]
async fn a_customer_typed_with_san_dono_or_in_quotes_is_one_customer_without_them() {
    let bot = spawn_japanese().await;
    let mut ids = Vec::new();
    for (typed, kept) in [
        ("ゼータさん：納期遅延", "ゼータ"),
        ("ゼータ：再度の納期遅延", "ゼータ"),
        ("イプシロン殿：誤出荷", "イプシロン"),
        ("「ガンマ電機」様：異音", "ガンマ電機"),
    ] {
        let r = bot.command_text(SALES, ORIGIN, &format!("起票 {typed}")).await;
        assert!(r.contains(&format!("（{kept}様、")), "{typed}: {r}");
        let id = r.split_whitespace().nth(1).expect("an id").to_string();
        assert_eq!(trouble(&bot, &id).customer, kept, "{typed}");
        ids.push(id);
    }
    let history = bot.command_text(MANAGER, ORIGIN, "履歴 ゼータさん").await;
    assert!(history.contains(&ids[0]) && history.contains(&ids[1]), "{history}");
}

/// A rep who says 開始 ("start") for a new trouble is told how to open one, and nothing opens;
/// a wrong kanji of 起票 is answered with the word meant; 進捗 asks the status, and 対策 確認
/// verifies an action, as a Japanese user says them.
#[tokio::test]
async fn the_words_a_japanese_rep_reaches_for_first_are_understood_or_answered_with_the_one_meant() {
    let bot = spawn_japanese().await;
    let before = bot.store().trouble_count();
    let r = bot
        .command_text(SALES, ORIGIN, "開始 ACME様: ロット42のハウジング不良")
        .await;
    assert!(r.starts_with("トラブルの起票は `/trouble 起票 ACME: "), "{r}");
    let r = bot.command_text(SALES, ORIGIN, "起表 ACME：異音").await;
    assert!(r.contains("`/trouble 起票 ACME：異音` のことですか？"), "{r}");
    assert_eq!(bot.store().trouble_count(), before, "nothing opened");

    let t = bot.open_ready("ACME：異音").await;
    let r = bot.command_text(SALES, &t.channel, "進捗").await;
    assert!(r.contains(&t.id) && r.contains("第1段階"), "{r}");
    // The date read is said back: 月末 typed on the month's last day is today's close.
    let r = bot
        .command_text(SALES, &t.channel, "対策 暫定 全数検査 担当：<@U0QA1> 期限：月末")
        .await;
    assert!(r.ends_with("期限は 2026-11-30(月) 18:00 です。"), "{r}");
    bot.command_text("U0QA1", &t.channel, "対策 完了 1").await;
    let r = bot.command_text(MANAGER, &t.channel, "対策 確認 1 現場で確認").await;
    assert!(r.contains("対策 #1 を検証済みにしました"), "{r}");
    assert!(trouble(&bot, &t.id).substance.actions[0].verified.is_some());
}

/// A command and its next word typed as one compound, as they are said (`暫定対策 …`,
/// `対策完了 1`, `範囲確認 2`), are answered with the command meant, ready to send, nothing
/// recorded; `再発防止策`, the word the stage and its replies use, records the measure.
#[tokio::test]
async fn a_japanese_compound_is_answered_with_the_command_meant_and_saihatsuboshisaku_is_prevent() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("ACME：異音").await;
    for (typed, meant) in [
        ("暫定対策 全数選別 期限：明日", "対策 暫定 全数選別 期限：明日"),
        ("恒久対策 金型の修正", "対策 恒久 金型の修正"),
        ("対策完了 1", "対策 完了 1"),
        ("範囲確認 2", "範囲 確認 2"),
    ] {
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert_eq!(
            r,
            format!(
                "`{}` というコマンドはありません。`/trouble {meant}` のことですか？",
                typed.split(' ').next().unwrap()
            ),
            "{typed}"
        );
    }
    assert!(trouble(&bot, &t.id).substance.actions.is_empty(), "nothing added");
    let r = bot.command_text(SALES, &t.channel, "再発防止策 検査基準の改訂").await;
    assert!(!r.contains("コマンドはありません"), "{r}");
    let actions = trouble(&bot, &t.id).substance.actions;
    assert_eq!(
        actions.iter().map(|a| (a.kind, a.text.as_str())).collect::<Vec<_>>(),
        vec![(ActionKind::Prevent, "検査基準の改訂")]
    );
}

/// The bot numbers prevention measures 再発防止策 #N, so a rep marks one done as
/// `再発防止策 完了 1`: answered with the action command meant, never recorded as a new measure
/// named "完了 1" (which would count as the prevention a close needs). In English alike.
#[tokio::test]
async fn saihatsuboshisaku_with_an_action_word_and_a_number_is_answered_with_the_action_command() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("ACME：異音").await;
    bot.command_text(SALES, &t.channel, "再発防止策 検査基準の改訂").await;
    for (typed, said, meant) in [
        ("再発防止策 完了 1", "再発防止策 完了", "対策 完了 1"),
        ("再発防止 確認 1 現場で確認", "再発防止 確認", "対策 確認 1 現場で確認"),
        ("再発防止策 取消 #1", "再発防止策 取消", "対策 取消 #1"),
    ] {
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert_eq!(
            r,
            format!("`{said}` というコマンドはありません。`/trouble {meant}` のことですか？"),
            "{typed}"
        );
    }
    let texts = |bot: &TestBot, id: &str| {
        trouble(bot, id)
            .substance
            .actions
            .iter()
            .map(|a| (a.kind, a.text.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        texts(&bot, &t.id),
        vec![(ActionKind::Prevent, "検査基準の改訂".to_string())]
    );

    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: lid cracked").await;
    let r = bot.command_text(SALES, &t.channel, "prevent done 1").await;
    assert_eq!(
        r,
        "There is no `prevent done` command. Did you mean `/trouble action done 1`?"
    );
    assert!(texts(&bot, &t.id).is_empty(), "nothing recorded");
    // A measure that opens with such a word, no number after it, is a measure.
    bot.command_text(SALES, &t.channel, "prevent verify torque at every shift")
        .await;
    assert_eq!(
        texts(&bot, &t.id),
        vec![(ActionKind::Prevent, "verify torque at every shift".to_string())]
    );
}

/// To a Japanese rep 確認 is "check": the owner typing `/trouble 確認` is refused as the
/// acknowledgement it reads as, and told how to see where things stand; anyone else who may not
/// acknowledge is refused as before, with no such pointer.
#[tokio::test]
async fn the_owner_typing_kakunin_is_pointed_to_the_status() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    let r = bot.command_text(SALES, &t.channel, "確認").await;
    assert!(
        r.starts_with("確認ができるのは <@U0MANAGER>")
            && r.ends_with(&format!(
                "\n状況を見るには `/trouble 状況 {}` と入力してください。",
                t.id
            )),
        "{r}"
    );
    // In a DM no trouble is there: the pointer names it, and typed as given it is the status.
    let r = bot.command_text(SALES, "D0SALES", &format!("確認 {}", t.id)).await;
    let pointer = format!("/trouble 状況 {}", t.id);
    assert!(r.ends_with(&format!("`{pointer}` と入力してください。")), "{r}");
    let status = bot
        .command_text(SALES, "D0SALES", pointer.trim_start_matches("/trouble "))
        .await;
    assert!(
        status.contains(&t.id) && !status.contains("確認ができるのは"),
        "{status}"
    );
    bot.command_text(SALES, &t.channel, &format!("add <@{COLLEAGUE}>"))
        .await;
    let r = bot.command_text(COLLEAGUE, &t.channel, "確認").await;
    assert!(
        r.starts_with("確認ができるのは <@U0MANAGER>") && !r.contains("状況"),
        "{r}"
    );
    assert!(trouble(&bot, &t.id).ack.is_none());

    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: lid cracked").await;
    let r = bot.command_text(SALES, &t.channel, "ack").await;
    assert!(
        r.ends_with(&format!(
            "\nTo see where things stand, type `/trouble status {}`.",
            t.id
        )),
        "{r}"
    );
}

/// `/trouble 自分`, as a Japanese team says "mine": the troubles waiting on the asker, in
/// Japanese, and with none, what `一覧` shows instead.
#[tokio::test]
async fn jibun_lists_your_troubles_in_japanese() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;

    let mine = bot.command_text(MANAGER, "D0MANAGER", "自分").await;
    assert!(mine.starts_with("*あなたのトラブル 1件*"), "{mine}");
    assert!(
        mine.contains(&format!("`{}` *アクメ* — ハウジング割れ · sev2 · 1. ", t.id))
            && mine.contains("⏳ あなたの確認待ち")
            && mine.contains("お客様へ未報告")
            && mine.contains(&format!("<#{}>", t.channel)),
        "{mine}"
    );
    let mine = bot.command_text(SALES, "D0SALES", "自分のトラブル").await;
    assert!(mine.contains(&t.id) && !mine.contains("確認待ち"), "{mine}");

    let none = bot.command_text(COLLEAGUE, "D0COLLEAGUE", "自分").await;
    assert!(
        none.starts_with("あなたが担当・管理する対応中のトラブルはなく") && none.contains("`/trouble list`"),
        "{none}"
    );
    let help = bot.command_text(SALES, ORIGIN, "ヘルプ").await;
    assert!(help.contains("`/trouble 自分`"), "{help}");
}

/// A mention as the bot writes it, `<@U1>さん`, and one typed onto its command word with no
/// space (`追加<@U1>`): the person, as a bare mention is.
#[tokio::test]
async fn a_mention_followed_by_san_or_glued_to_its_command_names_the_person() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;

    let r = bot
        .command_text(SALES, &t.channel, &format!("追加<@{COLLEAGUE}>"))
        .await;
    assert!(
        r.contains(&format!("<@{COLLEAGUE}>")) && !r.contains("コマンドはありません"),
        "{r}"
    );
    wait_added(&bot, &t.id, COLLEAGUE).await;

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("担当 <@{COLLEAGUE}>さん"))
        .await;
    assert!(!r.contains("メンションで指定"), "{r}");
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), COLLEAGUE);
}

/// Whether the trouble's timeline records a hand-over.
fn handed_over(bot: &TestBot, id: &str) -> bool {
    bot.store()
        .timeline(&TroubleId::new(id))
        .expect("timeline readable")
        .iter()
        .any(|e| matches!(e.event, Event::OwnerChanged { .. }))
}

/// The trouble's owner and manager are still those it was opened with, and nothing was handed
/// over.
fn assert_roles_unchanged(bot: &TestBot, id: &str) {
    let unchanged = trouble(bot, id);
    assert_eq!(
        (
            unchanged.owner.as_str(),
            unchanged.manager.map(|m| m.to_string()).as_deref()
        ),
        (SALES, Some(MANAGER))
    );
    assert!(!handed_over(bot, id));
}

/// Words typed after the person `owner`, `manager` or `remove` names (`担当 <@U1> 来週から`,
/// `外す <@U1>さん以外`) may qualify or undo the request, and a hand-over lasts: refused, nothing
/// changed, the answer quoting the words (neutralised and cut short) and how to type it.
/// `add` takes the people and says the words back; a closing particle (`様へ`) is read past.
#[tokio::test]
async fn words_after_the_person_refuse_a_hand_over_or_removal_and_are_said_back_by_add() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;

    for (text, words) in [
        (format!("担当：<@{COLLEAGUE}>さん、全数選別"), "全数選別"),
        (format!("担当 <@{COLLEAGUE}> 来週から"), "来週から"),
        (format!("担当 <@{COLLEAGUE}>さん以外"), "以外"),
    ] {
        let r = bot.command_text(MANAGER, &t.channel, &text).await;
        assert!(
            r.contains(&format!("「{words}」は読み取っていません"))
                && r.contains("何も変更していません")
                && r.contains("`/trouble owner @名前`"),
            "{text}: {r}"
        );
    }
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("上司 <@{DIRECTOR}>さん 至急"))
        .await;
    assert!(
        r.contains("「至急」は読み取っていません") && r.contains("何も変更していません"),
        "{r}"
    );
    assert_roles_unchanged(&bot, &t.id);

    // `add`: every person named is added, the words among them said back.
    let r = bot
        .command_text(SALES, &t.channel, "追加 <@U0QA1>さん 至急 <@U0FS1>様")
        .await;
    assert!(
        r.contains("を参加者に追加") && r.contains("「至急」は読み取っていません"),
        "{r}"
    );
    wait_added(&bot, &t.id, "U0QA1").await;
    wait_added(&bot, &t.id, "U0FS1").await;

    // `外す <@U1>さん以外` says who stays: nobody is removed.
    let mark = bot.slack.calls().len() as u64;
    let r = bot.command_text(SALES, &t.channel, "外す <@U0QA1>さん以外").await;
    assert!(
        r.contains("「以外」は読み取っていません") && r.contains("何も変更していません"),
        "{r}"
    );
    assert!(trouble(&bot, &t.id).added.iter().any(|u| u.as_str() == "U0QA1"));
    bot.expect_none("conversations.kick", |c| c.seq >= mark).await;

    // What is quoted is user text: no broadcast reaches the answer, and it is cut short.
    let long = "長".repeat(400);
    let r = bot
        .command_text(SALES, &t.channel, &format!("追加 <@U0QA2> <!channel> {long}"))
        .await;
    assert!(
        r.contains("は読み取っていません") && !r.contains("<!channel>") && !r.contains(&long) && r.contains('…'),
        "{r}"
    );
    wait_added(&bot, &t.id, "U0QA2").await;
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("担当 <@{COLLEAGUE}> <!channel> {long}"))
        .await;
    assert!(
        r.contains("何も変更していません") && !r.contains("<!channel>") && !r.contains(&long),
        "{r}"
    );

    let r = bot.command_text(MANAGER, &t.channel, "担当 <@U0QA1> <@U0QA2>").await;
    assert!(r.contains("一人だけ") && r.contains("何も変更していません"), "{r}");
    assert!(!handed_over(&bot, &t.id));

    // The particle alone after the honorific closes the request: handed over.
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("担当 <@{COLLEAGUE}>様へ"))
        .await;
    assert!(!r.contains("読み取っていません"), "{r}");
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), COLLEAGUE);
    assert!(handed_over(&bot, &t.id));
}

/// The same in English: `owner <@U1> from monday`, `manager <@U1> asap` are refused, nothing
/// changed, the words quoted; `please` is read past; the trouble's own id after the person, typed
/// in its channel, names the trouble and is no word left unread.
#[tokio::test]
async fn an_english_team_typing_words_after_a_mention_is_refused_and_told_which_were_not_read() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}> from monday"))
        .await;
    assert!(
        r.contains("“from monday” was not read: `/trouble owner` reads only the people it names.")
            && r.contains("Nothing was changed")
            && r.contains("`/trouble owner @name`"),
        "{r}"
    );
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("manager <@{DIRECTOR}> asap"))
        .await;
    assert!(
        r.contains("“asap” was not read") && r.contains("Nothing was changed"),
        "{r}"
    );
    assert_roles_unchanged(&bot, &t.id);

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("manager <@{DIRECTOR}> {}", t.id))
        .await;
    assert!(!r.contains("not read") && !r.contains("Nothing was changed"), "{r}");
    assert_eq!(
        trouble(&bot, &t.id).manager.map(|m| m.to_string()).as_deref(),
        Some(DIRECTOR)
    );

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}> please"))
        .await;
    assert!(!r.contains("not read") && !r.contains("Mention the person"), "{r}");
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), COLLEAGUE);
    assert!(handed_over(&bot, &t.id));
}

/// `追加 <@U1>様と＋品質保証部`: the department after the honorific and `と` is added with the
/// person, its members invited, in either locale's way of typing it.
#[tokio::test]
async fn a_department_after_an_honorific_and_to_is_added_with_the_person() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    let mark = bot.slack.calls().len() as u64;
    let r = bot
        .command_text(SALES, &t.channel, &format!("追加 <@{COLLEAGUE}>様と＋品質保証部"))
        .await;
    assert!(!r.contains("読み取っていません"), "{r}");
    wait_added(&bot, &t.id, COLLEAGUE).await;
    assert_eq!(trouble(&bot, &t.id).departments, vec!["quality".to_string()]);
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.seq >= mark && c.params["users"].as_str().is_some_and(|u| u.contains("U0QA1"))
        })
        .await;

    let mark = bot.slack.calls().len() as u64;
    let r = bot
        .command_text(SALES, &t.channel, "add <@U0QA2>さん、<@U0NEW1>さんと+field")
        .await;
    assert!(!r.contains("読み取っていません"), "{r}");
    wait_added(&bot, &t.id, "U0NEW1").await;
    assert!(trouble(&bot, &t.id).departments.contains(&"field".to_string()));
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.seq >= mark && c.params["users"].as_str().is_some_and(|u| u.contains("U0FS1"))
        })
        .await;
}

/// An action's owner written with the honorific and Japanese punctuation, a full-width space
/// or nothing before the action's text: the person is the owner, the rest the text.
#[tokio::test]
async fn an_actions_owner_with_san_and_japanese_punctuation_is_parted_from_its_text() {
    let read = actions_typed(&[
        "対策 暫定 担当：<@U0QA1>さん、全数選別",
        "対策 恒久 担当：<@U0QA2>さん　金型交換",
        "再発防止 担当：<@U0FS1>様：検査基準改訂",
    ])
    .await;
    assert_eq!(
        read,
        vec![
            (ActionKind::Interim, "全数選別".into(), "U0QA1".into()),
            (ActionKind::Permanent, "金型交換".into(), "U0QA2".into()),
            (ActionKind::Prevent, "検査基準改訂".into(), "U0FS1".into()),
        ]
    );
}

/// The actions (kind, text, owner) of a trouble of a Japanese team on which the owner typed
/// TEXTS in turn, each answered with no request for a mention.
async fn actions_typed(texts: &[&str]) -> Vec<(ActionKind, String, String)> {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    for text in texts {
        let r = bot.command_text(SALES, &t.channel, text).await;
        assert!(!r.contains("メンションで指定"), "{text}: {r}");
    }
    let actions = trouble(&bot, &t.id).substance.actions;
    actions
        .into_iter()
        .map(|a| (a.kind, a.text, a.owner.to_string()))
        .collect()
}

/// `起票 <@U1>さんアクメ：不良`: the honorific glued between the manager and the customer is the
/// manager's, never the start of the customer's name.
#[tokio::test]
async fn an_open_with_san_glued_between_the_manager_and_the_customer_names_both() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready(&format!("<@{DIRECTOR}>さんアクメ：不良")).await;
    let opened = trouble(&bot, &t.id);
    assert_eq!((opened.customer.as_str(), opened.summary.as_str()), ("アクメ", "不良"));
    assert_eq!(opened.manager.map(|m| m.to_string()).as_deref(), Some(DIRECTOR));
}

/// `起票 <@U1>君津製作所：不良`: a kanji honorific glued to the mention that opens the customer's
/// name (`君津`) is the name's, not the manager's honorific.
#[tokio::test]
async fn an_open_whose_customer_begins_like_an_honorific_keeps_the_customers_name() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready(&format!("<@{MANAGER}>君津製作所：不良")).await;
    let opened = trouble(&bot, &t.id);
    assert_eq!(
        (opened.customer.as_str(), opened.summary.as_str()),
        ("君津製作所", "不良")
    );
    assert_eq!(opened.manager.map(|m| m.to_string()).as_deref(), Some(MANAGER));
}

/// `add <@U1> @bob <@U2>`: `@bob` typed without picking it from Slack's list reached the bot as
/// text. The people Slack made mentions are added, and `@bob` is said back with how to make it
/// a mention (neutralised and cut short, as any word typed is), in either locale; alone, it is
/// refused as before.
#[tokio::test]
async fn add_takes_the_mentions_and_says_back_a_name_typed_after_at() {
    for (locale, added, said) in [
        (
            "ja",
            "を参加者に追加",
            "はメンションではなく文字として届いたため、人として読み取っていません。`@` を入力して表示される候補から選ぶとメンションになります",
        ),
        (
            "en",
            "Added",
            "reached the bot as plain text, not as a mention, so it was not read as a person: type `@` and pick them from Slack's list so it becomes a mention",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        let r = bot
            .command_text(SALES, &t.channel, "add <@U0QA1> @bob <@U0FS1>")
            .await;
        assert!(r.contains(added) && r.contains("@bob") && r.contains(said), "{locale}: {r}");
        wait_added(&bot, &t.id, "U0QA1").await;
        wait_added(&bot, &t.id, "U0FS1").await;
        // Everyone mentioned taking part already: `@bob` is still said back, not passed over.
        let r = bot.command_text(SALES, &t.channel, "add <@U0QA1> @bob").await;
        assert!(r.contains("@bob") && r.contains(said), "{locale}: {r}");

        // What is said back is user text: no broadcast reaches the answer, and it is cut short.
        let long = format!("@bob<!channel>{}", "長".repeat(400));
        let r = bot
            .command_text(SALES, &t.channel, &format!("add <@U0QA2> {long}"))
            .await;
        assert!(r.contains(said) && !r.contains("<!channel>") && !r.contains(&long), "{locale}: {r}");
        wait_added(&bot, &t.id, "U0QA2").await;

        // `@bob` alone names no one the bot can know: refused, nobody added.
        let r = bot.command_text(SALES, &t.channel, "add @bob").await;
        assert!(r.contains("`@bob`") && !r.contains(added), "{locale}: {r}");
    }
}

/// `ちゃん` (and `くん`, `君`) after a mention is the mention's honorific, as `さん` is; where it
/// opens a word (`ちゃんと`, "properly") it is the word's, said back as not read.
#[tokio::test]
async fn chan_and_kun_after_a_mention_are_honorifics_and_chanto_is_a_word() {
    let bot = spawn_japanese().await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    let r = bot
        .command_text(SALES, &t.channel, "追加 <@U0QA1>ちゃん、<@U0QA2>くん")
        .await;
    assert!(r.contains("を参加者に追加") && !r.contains("読み取っていません"), "{r}");
    wait_added(&bot, &t.id, "U0QA1").await;
    wait_added(&bot, &t.id, "U0QA2").await;

    let r = bot.command_text(SALES, &t.channel, "追加 <@U0FS1>ちゃんと確認").await;
    assert!(r.contains("「ちゃんと確認」は読み取っていません"), "{r}");
    wait_added(&bot, &t.id, "U0FS1").await;

    let r = bot
        .command_text(MANAGER, &t.channel, &format!("担当 <@{COLLEAGUE}>ちゃん"))
        .await;
    assert!(
        !r.contains("読み取っていません") && !r.contains("何も変更していません"),
        "{r}"
    );
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), COLLEAGUE);
}

/// `対策 恒久 担当 <@U1>様へ 全数選別`: the honorific and a particle standing alone after the
/// owner's mention are the mention's, as the honorific alone is: the action's text is the rest.
/// A particle that opens a phrase (`さんに確認してもらう`) stays the text's.
#[tokio::test]
async fn an_honorific_and_particle_after_an_actions_owner_are_not_its_text() {
    let read = actions_typed(&[
        "対策 恒久 担当 <@U0QA1>様へ 全数選別",
        "対策 暫定 担当：<@U0QA2>さんへ 金型交換",
        "対策 暫定 担当 <@U0FS1> さんに、治具改修",
        "対策 暫定 担当：<@U0QA1>さんに確認してもらう",
    ])
    .await;
    assert_eq!(
        read,
        vec![
            (ActionKind::Permanent, "全数選別".into(), "U0QA1".into()),
            (ActionKind::Interim, "金型交換".into(), "U0QA2".into()),
            (ActionKind::Interim, "治具改修".into(), "U0FS1".into()),
            (ActionKind::Interim, "さんに確認してもらう".into(), "U0QA1".into()),
        ]
    );
}

/// `担当 U0QA1B2C3 至急`: a word that looks like a Slack member id where a person is asked for is
/// refused, nothing changed, the answer saying it looks like one and how to make it a mention;
/// a word that does not look like one is answered as before.
#[tokio::test]
async fn a_bare_member_id_is_answered_as_one() {
    for (locale, text, said, other) in [
        (
            "ja",
            "担当 U0QA1B2C3 至急",
            "`U0QA1B2C3` はメンバーIDのようです。メンションにしてください: `@` を入力して表示される候補から相手を選んでから送ってください: `/trouble owner @名前`",
            "ユーザーをメンションで指定してください",
        ),
        (
            "en",
            "owner U0QA1B2C3 asap",
            "`U0QA1B2C3` looks like a Slack member id: make it a mention. Type `@` and pick them from the list Slack shows, then send: `/trouble owner @name`",
            "Mention the person",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        let r = bot.command_text(MANAGER, &t.channel, text).await;
        assert!(r.contains(said) && !r.contains(other), "{locale}: {r}");
        let r = bot.command_text(MANAGER, &t.channel, "owner UNIVERSAL asap").await;
        assert!(r.contains(other) && !r.contains("member id") && !r.contains("メンバーID"), "{locale}: {r}");
        assert_roles_unchanged(&bot, &t.id);
    }
}

/// `/trouble help` shows the forms a person may be typed in: the honorific, the colon and the
/// particle in Japanese, and in both locales that a person is picked from Slack's list.
#[tokio::test]
async fn help_shows_how_people_may_be_named() {
    let bot = spawn_japanese().await;
    let help = bot.command_text(SALES, ORIGIN, "ヘルプ").await;
    for form in [
        "`担当 @山田さん`",
        "`担当：@山田様へ`",
        "`@` を入力して表示される候補から選んでください",
        "`ちゃん`",
    ] {
        assert!(help.contains(form), "{form}: {help}");
    }
    let bot = spawn_bot_in("en").await;
    let help = bot.command_text(SALES, ORIGIN, "help").await;
    assert!(
        help.contains("Name people by typing `@` and picking them from Slack's list"),
        "{help}"
    );
}
