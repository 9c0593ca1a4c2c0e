//! The store's operations on PostgreSQL, safe with several instances on one database: a decision
//! holds its trouble's row lock, outbox heads and due timers are claimed under leases with
//! `SKIP LOCKED`, request keys and trouble numbers rest on unique constraints.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Pool, Transaction};

mod global;

use super::PgError;
use crate::store::{has_effect, timer_key, LaneKey, OutboxItem, Skip, Unreadable, Walked};
use crate::trouble::decide::{Decision, Delivery, Lane, Op, Timer};
use crate::trouble::model::{ChannelId, Tracking, Trouble, TroubleId, TroubleSummary, UserId};
use crate::trouble::redact::Redaction;
use crate::trouble::timeline::Entry;

/// The channel instances LISTEN on: a decision that queued calls or set timers says so.
pub const WORK_CHANNEL: &str = "trouble_bot_work";

/// One instance's handle on the shared database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Names this instance's claims (host, pid and a random part: no two runs share one), for
    /// operators reading the tables and for every `claimed_by` guard.
    instance: String,
    /// How long a claim holds: longer than `slack_timeout`, so a live instance finishes its
    /// call first, and short enough that a dead one's work moves on.
    lease: chrono::Duration,
    /// Opens holding a customer's turn in the database at once ([`CUSTOMER_TURNS`]).
    turns: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How many opens of this instance hold a customer's turn in the database at once: each holds a
/// connection of the pool's 16 for it, besides the connections its reads and write take, so a
/// burst of opens never takes every connection for turns and waits on itself.
const CUSTOMER_TURNS: usize = 8;

/// Who holds an outbox row that did not read while it waits out its retry: no instance.
const PASSED_OVER: &str = "(does not read)";

/// The outbox rows that may be a lane's head: not one that did not read, waiting out its retry
/// (held by [`PASSED_OVER`], spelled out). `COALESCE`: a row nobody holds has no `claimed_by`,
/// and must not drop out as unknown.
const NOT_PASSED_OVER: &str = "NOT COALESCE(claimed_by = '(does not read)' AND lease_until > $2, false)";

/// An outbox item this instance holds the lease of.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub item: OutboxItem,
    /// Another instance held it before and its lease ran out: its call may have reached Slack.
    pub reclaimed: bool,
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("store records serialize")
}

fn decode<T: for<'de> serde::Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, PgError> {
    serde_json::from_slice(bytes).map_err(|e| PgError::Corrupt(format!("{what}: {e}")))
}

/// A trouble's body with its tracking row (none for a trouble stored whole, by migration 1's
/// layout or `migrate-store`).
pub(crate) const TROUBLE_COLUMNS: &str =
    "t.body, k.tracking, t.id FROM troubles t LEFT JOIN trouble_tracking k ON k.id = t.id";

/// The id of a row of [`TROUBLE_COLUMNS`], read even where its body does not.
pub(crate) fn row_id(row: &tokio_postgres::Row) -> &str {
    row.get(2)
}

/// A trouble from a row of [`TROUBLE_COLUMNS`]. A body that names another trouble than its
/// row's id (rows' bodies swapped by hand) does not read, as on sled: the bot would show one
/// trouble for another.
pub(crate) fn assemble(row: &tokio_postgres::Row) -> Result<Trouble, PgError> {
    let mut t: Trouble = decode("trouble", row.get::<_, &[u8]>(0))?;
    if t.id.as_str() != row_id(row) {
        return Err(PgError::Corrupt(format!(
            "the record stored as trouble {} is trouble {}'s",
            row_id(row),
            t.id
        )));
    }
    if let Some(tracking) = row.get::<_, Option<&[u8]>>(1) {
        decode::<Tracking>("trouble tracking", tracking)?.apply(&mut t);
    }
    Ok(t)
}

pub fn lane_name(trouble: Option<&TroubleId>, lane: Lane) -> String {
    LaneKey::of(trouble, lane).as_str().to_string()
}

/// A customer's turn to open across instances (see [`PgStore::customer_turn`]): a session
/// advisory lock on a connection of its own, let go when dropped.
pub struct CustomerTurn {
    client: Option<deadpool_postgres::Object>,
    key: String,
    /// Given back once the lock is let go (see [`CUSTOMER_TURNS`]).
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for CustomerTurn {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let key = std::mem::take(&mut self.key);
        // Unlocked before the connection goes back to the pool; a connection that cannot say so
        // leaves the pool and closes, and its session's locks go with it: a lock never stays
        // behind on a pooled connection.
        let leave = |client| drop(deadpool_postgres::Object::take(client));
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if client.execute(CUSTOMER_UNLOCK, &[&key]).await.is_err() {
                        leave(client);
                    }
                });
            }
            Err(_) => leave(client),
        }
    }
}

