//! What one read may spend: a stop the caller raises from another thread, and running totals of the bytes inflated from a container, read back by the parsers and laid out as cell text.
//!
//! Declared sizes and counts are checked before anything expands, but what a
//! file makes the parsers do can still outgrow them (one worksheet listed under
//! a thousand sheet names is read a thousand times; one long text repeated in
//! every cell is copied into every cell). So every byte inflated or read passes
//! through a [`Budget`], which also lets the server abandon a read at its time
//! limit: the reader notices within one buffer (a few KB) and stops, instead of
//! running on after nobody waits for it.

use crate::error::{ReadError, ReadErrorKind};
use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Raised by the caller to abandon a read in progress (the server raises it when its time
/// limit passes). The read then ends within milliseconds with [`ReadErrorKind::Stopped`].
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A stop not yet raised.
    pub fn new() -> Self {
        Stop::default()
    }

    /// Asks the read to stop. Idempotent; callable from any thread.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Stop::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Why a read ended before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// The caller raised the [`Stop`].
    Stopped,
    /// More bytes inflated or read back than the limits allow.
    Data { bytes: u64, limit: u64 },
    /// More cell text laid out than [`crate::Limits::max_text_bytes`].
    Text { bytes: u64, limit: u64 },
}

impl Exceeded {
    pub(crate) fn into_error(self, file: &str) -> ReadError {
        let kind = match self {
            Exceeded::Stopped => ReadErrorKind::Stopped,
            Exceeded::Data { bytes, limit } => ReadErrorKind::TooMuchData { bytes, limit },
            Exceeded::Text { bytes, limit } => ReadErrorKind::TooMuchText { bytes, limit },
        };
        ReadError::file(file, kind)
    }
}

/// One running total against its limit.
struct Tally {
    spent: Cell<u64>,
    limit: u64,
}

impl Tally {
    fn new(limit: u64) -> Self {
        Tally { spent: Cell::new(0), limit }
    }

    /// Adds `n`; `Err(total)` once the total passes the limit.
    fn add(&self, n: u64) -> Result<(), u64> {
        let total = self.spent.get().saturating_add(n);
        self.spent.set(total);
        if total > self.limit { Err(total) } else { Ok(()) }
    }
}

/// The spending of one read (one thread).
pub(crate) struct Budget<'a> {
    stop: &'a Stop,
    /// Bytes inflated out of a ZIP container.
    inflated: Tally,
    /// Bytes the parsers read back from the inflated parts.
    reread: Tally,
    /// Bytes of text the parsers lay out in cells.
    text: Tally,
    /// The first limit passed, kept so that an error a parser reports after our reader
    /// refused it can be told for what it is.
    exceeded: Cell<Option<Exceeded>>,
}

impl<'a> Budget<'a> {
    /// Inflating may produce `max_inflated` bytes; the parsers may read them back
    /// [`REREADS`] times over, and lay out `max_text` bytes of cell text.
    pub(crate) fn new(stop: &'a Stop, max_inflated: u64, max_text: u64) -> Self {
        Budget {
            stop,
            inflated: Tally::new(max_inflated),
            reread: Tally::new(max_inflated.saturating_mul(REREADS)),
            text: Tally::new(max_text),
            exceeded: Cell::new(None),
        }
    }

    fn fail(&self, e: Exceeded) -> Result<(), Exceeded> {
        if self.exceeded.get().is_none() {
            self.exceeded.set(Some(e));
        }
        Err(e)
    }

    /// Whether the read may go on.
    pub(crate) fn check(&self) -> Result<(), Exceeded> {
        if let Some(e) = self.exceeded.get() {
            return Err(e);
        }
        if self.stop.is_stopped() {
            return self.fail(Exceeded::Stopped);
        }
        Ok(())
    }

    pub(crate) fn inflate(&self, n: u64) -> Result<(), Exceeded> {
        self.check()?;
        let limit = self.inflated.limit;
        self.inflated.add(n).or_else(|bytes| self.fail(Exceeded::Data { bytes, limit }))
    }

    fn reread(&self, n: u64) -> Result<(), Exceeded> {
        self.check()?;
        let limit = self.reread.limit;
        self.reread.add(n).or_else(|bytes| self.fail(Exceeded::Data { bytes, limit }))
    }

