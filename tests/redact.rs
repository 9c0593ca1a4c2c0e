//! `trouble-bot redact`: an erasure request served on the timeline itself. A note's text is
//! erased where it is stored, the redaction is recorded, verify accepts it and names it, the
//! report shows `[redacted]` (search never indexed a note's text: it reads the record), and the bot goes on after it; what it
//! refuses (a text the record repeats, an unknown entry, no reason, a held store) changes nothing.
//! Beside a running bot on sled, the bot does it itself; on PostgreSQL the same, in the database.

mod common;
mod pg;

use std::path::Path;

use common::*;
use serde_json::Value;

const SECRET_WORD: &str = "Zebulon";

/// `trouble-bot redact ID ENTRY… --reason REASON` on the stopped bot's store: (succeeded,
/// stdout, stderr).
fn redact(config: &Path, data: &Path, id: &str, entries: &[&str], reason: &str) -> (bool, String, String) {
    let mut args = vec!["redact", id];
    args.extend_from_slice(entries);
    args.extend_from_slice(&["--reason", reason]);
    let out = run_cli(config, data, &args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `trouble-bot verify` in the config's language: (succeeded, stdout).
fn verify(config: &Path, data: &Path) -> (bool, String) {
    let out = run_cli(config, data, &["verify"]);
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The trouble and its timeline as `export --format json` prints them.
fn exported(config: &Path, data: &Path, id: &str) -> Value {
    serde_json::from_str(&cli_export(config, data, id, "json")).expect("export prints JSON")
}

/// The number (from 1, as the report and verify number entries) of the trouble's first entry
/// of `kind`.
fn entry_number(export: &Value, kind: &str) -> String {
    let timeline = export["timeline"].as_array().expect("a timeline");
    let e = timeline
        .iter()
        .find(|e| e["event"]["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} entry in {timeline:?}"));
    (e["seq"].as_u64().unwrap() + 1).to_string()
}

/// A bot with trouble `ACME` holding a note with the secret word, posted in its channel.
async fn noted() -> (TestBot, OpenedTrouble) {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(
        SALES,
        &t.channel,
        &format!("note {SECRET_WORD} of the buyer's plant called"),
    )
    .await;
    bot.posted_saying(&t.channel, SECRET_WORD).await;
    bot.settle().await;
    (bot, t)
}

/// Where Slack holds the line the bot posted with the note saying the secret word: its ts.
async fn note_ts(bot: &TestBot, channel: &str) -> String {
    let posted = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == channel && c.outcome == "ok" && text_of(&c.params).contains(SECRET_WORD)
        })
        .await;
    posted.answer["ts"].as_str().expect("a ts").to_string()
}

/// Waits until the note's line in the channel reads as redacted, and holds no byte of the word.
async fn line_reads_redacted(bot: &TestBot, channel: &str, ts: &str) {
    message_says(bot, channel, ts, "[redacted by an administrator on ").await;
    let now = bot.slack.message_versions(channel, ts).pop().unwrap();
    assert!(!text_of(&now).contains(SECRET_WORD), "{now}");
}

#[tokio::test]
async fn a_redacted_note_is_erased_where_it_is_stored_verifies_as_redacted_and_the_bot_goes_on_after_it() {
    let (mut bot, t) = noted().await;
    let ts = note_ts(&bot, &t.channel).await;
    let data = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    let note = entry_number(&exported(&config, &data, &t.id), "note");

    let (ok, stdout, stderr) = redact(&config, &data, &t.id, &[&note], "the customer's erasure request");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("the texts of entries {note} erased")),
        "{stdout}"
    );
    assert!(stdout.contains("delete those in channels by hand"), "{stdout}");
    assert!(
        stdout.contains("The 1 message(s) in the trouble's channel that carried them are edited")
            && !stdout.contains("keeps no record"),
        "{stdout}"
    );

    let (verified, findings) = verify(&config, &data);
    assert!(verified, "{findings}");
    assert!(
        findings.contains(&format!("{}: entries {note} redacted by the administrator", t.id)),
        "{findings}"
    );
    // Where it is stored: the entry erased and marked, and no byte of the word left in the tree.
    {
        let store = sled_store(&data).await;
        let timeline = store
            .timeline(&trouble_bot::trouble::model::TroubleId::new(&t.id))
            .unwrap();
        let erased = &timeline[note.parse::<usize>().unwrap() - 1];
        assert!(erased.redacted);
        assert_eq!(
            erased.event,
            trouble_bot::trouble::timeline::Event::Note {
                text: "[redacted]".into()
            }
        );
        assert!(matches!(
            timeline.last().unwrap().event,
            trouble_bot::trouble::timeline::Event::Redacted { .. }
        ));
        for record in store.timeline_tree().iter() {
            let (_, value) = record.unwrap();
            let value = String::from_utf8_lossy(&value);
            assert!(!value.contains(SECRET_WORD), "{value}");
        }
    }
    wait_released(&data);
    let report = cli_export(&config, &data, &t.id, "md");
    assert!(report.contains("note: \\[redacted]"), "{report}");
    assert!(!report.contains(SECRET_WORD), "{report}");
    assert!(
        report.contains(&format!(
            "texts of entries {note} redacted by the administrator (reason: the customer's erasure request)"
        )),
        "{report}"
    );

    // Started again: search still finds the trouble by its customer, and a new note chains
    // after the redaction.
    bot.restart().await;
    // The edit of the note's line was queued with the redaction: the bot sends it once it runs.
    line_reads_redacted(&bot, &t.channel, &ts).await;
    let found = bot.command_text(SALES, ORIGIN, "search ACME").await;
    assert!(found.contains(&t.id), "{found}");
    bot.command_text(SALES, &t.channel, "note the buyer called back").await;
    bot.posted_saying(&t.channel, "the buyer called back").await;
    bot.settle().await;
    bot.stop().await;
    let (verified, findings) = verify(&config, &data);
    assert!(verified, "{findings}");
    assert!(findings.contains(&format!("entries {note} redacted")), "{findings}");
    let export = exported(&config, &data, &t.id);
    let timeline = export["timeline"].as_array().unwrap();
    let last = timeline.last().unwrap();
    assert_eq!(last["event"]["text"], "the buyer called back");
    assert_eq!(timeline[timeline.len() - 2]["event"]["type"], "redacted");
}