/// A customer's turn, keyed as the timers' lock is (`hashtext`), in a keyspace of its own: the
/// two-key form, whose first key says it is an open's turn.
const CUSTOMER_LOCK: &str = "SELECT pg_try_advisory_lock(1, hashtext($1))";
const CUSTOMER_UNLOCK: &str = "SELECT pg_advisory_unlock(1, hashtext($1))";

/// How long an open waits for another instance's open of the same customer: far longer than one
/// open takes. Past it, the open goes ahead (this instance's own turn still holds).
const CUSTOMER_TURN_WAIT: Duration = Duration::from_secs(5);
const CUSTOMER_TURN_STEP: Duration = Duration::from_millis(10);

impl PgStore {
    /// The turn of the customer whose normalized name is `key` to open a trouble, held across
    /// every instance on the database from the read of the customer's troubles to the open's
    /// write, so the same open sent twice, landing on two instances behind a balancer, opens
    /// once. None when another instance holds it past [`CUSTOMER_TURN_WAIT`]. Tried without
    /// waiting in the database, so a request given up never leaves a lock it was granted
    /// later: the guard exists before each try and unlocks when dropped.
    pub async fn customer_turn(&self, key: &str) -> Result<Option<CustomerTurn>, PgError> {
        let permit = self
            .turns
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let turn = CustomerTurn {
            client: Some(self.pool.get().await?),
            key: key.to_string(),
            _permit: permit,
        };
        let started = tokio::time::Instant::now();
        loop {
            let client = turn.client.as_ref().expect("held until dropped");
            let taken: bool = client.query_one(CUSTOMER_LOCK, &[&turn.key]).await?.get(0);
            if taken {
                return Ok(Some(turn));
            }
            if started.elapsed() >= CUSTOMER_TURN_WAIT {
                tracing::warn!(
                    "another instance's open of the same customer held its turn too long; opening without it"
                );
                return Ok(None);
            }
            tokio::time::sleep(CUSTOMER_TURN_STEP).await;
        }
    }

