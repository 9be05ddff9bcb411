//! Why a quote file could not be read, said in Japanese with the place (file, sheet, row, column) and what to fix.

use std::fmt;

/// A file that could not be read as a quote.
///
/// Its `Display` is the message for the person who uploaded the file:
/// 「見積書.xlsx（シート「明細」、12行目、F列）: 数式のエラー（#REF!）があります。…」.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", self.place())]
pub struct ReadError {
    /// The file name as uploaded.
    pub file: String,
    /// The sheet the problem is on (`None` for CSV, PDF and for whole-file problems).
    pub sheet: Option<String>,
    /// The page of a PDF the problem is on; `row` then counts the page's lines of text.
    pub page: Option<u32>,
    /// 1-based sheet row (CSV: line number), where the problem is one row.
    pub row: Option<u32>,
    /// Column letters (`"F"`), where the problem is one cell (boxed: the error stays small
    /// enough to be returned by value).
    pub column: Option<Box<str>>,
    /// What is wrong.
    pub kind: ReadErrorKind,
}

impl ReadError {
    /// A problem with the whole file.
    pub(crate) fn file(file: &str, kind: ReadErrorKind) -> Self {
        ReadError { file: file.to_owned(), sheet: None, page: None, row: None, column: None, kind }
    }

    /// `見積書.xlsx（シート「明細」、12行目、F列）`, leaving out what is not known.
    fn place(&self) -> String {
        let mut parts = Vec::new();
        if let Some(sheet) = &self.sheet {
            parts.push(format!("シート「{sheet}」"));
        }
        if let Some(page) = self.page {
            parts.push(format!("{page}ページ"));
        }
        match (self.page, self.row) {
            (Some(_), Some(row)) => parts.push(format!("上から{row}行目")),
            (None, Some(row)) => parts.push(format!("{row}行目")),
            _ => {}
        }
        if let Some(column) = &self.column {
            parts.push(format!("{column}列"));
        }
        if parts.is_empty() { self.file.clone() } else { format!("{}（{}）", self.file, parts.join("、")) }
    }
}

/// A file whose structure is broken, with the parser's words kept for the logs.
pub(crate) fn corrupted(file: &str, detail: impl ToString) -> ReadError {
    ReadError::file(file, ReadErrorKind::Corrupted { detail: detail.to_string() })
}

/// Formats the workbook readers recognise but this reader does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsupportedFormat {
    /// A PDF with neither text nor images.
    PdfWithoutText,
    /// A PDF whose text is drawn in fonts that do not say which characters their glyphs are.
    PdfTextUnreadable,
    /// An HTML table saved with an .xls name (old systems' "Excel export").
    Html,
    /// Excel 2003 XML Spreadsheet (SpreadsheetML).
    SpreadsheetMl2003,
    /// Excel binary workbook (.xlsb).
    Xlsb,
}

impl UnsupportedFormat {
    fn label(self) -> &'static str {
        match self {
            UnsupportedFormat::PdfWithoutText => "文字のないPDF",
            UnsupportedFormat::PdfTextUnreadable => "文字を読み取れないPDF",
            UnsupportedFormat::Html => "HTML形式の表",
            UnsupportedFormat::SpreadsheetMl2003 => "Excel 2003 XML形式",
            UnsupportedFormat::Xlsb => "Excelバイナリブック（.xlsb）",
        }
    }
}

