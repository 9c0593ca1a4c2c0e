//! The store seam: everything the engine, the deliverer, the timer loop and the handlers ask of
//! the store, over either backend (embedded sled, or PostgreSQL shared by several instances).
//!
//! Keys are typed: a lane is a [`LaneKey`], an outbox item is addressed by the [`OutboxItem`]
//! itself and a timer by the [`Timer`]; each backend derives its own keys from them (sled's
//! byte keys stay in `sled.rs`, PostgreSQL's ids in `pg/store.rs`). Every decision is written
//! with its timeline entries, outbox items, timers and request keys in one atomic write (a
//! transaction on PostgreSQL under the trouble's row lock; on sled, a journalled write decided
//! under the store's writer lock and applied under its applier's); outbox heads and due timers
//! are *claimed* (under a lease on PostgreSQL, where another instance may be looking too).

mod global;
pub mod index;
pub mod pg;
pub mod sled;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::trouble::decide::{Decision, Delivery, Lane, Op, Timer};
use crate::trouble::home::HomeRow;
use crate::trouble::model::{ChannelId, Trouble, TroubleId, TroubleSummary, UserId};
use crate::trouble::stats::StatsRow;
use crate::trouble::timeline::Entry;
use pg::store::PgStore;
use pg::PgError;

pub use self::index::Hit;

pub use self::sled::{LockTimeSoFar, SledStore, TreeRecords, WriteLocksSoFar};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Sled(#[from] ::sled::Error),
    /// Shown without the values the decode error quotes: it reaches the log.
    #[error("store: corrupt record: {}", without_values(.0))]
    Corrupt(String),
    /// The embedded store stopped writing after a write failed (a disk that is full, or
    /// refuses writes): nothing more is written, decided or sent until a restart, which
    /// completes from the journal what was begun.
    #[error("store: writes stopped after a failed write ({0}); a restart completes what was begun and goes on")]
    Halted(String),
    #[error("{0}")]
    Postgres(Box<PgError>),
}

impl StoreError {
    /// Whether a record did not read (on either backend), rather than the store failing.
    pub fn is_unreadable(&self) -> bool {
        match self {
            StoreError::Corrupt(_) => true,
            StoreError::Postgres(e) => matches!(**e, PgError::Corrupt(_)),
            _ => false,
        }
    }

    /// Whether doing the same again cannot succeed: a record that does not read, a database
    /// constraint or data error. A disk error, or the database unreachable or refusing this one
    /// transaction for the moment ([`PgError::may_pass`]), may pass.
    pub fn is_permanent(&self) -> bool {
        match self {
            StoreError::Corrupt(_) => true,
            StoreError::Sled(e) => !matches!(e, ::sled::Error::Io(_)),
            StoreError::Halted(_) => false,
            StoreError::Postgres(e) => !e.may_pass(),
        }
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::Store(e) => e,
            e => StoreError::Postgres(Box::new(e)),
        }
    }
}

/// A walk over every trouble: those it kept, and those whose record did not read. One
/// unreadable record (a torn write, or one written by a newer release) is named rather than
/// failing the walk, so the weekly digest still reaches every other trouble's chain and `verify`
/// still checks the rest.
#[derive(Debug, Default)]
pub struct Walked {
    pub troubles: Vec<Trouble>,
    pub unreadable: Vec<Unreadable>,
}

impl Walked {
    /// Every trouble walked, or an error naming the first whose record did not read.
    pub fn whole(self) -> Result<Vec<Trouble>, StoreError> {
        match self.unreadable.into_iter().next() {
            None => Ok(self.troubles),
            Some(u) => Err(StoreError::Corrupt(format!("trouble {}: {}", u.id, u.why))),
        }
    }
}

/// A trouble whose stored record did not read: its id as it may be shown, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreadable {
    pub id: String,
    pub why: String,
    /// Its id as stored, to find it again by.
    pub key: Vec<u8>,
}

/// As `verify` names it, after "BROKEN ".
impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: the record does not read ({})", self.id, self.why)
    }
}

impl Unreadable {
    /// Logs that a walk left this trouble out of `what`, and how the admin looks into it.
    pub fn left_out_of(&self, what: &str) {
        tracing::error!(trouble = %self.id, why = %without_values(&self.why), "a trouble whose record does not read is left out of {what}; `trouble-bot verify` checks the store");
    }

    pub fn new(id: &[u8], e: StoreError) -> Unreadable {
        let why = match e {
            StoreError::Corrupt(why) => why,
            StoreError::Postgres(e) => match *e {
                PgError::Corrupt(why) => why,
                e => e.to_string(),
            },
            e => e.to_string(),
        };
        Unreadable {
            id: printable(&String::from_utf8_lossy(id)),
            why: printable(&why),
            key: id.to_vec(),
        }
    }
}

/// How long a timer that cannot fire in a way a retry soon would not mend (its record, or its
/// trouble's, does not read), or a queued call that does not read on PostgreSQL, waits: an
/// hour, or until a restart (perhaps on the release that wrote what this one cannot read).
pub const STUCK_RETRY: Duration = Duration::from_secs(3600);

/// The trouble a stored timer's `key` names, as it may be shown.
fn timer_key_trouble(key: &[u8]) -> String {
    printable(&String::from_utf8_lossy(timer_key_job(key).unwrap_or_default()))
}

/// `verify`'s line (after "BROKEN ") for a stored timer, by its `key`, whose record does not
/// read.
pub fn unreadable_timer_line(key: &[u8], why: &dyn std::fmt::Display) -> String {
    let why = printable(&why.to_string());
    format!("timer of {}: the record does not read ({why})", timer_key_trouble(key))
}

/// `verify`'s line (after "BROKEN ") for a queued call of `lane` whose record does not read.
pub fn unreadable_call_line(lane: &str, why: &dyn std::fmt::Display) -> String {
    let why = printable(&why.to_string());
    format!(
        "queued call in lane {}: the record does not read ({why})",
        printable(lane)
    )
}

