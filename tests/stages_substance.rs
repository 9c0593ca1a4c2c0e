//! Stages with substance end to end: facts, returned goods, scope, actions with owners and due dates, the close rule, the effectiveness check and reopening, corrections, search and recurrence.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use trouble_bot::i18n::Locale;
use trouble_bot::trouble::actions::Action;
use trouble_bot::trouble::facts::{ReturnState, StepEvent};
use trouble_bot::trouble::model::{StageId, StageState, TroubleId, UserId};
use trouble_bot::trouble::timeline::Event;

fn step_events(bot: &TestBot, id: &str) -> Vec<StepEvent> {
    bot.store()
        .timeline(&TroubleId::new(id))
        .expect("timeline readable")
        .into_iter()
        .filter_map(|e| match e.event {
            Event::Stage(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Waits until a message in `channel` (a user id: the DM) contains every needle.
async fn message_with(bot: &TestBot, channel: &str, needles: &[&str]) -> Value {
    bot.paced(&format!("a message in {channel} with {needles:?}"), || {
        bot.slack
            .messages_in(channel)
            .into_iter()
            .find(|m| needles.iter().all(|n| text_of(m).contains(n)))
    })
    .await
}

/// The status message as last edited.
async fn status_with(bot: &TestBot, id: &str, needles: &[&str]) -> String {
    bot.paced(&format!("the status of {id} showing {needles:?}"), || {
        let status = trouble(bot, id).status?;
        let latest = bot
            .slack
            .message_versions(status.channel.as_str(), status.ts.as_str())
            .pop()?;
        let text = text_of(&latest);
        needles.iter().all(|n| text.contains(n)).then_some(text)
    })
    .await
}

/// A trouble acknowledged, with one prevention action (a mold temperature alarm) whose
/// effectiveness is to be checked after `check`, every stage done, and closed.
async fn closed_with_a_check(bot: &TestBot, check: &str) -> OpenedTrouble {
    opened_and_closed_with_a_check(bot, "ACME: housings cracked", check).await
}

/// The effectiveness check's question in `t`'s channel, the bot's clock moved on to the check
/// date the callers give it (2 s after the measure was added) rather than waiting for it.
async fn asked_whether_it_worked(bot: &TestBot, t: &OpenedTrouble) -> Value {
    bot.advance(Duration::from_secs(2));
    message_with(bot, &t.channel, &["Did it work?", "Mold temperature alarm"]).await
}

/// [`closed_with_a_check`], for the trouble `open` reads from `text`.
async fn opened_and_closed_with_a_check(bot: &TestBot, text: &str, check: &str) -> OpenedTrouble {
    let t = bot.open_ready(text).await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            &format!("action prevent Mold temperature alarm check:{check}"),
        )
        .await;
    assert!(r.contains("#1"), "{r}");
    all_stages_done(bot, &t).await;
    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert!(r.contains("Closed"), "{r}");
    t
}

#[tokio::test]
async fn facts_from_the_command_and_the_form_are_stored_and_shown_in_the_status() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;

    let r = bot.command_text(SALES, &t.channel, "fact part HX-200").await;
    assert!(r.contains("Facts recorded"), "{r}");
    bot.command_text(SALES, &t.channel, "fact lot L42").await;
    bot.command_text(SALES, &t.channel, "fact lot L43").await;
    let r = bot.command_text(SALES, &t.channel, "fact occurred someday").await;
    assert!(r.contains("occurred"), "an occurrence not understood is refused: {r}");
    // Forms that mean something only when typed would read as nonsense in the customer's 8D.
    for relative in ["2h", "tomorrow 10:00", "mon 9:00", "2026-12-24 10:00"] {
        let r = bot
            .command_text(SALES, &t.channel, &format!("fact occurred {relative}"))
            .await;
        assert!(
            r.contains("Write when it occurred") && r.contains("Nothing was recorded"),
            "{relative}: {r}"
        );
    }
    assert_eq!(trouble(&bot, &t.id).substance.facts.occurred, None);
    // When only the day is known, the day is kept, as the date it was: `yesterday` would
    // mean another day to whoever reads the 8D later.
    for (day, kept) in [
        ("昨日", "2026-11-29"),
        ("11/27", "2026-11-27"),
        ("yesterday", "2026-11-29"),
    ] {
        let r = bot
            .command_text(SALES, &t.channel, &format!("fact occurred {day}"))
            .await;
        // The first day given is recorded; each after it takes its place, and says so.
        let said = if day == "昨日" {
            "Facts recorded"
        } else {
            "Corrected (Occurred)"
        };
        assert!(r.contains(said), "{day}: {r}");
        assert_eq!(trouble(&bot, &t.id).substance.facts.occurred.as_deref(), Some(kept));
    }
    status_with(&bot, &t.id, &["2026-11-29"]).await;
    message_with(&bot, &t.channel, &["Fact recorded", "2026-11-29"]).await;
    // A date without its year is the last one that has passed, kept in full.
    bot.command_text(SALES, &t.channel, "fact occurred 11/28 9:30").await;
    assert_eq!(
        trouble(&bot, &t.id).substance.facts.occurred.as_deref(),
        Some("2026-11-28 09:30")
    );
    let refused = bot
        .interaction(&facts_form_now(&bot, &t.id, &[("occurred", "in 2h")]))
        .await;
    let refused: Value = refused.json().await.expect("field errors");
    assert!(
        refused["errors"]["fact_occurred"]
            .as_str()
            .is_some_and(|e| e.contains("Write when it occurred")),
        "{refused}"
    );

    // `/trouble fact` alone opens the form, filled with what is known.
    assert_eq!(bot.command(SALES, &t.channel, "fact").await, Value::Null);
    let form = bot.slack.wait_for("views.open", |_| true).await;
    let view = &form.params["view"];
    assert_eq!(view["callback_id"], "trouble_facts", "{view}");
    assert!(
        view.to_string().contains("HX-200"),
        "the form shows the part already known: {view}"
    );

    let response = bot
        .interaction(&facts_form_now(
            &bot,
            &t.id,
            &[
                ("qty", "120 pcs"),
                ("symptom", "crack at the boss"),
                ("occurred", "2026-11-28 10:00"),
            ],
        ))
        .await;
    assert_eq!(response.status(), 200);

    let stored = bot
        .paced("the form's facts stored", || {
            let t = trouble(&bot, &t.id);
            t.substance.facts.symptom.is_some().then_some(t)
        })
        .await;
    let facts = &stored.substance.facts;
    assert_eq!(facts.part.as_deref(), Some("HX-200"));
    assert_eq!(facts.lots, ["L42", "L43"]);
    assert_eq!(facts.qty.as_deref(), Some("120 pcs"));
    assert_eq!(facts.occurred.as_deref(), Some("2026-11-28 10:00"));
    assert_eq!(stored.stages[0].state, StageState::InProgress);

    status_with(&bot, &t.id, &["HX-200", "L42, L43", "120 pcs", "crack at the boss"]).await;
    message_with(&bot, &t.channel, &["Fact recorded", "HX-200"]).await;
    let events = step_events(&bot, &t.id);
    let logged = |superseding: bool| {
        events
            .iter()
            .filter(|e| match e {
                StepEvent::Fact { .. } => !superseding,
                StepEvent::FactSuperseded { .. } => superseding,
                _ => false,
            })
            .count()
    };
    assert_eq!(
        (logged(false), logged(true)),
        (6, 4),
        "each fact is a timeline entry; the four later occurrences each supersede the one before"
    );

    // The form shows the whole list of lots: what it gives back is the list, even alone. A lot
    // typed full-width is the lot typed half-width.
    let response = bot
        .interaction(&facts_form_now(&bot, &t.id, &[("lot", "Ｌ４２")]))
        .await;
    assert_eq!(response.status(), 200);
    let lots = bot
        .paced("the form's lot list stored", || {
            let lots = trouble(&bot, &t.id).substance.facts.lots;
            (lots.len() == 1).then_some(lots)
        })
        .await;
    assert_eq!(lots, ["L42"], "L43, taken off the form's list, is off the record");

    // A fact emptied on the form (as Slack sends an empty input: a null value, or "") is not
    // taken off unnoticed: the form stays open on that field, saying what the record keeps,
    // and nothing of the form is recorded.
    let before = trouble(&bot, &t.id);
    let mut emptied = facts_form_now(&bot, &t.id, &[("part", "HX-301"), ("lot", "L42"), ("qty", "")]);
    for (field, value) in [
        ("fact_qty", json!("")),
        ("fact_qty", Value::Null),
        ("fact_lot", Value::Null),
    ] {
        emptied["view"]["state"]["values"]["fact_qty"] = json!({"value": {"type": "plain_text_input", "value": "40"}});
        emptied["view"]["state"]["values"][field]["value"]["value"] = value;
        emptied["view"]["id"] = json!(format!("VEMPTIED{}", unique()));
        let answer: Value = bot.interaction(&emptied).await.json().await.expect("field errors");
        let error = answer["errors"][field].as_str().unwrap_or_default();
        assert!(
            error.contains("cannot be emptied: the record keeps"),
            "{field}: {answer}"
        );
        assert!(error.contains("Nothing was recorded"), "{error}");
    }
    assert_eq!(trouble(&bot, &t.id).substance, before.substance, "nothing changed");
}

#[tokio::test]
async fn the_open_form_takes_facts_too() {
    let bot = spawn_bot().await;
    let mut submission = open_submission(
        "ACME",
        "housings cracked",
        MANAGER,
        &json!({"channel": ORIGIN}).to_string(),
    );
    submission["view"]["state"]["values"]["fact_part"] =
        json!({"value": {"type": "plain_text_input", "value": "HX-9"}});
    // An occurrence that does not read keeps the form open on its field, and opens nothing.
    let mut refused = submission.clone();
    refused["view"]["id"] = json!("V0REFUSED");
    refused["view"]["state"]["values"]["fact_occurred"] =
        json!({"value": {"type": "plain_text_input", "value": "tomorrow 10:00"}});
    let answer: Value = bot.interaction(&refused).await.json().await.expect("field errors");
    assert!(
        answer["errors"]["fact_occurred"]
            .as_str()
            .is_some_and(|e| e.contains("Write when it occurred")),
        "{answer}"
    );
    assert_eq!(bot.store().trouble_count(), 0, "nothing opened");
    assert_eq!(bot.interaction(&submission).await.status(), 200);
    let t = bot
        .paced("the trouble opened with its part", || {
            bot.store()
                .all_troubles()
                .ok()?
                .into_iter()
                .find(|t| t.substance.facts.part.as_deref() == Some("HX-9"))
        })
        .await;
    assert_eq!(t.customer, "ACME");
}

#[tokio::test]
async fn a_returned_goods_reminder_fires_once() {
    let bot = spawn_bot_raw(&format!(
        "return_reminder_after = \"1s\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"
    ))
    .await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot
        .command_text(SALES, &t.channel, "return requested qty 12 tracking YM-123")
        .await;
    assert!(r.contains("requested"), "{r}");
    message_with(
        &bot,
        &t.channel,
        &["Returned goods recorded by <@U0SALES>: requested", "qty 12", "YM-123"],
    )
    .await;
    message_with(&bot, &t.channel, &["neither shipped nor received", SALES]).await;
    // The timer is not set again: one reminder, however long the goods stay requested.
    let is_reminder = |c: &Call| text_of(&c.params).contains("neither shipped nor received");
    let first = bot
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| is_reminder(c))
        .map(|c| c.seq)
        .min();
    let first = first.expect("the reminder was posted");
    // A week of the bot's clock, every timer due in it fired and its calls delivered: a second
    // reminder would have come by then (rather than waiting real seconds for none to come).
    bot.advance_and_settle(Duration::from_secs(7 * 86_400)).await;
    bot.expect_none("chat.postMessage", |c| c.seq > first && is_reminder(c))
        .await;
    let stored = trouble(&bot, &t.id);
    assert_eq!(
        stored.substance.returned.as_ref().map(|r| r.state),
        Some(ReturnState::Requested)
    );
    assert_eq!(
        step_events(&bot, &t.id)
            .iter()
            .filter(|e| matches!(e, StepEvent::ReturnReminded))
            .count(),
        1
    );
}

#[tokio::test]
async fn received_goods_are_not_reminded_about() {
    let bot = spawn_bot_raw(&format!(
        "return_reminder_after = \"1s\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"
    ))
    .await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "return requested").await;
    bot.command_text(SALES, &t.channel, "return received qty 12").await;
    message_with(&bot, &t.channel, &["Returned goods recorded by <@U0SALES>: received"]).await;
    // Past the reminder's time (a second after the request) by a week, its timer fired.
    bot.advance_and_settle(Duration::from_secs(7 * 86_400)).await;
    bot.expect_none("chat.postMessage", |c| {
        text_of(&c.params).contains("neither shipped nor received")
    })
    .await;
}

#[tokio::test]
async fn stage_two_is_refused_with_an_unchecked_scope_line() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot.command_text(SALES, &t.channel, "scope Plant B, lots L40-L44").await;
    assert!(r.contains("#1"), "{r}");
    bot.command_text(SALES, &t.channel, "done 1").await;

    let r = bot.command_text(SALES, &t.channel, "done 2").await;
    assert!(r.contains("#1") && r.contains("not checked"), "{r}");
    assert_ne!(trouble(&bot, &t.id).stages[1].state, StageState::Done);
    // Not even the manager chain without a reason.
    let r = bot.command_text(MANAGER, &t.channel, "next").await;
    assert!(r.contains("not checked"), "{r}");

    // Undoing a line is not adding one named so: the line stays, and the way out is said.
    let r = bot.command_text(SALES, &t.channel, "scope remove 1").await;
    assert_eq!(
        r,
        "A scope line stays on the record. One added by mistake is checked with why it needs no check: \
         `/trouble scope check 1 not affected, added by mistake`. Nothing was recorded."
    );
    assert_eq!(trouble(&bot, &t.id).substance.scope.len(), 1);
    let r = bot
        .command_text(SALES, &t.channel, "scope check 1 no other lots shipped")
        .await;
    assert!(r.contains("checked"), "{r}");
    // Checked once: a second check would rewrite who checked it and why (`チェック`, as
    // Japanese also writes it, is the same check, never a new line named so).
    let r = bot.command_text(MANAGER, &t.channel, "範囲 チェック 1 undo").await;
    assert_eq!(
        r,
        format!("Scope line #1 was already checked by <@{SALES}>. Nothing was recorded.")
    );
    let line = &trouble(&bot, &t.id).substance.scope[0];
    assert_eq!(
        line.checked.as_ref().map(|m| m.note.as_str()),
        Some("no other lots shipped")
    );
    let r = bot.command_text(SALES, &t.channel, "done 2").await;
    assert!(r.contains("Stage 2"), "{r}");
    assert_eq!(trouble(&bot, &t.id).stages[1].state, StageState::Done);
}

#[tokio::test]
async fn the_manager_chain_may_complete_stage_two_with_a_reason() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "scope Plant C").await;
    let r = bot
        .command_text(MANAGER, &t.channel, "done 2 Plant C ships nothing of this part")
        .await;
    assert!(r.contains("Stage 2"), "{r}");
    assert_eq!(trouble(&bot, &t.id).stages[1].state, StageState::Done);
}

/// Types `command` (one that adds an action) and reads back the trouble's first action.
async fn first_action(bot: &TestBot, t: &OpenedTrouble, command: &str) -> Action {
    let r = bot.command_text(SALES, &t.channel, command).await;
    assert!(r.to_lowercase().contains("action #1"), "{r}");
    trouble(bot, &t.id).substance.actions.swap_remove(0)
}

#[tokio::test]
async fn an_action_owner_is_reminded_the_day_before_and_nudged_when_overdue() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    // Due in a few seconds: the business day before has passed, so that reminder is at once.
    let action = first_action(
        &bot,
        &t,
        "action interim Sort the warehouse stock owner:<@U0QA1> due:3s",
    )
    .await;
    assert_eq!(action.owner.as_str(), "U0QA1");
    assert!(action.due.is_some());
    assert_eq!(trouble(&bot, &t.id).stages[3].state, StageState::InProgress);

    let soon = message_with(&bot, "U0QA1", &["action #1 is due soon", "Sort the warehouse stock"]).await;
    // Addressed to its owner by a mention, and not named again by an id a phone shows raw.
    let soon = soon["text"].as_str().unwrap_or_default();
    assert!(
        soon.starts_with("🔔 <@U0QA1> action #1 is due soon") && soon.matches("U0QA1").count() == 1,
        "{soon}"
    );
    // Which trouble by its customer too; the action once, by its number.
    assert!(
        soon.contains(&format!(
            "(trouble {} ACME): interim: Sort the warehouse stock · due ",
            t.id
        )) && soon.matches("#1").count() == 1,
        "{soon}"
    );
    // To the due time on the bot's clock, rather than waiting it out.
    bot.advance(Duration::from_secs(3));
    message_with(&bot, &t.channel, &["action #1 is overdue", "U0QA1"]).await;
    message_with(&bot, "U0QA1", &["action #1 is overdue"]).await;
    let reminders: Vec<bool> = step_events(&bot, &t.id)
        .iter()
        .filter_map(|e| match e {
            StepEvent::ActionReminded { n: 1, overdue } => Some(*overdue),
            _ => None,
        })
        .collect();
    assert_eq!(reminders, [false, true]);
}

/// `/trouble prevent` takes what `action prevent` takes: an owner, a due date, a check date. A
/// measure typed with them is owned and reminded as typed, not owned by the trouble's owner
/// with the options left in its text.
#[tokio::test]
async fn prevent_takes_an_owner_a_due_date_and_a_check_date() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let action = first_action(
        &bot,
        &t,
        "prevent Mold temperature alarm owner:<@U0QA1> due:3s check:2026-12-25",
    )
    .await;
    assert_eq!(action.text, "Mold temperature alarm");
    assert_eq!(action.owner.as_str(), "U0QA1");
    assert!(action.due.is_some() && action.check.is_some(), "{action:?}");
    // The report's timeline entry says the check date as the channel line does.
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(
        report.contains("action #1 prevention: Mold temperature alarm · owner @U0QA1 · due ")
            && report.contains(" · check Fri 2026-12-25 18:00\n"),
        "{report}"
    );
    message_with(&bot, "U0QA1", &["action #1 is due soon", "Mold temperature alarm"]).await;

    // A mistake in an option is answered with `prevent`'s words, and nothing is recorded.
    let r = bot.command_text(SALES, &t.channel, "prevent Alarm owner:bob").await;
    assert!(r.contains("`/trouble prevent … owner: @name`"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "prevent owner:<@U0QA1>").await;
    assert!(r.contains("Write the text after `/trouble prevent`"), "{r}");
    assert_eq!(trouble(&bot, &t.id).substance.actions.len(), 1);
}

/// The report lists each action once: interim and corrective ones with the 8D's substance, the
/// prevention measures under their own heading with owner, due date and state.
#[tokio::test]
async fn the_report_lists_each_action_once_and_prevention_under_its_own_heading() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action interim Sort stock").await;
    bot.command_text(
        SALES,
        &t.channel,
        "prevent Mold temperature alarm owner:<@U0QA1> due:2026-12-20",
    )
    .await;
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    let section = |heading: &str| -> String {
        let start = report
            .find(heading)
            .unwrap_or_else(|| panic!("{heading:?} in:\n{report}"));
        let rest = &report[start + heading.len()..];
        rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
    };
    let substance = section("## Facts, cause and actions (8D)");
    let prevention = section("## Prevention measures");
    assert!(substance.contains("#1 interim: Sort stock"), "{substance}");
    assert!(!substance.contains("Mold temperature alarm"), "{substance}");
    let line = prevention
        .lines()
        .find(|l| l.contains("#2 prevention: Mold temperature alarm"))
        .unwrap_or_else(|| panic!("{prevention}"));
    for part in ["owner @U0QA1", "due Sun 2026-12-20 18:00", "open"] {
        assert!(line.contains(part), "{part:?} in {line:?}");
    }
    assert_eq!(
        report.matches("Mold temperature alarm").count(),
        2,
        "its line and its timeline entry:\n{report}"
    );
    // The timeline's entry reads as the section's line does, its parts apart.
    assert!(
        report.contains("action #2 prevention: Mold temperature alarm · owner @U0QA1 · due Sun 2026-12-20 18:00"),
        "{report}"
    );
    assert!(report.contains("- Closed: not yet (open)"), "{report}");

    // A split without a reason and a cost without a note end where they end: no empty dash.
    // The split's answer says its why is missing, and how to give it.
    let r = bot.command_text(SALES, &t.channel, "split 60/40").await;
    assert!(
        r.contains("No reason is recorded with it") && r.contains("`/trouble fix split OURS/CUSTOMER[/OTHER] REASON`"),
        "{r}"
    );
    bot.command_text(SALES, &t.channel, "cost ¥10,000 ours").await;
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    for line in [
        "- Split: us 60% / the customer 40% — proposal #1 awaiting approval\n",
        "- Cost #1 ¥10,000 (borne by us) — proposal #2 awaiting approval\n",
    ] {
        assert!(report.contains(line), "{line:?} in:\n{report}");
    }
}

#[tokio::test]
async fn only_its_owner_or_the_manager_chain_marks_an_action_done() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action interim Sort stock owner:<@U0QA1>")
        .await;
    let r = bot.command_text(SALES, &t.channel, "action done 1").await;
    assert!(r.contains("Only its owner") && r.contains("U0QA1"), "{r}");
    let r = bot.command_text("U0QA1", &t.channel, "action verify 1").await;
    assert!(r.contains("not done yet"), "{r}");
    let r = bot
        .command_text("U0QA1", &t.channel, "action done 1 all 480 sorted")
        .await;
    assert!(r.contains("done"), "{r}");
    // Who did the work does not check it: someone else of the department, or the chain.
    let r = bot.command_text("U0QA1", &t.channel, "action verify 1").await;
    assert!(
        r.starts_with("You owned action #1 or marked it done, so you cannot verify it"),
        "{r}"
    );
    let r = bot
        .command_text("U0QA2", &t.channel, "action verify 1 sampled 50")
        .await;
    assert!(r.contains("verified"), "{r}");
    let stored = trouble(&bot, &t.id);
    assert!(stored.substance.actions[0].verified.is_some());
}

