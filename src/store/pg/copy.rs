//! `migrate-store`: copies a sled data directory into PostgreSQL — troubles, timelines byte for
//! byte, the outbox, timers, counters, request keys and refusals of DMs — and checks every chain on the copy; and
//! the command line's reads of the database (`verify`, `export`), each from one snapshot.

use std::path::Path;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use super::PgError;
use crate::store::{timer_key, OutboxItem, SledStore};
use crate::trouble::decide::Timer;
use crate::trouble::model::{Trouble, TroubleId, TroubleSummary, UserId};
use crate::trouble::replay::verify_trouble;
use crate::trouble::timeline::{Break, Entry};

/// What one copy wrote (a second run over the same data writes nothing).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub troubles: u64,
    pub entries: u64,
    pub outbox: u64,
    pub timers: u64,
}

/// The result of checking every trouble's chain in the database.
#[derive(Debug, Default)]
pub struct Checked {
    pub troubles: usize,
    /// "<id>: entry N <why>" for each broken chain.
    pub broken: Vec<String>,
    /// The stored timers and queued calls whose records do not read (`verify` names them).
    pub queued: Vec<String>,
    /// The troubles the day's numbering gave out with no row under their id: deleted whole,
    /// which leaves no chain to break.
    pub missing: Vec<TroubleId>,
    /// The troubles whose chain holds with entries the administrator redacted, and their seqs.
    pub redacted: Vec<(TroubleId, Vec<u64>)>,
}

/// A record as sled stores it (its compact form or JSON), or a timeline entry.
fn decode<T: for<'de> serde::Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, PgError> {
    crate::store::sled::record::decode(bytes).map_err(|e| PgError::Corrupt(format!("{what}: {e}")))
}

