//! The seven stages end to end: walking them by command and button, closing, the report (posted and
//! exported), the hash-chained timeline under `trouble-bot verify`, history, who may do what, severity.

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use trouble_bot::i18n::{stage_name, Locale};
use trouble_bot::trouble::model::{Severity, StageId, StageState, Trouble, TroubleId};
use trouble_bot::trouble::timeline::{Entry, Event};

/// Channel messages are paced at about one a second, so a long walk takes a while to show.
const SLOW: Duration = Duration::from_secs(90);

fn timeline(bot: &TestBot, id: &str) -> Vec<Entry> {
    bot.store().timeline(&TroubleId::new(id)).expect("timeline readable")
}

fn stage_states(bot: &TestBot, id: &str) -> Vec<StageState> {
    trouble(bot, id).stages.iter().map(|s| s.state).collect()
}

/// The status message: (channel, ts).
fn status_of(bot: &TestBot, id: &str) -> (String, String) {
    let status = trouble(bot, id).status.expect("status message posted");
    (status.channel.to_string(), status.ts.to_string())
}

fn latest_status(bot: &TestBot, id: &str) -> Value {
    let (channel, ts) = status_of(bot, id);
    bot.slack
        .message_versions(&channel, &ts)
        .pop()
        .expect("the fake Slack has the status message")
}

