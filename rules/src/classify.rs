//! The line classifier: a quote line's words → a cost category, with a confidence.
//!
//! The synonym dictionary is data (`rules/data/categories.json`), so new
//! vendor wording is a data change, not code.

use crate::category::Category;
use crate::money::fold_fullwidth;
use crate::quote::{LineKind, QuoteLine, Unit};
use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DictionaryFile {
    source: String,
    #[expect(dead_code, reason = "documentation inside the data file")]
    note: String,
    categories: Vec<CategoryWords>,
    unit_hints: Vec<UnitHint>,
    work_on_goods: WorkOnGoods,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkOnGoods {
    #[expect(dead_code, reason = "documentation inside the data file")]
    note: String,
    words: Vec<String>,
    goods: std::collections::BTreeMap<Category, Category>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryWords {
    category: Category,
    keywords: Vec<(String, u8)>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitHint {
    unit: String,
    categories: Vec<Category>,
    bonus: u8,
}

/// A line's category and how sure the classifier is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// The category.
    pub category: Category,
    /// 0–100: 80+ a specific word, 50–79 a generic one, below 50 a guess.
    pub confidence: u8,
    /// The word that decided it, for the UI ("「レセコン」に一致").
    pub matched: Option<String>,
}

/// The classifier with its dictionary.
#[derive(Debug, Clone)]
pub struct Classifier {
    /// (normalised keyword, category, weight); the automaton's pattern ids index it.
    words: Vec<(String, Category, u8)>,
    /// Finds every keyword of a line in one pass (a line is read once, not once per keyword).
    automaton: AhoCorasick,
    unit_hints: Vec<(String, Vec<Category>, u8)>,
    /// Words of work (セットアップ, 設置…), normalised, that make a goods line work when they follow
    /// its goods word; found in one pass.
    work_words: AhoCorasick,
    /// The work category of each kind of goods (terminal → setup_labor, router → network_setup).
    work_of_goods: Vec<(Category, Category)>,
    source: String,
}

/// Why a dictionary is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("categories.json: {0}")]
pub struct DictionaryError(pub String);

const BUILTIN: &str = include_str!("../data/categories.json");

static BUILTIN_CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "the embedded dictionary is validated by this module's tests")]
    Classifier::from_json(BUILTIN).expect("rules/data/categories.json is valid")
});

/// Folds full-width letters and digits, drops spaces and lowercases ASCII, so
/// 「ＬＡＮ 工事」 and 「lan工事」 match 「LAN工事」.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().map(fold_fullwidth) {
        if c.is_whitespace() || matches!(c, '・' | '･') {
            continue;
        }
        // Every line of a quote is normalised two or three times: ASCII and the caseless kana and
        // kanji skip the Unicode case tables, which took a fifth of a 10,000-line audit.
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if ('\u{3040}'..='\u{9FFF}').contains(&c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Position of a category in [`Category::ALL`].
fn category_index(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(Category::ALL.len() - 1)
}

fn unit_code(unit: &Unit) -> &'static str {
    match unit {
        Unit::Device => "device",
        Unit::Set => "set",
        Unit::LumpSum => "lump_sum",
        Unit::Hour => "hour",
        Unit::PersonDay => "person_day",
        Unit::Month => "month",
        Unit::Time => "time",
        Unit::Other(_) => "other",
    }
}

