//! Slack's pace, kept by the deliverer and held in the bot's shared state: when the next
//! message to a channel may go, the calls waiting for one channel's turn together, and whether
//! Slack can be reached at all and takes the bot token (one call probing while it cannot, or
//! does not).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{oneshot, watch};

use crate::clock::Clock;
use crate::i18n::combined::Combined;
use crate::slack::SlackError;
use crate::store::Claim;
use crate::trouble::decide::{Message, Outcome, Slot};
use crate::trouble::model::{ChannelId, PostedMessage, Trouble, TroubleId, Ts};

/// Slack calls in flight at once, outside the DM lane.
pub(crate) const DELIVERY_SLOTS: usize = 64;
/// The DM lane's calls in flight at once: slots of their own, so the first ping never queues
/// behind channel set-up. Its bound matters only while Slack holds calls without answering (a
/// partition): every trouble opened meanwhile had its DM in flight, ~5,000 of them held 370 MB.
/// With the delivery slots, the connections the Slack client keeps idle.
pub(crate) const DM_SLOTS: usize = 192;
// Every call the slots let be in flight goes back to the Slack client's idle pool afterwards.
const _: () = assert!(DELIVERY_SLOTS + DM_SLOTS <= crate::slack::client::POOL_IDLE_PER_HOST);
/// The pacer keeps at most about this many channels before forgetting quiet ones.
const PACER_FORGET_ABOVE: usize = 4096;
/// The calls gathering for a channel's turn: entries are kept while a burst may still follow.
const GATHERINGS_FORGET_ABOVE: usize = 64;
/// The longest wait between two tries of a call, and between two probes while Slack cannot be
/// reached: short enough that a Slack outage is caught up within seconds of its end.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// How long a probe (see [`Pacer::wait_for_slack`]) holds the other calls back before another
/// may try: its answer comes at once when Slack refuses or answers 5xx, and it may first wait a
/// channel's turn. While calls hang until `slack_timeout`, a probe goes this often.
pub(crate) const PROBE_LEASE: Duration = Duration::from_secs(3);
/// Calls failing to reach Slack in a row, with no answer from it between, that mark it
/// unreachable: a timeout or a 5xx now and then is Slack's bad moment, not an outage, and
/// holding every lane back for a probe at each one slowed a run at 30% faults threefold.
/// In an outage the calls in flight fail together, and reach this at once.
pub(crate) const UNREACHABLE_AFTER: u32 = 8;
/// While Slack refuses the bot token, one call tries again this often: only an admin mends
/// that (a restart with a new token goes on at once in any case), and each try is logged.
pub(crate) const REFUSED_PROBE_EVERY: Duration = Duration::from_secs(30);

/// How long to wait before the try after `attempt` failed ones.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let ms = 250u64.saturating_mul(1u64 << attempt.min(8));
    Duration::from_millis(ms).min(MAX_BACKOFF)
}

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
    /// How often each channel gets a turn to post.
    pub(crate) turn: Duration,
    pub(crate) next: Mutex<Forgetful<PaceKey, DateTime<Utc>>>,
    pub(crate) gatherings: Mutex<Forgetful<(ChannelId, Combined), Gathering>>,
    /// One edit at a time per combined message, and the order in which refreshes arrived.
    pub(crate) edits: Mutex<Forgetful<(ChannelId, Ts), EditLock>>,
    pub(crate) arrivals: AtomicU64,
    /// Set while Slack cannot be reached or refuses the bot token (see [`Pacer::wait_for_slack`]).
    held: watch::Sender<Option<Held>>,
    /// Calls that failed to reach Slack since its last answer.
    failures_in_a_row: AtomicU32,
    /// The troubles looked at since Slack began refusing the bot token (see
    /// [`Pacer::first_look_while_refused`]).
    looked_at_while_refused: Mutex<HashSet<TroubleId>>,
}

/// Every call waits for one probe: Slack could not be reached ([`UNREACHABLE_AFTER`] calls in a
/// row failed to), or it refused the bot token. Since when, and when one call may next find out
/// whether that is over.
#[derive(Clone, Copy, Debug)]
struct Held {
    since: DateTime<Utc>,
    /// Slack answers, but refuses the bot token (see `SlackError::refuses_token`).
    token_refused: bool,
    failed_probes: u32,
    next_probe: DateTime<Utc>,
}