/// What is wrong with a quote file. Each variant's message says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// The file is larger than [`crate::Limits::max_bytes`].
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The sheets' used ranges hold more cells than [`crate::Limits::max_cells`].
    TooManyCells {
        /// Cells counted before reading stopped (at least this many).
        cells: u64,
        /// The limit.
        limit: u64,
    },
    /// A part inside the ZIP container expands far beyond its compressed size
    /// or beyond [`crate::Limits::max_uncompressed_bytes`].
    ZipBomb {
        /// The part's name inside the container (`xl/worksheets/sheet1.xml`).
        entry: String,
        /// Its declared uncompressed size in bytes.
        uncompressed: u64,
        /// Its compressed size in bytes.
        compressed: u64,
    },
    /// Neither a workbook nor text: an image, a Word file, random bytes, or a
    /// text file that only has a spreadsheet's name.
    NotASpreadsheet {
        /// The file name's extension when it claims to be a workbook (`xlsx`).
        claimed: Option<String>,
    },
    /// A workbook whose structure is broken (truncated download, damaged file).
    Corrupted {
        /// The parser's own words, for logs; not shown to the user.
        detail: String,
    },
    /// Password-protected.
    Encrypted,
    /// A format that is recognised but not read.
    Unsupported {
        /// Which one.
        format: UnsupportedFormat,
    },
    /// No row in the first 50 rows of any sheet looks like the header of an item table.
    NoItemTable,
    /// The header was found but no item lines under it.
    NoItemLines,
    /// A cell of the item table holds a formula error.
    ErrorCell {
        /// The error as the spreadsheet shows it: `#REF!`, `#DIV/0!`.
        value: String,
    },
    /// A money cell has digits but cannot be read as an amount.
    UnreadableNumber {
        /// The cell's text.
        text: String,
    },
    /// The parts of a ZIP container (.xlsx, .xlsm, .ods) inflate, or are read back by the
    /// parsers, beyond [`crate::Limits::max_uncompressed_bytes`].
    TooMuchData {
        /// Bytes inflated or read when reading stopped (at least this many).
        bytes: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The cells would hold more text than [`crate::Limits::max_text_bytes`] (one long text
    /// repeated in many cells counts once per cell).
    TooMuchText {
        /// Bytes of text counted when reading stopped (at least this many).
        bytes: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A PDF with more pages than a quote has.
    TooManyPages {
        /// Pages in the file.
        pages: u32,
        /// The limit.
        limit: u32,
    },
    /// The caller abandoned the read ([`crate::Stop`]), at its time limit.
    Stopped,
    /// A picture (or a TIFF page) with more pixels than a page needs.
    PictureTooLarge {
        /// Its pixels.
        pixels: u64,
        /// The limit.
        limit: u64,
    },
    /// A picture whose colours or depth are not read (16-bit, CMYK, palette TIFF).
    PictureFormat,
    /// A scan or a photo, and no OCR engine (Tesseract with its Japanese model, and for a
    /// scanned PDF poppler's pdftoppm) on this server.
    OcrMissing {
        /// The programs missing, as the administrator installs them.
        missing: &'static str,
    },
    /// A scan or a photo in which OCR found no item table (no row of headings such as 品名・数量・
    /// 単価・金額).
    NoTableInScan,
    /// OCR of one page took longer than its limit.
    OcrTooSlow {
        /// The page (1-based).
        page: u32,
        /// The limit in seconds.
        seconds: u64,
    },
    /// OCR failed on a page (the engine's own words are logged, not shown).
    OcrFailed {
        /// The page (1-based).
        page: u32,
        /// The engine's words, for logs.
        detail: String,
    },
    /// A number too large for a quote (over 10兆円, or a quantity over 10,000,000):
    /// almost surely a typing or export error, and refused so that later
    /// arithmetic cannot overflow.
    NumberOutOfRange {
        /// The cell's text or value.
        text: String,
    },
}

/// The header words looked for, shown when no item table is found.
pub(crate) const LOOKED_FOR: &str = "品名（品名・項目・内容・摘要・名称・品目・Item・Description）と、金額（金額・価格・小計・Amount）または単価（単価・提供単価・販売単価・標準単価・Unit Price）";

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadErrorKind::TooLarge { size, limit } => write!(
                f,
                "ファイルが大きすぎます（{}、上限{}）。見積書のシートだけを別のファイルに保存するなどして小さくしてから、もう一度アップロードしてください。",
                megabytes(*size),
                megabytes(*limit)
            ),
            ReadErrorKind::TooManyCells { cells, limit } => write!(
                f,
                "セルが多すぎます（{cells}個以上、上限{limit}個）。見積書に関係のないシートや、離れた場所に入力されたセルを削除してから、もう一度アップロードしてください。"
            ),
            ReadErrorKind::ZipBomb { entry, uncompressed, compressed } => write!(
                f,
                "ファイルの中の「{entry}」が展開すると異常に大きくなります（{}バイトが{}バイトに展開）。安全のため読み込みません。元のファイルを表計算ソフトで開いて保存し直してから、もう一度アップロードしてください。",
                compressed, uncompressed
            ),
            // Where reading stopped says nothing to the reader of the message: only the limit.
            ReadErrorKind::TooMuchData { limit, .. } => write!(
                f,
                "ファイルの中身が大きすぎます（展開すると上限の{}を超えます）。見積書に関係のないシートや画像を削除して保存し直すか、明細のシートをCSVで保存してから、もう一度アップロードしてください。",
                megabytes(*limit)
            ),
            ReadErrorKind::TooMuchText { limit, .. } => write!(
                f,
                "セルの文字が多すぎます（合計が上限の{}を超えます）。見積書に関係のないシートや、長い文章が入ったセルを削除してから、もう一度アップロードしてください。",
                megabytes(*limit)
            ),
            ReadErrorKind::TooManyPages { pages, limit } => write!(
                f,
                "PDFのページが多すぎます（{pages}ページ、上限{limit}ページ）。見積書のページだけを保存したPDFをアップロードしてください。"
            ),
            ReadErrorKind::PictureTooLarge { pixels, limit } => write!(
                f,
                "画像が大きすぎます（{}万画素、上限{}万画素）。見積書の写真は1,200万画素程度まで、スキャンは200～300dpiで保存してから、もう一度アップロードしてください。",
                pixels / 10_000,
                limit / 10_000
            ),
            ReadErrorKind::PictureFormat => f.write_str(
                "この画像の色の形式（16ビット、CMYK、パレットなど）には対応していません。スキャナーでグレーまたはカラー（8ビット）、あるいは白黒で保存した画像か、JPEG・PNGの画像を選んでください。",
            ),
            ReadErrorKind::OcrMissing { missing } => write!(
                f,
                "スキャンや写真の見積書を読み取るための文字認識ソフト（{missing}）が、このサーバーに入っていません。システムの管理者に導入を依頼するか、Excel・CSV・文字を含むPDFの見積書を使うか、明細を画面から入力してください。"
            ),
            ReadErrorKind::NoTableInScan => f.write_str(
                "画像を文字認識しましたが、明細の表（品名・数量・単価・金額などの見出しの行）を読み取れませんでした。200～300dpiでまっすぐにスキャンし直した画像か、真上から明るい場所で撮り直した写真をアップロードするか、ベンダーにExcelや文字を含むPDFの見積書を依頼するか、明細を画面から入力してください。",
            ),
            ReadErrorKind::OcrTooSlow { page, seconds } => write!(
                f,
                "{page}ページ目の文字認識が制限時間（{seconds}秒）を超えたため中止しました。200～300dpiで、見積書の部分だけをスキャンした画像をアップロードしてください。"
            ),
            ReadErrorKind::OcrFailed { page, .. } => write!(
                f,
                "{page}ページ目の画像を文字認識できませんでした。画像を保存し直すか、スキャンし直してから、もう一度アップロードしてください。"
            ),
            ReadErrorKind::Stopped => f.write_str(
                "読み取りが制限時間を超えたため中止しました。見積の明細のシートだけを残したファイルか、CSVで保存したファイルをアップロードしてください。",
            ),
            ReadErrorKind::NotASpreadsheet { claimed } => {
                if let Some(ext) = claimed {
                    write!(f, "拡張子は「.{ext}」ですが、中身は表計算ファイルではありません。")?;
                } else {
                    f.write_str("表計算ファイルとしてもCSVとしても読めません。")?;
                }
                f.write_str("見積書のExcelファイル（.xlsx・.xlsm・.xls）、LibreOfficeのファイル（.ods）、PDF、CSV、またはスキャンや写真の画像（JPEG・PNG・TIFF）を選んでください。")
            }
            ReadErrorKind::Corrupted { .. } => f.write_str(
                "ファイルが壊れているか、途中で切れています。元のファイルを保存し直すかダウンロードし直してから、もう一度アップロードしてください。",
            ),
            ReadErrorKind::Encrypted => f.write_str(
                "パスワードで保護されています。元のファイルでパスワードを解除して保存してから、もう一度アップロードしてください。",
            ),
            ReadErrorKind::Unsupported { format } => match format {
                UnsupportedFormat::PdfTextUnreadable => f.write_str(
                    "PDFの文字が、文字の対応表のないフォントで書かれているため読み取れません。ベンダーに別の方法で保存したPDFかExcelの見積書を依頼するか、明細を画面から入力してください。",
                ),
                UnsupportedFormat::PdfWithoutText => f.write_str(
                    "文字も画像も含まれていないPDFです。見積書のPDF（文字を含むもの）か、Excel・CSVの見積書を選んでください。",
                ),
                other => write!(
                    f,
                    "{}のファイルは読み込めません。Excelなどで開き、「Excelブック（.xlsx）」形式で保存し直してから、もう一度アップロードしてください。",
                    other.label()
                ),
            },
            ReadErrorKind::NoItemTable => write!(
                f,
                "明細の表が見つかりません。各シートの最初の50行で、{LOOKED_FOR}の見出しが並んだ行を探しました。明細の表の上に見出しの行を付けてから、もう一度アップロードしてください。"
            ),
            ReadErrorKind::NoItemLines => f.write_str(
                "明細の表の見出しはありますが、その下に明細の行がありません。品名と数量・単価・金額を入力してから、もう一度アップロードしてください。",
            ),
            ReadErrorKind::ErrorCell { value } => write!(
                f,
                "数式のエラー（{value}）があります。元のファイルで数式を直してから、もう一度アップロードしてください。"
            ),
            ReadErrorKind::UnreadableNumber { text } => write!(
                f,
                "「{text}」を金額として読めません。「1,050,000」のように数字で入力し直してから、もう一度アップロードしてください。"
            ),
            ReadErrorKind::NumberOutOfRange { text } => write!(
                f,
                "「{text}」は見積書の数値として大きすぎます（金額は10兆円未満、数量は1,000万未満）。桁を確認して直してから、もう一度アップロードしてください。"
            ),
        }
    }
}

