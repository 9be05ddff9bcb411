//! `POST /admin/registry/imports`: the 地方厚生局's lists uploaded by an admin. The import runs
//! in the background (each file read within the reading limits, then one transaction) and the
//! admin is sent to its page, which shows how far it got and then what it did.

use crate::startup::AppState;
use app::SessionUser;
use app::api::registry::JobState;
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rules::access::Permission;

/// Bytes of one upload: the national 医科 list as CSV is about 25 MB, a bureau's zip of
/// workbooks a few MB; several of them at once.
pub const BODY_LIMIT: usize = 120 * 1024 * 1024;

fn page(status: StatusCode, message: &str) -> Response {
    let escaped = message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>医療機関一覧を読み込めません — Onshi</title><link rel="stylesheet" href="{css}"></head><body><main class="page"><h1>医療機関一覧を読み込めませんでした</h1><p class="error" role="alert">{escaped}</p><p>何も変更していません。</p><p><a href="/admin/registry">医療機関の登録簿へ戻る</a></p></main></body></html>"#,
        css = app::STYLESHEET_PATH
    );
    (status, Html(body)).into_response()
}

/// Takes the files, starts the import and sends the admin to its page.
pub async fn upload_lists(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    mut multipart: Multipart,
) -> Response {
    let Some(Extension(user)) = user.filter(|Extension(u)| u.role.may(Permission::Administer)) else {
        return (StatusCode::FORBIDDEN, "医療機関一覧の読み込みは運用管理者が行えます。\n").into_response();
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut as_of: Option<chrono::NaiveDate> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let (status, message) = crate::routes::audit::body_error(&e);
                return page(status, message);
            }
        };
        if field.name() == Some("as_of") {
            let text = field.text().await.unwrap_or_default();
            if !text.trim().is_empty() {
                match rules::wareki::parse_date(&text) {
                    Ok(day) => as_of = Some(day),
                    Err(e) => return page(StatusCode::BAD_REQUEST, &format!("一覧の日付: {e}")),
                }
            }
            continue;
        }
        if field.name() != Some("files") {
            continue;
        }
        let name = field.file_name().unwrap_or("一覧").to_owned();
        match field.bytes().await {
            Ok(b) if !b.is_empty() => files.push((name, b.to_vec())),
            Ok(_) => {}
            Err(e) => {
                let (status, message) = crate::routes::audit::body_error(&e);
                return page(status, message);
            }
        }
    }
    if files.is_empty() {
        return page(StatusCode::BAD_REQUEST, "読み込むファイル（.xlsx / .xls / .zip / .csv）を選んでください。");
    }
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let Some(job) = app::ssr::registry_jobs::start(names.clone()) else {
        return page(
            StatusCode::CONFLICT,
            "ほかの医療機関一覧の読み込みが進行中です。終わってから、もう一度アップロードしてください。",
        );
    };
    let actor = app::ssr::audit_log::Actor::user(user.id, user.email.clone());
    tokio::spawn(run(state, job, files, names, actor, as_of));
    Redirect::to(&format!("/admin/registry/imports/{job}")).into_response()
}

/// Reads each file within the reading limits, then writes everything in one transaction.
async fn run(
    state: AppState,
    job: u64,
    files: Vec<(String, Vec<u8>)>,
    names: Vec<String>,
    actor: app::ssr::audit_log::Actor,
    as_of: Option<chrono::NaiveDate>,
) {
    use app::ssr::registry_jobs::update;
    let total = files.len() + 1;
    let mut all = registry_reader::ReadList::default();
    for (i, (name, bytes)) in files.into_iter().enumerate() {
        update(
            job,
            JobState::Running {
                step: format!("ファイルを読んでいます（{}/{}: {name}）", i + 1, total - 1),
                done: i,
                total,
            },
        );
        // A long read (a national list) gets the time of a scan; it never holds more than one core.
        let read =
            state.reading.run_scan(move |stop| crate::registry_command::read_files(&[(name, bytes)], stop)).await;
        match read {
            Ok(list) => {
                all.entries.extend(list.entries);
                all.refused.extend(list.refused);
                all.lists.extend(list.lists);
            }
            Err(e) => {
                update(job, JobState::Failed(format!("{e} 何も変更していません。")));
                return;
            }
        }
    }
    let all = all.without_duplicates();
    if all.entries.is_empty() {
        let reasons: Vec<String> = all.refused.iter().take(5).map(|r| r.reason.clone()).collect();
        update(
            job,
            JobState::Failed(format!("読み込める施設がありませんでした。何も変更していません。{}", reasons.join(" "))),
        );
        return;
    }
    update(
        job,
        JobState::Running {
            step: format!("登録簿に書き込んでいます（{}施設）", all.entries.len()),
            done: total - 1,
            total,
        },
    );
    // A list that does not give its date (a CSV without 時点) takes the one typed with it.
    let entries: Vec<rules::registry::RegistryEntry> = all
        .entries
        .into_iter()
        .map(|l| rules::registry::RegistryEntry { as_of: l.entry.as_of.or(as_of), ..l.entry })
        .collect();
    match app::ssr::db::registry::import(&state.pool, &actor, &names, &entries, &all.refused).await {
        Ok(summary) => update(job, JobState::Done(summary)),
        Err(e) => {
            tracing::error!(error = %e, "a registry import failed");
            update(job, JobState::Failed("登録簿に書き込めませんでした。何も変更していません。".to_owned()));
        }
    }
}