/// The mrkdwn text of every block that has one (sections, headers; context elements).
fn block_texts(message: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for block in message["blocks"].as_array().into_iter().flatten() {
        if let Some(t) = block["text"]["text"].as_str() {
            out.push(t.to_string());
        }
        for e in block["elements"].as_array().into_iter().flatten() {
            if let Some(t) = e["text"].as_str() {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// Stage numbers (1-based) shown as done (✅) in a status message's stage list.
fn stages_shown_done(status: &Value) -> Vec<usize> {
    let mut done: Vec<usize> = block_texts(status)
        .iter()
        .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
        .filter_map(|line| {
            let rest = line.strip_prefix("✅ ")?;
            let (n, _) = rest.split_once(". ")?;
            n.parse().ok()
        })
        .collect();
    done.sort_unstable();
    done.dedup();
    done
}

async fn click(bot: &TestBot, user: &str, action: &str, t: &OpenedTrouble) {
    let r = bot
        .interaction(&button_payload(&bot.slack, user, action, &t.id, &t.channel))
        .await;
    assert_eq!(r.status(), 200, "click on {action}");
}

/// `format!("locale = \"{locale}\"\n…")` over the shared org: BASE_CONFIG without its own locale line.
fn config_text(locale: &str) -> String {
    let base = BASE_CONFIG.replacen("locale = \"en\"\n", "", 1);
    assert!(!base.contains("locale ="), "BASE_CONFIG's locale line was removed");
    format!("locale = \"{locale}\"\n{base}\n{DEFAULT_SEVERITIES}")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        stdout(o),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A report part as posted: `(k/N)\n…` when split, or the whole report starting with `# `.
fn report_part(message: &Value) -> Option<(usize, usize)> {
    let text = message["text"].as_str()?;
    if let Some(rest) = text.strip_prefix('(') {
        let (label, _) = rest.split_once(")\n")?;
        let (k, n) = label.split_once('/')?;
        return Some((k.parse().ok()?, n.parse().ok()?));
    }
    (text.starts_with("*Trouble report ") || text.starts_with("*トラブル報告書 ")).then_some((1, 1))
}

/// A part's text without its `(k/N)` label.
fn without_part_label(text: &str) -> &str {
    match text.split_once(")\n") {
        Some((label, body)) if label.starts_with('(') && label.contains('/') => body,
        _ => text,
    }
}

/// Waits until every part of the report is in the channel; returns them in order.
async fn posted_report(bot: &TestBot, channel: &str, parts: usize) -> Vec<Value> {
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    eventually("every report part posted", SLOW, || {
        let mut found: Vec<(usize, usize, Value)> = bot
            .slack
            .messages_in(channel)
            .into_iter()
            .filter_map(|m| report_part(&m).map(|(k, n)| (k, n, m)))
            .collect();
        found.sort_by_key(|(k, _, _)| *k);
        let complete = found.len() == parts
            && found
                .iter()
                .enumerate()
                .all(|(i, (k, n, _))| *k == i + 1 && *n == parts);
        complete.then(|| found.into_iter().map(|(_, _, m)| m).collect())
    })
    .await
}

/// The first number in a text (`Report posted (3 message(s))`, `報告書を投稿しました（3件）`).
fn first_number(text: &str) -> usize {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or_else(|_| panic!("no number in {text:?}"))
}

// What the full walk records, so the report can be checked for each of them.
const NOTES: [&str; 2] = ["the rib cracked on 3 of 40 units", "lot 42 came from line B"];
const UPDATE: &str = "told Mr. Sato we replace the whole lot";
const STAGE_NOTES: [&str; 3] = [
    "goods recovered from the line",
    "mold temperature too low",
    "lot replaced",
];
const SPLIT_REASON: &str = "our mold, their storage";
const COST_NOTE: &str = "replacement shipping";
const SECOND_COST: &str = "¥30,000";
const MEASURE: &str = "add a mold temperature alarm";

/// Records one of everything and closes the trouble normally.
async fn walk_everything(bot: &TestBot, t: &OpenedTrouble) {
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let mut commands: Vec<String> = NOTES.iter().map(|n| format!("note {n}")).collect();
    commands.extend([
        format!("update {UPDATE}"),
        format!("next {}", STAGE_NOTES[0]),
        "done 2".to_string(),
        "cause mold temperature drifted escape: sampling missed it".to_string(),
        format!("done 3 {}", STAGE_NOTES[1]),
        format!("done 4 {}", STAGE_NOTES[2]),
        format!("split 70/30 {SPLIT_REASON}"),
        "done 5".to_string(),
        format!("cost ¥120,000 ours {COST_NOTE}"),
        format!("cost {SECOND_COST} customer storage inspection"),
        "done 6".to_string(),
        format!("prevent {MEASURE}"),
        "done 7".to_string(),
        "close all settled".to_string(),
    ]);
    for c in &commands {
        if c == "done 5" || c == "done 6" {
            approve_pending(bot, t).await;
        }
        let answer = bot.command_text(SALES, &t.channel, c).await;
        assert!(!answer.is_empty(), "{c:?} answered");
    }
    let done = trouble(bot, &t.id);
    assert!(done.stages.iter().all(|s| s.state == StageState::Done));
    assert!(done.closed.is_some(), "closed normally");
}

/// Everything §8 asks of the report, in one locale.
fn assert_report_complete(md: &str, l: Locale, t: &Trouble) {
    let heading = match l {
        Locale::En => format!("Trouble report {}", t.id),
        Locale::Ja => format!("トラブル報告書 {}", t.id),
    };
    assert!(md.contains(&heading), "heading {heading:?} in:\n{md}");
    for i in StageId::all() {
        assert!(md.contains(stage_name(l, i)), "stage {} in:\n{md}", i.number());
    }
    for n in STAGE_NOTES {
        assert!(md.contains(n), "what was recorded for a stage ({n:?}) in:\n{md}");
    }
    let split = match l {
        Locale::En => "us 70% / the customer 30%",
        Locale::Ja => "当社 70% / お客様 30%",
    };
    assert!(md.contains(split), "split {split:?} in:\n{md}");
    for needle in [SPLIT_REASON, "¥120,000", COST_NOTE, SECOND_COST, MEASURE, UPDATE] {
        assert!(md.contains(needle), "{needle:?} in:\n{md}");
    }
    let timeline_heading = match l {
        Locale::En => "## Timeline",
        Locale::Ja => "## タイムライン",
    };
    // Posted to Slack the headings are bold lines; exported they stay Markdown.
    let md = md
        .replace("*Timeline*", "## Timeline")
        .replace("*タイムライン*", "## タイムライン");
    let (_, timeline) = md
        .split_once(timeline_heading)
        .unwrap_or_else(|| panic!("{timeline_heading:?} in:\n{md}"));
    for n in NOTES {
        assert!(timeline.contains(n), "note {n:?} in the timeline:\n{timeline}");
    }
    for seq in 1..=t.timeline_len {
        assert!(
            timeline.contains(&format!("\n{seq}. ")),
            "timeline entry {seq} of {} in:\n{timeline}",
            t.timeline_len
        );
    }
    assert!(md.contains(&t.timeline_head), "the chain head in:\n{md}");
}

#[tokio::test]
async fn the_seven_stages_walked_by_commands_and_the_status_button_end_in_a_closed_status() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked in lot 42").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;

    let r = bot
        .command_text(SALES, &t.channel, "next goods recovered from the line")
        .await;
    assert!(r.contains("Stage 1"), "{r}");
    assert_eq!(
        stage_states(&bot, &t.id)[..2],
        [StageState::Done, StageState::InProgress],
        "next finishes stage 1 and starts stage 2"
    );

    // The status message carries the button for the current stage.
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    let status = eventually("the status offers to complete stage 2", SLOW, || {
        Some(latest_status(&bot, &t.id)).filter(|s| text_of(s).contains("Complete stage 2"))
    })
    .await;
    assert!(
        text_of(&status).contains("\"action_id\":\"complete_stage\"") && text_of(&status).contains(&t.id),
        "{status}"
    );
    click(&bot, SALES, "complete_stage", &t).await;
    let answer = click_answer(&bot, SALES, "Stage 2").await;
    assert!(answer.contains("done"), "{answer}");
    assert_eq!(stage_states(&bot, &t.id)[1], StageState::Done);

    // Not done before its cause is recorded.
    let r = bot
        .command_text(SALES, &t.channel, "done 3 mold temperature too low")
        .await;
    assert!(r.starts_with("No cause is recorded, so stage 3 cannot be done."), "{r}");
    assert!(r.contains(&format!("<@{MANAGER}>")), "who may instead: {r}");
    // A cause that says nothing is none: `.`, a dash typed on a Japanese keyboard, a typed `&`.
    for blank in [".", "ー", "&amp;", ":ok:"] {
        let r = bot.command_text(SALES, &t.channel, &format!("cause {blank}")).await;
        assert!(r.starts_with("Write the text after `/trouble cause`"), "{blank}: {r}");
    }
    let r = bot
        .command_text(SALES, &t.channel, "done 3 mold temperature too low")
        .await;
    assert!(r.starts_with("No cause is recorded"), "{r}");
    bot.command_text(SALES, &t.channel, "cause mold temperature too low")
        .await;
    let r = bot
        .command_text(SALES, &t.channel, "done 3 mold temperature too low")
        .await;
    assert!(r.contains("Stage 3"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "start 4 replacing the lot").await;
    assert!(r.contains("Stage 4") && r.contains("in progress"), "{r}");
    let after_start = trouble(&bot, &t.id);
    assert_eq!(after_start.stages[2].notes, ["mold temperature too low"]);
    assert_eq!(after_start.stages[3].state, StageState::InProgress);
    assert!(after_start.stages[3].notes.iter().any(|n| n == "replacing the lot"));

    click(&bot, SALES, "complete_stage", &t).await;
    click_answer(&bot, SALES, "Stage 4").await;
    let r = bot
        .command_text(SALES, &t.channel, "split 70/30 our mold, their storage")
        .await;
    assert!(r.contains("split"), "{r}");
    approve_pending(&bot, &t).await;
    click(&bot, MANAGER, "complete_stage", &t).await;
    click_answer(&bot, MANAGER, "Stage 5").await;
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥120,000 ours replacement shipping")
        .await;
    assert!(r.contains("Cost recorded"), "{r}");
    approve_pending(&bot, &t).await;
    click(&bot, SALES, "complete_stage", &t).await;
    click_answer(&bot, SALES, "Stage 6").await;
    let r = bot.command_text(SALES, &t.channel, "prevent .").await;
    assert!(r.starts_with("Write the text after `/trouble prevent`"), "{r}");
    assert!(
        trouble(&bot, &t.id).substance.actions.is_empty(),
        "a measure of `.` is no measure"
    );
    let r = bot
        .command_text(SALES, &t.channel, "prevent add a mold temperature alarm")
        .await;
    assert!(r.contains("Prevention measure"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "done 7").await;
    assert!(r.contains("Stage 7"), "{r}");

    let all_done = trouble(&bot, &t.id);
    assert!(
        all_done.stages.iter().all(|s| s.state == StageState::Done),
        "{:?}",
        all_done.stages
    );
    assert_eq!(all_done.current_stage(), None);
    let split = all_done.split.as_ref().expect("split recorded");
    assert_eq!((split.ours, split.customer, split.other), (70, 30, 0));
    assert_eq!(all_done.costs.len(), 1);
    assert_eq!(all_done.costs[0].amount, "¥120,000");
    assert_eq!(all_done.costs[0].payer, "ours");
    // A measure is a prevention action owned by the trouble's owner.
    assert_eq!(all_done.substance.actions.len(), 1);
    assert_eq!(all_done.substance.actions[0].owner.as_str(), SALES);
    let done_events: Vec<usize> = timeline(&bot, &t.id)
        .iter()
        .filter_map(|e| match &e.event {
            Event::StageDone { stage, .. } => Some(stage.number()),
            _ => None,
        })
        .collect();
    assert_eq!(done_events, [1, 2, 3, 4, 5, 6, 7], "each stage done once, in order");

    // One more click: nothing left to complete.
    click(&bot, SALES, "complete_stage", &t).await;
    click_answer(&bot, SALES, "All seven stages are done").await;

    let r = bot.command_text(SALES, &t.channel, "close all settled").await;
    assert_eq!(r, closed_reply(&bot, &t));
    let closed = trouble(&bot, &t.id).closed.expect("closed");
    assert_eq!(closed.forced_reason, None);

    // The channel heard of every stage, and the status message ends closed with all seven done.
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    eventually("a done message for every stage and the close", SLOW, || {
        let texts: Vec<String> = bot
            .slack
            .messages_in(&t.channel)
            .iter()
            .map(|m| m["text"].as_str().unwrap_or_default().to_string())
            .collect();
        let every_stage = (1..=7).all(|n| {
            texts
                .iter()
                .any(|m| m.contains(&format!("Stage {n} \"")) && m.contains("done"))
        });
        // The note typed with the close is said in the channel, below the close.
        let closed = texts
            .iter()
            .any(|m| m.contains("closed trouble") && m.contains("follows in this channel.\n> all settled\n"));
        (every_stage && closed).then_some(())
    })
    .await;
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    let last = eventually("the status message shows the closed trouble", SLOW, || {
        Some(latest_status(&bot, &t.id)).filter(|s| s["text"].as_str().is_some_and(|t| t.contains("closed")))
    })
    .await;
    assert_eq!(stages_shown_done(&last), [1, 2, 3, 4, 5, 6, 7], "{last}");
    assert_eq!(
        text_of(&last).matches("✅").count(),
        8,
        "seven ticks and the acknowledgement's, no other: {last}"
    );
    assert!(
        !text_of(&last).contains("complete_stage"),
        "a closed trouble offers no stage button: {last}"
    );
    assert!(
        text_of(&last).contains("us 70% / the customer 30%"),
        "the split is on the status: {last}"
    );
}

#[tokio::test]
async fn close_says_what_is_missing_and_only_the_manager_chain_may_force_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;

    let refused = bot.command_text(SALES, &t.channel, "close").await;
    assert!(refused.contains("Not ready to close"), "{refused}");
    assert!(refused.contains("prevention measure"), "{refused}");
    assert!(refused.contains("stage 7"), "{refused}");
    assert!(refused.contains("close force"), "says how to force it: {refused}");
    assert!(trouble(&bot, &t.id).closed.is_none());

    bot.command_text(SALES, &t.channel, "done 7").await;
    let refused = bot.command_text(SALES, &t.channel, "close").await;
    assert!(refused.contains("prevention measure"), "{refused}");
    assert!(
        !refused.contains("stage 7 done"),
        "stage 7 is done, so it is not listed: {refused}"
    );
    assert!(trouble(&bot, &t.id).closed.is_none());

    let reason = "customer withdrew the claim";
    for who in [COLLEAGUE, SALES] {
        let refused = bot
            .command_text(who, &t.channel, &format!("close force {reason}"))
            .await;
        assert!(refused.starts_with("Only"), "{who}: {refused}");
        assert!(refused.contains(&format!("<@{MANAGER}>")), "says who can: {refused}");
        assert!(trouble(&bot, &t.id).closed.is_none(), "{who} could not force it");
    }
    assert!(
        !timeline(&bot, &t.id)
            .iter()
            .any(|e| matches!(e.event, Event::Closed { .. })),
        "refusals leave no close on the timeline"
    );

    let mark = bot.slack.calls().len() as u64;
    let ok = bot
        .command_text(MANAGER, &t.channel, &format!("close force {reason}"))
        .await;
    assert_eq!(ok, closed_reply(&bot, &t));
    let closed = trouble(&bot, &t.id).closed.expect("closed");
    assert_eq!(closed.forced_reason.as_deref(), Some(reason));
    assert_eq!(closed.by.as_str(), MANAGER);
    let entries = timeline(&bot, &t.id);
    let last = entries.last().expect("timeline");
    assert!(
        matches!(&last.event, Event::Closed { forced_reason: Some(r), .. } if r == reason),
        "{:?}",
        last.event
    );
    assert_eq!(last.actor.as_ref().map(|a| a.as_str()), Some(MANAGER));
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.seq >= mark && c.params["channel"] == t.channel.as_str() && text_of(&c.params).contains(reason)
        })
        .await;
    let after = bot.command_text(SALES, &t.channel, "note one more thing").await;
    assert_eq!(
        after,
        format!(
            "This trouble is already closed. To work on it again, <@{MANAGER}> or those above them (<@{DIRECTOR}>, \
             <@{VP}>) may reopen it: `/trouble reopen REASON`."
        ),
        "the refusal says who may reopen it"
    );
}

/// Reports read the trouble's record as well as its timeline: an edit of the record (the
/// costs made smaller, the acknowledgement made quicker, the owner shown under another name, a
/// proposal shown as approved, a stage's note rewritten) is caught though every entry checks.
#[tokio::test]
async fn verify_and_export_catch_a_record_edited_to_say_what_its_timeline_does_not() {
    let mut bot = spawn_bot().await;
    let costly = bot.open_ready("ACME: housings cracked").await;
    let acked = bot.open_ready("Globex: labels smudged").await;
    let r = bot
        .command_text(SALES, &costly.channel, "cost ¥1,200,000 ours replacement units")
        .await;
    assert!(r.contains("Cost recorded"), "{r}");
    let r = bot.command_text(MANAGER, &acked.channel, "ack").await;
    assert!(r.contains("cknowledged"), "{r}");
    // A report names its people as Slack gives them: the names are on the timeline too.
    bot.slack.name_user(SALES, "Sato Hanako");
    let renamed = bot.open_ready("Initech: lids scratched").await;
    bot.command_text(SALES, &renamed.channel, "report").await;
    let unapproved = bot.open_ready("Umbrella: seals leaking").await;
    let r = bot
        .command_text(SALES, &unapproved.channel, "cost ¥80,000 ours seals")
        .await;
    assert!(r.contains("proposal #1"), "{r}");
    let noted = bot.open_ready("Hooli: screws loose").await;
    let r = bot
        .command_text(SALES, &noted.channel, "next 40 units recalled from the buyer")
        .await;
    assert!(r.contains("marked done"), "{r}");
    let acted = bot.open_ready("Soylent: cans dented").await;
    let r = bot
        .command_text(SALES, &acted.channel, "action interim Sort the stock at the plant")
        .await;
    assert!(r.contains("Action #1 added"), "{r}");
    // Lots from the command, then the form's whole list, which drops one.
    let lotted = bot.open_ready("Acme Tools: blades dull").await;
    for lots in ["fact lot L41", "fact lot L42", "fact lot L43"] {
        bot.command_text(SALES, &lotted.channel, lots).await;
    }
    let form = facts_form_now(&bot, &lotted.id, &[("lot", "L41, L43")]);
    assert_eq!(bot.interaction(&form).await.status(), 200);
    wait_until(|| (trouble(&bot, &lotted.id).substance.facts.lots == ["L41", "L43"]).then_some(())).await;
    let learnt = event_kinds(&bot, &renamed.id);
    assert!(learnt.iter().any(|k| k.starts_with("NamesLearned")), "{learnt:?}");
    // A public trouble, which an editor of the store would hide by making it private.
    let hidden = bot.open_ready("Vandelay: latex torn").await;
    // Someone added, whom an editor would take off quietly (out of a private trouble's readers).
    let shared = bot.open_ready("Kramerica: oil leaking").await;
    let r = bot
        .command_text(SALES, &shared.channel, &format!("add <@{COLLEAGUE}>"))
        .await;
    assert!(r.contains(COLLEAGUE), "{r}");
    let (data_dir, _config_dir, config) = stopped_and_intact(&mut bot, 9).await;

    // As an editor of the database files would: the record changed, the timeline left alone.
    let db = sled_db(&data_dir).await;
    let edit = |id: &str, change: &dyn Fn(&mut Value)| edit_record(&db, id, change);
    edit(&costly.id, &|r| r["costs"][0]["amount"] = json!("¥12,000"));
    edit(&acked.id, &|r| {
        let opened = r["opened_at"].clone();
        r["ack"]["at"] = opened;
    });
    // The owner shown under someone else's name.
    edit(&renamed.id, &|r| r["names"][SALES]["name"] = json!("Tanaka"));
    // What stage 1 found, told otherwise.
    edit(&noted.id, &|r| r["stages"][0]["notes"][0] = json!("4 units recalled"));
    // The 8D, which goes to the customer, telling of an action someone else owns and has done.
    edit(&acted.id, &|r| {
        let at = r["opened_at"].clone();
        r["substance"]["actions"][0]["owner"] = json!(MANAGER);
        r["substance"]["actions"][0]["done"] = json!({"by": MANAGER, "at": at, "note": ""});
    });
    // A lot the 8D would no longer name.
    edit(&lotted.id, &|r| r["substance"]["facts"]["lots"] = json!(["L41"]));
    // A proposal nobody approved, shown as approved by the manager.
    edit(&unapproved.id, &|r| {
        let at = r["opened_at"].clone();
        r["agreement"]["proposals"][0]["state"] =
            json!({"state": "approved", "approved": {"by": MANAGER, "at": at, "note": ""}});
    });
    // Hidden from everyone who does not take part: list, search and App Home leave it out.
    edit(&hidden.id, &|r| r["private"] = json!(true));
    edit(&shared.id, &|r| r["added"] = json!([]));
    drop(db);

    let broken = run_cli(&config, &data_dir, &["verify"]);
    assert!(!broken.status.success(), "{}", describe(&broken));
    let out = stdout(&broken);
    for (id, fact) in [
        (&costly.id, "costs"),
        (&acked.id, "acknowledgement"),
        (&renamed.id, "names"),
        (&unapproved.id, "proposals and approvals"),
        (&noted.id, "stages and their notes"),
        (&acted.id, "facts, scope, cause and actions (8D)"),
        (&lotted.id, "facts, scope, cause and actions (8D)"),
        (&hidden.id, "customer, summary, opening time and whether it is private"),
        (&shared.id, "people added to it"),
    ] {
        let line = format!("BROKEN {id}: the record of its {fact} does not match the timeline");
        assert!(out.contains(&line), "{line}: {}", describe(&broken));
    }
    assert!(out.contains("9 troubles checked, 9 broken"), "{}", describe(&broken));

    // The export still prints, says so under its title, and exits 3; in the report's language.
    let md = run_cli(&config, &data_dir, &["export", &costly.id]);
    assert_eq!(md.status.code(), Some(3), "{}", describe(&md));
    let report = stdout(&md);
    assert!(
        report
            .lines()
            .nth(2)
            .is_some_and(|l| l.contains("record of its costs does not match its timeline")),
        "{}",
        describe(&md)
    );
    let (_ja_dir, ja) = config_file("ja");
    let ja_verify = run_cli(&ja, &data_dir, &["verify"]);
    assert!(
        stdout(&ja_verify).contains(&format!(
            "BROKEN {}: 記録の「上司確認」がタイムラインと一致しません",
            acked.id
        )),
        "{}",
        describe(&ja_verify)
    );
}

/// Stops `bot` and checks that `verify` finds its `n` troubles intact: the store in its data
/// directory, the configuration directory (kept while the test runs) and the file in it.
async fn stopped_and_intact(bot: &mut TestBot, n: usize) -> (PathBuf, tempfile::TempDir, PathBuf) {
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (config_dir, config) = config_file("en");
    let intact = run_cli(&config, &data_dir, &["verify"]);
    assert!(
        intact.status.success() && stdout(&intact).contains(&format!("{n} troubles checked, 0 broken")),
        "{}",
        describe(&intact)
    );
    (data_dir, config_dir, config)
}

/// Changes trouble `id`'s stored record in `db` as an editor of the database files would: the
/// record changed, the timeline left alone.
fn edit_record(db: &sled::Db, id: &str, change: &dyn Fn(&mut Value)) {
    let troubles = db.open_tree("troubles").unwrap();
    let stored = troubles.get(id.as_bytes()).unwrap().expect("the record");
    let mut record = trouble_bot::store::sled::record_value(&stored).expect("a record");
    change(&mut record);
    troubles
        .insert(id.as_bytes(), serde_json::to_vec(&record).unwrap())
        .unwrap();
    db.flush().unwrap();
}

/// Parts of the record an earlier `verify` did not read against the timeline: who opened it
/// (the kickoff and the managers' DMs name them), the departments taking part (named at open or added since: who may see a private trouble, who is asked, who
/// may verify an action), what the opening said before `fix summary` corrected it (the kickoff
/// and the managers' DMs show it), and when each stage started (`stats` times the stages from
/// it). Each edited alone is caught, while the untouched store verifies.
#[tokio::test]
async fn verify_catches_the_opener_departments_words_as_reported_and_stage_starts_edited_in_the_record() {
    let mut bot = spawn_bot().await;
    let named = bot.open_ready("sev2 +field ACME: housings cracked").await;
    let added = bot.open_ready("Globex: labels smudged").await;
    let r = bot.command_text(SALES, &added.channel, "add +quality").await;
    assert!(r.contains("Quality"), "{r}");
    let corrected = bot.open_ready("Initech: lids").await;
    let r = bot
        .command_text(SALES, &corrected.channel, "fix summary lids scratched on 40 units")
        .await;
    assert!(r.contains("orrected"), "{r}");
    let started = bot.open_ready("Umbrella: seals leaking").await;
    bot.advance_and_settle(std::time::Duration::from_secs(600)).await;
    let r = bot.command_text(SALES, &started.channel, "start 3 cause doubted").await;
    assert!(r.contains("3"), "{r}");
    let first = bot.open_ready("Hooli: screws loose").await;
    let reported = bot.open_ready("Soylent: cans dented").await;
    let (data_dir, _config_dir, config) = stopped_and_intact(&mut bot, 6).await;

    let db = sled_db(&data_dir).await;
    let edit = |id: &str, change: &dyn Fn(&mut Value)| edit_record(&db, id, change);
    // Field Service, named at open, quietly dropped; Quality, added, likewise.
    edit(&named.id, &|r| r["departments"] = json!([]));
    edit(&added.id, &|r| r["departments"] = json!([]));
    // The kickoff would say the trouble was first reported as something else.
    edit(&corrected.id, &|r| {
        r["as_reported"]["summary"] = json!("nothing serious")
    });
    // Stage 3 shown as started at the opening, ten minutes before it was.
    edit(&started.id, &|r| {
        let opened = r["opened_at"].clone();
        r["stages"][2]["started_at"] = opened;
    });
    // Stage 1, started at the opening, shown as never started.
    edit(&first.id, &|r| r["stages"][0]["started_at"] = json!(null));
    // The kickoff and the managers' DMs would say a colleague reported it.
    edit(&reported.id, &|r| r["origin"]["by"] = json!(COLLEAGUE));
    drop(db);

    let broken = run_cli(&config, &data_dir, &["verify"]);
    assert!(!broken.status.success(), "{}", describe(&broken));
    let out = stdout(&broken);
    for (id, fact) in [
        (&named.id, "departments taking part"),
        (&added.id, "departments taking part"),
        (
            &corrected.id,
            "customer, summary, opening time and whether it is private",
        ),
        (&started.id, "stages and their notes"),
        (&first.id, "stages and their notes"),
        (
            &reported.id,
            "customer, summary, opening time and whether it is private",
        ),
    ] {
        let line = format!("BROKEN {id}: the record of its {fact} does not match the timeline");
        assert!(out.contains(&line), "{line}: {}", describe(&broken));
    }
    assert!(out.contains("6 troubles checked, 6 broken"), "{}", describe(&broken));
}

/// The record's reopenings (who reopened it last, when and why, which the kickoff and the
/// managers' DMs say; when each reopening came, which judges the first call) are read against
/// the timeline: a reason or a reopener changed, or a reopening dropped, is caught, in English
/// and Japanese, while a record without them (as an earlier release wrote it) verifies.
#[tokio::test]
async fn verify_catches_a_reopening_changed_or_dropped_in_the_record() {
    let mut bot = spawn_bot().await;
    let mut reopened = Vec::new();
    for (customer, times) in [("ACME", 1), ("Globex", 1), ("Initech", 2), ("Hooli", 1)] {
        let t = bot.open_ready(&format!("{customer}: housings cracked")).await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        for n in 0..times {
            bot.advance_and_settle(Duration::from_secs(600)).await;
            let r = bot.command_text(MANAGER, &t.channel, "close force a duplicate").await;
            assert!(r.starts_with("Closed trouble"), "{r}");
            let r = bot
                .command_text(MANAGER, &t.channel, &format!("reopen the cracks came back {n}"))
                .await;
            assert!(r.starts_with("The trouble is open again"), "{r}");
        }
        reopened.push(t.id);
    }
    let [reason, reopener, dropped, earlier] = &reopened[..] else {
        unreachable!()
    };
    let (data_dir, _config_dir, config) = stopped_and_intact(&mut bot, 4).await;

    let db = sled_db(&data_dir).await;
    let edit = |id: &str, change: &dyn Fn(&mut Value)| edit_record(&db, id, change);
    // The kickoff would give another reason for the reopening, or name someone else for it.
    edit(reason, &|r| {
        r["substance"]["reopening"]["reason"] = json!("the customer asked")
    });
    edit(reopener, &|r| r["substance"]["reopening"]["by"] = json!(DIRECTOR));
    // The second reopening gone: the first call would be judged by the first one.
    edit(dropped, &|r| {
        let first = r["substance"]["reopenings"][0].clone();
        r["substance"]["reopenings"] = json!([first]);
    });
    // As an earlier release recorded a reopening: neither field kept.
    edit(earlier, &|r| {
        let substance = r["substance"].as_object_mut().unwrap();
        substance.remove("reopening");
        substance.remove("reopenings");
    });
    drop(db);

    let broken = run_cli(&config, &data_dir, &["verify"]);
    assert!(!broken.status.success(), "{}", describe(&broken));
    let out = stdout(&broken);
    for id in [reason, reopener, dropped] {
        let line = format!("BROKEN {id}: the record of its reopenings does not match the timeline");
        assert!(out.contains(&line), "{line}: {}", describe(&broken));
    }
    assert!(!out.contains(&format!("BROKEN {earlier}")), "{}", describe(&broken));
    assert!(out.contains("4 troubles checked, 3 broken"), "{}", describe(&broken));
    let (_ja_dir, ja) = config_file("ja");
    let ja_verify = run_cli(&ja, &data_dir, &["verify"]);
    let line = format!("BROKEN {reason}: 記録の「再開」がタイムラインと一致しません");
    assert!(stdout(&ja_verify).contains(&line), "{line}: {}", describe(&ja_verify));
}

#[tokio::test]
async fn verify_passes_an_intact_store_and_names_an_entry_changed_or_removed_behind_its_back() {
    let mut bot = spawn_bot().await;
    let edited = bot.open_ready("ACME: housings cracked").await;
    let removed = bot.open_ready("Globex: labels smudged").await;
    for t in [&edited, &removed] {
        for note in NOTES {
            let r = bot.command_text(SALES, &t.channel, &format!("note {note}")).await;
            assert_eq!(r, "Added to the timeline.");
        }
        bot.command_text(SALES, &t.channel, "next").await;
    }
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_config_dir, config) = config_file("en");

    let intact = run_cli(&config, &data_dir, &["verify"]);
    assert!(intact.status.success(), "{}", describe(&intact));
    assert!(
        stdout(&intact).contains("2 troubles checked, 0 broken"),
        "{}",
        describe(&intact)
    );
    let exported = run_cli(&config, &data_dir, &["export", &edited.id]);
    assert!(exported.status.success(), "{}", describe(&exported));
    assert!(
        !stdout(&exported).contains("hash chain is broken"),
        "{}",
        describe(&exported)
    );

    // Rewrite one note of the first trouble and delete one note of the second, as an
    // editor of the database files would.
    let (edited_seq, removed_seq) = {
        let store = sled_store(&data_dir).await;
        let tree = store.timeline_tree();
        // Each value holds one entry or a chunk of several: (key, place in the value, entry).
        let records: Vec<(sled::IVec, Vec<Vec<u8>>)> = tree
            .iter()
            .map(|item| {
                let (k, v) = item.expect("timeline value");
                let records = trouble_bot::store::sled::timeline_records(&v).expect("entries");
                (k.clone(), records.into_iter().map(<[u8]>::to_vec).collect())
            })
            .collect();
        let find = |id: &str| {
            records
                .iter()
                .find_map(|(k, rs)| {
                    rs.iter().enumerate().find_map(|(at, r)| {
                        let e = trouble_bot::store::sled::record_value(r).expect("an entry");
                        (e["trouble"] == id && e["event"]["text"] == NOTES[1]).then(|| (k.clone(), rs.clone(), at, e))
                    })
                })
                .unwrap_or_else(|| panic!("note of {id} in the timeline"))
        };
        let rewrite = |key: sled::IVec, rs: &[Vec<u8>]| {
            let rs: Vec<&[u8]> = rs.iter().map(Vec::as_slice).collect();
            tree.insert(key, trouble_bot::store::sled::timeline_chunk(&rs))
                .expect("write");
        };
        let (key, mut rs, at, mut entry) = find(&edited.id);
        entry["event"]["text"] = json!("lot 42 came from line A");
        rs[at] = serde_json::to_vec(&entry).expect("json");
        rewrite(key, &rs);
        let edited_seq = entry["seq"].as_u64().expect("seq");
        let (key, mut rs, at, entry) = find(&removed.id);
        rs.remove(at);
        if rs.is_empty() {
            tree.remove(key).expect("remove");
        } else {
            rewrite(key, &rs);
        }
        let removed_seq = entry["seq"].as_u64().expect("seq");
        store.flush().await.expect("flush");
        (edited_seq, removed_seq)
    };

    let broken = run_cli(&config, &data_dir, &["verify"]);
    assert!(!broken.status.success(), "{}", describe(&broken));
    let out = stdout(&broken);
    let line_of = |id: &str| {
        out.lines()
            .find(|l| l.contains(&format!("BROKEN {id}")))
            .unwrap_or_else(|| panic!("{id} reported broken: {}", describe(&broken)))
            .to_string()
    };
    let edited_line = line_of(&edited.id);
    assert!(
        edited_line.contains(&format!("entry {}: ", edited_seq + 1)),
        "names the changed entry (#{}, 1-based): {edited_line}",
        edited_seq + 1
    );
    let removed_line = line_of(&removed.id);
    assert!(
        removed_line.contains(&format!("entry {}: ", removed_seq + 1)),
        "names where the removed entry was (#{}): {removed_line}",
        removed_seq + 1
    );
    assert!(out.contains("2 troubles checked, 2 broken"), "{}", describe(&broken));

    // `export` checks the chain as `verify` does: every format still prints, a line says where
    // the chain breaks (in the report itself for Markdown, on stderr for all), and it exits 3.
    let warning = format!("hash chain is broken at entry {}", edited_seq + 1);
    let md = run_cli(&config, &data_dir, &["export", &edited.id]);
    assert_eq!(md.status.code(), Some(3), "{}", describe(&md));
    let report = stdout(&md);
    assert!(report.starts_with("# Trouble report"), "{}", describe(&md));
    assert!(
        report.lines().nth(2).is_some_and(|l| l.contains(&warning)),
        "the warning comes under the title: {}",
        describe(&md)
    );
    let hash_line = report
        .lines()
        .position(|l| l.starts_with("Integrity hash"))
        .expect("the integrity hash");
    assert!(
        report.lines().nth(hash_line + 1).is_some_and(|l| l.contains(&warning)),
        "and beside the integrity hash: {}",
        describe(&md)
    );
    assert!(report.contains("lot 42 came from line A"), "{}", describe(&md));
    assert!(
        String::from_utf8_lossy(&md.stderr).contains(&warning),
        "{}",
        describe(&md)
    );
    let json = run_cli(&config, &data_dir, &["export", &edited.id, "--format", "json"]);
    assert_eq!(json.status.code(), Some(3), "{}", describe(&json));
    let v: Value = serde_json::from_str(&stdout(&json)).expect("the JSON stays JSON");
    assert_eq!(v["trouble"]["id"], edited.id.as_str());
    assert!(
        String::from_utf8_lossy(&json.stderr).contains(&warning),
        "{}",
        describe(&json)
    );
    let eightd = run_cli(&config, &data_dir, &["export", &edited.id, "--format", "8d"]);
    assert_eq!(eightd.status.code(), Some(3), "{}", describe(&eightd));
    assert!(stdout(&eightd).starts_with("# 8D report"), "{}", describe(&eightd));
    assert!(
        String::from_utf8_lossy(&eightd.stderr).contains(&warning),
        "{}",
        describe(&eightd)
    );
    let removed_md = run_cli(&config, &data_dir, &["export", &removed.id]);
    assert_eq!(removed_md.status.code(), Some(3), "{}", describe(&removed_md));
    assert!(
        stdout(&removed_md).contains(&format!("hash chain is broken at entry {}", removed_seq + 1)),
        "{}",
        describe(&removed_md)
    );
    // In the report's language.
    let (_ja_dir, ja) = config_file("ja");
    let md_ja = run_cli(&ja, &data_dir, &["export", &edited.id]);
    assert_eq!(md_ja.status.code(), Some(3), "{}", describe(&md_ja));
    assert!(
        stdout(&md_ja).contains(&format!("{}番目の記録で途切れています", edited_seq + 1)),
        "{}",
        describe(&md_ja)
    );
}

/// The timeline's own record of a redaction, as `trouble-bot redact` is to leave it: one note's
/// text erased and the entry marked redacted (its stored hash and link kept), then a `Redacted`
/// entry appended through the store's own write, naming it with the hash of its content now.
/// `verify` passes and names the entry as redacted; the same mark on another entry, or the
/// redacted entry's time edited, is a break.
#[tokio::test]
async fn verify_accepts_an_entry_redacted_only_as_a_later_redaction_entry_names_it() {
    use trouble_bot::trouble::timeline::RedactedEntry;
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for note in NOTES {
        let r = bot.command_text(SALES, &t.channel, &format!("note {note}")).await;
        assert_eq!(r, "Added to the timeline.");
    }
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_config_dir, config) = config_file("en");

    // Each value holds one entry or a chunk: rewrite the entry whose note is `text` by `edit`.
    let edit_note = |store: &trouble_bot::store::SledStore, text: &str, edit: &dyn Fn(&mut Value)| {
        let tree = store.timeline_tree();
        for item in tree.iter() {
            let (k, v) = item.expect("timeline value");
            let mut rs: Vec<Vec<u8>> = trouble_bot::store::sled::timeline_records(&v)
                .expect("entries")
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect();
            for r in rs.iter_mut() {
                let mut e = trouble_bot::store::sled::record_value(r).expect("an entry");
                if e["event"]["text"] == text {
                    edit(&mut e);
                    *r = serde_json::to_vec(&e).expect("json");
                    let slices: Vec<&[u8]> = rs.iter().map(Vec::as_slice).collect();
                    tree.insert(k, trouble_bot::store::sled::timeline_chunk(&slices))
                        .expect("write");
                    return serde_json::from_value::<Entry>(e).expect("an entry");
                }
            }
        }
        panic!("note {text} in the timeline")
    };
    let erased = trouble_bot::trouble::redact::ERASED;
    let named_seq;
    {
        let store = sled_store(&data_dir).await;
        let redacted = edit_note(&store, NOTES[0], &|e| {
            e["event"]["text"] = json!(erased);
            e["redacted"] = json!(true);
        });
        let named = RedactedEntry {
            seq: redacted.seq,
            hash: redacted.recomputed_hash(),
        };
        named_seq = redacted.seq;
        store.flush().await.expect("flush");
        drop(store);
        wait_released(&data_dir);
        let store = trouble_bot::store::Store::open_sled(&data_dir).expect("store");
        let id = TroubleId::new(&t.id);
        let at = chrono::Utc::now();
        let written = store
            .transact(&id, &[], None, at, |now| {
                let e = Entry::new(
                    &now.id,
                    now.timeline_len,
                    &now.timeline_head,
                    at,
                    None,
                    Event::Redacted {
                        reason: "the customer's erasure request".into(),
                        entries: vec![named.clone()],
                    },
                );
                let mut after = now.clone();
                after.timeline_len += 1;
                after.timeline_head = e.hash.clone();
                trouble_bot::trouble::decide::Decision {
                    subject: Some(now.id.clone()),
                    trouble: Some(after),
                    entries: vec![e],
                    ..Default::default()
                }
            })
            .await
            .expect("written");
        assert!(written.is_ok(), "the redaction entry was written");
        store.flush().await.expect("flush");
    }

    let verified = run_cli(&config, &data_dir, &["verify"]);
    assert!(verified.status.success(), "{}", describe(&verified));
    let out = stdout(&verified);
    assert!(out.contains("1 trouble checked, 0 broken"), "{}", describe(&verified));
    assert!(
        out.contains(&format!(
            "{}: entries {} redacted by the administrator",
            t.id,
            named_seq + 1
        )),
        "verify names the redacted entry: {}",
        describe(&verified)
    );
    let exported = run_cli(&config, &data_dir, &["export", &t.id]);
    assert!(exported.status.success(), "{}", describe(&exported));
    let report = stdout(&exported);
    assert!(!report.contains(NOTES[0]), "the erased text is gone: {report}");
    assert!(report.contains("redacted by the administrator"), "{report}");

    // Another entry marked redacted by hand, its text softened: nothing names it.
    {
        let store = sled_store(&data_dir).await;
        let marked = edit_note(&store, NOTES[1], &|e| {
            e["event"]["text"] = json!("softened");
            e["redacted"] = json!(true);
        });
        store.flush().await.expect("flush");
        drop(store);
        let broken = run_cli(&config, &data_dir, &["verify"]);
        assert!(!broken.status.success(), "{}", describe(&broken));
        let line = format!("BROKEN {}: entry {}: it is marked redacted", t.id, marked.seq + 1);
        assert!(stdout(&broken).contains(&line), "{line}: {}", describe(&broken));
        // Put back as written, that break alone goes.
        let store = sled_store(&data_dir).await;
        edit_note(&store, "softened", &|e| {
            e["event"]["text"] = json!(NOTES[1]);
            e.as_object_mut().unwrap().remove("redacted");
        });
        store.flush().await.expect("flush");
    }
    assert!(run_cli(&config, &data_dir, &["verify"]).status.success());

    // What the redacted entry still holds, edited: its time.
    {
        let store = sled_store(&data_dir).await;
        let moved = edit_note(&store, erased, &|e| e["at"] = json!("2026-01-01T00:00:00Z"));
        store.flush().await.expect("flush");
        drop(store);
        let broken = run_cli(&config, &data_dir, &["verify"]);
        assert!(!broken.status.success(), "{}", describe(&broken));
        let line = format!("BROKEN {}: entry {}: it is marked redacted", t.id, moved.seq + 1);
        assert!(stdout(&broken).contains(&line), "{line}: {}", describe(&broken));
    }
}

#[tokio::test]
async fn the_report_posted_in_slack_says_where_the_chain_is_broken() {
    let bot = spawn_bot().await;
    let intact = bot.open_ready("Globex: labels smudged").await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for note in NOTES {
        assert_eq!(
            bot.command_text(SALES, &t.channel, &format!("note {note}")).await,
            "Added to the timeline."
        );
    }
    // A note rewritten in the store behind the running bot's back.
    let tree = bot.store().timeline_tree();
    let (key, mut records, at, mut entry) = tree
        .iter()
        .find_map(|item| {
            let (k, v) = item.expect("timeline value");
            let records: Vec<Vec<u8>> = trouble_bot::store::sled::timeline_records(&v)
                .expect("entries")
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect();
            records.iter().enumerate().find_map(|(at, r)| {
                let e = trouble_bot::store::sled::record_value(r).expect("an entry");
                (e["trouble"] == t.id.as_str() && e["event"]["text"] == NOTES[1])
                    .then(|| (k.clone(), records.clone(), at, e))
            })
        })
        .expect("the note in the timeline");
    entry["event"]["text"] = json!("lot 42 came from line A");
    records[at] = serde_json::to_vec(&entry).expect("json");
    let records: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
    tree.insert(key, trouble_bot::store::sled::timeline_chunk(&records))
        .expect("write");
    let seq = entry["seq"].as_u64().expect("seq");

    async fn posted(bot: &TestBot, t: &OpenedTrouble) -> String {
        let answer = bot.command_text(SALES, &t.channel, "report").await;
        let parts = posted_report(bot, &t.channel, first_number(&answer)).await;
        parts.iter().flat_map(block_texts).collect()
    }
    let report = posted(&bot, &t).await;
    assert!(
        report.contains(&format!("hash chain is broken at entry {}", seq + 1)),
        "{report}"
    );
    assert!(report.contains("lot 42 came from line A"), "{report}");
    let whole = posted(&bot, &intact).await;
    assert!(!whole.contains("hash chain is broken"), "{whole}");
}

/// The report the close posted in the channel (no `/trouble report` needed): every part
/// arrives, headings as bold lines, and together they hold everything the report must.
async fn post_and_check_report(bot: &TestBot, t: &OpenedTrouble, l: Locale, before: &Trouble) {
    let heading = match l {
        Locale::En => "*Trouble report 2",
        Locale::Ja => "*トラブル報告書 2",
    };
    let count = eventually("the close posts the report", SLOW, || {
        trouble(bot, &t.id).last_report.map(|r| r.parts)
    })
    .await;
    let parts = posted_report(bot, &t.channel, count).await;
    let posted: String = parts
        .iter()
        .flat_map(block_texts)
        .map(|s| without_part_label(&s).to_string())
        .collect();
    assert!(posted.contains(heading), "Slack shows headings as bold lines: {posted}");
    assert_report_complete(&posted, l, before);
}

#[tokio::test]
async fn the_report_in_english_has_every_stage_the_split_the_costs_the_measures_and_the_timeline() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked in lot 42").await;
    walk_everything(&bot, &t).await;
    let before = trouble(&bot, &t.id);

    post_and_check_report(&bot, &t, Locale::En, &before).await;
    assert_eq!(
        trouble(&bot, &t.id).timeline_head,
        before.timeline_head,
        "posting the report adds nothing to the timeline"
    );

    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_en_dir, en) = config_file("en");
    let md = run_cli(&en, &data_dir, &["export", &t.id, "--format", "md"]);
    assert!(md.status.success(), "{}", describe(&md));
    assert_report_complete(&stdout(&md), Locale::En, &before);
    let default_format = run_cli(&en, &data_dir, &["export", &t.id]);
    assert_eq!(stdout(&default_format), stdout(&md), "md is the default format");

    let (_ja_dir, ja) = config_file("ja");
    let md_ja = run_cli(&ja, &data_dir, &["export", &t.id, "--format", "md"]);
    assert!(md_ja.status.success(), "{}", describe(&md_ja));
    assert_report_complete(&stdout(&md_ja), Locale::Ja, &before);

    let json_out = run_cli(&en, &data_dir, &["export", &t.id, "--format", "json"]);
    assert!(json_out.status.success(), "{}", describe(&json_out));
    let v: Value = serde_json::from_str(&stdout(&json_out)).expect("export --format json is JSON");
    let entries = v["timeline"].as_array().expect("a timeline array");
    assert_eq!(entries.len() as u64, before.timeline_len);
    assert_eq!(entries.last().unwrap()["hash"], before.timeline_head.as_str());
    assert!(entries.iter().any(|e| e["event"]["text"] == NOTES[0]), "{v}");
    assert_eq!(v["trouble"]["split"]["ours"], 70);
    assert_eq!(v["trouble"]["costs"].as_array().map(Vec::len), Some(2));

    let missing = run_cli(&en, &data_dir, &["export", "20000101-9"]);
    assert!(!missing.status.success(), "an unknown id fails: {}", describe(&missing));
}

