//! A long trouble against Slack's limits: every block the bot sends stays within its own limit
//! once all is said (the Japanese さん too), and a long list says what it leaves out.

mod common;

use common::*;
use serde_json::Value;

/// `n` characters of typed text starting with `tag`.
fn words(ja: bool, tag: &str, n: usize) -> String {
    let unit = match ja {
        true => "お客様の製造ラインで検査を継続しており、",
        false => "we keep inspecting at the customer's line, ",
    };
    let mut s = format!("{tag} ");
    while s.chars().count() < n {
        s.push_str(unit);
    }
    s.chars().take(n).collect()
}

/// Blocks as sent: an array in a JSON body, a JSON string in a form.
fn blocks_of(params: &Value) -> Vec<Value> {
    match &params["blocks"] {
        Value::String(s) => serde_json::from_str::<Vec<Value>>(s).unwrap_or_default(),
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    }
}

/// Every text of `blocks` over the limit Slack holds it to.
fn over_limits(blocks: &[Value]) -> Vec<String> {
    let n = |v: &Value| v.as_str().map_or(0, |t| t.chars().count());
    let mut out = Vec::new();
    for b in blocks {
        let (kind, text) = (b["type"].as_str().unwrap_or(""), n(&b["text"]["text"]));
        let limit = match kind {
            "header" => 150,
            _ => 3000,
        };
        if text > limit {
            out.push(format!("{kind} {text} > {limit}"));
        }
        for f in b["fields"].as_array().into_iter().flatten() {
            if n(&f["text"]) > 2000 {
                out.push(format!("field {} > 2000", n(&f["text"])));
            }
        }
        for e in b["elements"].as_array().into_iter().flatten() {
            if kind == "context" && n(&e["text"]) > 2000 {
                out.push(format!("context {} > 2000", n(&e["text"])));
            }
        }
    }
    out
}

/// Every call the bot made to Slack with a block over its limit, or that Slack refused.
fn refused_or_over(bot: &TestBot) -> Vec<String> {
    bot.slack
        .calls()
        .iter()
        .filter(|c| c.method.starts_with("chat.") || c.method == "response_url")
        .filter_map(|c| {
            let over = over_limits(&blocks_of(&c.params));
            let refused = c.outcome.starts_with("error") || c.outcome.contains(":error");
            (refused || !over.is_empty()).then(|| format!("{} {} {over:?}", c.method, c.outcome))
        })
        .collect()
}

fn texts(answer: &Value) -> String {
    let mut out = String::new();
    for b in answer["blocks"].as_array().into_iter().flatten() {
        out.push_str(b["text"]["text"].as_str().unwrap_or(""));
        for e in b["elements"].as_array().into_iter().flatten() {
            out.push_str(e["text"].as_str().unwrap_or(""));
        }
        out.push('\n');
    }
    out
}

/// Each action line mentions its owner, and in Japanese さん follows each mention: an Actions
/// section cut to 3,000 before さん was added went over, and Slack refused every edit of the
/// pinned status from then on (`invalid_blocks`), leaving it hours or days behind.
#[tokio::test]
async fn a_japanese_status_with_many_actions_is_still_edited_in_place() {
    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: 蓋の割れ").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.settle().await;
    let status_ts = trouble(&bot, &t.id).status.expect("a status").ts.to_string();
    for i in 0..14 {
        let text = words(true, &format!("選別-{i:02}"), 200);
        bot.command_text(SALES, &t.channel, &format!("action interim {text} owner:<@U0QA1>"))
            .await;
        // Each edit on its own: the bot folds edits that wait together into one.
        bot.settle().await;
    }
    bot.command_text(SALES, &t.channel, "update 電話で状況を説明しました")
        .await;
    bot.settle().await;

    let edits: Vec<String> = bot
        .slack
        .calls_to("chat.update")
        .iter()
        .filter(|c| c.params["ts"] == status_ts.as_str())
        .map(|c| c.outcome.clone())
        .collect();
    assert!(edits.len() >= 15 && edits.iter().all(|o| o == "ok"), "{edits:?}");
    let shown = text_of(&bot.slack.message_versions(&t.channel, &status_ts).pop().unwrap());
    assert!(shown.contains("選別-13") && shown.contains("電話で状況"), "{shown}");

    // `/trouble status` answers with the same blocks, and so does `status ID` in a DM.
    for (channel, text) in [
        (t.channel.as_str(), "status".to_string()),
        ("D0SALES", format!("status {}", t.id)),
    ] {
        let answer = bot.command(SALES, channel, &text).await;
        let blocks = answer["blocks"].as_array().cloned().unwrap_or_default();
        assert_eq!(over_limits(&blocks), Vec::<String>::new(), "{text}");
        assert!(texts(&answer).contains("選別-13"), "{text}: {}", texts(&answer));
    }
    assert_eq!(refused_or_over(&bot), Vec::<String>::new());
}

