//! What waits for a user, for the home page: drafts, quotes, complaints and applications in the
//! user's scope, and the admin's pending work. Each query is bounded: the home page is the page
//! everyone opens first.

use super::scope::push_scope;
use rules::access::Scope;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// Rows each list of the home page shows at most.
pub const SHOWN: i64 = 10;

/// A complaint that waits: (id, facility name, status code, filed at, held by the auditors).
pub type WaitingComplaint = (i64, String, String, String, bool);

/// Complaints in the scope in these statuses, oldest first (the longest wait on top); with
/// `held_only`, those the auditors hold for want of a reviewer.
pub async fn complaints(
    pool: &SqlitePool,
    scope: &Scope,
    statuses: &[&str],
    held_only: bool,
) -> sqlx::Result<Vec<WaitingComplaint>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT c.id, f.name, c.status, c.filed_at, c.held_by_auditors
         FROM complaints c JOIN facilities f ON f.id = c.facility_id WHERE c.status IN (",
    );
    let mut list = qb.separated(", ");
    for s in statuses {
        list.push_bind(*s);
    }
    qb.push(")");
    if held_only {
        qb.push(" AND c.held_by_auditors = 1");
    }
    push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY c.id LIMIT ").push_bind(SHOWN);
    qb.build_query_as().fetch_all(pool).await
}

/// The user's uploaded quotes not yet confirmed: (token, file name, facility name, uploaded at).
pub async fn quote_drafts(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<(String, String, String, String)>> {
    sqlx::query_as(
        "SELECT d.token, d.file_name, f.name, d.created_at FROM quote_drafts d JOIN facilities f ON f.id = d.facility_id
         WHERE d.user_id = ? ORDER BY d.created_at DESC LIMIT ?",
    )
    .bind(user_id)
    .bind(SHOWN)
    .fetch_all(pool)
    .await
}

/// 交付申請 in the scope still to be submitted or paid: (id, facility name, applied on, status).
pub async fn applications(pool: &SqlitePool, scope: &Scope) -> sqlx::Result<Vec<(i64, String, String, String)>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT a.id, f.name, a.applied_on, a.status FROM subsidy_applications a JOIN facilities f ON f.id = a.facility_id
         WHERE a.status IN ('draft', 'submitted')",
    );
    push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY a.applied_on LIMIT ").push_bind(2 * SHOWN);
    qb.build_query_as().fetch_all(pool).await
}

/// The confirmed quotes of the scope, newest first: (id, facility name, vendor, file name).
pub async fn recent_quotes(
    pool: &SqlitePool,
    scope: &Scope,
    limit: i64,
) -> sqlx::Result<Vec<(i64, String, Option<String>, String)>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT q.id, f.name, v.name, q.file_name FROM quotes q JOIN facilities f ON f.id = q.facility_id
         LEFT JOIN vendors v ON v.id = q.vendor_id WHERE q.confirmed = 1",
    );
    push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY q.id DESC LIMIT ").push_bind(limit);
    qb.build_query_as().fetch_all(pool).await
}

/// Vendors with open complaints forwarded to the ministry, most first: (id, name, complaints).
pub async fn vendors_to_question(pool: &SqlitePool) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT v.id, v.name, count(*) AS n FROM complaints c JOIN vendors v ON v.id = c.vendor_id
         WHERE c.status IN ('forwarded', 'vendor_contacted') GROUP BY v.id ORDER BY n DESC, v.name LIMIT ?",
    )
    .bind(SHOWN)
    .fetch_all(pool)
    .await
}

/// The admin's pending work: (vendors typed in by managers awaiting review, reviewers, auditors
/// and admins without a second factor, facilities in the registry).
pub async fn admin_pending(pool: &SqlitePool) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM vendors WHERE reviewed = 0),
                (SELECT count(*) FROM users u WHERE u.disabled = 0 AND u.role IN ('reviewer', 'auditor', 'admin')
                   AND NOT EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id)),
                (SELECT count(*) FROM registry_facilities)",
    )
    .fetch_one(pool)
    .await
}
