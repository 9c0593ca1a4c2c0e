//! The read indexes (customer, App Home people, opening date with stats rows, search text, counts), written in the decision's transaction on both backends and built once for data stored before them.
//!
//! Each trouble's entries derive from it alone ([`Entries::of`]), so a write compares them with
//! what was stored and rewrites only what moved. The customer is filed under its alias-free
//! key ([`normalize`]): the `[customers]` aliases may change between runs, so a read resolves
//! them ([`customer_keys`]) instead of the index freezing them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::trouble::customer::normalize;
use crate::trouble::model::{Severity, Trouble, TroubleId, UserId};
use crate::trouble::money::Currency;
use crate::trouble::search::folded_text;
use crate::trouble::stats::StatsRow;

/// What the indexes file a trouble under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    /// The customer's key without aliases.
    pub customer: String,
    pub opened_at: DateTime<Utc>,
    pub open: bool,
    /// Whose App Home shows it while open: owner, manager and chain (empty once closed).
    pub home: Vec<UserId>,
    /// `/trouble list` orders open troubles by severity, then age.
    pub severity: u8,
    pub private: Option<bool>,
}

/// Everything indexed of one trouble.
#[derive(Clone, Debug, PartialEq)]
pub struct Entries {
    pub keys: Keys,
    pub stats: StatsRow,
    pub text: String,
}

impl Entries {
    pub fn of(t: &Trouble) -> Entries {
        let mut home = Vec::new();
        if t.is_open() {
            home.push(t.owner.clone());
            home.extend(t.manager.iter().cloned());
            home.extend(t.manager_chain().iter().cloned());
            home.sort();
            home.dedup();
        }
        Entries {
            keys: Keys {
                customer: normalize(&t.customer),
                opened_at: t.opened_at,
                open: t.is_open(),
                home,
                severity: t.severity.level(),
                private: t.private,
            },
            stats: StatsRow::from(t),
            text: folded_text(t),
        }
    }
}

/// The alias-free keys whose troubles may be the customer `name`'s: its own, and every alias
/// that resolves to the same customer. Callers keep only troubles whose `customer_key` is
/// the wanted one (an alias key may be a customer of its own elsewhere).
pub fn customer_keys(aliases: &BTreeMap<String, String>, name: &str) -> Vec<String> {
    let wanted = crate::trouble::customer::customer_key(aliases, name);
    let mut keys = vec![wanted.clone(), normalize(name)];
    keys.extend(
        aliases
            .iter()
            .filter(|(_, target)| normalize(target) == wanted)
            .map(|(alias, _)| normalize(alias)),
    );
    keys.sort();
    keys.dedup();
    keys.retain(|k| !k.is_empty());
    keys
}

/// A search hit, before its trouble is read: enough to order hits and to tell whether the
/// asker may see it without reading it (a public trouble).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub id: TroubleId,
    pub opened_at: DateTime<Utc>,
    pub private: Option<bool>,
}

/// Counts kept on write, for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TroubleCounts {
    pub troubles: u64,
    pub open: u64,
}

/// A stats row in a compact binary form: a window of thousands is decoded in microseconds
/// each (JSON's date parsing took most of a `/trouble stats` answer).
pub fn encode_row(r: &StatsRow) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    fn ms(out: &mut Vec<u8>, v: Option<i64>) {
        out.extend_from_slice(&v.unwrap_or(i64::MIN).to_be_bytes());
    }
    let mut out = Vec::with_capacity(64 + r.id.as_str().len() + r.customer.len() + 8 * r.stage_lead_ms.len());
    text(&mut out, r.id.as_str());
    text(&mut out, &r.customer);
    out.push(r.severity.level());
    out.extend_from_slice(&r.opened_at.timestamp_nanos_opt().unwrap_or(i64::MAX).to_be_bytes());
    out.push(u8::from(r.open));
    out.push(flag(r.private));
    ms(&mut out, r.to_ack_ms);
    ms(&mut out, r.to_first_contact_ms);
    out.push(r.stage_lead_ms.len() as u8);
    for lead in &r.stage_lead_ms {
        ms(&mut out, *lead);
    }
    out.push(r.ours.len() as u8);
    for (currency, minor) in &r.ours {
        out.push(match currency {
            Currency::Jpy => 0,
            Currency::Usd => 1,
            Currency::Eur => 2,
        });
        out.extend_from_slice(&minor.to_be_bytes());
    }
    out
}

