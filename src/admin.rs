//! Admin commands (export, verify, backup, restore, accept-loss, redact) beside a running bot, or on the store when it is stopped.
//!
//! sled lets one process open a store, so while `serve` runs it answers the admin commands
//! (but restore and accept-loss, which need it stopped) itself on
//! `DATA_DIR/trouble-admin.sock` (mode 0600, in the bot's own directory: only its user may
//! connect). The command line asks that socket first; when nobody answers (no file, or a file
//! left by a killed bot) it opens the store itself. The protocol is one JSON request line, one
//! JSON `Outcome` line, and for a backup the store's records in frames after it.
//!
//! A backup is a copy of every tree taken while no decision is being written
//! (`Store::with_writes_paused`), so it holds each multi-tree transaction whole or not at all.
//! It is written as a data directory of its own (`DIR/db`): `verify` and `serve` open it as is.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::app::App;
use crate::clock::Clock;
use crate::config::Config;
use crate::i18n::admin as admin_text;
use crate::i18n::{export_json, export_markdown, Locale};
use crate::store::sled::high_water::{self, Numbered};
use crate::store::{pg, SledStore as Store, TreeRecords};
use crate::trouble::decide::Decision;
use crate::trouble::model::{Trouble, TroubleId};
use crate::trouble::redact::Refusal;
use crate::trouble::replay::verify_trouble;
use crate::trouble::timeline::{redacted_seqs, Entry};

/// The admin socket's file name inside the data directory.
pub const SOCKET: &str = "trouble-admin.sock";

/// A request line is small; anything longer is not one of ours.
const MAX_REQUEST: u64 = 64 * 1024;

/// How long the command line waits for the running bot (a backup of a large store takes a while).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Md,
    Json,
    /// The 8D report for the customer.
    #[serde(rename = "8d")]
    EightD,
}

/// What the command line asks the running bot.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "lowercase")]
pub enum Request {
    /// Is a bot serving this data directory?
    Ping,
    Export {
        id: String,
        format: Format,
    },
    Verify,
    Backup,
    /// `export-list`: the troubles opened in `since..=until`, as CSV.
    #[serde(rename = "export-list")]
    ExportList {
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    /// `redact`: the entries numbered as the report numbers them, from 1. A bot of an earlier
    /// release answers it as [`NOT_A_REQUEST`].
    Redact {
        id: String,
        entries: Vec<u64>,
        reason: String,
    },
}

/// How a bot answers a request line it does not read (every release so far): the command line
/// tells an earlier bot that lacks a command from a failure of the command.
const NOT_A_REQUEST: &str = "not an admin request";

/// What a command prints and its exit code, the same whether the bot or the CLI ran it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    fn ok(stdout: String) -> Outcome {
        Outcome {
            stdout,
            ..Outcome::default()
        }
    }

    fn failed(stderr: String) -> Outcome {
        Outcome {
            code: 1,
            stderr: stderr + "\n",
            ..Outcome::default()
        }
    }
}

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET)
}

/// `export`'s exit code when the trouble's hash chain does not check: the report is printed all
/// the same, with a line saying where the chain breaks.
pub const CHAIN_BROKEN: u8 = 3;

/// A trouble's report: Markdown in the configured locale, or the trouble and its timeline as JSON.
pub fn export(config: &Config, store: &Store, id: &str, format: Format) -> Outcome {
    let id = TroubleId::new(id);
    // One state: the trouble and its timeline from the same moment.
    let read = store.with_writes_paused(|s| Ok::<_, crate::store::StoreError>((s.get(&id)?, s.timeline(&id)?)));
    match read {
        Ok((Some(t), timeline)) => report(config, &t, &timeline, format),
        Ok((None, _)) => Outcome::failed(crate::i18n::admin::no_trouble(config.locale, id.as_str())),
        Err(e) => Outcome::failed(e.to_string()),
    }
}

/// `export` with `database_url` set: the trouble and its timeline from PostgreSQL, in one
/// snapshot, checked and printed as from the sled store.
pub fn export_from_database(config: &Config, url: &str, id: &str, format: Format) -> Outcome {
    let id = TroubleId::new(id);
    let read = on_database(url, async |pool| pg::copy::trouble_with_timeline(pool, &id).await);
    match read {
        Ok(Some((t, timeline))) => report(config, &t, &timeline, format),
        Ok(None) => Outcome::failed(crate::i18n::admin::no_trouble(config.locale, id.as_str())),
        // A decode error quotes what it read: stored text never acts on the terminal.
        Err(e) => Outcome::failed(crate::store::printable(&e)),
    }
}

/// What `read` finds in the PostgreSQL at `url`, on a runtime of its own (the CLI runs none);
/// an error names the database with its password hidden.
fn on_database<T>(
    url: &str,
    read: impl AsyncFnOnce(&deadpool_postgres::Pool) -> Result<T, pg::PgError>,
) -> Result<T, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(async { read(&pg::connect(url)?).await })
        .map_err(|e| format!("{}: {e}", pg::redacted(url)))
}

/// `export-list`: the troubles opened in `since..=until`, oldest first, as CSV (see
/// [`crate::i18n::sheet`]). The period is found in the index by opening time; each trouble is
/// then read, written and dropped one at a time, so a year of them is never held whole.
pub fn export_list(config: &Config, store: &Store, since: DateTime<Utc>, until: DateTime<Utc>) -> Outcome {
    let rows = match crate::store::index::sled_stats_rows(store.index_tree(), since, until) {
        Ok(rows) => rows,
        Err(e) => return Outcome::failed(crate::store::printable(&e.to_string())),
    };
    let mut sheet = Sheet::new(config);
    // Writes are not paused, as `export` pauses them for one trouble: reading a year of troubles
    // takes seconds, which a running bot's commands would wait out. Each trouble is read as it
    // stands; one opened meanwhile is in the next list.
    for r in &rows {
        match store.shared(&r.id) {
            Ok(Some(t)) => sheet.add(&t),
            // Indexed but gone or unreadable: listed all the same, from what the index knows.
            Ok(None) => sheet.unreadable(r.id.as_str(), Some(r)),
            Err(e) if e.is_unreadable() => sheet.unreadable(r.id.as_str(), Some(r)),
            Err(e) => return Outcome::failed(crate::store::printable(&e.to_string())),
        }
    }
    sheet.outcome()
}

