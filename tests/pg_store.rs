//! The PostgreSQL store against a real, throwaway cluster: the schema and its migrations,
//! `trouble-bot migrate`, moving a sled store over with `migrate-store`, and the command line
//! with a database_url (`verify` and `export` read the database; `backup` and `restore` refuse).

mod common;
mod pg;

use std::process::Command;

use common::*;
use trouble_bot::trouble::digest::DmRefused;
use trouble_bot::trouble::model::{TroubleId, UserId};

/// A fresh database holding the store of `bot` (stopped), copied with `migrate-store`.
fn moved_to_a_fresh_database(bot: &TestBot) -> String {
    let url = pg::fresh_database();
    let from = bot.dir.path().to_string_lossy().into_owned();
    let (ok, stdout, stderr) = bot_binary(&["migrate-store", "--from", &from, "--to", &url], &[]);
    assert!(ok, "migrate-store failed: {stdout}{stderr}");
    url
}

fn bot_binary(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let config = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .args(args)
        .env("TROUBLE_CONFIG", config.path())
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn client(url: &str) -> deadpool_postgres::Object {
    trouble_bot::store::pg::connect(url)
        .unwrap()
        .get()
        .await
        .expect("connects")
}

#[tokio::test]
async fn migrations_build_the_schema_once_and_a_second_run_applies_nothing() {
    let url = pg::fresh_database();
    let pool = trouble_bot::store::pg::connect(&url).unwrap();
    assert_eq!(trouble_bot::store::pg::migrate(&pool).await.unwrap(), vec![1, 2, 3, 4]);
    assert_eq!(trouble_bot::store::pg::migrate(&pool).await.unwrap(), Vec::<i32>::new());
    let c = pool.get().await.unwrap();
    let tables: Vec<String> = c
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for t in [
        "channel_pacing",
        "day_counters",
        "outbox",
        "refused_dms",
        "seen_keys",
        "timeline",
        "timers",
        "trouble_index",
        "trouble_tracking",
        "troubles",
    ] {
        assert!(tables.iter().any(|x| x == t), "table {t} missing from {tables:?}");
    }
    // Request keys and timeline positions are unique in the database itself, whichever
    // instance writes them.
    c.execute("INSERT INTO seen_keys (key, seen_at) VALUES ('event:Ev1', now())", &[])
        .await
        .unwrap();
    let again = c
        .execute("INSERT INTO seen_keys (key, seen_at) VALUES ('event:Ev1', now())", &[])
        .await;
    assert!(again.is_err(), "a request key is accepted twice");
}

#[tokio::test]
async fn instances_starting_together_migrate_the_schema_exactly_once() {
    let url = pg::fresh_database();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let pool = trouble_bot::store::pg::connect(&url).unwrap();
                trouble_bot::store::pg::migrate(&pool).await.unwrap()
            })
        })
        .collect();
    let mut applied = Vec::new();
    for r in runs {
        applied.extend(r.await.unwrap());
    }
    applied.sort();
    assert_eq!(applied, vec![1, 2, 3, 4], "each migration ran once in all");
}

#[test]
fn trouble_bot_migrate_applies_the_schema_and_never_prints_the_password() {
    let url = pg::fresh_database();
    let (ok, stdout, stderr) = bot_binary(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(ok, "migrate failed: {stdout}{stderr}");
    assert!(stdout.contains("applied migration(s) 1, 2, 3, 4"), "{stdout}");
    assert!(stdout.contains(":***@127.0.0.1"), "the URL is shown redacted: {stdout}");
    let (ok, stdout, stderr) = bot_binary(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(ok && stdout.contains("already at version 4"), "{stdout}{stderr}");
    // A wrong password is refused, and still not printed.
    let wrong = url.replace(pg::PASSWORD, "not-the-password-9");
    let (ok, stdout, stderr) = bot_binary(&["migrate"], &[("DATABASE_URL", &wrong)]);
    assert!(!ok, "a wrong password was accepted");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains("not-the-password-9") && !text.contains(pg::PASSWORD),
            "{text}"
        );
    }
    // check-config names the database, without its password.
    let (_, summary, _) = bot_binary(&["check-config"], &[("DATABASE_URL", &url)]);
    assert!(summary.contains("postgres://postgres:***@127.0.0.1"), "{summary}");
    assert!(!summary.contains(pg::PASSWORD), "{summary}");
}

