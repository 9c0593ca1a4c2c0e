//! The embedded sled backend of the store seam: named trees, one atomic journalled write per decision, decided under the writer lock and applied under the applier's; raw byte keys never leave this file.
//!
//! A decision reads and writes through overlays of the trees ([`journal::Overlay`]) while it
//! holds the writer lock; its writes are then made atomic by the journal (see `journal.rs`),
//! not by sled's transactions, whose two buffer syncs each bounded the durable open. The
//! write set is applied under a second lock, the applier's, which the next decision does not
//! need: it decides meanwhile, reading through the set being applied, so the store's serial
//! work is two stages side by side instead of one after the other ([`SledStore::write`]). The
//! other writes (replay keys, App Home viewers, pruning, timers removed) take both locks, so a
//! decision never loses an update it read; the deliverer's own writes of its items take the
//! applier's lock at most (an attempt recorded), since no decision reads an item it did not
//! queue. Durability is the group commit's: one fsync (`flush_async`) covers every write made
//! before it began.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
mod decoded;
mod global;
pub mod high_water;
mod journal;
pub(super) mod record;
mod timeline;

pub(super) use journal::Overlay;

use super::{
    has_effect, timer_key_with, LaneKey, OutboxItem, Skip, StoreError, Unreadable, Walked, ATTEMPT_COVERED, STUCK_RETRY,
};
use crate::trouble::decide::{Decision, Delivery, Lane, Op, Timer};
use crate::trouble::model::{ChannelId, Tracking, Trouble, TroubleId, TroubleSummary, UserId};
use crate::trouble::redact::Redaction;
use crate::trouble::timeline::Entry;

#[derive(Clone)]
pub struct SledStore {
    db: sled::Db,
    /// id → the trouble's body (without its [`Tracking`] once the bot wrote it since v0.1).
    troubles: sled::Tree,
    /// id → its [`Tracking`]: what each delivery result and timeline entry moves.
    tracking: sled::Tree,
    timeline: sled::Tree,
    outbox: sled::Tree,
    timers: sled::Tree,
    channels: sled::Tree,
    counters: sled::Tree,
    events: sled::Tree,
    home_viewers: sled::Tree,
    /// Open troubles only: id → `TroubleSummary`, for `/trouble list`.
    summaries: sled::Tree,
    /// The read indexes (`index.rs`), written with every decision.
    index: sled::Tree,
    /// The index's search texts in memory, told of each trouble a committed decision wrote.
    search: std::sync::Arc<super::index::SearchCache>,
    group_commit: std::sync::Arc<GroupCommit>,
    /// Write sets of several keys, each while it is being applied (see `journal.rs`).
    journal: sled::Tree,
    decoded: std::sync::Arc<decoded::Decoded>,
    /// Which queued calls may have left in an earlier run, and which this run began.
    runs: std::sync::Arc<Runs>,
    /// Held by every read-decide-write while it decides, and with the applier's lock by the
    /// other writes (but the deliverer's) and by `with_writes_paused`: one process writes this
    /// store (sled's lock file), so a decision that read under it cannot lose an update, and a
    /// reader holding both sees no write set half applied.
    writer: std::sync::Arc<std::sync::Mutex<Writer>>,
    /// Held while a decided write set is applied (its journal record, its writes, the record's
    /// removal), taken before the writer lock is let go: sets apply one at a time, in the
    /// order they were decided.
    applier: std::sync::Arc<std::sync::Mutex<Applier>>,
    /// The write set being applied, if any: the decision made meanwhile reads through it.
    applying: std::sync::Arc<std::sync::Mutex<Option<Arc<Applying>>>>,
    /// Told each time either lock is let go, for the deliverer's writes waiting for them as
    /// tasks ([`SledStore::lock_when_free`]).
    released: std::sync::Arc<tokio::sync::Notify>,
    /// How long the writer lock has been held, for `/metrics`.
    lock_time: std::sync::Arc<LockTime>,
    /// How long the applier's lock has been held, for `/metrics`.
    apply_time: std::sync::Arc<LockTime>,
    /// Why writes stopped: the first write or flush that failed ([`SledStore::halt`]). Read
    /// without a lock (the deliverer's writes take none).
    halted: std::sync::Arc<std::sync::OnceLock<String>>,
    /// Timers that could not fire, by key, and when each is tried again: kept in memory, so a
    /// restart (perhaps a release that reads what this one could not) tries them at once.
    deferred_timers: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<Vec<u8>, DateTime<Utc>>>>,
    /// Queued calls whose records did not read, by key: passed over by their lane until a
    /// restart (perhaps on the release that wrote them) tries them again.
    passed_over_calls: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<Vec<u8>>>>,
    /// The highest id numbered, kept outside the store too ([`high_water`]); set once the
    /// open has completed what a crash interrupted (the journal may hold a numbering).
    high_water: std::sync::Arc<std::sync::OnceLock<high_water::HighWater>>,
}

/// The outbox's ids as the runs of the bot left them: which calls an earlier run may have begun
/// with no record but their item, which this run began so, and which App Home publishes it has
/// under way.
struct Runs {
    /// Outbox ids below this were queued by an earlier run (ids only grow).
    first_id_this_run: u64,
    /// Outbox ids below this were left by a run that stopped cleanly, having recorded every
    /// call of theirs it began: one without a record never left (see [`SledStore::stopped_cleanly`]).
    never_left_below: u64,
    /// Calls this run began within [`ATTEMPT_COVERED`] of their queueing, with no record but
    /// the item: recorded at a clean stop, so the next run knows which may have left.
    begun_unrecorded: std::sync::Mutex<std::collections::HashSet<u64>>,
    /// The App Home publishes this run's deliverer has taken, until they leave the outbox (or
    /// it lets them go): one may have read its rows already, so it no longer stands for a
    /// change made since ([`SledStore::home_publish_pending`]).
    homes_under_way: std::sync::Mutex<std::collections::HashSet<u64>>,
}

/// How long the writer lock has been held in all, and how often it was taken. Whatever the
/// number of cores, the store writes no faster than one write set at a time: the rate of the
/// time held is the share of the time its writes are serial (near 1, they are the limit).
#[derive(Default)]
struct LockTime {
    held_nanos: std::sync::atomic::AtomicU64,
    holds: std::sync::atomic::AtomicU64,
}

/// A lock's time held so far ([`LockTime`]), as read at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LockTimeSoFar {
    pub held: std::time::Duration,
    pub holds: u64,
}

/// The time held so far of the two locks the store's writes pass through in turn: the writer
/// lock (a decision reads and decides; the other writes) and the applier's (a decided write
/// set is applied; an attempt recorded). Each bounds the rate of writes on its own, whatever
/// the number of cores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteLocksSoFar {
    pub writer: LockTimeSoFar,
    pub applier: LockTimeSoFar,
}

impl LockTime {
    fn add(&self, held: std::time::Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.held_nanos
            .fetch_add(u64::try_from(held.as_nanos()).unwrap_or(u64::MAX), Relaxed);
        self.holds.fetch_add(1, Relaxed);
    }

    fn so_far(&self) -> LockTimeSoFar {
        use std::sync::atomic::Ordering::Relaxed;
        LockTimeSoFar {
            held: std::time::Duration::from_nanos(self.held_nanos.load(Relaxed)),
            holds: self.holds.load(Relaxed),
        }
    }
}

/// Adds the time from the lock's taking to its letting go to [`LockTime`]: the machine's own
/// time, not the bot's injected clock, since what it measures is the work done holding it.
struct Timed<'a> {
    since: std::time::Instant,
    into: &'a LockTime,
}

impl Drop for Timed<'_> {
    fn drop(&mut self) {
        self.into.add(self.since.elapsed());
    }
}

/// The writer lock, held, with the applier's for a write other than a decision's. Its fields
/// drop in order: the time held is counted, the applier's lock is let go, then the writer
/// lock, then the waiting are told.
struct Held<'a> {
    _timed: Timed<'a>,
    _applier: Option<ApplierHeld<'a>>,
    writer: std::sync::MutexGuard<'a, Writer>,
    _tell: TellReleased<'a>,
}

/// The applier's lock, held (its fields drop in the same order as [`Held`]'s).
struct ApplierHeld<'a> {
    _timed: Timed<'a>,
    applier: std::sync::MutexGuard<'a, Applier>,
    _tell: TellReleased<'a>,
}

/// Tells the writes waiting as tasks that the lock was let go (dropped after the guard).
struct TellReleased<'a>(&'a tokio::sync::Notify);

impl Drop for TellReleased<'_> {
    fn drop(&mut self) {
        self.0.notify_waiters();
    }
}

/// What the writer lock guards besides the order of decisions.
#[derive(Default)]
struct Writer {
    /// How many write sets were decided: each set's number.
    decided: u64,
}

/// What the applier's lock guards besides the order of write sets.
#[derive(Default)]
struct Applier {
    /// The last write set that failed: one decided while it was being applied read through it,
    /// and is refused.
    failed: Option<u64>,
}

/// A decided write set while it is applied: its number and its writes, tree by tree.
struct Applying {
    set: u64,
    writes: Vec<(sled::Tree, journal::Writes)>,
}

impl Applying {
    /// The set's writes to `tree`, if it has any.
    fn to(&self, tree: &sled::Tree) -> Option<&journal::Writes> {
        self.writes.iter().find(|(t, _)| same_tree(t, tree)).map(|(_, w)| w)
    }
}

/// Whether two handles are of the same tree.
fn same_tree(a: &sled::Tree, b: &sled::Tree) -> bool {
    std::ptr::eq(&**a, &**b)
}

/// Why a read-decide-write writes nothing.
enum Stop {
    Skip(Skip),
    Failed(StoreError),
}

impl From<sled::Error> for Stop {
    fn from(e: sled::Error) -> Stop {
        Stop::Failed(e.into())
    }
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Stop {
        Stop::Failed(e)
    }
}

/// The ticket of an item whose write set is being applied: none is known yet.
const APPLYING: u64 = u64::MAX;

/// What the attempts at the calls of one message found ([`SledStore::mark_attempts`]): whether
/// each item still stands for its call, whether an attempt was recorded, and the ticket a flush
/// must cover for the items to be durable (None: they are).
struct Attempts {
    marked: Vec<bool>,
    recorded: bool,
    pending: Option<u64>,
}

/// Group commit: concurrent callers of `flush` share one fsync. A caller takes a ticket after
/// its write; whoever flushes records the newest ticket taken before it started, and every
/// caller at or below that ticket is durable without flushing again.
#[derive(Default)]
struct GroupCommit {
    tickets: std::sync::atomic::AtomicU64,
    flushed_upto: tokio::sync::Mutex<u64>,
    /// Outbox items not yet known durable: item id → the ticket taken after the write that
    /// queued it. A call whose item a flush already covered (the answer's, mostly) needs none
    /// of its own before it leaves.
    unflushed: std::sync::Mutex<std::collections::HashMap<u64, u64>>,
    /// The decisions' turns at the writer lock: a flush first lets those queued write.
    turns: Turns,
}

/// Turns at the writer lock for decisions, in order, and how many are taken or awaited.
struct Turns {
    semaphore: tokio::sync::Semaphore,
    wanted: std::sync::atomic::AtomicUsize,
}

impl Default for Turns {
    fn default() -> Turns {
        Turns {
            semaphore: tokio::sync::Semaphore::new(1),
            wanted: Default::default(),
        }
    }
}

/// A decision's turn at the writer lock, held until it has decided (its write set is then
/// applied while the next turn decides: [`SledStore::write`]).
pub(super) struct Turn<'a> {
    /// None only if the semaphore were closed, which it never is: then no wait at all.
    _permit: Option<tokio::sync::SemaphorePermit<'a>>,
    _wanted: Wanted<'a>,
}

/// One turn counted as wanted, from before its wait (so a flush starting meanwhile knows the
/// write is coming) until the write is done or the wait given up.
struct Wanted<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Wanted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Turns {
    async fn take(&self) -> Turn<'_> {
        self.wanted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let wanted = Wanted(&self.wanted);
        Turn {
            _permit: self.semaphore.acquire().await.ok(),
            _wanted: wanted,
        }
    }

    fn any_wanted(&self) -> bool {
        self.wanted.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}

impl GroupCommit {
    fn ticket(&self) -> u64 {
        self.tickets.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
    }

    /// Reserves the items a write set queues, before it is applied: until [`Self::queued`]
    /// gives them their ticket, they are [`APPLYING`] (an attempt that finds one of them in
    /// the trees waits for the applier's lock, and so for the ticket).
    fn applying(&self, items: &[u64]) {
        if items.is_empty() {
            return;
        }
        let mut unflushed = self.unflushed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        unflushed.extend(items.iter().map(|id| (*id, APPLYING)));
    }

    /// Forgets the items of a write set that failed.
    fn forget(&self, items: &[u64]) {
        let mut unflushed = self.unflushed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for id in items {
            unflushed.remove(id);
        }
    }

    /// Remembers the items a committed write queued, under a ticket taken after it.
    fn queued(&self, items: Vec<u64>) {
        if items.is_empty() {
            return;
        }
        let ticket = self.ticket();
        let mut unflushed = self.unflushed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        unflushed.extend(items.into_iter().map(|id| (id, ticket)));
    }

    /// The ticket a flush must cover for item `id` to be durable; None when one already did
    /// (or an earlier run wrote it).
    fn pending(&self, id: u64) -> Option<u64> {
        let unflushed = self.unflushed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        unflushed.get(&id).copied()
    }

    /// Makes every write at or below `ticket` durable, sharing the fsync with whoever waits.
    async fn cover(&self, ticket: u64, store: &SledStore) -> Result<(), StoreError> {
        let mut flushed_upto = self.flushed_upto.lock().await;
        if *flushed_upto >= ticket {
            return Ok(());
        }
        // Decisions taking or awaiting a turn now would each need this fsync or the next: one
        // turn taken here lets those ahead of it write first, and this fsync covers them.
        // Without it, turns flushed two to seven times as often, each fsync writing the log's
        // last page again (BENCHMARKS.md, nineteenth session).
        // The last of them is let go of its turn once it has decided, and applies its write set
        // under the applier's lock, taken before: waiting for that lock (one set's application,
        // on this thread) lets it finish too.
        if self.turns.any_wanted() {
            drop(self.turns.take().await);
            drop(store.apply_lock());
        }
        let covering = self.tickets.load(std::sync::atomic::Ordering::SeqCst);
        // Every id numbered by now was applied before the fsync begins, so is durable after it.
        let numbered = store.highest_numbered();
        store.halting(store.db.flush_async().await)?;
        *flushed_upto = covering;
        self.unflushed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, t| *t > covering);
        drop(flushed_upto);
        // After the fsync, and outside its lock: the next group's fsync need not wait for the
        // mark's rename (~50 µs on ext4 against an fsync's ~2 ms); the mark keeps its own order.
        store.mark_high_water(numbered);
        Ok(())
    }
}

/// One sled tree as a backup carries it: its name and its records in key order.
pub type TreeRecords = (Vec<u8>, Vec<(sled::IVec, sled::IVec)>);

fn millis(now: DateTime<Utc>) -> [u8; 8] {
    (now.timestamp_millis().max(0) as u64).to_be_bytes()
}

/// Stops when any of `seen` was remembered before.
fn check_unseen(events: &Overlay, seen: &[&str]) -> Result<(), Stop> {
    for key in seen {
        if events.get(key.as_bytes())?.is_some() {
            return Err(Stop::Skip(Skip::Duplicate));
        }
    }
    Ok(())
}

fn remember(events: &Overlay, seen: &[&str], now: DateTime<Utc>) {
    for key in seen {
        events.insert(key.as_bytes(), &millis(now));
    }
}

/// A record as stored: the compact form of its JSON without its null fields (see `record.rs`).
/// Each null field is an `Option` (a map of options or a `Value` would lose its nulls: the
/// stored types have none), which serde reads back as None when missing, so the record decodes
/// to the same value. Records stored as JSON, with their nulls or without, read as before.
fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    record::encode(value)
}

/// A timeline entry in the compact form of exactly what serde writes, nulls included: it reads
/// back to the same entry, so its hash (over serde's JSON of its fields) checks as before.
fn encode_entry(e: &Entry) -> Vec<u8> {
    record::encode_exact(e)
}

pub use timeline::{chunk as timeline_chunk, entries as timeline_entries, records as timeline_records};

/// A record as stored (either form) as JSON's data model: for tests and tools that look at
/// or tamper with the raw trees.
pub fn record_value(bytes: &[u8]) -> Result<serde_json::Value, StoreError> {
    decode(bytes)
}

pub(super) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    record::decode(bytes).map_err(StoreError::Corrupt)
}

/// The trouble stored under `key` from its body and its tracking record (none for a trouble the
/// previous release stored whole and nothing has moved since). A body that names another
/// trouble (records swapped by hand) does not read: the bot would show one trouble for another.
pub(super) fn assemble(key: &[u8], body: &[u8], tracking: Option<&[u8]>) -> Result<Trouble, StoreError> {
    let mut t: Trouble = decode(body)?;
    if t.id.as_str().as_bytes() != key {
        return Err(StoreError::Corrupt(format!(
            "the record stored as trouble {} is trouble {}'s",
            String::from_utf8_lossy(key),
            t.id
        )));
    }
    if let Some(tracking) = tracking {
        decode::<Tracking>(tracking)?.apply(&mut t);
    }
    Ok(t)
}

/// The trouble `id` as a decision sees it: decoded already unless this decision, or the set
/// being applied ahead of it, wrote it (then read through those writes, and not kept).
fn read_in(tx: &Trees, id: &TroubleId) -> Result<Option<Arc<Trouble>>, Stop> {
    let key = id.as_str().as_bytes();
    if tx.troubles.wrote(key) || tx.tracking.wrote(key) {
        return Ok(read_stored(tx, key)?.map(Arc::new));
    }
    if let Some(t) = tx.decoded.get(id) {
        #[cfg(debug_assertions)]
        assert_eq!(
            Some(&*t),
            read_stored(tx, key)?.as_ref(),
            "a decoded trouble is the stored one"
        );
        return Ok(Some(t));
    }
    let t = read_stored(tx, key)?.map(Arc::new);
    if let Some(t) = &t {
        tx.decoded.put(t.clone());
    }
    Ok(t)
}

