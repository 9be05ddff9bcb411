//! From bytes to sheets: detects the format by content, enforces the limits before any parser expands the file, and hands workbooks to calamine within the read's budget.

use crate::budget::{Budget, Metered, Stop};
use crate::cfb::{self, Cfb, wrap};
use crate::error::corrupted;
use crate::error::{ReadError, ReadErrorKind, UnsupportedFormat};
use crate::grid::{Hidden, Sheet, Value};
use crate::unpack::{self, ZipKind};
use crate::{Limits, csv, scan};
use calamine::{
    Data, DataRef, ExcelDateTime, Ods, OdsError, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsx, XlsxError,
};
use std::io::{Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use zip::ZipArchive;

/// What calamine reads from: the bytes it is given, each read counted and stoppable.
type Source<'s, 'b, 'a> = Metered<'b, 'a, std::io::Cursor<&'s [u8]>>;

/// Where the sheets came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A workbook's named sheets.
    Workbook,
    /// CSV: one sheet without a name; rows are the file's lines.
    Text,
    /// A PDF's text, or a scan's words recognised by OCR, rebuilt into one sheet without a name;
    /// rows are its lines of text.
    Pdf,
}

impl Origin {
    /// Whether messages and lines name the sheet.
    pub(crate) fn has_sheet_names(self) -> bool {
        self == Origin::Workbook
    }
}

/// Sheets of the workbook, in workbook order, and where they came from.
pub(crate) struct Loaded {
    /// Visible worksheets (a CSV or a PDF gives one, named "").
    pub(crate) sheets: Vec<Sheet>,
    /// Workbook, CSV or PDF.
    pub(crate) origin: Origin,
    /// Worksheets the workbook hides, left unread.
    pub(crate) hidden_sheets: Vec<String>,
    /// For a scan: each page's picture (None for a page read from its text), for the preview.
    pub(crate) pictures: Vec<Option<crate::ocr::PagePicture>>,
    /// For a scan: the OCR engine that read it (「Tesseract 5.3.0（日本語）」).
    pub(crate) ocr: Option<String>,
}

/// Worksheets a workbook hides (hidden or very hidden).
fn hidden_sheets(metadata: &[calamine::Sheet]) -> Vec<String> {
    metadata
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible != SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

/// Extensions that claim to be a workbook, for the message when the content is not one.
const WORKBOOK_EXTENSIONS: [&str; 7] = ["xlsx", "xlsm", "xls", "ods", "xlsb", "xltx", "xltm"];

pub(crate) fn claimed_extension(file: &str) -> Option<String> {
    let ext = file.rsplit_once('.')?.1.to_ascii_lowercase();
    WORKBOOK_EXTENSIONS.contains(&ext.as_str()).then_some(ext)
}

pub(crate) fn not_a_spreadsheet(file: &str) -> ReadError {
    ReadError::file(file, ReadErrorKind::NotASpreadsheet { claimed: claimed_extension(file) })
}

/// Reads the sheets of a quote file whose size is already checked, until `stop` is raised.
pub(crate) fn load(file: &str, bytes: &[u8], limits: &Limits, stop: &Stop) -> Result<Loaded, ReadError> {
    let budget = Budget::new(stop, limits.max_uncompressed_bytes, limits.max_text_bytes);
    let (sheets, hidden_sheets) = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        load_zip(file, bytes, limits, &budget)?
    } else if bytes.starts_with(&cfb::SIGNATURE) {
        load_cfb(file, bytes, limits, &budget)?
    } else if is_pdf(bytes) {
        let read = guarded(file, || crate::pdf::load_pdf(file, bytes, limits, &budget, stop))?;
        let sheets = vec![read.sheet];
        check_area(file, &sheets, limits)?;
        return Ok(Loaded {
            sheets,
            origin: Origin::Pdf,
            hidden_sheets: Vec::new(),
            pictures: read.pictures,
            ocr: read.ocr,
        });
    } else if crate::ocr::picture::is_picture(bytes) {
        let (sheet, pictures, engine) = guarded(file, || crate::ocr::load_pictures(file, bytes, stop))?;
        let sheets = vec![sheet];
        check_area(file, &sheets, limits)?;
        return Ok(Loaded { sheets, origin: Origin::Pdf, hidden_sheets: Vec::new(), pictures, ocr: Some(engine) });
    } else {
        return load_text(file, bytes, limits);
    };
    check_area(file, &sheets, limits)?;
    Ok(Loaded { sheets, origin: Origin::Workbook, hidden_sheets, pictures: Vec::new(), ocr: None })
}

