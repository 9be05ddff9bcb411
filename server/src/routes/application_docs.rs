//! `GET /applications/{id}/package.pdf|csv|zip` and `GET /corporations/{id}/applications.zip`:
//! the 交付申請 documents (the zips with the scanned 領収書(写)), for users whose scope reaches
//! the facility (404 otherwise).

use crate::error::AppError;
use crate::startup::AppState;
use app::SessionUser;
use app::application_document::package_csv;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rules::access::Permission;
use rules::application::Package;
use std::collections::HashMap;

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn reader(user: Option<Extension<SessionUser>>) -> Result<SessionUser, AppError> {
    match user {
        Some(Extension(u)) if u.role.may(Permission::ReadFacilities) => Ok(u),
        _ => Err(AppError::Forbidden("この書類を見る権限がありません。")),
    }
}

async fn stored_package(state: &AppState, user: &SessionUser, id: i64) -> Result<Package, AppError> {
    let record = app::ssr::db::applications::get(&state.pool, &user.scope, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound("交付申請"))?;
    serde_json::from_str(&record.package_json).map(Package::as_shown).map_err(internal)
}

/// The application's download: its PDF, CSV and scanned 領収書(写) in one zip.
pub async fn package_zip(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let user = reader(user)?;
    let package = stored_package(&state, &user, id).await?;
    let scans: Vec<(String, Vec<u8>)> = app::ssr::db::applications::receipt_scan_files(&state.pool, id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(scan, name, bytes)| (format!("領収書(写)_{scan}_{name}"), bytes))
        .collect();
    let bytes = blocking(move || crate::application_package::package_zip(&package, id, &scans)).await?;
    Ok(file(bytes, "application/zip", &format!("attachment; filename=\"application-{id}.zip\"")))
}

fn file(bytes: Vec<u8>, content_type: &'static str, disposition: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Runs a PDF or zip build off the async workers: a bundle of many facilities takes a while.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(internal)?.map_err(AppError::Internal)
}

/// The package of one application as a PDF.
pub async fn package_pdf(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let user = reader(user)?;
    let package = stored_package(&state, &user, id).await?;
    let bytes = blocking(move || crate::application_package::pdf(&package)).await?;
    Ok(file(bytes, "application/pdf", &format!("inline; filename=\"application-{id}.pdf\"")))
}

/// The package of one application as CSV (UTF-8 with BOM).
pub async fn package_csv_file(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let user = reader(user)?;
    let package = stored_package(&state, &user, id).await?;
    let disposition = format!("attachment; filename=\"application-{id}.csv\"");
    Ok(file(package_csv(&package).into_bytes(), "text/csv; charset=utf-8", &disposition))
}

/// The 一括申請 bundle of a corporation as of `?applied_on=` (default today): a PDF per
/// eligible facility and a summary CSV of all, with the reasons of those not eligible.
pub async fn corporation_bundle(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let user = reader(user)?;
    let applied_on = match q.get("applied_on").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => app::ssr::context::today(),
        Some(text) => rules::parse_date(text).map_err(|e| AppError::BadRequest(format!("申請日: {e}")))?,
    };
    let entries = app::api::applications::bulk_entries(&state.pool, &user.scope, id, applied_on)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound("法人"))?;
    let bytes = blocking(move || crate::application_package::bundle(&entries)).await?;
    let disposition = format!("attachment; filename=\"applications-{id}-{applied_on}.zip\"");
    Ok(file(bytes, "application/zip", &disposition))
}
