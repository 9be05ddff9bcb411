//! Queries on the reader application and the provisioning progress of a
//! facility; every write also goes into the audit trail.

use super::scope::push_scope;
use crate::UiError;
use crate::ssr::audit_log::{self, Actor, Change};
use crate::ssr::context::internal;
use rules::access::Scope;
use rules::date_order::DateField;
use rules::provisioning::{Grace, ProvisioningFacts, Stage};
use rules::{FacilityType, GraceType};
use serde_json::json;
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};

/// A facility's row as the provisioning pages need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FacilityBasics {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Type code.
    pub facility_type: String,
    /// Corporation.
    pub corporation_id: Option<i64>,
    /// Bills online.
    pub online_billing: bool,
}

/// The facility if the scope reaches it.
pub async fn facility_in_scope(
    db: impl sqlx::SqliteExecutor<'_>,
    scope: &Scope,
    id: i64,
) -> Result<FacilityBasics, UiError> {
    let mut qb = QueryBuilder::new(
        "SELECT f.id, f.name, f.facility_type, f.corporation_id, f.online_billing FROM facilities f WHERE f.id = ",
    );
    qb.push_bind(id);
    push_scope(&mut qb, scope, "f");
    qb.build_query_as::<FacilityBasics>().fetch_optional(db).await.map_err(internal)?.ok_or(UiError::NotFound)
}

/// The reader application as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    /// Date.
    pub applied_on: String,
    /// Readers.
    pub readers: i64,
    /// 機種未定.
    pub model_undecided: bool,
    /// Maker code.
    pub maker_code: Option<String>,
    /// Maker name.
    pub maker_name: Option<String>,
    /// Model chosen on.
    pub model_chosen_on: Option<String>,
    /// 一括申請 declared on.
    pub bulk_declared_on: Option<String>,
    /// Batch of a 一括申請.
    pub bulk_batch: Option<String>,
}

/// The progress as stored.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ProgressRow {
    /// Stage code.
    pub stage: String,
    /// Vendor name.
    pub vendor_name: Option<String>,
    /// Vendor id.
    pub vendor_id: Option<i64>,
    /// Dates.
    pub vendor_contract_on: Option<String>,
    /// 導入完了.
    pub completed_on: Option<String>,
    /// 運用開始.
    pub operation_started_on: Option<String>,
    /// 交付申請.
    pub subsidy_applied_on: Option<String>,
    /// 猶予 type.
    pub grace_type: Option<i64>,
    /// Accepted.
    pub grace_accepted: bool,
    /// Until.
    pub grace_until: Option<String>,
    /// Blocker code.
    pub blocker_code: Option<String>,
    /// Blocker text.
    pub blocker_text: Option<String>,
}

/// The reader application of a facility.
pub async fn application(db: impl sqlx::SqliteExecutor<'_>, facility_id: i64) -> sqlx::Result<Option<ApplicationRow>> {
    sqlx::query_as(
        "SELECT a.applied_on, a.readers, a.model_undecided, a.maker_code, m.name AS maker_name, a.model_chosen_on,
                a.bulk_declared_on, a.bulk_batch
         FROM reader_applications a LEFT JOIN reader_makers m ON m.code = a.maker_code WHERE a.facility_id = ?",
    )
    .bind(facility_id)
    .fetch_optional(db)
    .await
}

/// The progress of a facility (the default row when nothing was recorded).
pub async fn progress(db: impl sqlx::SqliteExecutor<'_>, facility_id: i64) -> sqlx::Result<ProgressRow> {
    let row: Option<ProgressRow> = sqlx::query_as(
        "SELECT p.stage, v.name AS vendor_name, p.vendor_id, p.vendor_contract_on, p.completed_on, p.operation_started_on,
                p.subsidy_applied_on, p.grace_type, p.grace_accepted, p.grace_until, p.blocker_code, p.blocker_text
         FROM facility_progress p LEFT JOIN vendors v ON v.id = p.vendor_id WHERE p.facility_id = ?",
    )
    .bind(facility_id)
    .fetch_optional(db)
    .await?;
    Ok(row.unwrap_or_else(|| ProgressRow {
        stage: Stage::PortalUnregistered.code().to_owned(),
        ..ProgressRow::default()
    }))
}