/// The close waits for every interim action; so does the status's offer to close.
#[tokio::test]
async fn close_is_refused_while_an_interim_action_is_open() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "action interim Sort stock").await;
    bot.command_text(SALES, &t.channel, "prevent add a mold temperature alarm")
        .await;
    all_stages_done(&bot, &t).await;
    // The status offers no close that would be refused: it says what the close waits for.
    let status = bot.command_text(SALES, &t.channel, "status").await;
    assert!(
        status.contains("All stages done — before the close: interim action #1 done (`/trouble action done 1`)")
            && !status.contains("to close"),
        "{status}"
    );

    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert!(
        r.contains("Interim action #1 is not done yet (`/trouble action done 1`)"),
        "{r}"
    );
    assert!(trouble(&bot, &t.id).is_open());

    bot.command_text(SALES, &t.channel, "action done 1").await;
    let status = bot.command_text(SALES, &t.channel, "status").await;
    assert!(
        status.contains("All stages done — `/trouble close` to close"),
        "{status}"
    );
    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert!(r.contains("Closed"), "{r}");
    assert!(!trouble(&bot, &t.id).is_open());
}

#[tokio::test]
async fn the_effectiveness_check_reopens_a_trouble_when_the_measure_did_not_work() {
    let bot = spawn_bot().await;
    let t = closed_with_a_check(&bot, "2s").await;

    let asked = asked_whether_it_worked(&bot, &t).await;
    assert!(text_of(&asked).contains("effect_ng"), "two buttons: {asked}");
    // The owner's own measure: the ask says who confirms it worked.
    assert!(
        text_of(&asked).contains(&format!(
            "*Effective* is for <@{MANAGER}> to confirm, as for verifying an action (never the measure's own owner); anyone asked may answer *Not effective*."
        )),
        "{asked}"
    );
    // Someone who is neither the owner nor the chain cannot answer.
    click_on(&bot, "U0QA1", "effect_ng", &t, 1).await;
    let refusal = click_answer(&bot, "U0QA1", "").await;
    assert!(
        refusal.contains("answer whether a measure worked") && refusal.contains(SALES) && refusal.contains(MANAGER),
        "the refusal says what was refused and who may: {refusal}"
    );
    assert!(!trouble(&bot, &t.id).is_open(), "a refused answer reopens nothing");
    click_on(&bot, SALES, "effect_ng", &t, 1).await;

    let reopened = bot
        .paced("the trouble open again", || {
            let t = trouble(&bot, &t.id);
            t.is_open().then_some(t)
        })
        .await;
    assert_eq!(
        reopened.current_stage(),
        Some(StageId::Countermeasures),
        "back at stage 4"
    );
    assert!(reopened.ack.is_some(), "the acknowledgement is kept");
    assert_eq!(reopened.substance.actions[0].effective, Some(false));
    assert!(step_events(&bot, &t.id).iter().any(|e| matches!(
        e,
        StepEvent::Reopened {
            not_effective: Some(1),
            ..
        }
    )));
    // The reason names the check, not only the measure's own words.
    message_with(
        &bot,
        &t.channel,
        &[
            "reopened",
            "the effectiveness check found prevention action #1 “Mold temperature alarm” not effective",
        ],
    )
    .await;
    // A second tap is told it was answered, and reopens nothing again.
    click_on(&bot, MANAGER, "effect_ng", &t, 1).await;
    let again = click_answer(&bot, MANAGER, "").await;
    assert!(again.contains("already recorded as not effective"), "{again}");
    assert_eq!(trouble(&bot, &t.id).substance.reopened, 1);
}

#[tokio::test]
async fn reopen_by_hand_is_for_the_manager_chain_and_says_why() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "prevent alarm").await;
    all_stages_done(&bot, &t).await;
    bot.command_text(SALES, &t.channel, "close").await;
    let r = bot
        .command_text(SALES, &t.channel, "reopen customer found more cracks")
        .await;
    assert!(r.contains("Only") && r.contains(MANAGER), "{r}");
    let r = bot
        .command_text(MANAGER, &t.channel, "reopen customer found more cracks")
        .await;
    assert!(r.contains("open again"), "{r}");
    let t2 = trouble(&bot, &t.id);
    assert!(t2.is_open());
    assert_eq!(t2.current_stage(), Some(StageId::Countermeasures));
    message_with(&bot, &t.channel, &["reopened", "customer found more cracks"]).await;
}

/// A close forced by mistake while the facts were still being gathered, reopened: the work
/// stands where it was (stage 1), not at the measures it never reached.
#[tokio::test]
async fn a_close_forced_by_mistake_reopens_where_the_work_stood() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot.command_text(MANAGER, &t.channel, "close force wrong trouble").await;
    assert!(r.starts_with("Closed"), "{r}");
    let r = bot
        .command_text(MANAGER, &t.channel, "reopen closed the wrong one")
        .await;
    assert!(r.contains("open again"), "{r}");
    let reopened = trouble(&bot, &t.id);
    assert_eq!(reopened.current_stage(), Some(StageId::Facts));
    let states: Vec<StageState> = reopened.stages.iter().map(|s| s.state).collect();
    assert_eq!(states[0], StageState::InProgress);
    assert!(states[1..].iter().all(|s| *s == StageState::NotStarted), "{states:?}");
}

#[tokio::test]
async fn a_superseded_cost_is_left_out_of_the_totals() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 ours replacement shipping")
        .await;
    status_with(&bot, &t.id, &["¥120,000"]).await;
    let r = bot
        .command_text(SALES, &t.channel, "fix cost 1 ¥50,000 ours replacement shipping")
        .await;
    assert!(r.contains("Corrected"), "{r}");

    let status = status_with(&bot, &t.id, &["¥50,000"]).await;
    assert!(
        !status.contains("¥120,000"),
        "the old amount is out of the status and its totals: {status}"
    );
    assert!(!status.contains("¥170,000"), "{status}");
    let stored = trouble(&bot, &t.id);
    assert_eq!(stored.costs.len(), 1);
    assert_eq!(stored.costs[0].amount, "¥50,000");
    // The old entry stays on the timeline; the correction says it is superseded.
    let timeline = bot.store().timeline(&TroubleId::new(&t.id)).expect("timeline");
    assert!(timeline
        .iter()
        .any(|e| matches!(&e.event, Event::CostAdded { amount, .. } if amount == "¥120,000")));
    assert!(step_events(&bot, &t.id)
        .iter()
        .any(|e| matches!(e, StepEvent::CostSuperseded { n: 1, old_amount, .. } if old_amount == "¥120,000")));
    // The note typed with the correction is said with it.
    message_with(
        &bot,
        &t.channel,
        &["Corrected cost #1", "superseded)\n> replacement shipping"],
    )
    .await;
    // A correction of the amount alone keeps what the money is for; so does one of the shares.
    bot.command_text(SALES, &t.channel, "fix cost 1 ¥60,000 ours").await;
    assert_eq!(trouble(&bot, &t.id).costs[0].note, "replacement shipping");
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    bot.command_text(SALES, &t.channel, "fix split 60/40").await;
    let split = trouble(&bot, &t.id).split.expect("split");
    assert_eq!((split.ours, split.reason.as_str()), (60, "our mold"));
}

#[tokio::test]
async fn search_finds_a_trouble_by_a_lot_typed_in_full_width() {
    let bot = spawn_bot().await;
    let a = bot.open_ready("ACME: housings cracked").await;
    let b = bot.open_ready("Beta: wrong labels").await;
    bot.command_text(SALES, &a.channel, "fact lot LOT-42A").await;
    bot.command_text(SALES, &b.channel, "fact lot LOT-77").await;

    let found = bot.command_text(COLLEAGUE, ORIGIN, "search ｌｏｔ－４２ａ").await;
    assert!(found.contains(&a.id), "{found}");
    assert!(!found.contains(&b.id), "{found}");
    let by_customer = bot.command_text(COLLEAGUE, ORIGIN, "search ＡＣＭＥ株式会社").await;
    assert!(
        by_customer.contains(&a.id) && !by_customer.contains(&b.id),
        "{by_customer}"
    );
    let none = bot.command_text(COLLEAGUE, ORIGIN, "search LOT-99").await;
    assert!(none.contains("No trouble matches"), "{none}");
}

#[tokio::test]
async fn a_private_trouble_is_not_found_by_someone_who_may_not_see_it() {
    let bot = spawn_bot_raw(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let a = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &a.channel, "fact lot LOT-42A").await;
    let outsider = bot.command_text("U0STRANGER", ORIGIN, "search LOT-42A").await;
    assert!(!outsider.contains(&a.id), "{outsider}");
    let owner = bot.command_text(SALES, ORIGIN, "search LOT-42A").await;
    assert!(owner.contains(&a.id), "{owner}");
}

#[tokio::test]
async fn a_recurrence_is_flagged_by_part_in_the_kickoff_thread() {
    let bot = spawn_bot().await;
    let earlier = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &earlier.channel, "fact part HX-200").await;
    let later = bot.open_ready("ＡＣＭＥ株式会社: housings cracked again").await;
    bot.command_text(SALES, &later.channel, "fact part hx-200").await;

    let flag = bot
        .paced("the recurrence flagged in the kickoff thread", || {
            bot.slack
                .messages_in(&later.channel)
                .into_iter()
                .find(|m| m["thread_ts"] == later.kickoff_ts.as_str() && text_of(m).contains("Possible recurrence"))
        })
        .await;
    assert!(text_of(&flag).contains(&earlier.id), "{flag}");
    // Once per earlier trouble, however often the part is given again.
    bot.command_text(SALES, &later.channel, "fix fact part HX-200").await;
    message_with(&bot, &later.channel, &["Corrected Part", "HX-200"]).await;
    let flags = bot
        .slack
        .messages_in(&later.channel)
        .iter()
        .filter(|m| text_of(m).contains("Possible recurrence"))
        .count();
    assert_eq!(flags, 1);
    // A different customer with the same part is not a recurrence.
    let other = bot.open_ready("Beta: housings cracked").await;
    bot.command_text(SALES, &other.channel, "fact part HX-200").await;
    message_with(&bot, &other.channel, &["Fact recorded"]).await;
    assert!(!bot
        .slack
        .messages_in(&other.channel)
        .iter()
        .any(|m| text_of(m).contains("Possible recurrence")));
}

#[tokio::test]
async fn new_commands_answer_in_japanese_with_san_after_people() {
    let bot = spawn_bot_raw(&BASE_CONFIG.replace("locale = \"en\"", "locale = \"ja\"")).await;
    let t = bot.open_ready("ACME: ハウジング割れ").await;
    let r = bot
        .command_text(SALES, &t.channel, "action interim 全数選別 owner:<@U0QA1>")
        .await;
    assert!(r.contains("対策 #1"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "action done 1").await;
    assert!(r.contains("<@U0QA1>さん"), "{r}");
    let line = message_with(&bot, &t.channel, &["対策を追加", "全数選別"]).await;
    assert!(text_of(&line).contains("<@U0QA1>さん"), "{line}");
    assert!(!text_of(&line).contains("受領"), "{line}");
}

#[tokio::test]
async fn an_effectiveness_check_after_the_channel_was_archived_asks_the_owner_and_the_manager_by_dm() {
    let bot = spawn_bot().await;
    let t = closed_with_a_check(&bot, "1h").await;
    bot.settle().await;
    // Tidying up: the channel of the closed trouble is archived.
    bot.slack.lose_channel(&t.channel, "is_archived");
    let archived = channel_event("channel_archive", &t.channel, Some(SALES));
    assert_eq!(bot.event(&archived, None).await.status(), 200);

    bot.advance_and_settle(Duration::from_secs(3600)).await;
    for who in [SALES, MANAGER] {
        let asked = message_with(&bot, who, &["Did it work?", "Mold temperature alarm"]).await;
        let text = text_of(&asked);
        assert!(
            text.contains(&format!("📌 Trouble {}", t.id)) && text.contains("effect_ng"),
            "{text}"
        );
    }
    bot.nothing_posted_saying(&t.channel, "Did it work?").await;
}

/// `opened` opened, acknowledged by the manager, given the prevention measure `measure`
/// (`action prevent …`) to check an hour later, every stage done and closed: in whichever
/// language the bot speaks (its answers are not read).
async fn closed_with_a_measure_checked_in_an_hour(bot: &TestBot, opened: &str, measure: &str) -> OpenedTrouble {
    let t = bot.open_ready(opened).await;
    acknowledged_and_closed_with(bot, &t, MANAGER, &format!("{measure} check:1h")).await;
    t
}

/// The channel archived at check time, the check asks everyone it names by DM, with its
/// buttons: the owner, the manager who confirms it, and the measure's own owner (a field
/// engineer here), who would otherwise be named in a message nobody posts; so when the bot
/// learns of the archiving only as the check's post is refused.
#[tokio::test]
async fn an_effectiveness_check_after_the_channel_was_archived_reaches_the_measures_owner_too() {
    // Whether Slack told the bot of the archiving, or the check's post finds it out.
    for told in [true, false] {
        let bot = spawn_bot().await;
        let t = closed_with_a_measure_checked_in_an_hour(
            &bot,
            "+field ACME: housings cracked",
            "Mold temperature alarm owner:<@U0FS1>",
        )
        .await;
        assert_eq!(trouble(&bot, &t.id).substance.actions[0].owner.as_str(), "U0FS1");
        bot.settle().await;
        bot.slack.lose_channel(&t.channel, "is_archived");
        if told {
            let archived = channel_event("channel_archive", &t.channel, Some(SALES));
            assert_eq!(bot.event(&archived, None).await.status(), 200);
        }

        bot.advance_and_settle(Duration::from_secs(3600)).await;
        for who in [SALES, MANAGER, "U0FS1"] {
            let asked = message_with(&bot, who, &["Did it work?", "Mold temperature alarm"]).await;
            let text = text_of(&asked);
            assert!(
                text.contains(&format!("<@{SALES}> <@{MANAGER}> <@U0FS1>")) && text.contains("effect_ng"),
                "told {told}, {who}: {text}"
            );
        }
        // Untold, the channel's post was tried, and refused.
        if told {
            bot.nothing_posted_saying(&t.channel, "Did it work?").await;
        }
    }
}

/// The rep's manager in `[org]` after the reorg of [`checked_after_a_reorg`].
const NEW_MANAGER: &str = "U0NEWBOSS";

/// A trouble closed with a measure to check in an hour; then a reorg (the bot restarted with
/// `config`, in which the rep now reports to [`NEW_MANAGER`], who reports to the director), and
/// the hour passes.
async fn checked_after_a_reorg(bot: &mut TestBot, config: &str) -> OpenedTrouble {
    let t = closed_with_a_measure_checked_in_an_hour(bot, "ACME: housings cracked", "Mold temperature alarm").await;
    bot.settle().await;
    let reorg = config.replace(
        "U0SALES = \"U0MANAGER\"",
        &format!("U0SALES = \"{NEW_MANAGER}\"\n{NEW_MANAGER} = \"U0DIRECTOR\""),
    );
    assert_ne!(reorg, config);
    bot.restart_with_config(&reorg).await;
    bot.advance_and_settle(Duration::from_secs(3600)).await;
    t
}

/// After a reorg since the close, the one who confirms a measure worked (the first of the
/// owner's chain from `[org]` as it is now) may be someone the trouble never had, who is not in
/// its private channel, where a mention reaches nobody: the check names them there and DMs them
/// the ask with its buttons, in either language. From the DM they confirm it worked (though
/// they never took part), and the channel's ask and the DM both lose their buttons. Nobody the
/// channel holds (the owner, the former manager) is DMed.
#[tokio::test]
async fn after_a_reorg_the_new_manager_is_dmed_the_effectiveness_check_and_answers_it_there() {
    for locale in ["en", "ja"] {
        let mut bot = spawn_bot_in(locale).await;
        let t = checked_after_a_reorg(&mut bot, &config_speaking(locale)).await;
        let did_it_work = match locale {
            "ja" => "効果はありましたか",
            _ => "Did it work?",
        };
        let in_channel = message_with(&bot, &t.channel, &[did_it_work, "Mold temperature alarm"]).await;
        let text = text_of(&in_channel);
        assert!(
            text.contains(&format!("<@{SALES}>"))
                && text.contains(&format!("<@{NEW_MANAGER}>"))
                && !text.contains(MANAGER),
            "{locale}: {text}"
        );
        let dm = message_with(&bot, NEW_MANAGER, &[did_it_work, "Mold temperature alarm"]).await;
        assert!(
            text_of(&dm).contains("effect_ok") && text_of(&dm).contains(&t.id),
            "{locale}: {dm}"
        );
        for held in [SALES, MANAGER] {
            bot.nothing_posted_saying(held, did_it_work).await;
        }
        tap_as_drawn(
            &bot,
            NEW_MANAGER,
            "effect_ok",
            &dm,
            &fake_slack::dm_or_channel(NEW_MANAGER),
        )
        .await;
        let judged = bot
            .paced("the new manager's Effective recorded", || {
                let a = trouble(&bot, &t.id).substance.actions[0].clone();
                a.effective.filter(|e| *e).and(a.judged)
            })
            .await;
        assert_eq!(judged.by.as_str(), NEW_MANAGER, "{locale}");
        for (channel, asked) in [
            (t.channel.clone(), &in_channel),
            (fake_slack::dm_or_channel(NEW_MANAGER), &dm),
        ] {
            let now = check_redrawn(&bot, &channel, asked).await;
            assert!(!text_of(&now).contains("effect_ok"), "{locale}: {now}");
        }
    }
}

/// After a reorg, the new manager of a private trouble's owner is asked its effectiveness
/// check by DM, and may see what they are asked about: its status, and reopen it by its id.
#[tokio::test]
async fn after_a_reorg_the_new_manager_of_a_private_trouble_sees_what_the_check_asks() {
    let config = config_speaking("en").replace("locale = \"en\"", "locale = \"en\"\nprivate_channels = true");
    let mut bot = spawn_bot_raw(&config).await;
    let t = checked_after_a_reorg(&mut bot, &config).await;
    message_with(&bot, NEW_MANAGER, &["Did it work?", "Mold temperature alarm"]).await;
    let status = bot
        .command_text(NEW_MANAGER, "D0NEWBOSS", &format!("status {}", t.id))
        .await;
    assert!(status.contains("closed") && !status.contains("may see"), "{status}");
    let r = bot
        .command_text(
            NEW_MANAGER,
            "D0NEWBOSS",
            &format!("reopen {} the alarm did not hold", t.id),
        )
        .await;
    assert!(trouble(&bot, &t.id).is_open(), "the new manager reopens it: {r}");
}

/// A measure's owner taken off a private trouble once their action was done, and a former owner
/// who did a measure before handing the trouble over, may neither see it nor answer its check:
/// the check neither names nor DMs them.
#[tokio::test]
async fn the_effectiveness_check_asks_nobody_who_may_not_answer_it() {
    let config = config_speaking("en").replace("locale = \"en\"", "locale = \"en\"\nprivate_channels = true");
    let bot = spawn_bot_raw(&config).await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "action prevent Mold temperature alarm owner:<@U0FS1> check:1h",
        )
        .await;
    assert!(r.contains("action #1"), "{r}");
    let r = bot.command_text("U0FS1", &t.channel, "action done 1 installed").await;
    assert!(trouble(&bot, &t.id).substance.actions[0].done.is_some(), "{r}");
    bot.command_text(SALES, &t.channel, "remove <@U0FS1>").await;
    assert!(!trouble(&bot, &t.id).added.iter().any(|u| u.as_str() == "U0FS1"));
    // A second measure, done by the owner, who then hands the trouble over.
    bot.command_text(SALES, &t.channel, "action prevent Weekly mold audit check:1h")
        .await;
    bot.command_text(SALES, &t.channel, "action done 2 audit planned").await;
    bot.command_text(MANAGER, &t.channel, "owner <@U0COLLEAGUE>").await;
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), "U0COLLEAGUE");
    bot.command_text("U0COLLEAGUE", &t.channel, "cause mold temperature drifted")
        .await;
    split_and_cost_settled_by(&bot, "U0COLLEAGUE", &t).await;
    for n in 1..=7 {
        bot.command_text("U0COLLEAGUE", &t.channel, &format!("done {n}")).await;
    }
    let r = bot.command_text("U0COLLEAGUE", &t.channel, "close").await;
    assert!(trouble(&bot, &t.id).closed.is_some(), "{r}");
    bot.settle().await;
    bot.advance_and_settle(Duration::from_secs(3600)).await;
    for measure in ["Mold temperature alarm", "Weekly mold audit"] {
        let asked = text_of(&message_with(&bot, &t.channel, &["Did it work?", measure]).await);
        assert!(
            asked.contains("<@U0COLLEAGUE>") && !asked.contains("<@U0FS1>") && !asked.contains(&format!("<@{SALES}>")),
            "{asked}"
        );
    }
    for gone in ["U0FS1", SALES] {
        bot.nothing_posted_saying(gone, "Did it work?").await;
    }
}

#[tokio::test]
async fn lots_accumulate_only_as_far_as_the_facts_form_can_show_them() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let batch = |n: usize| (0..150).map(|i| format!("L{n}-{i:04}")).collect::<Vec<_>>().join(",");
    for n in 0..2 {
        let a = bot
            .command_text(SALES, &t.channel, &format!("fact lot {}", batch(n)))
            .await;
        assert!(a.starts_with("Facts recorded"), "{a}");
    }
    let refused = bot
        .command_text(SALES, &t.channel, &format!("fact lot {}", batch(2)))
        .await;
    assert!(
        refused.contains("The list of lots would be") && refused.contains("Nothing was recorded"),
        "{refused}"
    );
    let lots = trouble(&bot, &t.id).substance.facts.lots;
    assert_eq!(lots.len(), 300, "the refused batch left the list as it was");
    bot.command(SALES, &t.channel, "fact").await;
    let open = bot.slack.wait_for("views.open", |_| true).await;
    let shown = open.params["view"]["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| &b["element"])
        .find(|e| e["initial_value"].as_str().is_some_and(|v| v.contains("L1-0149")))
        .expect("the lots pre-filled")
        .clone();
    let max = shown["max_length"].as_u64().expect("a max_length");
    assert!(
        shown["initial_value"].as_str().unwrap().chars().count() as u64 <= max,
        "{shown}"
    );
}