    pub fn new(pool: Pool, instance: impl Into<String>, lease: Duration) -> PgStore {
        PgStore {
            pool,
            instance: instance.into(),
            lease: chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60)),
            turns: std::sync::Arc::new(tokio::sync::Semaphore::new(CUSTOMER_TURNS)),
        }
    }

    /// The database's clock now.
    pub async fn clock(&self) -> Result<DateTime<Utc>, PgError> {
        let client = self.pool.get().await?;
        Ok(client.query_one("SELECT now()", &[]).await?.get(0))
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Opens a trouble: the day's next number (its row locked until commit, so two instances
    /// never hand out the same one) and what `decide` makes of it, in one transaction. A
    /// request whose keys were seen before is skipped.
    pub async fn open_trouble(
        &self,
        day: &str,
        seen: &[&str],
        now: DateTime<Utc>,
        decide: impl FnOnce(TroubleId, u32) -> Decision,
    ) -> Result<Result<Decision, Skip>, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if any_seen(&tx, seen).await? {
            return Ok(Err(Skip::Duplicate));
        }
        let last: i64 = tx
            .query_one(
                "INSERT INTO day_counters (day, last) VALUES ($1, 1)
                 ON CONFLICT (day) DO UPDATE SET last = day_counters.last + 1 RETURNING last",
                &[&day],
            )
            .await?
            .get(0);
        let seq = u32::try_from(last).map_err(|_| PgError::Corrupt(format!("day counter {day} = {last}")))?;
        let decision = decide(TroubleId::new(format!("{day}-{seq}")), seq);
        if decision.trouble.is_none() {
            // A refusal: the number is not used up.
            tx.rollback().await?;
            return Ok(Ok(decision));
        }
        if !remember(&tx, seen, now).await? {
            tx.rollback().await?;
            return Ok(Err(Skip::Duplicate));
        }
        write_decision(&tx, &decision, None, None, now).await?;
        tx.commit().await?;
        Ok(Ok(decision))
    }

    /// Reads the trouble under its row lock, lets `decide` decide, writes the result: one
    /// transaction. `done_item` (an outbox item whose result this is) leaves in the same write.
    pub async fn update(
        &self,
        id: &TroubleId,
        seen: &[&str],
        done_item: Option<i64>,
        now: DateTime<Utc>,
        decide: impl FnOnce(&Trouble) -> Decision,
    ) -> Result<Result<Decision, Skip>, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if any_seen(&tx, seen).await? {
            return Ok(Err(Skip::Duplicate));
        }
        if let Some(item) = done_item {
            tx.execute("DELETE FROM outbox WHERE id = $1", &[&item]).await?;
        }
        let Some(trouble) = locked(&tx, id).await? else {
            tx.commit().await?;
            return Ok(Ok(Decision::default()));
        };
        let decision = decide(&trouble);
        if has_effect(&decision) && !remember(&tx, seen, now).await? {
            tx.rollback().await?;
            return Ok(Err(Skip::Duplicate));
        }
        write_decision(&tx, &decision, Some(&trouble), Some(id), now).await?;
        tx.commit().await?;
        Ok(Ok(decision))
    }

    /// Queues calls that belong to no trouble (the open modal).
    pub async fn enqueue_loose(&self, deliveries: Vec<Delivery>, now: DateTime<Utc>) -> Result<(), PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let d = Decision {
            deliveries,
            ..Decision::default()
        };
        write_decision(&tx, &d, None, None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remembers a request key with nothing else to write; false when any instance saw it before.
    pub async fn remember_key(&self, key: &str, now: DateTime<Utc>) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "INSERT INTO seen_keys (key, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&key, &now],
            )
            .await?
            == 1)
    }

    /// Forgets request keys older than `before`.
    pub async fn prune_keys(&self, before: DateTime<Utc>) -> Result<u64, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .execute("DELETE FROM seen_keys WHERE seen_at < $1", &[&before])
            .await?)
    }

    /// Claims up to `limit` lane heads nobody holds (or whose holder's lease ran out). A lane's
    /// head is its oldest item; the next one becomes head only once it is gone, so a lane is
    /// delivered in order by one instance at a time.
    pub async fn claim_lane_heads(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Claimed>, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "WITH heads AS (SELECT DISTINCT ON (lane) id FROM outbox ORDER BY lane, id)
                 SELECT o.id, o.item, o.attempt_started_at, o.claimed_by IS NOT NULL
                 FROM outbox o JOIN heads h ON o.id = h.id
                 WHERE o.lease_until IS NULL OR o.lease_until < $1
                 ORDER BY o.id
                 LIMIT $2
                 FOR UPDATE OF o SKIP LOCKED",
                &[&now, &limit],
            )
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.get(0);
            let mut item: OutboxItem = decode("outbox item", row.get::<_, &[u8]>(1))?;
            item.attempt_started_at = row.get(2);
            take_row_id(&tx, id, &mut item).await?;
            claimed.push(Claimed {
                id,
                item,
                reclaimed: row.get(3),
            });
        }
        let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
        tx.execute(
            "UPDATE outbox SET claimed_by = $1, lease_until = $2 WHERE id = ANY($3)",
            &[&self.instance, &(now + self.lease), &ids],
        )
        .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// The lanes that have work (held by anyone).
    pub async fn lanes_with_work(&self) -> Result<Vec<LaneKey>, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .query("SELECT DISTINCT lane FROM outbox", &[])
            .await?
            .iter()
            .map(|r| LaneKey::from_stored(r.get(0)))
            .collect())
    }

    /// Claims the head of one lane when nobody holds it (or its holder's lease ran out). A call
    /// that does not read (an operation a newer release wrote, say) is passed over for
    /// [`STUCK_RETRY`](crate::store::STUCK_RETRY), named in the log, and the lane goes on: held
    /// by [`PASSED_OVER`], it is no lane's head meanwhile.
    pub async fn claim_lane_head(&self, lane: &str, now: DateTime<Utc>) -> Result<Option<Claimed>, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = loop {
            let Some(row) = tx
                .query_opt(
                    &format!(
                        "SELECT id, item, attempt_started_at, claimed_by IS NOT NULL AND claimed_by <> '{PASSED_OVER}',
                                lease_until IS NULL OR lease_until < $2
                         FROM outbox WHERE lane = $1 AND {NOT_PASSED_OVER} ORDER BY id LIMIT 1 FOR UPDATE"
                    ),
                    &[&lane, &now],
                )
                .await?
            else {
                tx.commit().await?;
                return Ok(None);
            };
            if !row.get::<_, bool>(4) {
                // Held by another instance: what was passed over on the way stays passed over.
                tx.commit().await?;
                return Ok(None);
            }
            match decode::<OutboxItem>("outbox item", row.get::<_, &[u8]>(1)) {
                Ok(item) => break (row, item),
                Err(e) => {
                    crate::store::unreadable_call(lane, &e);
                    let wait = chrono::Duration::from_std(crate::store::STUCK_RETRY).unwrap_or_default();
                    tx.execute(
                        "UPDATE outbox SET claimed_by = $3, lease_until = $2 WHERE id = $1",
                        &[&row.get::<_, i64>(0), &(now + wait), &PASSED_OVER],
                    )
                    .await?;
                }
            }
        };
        let (row, mut item) = row;
        let id: i64 = row.get(0);
        item.attempt_started_at = row.get(2);
        take_row_id(&tx, id, &mut item).await?;
        tx.execute(
            "UPDATE outbox SET claimed_by = $1, lease_until = $2 WHERE id = $3",
            &[&self.instance, &(now + self.lease), &id],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Claimed {
            id,
            item,
            reclaimed: row.get(3),
        }))
    }

    /// Whether the head of `lane` is free to claim at `now`.
    pub async fn claimable(&self, lane: &str, now: DateTime<Utc>) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_opt(
                &format!(
                    "SELECT lease_until IS NULL OR lease_until < $2 FROM outbox
                     WHERE lane = $1 AND {NOT_PASSED_OVER} ORDER BY id LIMIT 1"
                ),
                &[&lane, &now],
            )
            .await?
            .is_some_and(|r| r.get(0)))
    }

    /// Extends this instance's lease on a claimed item; false when it holds it no more.
    pub async fn renew(&self, id: i64, now: DateTime<Utc>) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "UPDATE outbox SET lease_until = $2 WHERE id = $1 AND claimed_by = $3",
                &[&id, &(now + self.lease), &self.instance],
            )
            .await?
            == 1)
    }

    /// Records, durably, that an attempt at a claimed item begins now; false when the item is
    /// gone or another instance holds it now (this one's lease ran out).
    pub async fn mark_attempt(&self, id: i64, now: DateTime<Utc>) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "UPDATE outbox SET attempt_started_at = $2, lease_until = $3
                 WHERE id = $1 AND claimed_by = $4",
                &[&id, &now, &(now + self.lease), &self.instance],
            )
            .await?
            == 1)
    }

    /// [`Self::mark_attempt`] for the items of one combined message, in one statement: which of
    /// `ids` are still this instance's.
    pub async fn mark_attempts(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Vec<bool>, PgError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "UPDATE outbox SET attempt_started_at = $2, lease_until = $3
                 WHERE id = ANY($1) AND claimed_by = $4 RETURNING id",
                &[&ids, &now, &(now + self.lease), &self.instance],
            )
            .await?;
        let marked: std::collections::HashSet<i64> = rows.iter().map(|r| r.get(0)).collect();
        Ok(ids.iter().map(|id| marked.contains(id)).collect())
    }

    /// Lets go of a claimed item without finishing it: any instance retries it from
    /// `not_before`, and, released rather than lapsed, it is not taken for a reclaim.
    pub async fn release(&self, id: i64, not_before: DateTime<Utc>) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE outbox SET claimed_by = NULL, lease_until = $2 WHERE id = $1 AND claimed_by = $3",
                &[&id, &not_before, &self.instance],
            )
            .await?;
        Ok(())
    }

    /// Removes a delivered item that fed nothing back to its trouble.
    pub async fn finish(&self, id: i64) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client.execute("DELETE FROM outbox WHERE id = $1", &[&id]).await?;
        Ok(())
    }

    /// Claims timers due at `now` that nobody holds, under this instance's lease.
    pub async fn claim_due_timers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<(Vec<u8>, Timer)>, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT key, timer FROM timers
                 WHERE due <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                 ORDER BY due LIMIT $2 FOR UPDATE SKIP LOCKED",
                &[&now, &limit],
            )
            .await?;
        let mut due = Vec::with_capacity(rows.len());
        let mut stuck = Vec::new();
        for row in rows {
            let key = row.get::<_, Vec<u8>>(0);
            match decode("timer", row.get::<_, &[u8]>(1)) {
                Ok(timer) => due.push((key, timer)),
                // A kind a newer release wrote, say: it waits, and every other timer goes on.
                Err(e) => {
                    crate::store::unreadable_timer(&key, &e);
                    stuck.push(key);
                }
            }
        }
        let keys: Vec<&[u8]> = due.iter().map(|(k, _)| k.as_slice()).collect();
        tx.execute(
            "UPDATE timers SET claimed_by = $1, lease_until = $2 WHERE key = ANY($3)",
            &[&self.instance, &(now + self.lease), &keys],
        )
        .await?;
        if !stuck.is_empty() {
            let wait = chrono::Duration::from_std(crate::store::STUCK_RETRY).unwrap_or_default();
            tx.execute(
                "UPDATE timers SET claimed_by = NULL, lease_until = $1 WHERE key = ANY($2)",
                &[&(now + wait), &stuck],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Fires a claimed timer: removes it and writes what `decide` makes of it, under the
    /// trouble's row lock, in one transaction. A timer already fired (by anyone) does nothing.
    pub async fn fire_timer(
        &self,
        key: &[u8],
        timer: &Timer,
        now: DateTime<Utc>,
        decide: impl FnOnce(&Trouble) -> Decision,
    ) -> Result<Decision, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if tx.execute("DELETE FROM timers WHERE key = $1", &[&key]).await? == 0 {
            tx.rollback().await?;
            return Ok(Decision::default());
        }
        let Some(trouble) = locked(&tx, &timer.trouble).await? else {
            tx.commit().await?;
            return Ok(Decision::default());
        };
        let decision = decide(&trouble);
        write_decision(&tx, &decision, Some(&trouble), Some(&timer.trouble), now).await?;
        tx.commit().await?;
        Ok(decision)
    }

    /// Ends the waits of timers that could not fire (those [`PgStore::retry_timer_at`] left to
    /// no instance): at start, so a restart (perhaps on a release that reads what stopped
    /// them) tries them at once. Claims an instance holds are left to their leases.
    pub async fn end_retry_waits(&self) -> Result<u64, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "UPDATE timers SET lease_until = NULL WHERE claimed_by IS NULL AND lease_until IS NOT NULL",
                &[],
            )
            .await?)
    }

    /// Gives up this instance's claim on a timer that could not fire: anyone may claim it from
    /// `at`.
    pub async fn retry_timer_at(&self, key: &[u8], at: DateTime<Utc>) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE timers SET claimed_by = NULL, lease_until = $2 WHERE key = $1 AND claimed_by = $3",
                &[&key, &at, &self.instance],
            )
            .await?;
        Ok(())
    }

    /// Seen at `now`: when the earliest timer may be claimed (what the timer loop sleeps until,
    /// or a poll sooner): the earliest due of those no instance holds, or the earliest end of
    /// a hold (a claim's lease, or a retry's wait). A timer is held only once it is due (by
    /// the clock of the instance that claimed it: a minute is left for clocks apart), so both
    /// read through the index on `due` rather than every timer.
    pub async fn next_timer_due(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_one(
                "SELECT LEAST(
                    (SELECT min(due) FROM timers WHERE lease_until IS NULL OR lease_until <= $1::timestamptz),
                    (SELECT min(lease_until) FROM timers
                     WHERE due <= $1::timestamptz + interval '1 minute' AND lease_until > $1::timestamptz))",
                &[&now],
            )
            .await?
            .get(0))
    }

    /// Takes the next slot to post in `channel`, `gap` after the one taken before it by any
    /// instance: the time this instance may make its call.
    pub async fn reserve_channel_slot(
        &self,
        channel: &ChannelId,
        now: DateTime<Utc>,
        gap: Duration,
    ) -> Result<DateTime<Utc>, PgError> {
        let gap = chrono::Duration::from_std(gap).unwrap_or(chrono::Duration::seconds(1));
        let client = self.pool.get().await?;
        let next: DateTime<Utc> = client
            .query_one(
                "INSERT INTO channel_pacing (channel, not_before)
                 VALUES ($1, $2::timestamptz + make_interval(secs => $3::float8 / 1000))
                 ON CONFLICT (channel) DO UPDATE
                   SET not_before = GREATEST(channel_pacing.not_before, $2::timestamptz)
                                    + make_interval(secs => $3::float8 / 1000)
                 RETURNING not_before",
                &[&channel.as_str(), &now, &(gap.num_milliseconds() as f64)],
            )
            .await?
            .get(0);
        Ok(next - gap)
    }

    pub async fn get(&self, id: &TroubleId) -> Result<Option<Trouble>, PgError> {
        let client = self.pool.get().await?;
        client
            .query_opt(&format!("SELECT {TROUBLE_COLUMNS} WHERE t.id = $1"), &[&id.as_str()])
            .await?
            .map(|r| assemble(&r))
            .transpose()
    }

    pub async fn by_channel(&self, channel: &ChannelId) -> Result<Option<TroubleId>, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_opt("SELECT id FROM troubles WHERE channel = $1", &[&channel.as_str()])
            .await?
            .map(|r| TroubleId::new(r.get::<_, String>(0))))
    }

    /// Every trouble; one whose record does not read fails the whole read.
    pub async fn all_troubles(&self) -> Result<Vec<Trouble>, PgError> {
        Ok(self.troubles_where(|_| true).await?.whole()?)
    }

    /// The troubles `keep` keeps; a record that does not read is named and passed over.
    pub async fn troubles_where(&self, keep: impl Fn(&Trouble) -> bool) -> Result<Walked, PgError> {
        let client = self.pool.get().await?;
        let mut walked = Walked::default();
        for row in client
            .query(&format!("SELECT {TROUBLE_COLUMNS} ORDER BY t.id"), &[])
            .await?
        {
            match assemble(&row) {
                Ok(t) if keep(&t) => walked.troubles.push(t),
                Ok(_) => {}
                Err(e) => walked
                    .unreadable
                    .push(Unreadable::new(row_id(&row).as_bytes(), e.into())),
            }
        }
        Ok(walked)
    }

    pub async fn open_summaries(&self) -> Result<Vec<TroubleSummary>, PgError> {
        let client = self.pool.get().await?;
        client
            .query(
                "SELECT summary FROM troubles WHERE summary IS NOT NULL ORDER BY id",
                &[],
            )
            .await?
            .iter()
            .map(|r| decode("summary", r.get::<_, &[u8]>(0)))
            .collect()
    }

    pub async fn timeline(&self, id: &TroubleId) -> Result<Vec<Entry>, PgError> {
        let client = self.pool.get().await?;
        client
            .query(
                "SELECT entry FROM timeline WHERE trouble = $1 ORDER BY seq",
                &[&id.as_str()],
            )
            .await?
            .iter()
            .map(|r| decode("timeline entry", r.get::<_, &[u8]>(0)))
            .collect()
    }

    /// Remembers that a user has opened the App Home, so every instance keeps it current.
    pub async fn mark_home_viewer(&self, user: &UserId) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO home_viewers (user_id) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&user.as_str()],
            )
            .await?;
        Ok(())
    }

    pub async fn is_home_viewer(&self, user: &UserId) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_opt("SELECT 1 FROM home_viewers WHERE user_id = $1", &[&user.as_str()])
            .await?
            .is_some())
    }

    /// Whether a publish of this user's App Home is waiting, claimed by no instance (it will
    /// render the latest state). One claimed, by any instance, may have read its rows already;
    /// a release puts it back to waiting, to be read anew.
    pub async fn home_publish_pending(&self, user: &UserId) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        for row in client
            .query(
                "SELECT item FROM outbox WHERE lane = $1 AND claimed_by IS NULL",
                &[&lane_name(None, Lane::Home)],
            )
            .await?
        {
            // One that does not read is passed over (see `claim_lane_head`).
            let Ok(item) = decode::<OutboxItem>("outbox item", row.get::<_, &[u8]>(0)) else {
                continue;
            };
            if matches!(&item.op, Op::PublishHome { user: u } if u == user) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn trouble_count(&self) -> Result<i64, PgError> {
        let client = self.pool.get().await?;
        Ok(client.query_one("SELECT count(*) FROM troubles", &[]).await?.get(0))
    }

    pub async fn outbox_items(&self) -> Result<Vec<OutboxItem>, PgError> {
        let client = self.pool.get().await?;
        client
            .query("SELECT item, attempt_started_at, id FROM outbox ORDER BY id", &[])
            .await?
            .iter()
            .map(|r| {
                let mut item: OutboxItem = decode("outbox item", r.get::<_, &[u8]>(0))?;
                item.attempt_started_at = r.get(1);
                item.renumber(r.get::<_, i64>(2) as u64);
                Ok(item)
            })
            .collect()
    }

    pub async fn outbox_len(&self) -> Result<i64, PgError> {
        let client = self.pool.get().await?;
        Ok(client.query_one("SELECT count(*) FROM outbox", &[]).await?.get(0))
    }

    pub async fn timers_len(&self) -> Result<i64, PgError> {
        let client = self.pool.get().await?;
        Ok(client.query_one("SELECT count(*) FROM timers", &[]).await?.get(0))
    }
}

