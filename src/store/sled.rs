//! The embedded sled backend of the store seam: named trees, one multi-tree transaction per
//! decision; raw byte keys never leave this file.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::Transactional;

mod global;

use super::{has_effect, timer_key, LaneKey, OutboxItem, Skip, StoreError, ATTEMPT_COVERED};
use crate::trouble::decide::{Decision, Delivery, Lane, Op, Timer};
use crate::trouble::model::{ChannelId, Tracking, Trouble, TroubleId, TroubleSummary, UserId};
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
    /// The read indexes (`index.rs`), written in every decision's transaction.
    index: sled::Tree,
    /// The index's search texts in memory, told of each trouble a committed decision wrote.
    search: std::sync::Arc<super::index::SearchCache>,
    group_commit: std::sync::Arc<GroupCommit>,
    /// Outbox ids below this were queued by an earlier run (ids only grow).
    first_id_this_run: u64,
    /// Shared by every transaction, taken alone by `with_writes_paused`: a decision spans
    /// several trees, so a reader that walks them needs the writers held back to see one state.
    write_gate: std::sync::Arc<std::sync::RwLock<()>>,
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
}

impl GroupCommit {
    fn ticket(&self) -> u64 {
        self.tickets.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
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
    async fn cover(&self, ticket: u64, db: &sled::Db) -> Result<(), StoreError> {
        let mut flushed_upto = self.flushed_upto.lock().await;
        if *flushed_upto >= ticket {
            return Ok(());
        }
        let covering = self.tickets.load(std::sync::atomic::Ordering::SeqCst);
        db.flush_async().await?;
        *flushed_upto = covering;
        let mut unflushed = self.unflushed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        unflushed.retain(|_, t| *t > covering);
        Ok(())
    }
}

/// One sled tree as a backup carries it: its name and its records in key order.
pub type TreeRecords = (Vec<u8>, Vec<(sled::IVec, sled::IVec)>);

fn millis(now: DateTime<Utc>) -> [u8; 8] {
    (now.timestamp_millis().max(0) as u64).to_be_bytes()
}

/// Aborts when any of `seen` was remembered before.
fn check_unseen(events: &TransactionalTree, seen: &[&str]) -> Result<(), ConflictableTransactionError<Skip>> {
    for key in seen {
        if events.get(key.as_bytes())?.is_some() {
            return Err(abort(Skip::Duplicate));
        }
    }
    Ok(())
}

fn remember(
    events: &TransactionalTree,
    seen: &[&str],
    now: DateTime<Utc>,
) -> Result<(), ConflictableTransactionError<Skip>> {
    for key in seen {
        events.insert(key.as_bytes(), &millis(now))?;
    }
    Ok(())
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("store records serialize")
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A trouble from its body and its tracking record (none for a trouble the previous release
/// stored whole and nothing has moved since).
fn assemble(body: &[u8], tracking: Option<&[u8]>) -> Result<Trouble, StoreError> {
    let mut t: Trouble = decode(body)?;
    if let Some(tracking) = tracking {
        decode::<Tracking>(tracking)?.apply(&mut t);
    }
    Ok(t)
}

/// The trouble `id` as a transaction sees it.
fn read_in(tx: &Trees, id: &TroubleId) -> Result<Option<Trouble>, ConflictableTransactionError<Skip>> {
    let key = id.as_str().as_bytes();
    let Some(body) = tx.troubles.get(key)? else {
        return Ok(None);
    };
    let tracking = tx.tracking.get(key)?;
    assemble(&body, tracking.as_deref())
        .map(Some)
        .map_err(|e| abort_storage(e.to_string()))
}

/// A lane's key prefix: its name, then 0 (names hold no 0), then each item's id.
fn lane_prefix(lane: &LaneKey) -> Vec<u8> {
    let mut key = lane.as_str().as_bytes().to_vec();
    key.push(0);
    key
}

fn item_key(item: &OutboxItem) -> Vec<u8> {
    let mut key = lane_prefix(&item.lane_key());
    key.extend_from_slice(&item.id.to_be_bytes());
    key
}

fn timeline_key(trouble: &TroubleId, seq: u64) -> Vec<u8> {
    let mut key = trouble.as_str().as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// The trees one transaction writes, by name.
struct Trees<'a> {
    troubles: &'a TransactionalTree,
    tracking: &'a TransactionalTree,
    timeline: &'a TransactionalTree,
    outbox: &'a TransactionalTree,
    timers: &'a TransactionalTree,
    channels: &'a TransactionalTree,
    counters: &'a TransactionalTree,
    events: &'a TransactionalTree,
    summaries: &'a TransactionalTree,
    index: &'a TransactionalTree,
    /// The outbox ids this attempt of the transaction queued.
    queued: &'a std::cell::RefCell<Vec<u64>>,
}

fn abort<E>(e: E) -> ConflictableTransactionError<E> {
    ConflictableTransactionError::Abort(e)
}

/// Writes one decision inside a transaction. `before` is the trouble as the decision found it:
/// only the parts that changed are written (most delivery results move its [`Tracking`] alone).
fn write_decision(
    tx: &Trees,
    d: &Decision,
    before: Option<&Trouble>,
    trouble_for_calls: Option<&TroubleId>,
    now: DateTime<Utc>,
) -> Result<(), ConflictableTransactionError<Skip>> {
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
        if before.is_none_or(|b| !b.same_body(t)) {
            troubles.insert(key, encode(&t.body()))?;
        }
        super::index::write_sled(index, t)?;
        let tracked = Tracking::of(t);
        if before.is_none_or(|b| Tracking::of(b) != tracked) {
            tracking.insert(key, encode(&tracked))?;
        }
        let summary = t.is_open().then(|| TroubleSummary::from(t));
        let summary_before = before.filter(|b| b.is_open()).map(TroubleSummary::from);
        if before.is_none() || summary != summary_before {
            match summary {
                Some(s) => summaries.insert(key, encode(&s))?,
                None => summaries.remove(key)?,
            };
        }
        if let Some(c) = &t.channel {
            if before.is_none_or(|b| b.channel.as_ref() != Some(c)) {
                channels.insert(c.as_str().as_bytes(), key)?;
            }
        }
    }
    for e in &d.entries {
        timeline.insert(timeline_key(&e.trouble, e.seq), encode(e))?;
    }
    let trouble_id = d.trouble.as_ref().map(|t| &t.id).or(trouble_for_calls);
    for Delivery { lane, op } in &d.deliveries {
        let id = outbox.generate_id()?;
        let item = OutboxItem {
            id,
            trouble: trouble_id.cloned(),
            lane: *lane,
            op: op.clone(),
            created_at: now,
            attempt_started_at: None,
        };
        outbox.insert(item_key(&item), encode(&item))?;
        tx.queued.borrow_mut().push(id);
    }
    for timer in &d.timers {
        timers.insert(timer_key(timer), encode(timer))?;
    }
    Ok(())
}

impl SledStore {
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
            first_id_this_run: db.generate_id()?,
            write_gate: Default::default(),
            db,
        };
        if store.summaries.is_empty() && !store.troubles.is_empty() {
            store.rebuild_summaries()?;
        }
        if !super::index::sled_is_built(&store.index)? {
            super::index::build_sled(&store.index, &store.troubles)?;
        }
        Ok(store)
    }

