//! Server function of the counter-offer letter (再見積のお願い) built from an audited quote.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The letter, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterView {
    /// The quote.
    pub quote_id: i64,
    /// Paragraphs in order (lines inside a paragraph kept).
    pub paragraphs: Vec<String>,
    /// Number of flagged points listed.
    pub points: usize,
}

/// The letter template (`templates/counter_offer_letter.ja.txt`).
pub const TEMPLATE: &str = include_str!("../../../templates/counter_offer_letter.ja.txt");

/// Fills `{{name}}` placeholders; unknown ones are left out.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = after[..end].trim();
                if let Some((_, v)) = values.iter().find(|(k, _)| *k == key) {
                    out.push_str(v);
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits filled text into paragraphs at blank lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(|p| p.trim_matches('\n').to_owned()).filter(|p| !p.trim().is_empty()).collect()
}

/// The counter-offer letter of a quote in the user's scope.
#[server(prefix = "/api", endpoint = "counter_offer_letter")]
pub async fn counter_offer_letter(id: i64) -> Result<LetterView, UiError> {
    use crate::api::quote_audit::quote_audit;
    use crate::ssr::context;
    let user = context::require_permission(rules::access::Permission::ReadFacilities)?;
    let pool = context::pool()?;
    // The audit checks the user's scope and carries the quote.
    let a = quote_audit(id).await?;
    let q = &a.quote;
    let mut items = Vec::new();
    for l in &a.lines {
        for f in &l.flags {
            let basis = [f.figures.clone(), f.source.clone().map(|s| format!("出典: {s}"))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("、");
            items.push(format!(
                "{}. {}行目「{}」{}\n　{}{}{}",
                items.len() + 1,
                l.row,
                l.description,
                if l.amount.is_empty() { String::new() } else { format!("（{}）", l.amount) },
                f.message,
                if basis.is_empty() { String::new() } else { format!("\n　根拠: {basis}") },
                if f.assumption { "（想定値）" } else { "" }
            ));
        }
    }
    for f in &a.flags {
        items.push(format!(
            "{}. 見積全体\n　{}{}",
            items.len() + 1,
            f.message,
            f.source.as_ref().map(|s| format!("\n　根拠: 出典: {s}")).unwrap_or_default()
        ));
    }
    let points = items.len();
    if items.is_empty() {
        items.push("（監査で指摘した点はありません。内訳の確認のみお願いいたします。）".into());
    }
    let total = a
        .totals
        .iter()
        .find(|(l, _, _)| l == "合計")
        .map(|(_, w, c)| if w == "—" { c.clone() } else { w.clone() })
        .unwrap_or_default();
    let facility: String = sqlx::query_scalar("SELECT name FROM facilities WHERE id = ?")
        .bind(q.facility_id)
        .fetch_one(&pool)
        .await
        .map_err(context::internal)?;
    let values = [
        ("date", rules::format_wareki(context::today())),
        ("vendor", q.vendor.clone().unwrap_or_else(|| "（ベンダー名）".into())),
        ("facility", facility),
        ("sender", format!("担当: {}", user.display_name)),
        ("quote_file", q.file_name.clone()),
        (
            "quote_date",
            q.quote_date
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(rules::format_wareki)
                .unwrap_or_else(|| "日付の記載なし".into()),
        ),
        ("items", items.join("\n\n")),
        ("total", total),
        ("eligible_total", a.eligible_total.clone()),
        // The facility's own settlement, as its quote page shows it.
        ("subsidy", a.subsidy.clone()),
        ("scheme", a.scheme.clone()),
        ("burden", a.burden_line.clone()),
    ];
    Ok(LetterView { quote_id: id, paragraphs: paragraphs(&fill(TEMPLATE, &values)), points })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_left_out() {
        let out = fill("a {{x}} b {{ y }} c {{z}}", &[("x", "1".into()), ("y", "2".into())]);
        assert_eq!(out, "a 1 b 2 c ");
        assert_eq!(fill("no close {{x", &[("x", "1".into())]), "no close {{x");
    }

    #[test]
    fn the_template_uses_only_placeholders_the_letter_fills() {
        let known = [
            "date",
            "vendor",
            "facility",
            "sender",
            "quote_file",
            "quote_date",
            "items",
            "total",
            "eligible_total",
            "subsidy",
            "scheme",
            "burden",
        ];
        let mut rest = TEMPLATE;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let end = after.find("}}").expect("closed");
            assert!(known.contains(&after[..end].trim()), "unknown placeholder {}", &after[..end]);
            rest = &after[end + 2..];
        }
    }

    #[test]
    fn paragraphs_split_at_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n\nc\n"), vec!["a\nb".to_owned(), "c".to_owned()]);
    }
}
