//! The read indexes (customer, App Home rows per person, opening date with stats rows, stats per day, search text, list order and its open troubles not known public with who sees them, counts), written in the decision's transaction on both backends and built once for data stored before them.
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
use crate::trouble::decide::Viewers;
use crate::trouble::home::HomeRow;
use crate::trouble::model::{Severity, Trouble, TroubleId, UserId};
use crate::trouble::money::Currency;
use crate::trouble::search::folded_text;
use crate::trouble::stats::{Counts, Named, StatsRow, Summed, Tally, MEASURES};

/// What the indexes file a trouble under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    /// The customer's key without aliases.
    pub customer: String,
    pub opened_at: DateTime<Utc>,
    pub open: bool,
    /// Whose App Home shows it ([`crate::trouble::home::people`]): while open, owner, manager,
    /// chain, those added and the channel's members seen; open or closed, whoever owns one of
    /// its actions not done yet.
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
    /// Per person of `keys.home`, their App Home row (sled keeps it under the person).
    pub home: Vec<HomeRow>,
    /// Open and not known to be public: its `u:` value ([`unsure_value`]).
    pub unsure: Option<Vec<u8>>,
}

impl Entries {
    pub fn of(t: &Trouble) -> Entries {
        let home = crate::trouble::home::people(t);
        Entries {
            keys: Keys {
                customer: normalize(&t.customer),
                opened_at: t.opened_at,
                open: t.is_open(),
                home: home.clone(),
                severity: t.severity.level(),
                private: t.private,
            },
            stats: StatsRow::from(t),
            text: folded_text(t),
            home: home.iter().map(|u| HomeRow::of(t, u)).collect(),
            unsure: unsure_of(t),
        }
    }
}

/// Whether two troubles with the same body file the same entries, here and in the list's
/// summary: of what a trouble tracks beside its body ([`crate::trouble::model::Tracking`]),
/// these read the channel's id and name alone.
pub(super) fn files_alike(a: &Trouble, b: &Trouble) -> bool {
    a.channel == b.channel && a.channel_name == b.channel_name
}

/// The `u:` value of an open trouble not known to be public.
fn unsure_of(t: &Trouble) -> Option<Vec<u8>> {
    (t.is_open() && t.private != Some(false)).then(|| unsure_value(&Viewers::of(t)))
}

/// A `u:` value carries a trouble's viewers up to this many bytes: a trouble with more people
/// (hundreds seen joining its channel) is filed with its flag alone and read when judged.
const CARRIED_MAX: usize = 1024;

/// A `u:` value: the privacy flag, then the trouble's [`Viewers`] but its severity (the key's):
/// owner, then chain, added and members seen, then the named departments (varint counts, each
/// text after its varint length). One byte, the flag alone, is the earlier layout and what a
/// trouble past [`CARRIED_MAX`] gets: judged from its body.
fn unsure_value(v: &Viewers) -> Vec<u8> {
    use super::sled::record::varint;
    let text = |out: &mut Vec<u8>, s: &str| {
        varint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    };
    let mut out = vec![flag(v.private)];
    text(&mut out, v.owner.as_str());
    for people in [v.chain, v.added, v.members_seen] {
        varint(&mut out, people.len() as u64);
        for u in people {
            text(&mut out, u.as_str());
        }
    }
    varint(&mut out, v.departments.len() as u64);
    for d in v.departments {
        text(&mut out, d);
    }
    if out.len() > CARRIED_MAX {
        out.truncate(1);
    }
    out
}

/// What a `u:` value carries past its flag, owned: [`Carried::viewers`] lends it to the core's
/// rule, so `/trouble list` judges a private trouble for its asker without reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Carried {
    severity: Severity,
    owner: UserId,
    chain: Vec<UserId>,
    added: Vec<UserId>,
    members_seen: Vec<UserId>,
    departments: Vec<String>,
}

impl Carried {
    /// The viewers of a trouble whose channel's privacy is `private`.
    pub fn viewers(&self, private: Option<bool>) -> Viewers<'_> {
        Viewers {
            private,
            severity: self.severity,
            owner: &self.owner,
            chain: &self.chain,
            added: &self.added,
            members_seen: &self.members_seen,
            departments: &self.departments,
        }
    }

    /// Off a `u:` value past its flag, with the severity of its key; None for the flag alone
    /// (or a value this release cannot read): the trouble is then judged from its body.
    fn read(severity: u8, value: &[u8]) -> Option<Carried> {
        let mut r = Reader::new(value.get(1..).filter(|rest| !rest.is_empty())?);
        let owner = UserId::new(r.short_text().ok()?);
        /// A count, then that many texts, each made a `T`.
        fn texts<'a, T>(r: &mut Reader<'a>, made: impl Fn(&'a str) -> T) -> Option<Vec<T>> {
            let n = r.varint().ok()?;
            // Each text takes a byte at least: a count beyond the value is no count.
            (n <= r.bytes.len() as u64).then_some(())?;
            (0..n).map(|_| r.short_text().ok().map(&made)).collect()
        }
        let chain = texts(&mut r, UserId::new)?;
        let added = texts(&mut r, UserId::new)?;
        let members_seen = texts(&mut r, UserId::new)?;
        let departments = texts(&mut r, String::from)?;
        (r.at == r.bytes.len()).then_some(Carried {
            severity: Severity::new(severity),
            owner,
            chain,
            added,
            members_seen,
            departments,
        })
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

/// Reads big-endian numbers and length-prefixed texts off a stored value.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let piece = self
            .at
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.at..end))
            .ok_or_else(|| StoreError::Corrupt("index: short record".into()))?;
        self.at += n;
        Ok(piece)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    fn i64(&mut self) -> Result<i64, StoreError> {
        Ok(self.u64()? as i64)
    }

    /// A text after its 8-byte length, borrowed.
    fn str(&mut self) -> Result<&'a str, StoreError> {
        let len = self.u64()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| StoreError::Corrupt("index: bad text".into()))
    }

    fn varint(&mut self) -> Result<u64, StoreError> {
        let mut rest = self.bytes.get(self.at..).unwrap_or_default();
        let before = rest.len();
        let n = super::sled::record::take_varint(&mut rest)
            .ok_or_else(|| StoreError::Corrupt("index: a number cut short or too long".into()))?;
        self.at += before - rest.len();
        Ok(n)
    }

    /// A text after its varint length, borrowed.
    fn short_text(&mut self) -> Result<&'a str, StoreError> {
        let len = self.varint()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| StoreError::Corrupt("index: bad text".into()))
    }
}

fn currency_byte(c: Currency) -> u8 {
    match c {
        Currency::Jpy => 0,
        Currency::Usd => 1,
        Currency::Eur => 2,
    }
}

fn byte_currency(b: u8) -> Result<Currency, StoreError> {
    Ok(match b {
        0 => Currency::Jpy,
        1 => Currency::Usd,
        2 => Currency::Eur,
        _ => return Err(StoreError::Corrupt("index: bad currency".into())),
    })
}

