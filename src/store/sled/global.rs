//! Timers that belong to no trouble (the weekly digest) on sled: scheduled unless one is waiting, fired with their calls in one atomic write.

use chrono::{DateTime, Utc};

use super::{decode, timer_key, waiting_timer_key, write_decision, SledStore};
use crate::store::StoreError;
use crate::trouble::decide::{Decision, Timer};

impl SledStore {
    /// Stores `timer` unless a timer of the same job (its `trouble` name) is waiting; looked
    /// for and inserted under the writer lock, so two cannot both store one.
    pub fn schedule_global(&self, timer: &Timer) -> Result<bool, StoreError> {
        let _writer = self.lock()?;
        for value in self.timers.iter().values() {
            let waiting: Timer = decode(&value?)?;
            if waiting.trouble == timer.trouble {
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