fn read_stored(tx: &Trees, key: &[u8]) -> Result<Option<Trouble>, Stop> {
    let Some(body) = tx.troubles.get(key)? else {
        return Ok(None);
    };
    let tracking = tx.tracking.get(key)?;
    Ok(Some(assemble(key, &body, tracking.as_deref())?))
}

/// A lane's key prefix: its name, then 0 (names hold no 0), then each item's id.
fn lane_prefix(lane: &LaneKey) -> Vec<u8> {
    lane_key_with(lane, &[])
}

fn item_key(item: &OutboxItem) -> Vec<u8> {
    lane_key_with(&item.lane_key(), &item.id.to_be_bytes())
}

/// A lane's name, its end (0) and `rest`, in one allocation of the size they take.
fn lane_key_with(lane: &LaneKey, rest: &[u8]) -> Vec<u8> {
    let name = lane.as_str().as_bytes();
    let mut key = Vec::with_capacity(name.len() + 1 + rest.len());
    key.extend_from_slice(name);
    key.push(0);
    key.extend_from_slice(rest);
    key
}

/// The trees a decision reads and writes, by name, as it sees them.
struct Trees<'a> {
    troubles: Overlay<'a>,
    tracking: Overlay<'a>,
    timeline: Overlay<'a>,
    outbox: Overlay<'a>,
    timers: Overlay<'a>,
    channels: Overlay<'a>,
    counters: Overlay<'a>,
    events: Overlay<'a>,
    summaries: Overlay<'a>,
    index: Overlay<'a>,
    db: &'a sled::Db,
    /// The outbox ids this decision queued.
    queued: std::cell::RefCell<Vec<u64>>,
    decoded: &'a decoded::Decoded,
    /// The troubles this decision wrote, as written: decoded troubles once it is committed.
    decided: std::cell::RefCell<Vec<std::sync::Arc<Trouble>>>,
}

impl<'a> Trees<'a> {
    /// The write set, tree by tree in the order it is applied: what is pointed at before what
    /// points at it (timeline entries before the tracking that counts them, the body before its
    /// calls, timers, channel, summary and index entries), so a reader outside the lock never
    /// follows a pointer to something not there yet.
    fn into_writes(self) -> Vec<(sled::Tree, journal::Writes)> {
        [
            self.timeline,
            self.troubles,
            self.tracking,
            self.outbox,
            self.timers,
            self.channels,
            self.counters,
            self.events,
            self.summaries,
            self.index,
        ]
        .into_iter()
        .map(Overlay::into_writes)
        .filter(|(_, w)| !w.is_empty())
        .collect()
    }
}

/// Writes one decision into the write set. `before` is the trouble as the decision found it:
/// only the parts that changed are written (most delivery results move its [`Tracking`] alone).
fn write_decision(
    tx: &Trees,
    d: &Decision,
    before: Option<&Trouble>,
    trouble_for_calls: Option<&TroubleId>,
    now: DateTime<Utc>,
) -> Result<(), Stop> {
    let Trees {
        troubles,
        tracking,
        timeline,
        outbox,
        timers,
        channels,
        summaries,
        index,
        ..
    } = tx;
    if let Some(t) = &d.trouble {
        let key = t.id.as_str().as_bytes();
        let same_body = before.is_some_and(|b| b.same_body(t));
        if !same_body {
            troubles.insert(key, encode(&t.body()));
        }
        let tracked = Tracking::of(t);
        // A body written leaves out what its tracking record holds: a trouble stored whole (by
        // v0.1) has none yet, and gets one with its first body written apart, or its channel,
        // message links and timeline count would be lost with the whole record.
        let moved = before.is_none_or(|b| Tracking::of(b) != tracked);
        if moved || (!same_body && tracking.get(key)?.is_none()) {
            tracking.insert(key, encode(&tracked));
        }
        // Most delivery results move a message's ts alone: nothing the indexes file moved.
        if !same_body || before.is_some_and(|b| !super::index::files_alike(b, t)) {
            super::index::write_sled(index, t)?;
            let summary = t.is_open().then(|| TroubleSummary::from(t));
            let summary_before = before.filter(|b| b.is_open()).map(TroubleSummary::from);
            if before.is_none() || summary != summary_before {
                match summary {
                    Some(s) => summaries.insert(key, encode(&s)),
                    None => summaries.remove(key),
                }
            }
        }
        if let Some(c) = &t.channel {
            if before.is_none_or(|b| b.channel.as_ref() != Some(c)) {
                channels.insert(c.as_str().as_bytes(), key);
            }
        }
        // A deleted channel (the trouble gets a new one) no longer leads to the trouble.
        if let Some(old) = before
            .and_then(|b| b.channel.as_ref())
            .filter(|old| t.channel.as_ref() != Some(*old))
        {
            channels.remove(old.as_str().as_bytes());
        }
        tx.decided.borrow_mut().push(std::sync::Arc::new(t.clone()));
    }
    for e in &d.entries {
        timeline::append(timeline, e, encode_entry(e))?;
    }
    let trouble_id = d.trouble.as_ref().map(|t| &t.id).or(trouble_for_calls);
    for Delivery { lane, op } in &d.deliveries {
        let id = tx.db.generate_id()?;
        let item = OutboxItem {
            id,
            trouble: trouble_id.cloned(),
            lane: *lane,
            op: op.clone(),
            created_at: now,
            attempt_started_at: None,
            marked_as: None,
        };
        outbox.insert(item_key(&item), encode(&item));
        tx.queued.borrow_mut().push(id);
    }
    for timer in &d.timers {
        // The same timer set again is stored once: a copy an earlier release stored leaves.
        let earlier = super::timer_key(timer);
        if timers.get(&earlier)?.is_some() {
            timers.remove(earlier);
        }
        timers.insert(timer_key(timer), encode(timer));
    }
    Ok(())
}

/// A timer's key: its due time, trouble and kind ([`timer_key_with`]), the kind in the compact
/// form of the store's records (a few bytes where its JSON took 20-45, in a key written to the
/// timers' leaves, the journal and the removal). Earlier releases wrote the kind as JSON
/// ([`super::timer_key`]): [`waiting_timer_key`] finds a timer stored either way.
fn timer_key(timer: &Timer) -> Vec<u8> {
    timer_key_with(timer, &encode(&timer.kind))
}

/// The key `timer` waits under, if it waits: its own, or the one an earlier release gave it.
fn waiting_timer_key(timers: &Overlay, timer: &Timer) -> Result<Option<Vec<u8>>, sled::Error> {
    let key = timer_key(timer);
    if timers.get(&key)?.is_some() {
        return Ok(Some(key));
    }
    let earlier = super::timer_key(timer);
    Ok(timers.get(&earlier)?.map(|_| earlier))
}

/// An outbox key's id (its last eight bytes), with the key.
fn outbox_id(key: sled::IVec) -> Result<(u64, sled::IVec), StoreError> {
    let id = key
        .len()
        .checked_sub(8)
        .and_then(|at| key[at..].try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| StoreError::Corrupt("outbox key without id".into()))?;
    Ok((id, key))
}

/// In sled's default tree (no other record is kept there) while the summaries were built
/// without a trouble whose record did not read, by the release before `LEFT_OUT`: they are
/// built again at the next start.
const SUMMARIES_INCOMPLETE: &[u8] = b"summaries:incomplete";

/// In sled's default tree once the summaries are built: a store whose troubles are all closed
/// (no summary) is not walked again at each start to find that out.
const SUMMARIES_BUILT: &[u8] = b"summaries:built";
/// In sled's default tree once every open trouble's summary carries the start of the trouble's
/// summary (`TroubleSummary::summary`, which earlier releases did not keep).
const SUMMARY_STARTS_ADDED: &[u8] = b"summaries:summary starts";
/// In sled's default tree once every open trouble's summary carries what its customer update's
/// due time counts from (`TroubleSummary::cadence`, which earlier releases did not keep).
const SUMMARY_CADENCES_ADDED: &[u8] = b"summaries:cadences";
/// In sled's default tree after a clean stop: outbox ids below it with no attempt recorded
/// never left (see [`SledStore::stopped_cleanly`]). Raised by each clean stop.
const STOPPED_CLEANLY_BELOW: &[u8] = b"stopped cleanly below";

/// In sled's default tree, `LEFT_OUT` ++ a trouble's id for each trouble a build at start (the
/// read indexes, the summaries) left out because its record did not read: filed at a later
/// start once it reads (`SledStore::file_left_out`), where otherwise everything would be built
/// again at every start (tens of seconds at 100,000 troubles) for the one that does not.
const LEFT_OUT: &[u8] = b"left out:";

/// How large a leaf of the trees of small records (the index, tracking, channels, summaries,
/// counters) grows before it splits (see `SledStore::open`).
const SMALL_RECORD_LEAF_BYTES: u64 = 2048;

/// How many changes a page of those trees gathers as fragments before sled writes it whole
/// again (sled's own rule: ten; see `SledStore::open`).
const SMALL_RECORD_CONSOLIDATE_AFTER: usize = 100;

/// The same two for the queues (outbox, timers, request keys), whose keys come and go.
const QUEUE_LEAF_BYTES: u64 = 4096;
const QUEUE_CONSOLIDATE_AFTER: usize = 50;

/// How many changes a page of the troubles' and timelines' trees gathers before sled writes it
/// whole again: fewer than the small records' hundred or the queues' fifty, since `/trouble list`
/// and `history` read those pages, and a page sled fetches from disk applies each fragment with
/// a read of its own.
const READ_TREE_CONSOLIDATE_AFTER: usize = 20;

/// A graceful stop moves the records out of log segments at most this full (percent live)...
const TIDY_BELOW_PERCENT: usize = 80;
/// ...for at most this long: a few ms at the bench's sizes; at 100,000 troubles, where nearly
/// every segment qualifies, it would take far longer than a stop should.
const TIDY_BUDGET: std::time::Duration = std::time::Duration::from_millis(250);

impl SledStore {
    /// Whether `dir` holds a store (sled's data file in `dir/db`). The admin commands ask first
    /// and refuse a directory without one: `open` would create an empty store there, and an
    /// empty store verifies, backs up and restores as if it were the bot's. An error is one
    /// other than none there (a directory the caller may not read: not to be said as empty).
    pub fn holds_store(dir: &Path) -> std::io::Result<bool> {
        match std::fs::metadata(dir.join("db").join("db")) {
            Ok(meta) => Ok(meta.is_file()),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        create_private_dir(dir).map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
        let db = sled::Config::new()
            .path(dir.join("db"))
            .cache_capacity(16 * 1024 * 1024)
            .flush_every_ms(Some(500))
            .open()?;
        let store = SledStore {
            troubles: db.open_tree("troubles")?,
            tracking: db.open_tree("tracking")?,
            timeline: db.open_tree("timeline")?,
            outbox: db.open_tree("outbox")?,
            timers: db.open_tree("timers")?,
            channels: db.open_tree("channels")?,
            counters: db.open_tree("counters")?,
            events: db.open_tree("events")?,
            home_viewers: db.open_tree("home_viewers")?,
            summaries: db.open_tree("summaries")?,
            index: db.open_tree("index")?,
            search: Default::default(),
            group_commit: Default::default(),
            journal: db.open_tree("journal")?,
            decoded: Default::default(),
            runs: std::sync::Arc::new(Runs {
                first_id_this_run: db.generate_id()?,
                // It stands until the next clean stop raises it, whatever this run does: every
                // attempt this run makes at an earlier run's call is recorded.
                never_left_below: db
                    .get(STOPPED_CLEANLY_BELOW)?
                    .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
                    .unwrap_or(0),
                begun_unrecorded: Default::default(),
                homes_under_way: Default::default(),
            }),
            writer: Default::default(),
            applier: Default::default(),
            applying: Default::default(),
            released: Default::default(),
            lock_time: Default::default(),
            apply_time: Default::default(),
            halted: Default::default(),
            deferred_timers: Default::default(),
            passed_over_calls: Default::default(),
            high_water: Default::default(),
            db,
        };
        // The trees of many small records keep leaves of up to 2 KB rather than sixteen
        // entries: sled's page table, which lives in memory, has an entry per leaf, and at
        // 100,000 troubles this took the bot's resident memory from ~65 to ~56 MB (at 4 KB;
        // 2 KB costs ~2 MB more, 1 KB ~9 MB). A change to one of those leaves is a fragment of
        // a few dozen bytes, and sled rewrote the leaf whole at every tenth: they wait for the
        // hundredth. An open's index keys and its deliveries' tracking records land in leaves
        // all over those trees, each rewritten whole in the end, so the smaller the leaf and
        // the rarer its rewrite, the less an open writes: with its deliveries, 27-32 KB at
        // sled's rule, 20-24 KB in 4 KB leaves at the fiftieth, and since the twentieth session
        // ~13 KB at c=64 instead of ~15.7 (BENCHMARKS.md). A page of theirs read from disk
        // applies up to a hundred fragments; at 100,000 troubles the reads of App Home,
        // history, search and stats stayed within their spread.
        //
        // The queues (outbox, timers, events) keep 4 KB at the fiftieth: with sixteen entries
        // a leaf, an open's eleven calls (its lanes' keys side by side) split a leaf and their
        // removals merged it back, each writing the leaf whole; in 4 KB the calls in flight
        // mostly share one leaf that only takes fragments (the open wrote 18-19 KB instead of
        // 20-21 at c=1; in 2 KB or 1 KB leaves it wrote ~1-2 KB more again). Not the
        // troubles and their timelines: a read of a page sled fetches from disk applies its
        // fragments one read each, and at 100,000 troubles `/trouble list` went from ~1 ms to
        // 6-14 ms p99 when those trees took part. Nor the journal: it holds one record at a time.
        //
        // The troubles and timelines keep sled's leaves, and gather twenty fragments rather than
        // ten (a body's change, a chunk's appended entry: edits of a few dozen bytes since sled
        // item 11): the open wrote 16.9-17.3 KB at c=1 instead of 18.1-18.4; their reads at
        // 100,000 troubles stayed in their spread (list 1.1-2.3 ms, history 6-10 ms p99).
        for tree in [
            &store.index,
            &store.tracking,
            &store.channels,
            &store.summaries,
            &store.counters,
        ] {
            tree.set_leaf_split_bytes(SMALL_RECORD_LEAF_BYTES);
            tree.set_consolidate_after(SMALL_RECORD_CONSOLIDATE_AFTER);
        }
        for tree in [&store.outbox, &store.timers, &store.events] {
            tree.set_leaf_split_bytes(QUEUE_LEAF_BYTES);
            tree.set_consolidate_after(QUEUE_CONSOLIDATE_AFTER);
        }
        for tree in [&store.troubles, &store.timeline] {
            tree.set_consolidate_after(READ_TREE_CONSOLIDATE_AFTER);
        }
        let replayed = journal::replay(&store.db, &store.journal)?;
        if replayed > 0 {
            tracing::warn!(replayed, "writes a crash interrupted were completed from the journal");
        }
        // Those left out at an earlier start first: what is built below leaves out again only
        // the troubles whose record does not read now.
        store.file_left_out()?;
        let mut left_out: Vec<Vec<u8>> = Vec::new();
        let summaries_built = store.db.contains_key(SUMMARIES_BUILT)? || !store.summaries.is_empty();
        let summaries_due =
            !summaries_built && !store.troubles.is_empty() || store.db.contains_key(SUMMARIES_INCOMPLETE)?;
        if summaries_due {
            left_out.extend(store.rebuild_summaries()?);
        }
        if !store.db.contains_key(SUMMARY_STARTS_ADDED)? {
            store.add_summary_starts()?;
            store.db.insert(SUMMARY_STARTS_ADDED, &[])?;
        }
        if !store.db.contains_key(SUMMARY_CADENCES_ADDED)? {
            store.add_summary_cadences()?;
            store.db.insert(SUMMARY_CADENCES_ADDED, &[])?;
        }
        let index_due = !super::index::sled_is_built(&store.index)?;
        if index_due {
            let unread = super::index::build_sled(&store.index, &store.troubles, &store.tracking)?;
            left_out.extend(unread.iter().map(|key| key.to_vec()));
        }
        super::index::build_sled_unsure(&store.index)?;
        super::index::build_sled_waiting(&store.index)?;
        // These two passes mark themselves done in the write of what they built, so a trouble
        // they leave out is noted as it is met, before that write.
        let note_left_out = |id: &TroubleId| -> Result<(), StoreError> {
            store.db.insert([LEFT_OUT, id.as_str().as_bytes()].concat(), &[])?;
            Ok(())
        };
        // A value its build left at its flag is judged from the trouble's body meanwhile.
        super::index::build_sled_viewers(&store.index, |id| store.get(id), note_left_out)?;
        super::index::build_sled_forced_rows(&store.index, |id| store.get(id), note_left_out)?;
        // What was left out is noted before the builds are marked done: a crash in between
        // builds them again rather than lose those troubles from the lists for good.
        for id in left_out {
            store.db.insert([LEFT_OUT, &id].concat(), &[])?;
        }
        if summaries_due {
            store.db.remove(SUMMARIES_INCOMPLETE)?;
        }
        store.db.insert(SUMMARIES_BUILT, &[])?;
        if index_due {
            super::index::mark_sled_built(&store.index)?;
        }
        store.open_high_water(dir)?;
        Ok(store)
    }

    /// Moves the live records out of the log's sparse segments (sled's `Tree::tidy_log`, a
    /// change of ours), for at most [`TIDY_BUDGET`]; the pages moved. A moved page is written
    /// whole, so its older fragments in other segments die with the move and may leave those
    /// sparse in turn: after a flush (which brings sled's count of what is live up to date) it
    /// passes again, until a pass moves nothing. The next flush makes the last moves durable.
    /// sled's flusher thread cleans from the same queue meanwhile: the pages it moved are not
    /// counted.
    pub fn tidy_log(&self) -> Result<usize, StoreError> {
        self.tidy_log_within(TIDY_BUDGET)
    }

    /// [`SledStore::tidy_log`] for at most `budget`.
    fn tidy_log_within(&self, budget: std::time::Duration) -> Result<usize, StoreError> {
        let started = std::time::Instant::now();
        let mut moved = 0;
        while let Some(left) = budget.checked_sub(started.elapsed()) {
            match self.db.tidy_log(TIDY_BELOW_PERCENT, left)? {
                0 => break,
                pass => moved += pass,
            }
            self.db.flush()?;
        }
        Ok(moved)
    }

    /// Makes everything written so far durable (fsync). Called before answering Slack.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let mine = self.group_commit.ticket();
        self.group_commit.cover(mine, self).await
    }

