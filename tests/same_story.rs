//! One trouble played whole through the HTTP surface: after each step, every place that shows its
//! state (kickoff, status, the manager's DM, the origin notice, App Home, list, history, search,
//! stats, the export, the digest) tells the same stage, people, severity, summary, promise and costs.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use trouble_bot::i18n::{stage_name, Locale};
use trouble_bot::trouble::model::{PostedMessage, StageId};

/// What every place should tell of the trouble at one point of the story.
#[derive(Clone)]
struct Told {
    /// The stage under way (1-based); None once every stage is done.
    stage: Option<usize>,
    severity: u8,
    owner: &'static str,
    summary: &'static str,
    /// The promised next contact, as the status and the export write it (ours, Tokyo).
    promise: Option<(&'static str, &'static str)>,
    /// Costs borne by us, as the status, history and export total them.
    borne: Option<&'static str>,
    /// Our share with the split applied, as the status, history and stats give it.
    share: Option<&'static str>,
    lot: Option<&'static str>,
    acknowledged: bool,
    closed: bool,
}

const CUSTOMER: &str = "ACME";
const FIRST_SUMMARY: &str = "housing cracked in lot 42";
const SUMMARY: &str = "housing cracked in lot 43";

fn severity_label(level: u8) -> &'static str {
    match level {
        1 => "sev1 critical",
        2 => "sev2 major",
        _ => "sev3 minor",
    }
}

fn stage_words(n: usize) -> String {
    let id = StageId::all().nth(n - 1).expect("seven stages");
    format!("{n}. {}", stage_name(Locale::En, id))
}

/// The text and blocks of `message` as Slack shows it now (its latest edit).
fn as_shown(bot: &TestBot, message: &Option<PostedMessage>, what: &str) -> String {
    let m = message.as_ref().unwrap_or_else(|| panic!("{what} posted"));
    let now = bot
        .slack
        .message_versions(m.channel.as_str(), m.ts.as_str())
        .pop()
        .unwrap_or_else(|| panic!("{what} in Slack"));
    // Blocks are JSON: a field's line break is `\n` there.
    text_of(&now).replace("\\n", "\n")
}

/// The line of `text` that speaks of trouble `id`, or None.
fn row<'a>(text: &'a str, id: &str) -> Option<&'a str> {
    text.split(['\n', '"']).find(|l| l.contains(id))
}

/// The row of `text` (a list, an App Home) that shows trouble `id` itself, with its severity
/// (not a row of one of its actions or proposals).
fn trouble_row<'a>(text: &'a str, id: &str) -> Option<&'a str> {
    text.split(['\n', '"']).find(|l| l.contains(id) && l.contains(" sev"))
}

fn says(place: &str, text: &str, words: &str, step: &str) {
    assert!(text.contains(words), "{step}: {place} should say {words:?}:\n{text}");
}

fn never_says(place: &str, text: &str, words: &str, step: &str) {
    assert!(
        !text.contains(words),
        "{step}: {place} should not say {words:?}:\n{text}"
    );
}

