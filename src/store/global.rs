//! The store seam for what belongs to no trouble: timers (the weekly digest), one waiting per job, fired once with what it queues, and answers to an event, sent once.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::trouble::decide::{Decision, Timer};

impl Store {
    /// Stores `timer` unless a timer of the same job (its `trouble` name) is already waiting,
    /// whoever stored it: true when this call stored it.
    pub async fn schedule_global(&self, timer: &Timer) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => s.schedule_global(timer),
            Store::Postgres(p) => Ok(p.schedule_global(timer).await?),
        }
    }

    /// Remembers request key `key` and queues `decision`'s calls (which belong to no trouble:
    /// an answer in someone's DM) in one write, so a retried event is answered once. False,
    /// writing nothing, when the key was seen before.
    pub async fn answer_once(&self, key: &str, now: DateTime<Utc>, decision: &Decision) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => s.answer_once(key, now, decision),
            Store::Postgres(p) => Ok(p.answer_once(key, now, decision).await?),
        }
    }

    /// Fires a claimed global timer: it leaves the store in the same write as `decision`'s
    /// calls (which belong to no trouble) and timers (the job's next one), so it acts once
    /// across crashes and instances. False, writing nothing, when it had already fired.
    pub async fn fire_global(
        &self,
        timer: &Timer,
        now: DateTime<Utc>,
        decision: &Decision,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => s.fire_global(timer, now, decision),
            Store::Postgres(p) => Ok(p.fire_global(timer, now, decision).await?),
        }
    }
}
