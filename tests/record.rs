//! The channel as the one shared record, the first call to the customer, money, the customer's
//! history, the kickoff on close, and the Japanese wording.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use std::time::Duration;

use serde_json::Value;
use trouble_bot::config::Config;
use trouble_bot::i18n::{format_day_time, render, reply_text, Locale};
use trouble_bot::trouble::command::OpenRequest;
use trouble_bot::trouble::customer::PastTrouble;
use trouble_bot::trouble::decide::{open, AskedBefore, Ctx, Message, NewToChain, Nudge, Reply, Who};
use trouble_bot::trouble::model::{
    Acknowledgement, ChannelId, ChannelLoss, Closure, Cost, CustomerUpdate, Origin, Severity, Split, StageId, Trouble,
    TroubleId, UserId,
};
use trouble_bot::trouble::record::Record;

/// The first top-level message in the channel whose text and blocks hold every needle.
async fn posted_with(bot: &TestBot, channel: &str, what: &str, needles: &[&str]) -> Value {
    bot.paced(what, || {
        bot.slack
            .messages_in(channel)
            .into_iter()
            .find(|m| needles.iter().all(|n| text_of(m).contains(n)))
    })
    .await
}

fn latest(bot: &TestBot, channel: &str, ts: &str) -> Value {
    bot.slack
        .message_versions(channel, ts)
        .pop()
        .expect("the fake Slack has the message")
}

#[tokio::test]
async fn a_customer_update_is_posted_in_the_channel_with_what_was_said_and_the_promised_time() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let answer = bot
        .command_text(
            SALES,
            &t.channel,
            "update Apologised; asked for lot 42 back next: tomorrow 10:00",
        )
        .await;
    assert!(
        answer.starts_with("Customer update logged"),
        "the private answer confirms: {answer}"
    );
    let promised = trouble(&bot, &t.id).customer_updates[0]
        .promised_next
        .expect("a promise");
    let when = format_day_time(Locale::En, chrono_tz::Asia::Tokyo, promised);
    let line = posted_with(
        &bot,
        &t.channel,
        "the update line",
        &["told the customer", "asked for lot 42 back"],
    )
    .await;
    let text = line["text"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("<@{SALES}>")), "says who: {text}");
    assert!(
        text.contains(&format!("next contact promised by {when}")),
        "says the promise: {text}"
    );
}

#[tokio::test]
async fn the_status_message_carries_what_the_customer_was_told_and_the_costs_by_payer() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(
        SALES,
        &t.channel,
        "update Replacement parts ship Friday next: tomorrow 10:00",
    )
    .await;
    // One amount in every way a sales floor writes it, and a payer in both languages.
    for cost in [
        "cost ¥1,200,000 ours replacement",
        "cost 120万円 当社 shipping",
        "cost JPY 1200000 ours inspection",
        "cost ￥１，２００，０００ ours rework",
        "cost $3,000.50 customer their line stop",
        "cost €300 other pallets of storage",
    ] {
        let answer = bot.command_text(SALES, &t.channel, cost).await;
        assert!(answer.starts_with("Cost recorded"), "{cost}: {answer}");
    }
    let status = trouble(&bot, &t.id).status.expect("status");
    let shown = bot
        .paced("the status shows the update and the costs", || {
            let s = text_of(&latest(&bot, status.channel.as_str(), status.ts.as_str()));
            s.contains("pallets of storage").then_some(s)
        })
        .await;
    for needle in [
        "Last told to the customer",
        "Replacement parts ship Friday",
        "Next contact promised by",
        "borne by us ¥4,800,000",
        "borne by the customer $3,000.50",
        "$3,000.50 (borne by the customer)",
    ] {
        assert!(shown.contains(needle), "{needle:?} in the status: {shown}");
    }
    assert!(
        shown.contains("€300.00 (borne by others) — “pallets of storage”"),
        "{shown}"
    );
    assert!(shown.contains("borne by others €300.00"), "{shown}");
    // An amount that names no currency would sit outside the totals: it is refused, with
    // the forms that read, and nothing is recorded.
    let costs_before = trouble(&bot, &t.id).costs.len();
    for cost in [
        "cost 1,500,000 ours line stop",
        "cost 3 other pallets",
        "fix cost 1 120000 ours",
    ] {
        let answer = bot.command_text(SALES, &t.channel, cost).await;
        assert!(
            answer.contains("is not an amount I can read")
                && answer.contains("¥1,500,000")
                && answer.contains("Nothing was recorded"),
            "{cost}: {answer}"
        );
    }
    let after = trouble(&bot, &t.id);
    assert_eq!(after.costs.len(), costs_before);
    assert_eq!(after.costs[0].amount, "¥1,200,000");
    let line = posted_with(
        &bot,
        &t.channel,
        "the cost line",
        &["recorded a cost", "¥1,200,000 (borne by us)"],
    )
    .await;
    assert!(text_of(&line).contains("replacement"), "{line}");
}

