//! `GET /exports/{list}.csv` and `GET /audit-log.csv`: every list and the audit trail as CSV,
//! streamed in constant memory, in UTF-8 with BOM or `?encoding=sjis` (CP932) for older Excel.
//!
//! The rows, columns and streaming are in `app::ssr::exports`; this is the HTTP edge:
//! 404 for an unknown list, 403 for a role that may not export it, 400 for a bad
//! parameter, 404 for a `?facility=` or `?quote=` outside the user's scope. Both
//! handlers answer with the same headers (`download`).

use crate::error::AppError;
use crate::startup::AppState;
use app::SessionUser;
use app::csv::Charset;
use app::ssr::exports::{self, Filter, List};
use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rules::access::Permission;
use std::collections::HashMap;

/// The `?encoding=` of a request (400 for one the exports do not write).
fn charset(q: &HashMap<String, String>) -> Result<Charset, AppError> {
    Charset::from_query(q.get("encoding").map(String::as_str)).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// A streamed CSV download.
fn download(body: Body, charset: Charset, file_name: &str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(charset.content_type()));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Streams one list (`facilities`, `quotes`, `quote_lines`, `complaints`,
/// `applications`, `vendors`) in the user's scope, optionally narrowed by
/// `?facility=ID` or `?quote=ID`, in UTF-8 with BOM or `?encoding=sjis`.
pub async fn export_list_csv(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let Some(Extension(user)) = user else {
        return Err(AppError::Forbidden("ログインしてから書き出してください。"));
    };
    let list = file.strip_suffix(".csv").and_then(List::from_code).ok_or(AppError::NotFound("書き出す一覧"))?;
    if !list.may_export(user.role) {
        return Err(AppError::Forbidden("この一覧を書き出す権限がありません。"));
    }
    let charset = charset(&q)?;
    let given = |name: &str| q.get(name).map(String::as_str);
    let filter = Filter::parse(list, given("facility"), given("quote"))
        .and_then(|f| f.narrowed(list, given("type"), given("prefecture"), given("q")))
        .and_then(|f| f.in_status(list, given("status")))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    if !filter.in_scope(&state.pool, &user.scope).await? {
        return Err(AppError::NotFound(if filter.quote.is_some() { "見積書" } else { "施設" }));
    }
    let rows = exports::csv_stream(state.pool.clone(), user.scope, list, filter, charset);
    Ok(download(Body::from_stream(rows), charset, &list.file_name()))
}

/// `GET /audit-log.csv`: the audit trail for auditors (403 for anyone else),
/// narrowed by `?entity=`, `?actor=`, `?action=`, `?from=` and `?to=` (as
/// on `/audit-trail`), oldest first, in UTF-8 with BOM or `?encoding=sjis`.
pub async fn export_audit_log_csv(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    if !user.is_some_and(|Extension(u)| u.role.may(Permission::Audit)) {
        return Err(AppError::Forbidden("監査ログの書き出しは監査担当のみが行えます。"));
    }
    let field = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let filter = app::api::audit_trail::filter_from(
        field("entity"),
        field("actor"),
        field("action"),
        field("from"),
        field("to"),
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let charset = charset(&q)?;
    let rows = exports::audit_log_stream(state.pool.clone(), filter, charset);
    Ok(download(Body::from_stream(rows), charset, "audit-log.csv"))
}