#[test]
fn trouble_bot_migrate_without_a_database_url_says_how_to_give_one() {
    let (ok, _, stderr) = bot_binary(&["migrate"], &[]);
    assert!(!ok);
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[tokio::test]
async fn migrate_store_copies_a_sled_store_with_its_chains_intact_and_a_second_run_copies_nothing() {
    let mut bot = spawn_bot().await;
    let first = bot.open_ready("sev1 ACME: cracked housing").await;
    let second = bot.open_ready("sev2 Globex: late delivery").await;
    let answer = bot
        .command_text(SALES, &first.channel, "note the customer called again")
        .await;
    assert!(!answer.is_empty());
    let id = TroubleId::new(&first.id);
    let sled_timeline = bot.store().timeline(&id).unwrap();
    let sled_bytes: Vec<Vec<u8>> = sled_timeline.iter().map(|e| serde_json::to_vec(e).unwrap()).collect();
    let second_len = bot.store().timeline(&TroubleId::new(&second.id)).unwrap().len();
    let sled_timers = bot.store().timers_len() as i64;
    assert!(sled_timers > 0, "an open trouble has its ack timer");
    // Someone Slack refuses DMs: their digest goes on to the one above them after the move.
    let refused = DmRefused {
        error: "user_not_visible".into(),
        at: "2026-12-07T00:00:00Z".parse().unwrap(),
    };
    bot.store().refuse_dms(&UserId::new("U0GONE"), &refused).unwrap();
    bot.stop().await;
    let dir = bot.dir.path().to_string_lossy().into_owned();

    let url = pg::fresh_database();
    let (ok, stdout, stderr) = bot_binary(&["migrate-store", "--from", &dir, "--to", &url], &[]);
    assert!(ok, "migrate-store failed: {stdout}{stderr}");
    assert!(stdout.contains("copied 2 troubles"), "{stdout}");
    assert!(stdout.contains("2 troubles checked, 0 broken"), "{stdout}");
    assert!(!stdout.contains(pg::PASSWORD) && !stderr.contains(pg::PASSWORD));

    let c = client(&url).await;
    // The entries are the bytes that were hashed, not a re-encoding.
    let pg_bytes: Vec<Vec<u8>> = c
        .query(
            "SELECT entry FROM timeline WHERE trouble = $1 ORDER BY seq",
            &[&first.id.as_str()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(pg_bytes, sled_bytes);
    let channel: Option<String> = c
        .query_one("SELECT channel FROM troubles WHERE id = $1", &[&second.id.as_str()])
        .await
        .unwrap()
        .get(0);
    assert_eq!(channel.as_deref(), Some(second.channel.as_str()));
    let timers: i64 = c.query_one("SELECT count(*) FROM timers", &[]).await.unwrap().get(0);
    assert_eq!(timers, sled_timers);
    // Keyed as the database keys a timer it fires or removes, whatever sled's own key.
    for row in c.query("SELECT key, timer FROM timers", &[]).await.unwrap() {
        let (key, timer): (Vec<u8>, Vec<u8>) = (row.get(0), row.get(1));
        let timer: trouble_bot::trouble::decide::Timer = serde_json::from_slice(&timer).unwrap();
        assert_eq!(key, trouble_bot::store::timer_key(&timer));
    }
    let counter: i64 = c
        .query_one("SELECT max(last) FROM day_counters", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(counter, 2, "the next trouble of the day gets number 3");
    let copied: Vec<(String, DmRefused)> = c
        .query("SELECT user_id, refusal FROM refused_dms", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), serde_json::from_slice(r.get::<_, &[u8]>(1)).unwrap()))
        .collect();
    assert_eq!(copied, [("U0GONE".to_string(), refused)]);

    // Run twice: nothing is added, not even the timer that fired in between.
    c.execute("DELETE FROM timers", &[]).await.unwrap();
    let (ok, stdout, stderr) = bot_binary(&["migrate-store", "--from", &dir, "--to", &url], &[]);
    assert!(ok, "second migrate-store failed: {stdout}{stderr}");
    assert!(
        stdout.contains("copied 0 troubles, 0 timeline entries, 0 outbox items, 0 timers"),
        "{stdout}"
    );
    let timers: i64 = c.query_one("SELECT count(*) FROM timers", &[]).await.unwrap().get(0);
    assert_eq!(timers, 0, "a timer copied once came back");
    let entries: i64 = c.query_one("SELECT count(*) FROM timeline", &[]).await.unwrap().get(0);
    assert_eq!(entries as usize, sled_timeline.len() + second_len);

    // `verify` with database_url checks the database: whole now, an entry edited there is caught.
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(
        ok && stdout.contains("2件のトラブルを検査し、0件が壊れています"),
        "{stdout}"
    );
    // The record is read against its timeline: a customer renamed in the body alone is caught.
    let body: Vec<u8> = c
        .query_one("SELECT body FROM troubles WHERE id = $1", &[&first.id.as_str()])
        .await
        .unwrap()
        .get(0);
    let renamed = String::from_utf8(body.clone())
        .unwrap()
        .replacen("\"ACME\"", "\"ACMF\"", 1);
    assert_ne!(renamed.as_bytes(), body.as_slice());
    let set_body = "UPDATE troubles SET body = $1 WHERE id = $2";
    c.execute(set_body, &[&renamed.as_bytes(), &first.id.as_str()])
        .await
        .unwrap();
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(!ok, "a renamed customer verified: {stdout}");
    assert!(
        stdout.contains(&format!(
            "BROKEN {}: 記録の「お客様・概要・起票日時・非公開かどうか」がタイムラインと一致しません",
            first.id
        )),
        "{stdout}"
    );
    c.execute(set_body, &[&body, &first.id.as_str()]).await.unwrap();
    let tampered = String::from_utf8(pg_bytes[0].clone())
        .unwrap()
        .replacen("ACME", "ACMF", 1)
        .replacen("U0SALES", "U0SALEZ", 1);
    assert_ne!(tampered.as_bytes(), pg_bytes[0].as_slice());
    c.execute(
        "UPDATE timeline SET entry = $1 WHERE trouble = $2 AND seq = 0",
        &[&tampered.as_bytes(), &first.id.as_str()],
    )
    .await
    .unwrap();
    let checked =
        trouble_bot::store::pg::copy::verify(&trouble_bot::store::pg::connect(&url).unwrap(), &|b| b.why.to_string())
            .await
            .unwrap();
    assert_eq!(checked.troubles, 2);
    assert_eq!(checked.broken.len(), 1, "{:?}", checked.broken);
    assert!(checked.broken[0].starts_with(&first.id), "{:?}", checked.broken);
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(!ok, "a tampered database verified");
    assert!(
        stdout.contains(&format!("BROKEN {}: 1番目の記録", first.id)),
        "{stdout}"
    );
    assert!(stdout.contains("2件のトラブルを検査し、1件が壊れています"), "{stdout}");

    // A trouble whose body does not read is named too, and the walk over every trouble (the
    // weekly digest's) passes over it rather than failing for the rest.
    c.execute(
        "UPDATE troubles SET body = $1 WHERE id = $2",
        &[&&b"\x1b[2J not a trouble"[..], &second.id.as_str()],
    )
    .await
    .unwrap();
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(!ok);
    assert!(
        stdout.contains(&format!("BROKEN {}: 1番目の記録", first.id)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("BROKEN {}: the record does not read (", second.id)),
        "{stdout}"
    );
    assert!(stdout.contains("2件のトラブルを検査し、2件が壊れています"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    let store = trouble_bot::store::Store::connect_postgres(&url, "walker", std::time::Duration::from_secs(30))
        .await
        .unwrap();
    let walked = store.troubles_where(|_| true).await.unwrap();
    let walked_ids: Vec<&str> = walked.troubles.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(walked_ids, [first.id.as_str()]);
    assert_eq!(walked.unreadable.len(), 1, "{:?}", walked.unreadable);
    assert_eq!(walked.unreadable[0].id, second.id);
    assert!(store.all_troubles().await.is_err(), "a whole read still refuses");
    // A read of several (history, App Home) passes over it too.
    let ids = [TroubleId::new(&first.id), TroubleId::new(&second.id)];
    let read: Vec<String> = store
        .get_many(&ids)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id.as_str().to_string())
        .collect();
    assert_eq!(read, [first.id.as_str()]);

    // A body stored under another trouble's row (swapped by hand) is never read as that trouble.
    c.execute(set_body, &[&body, &second.id.as_str()]).await.unwrap();
    let swapped = store.get(&TroubleId::new(&second.id)).await;
    assert!(
        swapped.as_ref().is_err_and(|e| e.to_string().contains(&format!(
            "the record stored as trouble {} is trouble {}'s",
            second.id, first.id
        ))),
        "{swapped:?}"
    );

    // A trouble deleted whole leaves no chain to break: the day's numbering still names it.
    for table in [
        "timeline WHERE trouble",
        "trouble_tracking WHERE id",
        "troubles WHERE id",
    ] {
        c.execute(&format!("DELETE FROM {table} = $1"), &[&second.id.as_str()])
            .await
            .unwrap();
    }
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(!ok, "a deleted trouble verified: {stdout}");
    assert!(
        stdout.contains(&format!(
            "BROKEN {}: 起票で番号が振られたトラブルの記録とタイムラインがありません（削除されています）",
            second.id
        )),
        "{stdout}"
    );
}

#[tokio::test]
async fn with_a_database_url_export_reads_the_database_and_backup_and_restore_point_at_pg_dump() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("sev1 ACME: cracked housing").await;
    let answer = bot
        .command_text(SALES, &t.channel, "note the customer called again")
        .await;
    assert!(!answer.is_empty());
    bot.stop().await;
    let url = moved_to_a_fresh_database(&bot);

    // A data directory with no store in it: what is printed comes from the database.
    let elsewhere = tempfile::tempdir().unwrap();
    let data = elsewhere.path().join("data");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("TROUBLE_DATA_DIR", data.to_str().unwrap()),
    ];
    let (ok, report, stderr) = bot_binary(&["export", &t.id], &env);
    assert!(ok, "{report}\n{stderr}");
    assert!(report.contains(&t.id) && report.contains("ACME"), "{report}");
    assert!(report.contains("the customer called again"), "{report}");
    let (ok, json, stderr) = bot_binary(&["export", &t.id, "--format", "json"], &env);
    assert!(ok, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["trouble"]["id"], t.id.as_str());
    let (ok, _, stderr) = bot_binary(&["export", "20000101-9"], &env);
    assert!(!ok && stderr.contains("トラブル 20000101-9 はありません"), "{stderr}");
    assert!(!stderr.contains(pg::PASSWORD), "{stderr}");

    // backup and restore copy the sled store only: they say what to use instead, and do nothing.
    let backup = elsewhere.path().join("backup");
    let (ok, stdout, stderr) = bot_binary(&["backup", backup.to_str().unwrap()], &env);
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!backup.exists(), "a backup of the empty sled store was written");
    std::fs::create_dir_all(backup.join("db")).unwrap();
    let (ok, stdout, stderr) = bot_binary(&["restore", backup.to_str().unwrap()], &env);
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("pg_restore"), "{stderr}");
    assert!(!data.exists(), "a sled store was made beside the database");
    assert!(!stderr.contains(pg::PASSWORD), "{stderr}");

    // An entry edited in the database: the report is still printed, and says where it breaks.
    let c = client(&url).await;
    let note: Vec<u8> = c
        .query_one(
            "SELECT entry FROM timeline WHERE trouble = $1 AND seq = 0",
            &[&t.id.as_str()],
        )
        .await
        .unwrap()
        .get(0);
    let tampered = String::from_utf8(note).unwrap().replacen("ACME", "ACMF", 1);
    c.execute(
        "UPDATE timeline SET entry = $1 WHERE trouble = $2 AND seq = 0",
        &[&tampered.as_bytes(), &t.id.as_str()],
    )
    .await
    .unwrap();
    let (ok, report, stderr) = bot_binary(&["export", &t.id], &env);
    assert!(!ok, "{report}");
    assert!(report.contains("the customer called again"), "{report}");
    // The default locale is Japanese.
    assert!(report.contains("1番目の記録で途切れています"), "{report}");
    assert!(stderr.contains("1番目の記録で途切れています"), "{stderr}");
}

