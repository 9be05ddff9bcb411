//! Queries on complaints, their history and notifications; writes are audited.

use super::scope::push_scope;
use crate::UiError;
use crate::ssr::audit_log::{self, Actor, Change};
use crate::ssr::context::internal;
use rules::Role;
use rules::access::Scope;
use rules::complaint::{ComplaintStatus, Holder};
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};

/// A complaint row with its facility.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintRow {
    /// Id.
    pub id: i64,
    /// Facility.
    pub facility_id: i64,
    /// Facility name.
    pub facility_name: String,
    /// Quote, if any.
    pub quote_id: Option<i64>,
    /// Vendor name.
    pub vendor: Option<String>,
    /// Kind code.
    pub kind: String,
    /// Description.
    pub description: String,
    /// Status code.
    pub status: String,
    /// Filed at.
    pub filed_at: String,
    /// Held by the national auditors for want of a reviewer (see [`Holder`]).
    pub held_by_auditors: bool,
    /// The facility's prefecture code.
    pub prefecture: String,
    /// The facility's type code.
    pub facility_type: String,
}

impl ComplaintRow {
    /// Who holds the complaint while it waits for its association.
    pub fn holder(&self) -> Holder {
        if self.held_by_auditors { Holder::Auditors } else { Holder::Association }
    }
}

fn select() -> QueryBuilder<'static, Sqlite> {
    QueryBuilder::new(
        "SELECT c.id, c.facility_id, f.name AS facility_name, c.quote_id, v.name AS vendor, c.kind, c.description, c.status, c.filed_at,
                c.held_by_auditors, f.prefecture, f.facility_type
         FROM complaints c JOIN facilities f ON f.id = c.facility_id LEFT JOIN vendors v ON v.id = c.vendor_id WHERE 1 = 1",
    )
}

/// One complaint if its facility is in the scope.
pub async fn get(pool: &SqlitePool, scope: &Scope, id: i64) -> sqlx::Result<Option<ComplaintRow>> {
    let mut qb = select();
    qb.push(" AND c.id = ").push_bind(id);
    push_scope(&mut qb, scope, "f");
    qb.build_query_as().fetch_optional(pool).await
}