/// Reads every place that shows trouble `t` and checks each tells `told`.
async fn everywhere_the_same(bot: &TestBot, t: &OpenedTrouble, told: &Told, step: &str) {
    bot.settle().await;
    let record = trouble(bot, &t.id);
    let (sev, sev_short) = (severity_label(told.severity), format!("sev{}", told.severity));
    let owner = format!("<@{}>", told.owner);
    let stage = told.stage.map(stage_words);

    // The pinned kickoff: who, how severe, what; acknowledged and closed as it is.
    let kickoff = as_shown(bot, &record.kickoff, "kickoff");
    for words in [
        sev,
        told.summary,
        format!("*Owner*\n{owner}").as_str(),
        format!("*Manager*\n<@{MANAGER}>").as_str(),
    ] {
        says("kickoff", &kickoff, words, step);
    }
    if told.acknowledged {
        says("kickoff", &kickoff, &format!("acknowledged by <@{MANAGER}>"), step);
        never_says("kickoff", &kickoff, "please acknowledge", step);
    }
    assert_eq!(
        kickoff.contains("🏁 Closed"),
        told.closed,
        "{step}: kickoff closed?\n{kickoff}"
    );

    // The pinned status, and `/trouble status`, which shows the same blocks.
    let status = as_shown(bot, &record.status, "status");
    for words in [
        sev,
        format!("*Owner*\n{owner}").as_str(),
        format!("*Manager*\n<@{MANAGER}>").as_str(),
    ] {
        says("status", &status, words, step);
    }
    match (&stage, told.closed) {
        (_, true) => says("status", &status, "🏁 closed", step),
        (Some(stage), false) => says(
            "status",
            &status,
            &format!("Now: stage {}", stage.replacen(". ", " ", 1)),
            step,
        ),
        (None, false) => says("status", &status, "All stages done", step),
    }
    let acked = if told.acknowledged {
        "✅ acknowledged"
    } else {
        "⏳ waiting for acknowledgement"
    };
    says("status", &status, acked, step);
    match (told.promise, told.closed) {
        (Some((shown, _)), false) => says("status", &status, &format!("*Next update (promised)*\n{shown}"), step),
        _ => never_says("status", &status, "(promised)", step),
    }
    if let Some(borne) = told.borne {
        says("status", &status, &format!("*Totals* borne by us {borne}"), step);
    }
    if let Some(share) = told.share {
        says("status", &status, &format!("= {share}"), step);
    }
    if let Some(lot) = told.lot {
        says("status", &status, &format!("• Lot: {lot}"), step);
    }
    asked_status_is_pinned(bot, told.owner, t, step).await;

    // The manager's DM and the notice where it was opened.
    let dm = as_shown(bot, &record.manager_dm, "manager's DM");
    for words in [sev, told.summary, CUSTOMER] {
        says("manager's DM", &dm, words, step);
    }
    assert_eq!(
        dm.contains("waiting for acknowledgement"),
        !told.acknowledged,
        "{step}: the manager's DM waits only while nobody acknowledged:\n{dm}"
    );
    assert_eq!(
        dm.contains("🏁 Closed"),
        told.closed,
        "{step}: manager's DM closed?\n{dm}"
    );
    let notice = as_shown(bot, &record.origin_notice, "origin notice");
    for words in [sev, told.summary] {
        says("origin notice", &notice, words, step);
    }
    assert_eq!(
        notice.contains("🏁 Closed"),
        told.closed,
        "{step}: notice closed?\n{notice}"
    );

    // The lists: the manager's list and App Home, the owner's App Home.
    let list = bot.command_text(MANAGER, "D0MANAGER", "list").await;
    let home = app_home(bot, MANAGER).await;
    let owners_home = app_home(bot, told.owner).await;
    let listed = [
        ("list", &list),
        ("manager's Home", &home),
        ("owner's Home", &owners_home),
    ];
    for (place, text) in listed {
        let line = trouble_row(text, &t.id);
        if told.closed {
            // The owner's Home keeps the actions still theirs; the trouble itself leaves.
            assert!(line.is_none(), "{step}: {place} lists a closed trouble:\n{text}");
            continue;
        }
        let line = line.unwrap_or_else(|| panic!("{step}: {place} lists {}:\n{text}", t.id));
        let stage_shown = stage.clone().unwrap_or_else(|| "all stages done".into());
        for words in [told.summary, sev_short.as_str(), stage_shown.as_str()] {
            says(place, line, words, step);
        }
    }
    if !told.closed {
        let list_row = trouble_row(&list, &t.id).unwrap();
        let ack = if told.acknowledged {
            "· acknowledged ·"
        } else {
            "· not acknowledged ·"
        };
        says("list", list_row, ack, step);
        says(
            "manager's Home",
            trouble_row(&home, &t.id).unwrap(),
            &format!("owner {owner}"),
            step,
        );
    }

    // History, search and stats, asked by the manager.
    let history = bot
        .command_text(MANAGER, "D0MANAGER", &format!("history {CUSTOMER}"))
        .await;
    let history_row = row(&history, &t.id).unwrap_or_else(|| panic!("{step}: history lists it:\n{history}"));
    says("history", history_row, told.summary, step);
    let state = if told.closed { " closed — " } else { " open — " };
    says("history", history_row, state, step);
    if let Some(borne) = told.borne {
        says("history", history_row, &format!("borne by us {borne}"), step);
    }
    if let Some(share) = told.share {
        says(
            "history",
            &history,
            &format!("our share with each split applied {share}"),
            step,
        );
    }
    let search = bot.command_text(MANAGER, "D0MANAGER", "search housing").await;
    let search_row = row(&search, &t.id).unwrap_or_else(|| panic!("{step}: search finds it:\n{search}"));
    says("search", search_row, told.summary, step);
    says(
        "search",
        search_row,
        if told.closed { "(closed)" } else { "(open)" },
        step,
    );
    if let Some(lot) = told.lot {
        says("search", search_row, &format!("Lot {lot}"), step);
    }
    let stats = bot.command_text(MANAGER, "D0MANAGER", "stats").await;
    let open = if told.closed { "(0 open)" } else { "(1 open)" };
    says("stats", &stats, &format!("• {sev}: 1 trouble {open}"), step);
    if let Some(share) = told.share.or(told.borne) {
        says(
            "stats",
            &stats,
            &format!("• {CUSTOMER}: 1 trouble {open} · our share {share}"),
            step,
        );
    }

    // The export an operator prints: the same header, facts, totals and promise.
    let md = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    for words in [
        format!("- Summary: {}", told.summary),
        format!("- Severity: {sev}"),
        format!("- Owner: @{}", told.owner),
        format!("- Manager: @{MANAGER}"),
    ] {
        says("export", &md, &words, step);
    }
    assert_eq!(
        md.contains("- Closed: not yet (open)"),
        !told.closed,
        "{step}: the export's close:\n{md}"
    );
    if let Some(lot) = told.lot {
        says("export", &md, &format!("- Lot: {lot}"), step);
    }
    if let Some(borne) = told.borne {
        says("export", &md, &format!("- Totals: borne by us {borne}"), step);
    }
    if let Some((_, exported)) = told.promise.filter(|_| !told.closed) {
        // A promise still standing is not yet kept, whatever came before its time.
        let line = md
            .lines()
            .find(|l| l.contains(&format!("promising the next contact by {exported}")))
            .unwrap_or_else(|| panic!("{step}: the export's updates name the promise {exported}:\n{md}"));
        for settled in [", kept", ", missed by"] {
            never_says("export's standing promise", line, settled, step);
        }
    }
}

/// `/trouble status`, asked by `who` now, shows the blocks of the pinned status as Slack shows it.
async fn asked_status_is_pinned(bot: &TestBot, who: &str, t: &OpenedTrouble, step: &str) {
    let record = trouble(bot, &t.id);
    let asked: Value = bot.command(who, &t.channel, "status").await;
    let pinned = bot
        .slack
        .message_versions(&t.channel, record.status.as_ref().unwrap().ts.as_str())
        .pop()
        .unwrap();
    assert_eq!(
        asked["blocks"], pinned["blocks"],
        "{step}: /trouble status shows the pinned status"
    );
}

async fn typed(bot: &TestBot, who: &str, t: &OpenedTrouble, command: &str, answer_starts: &str) {
    let answer = bot.command_text(who, &t.channel, command).await;
    assert!(answer.starts_with(answer_starts), "{command:?} answered {answer:?}");
}

