//! The only place the time is read, and the waits that depend on it: the system clock in
//! production, a manual clock in tests (`advance` jumps it forward and wakes whoever slept until then).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// What the shell reads the time from and waits on. Not for I/O deadlines (a socket's read
/// timeout, the shutdown grace, a pause after a failed accept or fsync): those guard real
/// resources in real time, and a manual clock standing still must not hold them open. Cheap to clone; every clone of a manual
/// clock is the same clock.
///
/// `tokio::time::pause` cannot stand in for this: it does not mix with real sockets on a
/// multi-threaded runtime, and the tests drive the real server over HTTP.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The wall clock.
    #[default]
    System,
    /// A clock a test moves forward (see [`ManualClock`]).
    Manual(Arc<ManualClock>),
}

impl Clock {
    /// A manual clock reading `start` now.
    pub fn manual(start: DateTime<Utc>) -> Clock {
        Clock::Manual(Arc::new(ManualClock::new(start)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(m) => m.now(),
        }
    }

    /// Waits until the clock reads `t` or later (at once if it already does).
    pub async fn sleep_until(&self, t: DateTime<Utc>) {
        match self {
            Clock::System => {
                if let Ok(wait) = (t - Utc::now()).to_std() {
                    tokio::time::sleep(wait).await;
                }
            }
            Clock::Manual(m) => m.sleep_until(t).await,
        }
    }

    /// Waits for `d` to pass on this clock.
    pub async fn sleep(&self, d: Duration) {
        let until = self.now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        self.sleep_until(until).await;
    }

    /// The time `d` from now on this clock.
    pub fn after(&self, d: Duration) -> DateTime<Utc> {
        self.now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
    }

    /// The manual clock behind this one, if it is one (tests advance it).
    pub fn as_manual(&self) -> Option<&ManualClock> {
        match self {
            Clock::System => None,
            Clock::Manual(m) => Some(m),
        }
    }
}

/// A clock that starts at a chosen instant, runs at the speed of real time from there (so the
/// bot's own short waits — a retry's backoff, channel pacing — pass without a test's help), and
/// jumps forward on [`ManualClock::advance`], waking every sleeper due by then. A test waits
/// for an ack timeout, a cadence or an outage by advancing, not by sleeping.
#[derive(Debug)]
pub struct ManualClock {
    start: DateTime<Utc>,
    started: std::time::Instant,
    /// How far `advance` has moved the clock ahead of the real time elapsed since `started`.
    jumped: watch::Sender<chrono::Duration>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock {
            start,
            started: std::time::Instant::now(),
            jumped: watch::Sender::new(chrono::Duration::zero()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.started.elapsed()).unwrap_or(chrono::Duration::MAX);
        self.start + elapsed + *self.jumped.borrow()
    }

    /// Moves the clock `d` forward at once; sleepers due by the new time wake.
    pub fn advance(&self, d: Duration) {
        let d = chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        self.jumped.send_modify(|jumped| *jumped += d);
    }

    async fn sleep_until(&self, t: DateTime<Utc>) {
        let mut jumps = self.jumped.subscribe();
        loop {
            // Marked seen before reading the time, so a jump in between is not missed.
            jumps.borrow_and_update();
            let Ok(wait) = (t - self.now()).to_std() else {
                return;
            };
            if wait.is_zero() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                changed = jumps.changed() => {
                    if changed.is_err() {
                        // The clock is gone: nothing can wake this sleeper any more but real time.
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        "2026-11-30T01:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_manual_clock_reads_its_start_and_moves_on_advance() {
        let clock = Clock::manual(start());
        let before = clock.now();
        assert!(before >= start() && before - start() < chrono::Duration::minutes(1));
        clock.as_manual().unwrap().advance(Duration::from_secs(3600));
        assert!(clock.now() - before >= chrono::Duration::hours(1));
    }

    #[tokio::test]
    async fn advancing_wakes_a_sleeper_due_by_then_and_not_one_due_later() {
        let clock = Clock::manual(start());
        let soon = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(3600)).await }
        });
        let later = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(3 * 3600)).await }
        });
        tokio::task::yield_now().await;
        clock.as_manual().unwrap().advance(Duration::from_secs(2 * 3600));
        tokio::time::timeout(Duration::from_secs(10), soon)
            .await
            .expect("the sleeper due within the jump wakes")
            .unwrap();
        assert!(!later.is_finished(), "the sleeper due after the jump still sleeps");
        clock.as_manual().unwrap().advance(Duration::from_secs(3600));
        tokio::time::timeout(Duration::from_secs(10), later)
            .await
            .expect("it wakes once the clock reaches it")
            .unwrap();
    }

    #[tokio::test]
    async fn a_time_already_passed_does_not_wait() {
        let clock = Clock::manual(start());
        tokio::time::timeout(Duration::from_secs(10), clock.sleep_until(start()))
            .await
            .expect("no wait");
        tokio::time::timeout(Duration::from_secs(10), Clock::System.sleep_until(start()))
            .await
            .expect("no wait on the system clock either");
    }
}