/// `export-list`'s period: from the start of day `since` to the end of day `until` in `tz`
/// (the first and the last trouble ever without them); None when `until` is before `since`.
pub fn period(
    tz: chrono_tz::Tz,
    since: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    use chrono::TimeZone;
    // A day's start, even where a clock change skips midnight.
    let start = |day: chrono::NaiveDate| {
        let midnight = day.and_time(chrono::NaiveTime::MIN);
        let hour = chrono::Duration::hours(1);
        tz.from_local_datetime(&midnight)
            .earliest()
            .or_else(|| tz.from_local_datetime(&(midnight + hour)).earliest())
            .map_or_else(|| Utc.from_utc_datetime(&midnight), |at| at.with_timezone(&Utc))
    };
    let from = since.map_or(DateTime::<Utc>::UNIX_EPOCH, start);
    let to = match until {
        Some(day) => start(day.succ_opt()?) - chrono::Duration::milliseconds(1),
        // Beyond any trouble, within what PostgreSQL and the index store.
        None => Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).single()?,
    };
    (from <= to).then_some((from, to))
}

/// `export-list` with `database_url` set: the period's troubles from one snapshot of
/// PostgreSQL, fetched a few hundred at a time.
pub fn export_list_from_database(config: &Config, url: &str, since: DateTime<Utc>, until: DateTime<Utc>) -> Outcome {
    let mut sheet = Sheet::new(config);
    let read = on_database(url, async |pool| {
        pg::copy::troubles_opened(pool, since, until, |listed| match listed {
            pg::copy::Listed::Read(t) => sheet.add(&t),
            pg::copy::Listed::Unreadable(id, known) => sheet.unreadable(&id, known.as_ref()),
        })
        .await
    });
    match read {
        Ok(()) => sheet.outcome(),
        // A decode error quotes what it read: stored text never acts on the terminal.
        Err(e) => Outcome::failed(crate::store::printable(&e)),
    }
}

/// The CSV `export-list` writes as it reads, and what it says on stderr.
struct Sheet {
    locale: Locale,
    tz: chrono_tz::Tz,
    csv: String,
    stderr: String,
}

impl Sheet {
    fn new(config: &Config) -> Sheet {
        let (locale, tz) = (config.locale, config.policy.timezone);
        Sheet {
            locale,
            tz,
            csv: crate::i18n::sheet::csv_head(locale, tz),
            stderr: String::new(),
        }
    }

    fn add(&mut self, t: &Trouble) {
        let row = crate::trouble::sheet::SheetRow::from(t);
        self.csv
            .push_str(&crate::i18n::sheet::csv_row(self.locale, self.tz, &row));
    }

    /// A trouble of the period whose record does not read: never left out unseen.
    fn unreadable(&mut self, id: &str, known: Option<&crate::trouble::stats::StatsRow>) {
        let id = crate::store::printable(id);
        let line = crate::i18n::sheet::csv_unreadable_row(self.locale, self.tz, &id, known);
        self.csv.push_str(&line);
        self.stderr.push_str(&admin_text::unreadable_listed(self.locale, &id));
    }

    /// Exit 3, as `export` with a broken chain, when a trouble is listed without its record.
    fn outcome(self) -> Outcome {
        Outcome {
            code: if self.stderr.is_empty() { 0 } else { CHAIN_BROKEN },
            stdout: self.csv,
            stderr: self.stderr,
        }
    }
}

/// What `export` prints of a trouble read with its timeline. Its chain is checked as `verify`
/// checks it: when it breaks, the Markdown report says where (under its title and beside the
/// integrity hash), stderr says so for every format (JSON and the 8D stay as they are: one is
/// read by programs, the other goes to the customer), and the exit code is [`CHAIN_BROKEN`].
fn report(config: &Config, trouble: &Trouble, timeline: &[Entry], format: Format) -> Outcome {
    let stdout = match format {
        // Stored text is Slack's (entities for &, <, >); a file for people reads plainly.
        Format::Md => export_markdown(config.locale, config, trouble, timeline),
        Format::Json => export_json(trouble, timeline) + "\n",
        Format::EightD => crate::i18n::export_eightd(config.locale, config, trouble),
    };
    match verify_trouble(trouble, timeline) {
        Ok(()) => Outcome::ok(stdout),
        Err(b) => Outcome {
            code: CHAIN_BROKEN,
            stdout,
            stderr: format!("{}: {}\n", trouble.id, crate::i18n::chain_broken(config.locale, &b)),
        },
    }
}

/// Recomputes every timeline's hash chain; names the first broken entry of each broken one.
/// The store is held against the high-water mark beside it.
pub fn verify(l: Locale, store: &Store) -> Outcome {
    verify_against(l, store, store.own_mark().as_ref())
}