/// `20.0MB`, one decimal, as people read file sizes.
fn megabytes(bytes: u64) -> String {
    // Integer arithmetic: tenths of a mebibyte, rounded down.
    let tenths = bytes / (1024 * 1024 / 10);
    format!("{}.{}MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_file_sheet_row_and_column() {
        let e = ReadError {
            file: "見積書.xlsx".into(),
            sheet: Some("明細".into()),
            page: None,
            row: Some(12),
            column: Some("F".into()),
            kind: ReadErrorKind::ErrorCell { value: "#REF!".into() },
        };
        assert_eq!(
            e.to_string(),
            "見積書.xlsx（シート「明細」、12行目、F列）: 数式のエラー（#REF!）があります。元のファイルで数式を直してから、もう一度アップロードしてください。"
        );
    }

    #[test]
    fn a_whole_file_problem_names_only_the_file() {
        let e = ReadError::file("a.xlsx", ReadErrorKind::Encrypted);
        assert!(e.to_string().starts_with("a.xlsx: パスワード"), "{e}");
    }

    #[test]
    fn a_csv_problem_names_row_and_column_without_a_sheet() {
        let e = ReadError {
            file: "q.csv".into(),
            sheet: None,
            page: None,
            row: Some(3),
            column: Some("D".into()),
            kind: ReadErrorKind::UnreadableNumber { text: "1,0,0".into() },
        };
        assert!(e.to_string().starts_with("q.csv（3行目、D列）: 「1,0,0」"), "{e}");
    }

    #[test]
    fn a_pdf_problem_names_the_page_and_its_line_without_a_column() {
        let e = ReadError {
            file: "見積書.pdf".into(),
            sheet: None,
            page: Some(2),
            row: Some(5),
            column: None,
            kind: ReadErrorKind::UnreadableNumber { text: "1,0,0".into() },
        };
        assert!(e.to_string().starts_with("見積書.pdf（2ページ、上から5行目）: 「1,0,0」"), "{e}");
    }

    #[test]
    fn sizes_are_shown_in_megabytes() {
        assert_eq!(megabytes(20 * 1024 * 1024), "20.0MB");
        assert_eq!(megabytes(1024 * 1024 * 3 / 2), "1.5MB");
        assert!(megabytes(u64::MAX).ends_with("MB"));
    }
}