/// A status too long for one section lists the open actions and every prevention measure;
/// the interim actions done are counted, and what does not fit is counted and numbered, with
/// where to read them: before, every action past the 3,000th character was dropped unsaid.
#[tokio::test]
async fn a_long_status_keeps_prevention_and_open_actions_and_counts_the_rest() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: lids cracked").await;
    for i in 1..=40 {
        let text = format!("action interim sort lot {i} at warehouse B, re-inspect each housing");
        bot.command_text(SALES, &t.channel, &text).await;
    }
    for i in 41..=52 {
        let text = format!("prevent alarm {i} on mold temperature drift owner:<@U0QA1>");
        bot.command_text(SALES, &t.channel, &text).await;
    }
    for n in 1..=10 {
        bot.command_text(SALES, &t.channel, &format!("action done {n}")).await;
    }
    bot.settle().await;

    let answer = bot.command(SALES, &t.channel, "status").await;
    let said = texts(&answer);
    for n in 41..=52 {
        assert!(said.contains(&format!("• #{n} prevention: alarm {n} ")), "#{n}: {said}");
    }
    for n in 11..=28 {
        assert!(said.contains(&format!("• #{n} interim: sort lot {n} ")), "#{n}: {said}");
    }
    assert!(said.contains("☑️ 10 more done or cancelled: #1–#10"), "{said}");
    assert!(said.contains("…and 12 more: #29–#40"), "{said}");
    assert!(said.contains("`/trouble report` lists every one"), "{said}");
    let blocks = answer["blocks"].as_array().cloned().unwrap_or_default();
    assert_eq!(over_limits(&blocks), Vec::<String>::new());

    // The pinned status reads the same.
    let status_ts = trouble(&bot, &t.id).status.expect("a status").ts.to_string();
    let shown = text_of(&bot.slack.message_versions(&t.channel, &status_ts).pop().unwrap());
    assert!(shown.contains("alarm 52") && shown.contains("…and 12 more"), "{shown}");
    assert_eq!(refused_or_over(&bot), Vec::<String>::new());
}

/// The close's DM to the owner of many open actions: within Slack's limit in Japanese (it was
/// refused), a long list cut at a line with how many more, and the instructions after it kept.
/// Their App Home says how many actions it does not list.
#[tokio::test]
async fn the_owner_of_many_open_actions_is_told_at_the_close_and_home_counts_the_rest() {
    for ja in [true, false] {
        let bot = spawn_bot_in(if ja { "ja" } else { "en" }).await;
        let t = bot.open_ready("ACME: lids cracked").await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        for i in 0..23 {
            let text = words(ja, &format!("prevent-{i:02}"), 200);
            bot.command_text(SALES, &t.channel, &format!("prevent {text} owner:<@U0QA2>"))
                .await;
        }
        bot.settle().await;
        let home = app_home(&bot, "U0QA2").await;
        let more = match ja {
            true => "ほか6件（各トラブルのチャンネルで `/trouble status`",
            false => "6 more (`/trouble status` in each trouble's channel",
        };
        assert!(home.contains(more), "{home}");

        let mark = last_call(&bot);
        bot.command_text(MANAGER, &t.channel, "close force the customer closed the claim")
            .await;
        bot.settle().await;
        let dm = bot
            .slack
            .calls_to("chat.postMessage")
            .into_iter()
            .find(|c| c.seq > mark && c.params["channel"] == "U0QA2")
            .expect("a DM to the actions' owner");
        assert_eq!(dm.outcome, "ok", "{}", dm.params);
        let blocks = blocks_of(&dm.params);
        let said = blocks[0]["text"]["text"].as_str().unwrap_or_default().to_string();
        let (how_many, how_to) = match ja {
            true => ("…ほか", "ボットのホームの「完了」を押してください。"),
            false => ("…and ", "or *Done* in the bot's Home."),
        };
        assert!(said.contains(how_many) && said.ends_with(how_to), "{said}");
        assert!(said.contains("prevent-00"), "{said}");
        assert_eq!(refused_or_over(&bot), Vec::<String>::new());
    }
}

