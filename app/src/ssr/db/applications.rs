//! Subsidy applications (交付申請): the facts a package is prepared from, the stored
//! applications and their status; every write also goes into the audit trail.

use super::scope::push_scope;
use crate::UiError;
use crate::ssr::audit_log::{self, Actor, Change};
use crate::ssr::context::internal;
use rules::access::Scope;
use rules::application::{Applicant, ApplicationStatus, CostLine, FinalCosts, Package};
use rules::category::Category;
use rules::provisioning::ProvisioningFacts;
use rules::{FacilityType, Prefecture, Yen};
use serde_json::json;
use sqlx::{QueryBuilder, SqlitePool};

/// A facility as an application needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct ApplicantRow {
    id: i64,
    facility_code: String,
    name: String,
    facility_type: String,
    prefecture: String,
    address: String,
    corporation_name: Option<String>,
    online_billing: bool,
}

/// Who applies and what they did, for a facility the scope reaches.
pub async fn applicant_and_facts(
    pool: &SqlitePool,
    scope: &Scope,
    facility_id: i64,
) -> Result<(Applicant, ProvisioningFacts), UiError> {
    let mut qb = QueryBuilder::new(
        "SELECT f.id, f.facility_code, f.name, f.facility_type, f.prefecture, f.address,
                c.name AS corporation_name, f.online_billing
         FROM facilities f LEFT JOIN corporations c ON c.id = f.corporation_id WHERE f.id = ",
    );
    qb.push_bind(facility_id);
    push_scope(&mut qb, scope, "f");
    let row: ApplicantRow =
        qb.build_query_as().fetch_optional(pool).await.map_err(internal)?.ok_or(UiError::NotFound)?;
    let kind = row.facility_type.parse::<FacilityType>().map_err(internal)?;
    let basics = super::provisioning::FacilityBasics {
        id: row.id,
        name: row.name.clone(),
        facility_type: row.facility_type.clone(),
        corporation_id: None,
        online_billing: row.online_billing,
    };
    let application = super::provisioning::application(pool, row.id).await.map_err(internal)?;
    let progress = super::provisioning::progress(pool, row.id).await.map_err(internal)?;
    let facts = super::provisioning::facts(&basics, application.as_ref(), &progress);
    let applicant =
        base_applicant(row.name, row.facility_code, kind, &row.prefecture, row.address, row.corporation_name);
    Ok((applicant, facts))
}

/// The applicant as the facility's record gives it, before anyone typed the details: the
/// corporation (else the facility) as 開設者, the rest empty.
fn base_applicant(
    name: String,
    facility_code: String,
    facility_type: FacilityType,
    prefecture: &str,
    address: String,
    corporation_name: Option<String>,
) -> Applicant {
    let prefecture =
        prefecture.parse::<Prefecture>().map_or_else(|_| prefecture.to_owned(), |p| p.name_ja().to_owned());
    Applicant {
        founder: corporation_name.unwrap_or_else(|| name.clone()),
        name,
        facility_code,
        facility_type,
        prefecture,
        address,
        representative_name: String::new(),
        representative_title: String::new(),
        phone: String::new(),
        contact_person: String::new(),
    }
}

/// What a facility page's application section shows besides its quotes, in one query: the
/// page loads three sections at once and this one needs no more than these.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SectionBasics {
    /// Facility name.
    pub name: String,
    /// Facility type code.
    pub facility_type: String,
    /// Readers applied for (0 before the reader application).
    pub readers: i64,
    /// The facility's application (交付申請), if any.
    pub application_id: Option<i64>,
    /// Its status code.
    pub application_status: Option<String>,
    /// 医療機関コード.
    pub facility_code: String,
    /// Prefecture code.
    pub prefecture: String,
    /// Address.
    pub address: String,
    /// The corporation's name, for a facility that has one.
    pub corporation_name: Option<String>,
    /// The stored application's package (its applicant as last typed).
    pub package_json: Option<String>,
}