#[tokio::test]
async fn one_trouble_tells_the_same_story_everywhere_from_open_to_close_and_reopen() {
    let bot = spawn_bot().await;
    let t = bot
        .open_ready(&format!("sev2 <@{MANAGER}> {CUSTOMER}: {FIRST_SUMMARY}"))
        .await;
    // The summary is corrected at once, so every later comparison names the corrected one.
    typed(
        &bot,
        SALES,
        &t,
        &format!("fix summary {SUMMARY}"),
        "The summary is corrected",
    )
    .await;
    let mut told = Told {
        stage: Some(1),
        severity: 2,
        owner: SALES,
        summary: SUMMARY,
        promise: None,
        borne: None,
        share: None,
        lot: None,
        acknowledged: false,
        closed: false,
    };
    everywhere_the_same(&bot, &t, &told, "opened").await;

    typed(&bot, MANAGER, &t, "ack", "Acknowledged").await;
    told.acknowledged = true;
    everywhere_the_same(&bot, &t, &told, "acknowledged").await;

    typed(
        &bot,
        SALES,
        &t,
        "update apologised, checking the lot next: tomorrow 10:00",
        "Customer update logged",
    )
    .await;
    told.promise = Some(("Tue 2026-12-01 10:00", "2026-12-01 10:00"));
    everywhere_the_same(&bot, &t, &told, "an update with a promise").await;

    typed(
        &bot,
        SALES,
        &t,
        "cost ¥120,000 ours replacement shipping",
        "Cost recorded",
    )
    .await;
    approve_pending(&bot, &t).await;
    bot.settle().await;
    told.borne = Some("¥120,000");
    everywhere_the_same(&bot, &t, &told, "a cost approved").await;

    typed(&bot, SALES, &t, "fact lot L42", "Facts recorded").await;
    typed(&bot, SALES, &t, "fix fact lot L43", "Corrected (Lot)").await;
    told.lot = Some("L43");
    everywhere_the_same(&bot, &t, &told, "a fact corrected").await;

    let action = format!("action interim sort the stock owner:<@{COLLEAGUE}> due:fri");
    typed(&bot, SALES, &t, &action, "Action #1 added").await;
    typed(&bot, SALES, &t, "next goods recovered", "Stage 1").await;
    typed(&bot, SALES, &t, "done 2", "Stage 2").await;
    typed(&bot, SALES, &t, "cause mold temperature drifted", "Cause recorded").await;
    typed(&bot, SALES, &t, "done 3", "Stage 3").await;
    told.stage = Some(4);
    everywhere_the_same(&bot, &t, &told, "stages 1-3 done").await;

    typed(
        &bot,
        MANAGER,
        &t,
        "sev 1 the customer's plant stopped",
        "Severity of trouble",
    )
    .await;
    told.severity = 1;
    everywhere_the_same(&bot, &t, &told, "severity raised").await;

    typed(&bot, SALES, &t, "done 4", "Stage 4").await;
    typed(&bot, SALES, &t, "split 70/30 our mold", "Responsibility split recorded").await;
    typed(
        &bot,
        SALES,
        &t,
        "fix cost 1 ¥150,000 ours replacement shipping and handling",
        "Corrected the cost",
    )
    .await;
    approve_pending(&bot, &t).await;
    bot.settle().await;
    told.stage = Some(5);
    told.borne = Some("¥150,000");
    told.share = Some("¥105,000");
    everywhere_the_same(&bot, &t, &told, "a split and a corrected cost approved").await;

    typed(&bot, SALES, &t, "done 5", "Stage 5").await;
    typed(&bot, SALES, &t, "done 6", "Stage 6").await;
    typed(
        &bot,
        SALES,
        &t,
        "prevent add a mold temperature alarm",
        "Prevention measure",
    )
    .await;
    typed(&bot, COLLEAGUE, &t, "action done 1", "Action #1 marked done").await;
    typed(&bot, MANAGER, &t, &format!("owner <@{COLLEAGUE}>"), "The owner is now").await;
    told.stage = Some(7);
    told.owner = COLLEAGUE;
    everywhere_the_same(&bot, &t, &told, "handed over").await;

    typed(
        &bot,
        COLLEAGUE,
        &t,
        "update told them the measures next: tomorrow 15:00",
        "Customer update logged",
    )
    .await;
    told.promise = Some(("Tue 2026-12-01 15:00", "2026-12-01 15:00"));
    everywhere_the_same(&bot, &t, &told, "a new promise").await;
    // The first promise was kept: the next one came before its time.
    let md = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    says(
        "export",
        &md,
        "promising the next contact by 2026-12-01 10:00, kept",
        "a new promise",
    );

    // An update with no time of its own leaves the promise standing: the status still shows it,
    // the reminder still comes, and the report must not call it kept.
    let r = bot
        .command_text(COLLEAGUE, &t.channel, "update called, still checking")
        .await;
    assert!(r.contains("the earlier promise stands"), "{r}");
    everywhere_the_same(&bot, &t, &told, "an update with no promise").await;

    typed(&bot, COLLEAGUE, &t, "done 7", "Stage 7").await;
    told.stage = None;
    everywhere_the_same(&bot, &t, &told, "every stage done").await;

    typed(&bot, COLLEAGUE, &t, "close all settled", "Closed trouble").await;
    told.closed = true;
    everywhere_the_same(&bot, &t, &told, "closed").await;

    typed(
        &bot,
        MANAGER,
        &t,
        "reopen the cracks came back",
        "The trouble is open again",
    )
    .await;
    told.closed = false;
    told.stage = Some(4);
    everywhere_the_same(&bot, &t, &told, "reopened").await;
    let record = trouble(&bot, &t.id);
    for (place, message) in [
        ("kickoff", &record.kickoff),
        ("manager's DM", &record.manager_dm),
        ("origin notice", &record.origin_notice),
    ] {
        let shown = as_shown(&bot, message, place);
        says(
            place,
            &shown,
            &format!("🔄 Reopened Mon 2026-11-30 10:00 by <@{MANAGER}>: the cracks came back"),
            "reopened",
        );
    }

    // A week on, the Monday digest tells the manager what the list tells: the promise missed by
    // as long, the same summary, severity and owner.
    bot.advance_and_settle(Duration::from_secs(7 * 24 * 3600 - 3600)).await;
    let digest = bot.posted_saying(MANAGER, "Weekly trouble digest").await;
    let list = bot.command_text(MANAGER, "D0MANAGER", "list").await;
    let overdue = trouble_row(&list, &t.id)
        .and_then(|l| l.split("update overdue by ").nth(1))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("the list marks the update overdue:\n{list}"))
        .to_string();
    let digest_row = digest
        .lines()
        .find(|l| l.contains(&t.id) && l.contains("overdue since "))
        .unwrap_or_else(|| panic!("the digest lists the overdue update:\n{digest}"));
    for words in [
        SUMMARY,
        " sev1 ",
        "⚠️ overdue since Tue 2026-12-01 15:00",
        &format!("({overdue} late)"),
        &format!("owner <@{COLLEAGUE}>"),
    ] {
        says("digest", digest_row, words, "a week on");
    }
    // The pinned status, redrawn when the promise passed, says it is overdue as they do, and
    // `/trouble status` shows the same.
    let record = trouble(&bot, &t.id);
    let status = as_shown(&bot, &record.status, "status");
    says(
        "status",
        &status,
        "*Next update (promised)*\n⚠️ overdue since Tue 2026-12-01 15:00",
        "a week on",
    );
    asked_status_is_pinned(&bot, COLLEAGUE, &t, "a week on").await;
}

