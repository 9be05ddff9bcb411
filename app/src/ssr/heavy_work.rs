//! CPU-heavy page work (audits, vendor leagues, peer groups) off the async workers: a bounded
//! number at a time, a deadline for the page that waits for it, and a flag the work checks so
//! that work nobody waits for any more stops. A request can no longer pin the few threads that
//! answer everyone else (`/healthz`, `/login`), nor keep a stopping server alive.

use crate::UiError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How long a page waits for its heavy work before answering 503 with [`UiError::Busy`]. The
/// quote page of a 15,000-line quote needs well under a second of it, the national vendor league
/// about ten (BENCHMARKS.md): a page that waits longer than this is better asked again later.
pub const PAGE_DEADLINE: Duration = Duration::from_secs(10);

/// How long work kept for every view (a vendor league, computed once per change) may run in the
/// background before it is given up: ten times the national league's ~10 s (BENCHMARKS.md).
pub const BACKGROUND_LIMIT: Duration = Duration::from_secs(600);

/// What `Retry-After` a page that gave up suggests (RFC 9110 §10.2.3), in seconds.
pub const RETRY_AFTER_SECONDS: &str = "30";

/// The heavy work of one server: slots for page work, how long a page waits for it,
/// and whether the server stops.
#[derive(Debug, Clone)]
pub struct HeavyWork {
    slots: Arc<Semaphore>,
    deadline: Duration,
    stopping: Arc<AtomicBool>,
}

impl Default for HeavyWork {
    /// One page computation at once per core but one (one at least): the last core is left to
    /// the async workers and the database threads, which answer everyone else. More at once
    /// would only queue for the CPU, each holding its memory.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        HeavyWork {
            slots: Arc::new(Semaphore::new(cores.saturating_sub(1).max(1))),
            deadline: PAGE_DEADLINE,
            stopping: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// Tells work to stop: the page that waited for it gave up, its time is over, or the server stops.
#[derive(Debug, Clone)]
pub struct Cancel {
    abandoned: Arc<AtomicBool>,
    stopping: Arc<AtomicBool>,
    until: Instant,
}

impl Cancel {
    /// Whether the work should stop now.
    pub fn is_cancelled(&self) -> bool {
        self.abandoned.load(Ordering::Relaxed) || self.stopping.load(Ordering::Relaxed) || Instant::now() >= self.until
    }

    /// [`UiError::Busy`] when the work should stop: for `?` in its loops.
    pub fn check(&self) -> Result<(), UiError> {
        if self.is_cancelled() { Err(UiError::Busy) } else { Ok(()) }
    }
}

/// Cancels the work when the future waiting for it is dropped: the page gave up, or its client
/// went away.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl HeavyWork {
    /// The same work with another deadline for pages than [`PAGE_DEADLINE`].
    pub fn with_deadline(self, deadline: Duration) -> Self {
        HeavyWork { deadline, ..self }
    }

    /// From now on no new work starts, and running work is told to stop: the server is stopping.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
        self.slots.close();
    }

    /// Whether [`HeavyWork::stop`] was called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    fn cancel(&self, limit: Duration) -> Cancel {
        Cancel {
            abandoned: Arc::new(AtomicBool::new(false)),
            stopping: self.stopping.clone(),
            until: Instant::now() + limit,
        }
    }

    /// Runs a page's `work` on a blocking thread once one of the slots is free, and gives up at
    /// the deadline ([`PAGE_DEADLINE`] unless said otherwise; waiting for a slot included) with [`UiError::Busy`]; the work is then
    /// told to stop, and keeps its slot until it does. `work` may wait for the database with
    /// `tokio::runtime::Handle::current().block_on`.
    pub async fn page<T, F>(&self, work: F) -> Result<T, UiError>
    where
        T: Send + 'static,
        F: FnOnce(&Cancel) -> Result<T, UiError> + Send + 'static,
    {
        let cancel = self.cancel(self.deadline);
        let _abandon = CancelOnDrop(cancel.abandoned.clone());
        let run = async {
            let slot = self.slots.clone().acquire_owned().await.map_err(|_| UiError::Busy)?;
            let c = cancel.clone();
            tokio::task::spawn_blocking(move || {
                let _slot = slot;
                c.check()?;
                work(&c)
            })
            .await
            .map_err(crate::ssr::context::internal)?
        };
        let outcome = tokio::time::timeout(self.deadline, run).await.unwrap_or(Err(UiError::Busy));
        if outcome.as_ref().is_err_and(|e| *e == UiError::Busy) {
            answer_busy();
        }
        outcome
    }

    /// Runs `work` kept for every view (a league) on a blocking thread, outside the page slots
    /// (its callers keep it to one at a time): it stops at [`BACKGROUND_LIMIT`] or when the server
    /// stops, and not when a page stops waiting for it ([`HeavyWork::wait_for_page`]).
    pub async fn background<T, F>(&self, work: F) -> Result<T, UiError>
    where
        T: Send + 'static,
        F: FnOnce(&Cancel) -> Result<T, UiError> + Send + 'static,
    {
        let cancel = self.cancel(BACKGROUND_LIMIT);
        if cancel.is_cancelled() {
            return Err(UiError::Busy);
        }
        tokio::task::spawn_blocking(move || work(&cancel)).await.map_err(crate::ssr::context::internal)?
    }
}

