//! The high-water mark: the highest trouble id the store has numbered, kept in a small file beside sled's directory (`DATA_DIR/high-water`), so that a store which lost troubles is noticed when it is opened.
//!
//! sled, opening a log with a damaged record, cuts the log there: whatever was written after it
//! is gone without a word, the day's numbering included, and the next opens would be given ids
//! the customers and Slack have already seen. Nothing inside the store can tell; a file outside
//! it can. The mark is written after the group commit's fsync made the numbering durable, and
//! is itself never synced: after a power cut it can only be behind what sled kept (or missing,
//! or torn: then it is made again from the store), never ahead of it. Ahead of the store, then,
//! it means the store lost what it had made durable.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::SledStore;
use crate::store::StoreError;
use crate::trouble::model::TroubleId;

/// The mark's file name in the data directory.
pub const FILE: &str = "high-water";

/// A trouble id as the day's numbering gives it out: the day (`YYYYMMDD`) and its number.
/// Ordered by day, then number: the order in which they were given out.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Numbered {
    pub day: String,
    pub seq: u32,
}

impl std::fmt::Display for Numbered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.day, self.seq)
    }
}

impl Numbered {
    /// `20261130-7` as the mark file and the ids write it; None for anything else.
    pub fn parse(text: &str) -> Option<Numbered> {
        let (day, seq) = text.trim().split_once('-')?;
        let day_ok = day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit());
        let seq = seq.parse().ok().filter(|s| *s > 0)?;
        day_ok.then(|| Numbered {
            day: day.to_string(),
            seq,
        })
    }

    /// The ids of this day numbered after `held` (a number of the same day; 0 for none) up to
    /// this one: those a store holding `held` lost.
    pub fn after(&self, held: u32) -> Vec<String> {
        (held + 1..=self.seq).map(|s| format!("{}-{s}", self.day)).collect()
    }
}

/// A store behind its mark: the highest id it holds (None: none at all) and the highest the
/// mark says was numbered, with the ids of the mark's day it no longer has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    pub held: Option<Numbered>,
    pub issued: Numbered,
    /// The ids of the mark's day numbered after the store's count for that day.
    pub missing: Vec<String>,
}

impl Loss {
    /// The loss of a store numbering `held_that_day` on the mark's day (0: not that day at
    /// all), its highest id being `held`; None when it holds the mark's id.
    pub fn of(issued: &Numbered, held_that_day: u32, held: Option<Numbered>) -> Option<Loss> {
        (held_that_day < issued.seq).then(|| Loss {
            held,
            issued: issued.clone(),
            missing: issued.after(held_that_day),
        })
    }

    /// The missing ids as a short range (`20261130-4 … 20261130-7`, or the one id).
    pub fn missing_shown(&self) -> String {
        match self.missing.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [first, .., last] => format!("{first} … {last}"),
        }
    }
}

/// The mark's path in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// The mark in `data_dir`: None when there is none, or when it does not read (a mark torn by a
/// power cut is behind by definition: it is made again from the store).
pub fn read(data_dir: &Path) -> Option<Numbered> {
    let path = path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let mark = Numbered::parse(&text);
            if mark.is_none() {
                tracing::warn!(path = %path.display(), "the high-water mark does not read; it is made again from the store");
            }
            mark
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the high-water mark; it is made again from the store");
            None
        }
    }
}

/// Writes the mark: a new file renamed over the old one, so a reader finds one or the other
/// whole. No fsync, on purpose (see the module's doc): it must never be ahead of sled.
pub fn write(data_dir: &Path, mark: &Numbered) -> std::io::Result<()> {
    let path = path(data_dir);
    let fresh = path.with_extension("new");
    let mut file = std::fs::File::create(&fresh)?;
    file.write_all(format!("{mark}\n").as_bytes())?;
    drop(file);
    std::fs::rename(&fresh, &path)
}

