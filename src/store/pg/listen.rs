//! New work from other instances: LISTEN on the work channel, with a poll as the fallback when
//! a notification is lost (a dropped connection, a restart of the database).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_postgres::AsyncMessage;

use super::store::WORK_CHANNEL;

/// Wakes `work` whenever any instance commits new outbox items or timers, and every
/// `poll` in any case. Runs until the task is dropped; reconnects after a lost connection.
pub async fn wake_on_new_work(url: String, work: Arc<Notify>, poll: Duration) {
    let Ok(config) = tokio_postgres::Config::from_str(&url) else {
        return;
    };
    loop {
        let tls = super::tls();
        let connected = match tls {
            Ok(tls) => config.connect(tls).await.ok(),
            Err(_) => None,
        };
        if let Some((client, mut connection)) = connected {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let driver = tokio::spawn(async move {
                while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    match message {
                        Ok(AsyncMessage::Notification(_)) => {
                            if tx.send(()).is_err() {
                                break;
                            }
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            });
            if client.batch_execute(&format!("LISTEN {WORK_CHANNEL}")).await.is_ok() {
                // A notification or a quiet poll period both wake; a closed connection ends this one.
                while !matches!(tokio::time::timeout(poll, rx.recv()).await, Ok(None)) {
                    wake(&work);
                }
            }
            driver.abort();
        }
        // No connection: the poll alone keeps work moving until the database is back.
        wake(&work);
        tokio::time::sleep(poll).await;
    }
}

/// Wakes every worker waiting now, and leaves a permit for one that is between a look at the
/// tables and its next wait, so a notification in that gap is not lost.
fn wake(work: &Notify) {
    work.notify_waiters();
    work.notify_one();
}
