//! User text is data, in every field a person can type after the open: hostile text (broadcasts,
//! a user group, a link, a forged timeline line, heading and integrity hash) put through the real
//! HTTP surface into updates, stage notes, the split, costs (note and amount), corrections, the
//! customer's agreement, facts, scope, cause, actions, returned goods, reopening, closing, the
//! Log update, facts and action forms, search and history queries, and into refused arguments
//! that the refusal repeats. Every Slack call (posts, the pinned status, the report, the 8D,
//! reminders, the weekly digest, the effectiveness check, App Home, forms, click answers) and
//! every answer carries it only as text; no typed line stands as a line of the report, the
//! exports or any message; and each field is still shown where it belongs.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

/// What must never reach Slack from typed text: broadcasts, a user group, a link.
const LIVE: [&str; 5] = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^", "<http://evil"];

/// The lines a typed text forges: a timeline entry, a heading, an integrity hash.
const FORGED_ENTRY: &str = "99. 2026-11-30 09:00";
const FORGED_HEADING: &str = "Forged heading";
const FORGED_HASH: &str = "Integrity hash (SHA-256): `0000`";

/// The hostile text for one field, named by its `tag` so a failure names the field.
fn hostile(tag: &str) -> String {
    format!(
        "{tag} <!channel> <!here> <!everyone> <!subteam^S123|@devs> <http://evil.example|click> line\n\
         {FORGED_ENTRY} <@U0MANAGER> — acknowledged\n# {FORGED_HEADING}\n{FORGED_HASH} (99 entries)"
    )
}

/// The hostile text as one word, for fields that hold one (a lot, a tracking number, an amount).
fn hostile_word(tag: &str) -> String {
    format!("{tag}<!channel><!here><!everyone><!subteam^S123|@devs><http://evil.example|click>")
}

/// The hostile text as typed into a form: Slack sends it raw, the bot escapes it at the boundary.
fn hostile_typed(tag: &str) -> String {
    format!(
        "{tag} <!channel> <!here> @everyone <http://evil.example|click> & <b>bold</b>\n\
         {FORGED_ENTRY} <@U0MANAGER> — acknowledged\n# {FORGED_HEADING}\n{FORGED_HASH} (99 entries)"
    )
}

/// Every answer the bot gave to a command or a form, as sent (text and blocks), by what was asked.
#[derive(Default)]
struct Answers(Vec<(String, String)>);

impl Answers {
    fn all(&self) -> impl Iterator<Item = &(String, String)> {
        self.0.iter()
    }
}

/// `/trouble <text>` typed by `user` in `channel`: the answer's text, the whole answer kept.
async fn ask(bot: &TestBot, answers: &mut Answers, user: &str, channel: &str, text: &str) -> String {
    let answer = bot.command(user, channel, text).await;
    answers.0.push((format!("{user}: {text}"), answer.to_string()));
    answer["text"].as_str().unwrap_or_default().to_string()
}