    pub fn get(&self, id: &TroubleId) -> Result<Option<Trouble>, StoreError> {
        Ok(self.shared(id)?.map(Arc::unwrap_or_clone))
    }

    /// The trouble as stored, shared with the decoded cache when it is there: a delivery reads
    /// its trouble for every Slack call, and a copy of it each time cost more than the read.
    pub fn shared(&self, id: &TroubleId) -> Result<Option<Arc<Trouble>>, StoreError> {
        if let Some(t) = self.decoded.get(id) {
            return Ok(Some(t));
        }
        let key = id.as_str().as_bytes();
        let Some(body) = self.troubles.get(key)? else {
            return Ok(None);
        };
        assemble(key, &body, self.tracking.get(key)?.as_deref()).map(|t| Some(Arc::new(t)))
    }

    pub fn by_channel(&self, channel: &ChannelId) -> Result<Option<TroubleId>, StoreError> {
        Ok(self
            .channels
            .get(channel.as_str().as_bytes())?
            .map(|b| TroubleId::new(String::from_utf8_lossy(&b).into_owned())))
    }

    /// Every trouble; one whose record does not read fails the whole read (a copy of the store
    /// must not leave one out).
    pub fn all_troubles(&self) -> Result<Vec<Trouble>, StoreError> {
        self.troubles_where(|_| true)?.whole()
    }

    /// The troubles `keep` keeps, each decoded and dropped in turn: a walk over every trouble
    /// that holds no more of them in memory than it returns. A record that does not read is
    /// named and passed over.
    pub fn troubles_where(&self, keep: impl Fn(&Trouble) -> bool) -> Result<Walked, StoreError> {
        // Both trees are in id order, and every tracking record has its body: walk them side by
        // side rather than looking each tracking record up.
        let mut tracking = self.tracking.iter().peekable();
        let mut walked = Walked::default();
        for record in self.troubles.iter() {
            let (key, body) = record?;
            while tracking.next_if(|r| r.as_ref().is_ok_and(|(k, _)| *k < key)).is_some() {}
            let own = match tracking.next_if(|r| r.as_ref().map_or(true, |(k, _)| *k == key)) {
                Some(r) => Some(r?.1),
                None => None,
            };
            match assemble(&key, &body, own.as_deref()) {
                Ok(t) if keep(&t) => walked.troubles.push(t),
                Ok(_) => {}
                Err(e) => walked.unreadable.push(Unreadable::new(&key, e)),
            }
        }
        Ok(walked)
    }

    /// The open troubles, from the summary index.
    pub fn open_summaries(&self) -> Result<Vec<TroubleSummary>, StoreError> {
        self.summaries.iter().values().map(|v| decode(&v?)).collect()
    }