const FIRST_CONTACT: &str = r#"
[severity.2]
ack_timeout = "1h"
customer_update_every = "12s"
first_contact_within = "10s"
"#;

fn is_cadence_nudge(m: &Value) -> bool {
    let text = m["text"].as_str().unwrap_or_default();
    text.starts_with('⏰') || text.contains("heard nothing")
}

#[tokio::test]
async fn the_first_call_checklist_comes_before_any_cadence_nudge_and_never_after_the_first_update() {
    let bot = spawn_bot_with(FIRST_CONTACT).await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let kickoff = latest(&bot, &t.channel, &t.kickoff_ts);
    assert!(
        text_of(&kickoff).contains("First customer contact") && text_of(&kickoff).contains("due by"),
        "{kickoff}"
    );

    // Halfway to the 10 s deadline.
    bot.advance_and_settle(Duration::from_secs(6)).await;
    let reminder = posted_with(
        &bot,
        &t.channel,
        "the first-call checklist",
        &["First call checklist", "Apologise"],
    )
    .await;
    let text = text_of(&reminder);
    for item in [
        "Repeat back the facts",
        "Ask for the affected goods back",
        "interim measure",
        "When we will call next",
        "log_update",
    ] {
        assert!(text.contains(item), "{item:?} in the checklist: {text}");
    }
    assert!(
        !text.contains(&format!("<@{MANAGER}>")),
        "halfway, only the owner: {text}"
    );
    assert!(
        !bot.slack.messages_in(&t.channel).iter().any(is_cadence_nudge),
        "no cadence nudge before the first-call checklist"
    );

    bot.command_text(SALES, &t.channel, "update Apologised and asked for the lot back")
        .await;
    // The next cadence nudge (12 s after the update) falls after the first-contact deadline.
    bot.advance_and_settle(Duration::from_secs(13)).await;
    bot.paced("the cadence nudge after the update", || {
        bot.slack.messages_in(&t.channel).into_iter().find(is_cadence_nudge)
    })
    .await;
    let missed: Vec<Value> = bot
        .slack
        .messages_in(&t.channel)
        .into_iter()
        .filter(|m| text_of(m).contains("first call to ACME was due"))
        .collect();
    assert!(
        missed.is_empty(),
        "no first-contact nudge after the first update: {missed:?}"
    );
    let kickoff = bot
        .paced("the kickoff shows the first contact made", || {
            Some(latest(&bot, &t.channel, &t.kickoff_ts))
                .filter(|k| text_of(k).contains("First customer contact") && !text_of(k).contains("due by"))
        })
        .await;
    assert!(text_of(&kickoff).contains('✅'), "{kickoff}");
}

#[tokio::test]
async fn the_manager_is_mentioned_when_the_first_call_is_missed() {
    let bot = spawn_bot_with(
        r#"
[severity.2]
ack_timeout = "1h"
customer_update_every = "1h"
first_contact_within = "2s"
"#,
    )
    .await;
    let t = bot.open_ready("ACME: housings cracked").await;
    // To the first call's deadline on the bot's clock, rather than waiting it out.
    bot.advance(Duration::from_secs(2));
    let missed = posted_with(
        &bot,
        &t.channel,
        "the missed first call",
        &["first call to ACME was due"],
    )
    .await;
    let text = missed["text"].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("<@{SALES}>")) && text.contains(&format!("<@{MANAGER}>")),
        "{text}"
    );
    assert!(text_of(&missed).contains("First call checklist"), "{missed}");
}

const FIRST_CALL_BY_SEVERITY: &str = r#"
[severity.1]
ack_timeout = "1d"
customer_update_every = "1d"
first_contact_within = "30m"
[severity.2]
ack_timeout = "1d"
customer_update_every = "1d"
first_contact_within = "1h"
[severity.3]
ack_timeout = "1d"
customer_update_every = "1d"
first_contact_within = "4h"
"#;

/// The first-call messages posted in `channel`: (checklists alone, missed deadlines).
fn first_call_messages(bot: &TestBot, channel: &str) -> (usize, usize) {
    let messages = bot.slack.messages_in(channel);
    let missed = |m: &Value| text_of(m).contains("first call to ACME was due");
    (
        messages
            .iter()
            .filter(|m| text_of(m).contains("First call checklist") && !missed(m))
            .count(),
        messages.iter().filter(|m| missed(m)).count(),
    )
}