impl SectionBasics {
    /// Whether the facility belongs to a corporation (一括申請 possible).
    pub fn in_corporation(&self) -> bool {
        self.corporation_name.is_some()
    }

    /// The applicant as last stored with the application, else as the facility's record gives it.
    pub fn applicant(&self) -> Result<Applicant, UiError> {
        if let Some(stored) =
            self.package_json.as_deref().and_then(|j| serde_json::from_str::<Package>(j).ok()).map(|p| p.applicant)
        {
            return Ok(stored);
        }
        let kind = self.facility_type.parse::<FacilityType>().map_err(internal)?;
        Ok(base_applicant(
            self.name.clone(),
            self.facility_code.clone(),
            kind,
            &self.prefecture,
            self.address.clone(),
            self.corporation_name.clone(),
        ))
    }
}

/// [`SectionBasics`] for a facility the scope reaches, or [`UiError::NotFound`].
pub async fn section_basics(
    db: impl sqlx::SqliteExecutor<'_>,
    scope: &Scope,
    facility_id: i64,
) -> Result<SectionBasics, UiError> {
    let mut qb = QueryBuilder::new(
        "SELECT f.name, f.facility_type, coalesce(r.readers, 0) AS readers, s.id AS application_id,
                s.status AS application_status, f.facility_code, f.prefecture, f.address,
                c.name AS corporation_name, s.package_json
         FROM facilities f
         LEFT JOIN corporations c ON c.id = f.corporation_id
         LEFT JOIN reader_applications r ON r.facility_id = f.id
         LEFT JOIN subsidy_applications s ON s.facility_id = f.id
         WHERE f.id = ",
    );
    qb.push_bind(facility_id);
    push_scope(&mut qb, scope, "f");
    qb.build_query_as().fetch_optional(db).await.map_err(internal)?.ok_or(UiError::NotFound)
}

/// A confirmed quote of a facility as the application page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CostQuote {
    /// Id.
    pub id: i64,
    /// File name (or 手入力).
    pub file_name: String,
    /// Vendor.
    pub vendor: Option<String>,
    /// 見積日.
    pub quote_date: Option<String>,
    /// 支払日, when paid.
    pub paid_on: Option<String>,
    /// Paid by the corporation for all its facilities (a 共通費用 of the 一括申請).
    pub shared: bool,
}

/// The confirmed quotes of a facility (call after a scoped check), newest first.
pub async fn confirmed_quotes(db: impl sqlx::SqliteExecutor<'_>, facility_id: i64) -> sqlx::Result<Vec<CostQuote>> {
    sqlx::query_as(
        "SELECT q.id, q.file_name, v.name AS vendor, q.quote_date, q.paid_on,
                EXISTS (SELECT 1 FROM shared_receipts s WHERE s.quote_id = q.id) AS shared
         FROM quotes q LEFT JOIN vendors v ON v.id = q.vendor_id
         WHERE q.facility_id = ? AND q.confirmed = 1 ORDER BY q.id DESC",
    )
    .bind(facility_id)
    .fetch_all(db)
    .await
}

/// The final costs of a confirmed quote of the facility; None when it is not one.
pub async fn final_costs(pool: &SqlitePool, facility_id: i64, quote_id: i64) -> sqlx::Result<Option<FinalCosts>> {
    let head: Option<(bool, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT q.tax_inclusive, q.paid_on, v.name FROM quotes q LEFT JOIN vendors v ON v.id = q.vendor_id
         WHERE q.id = ? AND q.facility_id = ? AND q.confirmed = 1",
    )
    .bind(quote_id)
    .bind(facility_id)
    .fetch_optional(pool)
    .await?;
    let Some((tax_inclusive, paid_on, payee)) = head else { return Ok(None) };
    let stored = super::quotes::lines_for_audit(pool, quote_id).await?;
    let lines = stored
        .iter()
        .filter_map(|l| {
            let amount = l.to_quote_line().signed_amount()?;
            Some(CostLine {
                category: l.category.parse().unwrap_or(Category::Other),
                description: l.description.clone(),
                amount,
            })
        })
        .collect();
    Ok(Some(FinalCosts {
        lines,
        tax_inclusive,
        paid_on: paid_on.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        payee,
    }))
}

