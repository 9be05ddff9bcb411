//! Quotes as PDF files with a text layer (printed from Excel, LibreOffice or a vendor's quoting
//! system): the pages' positioned text rebuilt into one sheet ([`layout`]) that the spreadsheet
//! reader then reads as any other.

mod layout;
mod text;

pub(crate) use layout::{Page, is_figure, sheet as sheet_of_pages};
pub(crate) use text::Run;

use crate::Limits;
use crate::budget::{Budget, Stop};
use crate::error::corrupted;
use crate::error::{ReadError, ReadErrorKind, UnsupportedFormat};
use crate::grid::Sheet;
use crate::ocr::{self, PagePicture};
use lopdf::{Document, LoadOptions, Object};

/// Most pages read: a quote is a few pages; a catalogue or a scanned bundle is not a quote.
pub(crate) const MOST_PAGES: u32 = 20;

/// Most bytes one object or cross-reference stream may inflate to while the file is loaded
/// (lopdf inflates them all at once, before a page is read). A quote's object streams hold a
/// few hundred small objects (tens of kilobytes).
const MOST_PER_LOADED_STREAM: usize = 4 * 1024 * 1024;

/// Most object streams a file may declare (a quote has a handful).
const MOST_OBJECT_STREAMS: usize = 64;

/// Most bytes all the streams inflated while loading may add up to: each stream's share is this
/// divided by the streams the file has (counted by their 「endstream」 keyword, which no escape
/// can hide), at most [`MOST_PER_LOADED_STREAM`].
const MOST_LOADED_IN_ALL: usize = 256 * 1024 * 1024;

/// lopdf's error as the reader's: a stream inflating past the limit is too much data, a
/// password is a password, anything else a broken file.
fn refusal(file: &str, e: lopdf::Error) -> ReadError {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { limit }) => {
            let limit = u64::try_from(limit).unwrap_or(u64::MAX);
            ReadError::file(file, ReadErrorKind::TooMuchData { bytes: limit, limit })
        }
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => ReadError::file(file, ReadErrorKind::Encrypted),
        other => corrupted(file, other),
    }
}

/// The page's box (MediaBox, inherited from the page tree), bottom and top in points.
fn page_box(doc: &Document, page: lopdf::ObjectId) -> (f64, f64) {
    let mut id = Some(page);
    for _ in 0..32 {
        let Some(dict) = id.and_then(|i| doc.get_dictionary(i).ok()) else { break };
        if let Ok(Object::Array(b)) = dict.get(b"MediaBox") {
            let n: Vec<f64> = b
                .iter()
                .filter_map(|o| match o {
                    Object::Integer(i) => Some(*i as f64),
                    Object::Real(r) => Some(f64::from(*r)),
                    _ => None,
                })
                .collect();
            if let [_, y0, _, y1] = n.as_slice() {
                return (y0.min(*y1), y0.max(*y1));
            }
        }
        id = dict.get(b"Parent").and_then(Object::as_reference).ok();
    }
    (0.0, 842.0)
}

/// Whether a page draws images (a scan or a photo of the paper).
fn has_images(doc: &Document, page: lopdf::ObjectId) -> bool {
    doc.get_page_images(page).is_ok_and(|images| !images.is_empty())
}

/// A PDF read into one sheet: its text, and the pages that are pictures only (a scan) recognised
/// by OCR — with those pages' pictures (by page) and the OCR engine's name when one was.
pub(crate) struct ReadPdf {
    pub(crate) sheet: Sheet,
    pub(crate) pictures: Vec<Option<PagePicture>>,
    pub(crate) ocr: Option<String>,
}

