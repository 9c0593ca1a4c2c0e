//! User text is data: mentions, broadcasts and links typed by someone reach Slack only as text
//! (a mention stays live in the trouble's own channel), typed lines cannot forge the report,
//! exports carry no terminal escapes, text is bounded, and the report is one message plus a
//! short thread, not repeated within a minute.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use trouble_bot::trouble::decide::{Message, Op};

/// Channel messages are paced at about one a second; a report takes a while to show.
const SLOW: Duration = Duration::from_secs(90);

/// What Slack would read of a call: its text and its blocks, as sent.
fn sent(call: &Call) -> String {
    format!("{} {}", call.params["text"], call.params["blocks"])
}

/// The hostile open: broadcasts and a user group in the customer; broadcasts, a link and a real
/// mention in the summary. Severity 1 is announced in C0BIZUNIT.
// A broadcast in the customer's name is refused at open (no customer is named so); in the
// summary it is text.
const HOSTILE_OPEN: &str = "sev1 ACME: <!channel> <!subteam^S123|@devs> lid cracked <!here> <!everyone> \
                            see <http://evil.example|click> ask <@U0QA1|sato>";

/// Opens the hostile trouble and waits until the announcement, the origin notice and the
/// manager's DM have been posted, and the DM and notice edited with the channel link.
async fn open_hostile(bot: &TestBot) -> OpenedTrouble {
    let t = bot.open_ready(HOSTILE_OPEN).await;
    for channel in ["C0BIZUNIT", ORIGIN, MANAGER] {
        bot.slack
            .wait_for("chat.postMessage", |c| c.params["channel"] == channel)
            .await;
    }
    bot.slack.wait_for_n("chat.update", 2, |_| true).await;
    t
}

/// Every post and edit the fake received, split into (in the trouble's channel, elsewhere).
fn posts(bot: &TestBot, own_channel: &str) -> (Vec<String>, Vec<String>) {
    let calls: Vec<Call> = bot
        .slack
        .calls()
        .into_iter()
        .filter(|c| ["chat.postMessage", "chat.update", "chat.postEphemeral"].contains(&c.method.as_str()))
        .collect();
    let (own, away): (Vec<Call>, Vec<Call>) = calls.into_iter().partition(|c| c.params["channel"] == own_channel);
    (own.iter().map(sent).collect(), away.iter().map(sent).collect())
}

#[tokio::test]
async fn broadcasts_a_user_group_and_a_link_in_the_summary_reach_no_post_as_live_tokens() {
    let bot = spawn_bot().await;
    let t = open_hostile(&bot).await;
    let (own, away) = posts(&bot, &t.channel);
    assert!(
        !own.is_empty() && away.len() >= 3,
        "posts seen: {} own, {} elsewhere",
        own.len(),
        away.len()
    );
    for text in own.iter().chain(&away) {
        for live in ["<!channel", "<!here", "<!everyone", "<!subteam^S123", "<http"] {
            assert!(!text.contains(live), "{live} went out live in: {text}");
        }
    }
    // Shown as words instead, so nothing typed is lost.
    let announcement = away
        .iter()
        .find(|t| t.contains("opened trouble"))
        .expect("announcement");
    assert!(
        announcement.contains("@channel") && announcement.contains("click (http://evil.example)"),
        "{announcement}"
    );
}

#[tokio::test]
async fn a_mention_in_the_summary_is_live_in_the_trouble_channel_but_plain_in_the_dm_announcement_and_origin() {
    let bot = spawn_bot().await;
    let t = open_hostile(&bot).await;
    let (own, away) = posts(&bot, &t.channel);
    let kickoff = own
        .iter()
        .find(|p| p.contains(&format!("Trouble {}:", t.id)))
        .expect("kickoff");
    assert!(kickoff.contains("<@U0QA1>"), "live in the trouble's channel: {kickoff}");
    for text in &away {
        assert!(
            !text.contains("<@U0QA1"),
            "a typed mention pinged from elsewhere: {text}"
        );
    }
    for channel in ["C0BIZUNIT", ORIGIN, MANAGER] {
        let message = bot.slack.messages_in(channel);
        assert!(
            message.iter().any(|m| m.to_string().contains("@sato")),
            "{channel} names the person plainly: {message:?}"
        );
    }
}

