//! `GET /quotes/{id}/letter.pdf`: the letter to the vendor (お見積り内容についてのご確認とお願い)
//! as a PDF, as its facility's manager last saved it.
//!
//! The text is exactly the printable page's: the same server function builds it, run here
//! with the request's user and pool in its context, so scopes and roles apply unchanged.

use crate::startup::AppState;
use app::UiError;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;

/// Renders the letter of a quote in the user's scope.
pub async fn counter_offer_letter_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let owner = Owner::new();
    owner.with(|| {
        state.provide_context();
        provide_context(parts);
    });
    let letter = owner.with(|| ScopedFuture::new(app::api::letter::counter_offer_letter(id))).await;
    let letter = match letter {
        Ok(l) => l,
        Err(UiError::NotFound) => return (StatusCode::NOT_FOUND, "見積書が見つかりません。\n").into_response(),
        Err(UiError::Forbidden | UiError::Unauthenticated) => {
            return (StatusCode::FORBIDDEN, "この見積書の文書は作成できません。\n").into_response();
        }
        Err(UiError::Busy) => return busy(),
        Err(e) => return crate::error::AppError::Internal(e.to_string()).into_response(),
    };
    // A letter lists every flagged line: a quote of thousands is typeset off the async workers.
    let rendered = state
        .heavy
        .page(move |_| {
            let layout = crate::pdf::Layout::parse(crate::pdf::LETTER_LAYOUT).map_err(app::ssr::context::internal)?;
            crate::pdf::render(app::api::letter::TITLE, &layout, &letter.paragraphs)
                .map_err(app::ssr::context::internal)
        })
        .await;
    let bytes = match rendered {
        Ok(b) => b,
        Err(UiError::Busy) => return busy(),
        Err(e) => return crate::error::AppError::Internal(e.to_string()).into_response(),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"counter-offer-{id}.pdf\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// 503 when the letter could not be made in time, with when to ask again.
fn busy() -> Response {
    let mut res = (StatusCode::SERVICE_UNAVAILABLE, format!("{}\n", UiError::Busy)).into_response();
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(app::ssr::heavy_work::RETRY_AFTER_SECONDS));
    res
}
