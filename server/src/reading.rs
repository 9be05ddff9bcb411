//! Reading uploaded files off the async threads, bounded in time and in number (issue 10:
//! upload limits; OWASP ASVS 4.0.3 V12.1, V13.2). Size, cells, declared counts and inflated
//! bytes are checked by `quote_reader`; this adds the wall-clock limit and a cap on reads at
//! once, so no upload — however crafted — holds the machine's two cores for long. A read past
//! its time limit is told to stop ([`quote_reader::Stop`]) and gives its slot back within
//! milliseconds, instead of holding it until it ends on its own (two honest 250 MiB
//! workbooks used to hold both slots for 20 s and answer everyone 503).

use quote_reader::Stop;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Longest a file may take to read before the upload is refused (a real quote reads in
/// milliseconds: BENCHMARKS.md, audit vs parse).
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// How many times [`TIME_LIMIT`] a read that may need OCR (a scan, a photo, a PDF) is given:
/// OCR takes 1–4 s a page on the 2-core machine (BENCHMARKS.md), and a scan may have up to 20
/// pages; the pages are recognised one at a time in the whole server, on one core
/// (quote_reader's OCR), so a long scan never holds both cores.
pub const SCAN_TIME_FACTOR: u32 = 12;

/// Files read at once: one per core of the machine Onshi is measured on (2 cores).
const AT_ONCE: usize = 2;

/// How long a read told to stop is waited for before the refusal is sent: a read that
/// heeds the stop ends in milliseconds, and one that cannot (inside a parser's own loop)
/// keeps its slot, so that runaway reads never outnumber the cores.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// Why a read did not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Overrun {
    /// It ran past the time limit and was told to stop (it gives its slot back when it
    /// stops; one that cannot stop keeps it, so runaway reads cannot pile up).
    #[error(
        "ファイルの読み取りが制限時間（{}秒）を超えました。見積の明細のシートだけを残したファイルか、CSV で保存したファイルをアップロードしてください。",
        .0.as_secs().max(1)
    )]
    TimedOut(Duration),
    /// Every slot stayed taken for the whole time limit.
    #[error("ほかのファイルの読み取りで混み合っています。しばらくしてから、もう一度アップロードしてください。")]
    Busy,
    /// The reader panicked (a bug: `quote_reader` promises not to).
    #[error("ファイルを読み取れませんでした（内部エラー）。")]
    Failed,
}

/// The shared limits of file reads.
#[derive(Debug, Clone)]
pub struct Reading {
    slots: Arc<Semaphore>,
    time_limit: Duration,
}

impl Reading {
    /// Reads limited to `time_limit` each (waiting for a slot included).
    pub fn new(time_limit: Duration) -> Self {
        Reading { slots: Arc::new(Semaphore::new(AT_ONCE)), time_limit }
    }

    /// Runs `read` on a blocking thread within the limits. `read` is given the [`Stop`] raised
    /// when the time limit passes, and should hand it to the reader.
    pub async fn run<T: Send + 'static>(&self, read: impl FnOnce(&Stop) -> T + Send + 'static) -> Result<T, Overrun> {
        self.run_within(self.time_limit, read).await
    }

    /// [`Reading::run`] for a file that may need OCR ([`quote_reader::may_need_ocr`]): within
    /// [`SCAN_TIME_FACTOR`] times the time limit.
    pub async fn run_scan<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Stop) -> T + Send + 'static,
    ) -> Result<T, Overrun> {
        self.run_within(self.time_limit * SCAN_TIME_FACTOR, read).await
    }

    async fn run_within<T: Send + 'static>(
        &self,
        time_limit: Duration,
        read: impl FnOnce(&Stop) -> T + Send + 'static,
    ) -> Result<T, Overrun> {
        let deadline = tokio::time::Instant::now() + time_limit;
        let slot = tokio::time::timeout_at(deadline, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| Overrun::Busy)?
            .map_err(|_| Overrun::Busy)?;
        let stop = Stop::new();
        let theirs = stop.clone();
        let mut task = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            read(&theirs)
        });
        match tokio::time::timeout_at(deadline, &mut task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "a file reader panicked");
                Err(Overrun::Failed)
            }
            Err(_) => {
                stop.stop();
                let stopped = tokio::time::timeout(STOP_GRACE, task).await.is_ok();
                tracing::warn!(
                    limit_ms = time_limit.as_millis(),
                    stopped,
                    "a file read ran past its time limit and was told to stop"
                );
                Err(Overrun::TimedOut(time_limit))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read that works in small steps and checks the stop between them, as quote_reader does.
    fn heeding(stop: &Stop, steps: u32) -> u32 {
        for step in 0..steps {
            if stop.is_stopped() {
                return step;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        steps
    }

    #[tokio::test]
    async fn a_read_past_the_limit_is_stopped_and_its_slot_is_free_when_the_refusal_comes() {
        let reading = Reading::new(Duration::from_millis(50));
        let slow = reading.run(|stop| heeding(stop, 1000));
        assert_eq!(slow.await, Err(Overrun::TimedOut(Duration::from_millis(50))));
        assert_eq!(reading.slots.available_permits(), AT_ONCE, "the stopped read gave its slot back");
        assert_eq!(reading.run(|_| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn a_read_that_cannot_stop_keeps_its_slot_until_it_ends() {
        let reading = Reading::new(Duration::from_millis(50));
        // It sleeps past the time limit and the grace after the stop (1.05 s).
        let stubborn = reading.run(|_| std::thread::sleep(Duration::from_millis(3000)));
        assert_eq!(stubborn.await, Err(Overrun::TimedOut(Duration::from_millis(50))));
        assert_eq!(reading.slots.available_permits(), AT_ONCE - 1, "the runaway thread still holds its slot");
        assert_eq!(reading.run(|_| 7).await, Ok(7), "the other slot still serves");
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(reading.slots.available_permits(), AT_ONCE, "freed when the thread ends");
    }

    #[tokio::test]
    async fn when_every_slot_stays_taken_the_upload_is_told_to_come_back() {
        let reading = Reading::new(Duration::from_millis(50));
        let hog = || reading.run(|_| std::thread::sleep(Duration::from_millis(3000)));
        let (first, second) = tokio::join!(hog(), hog());
        assert!(first.is_err() && second.is_err());
        assert_eq!(reading.run(|_| 1).await, Err(Overrun::Busy));
    }

    #[test]
    fn the_messages_say_what_to_do() {
        assert!(Overrun::TimedOut(TIME_LIMIT).to_string().contains("制限時間（10秒）"));
        assert!(Overrun::Busy.to_string().contains("しばらくしてから"));
    }
}
