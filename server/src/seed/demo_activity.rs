//! The demo corporation's activity (seed/demo_activity.json): reader applications, stages,
//! vendor quotes read from their files and a complaint, so that a first start shows audits,
//! dashboards and the complaint flow with something in them.
//!
//! Everything goes through the functions the pages call (`db::provisioning`, the quote
//! store of the confirm step, `db::complaints::file`), as the demo manager, so the rows,
//! the audit trail and the dashboards' totals are exactly what a user's actions make. Each
//! of those commits on its own, so a broken seed would stop the start part-way: the seed is
//! embedded in the binary and replayed by `tests/api/demo_activity.rs`, and an error names
//! the facility and record that failed.

use super::{invalid, parse};
use crate::error::StartError;
use app::ssr::audit_log::Actor;
use app::ssr::db;
use chrono::NaiveDate;
use rules::access::Scope;
use rules::complaint::{ComplaintKind, ComplaintStatus};
use rules::provisioning::Stage;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

const ACTIVITY: (&str, &str) = ("seed/demo_activity.json", include_str!("../../../seed/demo_activity.json"));

/// The vendor quotes the activity uploads: (file name, bytes).
const QUOTE_FILES: [(&str, &[u8]); 3] = [
    ("hospital_padded.xls", include_bytes!("../../../seed/demo_quotes/hospital_padded.xls")),
    ("clinic_cover.xlsx", include_bytes!("../../../seed/demo_quotes/clinic_cover.xlsx")),
    ("orthopedic_merged.ods", include_bytes!("../../../seed/demo_quotes/orthopedic_merged.ods")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityFile {
    #[expect(dead_code, reason = "documentation for readers of the seed file")]
    note: String,
    by: String,
    facilities: Vec<FacilityActivity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilityActivity {
    facility: String,
    reader_application: Option<ReaderApplication>,
    #[serde(default)]
    quotes: Vec<QuoteUpload>,
    #[serde(default)]
    stages: Vec<StageStep>,
    complaint: Option<ComplaintSeed>,
    application: Option<ApplicationSeed>,
}

/// A 交付申請 built on one of the facility's quotes, once paid.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationSeed {
    quote_file: String,
    paid_on: NaiveDate,
    applied_on: NaiveDate,
    readers: u8,
    submitted_on: Option<NaiveDate>,
    /// 開設者, 代表者 and 連絡先 as the manager typed them on the application form.
    applicant: app::api::applications::ApplicantDetails,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReaderApplication {
    applied_on: String,
    readers: u8,
    maker: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuoteUpload {
    file: String,
    vendor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageStep {
    stage: Stage,
    on: String,
    vendor: Option<String>,
    blocker: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComplaintSeed {
    quote_file: String,
    kind: ComplaintKind,
    description: String,
}

/// What the activity wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActivityCounts {
    /// Quotes read from their files and confirmed.
    pub quotes: usize,
    /// Complaints filed.
    pub complaints: usize,
    /// Subsidy applications prepared.
    pub applications: usize,
}

/// Replays the activity on a database that has just received the demo accounts.
pub async fn load(pool: &SqlitePool) -> Result<ActivityCounts, StartError> {
    let activity: ActivityFile = parse(ACTIVITY.0, ACTIVITY.1)?;
    let fail = |what: String| invalid(ACTIVITY.0, what);
    let (user_id, email): (i64, String) = sqlx::query_as("SELECT id, email FROM users WHERE email = ?")
        .bind(&activity.by)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| fail(format!("no demo user {}", activity.by)))?;
    let actor = Actor::user(user_id, email);
    let mut counts = ActivityCounts::default();
    for f in &activity.facilities {
        let facility_id: i64 = sqlx::query_scalar("SELECT id FROM facilities WHERE facility_code = ?")
            .bind(&f.facility)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| fail(format!("no demo facility {}", f.facility)))?;
        let ui = |e: app::UiError| fail(format!("facility {}: {e}", f.facility));
        if let Some(a) = &f.reader_application {
            let input = db::provisioning::ApplicationInput {
                applied_on: &a.applied_on,
                readers: a.readers,
                maker: a.maker.as_deref(),
                bulk_declared_on: None,
                bulk_batch: None,
            };
            db::provisioning::apply_readers(pool, &actor, user_id, &[facility_id], &input).await.map_err(ui)?;
        }
        let mut quotes = Vec::new();
        for q in &f.quotes {
            let vendor_id = vendor(pool, &q.vendor).await?.ok_or_else(|| fail(format!("no vendor {}", q.vendor)))?;
            let id = upload(pool, &actor, user_id, facility_id, vendor_id, &q.file).await.map_err(fail)?;
            quotes.push((q.file.as_str(), id, vendor_id));
            counts.quotes += 1;
        }
        for s in &f.stages {
            let vendor_id = match &s.vendor {
                Some(code) => Some(vendor(pool, code).await?.ok_or_else(|| fail(format!("no vendor {code}")))?),
                None => None,
            };
            let input = db::provisioning::StageInput {
                stage: s.stage,
                on: &s.on,
                vendor_id,
                blocker_code: s.blocker.as_deref(),
                blocker_text: None,
            };
            db::provisioning::record_stage(pool, &actor, user_id, facility_id, &input).await.map_err(ui)?;
        }
        let quote = |file: &str| {
            quotes
                .iter()
                .find(|(f, _, _)| *f == file)
                .map(|&(_, quote_id, vendor_id)| (quote_id, vendor_id))
                .ok_or_else(|| fail(format!("facility {}: the quote {file} is not among the facility's", f.facility)))
        };
        if let Some(a) = &f.application {
            let (quote_id, _) = quote(&a.quote_file)?;
            let details = app::api::applications::ApplicantDetails::parse(a.applicant.values()).map_err(|errors| {
                let why: Vec<String> = errors.into_iter().map(|(field, e)| format!("{field}: {e}")).collect();
                fail(format!("facility {}: the applicant details are refused: {}", f.facility, why.join("; ")))
            })?;
            db::applications::set_quote_paid(pool, &actor, facility_id, quote_id, Some(a.paid_on)).await.map_err(ui)?;
            let (_, outcome) = app::api::applications::prepare_for(
                pool,
                &Scope::National,
                facility_id,
                Some(quote_id),
                a.applied_on,
                Some(a.readers),
                Some(&details),
            )
            .await
            .map_err(ui)?;
            let package = outcome.map_err(|refusals| {
                let codes: Vec<&str> = refusals.iter().map(|r| r.code.code()).collect();
                fail(format!("facility {}: the application is refused: {}", f.facility, codes.join(", ")))
            })?;
            let id = db::applications::save_draft(pool, &actor, facility_id, quote_id, &package).await.map_err(ui)?;
            if let Some(on) = a.submitted_on {
                let record = db::applications::get(pool, &Scope::National, id)
                    .await?
                    .ok_or_else(|| fail(format!("facility {}: the application just saved is gone", f.facility)))?;
                db::applications::submit(pool, &actor, &record, on).await.map_err(ui)?;
            }
            counts.applications += 1;
        }
        if let Some(c) = &f.complaint {
            let (quote_id, vendor_id) = quote(&c.quote_file)?;
            let complaint = db::complaints::NewComplaint {
                facility_id,
                quote_id: Some(quote_id),
                vendor_id: Some(vendor_id),
                kind: c.kind.code(),
                description: &c.description,
                status: ComplaintStatus::Submitted,
                user_id,
            };
            db::complaints::file(pool, &actor, &complaint).await.map_err(ui)?;
            counts.complaints += 1;
        }
    }
    Ok(counts)
}

async fn vendor(pool: &SqlitePool, code: &str) -> Result<Option<i64>, StartError> {
    Ok(sqlx::query_scalar("SELECT id FROM vendors WHERE code = ?").bind(code).fetch_optional(pool).await?)
}

/// Reads a quote file as an upload is read, classifies its lines as the confirm step does
/// when the facility changes nothing, and stores it confirmed.
async fn upload(
    pool: &SqlitePool,
    actor: &Actor,
    user_id: i64,
    facility_id: i64,
    vendor_id: i64,
    file: &str,
) -> Result<i64, String> {
    let (name, bytes) =
        QUOTE_FILES.iter().find(|(n, _)| *n == file).ok_or_else(|| format!("no quote file seed/demo_quotes/{file}"))?;
    let quote = quote_reader::read_quote(name, bytes, &quote_reader::Limits::default()).map_err(|e| e.to_string())?;
    let classifier = rules::classify::Classifier::builtin();
    let chosen: Vec<_> = quote.lines.iter().map(|l| (classifier.classify(l).category, None, None)).collect();
    let sha256: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let stored = app::api::quote_draft::StoredFile { name, sha256: &sha256, bytes };
    let vendor = vendor_id.to_string();
    let choice = app::api::quote_draft::VendorChoice { id: &vendor, new_name: "" };
    app::api::quote_draft::store(pool, actor, user_id, facility_id, choice, Some(stored), &quote, &chosen, None)
        .await
        .map_err(|e| format!("quote {file}: {e}"))
}