pub fn decode_row(bytes: &[u8]) -> Result<StatsRow, StoreError> {
    let corrupt = || StoreError::Corrupt("index: bad stats row".into());
    let mut at = 0usize;
    let mut take = |n: usize| -> Result<&[u8], StoreError> {
        let piece = bytes.get(at..at + n).ok_or_else(corrupt)?;
        at += n;
        Ok(piece)
    };
    macro_rules! int {
        ($t:ty) => {
            <$t>::from_be_bytes(
                take(std::mem::size_of::<$t>())?
                    .try_into()
                    .map_err(|_| corrupt())?,
            )
        };
    }
    macro_rules! text {
        () => {{
            let len = int!(u32) as usize;
            String::from_utf8(take(len)?.to_vec()).map_err(|_| corrupt())?
        }};
    }
    let ms = |v: i64| (v != i64::MIN).then_some(v);
    let id = TroubleId::new(text!());
    let customer = text!();
    let severity = Severity::new(int!(u8));
    let opened_at = DateTime::from_timestamp_nanos(int!(i64));
    let open = int!(u8) != 0;
    let private = unflag(int!(u8));
    let to_ack_ms = ms(int!(i64));
    let to_first_contact_ms = ms(int!(i64));
    let stages = int!(u8);
    let mut stage_lead_ms = Vec::with_capacity(stages.into());
    for _ in 0..stages {
        stage_lead_ms.push(ms(int!(i64)));
    }
    let mut ours = BTreeMap::new();
    for _ in 0..int!(u8) {
        let currency = match int!(u8) {
            0 => Currency::Jpy,
            1 => Currency::Usd,
            2 => Currency::Eur,
            _ => return Err(corrupt()),
        };
        ours.insert(currency, int!(i64));
    }
    Ok(StatsRow {
        id,
        customer,
        severity,
        opened_at,
        open,
        private,
        to_ack_ms,
        to_first_contact_ms,
        stage_lead_ms,
        ours,
    })
}

/// A channel's privacy as one byte (0: not recorded).
fn flag(private: Option<bool>) -> u8 {
    match private {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

fn unflag(byte: u8) -> Option<bool> {
    match byte {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("index entries serialize")
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("index: {e}")))
}

// ---- sled: one tree, `index`, its keys prefixed by what they index ----

/// Present once the index holds every trouble (written last by the build).
const BUILT: &[u8] = b"built:1";
const COUNT_TROUBLES: &[u8] = b"n:troubles";
const COUNT_OPEN: &[u8] = b"n:open";

fn joined(prefix: &[u8], a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + a.len() + 1 + b.len());
    key.extend_from_slice(prefix);
    key.extend_from_slice(a);
    key.push(0);
    key.extend_from_slice(b);
    key
}

