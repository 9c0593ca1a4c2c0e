//! Timers that belong to no trouble (the weekly digest) on sled: scheduled unless one is waiting, fired with their calls in one transaction.

use chrono::{DateTime, Utc};

use super::{decode, write_decision, SledStore};
use crate::store::{timer_key, StoreError};
use crate::trouble::decide::{Decision, Timer};

impl SledStore {
    /// Stores `timer` unless a timer of the same job (its `trouble` name) is waiting; one
    /// process writes this store, so looking first and then inserting cannot race.
    pub fn schedule_global(&self, timer: &Timer) -> Result<bool, StoreError> {
        for value in self.timers.iter().values() {
            let waiting: Timer = decode(&value?)?;
            if waiting.trouble == timer.trouble {
                return Ok(false);
            }
        }
        self.transaction(|tx| {
            tx.timers.insert(timer_key(timer), super::encode(timer))?;
            Ok(())
        })?
        .ok();
        Ok(true)
    }

    /// Fires a global timer: it leaves the store in the same write as `decision`'s calls and
    /// timers. False, writing nothing, when it had already fired.
    pub fn fire_global(&self, timer: &Timer, now: DateTime<Utc>, decision: &Decision) -> Result<bool, StoreError> {
        let key = timer_key(timer);
        let fired = self.transaction(|tx| {
            if tx.timers.remove(key.as_slice())?.is_none() {
                return Ok(false);
            }
            write_decision(tx, decision, None, now)?;
            Ok(true)
        })?;
        Ok(fired.unwrap_or(false))
    }
}