#[tokio::test]
async fn what_redact_refuses_it_says_and_changes_nothing() {
    let (mut bot, t) = noted().await;
    bot.command_text(SALES, &t.channel, "update told the buyer Zebulon's parts ship today")
        .await;
    bot.settle().await;
    let data = bot.dir.path().to_path_buf();
    let (_dir, config) = cli_config();

    // Held by the running bot: said, never waited out.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .args(["redact", &t.id, "1", "--reason", "erasure"])
        .env("TROUBLE_CONFIG", &config)
        .env("TROUBLE_DATA_DIR", &data)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("opens in one process only") && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    bot.stop().await;

    let before = cli_export(&config, &data, &t.id, "json");
    let export: Value = serde_json::from_str(&before).unwrap();
    let (note, update) = (entry_number(&export, "note"), entry_number(&export, "customer_update"));
    let opened = entry_number(&export, "opened");
    let unchanged = |what: &str| {
        assert_eq!(
            cli_export(&config, &data, &t.id, "json"),
            before,
            "{what} changed the store"
        );
    };
    for (entries, reason, id, says) in [
        (
            vec![opened.as_str()],
            "erasure",
            t.id.as_str(),
            "the trouble's record repeats entry 1's text (its customer, summary",
        ),
        (
            vec![update.as_str()],
            "erasure",
            t.id.as_str(),
            "(its customer updates)",
        ),
        (
            vec![note.as_str(), update.as_str()],
            "erasure",
            t.id.as_str(),
            "(its customer updates)",
        ),
        (vec!["999"], "erasure", t.id.as_str(), "it has no entry 999"),
        (vec!["0"], "erasure", t.id.as_str(), "it has no entry 0"),
        (vec![note.as_str()], "  ", t.id.as_str(), "no reason given"),
        (vec![note.as_str()], "erasure", "20991231-1", "no trouble 20991231-1"),
    ] {
        let (ok, stdout, stderr) = redact(&config, &data, id, &entries, reason);
        assert!(!ok && stdout.is_empty(), "{entries:?}: {stdout}");
        assert!(stderr.contains(says), "{entries:?}: {stderr}");
        unchanged(&format!("{entries:?}"));
    }

    // Done once, the note and the redaction entry itself are refused after it.
    let (ok, stdout, stderr) = redact(&config, &data, &t.id, &[&note], "erasure");
    assert!(ok, "{stdout}\n{stderr}");
    let before = cli_export(&config, &data, &t.id, "json");
    let export: Value = serde_json::from_str(&before).unwrap();
    let redaction = entry_number(&export, "redacted");
    for (entry, says) in [
        (
            note.as_str(),
            format!("entry {note} is redacted already (entry {redaction} records it)"),
        ),
        (redaction.as_str(), format!("entry {redaction} is a redaction entry")),
    ] {
        let (ok, _, stderr) = redact(&config, &data, &t.id, &[entry], "erasure");
        assert!(!ok && stderr.contains(&says), "{stderr}");
        assert_eq!(cli_export(&config, &data, &t.id, "json"), before);
    }
    let (verified, findings) = verify(&config, &data);
    assert!(verified, "{findings}");
}