/// Text: CSV (or TSV) in UTF-8, UTF-16 with BOM, or Shift_JIS/CP932.
pub(crate) fn load_text(file: &str, bytes: &[u8], limits: &Limits) -> Result<Loaded, ReadError> {
    let Some(text) = csv::decode(bytes) else {
        return Err(not_a_spreadsheet(file));
    };
    let head: String = text.trim_start().chars().take(2048).collect::<String>().to_ascii_lowercase();
    if head.starts_with('<') {
        let format = if head.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            UnsupportedFormat::SpreadsheetMl2003
        } else if head.contains("<html") || head.contains("<table") {
            UnsupportedFormat::Html
        } else {
            return Err(not_a_spreadsheet(file));
        };
        return Err(ReadError::file(file, ReadErrorKind::Unsupported { format }));
    }
    let sheet = csv::parse(&text, limits.max_cells)
        .map_err(|cells| ReadError::file(file, ReadErrorKind::TooManyCells { cells, limit: limits.max_cells }))?;
    if sheet.cell_count() == 0 {
        // An empty file, or commas and spaces only.
        return Err(not_a_spreadsheet(file));
    }
    let sheets = vec![sheet];
    check_area(file, &sheets, limits)?;
    Ok(Loaded { sheets, origin: Origin::Text, hidden_sheets: Vec::new(), pictures: Vec::new(), ocr: None })
}

/// The sum of the sheets' used ranges must stay within the cell limit.
fn check_area(file: &str, sheets: &[Sheet], limits: &Limits) -> Result<(), ReadError> {
    let cells = sheets.iter().fold(0u64, |sum, s| sum.saturating_add(s.used_area()));
    if cells > limits.max_cells {
        return Err(ReadError::file(file, ReadErrorKind::TooManyCells { cells, limit: limits.max_cells }));
    }
    Ok(())
}

/// Runs third-party parsing so that a panic inside it becomes "corrupted" instead of taking the caller down.
fn guarded<T>(file: &str, f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(corrupted(file, "the parser panicked")))
}

/// Leaves the rows and columns a workbook hides out of its sheets: they are not part of the
/// quote as printed. A workbook whose visibility cannot be read is still read, every row shown.
fn leave_out_hidden(sheets: &mut [Sheet], hidden: Result<std::collections::HashMap<String, Hidden>, String>) {
    let Ok(hidden) = hidden else { return };
    for sheet in sheets {
        if let Some(h) = hidden.get(&sheet.name) {
            sheet.drop_hidden(h);
        }
    }
}

/// Sheets and the names of the hidden ones.
type Sheets = (Vec<Sheet>, Vec<String>);

fn load_zip(file: &str, bytes: &[u8], limits: &Limits, budget: &Budget<'_>) -> Result<Sheets, ReadError> {
    guarded(file, || {
        let unpacked = unpack::unpack(file, bytes, limits, budget)?;
        let source = || Metered::rereading(std::io::Cursor::new(unpacked.bytes.as_slice()), budget);
        match unpacked.kind {
            ZipKind::Xlsx => {
                let (mut sheets, hidden) = load_xlsx(file, source(), limits, budget)?;
                let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
                let mut archive = ZipArchive::new(source()).map_err(|e| budget.explain(file, corrupted(file, e)))?;
                leave_out_hidden(&mut sheets, scan::xlsx_hidden(&mut archive, &names));
                budget.check().map_err(|e| e.into_error(file))?;
                Ok((sheets, hidden))
            }
            ZipKind::Ods => {
                let mut archive = ZipArchive::new(source()).map_err(|e| budget.explain(file, corrupted(file, e)))?;
                scan::ods_cells(file, &mut archive, limits, budget)?;
                let mut workbook: Ods<_> = Ods::new(source()).map_err(|e| match e {
                    OdsError::Password => ReadError::file(file, ReadErrorKind::Encrypted),
                    other => budget.explain(file, corrupted(file, other)),
                })?;
                let (mut sheets, hidden) = ranges(file, &mut workbook, budget, |e| matches!(e, OdsError::Password))?;
                leave_out_hidden(&mut sheets, scan::ods_hidden(&mut archive));
                budget.check().map_err(|e| e.into_error(file))?;
                Ok((sheets, hidden))
            }
        }
    })
}

