//! Slack's pace per channel, kept by the deliverer and held in the bot's shared state: when the
//! next message to a channel may go, and the calls waiting for one channel's turn together.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use crate::clock::Clock;
use crate::i18n::combined::Combined;
use crate::slack::SlackError;
use crate::store::Claim;
use crate::trouble::decide::{Message, Outcome, Slot};
use crate::trouble::model::{ChannelId, PostedMessage, Trouble, Ts};

/// Slack allows about one message a second per channel, with short bursts. The bot allows
/// itself a burst of two (one second of tolerance): pacing by departure time, it keeps a
/// token in hand for the jitter between leaving here and arriving at Slack.
pub(crate) const CHANNEL_INTERVAL: Duration = Duration::from_secs(1);
pub(crate) const CHANNEL_BURST: Duration = Duration::from_secs(1);
/// Short enough that a Slack outage is caught up within seconds of its end.
/// Slack calls in flight at once, outside the DM lane.
pub(crate) const DELIVERY_SLOTS: usize = 64;
/// The pacer keeps at most about this many channels before forgetting quiet ones.
const PACER_FORGET_ABOVE: usize = 4096;
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// What the pacer keeps a time for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PaceKey {
    /// Messages posted to a channel (and a 429 on any call about it).
    Posts(ChannelId),
    /// Edits of a channel's status message: paced apart from posts.
    Edits(ChannelId),
    /// A method Slack rate-limited as a whole (not per channel): every lane waits for it.
    Method(&'static str),
}

/// Per-channel pacing (GCRA): when the next message to a channel may go; and the calls that
/// wait for a channel's turn together, to go out as one message.
pub struct Pacer {
    pub(crate) clock: Clock,
    pub(crate) next: Mutex<HashMap<PaceKey, DateTime<Utc>>>,
    pub(crate) gatherings: Mutex<HashMap<(ChannelId, Combined), Gathering>>,
    /// One edit at a time per combined message, and the order in which refreshes arrived.
    pub(crate) edits: Mutex<HashMap<(ChannelId, Ts), EditLock>>,
    pub(crate) arrivals: AtomicU64,
}

/// Held while a combined message is edited: the arrival number of the latest refresh whose
/// troubles were read for an edit.
pub(crate) type EditLock = Arc<tokio::sync::Mutex<u64>>;

/// A call that would post a message several troubles can share (see [`Combined`]).
pub(crate) struct Waiter {
    pub(crate) claim: Claim,
    pub(crate) trouble: Trouble,
    pub(crate) message: Message,
    pub(crate) keep_as: Option<Slot>,
}

/// What a waiting call hears from the one that posted before it.
pub(crate) enum Turn {
    /// The previous message is out: this call takes the channel's next turn, for itself and
    /// whoever waits behind it.
    Lead(Box<Waiter>),
    /// Its trouble went out in that message (or the message failed, for all of them alike).
    Done(Result<Option<Outcome>, SlackError>),
    /// The call passed to another instance before the message left.
    Lost,
}

/// The calls waiting for one channel's turn. `led`: one of them is waiting for the turn now
/// and takes the others along when it comes. `last_left`: when the channel's last message of
/// this kind came back, so that a call arriving just after it knows a burst is under way.
#[derive(Default)]
pub(crate) struct Gathering {
    pub(crate) led: bool,
    pub(crate) waiting: VecDeque<(Waiter, oneshot::Sender<Turn>)>,
    pub(crate) last_left: Option<tokio::time::Instant>,
}

/// `d` as a chrono duration (the pacer's waits are a few seconds, far from overflow).
pub(crate) fn span(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Pacer {
    pub fn new(clock: Clock) -> Pacer {
        Pacer {
            clock,
            next: Mutex::default(),
            gatherings: Mutex::default(),
            edits: Mutex::default(),
            arrivals: AtomicU64::new(1),
        }
    }

    /// The lock that keeps edits of one combined message in order.
    pub(crate) fn edit_lock(&self, message: &PostedMessage) -> EditLock {
        let mut edits = self.edits.lock().expect("edits lock");
        if edits.len() > PACER_FORGET_ABOVE {
            edits.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        edits
            .entry((message.channel.clone(), message.ts.clone()))
            .or_default()
            .clone()
    }

    /// Takes the next turn for `key`: when it comes.
    pub(crate) fn turn(&self, key: PaceKey) -> DateTime<Utc> {
        {
            let mut next = self.next.lock().expect("pacer lock");
            let now = self.clock.now();
            // Forget channels that have been quiet long enough to be back at a full burst.
            if next.len() > PACER_FORGET_ABOVE {
                next.retain(|_, tat| *tat > now);
            }
            let tat = next.get(&key).copied().unwrap_or(now).max(now);
            next.insert(key, tat + span(CHANNEL_INTERVAL));
            tat - span(CHANNEL_BURST)
        }
    }

    /// Waits while Slack's `Retry-After` for `method` runs; no pacing otherwise.
    pub(crate) async fn wait_hold(&self, method: &'static str) {
        let until = self
            .next
            .lock()
            .expect("pacer lock")
            .get(&PaceKey::Method(method))
            .copied();
        if let Some(until) = until {
            self.clock.sleep_until(until - span(CHANNEL_BURST)).await;
        }
    }

    /// Holds a channel (or a method) back after Slack said 429 for it.
    pub(crate) fn hold(&self, key: PaceKey, for_: Duration) {
        let mut next = self.next.lock().expect("pacer lock");
        let until = self.clock.now() + span(for_) + span(CHANNEL_BURST);
        let entry = next.entry(key).or_insert(until);
        *entry = (*entry).max(until);
    }
}
