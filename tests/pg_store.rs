//! The PostgreSQL store against a real, throwaway cluster: the schema and its migrations,
//! `trouble-bot migrate`, and moving a sled store over with `migrate-store`.

mod common;
mod pg;

use std::process::Command;

use common::*;
use trouble_bot::trouble::model::TroubleId;

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
    trouble_bot::pg::connect(url).unwrap().get().await.expect("connects")
}

#[tokio::test]
async fn migrations_build_the_schema_once_and_a_second_run_applies_nothing() {
    let url = pg::fresh_database();
    let pool = trouble_bot::pg::connect(&url).unwrap();
    assert_eq!(trouble_bot::pg::migrate(&pool).await.unwrap(), vec![1]);
    assert_eq!(trouble_bot::pg::migrate(&pool).await.unwrap(), Vec::<i32>::new());
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
        "seen_keys",
        "timeline",
        "timers",
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
                let pool = trouble_bot::pg::connect(&url).unwrap();
                trouble_bot::pg::migrate(&pool).await.unwrap()
            })
        })
        .collect();
    let mut applied = Vec::new();
    for r in runs {
        applied.extend(r.await.unwrap());
    }
    assert_eq!(applied, vec![1], "the migration ran once in all");
}

#[test]
fn trouble_bot_migrate_applies_the_schema_and_never_prints_the_password() {
    let url = pg::fresh_database();
    let (ok, stdout, stderr) = bot_binary(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(ok, "migrate failed: {stdout}{stderr}");
    assert!(stdout.contains("applied migration(s) 1"), "{stdout}");
    assert!(stdout.contains(":***@127.0.0.1"), "the URL is shown redacted: {stdout}");
    let (ok, stdout, stderr) = bot_binary(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(ok && stdout.contains("already at version 1"), "{stdout}{stderr}");
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
    let counter: i64 = c
        .query_one("SELECT max(last) FROM day_counters", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(counter, 2, "the next trouble of the day gets number 3");

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

    // The check reads the database: an entry edited there is caught.
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
    let checked = trouble_bot::pg::copy::verify(&trouble_bot::pg::connect(&url).unwrap())
        .await
        .unwrap();
    assert_eq!(checked.troubles, 2);
    assert_eq!(checked.broken.len(), 1, "{:?}", checked.broken);
    assert!(checked.broken[0].starts_with(&first.id), "{:?}", checked.broken);
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
}
