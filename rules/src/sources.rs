//! The register of public sources (`seed/sources.json`) and the reading of the rules' source notes
//! into what a person reads as 出典: the short form of a public document, never a file of the
//! repository or an English note for developers.
//!
//! Notes in constants and seed data name the copies kept in the repository (`seeds/002_….txt —
//! slide 「…」`), the other documents by the names people use (中医協, 保団連 …) or Onshi's own
//! figures. [`resolve`] maps each to its register entry and keeps only the Japanese quotations of
//! the document as detail.

use serde::Deserialize;
use std::sync::OnceLock;

const REGISTER_JSON: &str = include_str!("../../seed/sources.json");

/// How far a source can be relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reliability {
    /// A ministry, council or government document.
    Official,
    /// An association's document (often relaying the ministry).
    OfficialAssociation,
    /// A press report of an official document.
    Press,
    /// A blog or similar: background only, never cited to users.
    Weak,
    /// Onshi's own figures.
    Onshi,
}

impl Reliability {
    /// As people read it on the register page.
    pub fn label_ja(self) -> &'static str {
        match self {
            Reliability::Official => "公的資料",
            Reliability::OfficialAssociation => "団体資料",
            Reliability::Press => "報道",
            Reliability::Weak => "参考（未確認の二次情報）",
            Reliability::Onshi => "Onshi の目安（公的な基準額ではありません）",
        }
    }
}

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    key: String,
    /// The repository's copy of the document (`seeds/003`), for developers only.
    copy: Option<String>,
    issuer: String,
    title: String,
    date: Option<String>,
    number: Option<String>,
    url: Option<String>,
    reliability: Reliability,
    short_form: String,
    /// Names the notes use for this document.
    recognised_by: Vec<String>,
    #[serde(default)]
    explanation: Option<String>,
}

impl Source {
    /// Stable key.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// Who published it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// Its title.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// ISO date as precise as known: `2022-05-25`, `2022-05` or `2022`.
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }
    /// The document's number, where it has one.
    pub fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }
    /// Where anyone can read it, where known.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
    /// How far it can be relied on.
    pub fn reliability(&self) -> Reliability {
        self.reliability
    }
    /// How pages and documents cite it.
    pub fn short_form(&self) -> &str {
        &self.short_form
    }
    /// What the entry rests on, in plain Japanese (Onshi's own figures).
    pub fn explanation(&self) -> Option<&str> {
        self.explanation.as_deref()
    }
    /// Whether people may read it as 出典 (the weak source is background only).
    pub fn citable(&self) -> bool {
        self.reliability != Reliability::Weak
    }
    /// The date as people read it: 「令和4年5月25日（2022-05-25）」, 「令和4年5月（2022年5月）」.
    pub fn date_ja(&self) -> Option<String> {
        self.date.as_deref().map(date_ja)
    }
}

/// An ISO date of any precision in 和暦 with the western date; other text unchanged.
pub fn date_ja(iso: &str) -> String {
    let mut parts = iso.split('-').map(str::parse::<u32>);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(Ok(_)), Some(Ok(_)), Some(Ok(_))) => crate::wareki::format_stored_day(iso),
        (Some(Ok(year)), Some(Ok(month)), None) => format!("{}{month}月（{year}年{month}月）", era_year(year)),
        (Some(Ok(year)), None, None) => format!("{}（{year}年）", era_year(year)),
        _ => iso.to_owned(),
    }
}

fn era_year(year: u32) -> String {
    match year {
        2020.. => format!("令和{}年", year - 2018),
        1989..=2018 => format!("平成{}年", year - 1988),
        _ => format!("{year}年"),
    }
}

/// Every entry, in the register's order; parsed once.
pub fn register() -> &'static [Source] {
    static REGISTER: OnceLock<Vec<Source>> = OnceLock::new();
    // The register is compiled in; a test proves it parses, so an empty list here cannot ship.
    REGISTER.get_or_init(|| serde_json::from_str(REGISTER_JSON).unwrap_or_default())
}

/// The entry of a key.
pub fn by_key(key: &str) -> Option<&'static Source> {
    register().iter().find(|s| s.key == key)
}

/// Onshi's own figures: 「Onshi の目安」.
pub fn onshi_guideline() -> Option<&'static Source> {
    register().iter().find(|s| s.reliability == Reliability::Onshi)
}

/// A note read against the register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Citation {
    /// Each document the note names, with the Japanese detail kept (may be empty), in order.
    pub parts: Vec<(&'static Source, String)>,
}

