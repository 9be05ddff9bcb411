//! The pictures of a scan: decoded from JPEG, PNG or TIFF (a fax's G3/G4 pages included),
//! made grey, brought to the resolution OCR reads best, and straightened.

use crate::error::{ReadError, ReadErrorKind, corrupted};
use image::{GrayImage, ImageReader, Luma};
use std::io::Cursor;

/// Most pixels one picture may have (issue 24): a 12-megapixel phone photo or an A4 page at
/// 600 dpi (35 MP) passes; a picture made to exhaust memory does not.
pub(crate) const MOST_PIXELS: u64 = 40_000_000;

/// Most pixels all the pages of one TIFF may have together: its pages are decoded before the first
/// is recognised, and a fax's blank pages compress to almost nothing. A 20-page fax at 1,728 ×
/// 2,200 pixels has 76 million.
pub(crate) const MOST_PIXELS_IN_ALL: u64 = 100_000_000;

/// The resolution pages are recognised at: Tesseract's documentation (「Improving the quality of
/// the output」, tesseract-ocr.github.io/tessdoc/ImproveQuality) says it reads best at 300 dpi and
/// with capital letters about 20–30 pixels high, which 300 dpi gives the 9–11 pt text of a quote.
pub(crate) const WORKING_DPI: f32 = 300.0;

/// An A4 page's short side in inches: a picture without a stated resolution is taken to be a
/// page of A4 (portrait or landscape) filling the picture.
const A4_SHORT_SIDE: f32 = 8.27;

/// One page as decoded, with its resolution across and down (a fax's differ).
pub(crate) struct Picture {
    pub(crate) gray: GrayImage,
    pub(crate) dpi_x: f32,
    pub(crate) dpi_y: f32,
}

/// The picture formats, told by their first bytes.
pub(crate) fn is_picture(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"II+\0")
        || bytes.starts_with(b"MM\0+")
}

fn too_large(file: &str, width: u32, height: u32) -> ReadError {
    ReadError::file(
        file,
        ReadErrorKind::PictureTooLarge { pixels: u64::from(width) * u64::from(height), limit: MOST_PIXELS },
    )
}

fn check_size(file: &str, width: u32, height: u32) -> Result<(), ReadError> {
    if width == 0 || height == 0 {
        return Err(corrupted(file, "an empty picture"));
    }
    if u64::from(width) * u64::from(height) > MOST_PIXELS {
        return Err(too_large(file, width, height));
    }
    Ok(())
}

/// The resolution a picture of `width` × `height` pixels has if it is a page of A4.
fn assumed_dpi(width: u32, height: u32) -> f32 {
    width.min(height) as f32 / A4_SHORT_SIDE
}

/// Decodes a picture file into its pages (a TIFF may hold several, at most `most_pages`).
pub(crate) fn decode(file: &str, bytes: &[u8], most_pages: u32) -> Result<Vec<Picture>, ReadError> {
    if bytes.starts_with(b"II") || bytes.starts_with(b"MM") {
        return decode_tiff(file, bytes, most_pages);
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| corrupted(file, e))?;
    let (width, height) = reader.into_dimensions().map_err(|e| corrupted(file, e))?;
    check_size(file, width, height)?;
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| corrupted(file, e))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MOST_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let gray = reader.decode().map_err(|e| corrupted(file, e))?.into_luma8();
    let dpi = assumed_dpi(width, height);
    Ok(vec![Picture { gray, dpi_x: dpi, dpi_y: dpi }])
}