/// The facility, its reader application and its progress, as the provisioning section reads
/// them: one query instead of three.
#[derive(sqlx::FromRow)]
struct SectionRow {
    #[sqlx(flatten)]
    facility: FacilityBasics,
    #[sqlx(flatten)]
    progress: ProgressRow,
    applied_on: Option<String>,
    readers: Option<i64>,
    model_undecided: Option<bool>,
    maker_code: Option<String>,
    maker_name: Option<String>,
    model_chosen_on: Option<String>,
    bulk_declared_on: Option<String>,
    bulk_batch: Option<String>,
}

/// A facility with its reader application (if any) and its progress (the default row when
/// nothing was recorded), as the provisioning pages read them.
pub type Section = (FacilityBasics, Option<ApplicationRow>, ProgressRow);

/// The facility's [`Section`] if the scope reaches it.
pub async fn section(db: impl sqlx::SqliteExecutor<'_>, scope: &Scope, id: i64) -> Result<Section, UiError> {
    let mut qb = section_query();
    qb.push("f.id = ");
    qb.push_bind(id);
    push_scope(&mut qb, scope, "f");
    let row = qb.build_query_as::<SectionRow>().fetch_optional(db).await.map_err(internal)?.ok_or(UiError::NotFound)?;
    Ok(row.split())
}

/// The [`Section`]s of a corporation's facilities in the scope, by name: one query for the
/// corporation page, not three per facility.
pub async fn corporation_sections(
    db: impl sqlx::SqliteExecutor<'_>,
    scope: &Scope,
    corporation_id: i64,
) -> sqlx::Result<Vec<Section>> {
    let mut qb = section_query();
    qb.push("f.corporation_id = ");
    qb.push_bind(corporation_id);
    push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY f.kana, f.name");
    Ok(qb.build_query_as::<SectionRow>().fetch_all(db).await?.into_iter().map(SectionRow::split).collect())
}

/// The [`Section`]s of every facility in a facility's or corporation's scope, by name, at most
/// `limit` (a manager's home page; a national scope has no home deadlines).
pub async fn scope_sections(
    db: impl sqlx::SqliteExecutor<'_>,
    scope: &Scope,
    limit: i64,
) -> sqlx::Result<Vec<Section>> {
    let mut qb = section_query();
    qb.push("1 = 1");
    push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY f.kana, f.name LIMIT ").push_bind(limit);
    Ok(qb.build_query_as::<SectionRow>().fetch_all(db).await?.into_iter().map(SectionRow::split).collect())
}

/// The [`Section`]s of every facility with an active manager in Onshi (the deadline
/// reminders' facilities).
pub async fn managed_sections(db: impl sqlx::SqliteExecutor<'_>) -> sqlx::Result<Vec<Section>> {
    let mut qb = section_query();
    qb.push(
        "EXISTS (SELECT 1 FROM users u WHERE u.disabled = 0 AND u.role = 'clinic_manager'
           AND (u.facility_id = f.id OR (u.corporation_id IS NOT NULL AND u.corporation_id = f.corporation_id)))",
    );
    qb.push(" ORDER BY f.id");
    Ok(qb.build_query_as::<SectionRow>().fetch_all(db).await?.into_iter().map(SectionRow::split).collect())
}

