//! Atomic writes on sled without sled's transactions: a decision's writes gathered on overlays, journalled as one record, applied with plain writes, finished or taken back at open.
//!
//! sled 0.34 rolls (writes and syncs) its io buffer twice for every multi-tree transaction and
//! every `apply_batch` (`PageCache::pin_log`, pagecache/mod.rs:889), which bounded a durable open
//! at a few hundred per second however the fsyncs were grouped. A single-key `insert` or
//! `remove` rolls nothing: the next flush writes it. So a write set of several keys is first
//! described whole, as one record under a fresh key of the `journal` tree (one key: atomic),
//! then applied key by key, then the record is removed. The record holds either the write set's
//! new values or the values they replace, whichever is smaller ([`record`]). A crash between
//! leaves the record, and [`replay`] applies what it holds before anything reads, finishing the
//! write set or taking it back: every write is an absolute put or remove, so applying one twice
//! changes nothing.
//!
//! Why a surviving applied write implies its surviving record: sled recovers its log as a prefix
//! in LSN order. The recovery scan (`check_contiguity_in_unstable_tail`,
//! pagecache/iterator.rs:403–459) walks the messages in LSN order and ends at the first one that
//! is missing or torn (`LogRead::Corrupted` → "found a tear", iterator.rs:129–147; a missing
//! segment sets `max_lsn`, iterator.rs:420–446); the second pass (`raw_segment_iter_from`,
//! iterator.rs:470–514) replays only up to that end (`max_lsn`, iterator.rs:56–62). A write's LSN
//! is reserved before it is installed, and the next write on this thread starts after that, so
//! the record's LSN is below every write applied after it, and the removal's above them all.
//!
//! In a record of new values, some puts carry a value made from what the decision read (a
//! tracking record, a timeline chunk holding the entries before the new one): replaying such a
//! put at open is safe for the same reason. A record is still there only when its removal was
//! lost, and then so is every later write set (made after the removal, under the writer lock),
//! so the replayed value is the newest one its key had.

use std::cell::RefCell;
use std::collections::BTreeMap;

use sled::IVec;

use super::record::{take_varint, varint};
use crate::store::StoreError;

/// A tree's pending writes: key → the new value, or None for a removal.
pub(in crate::store) type Writes = BTreeMap<Vec<u8>, Option<IVec>>;

/// One tree as a decision sees it: its own pending writes first, then what is stored.
pub(in crate::store) struct Overlay<'a> {
    tree: &'a sled::Tree,
    writes: RefCell<Writes>,
}

impl<'a> Overlay<'a> {
    pub(in crate::store) fn new(tree: &'a sled::Tree) -> Overlay<'a> {
        Overlay {
            tree,
            writes: RefCell::default(),
        }
    }

    pub(in crate::store) fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<IVec>, sled::Error> {
        match self.writes.borrow().get(key.as_ref()) {
            Some(pending) => Ok(pending.clone()),
            None => self.tree.get(key),
        }
    }

    /// The last key starting with `prefix` and its value, as the decision sees the tree.
    pub(in crate::store) fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Vec<u8>, IVec)>, sled::Error> {
        let writes = self.writes.borrow();
        let pending = writes
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
            .last();
        // A stored key this decision wrote is the pending one above (or removed).
        let mut stored = None;
        for item in self.tree.scan_prefix(prefix).rev() {
            let (k, v) = item?;
            if !writes.contains_key(k.as_ref()) {
                stored = Some((k.to_vec(), v));
                break;
            }
        }
        Ok(match (pending, stored) {
            (Some(p), Some(s)) => Some(if p.0 > s.0 { p } else { s }),
            (p, s) => p.or(s),
        })
    }

    /// Whether this decision wrote `key` (a put or a removal).
    pub(in crate::store) fn wrote(&self, key: &[u8]) -> bool {
        self.writes.borrow().contains_key(key)
    }

