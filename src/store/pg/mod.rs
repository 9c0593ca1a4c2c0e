//! PostgreSQL: connecting (a pool, rustls for TLS), the embedded schema migrations, and the
//! shared tables that let several instances serve one set of troubles.

pub mod copy;
pub mod listen;
pub mod store;

use std::str::FromStr;
use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::config::Host;

/// The schema, oldest first: each runs once, in its own transaction, recorded in
/// `trouble_bot_migrations`.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "store", include_str!("../../../migrations/0001_store.sql")),
    (
        2,
        "read_indexes",
        include_str!("../../../migrations/0002_read_indexes.sql"),
    ),
    (3, "tracking", include_str!("../../../migrations/0003_tracking.sql")),
    (
        4,
        "refused_dms",
        include_str!("../../../migrations/0004_refused_dms.sql"),
    ),
];

/// Taken by `migrate` so that instances starting together do not both create the schema.
const MIGRATION_LOCK: i64 = 0x0074_726f_7562_6c65; // "trouble" in ASCII

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("database_url: {0}")]
    Url(String),
    #[error("database: {}", with_causes(.0))]
    Db(#[from] tokio_postgres::Error),
    #[error("database: {0}")]
    Pool(String),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("store: corrupt record: {}", crate::store::without_values(.0))]
    Corrupt(String),
    /// `migrate-store` refused a copy that would lose a trouble (see `copy::copy_from_sled`).
    #[error("{0}")]
    CopyRefused(String),
    /// A write changed other rows than it must (none, or several): its transaction is rolled
    /// back rather than committed half done.
    #[error("store: {0}")]
    RowsChanged(String),
}

impl PgError {
    /// Whether the same transaction may succeed if tried again: the database unreachable or
    /// the connection lost, or the transaction refused for the moment (a serialization failure,
    /// a deadlock, a lock not available, resources short, an administrator's intervention).
    /// A constraint or data error, or a record that does not read, would fail again.
    pub fn may_pass(&self) -> bool {
        match self {
            PgError::Pool(_) => true,
            PgError::Db(e) => match e.code() {
                None => true,
                Some(code) => {
                    let code = code.code();
                    ["08", "53", "57"].iter().any(|class| code.starts_with(class))
                        || ["40001", "40P01", "55P03"].contains(&code)
                }
            },
            PgError::Store(e) => !e.is_permanent(),
            PgError::Url(_) | PgError::Corrupt(_) | PgError::CopyRefused(_) | PgError::RowsChanged(_) => false,
        }
    }
}

/// An error with the errors under it: tokio-postgres says `db error` and keeps what the server
/// said (`database "trouble" does not exist`, `password authentication failed for user …`)
/// in its source, which an admin needs to mend it.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        source = cause.source();
    }
    text
}

impl From<deadpool_postgres::PoolError> for PgError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        // A pool error wraps the backend's; its text never carries the configuration.
        PgError::Pool(with_causes(&e))
    }
}

/// The URL as it may be shown: user, host, port and database, never the password.
pub fn redacted(url: &str) -> String {
    match tokio_postgres::Config::from_str(url) {
        Ok(c) => {
            let hosts: Vec<String> = c
                .get_hosts()
                .iter()
                .map(|h| match h {
                    Host::Tcp(name) => name.clone(),
                    #[cfg(unix)]
                    Host::Unix(path) => path.display().to_string(),
                })
                .collect();
            let port = c.get_ports().first().map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "postgres://{}{}@{}{}/{}",
                c.get_user().unwrap_or(""),
                if c.get_password().is_some() { ":***" } else { "" },
                hosts.join(","),
                port,
                c.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "postgres://(unreadable url)".into(),
    }
}

/// A pool of connections to `url`. TLS (rustls with the web PKI roots) is used as the URL's
/// `sslmode` says: `prefer` by default, `require` to refuse a plain connection.
pub fn connect(url: &str) -> Result<Pool, PgError> {
    // The parser's message can quote the URL; say what is wrong without it.
    let config = tokio_postgres::Config::from_str(url)
        .map_err(|_| PgError::Url("not a PostgreSQL URL like postgres://user:password@host:5432/db".into()))?;
    let manager = Manager::from_config(
        config,
        tls()?,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(16)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .create_timeout(Some(std::time::Duration::from_secs(10)))
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .build()
        .map_err(|e| PgError::Pool(e.to_string()))
}

/// rustls with the web PKI roots, for every connection (the pool's and LISTEN's).
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, PgError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| PgError::Url(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Brings the schema up to date; returns the versions it applied (none when it was current).
/// Safe to run from several instances at once: they queue on an advisory lock.
pub async fn migrate(pool: &Pool) -> Result<Vec<i32>, PgError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS trouble_bot_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let done: Vec<i32> = tx
        .query("SELECT version FROM trouble_bot_migrations", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO trouble_bot_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await?;
        applied.push(*version);
    }
    tx.commit().await?;
    Ok(applied)
}

/// The newest schema version this binary knows.
pub fn latest_version() -> i32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}
