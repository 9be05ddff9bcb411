//! Server functions of the quote preview: the parsed, audited draft, and its confirmation.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A line of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftLine {
    /// Row in the sheet.
    pub row: u32,
    /// 品名.
    pub description: String,
    /// Category code.
    pub category: String,
    /// Classifier confidence.
    pub confidence: u8,
    /// 数量 and 単位.
    pub quantity: String,
    /// 単価.
    pub unit_price: String,
    /// 金額 as plain digits (for the correction field).
    pub amount: String,
    /// What the quote wrote instead of a figure (別途, サービス), shown beside the amount.
    pub amount_text: Option<String>,
    /// The sheet the line came from, for a quote read from several.
    pub sheet: Option<String>,
    /// Eligibility label.
    pub eligibility: String,
    /// Flags: (code, severity label, message).
    pub flags: Vec<(String, String, String)>,
}

/// The preview of an uploaded quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    /// Draft token.
    pub token: String,
    /// Facility.
    pub facility_id: i64,
    /// File name.
    pub file_name: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Vendor read from the file.
    pub vendor_in_file: Option<String>,
    /// Why the vendor read from the file cannot be registered as it is (a character the PDF
    /// or a CP932 CSV cannot show, too long): the file is kept as uploaded and the name is
    /// offered for correction with this message beside it.
    pub vendor_in_file_problem: Option<String>,
    /// 見積日.
    pub quote_date: Option<String>,
    /// Lines.
    pub lines: Vec<DraftLine>,
    /// Quote-level flags: (code, severity label, message).
    pub flags: Vec<(String, String, String)>,
    /// Written totals (subtotal, tax, total).
    pub written: [Option<String>; 3],
    /// Computed totals (subtotal, tax, total, eligible total).
    pub computed: [String; 4],
    /// Scheme name, subsidy and 自己負担 with its parts in one line (shown when there is no
    /// settlement).
    pub subsidy: (String, String, String),
    /// The subsidy and 自己負担 in full, from the facility's own facts.
    pub settlement: Option<crate::api::settlement_view::SettlementView>,
    /// Notes on how the subsidy was computed (the settlement's assumptions are in it, not here).
    pub notes: Vec<String>,
    /// Vendors: (id, name).
    pub vendors: Vec<(i64, String)>,
    /// What the reader left out of the file (hidden sheets, rows, columns).
    pub left_out: Vec<String>,
    /// How each item table of the file was understood.
    pub reading: Vec<rules::quote::TableReading>,
    /// Amounts the file writes outside its item tables as their sum (表紙の御見積金額).
    pub summary: Vec<rules::quote::SummaryAmount>,
    /// For a scan or a photo read by OCR: what to check against the pictures.
    pub scan: Option<ScanView>,
    /// Findings held back until the scan's reading is checked: (row, 0 for the whole quote;
    /// message).
    pub reading_checks: Vec<(u32, String)>,
}

/// How a scan was read, for the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanView {
    /// The OCR engine (「Tesseract 5.3.0（日本語）」).
    pub engine: String,
    /// Cells to check: (row, cell code, cell label, what was read, why).
    pub checks: Vec<(u32, String, String, String, String)>,
    /// Rows that have a picture (`/quotes/drafts/{token}/rows/{row}`).
    pub pictures: Vec<u32>,
}

impl ScanView {
    /// Why to check a cell of `row` (by its code: 「amount」, 「unit_price」), if it is marked.
    pub fn why(&self, row: u32, cell: &str) -> Option<String> {
        let whys: Vec<&str> = self.checks.iter().filter(|c| c.0 == row && c.1 == cell).map(|c| c.4.as_str()).collect();
        (!whys.is_empty()).then(|| whys.join("。"))
    }
}

#[cfg(feature = "ssr")]
struct Draft {
    facility_id: i64,
    file_name: String,
    sha256: String,
    bytes: Vec<u8>,
    quote: rules::quote::Quote,
}

