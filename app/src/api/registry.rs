//! The registry of insured facilities: what pages, the CLI and the import share.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One facility of the registry, as the newest list describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// The 10-digit 医療機関コード.
    pub code: String,
    /// 名称.
    pub name: String,
    /// JIS code of the prefecture (「13」).
    pub prefecture: String,
    /// Facility type code (`hospital`, `medical_clinic`, `dental_clinic`, `pharmacy`).
    pub facility_type: String,
    /// 「104-8560」 or empty.
    pub postal_code: String,
    /// 所在地.
    pub address: String,
    /// 電話番号.
    pub phone: String,
    /// `active` (現存), `suspended` (休止) or `gone` (no longer listed).
    pub status: String,
    /// The date of the newest list the facility was in (`2025-08-01`), if the list had one.
    pub as_of: Option<String>,
    /// For `gone`: the date of the first list it was missing from.
    pub gone_since: Option<String>,
    /// The list it was read from, for people.
    pub source: String,
}

/// What one import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// The import's number (0 when nothing was written).
    pub import_id: i64,
    /// Rows read: facilities and refused rows together.
    pub read: usize,
    /// Facilities new to the registry.
    pub imported: usize,
    /// Facilities whose name, address, type, telephone or status changed.
    pub updated: usize,
    /// Facilities as they were.
    pub unchanged: usize,
    /// Facilities missing from a newer list of their prefecture and kind (廃止等の可能性).
    pub gone: usize,
    /// Facilities not written because the registry already holds a newer list's description.
    pub older: usize,
    /// Rows refused, with their reasons.
    pub refused: Vec<rules::registry::Refused>,
}

/// What the registration form starts from: the code typed and what the registry says of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefill {
    /// The code as typed.
    pub code: String,
    /// Why the code is not a 医療機関コード (shown beside the field); the form is not shown.
    pub code_error: Option<String>,
    /// The registry's description, when it holds the code.
    pub found: Option<RegistryRecord>,
    /// What the manager should know: filled in from which list, or not in the registry.
    pub notice: Option<String>,
    /// The prefecture (JIS code) and the facility type to preselect.
    pub prefecture: String,
    /// Facility type code.
    pub facility_type: String,
}

/// The registry's description of a code typed on the registration form, or why it is not a
/// code. A valid code absent from the registry is allowed, with a notice.
#[server(prefix = "/api", endpoint = "registry_prefill")]
pub async fn registry_prefill(code: String) -> Result<Prefill, crate::UiError> {
    use crate::ssr::context::{self, internal};
    use crate::ssr::db::registry;
    context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let parsed = match rules::FacilityCode::parse(&code) {
        Ok(c) => c,
        Err(e) => return Ok(Prefill { code, code_error: Some(e.to_string()), ..Prefill::default() }),
    };
    let pool = context::pool()?;
    let found = registry::lookup(&pool, parsed.as_str()).await.map_err(internal)?;
    let kind_of_digit = rules::registry::ListKind::of_digit(parsed.fee_schedule_digit())
        .map_or(rules::FacilityType::MedicalClinic, |k| k.facility_type(false));
    let notice = match &found {
        Some(r) => {
            let date = r.as_of.as_deref().map(rules::wareki::format_stored_day).unwrap_or_default();
            let mut text = format!(
                "地方厚生局の「コード内容別医療機関一覧表」（{}）から名称・所在地・施設区分・都道府県を入れました。違っていれば直してから登録してください。{}",
                r.source,
                if date.is_empty() { String::new() } else { format!("一覧の日付: {date}。") }
            );
            match r.status.as_str() {
                "suspended" => text.push_str("この施設は一覧で「休止」になっています。"),
                "gone" => text.push_str(&format!(
                    "この施設は{}の一覧に載っていません（廃止・コード変更の可能性があります）。指定通知書のコードを確かめてください。",
                    r.gone_since.as_deref().map(rules::wareki::format_stored_day).unwrap_or_default()
                )),
                _ => {}
            }
            Some(text)
        }
        None if registry::is_loaded(&pool).await.map_err(internal)? => Some(
            "このコードは読み込み済みの地方厚生局の一覧にありません。一覧の公表後に指定された施設であれば、そのまま登録できます。コードに誤りがないか、指定通知書と照らし合わせてください。".to_owned(),
        ),
        None => None,
    };
    Ok(Prefill {
        code: parsed.as_str().to_owned(),
        code_error: None,
        prefecture: found.as_ref().map_or_else(|| parsed.prefecture().code(), |r| r.prefecture.clone()),
        facility_type: found.as_ref().map_or_else(|| kind_of_digit.code().to_owned(), |r| r.facility_type.clone()),
        found,
        notice,
    })
}

/// An import started from the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJob {
    /// Its number on this server.
    pub id: u64,
    /// The files uploaded.
    pub files: Vec<String>,
    /// How far it got.
    pub state: JobState,
}

/// How far an import got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    /// Reading or writing: what it is doing, out of how many steps.
    Running {
        /// 「ファイルを読んでいます（2/3: 東京都_医科.xlsx）」.
        step: String,
        /// Steps done.
        done: usize,
        /// Steps in all (each file, then the writing).
        total: usize,
    },
    /// Finished: what it did.
    Done(ImportSummary),
    /// Nothing written, and why.
    Failed(String),
}

/// What the admin's registry page shows: how many facilities each list holds, and the imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryTotals {
    /// (kind label, active, suspended, gone).
    pub by_kind: Vec<(String, i64, i64, i64)>,
    /// The newest list's date.
    pub newest: Option<String>,
    /// The last imports, newest first.
    pub imports: Vec<ImportRow>,
}

/// One import as the registry keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Its number.
    pub id: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// The files' names, comma-separated.
    pub files: String,
    /// The newest list's date.
    pub as_of: Option<String>,
    /// Counts: read, imported, updated, unchanged, gone, refused.
    pub counts: [i64; 6],
}

/// The registry's overview for admins.
#[server(prefix = "/api", endpoint = "registry_overview")]
pub async fn registry_overview() -> Result<RegistryTotals, crate::UiError> {
    use crate::ssr::context::{self, internal};
    context::require_permission(rules::access::Permission::Administer)?;
    crate::ssr::db::registry::overview(&context::pool()?).await.map_err(internal)
}

/// An import started from the browser (admins only).
#[server(prefix = "/api", endpoint = "registry_job")]
pub async fn registry_job(id: u64) -> Result<ImportJob, crate::UiError> {
    crate::ssr::context::require_permission(rules::access::Permission::Administer)?;
    crate::ssr::registry_jobs::get(id).ok_or(crate::UiError::NotFound)
}
