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
//! lost, and then so is every later write set (applied after the removal, under the applier's
//! lock, which applies one set at a time: `SledStore::write`), so the replayed value is the
//! newest one its key had.

use std::cell::RefCell;
use std::collections::BTreeMap;

use sled::{Edit, IVec};

use super::record::{bytes, take_varint, varint};
use crate::store::StoreError;

/// A tree's pending writes: key → the new value, or None for a removal.
pub(in crate::store) type Writes = BTreeMap<Vec<u8>, Option<IVec>>;

/// One tree as a decision sees it: its own pending writes first, then those of the write set
/// being applied meanwhile (decided before it, not yet all in the tree: see `SledStore::write`),
/// then what is stored.
pub(in crate::store) struct Overlay<'a> {
    tree: &'a sled::Tree,
    writes: RefCell<Writes>,
    below: Option<&'a Writes>,
}

impl<'a> Overlay<'a> {
    /// The tree as a decision sees it while `below` (the writes of the set before it) is being
    /// applied to it.
    pub(in crate::store) fn over(tree: &'a sled::Tree, below: Option<&'a Writes>) -> Overlay<'a> {
        Overlay {
            tree,
            writes: RefCell::default(),
            below,
        }
    }

    pub(in crate::store) fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<IVec>, sled::Error> {
        let key = key.as_ref();
        match self.writes.borrow().get(key) {
            Some(pending) => Ok(pending.clone()),
            None => stored(self.tree, self.below, key),
        }
    }

    /// The last key starting with `prefix` and its value, as the decision sees the tree.
    pub(in crate::store) fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Vec<u8>, IVec)>, sled::Error> {
        let writes = self.writes.borrow();
        let empty = Writes::new();
        let below = self.below.unwrap_or(&empty);
        let last_put = |layer: &Writes, hidden_by: &[&Writes]| {
            layer
                .range(prefix.to_vec()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .filter(|(k, _)| hidden_by.iter().all(|upper| !upper.contains_key(*k)))
                .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                .last()
        };
        let own = last_put(&writes, &[]);
        let applying = last_put(below, &[&writes]);
        // A stored key either layer wrote is that layer's (put above, or removed).
        let mut stored = None;
        for item in self.tree.scan_prefix(prefix).rev() {
            let (k, v) = item?;
            if !writes.contains_key(k.as_ref()) && !below.contains_key(k.as_ref()) {
                stored = Some((k.to_vec(), v));
                break;
            }
        }
        Ok([own, applying, stored]
            .into_iter()
            .flatten()
            .max_by(|a, b| a.0.cmp(&b.0)))
    }

    /// Every key starting with `prefix` and its value, in key order, as the decision sees the
    /// tree: the set being applied ahead of it may have added or removed some the tree does
    /// not show yet.
    pub(in crate::store) fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, IVec)>, sled::Error> {
        let mut seen: BTreeMap<Vec<u8>, Option<IVec>> = BTreeMap::new();
        for item in self.tree.scan_prefix(prefix) {
            let (k, v) = item?;
            seen.insert(k.to_vec(), Some(v));
        }
        let writes = self.writes.borrow();
        for layer in self.below.into_iter().chain([&*writes]) {
            let pending = layer
                .range(prefix.to_vec()..)
                .take_while(|(k, _)| k.starts_with(prefix));
            seen.extend(pending.map(|(k, v)| (k.clone(), v.clone())));
        }
        Ok(seen.into_iter().filter_map(|(k, v)| Some((k, v?))).collect())
    }

    /// Whether this decision, or the set being applied before it, wrote `key` (a put or a
    /// removal): then what the trees hold of it is not yet what the decision sees.
    pub(in crate::store) fn wrote(&self, key: &[u8]) -> bool {
        self.writes.borrow().contains_key(key) || self.below.is_some_and(|b| b.contains_key(key))
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
    pub(in crate::store) fn into_writes(self) -> (sled::Tree, Writes) {
        (self.tree.clone(), self.writes.into_inner())
    }
}

