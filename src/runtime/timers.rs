//! The timer loop: sleeps until the earliest stored timer is due, then feeds it to the core.

use std::sync::Arc;

use tokio::sync::watch;

use crate::app::App;
use crate::trouble::decide::{decide, Ctx, Input};

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
        let now = app.clock.now();
        if timer.due > now {
            tokio::select! {
                _ = app.clock.sleep_until(timer.due) => {}
                _ = &mut changed => {}
                _ = shutdown.changed() => return,
            }
            continue;
        }
        let config = app.config.clone();
        let kind = timer.kind.clone();
        let result = app.store.fire_timer(&key, &timer, now, |t| {
            decide(&Ctx { config: &config, now }, t, Input::Timer(kind.clone()))
        });
        match result {
            Ok(decision) => {
                if !decision.deliveries.is_empty() {
                    app.metrics.note_timer_fired(&timer.kind);
                }
                app.after_write(&decision).await;
            }
            Err(e) => {
                tracing::error!(error = %e, trouble = %timer.trouble, "timer failed; dropping it");
                let _ = app.store.remove_timer(&key);
            }
        }
    }
}
