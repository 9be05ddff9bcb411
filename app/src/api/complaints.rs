//! Server functions of complaints: file, move through the statuses, read, notifications.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A complaint in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintSummary {
    /// Id.
    pub id: i64,
    /// Facility name.
    pub facility: String,
    /// Vendor.
    pub vendor: String,
    /// Kind label.
    pub kind: String,
    /// Status code.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Filed at, in Japan time with the era (`令和4年10月12日 10:02`).
    pub filed_at: String,
}

/// The quote a complaint attaches as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The quote.
    pub quote_id: i64,
    /// Its uploaded file is stored (a quote entered by hand has none).
    pub has_file: bool,
    /// The audit's flags on it: (label, count).
    pub flag_counts: Vec<(String, usize)>,
}

/// A complaint with its evidence and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintView {
    /// The list fields.
    pub summary: ComplaintSummary,
    /// Facility id.
    pub facility_id: i64,
    /// Description.
    pub description: String,
    /// Quote attached as evidence.
    pub quote: Option<Evidence>,
    /// History: (from label, to label, who, comment, at).
    pub history: Vec<(String, String, String, String, String)>,
    /// Moves the user may make: (status code, label).
    pub moves: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn summary(r: &crate::ssr::db::complaints::ComplaintRow) -> ComplaintSummary {
    let status = r.status.parse::<rules::complaint::ComplaintStatus>().ok();
    ComplaintSummary {
        id: r.id,
        facility: r.facility_name.clone(),
        vendor: r.vendor.clone().unwrap_or_else(|| "—".into()),
        kind: r.kind.parse::<rules::complaint::ComplaintKind>().map(|k| k.label_ja().to_owned()).unwrap_or_default(),
        status: r.status.clone(),
        status_label: status.map(|s| s.label_ja().to_owned()).unwrap_or_default(),
        filed_at: rules::format_timestamp_jst(&r.filed_at),
    }
}

/// One page of the complaints the user may see, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintList {
    /// The complaints of this page.
    pub rows: Vec<ComplaintSummary>,
    /// Where the page stands.
    pub paging: crate::api::paging::Paging,
    /// The status filter as applied ("" for every status).
    pub status: String,
    /// Statuses to choose from: (code, label).
    pub statuses: Vec<(String, String)>,
}

/// The complaints the user may see, a page at a time, in one status when asked.
#[server(prefix = "/api", endpoint = "complaints")]
pub async fn list_complaints(status: String, page: String) -> Result<ComplaintList, UiError> {
    use crate::ssr::{context, db};
    use rules::complaint::ComplaintStatus;
    let user = context::require_permission(rules::access::Permission::ReadFacilities)?;
    let status = status.trim();
    let status = match status {
        "" => None,
        code => Some(
            code.parse::<ComplaintStatus>()
                .map_err(|_| UiError::Invalid(format!("相談の状態 {code} はありません")))?
                .code(),
        ),
    };
    let pool = context::pool()?;
    let (rows, paging) = crate::api::paging::page_of(
        &page,
        async || db::complaints::count(&pool, &user.scope, status).await.map_err(context::internal),
        async |offset| {
            db::complaints::list(&pool, &user.scope, status, offset, crate::api::paging::ROWS_PER_PAGE)
                .await
                .map_err(context::internal)
        },
    )
    .await?;
    Ok(ComplaintList {
        rows: rows.iter().map(summary).collect(),
        paging,
        status: status.unwrap_or_default().to_owned(),
        statuses: ComplaintStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label_ja().to_owned())).collect(),
    })
}

/// One complaint in the user's scope (reading it changes nothing: see [`open_notification`]).
#[server(prefix = "/api", endpoint = "complaint")]
pub async fn complaint(id: i64) -> Result<ComplaintView, UiError> {
    use crate::ssr::{context, db};
    use rules::complaint::ComplaintStatus;
    let user = context::require_permission(rules::access::Permission::ReadFacilities)?;
    let pool = context::pool()?;
    let row = db::complaints::get(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let status = row.status.parse::<ComplaintStatus>().map_err(context::internal)?;
    let label = |s: &str| s.parse::<ComplaintStatus>().map(|s| s.label_ja().to_owned()).unwrap_or_default();
    let history = db::complaints::history(&pool, id)
        .await
        .map_err(context::internal)?
        .into_iter()
        .map(|(from, to, who, comment, at)| {
            (from.map(|f| label(&f)).unwrap_or_default(), label(&to), who, comment, rules::format_timestamp_jst(&at))
        })
        .collect();
    let quote = match row.quote_id {
        Some(q) => {
            let a = crate::api::quote_audit::quote_audit(q).await?;
            let mut counts: Vec<(String, usize)> = Vec::new();
            for f in a.flags.iter().chain(a.lines.iter().flat_map(|l| l.flags.iter())) {
                match counts.iter_mut().find(|(c, _)| *c == f.label) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((f.label.clone(), 1)),
                }
            }
            Some(Evidence { quote_id: q, has_file: a.quote.has_file, flag_counts: counts })
        }
        None => None,
    };
    Ok(ComplaintView {
        summary: summary(&row),
        facility_id: row.facility_id,
        description: row.description.clone(),
        quote,
        history,
        moves: status
            .moves()
            .iter()
            .filter(|(_, role)| *role == user.role)
            .map(|(to, _)| (to.code().to_owned(), to.label_ja().to_owned()))
            .collect(),
    })
}

