//! Queries on `users`.

use crate::SessionUser;
use rules::access::Scope;
use rules::{Association, Prefecture, Role};
use sqlx::SqlitePool;

/// What login needs of an account.
#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    /// User id.
    pub id: i64,
    /// PHC argon2id hash.
    pub password_hash: String,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// Stored in the session at sign-in: see `session_keys::SESSION_EPOCH`.
    pub session_epoch: i64,
}

/// The login data of the account with this e-mail (case-insensitive).
pub async fn credentials_by_email(pool: &SqlitePool, email: &str) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as("SELECT id, password_hash, disabled, session_epoch FROM users WHERE email = ?")
        .bind(email)
        .fetch_optional(pool)
        .await
}

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    association: Option<String>,
    prefecture: Option<String>,
    facility_id: Option<i64>,
    corporation_id: Option<i64>,
    facility_name: Option<String>,
    corporation_name: Option<String>,
    second_factor: Option<i64>,
}

/// The active user with this id, as the header shows them; None when the
/// account is gone or disabled, or its sessions of `epoch` were ended since.
pub async fn session_user(pool: &SqlitePool, id: i64, epoch: i64) -> sqlx::Result<Option<SessionUser>> {
    let row: Option<SessionUserRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.role, u.association, u.prefecture,
                u.facility_id, u.corporation_id, f.name AS facility_name, c.name AS corporation_name,
                (SELECT t.id FROM user_totp t WHERE t.user_id = u.id) AS second_factor
         FROM users u
         LEFT JOIN facilities f ON f.id = u.facility_id
         LEFT JOIN corporations c ON c.id = u.corporation_id
         WHERE u.id = ? AND u.disabled = 0 AND u.session_epoch = ?",
    )
    .bind(id)
    .bind(epoch)
    .fetch_optional(pool)
    .await?;
    row.map(SessionUserRow::into_session_user).transpose()
}

impl SessionUserRow {
    fn into_session_user(self) -> sqlx::Result<SessionUser> {
        let decode = |e: String| sqlx::Error::Decode(e.into());
        let role: Role = self.role.parse().map_err(|e: rules::UnknownRole| decode(e.to_string()))?;
        let association =
            self.association.map(|a| a.parse::<Association>()).transpose().map_err(|e| decode(e.to_string()))?;
        let prefecture =
            self.prefecture.map(|p| p.parse::<Prefecture>()).transpose().map_err(|e| decode(e.to_string()))?;
        let scope = match (role, self.corporation_id, self.facility_id, association, prefecture) {
            (Role::ClinicManager, Some(id), _, _, _) => Scope::Corporation { id },
            (Role::ClinicManager, None, Some(id), _, _) => Scope::Facility { id },
            (Role::Reviewer, _, _, Some(association), Some(prefecture)) => {
                Scope::Association { association, prefecture }
            }
            (Role::Auditor, ..) => Scope::National,
            // A manager or reviewer without a scope (the schema forbids it) sees nothing.
            _ => Scope::NoFacilities,
        };
        let scope_label = match (role, self.corporation_name, self.facility_name, association, prefecture) {
            (Role::ClinicManager, Some(corporation), _, _, _) => corporation,
            (Role::ClinicManager, None, Some(facility), _, _) => facility,
            (Role::Reviewer, _, _, Some(a), Some(p)) => format!("{} {}", p.name_ja(), a.label_ja()),
            _ => "全国".to_owned(),
        };
        Ok(SessionUser {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role,
            scope_label,
            scope,
            second_factor: self.second_factor,
        })
    }
}
