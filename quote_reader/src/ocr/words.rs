//! Tesseract's words (its TSV: a box and a confidence for each) as the positioned runs the
//! table rebuilding of printed PDFs takes, with the repairs figures need after OCR and a doubt
//! on every run a person should check.

use super::Doubt;
use crate::pdf::Run;

/// Words read with less confidence than this (Tesseract's 0–100) are marked for checking. Onshi's
/// own choice, not a published figure: with 80, every amount read wrong on the 200 dpi scans of
/// tests/fixtures/scan is marked (by this, by a repair or by the arithmetic;
/// `scan_input::scans_at_200_dpi_read_95_percent_of_amounts_and_mark_every_wrong_one`).
pub(crate) const SURE: f32 = 80.0;

/// One word of Tesseract's TSV output, in pixels of the recognised page.
#[derive(Debug, Clone, PartialEq)]
struct Word {
    line: (u32, u32, u32),
    left: u32,
    top: u32,
    right: u32,
    bottom: u32,
    confidence: f32,
    text: String,
}

/// A line's key (block, paragraph, line) and its top and bottom.
type LineBox = ((u32, u32, u32), (u32, u32));

/// The words of a TSV, and each line's box (block, paragraph, line → top, bottom).
fn parse(tsv: &str) -> (Vec<Word>, Vec<LineBox>) {
    let mut words = Vec::new();
    let mut lines = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        let [level, _page, block, par, line, _word, left, top, width, height, conf, text] = f.as_slice() else {
            continue;
        };
        let n = |s: &str| s.trim().parse::<u32>().ok();
        let (Some(level), Some(block), Some(par), Some(line), Some(left), Some(top), Some(width), Some(height)) =
            (n(level), n(block), n(par), n(line), n(left), n(top), n(width), n(height))
        else {
            continue;
        };
        let key = (block, par, line);
        match level {
            4 => lines.push((key, (top, top.saturating_add(height)))),
            5 if !text.trim().is_empty() => words.push(Word {
                line: key,
                left,
                top,
                right: left.saturating_add(width),
                bottom: top.saturating_add(height),
                confidence: conf.trim().parse().unwrap_or(0.0),
                text: text.trim().to_owned(),
            }),
            _ => {}
        }
    }
    (words, lines)
}

fn is_wide(c: char) -> bool {
    !c.is_ascii()
}

/// Characters OCR reads in place of digits, in a word that is otherwise a figure.
fn as_digit(c: char) -> Option<char> {
    match c {
        'O' | 'o' | 'Q' | 'D' | '〇' | 'О' => Some('0'),
        'l' | 'I' | 'ｌ' | 'Ｉ' | 'i' | 'J' => Some('1'),
        'S' | 's' => Some('5'),
        'B' => Some('8'),
        'Z' | 'z' => Some('2'),
        _ => None,
    }
}

fn is_figure_char(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(c, ',' | '.' | '，' | '．' | ':' | ';' | '、' | '。' | '-' | '¥' | '￥' | '\\' | '円')
}

/// A word that is a figure as OCR misreads it — 「150,.000」, 「5.000」, 「1O0,000」, 「\346,500-」 —
/// as the figure, or None when it needs no repair or is not a figure. `\` is the yen sign of
/// Japanese fonts and needs no mark; everything else changed is returned for marking.
pub(crate) fn repaired_figure(text: &str) -> Option<String> {
    let original = text;
    // Specks and strokes at a figure's ends (「_335.000」, 「215000。」) are not part of it.
    let text = text.trim_matches(|c: char| {
        matches!(c, '_' | '。' | '、' | '.' | ',' | ':' | ';' | '\'' | '`' | '・' | 'ー' | '~' | '"')
    });
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let lookalikes = text.chars().filter(|c| as_digit(*c).is_some()).count();
    let others = text.chars().filter(|c| !is_figure_char(*c) && as_digit(*c).is_none()).count();
    // A figure: at least two real digits, at most one look-alike per three digits, nothing else.
    if digits < 2 || others > 0 || lookalikes * 3 > digits {
        return None;
    }
    // 「150,.000」: a stray stroke beside a separator makes a run of them; one separator is meant
    // (a comma if any of them is one).
    let mut chars: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '，' | ':' | ';' | '、' => ',',
            '．' | '。' => '.',
            c => c,
        };
        match (chars.last_mut(), c) {
            (Some(last @ ('.' | ',')), ',' | '.') => {
                if c == ',' {
                    *last = ',';
                }
            }
            _ => chars.push(c),
        }
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
        let digits_after = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit() || as_digit(**c).is_some()).count();
        match *c {
            // 「5.000」: a thousands separator read as a point (yen have no decimals; a
            // quantity's 「0.5」 has one digit after its point).
            '.' if digit_before && digits_after == 3 => out.push(','),
            c if as_digit(c).is_some() && (digit_before || digits_after > 0) => out.extend(as_digit(c)),
            c => out.push(c),
        }
    }
    (out != original.replace('，', ",").replace('．', ".")).then_some(out)
}