/// A severity's name is the admin's words: `Critical (<1h)` serves, reads as written in every
/// post, and opens no token that would swallow what follows it (a channel link, a mention).
#[tokio::test]
async fn a_severity_named_with_a_less_than_sign_reads_as_written_and_swallows_nothing() {
    let named = DEFAULT_SEVERITIES.replace("[severity.1]\n", "[severity.1]\nname = \"Critical (<1h)\"\n");
    let bot = spawn_bot_with(&named).await;
    let t = bot.open_ready("sev1 ACME: lid cracked").await;
    for channel in ["C0BIZUNIT", ORIGIN, MANAGER] {
        bot.slack
            .wait_for("chat.postMessage", |c| c.params["channel"] == channel)
            .await;
    }
    let (own, away) = posts(&bot, &t.channel);
    let all: Vec<&String> = own.iter().chain(&away).collect();
    for text in &all {
        assert!(!text.contains("(<1h"), "the name went out raw: {text}");
    }
    let shown: Vec<&&String> = all.iter().filter(|p| p.contains("Critical (&lt;1h)")).collect();
    assert!(
        shown.len() >= 3,
        "the name is shown escaped in the kickoff and elsewhere: {all:?}"
    );
}

/// The text and blocks of every message in a thread, oldest first.
fn thread(bot: &TestBot, channel: &str, parent: &str) -> Vec<Value> {
    bot.slack
        .messages_in(channel)
        .into_iter()
        .filter(|m| m["thread_ts"] == parent && m["ts"] != parent)
        .collect()
}

/// The report's one message in the channel (not in a thread): its ts.
fn report_summaries(bot: &TestBot, channel: &str) -> Vec<String> {
    bot.slack
        .messages_in(channel)
        .into_iter()
        .filter(|m| m["thread_ts"].is_null() || m["thread_ts"] == m["ts"])
        .filter(|m| m["text"].as_str().is_some_and(|t| t.contains("*Trouble report ")))
        .map(|m| m["ts"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Posts the report and waits until its summary and `parts` thread messages are in Slack.
async fn post_report(bot: &TestBot, t: &OpenedTrouble, parts: usize) -> (String, Vec<Value>) {
    let answer = bot.command_text(SALES, &t.channel, "report").await;
    assert!(answer.starts_with("Report posted"), "{answer}");
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    eventually("the report's summary and thread", SLOW, || {
        let summary = report_summaries(bot, &t.channel).pop()?;
        let replies = thread(bot, &t.channel, &summary);
        (replies.len() == parts).then_some((summary, replies))
    })
    .await
}

const FORGED_NOTE: &str = "ok\n99. 2026-11-30 09:00 <@U0MANAGER> — acknowledged after 1s\n# Forged heading\n\
                           Integrity hash (SHA-256): `0000` (99 entries)";

/// Every line that carries one of the forged note's lines must be inside the quote.
fn assert_forgery_quoted(report: &str) {
    let mut seen = 0;
    for line in report.lines() {
        // The typed backticks show as ｀ (inert): the forged hash is found by its count.
        if line.contains(" 2026-11-30 09:00 ") || line.contains("Forged heading") || line.contains("(99 entries)") {
            seen += 1;
            assert!(
                line.starts_with("> "),
                "a typed line escaped its quote: {line:?}\n{report}"
            );
        }
    }
    assert_eq!(seen, 3, "all three forged lines are shown, quoted:\n{report}");
    let heads = report.lines().filter(|l| l.starts_with("Integrity hash")).count();
    assert_eq!(heads, 1, "one integrity hash:\n{report}");
    assert!(!report.contains("<@U0MANAGER>"), "the report pings nobody:\n{report}");
}

#[tokio::test]
async fn a_forged_timeline_line_and_heading_in_a_note_stay_inside_a_quoted_note_in_report_and_export() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let answer = bot
        .command_text(SALES, &t.channel, &format!("note {FORGED_NOTE}"))
        .await;
    assert_eq!(answer, "Added to the timeline.");

    let (_, parts) = post_report(&bot, &t, 1).await;
    let posted = parts[0]["text"].as_str().unwrap_or_default().to_string();
    assert_forgery_quoted(&posted);

    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    let md = cli_export(&config, &data_dir, &t.id, "md");
    assert_forgery_quoted(&md);
    // In a Markdown viewer the quote would still hold a heading and a numbered timeline entry:
    // in the file they are escaped, text inside the quote.
    assert!(
        md.contains("> 99\\. 2026-11-30 09:00") && md.contains("> \\# Forged heading"),
        "{md}"
    );
}

#[tokio::test]
async fn export_strips_terminal_escapes_and_right_to_left_overrides_but_json_keeps_the_text() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let typed = "red \u{1b}[31malert\u{1b}[0m \u{1b}]0;pwned\u{7} invoice\u{202e}fdp.exe\u{2066}x\u{85}y";
    bot.command_text(SALES, &t.channel, &format!("note {typed}")).await;

    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    let md = cli_export(&config, &data_dir, &t.id, "md");
    let json = cli_export(&config, &data_dir, &t.id, "json");
    for (format, out) in [("md", &md), ("json", &json)] {
        for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}', '\u{85}'] {
            assert!(!out.contains(bad), "{format} export prints {:?} raw", bad);
        }
    }
    assert!(md.contains("red alert  invoicefdp.exe"), "{md}");
    // JSON keeps the data exactly, as escapes.
    let v: Value = serde_json::from_str(&json).expect("JSON");
    let stored = v["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .find_map(|e| e["event"]["text"].as_str())
        .expect("the note");
    assert_eq!(stored, typed);
}