/// Closed while Slack refuses its channel, the trouble's note's line and its report wait for a
/// channel nobody will ask for: never posted, they go with the redaction instead of refusing it.
#[tokio::test]
async fn a_trouble_closed_while_slack_refused_its_channel_is_redacted() {
    let mut bot = spawn_bot().await;
    let id = bot.opened_refused("ACME: housings cracked").await;
    bot.command_text(
        SALES,
        "D0SALES",
        &format!("note {id} {SECRET_WORD} of the buyer's plant called"),
    )
    .await;
    let r = bot
        .command_text(
            MANAGER,
            "D0MANAGER",
            &format!("close {id} force duplicate of another trouble"),
        )
        .await;
    assert!(r.contains(&format!("Closed trouble {id}")), "{r}");
    // The report rendered at the close waits with the note's line.
    eventually("the report held", std::time::Duration::from_secs(10), || {
        let held = trouble(&bot, &id).held?;
        let held = serde_json::to_string(&held.calls).unwrap();
        (held.contains("report_part") && held.contains(SECRET_WORD)).then_some(())
    })
    .await;
    bot.settle().await;
    let data = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    let note = entry_number(&exported(&config, &data, &id), "note");

    let (ok, stdout, stderr) = redact(&config, &data, &id, &[&note], "the customer's erasure request");
    assert!(ok, "{stdout}\n{stderr}");
    // The report went with the text: the administrator is told to have it posted again.
    assert!(
        stdout.contains("The report waiting for the trouble's channel (Slack refused to create it) carried these texts and was dropped with them")
            && stdout.contains("post it again then with `/trouble report`"),
        "{stdout}"
    );
    let export = exported(&config, &data, &id).to_string();
    assert!(!export.contains(SECRET_WORD), "{export}");
    let (verified, findings) = verify(&config, &data);
    assert!(verified, "{findings}");
}

