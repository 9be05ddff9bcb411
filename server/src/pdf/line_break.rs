//! Lines of Japanese text broken to a width the way Japanese documents are set (JIS X 4051's
//! 禁則処理, simplified): no line starts with closing punctuation, a small kana or 長音, no line
//! ends with an opening bracket, and a run of Latin letters or digits with its separators and
//! its unit (「429,000円」, 「2023-09-30」, 「ingest」) is never split — the line breaks before it.
//!
//! A 句点 or 読点 that does not fit hangs into the margin (ぶら下げ) rather than pushing a
//! character down; other characters that may not start a line take the one before them to the
//! next line (追い出し). Only a run wider than a whole line is split.

/// Characters no line may start with (行頭禁則): closing brackets and punctuation, small kana,
/// 長音 and iteration marks.
fn no_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | ','
            | '.'
            | ')'
            | ']'
            | '}'
            | '）'
            | '］'
            | '｝'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '〙'
            | '〗'
            | '!'
            | '?'
            | '！'
            | '？'
            | '・'
            | ':'
            | ';'
            | '：'
            | '；'
            | 'ー'
            | '々'
            | 'ゝ'
            | 'ゞ'
            | 'ヽ'
            | 'ヾ'
            | '…'
            | '‥'
            | '%'
            | '％'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
    )
}

/// Characters no line may end with (行末禁則): opening brackets, and currency signs that belong
/// to the number after them.
fn no_end(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '{' | '（' | '［' | '｛' | '「' | '『' | '【' | '〔' | '〈' | '《' | '〘' | '〖' | '¥' | '￥'
    )
}

/// 句読点 that may hang into the margin when they do not fit.
fn hangs(c: char) -> bool {
    matches!(c, '、' | '。' | '，' | '．' | ',' | '.')
}

/// Letters and digits of a run that is never split.
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

/// Separators that join the letters or digits on either side into one run (「1,050,000」,
/// 「2023-09-30」, 「092-123-4567」, 「1.5」).
fn joiner(c: char) -> bool {
    matches!(c, ',' | '.' | '-' | '/' | ':' | '_' | '@' | '\'' | '&' | '+' | '，' | '．' | '－' | '：' | '／')
}

/// Units that stay with the number before them, longest first.
const UNITS: [&str; 20] = [
    "万円", "千円", "億円", "時間", "ヶ月", "か月", "カ月", "円", "%", "％", "台", "件", "分", "秒", "回", "人", "個",
    "年", "月", "日",
];