#[tokio::test]
async fn the_report_in_japanese_has_every_stage_the_split_the_costs_the_measures_and_the_timeline() {
    let mut bot = spawn_bot_raw(&config_text("ja")).await;
    let t = bot.open_ready("ACME: ハウジング割れ").await;
    walk_everything(&bot, &t).await;
    let before = trouble(&bot, &t.id);

    post_and_check_report(&bot, &t, Locale::Ja, &before).await;

    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_ja_dir, ja) = config_file("ja");
    let md = run_cli(&ja, &data_dir, &["export", &t.id, "--format", "md"]);
    assert!(md.status.success(), "{}", describe(&md));
    assert_report_complete(&stdout(&md), Locale::Ja, &before);
}

#[tokio::test]
async fn who_bears_a_cost_reads_in_the_language_of_the_report() {
    let mut bot = spawn_bot_raw(&config_text("ja")).await;
    let t = bot.open_ready("ACME: ハウジング割れ").await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 ours 送料").await;
    bot.command_text(SALES, &t.channel, "cost ¥30,000 customer 検査費")
        .await;
    bot.command_text(SALES, &t.channel, "fix cost 2 ¥40,000 customer 検査費")
        .await;
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;

    let (_ja_dir, ja) = config_file("ja");
    let md = run_cli(&ja, &data_dir, &["export", &t.id]);
    assert!(md.status.success(), "{}", describe(&md));
    let report = stdout(&md);
    for typed in ["ours", "customer"] {
        assert!(!report.contains(&format!("（{typed}負担）")), "{report}");
        assert!(!report.contains(&format!("負担 {typed}")), "{report}");
    }
    let line_with = |needle: &str| -> Vec<&str> { report.lines().filter(|l| l.contains(needle)).collect() };
    // The costs section, and the timeline's line of each cost.
    assert!(
        line_with("- 費用 #1 ¥120,000（当社負担） —「送料」").len() == 1,
        "{report}"
    );
    assert!(
        line_with("- 費用 #2 ¥40,000（お客様負担） —「検査費」").len() == 1,
        "{report}"
    );
    // The timeline's line of the cost says it as the costs section does.
    assert!(line_with("費用 ¥120,000（当社負担） — 送料").len() == 1, "{report}");
    // The correction names the payers as every other surface does.
    assert!(
        line_with("費用 #2 を訂正: ¥30,000（お客様負担） → ¥40,000（お客様負担）").len() == 1,
        "{report}"
    );

    let (_en_dir, en) = config_file("en");
    let md = run_cli(&en, &data_dir, &["export", &t.id]);
    assert!(md.status.success(), "{}", describe(&md));
    let report = stdout(&md);
    assert!(report.contains("- Cost #1 ¥120,000 (borne by us) — “送料”"), "{report}");
    assert!(report.contains("cost ¥120,000 (borne by us) — 送料"), "{report}");
    assert!(
        report.contains("cost #2 corrected: ¥30,000 (borne by the customer) → ¥40,000 (borne by the customer)"),
        "{report}"
    );
}