/// Should Slack refuse a message's blocks (a rule the bot does not model), the message still
/// goes, as its text alone: the manager is pinged, the kickoff and status reach the channel,
/// the origin hears, and no delivery is recorded as failed. Before, each was tried once and
/// dropped, leaving a channel with no kickoff and a manager never pinged.
#[tokio::test]
async fn messages_whose_blocks_slack_refuses_go_as_their_text_alone() {
    let bot = spawn_bot().await;
    bot.slack.refuse_blocks(true);
    let answer = bot.command_text(SALES, ORIGIN, "open ACME: housings cracked").await;
    let id = answer
        .split_whitespace()
        .nth(1)
        .expect("the answer names the trouble")
        .to_string();
    bot.settle().await;
    let t = trouble(&bot, &id);
    assert!(
        t.kickoff.is_some() && t.status.is_some() && t.manager_dm.is_some() && t.origin_notice.is_some(),
        "{t:?}"
    );
    let refused = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| !c.took_effect())
        .count();
    assert!(refused >= 4, "the fake refused the posts' blocks: {refused}");
    // An edit too: acknowledged, the kickoff and the manager's DM say so, as text.
    let channel = t.channel.clone().expect("channel");
    bot.command_text(MANAGER, channel.as_str(), "ack").await;
    bot.settle().await;
    let kickoff = t.kickoff.expect("kickoff");
    let edited = bot
        .slack
        .calls_to("chat.update")
        .into_iter()
        .rev()
        .find(|c| c.params["ts"] == kickoff.ts.as_str() && c.took_effect())
        .expect("the kickoff edited");
    assert!(text_of(&edited.params).contains("acknowledged"), "{}", edited.params);
    let dm = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.params["channel"] == MANAGER && c.took_effect())
        .expect("the manager was pinged");
    assert!(
        dm.params["blocks"].is_null() && text_of(&dm.params).contains(&id),
        "the ping as text: {}",
        dm.params
    );
    let timeline = bot
        .store()
        .timeline(&trouble_bot::trouble::model::TroubleId::new(&id))
        .unwrap();
    assert!(
        !timeline
            .iter()
            .any(|e| matches!(e.event, trouble_bot::trouble::timeline::Event::DeliveryFailed { .. })),
        "{timeline:?}"
    );
}

/// A summary's start in `/trouble list` (and App Home, the digest) is cut at 80 characters: cut
/// inside an emoji joined by zero-width joiners, a family (man, woman, girl) showed as a
/// couple, another emoji than the one typed. The cut keeps each sequence whole or leaves it out.
#[tokio::test]
async fn the_start_of_a_summary_never_cuts_an_emoji_sequence_in_half() {
    let bot = spawn_bot().await;
    let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
    // 2 + 5 × 20 characters: the 80th character falls inside the 16th family.
    bot.open_ready(&format!("ACME: ab{}", family.repeat(20))).await;
    let list = bot.command_text(SALES, "C0ANY", "list").await;
    let row = list.lines().find(|l| l.contains("ACME")).expect("a row").to_string();
    let (men, girls) = (row.matches('\u{1F468}').count(), row.matches('\u{1F467}').count());
    assert!(men > 0 && men == girls, "a family cut in half: {row:?}");
    assert!(!row.contains("\u{200D}…") && !row.contains("\u{1F469}…"), "{row:?}");
}

