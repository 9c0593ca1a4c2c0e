//! Timers that belong to no trouble (the weekly digest) on sled: scheduled unless one is waiting, fired with their calls in one atomic write.

use chrono::{DateTime, Utc};

use super::{timer_key, waiting_timer_key, write_decision, SledStore};
use crate::store::StoreError;
use crate::trouble::decide::{Decision, Timer};

impl SledStore {
    /// Stores `timer` unless a timer of the same job (its `trouble` name) is waiting; looked
    /// for and inserted under the writer lock, so two cannot both store one.
    pub fn schedule_global(&self, timer: &Timer) -> Result<bool, StoreError> {
        let _writer = self.lock()?;
        // Told by its key (due time, trouble, 0, kind): no timer is decoded, so one that does
        // not read cannot keep the digest from being set.
        let job = [timer.trouble.as_str().as_bytes(), &[0]].concat();
        for key in self.timers.iter().keys() {
            if key?.get(8..).is_some_and(|rest| rest.starts_with(&job)) {
                return Ok(false);
            }
        }
        self.timers.insert(timer_key(timer), super::encode(timer))?;
        Ok(true)
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
