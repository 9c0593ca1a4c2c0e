//! What belongs to no trouble on sled: timers (the weekly digest), scheduled unless one is waiting, fired with their calls in one atomic write; answers to an event, queued with its key; the people Slack refuses DMs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{timer_key, waiting_timer_key, write_decision, SledStore};
use crate::store::{in_place_of_unreadable, replaced_unreadable_timer, timer_key_job, StoreError};
use crate::trouble::decide::{Decision, Timer};
use crate::trouble::digest::DmRefused;
use crate::trouble::model::UserId;

impl SledStore {
    /// Stores `timer` unless a timer of the same job (its `trouble` name) is waiting; looked
    /// for and inserted under the writer lock, so two cannot both store one.
    ///
    /// A waiting record of the job that does not read (a newer release's, after a rollback) is
    /// named in the log and written again as this release's, still due when its key says: left,
    /// it would be deferred at every start and the job never run again.
    pub fn schedule_global(&self, timer: &Timer) -> Result<bool, StoreError> {
        let _writer = self.lock()?;
        let job = timer.trouble.as_str().as_bytes();
        let mut unreadable = Vec::new();
        for item in self.timers.iter() {
            let (key, value) = item?;
            if timer_key_job(&key) != Some(job) {
                continue;
            }
            match super::decode::<Timer>(&value) {
                Ok(_) => return Ok(false),
                Err(e) => {
                    replaced_unreadable_timer(&key, &e);
                    unreadable.push(key);
                }
            }
        }
        let timer = in_place_of_unreadable(timer, &unreadable);
        let mut batch = ::sled::Batch::default();
        for key in &unreadable {
            batch.remove(key);
        }
        batch.insert(timer_key(&timer), super::encode(&timer));
        self.timers.apply_batch(batch)?;
        // Its deferral was for the record that did not read.
        let mut deferred = self
            .deferred_timers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in &unreadable {
            deferred.remove(key.as_ref());
        }
        Ok(true)
    }

    /// Queues `decision`'s calls with request key `key` remembered, in one atomic write. False,
    /// writing nothing, when the key was seen before.
    pub fn answer_once(&self, key: &str, now: DateTime<Utc>, decision: &Decision) -> Result<bool, StoreError> {
        let answered = self.write(None, |tx| {
            super::check_unseen(&tx.events, &[key])?;
            super::remember(&tx.events, &[key], now);
            write_decision(tx, decision, None, None, now)?;
            Ok(true)
        })?;
        Ok(answered.unwrap_or(false))
    }

    /// Fires a global timer: it leaves the store in the same write as `decision`'s calls and
    /// timers. False, writing nothing, when it had already fired.
    pub fn fire_global(&self, timer: &Timer, now: DateTime<Utc>, decision: &Decision) -> Result<bool, StoreError> {
        let fired = self.write(None, |tx| {
            let Some(key) = waiting_timer_key(&tx.timers, timer)? else {
                return Ok(false);
            };
            tx.timers.remove(key);
            write_decision(tx, decision, None, None, now)?;
            Ok(true)
        })?;
        Ok(fired.unwrap_or(false))
    }

    /// Remembers that Slack refused `who` a DM about no trouble for good (`refusal`).
    pub fn refuse_dms(&self, who: &UserId, refusal: &DmRefused) -> Result<(), StoreError> {
        let _writer = self.lock()?;
        let value = serde_json::to_vec(refusal).expect("refusals serialize");
        self.refused_dms_tree()?.insert(who.as_str().as_bytes(), value)?;
        Ok(())
    }

    /// Forgets a refusal of DMs to `who` (a DM reached them): true when there was one. Looked up
    /// first without the writer lock: nearly every DM reaches someone never refused.
    pub fn dm_reached(&self, who: &UserId) -> Result<bool, StoreError> {
        let tree = self.refused_dms_tree()?;
        if !tree.contains_key(who.as_str().as_bytes())? {
            return Ok(false);
        }
        let _writer = self.lock()?;
        Ok(tree.remove(who.as_str().as_bytes())?.is_some())
    }

    /// Everyone Slack refuses DMs, with the refusal (see `refusal_read`).
    pub fn refused_dms(&self) -> Result<BTreeMap<UserId, DmRefused>, StoreError> {
        let mut all = BTreeMap::new();
        for record in self.refused_dms_tree()?.iter() {
            let (who, value) = record?;
            let who = UserId::new(String::from_utf8_lossy(&who));
            all.extend(crate::store::global::refusal_read(&who, &value).map(|r| (who, r)));
        }
        Ok(all)
    }

    /// user → the [`DmRefused`] of a DM about no trouble Slack refused them for good, as JSON.
    /// Opened when used (sled keeps it open): a field more would make every `Store` larger.
    fn refused_dms_tree(&self) -> Result<::sled::Tree, StoreError> {
        Ok(self.db.open_tree("refused_dms")?)
    }
}