/// A note whose post in the channel was still queued when the bot stopped (Slack failing) is
/// not redacted: the bot would post its text when next started.
#[tokio::test]
async fn a_note_whose_post_is_still_queued_is_not_redacted_until_it_went() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.settle().await;
    bot.slack.fail_http_next("chat.postMessage", 500, 100);
    bot.command_text(SALES, &t.channel, &format!("note {SECRET_WORD} called"))
        .await;
    bot.stop().await;
    let data = bot.dir.path().to_path_buf();
    let (_dir, config) = cli_config();
    let before = cli_export(&config, &data, &t.id, "json");
    let note = entry_number(&serde_json::from_str(&before).unwrap(), "note");
    let (ok, _, stderr) = redact(&config, &data, &t.id, &[&note], "erasure");
    assert!(
        !ok && stderr.contains(&format!(
            "a Slack call for the trouble not made yet holds entry {note}'s text"
        )),
        "{stderr}"
    );
    assert_eq!(cli_export(&config, &data, &t.id, "json"), before);
}

/// The entry of `kind` (an entry's `type`, or a stage entry's `step`) numbered `nth` from 0,
/// numbered as the report and verify number entries.
fn nth_entry(export: &Value, kind: &str, nth: usize) -> String {
    let timeline = export["timeline"].as_array().expect("a timeline");
    let e = timeline
        .iter()
        .filter(|e| e["event"]["type"] == kind || e["event"]["step"] == kind)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {kind} #{nth} in {timeline:?}"));
    (e["seq"].as_u64().unwrap() + 1).to_string()
}

/// The ts of the line the bot posted in `channel` saying `words`.
async fn line_saying(bot: &TestBot, channel: &str, words: &str) -> String {
    let posted = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == channel && c.outcome == "ok" && text_of(&c.params).contains(words)
        })
        .await;
    posted.answer["ts"].as_str().expect("a ts").to_string()
}

/// Any entry's line in the channel carrying its typed text is kept knowing it, as a note's is:
/// a severity change's reason and a forced close's (erasable once reopened) are edited in the
/// redaction's write; a reopening's line, posted as it is where the customer may read, is not
/// kept, and the answer names it.
#[tokio::test]
async fn a_severity_changes_and_a_closes_reasons_are_erased_from_their_lines_in_the_channel() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(
        SALES,
        &t.channel,
        &format!("sev 1 {SECRET_WORD}'s plant stopped its line"),
    )
    .await;
    let raised = line_saying(&bot, &t.channel, "plant stopped its line").await;
    bot.command_text(MANAGER, &t.channel, "close force Zebulon duplicate")
        .await;
    let closed = line_saying(&bot, &t.channel, "Zebulon duplicate").await;
    // Severity 1 announces to C0BIZUNIT, which is told of the close with its reason.
    let announced = line_saying(&bot, "C0BIZUNIT", "Zebulon duplicate").await;
    bot.command_text(MANAGER, &t.channel, "reopen Zebulon came back").await;
    bot.posted_saying(&t.channel, "Zebulon came back").await;
    bot.command_text(MANAGER, &t.channel, "close force done again").await;
    bot.command_text(MANAGER, &t.channel, "reopen the customer asked").await;
    bot.posted_saying(&t.channel, "the customer asked").await;
    bot.settle().await;
    let data = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    let export = exported(&config, &data, &t.id);
    let (sev, close, reopening) = (
        entry_number(&export, "severity_changed"),
        entry_number(&export, "closed"),
        nth_entry(&export, "reopened", 0),
    );

    let (ok, stdout, stderr) = redact(&config, &data, &t.id, &[&sev, &close, &reopening], "erasure request");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("The 2 message(s) in the trouble's channel that carried them are edited"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "For entries {reopening} the bot keeps no record of a message carrying them (one posted by an earlier release; a close's note, which its line read from the record; a line posted as it is where the customer may read, such as a reopening's reason"
        )),
        "{stdout}"
    );
    // The announce channel's line is not the bot's to edit: the answer names it, to delete.
    assert!(
        stdout.contains("Any report posted since and the DMs (a severity change's, a forced close's or a reopening's reason also went by DM and to the announce channels) are unchanged: delete those in channels by hand"),
        "{stdout}"
    );
    let (verified, findings) = verify(&config, &data);
    assert!(verified, "{findings}");

    bot.restart().await;
    line_reads_redacted(&bot, &t.channel, &raised).await;
    message_says(&bot, &t.channel, &closed, "[redacted by an administrator on ").await;
    let now = bot.slack.message_versions(&t.channel, &closed).pop().unwrap();
    assert!(!text_of(&now).contains("Zebulon duplicate"), "{now}");
    let there = bot.slack.message_versions("C0BIZUNIT", &announced);
    assert!(
        there.len() == 1 && text_of(&there[0]).contains("Zebulon duplicate"),
        "{there:?}"
    );
}