    /// Counts `n` bytes of text a parser will lay out.
    pub(crate) fn text(&self, n: u64) -> Result<(), Exceeded> {
        self.check()?;
        let limit = self.text.limit;
        self.text.add(n).or_else(|bytes| self.fail(Exceeded::Text { bytes, limit }))
    }

    /// The limit passed or the stop raised, if any: a parser's error after it is that, not a broken file.
    pub(crate) fn exceeded(&self) -> Option<Exceeded> {
        self.exceeded.get().or_else(|| self.stop.is_stopped().then_some(Exceeded::Stopped))
    }

    /// `corrupted` unless a limit or the stop explains the parser's failure.
    pub(crate) fn explain(&self, file: &str, corrupted: ReadError) -> ReadError {
        match self.exceeded() {
            Some(e) => e.into_error(file),
            None => corrupted,
        }
    }
}

/// How many times over the parsers may read the inflated parts: an honest file has each
/// part read once by calamine and once more by a pre-scan (content.xml of an .ods).
pub(crate) const REREADS: u64 = 2;

fn io_error(e: Exceeded) -> io::Error {
    io::Error::other(format!("read budget: {e:?}"))
}

/// A reader that spends from the budget for every byte it yields.
pub(crate) struct Metered<'b, 'a, R> {
    inner: R,
    budget: &'b Budget<'a>,
    /// Inflating (counted as inflated) or reading back (counted as reread).
    inflating: bool,
}

impl<'b, 'a, R> Metered<'b, 'a, R> {
    /// Counts what `inner` yields as inflated bytes.
    pub(crate) fn inflating(inner: R, budget: &'b Budget<'a>) -> Self {
        Metered { inner, budget, inflating: true }
    }

    /// Counts what `inner` yields as bytes read back.
    pub(crate) fn rereading(inner: R, budget: &'b Budget<'a>) -> Self {
        Metered { inner, budget, inflating: false }
    }
}

impl<R: Read> Read for Metered<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.budget.check().map_err(io_error)?;
        let n = self.inner.read(buf)?;
        let counted = u64::try_from(n).unwrap_or(u64::MAX);
        let spent = if self.inflating { self.budget.inflate(counted) } else { self.budget.reread(counted) };
        spent.map_err(io_error)?;
        Ok(n)
    }
}

impl<R: Seek> Seek for Metered<'_, '_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raised_stop_ends_the_next_read() {
        let stop = Stop::new();
        let budget = Budget::new(&stop, 1000, 1000);
        let mut reader = Metered::inflating(&b"0123456789"[..], &budget);
        let mut buf = [0u8; 4];
        assert_eq!(reader.read(&mut buf).expect("before the stop"), 4);
        stop.clone().stop();
        assert!(reader.read(&mut buf).is_err());
        assert_eq!(budget.exceeded(), Some(Exceeded::Stopped));
    }

    #[test]
    fn the_totals_add_up_over_every_reader() {
        let stop = Stop::new();
        let budget = Budget::new(&stop, 15, 1000);
        let mut sink = Vec::new();
        Metered::inflating(&[0u8; 10][..], &budget).read_to_end(&mut sink).expect("10 of 15");
        let over = Metered::inflating(&[0u8; 10][..], &budget).read_to_end(&mut sink);
        assert!(over.is_err());
        assert_eq!(budget.exceeded(), Some(Exceeded::Data { bytes: 20, limit: 15 }));
        // Once passed, every later step is refused too.
        assert!(budget.text(1).is_err());
    }

    #[test]
    fn parts_may_be_read_back_twice_over() {
        let stop = Stop::new();
        let budget = Budget::new(&stop, 10, 1000);
        let mut sink = Vec::new();
        for _ in 0..REREADS {
            Metered::rereading(&[0u8; 10][..], &budget).read_to_end(&mut sink).expect("within");
        }
        assert!(Metered::rereading(&[0u8; 1][..], &budget).read_to_end(&mut sink).is_err());
    }

    #[test]
    fn text_has_its_own_limit() {
        let stop = Stop::new();
        let budget = Budget::new(&stop, 10, 100);
        assert!(budget.text(100).is_ok());
        assert_eq!(budget.text(1), Err(Exceeded::Text { bytes: 101, limit: 100 }));
    }
}
