//! Form documents laid out entirely by a JSON template (the subsidy application package): the
//! parsed form, the values that fill it, and rendering.

use super::flow::{lay_out, number_pages};
use super::font::METRICS;
use super::form_json;
use super::page::{Align, Ink};
use super::placeholder::Template;
use super::write::write_pdf;
use std::collections::{BTreeMap, BTreeSet};

/// Values to fill a form template with: scalar placeholders and row lists for tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormValues {
    /// `{name}` → its text, already formatted (yen, 和暦 dates): the renderer formats nothing.
    pub fields: BTreeMap<String, String>,
    /// A table block's `rows` name → its rows, each mapping a column's `field` to its text.
    pub tables: BTreeMap<String, Vec<BTreeMap<String, String>>>,
}

/// A parsed form template: page, type sizes and blocks in flow order.
#[derive(Debug, Clone)]
pub struct Form {
    pub(super) page_width_mm: f32,
    pub(super) page_height_mm: f32,
    pub(super) margin_top_mm: f32,
    pub(super) margin_bottom_mm: f32,
    pub(super) margin_left_mm: f32,
    pub(super) margin_right_mm: f32,
    pub(super) font_size_pt: f32,
    pub(super) line_height: f32,
    pub(super) block_gap_mm: f32,
    pub(super) cell_padding_x_mm: f32,
    pub(super) cell_padding_y_mm: f32,
    pub(super) ink: Ink,
    /// Printed in the bottom margin of every page, with `{page}` and `{pages}` filled in.
    pub(super) page_footer: Option<Template>,
    pub(super) blocks: Vec<Block>,
}

/// A block of the template, checked and with its type size resolved, in flow order.
#[derive(Debug, Clone)]
pub(super) enum Block {
    Text { text: Template, size_pt: f32, align: Align, keep_with_next: bool },
    Grid(Grid),
    Gap { mm: f32 },
    PageBreak,
}

/// A ruled grid: the fields block (label | value) and tables.
#[derive(Debug, Clone)]
pub(super) struct Grid {
    pub(super) columns: Vec<Column>,
    pub(super) header: Option<Vec<Template>>,
    pub(super) body: Body,
    pub(super) footer: Vec<Footer>,
}

/// A grid column; shaded cells are the labels of a fields block.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub(super) width_mm: f32,
    pub(super) align: Align,
    pub(super) shaded: bool,
}

/// Where a grid's rows come from.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// Rows written in the template (a fields block).
    Fixed(Vec<Vec<Template>>),
    /// One row per entry of the named row list; the column fields in order.
    Rows { table: String, fields: Vec<String> },
}

/// A row under a table: the label spans the columns before `column`, the value sits in it.
#[derive(Debug, Clone)]
pub(super) struct Footer {
    pub(super) label: Template,
    pub(super) value: Template,
    pub(super) column: usize,
}

impl Form {
    /// Parses and checks a form template: sizes positive, columns within the text width,
    /// placeholders well formed.
    pub fn parse(json: &str) -> Result<Form, String> {
        form_json::parse(json)
    }

    /// Every scalar placeholder and table (with its columns' fields) the template uses, so tests
    /// can check a producer supplies them all: `facility_name` for `{facility_name}`, `lines[]`
    /// for the row list `lines` and `lines[].amount` for its column field `amount`. The page
    /// footer's `{page}` and `{pages}` are the renderer's own and not listed.
    pub fn placeholders(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if let Some(footer) = &self.page_footer {
            out.extend(footer.fields().filter(|f| !PAGE_FIELDS.contains(f)).map(str::to_owned));
        }
        let mut add = |t: &Template| out.extend(t.fields().map(str::to_owned));
        for block in &self.blocks {
            match block {
                Block::Text { text, .. } => add(text),
                Block::Grid(grid) => {
                    grid.header.iter().flatten().for_each(&mut add);
                    if let Body::Fixed(rows) = &grid.body {
                        rows.iter().flatten().for_each(&mut add);
                    }
                    for f in &grid.footer {
                        add(&f.label);
                        add(&f.value);
                    }
                }
                Block::Gap { .. } | Block::PageBreak => {}
            }
        }
        for block in &self.blocks {
            if let Block::Grid(Grid { body: Body::Rows { table, fields }, .. }) = block {
                out.insert(format!("{table}[]"));
                out.extend(fields.iter().map(|f| format!("{table}[].{f}")));
            }
        }
        out
    }

