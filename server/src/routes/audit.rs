//! `POST /api/audit`: the quote audit over HTTP (multipart `file` plus the facility's facts).

use crate::config::FactsArgs;
use crate::quote_audit::{AuditDocument, audit_file_until};
use crate::startup::AppState;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use quote_reader::ReadError;
use rules::audit::AuditContext;
use rules::{FacilityType, GraceType, parse_date};
use serde::Serialize;

/// The request body may carry the 20 MB file plus the form around it.
pub const BODY_LIMIT: usize = 21 * 1024 * 1024;

/// The answer to a request body over [`BODY_LIMIT`] (413, RFC 9110 §15.5.14), on both upload routes.
pub const BODY_TOO_LARGE: &str = "ファイルが大きすぎます（上限20MB）。見積書のシートだけを別のファイルに保存するなどして小さくしてから、もう一度アップロードしてください。";

/// The answer to a request body that is not the form a browser sends (a broken or cut multipart body).
pub const BODY_UNREADABLE: &str =
    "送信されたデータを読み取れませんでした。ページを開き直して、ファイルを選び、もう一度送信してください。";

/// The status and message for a multipart body that could not be read: 413 when it ran
/// past the body limit, 400 otherwise. The parser's own words stay in the log.
pub fn body_error(e: &axum::extract::multipart::MultipartError) -> (StatusCode, &'static str) {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        (StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE)
    } else {
        tracing::info!(error = %e, "an upload's body could not be read");
        (StatusCode::BAD_REQUEST, BODY_UNREADABLE)
    }
}

/// An error answer: what is wrong and where.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet: Option<String>,
    /// A PDF's page; `row` then counts that page's lines of text.
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<String>,
}

fn field_error(field: &'static str, message: impl Into<String>) -> Response {
    field_error_with(StatusCode::BAD_REQUEST, field, message)
}

fn field_error_with(status: StatusCode, field: &'static str, message: impl Into<String>) -> Response {
    let body = ErrorBody {
        error: message.into(),
        field: Some(field),
        file: None,
        sheet: None,
        page: None,
        row: None,
        column: None,
    };
    (status, Json(body)).into_response()
}

fn read_error(e: &ReadError) -> Response {
    let status = if matches!(e.kind, quote_reader::ReadErrorKind::TooLarge { .. }) {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = ErrorBody {
        error: e.to_string(),
        field: Some("file"),
        file: Some(e.file.clone()),
        sheet: e.sheet.clone(),
        page: e.page,
        row: e.row,
        column: e.column.as_deref().map(str::to_owned),
    };
    (status, Json(body)).into_response()
}

/// A date field of the form, parsed (None when left empty), or what to fix.
fn day_field(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_date(text).map(Some).map_err(|e| e.to_string())
}

/// `POST /api/audit` (multipart): `file`, `facility_type`, optional `readers`,
/// `reader_applied_on` and the facility's other facts as `onshi audit` takes them
/// (`model_undecided`, `model_chosen_on`, `bulk_declared_on`, `vendor_contract_on`,
/// `completed_on`, `operation_started_on`, `grace_type`). Answers the audit JSON with its
/// settlement, or 400/413/422 with what to fix.
pub async fn audit_quote(State(state): State<AppState>, mut multipart: Multipart) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut facility_type = None;
    let mut readers = None;
    let mut reader_applied_on = None;
    let mut facts = FactsArgs::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let (status, message) = body_error(&e);
                return field_error_with(status, "file", message);
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("見積書").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((file_name, bytes.to_vec())),
                    Err(e) => {
                        let (status, message) = body_error(&e);
                        return field_error_with(status, "file", message);
                    }
                }
            }
            "facility_type"
            | "readers"
            | "reader_applied_on"
            | "model_undecided"
            | "model_chosen_on"
            | "bulk_declared_on"
            | "vendor_contract_on"
            | "completed_on"
            | "operation_started_on"
            | "grace_type" => {
                let Ok(text) = field.text().await else {
                    return field_error("form", format!("{name} を読み取れません"));
                };
                let text = text.trim().to_owned();
                match name.as_str() {
                    "facility_type" => match text.parse::<FacilityType>() {
                        Ok(t) => facility_type = Some(t),
                        Err(e) => return field_error("facility_type", e.to_string()),
                    },
                    "readers" if !text.is_empty() => match text.parse::<u8>() {
                        Ok(n) if n >= 1 => readers = Some(n),
                        _ => return field_error("readers", "readers はカードリーダーの台数（1以上の整数）です"),
                    },
                    "grace_type" if !text.is_empty() => match text.parse::<GraceType>() {
                        Ok(g) => facts.grace_type = Some(g),
                        Err(e) => return field_error("grace_type", e.to_string()),
                    },
                    // A checkbox: sent only when checked.
                    "model_undecided" => facts.model_undecided = !matches!(text.as_str(), "" | "0" | "false"),
                    _ => {
                        let slot = match name.as_str() {
                            "reader_applied_on" => ("reader_applied_on", &mut reader_applied_on),
                            "model_chosen_on" => ("model_chosen_on", &mut facts.model_chosen_on),
                            "bulk_declared_on" => ("bulk_declared_on", &mut facts.bulk_declared_on),
                            "vendor_contract_on" => ("vendor_contract_on", &mut facts.vendor_contract_on),
                            "completed_on" => ("completed_on", &mut facts.completed_on),
                            "operation_started_on" => ("operation_started_on", &mut facts.operation_started_on),
                            _ => continue,
                        };
                        match day_field(&text) {
                            Ok(day) => *slot.1 = day,
                            Err(e) => return field_error(slot.0, e),
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let Some((file_name, bytes)) = file else {
        return field_error("file", "見積書のファイル（file）を添付してください");
    };
    let Some(facility_type) = facility_type else {
        return field_error(
            "facility_type",
            "facility_type（hospital, medical_clinic, dental_clinic, pharmacy, large_chain_pharmacy）を指定してください",
        );
    };
    let benchmarks = match app::ssr::db::benchmarks::stored(&state.pool).await {
        Ok(b) => b,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let peers = match app::ssr::db::peers::for_facility_type(&state.pool, facility_type).await {
        Ok(p) => p,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let facts = facts.provisioning(facility_type, readers.unwrap_or(1), reader_applied_on);
    if let Some(c) = facts.date_conflicts(None).first() {
        return field_error(c.field.code(), c.to_string());
    }
    let ctx = AuditContext::of_facility(&facts);
    // Parsing is CPU work: keep it off the async threads.
    let scan = quote_reader::may_need_ocr(&bytes);
    let read = move |stop: &quote_reader::Stop| audit_file_until(&file_name, &bytes, &ctx, &benchmarks, &peers, stop);
    let joined = if scan { state.reading.run_scan(read).await } else { state.reading.run(read).await };
    match joined {
        Ok(Ok(doc)) => (StatusCode::OK, Json::<AuditDocument>(doc)).into_response(),
        Ok(Err(e)) => read_error(&e),
        Err(e) => {
            let status = match e {
                crate::reading::Overrun::Busy => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            field_error_with(status, "file", e.to_string())
        }
    }
}
