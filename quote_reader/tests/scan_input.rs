//! Quotes on paper (issue 24): scans at 200 dpi, faxes at 200 × 100 dpi, phone photos, and PDFs
//! of such pictures (tests/fixtures/scan, made by make_scans.py from the printed layouts) are
//! read by OCR into the amounts of the workbook they were printed from — at least 95 % of them —
//! and every amount read wrong is among the cells the preview marks for checking.
//!
//! Needs Tesseract with its Japanese model and pdftoppm (the test command installs them).

use quote_reader::{Limits, Reviewed, Stop, read_quote_for_review};
use rules::quote::{CheckedCell, Quote, QuoteLine};
use serde_json::Value;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan")
}

/// Every scan with the expectation of the layout it shows.
fn scans() -> Vec<(String, Value)> {
    let mut files: Vec<String> = std::fs::read_dir(dir())
        .expect("scan/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| !f.ends_with(".py"))
        .filter(|f| std::env::var("SCAN").map_or(true, |only| f.contains(&only)))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let layout = ["_libreoffice_", "_chromium_"]
                .iter()
                .find_map(|p| file.split_once(p).map(|(l, _)| l.to_owned()))
                .expect("layout_producer_kind");
            let path = dir().join("../layouts/expected").join(format!("{layout}.json"));
            let expected: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("expectation")).expect("json");
            (file, expected)
        })
        .collect()
}

fn read(file: &str) -> Result<Reviewed, quote_reader::ReadError> {
    let bytes = std::fs::read(dir().join(file)).expect("fixture");
    read_quote_for_review(file, &bytes, &Limits::default(), &Stop::new())
}

fn number(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn yen(y: Option<rules::Yen>) -> Option<String> {
    y.map(|y| y.amount().normalize().to_string())
}

/// Said of an expected line OCR found no line for: there is no line the preview could mark.
const NOT_FOUND: &str = "（読み取った行なし）";

/// How alike two descriptions are: the share of the expected one's characters found in the
/// one read (OCR garbles some characters of a line; another line shares few).
fn alike(want: &str, got: &str) -> f64 {
    let want: Vec<char> = want.chars().filter(|c| !c.is_whitespace()).collect();
    let found = want.iter().filter(|c| got.contains(**c)).count();
    found as f64 / want.len().max(1) as f64
}

/// The line read for each expected line, in order: the next one read whose description is like
/// the expected one (within the next three), else simply the next one. Lines read that stand
/// for no expected line (noise OCR made a line of) are returned apart.
fn aligned<'q>(q: &'q Quote, lines: &[Value]) -> (Vec<Option<&'q QuoteLine>>, Vec<&'q QuoteLine>) {
    let mut next = 0usize;
    let mut pairs = Vec::new();
    let mut extra = Vec::new();
    for want in lines {
        let text = want["description"].as_str().unwrap_or("");
        let near = q.lines.iter().enumerate().skip(next).take(3).find(|(_, l)| alike(text, &l.description) >= 0.6);
        match near.map(|(j, _)| j).or((next < q.lines.len()).then_some(next)) {
            Some(j) => {
                extra.extend(&q.lines[next..j]);
                pairs.push(Some(&q.lines[j]));
                next = j + 1;
            }
            None => pairs.push(None),
        }
    }
    extra.extend(q.lines.iter().skip(next));
    (pairs, extra)
}

