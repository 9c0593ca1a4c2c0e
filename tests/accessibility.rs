//! What a reader who cannot see the colours, or reads only one of the two languages, is given:
//! a whole trouble worked end to end in each locale, every word the bot wrote scanned.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

/// The shared org with its departments named in `locale`'s language, so every word a team
/// configured or typed is in that language too: what is left in the other is the bot's.
async fn spawn_speaking(locale: &str) -> TestBot {
    let mut config = config_speaking(locale);
    if locale == "ja" {
        config = config
            .replace("name = \"Quality Assurance\"", "name = \"品質保証部\"")
            .replace("name = \"Field Service\"", "name = \"フィールドサービス部\"");
    }
    spawn_bot_raw(&format!(
        "{config}\n[business_hours]\nopen = \"09:00\"\nclose = \"18:00\"\n"
    ))
    .await
}

/// Every string a reader is shown in a Slack call's parameters: message text and fallback,
/// the text of every block, label, button and option, image alt text, a channel's topic.
fn shown_strings(value: &Value, key: Option<&str>, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if matches!(
                key,
                Some("text" | "alt_text" | "accessibility_label" | "fallback" | "topic" | "purpose" | "pretext")
            ) {
                out.push(s.clone());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| shown_strings(v, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| shown_strings(v, Some(k), out)),
        _ => {}
    }
}

/// Works one trouble from the open form to its close in the bot's locale, with the timers
/// that escalate and nudge: every command typed is the team's own words in `ja` or `en`.
/// Returns everything the bot showed: command answers and every call's shown strings.
async fn whole_trouble(bot: &TestBot, ja: bool) -> Vec<String> {
    let pick = |j: &'static str, e: &'static str| if ja { j } else { e };
    let mut shown = Vec::new();
    let mut answer = |v: Value| shown_strings(&v, None, &mut shown);
    answer(bot.command(SALES, ORIGIN, "help").await);
    answer(bot.command(SALES, ORIGIN, "open").await);
    let t = bot
        .open_ready(pick(
            "sev1 +品質保証部 アクメ：ロット四十二のハウジング割れ",
            "sev1 +quality Acme: cracked housings in lot 42",
        ))
        .await;
    // Nobody acknowledges: the manager's deadline passes and the director is asked.
    bot.advance_and_settle(Duration::from_secs(61 * 60)).await;
    // The buttons and forms: the update form opened from its button and submitted.
    let clicked = bot
        .interaction(&button_payload(&bot.slack, SALES, "log_update", &t.id, &t.channel))
        .await;
    assert!(clicked.status().is_success());
    let sent = bot
        .interaction(&update_submission(
            SALES,
            &t.id,
            pick("お詫びしました", "apologised"),
            Some(pick("明日 10:00", "tomorrow 10:00")),
        ))
        .await;
    answer(sent.json().await.unwrap_or_default());
    let clicked = bot
        .interaction(&button_payload(&bot.slack, MANAGER, "acknowledge", &t.id, &t.channel))
        .await;
    assert!(clicked.status().is_success());
    for text in [
        "status",
        pick("事実 品番 ハウジング", "fact part housing"),
        pick("メモ 現品を確認中", "note checking the goods"),
        "ack",
        pick(
            "報告 お詫びと状況の説明 次回: 2h",
            "update apologised and explained next: 2h",
        ),
        "next",
        pick("範囲 第一工場", "scope plant one"),
        pick("原因 金型温度のずれ", "cause mold temperature drift"),
        pick("対策 暫定 在庫を選別", "action interim sort the stock"),
        "action done 1",
        "next",
        "next",
        "next",
        pick("split 70/30 当社の金型", "split 70/30 our mold"),
        pick("cost ¥120,000 当社 送料", "cost ¥120,000 ours shipping"),
        "next",
        pick("prevent 日常点検に追加", "prevent add it to the daily checks"),
        "list",
        "history",
        "report",
        "report 8d",
        "close",
        pick("close force 顧客と合意済み", "close force settled with the customer"),
        "status",
        "nonsense",
    ] {
        answer(bot.command(MANAGER, &t.channel, text).await);
    }
    // A customer update owed and not given: the nudges of the days after.
    bot.advance_and_settle(Duration::from_secs(5 * 3600)).await;
    answer(Value::String(app_home(bot, SALES).await));
    bot.settle().await;
    for call in bot.slack.calls() {
        shown_strings(&call.params, None, &mut shown);
    }
    shown
}

