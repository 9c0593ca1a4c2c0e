//! What hurried English-speaking reps type for due dates, owners and promises: read as meant, or refused saying what was typed.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use trouble_bot::trouble::actions::Action;

const TOKYO: chrono_tz::Tz = chrono_tz::Asia::Tokyo;

fn local(at: Option<DateTime<Utc>>) -> String {
    at.expect("a time")
        .with_timezone(&TOKYO)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Types `command` (one that adds an action) and reads back the trouble's last action.
async fn added(bot: &TestBot, t: &OpenedTrouble, command: &str) -> Action {
    let r = bot.command_text(SALES, &t.channel, command).await;
    assert!(r.to_lowercase().contains("action #"), "{command}: {r}");
    trouble(bot, &t.id).substance.actions.pop().expect("an action")
}

/// The test clock starts on Monday 2026-11-30, 10:00 in Tokyo.
#[tokio::test]
async fn a_time_with_am_or_pm_after_a_due_date_belongs_to_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for (command, due) in [
        ("action interim sort stock due: friday 3pm", "2026-12-04 15:00"),
        ("action interim sort stock due: tomorrow 10am", "2026-12-01 10:00"),
        ("action interim sort stock due: 12/10 3pm", "2026-12-10 15:00"),
        ("action interim sort stock (due 12/10 3:30 pm)", "2026-12-10 15:30"),
    ] {
        let action = added(&bot, &t, command).await;
        assert_eq!(action.text, "sort stock", "{command}");
        assert_eq!(local(action.due), due, "{command}");
    }
}

#[tokio::test]
async fn an_owner_and_a_due_date_written_without_a_colon_are_the_options() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let action = added(&bot, &t, "action interim sort owner <@U0COLLEAGUE> due 12/5").await;
    assert_eq!(action.text, "sort");
    assert_eq!(action.owner.as_str(), COLLEAGUE);
    assert_eq!(local(action.due), "2026-12-05 18:00");
    let action = added(&bot, &t, "prevent retrain operators owner <@U0COLLEAGUE>").await;
    assert_eq!(action.text, "retrain operators");
    assert_eq!(action.owner.as_str(), COLLEAGUE);
    // "due" before words that are not a date is the text's own.
    let action = added(&bot, &t, "action interim sort stock due to mold").await;
    assert_eq!(action.text, "sort stock due to mold");
    assert_eq!(action.due, None);
}

#[tokio::test]
async fn a_due_date_that_does_not_read_is_quoted_whole() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot
        .command_text(SALES, &t.channel, "action interim sort stock due: in a fortnight")
        .await;
    assert!(r.contains("`in a fortnight` is not a date"), "{r}");
    // The answer shows the forms that read, a date with a time among them.
    assert!(r.contains("`Dec 10 3pm`") && r.contains("`in 2 weeks`"), "{r}");
    assert!(trouble(&bot, &t.id).substance.actions.is_empty());

    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: 筐体割れ").await;
    let r = bot
        .command_text(SALES, &t.channel, "action 暫定 選別 期限：来月のどこか")
        .await;
    assert!(r.contains("`来月のどこか`") && r.contains("`12/10 15時`"), "{r}");
}

/// A day without a year is the one nearest to now: `12/5` typed on 30 November is this
/// December, still ahead, and refused, never a December a year gone.
#[tokio::test]
async fn an_occurrence_without_a_year_is_the_nearest_such_day() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot.command_text(SALES, &t.channel, "fact occurred 12/5").await;
    assert!(r.contains("Write when it occurred"), "{r}");
    assert_eq!(trouble(&bot, &t.id).substance.facts.occurred, None);
    bot.command_text(SALES, &t.channel, "fact occurred 11/28").await;
    assert_eq!(
        trouble(&bot, &t.id).substance.facts.occurred.as_deref(),
        Some("2026-11-28")
    );
}