#[tokio::test]
async fn redact_answers_in_the_configured_language() {
    let (mut bot, t) = noted().await;
    let data = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = config_file("ja");
    let note = entry_number(&exported(&config, &data, &t.id), "note");
    let (ok, _, stderr) = redact(&config, &data, &t.id, &["1"], "消去依頼");
    assert!(!ok && stderr.contains("トラブルの記録（お客様・概要"), "{stderr}");
    let (ok, stdout, _) = redact(&config, &data, &t.id, &[&note], "消去依頼");
    assert!(
        ok && stdout.contains(&format!("記録 {note} の文面を削除しました"))
            && stdout.contains("トラブルチャンネルでこれらを載せていたメッセージ 1 件は「［…に管理者により削除されました］」と編集されます"),
        "{stdout}"
    );
    assert!(
        stdout.contains("その後に投稿された報告書と DM（重大度変更・強制クローズ・再開の理由は DM と告知チャンネルにも送られています）は変わっていません")
            && !stdout.contains("記録していません"),
        "{stdout}"
    );
    // A reopening's reason, erasable once another reopening is the latest, was posted as it
    // is: the answer names it as one whose message the bot did not record.
    bot.restart().await;
    for command in [
        "close force 重複",
        "reopen Zebulon から再度連絡",
        "close force 重複",
        "reopen 再発",
    ] {
        bot.command_text(MANAGER, &t.channel, command).await;
    }
    bot.posted_saying(&t.channel, "再発").await;
    bot.settle().await;
    bot.stop().await;
    let reopening = nth_entry(&exported(&config, &data, &t.id), "reopened", 0);
    let (ok, stdout, stderr) = redact(&config, &data, &t.id, &[&reopening], "消去依頼");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("記録 {reopening} については、それを載せたメッセージをボットが記録していません（以前のリリースが投稿したもの、記録から読んで載せたクローズのメモ、再開の理由のようにお客様も読める形でそのまま投稿した行"))
            && stdout.contains("Slack に残っていれば手で削除してください")
            && !stdout.contains("編集されます"),
        "{stdout}"
    );
}