impl HeavyWork {
    /// Waits for work running in a task of its own (kept for every view when done) until the
    /// page's deadline, then answers [`UiError::Busy`] and leaves it running.
    pub async fn wait_for_page<T>(&self, task: tokio::task::JoinHandle<Result<T, UiError>>) -> Result<T, UiError> {
        let outcome = match tokio::time::timeout(self.deadline, task).await {
            Ok(joined) => joined.map_err(crate::ssr::context::internal)?,
            Err(_) => Err(UiError::Busy),
        };
        if outcome.as_ref().is_err_and(|e| *e == UiError::Busy) {
            answer_busy();
        }
        outcome
    }
}

/// 503 with `Retry-After` on the response of the request being answered, if there is one.
fn answer_busy() {
    if let Some(r) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(http::StatusCode::SERVICE_UNAVAILABLE);
        r.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from_static(RETRY_AFTER_SECONDS));
    }
}

/// The server's heavy work, from the request's context; a server that provides none (a test of
/// a server function alone) gets work of its own.
pub fn from_context() -> HeavyWork {
    leptos::prelude::use_context::<HeavyWork>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn page_work_runs_off_the_async_workers_and_returns_its_value() {
        let work = HeavyWork::default();
        let on = work.page(|_| Ok(std::thread::current().name().map(str::to_owned))).await;
        assert_ne!(on, Ok(std::thread::current().name().map(str::to_owned)), "ran on the caller's thread");
    }

    #[tokio::test]
    async fn a_stopped_server_starts_no_new_work_and_tells_running_work_to_stop() {
        let work = HeavyWork::default();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let running = tokio::spawn({
            let work = work.clone();
            async move {
                work.background(move |cancel| {
                    let _ = started_tx.send(());
                    // Bounded: the flag is what ends it, long before the hundred seconds.
                    for _ in 0..10_000 {
                        cancel.check()?;
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Ok("ran to the end")
                })
                .await
            }
        });
        started_rx.await.expect("the work started");
        work.stop();
        assert_eq!(running.await.expect("joined"), Err(UiError::Busy));
        assert_eq!(work.page(|_| Ok(1)).await, Err(UiError::Busy));
        assert_eq!(work.background(|_| Ok(1)).await, Err(UiError::Busy));
    }

    #[tokio::test]
    async fn a_page_gives_up_at_its_deadline_and_its_work_is_told_to_stop() {
        let work = HeavyWork::default().with_deadline(Duration::from_millis(50));
        let (cancel_tx, cancel_rx) = std::sync::mpsc::channel();
        let outcome = work
            .page(move |cancel| {
                let _ = cancel_tx.send(cancel.clone());
                // Bounded: stops at the flag, or after ten seconds at worst.
                for _ in 0..1_000 {
                    cancel.check()?;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(())
            })
            .await;
        assert_eq!(outcome, Err(UiError::Busy));
        let cancel = cancel_rx.recv().expect("the work started");
        assert!(cancel.is_cancelled());
    }

    #[tokio::test]
    async fn a_page_stops_waiting_for_shared_work_at_its_deadline_and_leaves_it_running() {
        let work = HeavyWork::default().with_deadline(Duration::from_millis(50));
        let (finish_tx, finish_rx) = tokio::sync::oneshot::channel::<()>();
        let shared = tokio::spawn(async move {
            let _ = finish_rx.await;
            Ok("kept for the next view")
        });
        let running = shared.abort_handle();
        assert_eq!(work.wait_for_page(shared).await, Err(UiError::Busy));
        assert!(!running.is_finished(), "the shared work was not stopped with the page");
        let _ = finish_tx.send(());
    }

    #[tokio::test]
    async fn work_whose_page_went_away_is_told_to_stop() {
        let work = HeavyWork::default();
        let (cancel_tx, cancel_rx) = std::sync::mpsc::channel();
        let page = tokio::spawn({
            let work = work.clone();
            async move {
                work.page(move |cancel| {
                    let _ = cancel_tx.send(cancel.clone());
                    std::thread::sleep(Duration::from_millis(200));
                    Ok(())
                })
                .await
            }
        });
        let cancel = tokio::task::spawn_blocking(move || cancel_rx.recv().expect("started")).await.expect("joined");
        assert!(!cancel.is_cancelled());
        page.abort();
        let _ = page.await;
        assert!(cancel.is_cancelled());
    }
}