/// A TIFF's pages, each with the resolution its tags state (a fax: 204 × 98 or 200 × 100).
fn decode_tiff(file: &str, bytes: &[u8], most_pages: u32) -> Result<Vec<Picture>, ReadError> {
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::tags::Tag;
    let bad = |e: tiff::TiffError| corrupted(file, e);
    let mut limits = tiff::decoder::Limits::default();
    limits.decoding_buffer_size = usize::try_from(MOST_PIXELS * 4).unwrap_or(usize::MAX);
    let mut decoder = Decoder::new(Cursor::new(bytes)).map_err(bad)?.with_limits(limits);
    let mut pages = Vec::new();
    let mut pixels_in_all = 0u64;
    loop {
        let count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
        if count >= most_pages {
            return Err(ReadError::file(file, ReadErrorKind::TooManyPages { pages: count + 1, limit: most_pages }));
        }
        let (width, height) = decoder.dimensions().map_err(bad)?;
        check_size(file, width, height)?;
        pixels_in_all += u64::from(width) * u64::from(height);
        if pixels_in_all > MOST_PIXELS_IN_ALL {
            let kind = ReadErrorKind::PictureTooLarge { pixels: pixels_in_all, limit: MOST_PIXELS_IN_ALL };
            return Err(ReadError::file(file, kind));
        }
        let colour = decoder.colortype().map_err(bad)?;
        let resolution = |decoder: &mut Decoder<Cursor<&[u8]>>, tag| {
            let value = match decoder.find_tag(tag).ok().flatten()? {
                tiff::decoder::ifd::Value::Rational(n, d) if d > 0 => n as f32 / d as f32,
                other => other.into_f32().ok()?,
            };
            Some(value).filter(|r| r.is_finite() && *r > 10.0)
        };
        let (rx, ry) = (resolution(&mut decoder, Tag::XResolution), resolution(&mut decoder, Tag::YResolution));
        let image = decoder.read_image().map_err(bad)?;
        let DecodingResult::U8(data) = image else {
            return Err(ReadError::file(file, ReadErrorKind::PictureFormat));
        };
        let gray =
            gray_of(&data, width, height, colour).ok_or_else(|| ReadError::file(file, ReadErrorKind::PictureFormat))?;
        let (dpi_x, dpi_y) = match (rx, ry) {
            // A stated resolution under 100 dpi across is not a page's (a default of 72): assume A4.
            (Some(x), Some(y)) if x >= 100.0 => (x, y),
            _ => (assumed_dpi(width, height), assumed_dpi(width, height)),
        };
        pages.push(Picture { gray, dpi_x, dpi_y });
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(bad)?;
    }
    Ok(pages)
}

/// A TIFF page's 8-bit samples as grey: bilevel (packed bits, 1 white after the decoder's
/// handling of WhiteIsZero), grey, RGB, RGBA.
fn gray_of(data: &[u8], width: u32, height: u32, colour: tiff::ColorType) -> Option<GrayImage> {
    use tiff::ColorType;
    let (w, h) = (width as usize, height as usize);
    let pixels: Vec<u8> = match colour {
        ColorType::Gray(1) => {
            let stride = w.div_ceil(8);
            if data.len() < stride * h {
                return None;
            }
            (0..h)
                .flat_map(|y| {
                    let row = &data[y * stride..(y + 1) * stride];
                    (0..w).map(move |x| if row[x / 8] & (0x80 >> (x % 8)) != 0 { 255 } else { 0 })
                })
                .collect()
        }
        ColorType::Gray(8) => data.get(..w * h)?.to_vec(),
        ColorType::RGB(8) => data.get(..w * h * 3)?.chunks_exact(3).map(luma).collect(),
        ColorType::RGBA(8) => data.get(..w * h * 4)?.chunks_exact(4).map(luma).collect(),
        _ => return None,
    };
    GrayImage::from_raw(width, height, pixels)
}

fn luma(rgb: &[u8]) -> u8 {
    let v = (u32::from(rgb[0]) * 299 + u32::from(rgb[1]) * 587 + u32::from(rgb[2]) * 114) / 1000;
    u8::try_from(v).unwrap_or(u8::MAX)
}

/// The page at [`WORKING_DPI`] in both directions (a fax's half-height lines doubled), smoothed
/// when it was black and white (OCR reads a fax's jagged strokes better softened), and
/// straightened.
pub(crate) fn prepared(picture: &Picture) -> GrayImage {
    let (w, h) = picture.gray.dimensions();
    let scale_x = (WORKING_DPI / picture.dpi_x).clamp(0.25, 4.0);
    let scale_y = (WORKING_DPI / picture.dpi_y).clamp(0.25, 8.0);
    let (nw, nh) = (((w as f32 * scale_x) as u32).max(1), ((h as f32 * scale_y) as u32).max(1));
    // Keep within the pixel limit whatever the stated resolution claims.
    let shrink = ((MOST_PIXELS as f32) / (nw as f32 * nh as f32)).sqrt().min(1.0);
    let (nw, nh) = (((nw as f32 * shrink) as u32).max(1), ((nh as f32 * shrink) as u32).max(1));
    let bilevel = picture.gray.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255);
    let mut page = if (nw, nh) == (w, h) {
        picture.gray.clone()
    } else {
        image::imageops::resize(&picture.gray, nw, nh, image::imageops::FilterType::Triangle)
    };
    if bilevel {
        page = image::imageops::blur(&page, 1.0);
    }
    // The skew is measured with the light made even: in a phone photo's shadow the paper itself
    // falls under the threshold between ink and paper, and a dark band that lies level outweighs
    // the slope of the text lines. The page is turned as it came and flattened after (a fax's
    // strokes turned after flattening come out softer, and OCR reads them worse).
    let angle = skew(&flattened(&page));
    let page = if angle.abs() >= 0.05 { turned(&page, angle) } else { page };
    let mut page = flattened(&page);
    without_rules(&mut page);
    page
}