/// [`verify`], the store held against `mark`: the high-water mark of the data directory whose
/// store this is a copy of (a store behind it lost troubles, which no chain can show).
pub fn verify_against(l: Locale, store: &Store, mark: Option<&Numbered>) -> Outcome {
    // A trouble and its timeline entries are written in one transaction; read them the same way.
    store.with_writes_paused(|store| {
        let walked = match store.troubles_where(|_| true) {
            Ok(walked) => walked,
            Err(e) => return Outcome::failed(e.to_string()),
        };
        let mut out = String::new();
        let mut broken = 0;
        for u in &walked.unreadable {
            broken += 1;
            out.push_str(&admin_text::broken_line(u));
        }
        let troubles = walked.troubles;
        for t in &troubles {
            let result = store.timeline(&t.id).map_err(|e| e.to_string()).and_then(|entries| {
                verify_trouble(t, &entries)
                    .map(|()| redacted_seqs(&entries))
                    .map_err(|b| crate::i18n::chain_broken_short(l, &b))
            });
            match result {
                Err(why) => {
                    broken += 1;
                    // A decode error quotes what it read: stored text never acts on the terminal.
                    let line = crate::store::printable(&format!("{}: {why}", t.id));
                    out.push_str(&admin_text::broken_line(&line));
                }
                // Redacted entries the chain accepted are named, so nobody takes them for intact.
                Ok(seqs) if !seqs.is_empty() => out.push_str(&admin_text::redacted(l, &t.id, &seqs)),
                Ok(_) => {}
            }
        }
        // A trouble deleted whole leaves no chain to break: the day's numbering still names it.
        let missing = match store.numbered_but_missing() {
            Ok(missing) => missing,
            Err(e) => return Outcome::failed(e.to_string()),
        };
        for id in &missing {
            broken += 1;
            out.push_str(&admin_text::broken_line(&admin_text::missing(l, id)));
        }
        // Lost with its log, the numbering too: only the mark outside the store remembers them.
        let lost = match store.behind(mark) {
            Ok(lost) => lost,
            Err(e) => return Outcome::failed(e.to_string()),
        };
        let lost_count = lost.as_ref().map_or(0, |loss| loss.missing.len());
        if let Some(loss) = &lost {
            broken += lost_count;
            out.push_str(&admin_text::broken_line(&admin_text::lost(l, loss)));
        }
        // Lost before and accepted as lost: said, not counted as broken.
        match store.accepted_lost() {
            Ok(accepted) => {
                for (id, when) in &accepted {
                    out.push_str(&admin_text::accepted_lost(l, id, when));
                }
            }
            Err(e) => return Outcome::failed(e.to_string()),
        }
        let checked = troubles.len() + walked.unreadable.len() + missing.len() + lost_count;
        out.push_str(&admin_text::checked(l, checked, broken));
        let queued = match store.unreadable_queued() {
            Ok(queued) => queued,
            Err(e) => return Outcome::failed(e.to_string()),
        };
        out.push_str(&queued_report(l, &queued));
        Outcome {
            code: u8::from(broken > 0 || !queued.is_empty()),
            stdout: out,
            stderr: String::new(),
        }
    })
}

/// `verify`'s lines for the stored timers and queued calls whose records do not read (nothing
/// when every one reads).
pub fn queued_report(l: Locale, queued: &[String]) -> String {
    let mut out = String::new();
    for line in queued {
        out.push_str(&admin_text::broken_line(line));
    }
    if !queued.is_empty() {
        out.push_str(&admin_text::unreadable_queued(l, queued.len()));
    }
    out
}