/// `k:<id>` → the trouble's [`Keys`].
fn keys_key(id: &TroubleId) -> Vec<u8> {
    [b"k:".as_slice(), id.as_str().as_bytes()].concat()
}
/// `c:<customer>\0<id>`.
fn customer_key(customer: &str, id: &TroubleId) -> Vec<u8> {
    joined(b"c:", customer.as_bytes(), id.as_str().as_bytes())
}
/// `h:<user>\0<id>`, open troubles only.
fn home_key(user: &UserId, id: &TroubleId) -> Vec<u8> {
    joined(b"h:", user.as_str().as_bytes(), id.as_str().as_bytes())
}
/// `o:<opened millis, big-endian><id>` → the [`StatsRow`]: a window is one range.
fn opened_key(at: DateTime<Utc>, id: &TroubleId) -> Vec<u8> {
    [b"o:".as_slice(), &millis(at), id.as_str().as_bytes()].concat()
}
/// `l:<severity><opened millis, big-endian><id>` → the privacy flag, open troubles only: the
/// list's order is the keys' order.
fn list_key(k: &Keys, id: &TroubleId) -> Vec<u8> {
    [
        b"l:".as_slice(),
        &[k.severity],
        &millis(k.opened_at),
        id.as_str().as_bytes(),
    ]
    .concat()
}
/// `t:<id>` → opened millis, private flag, the folded search text.
fn text_key(id: &TroubleId) -> Vec<u8> {
    [b"t:".as_slice(), id.as_str().as_bytes()].concat()
}

fn millis(at: DateTime<Utc>) -> [u8; 8] {
    (at.timestamp_millis().max(0) as u64).to_be_bytes()
}

fn text_value(e: &Entries) -> Vec<u8> {
    let mut v = millis(e.keys.opened_at).to_vec();
    v.push(flag(e.stats.private));
    v.extend_from_slice(e.text.as_bytes());
    v
}