/// Names in the log a stored timer (by its `key`: due time, trouble, kind) whose record does
/// not read, and that it waits [`STUCK_RETRY`].
pub(crate) fn unreadable_timer(key: &[u8], e: &dyn std::fmt::Display) {
    tracing::error!(
        trouble = %timer_key_trouble(key),
        why = %without_values(&printable(&e.to_string())),
        "a timer whose record does not read is tried again in an hour, or after a restart (a newer release may have written it)"
    );
}

/// Names in the log a waiting timer of a global job whose record does not read, written again
/// as this release's ([`in_place_of_unreadable`]) when the job is scheduled at start.
pub(crate) fn replaced_unreadable_timer(key: &[u8], e: &dyn std::fmt::Display) {
    tracing::error!(
        job = %timer_key_trouble(key),
        why = %without_values(&printable(&e.to_string())),
        "a waiting timer whose record does not read is written again as this release's, due when it was"
    );
}

/// The global timer to store in place of the job's waiting ones that do not read (their
/// `unreadable` keys): `timer`, but due when the earliest of them was, so that a run missed
/// while the bot was down still comes once.
pub(crate) fn in_place_of_unreadable<K: AsRef<[u8]>>(timer: &Timer, unreadable: &[K]) -> Timer {
    let due = unreadable.iter().filter_map(|key| timer_key_due(key.as_ref())).min();
    Timer {
        due: due.unwrap_or(timer.due),
        ..timer.clone()
    }
}

/// Names in the log a queued Slack call of `lane` whose record does not read: passed over, and
/// tried again after [`STUCK_RETRY`] (PostgreSQL) or the next start (sled).
pub(crate) fn unreadable_call(lane: &str, e: &dyn std::fmt::Display) {
    tracing::error!(
        lane = %printable(lane),
        why = %without_values(&printable(&e.to_string())),
        "a queued Slack call whose record does not read is passed over and the lane goes on (a newer release may have written it)"
    );
}

/// What a read of several troubles (history, search, App Home, the list's judging, the past
/// troubles an open looks up) makes of one of them: one whose record does not read is passed
/// over and named in the log, rather than refusing every read, and every open for its
/// customer, that touches it.
pub(crate) fn readable<T>(id: &str, read: Result<Option<T>, StoreError>) -> Result<Option<T>, StoreError> {
    match read {
        Err(e) if e.is_unreadable() => {
            Unreadable::new(id.as_bytes(), e).left_out_of("a read of several troubles");
            Ok(None)
        }
        read => read,
    }
}

/// A decode error (`why`) as the log shows it: without the values it quotes (`unknown variant
/// `…``, `invalid type: string "…"`), which a damaged record may have taken from a customer's
/// name, a summary or a note. What was expected and where stay; `verify`, run on the store by
/// the admin, shows the values.
pub fn without_values(why: &str) -> String {
    let mut out = String::with_capacity(why.len());
    let mut rest = why;
    loop {
        let found = ["unknown variant `", "unknown field `", "character `", "string \""]
            .iter()
            .filter_map(|p| rest.find(p).map(|at| (at, *p)))
            .min_by_key(|(at, _)| *at);
        let Some((at, prefix)) = found else {
            out.push_str(rest);
            return out;
        };
        let start = at + prefix.len();
        out.push_str(&rest[..start]);
        out.push('…');
        let value = &rest[start..];
        let end = match prefix.ends_with('"') {
            // Quoted as Rust's Debug quotes a string: up to the first quote not escaped.
            true => {
                let mut escaped = false;
                value.char_indices().find_map(|(i, c)| {
                    let closes = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    closes.then_some(i)
                })
            }
            // Serde writes these as they are: up to what it says after them.
            false => ["`, expected", "`, there are no"]
                .iter()
                .filter_map(|tail| value.rfind(tail))
                .min()
                .or_else(|| value.rfind('`')),
        };
        match end {
            Some(end) => rest = &value[end..],
            None => return out,
        }
    }
}

/// Stored bytes as a log or terminal may show them: nothing that acts on a display (an escape
/// sequence, a line break, a bidi override would act on the admin's terminal or forge a line),
/// at most 300 characters.
pub fn printable(text: &str) -> String {
    const MAX: usize = 300;
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| {
            if c.is_control() || crate::trouble::markup::acts_on_display(c) {
                '?'
            } else {
                c
            }
        })
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// A Slack call the bot has decided to make, waiting to be delivered.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: u64,
    /// None for calls that belong to no trouble yet (the open modal).
    pub trouble: Option<TroubleId>,
    pub lane: Lane,
    pub op: Op,
    pub created_at: DateTime<Utc>,
    /// When the latest attempt at a call that must not happen twice began (stored before the
    /// call): after a crash, the call may still reach Slack until `slack_timeout` after this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_started_at: Option<DateTime<Utc>>,
    /// The id its Slack marker carries when that is not `id`: a call begun under sled's id
    /// before `migrate-store` copied it, which may be in Slack already under that id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marked_as: Option<u64>,
}

/// How long after its creation an outbox item stands for its own attempt record on sled: a call
/// that leaves within this window writes no record (it only waits for the group commit that
/// makes the item durable), and a restart reads a left-over item without a record as possibly
/// attempted until then.
pub const ATTEMPT_COVERED: chrono::TimeDelta = chrono::TimeDelta::seconds(2);

impl OutboxItem {
    pub fn lane_key(&self) -> LaneKey {
        LaneKey::of(self.trouble.as_ref(), self.lane)
    }

    /// The id its post carries in Slack's metadata, and looks for after a crash.
    pub fn marker(&self) -> u64 {
        self.marked_as.unwrap_or(self.id)
    }