/// `return shipped tracking …` after `return requested qty 40`: forty are still coming. The
/// channel, the status, the report and the 8D say the quantity and the tracking number together.
#[tokio::test]
async fn returned_goods_keep_their_quantity_and_tracking_through_each_step_everywhere() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "return requested qty 40").await;
    bot.command_text(SALES, &t.channel, "return shipped tracking YM-123")
        .await;
    let goods = "shipped by the customer · qty 40 · tracking YM-123";
    message_with(
        &bot,
        &t.channel,
        &[&format!("📦 Returned goods recorded by <@{SALES}>: {goods}")],
    )
    .await;
    status_with(&bot, &t.id, &[&format!("• Returned goods: {goods} (")]).await;
    for format in [trouble_bot::admin::Format::Md, trouble_bot::admin::Format::EightD] {
        let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, format).stdout;
        assert!(report.contains(&format!("- Returned goods: {goods}\n")), "{report}");
    }
    // The timeline entry of the step says what the step did, as the channel line does.
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(report.contains(&format!(" — returned goods: {goods}\n")), "{report}");
    // A newer tracking number replaces the older one; the quantity stays.
    bot.command_text(SALES, &t.channel, "return received tracking YM-456")
        .await;
    status_with(&bot, &t.id, &["received · qty 40 · tracking YM-456"]).await;
}

/// What a hurried hand types in the channel is stored as meant: a promise after `next
/// contact:`, an amount with its currency after it, a scope line checked with `checked`, a
/// part with its label, people listed with commas, a ratio with spaces.
#[tokio::test]
async fn what_a_hurried_hand_types_is_stored_as_meant() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let ch = &t.channel;
    for (typed, answered) in [
        (
            "update Told them we sort today. Next contact: 15:00",
            "Customer update logged",
        ),
        ("fact part no. HX-302", "Facts recorded"),
        ("fact lot L42 and L43.", "Facts recorded"),
        ("scope Plant 2 lots", "Scope line #1"),
        ("scope checked 1 none affected", "checked"),
        ("split 70 / 30 our mold", "proposal #1"),
        ("cost 3000 USD ours, express shipping", "proposal #2"),
        (
            "add <@U0COLLEAGUE>, <@U0HELPER>",
            "<@U0COLLEAGUE>, <@U0HELPER> as participants",
        ),
    ] {
        let r = bot.command_text(SALES, ch, typed).await;
        assert!(r.contains(answered), "{typed}: {r}");
    }
    let stored = trouble(&bot, &t.id);
    let promised = stored.promised_next().expect("the promise after `Next contact:`");
    assert_eq!(promised.to_rfc3339(), "2026-11-30T06:00:00+00:00");
    assert_eq!(stored.customer_updates[0].text, "Told them we sort today.");
    assert_eq!(stored.substance.facts.part.as_deref(), Some("HX-302"));
    assert_eq!(stored.substance.facts.lots, ["L42", "L43"]);
    assert!(stored.substance.scope[0].checked.is_some() && stored.substance.scope.len() == 1);
    let split = stored.split.as_ref().expect("the split");
    assert_eq!(
        (split.ours, split.customer, split.reason.as_str()),
        (70, 30, "our mold")
    );
    assert_eq!(
        (
            stored.costs[0].amount.as_str(),
            stored.costs[0].payer.as_str(),
            stored.costs[0].note.as_str()
        ),
        ("3000 USD", "ours", "express shipping")
    );
}

/// When the defect happened, as the customer abroad reported it on their clock (`11/29 17:00
/// CET`): kept as the one moment, in both clocks, each named, so the channel's fact line and the
/// customer's 8D read their own 17:00 beside our 01:00 the next day; the zone may stand before
/// the day, a moment still ahead on their clock is refused as any is.
#[tokio::test]
async fn when_a_defect_occurred_may_be_given_in_the_customers_time_zone() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME GmbH: housings cracked").await;
    let both = "2026-11-30 01:00 JST (2026-11-29 17:00 CET)";
    for (n, occurred) in ["11/29 17:00 CET", "5pm Berlin 11/29", "11月29日 17時 ドイツ時間"]
        .iter()
        .enumerate()
    {
        let r = bot
            .command_text(SALES, &t.channel, &format!("fact occurred {occurred}"))
            .await;
        assert!(n > 0 || r.contains("Facts recorded"), "{occurred}: {r}");
        assert_eq!(
            trouble(&bot, &t.id).substance.facts.occurred.as_deref(),
            Some(both),
            "{occurred}: {r}"
        );
    }
    message_with(&bot, &t.channel, &["Fact recorded", both]).await;
    let r = bot
        .command_text(SALES, &t.channel, "fact occurred yesterday 5pm EST")
        .await;
    let eastern = "2026-11-29 07:00 JST (2026-11-28 17:00 EST)";
    assert!(!r.contains("Write when it occurred"), "{r}");
    assert_eq!(trouble(&bot, &t.id).substance.facts.occurred.as_deref(), Some(eastern));
    // 09:00 in Berlin is still ahead (it is 02:00 there): not a moment that has happened.
    let r = bot.command_text(SALES, &t.channel, "fact occurred 9:00 CET").await;
    assert!(r.contains("Write when it occurred"), "{r}");
    bot.command_text(SALES, &t.channel, "report 8d").await;
    let d2 = message_with(&bot, &t.channel, &["D2", eastern]).await;
    assert!(text_of(&d2).contains(eastern), "{d2}");
}

/// A `fact occurred` in a zone not read says why, as `next:` does: an abbreviation of several
/// zones and how to name the zone, or an offset no clock shows; nothing is recorded.
#[tokio::test]
async fn an_occurrence_in_a_zone_not_read_says_why() {
    for (locale, several, offset) in [
        (
            "en",
            "name their zone by its city or region",
            "`UTC+15` is no clock's offset",
        ),
        (
            "ja",
            "タイムゾーンを都市名か地域名で書いてください",
            "`UTC+15` はどの国の時刻でもありません",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        let r = bot
            .command_text(SALES, &t.channel, "fact occurred 11/28 17:00 CST")
            .await;
        assert!(r.contains(several), "{locale}: {r}");
        let r = bot
            .command_text(SALES, &t.channel, "fact occurred 11/28 17:00 UTC+15")
            .await;
        assert!(r.contains(offset), "{locale}: {r}");
        assert_eq!(trouble(&bot, &t.id).substance.facts.occurred, None, "{locale}");
    }
}

/// A measure whose effect the manager confirms after close, never marked done, reads in the
/// customer's 8D as in place, not "in progress" beside "effectiveness: confirmed", with who
/// confirmed it and when, as D6 names who verified. Its owner does not certify it: that it
/// worked is someone else's to say.
#[tokio::test]
async fn an_effective_measure_reads_in_place_in_the_8d() {
    let bot = spawn_bot().await;
    let t = closed_with_a_check(&bot, "2s").await;
    asked_whether_it_worked(&bot, &t).await;
    click_on(&bot, SALES, "effect_ok", &t, 1).await;
    let refused = click_answer(&bot, SALES, "Whether action #1 worked").await;
    assert!(
        refused.contains(&format!("<@{MANAGER}>")) && refused.contains("Nothing was recorded"),
        "{refused}"
    );
    assert_eq!(trouble(&bot, &t.id).substance.actions[0].effective, None);
    click_on(&bot, MANAGER, "effect_ok", &t, 1).await;
    bot.paced("the effect recorded", || {
        trouble(&bot, &t.id).substance.actions[0].effective.filter(|e| *e)
    })
    .await;
    bot.command_text(SALES, &t.channel, "report 8d").await;
    let d8 = message_with(&bot, &t.channel, &["D7", "effectiveness: confirmed"]).await;
    let text = text_of(&d8);
    assert!(
        text.contains(
            "Mold temperature alarm · owner @U0SALES · in place · effectiveness: confirmed 2026-11-30 by @U0MANAGER"
        ),
        "{text}"
    );
    // In place, it is not "still under way" in D8 either.
    assert!(
        text.contains(r"*D8 Closure*\n- Closed 2026-11-30 by @U0SALES\n"),
        "{text}"
    );
}

/// A scope line the manager set aside when marking stage 2 done reads in the customer's 8D as
/// not checked, accepted as such by the manager, never as still being checked. The reason they
/// gave is an internal note: the channel and the report keep it, the customer's 8D does not.
#[tokio::test]
async fn a_scope_line_set_aside_reads_not_checked_and_accepted_in_the_8d_without_the_reason() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "scope other sites using mold 3")
        .await;
    let r = bot
        .command_text(MANAGER, &t.channel, "done 2 mold 3 only runs for ACME")
        .await;
    assert!(r.contains("Stage 2"), "{r}");
    message_with(&bot, &t.channel, &["Stage 2", "mold 3 only runs for ACME"]).await;
    bot.command_text(SALES, &t.channel, "report 8d").await;
    let d8 = message_with(&bot, &t.channel, &["D2", "other sites using mold 3"]).await;
    let text = text_of(&d8);
    assert!(
        text.contains("Scope: other sites using mold 3 (not checked; accepted as such by @U0MANAGER)"),
        "{text}"
    );
    assert!(!text.contains("only runs for ACME"), "{text}");
    let export =
        trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
    assert!(
        export.contains("(not checked; accepted as such by @U0MANAGER)"),
        "{export}"
    );
    assert!(!export.contains("only runs for ACME"), "{export}");
}

/// A cause the manager chain accepted could not be found (`done 3 REASON`): the 8D's D4 says
/// so, and who accepted it, in the channel and in the export; it is never left "not recorded",
/// and the reason stays internal, as the scope's does.
#[tokio::test]
async fn a_cause_accepted_as_not_found_fills_d4_with_who_accepted_it() {
    for (locale, want) in [
        (
            "en",
            "- Root cause: could not be identified (accepted as such by @U0MANAGER on ",
        ),
        ("ja", "- 発生原因: 特定に至りませんでした（"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        let r = bot
            .command_text(MANAGER, &t.channel, "done 3 cause could not be reproduced")
            .await;
        assert!(r.contains("3"), "{locale}: {r}");
        assert_eq!(
            trouble(&bot, &t.id).stage(StageId::Cause).state,
            StageState::Done,
            "{locale}: {r}"
        );
        bot.command_text(SALES, &t.channel, "report 8d").await;
        let d8 = message_with(&bot, &t.channel, &["D4", "D8"]).await;
        let text = text_of(&d8);
        let export =
            trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
        for (what, doc) in [("posted", &text), ("exported", &export)] {
            assert!(doc.contains(want), "{locale}: the {what} D4: {doc}");
            assert!(
                !doc.contains("reproduced"),
                "{locale}: the {what} 8D holds the reason: {doc}"
            );
        }
        if locale == "ja" {
            assert!(export.contains("@U0MANAGER が了承）"), "{export}");
        }
    }
}

/// An 8D with more actions than one Slack message holds is still posted with every heading,
/// each list from its first item on, and what it leaves out counted: never the middle of the
/// document cut away unsaid. The export has it all.
#[tokio::test]
async fn an_8d_too_long_for_one_message_keeps_every_heading_and_counts_what_it_leaves_out() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: lids cracked").await;
    let long = |tag: String| format!("{tag} {}", "we keep inspecting at the customer's line, ".repeat(4));
    for i in 0..100 {
        bot.command_text(
            SALES,
            &t.channel,
            &format!("action interim {}", long(format!("interim-{i:02}"))),
        )
        .await;
    }
    for i in 0..20 {
        bot.command_text(
            SALES,
            &t.channel,
            &format!("prevent {}", long(format!("prevent-{i:02}"))),
        )
        .await;
    }
    bot.command_text(SALES, &t.channel, "report 8d").await;
    let posted = bot
        .paced("the 8D in the channel", || {
            bot.slack.calls_to("chat.postMessage").into_iter().find(|c| {
                c.params["channel"] == t.channel.as_str()
                    && c.params["text"].as_str().is_some_and(|x| x.starts_with("8D report"))
            })
        })
        .await;
    let blocks = posted.params["blocks"].to_string();
    for d in ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"] {
        assert!(blocks.contains(&format!("*{d} ")), "{d} missing in {blocks}");
    }
    let shown = |kind: &str, n: usize| {
        (0..n)
            .take_while(|i| blocks.contains(&format!("{kind}-{i:02}")))
            .count()
    };
    let (interim, prevent) = (shown("interim", 100), shown("prevent", 20));
    assert!(
        interim < 100 && !blocks.contains(&format!("interim-{interim:02}")),
        "{blocks}"
    );
    let more = format!("…and {} more interim actions, not shown here", 100 - interim);
    assert!(blocks.contains(&more), "{more:?} missing in {blocks}");
    if prevent < 20 {
        assert!(
            blocks.contains(&format!("…and {} more prevention actions", 20 - prevent)),
            "{blocks}"
        );
    }
    assert!(
        blocks.contains("Left out here to fit one Slack message")
            && blocks.contains(&format!("`trouble-bot export {} --format 8d`", t.id)),
        "{blocks}"
    );
    let export =
        trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
    assert!(
        export.contains("interim-99") && export.contains("prevent-19"),
        "{export}"
    );
}

/// A second cause, or a fact typed again with another value, takes the first one's place in the
/// open: the channel, the reply and the timeline say it is a correction and what it replaced,
/// so the first finding is not rewritten unnoticed. The same value again changes nothing.
#[tokio::test]
async fn a_second_cause_or_fact_is_posted_as_a_correction() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;

    let r = bot
        .command_text(SALES, &t.channel, "cause Mold temperature drifted")
        .await;
    assert!(r.contains("Cause recorded"), "{r}");
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "cause Wrong resin grade escape: incoming inspection skipped",
        )
        .await;
    assert!(r.contains("Cause corrected") && r.contains("superseded"), "{r}");
    message_with(
        &bot,
        &t.channel,
        &["Corrected cause by <@U0SALES>: Mold temperature drifted → Wrong resin grade / not caught because: incoming inspection skipped"],
    )
    .await;
    let cause = trouble(&bot, &t.id).substance.cause.expect("a cause");
    assert_eq!(cause.text, "Wrong resin grade");
    assert!(step_events(&bot, &t.id).iter().any(|e| matches!(
        e,
        StepEvent::CauseSuperseded { old, .. } if old == "Mold temperature drifted"
    )));
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(
        report.contains("corrected cause: Mold temperature drifted → Wrong resin grade / not caught because: incoming inspection skipped (earlier entry superseded)"),
        "{report}"
    );

    // The cause corrected again without its escape point: the escape point recorded stays.
    let r = bot
        .command_text(SALES, &t.channel, "cause Wrong resin grade from supplier B")
        .await;
    assert!(r.contains("Cause corrected"), "{r}");
    let cause = trouble(&bot, &t.id).substance.cause.expect("a cause");
    assert_eq!(
        (cause.text.as_str(), cause.escape.as_deref()),
        ("Wrong resin grade from supplier B", Some("incoming inspection skipped"))
    );
    assert_store_verifies(&bot, "the record agrees with its timeline");

    bot.command_text(SALES, &t.channel, "fact part HX-200").await;
    let r = bot.command_text(SALES, &t.channel, "fact part HX-210").await;
    assert!(r.contains("Corrected (Part)"), "{r}");
    message_with(&bot, &t.channel, &["Corrected Part by <@U0SALES>: HX-200 → HX-210"]).await;
    // The form gives back what it showed: only what changed is news.
    let before = step_events(&bot, &t.id).len();
    let response = bot
        .interaction(&facts_form_now(
            &bot,
            &t.id,
            &[("part", "HX-210"), ("symptom", "crack")],
        ))
        .await;
    assert_eq!(response.status(), 200);
    message_with(&bot, &t.channel, &["Fact recorded", "crack"]).await;
    let added = step_events(&bot, &t.id).split_off(before);
    assert!(
        matches!(&added[..], [StepEvent::Fact { value, .. }] if value == "crack"),
        "{added:?}"
    );
    // Lots add to the list: a new one replaces none.
    bot.command_text(SALES, &t.channel, "fact lot L42").await;
    let r = bot.command_text(SALES, &t.channel, "fact lot L43").await;
    assert!(r.contains("Facts recorded (Lot)"), "{r}");

    let before = step_events(&bot, &t.id).len();
    let r = bot.command_text(SALES, &t.channel, "fact part HX-210").await;
    assert!(r.contains("recorded as given already"), "{r}");
    assert_eq!(step_events(&bot, &t.id).len(), before, "nothing new on the timeline");
}

/// A trouble force-closed before its steps were done does not read as completed in the
/// customer's 8D: D8 names the steps left, and keeps the internal reason to the team.
#[tokio::test]
async fn a_force_closed_trouble_reads_unfinished_in_the_8d() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "done 1").await;
    let r = bot
        .command_text(MANAGER, &t.channel, "close force not worth the effort")
        .await;
    assert!(r.contains("Closed"), "{r}");
    bot.command_text(MANAGER, &t.channel, "report 8d").await;
    let d8 = text_of(&message_with(&bot, &t.channel, &["D8"]).await);
    assert!(
        d8.contains("before these steps were completed: Share the scope of impact, Find and confirm the cause, Restore, decide and carry out countermeasures, Present the recurrence-prevention measures"),
        "{d8}"
    );
    assert!(
        !d8.contains("not worth the effort") && !d8.contains("Settle the split"),
        "{d8}"
    );
}

/// Reopening a closed trouble marks the report its close posted: the summary in the channel says
/// it no longer stands, instead of reading as the last word.
#[tokio::test]
async fn reopening_marks_the_earlier_report_superseded() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "prevent alarm").await;
    all_stages_done(&bot, &t).await;
    bot.command_text(SALES, &t.channel, "close").await;
    let report = bot
        .paced("the report posted", || trouble(&bot, &t.id).last_report?.message)
        .await;
    // The origin channel, which saw it opened, sees it closed, and open again.
    let notice = trouble(&bot, &t.id).origin_notice.expect("the origin notice");
    let closed = format!("🏁 Closed Mon 2026-11-30 10:00 by <@{SALES}>");
    message_says(&bot, notice.channel.as_str(), notice.ts.as_str(), &closed).await;
    bot.command_text(MANAGER, &t.channel, "reopen customer found more cracks")
        .await;
    bot.paced("the origin notice no longer says closed", || {
        let now = bot
            .slack
            .message_versions(notice.channel.as_str(), notice.ts.as_str())
            .pop()?;
        (!text_of(&now).contains("🏁 Closed")).then_some(())
    })
    .await;
    let summary = bot
        .paced("the report's summary edited", || {
            let latest = bot
                .slack
                .message_versions(report.channel.as_str(), report.ts.as_str())
                .pop()?;
            Some(text_of(&latest)).filter(|t| t.contains("superseded"))
        })
        .await;
    assert!(
        summary.contains(&format!("~Trouble report {}~", t.id))
            && summary.contains("a new report follows when it closes again"),
        "{summary}"
    );

    // Closed again within the same minute: the new report follows, as the close line says,
    // and the closed kickoff links it, not the superseded one.
    let r = bot
        .command_text(MANAGER, &t.channel, "close force the customer accepted the replacement")
        .await;
    assert!(r.starts_with("Closed"), "{r}");
    let again = bot
        .paced("the second report posted", || {
            trouble(&bot, &t.id).last_report?.message.filter(|m| m.ts != report.ts)
        })
        .await;
    let kickoff = trouble(&bot, &t.id).kickoff.expect("the kickoff");
    let link = again.ts.as_str().replace('.', "");
    message_says(&bot, kickoff.channel.as_str(), kickoff.ts.as_str(), &link).await;
}

/// The effectiveness check is asked of a prevention measure, and only that is answered: a button
/// forged for an interim or a permanent action records nothing and says why.
#[tokio::test]
async fn an_effect_answer_for_an_action_without_a_check_changes_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action interim sort stock").await;
    bot.command_text(SALES, &t.channel, "action permanent new mold").await;
    for n in [1, 2] {
        click_on(&bot, SALES, "effect_ok", &t, n).await;
        let answer = click_answer(&bot, SALES, &format!("Action #{n} has no effectiveness check")).await;
        assert!(answer.contains("only a prevention measure"), "{answer}");
    }
    let stored = trouble(&bot, &t.id);
    assert!(stored.substance.actions.iter().all(|a| a.effective.is_none()));
    assert!(!step_events(&bot, &t.id)
        .iter()
        .any(|e| matches!(e, StepEvent::EffectAnswered { .. })));
}

/// Whether a measure worked is answered when its check falls due: an **Effective** pressed
/// before (a forged button, a measure not done, no check date) records nothing and says why.
#[tokio::test]
async fn an_effect_answer_before_the_check_is_due_changes_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action prevent Mold alarm check:+20d")
        .await;
    bot.command_text(SALES, &t.channel, "action prevent Operator training")
        .await;
    click_on(&bot, MANAGER, "effect_ok", &t, 1).await;
    let early = click_answer(&bot, MANAGER, "#1's effectiveness check is not due yet").await;
    assert!(early.contains("Nothing was recorded"), "{early}");
    click_on(&bot, MANAGER, "effect_ok", &t, 2).await;
    let undated = click_answer(&bot, MANAGER, "#2 has no check date").await;
    assert!(undated.contains("`/trouble fix action 2 check:DATE`"), "{undated}");
    let stored = trouble(&bot, &t.id);
    assert!(stored.substance.actions.iter().all(|a| a.effective.is_none()));
    assert!(!step_events(&bot, &t.id)
        .iter()
        .any(|e| matches!(e, StepEvent::EffectAnswered { .. })));
}

/// Opens a trouble, has an action's reminder decided while Slack is down, then has `user` type
/// `typed` (which closes the action) before Slack is back: no reminder of it is posted, and the
/// timeline says it was withdrawn (`cancelled` or done).
async fn a_reminder_held_back_until(user: &str, typed: &str, cancelled: bool) -> (TestBot, OpenedTrouble) {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.settle().await;
    bot.slack.outage(Duration::from_secs(600));
    // Given to QA and due within the hour: its day-before reminder, their notice, is decided
    // at once, and waits.
    bot.command_text(
        SALES,
        &t.channel,
        "action interim Sort the warehouse stock owner:<@U0QA1> due:1h",
    )
    .await;
    bot.paced("the reminder decided", || {
        step_events(&bot, &t.id)
            .iter()
            .any(|e| matches!(e, StepEvent::ActionReminded { n: 1, .. }))
            .then_some(())
    })
    .await;
    bot.command_text(user, &t.channel, typed).await;
    bot.slack.end_outage();
    bot.advance_and_settle(Duration::from_secs(60)).await;
    let reminders = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.outcome == "ok" && text_of(&c.params).contains("action #1 is due soon"))
        .count();
    assert_eq!(reminders, 0, "no reminder of an action no longer open");
    assert!(step_events(&bot, &t.id).contains(&StepEvent::ActionReminderWithdrawn { n: 1, cancelled }));
    (bot, t)
}