/// What `key` holds as a decision sees it past its own writes: the write set being applied
/// ahead of it (`below`) first, then the tree.
pub(in crate::store) fn stored(
    tree: &sled::Tree,
    below: Option<&Writes>,
    key: &[u8],
) -> Result<Option<IVec>, sled::Error> {
    match below.and_then(|b| b.get(key)) {
        Some(pending) => Ok(pending.clone()),
        None => tree.get(key),
    }
}

/// The journal record of a write set: what replay puts back so that the store holds all of the
/// write set or none of it. Either its new values (replay finishes it: redo) or the values its
/// keys held before (replay takes it back: undo), whichever record is smaller; both are the
/// same layout and replayed the same way, by applying what the record holds. An open's keys
/// are nearly all new, so its record is little more than its keys; a delivery result that
/// removes an outbox item keeps the removal's key alone; a value the write set grew or changed
/// in place (a timeline chunk's appended entry, a Home row that learnt its channel) is taken
/// back by an [`Edit`] of a few bytes rather than the value it replaced.
///
/// Taking a write set back is as sound as finishing it. A record is still there at open only
/// when its removal was lost, and then so was every later write (the prefix argument above).
/// Nothing was answered or called from it: an answer and a call each wait for a flush that
/// began after the write set was applied and its record removed (the group commit's ticket is
/// taken then), and that flush would have kept the removal.
///
/// `before` gives each key's value before the write set, as the decision saw it (under the
/// writer lock: the tree, or the set being applied ahead of it), so the old values are exactly
/// what the write set replaces; it need not look up a key it knows was never written.
pub(super) fn record(
    writes: &[(sled::Tree, Writes)],
    before: impl Fn(&sled::Tree, &[u8], &Option<IVec>) -> Result<Option<IVec>, sled::Error>,
) -> Result<Vec<u8>, sled::Error> {
    let replaced = writes
        .iter()
        .map(|(tree, w)| {
            let before = w
                .iter()
                .map(|(k, v)| Ok((k, before(tree, k, v)?, v)))
                .collect::<Result<Vec<_>, sled::Error>>()?;
            Ok((tree.name(), before))
        })
        .collect::<Result<Vec<_>, sled::Error>>()?;
    let undo = encode_restores(replaced.iter().map(|(name, before)| {
        let restores = before
            .iter()
            .map(|(k, old, new)| (k.as_slice(), Restore::back_to(old, new)));
        (name.as_ref(), restores)
    }));
    let redo = encode(writes);
    Ok(if undo.len() < redo.len() { undo } else { redo })
}

/// What replay makes of one key.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Restore<'v> {
    Remove,
    Put(&'v [u8]),
    /// The key's value made by this edit of it, when it is `from_len` bytes long. Replay finds
    /// the key holding either the value the write set put (`from_len` bytes long: it makes the
    /// edit) or the edit's result already (the write never landed: it leaves it). The two
    /// lengths differ, or no edit is recorded, so the length alone tells which; any other
    /// value is damage.
    Edit {
        from_len: usize,
        edit: Edit,
    },
}

