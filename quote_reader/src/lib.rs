//! Reads a vendor's quote (御見積書) — .xlsx, .xlsm, .xls, .ods, CSV, a PDF, or a scan or photo
//! of the paper (JPEG, PNG, TIFF, a PDF of pictures), as it came — into a [`rules::quote::Quote`].
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
mod ocr;
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

    /// Decodes a picture file (JPEG, PNG, TIFF) as a scan is decoded, and prepares each page for
    /// OCR as a scan's pages are (scaled, straightened, evened, its rules erased) — without
    /// running OCR, which is a child process. Pages over two megapixels are decoded only, so
    /// that the fuzzer stays fast. The results are dropped.
    pub fn picture(bytes: &[u8]) {
        if let Ok(pages) = crate::ocr::picture::decode("fuzz.png", bytes, 4) {
            for page in pages.iter().filter(|p| u64::from(p.gray.width()) * u64::from(p.gray.height()) <= 2_000_000) {
                let _ = crate::ocr::picture::prepared(page);
            }
        }
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
    read(file_name, bytes, limits, stop).map(|(quote, _)| quote)
}

/// A worksheet's cells as text, for readers of workbooks other than quotes (the facility
/// registry's lists): what [`workbook_text`] gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetText {
    /// The sheet's name.
    pub name: String,
    /// Its non-empty rows: (0-based row, its non-empty cells as (0-based column, text)). Text as
    /// stored; whole numbers without a decimal point; dates as `2025-08-01`.
    pub rows: Vec<(u32, Vec<(u32, String)>)>,
}

/// The visible worksheets of a workbook (.xlsx, .xlsm, .xls, .ods), or a CSV/TSV file as one
/// sheet named "", as text — read with the same guards as a quote: the container checked before
/// anything inflates, the .xls structure checked before calamine sees it, every read metered and
/// stoppable, calamine's panics caught; text decoded as UTF-8 (BOM or not), UTF-16 with BOM or
/// CP932 — and within `limits`. Rows and columns a workbook hides are left out. A CSV's row is the
/// 0-based line its record starts on. PDFs and pictures are refused as
/// [`ReadErrorKind::NotASpreadsheet`].
pub fn workbook_text(file_name: &str, bytes: &[u8], limits: &Limits, stop: &Stop) -> Result<Vec<SheetText>, ReadError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_bytes {
        return Err(ReadError::file(file_name, ReadErrorKind::TooLarge { size, limit: limits.max_bytes }));
    }
    let workbook =
        bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") || bytes.starts_with(&cfb::SIGNATURE);
    let loaded = if workbook {
        load::load(file_name, bytes, limits, stop)?
    } else if load::is_pdf(bytes) || ocr::picture::is_picture(bytes) {
        return Err(load::not_a_spreadsheet(file_name));
    } else {
        load::load_text(file_name, bytes, limits)?
    };
    Ok(loaded
        .sheets
        .iter()
        .map(|sheet| SheetText {
            name: sheet.name.clone(),
            rows: sheet
                .rows()
                .map(|(row, cells)| (row, cells.iter().map(|(col, value)| (*col, value.as_plain_text())).collect()))
                .collect(),
        })
        .collect())
}

/// A picture of one row of a quote read from a scan or a photo: the band of the page it was
/// read from, as PNG, shown in the preview beside what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowPicture {
    /// 1-based row, as [`rules::quote::QuoteLine::row`].
    pub row: u32,
    /// The picture (grey PNG, at most 1,200 pixels wide).
    pub png: Vec<u8>,
}

/// A quote as read for the preview: for a scan or a photo, with the picture of each line and
/// written total (`quote.scan` then says what to check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    /// The quote.
    pub quote: Quote,
    /// The pictures of its rows (empty unless the quote was read by OCR).
    pub row_pictures: Vec<RowPicture>,
}

/// [`read_quote_with_stop`] with the pictures a person checks a scan against.
///
/// Scans and photos (JPEG, PNG, TIFF, PDFs of pictures) are read by Tesseract with its Japanese
/// model when the machine has it (`tesseract-ocr`, `tesseract-ocr-jpn`, and `poppler-utils` for
/// PDFs); without it they are refused with [`ReadErrorKind::OcrMissing`].
pub fn read_quote_for_review(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    stop: &Stop,
) -> Result<Reviewed, ReadError> {
    let (quote, loaded) = read(file_name, bytes, limits, stop)?;
    let mut row_pictures = Vec::new();
    if loaded.ocr.is_some() {
        let mut rows: Vec<u32> = quote.lines.iter().map(|l| l.row).collect();
        let w = &quote.written;
        rows.extend([w.subtotal, w.tax, w.total].into_iter().flatten().map(|a| a.row));
        rows.sort_unstable();
        rows.dedup();
        let Some(sheet) = loaded.sheets.first() else { return Ok(Reviewed { quote, row_pictures }) };
        for row in rows {
            if stop.is_stopped() {
                return Err(ReadError::file(file_name, ReadErrorKind::Stopped));
            }
            let Some(place) = row.checked_sub(1).and_then(|r| sheet.places.get(r as usize)) else { continue };
            let Some(Some(page)) = loaded.pictures.get(place.page as usize) else { continue };
            let px = |pt: f64| (pt.max(0.0) * page.per_point) as u32;
            if let Some(png) = ocr::picture::band_png(&page.image, px(place.top), px(place.bottom)) {
                row_pictures.push(RowPicture { row, png });
            }
        }
    }
    Ok(Reviewed { quote, row_pictures })
}

/// Whether reading the file may need OCR (a picture, or a PDF whose pages may be pictures): the
/// server gives such reads a longer time limit. Told by the first bytes, as the reader tells them.
pub fn may_need_ocr(bytes: &[u8]) -> bool {
    ocr::picture::is_picture(bytes) || load::is_pdf(bytes)
}

/// Reads a file into a quote, keeping what was loaded (a scan's pictures).
fn read(file_name: &str, bytes: &[u8], limits: &Limits, stop: &Stop) -> Result<(Quote, load::Loaded), ReadError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_bytes {
        return Err(ReadError::file(file_name, ReadErrorKind::TooLarge { size, limit: limits.max_bytes }));
    }
    let loaded = load::load(file_name, bytes, limits, stop)?;
    match analyse::analyse(file_name, &loaded) {
        Ok(mut quote) => {
            if let Some(engine) = &loaded.ocr {
                quote.scan = Some(ocr::review::reading(&loaded, &quote, engine));
            }
            Ok((quote, loaded))
        }
        // A scan without a table: what to do about a picture, not about a sheet's header.
        Err(e) if loaded.ocr.is_some() && e.kind == ReadErrorKind::NoItemTable => {
            Err(ReadError::file(file_name, ReadErrorKind::NoTableInScan))
        }
        // Text without any table under a workbook's name is not a misplaced
        // header but the wrong file: say that instead.
        Err(e) if loaded.origin == load::Origin::Text && e.kind == ReadErrorKind::NoItemTable => {
            match load::claimed_extension(file_name) {
                Some(ext) => Err(ReadError::file(file_name, ReadErrorKind::NotASpreadsheet { claimed: Some(ext) })),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
