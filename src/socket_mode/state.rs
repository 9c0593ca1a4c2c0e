//! What the bot knows about its Socket Mode connections (how many are up, or why none is) and
//! the envelopes it has answered: state the shell shares, with nothing of the runner in it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::watch;

/// Envelope ids (and event ids) remembered with their answers.
const REMEMBERED: usize = 4096;

/// What the bot knows about its sockets: `/healthz` reports it.
#[derive(Default)]
pub struct SocketState {
    status: Mutex<Status>,
    answered: Mutex<Answered>,
    /// Until when (on the app's clock) Slack asked the app not to call `apps.connections.open`
    /// (its `Retry-After`): shared, so no slot asks earlier.
    opens_held: Mutex<Option<DateTime<Utc>>>,
    /// The slots not asking for a socket now, and until when.
    waiting: Mutex<BTreeMap<usize, Waiting>>,
    /// The error with which Slack last refused the app-level token (None once it took it).
    app_token_refused: Mutex<Option<String>>,
    /// Why the bot asks for no more connections (Slack turned Socket Mode off for the app).
    given_up: Mutex<Option<String>>,
}

/// Why a slot is not asking for a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// Until `at` on the app's clock (a backoff, or Slack's `Retry-After`): a wait of `wait`.
    Until { at: DateTime<Utc>, wait: Duration },
    /// For good: Slack turned Socket Mode off for the app.
    ForGood,
}

#[derive(Default)]
struct Status {
    connected: usize,
    last_problem: Option<String>,
}

impl SocketState {
    /// The number of sockets up, or why none is.
    pub fn health(&self) -> Result<usize, String> {
        if let Some(why) = self.given_up.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Err(why);
        }
        let status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        match status.connected {
            0 => Err(status
                .last_problem
                .clone()
                .unwrap_or_else(|| "no connection to Slack yet".into())),
            n => Ok(n),
        }
    }

    pub(super) fn up(&self) {
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        status.connected += 1;
    }

    pub(super) fn down(&self, why: String) {
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        status.connected = status.connected.saturating_sub(1);
        status.last_problem = Some(why);
    }

    pub(super) fn problem(&self, why: String) {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).last_problem = Some(why);
    }

    /// Records whether Slack refused the app-level token (with that error) or took it; true
    /// when that changes between refused and taken, so it is said once.
    pub(super) fn app_token_heard(&self, refused_with: Option<&str>) -> bool {
        let mut refused = self.app_token_refused.lock().unwrap_or_else(|e| e.into_inner());
        let changed = refused.is_some() != refused_with.is_some();
        *refused = refused_with.map(str::to_string);
        changed
    }

    /// No more connections are asked for, for `why`; true the first time it is said.
    pub(super) fn give_up(&self, why: &str) -> bool {
        let mut given_up = self.given_up.lock().unwrap_or_else(|e| e.into_inner());
        let first = given_up.is_none();
        given_up.get_or_insert_with(|| why.to_string());
        first
    }

    pub(super) fn given_up(&self) -> bool {
        self.given_up.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Slack asked for no new `apps.connections.open` until `until`.
    pub(super) fn hold_opens_until(&self, until: DateTime<Utc>) {
        let mut held = self.opens_held.lock().unwrap_or_else(|e| e.into_inner());
        *held = Some(held.map_or(until, |earlier| earlier.max(until)));
    }

    /// Until when no socket may be asked for, if that is still to come at `now`.
    pub(super) fn opens_held_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let held = *self.opens_held.lock().unwrap_or_else(|e| e.into_inner());
        held.filter(|until| *until > now)
    }

    /// The slots that are not asking for a socket now, and why: a test moving the bot's clock
    /// knows from this that a slot's wait has begun (a clock moved before would not end it).
    pub fn waiting(&self) -> BTreeMap<usize, Waiting> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Slot `slot` waits (`Some`), or is asking again (`None`).
    pub(super) fn wait(&self, slot: usize, waiting: Option<Waiting>) {
        let mut all = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        match waiting {
            Some(w) => all.insert(slot, w),
            None => all.remove(&slot),
        };
    }
}

/// Envelopes handled or being handled, so a redelivery is acknowledged, not handled again.
#[derive(Default)]
struct Answered {
    by_key: HashMap<String, watch::Receiver<Option<Acked>>>,
    order: VecDeque<String>,
}

/// The answer an envelope was acknowledged with (None: an empty acknowledgement).
pub(super) type Acked = Option<Value>;

pub(super) enum Seen<'a> {
    /// First time (or its first handling never answered): handle it, then
    /// [`Answering::finish`]; dropped unfinished, the next delivery is handled afresh.
    New(Answering<'a>),
    /// Handled or being handled: this resolves to its answer, or fails if that handling ends
    /// without one (then ask again).
    Before(watch::Receiver<Option<Acked>>),
}

/// An envelope being handled. Whatever ends its handling without an answer (a failure that
/// wants a redelivery, a panic, the task cut off at shutdown) drops this unfinished, which
/// forgets the envelope: a delivery waiting for its answer, or a later one, handles it afresh
/// instead of waiting for an answer that never comes.
pub(super) struct Answering<'a> {
    state: &'a SocketState,
    key: String,
    done: Option<watch::Sender<Option<Acked>>>,
}

impl Answering<'_> {
    /// Records the answer: every delivery of the envelope from now on is acknowledged with it.
    pub(super) fn finish(mut self, answer: Acked) {
        if let Some(done) = self.done.take() {
            let _ = done.send(Some(answer));
        }
    }
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        if self.done.is_some() {
            // While the sender still lives, the entry under `key` is this one.
            self.state.forget(&self.key);
        }
    }
}

impl SocketState {
    pub(super) fn begin(&self, key: &str) -> Seen<'_> {
        let mut answered = self.answered.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = answered.by_key.get(key) {
            return Seen::Before(rx.clone());
        }
        let (tx, rx) = watch::channel(None);
        answered.by_key.insert(key.to_string(), rx);
        answered.order.push_back(key.to_string());
        while answered.order.len() > REMEMBERED {
            if let Some(old) = answered.order.pop_front() {
                answered.by_key.remove(&old);
            }
        }
        Seen::New(Answering {
            state: self,
            key: key.to_string(),
            done: Some(tx),
        })
    }

    /// Handling failed in a way a redelivery may fix: the next delivery is handled afresh.
    fn forget(&self, key: &str) {
        let mut answered = self.answered.lock().unwrap_or_else(|e| e.into_inner());
        answered.by_key.remove(key);
        answered.order.retain(|k| k != key);
    }
}