    /// Everything the template needs that `values` lack, named; empty when complete.
    pub(super) fn missing(&self, values: &FormValues) -> Vec<String> {
        let mut missing: Vec<String> = self
            .placeholders()
            .into_iter()
            .filter(|p| !p.contains("[]") && !values.fields.contains_key(p))
            .map(|p| format!("{{{p}}}"))
            .collect();
        for block in &self.blocks {
            if let Block::Grid(Grid { body: Body::Rows { table, fields }, .. }) = block {
                let Some(rows) = values.tables.get(table) else {
                    missing.push(format!("the table {table}[]"));
                    continue;
                };
                for (i, row) in rows.iter().enumerate() {
                    missing
                        .extend(fields.iter().filter(|f| !row.contains_key(*f)).map(|f| format!("{table}[{i}].{f}")));
                }
            }
        }
        missing
    }
}

/// The placeholders of the page footer the renderer fills: the page's number and the count.
const PAGE_FIELDS: [&str; 2] = ["page", "pages"];

/// Renders; a placeholder or table the values lack is an error naming it (never a silently blank field).
pub fn render_form(title: &str, form: &Form, values: &FormValues) -> Result<Vec<u8>, String> {
    let metrics = METRICS.as_ref().ok_or("the built-in font cannot be read")?;
    let mut pages = lay_out(form, values, metrics)?;
    if let Some(footer) = &form.page_footer {
        number_pages(form, footer, &values.fields, &mut pages, metrics)?;
    }
    write_pdf(title, (form.page_width_mm, form.page_height_mm), &pages, metrics, form.ink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::APPLICATION_FORM;
    use crate::pdf::read_back::{page_count, pdftotext};

    fn application_values() -> FormValues {
        let fields: BTreeMap<String, String> = [
            ("applied_on", "令和6年4月10日（2024年4月10日）"),
            ("facility_name", "医療法人社団 健康会 さくら台ファミリークリニック"),
            ("facility_code", "1312345678"),
            ("facility_type", "診療所"),
            ("prefecture", "東京都"),
            ("address", "東京都世田谷区桜丘三丁目二十五番十二号 さくら台メディカルビル二階"),
            ("founder", "医療法人社団 健康会"),
            ("representative", "理事長 山田 太郎"),
            ("phone", "03-1234-5678"),
            ("contact_person", "事務長 佐藤 花子"),
            ("scheme_name", "医療提供体制設備整備交付金（オンライン資格確認）"),
            ("scheme_source", "厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）"),
            ("route", "診療所（顔認証付きカードリーダー1台）"),
            ("rate", "3/4"),
            ("cap", "429,000円"),
            ("readers", "1台"),
            ("total_cost", "1,100,000円"),
            ("eligible_cost", "1,000,000円"),
            ("subsidy", "321,750円"),
            ("self_burden", "778,250円"),
            ("not_covered", "100,000円"),
            ("above_cap", "571,000円"),
            ("rate_share", "107,250円"),
            ("reader_applied_on", "令和5年1月20日（2023年1月20日）"),
            ("vendor_contract_on", "令和5年2月1日（2023年2月1日）"),
            ("completed_on", "令和5年3月1日（2023年3月1日）"),
            ("operation_started_on", "令和5年3月6日（2023年3月6日）"),
            ("paid_on", "令和5年3月31日（2023年3月31日）"),
            ("grace", "なし"),
            ("complete_by", "令和5年3月31日（2023年3月31日）"),
            ("complete_met", "期限内"),
            ("apply_by", "令和6年9月30日（2024年9月30日）"),
            ("apply_met", "期限内"),
            ("vendor", "株式会社ヘルスケアシステムズ"),
            ("subtotal", "1,000,000円"),
            ("tax", "100,000円"),
            ("receipt_total", "1,100,000円"),
            ("receipt_eligible", "1,000,000円"),
            ("receipt_not_eligible", "100,000円"),
            ("tax_basis", "税込（消費税を各行に按分）"),
            ("installed", "資格確認端末、ネットワーク機器"),
            ("receipt_lines", "3"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let row = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let mut tables = BTreeMap::new();
        tables.insert(
            "breakdown".to_owned(),
            vec![
                row(&[("category", "ハードウェア"), ("eligibility", "補助対象"), ("amount", "600,000円")]),
                row(&[("category", "保守"), ("eligibility", "補助対象外"), ("amount", "100,000円")]),
            ],
        );
        tables.insert(
            "lines".to_owned(),
            (1..=3)
                .map(|i| {
                    let no = i.to_string();
                    row(&[
                        ("no", no.as_str()),
                        ("category", "ソフトウェア"),
                        ("description", "オンライン資格確認端末用アプリケーション導入作業一式"),
                        ("eligible", "補助対象"),
                        ("amount", "120,000円"),
                    ])
                })
                .collect(),
        );
        tables.insert(
            "notes".to_owned(),
            vec![row(&[("text", "顔認証付きカードリーダーは支払基金より無償提供。［出典1］")])],
        );
        tables.insert(
            "sources".to_owned(),
            vec![row(&[("text", "出典1: 厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）")])],
        );
        FormValues { fields, tables }
    }

    #[test]
    fn the_shipped_application_template_parses_and_lists_exactly_its_placeholders() {
        let form = Form::parse(APPLICATION_FORM).expect("the application template parses");
        let expected: BTreeSet<String> = [
            "applied_on",
            "facility_name",
            "facility_code",
            "facility_type",
            "prefecture",
            "address",
            "founder",
            "representative",
            "phone",
            "contact_person",
            "scheme_name",
            "scheme_source",
            "route",
            "rate",
            "cap",
            "readers",
            "total_cost",
            "eligible_cost",
            "subsidy",
            "self_burden",
            "not_covered",
            "above_cap",
            "rate_share",
            "reader_applied_on",
            "vendor_contract_on",
            "completed_on",
            "operation_started_on",
            "paid_on",
            "grace",
            "complete_by",
            "complete_met",
            "apply_by",
            "apply_met",
            "vendor",
            "receipt_total",
            "receipt_eligible",
            "receipt_not_eligible",
            "tax_basis",
            "installed",
            "receipt_lines",
            "lines[]",
            "lines[].no",
            "lines[].category",
            "lines[].description",
            "lines[].eligible",
            "lines[].amount",
            "notes[]",
            "notes[].text",
            "sources[]",
            "sources[].text",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        assert_eq!(form.placeholders(), expected);
    }

    #[test]
    fn the_application_renders_on_two_numbered_a4_pages_and_reads_back_in_japanese() {
        let form = Form::parse(APPLICATION_FORM).expect("template");
        let pdf = render_form("交付申請書", &form, &application_values()).expect("pdf");
        assert_eq!(page_count(&pdf), 2);
        assert!(pdf.len() < 100_000, "the font is subset: {} bytes", pdf.len());
        // Compared without spaces: pdftotext reads the gaps between placed words its own way.
        let text: String = pdftotext(&pdf, false).chars().filter(|c| *c == '\u{c}' || !c.is_whitespace()).collect();
        let pages: Vec<&str> = text.split('\u{c}').collect();
        let bare = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        for expected in [
            "オンライン資格確認等補助金 交付申請書",
            "医療法人社団 健康会 さくら台ファミリークリニック",
            "理事長 山田 太郎",
            "03-1234-5678",
            "補助金申請額",
            "321,750円",
            "日程と期限",
            "令和5年3月31日（2023年3月31日）（期限内）",
            "出典1: 厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）",
            "交付申請書類 1 / 2",
        ] {
            assert!(pages[0].contains(&bare(expected)), "page 1 lacks {expected}:\n{}", pages[0]);
        }
        for expected in [
            "領収書内訳書",
            "支払先: 株式会社ヘルスケアシステムズ",
            "補助対象の小計（補助対象経費）",
            "対象外の小計",
            "合計（領収書の金額・総事業費）",
            "1,100,000円",
            "オンライン資格確認等事業完了報告書",
            "顔認証付きカードリーダーは支払基金より無償提供。［出典1］",
            "交付申請書類 2 / 2",
        ] {
            assert!(pages[1].contains(&bare(expected)), "page 2 lacks {expected}:\n{}", pages[1]);
        }
    }

    #[test]
    fn a_missing_field_or_table_is_an_error_naming_it() {
        let form = Form::parse(APPLICATION_FORM).expect("template");
        let mut values = application_values();
        values.fields.remove("facility_code");
        values.tables.remove("notes");
        if let Some(rows) = values.tables.get_mut("lines") {
            rows[1].remove("amount");
        }
        let err = render_form("x", &form, &values).expect_err("incomplete values");
        assert!(err.contains("{facility_code}"), "{err}");
        assert!(err.contains("notes[]"), "{err}");
        assert!(err.contains("lines[1].amount"), "{err}");
    }

    #[test]
    fn a_malformed_template_is_an_error_saying_where() {
        let base: serde_json::Value = serde_json::from_str(APPLICATION_FORM).expect("json");
        let with_block = |block: serde_json::Value| {
            let mut v = base.clone();
            v["blocks"] = serde_json::json!([block]);
            Form::parse(&v.to_string())
        };
        let err = with_block(serde_json::json!({"type": "text", "text": "{unclosed"})).expect_err("unclosed");
        assert!(err.contains("block 1") && err.contains("not closed"), "{err}");
        let wide = serde_json::json!({"type": "table", "rows": "t", "columns": [{"header": "a", "field": "a", "width_mm": 500.0}]});
        assert!(with_block(wide).expect_err("too wide").contains("text width"));
        assert!(with_block(serde_json::json!({"type": "txet", "text": "x"})).is_err(), "an unknown block type");
        assert!(
            with_block(serde_json::json!({"type": "text", "text": "x", "algin": "left"})).is_err(),
            "a misspelt key"
        );
    }
}
