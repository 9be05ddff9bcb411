//! Names people can print: facility, corporation, person and vendor names parsed at the edge
//! into text that the PDF font and a Shift_JIS (CP932) CSV both show as typed.
//!
//! What a name may hold, and why:
//! - **Trimmed** (ASCII and full-width spaces): a space before or after a name is never meant.
//!   Spaces inside stay as typed: 「山田　太郎」 separates 氏 and 名.
//! - **No general NFC/NFKC normalisation.** NFKC would turn ① into 1, ㈱ into (株), 髙 stays but
//!   full-width Ａ１ becomes A1 and ～ becomes ~; NFC itself maps CJK compatibility ideographs
//!   such as 神 (U+FA19) or 塚 (U+FA10), which CP932 has as name variants, to their unified
//!   forms. A name is written the way its owner registered it, so what was typed is kept, with
//!   two exceptions that change no glyph a person chose:
//!   - half-width katakana (ｶﾌﾞｼｷｶﾞｲｼｬ) become full-width (カブシキガイシャ), their ﾞ and ﾟ
//!     joined to the kana before them: half-width kana are legal in CP932 but the 厚生局's lists
//!     and printed forms write names in full-width, and a half-width name sorts and searches
//!     apart from the same name typed in full-width;
//!   - a kana followed by a combining voiced mark (U+3099, U+309A — how macOS file names and
//!     some PDFs carry が) becomes the precomposed kana.
//!
//!   Full-width alphanumerics (ＡＢＣクリニック) are kept as typed: CP932 and the font show
//!   both widths, and which one the 開設者 registered is theirs to choose.
//! - **No control characters** (line breaks, tabs): a name is one line on a form.
//! - **Only characters CP932 can encode and read back**, counting the characters that JIS and
//!   CP932 code differently (〜 U+301C and ～ U+FF5E, − U+2212 and － U+FF0D, see
//!   [`cp932_twin`]) as the CP932 one the CSV writes. That covers JIS X 0208, the NEC special
//!   characters (①, ㈱, ㍻) and the NEC- and IBM-selected extension kanji (髙, 﨑). It leaves
//!   out emoji, JIS X 0213-only kanji (𠮷), accented Latin (é), private-use 外字 and
//!   everything invisible. The PDF font (IPAex Gothic) shows every such character except the
//!   ones in [`NOT_IN_FONT`]; a server test loads the font and checks that list against its
//!   cmap, so this pure crate needs no font.
//! - **A maximum length per kind of name** ([`NameKind::max_chars`]), counted in characters
//!   after the changes above.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which name a field holds: it sets the label in messages and the maximum length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// 医療機関名 (a clinic, hospital or pharmacy).
    Facility,
    /// 法人名 (the 開設者 corporation).
    Corporation,
    /// 氏名 (a user's display name, a person in charge).
    Person,
    /// 事業者名 (the vendor that quotes).
    Vendor,
}

impl NameKind {
    /// The field's name in messages.
    pub fn label(self) -> &'static str {
        match self {
            NameKind::Facility => "医療機関名",
            NameKind::Corporation => "法人名",
            NameKind::Person => "氏名",
            NameKind::Vendor => "事業者名",
        }
    }

    /// The longest name accepted, in characters.
    ///
    /// Onshi's own limits (no public form states one), chosen to hold every real name with room
    /// and to stay printable on one or two lines of the A4 documents:
    /// - facility 100: the names on the 地方厚生局's 「コード内容別医療機関一覧表」 run to
    ///   about 40 characters at the longest (「独立行政法人国立病院機構…医療センター」 style
    ///   names with a 附属 or 分院 part); 100 is two and a half times that and two lines of the
    ///   交付申請書's name box.
    /// - corporation 100: 「社会福祉法人恩賜財団済生会…」 or 「医療法人社団…会」 names on the same lists
    ///   and in the 法人番号公表サイト stay well inside it.
    /// - vendor 80: the longest 商号 among the vendors of the published list
    ///   (`seed/vendors.json`) is under 40 characters; 80 leaves room for a 支店 or 営業所.
    /// - person 40: 氏 and 名 with a space, or a long foreign name in katakana; the 交付申請書's
    ///   代表者氏名 and the letter's 担当者 take one line.
    pub fn max_chars(self) -> usize {
        match self {
            NameKind::Facility | NameKind::Corporation => 100,
            NameKind::Vendor => 80,
            NameKind::Person => 40,
        }
    }
}

