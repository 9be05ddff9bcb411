//! Plain axum routes beside the Leptos pages: health, assets, the audit API, 404.

pub mod application_docs;
pub mod application_receipts;
pub mod audit;
pub mod dashboard_csv;
pub mod exports;
pub mod letter_pdf;
pub mod quote_upload;
pub mod registry_import;

use crate::error::AppError;
use crate::startup::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /healthz`: 200 once the database answers a query.
pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, AppError> {
    let one: i64 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&state.pool)
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    debug_assert_eq!(one, 1);
    Ok("ok\n")
}

/// `GET /assets/onshi.css`: the stylesheet compiled into the binary.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        app::STYLESHEET,
    )
}

/// Any path no route answers: the app renders its Japanese 404 page (status 404).
pub async fn not_found(State(state): State<AppState>, req: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    let context = state.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || context.provide_context(),
        move || app::shell(options.clone()),
    );
    render(req).await.into_response()
}