/// Each expected amount (lines, then 小計 / 消費税 / 合計) with what was read and whether the
/// preview marks it: (what, expected, read, marked). A line read that is no line of the quote
/// counts as one amount read wrong.
fn amounts(q: &Quote, expected: &Value) -> Vec<(String, Option<String>, Option<String>, bool)> {
    let scan = q.scan.as_ref().expect("a scan's reading");
    let lines = expected["lines"].as_array().expect("lines");
    let mut out = Vec::new();
    let (pairs, extra) = aligned(q, lines);
    for (i, (want, got)) in lines.iter().zip(pairs).enumerate() {
        let marked = got.is_some_and(|l| scan.doubts(l.row, &[CheckedCell::Amount]));
        let lost = if got.is_none() { NOT_FOUND } else { "" };
        let what = format!("{}行目の明細「{}」{lost}", i + 1, want["description"].as_str().unwrap_or(""));
        out.push((what, number(&want["amount"]), got.and_then(|l| yen(l.amount)), marked));
    }
    for line in extra {
        let marked = scan.doubts(line.row, &[CheckedCell::Amount, CheckedCell::Description]);
        let what = format!("見積書にない行「{}」（{}行目）", line.description, line.row);
        out.push((what, Some("（行なし）".to_owned()), yen(line.amount), marked));
    }
    let w = &q.written;
    for (key, read, cell) in [
        ("subtotal", w.subtotal, CheckedCell::Subtotal),
        ("tax", w.tax, CheckedCell::Tax),
        ("total", w.total, CheckedCell::Total),
    ] {
        let want = number(&expected["written"][key]);
        if want.is_none() && read.is_none() {
            continue;
        }
        // A total not read at all is marked when its row is (a row with a figure read as nothing).
        let marked = match read {
            Some(r) => scan.doubts(r.row, &[cell]),
            None => scan.checks.iter().any(|c| c.cell == CheckedCell::Row),
        };
        out.push((key.to_owned(), want, yen(read.map(|r| r.amount)), marked));
    }
    out
}

/// How a set of files read: amounts right, amounts in all, a report, the amounts read wrong and
/// not marked, and the refusals.
struct Tally {
    right: usize,
    total: usize,
    report: String,
    unmarked: Vec<String>,
    refused: Vec<(String, quote_reader::ReadError)>,
}

fn tally(files: &[(String, Value)]) -> Tally {
    let mut refused = Vec::new();
    let (mut right, mut total) = (0usize, 0usize);
    let mut unmarked = Vec::new();
    let mut report = Vec::new();
    for (file, expected) in files {
        let reviewed = match read(file) {
            Ok(r) => r,
            Err(e) => {
                let n = expected["lines"].as_array().map_or(0, Vec::len) + 3;
                total += n;
                report.push(format!("{file}: refused: {e}"));
                unmarked.push(format!("{file}: refused"));
                refused.push((file.clone(), e));
                continue;
            }
        };
        let found = amounts(&reviewed.quote, expected);
        let wrong: Vec<_> = found.iter().filter(|(_, want, got, _)| want != got).collect();
        right += found.len() - wrong.len();
        total += found.len();
        report.push(format!("{file}: {}/{} right", found.len() - wrong.len(), found.len()));
        for (what, want, got, marked) in wrong {
            report.push(format!("  {what}: {want:?} read as {got:?}{}", if *marked { " (marked)" } else { "" }));
            if !marked {
                unmarked.push(format!("{file}: {what}"));
            }
        }
    }
    Tally { right, total, report: report.join("\n"), unmarked, refused }
}

#[test]
fn scans_at_200_dpi_read_95_percent_of_amounts_and_mark_every_wrong_one() {
    let all: Vec<_> = scans().into_iter().filter(|(f, _)| f.contains("_scan")).collect();
    assert!(all.len() >= 16 || std::env::var("SCAN").is_ok(), "{} scans", all.len());
    let Tally { right, total, report, unmarked, .. } = tally(&all);
    println!("{report}\n{right} of {total} amounts right");
    assert!(right * 100 >= total * 95, "{right} of {total} amounts right:\n{report}");
    assert!(
        unmarked.is_empty(),
        "amounts read wrong and not marked for checking:\n{}\n\n{report}",
        unmarked.join("\n")
    );
}