/// `17h` is 17:00 to many reps and seventeen hours to others: neither is guessed.
#[tokio::test]
async fn a_promise_of_17h_alone_is_refused_offering_both_readings() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot
        .command_text(SALES, &t.channel, "update Called them next: 17h")
        .await;
    assert!(r.contains("`17:00`") && r.contains("`in 17h`"), "{r}");
    assert!(trouble(&bot, &t.id).customer_updates.is_empty());
    let r = bot
        .command_text(SALES, &t.channel, "update Called them next: in 17h")
        .await;
    assert!(!r.contains("`in 17h`"), "{r}");
    assert_eq!(trouble(&bot, &t.id).customer_updates.len(), 1);

    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: 筐体割れ").await;
    let r = bot.command_text(SALES, &t.channel, "update 電話済み 次回：17h").await;
    assert!(r.contains("`17:00`") && r.contains("`17時間後`"), "{r}");
    // Without the colon, `次回` before a time is the promise all the same: asked which, not
    // kept as words of the update with no promise and nobody told.
    let r = bot.command_text(SALES, &t.channel, "報告 電話済み 次回 17h").await;
    assert!(r.contains("`17:00`") && r.contains("`17時間後`"), "{r}");
    assert!(trouble(&bot, &t.id).customer_updates.is_empty());
    // Now is Monday 2026-11-30 10:00. "By Monday", said on a Monday morning, is today's close,
    // as `mon 17:00` is today's 17:00: read as a week on, it would hold the nudges back a week.
    let r = bot.command_text(SALES, &t.channel, "報告 お詫び 次回：月曜").await;
    assert!(r.contains("2026-11-30(月) 18:00"), "{r}");
    // The day after tomorrow, next week's Monday, by noon.
    for (typed, promised) in [
        ("報告 お詫び 次回 明後日 10時", "2026-12-02T10:00:00+09:00"),
        ("報告 状況説明、次回は来週月曜 10時", "2026-12-07T10:00:00+09:00"),
        ("報告 代替品の手配 次回の連絡 明日午前中", "2026-12-01T12:00:00+09:00"),
    ] {
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert!(r.contains("記録しました"), "{typed}: {r}");
        let update = trouble(&bot, &t.id).customer_updates.pop().expect("an update");
        let promised = chrono::DateTime::parse_from_rfc3339(promised).unwrap();
        assert_eq!(update.promised_next, Some(promised.into()), "{typed}");
    }
}

/// The 8D's words for the kinds (containment, corrective, preventive) and `complete`/`verified`.
#[tokio::test]
async fn the_8ds_words_name_an_action_and_complete_and_verified_mark_it() {
    use trouble_bot::trouble::actions::ActionKind;
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for (command, kind) in [
        ("action containment sort stock", ActionKind::Interim),
        ("action corrective new mold", ActionKind::Permanent),
        ("action preventive retrain operators", ActionKind::Prevent),
    ] {
        assert_eq!(added(&bot, &t, command).await.kind, kind, "{command}");
    }
    bot.command_text(SALES, &t.channel, "action complete 1 all sorted")
        .await;
    let action = &trouble(&bot, &t.id).substance.actions[0];
    assert_eq!(action.done.as_ref().map(|m| m.note.as_str()), Some("all sorted"));
    bot.command_text(MANAGER, &t.channel, "action verified 1 sampled 20, all good")
        .await;
    assert!(trouble(&bot, &t.id).substance.actions[0].verified.is_some());
}