/// .xlsx / .xlsm, streamed cell by cell: calamine's `worksheet_range` would lay
/// out the whole used range densely, so one cell at A1 and one at XFD1048576
/// would ask for 17 billion cells.
///
/// calamine lends shared strings to every cell that uses them; our cells own
/// their text, so one long shared string used by many cells is counted once per
/// cell against the text limit.
fn load_xlsx(
    file: &str,
    source: Source<'_, '_, '_>,
    limits: &Limits,
    budget: &Budget<'_>,
) -> Result<Sheets, ReadError> {
    let xlsx_error = |e: XlsxError| match e {
        XlsxError::Password => ReadError::file(file, ReadErrorKind::Encrypted),
        other => budget.explain(file, corrupted(file, other)),
    };
    let mut workbook: Xlsx<_> = Xlsx::new(source).map_err(xlsx_error)?;
    let hidden = hidden_sheets(workbook.sheets_metadata());
    let names: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut sheets = Vec::with_capacity(names.len());
    let mut cells: u64 = 0;
    for name in names {
        let mut sheet = Sheet::new(name.clone());
        let mut reader = workbook.worksheet_cells_reader(&name).map_err(xlsx_error)?;
        while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
            let Some(value) = from_data_ref(cell.get_value()) else {
                continue;
            };
            if let Value::Text(text) = &value {
                budget.text(u64::try_from(text.len()).unwrap_or(u64::MAX)).map_err(|e| e.into_error(file))?;
            }
            cells = cells.saturating_add(1);
            if cells > limits.max_cells {
                return Err(ReadError::file(file, ReadErrorKind::TooManyCells { cells, limit: limits.max_cells }));
            }
            let (row, col) = cell.get_position();
            sheet.push(row, col, value);
        }
        sheet.finish();
        sheets.push(sheet);
    }
    Ok((sheets, hidden))
}

/// A compound file: .xls (BIFF), or an encrypted OOXML package.
fn load_cfb(file: &str, bytes: &[u8], limits: &Limits, budget: &Budget<'_>) -> Result<Sheets, ReadError> {
    let Some(container) = Cfb::parse(bytes) else {
        return Err(corrupted(file, "broken compound file"));
    };
    if container.has_stream("EncryptionInfo") || container.has_stream("EncryptedPackage") {
        return Err(ReadError::file(file, ReadErrorKind::Encrypted));
    }
    let Some(stream) = container.read_stream("Workbook").or_else(|| container.read_stream("Book")) else {
        return Err(not_a_spreadsheet(file));
    };
    // calamine gets a container we wrote around the stream we scanned (cfb::wrap).
    let stream = wrap::padded(&stream);
    scan::biff_cells(file, &stream, limits, budget)?;
    let Some(clean) = wrap::workbook_file(&stream) else {
        return Err(corrupted(file, "workbook stream too large"));
    };
    guarded(file, || {
        let source = Metered::rereading(std::io::Cursor::new(clean.as_slice()), budget);
        let mut workbook: Xls<_> = Xls::new(source).map_err(|e| match e {
            XlsError::Password => ReadError::file(file, ReadErrorKind::Encrypted),
            other => budget.explain(file, corrupted(file, other)),
        })?;
        let (mut sheets, hidden) = ranges(file, &mut workbook, budget, |e| matches!(e, XlsError::Password))?;
        leave_out_hidden(&mut sheets, Ok(scan::biff_hidden(&stream)));
        Ok((sheets, hidden))
    })
}

