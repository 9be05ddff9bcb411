//! The SQLite database: opened in WAL mode with foreign keys, migrated at start.

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// Migrations embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// How long a connection waits for a lock before SQLITE_BUSY.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of the database file SQLite may map (1 GiB; the national data set is ~0.5 GB).
const MMAP_BYTES: u64 = 1 << 30;

/// Opens (creating the folder and file if missing) the database.
pub async fn connect(path: &Path) -> Result<SqlitePool, crate::error::StartError> {
    use crate::error::StartError;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StartError::CreateDir { path: dir.to_owned(), source })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        // Pages read through a memory map rather than copied into each connection's small
        // page cache: a national dashboard's random look-ups went to the kernel for every
        // page (BENCHMARKS.md, dashboard latency). Address space, not memory.
        .pragma("mmap_size", MMAP_BYTES.to_string());
    SqlitePoolOptions::new()
        .max_connections(8)
        // sqlx pings every connection it hands out by default: a second round trip
        // to the connection's thread per query, for a file that cannot hang up
        // (`/healthz` 10,517 → 15,015 req/s under load, BENCHMARKS.md).
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|source| StartError::OpenDb { path: path.to_owned(), source })
}

/// Runs the embedded migrations.
pub async fn migrate(pool: &SqlitePool) -> Result<(), crate::error::StartError> {
    MIGRATOR.run(pool).await.map_err(crate::error::StartError::Migrate)
}
