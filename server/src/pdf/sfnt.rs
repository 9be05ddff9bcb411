//! TrueType (`sfnt`) table work on a font subset: hinting stripped, and an outline-free
//! stand-in printpdf can read widths from cheaply.

use printpdf::ParsedFont;

/// The tables of a TrueType font (`sfnt` version 1.0), by tag, in directory order.
fn sfnt_tables(sfnt: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    if be_u32(sfnt, 0)? != 0x0001_0000 {
        return None;
    }
    (0..usize::from(be_u16(sfnt, 4)?))
        .map(|i| {
            let record = 12 + 16 * i;
            let tag: [u8; 4] = sfnt.get(record..record + 4)?.try_into().ok()?;
            let (offset, length) = (be_u32(sfnt, record + 8)? as usize, be_u32(sfnt, record + 12)? as usize);
            Some((tag, sfnt.get(offset..offset.checked_add(length)?)?))
        })
        .collect()
}

fn be_u16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// A TrueType font of `tables` (sorted by tag, as in the font they came from), with the
/// directory, table checksums and the head table's checkSumAdjustment written afresh. The
/// outlines (`glyf`) go last, so fonts that differ only in them lay out every other table alike.
fn sfnt_font(tables: &[([u8; 4], &[u8])]) -> Option<Vec<u8>> {
    let checksum = |data: &[u8]| {
        data.chunks(4).fold(0u32, |sum, w| {
            let mut word = [0u8; 4];
            word[..w.len()].copy_from_slice(w);
            sum.wrapping_add(u32::from_be_bytes(word))
        })
    };
    let count = u16::try_from(tables.len()).ok()?;
    // searchRange, entrySelector and rangeShift: the binary-search hints of the directory.
    let entry_selector = 15 - count.max(1).leading_zeros() as u16;
    let search_range = 16u16.checked_shl(u32::from(entry_selector))?;
    let mut out = Vec::with_capacity(tables.iter().map(|(_, d)| d.len() + 20).sum::<usize>() + 12);
    out.extend_from_slice(&0x0001_0000_u32.to_be_bytes());
    for v in [count, search_range, entry_selector, (count * 16).checked_sub(search_range)?] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.resize(12 + 16 * tables.len(), 0);
    let mut head_at = None;
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|i| &tables[*i].0 == b"glyf");
    for i in order {
        let (tag, data) = &tables[i];
        let at = out.len();
        out.extend_from_slice(data);
        if tag == b"head" {
            // checkSumAdjustment is zero while checksums are taken, then set for the whole font.
            out.get_mut(at + 8..at + 12)?.copy_from_slice(&[0; 4]);
            head_at = Some(at);
        }
        let sum = checksum(&out[at..]);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        let record = 12 + 16 * i;
        out[record..record + 4].copy_from_slice(tag);
        out[record + 4..record + 8].copy_from_slice(&sum.to_be_bytes());
        out[record + 8..record + 12].copy_from_slice(&u32::try_from(at).ok()?.to_be_bytes());
        out[record + 12..record + 16].copy_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
    }
    let at = head_at?;
    let adjustment = 0xB1B0_AFBA_u32.wrapping_sub(checksum(&out));
    out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    Some(out)
}

/// The TrueType font `sfnt` without the hinting instructions of its glyphs.
///
/// IPAex Gothic carries grid-fitting instructions in every glyph: 43 of the 94 KB of `glyf` in
/// an application's subset. Viewers draw a PDF's outlines scaled to the page, and most ignore
/// TrueType hinting there; without it a PDF is a third smaller and its font compresses in half
/// the time. The outlines, advances and every other table stay as they are. `None` for anything
/// but well-formed TrueType outlines (the font is then embedded as it is).
pub(super) fn without_hinting(sfnt: &[u8]) -> Option<Vec<u8>> {
    let tables = sfnt_tables(sfnt)?;
    let table = |tag: &[u8; 4]| tables.iter().find(|(t, _)| t == tag).map(|(_, data)| *data);
    let (head, maxp, loca, glyf) = (table(b"head")?, table(b"maxp")?, table(b"loca")?, table(b"glyf")?);
    let long_offsets = be_u16(head, 50)? == 1;
    let offset = |i: usize| {
        if long_offsets {
            be_u32(loca, 4 * i).map(|o| o as usize)
        } else {
            be_u16(loca, 2 * i).map(|o| 2 * usize::from(o))
        }
    };

    let mut new_glyf = Vec::with_capacity(glyf.len());
    let mut new_offsets = Vec::new();
    for i in 0..usize::from(be_u16(maxp, 4)?) {
        new_offsets.push(new_glyf.len());
        let glyph = glyf.get(offset(i)?..offset(i + 1)?)?;
        match be_u16(glyph, 0).map(|n| n as i16) {
            // A simple glyph: contour ends, then the instructions' length and the instructions.
            Some(contours) if contours >= 0 => {
                let at = 10 + 2 * contours as usize;
                let instructions = usize::from(be_u16(glyph, at)?);
                new_glyf.extend_from_slice(&glyph[..at]);
                new_glyf.extend_from_slice(&[0, 0]);
                new_glyf.extend_from_slice(glyph.get(at + 2 + instructions..)?);
            }
            // Empty, or a composite (its instructions are rare and stay).
            _ => new_glyf.extend_from_slice(glyph),
        }
        if new_glyf.len() % 2 == 1 {
            new_glyf.push(0);
        }
    }
    new_offsets.push(new_glyf.len());
    let mut new_loca = Vec::with_capacity(loca.len());
    for o in new_offsets {
        if long_offsets {
            new_loca.extend_from_slice(&u32::try_from(o).ok()?.to_be_bytes());
        } else {
            new_loca.extend_from_slice(&u16::try_from(o / 2).ok()?.to_be_bytes());
        }
    }
    let mut new_maxp = maxp.to_vec();
    if let Some(max_instructions) = new_maxp.get_mut(26..28) {
        max_instructions.copy_from_slice(&[0, 0]);
    }
    let replaced: Vec<([u8; 4], &[u8])> = tables
        .iter()
        .map(|(tag, data)| {
            let data: &[u8] = match tag {
                b"glyf" => &new_glyf,
                b"loca" => &new_loca,
                b"maxp" => &new_maxp,
                _ => data,
            };
            (*tag, data)
        })
        .collect();
    sfnt_font(&replaced)
}