/// Marks a confirmed quote paid on a day, or not paid (None). Refused once an application
/// built on it was submitted: the papers sent must keep matching the record.
pub async fn set_quote_paid(
    pool: &SqlitePool,
    actor: &Actor,
    facility_id: i64,
    quote_id: i64,
    paid_on: Option<chrono::NaiveDate>,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let locked: Option<String> =
        sqlx::query_scalar("SELECT status FROM subsidy_applications WHERE quote_id = ? AND status != 'draft'")
            .bind(quote_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    if locked.is_some() {
        return Err(UiError::Invalid("この見積に基づく交付申請は提出済みのため、支払日は変更できません。".into()));
    }
    if let Some(on) = paid_on {
        // The receipt comes after the order; the other receipts are not this form's.
        let stored = super::dates::of_facility(&mut tx, facility_id).await.map_err(internal)?;
        let merged = super::dates::FacilityDates { paid: vec![(quote_id, on)], ..stored };
        super::dates::refuse(&merged.conflicts_involving(&[rules::date_order::DateField::Paid]), "paid_on")?;
    }
    let paid = paid_on.map(|d| d.to_string());
    let done = sqlx::query("UPDATE quotes SET paid_on = ? WHERE id = ? AND facility_id = ? AND confirmed = 1")
        .bind(&paid)
        .bind(quote_id)
        .bind(facility_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    if done.rows_affected() == 0 {
        return Err(UiError::NotFound);
    }
    let change = Change {
        action: "mark_paid",
        entity: "quote",
        entity_id: quote_id.to_string(),
        before: None,
        after: Some(json!({ "paid_on": paid })),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// Stores a prepared package as the facility's draft application (replacing an earlier
/// draft); refused once the facility's application was submitted.
pub async fn save_draft(
    pool: &SqlitePool,
    actor: &Actor,
    facility_id: i64,
    quote_id: i64,
    p: &Package,
) -> Result<i64, UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let existing: Option<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM subsidy_applications WHERE facility_id = ?")
            .bind(facility_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    if let Some((_, status)) = existing.as_ref().filter(|(_, s)| s != "draft") {
        return Err(UiError::Invalid(format!(
            "この施設の交付申請は{}です。提出後の申請は作り直せません。",
            status_label(status)
        )));
    }
    // The package prints every date: checked again here, where nothing can change them before the write.
    let stored = super::dates::of_facility(&mut tx, facility_id).await.map_err(internal)?;
    super::dates::refuse_application(&stored.applying(quote_id, p.applied_on).conflicts(), "applied_on")?;
    let json = serde_json::to_string(p).map_err(internal)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO subsidy_applications
             (facility_id, quote_id, applied_on, scheme_id, total_cost, eligible_cost, subsidy, self_burden,
              package_json, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE SET
             quote_id = excluded.quote_id, applied_on = excluded.applied_on, scheme_id = excluded.scheme_id,
             total_cost = excluded.total_cost, eligible_cost = excluded.eligible_cost, subsidy = excluded.subsidy,
             self_burden = excluded.self_burden, package_json = excluded.package_json,
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         RETURNING id",
    )
    .bind(facility_id)
    .bind(quote_id)
    .bind(p.applied_on.to_string())
    .bind(&p.scheme_id)
    .bind(p.total_cost.amount().to_string())
    .bind(p.eligible_cost.amount().to_string())
    .bind(p.subsidy.amount().to_string())
    .bind(p.self_burden.amount().to_string())
    .bind(&json)
    .bind(actor.user_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    let change = Change {
        action: if existing.is_some() { "update" } else { "create" },
        entity: "subsidy_application",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "facility_id": facility_id, "quote_id": quote_id, "applied_on": p.applied_on,
            "scheme": p.scheme_id, "total_cost": p.total_cost, "subsidy": p.subsidy,
        })),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// An application as stored: what the list shows, and the rest.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRecord {
    /// What the list shows.
    #[sqlx(flatten)]
    pub listed: ListedApplication,
    /// The quote the costs come from.
    pub quote_id: i64,
    /// Scheme id.
    pub scheme_id: String,
    /// 補助対象経費.
    pub eligible_cost: String,
    /// 提出日.
    pub submitted_on: Option<String>,
    /// 交付日.
    pub paid_on: Option<String>,
    /// The package as prepared.
    pub package_json: String,
}

fn select() -> QueryBuilder<'static, sqlx::Sqlite> {
    QueryBuilder::new(
        "SELECT a.id, a.facility_id, f.name AS facility_name, f.facility_type, f.prefecture, a.quote_id, a.status,
                a.applied_on, a.scheme_id, a.total_cost, a.eligible_cost, a.subsidy, a.submitted_on, a.paid_on,
                a.paid_amount, a.package_json
         FROM subsidy_applications a JOIN facilities f ON f.id = a.facility_id WHERE 1 = 1",
    )
}

/// One application, if the scope reaches its facility.
pub async fn get(pool: &SqlitePool, scope: &Scope, id: i64) -> sqlx::Result<Option<ApplicationRecord>> {
    let mut qb = select();
    qb.push(" AND a.id = ").push_bind(id);
    push_scope(&mut qb, scope, "f");
    qb.build_query_as().fetch_optional(pool).await
}

/// An application as the list shows it (without its package).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedApplication {
    /// Id.
    pub id: i64,
    /// Facility.
    pub facility_id: i64,
    /// Facility name.
    pub facility_name: String,
    /// Facility type code.
    pub facility_type: String,
    /// Prefecture code.
    pub prefecture: String,
    /// draft, submitted or paid.
    pub status: String,
    /// 申請日.
    pub applied_on: String,
    /// 総事業費.
    pub total_cost: String,
    /// 補助金申請額.
    pub subsidy: String,
    /// 交付額.
    pub paid_amount: Option<String>,
}

/// What the application list is narrowed to (codes checked at the edge).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// The facilities, as the facility list narrows them (type, prefecture, name or code).
    pub facilities: super::facilities::ListFilter,
    /// Status.
    pub status: Option<ApplicationStatus>,
}