/// Half the side of the square over which the paper's brightness is measured (pixels): wider
/// than a character, narrower than a shadow.
const LIGHT_RADIUS: usize = 40;

/// The page with the light made even: each pixel against the mean brightness around it, so
/// that the shadow across a phone photo is paper, not ink (OCR and the rules' removal tell ink
/// from paper by one threshold for the whole page).
pub(crate) fn flattened(page: &GrayImage) -> GrayImage {
    let (w, h) = (page.width() as usize, page.height() as usize);
    let raw = page.as_raw();
    let mut sums = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(raw[y * w + x]);
            sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
        }
    }
    let r = LIGHT_RADIUS;
    GrayImage::from_fn(page.width(), page.height(), |x, y| {
        let (x, y) = (x as usize, y as usize);
        let (x0, y0, x1, y1) = (x.saturating_sub(r), y.saturating_sub(r), (x + r + 1).min(w), (y + r + 1).min(h));
        let area = ((x1 - x0) * (y1 - y0)) as u64;
        let total =
            sums[y1 * (w + 1) + x1] + sums[y0 * (w + 1) + x0] - sums[y0 * (w + 1) + x1] - sums[y1 * (w + 1) + x0];
        let mean = (total / area.max(1)).max(1);
        let v = u64::from(raw[y * w + x]) * 235 / mean;
        Luma([u8::try_from(v.min(255)).unwrap_or(255)])
    })
}

/// Shortest run of ink taken for a table's rule rather than a stroke of a character, in pixels
/// at [`WORKING_DPI`]: a third of an inch (a kanji's longest stroke at 11 pt is about 40 pixels).
const RULE_LENGTH: usize = 100;

/// Most pixels of ink within two pixels of an ink pixel for it to be a speck, not a stroke.
const SPECK: u64 = 6;

/// A picture's values summed from its top left corner (a summed-area table): the sum over any
/// square in four lookups.
struct Sums {
    sums: Vec<u64>,
    w: usize,
    h: usize,
}

impl Sums {
    fn of(values: impl Iterator<Item = u64>, w: usize, h: usize) -> Sums {
        let mut sums = vec![0u64; (w + 1) * (h + 1)];
        let mut values = values;
        for y in 0..h {
            let mut row = 0u64;
            for x in 0..w {
                row += values.next().unwrap_or(0);
                sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
            }
        }
        Sums { sums, w, h }
    }

    /// The sum over the square of `radius` around (x, y), cut at the edges, and its pixels.
    fn around(&self, x: usize, y: usize, radius: usize) -> (u64, u64) {
        let (w, h, s) = (self.w, self.h, &self.sums);
        let (x0, y0) = (x.saturating_sub(radius), y.saturating_sub(radius));
        let (x1, y1) = ((x + radius + 1).min(w), (y + radius + 1).min(h));
        let total = s[y1 * (w + 1) + x1] + s[y0 * (w + 1) + x0] - s[y0 * (w + 1) + x1] - s[y1 * (w + 1) + x0];
        (total, ((x1 - x0) * (y1 - y0)) as u64)
    }
}

/// Marks for erasing the runs of ink at least [`RULE_LENGTH`] long along one line of pixels
/// (`line` gives the pixels' indices in order: a row or a column).
fn mark_long_runs(ink: &[bool], erase: &mut [bool], line: impl Iterator<Item = usize>) {
    let mut run: Vec<usize> = Vec::new();
    for i in line.map(Some).chain(std::iter::once(None)) {
        if let Some(i) = i.filter(|i| ink[*i]) {
            run.push(i);
            continue;
        }
        if run.len() >= RULE_LENGTH {
            run.iter().for_each(|j| erase[*j] = true);
        }
        run.clear();
    }
}

