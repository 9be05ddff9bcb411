//! `GET /dashboard/{chart}.csv`: the table behind one dashboard chart, as the page shows it
//! (same scope, same filters), for Excel.

use crate::error::AppError;
use crate::startup::AppState;
use app::SessionUser;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rules::access::Permission;
use std::collections::HashMap;

/// The chart's table as CSV (UTF-8 with BOM); 404 for an unknown chart, 400 for a bad filter.
pub async fn chart_csv(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let Some(Extension(user)) = user.filter(|Extension(u)| u.role.may(Permission::ReadFacilities)) else {
        return Err(AppError::Forbidden("ダッシュボードを見る権限がありません。"));
    };
    let id = file.strip_suffix(".csv").ok_or(AppError::NotFound("グラフ"))?;
    let field = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let filter = app::api::dashboard::parse_filter(field("type"), field("prefecture"), field("from"), field("to"))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let charts = app::api::dashboard::charts_for(&state.pool, &user.scope, &filter)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let chart = charts.iter().find(|c| c.id == id).ok_or(AppError::NotFound("グラフ"))?;
    let mut out = String::from(app::csv::BOM);
    let mut header_row = chart.columns.clone();
    header_row.push("区分".to_owned());
    app::csv::push_record(&mut out, &header_row);
    for row in &chart.rows {
        let kind = if row.published { "公表値" } else { "Onshiの登録データ" };
        // Counts and yen go out as plain numbers for Excel.
        let cells = row.cells.iter().map(|c| plain_number(c).unwrap_or_else(|| c.clone()));
        app::csv::push_record(&mut out, cells.chain(std::iter::once(kind.to_owned())));
    }
    let disposition = format!("attachment; filename=\"dashboard-{id}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}

/// `1,234` or `1,234円` → `1234`; anything else (labels, percentages) is left as it is.
fn plain_number(cell: &str) -> Option<String> {
    let digits = cell.trim_end_matches('円').replace(',', "");
    let body = digits.strip_prefix('-').unwrap_or(&digits);
    (!body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::plain_number;

    #[test]
    fn counts_and_yen_become_plain_numbers_and_labels_stay() {
        assert_eq!(plain_number("1,234"), Some("1234".into()));
        assert_eq!(plain_number("-20,000円"), Some("-20000".into()));
        assert_eq!(plain_number("57.6%"), None);
        assert_eq!(plain_number("病院"), None);
        assert_eq!(plain_number("—"), None);
    }
}