impl Citation {
    /// The entries the note resolves to, weak ones included, without repeats.
    pub fn sources(&self) -> Vec<&'static Source> {
        let mut out: Vec<&'static Source> = Vec::new();
        for (s, _) in &self.parts {
            if !out.iter().any(|o| o.key == s.key) {
                out.push(s);
            }
        }
        out
    }

    /// What people read, piece by piece: each citable document with the text that follows its
    /// short form (`（補助内容の表）`, ` スライド「…」` or nothing), repeats left out.
    pub fn shown(&self) -> Vec<(&'static Source, String)> {
        let mut shown: Vec<(&'static Source, String)> = Vec::new();
        for (source, detail) in self.parts.iter().filter(|(s, _)| s.citable()) {
            let after = match detail.as_str() {
                "" => String::new(),
                d if d.starts_with('（') => d.to_owned(),
                d => format!(" {d}"),
            };
            if !shown.iter().any(|(s, a)| s.key == source.key && *a == after) {
                shown.push((source, after));
            }
        }
        shown
    }

    /// What people read: each citable document in its short form with its detail, joined by
    /// 「／」; None when nothing citable is left.
    pub fn text(&self) -> Option<String> {
        let shown: Vec<String> =
            self.shown().into_iter().map(|(s, after)| format!("{}{after}", s.short_form)).collect();
        (!shown.is_empty()).then(|| shown.join("／"))
    }
}

/// Reads a source note: every document it names, by the copy's file name (`seeds/002…`) or by
/// the names people use; developer notes (`domain.md`, English words) are left out.
pub fn resolve(note: &str) -> Citation {
    let mut parts = Vec::new();
    for part in split_top_level(note, &[';', '；']) {
        resolve_part(part, &mut parts);
    }
    Citation { parts }
}

fn resolve_part(part: &str, out: &mut Vec<(&'static Source, String)>) {
    let mentions = copy_mentions(part);
    let head = &part[..mentions.first().map_or(part.len(), |m| m.0)];
    if let Some(named) = named_document(head) {
        // A document named by its name: its short form says all people need.
        out.push((named, String::new()));
    }
    for (i, &(_, source, detail_start)) in mentions.iter().enumerate() {
        let end = mentions.get(i + 1).map_or(part.len(), |m| m.0);
        out.push((source, detail(&part[detail_start..end])));
    }
}

/// The document a piece of text names by one of the names in the register, earliest first.
fn named_document(text: &str) -> Option<&'static Source> {
    let lower = &text.to_ascii_lowercase();
    register()
        .iter()
        .flat_map(|s| {
            s.recognised_by.iter().filter_map(move |name| lower.find(&name.to_ascii_lowercase()).map(|at| (at, s)))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, s)| s)
}

/// Each `seeds/00N[_hash.txt]` outside brackets: (where it starts, its entry, where its detail starts).
fn copy_mentions(part: &str) -> Vec<(usize, &'static Source, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (at, c) in part.char_indices() {
        if OPENERS.contains(&c) {
            depth += 1;
        } else if CLOSERS.contains(&c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && part[at..].starts_with("seeds/") {
            let copy = part.get(at..at + "seeds/000".len()).unwrap_or_default();
            if let Some(source) = register().iter().find(|s| s.copy.as_deref() == Some(copy)) {
                let rest = &part[at + copy.len()..];
                let file_len =
                    rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')).unwrap_or(rest.len());
                out.push((at, source, at + copy.len() + file_len));
            }
        }
    }
    out
}

const OPENERS: [char; 6] = ['「', '（', '【', '(', '『', '［'];
const CLOSERS: [char; 6] = ['」', '）', '】', ')', '』', '］'];

