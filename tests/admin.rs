//! Admin commands beside the running binary: export and verify answer while it serves, a backup
//! taken while troubles are being opened restores into a fresh directory that verifies and
//! serves them, and restore refuses while the bot runs; pointed at a directory without a store,
//! they refuse and create nothing.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::Value;

/// `trouble-bot serve` as a child process on a given data directory.
struct Served {
    child: Child,
    base_url: String,
}

/// `trouble-bot serve` on `data_dir` with `config`, against the fake Slack at `slack_url`, on a
/// free port it prints to its piped stdout.
fn serve_command(config: &Path, data_dir: &Path, slack_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trouble-bot"));
    command
        .arg("serve")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_BOT_TOKEN", "xoxb-admin-test")
        .env("SLACK_API_URL", slack_url)
        .env("TROUBLE_CONFIG", config)
        .env("TROUBLE_DATA_DIR", data_dir)
        .env("TROUBLE_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped());
    command
}

impl Served {
    fn start(config: &Path, data_dir: &Path, slack_url: &str) -> Served {
        let mut child = serve_command(config, data_dir, slack_url)
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let addr = listening_address(&mut child, Duration::from_secs(20)).expect("the bot listens");
        Served {
            child,
            base_url: format!("http://{addr}"),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Posts a signed `/trouble` command and returns Slack's view of the answer.
async fn command(client: &reqwest::Client, base_url: &str, text: &str) -> Value {
    let form = slash_command_form(SALES, ORIGIN, text, "http://127.0.0.1:9/unused");
    let answer = post_signed_command(client, base_url, form)
        .await
        .expect("the bot answers");
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

/// Runs an admin command on `data_dir`, off the async workers: (succeeded, stdout, stderr).
async fn admin(args: &[&str], config: &Path, data_dir: &Path) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trouble-bot"));
    command
        .args(args)
        .env("TROUBLE_CONFIG", config)
        .env("TROUBLE_DATA_DIR", data_dir)
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN");
    let output = tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Opens troubles two at a time until told to stop (48 at most, so `/trouble list` shows them
/// all), recording the ids answered.
fn open_until_stopped(
    base_url: String,
    stop: Arc<AtomicBool>,
    answered: Arc<Mutex<Vec<String>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = http_client();
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) && n < 48 {
            let (first, second) = (
                format!("open CUST{n}: housing cracked"),
                format!("open CUST{}: housing cracked", n + 1),
            );
            let (a, b) = tokio::join!(
                command(&client, &base_url, &first),
                command(&client, &base_url, &second)
            );
            for answer in [a, b] {
                let id = answer["text"]
                    .as_str()
                    .unwrap()
                    .split_whitespace()
                    .nth(1)
                    .unwrap()
                    .to_string();
                answered.lock().unwrap().push(id);
            }
            n += 2;
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_troubles_are_opened_restores_into_a_fresh_directory_that_verifies_and_serves_them() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trouble.toml");
    std::fs::write(&config, format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).unwrap();
    let data = dir.path().join("data");
    let mut bot = Served::start(&config, &data, &slack.api_url());
    let socket = std::fs::metadata(data.join("trouble-admin.sock")).expect("the admin socket exists");
    assert_eq!(
        socket.permissions().mode() & 0o777,
        0o600,
        "only the bot's user may connect"
    );

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(Mutex::new(Vec::new()));
    let load = open_until_stopped(bot.base_url.clone(), stop.clone(), answered.clone());
    let before: Vec<String> = wait_until(|| {
        let ids = answered.lock().unwrap();
        (ids.len() >= 6).then(|| ids.clone())
    })
    .await;

    // The backup is taken while opens keep arriving.
    let backup = dir.path().join("backup");
    let (ok, stdout, stderr) = admin(&["backup", backup.to_str().unwrap()], &config, &data).await;
    assert!(ok, "{stdout}\n{stderr}");
    let in_backup: usize = stdout
        .strip_prefix("backup of ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {stdout:?}"));
    assert!(
        in_backup >= before.len(),
        "{in_backup} troubles, {} answered before",
        before.len()
    );

    // Export and verify answer while the bot serves (the store is locked by it).
    let (ok, report, stderr) = admin(&["export", &before[0]], &config, &data).await;
    assert!(ok && report.contains("CUST0"), "{report}\n{stderr}");
    let (ok, json, stderr) = admin(&["export", &before[1], "--format", "json"], &config, &data).await;
    assert!(ok, "{stderr}");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["trouble"]["id"], before[1].as_str());
    let (ok, verified, stderr) = admin(&["verify"], &config, &data).await;
    assert!(ok && verified.contains(", 0 broken"), "{verified}\n{stderr}");
    let (ok, csv, stderr) = admin(&["export-list"], &config, &data).await;
    assert!(ok && csv.starts_with('\u{FEFF}'), "{csv}\n{stderr}");
    for id in &before {
        assert!(csv.contains(&format!("\r\n\"{id}\",")), "{id} listed: {csv}");
    }

    // Restore refuses while the bot runs, and leaves its store alone.
    let (ok, _, stderr) = admin(&["restore", backup.to_str().unwrap()], &config, &data).await;
    assert!(
        !ok && stderr.contains("running") && stderr.contains("stop it first"),
        "{stderr}"
    );
    assert!(!data.join("db.before-restore").exists());

    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();
    bot.child.kill().unwrap();
    bot.child.wait().unwrap();
    // A killed bot leaves its socket file behind; the commands open the store themselves.
    assert!(data.join("trouble-admin.sock").exists());
    let (ok, verified, stderr) = admin(&["verify"], &config, &data).await;
    assert!(ok && verified.contains(", 0 broken"), "{verified}\n{stderr}");

    let fresh: PathBuf = dir.path().join("fresh");
    let (ok, restored, stderr) = admin(&["restore", backup.to_str().unwrap()], &config, &fresh).await;
    assert!(ok, "{stderr}");
    assert!(
        restored.starts_with(&format!("restored {in_backup} troubles")),
        "{restored}"
    );
    let (ok, verified, stderr) = admin(&["verify"], &config, &fresh).await;
    assert!(ok, "{verified}\n{stderr}");
    assert!(
        verified.contains(&format!("{in_backup} troubles checked, 0 broken")),
        "{verified}"
    );

    assert_every_transaction_is_whole(&fresh);

    let bot = Served::start(&config, &fresh, &slack.api_url());
    let list = command(&http_client(), &bot.base_url, "list").await;
    let list = list["text"].as_str().unwrap();
    assert!(list.contains(&format!("{in_backup} open troubles")), "{list}");
    for id in &before {
        assert!(list.contains(id.as_str()), "{id} missing from\n{list}");
    }
}

/// A bot that opened one trouble, `ACME: housings cracked`, and was stopped, its store
/// released for the command line: the bot (its data directory lives as long as it does), the
/// trouble and that directory.
async fn stopped_with_one_trouble() -> (TestBot, OpenedTrouble, PathBuf) {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let data = bot.dir.path().to_path_buf();
    bot.stop().await;
    wait_released(&data);
    (bot, t, data)
}

/// A config file in `locale` over the shared org, in `dir`.
fn config_in(dir: &Path, locale: &str) -> PathBuf {
    let path = dir.join(format!("trouble-{locale}.toml"));
    let base = BASE_CONFIG.replacen("locale = \"en\"", &format!("locale = \"{locale}\""), 1);
    std::fs::write(&path, format!("{base}\n{DEFAULT_SEVERITIES}")).unwrap();
    path
}

#[tokio::test]
async fn verify_export_and_backup_refuse_a_data_directory_without_a_store_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let en = config_in(dir.path(), "en");
    let mistyped = dir.path().join("trouble-bto");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let backup = dir.path().join("backup");
    let backup_arg = backup.to_str().unwrap();
    for data in [&mistyped, &empty] {
        for args in [
            vec!["verify"],
            vec!["export", "20261127-1"],
            vec!["export", "20261127-1", "--format", "json"],
            vec!["backup", backup_arg],
        ] {
            let (ok, stdout, stderr) = admin(&args, &en, data).await;
            assert!(!ok, "{args:?} on {}: {stdout}", data.display());
            assert!(stdout.is_empty(), "{args:?} reported on no store: {stdout}");
            assert!(
                stderr.contains(&format!("{} holds no store", data.display())),
                "{args:?}: {stderr}"
            );
            // The bot may be on PostgreSQL, with DATABASE_URL given to serve alone.
            assert!(
                stderr.contains("If the bot runs on PostgreSQL, give this command DATABASE_URL"),
                "{args:?}: {stderr}"
            );
        }
    }
    assert!(!mistyped.exists(), "a store was created in the mistyped directory");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0, "a store was created");
    assert!(!backup.exists(), "a backup of no store was written");

    // In the configured language, like the other messages of the command line.
    let ja = config_in(dir.path(), "ja");
    let (ok, _, stderr) = admin(&["verify"], &ja, &mistyped).await;
    assert!(!ok);
    assert!(
        stderr.contains(&format!("{} にはストアがありません", mistyped.display())),
        "{stderr}"
    );
    assert!(stderr.contains("serve と同じ DATABASE_URL"), "{stderr}");
    assert!(!mistyped.exists());
}

#[tokio::test]
async fn a_backup_whose_writing_did_not_finish_neither_verifies_nor_restores_over_the_store() {
    let (_bot, t, data) = stopped_with_one_trouble().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "en");
    // What a backup killed while writing leaves: its records under another name, no `db` yet.
    let half = dir.path().join("half");
    std::fs::create_dir_all(half.join("db.partial")).unwrap();

    let (ok, stdout, stderr) = admin(&["verify"], &config, &half).await;
    assert!(!ok, "a backup with no store verified: {stdout}");
    assert!(stderr.contains("holds no store"), "{stderr}");
    assert!(!half.join("db").exists(), "verify created a store in the backup");

    let (ok, stdout, stderr) = admin(&["restore", half.to_str().unwrap()], &config, &data).await;
    assert!(!ok, "a backup with no store was restored: {stdout}");
    assert!(stderr.contains("is not a backup"), "{stderr}");
    assert!(!data.join("db.before-restore").exists(), "the store was moved aside");
    let (ok, report, stderr) = admin(&["export", &t.id], &config, &data).await;
    assert!(
        ok && report.contains("ACME"),
        "the store lost its trouble: {report}\n{stderr}"
    );
}

/// Each decision writes a trouble and its timeline entries together: in a consistent copy every
/// trouble has exactly its entries and no entry belongs to a trouble the copy lacks.
fn assert_every_transaction_is_whole(data_dir: &Path) {
    let store = trouble_bot::store::SledStore::open(data_dir).unwrap();
    let troubles = store.all_troubles().unwrap();
    let mut entries = 0;
    for t in &troubles {
        let timeline = store.timeline(&t.id).unwrap();
        assert_eq!(timeline.len() as u64, t.timeline_len, "{}", t.id);
        entries += timeline.len();
    }
    assert_eq!(
        store
            .timeline_tree()
            .iter()
            .values()
            .map(|v| trouble_bot::store::sled::timeline_entries(&v.unwrap()).unwrap().len())
            .sum::<usize>(),
        entries,
        "timeline entries of troubles not in the copy"
    );
    // The bot started on it next must not find this handle's lock still held.
    drop(store);
    wait_released(data_dir);
}

#[tokio::test]
async fn verify_export_backup_and_restore_answer_in_the_configured_language() {
    let (_bot, _, data) = stopped_with_one_trouble().await;
    let dir = tempfile::tempdir().unwrap();
    let ja = config_in(dir.path(), "ja");
    let (ok, verified, _) = admin(&["verify"], &ja, &data).await;
    assert!(
        ok && verified.contains("1件のトラブルを検査し、0件が壊れています"),
        "{verified}"
    );
    let (ok, _, stderr) = admin(&["export", "20991231-9"], &ja, &data).await;
    assert!(!ok && stderr.contains("トラブル 20991231-9 はありません"), "{stderr}");
    let (ok, accepted, _) = admin(&["accept-loss"], &ja, &data).await;
    assert!(
        ok && accepted.contains("番号が振られたトラブルをすべて保持しています"),
        "{accepted}"
    );
    let backup = dir.path().join("backup");
    let backup_arg = backup.to_str().unwrap();
    let (ok, written, stderr) = admin(&["backup", backup_arg], &ja, &data).await;
    assert!(
        ok && written.starts_with("1件のトラブルのバックアップを"),
        "{written}{stderr}"
    );
    let (ok, _, stderr) = admin(&["backup", backup_arg], &ja, &data).await;
    assert!(!ok && stderr.contains("すでにストアがあります"), "{stderr}");
    let (ok, restored, stderr) = admin(&["restore", backup_arg], &ja, &data).await;
    assert!(
        ok && restored.contains("1件のトラブルを復元しました") && restored.contains("以前のストアは"),
        "{restored}{stderr}"
    );
}

/// A backup that does not verify (here a record edited in it) is refused, saying how to restore
/// it all the same; with `--even-if-broken` it is restored whole, the findings said with it, and
/// verify goes on naming the broken trouble while the other reads as before.
#[tokio::test]
async fn a_backup_that_does_not_verify_is_restored_only_when_asked_to_and_says_what_is_broken() {
    let mut bot = spawn_bot().await;
    let edited = bot.open_ready("ACME: housings cracked").await;
    let intact = bot.open_ready("Globex: labels smudged").await;
    let data = bot.dir.path().to_path_buf();
    bot.stop().await;
    wait_released(&data);
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "en");
    let backup = dir.path().join("backup");
    let (ok, _, stderr) = admin(&["backup", backup.to_str().unwrap()], &config, &data).await;
    assert!(ok, "{stderr}");
    {
        let db = sled::open(backup.join("db")).unwrap();
        let troubles = db.open_tree("troubles").unwrap();
        let stored = troubles.get(edited.id.as_bytes()).unwrap().expect("the record");
        let mut record = trouble_bot::store::sled::record_value(&stored).expect("a record");
        record["summary"] = serde_json::json!("nothing happened");
        troubles
            .insert(edited.id.as_bytes(), serde_json::to_vec(&record).unwrap())
            .unwrap();
        db.flush().unwrap();
    }
    let broken_line = format!("BROKEN {}:", edited.id);

    let fresh = dir.path().join("fresh");
    let (ok, stdout, stderr) = admin(&["restore", backup.to_str().unwrap()], &config, &fresh).await;
    assert!(!ok, "a backup that does not verify was restored: {stdout}");
    assert!(
        stderr.contains("does not verify; nothing was restored (to restore it all the same: --even-if-broken)")
            && stderr.contains(&broken_line),
        "{stderr}"
    );
    assert!(!fresh.join("db").exists(), "something was restored");

    let (ok, restored, stderr) = admin(
        &["restore", backup.to_str().unwrap(), "--even-if-broken"],
        &config,
        &fresh,
    )
    .await;
    assert!(ok, "{stderr}");
    assert!(
        restored.starts_with("restored 2 troubles")
            && restored.contains("restored though it does not verify")
            && restored.contains(&broken_line),
        "{restored}"
    );
    let (ok, verified, _) = admin(&["verify"], &config, &fresh).await;
    assert!(
        !ok && verified.contains(&broken_line) && !verified.contains(&intact.id),
        "{verified}"
    );
    let (ok, report, stderr) = admin(&["export", &intact.id], &config, &fresh).await;
    assert!(ok && report.contains("Globex"), "{report}\n{stderr}");
}

