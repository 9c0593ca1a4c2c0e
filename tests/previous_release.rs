//! Data written by the previous release (v0.1, committed as `tests/fixtures/data-v0.1/`) opens
//! unchanged: its timelines verify and its troubles go on.

mod common;

use std::path::Path;

use common::*;
use trouble_bot::trouble::model::TroubleId;

/// Written by the v0.1 binary: an acknowledged trouble with a note and an update, one at stage 7
/// with a split and a cost, and one force-closed.
const FIXTURE: &str = "tests/fixtures/data-v0.1";
const ACKED: &str = "20261130-1";
const WITH_COST: &str = "20261130-2";
const CLOSED: &str = "20261130-3";

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

/// The bot stopped, its data directory replaced by a copy of the v0.1 data, started again.
async fn bot_on_previous_data() -> TestBot {
    let mut bot = spawn_bot().await;
    bot.stop().await;
    let data = bot.dir.path().to_path_buf();
    std::fs::remove_dir_all(&data).expect("clear the data dir");
    copy_dir(Path::new(FIXTURE), &data);
    bot.restart().await;
    bot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_releases_data_verifies_and_keeps_its_troubles() {
    let bot = bot_on_previous_data().await;
    let verified = trouble_bot::admin::verify(bot.store());
    assert_eq!(verified.code, 0, "verify: {}", verified.stdout);
    assert!(
        verified.stdout.contains("3 troubles checked, 0 broken"),
        "{}",
        verified.stdout
    );

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
async fn a_trouble_from_the_previous_release_takes_a_note_and_is_listed() {
    let bot = bot_on_previous_data().await;
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
    let verified = trouble_bot::admin::verify(bot.store());
    assert_eq!(verified.code, 0, "the chain continues: {}", verified.stdout);

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
