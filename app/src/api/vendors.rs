//! Server functions of the vendor pages: one vendor's record, and the league table.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A vendor's record within the user's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorStats {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Quotes seen.
    pub quotes: usize,
    /// Flags by code label: (label, count).
    pub flags: Vec<(String, usize)>,
    /// Total flags.
    pub flag_total: usize,
    /// Median ratio of price to the benchmark ceiling by category: (label, ratio "1.35", lines).
    pub ratios: Vec<(String, String, usize)>,
    /// Median ratio over all benchmarked lines.
    pub overall_ratio: Option<String>,
    /// Complaints by status: (label, count).
    pub complaints: Vec<(String, usize)>,
    /// Total complaints.
    pub complaint_total: usize,
}

#[cfg(feature = "ssr")]
fn median(mut v: Vec<rust_decimal::Decimal>) -> Option<rust_decimal::Decimal> {
    if v.is_empty() {
        return None;
    }
    v.sort();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / rust_decimal::Decimal::from(2) })
}

#[cfg(feature = "ssr")]
async fn record(
    pool: &sqlx::SqlitePool,
    user: &crate::SessionUser,
    id: i64,
    name: String,
) -> Result<VendorStats, UiError> {
    use crate::ssr::db::scope::push_scope;
    use crate::ssr::{context::internal, db};
    use rules::category::Category;
    use rust_decimal::Decimal;
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT q.id FROM quotes q JOIN facilities f ON f.id = q.facility_id WHERE q.confirmed = 1 AND q.vendor_id = ",
    );
    qb.push_bind(id);
    push_scope(&mut qb, &user.scope, "f");
    let quote_ids: Vec<i64> = qb.build_query_scalar().fetch_all(pool).await.map_err(internal)?;
    let bench = db::benchmarks::stored(pool).await.map_err(internal)?;
    let mut flags: Vec<(String, usize)> = Vec::new();
    let mut ratios: Vec<(Category, Vec<Decimal>)> = Vec::new();
    for q in &quote_ids {
        let a = crate::api::quote_audit::quote_audit(*q).await?;
        for f in a.flags.iter().chain(a.lines.iter().flat_map(|l| l.flags.iter())) {
            match flags.iter_mut().find(|(c, _)| *c == f.label) {
                Some((_, n)) => *n += 1,
                None => flags.push((f.label.clone(), 1)),
            }
        }
        let kind: String = sqlx::query_scalar(
            "SELECT f.facility_type FROM quotes q JOIN facilities f ON f.id = q.facility_id WHERE q.id = ?",
        )
        .bind(q)
        .fetch_one(pool)
        .await
        .map_err(internal)?;
        let kind = kind.parse::<rules::FacilityType>().map_err(internal)?;
        let lines: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT category, comparable_price FROM quote_lines WHERE quote_id = ?")
                .bind(q)
                .fetch_all(pool)
                .await
                .map_err(internal)?;
        for (cat, price) in lines {
            let (Ok(c), Some(p)) = (cat.parse::<Category>(), price.as_deref().and_then(|p| rules::Yen::parse(p).ok()))
            else {
                continue;
            };
            let Some(range) = bench.price_range(c, kind) else { continue };
            if range.high.amount().is_zero() {
                continue;
            }
            let ratio = p.amount() / range.high.amount();
            match ratios.iter_mut().find(|(x, _)| *x == c) {
                Some((_, v)) => v.push(ratio),
                None => ratios.push((c, vec![ratio])),
            }
        }
    }
    let all: Vec<Decimal> = ratios.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT c.status FROM complaints c JOIN facilities f ON f.id = c.facility_id WHERE c.vendor_id = ",
    );
    qb.push_bind(id);
    push_scope(&mut qb, &user.scope, "f");
    let statuses: Vec<String> = qb.build_query_scalar().fetch_all(pool).await.map_err(internal)?;
    let mut complaints: Vec<(String, usize)> = Vec::new();
    for s in &statuses {
        let label = s.parse::<rules::complaint::ComplaintStatus>().map(|s| s.label_ja().to_owned()).unwrap_or_default();
        match complaints.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => complaints.push((label, 1)),
        }
    }
    Ok(VendorStats {
        id,
        name,
        quotes: quote_ids.len(),
        flag_total: flags.iter().map(|(_, n)| n).sum(),
        flags,
        ratios: ratios
            .into_iter()
            .map(|(c, v)| {
                let n = v.len();
                (c.label_ja().to_owned(), median(v).map(|m| format!("{:.2}", m.round_dp(2))).unwrap_or_default(), n)
            })
            .collect(),
        overall_ratio: median(all).map(|m| format!("{:.2}", m.round_dp(2))),
        complaint_total: statuses.len(),
        complaints,
    })
}

/// One vendor's record in the user's scope.
#[server(prefix = "/api", endpoint = "vendor_record")]
pub async fn vendor_record(id: i64) -> Result<VendorStats, UiError> {
    use crate::ssr::context;
    let user = context::require_permission(rules::access::Permission::ReadFacilities)?;
    let pool = context::pool()?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM vendors WHERE id = ?")
        .bind(id)
        .fetch_optional(&pool)
        .await
        .map_err(context::internal)?;
    record(&pool, &user, id, name.ok_or(UiError::NotFound)?).await
}

/// The league table for reviewers (their prefecture) and auditors (national):
/// vendors with quotes or complaints in the scope, sorted by `sort`
/// (flags, ratio, complaints, quotes, name).
#[server(prefix = "/api", endpoint = "vendor_league")]
pub async fn vendor_league(sort: String) -> Result<Vec<VendorStats>, UiError> {
    use crate::ssr::context;
    let user = context::require_user()?;
    if !matches!(user.role, rules::Role::Reviewer | rules::Role::Auditor) {
        if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
            r.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(UiError::Forbidden);
    }
    let pool = context::pool()?;
    let vendors: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT v.id, v.name FROM vendors v
         WHERE EXISTS (SELECT 1 FROM quotes q WHERE q.vendor_id = v.id AND q.confirmed = 1)
            OR EXISTS (SELECT 1 FROM complaints c WHERE c.vendor_id = v.id)",
    )
    .fetch_all(&pool)
    .await
    .map_err(context::internal)?;
    let mut rows = Vec::new();
    for (id, name) in vendors {
        let r = record(&pool, &user, id, name).await?;
        if r.quotes > 0 || r.complaint_total > 0 {
            rows.push(r);
        }
    }
    let ratio = |r: &VendorStats| {
        r.overall_ratio.as_deref().and_then(|x| x.parse::<rust_decimal::Decimal>().ok()).unwrap_or_default()
    };
    match sort.as_str() {
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        "quotes" => rows.sort_by_key(|r| std::cmp::Reverse(r.quotes)),
        "complaints" => rows.sort_by_key(|r| std::cmp::Reverse(r.complaint_total)),
        "ratio" => rows.sort_by_key(|r| std::cmp::Reverse(ratio(r))),
        _ => rows.sort_by(|a, b| b.flag_total.cmp(&a.flag_total).then(a.name.cmp(&b.name))),
    }
    Ok(rows)
}
