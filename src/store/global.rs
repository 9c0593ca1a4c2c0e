//! The store seam for what belongs to no trouble: timers (the weekly digest), one waiting per job, fired once with what it queues; answers to an event, sent once; the people Slack refuses DMs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::trouble::decide::{Decision, Timer};
use crate::trouble::digest::DmRefused;
use crate::trouble::model::UserId;

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

    /// Remembers that Slack refused `who` a DM about no trouble for good, for their own reason
    /// (`refusal`): their weekly digest goes to the one above them until a DM reaches them.
    /// Bookkeeping of the delivery machinery, as an App Home viewer is: no trouble's decision.
    pub async fn refuse_dms(&self, who: &UserId, refusal: &DmRefused) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.refuse_dms(who, refusal),
            Store::Postgres(p) => Ok(Box::pin(p.refuse_dms(who, refusal)).await?),
        }
    }

    /// Forgets a refusal of DMs to `who`: a DM reached them, or `[org]` lists them no more.
    /// True when there was one.
    pub async fn dm_reached(&self, who: &UserId) -> Result<bool, StoreError> {
        match self {
            Store::Sled(s) => s.dm_reached(who),
            Store::Postgres(p) => Ok(Box::pin(p.dm_reached(who)).await?),
        }
    }

    /// Everyone Slack refuses DMs for good, with the refusal.
    pub async fn refused_dms(&self) -> Result<BTreeMap<UserId, DmRefused>, StoreError> {
        match self {
            Store::Sled(s) => s.refused_dms(),
            Store::Postgres(p) => Ok(Box::pin(p.refused_dms()).await?),
        }
    }
}

/// A stored refusal of `who`'s DMs as this release reads it (JSON, every field defaulted). One
/// that does not read (a newer release's, after a rollback) is named in the log and left out:
/// their digest goes to them, to be refused and recorded again.
pub(crate) fn refusal_read(who: &UserId, value: &[u8]) -> Option<DmRefused> {
    match serde_json::from_slice(value) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!(error = %e, user = %who, "a stored refusal of DMs does not read; left out of the digest's routing");
            None
        }
    }
}