impl<'v> Restore<'v> {
    /// What takes a key from `new` (the write set's value) back to `old` (its value before):
    /// an edit of `new` when the lengths differ and it is the smaller.
    fn back_to(old: &'v Option<IVec>, new: &Option<IVec>) -> Restore<'v> {
        match (old, new) {
            (None, _) => Restore::Remove,
            (Some(old), Some(new)) if old.len() != new.len() => {
                let edit = Edit::between(new, old);
                if edit.own_len() + EDIT_NUMBERS < old.len() {
                    Restore::Edit {
                        from_len: new.len(),
                        edit,
                    }
                } else {
                    Restore::Put(old)
                }
            }
            (Some(old), _) => Restore::Put(old),
        }
    }
}

/// The most bytes an edit's six numbers take in a record (varints of up to four bytes).
const EDIT_NUMBERS: usize = 24;

/// How many items `a` and `b` start with alike.
fn shared_prefix<T: PartialEq>(a: impl IntoIterator<Item = T>, b: impl IntoIterator<Item = T>) -> usize {
    a.into_iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Record layout, version 3: a version byte, the number of trees (varint), then per tree its
/// name (u8 length) and the number of its writes (varint), and per write:
/// - its key, as the number of bytes it starts with alike with the record's key before it, the
///   length of the rest and the rest (varints; an open's keys share a trouble's id and lane);
/// - 0 for a removal; 1, the value's length (varint) and the value for a put; or 2 and an
///   edit ([`Restore::Edit`]): `from_len`, `keep`, `mid` (its length and bytes), `at`,
///   `span`, `tail` (its length and bytes).
///
/// Version 2 wrote keys whole and had no edits; version 1 also named the tree in every write
/// and gave lengths as big-endian u32s. A crash may have left either behind.
const VERSION: u8 = 3;
const VERSION_2: u8 = 2;
const VERSION_1: u8 = 1;

/// The record that finishes the write set: its new values.
pub(super) fn encode(writes: &[(sled::Tree, Writes)]) -> Vec<u8> {
    let names: Vec<IVec> = writes.iter().map(|(tree, _)| tree.name()).collect();
    encode_restores(names.iter().zip(writes).map(|(name, (_, w))| {
        let restores = w.iter().map(|(k, v)| {
            let restore = v.as_deref().map_or(Restore::Remove, Restore::Put);
            (k.as_slice(), restore)
        });
        (name.as_ref(), restores)
    }))
}

/// A record that makes each key of each named tree what its [`Restore`] says, in order.
fn encode_restores<'k, R>(trees: impl ExactSizeIterator<Item = (&'k [u8], R)>) -> Vec<u8>
where
    R: ExactSizeIterator<Item = (&'k [u8], Restore<'k>)>,
{
    let mut out = Vec::with_capacity(512);
    out.push(VERSION);
    varint(&mut out, trees.len() as u64);
    let mut previous: &[u8] = &[];
    for (name, restores) in trees {
        out.push(name.len() as u8);
        out.extend_from_slice(name);
        varint(&mut out, restores.len() as u64);
        for (key, restore) in restores {
            let shared = shared_prefix(previous, key);
            varint(&mut out, shared as u64);
            bytes(&mut out, &key[shared..]);
            previous = key;
            match restore {
                Restore::Remove => out.push(0),
                Restore::Put(v) => {
                    out.push(1);
                    bytes(&mut out, v);
                }
                Restore::Edit { from_len, edit } => {
                    out.push(2);
                    varint(&mut out, from_len as u64);
                    varint(&mut out, edit.keep as u64);
                    bytes(&mut out, &edit.mid);
                    varint(&mut out, edit.at as u64);
                    varint(&mut out, edit.span as u64);
                    bytes(&mut out, &edit.tail);
                }
            }
        }
    }
    out
}