impl Classifier {
    /// The dictionary shipped with Onshi.
    pub fn builtin() -> &'static Classifier {
        &BUILTIN_CLASSIFIER
    }

    /// Builds a classifier from a dictionary file.
    pub fn from_json(text: &str) -> Result<Classifier, DictionaryError> {
        let file: DictionaryFile = serde_json::from_str(text).map_err(|e| DictionaryError(e.to_string()))?;
        let mut words = Vec::new();
        for c in &file.categories {
            if c.category == Category::Other {
                return Err(DictionaryError("other is what no keyword matches; it takes no keywords".into()));
            }
            for (word, weight) in &c.keywords {
                if !(1..=10).contains(weight) {
                    return Err(DictionaryError(format!("{word}: weight {weight} is not 1–10")));
                }
                let w = normalise(word);
                if w.is_empty() {
                    return Err(DictionaryError(format!("{}: an empty keyword", c.category)));
                }
                words.push((w, c.category, *weight));
            }
        }
        let automaton =
            AhoCorasick::new(words.iter().map(|(w, _, _)| w.as_str())).map_err(|e| DictionaryError(e.to_string()))?;
        let unit_hints = file.unit_hints.into_iter().map(|h| (h.unit, h.categories, h.bonus)).collect();
        let work_words: Vec<String> = file.work_on_goods.words.iter().map(|w| normalise(w)).collect();
        if work_words.iter().any(String::is_empty) {
            return Err(DictionaryError("work_on_goods: an empty word".into()));
        }
        let work_words = AhoCorasick::new(&work_words).map_err(|e| DictionaryError(e.to_string()))?;
        let work_of_goods = file.work_on_goods.goods.into_iter().collect();
        Ok(Classifier { words, automaton, unit_hints, work_words, work_of_goods, source: file.source })
    }

    /// Where the dictionary's words come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Classifies a line: the best-weighted keyword found in its description
    /// and spec (備考 counts half), helped by its unit; discounts are discounts.
    pub fn classify(&self, line: &QuoteLine) -> Classification {
        if line.kind == LineKind::Discount {
            return Classification { category: Category::Discount, confidence: 100, matched: None };
        }
        let mut main = normalise(&line.description);
        if let Some(spec) = &line.spec {
            main.push_str(&normalise(spec));
        }
        let note = line.note.as_deref().map(normalise).unwrap_or_default();
        // Best (score, word id, where the word ends in the description) per category,
        // indexed like Category::ALL.
        let mut best: [(u8, usize, Option<usize>); Category::ALL.len()] = [(0, usize::MAX, None); Category::ALL.len()];
        // Words of the description and spec count fully, words of the note half.
        let found = self
            .automaton
            .find_overlapping_iter(main.as_str())
            .map(|m| (m.pattern().as_usize(), Some(m.end())))
            .chain(self.automaton.find_overlapping_iter(note.as_str()).map(|m| (m.pattern().as_usize(), None)));
        for (id, end) in found {
            let Some((_, category, weight)) = self.words.get(id) else { continue };
            let score = if end.is_none() { weight / 2 } else { *weight };
            let slot = &mut best[category_index(*category)];
            if score > slot.0 {
                *slot = (score, id, end);
            }
        }
        if let Some(unit) = &line.unit {
            let code = unit_code(unit);
            for (hint_unit, categories, bonus) in &self.unit_hints {
                if hint_unit == code {
                    for c in categories {
                        let slot = &mut best[category_index(*c)];
                        if slot.0 > 0 {
                            slot.0 = slot.0.saturating_add(*bonus);
                        }
                    }
                }
            }
        }
        let mut scores: Vec<(Category, u8, &str)> = Category::ALL
            .iter()
            .zip(best)
            .filter(|(_, (score, _, _))| *score > 0)
            .filter_map(|(c, (score, id, _))| self.words.get(id).map(|(w, _, _)| (*c, score, w.as_str())))
            .collect();
        scores.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(category, top, word)) = scores.first() else {
            return Classification { category: Category::Other, confidence: 0, matched: None };
        };
        if let Some(work) = self.work_on(category, best[category_index(category)].2, &main) {
            return work;
        }
        let best = top;
        let mut confidence = best.min(10) * 10;
        if let Some(&(_, second, _)) = scores.get(1) {
            // A close runner-up makes the choice less certain.
            if second + 1 >= best {
                confidence = confidence.saturating_sub(20);
            }
        }
        Classification { category, confidence, matched: Some(word.to_owned()) }
    }

    /// Work on goods: a work word after the goods word that won (「資格確認端末セットアップ」) makes
    /// the line the goods' work category.
    fn work_on(&self, goods: Category, goods_end: Option<usize>, main: &str) -> Option<Classification> {
        let (_, work) = self.work_of_goods.iter().find(|(g, _)| *g == goods)?;
        let after = main.get(goods_end?..)?;
        // 「設定済み」 describes the goods as delivered, not work charged.
        let found = self.work_words.find_overlapping_iter(after).find(|m| !after[m.end()..].starts_with('済'))?;
        let word = &after[found.start()..found.end()];
        Some(Classification {
            category: *work,
            confidence: 70,
            matched: Some(format!("{}…{word}", &main[..goods_end?])),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::test_line as line;

    #[test]
    fn normalising_skips_the_case_tables_without_changing_the_result() {
        let by_definition = |text: &str| -> String {
            text.chars()
                .map(fold_fullwidth)
                .filter(|c| !c.is_whitespace() && !matches!(c, '・' | '･'))
                .flat_map(char::to_lowercase)
                .collect()
        };
        for text in [
            "ＬＡＮ 工事・設定",
            "VPN Router（ＹＡＭＡＨＡ）",
            "資格確認端末\u{3000}セットアップ\t3 時間",
            "ΑΒΓ Straße İstanbul ÀÉÎ",
            "ｶｰﾄﾞﾘｰﾀﾞｰ ･ 設置",
            "①②③ Ⅻ ㈱ ㍻ 〒",
            "\u{0B}\u{0C}\u{85}\u{A0}\u{2028}",
        ] {
            assert_eq!(normalise(text), by_definition(text), "{text:?}");
        }
        // The range taken as caseless is: no character of it has another lower case.
        for c in ('\u{3040}'..='\u{9FFF}').filter(|c| !c.is_whitespace()) {
            assert!(c.to_lowercase().eq(std::iter::once(c)), "{c:?}");
        }
    }

    fn category_of(description: &str) -> Category {
        Classifier::builtin().classify(&line(description, None, None)).category
    }

    #[test]
    fn typical_quote_lines_of_the_seeds_get_their_categories() {
        use Category::*;
        let cases = [
            ("資格確認端末", Terminal),
            ("オンライン資格確認用パソコン（Windows11 Pro）", Terminal),
            ("顔認証付きカードリーダー", CardReader),
            ("汎用カードリーダー", GenericReader),
            ("資格確認アプリケーション", AppSoftware),
            ("ネットワーク設定作業", NetworkSetup),
            ("VPNルーター", Router),
            ("電子証明書", Certificate),
            ("ＬＡＮ工事", LanWiring),
            ("レセコン改修", ReceiptSystem),
            ("システム改修一式", ReceiptSystem),
            ("電子カルテ改修（薬剤情報・特定健診情報閲覧）", Emr),
            ("導入作業・設定", SetupLabor),
            ("操作説明", Training),
            ("保守（月額）", Maintenance),
            ("光回線使用料", LineFee),
            ("出張費", Travel),
            ("出精値引", Discount),
            ("謎の項目", Other),
        ];
        for (text, expected) in cases {
            assert_eq!(category_of(text), expected, "{text}");
        }
    }

    #[test]
    fn work_on_a_piece_of_equipment_is_work_and_equipment_made_ready_stays_equipment() {
        use Category::*;
        for (text, expected) in [
            ("資格確認端末セットアップ", SetupLabor),
            ("顔認証付きカードリーダー設置作業", SetupLabor),
            ("資格確認アプリ インストール", SetupLabor),
            ("VPNルーター設定", NetworkSetup),
            ("電子証明書 取得・設定", SetupLabor),
            ("設定済みPC（資格確認端末）", Terminal),
            ("キッティング済みノートPC", Terminal),
            ("VPNルーター（設定済み）", Router),
            ("資格確認端末", Terminal),
            ("ネットワーク設定作業", NetworkSetup),
        ] {
            assert_eq!(category_of(text), expected, "{text}");
        }
    }

    #[test]
    fn a_monthly_unit_tips_an_ambiguous_line_towards_running_costs() {
        let c = Classifier::builtin().classify(&line("サポート", Some(Unit::Month), None));
        assert_eq!(c.category, Category::Maintenance);
    }

    #[test]
    fn maintenance_mentioned_only_in_the_note_does_not_win_over_the_description() {
        let c = Classifier::builtin().classify(&line("資格確認端末", Some(Unit::Device), Some("保守は別途")));
        assert_eq!(c.category, Category::Terminal);
    }

    #[test]
    fn a_specific_word_is_more_certain_than_a_generic_one() {
        let specific = Classifier::builtin().classify(&line("顔認証付きカードリーダー", None, None));
        let generic = Classifier::builtin().classify(&line("本体", None, None));
        assert!(specific.confidence >= 80, "{specific:?}");
        assert!(generic.confidence < 50, "{generic:?}");
        assert_eq!(Classifier::builtin().classify(&line("？？", None, None)).confidence, 0);
    }

    #[test]
    fn a_dictionary_with_a_bad_weight_is_refused() {
        let bad = r#"{"source":"x","note":"x","categories":[{"category":"terminal","keywords":[["PC",11]]}],"unit_hints":[],"work_on_goods":{"note":"","words":[],"goods":{}}}"#;
        assert!(Classifier::from_json(bad).unwrap_err().to_string().contains("PC"));
    }
}