/// An action's reminder that waited behind a Slack outage while the action was done is not
/// posted asking for what is done, in the channel or by DM; the timeline says it was withdrawn.
#[tokio::test]
async fn an_action_reminder_held_back_until_the_action_was_done_is_withdrawn() {
    let (bot, t) = a_reminder_held_back_until("U0QA1", "action done 1 all sorted", false).await;
    bot.posted_saying(&t.channel, "Action #1 done").await;
}

/// So is one held back until the action was cancelled as a duplicate, and the timeline says why.
#[tokio::test]
async fn an_action_reminder_held_back_until_the_action_was_cancelled_is_withdrawn() {
    let (bot, t) = a_reminder_held_back_until(SALES, "action cancel 1 typed twice", true).await;
    // The report's timeline says why, not that it was done.
    bot.command_text(SALES, &t.channel, "report").await;
    bot.paced("the report's timeline", || {
        bot.slack
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| text_of(&c.params).contains("action #1 reminder withdrawn: cancelled before it was posted"))
            .then_some(())
    })
    .await;
}

/// An action's reminder mentions its owner once, at its start; someone its text names is named
/// as Slack names them once the trouble has learnt the name (from a report), not by their id.
#[tokio::test]
async fn an_action_reminder_names_people_as_slack_does() {
    let bot = spawn_bot().await;
    bot.slack.name_user("U0QA1", "Yamada QA");
    bot.slack.name_user("U0QA2", "Sato QA");
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(
        SALES,
        &t.channel,
        "action interim Sort stock with <@U0QA2> owner:<@U0QA1> due:2026-12-10",
    )
    .await;
    bot.command_text(SALES, &t.channel, "report").await;
    bot.paced("the names learnt", || {
        trouble(&bot, &t.id)
            .names
            .contains_key(&UserId::new("U0QA2"))
            .then_some(())
    })
    .await;
    bot.advance_and_settle(Duration::from_secs(9 * 24 * 3600)).await;
    let reminder = message_with(&bot, &t.channel, &["action #1 is due soon"]).await;
    let text = reminder["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("🔔 <@U0QA1> action #1") && text.matches("U0QA1").count() == 1,
        "{text}"
    );
    assert!(
        text.contains("Sort stock with @Sato QA · due ") && !text.contains("U0QA2"),
        "{text}"
    );
}

/// Nothing is posted outside business hours: an action due on a Saturday is overdue then, and
/// its reminder comes at the next opening (Tuesday: Monday 7 December is a holiday).
#[tokio::test]
async fn an_action_overdue_at_the_weekend_is_reminded_at_the_next_opening() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action interim Replace housings due: 12/5")
        .await;
    // Given to oneself and due tomorrow, past its day-before reminder time: the line of its
    // adding says it, no "due soon" besides.
    bot.command_text(SALES, &t.channel, "action interim Call the buyer due: tomorrow")
        .await;
    bot.settle().await;
    bot.nothing_posted_saying(&t.channel, "action #2 is due soon").await;
    // Monday 10:00 to Saturday 18:01.
    bot.advance_and_settle(Duration::from_secs(((5 * 24 + 8) * 60 + 1) * 60))
        .await;
    bot.nothing_posted_saying(&t.channel, "action #1 is overdue").await;
    // To Tuesday 09:01.
    bot.advance_and_settle(Duration::from_secs((2 * 24 + 15) * 3600)).await;
    message_with(&bot, &t.channel, &["action #1 is overdue", "Replace housings"]).await;
}

/// While its trouble is closed an action's reminders reach its owner alone, by DM; reopened, the
/// channel is reminded again: here overdue, since its due date passed meanwhile.
#[tokio::test]
async fn a_reopened_trouble_reminds_of_an_action_that_fell_due_while_it_was_closed() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action interim Replace housings due: 12/2")
        .await;
    bot.command_text(MANAGER, &t.channel, "close force waiting for the customer")
        .await;
    bot.advance_and_settle(Duration::from_secs(4 * 24 * 3600)).await;
    bot.nothing_posted_saying(&t.channel, "action #1 is overdue").await;
    let r = bot.command_text(MANAGER, &t.channel, "reopen more cracks").await;
    assert!(r.contains("open again"), "{r}");
    bot.advance_and_settle(Duration::from_secs(60)).await;
    message_with(&bot, &t.channel, &["action #1 is overdue", "Replace housings"]).await;
}

/// The effectiveness check falls due at the close of its date, a Saturday here: it is asked at
/// the next opening, Monday 09:00, not at the weekend.
#[tokio::test]
async fn an_effectiveness_check_due_at_the_weekend_is_asked_at_the_next_opening() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = closed_with_a_check(&bot, "12/12").await;
    // Monday 30 November 10:00 to Saturday 12 December 18:01.
    bot.advance_and_settle(Duration::from_secs(((12 * 24 + 8) * 60 + 1) * 60))
        .await;
    bot.nothing_posted_saying(&t.channel, "Did it work?").await;
    // To Monday 14 December 09:01.
    bot.advance_and_settle(Duration::from_secs((24 * 2 + 15) * 3600)).await;
    message_with(&bot, &t.channel, &["Did it work?", "Mold temperature alarm"]).await;
}

/// The 8D's D1 names the team that did the work: besides the owner and the manager, who
/// recorded the root cause and checked the scope, the actions' owners and those added to the
/// trouble, each once.
#[tokio::test]
async fn the_8ds_team_names_who_did_the_work() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action interim Sort stock owner:<@U0QA1>")
        .await;
    bot.command_text(SALES, &t.channel, "action permanent New mold owner:<@U0QA1>")
        .await;
    bot.command_text(SALES, &t.channel, "add <@U0FS1>").await;
    bot.command_text("U0QA2", &t.channel, "cause resin moisture").await;
    bot.command_text(SALES, &t.channel, "report 8d").await;
    let d1 = text_of(&message_with(&bot, &t.channel, &["D1"]).await);
    assert!(d1.contains(r"- Members: @U0QA2, @U0QA1, @U0FS1\n"), "{d1}");
}

/// The DM telling someone the close left their actions open mentions them as the owner: Slack
/// shows a mention as their name, where a bare `@U…` (the names are fetched for the report,
/// after the close) shows the id.
#[tokio::test]
async fn the_dm_of_actions_a_close_leaves_open_mentions_their_owner() {
    for (locale, heard, owner) in [
        ("en", "with actions of yours still open", "owner <@U0FS1>"),
        ("ja", "あなたの対策はまだ完了していません", "担当 <@U0FS1>さん"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("+field ACME: housings cracked").await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        bot.command_text(
            SALES,
            &t.channel,
            "action prevent Humidity alarm in the store owner:<@U0FS1> due:12/10",
        )
        .await;
        bot.command_text(MANAGER, &t.channel, "close force customer withdrew the claim")
            .await;
        assert!(trouble(&bot, &t.id).closed.is_some(), "{locale}: closed");
        let dm = bot.posted_saying("U0FS1", heard).await;
        assert!(dm.contains(owner), "{dm}");
        assert!(!dm.contains(" @U0FS1"), "{dm}");
    }
}

/// An action a close leaves open (a measure that takes weeks) is still its owner's: they hear of
/// the close with it, it stays in their App Home, its reminder reaches them by DM (the channel
/// has moved on), and they mark it done after the close; the channel line says who did what for
/// whom, and a second verification is refused rather than overwrite the first.
#[tokio::test]
async fn an_action_the_close_leaves_open_stays_its_owners_to_be_reminded_of_and_done() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+field ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(
        SALES,
        &t.channel,
        "action prevent Humidity alarm in the store owner:<@U0FS1> due:12/10",
    )
    .await;
    all_stages_done(&bot, &t).await;
    assert_eq!(
        bot.command_text(SALES, &t.channel, "close").await,
        closed_reply(&bot, &t)
    );
    // The customer's 8D does not read as completed while its measure is under way.
    bot.command_text(SALES, &t.channel, "report 8d").await;
    let d8 = text_of(&message_with(&bot, &t.channel, &["D8"]).await);
    assert!(
        d8.contains("; still under way: Humidity alarm in the store (due 2026-12-10)"),
        "{d8}"
    );
    let dm = bot.posted_saying("U0FS1", "with actions of yours still open").await;
    assert!(
        dm.contains("#1 prevention: Humidity alarm in the store") && dm.contains(&format!("in <#{}>", t.channel)),
        "{dm}"
    );
    let home = app_home(&bot, "U0FS1").await;
    assert!(home.contains("Humidity alarm in the store"), "{home}");

    // To 11 December: overdue, told to its owner by DM, not in the closed trouble's channel.
    bot.advance_and_settle(Duration::from_secs(11 * 24 * 3600)).await;
    let reminder = bot.posted_saying("U0FS1", "action #1 is overdue").await;
    assert!(
        reminder.contains(&format!("`/trouble action done 1` in <#{}>", t.channel)),
        "{reminder}"
    );
    bot.nothing_posted_saying(&t.channel, "action #1 is overdue").await;

    let r = bot
        .command_text("U0FS1", &t.channel, "action done 1 installed and tested")
        .await;
    assert_eq!(r, "Action #1 marked done.");
    message_with(
        &bot,
        &t.channel,
        &["Action #1 done by <@U0FS1>: Humidity alarm in the store — installed and tested"],
    )
    .await;
    assert!(trouble(&bot, &t.id).closed.is_some(), "still closed");
    let r = bot
        .command_text(MANAGER, &t.channel, "action verify 1 alarm sounds")
        .await;
    assert_eq!(r, "Action #1 verified.");
    message_with(
        &bot,
        &t.channel,
        &["Action #1 verified by <@U0MANAGER> (owner <@U0FS1>)"],
    )
    .await;
    let r = bot.command_text(DIRECTOR, &t.channel, "action verify 1").await;
    assert_eq!(
        r,
        "Action #1 was already verified by <@U0MANAGER>. Nothing was recorded."
    );
    // Anything else on the closed trouble is still refused.
    let r = bot.command_text("U0FS1", &t.channel, "note one more").await;
    assert!(r.starts_with("This trouble is already closed"), "{r}");
}

/// A customer mistyped at open (`ACMF`) is corrected with `fix customer`: the answer, the
/// record, the timeline, a line in the channel (old → new), every kept message that shows it
/// edited, and the trouble found under the new name by `history`, `search` and `list`, with the
/// new customer's history shown in the kickoff thread as at open.
#[tokio::test]
async fn a_customer_typed_wrong_at_open_is_corrected_everywhere_and_filed_under_the_new_name() {
    let bot = spawn_bot().await;
    let earlier = bot.open_ready("ACME: lids loose").await;
    let t = bot.open_ready("ACMF: defective housings").await;
    assert!(!bot.command_text(SALES, ORIGIN, "history ACME").await.contains(&t.id));
    // Posted before the fix, so the fix has them to edit.
    let stored =
        wait_until(|| Some(trouble(&bot, &t.id)).filter(|s| s.manager_dm.is_some() && s.origin_notice.is_some())).await;

    let r = bot.command_text(SALES, &t.channel, "fix customer ACME").await;
    assert!(r.contains("The customer is corrected"), "{r}");
    assert_eq!(trouble(&bot, &t.id).customer, "ACME");
    assert!(step_events(&bot, &t.id).iter().any(|e| matches!(
        e,
        StepEvent::CustomerCorrected { from, to } if from == "ACMF" && to == "ACME"
    )));
    message_with(&bot, &t.channel, &["Corrected customer by <@U0SALES>: ACMF → ACME"]).await;

    // The kickoff, the status, the manager's DM and the notice where it was opened say ACME.
    message_says(&bot, &t.channel, &t.kickoff_ts, "ACME").await;
    status_with(&bot, &t.id, &["ACME"]).await;
    let dm = stored.manager_dm.expect("the manager's DM");
    message_says(&bot, dm.channel.as_str(), dm.ts.as_str(), "ACME").await;
    let notice = stored.origin_notice.expect("the origin notice");
    message_says(&bot, notice.channel.as_str(), notice.ts.as_str(), "ACME").await;
    for (channel, ts) in [
        (t.channel.as_str(), t.kickoff_ts.as_str()),
        (dm.channel.as_str(), dm.ts.as_str()),
        (notice.channel.as_str(), notice.ts.as_str()),
    ] {
        // ACMF only where the message says it was corrected: as first reported.
        let now = text_of(&bot.slack.message_versions(channel, ts).pop().expect("the message"));
        let was = "✏️ Corrected since it was reported. As reported: customer “ACMF” (each correction is in the channel and on the timeline)";
        assert!(now.contains(was) && !now.replace(was, "").contains("ACMF"), "{now}");
    }
    // ACME's history, as the kickoff thread shows it at open.
    let past = message_with(&bot, &t.channel, &["Past troubles with ACME", &earlier.id]).await;
    assert_eq!(past["thread_ts"], t.kickoff_ts.as_str(), "{past}");

    let history = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(history.contains(&t.id) && history.contains(&earlier.id), "{history}");
    assert!(!bot.command_text(SALES, ORIGIN, "history ACMF").await.contains(&t.id));
    let search = bot.command_text(SALES, ORIGIN, "search ACME housings").await;
    assert!(search.contains(&t.id), "{search}");
    let list = bot.command_text(SALES, ORIGIN, "list").await;
    assert!(list.contains(&t.id) && !list.contains("ACMF"), "{list}");
    let stats = bot.command_text(SALES, ORIGIN, "stats").await;
    assert!(stats.contains("ACME") && !stats.contains("ACMF"), "{stats}");
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(report.contains("corrected customer: ACMF → ACME"), "{report}");

    // The channel's name follows the customer.
    let name = format!("trouble-{}-acme", t.id);
    bot.slack
        .wait_for("conversations.rename", |c| {
            c.params["channel"] == t.channel.as_str() && c.params["name"] == name.as_str()
        })
        .await;
    wait_until(|| (trouble(&bot, &t.id).channel_name.as_deref() == Some(name.as_str())).then_some(())).await;
    assert!(bot.slack.channels().iter().any(|c| c.id == t.channel && c.name == name));
}

/// A customer corrected away and back again (`ACME` → `Globex` → `ACME`) has its history shown
/// once: the kickoff thread does not repeat what it showed at open.
#[tokio::test]
async fn a_customer_corrected_back_to_the_one_reported_does_not_repeat_its_history() {
    let bot = spawn_bot().await;
    let earlier = bot.open_ready("ACME: lids loose").await;
    bot.open_ready("Globex: labels smudged").await;
    let t = bot.open_ready("ACME: defective housings").await;
    message_with(&bot, &t.channel, &["Past troubles with ACME", &earlier.id]).await;
    bot.command_text(SALES, &t.channel, "fix customer Globex").await;
    message_with(&bot, &t.channel, &["Past troubles with Globex"]).await;
    bot.command_text(SALES, &t.channel, "fix customer ACME").await;
    message_with(&bot, &t.channel, &["Corrected customer by <@U0SALES>: Globex → ACME"]).await;
    bot.settle().await;
    let shown = bot
        .slack
        .messages_in(&t.channel)
        .iter()
        .filter(|m| text_of(m).contains("Past troubles with ACME"))
        .count();
    assert_eq!(shown, 1);
}

/// A name someone gave the channel by hand in Slack is theirs: a corrected customer does not
/// rename it back, and the correction stands.
#[tokio::test]
async fn a_channel_renamed_by_hand_keeps_its_name_when_the_customer_is_corrected() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACMF: defective housings").await;
    bot.settle().await;
    bot.slack.rename_by_hand(&t.channel, "acme-line-stop-war-room");
    let r = bot.command_text(SALES, &t.channel, "fix customer ACME").await;
    assert!(r.contains("The customer is corrected"), "{r}");
    message_says(&bot, &t.channel, &t.kickoff_ts, "ACME").await;
    bot.settle().await;
    assert!(bot.slack.calls_to("conversations.rename").is_empty());
    assert!(bot
        .slack
        .channels()
        .iter()
        .any(|c| c.id == t.channel && c.name == "acme-line-stop-war-room"));
    assert_eq!(trouble(&bot, &t.id).customer, "ACME");
}

/// A rename Slack made whose answer was lost (a timeout, a 5xx) leaves the channel under the
/// new name when the bot tries again: that is its own rename done, not a hand rename, so the
/// store takes the name and a later correction renames the channel again.
#[tokio::test]
async fn a_rename_whose_answer_was_lost_is_taken_as_done_and_later_corrections_still_rename() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACMF: defective housings").await;
    bot.settle().await;
    let renamed = format!("trouble-{}-acme", t.id);
    // What Slack shows the retry after the first attempt's answer was lost.
    bot.slack.rename_by_hand(&t.channel, &renamed);
    let r = bot.command_text(SALES, &t.channel, "fix customer ACME").await;
    assert!(r.contains("The customer is corrected"), "{r}");
    bot.settle().await;
    assert_eq!(trouble(&bot, &t.id).channel_name.as_deref(), Some(renamed.as_str()));

    bot.command_text(SALES, &t.channel, "fix customer ACME Corp").await;
    bot.settle().await;
    let corp = format!("trouble-{}-acme-corp", t.id);
    assert!(bot.slack.channels().iter().any(|c| c.id == t.channel && c.name == corp));
    assert_eq!(trouble(&bot, &t.id).channel_name.as_deref(), Some(corp.as_str()));
}

/// A name Slack will not give the channel (taken by another) leaves the old one, and nothing
/// counts as failed: the correction itself stands.
#[tokio::test]
async fn a_channel_name_slack_refuses_leaves_the_old_name_and_fails_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACMF: defective housings").await;
    let old = trouble(&bot, &t.id).channel_name.expect("a channel name");
    bot.slack.take_name(&format!("trouble-{}-acme", t.id));

    let r = bot.command_text(SALES, &t.channel, "fix customer ACME").await;
    assert!(r.contains("The customer is corrected"), "{r}");
    bot.slack
        .wait_for("conversations.rename", |c| c.params["channel"] == t.channel.as_str())
        .await;
    message_says(&bot, &t.channel, &t.kickoff_ts, "ACME").await;
    bot.settle().await;
    let now = trouble(&bot, &t.id);
    assert_eq!(
        (now.customer.as_str(), now.channel_name.as_deref()),
        ("ACME", Some(old.as_str()))
    );
    assert!(
        !event_kinds(&bot, &t.id).iter().any(|k| k.contains("Failed")),
        "{:?}",
        event_kinds(&bot, &t.id)
    );
}

/// The summary is corrected the same way, and the Japanese words work: `訂正 概要 …`,
/// `訂正 お客様 ACME様` (kept as ACME, as at open).
#[tokio::test]
async fn the_summary_and_the_customer_are_corrected_with_the_japanese_words_too() {
    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACMF: ハウジンク割れ").await;

    let r = bot.command_text(SALES, &t.channel, "訂正 概要 ハウジング割れ").await;
    assert!(r.contains("概要を訂正しました"), "{r}");
    message_with(
        &bot,
        &t.channel,
        &["✏️ 訂正 概要（<@U0SALES>さん）: ハウジンク割れ → ハウジング割れ"],
    )
    .await;
    message_says(
        &bot,
        &t.channel,
        &t.kickoff_ts,
        "起票後に訂正されています。起票時は 概要「ハウジンク割れ」",
    )
    .await;
    assert_eq!(trouble(&bot, &t.id).summary, "ハウジング割れ");

    let r = bot.command_text(SALES, &t.channel, "訂正 お客様：ACME様").await;
    assert!(r.contains("お客様名を訂正しました"), "{r}");
    assert_eq!(trouble(&bot, &t.id).customer, "ACME");
    message_with(&bot, &t.channel, &["✏️ 訂正 お客様名（<@U0SALES>さん）: ACMF → ACME"]).await;
    let r = bot.command_text(SALES, &t.channel, "訂正 顧客 ACME").await;
    assert!(r.contains("すでにそのとおり"), "{r}");
    // The manager, told at open what the trouble is, hears of each correction by DM.
    let told = bot.posted_saying(MANAGER, "の概要を訂正しました").await;
    assert!(
        told.contains(&format!(
            "<@{SALES}>さんがトラブル {} の概要を訂正しました: 「ハウジンク割れ」→「ハウジング割れ」",
            t.id
        )),
        "{told}"
    );
    bot.posted_saying(MANAGER, "のお客様名を訂正しました: 「ACMF」→「ACME」")
        .await;
    assert!(step_events(&bot, &t.id)
        .iter()
        .any(|e| matches!(e, StepEvent::SummaryCorrected { from, .. } if from == "ハウジンク割れ")));
}