    /// The `/trouble list` summaries of `ids`, in that order (a closed one is left out).
    pub fn summaries_of(&self, ids: &[TroubleId]) -> Result<Vec<TroubleSummary>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let summary = self
                .summaries
                .get(id.as_str().as_bytes())?
                .map(|v| decode(&v))
                .transpose();
            found.extend(super::readable(id.as_str(), summary)?);
        }
        Ok(found)
    }

    /// Builds the summary index from the troubles (a store written before it existed); the
    /// keys of the troubles left out because their record does not read.
    fn rebuild_summaries(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        let walked = self.troubles_where(Trouble::is_open)?;
        for u in &walked.unreadable {
            u.left_out_of("the open troubles' summaries");
        }
        for t in walked.troubles {
            self.summaries
                .insert(t.id.as_str().as_bytes(), encode(&TroubleSummary::from(&t)))?;
        }
        Ok(walked.unreadable.into_iter().map(|u| u.key).collect())
    }

    /// Gives the summaries an earlier release wrote the start of their trouble's summary, so
    /// `/trouble list` tells two troubles of one customer apart from the upgrade on, not from
    /// each trouble's next change of what the list shows: once, over the open troubles only.
    /// One whose summary or record does not read is left as it is (the list passes it over,
    /// or shows it without).
    fn add_summary_starts(&self) -> Result<(), StoreError> {
        let needs = |kept: &TroubleSummary| kept.summary.is_empty();
        self.fill_summaries("the start of their summary", needs, |kept, t| {
            // The start alone: the rest of the row stays as its trouble's last write left it.
            kept.summary = crate::trouble::model::summary_start(&t.summary);
            !kept.summary.is_empty()
        })
    }

    /// Gives the summaries an earlier release wrote what their customer update's due time counts
    /// from, so `/trouble list` marks an overdue update from the upgrade on: the troubles whose
    /// customer has waited longest are the ones no change would rewrite. Once, over the open
    /// troubles only; one whose record does not read is left without (shown unmarked).
    fn add_summary_cadences(&self) -> Result<(), StoreError> {
        let needs = |kept: &TroubleSummary| kept.cadence.is_none();
        self.fill_summaries("their customer update's cadence", needs, |kept, t| {
            kept.cadence = Some(crate::trouble::model::CadenceBasis::of(t));
            true
        })
    }

    /// Rewrites each open trouble's summary that `fill` completes from its trouble's record (it
    /// says whether it did); a summary `needs` nothing of is passed over before the record is
    /// read. `what` names the field in the log line.
    fn fill_summaries(
        &self,
        what: &str,
        needs: impl Fn(&TroubleSummary) -> bool,
        fill: impl Fn(&mut TroubleSummary, &Trouble) -> bool,
    ) -> Result<(), StoreError> {
        let mut added = 0usize;
        for entry in self.summaries.iter() {
            let (key, value) = entry?;
            let Ok(mut kept) = decode::<TroubleSummary>(&value) else {
                continue;
            };
            if !needs(&kept) {
                continue;
            }
            let Ok(Some(t)) = self.get(&kept.id) else {
                continue;
            };
            if fill(&mut kept, &t) {
                self.summaries.insert(key, encode(&kept))?;
                added += 1;
            }
        }
        if added > 0 {
            tracing::info!(added, "the open troubles' list rows now carry {what}");
        }
        Ok(())
    }

    /// Files each trouble a build at an earlier start left out whose record reads now: its
    /// index entries and summary, written as a write of the trouble writes them, so that
    /// `/trouble list`, App Home, search and stats count it as before. One that still does not
    /// read is named in the log and looked at again at the next start.
    fn file_left_out(&self) -> Result<(), StoreError> {
        for marker in self.db.scan_prefix(LEFT_OUT).keys() {
            let marker = marker?;
            let key = &marker[LEFT_OUT.len()..];
            let id = TroubleId::new(String::from_utf8_lossy(key));
            match self.get(&id) {
                Ok(Some(t)) => {
                    // In one batch: the counts it moves and the entry that says it is filed
                    // land together, so a crash cannot count it twice at the next try.
                    let index = Overlay::over(&self.index, None);
                    super::index::write_sled(&index, &t)?;
                    let mut batch = sled::Batch::default();
                    for (key, value) in index.into_writes().1 {
                        match value {
                            Some(value) => batch.insert(key, value),
                            None => batch.remove(key),
                        }
                    }
                    self.index.apply_batch(batch)?;
                    if t.is_open() {
                        self.summaries.insert(key, encode(&TroubleSummary::from(&t)))?;
                    } else {
                        self.summaries.remove(key)?;
                    }
                    tracing::info!(trouble = %t.id, "a trouble whose record reads again is listed and counted as before");
                }
                // Gone (restored from a backup without it, say): nothing to file.
                Ok(None) => {}
                Err(e @ StoreError::Corrupt(_)) => {
                    Unreadable::new(key, e).left_out_of("the read indexes and summaries");
                    continue;
                }
                Err(e) => return Err(e),
            }
            self.db.remove(&marker)?;
        }
        Ok(())
    }

    /// Kept on write by the index: no scan.
    pub fn trouble_count(&self) -> usize {
        super::index::sled_counts(&self.index).map_or(0, |c| c.troubles as usize)
    }

    /// The read indexes, for `index.rs`'s reads.
    pub(crate) fn index_tree(&self) -> &sled::Tree {
        &self.index
    }

    pub(super) fn search_cache(&self) -> &super::index::SearchCache {
        &self.search
    }

    /// Tells the search cache which trouble a committed decision wrote.
    fn committed(&self, decision: &Result<Result<Decision, Skip>, StoreError>) {
        if let Ok(Ok(Decision { trouble: Some(t), .. })) = decision {
            self.search.touched(&t.id);
        }
    }

    pub fn timeline(&self, id: &TroubleId) -> Result<Vec<Entry>, StoreError> {
        let mut entries = Vec::new();
        for value in self.timeline.scan_prefix(timeline::prefix(id)).values() {
            entries.extend(timeline_entries(&value?)?);
        }
        Ok(entries)
    }

    /// Raw access for tests that tamper on purpose (a value holds one entry or a chunk of
    /// several: see [`timeline_records`]).
    pub fn timeline_tree(&self) -> &sled::Tree {
        &self.timeline
    }

    /// Waits, yielding, for a turn at the writer lock: a decision's write (an open, a command,
    /// a delivery's result, a timer) takes one, so that while another decision holds the lock
    /// it waits as a task, and its worker thread goes on serving requests and Slack calls,
    /// instead of the thread itself blocking on the mutex (on two workers, one write in
    /// progress could stall every other task). The turns go in order, opens and deliveries'
    /// results alike. The lock stays the one guard; the brief writes of the deliverer (an
    /// attempt marked, an item removed) take it without a turn (an attempt waits for it as a
    /// task all the same: [`Self::lock_when_free`]): queued behind every decision
    /// waiting, each Slack call would wait twice for the whole queue, and under `wrk`'s open
    /// load the deliveries fell behind the opens (three calls made per open within the window
    /// instead of six). A turn is taken before the lock, never while holding it.
    pub(super) async fn turn(&self) -> Turn<'_> {
        self.group_commit.turns.take().await
    }

    /// Both locks, refused once writes were halted ([`Self::halt`]): for a write other than a
    /// decision's, which then finds no write set being applied.
    fn lock(&self) -> Result<Held<'_>, StoreError> {
        let held = self.hold();
        self.unless_halted()?;
        Ok(held)
    }

    /// Both locks, waited for on this thread, whether or not writes were halted. The writer
    /// lock's time held is counted from when both are held: its wait for the applier's is the
    /// applier's time, not work of its own.
    fn hold(&self) -> Held<'_> {
        let writer = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let applier = self.apply_lock();
        self.held(writer, Some(applier))
    }

    /// The writer lock alone, for a decision: the write set decided before it may still be
    /// being applied.
    fn decide_lock(&self) -> Held<'_> {
        self.held(
            self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            None,
        )
    }

    /// The applier's lock, waited for on this thread: the write set ahead is applied.
    fn apply_lock(&self) -> ApplierHeld<'_> {
        self.applier_held(self.applier.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The applier's lock alone, refused once writes were halted, for an attempt that must be
    /// recorded or whose item's write set is still being applied ([`Self::attempts`]): no
    /// decision reads an item it did not queue, and only the deliverer, one call of a lane at
    /// a time, marks or removes one, so an attempt need not keep the next decision waiting.
    /// While another write holds the lock, waits as a task (its worker goes on with requests
    /// and calls) instead of blocking its thread. It takes no turn: behind every decision queued, each Slack call
    /// would wait for the whole queue (BENCHMARKS.md, eighteenth session); it tries again each
    /// time a lock is let go.
    async fn apply_lock_when_free(&self) -> Result<ApplierHeld<'_>, StoreError> {
        loop {
            let released = self.released.notified();
            let mut released = std::pin::pin!(released);
            // Listening before trying, so a release between the two is not missed.
            released.as_mut().enable();
            {
                let guard = match self.applier.try_lock() {
                    Ok(guard) => Some(guard),
                    Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                    Err(std::sync::TryLockError::WouldBlock) => None,
                };
                if let Some(guard) = guard {
                    let held = self.applier_held(guard);
                    self.unless_halted()?;
                    return Ok(held);
                }
            }
            released.await;
        }
    }

    fn held<'a>(&'a self, writer: std::sync::MutexGuard<'a, Writer>, applier: Option<ApplierHeld<'a>>) -> Held<'a> {
        Held {
            _timed: Timed {
                since: std::time::Instant::now(),
                into: &self.lock_time,
            },
            _applier: applier,
            writer,
            _tell: TellReleased(&self.released),
        }
    }

    fn applier_held<'a>(&'a self, applier: std::sync::MutexGuard<'a, Applier>) -> ApplierHeld<'a> {
        ApplierHeld {
            _timed: Timed {
                since: std::time::Instant::now(),
                into: &self.apply_time,
            },
            applier,
            _tell: TellReleased(&self.released),
        }
    }

    /// Refused once writes were halted ([`Self::halt`]).
    fn unless_halted(&self) -> Result<(), StoreError> {
        match self.halted.get() {
            Some(why) => Err(StoreError::Halted(why.clone())),
            None => Ok(()),
        }
    }

    /// Why writes stopped, once they did ([`Self::halt`]).
    pub fn halted(&self) -> Option<&str> {
        self.halted.get().map(String::as_str)
    }

    /// Stops every later write, decision and delivery until a restart, with the first
    /// failure's reason. After a journalled write set failed halfway, writing on would let
    /// the record's replay at the next open undo later writes; after any failed write or
    /// flush, sled itself refuses every later write (an I/O error stays its answer), and a
    /// Slack call made meanwhile could not be recorded, so it would be made again and again
    /// (a channel created over and over, each under a new name). A restart replays the
    /// journal and delivers what is queued, looking each call up first.
    fn halt(&self, error: &sled::Error) {
        if self.halted.set(error.to_string()).is_ok() {
            tracing::error!(
                %error,
                "a write to the store failed: writes, timers and Slack calls stop until a restart, which completes what was begun"
            );
        }
    }

    /// `result`, halting the store when it is a failed write ([`Self::halt`]).
    fn halting<T>(&self, result: sled::Result<T>) -> Result<T, StoreError> {
        result.map_err(|e| {
            self.halt(&e);
            StoreError::Sled(e)
        })
    }

    /// The trees as a decision sees them, with nothing written yet: through `applying`, the
    /// write set decided before it and being applied meanwhile.
    fn overlays<'a>(&'a self, applying: Option<&'a Applying>) -> Trees<'a> {
        let over = |tree: &'a sled::Tree| Overlay::over(tree, applying.and_then(|a| a.to(tree)));
        Trees {
            troubles: over(&self.troubles),
            tracking: over(&self.tracking),
            timeline: over(&self.timeline),
            outbox: over(&self.outbox),
            timers: over(&self.timers),
            channels: over(&self.channels),
            counters: over(&self.counters),
            events: over(&self.events),
            summaries: over(&self.summaries),
            index: over(&self.index),
            db: &self.db,
            queued: Default::default(),
            decoded: &self.decoded,
            decided: Default::default(),
        }
    }

    /// The write set being applied now, if any.
    fn applying_now(&self) -> Option<Arc<Applying>> {
        self.applying
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_applying(&self, set: Option<Arc<Applying>>) {
        *self.applying.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = set;
    }

    /// Reads, decides and writes: `f` reads through the overlays and writes into them; nothing
    /// reaches the trees unless it returns Ok, and then all of it.
    ///
    /// In two stages, each under a lock of its own. Under the writer lock, `f` decides and the
    /// write set and its journal record are made, reading through the set decided before (still
    /// being applied, perhaps). Then the applier's lock is taken, which waits for that set to be
    /// applied, and the writer lock and `turn` are let go: the next decision decides while this
    /// set is applied. So a set applies only after every set decided before it, its journal
    /// record is written after the record before it was removed (one record at a time, as
    /// `journal.rs` argues from), the outbox ids it queued follow every id queued before, and
    /// the group commit's ticket is taken once it is applied. On two cores under the bench's
    /// open load, each stage took about half of what the one lock held (BENCHMARKS.md,
    /// twenty-fourth session).
    fn write<R>(
        &self,
        turn: Option<Turn<'_>>,
        f: impl FnOnce(&Trees) -> Result<R, Stop>,
    ) -> Result<Result<R, Skip>, StoreError> {
        let deciding = self.decide_lock();
        let ahead = self.applying_now();
        let trees = self.overlays(ahead.as_deref());
        let r = match f(&trees) {
            Ok(r) => r,
            Err(Stop::Skip(skip)) => {
                // Skipped for what the set ahead wrote, perhaps (a request key): answered once
                // that is applied, as a decision's answer is.
                drop((trees, deciding, turn));
                if ahead.is_some() {
                    drop(self.apply_lock());
                }
                return Ok(Err(skip));
            }
            Err(Stop::Failed(e)) => return Err(e),
        };
        let queued = trees.queued.take();
        let decided = trees.decided.take();
        let writes = trees.into_writes();
        let record = self.journal_record(&writes, ahead.as_deref())?;
        let Held {
            _timed: deciding_time,
            mut writer,
            _tell: tell,
            ..
        } = deciding;
        writer.decided += 1;
        let set = Arc::new(Applying {
            set: writer.decided,
            writes,
        });
        // The wait for the set ahead is the applier's time, not this decision's work.
        drop(deciding_time);
        let mut applier = self.apply_lock();
        let refused = self.unless_halted().and_then(|()| {
            match ahead.as_ref().filter(|a| applier.applier.failed == Some(a.set)) {
                Some(_) => Err(StoreError::Sled(sled::Error::Unsupported(
                    "the write this decision read through failed; nothing of it was written".into(),
                ))),
                None => Ok(()),
            }
        });
        if let Err(e) = refused {
            // It may have kept troubles it read through the failed set.
            self.decoded.clear();
            return Err(e);
        }
        self.set_applying(Some(set.clone()));
        drop((ahead, writer, tell, turn));
        self.group_commit.applying(&queued);
        let committed = self.commit(record, &set.writes);
        match &committed {
            Ok(()) => {
                for t in decided {
                    self.decoded.put(t);
                }
            }
            Err(_) => {
                applier.applier.failed = Some(set.set);
                self.decoded.clear();
                self.group_commit.forget(&queued);
            }
        }
        self.set_applying(None);
        committed?;
        // Under the applier's lock: an attempt that found one of these items still reserved
        // (`APPLYING`) waits for this lock, and then finds its ticket (so it cannot wrongly take
        // the item for durable).
        self.group_commit.queued(queued);
        drop(applier);
        Ok(Ok(r))
    }

    /// Writes a write set atomically: through its journal `record`, when it has one (see
    /// [`Self::journal_record`]).
    fn commit(&self, record: Option<Vec<u8>>, writes: &[(sled::Tree, journal::Writes)]) -> Result<(), StoreError> {
        let Some(record) = record else {
            return self.halting(journal::apply(writes));
        };
        let key = self.halting(self.db.generate_id())?.to_be_bytes();
        self.halting(self.journal.insert(key, record))?;
        self.halting(journal::apply(writes).and_then(|()| self.journal.remove(key).map(drop)))
    }

    /// The journal record of a write set ([`journal::record`]), with each key's value before
    /// it as the decision saw it (`ahead`: the set being applied before it). None for one key,
    /// or for the tracking of a trouble and the removal of its delivered item (a crash between
    /// leaves the item to be delivered again: found in Slack by its metadata and recorded the
    /// same way): those are applied without a record. An outbox put is always a new item: its
    /// id is fresh (`generate_id`), and items are rewritten only by `mark_attempts`, outside
    /// write sets.
    fn journal_record(
        &self,
        writes: &[(sled::Tree, journal::Writes)],
        ahead: Option<&Applying>,
    ) -> Result<Option<Vec<u8>>, sled::Error> {
        let keys: usize = writes.iter().map(|(_, w)| w.len()).sum();
        let result_alone = matches!(writes, [(tracking, t), (outbox, o)]
            if same_tree(tracking, &self.tracking) && same_tree(outbox, &self.outbox)
                && t.len() == 1 && o.len() == 1 && o.values().all(Option::is_none));
        if keys <= 1 || result_alone {
            return Ok(None);
        }
        journal::record(writes, |tree, key, value| {
            if same_tree(tree, &self.outbox) && value.is_some() {
                return Ok(None);
            }
            journal::stored(tree, ahead.and_then(|a| a.to(tree)), key)
        })
        .map(Some)
    }

    /// Opens a trouble: allocates the day's next id and writes what `decide` returns for it,
    /// with the request keys `seen`, all in one atomic write (skipped when a key was seen).
    pub(super) fn open_trouble(
        &self,
        turn: Option<Turn<'_>>,
        day: &str,
        seen: &[&str],
        now: DateTime<Utc>,
        decide: impl Fn(TroubleId, u32) -> Decision,
    ) -> Result<Result<Decision, Skip>, StoreError> {
        let mut given = None;
        let result = self.write(turn, |tx| {
            check_unseen(&tx.events, seen)?;
            let counters = &tx.counters;
            let seq = counters
                .get(day.as_bytes())?
                .map(|b| u32::from_be_bytes(b.as_ref().try_into().unwrap_or([0; 4])))
                .unwrap_or(0)
                + 1;
            let id = TroubleId::new(format!("{day}-{seq}"));
            let decision = decide(id, seq);
            if decision.trouble.is_some() {
                counters.insert(day.as_bytes(), &seq.to_be_bytes());
                write_decision(tx, &decision, None, None, now)?;
                remember(&tx.events, seen, now);
                given = Some(seq);
            }
            Ok(decision)
        });
        self.committed(&result);
        if let (Ok(Ok(_)), Some(seq)) = (&result, given) {
            self.numbered(day, seq);
        }
        result
    }

    /// Reads the trouble, lets `decide` decide, writes the result: one atomic write, skipped
    /// when any of `seen` was remembered before; the keys are remembered in the same write as a
    /// decision that changed something, and `done` leaves the outbox in it.
    pub(super) fn transact(
        &self,
        turn: Option<Turn<'_>>,
        id: &TroubleId,
        seen: &[&str],
        done: Option<&OutboxItem>,
        now: DateTime<Utc>,
        decide: impl Fn(&Trouble) -> Decision,
    ) -> Result<Result<Decision, Skip>, StoreError> {
        let done_id = done.map(|item| item.id);
        let done = done.map(item_key);
        let result = self.write(turn, |tx| {
            check_unseen(&tx.events, seen)?;
            if let Some(key) = &done {
                tx.outbox.remove(key.as_slice());
            }
            let Some(trouble) = read_in(tx, id)? else {
                return Ok(Decision::default());
            };
            let decision = decide(&trouble);
            write_decision(tx, &decision, Some(&*trouble), Some(id), now)?;
            if has_effect(&decision) {
                remember(&tx.events, seen, now);
            }
            Ok(decision)
        });
        self.committed(&result);
        if let (Ok(Ok(_)), Some(id)) = (&result, done_id) {
            self.delivered(id);
        }
        result
    }

    /// `trouble-bot redact`, by the bot serving the store (asked on its admin socket) or on a
    /// stopped bot's: reads trouble `id` with its timeline and queued calls under the writer
    /// lock every decision takes, so it falls between two decisions, lets `redact` decide, and
    /// writes what it decided in one write (through the journal: a crash leaves all of it or
    /// none): each erased entry in place in its chunk, the entry recording them appended, the
    /// trouble counting it. None when the store holds no trouble `id`; a refusal writes nothing.
    pub fn redact<E>(
        &self,
        id: &TroubleId,
        redact: impl FnOnce(&Trouble, &[Entry], &[Op]) -> Result<Redaction, E>,
    ) -> Result<Option<Result<Redaction, E>>, StoreError> {
        let result = self.write(None, |tx| {
            let Some(trouble) = read_in(tx, id)? else {
                return Ok(None);
            };
            // Through the overlays: beside a running bot, the decision before this one (a note
            // and its post, say) may still be being applied, its chunk and calls not in the trees.
            let chunks = tx.timeline.scan_prefix(&timeline::prefix(id))?;
            let mut entries = Vec::new();
            for (_, value) in &chunks {
                entries.extend(timeline_entries(value)?);
            }
            // The calls not made yet, the one being made included (its item leaves the outbox
            // once Slack answered): one of them may carry a text to erase. The trouble's own,
            // from its lanes' keys (`<trouble>/<lane>\0…`), not the whole outbox decoded while
            // the bot's decisions wait.
            let mut queued = Vec::new();
            for (_, value) in tx.outbox.scan_prefix(format!("{id}/").as_bytes())? {
                if let Ok(item) = decode::<OutboxItem>(&value) {
                    queued.push(item.op);
                }
            }
            let redaction = match redact(&trouble, &entries, &queued) {
                Ok(r) => r,
                Err(refused) => return Ok(Some(Err(refused))),
            };
            for (key, value) in &chunks {
                let mut records: Vec<Vec<u8>> = timeline_records(value)?.into_iter().map(<[u8]>::to_vec).collect();
                let mut changed = false;
                for record in &mut records {
                    let seq = decode::<Entry>(record)?.seq;
                    if let Some(e) = redaction.erased.iter().find(|e| e.seq == seq) {
                        *record = encode_entry(e);
                        changed = true;
                    }
                }
                if changed {
                    let records: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
                    tx.timeline.insert(key, timeline_chunk(&records));
                }
            }
            write_decision(tx, &redaction.decision(), Some(&*trouble), Some(id), redaction.entry.at)?;
            Ok(Some(Ok(redaction)))
        })?;
        let Ok(result) = result else {
            return Ok(None);
        };
        if matches!(result, Some(Ok(_))) {
            self.search.touched(id);
            self.halting(self.db.flush().map(drop))?;
        }
        Ok(result)
    }

    /// Forgets a call delivered (its item removed): a clean stop records only the calls still
    /// queued, and the run keeps no id for each call it ever made.
    fn delivered(&self, id: u64) {
        self.runs
            .begun_unrecorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&id);
    }

    /// Records that an attempt at `item` begins now, and makes that durable before the call
    /// leaves. False when the item is gone.
    ///
    /// Within [`ATTEMPT_COVERED`] of the item's creation the item itself is the record (see
    /// `lane_head`): nothing is written, and the call waits only until the item is durable —
    /// already, when it was queued with a decision someone was answered with (the group commit
    /// before that answer covered it), else by a group commit shared with every writer waiting.
    pub async fn mark_attempt(&self, item: &OutboxItem, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.mark_attempts(&[item], now).await?.first() == Some(&true))
    }

    /// [`Self::mark_attempt`] for the calls of one combined message, made durable together:
    /// within [`ATTEMPT_COVERED`] of its queueing a call's item stands for its record, as for a
    /// single call (after a crash each looks for the message by its own id either way).
    pub async fn mark_attempts(&self, items: &[&OutboxItem], now: DateTime<Utc>) -> Result<Vec<bool>, StoreError> {
        // Most attempts write nothing: read without a lock first, and take the applier's lock
        // only when a record must be written or an item's write set is still being applied.
        let attempts = match self.attempts(items, now, None)? {
            Some(attempts) => attempts,
            None => {
                let applier = self.apply_lock_when_free().await?;
                self.attempts(items, now, Some(&applier))?
                    .ok_or_else(|| StoreError::Corrupt("an attempt undecided under the applier's lock".into()))?
            }
        };
        if attempts.recorded {
            self.flush().await?;
        } else if let Some(ticket) = attempts.pending {
            // A flush that covers the latest ticket covers every earlier one.
            self.group_commit.cover(ticket, self).await?;
        }
        Ok(attempts.marked)
    }

    /// The attempts at `items` beginning `now`. Without the applier's lock (`held` None) it
    /// writes nothing, and is None when an attempt must be recorded or an item's write set is
    /// still being applied (its ticket not yet known): the caller takes the lock and asks again.
    /// Without the lock the item's presence is as sound a sign as under it: an item is in the
    /// trees only after its ticket was reserved ([`GroupCommit::applying`]).
    fn attempts(
        &self,
        items: &[&OutboxItem],
        now: DateTime<Utc>,
        held: Option<&ApplierHeld<'_>>,
    ) -> Result<Option<Attempts>, StoreError> {
        self.unless_halted()?;
        let mut attempts = Attempts {
            marked: Vec::with_capacity(items.len()),
            recorded: false,
            pending: None,
        };
        for item in items {
            let key = item_key(item);
            if !self.outbox.contains_key(&key)? {
                attempts.marked.push(false);
                continue;
            }
            // A call an earlier run queued is recorded whenever it begins: an earlier run that
            // stopped cleanly vouched that it had not left (see `stopped_cleanly`).
            if now >= item.created_at + ATTEMPT_COVERED || item.id < self.runs.first_id_this_run {
                if held.is_none() {
                    return Ok(None);
                }
                // An item's id, call and creation never change: the caller's copy is the stored
                // one but for the attempt written here.
                let item = OutboxItem {
                    attempt_started_at: Some(now),
                    ..OutboxItem::clone(item)
                };
                self.halting(self.outbox.insert(&key, encode(&item)))?;
                attempts.recorded = true;
            } else {
                match self.group_commit.pending(item.id) {
                    Some(APPLYING) if held.is_none() => return Ok(None),
                    Some(ticket) => attempts.pending = attempts.pending.max(Some(ticket)),
                    None => {}
                }
                self.runs
                    .begun_unrecorded
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(item.id);
            }
            attempts.marked.push(true);
        }
        Ok(Some(attempts))
    }

    /// Remembers an event id with nothing else to write; false when it was seen before.
    pub fn remember_key(&self, event_id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let _writer = self.lock()?;
        Ok(self.events.insert(event_id.as_bytes(), &millis(now))?.is_none())
    }

    /// Forgets request keys older than `before` (Slack stops retrying after minutes; a
    /// signature is only accepted within 5 minutes of its timestamp).
    pub fn prune_keys(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let cutoff = before.timestamp_millis().max(0) as u64;
        let mut old = Vec::new();
        for item in self.events.iter() {
            let (k, v) = item?;
            let at = u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]));
            if at < cutoff {
                old.push(k);
            }
        }
        // Each removal stands alone (a key that outlived a crash is pruned next time).
        let _writer = self.lock()?;
        for k in &old {
            self.events.remove(k)?;
        }
        Ok(old.len())
    }

    /// Queues calls that belong to no trouble (the open modal).
    pub fn enqueue_loose(&self, deliveries: Vec<Delivery>, now: DateTime<Utc>) -> Result<(), StoreError> {
        let d = Decision {
            deliveries,
            ..Decision::default()
        };
        self.write(None, |tx| write_decision(tx, &d, None, None, now))?.ok();
        Ok(())
    }

    /// Each lane that has work: its key prefix.
    pub fn outbox_lanes(&self) -> Result<Vec<LaneKey>, StoreError> {
        let mut lanes = Vec::new();
        let mut from: Vec<u8> = Vec::new();
        while let Some(item) = self.outbox.range(from.clone()..).next() {
            let (key, _) = item?;
            let Some(end) = key.iter().position(|b| *b == 0) else {
                return Err(StoreError::Corrupt("outbox key without lane".into()));
            };
            // Jump past this lane: the next key after every `lane ++ seq`.
            let mut next = key[..=end].to_vec();
            next.extend_from_slice(&[0xff; 9]);
            lanes.push(LaneKey::from_stored(String::from_utf8_lossy(&key[..end]).into_owned()));
            from = next;
        }
        Ok(lanes)
    }

    /// The oldest undelivered call in a lane. A call an earlier run queued and may have begun
    /// without a record of its own (see `mark_attempt`) reads as attempted as late as its
    /// creation allows, so the deliverer waits that attempt out and looks before posting again.
    pub fn lane_head(&self, lane: &LaneKey) -> Result<Option<OutboxItem>, StoreError> {
        // No call begins that could not be recorded ([`Self::halt`]).
        self.unless_halted()?;
        let mut passed_over = self
            .passed_over_calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut item = None;
        for record in self.outbox.scan_prefix(lane_prefix(lane)) {
            let (key, value) = record?;
            if passed_over.contains(key.as_ref()) {
                continue;
            }
            match decode::<OutboxItem>(&value) {
                Ok(read) => {
                    item = Some(read);
                    break;
                }
                Err(e) => {
                    super::unreadable_call(lane.as_str(), &e);
                    passed_over.insert(key.to_vec());
                }
            }
        }
        let Some(mut item) = item else {
            return Ok(None);
        };
        if self.may_have_left_unrecorded(&item) {
            item.attempt_started_at = Some(item.created_at + ATTEMPT_COVERED);
        }
        Ok(Some(item))
    }

    /// Whether a call an earlier run queued may have left with no record of it but its item:
    /// one begun within [`ATTEMPT_COVERED`] of its queueing, by a run that crashed or was cut off.
    fn may_have_left_unrecorded(&self, item: &OutboxItem) -> bool {
        let marked = matches!(item.op, Op::Post { .. } | Op::CreateChannel);
        marked
            && item.attempt_started_at.is_none()
            && (self.runs.never_left_below..self.runs.first_id_this_run).contains(&item.id)
    }

    /// At a clean stop, after the workers: records every call this run (or an earlier one)
    /// may have begun with no record but its item, then that every call queued so far without
    /// a record never left. The next run sends those at once, looking for nothing in Slack,
    /// instead of waiting out a Slack timeout for calls that were only queued. A run that
    /// crashes writes nothing, and the next reads each such call as perhaps sent.
    pub fn stopped_cleanly(&self) -> Result<(), StoreError> {
        self.unless_halted()?;
        let _writer = self.lock()?;
        let begun = self
            .runs
            .begun_unrecorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for record in self.outbox.iter() {
            let (key, value) = record?;
            // One that does not read is passed over (and reported) by its lane.
            let Ok(mut item) = decode::<OutboxItem>(&value) else {
                continue;
            };
            if item.attempt_started_at.is_none() && (begun.contains(&item.id) || self.may_have_left_unrecorded(&item)) {
                item.attempt_started_at = Some(item.created_at + ATTEMPT_COVERED);
                self.halting(self.outbox.insert(&key, encode(&item)))?;
            }
        }
        self.db.flush()?;
        let below = self.db.generate_id()?;
        self.db.insert(STOPPED_CLEANLY_BELOW, &below.to_be_bytes())?;
        Ok(())
    }

    /// Remembers that a user has opened the App Home, so it is kept current for them.
    pub fn mark_home_viewer(&self, user: &UserId) -> Result<(), StoreError> {
        let _writer = self.lock()?;
        self.home_viewers.insert(user.as_str().as_bytes(), &[])?;
        Ok(())
    }

    pub fn is_home_viewer(&self, user: &UserId) -> bool {
        self.home_viewers
            .contains_key(user.as_str().as_bytes())
            .unwrap_or(false)
    }

    /// Whether a publish of this user's App Home is waiting, not yet taken by the deliverer (it
    /// will render the latest state).
    pub fn home_publish_pending(&self, user: &UserId) -> bool {
        // Held through the scan: a publish taken before it is left out, and one taken after it
        // reads its rows after this change, whichever way the deliverer moves meanwhile (it
        // leaves the set once gone from the outbox, or let go and waiting again).
        let under_way = self
            .runs
            .homes_under_way
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Ok(items) = self
            .outbox
            .scan_prefix(lane_prefix(&LaneKey::of(None, Lane::Home)))
            .values()
            .collect::<Result<Vec<_>, _>>()
        else {
            return false;
        };
        items
            .iter()
            .filter_map(|v| decode::<OutboxItem>(v).ok())
            .any(|i| !under_way.contains(&i.id) && matches!(&i.op, Op::PublishHome { user: u } if u == user))
    }

    /// The head of `lane`, taken by the deliverer ([`Self::lane_head`]): an App Home publish
    /// taken is under way, no longer waiting ([`Self::home_publish_pending`]).
    pub fn claim_lane_head(&self, lane: &LaneKey) -> Result<Option<OutboxItem>, StoreError> {
        let head = self.lane_head(lane)?;
        if let Some(item) = head.as_ref().filter(|i| matches!(i.op, Op::PublishHome { .. })) {
            self.runs
                .homes_under_way
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(item.id);
        }
        Ok(head)
    }

    /// Removes a delivered item, without a lock: no decision reads or writes an item it did
    /// not queue but its own delivered one, and only the deliverer, one call of a lane at a
    /// time, removes one (see [`Self::apply_lock_when_free`]); one key's removal is atomic.
    pub fn remove_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.unless_halted()?;
        self.halting(self.outbox.remove(item_key(item)))?;
        self.delivered(item.id);
        self.let_go(item);
        Ok(())
    }

    /// The deliverer no longer holds `item` (delivered, or let go as the bot stops): an App
    /// Home publish still queued is waiting again.
    pub fn let_go(&self, item: &OutboxItem) {
        if matches!(item.op, Op::PublishHome { .. }) {
            self.runs
                .homes_under_way
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&item.id);
        }
    }

    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// When the call queued first was queued. Ids grow as calls are queued and end every key,
    /// so the keys are compared and one record is decoded; should it not read (passed over, and
    /// named in the log: it has no age to tell), the oldest that does.
    pub fn oldest_outbox_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut oldest: Option<(u64, sled::IVec)> = None;
        for key in self.outbox.iter().keys() {
            let (id, key) = outbox_id(key?)?;
            if oldest.as_ref().is_none_or(|(o, _)| id < *o) {
                oldest = Some((id, key));
            }
        }
        let Some((_, key)) = oldest else { return Ok(None) };
        let created_at = |key: &sled::IVec| -> Result<Option<DateTime<Utc>>, StoreError> {
            Ok(match self.outbox.get(key)?.map(|v| decode::<OutboxItem>(&v)) {
                Some(Ok(item)) => Some(item.created_at),
                _ => None,
            })
        };
        if let Some(at) = created_at(&key)? {
            return Ok(Some(at));
        }
        // Only when the oldest does not read: every key, in order.
        let mut all = Vec::new();
        for key in self.outbox.iter().keys() {
            all.push(outbox_id(key?)?);
        }
        all.sort_unstable_by_key(|(id, _)| *id);
        for (_, key) in &all {
            if let Some(at) = created_at(key)? {
                return Ok(Some(at));
            }
        }
        Ok(None)
    }

    /// `verify`'s lines for the stored timers and queued calls whose records do not read.
    pub fn unreadable_queued(&self) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        for item in self.timers.iter() {
            let (key, value) = item?;
            if let Err(e) = decode::<Timer>(&value) {
                found.push(super::unreadable_timer_line(&key, &e));
            }
        }
        for item in self.outbox.iter() {
            let (key, value) = item?;
            if let Err(e) = decode::<OutboxItem>(&value) {
                let lane = key.split(|b| *b == 0).next().unwrap_or_default();
                found.push(super::unreadable_call_line(&String::from_utf8_lossy(lane), &e));
            }
        }
        Ok(found)
    }

    pub fn outbox_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox.iter().values().map(|v| decode(&v?)).collect()
    }

    /// Seen at `now`: when the next timer is due, or a deferred one is tried again, whichever
    /// comes first.
    pub fn next_timer_due(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut first = None;
        let retry = self.walk_timers(now, |timer| {
            first = Some(timer.due);
            false
        })?;
        Ok(first.into_iter().chain(retry).min())
    }

    /// Up to `limit` timers due at `now`, earliest first (a deferred one once it is tried again).
    pub fn due_timers(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Timer>, StoreError> {
        let mut due = Vec::new();
        self.walk_timers(now, |timer| {
            let take = timer.due <= now && due.len() < limit;
            if take {
                due.push(timer);
            }
            take
        })?;
        Ok(due)
    }

    /// Hands `each` the timers, earliest first, but those deferred past `now`, until it says
    /// stop: then when the first of the deferrals it passed ends. A timer record that does not
    /// read (a kind a newer release wrote, say) is deferred for [`STUCK_RETRY`] and named in
    /// the log: it must not stop every other timer.
    fn walk_timers(
        &self,
        now: DateTime<Utc>,
        mut each: impl FnMut(Timer) -> bool,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut deferred = self
            .deferred_timers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut retry: Option<DateTime<Utc>> = None;
        for item in self.timers.iter() {
            let (key, value) = item?;
            if let Some(&at) = deferred.get(key.as_ref()).filter(|&&at| at > now) {
                retry = Some(retry.map_or(at, |r| r.min(at)));
                continue;
            }
            deferred.remove(key.as_ref());
            match decode::<Timer>(&value) {
                Ok(timer) => {
                    if !each(timer) {
                        break;
                    }
                }
                Err(e) => {
                    super::unreadable_timer(&key, &e);
                    // Not before it is due (its key says when), nor sooner than an hour on.
                    let due = super::timer_key_due(&key);
                    let soonest = now + chrono::Duration::from_std(STUCK_RETRY).unwrap_or_default();
                    let at = due.map_or(soonest, |due| due.max(soonest));
                    deferred.insert(key.to_vec(), at);
                    retry = Some(retry.map_or(at, |r| r.min(at)));
                }
            }
        }
        Ok(retry)
    }

    /// Leaves `timer` where it is, not to be fired before `at`.
    pub fn defer_timer(&self, timer: &Timer, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut deferred = self
            .deferred_timers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Dropped ones fall away once the timer is fired or gone, when the tree is walked again.
        deferred.retain(|key, _| self.timers.contains_key(key).unwrap_or(true));
        if let Some(key) = waiting_timer_key(&Overlay::over(&self.timers, None), timer)? {
            deferred.insert(key, at);
        }
        Ok(())
    }

    pub fn timers_len(&self) -> usize {
        self.timers.len()
    }

    /// Fires a timer: removes it and writes what `decide` makes of it, in one atomic write,
    /// so a timer acts exactly once even across crashes.
    pub(super) fn fire_timer(
        &self,
        turn: Option<Turn<'_>>,
        timer: &Timer,
        now: DateTime<Utc>,
        decide: impl Fn(&Trouble) -> Decision,
    ) -> Result<Decision, StoreError> {
        let r = self.write(turn, |tx| {
            let Some(key) = waiting_timer_key(&tx.timers, timer)? else {
                return Ok(Decision::default());
            };
            tx.timers.remove(key);
            let Some(trouble) = read_in(tx, &timer.trouble)? else {
                return Ok(Decision::default());
            };
            let decision = decide(&trouble);
            write_decision(tx, &decision, Some(&*trouble), Some(&timer.trouble), now)?;
            Ok(decision)
        });
        self.committed(&r);
        Ok(r?.unwrap_or_default())
    }

    /// How long each of the write locks has been held since the store was opened, and how
    /// often.
    pub fn lock_time(&self) -> WriteLocksSoFar {
        WriteLocksSoFar {
            writer: self.lock_time.so_far(),
            applier: self.apply_time.so_far(),
        }
    }

    /// Runs `read` while nothing is being written, so it sees every decision whole (a
    /// backup, `verify` beside a running bot). Writes wait meanwhile: keep `read` short, and
    /// write nothing in it (the lock is not reentrant).
    pub fn with_writes_paused<R>(&self, read: impl FnOnce(&SledStore) -> R) -> R {
        let _paused = self.hold();
        read(self)
    }

    /// The troubles the day's numbering gave out whose records are gone (removed by hand):
    /// an opening writes its trouble and the day's number in one write, so a number with no
    /// trouble under it is one deleted since, which no chain of its own can show.
    pub fn numbered_but_missing(&self) -> Result<Vec<TroubleId>, StoreError> {
        let mut missing = Vec::new();
        for record in self.counters.iter() {
            let (day, last) = record?;
            let day = String::from_utf8_lossy(&day);
            let last = u32::from_be_bytes(last.as_ref().try_into().unwrap_or([0; 4]));
            for seq in 1..=last {
                let id = format!("{day}-{seq}");
                // One lost with a damaged log and accepted as lost is named apart.
                if !self.troubles.contains_key(id.as_bytes())? && !self.accepted_as_lost(&id)? {
                    missing.push(TroubleId::new(id));
                }
            }
        }
        Ok(missing)
    }

    /// Every tree's name and records, in key order: what a backup copies.
    pub fn records(&self) -> Result<Vec<TreeRecords>, StoreError> {
        let mut trees = Vec::new();
        for name in self.db.tree_names() {
            let records = self.db.open_tree(&name)?.iter().collect::<Result<Vec<_>, _>>()?;
            trees.push((name.to_vec(), records));
        }
        Ok(trees)
    }

    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}