/// A name that passed every check of this module; only [`PrintableName::parse`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PrintableName(String);

impl PrintableName {
    /// Parses a name as typed: trims it, turns half-width katakana into full-width, and refuses
    /// an empty name, a control character, a character the PDF or a CP932 CSV cannot show, or a
    /// name longer than `kind` allows. The first character to replace and the length are both
    /// reported ([`InvalidName::Several`]), so one round of corrections is enough.
    pub fn parse(input: &str, kind: NameKind) -> Result<PrintableName, InvalidName> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidName::Empty { label: kind.label() });
        }
        let name = to_full_width_kana(trimmed);
        let chars = name.chars().count();
        let too_long = (chars > kind.max_chars()).then(|| InvalidName::TooLong {
            label: kind.label(),
            max: kind.max_chars(),
            actual: chars,
        });
        match (first_unprintable(trimmed, &name, kind), too_long) {
            (None, None) => Ok(PrintableName(name)),
            (Some(one), None) | (None, Some(one)) => Err(one),
            (Some(character), Some(length)) => Err(InvalidName::Several(vec![character, length])),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The first character of a name that cannot be printed: checked in the trimmed text as
/// typed, where positions match what the person sees in the field (half-width kana count as
/// typed), then in the joined text for a voiced mark that joined no kana.
fn first_unprintable(trimmed: &str, joined: &str, kind: NameKind) -> Option<InvalidName> {
    for (i, c) in trimmed.chars().enumerate() {
        let position = i + 1;
        if c.is_control() {
            return Some(InvalidName::Control { label: kind.label(), shown: invisible_name(c), position });
        }
        if !is_printable(c) && !is_half_width_kana(c) && !is_combining_voiced_mark(c) {
            let shown = if is_invisible(c) { invisible_name(c) } else { c.to_string() };
            return Some(InvalidName::Unprintable { shown, position });
        }
    }
    let (i, c) = joined.chars().enumerate().find(|(_, c)| !is_printable(*c))?;
    Some(InvalidName::Unprintable { shown: invisible_name(c), position: i + 1 })
}

impl fmt::Display for PrintableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PrintableName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why a name cannot be printed; each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    /// Nothing but spaces.
    #[error("{label}を入力してください")]
    Empty {
        /// The field's name.
        label: &'static str,
    },
    /// Longer than the kind of name allows.
    #[error("{label}は{max}文字以内で入力してください（現在{actual}文字）")]
    TooLong {
        /// The field's name.
        label: &'static str,
        /// The limit.
        max: usize,
        /// The name's length in characters.
        actual: usize,
    },
    /// A line break, tab or other control character.
    #[error("{position}文字目に{shown}が入っています。{label}は改行やタブを含めず1行で入力してください")]
    Control {
        /// The field's name.
        label: &'static str,
        /// The character described in words (改行, タブ, U+0007).
        shown: String,
        /// 1-based position in the trimmed text as typed.
        position: usize,
    },
    /// A character to replace and a length to shorten, both at once.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("。"))]
    Several(Vec<InvalidName>),
    /// A character the PDF font or CP932 cannot show.
    #[error("『{shown}』（{position}文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください")]
    Unprintable {
        /// The character, or its description when it is invisible.
        shown: String,
        /// 1-based position in the trimmed text as typed.
        position: usize,
    },
}