/// Every file of the store under `data_dir/db`, by path, with its bytes.
fn store_files(data_dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&data_dir.join("db"), &mut out);
    out.sort();
    out
}

/// `verify`, `export` and `backup` on a stopped bot's store read it and change nothing of it:
/// opening a sled store rewrites it (and would cut a damaged log short, destroying what someone
/// could still recover by hand), so they read a copy. A store another process holds open is
/// refused, never copied mid-write.
#[tokio::test]
async fn verify_export_and_backup_of_a_stopped_store_leave_every_byte_of_it_as_it_was() {
    let (_bot, t, data) = stopped_with_one_trouble().await;
    let (verified, _) = verify_stopped(&data);
    assert!(verified);
    let before = store_files(&data);
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "en");
    let backup = dir.path().join("backup");
    for args in [
        vec!["verify"],
        vec!["export", t.id.as_str()],
        vec!["backup", backup.to_str().unwrap()],
    ] {
        let (ok, stdout, stderr) = admin(&args, &config, &data).await;
        assert!(ok, "{args:?}: {stdout}\n{stderr}");
    }
    assert!(
        store_files(&data) == before,
        "a command that reads the store changed it"
    );
    let (ok, report, _) = admin(&["export", &t.id], &config, &backup).await;
    assert!(ok && report.contains("ACME"), "{report}");

    let held = trouble_bot::store::SledStore::open(&data).expect("the store opens");
    let (ok, stdout, stderr) = admin(&["verify"], &config, &data).await;
    assert!(!ok && stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("cannot open the store"), "{stderr}");
    drop(held);
}