/// Reads a PDF's text into one sheet, recognising the pages that are pictures.
pub(crate) fn load_pdf(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
    budget: &Budget<'_>,
    stop: &Stop,
) -> Result<ReadPdf, ReadError> {
    let limit = usize::try_from(limits.max_uncompressed_bytes).unwrap_or(usize::MAX);
    let object_streams = memchr::memmem::find_iter(bytes, b"/ObjStm").count();
    if object_streams > MOST_OBJECT_STREAMS {
        let limit = limits.max_uncompressed_bytes;
        return Err(ReadError::file(file, ReadErrorKind::TooMuchData { bytes: limit, limit }));
    }
    let streams = memchr::memmem::find_iter(bytes, b"endstream").count().max(1);
    let per_stream = limit.min(MOST_PER_LOADED_STREAM).min(MOST_LOADED_IN_ALL / streams);
    let options = LoadOptions { max_decompressed_size: Some(per_stream), ..LoadOptions::default() };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| refusal(file, e))?;
    // A PDF protected only against editing (an owner password, as vendors send them) opens
    // without a password and is read; one that still needs a password is refused.
    if doc.is_encrypted() {
        return Err(ReadError::file(file, ReadErrorKind::Encrypted));
    }
    let pages = doc.get_pages();
    let count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    if count == 0 {
        return Err(corrupted(file, "no pages"));
    }
    if count > MOST_PAGES {
        return Err(ReadError::file(file, ReadErrorKind::TooManyPages { pages: count, limit: MOST_PAGES }));
    }
    let mut read = Vec::with_capacity(pages.len());
    let mut scanned = Vec::with_capacity(pages.len());
    let mut strings: u64 = 0;
    let mut undecodable = 0usize;
    for page in pages.values() {
        budget.check().map_err(|e| e.into_error(file))?;
        let text::PageText { runs, undecodable: unknown } = text::page_runs(file, &doc, *page, limit, budget)?;
        undecodable = undecodable.saturating_add(unknown);
        let text_bytes: usize = runs.iter().map(|r| r.text.len()).sum();
        budget.text(u64::try_from(text_bytes).unwrap_or(u64::MAX)).map_err(|e| e.into_error(file))?;
        // Each string shown becomes at most one cell: the cell limit bounds the table's rebuilding.
        strings = strings.saturating_add(u64::try_from(runs.len()).unwrap_or(u64::MAX));
        if strings > limits.max_cells {
            return Err(ReadError::file(file, ReadErrorKind::TooManyCells { cells: strings, limit: limits.max_cells }));
        }
        let picture_only = runs.iter().all(|r| r.text.trim().is_empty()) && has_images(&doc, *page);
        scanned.push(picture_only);
        let (bottom, top) = page_box(&doc, *page);
        read.push(layout::Page { runs, bottom, top });
    }
    let no_text = read.iter().all(|p| p.runs.iter().all(|r| r.text.trim().is_empty()));
    if no_text && undecodable > 0 {
        let format = UnsupportedFormat::PdfTextUnreadable;
        return Err(ReadError::file(file, ReadErrorKind::Unsupported { format }));
    }
    if no_text && !scanned.contains(&true) {
        let format = UnsupportedFormat::PdfWithoutText;
        return Err(ReadError::file(file, ReadErrorKind::Unsupported { format }));
    }
    let mut pictures: Vec<Option<PagePicture>> = vec![None; read.len()];
    let mut engine_name = None;
    // Pages that are pictures only are recognised; without an OCR engine they are left out when
    // other pages hold text (a page of seals), and the file is refused when none does.
    // (Looked for only when a page needs it: finding it runs Tesseract twice.)
    let engine = if no_text {
        Some(ocr::engine_for(file, true)?)
    } else if scanned.contains(&true) {
        ocr::engine_for(file, true).ok()
    } else {
        None
    };
    if let Some(engine) = engine {
        for (i, page) in read.iter_mut().enumerate().filter(|(i, _)| scanned[*i]) {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let picture = ocr::rendered(file, bytes, number, engine, stop)?;
            let (recognised, kept) = ocr::recognise(file, number, &picture, engine, stop)?;
            // In the page's own points, so that its margins are the page's.
            let (bottom, top) = (page.bottom, page.top);
            let lift = bottom;
            let stretch = (top - bottom) / recognised.top.max(1.0);
            page.runs = recognised
                .runs
                .into_iter()
                .map(|mut r| {
                    r.x0 *= stretch;
                    r.x1 *= stretch;
                    r.y = lift + r.y * stretch;
                    r.size *= stretch;
                    r
                })
                .collect();
            pictures[i] = Some(PagePicture { image: kept.image, per_point: kept.per_point / stretch });
            engine_name = Some(engine.name.clone());
        }
    }
    Ok(ReadPdf { sheet: layout::sheet(&read), pictures, ocr: engine_name })
}
