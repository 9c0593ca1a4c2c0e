//! The only place the time is read, and the waits that depend on it: the system clock in
//! production, a manual clock in tests and the demo (`advance` jumps it forward and wakes
//! whoever slept until then; the demo's also runs fast).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// What the shell reads the time from and waits on, retries' backoffs included (a Slack call's,
/// Socket Mode's reconnect and Slack's `Retry-After`, which a step of the wall clock may
/// lengthen or shorten). Not for I/O deadlines (a socket's read timeout, the shutdown grace, a
/// pause after a failed accept or fsync): those guard real resources in real time, and a manual
/// clock standing still must not hold them open. Cheap to clone; every clone of a manual clock
/// is the same clock.
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

    /// A manual clock reading `start` now and running `speed` times faster than real time:
    /// the demo's, so the bot's pacing passes in moments while the times shown stay plausible.
    pub fn fast(start: DateTime<Utc>, speed: u32) -> Clock {
        Clock::Manual(Arc::new(ManualClock {
            speed: speed.max(1),
            ..ManualClock::new(start)
        }))
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
            Clock::System => system_sleep_until(t, SYSTEM_WAIT_CAP).await,
            Clock::Manual(m) => m.sleep_until(t).await,
        }
    }

    /// Waits for `d` to pass on this clock.
    pub async fn sleep(&self, d: Duration) {
        let until = self.now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        self.sleep_until(until).await;
    }

    /// A manual clock reading `start` that stands still until advanced: for a test that must
    /// know that nothing the bot waits for comes due while it looks (a backoff, say).
    pub fn stopped(start: DateTime<Utc>) -> Clock {
        Clock::Manual(Arc::new(ManualClock {
            speed: 0,
            ..ManualClock::new(start)
        }))
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

/// The longest the system clock sleeps before reading the time again. Tokio sleeps on the
/// monotonic clock, which stands still while the host is suspended and ignores a step of the
/// wall clock: a wait of hours computed before either would wake that much late (a weekend's
/// one daily round or digest, nothing else waking the timer loop), a chunk of it a minute at most.
const SYSTEM_WAIT_CAP: Duration = Duration::from_secs(60);

/// Sleeps until the wall clock reads `t`, in chunks of at most `cap`, reading it again after each.
async fn system_sleep_until(t: DateTime<Utc>, cap: Duration) {
    while let Some(wait) = system_wait(Utc::now(), t, cap) {
        tokio::time::sleep(wait).await;
    }
}

/// How long the system clock sleeps next, at `now`, waiting for `t`, `cap` at most: None once
/// it is due.
fn system_wait(now: DateTime<Utc>, t: DateTime<Utc>, cap: Duration) -> Option<Duration> {
    let wait = (t - now).to_std().ok().filter(|w| !w.is_zero())?;
    Some(wait.min(cap))
}

/// A clock that starts at a chosen instant, runs at the speed of real time from there (so the
/// bot's own short waits — a retry's backoff, channel pacing — pass without a test's help), and
/// jumps forward on [`ManualClock::advance`], waking every sleeper due by then. A test waits
/// for an ack timeout, a cadence or an outage by advancing, not by sleeping.
#[derive(Debug)]
pub struct ManualClock {
    start: DateTime<Utc>,
    started: std::time::Instant,
    /// Virtual seconds per real second (1 in tests; 0 for a clock that moves only on `advance`).
    speed: u32,
    /// How far `advance` has moved the clock ahead of the real time elapsed since `started`.
    jumped: watch::Sender<chrono::Duration>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock {
            start,
            started: std::time::Instant::now(),
            speed: 1,
            jumped: watch::Sender::new(chrono::Duration::zero()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.started.elapsed() * self.speed).unwrap_or(chrono::Duration::MAX);
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
            if self.speed == 0 {
                if wait.is_zero() {
                    return;
                }
                // A stopped clock: only a jump brings `t` nearer, and once the clock is gone
                // nothing will.
                if jumps.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
                continue;
            }
            // In real time: a fast clock gets there sooner.
            let wait = wait / self.speed;
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
    async fn a_fast_clock_runs_ahead_of_real_time_and_its_sleepers_wake_as_soon() {
        let clock = Clock::fast(start(), 3600);
        tokio::time::timeout(Duration::from_secs(10), clock.sleep(Duration::from_secs(3600)))
            .await
            .expect("an hour on a clock running an hour a second passes within ten real seconds");
        assert!(clock.now() - start() >= chrono::Duration::hours(1));
    }

    #[tokio::test]
    async fn a_stopped_clock_moves_and_wakes_sleepers_only_when_advanced() {
        let clock = Clock::stopped(start());
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_millis(10)).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(clock.now(), start(), "no time passes by itself");
        assert!(!sleeper.is_finished(), "nor does a sleeper wake");
        clock.as_manual().unwrap().advance(Duration::from_millis(5));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished(), "a sleeper not yet due sleeps on");
        // Exactly to its time: due then, as on any clock.
        clock.as_manual().unwrap().advance(Duration::from_millis(5));
        tokio::time::timeout(Duration::from_secs(10), sleeper)
            .await
            .expect("it wakes once advanced to its time")
            .unwrap();
        assert_eq!(clock.now(), start() + chrono::Duration::milliseconds(10));
    }

    #[test]
    fn the_system_clock_reads_the_time_again_at_least_once_a_minute() {
        let wait = |now, t| system_wait(now, t, SYSTEM_WAIT_CAP);
        let hours = wait(start(), start() + chrono::Duration::hours(3));
        assert_eq!(
            hours,
            Some(SYSTEM_WAIT_CAP),
            "a suspend or a clock step delays a timer a minute at most"
        );
        let soon = wait(start(), start() + chrono::Duration::seconds(5));
        assert_eq!(soon, Some(Duration::from_secs(5)));
        assert_eq!(wait(start(), start()), None, "due");
        assert_eq!(
            wait(start() + chrono::Duration::hours(2), start()),
            None,
            "past, after a jump"
        );
    }

    /// The chunks add up: a wait longer than the cap sleeps on after the first chunk, to its
    /// time and not before (a cap of 10 ms stands for the minute, so the test waits 50 ms).
    #[tokio::test]
    async fn the_system_clock_sleeps_on_chunk_after_chunk_until_its_time() {
        let t = Utc::now() + chrono::Duration::milliseconds(50);
        tokio::time::timeout(
            Duration::from_secs(10),
            system_sleep_until(t, Duration::from_millis(10)),
        )
        .await
        .expect("it wakes");
        assert!(Utc::now() >= t, "woke before its time");
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