/// `restore` reads the backup as the read commands read a data directory, from a copy: opening
/// the backup itself would rewrite it (and cut a damaged log short), and needs it writable.
#[tokio::test]
async fn restore_leaves_every_byte_of_the_backup_as_it_was() {
    let (_bot, t, data) = stopped_with_one_trouble().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "en");
    let backup = dir.path().join("backup");
    let (ok, _, stderr) = admin(&["backup", backup.to_str().unwrap()], &config, &data).await;
    assert!(ok, "{stderr}");
    let before = store_files(&backup);
    let fresh = dir.path().join("fresh");
    let (ok, stdout, stderr) = admin(&["restore", backup.to_str().unwrap()], &config, &fresh).await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(store_files(&backup) == before, "restore changed the backup");
    let (ok, report, _) = admin(&["export", &t.id], &config, &fresh).await;
    assert!(ok && report.contains("ACME"), "{report}");
}

/// The id a `/trouble open` answer names (`Trouble 20261130-3 opened …`).
fn opened_id(answer: &Value) -> String {
    let text = answer["text"].as_str().unwrap_or_default();
    text.split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no id in {text:?}"))
        .to_string()
}

/// `trouble-bot serve` on `data_dir` expected to refuse to start: its exit status and stderr.
/// A bot that starts instead fails the test (and is killed), rather than serving forever.
async fn serve_refused(config: &Path, data_dir: &Path, slack_url: &str) -> (std::process::ExitStatus, String) {
    let mut child = serve_command(config, data_dir, slack_url)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = collect_stderr(&mut child);
    // None as soon as its stdout closes: it exited without listening.
    let listening = tokio::task::block_in_place(|| listening_address(&mut child, Duration::from_secs(20)));
    if let Some(addr) = listening {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the bot started on {addr}:\n{}", stderr.lock().unwrap());
    }
    let status = eventually("the refusing bot's exit", Duration::from_secs(10), || {
        child.try_wait().expect("the bot's status")
    })
    .await;
    let said = eventually("its stderr read to its end", Duration::from_secs(10), || {
        let said = stderr.lock().unwrap();
        said.ends_with(STDERR_CLOSED).then(|| said.clone())
    })
    .await;
    (status, said)
}