/// Characters CP932 encodes that IPAex Gothic has no glyph for; refused because the PDF would
/// show an empty box. Kept equal to what the font lacks by the server's font test
/// (`every_character_cp932_encodes_is_in_the_font_or_refused_by_the_name_rule`): of the 7,484
/// characters CP932 decodes to, only ∑ (U+2211 N-ARY SUMMATION, NEC row 13, `0x8794`) is missing
/// — the font has Σ (Greek capital sigma) for the same look.
pub const NOT_IN_FONT: &[char] = &['\u{2211}'];

/// Whether `c` shows in the PDF and in a CP932 CSV.
pub fn is_printable(c: char) -> bool {
    !c.is_control() && encodes_in_cp932(c) && !NOT_IN_FONT.contains(&c)
}

/// Whether CP932 has `c` (or its [`cp932_twin`]) and reads it back as the same character.
/// A round trip, not only an encoding: the WHATWG encoder writes ¥ (U+00A5) as the byte of
/// `\`, which Excel shows as a backslash or a yen sign depending on the font.
pub fn encodes_in_cp932(c: char) -> bool {
    let twin = cp932_twin(c);
    let mut utf8 = [0; 4];
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(twin.encode_utf8(&mut utf8));
    if unmappable {
        return false;
    }
    let (back, malformed) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
    !malformed && back.chars().eq([twin])
}

/// Characters that JIS X 0208 and CP932 map to different code points: text typed on a Mac or
/// copied from a PDF has the JIS one (〜 U+301C), Windows has the CP932 one (～ U+FF5E) for the
/// same glyph. The WHATWG Shift_JIS encoder (encoding_rs) knows only the CP932 side, so the JIS
/// side is moved across first, as Microsoft's own converters do. (Source: the Unicode
/// consortium's JIS0208.TXT and Microsoft's CP932.TXT mappings.)
pub fn cp932_twin(c: char) -> char {
    match c {
        '\u{301C}' => '\u{FF5E}', // 〜 WAVE DASH → ～ FULLWIDTH TILDE
        '\u{2016}' => '\u{2225}', // ‖ DOUBLE VERTICAL LINE → ∥ PARALLEL TO
        '\u{2014}' => '\u{2015}', // — EM DASH → ― HORIZONTAL BAR
        '\u{2212}' => '\u{FF0D}', // − MINUS SIGN → － FULLWIDTH HYPHEN-MINUS
        '\u{00A2}' => '\u{FFE0}', // ¢ → ￠
        '\u{00A3}' => '\u{FFE1}', // £ → ￡
        '\u{00AC}' => '\u{FFE2}', // ¬ → ￢
        '\u{00A6}' => '\u{FFE4}', // ¦ → ￤
        other => other,
    }
}

/// Half-width katakana and punctuation (U+FF61–U+FF9F) in code-point order, and their
/// full-width forms at the same positions (the compatibility mappings of UnicodeData.txt).
const HALF_WIDTH: &str = "｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ";
const FULL_WIDTH: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

fn is_half_width_kana(c: char) -> bool {
    ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

/// U+3099 and U+309A, the combining voiced and semi-voiced sound marks.
fn is_combining_voiced_mark(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309A}')
}

/// Half-width katakana made full-width and voiced marks joined to the kana before them.
fn to_full_width_kana(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let full = HALF_WIDTH.chars().position(|h| h == c).and_then(|i| FULL_WIDTH.chars().nth(i)).unwrap_or(c);
        let voiced = matches!(full, '゛' | '\u{3099}');
        let semi = matches!(full, '゜' | '\u{309A}');
        let joined = match out.chars().last() {
            Some(prev) if voiced || semi => with_sound_mark(prev, semi),
            _ => None,
        };
        match joined {
            Some(j) => {
                out.pop();
                out.push(j);
            }
            None => out.push(full),
        }
    }
    out
}