/// On PostgreSQL too, `verify` reads a trouble's reopenings against its timeline: the reason
/// of a reopening changed in the body alone is caught, and the body as written verifies.
#[tokio::test]
async fn with_a_database_url_verify_catches_a_reopening_changed_in_the_body() {
    let url = pg::fresh_database();
    let mut bot = spawn_bot_on(
        &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"),
        trouble_bot::http::server::Limits::default(),
        FakeSlack::start().await,
        &[("DATABASE_URL", url.clone())],
    )
    .await;
    let (_, id) = bot.opened(SALES, "ACME: housings cracked").await;
    // Its channel, once Slack made it (`settle` reads sled's store).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let channel = loop {
        let stored = bot.app().store.get(&TroubleId::new(&id)).await.unwrap();
        if let Some(channel) = stored.and_then(|t| t.channel.clone()) {
            break channel.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no channel for {id}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    bot.command_text(MANAGER, &channel, "ack").await;
    bot.command_text(MANAGER, &channel, "close force a duplicate").await;
    let r = bot.command_text(MANAGER, &channel, "reopen the cracks came back").await;
    assert!(r.starts_with("The trouble is open again"), "{r}");
    bot.stop().await;
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(
        ok && stdout.contains("1件のトラブルを検査し、0件が壊れています"),
        "{stdout}"
    );

    let c = client(&url).await;
    let body: Vec<u8> = c
        .query_one("SELECT body FROM troubles WHERE id = $1", &[&id.as_str()])
        .await
        .unwrap()
        .get(0);
    let edited = String::from_utf8(body.clone())
        .unwrap()
        .replacen("the cracks came back", "the customer asked", 1);
    assert_ne!(edited.as_bytes(), body.as_slice());
    let set_body = "UPDATE troubles SET body = $1 WHERE id = $2";
    c.execute(set_body, &[&edited.as_bytes(), &id.as_str()]).await.unwrap();
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(!ok, "a reopening's reason changed verified: {stdout}");
    assert!(
        stdout.contains(&format!("BROKEN {}: 記録の「再開」がタイムラインと一致しません", id)),
        "{stdout}"
    );
    c.execute(set_body, &[&body, &id.as_str()]).await.unwrap();
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(ok, "{stdout}");
}

/// `export-list` with a database_url: the period's troubles from the database, before any bot
/// built its index (right after `migrate-store`) and after; one whose record does not read is
/// listed all the same and the export exits 3.
#[tokio::test]
async fn with_a_database_url_export_list_reads_the_period_from_the_database_indexed_or_not() {
    let mut bot = spawn_bot().await;
    let first = bot.open_ready("sev1 ACME: cracked housing").await;
    bot.command_text(SALES, &first.channel, "cost ¥50,000 ours courier")
        .await;
    bot.advance_and_settle(std::time::Duration::from_secs(3 * 24 * 3600))
        .await;
    let later = bot.open_ready("=Globex: late delivery").await;
    bot.stop().await;
    let url = moved_to_a_fresh_database(&bot);
    let elsewhere = tempfile::tempdir().unwrap();
    let data = elsewhere.path().join("data");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("TROUBLE_DATA_DIR", data.to_str().unwrap()),
    ];
    let period = ["export-list", "--since", "2026-11-30", "--until", "2026-12-02"];
    let listed = |csv: &str| -> Vec<String> {
        csv.split("\r\n")
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| l.split(',').next().unwrap().trim_matches('"').to_string())
            .collect()
    };
    for when in ["before any bot built the index", "after"] {
        let (ok, csv, stderr) = bot_binary(&period, &env);
        assert!(ok, "{when}: {stderr}");
        // The default locale is Japanese; the default time zone Tokyo.
        assert!(
            csv.starts_with("\u{FEFF}\"ID\",\"発生日時 (Asia/Tokyo)\""),
            "{when}: {csv}"
        );
        assert_eq!(listed(&csv), [first.id.as_str()], "{when}: {csv}");
        assert!(csv.contains(",50000,"), "{when}: our share of the cost: {csv}");
        let (ok, csv, stderr) = bot_binary(&["export-list"], &env);
        assert!(ok, "{when}: {stderr}");
        assert_eq!(listed(&csv), [first.id.clone(), later.id.clone()], "{when}: {csv}");
        assert!(csv.contains("\"'=Globex\""), "{when}: {csv}");
        assert!(!data.exists(), "a sled store was made beside the database");
        trouble_bot::store::Store::connect_postgres(&url, "index", std::time::Duration::from_secs(30))
            .await
            .expect("a bot connects and builds the index");
    }

    client(&url)
        .await
        .execute(
            "UPDATE troubles SET body = $1 WHERE id = $2",
            &[&UNREADABLE_BODY, &later.id.as_str()],
        )
        .await
        .unwrap();
    let config = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .arg("export-list")
        .env("TROUBLE_CONFIG", config.path())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let (csv, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(3), "{csv}\n{stderr}");
    assert_eq!(listed(&csv), [first.id.clone(), later.id.clone()], "{csv}");
    assert!(csv.contains("記録が読めません"), "{csv}");
    assert!(stderr.contains(&format!("{}: 記録が読めない", later.id)), "{stderr}");
    assert!(!stderr.contains(pg::PASSWORD), "{stderr}");
}

/// Without `--to` and `DATABASE_URL`, `migrate-store` copies into the database the config
/// names (`database_url`), as every other command reads it; with none named anywhere it says
/// where to give one.
#[tokio::test]
async fn migrate_store_without_to_copies_into_the_database_url_of_the_config() {
    let mut bot = spawn_bot().await;
    bot.open_ready("ACME: cracked housing").await;
    bot.stop().await;
    let dir = bot.dir.path().to_string_lossy().into_owned();
    let (ok, _, stderr) = bot_binary(&["migrate-store", "--from", &dir], &[]);
    assert!(!ok);
    assert!(
        stderr.contains("give --to, DATABASE_URL or database_url in the config"),
        "{stderr}"
    );
    let url = pg::fresh_database();
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), format!("database_url = \"{url}\"\n")).unwrap();
    let config_path = config.path().to_string_lossy().into_owned();
    let (ok, stdout, stderr) = bot_binary(&["migrate-store", "--from", &dir], &[("TROUBLE_CONFIG", &config_path)]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("copied 1 troubles"), "{stdout}");
    assert!(!stdout.contains(pg::PASSWORD) && !stderr.contains(pg::PASSWORD));
}

#[test]
fn migrate_store_refuses_a_directory_without_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = pg::fresh_database();
    let (ok, _, stderr) = bot_binary(
        &["migrate-store", "--from", &dir.path().to_string_lossy(), "--to", &url],
        &[],
    );
    assert!(!ok);
    assert!(stderr.contains("holds no store"), "{stderr}");
    // One that cannot be read (a symlink loop, which refuses root too) says why, not that it
    // is another user's.
    std::os::unix::fs::symlink(dir.path().join("db"), dir.path().join("db")).unwrap();
    let (ok, _, stderr) = bot_binary(
        &["migrate-store", "--from", &dir.path().to_string_lossy(), "--to", &url],
        &[],
    );
    assert!(!ok);
    assert!(
        stderr.contains("cannot read") && !stderr.contains("bot's user") && !stderr.contains("holds no store"),
        "{stderr}"
    );
}

/// Two sled stores that each numbered the day's first trouble (an overlapping cutover, a trial
/// run), copied into one database: the second copy would keep the database's row and lose its
/// own trouble unseen, giving its timers to the other. It copies nothing, names the id and
/// exits 1; the same store copied again still copies nothing and succeeds.
#[tokio::test]
async fn migrate_store_refuses_a_trouble_the_database_holds_another_of_under_the_same_id() {
    let stopped_with = |summary: &'static str| async move {
        let mut bot = spawn_bot().await;
        let t = bot.open_ready(summary).await;
        bot.stop().await;
        (bot, t)
    };
    let (first, acme) = stopped_with("ACME: cracked housing").await;
    let (second, globex) = stopped_with("Globex: wrong part shipped").await;
    assert_eq!(acme.id, globex.id, "both stores numbered the day's first trouble");
    let url = pg::fresh_database();
    let copy = |bot: &TestBot| {
        let dir = bot.dir.path().to_string_lossy().into_owned();
        bot_binary(&["migrate-store", "--from", &dir, "--to", &url], &[])
    };
    let (ok, stdout, stderr) = copy(&first);
    assert!(ok && stdout.contains("copied 1 troubles"), "{stdout}{stderr}");
    let (ok, stdout, stderr) = copy(&second);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains(&format!(
            "the database holds other troubles under the ids {} of the sled store",
            globex.id
        )) && stderr.contains("nothing was copied"),
        "{stderr}"
    );
    let c = client(&url).await;
    let timers: i64 = c.query_one("SELECT count(*) FROM timers", &[]).await.unwrap().get(0);
    let body: Vec<u8> = c.query_one("SELECT body FROM troubles", &[]).await.unwrap().get(0);
    assert!(String::from_utf8_lossy(&body).contains("ACME"));
    let (ok, stdout, stderr) = copy(&first);
    assert!(ok && stdout.contains("copied 0 troubles"), "{stdout}{stderr}");
    let after: i64 = c.query_one("SELECT count(*) FROM timers", &[]).await.unwrap().get(0);
    assert_eq!(after, timers, "no timer of the refused store was copied");
}