    pub(in crate::store) fn insert(&self, key: impl AsRef<[u8]>, value: impl Into<IVec>) {
        self.writes
            .borrow_mut()
            .insert(key.as_ref().to_vec(), Some(value.into()));
    }

    pub(in crate::store) fn remove(&self, key: impl AsRef<[u8]>) {
        self.writes.borrow_mut().insert(key.as_ref().to_vec(), None);
    }

    /// The tree and what is to be written to it.
    pub(in crate::store) fn into_writes(self) -> (&'a sled::Tree, Writes) {
        (self.tree, self.writes.into_inner())
    }
}

/// The journal record of a write set: what replay puts back so that the store holds all of the
/// write set or none of it. Either its new values (replay finishes it: redo) or the values its
/// keys held before (replay takes it back: undo), whichever is smaller; both are the same
/// layout and replayed the same way, by applying what the record holds. An open's keys are
/// nearly all new, so its record is little more than its keys (~1 KB where its values are
/// ~5 KB); a delivery result that removes an outbox item keeps the removal's key alone.
///
/// Taking a write set back is as sound as finishing it. A record is still there at open only
/// when its removal was lost, and then so was every later write (the prefix argument above).
/// Nothing was answered or called from it: an answer and a call each wait for a flush that
/// began after the write set was applied and its record removed (the group commit's ticket is
/// taken then), and that flush would have kept the removal. An earlier release replays such a
/// record just the same: it applies what the record holds.
///
/// The old values are read here, under the writer lock, so they are exactly what the write
/// set replaces; a put `new_key` says is of a key never written before is not looked up.
pub(super) fn record(
    writes: &[(&sled::Tree, Writes)],
    new_key: impl Fn(&sled::Tree, &Option<IVec>) -> bool,
) -> Result<Vec<u8>, sled::Error> {
    let replaced = writes
        .iter()
        .map(|(tree, w)| {
            let before = w
                .iter()
                .map(|(k, v)| Ok((k.clone(), if new_key(tree, v) { None } else { tree.get(k)? })))
                .collect::<Result<Writes, sled::Error>>()?;
            Ok((*tree, before))
        })
        .collect::<Result<Vec<_>, sled::Error>>()?;
    Ok(if encoded_size(&replaced) < encoded_size(writes) {
        encode(&replaced)
    } else {
        encode(writes)
    })
}

/// At least the bytes [`encode`] makes of `writes` (varints counted at their longest).
fn encoded_size(writes: &[(&sled::Tree, Writes)]) -> usize {
    writes
        .iter()
        .map(|(tree, w)| {
            6 + tree.name().len()
                + w.iter()
                    .map(|(k, v)| 11 + k.len() + v.as_ref().map_or(0, |v| v.len()))
                    .sum::<usize>()
        })
        .sum()
}

/// Record layout (version 2): a version byte, the number of trees (varint), then per tree: its name (u8 length), the number
/// of its writes (varint), and per write the key (varint length), then 1 and the value (varint
/// length) for a put or 0 for a removal. Version 1, which a crash may have left behind, named
/// the tree in every write and gave lengths as big-endian u32s.
const VERSION: u8 = 2;
const VERSION_1: u8 = 1;

/// The whole write set as one journal record.
pub(super) fn encode(writes: &[(&sled::Tree, Writes)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + encoded_size(writes));
    out.push(VERSION);
    varint(&mut out, writes.len() as u64);
    for (tree, w) in writes {
        let name = tree.name();
        out.push(name.len() as u8);
        out.extend_from_slice(&name);
        varint(&mut out, w.len() as u64);
        for (key, value) in w {
            varint(&mut out, key.len() as u64);
            out.extend_from_slice(key);
            match value {
                Some(v) => {
                    out.push(1);
                    varint(&mut out, v.len() as u64);
                    out.extend_from_slice(v);
                }
                None => out.push(0),
            }
        }
    }
    out
}

/// One write of a journal record: tree name, key, value to put (None: removed).
type Recorded<'r> = (&'r [u8], &'r [u8], Option<&'r [u8]>);