/// The data directory's store files (`DATA_DIR/db`) replaced by those of `snapshot`, the rest
/// of the directory (the high-water mark) left as it is: a store whose log lost its tail, as
/// sled leaves it when it cuts a damaged log at its first bad record.
fn lose_the_tail(data_dir: &Path, snapshot: &Path) {
    std::fs::remove_dir_all(data_dir.join("db")).unwrap();
    copy_dir(snapshot, &data_dir.join("db"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Troubles 3 and 4 were opened and answered, then the store lost them with its log's tail
/// (its files put back as they were after trouble 2): `serve` refuses to start, naming what is
/// missing and the ways out; `verify` names the loss and fails; `accept-loss` accepts it, after
/// which verify passes naming the lost ids, and the bot starts and numbers the next trouble 5,
/// never 3 again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_lost_its_last_troubles_does_not_serve_until_the_loss_is_accepted_and_never_reuses_their_ids() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "en");
    let data = dir.path().join("data");
    let client = http_client();

    let bot = Served::start(&config, &data, &slack.api_url());
    let first = opened_id(&command(&client, &bot.base_url, "open ACME: housings cracked").await);
    let day = first.split('-').next().unwrap().to_string();
    assert_eq!(first, format!("{day}-1"));
    command(&client, &bot.base_url, "open Globex: labels smudged").await;
    drop(bot);
    let snapshot = dir.path().join("snapshot");
    copy_dir(&data.join("db"), &snapshot);

    let bot = Served::start(&config, &data, &slack.api_url());
    for customer in ["Initech", "Umbrella"] {
        command(&client, &bot.base_url, &format!("open {customer}: seals leaking")).await;
    }
    drop(bot);
    let mark = std::fs::read_to_string(data.join("high-water")).unwrap();
    assert_eq!(mark.trim(), format!("{day}-4"), "the mark is the highest id answered");
    lose_the_tail(&data, &snapshot);

    let (status, said) = serve_refused(&config, &data, &slack.api_url()).await;
    assert!(!status.success(), "{said}");
    assert!(
        said.contains("has lost troubles: it holds troubles numbered up to")
            && said.contains(&format!("{day}-2, but {day}-4 was numbered"))
            && said.contains(&format!("so {day}-3 … {day}-4 are gone"))
            && said.contains("trouble-bot restore DIR")
            && said.contains("trouble-bot accept-loss"),
        "{said}"
    );

    let (ok, verified, stderr) = admin(&["verify"], &config, &data).await;
    assert!(!ok, "verify passed a store that lost troubles: {verified}");
    assert!(
        verified.contains(&format!(
            "BROKEN {day}-3 … {day}-4: numbered, but the store no longer holds them"
        )) && verified.contains("4 troubles checked, 2 broken"),
        "{verified}\n{stderr}"
    );

    let (ok, accepted, stderr) = admin(&["accept-loss"], &config, &data).await;
    assert!(ok, "{accepted}\n{stderr}");
    assert!(
        accepted.contains(&format!("accepted the loss of {day}-3 … {day}-4")),
        "{accepted}"
    );
    let (ok, again, _) = admin(&["accept-loss"], &config, &data).await;
    assert!(ok && again.contains("holds every trouble numbered"), "{again}");

    let (ok, verified, stderr) = admin(&["verify"], &config, &data).await;
    assert!(
        ok && verified.contains(&format!("{day}-3: lost with a damaged log"))
            && verified.contains(&format!("{day}-4: lost with a damaged log"))
            && verified.contains(", 0 broken"),
        "{verified}\n{stderr}"
    );

    let bot = Served::start(&config, &data, &slack.api_url());
    let next = opened_id(&command(&client, &bot.base_url, "open Hooli: screens dim").await);
    assert_eq!(next, format!("{day}-5"), "an id already given out was given again");
}

/// The same store restored from a backup taken before its last troubles: the restore says
/// which ids the backup lacks, and the bot starts on it and numbers on after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_backup_older_than_the_last_trouble_says_what_it_lacks_and_numbers_on_after_it() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "en");
    let data = dir.path().join("data");
    let client = http_client();
    let backup = dir.path().join("backup");

    let bot = Served::start(&config, &data, &slack.api_url());
    let first = opened_id(&command(&client, &bot.base_url, "open ACME: housings cracked").await);
    let day = first.split('-').next().unwrap().to_string();
    let (ok, _, stderr) = admin(&["backup", backup.to_str().unwrap()], &config, &data).await;
    assert!(ok, "{stderr}");
    let second = opened_id(&command(&client, &bot.base_url, "open Globex: labels smudged").await);
    drop(bot);

    let (ok, restored, stderr) = admin(&["restore", backup.to_str().unwrap()], &config, &data).await;
    assert!(ok, "{restored}\n{stderr}");
    assert!(
        restored.contains(&format!(
            "{second}, numbered after this backup, are not in the restored store"
        )),
        "{restored}"
    );
    let bot = Served::start(&config, &data, &slack.api_url());
    let next = opened_id(&command(&client, &bot.base_url, "open Hooli: screens dim").await);
    assert_eq!(next, format!("{day}-3"), "an id already given out was given again");
}

/// Stopped and started again with nothing lost, the bot starts as always and numbers on; its
/// mark follows each trouble answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_lost_nothing_restarts_and_its_mark_follows_each_trouble_answered() {
    let mut bot = spawn_bot().await;
    let first = bot.open_ready("ACME: housings cracked").await;
    let file = bot.dir.path().join("high-water");
    let mark = || std::fs::read_to_string(&file).unwrap();
    assert_eq!(mark().trim(), first.id);
    bot.restart().await;
    let second = bot.open_ready("Globex: labels smudged").await;
    assert_eq!(second.id, "20261130-2");
    assert_eq!(mark().trim(), second.id);
    bot.restart().await;
    let third = bot.open_ready("Initech: seals leaking").await;
    assert_eq!(third.id, "20261130-3");
    let verified = assert_store_verifies(&bot, "verify");
    assert!(verified.contains("3 troubles checked, 0 broken"), "{verified}");
}

/// A backup holds every trouble, as the data directory does: only the bot's user reads it,
/// and a store restored into a new data directory is as closed as one the bot made, whatever
/// the admin's umask.
#[cfg(unix)]
#[tokio::test]
async fn a_backup_and_a_store_restored_into_a_new_directory_are_readable_by_the_bot_alone() {
    let (_bot, _, data) = stopped_with_one_trouble().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "en");
    let backup = dir.path().join("backup");
    let (ok, _, stderr) = admin(&["backup", backup.to_str().unwrap()], &config, &data).await;
    assert!(ok, "{stderr}");
    let fresh = dir.path().join("fresh");
    let (ok, _, stderr) = admin(&["restore", backup.to_str().unwrap()], &config, &fresh).await;
    assert!(ok, "{stderr}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&backup),
        0o700,
        "a new backup directory: others may read every trouble"
    );
    assert_eq!(
        mode(&fresh),
        0o700,
        "a new data directory: others may read every trouble"
    );
}