#[cfg(feature = "ssr")]
async fn load_draft(pool: &sqlx::SqlitePool, user: &crate::SessionUser, token: &str) -> Result<Draft, UiError> {
    use crate::ssr::context::internal;
    let row: Option<(i64, i64, String, String, Vec<u8>, String)> = sqlx::query_as(
        "SELECT facility_id, user_id, file_name, file_sha256, file_bytes, parsed_json FROM quote_drafts WHERE token = ?",
    )
    .bind(token)
    .fetch_optional(pool)
    .await
    .map_err(internal)?;
    // Only the uploader sees a draft; to anyone else it does not exist.
    let (facility_id, owner, file_name, sha256, bytes, json) =
        row.filter(|r| r.1 == user.id).ok_or(UiError::NotFound)?;
    let _ = owner;
    crate::ssr::db::provisioning::facility_in_scope(pool, &user.scope, facility_id).await?;
    let quote = serde_json::from_str(&json).map_err(internal)?;
    Ok(Draft { facility_id, file_name, sha256, bytes, quote })
}

#[cfg(feature = "ssr")]
async fn audit_of(
    pool: &sqlx::SqlitePool,
    user: &crate::SessionUser,
    facility_id: i64,
    quote: &rules::quote::Quote,
) -> Result<rules::audit::AuditReport, UiError> {
    use crate::ssr::{context::internal, db};
    use rules::audit::{AuditContext, audit};
    // As the stored quote's page: the facility's own dates decide the scheme.
    let facts = db::provisioning::facts_in_scope(pool, &user.scope, facility_id).await?;
    let kind = facts.facility_type;
    let ctx = AuditContext::of_facility(&facts);
    let bench = db::benchmarks::stored(pool).await.map_err(internal)?;
    let peers = db::peers::for_facility_type(pool, kind).await.map_err(internal)?;
    Ok(audit(quote, &ctx, &bench, &peers, rules::classify::Classifier::builtin(), rules::scheme::Catalog::builtin()))
}