/// Each line's band (top, bottom) from the words OCR was surest of: the middle of their bottoms
/// and heights. Tesseract's box of a line takes in every speck and rule stroke read on it (a
/// 「凡」 reaching down from a table's rule makes a 9 pt line 17 pt high), which would move its
/// baseline onto the next line's.
fn line_bands(words: &[Word], boxes: &[LineBox]) -> Vec<LineBox> {
    fn middle(mut v: Vec<u32>) -> Option<u32> {
        v.sort_unstable();
        v.get(v.len() / 2).copied()
    }
    boxes
        .iter()
        .map(|(key, band)| {
            let on_line: Vec<&Word> = words.iter().filter(|w| w.line == *key).collect();
            let sure: Vec<&Word> = on_line.iter().copied().filter(|w| w.confidence >= 60.0).collect();
            let chosen = if sure.is_empty() { on_line } else { sure };
            let bottom = middle(chosen.iter().map(|w| w.bottom).collect());
            let height = middle(chosen.iter().map(|w| w.bottom.saturating_sub(w.top)).collect());
            match (bottom, height) {
                (Some(bottom), Some(height)) => (*key, (bottom.saturating_sub(height), bottom)),
                _ => (*key, *band),
            }
        })
        .collect()
}

/// The page's runs: the words of each line on the line's baseline (so that a row stays one row
/// whatever the height of its glyphs' boxes), neighbouring words joined — kanji and kana close
/// together, figures only when they abut — in points from the page's lower left corner.
pub(crate) fn runs(tsv: &str, page_height_px: u32, dpi: f32) -> Vec<Run> {
    let (words, boxes) = parse(tsv);
    let lines = line_bands(&words, &boxes);
    let scale = 72.0 / f64::from(dpi);
    let mut runs: Vec<Run> = Vec::new();
    let mut last: Option<(u32, (u32, u32, u32), u32)> = None; // right edge, line, line height
    for word in words {
        let (top, bottom) = lines.iter().find(|(k, _)| *k == word.line).map_or((word.top, word.bottom), |(_, b)| *b);
        let height = bottom.saturating_sub(top).max(1);
        let joins = match (&last, runs.last()) {
            (Some((right, line, h)), Some(run)) if *line == word.line => {
                let gap = word.left.saturating_sub(*right) as f32;
                let wide =
                    run.text.chars().last().is_some_and(is_wide) && word.text.chars().next().is_some_and(is_wide);
                gap <= if wide { 0.5 } else { 0.3 } * *h as f32
            }
            _ => false,
        };
        let confidence = word.confidence;
        if joins && let Some(run) = runs.last_mut() {
            run.text.push_str(&word.text);
            run.x1 = f64::from(word.right) * scale;
            run.confidence = run.confidence.min(confidence);
        } else {
            runs.push(Run {
                x0: f64::from(word.left) * scale,
                x1: f64::from(word.right) * scale,
                y: f64::from(page_height_px.saturating_sub(bottom)) * scale,
                size: f64::from(height) * scale,
                text: word.text.clone(),
                confidence,
                doubt: None,
            });
        }
        last = Some((word.right, word.line, height));
    }
    // Table rules read as strokes at a word's ends, and specks read as punctuation, are not text.
    for run in &mut runs {
        run.text = run.text.trim_matches(|c| matches!(c, '|' | '[' | ']' | '｜' | '丨' | '_')).to_owned();
        // 「ー【ソフトウェア】」, 「資格確認端末。」: a rule's stroke read before a word (no Japanese
        // word starts with ー) and a speck after it.
        run.text = run.text.trim_start_matches('ー').trim_end_matches('。').to_owned();
    }
    // A dot of a photo's noise read as a digit or a letter: one character a few pixels wide,
    // under 0.15 of its line's height, and read unsurely (a real 「1」 is wider, and read surely).
    runs.retain(|r| !(r.text.chars().count() == 1 && r.x1 - r.x0 < 0.15 * r.size && r.confidence < 60.0));
    // 「ー」, 「_」 alone: a speck or a stroke of a rule, not a word.
    runs.retain(|r| r.text.chars().any(|c| c.is_alphanumeric() && !matches!(c, 'ー' | '一' | '―')));
    for run in &mut runs {
        let text = run.text.replace('\\', "¥");
        if let Some(figure) = repaired_figure(&text) {
            run.doubt = Some(Doubt::Repaired { read: run.text.clone() });
            run.text = figure;
        } else {
            run.text = text;
            if run.confidence < SURE {
                run.doubt = Some(Doubt::Unsure { confidence: run.confidence.clamp(0.0, 100.0) as u8 });
            }
        }
    }
    runs
}