/// The kana `base` with a voiced (が) or semi-voiced (ぱ) mark, if there is one.
fn with_sound_mark(base: char, semi: bool) -> Option<char> {
    // In both kana blocks the voiced form follows its base (カ ガ), and for the は row the
    // semi-voiced one follows that (ハ バ パ).
    const VOICEABLE: &str = "かきくけこさしすせそたちつてとはひふへほカキクケコサシスセソタチツテトハヒフヘホ";
    const SEMI_VOICEABLE: &str = "はひふへほハヒフヘホ";
    let offset = match (semi, base) {
        (false, 'ウ') => return Some('ヴ'),
        (false, b) if VOICEABLE.contains(b) => 1,
        (true, b) if SEMI_VOICEABLE.contains(b) => 2,
        _ => return None,
    };
    char::from_u32(u32::from(base) + offset)
}

/// Characters a person cannot see in a message: format characters, combining marks, spaces
/// other than the two ordinary ones.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{3099}' | '\u{309A}' | '\u{00AD}' | '\u{2000}'..='\u{200F}'
        | '\u{2028}'..='\u{202F}' | '\u{205F}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{E0000}'..='\u{E01EF}' | '\u{00A0}')
}

/// An invisible character described in words.
fn invisible_name(c: char) -> String {
    match c {
        '\n' | '\r' => "改行".into(),
        '\t' => "タブ".into(),
        '\u{3099}' | '\u{309A}' => format!("結合用の濁点・半濁点（U+{:04X}）", u32::from(c)),
        c if c.is_control() => format!("制御文字（U+{:04X}）", u32::from(c)),
        c if is_invisible(c) => format!("見えない文字（U+{:04X}）", u32::from(c)),
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facility(s: &str) -> Result<String, String> {
        PrintableName::parse(s, NameKind::Facility).map(PrintableName::into_string).map_err(|e| e.to_string())
    }

    #[test]
    fn a_name_is_trimmed_and_otherwise_kept_as_typed() {
        assert_eq!(facility("　 山田内科クリニック \u{3000}"), Ok("山田内科クリニック".into()));
        assert_eq!(facility("ＡＢＣ歯科　第２診療所"), Ok("ＡＢＣ歯科　第２診療所".into()));
        assert_eq!(facility("ABC Dental"), Ok("ABC Dental".into()));
    }

    #[test]
    fn the_emoji_name_of_the_report_is_refused_naming_the_character_and_its_position() {
        let name = format!("さくら内科クリニック😀{}", "あ".repeat(401));
        assert_eq!(name.chars().count(), 412);
        assert_eq!(
            facility(&name),
            Err("『😀』（11文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください。医療機関名は100文字以内で入力してください（現在412文字）".into())
        );
        assert_eq!(
            facility("さくら内科クリニック😀"),
            Err("『😀』（11文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください".into())
        );
        let long = "あ".repeat(412);
        assert_eq!(facility(&long), Err("医療機関名は100文字以内で入力してください（現在412文字）".into()));
    }

    #[test]
    fn the_maximum_is_accepted_and_one_more_is_refused_for_every_kind() {
        for (kind, max) in
            [(NameKind::Facility, 100), (NameKind::Corporation, 100), (NameKind::Vendor, 80), (NameKind::Person, 40)]
        {
            assert_eq!(kind.max_chars(), max);
            assert!(PrintableName::parse(&"髙".repeat(max), kind).is_ok(), "{kind:?}");
            let err = PrintableName::parse(&"髙".repeat(max + 1), kind).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("{}は{max}文字以内で入力してください（現在{}文字）", kind.label(), max + 1)
            );
        }
    }

    #[test]
    fn half_width_katakana_becomes_full_width_with_its_sound_marks_joined() {
        assert_eq!(facility("ｶﾌﾞｼｷｶﾞｲｼｬ ﾊﾟﾝﾀﾞ薬局"), Ok("カブシキガイシャ パンダ薬局".into()));
        assert_eq!(facility("ｳﾞｨｰﾅｽ｢ｺﾞﾎﾟ｣"), Ok("ヴィーナス「ゴポ」".into()));
        // The length counts the joined kana: 100 voiced half-width pairs are 100 characters.
        assert!(facility(&"ｶﾞ".repeat(100)).is_ok());
        // A mark that joins nothing stays a visible full-width mark.
        assert_eq!(facility("ﾞ内科"), Ok("゛内科".into()));
    }

    #[test]
    fn combining_sound_marks_from_a_mac_join_their_kana() {
        assert_eq!(facility("か\u{3099}くえん ハ\u{309A}ーク"), Ok("がくえん パーク".into()));
        assert_eq!(
            facility("内\u{3099}科"),
            Err("『結合用の濁点・半濁点（U+3099）』（2文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください".into())
        );
    }

    #[test]
    fn the_variant_characters_people_type_in_names_are_accepted() {
        for name in
            ["髙橋医院", "山﨑歯科", "①号館クリニック", "㈱メディカル", "9時～17時", "9時〜17時", "A−1", "ケアー"]
        {
            assert_eq!(facility(name), Ok(name.into()), "{name}");
        }
        // The NEC and IBM extension kanji of CP932 used in names.
        for name in ["德永", "\u{F9DC}", "\u{FA10}田", "\u{FA19}谷", "纊"] {
            assert!(facility(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn characters_outside_cp932_are_refused_by_name() {
        for (name, shown, position) in
            [("𠮷野家", "𠮷", 1), ("Café", "é", 4), ("ABC™", "™", 4), ("ゔ", "ゔ", 1), ("\u{E000}医院", "\u{E000}", 1)]
        {
            assert_eq!(
                facility(name),
                Err(format!(
                    "『{shown}』（{position}文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください"
                )),
                "{name}"
            );
        }
    }

    #[test]
    fn unassigned_and_replacement_characters_are_refused() {
        // A lone surrogate cannot be in a Rust string; decoding one gives U+FFFD, refused here.
        let decoded = String::from_utf16_lossy(&[0x5C71, 0xD800, 0x7530]);
        assert_eq!(decoded, "山\u{FFFD}田");
        assert!(facility(&decoded).unwrap_err().contains("（2文字目）"));
        assert!(facility("山\u{0378}田").unwrap_err().contains("（2文字目）"));
        assert!(facility("山\u{10FFFF}田").is_err());
    }

    #[test]
    fn invisible_characters_are_named_in_words() {
        assert_eq!(
            facility("山田\n内科"),
            Err("3文字目に改行が入っています。医療機関名は改行やタブを含めず1行で入力してください".into())
        );
        assert!(facility("山田\t内科").unwrap_err().starts_with("3文字目にタブ"));
        assert!(facility("山田\u{7}").unwrap_err().starts_with("3文字目に制御文字（U+0007）"));
        assert!(facility("山\u{200B}田").unwrap_err().starts_with("『見えない文字（U+200B）』（2文字目）"));
        assert!(facility("A\u{0301}").unwrap_err().starts_with("『見えない文字（U+0301）』（2文字目）"));
    }

    #[test]
    fn an_empty_name_asks_for_one() {
        assert_eq!(PrintableName::parse(" 　", NameKind::Person).unwrap_err().to_string(), "氏名を入力してください");
    }

    #[test]
    fn the_one_cp932_character_the_font_lacks_is_refused() {
        assert!(encodes_in_cp932('∑'));
        assert!(facility("∑医院").unwrap_err().starts_with("『∑』（1文字目）"));
        assert!(facility("Σ医院").is_ok());
    }

    #[test]
    fn the_yen_sign_is_refused_but_the_full_width_one_is_accepted() {
        assert!(facility("¥").is_err(), "U+00A5 comes back from CP932 as a backslash");
        assert!(facility("￥").is_ok());
    }

    #[test]
    fn every_jis_twin_encodes_as_its_cp932_character() {
        for c in ['〜', '‖', '—', '−', '¢', '£', '¬', '¦'] {
            assert!(encodes_in_cp932(c), "{c}");
        }
    }
}