/// The preview of a draft the user uploaded.
#[server(prefix = "/api", endpoint = "quote_draft")]
pub async fn quote_draft(token: String) -> Result<DraftView, UiError> {
    use crate::ssr::{context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    let d = load_draft(&pool, &user, &token).await?;
    let r = audit_of(&pool, &user, d.facility_id, &d.quote).await?;
    let flag = |f: &rules::audit::Flag| (f.code.code().to_owned(), f.severity.label_ja().to_owned(), f.message.clone());
    let yen = |y: Option<rules::Yen>| y.map(|y| y.to_string());
    Ok(DraftView {
        facility_id: d.facility_id,
        file_name: d.file_name,
        sha256: d.sha256,
        vendor_in_file_problem: d
            .quote
            .vendor
            .as_deref()
            .and_then(|v| checked_vendor_name(v, "new_vendor").err())
            .and_then(|e| e.field("new_vendor")),
        vendor_in_file: d.quote.vendor.clone(),
        quote_date: d.quote.quote_date.map(rules::format_wareki_with_western),
        lines: r
            .lines
            .iter()
            .zip(&d.quote.lines)
            .map(|(l, read)| DraftLine {
                row: l.row,
                description: l.description.clone(),
                category: l.category.code().to_owned(),
                confidence: l.confidence,
                quantity: format!(
                    "{}{}",
                    l.quantity.map(|q| q.normalize().to_string()).unwrap_or_default(),
                    l.unit.clone().unwrap_or_default()
                ),
                unit_price: yen(l.unit_price).unwrap_or_default(),
                amount: l.amount.map(|a| a.amount().normalize().to_string()).unwrap_or_default(),
                amount_text: read.amount_text.clone(),
                sheet: read.sheet.clone(),
                eligibility: l.eligibility.label_ja().to_owned(),
                flags: l.flags.iter().map(flag).collect(),
            })
            .collect(),
        flags: r.flags.iter().map(flag).collect(),
        written: [yen(r.written.subtotal), yen(r.written.tax), yen(r.written.total)],
        computed: [r.computed.subtotal, r.computed.tax, r.computed.total, r.computed.eligible_total]
            .map(|y| y.to_string()),
        subsidy: (
            r.subsidy.scheme_name.clone().unwrap_or_else(|| "該当なし".into()),
            r.subsidy.amount.to_string(),
            crate::api::quote_audit::burden_line(&r),
        ),
        settlement: r.settlement.as_ref().map(|s| crate::api::settlement_view::SettlementView::of(s, context::today())),
        notes: crate::api::quote_audit::notes_besides_assumptions(&r),
        left_out: d.quote.left_out.clone(),
        reading: d.quote.reading.clone(),
        summary: d.quote.summary.clone(),
        scan: match &d.quote.scan {
            Some(scan) => Some(ScanView {
                engine: scan.engine.clone(),
                checks: scan
                    .checks
                    .iter()
                    .map(|c| {
                        let code = serde_json::to_value(c.cell).ok().and_then(|v| v.as_str().map(str::to_owned));
                        (c.row, code.unwrap_or_default(), c.cell.label_ja().to_owned(), c.read.clone(), c.why.clone())
                    })
                    .collect(),
                pictures: sqlx::query_scalar::<_, i64>(
                    "SELECT row FROM quote_draft_pictures WHERE token = ? ORDER BY row",
                )
                .bind(&token)
                .fetch_all(&pool)
                .await
                .map_err(context::internal)?
                .into_iter()
                .filter_map(|r| u32::try_from(r).ok())
                .collect(),
            }),
            None => None,
        },
        reading_checks: r.reading_checks.iter().map(|c| (c.row, c.message.clone())).collect(),
        vendors: db::provisioning::vendors(&pool, user.id).await.map_err(context::internal)?,
        token,
    })
}

/// Confirms a draft: applies the corrections (`category[row]`, `amount[row]`),
/// stores the quote, its lines and its file in one transaction, records it.
#[server(prefix = "/api", endpoint = "confirm_quote")]
pub async fn confirm_quote(
    token: String,
    vendor_id: String,
    new_vendor: String,
    category: Option<BTreeMap<String, String>>,
    amount: Option<BTreeMap<String, String>>,
) -> Result<(), UiError> {
    use crate::ssr::audit_log::Actor;
    use crate::ssr::context;
    use rules::category::Category;
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    let d = load_draft(&pool, &user, &token).await?;
    let mut quote = d.quote.clone();
    let (category, amount) = (category.unwrap_or_default(), amount.unwrap_or_default());
    let mut errors = Vec::new();
    let classifier = rules::classify::Classifier::builtin();
    // (category, parsed category if corrected, parsed amount if corrected) per line.
    let mut chosen: Vec<(Category, Option<String>, Option<String>)> = Vec::new();
    // A refused table comes back with every correction as typed; what was left as read comes
    // back from the draft (the values travel in the URL when the page is used without JavaScript).
    let mut typed = vec![("vendor_id".to_owned(), vendor_id.clone()), ("new_vendor".to_owned(), new_vendor.clone())];
    for line in &mut quote.lines {
        let key = line.row.to_string();
        let parsed = classifier.classify(line).category;
        if let Some(c) = category.get(&key).filter(|c| **c != parsed.code()) {
            typed.push((format!("category[{key}]"), c.clone()));
        }
        if let Some(t) = amount.get(&key).filter(|t| rules::Yen::parse(t).ok() != line.effective_amount()) {
            typed.push((format!("amount[{key}]"), t.clone()));
        }
        let cat = match category.get(&key).map(|c| c.parse::<Category>()) {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                errors.push((format!("category[{key}]"), e.to_string()));
                parsed
            }
            None => parsed,
        };
        let mut parsed_amount = None;
        if let Some(text) = amount.get(&key).map(|t| t.trim()).filter(|t| !t.is_empty()) {
            match rules::Yen::parse(text) {
                Ok(y) if Some(y) != line.effective_amount() => {
                    parsed_amount =
                        Some(line.effective_amount().map(|a| a.amount().normalize().to_string()).unwrap_or_default());
                    line.amount = Some(y);
                }
                Ok(_) => {}
                Err(e) => errors.push((format!("amount[{key}]"), format!("{}行目の金額: {e}", line.row))),
            }
        }
        chosen.push((cat, (cat != parsed).then(|| parsed.code().to_owned()), parsed_amount));
    }
    if !errors.is_empty() {
        return Err(UiError::Fields(errors).keeping(typed));
    }
    let actor = Actor::user(user.id, user.email.clone());
    let file = StoredFile { name: &d.file_name, sha256: &d.sha256, bytes: &d.bytes };
    let quote_id = store(
        &pool,
        &actor,
        user.id,
        d.facility_id,
        VendorChoice { id: &vendor_id, new_name: &new_vendor },
        Some(file),
        &quote,
        &chosen,
        Some(&token),
    )
    .await
    .map_err(|e| e.keeping([("vendor_id", vendor_id.clone()), ("new_vendor", new_vendor.clone())]))?;
    leptos_axum::redirect(&format!("/quotes/{quote_id}"));
    Ok(())
}