/// Runs `export` or `verify`: through the running bot if one answers, else on the store.
pub fn run(config: &Config, request: Request) -> Outcome {
    match ask(&config.data_dir, &request) {
        Ok(Some((outcome, _))) => return outcome,
        Ok(None) => {}
        Err(e) => return not_answering(config.locale, &config.data_dir, &e.error),
    }
    let (store, _copy) = match open_existing_copy(config) {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    on_store(config, &store, &Clock::System, request).0
}

/// Runs a request on an open store: what it prints, and the backup frames that follow it.
/// `clock` stamps what it writes: the running bot's own.
fn on_store(config: &Config, store: &Store, clock: &Clock, request: Request) -> (Outcome, Vec<u8>, Option<Decision>) {
    let (outcome, frames) = match request {
        Request::Ping => (Outcome::ok(String::new()), Vec::new()),
        Request::Export { id, format } => (export(config, store, &id, format), Vec::new()),
        Request::ExportList { since, until } => (export_list(config, store, since, until), Vec::new()),
        // A copy of the store lies elsewhere: the mark is the data directory's.
        Request::Verify => (
            verify_against(config.locale, store, high_water::read(&config.data_dir).as_ref()),
            Vec::new(),
        ),
        // Copied into memory with writes paused; sent after, with writes flowing again.
        Request::Backup => match store.with_writes_paused(Store::records) {
            Ok(trees) => (Outcome::ok(String::new()), frames(&trees)),
            Err(e) => (Outcome::failed(e.to_string()), Vec::new()),
        },
        Request::Redact { id, entries, reason } => {
            let (outcome, written) = redact_on_store(config, store, &id, &entries, &reason, clock);
            return (outcome, Vec::new(), written);
        }
    };
    (outcome, frames, None)
}

/// Copies the store into `dir` (which must not hold a store yet) as a data directory of its own.
pub fn backup(config: &Config, dir: &Path) -> Outcome {
    if config.database_url.is_some() {
        return Outcome::failed(crate::i18n::admin::sled_only(config.locale));
    }
    if dir.join("db").exists() {
        return Outcome::failed(admin_text::backup_target_taken(config.locale, dir));
    }
    let trees = match ask(&config.data_dir, &Request::Backup) {
        Ok(Some((outcome, _))) if outcome.code != 0 => return outcome,
        Ok(Some((_, mut frames))) => match read_frames(&mut frames) {
            Ok(trees) => trees,
            Err(e) => return not_answering(config.locale, &config.data_dir, &e),
        },
        Ok(None) => match open_existing_copy(config).map(|(store, _copy)| store.records()) {
            Ok(Ok(trees)) => trees,
            Ok(Err(e)) => return Outcome::failed(e.to_string()),
            Err(outcome) => return outcome,
        },
        Err(e) => return not_answering(config.locale, &config.data_dir, &e.error),
    };
    match write_store(dir, &trees) {
        Ok(()) => Outcome::ok(admin_text::backup_written(config.locale, trouble_count(&trees), dir)),
        Err(e) => Outcome::failed(admin_text::backup_not_written(config.locale, dir, &e)),
    }
}

/// Brings a backup back as the store of `data_dir`, only while no bot serves it. The store it
/// replaces is moved aside (`db.before-restore`), never deleted.
pub fn restore(config: &Config, from: &Path, even_if_broken: bool) -> Outcome {
    if config.database_url.is_some() {
        return Outcome::failed(crate::i18n::admin::sled_only(config.locale));
    }
    let (l, data_dir) = (config.locale, &config.data_dir);
    match ask(data_dir, &Request::Ping) {
        Ok(None) => {}
        Ok(Some(_)) => return Outcome::failed(admin_text::bot_running(l, data_dir, &socket_path(data_dir))),
        Err(e) => return not_answering(l, data_dir, &e.error),
    }
    // `backup` writes `db` last, whole (see `write_store`): a backup whose writing did not
    // finish has none, and is refused before anything opens it.
    if let Err(refused) = refuse_unless_store(l, from, Store::holds_store(from), admin_text::no_store_backup) {
        return refused;
    }
    // What verify found in a backup restored all the same: said with the restore.
    let mut broken = None;
    let trees = {
        // Read from a copy, as the read commands read a data directory: a backup on a read-only
        // snapshot is restored all the same, and one with a damaged log is never cut short.
        let (backup, _copy) = match open_copy(l, from, |e| Outcome::failed(admin_text::backup_unopenable(l, from, e))) {
            Ok(opened) => opened,
            Err(outcome) => return outcome,
        };
        let checked = verify(l, &backup);
        if checked.code != 0 {
            if !even_if_broken {
                return Outcome::failed(admin_text::backup_does_not_verify(l, from, checked.stdout.trim_end()));
            }
            broken = Some(checked.stdout);
        }
        match backup.records() {
            Ok(trees) => trees,
            Err(e) => return Outcome::failed(e.to_string()),
        }
    };
    let current = data_dir.join("db");
    let mut kept = String::new();
    if current.exists() {
        // Opening it proves no other process (a bot without its admin socket) is using it.
        if let Err(outcome) = open(l, data_dir) {
            return outcome;
        }
        let aside = (1..)
            .map(|n| match n {
                1 => data_dir.join("db.before-restore"),
                n => data_dir.join(format!("db.before-restore-{n}")),
            })
            .find(|p| !p.exists())
            .expect("a free name");
        if let Err(e) = std::fs::rename(&current, &aside) {
            return Outcome::failed(admin_text::store_not_moved_aside(l, &e));
        }
        kept = admin_text::kept_aside(l, &aside);
    }
    match write_store(data_dir, &trees) {
        Ok(()) => {
            let restored = admin_text::restored(l, trouble_count(&trees), from, data_dir, &kept);
            let restored = match broken {
                Some(findings) => restored + &admin_text::restored_though_broken(l, findings.trim_end()),
                None => restored,
            };
            // A backup older than the data directory's mark lacks the troubles numbered since:
            // restoring it is the admin's choice to lose them, but not to give their ids again.
            match open(l, data_dir).and_then(|store| accept_the_loss(l, &store)) {
                Ok(Some(loss)) => Outcome::ok(restored + &admin_text::restore_lost(l, &loss)),
                Ok(None) => Outcome::ok(restored),
                Err(outcome) => Outcome::failed(restored + &outcome.stderr),
            }
        }
        Err(e) => Outcome::failed(admin_text::store_not_written(l, data_dir, &e, &kept)),
    }
}

/// `accept-loss`: the store of a stopped bot that lost troubles (behind its high-water mark,
/// which `serve` refuses) is told so for good: the lost ids are recorded as lost and the day's
/// numbering goes on after the mark. Only while no bot serves it; says so when nothing is lost.
pub fn accept_loss(config: &Config) -> Outcome {
    if config.database_url.is_some() {
        return Outcome::failed(admin_text::sled_only_loss(config.locale));
    }
    let (l, data_dir) = (config.locale, &config.data_dir);
    match ask(data_dir, &Request::Ping) {
        Ok(None) => {}
        // It started, so its store was not behind its mark.
        Ok(Some(_)) => return Outcome::ok(admin_text::running_nothing_lost(l, data_dir)),
        Err(e) => return not_answering(l, data_dir, &e.error),
    }
    if let Err(refused) = refuse_unless_store(l, data_dir, Store::holds_store(data_dir), admin_text::no_store) {
        return refused;
    }
    match open(l, data_dir).and_then(|store| accept_the_loss(l, &store)) {
        Ok(Some(loss)) => Outcome::ok(admin_text::loss_accepted(l, &loss)),
        Ok(None) => Outcome::ok(admin_text::nothing_lost(l, data_dir)),
        Err(outcome) => outcome,
    }
}

/// `redact ID N… --reason R`: erases the free texts of trouble `id`'s entries `numbers` (as
/// the report and verify number them, from 1), recorded on its timeline (see
/// [`crate::trouble::redact::redact`]). On sled by the bot serving the store when one answers
/// on its admin socket (under its writer lock, between two of its decisions, stamped by its
/// clock), else on the store itself; on PostgreSQL beside running instances, under the lock
/// their writes take.
pub fn redact(config: &Config, id: &str, numbers: &[u64], reason: &str) -> Outcome {
    let (l, data_dir) = (config.locale, &config.data_dir);
    // Refused here too: a request this long would not fit the admin socket's line.
    let max = crate::trouble::command::TEXT_LIMIT;
    if reason.chars().count() > max {
        return Outcome::failed(admin_text::redact_refused(l, id, &Refusal::ReasonTooLong { max }));
    }
    if let Some(url) = &config.database_url {
        let asked = match Redacting::new(l, id, numbers, reason, &Clock::System) {
            Ok(asked) => asked,
            Err(refused) => return refused,
        };
        let done = on_database(url.expose(), async |pool| {
            pg::store::redact(pool, &asked.id, |t, timeline, queued| asked.decide(t, timeline, queued)).await
        });
        return asked.outcome(done);
    }
    let request = Request::Redact {
        id: id.to_string(),
        entries: numbers.to_vec(),
        reason: reason.to_string(),
    };
    match ask(data_dir, &request) {
        Ok(Some((outcome, _))) if outcome.code == 2 && outcome.stderr.starts_with(NOT_A_REQUEST) => {
            return Outcome::failed(admin_text::redact_bot_too_old(l, data_dir, &socket_path(data_dir)))
        }
        Ok(Some((outcome, _))) => return outcome,
        Ok(None) => {}
        Err(e) => {
            let sent = e.sent;
            let mut outcome = not_answering(l, data_dir, &e.error);
            outcome.stderr.push_str(&match sent {
                true => admin_text::redaction_not_known(l),
                false => admin_text::redaction_not_sent(l),
            });
            return outcome;
        }
    }
    if let Err(refused) = refuse_unless_store(l, data_dir, Store::holds_store(data_dir), admin_text::no_store) {
        return refused;
    }
    match Store::open(data_dir) {
        Ok(store) => redact_on_store(config, &store, id, numbers, reason, &Clock::System).0,
        Err(e) => Outcome::failed(admin_text::redact_store_held(l, data_dir, &e)),
    }
}

/// [`redact`] on an open sled store, by the command line or the bot serving it, stamped by
/// `clock`.
fn redact_on_store(
    config: &Config,
    store: &Store,
    id: &str,
    numbers: &[u64],
    reason: &str,
    clock: &Clock,
) -> (Outcome, Option<Decision>) {
    let asked = match Redacting::new(config.locale, id, numbers, reason, clock) {
        Ok(asked) => asked,
        Err(refused) => return (refused, None),
    };
    let done = store
        .redact(&asked.id, |t, timeline, queued| asked.decide(t, timeline, queued))
        .map_err(|e| crate::store::printable(&e.to_string()));
    let written = match &done {
        Ok(Some(Ok(r))) => Some(r.decision()),
        _ => None,
    };
    (asked.outcome(done), written)
}

/// What `redact` was asked, the entries by their `seq`, whichever store runs it.
struct Redacting<'a> {
    l: Locale,
    id: TroubleId,
    seqs: Vec<u64>,
    reason: &'a str,
    /// Read as it decides, under the store's lock: a decision written just before it cannot
    /// carry a later time than the redaction entry chained after it.
    clock: &'a Clock,
}