/// Trouble `id`'s timeline in order, read in `tx` (under its lock, or in a snapshot).
pub(super) async fn timeline_in(tx: &Transaction<'_>, id: &TroubleId) -> Result<Vec<Entry>, PgError> {
    tx.query(
        "SELECT entry FROM timeline WHERE trouble = $1 ORDER BY seq",
        &[&id.as_str()],
    )
    .await?
    .iter()
    .map(|r| decode::<Entry>("timeline entry", r.get::<_, &[u8]>(0)))
    .collect()
}

/// `trouble-bot redact` on PostgreSQL, beside running instances: reads trouble `id` and its
/// timeline under the trouble's row lock (the one every decision about it takes), lets
/// `redact` decide, and writes the erased entries in place with the entry recording them and
/// the trouble counting it, in one transaction. None when there is no trouble `id`; a refusal
/// writes nothing.
pub async fn redact<E>(
    pool: &Pool,
    id: &TroubleId,
    redact: impl FnOnce(&Trouble, &[Entry], &[Op]) -> Result<Redaction, E>,
) -> Result<Option<Result<Redaction, E>>, PgError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some(trouble) = locked(&tx, id).await? else {
        return Ok(None);
    };
    let entries = timeline_in(&tx, id).await?;
    // Calls not made yet (by any instance): one of them may carry a text to erase.
    let queued: Vec<Op> = tx
        .query("SELECT item FROM outbox WHERE trouble = $1", &[&id.as_str()])
        .await?
        .iter()
        .filter_map(|r| decode::<OutboxItem>("outbox item", r.get::<_, &[u8]>(0)).ok())
        .map(|item| item.op)
        .collect();
    let redaction = match redact(&trouble, &entries, &queued) {
        Ok(r) => r,
        Err(refused) => {
            // Ended here, not when the client goes back to the pool: the row lock goes with it.
            tx.rollback().await?;
            return Ok(Some(Err(refused)));
        }
    };
    for e in &redaction.erased {
        let changed = tx
            .execute(
                "UPDATE timeline SET entry = $3 WHERE trouble = $1 AND seq = $2",
                &[&id.as_str(), &(e.seq as i64), &encode(e)],
            )
            .await?;
        // No redaction recorded over an entry left as it was (or over rows it was not).
        if changed != 1 {
            tx.rollback().await?;
            return Err(PgError::RowsChanged(format!(
                "trouble {id}: erasing entry {} changed {changed} rows, not one; nothing was changed",
                e.seq + 1
            )));
        }
    }
    write_decision(&tx, &redaction.decision(), Some(&trouble), Some(id), redaction.entry.at).await?;
    tx.commit().await?;
    Ok(Some(Ok(redaction)))
}