/// Appends ` AND …` for `filter` on the facility alias `f` and the application alias `a`.
fn push_list_filter(qb: &mut QueryBuilder<'_, sqlx::Sqlite>, filter: &ListFilter) {
    super::facilities::push_facility_filter(qb, &filter.facilities);
    if let Some(s) = filter.status {
        qb.push(" AND a.status = ").push_bind(s.code());
    }
}

/// Applications by prefecture, facility type and status among the facilities `filter` reaches:
/// (prefecture, type, status, count, 補助金申請額, 交付額) in whole yen, from the rows — as
/// `db::dashboard::subsidies_by_place` reads them from the running totals, which know neither a
/// manager's corporation nor names.
pub async fn by_place(
    pool: &SqlitePool,
    scope: &Scope,
    filter: &super::facilities::ListFilter,
) -> sqlx::Result<Vec<(String, String, String, i64, i64, i64)>> {
    // Across the whole country, read the applications and look their facilities up (CROSS JOIN
    // keeps that order): SQLite would walk every facility by an index and fetch each row for its
    // name, 0.28 s instead of 27 ms at national scale (BENCHMARKS.md). Within a prefecture its
    // index finds the few facilities first.
    let national = matches!(scope, Scope::National) && filter.prefecture.is_none();
    let mut qb = QueryBuilder::new(format!(
        "SELECT f.prefecture, f.facility_type, a.status, count(*), coalesce(sum(CAST(a.subsidy AS INTEGER)), 0),
                coalesce(sum(CAST(a.paid_amount AS INTEGER)), 0)
         FROM subsidy_applications a {} facilities f ON f.id = a.facility_id WHERE 1 = 1",
        if national { "CROSS JOIN" } else { "JOIN" }
    ));
    push_scope(&mut qb, scope, "f");
    super::facilities::push_facility_filter(&mut qb, filter);
    qb.push(" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
    qb.build_query_as().fetch_all(pool).await
}

/// `limit` applications from `offset` of those the scope reaches through `filter`, in the
/// facility list's order (prefecture, kana, name), which its index gives without sorting.
pub async fn page(
    pool: &SqlitePool,
    scope: &Scope,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ListedApplication>> {
    let mut qb = QueryBuilder::new(
        "SELECT a.id, a.facility_id, f.name AS facility_name, f.facility_type, f.prefecture, a.status, a.applied_on,
                a.total_cost, a.subsidy, a.paid_amount
         FROM facilities f JOIN subsidy_applications a ON a.facility_id = f.id WHERE 1 = 1",
    );
    push_scope(&mut qb, scope, "f");
    push_list_filter(&mut qb, filter);
    qb.push(" ORDER BY ").push(LIST_ORDER);
    qb.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    qb.build_query_as().fetch_all(pool).await
}

/// The order of the list and of its CSV export.
pub const LIST_ORDER: &str = "f.prefecture, f.kana, f.name, f.id";

/// The Japanese label of a status code.
pub fn status_label(status: &str) -> &'static str {
    status.parse::<ApplicationStatus>().map_or("不明", ApplicationStatus::label_ja)
}

/// draft → submitted: records the 申請日 as the facility's 交付申請 date too, so the
/// provisioning deadlines see the application made.
pub async fn submit(
    pool: &SqlitePool,
    actor: &Actor,
    record: &ApplicationRecord,
    on: chrono::NaiveDate,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    // Its 申請日 becomes the facility's 交付申請日: in order with the dates as they are now (a
    // draft is prepared once; the completion or payment may have been recorded since).
    let applied_on = chrono::NaiveDate::parse_from_str(&record.listed.applied_on, "%Y-%m-%d").map_err(internal)?;
    let stored = super::dates::of_facility(&mut tx, record.listed.facility_id).await.map_err(internal)?;
    super::dates::refuse_application(&stored.applying(record.quote_id, applied_on).conflicts(), "applied_on")?;
    let done = sqlx::query(
        "UPDATE subsidy_applications SET status = 'submitted', submitted_on = ?,
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE id = ? AND status = 'draft'",
    )
    .bind(on.to_string())
    .bind(record.listed.id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    if done.rows_affected() == 0 {
        return Err(UiError::Invalid("下書きの申請だけを提出済みにできます。".into()));
    }
    sqlx::query("INSERT INTO facility_progress (facility_id) VALUES (?) ON CONFLICT (facility_id) DO NOTHING")
        .bind(record.listed.facility_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    sqlx::query("UPDATE facility_progress SET subsidy_applied_on = ? WHERE facility_id = ?")
        .bind(&record.listed.applied_on)
        .bind(record.listed.facility_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let change = Change {
        action: "submit",
        entity: "subsidy_application",
        entity_id: record.listed.id.to_string(),
        before: Some(json!({ "status": record.listed.status })),
        after: Some(json!({ "status": "submitted", "submitted_on": on })),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// submitted → paid, with the day and the amount granted.
pub async fn record_payment(
    pool: &SqlitePool,
    actor: &Actor,
    record: &ApplicationRecord,
    on: chrono::NaiveDate,
    amount: Yen,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let done = sqlx::query(
        "UPDATE subsidy_applications SET status = 'paid', paid_on = ?, paid_amount = ?,
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE id = ? AND status = 'submitted'",
    )
    .bind(on.to_string())
    .bind(amount.amount().to_string())
    .bind(record.listed.id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    if done.rows_affected() == 0 {
        return Err(UiError::Invalid("提出済みの申請だけを交付済みにできます。".into()));
    }
    let change = Change {
        action: "record_payment",
        entity: "subsidy_application",
        entity_id: record.listed.id.to_string(),
        before: Some(json!({ "status": record.listed.status })),
        after: Some(json!({ "status": "paid", "paid_on": on, "paid_amount": amount })),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    // The facility's other managers hear of it by e-mail (the one who recorded it knows).
    let managers: Vec<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN facilities f ON f.id = ?
         WHERE u.disabled = 0 AND u.role = 'clinic_manager' AND u.id IS NOT ?
           AND (u.facility_id = f.id OR (u.corporation_id IS NOT NULL AND u.corporation_id = f.corporation_id))",
    )
    .bind(record.listed.facility_id)
    .bind(actor.user_id)
    .fetch_all(&mut *tx)
    .await
    .map_err(internal)?;
    let message = format!(
        "{}の補助金の交付（{}、{}）が記録されました。",
        record.listed.facility_name,
        rules::format_wareki_with_western(on),
        amount
    );
    for user in managers {
        super::mail::queue_to_user(
            &mut tx,
            user,
            "補助金の交付が記録されました",
            &message,
            &format!("/applications/{}", record.listed.id),
        )
        .await
        .map_err(internal)?;
    }
    tx.commit().await.map_err(internal)
}

/// The facilities of a corporation the scope reaches: (id, name).
pub async fn corporation_facilities(
    pool: &SqlitePool,
    scope: &Scope,
    corporation_id: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    let mut qb = QueryBuilder::new("SELECT f.id, f.name FROM facilities f WHERE f.corporation_id = ");
    qb.push_bind(corporation_id);
    push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY f.kana, f.name");
    qb.build_query_as().fetch_all(pool).await
}

/// The newest paid confirmed quote of a facility that is its own (not a receipt the
/// corporation shares across its facilities); call after a scoped check.
pub async fn latest_paid_quote(pool: &SqlitePool, facility_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM quotes WHERE facility_id = ? AND confirmed = 1 AND paid_on IS NOT NULL
             AND id NOT IN (SELECT quote_id FROM shared_receipts)
         ORDER BY paid_on DESC, id DESC LIMIT 1",
    )
    .bind(facility_id)
    .fetch_optional(pool)
    .await
}

/// Who applied, as the facility's stored application names them (the form's last values).
pub async fn stored_applicant(pool: &SqlitePool, facility_id: i64) -> sqlx::Result<Option<Applicant>> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT package_json FROM subsidy_applications WHERE facility_id = ?")
            .bind(facility_id)
            .fetch_optional(pool)
            .await?;
    Ok(json.and_then(|j| serde_json::from_str::<Package>(&j).ok()).map(|p| p.applicant))
}

/// Marks a paid confirmed quote of a facility as a receipt its corporation paid for all its
/// facilities (shared: split across them in the 一括申請), or unmarks it. Refused for a
/// facility without a corporation.
pub async fn set_shared(
    pool: &SqlitePool,
    actor: &Actor,
    facility_id: i64,
    quote_id: i64,
    shared: bool,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let corporation: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT f.corporation_id FROM quotes q JOIN facilities f ON f.id = q.facility_id
         WHERE q.id = ? AND q.facility_id = ? AND q.confirmed = 1",
    )
    .bind(quote_id)
    .bind(facility_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    let Some(corporation) = corporation else { return Err(UiError::NotFound) };
    let Some(corporation) = corporation else {
        return Err(UiError::Invalid("法人に属さない施設の見積は、法人の共通費用にできません。".into()));
    };
    if shared {
        sqlx::query("INSERT INTO shared_receipts (quote_id, corporation_id, marked_by) VALUES (?, ?, ?) ON CONFLICT (quote_id) DO NOTHING")
            .bind(quote_id)
            .bind(corporation)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    } else {
        sqlx::query("DELETE FROM shared_receipts WHERE quote_id = ?")
            .bind(quote_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
    }
    let change = Change {
        action: if shared { "mark_shared" } else { "unmark_shared" },
        entity: "quote",
        entity_id: quote_id.to_string(),
        before: None,
        after: Some(json!({ "shared": shared, "corporation_id": corporation })),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// The paid receipts a corporation shares across its facilities: (quote id, facility it was
/// entered under), oldest first (call after a scoped check).
pub async fn shared_receipts(pool: &SqlitePool, corporation_id: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT q.id, q.facility_id FROM shared_receipts s JOIN quotes q ON q.id = s.quote_id
         WHERE s.corporation_id = ? AND q.confirmed = 1 AND q.paid_on IS NOT NULL ORDER BY q.id",
    )
    .bind(corporation_id)
    .fetch_all(pool)
    .await
}

/// A scanned 領収書(写) attached to an application, as the page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceiptScan {
    /// Id.
    pub id: i64,
    /// File name as uploaded.
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// When it was uploaded (UTC).
    pub uploaded_at: String,
}

/// The scans attached to an application (call after a scoped check), in upload order.
pub async fn receipt_scans(pool: &SqlitePool, application_id: i64) -> sqlx::Result<Vec<ReceiptScan>> {
    sqlx::query_as(
        "SELECT id, file_name, content_type, length(bytes) AS size, uploaded_at FROM application_receipts
         WHERE application_id = ? ORDER BY id",
    )
    .bind(application_id)
    .fetch_all(pool)
    .await
}

/// One scan's name, type and bytes as uploaded (call after a scoped check).
pub async fn receipt_scan_file(
    pool: &SqlitePool,
    application_id: i64,
    scan_id: i64,
) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    sqlx::query_as(
        "SELECT file_name, content_type, bytes FROM application_receipts WHERE application_id = ? AND id = ?",
    )
    .bind(application_id)
    .bind(scan_id)
    .fetch_optional(pool)
    .await
}

/// Every scan of an application with its bytes: (id, file name, bytes), for the downloads.
pub async fn receipt_scan_files(pool: &SqlitePool, application_id: i64) -> sqlx::Result<Vec<(i64, String, Vec<u8>)>> {
    sqlx::query_as("SELECT id, file_name, bytes FROM application_receipts WHERE application_id = ? ORDER BY id")
        .bind(application_id)
        .fetch_all(pool)
        .await
}

/// Attaches a checked scan to an application (call after a scoped check), in the audit trail.
pub async fn add_receipt_scan(
    pool: &SqlitePool,
    actor: &Actor,
    application_id: i64,
    file_name: &str,
    content_type: &str,
    sha256: &str,
    bytes: &[u8],
) -> Result<i64, UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO application_receipts (application_id, file_name, content_type, file_sha256, bytes, uploaded_by)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(application_id)
    .bind(file_name)
    .bind(content_type)
    .bind(sha256)
    .bind(bytes)
    .bind(actor.user_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    let change = Change {
        action: "attach_receipt",
        entity: "subsidy_application",
        entity_id: application_id.to_string(),
        before: None,
        after: Some(json!({ "receipt_id": id, "file_name": file_name, "sha256": sha256, "bytes": bytes.len() })),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}

/// Removes a scan from an application (call after a scoped check), in the audit trail.
pub async fn delete_receipt_scan(
    pool: &SqlitePool,
    actor: &Actor,
    application_id: i64,
    scan_id: i64,
) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let name: Option<(String, String)> = sqlx::query_as(
        "DELETE FROM application_receipts WHERE application_id = ? AND id = ? RETURNING file_name, file_sha256",
    )
    .bind(application_id)
    .bind(scan_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    let Some((file_name, sha256)) = name else { return Err(UiError::NotFound) };
    let change = Change {
        action: "delete_receipt",
        entity: "subsidy_application",
        entity_id: application_id.to_string(),
        before: Some(json!({ "receipt_id": scan_id, "file_name": file_name, "sha256": sha256 })),
        after: None,
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// The id of a facility's application, if it has one (call after a scoped check).
pub async fn application_id_of(pool: &SqlitePool, facility_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM subsidy_applications WHERE facility_id = ?")
        .bind(facility_id)
        .fetch_optional(pool)
        .await
}