/// Vendors one user may have waiting for an admin's review (Onshi's own bound: a clinic
/// deals with a handful of vendors).
pub const MAX_VENDORS_AWAITING_REVIEW: i64 = 10;

/// A vendor name typed by a manager, checked before it joins the list every corporation sees.
#[cfg(feature = "ssr")]
fn new_vendor_name(name: &str) -> Result<rules::printable_name::PrintableName, UiError> {
    checked_vendor_name(name, "new_vendor")
}

/// A vendor name that prints (`rules::printable_name`: one line, within its length, characters
/// the PDF and a CP932 CSV show), or a form error on `field`.
#[cfg(feature = "ssr")]
pub fn checked_vendor_name(name: &str, field: &str) -> Result<rules::printable_name::PrintableName, UiError> {
    use rules::printable_name::{NameKind, PrintableName};
    PrintableName::parse(name, NameKind::Vendor).map_err(|e| UiError::Fields(vec![(field.to_owned(), e.to_string())]))
}

/// What a second confirm of the same draft is told.
pub const ALREADY_CONFIRMED: &str =
    "この見積書は既に登録済みです（同じ確認が2回送信されました）。施設のページの見積書一覧で確認してください。";

/// The uploaded file stored with a quote.
#[cfg(feature = "ssr")]
pub struct StoredFile<'a> {
    /// The file's name as uploaded.
    pub name: &'a str,
    /// Its SHA-256, in hex.
    pub sha256: &'a str,
    /// Its bytes, kept as the evidence.
    pub bytes: &'a [u8],
}

/// A vendor picked from the registry (`id`) or typed (`new_name`).
#[cfg(feature = "ssr")]
pub struct VendorChoice<'a> {
    /// A registered vendor's id, or empty.
    pub id: &'a str,
    /// A vendor's name as typed, registered on the way; or empty.
    pub new_name: &'a str,
}

