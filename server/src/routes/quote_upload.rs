//! `POST /facilities/{id}/quotes`: a vendor's quote file uploaded by a manager.
//! The file is read and kept as a draft; nothing is a quote until confirmed.

use crate::startup::AppState;
use app::SessionUser;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rules::access::Permission;
use sha2::{Digest, Sha256};

fn page(status: StatusCode, facility_id: i64, message: &str) -> Response {
    let escaped = message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>見積書を読み取れません — Onshi</title><link rel="stylesheet" href="{css}"></head><body><header class="site-header"><div class="brand"><a href="/">Onshi</a><span class="tagline">オンライン資格確認 導入・補助金・見積監査</span></div><nav class="site-nav" aria-label="メインメニュー"><ul><li><a href="/">ホーム</a></li><li><a href="/facilities">施設</a></li><li><a href="/facilities/{facility_id}">この施設のページ</a></li></ul></nav></header><main class="page" id="main"><h1>見積書を読み取れませんでした</h1><p class="error" role="alert">{escaped}</p><p>何も登録していません。ファイルを確認して、もう一度アップロードしてください。紙の見積書は、施設のページの「手入力」からも登録できます。</p><form method="post" enctype="multipart/form-data" action="/facilities/{facility_id}/quotes" class="form upload-form" data-testid="upload-quote-again"><label for="file">見積書のファイル（Excel・LibreOffice・CSV・PDF・スキャンや写真の画像、20MBまで）</label><input id="file" type="file" name="file"><button type="submit" class="primary">もう一度アップロードする</button></form><p><a href="/facilities/{facility_id}">施設のページへ戻る</a> ／ <a href="/facilities/{facility_id}/quotes/new">手入力で登録する</a></p></main></body></html>"#,
        css = app::STYLESHEET_PATH
    );
    (status, Html(body)).into_response()
}

/// Reads the uploaded file; on success keeps it as a draft and shows the preview.
pub async fn upload_quote(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(facility_id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let Some(Extension(user)) = user.filter(|Extension(u)| u.role.may(Permission::EditOwnFacilities)) else {
        return (StatusCode::FORBIDDEN, "見積書の登録は医療機関担当者が行えます。\n").into_response();
    };
    if app::ssr::db::provisioning::facility_in_scope(&state.pool, &user.scope, facility_id).await.is_err() {
        return (StatusCode::NOT_FOUND, "施設が見つかりません。\n").into_response();
    }
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        // A body over the limit fails here or in `bytes()`, depending on where it crosses it.
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let (status, message) = crate::routes::audit::body_error(&e);
                return page(status, facility_id, message);
            }
        };
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("見積書").to_owned();
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(e) => {
                    let (status, message) = crate::routes::audit::body_error(&e);
                    return page(status, facility_id, message);
                }
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return page(StatusCode::BAD_REQUEST, facility_id, "見積書のファイルを選んでください。");
    };
    let reading = {
        let (name, bytes) = (name.clone(), bytes.clone());
        let limits = quote_reader::Limits::default();
        let scan = quote_reader::may_need_ocr(&bytes);
        let read = move |stop: &quote_reader::Stop| quote_reader::read_quote_for_review(&name, &bytes, &limits, stop);
        if scan { state.reading.run_scan(read).await } else { state.reading.run(read).await }
    };
    let (quote, pictures) = match reading {
        Ok(Ok(reviewed)) => (reviewed.quote, reviewed.row_pictures),
        Ok(Err(e)) => {
            let status = if matches!(e.kind, quote_reader::ReadErrorKind::TooLarge { .. }) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return page(status, facility_id, &e.to_string());
        }
        Err(e @ crate::reading::Overrun::Busy) => {
            return page(StatusCode::SERVICE_UNAVAILABLE, facility_id, &e.to_string());
        }
        Err(e) => return page(StatusCode::UNPROCESSABLE_ENTITY, facility_id, &e.to_string()),
    };
    let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let token: String = {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..32).map(|_| format!("{:x}", rng.random_range(0..16u8))).collect()
    };
    let parsed = match serde_json::to_string(&quote) {
        Ok(p) => p,
        Err(e) => return crate::error::AppError::Internal(e.to_string()).into_response(),
    };
    // Abandoned uploads expire and each user keeps a few: drafts cannot fill the disk.
    if let Err(e) = app::ssr::db::quotes::prune_drafts(&state.pool, Some(user.id)).await {
        return crate::error::AppError::from(e).into_response();
    }
    match save_draft(&state.pool, &token, facility_id, user.id, (&name, &sha, &bytes), &parsed, &pictures).await {
        Ok(()) => Redirect::to(&format!("/quotes/drafts/{token}")).into_response(),
        Err(e) => crate::error::AppError::from(e).into_response(),
    }
}