/// Erases the rules of a ruled table (long straight runs of ink across or down the page): OCR
/// reads them as 「ーー」, 「EEEE」 or 「|」 and loses the words they touch.
fn without_rules(page: &mut GrayImage) {
    let threshold = otsu(page);
    let (w, h) = (page.width() as usize, page.height() as usize);
    let ink: Vec<bool> = page.as_raw().iter().map(|p| *p <= threshold).collect();
    let mut erase = vec![false; w * h];
    for y in 0..h {
        mark_long_runs(&ink, &mut erase, (0..w).map(|x| y * w + x));
    }
    for x in 0..w {
        mark_long_runs(&ink, &mut erase, (0..h).map(|y| y * w + x));
    }
    // Specks of dust and toner: ink with little other ink around it (a character's stroke has a
    // dozen or more pixels of ink within two pixels of each of its own).
    let sums = Sums::of(ink.iter().map(|i| u64::from(*i)), w, h);
    for y in 0..h {
        for x in 0..w {
            if ink[y * w + x] && sums.around(x, y, 2).0 <= SPECK {
                erase[y * w + x] = true;
            }
        }
    }
    let paper = u8::try_from(
        page.as_raw().iter().zip(&ink).filter(|(_, i)| !**i).map(|(p, _)| u64::from(*p)).sum::<u64>()
            / ink.iter().filter(|i| !**i).count().max(1) as u64,
    )
    .unwrap_or(255);
    for (pixel, e) in page.iter_mut().zip(&erase) {
        if *e {
            *pixel = paper;
        }
    }
}

/// The angle (degrees) the page's text lines rise by, left to right, within ±5°: the shear that
/// makes the rows of dark pixels most sharply separated (their profile's sum of squares largest),
/// on a copy at a third of the size.
pub(crate) fn skew(page: &GrayImage) -> f32 {
    let small = image::imageops::resize(
        page,
        (page.width() / 3).max(1),
        (page.height() / 3).max(1),
        image::imageops::FilterType::Triangle,
    );
    let threshold = otsu(&small);
    let dark: Vec<(f32, f32)> = small
        .enumerate_pixels()
        .filter(|(_, _, p)| p.0[0] <= threshold)
        .map(|(x, y, _)| (x as f32, y as f32))
        .collect();
    if dark.is_empty() {
        return 0.0;
    }
    let height = small.height() as usize;
    let sharpness = |degrees: f32| -> f64 {
        let t = degrees.to_radians().tan();
        let mut profile = vec![0u32; height * 2 + 1];
        for (x, y) in &dark {
            let row = (y + x * t).round() as isize + height as isize / 2;
            if let Some(slot) = usize::try_from(row).ok().and_then(|r| profile.get_mut(r)) {
                *slot += 1;
            }
        }
        profile.iter().map(|c| f64::from(*c) * f64::from(*c)).sum()
    };
    let best = |from: f32, to: f32, step: f32| -> f32 {
        let mut best = (0.0f32, f64::MIN);
        let steps = ((to - from) / step).round() as i32;
        for k in 0..=steps {
            let a = ((from + k as f32 * step) * 100.0).round() / 100.0;
            let s = sharpness(a);
            if s > best.1 {
                best = (a, s);
            }
        }
        best.0
    };
    let coarse = best(-5.0, 5.0, 0.25);
    best(coarse - 0.25, coarse + 0.25, 0.05)
}

/// The threshold between ink and paper that best separates the picture's two kinds of pixels.
fn otsu(img: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for p in img.pixels() {
        histogram[usize::from(p.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum: f64 = histogram.iter().enumerate().map(|(i, c)| i as f64 * *c as f64).sum();
    let (mut weight_b, mut sum_b, mut best, mut threshold) = (0u64, 0f64, 0f64, 128u8);
    for (i, count) in histogram.iter().enumerate() {
        weight_b += count;
        if weight_b == 0 {
            continue;
        }
        let weight_f = total - weight_b;
        if weight_f == 0 {
            break;
        }
        sum_b += i as f64 * *count as f64;
        let mean_b = sum_b / weight_b as f64;
        let mean_f = (sum - sum_b) / weight_f as f64;
        let between = weight_b as f64 * weight_f as f64 * (mean_b - mean_f).powi(2);
        if between > best {
            best = between;
            threshold = u8::try_from(i).unwrap_or(128);
        }
    }
    threshold
}

/// The page turned so that lines rising by `degrees` lie level (bilinear, paper-white corners).
pub(crate) fn turned(page: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = page.dimensions();
    // A line rising to the right is read from ever higher rows as x grows.
    let (sin, cos) = (-degrees).to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let sample = |x: f32, y: f32| -> f32 {
        if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
            return 255.0;
        }
        let (x0, y0) = (x.floor() as u32, y.floor() as u32);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |x, y| f32::from(page.get_pixel(x, y).0[0]);
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    };
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = cx + dx * cos - dy * sin;
        let sy = cy + dx * sin + dy * cos;
        Luma([sample(sx, sy).round().clamp(0.0, 255.0) as u8])
    })
}