/// `trouble-bot ARGS` on `data` while the bot serves it, off the async workers it answers on:
/// (succeeded, stdout, stderr).
async fn beside(config: &Path, data: &Path, args: &[&str]) -> (bool, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"));
    command
        .args(args)
        .env("TROUBLE_CONFIG", config)
        .env("TROUBLE_DATA_DIR", data)
        .env_remove("DATABASE_URL")
        .env_remove("TROUBLE_LISTEN")
        .env("RUST_LOG", "warn");
    let out = tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `export ID --format json` answered by the running bot.
async fn exported_beside(config: &Path, data: &Path, id: &str) -> String {
    let (ok, json, stderr) = beside(config, data, &["export", id, "--format", "json"]).await;
    assert!(ok, "{stderr}");
    json
}

/// The bot answering the admin commands on its socket, as `serve` does.
fn answering(bot: &TestBot) -> trouble_bot::admin::AdminSocket {
    trouble_bot::admin::listen(bot.app().clone()).expect("the admin socket")
}

/// Beside the running bot, which guards open troubles: the bot itself redacts the note, under
/// the lock of its own decisions, stamped by its own clock, and goes on taking notes after it.
#[tokio::test]
async fn beside_the_running_bot_the_bot_itself_redacts_a_note_and_goes_on_after_it() {
    let (mut bot, t) = noted().await;
    let ts = note_ts(&bot, &t.channel).await;
    let socket = answering(&bot);
    let data = bot.dir.path().to_path_buf();
    let (_dir, config) = cli_config();
    let note = entry_number(
        &serde_json::from_str(&exported_beside(&config, &data, &t.id).await).unwrap(),
        "note",
    );

    let asked = bot.clock.now();
    let (ok, stdout, stderr) = beside(&config, &data, &["redact", &t.id, &note, "--reason", "erasure request"]).await;
    let answered = bot.clock.now();
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("the texts of entries {note} erased")),
        "{stdout}"
    );
    // The running bot edits the note's line at once, without waiting for its next call there.
    line_reads_redacted(&bot, &t.channel, &ts).await;
    let (verified, findings, stderr) = beside(&config, &data, &["verify"]).await;
    assert!(verified, "{findings}\n{stderr}");
    assert!(
        findings.contains(&format!("{}: entries {note} redacted by the administrator", t.id)),
        "{findings}"
    );
    let export: Value = serde_json::from_str(&exported_beside(&config, &data, &t.id).await).unwrap();
    let timeline = export["timeline"].as_array().unwrap();
    let redaction = timeline.last().unwrap();
    assert_eq!(redaction["event"]["type"], "redacted");
    let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(redaction["at"].clone()).unwrap();
    assert!(
        asked <= at && at <= answered,
        "stamped {at} by the bot's clock ({asked}..{answered})"
    );
    for record in bot.store().timeline_tree().iter() {
        let (_, value) = record.unwrap();
        assert!(!String::from_utf8_lossy(&value).contains(SECRET_WORD));
    }

    // The bot's own view of the trouble moved with it: its next note chains after the
    // redaction.
    bot.command_text(SALES, &t.channel, "note the buyer called back").await;
    bot.posted_saying(&t.channel, "the buyer called back").await;
    bot.settle().await;
    let (verified, findings, _) = beside(&config, &data, &["verify"]).await;
    assert!(
        verified && findings.contains(&format!("entries {note} redacted")),
        "{findings}"
    );
    let export: Value = serde_json::from_str(&exported_beside(&config, &data, &t.id).await).unwrap();
    let timeline = export["timeline"].as_array().unwrap();
    assert_eq!(timeline.last().unwrap()["event"]["text"], "the buyer called back");
    assert_eq!(timeline[timeline.len() - 2]["event"]["type"], "redacted");
    socket.close();
    bot.stop().await;
    let (verified, findings) = verify(&config, &data);
    assert!(verified, "{findings}");
}

/// The bot removed from the trouble's channel: the answer says the line's edit waits until the
/// channel is back (Slack refuses it meanwhile), and how to have it gone now.
#[tokio::test]
async fn a_redaction_in_a_channel_the_bot_lost_says_the_lines_edit_waits_for_it() {
    let (bot, t) = noted().await;
    bot.slack.lose_channel(&t.channel, "not_in_channel");
    let mut left = channel_event("channel_left", &t.channel, None);
    left["event"]["actor_id"] = serde_json::json!(MANAGER);
    assert_eq!(bot.event(&left, None).await.status(), 200);
    bot.posted_saying(SALES, "removed the bot").await;
    bot.settle().await;
    let socket = answering(&bot);
    let (_dir, config) = cli_config();
    let data = bot.dir.path().to_path_buf();
    let note = entry_number(
        &serde_json::from_str(&exported_beside(&config, &data, &t.id).await).unwrap(),
        "note",
    );
    let (ok, stdout, stderr) = beside(&config, &data, &["redact", &t.id, &note, "--reason", "erasure request"]).await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("the channel is archived or the bot is out of it: the edit waits until it is back"),
        "{stdout}"
    );
    socket.close();
}

