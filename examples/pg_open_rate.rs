//! Opens per second through the PostgreSQL store, from one or several instances (pools) on one
//! database: `DATABASE_URL=postgres://… cargo run --release --example pg_open_rate -- 2000 2`.

use std::time::Instant;

use chrono::Utc;
use trouble_bot::store::pg::store::PgStore;
use trouble_bot::trouble::command::OpenRequest;
use trouble_bot::trouble::decide::{self, Ctx};
use trouble_bot::trouble::model::{ChannelId, Origin, Severity, UserId};

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL=postgres://…");
    let mut args = std::env::args().skip(1);
    let opens: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let instances: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1).max(1);
    // Each instance's requests in flight at once, as HTTP requests would be.
    let per_instance = 16;
    let first = trouble_bot::store::pg::connect(&url).unwrap();
    trouble_bot::store::pg::migrate(&first).await.unwrap();
    let stores: Vec<PgStore> = (0..instances)
        .map(|i| {
            PgStore::new(
                trouble_bot::store::pg::connect(&url).unwrap(),
                format!("load-{i}"),
                std::time::Duration::from_secs(30),
            )
        })
        .collect();
    let config = std::sync::Arc::new(trouble_bot::Config::default());
    let day = format!("load{}", Utc::now().timestamp());
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for store in &stores {
        for _ in 0..per_instance {
            let (store, config, day, next) = (store.clone(), config.clone(), day.clone(), next.clone());
            workers.spawn(async move {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if n >= opens {
                        break;
                    }
                    let now = Utc::now();
                    let ctx = Ctx {
                        policy: &config.policy,
                        now,
                    };
                    let key = format!("{day}:{n}");
                    store
                        .open_trouble(&day, &[&key], now, |id, seq| {
                            let origin = Origin {
                                channel: ChannelId::new("C0LOAD"),
                                response_url: None,
                                by: None,
                            };
                            let request = OpenRequest {
                                severity: Some(Severity::new(1)),
                                manager: None,
                                departments: vec![],
                                customer: "ACME".into(),
                                summary: "load".into(),
                                past: vec![],
                            };
                            decide::open(&ctx, id, seq, UserId::new("U0LOAD"), origin, request)
                        })
                        .await
                        .expect("open")
                        .expect("a new request is never a duplicate");
                }
            });
        }
    }
    while workers.join_next().await.is_some() {}
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{opens} opens through {instances} instance(s): {secs:.2} s, {:.0} opens/s",
        opens as f64 / secs
    );
}
