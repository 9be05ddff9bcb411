//! The registry of insured facilities: what pages, the CLI and the import share.

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
