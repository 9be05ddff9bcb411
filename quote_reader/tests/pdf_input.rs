//! PDFs that are not text quotes — too many pages, no text, only images, a stream that inflates
//! without end, broken structure, a password — each refused with its message, never a panic.

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use quote_reader::{Limits, ReadErrorKind, UnsupportedFormat, read_quote};

/// A PDF of `pages` pages, each drawing `content` (and an image named /Im0 when `image`).
fn pdf(pages: usize, content: &[u8], image: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    if image {
        let pixels = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            vec![0, 255, 255, 0],
        );
        let im = doc.add_object(pixels);
        resources.set("XObject", dictionary! { "Im0" => im });
    }
    let resources = doc.add_object(resources);
    let mut kids = Vec::new();
    for _ in 0..pages {
        let content = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::Reference(page));
    }
    let count = i64::try_from(kids.len()).expect("pages");
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

fn text_content() -> Vec<u8> {
    Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 10.into()]),
            Operation::new("Td", vec![50.into(), 800.into()]),
            Operation::new("Tj", vec![Object::string_literal("Quote")]),
            Operation::new("ET", vec![]),
        ],
    }
    .encode()
    .expect("content")
}

fn refusal(name: &str, bytes: &[u8]) -> quote_reader::ReadError {
    match read_quote(name, bytes, &Limits::default()) {
        Ok(q) => panic!("{name} was read: {:?}", q.lines),
        Err(e) => {
            assert!(e.to_string().starts_with(name), "{e}");
            e
        }
    }
}

#[test]
fn more_pages_than_a_quote_has_are_refused_before_any_is_read() {
    let e = refusal("catalogue.pdf", &pdf(21, &text_content(), false));
    assert_eq!(e.kind, ReadErrorKind::TooManyPages { pages: 21, limit: 20 });
    assert!(e.to_string().contains("21ページ、上限20ページ"), "{e}");
}

/// A PDF of a picture is recognised by OCR (tests/scan_input.rs); a picture with no quote in it
/// is then a table OCR could not find, said as such. Without OCR on the machine it is refused with what to install
/// (server/tests/api/scan_upload.rs, which runs the binary without Tesseract).
#[test]
fn a_picture_without_a_quote_and_an_empty_pdf_say_what_they_are() {
    let e = refusal("scan.pdf", &pdf(1, b"q 500 0 0 700 40 60 cm /Im0 Do Q", true));
    assert_eq!(e.kind, ReadErrorKind::NoTableInScan);
    assert!(e.to_string().contains("明細の表（品名・数量・単価・金額などの見出しの行）を読み取れませんでした"), "{e}");
    let e = refusal("empty.pdf", &pdf(2, b"", false));
    assert_eq!(e.kind, ReadErrorKind::Unsupported { format: UnsupportedFormat::PdfWithoutText });
}

#[test]
fn text_without_an_item_table_is_the_missing_table_message() {
    let e = refusal("letter.pdf", &pdf(1, &text_content(), false));
    assert_eq!(e.kind, ReadErrorKind::NoItemTable);
}

#[test]
fn a_content_stream_that_inflates_past_the_limit_is_refused() {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![b' '; 4 * 1024 * 1024]).expect("deflate");
    let bomb = z.finish().expect("deflate");
    let mut doc = Document::load_mem(&pdf(1, &text_content(), false)).expect("pdf");
    let page = *doc.get_pages().values().next().expect("page");
    let stream = doc.add_object(Stream::new(dictionary! { "Filter" => "FlateDecode" }, bomb));
    doc.get_dictionary_mut(page).expect("page").set("Contents", stream);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let limits = Limits { max_uncompressed_bytes: 1024 * 1024, ..Limits::default() };
    let e = read_quote("bomb.pdf", &bytes, &limits).unwrap_err();
    assert!(matches!(e.kind, ReadErrorKind::TooMuchData { .. }), "{:?}", e.kind);
}

