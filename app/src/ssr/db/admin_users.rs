//! Queries on `users` for the admin pages; every write also records the change in the audit log.

use crate::UiError;
use crate::api::admin::AdminUser;
use crate::ssr::audit_log::{self, Actor, Change};
use rules::{Association, FacilityCode, Prefecture, Role};
use serde_json::json;
use sqlx::SqlitePool;

/// The scope columns of a user row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeColumns {
    /// Facility of a single-facility manager.
    pub facility_id: Option<i64>,
    /// Corporation of a corporation manager.
    pub corporation_id: Option<i64>,
    /// Association of a reviewer.
    pub association: Option<Association>,
    /// Prefecture of a reviewer.
    pub prefecture: Option<Prefecture>,
}

impl ScopeColumns {
    fn json(&self) -> serde_json::Value {
        json!({
            "facility_id": self.facility_id,
            "corporation_id": self.corporation_id,
            "association": self.association.map(Association::code),
            "prefecture": self.prefecture.map(|p| p.code()),
        })
    }
}

/// A refusal of one field of the user form, shown beside it.
fn refused(field: &str, message: impl Into<String>) -> UiError {
    UiError::Fields(vec![(field.to_owned(), message.into())])
}

/// Resolves the scope fields of a form for a role: a manager needs a facility
/// (id or 医療機関コード) or a corporation (id or code); a reviewer an
/// association and a prefecture; auditors and admins nothing.
pub async fn resolve_scope(
    pool: &SqlitePool,
    role: Role,
    facility: &str,
    corporation: &str,
    association: &str,
    prefecture: &str,
) -> Result<ScopeColumns, UiError> {
    let (facility, corporation, association, prefecture) =
        (facility.trim(), corporation.trim(), association.trim(), prefecture.trim());
    match role {
        Role::ClinicManager => match (facility.is_empty(), corporation.is_empty()) {
            (false, true) => {
                // A short number is an id; anything else must be a 医療機関コード.
                let by_id = facility.len() < 10 && facility.bytes().all(|b| b.is_ascii_digit());
                let id: Option<i64> = if by_id {
                    sqlx::query_scalar("SELECT id FROM facilities WHERE CAST(id AS TEXT) = ?")
                        .bind(facility)
                        .fetch_optional(pool)
                        .await
                } else {
                    let code = FacilityCode::parse(facility).map_err(|e| refused("facility", e.to_string()))?;
                    sqlx::query_scalar("SELECT id FROM facilities WHERE facility_code = ?")
                        .bind(code.as_str())
                        .fetch_optional(pool)
                        .await
                }
                .map_err(crate::ssr::context::internal)?;
                let id = id.ok_or_else(|| refused("facility", format!("施設「{facility}」は登録されていません")))?;
                Ok(ScopeColumns { facility_id: Some(id), ..ScopeColumns::default() })
            }
            (true, false) => {
                let id: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM corporations WHERE code = ? OR CAST(id AS TEXT) = ?")
                        .bind(corporation)
                        .bind(corporation)
                        .fetch_optional(pool)
                        .await
                        .map_err(crate::ssr::context::internal)?;
                let id =
                    id.ok_or_else(|| refused("corporation", format!("法人「{corporation}」は登録されていません")))?;
                Ok(ScopeColumns { corporation_id: Some(id), ..ScopeColumns::default() })
            }
            _ => Err(refused("facility", "医療機関担当者には、施設か法人のどちらか一方を指定してください")),
        },
        Role::Reviewer => {
            // Both refusals at once, so the admin fixes the form in one go.
            let a = association.parse::<Association>().map_err(|_| {
                (
                    "association".to_owned(),
                    "審査担当には所属団体（医師会・歯科医師会・薬剤師会）を選んでください".to_owned(),
                )
            });
            let p = prefecture
                .parse::<Prefecture>()
                .map_err(|_| ("prefecture".to_owned(), "審査担当には都道府県を選んでください".to_owned()));
            match (a, p) {
                (Ok(a), Ok(p)) => {
                    Ok(ScopeColumns { association: Some(a), prefecture: Some(p), ..ScopeColumns::default() })
                }
                (a, p) => Err(UiError::Fields([a.err(), p.err()].into_iter().flatten().collect())),
            }
        }
        Role::Auditor | Role::Admin => {
            let named = [("facility", facility), ("corporation", corporation), ("association", association)]
                .into_iter()
                .chain([("prefecture", prefecture)])
                .find(|(_, v)| !v.is_empty());
            if let Some((field, _)) = named {
                return Err(refused(
                    field,
                    "監査担当・運用管理者は全国が範囲です。施設・法人・団体・都道府県は指定しないでください",
                ));
            }
            Ok(ScopeColumns::default())
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    disabled: bool,
    second_factor: bool,
    created_at: String,
    facility_name: Option<String>,
    facility_code: Option<String>,
    corporation_name: Option<String>,
    corporation_code: Option<String>,
    association: Option<String>,
    prefecture: Option<String>,
}

/// Every user, newest first.
pub async fn all(pool: &SqlitePool) -> sqlx::Result<Vec<AdminUser>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.role, u.disabled,
                EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id) AS second_factor, u.created_at,
                f.name AS facility_name, f.facility_code, c.name AS corporation_name, c.code AS corporation_code,
                u.association, u.prefecture
         FROM users u LEFT JOIN facilities f ON f.id = u.facility_id LEFT JOIN corporations c ON c.id = u.corporation_id
         ORDER BY u.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let scope_fields = (
                r.facility_code.clone().unwrap_or_default(),
                r.corporation_code.clone().unwrap_or_default(),
                r.association.clone().unwrap_or_default(),
                r.prefecture.clone().unwrap_or_default(),
            );
            let scope_label = match (r.facility_name, r.corporation_name, r.association, r.prefecture) {
                (Some(f), _, _, _) => f,
                (None, Some(c), _, _) => c,
                (None, None, Some(a), Some(p)) => format!(
                    "{} {}",
                    p.parse::<Prefecture>().map(|p| p.name_ja()).unwrap_or("?"),
                    a.parse::<Association>().map(|a| a.label_ja()).unwrap_or("?")
                ),
                _ => "全国".to_owned(),
            };
            AdminUser {
                id: r.id,
                email: r.email,
                display_name: r.display_name,
                role: r.role.parse().unwrap_or(Role::ClinicManager),
                scope_label,
                scope_fields,
                disabled: r.disabled,
                second_factor: r.second_factor,
                created_at: r.created_at,
            }
        })
        .collect())
}

