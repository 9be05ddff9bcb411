//! Values kept until a generation moves: the dashboards' charts (`dashboard_generation`), the
//! audit's peer groups and the vendor league (`audit_generation`).

/// Values by key (database file first), with the generation they were made at (bumped by
/// triggers on every change to what they show): served
/// again until anything they show changes. A national dashboard costs ~9 ms to compute and ~3 ms
/// to render, a national peer group seconds to load (BENCHMARKS.md), and microseconds to serve again.
pub struct GenerationCache<T>(std::sync::LazyLock<std::sync::Mutex<Entries<T>>>);

/// Cached values by key, each with its generation.
type Entries<T> = std::collections::HashMap<String, (i64, std::sync::Arc<T>)>;

/// Entries kept at most per cache (one per scope × filter in use; a national page's is
/// ~100 KB): past it the cache starts again empty.
const CACHED_AT_MOST: usize = 256;

impl<T> Default for GenerationCache<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> GenerationCache<T> {
    /// An empty cache.
    pub const fn new() -> Self {
        Self(std::sync::LazyLock::new(Default::default))
    }

    /// The value of `key` if it was made at `generation`.
    pub fn get(&self, key: &str, generation: i64) -> Option<std::sync::Arc<T>> {
        self.0.lock().ok()?.get(key).filter(|(g, _)| *g == generation).map(|(_, v)| v.clone())
    }

    /// The value of `key` made most recently, at whatever generation.
    pub fn latest(&self, key: &str) -> Option<(i64, std::sync::Arc<T>)> {
        self.0.lock().ok()?.get(key).map(|(g, v)| (*g, v.clone()))
    }

    /// Keeps `value`, made at `generation`, under `key`.
    pub fn put(&self, key: String, generation: i64, value: std::sync::Arc<T>) {
        if let Ok(mut entries) = self.0.lock() {
            if entries.len() >= CACHED_AT_MOST {
                entries.clear();
            }
            entries.insert(key, (generation, value));
        }
    }
}