#[test]
fn broken_pdfs_are_refused_as_broken_and_never_panic() {
    let good = pdf(1, &text_content(), false);
    // Cut anywhere, bytes flipped anywhere, a page tree that is its own kid.
    let mut inputs: Vec<Vec<u8>> = (1..good.len()).step_by(37).map(|n| good[..n].to_vec()).collect();
    for at in (9..good.len()).step_by(41) {
        let mut b = good.clone();
        b[at] ^= 0x5a;
        inputs.push(b);
    }
    let looped = String::from_utf8_lossy(&good).replace("/Kids[", "/Kids[1 0 R ").into_bytes();
    inputs.push(looped);
    for bytes in inputs {
        // Any answer but a panic (a flipped byte may land in a string and leave a readable PDF).
        let _ = read_quote("broken.pdf", &bytes, &Limits::default());
    }
}

#[test]
fn a_password_protected_pdf_asks_for_the_password_to_be_removed() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pdf/password_libreoffice.pdf"))
        .expect("fixture");
    let e = refusal("password.pdf", &bytes);
    assert_eq!(e.kind, ReadErrorKind::Encrypted);
}

/// A small English quote: header, two items, a total, drawn with Helvetica.
fn table_content(turned: bool) -> Vec<u8> {
    let rows = [
        (800, vec![(50, "Quotation")]),
        (700, vec![(50, "Item"), (300, "Qty"), (400, "Amount")]),
        (685, vec![(50, "Terminal"), (305, "1"), (400, "150,000")]),
        (670, vec![(50, "Setup work"), (305, "3"), (410, "15,000")]),
        (655, vec![(50, "Total"), (400, "165,000")]),
    ];
    let mut text = String::new();
    if turned {
        // A landscape table placed on the page turned by a quarter.
        text.push_str("q 0 1 -1 0 595 0 cm ");
    }
    for (y, cells) in rows {
        for (x, s) in cells {
            text.push_str(&format!("BT /F1 10 Tf {x} {y} Td ({s}) Tj ET "));
        }
    }
    if turned {
        text.push('Q');
    }
    text.into_bytes()
}

#[test]
fn a_table_drawn_turned_reads_as_the_same_table_upright() {
    let read =
        |turned: bool| read_quote("q.pdf", &pdf(1, &table_content(turned), false), &Limits::default()).expect("read");
    let (upright, turned) = (read(false), read(true));
    let lines = |q: &rules::quote::Quote| {
        q.lines.iter().map(|l| (l.description.clone(), l.amount.map(|a| a.to_string()))).collect::<Vec<_>>()
    };
    assert_eq!(
        lines(&upright),
        [("Terminal".to_owned(), Some("150,000円".to_owned())), ("Setup work".to_owned(), Some("15,000円".to_owned()))]
    );
    assert_eq!(lines(&turned), lines(&upright));
    assert_eq!(turned.written.total.map(|t| t.amount.to_string()), Some("165,000円".into()));
}

#[test]
fn glyphs_whose_characters_the_file_does_not_say_are_refused_as_unreadable_text() {
    let mut doc = Document::load_mem(&pdf(1, b"BT /F2 10 Tf 50 800 Td <0001000200030004> Tj ET", false)).expect("pdf");
    let page = *doc.get_pages().values().next().expect("page");
    let cid = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "AAAAAA+Mincho",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "DW" => 1000,
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "AAAAAA+Mincho", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid)],
    });
    let resources = dictionary! { "Font" => dictionary! { "F2" => font } };
    doc.get_dictionary_mut(page).expect("page").set("Resources", resources);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let e = refusal("nounicode.pdf", &bytes);
    assert_eq!(e.kind, ReadErrorKind::Unsupported { format: UnsupportedFormat::PdfTextUnreadable });
    assert!(e.to_string().contains("文字の対応表のないフォント"), "{e}");
}

#[test]
fn a_cid_font_under_a_unicode_cmap_is_read_without_a_tounicode_map() {
    let hex = |s: &str| s.encode_utf16().map(|u| format!("{u:04X}")).collect::<String>();
    let mut content = String::new();
    for (x, y, s) in [(50, 700, "品名"), (400, 700, "金額"), (50, 685, "資格確認端末"), (400, 685, "150000")]
    {
        content.push_str(&format!("BT /F2 10 Tf {x} {y} Td <{}> Tj ET ", hex(s)));
    }
    let mut doc = Document::load_mem(&pdf(1, content.as_bytes(), false)).expect("pdf");
    let page = *doc.get_pages().values().next().expect("page");
    let cid = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "HeiseiKakuGo-W5",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Japan1"), "Supplement" => 2 },
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "HeiseiKakuGo-W5", "Encoding" => "UniJIS-UCS2-H",
        "DescendantFonts" => vec![Object::Reference(cid)],
    });
    doc.get_dictionary_mut(page)
        .expect("page")
        .set("Resources", dictionary! { "Font" => dictionary! { "F2" => font } });
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let q = read_quote("unijis.pdf", &bytes, &Limits::default()).expect("read");
    let lines: Vec<(String, Option<String>)> =
        q.lines.iter().map(|l| (l.description.clone(), l.amount.map(|a| a.to_string()))).collect();
    assert_eq!(lines, [("資格確認端末".to_owned(), Some("150,000円".to_owned()))]);
}

