//! Locks and permits per database file. A server serves one database, but the tests run many
//! servers in one process: a permit held by one of them must never hold up another.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// One `T` per database file, made by `make` when first asked for.
pub struct PerDatabase<T>(LazyLock<Mutex<HashMap<String, Arc<T>>>>, fn() -> T);

impl<T> PerDatabase<T> {
    /// None made yet.
    pub const fn new(make: fn() -> T) -> Self {
        Self(LazyLock::new(Default::default), make)
    }

    /// The database's `T`.
    pub fn of(&self, pool: &sqlx::SqlitePool) -> Arc<T> {
        let file = pool.connect_options().get_filename().display().to_string();
        let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        all.entry(file).or_insert_with(|| Arc::new((self.1)())).clone()
    }
}
