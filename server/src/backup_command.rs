//! `onshi backup FILE` and `onshi restore FILE`: copies of the database that can be trusted
//! (MHLW 医療情報システムの安全管理に関するガイドライン 第6.0版: backups, and their restore
//! tried in advance; OWASP ASVS 4.0.3 V8.1.6).
//!
//! A backup is taken online with SQLite's `VACUUM INTO`, which copies one read
//! snapshot: consistent whatever the server writes meanwhile, and compact. It is
//! written beside its final name and renamed only once checked — `PRAGMA
//! integrity_check`, foreign keys, and the audit trail's hash chain — so a file
//! with the backup's name is always a whole, checked copy.
//!
//! A restore checks the backup the same way, moves the current database (with
//! its `-wal` and `-shm` files) aside as `NAME.before-restore-TIMESTAMP` rather
//! than deleting it, and puts a copy of the backup in its place by rename. The
//! server must be stopped: SQLite cannot swap a file under open connections.

use crate::config::{BackupArgs, RestoreArgs};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{ConnectOptions, SqlitePool};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What went wrong, said so that the operator knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database to copy is not there.
    #[error("データベースがありません: {0}（--db PATH か ONSHI_DB で指定してください）")]
    NoDatabase(PathBuf),
    /// A backup must not overwrite anything.
    #[error("{0} は既にあります。別の名前を指定してください（上書きはしません）")]
    TargetExists(PathBuf),
    /// The file to restore is not there.
    #[error("バックアップファイルがありません: {0}")]
    NoBackup(PathBuf),
    /// The copy or the backup fails a check.
    #[error("{file} は使えません: {reason}")]
    Unusable {
        /// The file checked.
        file: PathBuf,
        /// What the check found.
        reason: String,
    },
    /// A server runs on the database.
    #[error(
        "サーバーが {0} を使用中のため、復元できません。onshi serve を停止してから、もう一度実行してください（何も変更していません）"
    )]
    ServerRunning(PathBuf),
    /// SQLite refused.
    #[error("{what} に失敗しました: {source}")]
    Db {
        /// What was being done.
        what: String,
        /// SQLite's error.
        source: sqlx::Error,
    },
    /// The file system refused.
    #[error("{what} に失敗しました: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

/// What a checked copy holds, for the operator's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Facilities in the copy.
    pub facilities: i64,
    /// Quotes in the copy.
    pub quotes: i64,
    /// Rows of the audit trail.
    pub audit_rows: u64,
    /// The audit trail's last hash: compare with `onshi audit-log verify` on the live database.
    pub audit_head: String,
    /// Size in bytes.
    pub bytes: u64,
}

fn db_error(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Db { what, source }
}

fn io_error(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// A pool on an existing file, read-only unless asked, with nothing logged per statement.
async fn open(path: &Path, read_only: bool) -> Result<SqlitePool, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(30))
        .disable_statement_logging();
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(db_error(format!("{} を開くこと", path.display())))
}

/// Checks a database file: SQLite's own integrity check, foreign keys, that it is Onshi's
/// (its migrations table), and the audit trail's chain.
pub async fn check(path: &Path) -> Result<Checked, BackupError> {
    let unusable = |reason: String| BackupError::Unusable { file: path.to_owned(), reason };
    let pool = open(path, true).await.map_err(|e| unusable(e.to_string()))?;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&pool)
        .await
        .map_err(|e| unusable(format!("SQLite のファイルとして読めません（{e}）")))?;
    if integrity != ["ok"] {
        return Err(unusable(format!("integrity_check: {}", integrity.join("; "))));
    }
    let broken_keys: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&pool)
        .await
        .map_err(db_error("foreign_key_check"))?;
    if let Some((table,)) = broken_keys.first() {
        return Err(unusable(format!("{table} に参照先のない行があります（foreign_key_check）")));
    }
    let is_onshi: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('_sqlx_migrations', 'audit_log', 'facilities')",
    )
    .fetch_one(&pool)
    .await
    .map_err(db_error("表の確認"))?;
    if is_onshi != 3 {
        return Err(unusable("Onshi のデータベースではありません（必要な表がありません）".to_owned()));
    }
    let missing = app::ssr::audit_log::missing_protections(&pool).await.map_err(db_error("監査ログの保護の確認"))?;
    if !missing.is_empty() {
        return Err(unusable(format!(
            "監査ログを追記のみに保つトリガーがないか、書き換えられています（{}）",
            missing.join(", ")
        )));
    }
    let report = app::ssr::audit_log::verify(&pool).await.map_err(db_error("監査ログの検証"))?;
    if let Some(broken) = report.first_broken {
        return Err(unusable(format!(
            "監査ログの連鎖が ID {} で壊れています（{}）",
            broken.id,
            broken.reason.label_ja()
        )));
    }
    let count = |table: &'static str| {
        let pool = &pool;
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(pool)
                .await
                .map_err(db_error(format!("{table} の件数")))
        }
    };
    let checked = Checked {
        facilities: count("facilities").await?,
        quotes: count("quotes").await?,
        audit_rows: report.rows,
        audit_head: report.head_hash,
        bytes: std::fs::metadata(path).map_err(io_error(format!("{} の大きさ", path.display())))?.len(),
    };
    pool.close().await;
    Ok(checked)
}