impl Held {
    /// How long after a failed probe the next one goes.
    fn probe_interval(&self) -> Duration {
        if self.token_refused {
            REFUSED_PROBE_EVERY
        } else {
            backoff(self.failed_probes)
        }
    }
}

/// How a call passed [`Pacer::wait_for_slack`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Slack was reachable, as far as the bot knew.
    Reachable,
    /// Slack could not be reached: this call finds out whether it is back, the others wait.
    Probe,
}

/// A map of channels whose quiet entries are forgotten in amortised constant time: it is looked
/// over only once it has grown past twice what the last look kept (and past `floor`). A busy
/// bot has thousands of channels in a second; looking over all of them at every call took
/// more CPU than the call's own pacing.
pub(crate) struct Forgetful<K, V> {
    map: HashMap<K, V>,
    floor: usize,
    look_above: usize,
}

impl<K: std::hash::Hash + Eq, V> Forgetful<K, V> {
    fn new(floor: usize) -> Self {
        Forgetful {
            map: HashMap::new(),
            floor,
            look_above: floor,
        }
    }

    /// Keeps only the entries `keep` says are still in use, when it is time to look.
    pub(crate) fn forget(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        if self.map.len() > self.look_above {
            self.map.retain(keep);
            self.look_above = (2 * self.map.len()).max(self.floor);
        }
    }
}

impl<K, V> std::ops::Deref for Forgetful<K, V> {
    type Target = HashMap<K, V>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl<K, V> std::ops::DerefMut for Forgetful<K, V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.map
    }
}

/// Held while a combined message is edited: the arrival number of the latest refresh whose
/// troubles were read for an edit.
pub(crate) type EditLock = Arc<tokio::sync::Mutex<u64>>;

/// A call that would post a message several troubles can share (see [`Combined`]).
pub(crate) struct Waiter {
    pub(crate) claim: Claim,
    pub(crate) trouble: std::sync::Arc<Trouble>,
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
    /// A pacer giving each channel a turn every `turn` ([`crate::config::CHANNEL_TURN`] but in
    /// tests). It allows itself a burst of two (one turn of tolerance): pacing by departure
    /// time, it keeps a token in hand for the jitter between leaving here and arriving at Slack.
    pub fn new(clock: Clock, turn: Duration) -> Pacer {
        Pacer {
            clock,
            turn,
            next: Mutex::new(Forgetful::new(PACER_FORGET_ABOVE)),
            gatherings: Mutex::new(Forgetful::new(GATHERINGS_FORGET_ABOVE)),
            edits: Mutex::new(Forgetful::new(PACER_FORGET_ABOVE)),
            arrivals: AtomicU64::new(1),
            held: watch::channel(None).0,
            failures_in_a_row: Default::default(),
            looked_at_while_refused: Default::default(),
        }
    }

    /// Waits while Slack cannot be reached (or refuses the bot token) and another call is
    /// finding out whether that is over (at most until `until`: None then, for the caller to
    /// renew its claim and ask again).
    /// In an outage every busy lane of every trouble queued meanwhile would otherwise retry on
    /// its own, each retry writing and flushing its attempt record and logging its failure:
    /// tens of megabytes a second for a few thousand troubles. Waiting here, a call writes and
    /// sends nothing. A probe that is slow to answer, or vanishes, passes on after [`PROBE_LEASE`].
    /// A call that carries no token (`needs_token` false: a `response_url`) is not held while
    /// Slack only refuses the token.
    pub(crate) async fn wait_for_slack(&self, until: DateTime<Utc>, needs_token: bool) -> Option<Pass> {
        // Every call asks: while Slack answers, a shared read is all it costs.
        if !self.holds(needs_token) {
            return Some(Pass::Reachable);
        }
        let mut changed = self.held.subscribe();
        loop {
            if !self.holds(needs_token) {
                return Some(Pass::Reachable);
            }
            let now = self.clock.now();
            // Ok: how this call goes; Err: when the next probe may go.
            let mut turn = Ok(Pass::Reachable);
            // Taking the probe notifies nobody: the others wait for its outcome.
            self.held.send_if_modified(|held| {
                if let Some(h) = held {
                    turn = if now >= h.next_probe {
                        h.next_probe = now + span(PROBE_LEASE);
                        Ok(Pass::Probe)
                    } else {
                        Err(h.next_probe)
                    };
                }
                false
            });
            let next_probe = match turn {
                Ok(pass) => return Some(pass),
                Err(next_probe) => next_probe,
            };
            if now >= until {
                return None;
            }
            tokio::select! {
                _ = self.clock.sleep_until(next_probe.min(until)) => {}
                _ = changed.changed() => {}
            }
        }
    }