fn millis_at(bytes: &[u8]) -> DateTime<Utc> {
    let ms = u64::from_be_bytes(bytes.try_into().unwrap_or([0; 8]));
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

/// Copies the sled store in `from` (the bot must be stopped: sled allows one process) into
/// the database, in one transaction. Rows already there are kept; an outbox item or timer
/// copied once is never copied again, even after it was delivered or fired.
pub async fn copy_from_sled(from: &Path, pool: &Pool) -> Result<Copied, PgError> {
    let store = SledStore::open(from)?;
    let trees = store.records()?;
    // Whole, as PostgreSQL keeps them (sled keeps each trouble's tracking apart).
    let troubles: std::collections::HashMap<Vec<u8>, Trouble> = store
        .all_troubles()?
        .into_iter()
        .map(|t| (t.id.as_str().as_bytes().to_vec(), t))
        .collect();
    drop(store);
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    refuse_another_trouble_under_the_same_id(&tx, &trees).await?;
    // Before the first id is given out here: a call tried on sled keeps sled's id as its marker.
    let mut sled_ids = None;
    for (_, records) in trees.iter().filter(|(name, _)| name.as_slice() == b"outbox") {
        for (_, value) in records {
            let item: OutboxItem = decode("outbox item", value)?;
            sled_ids = sled_ids.max(Some(item.id as i64));
        }
    }
    if let Some(last) = sled_ids {
        ids_past(&tx, last).await?;
    }
    let mut copied = Copied::default();
    // Parents first: timeline rows reference their trouble.
    let order = [
        "troubles",
        "timeline",
        "outbox",
        "timers",
        "counters",
        "events",
        "home_viewers",
        "refused_dms",
    ];
    for name in order {
        let Some((_, records)) = trees.iter().find(|(n, _)| n.as_slice() == name.as_bytes()) else {
            continue;
        };
        for (key, value) in records {
            match name {
                "troubles" => {
                    let Some(t) = troubles.get(key.as_ref()) else {
                        continue;
                    };
                    let summary = t
                        .is_open()
                        .then(|| serde_json::to_vec(&TroubleSummary::from(t)).expect("summary serializes"));
                    let body = serde_json::to_vec(t).expect("troubles serialize");
                    let channel = t.channel.as_ref().map(|c| c.as_str().to_string());
                    copied.troubles += tx
                        .execute(
                            "INSERT INTO troubles (id, body, channel, summary) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (id) DO NOTHING",
                            &[&t.id.as_str(), &body, &channel, &summary],
                        )
                        .await?;
                }
                "timeline" => {
                    // As JSON, serde's form of the entry: the bytes every release stored on sled
                    // before the compact form, whose fields the hash covers. A sled value holds
                    // one entry or a chunk of several.
                    for e in crate::store::sled::timeline_entries(value)? {
                        let json = serde_json::to_vec(&e).expect("timeline entries serialize");
                        copied.entries += tx
                            .execute(
                                "INSERT INTO timeline (trouble, seq, entry) VALUES ($1, $2, $3)
                                 ON CONFLICT (trouble, seq) DO NOTHING",
                                &[&e.trouble.as_str(), &(e.seq as i64), &json],
                            )
                            .await?;
                    }
                }
                "outbox" => {
                    let mut item: OutboxItem = decode("outbox item", value)?;
                    if first_copy(&tx, "outbox", key).await? {
                        // Every step on PostgreSQL addresses a call by the id its item carries:
                        // the row's, as `write_decision` writes it.
                        let id: i64 = tx.query_one("SELECT nextval('outbox_id_seq')", &[]).await?.get(0);
                        item.renumber(id as u64);
                        // PostgreSQL keeps records as JSON; sled may hold its compact form.
                        let json = serde_json::to_vec(&item).expect("outbox items serialize");
                        let lane = format!(
                            "{}/{}",
                            item.trouble.as_ref().map(|t| t.as_str()).unwrap_or("_"),
                            item.lane.name()
                        );
                        tx.execute(
                            "INSERT INTO outbox (id, lane, trouble, item, created_at, attempt_started_at)
                             VALUES ($1, $2, $3, $4, $5, $6)",
                            &[
                                &id,
                                &lane,
                                &item.trouble.as_ref().map(|t| t.as_str()),
                                &json,
                                &item.created_at,
                                &item.attempt_started_at,
                            ],
                        )
                        .await?;
                        copied.outbox += 1;
                    }
                }
                "timers" => {
                    let timer: Timer = decode("timer", value)?;
                    let json = serde_json::to_vec(&timer).expect("timers serialize");
                    if first_copy(&tx, "timers", key).await? {
                        // Keyed as this store keys it: sled writes the kind compactly.
                        tx.execute(
                            "INSERT INTO timers (key, due, trouble, timer) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (key) DO NOTHING",
                            &[&timer_key(&timer), &timer.due, &timer.trouble.as_str(), &json],
                        )
                        .await?;
                        copied.timers += 1;
                    }
                }
                "counters" => {
                    let day = String::from_utf8_lossy(key).into_owned();
                    let last = u32::from_be_bytes(value.as_ref().try_into().unwrap_or([0; 4]));
                    tx.execute(
                        "INSERT INTO day_counters (day, last) VALUES ($1, $2)
                         ON CONFLICT (day) DO UPDATE SET last = GREATEST(day_counters.last, EXCLUDED.last)",
                        &[&day, &i64::from(last)],
                    )
                    .await?;
                }
                "events" => {
                    tx.execute(
                        "INSERT INTO seen_keys (key, seen_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                        &[&String::from_utf8_lossy(key).as_ref(), &millis_at(value)],
                    )
                    .await?;
                }
                "refused_dms" => {
                    // As this release reads it: one that does not read is not carried over.
                    let who = UserId::new(String::from_utf8_lossy(key));
                    if let Some(refusal) = crate::store::global::refusal_read(&who, value) {
                        let json = serde_json::to_vec(&refusal).expect("refusals serialize");
                        tx.execute(
                            "INSERT INTO refused_dms (user_id, refusal) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                            &[&who.as_str(), &json],
                        )
                        .await?;
                    }
                }
                _ => {
                    tx.execute(
                        "INSERT INTO home_viewers (user_id) VALUES ($1) ON CONFLICT DO NOTHING",
                        &[&String::from_utf8_lossy(key).as_ref()],
                    )
                    .await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(copied)
}

/// Moves the outbox's ids past `last`, so that no call queued on PostgreSQL is given an id a
/// call copied from sled carries as its marker ([`OutboxItem::marker`]): its lookup would take
/// the other's post for its own. Only ever forward: ids already given out stay given.
async fn ids_past(tx: &deadpool_postgres::Transaction<'_>, last: i64) -> Result<(), PgError> {
    tx.query(
        "SELECT setval('outbox_id_seq', GREATEST(last_value, $1)) FROM outbox_id_seq
         WHERE last_value < $1 OR NOT is_called",
        &[&last],
    )
    .await?;
    Ok(())
}

/// [`ids_past`] the sled ids kept as markers by calls an earlier `migrate-store` copied (with
/// the ids it gave out from 1, among them): at connect, reading only the calls tried (the
/// only ones that keep a marker), and a no-op once the ids are past them.
pub async fn keep_sled_markers_apart(pool: &Pool) -> Result<(), PgError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let rows = tx
        .query("SELECT item FROM outbox WHERE attempt_started_at IS NOT NULL", &[])
        .await?;
    // Read loosely: a call that does not read is named where it is claimed, not here.
    let last = rows
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(r.get::<_, &[u8]>(0)).ok())
        .flat_map(|item| [item["id"].as_i64(), item["marked_as"].as_i64()])
        .flatten()
        .max();
    if let Some(last) = last {
        ids_past(&tx, last).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A trouble the database holds under an id the sled store gives too must be the same trouble
/// (the copy run again, the trouble gone on since): its first timeline entry, which nothing
/// rewrites, is the same. The database numbering the same day itself (an overlapping cutover,
/// a trial run) gives the id to another trouble, and keeping its row would lose the sled one
/// unseen and give its timers to the other: nothing is copied, and the ids are named.
async fn refuse_another_trouble_under_the_same_id(
    tx: &deadpool_postgres::Transaction<'_>,
    trees: &[crate::store::TreeRecords],
) -> Result<(), PgError> {
    let timeline = trees.iter().filter(|(name, _)| name.as_slice() == b"timeline");
    let mut taken = Vec::new();
    for (_, records) in timeline {
        for (_, value) in records {
            for first in crate::store::sled::timeline_entries(value)?
                .into_iter()
                .filter(|e| e.seq == 0)
            {
                let row = tx
                    .query_opt(
                        "SELECT entry FROM timeline WHERE trouble = $1 AND seq = 0",
                        &[&first.trouble.as_str()],
                    )
                    .await?;
                if let Some(row) = row {
                    let there = decode::<Entry>("timeline entry", row.get::<_, &[u8]>(0))?;
                    if there.hash != first.hash {
                        taken.push(first.trouble.to_string());
                    }
                }
            }
        }
    }
    match taken.is_empty() {
        true => Ok(()),
        false => Err(PgError::CopyRefused(format!(
            "the database holds other troubles under the ids {} of the sled store (both numbered \
             the same day): nothing was copied; bring them over by hand, or copy into another database",
            taken.join(", ")
        ))),
    }
}

/// True the first time this sled record is copied; remembered for good, so delivered calls
/// and fired timers are not brought back by a second copy.
async fn first_copy(tx: &deadpool_postgres::Transaction<'_>, tree: &str, key: &[u8]) -> Result<bool, PgError> {
    let origin = format!("{tree}:{}", hex::encode(key));
    Ok(tx
        .execute(
            "INSERT INTO copied_from_sled (origin) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&origin],
        )
        .await?
        == 1)
}

/// A read-only transaction that sees one snapshot of the database throughout.
async fn snapshot(client: &mut deadpool_postgres::Client) -> Result<deadpool_postgres::Transaction<'_>, PgError> {
    Ok(client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

/// Trouble `id` and its timeline from one snapshot, for `export`: `None` when there is no such
/// trouble. The entries are read as `verify` reads them, so `export` checks the same chain.
pub async fn trouble_with_timeline(pool: &Pool, id: &TroubleId) -> Result<Option<(Trouble, Vec<Entry>)>, PgError> {
    let mut client = pool.get().await?;
    let tx = snapshot(&mut client).await?;
    let trouble = format!("SELECT {} WHERE t.id = $1", super::store::TROUBLE_COLUMNS);
    let Some(row) = tx.query_opt(&trouble, &[&id.as_str()]).await? else {
        return Ok(None);
    };
    let t = super::store::assemble(&row)?;
    let entries = super::store::timeline_in(&tx, id).await?;
    tx.commit().await?;
    Ok(Some((t, entries)))
}

/// A trouble `export-list` lists: whole, or, when its record does not read, its id and the
/// index's row of it (None when it has none).
pub enum Listed {
    Read(Box<Trouble>),
    Unreadable(String, Option<crate::trouble::stats::StatsRow>),
}

/// The troubles opened in `since..=until`, oldest first, from one snapshot, for `export-list`:
/// handed to `each` as they are fetched, a few hundred at a time through a portal, so a year of
/// troubles is never held whole. Troubles without an index row (copied by `migrate-store`, whose
/// index the first bot to connect builds) follow, read whole and kept by their opening time;
/// one of them that does not read is listed, as the period cannot be told for it.
pub async fn troubles_opened(
    pool: &Pool,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    mut each: impl FnMut(Listed),
) -> Result<(), PgError> {
    const FETCH: i32 = 500;
    let mut client = pool.get().await?;
    let tx = snapshot(&mut client).await?;
    // The columns of `TROUBLE_COLUMNS` (which `assemble` reads by position), then the index row.
    let columns = "SELECT t.body, k.tracking, t.id, i.stats FROM troubles t \
                   LEFT JOIN trouble_tracking k ON k.id = t.id";
    let indexed = format!(
        "{columns} JOIN trouble_index i ON i.id = t.id \
         WHERE i.opened_at >= $1 AND i.opened_at <= $2 ORDER BY i.opened_at, t.id"
    );
    let unindexed = format!("{columns} LEFT JOIN trouble_index i ON i.id = t.id WHERE i.id IS NULL ORDER BY t.id");
    for (query, params) in [
        (
            indexed.as_str(),
            vec![&since as &(dyn tokio_postgres::types::ToSql + Sync), &until],
        ),
        (unindexed.as_str(), vec![]),
    ] {
        let portal = tx.bind(query, &params).await?;
        loop {
            let rows = tx.query_portal(&portal, FETCH).await?;
            for row in &rows {
                let stats = row
                    .get::<_, Option<&[u8]>>(3)
                    .map(crate::store::index::decode_row)
                    .transpose()?;
                match super::store::assemble(row) {
                    Ok(t) if stats.is_some() || (since..=until).contains(&t.opened_at) => {
                        each(Listed::Read(Box::new(t)))
                    }
                    Ok(_) => {}
                    Err(_) => each(Listed::Unreadable(super::store::row_id(row).to_string(), stats)),
                }
            }
            if rows.len() < FETCH as usize {
                break;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Recomputes every trouble's hash chain from the bytes in the database, in one snapshot; a
/// break is said by `describe` (the caller's words, in its language).
pub async fn verify(pool: &Pool, describe: &(dyn Fn(&Break) -> String + Sync)) -> Result<Checked, PgError> {
    let mut client = pool.get().await?;
    let tx = snapshot(&mut client).await?;
    let mut checked = Checked::default();
    let troubles = format!("SELECT {} ORDER BY t.id", super::store::TROUBLE_COLUMNS);
    for row in tx.query(&troubles, &[]).await? {
        checked.troubles += 1;
        let t = match super::store::assemble(&row) {
            Ok(t) => t,
            Err(e) => {
                let id = super::store::row_id(&row).as_bytes();
                let unreadable = crate::store::Unreadable::new(id, e.into());
                checked.broken.push(unreadable.to_string());
                continue;
            }
        };
        let entries = tx
            .query(
                "SELECT entry FROM timeline WHERE trouble = $1 ORDER BY seq",
                &[&t.id.as_str()],
            )
            .await?
            .iter()
            .map(|r| decode::<Entry>("timeline entry", r.get::<_, &[u8]>(0)))
            .collect::<Result<Vec<_>, _>>();
        let verified = entries.map_err(|e| e.to_string()).and_then(|entries| {
            verify_trouble(&t, &entries)
                .map(|()| crate::trouble::timeline::redacted_seqs(&entries))
                .map_err(|b| describe(&b))
        });
        match verified {
            Err(why) => checked.broken.push(format!("{}: {why}", t.id)),
            Ok(seqs) if !seqs.is_empty() => checked.redacted.push((t.id.clone(), seqs)),
            Ok(_) => {}
        }
    }
    // Each opening takes the day's number and writes its trouble in one transaction: every
    // number given out has a trouble under it, unless one was deleted since.
    let numbered = "SELECT d.day || '-' || n FROM day_counters d CROSS JOIN generate_series(1, d.last) AS n
                    WHERE NOT EXISTS (SELECT 1 FROM troubles t WHERE t.id = d.day || '-' || n) ORDER BY 1";
    for row in tx.query(numbered, &[]).await? {
        checked.missing.push(TroubleId::new(row.get::<_, String>(0)));
    }
    for row in tx.query("SELECT key, timer FROM timers ORDER BY key", &[]).await? {
        if let Err(e) = decode::<Timer>("timer", row.get::<_, &[u8]>(1)) {
            checked
                .queued
                .push(crate::store::unreadable_timer_line(row.get::<_, &[u8]>(0), &e));
        }
    }
    for row in tx.query("SELECT lane, item FROM outbox ORDER BY id", &[]).await? {
        if let Err(e) = decode::<OutboxItem>("outbox item", row.get::<_, &[u8]>(1)) {
            checked
                .queued
                .push(crate::store::unreadable_call_line(row.get::<_, &str>(0), &e));
        }
    }
    tx.commit().await?;
    Ok(checked)
}
