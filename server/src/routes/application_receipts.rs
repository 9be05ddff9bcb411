//! `POST /applications/{id}/receipts` and `GET /applications/{id}/receipts/{scan}`: the scanned
//! 領収書(写) attached to a 交付申請 (the portal asks for it with the application), kept byte for
//! byte as uploaded. Only PDF, JPEG and PNG are taken, told apart by their first bytes rather
//! than by the name or the type the browser claims; the body is read under a size limit as the
//! quote uploads are (`routes::audit::BODY_LIMIT`, issue 10), and a refused file changes nothing.

use crate::startup::AppState;
use app::SessionUser;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use rules::access::Permission;
use sha2::{Digest, Sha256};

/// The largest scan taken: a scanned receipt of a few pages is well under it.
pub const MAX_SCAN_BYTES: usize = 10 * 1024 * 1024;

/// The request body may carry the largest scan plus the form around it.
pub const BODY_LIMIT: usize = MAX_SCAN_BYTES + 64 * 1024;

/// Longest file name kept (the column allows 200 characters).
const MAX_NAME_CHARS: usize = 120;

/// What a scan is, from its first bytes: (content type, extension).
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", "png"))
    } else {
        None
    }
}

/// The name kept for a scan: the uploaded name without any folder, control or path characters,
/// cut to [`MAX_NAME_CHARS`], with the extension of what the file is.
fn kept_name(uploaded: &str, ext: &str) -> String {
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(MAX_NAME_CHARS)
        .collect();
    let stem = clean.rsplit_once('.').map_or(clean.as_str(), |(s, _)| s).trim();
    let stem = if stem.is_empty() || stem.starts_with('.') { "領収書" } else { stem };
    format!("{stem}.{ext}")
}

/// The refusal: the upload form again with the message beside its field; nothing was stored.
fn refused(status: StatusCode, application_id: i64, message: &str) -> Response {
    let escaped = message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>領収書(写)を添付できません — Onshi</title><link rel="stylesheet" href="{css}"></head><body><main class="page"><h1>領収書(写)を添付できませんでした</h1><p>何も登録していません。ファイルを確認して、もう一度アップロードしてください。</p><form method="post" action="/applications/{application_id}/receipts" enctype="multipart/form-data" class="form" data-testid="receipt-upload"><label for="receipt-file">領収書(写)のファイル（PDF・JPEG・PNG、10MBまで）</label><input id="receipt-file" name="file" type="file" accept="application/pdf,image/jpeg,image/png" required aria-invalid="true" aria-describedby="receipt-file-error"><span id="receipt-file-error" class="field-error" role="alert">{escaped}</span><button type="submit">添付する</button></form><p><a href="/applications/{application_id}">交付申請のページへ戻る</a></p></main></body></html>"#,
        css = app::STYLESHEET_PATH
    );
    (status, Html(body)).into_response()
}

/// Attaches a scanned 領収書(写) to an application the manager's scope reaches.
pub async fn upload_receipt_scan(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(application_id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let Some(Extension(user)) = user.filter(|Extension(u)| u.role.may(Permission::EditOwnFacilities)) else {
        return (StatusCode::FORBIDDEN, "領収書(写)の添付は医療機関担当者が行えます。\n").into_response();
    };
    match app::ssr::db::applications::get(&state.pool, &user.scope, application_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return (StatusCode::NOT_FOUND, "交付申請が見つかりません。\n").into_response(),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    }
    let too_big = "ファイルが大きすぎます（上限10MB）。解像度を下げてスキャンし直すなどして小さくしてから、もう一度アップロードしてください。";
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let (status, message) = crate::routes::audit::body_error(&e);
                let message = if status == StatusCode::PAYLOAD_TOO_LARGE { too_big } else { message };
                return refused(status, application_id, message);
            }
        };
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("領収書").to_owned();
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(e) => {
                    let (status, message) = crate::routes::audit::body_error(&e);
                    let message = if status == StatusCode::PAYLOAD_TOO_LARGE { too_big } else { message };
                    return refused(status, application_id, message);
                }
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused(StatusCode::BAD_REQUEST, application_id, "領収書(写)のファイルを選んでください。");
    };
    if bytes.len() > MAX_SCAN_BYTES {
        return refused(StatusCode::PAYLOAD_TOO_LARGE, application_id, too_big);
    }
    let Some((content_type, ext)) = sniff(&bytes) else {
        return refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            application_id,
            "PDF・JPEG・PNG のファイルではありません。領収書をスキャンした PDF か、撮影した JPEG・PNG の画像を選んでください。",
        );
    };
    let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let actor = app::ssr::audit_log::Actor::user(user.id, user.email.clone());
    let kept = kept_name(&name, ext);
    match app::ssr::db::applications::add_receipt_scan(
        &state.pool,
        &actor,
        application_id,
        &kept,
        content_type,
        &sha,
        &bytes,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/applications/{application_id}#receipt-scans")).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a receipt scan could not be stored");
            crate::error::AppError::Internal(e.to_string()).into_response()
        }
    }
}

/// `GET /applications/{id}/receipts/{scan}`: one scan exactly as uploaded.
pub async fn download_receipt_scan(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path((application_id, scan_id)): Path<(i64, i64)>,
) -> Response {
    let Some(Extension(user)) = user.filter(|Extension(u)| u.role.may(Permission::ReadFacilities)) else {
        return (StatusCode::FORBIDDEN, "この書類は閲覧できません。\n").into_response();
    };
    match app::ssr::db::applications::get(&state.pool, &user.scope, application_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return (StatusCode::NOT_FOUND, "交付申請が見つかりません。\n").into_response(),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    }
    let file = match app::ssr::db::applications::receipt_scan_file(&state.pool, application_id, scan_id).await {
        Ok(Some(f)) => f,
        Ok(None) => return (StatusCode::NOT_FOUND, "領収書(写)が見つかりません。\n").into_response(),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let (name, content_type, bytes) = file;
    let mut res = (StatusCode::OK, bytes).into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = format!(
        "attachment; filename=\"receipt-{application_id}-{scan_id}\"; filename*=UTF-8''{}",
        percent_encoded(&name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// RFC 5987: the UTF-8 name for browsers.
fn percent_encoded(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pdf_jpeg_and_png_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(("application/pdf", "pdf")));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(("image/jpeg", "jpg")));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(("image/png", "png")));
        for other in [&b"PK\x03\x04"[..], b"<html>", b"GIF89a", b"%PD", b""] {
            assert_eq!(sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_kept_name_has_no_folder_and_the_extension_of_what_the_file_is() {
        assert_eq!(kept_name("C:\\scans\\領収書 2023.jpeg", "jpg"), "領収書 2023.jpg");
        assert_eq!(kept_name("../../etc/passwd", "pdf"), "passwd.pdf");
        assert_eq!(kept_name("", "png"), "領収書.png");
        assert_eq!(kept_name(".pdf", "pdf"), "領収書.pdf");
    }
}