/// Removes every session from a copy: a copy must not sign anyone in. Onshi's session table
/// is tower-sessions' default, created at the first start (a copy may predate it).
async fn drop_sessions(copy: &Path) -> Result<(), BackupError> {
    let pool = open(copy, false).await?;
    let has_table: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tower_sessions'")
            .fetch_one(&pool)
            .await
            .map_err(db_error("セッションの表の確認"))?;
    if has_table > 0 {
        sqlx::query("DELETE FROM tower_sessions").execute(&pool).await.map_err(db_error("セッションの削除"))?;
    }
    pool.close().await;
    Ok(())
}

/// The file beside `path` that a copy is written to before it takes `path`'s name.
fn partial(path: &Path, tag: &str) -> PathBuf {
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(format!(".{tag}-{}", std::process::id()));
    path.with_file_name(name)
}

/// Copies the database at `db` to `file` while it may be in use; returns what the checked copy holds.
pub async fn backup(db: &Path, file: &Path) -> Result<Checked, BackupError> {
    if !db.is_file() {
        return Err(BackupError::NoDatabase(db.to_owned()));
    }
    if file.exists() {
        return Err(BackupError::TargetExists(file.to_owned()));
    }
    let temporary = partial(file, "partial");
    let result = async {
        let pool = open(db, true).await?;
        sqlx::query("VACUUM INTO ?")
            .bind(temporary.to_string_lossy().into_owned())
            .execute(&pool)
            .await
            .map_err(db_error(format!("{} への書き出し", temporary.display())))?;
        pool.close().await;
        drop_sessions(&temporary).await?;
        let checked = check(&temporary).await?;
        // No overwrite even if another process took the name meanwhile: hard-link, then unlink.
        std::fs::hard_link(&temporary, file).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::TargetExists(file.to_owned()),
            _ => BackupError::Io { what: format!("{} への名前の変更", file.display()), source: e },
        })?;
        Ok(checked)
    }
    .await;
    let _ = std::fs::remove_file(&temporary);
    result
}

/// The companion files SQLite keeps beside a database in WAL mode.
fn with_companions(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    [path.to_owned(), with("-wal"), with("-shm")]
}

/// Puts a checked copy of `file` in place of the database at `db` (the server stopped); the
/// database it replaces is kept beside it. Returns what the restored database holds and where
/// the old one went.
pub async fn restore(file: &Path, db: &Path) -> Result<(Checked, Option<PathBuf>), BackupError> {
    if !file.is_file() {
        return Err(BackupError::NoBackup(file.to_owned()));
    }
    check(file).await?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_error(format!("{} の作成", dir.display())))?;
    }
    // Held until the restore ends: no server runs on the file meanwhile, or starts.
    let _lock = crate::db_lock::for_restore(db).map_err(|e| match e {
        crate::db_lock::LockError::Busy(_) => BackupError::ServerRunning(db.to_owned()),
        crate::db_lock::LockError::Io { path, source } => {
            BackupError::Io { what: format!("{} のロック", path.display()), source }
        }
    })?;
    let temporary = partial(db, "restoring");
    let copied = async {
        std::fs::copy(file, &temporary).map_err(io_error(format!("{} の複製", file.display())))?;
        drop_sessions(&temporary).await?;
        std::fs::File::open(&temporary)
            .and_then(|f| f.sync_all())
            .map_err(io_error(format!("{} の書き込み", temporary.display())))
    }
    .await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    let kept = if db.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut name = db.as_os_str().to_os_string();
        name.push(format!(".before-restore-{stamp}"));
        let aside = PathBuf::from(name);
        for (from, to) in with_companions(db).iter().zip(with_companions(&aside)) {
            if from.exists() {
                std::fs::rename(from, &to).map_err(io_error(format!("{} の退避", from.display())))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&temporary, db) {
        // Put the old database back: a failed restore changes nothing.
        if let Some(aside) = &kept {
            for (from, to) in with_companions(aside).iter().zip(with_companions(db)) {
                if from.exists() {
                    let _ = std::fs::rename(from, to);
                }
            }
        }
        let _ = std::fs::remove_file(&temporary);
        return Err(BackupError::Io { what: format!("{} への配置", db.display()), source: e });
    }
    Ok((check(db).await?, kept))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn describe(c: &Checked) -> String {
    format!(
        "  施設 {} 件、見積 {} 件、監査ログ {} 件、{:.1} MB\n  監査ログの最新ハッシュ / audit head hash: {}",
        c.facilities,
        c.quotes,
        c.audit_rows,
        c.bytes as f64 / 1_048_576.0,
        c.audit_head
    )
}

/// `onshi backup FILE`: exit 0 with a checked copy, 1 otherwise (nothing left behind).
pub fn main_backup(args: &BackupArgs) -> ExitCode {
    match runtime()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(backup(&args.db.db, &args.file)).map_err(|e| e.to_string()))
    {
        Ok(checked) => {
            println!(
                "バックアップを作成し、検査しました（integrity_check ok、監査ログの連鎖 ok）: {}",
                args.file.display()
            );
            println!("{}", describe(&checked));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("onshi backup: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `onshi restore FILE`: exit 0 with the backup in place, 1 with nothing changed.
pub fn main_restore(args: &RestoreArgs) -> ExitCode {
    match runtime()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(restore(&args.file, &args.db.db)).map_err(|e| e.to_string()))
    {
        Ok((checked, kept)) => {
            println!("{} を {} に戻しました（検査済み）。", args.file.display(), args.db.db.display());
            println!("{}", describe(&checked));
            if let Some(kept) = kept {
                println!("  それまでのデータベースは {} に残してあります。", kept.display());
            }
            println!("  onshi serve で起動すると、必要なら新しい版へ移行されます。");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("onshi restore: {e}");
            ExitCode::FAILURE
        }
    }
}
