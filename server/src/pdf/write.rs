//! Pages written out as PDF bytes: printpdf builds the document with the font subset to its
//! glyphs, lopdf serialises it, and the streams are compressed here with flate2.

use super::font::Metrics;
use super::page::{Ink, Page};
use super::subset::{Subset, subset_for};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use printpdf::{
    Codepoint, Color, FontEmbeddingMode, FontId, Greyscale, LineCapStyle, LinePoint, Mm, Op, PaintMode, PdfDocument,
    PdfFont, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Polygon, PolygonRing,
    PrintpdfFontMeta, Pt, Rect, TextItem, WindingOrder,
};
use std::collections::{BTreeSet, HashSet};
use std::io::Write;

/// Resource name of the embedded font; fixed so the font's objects (and their compressed
/// forms, cached by content) are the same for every document with the same glyphs.
const FONT_RESOURCE: &str = "IPAexG";

/// Serialises pages of placed text, rules and shading with the font subset to their glyphs.
pub(super) fn write_pdf(
    title: &str,
    (width_mm, height_mm): (f32, f32),
    pages: &[Page],
    metrics: &Metrics,
    ink: Ink,
) -> Result<Vec<u8>, String> {
    let gids: BTreeSet<u16> = pages
        .iter()
        .flat_map(|p| &p.texts)
        .flat_map(|t| t.text.chars())
        .map(|c| metrics.glyph(c).0)
        .filter(|g| *g != 0)
        .collect();
    let subset = subset_for(metrics.font, gids.into_iter().collect())?;

    let mut doc = PdfDocument::new(title);
    let font_id = FontId(FONT_RESOURCE.to_owned());
    // Embedded whole: it is already our subset, with its glyph ids in the content streams.
    let meta = PrintpdfFontMeta {
        embedding_mode: FontEmbeddingMode::Full,
        requires_subsetting: false,
        ..PrintpdfFontMeta::default()
    };
    doc.resources.fonts.map.insert(font_id.clone(), PdfFont::with_meta(subset.font.clone(), meta));
    let handle = PdfFontHandle::External(font_id);
    doc.pages = pages
        .iter()
        .map(|p| PdfPage::new(Mm(width_mm), Mm(height_mm), page_ops(p, &handle, &subset, metrics, ink)))
        .collect();

    let mut warnings = Vec::new();
    let options = PdfSaveOptions { optimize: false, subset_fonts: false, ..PdfSaveOptions::default() };
    let mut pdf = printpdf::to_lopdf_doc(&doc, &options, &mut warnings);
    if let Some(w) = warnings.iter().find(|w| w.severity == PdfParseErrorSeverity::Error) {
        return Err(format!("writing the PDF: {}", w.msg));
    }

    // Page contents differ per document; the font's streams repeat with the glyph set.
    let contents: HashSet<(u32, u16)> = pdf
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).is_ok_and(|t| t == b"Page"))
        .filter_map(|d| d.get(b"Contents").and_then(|c| c.as_reference()).ok())
        .collect();
    for (id, object) in &mut pdf.objects {
        let Ok(stream) = object.as_stream_mut() else { continue };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let packed = if contents.contains(id) {
            zlib_if_smaller(&stream.content)
        } else {
            subset.packed(&stream.content, zlib_if_smaller)
        };
        if let Some(packed) = packed {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    set_info(&mut pdf, title, chrono::Utc::now());
    let mut out = Vec::new();
    pdf.save_to(&mut out).map_err(|e| format!("writing the PDF: {e}"))?;
    Ok(out)
}

/// What the document says it is, in place of printpdf's (which dates every PDF 1970-01-01):
/// its title, Onshi as its producer, and when it was made, in Japan time.
fn set_info(pdf: &mut lopdf::Document, title: &str, made: chrono::DateTime<chrono::Utc>) {
    use lopdf::{Dictionary, Object, StringFormat};
    // PDF text strings outside Latin-1 are UTF-16BE with a byte order mark (ISO 32000-1, 7.9.2.2).
    let text = |s: &str| {
        let bytes = [0xFE, 0xFF].into_iter().chain(s.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        Object::String(bytes, StringFormat::Hexadecimal)
    };
    let date = (made + chrono::TimeDelta::hours(9)).format("D:%Y%m%d%H%M%S+09'00'").to_string();
    let mut info = Dictionary::new();
    info.set("Title", text(title));
    info.set("Producer", text(PRODUCER));
    info.set("CreationDate", Object::string_literal(date.clone()));
    info.set("ModDate", Object::string_literal(date));
    // printpdf's Info object is replaced where it is, so no unused object is left behind.
    match pdf.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => {
            pdf.objects.insert(id, Object::Dictionary(info));
        }
        Err(_) => {
            let id = pdf.add_object(info);
            pdf.trailer.set("Info", Object::Reference(id));
        }
    }
}

/// The PDF's /Producer.
const PRODUCER: &str = "Onshi（オンライン資格確認 導入支援）";

/// How hard flate2 works on a stream, chosen by `server/benches/application_pdf.rs` (a new
/// facility each time, zlib-rs): level 1 (`fast`) is zlib-rs's quick mode with fixed codes,
/// 64 KB an application at about 380 a second; level 3 makes 54 KB at about 330; levels 6 and 9
/// save 1 % and 2 % more at about 300 and 230.
const LEVEL: Compression = Compression::new(3);

/// `data` as a zlib stream (RFC 1950) for a `/FlateDecode` filter, or `None` when that is no
/// smaller.
///
/// lopdf compresses only at miniz's best level, which took half of a render (2 ms for an
/// application's font program); see [`LEVEL`] for the trade.
fn zlib_if_smaller(data: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 2 + 64), LEVEL);
    encoder.write_all(data).ok()?;
    encoder.finish().ok().filter(|packed| packed.len() < data.len())
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false }
}