/// A stand-in for the parsed `program` that printpdf can take the `/W` widths from without
/// decoding outlines.
///
/// printpdf reads each glyph's advance through the font's outline decoder, which was a tenth
/// of a render for a new subset and kept every decoded outline in the cache. The stand-in is
/// parsed from the same font with empty outlines — every other table at the same offset, since
/// [`sfnt_font`] writes `glyf` last — and carries the real program as the bytes to embed. It is
/// used only if it reports every advance width as the real font does.
pub(super) fn outline_free_stand_in(program: &[u8], real: &ParsedFont) -> Option<ParsedFont> {
    let tables = sfnt_tables(program)?;
    let loca_len = tables.iter().find(|(t, _)| t == b"loca")?.1.len();
    let zeros = vec![0u8; loca_len];
    let hollow: Vec<([u8; 4], &[u8])> = tables
        .iter()
        .map(|(tag, data)| match tag {
            b"glyf" => (*tag, &[][..]),
            b"loca" => (*tag, &zeros[..]),
            _ => (*tag, *data),
        })
        .collect();
    let hollow = sfnt_font(&hollow)?;
    let stand_in = ParsedFont::from_azul(
        printpdf::AzulParsedFont::from_bytes(&hollow, 0, &mut Vec::new())?.with_source_bytes(real.source_bytes()?),
    );
    let same = stand_in.num_glyphs == real.num_glyphs
        && (0..real.num_glyphs).all(|g| stand_in.get_horizontal_advance(g) == real.get_horizontal_advance(g));
    same.then_some(stand_in)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::font::{METRICS, PARSED_FONT};
    use std::collections::BTreeMap;

    #[test]
    fn a_subset_without_hinting_keeps_every_outline_and_width() {
        let font = PARSED_FONT.as_ref().expect("font");
        let m = METRICS.as_ref().expect("font");
        let gids: BTreeMap<u16, String> =
            "交付申請書　オンライン資格確認 1,234円（令和）".chars().map(|c| (m.glyph(c).0, c.to_string())).collect();
        let sub = printpdf::subset_font(font, &gids).expect("subset");
        let stripped = without_hinting(&sub.bytes).expect("a TrueType subset");
        assert!(stripped.len() * 10 < sub.bytes.len() * 8, "{} of {} bytes", stripped.len(), sub.bytes.len());
        let (before, after) = (
            ParsedFont::from_bytes(&sub.bytes, 0, &mut Vec::new()).expect("subset parses"),
            ParsedFont::from_bytes(&stripped, 0, &mut Vec::new()).expect("stripped subset parses"),
        );
        assert_eq!(before.num_glyphs, after.num_glyphs);
        for gid in 0..before.num_glyphs {
            let (b, a) =
                (before.get_or_decode_glyph(gid).expect("glyph"), after.get_or_decode_glyph(gid).expect("glyph"));
            assert_eq!(a.horz_advance, b.horz_advance, "glyph {gid}");
            assert_eq!(a.raw_points, b.raw_points, "glyph {gid}");
            assert_eq!(a.raw_on_curve, b.raw_on_curve, "glyph {gid}");
            assert_eq!(a.raw_contour_ends, b.raw_contour_ends, "glyph {gid}");
            assert!(a.instructions.as_ref().is_none_or(Vec::is_empty), "glyph {gid} keeps instructions");
        }
        let sum = stripped.chunks(4).fold(0u32, |s, w| {
            let mut word = [0u8; 4];
            word[..w.len()].copy_from_slice(w);
            s.wrapping_add(u32::from_be_bytes(word))
        });
        assert_eq!(sum, 0xB1B0_AFBA, "the whole-font checksum holds");
        assert_eq!(without_hinting(b"OTTO not TrueType"), None);
    }

    #[test]
    fn the_outline_free_stand_in_reports_the_real_widths_and_embeds_the_real_program() {
        let font = PARSED_FONT.as_ref().expect("font");
        let m = METRICS.as_ref().expect("font");
        let gids: BTreeMap<u16, String> =
            "領収書内訳書 No.費目 品名・内容 12,345円".chars().map(|c| (m.glyph(c).0, c.to_string())).collect();
        let program = without_hinting(&printpdf::subset_font(font, &gids).expect("subset").bytes).expect("TrueType");
        let real = ParsedFont::from_bytes(&program, 0, &mut Vec::new()).expect("parses");
        let stand_in = outline_free_stand_in(&program, &real).expect("the stand-in is usable");
        assert_eq!(stand_in.source_bytes().map(|b| b.as_slice().to_vec()), Some(program));
        for gid in 0..real.num_glyphs {
            let width = |f: &ParsedFont| f.get_or_decode_glyph(gid).map(|g| g.horz_advance);
            assert_eq!(width(&stand_in), width(&real), "glyph {gid}");
            assert!(
                stand_in.get_or_decode_glyph(gid).is_some_and(|g| g.outline.is_empty()),
                "glyph {gid} decoded nothing"
            );
        }
    }
}
