//! The manager's weekly digest against the fake Slack on the manual clock: a DM on Monday 09:00
//! (or the week's first business day), once a week across restarts, only what the manager may see.

mod common;
mod pg;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::*;
use trouble_bot::store::Store;
use trouble_bot::trouble::decide::{Decision, Delivery, Dest, Lane, Message, Op};
use trouble_bot::trouble::digest::{digest_timer, TIMER_NAME};
use trouble_bot::trouble::model::UserId;

const OTHER: &str = "U0OTHER";
const OTHER_BOSS: &str = "U0OTHERBOSS";

/// A slow cadence, so a week on the clock brings a few nudges rather than dozens.
const SEVERITIES: &str = r#"
[severity.1]
ack_timeout = "1h"
customer_update_every = "3d"
[severity.2]
ack_timeout = "1h"
customer_update_every = "3d"
[severity.3]
ack_timeout = "2h"
customer_update_every = "3d"
"#;

/// The shared org plus a second, separate chain (OTHER → OTHER_BOSS), top-level keys first.
fn config(top: &str, extra: &str) -> String {
    let base = BASE_CONFIG.replacen(
        "U0DIRECTOR = \"U0VP\"\n",
        &format!("U0DIRECTOR = \"U0VP\"\n{OTHER} = \"{OTHER_BOSS}\"\n"),
        1,
    );
    format!("{top}\n{base}\n{SEVERITIES}\n{extra}")
}

/// Moves the bot's clock to `at` (UTC) and lets everything due by then happen.
async fn advance_to(bot: &TestBot, at: &str) {
    let target: DateTime<Utc> = at.parse().expect("a UTC instant");
    let by = (target - bot.clock.now())
        .to_std()
        .expect("the target is ahead of the clock");
    bot.advance_and_settle(by).await;
}

fn is_digest_to(c: &Call, user: &str) -> bool {
    c.params["channel"] == user
        && c.params["text"]
            .as_str()
            .is_some_and(|t| t.contains("Weekly trouble digest"))
}