fn read_count(bytes: Option<&[u8]>) -> u64 {
    bytes
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

/// An index key and its new value (None: removed).
type Write = (Vec<u8>, Option<Vec<u8>>);

/// The writes a trouble's new entries need against the old ones: `(key, Some(value))` to
/// write, `(key, None)` to remove, and how the counts move.
fn changes(id: &TroubleId, old: Option<&Keys>, stored: [Option<&[u8]>; 2], new: &Entries) -> (Vec<Write>, i64, i64) {
    let mut out = Vec::new();
    let put = |out: &mut Vec<_>, key: Vec<u8>, value: Vec<u8>, was: Option<&[u8]>| {
        if was != Some(value.as_slice()) {
            out.push((key, Some(value)));
        }
    };
    if old != Some(&new.keys) {
        let listed = |k: &Keys| k.open.then(|| (list_key(k, id), vec![flag(k.private)]));
        let (was_listed, now_listed) = (old.and_then(listed), listed(&new.keys));
        if was_listed != now_listed {
            if let Some((key, _)) = was_listed.filter(|(k, _)| now_listed.as_ref().is_none_or(|(n, _)| n != k)) {
                out.push((key, None));
            }
            if let Some((key, flag)) = now_listed {
                out.push((key, Some(flag)));
            }
        }
        if let Some(old) = old {
            if old.customer != new.keys.customer {
                out.push((customer_key(&old.customer, id), None));
            }
            for u in old.home.iter().filter(|u| !new.keys.home.contains(u)) {
                out.push((home_key(u, id), None));
            }
            if old.opened_at != new.keys.opened_at {
                out.push((opened_key(old.opened_at, id), None));
            }
        }
        if old.is_none_or(|o| o.customer != new.keys.customer) {
            out.push((customer_key(&new.keys.customer, id), Some(Vec::new())));
        }
        for u in new.keys.home.iter().filter(|u| old.is_none_or(|o| !o.home.contains(u))) {
            out.push((home_key(u, id), Some(Vec::new())));
        }
        out.push((keys_key(id), Some(encode(&new.keys))));
    }
    let moved = old.is_some_and(|o| o.opened_at != new.keys.opened_at);
    put(
        &mut out,
        opened_key(new.keys.opened_at, id),
        encode_row(&new.stats),
        stored[0].filter(|_| !moved),
    );
    put(&mut out, text_key(id), text_value(new), stored[1]);
    let was_open = old.map(|o| o.open);
    let troubles = i64::from(old.is_none());
    let open = i64::from(new.keys.open) - i64::from(was_open.unwrap_or(false));
    (out, troubles, open)
}

/// Brings trouble `t`'s entries up to date in the decision's write set.
pub(super) fn write_sled(index: &super::sled::Overlay, t: &Trouble) -> Result<(), sled::Error> {
    let new = Entries::of(t);
    let old: Option<Keys> = index
        .get(keys_key(&t.id))?
        .and_then(|b| serde_json::from_slice(&b).ok());
    let stats = index.get(opened_key(new.keys.opened_at, &t.id))?;
    let text = index.get(text_key(&t.id))?;
    let (writes, troubles, open) = changes(&t.id, old.as_ref(), [stats.as_deref(), text.as_deref()], &new);
    for (key, value) in writes {
        match value {
            Some(v) => index.insert(key, v),
            None => index.remove(key),
        }
    }
    for (key, by) in [(COUNT_TROUBLES, troubles), (COUNT_OPEN, open)] {
        if by != 0 {
            let now = read_count(index.get(key)?.as_deref()) as i64;
            index.insert(key, &((now + by).max(0) as u64).to_be_bytes());
        }
    }
    Ok(())
}

/// Whether the index was built for this data (a store written before it needs a build).
pub fn sled_is_built(index: &sled::Tree) -> Result<bool, StoreError> {
    Ok(index.contains_key(BUILT)?)
}

/// Builds every entry from `troubles` (records as stored), once, before the store serves.
pub fn build_sled(index: &sled::Tree, troubles: &sled::Tree) -> Result<(), StoreError> {
    index.clear()?;
    let mut batch = sled::Batch::default();
    let (mut count, mut open) = (0u64, 0u64);
    for record in troubles.iter().values() {
        let t: Trouble = decode(&record?)?;
        let (writes, _, _) = changes(&t.id, None, [None, None], &Entries::of(&t));
        for (key, value) in writes {
            batch.insert(key, value.unwrap_or_default());
        }
        count += 1;
        open += u64::from(t.is_open());
    }
    batch.insert(COUNT_TROUBLES, &count.to_be_bytes());
    batch.insert(COUNT_OPEN, &open.to_be_bytes());
    batch.insert(BUILT, &[]);
    index.apply_batch(batch)?;
    Ok(())
}

/// Ids filed under each prefix key `p` ++ `a` ++ 0.
fn ids_under(index: &sled::Tree, prefix: &[u8], a: &str) -> Result<Vec<TroubleId>, StoreError> {
    let start = joined(prefix, a.as_bytes(), b"");
    index
        .scan_prefix(&start)
        .keys()
        .map(|k| Ok(TroubleId::new(String::from_utf8_lossy(&k?[start.len()..]).into_owned())))
        .collect()
}

/// The troubles filed under any of the customer `keys`.
pub fn sled_customer_ids(index: &sled::Tree, keys: &[String]) -> Result<Vec<TroubleId>, StoreError> {
    let mut ids = Vec::new();
    for key in keys {
        ids.extend(ids_under(index, b"c:", key)?);
    }
    Ok(ids)
}

/// The open troubles in `/trouble list`'s order (severity, then age), each with its privacy.
pub fn sled_open_order(index: &sled::Tree) -> Result<Vec<(TroubleId, Option<bool>)>, StoreError> {
    index
        .scan_prefix(b"l:")
        .map(|record| {
            let (key, value) = record?;
            let id = key
                .get(11..)
                .ok_or_else(|| StoreError::Corrupt("index: short list key".into()))?;
            Ok((
                TroubleId::new(String::from_utf8_lossy(id).into_owned()),
                unflag(value.first().copied().unwrap_or(0)),
            ))
        })
        .collect()
}

/// The open troubles on `user`'s App Home.
pub fn sled_home_ids(index: &sled::Tree, user: &UserId) -> Result<Vec<TroubleId>, StoreError> {
    ids_under(index, b"h:", user.as_str())
}

/// The stats rows of troubles opened in `since..=until`.
pub fn sled_stats_rows(
    index: &sled::Tree,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<StatsRow>, StoreError> {
    let from = [b"o:".as_slice(), &millis(since)].concat();
    let to = [b"o:".as_slice(), &(u64::from_be_bytes(millis(until)) + 1).to_be_bytes()].concat();
    index.range(from..to).values().map(|v| decode_row(&v?)).collect()
}

/// One trouble's search entry as the cache holds it.
struct Searchable {
    opened_millis: i64,
    private: Option<bool>,
    text: Box<str>,
}

fn searchable(value: &[u8]) -> Result<Searchable, StoreError> {
    if value.len() < 9 {
        return Err(StoreError::Corrupt("index: short search entry".into()));
    }
    Ok(Searchable {
        opened_millis: read_count(Some(&value[..8])) as i64,
        private: unflag(value[8]),
        text: String::from_utf8_lossy(&value[9..]).into(),
    })
}

/// The search texts in memory (sled): a search reads them there instead of walking 100,000
/// records. Loaded right after start (or by the first search); a committed decision names its trouble
/// ([`SearchCache::touched`]) and the next search re-reads that one entry from the index,
/// so a search never misses a change whose write has returned.
#[derive(Default)]
pub struct SearchCache {
    state: std::sync::Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    loaded: bool,
    texts: std::collections::HashMap<Box<str>, Searchable>,
    touched: Vec<TroubleId>,
}

impl SearchCache {
    /// After a transaction that wrote trouble `id` committed.
    pub fn touched(&self, id: &TroubleId) {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.loaded {
            state.touched.push(id.clone());
        }
    }

    /// Loads the texts if no search has yet (on a blocking thread): done at start, so the
    /// first rep to search does not wait for 100,000 texts to be read.
    pub fn warm(&self, index: &sled::Tree) -> Result<(), StoreError> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Self::load(&mut state, index)
    }

    fn load(state: &mut CacheState, index: &sled::Tree) -> Result<(), StoreError> {
        if !state.loaded {
            for record in index.scan_prefix(b"t:") {
                let (key, value) = record?;
                state
                    .texts
                    .insert(String::from_utf8_lossy(&key[2..]).into(), searchable(&value)?);
            }
            state.loaded = true;
            state.touched.clear();
        }
        Ok(())
    }

    /// Every trouble whose search text holds all `words` (run it on a blocking thread: it
    /// loads the texts if `warm` has not).
    pub fn search(&self, index: &sled::Tree, words: &[String]) -> Result<Vec<Hit>, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Self::load(&mut state, index)?;
        for id in std::mem::take(&mut state.touched) {
            match index.get(text_key(&id))? {
                Some(value) => state.texts.insert(id.as_str().into(), searchable(&value)?),
                None => state.texts.remove(id.as_str()),
            };
        }
        Ok(state
            .texts
            .iter()
            .filter(|(_, s)| crate::trouble::search::text_matches(&s.text, words))
            .map(|(id, s)| Hit {
                id: TroubleId::new(id.as_ref()),
                opened_at: DateTime::from_timestamp_millis(s.opened_millis).unwrap_or_default(),
                private: s.private,
            })
            .collect())
    }
}