    /// Takes `id` (a PostgreSQL row's, by which every later step addresses it) as its id. A call
    /// that may have left under the id it had keeps that one for its marker, so it is found
    /// rather than posted again.
    pub fn renumber(&mut self, id: u64) {
        if self.id != id && self.marked_as.is_none() && self.attempt_started_at.is_some() {
            self.marked_as = Some(self.id);
        }
        self.id = id;
    }
}

/// A lane of the outbox: the calls of one trouble (or of none) in one [`Lane`], delivered in
/// order, one at a time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LaneKey(String);

impl LaneKey {
    pub fn of(trouble: Option<&TroubleId>, lane: Lane) -> LaneKey {
        // Built in one allocation of its size: every outbox item's key starts with it.
        let (trouble, lane) = (trouble.map_or("_", TroubleId::as_str), lane.name());
        let mut key = String::with_capacity(trouble.len() + 1 + lane.len());
        key.push_str(trouble);
        key.push('/');
        key.push_str(lane);
        LaneKey(key)
    }

    /// How the backends spell it (`<trouble or _>/<lane>`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_stored(name: String) -> LaneKey {
        LaneKey(name)
    }
}

/// A lane's head, held by this instance until it is delivered (or its lease runs out).
#[derive(Clone, Debug)]
pub struct Claim {
    pub item: OutboxItem,
    /// Another instance held it before and its lease ran out: its call may have reached Slack.
    pub reclaimed: bool,
}

/// Why a decision's write did not happen.
#[derive(Debug)]
pub enum Skip {
    /// This request (event id, signature or modal view id) was handled before.
    Duplicate,
}

/// Whether a decision changed anything: only such a decision is remembered against its request
/// keys, so a refused modal submission, corrected, still goes through.
pub fn has_effect(d: &Decision) -> bool {
    d.trouble.is_some() || !d.entries.is_empty() || !d.deliveries.is_empty() || !d.timers.is_empty()
}

/// Big-endian due time first, so keys sort in due order; both backends key a timer by it (and
/// the same timer set twice is stored once). The kind is written as JSON: the PostgreSQL
/// store's keys, and the sled store's before it wrote kinds compactly (`sled::timer_key`).
pub fn timer_key(timer: &Timer) -> Vec<u8> {
    timer_key_with(timer, &serde_json::to_vec(&timer.kind).expect("timer kinds serialize"))
}

/// A timer's key with its kind written as `kind`: the due time (millis, big-endian), the
/// trouble, 0, the kind.
pub(crate) fn timer_key_with(timer: &Timer, kind: &[u8]) -> Vec<u8> {
    let mut key = (timer.due.timestamp_millis().max(0) as u64).to_be_bytes().to_vec();
    key.extend_from_slice(timer.trouble.as_str().as_bytes());
    key.push(0);
    key.extend_from_slice(kind);
    key
}

/// The trouble (or the job, for a global timer) a stored timer's `key` ([`timer_key_with`])
/// names, read from the key alone so that a record which does not decode is still told.
pub(crate) fn timer_key_job(key: &[u8]) -> Option<&[u8]> {
    key.get(8..)?.split(|b| *b == 0).next()
}

/// When a stored timer's `key` ([`timer_key_with`]) says it is due.
pub(crate) fn timer_key_due(key: &[u8]) -> Option<DateTime<Utc>> {
    let millis = u64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    DateTime::from_timestamp_millis(i64::try_from(millis).ok()?)
}

/// The store, on one backend or the other.
///
/// Its methods box every PostgreSQL call they await: a method's future holds room for its
/// largest arm, and the queries' (up to 7 KB) would otherwise be allocated and moved with
/// every call sled answers at once, a dozen times per open in the deliverer alone
/// (`deliver::tests::a_delivery_moves_and_allocates_little_memory`).
#[derive(Clone)]
pub enum Store {
    /// Embedded, one process (the default).
    Sled(SledStore),
    /// Shared by every instance on one database (`database_url`).
    Postgres(PgStore),
}

impl Store {
    /// The embedded store under `dir`.
    pub fn open_sled(dir: &std::path::Path) -> Result<Store, StoreError> {
        Ok(Store::Sled(SledStore::open(dir)?))
    }

    /// Connects to PostgreSQL at `url`, brings the schema up to date, and names this instance's
    /// claims `instance`; a claim this instance does not renew within `lease` passes to another.
    pub async fn connect_postgres(url: &str, instance: &str, lease: Duration) -> Result<Store, StoreError> {
        let pool = crate::store::pg::connect(url)?;
        Box::pin(crate::store::pg::migrate(&pool)).await?;
        Box::pin(index::pg::build_missing(&pool)).await?;
        Box::pin(index::pg::add_summary_starts(&pool)).await?;
        Box::pin(index::pg::add_summary_cadences(&pool)).await?;
        Box::pin(crate::store::pg::copy::keep_sled_markers_apart(&pool)).await?;
        Ok(Store::Postgres(PgStore::new(pool, instance, lease)))
    }

    /// The sled store, for what only it has (backups, the admin socket, tests that inspect it).
    pub fn sled(&self) -> Option<&SledStore> {
        match self {
            Store::Sled(s) => Some(s),
            Store::Postgres(_) => None,
        }
    }

    /// Why the embedded store stopped writing, once it did (a write or flush failed): nothing
    /// is decided, fired or sent until a restart. PostgreSQL answers each write for itself.
    pub fn writes_halted(&self) -> Option<String> {
        match self {
            Store::Sled(s) => s.halted().map(str::to_owned),
            Store::Postgres(_) => None,
        }
    }

    /// The database's clock, which every instance sharing it writes its leases and pacing
    /// against in its own time: None on sled (one process, one clock).
    pub async fn shared_clock(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self {
            Store::Sled(_) => Ok(None),
            Store::Postgres(p) => Ok(Some(Box::pin(p.clock()).await?)),
        }
    }