/// A customer and a summary (starting with `tag`) each as long as `/trouble open` takes them (3,000 characters), in
/// the bot's language: the longest a message can have to name the trouble by.
fn longest_opening(ja: bool, tag: &str) -> String {
    let customer = words(ja, "ACME", 3000);
    let summary = words(ja, tag, 3000);
    format!("{customer}: {summary}")
}

/// The one message in `to` (a user's DM or a channel) that says `start`, as Slack shows it now.
fn the_message(bot: &TestBot, to: &str, start: &str) -> Value {
    let found: Vec<Value> = (bot.slack.messages_in(to).into_iter())
        .filter(|m| text_of(m).contains(start))
        .collect();
    assert_eq!(found.len(), 1, "one message in {to} saying {start:?}: {found:?}");
    found.into_iter().next().expect("the message")
}

/// What a reader of `message` is shown, each cut at its limit: its notification and fallback
/// text, and each section's text. Each must say every one of `ends`.
fn assert_shown_whole(message: &Value, ends: &[&str]) {
    let mut shown = vec![message["text"].as_str().unwrap_or_default().to_string()];
    for b in blocks_of(message).iter().filter(|b| b["type"] == "section") {
        shown.push(b["text"]["text"].as_str().unwrap_or_default().to_string());
    }
    assert!(shown.len() > 1, "a section: {message}");
    for said in &shown {
        assert!(said.chars().count() <= 3000, "{}", said.chars().count());
        for end in ends {
            assert!(said.contains(end), "{end:?} cut off: …{}", tail(said));
        }
    }
}

/// The last few hundred characters of `text`: where a cut shows.
fn tail(text: &str) -> String {
    let n = text.chars().count();
    text.chars().skip(n.saturating_sub(300)).collect()
}

/// The DMs saying the trouble's channel was archived, and that it was reopened while the bot is
/// still out of its channel, name a trouble of the longest customer and summary by their start:
/// each still says who archived which channel and what the reader must do. Before, the whole
/// customer and summary came first and the ask was cut off at Slack's limit on a section.
#[tokio::test]
async fn the_channel_lost_dms_keep_their_ask_however_long_the_customer_and_summary() {
    for ja in [false, true] {
        let bot = spawn_bot_in(if ja { "ja" } else { "en" }).await;
        let t = bot.open_ready(&longest_opening(ja, "lids")).await;
        bot.slack.lose_channel(&t.channel, "is_archived");
        let archived = channel_event("channel_archive", &t.channel, Some(SALES));
        assert_eq!(bot.event(&archived, None).await.status(), 200);
        bot.settle().await;
        let (start, ask) = match ja {
            true => (
                "が、対応中のトラブル",
                "チャンネルを開いてアーカイブを解除してください（ボットには解除できず、解除されるまでそこに投稿できません）。",
            ),
            false => (
                "archived <#",
                "please open it and unarchive it (the bot cannot, and cannot post there until someone does).",
            ),
        };
        let dm = the_message(&bot, MANAGER, start);
        let (who, link) = (format!("<@{SALES}>"), format!("<#{}>", t.channel));
        assert_shown_whole(&dm, &[&t.id, "ACME", &who, &link, ask]);

        // Another, closed and the bot removed from its channel, is reopened there: the owner
        // hears what to do.
        let t = bot.open_ready(&longest_opening(ja, "rims")).await;
        bot.command_text(MANAGER, &t.channel, "close force settled by phone")
            .await;
        bot.settle().await;
        assert!(trouble(&bot, &t.id).closed.is_some(), "closed");
        bot.slack.lose_channel(&t.channel, "not_in_channel");
        let left = channel_event("channel_left", &t.channel, None);
        assert_eq!(bot.event(&left, None).await.status(), 200);
        bot.settle().await;
        let r = bot
            .command_text(MANAGER, &t.channel, "reopen customer found more")
            .await;
        bot.settle().await;
        assert!(trouble(&bot, &t.id).is_open(), "reopened: {r}");
        let link = format!("<#{}>", t.channel);
        let (start, ask) = match ja {
            true => (
                "が再開されましたが、ボットはチャンネル",
                "戻されるまで、ボットがそこに投稿することは保留し、催促は DM で届きます。",
            ),
            false => (
                "was reopened, but the bot is still out of its channel",
                "until then what the bot would post there waits, and the nudges come by DM.",
            ),
        };
        let dm = the_message(&bot, SALES, start);
        assert_shown_whole(&dm, &[&t.id, "ACME", &link, ask]);
    }
}