pub fn sled_counts(index: &sled::Tree) -> Result<TroubleCounts, StoreError> {
    Ok(TroubleCounts {
        troubles: read_count(index.get(COUNT_TROUBLES)?.as_deref()),
        open: read_count(index.get(COUNT_OPEN)?.as_deref()),
    })
}

// ---- PostgreSQL: the table `trouble_index` (migrations/0002_read_indexes.sql) ----

pub mod pg {
    //! The same entries as rows of `trouble_index`, written in the decision's transaction.

    use deadpool_postgres::{Pool, Transaction};

    use super::{decode, Entries, Hit, TroubleCounts};
    use crate::store::pg::PgError;
    use crate::trouble::model::{Trouble, TroubleId, TroubleSummary, UserId};
    use crate::trouble::stats::StatsRow;
    use chrono::{DateTime, Utc};

    const UPSERT: &str =
        "INSERT INTO trouble_index (id, customer, opened_at, is_open, home, private, stats, search, severity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET customer = EXCLUDED.customer, opened_at = EXCLUDED.opened_at,
           is_open = EXCLUDED.is_open, home = EXCLUDED.home, private = EXCLUDED.private,
           stats = EXCLUDED.stats, search = EXCLUDED.search, severity = EXCLUDED.severity";

    /// Brings trouble `t`'s row up to date inside the decision's transaction.
    pub async fn write(tx: &Transaction<'_>, t: &Trouble) -> Result<(), PgError> {
        let e = Entries::of(t);
        let home: Vec<&str> = e.keys.home.iter().map(UserId::as_str).collect();
        tx.execute(
            UPSERT,
            &[
                &t.id.as_str(),
                &e.keys.customer,
                &e.keys.opened_at,
                &e.keys.open,
                &home,
                &e.stats.private,
                &super::encode_row(&e.stats),
                &e.text,
                &i16::from(e.keys.severity),
            ],
        )
        .await?;
        Ok(())
    }

