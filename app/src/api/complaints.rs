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
    /// Who holds the complaint now, in a sentence.
    pub holder: String,
    /// Held by the national auditors for want of a reviewer: the sentence that tells the clinic.
    pub held_note: Option<String>,
    /// The move codes that are confirmed before they are made (to MHLW, withdrawn, not upheld).
    pub confirmed_moves: Vec<String>,
}

/// Who holds a complaint now, and (when the auditors hold it for want of a reviewer) why.
#[cfg(feature = "ssr")]
fn holder_of(r: &crate::ssr::db::complaints::ComplaintRow, reviewers: i64) -> (String, Option<String>) {
    use rules::complaint::{ComplaintStatus as S, Holder};
    let status = r.status.parse::<S>().unwrap_or(S::Submitted);
    let prefecture = r.prefecture.parse::<rules::Prefecture>().map(|p| p.name_ja()).unwrap_or_default();
    let association = r
        .facility_type
        .parse::<rules::FacilityType>()
        .ok()
        .and_then(|t| rules::Association::ALL.into_iter().find(|a| a.covers(t)))
        .map(rules::Association::label_ja)
        .unwrap_or("医師会等");
    let body = format!("{prefecture}{association}");
    match (status, r.holder()) {
        (s, _) if s.is_closed() => ("対応は終了しています（これ以上の手続きはありません）。".to_owned(), None),
        (S::Forwarded | S::VendorContacted, _) => ("厚生労働省（Onshi の監査担当）が対応しています。".to_owned(), None),
        (_, Holder::Auditors) => (
            format!(
                "全国の監査担当（厚生労働省）が受け付けています。{body}の審査担当が、提出の時点で Onshi にいませんでした。"
            ),
            Some(format!(
                "{body}の審査担当が Onshi に登録されていないため、この相談は全国の監査担当（厚生労働省）が受け付けました。{body}の審査担当が登録されると、その担当者にもお知らせが届きます。"
            )),
        ),
        (_, Holder::Association) => (format!("{body}（Onshi の審査担当 {reviewers}名）が確認します。"), None),
    }
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
    let reviewers = db::complaints::reviewer_count(&pool, row.facility_id).await.map_err(context::internal)?;
    let (holder, held_note) = holder_of(&row, reviewers);
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
            .filter(|(to, _)| status.may_move_held(*to, user.role, row.holder()))
            .map(|(to, _)| (to.code().to_owned(), to.label_ja().to_owned()))
            .collect(),
        holder,
        held_note,
        confirmed_moves: ComplaintStatus::ALL
            .iter()
            .filter(|s| s.is_irreversible())
            .map(|s| s.code().to_owned())
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
    let kind_code = kind.clone();
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
    let typed = [("kind", kind_code.clone()), ("description", description.clone())]
        .into_iter()
        .chain(direct.as_ref().map(|_| ("direct", "on".to_owned())));
    let Some(kind) = kind.filter(|_| errors.is_empty()) else { return Err(UiError::Fields(errors).keeping(typed)) };
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
pub async fn move_complaint(id: i64, to: String, comment: String, confirm: Option<String>) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    use rules::complaint::ComplaintStatus;
    let user = context::require_user()?;
    let pool = context::pool()?;
    let row = db::complaints::get(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let from = row.status.parse::<ComplaintStatus>().map_err(context::internal)?;
    let to = to.parse::<ComplaintStatus>().map_err(|_| UiError::Invalid("移す先の状態を選んでください".into()))?;
    if !from.may_move_held(to, user.role, row.holder()) {
        if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
            r.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(UiError::Forbidden);
    }
    let mut errors = Vec::new();
    if comment.trim().is_empty() {
        errors.push(("comment".to_owned(), "コメントを入力してください（判断の理由や、先方に伝えたこと）".to_owned()));
    }
    if to.is_irreversible() && confirm.is_none() {
        errors.push((
            "confirm".to_owned(),
            format!("「{}」にすると元に戻せません。確認のチェックを入れてから記録してください", to.label_ja()),
        ));
    }
    if !errors.is_empty() {
        return Err(UiError::Fields(errors).keeping([("to", to.code().to_owned()), ("comment", comment.clone())]));
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