    /// Whether other instances may share this store (and claims must be leased).
    pub fn is_shared(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// Before a graceful stop: sled moves its live records out of the log's sparse segments,
    /// so the stopped store takes little more room on disk than its records (sled otherwise
    /// cleans a segment only as its log grows). PostgreSQL has its own vacuum.
    pub async fn tidy(&self) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => {
                let s = s.clone();
                let moved = blocking(move || s.tidy_log()).await?;
                tracing::debug!(moved, "tidied the log");
                Ok(())
            }
            Store::Postgres(_) => Ok(()),
        }
    }

    /// Records, at a clean stop, which queued calls never left (see
    /// [`SledStore::stopped_cleanly`]). PostgreSQL records every attempt as it begins.
    pub async fn stopped_cleanly(&self) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => {
                let s = s.clone();
                blocking(move || s.stopped_cleanly()).await
            }
            Store::Postgres(_) => Ok(()),
        }
    }

    /// Makes everything written so far durable (PostgreSQL's commit already is).
    pub async fn flush(&self) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.flush().await,
            Store::Postgres(_) => Ok(()),
        }
    }

    /// Opens a trouble: the day's next number and what `decide` makes of it, with the request
    /// keys `seen`, in one atomic write; skipped when any key was seen before. A refusal (no
    /// trouble in the decision) writes nothing and uses up no number.
    pub async fn open_trouble(
        &self,
        day: &str,
        seen: &[&str],
        now: DateTime<Utc>,
        decide: impl Fn(TroubleId, u32) -> Decision,
    ) -> Result<Result<Decision, Skip>, StoreError> {
        match self {
            Store::Sled(s) => {
                let turn = s.turn().await;
                s.open_trouble(Some(turn), day, seen, now, decide)
            }
            Store::Postgres(p) => Ok(Box::pin(p.open_trouble(day, seen, now, decide)).await?),
        }
    }

    /// Reads trouble `id` under its lock, lets `decide` decide, writes the decision with the
    /// request keys `seen` (when it changed something): one atomic write, skipped when a key was
    /// seen before. `done` (the outbox item whose outcome this is) leaves in the same write.
    pub async fn transact(
        &self,
        id: &TroubleId,
        seen: &[&str],
        done: Option<&OutboxItem>,
        now: DateTime<Utc>,
        decide: impl Fn(&Trouble) -> Decision,
    ) -> Result<Result<Decision, Skip>, StoreError> {
        match self {
            Store::Sled(s) => {
                let turn = s.turn().await;
                s.transact(Some(turn), id, seen, done, now, decide)
            }
            Store::Postgres(p) => Ok(Box::pin(p.update(id, seen, done.map(pg_id), now, decide)).await?),
        }
    }

    /// Fires a claimed timer: it leaves the store in the same write as what `decide` makes of
    /// it, so it acts once; a timer already fired (by anyone) decides nothing.
    pub async fn fire_timer(
        &self,
        timer: &Timer,
        now: DateTime<Utc>,
        decide: impl Fn(&Trouble) -> Decision,
    ) -> Result<Decision, StoreError> {
        match self {
            Store::Sled(s) => {
                let turn = s.turn().await;
                s.fire_timer(Some(turn), timer, now, decide)
            }
            Store::Postgres(p) => Ok(Box::pin(p.fire_timer(&timer_key(timer), timer, now, decide)).await?),
        }
    }

    /// Remembers a request key with nothing else to write; false when it was seen before.
    pub async fn remember_key(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => s.remember_key(key, now),
            Store::Postgres(p) => Ok(Box::pin(p.remember_key(key, now)).await?),
        }
    }

    /// Forgets request keys older than `before`.
    pub async fn prune_keys(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        match self {
            Store::Sled(s) => Ok(s.prune_keys(before)? as u64),
            Store::Postgres(p) => Ok(Box::pin(p.prune_keys(before)).await?),
        }
    }

    /// Queues calls that belong to no trouble (an App Home publish, the answer to a click).
    pub async fn enqueue_loose(&self, deliveries: Vec<Delivery>, now: DateTime<Utc>) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.enqueue_loose(deliveries, now),
            Store::Postgres(p) => Ok(Box::pin(p.enqueue_loose(deliveries, now)).await?),
        }
    }

    /// The lanes that have work.
    pub async fn lanes_with_work(&self) -> Result<Vec<LaneKey>, StoreError> {
        match self {
            Store::Sled(s) => s.outbox_lanes(),
            Store::Postgres(p) => Ok(Box::pin(p.lanes_with_work()).await?),
        }
    }

    /// Takes the oldest call of `lane` for this instance to deliver; None when the lane is
    /// empty or another instance holds its head.
    pub async fn claim_lane_head(&self, lane: &LaneKey, now: DateTime<Utc>) -> Result<Option<Claim>, StoreError> {
        match self {
            // One deliverer per process, one worker per lane: the head is this worker's.
            Store::Sled(s) => Ok(s.claim_lane_head(lane)?.map(|item| Claim { item, reclaimed: false })),
            Store::Postgres(p) => Ok(Box::pin(p.claim_lane_head(lane.as_str(), now)).await?.map(|c| Claim {
                item: c.item,
                reclaimed: c.reclaimed,
            })),
        }
    }

    /// Whether `claim_lane_head` would give this instance the head of `lane` now.
    pub async fn claimable(&self, lane: &LaneKey, now: DateTime<Utc>) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => Ok(s.lane_head(lane)?.is_some()),
            Store::Postgres(p) => Ok(Box::pin(p.claimable(lane.as_str(), now)).await?),
        }
    }

    /// Keeps holding a claimed call for another lease (before each attempt); false when it is
    /// no longer this instance's (its lease ran out and another took it, or it is gone).
    pub async fn renew(&self, claim: &Claim, now: DateTime<Utc>) -> Result<bool, StoreError> {
        match self {
            Store::Sled(_) => Ok(true),
            Store::Postgres(p) => Ok(Box::pin(p.renew(pg_id(&claim.item), now)).await?),
        }
    }

    /// Records, durably, that an attempt at a claimed call that must not happen twice begins
    /// now; false when the call is no longer this instance's.
    pub async fn mark_attempt(&self, claim: &Claim, now: DateTime<Utc>) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => s.mark_attempt(&claim.item, now).await,
            Store::Postgres(p) => Ok(Box::pin(p.mark_attempt(pg_id(&claim.item), now)).await?),
        }
    }

    /// [`Self::mark_attempt`] for the claimed calls of one combined message, in one durable
    /// write: for each, whether it is still this instance's.
    pub async fn mark_attempts(&self, claims: &[&Claim], now: DateTime<Utc>) -> Result<Vec<bool>, StoreError> {
        match self {
            Store::Sled(s) => {
                let items: Vec<&OutboxItem> = claims.iter().map(|c| &c.item).collect();
                s.mark_attempts(&items, now).await
            }
            Store::Postgres(p) => {
                let ids: Vec<i64> = claims.iter().map(|c| pg_id(&c.item)).collect();
                Ok(Box::pin(p.mark_attempts(&ids, now)).await?)
            }
        }
    }

    /// Lets go of a claimed call without delivering it (shutting down): another instance may
    /// take it at once.
    pub async fn release(&self, claim: &Claim, now: DateTime<Utc>) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => {
                s.let_go(&claim.item);
                Ok(())
            }
            Store::Postgres(p) => Ok(Box::pin(p.release(pg_id(&claim.item), now)).await?),
        }
    }

    /// Removes a delivered call that feeds nothing back to a trouble.
    pub async fn finish(&self, item: &OutboxItem) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.remove_outbox(item),
            Store::Postgres(p) => Ok(Box::pin(p.finish(pg_id(item))).await?),
        }
    }

    /// Takes the next turn to post in `channel`, `gap` after the turn any instance took before:
    /// when it is (None where one process is the only poster, and paces itself).
    pub async fn reserve_post_slot(
        &self,
        channel: &ChannelId,
        now: DateTime<Utc>,
        gap: Duration,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self {
            Store::Sled(_) => Ok(None),
            Store::Postgres(p) => Ok(Some(Box::pin(p.reserve_channel_slot(channel, now, gap)).await?)),
        }
    }

    /// Seen at `now`: when the earliest timer is due, or one that could not fire (or another
    /// instance holds) may be claimed again, whichever comes first.
    pub async fn next_timer_due(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self {
            Store::Sled(s) => s.next_timer_due(now),
            Store::Postgres(p) => Ok(Box::pin(p.next_timer_due(now)).await?),
        }
    }

    /// Takes up to `limit` timers due at `now` for this instance to fire, earliest first.
    pub async fn claim_due_timers(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Timer>, StoreError> {
        match self {
            Store::Sled(s) => s.due_timers(now, limit),
            Store::Postgres(p) => Ok(p
                .claim_due_timers(now, limit as i64)
                .await?
                .into_iter()
                .map(|(_, t)| t)
                .collect()),
        }
    }

    /// At start: timers that could not fire before are tried again at once rather than after
    /// their wait (on sled, those waits were never written down).
    pub async fn end_retry_waits(&self) -> Result<(), StoreError> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Postgres(p) => {
                let ended = Box::pin(p.end_retry_waits()).await?;
                if ended > 0 {
                    tracing::info!(timers = ended, "timers that could not fire before are tried again");
                }
                Ok(())
            }
        }
    }

    /// A claimed timer that could not fire this time stays, tried again from `at` (by any
    /// instance), or at the next start.
    pub async fn retry_timer_at(&self, timer: &Timer, at: DateTime<Utc>) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.defer_timer(timer, at),
            Store::Postgres(p) => Ok(Box::pin(p.retry_timer_at(&timer_key(timer), at)).await?),
        }
    }

    /// Remembers that a user has opened the App Home, so it is kept current for them.
    pub async fn mark_home_viewer(&self, user: &UserId) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.mark_home_viewer(user),
            Store::Postgres(p) => Ok(Box::pin(p.mark_home_viewer(user)).await?),
        }
    }

    /// Whether `user` uses the App Home and no publish of it is waiting (a waiting one renders
    /// the latest state). One the deliverer has claimed is not waiting: it may have read what
    /// it shows before the change that asks, so that change gets a publish of its own.
    pub async fn home_needs_publish(&self, user: &UserId) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => Ok(s.is_home_viewer(user) && !s.home_publish_pending(user)),
            Store::Postgres(p) => {
                Ok(Box::pin(p.is_home_viewer(user)).await? && !Box::pin(p.home_publish_pending(user)).await?)
            }
        }
    }

    pub async fn get(&self, id: &TroubleId) -> Result<Option<Arc<Trouble>>, StoreError> {
        match self {
            Store::Sled(s) => s.shared(id),
            Store::Postgres(p) => Ok(Box::pin(p.get(id)).await?.map(Arc::new)),
        }
    }

    pub async fn by_channel(&self, channel: &ChannelId) -> Result<Option<TroubleId>, StoreError> {
        match self {
            Store::Sled(s) => s.by_channel(channel),
            Store::Postgres(p) => Ok(Box::pin(p.by_channel(channel)).await?),
        }
    }

    pub async fn all_troubles(&self) -> Result<Vec<Trouble>, StoreError> {
        match self {
            Store::Sled(s) => s.all_troubles(),
            Store::Postgres(p) => Ok(Box::pin(p.all_troubles()).await?),
        }
    }

    /// The troubles `keep` keeps, read off the async workers (a walk over every trouble): the
    /// weekly digest's. sled decodes one trouble at a time and holds only those kept. A record
    /// that does not read is named in [`Walked::unreadable`]; only a failed read of the store
    /// itself fails the walk.
    pub async fn troubles_where(&self, keep: impl Fn(&Trouble) -> bool + Send + 'static) -> Result<Walked, StoreError> {
        match self {
            Store::Sled(s) => {
                let s = s.clone();
                match tokio::task::spawn_blocking(move || s.troubles_where(keep)).await {
                    Ok(read) => read,
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    // Only when the runtime shuts down.
                    Err(e) => Err(StoreError::Sled(::sled::Error::Io(std::io::Error::other(e)))),
                }
            }
            Store::Postgres(p) => Ok(Box::pin(p.troubles_where(keep)).await?),
        }
    }

    /// The open troubles, from the summary index.
    pub async fn open_summaries(&self) -> Result<Vec<TroubleSummary>, StoreError> {
        match self {
            Store::Sled(s) => s.open_summaries(),
            Store::Postgres(p) => Ok(Box::pin(p.open_summaries()).await?),
        }
    }

    /// The first `n` open troubles in `/trouble list`'s order (severity, then age), each with
    /// its channel's privacy, from the index: no trouble or summary is read.
    pub async fn open_head(&self, n: usize) -> Result<Vec<index::Flagged>, StoreError> {
        match self {
            Store::Sled(s) => index::sled_open_head(s.index_tree(), n),
            Store::Postgres(p) => Ok(Box::pin(index::pg::open_head(p.pool(), n)).await?),
        }
    }

    /// How many troubles are open, and which of them are not known to be public (whom the
    /// list shows them to is judged per asker), from the index.
    pub async fn open_unsure(&self) -> Result<index::OpenUnsure, StoreError> {
        match self {
            Store::Sled(s) => index::sled_open_unsure(s.index_tree()),
            Store::Postgres(p) => Ok(Box::pin(index::pg::open_unsure(p.pool())).await?),
        }
    }

    /// The list summaries of the open troubles `ids`, in that order.
    pub async fn summaries_of(&self, ids: &[TroubleId]) -> Result<Vec<TroubleSummary>, StoreError> {
        match self {
            Store::Sled(s) => s.summaries_of(ids),
            Store::Postgres(p) => Ok(Box::pin(index::pg::summaries(p.pool(), ids)).await?),
        }
    }

    /// The troubles with `ids`, in that order (an id not stored is left out).
    pub async fn get_many(&self, ids: &[TroubleId]) -> Result<Vec<Trouble>, StoreError> {
        match self {
            Store::Sled(s) => Ok(ids
                .iter()
                .map(|id| readable(id.as_str(), s.get(id)))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect()),
            Store::Postgres(p) => Ok(Box::pin(index::pg::troubles(p.pool(), ids)).await?),
        }
    }

    /// Those of the troubles `ids` that `keep` holds for (an id not stored is left out): read
    /// and judged one at a time on a blocking thread (sled), or fetched in one query
    /// (PostgreSQL). A private deployment's list judges every open trouble this way.
    pub async fn which_of(
        &self,
        ids: Vec<TroubleId>,
        keep: impl Fn(&Trouble) -> bool + Send + 'static,
    ) -> Result<std::collections::HashSet<TroubleId>, StoreError> {
        match self {
            _ if ids.is_empty() => Ok(Default::default()),
            Store::Sled(s) => {
                let s = s.clone();
                blocking(move || {
                    let mut kept = std::collections::HashSet::new();
                    for id in ids {
                        if readable(id.as_str(), s.get(&id))?.is_some_and(|t| keep(&t)) {
                            kept.insert(id);
                        }
                    }
                    Ok(kept)
                })
                .await
            }
            Store::Postgres(p) => Ok(Box::pin(index::pg::which_of(p.pool(), &ids, keep)).await?),
        }
    }

    /// Customer `name`'s troubles (every spelling of it, and its `[customers]` aliases), from
    /// the customer index: `/trouble history`, the past troubles at open, recurrences.
    /// The turn of the customer `key` (normalized) to open, across the instances sharing a
    /// database (see [`pg::store::PgStore::customer_turn`]); None on sled, where one process
    /// serves the store and the engine's own turn is enough.
    pub async fn customer_turn(&self, key: &str) -> Result<Option<pg::store::CustomerTurn>, StoreError> {
        match self {
            Store::Sled(_) => Ok(None),
            Store::Postgres(p) => Ok(Box::pin(p.customer_turn(key)).await?),
        }
    }

    pub async fn customer_troubles(
        &self,
        aliases: &std::collections::BTreeMap<String, String>,
        name: &str,
    ) -> Result<Vec<Trouble>, StoreError> {
        let keys = index::customer_keys(aliases, name);
        let ids = match self {
            Store::Sled(s) => index::sled_customer_ids(s.index_tree(), &keys)?,
            Store::Postgres(p) => Box::pin(index::pg::customer_ids(p.pool(), &keys)).await?,
        };
        let wanted = crate::trouble::customer::customer_key(aliases, name);
        let mut troubles = self.get_many(&ids).await?;
        troubles.retain(|t| crate::trouble::customer::customer_key(aliases, &t.customer) == wanted);
        Ok(troubles)
    }

    /// The open troubles `user`'s App Home shows (they own, manage or are in the chain of).
    pub async fn home_troubles(&self, user: &UserId) -> Result<Vec<Trouble>, StoreError> {
        let ids = match self {
            Store::Sled(s) => index::sled_home_ids(s.index_tree(), user)?,
            Store::Postgres(p) => Box::pin(index::pg::home_ids(p.pool(), user)).await?,
        };
        self.get_many(&ids).await
    }

    /// The proposals among `user`'s Home rows that they may approve or reject, with their
    /// troubles. Only the rows carrying a proposal are read (few), since who may decide depends
    /// on the configured limits.
    pub async fn home_decisions(
        &self,
        policy: &crate::trouble::policy::Policy,
        user: &UserId,
        rows: &[HomeRow],
    ) -> Result<Vec<(Arc<Trouble>, Vec<usize>)>, StoreError> {
        let mut decisions = Vec::new();
        for row in rows.iter().filter(|r| !r.proposals.is_empty()) {
            let Some(t) = self.get(&row.id).await? else { continue };
            let mine: Vec<usize> = crate::trouble::approval::awaiting(policy, &t, user);
            if !mine.is_empty() {
                decisions.push((t, mine));
            }
        }
        Ok(decisions)
    }

    /// The troubles among `user`'s App Home `rows` whose channel Slack refused to create, and
    /// those of them they may ask for again (the core's rule for the click). Only the rows
    /// without a channel are read whole: few, but many while Slack is down (every trouble
    /// opened meanwhile), and read again at each Home publish; so on PostgreSQL in one query,
    /// on sled from its cache of shared troubles.
    pub async fn home_channel_refusals(
        &self,
        policy: &crate::trouble::policy::Policy,
        user: &UserId,
        rows: &[HomeRow],
    ) -> Result<crate::trouble::home::ChannelRefusals, StoreError> {
        let mut refusals = crate::trouble::home::ChannelRefusals::default();
        let without: Vec<TroubleId> = rows
            .iter()
            .filter(|r| r.channel.is_none())
            .map(|r| r.id.clone())
            .collect();
        match self {
            _ if without.is_empty() => {}
            Store::Sled(_) => {
                for id in &without {
                    if let Some(t) = self.get(id).await? {
                        refusals.judge(policy, &t, user);
                    }
                }
            }
            Store::Postgres(_) => {
                for t in self.get_many(&without).await? {
                    refusals.judge(policy, &t, user);
                }
            }
        }
        Ok(refusals)
    }

    /// `user`'s App Home rows: the open troubles they own, manage or are in the chain of, that
    /// they may see (the rule of `list`). A private one they are not surely a participant of
    /// is read whole for the rule, which reads the configured departments.
    pub async fn home_rows(
        &self,
        policy: &crate::trouble::policy::Policy,
        user: &UserId,
    ) -> Result<Vec<HomeRow>, StoreError> {
        let rows = match self {
            Store::Sled(s) => index::sled_home_rows(s.index_tree(), user)?,
            Store::Postgres(_) => self
                .home_troubles(user)
                .await?
                .iter()
                .map(|t| HomeRow::of(t, user))
                .collect(),
        };
        let mut visible = Vec::with_capacity(rows.len());
        for row in rows {
            if row.participant || !row.private.unwrap_or(policy.private_channels) {
                visible.push(row);
            } else if let Some(t) = self.get(&row.id).await? {
                if crate::trouble::decide::may_see(policy, &t, user) {
                    visible.push(row);
                }
            }
        }
        Ok(visible)
    }

    /// The stats rows of the troubles opened in `since..=until`, oldest first (read on a
    /// blocking thread: a window may hold thousands).
    pub async fn stats_rows(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<StatsRow>, StoreError> {
        match self {
            Store::Sled(s) => {
                let index = s.index_tree().clone();
                blocking(move || index::sled_stats_rows(&index, since, until)).await
            }
            Store::Postgres(p) => Ok(Box::pin(index::pg::stats_rows(p.pool(), since, until)).await?),
        }
    }

    /// What `/trouble stats` counts for the troubles opened in `since..=until`: whole days'
    /// public troubles summed, the rest as rows to filter per asker (a blocking thread on sled).
    pub async fn stats_parts(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<index::StatsParts, StoreError> {
        match self {
            Store::Sled(s) => {
                let index = s.index_tree().clone();
                blocking(move || index::sled_stats_parts(&index, since, until)).await
            }
            Store::Postgres(p) => Ok(Box::pin(index::pg::stats_parts(p.pool(), since, until)).await?),
        }
    }

    /// Every trouble whose customer, summary, facts or cause hold all of `words` (folded as
    /// `search::query_words` folds them), unordered: a scan of compact texts, on a blocking
    /// thread (sled) or in the database.
    pub async fn search(&self, words: Vec<String>) -> Result<Vec<Hit>, StoreError> {
        match self {
            Store::Sled(s) => {
                let s = s.clone();
                blocking(move || s.search_cache().search(s.index_tree(), &words)).await
            }
            Store::Postgres(p) => Ok(Box::pin(index::pg::search(p.pool(), &words)).await?),
        }
    }

    /// Reads the search texts into memory ahead of the first search (sled; PostgreSQL searches
    /// in the database).
    pub async fn warm_search(&self) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => {
                let s = s.clone();
                blocking(move || s.search_cache().warm(s.index_tree())).await
            }
            Store::Postgres(_) => Ok(()),
        }
    }

    pub async fn timeline(&self, id: &TroubleId) -> Result<Vec<Entry>, StoreError> {
        match self {
            Store::Sled(s) => s.timeline(id),
            Store::Postgres(p) => Ok(Box::pin(p.timeline(id)).await?),
        }
    }

    pub async fn outbox_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        match self {
            Store::Sled(s) => s.outbox_items(),
            Store::Postgres(p) => Ok(Box::pin(p.outbox_items()).await?),
        }
    }

    /// When the oldest undelivered call was queued (its keys walked on a blocking thread on
    /// sled; one record decoded).
    pub async fn oldest_outbox_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self {
            Store::Sled(s) => {
                let s = s.clone();
                blocking(move || s.oldest_outbox_at()).await
            }
            Store::Postgres(p) => Ok(Box::pin(index::pg::oldest_outbox_at(p.pool())).await?),
        }
    }

    /// Troubles, outbox items and timers stored: the gauges `/metrics` shows.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        match self {
            Store::Sled(s) => {
                let troubles = index::sled_counts(s.index_tree())?;
                Ok(Counts {
                    troubles: troubles.troubles,
                    open: troubles.open,
                    outbox: s.outbox_len() as u64,
                    timers: s.timers_len() as u64,
                })
            }
            Store::Postgres(p) => {
                let troubles = Box::pin(index::pg::counts(p.pool())).await?;
                Ok(Counts {
                    troubles: troubles.troubles,
                    open: troubles.open,
                    outbox: Box::pin(p.outbox_len()).await? as u64,
                    timers: Box::pin(p.timers_len()).await? as u64,
                })
            }
        }
    }

    /// How long the embedded store's two write locks have been held so far, and how often:
    /// every write passes through them in turn. None on PostgreSQL, whose writes wait on row
    /// locks of their own.
    pub fn lock_time(&self) -> Option<WriteLocksSoFar> {
        match self {
            Store::Sled(s) => Some(s.lock_time()),
            Store::Postgres(_) => None,
        }
    }
}