fn put_counts(out: &mut Vec<u8>, c: &Counts) {
    out.extend_from_slice(&c.troubles.to_be_bytes());
    out.extend_from_slice(&c.open.to_be_bytes());
    out.push(c.ours.len() as u8);
    for (currency, (minor, n)) in &c.ours {
        out.push(currency_byte(*currency));
        out.extend_from_slice(&minor.to_be_bytes());
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn read_counts(r: &mut Reader) -> Result<Counts, StoreError> {
    let mut c = Counts {
        troubles: r.u64()?,
        open: r.u64()?,
        ours: BTreeMap::new(),
    };
    for _ in 0..r.u8()? {
        let currency = byte_currency(r.u8()?)?;
        c.ours.insert(currency, (r.i64()?, r.u64()?));
    }
    Ok(c)
}

/// A day's aggregate under `sd:`: its tally (None: a change could not be taken out exactly,
/// so the day is read from its rows until the index is built again) and how many chunks of
/// customers it has.
#[derive(Debug, PartialEq)]
struct DayRecord {
    tally: Option<Tally>,
    chunks: u16,
}

fn encode_day(d: &DayRecord) -> Vec<u8> {
    let mut out = vec![u8::from(d.tally.is_none())];
    out.extend_from_slice(&d.chunks.to_be_bytes());
    let Some(t) = &d.tally else {
        return out;
    };
    for list in &t.durations {
        out.extend_from_slice(&(list.len() as u64).to_be_bytes());
        for v in list {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    out.push(t.by_severity.len() as u8);
    for (level, counts) in &t.by_severity {
        out.push(level.level());
        put_counts(&mut out, counts);
    }
    // Last, so a day an earlier release wrote reads with none waiting until
    // [`build_sled_waiting`] counts them.
    out.extend_from_slice(&t.waiting.to_be_bytes());
    out
}

fn decode_day(bytes: &[u8]) -> Result<DayRecord, StoreError> {
    let mut r = Reader::new(bytes);
    let untrusted = r.u8()? != 0;
    let chunks = u16::from_be_bytes(r.take(2)?.try_into().expect("2 bytes"));
    if untrusted {
        return Ok(DayRecord { tally: None, chunks });
    }
    let mut t = Tally::default();
    for list in t.durations.iter_mut().take(MEASURES) {
        let n = r.u64()? as usize;
        list.reserve(n.min(bytes.len() / 8));
        for _ in 0..n {
            list.push(r.i64()?);
        }
    }
    for _ in 0..r.u8()? {
        let level = Severity::new(r.u8()?);
        t.by_severity.insert(level, read_counts(&mut r)?);
    }
    if r.at < bytes.len() {
        t.waiting = r.u64()?;
    }
    Ok(DayRecord { tally: Some(t), chunks })
}

/// At most this many customers in one chunk of a day: a decision rewrites one chunk (about
/// 600 bytes), however many customers a day of bursts has, and a window of 90 days is read
/// in about 1,500 values at 1,000 customers instead of one per customer and day.
const CHUNK: usize = 8;

/// A chunk of a day's customers: each one's alias-free key and its [`Named`] counts.
type Chunk = Vec<(String, Named)>;

fn encode_chunk(chunk: &Chunk) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk.len() * 96);
    out.extend_from_slice(&(chunk.len() as u64).to_be_bytes());
    for (key, n) in chunk {
        for text in [key, &n.first.1, &n.name] {
            out.extend_from_slice(&(text.len() as u64).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(&n.first.0.to_be_bytes());
        put_counts(&mut out, &n.counts);
    }
    out
}

fn decode_chunk(bytes: &[u8]) -> Result<Chunk, StoreError> {
    let mut chunk = Vec::new();
    visit_chunk(bytes, |key, first, name, counts| {
        chunk.push((
            key.to_string(),
            Named {
                first: (first.0, first.1.to_string()),
                name: name.to_string(),
                counts,
            },
        ))
    })?;
    Ok(chunk)
}

/// Each customer of a chunk as `f(key, first, name, counts)`, its texts borrowed from
/// `bytes`: `/trouble stats` sums a window's ~12,000 of them at 100,000 troubles into ~1,000
/// customers without a copy of each.
fn visit_chunk(bytes: &[u8], mut f: impl FnMut(&str, (i64, &str), &str, Counts)) -> Result<(), StoreError> {
    let mut r = Reader::new(bytes);
    for _ in 0..r.u64()? {
        let (key, id, name) = (r.str()?, r.str()?, r.str()?);
        let at = r.i64()?;
        f(key, (at, id), name, read_counts(&mut r)?);
    }
    Ok(())
}

/// sled's index records in the store's compact form (`sled/record.rs`), nulls kept: a row's
/// optional times are read `with` chrono's helpers, which want the field there.
fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    super::sled::record::encode_exact(value)
}

/// A record in the compact form or JSON (an earlier release's index, PostgreSQL's rows).
fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    super::sled::record::decode(bytes).map_err(|e| StoreError::Corrupt(format!("index: {e}")))
}

// ---- sled: one tree, `index`, its keys prefixed by what they index ----

/// Present once the index holds every trouble (written last by the build); 2: with the stats
/// aggregates, so an index built before them is built again at open; 3: with the App Home rows
/// of closed troubles' open actions. A trouble's keys and search entry in one `t:` record came
/// later without a new mark: the earlier `k:` and `t:` pair still reads, and a trouble's next
/// write replaces it.
const BUILT: &[u8] = b"built:3";
/// Present once the `u:` keys are filed (by the build, or from the `l:` keys of an index built
/// before them: [`build_sled_unsure`]).
const UNSURE_BUILT: &[u8] = b"built:unsure";
/// Present once every `u:` value carries its trouble's viewers, or is known not to (past
/// [`CARRIED_MAX`]): by the build, or from the bodies of the troubles an earlier release filed
/// under `u:` with their flag alone ([`build_sled_viewers`]).
const VIEWERS_BUILT: &[u8] = b"built:viewers";
/// Present once the App Home rows of force-closed troubles say so (`HomeRow::closed_by_force`):
/// by the build, or by rewriting the rows an earlier release wrote without it
/// ([`build_sled_forced_rows`]).
const FORCED_ROWS_BUILT: &[u8] = b"built:forced-rows";
/// Present once the days' tallies count their troubles waiting for an acknowledgement: by the
/// build, or from the open troubles' rows in an index whose tallies were written before they
/// did ([`build_sled_waiting`]).
const WAITING_BUILT: &[u8] = b"built:waiting";
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

/// `k:<id>` → the trouble's [`Keys`], as an earlier release filed them beside its `t:` entry
/// (read, and removed by the trouble's next write).
fn keys_key(id: &TroubleId) -> Vec<u8> {
    [b"k:".as_slice(), id.as_str().as_bytes()].concat()
}
/// `c:<customer>\0<id>`.
fn customer_key(customer: &str, id: &TroubleId) -> Vec<u8> {
    joined(b"c:", customer.as_bytes(), id.as_str().as_bytes())
}
/// `h:<user>\0<id>` → the person's [`HomeRow`] of it (an open trouble, or a closed one with an
/// action of theirs still open): a Home is one scan.
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
/// `u:<severity><opened millis, big-endian><id>` → the privacy flag and the trouble's viewers
/// ([`unsure_value`]), open troubles not known to be public only (flag not `Some(false)`): the
/// troubles `/trouble list` must judge per asker, read without walking the `l:` keys of every
/// open trouble, and judged without reading them.
fn unsure_key(k: &Keys, id: &TroubleId) -> Vec<u8> {
    let mut key = list_key(k, id);
    key[0] = b'u';
    key
}
/// The `l:` entry of a trouble filed under `k`, open ones only.
fn list_entry(k: &Keys, id: &TroubleId) -> Option<(Vec<u8>, Vec<u8>)> {
    k.open.then(|| (list_key(k, id), vec![flag(k.private)]))
}
/// The `u:` key of a trouble filed under `k`, open ones not known to be public only.
fn unsure_key_of(k: &Keys, id: &TroubleId) -> Option<Vec<u8>> {
    (k.open && k.private != Some(false)).then(|| unsure_key(k, id))
}
/// `t:<id>` → the trouble's [`Keys`] and its search entry in one record ([`record_value`]).
fn text_key(id: &TroubleId) -> Vec<u8> {
    [b"t:".as_slice(), id.as_str().as_bytes()].concat()
}

/// A day of the stats aggregates: UTC days since the epoch.
type Day = u32;
const DAY_MS: i64 = 86_400_000;

fn day_of(at: DateTime<Utc>) -> Day {
    (at.timestamp_millis().max(0) / DAY_MS) as Day
}

/// `sd:<day>` → the [`Tally`] of the day's public troubles (those whose channel is known to be
/// public: anyone may see them, so a day is summed once for every asker).
fn day_key(day: Day) -> Vec<u8> {
    [b"sd:".as_slice(), &day.to_be_bytes()].concat()
}
/// `sc:<day><chunk>` → a [`Chunk`] of the day's customers (their public troubles).
fn chunk_key(day: Day, chunk: u16) -> Vec<u8> {
    [b"sc:".as_slice(), &day.to_be_bytes(), &chunk.to_be_bytes()].concat()
}
/// `sp:<day><customer>` → the chunk that holds the customer (its alias-free key) that day.
fn chunk_of_key(day: Day, customer: &str) -> Vec<u8> {
    [b"sp:".as_slice(), &day.to_be_bytes(), customer.as_bytes()].concat()
}
/// `q:<opened millis><id>` → the stats row of a trouble not known to be public: whether the
/// asker may see it is decided per asker, so it is counted one by one.
fn checked_key(at: DateTime<Utc>, id: &TroubleId) -> Vec<u8> {
    [b"q:".as_slice(), &millis(at), id.as_str().as_bytes()].concat()
}

fn is_public(r: &StatsRow) -> bool {
    r.private == Some(false)
}

fn millis(at: DateTime<Utc>) -> [u8; 8] {
    (at.timestamp_millis().max(0) as u64).to_be_bytes()
}

/// The first byte of a `t:` record holding the [`Keys`] too. An earlier release's `t:` value
/// (opened millis, private flag, text; its keys under `k:`) starts with the millis' top byte,
/// 0 until the year 2,000,000.
const MERGED: u8 = 1;

/// A trouble's `t:` record. First what a search reads, as the earlier entry had it: [`MERGED`],
/// opened millis (i64), private flag, the text (varint length). Then the rest of its [`Keys`]:
/// the opening's nanoseconds within its millisecond (varint), severity, a byte of bits (1:
/// open; 2: the customer key follows, as it is not the text's first line normalised, which it
/// almost always is), then the App Home people (varint count, each a varint length). One record
/// instead of `k:` and `t:` (100,000 keys fewer at 100,000 troubles), at most 9 bytes longer
/// than the earlier `t:` for a closed trouble: the search load pulls about as many of sled's
/// leaves as before into its cache. (A change to [`normalize`] needs the index built again
/// anyway: its `c:` keys are normalised.)
fn record_value(keys: &Keys, text: &str) -> Vec<u8> {
    use super::sled::record::varint;
    let spelled = normalize(first_line(text)) != keys.customer;
    let mut v = Vec::with_capacity(
        24 + text.len() + keys.customer.len() + keys.home.iter().map(|u| 2 + u.as_str().len()).sum::<usize>(),
    );
    let text_of = |v: &mut Vec<u8>, s: &str| {
        varint(v, s.len() as u64);
        v.extend_from_slice(s.as_bytes());
    };
    v.push(MERGED);
    v.extend_from_slice(&keys.opened_at.timestamp_millis().to_be_bytes());
    v.push(flag(keys.private));
    text_of(&mut v, text);
    varint(&mut v, (keys.opened_at.timestamp_subsec_nanos() % 1_000_000).into());
    v.push(keys.severity);
    v.push(u8::from(keys.open) | (u8::from(spelled) << 1));
    if spelled {
        text_of(&mut v, &keys.customer);
    }
    varint(&mut v, keys.home.len() as u64);
    for user in &keys.home {
        text_of(&mut v, user.as_str());
    }
    v
}

fn first_line(text: &str) -> &str {
    text.split('\n').next().unwrap_or_default()
}

/// Reads a merged record up to its text: its search entry, and a reader at its other keys.
fn merged_entry(value: &[u8]) -> Result<(Searchable, Reader<'_>), StoreError> {
    let mut r = Reader::new(value);
    if r.u8()? != MERGED {
        return Err(StoreError::Corrupt("index: bad trouble record".into()));
    }
    let opened_millis = r.i64()?;
    let private = unflag(r.u8()?);
    let text = r.short_text()?;
    Ok((
        Searchable {
            opened_millis,
            private,
            text: text.into(),
        },
        r,
    ))
}

/// The [`Keys`] of a merged `t:` record.
fn record_keys(value: &[u8]) -> Result<Keys, StoreError> {
    let (entry, mut r) = merged_entry(value)?;
    let nanos = r.varint()?;
    let opened_at = DateTime::from_timestamp_millis(entry.opened_millis)
        .and_then(|at| at.checked_add_signed(chrono::Duration::nanoseconds(nanos.min(999_999) as i64)))
        .ok_or_else(|| StoreError::Corrupt("index: bad opening time".into()))?;
    let severity = r.u8()?;
    let bits = r.u8()?;
    let customer = match bits & 2 {
        0 => normalize(first_line(&entry.text)),
        _ => r.short_text()?.to_string(),
    };
    let people = r.varint()?;
    let mut home = Vec::with_capacity((people as usize).min(value.len()));
    for _ in 0..people {
        home.push(UserId::new(r.short_text()?));
    }
    Ok(Keys {
        customer,
        opened_at,
        open: bits & 1 != 0,
        home,
        severity,
        private: entry.private,
    })
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
/// write, `(key, None)` to remove, and how the counts move. `stored` is its `o:` row, its `t:`
/// record and its `u:` value (under the old keys) as found.
fn changes(id: &TroubleId, old: Option<&Keys>, stored: [Option<&[u8]>; 3], new: &Entries) -> (Vec<Write>, i64, i64) {
    let mut out = Vec::new();
    let put = |out: &mut Vec<_>, key: Vec<u8>, value: Vec<u8>, was: Option<&[u8]>| {
        if was != Some(value.as_slice()) {
            out.push((key, Some(value)));
        }
    };
    if old != Some(&new.keys) {
        let (was, now) = (old.and_then(|k| list_entry(k, id)), list_entry(&new.keys, id));
        if was != now {
            if let Some((key, _)) = was.filter(|(k, _)| now.as_ref().is_none_or(|(n, _)| n != k)) {
                out.push((key, None));
            }
            if let Some((key, flag)) = now {
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
    }
    // The `u:` value carries more than the keys (who sees it): compared with what is stored.
    let was = old.and_then(|k| unsure_key_of(k, id));
    let now = new.unsure.as_ref().map(|value| (unsure_key(&new.keys, id), value));
    if let Some(key) = was.as_ref().filter(|w| now.as_ref().is_none_or(|(n, _)| n != *w)) {
        out.push((key.clone(), None));
    }
    if let Some((key, value)) = now {
        let stored = stored[2].filter(|_| was.as_ref() == Some(&key));
        put(&mut out, key, value.clone(), stored);
    }
    let moved = old.is_some_and(|o| o.opened_at != new.keys.opened_at);
    put(
        &mut out,
        opened_key(new.keys.opened_at, id),
        encode_row(&new.stats),
        stored[0].filter(|_| !moved),
    );
    put(&mut out, text_key(id), record_value(&new.keys, &new.text), stored[1]);
    let was_open = old.map(|o| o.open);
    let troubles = i64::from(old.is_none());
    let open = i64::from(new.keys.open) - i64::from(was_open.unwrap_or(false));
    (out, troubles, open)
}

/// Brings trouble `t`'s entries up to date in the decision's write set.
pub(super) fn write_sled(index: &super::sled::Overlay, t: &Trouble) -> Result<(), sled::Error> {
    let new = Entries::of(t);
    let text = index.get(text_key(&t.id))?;
    let old: Option<Keys> = match text.as_deref() {
        None => None,
        Some(merged) if merged.first() == Some(&MERGED) => record_keys(merged).ok(),
        // Filed by an earlier release: its keys under `k:`, which this write replaces.
        Some(_) => {
            let keys = index.get(keys_key(&t.id))?;
            if keys.is_some() {
                index.remove(keys_key(&t.id));
            }
            keys.and_then(|b| decode(&b).ok())
        }
    };
    let stats = index.get(opened_key(
        old.as_ref().map_or(new.keys.opened_at, |o| o.opened_at),
        &t.id,
    ))?;
    let unsure = match old.as_ref().and_then(|k| unsure_key_of(k, &t.id)) {
        Some(key) => index.get(key)?,
        None => None,
    };
    let stored = [stats.as_deref(), text.as_deref(), unsure.as_deref()];
    let (writes, troubles, open) = changes(&t.id, old.as_ref(), stored, &new);
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
    for (user, row) in new.keys.home.iter().zip(&new.home) {
        let key = home_key(user, &t.id);
        let value = encode(row);
        if index.get(&key)?.as_deref() != Some(value.as_slice()) {
            index.insert(key, value);
        }
    }
    let was = match stats.as_deref().map(decode_row) {
        None => Ok(None),
        Some(Ok(row)) => Ok(Some(row)),
        Some(Err(_)) => Err(old.as_ref().map(|o| day_of(o.opened_at))),
    };
    write_aggregates(index, was, &new.stats)
}

/// Moves the stats aggregates from trouble's row `was` (Err: unreadable, with its day) to `now`.
fn write_aggregates(
    index: &super::sled::Overlay,
    was: Result<Option<StatsRow>, Option<Day>>,
    now: &StatsRow,
) -> Result<(), sled::Error> {
    let was = match was {
        Ok(was) => was,
        Err(day) => {
            if let Some(day) = day {
                distrust(index, day)?;
            }
            None
        }
    };
    if was.as_ref() == Some(now) {
        return Ok(());
    }
    if let Some(old) = was.as_ref().filter(|r| !is_public(r)) {
        if is_public(now) || old.opened_at != now.opened_at {
            index.remove(checked_key(old.opened_at, &old.id));
        }
    }
    if !is_public(now) {
        index.insert(checked_key(now.opened_at, &now.id), encode_row(now));
    }
    if let Some(old) = was.as_ref().filter(|r| is_public(r)) {
        let day = day_of(old.opened_at);
        match read_day(index, day)? {
            Some(DayRecord {
                tally: Some(mut tally),
                chunks,
            }) => {
                let exact = take_customer(index, day, old)? && tally.remove(old);
                let tally = exact.then_some(tally);
                index.insert(day_key(day), encode_day(&DayRecord { tally, chunks }));
            }
            // Already untrusted.
            Some(DayRecord { tally: None, .. }) => {}
            None => distrust(index, day)?,
        }
    }
    if is_public(now) {
        let day = day_of(now.opened_at);
        let record = read_day(index, day)?.unwrap_or(DayRecord {
            tally: Some(Tally::default()),
            chunks: 0,
        });
        // An untrusted day stays so (its rows are read) until the index is built again.
        if let DayRecord {
            tally: Some(mut tally),
            mut chunks,
        } = record
        {
            tally.add(now);
            let customer = normalize(&now.customer);
            let pointer = chunk_of_key(day, &customer);
            match index.get(&pointer)? {
                Some(at) => {
                    let at = u16::from_be_bytes(at.as_ref().try_into().unwrap_or_default());
                    let mut chunk = read_chunk(index, day, at)?;
                    match chunk.iter_mut().find(|(k, _)| *k == customer) {
                        Some((_, named)) => named.add(now),
                        None => chunk.push((customer, Named::of(now))),
                    }
                    index.insert(chunk_key(day, at), encode_chunk(&chunk));
                }
                None => {
                    let last = match chunks.checked_sub(1) {
                        Some(at) => Some((at, read_chunk(index, day, at)?)),
                        None => None,
                    };
                    let (at, mut chunk) = match last {
                        Some((at, chunk)) if chunk.len() < CHUNK => (at, chunk),
                        _ => {
                            chunks += 1;
                            (chunks - 1, Chunk::new())
                        }
                    };
                    chunk.push((customer, Named::of(now)));
                    index.insert(chunk_key(day, at), encode_chunk(&chunk));
                    index.insert(pointer, &at.to_be_bytes());
                }
            }
            index.insert(
                day_key(day),
                encode_day(&DayRecord {
                    tally: Some(tally),
                    chunks,
                }),
            );
        }
    }
    Ok(())
}

fn read_day(index: &super::sled::Overlay, day: Day) -> Result<Option<DayRecord>, sled::Error> {
    // An unreadable record reads as untrusted: the day's rows answer instead.
    Ok(index
        .get(day_key(day))?
        .map(|b| decode_day(&b).unwrap_or(DayRecord { tally: None, chunks: 0 })))
}

fn read_chunk(index: &super::sled::Overlay, day: Day, at: u16) -> Result<Chunk, sled::Error> {
    Ok(index
        .get(chunk_key(day, at))?
        .and_then(|b| decode_chunk(&b).ok())
        .unwrap_or_default())
}

/// Marks `day` as read from its rows: its aggregate could not follow a change exactly.
fn distrust(index: &super::sled::Overlay, day: Day) -> Result<(), sled::Error> {
    let chunks = read_day(index, day)?.map_or(0, |d| d.chunks);
    index.insert(day_key(day), encode_day(&DayRecord { tally: None, chunks }));
    Ok(())
}

/// Takes public row `old` out of its customer's counts that day; false when that cannot be
/// done exactly (then nothing is changed).
fn take_customer(index: &super::sled::Overlay, day: Day, old: &StatsRow) -> Result<bool, sled::Error> {
    let customer = normalize(&old.customer);
    let pointer = chunk_of_key(day, &customer);
    let Some(at) = index.get(&pointer)? else {
        return Ok(false);
    };
    let at = u16::from_be_bytes(at.as_ref().try_into().unwrap_or_default());
    let mut chunk = read_chunk(index, day, at)?;
    let Some(place) = chunk.iter().position(|(k, _)| *k == customer) else {
        return Ok(false);
    };
    if !chunk[place].1.remove(old) {
        return Ok(false);
    }
    if chunk[place].1.counts.troubles == 0 {
        chunk.remove(place);
        index.remove(pointer);
    }
    index.insert(chunk_key(day, at), encode_chunk(&chunk));
    Ok(true)
}

/// Whether the index was built for this data (a store written before it needs a build).
pub fn sled_is_built(index: &sled::Tree) -> Result<bool, StoreError> {
    Ok(index.contains_key(BUILT)?)
}

/// Marks the index built, once what [`build_sled`] left out is noted where a later start finds
/// it: a crash in between builds it again rather than lose those troubles.
pub fn mark_sled_built(index: &sled::Tree) -> Result<(), StoreError> {
    index.insert(BUILT, &[])?;
    Ok(())
}

/// What a build of the indexes leaves out a trouble whose record does not read of: starting
/// goes on without it, rather than no trouble being served.
const LEFT_OUT_OF: &str = "the read indexes";

/// Builds every entry from `troubles` (records as stored), once, before the store serves; the
/// keys of the troubles left out because their record does not read, for the store to file
/// once they read (`SledStore::file_left_out`). The caller marks it built ([`mark_sled_built`])
/// once it has noted those.
pub fn build_sled(
    index: &sled::Tree,
    troubles: &sled::Tree,
    tracking: &sled::Tree,
) -> Result<Vec<sled::IVec>, StoreError> {
    index.clear()?;
    let mut batch = sled::Batch::default();
    let (mut count, mut open) = (0u64, 0u64);
    let mut days: std::collections::HashMap<Day, Tally> = std::collections::HashMap::new();
    let mut customers: std::collections::HashMap<Day, BTreeMap<String, Named>> = std::collections::HashMap::new();
    let mut left_out = Vec::new();
    for record in troubles.iter() {
        let (key, body) = record?;
        // With its tracking record: the body alone has no channel (App Home rows link it).
        let t = match super::sled::assemble(&key, &body, tracking.get(&key)?.as_deref()) {
            Ok(t) => t,
            Err(e) => {
                crate::store::Unreadable::new(&key, e).left_out_of(LEFT_OUT_OF);
                left_out.push(key);
                continue;
            }
        };
        let entries = Entries::of(&t);
        let (writes, _, _) = changes(&t.id, None, [None; 3], &entries);
        for (key, value) in writes {
            batch.insert(key, value.unwrap_or_default());
        }
        for (user, row) in entries.keys.home.iter().zip(&entries.home) {
            batch.insert(home_key(user, &t.id), encode(row));
        }
        let row = &entries.stats;
        if is_public(row) {
            let day = day_of(row.opened_at);
            days.entry(day).or_default().add(row);
            customers
                .entry(day)
                .or_default()
                .entry(normalize(&row.customer))
                .and_modify(|n| n.add(row))
                .or_insert_with(|| Named::of(row));
        } else {
            batch.insert(checked_key(row.opened_at, &row.id), encode_row(row));
        }
        count += 1;
        open += u64::from(t.is_open());
    }
    for (day, tally) in days {
        let named: Vec<(String, Named)> = customers.remove(&day).unwrap_or_default().into_iter().collect();
        let mut chunks = 0u16;
        for chunk in named.chunks(CHUNK) {
            for (customer, _) in chunk {
                batch.insert(chunk_of_key(day, customer), &chunks.to_be_bytes());
            }
            batch.insert(chunk_key(day, chunks), encode_chunk(&chunk.to_vec()));
            chunks += 1;
        }
        let record = DayRecord {
            tally: Some(tally),
            chunks,
        };
        batch.insert(day_key(day), encode_day(&record));
    }
    batch.insert(COUNT_TROUBLES, &count.to_be_bytes());
    batch.insert(COUNT_OPEN, &open.to_be_bytes());
    batch.insert(UNSURE_BUILT, &[]);
    batch.insert(VIEWERS_BUILT, &[]);
    batch.insert(FORCED_ROWS_BUILT, &[]);
    batch.insert(WAITING_BUILT, &[]);
    index.apply_batch(batch)?;
    Ok(left_out)
}

/// Files the open troubles not known to be public under `u:` in an index built before that
/// prefix, once: one walk over the `l:` keys (the open troubles), not over the troubles.
pub fn build_sled_unsure(index: &sled::Tree) -> Result<(), StoreError> {
    if index.contains_key(UNSURE_BUILT)? {
        return Ok(());
    }
    let mut batch = sled::Batch::default();
    for record in index.scan_prefix(b"l:") {
        let (key, value) = record?;
        if unflag(value.first().copied().unwrap_or(0)) != Some(false) {
            batch.insert([b"u:".as_slice(), &key[2..]].concat(), value);
        }
    }
    batch.insert(UNSURE_BUILT, &[]);
    index.apply_batch(batch)?;
    Ok(())
}

/// Counts, once, the public troubles waiting for an acknowledgement into the tallies of their
/// days, which an earlier release wrote without that count (they read as none waiting): only
/// the open troubles can wait, so one walk over the `l:` keys and a read of each one's stats
/// row, not a walk over the troubles. An untrusted day is left so: its rows answer; so is a
/// day with an open trouble whose row does not read (never a start refused for it).
pub fn build_sled_waiting(index: &sled::Tree) -> Result<(), StoreError> {
    if index.contains_key(WAITING_BUILT)? {
        return Ok(());
    }
    // Per day: how many wait, or None when one of its open troubles' rows did not read.
    let mut waiting: BTreeMap<Day, Option<u64>> = BTreeMap::new();
    for record in index.scan_prefix(b"l:") {
        let (key, _) = record?;
        // `l:<severity>` then the opened millis and the id, as `o:` keys them.
        let opened = key.get(3..).unwrap_or_default();
        let Some(row) = index.get([b"o:".as_slice(), opened].concat())? else {
            continue;
        };
        match decode_row(&row) {
            Ok(row) if is_public(&row) && row.waiting() => {
                if let Some(count) = waiting.entry(day_of(row.opened_at)).or_insert(Some(0)) {
                    *count += 1;
                }
            }
            Ok(_) => {}
            Err(_) => {
                let millis = opened.get(..8).and_then(|m| <[u8; 8]>::try_from(m).ok());
                let day = (u64::from_be_bytes(millis.unwrap_or_default()) as i64 / DAY_MS) as Day;
                waiting.insert(day, None);
            }
        }
    }
    let mut batch = sled::Batch::default();
    for (day, count) in waiting {
        let Some(bytes) = index.get(day_key(day))? else {
            continue;
        };
        if let Ok(DayRecord {
            tally: Some(mut tally),
            chunks,
        }) = decode_day(&bytes)
        {
            let tally = count.map(|count| {
                tally.waiting = count;
                tally
            });
            batch.insert(day_key(day), encode_day(&DayRecord { tally, chunks }));
        }
    }
    batch.insert(WAITING_BUILT, &[]);
    index.apply_batch(batch)?;
    Ok(())
}

/// Gives the `u:` values an earlier release filed with the flag alone their trouble's viewers,
/// once: only those troubles are read (open ones not known to be public), each at most once.
/// A value left at its flag (a trouble gone, or past [`CARRIED_MAX`]) is judged from the body.
/// A trouble whose record does not read is noted by `note_left_out` before the build is marked
/// done, for the store to file once it reads (`SledStore::file_left_out`).
pub fn build_sled_viewers(
    index: &sled::Tree,
    get: impl Fn(&TroubleId) -> Result<Option<Trouble>, StoreError>,
    note_left_out: impl Fn(&TroubleId) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if index.contains_key(VIEWERS_BUILT)? {
        return Ok(());
    }
    let mut batch = sled::Batch::default();
    for record in index.scan_prefix(b"u:") {
        let (key, value) = record?;
        if value.len() > 1 {
            continue;
        }
        let (id, _) = listed_entry(&key, &value)?;
        let Some(trouble) = read_or_note(&get, &note_left_out, &id)? else {
            continue;
        };
        if let Some(value) = trouble.as_ref().and_then(unsure_of) {
            batch.insert(key, value);
        }
    }
    // Its value left at its flag, the trouble is judged from its body; filed whole once it reads.
    batch.insert(VIEWERS_BUILT, &[]);
    index.apply_batch(batch)?;
    Ok(())
}

/// Trouble `id` as a one-off pass at start reads it: None when its record does not read (logged
/// and noted by `note_left_out`, for the store to file once it reads); any other error stops.
fn read_or_note(
    get: impl Fn(&TroubleId) -> Result<Option<Trouble>, StoreError>,
    note_left_out: impl Fn(&TroubleId) -> Result<(), StoreError>,
    id: &TroubleId,
) -> Result<Option<Option<Trouble>>, StoreError> {
    match get(id) {
        Ok(trouble) => Ok(Some(trouble)),
        Err(e @ StoreError::Corrupt(_)) => {
            crate::store::Unreadable::new(id.as_str().as_bytes(), e).left_out_of(LEFT_OUT_OF);
            note_left_out(id)?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Rewrites, once, the App Home rows an earlier release wrote of the troubles closed by force
/// before a row said so, which read as under way until their trouble's next change: only the
/// closed troubles still shown in someone's Home (an action the close left open) are read,
/// found from the index's `t:` records, not from the troubles. Rather than a new build mark
/// ([`BUILT`]), which would read every trouble at start: at 100,000 troubles that took seconds.
/// A trouble whose record does not read is noted by `note_left_out` before the build is marked
/// done, for the store to file once it reads (`SledStore::file_left_out`), which writes its rows
/// whole.
pub fn build_sled_forced_rows(
    index: &sled::Tree,
    get: impl Fn(&TroubleId) -> Result<Option<Trouble>, StoreError>,
    note_left_out: impl Fn(&TroubleId) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if index.contains_key(FORCED_ROWS_BUILT)? {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let (mut batch, mut rewritten) = (sled::Batch::default(), 0usize);
    for record in index.scan_prefix(b"t:") {
        let (key, value) = record?;
        let id = TroubleId::new(String::from_utf8_lossy(&key[2..]).into_owned());
        // Its keys in the record, or under `k:` as an earlier release filed them; a record
        // that does not read is the trouble's next write's to replace.
        let keys = match value.first() {
            Some(&MERGED) => record_keys(&value).ok(),
            _ => index.get(keys_key(&id))?.and_then(|b| decode::<Keys>(&b).ok()),
        };
        if keys.is_none_or(|k| k.open || k.home.is_empty()) {
            continue;
        }
        let Some(trouble) = read_or_note(&get, &note_left_out, &id)? else {
            continue;
        };
        let Some(t) = trouble.filter(Trouble::closed_by_force) else {
            continue;
        };
        let entries = Entries::of(&t);
        for (user, row) in entries.keys.home.iter().zip(&entries.home) {
            batch.insert(home_key(user, &t.id), encode(row));
        }
        rewritten += 1;
    }
    batch.insert(FORCED_ROWS_BUILT, &[]);
    index.apply_batch(batch)?;
    tracing::info!(
        troubles = rewritten,
        took_ms = started.elapsed().as_millis() as u64,
        "the App Home rows of troubles closed by force say so"
    );
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

/// A trouble as an index finds it: its id and its channel's privacy (`/trouble list` reads open
/// ones; `stats` and `search` judge theirs by it too).
pub type Flagged = (TroubleId, Option<bool>);

/// What `/trouble list` reads before it knows who asks: how many troubles are open, and those
/// of them not known to be public (privacy not `Some(false)`), in the list's order: whether
/// the asker may see those is judged one by one; every other open trouble anyone may see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenUnsure {
    pub open: u64,
    pub unsure: Vec<Unsure>,
}

/// An open trouble not known to be public, as `/trouble list` judges it: its channel's privacy
/// and, where the index carries them (sled), its viewers; without them it is read to be judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsure {
    pub id: TroubleId,
    pub private: Option<bool>,
    pub carried: Option<Carried>,
}

/// An `l:` or `u:` entry: the id after the prefix, severity and opened millis, and the flag.
fn listed(record: sled::Result<(sled::IVec, sled::IVec)>) -> Result<Flagged, StoreError> {
    let (key, value) = record?;
    listed_entry(&key, &value)
}

fn listed_entry(key: &[u8], value: &[u8]) -> Result<Flagged, StoreError> {
    let id = key
        .get(11..)
        .ok_or_else(|| StoreError::Corrupt("index: short list key".into()))?;
    Ok((
        TroubleId::new(String::from_utf8_lossy(id).into_owned()),
        unflag(value.first().copied().unwrap_or(0)),
    ))
}

/// The first `n` open troubles in `/trouble list`'s order (severity, then age): only their
/// keys are read.
pub fn sled_open_head(index: &sled::Tree, n: usize) -> Result<Vec<Flagged>, StoreError> {
    index.scan_prefix(b"l:").take(n).map(listed).collect()
}

/// The open count and the open troubles not known to be public ([`OpenUnsure`]).
pub fn sled_open_unsure(index: &sled::Tree) -> Result<OpenUnsure, StoreError> {
    let unsure = index
        .scan_prefix(b"u:")
        .map(|record| {
            let (key, value) = record?;
            let (id, private) = listed_entry(&key, &value)?;
            let carried = Carried::read(key[2], &value);
            Ok(Unsure { id, private, carried })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(OpenUnsure {
        open: read_count(index.get(COUNT_OPEN)?.as_deref()),
        unsure,
    })
}

/// The open troubles on `user`'s App Home.
pub fn sled_home_ids(index: &sled::Tree, user: &UserId) -> Result<Vec<TroubleId>, StoreError> {
    ids_under(index, b"h:", user.as_str())
}

/// `user`'s App Home rows, in the troubles' id order.
pub fn sled_home_rows(index: &sled::Tree, user: &UserId) -> Result<Vec<HomeRow>, StoreError> {
    index
        .scan_prefix(joined(b"h:", user.as_str().as_bytes(), b""))
        .values()
        .map(|v| decode(&v?))
        .collect()
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

/// What `/trouble stats` reads for a window: the public troubles of its whole days summed
/// (anyone may see them), and as rows the troubles of its partial first and last days and
/// those not known to be public, for the caller to filter per asker.
#[derive(Debug, Default)]
pub struct StatsParts {
    pub summed: Summed,
    pub rows: Vec<StatsRow>,
}

/// The window `since..=until` as whole UTC days (`first..end`) and the rest.
fn whole_days(since: DateTime<Utc>, until: DateTime<Utc>) -> std::ops::Range<i64> {
    let mut since_ms = since.timestamp_millis().max(0);
    if !since.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
        since_ms += 1;
    }
    let first = (since_ms + DAY_MS - 1) / DAY_MS;
    let end = until.timestamp_millis().max(0) / DAY_MS;
    first..end.max(first)
}

fn rows_between(
    index: &sled::Tree,
    prefix: &[u8],
    from_ms: i64,
    to_ms: i64,
    out: &mut Vec<StatsRow>,
) -> Result<(), StoreError> {
    let from = [prefix, &(from_ms.max(0) as u64).to_be_bytes()].concat();
    let to = [prefix, &(to_ms.max(0) as u64).to_be_bytes()].concat();
    for value in index.range(from..to).values() {
        out.push(decode_row(&value?)?);
    }
    Ok(())
}

/// The day of an `sd:` or `sc:` key.
fn key_day(key: &[u8]) -> Result<Day, StoreError> {
    key.get(3..7)
        .and_then(|b| b.try_into().ok())
        .map(Day::from_be_bytes)
        .ok_or_else(|| StoreError::Corrupt("index: short day key".into()))
}

/// The stats of troubles opened in `since..=until`, as [`StatsParts`].
pub fn sled_stats_parts(
    index: &sled::Tree,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<StatsParts, StoreError> {
    let days = whole_days(since, until);
    if days.is_empty() {
        return Ok(StatsParts {
            summed: Summed::default(),
            rows: sled_stats_rows(index, since, until)?,
        });
    }
    let mut parts = StatsParts::default();
    let until_ms = until.timestamp_millis().max(0) + 1;
    rows_between(
        index,
        b"o:",
        since.timestamp_millis(),
        days.start * DAY_MS,
        &mut parts.rows,
    )?;
    rows_between(index, b"o:", days.end * DAY_MS, until_ms, &mut parts.rows)?;
    let (first, end) = (days.start as Day, days.end as Day);
    let mut untrusted = std::collections::BTreeSet::new();
    for record in index.range(day_key(first)..day_key(end)) {
        let (key, value) = record?;
        let day = key_day(&key)?;
        match decode_day(&value)?.tally {
            Some(tally) => parts.summed.merge_tally(&tally),
            None => {
                untrusted.insert(day);
            }
        }
    }
    for record in index.range(chunk_key(first, 0)..chunk_key(end, 0)) {
        let (key, value) = record?;
        if !untrusted.contains(&key_day(&key)?) {
            visit_chunk(&value, |key, first, name, counts| {
                parts.summed.merge_customer(key, first, name, &counts)
            })?;
        }
    }
    let mut checked = Vec::new();
    rows_between(index, b"q:", days.start * DAY_MS, days.end * DAY_MS, &mut checked)?;
    parts.rows.extend(
        checked
            .into_iter()
            .filter(|r| !untrusted.contains(&day_of(r.opened_at))),
    );
    for day in untrusted {
        let start = i64::from(day) * DAY_MS;
        rows_between(index, b"o:", start, start + DAY_MS, &mut parts.rows)?;
    }
    Ok(parts)
}

/// One trouble's search entry as read from the index.
struct Searchable {
    opened_millis: i64,
    private: Option<bool>,
    text: Box<str>,
}

/// A `t:` value's search entry, in either form.
fn searchable(value: &[u8]) -> Result<Searchable, StoreError> {
    if value.first() == Some(&MERGED) {
        return Ok(merged_entry(value)?.0);
    }
    if value.len() < 9 {
        return Err(StoreError::Corrupt("index: short search entry".into()));
    }
    Ok(Searchable {
        opened_millis: read_count(Some(&value[..8])) as i64,
        private: unflag(value[8]),
        text: String::from_utf8_lossy(&value[9..]).into(),
    })
}

/// Where one trouble's id and text lie in [`CacheState::bytes`].
struct Slot {
    id: (u32, u32),
    text: (u32, u32),
    opened_millis: i64,
    private: Option<bool>,
    /// Changed since the load: [`CacheState::changed`] holds it now.
    stale: bool,
}

/// The search texts in memory (sled): a search reads them there instead of walking 100,000
/// records. Loaded right after start (or by the first search); a committed decision names its trouble
/// ([`SearchCache::touched`]) and the next search re-reads that one entry from the index,
/// so a search never misses a change whose write has returned.
#[derive(Default)]
pub struct SearchCache {
    state: std::sync::Mutex<CacheState>,
}

/// The texts as loaded, back to back in one string with a slot each (a map of small strings
/// cost ~210 bytes per trouble, three times the texts), and those changed since in a map.
#[derive(Default)]
struct CacheState {
    loaded: bool,
    bytes: String,
    /// In id order (the index's key order).
    slots: Vec<Slot>,
    changed: std::collections::HashMap<Box<str>, Searchable>,
    touched: Vec<TroubleId>,
}

impl CacheState {
    fn piece(&self, (at, len): (u32, u32)) -> &str {
        &self.bytes[at as usize..(at + len) as usize]
    }

    fn slot_of(&self, id: &str) -> Option<usize> {
        self.slots.binary_search_by(|s| self.piece(s.id).cmp(id)).ok()
    }

    fn push(&mut self, id: &str, entry: Searchable) {
        let mut place = |text: &str| {
            let at = self.bytes.len() as u32;
            self.bytes.push_str(text);
            (at, text.len() as u32)
        };
        let (id, text) = (place(id), place(&entry.text));
        self.slots.push(Slot {
            id,
            text,
            opened_millis: entry.opened_millis,
            private: entry.private,
            stale: false,
        });
    }

    /// Folds the changed entries back into the string once they are many.
    fn compact(&mut self) {
        if self.changed.len() <= 1024 + self.slots.len() / 8 {
            return;
        }
        let mut all: Vec<(String, Searchable)> = self
            .slots
            .iter()
            .filter(|s| !s.stale)
            .map(|s| {
                (
                    self.piece(s.id).to_string(),
                    Searchable {
                        opened_millis: s.opened_millis,
                        private: s.private,
                        text: self.piece(s.text).into(),
                    },
                )
            })
            .collect();
        all.extend(self.changed.drain().map(|(id, s)| (id.into(), s)));
        all.sort_by(|a, b| a.0.cmp(&b.0));
        self.bytes.clear();
        self.slots.clear();
        for (id, s) in all {
            self.push(&id, s);
        }
        self.bytes.shrink_to_fit();
        self.slots.shrink_to_fit();
    }
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
                state.push(&String::from_utf8_lossy(&key[2..]), searchable(&value)?);
            }
            state.bytes.shrink_to_fit();
            state.slots.shrink_to_fit();
            // The scan pulled every `t:` leaf into sled's cache, and a search reads the copy
            // here: at 100,000 troubles those leaves held ~17 MB for as long as the bot ran
            // (a decision pulls its trouble's leaf back in when it needs it).
            index.page_out_range(b"t:", b"t;")?;
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
            if let Some(at) = state.slot_of(id.as_str()) {
                state.slots[at].stale = true;
            }
            match index.get(text_key(&id))? {
                Some(value) => state.changed.insert(id.as_str().into(), searchable(&value)?),
                None => state.changed.remove(id.as_str()),
            };
        }
        state.compact();
        let hit = |id: &str, opened_millis: i64, private: Option<bool>| Hit {
            id: TroubleId::new(id),
            opened_at: DateTime::from_timestamp_millis(opened_millis).unwrap_or_default(),
            private,
        };
        let matches = |text: &str| crate::trouble::search::text_matches(text, words);
        let mut hits: Vec<Hit> = state
            .slots
            .iter()
            .filter(|s| !s.stale && matches(state.piece(s.text)))
            .map(|s| hit(state.piece(s.id), s.opened_millis, s.private))
            .collect();
        hits.extend(
            state
                .changed
                .iter()
                .filter(|(_, s)| matches(&s.text))
                .map(|(id, s)| hit(id, s.opened_millis, s.private)),
        );
        Ok(hits)
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
    /// `migrate-store`): once, at connect; afterwards every write keeps its row. One whose record
    /// does not read is named in the log and left for the next start: it must not keep every
    /// instance from starting.
    pub async fn build_missing(pool: &Pool) -> Result<u64, PgError> {
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT t.id, t.body FROM troubles t LEFT JOIN trouble_index i ON i.id = t.id WHERE i.id IS NULL",
                &[],
            )
            .await?;
        let mut built = 0;
        for row in &rows {
            match decode::<Trouble>(row.get::<_, &[u8]>(1)) {
                Ok(t) => {
                    write(&tx, &t).await?;
                    built += 1;
                }
                Err(e) => {
                    crate::store::Unreadable::new(row.get::<_, &str>(0).as_bytes(), e).left_out_of(super::LEFT_OUT_OF)
                }
            }
        }
        tx.commit().await?;
        Ok(built)
    }

    /// Gives the `/trouble list` summaries an earlier release wrote the start of their
    /// trouble's summary, at connect (as sled at its first start), so the list tells two
    /// troubles of one customer apart from the upgrade on. Only the rows without one are read
    /// (none after the first connect), and each is changed only while it is the row read: a
    /// write of its trouble meanwhile wrote it whole. One whose record does not read is left
    /// as it is.
    pub async fn add_summary_starts(pool: &Pool) -> Result<u64, PgError> {
        fill_summaries(pool, "summary", |summary, t| {
            summary.summary = crate::trouble::model::summary_start(&t.summary);
            !summary.summary.is_empty()
        })
        .await
    }

    /// Gives the `/trouble list` summaries an earlier release wrote what their customer update's
    /// due time counts from, at connect (as sled at its first start), so the list marks an
    /// overdue update from the upgrade on: the troubles whose customer has waited longest are
    /// the ones no change would rewrite. Only the rows without one are read (none after the
    /// first connect), each changed only while it is the row read.
    pub async fn add_summary_cadences(pool: &Pool) -> Result<u64, PgError> {
        fill_summaries(pool, "cadence", |summary, t| {
            summary.cadence = Some(crate::trouble::model::CadenceBasis::of(t));
            true
        })
        .await
    }

    /// Rewrites each list row written without `field` that `fill` completes from its trouble's
    /// record (it says whether it did), each only while it is the row read: a write of its
    /// trouble meanwhile wrote it whole. A row whose record does not read is left as it is.
    async fn fill_summaries(
        pool: &Pool,
        field: &str,
        fill: impl Fn(&mut TroubleSummary, &Trouble) -> bool,
    ) -> Result<u64, PgError> {
        let client = pool.get().await?;
        let key = format!("\"{field}\":").into_bytes();
        let rows = client
            .query(
                "SELECT id, body, summary FROM troubles
                 WHERE summary IS NOT NULL AND position($1::bytea IN summary) = 0",
                &[&key],
            )
            .await?;
        let mut added = 0;
        for row in &rows {
            let (id, body, kept) = (row.get::<_, &str>(0), row.get::<_, &[u8]>(1), row.get::<_, &[u8]>(2));
            let (Ok(t), Ok(mut summary)) = (decode::<Trouble>(body), decode::<TroubleSummary>(kept)) else {
                continue;
            };
            if !fill(&mut summary, &t) {
                continue;
            }
            let filled = serde_json::to_vec(&summary).expect("a summary serializes");
            added += client
                .execute(
                    "UPDATE troubles SET summary = $2 WHERE id = $1 AND summary = $3",
                    &[&id, &filled, &kept],
                )
                .await?;
        }
        Ok(added)
    }

    /// The records `sql` (selecting an id and a JSON record for `id = ANY($1)`) finds for `ids`,
    /// in the order of `ids` (an id it does not find, or whose record does not read, is left
    /// out).
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
            let id = row.get::<_, String>(0);
            if let Some(record) = crate::store::readable(&id, decode::<T>(row.get::<_, &[u8]>(1)).map(Some))? {
                by_id.insert(id, record);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id.as_str())).collect())
    }

    /// The troubles with `ids`, each with its tracking row (its channel, what its deliveries
    /// moved), as one reads alone: in the order of `ids`; one not found, or whose record does
    /// not read, is left out.
    pub async fn troubles(pool: &Pool, ids: &[TroubleId]) -> Result<Vec<Trouble>, PgError> {
        let mut by_id = std::collections::HashMap::with_capacity(ids.len());
        each_whole(pool, ids, |id, trouble| {
            by_id.insert(id.to_string(), trouble);
        })
        .await?;
        Ok(ids.iter().filter_map(|id| by_id.remove(id.as_str())).collect())
    }

    /// Hands `each` the troubles with `ids` that are stored and read, whole (body and tracking
    /// row), one at a time as they are decoded.
    async fn each_whole(pool: &Pool, ids: &[TroubleId], mut each: impl FnMut(&str, Trouble)) -> Result<(), PgError> {
        use crate::store::pg::store::{assemble, row_id, TROUBLE_COLUMNS};
        let client = pool.get().await?;
        let wanted: Vec<&str> = ids.iter().map(TroubleId::as_str).collect();
        let rows = client
            .query(&format!("SELECT {TROUBLE_COLUMNS} WHERE t.id = ANY($1)"), &[&wanted])
            .await?;
        for row in &rows {
            let id = row_id(row);
            let read = assemble(row).map(Some).map_err(crate::store::StoreError::from);
            if let Some(trouble) = crate::store::readable(id, read)? {
                each(id, trouble);
            }
        }
        Ok(())
    }

    /// Those of the troubles `ids` that `keep` holds for, in one query; each body is judged as
    /// it is decoded.
    pub async fn which_of(
        pool: &Pool,
        ids: &[TroubleId],
        keep: impl Fn(&Trouble) -> bool,
    ) -> Result<std::collections::HashSet<TroubleId>, PgError> {
        let mut kept = std::collections::HashSet::new();
        each_whole(pool, ids, |id, trouble| {
            if keep(&trouble) {
                kept.insert(TroubleId::new(id));
            }
        })
        .await?;
        Ok(kept)
    }

    pub async fn customer_ids(pool: &Pool, keys: &[String]) -> Result<Vec<TroubleId>, PgError> {
        let client = pool.get().await?;
        let rows = client
            .query("SELECT id FROM trouble_index WHERE customer = ANY($1)", &[&keys])
            .await?;
        Ok(rows.iter().map(|r| TroubleId::new(r.get::<_, String>(0))).collect())
    }

    /// The first `n` open troubles in `/trouble list`'s order, from the partial index
    /// `trouble_index_open`.
    pub async fn open_head(pool: &Pool, n: usize) -> Result<Vec<super::Flagged>, PgError> {
        let client = pool.get().await?;
        let rows = client
            .query(
                "SELECT id, private FROM trouble_index WHERE is_open ORDER BY severity, opened_at, id LIMIT $1",
                &[&i64::try_from(n).unwrap_or(i64::MAX)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| (TroubleId::new(r.get::<_, String>(0)), r.get(1)))
            .collect())
    }

    /// The open count and the open troubles not known to be public, in list order.
    pub async fn open_unsure(pool: &Pool) -> Result<super::OpenUnsure, PgError> {
        let client = pool.get().await?;
        let open = client
            .query_one("SELECT count(*) FROM trouble_index WHERE is_open", &[])
            .await?
            .get::<_, i64>(0);
        let rows = client
            .query(
                "SELECT id, private FROM trouble_index WHERE is_open AND private IS DISTINCT FROM false
                 ORDER BY severity, opened_at, id",
                &[],
            )
            .await?;
        Ok(super::OpenUnsure {
            open: open.max(0) as u64,
            // Judged from the bodies, in one query (`which_of`).
            unsure: rows
                .iter()
                .map(|r| super::Unsure {
                    id: TroubleId::new(r.get::<_, String>(0)),
                    private: r.get(1),
                    carried: None,
                })
                .collect(),
        })
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
                "SELECT id FROM trouble_index WHERE home @> ARRAY[$1::text]",
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

    /// Every row of the window, for the caller to count one by one.
    pub async fn stats_parts(
        pool: &Pool,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<super::StatsParts, PgError> {
        Ok(super::StatsParts {
            summed: Default::default(),
            rows: stats_rows(pool, since, until).await?,
        })
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
    use crate::trouble::decide::{self, Ctx};

    #[test]
    fn an_app_home_row_and_a_troubles_keys_read_back_from_the_compact_form_and_from_json() {
        let at: DateTime<Utc> = "2026-11-30T01:02:03.456789Z".parse().unwrap();
        let row = |promised_next| HomeRow {
            id: TroubleId::new("20261130-7"),
            customer: "株式会社ACME".into(),
            severity: Severity::new(2),
            current_stage: None,
            channel: None,
            channel_name: Some("trouble-20261130-7-acme".into()),
            last_customer_contact: at,
            promised_next,
            awaits_ack: true,
            owns: false,
            answers_customer: true,
            participant: true,
            private: None,
            never_updated: promised_next.is_none(),
            reopened_at: promised_next.map(|_| at),
            summary: "筐体割れ".into(),
            owner: promised_next.map(|_| UserId::new("U0SALES")),
            manages: promised_next.is_some(),
            proposals: if promised_next.is_some() {
                vec![1, 3]
            } else {
                Vec::new()
            },
            actions: if promised_next.is_some() {
                vec![crate::trouble::home::HomeAction {
                    n: 2,
                    kind: crate::trouble::actions::ActionKind::Interim,
                    text: "sort stock".into(),
                    due: Some(at),
                }]
            } else {
                Vec::new()
            },
            takes_part: promised_next.is_some(),
            closed_by_force: promised_next.is_some(),
        };
        for row in [row(None), row(Some(at))] {
            let compact = encode(&row);
            assert!(compact.len() * 4 < serde_json::to_vec(&row).unwrap().len() * 3);
            assert_eq!(decode::<HomeRow>(&compact).unwrap(), row);
            assert_eq!(decode::<HomeRow>(&serde_json::to_vec(&row).unwrap()).unwrap(), row);
        }
        let keys = Keys {
            customer: "acme".into(),
            opened_at: at,
            open: true,
            home: vec![UserId::new("U0SALES"), UserId::new("U0MANAGER")],
            severity: 1,
            private: None,
        };
        assert_eq!(decode::<Keys>(&encode(&keys)).unwrap(), keys);
        assert_eq!(decode::<Keys>(&serde_json::to_vec(&keys).unwrap()).unwrap(), keys);
    }

    fn keys_at(opened_at: DateTime<Utc>, private: Option<bool>) -> Keys {
        Keys {
            customer: "株式会社acme".into(),
            opened_at,
            open: true,
            home: vec![UserId::new("U0MANAGER"), UserId::new("U0SALES")],
            severity: 2,
            private,
        }
    }

    /// A `t:` value as an earlier release wrote it (its keys under `k:`).
    fn earlier_text_value(keys: &Keys, text: &str) -> Vec<u8> {
        [&millis(keys.opened_at)[..], &[flag(keys.private)], text.as_bytes()].concat()
    }

    #[test]
    fn a_troubles_keys_and_search_entry_read_back_from_its_one_record_and_the_earlier_entry_still_reads() {
        let text = "株式会社acme\ncracked housing";
        for (at, private) in [
            ("2026-11-30T01:02:03.456789123Z", None),
            ("2026-11-30T01:02:03Z", Some(true)),
            ("1969-12-31T23:59:59.999000001Z", Some(false)),
        ] {
            let mut keys = keys_at(at.parse().unwrap(), private);
            for (home, customer) in [(keys.home.clone(), "株式会社acme"), (Vec::new(), "acme")] {
                keys.home = home;
                keys.customer = customer.into();
                let value = record_value(&keys, text);
                assert_eq!(record_keys(&value).unwrap(), keys, "{at}");
                if customer == "acme" {
                    let earlier = earlier_text_value(&keys, text).len();
                    assert!(
                        value.len() <= earlier + 9,
                        "the customer key is the text's first line normalised"
                    );
                }
                let entry = searchable(&value).unwrap();
                assert_eq!(
                    (entry.opened_millis, entry.private, &*entry.text),
                    (keys.opened_at.timestamp_millis(), private, text)
                );
                assert!(
                    record_keys(&value[..value.len() - 1]).is_err(),
                    "a cut record is refused"
                );
            }
            if keys.opened_at.timestamp_millis() >= 0 {
                let earlier = searchable(&earlier_text_value(&keys, text)).unwrap();
                assert_eq!(
                    (earlier.opened_millis, earlier.private, &*earlier.text),
                    (keys.opened_at.timestamp_millis(), private, text)
                );
            }
        }
    }

    /// Writes trouble `t`'s entries into `index` as a committed decision does; the keys written.
    fn write(index: &sled::Tree, t: &Trouble) -> Vec<Vec<u8>> {
        let overlay = super::super::sled::Overlay::over(index, None);
        write_sled(&overlay, t).unwrap();
        let mut keys = Vec::new();
        for (key, value) in overlay.into_writes().1 {
            match value {
                Some(v) => index.insert(&key, v).unwrap(),
                None => index.remove(&key).unwrap(),
            };
            keys.push(key);
        }
        keys
    }

    fn everything(index: &sled::Tree) -> Vec<(sled::IVec, sled::IVec)> {
        index.iter().map(Result::unwrap).collect()
    }

    #[test]
    fn a_trouble_an_earlier_release_indexed_is_found_by_search_and_its_next_write_leaves_the_index_as_if_always_merged()
    {
        let config = crate::config::Config::from_sources(None, &Default::default()).unwrap();
        let ctx = Ctx {
            policy: &config.policy,
            now: "2026-11-30T01:02:03.456789123Z".parse().unwrap(),
        };
        let request = crate::trouble::command::OpenRequest {
            severity: Some(Severity::new(2)),
            manager: Some(UserId::new("U0MANAGER")),
            departments: vec![],
            customer: "ACME".into(),
            summary: "cracked housing".into(),
            past: Vec::new(),
        };
        let origin = crate::trouble::model::Origin {
            channel: crate::trouble::model::ChannelId::new("C0ORIGIN"),
            response_url: None,
            by: None,
        };
        let opened = decide::open(
            &ctx,
            TroubleId::new("20261130-1"),
            1,
            UserId::new("U0SALES"),
            origin,
            request,
        )
        .trouble
        .expect("an open makes a trouble");
        let mut moved = opened.clone();
        moved.customer = "Globex".into();
        moved.manager = Some(UserId::new("U0OTHER"));

        let db = sled::Config::new().temporary(true).open().unwrap();
        let (merged, earlier) = (db.open_tree("merged").unwrap(), db.open_tree("earlier").unwrap());
        write(&merged, &opened);
        write(&earlier, &opened);
        assert!(merged.scan_prefix(b"k:").next().is_none(), "no `k:` key any more");
        // The earlier release's pair in place of the record.
        let id = &opened.id;
        let keys = record_keys(&earlier.get(text_key(id)).unwrap().unwrap()).unwrap();
        assert_eq!(keys, Entries::of(&opened).keys);
        earlier.insert(keys_key(id), encode(&keys)).unwrap();
        earlier
            .insert(text_key(id), earlier_text_value(&keys, &folded_text(&opened)))
            .unwrap();

        let words = |q: &str| crate::trouble::search::query_words(q);
        let cache = SearchCache::default();
        let hits = cache.search(&earlier, &words("cracked")).unwrap();
        let at_millis = DateTime::from_timestamp_millis(opened.opened_at.timestamp_millis()).unwrap();
        assert_eq!(
            hits,
            vec![Hit {
                id: id.clone(),
                opened_at: at_millis,
                private: opened.private,
            }]
        );
        assert!(cache.search(&earlier, &words("globex")).unwrap().is_empty());

        write(&merged, &moved);
        write(&earlier, &moved);
        cache.touched(id);
        assert_eq!(everything(&earlier), everything(&merged));
        assert_eq!(sled_counts(&earlier).unwrap(), TroubleCounts { troubles: 1, open: 1 });
        assert_eq!(
            sled_home_ids(&earlier, &UserId::new("U0OTHER")).unwrap(),
            vec![id.clone()]
        );
        assert_eq!(
            sled_customer_ids(&earlier, &["globex".into()]).unwrap(),
            vec![id.clone()]
        );
        assert!(sled_customer_ids(&earlier, &["acme".into()]).unwrap().is_empty());
        let found = cache.search(&earlier, &words("globex")).unwrap();
        assert_eq!(found.iter().map(|h| &h.id).collect::<Vec<_>>(), vec![id]);
        // A cache loaded from the merged record finds it too.
        let fresh = SearchCache::default();
        assert_eq!(fresh.search(&earlier, &words("globex cracked")).unwrap(), found);
    }

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

    /// The upgrade's count of the troubles waiting for an acknowledgement fills each day's tally
    /// from its open troubles' rows; a day with a row that does not read is left to its rows
    /// (untrusted), and the start goes on.
    #[test]
    fn the_waiting_count_fills_the_days_and_a_row_that_does_not_read_leaves_its_day_to_its_rows() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let index = db.open_tree("index").unwrap();
        let waiting = |id: &str, at: &str| StatsRow {
            id: TroubleId::new(id),
            customer: "ACME".into(),
            severity: Severity::new(2),
            opened_at: at.parse().unwrap(),
            open: true,
            private: Some(false),
            to_ack_ms: None,
            to_first_contact_ms: None,
            stage_lead_ms: vec![None; 7],
            ours: BTreeMap::new(),
        };
        let rows = [
            waiting("20261130-1", "2026-11-30T01:00:00Z"),
            waiting("20261201-1", "2026-12-01T01:00:00Z"),
        ];
        for (n, row) in rows.iter().enumerate() {
            let mut tally = Tally::default();
            tally.add(row);
            tally.waiting = 0; // as an earlier release wrote the day
            let day = DayRecord {
                tally: Some(tally),
                chunks: 0,
            };
            index.insert(day_key(day_of(row.opened_at)), encode_day(&day)).unwrap();
            let keys = Keys {
                customer: "acme".into(),
                opened_at: row.opened_at,
                open: true,
                home: Vec::new(),
                severity: 2,
                private: Some(false),
            };
            index.insert(list_key(&keys, &row.id), vec![flag(Some(false))]).unwrap();
            let value = match n {
                0 => encode_row(row),
                _ => b"not a row".to_vec(),
            };
            index.insert(opened_key(row.opened_at, &row.id), value).unwrap();
        }
        build_sled_waiting(&index).unwrap();
        let day = |row: &StatsRow| decode_day(&index.get(day_key(day_of(row.opened_at))).unwrap().unwrap()).unwrap();
        assert_eq!(day(&rows[0]).tally.map(|t| t.waiting), Some(1));
        assert_eq!(day(&rows[1]).tally, None, "its rows answer");
        assert!(index.contains_key(WAITING_BUILT).unwrap());
    }

    #[test]
    fn a_day_and_a_chunk_of_its_customers_read_back_as_written_and_an_untrusted_day_reads_as_such() {
        let row = StatsRow {
            id: TroubleId::new("20261130-7"),
            customer: "株式会社ACME".into(),
            severity: Severity::new(2),
            opened_at: "2026-11-30T01:02:03.456Z".parse().unwrap(),
            open: true,
            private: Some(false),
            to_ack_ms: Some(720_000),
            to_first_contact_ms: Some(-3),
            stage_lead_ms: vec![Some(60_000), None, None, None, None, None, None],
            ours: BTreeMap::from([(Currency::Jpy, 840_000), (Currency::Usd, 0)]),
        };
        let mut tally = Tally::default();
        tally.add(&row);
        let day = DayRecord {
            tally: Some(tally),
            chunks: 3,
        };
        assert_eq!(decode_day(&encode_day(&day)).unwrap(), day);
        let untrusted = DayRecord { tally: None, chunks: 3 };
        assert_eq!(decode_day(&encode_day(&untrusted)).unwrap(), untrusted);
        assert!(decode_day(&encode_day(&day)[..30]).is_err(), "a cut day is refused");
        let chunk = vec![
            ("acme".to_string(), Named::of(&row)),
            ("globex".to_string(), Named::of(&row)),
        ];
        assert_eq!(decode_chunk(&encode_chunk(&chunk)).unwrap(), chunk);
    }

    #[test]
    fn a_window_is_whole_utc_days_between_its_partial_ends() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let days = whole_days(at("2026-11-01T10:00:00Z"), at("2026-11-04T09:00:00Z"));
        assert_eq!(days.start * DAY_MS, at("2026-11-02T00:00:00Z").timestamp_millis());
        assert_eq!(days.end * DAY_MS, at("2026-11-04T00:00:00Z").timestamp_millis());
        // Starting on a midnight, that day is whole; within one day, no day is.
        let days = whole_days(at("2026-11-02T00:00:00Z"), at("2026-11-03T00:00:00Z"));
        assert_eq!(
            (days.end - days.start, days.start * DAY_MS),
            (1, at("2026-11-02T00:00:00Z").timestamp_millis())
        );
        assert!(whole_days(at("2026-11-02T00:00:00.000001Z"), at("2026-11-03T12:00:00Z")).is_empty());
    }

    const CONFIG: &str = r#"
private_channels = true
[org]
default_manager = "U0MANAGER"
[org.managers]
U0SALES = "U0MANAGER"
U0MANAGER = "U0DIRECTOR"
[departments.quality]
members = ["U0QA1"]
[departments.field]
members = ["U0FS1"]
[severity.1]
ack_timeout = "1h"
customer_update_every = "4h"
departments = ["quality"]
[severity.2]
ack_timeout = "1h"
customer_update_every = "4h"
"#;

    const PEOPLE: [&str; 9] = [
        "U0SALES",
        "U0MANAGER",
        "U0DIRECTOR",
        "U0QA1",
        "U0FS1",
        "U0ADDED",
        "U0JOINED",
        "U0NAMED",
        "U0STRANGER",
    ];

    fn policy() -> crate::trouble::policy::Policy {
        crate::config::Config::from_sources(Some(CONFIG), &Default::default())
            .unwrap()
            .policy
    }

    /// The policy of [`CONFIG`] and an empty index in a temporary database.
    fn fresh_index() -> (crate::trouble::policy::Policy, sled::Db, sled::Tree) {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let index = db.open_tree("index").unwrap();
        (policy(), db, index)
    }

    /// Trouble `n`, open and private (as the configuration has it), as the core opens it for
    /// the rep.
    fn opened(policy: &crate::trouble::policy::Policy, n: u32) -> Trouble {
        let ctx = Ctx {
            policy,
            now: "2026-11-30T01:02:03Z".parse().unwrap(),
        };
        let request = crate::trouble::command::OpenRequest {
            severity: Some(Severity::new(2)),
            manager: None,
            departments: vec![],
            customer: "ACME".into(),
            summary: format!("cracked housing {n}"),
            past: Vec::new(),
        };
        let origin = crate::trouble::model::Origin {
            channel: crate::trouble::model::ChannelId::new("C0ORIGIN"),
            response_url: None,
            by: None,
        };
        let id = TroubleId::new(format!("20261130-{n}"));
        decide::open(&ctx, id, n, UserId::new("U0SALES"), origin, request)
            .trouble
            .expect("an open makes a trouble")
    }

    #[test]
    fn what_a_trouble_tracks_beside_its_body_moves_no_entry_but_its_channel() {
        use crate::trouble::model::{ChannelId, LastReport, PostedMessage, Tracking, TroubleSummary, Ts};
        let policy = policy();
        let t = opened(&policy, 1);
        let posted = PostedMessage {
            channel: ChannelId::new("D0MANAGER"),
            ts: Ts::new("1764464523.000100"),
            together: vec![TroubleId::new("20261130-2")],
        };
        let each_field: [fn(&mut Tracking, &PostedMessage); 11] = [
            |k, m| k.kickoff = Some(m.clone()),
            |k, m| k.status = Some(m.clone()),
            |k, m| k.manager_dm = Some(m.clone()),
            |k, m| k.configured_manager_dm = Some(m.clone()),
            |k, m| k.origin_notice = Some(m.clone()),
            |k, m| k.announcements = vec![None, Some(m.clone())],
            |k, m| {
                k.last_report = Some(LastReport {
                    at: "2026-11-30T02:00:00Z".parse().unwrap(),
                    parts: 3,
                    message: Some(m.clone()),
                    timeline_len: None,
                })
            },
            |k, _| k.status_refresh_queued = true,
            |k, _| k.channel_create_queued = !k.channel_create_queued,
            |k, _| k.timeline_len += 4,
            |k, _| k.timeline_head = "f00d".into(),
        ];
        // A field added to the tracking stops this from building until it is weighed here.
        let Tracking {
            channel: _,
            channel_name: _,
            kickoff: _,
            status: _,
            manager_dm: _,
            configured_manager_dm: _,
            origin_notice: _,
            announcements: _,
            last_report: _,
            status_refresh_queued: _,
            channel_create_queued: _,
            timeline_len: _,
            timeline_head: _,
        } = Tracking::default();
        for change in each_field {
            let mut tracking = Tracking::of(&t);
            change(&mut tracking, &posted);
            let mut moved = t.clone();
            tracking.apply(&mut moved);
            assert_ne!(moved, t);
            assert!(moved.same_body(&t) && files_alike(&moved, &t));
            assert_eq!(Entries::of(&moved), Entries::of(&t));
            assert_eq!(TroubleSummary::from(&moved), TroubleSummary::from(&t));
        }
        for (channel, name) in [(Some("C0TROUBLE"), None), (None, Some("trouble-20261130-1-renamed"))] {
            let mut moved = t.clone();
            if let Some(channel) = channel {
                moved.channel = Some(ChannelId::new(channel));
            }
            if let Some(name) = name {
                moved.channel_name = Some(name.into());
            }
            assert!(moved.same_body(&t) && !files_alike(&moved, &t));
            assert_ne!(Entries::of(&moved), Entries::of(&t));
        }
    }

    #[test]
    fn a_change_to_any_field_outside_the_tracking_is_a_change_of_body() {
        use crate::trouble::approval::{Item, Proposal, ProposalState};
        use crate::trouble::customer::PastTrouble;
        use crate::trouble::model::{
            Acknowledgement, ChannelId, Closure, Cost, CustomerUpdate, Measure, Severity, Split, Tracking,
        };
        let policy = policy();
        let t = opened(&policy, 1);
        let each_field: Vec<fn(&mut Trouble)> = vec![
            |t| t.id = TroubleId::new("20261130-9"),
            |t| t.seq += 1,
            |t| t.customer.push('x'),
            |t| t.summary.push('x'),
            |t| t.severity = Severity::new(if t.severity == Severity::new(1) { 2 } else { 1 }),
            |t| t.owner = UserId::new("U0OTHER"),
            |t| t.manager = Some(UserId::new("U0OTHER")),
            |t| t.departments.push("qa".into()),
            |t| t.origin.channel = ChannelId::new("C0ELSEWHERE"),
            |t| t.opened_at += chrono::Duration::seconds(1),
            |t| t.stages[0].notes.push("note".into()),
            |t| {
                t.ack = Some(Acknowledgement {
                    by: UserId::new("U0OTHER"),
                    at: t.opened_at,
                    wait_untold: false,
                })
            },
            |t| t.escalation.level += 1,
            |t| {
                t.customer_updates.push(CustomerUpdate {
                    text: "told".into(),
                    by: UserId::new("U0OTHER"),
                    at: t.opened_at,
                    promised_next: None,
                    promised_zone: None,
                    withdrawn: None,
                })
            },
            |t| {
                t.split = Some(Split {
                    ours: 1,
                    customer: 99,
                    other: 0,
                    reason: String::new(),
                    by: UserId::new("U0OTHER"),
                    at: t.opened_at,
                })
            },
            |t| {
                t.costs.push(Cost {
                    amount: "¥1".into(),
                    payer: "us".into(),
                    note: String::new(),
                    by: UserId::new("U0OTHER"),
                    at: t.opened_at,
                })
            },
            |t| {
                t.measures.push(Measure {
                    text: "check".into(),
                    by: UserId::new("U0OTHER"),
                    at: t.opened_at,
                })
            },
            |t| {
                t.closed = Some(Closure {
                    by: UserId::new("U0OTHER"),
                    at: t.opened_at,
                    note: String::new(),
                    forced_reason: None,
                })
            },
            |t| t.followup_epoch += 1,
            |t| t.added.push(UserId::new("U0OTHER")),
            |t| t.members_seen.push(UserId::new("U0OTHER")),
            |t| t.private = Some(t.private != Some(true)),
            |t| t.substance.recurrences.push(TroubleId::new("20261129-1")),
            |t| {
                t.agreement.proposals.push(Proposal {
                    n: 1,
                    item: Item::Split,
                    by: UserId::new("U0OTHER"),
                    at: t.opened_at,
                    level: 0,
                    crossed: Vec::new(),
                    state: ProposalState::Proposed,
                })
            },
            |t| {
                t.past.push(PastTrouble {
                    id: TroubleId::new("20261129-1"),
                    opened_at: t.opened_at,
                    summary: "earlier".into(),
                    reached: 0,
                    done: Vec::new(),
                    closed: false,
                    split: None,
                    costs: Vec::new(),
                    awaiting: false,
                    private: None,
                    owner: None,
                    channel: None,
                    channel_name: None,
                    channel_refused: false,
                    readers: None,
                })
            },
        ];
        // The definition the field-by-field comparison stands for: equal once the tracking is
        // made the same.
        let same_by_definition = |a: &Trouble, b: &Trouble| {
            let mut b = b.clone();
            Tracking::of(a).apply(&mut b);
            *a == b
        };
        for (i, change) in each_field.iter().enumerate() {
            let mut changed = t.clone();
            change(&mut changed);
            assert_ne!(changed, t, "change {i} changes the trouble");
            assert!(
                !changed.same_body(&t) && !t.same_body(&changed),
                "change {i} is a change of body"
            );
            assert!(!same_by_definition(&changed, &t), "change {i}");
        }
        // Every field outside the tracking is changed above once: a field added to `Trouble`
        // is added there too.
        let tracked = [
            "channel",
            "channel_name",
            "kickoff",
            "status",
            "manager_dm",
            "origin_notice",
            "last_report",
            "status_refresh_queued",
            "channel_create_queued",
            "timeline_len",
            "timeline_head",
        ];
        let fields = serde_json::to_value(&t).unwrap().as_object().unwrap().clone();
        assert!(tracked.iter().all(|k| fields.contains_key(*k)));
        assert_eq!(each_field.len(), fields.len() - tracked.len());
        assert!(t.same_body(&t.clone()));
    }

    fn unsure_keys(written: &[Vec<u8>]) -> usize {
        written.iter().filter(|k| k.starts_with(b"u:")).count()
    }

    /// Troubles seen by one kind of viewer each: chain, added, joined, named department,
    /// severity's department, and one public.
    fn troubles(policy: &crate::trouble::policy::Policy) -> Vec<Trouble> {
        let mut all: Vec<Trouble> = (1..=7).map(|n| opened(policy, n)).collect();
        all[1].added.push(UserId::new("U0ADDED"));
        all[2].members_seen.push(UserId::new("U0JOINED"));
        all[3].departments.push("field".into());
        all[4].severity = Severity::new(1);
        all[5].escalation.chain.insert(0, UserId::new("U0NAMED"));
        all[6].private = Some(false);
        all
    }

    #[test]
    fn the_u_values_alone_judge_who_sees_each_private_open_trouble_as_reading_it_does() {
        // The index alone: no trouble is stored anywhere it could be read from.
        let (policy, _db, index) = fresh_index();
        let all = troubles(&policy);
        for t in &all {
            write(&index, t);
        }
        let unsure = sled_open_unsure(&index).unwrap();
        assert_eq!(unsure.open, 7);
        assert_eq!(unsure.unsure.len(), 6, "the public one is not judged");
        for u in &unsure.unsure {
            let t = all.iter().find(|t| t.id == u.id).unwrap();
            let carried = u.carried.as_ref().expect("its viewers are carried");
            for who in PEOPLE.map(UserId::new) {
                assert_eq!(
                    carried.viewers(u.private).seen_by(&policy, &who),
                    decide::may_see(&policy, t, &who),
                    "{} for {who}",
                    t.id
                );
            }
        }
        let sees = |who: &str| {
            let who = UserId::new(who);
            let seen = unsure
                .unsure
                .iter()
                .filter(|u| u.carried.as_ref().unwrap().viewers(u.private).seen_by(&policy, &who));
            seen.map(|u| u.id.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(sees("U0DIRECTOR").len(), 6);
        assert_eq!(sees("U0ADDED"), ["20261130-2"]);
        assert_eq!(sees("U0JOINED"), ["20261130-3"]);
        assert_eq!(sees("U0FS1"), ["20261130-4"]);
        assert_eq!(sees("U0QA1"), ["20261130-5"]);
        assert_eq!(sees("U0NAMED"), ["20261130-6"]);
        assert!(sees("U0STRANGER").is_empty());
    }

    #[test]
    fn only_a_change_of_who_sees_an_open_private_trouble_rewrites_its_u_value() {
        let (policy, _db, index) = fresh_index();
        let mut t = opened(&policy, 1);
        assert_eq!(unsure_keys(&write(&index, &t)), 1);

        t.summary = "cracked housing, two lots".into();
        t.status_refresh_queued = true;
        t.escalation.level = 1;
        assert_eq!(unsure_keys(&write(&index, &t)), 0, "who sees it did not change");

        let changes: [fn(&mut Trouble); 6] = [
            |t| t.owner = UserId::new("U0OWNER"),
            |t| t.escalation.chain.push(UserId::new("U0VP")),
            |t| t.added.push(UserId::new("U0ADDED")),
            |t| t.members_seen.push(UserId::new("U0JOINED")),
            |t| t.departments.push("field".into()),
            |t| t.private = None,
        ];
        for change in changes {
            change(&mut t);
            assert_eq!(unsure_keys(&write(&index, &t)), 1);
            let unsure = sled_open_unsure(&index).unwrap().unsure;
            let carried = unsure[0].carried.as_ref().unwrap();
            assert_eq!(carried.viewers(unsure[0].private).owner, &t.owner);
            assert_eq!(carried.viewers(unsure[0].private).chain, t.manager_chain());
        }
        // A new severity moves the key: the old one goes, the new one comes.
        t.severity = Severity::new(1);
        assert_eq!(unsure_keys(&write(&index, &t)), 2);
        let unsure = sled_open_unsure(&index).unwrap().unsure;
        assert_eq!(unsure.len(), 1);
        assert!(unsure[0]
            .carried
            .as_ref()
            .unwrap()
            .viewers(None)
            .seen_by(&policy, &UserId::new("U0QA1")));
        // Known public, or closed: no `u:` entry at all.
        t.private = Some(false);
        assert_eq!(unsure_keys(&write(&index, &t)), 1);
        assert!(sled_open_unsure(&index).unwrap().unsure.is_empty());
    }

    #[test]
    fn a_trouble_with_more_viewers_than_a_u_value_carries_and_an_earlier_flag_alone_are_read_to_be_judged() {
        let (policy, _db, index) = fresh_index();
        let mut crowded = opened(&policy, 1);
        crowded.members_seen = (0..200).map(|n| UserId::new(format!("U0MEMBER{n:03}"))).collect();
        let earlier = opened(&policy, 2);
        let current = opened(&policy, 3);
        for t in [&crowded, &earlier, &current] {
            write(&index, t);
        }
        // The earlier release's value: the flag alone.
        let earlier_key = unsure_key(&Entries::of(&earlier).keys, &earlier.id);
        index.insert(&earlier_key, vec![flag(earlier.private)]).unwrap();
        let carried = |index: &sled::Tree| {
            let unsure = sled_open_unsure(index).unwrap().unsure;
            unsure
                .into_iter()
                .map(|u| (u.id.to_string(), u.private, u.carried.is_some()))
                .collect::<Vec<_>>()
        };
        let wanted = |earlier_carried| {
            vec![
                ("20261130-1".to_string(), Some(true), false),
                ("20261130-2".to_string(), Some(true), earlier_carried),
                ("20261130-3".to_string(), Some(true), true),
            ]
        };
        assert_eq!(carried(&index), wanted(false));

        // Once built, nothing is read again; before, only the troubles filed with the flag alone.
        index.insert(VIEWERS_BUILT, &[]).unwrap();
        build_sled_viewers(&index, |id| panic!("{id} read"), |id| panic!("{id} left out")).unwrap();
        assert_eq!(carried(&index), wanted(false));
        index.remove(VIEWERS_BUILT).unwrap();
        let read = std::cell::RefCell::new(Vec::new());
        build_sled_viewers(
            &index,
            |id| {
                read.borrow_mut().push(id.to_string());
                Ok([&crowded, &earlier].into_iter().find(|t| t.id == *id).cloned())
            },
            |id| panic!("{id} left out"),
        )
        .unwrap();
        assert_eq!(*read.borrow(), ["20261130-1", "20261130-2"]);
        assert_eq!(carried(&index), wanted(true));
        assert!(index.contains_key(VIEWERS_BUILT).unwrap());
        let unsure = sled_open_unsure(&index).unwrap().unsure;
        let who = UserId::new("U0MANAGER");
        assert!(unsure[1]
            .carried
            .as_ref()
            .unwrap()
            .viewers(Some(true))
            .seen_by(&policy, &who));
    }
}
