//! The timer loop: keeps the weekly digest scheduled, sleeps until the earliest stored timer is
//! due, then claims the due ones and feeds each to the core.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::App;
use crate::trouble::decide::TimerKind;

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
        let next = match app.store.next_timer_due().await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(error = %e, "cannot read timers");
                None
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
                // The database refused this transaction for the moment, or could not be reached:
                // nothing of it was written, and the timer stays, claimable again after
                // FAILED_RETRY. Dropped, it would silence an escalation for good.
                Err(e) if !e.is_permanent() => {
                    tracing::warn!(error = %e, trouble = %timer.trouble, "a timer could not fire; it is tried again");
                    let again = app.clock.now() + chrono::Duration::from_std(FAILED_RETRY).unwrap_or_default();
                    if let Err(e) = app.store.retry_timer_at(&timer, again).await {
                        tracing::warn!(error = %e, "cannot release a timer's claim; it is tried again when it runs out");
                    }
                    failed = true;
                }
                Err(e) => {
                    tracing::error!(error = %e, trouble = %timer.trouble, "timer failed; dropping it");
                    let _ = app.store.remove_timer(&timer).await;
                    // Dropped, the digest would not come back before a restart: next week's is set.
                    if timer.kind == TimerKind::WeeklyDigest {
                        let _ = app.engine().schedule_digest().await;
                    }
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