#[tokio::test]
async fn a_long_report_is_posted_in_slack_sized_parts_that_together_hold_every_note() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    // Every note is also a line in the channel, so a few long notes rather than many short ones.
    let notes: Vec<String> = (0..12)
        .map(|i| {
            let mut n = format!("fact-{i:03} ");
            while n.len() < 1000 {
                n.push_str(&format!("{}", i % 10));
            }
            n
        })
        .collect();
    for n in &notes {
        assert_eq!(n.chars().count(), 1000);
        let r = bot.command_text(SALES, &t.channel, &format!("note {n}")).await;
        assert_eq!(r, "Added to the timeline.");
    }

    let answer = bot.command_text(SALES, &t.channel, "report").await;
    let count = first_number(&answer);
    assert!(count > 1, "a 12,000-character report needs several messages: {answer}");
    let parts = posted_report(&bot, &t.channel, count).await;
    // The summary above the thread carries the timeline's hash, in Slack, outside the store.
    let reported = trouble(&bot, &t.id);
    let summary = bot
        .slack
        .messages_in(&t.channel)
        .into_iter()
        .find(|m| m["text"].as_str().is_some_and(|t| t.starts_with("📄 *Trouble report ")))
        .expect("the report's summary");
    assert!(
        text_of(&summary).contains(&format!(
            "Integrity hash (SHA-256) of its {} entries: `{}`",
            reported.timeline_len, reported.timeline_head
        )),
        "{summary}"
    );
    let mut all = String::new();
    for (i, part) in parts.iter().enumerate() {
        let blocks = part["blocks"].as_array().expect("the part has blocks");
        assert!(blocks.len() <= 50, "part {} has {} blocks", i + 1, blocks.len());
        for text in block_texts(part) {
            let chars = text.chars().count();
            assert!(chars <= 3000, "part {} has a {chars}-character block", i + 1);
            all.push_str(&text);
            all.push('\n');
        }
    }
    for n in &notes {
        assert!(all.contains(n.as_str()), "{n} is in the posted report");
    }
}