// ---- Several instances on one database: each `PgStore` below has its own pool, as two
// processes would.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use trouble_bot::store::pg::store::PgStore;
use trouble_bot::trouble::command::OpenRequest;
use trouble_bot::trouble::decide::{self, Ctx, Decision, Delivery, Lane, Op};
use trouble_bot::trouble::model::{ChannelId, Origin, Severity};

const LEASE: Duration = Duration::from_secs(30);

async fn two_instances() -> (PgStore, PgStore) {
    let url = pg::fresh_database();
    let a = trouble_bot::store::pg::connect(&url).unwrap();
    trouble_bot::store::pg::migrate(&a).await.unwrap();
    let b = trouble_bot::store::pg::connect(&url).unwrap();
    (PgStore::new(a, "a", LEASE), PgStore::new(b, "b", LEASE))
}

/// Queues one call in `lane` (a loose one: no trouble).
async fn queue_call(store: &PgStore, lane: Lane, now: chrono::DateTime<Utc>) {
    let call = Delivery {
        lane,
        op: Op::CreateChannel,
    };
    store.enqueue_loose(vec![call], now).await.unwrap();
}

/// Opens one trouble through `store`.
async fn open_one(store: &PgStore) -> Decision {
    let opened = store.open_trouble("20261130", &[], Utc::now(), open_decision).await;
    opened.unwrap().expect("a new request")
}

fn open_decision(id: trouble_bot::trouble::model::TroubleId, seq: u32) -> Decision {
    let config = trouble_bot::Config::from_sources(None, &Default::default()).unwrap();
    let ctx = Ctx {
        policy: &config.policy,
        now: Utc::now(),
    };
    let origin = Origin {
        channel: ChannelId::new("C0ORIGIN"),
        response_url: None,
        by: None,
    };
    let request = OpenRequest {
        severity: Some(Severity::new(1)),
        manager: None,
        departments: vec![],
        customer: "ACME".into(),
        summary: "cracked".into(),
        past: vec![],
    };
    decide::open(&ctx, id, seq, UserId::new("U0SALES"), origin, request)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_opening_at_once_hand_out_distinct_numbers_and_a_request_sent_to_both_opens_once() {
    let (a, b) = two_instances().await;
    let mut runs = Vec::new();
    for i in 0..20 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        runs.push(tokio::spawn(async move {
            let key = format!("sig:{i}");
            store
                .open_trouble("20261130", &[&key], Utc::now(), open_decision)
                .await
                .unwrap()
        }));
    }
    // The same request (one signature) reaching both instances.
    for store in [a.clone(), b.clone(), a.clone(), b.clone()] {
        runs.push(tokio::spawn(async move {
            store
                .open_trouble("20261130", &["sig:same"], Utc::now(), open_decision)
                .await
                .unwrap()
        }));
    }
    let mut ids = Vec::new();
    let mut skipped = 0;
    for r in runs {
        match r.await.unwrap() {
            Ok(d) => ids.push(d.trouble.expect("opened").id.to_string()),
            Err(_) => skipped += 1,
        }
    }
    assert_eq!(skipped, 3, "the request sent four times opened once");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 21, "every open got a number of its own: {ids:?}");
    let expected: Vec<String> = (1..=21).map(|n| format!("20261130-{n}")).collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(ids, expected_sorted, "no number skipped or doubled");
    assert_eq!(a.all_troubles().await.unwrap().len(), 21);
}

#[tokio::test]
async fn a_lane_is_held_by_one_instance_and_its_next_call_waits_until_the_one_before_is_done() {
    let (a, b) = two_instances().await;
    let calls = vec![
        Delivery {
            lane: Lane::Channel,
            op: Op::CreateChannel,
        },
        Delivery {
            lane: Lane::Channel,
            op: Op::CreateChannel,
        },
    ];
    let now = Utc::now();
    a.enqueue_loose(calls, now).await.unwrap();
    let first = a.claim_lane_heads(now, 10).await.unwrap();
    assert_eq!(first.len(), 1, "only the lane's head is handed out");
    assert!(!first[0].reclaimed);
    assert!(
        b.claim_lane_heads(now, 10).await.unwrap().is_empty(),
        "another instance takes nothing from a held lane"
    );
    a.finish(first[0].id).await.unwrap();
    let second = b.claim_lane_heads(now, 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert!(second[0].id > first[0].id, "the lane goes on in order");
    assert_eq!(a.outbox_len().await.unwrap(), 1);
}

#[tokio::test]
async fn a_call_held_by_a_dead_instance_is_reclaimed_after_its_lease_with_its_attempt_time() {
    let (a, b) = two_instances().await;
    let now = Utc::now();
    queue_call(&a, Lane::Dm, now).await;
    let held = a.claim_lane_heads(now, 10).await.unwrap();
    assert!(a.mark_attempt(held[0].id, now).await.unwrap());
    // "a" dies here. Before its lease runs out, its call may still be on its way: hands off.
    let during = now + chrono::Duration::from_std(LEASE).unwrap() - chrono::Duration::seconds(1);
    assert!(b.claim_lane_heads(during, 10).await.unwrap().is_empty());
    let after = now + chrono::Duration::from_std(LEASE).unwrap() + chrono::Duration::seconds(1);
    let taken = b.claim_lane_heads(after, 10).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert!(taken[0].reclaimed, "the new holder knows the call may have happened");
    let started = taken[0]
        .item
        .attempt_started_at
        .expect("the attempt time travels with it");
    assert_eq!(started.timestamp_micros(), now.timestamp_micros());
    // The old holder, back from the dead, cannot mark an attempt on what it lost.
    assert!(!a.mark_attempt(held[0].id, after).await.unwrap());
}

/// Calls a `migrate-store` of an earlier release copied, their items still carrying sled's ids:
/// claimed, tried here under their rows' ids, then claimed again (the instance died), each is
/// looked for under its row's id, the one its post carries, whichever way it was first claimed.
#[tokio::test]
async fn a_call_copied_with_sled_s_id_tried_here_and_claimed_again_is_looked_for_under_its_row_s_id() {
    let (a, b) = two_instances().await;
    let now = Utc::now();
    queue_call(&a, Lane::Dm, now).await;
    queue_call(&a, Lane::Channel, now).await;
    // As the earlier release copied them: sled's ids in the items, none tried on sled.
    let changed = a
        .pool()
        .get()
        .await
        .unwrap()
        .execute(
            "UPDATE outbox SET item = convert_to(jsonb_set(convert_from(item, 'UTF8')::jsonb, '{id}',
                 to_jsonb(id + 9000))::text, 'UTF8')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(changed, 2);
    let dm = trouble_bot::store::pg::store::lane_name(None, Lane::Dm);
    let one = a.claim_lane_head(&dm, now).await.unwrap().expect("the DM lane's head");
    let other = a.claim_lane_heads(now, 10).await.unwrap();
    assert_eq!(other.len(), 1, "the channel lane's head");
    let first: Vec<_> = [one].into_iter().chain(other).collect();
    for c in &first {
        assert_eq!((c.item.id, c.item.marker()), (c.id as u64, c.id as u64));
        assert!(a.mark_attempt(c.id, now).await.unwrap());
    }
    // "a" dies after posting, before it hears back.
    let after = now + chrono::Duration::from_std(LEASE).unwrap() + chrono::Duration::seconds(1);
    let again = b.claim_lane_heads(after, 10).await.unwrap();
    assert_eq!(again.len(), 2);
    for c in &again {
        assert!(c.reclaimed && c.item.attempt_started_at.is_some());
        assert_eq!(
            (c.item.id, c.item.marker()),
            (c.id as u64, c.id as u64),
            "looked for under the id its post carries"
        );
    }
}

