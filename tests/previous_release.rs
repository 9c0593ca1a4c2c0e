//! Data written by earlier releases opens unchanged: its timelines verify and its troubles go on.
//! Two data directories are kept: v0.1's (`tests/fixtures/data-v0.1/`, one record per trouble)
//! and the release of 2026-11-30's (`tests/fixtures/data-2026-11-30/`: bodies and tracking apart,
//! the open summaries, the read index, timers waiting), and the release of 2026-12-03's
//! (`tests/fixtures/data-2026-12-03/`, `c39bd2b`, written by that commit's own test harness) with
//! work in flight at its stop: calls queued while Slack was down, timers waiting, a manager's DM
//! of several troubles with that release's Acknowledge buttons, an effectiveness check asked.

mod common;

use std::path::Path;

use common::*;
use trouble_bot::trouble::model::TroubleId;

/// Written by the v0.1 binary: an acknowledged trouble with a note and an update, one at stage 7
/// with a split and a cost, and one force-closed.
const V0_1: &str = "tests/fixtures/data-v0.1";
/// Written by main of 2026-11-30 (`c151673`'s record layout): an acknowledged trouble with a note
/// and a customer update, one with a split and a cost waiting for approval, one force-closed,
/// and one nobody acknowledged yet (its acknowledgement timer waiting in the store).
const RELEASE_2026_11_30: &str = "tests/fixtures/data-2026-11-30";
const ACKED: &str = "20261130-1";
const WITH_COST: &str = "20261130-2";
const CLOSED: &str = "20261130-3";
const UNACKED: &str = "20261130-4";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("fixture exists") {
        let path = entry.expect("dir entry").path();
        let target = to.join(path.file_name().expect("file name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy fixture file");
        }
    }
}

