//! When a lump sum (一式) hides what it is. 一式 is ordinary Japanese quoting: 「LAN配線工事（外来受付・医事課） 一式」
//! says what the work is and where, 「レセコン改修 1式」 which system is changed. It is opaque only when
//! nothing on the line says what the work consists of — 「システム改修一式」, 「導入作業一式」 — which is
//! how padded quotes hide their amounts.

use crate::classify::normalise;
use crate::quote::{QuoteLine, Unit};
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::LazyLock;

/// Words that name no particular work: a line made only of these (and brackets, 一式) says nothing.
/// A word goes before the shorter words inside it (「オンライン資格確認」 before 「資格確認」, 「諸経費」 before 「経費」).
const GENERIC: [&str; 30] = [
    "オンライン資格確認",
    "資格確認",
    "オン資",
    "システム",
    "パッケージ",
    "ソフトウェア",
    "改修",
    "導入",
    "作業",
    "設定",
    "工事",
    "費用",
    "諸経費",
    "経費",
    "関連",
    "関係",
    "対応",
    "連携",
    "環境",
    "構築",
    "整備",
    "一括",
    "その他",
    "にかかる",
    "に係る",
    "一式",
    "費",
    "式",
    "等",
    "用",
];

/// Systems a line may name. In the description they name the work (「電子カルテ改修」 changes the
/// 電子カルテ); in a 仕様 or 備考 under 「システム改修一式」 they only say which systems are touched,
/// not what is done to them.
const SYSTEMS: [&str; 8] = ["レセコン", "電子カルテ", "医事", "会計", "調剤", "レセプト", "連携", "カルテ"];

/// Characters that carry no words: brackets, punctuation, digits of 「1式」.
fn is_filler(c: char) -> bool {
    c.is_ascii_digit()
        || c.is_ascii_punctuation()
        || "（）「」【】〔〕［］｛｝、。・：；－ー〜～／".contains(c)
        || c == 'の'
}

/// The generic words, and the generic words with the systems, each found in one pass (the longest
/// word wins where two start together): every line of a quote is looked at.
static WORDS: LazyLock<[AhoCorasick; 2]> = LazyLock::new(|| {
    let build = |words: Vec<&str>| {
        #[expect(clippy::expect_used, reason = "fixed words, checked by this module's tests")]
        AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(words).expect("the words build")
    };
    [build(GENERIC.to_vec()), build(SYSTEMS.iter().chain(&GENERIC).copied().collect())]
});

/// Whether anything is left of a text once the generic words (and, for a 仕様 or 備考, the
/// systems) and fillers are taken out.
fn has_specific_words(text: &str, systems_too: bool) -> bool {
    let text = normalise(text);
    let words = &WORDS[usize::from(systems_too)];
    let mut last = 0;
    let mut gaps = Vec::new();
    for m in words.find_iter(&text) {
        gaps.push(&text[last..m.start()]);
        last = m.end();
    }
    gaps.push(&text[last..]);
    gaps.iter().any(|gap| gap.chars().any(|c| !is_filler(c)))
}

/// Whether the line is quoted as a lump sum: 一式 in its description or unit, or per 式.
pub(crate) fn is_lump_sum_line(line: &QuoteLine) -> bool {
    line.description.contains("一式") || matches!(line.unit, Some(Unit::LumpSum | Unit::Set))
}

/// Whether a lump-sum line says what the work is: its description names something beyond
/// generic words, or its spec or note says more than which systems are touched.
pub(crate) fn says_what_it_is(line: &QuoteLine) -> bool {
    has_specific_words(&line.description, false)
        || [line.spec.as_deref(), line.note.as_deref()].into_iter().flatten().any(|t| has_specific_words(t, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::test_line as line;

    #[test]
    fn a_lump_sum_that_names_its_work_is_not_opaque_and_a_bare_one_is() {
        for said in [
            "LAN配線工事（外来受付・医事課）",
            "LAN配線工事",
            "資格確認端末設置・ネットワーク接続設定",
            "電子カルテ改修（薬剤情報・特定健診情報の閲覧）",
            "レセコン改修",
        ] {
            assert!(says_what_it_is(&line(said, Some(Unit::LumpSum), None)), "{said}");
        }
        for bare in
            ["システム改修一式", "導入作業一式", "オンライン資格確認導入関連費用 一式", "工事費", "その他諸経費"]
        {
            assert!(!says_what_it_is(&line(bare, Some(Unit::LumpSum), None)), "{bare}");
        }
        assert!(says_what_it_is(&line("システム改修一式", Some(Unit::LumpSum), Some("受付画面に資格確認結果を表示"))));
        let mut padded = line("システム改修一式", Some(Unit::LumpSum), None);
        padded.spec = Some("電子カルテ・レセコン連携".into());
        assert!(!says_what_it_is(&padded), "naming the systems touched does not say what is done");
    }

    #[test]
    fn lump_sums_are_told_by_their_unit_or_description() {
        assert!(is_lump_sum_line(&line("システム改修一式", None, None)));
        assert!(is_lump_sum_line(&line("作業", Some(Unit::Set), None)));
        assert!(!is_lump_sum_line(&line("作業", Some(Unit::Hour), None)));
    }
}