#[tokio::test]
async fn twenty_changes_in_a_second_make_few_status_edits_and_the_last_one_shows_the_last_change() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let (channel, ts) = status_of(&bot, &t.id);
    let edits_of_status = |mark: u64| {
        bot.slack
            .calls_to("chat.update")
            .into_iter()
            .filter(|c| c.seq >= mark && c.params["ts"] == ts.as_str())
            .count()
    };
    // Let the open settle (every Slack call it queued delivered) so only our changes count.
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    eventually("the open's deliveries drained", SLOW, || {
        (bot.store().outbox_len() == 0).then_some(())
    })
    .await;
    let mark = bot.slack.calls().len() as u64;

    let started = Instant::now();
    for i in 0..20u32 {
        let (ours, customer) = (50 + i, 50 - i);
        bot.command_text(SALES, &t.channel, &format!("split {ours}/{customer} round {i}"))
            .await;
    }
    println!("20 changes took {:?}", started.elapsed());
    let last_split = "us 69% / the customer 31%";
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    eventually("the status shows the last split", SLOW, || {
        let versions = bot.slack.message_versions(&channel, &ts);
        versions.last().filter(|v| text_of(v).contains(last_split)).cloned()
    })
    .await;
    // Refreshes are paced (about one a second per channel), so redundant ones would trickle in
    // for a while: count once a minute has passed and everything queued went out.
    bot.advance_and_settle(Duration::from_secs(60)).await;
    let edits = edits_of_status(mark);
    println!("{edits} status edits for 20 changes");
    assert!(
        (1..=6).contains(&edits),
        "{edits} chat.update calls on the status for 20 changes"
    );
    let last = latest_status(&bot, &t.id);
    assert!(text_of(&last).contains(last_split), "still the last change: {last}");
    assert_eq!(trouble(&bot, &t.id).split.expect("split").ours, 69);
}