    /// A call had Slack's answer, whatever it said, and Slack takes the bot token as far as
    /// the bot knows: calls may go.
    pub(crate) fn slack_answered(&self) {
        // Read first: most answers find it zero, and a store would bounce its cache line.
        if self.failures_in_a_row.load(Ordering::Relaxed) != 0 {
            self.failures_in_a_row.store(0, Ordering::Relaxed);
        }
        if self.held.borrow().is_none() {
            return;
        }
        let now = self.clock.now();
        self.held.send_if_modified(|held| match held.take() {
            Some(h) => {
                let secs = (now - h.since).num_milliseconds() as f64 / 1000.0;
                let what = if h.token_refused {
                    self.looked_at_while_refused
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .clear();
                    "takes the bot token"
                } else {
                    "answers"
                };
                tracing::info!(after_secs = secs, "Slack {what} again; the calls waiting for it go on");
                true
            }
            None => false,
        });
    }

    /// A call that passed as `pass` could not reach Slack: the [`UNREACHABLE_AFTER`]th in a row
    /// marks it unreachable. A probe's failure sets the next probe further off; calls that left
    /// before Slack was known unreachable change nothing.
    pub(crate) fn slack_unreachable(&self, pass: Pass) {
        let in_a_row = self.failures_in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        if in_a_row < UNREACHABLE_AFTER && self.held.borrow().is_none() {
            return;
        }
        let now = self.clock.now();
        self.held.send_if_modified(|held| match held {
            None => {
                tracing::warn!("Slack cannot be reached; one call at a time tries until it answers");
                // The first probe goes at once: if the failures were Slack's moment, the others
                // wait no longer than the probe's answer.
                *held = Some(Held {
                    since: now,
                    token_refused: false,
                    failed_probes: 0,
                    next_probe: now,
                });
                true
            }
            Some(h) if pass == Pass::Probe => {
                h.failed_probes += 1;
                h.next_probe = now + span(h.probe_interval());
                true
            }
            Some(_) => false,
        });
    }

    /// A call that passed as `pass` heard Slack refuse the bot token: every call waits, and
    /// one tries again every [`REFUSED_PROBE_EVERY`], until Slack takes it (or a restart with
    /// another token). Dropped instead, each would be lost: the manager's first ping among them.
    pub(crate) fn slack_refuses_token(&self, pass: Pass) {
        let now = self.clock.now();
        self.held.send_if_modified(|held| match held {
            Some(h) if h.token_refused => {
                if pass == Pass::Probe {
                    h.failed_probes += 1;
                    h.next_probe = now + span(REFUSED_PROBE_EVERY);
                }
                pass == Pass::Probe
            }
            _ => {
                *held = Some(Held {
                    since: now,
                    token_refused: true,
                    failed_probes: 0,
                    next_probe: now + span(REFUSED_PROBE_EVERY),
                });
                true
            }
        });
    }

    /// A call that passed as `pass` learnt nothing of Slack: if it was the probe, the next call
    /// waiting is the probe now.
    pub(crate) fn probe_unused(&self, pass: Pass) {
        if pass != Pass::Probe {
            return;
        }
        let now = self.clock.now();
        self.held.send_if_modified(|held| match held {
            Some(h) => {
                h.next_probe = now;
                true
            }
            None => false,
        });
    }

    /// Whether this is the first look at `trouble` since Slack began refusing the bot token: its
    /// reporter hears once that their manager was not pinged (see `runtime::deliver`), unless
    /// the answer to the open said so already.
    pub(crate) fn first_look_while_refused(&self, trouble: &TroubleId) -> bool {
        let mut looked = self.looked_at_while_refused.lock().unwrap_or_else(|e| e.into_inner());
        if looked.contains(trouble) {
            return false;
        }
        // A refusal that lasts through thousands of opens: a reporter may hear it twice.
        if looked.len() >= PACER_FORGET_ABOVE {
            looked.clear();
        }
        looked.insert(trouble.clone())
    }

