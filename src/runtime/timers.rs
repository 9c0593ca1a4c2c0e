//! The timer loop: keeps the weekly digest scheduled, sleeps until the earliest stored timer is
//! due, then claims the due ones and feeds each to the core.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::App;
use crate::store::STUCK_RETRY;

/// Timers fired per look at the store.
const BATCH: usize = 16;
/// How long to wait when due timers are all held by another instance (its lease may run out).
const HELD_ELSEWHERE: Duration = Duration::from_secs(1);
/// How long a timer the store failed to fire waits before it is tried again.
const FAILED_RETRY: Duration = Duration::from_secs(5);

pub async fn run_timers(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    // Timers of no trouble are set here, once per store: a restart finds them waiting.
    if let Err(e) = app.engine().schedule_digest().await {
        tracing::error!(error = %e, "cannot schedule the weekly digest");
    }
    if let Err(e) = app.store.end_retry_waits().await {
        tracing::warn!(error = %e, "timers that could not fire before wait out their retry");
    }
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Register interest before looking, so a timer stored meanwhile is not missed.
        let changed = app.timers_changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let elsewhere = app.shared_work.notified();
        tokio::pin!(elsewhere);
        elsewhere.as_mut().enable();
        let next = match app.store.next_timer_due(app.clock.now()).await {
            Ok(next) => next,
            // Looked at again soon, not only when a timer is stored: an escalation due meanwhile
            // must not wait for the next open.
            Err(e) => {
                tracing::error!(error = %e, "cannot read timers");
                tokio::select! {
                    _ = app.clock.sleep(FAILED_RETRY) => {}
                    _ = &mut changed => {}
                    _ = shutdown.changed() => return,
                }
                continue;
            }
        };
        let Some(due) = next else {
            tokio::select! {
                _ = &mut changed => continue,
                _ = &mut elsewhere => continue,
                _ = shutdown.changed() => return,
            }
        };
        if due > app.clock.now() {
            tokio::select! {
                _ = app.clock.sleep_until(due) => {}
                _ = &mut changed => {}
                _ = &mut elsewhere => {}
                _ = shutdown.changed() => return,
            }
            continue;
        }
        let timers = match app.store.claim_due_timers(app.clock.now(), BATCH).await {
            Ok(timers) => timers,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim due timers");
                Vec::new()
            }
        };
        if timers.is_empty() {
            tokio::select! {
                _ = app.clock.sleep(HELD_ELSEWHERE) => {}
                _ = &mut changed => {}
                _ = shutdown.changed() => return,
            }
            continue;
        }
        let mut failed = false;
        for timer in timers {
            match app.engine().fire(&timer).await {
                Ok(decision) => {
                    if !decision.deliveries.is_empty() {
                        app.metrics.note_timer_fired(&timer.kind);
                    }
                }
                // The store stopped writing (it said why, once): the timer stays stored, to fire
                // after the restart; dropping it would silence an escalation for good.
                Err(_) if app.store.writes_halted().is_some() => {
                    tracing::warn!(trouble = %timer.trouble, "timers wait for a restart: the store stopped writing");
                    let _ = shutdown.changed().await;
                    return;
                }
                // Nothing of the firing was written, and the timer stays: dropped, it would
                // silence an escalation for good. The database refused this transaction for the
                // moment, or could not be reached: it is tried again after FAILED_RETRY. The
                // trouble's record does not read (a torn write, or one a newer release wrote
                // before a rollback): hourly, and at once after a restart, so once the record
                // reads again (the release that wrote it is back, or a backup restored), the
                // escalation goes up the chain.
                Err(e) => {
                    let wait = if e.is_permanent() {
                        tracing::error!(error = %e, trouble = %timer.trouble, "a timer cannot fire; it is kept and tried again in an hour, or after a restart");
                        STUCK_RETRY
                    } else {
                        tracing::warn!(error = %e, trouble = %timer.trouble, "a timer could not fire; it is tried again");
                        FAILED_RETRY
                    };
                    let again = app.clock.now() + chrono::Duration::from_std(wait).unwrap_or_default();
                    if let Err(e) = app.store.retry_timer_at(&timer, again).await {
                        tracing::warn!(error = %e, "cannot set when a timer is tried again; it is tried again sooner");
                    }
                    failed = true;
                }
            }
        }
        if failed {
            tokio::select! {
                _ = app.clock.sleep(FAILED_RETRY) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