/// What the running bot refuses changes nothing: a text the record repeats, and a note whose
/// post is still on its way to Slack (it would post it all the same), until it went.
#[tokio::test]
async fn what_the_running_bot_refuses_changes_nothing_and_a_note_still_being_posted_waits_until_it_went() {
    let bot = spawn_bot().await;
    let socket = answering(&bot);
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.settle().await;
    let data = bot.dir.path().to_path_buf();
    let (_dir, config) = cli_config();
    bot.slack.fail_http_next("chat.postMessage", 500, 2);
    bot.command_text(SALES, &t.channel, &format!("note {SECRET_WORD} called"))
        .await;
    let before = exported_beside(&config, &data, &t.id).await;
    let note = entry_number(&serde_json::from_str(&before).unwrap(), "note");
    for (entry, says) in [
        ("1", "the trouble's record repeats entry 1's text".to_string()),
        (
            note.as_str(),
            format!("a Slack call for the trouble not made yet holds entry {note}'s text"),
        ),
    ] {
        let (ok, stdout, stderr) = beside(&config, &data, &["redact", &t.id, entry, "--reason", "erasure"]).await;
        assert!(
            !ok && stdout.is_empty() && stderr.contains(&says),
            "{entry}: {stdout}{stderr}"
        );
        assert_eq!(
            exported_beside(&config, &data, &t.id).await,
            before,
            "{entry} changed the store"
        );
    }
    bot.posted_saying(&t.channel, SECRET_WORD).await;
    bot.settle().await;
    let (ok, stdout, stderr) = beside(&config, &data, &["redact", &t.id, &note, "--reason", "erasure"]).await;
    assert!(ok, "{stdout}{stderr}");
    socket.close();
}

/// A bot of an earlier release answers a request it does not know as no admin request: the
/// command line says that bot cannot redact while it runs, rather than what serde said.
#[tokio::test]
async fn a_running_bot_of_an_earlier_release_is_told_apart_and_nothing_is_changed() {
    let data = tempfile::tempdir().unwrap();
    let listener = std::os::unix::net::UnixListener::bind(data.path().join("trouble-admin.sock")).unwrap();
    let earlier = std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        let (stream, _) = listener.accept().unwrap();
        let mut asked = String::new();
        std::io::BufReader::new(&stream).read_line(&mut asked).unwrap();
        // As every release before this one answered a command it does not know.
        let answer = r#"{"code":2,"stdout":"","stderr":"not an admin request: unknown variant `redact`, expected one of `ping`, `export`, `verify`, `backup`, `export-list` at line 1 column 19\n"}"#;
        (&stream).write_all(format!("{answer}\n").as_bytes()).unwrap();
        asked
    });
    let (_dir, config) = cli_config();
    let (ok, stdout, stderr) = beside(
        &config,
        data.path(),
        &["redact", "20261130-1", "3", "--reason", "erasure"],
    )
    .await;
    assert!(!ok && stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("is of an earlier release, which does not redact while it runs")
            && stderr.contains("stop the bot")
            && stderr.contains("nothing was changed")
            && !stderr.contains("unknown variant"),
        "{stderr}"
    );
    let asked: Value = serde_json::from_str(&earlier.join().unwrap()).unwrap();
    assert_eq!(asked["command"], "redact");
    assert!(!data.path().join("db").exists(), "no store made");
}