/// Promises as hurried reps write them: a month's name, the time first, `eod`.
#[tokio::test]
async fn promises_read_month_names_time_first_and_end_of_day() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for (next, promised) in [
        ("Dec 5 3pm", "2026-12-05 15:00"),
        ("3pm tomorrow", "2026-12-01 15:00"),
        ("at 4.30pm", "2026-11-30 16:30"),
        ("tmrw noon", "2026-12-01 12:00"),
        ("next fri 0900", "2026-12-04 09:00"),
        ("“tomorrow eod”", "2026-12-01 18:00"),
        ("EOD", "2026-11-30 18:00"),
    ] {
        let r = bot
            .command_text(SALES, &t.channel, &format!("update Called them next: {next}"))
            .await;
        assert!(r.contains(promised), "{next}: {r}");
        let stored = trouble(&bot, &t.id);
        assert_eq!(local(stored.promised_next()), promised, "{next}");
    }
    let r = bot
        .command_text(SALES, &t.channel, "update Called them next: tomorrow morning")
        .await;
    assert!(r.contains("`Dec 5 3pm`") && r.contains("`12/5 15:00`"), "{r}");
    assert!(!r.contains("what happens next"), "a time mistyped is not prose: {r}");
    // The next steps written after `next:` are refused with where they go.
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "update Apologised. next: we ship replacements friday",
        )
        .await;
    assert!(r.contains("what happens next goes in the update's text"), "{r}");

    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: 筐体割れ").await;
    let r = bot
        .command_text(SALES, &t.channel, "update 電話済み 次回：そのうち")
        .await;
    assert!(r.contains("`12/5 15:00`"), "{r}");
    // The time promised is read back with its weekday, as a Japanese calendar writes it; the
    // colon after 次回 is often left out.
    let r = bot
        .command_text(SALES, &t.channel, "update 電話済み 次回 明日 10時")
        .await;
    assert!(r.contains("2026-12-01(火) 10:00"), "{r}");
    assert_eq!(local(trouble(&bot, &t.id).promised_next()), "2026-12-01 10:00");
    // So is the colon after 期限, and `5日後` is that day's close, as `in 5 days` is.
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "action interim 在庫の再印字 担当 <@U0SALES> 期限 5日後",
        )
        .await;
    assert!(r.contains("対策 #1"), "{r}");
    let action = trouble(&bot, &t.id).substance.actions.pop().expect("an action");
    assert_eq!(action.text, "在庫の再印字");
    assert_eq!(local(action.due), "2026-12-05 18:00");
    // A split named by its payers, as a Japanese rep writes one.
    bot.command_text(SALES, &t.channel, "split 当社70 お客様30 金型の不良")
        .await;
    let split = trouble(&bot, &t.id).split.expect("a split");
    assert_eq!(
        (split.ours, split.customer, split.reason.as_str()),
        (70, 30, "金型の不良")
    );
}

/// Due dates as hurried reps write them: spans, month names, `eod`, `next fri`.
#[tokio::test]
async fn due_dates_read_spans_month_names_and_end_of_day() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    for (due, at) in [
        ("due: in 2 weeks", "2026-12-14 18:00"),
        ("due: 3 business days", "2026-12-03 18:00"),
        ("due: Dec 5 3pm", "2026-12-05 15:00"),
        ("due: tomorrow eod", "2026-12-01 18:00"),
        ("due: next fri", "2026-12-04 18:00"),
        ("due thurs 1500", "2026-12-03 15:00"),
    ] {
        let action = added(&bot, &t, &format!("action interim sort stock {due}")).await;
        assert_eq!(action.text, "sort stock", "{due}");
        assert_eq!(local(action.due), at, "{due}");
    }
    // Four digits with more of the text after them count something: not 15:00.
    let action = added(&bot, &t, "action interim sort due: 12/5 1500 pcs").await;
    assert_eq!(action.text, "sort 1500 pcs");
    assert_eq!(local(action.due), "2026-12-05 18:00");
    // `17h` could be the hour or the hours: the answer offers both, and nothing is added.
    let r = bot
        .command_text(SALES, &t.channel, "action interim recheck lot due: 17h")
        .await;
    assert!(r.contains("`17:00`") && r.contains("`in 17h`"), "{r}");
    assert!(!trouble(&bot, &t.id)
        .substance
        .actions
        .iter()
        .any(|a| a.text.contains("recheck")));
    let action = added(&bot, &t, "prevent retrain operators check: 3 months").await;
    assert_eq!(local(action.check), "2027-02-28 18:00");
}

#[tokio::test]
async fn an_occurrence_may_name_its_month() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "fact occurred Nov 28").await;
    assert_eq!(
        trouble(&bot, &t.id).substance.facts.occurred.as_deref(),
        Some("2026-11-28")
    );
}