/// Only those who may `fix` anything correct the customer (the refusal names who may), and a
/// value that is empty, a mention, too long or the same as recorded changes nothing.
#[tokio::test]
async fn a_customer_fix_by_someone_not_taking_part_or_with_a_bad_value_changes_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACMF: defective housings").await;
    let entries = || trouble(&bot, &t.id).timeline_len;
    let before = entries();

    let r = bot.command_text("U0STRANGER", &t.channel, "fix customer ACME").await;
    assert!(r.contains("correct the record") && r.contains(SALES), "{r}");
    let r = bot.command_text(SALES, &t.channel, "fix customer").await;
    assert!(r.contains("`/trouble fix customer`"), "{r}");
    // Said as the correction it is, not as an open.
    for bad in ["<@U0MANAGER>", "<!channel>", ":", "様"] {
        let r = bot
            .command_text(SALES, &t.channel, &format!("fix customer {bad}"))
            .await;
        assert!(
            r.starts_with("A customer's name holds no mention") && r.ends_with("Nothing was corrected."),
            "{bad}: {r}"
        );
    }
    let long = "A".repeat(3001);
    let r = bot
        .command_text(SALES, &t.channel, &format!("fix summary {long}"))
        .await;
    assert!(r.contains("3000"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "fix customer ACMF").await;
    assert!(r.contains("recorded as given already"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "fix summary defective housings")
        .await;
    assert!(r.contains("recorded as given already"), "{r}");
    // Typed as at open, a severity and a department after the summary change neither it nor them.
    let r = bot
        .command_text(SALES, &t.channel, "fix summary lid cracked, sev1, +quality")
        .await;
    assert!(
        r.contains("use `/trouble sev 1`, `/trouble add +quality`") && r.ends_with("Nothing was corrected."),
        "{r}"
    );

    let now = trouble(&bot, &t.id);
    assert_eq!(
        (now.customer.as_str(), now.summary.as_str(), now.severity.level()),
        ("ACMF", "defective housings", 2)
    );
    assert_eq!(entries(), before, "nothing new on the timeline");
    assert!(!bot
        .slack
        .messages_in(&t.channel)
        .iter()
        .any(|m| text_of(m).contains("Corrected")));
}

/// An action given to the wrong person with the wrong date is corrected with `fix action`: the
/// answer, the record, the timeline, one line in the channel, the new owner made a participant
/// and told by DM, the former owner told it is no longer theirs, App Home moved over, and the
/// reminders follow the new owner and the new date: none comes for the old one.
#[tokio::test]
async fn an_action_given_to_the_wrong_person_is_corrected_and_reminded_to_the_right_one() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+field ACME: housings cracked").await;
    bot.command_text(
        SALES,
        &t.channel,
        "action interim Sort the warehouse stock owner:<@U0QA1> due:12/10",
    )
    .await;
    let r = bot
        .command_text(SALES, &t.channel, "fix action 1 owner:<@U0COLLEAGUE> due:12/12")
        .await;
    assert_eq!(
        r,
        "Action #1 corrected (owner, due date). The earlier entry stays on the timeline."
    );
    let a = trouble(&bot, &t.id).substance.actions.swap_remove(0);
    assert_eq!(a.owner.as_str(), COLLEAGUE);
    assert_eq!(a.text, "Sort the warehouse stock");
    assert_eq!(
        a.due.map(|d| d.to_rfc3339()),
        Some("2026-12-12T09:00:00+00:00".to_string())
    );
    assert!(step_events(&bot, &t.id).iter().any(|e| matches!(
        e,
        StepEvent::ActionCorrected { n: 1, change }
            if change.owner.as_ref().is_some_and(|c| c.from.as_str() == "U0QA1" && c.to.as_str() == COLLEAGUE)
                && change.due.is_some() && change.text.is_none() && change.check.is_none()
    )));
    message_with(
        &bot,
        &t.channel,
        &["✏️ Corrected action #1 by <@U0SALES>: owner <@U0QA1> → <@U0COLLEAGUE>, due Thu 2026-12-10 18:00 → Sat 2026-12-12 18:00"],
    )
    .await;
    // The new owner did not take part: invited, as `action … owner:` does.
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.params["channel"] == t.channel.as_str()
                && c.params["users"].as_str().is_some_and(|u| u.contains(COLLEAGUE))
        })
        .await;
    let dm = bot.posted_saying(COLLEAGUE, "made action #1 of trouble").await;
    assert!(
        dm.contains("Sort the warehouse stock") && dm.contains(&format!("<#{}>", t.channel)),
        "{dm}"
    );
    let dm = bot.posted_saying("U0QA1", "It is no longer yours").await;
    assert!(dm.contains("corrected action #1") && dm.contains("<@U0SALES>"), "{dm}");
    let home = app_home(&bot, COLLEAGUE).await;
    assert!(home.contains("Sort the warehouse stock"), "{home}");
    let home = app_home(&bot, "U0QA1").await;
    assert!(!home.contains("Sort the warehouse stock"), "{home}");

    // To 11 December: the old date's reminders (9 and 10 December) are stale, to anyone.
    bot.advance_and_settle(Duration::from_secs(11 * 24 * 3600)).await;
    bot.nothing_posted_saying("U0QA1", "action #1 is").await;
    bot.nothing_posted_saying(COLLEAGUE, "action #1 is overdue").await;
    bot.nothing_posted_saying(&t.channel, "action #1 is overdue").await;
    // To 13 December: the new date's, to the new owner.
    bot.advance_and_settle(Duration::from_secs(2 * 24 * 3600)).await;
    bot.posted_saying(COLLEAGUE, "action #1 is due soon").await;
    bot.posted_saying(COLLEAGUE, "action #1 is overdue").await;
    bot.nothing_posted_saying("U0QA1", "action #1 is").await;
    let reminders = step_events(&bot, &t.id)
        .iter()
        .filter(|e| matches!(e, StepEvent::ActionReminded { n: 1, .. }))
        .count();
    assert_eq!(reminders, 2, "the new date's two, none of the old");
}

/// An action refused for its date is not added, and the answer says so (a rep in a hurry reads
/// "the date was wrong" as "added, with no date"); a check date is not called a measure.
#[tokio::test]
async fn an_action_refused_for_its_date_says_nothing_was_recorded_and_adds_nothing() {
    for (locale, past, far, fix, nothing, dates) in [
        (
            "en",
            "action interim Sort stock due:11/27",
            "action permanent Repair the mold check:2030/1/10",
            "fix action 1 due:11/27",
            "Nothing was recorded.",
            "A due or check date is at most",
        ),
        (
            "ja",
            "対策 暫定 全数選別 期限:11/27",
            "対策 恒久 金型修理 確認日:2030/1/10",
            "訂正 対策 1 期限:11/27",
            "何も記録していません。",
            "期限と確認日は",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("+quality ACME: housings cracked").await;
        bot.command_text(SALES, &t.channel, "action interim Call the buyer")
            .await;
        let before = trouble(&bot, &t.id).substance.actions;
        assert_eq!(before.len(), 1, "{locale}");
        for command in [past, far, fix] {
            let r = bot.command_text(SALES, &t.channel, command).await;
            assert!(r.ends_with(nothing), "{locale} {command}: {r}");
            // A check date is not spoken of as a measure's.
            if command == far {
                assert!(r.contains(dates) && !r.contains("measure"), "{locale} {command}: {r}");
            }
        }
        assert_eq!(trouble(&bot, &t.id).substance.actions, before, "{locale}");
    }
}

/// What `fix action` may not do changes nothing: someone not the trouble's owner or chain, a
/// done action, an unknown number, nothing given, the values recorded already, a past date.
/// Only the parts given change; Japanese words work as `action` takes them.
#[tokio::test]
async fn a_correction_of_an_action_refused_changes_nothing_and_changes_only_what_is_given() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "action interim Sort stock owner:<@U0QA1> due:12/10")
        .await;
    bot.command_text(SALES, &t.channel, "action permanent Repair the mold")
        .await;
    let before = trouble(&bot, &t.id).substance.actions;
    let refusals = [
        (
            COLLEAGUE,
            "fix action 1 owner:<@U0QA2>",
            "Only the trouble's owner <@U0SALES> or <@U0MANAGER>",
        ),
        // The action's owner is not the trouble's: they mark it done, not hand it on.
        ("U0QA1", "fix action 1 owner:<@U0QA2>", "Only the trouble's owner"),
        (SALES, "fix action 9 owner:<@U0QA2>", "There is no action #9."),
        (SALES, "fix action 1", "Say what to correct in action #1"),
        (
            SALES,
            "fix action 1 owner:<@U0QA1> due:12/10",
            "Action #1 is recorded as given already; nothing changed.",
        ),
        (SALES, "fix action 1 due:11/27", "`11/27` is in the past"),
        // Years off: a typed year gone wrong, or a measure pushed out of every reminder.
        (
            SALES,
            "fix action 1 due:2036-12-10",
            "`2036-12-10` is more than 366 days ahead: check the year.",
        ),
        (
            SALES,
            "fix action 1 check:2030/1/10",
            "`2030/1/10` is more than 366 days ahead",
        ),
        (
            SALES,
            "fix action 1 due:someday",
            "`someday` is not a date I understand",
        ),
        (SALES, "fix action 1 owner:bob", "`/trouble fix action N owner: @name`"),
        (SALES, "fix action", "Give the number after `/trouble fix action`"),
    ];
    for (who, command, answer) in refusals {
        let r = bot.command_text(who, &t.channel, command).await;
        assert!(r.contains(answer), "{command}: {r}");
    }
    bot.command_text("U0QA1", &t.channel, "action done 1 sorted").await;
    let r = bot.command_text(SALES, &t.channel, "fix action 1 due:12/20").await;
    assert!(
        r.starts_with("Action #1 was marked done by <@U0QA1>, so it cannot be corrected"),
        "{r}"
    );
    let after = trouble(&bot, &t.id).substance.actions;
    assert_eq!(after[1], before[1]);
    assert_eq!((&after[0].owner, after[0].due), (&before[0].owner, before[0].due));
    assert!(!step_events(&bot, &t.id)
        .iter()
        .any(|e| matches!(e, StepEvent::ActionCorrected { .. })));
    bot.nothing_posted_saying(&t.channel, "Corrected action").await;

    // Only the text: the rest stays. The manager chain may correct too, in Japanese words.
    let r = bot
        .command_text(
            MANAGER,
            &t.channel,
            "fix action 2 Repair the mold and add a cooling check",
        )
        .await;
    assert_eq!(
        r,
        "Action #2 corrected (text). The earlier entry stays on the timeline."
    );
    message_with(
        &bot,
        &t.channel,
        &["✏️ Corrected action #2 by <@U0MANAGER>: text “Repair the mold” → “Repair the mold and add a cooling check”"],
    )
    .await;
    let r = bot
        .command_text(MANAGER, &t.channel, "訂正 対策 2 担当：<@U0QA2> 期限 12/18")
        .await;
    assert!(r.contains("Action #2 corrected (owner, due date)"), "{r}");
    let a = &trouble(&bot, &t.id).substance.actions[1];
    assert_eq!(
        (a.text.as_str(), a.owner.as_str(), a.due.map(|d| d.to_rfc3339())),
        (
            "Repair the mold and add a cooling check",
            "U0QA2",
            Some("2026-12-18T09:00:00+00:00".to_string())
        )
    );
    // The trouble's owner made it theirs: the former owner hears it from the manager.
    bot.posted_saying(SALES, "It is no longer yours").await;
}

/// An action recorded by mistake (a duplicate line) is cancelled with a reason: it stays on the
/// timeline and in the status and report marked cancelled, leaves App Home and the 8D, gets no
/// reminder, and no longer holds the close; a cancelled prevention action is no measure.
#[tokio::test]
async fn an_action_recorded_by_mistake_is_cancelled_and_no_longer_holds_the_close() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+field ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "action interim Sort stock owner:<@U0FS1> due:12/10")
        .await;
    bot.command_text(
        SALES,
        &t.channel,
        "action interim Sort stock again owner:<@U0FS1> due:12/10",
    )
    .await;
    bot.command_text(SALES, &t.channel, "prevent Wrong alarm owner:<@U0FS1>")
        .await;
    bot.command_text("U0FS1", &t.channel, "action done 1 all sorted").await;
    all_stages_done(&bot, &t).await;
    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert!(r.contains("Interim action #2 is not done yet"), "{r}");

    // Refused: not the trouble's owner or chain (the action's owner neither), no reason, done.
    let refusals = [
        (
            COLLEAGUE,
            "action cancel 2 duplicate",
            "Only the trouble's owner <@U0SALES>",
        ),
        ("U0FS1", "action cancel 2 duplicate", "can cancel an action"),
        (
            SALES,
            "action cancel 2",
            "Give the reason for cancelling it: `/trouble action cancel 2 REASON`",
        ),
        (
            SALES,
            "action cancel 1 duplicate",
            "Action #1 was marked done by <@U0FS1>, so it cannot be cancelled",
        ),
        (SALES, "action cancel 7 duplicate", "There is no action #7."),
    ];
    for (who, command, answer) in refusals {
        let r = bot.command_text(who, &t.channel, command).await;
        assert!(r.contains(answer), "{command}: {r}");
    }
    assert!(trouble(&bot, &t.id)
        .substance
        .actions
        .iter()
        .all(|a| a.cancelled.is_none()));

    let r = bot
        .command_text(MANAGER, &t.channel, "action cancel 2 duplicate of #1")
        .await;
    assert_eq!(
        r,
        "Action #2 cancelled. It stays on the timeline, marked cancelled; it is no longer reminded of nor counted for the close."
    );
    let a = &trouble(&bot, &t.id).substance.actions[1];
    let c = a.cancelled.as_ref().expect("cancelled");
    assert_eq!((c.by.as_str(), c.note.as_str()), (MANAGER, "duplicate of #1"));
    assert!(step_events(&bot, &t.id)
        .iter()
        .any(|e| matches!(e, StepEvent::ActionCancelled { n: 2, reason } if reason == "duplicate of #1")));
    message_with(
        &bot,
        &t.channel,
        &["🚫 Action #2 cancelled by <@U0MANAGER>: duplicate of #1"],
    )
    .await;
    let dm = bot.posted_saying("U0FS1", "cancelled your action #2").await;
    assert!(
        dm.contains("Sort stock again") && dm.contains("duplicate of #1"),
        "{dm}"
    );
    status_with(
        &bot,
        &t.id,
        &["~#2 interim: Sort stock again~", "🚫 cancelled — duplicate of #1"],
    )
    .await;
    let home = app_home(&bot, "U0FS1").await;
    assert!(
        !home.contains("Sort stock again") && home.contains("Wrong alarm"),
        "{home}"
    );
    let r = bot.command_text(SALES, &t.channel, "action cancel 2 again").await;
    assert_eq!(r, "Action #2 was cancelled by <@U0MANAGER>. Nothing was changed.");
    let r = bot.command_text(SALES, &t.channel, "fix action 2 due:12/20").await;
    assert_eq!(r, "Action #2 was cancelled by <@U0MANAGER>. Nothing was changed.");
    let r = bot.command_text("U0FS1", &t.channel, "action done 2").await;
    assert!(r.contains("was cancelled"), "{r}");

    // A cancelled prevention action is no measure: the close asks for one.
    let r = bot.command_text(SALES, &t.channel, "対策 取消 3 誤登録").await;
    assert!(r.starts_with("Action #3 cancelled."), "{r}");
    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert!(
        r.contains("Missing: a prevention measure") && !r.contains("nterim action"),
        "{r}"
    );
    bot.command_text(SALES, &t.channel, "prevent Mold temperature alarm")
        .await;
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(
        report.contains(
            "#2 interim: Sort stock again · owner @U0FS1 · due Thu 2026-12-10 18:00 · 🚫 cancelled — duplicate of #1"
        ),
        "{report}"
    );
    assert!(report.contains("action #2 cancelled: duplicate of #1"), "{report}");
    let eightd =
        trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
    assert!(
        eightd.contains("Sort stock") && !eightd.contains("Sort stock again") && !eightd.contains("Wrong alarm"),
        "{eightd}"
    );
    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert_eq!(r, closed_reply(&bot, &t));
    // The cancelled actions' dates pass: no reminder of them.
    bot.advance_and_settle(Duration::from_secs(11 * 24 * 3600)).await;
    bot.nothing_posted_saying("U0FS1", "action #2 is").await;
}

/// The new commands answer in Japanese when the bot speaks it.
#[tokio::test]
async fn correcting_and_cancelling_an_action_answer_in_japanese() {
    let bot = spawn_bot_raw(&BASE_CONFIG.replace("locale = \"en\"", "locale = \"ja\"")).await;
    let t = bot.open_ready("ACME: ハウジング割れ").await;
    bot.command_text(SALES, &t.channel, "action interim 全数選別 owner:<@U0QA1>")
        .await;
    bot.command_text(SALES, &t.channel, "action interim 全数選別 owner:<@U0QA1>")
        .await;
    let r = bot.command_text(SALES, &t.channel, "訂正 対策 1 期限:来週金曜").await;
    assert!(r.starts_with("対策 #1 を訂正しました（期限）"), "{r}");
    message_with(&bot, &t.channel, &["✏️ 訂正 対策 #1（<@U0SALES>さん）: 期限 — → "]).await;
    let r = bot.command_text(SALES, &t.channel, "対策 取消 2").await;
    assert!(r.starts_with("取り消す理由を入力してください"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "対策 取消 2 重複のため").await;
    assert!(r.starts_with("対策 #2 を取り消しました"), "{r}");
    message_with(
        &bot,
        &t.channel,
        &["🚫 対策 #2「全数選別」を<@U0SALES>さんが取り消しました: 重複のため"],
    )
    .await;
    bot.posted_saying("U0QA1", "取り消しました").await;
    // Whoever gave the action hears of a cancellation someone else made.
    bot.command_text(MANAGER, &t.channel, "対策 取消 1 別の対策に統合")
        .await;
    let told = bot.posted_saying(SALES, "に出した対策 #1").await;
    assert!(
        told.contains("<@U0MANAGER>さんがトラブル")
            && told
                .contains("であなたが<@U0QA1>さんに出した対策 #1「全数選別」を取り消しました。理由: 別の対策に統合。"),
        "{told}"
    );
}

/// After the close, a prevention action's check date given wrongly is corrected (the work a
/// close leaves open is still corrected): the effectiveness check comes at the new date only.
#[tokio::test]
async fn a_check_date_corrected_after_the_close_asks_at_the_new_date_only() {
    let bot = spawn_bot().await;
    let t = closed_with_a_check(&bot, "12/10").await;
    let r = bot.command_text(SALES, &t.channel, "fix action 1 check:12/20").await;
    assert_eq!(
        r,
        "Action #1 corrected (check date). The earlier entry stays on the timeline."
    );
    let asked = |bot: &TestBot| {
        step_events(bot, &t.id)
            .iter()
            .filter(|e| matches!(e, StepEvent::EffectAsked { n: 1 }))
            .count()
    };
    bot.advance_and_settle(Duration::from_secs(11 * 24 * 3600)).await;
    assert_eq!(asked(&bot), 0, "not at the old date");
    bot.advance_and_settle(Duration::from_secs(10 * 24 * 3600)).await;
    assert_eq!(asked(&bot), 1, "at the new date, once");
}

/// An action the manager gave is the manager chain's to correct or cancel: the owner cannot
/// give it to themself (and mark it done) or cancel an interim action the chain set. Once the
/// trouble is closed, cancelling is the chain's alone: its close counted on what was open.
#[tokio::test]
async fn an_action_the_chain_gave_and_any_action_once_closed_is_the_chains_to_change() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(
        MANAGER,
        &t.channel,
        "action interim 100% inspection of stock owner:<@U0QA1> due: +3d",
    )
    .await;
    let before = trouble(&bot, &t.id).timeline_len;
    for (typed, verb) in [
        (format!("fix action 1 owner:<@{SALES}>"), "correct"),
        ("action cancel 1 duplicate".to_string(), "cancel"),
    ] {
        let r = bot.command_text(SALES, &t.channel, &typed).await;
        assert_eq!(
            r,
            format!(
                "Action #1 was given by <@{MANAGER}>, in the manager chain, so only <@{MANAGER}> or those above \
                 them (<@{DIRECTOR}>, <@{VP}>) can {verb} it. Nothing was changed."
            ),
            "{typed}"
        );
    }
    assert_eq!(trouble(&bot, &t.id).timeline_len, before, "nothing changed");
    assert_eq!(trouble(&bot, &t.id).substance.actions[0].owner.as_str(), "U0QA1");
    let r = bot
        .command_text(MANAGER, &t.channel, "action cancel 1 typed twice")
        .await;
    assert!(r.contains("cancelled"), "{r}");

    // Closed: the owner's own prevention action is no longer theirs to cancel.
    let bot = spawn_bot().await;
    let t = closed_with_a_check(&bot, "+3d").await;
    let r = bot.command_text(SALES, &t.channel, "action cancel 1 duplicate").await;
    assert_eq!(
        r,
        format!(
            "The trouble is closed, and its close counted on the actions then open: only <@{MANAGER}> or those \
             above them (<@{DIRECTOR}>, <@{VP}>) can cancel action #1. Nothing was changed."
        )
    );
    assert!(trouble(&bot, &t.id).substance.actions[0].cancelled.is_none());
}

/// Whoever gave an action hears when someone else corrects or cancels it: what a department
/// asked of the rep is not dropped, nor the manager's action rewritten above them, unheard.
#[tokio::test]
async fn whoever_gave_an_action_hears_when_someone_else_corrects_or_cancels_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "add <@U0QA1>").await;
    let r = bot
        .command_text(
            "U0QA1",
            &t.channel,
            &format!("action interim call the plant about lot 42 owner:<@{SALES}> due: +3d"),
        )
        .await;
    assert!(r.contains("#1"), "{r}");
    bot.command_text(
        MANAGER,
        &t.channel,
        "action interim 100% inspection of stock owner:<@U0FS1> due: +3d",
    )
    .await;

    let r = bot
        .command_text(SALES, &t.channel, "action cancel 1 already called")
        .await;
    assert!(r.starts_with("Action #1 cancelled."), "{r}");
    let dm = bot.posted_saying("U0QA1", "cancelled action #1").await;
    assert!(
        dm.contains(&format!(
            "<@{SALES}> cancelled action #1 “call the plant about lot 42” you gave <@{SALES}>"
        )) && dm.contains("Reason: already called"),
        "{dm}"
    );

    let r = bot
        .command_text(
            DIRECTOR,
            &t.channel,
            "fix action 2 100% inspection of stock and shipped lots",
        )
        .await;
    assert!(r.contains("corrected"), "{r}");
    let dm = bot.posted_saying(MANAGER, "corrected action #2 you gave").await;
    assert!(dm.contains(&format!("<@{DIRECTOR}> corrected action #2")), "{dm}");
    bot.posted_saying("U0FS1", "corrected your action #2").await;
    // The one who made the change is not told of it.
    bot.nothing_posted_saying(DIRECTOR, "action #2").await;
    bot.nothing_posted_saying(SALES, "action #1").await;
}

/// A sev1's announcement told the business unit the words at open: a correction of the summary
/// or the customer is said there too, the announcement itself is edited to match (with the
/// channel's link once it exists, not "being set up"), and a summary corrected back to its words
/// at open no longer reads as corrected on the kickoff.
#[tokio::test]
async fn a_correction_of_an_announced_trouble_is_said_where_it_was_announced() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: lid cracked sev1").await;
    let announced = message_with(&bot, "C0BIZUNIT", &[&t.id, "opened trouble"]).await;
    let ts = announced["ts"].as_str().expect("its ts").to_string();
    message_says(&bot, "C0BIZUNIT", &ts, &format!("→ <#{}>", t.channel)).await;

    bot.command_text(SALES, &t.channel, "fix summary lid cracked on 30 units")
        .await;
    message_says(&bot, "C0BIZUNIT", &ts, "— lid cracked on 30 units (sev1").await;
    message_says(&bot, "C0BIZUNIT", &ts, "As reported: summary “lid cracked”").await;
    let said = bot.posted_saying("C0BIZUNIT", "corrected its summary").await;
    assert!(
        said.contains(&format!(
            "Trouble {}, announced here: <@{SALES}> corrected its summary from “lid cracked” to “lid cracked on 30 units”.",
            t.id
        )),
        "{said}"
    );
    message_says(&bot, &t.channel, &t.kickoff_ts, "As reported: summary “lid cracked”").await;

    bot.command_text(SALES, &t.channel, "fix summary lid cracked").await;
    bot.posted_saying("C0BIZUNIT", "from “lid cracked on 30 units” to “lid cracked”")
        .await;
    wait_until(|| {
        let now = bot.slack.message_versions(&t.channel, &t.kickoff_ts).pop()?;
        (!text_of(&now).contains("As reported")).then_some(())
    })
    .await;
}