/// Force-closed and reopened, the kickoff, the manager's DM and the notice where it was opened
/// say who reopened it, when and why where they said it was closed, in both languages; a
/// second close says it was closed again, not reopened.
#[tokio::test]
async fn a_reopened_trouble_says_so_where_it_said_it_was_closed() {
    for (locale, reopened) in [
        (
            "en",
            format!("🔄 Reopened Mon 2026-11-30 10:00 by <@{MANAGER}>: the customer found more"),
        ),
        (
            "ja",
            format!("🔄 2026-11-30(月) 10:00 に <@{MANAGER}>さんが再開しました（理由: the customer found more）"),
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
        typed(&bot, MANAGER, &t, "ack", "").await;
        typed(&bot, MANAGER, &t, "close force a duplicate", "").await;
        typed(&bot, MANAGER, &t, "reopen the customer found more", "").await;
        bot.settle().await;
        let shown = |record: &trouble_bot::trouble::model::Trouble| {
            [
                ("kickoff", &record.kickoff),
                ("manager's DM", &record.manager_dm),
                ("origin notice", &record.origin_notice),
            ]
            .map(|(place, message)| (place, as_shown(&bot, message, place)))
        };
        for (place, text) in shown(&trouble(&bot, &t.id)) {
            says(place, &text, &reopened, locale);
            never_says(place, &text, "🏁", locale);
        }
        typed(&bot, MANAGER, &t, "close force still a duplicate", "").await;
        bot.settle().await;
        for (place, text) in shown(&trouble(&bot, &t.id)) {
            says(place, &text, "🏁", locale);
            never_says(place, &text, "🔄", locale);
        }
    }
}

/// A private trouble's reopening says so under the notice of its opening, in the channel it was
/// typed in, without the reason typed (its customer and summary stay in its own channel too, as
/// the reopening's own notice leaves the reason out); its kickoff, in its channel, gives it.
#[tokio::test]
async fn a_private_troubles_reopening_keeps_its_reason_in_its_channel() {
    let bot = spawn_bot_raw(&format!("private_channels = true\n{}", config_speaking("en"))).await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "").await;
    typed(&bot, MANAGER, &t, "close force a duplicate", "").await;
    typed(&bot, MANAGER, &t, "reopen cracks on lot 42 at the customer's plant", "").await;
    bot.settle().await;
    let record = trouble(&bot, &t.id);
    let notice = as_shown(&bot, &record.origin_notice, "origin notice");
    says("origin notice", &notice, "opened private trouble", "en");
    says(
        "origin notice",
        &notice,
        &format!("🔄 Reopened Mon 2026-11-30 10:00 by <@{MANAGER}>"),
        "en",
    );
    never_says("origin notice", &notice, "lot 42", "en");
    let kickoff = as_shown(&bot, &record.kickoff, "kickoff");
    says("kickoff", &kickoff, "cracks on lot 42 at the customer's plant", "en");
}

