//! The timer loop: sleeps until the earliest stored timer is due, then feeds it to the core.

use std::sync::Arc;

use tokio::sync::watch;

use crate::app::App;

pub async fn run_timers(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Register interest before looking, so a timer stored meanwhile is not missed.
        let changed = app.timers_changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let next = match app.store.next_timer() {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(error = %e, "cannot read timers");
                None
            }
        };
        let Some((key, timer)) = next else {
            tokio::select! {
                _ = &mut changed => continue,
                _ = shutdown.changed() => return,
            }
        };
        if timer.due > app.clock.now() {
            tokio::select! {
                _ = app.clock.sleep_until(timer.due) => {}
                _ = &mut changed => {}
                _ = shutdown.changed() => return,
            }
            continue;
        }
        match app.engine().fire(&key, &timer).await {
            Ok(decision) => {
                if !decision.deliveries.is_empty() {
                    app.metrics.note_timer_fired(&timer.kind);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, trouble = %timer.trouble, "timer failed; dropping it");
                let _ = app.store.remove_timer(&key);
            }
        }
    }
}