/// `text` without what the bot did not write in words: mentions and links `<…>`, code in
/// backticks (commands, ids), emoji names `:x:`, and tokens with digits (ids, dates, amounts).
/// Words of English a Japanese team is used to read in Slack's own Japanese.
const ALSO_JAPANESE: [&str; 1] = ["DM"];

fn bot_words(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut skip_until: Option<char> = None;
    for c in text.chars() {
        match skip_until {
            Some(end) if c == end => skip_until = None,
            Some(_) => {}
            None if c == '<' => skip_until = Some('>'),
            None if c == '`' => skip_until = Some('`'),
            None => plain.push(c),
        }
    }
    plain
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' || c == '/' || c == ':'))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == ':' || c == '-'))
        .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2)
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !(w.contains('/') || ALSO_JAPANESE.contains(w)))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_japanese_team_is_shown_no_english_the_bot_wrote_through_a_whole_trouble() {
    let bot = spawn_speaking("ja").await;
    let shown = whole_trouble(&bot, true).await;
    let mut leaks: Vec<(String, String)> = Vec::new();
    for s in &shown {
        for w in bot_words(s) {
            if !leaks.iter().any(|(l, _)| *l == w) {
                leaks.push((w, s.chars().take(160).collect()));
            }
        }
    }
    assert!(leaks.is_empty(), "{} English words:\n{leaks:#?}", leaks.len());
}

#[tokio::test]
async fn an_english_team_is_shown_no_japanese_the_bot_wrote_through_a_whole_trouble() {
    let bot = spawn_speaking("en").await;
    let shown = whole_trouble(&bot, false).await;
    let japanese = |c: char| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff01}'..='\u{ff60}');
    let leaks: Vec<String> = shown
        .iter()
        .filter(|s| s.chars().any(japanese))
        .map(|s| s.chars().take(200).collect())
        .collect();
    assert!(leaks.is_empty(), "{leaks:#?}");
}

/// A scope line in the status says whether it was checked in words, not by ⬜/✅ alone: a
/// screen reader reads those as "white large square" and "check mark button".
#[tokio::test]
async fn a_scope_line_in_the_status_says_in_words_whether_it_was_checked() {
    for (locale, unchecked, checked) in [
        ("en", "⬜ #1 plant one (unchecked)", "✅ #1 plant one (checked)"),
        ("ja", "⬜ #1 plant one（未確認）", "✅ #1 plant one（確認済み）"),
    ] {
        let bot = spawn_speaking(locale).await;
        let t = bot.open_ready("Acme: cracked housings").await;
        bot.command(SALES, &t.channel, "scope plant one").await;
        let status = text_of(&bot.command(SALES, &t.channel, "status").await);
        assert!(status.contains(unchecked), "{locale}: {status}");
        bot.command(SALES, &t.channel, "scope check 1").await;
        let status = text_of(&bot.command(SALES, &t.channel, "status").await);
        assert!(status.contains(checked), "{locale}: {status}");
    }
}

/// Every button in `value` (a message's blocks, a view): (its text, its accessibility_label).
fn buttons(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if map.get("type") == Some(&Value::from("button")) => out.push((
            map["text"]["text"].as_str().unwrap_or_default().to_string(),
            map.get("accessibility_label")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )),
        Value::Object(map) => map.values().for_each(|v| buttons(v, out)),
        Value::Array(items) => items.iter().for_each(|v| buttons(v, out)),
        _ => {}
    }
}

/// Where the same terse button stands beside each of several troubles (App Home's Acknowledge
/// and Done, Approve and Reject), a screen reader moving from button to button hears which
/// trouble and which item each acts on, not "Acknowledge, Acknowledge".
#[tokio::test]
async fn a_terse_button_tells_a_screen_reader_what_it_acts_on() {
    let bot = spawn_speaking("en").await;
    let a = bot.open_ready("Acme: cracked housings").await;
    let b = bot.open_ready("Initech: seals leaking").await;
    let home: Value = serde_json::from_str(&app_home(&bot, MANAGER).await).unwrap();
    let mut shown = Vec::new();
    buttons(&home, &mut shown);
    for t in [&a, &b] {
        let label = format!("Acknowledge trouble {}", t.id);
        assert!(
            shown.iter().any(|(text, l)| text == "Acknowledge" && *l == label),
            "{label}: {shown:?}"
        );
    }

    bot.command(SALES, &a.channel, "action interim sort the stock").await;
    let home: Value = serde_json::from_str(&app_home(&bot, SALES).await).unwrap();
    let mut shown = Vec::new();
    buttons(&home, &mut shown);
    let label = format!("Mark action #1 of trouble {} done", a.id);
    assert!(shown.iter().any(|(text, l)| text == "Done" && *l == label), "{shown:?}");

    let mark = last_call(&bot);
    bot.command(SALES, &a.channel, "split 70/30 our mold").await;
    bot.settle().await;
    let mut shown = Vec::new();
    for call in bot.slack.calls_to("chat.postMessage").iter().filter(|c| c.seq > mark) {
        buttons(&call.params, &mut shown);
    }
    for (text, label) in [
        ("Approve", "Approve proposal #1 on trouble"),
        ("Reject", "Reject proposal #1 on trouble"),
    ] {
        let label = format!("{label} {}", a.id);
        assert!(
            shown.iter().any(|(t, l)| t == text && *l == label),
            "{label}: {shown:?}"
        );
    }
}