#[tokio::test]
async fn history_names_the_stages_done_not_the_last_one_done() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for c in ["cause mold drift", "done 3 cause found"] {
        bot.command_text(SALES, &t.channel, c).await;
    }
    // Stage 5 with no split recorded is the manager chain's to mark done, with a reason.
    bot.command_text(MANAGER, &t.channel, "done 5 split agreed").await;
    let history = bot.command_text(SALES, "C0ELSEWHERE", "history ACME").await;
    // Stage 1 is still in progress: "up to 5" would claim stages 1, 2 and 4 too.
    assert!(history.contains("stages 3, 5 done"), "{history}");
    assert!(!history.contains("up to"), "{history}");
}

#[tokio::test]
async fn history_finds_a_customer_written_in_full_width_letters_with_split_and_costs() {
    let bot = spawn_bot().await;
    let acme = bot.open_ready("ACME: housings cracked").await;
    let other = bot.open_ready("Globex: labels smudged").await;
    for c in [
        "next",
        "split 70/30 our mold",
        "cost ¥120,000 ours replacement shipping",
    ] {
        bot.command_text(SALES, &acme.channel, c).await;
    }
    let closed = bot
        .command_text(MANAGER, &acme.channel, "close force settled by phone")
        .await;
    assert_eq!(closed, closed_reply(&bot, &acme));

    let history = bot.command_text(COLLEAGUE, "C0ELSEWHERE", "history ＡＣＭＥ").await;
    assert!(history.contains(&format!("`{}`", acme.id)), "{history}");
    assert!(history.contains("(1 trouble)*"), "{history}");
    assert!(history.contains("closed"), "{history}");
    assert!(history.contains("us 70% / the customer 30%"), "{history}");
    assert!(history.contains("· borne by us ¥120,000 ·"), "{history}");
    assert!(history.contains("stage 1 done"), "{history}");
    assert!(
        !history.contains(&other.id),
        "another customer's trouble is not listed: {history}"
    );

    let none = bot.command_text(COLLEAGUE, ORIGIN, "history ＡＣＮＥ").await;
    assert!(!none.contains(&acme.id), "{none}");
}

#[tokio::test]
async fn only_the_manager_chain_may_hand_the_trouble_to_someone_else() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let mark = bot.slack.calls().len() as u64;
    let before = timeline(&bot, &t.id).len();

    // Not even the owner: handing the trouble on is the chain's decision (the roles table).
    for who in [COLLEAGUE, SALES] {
        let refused = bot.command_text(who, &t.channel, "owner <@U0QA1>").await;
        assert!(refused.starts_with("Only"), "{refused}");
        assert!(refused.contains(&format!("<@{MANAGER}>")), "the manager may: {refused}");
    }
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), SALES, "unchanged");
    assert_eq!(timeline(&bot, &t.id).len(), before, "nothing on the timeline");
    bot.expect_none("conversations.invite", |c| c.seq >= mark).await;

    let ok = bot.command_text(MANAGER, &t.channel, "owner <@U0QA1|qa one>").await;
    assert!(ok.contains("<@U0QA1>"), "{ok}");
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), "U0QA1");
    let entries = timeline(&bot, &t.id);
    assert!(
        matches!(&entries.last().unwrap().event, Event::OwnerChanged { from, to, .. } if from.as_str() == SALES && to.as_str() == "U0QA1"),
        "{:?}",
        entries.last().unwrap().event
    );
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.seq >= mark && c.params["users"].as_str().is_some_and(|u| u.contains("U0QA1"))
        })
        .await;
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    eventually("the status names the new owner", SLOW, || {
        Some(latest_status(&bot, &t.id)).filter(|s| text_of(s).contains("<@U0QA1>"))
    })
    .await;
}

