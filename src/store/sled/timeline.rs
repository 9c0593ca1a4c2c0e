//! The sled timeline's layout: a trouble's entries in chunks of consecutive entries, one key per chunk.
//!
//! Every sled key costs about 50 bytes of RSS (sled's page table, a page per 8–9 keys here)
//! and its own share of every leaf rewrite and of the bytes at rest, so a timeline of 10–40
//! entries is not kept as 10–40 keys. A key is `(trouble, 0, first seq)` (u64 big-endian, so
//! keys sort in seq order) and its value holds consecutive entries from that seq:
//!
//! - one entry alone is stored as the entry's record (compact, or JSON as earlier releases
//!   wrote it): what every earlier release stored under every key, so their data is a store of
//!   chunks of one and reads with no migration;
//! - several are a chunk: [`CHUNK`], the number of entries (varint), then each entry's record
//!   (varint length, bytes), kept byte for byte as it was stored.
//!
//! An entry is appended to the trouble's last chunk while that stays within [`MAX_BYTES`],
//! else it starts a key of its own. Rewriting a chunk costs its whole value in the tree (the
//! journal takes an append back by an edit of a few bytes), which is what bounds a chunk's
//! size; an entry takes 90 bytes at least (two hashes, a time), so that bounds the number of
//! entries too.
//!
//! Crash safety is the journal's as before: the chunk is one absolute put of the decision's
//! write set, and it holds the entries before it as they were read under the writer lock
//! (through the set being applied ahead of it, if that wrote them), so replaying the record
//! twice writes the same chunk twice.

use sled::IVec;

use super::journal::Overlay;
use super::record::{self, varint};
use crate::store::StoreError;
use crate::trouble::model::TroubleId;
use crate::trouble::timeline::Entry;

/// The first byte of a chunk of several entries.
const CHUNK: u8 = 2;
const _: () = assert!(
    CHUNK != record::VERSION && CHUNK != b'{',
    "a chunk must not read as a record"
);

/// A chunk grows past this many bytes by no more entries: measured with 30 notes per trouble,
/// 1 KB (5–6 notes a key) wrote as many bytes per note as a key per entry, 2 KB a fifth more.
pub(super) const MAX_BYTES: usize = 1024;