fn split_top_level<'a>(text: &'a str, separators: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let (mut depth, mut from) = (0usize, 0usize);
    for (at, c) in text.char_indices() {
        if OPENERS.contains(&c) {
            depth += 1;
        } else if CLOSERS.contains(&c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && separators.contains(&c) {
            out.push(&text[from..at]);
            from = at + c.len_utf8();
        }
    }
    out.push(&text[from..]);
    out.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// English words of the notes that say where in the document a figure stands, in Japanese.
const PLACE_WORDS: [(&str, &str); 14] = [
    ("slide", "スライド"),
    ("slides", "スライド"),
    ("table", "表"),
    ("tables", "表"),
    ("row", "行"),
    ("rows", "行"),
    ("line", "行"),
    ("lines", "行"),
    ("column", "列"),
    ("columns", "列"),
    ("schedule", "日程"),
    ("header", "見出し"),
    ("note", "注"),
    ("page", "ページ"),
];

enum Token<'a> {
    Group { open: char, inner: &'a str, close: char },
    Word(&'a str),
    Separator,
    Text(&'a str),
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(kind) = OPENERS.iter().position(|o| *o == c) {
            let (open, close) = (c, CLOSERS[kind]);
            let mut depth = 0usize;
            let mut end = rest.len();
            for (at, ch) in rest.char_indices() {
                if ch == open {
                    depth += 1;
                } else if ch == close {
                    depth -= 1;
                    if depth == 0 {
                        end = at;
                        break;
                    }
                }
            }
            out.push(Token::Group { open, inner: &rest[open.len_utf8()..end], close });
            rest = rest.get(end + close.len_utf8()..).unwrap_or_default();
        } else if c.is_ascii_alphabetic() {
            let end =
                rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || "_.-'/=".contains(ch))).unwrap_or(rest.len());
            out.push(Token::Word(&rest[..end]));
            rest = &rest[end..];
        } else if ",;—–".contains(c) {
            out.push(Token::Separator);
            rest = &rest[c.len_utf8()..];
        } else {
            let end = rest
                .find(|ch: char| OPENERS.contains(&ch) || ch.is_ascii_alphabetic() || ",;—–".contains(ch))
                .unwrap_or(rest.len());
            let end = if end == 0 { c.len_utf8() } else { end };
            out.push(Token::Text(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out
}

/// The detail of a copy's mention as people read it: quotations of the document and Japanese
/// words kept, the English words that say where they stand turned into Japanese, the rest left out.
fn detail(text: &str) -> String {
    detail_pieces(text).join("、")
}

fn detail_pieces(text: &str) -> Vec<String> {
    let (mut pieces, mut current, mut place): (Vec<String>, String, Option<&str>) = (Vec::new(), String::new(), None);
    let japanese = |t: &str| !t.is_ascii();
    for token in tokens(text) {
        match token {
            Token::Word(word) if !["and", "or", "incl."].contains(&word) => {
                place = PLACE_WORDS.iter().find(|(en, _)| word.eq_ignore_ascii_case(en)).map(|(_, ja)| *ja);
            }
            Token::Word(_) | Token::Separator => {
                if !current.trim().is_empty() {
                    pieces.push(current.trim().to_owned());
                }
                current.clear();
                place = None;
            }
            Token::Group { open: open @ ('「' | '【' | '『' | '［'), inner, close } => {
                current.push_str(place.take().unwrap_or_default());
                current.push(open);
                current.push_str(inner);
                current.push(close);
            }
            Token::Group { inner, .. } => {
                let inner = detail_pieces(inner).join("、");
                if !inner.is_empty() {
                    current.push_str(place.take().unwrap_or_default());
                    current.push_str(&format!("（{inner}）"));
                }
            }
            Token::Text(t) if japanese(t) => {
                let t = t.trim().replace(": ", "：").replace(':', "：");
                match place.take() {
                    Some(ja) => current.push_str(&format!("{ja}「{t}」")),
                    None => current.push_str(&t),
                }
            }
            Token::Text(_) => {}
        }
    }
    if !current.trim().is_empty() {
        pieces.push(current.trim().to_owned());
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_parses_and_holds_every_document_of_the_sources_list() {
        assert!(register().len() >= 15, "{}", register().len());
        for copy in ["seeds/000", "seeds/001", "seeds/002", "seeds/003", "seeds/004"] {
            assert!(register().iter().any(|s| s.copy.as_deref() == Some(copy)), "{copy}");
        }
        for s in register() {
            assert!(!s.short_form.is_empty() && !s.issuer.is_empty() && !s.title.is_empty(), "{}", s.key);
            assert!(s.date_ja().is_none_or(|d| d.starts_with("令和")), "{}", s.key);
        }
        assert_eq!(onshi_guideline().unwrap().short_form(), "Onshi の目安");
        assert!(onshi_guideline().unwrap().explanation().unwrap().contains("27.8万〜70.2万円"));
    }

    #[test]
    fn dates_read_in_the_japanese_era_with_the_western_date() {
        assert_eq!(date_ja("2022-05-25"), "令和4年5月25日（2022-05-25）");
        assert_eq!(date_ja("2021-03"), "令和3年3月（2021年3月）");
        assert_eq!(date_ja("2022"), "令和4年（2022年）");
    }

    #[test]
    fn a_copy_with_slide_and_table_reads_as_the_document_with_japanese_places() {
        let c = resolve(
            "seeds/002_5f7084ac66d79285.txt — slide 「現地作業効率化に向けた各社の取り組み」, table 「■現地作業毎の所用時間」, column 訪問回数",
        );
        assert_eq!(
            c.text().unwrap(),
            "厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月） スライド「現地作業効率化に向けた各社の取り組み」、表「■現地作業毎の所用時間」、列「訪問回数」"
        );
        assert_eq!(c.sources()[0].key(), "mhlw_progress_2022_05");
    }

    #[test]
    fn named_documents_resolve_and_developer_notes_and_the_weak_source_are_left_out() {
        let c =
            resolve("中医協 2022-08-10 報告; 日本医事新報 jmedj.co.jp 記事 id=20211; seeds/004_a9677b5c1fb6a8f2.txt");
        assert_eq!(
            c.text().unwrap(),
            "中医協 総会（令和4年8月10日）資料／日本医事新報／福岡県医師会「オンライン資格確認システム導入支援基礎セミナー」（令和5年2月6日）"
        );
        assert_eq!(resolve("domain.md（千円未満切り捨て）").text(), None);
        let weak = resolve("seeds/000_d1460235a42f43a9.txt（保守費用）");
        assert_eq!((weak.text(), weak.sources().len()), (None, 1));
        assert_eq!(
            resolve("domain.md（The real subsidy application: 精算払い; ポータルサイトFAQ）").text().unwrap(),
            "医療機関等向け総合ポータルサイト FAQ"
        );
    }
}