/// A screen reader reads a message's `text`, never its blocks: once the trouble is
/// acknowledged and then closed, the kickoff's and the manager's DM's text say so in words, as
/// their blocks do (the kickoff's said closed by 🏁 alone, read as "chequered flag").
#[tokio::test]
async fn the_kickoff_and_the_managers_dm_say_in_their_text_that_it_was_acknowledged_and_closed() {
    for (locale, acked, closed, force) in [
        ("en", "acknowledged by <@U0MANAGER>", "Closed", "close force settled"),
        (
            "ja",
            "<@U0MANAGER>さんが確認",
            "クローズしました",
            "close force 解決済み",
        ),
    ] {
        let bot = spawn_speaking(locale).await;
        let t = bot.open_ready("Acme: cracked housings").await;
        let asked = bot
            .slack
            .wait_for("chat.postMessage", |c| {
                c.params["channel"] == MANAGER && c.outcome == "ok"
            })
            .await;
        let dm = (
            asked.answer["channel"].as_str().unwrap().to_string(),
            asked.answer["ts"].as_str().unwrap().to_string(),
        );
        let text_now = |channel: &str, ts: &str| {
            let now = bot.slack.message_versions(channel, ts).pop().expect("the message");
            now["text"].as_str().unwrap_or_default().to_string()
        };
        bot.command(MANAGER, &t.channel, "ack").await;
        bot.settle().await;
        for (what, text) in [
            ("kickoff", text_now(&t.channel, &t.kickoff_ts)),
            ("DM", text_now(&dm.0, &dm.1)),
        ] {
            assert!(text.contains(acked), "{locale} {what}: {text}");
        }
        bot.command(MANAGER, &t.channel, force).await;
        bot.settle().await;
        for (what, text) in [
            ("kickoff", text_now(&t.channel, &t.kickoff_ts)),
            ("DM", text_now(&dm.0, &dm.1)),
        ] {
            assert!(text.contains(acked) && text.contains(closed), "{locale} {what}: {text}");
        }
    }
}

/// The text a screen reader reads carries what the message is for, not only its first line:
/// the first-call checklist, and the 8D a reviewer must hear whole, not "8D report … (for review)".
#[tokio::test]
async fn the_first_call_checklist_and_the_8d_are_in_the_text_a_screen_reader_reads() {
    let bot = spawn_speaking("en").await;
    let t = bot.open_ready("Acme: cracked housings in lot 42").await;
    bot.advance_and_settle(Duration::from_secs(61 * 60)).await;
    let checklist = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            text_of(&c.params).contains("First call checklist")
        })
        .await;
    let text = checklist.params["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Apologise") && text.contains("When we will call next"),
        "{text}"
    );

    bot.command(SALES, &t.channel, "cause mold temperature drift").await;
    bot.command(SALES, &t.channel, "report 8d").await;
    let eightd = bot.eight_d_report(&t.id).await;
    let text = eightd.params["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("cracked housings in lot 42") && text.contains("mold temperature drift") && text.contains("D8"),
        "{text}"
    );
}

/// 更新 ("update"), the word a Japanese rep types first for a customer update, is answered
/// with the update meant, in Japanese; it was answered as the open of a customer named 更新.
#[tokio::test]
async fn koushin_typed_for_an_update_is_answered_with_the_update_meant_not_an_open() {
    let bot = spawn_speaking("ja").await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    let r = bot
        .command_text(SALES, &t.channel, "更新 お詫びしました 次回: 2h")
        .await;
    assert!(
        r.contains("`/trouble update お詫びしました 次回: 2h` のことですか？") && !r.contains("open"),
        "{r}"
    );
    assert!(!trouble(&bot, &t.id).contacted(), "nothing logged");
}
