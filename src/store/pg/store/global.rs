//! What belongs to no trouble on PostgreSQL: timers (the weekly digest), scheduled by whichever instance starts first, fired by the one holding the lease, with their calls in one transaction; answers to an event, queued with its key; the people Slack refuses DMs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{decode, encode, write_decision, PgStore};
use crate::store::pg::PgError;
use crate::store::{in_place_of_unreadable, replaced_unreadable_timer, timer_key};
use crate::trouble::decide::{Decision, Timer};
use crate::trouble::digest::DmRefused;
use crate::trouble::model::UserId;

impl PgStore {
    /// Stores `timer` unless a timer of the same job (its `trouble` name) is waiting. Instances
    /// starting together take the same advisory lock, so only one of them inserts.
    ///
    /// A waiting row of the job that does not read (a newer release's, after a rollback) is named
    /// in the log and written again as this release's, still due when it was: left, it would be
    /// held an hour at a time and the job never run again.
    pub async fn schedule_global(&self, timer: &Timer) -> Result<bool, PgError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&timer.trouble.as_str()])
            .await?;
        let waiting = tx
            .query(
                "SELECT key, timer FROM timers WHERE trouble = $1 FOR UPDATE",
                &[&timer.trouble.as_str()],
            )
            .await?;
        let mut unreadable = Vec::new();
        for row in &waiting {
            let key: Vec<u8> = row.get(0);
            match decode::<Timer>("timer", row.get(1)) {
                Ok(_) => {
                    tx.rollback().await?;
                    return Ok(false);
                }
                Err(e) => {
                    replaced_unreadable_timer(&key, &e);
                    unreadable.push(key);
                }
            }
        }
        let timer = in_place_of_unreadable(timer, &unreadable);
        // Held since the look (FOR UPDATE): another instance that reads the row (a newer
        // release, mid-rollout) cannot have fired it meanwhile. Should it have all the same,
        // the digest is left to what it stored, rather than sent twice.
        let removed = tx
            .execute("DELETE FROM timers WHERE key = ANY($1)", &[&unreadable])
            .await?;
        if removed != unreadable.len() as u64 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO timers (key, due, trouble, timer) VALUES ($1, $2, $3, $4)",
            &[&timer_key(&timer), &timer.due, &timer.trouble.as_str(), &encode(&timer)],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Queues `decision`'s calls with request key `key` remembered, in one transaction. False,
    /// writing nothing, when the key was seen before.
    pub async fn answer_once(&self, key: &str, now: DateTime<Utc>, decision: &Decision) -> Result<bool, PgError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let remembered = tx
            .execute(
                "INSERT INTO seen_keys (key, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&key, &now],
            )
            .await?;
        if remembered == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        write_decision(&tx, decision, None, None, now).await?;
        tx.commit().await?;
        Ok(true)
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

    /// Remembers that Slack refused `who` a DM about no trouble for good (`refusal`).
    pub async fn refuse_dms(&self, who: &UserId, refusal: &DmRefused) -> Result<(), PgError> {
        let value = serde_json::to_vec(refusal).expect("refusals serialize");
        let client = self.pool().get().await?;
        client
            .execute(
                "INSERT INTO refused_dms (user_id, refusal) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET refusal = EXCLUDED.refusal",
                &[&who.as_str(), &value],
            )
            .await?;
        Ok(())
    }

    /// Forgets a refusal of DMs to `who`: true when there was one.
    pub async fn dm_reached(&self, who: &UserId) -> Result<bool, PgError> {
        let client = self.pool().get().await?;
        let gone = client
            .execute("DELETE FROM refused_dms WHERE user_id = $1", &[&who.as_str()])
            .await?;
        Ok(gone > 0)
    }

    /// Everyone Slack refuses DMs, with the refusal.
    pub async fn refused_dms(&self) -> Result<BTreeMap<UserId, DmRefused>, PgError> {
        let client = self.pool().get().await?;
        let rows = client.query("SELECT user_id, refusal FROM refused_dms", &[]).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let who = UserId::new(r.get::<_, String>(0));
                crate::store::global::refusal_read(&who, r.get::<_, &[u8]>(1)).map(|refusal| (who, refusal))
            })
            .collect())
    }
}
