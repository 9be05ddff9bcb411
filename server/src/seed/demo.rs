//! Demo data for a new database: a medical corporation, a pharmacy chain,
//! facilities of every type, and one user per role.

use super::{invalid, parse, printable_name};
use crate::error::StartError;
use rules::printable_name::NameKind;
use rules::{Association, FacilityCode, FacilityType, Prefecture, Role};
use serde::Deserialize;
use sqlx::SqlitePool;

const DEMO: (&str, &str) = ("seed/demo.json", include_str!("../../../seed/demo.json"));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    corporations: Vec<CorporationSeed>,
    facilities: Vec<FacilitySeed>,
    users: Vec<UserSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorporationSeed {
    code: String,
    name: String,
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilitySeed {
    code: String,
    name: String,
    kana: String,
    facility_type: FacilityType,
    prefecture: Prefecture,
    address: String,
    corporation: Option<String>,
    online_billing: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserSeed {
    email: String,
    role: Role,
    display_name: String,
    scope: Option<ScopeSeed>,
}

#[derive(Deserialize)]
#[serde(untagged, deny_unknown_fields)]
enum ScopeSeed {
    Corporation { corporation: String },
    Facility { facility: String },
    Association { association: Association, prefecture: Prefecture },
}

/// The demo accounts that were created.
#[derive(Debug, Clone)]
pub struct DemoAccounts {
    /// (e-mail, role) of each demo user.
    pub users: Vec<(String, Role)>,
    /// Facilities created.
    pub facilities: usize,
}

/// Loads the demo data in one transaction, every user with `password`.
/// Every facility code is checked (検証番号, prefecture, 点数表) before anything is written.
pub async fn load(pool: &SqlitePool, password: &str) -> Result<DemoAccounts, StartError> {
    let mut demo: DemoFile = parse(DEMO.0, DEMO.1)?;
    for c in &mut demo.corporations {
        c.name = printable_name(DEMO.0, NameKind::Corporation, &c.name)?;
    }
    for f in &mut demo.facilities {
        f.name = printable_name(DEMO.0, NameKind::Facility, &f.name)?;
    }
    for u in &mut demo.users {
        u.display_name = printable_name(DEMO.0, NameKind::Person, &u.display_name)?;
    }
    for f in &demo.facilities {
        let code = FacilityCode::parse_for(&f.code, f.facility_type)
            .map_err(|e| invalid(DEMO.0, format!("facility {}: {e}", f.name)))?;
        if code.prefecture() != f.prefecture {
            return Err(invalid(
                DEMO.0,
                format!("facility {}: code {code} is not of prefecture {}", f.name, f.prefecture),
            ));
        }
        if let Some(corp) = f.corporation.as_ref().filter(|c| !demo.corporations.iter().any(|k| &k.code == *c)) {
            return Err(invalid(DEMO.0, format!("facility {}: unknown corporation {corp}", f.name)));
        }
    }

    // The write lock first: a deferred transaction that reads, then writes, can meet SQLITE_BUSY at once.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for c in &demo.corporations {
        sqlx::query("INSERT INTO corporations (code, name, kind) VALUES (?, ?, ?)")
            .bind(&c.code)
            .bind(&c.name)
            .bind(&c.kind)
            .execute(&mut *tx)
            .await?;
    }
    for f in &demo.facilities {
        sqlx::query(
            "INSERT INTO facilities (facility_code, name, kana, facility_type, prefecture, address, corporation_id, online_billing)
             VALUES (?, ?, ?, ?, ?, ?, (SELECT id FROM corporations WHERE code = ?), ?)",
        )
        .bind(&f.code)
        .bind(&f.name)
        .bind(&f.kana)
        .bind(f.facility_type.code())
        .bind(f.prefecture.code())
        .bind(&f.address)
        .bind(&f.corporation)
        .bind(f.online_billing)
        .execute(&mut *tx)
        .await?;
    }
    let mut users = Vec::new();
    for u in &demo.users {
        let hash = app::ssr::password::hash(password.to_owned()).await.map_err(StartError::Hash)?;
        let (corporation, facility, association, prefecture) = match &u.scope {
            Some(ScopeSeed::Corporation { corporation }) => (Some(corporation.as_str()), None, None, None),
            Some(ScopeSeed::Facility { facility }) => (None, Some(facility.as_str()), None, None),
            Some(ScopeSeed::Association { association, prefecture }) => {
                (None, None, Some(association.code()), Some(prefecture.code()))
            }
            None => (None, None, None, None),
        };
        sqlx::query(
            "INSERT INTO users (email, display_name, role, password_hash, corporation_id, facility_id, association, prefecture)
             VALUES (?, ?, ?, ?, (SELECT id FROM corporations WHERE code = ?),
                     (SELECT id FROM facilities WHERE facility_code = ?), ?, ?)",
        )
        .bind(&u.email)
        .bind(&u.display_name)
        .bind(u.role.code())
        .bind(hash)
        .bind(corporation)
        .bind(facility)
        .bind(association)
        .bind(prefecture)
        .execute(&mut *tx)
        .await
        .map_err(|e| invalid(DEMO.0, format!("user {}: {e}", u.email)))?;
        users.push((u.email.clone(), u.role));
    }
    record_decision(&mut tx, DemoDecision::Loaded).await?;
    tx.commit().await?;
    Ok(DemoAccounts { users, facilities: demo.facilities.len() })
}

/// Enrols the demo users whose role needs a second factor (reviewer, auditor, admin) with
/// `secret`, so demonstrations and outside checks can sign in; recorded as the system's doing.
pub async fn enrol_second_factor(
    pool: &SqlitePool,
    key: &app::ssr::totp::SealingKey,
    accounts: &DemoAccounts,
    secret: &app::ssr::totp::Secret,
) -> Result<(), StartError> {
    use app::ssr::db::second_factor::{NewEnrolment, enrol};
    let actor = app::ssr::audit_log::Actor::system();
    for (email, _) in accounts.users.iter().filter(|(_, role)| app::ssr::second_factor::required(*role)) {
        let user_id: i64 =
            sqlx::query_scalar("SELECT id FROM users WHERE email = ?").bind(email).fetch_one(pool).await?;
        let sealed = key.seal(user_id, secret);
        let new = NewEnrolment { user_id, secret_sealed: &sealed, confirmed_step: 0, recovery_code_hashes: &[] };
        enrol(pool, &actor, new).await?;
    }
    Ok(())
}

/// What a new database's first start decided about demo data. Recorded so a
/// later start never adds demo users (with a known password) to a database
/// that was started without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoDecision {
    /// Demo data was loaded.
    Loaded,
    /// The first start said `--no-demo`.
    Skipped,
}

impl DemoDecision {
    fn code(self) -> &'static str {
        match self {
            DemoDecision::Loaded => "loaded",
            DemoDecision::Skipped => "skipped",
        }
    }
}

/// Records the decision (inside the caller's transaction).
pub async fn record_decision(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    decision: DemoDecision,
) -> Result<(), StartError> {
    sqlx::query("INSERT INTO app_meta (key, value) VALUES ('demo', ?)")
        .bind(decision.code())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether demo data was already decided on: a recorded decision, or any user.
pub async fn decided(pool: &SqlitePool) -> Result<bool, StartError> {
    let decided: i64 =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app_meta WHERE key = 'demo') OR EXISTS (SELECT 1 FROM users)")
            .fetch_one(pool)
            .await?;
    Ok(decided != 0)
}
