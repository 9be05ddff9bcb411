//! Sessions kept in memory in front of the SQLite store.
//!
//! Every signed-in request loads its session; from SQLite that is a round trip to
//! one of sqlx's connection threads and back, the largest share of a page's cost
//! under load (BENCHMARKS.md, load test). Writes still go to SQLite first
//! (`tower_sessions::CachingSessionStore`), so a restart loses nothing; the cache
//! answers loads. Only this process writes sessions (sign-in, keep-alive,
//! sign-out all pass through the store), so the cache cannot go stale.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

/// Sessions held at most; each is a few hundred bytes. A cache this full first
/// drops its expired sessions and, if that is not enough, starts again empty
/// (every session is still in SQLite).
const CAPACITY: usize = 20_000;

/// The in-memory side of the session store.
#[derive(Debug, Clone)]
pub struct SessionCache {
    records: Arc<Mutex<HashMap<Id, Record>>>,
    capacity: usize,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self { records: Arc::default(), capacity: CAPACITY }
    }
}

impl SessionCache {
    #[cfg(test)]
    fn with_capacity(capacity: usize) -> Self {
        Self { records: Arc::default(), capacity }
    }

    fn records(&self) -> MutexGuard<'_, HashMap<Id, Record>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.records.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn put(&self, record: &Record) {
        let mut records = self.records();
        if records.len() >= self.capacity && !records.contains_key(&record.id) {
            let now = OffsetDateTime::now_utc();
            records.retain(|_, r| r.expiry_date > now);
            if records.len() >= self.capacity {
                records.clear();
            }
        }
        records.insert(record.id, record.clone());
    }
}

#[async_trait]
impl SessionStore for SessionCache {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // The SQLite store has already given the record an id no other session has.
        self.put(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.put(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let mut records = self.records();
        match records.get(id) {
            Some(r) if r.expiry_date > OffsetDateTime::now_utc() => Ok(Some(r.clone())),
            Some(_) => {
                records.remove(id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.records().remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn record(n: i128, expires_in: Duration) -> Record {
        Record { id: Id(n), data: HashMap::new(), expiry_date: OffsetDateTime::now_utc() + expires_in }
    }

    fn load(cache: &SessionCache, n: i128) -> Option<Record> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(cache.load(&Id(n)))
            .expect("load")
    }

    #[test]
    fn an_expired_session_is_not_loaded_and_is_dropped() {
        let cache = SessionCache::default();
        cache.put(&record(1, Duration::minutes(30)));
        cache.put(&record(2, Duration::seconds(-1)));
        assert_eq!(load(&cache, 1).map(|r| r.id), Some(Id(1)));
        assert!(load(&cache, 2).is_none());
        assert_eq!(cache.records().len(), 1, "the expired record was removed on load");
    }

    #[test]
    fn a_full_cache_drops_expired_sessions_first_then_everything() {
        let cache = SessionCache::with_capacity(3);
        cache.put(&record(1, Duration::minutes(30)));
        cache.put(&record(2, Duration::seconds(-1)));
        cache.put(&record(3, Duration::minutes(30)));
        cache.put(&record(4, Duration::minutes(30)));
        assert!(load(&cache, 1).is_some(), "a live session survives the first clean-up");
        assert_eq!(cache.records().len(), 3);
        // Full of live sessions: the cache starts again with only the newcomer.
        cache.put(&record(5, Duration::minutes(30)));
        assert_eq!(cache.records().len(), 1);
        assert!(load(&cache, 5).is_some());
        // Saving a session already held never clears the cache.
        cache.put(&record(5, Duration::minutes(31)));
        assert_eq!(cache.records().len(), 1);
    }
}