#[tokio::test]
async fn raising_to_sev1_brings_in_quality_and_tells_the_business_unit_once_and_lowering_is_told_to_the_channel_the_one_above_and_the_unit(
) {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    assert_eq!(trouble(&bot, &t.id).severity, Severity::new(2));
    assert!(!bot.slack.members(&t.channel).iter().any(|m| m == "U0QA1"));
    let mark = bot.slack.calls().len() as u64;

    let r = bot.command_text(SALES, &t.channel, "sev 1").await;
    assert!(r.contains("from sev2 to sev1"), "{r}");
    let invite = bot
        .slack
        .wait_for("conversations.invite", |c| {
            c.seq >= mark && c.params["channel"] == t.channel.as_str()
        })
        .await;
    let invited = invite.params["users"].as_str().unwrap_or_default();
    assert!(invited.contains("U0QA1") && invited.contains("U0QA2"), "{invited}");
    let announce = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq >= mark && c.params["channel"] == "C0BIZUNIT"
        })
        .await;
    assert!(text_of(&announce.params).contains("ACME"), "{}", announce.params);
    // A company-wide channel is told, its readers not pinged as if they were the department.
    assert!(!text_of(&announce.params).contains("subteam"), "{}", announce.params);
    let raised = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq >= mark
                && c.params["channel"] == t.channel.as_str()
                && text_of(&c.params).contains("raised the severity")
        })
        .await;
    // Who raised it is said, as a lowering says who lowered it; no empty gaps are left.
    let said = text_of(&raised.params);
    assert!(said.contains(&format!("<@{SALES}> raised the severity")), "{said}");
    assert!(!said.contains("  "), "{said}");
    assert!(
        text_of(&raised.params).contains("<!subteam^S0QUALITY>"),
        "quality is mentioned: {}",
        raised.params
    );
    bot.expect_none("chat.postMessage", |c| {
        c.seq > announce.seq && c.params["channel"] == "C0BIZUNIT"
    })
    .await;

    let mark = bot.slack.calls().len() as u64;
    // Lowering is the chain's decision (the roles table): the owner is refused it.
    let refused = bot.command_text(SALES, &t.channel, "sev 3").await;
    assert!(refused.starts_with("Only"), "{refused}");
    let r = bot.command_text(MANAGER, &t.channel, "sev 3 cosmetic only").await;
    assert!(r.contains("from sev1 to sev3"), "{r}");
    assert_eq!(trouble(&bot, &t.id).severity, Severity::new(3));
    let lowered = bot.posted_saying(&t.channel, "lowered the severity").await;
    assert!(lowered.contains(MANAGER), "{lowered}");
    // Where it was opened, the notice reads the severity it has now.
    let notice = trouble(&bot, &t.id).origin_notice.expect("the origin notice");
    message_says(&bot, notice.channel.as_str(), notice.ts.as_str(), "(sev3").await;
    // Besides the channel, only the one above the manager who lowered it is told, and the
    // business unit the raise told of sev1: no department is pinged.
    bot.expect_none("chat.postMessage", |c| {
        c.seq >= mark
            && !(c.params["channel"] == t.channel.as_str() && text_of(&c.params).contains("lowered the severity"))
            && !(c.params["channel"] == DIRECTOR && text_of(&c.params).contains("lowered the severity of trouble"))
            && !(c.params["channel"] == "C0BIZUNIT" && text_of(&c.params).contains("announced here as sev1"))
            // Nobody had acknowledged it: the manager who lowered it had heard of it.
            && !(c.params["channel"] == t.channel.as_str() && text_of(&c.params).contains("Acknowledged by"))
    })
    .await;
    bot.posted_saying("C0BIZUNIT", "announced here as sev1 critical, was lowered to sev3")
        .await;
    bot.expect_none("conversations.invite", |c| c.seq >= mark).await;
    let changes: Vec<(u8, u8)> = timeline(&bot, &t.id)
        .iter()
        .filter_map(|e| match e.event {
            Event::SeverityChanged { from, to, .. } => Some((from.level(), to.level())),
            _ => None,
        })
        .collect();
    assert_eq!(changes, [(2, 1), (1, 3)]);

    // Raised again, quality is working on it already (kept at the lowering): nobody is pinged.
    let mark = last_call(&bot);
    bot.command_text(SALES, &t.channel, "sev 1").await;
    let raised = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark
                && c.params["channel"] == t.channel.as_str()
                && text_of(&c.params).contains("raised the severity")
        })
        .await;
    assert!(!text_of(&raised.params).contains("subteam"), "{}", raised.params);
}

/// The status message's button as Slack would send it back: whatever the clicked version carried.
fn click_payload_from(bot: &TestBot, user: &str, message: &Value, t: &OpenedTrouble) -> Value {
    let button = message["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| {
            b["elements"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |e| (b["block_id"].clone(), e))
        })
        .find(|(_, e)| e["action_id"].as_str().is_some_and(|a| a.starts_with("complete_stage")))
        .unwrap_or_else(|| panic!("a complete-stage button in {message}"));
    let (block_id, element) = button;
    let mut payload = button_payload(&bot.slack, user, "complete_stage", &t.id, &t.channel);
    payload["actions"][0]["action_id"] = element["action_id"].clone();
    payload["actions"][0]["value"] = element["value"].clone();
    payload["actions"][0]["block_id"] = block_id;
    payload["container"]["message_ts"] = message["ts"].clone();
    payload
}

#[tokio::test]
async fn a_stale_complete_stage_button_does_not_complete_a_later_stage() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    // Skip Slack's pace instead of waiting it out.
    bot.settle().await;
    let stale = eventually("the status offers to complete stage 1", SLOW, || {
        Some(latest_status(&bot, &t.id)).filter(|s| text_of(s).contains("Complete stage 1"))
    })
    .await;
    bot.command_text(SALES, &t.channel, "next").await;
    // The same click twice: a double click, or a click on a status message not yet refreshed.
    let payload = click_payload_from(&bot, SALES, &stale, &t);
    for _ in 0..2 {
        assert_eq!(bot.interaction(&payload).await.status(), 200);
    }
    // Answered means stored: the state can be read at once.
    assert_eq!(
        stage_states(&bot, &t.id)[..3],
        [StageState::Done, StageState::InProgress, StageState::NotStarted],
        "a button that says \"Complete stage 1\" must not complete stage 2 or 3"
    );
}

#[tokio::test]
async fn start_on_a_done_stage_does_not_claim_what_the_state_does_not_show() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "done 3 cause found").await;
    let answer = bot.command_text(SALES, &t.channel, "start 3 cause doubted again").await;
    let state = stage_states(&bot, &t.id)[2];
    assert!(
        !(answer.contains("in progress") && state == StageState::Done),
        "answered {answer:?} but stage 3 is {state:?}"
    );
}

#[tokio::test]
async fn commands_typed_with_full_width_digits_or_as_open_teaches_them_work_and_list_says_who_heard_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housing cracked").await;
    let list = bot.command_text(SALES, ORIGIN, "list").await;
    assert!(list.contains("customer not updated yet (opened"), "{list}");
    assert!(!list.contains("last heard"), "{list}");

    bot.command_text(SALES, &t.channel, "cause 金型温度").await;
    let done = bot.command_text(SALES, &t.channel, "done ３ 原因特定").await;
    assert!(done.contains("Stage 3"), "{done}");
    let split = bot.command_text(SALES, &t.channel, "split ７０／３０ 金型").await;
    assert!(split.contains("proposal #1"), "{split}");
    let raised = bot.command_text(SALES, &t.channel, "sev1").await;
    assert!(raised.contains("changed from sev2 to sev1"), "{raised}");
    let stats = bot.command_text(SALES, ORIGIN, "stats a month").await;
    assert!(
        stats.contains("number of days") && stats.contains("/trouble stats 30"),
        "{stats}"
    );
    let stats = bot.command_text(SALES, ORIGIN, "stats 30 days").await;
    assert!(!stats.contains("number of days"), "{stats}");

    bot.command_text(SALES, &t.channel, "update told them we replace the lot")
        .await;
    let list = bot.command_text(SALES, ORIGIN, "list").await;
    assert!(list.contains("customer last heard"), "{list}");
}

#[tokio::test]
async fn mistyped_commands_are_explained_and_record_nothing_and_a_full_width_command_works() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.settle().await;
    let before = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    let posts = || {
        bot.slack
            .calls()
            .iter()
            .filter(|c| c.method == "chat.postMessage" && c.params["channel"] == t.channel.as_str())
            .count()
    };
    let posted_before = posts();
    for (typed, says) in [
        ("next 3", "To complete stage 3, write `/trouble done 3`"),
        ("report 9d", "There is no `9d` report"),
        ("sev", "Give the severity: `/trouble sev 1`"),
    ] {
        let answer = bot.command_text(SALES, &t.channel, typed).await;
        assert!(answer.contains(says), "{typed}: {answer}");
    }
    bot.settle().await;
    let after = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert_eq!(after.timeline_len, before.timeline_len, "a mistake recorded something");
    assert_eq!(after.stage(StageId::Facts).state, before.stage(StageId::Facts).state);
    assert_eq!(posts(), posted_before, "a mistake posted in the channel");
    // Typed full-width by a Japanese input method, the command still reads.
    let raised = bot.command_text(SALES, &t.channel, "ｓｅｖ\u{3000}１").await;
    assert!(raised.contains("changed from sev2 to sev1"), "{raised}");
}

