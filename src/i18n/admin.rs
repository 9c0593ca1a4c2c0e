//! What the admin commands (export, verify, backup, restore) say when they refuse, in the configured locale.

use std::path::Path;

use super::Locale;

/// `dir` has no store in it: the command refused rather than create an empty one there.
pub fn no_store(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} にはストアがありません（{dir}/db がありません）。何も作成していません。TROUBLE_DATA_DIR（または設定の data_dir）にボットのデータディレクトリを指定してください。"),
        format!("{dir} holds no store (there is no {dir}/db); nothing was created. Point TROUBLE_DATA_DIR (or data_dir in the config) at the bot's data directory.")
    )
}

/// `restore DIR` where `dir` holds no store: not a backup, or one whose writing did not finish.
pub fn no_store_backup(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} はバックアップではありません（ストアがありません。書き込みが終わっていないバックアップかもしれません）。何も復元していません。バックアップは trouble-bot backup DIR で作成します。"),
        format!("{dir} is not a backup: it holds no store (perhaps a backup whose writing did not finish); nothing was restored. Make one with: trouble-bot backup DIR")
    )
}

/// `backup` or `restore` with `database_url` set: the troubles are in PostgreSQL, which has tools
/// of its own for that; these two copy the embedded store only.
pub fn sled_only(l: Locale) -> String {
    tr!(
        l,
        "database_url が設定されているため、トラブルは PostgreSQL にあります。trouble-bot backup と restore は組み込みストア（sled）専用で、何もしていません。データベースのバックアップは pg_dump（例: pg_dump -Fc -f trouble.dump \"$DATABASE_URL\"）、復元は pg_restore（例: pg_restore -d \"$DATABASE_URL\" trouble.dump）で行ってください。",
        "database_url is set, so the troubles are in PostgreSQL: trouble-bot backup and restore copy only the embedded (sled) store, and did nothing. Back the database up with pg_dump (e.g. pg_dump -Fc -f trouble.dump \"$DATABASE_URL\") and bring it back with pg_restore (e.g. pg_restore -d \"$DATABASE_URL\" trouble.dump)."
    )
    .to_string()
}