impl<'a> Redacting<'a> {
    fn new(l: Locale, id: &str, numbers: &[u64], reason: &'a str, clock: &'a Clock) -> Result<Self, Outcome> {
        let id = TroubleId::new(id);
        // Entry 0 is none: the numbers are the report's, from 1.
        let Some(seqs) = numbers.iter().map(|n| n.checked_sub(1)).collect::<Option<Vec<u64>>>() else {
            let refusal = Refusal::NoSuchEntry(u64::MAX);
            return Err(Outcome::failed(admin_text::redact_refused(l, id.as_str(), &refusal)));
        };
        Ok(Redacting {
            l,
            id,
            seqs,
            reason,
            clock,
        })
    }

    fn decide(
        &self,
        t: &Trouble,
        timeline: &[Entry],
        queued: &[crate::trouble::decide::Op],
    ) -> Result<crate::trouble::redact::Redaction, Refusal> {
        crate::trouble::redact::redact(t, timeline, queued, &self.seqs, self.reason, self.clock.now())
    }

    fn outcome(&self, done: Result<Option<Result<crate::trouble::redact::Redaction, Refusal>>, String>) -> Outcome {
        let (l, id) = (self.l, &self.id);
        match done {
            Ok(None) => Outcome::failed(admin_text::no_trouble(l, id.as_str())),
            Ok(Some(Err(refusal))) => Outcome::failed(admin_text::redact_refused(l, id.as_str(), &refusal)),
            Ok(Some(Ok(r))) => Outcome::ok(admin_text::redacted_now(l, id, &r)),
            Err(e) => Outcome::failed(e),
        }
    }
}

/// Accepts the loss of the store (see [`Store::accept_loss`]).
fn accept_the_loss(l: Locale, store: &Store) -> Result<Option<high_water::Loss>, Outcome> {
    store
        .accept_loss(chrono::Utc::now())
        .map_err(|e| Outcome::failed(admin_text::loss_not_accepted(l, &e)))
}

/// The store a stopped bot left in `config.data_dir`, for a command that only reads it
/// (`verify`, `export`, `backup`): a copy of it is opened, never the store itself. Opening a
/// sled store rewrites it (and cuts its log at the first damaged record: a check must not
/// destroy what someone may recover by hand), and a disk remounted read-only after errors, or
/// a snapshot mounted read-only, is read all the same. The store's lock is held while it is
/// copied, so a bot serving it without its admin socket is refused as before.
fn open_existing_copy(config: &Config) -> Result<(Store, TempCopy), Outcome> {
    let (l, data_dir) = (config.locale, &config.data_dir);
    // None there: an empty store made on the spot would verify, export and back up as if it
    // were the bot's.
    refuse_unless_store(l, data_dir, Store::holds_store(data_dir), admin_text::no_store)?;
    open_copy(l, data_dir, |e| {
        Outcome::failed(admin_text::store_unopenable(l, data_dir, e, &socket_path(data_dir)))
    })
}