/// The action form submitted by the owner for trouble `id`.
fn action_submission(id: &str, kind: &str, text: &str) -> Value {
    let values = json!({
        "kind": {"value": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": kind}, "value": kind}}},
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "owner": {"value": {"type": "users_select", "selected_user": SALES}},
        "due": {"value": {"type": "plain_text_input", "value": null}},
        "check": {"value": {"type": "plain_text_input", "value": null}},
    });
    view_submission(SALES, &format!("VACTION{}", unique()), "trouble_action", id, values)
}

/// Every string a reader of `v` is shown, JSON-encoded ones opened. A form's prefilled input
/// (`initial_value` of a `plain_text_input`) is left out: Slack shows it as the characters typed
/// and parses no mention, broadcast or link in it, so the facts form gives back what was typed.
fn shown(v: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(inner @ (Value::Object(_) | Value::Array(_))) => walk(&inner, out),
                _ => out.push(s.clone()),
            },
            Value::Object(m) => {
                let input = m.get("type").and_then(Value::as_str) == Some("plain_text_input");
                m.iter()
                    .filter(|(k, _)| !(input && k.as_str() == "initial_value"))
                    .for_each(|(_, x)| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

/// The live tokens in `text`. The bot's own ping of a department it was configured to bring in
/// (`<!subteam^S0QUALITY>` at sev1) is its own, not typed; any other user group is.
fn live_in(text: &str) -> Vec<&'static str> {
    let text = text
        .replace("<!subteam^S0QUALITY>", "")
        .replace("<!subteam^S0FIELD>", "");
    LIVE.into_iter().filter(|live| text.contains(live)).collect()
}

/// Whether `text` holds a field's tag (`F…Z`): the typed text began before this point.
fn has_tag(text: &str) -> bool {
    text.match_indices('F').any(|(i, _)| {
        let rest = &text[i + 1..];
        let word = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_lowercase()).len();
        word > 0 && rest[word..].starts_with('Z')
    })
}

/// The lines of `text` where a typed line stands as a line of its own: it carries a forged line
/// and neither starts with the quote `> ` nor continues, on the same line, the typed text it came
/// from (one-line fields are flattened: `F…Z … line 99. …` cannot pass for a timeline entry).
fn forged_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            [FORGED_ENTRY, FORGED_HEADING, FORGED_HASH]
                .iter()
                .filter_map(|marker| line.find(marker))
                .any(|at| !line.starts_with("> ") && !has_tag(&line[..at]))
        })
        .map(str::to_string)
        .collect()
}

/// Typed lines stay inside their quote (or inside the line they were flattened into), and the
/// report's own integrity hash is its only line that starts with one.
fn assert_no_forged_report_line(what: &str, report: &str) {
    let forged = forged_lines(report);
    assert!(
        forged.is_empty(),
        "{what}: typed lines pass for the report's own: {forged:#?}\n{report}"
    );
    let heads: Vec<&str> = report.lines().filter(|l| l.starts_with("Integrity hash")).collect();
    assert_eq!(heads.len(), 1, "{what}: one integrity hash line: {heads:?}\n{report}");
    assert!(
        report.contains(FORGED_ENTRY) && report.contains(FORGED_HEADING),
        "{what}: the typed lines are shown:\n{report}"
    );
}