/// A call copied from sled that was tried there keeps sled's id as its marker (its post is looked
/// for under it): every id PostgreSQL gives out after `migrate-store`, to the copied calls and
/// to new ones, is past every sled id, so no other call's post carries that marker.
#[tokio::test]
async fn ids_given_out_on_postgresql_after_migrate_store_are_past_every_sled_call_s_id() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let sled = trouble_bot::store::SledStore::open(dir.path()).unwrap();
    let dm = Delivery {
        lane: Lane::Dm,
        op: Op::CreateChannel,
    };
    sled.enqueue_loose(vec![dm.clone(), dm.clone(), dm], now).unwrap();
    let sled_ids: Vec<u64> = sled.outbox_items().unwrap().iter().map(|i| i.id).collect();
    drop(sled);
    let url = pg::fresh_database();
    let pool = trouble_bot::store::pg::connect(&url).unwrap();
    trouble_bot::store::pg::migrate(&pool).await.unwrap();
    trouble_bot::store::pg::copy::copy_from_sled(dir.path(), &pool)
        .await
        .unwrap();
    let store = PgStore::new(pool, "a", LEASE);
    queue_call(&store, Lane::Channel, now).await;
    let ids: Vec<u64> = store.outbox_items().await.unwrap().iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    let last_on_sled = sled_ids.iter().max().copied().unwrap();
    assert!(
        ids.iter().all(|id| *id > last_on_sled),
        "PostgreSQL's ids {ids:?} past sled's {sled_ids:?}"
    );
}

