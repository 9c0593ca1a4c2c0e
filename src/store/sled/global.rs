//! What belongs to no trouble on sled: timers (the weekly digest), scheduled unless one is waiting, fired with their calls in one atomic write; answers to an event, queued with its key.

use chrono::{DateTime, Utc};

use super::{timer_key, waiting_timer_key, write_decision, SledStore};
use crate::store::{in_place_of_unreadable, replaced_unreadable_timer, timer_key_job, StoreError};
use crate::trouble::decide::{Decision, Timer};

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
}