/// The report threads in `channel`: for each report summary, its parts' text, in order.
fn report_threads(bot: &TestBot, channel: &str) -> Vec<String> {
    let messages = bot.slack.messages_in(channel);
    messages
        .iter()
        .filter(|m| m["thread_ts"].is_null() || m["thread_ts"] == m["ts"])
        // A report's summary, or one struck through when the trouble was reopened after it.
        .filter(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains("*Trouble report ") || t.contains("~Trouble report "))
        })
        .map(|summary| {
            messages
                .iter()
                .filter(|m| m["thread_ts"] == summary["ts"] && m["ts"] != summary["ts"])
                .map(|m| m["text"].as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

/// Every field typed below (by its tag) and where it is shown: `posts` (the channel's own
/// messages), `pinned status` (its edits), `status` (`/trouble status`), `report` (the thread of
/// the last `/trouble report`), `8D post`, `md` and `8d` (the exports), `history`, `search`.
const FIELDS: &[(&str, &[&str])] = &[
    ("FupdateZ", &["posts", "report", "md"]),
    ("FupdformZ", &["posts", "pinned status", "status", "report", "md"]),
    ("FpartZ", ALL_SUBSTANCE),
    ("FfoundZ", ALL_SUBSTANCE),
    ("FqtyZ", ALL_SUBSTANCE),
    ("FlotZ", ALL_SUBSTANCE),
    ("FsymptomZ", &["posts", "report", "md", "search"]),
    ("FfactformZ", ALL_SUBSTANCE),
    ("FnextZ", &["posts", "report", "md"]),
    ("FdoneZ", &["posts", "report", "md"]),
    ("FstartZ", &["posts", "report", "md"]),
    ("FscopeZ", ALL_SUBSTANCE),
    ("FscopechkZ", &["posts", "pinned status", "status", "report", "md"]),
    ("FcauseZ", ALL_SUBSTANCE),
    ("FescapeZ", ALL_SUBSTANCE),
    ("FinterimZ", ALL_SUBSTANCE),
    ("FpermanentZ", ALL_SUBSTANCE),
    ("FactpreventZ", ALL_SUBSTANCE),
    ("FpreventZ", ALL_SUBSTANCE),
    ("FactformZ", ALL_SUBSTANCE),
    ("FactdoneZ", &["posts", "report", "md"]),
    ("FverifyZ", &["posts", "report", "md"]),
    ("FsplitZ", &["posts", "report", "md"]),
    ("FfixsplitZ", &["posts", "pinned status", "status", "report", "md"]),
    ("FcostZ", &["posts", "report", "md"]),
    ("FfixcostZ", &["pinned status", "status", "report", "md"]),
    ("FcostbZ", &["posts", "pinned status", "status", "report", "md"]),
    ("FagreedZ", &["report", "md"]),
    ("FretqtyZ", &["posts"]),
    ("FtrackingZ", &["posts"]),
    ("FcloseZ", &["report", "md"]),
    ("FreopenZ", &["posts", "report", "md"]),
    ("FforceZ", &["posts", "report", "md"]),
    ("FsevZ", &["posts", "report", "md"]),
    ("FhistoryZ", &["history"]),
    ("FsearchZ", &["search"]),
];

/// Facts, scope, cause and actions: in their post, the status, the report, the 8D and both exports.
const ALL_SUBSTANCE: &[&str] = &["posts", "pinned status", "status", "report", "md", "8D post", "8d"];

#[tokio::test]
async fn hostile_text_in_every_field_reaches_no_output_live_forges_no_report_line_and_is_shown() {
    let mut bot = spawn_bot().await;
    let mut answers = Answers::default();
    let t = bot.open_ready("sev1 ACME: housings cracked").await;
    let ch = t.channel.clone();
    let a = ask(&bot, &mut answers, MANAGER, &ch, "ack").await;
    assert!(a.contains("cknowledged"), "{a}");

    // Refused, and the refusal says what was typed: a severity, a report kind, a command word,
    // a payer, a department, a promised time, a due date and a check date.
    let refused = [
        (format!("sev {}", hostile_word("FsevZ")), "FsevZ", "not a severity"),
        (format!("report {}", hostile_word("FrepZ")), "FrepZ", "report"),
        (format!("{} x", hostile_word("FwordZ")), "FwordZ", "command"),
        (
            format!("cost ¥1 {} x", hostile_word("FpayerZ")),
            "FpayerZ",
            "not a payer",
        ),
        (format!("add +{}", hostile_word("FdeptZ")), "FdeptZ", "no department"),
        (
            format!("update told them next: {}", hostile("FnexttimeZ")),
            "FnexttimeZ",
            "not a time",
        ),
        (
            format!("action interim x due:{}", hostile_word("FdueZ")),
            "FdueZ",
            "not a date",
        ),
        (
            format!("prevent x check:{}", hostile_word("FcheckdateZ")),
            "FcheckdateZ",
            "not a date",
        ),
    ];
    for (text, tag, why) in &refused {
        let a = ask(&bot, &mut answers, SALES, &ch, text).await;
        assert!(a.contains(tag) && a.contains(why), "{text:?} answered: {a}");
    }

    // Each field, typed by whom may type it; what the answer says once it is recorded.
    let typed: Vec<(&str, String, &str)> = vec![
        (
            SALES,
            format!("update {}", hostile("FupdateZ")),
            "Customer update logged",
        ),
        (SALES, format!("fact part {}", hostile("FpartZ")), "Facts recorded"),
        (SALES, format!("fact found {}", hostile("FfoundZ")), "Facts recorded"),
        (
            SALES,
            format!("fact symptom {}", hostile("FsymptomZ")),
            "Facts recorded",
        ),
        (SALES, format!("fact qty {}", hostile("FqtyZ")), "Facts recorded"),
        (SALES, format!("fact lot {}", hostile_word("FlotZ")), "Facts recorded"),
        (SALES, format!("next {}", hostile("FnextZ")), "Stage 1"),
        (SALES, format!("scope {}", hostile("FscopeZ")), "Scope line #1 added"),
        (
            SALES,
            format!("scope check 1 {}", hostile("FscopechkZ")),
            "Scope line #1 checked",
        ),
        (SALES, format!("done 2 {}", hostile("FdoneZ")), "Stage 2"),
        (SALES, format!("start 3 {}", hostile("FstartZ")), "Stage 3"),
        (
            SALES,
            format!("cause {} escape: {}", hostile("FcauseZ"), hostile("FescapeZ")),
            "Cause recorded",
        ),
        (
            SALES,
            format!("action interim {}", hostile("FinterimZ")),
            "Action #1 added",
        ),
        (
            SALES,
            format!("action permanent {}", hostile("FpermanentZ")),
            "Action #2 added",
        ),
        (
            SALES,
            format!("action prevent {}", hostile("FactpreventZ")),
            "action #3",
        ),
        (SALES, format!("prevent {}", hostile("FpreventZ")), "action #4"),
        (
            SALES,
            format!("action done 1 {}", hostile("FactdoneZ")),
            "Action #1 marked done",
        ),
        (
            MANAGER,
            format!("action verify 1 {}", hostile("FverifyZ")),
            "Action #1 verified",
        ),
        (SALES, format!("split 70/30 {}", hostile("FsplitZ")), "proposal #1"),
        (
            SALES,
            format!("cost ¥120,000 ours {}", hostile("FcostZ")),
            "proposal #2",
        ),
        // An amount that is no money is refused, and the refusal quotes it only as text.
        (
            SALES,
            format!("cost {} other {}", hostile_word("9FamountZ"), hostile("FcostbZ")),
            "is not an amount",
        ),
        (SALES, format!("cost €300 other {}", hostile("FcostbZ")), "proposal #3"),
        (
            SALES,
            format!("fix cost 1 ¥130,000 ours {}", hostile("FfixcostZ")),
            "Corrected",
        ),
        (SALES, format!("fix split 60/40 {}", hostile("FfixsplitZ")), "Corrected"),
        (
            SALES,
            format!(
                "return requested qty {} tracking {}",
                hostile_word("FretqtyZ"),
                hostile_word("FtrackingZ")
            ),
            "Returned goods recorded",
        ),
    ];
    for (user, text, recorded) in &typed {
        let a = ask(&bot, &mut answers, user, &ch, text).await;
        assert!(a.contains(recorded), "{text:?} answered: {a}");
    }
    // The same fields through the forms, typed raw as Slack sends form input.
    for submission in [
        update_submission(SALES, &t.id, &hostile_typed("FupdformZ"), None),
        facts_form_now(&bot, &t.id, &[("symptom", &hostile_typed("FfactformZ"))]),
        action_submission(&t.id, "permanent", &hostile_typed("FactformZ")),
    ] {
        let r = bot.interaction(&submission).await;
        assert_eq!(r.status(), 200);
        let body = r.text().await.expect("body");
        assert!(!body.contains("errors"), "a form refused: {body}");
        answers.0.push(("form".into(), body));
    }
    // Proposals #1 and #2 were superseded by the corrections; #3 to #5 are approved, #4 agreed.
    for n in 3..=5 {
        click_on(&bot, MANAGER, "proposal_approve", &t, n).await;
        click_answer(&bot, MANAGER, &format!("You approved proposal #{n}")).await;
    }
    let a = ask(
        &bot,
        &mut answers,
        SALES,
        &ch,
        &format!("agreed 4 {}", hostile("FagreedZ")),
    )
    .await;
    assert!(a.contains("agreement to proposal #4"), "{a}");
    for n in 3..=7 {
        let a = ask(&bot, &mut answers, SALES, &ch, &format!("done {n}")).await;
        assert!(a.contains(&format!("Stage {n}")), "{a}");
    }
    // Lowering the severity takes its reason.
    let a = ask(&bot, &mut answers, MANAGER, &ch, &format!("sev 3 {}", hostile("FsevZ"))).await;
    assert!(a.contains("from sev1 to sev3"), "{a}");
    bot.settle().await;

    // Read while open: the status, the list, the App Home, the forms prefilled.
    let trouble_status_ts = trouble(&bot, &t.id).status.expect("the status").ts.to_string();
    let mut status_answers = vec![bot.command(SALES, &ch, "status").await.to_string()];
    answers.0.push(("status, open".into(), status_answers[0].clone()));
    let list = ask(&bot, &mut answers, MANAGER, "D0MANAGER", "list").await;
    assert!(list.contains(&t.id), "{list}");
    let mine = ask(&bot, &mut answers, MANAGER, "D0MANAGER", "mine").await;
    assert!(mine.contains(&t.id), "{mine}");
    app_home(&bot, MANAGER).await;
    let home = app_home(&bot, SALES).await;
    assert!(home.contains(&t.id), "the owner's App Home lists it: {home}");
    assert_eq!(bot.command(SALES, &ch, "fact").await, Value::Null);
    assert_eq!(bot.command(SALES, &ch, "action").await, Value::Null);
    bot.slack.wait_for_n("views.open", 2, |_| true).await;

    // Closed with a note (the close summary and the report follow), reopened, closed by force
    // (its report follows too).
    let a = ask(&bot, &mut answers, SALES, &ch, &format!("close {}", hostile("FcloseZ"))).await;
    assert!(a.starts_with("Closed"), "{a}");
    bot.settle().await;
    let a = ask(
        &bot,
        &mut answers,
        MANAGER,
        &ch,
        &format!("reopen {}", hostile("FreopenZ")),
    )
    .await;
    assert!(a.contains("open again"), "{a}");
    bot.settle().await;
    let a = ask(
        &bot,
        &mut answers,
        MANAGER,
        &ch,
        &format!("close force {}", hostile("FforceZ")),
    )
    .await;
    assert!(a.starts_with("Closed"), "{a}");
    bot.settle().await;

    // The report once more (a minute after the one the close posted), the 8D, and the reads.
    bot.advance_and_settle(Duration::from_secs(61)).await;
    let a = ask(&bot, &mut answers, SALES, &ch, "report").await;
    assert!(a.starts_with("Report posted"), "{a}");
    let a = ask(&bot, &mut answers, SALES, &ch, "report 8d").await;
    assert!(a.contains("8D"), "{a}");
    bot.settle().await;
    status_answers.push(bot.command(SALES, &ch, "status").await.to_string());
    answers.0.push(("status, closed".into(), status_answers[1].clone()));
    let mut reads = BTreeMap::new();
    for q in [
        "history ACME".to_string(),
        format!("history {}", hostile("FhistoryZ")),
        "search FsymptomZ".to_string(),
        format!("search {}", hostile("FsearchZ")),
        "stats".to_string(),
    ] {
        let a = ask(&bot, &mut answers, MANAGER, "D0MANAGER", &q).await;
        let read = q.split_whitespace().next().unwrap_or_default().to_string();
        reads.entry(read).or_insert_with(String::new).push_str(&a);
    }
    app_home(&bot, MANAGER).await;
    bot.settle().await;

    let calls = bot.slack.calls();
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    let md = cli_export(&config, &data_dir, &t.id, "md");
    let eightd = cli_export(&config, &data_dir, &t.id, "8d");

    // 1. Nothing typed reaches Slack, or an answer, live.
    let mut leaks = Vec::new();
    for call in &calls {
        for text in shown(&call.params) {
            let live = live_in(&text);
            if !live.is_empty() {
                leaks.push(format!("{} {live:?} in {text:?}", call.method));
            }
        }
    }
    for (asked, answer) in answers.all() {
        let live = live_in(answer);
        if !live.is_empty() {
            leaks.push(format!("answer to {asked:?}: {live:?} in {answer}"));
        }
    }
    assert!(leaks.is_empty(), "typed text went out live:\n{}", leaks.join("\n"));

    // 2. No typed line passes for a line of the report, the export, or any message.
    let reports = report_threads(&bot, &ch);
    assert_eq!(
        reports.len(),
        3,
        "the reports at the close and at the forced close, and the one asked after"
    );
    for (i, report) in reports.iter().enumerate() {
        assert_no_forged_report_line(&format!("report {i}"), report);
    }
    assert_no_forged_report_line("md export", &md);
    let mut forged = Vec::new();
    for call in &calls {
        for text in shown(&call.params) {
            forged.extend(forged_lines(&text).into_iter().map(|l| format!("{}: {l}", call.method)));
        }
    }
    for (asked, answer) in answers.all() {
        let v: Value = serde_json::from_str(answer).unwrap_or(Value::String(answer.clone()));
        for text in shown(&v) {
            forged.extend(
                forged_lines(&text)
                    .into_iter()
                    .map(|l| format!("answer to {asked:?}: {l}")),
            );
        }
    }
    forged.extend(forged_lines(&eightd).into_iter().map(|l| format!("8d export: {l}")));
    assert!(
        forged.is_empty(),
        "typed lines stand as lines of their own:\n{}",
        forged.join("\n")
    );

    // 3. Each field is shown where it belongs.
    let status_ts = trouble_status_ts.clone();
    let shown_in = |pick: &dyn Fn(&Call) -> bool| {
        calls
            .iter()
            .filter(|c| pick(c))
            .flat_map(|c| shown(&c.params))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let is_8d = |c: &Call| c.params["text"].as_str().is_some_and(|t| t.starts_with("8D report"));
    let mut outputs: BTreeMap<&str, String> = BTreeMap::new();
    outputs.insert(
        "posts",
        shown_in(&|c| {
            c.method == "chat.postMessage"
                && c.params["channel"] == ch.as_str()
                && c.params["thread_ts"].is_null()
                && !is_8d(c)
        }),
    );
    outputs.insert(
        "pinned status",
        shown_in(&|c| c.method == "chat.update" && c.params["ts"] == status_ts.as_str()),
    );
    outputs.insert("8D post", shown_in(&|c| is_8d(c)));
    outputs.insert("status", status_answers.join("\n"));
    outputs.insert("report", reports.last().cloned().unwrap_or_default());
    outputs.insert("md", md.clone());
    outputs.insert("8d", eightd.clone());
    for (k, v) in &reads {
        outputs.insert(k.as_str(), v.clone());
    }
    let mut missing = Vec::new();
    for (tag, places) in FIELDS {
        for place in *places {
            let output = outputs.get(place).unwrap_or_else(|| panic!("no output {place}"));
            if !output.contains(tag) {
                missing.push(format!("{tag} not shown in {place}"));
            }
        }
    }
    assert!(missing.is_empty(), "typed text dropped:\n{}", missing.join("\n"));
}

/// A slow cadence of customer updates, so a week on the clock brings a few nudges, not dozens.
const WEEKLY_SEVERITIES: &str = r#"
[severity.2]
ack_timeout = "1h"
customer_update_every = "3d"
"#;

/// Every failure of assertions 1 and 2 in `calls`: a live token, a typed line standing alone.
fn leaks_and_forgeries(calls: &[Call]) -> Vec<String> {
    let mut found = Vec::new();
    for call in calls {
        for text in shown(&call.params) {
            let live = live_in(&text);
            if !live.is_empty() {
                found.push(format!("{} {live:?} in {text:?}", call.method));
            }
            found.extend(
                forged_lines(&text)
                    .into_iter()
                    .map(|l| format!("{}: forged line {l:?}", call.method)),
            );
        }
    }
    found
}

#[tokio::test]
async fn hostile_action_texts_and_an_amount_reach_reminders_the_weekly_digest_and_the_effectiveness_check_only_as_text()
{
    let bot = spawn_bot_with(WEEKLY_SEVERITIES).await;
    let mut answers = Answers::default();
    let t = bot.open_ready("sev2 ACME: housings cracked").await;
    ask(&bot, &mut answers, MANAGER, &t.channel, "ack").await;
    let typed = [
        (
            format!("action interim {} due:2026-12-02", hostile("FremindZ")),
            "Action #1 added",
        ),
        (format!("cost ¥50,000 ours {}", hostile("FwaitZ")), "proposal #1"),
    ];
    for (text, recorded) in &typed {
        let a = ask(&bot, &mut answers, SALES, &t.channel, text).await;
        assert!(a.contains(recorded), "{text:?} answered: {a}");
    }
    // A second trouble, closed, whose prevention action is to be checked on 2 December.
    let u = bot.open_ready("sev2 GLOBEX: lid loose").await;
    ask(&bot, &mut answers, MANAGER, &u.channel, "ack").await;
    let a = ask(
        &bot,
        &mut answers,
        SALES,
        &u.channel,
        &format!("prevent {} check:2026-12-02", hostile("FcheckZ")),
    )
    .await;
    assert!(a.contains("action #1"), "{a}");
    let a = ask(
        &bot,
        &mut answers,
        MANAGER,
        &u.channel,
        "close force the customer withdrew",
    )
    .await;
    assert!(a.starts_with("Closed"), "{a}");

    // To Monday 7 December, 09:01 in Tokyo: reminders, the effectiveness check, the digest.
    let monday: chrono::DateTime<chrono::Utc> = "2026-12-07T00:01:00Z".parse().expect("an instant");
    bot.advance_and_settle((monday - bot.clock.now()).to_std().expect("ahead"))
        .await;

    let calls = bot.slack.calls();
    let posted = |to: &str, words: &str| -> Vec<String> {
        calls
            .iter()
            .filter(|c| c.method == "chat.postMessage" && c.params["channel"] == to)
            .map(|c| shown(&c.params).join("\n"))
            .filter(|text| text.contains(words))
            .collect()
    };
    let reminders = posted(SALES, "action #1");
    // One jump of the clock past the due date: as after downtime, the overdue reminder alone.
    assert!(
        reminders
            .iter()
            .any(|r| r.contains("overdue") && r.contains("FremindZ")),
        "the owner is reminded by DM, the action named: {reminders:#?}"
    );
    let digest = posted(MANAGER, "Weekly trouble digest");
    assert!(
        digest.iter().any(|d| d.contains("FremindZ") && d.contains("¥50,000")),
        "the digest names the overdue action and the waiting cost: {digest:#?}"
    );
    let check = posted(&u.channel, "Did it work?");
    assert!(check.iter().any(|c| c.contains("FcheckZ")), "{check:#?}");

    let mut found = leaks_and_forgeries(&calls);
    for (asked, answer) in answers.all() {
        let live = live_in(answer);
        if !live.is_empty() {
            found.push(format!("answer to {asked:?}: {live:?} in {answer}"));
        }
    }
    assert!(
        found.is_empty(),
        "typed text went out live or as lines of its own:\n{}",
        found.join("\n")
    );
}