/// The key of the chunk whose first entry is `seq`.
pub(super) fn key(trouble: &TroubleId, seq: u64) -> Vec<u8> {
    let mut key = prefix(trouble);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// What every key of a trouble's timeline starts with.
pub(super) fn prefix(trouble: &TroubleId) -> Vec<u8> {
    let mut key = trouble.as_str().as_bytes().to_vec();
    key.push(0);
    key
}

fn first_seq(key: &[u8]) -> Option<u64> {
    let at = key.len().checked_sub(8)?;
    Some(u64::from_be_bytes(key[at..].try_into().ok()?))
}

fn damaged(why: &str) -> StoreError {
    StoreError::Corrupt(format!("timeline chunk: {why}"))
}

/// A varint (LEB128, as `record::varint` writes it) off the front of `rest`.
fn number(rest: &mut &[u8]) -> Result<usize, StoreError> {
    let n = record::take_varint(rest).ok_or_else(|| damaged("a number cut short or too long"))?;
    usize::try_from(n).map_err(|_| damaged("length"))
}

/// The stored records a timeline value holds, in order: a chunk's, or the value itself.
pub fn records(value: &[u8]) -> Result<Vec<&[u8]>, StoreError> {
    let Some((&CHUNK, mut rest)) = value.split_first() else {
        return Ok(vec![value]);
    };
    let count = number(&mut rest)?;
    // Each record takes two bytes at least: a count beyond that is damage, not an allocation.
    if count == 0 || count > value.len() / 2 {
        return Err(damaged("count"));
    }
    let mut records = Vec::with_capacity(count);
    for _ in 0..count {
        let len = number(&mut rest)?;
        let (record, after) = rest.split_at_checked(len).ok_or_else(|| damaged("cut short"))?;
        if record.is_empty() {
            return Err(damaged("an empty entry"));
        }
        records.push(record);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(damaged("bytes after its end"));
    }
    Ok(records)
}

/// The entries a timeline value holds, in order, from either form: the one way every reader
/// (the trouble's timeline, verify, export, migrate-store) reads the tree.
pub fn entries(value: &[u8]) -> Result<Vec<Entry>, StoreError> {
    records(value)?.into_iter().map(super::decode).collect()
}

/// A chunk of these records (each at least one byte); a single record is stored as itself.
pub fn chunk(records: &[&[u8]]) -> Vec<u8> {
    if let [one] = records {
        return one.to_vec();
    }
    let mut out = Vec::with_capacity(6 + records.iter().map(|r| 3 + r.len()).sum::<usize>());
    out.push(CHUNK);
    varint(&mut out, records.len() as u64);
    for r in records {
        varint(&mut out, r.len() as u64);
        out.extend_from_slice(r);
    }
    out
}

/// Writes `entry` (stored as `record`) into the decision's overlay of the timeline: into the
/// trouble's last chunk when it ends just before the entry and has room, else under a key
/// of its own. The last chunk is read through the overlay, so several entries of one decision
/// land in the same chunk.
pub(super) fn append(timeline: &Overlay, entry: &Entry, record: Vec<u8>) -> Result<(), sled::Error> {
    if let Some((key, value)) = timeline.last_with_prefix(&prefix(&entry.trouble))? {
        if let Some(grown) = grown(&key, &value, entry.seq, &record) {
            timeline.insert(key, grown);
            return Ok(());
        }
    }
    timeline.insert(key(&entry.trouble, entry.seq), record);
    Ok(())
}

/// The chunk `(key, value)` with `record` appended, when the entry comes right after its last
/// one and the chunk has room. A damaged chunk is left as it is (its reader reports it).
fn grown(key: &[u8], value: &IVec, seq: u64, record: &[u8]) -> Option<Vec<u8>> {
    let mut records = records(value).ok()?;
    let next = first_seq(key)?.checked_add(records.len() as u64)?;
    let room = value.len() + record.len() + 8 <= MAX_BYTES;
    if next != seq || !room {
        return None;
    }
    records.push(record);
    Some(chunk(&records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::timeline::{Event, GENESIS};

    /// `n` chained entries of one trouble, notes of `text`.
    fn entries_of(trouble: &str, n: u64, text: &str) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (0..n)
            .map(|seq| {
                let mut e = Entry {
                    trouble: TroubleId::new(trouble),
                    seq,
                    at: "2026-11-30T01:00:00.123456789Z".parse().unwrap(),
                    actor: None,
                    event: Event::Note {
                        text: format!("{text} {seq}"),
                    },
                    prev: prev.clone(),
                    hash: String::new(),
                    redacted: false,
                };
                e.hash = e.recomputed_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    /// Appends each entry in a decision of its own, as notes arrive one by one.
    fn append_each(tree: &sled::Tree, entries: &[Entry]) {
        for e in entries {
            let overlay = Overlay::over(tree, None);
            append(&overlay, e, record::encode_exact(e)).unwrap();
            super::super::journal::apply(&[overlay.into_writes()]).unwrap();
        }
    }

    /// Every entry of `trouble`, key by key, as `SledStore::timeline` reads them.
    fn read(tree: &sled::Tree, trouble: &str) -> Vec<Entry> {
        tree.scan_prefix(prefix(&TroubleId::new(trouble)))
            .values()
            .flat_map(|v| entries(&v.unwrap()).unwrap())
            .collect()
    }

    fn tree() -> sled::Tree {
        let db = sled::Config::new().temporary(true).open().unwrap();
        db.open_tree("timeline").unwrap()
    }

    /// Each entry's record as stored, and the chunk of them all.
    fn stored_chunk(es: &[Entry]) -> (Vec<Vec<u8>>, Vec<u8>) {
        let stored: Vec<Vec<u8>> = es.iter().map(record::encode_exact).collect();
        let value = chunk(&stored.iter().map(Vec::as_slice).collect::<Vec<_>>());
        (stored, value)
    }

    #[test]
    fn a_chunk_reads_back_its_entries_byte_for_byte_in_order() {
        let es = entries_of("20261130-1", 3, "lot 42");
        let (stored, value) = stored_chunk(&es);
        let refs: Vec<&[u8]> = stored.iter().map(Vec::as_slice).collect();
        assert_eq!(value[0], CHUNK);
        assert_eq!(records(&value).unwrap(), refs);
        let back = entries(&value).unwrap();
        assert_eq!(back, es);
        for (b, e) in back.iter().zip(&es) {
            assert_eq!(serde_json::to_vec(b).unwrap(), serde_json::to_vec(e).unwrap());
            assert_eq!(b.recomputed_hash(), e.hash);
        }
        // One entry alone is its record, as every earlier release stored it.
        assert_eq!(chunk(&refs[..1]), stored[0]);
    }

    #[test]
    fn the_entries_of_one_decision_share_a_key_and_later_ones_are_appended_to_it() {
        let tree = tree();
        let es = entries_of("20261130-1", 5, "note");
        let overlay = Overlay::over(&tree, None);
        for e in &es[..2] {
            append(&overlay, e, record::encode_exact(e)).unwrap();
        }
        super::super::journal::apply(&[overlay.into_writes()]).unwrap();
        assert_eq!(tree.len(), 1);
        append_each(&tree, &es[2..]);
        assert_eq!(tree.len(), 1, "one key for five entries");
        assert_eq!(read(&tree, "20261130-1"), es);
    }

    #[test]
    fn entries_stored_one_per_key_by_earlier_releases_read_in_order_and_later_ones_follow_in_chunks() {
        let tree = tree();
        let es = entries_of("20261130-1", 6, "note");
        // As earlier releases stored them: one key each, the first as JSON, the next compact.
        tree.insert(key(&es[0].trouble, 0), serde_json::to_vec(&es[0]).unwrap())
            .unwrap();
        tree.insert(key(&es[1].trouble, 1), record::encode_exact(&es[1]))
            .unwrap();
        // A neighbour whose id extends this one's must not be read as part of it.
        let neighbour = entries_of("20261130-10", 2, "other");
        append_each(&tree, &neighbour);
        assert_eq!(read(&tree, "20261130-1"), es[..2]);

        append_each(&tree, &es[2..]);
        assert_eq!(read(&tree, "20261130-1"), es);
        assert_eq!(read(&tree, "20261130-10"), neighbour);
        assert_eq!(
            tree.scan_prefix(prefix(&es[0].trouble)).count(),
            2,
            "the old single entry at 0 stays; 1 grew into a chunk of five"
        );
        // The JSON entry is kept as it was stored.
        let first = tree.get(key(&es[0].trouble, 0)).unwrap().unwrap();
        assert_eq!(first.as_ref(), serde_json::to_vec(&es[0]).unwrap().as_slice());
    }

    #[test]
    fn a_full_chunk_starts_a_new_key() {
        let tree = tree();
        let long = "x".repeat(MAX_BYTES / 3);
        let es = entries_of("20261130-2", 4, &long);
        append_each(&tree, &es);
        // Two such entries fit in a chunk, a third does not.
        let keys: Vec<u64> = tree.iter().keys().map(|k| first_seq(&k.unwrap()).unwrap()).collect();
        assert_eq!(keys, vec![0, 2]);
        assert!(tree.iter().values().all(|v| v.unwrap().len() <= MAX_BYTES));
        assert_eq!(read(&tree, "20261130-2"), es);
    }

    #[test]
    fn an_entry_that_does_not_follow_the_last_chunk_gets_its_own_key() {
        let tree = tree();
        let es = entries_of("20261130-1", 3, "note");
        append_each(&tree, &es[..1]);
        append_each(&tree, &es[2..]);
        assert_eq!(tree.len(), 2, "seq 2 does not follow a chunk ending at 0");
    }

    #[test]
    fn a_damaged_chunk_is_refused_not_misread() {
        let es = entries_of("20261130-1", 3, "lot 42");
        let (_, whole) = stored_chunk(&es);
        for cut in 1..whole.len() {
            assert!(entries(&whole[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = whole.clone();
        trailing.push(0);
        assert!(records(&trailing).is_err(), "bytes after its end");
        assert!(records(&[CHUNK, 0]).is_err(), "no entries");
        assert!(records(&[CHUNK, 0xff, 0xff, 0xff, 0x0f]).is_err(), "a count beyond it");
        assert!(records(&[CHUNK, 2, 0, 0]).is_err(), "empty entries");
        // A length one short moves every boundary after it: refused, not read shifted.
        let mut shifted = whole.clone();
        shifted[2] -= 1;
        assert!(entries(&shifted).is_err());
        // A damaged last chunk is not grown: the next entry gets its own key.
        let tree = tree();
        tree.insert(key(&es[0].trouble, 0), &whole[..whole.len() - 1]).unwrap();
        let next = entries_of("20261130-1", 4, "lot 42").pop().unwrap();
        append_each(&tree, &[next]);
        assert_eq!(tree.len(), 2);
    }
}