/// Force-closed at stage 2, its unfinished stages read as not done, left open at the close, in
/// the status and in the report an operator exports, never as work in progress, in English and
/// Japanese.
#[tokio::test]
async fn a_force_closed_troubles_unfinished_stages_read_as_left_open_not_in_progress() {
    for (locale, left, in_progress) in [
        ("en", "not done, left open at the close", " — in progress"),
        ("ja", "未完了（クローズ時に対応中のまま）", " — 対応中"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
        typed(&bot, MANAGER, &t, "ack", "").await;
        typed(&bot, SALES, &t, "next goods recovered", "").await;
        let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
        says("status while open", &status, in_progress, locale);
        typed(&bot, MANAGER, &t, "close force the customer withdrew the claim", "").await;
        bot.settle().await;
        let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
        let md = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
        for (place, text) in [("status", &status), ("export", &md)] {
            says(place, text, left, locale);
            never_says(place, text, in_progress, locale);
        }
        says(
            "status",
            &status,
            &format!(
                "⏹️ 2. {}",
                stage_name(
                    if locale == "en" { Locale::En } else { Locale::Ja },
                    StageId::all().nth(1).unwrap()
                )
            ),
            locale,
        );
    }
}

/// An action still open when the trouble is force-closed reads as left open at the close, in the
/// words of its stages, wherever it is listed: the pinned status, the report, the 8D and its
/// owner's App Home, never as open or in progress; overdue where its due time passed before
/// the close, and, once one due after the close passes, in the status as in App Home (the
/// action is still its owner's work), in English and Japanese.
#[tokio::test]
async fn an_action_a_close_left_open_reads_the_same_everywhere_and_falls_overdue_after_it() {
    for (locale, left, open_words, in_progress, overdue_tue, due_fri, overdue_fri) in [
        (
            "en",
            "⏹️ not done, left open at the close",
            "⬜ open",
            "in progress",
            "⚠️ overdue since Tue 2026-12-01 18:00",
            "due Fri 2026-12-04 18:00",
            "⚠️ overdue since Fri 2026-12-04 18:00",
        ),
        (
            "ja",
            "⏹️ 未完了（クローズ時に対応中のまま）",
            "⬜ 未完了",
            "実施中",
            "⚠️ 期限 2026-12-01(火) 18:00 超過",
            "期限 2026-12-04(金) 18:00",
            "⚠️ 期限 2026-12-04(金) 18:00 超過",
        ),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
        typed(&bot, MANAGER, &t, "ack", "").await;
        for action in [
            format!("action interim sort the stock owner:<@{COLLEAGUE}> due:tomorrow"),
            format!("action prevent add a mold alarm owner:<@{COLLEAGUE}> due:fri"),
        ] {
            typed(&bot, SALES, &t, &action, "").await;
        }
        // Wednesday: the stock sorting is overdue when the trouble is closed.
        bot.advance_and_settle(Duration::from_secs(48 * 3600)).await;
        typed(&bot, MANAGER, &t, "close force the customer withdrew the claim", "").await;
        bot.settle().await;
        let lines_of = |text: &str, step: &str| -> [String; 2] {
            ["sort the stock", "add a mold alarm"].map(|what| {
                text.split(['\n', '"'])
                    // The report's lists, not its timeline's entries.
                    .find(|l| l.contains(what) && !l.contains("— action #"))
                    .unwrap_or_else(|| panic!("{locale} {step}: {what:?} listed in:\n{text}"))
                    .to_string()
            })
        };
        let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
        let md = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
        let home = app_home(&bot, COLLEAGUE).await;
        let step = format!("{locale}, closed");
        // The DM telling the owner their actions were left open reads them as the status does.
        let told = bot
            .slack
            .wait_for("chat.postMessage", |c| {
                let text = text_of(&c.params);
                c.params["channel"] == COLLEAGUE && text.contains("🏁") && text.contains("sort the stock")
            })
            .await;
        for line in lines_of(&text_of(&told.params), &step) {
            says("the left-open DM", &line, left, &step);
            never_says("the left-open DM", &line, open_words, &step);
        }
        for (place, text) in [("status", &status), ("report", &md)] {
            let [sorting, alarm] = lines_of(text, &step);
            for line in [&sorting, &alarm] {
                says(place, line, left, &step);
                never_says(place, line, open_words, &step);
            }
            says(place, &sorting, overdue_tue, &step);
            says(place, &alarm, due_fri, &step);
        }
        let [sorting, _] = lines_of(&home, &step);
        for words in [left, overdue_tue] {
            says("App Home", &sorting, words, &step);
        }
        let eightd =
            trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
        for line in lines_of(&eightd, &step) {
            says("8D", &line, &left.replace("⏹️ ", ""), &step);
            never_says("8D", &line, in_progress, &step);
        }

        // Sunday: the alarm, due on Friday after the close, is overdue in the status as in
        // App Home, and `/trouble status` shows the same.
        bot.advance_and_settle(Duration::from_secs(4 * 24 * 3600)).await;
        let step = format!("{locale}, after its due time");
        let record = trouble(&bot, &t.id);
        let status = as_shown(&bot, &record.status, "status");
        let home = app_home(&bot, COLLEAGUE).await;
        for (place, text) in [("status", &status), ("App Home", &home)] {
            let [_, alarm] = lines_of(text, &step);
            for words in [left, overdue_fri] {
                says(place, &alarm, words, &step);
            }
        }
        asked_status_is_pinned(&bot, SALES, &t, &step).await;

        // Handed to someone else after the close, the DM to its new owner draws it as the
        // status does.
        typed(&bot, MANAGER, &t, &format!("fix action 2 owner:<@{DIRECTOR}>"), "").await;
        let given = bot.posted_saying(DIRECTOR, "add a mold alarm").await;
        let line = given
            .lines()
            .find(|l| l.contains("add a mold alarm"))
            .unwrap_or_default();
        for words in [left, overdue_fri] {
            says("the new owner's DM", line, words, &step);
        }

        // Monday's digest lists both overdue actions the forced close left open, marked so,
        // though the manager has nothing open, overdue since when as App Home says it.
        bot.advance_and_settle(Duration::from_secs(23 * 3600)).await;
        let step = format!("{locale}, the digest");
        let digest = bot.posted_saying(MANAGER, "📋").await;
        for (what, since) in [("sort the stock", overdue_tue), ("add a mold alarm", overdue_fri)] {
            let row = digest.lines().find(|l| l.contains(what)).unwrap_or_default();
            for words in [left, since] {
                says("the digest", row, words, &step);
            }
        }
    }
}

/// An ordinary close leaves a prevention measure under way, as the close rule allows: the status,
/// the report, App Home and the customer's 8D say it is open or in progress, never that a close
/// left it undone (the words of a forced close).
#[tokio::test]
async fn a_measure_an_ordinary_close_leaves_under_way_is_never_read_as_left_open() {
    let bot = spawn_bot_in("en").await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "").await;
    typed(
        &bot,
        SALES,
        &t,
        &format!("action prevent add a mold alarm owner:<@{COLLEAGUE}> due:fri"),
        "",
    )
    .await;
    all_stages_done(&bot, &t).await;
    typed(&bot, SALES, &t, "close", "").await;
    bot.settle().await;
    assert!(trouble(&bot, &t.id).closed.is_some(), "closed");
    let line_of = |place: &str, text: &str| -> String {
        text.split(['\n', '"'])
            .find(|l| l.contains("add a mold alarm") && !l.contains("— action #"))
            .unwrap_or_else(|| panic!("{place}: the measure listed in:\n{text}"))
            .to_string()
    };
    let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
    let md = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    let eightd =
        trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
    let home = app_home(&bot, COLLEAGUE).await;
    for (place, text) in [
        ("status", &status),
        ("report", &md),
        ("App Home", &home),
        ("8D", &eightd),
    ] {
        never_says(place, &line_of(place, text), "left open at the close", "ordinary close");
    }
    says("8D", &line_of("8D", &eightd), "in progress", "ordinary close");
    says("status", &line_of("status", &status), "⬜ open", "ordinary close");
}

/// The only update withdrawn, the answer names the one deadline the status now shows (the first
/// call's), never a next update's beside it, in English and Japanese.
#[tokio::test]
async fn withdrawing_the_only_update_names_the_deadline_the_status_shows() {
    for (locale, label) in [("en", "First call due"), ("ja", "初回連絡の期限")] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
        typed(&bot, MANAGER, &t, "ack", "").await;
        typed(&bot, SALES, &t, "update called them", "").await;
        let answer = bot
            .command_text(SALES, &t.channel, "withdraw update logged on the wrong trouble")
            .await;
        bot.settle().await;
        let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
        let due = field(&status, label);
        says("the answer", &answer, due, locale);
        assert_eq!(
            answer.matches("2026-").count(),
            1,
            "{locale}: the answer names one deadline, {due}: {answer}"
        );
    }
}