/// `trouble-bot ARGS` with the database at `url` (and a config without one): (succeeded,
/// stdout, stderr).
fn on_database(url: &str, args: &[&str]) -> (bool, String, String) {
    let (_dir, config) = cli_config();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .args(args)
        .env("TROUBLE_CONFIG", &config)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn on_postgresql_a_note_is_redacted_in_the_database_and_what_is_refused_changes_nothing() {
    let (mut bot, t) = noted().await;
    bot.stop().await;
    let url = pg::fresh_database();
    let from = bot.dir.path().to_string_lossy().into_owned();
    let (ok, stdout, stderr) = on_database(&url, &["migrate-store", "--from", &from, "--to", &url]);
    assert!(ok, "{stdout}{stderr}");
    let (ok, json, stderr) = on_database(&url, &["export", &t.id, "--format", "json"]);
    assert!(ok, "{stderr}");
    let export: Value = serde_json::from_str(&json).unwrap();
    let note = entry_number(&export, "note");

    let (ok, stdout, stderr) = on_database(&url, &["redact", &t.id, "1", "--reason", "erasure"]);
    assert!(
        !ok && stdout.is_empty() && stderr.contains("the trouble's record repeats entry 1's text"),
        "{stderr}"
    );
    assert_eq!(
        on_database(&url, &["export", &t.id, "--format", "json"]).1,
        json,
        "a refusal changed the database"
    );

    // A write that changes no row (an entry that is not there, say) rolls the redaction back
    // whole: no redaction recorded over entries left as they were.
    let pool = trouble_bot::store::pg::connect(&url).unwrap();
    let id = trouble_bot::trouble::model::TroubleId::new(&t.id);
    let seq = note.parse::<u64>().unwrap() - 1;
    let failed = trouble_bot::store::pg::store::redact(&pool, &id, |trouble, timeline, queued| {
        let now = chrono::Utc::now();
        let mut r = trouble_bot::trouble::redact::redact(trouble, timeline, queued, &[seq], "erasure", now)?;
        r.erased[0].seq = 999;
        Ok::<_, trouble_bot::trouble::redact::Refusal>(r)
    })
    .await;
    let error = failed.expect_err("a write that changed no row").to_string();
    assert!(error.contains("changed 0 rows, not one"), "{error}");
    assert_eq!(
        on_database(&url, &["export", &t.id, "--format", "json"]).1,
        json,
        "a write that changed no row changed the database"
    );

    let (ok, stdout, stderr) = on_database(&url, &["redact", &t.id, &note, "--reason", "erasure"]);
    assert!(
        ok && stdout.contains(&format!("the texts of entries {note} erased")),
        "{stdout}{stderr}"
    );
    let (ok, findings, _) = on_database(&url, &["verify"]);
    assert!(ok, "{findings}");
    assert!(
        findings.contains(&format!("{}: entries {note} redacted by the administrator", t.id)),
        "{findings}"
    );
    let (ok, report, _) = on_database(&url, &["export", &t.id]);
    assert!(
        ok && report.contains("note: \\[redacted]") && !report.contains(SECRET_WORD),
        "{report}"
    );
    let client = trouble_bot::store::pg::connect(&url).unwrap().get().await.unwrap();
    for row in client.query("SELECT entry FROM timeline", &[]).await.unwrap() {
        let entry = String::from_utf8_lossy(row.get::<_, &[u8]>(0)).into_owned();
        assert!(!entry.contains(SECRET_WORD), "{entry}");
    }
}

/// When the CLI cannot even connect to the admin socket (here a symlink loop where the socket
/// should be), the request never left: it says nothing was changed, not that whether it was
/// done is unknown.
#[test]
fn a_connection_that_failed_says_nothing_was_changed() {
    let data = tempfile::tempdir().unwrap();
    let socket = data.path().join("trouble-admin.sock");
    std::os::unix::fs::symlink(&socket, &socket).unwrap();
    let (_dir, config) = cli_config();
    let (ok, stdout, stderr) = redact(&config, data.path(), "20261207-1", &["2"], "erasure");
    assert!(!ok && stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("did not answer") && stderr.contains("The request did not reach the bot: nothing was changed."),
        "{stderr}"
    );
    assert!(!stderr.contains("is not known"), "{stderr}");
}