#[tokio::test]
async fn the_first_call_follows_a_severity_change_sooner_when_raised_later_when_lowered() {
    const MINUTE: Duration = Duration::from_secs(60);
    let bot = spawn_bot_with(FIRST_CALL_BY_SEVERITY).await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "sev 1").await;
    bot.advance_and_settle(16 * MINUTE).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (1, 0), "severity 1's halfway");
    bot.advance_and_settle(15 * MINUTE).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (1, 1), "severity 1's deadline");
    let missed = bot.posted_saying(&t.channel, "first call to ACME was due").await;
    assert!(missed.contains(MANAGER), "{missed}");
    // Severity 2's times pass by without a second checklist or deadline.
    bot.advance_and_settle(30 * MINUTE).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (1, 1));

    let bot = spawn_bot_with(FIRST_CALL_BY_SEVERITY).await;
    let t = bot.open_ready("sev1 ACME: housings cracked").await;
    bot.command_text(MANAGER, &t.channel, "sev 3 cosmetic only").await;
    bot.advance_and_settle(31 * MINUTE).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (0, 0), "not severity 1's times");
    bot.advance_and_settle(90 * MINUTE).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (1, 0), "severity 3's halfway");
    bot.advance_and_settle(120 * MINUTE).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (1, 1), "severity 3's deadline");
}

#[tokio::test]
async fn a_first_call_due_overnight_while_the_bot_was_down_is_posted_once_at_opening() {
    let mut bot = spawn_bot_with(&format!(
        "{FIRST_CALL_BY_SEVERITY}\n[business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n"
    ))
    .await;
    // Monday 10:00 in Tokyo: due by 11:00, the checklist at 10:30. Down until 20:00.
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.stop().await;
    bot.advance(Duration::from_secs(10 * 3600));
    bot.restart().await;
    bot.settle().await;
    assert_eq!(first_call_messages(&bot, &t.channel), (0, 0), "nothing after hours");
    // Tuesday 09:01: the deadline's message alone, once.
    bot.advance_and_settle(Duration::from_secs(13 * 3600 + 60)).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (0, 1));
    bot.advance_and_settle(Duration::from_secs(3600)).await;
    assert_eq!(first_call_messages(&bot, &t.channel), (0, 1));
}

#[tokio::test]
async fn four_spellings_of_one_customer_find_one_history() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n[customers]\n\"アクメ\" = \"ACME\"\n")).await;
    let mut ids = Vec::new();
    for open in [
        "株式会社ACME: housings cracked",
        "ＡＣＭＥ（株）: wrong labels",
        "ACME Corp.: late delivery",
        "アクメ: scratched lids",
    ] {
        ids.push(bot.open_ready(open).await.id);
    }
    let other = bot.open_ready("ACNE: unrelated").await.id;
    let history = bot
        .command_text(COLLEAGUE, "C0ELSEWHERE", "history acme co., ltd.")
        .await;
    for id in &ids {
        assert!(history.contains(id.as_str()), "{id} in: {history}");
    }
    assert!(!history.contains(&other), "{history}");
    assert!(history.contains("(4 troubles)"), "{history}");
}

#[tokio::test]
async fn a_returning_customers_kickoff_thread_lists_past_troubles_and_the_balance() {
    let bot = spawn_bot().await;
    let first = bot.open_ready("ACME: housings cracked").await;
    for c in [
        "split 70/30 our mold",
        "cost ¥120,000 ours replacement",
        "cost 5万円 customer their rework",
    ] {
        bot.command_text(SALES, &first.channel, c).await;
    }
    bot.command_text(MANAGER, &first.channel, "close force settled by phone")
        .await;

    let again = bot.open_ready("ACME Corp.: lids scratched").await;
    let listed = bot
        .paced("the history in the kickoff thread", || {
            bot.slack
                .messages_in(&again.channel)
                .into_iter()
                .find(|m| m["thread_ts"] == again.kickoff_ts.as_str() && text_of(m).contains("Past troubles with"))
        })
        .await;
    let text = listed["text"].as_str().unwrap_or_default();
    for needle in [
        first.id.as_str(),
        "housings cracked",
        "closed",
        "us 70% / the customer 30% · borne by us ¥120,000 · borne by the customer ¥50,000 ·",
        "Running balance",
        "borne by us ¥120,000",
        "borne by the customer ¥50,000",
    ] {
        assert!(text.contains(needle), "{needle:?} in: {text}");
    }

    // Shown again in the channel when the split is being settled: after the line saying stage
    // 4 is done, which is what started stage 5.
    bot.command_text(SALES, &again.channel, "cause mold temperature drifted")
        .await;
    for _ in 1..=4 {
        let r = bot.command_text(SALES, &again.channel, "next").await;
        assert!(r.contains("marked done"), "{r}");
    }
    let (done, shown) = bot
        .paced("stage 4 done, then the history", || {
            let top: Vec<String> = bot
                .slack
                .messages_in(&again.channel)
                .iter()
                .filter(|m| m["thread_ts"].is_null())
                .map(text_of)
                .collect();
            let done = top.iter().position(|t| t.contains("Stage 4") && t.contains("done"))?;
            let shown = top.iter().position(|t| t.contains("Past troubles with"))?;
            Some((done, shown))
        })
        .await;
    assert!(done < shown, "the history comes after stage 4's line ({done}, {shown})");
}