/// The complaints in the scope, newest first.
pub async fn list(
    pool: &SqlitePool,
    scope: &Scope,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ComplaintRow>> {
    let mut qb = select();
    push_scope(&mut qb, scope, "f");
    if let Some(s) = status {
        qb.push(" AND c.status = ").push_bind(s.to_owned());
    }
    qb.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    qb.build_query_as().fetch_all(pool).await
}

/// How many complaints the scope reaches (in `status`, when given).
pub async fn count(pool: &SqlitePool, scope: &Scope, status: Option<&str>) -> sqlx::Result<i64> {
    let mut qb =
        QueryBuilder::new("SELECT count(*) FROM complaints c JOIN facilities f ON f.id = c.facility_id WHERE 1 = 1");
    push_scope(&mut qb, scope, "f");
    if let Some(s) = status {
        qb.push(" AND c.status = ").push_bind(s.to_owned());
    }
    qb.build_query_scalar().fetch_one(pool).await
}

/// The history: (from, to, actor e-mail, comment, at).
pub async fn history(
    pool: &SqlitePool,
    id: i64,
) -> sqlx::Result<Vec<(Option<String>, String, String, String, String)>> {
    sqlx::query_as(
        "SELECT e.from_status, e.to_status, u.display_name, e.comment, e.at
         FROM complaint_events e JOIN users u ON u.id = e.actor_id WHERE e.complaint_id = ? ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// The reviewers in Onshi who cover a facility: its association's, in its prefecture.
async fn reviewers_of(tx: &mut Transaction<'_, Sqlite>, facility_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN facilities f ON f.id = ?
         WHERE u.disabled = 0 AND u.role = 'reviewer' AND u.prefecture = f.prefecture
           AND u.association = CASE f.facility_type WHEN 'dental_clinic' THEN 'dental'
                WHEN 'pharmacy' THEN 'pharmaceutical' WHEN 'large_chain_pharmacy' THEN 'pharmaceutical' ELSE 'medical' END",
    )
    .bind(facility_id)
    .fetch_all(&mut **tx)
    .await
}

/// How many active reviewers in Onshi cover a facility.
pub async fn reviewer_count(pool: &SqlitePool, facility_id: i64) -> sqlx::Result<i64> {
    let mut tx = pool.begin().await?;
    let n = reviewers_of(&mut tx, facility_id).await?.len();
    tx.rollback().await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The users to tell about a complaint: the facility's managers and whoever must act next.
async fn recipients(tx: &mut Transaction<'_, Sqlite>, facility_id: i64, next: Option<Role>) -> sqlx::Result<Vec<i64>> {
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN facilities f ON f.id = ?
         WHERE u.disabled = 0 AND u.role = 'clinic_manager'
           AND (u.facility_id = f.id OR (u.corporation_id IS NOT NULL AND u.corporation_id = f.corporation_id))",
    )
    .bind(facility_id)
    .fetch_all(&mut **tx)
    .await?;
    let more: Vec<i64> = match next {
        Some(Role::Reviewer) => reviewers_of(tx, facility_id).await?,
        Some(Role::Auditor) => {
            sqlx::query_scalar("SELECT id FROM users WHERE disabled = 0 AND role = 'auditor'")
                .fetch_all(&mut **tx)
                .await?
        }
        _ => Vec::new(),
    };
    ids.extend(more);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

async fn notify(
    tx: &mut Transaction<'_, Sqlite>,
    complaint_id: i64,
    facility_id: i64,
    (status, holder): (ComplaintStatus, Holder),
    message: &str,
) -> sqlx::Result<()> {
    for user in recipients(tx, facility_id, status.next_actor_held(holder)).await? {
        sqlx::query("INSERT INTO notifications (user_id, complaint_id, message) VALUES (?, ?, ?)")
            .bind(user)
            .bind(complaint_id)
            .bind(message)
            .execute(&mut **tx)
            .await?;
        super::mail::queue_to_user(tx, user, message, message, &format!("/complaints/{complaint_id}")).await?;
    }
    Ok(())
}

/// A new complaint.
pub struct NewComplaint<'a> {
    /// Facility.
    pub facility_id: i64,
    /// Quote attached as evidence.
    pub quote_id: Option<i64>,
    /// Vendor.
    pub vendor_id: Option<i64>,
    /// Kind code.
    pub kind: &'a str,
    /// What happened.
    pub description: &'a str,
    /// Submitted to the association, or straight to MHLW.
    pub status: ComplaintStatus,
    /// Who files.
    pub user_id: i64,
}

/// Files a complaint with its first history entry and notifications, in one transaction.
pub async fn file(pool: &SqlitePool, actor: &Actor, c: &NewComplaint<'_>) -> Result<i64, UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    // Nobody in Onshi reviews for the facility's association: the national auditors hold it.
    let holder = if c.status == ComplaintStatus::Submitted
        && reviewers_of(&mut tx, c.facility_id).await.map_err(internal)?.is_empty()
    {
        Holder::Auditors
    } else {
        Holder::Association
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO complaints (facility_id, quote_id, vendor_id, kind, description, status, filed_by, held_by_auditors)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(c.facility_id)
    .bind(c.quote_id)
    .bind(c.vendor_id)
    .bind(c.kind)
    .bind(c.description)
    .bind(c.status.code())
    .bind(c.user_id)
    .bind(holder == Holder::Auditors)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query("INSERT INTO complaint_events (complaint_id, from_status, to_status, actor_id, comment) VALUES (?, NULL, ?, ?, ?)")
        .bind(id)
        .bind(c.status.code())
        .bind(c.user_id)
        .bind("相談を提出しました")
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let message = match holder {
        Holder::Auditors => {
            format!("相談 #{id} が提出されました（所属団体の審査担当が Onshi にいないため、監査担当が受け付けました）")
        }
        Holder::Association => format!("相談 #{id} が提出されました（{}）", c.status.label_ja()),
    };
    notify(&mut tx, id, c.facility_id, (c.status, holder), &message).await.map_err(internal)?;
    let after = serde_json::json!({"facility_id": c.facility_id, "quote_id": c.quote_id, "vendor_id": c.vendor_id,
                                   "kind": c.kind, "status": c.status.code(), "held_by_auditors": holder == Holder::Auditors});
    audit_log::record(
        &mut tx,
        actor,
        Change { action: "create", entity: "complaint", entity_id: id.to_string(), before: None, after: Some(after) },
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// Moves a complaint, with the comment, history entry and notifications, in one transaction.
pub async fn transition(
    pool: &SqlitePool,
    actor: &Actor,
    user_id: i64,
    row: &ComplaintRow,
    from: ComplaintStatus,
    to: ComplaintStatus,
    comment: &str,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    // The status is compared again inside the transaction: two reviewers cannot both move it.
    let moved = sqlx::query("UPDATE complaints SET status = ? WHERE id = ? AND status = ?")
        .bind(to.code())
        .bind(row.id)
        .bind(from.code())
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    if moved.rows_affected() == 0 {
        return Err(UiError::Invalid("この相談の状態は既に変わっています。画面を読み込み直してください".into()));
    }
    sqlx::query(
        "INSERT INTO complaint_events (complaint_id, from_status, to_status, actor_id, comment) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(row.id)
    .bind(from.code())
    .bind(to.code())
    .bind(user_id)
    .bind(comment)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    notify(
        &mut tx,
        row.id,
        row.facility_id,
        (to, row.holder()),
        &format!("相談 #{} が「{}」になりました", row.id, to.label_ja()),
    )
    .await
    .map_err(internal)?;
    let change = Change {
        action: "transition",
        entity: "complaint",
        entity_id: row.id.to_string(),
        before: Some(serde_json::json!({"status": from.code()})),
        after: Some(serde_json::json!({"status": to.code(), "comment": comment})),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// The user's unread notifications: (complaint id, message, at).
pub async fn unread(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<(Option<i64>, String, String)>> {
    sqlx::query_as("SELECT complaint_id, message, created_at FROM notifications WHERE user_id = ? AND read_at IS NULL ORDER BY id DESC LIMIT 20")
        .bind(user_id)
        .fetch_all(pool)
        .await
}

/// Marks the user's notifications of a complaint as read.
pub async fn mark_read(pool: &SqlitePool, user_id: i64, complaint_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE notifications SET read_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE user_id = ? AND complaint_id = ? AND read_at IS NULL")
        .bind(user_id)
        .bind(complaint_id)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Tells a reviewer who has just been added (or given a new scope) about the open complaints
/// that wait for the association there, held by the auditors meanwhile or not.
pub async fn notify_new_reviewer(
    tx: &mut Transaction<'_, Sqlite>,
    user_id: i64,
    association: rules::Association,
    prefecture: rules::Prefecture,
) -> sqlx::Result<()> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT c.id FROM complaints c JOIN facilities f ON f.id = c.facility_id
         WHERE c.status IN ('submitted', 'under_review')",
    );
    push_scope(&mut qb, &Scope::Association { association, prefecture }, "f");
    let waiting: Vec<i64> = qb.build_query_scalar().fetch_all(&mut **tx).await?;
    for id in waiting {
        sqlx::query("INSERT INTO notifications (user_id, complaint_id, message) VALUES (?, ?, ?)")
            .bind(user_id)
            .bind(id)
            .bind(format!("相談 #{id} が医師会等の確認を待っています（あなたが担当になる前に提出されたものです）"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
