//! CSV for Excel users: RFC 4180 fields, CRLF, UTF-8 with a BOM so Excel reads Japanese,
//! or Shift_JIS (CP932) for older Excel and tools that read CSV only in the Japanese Windows code page.

/// The byte-order mark that makes Excel open a UTF-8 CSV as UTF-8.
pub const BOM: &str = "\u{feff}";

/// Appends one field, RFC 4180: quoted, with quotes doubled, when it holds a
/// comma, a quote, CR or LF. A field that a spreadsheet would take for a
/// formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`,
/// so that a label typed by a user stays text in the auditor's Excel
/// (OWASP, "CSV Injection") — except a plain number such as a discount's
/// `-20000`, which must stay a number.
pub fn push_field(out: &mut String, field: &str) {
    let plain_number = field.parse::<rust_decimal::Decimal>().is_ok() && !field.starts_with('+');
    let guard = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number { "'" } else { "" };
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(guard);
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(guard);
        out.push_str(field);
    }
}

/// Appends one record and its CRLF.
pub fn push_record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

/// The character set of a CSV download, chosen by `?encoding=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// UTF-8 with a byte-order mark: Excel 2016 and later, LibreOffice, scripts.
    #[default]
    Utf8,
    /// Shift_JIS as Japanese Windows writes it (CP932, Windows-31J), without a
    /// BOM: for older Excel and tools that read a CSV only in that code page.
    ShiftJis,
}

/// `?encoding=` named no character set that the exports write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("文字コード {0:?} には対応していません（encoding=utf-8 または encoding=sjis を指定してください）")]
pub struct UnknownCharset(pub String);

impl Charset {
    /// Reads `?encoding=`: absent, empty, `utf-8` or `utf8` → UTF-8; `sjis`,
    /// `shift_jis`, `shift-jis`, `cp932`, `windows-31j` → Shift_JIS (any case).
    pub fn from_query(value: Option<&str>) -> Result<Charset, UnknownCharset> {
        let v = value.unwrap_or("").trim().to_ascii_lowercase();
        match v.as_str() {
            "" | "utf-8" | "utf8" => Ok(Charset::Utf8),
            "sjis" | "shift_jis" | "shift-jis" | "cp932" | "windows-31j" | "ms932" => Ok(Charset::ShiftJis),
            _ => Err(UnknownCharset(value.unwrap_or("").to_owned())),
        }
    }

    /// The value of `?encoding=` that selects this character set (links use it).
    pub fn query_value(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::ShiftJis => "sjis",
        }
    }

    /// The `Content-Type` of a CSV in this character set.
    pub fn content_type(self) -> &'static str {
        match self {
            Charset::Utf8 => "text/csv; charset=utf-8",
            Charset::ShiftJis => "text/csv; charset=Shift_JIS",
        }
    }

    /// A new encoder for one file.
    pub fn encoder(self) -> CsvEncoder {
        CsvEncoder { charset: self, started: false, shift_jis: encoding_rs::SHIFT_JIS.new_encoder(), replaced: 0 }
    }
}

/// What a character that CP932 cannot represent becomes: 〓 (U+3013 GETA MARK,
/// `0x81AC`), the mark Japanese typesetting uses for a missing glyph, so that a
/// lost character stays visible in Excel instead of vanishing.
pub const REPLACEMENT: char = '〓';

/// [`REPLACEMENT`] in CP932.
const REPLACEMENT_SHIFT_JIS: [u8; 2] = [0x81, 0xAC];

// The JIS characters that CP932 codes as a different character with the same glyph
// (〜 → ～, − → －): the same table the name rule counts as printable.
use rules::printable_name::cp932_twin;