/// Waits, for up to five seconds, until no handle of this process holds the lock sled takes on
/// the store in `db_dir` (on its `db` file): sled's threads keep it a moment after the last
/// handle is dropped, and the same process opening the store again at once would be refused it.
pub fn wait_released(db_dir: &Path) {
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(db_dir.join("db"))
    else {
        return; // no store there: nothing holds it
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    // Taken and, with the file, dropped at once: the probe leaves nothing held.
    while file.try_lock().is_err() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The data directory holds every trouble: readable by the bot's user only. So do a backup and
/// the copy `export`, `verify` and `backup` read of a stopped bot's store.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::Config;
    use crate::trouble::command::OpenRequest;
    use crate::trouble::decide::{self, Ctx};
    use crate::trouble::model::Origin;

    fn request(severity: u8) -> OpenRequest {
        OpenRequest {
            severity: Some(crate::trouble::model::Severity::new(severity)),
            manager: None,
            departments: vec![],
            customer: "ACME".into(),
            summary: "cracked".into(),
            past: Vec::new(),
        }
    }

    fn origin() -> Origin {
        Origin {
            channel: ChannelId::new("C0ORIGIN"),
            response_url: None,
            by: None,
        }
    }

    /// An empty store, the default configuration and a moment to decide at.
    fn fresh() -> (tempfile::TempDir, SledStore, Config, DateTime<Utc>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let config = Config::from_sources(None, &Default::default()).unwrap();
        (dir, store, config, "2026-11-30T01:00:00Z".parse().unwrap())
    }

    /// Opens the store in `dir` again once sled's flusher thread of the last handle let go of
    /// the file lock (a moment after the drop).
    fn reopen(dir: &Path) -> SledStore {
        opened_again(|| SledStore::open(dir))
    }

    /// What `open` opens, tried again while the last handle's threads still hold the file lock.
    fn opened_again<T, E>(open: impl Fn() -> Result<T, E>) -> T {
        (0..100)
            .find_map(|_| {
                open()
                    .map_err(|_| std::thread::sleep(std::time::Duration::from_millis(20)))
                    .ok()
            })
            .expect("the store reopens")
    }

    /// sled alone in `dir`, without its flusher thread: every byte it writes goes through the
    /// test's own `flush`, which tells how many.
    fn bare_sled(dir: &Path) -> sled::Result<sled::Db> {
        sled::Config::new().path(dir).flush_every_ms(None).open()
    }

    /// [`bare_sled`] and its tree `index`, whose leaves split past `leaf_bytes`.
    fn bare_index(dir: &Path, leaf_bytes: u64) -> (sled::Db, sled::Tree) {
        let db = bare_sled(dir).unwrap();
        let tree = db.open_tree("index").unwrap();
        tree.set_leaf_split_bytes(leaf_bytes);
        (db, tree)
    }

    fn open_in(store: &SledStore, ctx: &Ctx, seen: &[&str], severity: u8) -> Result<Decision, Skip> {
        store
            .open_trouble(None, "20261130", seen, ctx.now, |id, seq| {
                decide::open(ctx, id, seq, UserId::new("U0SALES"), origin(), request(severity))
            })
            .unwrap()
    }

    /// The first open's write set as `open_trouble` decides it, held as the set being applied
    /// (the applier's lock taken, nothing of it in the trees yet): what the next decision
    /// finds while the write set before it is being applied.
    fn first_open_applying<'a>(store: &'a SledStore, ctx: &Ctx) -> (ApplierHeld<'a>, Arc<Applying>, Decision) {
        let decision = decide::open(
            ctx,
            TroubleId::new("20261130-1"),
            1,
            UserId::new("U0SALES"),
            origin(),
            request(2),
        );
        let trees = store.overlays(None);
        trees.counters.insert(b"20261130", &1u32.to_be_bytes());
        assert!(write_decision(&trees, &decision, None, None, ctx.now).is_ok());
        let (applier, set) = held_applying(store, trees);
        (applier, set, decision)
    }

    /// `trees`, written, held as the set being applied: the applier's lock taken, nothing of
    /// it in the trees yet.
    fn held_applying<'a>(store: &'a SledStore, trees: Trees<'_>) -> (ApplierHeld<'a>, Arc<Applying>) {
        let mut writer = store.decide_lock();
        writer.writer.decided += 1;
        let set = Arc::new(Applying {
            set: writer.writer.decided,
            writes: trees.into_writes(),
        });
        let applier = store.apply_lock();
        store.set_applying(Some(set.clone()));
        drop(writer);
        (applier, set)
    }

    /// A decision made while the write set before it is being applied reads through that set:
    /// the second open of a day, decided before the first is in the trees, is numbered 2, and
    /// waits for the first to be applied before its own is; both then read whole.
    #[test]
    fn a_decision_made_while_the_set_before_it_is_applied_reads_through_it_and_applies_after_it() {
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        let (applier, set, first) = first_open_applying(&store, &ctx);
        let (decided_tx, decided) = std::sync::mpsc::channel();
        let second = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                store
                    .open_trouble(None, "20261130", &["sig:second"], now, |id, seq| {
                        decided_tx.send(()).expect("the test listens");
                        decide::open(&ctx, id, seq, UserId::new("U0SALES"), origin(), request(1))
                    })
                    .unwrap()
                    .unwrap()
            });
            decided.recv().expect("the second open decides meanwhile");
            // It decided while the first set was not yet in the trees.
            assert!(store.get(&TroubleId::new("20261130-1")).unwrap().is_none());
            journal::apply(&set.writes).unwrap();
            store.set_applying(None);
            drop(applier);
            second.join().expect("the second open's thread")
        });
        let second = second.trouble.expect("the second open opened");
        assert_eq!(
            second.id.as_str(),
            "20261130-2",
            "numbered after the set it read through"
        );
        assert_eq!(store.get(&second.id).unwrap().as_ref(), Some(&second));
        assert_eq!(store.get(&TroubleId::new("20261130-1")).unwrap(), first.trouble);
        assert_eq!(store.trouble_count(), 2, "the index counted both");
        assert_eq!(store.open_summaries().unwrap().len(), 2);
        assert!(store.journal.is_empty());
    }

    /// `trouble-bot redact`, asked of the running bot, may decide while the note's decision
    /// before it is still being applied: it reads the trouble's timeline and the queued calls
    /// through that set, so the note's post, queued there and not yet in the outbox tree, is
    /// seen, and the note is refused until it went.
    #[test]
    fn a_redaction_decided_while_a_note_is_applied_sees_the_note_and_its_post_queued_there() {
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        let opened = open_in(&store, &ctx, &["sig:open"], 2).unwrap().trouble.unwrap();
        let note = crate::trouble::command::Command::Note("Zebulon of the buyer called".into());
        let input = decide::Input::Command {
            user: UserId::new("U0SALES"),
            command: note,
        };
        let noted = decide::decide(&ctx, &opened, input);
        assert!(
            noted
                .deliveries
                .iter()
                .any(|d| serde_json::to_string(&d.op).unwrap().contains("Zebulon")),
            "the note is posted: {:?}",
            noted.deliveries
        );
        let trees = store.overlays(None);
        assert!(write_decision(&trees, &noted, Some(&opened), Some(&opened.id), now).is_ok());
        let (applier, set) = held_applying(&store, trees);
        let note_seq = opened.timeline_len;
        let (seen_tx, seen) = std::sync::mpsc::channel();
        let refused = std::thread::scope(|scope| {
            let redacting = scope.spawn(|| {
                store
                    .redact(&opened.id, |t, timeline, queued| {
                        seen_tx
                            .send((timeline.len(), queued.to_vec()))
                            .expect("the test listens");
                        crate::trouble::redact::redact(t, timeline, queued, &[note_seq], "erasure", now)
                    })
                    .unwrap()
            });
            let (entries, queued) = seen.recv().expect("the redaction decides meanwhile");
            assert_eq!(
                entries as u64,
                note_seq + 1,
                "the note's entry, from the set being applied"
            );
            assert!(
                queued
                    .iter()
                    .any(|op| serde_json::to_string(op).unwrap().contains("Zebulon")),
                "{queued:?}"
            );
            journal::apply(&set.writes).unwrap();
            store.set_applying(None);
            drop(applier);
            redacting.join().expect("the redaction's thread")
        });
        assert!(
            matches!(refused, Some(Err(crate::trouble::redact::Refusal::StillQueued(seq))) if seq == note_seq),
            "{refused:?}"
        );
        let timeline = store.timeline(&opened.id).unwrap();
        assert_eq!(timeline.len() as u64, note_seq + 1, "nothing written");
        assert!(!timeline[note_seq as usize].redacted);
    }

    /// A decision that read through a write set that then failed is refused, and writes
    /// nothing: what it decided from never reached the trees.
    #[test]
    fn a_decision_that_read_through_a_set_that_failed_is_refused_and_writes_nothing() {
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        let (mut applier, set, _) = first_open_applying(&store, &ctx);
        let (decided_tx, decided) = std::sync::mpsc::channel();
        let second = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                store.open_trouble(None, "20261130", &["sig:second"], now, |id, seq| {
                    decided_tx.send(()).expect("the test listens");
                    decide::open(&ctx, id, seq, UserId::new("U0SALES"), origin(), request(1))
                })
            });
            decided.recv().expect("the second open decides meanwhile");
            // The first set fails before any of it is written (no halt: nothing half done).
            applier.applier.failed = Some(set.set);
            store.set_applying(None);
            drop(applier);
            second.join().expect("the second open's thread")
        });
        assert!(second.is_err(), "refused: {second:?}");
        assert_eq!(store.trouble_count(), 0);
        assert!(store.outbox_items().unwrap().is_empty());
        assert!(store.events.is_empty(), "its request key is not remembered");
        // The next decision reads the trees as they are: the day's first open is 1 again.
        let again = open_in(&store, &ctx, &["sig:second"], 1).unwrap();
        assert_eq!(again.trouble.unwrap().id.as_str(), "20261130-1");
    }

    /// Marks an attempt at the first call of an open, `later` after the open, on a runtime of
    /// one thread, while another thread runs `hold` (which holds what it holds until it is
    /// told, by the `Receiver`, to let go, and tells by the `Sender` once it holds it). What
    /// the test saw after ten yields of a task beside the attempt: whether that task ran while
    /// `hold` still held, whether the attempt had finished by then, and the attempt's result
    /// once `hold` let go.
    fn attempt_while(
        later: chrono::TimeDelta,
        hold: impl FnOnce(&SledStore, std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>) + Send + 'static,
    ) -> (bool, bool, Vec<bool>) {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        open_in(&store, &ctx, &["a"], 2).unwrap();
        let item = store.outbox_items().unwrap().remove(0);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // Durable already: the attempt has nothing to wait for but the lock it takes.
        runtime.block_on(store.flush()).unwrap();
        let store = Arc::new(store);
        let (holding, held) = std::sync::mpsc::channel();
        let (release, released_by_test) = std::sync::mpsc::channel::<()>();
        let released = Arc::new(AtomicBool::new(false));
        let holder = {
            let (store, released) = (store.clone(), released.clone());
            std::thread::spawn(move || {
                hold(&store, holding, released_by_test);
                released.store(true, Ordering::SeqCst);
            })
        };
        held.recv().expect("the other thread holds");
        let (ran_while_held, finished_while_held, marked) = runtime.block_on(async {
            let attempt = tokio::spawn({
                let (store, item) = (store.clone(), item.clone());
                async move { store.mark_attempts(&[&item], now + later).await }
            });
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            let ran = !released.load(Ordering::SeqCst);
            let finished = attempt.is_finished();
            release.send(()).ok();
            (ran, finished, attempt.await.expect("the attempt's task"))
        });
        holder.join().expect("the holder's thread");
        (ran_while_held, finished_while_held, marked.expect("the attempt"))
    }

    /// Held until the test has looked, or long enough to show a thread was stuck.
    fn until_released(released_by_test: &std::sync::mpsc::Receiver<()>) {
        let _ = released_by_test.recv_timeout(std::time::Duration::from_secs(5));
    }

    /// The applier's lock, held as a write set being applied holds it.
    fn applying(
        store: &SledStore,
        holding: std::sync::mpsc::Sender<()>,
        released_by_test: std::sync::mpsc::Receiver<()>,
    ) {
        let _applying = store.apply_lock();
        holding.send(()).expect("the test listens");
        until_released(&released_by_test);
    }

    /// A Slack call's attempt that must be recorded (past [`ATTEMPT_COVERED`]) waits for the
    /// applier's lock (a write set being applied) as a task: a task beside it still runs, and
    /// the attempt is marked once the lock is let go.
    #[test]
    fn an_attempt_to_record_waits_for_the_applier_and_leaves_its_thread_to_other_tasks() {
        let (ran_while_held, finished_while_held, marked) = attempt_while(ATTEMPT_COVERED, applying);
        assert!(
            ran_while_held,
            "a task waited behind an attempt blocked on the applier's lock"
        );
        assert!(!finished_while_held, "the attempt waited for the set being applied");
        assert_eq!(marked, vec![true], "the item still stands for its call");
    }

    /// A Slack call's attempt with nothing to record (its item durable, within
    /// [`ATTEMPT_COVERED`]) takes no lock: it is marked while a write set is being applied.
    #[test]
    fn an_attempt_with_nothing_to_record_is_marked_while_a_set_is_applied() {
        let (_, finished_while_held, marked) = attempt_while(chrono::TimeDelta::zero(), applying);
        assert!(finished_while_held, "the attempt waited for the set being applied");
        assert_eq!(marked, vec![true]);
    }

    /// A Slack call's attempt at an item whose write set is still being applied (in the trees,
    /// its ticket not yet known) waits for the applier's lock, so for the ticket.
    #[test]
    fn an_attempt_at_an_item_still_being_applied_waits_for_its_ticket() {
        let (_, finished_while_held, marked) =
            attempt_while(chrono::TimeDelta::zero(), |store, holding, released_by_test| {
                let id = store.outbox_items().unwrap()[0].id;
                let applying = store.apply_lock();
                store.group_commit.applying(&[id]);
                holding.send(()).expect("the test listens");
                until_released(&released_by_test);
                store.group_commit.queued(vec![id]);
                drop(applying);
            });
        assert!(
            !finished_while_held,
            "the attempt went before its item's ticket was known"
        );
        assert_eq!(marked, vec![true]);
    }

    /// A Slack call's attempt does not wait for a decision: it is marked while another thread
    /// holds the writer lock, deciding.
    #[test]
    fn an_attempt_is_marked_while_a_decision_decides() {
        let (ran_while_held, finished_while_held, marked) =
            attempt_while(chrono::TimeDelta::zero(), |store, holding, released_by_test| {
                store
                    .open_trouble(None, "20261130", &[], Utc::now(), |_, _| {
                        holding.send(()).expect("the test listens");
                        until_released(&released_by_test);
                        Decision::default()
                    })
                    .expect("the decision")
                    .expect("nothing skipped");
            });
        assert!(
            ran_while_held && finished_while_held,
            "the attempt waited for a decision"
        );
        assert_eq!(marked, vec![true]);
    }

    /// A flush that starts while a decision holds or awaits its turn at the writer lock lets it
    /// write first, so the one fsync covers it (without, each decision queued under load would
    /// wait for a fsync of its own, and each fsync writes the log's last page again).
    #[tokio::test]
    async fn a_flush_lets_the_decisions_queued_for_the_writer_write_first_and_covers_them() {
        let (_dir, store, config, now) = fresh();
        let store = Arc::new(store);
        let wanted = |store: &SledStore| {
            store
                .group_commit
                .turns
                .wanted
                .load(std::sync::atomic::Ordering::SeqCst)
        };
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let writer = tokio::spawn({
            let store = store.clone();
            async move {
                let _turn = store.turn().await;
                released.await.expect("the test releases the write");
                let ctx = Ctx {
                    policy: &config.policy,
                    now,
                };
                open_in(&store, &ctx, &["a"], 2).expect("the open");
            }
        });
        let until = |n: usize| {
            let store = store.clone();
            async move {
                for _ in 0..10_000 {
                    if wanted(&store) == n {
                        return true;
                    }
                    tokio::task::yield_now().await;
                }
                false
            }
        };
        assert!(until(1).await, "the write holds its turn");
        let flush = tokio::spawn({
            let store = store.clone();
            async move { store.flush().await }
        });
        assert!(until(2).await, "the flush waits for a turn behind the write");
        release.send(()).expect("the write waits");
        writer.await.expect("the write");
        flush.await.expect("the flush's task").expect("the flush");
        let items = store.outbox_items().unwrap();
        assert!(!items.is_empty(), "the open queued its calls");
        for item in items {
            assert_eq!(
                store.group_commit.pending(item.id),
                None,
                "item {} covered by the flush",
                item.id
            );
        }
    }

    #[tokio::test]
    async fn the_calls_of_a_combined_message_are_recorded_only_once_their_items_no_longer_stand_for_them() {
        let (dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        open_in(&store, &ctx, &["a"], 2).unwrap();
        open_in(&store, &ctx, &["b"], 2).unwrap();
        let items = store.outbox_items().unwrap();
        let first_of = |id: &str| {
            items
                .iter()
                .find(|i| i.trouble.as_ref().is_some_and(|t| t.as_str() == id))
                .expect("an open queues calls")
        };
        let together = [first_of("20261130-1"), first_of("20261130-2")];
        let recorded = |store: &SledStore| -> Vec<Option<DateTime<Utc>>> {
            let now_stored = store.outbox_items().unwrap();
            together
                .iter()
                .map(|i| {
                    now_stored
                        .iter()
                        .find(|s| s.id == i.id)
                        .and_then(|s| s.attempt_started_at)
                })
                .collect()
        };

        let soon = now + ATTEMPT_COVERED - chrono::TimeDelta::milliseconds(1);
        assert_eq!(store.mark_attempts(&together, soon).await.unwrap(), vec![true, true]);
        assert_eq!(
            recorded(&store),
            vec![None, None],
            "within the window the items stand for the attempt"
        );

        let later = now + ATTEMPT_COVERED;
        assert_eq!(store.mark_attempts(&together, later).await.unwrap(), vec![true, true]);
        assert_eq!(recorded(&store), vec![Some(later), Some(later)]);
        drop(store);
        assert_eq!(
            recorded(&reopen(dir.path())),
            vec![Some(later), Some(later)],
            "made durable before the call"
        );
    }

    /// The calls a run began with no record but their item are kept in memory only while they
    /// are queued: a run that makes millions of calls keeps no id for each.
    #[tokio::test]
    async fn a_call_begun_unrecorded_is_forgotten_once_delivered() {
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        open_in(&store, &ctx, &["a"], 2).unwrap();
        let items = store.outbox_items().unwrap();
        let begun = || store.runs.begun_unrecorded.lock().unwrap().clone();
        for item in &items {
            assert_eq!(store.mark_attempts(&[item], now).await.unwrap(), vec![true]);
        }
        assert_eq!(begun().len(), items.len());
        store.remove_outbox(&items[0]).unwrap();
        let id = items[1].trouble.clone().expect("the trouble's call");
        store
            .transact(None, &id, &[], Some(&items[1]), now, |_| Decision::default())
            .unwrap()
            .unwrap();
        let left = begun();
        assert!(!left.contains(&items[0].id) && !left.contains(&items[1].id), "{left:?}");
        assert_eq!(left.len(), items.len() - 2);
    }

    #[test]
    fn a_request_key_is_remembered_with_the_decision_it_caused_and_only_then() {
        let (dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        let open = |store: &SledStore, key: &str, severity: u8| open_in(store, &ctx, &[key, "view:V1"], severity);
        // A refusal (an unknown severity) changes nothing and remembers nothing.
        assert!(open(&store, "sig:a", 9).is_ok_and(|d| d.trouble.is_none()));
        assert!(open(&store, "sig:b", 1).is_ok_and(|d| d.trouble.is_some()));
        // The same signature, or another request for the same view, is skipped, after a restart too.
        drop(store);
        let store = reopen(dir.path());
        assert!(matches!(open(&store, "sig:b", 1), Err(Skip::Duplicate)));
        assert!(matches!(open(&store, "sig:c", 1), Err(Skip::Duplicate)));
        assert_eq!(store.trouble_count(), 1);
        // Pruned with the event ids.
        assert_eq!(store.prune_keys(now + chrono::Duration::seconds(1)).unwrap(), 2);
    }

    #[test]
    fn a_delivery_result_writes_only_the_tracking_and_a_whole_v0_1_record_still_reads() {
        use crate::trouble::decide::{Input, Outcome, Slot};
        use crate::trouble::model::Ts;
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        let opened = open_in(&store, &ctx, &["sig:a"], 1).unwrap();
        let t = opened.trouble.unwrap();
        let key = t.id.as_str().as_bytes();
        assert_eq!(store.get(&t.id).unwrap().as_ref(), Some(&t));
        // As v0.1 stored it: the trouble whole, as JSON, no tracking record.
        store.troubles.insert(key, serde_json::to_vec(&t).unwrap()).unwrap();
        store.tracking.remove(key).unwrap();
        assert_eq!(store.get(&t.id).unwrap().as_ref(), Some(&t));

        // A message's ts: the body stays as it was, the tracking record carries the change.
        let body_before = store.troubles.get(key).unwrap();
        let posted = Outcome::Posted {
            slot: Slot::ManagerDm,
            channel: ChannelId::new("D0MGR"),
            ts: Ts::new("1700000000.000100"),
            together: Vec::new(),
            shown: None,
        };
        store
            .transact(None, &t.id, &[], None, now, |t| {
                decide::decide(&ctx, t, Input::Delivered(posted.clone()))
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            store.troubles.get(key).unwrap(),
            body_before,
            "the body is not rewritten"
        );
        assert!(store.tracking.get(key).unwrap().is_some());
        let read = store.get(&t.id).unwrap().unwrap();
        assert_eq!(
            read.manager_dm.as_ref().map(|m| m.ts.as_str()),
            Some("1700000000.000100")
        );
        assert!(read.same_body(&t));

        // Its tracking record there, a result that moves only it leaves with its delivered item.
        let item = store
            .outbox_items()
            .unwrap()
            .into_iter()
            .find(|i| {
                matches!(
                    i.op,
                    Op::Post {
                        keep_as: Some(Slot::Status),
                        ..
                    }
                )
            })
            .expect("the status post is queued");
        let posted = Outcome::Posted {
            slot: Slot::Status,
            channel: ChannelId::new("C0TROUBLE"),
            ts: Ts::new("1700000000.000200"),
            together: Vec::new(),
            shown: None,
        };
        store
            .transact(None, &t.id, &[], Some(&item), now, |t| {
                decide::decide(&ctx, t, Input::Delivered(posted.clone()))
            })
            .unwrap()
            .unwrap();
        assert!(store.outbox_items().unwrap().iter().all(|i| i.id != item.id));
        assert_eq!(
            store.troubles.get(key).unwrap(),
            body_before,
            "the body is not rewritten"
        );
        let read = store.get(&t.id).unwrap().unwrap();
        assert_eq!(read.status.as_ref().map(|m| m.ts.as_str()), Some("1700000000.000200"));
        assert_eq!(
            read.manager_dm.as_ref().map(|m| m.ts.as_str()),
            Some("1700000000.000100")
        );

        // A change of the trouble itself rewrites the body, without the tracked fields.
        let joined = store
            .transact(None, &t.id, &[], None, now, |t| {
                let user = UserId::new("U0VISITOR");
                decide::decide(&ctx, t, Input::MemberJoined { user })
            })
            .unwrap()
            .unwrap()
            .trouble
            .expect("the trouble changed");
        let body: Trouble = decode(&store.troubles.get(key).unwrap().unwrap()).unwrap();
        assert_eq!(body.members_seen, vec![UserId::new("U0VISITOR")]);
        assert!(body.manager_dm.is_none() && body.timeline_len == 0);
        assert_eq!(store.get(&t.id).unwrap().as_ref(), Some(&joined));
        assert_eq!(store.all_troubles().unwrap(), vec![joined]);
    }

    #[test]
    fn a_timer_is_keyed_by_its_compact_kind_and_one_an_earlier_release_keyed_by_json_still_fires_once() {
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        let opened = open_in(&store, &ctx, &["sig:a"], 1).unwrap();
        assert_eq!(store.timers_len(), opened.timers.len());
        for timer in &opened.timers {
            let (key, json) = (timer_key(timer), super::super::timer_key(timer));
            assert!(store.timers.get(&key).unwrap().is_some());
            assert!(
                key.len() + 15 < json.len(),
                "{key:?} against {}",
                String::from_utf8_lossy(&json)
            );
        }
        // A timer as an earlier release stored it: under its JSON key.
        let first = opened.timers[0].clone();
        store.timers.remove(timer_key(&first)).unwrap();
        let earlier = super::super::timer_key(&first);
        store.timers.insert(&earlier, encode(&first)).unwrap();
        // Set again by a decision: stored once, under its own key.
        let again = Decision {
            timers: vec![first.clone()],
            ..Decision::default()
        };
        let trees = store.overlays(None);
        assert!(write_decision(&trees, &again, None, None, now).is_ok());
        let writes = trees.into_writes();
        let record = store.journal_record(&writes, None).unwrap();
        let held = store.lock().unwrap();
        store.commit(record, &writes).unwrap();
        drop(held);
        assert!(store.timers.get(&earlier).unwrap().is_none());
        assert!(store.timers.get(timer_key(&first)).unwrap().is_some());
        assert_eq!(store.timers_len(), opened.timers.len());
        // Back under the JSON key: it fires once, and leaves.
        store.timers.remove(timer_key(&first)).unwrap();
        store.timers.insert(&earlier, encode(&first)).unwrap();
        let fired = std::cell::Cell::new(0);
        for _ in 0..2 {
            store
                .fire_timer(None, &first, first.due, |_| {
                    fired.set(fired.get() + 1);
                    Decision::default()
                })
                .unwrap();
        }
        assert_eq!(fired.get(), 1);
        assert!(store.timers.get(&earlier).unwrap().is_none());
        assert_eq!(store.timers_len(), opened.timers.len() - 1);
        // And a waiting one an earlier release stored is deferred by its JSON key as well.
        let second = opened.timers[1].clone();
        store.timers.remove(timer_key(&second)).unwrap();
        store
            .timers
            .insert(super::super::timer_key(&second), encode(&second))
            .unwrap();
        let later = second.due + chrono::Duration::hours(1);
        store.defer_timer(&second, later).unwrap();
        assert!(!store.due_timers(second.due, 16).unwrap().contains(&second));
        assert!(store.next_timer_due(second.due).unwrap() > Some(second.due));
        assert!(store.due_timers(later, 16).unwrap().contains(&second));
    }

    #[test]
    fn a_write_set_a_crash_left_in_the_journal_is_applied_once_at_reopen_and_the_trouble_reads_whole() {
        let (dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        // An open's write set, journalled by the store's own encode, of which only the first
        // tree's writes reached the trees: what a crash while applying it leaves.
        let id = TroubleId::new("20261130-1");
        let decision = decide::open(&ctx, id.clone(), 1, UserId::new("U0SALES"), origin(), request(1));
        let trees = store.overlays(None);
        assert!(write_decision(&trees, &decision, None, None, now).is_ok());
        let writes = trees.into_writes();
        assert!(writes.len() > 3, "the open writes several trees");
        store
            .journal
            .insert(store.db.generate_id().unwrap().to_be_bytes(), journal::encode(&writes))
            .unwrap();
        journal::apply(&writes[..1]).unwrap();
        drop(writes);
        assert!(store.tracking.get(id.as_str()).unwrap().is_none() && store.trouble_count() == 0);
        drop(store);

        let store = reopen(dir.path());
        let whole = |store: &SledStore| {
            assert_eq!(store.get(&id).unwrap().as_ref(), decision.trouble.as_ref());
            assert_eq!(store.timeline(&id).unwrap(), decision.entries);
            let ops = |ops: Vec<&Op>| {
                let mut ops: Vec<String> = ops.into_iter().map(|op| format!("{op:?}")).collect();
                ops.sort();
                ops
            };
            let queued = store.outbox_items().unwrap();
            assert_eq!(
                ops(queued.iter().map(|i| &i.op).collect()),
                ops(decision.deliveries.iter().map(|d| &d.op).collect())
            );
            assert_eq!(store.timers_len(), decision.timers.len());
            assert_eq!(store.open_summaries().unwrap().len(), 1);
            assert_eq!(super::super::index::sled_counts(&store.index).unwrap().open, 1);
            assert_eq!(store.trouble_count(), 1);
            assert!(store.journal.is_empty(), "the record is removed once applied");
        };
        whole(&store);
        // Applied once: the next open finds nothing to replay and the same store.
        drop(store);
        let store = reopen(dir.path());
        whole(&store);
    }

    #[test]
    fn the_oldest_queued_call_s_age_counts_from_the_oldest_that_reads() {
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        open_in(&store, &ctx, &[], 2).unwrap();
        assert_eq!(store.oldest_outbox_at().unwrap(), Some(now));
        // Older than every call queued (id 0), in a lane of its own: an operation a newer
        // release queued, say.
        let key = lane_key_with(&LaneKey::of(None, Lane::Dm), &0u64.to_be_bytes());
        store
            .outbox
            .insert(key, &br#"{"op":{"kind":"a_call_of_a_newer_release"}}"#[..])
            .unwrap();
        assert_eq!(store.oldest_outbox_at().unwrap(), Some(now), "not hidden behind it");
    }

    /// The summaries an earlier release wrote, without the start of the trouble's summary, gain
    /// it at the first start of this release, so `/trouble list` tells two troubles of one
    /// customer apart at once; only once.
    #[test]
    fn summaries_written_without_the_summarys_start_gain_it_at_the_upgrade() {
        let (dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        for _ in 0..2 {
            open_in(&store, &ctx, &[], 2).unwrap();
        }
        let ids: Vec<TroubleId> = (1..=2).map(|n| TroubleId::new(format!("20261130-{n}"))).collect();
        let starts = |store: &SledStore| {
            let summaries = store.summaries_of(&ids).unwrap();
            summaries.into_iter().map(|s| s.summary).collect::<Vec<_>>()
        };
        let current = starts(&store);
        assert!(current.iter().all(|s| !s.is_empty()), "{current:?}");
        // As the release before wrote them: no `summary` in the record.
        for id in &ids {
            let mut old = store.summaries_of(std::slice::from_ref(id)).unwrap().remove(0);
            old.summary.clear();
            let json = serde_json::to_vec(&old).unwrap();
            assert!(!String::from_utf8_lossy(&json).contains("\"summary\""));
            store.summaries.insert(id.as_str(), json).unwrap();
        }
        store.db.remove(SUMMARY_STARTS_ADDED).unwrap();
        assert_eq!(starts(&store), vec![String::new(); 2]);
        drop(store);
        let store = reopen(dir.path());
        assert_eq!(starts(&store), current);
        // Marked done: not walked again at the next start.
        let mut cleared = store.summaries_of(&ids[..1]).unwrap().remove(0);
        cleared.summary.clear();
        store.summaries.insert(ids[0].as_str(), encode(&cleared)).unwrap();
        drop(store);
        let store = reopen(dir.path());
        assert_eq!(starts(&store)[0], "");
    }

    /// The summaries an earlier release wrote gain what their customer update's due time counts
    /// from at the next start, so `/trouble list` marks an overdue update at once: the troubles
    /// left longest unchanged are the ones it must mark.
    #[test]
    fn summaries_written_without_their_cadence_gain_it_at_the_upgrade() {
        let (dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        open_in(&store, &ctx, &[], 2).unwrap();
        let ids = [TroubleId::new("20261130-1")];
        let written = store.summaries_of(&ids).unwrap();
        assert!(written[0].cadence.is_some());
        // As the release before wrote it: no `cadence` in the record.
        let mut old = written[0].clone();
        old.cadence = None;
        let json = serde_json::to_vec(&old).unwrap();
        assert!(!String::from_utf8_lossy(&json).contains("\"cadence\""));
        store.summaries.insert(ids[0].as_str(), json).unwrap();
        store.db.remove(SUMMARY_CADENCES_ADDED).unwrap();
        assert_eq!(store.summaries_of(&ids).unwrap()[0].cadence, None);
        drop(store);
        let store = reopen(dir.path());
        assert_eq!(store.summaries_of(&ids).unwrap(), written);
    }

    #[test]
    fn a_trouble_left_out_of_a_build_is_filed_once_it_reads_and_nothing_is_built_again_meanwhile() {
        let (dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        for _ in 0..3 {
            open_in(&store, &ctx, &[], 2).unwrap();
        }
        let spoiled = TroubleId::new("20261130-2");
        let original = store.troubles.get(spoiled.as_str()).unwrap().unwrap();
        // A record a newer release wrote, say, in a store from before the read indexes.
        store.troubles.insert(spoiled.as_str(), &b"{\"stages\":7}"[..]).unwrap();
        store.index.clear().unwrap();
        store.summaries.clear().unwrap();
        store.db.remove(SUMMARIES_BUILT).unwrap();
        drop(store);

        let listed = |store: &SledStore| {
            let ids = |ids: Vec<TroubleId>| ids.iter().map(ToString::to_string).collect::<Vec<_>>();
            let summaries = store.open_summaries().unwrap().into_iter().map(|s| s.id).collect();
            let open = super::super::index::sled_open_head(&store.index, 10).unwrap();
            let open = open.into_iter().map(|(id, _)| id).collect();
            let counts = super::super::index::sled_counts(&store.index).unwrap();
            (ids(summaries), ids(open), counts.troubles, counts.open)
        };
        let without = (
            vec!["20261130-1".to_string(), "20261130-3".to_string()],
            vec!["20261130-1".to_string(), "20261130-3".to_string()],
            2,
            2,
        );
        let store = reopen(dir.path());
        assert_eq!(listed(&store), without, "built without it");
        assert!(store
            .db
            .contains_key([LEFT_OUT, spoiled.as_str().as_bytes()].concat())
            .unwrap());
        // Still unreadable at the next start: it alone is looked at; the indexes built stay
        // (a build clears the tree first, and would take this mark with it).
        store.index.insert(b"mark", &[]).unwrap();
        drop(store);
        let store = reopen(dir.path());
        assert!(store.index.contains_key(b"mark").unwrap(), "built again");
        assert_eq!(listed(&store), without);

        // It reads again (the release that wrote it is back): listed and counted as before.
        store.troubles.insert(spoiled.as_str(), original).unwrap();
        drop(store);
        let store = reopen(dir.path());
        let ids: Vec<String> = (1..=3).map(|n| format!("20261130-{n}")).collect();
        assert_eq!(listed(&store), (ids.clone(), ids, 3, 3));
        assert_eq!(store.db.scan_prefix(LEFT_OUT).count(), 0);
    }

    #[test]
    fn an_open_a_crash_cut_short_is_taken_back_at_reopen_from_a_record_of_little_more_than_its_keys() {
        // Cut short after the first trees' writes, and after every write but the record's
        // removal (the keys it replaced, the day's counter and the index's counts among them,
        // are put back).
        for cut in [Cut::Half, Cut::AllButTheRemoval] {
            let (dir, store, config, now) = fresh();
            let ctx = Ctx {
                policy: &config.policy,
                now,
            };
            let first = open_in(&store, &ctx, &["sig:first"], 1).unwrap();
            let first = first.trouble.unwrap();
            let outbox_before = store.outbox_items().unwrap().len();
            // The second open's write set as `open_trouble` makes it, recorded by the store's
            // own choice, of which only some writes reached the trees before the crash.
            let id = TroubleId::new("20261130-2");
            let decision = decide::open(&ctx, id.clone(), 2, UserId::new("U0SALES"), origin(), request(1));
            let trees = store.overlays(None);
            trees.counters.insert(b"20261130", &2u32.to_be_bytes());
            assert!(write_decision(&trees, &decision, None, None, now).is_ok());
            remember(&trees.events, &["sig:second"], now);
            let writes = trees.into_writes();
            let record = store
                .journal_record(&writes, None)
                .unwrap()
                .expect("a record of several keys");
            let whole = journal::encode(&writes).len();
            assert!(
                record.len() * 2 < whole,
                "{} bytes recorded of the open's {whole}",
                record.len()
            );
            store
                .journal
                .insert(store.db.generate_id().unwrap().to_be_bytes(), record)
                .unwrap();
            let applied = match cut {
                Cut::Half => writes.len() / 2,
                Cut::AllButTheRemoval => writes.len(),
            };
            journal::apply(&writes[..applied]).unwrap();
            drop(writes);
            drop(store);

            let store = reopen(dir.path());
            assert!(store.journal.is_empty(), "the record is removed once replayed");
            assert_eq!(store.get(&id).unwrap(), None);
            assert!(store.timeline(&id).unwrap().is_empty());
            assert_eq!(store.get(&first.id).unwrap().as_ref(), Some(&first));
            assert_eq!(store.outbox_items().unwrap().len(), outbox_before);
            assert_eq!(store.open_summaries().unwrap().len(), 1);
            assert_eq!(super::super::index::sled_counts(&store.index).unwrap().open, 1);
            assert_eq!(store.trouble_count(), 1);
            // The request was never answered: Slack's retry opens it, under the same number.
            let again = open_in(&store, &ctx, &["sig:second"], 1).unwrap();
            assert_eq!(again.trouble.unwrap().id, id);
        }
    }

    /// Where a crash cut a write set short.
    #[derive(Clone, Copy)]
    enum Cut {
        Half,
        AllButTheRemoval,
    }

    #[test]
    fn every_record_and_timeline_entry_reads_back_the_same_from_less_than_half_its_json_and_json_still_reads() {
        use crate::trouble::decide::{Input, Outcome, Slot};
        use crate::trouble::model::Ts;
        let (_dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        let opened = open_in(&store, &ctx, &["sig:a"], 1).unwrap();
        let id = opened.trouble.as_ref().unwrap().id.clone();
        for (slot, channel, ts) in [
            (Slot::ManagerDm, "D0MGR", "1796036415.003443"),
            (Slot::OriginNotice, "C0ORIGIN", "1796036415.014175"),
        ] {
            let posted = Outcome::Posted {
                slot,
                channel: ChannelId::new(channel),
                ts: Ts::new(ts),
                together: vec![TroubleId::new("20261130-7")],
                shown: None,
            };
            store
                .transact(None, &id, &[], None, now, |t| {
                    decide::decide(&ctx, t, Input::Delivered(posted.clone()))
                })
                .unwrap()
                .unwrap();
        }
        let mut t = store.get(&id).unwrap().unwrap();
        t.manager = Some(UserId::new("U0MGR"));
        t.members_seen.push(UserId::new("U0VISITOR"));
        assert!(t.manager_dm.is_some() && !t.timeline_head.is_empty());

        /// Compact, half the JSON without nulls at most, a third of serde's JSON at most, and
        /// every JSON form reads back the same.
        fn check<T: Serialize + for<'de> Deserialize<'de>>(what: &str, value: &T, at_most: usize) {
            let json = |v: &T| serde_json::to_value(v).unwrap();
            let compact = encode(value);
            let full = serde_json::to_vec(value).unwrap();
            let mut lean = serde_json::to_value(value).unwrap();
            record::drop_nulls(&mut lean);
            let lean = serde_json::to_vec(&lean).unwrap();
            assert_eq!(compact[0], record::VERSION, "{what}");
            assert!(
                compact.len() * 100 <= full.len() * at_most,
                "{what}: {} bytes against {} of JSON",
                compact.len(),
                full.len()
            );
            for form in [&compact, &full, &lean] {
                assert_eq!(json(&decode::<T>(form).unwrap()), json(value), "{what}");
            }
        }
        check("trouble body", &t.body(), 40);
        check("trouble whole", &t, 40);
        check("tracking", &Tracking::of(&t), 45);
        check("summary", &TroubleSummary::from(&t), 50);
        let items = store.outbox_items().unwrap();
        assert!(items.len() > 5);
        for item in &items {
            check("outbox item", item, 60);
        }
        let mut marked = items[0].clone();
        marked.attempt_started_at = Some(now);
        check("outbox item with its attempt", &marked, 60);
        for timer in &opened.timers {
            check("timer", timer, 50);
        }
        // Timeline entries keep their nulls and read back to the entry their hash was taken of.
        let entries = store.timeline(&id).unwrap();
        assert!(!entries.is_empty());
        for e in &entries {
            let (compact, json) = (encode_entry(e), serde_json::to_vec(e).unwrap());
            assert!(
                compact.len() * 2 < json.len(),
                "{} bytes against {}",
                compact.len(),
                json.len()
            );
            for form in [&compact, &json] {
                let back: Entry = decode(form).unwrap();
                assert_eq!(&back, e);
                assert_eq!(back.recomputed_hash(), e.hash);
                assert_eq!(serde_json::to_vec(&back).unwrap(), json, "serde's form, byte for byte");
            }
        }
        assert_eq!(
            crate::trouble::timeline::verify_chain(&entries, t.timeline_len, &t.timeline_head),
            Ok(())
        );
    }

    /// The pages of `tree`, leaves and index nodes (sled's `Debug` writes one line per node).
    /// The bytes the file system holds for `file`, holes left out.
    fn allocated(file: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(file).unwrap().blocks() * 512
    }

    #[test]
    fn a_reopened_store_holds_no_disk_blocks_for_the_unused_part_of_its_log() {
        let (dir, store, _, _) = fresh();
        let value = vec![7u8; 200];
        for i in 0..150u32 {
            store.outbox.insert(i.to_be_bytes(), value.as_slice()).unwrap();
        }
        store.db.flush().unwrap();
        drop(store);
        // Opening settles the log: the active segment past its tip reads as zeros from now on.
        let store = reopen(dir.path());
        store.db.flush().unwrap();
        let log = dir.path().join("db").join("db");
        let (held, length) = (allocated(&log), std::fs::metadata(&log).unwrap().len());
        assert!(
            held + 256 * 1024 < length,
            "the log holds {held} bytes of its {length}: its unused part should be a hole"
        );
        assert_eq!(store.outbox.len(), 150, "every record read back");
        assert!(store.outbox.iter().values().all(|v| v.unwrap() == value.as_slice()));
    }

    #[test]
    fn a_tidied_log_leaves_the_store_little_more_on_disk_than_its_live_records() {
        let (dir, store, _, _) = fresh();
        // Records kept (700 bytes) and records rewritten later (300 bytes) share the log's
        // segments, so the rewrite leaves them ~70% live: too full for sled's own cleaner
        // (a fifth live), not for the tidy at a stop.
        let trees = |s: &SledStore| (s.db.open_tree("kept").unwrap(), s.db.open_tree("rewritten").unwrap());
        let (kept, rewritten) = trees(&store);
        let record = |i: u32| vec![(i % 251) as u8; 700];
        for i in 0..3000u32 {
            kept.insert(i.to_be_bytes(), record(i)).unwrap();
            rewritten.insert(i.to_be_bytes(), vec![1u8; 300]).unwrap();
        }
        for i in 0..3000u32 {
            rewritten.insert(i.to_be_bytes(), vec![2u8; 300]).unwrap();
        }
        store.db.flush().unwrap();
        // What the tidy moved is not counted here: sled's flusher thread cleans from the same
        // queue, and on a busy machine it once moved every page the tidy queued (a fresh-clone
        // CI run). The room on disk below is what matters; untidied it is 3.3× the records.
        // The budget is a stop's (250 ms) times a hundred. The tidy first waits until crossbeam's
        // epoch, which is the whole process's, lets sled's deferred counts run; the other tests
        // of this binary hold it back, and on a loaded machine that took all of 250 ms (the log
        // left untidied, 1.9–3.3× the records: a fresh-clone CI run, and 6 of 16 loaded runs).
        store.tidy_log_within(TIDY_BUDGET * 100).unwrap();
        store.db.flush().unwrap();
        drop((store, kept, rewritten));
        // Segments emptied by the tidy are holes once the store opens again.
        let store = reopen(dir.path());
        let (held, live) = (allocated(&dir.path().join("db").join("db")), 3000 * (700 + 300));
        assert!(
            held < live * 3 / 2,
            "the log holds {held} bytes for {live} bytes of live records"
        );
        let (kept, rewritten) = trees(&store);
        assert_eq!((kept.len(), rewritten.len()), (3000, 3000));
        assert!((0..3000u32).all(|i| kept.get(i.to_be_bytes()).unwrap().unwrap() == record(i)));
        assert!(rewritten.iter().values().all(|v| v.unwrap() == vec![2u8; 300]));
    }

    /// [`SledStore::tidy_log`]'s passes on a bare sled: every sparse segment drained, however
    /// long it takes (no time budget), with a flush after each pass; the pages moved.
    fn tidy_fully(db: &sled::Db) -> usize {
        let mut moved = 0;
        loop {
            match db
                .tidy_log(TIDY_BELOW_PERCENT, std::time::Duration::from_secs(60))
                .unwrap()
            {
                0 => return moved,
                pass => moved += pass,
            }
            db.flush().unwrap();
        }
    }

    /// Runs `f` while another thread holds crossbeam's epoch where it was, as another test's
    /// thread pinned in sled and then descheduled may on a busy machine: sled's writes learn
    /// that their segments are finished only as the epoch moves on.
    fn epoch_held_back_during<T>(f: impl FnOnce() -> T) -> T {
        let (pinned, held) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let guard = sled::crossbeam_pin();
            pinned.send(()).unwrap();
            let _ = released.recv();
            drop(guard);
        });
        held.recv().unwrap();
        let result = f();
        drop(release);
        holder.join().unwrap();
        result
    }

    /// On sled without its flusher thread (`bare_sled`), so that nothing but the test writes or
    /// cleans the log. Two fresh-clone CI runs read 1,046 and 1,074 moves where local runs
    /// read 94-208: the tidy before the restart had moved nothing, as sled had not yet
    /// counted the segments as finished (twenty-fifth session; `PageCache::tidy_log` now
    /// catches up first, TROUBLE-BOT.md item 6). The records are written with the epoch held
    /// back, as it was there, so that without the catch-up this test fails every time.
    #[test]
    fn after_a_restart_new_records_leave_the_records_at_rest_where_they_are() {
        // A few hundred moves at most of the tree's 560 pages (the appends leave some sparse);
        // published sled made 10,000-15,000, every time. Once in a dozen full runs of the lib
        // tests (twenty-eighth session) it read 1,490: crossbeam's epoch is shared by every
        // test's threads, and another test holding it back as the appends are written delays
        // sled's count of finished segments after the restart too. So the run is made from a
        // fresh start up to three times; the behaviour this guards against fails all three.
        let mut seen = Vec::new();
        for _ in 0..3 {
            let (after, held) = moves_after_a_restart();
            seen.push((after, held));
            if after < held {
                return;
            }
        }
        panic!("pages moved, of the tree's, in each run: {seen:?}");
    }

    /// Writes ~4 MB to keep and ~4 MB to remove, tidies, restarts, appends 1,000 records with a
    /// tidy after each hundred: the pages those tidies moved, and the kept tree's pages.
    fn moves_after_a_restart() -> (usize, usize) {
        let dir = tempfile::tempdir().unwrap();
        let db = bare_sled(dir.path()).unwrap();
        // ~4 MB kept and ~4 MB removed: the tidy frees the removed half's segments.
        let trees = |db: &sled::Db| (db.open_tree("kept").unwrap(), db.open_tree("gone").unwrap());
        let (kept, gone) = trees(&db);
        let record = |i: u32| vec![(i % 251) as u8; 1000];
        epoch_held_back_during(|| {
            for i in 0..4000u32 {
                kept.insert(i.to_be_bytes(), record(i)).unwrap();
                gone.insert(i.to_be_bytes(), record(i)).unwrap();
            }
            for i in 0..4000u32 {
                gone.remove(i.to_be_bytes()).unwrap();
            }
        });
        let (tidied, held) = (tidy_fully(&db), pages(&kept));
        assert!(
            tidied >= held,
            "the tidy moved {tidied} pages of the kept tree's {held}"
        );
        db.flush().unwrap();
        drop((db, kept, gone));
        // Half the log's segments are free now. Published sled then moved the last segment's
        // pages, however live, each time a segment filled: over and over, since each move
        // filled the next one. Only records that have gone sparse are to be moved.
        let db = opened_again(|| bare_sled(dir.path()));
        let (kept, _) = trees(&db);
        let mut after = 0;
        for from in (4000..5000u32).step_by(100) {
            for i in from..from + 100 {
                kept.insert(i.to_be_bytes(), record(i)).unwrap();
            }
            db.flush().unwrap();
            after += tidy_fully(&db);
        }
        assert!((0..5000u32).all(|i| kept.get(i.to_be_bytes()).unwrap().unwrap() == record(i)));
        (after, pages(&kept))
    }

    #[test]
    fn a_split_tells_its_parent_in_a_few_bytes_and_a_reopened_store_finds_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let db = bare_sled(dir.path()).unwrap();
        let queue = db.open_tree("queue").unwrap();
        // An outbox's shape: items keyed by lane, then sequence; sled's rule of sixteen entries
        // a leaf, so ~250 leaves under one index page.
        let key = |i: u32| format!("lane:C{:04}\0{i:08}", (i * 7) % 500);
        let value = |i: u32| vec![(i % 251) as u8; 100];
        for i in 0..3000u32 {
            queue.insert(key(i), value(i)).unwrap();
        }
        db.flush().unwrap();
        let mut written = 0;
        for i in 3000..3500u32 {
            queue.insert(key(i), value(i)).unwrap();
            if i % 10 == 0 {
                written += db.flush().unwrap();
            }
        }
        written += db.flush().unwrap();
        // ~35 leaves split. 97,421 bytes here; published sled, which wrote the whole index page
        // of ~270 children for each, 134,900 (sled's seal of a full buffer may write in another
        // thread, uncounted, so a count can only come out low).
        assert!(written < 115_000, "{written} bytes flushed for 500 entries");
        // Three entries in four go, so leaves merge too, in parents changed by those links.
        let split = pages(&queue);
        for i in (0..3500u32).filter(|i| i % 4 != 1) {
            queue.remove(key(i)).unwrap();
        }
        db.flush().unwrap();
        let merged = pages(&queue);
        assert!(merged < split, "{merged} pages after the removals, {split} before");
        drop((queue, db));
        let db = opened_again(|| bare_sled(dir.path()));
        let queue = db.open_tree("queue").unwrap();
        let mut expected: Vec<(String, Vec<u8>)> = (1..3500u32).step_by(4).map(|i| (key(i), value(i))).collect();
        expected.sort();
        let stored: Vec<(String, Vec<u8>)> = queue
            .iter()
            .map(|kv| {
                kv.map(|(k, v)| (String::from_utf8(k.to_vec()).unwrap(), v.to_vec()))
                    .unwrap()
            })
            .collect();
        assert!(
            stored == expected,
            "{} entries read back in order, {} expected",
            stored.len(),
            expected.len()
        );
        assert!((1..3500u32)
            .step_by(4)
            .all(|i| queue.get(key(i)).unwrap().unwrap() == value(i)));
    }

    #[test]
    fn the_trees_of_small_records_rewrite_less_of_a_leaf_per_change_and_those_read_less_than_sleds_rule() {
        let dir = tempfile::tempdir().unwrap();
        let db = bare_sled(dir.path()).unwrap();
        // ~3 KB of keys, as in a stretch of the index: one 4 KB leaf, or two of 2 KB. The small
        // records' settings; the queues' (the small records' until the twentieth session); the
        // read trees' twenty fragments (in a 4 KB leaf here, to compare like with like); sled's.
        let trees = [
            (SMALL_RECORD_LEAF_BYTES, Some(SMALL_RECORD_CONSOLIDATE_AFTER)),
            (QUEUE_LEAF_BYTES, Some(QUEUE_CONSOLIDATE_AFTER)),
            (QUEUE_LEAF_BYTES, Some(READ_TREE_CONSOLIDATE_AFTER)),
            (QUEUE_LEAF_BYTES, None),
        ]
        .map(|(leaf, after)| {
            let tree = db.open_tree(format!("{leaf}-{after:?}")).unwrap();
            tree.set_leaf_split_bytes(leaf);
            if let Some(after) = after {
                tree.set_consolidate_after(after);
            }
            tree
        });
        let key = |i: u32| format!("c:customer{:04}", i % 60);
        let written = trees.map(|tree| {
            for i in 0..60u32 {
                tree.insert(key(i), &[1u8; 30]).unwrap();
            }
            db.flush().unwrap();
            let mut bytes = 0;
            for i in 0..500u32 {
                tree.insert(key(i * 7), &i.to_be_bytes()).unwrap();
                bytes += db.flush().unwrap();
            }
            assert!((0..60u32).all(|i| tree.get(key(i)).unwrap().is_some()));
            bytes
        });
        // Each change is a fragment of ~50 bytes (with its header); the ~3 KB leaf rewritten
        // whole at every tenth change costs six times that again, at every fiftieth about as
        // much. Here 17,630 bytes for the 500 changes in 2 KB leaves at every hundredth, 26,900
        // in 4 KB at every fiftieth, 45,760 at every twentieth, 77,801 at sled's rule.
        let [small, queue, read, sleds] = written;
        assert!(
            small * 5 < queue * 4 && queue * 2 < sleds && read * 4 < sleds * 3,
            "{small} bytes flushed in 2 KB leaves at a hundred, {queue} in 4 KB at fifty, {read} at \
             twenty, {sleds} at sled's rule of ten"
        );
    }

    #[test]
    fn a_value_changed_in_a_few_bytes_is_logged_as_the_change_and_a_reopened_store_reads_it_whole() {
        let dir = tempfile::tempdir().unwrap();
        let key = |k: usize| format!("20261201-{k}");
        // A count in front, then one more message ts at each change, as a trouble's tracking.
        let record = |k: usize, changes: usize| {
            let mut v = vec![changes as u8];
            v.extend_from_slice(format!("trouble {k}, kickoff C0000001").as_bytes());
            for c in 0..changes {
                v.extend_from_slice(format!("|1733011{c:03}.{k:06}").as_bytes());
            }
            v
        };
        let (mut flushed, mut whole) = (0, 0);
        {
            let db = bare_sled(dir.path()).unwrap();
            let tree = db.open_tree("tracking").unwrap();
            tree.set_consolidate_after(SMALL_RECORD_CONSOLIDATE_AFTER);
            for k in 0..4 {
                tree.insert(key(k), record(k, 0)).unwrap();
            }
            db.flush().unwrap();
            for change in 1..=40 {
                for k in 0..4 {
                    let value = record(k, change);
                    whole += value.len();
                    tree.insert(key(k), value).unwrap();
                    flushed += db.flush().unwrap();
                }
            }
        }
        // Each change logs its count and its new ts (~60 bytes with the key and header), not
        // the record of up to 750 bytes: 12,744 bytes flushed for 63,520 of records here,
        // 71,371 with every change logged whole.
        assert!(
            flushed * 2 < whole,
            "{flushed} bytes flushed for {whole} bytes of records"
        );
        for changes in [40, 41] {
            let db = opened_again(|| bare_sled(dir.path()));
            let tree = db.open_tree("tracking").unwrap();
            for k in 0..4 {
                assert_eq!(tree.get(key(k)).unwrap().unwrap(), record(k, changes), "{}", key(k));
                // An edit made on top of what the reopened store read.
                tree.insert(key(k), record(k, changes + 1)).unwrap();
            }
            db.flush().unwrap();
        }
    }

    fn pages(tree: &sled::Tree) -> usize {
        format!("{tree:?}").lines().filter(|l| l.starts_with("\t\t")).count()
    }

    #[test]
    fn the_trees_of_small_records_keep_few_large_leaves_and_every_entry_through_splits_and_removals() {
        let (dir, store, _, _) = fresh();
        let key = |i: u32| format!("c:customer{:04}\0{i:08}", i % 700);
        let mut expected = std::collections::BTreeMap::new();
        let trees = [
            ("index", &store.index),
            ("outbox", &store.outbox),
            ("timers", &store.timers),
            ("events", &store.events),
        ];
        for i in 0..4000u32 {
            for (_, tree) in trees.iter().chain([&("timeline", &store.timeline)]) {
                tree.insert(key(i), &i.to_be_bytes()).unwrap();
            }
            expected.insert(key(i).into_bytes(), i.to_be_bytes().to_vec());
        }
        for i in (0..4000u32).step_by(3) {
            store.index.remove(key(i)).unwrap();
            expected.remove(key(i).as_bytes());
        }
        // ~30 bytes an entry: the queues' 4 KB leaves hold ~70-130 of them, the index's 2 KB
        // ~35-65, sled's own rule 9-16 (kept by the timeline, whose pages are read by one
        // trouble's history).
        let sleds = pages(&store.timeline);
        for (name, tree) in trees {
            let small = pages(tree);
            assert!(
                small * 4 < sleds,
                "{name} {small} pages, timeline (sled's rule) {sleds}"
            );
        }
        drop(store);
        let store = reopen(dir.path());
        let stored: Vec<(Vec<u8>, Vec<u8>)> = store
            .index
            .scan_prefix(b"c:")
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap())
            .collect();
        assert!(
            stored == expected.into_iter().collect::<Vec<_>>(),
            "{} entries read back",
            stored.len()
        );
    }

    /// The leaves of a range leave sled's cache when paged out (vendored sled, item 15), and
    /// reads and writes into them afterwards, and after a reopen, find what they would have.
    #[test]
    fn paged_out_leaves_leave_the_cache_and_read_and_take_writes_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let (db, tree) = bare_index(dir.path(), SMALL_RECORD_LEAF_BYTES);
        let mut expected = std::collections::BTreeMap::new();
        for i in 0..3000u32 {
            let (key, value) = (format!("t:{i:05}"), format!("cracked housing on lot {i}"));
            tree.insert(&key, value.as_bytes()).unwrap();
            expected.insert(key.into_bytes(), value.into_bytes());
        }
        for i in 0..300u32 {
            let key = format!("c:{i:05}");
            tree.insert(&key, &i.to_be_bytes()).unwrap();
            expected.insert(key.into_bytes(), i.to_be_bytes().to_vec());
        }
        db.flush().unwrap();
        let resident = db.resident_pages();
        let leaves = tree.page_out_range(b"t:", b"t;").unwrap();
        assert!(leaves > 20, "{leaves} leaves of `t:` keys");
        assert!(
            db.resident_pages() + leaves <= resident + 1,
            "{} pages in memory, {resident} before {leaves} leaves were paged out",
            db.resident_pages()
        );
        for i in (0..3000u32).step_by(7) {
            let (key, value) = (format!("t:{i:05}"), format!("replaced {i}"));
            tree.insert(&key, value.as_bytes()).unwrap();
            expected.insert(key.into_bytes(), value.into_bytes());
        }
        for i in (0..3000u32).step_by(11) {
            tree.remove(format!("t:{i:05}")).unwrap();
            expected.remove(format!("t:{i:05}").as_bytes());
        }
        let everything = |tree: &sled::Tree| -> Vec<(Vec<u8>, Vec<u8>)> {
            tree.iter()
                .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap())
                .collect()
        };
        let expected: Vec<_> = expected.into_iter().collect();
        assert!(everything(&tree) == expected, "read back after the writes");
        tree.page_out_range(b"", b"\xff").unwrap();
        assert!(everything(&tree) == expected, "read back from the log");
        db.flush().unwrap();
        drop((tree, db));
        let db = opened_again(|| bare_sled(dir.path()));
        let tree = db.open_tree("index").unwrap();
        assert!(everything(&tree) == expected, "read back after a reopen");
    }

    /// Loading the search texts reads every `t:` leaf of the index once; they leave sled's
    /// cache at once (a search reads the texts' copy), and a search after a later decision
    /// still finds every trouble.
    #[test]
    fn the_search_load_keeps_none_of_its_leaves_in_memory_and_finds_every_trouble() {
        let (dir, store, config, now) = fresh();
        let ctx = Ctx {
            policy: &config.policy,
            now,
        };
        for _ in 0..500 {
            open_in(&store, &ctx, &[], 2).unwrap();
        }
        drop(store);
        // The load leaves at most the path to its leaves (nothing more, here); unpaged, its
        // leaves are ~37 pages. The count is of the whole page cache, where sled's own thread
        // (cleaning segments) may bring pages of any tree in meanwhile: a few beside busy loops,
        // 19 once in a CI run beside a build. So the load is measured from a fresh start up to
        // three times; a load that kept its leaves would keep them every time.
        let mut seen = Vec::new();
        let (store, after) = loop {
            let store = reopen(dir.path());
            let before = store.index.resident_pages();
            store.search_cache().warm(&store.index).unwrap();
            let after = store.index.resident_pages();
            seen.push((before, after));
            if after <= before + 8 {
                break (store, after);
            }
            assert!(seen.len() < 3, "pages in memory (before, after) the load: {seen:?}");
            drop(store);
        };
        let words = crate::trouble::search::query_words("cracked");
        assert_eq!(store.search_cache().search(&store.index, &words).unwrap().len(), 500);
        open_in(&store, &ctx, &[], 2).unwrap();
        assert_eq!(store.search_cache().search(&store.index, &words).unwrap().len(), 501);
        // What the load would have left without paging out: a leaf for every few troubles.
        assert_eq!(store.index.scan_prefix(b"t:").count(), 501);
        assert!(
            store.index.resident_pages() > after + 10,
            "{} pages in memory after a scan, {after} after the load",
            store.index.resident_pages()
        );
    }

    /// A store written before the twentieth session has 4 KB leaves where the bot now asks for
    /// 2 KB: its reads leave them whole and write nothing (vendored sled, item 14), and the next
    /// write into a leaf splits it.
    #[test]
    fn a_read_leaves_a_leaf_over_the_tree_s_byte_rule_whole_and_the_next_write_splits_it() {
        let dir = tempfile::tempdir().unwrap();
        let (db, tree) = bare_index(dir.path(), QUEUE_LEAF_BYTES);
        let key = |i: u32| format!("c:customer{i:04}");
        for i in 0..60u32 {
            tree.insert(key(i), &[1u8; 30]).unwrap();
        }
        db.flush().unwrap();
        let written_before = pages(&tree);
        tree.set_leaf_split_bytes(SMALL_RECORD_LEAF_BYTES);
        assert!((0..60u32).all(|i| tree.get(key(i)).unwrap().is_some()));
        assert_eq!(tree.iter().count(), 60);
        assert_eq!(tree.iter().rev().count(), 60);
        assert_eq!(tree.range(key(10)..key(20)).count(), 10);
        assert_eq!(db.flush().unwrap(), 0, "the reads wrote to the log");
        assert_eq!(pages(&tree), written_before, "the reads split a leaf");
        tree.insert(key(60), &[1u8; 30]).unwrap();
        assert!(pages(&tree) > written_before, "the write left the large leaf whole");
        assert!((0..=60u32).all(|i| tree.get(key(i)).unwrap().is_some()));
    }

    /// sled's iterator reads its first step's leaf in place and copies a leaf only to keep it
    /// for a later step (vendored sled, item 12): every walk still sees every entry, in order,
    /// across leaves, from either end and changing direction.
    #[test]
    fn a_first_step_and_every_later_step_read_the_entries_the_tree_holds() {
        let (_dir, store, _, _) = fresh();
        let key = |i: u32| format!("lane{:03}\0{i:08}", i % 97);
        let mut expected = std::collections::BTreeMap::new();
        // The outbox keeps 4 KB leaves, the timeline sled's own rule: both split many times.
        for tree in [&store.outbox, &store.timeline] {
            for i in 0..3000u32 {
                tree.insert(key(i), &i.to_be_bytes()).unwrap();
                expected.insert(key(i).into_bytes(), i.to_be_bytes().to_vec());
            }
            for i in (0..3000u32).step_by(4) {
                tree.remove(key(i)).unwrap();
                expected.remove(key(i).as_bytes());
            }
        }
        let pair = |r: sled::Result<(sled::IVec, sled::IVec)>| r.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap();
        let all: Vec<(Vec<u8>, Vec<u8>)> = expected.into_iter().collect();
        for tree in [&store.outbox, &store.timeline] {
            assert_eq!(tree.iter().map(pair).collect::<Vec<_>>(), all);
            assert_eq!(
                tree.iter().rev().map(pair).collect::<Vec<_>>(),
                all.iter().rev().cloned().collect::<Vec<_>>()
            );
            for lane in 0..97u32 {
                let prefix = format!("lane{lane:03}\0");
                let within: Vec<_> = all.iter().filter(|(k, _)| k.starts_with(prefix.as_bytes())).collect();
                assert_eq!(
                    tree.scan_prefix(&prefix).next().map(pair).as_ref(),
                    within.first().copied()
                );
                assert_eq!(
                    tree.scan_prefix(&prefix).next_back().map(pair).as_ref(),
                    within.last().copied()
                );
                // From both ends at once, turning at each step, until the two meet.
                let mut walk = tree.scan_prefix(&prefix);
                let (mut front, mut back) = (Vec::new(), Vec::new());
                loop {
                    match walk.next() {
                        Some(item) => front.push(pair(item)),
                        None => break,
                    }
                    match walk.next_back() {
                        Some(item) => back.push(pair(item)),
                        None => break,
                    }
                }
                front.extend(back.into_iter().rev());
                assert_eq!(front.iter().collect::<Vec<_>>(), within, "lane {lane}");
            }
            assert_eq!(
                tree.first().unwrap().map(|(k, _)| k.to_vec()),
                all.first().map(|(k, _)| k.clone())
            );
            let after = key(1500).into_bytes();
            assert_eq!(
                tree.get_gt(&after).unwrap().map(|(k, _)| k.to_vec()),
                all.iter().find(|(k, _)| *k > after).map(|(k, _)| k.clone())
            );
        }
    }
}
