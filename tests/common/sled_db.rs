//! The sled database of a stopped bot, opened by a test that looks at or changes its trees.

use std::time::Duration;

/// The sled database in `dir` itself, once an earlier handle has let go of its file lock (a
/// read still finishing on a blocking thread may hold it a moment after a stop).
pub async fn sled_db(dir: &std::path::Path) -> sled::Db {
    for _ in 0..100 {
        if let Ok(db) = sled::open(dir.join("db")) {
            return db;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sled::open(dir.join("db")).expect("the database opens")
}