/// The [`SectionRow`] query up to its condition.
fn section_query() -> QueryBuilder<'static, sqlx::Sqlite> {
    let mut qb = QueryBuilder::new(
        "SELECT f.id, f.name, f.facility_type, f.corporation_id, f.online_billing,
                coalesce(p.stage, ",
    );
    qb.push_bind(Stage::PortalUnregistered.code());
    qb.push(
        ") AS stage, v.name AS vendor_name, p.vendor_id, p.vendor_contract_on, p.completed_on,
                p.operation_started_on, p.subsidy_applied_on, p.grace_type, coalesce(p.grace_accepted, 0) AS grace_accepted,
                p.grace_until, p.blocker_code, p.blocker_text,
                a.applied_on, a.readers, a.model_undecided, a.maker_code, m.name AS maker_name, a.model_chosen_on,
                a.bulk_declared_on, a.bulk_batch
         FROM facilities f
         LEFT JOIN facility_progress p ON p.facility_id = f.id LEFT JOIN vendors v ON v.id = p.vendor_id
         LEFT JOIN reader_applications a ON a.facility_id = f.id LEFT JOIN reader_makers m ON m.code = a.maker_code
         WHERE ",
    );
    qb
}

impl SectionRow {
    fn split(self) -> Section {
        let application = match (self.applied_on, self.readers) {
            (Some(applied_on), Some(readers)) => Some(ApplicationRow {
                applied_on,
                readers,
                model_undecided: self.model_undecided.unwrap_or(false),
                maker_code: self.maker_code,
                maker_name: self.maker_name,
                model_chosen_on: self.model_chosen_on,
                bulk_declared_on: self.bulk_declared_on,
                bulk_batch: self.bulk_batch,
            }),
            _ => None,
        };
        (self.facility, application, self.progress)
    }
}

fn day(s: &Option<String>) -> Option<chrono::NaiveDate> {
    s.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// A date a server function has already checked (YYYY-MM-DD).
fn iso_day(text: &str) -> Result<chrono::NaiveDate, UiError> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(internal)
}

/// The stored columns a list row reads the stage the pages show from (`facility_progress` and
/// `reader_applications` joined to the facility; `None` where there is no row). Flattened into
/// list rows (`#[sqlx(flatten)]`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageRow {
    /// The recorded stage.
    pub stage: Option<String>,
    /// Reader applied on.
    pub reader_applied_on: Option<String>,
    /// Model chosen on.
    pub model_chosen_on: Option<String>,
    /// Vendor contract.
    pub vendor_contract_on: Option<String>,
    /// 導入完了.
    pub completed_on: Option<String>,
    /// 運用開始.
    pub operation_started_on: Option<String>,
}

impl StageRow {
    /// The stage the pages show: the recorded one, moved on by the milestones (as on the
    /// facility page).
    pub fn effective(&self, facility_type: &str, online_billing: bool) -> Stage {
        let kind = facility_type.parse().unwrap_or(FacilityType::MedicalClinic);
        let facts = ProvisioningFacts {
            stage: self.stage.as_deref().and_then(|s| s.parse().ok()).unwrap_or(Stage::PortalUnregistered),
            reader_applied_on: day(&self.reader_applied_on),
            model_chosen_on: day(&self.model_chosen_on),
            vendor_contract_on: day(&self.vendor_contract_on),
            completed_on: day(&self.completed_on),
            operation_started_on: day(&self.operation_started_on),
            ..ProvisioningFacts::new(kind, online_billing)
        };
        facts.effective_stage()
    }
}

/// The facts the deadline rules read.
pub fn facts(f: &FacilityBasics, a: Option<&ApplicationRow>, p: &ProgressRow) -> ProvisioningFacts {
    let kind = f.facility_type.parse::<FacilityType>().unwrap_or(FacilityType::MedicalClinic);
    let mut facts = ProvisioningFacts::new(kind, f.online_billing);
    if let Some(a) = a {
        facts.readers = u8::try_from(a.readers).unwrap_or(u8::MAX);
        facts.reader_applied_on = day(&Some(a.applied_on.clone()));
        facts.model_undecided = a.model_undecided;
        facts.model_chosen_on = day(&a.model_chosen_on);
        facts.bulk_declared_on = day(&a.bulk_declared_on);
    }
    facts.vendor_contract_on = day(&p.vendor_contract_on);
    facts.completed_on = day(&p.completed_on);
    facts.operation_started_on = day(&p.operation_started_on);
    facts.subsidy_applied_on = day(&p.subsidy_applied_on);
    facts.grace = p
        .grace_type
        .and_then(|t| u8::try_from(t).ok())
        .and_then(|t| GraceType::new(t).ok())
        .map(|kind| Grace { kind, accepted: p.grace_accepted, until: day(&p.grace_until) });
    facts.stage = p.stage.parse().unwrap_or(Stage::PortalUnregistered);
    facts
}