/// Takes the row's id `id` as the claimed call's ([`OutboxItem::renumber`]). An item that still
/// carries another (sled's, kept by a `migrate-store` of an earlier release) is written back
/// renumbered within the claim: whether it keeps sled's id as its marker is decided at its first
/// claim, when its attempt time can only be sled's, and not again after an attempt made here
/// under the row's id (whose post a later claim would then look for under sled's, and repeat).
async fn take_row_id(tx: &Transaction<'_>, id: i64, item: &mut OutboxItem) -> Result<(), PgError> {
    let stored = item.id;
    item.renumber(id as u64);
    if stored != item.id {
        // As `write_decision` writes an item: its attempt time lives in its column.
        let json = encode(&OutboxItem {
            attempt_started_at: None,
            ..item.clone()
        });
        tx.execute("UPDATE outbox SET item = $2 WHERE id = $1", &[&id, &json])
            .await?;
    }
    Ok(())
}

/// Trouble `id` under its row lock (held until the transaction ends).
async fn locked(tx: &Transaction<'_>, id: &TroubleId) -> Result<Option<Trouble>, PgError> {
    // Lock first, then read in a statement of its own: a statement's snapshot is taken before it
    // waits for the lock, and would miss the tracking row the holder of the lock committed.
    if tx
        .query_opt("SELECT 1 FROM troubles WHERE id = $1 FOR UPDATE", &[&id.as_str()])
        .await?
        .is_none()
    {
        return Ok(None);
    }
    tx.query_opt(&format!("SELECT {TROUBLE_COLUMNS} WHERE t.id = $1"), &[&id.as_str()])
        .await?
        .map(|r| assemble(&r))
        .transpose()
}