/// A quality engineer of its departments checks whether a measure worked, as they may verify
/// one: their **Effective** is recorded.
#[tokio::test]
async fn a_member_of_its_departments_records_that_a_measure_worked() {
    let bot = spawn_bot().await;
    let t = opened_and_closed_with_a_check(&bot, "+quality ACME: housings cracked", "2s").await;
    asked_whether_it_worked(&bot, &t).await;
    click_on(&bot, "U0QA1", "effect_ok", &t, 1).await;
    wait_until(|| (trouble(&bot, &t.id).substance.actions[0].effective == Some(true)).then_some(())).await;
    assert!(step_events(&bot, &t.id).contains(&StepEvent::EffectAnswered { n: 1, effective: true }));
}

/// A measure a quality engineer carried out: its check asks them too, and their **Effective**
/// is refused naming everyone who may confirm it, as for `action verify` (the chain, the
/// members of its departments). So is the owner's: the owner gave the measure to someone else
/// and could otherwise certify it worked, as they may not verify it.
#[tokio::test]
async fn the_check_of_a_department_members_measure_asks_them_and_names_who_may_confirm_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot
        .command_text(
            SALES,
            &t.channel,
            "action prevent Mold temperature alarm owner:<@U0QA1> check:2s",
        )
        .await;
    assert!(r.contains("#1"), "{r}");
    all_stages_done(&bot, &t).await;
    assert!(bot.command_text(SALES, &t.channel, "close").await.contains("Closed"));
    let asked = text_of(&asked_whether_it_worked(&bot, &t).await);
    assert!(
        asked.contains("<@U0QA1>") && asked.contains(&format!("<@{SALES}>")),
        "{asked}"
    );
    for who in ["U0QA1", SALES] {
        click_on(&bot, who, "effect_ok", &t, 1).await;
        let refused = click_answer(&bot, who, "Whether action #1 worked").await;
        assert!(
            refused.contains(&format!("<@{MANAGER}>"))
                && refused.contains("members of this trouble's departments (Quality Assurance")
                && !refused.contains(SALES),
            "{who}: {refused}"
        );
    }
    assert_eq!(trouble(&bot, &t.id).substance.actions[0].effective, None);
}

/// A channel line waits its turn behind Slack's pace (about one a second): the line of an
/// action added shows it as added, from its timeline entry, not as it stands when the line
/// leaves (handed over with the trouble a moment later, here), so the channel says what the
/// timeline says.
#[tokio::test]
async fn an_action_line_posted_late_shows_the_action_as_it_was_added() {
    let bot = spawn_bot_paced_like_slack(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "update sorry, checking").await;
    bot.command_text(
        SALES,
        &t.channel,
        &format!("action interim call the customer back owner:<@{SALES}> due: fri"),
    )
    .await;
    bot.command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    assert_eq!(trouble(&bot, &t.id).substance.actions[0].owner.as_str(), COLLEAGUE);
    let line = bot
        .paced("the action's line", || {
            bot.slack
                .calls_to("chat.postMessage")
                .into_iter()
                .map(|c| c.params["text"].as_str().unwrap_or_default().to_string())
                .find(|text| text.contains("Action added #1"))
        })
        .await;
    assert!(line.contains(&format!("owner <@{SALES}>")), "{line}");
}

/// The bot was down past an action's due date: on restart its owner hears once that it is
/// overdue, not also that it is "due soon" about a date days past.
#[tokio::test]
async fn after_downtime_an_overdue_action_is_reminded_once_as_overdue() {
    let mut bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("BETA: lids loose").await;
    let r = bot
        .command_text(SALES, &t.channel, "action interim sort the stock due:fri")
        .await;
    assert!(r.contains("Due Fri 2026-12-04"), "{r}");
    bot.settle().await;
    bot.stop().await;
    bot.advance(Duration::from_secs(21 * 24 * 3600));
    bot.restart().await;
    bot.settle().await;
    message_with(&bot, &t.channel, &["action #1 is overdue"]).await;
    bot.settle().await;
    let soon: Vec<String> = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .map(|c| text_of(&c.params))
        .filter(|text| text.contains("action #1 is due soon"))
        .collect();
    assert!(soon.is_empty(), "{soon:?}");
}

/// A quality engineer's cause replaced by a colleague: the engineer is DMed what they wrote and
/// what stands now; replacing one's own cause tells nobody.
#[tokio::test]
async fn whoever_recorded_a_cause_hears_when_someone_else_replaces_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality ACME: housings cracked").await;
    bot.command_text("U0QA1", &t.channel, "cause mold temperature drifted")
        .await;
    bot.command_text("U0QA1", &t.channel, "cause mold temperature drifted at night")
        .await;
    bot.command_text("U0QA2", &t.channel, "cause resin moisture").await;
    let dm = bot.posted_saying("U0QA1", "replaced the cause you recorded").await;
    assert!(
        dm.contains("<@U0QA2>")
            && dm.contains("(ACME)")
            && dm.contains("drifted at night")
            && dm.contains("resin moisture"),
        "{dm}"
    );
    bot.settle().await;
    let told = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == "U0QA1" && text_of(&c.params).contains("replaced the cause"))
        .count();
    assert_eq!(told, 1, "their own correction told them nothing");
}

/// The channel credits who recorded each fact, cause, scope line and returned goods: a quality
/// engineer's work reads as theirs where everyone reads it, and nobody's change is anonymous
/// there. In Japanese too.
#[tokio::test]
async fn the_channel_names_who_recorded_each_fact_cause_scope_line_and_return() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality ACME: housings cracked").await;
    for typed in [
        "fact part HX-300",
        "scope Plant 2, lot 42",
        "scope check 1 no other lots",
        "cause Mold temperature drifted",
        "return received qty 4",
    ] {
        let r = bot.command_text("U0QA1", &t.channel, typed).await;
        assert!(!r.contains("Only"), "{typed}: {r}");
    }
    for line in [
        "🔎 Fact recorded by <@U0QA1> — Part: HX-300",
        "🗺️ Scope line #1 added by <@U0QA1> (unchecked): Plant 2, lot 42",
        "🗺️ Scope line #1 checked by <@U0QA1> — no other lots",
        "🔬 Cause recorded by <@U0QA1>: Mold temperature drifted",
        "📦 Returned goods recorded by <@U0QA1>: received",
    ] {
        message_with(&bot, &t.channel, &[line]).await;
    }
    // Someone else's correction names the one who made it.
    bot.command_text(SALES, &t.channel, "fact part HX-310").await;
    message_with(&bot, &t.channel, &["Corrected Part by <@U0SALES>: HX-300 → HX-310"]).await;

    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("+quality ACME: ハウジング割れ").await;
    bot.command_text("U0QA1", &t.channel, "原因 金型温度のドリフト").await;
    message_with(&bot, &t.channel, &["🔬 発生原因（<@U0QA1>さん）: 金型温度のドリフト"]).await;
}

/// A due date typed without its weekday in mind may fall when nobody works: the answer says so
/// at once, with how to correct it, in both languages; a working day is answered as before.
#[tokio::test]
async fn an_action_due_on_a_day_off_or_a_holiday_is_said_to_be_so() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot
        .command_text(SALES, &t.channel, "action interim sort the stock due:12/5")
        .await;
    assert!(
        r.ends_with("Due Sat 2026-12-05 18:00, not a working day (`/trouble fix action 1 due:…` corrects it)."),
        "{r}"
    );
    let r = bot
        .command_text(SALES, &t.channel, "action interim call them due:12/7")
        .await;
    assert!(r.contains("Due Mon 2026-12-07 18:00, a holiday"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "action interim ship spares due:12/8")
        .await;
    assert!(r.ends_with("Due Tue 2026-12-08 18:00."), "{r}");

    let bot = spawn_bot_raw(&format!(
        "{}\n{OFFICE_HOURS}",
        BASE_CONFIG.replace("locale = \"en\"", "locale = \"ja\"")
    ))
    .await;
    let t = bot.open_ready("ACME: ハウジング割れ").await;
    let r = bot
        .command_text(SALES, &t.channel, "対策 暫定 在庫選別 期限:12/5")
        .await;
    assert!(
        r.contains("で、営業日ではありません（`/trouble 訂正 対策 1 期限:…` で直せます）。"),
        "{r}"
    );
}

/// The action form says what the command would when its answer warns: a due date on a day off,
/// a measure with none. Rather than closing, the form shows the answer; a plain one still closes.
#[tokio::test]
async fn the_action_form_shows_a_due_date_on_a_day_off_or_a_measure_with_none() {
    for (locale, day_off, undated) in [
        (
            "en",
            "Due Sat 2026-12-05 18:00, not a working day",
            "It has no due date: a measure the customer is shown needs one",
        ),
        (
            "ja",
            "で、営業日ではありません（`/trouble 訂正 対策 1 期限:…` で直せます）",
            "期限がありません。お客様に示す再発防止策には期限が要ります",
        ),
    ] {
        let config = BASE_CONFIG.replace("locale = \"en\"", &format!("locale = \"{locale}\""));
        let bot = spawn_bot_raw(&format!("{config}\n{OFFICE_HOURS}")).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        let form = |kind: &str, text: &str, due: Option<&str>| {
            let values = json!({
                "kind": {"value": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": kind}, "value": kind}}},
                "text": {"value": {"type": "plain_text_input", "value": text}},
                "owner": {"value": {"type": "users_select", "selected_user": SALES}},
                "due": {"value": {"type": "plain_text_input", "value": due}},
                "check": {"value": {"type": "plain_text_input", "value": null}},
            });
            view_submission(SALES, &format!("VACTION{}", unique()), "trouble_action", &t.id, values)
        };
        for (kind, text, due, said) in [
            ("interim", "sort the stock", Some("12/5"), day_off),
            ("prevent", "add a check", None, undated),
        ] {
            let r = bot.interaction(&form(kind, text, due)).await;
            let answer: Value = r.json().await.unwrap_or_default();
            assert_eq!(answer["response_action"], "update", "{locale} {kind}: {answer}");
            let shown = answer["view"]["blocks"][0]["text"]["text"].as_str().unwrap_or_default();
            assert!(shown.contains(said), "{locale} {kind}: {shown}");
        }
        // A working day: the form closes, as before.
        let r = bot.interaction(&form("interim", "ship spares", Some("12/8"))).await;
        assert!(r.text().await.unwrap().is_empty(), "{locale}");
        assert_eq!(trouble(&bot, &t.id).substance.actions.len(), 3, "{locale}");
    }
}

/// A prevention measure left open at the close goes on being reminded by DM to its owner. When
/// they cannot be DMed (gone from Slack), or left (their account deactivated, which Slack still
/// writes to), whoever answers for the trouble hears it once, with the action to hand on: its
/// owner, or the manager when the owner is the one gone.
#[tokio::test]
async fn a_measure_whose_owner_cannot_be_reached_is_told_to_whoever_answers_for_the_trouble() {
    for (gone, told, error) in [
        ("U0FS1", SALES, "channel_not_found"),
        (SALES, MANAGER, "channel_not_found"),
        ("U0FS1", SALES, "user_deactivated"),
        (SALES, MANAGER, "user_deactivated"),
    ] {
        let bot = spawn_bot().await;
        let t = bot.open_ready("+field ACME: housings cracked").await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        bot.command_text(
            SALES,
            &t.channel,
            &format!("action prevent Humidity alarm in the store owner:<@{gone}> due:12/10"),
        )
        .await;
        bot.command_text(
            SALES,
            &t.channel,
            &format!("action prevent Dry storage audit owner:<@{gone}> due:12/11"),
        )
        .await;
        all_stages_done(&bot, &t).await;
        assert_eq!(
            bot.command_text(SALES, &t.channel, "close").await,
            closed_reply(&bot, &t)
        );
        bot.settle().await;
        match error {
            "user_deactivated" => bot.slack.deactivate(gone),
            _ => bot.slack.no_such_user(gone),
        }
        let mark = last_call(&bot);
        bot.advance_and_settle(Duration::from_secs(11 * 24 * 3600)).await;
        let notices: Vec<String> = posted_since(&bot, told, mark)
            .into_iter()
            .filter(|m| m.contains("could not DM") || m.contains("deactivated in Slack"))
            .collect();
        // Someone who left is said to have left, not to be someone Slack cannot find.
        let said = match error {
            "user_deactivated" => format!(
                "⚠️ <@{gone}>, owner of actions #1, #2 of trouble {} (ACME), has been deactivated in Slack: they have left the workspace, so the reminders reach nobody. Hand the work to someone with `/trouble fix action 1 owner:@…` in <#{}>.",
                t.id, t.channel
            ),
            _ => format!(
                "⚠️ The bot could not DM <@{gone}>, owner of actions #1, #2 of trouble {} (ACME) ({error}): they may have left Slack, so the reminders reach nobody. Hand the work to someone with `/trouble fix action 1 owner:@…` in <#{}>.",
                t.id, t.channel
            ),
        };
        // The message's text, then its blocks (`text_of`).
        assert_eq!(
            notices.len(),
            1,
            "told once, though each action's reminder failed: {notices:?}"
        );
        assert!(notices[0].starts_with(&format!("{said} ")), "{notices:?}");
    }
}

/// `/trouble fact` typed by `user`: the facts form drawn now, as Slack will send back its metadata.
async fn facts_form_drawn(bot: &TestBot, user: &str, channel: &str) -> String {
    let mark = last_call(bot);
    bot.command(user, channel, "fact").await;
    let open = bot.slack.wait_for("views.open", |c| c.seq > mark).await;
    open.params["view"]["private_metadata"]
        .as_str()
        .expect("the form's metadata")
        .to_string()
}

/// The facts form drawn with `metadata`, submitted by `user` with `fields`.
fn drawn_facts_submitted(user: &str, metadata: &str, fields: &[(&str, &str)]) -> Value {
    let mut v = facts_submission("", fields);
    v["user"]["id"] = json!(user);
    v["view"]["private_metadata"] = json!(metadata);
    v
}

// A facts form left open while a colleague records a lot: saving it adds what the rep typed and
// keeps the colleague's lot, and the channel names nobody for a change they did not make.
#[tokio::test]
async fn a_facts_form_opened_before_a_colleagues_lot_keeps_that_lot() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "fact part HX-200").await;
    bot.command_text(SALES, &t.channel, "fact lot L41").await;
    let form = facts_form_drawn(&bot, SALES, &t.channel).await;
    bot.command_text(MANAGER, &t.channel, "fact lot L42").await;
    bot.settle().await;
    let mark = last_call(&bot);
    let submitted = drawn_facts_submitted(
        SALES,
        &form,
        &[
            ("part", "HX-200"),
            ("lot", "L41, L43"),
            ("symptom", "lid cracked at the hinge"),
        ],
    );
    assert_eq!(bot.interaction(&submitted).await.status(), 200);
    bot.settle().await;
    let facts = trouble(&bot, &t.id).substance.facts;
    assert_eq!(
        facts.lots,
        ["L41", "L42", "L43"],
        "the manager's L42 stays, the rep's L43 is added"
    );
    assert_eq!(facts.symptom.as_deref(), Some("lid cracked at the hinge"));
    let posted = posted_since(&bot, &t.channel, mark);
    assert!(
        !posted.iter().any(|m| m.contains("Corrected Lot by <@U0SALES>")),
        "the rep corrected nothing: {posted:?}"
    );
}

// A facts form left open while the manager corrects the part: the untouched part is not put back;
// a part changed on the form too is refused on its field, saying who changed it to what.
#[tokio::test]
async fn a_facts_form_opened_before_a_correction_does_not_undo_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "fact part HX-200").await;
    let form = facts_form_drawn(&bot, SALES, &t.channel).await;
    bot.command_text(MANAGER, &t.channel, "fix fact part HX-201").await;

    let both = drawn_facts_submitted(SALES, &form, &[("part", "HX-202"), ("symptom", "lid cracked")]);
    let answer: Value = bot.interaction(&both).await.json().await.expect("field errors");
    let error = answer["errors"]["fact_part"].as_str().unwrap_or_default();
    assert!(
        error.contains("changed to “HX-201” by <@U0MANAGER> after this form was opened")
            && error.contains("nothing was recorded"),
        "{answer}"
    );
    let facts = trouble(&bot, &t.id).substance.facts;
    assert_eq!((facts.part.as_deref(), facts.symptom), (Some("HX-201"), None));

    bot.settle().await;
    let mark = last_call(&bot);
    let untouched = drawn_facts_submitted(SALES, &form, &[("part", "HX-200"), ("symptom", "lid cracked")]);
    assert_eq!(bot.interaction(&untouched).await.status(), 200);
    bot.settle().await;
    let facts = trouble(&bot, &t.id).substance.facts;
    assert_eq!(
        (facts.part.as_deref(), facts.symptom.as_deref()),
        (Some("HX-201"), Some("lid cracked"))
    );
    let posted = posted_since(&bot, &t.channel, mark);
    assert!(
        !posted.iter().any(|m| m.contains("Corrected Part by <@U0SALES>")),
        "{posted:?}"
    );
}

// A facts form left open while the manager swaps a mention for another person of the same name:
// the form reads the same (`@sato`) but the record changed. That field edited is refused as
// changed meanwhile; another field edited is recorded, and the manager's mention stays.
#[tokio::test]
async fn a_facts_form_opened_before_a_mention_was_swapped_does_not_undo_the_swap() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "fact found by <@U0QA1|sato>").await;
    let form = facts_form_drawn(&bot, SALES, &t.channel).await;
    let swapped = "by <@U0QA2|sato>";
    bot.command_text(MANAGER, &t.channel, &format!("fix fact found {swapped}"))
        .await;
    bot.settle().await;
    assert_eq!(trouble(&bot, &t.id).substance.facts.found.as_deref(), Some(swapped));

    let same_field = drawn_facts_submitted(SALES, &form, &[("found", "by @sato, line 2")]);
    let answer: Value = bot.interaction(&same_field).await.json().await.expect("field errors");
    let error = answer["errors"]["fact_found"].as_str().unwrap_or_default();
    assert!(
        error.contains("by <@U0MANAGER> after this form was opened") && error.contains("nothing was recorded"),
        "{answer}"
    );
    assert_eq!(trouble(&bot, &t.id).substance.facts.found.as_deref(), Some(swapped));

    let before = trouble(&bot, &t.id).timeline_len;
    let other_field = drawn_facts_submitted(SALES, &form, &[("found", "by @sato"), ("symptom", "lid cracked")]);
    assert_eq!(bot.interaction(&other_field).await.status(), 200);
    bot.settle().await;
    let kept = trouble(&bot, &t.id);
    assert_eq!(
        (
            kept.substance.facts.found.as_deref(),
            kept.substance.facts.symptom.as_deref()
        ),
        (Some(swapped), Some("lid cracked"))
    );
    assert_eq!(kept.timeline_len, before + 1, "the symptom alone is recorded");
}

// A facts form drawn before any lot was recorded: saved unchanged, it empties nothing.
#[tokio::test]
async fn a_facts_form_opened_before_a_lot_was_recorded_is_not_refused_as_emptying_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "fact part HX-200").await;
    let form = facts_form_drawn(&bot, SALES, &t.channel).await;
    bot.command_text(MANAGER, &t.channel, "fact lot L42").await;
    let submitted = drawn_facts_submitted(
        SALES,
        &form,
        &[("part", "HX-200"), ("lot", ""), ("symptom", "lid cracked")],
    );
    let response = bot.interaction(&submitted).await;
    let body = response.text().await.unwrap_or_default();
    assert!(!body.contains("cannot be emptied"), "{body}");
    bot.settle().await;
    let facts = trouble(&bot, &t.id).substance.facts;
    assert_eq!(
        (facts.lots, facts.symptom.as_deref()),
        (vec!["L42".to_string()], Some("lid cracked"))
    );
}

// The same in Japanese: the refusal says who changed the field, and the lots are merged.
#[tokio::test]
async fn a_facts_form_opened_before_a_change_is_answered_in_japanese() {
    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "fact part HX-200").await;
    bot.command_text(SALES, &t.channel, "fact lot L41").await;
    let form = facts_form_drawn(&bot, SALES, &t.channel).await;
    bot.command_text(MANAGER, &t.channel, "fact lot L42").await;
    bot.command_text(MANAGER, &t.channel, "fix fact part HX-201").await;
    let both = drawn_facts_submitted(
        SALES,
        &form,
        &[("part", "HX-202"), ("lot", "L41"), ("symptom", "蓋の割れ")],
    );
    let answer: Value = bot.interaction(&both).await.json().await.expect("field errors");
    let error = answer["errors"]["fact_part"].as_str().unwrap_or_default();
    assert!(
        error.contains("このフォームを開いた後に、<@U0MANAGER>さんが") && error.contains("「HX-201」に変更しました"),
        "{answer}"
    );
    let mut again = drawn_facts_submitted(
        SALES,
        &form,
        &[("part", "HX-201"), ("lot", "L41"), ("symptom", "蓋の割れ")],
    );
    again["view"]["id"] = json!(format!("VAGAIN{}", unique()));
    assert_eq!(bot.interaction(&again).await.status(), 200);
    bot.settle().await;
    let facts = trouble(&bot, &t.id).substance.facts;
    assert_eq!(facts.lots, ["L41", "L42"]);
    assert_eq!(facts.symptom.as_deref(), Some("蓋の割れ"));
}

