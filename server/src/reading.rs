//! Reading uploaded files off the async threads, bounded in time and in number (issue 10:
//! upload limits; OWASP ASVS 4.0.3 V12.1, V13.2). Size, cells and ZIP ratios are checked by
//! `quote_reader` before anything expands; this adds the wall-clock limit and a cap on reads
//! at once, so no upload — however crafted — holds the machine's two cores for long.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Longest a file may take to read before the upload is refused (a real quote reads in
/// milliseconds: BENCHMARKS.md, audit vs parse).
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Files read at once: one per core of the machine Onshi is measured on (2 cores).
const AT_ONCE: usize = 2;

/// Why a read did not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Overrun {
    /// It ran past the time limit (the thread finishes on its own and its result is dropped;
    /// it keeps its slot until then, so runaway reads cannot pile up).
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

    /// Runs `read` on a blocking thread within the limits.
    pub async fn run<T: Send + 'static>(&self, read: impl FnOnce() -> T + Send + 'static) -> Result<T, Overrun> {
        let deadline = tokio::time::Instant::now() + self.time_limit;
        let slot = tokio::time::timeout_at(deadline, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| Overrun::Busy)?
            .map_err(|_| Overrun::Busy)?;
        let task = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            read()
        });
        match tokio::time::timeout_at(deadline, task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "a file reader panicked");
                Err(Overrun::Failed)
            }
            Err(_) => {
                tracing::warn!(limit_ms = self.time_limit.as_millis(), "a file read ran past its time limit");
                Err(Overrun::TimedOut(self.time_limit))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_past_the_limit_is_refused_and_keeps_its_slot_until_it_ends() {
        let reading = Reading::new(Duration::from_millis(50));
        let slow = reading.run(|| std::thread::sleep(Duration::from_millis(300)));
        assert_eq!(slow.await, Err(Overrun::TimedOut(Duration::from_millis(50))));
        assert_eq!(reading.slots.available_permits(), AT_ONCE - 1, "the runaway thread still holds its slot");
        assert_eq!(reading.run(|| 7).await, Ok(7), "the other slot still serves");
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(reading.slots.available_permits(), AT_ONCE, "freed when the thread ends");
    }

    #[tokio::test]
    async fn when_every_slot_stays_taken_the_upload_is_told_to_come_back() {
        let reading = Reading::new(Duration::from_millis(50));
        let hogs: Vec<_> =
            (0..AT_ONCE).map(|_| reading.run(|| std::thread::sleep(Duration::from_millis(300)))).collect();
        for hog in hogs {
            assert!(hog.await.is_err());
        }
        assert_eq!(reading.run(|| 1).await, Err(Overrun::Busy));
    }

    #[test]
    fn the_messages_say_what_to_do() {
        assert!(Overrun::TimedOut(TIME_LIMIT).to_string().contains("制限時間（10秒）"));
        assert!(Overrun::Busy.to_string().contains("しばらくしてから"));
    }
}