/// The mark of one open store: the highest id numbered in this run (or found at the open), and
/// the highest written to the file. Both only grow; the file is written under the lock, so two
/// flushes cannot write them out of order.
pub(super) struct HighWater {
    dir: PathBuf,
    state: std::sync::Mutex<State>,
    /// The store's loss found at the open, if it was behind its mark.
    lost: Option<Loss>,
}

#[derive(Default)]
struct State {
    numbered: Option<Numbered>,
    written: Option<Numbered>,
}

impl HighWater {
    /// The mark of the store in `dir`, which holds `held` (its highest id) and numbers
    /// `held_on(day)` on a day. With no mark yet (a data directory of an earlier release, or a
    /// mark torn by a power cut) one is made from what the store holds; behind the store (a
    /// power cut after sled's fsync, before the mark's rename), it is moved up to it.
    pub(super) fn open(dir: &Path, held: Option<Numbered>, held_on: impl Fn(&str) -> u32) -> HighWater {
        let mark = read(dir);
        let lost = mark.as_ref().and_then(|m| Loss::of(m, held_on(&m.day), held.clone()));
        let numbered = held.clone().max(mark.clone());
        let high_water = HighWater {
            dir: dir.to_path_buf(),
            state: std::sync::Mutex::new(State {
                numbered: numbered.clone(),
                written: mark,
            }),
            lost,
        };
        high_water.write_up_to(numbered);
        high_water
    }

    pub(super) fn lost(&self) -> Option<&Loss> {
        self.lost.as_ref()
    }

    /// Notes an id numbered, once its write is applied (not yet durable).
    pub(super) fn numbered(&self, id: Numbered) {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.numbered.as_ref().is_none_or(|n| *n < id) {
            state.numbered = Some(id);
        }
    }

    /// The highest id numbered so far: taken before an fsync, it is durable once that returns.
    pub(super) fn highest(&self) -> Option<Numbered> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .numbered
            .clone()
    }

    /// Writes `durable` (an id made durable) as the mark, unless the mark is there already.
    /// A failure is logged, never returned: the store is fine, and the mark stays behind, which
    /// only means a loss past it would go unnoticed until the next write succeeds.
    pub(super) fn write_up_to(&self, durable: Option<Numbered>) {
        let Some(durable) = durable else { return };
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.written.as_ref().is_some_and(|w| *w >= durable) {
            return;
        }
        match write(&self.dir, &durable) {
            Ok(()) => state.written = Some(durable),
            Err(e) => {
                tracing::warn!(path = %path(&self.dir).display(), error = %e, "cannot write the high-water mark")
            }
        }
    }
}

/// Ids of the day's numbering whose troubles were lost with a damaged log, the loss accepted
/// (`accept-loss`, or a restore of a backup older than the mark): key `lost accepted:ID`, the
/// value when. `verify` names them apart from the troubles deleted by hand.
const ACCEPTED_LOST: &[u8] = b"lost accepted:";

impl SledStore {
    /// Reads the mark beside the store in `dir` against what the store holds (see
    /// [`HighWater::open`]).
    pub(super) fn open_high_water(&self, dir: &Path) -> Result<(), StoreError> {
        let held = self.highest_held()?;
        let counters = &self.counters;
        let held_on = |day: &str| numbered_on(counters, day).unwrap_or(0);
        let _ = self.high_water.set(HighWater::open(dir, held, held_on));
        Ok(())
    }

    /// The highest id the day's numbering gave out, of all days.
    fn highest_held(&self) -> Result<Option<Numbered>, StoreError> {
        let mut highest: Option<Numbered> = None;
        for record in self.counters.iter() {
            let (day, last) = record?;
            let held = Numbered {
                day: String::from_utf8_lossy(&day).into_owned(),
                seq: u32::from_be_bytes(last.as_ref().try_into().unwrap_or([0; 4])),
            };
            if held.seq > 0 && highest.as_ref().is_none_or(|h| *h < held) {
                highest = Some(held);
            }
        }
        Ok(highest)
    }