/// Files a complaint about a facility's vendor (with a quote as evidence, optional).
#[server(prefix = "/api", endpoint = "file_complaint")]
pub async fn file_complaint(
    facility_id: i64,
    quote_id: String,
    kind: String,
    description: String,
    direct: Option<String>,
) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    use rules::complaint::{ComplaintKind, ComplaintStatus};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::provisioning::facility_in_scope(&pool, &user.scope, facility_id).await?;
    let mut errors = Vec::new();
    let kind = kind.parse::<ComplaintKind>().map_err(|e| errors.push(("kind".to_owned(), e))).ok();
    if description.trim().is_empty() {
        errors.push(("description".to_owned(), "経緯を入力してください（いつ・誰から・何を言われたか）".to_owned()));
    }
    let quote_id = quote_id.trim().parse::<i64>().ok();
    let mut vendor_id = None;
    if let Some(q) = quote_id {
        let owner: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT facility_id, vendor_id FROM quotes WHERE id = ?")
                .bind(q)
                .fetch_optional(&pool)
                .await
                .map_err(context::internal)?;
        match owner {
            Some((f, v)) if f == facility_id => vendor_id = v,
            _ => errors.push(("quote_id".to_owned(), "この施設の見積書を選んでください".to_owned())),
        }
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else { return Err(UiError::Fields(errors)) };
    let status = if direct.is_some() { ComplaintStatus::Forwarded } else { ComplaintStatus::Submitted };
    let new = db::complaints::NewComplaint {
        facility_id,
        quote_id,
        vendor_id,
        kind: kind.code(),
        description: description.trim(),
        status,
        user_id: user.id,
    };
    let id = db::complaints::file(&pool, &Actor::user(user.id, user.email.clone()), &new).await?;
    leptos_axum::redirect(&format!("/complaints/{id}"));
    Ok(())
}

/// Moves a complaint to `to`, by the role that owns that step, with a comment.
#[server(prefix = "/api", endpoint = "move_complaint")]
pub async fn move_complaint(id: i64, to: String, comment: String) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    use rules::complaint::ComplaintStatus;
    let user = context::require_user()?;
    let pool = context::pool()?;
    let row = db::complaints::get(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let from = row.status.parse::<ComplaintStatus>().map_err(context::internal)?;
    let to = to.parse::<ComplaintStatus>().map_err(|_| UiError::Invalid("移す先の状態を選んでください".into()))?;
    if !from.may_move(to, user.role) {
        if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
            r.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(UiError::Forbidden);
    }
    if comment.trim().is_empty() {
        return Err(UiError::Fields(vec![("comment".into(), "コメントを入力してください".into())]));
    }
    db::complaints::transition(
        &pool,
        &Actor::user(user.id, user.email.clone()),
        user.id,
        &row,
        from,
        to,
        comment.trim(),
    )
    .await
}

/// Opens a notification: marks the user's notifications of the complaint read and goes to
/// it. A POST from the home page's お知らせ, so that reading a page (a GET, which browsers
/// and link checkers may repeat) never changes anything.
#[server(prefix = "/api", endpoint = "open_notification")]
pub async fn open_notification(complaint_id: i64) -> Result<(), UiError> {
    use crate::ssr::{context, db};
    let user = context::require_user()?;
    db::complaints::mark_read(&context::pool()?, user.id, complaint_id).await.map_err(context::internal)?;
    leptos_axum::redirect(&format!("/complaints/{complaint_id}"));
    Ok(())
}

/// The user's unread notifications: (complaint id, message).
#[server(prefix = "/api", endpoint = "notifications")]
pub async fn notifications() -> Result<Vec<(Option<i64>, String)>, UiError> {
    use crate::ssr::{context, db};
    let user = context::require_user()?;
    let rows = db::complaints::unread(&context::pool()?, user.id).await.map_err(context::internal)?;
    Ok(rows.into_iter().map(|(c, m, _)| (c, m)).collect())
}