#[tokio::test]
async fn closing_posts_the_report_and_edits_the_kickoff_to_say_closed_by_whom_and_link_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 ours replacement")
        .await;
    bot.command_text(SALES, &t.channel, "prevent add a mold temperature alarm")
        .await;
    let refused = bot.command_text(SALES, &t.channel, "close").await;
    assert!(refused.contains("Never started: stage 2, 3, 4, 5."), "{refused}");
    assert_eq!(
        bot.command_text(MANAGER, &t.channel, "close force settled by phone")
            .await,
        closed_reply(&bot, &t)
    );
    let kickoff = bot
        .paced("the kickoff says closed", || {
            Some(latest(&bot, &t.channel, &t.kickoff_ts)).filter(|k| text_of(k).contains("🏁 Closed"))
        })
        .await;
    assert!(text_of(&kickoff).contains(&format!("by <@{MANAGER}>")), "{kickoff}");
    assert!(
        !text_of(&kickoff).contains("\"acknowledge\""),
        "no acknowledge button once closed: {kickoff}"
    );
    let summary = posted_with(
        &bot,
        &t.channel,
        "the closing summary",
        &["force-closed", "stages done"],
    )
    .await;
    assert!(text_of(&summary).contains("borne by us ¥120,000"), "{summary}");
    assert!(
        text_of(&summary).contains("prevention measures 1"),
        "the measure recorded with `prevent` is counted: {summary}"
    );

    // No `/trouble report`: closing posts the report summary, its thread, and the link.
    let report_summary = posted_with(&bot, &t.channel, "the report summary", &["Trouble report", "closed"]).await;
    let summary_ts = report_summary["ts"].as_str().expect("ts").to_string();
    bot.paced("the report's thread", || {
        bot.slack.messages_in(&t.channel).into_iter().find(|m| {
            m["thread_ts"].as_str() == Some(summary_ts.as_str()) && m["ts"].as_str() != Some(summary_ts.as_str())
        })
    })
    .await;
    let kickoff = bot
        .paced("the kickoff links the report", || {
            Some(latest(&bot, &t.channel, &t.kickoff_ts)).filter(|k| text_of(k).contains("|the report>"))
        })
        .await;
    let report = trouble(&bot, &t.id)
        .last_report
        .and_then(|r| r.message)
        .expect("report posted");
    assert!(
        text_of(&kickoff).contains(&report.ts.as_str().replace('.', "")),
        "{kickoff}"
    );
    assert_eq!(
        report.ts.as_str(),
        summary_ts,
        "the link is to the summary closing posted"
    );
}

/// A trouble with everything a message can show: people, a past trouble, updates, costs.
fn sample() -> (Config, Trouble) {
    let config = Config::from_sources(Some(BASE_CONFIG), &Default::default()).expect("config");
    let at = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000);
    let sales = UserId::new(SALES);
    let past = PastTrouble {
        id: TroubleId::new("20250101-1"),
        opened_at: at,
        summary: "前回の不良".into(),
        reached: 7,
        done: (1..=7).collect(),
        closed: true,
        awaiting: false,
        split: Some(Split {
            ours: 70,
            customer: 30,
            other: 0,
            reason: "金型".into(),
            by: sales.clone(),
            at,
        }),
        costs: vec![Cost {
            amount: "¥120,000".into(),
            payer: "ours".into(),
            note: String::new(),
            by: sales.clone(),
            at,
        }],
        private: Some(false),
        owner: None,
        channel: None,
        channel_name: None,
        channel_refused: false,
        readers: None,
    };
    let req = OpenRequest {
        severity: Some(Severity::new(1)),
        manager: Some(UserId::new(MANAGER)),
        departments: vec!["quality".into()],
        customer: "ACME".into(),
        summary: "ロット42のハウジング割れ".into(),
        past: vec![past],
    };
    let ctx = Ctx {
        policy: &config.policy,
        now: at,
    };
    let origin = Origin {
        channel: ChannelId::new(ORIGIN),
        response_url: None,
        by: None,
    };
    let mut t = open(&ctx, TroubleId::new("20261130-1"), 1, sales.clone(), origin, req)
        .trouble
        .expect("opened");
    t.channel = Some(ChannelId::new("C0TROUBLE"));
    t.customer_updates.push(CustomerUpdate {
        text: "お詫びしました".into(),
        by: sales.clone(),
        at,
        promised_next: Some(at),
        promised_zone: None,
        withdrawn: None,
    });
    t.costs = vec![Cost {
        amount: "12万".into(),
        payer: "当社".into(),
        note: "送料".into(),
        by: sales,
        at,
    }];
    (config, t)
}