/// An action whose due time passes with nothing else happening: the pinned status, redrawn
/// when its overdue reminder comes, marks it overdue in the words App Home uses, in English
/// and Japanese, and `/trouble status` shows the same.
#[tokio::test]
async fn the_pinned_status_marks_an_action_overdue_as_app_home_does() {
    for (locale, overdue) in [
        ("en", "⚠️ overdue since Tue 2026-12-01 18:00"),
        ("ja", "⚠️ 期限 2026-12-01(火) 18:00 超過"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
        typed(&bot, MANAGER, &t, "ack", "").await;
        let action = format!("action interim sort the stock owner:<@{COLLEAGUE}> due:tomorrow");
        bot.command_text(SALES, &t.channel, &action).await;
        // A promise past the action's due time: no nudge redraws the status meanwhile.
        typed(&bot, SALES, &t, "update called them next: 2026-12-02 15:00", "").await;
        bot.settle().await;
        let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
        never_says("status", &status, "⚠️", locale);

        // Tuesday 18:30, half an hour after the action was due.
        bot.advance_and_settle(Duration::from_secs(32 * 3600 + 1800)).await;
        let record = trouble(&bot, &t.id);
        let status = as_shown(&bot, &record.status, "status");
        let line = status
            .split(['\n', '"'])
            .find(|l| l.contains("#1 "))
            .unwrap_or_else(|| panic!("{locale}: the status lists action #1:\n{status}"));
        says("status's action", line, overdue, locale);
        let home = app_home(&bot, COLLEAGUE).await;
        says("App Home", &home, overdue, locale);
        asked_status_is_pinned(&bot, SALES, &t, locale).await;
    }
}

/// `list` says `t`'s update is a minute overdue, and `/trouble status` shows the pinned status.
async fn list_and_asked_status_agree_it_is_a_minute_overdue(bot: &TestBot, t: &OpenedTrouble, step: &str) {
    let list = bot.command_text(MANAGER, "D0MANAGER", "list").await;
    let line = trouble_row(&list, &t.id).unwrap_or_else(|| panic!("{step}: list lists it:\n{list}"));
    says("list", line, "⚠️ update overdue by 1m", step);
    asked_status_is_pinned(bot, SALES, t, step).await;
}

/// The first call's deadline passing with no call made and nothing else happening: the pinned
/// status, redrawn by the missed deadline's timer, and the kickoff say it is overdue, as `list`
/// does.
#[tokio::test]
async fn the_pinned_status_marks_a_missed_first_call_overdue_as_list_does() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "").await;
    bot.settle().await;
    let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
    assert_eq!(field(&status, "First call due"), "Mon 2026-11-30 11:00", "{status}");

    bot.advance_and_settle(Duration::from_secs(3600 + 60)).await;
    let step = "a minute past the first call's deadline";
    let record = trouble(&bot, &t.id);
    let overdue = "⚠️ overdue since Mon 2026-11-30 11:00";
    let status = as_shown(&bot, &record.status, "status");
    assert_eq!(field(&status, "First call due"), overdue, "{step}: {status}");
    let kickoff = as_shown(&bot, &record.kickoff, "kickoff");
    assert_eq!(field(&kickoff, "First customer contact"), overdue, "{step}: {kickoff}");
    list_and_asked_status_agree_it_is_a_minute_overdue(&bot, &t, step).await;
}

/// A promise for the evening, past business hours, missed with nothing else happening: the
/// follow-up that finds it missed posts nothing until the morning, but the pinned status,
/// an edit, says at once that the update is overdue, as `list` does.
#[tokio::test]
async fn the_pinned_status_marks_a_promise_missed_outside_business_hours_overdue_at_once() {
    let bot = spawn_bot_with(OFFICE_HOURS).await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "").await;
    typed(
        &bot,
        SALES,
        &t,
        "update called them next: 20:00",
        "Customer update logged",
    )
    .await;
    // 17:45, the promise's last reminder in business hours: nothing is overdue yet.
    bot.advance_and_settle(Duration::from_secs(7 * 3600 + 45 * 60)).await;
    let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
    assert_eq!(
        field(&status, "Next update (promised)"),
        "Mon 2026-11-30 20:00",
        "{status}"
    );

    // 20:01, a minute after the promise, the office closed.
    let mark = last_call(&bot);
    bot.advance_and_settle(Duration::from_secs(2 * 3600 + 16 * 60)).await;
    let step = "a minute past a promise in the evening";
    assert!(
        posted_since(&bot, &t.channel, mark).is_empty(),
        "{step}: nothing is posted outside business hours"
    );
    let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
    assert_eq!(
        field(&status, "Next update (promised)"),
        "⚠️ overdue since Mon 2026-11-30 20:00",
        "{step}: {status}"
    );
    list_and_asked_status_agree_it_is_a_minute_overdue(&bot, &t, step).await;
}