#[test]
fn a_pdf_locked_only_against_editing_opens_without_a_password_and_is_read() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pdf/locked_libreoffice.pdf"))
        .expect("fixture");
    let q = read_quote("locked.pdf", &bytes, &Limits::default()).expect("a locked PDF is read");
    let descriptions: Vec<&str> = q.lines.iter().map(|l| l.description.as_str()).collect();
    assert_eq!(descriptions.first(), Some(&"資格確認端末"));
    assert_eq!(q.written.total.map(|t| t.amount.to_string()), Some("346,500円".into()));
}

#[test]
fn an_unreadable_amount_in_a_pdf_is_named_by_its_page_and_line() {
    let content = b"BT /F1 10 Tf 50 800 Td (Quotation) Tj ET \
        BT /F1 10 Tf 50 700 Td (Item) Tj 300 0 Td (Qty) Tj 100 0 Td (Amount) Tj ET \
        BT /F1 10 Tf 50 685 Td (Terminal) Tj 305 0 Td (1) Tj 95 0 Td (1,0,0) Tj ET";
    let e = refusal("q.pdf", &pdf(1, content, false));
    assert_eq!(e.kind, ReadErrorKind::UnreadableNumber { text: "1,0,0".into() });
    assert_eq!((e.page, e.row, e.column.as_deref()), (Some(1), Some(3), None));
    assert!(e.to_string().starts_with("q.pdf（1ページ、上から3行目）: 「1,0,0」"), "{e}");
}

#[test]
fn a_pdf_declaring_more_object_streams_than_a_quote_has_is_refused_before_loading() {
    let good = pdf(1, &table_content(false), false);
    let mut bytes = good[..9].to_vec(); // 「%PDF-1.5\n」
    for i in 0..65 {
        bytes.extend_from_slice(format!("% {i} 0 obj << /Type /ObjStm /N 1 /First 2 >>\n").as_bytes());
    }
    bytes.extend_from_slice(&good[9..]);
    let e = refusal("streams.pdf", &bytes);
    assert!(matches!(e.kind, ReadErrorKind::TooMuchData { .. }), "{:?}", e.kind);
    // The same file without them is read.
    assert!(read_quote("q.pdf", &good, &Limits::default()).is_ok());
}

#[test]
fn many_streams_share_one_budget_for_what_loading_inflates() {
    // A 300 KB string kept in an object stream (lopdf packs objects into them when asked), which
    // the loader inflates before any page is read.
    let build = |extra_streams: usize| {
        let mut doc = Document::load_mem(&pdf(1, &table_content(false), false)).expect("pdf");
        doc.add_object(Object::String(vec![b' '; 300 * 1024], lopdf::StringFormat::Literal));
        for _ in 0..extra_streams {
            doc.add_object(Stream::new(dictionary! {}, b"q Q".to_vec()));
        }
        let mut bytes = Vec::new();
        let options = lopdf::SaveOptions::builder().use_object_streams(true).use_xref_streams(true).build();
        doc.save_with_options(&mut bytes, options).expect("save");
        bytes
    };
    let few = build(0);
    assert!(memchr_count(&few, b"/ObjStm") >= 1, "the file has an object stream");
    assert!(read_quote("few.pdf", &few, &Limits::default()).is_ok(), "a few streams load");
    // 2,000 streams leave each 128 KiB of the 256 MiB budget: the 300 KB object stream is not
    // inflated, and the file is refused (lopdf, lenient, drops the objects it held, so the file
    // reads as broken: no pages).
    let e = refusal("many.pdf", &build(2_000));
    assert!(matches!(e.kind, ReadErrorKind::TooMuchData { .. } | ReadErrorKind::Corrupted { .. }), "{:?}", e.kind);
}

fn memchr_count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}