/// Creates a user and records it, in one transaction.
pub async fn create(
    pool: &SqlitePool,
    actor: &Actor,
    email: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    scope: &ScopeColumns,
) -> Result<i64, UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(crate::ssr::context::internal)?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(crate::ssr::context::internal)?;
    if exists.is_some() {
        return Err(refused("email", format!("メールアドレス {email} は既に登録されています")));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, password_hash, facility_id, corporation_id, association, prefecture)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(email)
    .bind(display_name)
    .bind(role.code())
    .bind(password_hash)
    .bind(scope.facility_id)
    .bind(scope.corporation_id)
    .bind(scope.association.map(Association::code))
    .bind(scope.prefecture.map(|p| p.code()))
    .fetch_one(&mut *tx)
    .await
    .map_err(crate::ssr::context::internal)?;
    let mut after = scope.json();
    after["email"] = json!(email);
    after["display_name"] = json!(display_name);
    after["role"] = json!(role.code());
    let change =
        Change { action: "create", entity: "user", entity_id: id.to_string(), before: None, after: Some(after) };
    audit_log::record(&mut tx, actor, change).await.map_err(crate::ssr::context::internal)?;
    if let (Some(a), Some(p)) = (scope.association, scope.prefecture) {
        crate::ssr::db::complaints::notify_new_reviewer(&mut tx, id, a, p)
            .await
            .map_err(crate::ssr::context::internal)?;
    }
    tx.commit().await.map_err(crate::ssr::context::internal)?;
    Ok(id)
}

