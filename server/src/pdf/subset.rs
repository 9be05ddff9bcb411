//! Subsets of the built-in font, one per glyph set, kept for the next document with the same
//! glyphs together with their compressed streams.

use super::sfnt::{outline_free_stand_in, without_hinting};
use printpdf::ParsedFont;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// A subset of the built-in font for one set of glyphs, kept for the next document that uses
/// the same glyphs (the same application printed again, a letter re-issued): subsetting and
/// compressing the font program are most of a render once lookups are fast.
pub(super) struct Subset {
    pub(super) font: ParsedFont,
    /// Glyph id in the full font → glyph id in the subset.
    pub(super) new_gid: HashMap<u16, u16>,
    /// Compressed forms of the font's streams (program, ToUnicode), at most [`DEFLATED_PER_SUBSET`].
    deflated: Mutex<Vec<Deflated>>,
}

/// A stream's plain content and its zlib form; `None` when compression would not make it smaller.
struct Deflated {
    plain: Vec<u8>,
    packed: Option<Vec<u8>>,
}

/// The font's streams are its program and ToUnicode; any more are not worth keeping.
const DEFLATED_PER_SUBSET: usize = 4;

impl Subset {
    /// `plain` as `compress` packs it, or `None` if it does not; remembered for the next document
    /// with these glyphs, whose font streams are the same bytes.
    pub(super) fn packed(&self, plain: &[u8], compress: impl FnOnce(&[u8]) -> Option<Vec<u8>>) -> Option<Vec<u8>> {
        let mut known = self.deflated.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(d) = known.iter().find(|d| d.plain == plain) {
            return d.packed.clone();
        }
        let packed = compress(plain);
        if known.len() < DEFLATED_PER_SUBSET {
            known.push(Deflated { plain: plain.to_vec(), packed: packed.clone() });
        }
        packed
    }
}

/// Subsets by glyph set, oldest evicted first; an entry is about 200 KB for an application.
struct SubsetCache {
    map: HashMap<Vec<u16>, Arc<Subset>>,
    order: VecDeque<Vec<u16>>,
}

const SUBSET_CACHE_ENTRIES: usize = 32;

static SUBSETS: LazyLock<Mutex<SubsetCache>> =
    LazyLock::new(|| Mutex::new(SubsetCache { map: HashMap::new(), order: VecDeque::new() }));

/// The subset for `gids` (sorted, without glyph 0), from the cache or made now.
pub(super) fn subset_for(font: &ParsedFont, gids: Vec<u16>) -> Result<Arc<Subset>, String> {
    if let Some(s) = SUBSETS.lock().unwrap_or_else(PoisonError::into_inner).map.get(&gids) {
        return Ok(Arc::clone(s));
    }
    let usage: BTreeMap<u16, String> = gids.iter().map(|g| (*g, String::new())).collect();
    let sub = printpdf::subset_font(font, &usage).map_err(|e| format!("subsetting the font: {e}"))?;
    let program = without_hinting(&sub.bytes).unwrap_or(sub.bytes);
    let real = ParsedFont::from_bytes(&program, 0, &mut Vec::new()).ok_or("the font subset cannot be read back")?;
    let mut parsed = outline_free_stand_in(&program, &real).unwrap_or(real);
    // The subset tag (ISO 32000-1 9.6.4): six capitals, derived from the glyph set.
    let mut hash =
        gids.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, g| (h ^ u64::from(*g)).wrapping_mul(0x100_0000_01b3));
    let tag: String = (0..6)
        .map(|_| {
            let c = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            c
        })
        .collect();
    parsed.font_name = Some(format!("{tag}+{}", font.font_name.as_deref().unwrap_or("IPAexGothic")));
    let subset = Arc::new(Subset {
        font: parsed,
        new_gid: sub.glyph_mapping.iter().map(|(old, (new, _))| (*old, *new)).collect(),
        deflated: Mutex::new(Vec::new()),
    });
    let mut cache = SUBSETS.lock().unwrap_or_else(PoisonError::into_inner);
    if !cache.map.contains_key(&gids) {
        if cache.order.len() >= SUBSET_CACHE_ENTRIES
            && let Some(old) = cache.order.pop_front()
        {
            cache.map.remove(&old);
        }
        cache.order.push_back(gids.clone());
        cache.map.insert(gids, Arc::clone(&subset));
    }
    Ok(subset)
}
