//! Registry imports started from the browser: they run in the background (a 13,000-facility
//! workbook takes seconds, a national list longer) while the admin's page shows how far they
//! got, then what they did. Kept in this server's memory: a restart forgets a running import,
//! whose transaction then never committed (nothing half-written).

use crate::api::registry::{ImportJob, JobState};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Imports remembered (the oldest finished ones are forgotten first).
const KEPT: usize = 32;

static JOBS: Mutex<BTreeMap<u64, ImportJob>> = Mutex::new(BTreeMap::new());

fn jobs() -> std::sync::MutexGuard<'static, BTreeMap<u64, ImportJob>> {
    JOBS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers a new import of `files` and returns its number.
pub fn start(files: Vec<String>) -> u64 {
    let mut jobs = jobs();
    let id = jobs.keys().next_back().map_or(1, |last| last + 1);
    while jobs.len() >= KEPT {
        let Some(oldest) = jobs.iter().find(|(_, j)| !matches!(j.state, JobState::Running { .. })).map(|(id, _)| *id)
        else {
            break;
        };
        jobs.remove(&oldest);
    }
    let total = files.len();
    jobs.insert(
        id,
        ImportJob {
            id, files, state: JobState::Running { step: "読み込みを始めます".to_owned(), done: 0, total }
        },
    );
    id
}

/// Records how far an import got.
pub fn update(id: u64, state: JobState) {
    if let Some(job) = jobs().get_mut(&id) {
        job.state = state;
    }
}

/// An import's state, if this server remembers it.
pub fn get(id: u64) -> Option<ImportJob> {
    jobs().get(&id).cloned()
}

/// Whether an import is running now (one at a time: each is one transaction on the database).
pub fn running() -> bool {
    jobs().values().any(|j| matches!(j.state, JobState::Running { .. }))
}