/// Leaves out specks OCR made letters of with almost no confidence: a character or two, or Latin
/// letters only (「RESEE」, 「Eh」) — a quote's words in Latin letters (「VPN」, 「Pro」) read
/// clearly. Run after the headings and the foot's labels are restored from what OCR garbled
/// (a heading's characters are often read at 0 %), so that those stay; and a heading or a
/// label of the foot read letter for letter stays however unsure OCR was of it (「単価」 at 12 %,
/// 「小計」 at 6 % in a fax): without it a column or a total is lost.
pub(crate) fn drop_specks(runs: &mut Vec<Run>) {
    runs.retain(|r| {
        let digits = r.text.chars().any(|c| c.is_ascii_digit());
        let short = r.text.chars().count() <= 2 && r.confidence < 25.0;
        let latin = r.text.chars().all(|c| c.is_ascii_alphabetic()) && r.confidence < 40.0;
        digits || super::headings::is_table_word(&r.text) || !(short || latin)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misread_separators_and_lookalike_digits_are_repaired() {
        assert_eq!(repaired_figure("150,.000").as_deref(), Some("150,000"));
        assert_eq!(repaired_figure("5.000").as_deref(), Some("5,000"));
        assert_eq!(repaired_figure("100.000").as_deref(), Some("100,000"));
        assert_eq!(repaired_figure("1O0,000").as_deref(), Some("100,000"));
        assert_eq!(repaired_figure("31S,000").as_deref(), Some("315,000"));
        assert_eq!(repaired_figure("_335.000").as_deref(), Some("335,000"));
        assert_eq!(repaired_figure("215000。").as_deref(), Some("215000"));
        assert_eq!(repaired_figure("346:500").as_deref(), Some("346,500"));
        // Right already, or not a figure: left alone.
        assert_eq!(repaired_figure("150,000"), None);
        assert_eq!(repaired_figure("0.5"), None);
        assert_eq!(repaired_figure("12.5"), None);
        assert_eq!(repaired_figure("台"), None);
        assert_eq!(repaired_figure("VPN"), None);
        assert_eq!(repaired_figure("SOS"), None);
        assert_eq!(repaired_figure("2022年"), None);
    }

    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
4\t1\t1\t1\t1\t0\t100\t200\t900\t30\t-1\t
5\t1\t1\t1\t1\t1\t100\t202\t30\t26\t95.5\t資格
5\t1\t1\t1\t1\t2\t135\t200\t60\t30\t91.0\t確認端末
5\t1\t1\t1\t1\t3\t600\t204\t14\t24\t96.0\t1
5\t1\t1\t1\t1\t4\t640\t200\t28\t30\t93.0\t台
5\t1\t1\t1\t1\t5\t800\t201\t100\t27\t62.0\t150,.000
4\t1\t1\t1\t2\t0\t100\t250\t900\t30\t-1\t
5\t1\t1\t1\t2\t1\t100\t250\t60\t30\t70.0\t小計
";

    #[test]
    fn words_of_a_line_share_its_baseline_and_close_kanji_join() {
        let runs = runs(TSV, 1000, 144.0);
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["資格確認端末", "1", "台", "150,000", "小計"]);
        // 144 dpi: half a point per pixel; the first line's baseline is the middle of its words'
        // bottoms, pixel 228 of 1000 (its box, to 230, is not used).
        assert!(runs[..4].iter().all(|r| (r.y - 386.0).abs() < 1e-9), "{runs:?}");
        assert!((runs[4].y - 360.0).abs() < 1e-9);
        assert_eq!(runs[3].doubt, Some(Doubt::Repaired { read: "150,.000".into() }));
        assert_eq!(runs[4].doubt, Some(Doubt::Unsure { confidence: 70 }));
        assert_eq!(runs[0].doubt, None);
    }
}