    /// Notes an id the numbering gave out, its write applied: the next group commit's fsync
    /// makes it durable, and then the mark.
    pub(super) fn numbered(&self, day: &str, seq: u32) {
        if let Some(hw) = self.high_water.get() {
            hw.numbered(Numbered { day: day.into(), seq });
        }
    }

    /// The highest id numbered so far (taken before an fsync).
    pub(super) fn highest_numbered(&self) -> Option<Numbered> {
        self.high_water.get().and_then(HighWater::highest)
    }

    /// Moves the mark up to `durable`, an id an fsync just made durable.
    pub(super) fn mark_high_water(&self, durable: Option<Numbered>) {
        if let Some(hw) = self.high_water.get() {
            hw.write_up_to(durable);
        }
    }

    /// What this store lost, found when it was opened: it was behind the mark beside it.
    /// `serve` refuses to start on it.
    pub fn lost_at_open(&self) -> Option<&Loss> {
        self.high_water.get().and_then(HighWater::lost)
    }

    /// The mark beside this store, as its file says now.
    pub fn own_mark(&self) -> Option<Numbered> {
        self.high_water.get().and_then(|hw| read(&hw.dir))
    }

    /// What this store lacks of what `mark` says was numbered (a data directory's mark, read
    /// by `verify` for the copy of its store it checks); None when it holds it.
    pub fn behind(&self, mark: Option<&Numbered>) -> Result<Option<Loss>, StoreError> {
        let Some(mark) = mark else { return Ok(None) };
        Ok(Loss::of(
            mark,
            numbered_on(&self.counters, &mark.day)?,
            self.highest_held()?,
        ))
    }

    /// Accepts the loss the mark beside this store shows (`accept-loss`; `restore` of a backup
    /// older than the mark): the lost ids are recorded as lost (`verify` names them apart), and
    /// the mark's day numbers on after the mark, so no id is given out twice. None when the
    /// store is not behind its mark. Idempotent: a crash midway is completed by running it again.
    pub fn accept_loss(&self, now: DateTime<Utc>) -> Result<Option<Loss>, StoreError> {
        let Some(hw) = self.high_water.get() else {
            return Ok(None);
        };
        let _writer = self.lock()?;
        let Some(loss) = self.behind(read(&hw.dir).as_ref())? else {
            return Ok(None);
        };
        // The ids first: a crash before the count moves leaves the loss to be accepted again.
        for id in &loss.missing {
            let key = [ACCEPTED_LOST, id.as_bytes()].concat();
            self.halting(self.db.insert(key, now.to_rfc3339().as_bytes()))?;
        }
        let issued = &loss.issued;
        self.halting(self.counters.insert(issued.day.as_bytes(), &issued.seq.to_be_bytes()))?;
        self.halting(self.db.flush().map(drop))?;
        hw.numbered(issued.clone());
        Ok(Some(loss))
    }

    /// Whether `id` was lost with a damaged log and accepted as lost.
    pub(super) fn accepted_as_lost(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.db.contains_key([ACCEPTED_LOST, id.as_bytes()].concat())?)
    }

    /// The ids accepted as lost, with when, in order.
    pub fn accepted_lost(&self) -> Result<Vec<(TroubleId, String)>, StoreError> {
        let mut lost = Vec::new();
        for record in self.db.scan_prefix(ACCEPTED_LOST) {
            let (key, when) = record?;
            let id = String::from_utf8_lossy(&key[ACCEPTED_LOST.len()..]).into_owned();
            lost.push((TroubleId::new(id), String::from_utf8_lossy(&when).into_owned()));
        }
        // Keys sort as bytes (`-10` before `-2`): in the numbering's order instead.
        lost.sort_by_key(|(id, _)| Numbered::parse(id.as_str()));
        Ok(lost)
    }
}