/// Stores a confirmed quote — its lines, its file if any, its audit-trail
/// row — and deletes its draft, in one transaction. `chosen` holds per line the
/// category and what the parser had read when the facility corrected it.
#[cfg(feature = "ssr")]
#[expect(clippy::too_many_arguments, reason = "the parts of one quote")]
pub async fn store(
    pool: &sqlx::SqlitePool,
    actor: &crate::ssr::audit_log::Actor,
    user_id: i64,
    facility_id: i64,
    vendor: VendorChoice<'_>,
    file: Option<StoredFile<'_>>,
    quote: &rules::quote::Quote,
    chosen: &[(rules::category::Category, Option<String>, Option<String>)],
    draft_token: Option<&str>,
) -> Result<i64, UiError> {
    use crate::ssr::audit_log::{self, Change};
    use crate::ssr::context::internal;
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    // The draft is consumed first, inside the transaction that holds the write lock: of two
    // confirms of one draft sent at once, exactly one finds it and stores the quote.
    if let Some(token) = draft_token {
        let consumed = sqlx::query("DELETE FROM quote_drafts WHERE token = ? AND user_id = ?")
            .bind(token)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?
            .rows_affected();
        if consumed != 1 {
            return Err(UiError::Conflict(ALREADY_CONFIRMED.into()));
        }
    }
    let vendor: Option<i64> = match (vendor.id.trim().parse::<i64>().ok(), vendor.new_name.trim()) {
        (Some(id), _) => {
            let known: Option<i64> =
                sqlx::query_scalar("SELECT id FROM vendors WHERE id = ? AND (reviewed = 1 OR added_by = ?)")
                    .bind(id)
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(internal)?;
            Some(known.ok_or_else(|| {
                UiError::Fields(vec![(
                    "vendor_id".into(),
                    "選んだ事業者が登録されていません。一覧から選び直すか、事業者名を入力してください。".into(),
                )])
            })?)
        }
        (None, "") => None,
        (None, name) => {
            let name = new_vendor_name(name)?;
            let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM vendors WHERE added_by = ? AND reviewed = 0")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal)?;
            if waiting >= MAX_VENDORS_AWAITING_REVIEW {
                return Err(UiError::Fields(vec![(
                    "new_vendor".into(),
                    format!(
                        "確認待ちの事業者が{MAX_VENDORS_AWAITING_REVIEW}件あります。運用管理者の確認が済むまで、一覧から選ぶか、事業者名を空欄にして登録してください。"
                    ),
                )]));
            }
            Some(
                sqlx::query_scalar(
                    "INSERT INTO vendors (code, name, source, added_by, reviewed) VALUES (?, ?, 'Onshi の利用者が登録', ?, 0)
                     ON CONFLICT (code) DO UPDATE SET name = name RETURNING id",
                )
                .bind(format!("user_{name}"))
                .bind(name.as_str())
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal)?,
            )
        }
    };
    let quote_id: i64 = sqlx::query_scalar(
        "INSERT INTO quotes (facility_id, vendor_id, file_name, file_sha256, quote_date, tax_inclusive, confirmed, created_by,
                             written_subtotal, written_tax, written_tax_included, written_total, written_summary)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(facility_id)
    .bind(vendor)
    .bind(file.as_ref().map_or("手入力", |f| f.name))
    .bind(file.as_ref().map(|f| f.sha256))
    .bind(quote.quote_date.map(|q| q.format("%Y-%m-%d").to_string()))
    .bind(quote.tax_inclusive)
    .bind(user_id)
    .bind(quote.written.subtotal.map(|w| w.amount.amount().normalize().to_string()))
    .bind(quote.written.tax.map(|w| w.amount.amount().normalize().to_string()))
    .bind(quote.written.tax_included_in_total)
    .bind(quote.written.total.map(|w| w.amount.amount().normalize().to_string()))
    .bind(crate::ssr::db::quotes::summary_json(&quote.summary))
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    if let Some(f) = &file {
        sqlx::query("INSERT INTO quote_files (quote_id, bytes) VALUES (?, ?)")
            .bind(quote_id)
            .bind(f.bytes)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    let mut corrections = Vec::new();
    for (position, (line, (cat, parsed_cat, parsed_amount))) in quote.lines.iter().zip(chosen).enumerate() {
        let kind = match line.kind {
            rules::quote::LineKind::Item => "item",
            rules::quote::LineKind::Discount => "discount",
        };
        let plain = |y: Option<rules::Yen>| y.map(|y| y.amount().normalize().to_string());
        sqlx::query(
            "INSERT INTO quote_lines (quote_id, position, sheet_row, kind, description, spec, category, quantity, unit,
                                      unit_price, amount, comparable_price, note, parsed_category, parsed_amount,
                                      amount_text, sheet)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(quote_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(i64::from(line.row))
        .bind(kind)
        .bind(&line.description)
        .bind(&line.spec)
        .bind(cat.code())
        .bind(line.quantity.map(|q| q.normalize().to_string()))
        .bind(line.unit.as_ref().map(|u| u.label_ja().to_owned()))
        .bind(plain(line.unit_price))
        .bind(plain(line.effective_amount()))
        .bind(plain(rules::audit::comparable_price(line, *cat)))
        .bind(&line.note)
        .bind(parsed_cat)
        .bind(parsed_amount)
        .bind(&line.amount_text)
        .bind(&line.sheet)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        if parsed_cat.is_some() || parsed_amount.is_some() {
            corrections.push(serde_json::json!({"row": line.row, "category_from": parsed_cat, "category_to": cat.code(),
                                                "amount_from": parsed_amount, "amount_to": plain(line.effective_amount())}));
        }
    }
    let change = Change {
        action: "create",
        entity: "quote",
        entity_id: quote_id.to_string(),
        before: None,
        after: Some(serde_json::json!({"facility_id": facility_id, "file_name": file.as_ref().map(|f| f.name),
                               "file_sha256": file.as_ref().map(|f| f.sha256),
                               "lines": quote.lines.len(), "vendor_id": vendor, "corrections": corrections})),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(quote_id)
}

/// One hand-entered line (all text, as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualLine {
    /// 品名.
    #[serde(default)]
    pub description: String,
    /// Category code.
    #[serde(default)]
    pub category: String,
    /// 数量.
    #[serde(default)]
    pub quantity: String,
    /// 単位.
    #[serde(default)]
    pub unit: String,
    /// 単価.
    #[serde(default)]
    pub unit_price: String,
    /// 金額 (quantity × price when empty).
    #[serde(default)]
    pub amount: String,
}

/// Stores a quote entered by hand (`lines[n][field]`; blank rows are skipped).
#[server(prefix = "/api", endpoint = "enter_quote")]
pub async fn enter_quote(
    facility_id: i64,
    vendor_id: String,
    new_vendor: String,
    quote_date: String,
    lines: Option<BTreeMap<String, ManualLine>>,
) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    use rules::category::Category;
    use rules::quote::{LineKind, Quote, QuoteLine, Unit};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::provisioning::facility_in_scope(&pool, &user.scope, facility_id).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let date = match quote_date.trim() {
        "" => None,
        t => rules::parse_date(t).map_err(|e| errors.push(("quote_date".into(), e.to_string()))).ok(),
    };
    let mut rows: Vec<(usize, ManualLine)> =
        lines.unwrap_or_default().into_iter().filter_map(|(k, v)| k.parse::<usize>().ok().map(|k| (k, v))).collect();
    rows.sort_by_key(|(k, _)| *k);
    // A refused form comes back with every line as typed (blank cells left out: the values
    // travel in the URL when the page is used without JavaScript).
    let mut typed: Vec<(String, String)> =
        [("vendor_id", &vendor_id), ("new_vendor", &new_vendor), ("quote_date", &quote_date)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect();
    for (n, l) in &rows {
        let cells = [
            ("description", &l.description),
            ("category", &l.category),
            ("quantity", &l.quantity),
            ("unit", &l.unit),
            ("unit_price", &l.unit_price),
            ("amount", &l.amount),
        ];
        let filled = cells.iter().any(|(f, v)| *f != "category" && !v.trim().is_empty());
        typed.extend(
            filled.then_some(cells).into_iter().flatten().map(|(f, v)| (format!("lines[{n}][{f}]"), v.clone())),
        );
    }
    let mut quote = Quote { quote_date: date, ..Quote::default() };
    let mut chosen = Vec::new();
    for (n, l) in rows {
        let row = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if l.description.trim().is_empty() {
            let filled = [&l.quantity, &l.unit, &l.unit_price, &l.amount].iter().any(|v| !v.trim().is_empty());
            if filled {
                errors.push((format!("lines[{n}][description]"), format!("{row}行目: 品名を入力してください")));
            }
            continue;
        }
        let money = |field: &str, text: &str, errors: &mut Vec<(String, String)>| match text.trim() {
            "" => None,
            t => rules::Yen::parse(t)
                .map_err(|e| errors.push((format!("lines[{n}][{field}]"), format!("{row}行目: {e}"))))
                .ok(),
        };
        let quantity = match l.quantity.trim() {
            "" => None,
            t => t
                .parse()
                .map_err(|_| {
                    errors.push((format!("lines[{n}][quantity]"), format!("{row}行目: 数量は数字で入力してください")))
                })
                .ok(),
        };
        let category = l.category.parse::<Category>().unwrap_or(Category::Other);
        let amount = money("amount", &l.amount, &mut errors);
        let unit_price = money("unit_price", &l.unit_price, &mut errors);
        if l.amount.trim().is_empty() && l.unit_price.trim().is_empty() {
            errors.push((format!("lines[{n}][amount]"), format!("{row}行目: 金額か単価を入力してください")));
        }
        quote.lines.push(QuoteLine {
            row,
            description: l.description.trim().to_owned(),
            spec: None,
            quantity,
            unit: Unit::parse(&l.unit),
            unit_price,
            list_price: None,
            amount,
            note: None,
            kind: if category == Category::Discount { LineKind::Discount } else { LineKind::Item },
            amount_text: None,
            sheet: None,
        });
        chosen.push((category, None, None));
    }
    if quote.lines.is_empty() && errors.is_empty() {
        errors
            .push(("lines[0][description]".into(), "明細を1行以上入力してください（品名が空の行は読みません）".into()));
    }
    if !errors.is_empty() {
        return Err(UiError::Fields(errors).keeping(typed));
    }
    let actor = Actor::user(user.id, user.email.clone());
    let vendor = VendorChoice { id: &vendor_id, new_name: &new_vendor };
    let id = store(&pool, &actor, user.id, facility_id, vendor, None, &quote, &chosen, None)
        .await
        .map_err(|e| e.keeping([("vendor_id", vendor_id.clone()), ("new_vendor", new_vendor.clone())]))?;
    leptos_axum::redirect(&format!("/quotes/{id}"));
    Ok(())
}