/// A copy of the store in `dir` (a data directory, or a backup), opened; `unopenable` says why
/// it cannot be.
fn open_copy(
    l: Locale,
    dir: &Path,
    unopenable: impl Fn(&dyn std::fmt::Display) -> Outcome,
) -> Result<(Store, TempCopy), Outcome> {
    let db = dir.join("db");
    // The lock sled takes on its data file: held, the store is another process's.
    let data_file = std::fs::File::open(db.join("db")).map_err(|e| unopenable(&e))?;
    data_file.try_lock().map_err(|e| unopenable(&e))?;
    let copy = TempCopy::new().map_err(|e| unopenable(&e))?;
    // Only a copy that cannot be written is helped by another TMPDIR: one of `dir`'s files
    // that cannot be read is said as such.
    copy_dir(&db, &copy.0.join("db")).map_err(|failed| match failed {
        CopyFailed::Writing(e) => Outcome::failed(admin_text::store_not_copied(l, dir, &copy.0, &e)),
        CopyFailed::Reading(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            Outcome::failed(admin_text::no_permission(l, dir))
        }
        CopyFailed::Reading(e) => Outcome::failed(admin_text::store_unreadable(l, dir, &e)),
    })?;
    drop(data_file);
    let store = Store::open(&copy.0).map_err(|e| unopenable(&e))?;
    Ok((store, copy))
}

/// A directory of its own under the system's temporary directory (`TMPDIR`), removed when
/// dropped.
struct TempCopy(PathBuf);

impl TempCopy {
    fn new() -> io::Result<TempCopy> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("trouble-bot-read-{}-{nanos}", std::process::id()));
        // Not recursive: a directory someone else made under that name in a shared TMPDIR is
        // refused, not written into. Closed, as the data directory is, for it holds a copy of it.
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        Ok(TempCopy(dir))
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Why [`copy_dir`] stopped: reading what it copies, or writing the copy.
enum CopyFailed {
    Reading(io::Error),
    Writing(io::Error),
}

/// Copies directory `from` into `to` (created), files and folders alike.
fn copy_dir(from: &Path, to: &Path) -> Result<(), CopyFailed> {
    use std::io::{Read, Write};
    std::fs::create_dir_all(to).map_err(CopyFailed::Writing)?;
    for entry in std::fs::read_dir(from).map_err(CopyFailed::Reading)? {
        let entry = entry.map_err(CopyFailed::Reading)?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(CopyFailed::Reading)?.is_dir() {
            copy_dir(&entry.path(), &target)?;
            continue;
        }
        // Read and written apart (not `fs::copy`), so a failure says on which side it was.
        let mut source = std::fs::File::open(entry.path()).map_err(CopyFailed::Reading)?;
        let mut copy = std::fs::File::create(target).map_err(CopyFailed::Writing)?;
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = source.read(&mut buf).map_err(CopyFailed::Reading)?;
            if n == 0 {
                break;
            }
            copy.write_all(&buf[..n]).map_err(CopyFailed::Writing)?;
        }
    }
    Ok(())
}

fn open(l: Locale, data_dir: &Path) -> Result<Store, Outcome> {
    Store::open(data_dir)
        .map_err(|e| Outcome::failed(admin_text::store_unopenable(l, data_dir, &e, &socket_path(data_dir))))
}

/// The bot serving `data_dir` gave no answer. A socket the caller may not open (another user's
/// data directory) says nothing of the bot, running or not: that is said instead.
fn not_answering(l: Locale, data_dir: &Path, e: &io::Error) -> Outcome {
    let socket = socket_path(data_dir);
    match e.kind() {
        io::ErrorKind::PermissionDenied => Outcome::failed(admin_text::no_permission(l, &socket)),
        _ => Outcome::failed(admin_text::bot_not_answering(l, &socket, e)),
    }
}

/// Refuses unless `dir` holds a store (`found`, from [`Store::holds_store`]): `none` says what
/// none there means; a directory the caller may not read, or that cannot be read, is said as
/// such, not as empty.
fn refuse_unless_store(
    l: Locale,
    dir: &Path,
    found: io::Result<bool>,
    none: fn(Locale, &Path) -> String,
) -> Result<(), Outcome> {
    match found {
        Ok(true) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            Err(Outcome::failed(admin_text::no_permission(l, dir)))
        }
        Err(e) => Err(Outcome::failed(admin_text::store_unreadable(l, dir, &e))),
        Ok(false) => Err(Outcome::failed(none(l, dir))),
    }
}

/// Refuses a `migrate-store --from` directory without a store as the other commands refuse
/// theirs ([`refuse_unless_store`]).
pub fn refuse_unless_store_to_migrate(l: Locale, from: &Path) -> Result<(), Outcome> {
    refuse_unless_store(l, from, Store::holds_store(from), admin_text::no_store_to_migrate)
}

fn trouble_count(trees: &[TreeRecords]) -> usize {
    trees
        .iter()
        .find(|(name, _)| name == b"troubles")
        .map_or(0, |(_, records)| records.len())
}