/// How much the store holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub troubles: u64,
    /// Of which open.
    pub open: u64,
    pub outbox: u64,
    pub timers: u64,
}

/// Runs a read that walks many records on a blocking thread, off the async workers.
async fn blocking<R: Send + 'static>(
    read: impl FnOnce() -> Result<R, StoreError> + Send + 'static,
) -> Result<R, StoreError> {
    tokio::task::spawn_blocking(read)
        .await
        .unwrap_or_else(|e| Err(StoreError::Corrupt(format!("a store read failed: {e}"))))
}

/// An outbox item's row id on PostgreSQL (its `id`, from the row's sequence).
fn pg_id(item: &OutboxItem) -> i64 {
    item.id as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call copied from sled takes its row's id; one tried under sled's id before the move
    /// (perhaps in Slack already) is posted and looked for under that one still.
    #[test]
    fn a_renumbered_call_keeps_the_id_of_its_marker_only_when_it_may_have_left_under_it() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T01:00:00Z").unwrap().to_utc();
        let queued = OutboxItem {
            id: 7,
            trouble: None,
            lane: Lane::Dm,
            op: Op::CreateChannel,
            created_at: at,
            attempt_started_at: None,
            marked_as: None,
        };
        let mut never_tried = queued.clone();
        never_tried.renumber(1042);
        assert_eq!((never_tried.id, never_tried.marker()), (1042, 1042));
        let mut tried = OutboxItem {
            attempt_started_at: Some(at),
            ..queued
        };
        tried.renumber(1042);
        assert_eq!((tried.id, tried.marker()), (1042, 7));
        // Claimed again (its row's id the same), it keeps the marker it had.
        tried.renumber(1042);
        let stored: OutboxItem = serde_json::from_slice(&serde_json::to_vec(&tried).unwrap()).unwrap();
        assert_eq!((stored.id, stored.marker()), (1042, 7));
    }

    #[test]
    fn a_decode_error_is_logged_without_the_values_it_quotes() {
        let cases = [
            (
                "unknown variant `lawsuit over dented housings`, expected one of `done` at line 1 column 96",
                "unknown variant `…`, expected one of `done` at line 1 column 96",
            ),
            (
                r#"invalid type: string "Acme \"secret\" recall", expected u8"#,
                r#"invalid type: string "…", expected u8"#,
            ),
            (
                "unknown field `fired`, there are no fields",
                "unknown field `…`, there are no fields",
            ),
            ("missing field `customer`", "missing field `customer`"),
            (
                "invalid type: character `x`, expected a string",
                "invalid type: character `…`, expected a string",
            ),
            (r#"invalid value: string "cut"#, r#"invalid value: string "…"#),
        ];
        for (why, shown) in cases {
            assert_eq!(without_values(why), shown);
        }
        let error = StoreError::Corrupt("unknown variant `dented`, expected `done`".into());
        assert!(!error.to_string().contains("dented"), "{error}");
    }
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    /// A write that waits for another to finish waits as a task: on a runtime of one thread, a
    /// task beside it still runs while the other write holds the writer lock.
    #[test]
    fn a_write_waiting_for_another_leaves_its_thread_to_other_tasks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open_sled(dir.path()).expect("store"));
        let now = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let (holding, held) = mpsc::channel();
        let (release, released_by_test) = mpsc::channel::<()>();
        let released = Arc::new(AtomicBool::new(false));
        let holder = {
            let (store, released) = (store.clone(), released.clone());
            std::thread::spawn(move || {
                runtime()
                    .block_on(store.open_trouble("20261201", &[], now, |_, _| {
                        holding.send(()).expect("the test listens");
                        // Held until the test has looked, or long enough to show its thread was stuck.
                        let _ = released_by_test.recv_timeout(Duration::from_secs(5));
                        released.store(true, Ordering::SeqCst);
                        Decision::default()
                    }))
                    .map(drop)
            })
        };
        held.recv().expect("the first write holds the lock");
        let ran_while_held = runtime().block_on(async {
            let waiting = tokio::spawn({
                let store = store.clone();
                async move {
                    store
                        .open_trouble("20261201", &[], now, |_, _| Decision::default())
                        .await
                        .map(drop)
                }
            });
            // The write above starts and waits for its turn; this task goes on meanwhile.
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            let ran = !released.load(Ordering::SeqCst);
            release.send(()).ok();
            waiting
                .await
                .expect("the waiting write's task")
                .expect("the waiting write");
            ran
        });
        holder
            .join()
            .expect("the first write's thread")
            .expect("the first write");
        assert!(
            ran_while_held,
            "a task waited behind a write blocked on the writer lock"
        );
    }
}