fn digests_to(bot: &TestBot, user: &str) -> Vec<String> {
    bot.slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| is_digest_to(c, user))
        .map(|c| c.params["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn digest_to(bot: &TestBot, user: &str) -> String {
    let call = bot.slack.wait_for("chat.postMessage", |c| is_digest_to(c, user)).await;
    call.params["text"].as_str().unwrap_or_default().to_string()
}

/// Monday 2026-12-07 09:00 in Tokyo, the first digest after the clock's start.
const MONDAY_NINE: &str = "2026-12-07T00:00:00Z";

#[tokio::test]
async fn a_manager_with_an_overdue_update_and_a_waiting_proposal_reads_both_in_the_monday_digest() {
    let bot = spawn_bot_raw(&config("", "")).await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    assert!(r.contains("proposal #1"), "{r}");

    advance_to(&bot, MONDAY_NINE).await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(dm.contains("Weekly trouble digest* — Mon 2026-12-07"), "{dm}");
    assert!(
        dm.contains("Open 1 · Updates overdue 1 · Waiting for your approval 1\n"),
        "the headline counts: {dm}"
    );
    assert!(dm.contains("*⚠️ Customer update overdue* (1)"), "{dm}");
    assert!(
        dm.contains(&format!(
            "`{}` ACME — cracked housings · sev2 · <#{}> · ⚠️ overdue since Mon 2026-11-30 11:00 (",
            t.id, t.channel
        )),
        // Never told anything: what was owed first is the first call, an hour after opening.
        "the overdue update names the trouble, its channel and since when: {dm}"
    );
    assert!(dm.contains("*🗳️ Proposals waiting for approval* (1)"), "{dm}");
    assert!(
        dm.contains("proposal #1: cost #1 ¥50,000 (borne by us) — “courier” · waiting for *you*"),
        "the proposal, and that it waits for them: {dm}"
    );
    assert!(dm.contains("*📂 Open troubles* (1)"), "{dm}");
    assert!(!dm.contains("Not acknowledged"), "acknowledged, so not listed: {dm}");
    assert!(
        dm.ends_with("\n\n👉 Acknowledge and approve with one tap in this app's *Home* tab."),
        "where the buttons are: {dm}"
    );

    // The director above sees the same trouble, and whom the proposal waits for.
    let above = digest_to(&bot, DIRECTOR).await;
    assert!(
        above.contains(&format!("waiting for <@{MANAGER}> (you may decide it too)")),
        "{above}"
    );
    assert!(!above.contains("Waiting for you"), "{above}");
    assert!(!above.contains("Home* tab"), "nothing for the director to tap: {above}");
    // The owner is no manager: no digest for them.
    assert!(digests_to(&bot, SALES).is_empty());
}

#[tokio::test]
async fn nothing_comes_before_monday_nine_and_exactly_one_digest_a_week_after_it_even_across_a_restart() {
    let mut bot = spawn_bot_raw(&config("", "")).await;
    bot.open_ready("sev2 ACME: cracked housings").await;

    advance_to(&bot, "2026-12-06T23:59:00Z").await;
    bot.expect_none("chat.postMessage", |c| is_digest_to(c, MANAGER)).await;

    advance_to(&bot, "2026-12-07T00:01:00Z").await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(dm.contains("*⏳ Not acknowledged* (1)"), "{dm}");
    // Past it again the same week, and after a restart: still the one digest.
    advance_to(&bot, "2026-12-07T05:00:00Z").await;
    bot.restart().await;
    advance_to(&bot, "2026-12-08T00:00:00Z").await;
    assert_eq!(digests_to(&bot, MANAGER).len(), 1, "one digest this week");

    advance_to(&bot, "2026-12-14T00:01:00Z").await;
    wait_until(|| (digests_to(&bot, MANAGER).len() == 2).then_some(())).await;
    bot.settle().await;
    assert_eq!(digests_to(&bot, MANAGER).len(), 2, "one more the week after");
}

#[tokio::test]
async fn a_digest_missed_while_the_bot_was_down_comes_once_when_it_is_back() {
    let mut bot = spawn_bot_raw(&config("", "")).await;
    bot.open_ready("sev2 ACME: cracked housings").await;
    bot.settle().await;
    bot.stop().await;
    // Down from Monday 10:00 to Tuesday 10:00 of the next week, past the digest.
    bot.advance(std::time::Duration::from_secs(8 * 86_400));
    bot.restart().await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(dm.contains("Weekly trouble digest"), "{dm}");
    bot.settle().await;
    assert_eq!(digests_to(&bot, MANAGER).len(), 1);
}

/// Back at Saturday 23:00 with business hours set, past a missed digest: nothing at night or at
/// the weekend; one digest at Monday's opening, which is also the week's own.
#[tokio::test]
async fn a_digest_missed_while_the_bot_was_down_waits_for_the_opening_and_comes_once() {
    let hours = "[business_hours]\nopen = \"09:00\"\nclose = \"18:00\"\n";
    let mut bot = spawn_bot_raw(&config("", hours)).await;
    bot.open_ready("sev2 ACME: cracked housings").await;
    bot.settle().await;
    bot.stop().await;
    // Down from Monday 11-30 10:00 to Saturday 12-12 23:00 (14:00 UTC), past Monday 12-07's.
    let down = "2026-12-12T14:00:00Z".parse::<DateTime<Utc>>().unwrap() - bot.clock.now();
    bot.advance(down.to_std().unwrap());
    bot.restart().await;
    bot.settle().await;
    bot.expect_none("chat.postMessage", |c| is_digest_to(c, MANAGER)).await;
    advance_to(&bot, "2026-12-13T23:59:00Z").await;
    assert!(digests_to(&bot, MANAGER).is_empty(), "nothing at the weekend");
    advance_to(&bot, "2026-12-14T00:00:00Z").await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(dm.contains("Weekly trouble digest* — Mon 2026-12-14"), "{dm}");
    bot.settle().await;
    assert_eq!(digests_to(&bot, MANAGER).len(), 1);
}

#[tokio::test]
async fn a_holiday_monday_moves_the_digest_to_tuesday_nine() {
    let hours = "[business_hours]\nopen = \"09:00\"\nclose = \"18:00\"\nholidays = [\"2026-12-07\"]\n";
    let bot = spawn_bot_raw(&config("", hours)).await;
    bot.open_ready("sev2 ACME: cracked housings").await;

    advance_to(&bot, "2026-12-07T23:59:00Z").await;
    bot.expect_none("chat.postMessage", |c| is_digest_to(c, MANAGER)).await;
    advance_to(&bot, "2026-12-08T00:00:00Z").await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(dm.contains("Weekly trouble digest* — Tue 2026-12-08"), "{dm}");
    bot.settle().await;
    assert_eq!(digests_to(&bot, MANAGER).len(), 1);
}

#[tokio::test]
async fn a_manager_only_reads_the_troubles_they_may_see() {
    let bot = spawn_bot_raw(&config("private_channels = true", "")).await;
    let mine = bot.open_ready("sev2 ACME: cracked housings").await;
    // A private trouble in another chain: the manager is neither in it nor a participant.
    let (_, theirs) = bot.opened(OTHER, "sev1 Globex: <!channel> late delivery").await;
    wait_until(|| trouble(&bot, &theirs).channel.map(|_| ())).await;

    advance_to(&bot, MONDAY_NINE).await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(dm.contains(&mine.id), "{dm}");
    assert!(
        !dm.contains(&theirs) && !dm.contains("Globex"),
        "another chain's private trouble stays out: {dm}"
    );
    let other = digest_to(&bot, OTHER_BOSS).await;
    assert!(other.contains(&theirs) && !other.contains(&mine.id), "{other}");
    assert!(
        !other.contains("<!channel>"),
        "the customer's name is neutralised: {other}"
    );
}

/// `a` and `b` are two instances on one store (PostgreSQL), or the one store twice (sled).
async fn the_digest_timer_is_set_once_and_fires_once(a: Store, b: Store, shared: bool) {
    let monday: DateTime<Utc> = MONDAY_NINE.parse().unwrap();
    let timer = digest_timer(monday);
    assert!(a.schedule_global(&timer).await.unwrap(), "the first to start sets it");
    assert!(!b.schedule_global(&timer).await.unwrap(), "the second finds it waiting");
    let later = digest_timer(monday + chrono::Duration::days(7));
    assert!(!a.schedule_global(&later).await.unwrap(), "one digest timer at a time");
    assert_eq!(a.counts().await.unwrap().timers, 1);

    let now = monday + chrono::Duration::minutes(1);
    let claimed_a = a.claim_due_timers(now, 16).await.unwrap();
    let claimed_b = b.claim_due_timers(now, 16).await.unwrap();
    if shared {
        assert_eq!(claimed_a.len() + claimed_b.len(), 1, "one instance holds the lease");
    }
    let dm = Delivery {
        lane: Lane::Dm,
        op: Op::Post {
            to: Dest::Dm(UserId::new(MANAGER)),
            message: Message::Text { text: "digest".into() },
            keep_as: None,
        },
    };
    let decision = Decision {
        deliveries: vec![dm],
        timers: vec![later.clone()],
        ..Decision::default()
    };
    assert!(a.fire_global(&timer, now, &decision).await.unwrap());
    assert!(
        !b.fire_global(&timer, now, &decision).await.unwrap(),
        "fired before, by anyone: nothing written"
    );
    let outbox = b.outbox_items().await.unwrap();
    assert_eq!(outbox.len(), 1, "the DM queued once: {outbox:?}");
    assert_eq!(outbox[0].trouble, None);
    assert_eq!(
        b.next_timer_due(now).await.unwrap(),
        Some(later.due),
        "next week's is waiting"
    );
    assert_eq!(b.counts().await.unwrap().timers, 1);
}

#[tokio::test]
async fn the_digest_timer_is_set_once_and_fires_once_on_sled() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sled(dir.path()).unwrap();
    the_digest_timer_is_set_once_and_fires_once(store.clone(), store, false).await;
}

