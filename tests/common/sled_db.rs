//! The sled database of a stopped bot, opened by a test that looks at or changes its trees.
#![allow(dead_code)]

/// What `open` opens on the store in `dir`, once no earlier handle holds its file lock.
pub fn once_unlocked<T, E: std::fmt::Debug>(dir: &std::path::Path, open: impl Fn() -> Result<T, E>) -> T {
    wait_released(dir);
    open().expect("the store opens")
}

/// Waits, for up to 5 s, until no handle of this process holds the file lock of the store in
/// data directory `dir` any more, so that another process (the command line) can open it:
/// sled's I/O threads keep the lock a moment after the last handle of a stopped bot or a test
/// is dropped (the bot's own wait, which `restore` uses before it opens what it wrote).
pub fn wait_released(dir: &std::path::Path) {
    trouble_bot::store::sled::wait_released(&dir.join("db"));
}

/// The sled database in `dir` itself, once unlocked.
pub async fn sled_db(dir: &std::path::Path) -> sled::Db {
    once_unlocked(dir, || sled::open(dir.join("db")))
}

/// The stopped bot's store in `dir`, opened as the bot opens it, once unlocked.
pub async fn sled_store(dir: &std::path::Path) -> trouble_bot::store::SledStore {
    once_unlocked(dir, || trouble_bot::store::SledStore::open(dir))
}

/// A trouble body that does not read, and whose decode error quotes it: a stage state no
/// release knows, holding an escape sequence, a bell and a bidi override (what a torn write, a
/// tampered store or a newer release's record may hold).
pub const UNREADABLE_BODY: &[u8] = br#"{"stages":[{"state":"\u001b]0;owned\u0007\u202egnp.exe"}]}"#;

/// How the bot shows that decode error: quoted, with nothing left that acts on a terminal.
pub const UNREADABLE_SHOWN: &str = "unknown variant `?]0;owned??gnp.exe`";

/// Replaces trouble `id`'s stored body in the stopped bot's store in `dir` with `body`; the
/// body it had.
pub async fn overwrite_trouble(dir: &std::path::Path, id: &str, body: &[u8]) -> Vec<u8> {
    let db = sled_db(dir).await;
    let old = db
        .open_tree("troubles")
        .unwrap()
        .insert(id.as_bytes(), body)
        .unwrap()
        .expect("stored under its id");
    db.flush().unwrap();
    old.to_vec()
}

/// Replaces every stored timer of trouble `id` in the stopped bot's store in `dir` with
/// `record`; how many there were.
pub async fn overwrite_timers_of(dir: &std::path::Path, id: &str, record: &[u8]) -> usize {
    let db = sled_db(dir).await;
    let timers = db.open_tree("timers").unwrap();
    // A timer's key: its due time (8 bytes), its trouble, 0, its kind.
    let job = [id.as_bytes(), &[0]].concat();
    let keys: Vec<_> = timers
        .iter()
        .keys()
        .map(Result::unwrap)
        .filter(|k| k.get(8..).is_some_and(|rest| rest.starts_with(&job)))
        .collect();
    for key in &keys {
        timers.insert(key, record).unwrap();
    }
    db.flush().unwrap();
    keys.len()
}