/// The text cut into pieces no line break may fall inside: runs of letters and digits with
/// their separators and unit, and single characters.
fn pieces(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if !word_char(c) {
            out.push(&rest[..c.len_utf8()]);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        // Letters and digits, separators only between them.
        let mut end = 0;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if word_char(c) {
                end = i + c.len_utf8();
            } else if joiner(c) && chars.peek().is_some_and(|(_, n)| word_char(*n)) {
                continue;
            } else {
                break;
            }
        }
        if let Some(unit) = UNITS.iter().find(|u| rest[end..].starts_with(**u)) {
            end += unit.len();
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn first(piece: &str) -> char {
    piece.chars().next().unwrap_or(' ')
}

fn last(piece: &str) -> char {
    piece.chars().next_back().unwrap_or(' ')
}

/// Breaks one line of text into lines at most `max_ems` wide (but for a hanging 句読点).
pub(super) fn wrap(line: &str, max_ems: f32, em_width: impl Fn(char) -> f32) -> Vec<String> {
    let width = |s: &str| s.chars().map(&em_width).sum::<f32>();
    let mut out: Vec<String> = Vec::new();
    // The pieces of the line being filled, and its width.
    let mut current: Vec<&str> = Vec::new();
    let mut used = 0.0;
    for piece in pieces(line) {
        let w = width(piece);
        if used + w <= max_ems || current.is_empty() || (hangs(first(piece)) && piece.chars().count() == 1) {
            current.push(piece);
            used += w;
        } else {
            // Break before `piece`, or earlier so that no line starts or ends where it may not.
            let mut at = current.len();
            while at > 0
                && (no_start(first(current.get(at).copied().unwrap_or(piece))) || no_end(last(current[at - 1])))
            {
                at -= 1;
            }
            if at == 0 {
                // Nothing but pieces that must stay together: a closing piece hangs into the
                // margin, anything else starts the next line after all.
                if no_start(first(piece)) {
                    current.push(piece);
                    used += w;
                    continue;
                }
                at = current.len();
            }
            let carried = current.split_off(at);
            out.push(current.concat());
            current = carried;
            current.push(piece);
            used = current.iter().map(|p| width(p)).sum();
        }
        // A run wider than a whole line is the one thing split: at the width, by character.
        while used > max_ems && current.len() == 1 && current[0].chars().count() > 1 {
            let run = current[0];
            let mut cut = 0;
            let mut w = 0.0;
            for (i, c) in run.char_indices() {
                if w + em_width(c) > max_ems && i > 0 {
                    break;
                }
                w += em_width(c);
                cut = i + c.len_utf8();
            }
            out.push(run[..cut].to_owned());
            current = vec![&run[cut..]];
            used = width(current[0]);
        }
    }
    out.push(current.concat());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Full-width characters one em, the rest half: enough to test the line breaking.
    fn test_width(c: char) -> f32 {
        if c.is_ascii() { 0.5 } else { 1.0 }
    }

    fn wrapped(line: &str, max_ems: f32) -> Vec<String> {
        let lines = wrap(line, max_ems, test_width);
        assert_eq!(lines.concat(), line, "every character kept");
        lines
    }

    #[test]
    fn numbers_with_their_unit_words_and_dates_are_never_split() {
        // (text, width in ems, the run that must stay whole)
        let cases = [
            ("補助対象経費は429,000円です", 9.0, "429,000円"),
            ("上限は1,050,000円で", 6.0, "1,050,000円"),
            ("あいうえおかきくけこingestです", 11.0, "ingest"),
            ("期限はあいうえお2023-09-30まで", 10.0, "2023-09-30"),
            ("電話 092-123-4567 まで", 6.0, "092-123-4567"),
            ("約2,400分（40時間）", 4.0, "2,400分"),
            ("あいうえお42.9万円", 7.0, "42.9万円"),
        ];
        for (text, width, run) in cases {
            let lines = wrapped(text, width);
            assert!(lines.iter().any(|l| l.contains(run)), "{run} is split: {lines:?}");
        }
    }

    #[test]
    fn no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket() {
        let text = "お見積りでは「顔認証付きカードリーダー」（2台）が計上されています。ご確認のうえ、ご対応ください。チェックっぽいショップ";
        for width in 3..=20 {
            let lines = wrapped(text, width as f32);
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    let c = first(l);
                    assert!(!no_start(c), "width {width}: line {i} starts with {c}: {lines:?}");
                }
                assert!(
                    !no_end(last(l)) || i == lines.len() - 1,
                    "width {width}: line {i} ends with an opening: {lines:?}"
                );
            }
        }
    }

    #[test]
    fn a_full_stop_that_does_not_fit_hangs_and_the_next_line_takes_the_rest() {
        let line = "あ".repeat(10) + "。" + &"x".repeat(30);
        let lines = wrapped(&line, 10.0);
        assert_eq!(lines[0], "あ".repeat(10) + "。", "the full stop stays with its sentence");
        assert_eq!(lines[1], "x".repeat(20), "a run longer than a line is split at the width");
    }

    #[test]
    fn a_small_kana_that_does_not_fit_takes_the_character_before_it_along() {
        let lines = wrapped("あいうえかっこ", 5.0);
        assert_eq!(lines, ["あいうえ", "かっこ"]);
    }

    #[test]
    fn an_empty_line_stays_an_empty_line() {
        assert_eq!(wrap("", 10.0, test_width), vec![String::new()]);
    }
}
