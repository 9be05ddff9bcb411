//! Who holds the database file: running servers share it, a restore takes it alone.
//!
//! A restore swaps the file under the server's feet; SQLite cannot follow, and the server
//! would go on writing into the file moved aside — writes lost at the next start. So every
//! `onshi serve` holds a shared advisory lock on `DB.lock` beside the database for as long
//! as it runs, and `onshi restore` takes the same lock exclusively, or refuses. The
//! operating system drops the lock when a process ends, however it ends (kill -9 too).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// A held lock on a database; released when dropped.
#[derive(Debug)]
pub struct DbLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it the other way (a server while restoring, a restore while starting).
    #[error("{0} は使用中です")]
    Busy(PathBuf),
    /// The lock file could not be opened.
    #[error("{path} を開けません: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The lock file of the database at `db`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

fn open(db: &Path) -> Result<(File, PathBuf), LockError> {
    let path = lock_path(db);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| LockError::Io { path: path.clone(), source })?;
    Ok((file, path))
}

fn taken(file: File, path: PathBuf, result: Result<(), TryLockError>) -> Result<DbLock, LockError> {
    match result {
        Ok(()) => Ok(DbLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(LockError::Busy(path)),
        Err(TryLockError::Error(source)) => Err(LockError::Io { path, source }),
    }
}

/// The lock a running server holds (several servers may share one database).
pub fn for_server(db: &Path) -> Result<DbLock, LockError> {
    let (file, path) = open(db)?;
    let result = file.try_lock_shared();
    taken(file, path, result)
}

/// The lock a restore holds: refused while any server runs on the database.
pub fn for_restore(db: &Path) -> Result<DbLock, LockError> {
    let (file, path) = open(db)?;
    let result = file.try_lock();
    taken(file, path, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_share_the_lock_and_a_restore_waits_for_all_of_them() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("onshi.sqlite");
        let first = for_server(&db).expect("first server");
        let second = for_server(&db).expect("a second server shares it");
        assert!(matches!(for_restore(&db), Err(LockError::Busy(_))));
        drop(first);
        assert!(matches!(for_restore(&db), Err(LockError::Busy(_))), "one server still runs");
        drop(second);
        let restoring = for_restore(&db).expect("no server left");
        assert!(matches!(for_server(&db), Err(LockError::Busy(_))), "no server starts during a restore");
        drop(restoring);
        for_server(&db).expect("after the restore");
    }
}