#[tokio::test]
async fn the_digest_timer_is_set_once_and_fires_once_with_two_instances_on_postgres() {
    let url = pg::fresh_database();
    let lease = std::time::Duration::from_secs(30);
    let instance = |name: &'static str| Store::connect_postgres(&url, name, lease);
    let (a, b) = (
        instance("instance-a").await.unwrap(),
        instance("instance-b").await.unwrap(),
    );
    the_digest_timer_is_set_once_and_fires_once(a, b, true).await;
}

#[tokio::test]
async fn an_unreadable_trouble_costs_no_chain_its_digest_is_named_by_verify_and_escalates_once_it_reads() {
    let mut bot = spawn_bot_raw(&config("", "")).await;
    let unreadable = bot.open_ready("sev2 ACME: cracked housings").await;
    let (_, readable) = bot.opened(OTHER, "sev2 Globex: late delivery").await;
    wait_until(|| trouble(&bot, &readable).channel.map(|_| ())).await;
    bot.settle().await;
    bot.stop().await;

    // A torn write, or a record a newer release wrote: the first trouble's body no longer reads.
    let data_dir = bot.config().data_dir;
    let original = overwrite_trouble(&data_dir, &unreadable.id, UNREADABLE_BODY).await;
    {
        // As a store from before the read indexes: they are built again at start.
        let db = sled_db(&data_dir).await;
        db.open_tree("index").unwrap().clear().unwrap();
        db.open_tree("summaries").unwrap().clear().unwrap();
        db.remove("summaries:built").unwrap();
        db.flush().unwrap();
    }
    // It starts all the same, and serves the troubles that read.
    bot.restart().await;
    let list = bot.command_text(OTHER, ORIGIN, "list").await;
    assert!(list.contains(&readable) && !list.contains(&unreadable.id), "{list}");

    advance_to(&bot, MONDAY_NINE).await;
    let dm = digest_to(&bot, OTHER_BOSS).await;
    assert!(dm.contains(&readable), "the other chain's digest still comes: {dm}");
    let metrics = metrics_at(&bot.base_url).await;
    assert!(
        metrics.contains("trouble_bot_troubles_unreadable_total{walk=\"weekly_digest\"} 1\n"),
        "counted for the admin's alerts: {metrics}"
    );
    // The week after, again: one record does not cost every week's digest.
    advance_to(&bot, "2026-12-14T00:01:00Z").await;
    wait_until(|| (digests_to(&bot, OTHER_BOSS).len() == 2).then_some(())).await;
    bot.stop().await;

    // `verify` names it among the troubles it checked, and checks the rest.
    let (ok, stdout) = verify_stopped(&data_dir);
    assert!(!ok, "a store with an unreadable record verified: {stdout}");
    assert!(
        stdout.contains(&format!("BROKEN {}: the record does not read (", unreadable.id))
            && stdout.contains(UNREADABLE_SHOWN),
        "named, and what it holds quoted harmlessly: {stdout}"
    );
    assert!(stdout.contains("2件のトラブルを検査し、1件が壊れています"), "{stdout}");
    assert!(!stdout.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{stdout:?}");

    // Nobody acknowledged it, and its timer could not fire all this time: it was kept. Once the
    // record reads again (the release that wrote it is back, or a backup restored), the chain
    // goes up at once.
    let escalations = |bot: &TestBot| {
        bot.slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.params["channel"] == DIRECTOR && text_of(&c.params).contains("not been acknowledged"))
            .count()
    };
    assert_eq!(escalations(&bot), 0);
    overwrite_trouble(&data_dir, &unreadable.id, &original).await;
    bot.restart().await;
    let asked = bot.posted_saying(DIRECTOR, "not been acknowledged").await;
    assert!(asked.contains(&unreadable.id), "{asked}");
    bot.settle().await;
    assert_eq!(escalations(&bot), 1, "once");
    // And it is listed again: what was built without it at the start it missed is built again.
    let list = bot.command_text(OTHER, ORIGIN, "list").await;
    assert!(list.contains(&readable) && list.contains(&unreadable.id), "{list}");
}