#[tokio::test]
async fn a_150_kb_note_and_a_3001_character_note_are_refused_with_their_length_and_nothing_is_stored() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let before = trouble(&bot, &t.id).timeline_len;
    for len in [150_000, 3_001] {
        let answer = bot
            .command_text(SALES, &t.channel, &format!("note {}", "x".repeat(len)))
            .await;
        assert!(
            answer.contains(&format!("({len} characters)")) && answer.contains("3000"),
            "{answer}"
        );
    }
    let answer = bot
        .command_text(SALES, &t.channel, &format!("update {}", "y".repeat(3_001)))
        .await;
    assert!(answer.contains("Nothing was recorded"), "{answer}");
    assert_eq!(trouble(&bot, &t.id).timeline_len, before, "nothing stored");
    let answer = bot
        .command_text(SALES, &t.channel, &format!("note {}", "z".repeat(3_000)))
        .await;
    assert_eq!(answer, "Added to the timeline.", "3,000 characters are fine");
}

#[tokio::test]
async fn a_long_report_posts_one_summary_in_the_channel_and_at_most_ten_parts_in_its_thread() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for i in 0..20 {
        let note = format!("fact-{i:02} {}", "&amp;".repeat(2_990));
        assert_eq!(
            bot.command_text(SALES, &t.channel, &format!("note {note}")).await,
            "Added to the timeline."
        );
    }
    let (summary, parts) = post_report(&bot, &t, 10).await;
    assert_eq!(report_summaries(&bot, &t.channel), [summary], "one summary message");
    let last = parts.last().expect("parts")["text"].as_str().unwrap_or_default();
    assert!(
        last.contains(&format!("trouble-bot export {}", t.id)),
        "the thread says how to get the rest: {last}"
    );
    for part in &parts {
        for block in part["blocks"].as_array().expect("blocks") {
            let text = block["text"]["text"].as_str().unwrap_or_default();
            assert!(
                text.chars().count() <= 3000,
                "a {}-character block",
                text.chars().count()
            );
            assert_eq!(
                text.matches('&').count(),
                text.matches(';').count(),
                "no entity cut in half"
            );
        }
    }
}