/// Faxes (200 × 100 dpi, black and white) and phone photos (150 dpi, shadowed, JPEG at quality
/// 55) of the small print of these fixtures are harder: each is read or refused with a message
/// that says what to do, never a panic, and the share read right is printed (the note of issue
/// 24 gives it; it is below the 95 % of scans).
#[test]
fn faxes_and_photos_are_read_or_refused_with_a_message() {
    let all: Vec<_> = scans().into_iter().filter(|(f, _)| f.contains("_fax") || f.contains("_photo")).collect();
    assert!(all.len() >= 24 || std::env::var("SCAN").is_ok(), "{} faxes and photos", all.len());
    let Tally { right, total, report, refused, unmarked } = tally(&all);
    for (file, e) in &refused {
        assert!(
            matches!(e.kind, quote_reader::ReadErrorKind::NoTableInScan | quote_reader::ReadErrorKind::NoItemLines),
            "{file}: {e}"
        );
    }
    println!("{report}\n{right} of {total} amounts right");
    // 179 of 205 when this was written (Tesseract 5.3.0; 102 of 201 before the structural repairs
    // of the header's columns, the foot, the lines OCR makes of specks and the skew of photos,
    // when a line read too many shifted every line after it): a floor under it, so that a change
    // that makes these worse is seen.
    assert!(right * 100 >= total * 84, "{right} of {total} amounts right:\n{report}");
    // Every amount read wrong on a line that was read is marked. Lines OCR found no trace of
    // (1 when this was written: a row OCR ran into one word) have no line to mark;
    // the preview says that a row's figures were not read, or that the foot does not add up.
    let unmarked: Vec<&String> = unmarked.iter().filter(|u| !u.ends_with(": refused")).collect();
    let (lost, read): (Vec<&String>, Vec<&String>) = unmarked.into_iter().partition(|u| u.ends_with(NOT_FOUND));
    assert!(read.is_empty(), "amounts read wrong and not marked:\n{read:#?}\n\n{report}");
    assert!(lost.len() <= 2, "lines OCR did not find:\n{lost:#?}\n\n{report}");
}

/// A PNG whose header says `width` × `height`, with no pixels.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // An empty IDAT: the decoder reads the header up to the first image data.
    png.extend_from_slice(&0u32.to_be_bytes());
    png.extend_from_slice(b"IDAT");
    png.extend_from_slice(&crc32(b"IDAT").to_be_bytes());
    png
}

/// A picture over 40 megapixels is refused from its header, before any pixel is decoded; a
/// broken one is a broken file.
#[test]
fn pictures_too_large_or_broken_are_refused_with_a_message() {
    let e = read_quote_for_review("写真.png", &png_header(8_000, 6_000), &Limits::default(), &Stop::new()).unwrap_err();
    assert_eq!(e.kind, quote_reader::ReadErrorKind::PictureTooLarge { pixels: 48_000_000, limit: 40_000_000 });
    assert!(e.to_string().contains("4800万画素、上限4000万画素"), "{e}");
    let e = read_quote_for_review("写真.png", &png_header(2_000, 3_000), &Limits::default(), &Stop::new()).unwrap_err();
    assert!(matches!(e.kind, quote_reader::ReadErrorKind::Corrupted { .. }), "{e}");
    let mut tiff = std::fs::read(dir().join("sections_libreoffice_fax.tif")).expect("fax");
    tiff.truncate(tiff.len() / 2);
    let e = read_quote_for_review("fax.tif", &tiff, &Limits::default(), &Stop::new()).unwrap_err();
    assert!(matches!(e.kind, quote_reader::ReadErrorKind::Corrupted { .. }), "{e}");
}

/// A read told to stop while OCR runs ends at once, with the stop's refusal.
#[test]
fn a_scan_stops_when_told() {
    let bytes = std::fs::read(dir().join("sections_libreoffice_scan200.png")).expect("scan");
    let stop = Stop::new();
    let raised = stop.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        raised.stop();
    });
    let started = std::time::Instant::now();
    let e = read_quote_for_review("scan.png", &bytes, &Limits::default(), &stop).unwrap_err();
    stopper.join().expect("stopper");
    assert_eq!(e.kind, quote_reader::ReadErrorKind::Stopped);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "stopped after {:?}", started.elapsed());
}

/// A TIFF of blank pages, each within the limit, that together would fill memory: refused before
/// the page that passes 100 million pixels is decoded.
#[test]
fn a_tiff_whose_pages_together_are_too_large_is_refused() {
    use tiff::encoder::{Compression, DeflateLevel, TiffEncoder, colortype::Gray8};
    let (width, height) = (6_000u32, 6_000u32);
    let blank = vec![255u8; (width * height) as usize];
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut tiff =
        TiffEncoder::new(&mut bytes).expect("tiff").with_compression(Compression::Deflate(DeflateLevel::Best));
    for _ in 0..3 {
        tiff.write_image::<Gray8>(width, height, &blank).expect("page");
    }
    let bytes = bytes.into_inner();
    assert!(bytes.len() < 1_000_000, "{} bytes", bytes.len());
    let e = read_quote_for_review("fax.tif", &bytes, &Limits::default(), &Stop::new()).unwrap_err();
    assert_eq!(e.kind, quote_reader::ReadErrorKind::PictureTooLarge { pixels: 108_000_000, limit: 100_000_000 });
}