/// The columns [`FactsRow`] reads, from `facilities f` and the joins of [`FACTS_JOINS`]: for
/// queries that audit many quotes and need each one's facility facts in the same row.
pub const FACTS_COLUMNS: &str = "f.facility_type, f.online_billing, fp.stage, fa.applied_on AS reader_applied_on,
        fa.readers, fa.model_undecided, fa.model_chosen_on, fa.bulk_declared_on, fp.vendor_contract_on,
        fp.completed_on, fp.operation_started_on, fp.subsidy_applied_on, fp.grace_type,
        fp.grace_accepted, fp.grace_until";

/// The joins [`FACTS_COLUMNS`] read from, after `facilities f`.
pub const FACTS_JOINS: &str = "LEFT JOIN facility_progress fp ON fp.facility_id = f.id
        LEFT JOIN reader_applications fa ON fa.facility_id = f.id";

/// A facility's facts as one row of [`FACTS_COLUMNS`] (flattened into a larger row); `None`
/// where the facility has no reader application or no progress yet.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct FactsRow {
    /// Type code.
    pub facility_type: String,
    /// Bills online.
    pub online_billing: bool,
    /// Stage code.
    pub stage: Option<String>,
    /// Reader applied on.
    pub reader_applied_on: Option<String>,
    /// Readers.
    pub readers: Option<i64>,
    /// 機種未定.
    pub model_undecided: Option<bool>,
    /// Model chosen on.
    pub model_chosen_on: Option<String>,
    /// 一括申請 declared on.
    pub bulk_declared_on: Option<String>,
    /// Vendor contract.
    pub vendor_contract_on: Option<String>,
    /// 導入完了.
    pub completed_on: Option<String>,
    /// 運用開始.
    pub operation_started_on: Option<String>,
    /// 交付申請.
    pub subsidy_applied_on: Option<String>,
    /// 猶予 type.
    pub grace_type: Option<i64>,
    /// Accepted.
    pub grace_accepted: Option<bool>,
    /// Until.
    pub grace_until: Option<String>,
}

impl FactsRow {
    /// The facts, read as [`facts`] reads the provisioning section.
    pub fn facts(&self) -> ProvisioningFacts {
        let f = FacilityBasics {
            id: 0,
            name: String::new(),
            facility_type: self.facility_type.clone(),
            corporation_id: None,
            online_billing: self.online_billing,
        };
        let a = self.reader_applied_on.clone().map(|applied_on| ApplicationRow {
            applied_on,
            readers: self.readers.unwrap_or(1),
            model_undecided: self.model_undecided.unwrap_or(false),
            maker_code: None,
            maker_name: None,
            model_chosen_on: self.model_chosen_on.clone(),
            bulk_declared_on: self.bulk_declared_on.clone(),
            bulk_batch: None,
        });
        let p = ProgressRow {
            stage: self.stage.clone().unwrap_or_else(|| Stage::PortalUnregistered.code().to_owned()),
            vendor_contract_on: self.vendor_contract_on.clone(),
            completed_on: self.completed_on.clone(),
            operation_started_on: self.operation_started_on.clone(),
            subsidy_applied_on: self.subsidy_applied_on.clone(),
            grace_type: self.grace_type,
            grace_accepted: self.grace_accepted.unwrap_or(false),
            grace_until: self.grace_until.clone(),
            ..ProgressRow::default()
        };
        facts(&f, a.as_ref(), &p)
    }
}

/// The facts of a facility in the scope (its reader application and progress), as the subsidy
/// of its quotes is computed from them.
pub async fn facts_in_scope(
    db: impl sqlx::SqliteExecutor<'_>,
    scope: &Scope,
    id: i64,
) -> Result<ProvisioningFacts, UiError> {
    let (f, a, p) = section(db, scope, id).await?;
    Ok(facts(&f, a.as_ref(), &p))
}