/// One write of a journal record: tree name, key, what the key is made.
pub(super) type Recorded<'r> = (&'r [u8], Vec<u8>, Restore<'r>);

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

    /// A varint length, then as many bytes.
    fn bytes(&mut self) -> Result<&'r [u8], StoreError> {
        let len = self.varint()?;
        self.take(len)
    }

    /// A tree's name: its length (one byte), then the name.
    fn name(&mut self) -> Result<&'r [u8], StoreError> {
        let len = self.take(1)?[0];
        self.take(len.into())
    }

    /// 0 for a removal, 1 and a value (its length a u32 in version 1, else a varint), or (from
    /// version 3) 2 and an edit.
    fn restore(&mut self, version: u8) -> Result<Restore<'r>, StoreError> {
        match self.take(1)?[0] {
            0 => Ok(Restore::Remove),
            1 if version == VERSION_1 => {
                let len = self.u32()?;
                Ok(Restore::Put(self.take(len)?))
            }
            1 => Ok(Restore::Put(self.bytes()?)),
            2 if version >= VERSION => {
                let from_len = self.varint()?;
                let edit = Edit {
                    keep: self.varint()?,
                    mid: self.bytes()?.into(),
                    at: self.varint()?,
                    span: self.varint()?,
                    tail: self.bytes()?.into(),
                };
                if from_len == edit.result_len() {
                    return Err(corrupt());
                }
                Ok(Restore::Edit { from_len, edit })
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
    let mut writes: Vec<Recorded> = Vec::new();
    match version {
        VERSION => {
            for _ in 0..r.varint()? {
                let name = r.name()?;
                for _ in 0..r.varint()? {
                    let previous = writes.last().map_or(&[][..], |(_, key, _)| key.as_slice());
                    let shared = previous.get(..r.varint()?).ok_or_else(corrupt)?;
                    let key = [shared, r.bytes()?].concat();
                    writes.push((name, key, r.restore(version)?));
                }
            }
        }
        VERSION_2 => {
            for _ in 0..r.varint()? {
                let name = r.name()?;
                for _ in 0..r.varint()? {
                    let key = r.bytes()?.to_vec();
                    writes.push((name, key, r.restore(version)?));
                }
            }
        }
        VERSION_1 => {
            while !r.rest.is_empty() {
                let name = r.name()?;
                let key_len = r.u32()?;
                let key = r.take(key_len)?.to_vec();
                writes.push((name, key, r.restore(version)?));
            }
        }
        _ => return Err(corrupt()),
    }
    if !r.rest.is_empty() {
        return Err(corrupt());
    }
    Ok(writes)
}

/// Applies each write with a plain insert or remove, in order.
pub(super) fn apply(writes: &[(sled::Tree, Writes)]) -> Result<(), sled::Error> {
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
/// as [`record`] chose). A record is read whole, and its edits checked against the values
/// they are made of, before any of it is applied: a damaged one is refused, not half applied.
pub(super) fn replay(db: &sled::Db, journal: &sled::Tree) -> Result<usize, StoreError> {
    let mut replayed = 0;
    for record in journal.iter() {
        let (key, record) = record?;
        let mut made = Vec::new();
        for (name, k, restore) in decode(&record)? {
            let tree = db.open_tree(name)?;
            let value = match restore {
                Restore::Remove => None,
                Restore::Put(v) => Some(v.to_vec()),
                Restore::Edit { from_len, edit } => match tree.get(&k)? {
                    Some(now) if now.len() == from_len => Some(edit.made_of(&now).ok_or_else(corrupt)?),
                    Some(now) if now.len() == edit.result_len() => continue,
                    _ => return Err(corrupt()),
                },
            };
            made.push((tree, k, value));
        }
        for (tree, k, value) in made {
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
        let (_db, [a, b]) = temporary(["a", "bee"]);
        let wa: Writes = [(b"k1".to_vec(), Some(IVec::from(b"v1"))), (b"k2".to_vec(), None)].into();
        let wb: Writes = [(vec![0, 255], Some(IVec::from(vec![7u8; 300])))].into();
        let record = encode(&[(a.clone(), wa), (b.clone(), wb)]);
        assert_eq!(
            decode(&record).unwrap(),
            vec![
                (b"a".as_slice(), b"k1".to_vec(), Restore::Put(b"v1")),
                (b"a".as_slice(), b"k2".to_vec(), Restore::Remove),
                (b"bee".as_slice(), vec![0u8, 255], Restore::Put(&[7u8; 300])),
            ]
        );
        // A record cut short, or of another version, is refused rather than half applied.
        for cut in 1..record.len() {
            assert!(decode(&record[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode(&[9]).is_err() && decode(&[]).is_err());
    }

    #[test]
    fn a_key_is_recorded_as_what_it_does_not_share_with_the_key_before_it_and_decodes_whole() {
        let (_db, [outbox, timers]) = temporary(["outbox", "timers"]);
        // An open's items in one lane, then a key of another tree sharing nothing.
        let lane = b"20261201-17/channel\0";
        let items: Writes = (1u64..=7)
            .map(|id| ([lane.as_slice(), &id.to_be_bytes()].concat(), None))
            .collect();
        let due: Writes = [(vec![0, 0, 1, 0x9a], None)].into();
        let writes = [(outbox.clone(), items.clone()), (timers.clone(), due)];
        let record = encode(&writes);
        let keys: usize = items.keys().map(Vec::len).sum::<usize>() + 4;
        assert!(
            record.len() * 2 < keys,
            "{} bytes for {keys} bytes of keys",
            record.len()
        );
        let decoded: Vec<_> = decode(&record).unwrap().into_iter().map(|(_, k, _)| k).collect();
        let written: Vec<_> = writes.iter().flat_map(|(_, w)| w.keys().cloned()).collect();
        assert_eq!(decoded, written);
        // A key claiming more shared bytes than the key before it has is damage.
        let mut forged = record.clone();
        forged[1 + 1 + 1 + b"outbox".len() + 1] = 40;
        assert!(decode(&forged).is_err());
    }

    /// `trouble-bot redact` beside a running bot reads a trouble's timeline chunks and the
    /// queued calls while the set decided before it may still be being applied: a chunk or a
    /// call that set added, and one it removed, are seen as the set leaves them.
    #[test]
    fn a_scan_sees_the_keys_the_set_ahead_adds_and_removes_and_its_own_writes() {
        let (_db, [tree]) = temporary(["outbox"]);
        tree.insert(b"a\0\x01", b"stored").unwrap();
        tree.insert(b"a\0\x02", b"delivered").unwrap();
        tree.insert(b"b\0\x01", b"other lane").unwrap();
        let ahead: Writes = [
            (b"a\0\x02".to_vec(), None),
            (b"a\0\x03".to_vec(), Some(IVec::from(b"queued ahead"))),
        ]
        .into();
        let overlay = Overlay::over(&tree, Some(&ahead));
        overlay.insert(b"a\0\x04", b"own");
        let seen: Vec<(Vec<u8>, Vec<u8>)> = overlay
            .scan_prefix(b"a\0")
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.to_vec()))
            .collect();
        assert_eq!(
            seen,
            [
                (b"a\0\x01".to_vec(), b"stored".to_vec()),
                (b"a\0\x03".to_vec(), b"queued ahead".to_vec()),
                (b"a\0\x04".to_vec(), b"own".to_vec()),
            ]
        );
        assert_eq!(overlay.scan_prefix(b"").unwrap().len(), 4);
    }

    /// A temporary sled and its trees of these names.
    fn temporary<const N: usize>(names: [&str; N]) -> (sled::Db, [sled::Tree; N]) {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let trees = names.map(|name| db.open_tree(name).unwrap());
        (db, trees)
    }

    /// The keys and values of `tree`.
    fn contents(tree: &sled::Tree) -> Vec<(IVec, IVec)> {
        tree.iter().map(Result::unwrap).collect()
    }

    #[test]
    fn a_write_set_cut_short_is_taken_back_when_its_record_holds_less_than_finishing_it_and_finished_otherwise() {
        let (db, [journal, a, b]) = temporary(["journal", "a", "b"]);
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
        let writes = [(a.clone(), new), (b.clone(), newer)];
        let taken_back = record(&writes, |tree, k, _| tree.get(k)).unwrap();
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
        let writes = [(a.clone(), removals), (b.clone(), removals_b)];
        let finishing = record(&writes, |tree, k, _| tree.get(k)).unwrap();
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
                (b"a".as_slice(), b"k1".to_vec(), Restore::Put(b"v1")),
                (b"a".as_slice(), b"k2".to_vec(), Restore::Remove),
            ]
        );
        assert!(decode(&record[..record.len() - 1]).is_err());
        // Version 2: the same writes with varint lengths, the tree named once, keys whole.
        let record = [&[2, 1, 1, b'a', 2, 2][..], b"k1", &[1, 2], b"v1", &[2], b"k2", &[0]].concat();
        assert_eq!(
            decode(&record).unwrap(),
            vec![
                (b"a".as_slice(), b"k1".to_vec(), Restore::Put(b"v1")),
                (b"a".as_slice(), b"k2".to_vec(), Restore::Remove),
            ]
        );
        // An edit is of version 3 only.
        let edited = [&[2, 1, 1, b'a', 1, 2][..], b"k1", &[2, 3, 1, 0, 0, 0]].concat();
        assert!(decode(&edited).is_err());
    }

    #[test]
    fn a_value_the_write_set_grew_or_changed_is_taken_back_by_an_edit_whether_or_not_its_write_landed() {
        let (db, [journal, timeline, home]) = temporary(["journal", "timeline", "index"]);
        // A chunk of 3 entries (its count up front) and a Home row without its channel.
        let entries: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i + 10; 90]).collect();
        let chunk = |n: usize| {
            let mut v = vec![2, n as u8];
            for e in &entries[..n] {
                v.push(e.len() as u8);
                v.extend_from_slice(e);
            }
            v
        };
        let row = |channel: &[u8]| [b"i20261201-3|acme|".as_slice(), channel, b"|1733011200|a1o0u1"].concat();
        let (old_chunk, old_row) = (chunk(3), row(b""));
        timeline.insert(b"t", old_chunk.as_slice()).unwrap();
        home.insert(b"h:U0MANAGER", old_row.as_slice()).unwrap();
        let writes = [
            (
                timeline.clone(),
                Writes::from([(b"t".to_vec(), Some(IVec::from(chunk(4))))]),
            ),
            (
                home.clone(),
                Writes::from([(
                    b"h:U0MANAGER".to_vec(),
                    Some(IVec::from(row(b"C0000001|acme-housings"))),
                )]),
            ),
        ];
        let record = record(&writes, |tree, k, _| tree.get(k)).unwrap();
        assert!(
            record.len() * 4 < old_chunk.len() + old_row.len(),
            "{} bytes take back a chunk of {} and a row of {}",
            record.len(),
            old_chunk.len(),
            old_row.len()
        );
        assert!(
            decode(&record)
                .unwrap()
                .iter()
                .all(|(_, _, r)| matches!(r, Restore::Edit { .. })),
            "both taken back by edits"
        );
        let back = || {
            (
                timeline.get(b"t").unwrap().unwrap(),
                home.get(b"h:U0MANAGER").unwrap().unwrap(),
            )
        };
        // A crash after the chunk's write landed and before the row's.
        journal.insert(b"1", record.as_slice()).unwrap();
        apply(&writes[..1]).unwrap();
        assert_eq!(replay(&db, &journal).unwrap(), 1);
        assert_eq!(
            back(),
            (IVec::from(old_chunk.as_slice()), IVec::from(old_row.as_slice()))
        );
        // After both landed; and replayed twice (a crash during replay) it changes nothing more.
        apply(&writes).unwrap();
        for _ in 0..2 {
            journal.insert(b"2", record.as_slice()).unwrap();
            assert_eq!(replay(&db, &journal).unwrap(), 1);
            assert_eq!(
                back(),
                (IVec::from(old_chunk.as_slice()), IVec::from(old_row.as_slice()))
            );
        }
        // A value of neither length is damage: the record is refused whole and left in place.
        apply(&writes[..1]).unwrap();
        home.insert(b"h:U0MANAGER", b"something else".as_slice()).unwrap();
        journal.insert(b"3", record.as_slice()).unwrap();
        assert!(replay(&db, &journal).is_err());
        assert_eq!(
            timeline.get(b"t").unwrap().unwrap(),
            IVec::from(chunk(4)),
            "nothing applied"
        );
        assert_eq!(journal.len(), 1);
    }

    #[test]
    fn an_edit_makes_exactly_the_value_it_was_made_for_and_carries_little_of_its_own() {
        let entry = [7u8; 90];
        let chunk = |n: u8| {
            let mut v = vec![2, n];
            for _ in 0..n {
                v.push(90);
                v.extend_from_slice(&entry);
            }
            v
        };
        let (two, three) = (chunk(2), chunk(3));
        let cases: [(&[u8], &[u8], usize); 7] = [
            (b"abcdef", b"abc", 0),
            (b"abc", b"abcdef", 3),
            // A chunk taking its third entry back (its count), and gaining it (count, entry).
            (&three, &two, 1),
            (&two, &three, 92),
            (
                b"row|acme|-|1733011200|a1",
                b"row|acme|C0000001 acme-housings|1733011200|a1",
                22,
            ),
            (b"xyz", b"", 0),
            (b"abc", b"abd", 1),
        ];
        for (from, to, own) in cases {
            let edit = Edit::between(from, to);
            assert_eq!(edit.made_of(from).as_deref(), Some(to), "{from:?} to {to:?}: {edit:?}");
            assert_eq!(edit.result_len(), to.len());
            assert_eq!(edit.own_len(), own, "{edit:?}");
        }
        // Taken back by an edit only when the lengths differ: replay tells them apart by length.
        let (before, after) = (Some(IVec::from(vec![1u8; 40])), Some(IVec::from(vec![2u8; 40])));
        assert_eq!(Restore::back_to(&before, &after), Restore::Put(&[1u8; 40]));
    }
}