/// Reads a journal record's pieces, refusing one cut short.
struct Pieces<'r> {
    rest: &'r [u8],
}

impl<'r> Pieces<'r> {
    fn take(&mut self, n: usize) -> Result<&'r [u8], StoreError> {
        let (piece, after) = self.rest.split_at_checked(n).ok_or_else(corrupt)?;
        self.rest = after;
        Ok(piece)
    }

    fn u32(&mut self) -> Result<usize, StoreError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().map_err(|_| corrupt())?) as usize)
    }

    fn varint(&mut self) -> Result<usize, StoreError> {
        let n = take_varint(&mut self.rest).ok_or_else(corrupt)?;
        usize::try_from(n).map_err(|_| corrupt())
    }

    /// 1 and a value (its length read by `len`), or 0 for a removal.
    fn value(&mut self, len: fn(&mut Self) -> Result<usize, StoreError>) -> Result<Option<&'r [u8]>, StoreError> {
        match self.take(1)?[0] {
            0 => Ok(None),
            1 => {
                let n = len(self)?;
                Ok(Some(self.take(n)?))
            }
            _ => Err(corrupt()),
        }
    }
}

fn corrupt() -> StoreError {
    StoreError::Corrupt("journal: bad record".into())
}

/// The writes of a journal record, in the order they were applied.
pub(super) fn decode(record: &[u8]) -> Result<Vec<Recorded<'_>>, StoreError> {
    let Some((&version, rest)) = record.split_first() else {
        return Err(corrupt());
    };
    let mut r = Pieces { rest };
    let mut writes = Vec::new();
    match version {
        VERSION => {
            for _ in 0..r.varint()? {
                let name_len = r.take(1)?[0];
                let name = r.take(name_len.into())?;
                for _ in 0..r.varint()? {
                    let key_len = r.varint()?;
                    let key = r.take(key_len)?;
                    writes.push((name, key, r.value(Pieces::varint)?));
                }
            }
            if !r.rest.is_empty() {
                return Err(corrupt());
            }
        }
        VERSION_1 => {
            while !r.rest.is_empty() {
                let name_len = r.take(1)?[0];
                let name = r.take(name_len.into())?;
                let key_len = r.u32()?;
                let key = r.take(key_len)?;
                writes.push((name, key, r.value(Pieces::u32)?));
            }
        }
        _ => return Err(corrupt()),
    }
    Ok(writes)
}

/// Applies each write with a plain insert or remove, in order.
pub(super) fn apply(writes: &[(&sled::Tree, Writes)]) -> Result<(), sled::Error> {
    for (tree, w) in writes {
        for (key, value) in w {
            match value {
                Some(v) => tree.insert(key, v.clone())?,
                None => tree.remove(key)?,
            };
        }
    }
    Ok(())
}