/// The DMs saying the trouble's channel was deleted, replaced or not, name a trouble of the
/// longest customer and summary by their start: they still link the new channel, or say who may
/// ask for one, and that the record is kept.
#[tokio::test]
async fn the_channel_deleted_dms_keep_their_link_however_long_the_customer_and_summary() {
    for ja in [false, true] {
        let bot = spawn_bot_in(if ja { "ja" } else { "en" }).await;
        let t = bot.open_ready(&longest_opening(ja, "lids")).await;
        bot.slack.delete_channel(&t.channel);
        let deleted = channel_event("channel_deleted", &t.channel, None);
        assert_eq!(bot.event(&deleted, None).await.status(), 200);
        bot.settle().await;
        let channel = trouble(&bot, &t.id).channel.expect("a new channel").to_string();
        let (start, kept) = match ja {
            true => (
                "のチャンネルが削除されました。",
                "タイムラインと記録はすべて残っています（`/trouble report`）。",
            ),
            false => (
                "was deleted. The bot made a new one",
                "The timeline and the whole record are kept (`/trouble report`).",
            ),
        };
        let link = format!("<#{channel}>");
        assert_shown_whole(&the_message(&bot, MANAGER, start), &[&t.id, "ACME", &link, kept]);
        // Posted in the new channel too.
        assert_shown_whole(&the_message(&bot, &channel, start), &[&t.id, &link, kept]);

        // Deleted again, and Slack refuses a new one: the manager hears who may ask again.
        bot.slack.delete_channel(&channel);
        bot.slack.fail_next("conversations.create", "restricted_action", 1);
        let deleted = channel_event("channel_deleted", &channel, None);
        assert_eq!(bot.event(&deleted, None).await.status(), 200);
        bot.settle().await;
        let (start, who) = match ja {
            true => (
                "Slack が新しいチャンネルの作成を拒否しました。",
                format!("<@{SALES}>さんが作成をもう一度依頼できます。"),
            ),
            false => (
                "was deleted, and Slack refused",
                format!("<@{SALES}> can ask for the channel again."),
            ),
        };
        assert_shown_whole(&the_message(&bot, MANAGER, start), &[&t.id, "ACME", &who, kept]);
    }
}

/// The DM saying a channel Slack refused at the open was made late, at the owner's request,
/// names a trouble of the longest customer and summary by their start: it still links the
/// channel, says who asked, and where the record since the opening is.
#[tokio::test]
async fn the_channel_made_late_dm_keeps_its_link_however_long_the_customer_and_summary() {
    for ja in [false, true] {
        let bot = spawn_bot_in(if ja { "ja" } else { "en" }).await;
        let id = bot.opened_refused(&longest_opening(ja, "lids")).await;
        let click = button_payload(&bot.slack, SALES, "create_channel", &id, SALES);
        assert_eq!(bot.interaction(&click).await.status(), 200);
        bot.settle().await;
        let channel = trouble(&bot, &id).channel.expect("the channel made").to_string();
        let (start, asked, recorded) = match ja {
            true => (
                "のチャンネルは、起票時に Slack が作成を拒否した",
                format!("<@{SALES}>さんの依頼でボットがチャンネル <#{channel}> を作成し"),
                "起票以降の記録はすべてタイムラインにあります（`/trouble report`）。",
            ),
            false => (
                "had no channel: Slack refused",
                format!("At <@{SALES}>'s request the bot made it now, <#{channel}>"),
                "Everything recorded since the opening is on the timeline (`/trouble report`).",
            ),
        };
        assert_shown_whole(&the_message(&bot, MANAGER, start), &[&id, "ACME", &asked, recorded]);
    }
}

