//! Queries on `facility_patients`: the patients a facility sees a month, for the payback of
//! the fee additions; every write also goes into the audit trail.

use crate::UiError;
use crate::ssr::audit_log::{self, Actor, Change};
use crate::ssr::context::internal;
use rules::payback::MonthlyPatients;
use serde_json::json;
use sqlx::SqlitePool;

/// What a manager entered: a clinic or hospital its 初診 and 再診 patients, a pharmacy its
/// prescriptions (the others None).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Entered {
    /// 初診 patients a month.
    pub first_visits: Option<u32>,
    /// 再診 patients a month.
    pub revisits: Option<u32>,
    /// Patients whose prescriptions are dispensed a month.
    pub prescriptions: Option<u32>,
}

impl Entered {
    /// The patients as the payback counts them (what was not entered counts 0).
    pub fn monthly(self) -> MonthlyPatients {
        MonthlyPatients {
            first_visits: self.first_visits.unwrap_or(0),
            revisits: self.revisits.unwrap_or(0),
            prescriptions: self.prescriptions.unwrap_or(0),
        }
    }
}

/// The patients entered for a facility (call after a scoped check), None before any.
pub async fn entered(db: impl sqlx::SqliteExecutor<'_>, facility_id: i64) -> sqlx::Result<Option<Entered>> {
    sqlx::query_as("SELECT first_visits, revisits, prescriptions FROM facility_patients WHERE facility_id = ?")
        .bind(facility_id)
        .fetch_optional(db)
        .await
}

/// Stores the patients of a facility (call after a scoped check), replacing what was entered.
pub async fn save(pool: &SqlitePool, actor: &Actor, facility_id: i64, patients: Entered) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let before = entered(&mut *tx, facility_id).await.map_err(internal)?;
    sqlx::query(
        "INSERT INTO facility_patients (facility_id, first_visits, revisits, prescriptions, updated_by)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE SET
             first_visits = excluded.first_visits, revisits = excluded.revisits,
             prescriptions = excluded.prescriptions, updated_by = excluded.updated_by,
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    )
    .bind(facility_id)
    .bind(patients.first_visits)
    .bind(patients.revisits)
    .bind(patients.prescriptions)
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let change = Change {
        action: if before.is_some() { "update" } else { "create" },
        entity: "facility_patients",
        entity_id: facility_id.to_string(),
        before: before.map(|b| json!(b)),
        after: Some(json!(patients)),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}