    /// Makes everything written so far durable (fsync). Called before answering Slack.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let mine = self.group_commit.ticket();
        self.group_commit.cover(mine, &self.db).await
    }

    pub fn get(&self, id: &TroubleId) -> Result<Option<Trouble>, StoreError> {
        let key = id.as_str().as_bytes();
        let Some(body) = self.troubles.get(key)? else {
            return Ok(None);
        };
        assemble(&body, self.tracking.get(key)?.as_deref()).map(Some)
    }

    pub fn by_channel(&self, channel: &ChannelId) -> Result<Option<TroubleId>, StoreError> {
        Ok(self
            .channels
            .get(channel.as_str().as_bytes())?
            .map(|b| TroubleId::new(String::from_utf8_lossy(&b).into_owned())))
    }

    pub fn all_troubles(&self) -> Result<Vec<Trouble>, StoreError> {
        // Both trees are in id order, and every tracking record has its body: walk them side by
        // side rather than looking each tracking record up.
        let mut tracking = self.tracking.iter().peekable();
        let mut all = Vec::with_capacity(self.troubles.len());
        for record in self.troubles.iter() {
            let (key, body) = record?;
            while tracking.next_if(|r| r.as_ref().is_ok_and(|(k, _)| *k < key)).is_some() {}
            let own = match tracking.next_if(|r| r.as_ref().map_or(true, |(k, _)| *k == key)) {
                Some(r) => Some(r?.1),
                None => None,
            };
            all.push(assemble(&body, own.as_deref())?);
        }
        Ok(all)
    }

    /// The open troubles, from the summary index.
    pub fn open_summaries(&self) -> Result<Vec<TroubleSummary>, StoreError> {
        self.summaries.iter().values().map(|v| decode(&v?)).collect()
    }

    /// The `/trouble list` summaries of `ids`, in that order (a closed one is left out).
    pub fn summaries_of(&self, ids: &[TroubleId]) -> Result<Vec<TroubleSummary>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = self.summaries.get(id.as_str().as_bytes())? {
                found.push(decode(&v)?);
            }
        }
        Ok(found)
    }

    /// Builds the summary index from the troubles (a store written before it existed).
    fn rebuild_summaries(&self) -> Result<(), StoreError> {
        for t in self.all_troubles()? {
            if t.is_open() {
                self.summaries
                    .insert(t.id.as_str().as_bytes(), encode(&TroubleSummary::from(&t)))?;
            }
        }
        Ok(())
    }

    /// Kept on write by the index: no scan.
    pub fn trouble_count(&self) -> usize {
        super::index::sled_counts(&self.index).map_or(0, |c| c.troubles as usize)
    }

    /// The read indexes, for `index.rs`'s reads.
    pub(super) fn index_tree(&self) -> &sled::Tree {
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
        let mut prefix = id.as_str().as_bytes().to_vec();
        prefix.push(0);
        self.timeline
            .scan_prefix(prefix)
            .values()
            .map(|v| decode(&v?))
            .collect()
    }

    /// Raw access for `verify` and for tests that tamper on purpose.
    pub fn timeline_tree(&self) -> &sled::Tree {
        &self.timeline
    }

    fn transaction<R>(
        &self,
        f: impl Fn(&Trees) -> Result<R, ConflictableTransactionError<Skip>>,
    ) -> Result<Result<R, Skip>, StoreError> {
        let _writing = self
            .write_gate
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A slice, not a tuple: sled's tuples stop at nine trees.
        let trees = [
            &self.troubles,
            &self.tracking,
            &self.timeline,
            &self.outbox,
            &self.timers,
            &self.channels,
            &self.counters,
            &self.events,
            &self.summaries,
            &self.index,
        ];
        let queued = std::cell::RefCell::new(Vec::new());
        let result = trees[..].transaction(|tx| {
            // A conflict runs the closure again: only the last run's items are written.
            queued.borrow_mut().clear();
            let [troubles, tracking, timeline, outbox, timers, channels, counters, events, summaries, index] = &tx[..]
            else {
                unreachable!("one transactional tree per tree given")
            };
            f(&Trees {
                troubles,
                tracking,
                timeline,
                outbox,
                timers,
                channels,
                counters,
                events,
                summaries,
                index,
                queued: &queued,
            })
        });
        if result.is_ok() {
            self.group_commit.queued(queued.into_inner());
        }
        match result {
            Ok(r) => Ok(Ok(r)),
            Err(TransactionError::Abort(skip)) => Ok(Err(skip)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// Opens a trouble: allocates the day's next id and writes what `decide` returns for it,
    /// with the request keys `seen`, all in one transaction (skipped when a key was seen).
    /// `decide` may run more than once on conflicts; it is pure.
    pub fn open_trouble(
        &self,
        day: &str,
        seen: &[&str],
        now: DateTime<Utc>,
        decide: impl Fn(TroubleId, u32) -> Decision,
    ) -> Result<Result<Decision, Skip>, StoreError> {
        let result = self.transaction(|tx| {
            check_unseen(tx.events, seen)?;
            let counters = tx.counters;
            let seq = counters
                .get(day.as_bytes())?
                .map(|b| u32::from_be_bytes(b.as_ref().try_into().unwrap_or([0; 4])))
                .unwrap_or(0)
                + 1;
            let id = TroubleId::new(format!("{day}-{seq}"));
            let decision = decide(id, seq);
            if decision.trouble.is_some() {
                counters.insert(day.as_bytes(), &seq.to_be_bytes())?;
                write_decision(tx, &decision, None, None, now)?;
                remember(tx.events, seen, now)?;
            }
            Ok(decision)
        });
        self.committed(&result);
        result
    }

    /// Reads the trouble, lets `decide` decide, writes the result: one transaction, skipped
    /// when any of `seen` was remembered before; the keys are remembered in the same write as a
    /// decision that changed something, and `done` leaves the outbox in it.
    pub fn transact(
        &self,
        id: &TroubleId,
        seen: &[&str],
        done: Option<&OutboxItem>,
        now: DateTime<Utc>,
        decide: impl Fn(&Trouble) -> Decision,
    ) -> Result<Result<Decision, Skip>, StoreError> {
        let done = done.map(item_key);
        if let (true, Some(done)) = (seen.is_empty(), &done) {
            if let Some(decision) = self.outcome_alone(id, done, &decide)? {
                return Ok(Ok(decision));
            }
        }
        let result = self.transaction(|tx| {
            check_unseen(tx.events, seen)?;
            if let Some(key) = &done {
                tx.outbox.remove(key.as_slice())?;
            }
            let Some(trouble) = read_in(tx, id)? else {
                return Ok(Decision::default());
            };
            let decision = decide(&trouble);
            write_decision(tx, &decision, Some(&trouble), Some(id), now)?;
            if has_effect(&decision) {
                remember(tx.events, seen, now)?;
            }
            Ok(decision)
        });
        self.committed(&result);
        result
    }

    /// A delivery result that moves no more than the trouble's tracking (a message's ts
    /// recorded), written without a transaction: sled writes and syncs its io buffer twice for
    /// every transaction, which costs far more than this record. One compare-and-swap of the
    /// tracking record, then the delivered item leaves; a crash in between leaves the item to be
    /// delivered again — found in Slack and recorded the same way. None when the decision does
    /// more, the trouble has no tracking record yet, or the record moved meanwhile: the
    /// transaction decides again then.
    fn outcome_alone(
        &self,
        id: &TroubleId,
        done: &[u8],
        decide: &impl Fn(&Trouble) -> Decision,
    ) -> Result<Option<Decision>, StoreError> {
        let _writing = self
            .write_gate
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = id.as_str().as_bytes();
        let (Some(body), Some(stored)) = (self.troubles.get(key)?, self.tracking.get(key)?) else {
            return Ok(None);
        };
        let before = assemble(&body, Some(&stored))?;
        let decision = decide(&before);
        if !decision.entries.is_empty() || !decision.deliveries.is_empty() || !decision.timers.is_empty() {
            return Ok(None);
        }
        if let Some(t) = &decision.trouble {
            // The summary and the channel index follow the body and the channel.
            if !before.same_body(t) || before.channel != t.channel || before.channel_name != t.channel_name {
                return Ok(None);
            }
            let tracked = encode(&Tracking::of(t));
            if self
                .tracking
                .compare_and_swap(key, Some(stored), Some(tracked))?
                .is_err()
            {
                return Ok(None);
            }
        }
        self.outbox.remove(done)?;
        Ok(Some(decision))
    }

    /// Records that an attempt at the outbox item under `key` begins now, and makes that
    /// durable before the call leaves. False when the item is gone.
    ///
    /// Within [`ATTEMPT_COVERED`] of the item's creation the item itself is the record (see
    /// `lane_head`): nothing is written, and the call waits only until the item is durable —
    /// already, when it was queued with a decision someone was answered with (the group commit
    /// before that answer covered it), else by a group commit shared with every writer waiting.
    pub async fn mark_attempt(&self, item: &OutboxItem, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let key = item_key(item);
        let Some(bytes) = self.outbox.get(&key)? else {
            return Ok(false);
        };
        let mut item: OutboxItem = decode(&bytes)?;
        if now >= item.created_at + ATTEMPT_COVERED {
            item.attempt_started_at = Some(now);
            // Only this deliverer's lane worker writes the item while it is at the head.
            self.outbox.insert(&key, encode(&item))?;
            self.flush().await?;
        } else if let Some(ticket) = self.group_commit.pending(item.id) {
            self.group_commit.cover(ticket, &self.db).await?;
        }
        Ok(true)
    }

    /// [`Self::mark_attempt`] for the calls of one combined message, made durable together.
    pub async fn mark_attempts(&self, items: &[&OutboxItem], now: DateTime<Utc>) -> Result<Vec<bool>, StoreError> {
        let mut marked = Vec::with_capacity(items.len());
        for item in items {
            let key = item_key(item);
            let Some(bytes) = self.outbox.get(&key)? else {
                marked.push(false);
                continue;
            };
            let mut item: OutboxItem = decode(&bytes)?;
            item.attempt_started_at = Some(now);
            self.outbox.insert(&key, encode(&item))?;
            marked.push(true);
        }
        self.flush().await?;
        Ok(marked)
    }

    /// Remembers an event id with nothing else to write; false when it was seen before.
    pub fn remember_key(&self, event_id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.events.insert(event_id.as_bytes(), &millis(now))?.is_none())
    }

    /// Forgets request keys older than `before` (Slack stops retrying after minutes; a
    /// signature is only accepted within 5 minutes of its timestamp).
    pub fn prune_keys(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let cutoff = before.timestamp_millis().max(0) as u64;
        let mut removed = 0;
        for item in self.events.iter() {
            let (k, v) = item?;
            let at = u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]));
            if at < cutoff {
                self.events.remove(k)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Queues calls that belong to no trouble (the open modal).
    pub fn enqueue_loose(&self, deliveries: Vec<Delivery>, now: DateTime<Utc>) -> Result<(), StoreError> {
        let d = Decision {
            deliveries,
            ..Decision::default()
        };
        self.transaction(|tx| write_decision(tx, &d, None, None, now))?.ok();
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
        let Some(item) = self.outbox.scan_prefix(lane_prefix(lane)).next() else {
            return Ok(None);
        };
        let mut item: OutboxItem = decode(&item?.1)?;
        let marked = matches!(item.op, Op::Post { .. } | Op::CreateChannel);
        if marked && item.id < self.first_id_this_run && item.attempt_started_at.is_none() {
            item.attempt_started_at = Some(item.created_at + ATTEMPT_COVERED);
        }
        Ok(Some(item))
    }

    /// Remembers that a user has opened the App Home, so it is kept current for them.
    pub fn mark_home_viewer(&self, user: &UserId) -> Result<(), StoreError> {
        self.home_viewers.insert(user.as_str().as_bytes(), &[])?;
        Ok(())
    }

    pub fn is_home_viewer(&self, user: &UserId) -> bool {
        self.home_viewers
            .contains_key(user.as_str().as_bytes())
            .unwrap_or(false)
    }

    /// Whether a publish of this user's App Home is already waiting (it renders the latest state).
    pub fn home_publish_pending(&self, user: &UserId) -> bool {
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
            .any(|i| matches!(&i.op, Op::PublishHome { user: u } if u == user))
    }

    pub fn remove_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.outbox.remove(item_key(item))?;
        Ok(())
    }

    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// When the call queued first was queued. Ids grow as calls are queued and end every key,
    /// so the keys are compared and one record is decoded.
    pub fn oldest_outbox_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut oldest: Option<(u64, sled::IVec)> = None;
        for key in self.outbox.iter().keys() {
            let key = key?;
            let id = key
                .len()
                .checked_sub(8)
                .and_then(|at| key[at..].try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| StoreError::Corrupt("outbox key without id".into()))?;
            if oldest.as_ref().is_none_or(|(o, _)| id < *o) {
                oldest = Some((id, key));
            }
        }
        let Some((_, key)) = oldest else { return Ok(None) };
        Ok(self
            .outbox
            .get(key)?
            .map(|v| decode::<OutboxItem>(&v))
            .transpose()?
            .map(|i| i.created_at))
    }

    pub fn outbox_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox.iter().values().map(|v| decode(&v?)).collect()
    }

    /// The earliest timer.
    pub fn next_timer(&self) -> Result<Option<Timer>, StoreError> {
        match self.timers.iter().next() {
            None => Ok(None),
            Some(item) => Ok(Some(decode(&item?.1)?)),
        }
    }

    /// Up to `limit` timers due at `now`, earliest first.
    pub fn due_timers(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Timer>, StoreError> {
        let mut due = Vec::new();
        for item in self.timers.iter() {
            let timer: Timer = decode(&item?.1)?;
            if timer.due > now || due.len() >= limit {
                break;
            }
            due.push(timer);
        }
        Ok(due)
    }

    pub fn remove_timer(&self, timer: &Timer) -> Result<(), StoreError> {
        self.timers.remove(timer_key(timer))?;
        Ok(())
    }

    pub fn timers_len(&self) -> usize {
        self.timers.len()
    }

    /// Fires a timer: removes it and writes what `decide` makes of it, in one transaction,
    /// so a timer acts exactly once even across crashes.
    pub fn fire_timer(
        &self,
        timer: &Timer,
        now: DateTime<Utc>,
        decide: impl Fn(&Trouble) -> Decision,
    ) -> Result<Decision, StoreError> {
        let key = timer_key(timer);
        let r = self.transaction(|tx| {
            if tx.timers.remove(key.as_slice())?.is_none() {
                return Ok(Decision::default());
            }
            let Some(trouble) = read_in(tx, &timer.trouble)? else {
                return Ok(Decision::default());
            };
            let decision = decide(&trouble);
            write_decision(tx, &decision, Some(&trouble), Some(&timer.trouble), now)?;
            Ok(decision)
        });
        self.committed(&r);
        Ok(r?.unwrap_or_default())
    }

    /// Runs `read` while no decision is being written, so it sees every transaction whole
    /// (a backup, `verify` beside a running bot). Decisions wait meanwhile: keep `read` short.
    pub fn with_writes_paused<R>(&self, read: impl FnOnce(&SledStore) -> R) -> R {
        let _paused = self
            .write_gate
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        read(self)
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

/// The data directory holds every trouble: readable by the bot's user only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn abort_storage(detail: String) -> ConflictableTransactionError<Skip> {
    ConflictableTransactionError::Storage(sled::Error::Unsupported(format!("corrupt record: {detail}")))
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

    /// An empty store, the default configuration and a moment to decide at.
    fn fresh() -> (tempfile::TempDir, SledStore, Config, DateTime<Utc>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let config = Config::from_sources(None, &Default::default()).unwrap();
        (dir, store, config, "2026-11-30T01:00:00Z".parse().unwrap())
    }

    fn open_in(store: &SledStore, ctx: &Ctx, seen: &[&str], severity: u8) -> Result<Decision, Skip> {
        store
            .open_trouble("20261130", seen, ctx.now, |id, seq| {
                let origin = Origin {
                    channel: ChannelId::new("C0ORIGIN"),
                    response_url: None,
                };
                decide::open(ctx, id, seq, UserId::new("U0SALES"), origin, request(severity))
            })
            .unwrap()
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
        // sled's flusher thread lets go of the file lock a moment after the drop.
        let store = (0..100)
            .find_map(|_| {
                SledStore::open(dir.path())
                    .map_err(|_| std::thread::sleep(std::time::Duration::from_millis(20)))
                    .ok()
            })
            .expect("the store reopens");
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
        // As v0.1 stored it: the trouble whole, no tracking record.
        store.troubles.insert(key, encode(&t)).unwrap();
        store.tracking.remove(key).unwrap();
        assert_eq!(store.get(&t.id).unwrap().as_ref(), Some(&t));

        // A message's ts: the body stays as it was, the tracking record carries the change.
        let body_before = store.troubles.get(key).unwrap();
        let posted = Outcome::Posted {
            slot: Slot::ManagerDm,
            channel: ChannelId::new("D0MGR"),
            ts: Ts::new("1700000000.000100"),
            together: Vec::new(),
        };
        store
            .transact(&t.id, &[], None, now, |t| {
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
        };
        store
            .transact(&t.id, &[], Some(&item), now, |t| {
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
            .transact(&t.id, &[], None, now, |t| {
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
        assert_eq!(store.get(&t.id).unwrap(), Some(joined.clone()));
        assert_eq!(store.all_troubles().unwrap(), vec![joined]);
    }
}