    /// Indexes the troubles that have no row yet (stored before the index, or copied in by
    /// `migrate-store`): once, at connect; afterwards every write keeps its row.
    pub async fn build_missing(pool: &Pool) -> Result<u64, PgError> {
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT t.body FROM troubles t LEFT JOIN trouble_index i ON i.id = t.id WHERE i.id IS NULL",
                &[],
            )
            .await?;
        for row in &rows {
            let t: Trouble = decode(row.get::<_, &[u8]>(0))?;
            write(&tx, &t).await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// The records `sql` (selecting an id and a JSON record for `id = ANY($1)`) finds for `ids`,
    /// in the order of `ids` (an id it does not find is left out).
    async fn in_order<T: for<'de> serde::Deserialize<'de>>(
        pool: &Pool,
        sql: &str,
        ids: &[TroubleId],
    ) -> Result<Vec<T>, PgError> {
        let client = pool.get().await?;
        let wanted: Vec<&str> = ids.iter().map(TroubleId::as_str).collect();
        let rows = client.query(sql, &[&wanted]).await?;
        let mut by_id = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            by_id.insert(row.get::<_, String>(0), decode::<T>(row.get::<_, &[u8]>(1))?);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id.as_str())).collect())
    }

    /// The troubles with `ids`, in that order.
    pub async fn troubles(pool: &Pool, ids: &[TroubleId]) -> Result<Vec<Trouble>, PgError> {
        in_order(pool, "SELECT id, body FROM troubles WHERE id = ANY($1)", ids).await
    }

    pub async fn customer_ids(pool: &Pool, keys: &[String]) -> Result<Vec<TroubleId>, PgError> {
        let client = pool.get().await?;
        let rows = client
            .query("SELECT id FROM trouble_index WHERE customer = ANY($1)", &[&keys])
            .await?;
        Ok(rows.iter().map(|r| TroubleId::new(r.get::<_, String>(0))).collect())
    }

    pub async fn open_order(pool: &Pool) -> Result<Vec<(TroubleId, Option<bool>)>, PgError> {
        let client = pool.get().await?;
        let rows = client
            .query(
                "SELECT id, private FROM trouble_index WHERE is_open ORDER BY severity, opened_at, id",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| (TroubleId::new(r.get::<_, String>(0)), r.get(1)))
            .collect())
    }

    /// The `/trouble list` summaries of `ids`, in that order (a closed one is left out).
    pub async fn summaries(pool: &Pool, ids: &[TroubleId]) -> Result<Vec<TroubleSummary>, PgError> {
        let sql = "SELECT id, summary FROM troubles WHERE id = ANY($1) AND summary IS NOT NULL";
        in_order(pool, sql, ids).await
    }

    pub async fn home_ids(pool: &Pool, user: &UserId) -> Result<Vec<TroubleId>, PgError> {
        let client = pool.get().await?;
        let rows = client
            .query(
                "SELECT id FROM trouble_index WHERE is_open AND home @> ARRAY[$1::text]",
                &[&user.as_str()],
            )
            .await?;
        Ok(rows.iter().map(|r| TroubleId::new(r.get::<_, String>(0))).collect())
    }

    pub async fn stats_rows(pool: &Pool, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<StatsRow>, PgError> {
        let client = pool.get().await?;
        let rows = client
            .query(
                "SELECT stats FROM trouble_index WHERE opened_at >= $1 AND opened_at <= $2 ORDER BY opened_at",
                &[&since, &until],
            )
            .await?;
        rows.iter()
            .map(|r| super::decode_row(r.get::<_, &[u8]>(0)).map_err(PgError::from))
            .collect()
    }

    /// `LIKE` patterns matching each word anywhere, its wildcards taken literally.
    fn patterns(words: &[String]) -> Vec<String> {
        words
            .iter()
            .map(|w| {
                let escaped = w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                format!("%{escaped}%")
            })
            .collect()
    }

    pub async fn search(pool: &Pool, words: &[String]) -> Result<Vec<Hit>, PgError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let client = pool.get().await?;
        let rows = client
            .query(
                "SELECT id, opened_at, private FROM trouble_index WHERE search LIKE ALL($1)",
                &[&patterns(words)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Hit {
                id: TroubleId::new(r.get::<_, String>(0)),
                opened_at: r.get(1),
                private: r.get(2),
            })
            .collect())
    }

    pub async fn oldest_outbox_at(pool: &Pool) -> Result<Option<DateTime<Utc>>, PgError> {
        let client = pool.get().await?;
        Ok(client
            .query_one("SELECT min(created_at) FROM outbox", &[])
            .await?
            .get(0))
    }

    pub async fn counts(pool: &Pool) -> Result<TroubleCounts, PgError> {
        let client = pool.get().await?;
        let row = client
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE is_open) FROM trouble_index",
                &[],
            )
            .await?;
        Ok(TroubleCounts {
            troubles: row.get::<_, i64>(0) as u64,
            open: row.get::<_, i64>(1) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stats_row_reads_back_as_written() {
        let row = StatsRow {
            id: TroubleId::new("20261130-7"),
            customer: "株式会社ACME".into(),
            severity: Severity::new(2),
            opened_at: "2026-11-30T01:02:03.456789123Z".parse().unwrap(),
            open: false,
            private: Some(true),
            to_ack_ms: Some(720_000),
            to_first_contact_ms: None,
            stage_lead_ms: vec![Some(60_000), None, Some(-5), None, None, None, None],
            ours: BTreeMap::from([(Currency::Jpy, 840_000), (Currency::Eur, 9_900)]),
        };
        assert_eq!(decode_row(&encode_row(&row)).unwrap(), row);
        assert!(decode_row(&encode_row(&row)[..20]).is_err(), "a cut row is refused");
    }

    #[test]
    fn an_alias_brings_the_keys_of_every_spelling_filed_under_its_customer() {
        let aliases = BTreeMap::from([("アクメ".to_string(), "ACME".to_string())]);
        let keys = customer_keys(&aliases, "ACME Corp.");
        assert!(keys.contains(&"acme".to_string()));
        assert!(keys.contains(&normalize("アクメ")));
        // Asked by the alias, the customer's own key is there too.
        assert!(customer_keys(&aliases, "アクメ株式会社").contains(&"acme".to_string()));
        assert_eq!(customer_keys(&aliases, "Globex"), vec!["globex".to_string()]);
    }
}