/// email, role, disabled, facility_id, corporation_id, association, prefecture.
type UserSnapshotRow = (String, String, bool, Option<i64>, Option<i64>, Option<String>, Option<String>);

async fn snapshot(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, id: i64) -> Result<serde_json::Value, UiError> {
    let row: Option<UserSnapshotRow> = sqlx::query_as(
        "SELECT email, role, disabled, facility_id, corporation_id, association, prefecture FROM users WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(crate::ssr::context::internal)?;
    let (email, role, disabled, facility_id, corporation_id, association, prefecture) = row.ok_or(UiError::NotFound)?;
    Ok(json!({"email": email, "role": role, "disabled": disabled, "facility_id": facility_id,
              "corporation_id": corporation_id, "association": association, "prefecture": prefecture}))
}

/// Disables or enables a user, recorded; the user's sessions end.
pub async fn set_disabled(pool: &SqlitePool, actor: &Actor, id: i64, disabled: bool) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(crate::ssr::context::internal)?;
    let before = snapshot(&mut tx, id).await?;
    sqlx::query("UPDATE users SET disabled = ?, session_epoch = session_epoch + 1 WHERE id = ?")
        .bind(disabled)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(crate::ssr::context::internal)?;
    let after = snapshot(&mut tx, id).await?;
    let action = if disabled { "disable" } else { "enable" };
    let change = Change { action, entity: "user", entity_id: id.to_string(), before: Some(before), after: Some(after) };
    audit_log::record(&mut tx, actor, change).await.map_err(crate::ssr::context::internal)?;
    tx.commit().await.map_err(crate::ssr::context::internal)
}

/// The e-mail of a user, if the user exists (the password policy refuses it inside a password).
pub async fn email_of(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT email FROM users WHERE id = ?").bind(id).fetch_optional(pool).await
}

/// Sets a new password hash, recorded (without the hash); the user's sessions end.
pub async fn set_password(pool: &SqlitePool, actor: &Actor, id: i64, password_hash: &str) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(crate::ssr::context::internal)?;
    snapshot(&mut tx, id).await?;
    sqlx::query("UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ?")
        .bind(password_hash)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(crate::ssr::context::internal)?;
    let change = Change {
        action: "reset_password",
        entity: "user",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({"password": "reset"})),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(crate::ssr::context::internal)?;
    tx.commit().await.map_err(crate::ssr::context::internal)
}

/// Changes a user's role and scope, recorded; the user's sessions end.
pub async fn set_scope(
    pool: &SqlitePool,
    actor: &Actor,
    id: i64,
    role: Role,
    scope: &ScopeColumns,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(crate::ssr::context::internal)?;
    let before = snapshot(&mut tx, id).await?;
    sqlx::query(
        "UPDATE users SET role = ?, facility_id = ?, corporation_id = ?, association = ?, prefecture = ?,
                          session_epoch = session_epoch + 1 WHERE id = ?",
    )
    .bind(role.code())
    .bind(scope.facility_id)
    .bind(scope.corporation_id)
    .bind(scope.association.map(Association::code))
    .bind(scope.prefecture.map(|p| p.code()))
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(crate::ssr::context::internal)?;
    let after = snapshot(&mut tx, id).await?;
    let moved = before != after;
    let change = Change {
        action: "update_scope",
        entity: "user",
        entity_id: id.to_string(),
        before: Some(before),
        after: Some(after),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(crate::ssr::context::internal)?;
    if let (Some(a), Some(p), true) = (scope.association, scope.prefecture, moved) {
        crate::ssr::db::complaints::notify_new_reviewer(&mut tx, id, a, p)
            .await
            .map_err(crate::ssr::context::internal)?;
    }
    tx.commit().await.map_err(crate::ssr::context::internal)
}