#[test]
fn japanese_output_says_kakunin_not_juryo_and_names_every_person_with_san() {
    let (config, t) = sample();
    let sales = UserId::new(SALES);
    let manager = UserId::new(MANAGER);
    let messages = vec![
        Message::Kickoff,
        Message::Status,
        Message::ManagerDm,
        Message::OriginNotice,
        Message::Announcement,
        Message::NoManagerHint,
        Message::Acknowledged {
            by: manager.clone(),
            after_secs: 252,
            wait_withheld: false,
        },
        Message::EscalationMention {
            to: manager.clone(),
            waited_secs: 600,
            passed_over: None,
            new_to_chain: None,
        },
        Message::EscalationDm {
            to: manager.clone(),
            waited_secs: 600,
            passed_over: None,
            new_to_chain: None,
            asked_before: vec![AskedBefore {
                who: manager.clone(),
                secs_ago: Some(600),
            }],
        },
        Message::EscalationMention {
            to: UserId::new(DIRECTOR),
            waited_secs: 0,
            passed_over: Some(manager.clone()),
            new_to_chain: None,
        },
        Message::EscalationDm {
            to: UserId::new(DIRECTOR),
            waited_secs: 0,
            passed_over: Some(manager.clone()),
            new_to_chain: None,
            asked_before: Vec::new(),
        },
        Message::EscalationDm {
            to: UserId::new(DIRECTOR),
            waited_secs: 1500,
            passed_over: None,
            new_to_chain: Some(NewToChain::Manager),
            asked_before: Vec::new(),
        },
        Message::EscalationMention {
            to: UserId::new(DIRECTOR),
            waited_secs: 1500,
            passed_over: None,
            new_to_chain: Some(NewToChain::Manager),
        },
        Message::EscalationDm {
            to: UserId::new(DIRECTOR),
            waited_secs: 30,
            passed_over: None,
            new_to_chain: Some(NewToChain::Above),
            asked_before: Vec::new(),
        },
        Message::EscalationMention {
            to: UserId::new(DIRECTOR),
            waited_secs: 30,
            passed_over: None,
            new_to_chain: Some(NewToChain::Above),
        },
        Message::EscalationDmSettled {
            asked_again: true,
            to: None,
        },
        Message::EscalationDmSettled {
            asked_again: false,
            to: Some(UserId::new(DIRECTOR)),
        },
        Message::NobodyAnswered,
        Message::NamedManager {
            by: sales.clone(),
            to: Some(UserId::new(DIRECTOR)),
        },
        Message::NoLongerManager {
            by: sales.clone(),
            to: UserId::new(DIRECTOR),
            handed_to: Some(UserId::new(DIRECTOR)),
            above: true,
            yours: false,
            by_you: false,
        },
        Message::NoLongerManager {
            by: sales.clone(),
            to: UserId::new(VP),
            handed_to: Some(UserId::new(DIRECTOR)),
            above: true,
            yours: true,
            by_you: false,
        },
        Message::NoLongerManager {
            by: sales.clone(),
            to: UserId::new(DIRECTOR),
            handed_to: None,
            above: true,
            yours: false,
            by_you: false,
        },
        Message::NoLongerManager {
            by: sales.clone(),
            to: UserId::new(DIRECTOR),
            handed_to: None,
            above: false,
            yours: false,
            by_you: true,
        },
        Message::PersonUnreachable {
            who: manager.clone(),
            error: "channel_not_found".into(),
            why: Default::default(),
            nobody_above: false,
            asked: Vec::new(),
        },
        Message::PersonUnreachable {
            who: manager.clone(),
            error: "channel_not_found".into(),
            why: Default::default(),
            nobody_above: true,
            asked: Vec::new(),
        },
        Message::PersonUnreachable {
            who: UserId::new(VP),
            error: "channel_not_found".into(),
            why: Default::default(),
            nobody_above: true,
            asked: vec![manager.clone(), UserId::new(DIRECTOR)],
        },
        Message::PersonUnreachable {
            who: UserId::new(VP),
            error: "user_not_visible".into(),
            why: trouble_bot::trouble::decide::DmRefusal::NotVisible,
            nobody_above: true,
            asked: vec![manager.clone()],
        },
        Message::OwnerUnreachable {
            owner: sales.clone(),
            error: "user_deactivated".into(),
            why: Default::default(),
            manager: Some(manager.clone()),
            named: Some(UserId::new(DIRECTOR)),
            actions: vec![1, 2],
        },
        Message::OwnerUnreachable {
            owner: sales.clone(),
            error: "user_not_visible".into(),
            why: trouble_bot::trouble::decide::DmRefusal::NotVisible,
            manager: None,
            named: None,
            actions: Vec::new(),
        },
        Message::PersonUnreachable {
            who: UserId::new(VP),
            error: "missing_scope".into(),
            why: trouble_bot::trouble::decide::DmRefusal::AppLacksPermission,
            nobody_above: true,
            asked: Vec::new(),
        },
        Message::ChannelLost {
            how: ChannelLoss::Archived,
            by: Some(sales.clone()),
        },
        Message::ChannelLost {
            how: ChannelLoss::BotRemoved,
            by: Some(manager.clone()),
        },
        Message::ChannelReplaced { held: None },
        Message::ReopenedWhileLost {
            how: ChannelLoss::Archived,
        },
        Message::HeldFollow {
            how: Some(ChannelLoss::BotRemoved),
            since: t.opened_at,
            count: 3,
            left_out: 2,
        },
        Message::HeldFollow {
            how: None,
            since: t.opened_at,
            count: 2,
            left_out: 1,
        },
        Message::StageChanged {
            stage: StageId::Facts,
            done: true,
            by: sales.clone(),
            note: "回収".into(),
        },
        Message::SeverityRaised {
            from: Severity::new(2),
            to: Severity::new(1),
            by: Some(sales.clone()),
            brought: vec!["quality".into()],
            reason: "客先ライン停止".into(),
        },
        Message::ParticipantsAdded {
            by: sales.clone(),
            users: vec![manager.clone()],
            departments: vec!["quality".into()],
        },
        Message::Nudge(Nudge {
            owner: sales.clone(),
            waited_secs: 7200,
            manager: Some(manager.clone()),
            named: None,
            promise: None,
            promise_missed: false,
            last_contact: t.opened_at,
            last_reminder: false,
            since_reopened: false,
        }),
        Message::Nudge(Nudge {
            owner: sales.clone(),
            waited_secs: 14400,
            manager: None,
            named: None,
            promise: None,
            promise_missed: false,
            last_contact: t.opened_at,
            last_reminder: false,
            since_reopened: true,
        }),
        Message::FirstContact {
            owner: sales.clone(),
            manager: Some(manager.clone()),
            named: None,
            due: t.opened_at,
        },
        Message::FarPromise {
            by: sales.clone(),
            promise: t.opened_at,
            ahead_secs: 13 * 86_400,
            severity: Severity::new(1),
            manager: manager.clone(),
            named: Some(UserId::new(COLLEAGUE)),
        },
        Message::CustomerHistory,
        Message::Closed {
            by: manager.clone(),
            forced_reason: Some("電話で合意".into()),
            note: None,
            report_withheld: false,
        },
        Message::Closed {
            by: manager.clone(),
            forced_reason: None,
            note: None,
            report_withheld: true,
        },
        Message::Recorded {
            by: sales.clone(),
            what: Record::Update {
                text: "お詫び".into(),
                promised_next: Some(t.opened_at),
                promised_zone: None,
            },
        },
        Message::Recorded {
            by: sales.clone(),
            what: Record::Owner {
                from: sales.clone(),
                to: UserId::new(COLLEAGUE),
                actions: vec![1, 3],
            },
        },
        Message::Recorded {
            by: sales.clone(),
            what: Record::Manager {
                from: Some(manager.clone()),
                to: UserId::new(DIRECTOR),
            },
        },
        Message::Recorded {
            by: sales.clone(),
            what: Record::Cost {
                amount: "120万円".into(),
                payer: "お客様".into(),
                note: String::new(),
            },
        },
    ];
    let mut outputs: Vec<String> = messages
        .iter()
        .map(|m| {
            let r = render(Locale::Ja, &config, &t, m);
            format!("{} {}", r.text, serde_json::to_string(&r.blocks).expect("json"))
        })
        .collect();
    // The DMs that asked for an acknowledgement, once nobody needs to: acknowledged, or closed first.
    let mut acknowledged = t.clone();
    acknowledged.ack = Some(Acknowledgement {
        by: manager.clone(),
        at: t.opened_at + chrono::Duration::seconds(1500),
        wait_untold: false,
    });
    let mut closed = t.clone();
    closed.closed = Some(Closure {
        by: manager.clone(),
        at: t.opened_at + chrono::Duration::seconds(1500),
        note: String::new(),
        forced_reason: Some("電話で合意".into()),
    });
    for t in [&acknowledged, &closed] {
        let settled = Message::EscalationDmSettled {
            asked_again: true,
            to: None,
        };
        for m in [settled, Message::ManagerDm] {
            let r = render(Locale::Ja, &config, t, &m);
            outputs.push(format!(
                "{} {}",
                r.text,
                serde_json::to_string(&r.blocks).expect("json")
            ));
        }
    }
    assert!(
        outputs.iter().any(|o| o.contains("起票から25分")),
        "opened or acknowledged 25 minutes in"
    );
    assert!(
        outputs.iter().any(|o| o.contains("確認なし")),
        "closed before an acknowledgement"
    );
    for reply in [
        Reply::AlreadyAcknowledged {
            by: manager.clone(),
            you: false,
        },
        Reply::AlreadyAcknowledged {
            by: manager.clone(),
            you: true,
        },
        Reply::Acknowledged {
            id: trouble_bot::trouble::model::TroubleId::new("20261130-1"),
            customer: "ACME".into(),
            refused: None,
            lost: None,
        },
        Reply::Acknowledged {
            id: trouble_bot::trouble::model::TroubleId::new("20261130-1"),
            customer: "ACME".into(),
            refused: None,
            lost: Some(ChannelLoss::Archived),
        },
        Reply::Acknowledged {
            id: trouble_bot::trouble::model::TroubleId::new("20261130-1"),
            customer: "ACME".into(),
            refused: None,
            lost: Some(ChannelLoss::BotRemoved),
        },
        Reply::OwnerChanged {
            to: manager.clone(),
            manager: Some(manager.clone()),
            ack_withdrawn: Some(manager.clone()),
        },
        Reply::OwnerChanged {
            to: manager.clone(),
            manager: None,
            ack_withdrawn: Some(UserId::new("U0COLLEAGUE")),
        },
        Reply::NobodyAboveNewOwner { to: manager.clone() },
        Reply::ManagerChanged {
            to: manager.clone(),
            ack_withdrawn: None,
        },
        Reply::ParticipantsAdded {
            users: vec![manager.clone()],
            depts: vec![],
        },
        Reply::CloseMissing {
            not_done: vec![StageId::Scope, StageId::Cause],
            never_started: vec![StageId::Cause],
            has_measure: false,
            not_effective: vec![],
            forcers: Box::new(Who::Chain(vec![manager.clone(), UserId::new("U0DIRECTOR")])),
            you_may_force: false,
        },
    ] {
        outputs.push(reply_text(Locale::Ja, &config, &reply));
    }
    for out in &outputs {
        assert!(
            !out.contains("受領") || out.contains("現品の受領"),
            "受領 outside receipt of goods: {out}"
        );
        let mut rest = out.as_str();
        while let Some(i) = rest.find("<@") {
            let after = &rest[i..];
            let end = after.find('>').expect("a closed mention");
            assert!(
                after[end + 1..].starts_with("さん"),
                "a person named without さん: {out}"
            );
            rest = &after[end + 1..];
        }
        for stiff in ["顧客", "書いてください", "秒後）"] {
            assert!(!out.contains(stiff), "{stiff:?} in: {out}");
        }
    }
    assert!(
        outputs.iter().any(|o| o.contains("起票から4分12秒")),
        "acknowledged after 252 s reads 起票から4分12秒"
    );
}