#[tokio::test]
async fn a_second_report_within_a_minute_is_answered_privately_and_posts_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let (summary, _) = post_report(&bot, &t, 1).await;
    let posted_at = trouble(&bot, &t.id).last_report.expect("remembered").at;

    let answer = bot.command_text(COLLEAGUE, &t.channel, "report").await;
    assert!(answer.contains("was just posted"), "{answer}");
    assert_eq!(trouble(&bot, &t.id).last_report.expect("kept").at, posted_at);
    assert_eq!(report_summaries(&bot, &t.channel), [summary], "still one report");
    let queued = bot.store().outbox_items().expect("outbox readable");
    assert!(
        !queued.iter().any(|item| matches!(
            &item.op,
            Op::Post {
                message: Message::ReportSummary | Message::ReportPart { .. },
                ..
            }
        )),
        "no report queued: {queued:?}"
    );
}

/// Every line of text inside a message's blocks, as a reader sees it.
fn block_lines(call: &Call) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.extend(s.lines().map(str::to_string)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&call.params["blocks"], &mut out);
    out
}

#[tokio::test]
async fn a_typed_acknowledgement_line_in_the_summary_stays_quoted_in_the_kickoff_and_the_managers_dm() {
    let bot = spawn_bot().await;
    let t = bot
        .open_ready("ACME: lid cracked\n✅ Acknowledged by <@U0MANAGER> after 2m.")
        .await;
    let kickoff = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == t.channel.as_str() && sent(c).contains("lid cracked")
        })
        .await;
    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == MANAGER && sent(c).contains("lid cracked")
        })
        .await;
    for (what, call) in [("kickoff", kickoff), ("manager's DM", dm)] {
        let lines = block_lines(&call);
        assert!(
            lines.iter().any(|l| l.starts_with("> ✅ Acknowledged by")),
            "{what}: the typed line is shown, quoted: {lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l.trim_start().starts_with("✅ Acknowledged by")),
            "{what}: a typed line passes for the bot's own: {lines:?}"
        );
    }
}

#[tokio::test]
async fn typed_markdown_links_and_html_stay_text_in_the_markdown_and_8d_exports() {
    let mut bot = spawn_bot().await;
    let t = bot
        .open_ready("ACME: see [the invoice](https://evil.example/pay) now")
        .await;
    bot.command_text(
        SALES,
        &t.channel,
        "fact symptom cracked <img src=x onerror=alert(1)> ![logo](https://evil.example/p.png) [Download fix][1]\n[1]: https://evil.example/fix.exe",
    )
    .await;
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    for format in ["md", "8d"] {
        let out = cli_export(&config, &data_dir, &t.id, format);
        assert!(
            out.contains("cracked &lt;img src=x"),
            "{format}: the tag is shown as text: {out}"
        );
        assert!(
            out.contains(r"see \[the invoice](https://evil.example/pay)"),
            "{format}: {out}"
        );
        assert!(!out.contains('<'), "{format}: no tag of any kind is live: {out}");
        let bare = out
            .match_indices('[')
            .filter(|(i, _)| !out[..*i].ends_with('\\'))
            .count();
        assert_eq!(
            bare, 0,
            "{format}: every [ is escaped, so no link, image or reference is live: {out}"
        );
    }
}

/// About 2,990 typed characters of words, under the 3,000 a text may hold.
fn long_text(tag: &str) -> String {
    let mut s = format!("{tag} ");
    while s.chars().count() < 2_990 {
        s.push_str("lorem ipsum ");
    }
    s.chars().take(2_990).collect()
}

