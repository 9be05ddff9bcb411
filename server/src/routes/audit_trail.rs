//! `GET /audit-log.csv`: the audit trail as CSV for auditors, streamed in constant memory.

use crate::startup::AppState;
use app::SessionUser;
use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rules::access::Permission;
use std::collections::HashMap;

/// Streams the filtered trail (UTF-8 with BOM, Japanese headers); 403 for anyone but auditors.
pub async fn export_audit_log_csv(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !user.is_some_and(|Extension(u)| u.role.may(Permission::Audit)) {
        return (StatusCode::FORBIDDEN, "監査ログの書き出しは監査担当のみが行えます。\n").into_response();
    }
    let field = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let filter = match app::api::audit_trail::filter_from(
        field("entity"),
        field("actor"),
        field("action"),
        field("from"),
        field("to"),
    ) {
        Ok(f) => f,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    };
    let body = Body::from_stream(app::ssr::audit_log::csv_stream(state.pool.clone(), filter));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit-log.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