    /// Whether a call waits for a probe: any while Slack cannot be reached, those carrying the
    /// token (`needs_token`) while it refuses the token.
    pub(crate) fn holds(&self, needs_token: bool) -> bool {
        self.held.borrow().is_some_and(|h| needs_token || !h.token_refused)
    }

    /// Since when Slack cannot be reached, if it cannot.
    pub(crate) fn slack_unreachable_since(&self) -> Option<DateTime<Utc>> {
        self.held.borrow().filter(|h| !h.token_refused).map(|h| h.since)
    }

    /// The lock that keeps edits of one combined message in order.
    pub(crate) fn edit_lock(&self, message: &PostedMessage) -> EditLock {
        let mut edits = self.edits.lock().expect("edits lock");
        edits.forget(|_, lock| Arc::strong_count(lock) > 1);
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
            next.forget(|_, tat| *tat > now);
            let tat = next.get(&key).copied().unwrap_or(now).max(now);
            next.insert(key, tat + span(self.turn));
            tat - span(self.turn)
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
            self.clock.sleep_until(until - span(self.turn)).await;
        }
    }

    /// Holds a channel (or a method) back after Slack said 429 for it.
    pub(crate) fn hold(&self, key: PaceKey, for_: Duration) {
        let mut next = self.next.lock().expect("pacer lock");
        let until = self.clock.now() + span(for_) + span(self.turn);
        let entry = next.entry(key).or_insert(until);
        *entry = (*entry).max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::{Forgetful, Pacer, Pass, PROBE_LEASE, REFUSED_PROBE_EVERY, UNREACHABLE_AFTER};
    use crate::clock::Clock;
    use crate::config::CHANNEL_TURN;
    use std::time::Duration;

    /// A manual clock and where it starts.
    fn manual_clock() -> (chrono::DateTime<chrono::Utc>, Clock) {
        let start = chrono::DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        (start, Clock::manual(start))
    }

    #[tokio::test]
    async fn while_slack_cannot_be_reached_one_call_at_a_time_tries_and_an_answer_lets_all_go() {
        let (start, clock) = manual_clock();
        let manual = clock.as_manual().unwrap();
        let pacer = Pacer::new(clock.clone(), CHANNEL_TURN);
        let far = start + chrono::Duration::hours(1);
        // `until` already past: a call that must wait returns at once, to renew and ask again.
        let ask = || pacer.wait_for_slack(clock.now(), true);
        assert_eq!(ask().await, Some(Pass::Reachable));
        assert_eq!(pacer.slack_unreachable_since(), None);

        // A failure now and then is not an outage; an answer between failures starts over.
        for _ in 1..UNREACHABLE_AFTER {
            pacer.slack_unreachable(Pass::Reachable);
        }
        pacer.slack_answered();
        for _ in 1..UNREACHABLE_AFTER {
            pacer.slack_unreachable(Pass::Reachable);
        }
        assert_eq!(
            ask().await,
            Some(Pass::Reachable),
            "{} failures in a row",
            UNREACHABLE_AFTER - 1
        );
        assert_eq!(pacer.slack_unreachable_since(), None);
        pacer.slack_unreachable(Pass::Reachable);
        // The manual clock also runs at the speed of real time: margins of 100 ms below.
        let since = pacer.slack_unreachable_since().expect("unreachable");
        assert!(since >= start && since < start + chrono::Duration::milliseconds(100));
        assert_eq!(ask().await, Some(Pass::Probe), "the first probe at once");
        assert_eq!(ask().await, None, "one probe at a time");
        assert_eq!(
            pacer.wait_for_slack(clock.now(), false).await,
            None,
            "a response_url waits in an outage too"
        );
        // A call that left before Slack was known unreachable changes nothing.
        pacer.slack_unreachable(Pass::Reachable);
        pacer.slack_unreachable(Pass::Probe);
        manual.advance(Duration::from_millis(400));
        assert_eq!(ask().await, None, "the next probe half a second after the failed one");
        manual.advance(Duration::from_millis(100));
        assert_eq!(ask().await, Some(Pass::Probe));
        pacer.slack_unreachable(Pass::Probe);
        manual.advance(Duration::from_millis(900));
        assert_eq!(ask().await, None, "then a second after");
        manual.advance(Duration::from_millis(100));
        assert_eq!(ask().await, Some(Pass::Probe));
        // A probe that never calls Slack hands its turn on at once; one that vanishes, after its lease.
        pacer.probe_unused(Pass::Reachable);
        assert_eq!(ask().await, None);
        pacer.probe_unused(Pass::Probe);
        assert_eq!(ask().await, Some(Pass::Probe));
        assert_eq!(ask().await, None);
        manual.advance(PROBE_LEASE);
        assert_eq!(ask().await, Some(Pass::Probe));
        for _ in 0..10 {
            pacer.slack_unreachable(Pass::Probe);
        }
        manual.advance(Duration::from_millis(7_900));
        assert_eq!(ask().await, None, "probes at most 8 s apart");
        manual.advance(Duration::from_millis(100));
        assert_eq!(ask().await, Some(Pass::Probe));

        // A call waiting for Slack goes on as soon as any call hears from it.
        let (waited, ()) = tokio::join!(pacer.wait_for_slack(far, true), async {
            tokio::task::yield_now().await;
            pacer.slack_answered();
        });
        assert_eq!(waited, Some(Pass::Reachable));
        assert_eq!(pacer.slack_unreachable_since(), None);
        assert_eq!(ask().await, Some(Pass::Reachable));
    }

    #[tokio::test]
    async fn a_refused_token_holds_every_call_at_once_and_one_tries_every_30_seconds() {
        let (_, clock) = manual_clock();
        let manual = clock.as_manual().unwrap();
        let pacer = Pacer::new(clock.clone(), CHANNEL_TURN);
        let ask = || pacer.wait_for_slack(clock.now(), true);
        // One refusal is Slack's answer, not its bad moment: every call waits at once.
        pacer.slack_refuses_token(Pass::Reachable);
        assert!(pacer.holds(true));
        assert_eq!(
            pacer.slack_unreachable_since(),
            None,
            "Slack answers; it is not unreachable"
        );
        assert_eq!(ask().await, None, "the first probe waits its interval");
        // A response_url carries no token: it goes.
        assert_eq!(pacer.wait_for_slack(clock.now(), false).await, Some(Pass::Reachable));
        manual.advance(REFUSED_PROBE_EVERY);
        assert_eq!(ask().await, Some(Pass::Probe));
        assert_eq!(ask().await, None, "one probe at a time");
        pacer.slack_refuses_token(Pass::Probe);
        manual.advance(REFUSED_PROBE_EVERY - Duration::from_millis(200));
        assert_eq!(ask().await, None, "not before 30 s");
        manual.advance(Duration::from_millis(200));
        assert_eq!(ask().await, Some(Pass::Probe));
        // Unreachable while refused: the probes stay 30 s apart.
        pacer.slack_unreachable(Pass::Probe);
        manual.advance(Duration::from_secs(8));
        assert_eq!(ask().await, None);
        manual.advance(REFUSED_PROBE_EVERY);
        assert_eq!(ask().await, Some(Pass::Probe));
        // Taken again: every call goes.
        pacer.slack_answered();
        assert!(!pacer.holds(true));
        assert_eq!(ask().await, Some(Pass::Reachable));
    }

    #[test]
    fn a_forgetful_map_drops_quiet_entries_and_looks_over_a_busy_one_rarely() {
        let mut map = Forgetful::new(64);
        let mut looked = 0;
        for n in 0..10_000u32 {
            map.insert(n, n % 10 == 0);
            map.forget(|_, busy| {
                looked += 1;
                *busy
            });
        }
        assert!(
            map.len() <= 2 * 1_000 + 64,
            "quiet entries were forgotten: {}",
            map.len()
        );
        assert!(map.values().filter(|busy| **busy).count() == 1_000, "busy ones kept");
        // Looking at every call would visit ~ten million entries.
        assert!(looked < 40_000, "looked over {looked} entries");
        let mut all_busy = Forgetful::new(64);
        let mut looked = 0;
        for n in 0..10_000u32 {
            all_busy.insert(n, ());
            all_busy.forget(|_, _| {
                looked += 1;
                true
            });
        }
        assert_eq!(all_busy.len(), 10_000);
        assert!(
            looked < 30_000,
            "a map that keeps everything is looked over {looked} times"
        );
    }
}