/// Turns the UTF-8 text of one CSV file, given piece by piece, into the bytes
/// of its [`Charset`]: UTF-8 with the BOM before the first piece, or CP932
/// with no BOM where each character CP932 cannot represent (𠮷, é, ™, …)
/// becomes [`REPLACEMENT`] and is counted in [`CsvEncoder::replaced`].
/// (encoding_rs's one-shot `encode` would write `&#134071;` instead: an HTML
/// numeric reference, meaningless in a spreadsheet.)
pub struct CsvEncoder {
    charset: Charset,
    started: bool,
    shift_jis: encoding_rs::Encoder,
    replaced: u64,
}

impl CsvEncoder {
    /// Appends `text` encoded to `out`. Pieces may end anywhere between characters.
    pub fn encode(&mut self, text: &str, out: &mut Vec<u8>) {
        let first = !self.started;
        self.started = true;
        match self.charset {
            Charset::Utf8 => {
                if first {
                    out.extend_from_slice(BOM.as_bytes());
                }
                out.extend_from_slice(text.as_bytes());
            }
            Charset::ShiftJis => {
                let twins: String;
                let text = if text.chars().any(|c| cp932_twin(c) != c) {
                    twins = text.chars().map(cp932_twin).collect();
                    twins.as_str()
                } else {
                    text
                };
                self.encode_shift_jis(text, out);
            }
        }
    }

    fn encode_shift_jis(&mut self, mut text: &str, out: &mut Vec<u8>) {
        use encoding_rs::EncoderResult;
        while !text.is_empty() {
            // Shift_JIS needs at most 2 bytes for the 1–4 UTF-8 bytes of a character.
            let room =
                self.shift_jis.max_buffer_length_from_utf8_without_replacement(text.len()).unwrap_or(text.len() * 2);
            let start = out.len();
            out.resize(start + room, 0);
            let (result, read, written) =
                self.shift_jis.encode_from_utf8_without_replacement(text, &mut out[start..], false);
            out.truncate(start + written);
            text = &text[read..];
            match result {
                EncoderResult::InputEmpty | EncoderResult::OutputFull => {}
                EncoderResult::Unmappable(_) => {
                    out.extend_from_slice(&REPLACEMENT_SHIFT_JIS);
                    self.replaced += 1;
                }
            }
        }
    }

    /// How many characters became [`REPLACEMENT`] so far (always 0 for UTF-8).
    pub fn replaced(&self) -> u64 {
        self.replaced
    }
}

/// Encodes a whole CSV text at once (tests, small files).
pub fn encode(charset: Charset, text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    charset.encoder().encode(text, &mut out);
    out
}

/// `path` with `?encoding=` for `charset` (nothing added for UTF-8, the default).
pub fn with_charset(path: &str, charset: Charset) -> String {
    match charset {
        Charset::Utf8 => path.to_owned(),
        Charset::ShiftJis => {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{path}{sep}encoding={}", charset.query_value())
        }
    }
}