/// A `due:` with a zone meant that is not read says what is wrong, in the words `next:` uses:
/// an offset no clock shows, or an abbreviation of several zones and how to name the zone
/// instead; nothing is recorded. In Japanese too.
#[tokio::test]
async fn a_due_time_in_a_zone_not_read_says_why() {
    for (locale, offset, several) in [
        (
            "en",
            "`UTC+15` is no clock's offset: no zone is more than 14 hours from UTC",
            "name their zone by its city or region",
        ),
        (
            "ja",
            "`UTC+15` はどの国の時刻でもありません",
            "タイムゾーンを都市名か地域名で書いてください",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        let r = bot
            .command_text(SALES, &t.channel, "action interim sort stock due: 17:00 UTC+15")
            .await;
        assert!(r.contains(offset), "{locale}: {r}");
        let r = bot
            .command_text(SALES, &t.channel, "action interim sort stock due: fri 17:00 CST")
            .await;
        assert!(r.contains("`fri 17:00 CST`") && r.contains(several), "{locale}: {r}");
        assert!(trouble(&bot, &t.id).substance.actions.is_empty(), "{locale}");
    }
}

/// A well-known abbreviation of one zone (`AEST`, `NZST`, `MSK`) after a due time is read as that
/// place's clock, as `CET` is, in `due:` and in `next:`; it is never left in the action's text
/// with the action due at our 17:00, hours off.
#[tokio::test]
async fn a_due_time_in_a_well_known_zone_is_read_on_its_clock() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    // AEST is UTC+10 all year (Brisbane), so 17:00 is 16:00 in Tokyo; AEDT is Sydney's
    // summer time (UTC+11), 15:00 in Tokyo.
    let r = bot
        .command_text(SALES, &t.channel, "action interim sort stock due: fri 17:00 AEST")
        .await;
    assert!(r.contains("Due Fri 2026-12-04 16:00"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "action interim recount due: fri 17:00 AEDT")
        .await;
    assert!(r.contains("Due Fri 2026-12-04 15:00"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "action interim call Moscow due: fri 17:00 MSK")
        .await;
    assert!(r.contains("Due Fri 2026-12-04 23:00"), "{r}");
    let actions = trouble(&bot, &t.id).substance.actions;
    assert_eq!(actions[0].text, "sort stock");
    assert_eq!(actions[2].text, "call Moscow");
    let r = bot
        .command_text(SALES, &t.channel, "update called next: fri 9am NZST")
        .await;
    assert!(
        r.contains("Fri 2026-12-04 05:00 JST (Fri 2026-12-04 09:00 NZDT, the customer's time)"),
        "{r}"
    );
}

/// A place's name after a due time with the action's words after it is those words: the action
/// is due at our 17:00 with its text whole (`german supplier audit`), never at Berlin's 17:00
/// with "german" gone. Where the date ends, where the zone is said (`german time`, `ドイツ時間`)
/// and for an abbreviation that is no word (`CET`), it is the customer's clock. In ja and en.
#[tokio::test]
async fn a_place_after_a_due_time_followed_by_the_actions_words_is_those_words() {
    let ours = "2026-12-04T08:00:00Z";
    let berlin = "2026-12-04T16:00:00Z";
    for locale in ["en", "ja"] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        let cases = [
            ("due: fri 17:00 german supplier audit", "german supplier audit", ours),
            ("期限: 金曜 17時 ドイツ 工場監査", "ドイツ 工場監査", ours),
            (
                "due: fri 5pm central warehouse recount",
                "central warehouse recount",
                ours,
            ),
            ("audit due: fri 17:00 german", "audit", berlin),
            ("due: fri 17:00 CET check the seals", "check the seals", berlin),
            ("due: fri 17:00 german time supplier audit", "supplier audit", berlin),
            ("期限: 金曜 17時 ドイツ時間 工場監査", "工場監査", berlin),
        ];
        for (typed, _, _) in cases {
            bot.command_text(SALES, &t.channel, &format!("action interim {typed}"))
                .await;
        }
        let actions = trouble(&bot, &t.id).substance.actions;
        assert_eq!(actions.len(), cases.len(), "{locale}");
        for ((typed, text, due), a) in cases.iter().zip(&actions) {
            let due = due.parse().ok();
            assert_eq!((a.text.as_str(), a.due), (*text, due), "{locale} {typed}");
        }
    }
}

/// An abbreviation whose lower-case form is a word (`CAT`, `EAT`, `WAT`) names the customer's
/// zone when written in capitals next to a time, before or after it: the action is due on their
/// clock, never at our 17:00 with `CAT` left in its text. In lower case, or not a zone, it is text.
#[tokio::test]
async fn a_zone_in_capitals_that_is_a_word_in_lower_case_is_read_next_to_a_time() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    // 17:00 in Lagos (UTC+1) is 01:00 the next day in Tokyo; 9:00 in Nairobi (UTC+3) is 15:00.
    let r = bot
        .command_text(SALES, &t.channel, "action interim ship spares due: fri 17:00 WAT")
        .await;
    assert!(r.contains("Due Sat 2026-12-05 01:00"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "action interim call Nairobi due: fri EAT 9am")
        .await;
    assert!(r.contains("Due Fri 2026-12-04 15:00"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "action interim brief team due: fri 12:00 eat lunch")
        .await;
    assert!(r.contains("Due Fri 2026-12-04 12:00"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "action interim check due: fri 17:00 QA review")
        .await;
    assert!(r.contains("Due Fri 2026-12-04 17:00"), "{r}");
    // Words a rep writes in capitals after a time that would name a zone elsewhere (the resin,
    // Caterpillar, the in-circuit test) are the action's words, due at our clock.
    for typed in ["PET resin re-inspected", "CAT dealer visit", "ICT retest"] {
        let r = bot
            .command_text(SALES, &t.channel, &format!("action interim due: fri 17:00 {typed}"))
            .await;
        assert!(r.contains("Due Fri 2026-12-04 17:00"), "{typed}: {r}");
    }
    let texts: Vec<String> = trouble(&bot, &t.id)
        .substance
        .actions
        .into_iter()
        .map(|a| a.text)
        .collect();
    assert_eq!(
        texts,
        [
            "ship spares",
            "call Nairobi",
            "brief team eat lunch",
            "check QA review",
            "PET resin re-inspected",
            "CAT dealer visit",
            "ICT retest"
        ]
    );
    let r = bot
        .command_text(SALES, &t.channel, "update called next: fri 9am (WAT)")
        .await;
    assert!(
        r.contains("Fri 2026-12-04 17:00 JST (Fri 2026-12-04 09:00 WAT, the customer's time)"),
        "{r}"
    );
}

/// `due: 12/25 24:00` is refused as typed (a time of day past 23:59 reads as none), not taken
/// as the day's close with `24:00` left in the action's text; `23:59` that day is its due time.
#[tokio::test]
async fn a_due_time_that_does_not_read_refuses_the_action_as_typed() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot
        .command_text(SALES, &t.channel, "action interim sort stock due:12/25 24:00")
        .await;
    assert!(r.starts_with("`12/25 24:00` is not a date I understand"), "{r}");
    assert!(trouble(&bot, &t.id).substance.actions.is_empty());
    let r = bot
        .command_text(SALES, &t.channel, "action interim sort stock due:12/25 23:59")
        .await;
    assert!(r.contains("Due Fri 2026-12-25 23:59"), "{r}");
}

/// The report's header says who and when (§8: customer, severity, owner, manager, opened,
/// acknowledged after, closed), and each customer update with the time since the one before.
#[tokio::test]
async fn the_report_header_says_who_and_when_and_each_update_the_time_since_the_last() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    // The clock also runs at real speed between the jumps: a step's seconds may read one more.
    bot.advance(Duration::from_secs(4 * 60 + 30));
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.advance(Duration::from_secs(65 * 60 + 30));
    bot.command_text(SALES, &t.channel, "update told them we are checking the lot")
        .await;
    bot.advance(Duration::from_secs(2 * 3600 + 15 * 60));
    bot.command_text(SALES, &t.channel, "update told them the cause").await;
    let answer = bot.command_text(SALES, &t.channel, "report").await;
    let parts = posted_report(&bot, &t.channel, first_number(&answer)).await;
    let report: String = parts
        .iter()
        .flat_map(block_texts)
        .map(|s| without_part_label(&s).to_string())
        .collect();
    let line = |label: &str| -> String {
        report
            .lines()
            .find(|l| l.trim_start_matches("- ").starts_with(label))
            .unwrap_or_else(|| panic!("{label} in:\n{report}"))
            .to_string()
    };
    assert!(line("Customer:").contains("ACME"), "{report}");
    assert!(line("Severity:").contains("sev2"), "{report}");
    assert!(line("Owner:").contains(SALES), "{report}");
    assert!(line("Manager:").contains(MANAGER), "{report}");
    assert!(line("Opened:").contains("2026-11-30 10:00"), "{report}");
    let acknowledged = line("Acknowledged after:");
    assert!(
        acknowledged.contains(": 4m3") && acknowledged.ends_with(&format!("s (@{MANAGER})")),
        "{report}"
    );
    assert!(line("Closed:").contains("not yet (open)"), "{report}");
    // Under *Customer updates*, with the time since the one before (the timeline repeats the
    // update without it).
    let update = |words: &str| -> String {
        report
            .lines()
            .find(|l| l.contains(words) && l.contains(" after "))
            .unwrap_or_else(|| panic!("{words} in:\n{report}"))
            .to_string()
    };
    let checking = update("told them we are checking the lot");
    assert!(checking.contains("(1h10m after opening)"), "{checking}");
    let cause = update("told them the cause");
    assert!(cause.contains("(2h15m after the previous)"), "{cause}");
}

/// Stages 5 and 6 are done on what they settle, over HTTP and in both languages: the owner's
/// `done` on either with nothing recorded is refused saying what to record and who may overrule;
/// "no compensation" is `cost 0 ours`, which reads as no cost and lets stage 6 be done; the
/// manager marks stage 5 done with a reason when the customer will not discuss it.
#[tokio::test]
async fn stages_5_and_6_are_done_on_a_split_and_a_cost_or_the_managers_reason() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot.command_text(SALES, &t.channel, "done 6").await;
    assert!(
        r.contains("No cost is recorded, so stage 6 cannot be done")
            && r.contains("`/trouble cost 0 ours` if there is none")
            && r.contains(MANAGER),
        "{r}"
    );
    let r = bot
        .command_text(SALES, &t.channel, "done 5 customer would not discuss")
        .await;
    assert!(
        r.contains("No split of responsibility is recorded, so stage 5 cannot be done") && r.contains(MANAGER),
        "{r}"
    );
    let now = trouble(&bot, &t.id);
    assert_ne!(now.stage(StageId::Split).state, StageState::Done);
    assert_ne!(now.stage(StageId::Cost).state, StageState::Done);

    let r = bot.command_text(SALES, &t.channel, "cost 0 ours no charge").await;
    assert!(r.contains("Cost #1 recorded"), "{r}");
    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(status.contains("#1 no cost"), "{status}");
    let r = bot.command_text(SALES, &t.channel, "done 6").await;
    assert!(r.contains("Stage 6"), "{r}");
    let r = bot
        .command_text(
            MANAGER,
            &t.channel,
            "done 5 not settled: the customer declined to discuss it",
        )
        .await;
    assert!(r.contains("Stage 5"), "{r}");
    let now = trouble(&bot, &t.id);
    assert_eq!(now.stage(StageId::Split).state, StageState::Done);
    assert_eq!(now.stage(StageId::Cost).state, StageState::Done);
    let history = bot.command_text(SALES, "C0ELSEWHERE", "history ACME").await;
    assert!(
        history.contains("· no cost") && !history.contains("no cost recorded") && !history.contains("borne by"),
        "{history}"
    );

    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot.command_text(SALES, &t.channel, "完了 6").await;
    assert!(
        r.contains("費用が記録されていないため、第6段階は完了にできません") && r.contains(MANAGER),
        "{r}"
    );
    let r = bot.command_text(SALES, &t.channel, "完了 5").await;
    assert!(
        r.contains("責任区分が記録されていないため、第5段階は完了にできません"),
        "{r}"
    );
    bot.command_text(SALES, &t.channel, "費用 0 当社").await;
    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(status.contains("費用負担なし"), "{status}");
    let r = bot.command_text(SALES, &t.channel, "完了 6").await;
    assert_eq!(trouble(&bot, &t.id).stage(StageId::Cost).state, StageState::Done, "{r}");
}