/// The bot stopped, its data directory replaced by a copy of `fixture`, started again.
async fn bot_on_previous_data(fixture: &str) -> TestBot {
    let mut bot = spawn_bot().await;
    bot.stop().await;
    let data = bot.dir.path().to_path_buf();
    std::fs::remove_dir_all(&data).expect("clear the data dir");
    copy_dir(Path::new(fixture), &data);
    bot.restart().await;
    bot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_v0_1_data_verifies_and_keeps_its_troubles() {
    let bot = bot_on_previous_data(V0_1).await;
    let verified = assert_store_verifies(&bot, "verify");
    assert!(verified.contains("3 troubles checked, 0 broken"), "{verified}");

    let acked = bot.store().get(&TroubleId::new(ACKED)).unwrap().expect("acked trouble");
    assert!(acked.ack.is_some(), "the acknowledgement survives");
    let with_cost = bot
        .store()
        .get(&TroubleId::new(WITH_COST))
        .unwrap()
        .expect("trouble with a cost");
    assert_eq!(with_cost.costs.len(), 1, "the cost survives");
    let closed = bot
        .store()
        .get(&TroubleId::new(CLOSED))
        .unwrap()
        .expect("closed trouble");
    assert!(closed.closed.is_some(), "the closed trouble stays closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trouble_from_v0_1_takes_a_note_and_is_listed() {
    takes_a_note_and_is_listed(V0_1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trouble_from_the_release_of_2026_11_30_takes_a_note_and_is_listed() {
    takes_a_note_and_is_listed(RELEASE_2026_11_30).await;
}

async fn takes_a_note_and_is_listed(fixture: &str) {
    let bot = bot_on_previous_data(fixture).await;
    let acked = bot.store().get(&TroubleId::new(ACKED)).unwrap().expect("acked trouble");
    let channel = acked.channel.clone().expect("its channel").to_string();
    let before = bot.store().timeline(&acked.id).unwrap().len();

    let answer = bot
        .command_text(SALES, &channel, "note the replacement left the warehouse")
        .await;
    assert!(answer.contains("Added to the timeline"), "the note is taken: {answer}");
    let timeline = wait_until(|| {
        let t = bot.store().timeline(&acked.id).ok()?;
        (t.len() > before).then_some(t)
    })
    .await;
    assert!(format!("{:?}", timeline.last()).contains("the replacement left the warehouse"));
    assert_store_verifies(&bot, "the chain continues");

    let list = bot.command_text(MANAGER, &channel, "list").await;
    assert!(list.contains(ACKED) && list.contains(WITH_COST), "list: {list}");
    assert!(!list.contains(CLOSED), "the closed one is not listed: {list}");

    // The read indexes were built when the store was first opened: history and search find
    // the trouble.
    let history = bot
        .command_text(MANAGER, &channel, &format!("history {}", acked.customer))
        .await;
    assert!(history.contains(ACKED), "history: {history}");
    let word = acked.summary.split_whitespace().next().expect("a summary word");
    let search = bot.command_text(MANAGER, &channel, &format!("search {word}")).await;
    assert!(search.contains(ACKED), "search {word}: {search}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_of_2026_11_30_verifies_and_its_waiting_timer_still_escalates() {
    let bot = bot_on_previous_data(RELEASE_2026_11_30).await;
    // It had no high-water mark: one is made from what it holds, and it starts as before.
    let mark = std::fs::read_to_string(bot.dir.path().join("high-water")).expect("a mark made at the open");
    assert_eq!(mark.trim(), UNACKED, "the highest id the store numbered");
    let verified = assert_store_verifies(&bot, "verify");
    assert!(verified.contains("4 troubles checked, 0 broken"), "{verified}");
    let with_cost = trouble(&bot, WITH_COST);
    assert!(
        with_cost.costs.iter().any(|c| c.note.contains("courier")),
        "the cost waiting for approval survives: {:?}",
        with_cost.costs
    );
    assert!(
        trouble(&bot, CLOSED).closed.is_some(),
        "the closed trouble stays closed"
    );
    assert!(trouble(&bot, UNACKED).ack.is_none());

    // Nobody acknowledged the fourth: the timer stored by the earlier release brings in the
    // next in the chain.
    bot.advance_and_settle(std::time::Duration::from_secs(24 * 3600)).await;
    let escalated = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .any(|c| c.params["channel"] == DIRECTOR && text_of(&c.params).contains(UNACKED));
    assert!(escalated, "the director is told of {UNACKED}");
}

/// Who asks for `/trouble list` below: the rep, their manager, a colleague, a stranger.
const ASKERS: [&str; 4] = [SALES, MANAGER, COLLEAGUE, "U0STRANGER"];

/// Each asker's `/trouble list` on `bot`: its count and its rows.
async fn lists(bot: &TestBot) -> Vec<(usize, Vec<String>)> {
    let mut all = Vec::new();
    for asker in ASKERS {
        all.push(list_rows(&bot.command_text(asker, "D0ASKER", "list").await));
    }
    all
}

/// Whoever asks, `/trouble list` answers on `bot` as reading every open trouble would.
async fn lists_as_counted_one_by_one(bot: &TestBot) -> Vec<(usize, Vec<String>)> {
    let answers = lists(bot).await;
    let counted: Vec<_> = ASKERS.iter().map(|a| list_counted_one_by_one(bot, a)).collect();
    assert_eq!(answers, counted, "{ASKERS:?}");
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_troubles_of_earlier_releases_are_listed_to_each_asker_as_before_with_channels_public_or_private() {
    for (fixture, open) in [
        (V0_1, &[ACKED, WITH_COST][..]),
        (RELEASE_2026_11_30, &[ACKED, WITH_COST, UNACKED]),
    ] {
        let mut bot = bot_on_previous_data(fixture).await;
        let everyone = vec![(open.len(), open.iter().map(|id| id.to_string()).collect::<Vec<_>>()); ASKERS.len()];
        assert_eq!(lists_as_counted_one_by_one(&bot).await, everyone, "{fixture}");
        // Their channels were recorded public when opened: a bot now configured for private
        // channels still lists them to anyone.
        bot.restart_with_config(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"))
            .await;
        assert_eq!(lists_as_counted_one_by_one(&bot).await, everyone, "{fixture}");
    }
}

/// A bot configured for private channels with the rep's two severe troubles heading the list
/// and the colleague's fifty after them (more than a list shows), everything delivered; each
/// asker's list as counted one by one.
async fn fifty_two_private_troubles() -> (TestBot, Vec<(usize, Vec<String>)>) {
    let bot = spawn_bot_raw(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    for n in 0..52 {
        let (user, text) = match n {
            0 | 1 => (SALES, format!("sev1 ACME: cracked housing {n}")),
            _ => (COLLEAGUE, format!("sev2 Globex: bent bracket {n}")),
        };
        bot.command_text(user, ORIGIN, &format!("open {text}")).await;
    }
    let before = lists_as_counted_one_by_one(&bot).await;
    assert_eq!(
        before
            .iter()
            .map(|(total, rows)| (*total, rows.len()))
            .collect::<Vec<_>>(),
        [(2, 2), (52, 50), (50, 50), (0, 0)]
    );
    (bot, before)
}

/// Stops `bot` and hands its index tree to `change`, then starts it again.
async fn with_index_stopped<T>(bot: &mut TestBot, change: impl FnOnce(&sled::Tree) -> T) -> T {
    bot.stop().await;
    let db = sled_db(bot.dir.path()).await;
    let index = db.open_tree("index").expect("the index tree");
    let out = change(&index);
    db.flush().expect("flushed");
    drop((index, db));
    bot.restart().await;
    out
}

/// The `u:` values of `index`.
fn unsure_values(index: &sled::Tree) -> Vec<(sled::IVec, sled::IVec)> {
    index.scan_prefix(b"u:").map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_written_before_the_list_kept_its_unsure_troubles_apart_lists_as_before() {
    let (mut bot, before) = fifty_two_private_troubles().await;
    // The index as the release before left it: the same but for the `u:` keys and their marks.
    with_index_stopped(&mut bot, |index| {
        let unsure = unsure_values(index);
        assert_eq!(unsure.len(), 52, "every trouble is private");
        for (key, _) in unsure {
            index.remove(key).expect("removed");
        }
        for mark in [&b"built:unsure"[..], b"built:viewers"] {
            index.remove(mark).expect("removed");
        }
    })
    .await;
    assert_eq!(lists_as_counted_one_by_one(&bot).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_whose_unsure_troubles_carry_their_flag_alone_lists_as_before_and_carries_their_viewers_once_reopened()
{
    let (mut bot, before) = fifty_two_private_troubles().await;
    bot.settle().await;
    // The release before filed each with its privacy flag alone. Marked as carrying viewers
    // (as a trouble past what a value carries is), each is read to be judged.
    with_index_stopped(&mut bot, |index| {
        for (key, value) in unsure_values(index) {
            assert!(value.len() > 1, "carries its viewers");
            index.insert(key, &value[..1]).expect("written");
        }
    })
    .await;
    assert_eq!(lists_as_counted_one_by_one(&bot).await, before);
    // Nothing was written since: the list was judged from the bodies. Without the mark, the
    // values are filled once at start.
    with_index_stopped(&mut bot, |index| {
        assert!(unsure_values(index).iter().all(|(_, value)| value.len() == 1));
        index.remove(b"built:viewers").expect("removed");
    })
    .await;
    assert_eq!(lists_as_counted_one_by_one(&bot).await, before);
    let carried = with_index_stopped(&mut bot, |index| {
        unsure_values(index).iter().filter(|(_, value)| value.len() > 1).count()
    })
    .await;
    assert_eq!(carried, 52);
    assert_eq!(lists_as_counted_one_by_one(&bot).await, before);
}

/// A trouble an earlier release stored whole (its channel, message links and timeline count in
/// its one record) keeps them when a decision changes only its body, someone joining its
/// channel say: they are written apart with the body, never dropped with the fields the body
/// leaves out; its timeline goes on from its last entry, and verify finds nothing broken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v0_1_trouble_keeps_its_channel_and_chain_through_a_change_of_its_body_alone() {
    let bot = bot_on_previous_data(V0_1).await;
    let before = bot.store().get(&TroubleId::new(ACKED)).unwrap().expect("acked trouble");
    let channel = before.channel.clone().expect("its channel").to_string();
    let joined = bot
        .event(&channel_event("member_joined_channel", &channel, Some(COLLEAGUE)), None)
        .await;
    assert_eq!(joined.status(), 200);
    // An event is stored before it is answered.
    let after = bot.store().get(&before.id).unwrap().expect("acked trouble");
    assert!(after.members_seen.iter().any(|u| u.as_str() == COLLEAGUE), "{after:?}");
    assert_eq!(after.channel, before.channel, "its channel");
    assert_eq!(after.kickoff, before.kickoff, "its kickoff");
    assert_eq!(after.timeline_len, before.timeline_len, "its timeline's count");
    assert_store_verifies(&bot, "verify");

    let entries = bot.store().timeline(&before.id).unwrap().len();
    bot.command_text(SALES, &channel, "note called the customer").await;
    let timeline = bot.store().timeline(&before.id).unwrap();
    assert_eq!(timeline.len(), entries + 1, "the note's entry follows the last");
    assert!(
        format!("{:?}", timeline[0]).contains("Opened"),
        "the first entry stays: {:?}",
        timeline[0]
    );
    assert_store_verifies(&bot, "the chain continues");
}

/// Written by the release of 2026-12-03 (`c39bd2b`) with work in flight at its stop.
const RELEASE_2026_12_03: &str = "tests/fixtures/data-2026-12-03";

/// The bot on the data of 2026-12-03, its fake Slack holding the four channels that release
/// created (so the trouble whose channel was still to come gets a fifth).
async fn bot_on_the_data_of_2026_12_03() -> TestBot {
    let mut bot = spawn_bot().await;
    bot.stop().await;
    for name in ["acme", "globex", "initech", "umbrella"] {
        let n = bot.slack.channels().len() + 1;
        bot.slack
            .add_channel(&format!("trouble-20261130-{n}-{name}"), false, "UBOT");
    }
    let data = bot.dir.path().to_path_buf();
    std::fs::remove_dir_all(&data).expect("clear the data dir");
    copy_dir(Path::new(RELEASE_2026_12_03), &data);
    bot.restart().await;
    bot
}

/// Its troubles: closed with a prevention measure whose check was asked in the channel (its
/// buttons carry no round), closed with a check 30 days on, acknowledged with a promise to the
/// customer (3h) and an action due in 2 days, nobody acknowledged (its manager's DM lists
/// it with two others, a plain `acknowledge` button each), and one opened while Slack was down.
const CHECK_ASKED: &str = "20261130-1";
const CHECK_WAITING: &str = "20261130-2";
const WORKING: &str = "20261130-3";
const NOT_ACKED: &str = "20261130-4";
const OPENED_WHILE_DOWN: &str = "20261130-5";

/// Calls to `method` to `to` whose text holds every one of `words`.
fn count_posts(bot: &TestBot, to: &str, words: &[&str]) -> usize {
    bot.slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.params["channel"] == to && words.iter().all(|w| text_of(&c.params).contains(w)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_release_of_2026_12_03_left_queued_while_slack_was_down_is_delivered_once_and_its_timers_fire() {
    let bot = bot_on_the_data_of_2026_12_03().await;
    let verified = assert_store_verifies(&bot, "verify");
    assert!(verified.contains("5 troubles checked, 0 broken"), "{verified}");
    // Past the moment the earlier release stopped (its clock had gone on half a minute).
    bot.advance_and_settle(std::time::Duration::from_secs(60)).await;

    // The trouble opened while Slack was down: its channel, its manager's DM and the notice
    // where it was opened, each once; the note queued on another trouble, once.
    let created: Vec<_> = bot
        .slack
        .calls_to("conversations.create")
        .into_iter()
        .filter(|c| c.params["name"].as_str().is_some_and(|n| n.contains("hooli")))
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        trouble(&bot, OPENED_WHILE_DOWN)
            .channel
            .map(|c| c.to_string())
            .as_deref(),
        Some("C0000005")
    );
    assert_eq!(
        count_posts(&bot, MANAGER, &[OPENED_WHILE_DOWN, "Please acknowledge"]),
        1
    );
    assert_eq!(count_posts(&bot, ORIGIN, &[OPENED_WHILE_DOWN, "opened trouble"]), 1);
    assert_eq!(count_posts(&bot, "C0000003", &["parts left the warehouse"]), 1);
    assert_eq!(bot.store().outbox_len(), 0, "nothing left queued");

    // Its timers: the promise's reminder (at 12:45 in Tokyo), the escalations of the two
    // nobody acknowledged.
    for _ in 0..36 {
        bot.advance_and_settle(std::time::Duration::from_secs(300)).await;
    }
    assert_eq!(count_posts(&bot, "C0000003", &["you promised Initech", "coming up"]), 1);
    // Each once, in its own DM or, due in the same instant, in one the two share (which of the
    // two depends on whether the first had gone when the second was decided).
    for id in [NOT_ACKED, OPENED_WHILE_DOWN] {
        let asked = count_posts(&bot, DIRECTOR, &[id, "has not been acknowledged"])
            + count_posts(&bot, DIRECTOR, &[id, "troubles were left unacknowledged"]);
        assert_eq!(asked, 1, "{id}");
    }
    // The action's reminder to its owner, and the check 30 days after the close.
    bot.advance_and_settle(std::time::Duration::from_secs(3 * 24 * 3600))
        .await;
    assert!(count_posts(&bot, "U0QA1", &[WORKING, "Relabel stock"]) >= 1);
    bot.advance_and_settle(std::time::Duration::from_secs(30 * 24 * 3600))
        .await;
    assert_eq!(count_posts(&bot, "C0000002", &["Torque audit", "Did it work?"]), 1);
    assert_eq!(trouble(&bot, CHECK_WAITING).substance.actions[0].effective, None);
    assert_store_verifies(&bot, "the chains go on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_buttons_the_release_of_2026_12_03_drew_still_do_what_they_said() {
    let bot = bot_on_the_data_of_2026_12_03().await;
    bot.advance_and_settle(std::time::Duration::from_secs(60)).await;
    let click = |name: &str, user: &str, action: &str, value: &str, channel: &str| {
        button_payload_to(&bot.slack.response_url(name), user, action, value, channel)
    };

    // A plain `acknowledge` (no `#n`) on the manager's DM of three troubles.
    let r = bot
        .interaction(&click("click-ack", MANAGER, "acknowledge", NOT_ACKED, "DU0MANAGER"))
        .await;
    assert_eq!(r.status(), 200);
    assert!(click_answer(&bot, "ack", NOT_ACKED).await.contains("Acknowledged"));
    assert_eq!(
        trouble(&bot, NOT_ACKED).ack.map(|a| a.by.to_string()).as_deref(),
        Some(MANAGER)
    );
    // The effectiveness check's Effective, its value without the round of reopenings.
    let r = bot
        .interaction(&click(
            "click-eff",
            MANAGER,
            "effect_ok",
            &format!("{CHECK_ASKED}:1"),
            "C0000001",
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert!(click_answer(&bot, "eff", "effective").await.contains("Recorded"));
    assert_eq!(trouble(&bot, CHECK_ASKED).substance.actions[0].effective, Some(true));
    // The status message's Complete stage, for the stage it showed.
    let r = bot
        .interaction(&click(
            "click-stage",
            SALES,
            "complete_stage",
            &format!("{WORKING}:0"),
            "C0000003",
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert!(click_answer(&bot, "stage", "Stage 1").await.contains("marked done"));
    assert_store_verifies(&bot, "verify");
}

/// A facts form drawn by the release of 2026-12-03 carries the bare trouble id, not what it
/// showed: submitted after the upgrade it may add, but what it would overwrite or leave out
/// (a lot recorded since it was drawn) is refused on its field, never posted as the sender's
/// correction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facts_form_opened_before_the_upgrade_adds_but_overwrites_nothing_unseen() {
    let bot = bot_on_the_data_of_2026_12_03().await;
    bot.advance_and_settle(std::time::Duration::from_secs(60)).await;
    // Recorded while the form (drawn with no lots) stood open.
    bot.command_text(MANAGER, "C0000003", "fact lot L9").await;

    let answer: serde_json::Value = bot
        .interaction(&facts_submission(WORKING, &[("part", "HX-200"), ("lot", "L1")]))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(answer["response_action"], "errors", "{answer}");
    let said = answer["errors"]["fact_lot"].as_str().unwrap_or_default();
    assert!(
        said.contains("L9") && said.contains("before the bot was updated"),
        "{answer}"
    );
    let facts = trouble(&bot, WORKING).substance.facts;
    assert_eq!(
        (facts.lots, facts.part),
        (vec!["L9".to_string()], None),
        "nothing recorded"
    );
    bot.settle().await;
    assert_eq!(count_posts(&bot, "C0000003", &["Corrected Lot"]), 0);

    // What it adds goes in: a fact the record lacks, a lot beside those recorded.
    let r = bot
        .interaction(&facts_submission(WORKING, &[("part", "HX-200"), ("lot", "L9, L1")]))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap_or_default(), "");
    let facts = trouble(&bot, WORKING).substance.facts;
    assert_eq!(
        (facts.lots, facts.part.as_deref()),
        (vec!["L9".to_string(), "L1".to_string()], Some("HX-200"))
    );
    // A recorded fact it would replace.
    let answer: serde_json::Value = bot
        .interaction(&facts_submission(WORKING, &[("part", "HX-300")]))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        answer["errors"]["fact_part"]
            .as_str()
            .is_some_and(|t| t.contains("HX-200")),
        "{answer}"
    );
    assert_eq!(trouble(&bot, WORKING).substance.facts.part.as_deref(), Some("HX-200"));
}

/// Posts `text` to `to` as the bot itself would have, marked with outbox delivery `delivery`
/// of trouble `id`: what reached Slack from a run that crashed before recording it.
async fn posted_before_the_crash(bot: &TestBot, to: &str, id: &str, delivery: u64, text: &str) {
    let body = serde_json::json!({
        "channel": to, "text": text,
        "metadata": {"event_type": "trouble_bot_delivery", "event_payload": {"delivery": delivery.to_string(), "troubles": id}},
    });
    let answer: serde_json::Value = http_client()
        .post(format!("{}chat.postMessage", bot.slack.api_url()))
        .bearer_auth("xoxb-test")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
}

/// The delivery ids `call` (a chat.postMessage) was marked with.
fn deliveries(call: &fake_slack::Call) -> Vec<u64> {
    let metadata = &call.params["metadata"];
    let metadata = match metadata.as_str() {
        Some(text) => serde_json::from_str(text).unwrap_or_default(),
        None => metadata.clone(),
    };
    metadata["event_payload"]["delivery"]
        .as_str()
        .unwrap_or_default()
        .split(',')
        .filter_map(|d| d.parse().ok())
        .collect()
}

/// The release of 2026-12-03 crashed mid-work, and this release is started on its store an
/// hour and a half later: of the calls it had begun, the channel of the trouble opened while
/// Slack was down, the manager's DM and the notice where it was opened (each with an attempt
/// on record) and a note (none) had reached Slack, unrecorded; the kickoff and status of that
/// channel had not. Each goes out once (what reached Slack is found and kept, never posted
/// again, the channel not created twice), and the timers that fell due meanwhile fire once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_release_of_2026_12_03_began_before_a_crash_goes_out_once_and_its_overdue_timers_fire_once() {
    let mut bot = spawn_bot().await;
    bot.stop().await;
    for name in ["acme", "globex", "initech", "umbrella", "hooli"] {
        let n = bot.slack.channels().len() + 1;
        bot.slack
            .add_channel(&format!("trouble-20261130-{n}-{name}"), false, "UBOT");
    }
    let data = bot.dir.path().to_path_buf();
    std::fs::remove_dir_all(&data).expect("clear the data dir");
    copy_dir(Path::new(RELEASE_2026_12_03), &data);
    // The calls that release left queued, by what they do.
    let queued = sled_store(&data).await.outbox_items().expect("the outbox reads");
    let find = |what: &str| {
        queued
            .iter()
            .find(|i| serde_json::to_string(&i.op).unwrap().contains(what))
            .unwrap_or_else(|| panic!("{what} queued: {queued:?}"))
            .id
    };
    let (manager_dm, origin, note) = (find("manager_dm"), find("origin_notice"), find("parts left"));
    let (kickoff, status) = (find(r#""kickoff"}"#), find(r#""status"}"#));
    let begun: Vec<u64> = queued
        .iter()
        .filter(|i| i.attempt_started_at.is_some())
        .map(|i| i.id)
        .collect();
    assert!(
        begun.contains(&manager_dm) && begun.contains(&origin) && !begun.contains(&note),
        "{queued:?}"
    );
    posted_before_the_crash(
        &bot,
        MANAGER,
        OPENED_WHILE_DOWN,
        manager_dm,
        "Please acknowledge (before the crash)",
    )
    .await;
    posted_before_the_crash(
        &bot,
        ORIGIN,
        OPENED_WHILE_DOWN,
        origin,
        "opened trouble (before the crash)",
    )
    .await;
    posted_before_the_crash(&bot, "C0000003", WORKING, note, "parts left the warehouse").await;
    // Down an hour and a half: the first acknowledgement's wait ran out meanwhile.
    bot.advance(std::time::Duration::from_secs(90 * 60));
    bot.restart().await;
    for _ in 0..5 {
        bot.advance_and_settle(std::time::Duration::from_secs(60)).await;
    }
    assert_eq!(bot.store().outbox_len(), 0, "nothing left queued");

    // Its name found taken, the bot's own channel of that name is taken for the trouble's.
    let hooli: Vec<_> = bot
        .slack
        .channels()
        .into_iter()
        .filter(|c| c.name.contains("hooli"))
        .collect();
    assert_eq!(hooli.len(), 1, "the channel is not created twice: {hooli:?}");
    assert_eq!(
        trouble(&bot, OPENED_WHILE_DOWN)
            .channel
            .map(|c| c.to_string())
            .as_deref(),
        Some("C0000005")
    );
    let posts = bot.slack.calls_to("chat.postMessage");
    for (what, id) in [
        ("manager's DM", manager_dm),
        ("origin notice", origin),
        ("note", note),
        ("kickoff", kickoff),
        ("status", status),
    ] {
        let sent = posts.iter().filter(|c| deliveries(c).contains(&id)).count();
        assert_eq!(sent, 1, "the {what} (delivery {id}) went out once, not {sent} times");
    }
    // The DM found in Slack is the one kept, and edited from then on.
    assert!(trouble(&bot, OPENED_WHILE_DOWN).manager_dm.is_some());

    for id in [NOT_ACKED, OPENED_WHILE_DOWN] {
        assert_eq!(
            count_posts(&bot, DIRECTOR, &[id, "has not been acknowledged"]),
            1,
            "{id}"
        );
    }
    assert_store_verifies(&bot, "verify");
}

/// A trouble force-closed under the release before App Home rows knew it: its action left open
/// reads as such in its owner's Home from the upgrade on, not only after the trouble's next
/// change. Its row is put back as that release wrote it (no mark, JSON as an earlier index
/// holds), with the mark that says the rows were rewritten taken off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trouble_force_closed_before_the_home_rows_said_so_reads_left_open_in_app_home() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housing cracked").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(
        SALES,
        &t.channel,
        &format!("action prevent add a mold alarm owner:<@{COLLEAGUE}> due:fri"),
    )
    .await;
    bot.command_text(MANAGER, &t.channel, "close force the customer withdrew the claim")
        .await;
    bot.settle().await;
    let left = "⏹️ not done, left open at the close";
    let alarm = |home: &str| {
        home.split(['\n', '"'])
            .find(|l| l.contains("add a mold alarm"))
            .unwrap_or_else(|| panic!("the action in App Home:\n{home}"))
            .to_string()
    };
    assert!(alarm(&app_home(&bot, COLLEAGUE).await).contains(left));
    let record = trouble(&bot, &t.id);
    let mut earlier =
        trouble_bot::trouble::home::HomeRow::of(&record, &trouble_bot::trouble::model::UserId::new(COLLEAGUE));
    assert!(earlier.closed_by_force);
    earlier.closed_by_force = false;
    with_index_stopped(&mut bot, |index| {
        let key = [format!("h:{COLLEAGUE}\0{}", t.id).as_bytes()].concat();
        assert!(index.contains_key(&key).unwrap(), "the row is filed under the owner");
        index
            .insert(key, serde_json::to_vec(&earlier).unwrap())
            .expect("written");
        index.remove(b"built:forced-rows").expect("removed");
    })
    .await;
    let home = app_home(&bot, COLLEAGUE).await;
    assert!(alarm(&home).contains(left), "{}", alarm(&home));
}

/// `/trouble stats` on the data of 2026-12-03 counts the troubles nobody acknowledged as
/// waiting from its days' tallies; tallies written before they counted those (as an earlier
/// release wrote them) are counted once at the next start, and a close after it takes one out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_troubles_of_2026_12_03_nobody_acknowledged_are_counted_as_waiting_in_stats() {
    let mut bot = bot_on_the_data_of_2026_12_03().await;
    // A day on, their day is a whole one: summed in its tally, not read row by row.
    bot.advance_and_settle(std::time::Duration::from_secs(24 * 3600)).await;
    let waiting = |bot: &TestBot| {
        let all = bot.store().all_troubles().expect("store readable");
        all.iter().filter(|t| t.is_open() && t.ack.is_none()).count()
    };
    let before = waiting(&bot);
    assert!(before >= 2, "the fixture's troubles nobody acknowledged: {before}");
    let said = |n: usize| format!("⚠️ {n} still waiting now");
    let stats = bot.command_text(MANAGER, "C0000001", "stats").await;
    assert!(stats.contains(&said(before)), "{stats}");

    let cut = with_index_stopped(&mut bot, |index| {
        index.remove("built:waiting").expect("index writable");
        let days: Vec<_> = index.scan_prefix("sd:").map(|r| r.expect("index readable")).collect();
        for (key, value) in &days {
            index.insert(key, &value[..value.len() - 8]).expect("index writable");
        }
        days.len()
    })
    .await;
    assert!(cut > 0, "the days' tallies");
    let stats = bot.command_text(MANAGER, "C0000001", "stats").await;
    assert!(stats.contains(&said(before)), "counted again at the start: {stats}");

    // Closed by the manager (which answers it too): no longer waiting.
    bot.command_text(MANAGER, "C0000004", "close force the customer withdrew")
        .await;
    wait_until(|| trouble(&bot, NOT_ACKED).closed.is_some().then_some(())).await;
    assert_eq!(waiting(&bot), before - 1);
    let stats = bot.command_text(MANAGER, "C0000001", "stats").await;
    assert!(stats.contains(&said(before - 1)), "{stats}");
}

/// A trouble whose channel Slack refused under a release that kept no flag of it (its record put
/// back as that release wrote it: no `channel_refused`) is flagged from its timeline at the next
/// start, written back once: App Home offers its manager the button that asks again. Its timeline
/// is as it was, and verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_refused_before_the_flag_was_kept_can_be_asked_for_again_after_the_upgrade() {
    let mut bot = spawn_bot().await;
    let id = bot.opened_refused("ACME: housings cracked").await;
    let before = trouble(&bot, &id);
    assert!(before.channel_refused && before.channel.is_none());
    restart_without_refusal_flag(&mut bot, &id).await;
    wait_until(|| trouble(&bot, &id).channel_refused.then_some(())).await;
    let after = trouble(&bot, &id);
    assert_eq!(
        (after.timeline_len, &after.timeline_head),
        (before.timeline_len, &before.timeline_head),
        "the timeline is as it was"
    );
    assert_store_verifies(&bot, "flagged from its timeline");
    let home = app_home(&bot, MANAGER).await;
    assert!(
        home.contains("create_channel") && home.contains("Slack refused to create its channel"),
        "{home}"
    );
}

/// Stops the bot, puts trouble `id`'s record back as a release that kept no `channel_refused`
/// wrote it, and starts the bot again.
async fn restart_without_refusal_flag(bot: &mut TestBot, id: &str) {
    bot.stop().await;
    {
        let db = sled_db(bot.dir.path()).await;
        let troubles = db.open_tree("troubles").expect("the troubles tree");
        let stored = troubles.get(id.as_bytes()).unwrap().expect("the record");
        let mut record = trouble_bot::store::sled::record_value(&stored).expect("a record");
        let flag = record.as_object_mut().expect("an object").remove("channel_refused");
        assert_eq!(flag, Some(serde_json::json!(true)));
        troubles
            .insert(id.as_bytes(), serde_json::to_vec(&record).unwrap())
            .unwrap();
        db.flush().unwrap();
    }
    bot.restart().await;
}

/// Refused under a release that kept no flag of it, then closed: no start reads a closed trouble,
/// but its reopening does first. The channel made then says it comes late, as for a refusal this
/// release heard, never that a channel was deleted and replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_refused_before_the_flag_was_kept_comes_late_at_the_reopening_of_its_closed_trouble() {
    let mut bot = spawn_bot().await;
    let id = bot.opened_refused("ACME: housings cracked").await;
    let r = bot
        .command_text(MANAGER, "D0MANAGER", &format!("close {id} force settled by phone"))
        .await;
    assert!(r.contains(&format!("Closed trouble {id}")), "{r}");
    bot.settle().await;
    restart_without_refusal_flag(&mut bot, &id).await;
    bot.settle().await;
    assert!(
        !trouble(&bot, &id).channel_refused,
        "no closed trouble is read at start"
    );

    let r = bot
        .command_text(MANAGER, "D0MANAGER", &format!("reopen {id} customer found more"))
        .await;
    assert!(r.contains("The trouble is open again"), "{r}");
    let channel = wait_until(|| trouble(&bot, &id).channel.map(|c| c.to_string())).await;
    let line = bot.posted_saying(&channel, "had no channel").await;
    assert!(
        line.contains("The trouble was reopened, so the bot made it now"),
        "{line}"
    );
    bot.nothing_posted_saying(&channel, "was deleted").await;
    bot.nothing_posted_saying(SALES, "was deleted").await;
    assert_store_verifies(&bot, "flagged before the reopening");
}

/// A `DeliveryFailed` entry as the releases before the refused DM's reader was recorded wrote
/// it, without `who`: its hash, over exactly the text those releases hashed, still checks, so
/// `verify` passes and the chain goes on from it. The newer field, absent, is left out of what
/// the hash covers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_dm_entry_written_before_it_named_whom_still_verifies_and_the_chain_goes_on() {
    use sha2::{Digest, Sha256};
    use trouble_bot::trouble::timeline::{Entry, Event};
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.settle().await;
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let id = TroubleId::new(&t.id);
    let at = "2026-11-30T01:00:05Z";
    {
        wait_released(&data_dir);
        let store = trouble_bot::store::Store::open_sled(&data_dir).expect("store");
        let written = store
            .transact(&id, &[], None, at.parse().unwrap(), |now| {
                // Hashed as those releases hashed it: the previous hash, a newline, and the
                // entry's content as their serde wrote it, the event with no `who`.
                let (seq, prev) = (now.timeline_len, now.timeline_head.clone());
                let content = format!(
                    r#"{{"trouble":"{}","seq":{seq},"at":"{at}","actor":null,"event":{{"type":"delivery_failed","method":"chat.postMessage","error":"channel_not_found"}}}}"#,
                    now.id
                );
                let hash = hex::encode(Sha256::digest(format!("{prev}\n{content}").as_bytes()));
                let stored = format!(r#"{{"trouble":"{}","seq":{seq},"at":"{at}","actor":null,"event":{{"type":"delivery_failed","method":"chat.postMessage","error":"channel_not_found"}},"prev":"{prev}","hash":"{hash}"}}"#, now.id);
                let entry: Entry = serde_json::from_str(&stored).expect("the earlier release's entry reads");
                assert!(matches!(&entry.event, Event::DeliveryFailed { who: None, .. }), "{entry:?}");
                assert_eq!(entry.recomputed_hash(), hash, "it hashes as it was written");
                let mut after = now.clone();
                after.timeline_len += 1;
                after.timeline_head = hash;
                trouble_bot::trouble::decide::Decision {
                    subject: Some(now.id.clone()),
                    trouble: Some(after),
                    entries: vec![entry],
                    ..Default::default()
                }
            })
            .await
            .expect("written");
        assert!(written.is_ok(), "the entry was written");
        store.flush().await.expect("flush");
    }
    wait_released(&data_dir);
    bot.restart().await;
    assert_store_verifies(&bot, "the entry as an earlier release wrote it");
    assert_eq!(
        bot.command_text(SALES, &t.channel, "note the chain goes on").await,
        "Added to the timeline."
    );
    let timeline = bot.store().timeline(&id).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| matches!(&e.event, Event::DeliveryFailed { who: None, .. })),
        "{timeline:?}"
    );
    assert_store_verifies(&bot, "the chain goes on from it");
}