/// The two download links of a CSV export, as every list page shows them:
/// 「CSVでダウンロード」 (UTF-8) and 「CSV（Excel旧版: Shift_JIS）」. Plain links,
/// so they work without JavaScript; `what` names the list when a page offers several.
pub fn download_links(what: &str, path: &str) -> impl leptos::IntoView + use<> {
    use leptos::prelude::*;
    let label = (!what.is_empty()).then(|| format!("{what}: "));
    let utf8 = with_charset(path, Charset::Utf8);
    let sjis = with_charset(path, Charset::ShiftJis);
    view! {
        <p class="downloads" data-testid="csv-download">
            {label}
            <a href=utf8>"CSVでダウンロード"</a>
            " ／ "
            <a href=sjis>"CSV（Excel旧版: Shift_JIS）"</a>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> String {
        let mut s = String::new();
        push_record(&mut s, fields);
        s
    }

    #[test]
    fn csv_fields_are_quoted_only_when_rfc_4180_requires_it() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("日本語", "日本語"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("line\nbreak", "\"line\nbreak\""),
            ("cr\rlf", "\"cr\rlf\""),
            (r#"{"a":1,"b":"x"}"#, r#""{""a"":1,""b"":""x""}""#),
            ("a=b", "a=b"),
        ];
        for (field, expected) in cases {
            let mut out = String::new();
            push_field(&mut out, field);
            assert_eq!(out, expected, "field {field:?}");
        }
    }

    #[test]
    fn csv_fields_that_excel_would_run_as_formulas_stay_text() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+81", "'+81"),
            ("-1x", "'-1x"),
            ("-1", "-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""),
        ];
        for (field, expected) in cases {
            let mut out = String::new();
            push_field(&mut out, field);
            assert_eq!(out, expected, "field {field:?}");
        }
    }

    #[test]
    fn negative_numbers_stay_numbers() {
        assert_eq!(record(&["-20000", "-1.5", "352000"]), "-20000,-1.5,352000\r\n");
    }

    #[test]
    fn the_encoding_parameter_names_utf8_or_shift_jis() {
        for v in [None, Some(""), Some("utf-8"), Some("UTF8")] {
            assert_eq!(Charset::from_query(v), Ok(Charset::Utf8), "{v:?}");
        }
        for v in ["sjis", "Shift_JIS", "shift-jis", "cp932", "CP932", "windows-31j", "MS932"] {
            assert_eq!(Charset::from_query(Some(v)), Ok(Charset::ShiftJis), "{v}");
        }
        assert!(Charset::from_query(Some("latin1")).is_err());
        for c in [Charset::Utf8, Charset::ShiftJis] {
            assert_eq!(Charset::from_query(Some(c.query_value())), Ok(c));
        }
    }

    #[test]
    fn utf8_starts_with_one_bom_and_shift_jis_has_none() {
        let mut enc = Charset::Utf8.encoder();
        let mut out = Vec::new();
        enc.encode("医療機関コード,", &mut out);
        enc.encode("医療機関名\r\n", &mut out);
        assert_eq!(out, "\u{feff}医療機関コード,医療機関名\r\n".as_bytes());
        let sjis = encode(Charset::ShiftJis, "医療機関コード\r\n");
        assert_ne!(sjis.first(), Some(&0xEF));
        let (back, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&sjis);
        assert!(!had_errors);
        assert_eq!(back, "医療機関コード\r\n");
    }

    #[test]
    fn cp932_writes_windows_characters_and_marks_the_rest_with_geta() {
        // ㈱, ①, 髙 and 﨑 are CP932 extensions (NEC, IBM); 𠮷, é and ™ are not in CP932 at all.
        let sjis = encode(Charset::ShiftJis, "㈱①髙﨑,𠮷野家,café™,-20000");
        let (back, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&sjis);
        assert_eq!(back, "㈱①髙﨑,〓野家,caf〓〓,-20000");
        assert!(!sjis.windows(2).any(|w| w == b"&#"), "no HTML numeric references");
        let mut enc = Charset::ShiftJis.encoder();
        enc.encode("𠮷と", &mut Vec::new());
        enc.encode("é", &mut Vec::new());
        assert_eq!(enc.replaced(), 2);
    }

    #[test]
    fn jis_characters_with_a_cp932_twin_keep_their_glyph() {
        let sjis = encode(Charset::ShiftJis, "9時〜17時 ‖ — ¢£¬¦ −");
        let (back, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&sjis);
        assert!(!had_errors);
        assert_eq!(back, "9時～17時 ∥ ― ￠￡￢￤ －");
    }

    #[test]
    fn the_shift_jis_link_adds_the_encoding_to_any_query() {
        assert_eq!(with_charset("/exports/quotes.csv", Charset::Utf8), "/exports/quotes.csv");
        assert_eq!(with_charset("/exports/quotes.csv", Charset::ShiftJis), "/exports/quotes.csv?encoding=sjis");
        assert_eq!(
            with_charset("/audit-log.csv?entity=user", Charset::ShiftJis),
            "/audit-log.csv?entity=user&encoding=sjis"
        );
    }
}