/// Writes the records as a new sled store in `dir/db`, under another name until it is complete,
/// so a half-written copy is never mistaken for a store.
fn write_store(dir: &Path, trees: &[TreeRecords]) -> Result<(), Box<dyn std::error::Error>> {
    let target = dir.join("db");
    if target.exists() {
        return Err(format!("{} exists", target.display()).into());
    }
    let partial = dir.join("db.partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    // Every trouble is in it: closed to others as the data directory is, the store itself too
    // when `dir` is one the admin made.
    crate::store::sled::create_private_dir(dir)?;
    crate::store::sled::create_private_dir(&partial)?;
    {
        let db = sled::Config::new().path(&partial).open()?;
        for (name, records) in trees {
            let tree = db.open_tree(name)?;
            let mut batch = sled::Batch::default();
            for (k, v) in records {
                batch.insert(k.clone(), v.clone());
            }
            tree.apply_batch(batch)?;
        }
        db.flush()?;
    }
    // `restore` opens the store it wrote at once, to accept a loss it may bring.
    crate::store::sled::wait_released(&partial);
    std::fs::rename(&partial, &target)?;
    Ok(())
}

/// Why the bot serving a data directory gave no answer: `sent` tells whether the request may
/// have reached it (a redaction may then have been made), or the connection itself failed.
struct Unanswered {
    sent: bool,
    error: io::Error,
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// Asks the bot serving `data_dir`; `None` when no bot listens there (no socket, or a stale one).
fn ask(data_dir: &Path, request: &Request) -> Result<Option<(Outcome, BufReader<UnixStream>)>, Unanswered> {
    let mut stream = match UnixStream::connect(socket_path(data_dir)) {
        Ok(stream) => stream,
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused) => return Ok(None),
        Err(error) => return Err(Unanswered { sent: false, error }),
    };
    stream
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .map_err(|error| Unanswered { sent: false, error })?;
    let sent = |error| Unanswered { sent: true, error };
    let mut line = serde_json::to_string(request).expect("serializable");
    line.push('\n');
    // From the first byte written on, the bot may act on it.
    stream.write_all(line.as_bytes()).map_err(sent)?;
    let mut reader = BufReader::new(stream);
    let mut answer = String::new();
    reader.read_line(&mut answer).map_err(sent)?;
    let outcome = serde_json::from_str(&answer).map_err(|e| sent(io::Error::new(io::ErrorKind::InvalidData, e)))?;
    Ok(Some((outcome, reader)))
}

/// The admin socket of a running bot; `close` removes it.
pub struct AdminSocket {
    path: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl AdminSocket {
    pub fn close(self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Starts answering admin commands on `DATA_DIR/trouble-admin.sock`. The bot holds the store's lock,
/// so a socket file already there was left by a bot that died: it is replaced. Without the
/// socket the bot still serves; only the admin commands wait for it to stop.
pub fn listen(app: Arc<App>) -> Option<AdminSocket> {
    // PostgreSQL is not locked by one process: backups and reads go to the database itself.
    app.store.sled()?;
    let path = socket_path(&app.config.data_dir);
    match bind(&path) {
        Ok(listener) => {
            let task = tokio::spawn(accept(app, listener));
            Some(AdminSocket { path, task })
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "no admin socket: export, verify, backup and redact need the bot stopped");
            None
        }
    }
}

/// Binds under a temporary name and makes it owner-only before it takes the real name, so
/// nobody else can connect in between.
fn bind(path: &Path) -> io::Result<tokio::net::UnixListener> {
    let fresh = path.with_extension("sock.new");
    for p in [path, fresh.as_path()] {
        match std::fs::remove_file(p) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    let listener = tokio::net::UnixListener::bind(&fresh)?;
    std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o600))?;
    std::fs::rename(&fresh, path)?;
    Ok(listener)
}

async fn accept(app: Arc<App>, listener: tokio::net::UnixListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let app = app.clone();
                tokio::spawn(async move {
                    if let Err(e) = answer(app, stream).await {
                        tracing::warn!(error = %e, "admin request failed");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "admin socket accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn answer(app: Arc<App>, stream: tokio::net::UnixStream) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    tokio::io::BufReader::new(read.take(MAX_REQUEST))
        .read_line(&mut line)
        .await?;
    let request: Request = match serde_json::from_str(&line) {
        Ok(r) => r,
        Err(e) => {
            let outcome = Outcome {
                code: 2,
                stderr: format!("{NOT_A_REQUEST}: {e}\n"),
                ..Outcome::default()
            };
            return write_outcome(&mut write, &outcome).await;
        }
    };
    match &request {
        // The reason is the administrator's to record on the timeline, once accepted; the log
        // is not where a refused one (quoting what it erases, say) should stay.
        Request::Redact { id, entries, .. } => tracing::info!(trouble = %id, ?entries, "admin request: redact"),
        _ => tracing::info!(?request, "admin request"),
    }
    // Reading the store blocks (and a backup pauses writes): keep it off the async workers.
    let Some(store) = app.store.sled().cloned() else {
        return Ok(());
    };
    let (config, clock) = (app.config.clone(), app.clock.clone());
    let (outcome, frames, written) = tokio::task::spawn_blocking(move || on_store(&config, &store, &clock, request))
        .await
        .map_err(io::Error::other)?;
    // A redaction is written as any decision is, and followed up as one: its edits of the lines
    // that carried the texts sent now, not at their lanes' next calls; App Home and metrics.
    if let Some(decision) = written {
        app.after_write(&decision).await;
    }
    write_outcome(&mut write, &outcome).await?;
    write.write_all(&frames).await?;
    write.shutdown().await
}

async fn write_outcome(write: &mut (impl AsyncWriteExt + Unpin), outcome: &Outcome) -> io::Result<()> {
    let mut line = serde_json::to_vec(outcome).expect("serializable");
    line.push(b'\n');
    write.write_all(&line).await
}

/// Records on the wire: `T name` starts a tree, `R key value` is a record, `E` ends; every
/// byte string is a big-endian u32 length and the bytes.
fn frames(trees: &[TreeRecords]) -> Vec<u8> {
    fn put(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    let mut out = Vec::new();
    for (name, records) in trees {
        out.push(b'T');
        put(&mut out, name);
        for (k, v) in records {
            out.push(b'R');
            put(&mut out, k);
            put(&mut out, v);
        }
    }
    out.push(b'E');
    out
}

fn read_frames(input: &mut impl Read) -> io::Result<Vec<TreeRecords>> {
    fn get(input: &mut impl Read) -> io::Result<Vec<u8>> {
        let mut len = [0; 4];
        input.read_exact(&mut len)?;
        let mut bytes = vec![0; u32::from_be_bytes(len) as usize];
        input.read_exact(&mut bytes)?;
        Ok(bytes)
    }
    let mut trees: Vec<TreeRecords> = Vec::new();
    loop {
        let mut tag = [0; 1];
        input.read_exact(&mut tag)?;
        match (tag[0], trees.last_mut()) {
            (b'T', _) => trees.push((get(input)?, Vec::new())),
            (b'R', Some((_, records))) => {
                let key = get(input)?;
                records.push((key.into(), get(input)?.into()));
            }
            (b'E', _) => return Ok(trees),
            _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "not a backup stream")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another user's data directory or socket (mode 0700, the unit's) refuses the caller with
    /// EACCES: said as such, in both languages, not as a silent bot or an empty directory. The
    /// tests run as root, whom no mode refuses, so the mapping of the error is what is tested.
    #[test]
    fn permission_denied_says_to_run_as_the_bots_user_not_that_the_bot_is_silent_or_the_dir_empty() {
        let dir = Path::new("/var/lib/trouble-bot");
        let denied = || io::Error::from(io::ErrorKind::PermissionDenied);
        for (l, says) in [
            (Locale::En, "run this as the bot's user"),
            (Locale::Ja, "ボットのユーザーで実行"),
        ] {
            let answer = not_answering(l, dir, &denied()).stderr;
            assert!(
                answer.contains(says) && answer.contains("trouble-admin.sock"),
                "{answer}"
            );
            let Err(refused) = refuse_unless_store(l, dir, Err(denied()), admin_text::no_store) else {
                panic!("taken as a store");
            };
            assert!(refused.stderr.contains(says), "{}", refused.stderr);
            assert!(refused.code != 0);
        }
        let silent = not_answering(Locale::En, dir, &io::Error::from(io::ErrorKind::TimedOut)).stderr;
        assert!(silent.contains("did not answer"), "{silent}");
        let Err(empty) = refuse_unless_store(Locale::En, dir, Ok(false), admin_text::no_store) else {
            panic!("no store taken as one");
        };
        assert!(empty.stderr.contains("holds no store"), "{}", empty.stderr);
    }

    /// A data directory whose store cannot be looked for (here a symlink loop, which refuses
    /// root too; an I/O error alike) is said as unreadable, with why, not as holding no store.
    #[cfg(unix)]
    #[test]
    fn a_directory_that_cannot_be_read_is_not_said_to_hold_no_store() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path().join("db"), dir.path().join("db")).unwrap();
        for (l, says) in [(Locale::En, "cannot read"), (Locale::Ja, "を読めません")] {
            let Err(refused) = refuse_unless_store(l, dir.path(), Store::holds_store(dir.path()), admin_text::no_store)
            else {
                panic!("taken as a store");
            };
            assert!(refused.stderr.contains(says), "{}", refused.stderr);
            assert!(
                !refused.stderr.contains("holds no store") && !refused.stderr.contains("ストアがありません"),
                "{}",
                refused.stderr
            );
        }
    }

    /// A store (or a backup) one of whose files cannot be read (here a dangling link, which
    /// refuses root too) is said as unreadable, not as a TMPDIR without room for the copy.
    #[cfg(unix)]
    #[test]
    fn a_store_file_that_cannot_be_read_is_not_blamed_on_tmpdir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("db")).unwrap();
        std::fs::write(dir.path().join("db").join("db"), b"").unwrap();
        std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("db").join("conf")).unwrap();
        let Err(refused) = open_copy(Locale::En, dir.path(), |e| Outcome::failed(e.to_string())) else {
            panic!("copied");
        };
        assert!(
            refused.stderr.contains("cannot read") && !refused.stderr.contains("TMPDIR"),
            "{}",
            refused.stderr
        );
    }

    /// The copy of a stopped bot's store sits in the shared TMPDIR while it is read: others
    /// must not read the troubles in it.
    #[cfg(unix)]
    #[test]
    fn the_copy_of_the_store_read_in_tmpdir_is_closed_to_others() {
        use std::os::unix::fs::PermissionsExt;
        let copy = TempCopy::new().unwrap();
        let mode = std::fs::metadata(&copy.0).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{mode:o}");
    }

    /// The redaction entry is stamped when it is decided, which the store does under its lock,
    /// not when the command was read: a decision written while it waited for the lock cannot
    /// carry a later time than the entry chained after it.
    #[test]
    fn a_redaction_is_stamped_as_it_is_decided_not_as_it_was_asked() {
        use crate::trouble::command::Command;
        use crate::trouble::timeline::Event;
        let (t, timeline) = crate::trouble::redact::trouble_after(vec![("U0SALES", Command::Note("lot 42".into()))]);
        let note = timeline
            .iter()
            .rfind(|e| matches!(e.event, Event::Note { .. }))
            .unwrap()
            .seq;
        let asked_at = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let clock = Clock::manual(asked_at);
        let asked =
            Redacting::new(Locale::En, t.id.as_str(), &[note + 1], "erasure", &clock).unwrap_or_else(|_| panic!());
        // Waiting for the store's lock meanwhile.
        clock.as_manual().unwrap().advance(std::time::Duration::from_secs(3600));
        let r = asked.decide(&t, &timeline, &[]).unwrap();
        assert!(r.entry.at >= asked_at + chrono::Duration::hours(1), "{}", r.entry.at);
    }

    #[test]
    fn records_survive_the_wire_format_and_a_truncated_stream_is_an_error() {
        let trees: Vec<TreeRecords> = vec![
            (
                b"troubles".to_vec(),
                vec![(b"a".into(), b"1".into()), (b"b".into(), b"".into())],
            ),
            (b"empty".to_vec(), vec![]),
        ];
        let bytes = frames(&trees);
        assert_eq!(read_frames(&mut bytes.as_slice()).unwrap(), trees);
        assert!(read_frames(&mut &bytes[..bytes.len() - 1]).is_err());
        assert!(
            read_frames(&mut &b"R\0\0\0\x01a"[..]).is_err(),
            "a record before any tree"
        );
    }
}