/// A bot with one trouble opened and set up, then stopped: for tests that tamper with its store.
async fn one_trouble_then_stopped() -> (TestBot, OpenedTrouble) {
    let mut bot = spawn_bot_raw(&config("", "")).await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.settle().await;
    bot.stop().await;
    (bot, t)
}

/// The clock moved to Monday nine at once, nothing settled on the way: the manager's digest.
async fn monday_digest_to_the_manager(bot: &TestBot) -> String {
    let target: DateTime<Utc> = MONDAY_NINE.parse().unwrap();
    bot.advance((target - bot.clock.now()).to_std().unwrap());
    digest_to(bot, MANAGER).await
}

#[tokio::test]
async fn a_queued_call_that_does_not_read_holds_back_no_digest() {
    let (mut bot, t) = one_trouble_then_stopped().await;
    // A call a newer release queued, say, at the head of the lane every digest DM goes through.
    {
        let db = sled_db(&bot.config().data_dir).await;
        let key = [b"_/dm".as_slice(), &[0], &1u64.to_be_bytes()].concat();
        db.open_tree("outbox")
            .unwrap()
            .insert(key, &br#"{"op":{"kind":"a_call_of_a_newer_release"}}"#[..])
            .unwrap();
        db.flush().unwrap();
    }
    bot.restart().await;
    let dm = monday_digest_to_the_manager(&bot).await;
    assert!(dm.contains(&t.id), "{dm}");
    bot.stop().await;
    let (ok, stdout) = verify_stopped(&bot.config().data_dir);
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains("BROKEN queued call in lane _/dm: the record does not read (")
            && stdout.contains("保存されたタイマーと送信待ちの呼び出しのうち1件が読めません"),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_digest_timer_that_does_not_read_is_replaced_at_start_and_the_digest_still_comes() {
    let (mut bot, t) = one_trouble_then_stopped().await;
    // The digest's waiting timer as a newer release wrote it, say, before a rollback.
    let data_dir = bot.config().data_dir;
    let spoiled = overwrite_timers_of(&data_dir, TIMER_NAME, br#"{"kind":"a_kind_of_a_newer_release"}"#).await;
    assert_eq!(spoiled, 1, "one digest timer waits");
    bot.restart().await;
    let dm = monday_digest_to_the_manager(&bot).await;
    assert!(dm.contains(&t.id), "{dm}");
    bot.stop().await;
    // Replaced, not left beside the new one: nothing in the store fails to read.
    let (ok, stdout) = verify_stopped(&data_dir);
    assert!(ok, "{stdout}");
}

/// A proposal over the manager's limit waits for the director, and the manager's digest names
/// whoever else may decide it (the VP), not the director alone.
#[tokio::test]
async fn a_proposal_over_the_limit_names_everyone_who_may_decide_it() {
    let bot = spawn_bot_raw(&config("", "[approval_limits]\nJPY = 1_000_000\n")).await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥2,000,000 ours line stop")
        .await;
    assert!(r.contains("proposal #1"), "{r}");

    advance_to(&bot, MONDAY_NINE).await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(dm.contains(&format!("waiting for <@{DIRECTOR}> (or <@{VP}>)")), "{dm}");
    assert!(!dm.contains("Waiting for you"), "not the manager's to decide: {dm}");
    let above = digest_to(&bot, DIRECTOR).await;
    assert!(
        above.contains("“line stop” · waiting for *you* (our share ¥2,000,000 is over"),
        "{above}"
    );
}

/// A trouble force-closed before any call and reopened days later owes its customer an update
/// a cadence after the reopening, as its nudge says: App Home does not call it overdue the
/// moment it is reopened, and the digest does not count the days it was closed as lateness.
#[tokio::test]
async fn a_trouble_reopened_before_any_call_is_owed_an_update_from_its_reopening_everywhere() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: late delivery of spare parts").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(MANAGER, &t.channel, "close force a duplicate").await;
    bot.advance_and_settle(Duration::from_secs(3 * 24 * 3600)).await;
    let reopened = bot
        .command_text(MANAGER, &t.channel, "reopen not a duplicate after all")
        .await;
    assert!(reopened.contains("open again"), "{reopened}");
    let home = app_home(&bot, MANAGER).await;
    assert!(home.contains("Customer update overdue* (0)"), "{home}");
    let mark = last_call(&bot);
    bot.advance_and_settle(Duration::from_secs(5 * 3600)).await;
    let nudge = posted_since(&bot, &t.channel, mark)
        .into_iter()
        .find(|text| text.contains("heard nothing"))
        .expect("the nudge");
    assert!(nudge.contains("since the trouble was reopened"), "{nudge}");
    advance_to(&bot, MONDAY_NINE).await;
    let digest = digest_to(&bot, MANAGER).await;
    let row = digest.lines().find(|l| l.contains(&t.id)).expect("its row");
    // Due a cadence (4h) after the reopening on Thursday, not since Monday's opening.
    assert!(row.contains("· ⚠️ overdue since Thu 2026-12-03 14:00 ("), "{row}");
}

/// The VP a sev1 was escalated to reads in the digest which unacknowledged troubles wait for
/// *them*, counted in the headline beside the approvals that do: a trouble the chain has not
/// taken up to them yet is listed, unmarked, as the manager's to acknowledge.
#[tokio::test]
async fn the_digest_says_which_unacknowledged_troubles_wait_for_its_reader() {
    for (locale, count, yours) in [
        ("en", "Waiting for your acknowledgement 1", " · waiting for *you*"),
        ("ja", "あなたの確認待ち 1件", " · *あなた*の確認待ち"),
    ] {
        let cfg = config("", "").replace("locale = \"en\"", &format!("locale = \"{locale}\""));
        let bot = spawn_bot_raw(&cfg).await;
        let night = bot.open_ready("sev1 MegaCorp: line 3 stopped").await;
        // Up to the VP an hour at a time, long before the digest.
        for _ in 0..3 {
            bot.advance_and_settle(Duration::from_secs(3600)).await;
        }
        assert_eq!(
            trouble(&bot, &night.id).escalation.level,
            2,
            "{locale}: the VP is asked"
        );
        advance_to(&bot, "2026-12-06T23:30:00Z").await;
        // Half an hour before it: only the manager is asked yet.
        let late = bot.open_ready("sev3 ACME: label misprint").await;
        advance_to(&bot, MONDAY_NINE).await;
        let is_digest = |c: &Call, user: &str| {
            c.params["channel"] == user
                && c.params["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Weekly trouble digest") || t.contains("週次トラブルダイジェスト"))
        };
        let vp = bot.slack.wait_for("chat.postMessage", |c| is_digest(c, VP)).await;
        let vp = vp.params["text"].as_str().unwrap_or_default().to_string();
        let row = |dm: &str, id: &str| {
            dm.lines()
                .find(|l| l.starts_with(&format!("• `{id}`")) && !l.contains("1. "))
                .unwrap_or_else(|| panic!("{id} in {dm}"))
                .to_string()
        };
        assert!(vp.lines().nth(1).is_some_and(|h| h.contains(count)), "{locale}: {vp}");
        assert!(row(&vp, &night.id).ends_with(yours), "{locale}: {vp}");
        assert!(
            !row(&vp, &late.id).contains(yours),
            "{locale}: not asked of the VP yet: {vp}"
        );
        let manager = bot.slack.wait_for("chat.postMessage", |c| is_digest(c, MANAGER)).await;
        let manager = manager.params["text"].as_str().unwrap_or_default().to_string();
        assert!(row(&manager, &late.id).ends_with(yours), "{locale}: {manager}");
    }
}

/// A promise the rep wrote in the customer's zone (`17:00 CET`) reads in the digest's overdue
/// row in both clocks, as in the status and the channel: the manager matches it to what the
/// customer was told.
#[tokio::test]
async fn an_overdue_promise_made_in_the_customers_zone_reads_in_both_clocks_in_the_digest() {
    let bot = spawn_bot_raw(&config("", "")).await;
    let t = bot.open_ready("sev2 ACME GmbH: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot
        .command_text(SALES, &t.channel, "update called next: tue 17:00 CET")
        .await;
    let both = "Wed 2026-12-02 01:00 JST (Tue 2026-12-01 17:00 CET, the customer's time)";
    assert!(r.contains(both), "{r}");

    advance_to(&bot, MONDAY_NINE).await;
    let dm = digest_to(&bot, MANAGER).await;
    assert!(
        dm.contains(&format!("· <#{}> · ⚠️ overdue since {both} (", t.channel)),
        "the overdue promise in both clocks: {dm}"
    );
}

/// The rows of the digest's section titled `title`: from its title to the blank line after it.
fn section_rows<'a>(dm: &'a str, title: &str) -> Vec<&'a str> {
    dm.lines()
        .skip_while(|l| !l.contains(title))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

/// A measure a forced close left undone, past its due date and with its effectiveness check due
/// this week, is listed once, among the overdue (a measure not in place cannot be checked),
/// saying since when and how late, as App Home does, and noting the check; a measure done keeps
/// its row among the checks. In English and Japanese.
#[tokio::test]
async fn an_overdue_action_with_its_check_due_is_listed_once_saying_how_late_it_is() {
    for (locale, overdue_title, checks_title, late, check, headline) in [
        (
            "en",
            "📌 Actions overdue",
            "🔁 Effectiveness checks due",
            "⚠️ overdue since Tue 2026-12-01 18:00 (5d15h late)",
            "check Wed 2026-12-09",
            "Actions overdue 1 · Checks due 1\n",
        ),
        (
            "ja",
            "📌 期限切れの対策",
            "🔁 効果確認の予定",
            "⚠️ 期限 2026-12-01(火) 18:00 超過（5日15時間）",
            "確認日 2026-12-09(水)",
            "対策期限切れ 1件 · 効果確認 1件\n",
        ),
    ] {
        let bot = spawn_bot_raw(&config("", "").replace("locale = \"en\"", &format!("locale = \"{locale}\""))).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        for action in [
            format!("action prevent add a mold alarm owner:<@{COLLEAGUE}> due:tomorrow check:12/9"),
            format!("action prevent train the operators owner:<@{COLLEAGUE}> due:tomorrow check:12/10"),
        ] {
            bot.command_text(SALES, &t.channel, &action).await;
        }
        bot.command_text(COLLEAGUE, &t.channel, "action done 2").await;
        bot.command_text(MANAGER, &t.channel, "close force the customer withdrew the claim")
            .await;
        let record = bot
            .store()
            .get(&trouble_bot::trouble::model::TroubleId::new(&t.id))
            .unwrap()
            .unwrap();
        assert!(record.closed.is_some(), "{locale}: closed");

        advance_to(&bot, MONDAY_NINE).await;
        let dm = bot.posted_saying(MANAGER, "📋").await;
        let alarm: Vec<&str> = dm.lines().filter(|l| l.contains("add a mold alarm")).collect();
        assert_eq!(alarm.len(), 1, "{locale}: listed once:\n{dm}");
        let overdue = section_rows(&dm, overdue_title);
        assert_eq!(overdue, alarm, "{locale}: among the overdue:\n{dm}");
        for words in [late, check] {
            assert!(alarm[0].contains(words), "{locale}: {words:?} in {:?}", alarm[0]);
        }
        let checks = section_rows(&dm, checks_title);
        assert!(
            checks.len() == 1 && checks[0].contains("train the operators"),
            "{locale}: the measure done keeps its check row:\n{dm}"
        );
        assert!(dm.contains(headline), "{locale}: the headline counts each once:\n{dm}");
    }
}

/// A prevention measure cancelled (a duplicate) is never checked for effectiveness, so the
/// digest lists no check for it, although its check date falls this week.
#[tokio::test]
async fn a_cancelled_measure_has_no_effectiveness_check_in_the_digest() {
    let bot = spawn_bot_raw(&config("", "")).await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    for action in [
        format!("action prevent add a mold alarm owner:<@{COLLEAGUE}> due:tomorrow check:12/9"),
        format!("action prevent train the operators owner:<@{COLLEAGUE}> due:tomorrow check:12/8"),
    ] {
        bot.command_text(SALES, &t.channel, &action).await;
    }
    bot.command_text(COLLEAGUE, &t.channel, "action done 1").await;
    bot.command_text(SALES, &t.channel, "action cancel 2 duplicate of the mold alarm")
        .await;
    bot.command_text(MANAGER, &t.channel, "close force the customer withdrew the claim")
        .await;

    advance_to(&bot, MONDAY_NINE).await;
    let dm = bot.posted_saying(MANAGER, "📋").await;
    let checks = section_rows(&dm, "🔁 Effectiveness checks due");
    assert!(
        checks.len() == 1 && checks[0].contains("add a mold alarm"),
        "only the measure in place is to be checked:\n{dm}"
    );
    assert!(
        !dm.contains("train the operators"),
        "the cancelled measure is not listed:\n{dm}"
    );
    assert!(dm.contains("Checks due 1\n"), "the headline counts one check:\n{dm}");
}

fn stands_in_for(dm: &str, user: &str) -> bool {
    dm.contains(&format!("Standing in for <@{user}>"))
}

/// An acknowledged trouble in the manager's chain, the clock just before the first digest, and
/// Slack refusing DMs to each of `refused` with its error from then on.
async fn refused_before_the_first_digest(refused: &[(&str, &str)]) -> (TestBot, OpenedTrouble) {
    let bot = spawn_bot_raw(&config("", "")).await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    advance_to(&bot, "2026-12-06T23:00:00Z").await;
    for (user, error) in refused {
        bot.slack.refuse_dm(user, error);
    }
    (bot, t)
}

/// Slack refuses the manager the bot's DMs for good: the refused digest is remembered (across a
/// restart), the next week's goes to the director under a line saying whose it is and why, and
/// the manager is not DMed it; once a DM reaches the manager again, theirs goes to them.
#[tokio::test]
async fn a_managers_digest_slack_refuses_goes_to_the_director_until_a_dm_reaches_the_manager() {
    let (mut bot, t) = refused_before_the_first_digest(&[(MANAGER, "user_not_visible")]).await;

    // Week 1: tried, refused. The director's own digest stands in for nobody.
    advance_to(&bot, MONDAY_NINE).await;
    bot.slack
        .wait_for("chat.postMessage", |c| is_digest_to(c, MANAGER))
        .await;
    let own = digest_to(&bot, DIRECTOR).await;
    assert!(!stands_in_for(&own, MANAGER), "{own}");
    bot.settle().await;
    bot.restart().await;

    // Week 2: the director reads the manager's rows, the manager is not tried.
    advance_to(&bot, "2026-12-14T00:01:00Z").await;
    let for_manager = || {
        digests_to(&bot, DIRECTOR)
            .into_iter()
            .find(|dm| stands_in_for(dm, MANAGER))
    };
    let dm = wait_until(for_manager).await;
    assert!(
        dm.contains(&format!(
            "↪️ *Standing in for <@{MANAGER}>*: Slack refuses the bot's DMs to them (`user_not_visible`, since Mon 2026-12-07 09:00), so their digest comes to you, the next one up in `[org]`."
        )),
        "whose digest and why: {dm}"
    );
    assert!(
        dm.contains(&format!("`{}` ACME — cracked housings", t.id)),
        "their rows: {dm}"
    );
    bot.settle().await;
    assert_eq!(digests_to(&bot, MANAGER).len(), 1, "the manager is not DMed again");
    assert_eq!(
        digests_to(&bot, DIRECTOR).len(),
        3,
        "their own digest each week, and the manager's beside it"
    );

    // The manager is reachable again and writes to the bot: its answer reaches them.
    bot.slack.accept_dm(MANAGER);
    bot.event(&dm_event("EvDigestBack", MANAGER, "hello", None), None).await;
    bot.posted_saying(MANAGER, "This message was not recorded").await;
    bot.settle().await;

    // Week 3: theirs goes to them again, and nobody stands in.
    advance_to(&bot, "2026-12-21T00:01:00Z").await;
    wait_until(|| (digests_to(&bot, MANAGER).len() == 2).then_some(())).await;
    bot.settle().await;
    let director = digests_to(&bot, DIRECTOR);
    assert_eq!(director.len(), 4, "{director:?}");
    assert!(!stands_in_for(&director[3], MANAGER), "{}", director[3]);
}

/// Refused managers are walked past to the first above them Slack takes DMs for; with nobody
/// left above, the digest goes to nobody, said in the log and counted in `/metrics`; a refusal
/// of someone `[org]` no longer lists is forgotten, so they are tried again; `verify` passes.
#[tokio::test]
async fn refused_managers_are_walked_past_and_a_digest_nobody_above_can_read_is_counted() {
    let (mut bot, _) =
        refused_before_the_first_digest(&[(MANAGER, "user_not_found"), (DIRECTOR, "user_not_found")]).await;

    // Week 1: each is tried once.
    advance_to(&bot, MONDAY_NINE).await;
    digest_to(&bot, VP).await;
    bot.settle().await;
    bot.slack.refuse_dm(VP, "user_not_found");

    // Week 2: beside their own, the VP stands in for both (past the refused director for the
    // manager), and is refused in turn.
    advance_to(&bot, "2026-12-14T00:01:00Z").await;
    wait_until(|| (digests_to(&bot, VP).len() == 4).then_some(())).await;
    bot.settle().await;
    let week2 = &digests_to(&bot, VP)[1..];
    for user in [MANAGER, DIRECTOR] {
        let theirs = week2.iter().filter(|dm| stands_in_for(dm, user)).count();
        assert_eq!(theirs, 1, "{user}: {week2:?}");
    }
    assert_eq!(digests_to(&bot, MANAGER).len(), 1);
    assert_eq!(digests_to(&bot, DIRECTOR).len(), 1);

    // Week 3: nobody above anyone can be DMed: no digest is tried, and each is counted.
    advance_to(&bot, "2026-12-21T00:01:00Z").await;
    let unread = "trouble_bot_digests_unread_total 3\n";
    eventually_async("the digests nobody read counted", Duration::from_secs(10), || async {
        metrics_at(&bot.base_url).await.contains(unread).then_some(())
    })
    .await;
    bot.settle().await;
    for (user, tried) in [(MANAGER, 1), (DIRECTOR, 1), (VP, 4)] {
        assert_eq!(digests_to(&bot, user).len(), tried, "{user}");
    }

    // `[org]` lists the VP no more: their refusal is forgotten and they are tried again (the
    // trouble's chain still names them); the director, at the top now, has nobody above.
    let without_vp = config("", "").replacen("U0DIRECTOR = \"U0VP\"\n", "", 1);
    bot.restart_with_config(&without_vp).await;
    advance_to(&bot, "2026-12-28T00:01:00Z").await;
    wait_until(|| (digests_to(&bot, VP).len() == 5).then_some(())).await;
    bot.settle().await;
    assert!(!stands_in_for(&digests_to(&bot, VP)[4], MANAGER));
    let metrics = metrics_at(&bot.base_url).await;
    assert!(metrics.contains("trouble_bot_digests_unread_total 2\n"), "{metrics}");

    let data_dir = bot.config().data_dir;
    bot.stop().await;
    let (ok, stdout) = verify_stopped(&data_dir);
    assert!(ok, "{stdout}");
}

/// The app lacking a permission refuses every DM alike (an install to mend, not someone to go
/// around): the refused digest is not remembered, and the manager is tried again next week.
#[tokio::test]
async fn a_digest_refused_for_the_apps_missing_permission_goes_to_the_manager_again() {
    let (bot, _) = refused_before_the_first_digest(&[(MANAGER, "missing_scope")]).await;

    advance_to(&bot, MONDAY_NINE).await;
    digest_to(&bot, MANAGER).await;
    bot.settle().await;
    advance_to(&bot, "2026-12-14T00:01:00Z").await;
    wait_until(|| (digests_to(&bot, MANAGER).len() == 2).then_some(())).await;
    bot.settle().await;
    let director = digests_to(&bot, DIRECTOR);
    assert!(director.iter().all(|dm| !stands_in_for(dm, MANAGER)), "{director:?}");
}