/// A database an earlier `migrate-store` filled gave out ids from 1, among sled's: at the next
/// connect, the ids move past those that copied calls tried on sled keep as their markers.
#[tokio::test]
async fn at_connect_new_calls_get_ids_past_the_markers_kept_by_calls_an_earlier_copy_left() {
    let url = pg::fresh_database();
    let pool = trouble_bot::store::pg::connect(&url).unwrap();
    trouble_bot::store::pg::migrate(&pool).await.unwrap();
    let earlier = PgStore::new(pool, "earlier", LEASE);
    let now = Utc::now();
    queue_call(&earlier, Lane::Dm, now).await;
    // As that release copied a call sled had tried: sled's id in the item, its attempt kept.
    let changed = client(&url)
        .await
        .execute(
            "UPDATE outbox SET attempt_started_at = now(),
                 item = convert_to(jsonb_set(convert_from(item, 'UTF8')::jsonb, '{id}', '9000')::text, 'UTF8')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let store = trouble_bot::store::Store::connect_postgres(&url, "b", LEASE)
        .await
        .unwrap();
    let call = Delivery {
        lane: Lane::Channel,
        op: Op::CreateChannel,
    };
    store.enqueue_loose(vec![call], now).await.unwrap();
    let ids: Vec<u64> = store.outbox_items().await.unwrap().iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(
        ids[1] > 9000,
        "the new call's id {} is past the kept marker 9000",
        ids[1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_due_timer_fires_once_though_both_instances_try() {
    let (a, b) = two_instances().await;
    let opened = open_one(&a).await;
    // The earliest of the timers an open sets (the ack timeout comes before the first call's).
    let due = opened.timers.iter().map(|t| t.due).min().expect("an ack timer");
    assert!(a
        .claim_due_timers(due - chrono::Duration::seconds(1), 10)
        .await
        .unwrap()
        .is_empty());
    let claimed = a.claim_due_timers(due, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(b.claim_due_timers(due, 10).await.unwrap().is_empty(), "held by a");
    // Held, it is not what b waits for next: the end of a's lease is (or a later timer's due).
    let lease_end = due + chrono::Duration::from_std(LEASE).unwrap();
    let next_other = opened.timers.iter().map(|t| t.due).filter(|d| *d > due).min();
    let expected = next_other.map_or(lease_end, |d| d.min(lease_end));
    let micros = |at: Option<chrono::DateTime<Utc>>| at.map(|at| at.timestamp_micros());
    assert_eq!(micros(b.next_timer_due(due).await.unwrap()), micros(Some(expected)));
    // A timer that could not fire waits for its retry in the same way.
    let retry = due + chrono::Duration::seconds(5);
    a.retry_timer_at(&claimed[0].0, retry).await.unwrap();
    assert_eq!(
        micros(b.next_timer_due(due).await.unwrap()),
        micros(Some(next_other.map_or(retry, |d| d.min(retry))))
    );
    assert!(
        b.claim_due_timers(due, 10).await.unwrap().is_empty(),
        "not before its retry"
    );
    // An instance starting ends such waits (it may read what stopped the timer), not claims.
    assert_eq!(b.end_retry_waits().await.unwrap(), 1);
    let claimed = a.claim_due_timers(due, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(b.end_retry_waits().await.unwrap(), 0, "a's claim is a's");
    assert!(b.claim_due_timers(due, 10).await.unwrap().is_empty(), "held by a");
    // Even when both go for it (a's lease ran out while it was slow), it acts once.
    let late = retry + chrono::Duration::from_std(LEASE).unwrap() + chrono::Duration::seconds(1);
    let reclaimed = b.claim_due_timers(late, 10).await.unwrap();
    assert_eq!(reclaimed.len(), 1);
    let fired = Arc::new(AtomicUsize::new(0));
    let mut runs = Vec::new();
    for (store, (key, timer)) in [(a.clone(), claimed[0].clone()), (b.clone(), reclaimed[0].clone())] {
        let fired = fired.clone();
        runs.push(tokio::spawn(async move {
            store
                .fire_timer(&key, &timer, late, |_| {
                    fired.fetch_add(1, Ordering::SeqCst);
                    Decision::default()
                })
                .await
                .unwrap()
        }));
    }
    for r in runs {
        r.await.unwrap();
    }
    assert_eq!(fired.load(Ordering::SeqCst), 1);
    // It left the store; the open's other timers (the first call's) wait their turn.
    assert_eq!(a.timers_len().await.unwrap() as usize, opened.timers.len() - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn posts_to_one_channel_from_two_instances_are_paced_as_one() {
    let (a, b) = two_instances().await;
    let channel = ChannelId::new("C0PACED");
    // The database keeps microseconds.
    let now = chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
    let gap = Duration::from_millis(1100);
    let mut runs = Vec::new();
    for i in 0..8 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let channel = channel.clone();
        runs.push(tokio::spawn(async move {
            store.reserve_channel_slot(&channel, now, gap).await.unwrap()
        }));
    }
    let mut slots = Vec::new();
    for r in runs {
        slots.push(r.await.unwrap());
    }
    slots.sort();
    assert_eq!(slots[0], now, "the first post goes at once");
    for pair in slots.windows(2) {
        assert_eq!((pair[1] - pair[0]).num_milliseconds(), 1100, "{slots:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_hears_of_work_another_committed_without_waiting_for_its_poll() {
    let url = pg::fresh_database();
    let (a, _) = {
        let pool = trouble_bot::store::pg::connect(&url).unwrap();
        trouble_bot::store::pg::migrate(&pool).await.unwrap();
        (PgStore::new(pool, "a", LEASE), ())
    };
    let work = Arc::new(tokio::sync::Notify::new());
    // A poll far longer than the test: only the notification can wake it in time.
    let listener = tokio::spawn(trouble_bot::store::pg::listen::wake_on_new_work(
        url.clone(),
        work.clone(),
        Duration::from_secs(3600),
    ));
    let admin = client(&url).await;
    for _ in 0..500 {
        let listening: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN trouble_bot_work%'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if listening > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let woken = work.notified();
    tokio::pin!(woken);
    woken.as_mut().enable();
    queue_call(&a, Lane::Origin, Utc::now()).await;
    tokio::time::timeout(Duration::from_secs(10), woken)
        .await
        .expect("woken by the commit's NOTIFY");
    listener.abort();
}

#[tokio::test]
async fn app_home_viewers_waiting_publishes_and_the_refresh_flag_are_shared_by_the_instances() {
    let (a, b) = two_instances().await;
    let viewer = UserId::new("U0VIEWER");
    let other = UserId::new("U0OTHER");
    a.mark_home_viewer(&viewer).await.unwrap();
    assert!(b.is_home_viewer(&viewer).await.unwrap());
    assert!(!b.is_home_viewer(&other).await.unwrap());
    a.enqueue_loose(
        vec![Delivery {
            lane: Lane::Home,
            op: Op::PublishHome { user: viewer.clone() },
        }],
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(b.home_publish_pending(&viewer).await.unwrap());
    assert!(!b.home_publish_pending(&other).await.unwrap());

    let opened = open_one(&a).await.trouble.unwrap();
    // Written by one instance, read by the other.
    let queued = |queued: bool| {
        move |t: &trouble_bot::trouble::model::Trouble| {
            let mut t = t.clone();
            t.status_refresh_queued = queued;
            Decision {
                trouble: Some(t),
                ..Decision::default()
            }
        }
    };
    a.update(&opened.id, &[], None, Utc::now(), queued(true))
        .await
        .unwrap()
        .unwrap();
    assert!(a.get(&opened.id).await.unwrap().unwrap().status_refresh_queued);
    b.update(&opened.id, &[], None, Utc::now(), queued(false))
        .await
        .unwrap()
        .unwrap();
    assert!(!a.get(&opened.id).await.unwrap().unwrap().status_refresh_queued);
    assert_eq!(b.trouble_count().await.unwrap(), 1);
    assert_eq!(
        b.by_channel(&ChannelId::new("C0NONE")).await.unwrap(),
        None,
        "no channel yet"
    );
}

#[test]
fn serve_with_a_database_it_cannot_reach_does_not_start_and_never_shows_the_password() {
    let (ok, _, stderr) = bot_binary(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://bot:pw-not-shown@127.0.0.1:9/troubles"),
            ("SLACK_SIGNING_SECRET", "s"),
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("TROUBLE_LISTEN", "127.0.0.1:0"),
        ],
    );
    // It never falls back to sled: that would split the troubles between instances.
    assert!(!ok);
    // Which database, and why, as the server or the network said it.
    assert!(
        stderr
            .contains("Cannot start: cannot open the store in the database at postgres://bot:***@127.0.0.1:9/troubles"),
        "{stderr}"
    );
    assert!(stderr.contains("Connection refused"), "{stderr}");
    assert!(!stderr.contains("pw-not-shown"), "{stderr}");
}

#[tokio::test]
async fn a_released_call_waits_until_its_retry_time_and_is_not_taken_for_a_reclaim() {
    let (a, b) = two_instances().await;
    let now = Utc::now();
    queue_call(&a, Lane::Announce, now).await;
    let held = a.claim_lane_heads(now, 10).await.unwrap();
    let retry_at = now + chrono::Duration::seconds(5);
    a.release(held[0].id, retry_at).await.unwrap();
    assert!(b
        .claim_lane_heads(now + chrono::Duration::seconds(4), 10)
        .await
        .unwrap()
        .is_empty());
    let retried = b
        .claim_lane_heads(now + chrono::Duration::seconds(6), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert!(!retried[0].reclaimed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn decisions_on_one_trouble_from_two_instances_queue_on_its_row_and_the_chain_stays_whole() {
    use trouble_bot::trouble::timeline::{verify_chain, Entry, Event};
    let (a, b) = two_instances().await;
    let opened = open_one(&a).await.trouble.unwrap();
    let mut runs = Vec::new();
    for i in 0..20 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let id = opened.id.clone();
        runs.push(tokio::spawn(async move {
            let key = format!("sig:note{i}");
            store
                .update(&id, &[&key], None, Utc::now(), |t| {
                    // Each note chains from the trouble as this decision read it: a lost
                    // update would leave two entries at one position, or a broken chain.
                    let mut t = t.clone();
                    let entry = Entry::new(
                        &t.id,
                        t.timeline_len,
                        &t.timeline_head,
                        Utc::now(),
                        None,
                        Event::Note {
                            text: format!("fact {i}"),
                        },
                    );
                    t.timeline_len += 1;
                    t.timeline_head = entry.hash.clone();
                    Decision {
                        trouble: Some(t),
                        entries: vec![entry],
                        ..Decision::default()
                    }
                })
                .await
                .unwrap()
                .unwrap()
        }));
    }
    for r in runs {
        r.await.unwrap();
    }
    let t = b.get(&opened.id).await.unwrap().unwrap();
    let entries = b.timeline(&opened.id).await.unwrap();
    assert_eq!(t.timeline_len, opened.timeline_len + 20);
    assert_eq!(entries.len() as u64, t.timeline_len);
    verify_chain(&entries, t.timeline_len, &t.timeline_head).expect("the chain is whole");
    let checked = trouble_bot::store::pg::copy::verify(a.pool(), &|b| b.why.to_string())
        .await
        .unwrap();
    assert!(checked.broken.is_empty(), "{:?}", checked.broken);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_timer_record_that_does_not_read_waits_an_hour_and_every_other_timer_is_claimed() {
    let (a, _b) = two_instances().await;
    let bad = open_one(&a).await.trouble.expect("opened").id;
    let good = open_one(&a).await;
    // A kind a newer release wrote, say, after a rollback.
    let client = a.pool().get().await.unwrap();
    let spoiled = client
        .execute(
            "UPDATE timers SET timer = $1 WHERE trouble = $2",
            &[&&br#"{"kind":"a_kind_of_a_newer_release"}"#[..], &bad.as_str()],
        )
        .await
        .unwrap();
    assert!(spoiled > 0);
    let late = Utc::now() + chrono::Duration::days(30);
    let claimed = a.claim_due_timers(late, 100).await.unwrap();
    assert_eq!(claimed.len(), good.timers.len(), "{claimed:?}");
    assert!(claimed.iter().all(|(_, t)| t.trouble != bad), "{claimed:?}");
    let waiting: i64 = client
        .query_one(
            "SELECT count(*) FROM timers WHERE trouble = $1 AND claimed_by IS NULL AND lease_until = $2",
            &[&bad.as_str(), &(late + chrono::Duration::hours(1))],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(waiting, spoiled as i64, "each waits an hour, held by no instance");
    let checked = trouble_bot::store::pg::copy::verify(a.pool(), &|b| b.why.to_string())
        .await
        .unwrap();
    assert_eq!(checked.queued.len(), spoiled as usize, "{:?}", checked.queued);
    assert!(checked.queued[0].starts_with(&format!("timer of {bad}: the record does not read (")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_queued_call_that_does_not_read_is_passed_over_for_an_hour_and_its_lane_goes_on() {
    let (a, b) = two_instances().await;
    let now = Utc::now();
    queue_call(&a, Lane::Dm, now).await;
    queue_call(&a, Lane::Dm, now).await;
    let lane = trouble_bot::store::LaneKey::of(None, Lane::Dm);
    // The head is a call a newer release queued, say, before a rollback.
    let client = a.pool().get().await.unwrap();
    let head: i64 = client
        .query_one("SELECT min(id) FROM outbox WHERE lane = $1", &[&lane.as_str()])
        .await
        .unwrap()
        .get(0);
    client
        .execute(
            "UPDATE outbox SET item = $1 WHERE id = $2",
            &[&&br#"{"op":{"kind":"a_call_of_a_newer_release"}}"#[..], &head],
        )
        .await
        .unwrap();
    let claimed = a
        .claim_lane_head(lane.as_str(), now)
        .await
        .unwrap()
        .expect("the next call");
    assert!(claimed.id > head && !claimed.reclaimed);
    a.finish(claimed.id).await.unwrap();
    // Nothing else waits in the lane: nobody claims, and nobody keeps trying, for the hour.
    assert!(b.claim_lane_head(lane.as_str(), now).await.unwrap().is_none());
    assert!(!b
        .claimable(lane.as_str(), now + chrono::Duration::minutes(59))
        .await
        .unwrap());
    assert!(b
        .claimable(lane.as_str(), now + chrono::Duration::minutes(61))
        .await
        .unwrap());
    let checked = trouble_bot::store::pg::copy::verify(a.pool(), &|b| b.why.to_string())
        .await
        .unwrap();
    assert_eq!(checked.queued.len(), 1, "{:?}", checked.queued);
    assert!(checked.queued[0].starts_with("queued call in lane _/dm: the record does not read ("));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_digest_timer_that_does_not_read_is_replaced_when_the_digest_is_scheduled() {
    use trouble_bot::trouble::digest::{digest_timer, TIMER_NAME};
    let (a, b) = two_instances().await;
    // In whole seconds: a timer's key holds its due time to the millisecond.
    let monday = chrono::DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap() + chrono::Duration::days(3);
    assert!(a.schedule_global(&digest_timer(monday)).await.unwrap());
    // The waiting digest timer as a newer release wrote it, say, before a rollback.
    let client = a.pool().get().await.unwrap();
    let spoiled = client
        .execute(
            "UPDATE timers SET timer = $1 WHERE trouble = $2",
            &[&&br#"{"kind":"a_kind_of_a_newer_release"}"#[..], &TIMER_NAME],
        )
        .await
        .unwrap();
    assert_eq!(spoiled, 1);
    // The next instance to start, a week on, schedules the digest again: in place of the one that
    // does not read, and still due when it was (a digest missed while down comes once).
    let later = digest_timer(monday + chrono::Duration::days(7));
    assert!(b.schedule_global(&later).await.unwrap(), "replaced");
    assert!(!a.schedule_global(&later).await.unwrap(), "then found waiting");
    let next = digest_timer(monday);
    let keys: Vec<Vec<u8>> = client
        .query("SELECT key FROM timers WHERE trouble = $1", &[&TIMER_NAME])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(keys, [trouble_bot::store::timer_key(&next)]);
    let claimed = a
        .claim_due_timers(monday + chrono::Duration::days(1), 16)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "it fires: {claimed:?}");
    assert_eq!(claimed[0].1, next);
    let checked = trouble_bot::store::pg::copy::verify(a.pool(), &|b| b.why.to_string())
        .await
        .unwrap();
    assert!(checked.queued.is_empty(), "{:?}", checked.queued);
}

/// A trouble moved over from sled is stored whole (its channel, message links and timeline
/// count in its body): a decision that changes only its body, someone joining its channel,
/// writes its tracking row with the body, so nothing is lost and verify finds nothing broken.
#[tokio::test]
async fn a_trouble_moved_over_from_sled_keeps_its_channel_through_a_change_of_its_body_alone() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housing").await;
    bot.stop().await;
    let url = moved_to_a_fresh_database(&bot);

    let on_pg = spawn_bot_on(
        &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"),
        trouble_bot::http::server::Limits::default(),
        FakeSlack::start().await,
        &[("DATABASE_URL", url.clone())],
    )
    .await;
    let joined = on_pg
        .event(
            &channel_event("member_joined_channel", &t.channel, Some(COLLEAGUE)),
            None,
        )
        .await;
    assert_eq!(joined.status(), 200);
    let store = trouble_bot::store::Store::connect_postgres(&url, "reader", std::time::Duration::from_secs(30))
        .await
        .unwrap();
    // An event is stored before it is answered: the record reads as it left it.
    let after = store.get(&TroubleId::new(&t.id)).await.unwrap().expect("the trouble");
    assert!(
        after.members_seen.iter().any(|u| u.as_str() == COLLEAGUE),
        "the member's joining recorded: {after:?}"
    );
    assert_eq!(after.channel.as_ref().map(|c| c.as_str()), Some(t.channel.as_str()));
    assert!(after.kickoff.is_some() && after.timeline_len > 0, "{after:?}");
    let (ok, stdout, _) = bot_binary(&["verify"], &[("DATABASE_URL", &url)]);
    assert!(ok && stdout.contains("0件が壊れています"), "{stdout}");
}

/// A database that does not exist, or a role PostgreSQL refuses, is named as the server said
/// it, not only `db error`: the admin learns what to mend (the password never shown).
#[tokio::test]
async fn a_database_the_server_refuses_is_answered_with_what_the_server_said() {
    let url = pg::fresh_database();
    let (base, _) = url.rsplit_once('/').expect("a database url");
    let missing = format!("{base}/nosuchdb");
    let (ok, stdout, stderr) = bot_binary(&["verify"], &[("DATABASE_URL", &missing)]);
    assert!(!ok, "{stdout}");
    let said = format!("{stdout}{stderr}");
    assert!(said.contains("database \"nosuchdb\" does not exist"), "{said}");
    assert!(!said.contains(pg::PASSWORD), "{said}");
}

/// A `/trouble list` row an earlier release wrote, without the start of the trouble's summary,
/// gains it at the next connect (as on sled at its first start), so two troubles of one
/// customer tell apart in the list from the upgrade on; the rest of the row stays as it was.
#[tokio::test]
async fn list_rows_written_without_the_summarys_start_gain_it_at_connect() {
    let url = pg::fresh_database();
    let pool = trouble_bot::store::pg::connect(&url).unwrap();
    trouble_bot::store::pg::migrate(&pool).await.unwrap();
    open_one(&PgStore::new(pool, "a", LEASE)).await;
    let store = trouble_bot::store::Store::connect_postgres(&url, "b", LEASE)
        .await
        .unwrap();
    let written = store.open_summaries().await.unwrap();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].summary, "cracked");
    // As the release before wrote it: no `summary` in the row.
    as_the_release_before_wrote(&url, "summary").await;
    assert_eq!(store.open_summaries().await.unwrap()[0].summary, "");
    let store = trouble_bot::store::Store::connect_postgres(&url, "c", LEASE)
        .await
        .unwrap();
    assert_eq!(store.open_summaries().await.unwrap(), written);
}

/// The one list row in the database at `url` as a release before wrote it: without `field`.
async fn as_the_release_before_wrote(url: &str, field: &str) {
    let changed = client(url)
        .await
        .execute(
            "UPDATE troubles SET summary = convert_to((convert_from(summary, 'UTF8')::jsonb - $1::text)::text, 'UTF8')",
            &[&field],
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
}

/// A `/trouble list` row the release before wrote, without what its customer update's due time
/// counts from, gains it at the next connect, so the list marks an overdue update from the
/// upgrade on (the rows left longest unchanged are the ones it must mark).
#[tokio::test]
async fn list_rows_written_without_their_cadence_gain_it_at_connect() {
    let url = pg::fresh_database();
    let pool = trouble_bot::store::pg::connect(&url).unwrap();
    trouble_bot::store::pg::migrate(&pool).await.unwrap();
    open_one(&PgStore::new(pool, "a", LEASE)).await;
    let store = trouble_bot::store::Store::connect_postgres(&url, "b", LEASE)
        .await
        .unwrap();
    let written = store.open_summaries().await.unwrap();
    assert!(written[0].cadence.is_some());
    as_the_release_before_wrote(&url, "cadence").await;
    assert_eq!(store.open_summaries().await.unwrap()[0].cadence, None);
    let store = trouble_bot::store::Store::connect_postgres(&url, "c", LEASE)
        .await
        .unwrap();
    assert_eq!(store.open_summaries().await.unwrap(), written);
}

// ---- A database that stops answering.

/// A TCP link to the test cluster that can be frozen: bytes are taken and held, as a database
/// hung mid-failover holds them (the connection stays up; nothing answers).
struct FrozenLink {
    port: u16,
    frozen: Arc<std::sync::atomic::AtomicBool>,
}

impl FrozenLink {
    async fn start() -> FrozenLink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let frozen: Arc<std::sync::atomic::AtomicBool> = Default::default();
        let upstream = pg::cluster().port();
        let held = frozen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let held = held.clone();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return;
                    };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::join!(FrozenLink::pipe(cr, sw, held.clone()), FrozenLink::pipe(sr, cw, held));
                });
            }
        });
        FrozenLink { port, frozen }
    }

    async fn pipe(
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        frozen: Arc<std::sync::atomic::AtomicBool>,
    ) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            while frozen.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            if to.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    }

    fn url(&self, url: &str) -> String {
        url.replace(&format!(":{}/", pg::cluster().port()), &format!(":{}/", self.port))
    }
}

/// A database that stops answering (failing over, a hung server) holds the open's write: the
/// rep is still answered within Slack's 3 seconds, told it may not be saved and to tell their
/// manager themself, never left with Slack's `operation_timeout`; once the database answers,
/// the open goes on to its end and the manager hears.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn while_the_database_does_not_answer_a_command_is_still_answered_in_time() {
    let slack = FakeSlack::start().await;
    let link = FrozenLink::start().await;
    let url = link.url(&pg::fresh_database());
    let bot = spawn_bot_on(
        &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"),
        trouble_bot::http::server::Limits::default(),
        slack.clone(),
        &[("DATABASE_URL", url)],
    )
    .await;
    let first = bot.command_text(SALES, ORIGIN, "open ACME: housing cracked").await;
    assert!(first.starts_with("Trouble "), "{first}");
    link.frozen.store(true, Ordering::SeqCst);
    let started = std::time::Instant::now();
    let answer = bot.command_text(SALES, ORIGIN, "open Globex: wrong part shipped").await;
    let took = started.elapsed();
    link.frozen.store(false, Ordering::SeqCst);
    assert!(took < Duration::from_secs(3), "answered after {took:?}: {answer}");
    assert!(
        answer.contains("it may or may not be saved") && answer.contains("tell them yourself"),
        "{answer}"
    );
    slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == MANAGER && c.params.to_string().contains("Globex")
        })
        .await;
}

/// `/trouble stats` tells a VP the troubles still waiting for an acknowledgement now apart from
/// those closed without one, on either store: a sev1 nobody has acknowledged, a trouble its
/// manager acknowledged, and one the VP opened and closed themself (nobody above them to
/// acknowledge it). Two days on, so the day they were opened is read from the per-day sums.
async fn stats_after_one_waiting_one_acknowledged_one_closed_without(bot: &TestBot, asker: &str) -> String {
    // Ids as `opened` reads them: a loaded PostgreSQL may answer an open "may not be saved yet".
    bot.opened(SALES, "sev1 MegaCorp: line 3 stopped").await;
    let (_, acked) = bot.opened(SALES, "sev3 ACME: label misprint").await;
    let r = bot.command_text(MANAGER, "D0MANAGER", &format!("ack {acked}")).await;
    assert!(r.starts_with("Acknowledged"), "{r}");

    let (_, own) = bot.opened(VP, "Globex: housing cracked").await;
    // Its channel, once the bot has created it and posted the kickoff there (the clock moved on
    // through Slack's pacing meanwhile).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let channel = loop {
        let created = bot.slack.channels().into_iter().find(|c| c.name.contains(&own));
        if let Some(c) = created {
            let kickoff = bot
                .slack
                .calls()
                .iter()
                .any(|call| call.method == "chat.postMessage" && call.params["channel"] == c.id.as_str());
            if kickoff {
                break c.id;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "no channel for {own}");
        bot.advance(std::time::Duration::from_millis(500));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let added = bot.command_text(VP, &channel, &format!("add <@{COLLEAGUE}>")).await;
    assert!(added.contains(COLLEAGUE), "{added}");
    bot.command_text(VP, &channel, "cause mold temperature drifted").await;
    bot.command_text(VP, &channel, "action prevent mold temperature alarm")
        .await;
    let opened = OpenedTrouble {
        id: own.clone(),
        channel: channel.clone(),
        kickoff_ts: String::new(),
    };
    split_and_cost_settled_by(bot, VP, &opened).await;
    for n in 1..=7 {
        let r = bot.command_text(VP, &channel, &format!("done {n}")).await;
        assert!(r.contains(&format!("Stage {n}")), "done {n}: {r}");
    }
    let closed = bot.command_text(VP, &channel, "close").await;
    assert!(closed.starts_with("Closed"), "{closed}");

    bot.advance(std::time::Duration::from_secs(2 * 24 * 3600));
    bot.command_text(asker, "D0ASKER", "stats").await
}

#[tokio::test]
async fn stats_tells_the_troubles_still_waiting_for_an_acknowledgement_from_those_closed_without_one_on_both_stores() {
    let line = "To manager acknowledgement: median _ · p90 _ (1 trouble) · not acknowledged: 2 (⚠️ 1 still waiting now, 1 closed without one)\n";
    let on_sled = spawn_bot().await;
    let stats = stats_after_one_waiting_one_acknowledged_one_closed_without(&on_sled, VP).await;
    assert!(with_times_elided(&stats).contains(line), "sled: {stats}");

    let on_pg = spawn_bot_on(
        &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"),
        trouble_bot::http::server::Limits::default(),
        FakeSlack::start().await,
        &[("DATABASE_URL", pg::fresh_database())],
    )
    .await;
    let stats = stats_after_one_waiting_one_acknowledged_one_closed_without(&on_pg, VP).await;
    assert!(with_times_elided(&stats).contains(line), "PostgreSQL: {stats}");
}

/// Private channels: a colleague taking part in the VP's closed trouble alone reads it as closed
/// without an acknowledgement; the sev1 waiting in a channel they may not see is no more counted
/// among those still waiting than among the troubles.
#[tokio::test]
async fn stats_counts_as_still_waiting_only_the_troubles_the_asker_may_see() {
    let config = BASE_CONFIG.replace("locale = \"en\"", "locale = \"en\"\nprivate_channels = true");
    let bot = spawn_bot_raw(&format!("{config}\n{DEFAULT_SEVERITIES}")).await;
    let stats = stats_after_one_waiting_one_acknowledged_one_closed_without(&bot, COLLEAGUE).await;
    assert!(
        stats.contains("*Troubles in the last 90 days: 1* (those you may see)")
            && stats.contains("To manager acknowledgement: none recorded · not acknowledged: 1 (closed without one)\n"),
        "{stats}"
    );
}

/// A sled bot stopped while Slack was down, its calls still queued, moved over with
/// `migrate-store` and served on PostgreSQL once Slack is back: every call it had decided
/// reaches Slack exactly once and the outbox drains (each copied call is addressed by the id
/// its row has, and one that was tried on sled is looked for under the id its marker carries).
#[tokio::test]
async fn calls_queued_on_sled_while_slack_was_down_go_exactly_once_from_postgresql_after_migrate_store() {
    let mut bot = spawn_bot().await;
    bot.slack.outage(std::time::Duration::from_secs(3600));
    let mut opened = Vec::new();
    for customer in ["DOWNA", "DOWNB"] {
        let answer = bot
            .command_text(SALES, ORIGIN, &format!("open {customer}: housings cracked"))
            .await;
        let id = answer.split_whitespace().nth(1).unwrap().to_string();
        opened.push((id, customer.to_string()));
    }
    bot.slack.wait_for("conversations.create", |_| true).await;
    bot.stop().await;
    let url = moved_to_a_fresh_database(&bot);
    let store = trouble_bot::store::Store::connect_postgres(&url, "reader", std::time::Duration::from_secs(30))
        .await
        .unwrap();
    assert!(
        !store.outbox_items().await.unwrap().is_empty(),
        "calls were copied queued"
    );

    bot.slack.end_outage();
    let on_pg = spawn_bot_on(
        &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"),
        trouble_bot::http::server::Limits::default(),
        bot.slack.clone(),
        &[("DATABASE_URL", url.clone())],
    )
    .await;
    drain_outbox_on_postgresql(&store, &on_pg).await;
    assert_set_up_exactly_once(&on_pg.slack, &opened);
    // And nothing else the bot decided (the notices where the troubles were opened, say) twice.
    let mut posted = std::collections::BTreeMap::new();
    for c in on_pg
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.took_effect())
    {
        *posted
            .entry((c.params["channel"].to_string(), text_of(&c.params)))
            .or_insert(0) += 1;
    }
    assert!(posted.values().all(|n| *n == 1), "{posted:#?}");
}

/// Waits for PostgreSQL's outbox to drain (`settle` reads sled's store), the clock moving on
/// through Slack's pacing and the settling of calls tried before a move.
async fn drain_outbox_on_postgresql(store: &trouble_bot::store::Store, on_pg: &TestBot) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !store.outbox_items().await.unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the outbox never drained: {:?}",
            store.outbox_items().await.unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        on_pg.advance(std::time::Duration::from_millis(500));
    }
}

/// A post sled made whose answer was lost (Slack took it; the bot gave up waiting), the bot
/// then stopped and moved over with `migrate-store`: on PostgreSQL the call is looked for under
/// sled's id, the one its post carries, found and recorded, not posted a second time.
#[tokio::test]
async fn a_post_sled_made_without_hearing_back_is_found_on_postgresql_after_migrate_store_not_made_again() {
    let config = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    let mut bot = spawn_bot_timing_out_after(&config, std::time::Duration::from_millis(300)).await;
    // Slack takes each post at once, and answers after the bot gave up.
    bot.slack.set_slow_delay(std::time::Duration::from_secs(1));
    bot.slack
        .set_fault_rate("chat.postMessage", 1.0, &[fake_slack::Fault::Slow]);
    let answer = bot.command_text(SALES, ORIGIN, "open LOSTA: housings cracked").await;
    let id = answer.split_whitespace().nth(1).unwrap().to_string();
    let lost = bot.slack.wait_for("chat.postMessage", |c| c.took_effect()).await;
    bot.stop().await;
    bot.slack.clear_faults();
    let channel = lost.params["channel"].as_str().unwrap().to_string();
    let text = lost.params["text"].as_str().unwrap().to_string();
    // The same message, its text edited later (the channel's link once it is set up).
    let (opening, trouble) = (text.split(" · ").next().unwrap().to_string(), format!("Trouble {id}:"));
    let posted = |slack: &FakeSlack| -> Vec<String> {
        slack
            .messages_in(&channel)
            .iter()
            .filter(|m| {
                m["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(&opening) && t.contains(&trouble))
            })
            .map(|m| m["ts"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let ts = posted(&bot.slack).first().cloned().expect("the post took effect");
    let url = moved_to_a_fresh_database(&bot);
    let store = trouble_bot::store::Store::connect_postgres(&url, "reader", std::time::Duration::from_secs(30))
        .await
        .unwrap();
    let on_pg = spawn_bot_on(
        &config,
        trouble_bot::http::server::Limits::default(),
        bot.slack.clone(),
        &[("DATABASE_URL", url.clone())],
    )
    .await;
    drain_outbox_on_postgresql(&store, &on_pg).await;
    assert_eq!(posted(&on_pg.slack), vec![ts.clone()], "posted once: {text}");
    let t = store.get(&TroubleId::new(&id)).await.unwrap().expect("the trouble");
    assert!(
        serde_json::to_string(&*t).unwrap().contains(&ts),
        "the trouble records the post sled made ({ts}): {t:?}"
    );
}
