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

/// Registers a new import of `files` and returns its number, or `None` while another import
/// runs (one at a time: each is one transaction on the database; checked and registered under
/// one lock, so two uploads at once cannot both start).
pub fn start(files: Vec<String>) -> Option<u64> {
    let mut jobs = jobs();
    if jobs.values().any(|j| matches!(j.state, JobState::Running { .. })) {
        return None;
    }
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
    Some(id)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_import_runs_at_a_time_and_a_finished_one_is_remembered() {
        let first = start(vec!["東京都.xlsx".into()]).expect("nothing runs yet");
        assert_eq!(start(vec!["北海道.xlsx".into()]), None, "a second import waits for the first");
        update(first, JobState::Failed("テスト".into()));
        let second = start(vec!["北海道.xlsx".into()]).expect("the first is over");
        assert!(second > first);
        assert_eq!(get(first).map(|j| j.state), Some(JobState::Failed("テスト".into())));
        update(second, JobState::Done(crate::api::registry::ImportSummary::default()));
    }
}