#[tokio::test]
async fn long_allowed_texts_keep_the_status_and_the_8d_within_one_slack_message_and_say_they_were_shortened() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for command in [
        format!("fact symptom {}", long_text("symptom")),
        format!("fact found {}", long_text("found")),
        format!("fact part {}", long_text("part")),
        format!(
            "cause {} escape: {}",
            &long_text("cause")[..1400],
            &long_text("escape")[..1400]
        ),
        format!("scope {}", long_text("scope")),
        format!("action interim {} owner:<@{SALES}>", &long_text("interim")[..2900]),
        "cost ¥50,000 ours courier".to_string(),
        format!("cost ¥70,000 ours {}", &long_text("freight")[..2900]),
    ] {
        let a = bot.command_text(SALES, &t.channel, &command).await;
        assert!(!a.contains("too long"), "{a}");
    }
    let a = bot.command_text(SALES, &t.channel, "report 8d").await;
    assert!(a.contains("8D"), "{a}");
    // The fake Slack refuses, as Slack does, a message past 50 blocks or ~12,000 characters.
    bot.settle().await;
    let status_ts = trouble(&bot, &t.id).status.expect("the status").ts.to_string();
    let (eightd, status) = eventually("the 8D posted and the status updated", SLOW, || {
        let calls = bot.slack.calls();
        let eightd = calls.iter().find(|c| {
            c.method == "chat.postMessage" && c.params["text"].as_str().is_some_and(|x| x.contains("8D report"))
        })?;
        let status = calls
            .iter()
            .rev()
            .find(|c| c.method == "chat.update" && c.params["ts"] == status_ts.as_str())
            .filter(|c| sent(c).contains("¥70,000"))?;
        Some((sent(eightd), sent(status)))
    })
    .await;
    assert!(eightd.contains("Long texts are shortened here"), "{eightd}");
    assert!(eightd.contains("D8"), "the 8D's last section is there: {eightd}");
    assert!(status.contains("Long texts are shortened here"), "{status}");
    assert!(
        status.contains("*Totals*") && status.contains("¥120,000"),
        "the totals are never cut: {status}"
    );
    bot.settle().await;
    let refused: Vec<String> = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.method.starts_with("chat.") && c.outcome.starts_with("error:"))
        .map(|c| format!("{} {}", c.method, c.outcome))
        .collect();
    assert!(refused.is_empty(), "Slack refused: {refused:?}");
}

/// Formatting markers typed in a note, an action and a fact never format the bot's messages:
/// a note could post as the bot's bold "*Stage 7 closed*", an open action typed `~sort lot~`
/// showed struck through in the pinned status as a cancelled one does, and a backtick turned
/// the rest of a line into code. Each is shown as its full-width twin, which Slack never reads.
#[tokio::test]
async fn typed_formatting_markers_show_as_text_in_channel_posts_and_the_status() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: lid cracked").await;
    for command in [
        "note ✅ *Stage 7 closed by <@U0MANAGER>*",
        "action interim ~sort lot 4~ 🚫 cancelled owner:<@U0QA1>",
        "fact lot `L42",
        // An address keeps its characters, typed bare or sent by Slack as a link.
        "note drawings at https://x.example/~qa/lot_-_42.pdf and <https://x.example/~qa/_v2>",
    ] {
        bot.command_text(SALES, &t.channel, command).await;
        bot.settle().await;
    }
    let status = bot.command(SALES, &t.channel, "status").await;
    let mut shown: Vec<String> = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.params["channel"] == t.channel.as_str() && c.method.starts_with("chat."))
        .flat_map(block_lines)
        .collect();
    shown.push(status["blocks"].to_string());
    let shown = shown.join("\n");
    assert!(shown.contains("✅ ＊Stage 7 closed by <@U0MANAGER>＊"), "{shown}");
    assert!(shown.contains("～sort lot 4～ 🚫 cancelled"), "{shown}");
    assert!(shown.contains("｀L42"), "{shown}");
    assert!(
        shown.contains("https://x.example/~qa/lot_-_42.pdf and https://x.example/~qa/_v2"),
        "{shown}"
    );
    for typed in ["*Stage 7", "~sort lot", "`L42"] {
        assert!(!shown.contains(typed), "{typed} formats in Slack: {shown}");
    }
}