/// `user` taps the button `action` of `message` as it was drawn (its own value); the answer
/// comes to the response URL `click-{user}`.
async fn tap_as_drawn(bot: &TestBot, user: &str, action: &str, message: &Value, channel: &str) {
    let blocks = message["blocks"].as_array().cloned().unwrap_or_default();
    let value = blocks
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"].as_str().is_some_and(|a| a.starts_with(action)))
        .and_then(|e| e["value"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no {action} button in {message}"));
    let url = bot.slack.response_url(&format!("click-{user}"));
    let payload = button_payload_to(&url, user, action, &value, channel);
    assert_eq!(bot.interaction(&payload).await.status(), 200, "tap on {action}");
}

/// A trouble closed with prevention action #1 to check 2 s later, and the check as posted.
async fn closed_with_an_effect_check(bot: &TestBot) -> (OpenedTrouble, Value) {
    let t = closed_with_a_measure(bot, "ACME: housings cracked").await;
    bot.advance_and_settle(Duration::from_secs(5)).await;
    let did_it_work = match bot.config().locale {
        Locale::Ja => "効果はありましたか",
        Locale::En => "Did it work?",
    };
    let asked = message_with(bot, &t.channel, &[did_it_work, "Mold temperature alarm"]).await;
    (t, asked)
}

/// As [`closed_with_an_effect_check`], with a second measure standing: the last measure a close
/// rested on is not cancelled while it is closed, so #1 may be (a duplicate).
async fn closed_with_a_check_to_cancel(bot: &TestBot) -> (OpenedTrouble, Value) {
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "action prevent Mold temperature alarm check:2s")
        .await;
    bot.command_text(SALES, &t.channel, "action prevent Weekly mold temperature audit")
        .await;
    all_stages_done(bot, &t).await;
    bot.command_text(SALES, &t.channel, "close").await;
    bot.advance_and_settle(Duration::from_secs(5)).await;
    let asked = message_with(bot, &t.channel, &["Did it work?", "Mold temperature alarm"]).await;
    (t, asked)
}

// "Not effective" tapped on the check of a measure cancelled since (a duplicate): nothing is
// recorded and the trouble stays closed; the tapper is told why.
#[tokio::test]
async fn an_effectiveness_answer_for_a_cancelled_measure_changes_nothing() {
    let bot = spawn_bot().await;
    let (t, asked) = closed_with_a_check_to_cancel(&bot).await;
    bot.command_text(
        MANAGER,
        &t.channel,
        "action cancel 1 duplicate of the alarm in the old trouble",
    )
    .await;
    tap_as_drawn(&bot, SALES, "effect_ng", &asked, &t.channel).await;
    let answer = click_answer(&bot, SALES, "").await;
    assert!(
        answer.contains("Action #1 was cancelled by <@U0MANAGER>. Nothing was changed."),
        "{answer}"
    );
    bot.settle().await;
    let after = trouble(&bot, &t.id);
    assert!(!after.is_open(), "a cancelled measure reopened the trouble");
    assert_eq!(
        (after.substance.reopened, after.substance.actions[0].effective),
        (0, None)
    );
}

// The check answered after the trouble was reopened (by its own button, or one drawn by an
// earlier release): the close it asked about no longer stands, so nothing is recorded, and the
// measure is checked again at the next close.
#[tokio::test]
async fn an_effectiveness_answer_after_a_reopen_is_not_taken_and_the_check_is_asked_again() {
    let bot = spawn_bot().await;
    let (t, asked) = closed_with_an_effect_check(&bot).await;
    bot.command_text(MANAGER, &t.channel, "reopen customer found more cracks in lot 43")
        .await;
    tap_as_drawn(&bot, DIRECTOR, "effect_ok", &asked, &t.channel).await;
    let answer = click_answer(&bot, DIRECTOR, "").await;
    assert!(
        answer.contains(&format!("Trouble {} was reopened on ", t.id)) && answer.contains("nothing was recorded"),
        "{answer}"
    );
    click_on(&bot, SALES, "effect_ng", &t, 1).await;
    let answer = click_answer(&bot, SALES, "").await;
    assert!(answer.contains("was reopened"), "{answer}");
    bot.settle().await;
    let after = trouble(&bot, &t.id);
    assert_eq!(
        (after.substance.reopened, after.substance.actions[0].effective),
        (1, None)
    );

    for n in [4, 7] {
        bot.command_text(SALES, &t.channel, &format!("done {n}")).await;
    }
    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert!(r.contains("Closed"), "{r}");
    bot.advance_and_settle(Duration::from_secs(60)).await;
    let asks = bot
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.params.to_string().contains("Did it work?"))
        .count();
    assert_eq!(asks, 2, "the measure is checked again at the next close");
    // The check of this close is answered.
    let asked = bot
        .slack
        .messages_in(&t.channel)
        .into_iter()
        .rfind(|m| text_of(m).contains("Did it work?"))
        .expect("the second check");
    tap_as_drawn(&bot, DIRECTOR, "effect_ok", &asked, &t.channel).await;
    let answer = click_answer(&bot, DIRECTOR, "Recorded").await;
    assert!(answer.contains("Recorded as effective"), "{answer}");
}

/// The check's message as it reads now (its last version), once it has been edited.
async fn check_redrawn(bot: &TestBot, channel: &str, asked: &Value) -> Value {
    let ts = asked["ts"].as_str().unwrap_or_default().to_string();
    bot.paced("the check's message redrawn", || {
        let versions = bot.slack.message_versions(channel, &ts);
        (versions.len() > 1).then(|| versions.last().cloned().unwrap_or_default())
    })
    .await
}

// The check's message stops asking once its answer no longer counts: answered (saying by whom),
// the measure cancelled, or the trouble reopened; its buttons go.
#[tokio::test]
async fn the_effectiveness_check_loses_its_buttons_once_answered_cancelled_or_reopened() {
    let bot = spawn_bot().await;
    let (t, asked) = closed_with_an_effect_check(&bot).await;
    tap_as_drawn(&bot, MANAGER, "effect_ok", &asked, &t.channel).await;
    click_answer(&bot, MANAGER, "Recorded as effective").await;
    let now = check_redrawn(&bot, &t.channel, &asked).await;
    let text = text_of(&now);
    assert!(!text.contains("effect_ok") && !text.contains("effect_ng"), "{now}");
    assert!(
        text.contains("prevention action #1 “Mold temperature alarm”")
            && text.contains("recorded as effective by <@U0MANAGER>"),
        "{now}"
    );

    let bot = spawn_bot().await;
    let (t, asked) = closed_with_a_check_to_cancel(&bot).await;
    bot.command_text(
        MANAGER,
        &t.channel,
        "action cancel 1 duplicate of the alarm in the old trouble",
    )
    .await;
    let now = check_redrawn(&bot, &t.channel, &asked).await;
    let text = text_of(&now);
    assert!(!text.contains("effect_ng"), "{now}");
    assert!(text.contains("the action was cancelled by <@U0MANAGER>"), "{now}");

    let bot = spawn_bot_in("ja").await;
    let (t, asked) = closed_with_an_effect_check(&bot).await;
    bot.command_text(MANAGER, &t.channel, "reopen customer found more cracks in lot 43")
        .await;
    let now = check_redrawn(&bot, &t.channel, &asked).await;
    let text = text_of(&now);
    assert!(!text.contains("effect_ok"), "{now}");
    assert!(
        text.contains("トラブルが再開されたため、この確認は終わりました"),
        "{now}"
    );
}

// A tap on an effectiveness check asked before `fix action N check:` moved its date answers a
// check that no longer stands: nothing is recorded (here "Not effective" would have reopened
// the trouble), the tapper is told which trouble and that its dates changed, and the check
// asked on the new date is the one that counts. In Japanese too.
#[tokio::test]
async fn an_effectiveness_answer_on_a_check_asked_before_its_date_changed_is_not_taken() {
    let bot = spawn_bot().await;
    let (t, asked) = closed_with_an_effect_check(&bot).await;
    let r = bot.command_text(SALES, &t.channel, "fix action 1 check:1m").await;
    assert!(r.contains("#1"), "{r}");
    tap_as_drawn(&bot, SALES, "effect_ng", &asked, &t.channel).await;
    let answer = click_answer(&bot, SALES, "").await;
    assert!(
        answer.contains(&format!(
            "This check of prevention action #1 on trouble {} was asked before its dates were corrected",
            t.id
        )) && answer.contains("Nothing was recorded")
            && answer.contains("the check asked on ")
            && answer.contains("is the one that counts"),
        "{answer}"
    );
    bot.settle().await;
    let after = trouble(&bot, &t.id);
    assert!(!after.is_open(), "a stale tap reopened the trouble");
    assert_eq!(after.substance.actions[0].effective, None);

    bot.advance_and_settle(Duration::from_secs(90)).await;
    let asked_again = bot
        .slack
        .messages_in(&t.channel)
        .into_iter()
        .rfind(|m| text_of(m).contains("Did it work?") && m["ts"] != asked["ts"])
        .expect("the check asked on its new date");
    // The old buttons, tapped once the new check is due, still answer nothing.
    tap_as_drawn(&bot, DIRECTOR, "effect_ok", &asked, &t.channel).await;
    let answer = click_answer(&bot, DIRECTOR, "").await;
    assert!(answer.contains("before its dates were corrected"), "{answer}");
    assert_eq!(trouble(&bot, &t.id).substance.actions[0].effective, None);
    tap_as_drawn(&bot, DIRECTOR, "effect_ok", &asked_again, &t.channel).await;
    let answer = click_answer(&bot, DIRECTOR, "Recorded").await;
    assert!(answer.contains("Recorded as effective"), "{answer}");

    let bot = spawn_bot_in("ja").await;
    let (t, asked) = closed_with_an_effect_check(&bot).await;
    bot.command_text(SALES, &t.channel, "fix action 1 check:1m").await;
    tap_as_drawn(&bot, SALES, "effect_ng", &asked, &t.channel).await;
    let answer = click_answer(&bot, SALES, "").await;
    assert!(
        answer.contains(&format!(
            "トラブル {} の再発防止策 #1 の効果確認は、日付が訂正される前に伺ったものです",
            t.id
        )) && answer.contains("何も記録していません"),
        "{answer}"
    );
    assert!(!trouble(&bot, &t.id).is_open());
}

/// A verification is what was checked: `action verify N` without it records nothing and says
/// how to give it, in both languages; given, the 8D's D6 shows it with who verified and when.
#[tokio::test]
async fn a_verification_needs_its_evidence_and_d6_shows_it_with_who_and_when() {
    for (locale, asked, pending, d6) in [
        (
            "en",
            "Say what was checked (the evidence): `/trouble action verify 1 EVIDENCE`",
            "## D6 Implementation and verification\n- Mold interlock: implemented 2026-11-30 by @U0QA1; not verified yet\n",
            "- Mold interlock: implemented 2026-11-30 by @U0QA1; verified 2026-11-30 by @U0QA2 — 200 shots without cracks",
        ),
        (
            "ja",
            "何を確認したか（検証の根拠）を入力してください: `/trouble action verify 1 根拠`",
            "## D6 恒久対策の実施と効果の検証\n- Mold interlock: 2026-11-30 に @U0QA1 が実施（検証待ち）\n",
            "- Mold interlock: 2026-11-30 に @U0QA1 が実施、2026-11-30 に @U0QA2 が検証 — 200 shots without cracks",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("+quality ACME: housings cracked").await;
        bot.command_text(SALES, &t.channel, "action permanent Mold interlock owner:<@U0QA1>")
            .await;
        bot.command_text("U0QA1", &t.channel, "action done 1").await;
        // Done and not verified yet: D6 says so, never "not recorded" while D5 says done.
        let md =
            trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
        assert!(md.contains(pending), "{locale}: {md}");
        for bare in ["action verify 1", "action verify 1  .", "action verify 1 :ok:"] {
            let r = bot.command_text("U0QA2", &t.channel, bare).await;
            assert!(r.starts_with(asked), "{locale}: {bare}: {r}");
            assert!(
                trouble(&bot, &t.id).substance.actions[0].verified.is_none(),
                "{locale}: {bare}"
            );
        }
        bot.command_text("U0QA2", &t.channel, "action verify 1 200 shots without cracks")
            .await;
        let verified = trouble(&bot, &t.id).substance.actions[0].verified.clone();
        assert_eq!(
            verified.map(|v| v.note),
            Some("200 shots without cracks".to_string()),
            "{locale}"
        );
        bot.command_text(SALES, &t.channel, "report 8d").await;
        let posted = text_of(&message_with(&bot, &t.channel, &["D6", "200 shots"]).await);
        assert!(posted.contains(d6), "{locale}: {posted}");
    }
}

/// A trouble closed, found not effective at its check and reopened says so in the 8D: D7 names
/// who found the measure not effective and when, and D8 says it was reopened after an earlier
/// close, while it is open again (never "not recorded") and after the next close.
#[tokio::test]
async fn a_reopened_troubles_8d_says_it_was_reopened_and_who_found_the_measure_not_effective() {
    for (locale, d7, reopened, still_open, closed) in [
        (
            "en",
            "- Mold temperature alarm · owner @U0SALES · done 2026-11-30 · effectiveness: not effective, found 2026-11-30 by @U0QA1 (being revised)",
            "- Reopened 2026-11-30 after an earlier close on 2026-11-30: a prevention measure was found not effective (D7)",
            "; not closed again yet\n",
            "- Closed 2026-11-30 by @U0SALES",
        ),
        (
            "ja",
            "- Mold temperature alarm · 担当 @U0SALES · 2026-11-30 に実施 · 効果確認: 効果なし（2026-11-30 に @U0QA1 が確認・対策を見直し中）",
            "- 2026-11-30 に再開（2026-11-30 に一度対応を終了した後、再発防止策に効果がないと確認されたため。D7参照）",
            "。再開後はまだ終了していません\n",
            "- 2026-11-30 に対応を終了（@U0SALES）",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("+quality ACME: housings cracked").await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        bot.command_text(SALES, &t.channel, "action prevent Mold temperature alarm check:2s")
            .await;
        // Marked done, then judged by its check: not "verification pending" beside the answer.
        bot.command_text(SALES, &t.channel, "action done 1").await;
        bot.command_text(SALES, &t.channel, "cause mold temperature drifted").await;
        split_and_cost_settled(&bot, &t).await;
        for n in 1..=7 {
            bot.command_text(SALES, &t.channel, &format!("done {n}")).await;
        }
        bot.command_text(SALES, &t.channel, "close").await;
        assert!(trouble(&bot, &t.id).closed.is_some(), "{locale}: closed");
        bot.advance_and_settle(Duration::from_secs(5)).await;
        click_on(&bot, "U0QA1", "effect_ng", &t, 1).await;
        bot.paced("reopened", || trouble(&bot, &t.id).closed.is_none().then_some(()))
            .await;
        let d8 = |md: &str| md[md.find("## D8").expect("D8")..].to_string();
        let export = || {
            trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout
        };
        let md = export();
        assert!(md.contains(d7), "{locale}: {md}");
        assert_eq!(d8(&md), format!("{}\n{reopened}{still_open}", d8(&md).lines().next().unwrap_or_default()), "{locale}");

        bot.command_text(SALES, &t.channel, "action prevent Weekly mold temperature audit")
            .await;
        for n in [4, 7] {
            bot.command_text(SALES, &t.channel, &format!("done {n}")).await;
        }
        bot.command_text(SALES, &t.channel, "close").await;
        assert!(trouble(&bot, &t.id).closed.is_some(), "{locale}: closed again");
        bot.command_text(SALES, &t.channel, "report 8d").await;
        let posted = text_of(&message_with(&bot, &t.channel, &["D8", &closed[2..]]).await);
        let md = export();
        for doc in [&md, &posted] {
            assert!(doc.contains(reopened), "{locale}: {doc}");
            assert!(!doc.contains(still_open.trim_end()), "{locale}: {doc}");
        }
        assert!(d8(&md).contains(&format!("{reopened}\n{closed}")), "{locale}: {md}");
        // Closed again, the measure found not effective is no longer "being revised": it was.
        let revised = match locale {
            "ja" => d7.replace("対策を見直し中", "見直しのうえ再クローズ"),
            _ => d7.replace("(being revised)", "(revised before the trouble was closed again)"),
        };
        assert!(md.contains(&revised) && !md.contains(d7), "{locale}: {md}");
        // The internal report's header says the close it shows is not the first.
        let report =
            trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
        let header = match locale {
            "ja" => "\n- 再開: 1回（最後は 2026-11-30 10:00）\n",
            _ => "\n- Reopened: 1 time, the last 2026-11-30 10:00\n",
        };
        assert!(report.contains(header), "{locale}: {report}");
    }
}

/// Who answered a measure's effectiveness check is on its record as the timeline says it:
/// the 8D's D7 names them, so `verify` catches the record told otherwise. An answer an earlier
/// release recorded, which kept no one, still checks.
#[tokio::test]
async fn verify_holds_who_answered_the_effectiveness_check_to_the_timeline() {
    let mut bot = spawn_bot().await;
    let t = closed_with_a_check(&bot, "2s").await;
    asked_whether_it_worked(&bot, &t).await;
    click_on(&bot, MANAGER, "effect_ok", &t, 1).await;
    let judged = bot
        .paced("the effect recorded", || {
            trouble(&bot, &t.id).substance.actions[0].judged.clone()
        })
        .await;
    assert_eq!(judged.by, UserId::new(MANAGER));
    bot.stop().await;
    let data = bot.dir.path().to_path_buf();
    // sled's threads keep the file lock a moment after the last handle is dropped.
    let released = || trouble_bot::store::sled::wait_released(&data.join("db"));
    let edit = |change: &dyn Fn(&mut Value)| {
        released();
        let db = sled::open(data.join("db")).expect("the stopped bot released the store");
        let troubles = db.open_tree("troubles").expect("troubles");
        let stored = troubles.get(t.id.as_bytes()).expect("read").expect("the record");
        let mut record = trouble_bot::store::sled::record_value(&stored).expect("a record");
        change(&mut record);
        troubles
            .insert(t.id.as_bytes(), serde_json::to_vec(&record).expect("json"))
            .expect("write");
        db.flush().expect("flush");
    };
    let verify = || {
        released();
        let store = trouble_bot::store::sled::SledStore::open(&data).expect("the store opens");
        trouble_bot::admin::verify(trouble_bot::i18n::Locale::En, &store)
    };
    assert_eq!(verify().code, 0, "{}", verify().stdout);
    edit(&|r| r["substance"]["actions"][0]["judged"]["by"] = json!(DIRECTOR));
    let broken = verify();
    assert!(
        broken.code != 0
            && broken.stdout.contains(&format!(
                "BROKEN {}: the record of its facts, scope, cause and actions (8D) does not match",
                t.id
            )),
        "{}",
        broken.stdout
    );
    edit(&|r| {
        r["substance"]["actions"][0]
            .as_object_mut()
            .expect("an action")
            .remove("judged");
    });
    let earlier = verify();
    assert_eq!(earlier.code, 0, "{}", earlier.stdout);
}

/// A containment action has no section of its own for its verification (D6 is the permanent
/// actions'): its line in D3 says who verified it, when, and what they found, so the 8D shows
/// the evidence that the containment worked, in both languages.
#[tokio::test]
async fn d3_shows_who_verified_a_containment_action_and_what_they_found() {
    for (locale, d3) in [
        (
            "en",
            "- Sort the warehouse stock · owner @U0QA1 · done 2026-11-30, verified 2026-11-30 by @U0QA2 — 480 pcs re-inspected, 0 cracked\n",
        ),
        (
            "ja",
            "- Sort the warehouse stock · 担当 @U0QA1 · 2026-11-30 に実施・2026-11-30 に @U0QA2 が検証 — 480 pcs re-inspected, 0 cracked\n",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("+quality ACME: housings cracked").await;
        bot.command_text(SALES, &t.channel, "action interim Sort the warehouse stock owner:<@U0QA1>")
            .await;
        bot.command_text("U0QA1", &t.channel, "action done 1").await;
        bot.command_text("U0QA2", &t.channel, "action verify 1 480 pcs re-inspected, 0 cracked")
            .await;
        bot.command_text(SALES, &t.channel, "report 8d").await;
        message_with(&bot, &t.channel, &["D3", "480 pcs"]).await;
        let md =
            trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
        assert!(md.contains(d3), "{locale}: {md}");
    }
}

/// Every kickoff-thread line of `t` that says another customer has the same part or lot.
fn elsewhere_lines(bot: &TestBot, t: &OpenedTrouble, needle: &str) -> Vec<String> {
    bot.slack
        .messages_in(&t.channel)
        .iter()
        .filter(|m| m["thread_ts"] == t.kickoff_ts.as_str())
        .map(text_of)
        .filter(|m| m.contains(needle))
        .collect()
}

/// One bad lot shipped to three customers, each reported by its own rep in the same week: each
/// trouble's kickoff thread names the others that had the lot (whichever was opened first, and
/// however the lot was typed), once each, so the quality people in each channel deploy one
/// cause and one set of measures across all of them (横展開); `search` finds all three.
#[tokio::test]
async fn the_same_lot_at_other_customers_is_told_in_each_troubles_kickoff_thread() {
    let bot = spawn_bot().await;
    let acme = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &acme.channel, "fact lot L42").await;
    let globex = bot.open_ready_as(COLLEAGUE, "Globex: housings cracked").await;
    bot.command_text(COLLEAGUE, &globex.channel, "fact lot Ｌ４２").await;
    let initech = bot.open_ready("Initech: lids split").await;
    bot.command_text(SALES, &initech.channel, "fact lot l42").await;
    bot.settle().await;

    let needle = "at another customer";
    for (t, others) in [
        (&acme, [(&globex, "Globex"), (&initech, "Initech")]),
        (&globex, [(&acme, "ACME"), (&initech, "Initech")]),
        (&initech, [(&acme, "ACME"), (&globex, "Globex")]),
    ] {
        let lines = elsewhere_lines(&bot, t, needle);
        assert_eq!(lines.len(), 2, "{}: {lines:#?}", t.id);
        for (o, name) in others {
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(&o.id) && l.contains(name) && l.to_lowercase().contains("l42")),
                "{} names {}: {lines:#?}",
                t.id,
                o.id
            );
        }
        // Not a recurrence: that is the same customer's.
        assert!(!elsewhere_lines(&bot, t, "Possible recurrence").iter().any(|_| true));
    }
    // Given again, the lot names nobody twice.
    bot.command_text(SALES, &initech.channel, "fact lot L42").await;
    bot.command_text(SALES, &acme.channel, "fact part HX-9").await;
    bot.settle().await;
    for t in [&acme, &globex, &initech] {
        assert_eq!(elsewhere_lines(&bot, t, needle).len(), 2, "{}", t.id);
    }
    // The timeline keeps it too.
    assert!(step_events(&bot, &initech.id).iter().any(|e| matches!(
        e,
        StepEvent::Recurrence { earlier, customer: Some(c), .. } if earlier.as_str() == acme.id && c == "ACME"
    )));
    // A prevention measure recorded in one is told in the others' kickoff threads (横展開).
    bot.command_text(SALES, &acme.channel, "prevent add a visual check of every housing")
        .await;
    bot.settle().await;
    for t in [&globex, &initech] {
        let told = elsewhere_lines(&bot, t, "recorded prevention action #1");
        assert!(
            told.len() == 1 && told[0].contains(&acme.id) && told[0].contains("visual check"),
            "{}: {told:#?}",
            t.id
        );
    }
    assert!(elsewhere_lines(&bot, &acme, "recorded prevention action").is_empty());
    for query in ["search l42", "search Ｌ４２"] {
        let found = bot.command_text(MANAGER, ORIGIN, query).await;
        for t in [&acme, &globex, &initech] {
            assert!(found.contains(&t.id), "{query}: {found}");
        }
    }
}

