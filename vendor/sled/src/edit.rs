//! trouble-bot (TROUBLE-BOT.md item 11): a value written as what it changes in the value before it.

use crate::IVec;

/// A value made from another: the other's first `keep` bytes, then `mid`, then the other's
/// `span` bytes from `at`, then `tail`. A record that grows by an entry, learns a field or
/// flips a flag is mostly bytes its previous value already holds; an edit names those by
/// place and carries only the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Bytes kept from the start of the value edited.
    pub keep: usize,
    /// Bytes of the result's own after those.
    pub mid: IVec,
    /// Where the copied span starts in the value edited.
    pub at: usize,
    /// Bytes copied from the value edited, from `at`.
    pub span: usize,
    /// Bytes of the result's own at its end.
    pub tail: IVec,
}

/// The most bytes [`Edit::between`] tries as changed in place before the rest of the two
/// values lines up again (a count in front of entries: up to four bytes of a varint).
const CHANGED_IN_PLACE: usize = 4;

impl Edit {
    /// An edit that makes `to` of `from`: what both start with, then the one of these with
    /// the fewest bytes of its own:
    /// - the rest of `to` up to what both end with (a field learnt or changed in the middle);
    /// - one to four bytes of `to`, then what both hold alike at the same place after them,
    ///   then the rest of `to` (a count in front of entries, and an entry appended).
    pub fn between(from: &[u8], to: &[u8]) -> Edit {
        let keep = alike(from.iter(), to.iter());
        let ends = alike(from[keep..].iter().rev(), to[keep..].iter().rev());
        // Each as (where `mid` ends in `to`, at, span, where `tail` starts in `to`).
        let by_end = (to.len() - ends, from.len() - ends, ends, to.len());
        let in_place = (1..=CHANGED_IN_PLACE).filter_map(|changed| {
            let at = keep + changed;
            let span = alike(from.get(at..)?.iter(), to.get(at..)?.iter());
            Some((at, at, span, at + span))
        });
        let own = |&(mid_end, _, _, tail_start): &(usize, usize, usize, usize)| {
            mid_end - keep + to.len() - tail_start
        };
        let (mid_end, at, span, tail_start) =
            in_place.chain([by_end]).min_by_key(own).expect("by_end is always a candidate");
        Edit {
            keep,
            mid: to[keep..mid_end].into(),
            at,
            span,
            tail: to[tail_start..].into(),
        }
    }

    /// The bytes the edit carries of its own.
    pub fn own_len(&self) -> usize {
        self.mid.len() + self.tail.len()
    }

    /// The length of what it makes.
    pub fn result_len(&self) -> usize {
        self.keep + self.mid.len() + self.span + self.tail.len()
    }

    /// What the edit makes of `from`; None when `from` is too short for it.
    pub fn made_of(&self, from: &[u8]) -> Option<Vec<u8>> {
        let head = from.get(..self.keep)?;
        let copied = from.get(self.at..self.at.checked_add(self.span)?)?;
        Some([head, &self.mid, copied, &self.tail].concat())
    }
}

/// How many items `a` and `b` start with alike.
fn alike<T: PartialEq>(a: impl Iterator<Item = T>, b: impl Iterator<Item = T>) -> usize {
    a.zip(b).take_while(|(x, y)| x == y).count()
}