/// The same story told in Japanese: every place names the corrected summary and lot, the raised
/// severity, the stage under way, the approved cost and the promise still standing after an
/// update that gave no time (never called kept in the export).
#[tokio::test]
async fn in_japanese_every_place_tells_the_same_story() {
    let bot = spawn_bot_in("ja").await;
    let t = bot
        .open_ready(&format!("sev2 <@{MANAGER}> アクメ: 筐体割れ ロット42"))
        .await;
    for (who, command) in [
        (SALES, "fix summary 筐体割れ ロット43"),
        (MANAGER, "ack"),
        (SALES, "update お詫びし調査中と伝えた next: 明日 10:00"),
        (SALES, "cost ¥120,000 当社 再送料"),
        (SALES, "fact lot L42"),
        (SALES, "fix fact lot L43"),
        (SALES, "next 回収済み"),
        (SALES, "update 電話で状況を伝えた"),
        (MANAGER, "sev 1 ライン停止"),
    ] {
        let answer = bot.command_text(who, &t.channel, command).await;
        assert!(!answer.contains("できません"), "{command:?} answered {answer:?}");
    }
    approve_pending(&bot, &t).await;
    bot.settle().await;
    bot.settle().await;

    let record = trouble(&bot, &t.id);
    let summary = "筐体割れ ロット43";
    let stage = format!("2. {}", stage_name(Locale::Ja, StageId::all().nth(1).unwrap()));
    let kickoff = as_shown(&bot, &record.kickoff, "kickoff");
    let status = as_shown(&bot, &record.status, "status");
    let dm = as_shown(&bot, &record.manager_dm, "manager's DM");
    let notice = as_shown(&bot, &record.origin_notice, "origin notice");
    let list = bot.command_text(MANAGER, "D0MANAGER", "list").await;
    let home = app_home(&bot, MANAGER).await;
    let history = bot.command_text(MANAGER, "D0MANAGER", "history アクメ").await;
    let search = bot.command_text(MANAGER, "D0MANAGER", "search 筐体").await;
    let stats = bot.command_text(MANAGER, "D0MANAGER", "stats").await;
    let md = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    let step = "in Japanese";
    for (place, text) in [
        ("kickoff", &kickoff),
        ("status", &status),
        ("manager's DM", &dm),
        ("origin notice", &notice),
        ("export", &md),
    ] {
        says(place, text, "sev1 重大", step);
    }
    for (place, text) in [
        ("kickoff", &kickoff),
        ("manager's DM", &dm),
        ("origin notice", &notice),
        ("list", &list),
        ("App Home", &home),
        ("history", &history),
        ("search", &search),
        ("export", &md),
    ] {
        says(place, text, summary, step);
    }
    for (place, text) in [("list", &list), ("App Home", &home)] {
        let line = trouble_row(text, &t.id).unwrap_or_else(|| panic!("{place} lists it:\n{text}"));
        for words in [" sev1 ", stage.as_str()] {
            says(place, line, words, step);
        }
    }
    says("list", &list, "上司確認済み", step);
    says(
        "status",
        &status,
        &format!("現在: 第{}", stage.replacen(". ", "段階 ", 1)),
        step,
    );
    says("status", &status, "*次回報告（約束）*\n2026-12-01(火) 10:00", step);
    says("status", &status, "• ロット: L43", step);
    says("status", &status, "*負担者別の合計* 当社 ¥120,000", step);
    says("search", &search, "L43", step);
    says("history", &history, "当社 ¥120,000", step);
    says("history", &history, "第1段階完了", step);
    says("stats", &stats, "• アクメ: 1件（未完了 1）· 当社分 ¥120,000", step);
    says("stats", &stats, "• sev1 重大: 1件（未完了 1）", step);
    for words in [
        format!("- 概要: {summary}"),
        "- ロット: L43".to_string(),
        "- 負担者別の合計: 当社 ¥120,000".to_string(),
        format!("{stage} — 対応中"),
    ] {
        says("export", &md, &words, step);
    }
    let promised = md
        .lines()
        // The updates section's line (the timeline's says what was promised, never its outcome).
        .find(|l| l.starts_with("- ") && l.contains("次回連絡の約束 2026-12-01 10:00"))
        .unwrap_or_else(|| panic!("the export names the promise:\n{md}"));
    for settled in ["守られた", "遅れ"] {
        never_says("export's standing promise", promised, settled, step);
    }
}

/// The split the manager rejected is no split: the line the close leaves in the channel says
/// what `history`, the status and the export say (not settled, rejected), never the rejected
/// shares as if agreed; the costs it totals are the same everywhere.
#[tokio::test]
async fn the_close_line_tells_the_split_and_costs_as_history_status_and_export_do() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "Acknowledged").await;
    typed(&bot, SALES, &t, "cost ¥100,000 ours shipping", "Cost recorded").await;
    typed(&bot, SALES, &t, "split 60/40 shared", "Responsibility split recorded").await;
    for (action, n) in [("proposal_approve", 1), ("proposal_reject", 2)] {
        let payload = button_payload_to(
            &bot.slack.response_url("decide"),
            MANAGER,
            action,
            &format!("{}:{n}", t.id),
            &t.channel,
        );
        assert_eq!(bot.interaction(&payload).await.status(), 200);
    }
    bot.settle().await;
    typed(&bot, MANAGER, &t, "close force the customer withdrew", "Closed trouble").await;
    let closing = bot.posted_saying(&t.channel, "force-closed trouble").await;

    let step = "closed with a rejected split";
    let history = bot
        .command_text(MANAGER, "D0MANAGER", &format!("history {CUSTOMER}"))
        .await;
    says("history", &history, "split not settled", step);
    let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
    says("status", &status, "proposal #2 rejected", step);
    let md = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    says("export", &md, "proposal #2 rejected", step);
    never_says("the close line", &closing, "Split: us 60%", step);
    for (place, text) in [("the close line", &closing), ("status", &status), ("export", &md)] {
        says(place, text, "borne by us ¥100,000", step);
    }
    says("history", &history, "borne by us ¥100,000", step);
}

/// The owner logs the first call to the customer: what the kickoff's first-contact field then says.
async fn first_call_made(bot: &TestBot, t: &OpenedTrouble) -> String {
    typed(
        bot,
        SALES,
        t,
        "update called them, lot replaced",
        "Customer update logged",
    )
    .await;
    bot.settle().await;
    let kickoff = as_shown(bot, &trouble(bot, &t.id).kickoff, "kickoff");
    field(&kickoff, "First customer contact").to_string()
}

/// The value of the field `label` in a message's blocks (`*Label*\nvalue`).
fn field<'a>(text: &'a str, label: &str) -> &'a str {
    let (_, rest) = text
        .split_once(&format!("*{label}*\n"))
        .unwrap_or_else(|| panic!("a {label:?} field in:\n{text}"));
    rest.split('"').next().unwrap_or_default()
}