/// Applies every record a crash left in `journal` and removes it, oldest first: before the
/// store serves, so nothing reads a write set half applied (each is finished or taken back,
/// as [`record`] chose).
pub(super) fn replay(db: &sled::Db, journal: &sled::Tree) -> Result<usize, StoreError> {
    let mut replayed = 0;
    for record in journal.iter() {
        let (key, record) = record?;
        for (name, k, value) in decode(&record)? {
            let tree = db.open_tree(name)?;
            match value {
                Some(v) => tree.insert(k, v)?,
                None => tree.remove(k)?,
            };
        }
        journal.remove(key)?;
        replayed += 1;
    }
    if replayed > 0 {
        db.flush()?;
    }
    Ok(replayed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_decodes_to_the_writes_it_was_encoded_from_in_order() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let (a, b) = (db.open_tree("a").unwrap(), db.open_tree("bee").unwrap());
        let wa: Writes = [(b"k1".to_vec(), Some(IVec::from(b"v1"))), (b"k2".to_vec(), None)].into();
        let wb: Writes = [(vec![0, 255], Some(IVec::from(vec![7u8; 300])))].into();
        let record = encode(&[(&a, wa), (&b, wb)]);
        assert_eq!(
            decode(&record).unwrap(),
            vec![
                (b"a".as_slice(), b"k1".as_slice(), Some(b"v1".as_slice())),
                (b"a".as_slice(), b"k2".as_slice(), None),
                (b"bee".as_slice(), [0u8, 255].as_slice(), Some([7u8; 300].as_slice())),
            ]
        );
        // A record cut short, or of another version, is refused rather than half applied.
        for cut in 1..record.len() {
            assert!(decode(&record[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode(&[3]).is_err() && decode(&[]).is_err());
    }

    /// The keys and values of `tree`.
    fn contents(tree: &sled::Tree) -> Vec<(IVec, IVec)> {
        tree.iter().map(Result::unwrap).collect()
    }

    #[test]
    fn a_write_set_cut_short_is_taken_back_when_its_record_holds_less_than_finishing_it_and_finished_otherwise() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let (journal, a, b) = (
            db.open_tree("journal").unwrap(),
            db.open_tree("a").unwrap(),
            db.open_tree("b").unwrap(),
        );
        a.insert(b"kept", vec![1u8; 40]).unwrap();
        a.insert(b"count", &[0, 0, 0, 7]).unwrap();
        b.insert(b"queued", vec![2u8; 400]).unwrap();
        let before = (contents(&a), contents(&b));
        // New keys with large values and a small counter moved: taking it back is smaller.
        let new: Writes = [
            (b"count".to_vec(), Some(IVec::from(&[0, 0, 0, 8]))),
            (b"fresh".to_vec(), Some(IVec::from(vec![3u8; 900]))),
        ]
        .into();
        let newer: Writes = [(b"other".to_vec(), Some(IVec::from(vec![4u8; 900])))].into();
        let writes = [(&a, new), (&b, newer)];
        let taken_back = record(&writes, |_, _| false).unwrap();
        assert!(
            taken_back.len() * 10 < encode(&writes).len(),
            "its keys and the old counter: {} bytes",
            taken_back.len()
        );
        journal.insert(b"1", taken_back).unwrap();
        apply(&writes[..1]).unwrap();
        assert_eq!(replay(&db, &journal).unwrap(), 1);
        assert_eq!((contents(&a), contents(&b)), before, "as if never written");
        assert!(journal.is_empty());

        // Removals of large values: finishing it is smaller.
        let removals: Writes = [(b"kept".to_vec(), None)].into();
        let removals_b: Writes = [(b"queued".to_vec(), None)].into();
        let writes = [(&a, removals), (&b, removals_b)];
        let finishing = record(&writes, |_, _| false).unwrap();
        assert_eq!(finishing, encode(&writes));
        journal.insert(b"2", finishing).unwrap();
        apply(&writes[..1]).unwrap();
        assert_eq!(replay(&db, &journal).unwrap(), 1);
        assert!(a.get(b"kept").unwrap().is_none() && b.is_empty(), "both removals made");
    }

    #[test]
    fn a_record_of_the_first_layout_a_crash_left_behind_still_decodes() {
        // "a": put k1 = v1, remove k2; as version 1 wrote them.
        let mut record = vec![1];
        for (key, value) in [(b"k1", Some(b"v1")), (b"k2", None)] {
            record.extend_from_slice(&[1, b'a']);
            record.extend_from_slice(&(key.len() as u32).to_be_bytes());
            record.extend_from_slice(key);
            match value {
                Some(v) => {
                    record.push(1);
                    record.extend_from_slice(&(v.len() as u32).to_be_bytes());
                    record.extend_from_slice(v);
                }
                None => record.push(0),
            }
        }
        assert_eq!(
            decode(&record).unwrap(),
            vec![
                (b"a".as_slice(), b"k1".as_slice(), Some(b"v1".as_slice())),
                (b"a".as_slice(), b"k2".as_slice(), None),
            ]
        );
        assert!(decode(&record[..record.len() - 1]).is_err());
    }
}