/// How many ids the numbering gave out on `day`.
fn numbered_on(counters: &sled::Tree, day: &str) -> Result<u32, StoreError> {
    Ok(counters
        .get(day.as_bytes())?
        .map_or(0, |b| u32::from_be_bytes(b.as_ref().try_into().unwrap_or([0; 4]))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(day: &str, seq: u32) -> Numbered {
        Numbered { day: day.into(), seq }
    }

    #[test]
    fn ids_order_by_day_then_number_and_only_ids_parse() {
        assert!(n("20261130", 10) > n("20261130", 9));
        assert!(n("20261201", 1) > n("20261130", 99));
        assert_eq!(Numbered::parse("20261130-7\n"), Some(n("20261130", 7)));
        for bad in ["", "2026113-7", "20261130-0", "20261130-x", "\0\0\0\0", "20261130"] {
            assert_eq!(Numbered::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_store_behind_its_mark_has_lost_the_ids_numbered_after_its_own() {
        let issued = n("20261130", 7);
        let loss = Loss::of(&issued, 3, Some(n("20261130", 3))).unwrap();
        assert_eq!(loss.missing, ["20261130-4", "20261130-5", "20261130-6", "20261130-7"]);
        assert_eq!(loss.missing_shown(), "20261130-4 … 20261130-7");
        assert_eq!(Loss::of(&issued, 7, None), None);
        assert_eq!(Loss::of(&issued, 0, None).unwrap().missing.len(), 7);
    }

    /// The file is made from the store when there is none (or a torn one), moved up to the
    /// store when behind it, never moved down, and kept when the store is behind it.
    #[test]
    fn the_mark_is_made_moved_up_and_never_moved_down() {
        let dir = tempfile::tempdir().unwrap();
        let held = |seq| move |day: &str| if day == "20261130" { seq } else { 0 };
        let hw = HighWater::open(dir.path(), Some(n("20261130", 2)), held(2));
        assert_eq!(read(dir.path()), Some(n("20261130", 2)));
        assert!(hw.lost().is_none());
        hw.numbered(n("20261130", 3));
        hw.numbered(n("20261129", 9));
        hw.write_up_to(hw.highest());
        assert_eq!(read(dir.path()), Some(n("20261130", 3)));
        hw.write_up_to(Some(n("20261130", 1)));
        assert_eq!(read(dir.path()), Some(n("20261130", 3)));

        let hw = HighWater::open(dir.path(), Some(n("20261130", 1)), held(1));
        assert_eq!(
            hw.lost().map(|l| l.missing.clone()),
            Some(vec!["20261130-2".into(), "20261130-3".into()])
        );
        assert_eq!(
            read(dir.path()),
            Some(n("20261130", 3)),
            "a loss leaves the mark as it is"
        );

        std::fs::write(path(dir.path()), b"").unwrap();
        let hw = HighWater::open(dir.path(), Some(n("20261130", 1)), held(1));
        assert!(hw.lost().is_none());
        assert_eq!(read(dir.path()), Some(n("20261130", 1)));
    }
    /// Flushes on several tasks each write the mark: a reader never finds it torn or moved
    /// down, and it ends at the highest id numbered.
    #[test]
    fn marks_written_from_several_threads_only_go_up_and_always_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let hw = std::sync::Arc::new(HighWater::open(dir.path(), None, |_| 0));
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                let mut last = None;
                let mut reads = 0;
                while !done.load(std::sync::atomic::Ordering::SeqCst) || reads == 0 {
                    if let Ok(text) = std::fs::read_to_string(path(dir.path())) {
                        let mark = Numbered::parse(&text).unwrap_or_else(|| panic!("torn: {text:?}"));
                        assert!(Some(&mark) >= last.as_ref(), "{mark} after {last:?}");
                        last = Some(mark);
                        reads += 1;
                    }
                }
            });
            let writers: Vec<_> = (0..4)
                .map(|t| {
                    let hw = hw.clone();
                    scope.spawn(move || {
                        for seq in (1..=400).filter(|s| s % 4 == t) {
                            hw.numbered(n("20261130", seq));
                            hw.write_up_to(hw.highest());
                        }
                    })
                })
                .collect();
            for w in writers {
                w.join().unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            reader.join().unwrap();
        });
        assert_eq!(read(dir.path()), Some(n("20261130", 400)));
    }
}