#[tokio::test]
async fn the_same_lot_at_another_customer_is_told_in_japanese() {
    let bot = spawn_bot_raw(&format!(
        "{}\n{DEFAULT_SEVERITIES}",
        BASE_CONFIG.replace("locale = \"en\"", "locale = \"ja\"")
    ))
    .await;
    let acme = bot.open_ready("ACME: ハウジング割れ").await;
    bot.command_text(SALES, &acme.channel, "fact part HX-302").await;
    let globex = bot.open_ready("グロービックス: ハウジング割れ").await;
    bot.command_text(SALES, &globex.channel, "fact part hx-302").await;
    bot.settle().await;
    let there = elsewhere_lines(&bot, &globex, "他のお客様にも同じ");
    assert!(
        there.len() == 1 && there[0].contains("ACME様のトラブル") && there[0].contains(&acme.id),
        "{there:#?}"
    );
    let back = elsewhere_lines(&bot, &acme, "他のお客様にも同じ");
    assert!(
        back.len() == 1 && back[0].contains("グロービックス様のトラブル") && back[0].contains(&globex.id),
        "{back:#?}"
    );
    bot.command_text(SALES, &globex.channel, "再発防止 受入検査の追加")
        .await;
    bot.settle().await;
    let told = elsewhere_lines(&bot, &acme, "再発防止策 #1「受入検査の追加」");
    assert!(
        told.len() == 1 && told[0].contains("グロービックス様のトラブル") && told[0].contains(&globex.id),
        "{told:#?}"
    );
    bot.command_text(SALES, &globex.channel, "fix action 1 受入全数検査")
        .await;
    bot.settle().await;
    let fixed = elsewhere_lines(&bot, &acme, "再発防止策 #1が「受入全数検査」に訂正されました");
    assert!(fixed.len() == 1 && fixed[0].contains(&globex.id), "{fixed:#?}");
}

/// A quality manager looks a lot or part up as the search's own answer shows it (`Lot L42`):
/// with its label, however typed; the texts hold the value, not the label.
#[tokio::test]
async fn search_finds_a_lot_or_part_typed_with_its_label() {
    let bot = spawn_bot().await;
    let acme = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &acme.channel, "fact lot L42").await;
    bot.command_text(SALES, &acme.channel, "fact part HX-200").await;
    let other = bot.open_ready("Globex: housings cracked").await;
    bot.command_text(SALES, &other.channel, "fact lot L43").await;
    for q in [
        "lot L42",
        "lot:L42",
        "ロット Ｌ４２",
        "ＬＯＴ：ｌ４２",
        "part HX-200",
        "品番 hx-200",
    ] {
        let r = bot.command_text(MANAGER, ORIGIN, &format!("search {q}")).await;
        assert!(r.contains(&acme.id) && !r.contains(&other.id), "{q}: {r}");
    }
}

/// A bad lot that came back at another customer after the first trouble was closed: the
/// closed trouble's channel (quiet, often archived) gets nothing, but its owner and manager are
/// DMed, once, that the same lot turned up elsewhere, with both troubles and the close's date,
/// since it may mean its measures did not hold; its timeline keeps it too.
#[tokio::test]
async fn the_same_lot_at_another_customer_after_a_close_is_told_to_the_closed_troubles_owner_and_manager() {
    let bot = spawn_bot().await;
    let acme = closed_with_lot_l42(&bot).await;
    // Tidying up: the closed trouble's channel is archived.
    bot.slack.lose_channel(&acme.channel, "is_archived");
    let archived = channel_event("channel_archive", &acme.channel, Some(SALES));
    assert_eq!(bot.event(&archived, None).await.status(), 200);
    bot.settle().await;
    assert!(trouble(&bot, &acme.id).held.is_none());
    let in_acme = bot.slack.messages_in(&acme.channel).len();
    let globex = bot.open_ready_as(COLLEAGUE, "Globex: housings cracked").await;
    bot.command_text(COLLEAGUE, &globex.channel, "fact lot l42").await;
    bot.settle().await;
    // The new trouble names the closed one, as before.
    assert_eq!(elsewhere_lines(&bot, &globex, "at another customer").len(), 1);
    // And hears the measure the closed one took, recorded before the two were linked.
    let measure = elsewhere_lines(&bot, &globex, "recorded prevention action #1");
    assert!(
        measure.len() == 1 && measure[0].contains(&acme.id) && measure[0].contains("incoming inspection"),
        "{measure:#?}"
    );
    // The way back it names works with the channel archived: the trouble's id, in a DM.
    let reopen = format!("`/trouble reopen {} REASON` in a DM with the bot", acme.id);
    for who in [SALES, MANAGER] {
        let dm = message_with(&bot, who, &["turned up at another customer", &acme.id, &globex.id]).await;
        let text = text_of(&dm);
        assert!(
            text.contains("Globex") && text.contains("closed") && text.contains("L42") && text.contains(&reopen),
            "{text}"
        );
    }
    assert_eq!(
        bot.slack.messages_in(&acme.channel).len(),
        in_acme,
        "nothing in the closed channel"
    );
    assert!(
        trouble(&bot, &acme.id).held.is_none(),
        "nothing waits for the archived channel"
    );
    assert!(step_events(&bot, &acme.id).iter().any(|e| matches!(
        e,
        StepEvent::Recurrence { earlier, customer: Some(c), .. } if earlier.as_str() == globex.id && c == "Globex"
    )));
    told_once_per_pair(&bot, &globex, "turned up at another customer").await;
    // Done as the DM says, the manager reopens it; its channel still archived, they are told
    // to unarchive it.
    let r = bot
        .command_text(MANAGER, "D0MANAGER", &format!("reopen {} L42 at Globex too", acme.id))
        .await;
    assert!(
        r.contains("The trouble is open again") && r.contains("is still archived. Please open it and unarchive it"),
        "{r}"
    );
    assert!(trouble(&bot, &acme.id).is_open(), "{r}");
}

/// The same lot back at the same customer after the first trouble was closed: the recurrence
/// its measures were to prevent (再発). The new trouble's kickoff thread flags it, as before,
/// and the closed trouble's owner and manager are DMed, once, with both troubles and the
/// close's date, so those who closed it learn their measures may not have held.
#[tokio::test]
async fn the_same_lot_back_at_the_same_customer_after_a_close_is_told_to_the_closed_troubles_owner_and_manager() {
    let bot = spawn_bot().await;
    let first = closed_with_lot_l42(&bot).await;
    let in_first = bot.slack.messages_in(&first.channel).len();
    let again = bot.open_ready_as(COLLEAGUE, "ACME Corp: housings cracked again").await;
    bot.command_text(COLLEAGUE, &again.channel, "fact lot l42").await;
    bot.settle().await;
    for who in [SALES, MANAGER] {
        let dm = message_with(&bot, who, &["a possible recurrence", &first.id, &again.id]).await;
        let text = text_of(&dm);
        assert!(
            text.contains("ACME")
                && text.contains("closed")
                && text.contains("L42")
                && text.contains(&format!("`/trouble reopen {} REASON` in a DM with the bot", first.id)),
            "{text}"
        );
    }
    assert_eq!(
        bot.slack.messages_in(&first.channel).len(),
        in_first,
        "nothing in the closed channel"
    );
    assert!(step_events(&bot, &first.id).iter().any(|e| matches!(
        e,
        StepEvent::Recurrence { earlier, customer: None, .. } if earlier.as_str() == again.id
    )));
    told_once_per_pair(&bot, &again, "a possible recurrence").await;
}

/// ACME's trouble with lot L42 and a prevention measure, acknowledged and closed.
async fn closed_with_lot_l42(bot: &TestBot) -> OpenedTrouble {
    let acme = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &acme.channel, "fact lot L42").await;
    bot.command_text(MANAGER, &acme.channel, "ack").await;
    bot.command_text(SALES, &acme.channel, "prevent incoming inspection of every lot")
        .await;
    all_stages_done(bot, &acme).await;
    let r = bot.command_text(SALES, &acme.channel, "close").await;
    assert!(r.contains("Closed"), "{r}");
    bot.settle().await;
    acme
}

/// The closed trouble's owner was DMed `words` once: the later trouble given the lot again,
/// and another part, tells them nothing more.
async fn told_once_per_pair(bot: &TestBot, later: &OpenedTrouble, words: &str) {
    bot.command_text(COLLEAGUE, &later.channel, "fact lot L42").await;
    bot.command_text(COLLEAGUE, &later.channel, "fact part HX-9").await;
    bot.settle().await;
    let told = bot
        .slack
        .messages_in(SALES)
        .iter()
        .filter(|m| text_of(m).contains(words))
        .count();
    assert_eq!(told, 1);
}

/// A prevention measure recorded before the lot linked two customers' troubles is told when
/// they are linked, whichever got the lot last; a told measure whose text is corrected later
/// (`fix action`) is told again as corrected, so the other channel does not weigh the words it
/// heard first.
#[tokio::test]
async fn a_measure_recorded_before_the_link_and_a_corrected_one_are_told_to_the_sharing_trouble() {
    let bot = spawn_bot().await;
    let acme = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &acme.channel, "prevent incoming inspection of every lot")
        .await;
    let globex = bot.open_ready_as(COLLEAGUE, "Globex: housings cracked").await;
    bot.command_text(COLLEAGUE, &globex.channel, "fact lot L42").await;
    bot.command_text(COLLEAGUE, &globex.channel, "prevent torque check at assembly")
        .await;
    bot.settle().await;
    assert!(elsewhere_lines(&bot, &globex, "prevention action").is_empty());
    // ACME's lot comes last: each hears the other's measure recorded before.
    bot.command_text(SALES, &acme.channel, "fact lot l42").await;
    bot.settle().await;
    let told = elsewhere_lines(&bot, &globex, "recorded prevention action #1");
    assert!(
        told.len() == 1 && told[0].contains(&acme.id) && told[0].contains("incoming inspection"),
        "{told:#?}"
    );
    let back = elsewhere_lines(&bot, &acme, "recorded prevention action #1");
    assert!(
        back.len() == 1 && back[0].contains(&globex.id) && back[0].contains("torque check"),
        "{back:#?}"
    );
    // The measure corrected: told again, as corrected.
    let r = bot
        .command_text(SALES, &acme.channel, "fix action 1 X-ray inspection of every lot")
        .await;
    assert!(!r.contains("Usage"), "{r}");
    bot.settle().await;
    let fixed = elsewhere_lines(&bot, &globex, "corrected prevention action #1");
    assert!(
        fixed.len() == 1 && fixed[0].contains(&acme.id) && fixed[0].contains("X-ray inspection"),
        "{fixed:#?}"
    );
    // Only its owner changed (its text given as it stands): nothing new to weigh.
    let r = bot
        .command_text(
            SALES,
            &acme.channel,
            &format!("fix action 1 owner:<@{MANAGER}> X-ray inspection of every lot"),
        )
        .await;
    assert!(
        trouble(&bot, &acme.id).substance.actions[0].owner.as_str() == MANAGER,
        "{r}"
    );
    bot.settle().await;
    assert_eq!(elsewhere_lines(&bot, &globex, "prevention action #1").len(), 2);
    assert!(step_events(&bot, &globex.id).iter().any(|e| matches!(
        e,
        StepEvent::MeasureElsewhere { from, corrected: true, .. } if from.as_str() == acme.id
    )));
}

/// A long prevention measure told to another customer's trouble when a lot links them is cut
/// short there, as an added action's line is, saying that its own channel has it whole: a
/// 3000-character measure does not fill the other channel's kickoff thread.
#[tokio::test]
async fn a_long_measure_told_at_link_time_is_cut_short_saying_so() {
    for (locale, needle, note) in [
        ("en", "recorded prevention action #1", "only its start is shown here"),
        ("ja", "再発防止策 #1", "一部のみ表示しています"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let acme = bot.open_ready("ACME: housings cracked").await;
        let long = format!("incoming inspection {} END-OF-MEASURE", "of every lot ".repeat(200));
        bot.command_text(SALES, &acme.channel, &format!("prevent {long}")).await;
        let globex = bot.open_ready_as(COLLEAGUE, "Globex: housings cracked").await;
        bot.command_text(COLLEAGUE, &globex.channel, "fact lot L42").await;
        bot.command_text(SALES, &acme.channel, "fact lot L42").await;
        bot.settle().await;
        let told = elsewhere_lines(&bot, &globex, needle);
        assert_eq!(told.len(), 1, "{locale}: {told:#?}");
        let line = &told[0];
        assert!(line.contains("incoming inspection of every lot"), "{locale}: {line}");
        assert!(
            !line.contains("END-OF-MEASURE") && line.contains(note),
            "{locale}: {line}"
        );
        // The text and its blocks each carry the line once.
        assert!(
            line.chars().count() < 1500,
            "{locale}: {} characters",
            line.chars().count()
        );
    }
}

/// A linked trouble with many prevention measures tells the first few, a line each, the last
/// saying how many more there are and where, in either language: its measures do not flood
/// the other customer's kickoff thread.
#[tokio::test]
async fn the_measures_told_at_link_time_are_capped_saying_how_many_more() {
    for (locale, needle, note) in [
        (
            "en",
            "recorded prevention action #",
            "has 3 more prevention measures, not listed here",
        ),
        ("ja", "再発防止策 #", "再発防止策がほかに3件あります"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let acme = bot.open_ready("ACME: housings cracked").await;
        for n in 1..=8 {
            bot.command_text(SALES, &acme.channel, &format!("prevent measure-{n} checked"))
                .await;
        }
        let globex = bot.open_ready_as(COLLEAGUE, "Globex: housings cracked").await;
        bot.command_text(COLLEAGUE, &globex.channel, "fact lot L42").await;
        bot.command_text(SALES, &acme.channel, "fact lot L42").await;
        bot.settle().await;
        let told = elsewhere_lines(&bot, &globex, needle);
        assert_eq!(told.len(), 5, "{locale}: {told:#?}");
        for (k, line) in told.iter().enumerate() {
            assert!(line.contains(&format!("measure-{} checked", k + 1)), "{locale}: {line}");
            assert_eq!(line.contains(note), k == 4, "{locale}: {line}");
        }
        assert!(told[4].contains(&acme.channel), "{locale}: {}", told[4]);
    }
}

/// A fact, the cause or the escape point corrected after the customer may have heard it: the
/// 8D shows the value now and, under it, that it was corrected, when, by whom and what it read
/// before, in either language; the record still agrees with its timeline (`verify`).
#[tokio::test]
async fn the_8d_shows_a_corrected_fact_and_cause_with_what_they_read_before() {
    for (locale, part, cause, escape) in [
        (
            "en",
            "- Part: HX-210\n  - corrected 2026-11-30 by @U0MANAGER (before: HX-200)\n",
            "- Root cause: mold temperature drifted\n  - corrected 2026-11-30 by @U0MANAGER (before: wrong resin grade)\n",
            "- Escape point: final inspection sampled too few\n  - corrected 2026-11-30 by @U0MANAGER (before: incoming inspection skipped)\n",
        ),
        (
            "ja",
            "- 品番: HX-210\n  - 2026-11-30 に @U0MANAGER が訂正（訂正前: HX-200）\n",
            "- 発生原因: mold temperature drifted\n  - 2026-11-30 に @U0MANAGER が訂正（訂正前: wrong resin grade）\n",
            "- 流出原因: final inspection sampled too few\n  - 2026-11-30 に @U0MANAGER が訂正（訂正前: incoming inspection skipped）\n",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        bot.command_text(SALES, &t.channel, "fact part HX-200").await;
        bot.command_text(SALES, &t.channel, "cause wrong resin grade escape: incoming inspection skipped")
            .await;
        bot.command_text(MANAGER, &t.channel, "fix fact part HX-210").await;
        bot.command_text(
            MANAGER,
            &t.channel,
            "cause mold temperature drifted escape: final inspection sampled too few",
        )
        .await;
        let md =
            trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
        for line in [part, cause, escape] {
            assert!(md.contains(line), "{locale}: {line}\n{md}");
        }
        assert_store_verifies(&bot, locale);
    }
}

/// A link, an e-mail address and a mention recorded by command, as Slack escapes them
/// (`<https://…>`, `<mailto:…|…>`, `<@U…|name>`): the facts form shows them as they read, and
/// saved as shown it records nothing: no timeline entry, no correction in the channel or the
/// 8D, and each fact keeps its link or mention. A real edit of one field is one correction.
#[tokio::test]
async fn a_facts_form_saved_as_shown_corrects_no_link_address_or_mention() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let found = "by <@U0QA1|sato>, reported to <mailto:tanaka@acme.co.jp|tanaka@acme.co.jp>";
    let symptom = "lid cracked, photos <https://x.example/p.jpg>";
    bot.command_text(SALES, &t.channel, &format!("fact found {found}"))
        .await;
    bot.command_text(SALES, &t.channel, &format!("fact symptom {symptom}"))
        .await;
    let mark = last_call(&bot);
    bot.command(MANAGER, &t.channel, "fact").await;
    let view = bot.slack.wait_for("views.open", |c| c.seq > mark).await.params["view"].clone();
    let shown: Vec<(String, String)> = view["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .filter_map(|b| {
            let field = b["block_id"].as_str()?.strip_prefix("fact_")?.to_string();
            Some((
                field,
                b["element"]["initial_value"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let value = |field: &str| shown.iter().find(|(f, _)| f == field).map(|(_, v)| v.as_str());
    assert_eq!(
        (value("found"), value("symptom")),
        (
            Some("by @sato, reported to tanaka@acme.co.jp"),
            Some("lid cracked, photos https://x.example/p.jpg")
        ),
        "the form shows each as it reads"
    );
    let metadata = view["private_metadata"].as_str().expect("metadata").to_string();
    let fields: Vec<(&str, &str)> = shown.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect();

    let before = trouble(&bot, &t.id).timeline_len;
    bot.settle().await;
    let mark = last_call(&bot);
    let as_shown = drawn_facts_submitted(MANAGER, &metadata, &fields);
    assert_eq!(bot.interaction(&as_shown).await.status(), 200);
    bot.settle().await;
    let kept = trouble(&bot, &t.id);
    assert_eq!(kept.timeline_len, before, "nothing recorded");
    assert_eq!(
        (
            kept.substance.facts.found.as_deref(),
            kept.substance.facts.symptom.as_deref()
        ),
        (Some(found), Some(symptom)),
        "the mention stays one, the link and the address stay links"
    );
    let posted = posted_since(&bot, &t.channel, mark);
    assert!(!posted.iter().any(|m| m.contains("orrected")), "{posted:?}");
    let eightd = |bot: &TestBot| {
        trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout
    };
    let md = eightd(&bot);
    assert!(!md.contains("corrected"), "{md}");

    let edited: Vec<(&str, &str)> = fields
        .iter()
        .map(|(f, v)| {
            (
                *f,
                if *f == "symptom" {
                    "lid cracked at the hinge"
                } else {
                    *v
                },
            )
        })
        .collect();
    let edit = drawn_facts_submitted(MANAGER, &metadata, &edited);
    assert_eq!(bot.interaction(&edit).await.status(), 200);
    bot.settle().await;
    let kept = trouble(&bot, &t.id);
    assert_eq!(kept.timeline_len, before + 1, "one correction");
    assert_eq!(kept.substance.facts.found.as_deref(), Some(found));
    let md = eightd(&bot);
    assert_eq!(md.matches("corrected").count(), 1, "{md}");
    assert!(
        md.contains("(before: lid cracked, photos https://x.example/p.jpg)"),
        "{md}"
    );
}

/// The owner of an open trouble who left (their Slack account deactivated) is found when the
/// reminder of their own action reaches nobody: the channel and their manager hear it once, in
/// either language, saying that they left and to hand the trouble over with `/trouble owner @…`,
/// their open action with it. The reminders that follow tell nobody again: they alone are still
/// tried on the owner by DM (they ask them to act, and one Slack takes, should the account be
/// reactivated, brings them back), nothing else.
#[tokio::test]
async fn the_owner_of_an_open_trouble_who_left_is_told_once_with_how_to_hand_it_over() {
    for locale in ["en", "ja"] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: housings cracked").await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        bot.command_text(SALES, &t.channel, "action interim Replace the stock due:12/2")
            .await;
        bot.settle().await;
        assert_eq!(trouble(&bot, &t.id).substance.actions.len(), 1, "{locale}");
        bot.slack.deactivate(SALES);
        let mark = last_call(&bot);
        for _ in 0..4 {
            bot.advance_and_settle(Duration::from_secs(24 * 3600)).await;
        }
        let (left, hand_over) = match locale {
            "ja" => (
                "アカウントが無効になっています（退職などでワークスペースを離れています）".to_string(),
                format!("<#{}> で `/trouble owner @…` と入力し、担当を引き継いでください。担当の対策 #1 も", t.channel),
            ),
            _ => (
                format!("<@{SALES}>, the owner of trouble {} (ACME), has been deactivated in Slack: they have left the workspace", t.id),
                format!("<@{MANAGER}>, please hand the trouble over with `/trouble owner @…` in <#{}>. Their open action #1 goes with it.", t.channel),
            ),
        };
        let told = |to: &str| -> Vec<String> {
            posted_since(&bot, to, mark)
                .into_iter()
                .filter(|m| m.contains(&left))
                .collect()
        };
        for to in [MANAGER, t.channel.as_str()] {
            let notices = told(to);
            assert_eq!(notices.len(), 1, "{locale}: {to} told once: {notices:?}");
            assert!(notices[0].contains(&hand_over), "{locale}: {notices:?}");
        }
        let reminded = posted_since(&bot, &t.channel, mark).len();
        assert!(reminded >= 3, "{locale}: the reminders went on in the channel");
        let dmed = posted_since(&bot, SALES, mark);
        assert!(
            !dmed.is_empty() && dmed.iter().all(|m| m.contains("#1") && m.contains("Replace the stock")),
            "{locale}: the action's reminders alone are tried on them: {dmed:?}"
        );
    }
}