/// Shading first, then the rules as one path, then the text as glyph ids of the subset (with
/// their characters, for ToUnicode), one text object per line.
fn page_ops(page: &Page, font: &PdfFontHandle, subset: &Subset, metrics: &Metrics, ink: Ink) -> Vec<Op> {
    let mut ops = Vec::with_capacity(page.fills.len() + page.texts.len() * 4 + 8);
    if !page.fills.is_empty() {
        ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(ink.shade_gray, None)) });
        ops.extend(page.fills.iter().map(|[x, y, w, h]| Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(*x),
                y: Pt(*y),
                width: Pt(*w),
                height: Pt(*h),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        }));
        ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
    }
    if !page.rules.is_empty() {
        ops.push(Op::SetOutlineColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
        ops.push(Op::SetOutlineThickness { pt: Pt(ink.rule_width_pt) });
        // Square caps close the corners where a row's rules meet.
        ops.push(Op::SetLineCapStyle { cap: LineCapStyle::ProjectingSquare });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: page
                    .rules
                    .iter()
                    .map(|[x1, y1, x2, y2]| PolygonRing { points: vec![point(*x1, *y1), point(*x2, *y2)] })
                    .collect(),
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
    }
    let mut size = None;
    for t in &page.texts {
        ops.push(Op::StartTextSection);
        // The font and size are text state, kept from one text object to the next.
        if size != Some(t.size) {
            ops.push(Op::SetFont { font: font.clone(), size: Pt(t.size) });
            size = Some(t.size);
        }
        ops.push(Op::SetTextCursor { pos: Point { x: Pt(t.x_pt), y: Pt(t.y_pt) } });
        let glyphs = t
            .text
            .chars()
            .map(|c| {
                let gid = subset.new_gid.get(&metrics.glyph(c).0).copied().unwrap_or(0);
                Codepoint::with_cid(gid, 0.0, c.to_string())
            })
            .collect();
        ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(glyphs)] });
        ops.push(Op::EndTextSection);
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::font::PARSED_FONT;
    use crate::pdf::{LETTER_LAYOUT, Layout, render};
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    /// `packed` inflated by lopdf, as a viewer would: through a stream of a PDF printpdf made.
    fn inflate(packed: Vec<u8>) -> Vec<u8> {
        let mut doc = PdfDocument::new("inflate");
        doc.pages = vec![PdfPage::new(Mm(10.0), Mm(10.0), vec![Op::SaveGraphicsState])];
        let pdf = printpdf::to_lopdf_doc(&doc, &PdfSaveOptions::default(), &mut Vec::new());
        let mut stream = pdf.objects.values().find_map(|o| o.as_stream().ok()).expect("a content stream").clone();
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(packed);
        stream.decompressed_content().expect("inflates")
    }

    #[test]
    fn streams_that_compress_inflate_to_their_data_and_the_rest_stay_plain() {
        let mut state = 0x2545_F491_u32;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let noise: Vec<u8> = (0..70_000).map(|_| random() as u8).collect();
        let text = "BT\n/IPAexG 9.5 Tf\n61.79 735.25 Td\n[<0074><0137><008D>] TJ\nET\n".repeat(400);
        let font = PARSED_FONT.as_ref().and_then(|f| f.source_bytes()).expect("font bytes");
        let program = font.as_slice()[..300_000].to_vec();
        // (case, data, at most this share of its size once packed; None: stays plain)
        let cases: Vec<(&str, Vec<u8>, Option<f64>)> = vec![
            ("empty", Vec::new(), None),
            ("one byte", vec![42], None),
            ("noise", noise, None),
            ("zeros", vec![0; 100_000], Some(0.01)),
            ("content stream", text.into_bytes(), Some(0.1)),
            ("font program", program, Some(0.9)),
        ];
        for (name, data, share) in cases {
            let packed = zlib_if_smaller(&data);
            match share {
                None => assert!(packed.is_none(), "{name} is not made larger"),
                Some(share) => {
                    let packed = packed.expect(name);
                    assert!(
                        packed.len() as f64 <= share * data.len() as f64,
                        "{name}: {} of {}",
                        packed.len(),
                        data.len()
                    );
                    assert_eq!(inflate(packed), data, "{name}");
                }
            }
        }
    }

    /// The offset of `needle` in `haystack`.
    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn every_flate_stream_of_a_rendered_letter_inflates() {
        let layout = Layout::parse(LETTER_LAYOUT).expect("layout");
        let pdf = render("再見積のお願い", &layout, &["再見積のお願い".to_owned(), "拝啓".to_owned()]).expect("pdf");
        let mut streams = Vec::new();
        let mut rest = &pdf[..];
        while let Some(filter) = find(rest, b"/FlateDecode") {
            let keyword = filter + find(&rest[filter..], b"stream").expect("the stream after its dictionary");
            let body = &rest[keyword + b"stream".len()..];
            let body = body.strip_prefix(b"\r\n").or_else(|| body.strip_prefix(b"\n")).expect("an end of line");
            let mut plain = Vec::new();
            ZlibDecoder::new(body).read_to_end(&mut plain).expect("inflates, its checksum right");
            streams.push(plain);
            rest = body;
        }
        assert!(streams.len() >= 3, "page contents, font program and ToUnicode: {} streams", streams.len());
        assert!(streams.iter().any(|s| find(s, b"BT").is_some() && find(s, b"Tf").is_some()), "the page's text");
    }
}
