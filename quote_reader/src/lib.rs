//! Reads a vendor's quote (御見積書) — .xlsx, .xlsm, .xls, .ods or CSV, as it came — into a [`rules::quote::Quote`].
//!
//! The format is told by content, not by the file name. Limits are enforced
//! before any parser expands the file (size, ZIP entry sizes and ratios, cell
//! counts, the counts a file declares), and while it reads (bytes inflated and
//! read back, cell text, a [`Stop`] the caller may raise); bad input is refused
//! with a [`ReadError`] whose message says, in Japanese, where the problem is
//! (file, sheet, row, column) and what to fix. No input makes this crate panic
//! or reserve memory out of proportion to the file.
//!
//! ```no_run
//! # fn main() -> std::io::Result<()> {
//! let bytes = std::fs::read("見積書.xlsx")?;
//! match quote_reader::read_quote("見積書.xlsx", &bytes, &quote_reader::Limits::default()) {
//!     Ok(quote) => println!("{} lines", quote.lines.len()),
//!     // 「見積書.xlsx（シート「明細」、12行目、F列）: 数式のエラー（#REF!）があります。…」
//!     Err(e) => eprintln!("{e}"),
//! }
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod analyse;
mod budget;
mod cfb;
mod csv;
mod error;
mod facts;
mod grid;
mod header;
mod header_band;
mod load;
mod pdf;
mod scan;
mod summary;
mod text;
mod unpack;

/// Builders of crafted files (declared counts that lie, honest files that inflate
/// far), for the tests of this crate and of the server. Not a stable API.
#[cfg(any(test, feature = "crafted"))]
#[doc(hidden)]
pub mod crafted;

/// The number parsers applied to cells, reachable from the fuzz targets in
/// `fuzz/` (they are private to the reader otherwise). Not a stable API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use crate::grid::Value;

    /// Reads `text` as a cell of every number-bearing column would: money,
    /// quantity (with its unit), unit, and the CSV "looks numeric" test.
    /// The results are dropped; only panics matter to a fuzzer.
    pub fn text_cell(text: &str) {
        let value = Value::from_text(text);
        let _ = crate::text::money(&value);
        let _ = crate::text::quantity(&value);
        let _ = crate::text::unit(&value);
        let _ = crate::text::looks_numeric(text);
        let _ = crate::text::compact_unbracketed(text);
        let _ = crate::text::clean(text);
    }

    /// Reads a numeric cell (any float a workbook can hold, NaN and infinities included)
    /// as a money and a quantity cell.
    pub fn number_cell(number: f64) {
        let value = Value::Number(number);
        let _ = crate::text::money(&value);
        let _ = crate::text::quantity(&value);
    }
}

pub use budget::Stop;
pub use error::{ReadError, ReadErrorKind, UnsupportedFormat};
use rules::quote::Quote;

/// How much a quote file may hold. The defaults suit any real quote; tests use small ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes (default 20 MiB, issue 4).
    pub max_bytes: u64,
    /// Most cells accepted: the used ranges (rows × columns) of all sheets
    /// together (default 200,000, issue 4).
    pub max_cells: u64,
    /// Most bytes the parts of a ZIP container (.xlsx, .xlsm, .ods) may inflate
    /// to, each and all together, declared and counted while inflating; the
    /// parsers may read them back twice over (default 64 MiB). Measured: the
    /// 20-line fixture quotes inflate to 13–58 KB, a 100-line quote to 96 KB,
    /// a 10,000-line quote (`benches/quotes/quote_10000_lines.xlsx`) to 8.0 MiB,
    /// and the cell limit allows about 20,000 such lines (16 MiB); 64 MiB leaves
    /// room for those plus 20 MiB of pictures, and no real quote comes near it.
    pub max_uncompressed_bytes: u64,
    /// Highest expansion ratio of a ZIP part over 1 MiB (default 200; spreadsheet
    /// XML compresses 5–50 times, a zip bomb about 1,000 times).
    pub max_compression_ratio: u64,
    /// Most bytes of text the cells may hold once laid out (default 32 MiB), a
    /// text used by many cells counted in each. The 10,000-line quote reads
    /// within 1 MiB (tests/hostile_files.rs), so 32 MiB is far above any quote
    /// and far below what one text copied into every cell can make.
    pub max_text_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_cells: 200_000,
            max_uncompressed_bytes: 64 * 1024 * 1024,
            max_compression_ratio: 200,
            max_text_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Reads a quote file.
///
/// `file_name` is the name as uploaded: it appears in messages and in
/// `Quote::source`, and its extension only improves the message when the
/// content is not what the name claims. Row numbers in the result are 1-based
/// sheet rows (CSV: line numbers).
pub fn read_quote(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Quote, ReadError> {
    read_quote_with_stop(file_name, bytes, limits, &Stop::new())
}

/// [`read_quote`], abandoned with [`ReadErrorKind::Stopped`] within milliseconds of
/// `stop` being raised from another thread (the server raises it at its time limit).
pub fn read_quote_with_stop(file_name: &str, bytes: &[u8], limits: &Limits, stop: &Stop) -> Result<Quote, ReadError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_bytes {
        return Err(ReadError::file(file_name, ReadErrorKind::TooLarge { size, limit: limits.max_bytes }));
    }
    let loaded = load::load(file_name, bytes, limits, stop)?;
    match analyse::analyse(file_name, &loaded) {
        // Text without any table under a workbook's name is not a misplaced
        // header but the wrong file: say that instead.
        Err(e) if loaded.origin == load::Origin::Text && e.kind == ReadErrorKind::NoItemTable => {
            match load::claimed_extension(file_name) {
                Some(ext) => Err(ReadError::file(file_name, ReadErrorKind::NotASpreadsheet { claimed: Some(ext) })),
                None => Err(e),
            }
        }
        other => other,
    }
}