/// Keeps the draft and, for a scan, the picture of each of its lines, in one transaction.
async fn save_draft(
    pool: &sqlx::SqlitePool,
    token: &str,
    facility_id: i64,
    user_id: i64,
    (name, sha, bytes): (&str, &str, &[u8]),
    parsed: &str,
    pictures: &[quote_reader::RowPicture],
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO quote_drafts (token, facility_id, user_id, file_name, file_sha256, file_bytes, parsed_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(token)
    .bind(facility_id)
    .bind(user_id)
    .bind(name)
    .bind(sha)
    .bind(bytes)
    .bind(parsed)
    .execute(&mut *tx)
    .await?;
    for picture in pictures {
        sqlx::query("INSERT INTO quote_draft_pictures (token, row, png) VALUES (?, ?, ?)")
            .bind(token)
            .bind(i64::from(picture.row))
            .bind(&picture.png)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// `GET /quotes/drafts/{token}/rows/{row}`: the picture of one line of a scanned quote's draft
/// (PNG), for its uploader only.
pub async fn draft_row_picture(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path((token, row)): Path<(String, u32)>,
) -> Response {
    use axum::http::header;
    let Some(Extension(user)) = user.filter(|Extension(u)| u.role.may(Permission::EditOwnFacilities)) else {
        return (StatusCode::FORBIDDEN, "この画像は閲覧できません。\n").into_response();
    };
    let found: Result<Option<(Vec<u8>,)>, sqlx::Error> = sqlx::query_as(
        "SELECT p.png FROM quote_draft_pictures p JOIN quote_drafts d ON d.token = p.token
          WHERE p.token = ? AND p.row = ? AND d.user_id = ?",
    )
    .bind(&token)
    .bind(i64::from(row))
    .bind(user.id)
    .fetch_optional(&state.pool)
    .await;
    match found {
        Ok(Some((png,))) => {
            let mut res = (StatusCode::OK, png).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, http::HeaderValue::from_static("image/png"));
            res.headers_mut().insert(header::CACHE_CONTROL, http::HeaderValue::from_static("private, max-age=3600"));
            res
        }
        Ok(None) => (StatusCode::NOT_FOUND, "画像が見つかりません。\n").into_response(),
        Err(e) => crate::error::AppError::from(e).into_response(),
    }
}

/// `GET /quotes/{id}/file`: the quote file exactly as uploaded (the evidence), for users whose scope reaches it.
pub async fn download_quote_file(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(quote_id): Path<i64>,
) -> Response {
    use axum::http::header;
    let Some(Extension(user)) = user.filter(|Extension(u)| u.role.may(Permission::ReadFacilities)) else {
        return (StatusCode::FORBIDDEN, "この見積書は閲覧できません。\n").into_response();
    };
    match app::ssr::db::quotes::detail(&state.pool, &user.scope, quote_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return (StatusCode::NOT_FOUND, "見積書が見つかりません。\n").into_response(),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    }
    let row: Option<(String, Vec<u8>)> = match sqlx::query_as(
        "SELECT q.file_name, f.bytes FROM quotes q JOIN quote_files f ON f.quote_id = q.id WHERE q.id = ?",
    )
    .bind(quote_id)
    .fetch_optional(&state.pool)
    .await
    {
        Ok(r) => r,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let Some((name, bytes)) = row else {
        return (StatusCode::NOT_FOUND, "この見積書にはファイルがありません（手入力）。\n").into_response();
    };
    // RFC 6266 / 5987: the UTF-8 name for browsers, an ASCII fallback for the rest.
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"quote-{quote_id}\"; filename*=UTF-8''{encoded}");
    let mut res = (StatusCode::OK, bytes).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, http::HeaderValue::from_static("application/octet-stream"));
    if let Ok(v) = http::HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