/// The page as PGM, the simplest picture Tesseract reads from its standard input.
pub(crate) fn pgm(page: &GrayImage) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", page.width(), page.height()).into_bytes();
    out.extend_from_slice(page.as_raw());
    out
}

/// A PGM picture (what pdftoppm writes) as a grey image.
pub(crate) fn from_pgm(bytes: &[u8]) -> Option<GrayImage> {
    let mut fields = Vec::new();
    let mut at = 0usize;
    // Magic, width, height, maxval: four fields separated by whitespace (comments not written by pdftoppm).
    while fields.len() < 4 {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let start = at;
        while bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace()) {
            at += 1;
        }
        fields.push(std::str::from_utf8(bytes.get(start..at)?).ok()?);
    }
    at += 1;
    let (width, height): (u32, u32) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    if fields[0] != "P5" || fields[3] != "255" || u64::from(width) * u64::from(height) > MOST_PIXELS {
        return None;
    }
    let len = usize::try_from(u64::from(width) * u64::from(height)).ok()?;
    GrayImage::from_raw(width, height, bytes.get(at..at.checked_add(len)?)?.to_vec())
}

/// The band of the page between `top` and `bottom` (pixels), at most 1,200 pixels wide, as PNG:
/// the picture of one line of the quote beside what was read from it.
pub(crate) fn band_png(page: &GrayImage, top: u32, bottom: u32) -> Option<Vec<u8>> {
    use image::ImageEncoder;
    let (w, h) = page.dimensions();
    let top = top.min(h.saturating_sub(1));
    let bottom = bottom.clamp(top + 1, h);
    let band = image::imageops::crop_imm(page, 0, top, w, bottom - top).to_image();
    let band = if w > 1200 {
        let nh = ((band.height() as f32 * 1200.0 / w as f32) as u32).max(1);
        image::imageops::resize(&band, 1200, nh, image::imageops::FilterType::Triangle)
    } else {
        band
    };
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(band.as_raw(), band.width(), band.height(), image::ExtendedColorType::L8)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Black lines rising 1.5° left to right on white.
    fn lines(degrees: f32) -> GrayImage {
        let t = degrees.to_radians().tan();
        GrayImage::from_fn(900, 600, |x, y| {
            let level = 1000.0 + y as f32 + x as f32 * t;
            let ink = (50..850).contains(&x) && (level as u32 % 40) < 4;
            Luma([if ink { 0 } else { 255 }])
        })
    }

    #[test]
    fn the_skew_of_ruled_lines_is_found_within_a_tenth_of_a_degree() {
        for degrees in [-2.0f32, -0.6, 0.0, 0.8, 3.0] {
            let found = skew(&lines(degrees));
            assert!((found - degrees).abs() <= 0.11, "{degrees}° → {found}");
            let level = skew(&turned(&lines(degrees), found));
            assert!(level.abs() <= 0.2, "{degrees}° turned by {found}° still rises {level}°");
        }
    }

    #[test]
    fn rules_of_a_table_are_erased_and_short_strokes_kept() {
        let mut page = GrayImage::from_fn(600, 300, |x, y| {
            let rule = y == 100 || y == 101 || x == 500;
            let stroke = (200..240).contains(&x) && (149..152).contains(&y);
            Luma([if rule || stroke { 0 } else { 250 }])
        });
        without_rules(&mut page);
        assert_eq!(page.get_pixel(300, 100).0[0], 250);
        assert_eq!(page.get_pixel(500, 50).0[0], 250);
        assert_eq!(page.get_pixel(220, 150).0[0], 0);
        // A speck of two pixels goes; a stroke three pixels thick stays.
        let mut specked = GrayImage::from_fn(100, 100, |x, y| {
            let speck = (10..12).contains(&x) && y == 10;
            let stroke = (50..53).contains(&x) && (40..60).contains(&y);
            Luma([if speck || stroke { 0 } else { 250 }])
        });
        without_rules(&mut specked);
        assert_eq!(specked.get_pixel(10, 10).0[0], 250);
        assert_eq!(specked.get_pixel(51, 50).0[0], 0);
    }

    #[test]
    fn pgm_round_trips() {
        let page = lines(0.5);
        assert_eq!(from_pgm(&pgm(&page)).as_ref(), Some(&page));
        assert_eq!(from_pgm(b"P5\n100000 100000\n255\n"), None);
        assert_eq!(from_pgm(b"P5\n2 2\n255\n\x00"), None);
    }
}