/// A sev1's announcement and the notice where it was opened show the longest summary as much as
/// fits, and still link the channel and, drawn again at the close, say it was closed: before,
/// the whole customer and summary came first and both were cut off at Slack's limit.
#[tokio::test]
async fn the_announcement_shows_the_summary_and_keeps_its_link_however_long() {
    for ja in [false, true] {
        let bot = spawn_bot_in(if ja { "ja" } else { "en" }).await;
        let t = bot.open_ready(&format!("sev1 {}", longest_opening(ja, "lids"))).await;
        bot.command_text(MANAGER, &t.channel, "close force settled by phone")
            .await;
        bot.settle().await;
        assert!(trouble(&bot, &t.id).closed.is_some(), "closed");
        let (opened, closed) = match ja {
            true => (
                format!("がトラブル {} を起票しました", t.id),
                format!("<@{MANAGER}>さんがクローズしました"),
            ),
            false => (format!("opened trouble {}", t.id), format!("by <@{MANAGER}>")),
        };
        let link = format!("→ <#{}>", t.channel);
        for place in ["C0BIZUNIT", ORIGIN] {
            let notice = the_message(&bot, place, &opened);
            assert_shown_whole(&notice, &[&format!("<@{SALES}>"), "ACME", "lids", &link, "🏁", &closed]);
            // The summary is what it is for: most of it is shown.
            let section = blocks_of(&notice)[0]["text"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let summary = section.split_once("lids").map_or(0, |(_, s)| s.chars().count());
            assert!(
                summary > 2000,
                "{place}: {summary} characters of the summary: {section}"
            );
        }
    }
}

/// A severity raised on a trouble of the longest customer name is DMed to the manager and
/// announced with the customer's start: the news still links the channel and gives the reason.
/// Before, a message naming the customer whole (a DM, a line, an answer) lost its end to it.
#[tokio::test]
async fn a_raise_keeps_its_link_and_reason_however_long_the_customer() {
    for ja in [false, true] {
        let bot = spawn_bot_in(if ja { "ja" } else { "en" }).await;
        let t = bot.open_ready(&longest_opening(ja, "lids")).await;
        bot.command_text(SALES, &t.channel, "sev 1 the customer's line stopped")
            .await;
        bot.settle().await;
        assert_eq!(
            trouble(&bot, &t.id).severity,
            trouble_bot::trouble::model::Severity::new(1),
            "raised"
        );
        let start = match ja {
            true => "の重大度を",
            false => "raised the severity of trouble",
        };
        let (link, why) = (format!("<#{}>", t.channel), "> the customer's line stopped");
        for place in [MANAGER, "C0BIZUNIT"] {
            let raised = the_message(&bot, place, start);
            assert_shown_whole(&raised, &[&t.id, "ACME", &format!("<@{SALES}>"), &link, why]);
        }
    }
}

/// Closed with an action of theirs open, on a trouble of the longest customer name, its owner is
/// DMed the action whole and how to mark it done: before, the customer named whole took all
/// the room of the section, the action shrank to its start and the instructions were cut off.
#[tokio::test]
async fn the_owner_of_an_open_action_is_told_it_whole_however_long_the_customer() {
    for ja in [false, true] {
        let bot = spawn_bot_in(if ja { "ja" } else { "en" }).await;
        let t = bot.open_ready(&longest_opening(ja, "lids")).await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        let action = "Mold temperature alarm on every press of line 3, checked each shift by QA";
        bot.command_text(SALES, &t.channel, &format!("prevent {action} owner:<@U0QA2>"))
            .await;
        bot.command_text(MANAGER, &t.channel, "close force the customer closed the claim")
            .await;
        bot.settle().await;
        assert!(trouble(&bot, &t.id).closed.is_some(), "closed");
        let (start, how_to) = match ja {
            true => ("をクローズしましたが", "ボットのホームの「完了」を押してください。"),
            false => ("with actions of yours still open", "or *Done* in the bot's Home."),
        };
        let dm = the_message(&bot, "U0QA2", start);
        assert_shown_whole(&dm, &[&t.id, "ACME", action, how_to]);
    }
}
