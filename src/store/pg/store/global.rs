//! Timers that belong to no trouble (the weekly digest) on PostgreSQL: scheduled by whichever instance starts first, fired by the one holding the lease, with their calls in one transaction.

use chrono::{DateTime, Utc};

use super::{encode, write_decision, PgStore};
use crate::store::pg::PgError;
use crate::store::timer_key;
use crate::trouble::decide::{Decision, Timer};

impl PgStore {
    /// Stores `timer` unless a timer of the same job (its `trouble` name) is waiting. Instances
    /// starting together take the same advisory lock, so only one of them inserts.
    pub async fn schedule_global(&self, timer: &Timer) -> Result<bool, PgError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&timer.trouble.as_str()])
            .await?;
        let inserted = tx
            .execute(
                "INSERT INTO timers (key, due, trouble, timer)
                 SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM timers WHERE trouble = $3)",
                &[&timer_key(timer), &timer.due, &timer.trouble.as_str(), &encode(timer)],
            )
            .await?;
        tx.commit().await?;
        Ok(inserted == 1)
    }

    /// Fires a claimed global timer: it leaves the table in the same transaction as
    /// `decision`'s calls and timers. False, writing nothing, when any instance fired it before.
    pub async fn fire_global(&self, timer: &Timer, now: DateTime<Utc>, decision: &Decision) -> Result<bool, PgError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        if tx
            .execute("DELETE FROM timers WHERE key = $1", &[&timer_key(timer)])
            .await?
            == 0
        {
            tx.rollback().await?;
            return Ok(false);
        }
        write_decision(&tx, decision, None, None, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