/// Closed past its first-call deadline with no call made, the pinned kickoff keeps that the call
/// was never made, rather than read as if nothing had been due.
#[tokio::test]
async fn a_trouble_closed_past_its_first_call_deadline_without_one_says_it_was_never_made() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "Acknowledged").await;
    bot.advance_and_settle(Duration::from_secs(2 * 3600)).await;
    typed(
        &bot,
        MANAGER,
        &t,
        "close force the customer withdrew the claim",
        "Closed trouble",
    )
    .await;
    bot.settle().await;
    let kickoff = as_shown(&bot, &trouble(&bot, &t.id).kickoff, "kickoff");
    assert_eq!(field(&kickoff, "First customer contact"), "❌ never made", "{kickoff}");
}

/// Closed by mistake and reopened minutes later, before its first-call deadline: the first call
/// is still owed by that deadline, in the status as in the kickoff, and a call made hours after it
/// is late there, as the bot already told the manager when the deadline passed.
#[tokio::test]
async fn a_close_and_reopen_before_the_first_call_deadline_never_moves_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "Acknowledged").await;
    bot.advance_and_settle(Duration::from_secs(600)).await;
    typed(&bot, MANAGER, &t, "close force a duplicate", "Closed trouble").await;
    bot.advance_and_settle(Duration::from_secs(300)).await;
    typed(
        &bot,
        MANAGER,
        &t,
        "reopen not a duplicate after all",
        "The trouble is open again",
    )
    .await;
    bot.settle().await;
    let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
    assert_eq!(field(&status, "First call due"), "Mon 2026-11-30 11:00", "{status}");
    assert_eq!(
        field(&status, "Customer last updated"),
        "not yet (counting from opening)"
    );

    bot.advance_and_settle(Duration::from_secs(3 * 3600)).await;
    let made = first_call_made(&bot, &t).await;
    assert!(
        made.starts_with("⚠️ ") && made.contains("after the deadline, Mon 2026-11-30 11:00)"),
        "{made}"
    );
}

/// Before the customer has heard from us, the kickoff's first-contact deadline is the one the
/// status shows and the nudges go by: none once closed, and after a reopening the update owed a
/// cadence after it, never the first call of the opening days before.
#[tokio::test]
async fn the_kickoff_and_the_status_owe_the_first_call_by_the_same_time_through_a_close_and_reopen() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "Acknowledged").await;
    let deadlines = |step: &str| {
        let record = trouble(&bot, &t.id);
        let kickoff = as_shown(&bot, &record.kickoff, "kickoff");
        let status = as_shown(&bot, &record.status, "status");
        let (kicked, stated) = (
            field(&kickoff, "First customer contact"),
            field(&status, "First call due"),
        );
        // Closed before its deadline (a duplicate), nothing was owed yet; past it, both say
        // it is overdue.
        let expected = if stated == "—" || stated.starts_with("⚠️ overdue since") {
            stated.to_string()
        } else {
            format!("⏳ due by {stated}")
        };
        assert_eq!(
            kicked, expected,
            "{step}: the kickoff's first contact against the status's"
        );
        stated.to_string()
    };
    bot.settle().await;
    assert_eq!(deadlines("open"), "Mon 2026-11-30 11:00");
    typed(&bot, MANAGER, &t, "close force a duplicate", "Closed trouble").await;
    bot.settle().await;
    assert_eq!(deadlines("closed"), "—");
    bot.advance_and_settle(Duration::from_secs(24 * 3600)).await;
    typed(
        &bot,
        MANAGER,
        &t,
        "reopen not a duplicate after all",
        "The trouble is open again",
    )
    .await;
    bot.settle().await;
    assert_eq!(deadlines("reopened a day later"), "Tue 2026-12-01 14:00");
    // The wait is counted from the reopening, in the status as in the nudge that comes of it.
    let status = as_shown(&bot, &trouble(&bot, &t.id).status, "status");
    assert_eq!(
        field(&status, "Customer last updated"),
        "not yet (counting from the reopening)"
    );
    let mark = last_call(&bot);
    bot.advance_and_settle(Duration::from_secs(4 * 3600)).await;
    assert_eq!(deadlines("past the deadline"), "⚠️ overdue since Tue 2026-12-01 14:00");
    let nudged = posted_since(&bot, &t.channel, mark);
    assert!(
        nudged.iter().any(|n| n.contains("since the trouble was reopened")),
        "the nudge counts from the reopening: {nudged:?}"
    );

    // The call, made once the nudge came, is judged by the deadline the kickoff showed since
    // the reopening, never by the opening's a day before, which it no longer showed.
    let made = first_call_made(&bot, &t).await;
    assert!(
        made.contains("after the deadline, Tue 2026-12-01 14:00)") && !made.contains("2026-11-30"),
        "{made}"
    );
}

/// Reopened past its first-call deadline, the call made in time for the deadline that reopening
/// set is judged by it still once the trouble is closed and reopened a second time, never by the
/// opening's deadline the kickoff no longer showed when the call was made.
#[tokio::test]
async fn a_first_call_in_time_after_a_reopening_stays_in_time_after_a_second_reopening() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("{CUSTOMER}: housing cracked")).await;
    typed(&bot, MANAGER, &t, "ack", "Acknowledged").await;
    typed(&bot, MANAGER, &t, "close force a duplicate", "Closed trouble").await;
    bot.advance_and_settle(Duration::from_secs(24 * 3600)).await;
    typed(&bot, MANAGER, &t, "reopen not a duplicate", "The trouble is open again").await;
    let made = first_call_made(&bot, &t).await;
    assert!(made.starts_with("✅ "), "in time after the first reopening: {made}");

    bot.advance_and_settle(Duration::from_secs(600)).await;
    typed(&bot, MANAGER, &t, "close force settled", "Closed trouble").await;
    bot.advance_and_settle(Duration::from_secs(600)).await;
    typed(
        &bot,
        MANAGER,
        &t,
        "reopen the cracks came back",
        "The trouble is open again",
    )
    .await;
    bot.settle().await;
    let kickoff = as_shown(&bot, &trouble(&bot, &t.id).kickoff, "kickoff");
    assert_eq!(field(&kickoff, "First customer contact"), made, "{kickoff}");
}