async fn record(
    tx: &mut Transaction<'_, Sqlite>,
    actor: &Actor,
    action: &'static str,
    entity: &'static str,
    id: i64,
    after: serde_json::Value,
) -> Result<(), UiError> {
    let change = Change { action, entity, entity_id: id.to_string(), before: None, after: Some(after) };
    audit_log::record(tx, actor, change).await.map_err(internal)?;
    Ok(())
}

async fn ensure_progress(tx: &mut Transaction<'_, Sqlite>, facility_id: i64) -> Result<(), UiError> {
    sqlx::query("INSERT INTO facility_progress (facility_id) VALUES (?) ON CONFLICT (facility_id) DO NOTHING")
        .bind(facility_id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Moves the stage forward (never back) and adds a timeline event.
async fn reach_stage(
    tx: &mut Transaction<'_, Sqlite>,
    facility_id: i64,
    stage: Stage,
    on: &str,
    user_id: i64,
) -> Result<(), UiError> {
    ensure_progress(tx, facility_id).await?;
    let current: String = sqlx::query_scalar("SELECT stage FROM facility_progress WHERE facility_id = ?")
        .bind(facility_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let current = current.parse::<Stage>().unwrap_or(Stage::PortalUnregistered);
    if stage.index() > current.index() {
        sqlx::query("UPDATE facility_progress SET stage = ?, blocker_code = NULL, blocker_text = NULL, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE facility_id = ?")
            .bind(stage.code())
            .bind(facility_id)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
        sqlx::query("INSERT INTO stage_events (facility_id, stage, reached_on, recorded_by) VALUES (?, ?, ?, ?)")
            .bind(facility_id)
            .bind(stage.code())
            .bind(on)
            .bind(user_id)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
    }
    Ok(())
}

/// The reader application of one or several facilities (a 一括申請 shares a batch id).
pub struct ApplicationInput<'a> {
    /// Date.
    pub applied_on: &'a str,
    /// Readers.
    pub readers: u8,
    /// Maker, or None for 機種未定.
    pub maker: Option<&'a str>,
    /// 一括申請 declaration date.
    pub bulk_declared_on: Option<&'a str>,
    /// Batch id of a 一括申請.
    pub bulk_batch: Option<&'a str>,
}

/// Refuses, as a form error on `field`, a code or id typed into a form that is not in its
/// reference list: the form offers only listed values, so anything else was crafted, and
/// the database's foreign keys would answer it with a server error.
async fn must_be_listed(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    sql: &str,
    value: impl ToString,
    field: &str,
    message: &str,
) -> Result<(), UiError> {
    let found: Option<i64> =
        sqlx::query_scalar(sql).bind(value.to_string()).fetch_optional(&mut **tx).await.map_err(internal)?;
    match found {
        Some(_) => Ok(()),
        None => Err(UiError::Fields(vec![(field.to_owned(), message.to_owned())])),
    }
}

const UNKNOWN_MAKER: &str = "一覧にない機種（メーカー）です。一覧から選んでください。";

/// Longest 阻害要因 a facility writes in its own words, in characters (Onshi's own bound: a
/// few sentences; the survey's reasons are under 40 characters).
pub const MAX_BLOCKER_TEXT_CHARS: usize = 400;

/// Stores (or replaces) the reader application of each facility, in one transaction.
pub async fn apply_readers(
    pool: &SqlitePool,
    actor: &Actor,
    user_id: i64,
    facility_ids: &[i64],
    a: &ApplicationInput<'_>,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    if let Some(maker) = a.maker {
        must_be_listed(&mut tx, "SELECT 1 FROM reader_makers WHERE code = ?", maker, "maker", UNKNOWN_MAKER).await?;
    }
    let applied_on = iso_day(a.applied_on)?;
    let mut conflicts = Vec::new();
    for &id in facility_ids {
        // A new application has no 機種選定日 yet (a chosen maker makes it no date of its own).
        let stored = super::dates::of_facility(&mut tx, id).await.map_err(internal)?;
        let merged = super::dates::FacilityDates {
            reader_applied_on: Some(applied_on),
            model_undecided: a.maker.is_none(),
            model_chosen_on: None,
            ..stored
        };
        let found = merged.conflicts_involving(&[DateField::ReaderApplied, DateField::ModelChosen]);
        if facility_ids.len() > 1 && !found.is_empty() {
            // Several facilities at once: say which one.
            let name: String = sqlx::query_scalar("SELECT name FROM facilities WHERE id = ?")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(internal)?;
            conflicts.extend(found.iter().map(|c| ("applied_on".to_owned(), format!("{name}: {c}"))));
        } else {
            conflicts.extend(found.iter().map(|c| ("applied_on".to_owned(), c.to_string())));
        }
    }
    if !conflicts.is_empty() {
        return Err(UiError::Fields(conflicts));
    }
    for &id in facility_ids {
        sqlx::query(
            "INSERT INTO reader_applications (facility_id, applied_on, readers, model_undecided, maker_code, model_chosen_on, bulk_declared_on, bulk_batch)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (facility_id) DO UPDATE SET applied_on = excluded.applied_on, readers = excluded.readers,
                 model_undecided = excluded.model_undecided, maker_code = excluded.maker_code,
                 model_chosen_on = excluded.model_chosen_on, bulk_declared_on = excluded.bulk_declared_on,
                 bulk_batch = excluded.bulk_batch, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        )
        .bind(id)
        .bind(a.applied_on)
        .bind(i64::from(a.readers))
        .bind(a.maker.is_none())
        .bind(a.maker)
        .bind(a.maker.map(|_| a.applied_on))
        .bind(a.bulk_declared_on)
        .bind(a.bulk_batch)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
        reach_stage(&mut tx, id, Stage::ReaderApplied, a.applied_on, user_id).await?;
        let after = json!({"applied_on": a.applied_on, "readers": a.readers, "maker": a.maker, "model_undecided": a.maker.is_none(),
                           "bulk_declared_on": a.bulk_declared_on, "bulk_batch": a.bulk_batch});
        record(&mut tx, actor, "apply", "reader_application", id, after).await?;
    }
    tx.commit().await.map_err(internal)
}

/// Chooses the model of a 機種未定 application.
pub async fn choose_model(
    pool: &SqlitePool,
    actor: &Actor,
    facility_id: i64,
    maker: &str,
    chosen_on: &str,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    must_be_listed(&mut tx, "SELECT 1 FROM reader_makers WHERE code = ?", maker, "maker", UNKNOWN_MAKER).await?;
    let stored = super::dates::of_facility(&mut tx, facility_id).await.map_err(internal)?;
    let merged = super::dates::FacilityDates { model_chosen_on: Some(iso_day(chosen_on)?), ..stored };
    super::dates::refuse(&merged.conflicts_involving(&[DateField::ModelChosen]), "chosen_on")?;
    let updated = sqlx::query(
        "UPDATE reader_applications SET maker_code = ?, model_chosen_on = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE facility_id = ?",
    )
    .bind(maker)
    .bind(chosen_on)
    .bind(facility_id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    if updated.rows_affected() == 0 {
        return Err(UiError::Invalid("先にカードリーダーの申込を登録してください".into()));
    }
    record(
        &mut tx,
        actor,
        "choose_model",
        "reader_application",
        facility_id,
        json!({"maker": maker, "model_chosen_on": chosen_on}),
    )
    .await?;
    tx.commit().await.map_err(internal)
}

/// A stage reached, with its vendor and blocker.
pub struct StageInput<'a> {
    /// The stage.
    pub stage: Stage,
    /// When.
    pub on: &'a str,
    /// Vendor doing the work.
    pub vendor_id: Option<i64>,
    /// Blocker from the survey's list.
    pub blocker_code: Option<&'a str>,
    /// Blocker in the facility's words.
    pub blocker_text: Option<&'a str>,
}

/// Records a stage (and the milestone date it proves), in one transaction.
pub async fn record_stage(
    pool: &SqlitePool,
    actor: &Actor,
    user_id: i64,
    facility_id: i64,
    s: &StageInput<'_>,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    if let Some(code) = s.blocker_code {
        let message = "一覧にない阻害要因です。一覧から選ぶか、「その他」に入力してください。";
        must_be_listed(&mut tx, "SELECT 1 FROM blocker_reasons WHERE code = ?", code, "blocker_code", message).await?;
    }
    if let Some(id) = s.vendor_id {
        let message = "一覧にない事業者です。一覧から選び直してください。";
        let sql = "SELECT 1 FROM vendors WHERE id = ? AND (reviewed = 1 OR added_by = ?)";
        let found: Option<i64> =
            sqlx::query_scalar(sql).bind(id).bind(user_id).fetch_optional(&mut *tx).await.map_err(internal)?;
        if found.is_none() {
            return Err(UiError::Fields(vec![("vendor_id".into(), message.into())]));
        }
    }
    if let Some(text) = s.blocker_text
        && text.chars().count() > MAX_BLOCKER_TEXT_CHARS
    {
        return Err(UiError::Fields(vec![(
            "blocker_text".into(),
            format!("阻害要因は{MAX_BLOCKER_TEXT_CHARS}文字以内で入力してください。"),
        )]));
    }
    // The stages that are milestones of the subsidy rules set their date (the column of the
    // same name), in order with the facility's other dates.
    let milestone = match s.stage {
        Stage::VendorOrdered => Some(DateField::VendorContract),
        Stage::Installed => Some(DateField::Completed),
        Stage::Operating => Some(DateField::OperationStarted),
        _ => None,
    };
    if let Some(field) = milestone {
        let on = Some(iso_day(s.on)?);
        let mut merged = super::dates::of_facility(&mut tx, facility_id).await.map_err(internal)?;
        match field {
            DateField::VendorContract => merged.vendor_contract_on = on,
            DateField::Completed => merged.completed_on = on,
            _ => merged.operation_started_on = on,
        }
        super::dates::refuse(&merged.conflicts_involving(&[field]), "reached_on")?;
    }
    ensure_progress(&mut tx, facility_id).await?;
    reach_stage(&mut tx, facility_id, s.stage, s.on, user_id).await?;
    if let Some(column) = milestone.map(DateField::code) {
        sqlx::query(&format!("UPDATE facility_progress SET {column} = ? WHERE facility_id = ?"))
            .bind(s.on)
            .bind(facility_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    sqlx::query(
        "UPDATE facility_progress SET vendor_id = COALESCE(?, vendor_id), blocker_code = ?, blocker_text = ? WHERE facility_id = ?",
    )
    .bind(s.vendor_id)
    .bind(s.blocker_code)
    .bind(s.blocker_text)
    .bind(facility_id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let after = json!({"stage": s.stage.code(), "on": s.on, "vendor_id": s.vendor_id, "blocker_code": s.blocker_code, "blocker_text": s.blocker_text});
    record(&mut tx, actor, "record_stage", "facility_progress", facility_id, after).await?;
    tx.commit().await.map_err(internal)
}

/// Records a 猶予届出.
pub async fn set_grace(
    pool: &SqlitePool,
    actor: &Actor,
    facility_id: i64,
    kind: Option<GraceType>,
    accepted: bool,
    until: Option<&str>,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    ensure_progress(&mut tx, facility_id).await?;
    sqlx::query(
        "UPDATE facility_progress SET grace_type = ?, grace_accepted = ?, grace_until = ? WHERE facility_id = ?",
    )
    .bind(kind.map(|k| i64::from(k.number())))
    .bind(accepted && kind.is_some())
    .bind(until)
    .bind(facility_id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let after = json!({"grace_type": kind.map(GraceType::number), "accepted": accepted, "until": until});
    record(&mut tx, actor, "set_grace", "facility_progress", facility_id, after).await?;
    tx.commit().await.map_err(internal)
}

/// A timeline event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Stage code.
    pub stage: String,
    /// Date.
    pub reached_on: String,
}

/// The timeline, oldest first.
pub async fn events(db: impl sqlx::SqliteExecutor<'_>, facility_id: i64) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as("SELECT stage, reached_on FROM stage_events WHERE facility_id = ? ORDER BY reached_on, id")
        .bind(facility_id)
        .fetch_all(db)
        .await
}

/// Reader makers: (code, name).
pub async fn makers(db: impl sqlx::SqliteExecutor<'_>) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT code, name FROM reader_makers ORDER BY rowid").fetch_all(db).await
}

/// The reference lists of the provisioning forms: reader makers (code, name) and blocker
/// reasons (stage, code, label).
#[derive(Debug, Default)]
pub struct ReferenceLists {
    /// Reader makers.
    pub makers: Vec<(String, String)>,
    /// Blocker reasons.
    pub blockers: Vec<(String, String, String)>,
}

/// Kept per database once read: written only by the reference seed when the server starts (a
/// restore needs the database to itself), read by every facility page of an editor — two
/// statements of the twelve such a page ran (BENCHMARKS.md, load test).
static REFERENCE_LISTS: crate::ssr::per_database::PerDatabase<tokio::sync::OnceCell<ReferenceLists>> =
    crate::ssr::per_database::PerDatabase::new(tokio::sync::OnceCell::new);

/// The database's [`ReferenceLists`], read through `conn` the first time.
pub async fn reference_lists(
    pool: &sqlx::SqlitePool,
    conn: &mut sqlx::SqliteConnection,
) -> sqlx::Result<std::sync::Arc<tokio::sync::OnceCell<ReferenceLists>>> {
    let cell = REFERENCE_LISTS.of(pool);
    cell.get_or_try_init(|| async {
        Ok::<_, sqlx::Error>(ReferenceLists {
            makers: makers(&mut *conn).await?,
            blockers: blocker_reasons(&mut *conn).await?,
        })
    })
    .await?;
    Ok(cell)
}

/// Vendors a user may pick: (id, name). Those other users typed in appear once an admin
/// has reviewed them; the user's own appear at once.
pub async fn vendors(db: impl sqlx::SqliteExecutor<'_>, user_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM vendors WHERE reviewed = 1 OR added_by = ? ORDER BY name")
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// Blocker reasons of seed 002: (stage, code, label).
pub async fn blocker_reasons(db: impl sqlx::SqliteExecutor<'_>) -> sqlx::Result<Vec<(String, String, String)>> {
    sqlx::query_as("SELECT stage, code, label_ja FROM blocker_reasons ORDER BY stage, rank").fetch_all(db).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn a_facts_row_reads_as_the_provisioning_section_reads_its_three_rows() {
        let row = FactsRow {
            facility_type: "medical_clinic".into(),
            online_billing: true,
            stage: Some("vendor_ordered".into()),
            reader_applied_on: Some("2022-08-01".into()),
            readers: Some(1),
            model_undecided: Some(false),
            vendor_contract_on: Some("2022-09-01".into()),
            grace_type: Some(1),
            grace_accepted: Some(true),
            ..FactsRow::default()
        };
        let f = row.facts();
        assert_eq!((f.facility_type, f.readers, f.stage), (FacilityType::MedicalClinic, 1, Stage::VendorOrdered));
        assert_eq!((f.reader_applied_on, f.vendor_contract_on), (day("2022-08-01"), day("2022-09-01")));
        assert_eq!(f.accepted_grace().map(GraceType::number), Some(1));
        let input = f.subsidy_input(rules::Yen::ZERO);
        assert_eq!(input.vendor_contract_on, day("2022-09-01"), "the contract reaches the subsidy");
    }

    #[test]
    fn a_facility_with_no_application_and_no_progress_has_no_readers_and_no_dates() {
        let row = FactsRow { facility_type: "hospital".into(), online_billing: true, ..FactsRow::default() };
        let f = row.facts();
        assert_eq!((f.readers, f.reader_applied_on, f.vendor_contract_on), (0, None, None));
        assert_eq!(f.stage, Stage::PortalUnregistered);
        assert_eq!(f.grace, None);
    }
}