async fn write_tracking(tx: &Transaction<'_>, id: &TroubleId, tracked: &Tracking) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO trouble_tracking (id, tracking) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET tracking = EXCLUDED.tracking",
        &[&id.as_str(), &encode(tracked)],
    )
    .await?;
    Ok(())
}

/// True when any key was remembered before (by any instance, committed).
async fn any_seen(tx: &Transaction<'_>, seen: &[&str]) -> Result<bool, PgError> {
    if seen.is_empty() {
        return Ok(false);
    }
    Ok(tx
        .query_opt("SELECT 1 FROM seen_keys WHERE key = ANY($1) LIMIT 1", &[&seen])
        .await?
        .is_some())
}

/// Remembers the keys; false when another transaction got one first (its insert waits for
/// that one to commit, then finds the conflict).
async fn remember(tx: &Transaction<'_>, seen: &[&str], now: DateTime<Utc>) -> Result<bool, PgError> {
    for key in seen {
        let n = tx
            .execute(
                "INSERT INTO seen_keys (key, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[key, &now],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Writes one decision inside the caller's transaction, and tells listening instances when
/// there is new work (NOTIFY is delivered at commit, and not at all on rollback).
async fn write_decision(
    tx: &Transaction<'_>,
    d: &Decision,
    before: Option<&Trouble>,
    trouble_for_calls: Option<&TroubleId>,
    now: DateTime<Utc>,
) -> Result<(), PgError> {
    if let Some(t) = &d.trouble {
        // Only the parts that changed: most delivery results move the tracking row alone.
        let summary = t.is_open().then(|| TroubleSummary::from(t));
        let summary_before = before.filter(|b| b.is_open()).map(TroubleSummary::from);
        let columns_changed = before.is_none_or(|b| b.channel != t.channel) || summary != summary_before;
        let channel = t.channel.as_ref().map(|c| c.as_str().to_string());
        let summary = summary.map(|s| encode(&s));
        let body_changed = before.is_none_or(|b| !b.same_body(t));
        if body_changed {
            tx.execute(
                "INSERT INTO troubles (id, body, channel, summary, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, channel = EXCLUDED.channel,
                   summary = EXCLUDED.summary, updated_at = EXCLUDED.updated_at",
                &[&t.id.as_str(), &encode(&t.body()), &channel, &summary, &now],
            )
            .await?;
        } else if columns_changed {
            tx.execute(
                "UPDATE troubles SET channel = $2, summary = $3, updated_at = $4 WHERE id = $1",
                &[&t.id.as_str(), &channel, &summary, &now],
            )
            .await?;
        }
        if body_changed || columns_changed {
            crate::store::index::pg::write(tx, t).await?;
        }
        let tracked = Tracking::of(t);
        if before.is_none_or(|b| Tracking::of(b) != tracked) {
            write_tracking(tx, &t.id, &tracked).await?;
        } else if body_changed {
            // The body written leaves out what the tracking row holds: a trouble stored whole
            // (moved over from sled by `migrate-store`) has none yet, and gets one now, or its
            // channel, message links and timeline count would be lost with the whole body.
            tx.execute(
                "INSERT INTO trouble_tracking (id, tracking) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                &[&t.id.as_str(), &encode(&tracked)],
            )
            .await?;
        }
    }
    for e in &d.entries {
        // A second entry at the same position is a fork of the chain: the primary key refuses it.
        tx.execute(
            "INSERT INTO timeline (trouble, seq, entry) VALUES ($1, $2, $3)",
            &[&e.trouble.as_str(), &(e.seq as i64), &encode(e)],
        )
        .await?;
    }
    let trouble = d.trouble.as_ref().map(|t| &t.id).or(trouble_for_calls);
    for Delivery { lane, op } in &d.deliveries {
        let id: i64 = tx.query_one("SELECT nextval('outbox_id_seq')", &[]).await?.get(0);
        let item = OutboxItem {
            id: id as u64,
            trouble: trouble.cloned(),
            lane: *lane,
            op: op.clone(),
            created_at: now,
            attempt_started_at: None,
            marked_as: None,
        };
        tx.execute(
            "INSERT INTO outbox (id, lane, trouble, item, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                &id,
                &lane_name(trouble, *lane),
                &trouble.map(|t| t.as_str()),
                &encode(&item),
                &now,
            ],
        )
        .await?;
    }
    for timer in &d.timers {
        tx.execute(
            "INSERT INTO timers (key, due, trouble, timer) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
            &[&timer_key(timer), &timer.due, &timer.trouble.as_str(), &encode(timer)],
        )
        .await?;
    }
    if !d.deliveries.is_empty() || !d.timers.is_empty() {
        tx.execute("SELECT pg_notify($1, '')", &[&WORK_CHANNEL]).await?;
    }
    Ok(())
}