/// The report and the 8D are read far from Slack, where `@U07…` names nobody, and are posted
/// again and again, where a mention would ping: they name people by the names Slack gives
/// (asked once, kept on the trouble). A name formats, pings and forges nothing; someone Slack
/// gives no name for stays an id.
#[tokio::test]
async fn the_report_and_the_8d_name_people_by_the_names_slack_gives() {
    let bot = spawn_bot().await;
    bot.slack.name_user(SALES, "佐藤　花子");
    bot.slack.name_user(MANAGER, "<!channel> *Approved*\n✅ Tanaka\u{202e}");
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot.command_text(MANAGER, &t.channel, "ack").await;
    assert!(r.contains("cknowledged"), "{r}");
    bot.command_text(COLLEAGUE, &t.channel, "note the buyer called").await;
    bot.slack.name_user("U0QA1", "Yamada QA");
    bot.command_text(SALES, &t.channel, "add <@U0QA1>").await;

    // The 8D in the channel (it goes to the customer), asked for first.
    bot.command_text(SALES, &t.channel, "report 8d").await;
    let eightd = posted_with(&bot, &t.channel, "the 8D", &["8D report"]).await;
    assert!(
        text_of(&eightd).contains("Account owner: 佐藤 花子\\n"),
        "{}",
        text_of(&eightd)
    );

    bot.command_text(SALES, &t.channel, "report").await;
    let part = posted_with(&bot, &t.channel, "the report", &["Trouble report", "Timeline"]).await;
    let text = text_of(&part);
    for shown in [
        "Owner: @佐藤 花子",
        "Manager: @channel Approved Tanaka",
        "(@channel Approved Tanaka)",
        &format!("@{COLLEAGUE} — note"),
        "participants added: @Yamada QA",
    ] {
        assert!(text.contains(shown), "{shown:?} in: {text}");
    }
    for hidden in [
        format!("@{SALES}"),
        format!("@{MANAGER}"),
        "<!".into(),
        "<@".into(),
        "\u{202e}".into(),
    ] {
        assert!(!text.contains(&hidden), "{hidden:?} in: {text}");
    }
    // The timeline keeps the key: each name beside its id.
    assert!(
        text.contains("names from Slack: ") && text.contains(&format!("佐藤 花子 ({SALES})")),
        "{text}"
    );
    let kept = trouble(&bot, &t.id).names;
    assert_eq!(
        kept.get(&UserId::new(SALES)).map(|n| n.name.as_str()),
        Some("佐藤 花子")
    );
    assert!(
        !kept.contains_key(&UserId::new(COLLEAGUE)),
        "Slack gave no name: {kept:?}"
    );

    // Both exports name them: the report as Slack does, the 8D (a document for the customer)
    // as a letter does, without the `@`.
    for (format, named) in [
        (trouble_bot::admin::Format::Md, "@佐藤 花子"),
        (trouble_bot::admin::Format::EightD, "Account owner: 佐藤 花子\n"),
    ] {
        let out = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, format).stdout;
        assert!(out.contains(named) && !out.contains(&format!("@{SALES}")), "{out}");
    }
    // In Japanese the 8D, written to the customer, names our own people without さん, and the
    // customer with 様.
    let mut ja = bot.config();
    ja.locale = trouble_bot::i18n::Locale::Ja;
    let eightd = trouble_bot::admin::export(&ja, bot.store(), &t.id, trouble_bot::admin::Format::EightD).stdout;
    assert!(eightd.contains("- 担当営業: 佐藤 花子\n"), "{eightd}");
    assert!(eightd.contains("- お客様: ACME様\n"), "{eightd}");
    assert!(!eightd.contains("さん"), "{eightd}");
    // A name is asked once: a second report asks again only for the one Slack gave none.
    let asked = bot.slack.calls_to("users.info").len();
    bot.advance(Duration::from_secs(120));
    bot.command_text(SALES, &t.channel, "report").await;
    let again: Vec<String> = bot.slack.calls_to("users.info")[asked..]
        .iter()
        .map(|c| c.params["user"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(again, [COLLEAGUE]);
}

/// Without the `users:read` scope (an install from before it), the report is posted all the
/// same, naming people by id.
#[tokio::test]
async fn without_leave_to_read_names_the_report_names_people_by_id() {
    let bot = spawn_bot().await;
    bot.slack.name_user(SALES, "佐藤 花子");
    bot.slack.fail_next("users.info", "missing_scope", 10);
    let t = bot.open_ready("ACME: housings cracked").await;
    let r = bot.command_text(SALES, &t.channel, "report").await;
    assert!(r.to_lowercase().contains("report"), "{r}");
    let part = posted_with(&bot, &t.channel, "the report", &["Trouble report", "Timeline"]).await;
    assert!(
        text_of(&part).contains(&format!("Owner: @{SALES}")),
        "{}",
        text_of(&part)
    );
    // Once refused, nobody else is asked in vain: one ask whether the manager pinged has left,
    // one for the report's names.
    assert_eq!(
        bot.slack.calls_to("users.info").len(),
        2,
        "the rest are not asked in vain"
    );
}

/// The record keeps what was typed whole: an action's and a cause's long text reads in the
/// exported report as typed, not cut at a few hundred characters with nothing said.
#[tokio::test]
async fn long_typed_text_reads_whole_in_the_exported_report() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let action = format!(
        "sort the stock at the plant {}end of action",
        "and check each housing ".repeat(25)
    );
    let cause = format!(
        "mold temperature drifted {}end of cause",
        "because the sensor was not calibrated ".repeat(15)
    );
    for typed in [format!("action interim {action}"), format!("cause {cause}")] {
        let answer = bot.command_text(SALES, &t.channel, &typed).await;
        assert!(!answer.contains("too long"), "{answer}");
    }
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_dir, config) = cli_config();
    let md = cli_export(&config, &data_dir, &t.id, "md");
    for whole in [&action, &cause] {
        assert!(whole.chars().count() > 500);
        assert!(md.contains(whole), "{} chars missing from {md}", whole.chars().count());
    }
}
