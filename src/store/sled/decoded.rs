//! The troubles decisions wrote or read lately, kept decoded: a delivery reads its trouble for each Slack call and for each result, and decoding it each time took ~5% of the CPU of the bench's open rows.
//!
//! Only the writes fill it: with each trouble a write set stored, once it is applied (under the
//! applier's lock), and with a trouble a decision read from the trees (under the writer lock).
//! So it never runs ahead of the trees. It falls behind them only for a trouble the write set
//! being applied wrote, which a decision made meanwhile reads through that set instead (and
//! does not keep: `read_in`); a reader without the locks may see the value of just before a
//! write, as it would reading the trees a moment earlier.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::trouble::model::{Trouble, TroubleId};

/// Troubles per generation: the last write's generation is kept whole beside the current one,
/// so between this many and twice as many troubles are kept. A decoded trouble with its channel,
/// four messages and a two-step chain holds ~3.3 KB (measured), so at most ~3.4 MB. At 256,
/// under the bench's `wrk` open load (deliveries run seconds behind the opens) a delivery's
/// result often found its trouble gone, and decoding it again was about 2% of the bot's samples;
/// at 512 it is 0.3%.
const GENERATION: usize = 512;

#[derive(Default)]
pub(super) struct Decoded {
    generations: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    current: HashMap<TroubleId, Arc<Trouble>>,
    previous: HashMap<TroubleId, Arc<Trouble>>,
}

impl Decoded {
    pub(super) fn get(&self, id: &TroubleId) -> Option<Arc<Trouble>> {
        let g = self.generations.lock().unwrap_or_else(PoisonError::into_inner);
        g.current.get(id).or_else(|| g.previous.get(id)).cloned()
    }

    /// Keeps `t` as the trouble now stored. Called with a write lock held.
    pub(super) fn put(&self, t: Arc<Trouble>) {
        let mut g = self.generations.lock().unwrap_or_else(PoisonError::into_inner);
        g.previous.remove(&t.id);
        if g.current.len() >= GENERATION {
            g.previous = std::mem::take(&mut g.current);
        }
        g.current.insert(t.id.clone(), t);
    }

    /// Forgets everything: after a write set failed halfway, what is stored is unsure.
    pub(super) fn clear(&self) {
        let mut g = self.generations.lock().unwrap_or_else(PoisonError::into_inner);
        *g = Generations::default();
    }
}