/// The visible worksheets of an .xls or .ods through calamine's dense ranges
/// (their size already checked by a pre-scan).
fn ranges<RS, R>(
    file: &str,
    workbook: &mut R,
    budget: &Budget<'_>,
    is_password: impl Fn(&R::Error) -> bool,
) -> Result<Sheets, ReadError>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Debug,
{
    let hidden = hidden_sheets(workbook.sheets_metadata());
    let names: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = workbook.worksheet_range(&name).map_err(|e| {
            if is_password(&e) {
                ReadError::file(file, ReadErrorKind::Encrypted)
            } else {
                budget.explain(file, corrupted(file, format!("{e:?}")))
            }
        })?;
        budget.check().map_err(|e| e.into_error(file))?;
        let mut sheet = Sheet::new(name);
        let (row0, col0) = range.start().unwrap_or((0, 0));
        for (r, c, data) in range.used_cells() {
            let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
                continue;
            };
            if let Some(value) = from_data(data) {
                sheet.push(row0.saturating_add(r), col0.saturating_add(c), value);
            }
        }
        sheet.finish();
        sheets.push(sheet);
    }
    Ok((sheets, hidden))
}

/// Excel serials from 1900-01-01 to 9999-12-31; beyond them chrono would panic
/// converting milliseconds, and no quote is dated there.
fn excel_date(dt: &ExcelDateTime) -> Value {
    let serial = dt.as_f64();
    if dt.is_datetime()
        && (0.0..2_958_466.0).contains(&serial)
        && let Some(datetime) = dt.as_datetime()
    {
        return Value::Date(datetime.date());
    }
    Value::Number(serial)
}

/// ODS dates come as ISO text (`2022-11-10` or `2022-11-10T00:00:00`).
fn iso_date(s: &str) -> Value {
    let day = s.get(..10).unwrap_or(s);
    match rules::parse_date(day) {
        Ok(d) => Value::Date(d),
        Err(_) => Value::Text(s.to_owned()),
    }
}

fn text_value(s: &str) -> Option<Value> {
    if s.trim().is_empty() { None } else { Some(Value::from_text(s)) }
}

fn from_data_ref(d: &DataRef<'_>) -> Option<Value> {
    match d {
        // i64 → f64 can round beyond 2^53; amounts that large are refused later anyway.
        DataRef::Int(i) => Some(Value::Number(*i as f64)),
        DataRef::Float(f) => Some(Value::Number(*f)),
        DataRef::String(s) => text_value(s),
        DataRef::SharedString(s) => text_value(s),
        DataRef::Bool(b) => Some(Value::Bool(*b)),
        DataRef::DateTime(dt) => Some(excel_date(dt)),
        DataRef::DateTimeIso(s) => Some(iso_date(s)),
        DataRef::DurationIso(s) => text_value(s),
        DataRef::Error(e) => Some(Value::Error(e.to_string())),
        DataRef::Empty => None,
    }
}

fn from_data(d: &Data) -> Option<Value> {
    match d {
        Data::Int(i) => Some(Value::Number(*i as f64)),
        Data::Float(f) => Some(Value::Number(*f)),
        Data::String(s) => text_value(s),
        Data::Bool(b) => Some(Value::Bool(*b)),
        Data::DateTime(dt) => Some(excel_date(dt)),
        Data::DateTimeIso(s) => Some(iso_date(s)),
        Data::DurationIso(s) => text_value(s),
        Data::Error(e) => Some(Value::Error(e.to_string())),
        Data::Empty => None,
    }
}

/// A PDF: its header within the first kilobyte, as readers accept it (PDF 32000-1 §7.5.2
/// notes that some producers put bytes before it).
pub(crate) fn is_pdf(bytes: &[u8]) -> bool {
    let head = bytes.get(..1024).unwrap_or(bytes);
    // Not a CSV that happens to mention 「%PDF-」: nothing of a table before the header.
    head.windows(5)
        .position(|w| w == b"%PDF-")
        .is_some_and(|at| !head[..at].iter().any(|b| matches!(b, b',' | b'\t' | b'\n')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_workbook_extensions_are_claims() {
        assert_eq!(claimed_extension("見積書.XLSX"), Some("xlsx".into()));
        assert_eq!(claimed_extension("見積書.csv"), None);
        assert_eq!(claimed_extension("見積書"), None);
    }

    #[test]
    fn dates_out_of_excels_range_stay_numbers() {
        use calamine::ExcelDateTimeType;
        let huge = ExcelDateTime::new(1e300, ExcelDateTimeType::DateTime, false);
        assert_eq!(excel_date(&huge), Value::Number(1e300));
        let day = ExcelDateTime::new(44805.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(excel_date(&day), Value::Date(chrono::NaiveDate::from_ymd_opt(2022, 9, 1).unwrap()));
    }
}
