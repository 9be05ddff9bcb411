//! Quotes on paper: a scanned PDF's pages, or a JPEG/PNG/TIFF (a scan, a fax, a phone photo),
//! recognised by Tesseract's Japanese model ([`engine`]) after the picture is straightened and
//! brought to a resolution it reads well ([`picture`]); its words become positioned runs
//! ([`words`]) that the table rebuilding of printed PDFs (`crate::pdf::layout`) turns into a
//! sheet, with every cell a person should check marked ([`review`]).

pub(crate) mod engine;
mod headings;
pub(crate) mod picture;
pub(crate) mod review;
mod words;

use crate::budget::Stop;
use crate::error::{ReadError, ReadErrorKind};
use crate::grid::Sheet;
use crate::pdf::{MOST_PAGES, Page, sheet_of_pages};
use engine::{Engine, Failure};
use image::GrayImage;
use picture::Picture;

/// Why a person should check a cell read from a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Doubt {
    /// OCR's confidence in the word was low (0–100).
    Unsure { confidence: u8 },
    /// A rule changed what OCR read (「150,.000」 read as 150,000): the text as read.
    Repaired { read: String },
}

/// Widest picture of a page kept for the preview's pictures of each line (pixels).
const KEPT_WIDTH: u32 = 1200;

/// A recognised page kept small, for the pictures of its lines in the preview.
#[derive(Debug, Clone)]
pub(crate) struct PagePicture {
    pub(crate) image: GrayImage,
    /// Pixels of `image` per point of the page.
    pub(crate) per_point: f64,
}

/// The programs a scan needs and which of them are missing, said as the administrator installs
/// them.
fn missing(pdf: bool) -> &'static str {
    if pdf { "Tesseract と日本語のデータ、poppler の pdftoppm" } else { "Tesseract と日本語のデータ" }
}

/// The engine, or the refusal that says what to install.
pub(crate) fn engine_for(file: &str, pdf: bool) -> Result<&'static Engine, ReadError> {
    match engine::engine() {
        Some(e) if !pdf || e.pdftoppm.is_some() => Ok(e),
        _ => Err(ReadError::file(file, ReadErrorKind::OcrMissing { missing: missing(pdf) })),
    }
}

fn failure(file: &str, page: u32, f: Failure) -> ReadError {
    match f {
        Failure::Stopped => ReadError::file(file, ReadErrorKind::Stopped),
        Failure::TooSlow => {
            ReadError::file(file, ReadErrorKind::OcrTooSlow { page, seconds: engine::PAGE_TIME_LIMIT.as_secs() })
        }
        Failure::Failed(detail) => ReadError::file(file, ReadErrorKind::OcrFailed { page, detail }),
    }
}

/// Recognises one page (1-based `number`) as it comes: straightened, at the working resolution.
/// Returns the page's runs and its picture kept for the preview.
pub(crate) fn recognise(
    file: &str,
    number: u32,
    picture: &Picture,
    engine: &Engine,
    stop: &Stop,
) -> Result<(Page, PagePicture), ReadError> {
    let page = picture::prepared(picture);
    let dpi = picture::WORKING_DPI;
    let args = ["stdin", "stdout", "-l", "jpn", "--psm", "6", "--dpi", "300", "tsv"];
    let tsv =
        engine::run(&engine.tesseract, &args, &picture::pgm(&page), stop).map_err(|f| failure(file, number, f))?;
    let tsv = String::from_utf8_lossy(&tsv);
    let mut runs = words::runs(&tsv, page.height(), dpi);
    headings::restore(&mut runs);
    headings::restore_foot(&mut runs);
    words::drop_specks(&mut runs);
    let top = f64::from(page.height()) * 72.0 / f64::from(dpi);
    let kept_width = page.width().min(KEPT_WIDTH);
    let shrink = f64::from(kept_width) / f64::from(page.width().max(1));
    let kept_height = ((f64::from(page.height()) * shrink) as u32).max(1);
    let image = image::imageops::resize(&page, kept_width, kept_height, image::imageops::FilterType::Triangle);
    let per_point = f64::from(dpi) / 72.0 * shrink;
    Ok((Page { runs, bottom: 0.0, top }, PagePicture { image, per_point }))
}

/// A scanned PDF's page (1-based) as poppler renders it: grey, its long side 3,508 pixels (A4 at
/// 300 dpi), whatever the encoding of its pictures and whatever size its box claims.
pub(crate) fn rendered(
    file: &str,
    bytes: &[u8],
    number: u32,
    engine: &Engine,
    stop: &Stop,
) -> Result<Picture, ReadError> {
    let Some(pdftoppm) = &engine.pdftoppm else {
        return Err(ReadError::file(file, ReadErrorKind::OcrMissing { missing: missing(true) }));
    };
    let n = number.to_string();
    let args = ["-gray", "-scale-to", "3508", "-f", &n, "-l", &n, "-"];
    let pgm = engine::run(pdftoppm, &args, bytes, stop).map_err(|f| failure(file, number, f))?;
    let gray =
        picture::from_pgm(&pgm).ok_or_else(|| failure(file, number, Failure::Failed("no PGM from pdftoppm".into())))?;
    // The long side is 3,508 pixels for an 11.69-inch A4 page: 300 dpi; another size is read
    // at whatever resolution that gives, which the table rebuilding does not mind.
    let dpi = gray.width().max(gray.height()) as f32 / 11.69;
    Ok(Picture { gray, dpi_x: dpi, dpi_y: dpi })
}

/// A picture file's pages recognised into one sheet, with the pages' pictures and the engine's name.
pub(crate) fn load_pictures(
    file: &str,
    bytes: &[u8],
    stop: &Stop,
) -> Result<(Sheet, Vec<Option<PagePicture>>, String), ReadError> {
    let pictures = picture::decode(file, bytes, MOST_PAGES)?;
    let engine = engine_for(file, false)?;
    let mut pages = Vec::with_capacity(pictures.len());
    let mut kept = Vec::with_capacity(pictures.len());
    for (i, picture) in pictures.iter().enumerate() {
        if stop.is_stopped() {
            return Err(ReadError::file(file, ReadErrorKind::Stopped));
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (page, picture) = recognise(file, number, picture, engine, stop)?;
        pages.push(page);
        kept.push(Some(picture));
    }
    Ok((sheet_of_pages(&pages), kept, engine.name.clone()))
}
