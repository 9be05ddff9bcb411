//! Subsidy schemes as data: who qualifies, caps, rates and deadlines, each with its source.
//!
//! The catalog is `rules/data/schemes.json`, embedded at compile time and
//! validated by tests. A new revision of the rules is a new entry there, not code.

use crate::{FacilityType, GraceType, Rate, Yen, format_wareki};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// Which subsidy programme a calculation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Programme {
    /// The main オンライン資格確認 subsidy (reader + その他の費用).
    Standard,
    /// 居宅同意取得型 (visiting care).
    HomeVisitConsent,
    /// 職域診療所 (workplace clinics).
    WorkplaceClinic,
    /// 資格確認限定型 (facilities exempt from the obligation).
    EligibilityCheckOnly,
}

impl Programme {
    /// Every programme.
    pub const ALL: [Programme; 4] =
        [Programme::Standard, Programme::HomeVisitConsent, Programme::WorkplaceClinic, Programme::EligibilityCheckOnly];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Programme::Standard => "standard",
            Programme::HomeVisitConsent => "home_visit_consent",
            Programme::WorkplaceClinic => "workplace_clinic",
            Programme::EligibilityCheckOnly => "eligibility_check_only",
        }
    }

    /// Japanese name.
    pub fn label_ja(self) -> &'static str {
        match self {
            Programme::Standard => "オンライン資格確認（標準）",
            Programme::HomeVisitConsent => "居宅同意取得型",
            Programme::WorkplaceClinic => "職域診療所",
            Programme::EligibilityCheckOnly => "資格確認限定型",
        }
    }
}

impl fmt::Display for Programme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A programme code that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "補助の種類 {0:?} はありません（standard, home_visit_consent, workplace_clinic, eligibility_check_only のいずれか）"
)]
pub struct UnknownProgramme(pub String);

impl FromStr for Programme {
    type Err = UnknownProgramme;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Programme::ALL.into_iter().find(|p| p.code() == s).ok_or_else(|| UnknownProgramme(s.to_owned()))
    }
}

/// An inclusive date window; an open end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateWindow {
    /// First day, if bounded.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day, if bounded.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl DateWindow {
    /// Whether the day lies in the window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }

    /// The window in Japanese: 「令和4年6月7日〜令和4年12月31日」, 「令和3年3月31日まで」.
    pub fn describe_ja(&self) -> String {
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("{}〜{}", format_wareki(f), format_wareki(t)),
            (Some(f), None) => format!("{}以降", format_wareki(f)),
            (None, Some(t)) => format!("{}まで", format_wareki(t)),
            (None, None) => "期間の定めなし".to_owned(),
        }
    }
}

/// One way to qualify for a scheme; every condition given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Stable id.
    pub id: String,
    /// The condition in Japanese, as shown in explanations.
    pub label_ja: String,
    /// Source of this route when it differs from the scheme's.
    #[serde(default)]
    pub source: Option<String>,
    /// When the reader must have been applied for.
    #[serde(default)]
    pub reader_applied: Option<DateWindow>,
    /// Whether the application must (true) or must not (false) be 機種未定.
    #[serde(default)]
    pub model_undecided: Option<bool>,
    /// For 機種未定: the model-choice deadline.
    #[serde(default)]
    pub model_chosen_by: Option<NaiveDate>,
    /// When a 一括申請 declaration must have been filed.
    #[serde(default)]
    pub bulk_declared: Option<DateWindow>,
    /// Vendor-contract deadline.
    #[serde(default)]
    pub vendor_contract_by: Option<NaiveDate>,
    /// When operation must have started.
    #[serde(default)]
    pub operation_started: Option<DateWindow>,
}

/// The cap (基準とする事業額) for some facility types and reader count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapRow {
    /// Types this row is for.
    pub facility_types: Vec<FacilityType>,
    /// Reader count this row is for; None for any.
    pub readers: Option<u8>,
    /// 基準とする事業額, tax included.
    pub cap: Yen,
}

fn yes() -> bool {
    true
}

/// The rate for some facility types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    /// Types this row is for.
    pub facility_types: Vec<FacilityType>,
    /// Share of min(cost, cap) paid.
    pub rate: Rate,
    /// False where the source does not confirm this rate.
    #[serde(default = "yes")]
    pub verified: bool,
    /// Why it is unverified, or other remarks.
    #[serde(default)]
    pub note: Option<String>,
}

/// One subsidy scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Stable id.
    pub id: String,
    /// Japanese name.
    pub name_ja: String,
    /// Seed file or URL.
    pub source: String,
    /// False where the source is incomplete.
    pub verified: bool,
    /// Summary in Japanese.
    #[serde(default)]
    pub note: Option<String>,
    /// The programme the scheme belongs to.
    pub programme: Programme,
    /// When it was published.
    #[serde(default)]
    pub published_on: Option<NaiveDate>,
    /// Pays the difference over what the facility already qualified for.
    #[serde(default)]
    pub pays_difference: bool,
    /// Ways to qualify (any one suffices).
    pub routes: Vec<Route>,
    /// Caps by type and readers.
    pub caps: Vec<CapRow>,
    /// Rates by type.
    pub rates: Vec<RateRow>,
    /// 導入完了 deadline.
    #[serde(default)]
    pub complete_by: Option<NaiveDate>,
    /// 交付申請 deadline.
    #[serde(default)]
    pub apply_by: Option<NaiveDate>,
    /// Source of the deadlines.
    #[serde(default)]
    pub deadline_source: Option<String>,
}

impl Scheme {
    /// The rate row for a facility type.
    pub fn rate_for(&self, kind: FacilityType) -> Option<&RateRow> {
        self.rates.iter().find(|r| r.facility_types.contains(&kind))
    }

    /// The cap for a facility type and reader count.
    pub fn cap_for(&self, kind: FacilityType, readers: u8) -> Option<Yen> {
        self.caps
            .iter()
            .find(|c| c.facility_types.contains(&kind) && c.readers.is_none_or(|n| n == readers))
            .map(|c| c.cap)
    }
}

/// Extended deadlines for facilities with an accepted 猶予届出 of some types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraceExtension {
    /// The types this extension is for.
    pub grace_types: Vec<GraceType>,
    /// Extended completion deadline.
    pub complete_by: NaiveDate,
    /// Extended application deadline.
    pub apply_by: NaiveDate,
}

/// A later change of deadlines for some schemes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRevision {
    /// Stable id.
    pub id: String,
    /// Japanese name.
    pub name_ja: String,
    /// Source.
    pub source: String,
    /// False where the source is incomplete.
    pub verified: bool,
    /// Scheme ids it changes.
    pub applies_to: Vec<String>,
    /// The new application deadline holds for work completed by this day.
    pub completed_by: NaiveDate,
    /// New application deadline.
    pub apply_by: NaiveDate,
    /// Extensions by 猶予届出 type.
    pub grace: Vec<GraceExtension>,
}

/// What the catalog says of a 猶予届出 type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraceTypeInfo {
    /// 類型 number.
    pub number: GraceType,
    /// Name, e.g. 「システム整備中」.
    pub name_ja: String,
    /// The situation it covers.
    pub situation_ja: String,
    /// Until when, in words.
    pub until_ja: String,
    /// Until when, where a fixed day.
    pub until: Option<NaiveDate>,
    /// A vendor contract the type requires, signed by this day (類型1: 2023-02-28).
    #[serde(default)]
    pub vendor_contract_by: Option<NaiveDate>,
}

/// Every scheme, deadline revision and 猶予 type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Subsidy schemes.
    pub schemes: Vec<Scheme>,
    /// Deadline revisions.
    pub deadline_revisions: Vec<DeadlineRevision>,
    /// The six 猶予届出 types.
    pub grace_types: Vec<GraceTypeInfo>,
    /// Source of the 猶予 types.
    pub grace_source: String,
    /// Last day to file a 猶予届出.
    pub grace_filing_deadline: NaiveDate,
}

/// Why a catalog is not usable; says which entry to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The JSON does not parse.
    #[error("schemes.json: {0}")]
    Parse(String),
    /// Something inconsistent.
    #[error("schemes.json, {entry}: {problem}")]
    Invalid {
        /// The entry (scheme or revision id).
        entry: String,
        /// What is wrong.
        problem: String,
    },
}

const BUILTIN: &str = include_str!("../data/schemes.json");

static BUILTIN_CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "the embedded catalog is validated by the tests of this module")]
    Catalog::from_json(BUILTIN).expect("rules/data/schemes.json is valid")
});

impl Catalog {
    /// The catalog shipped with Onshi (`rules/data/schemes.json`).
    pub fn builtin() -> &'static Catalog {
        &BUILTIN_CATALOG
    }

    /// Parses and validates a catalog.
    pub fn from_json(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = serde_json::from_str(text).map_err(|e| CatalogError::Parse(e.to_string()))?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// The scheme with this id.
    pub fn scheme(&self, id: &str) -> Option<&Scheme> {
        self.schemes.iter().find(|s| s.id == id)
    }

    /// What the catalog says of a 猶予 type.
    pub fn grace_type(&self, t: GraceType) -> Option<&GraceTypeInfo> {
        self.grace_types.iter().find(|g| g.number == t)
    }

    /// Checks consistency: unique ids, a cap and a rate for every type a
    /// scheme covers (and each reader count a hospital may have), routes
    /// present, revisions naming existing schemes, the six 猶予 types.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let invalid = |entry: &str, problem: String| CatalogError::Invalid { entry: entry.to_owned(), problem };
        let mut ids = HashSet::new();
        for s in &self.schemes {
            if !ids.insert(s.id.as_str()) {
                return Err(invalid(&s.id, "duplicate id".into()));
            }
            if s.routes.is_empty() {
                return Err(invalid(&s.id, "no route to qualify".into()));
            }
            for kind in FacilityType::ALL {
                let rates = s.rates.iter().filter(|r| r.facility_types.contains(&kind)).count();
                if rates > 1 {
                    return Err(invalid(&s.id, format!("{kind} has {rates} rates")));
                }
                if rates == 0 {
                    if s.caps.iter().any(|c| c.facility_types.contains(&kind)) {
                        return Err(invalid(&s.id, format!("{kind} has a cap but no rate")));
                    }
                    continue;
                }
                for readers in 1..=kind.free_readers() {
                    let caps = s
                        .caps
                        .iter()
                        .filter(|c| c.facility_types.contains(&kind) && c.readers.is_none_or(|n| n == readers))
                        .count();
                    if caps != 1 {
                        return Err(invalid(&s.id, format!("{kind} with {readers} readers has {caps} caps")));
                    }
                }
            }
            for c in &s.caps {
                if c.cap.is_negative() {
                    return Err(invalid(&s.id, "negative cap".into()));
                }
            }
            if let (Some(c), Some(a)) = (s.complete_by, s.apply_by)
                && a < c
            {
                return Err(invalid(&s.id, "apply_by before complete_by".into()));
            }
        }
        for r in &self.deadline_revisions {
            for id in &r.applies_to {
                if self.scheme(id).is_none() {
                    return Err(invalid(&r.id, format!("unknown scheme {id}")));
                }
            }
        }
        let numbers: Vec<u8> = self.grace_types.iter().map(|g| g.number.number()).collect();
        if numbers != [1, 2, 3, 4, 5, 6] {
            return Err(invalid("grace_types", format!("expected 類型1–6 in order, got {numbers:?}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yen(n: i64) -> Yen {
        Yen::from_i64(n)
    }

    #[test]
    fn the_builtin_catalog_parses_and_validates() {
        let c = Catalog::builtin();
        let ids: Vec<&str> = c.schemes.iter().map(|s| s.id.as_str()).collect();
        for id in [
            "normal_2020",
            "acceleration_plan_2020",
            "revision_2022",
            "revision_2022_early_difference",
            "home_visit_consent",
            "workplace_clinic",
            "eligibility_check_only",
        ] {
            assert!(ids.contains(&id), "{id} missing");
        }
    }

    #[test]
    fn every_scheme_names_its_source() {
        for s in &Catalog::builtin().schemes {
            assert!(!s.source.trim().is_empty(), "{}", s.id);
        }
        for r in &Catalog::builtin().deadline_revisions {
            assert!(!r.source.trim().is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn the_caps_are_those_of_the_official_table() {
        // seeds/003 補助内容の表 and seeds/001 別添1: 210.1 / 200.2 / 190.3 / 42.9万円.
        let s = Catalog::builtin().scheme("normal_2020").unwrap();
        assert_eq!(s.cap_for(FacilityType::Hospital, 1), Some(yen(2_101_000)));
        assert_eq!(s.cap_for(FacilityType::Hospital, 2), Some(yen(2_002_000)));
        assert_eq!(s.cap_for(FacilityType::Hospital, 3), Some(yen(1_903_000)));
        for kind in [
            FacilityType::MedicalClinic,
            FacilityType::DentalClinic,
            FacilityType::Pharmacy,
            FacilityType::LargeChainPharmacy,
        ] {
            assert_eq!(s.cap_for(kind, 1), Some(yen(429_000)), "{kind}");
        }
        assert_eq!(s.rate_for(FacilityType::Hospital).unwrap().rate, Rate::HALF);
        assert_eq!(s.rate_for(FacilityType::LargeChainPharmacy).unwrap().rate, Rate::HALF);
        assert_eq!(s.rate_for(FacilityType::DentalClinic).unwrap().rate, Rate::THREE_QUARTERS);
    }

    #[test]
    fn pharmacy_rates_of_the_2022_revision_are_marked_unverified() {
        let s = Catalog::builtin().scheme("revision_2022").unwrap();
        assert!(!s.verified);
        assert!(!s.rate_for(FacilityType::Pharmacy).unwrap().verified);
        assert!(s.rate_for(FacilityType::Hospital).unwrap().verified);
    }

    #[test]
    fn a_catalog_with_a_missing_cap_is_refused_naming_the_scheme() {
        let mut c = Catalog::builtin().clone();
        c.schemes[0].caps.retain(|cap| cap.readers != Some(2));
        let err = c.validate().unwrap_err();
        assert!(err.to_string().contains("normal_2020") && err.to_string().contains("2 readers"), "{err}");
    }

    #[test]
    fn a_revision_naming_an_unknown_scheme_is_refused() {
        let mut c = Catalog::builtin().clone();
        c.deadline_revisions[0].applies_to.push("no_such_scheme".into());
        assert!(c.validate().unwrap_err().to_string().contains("no_such_scheme"));
    }

    #[test]
    fn date_windows_include_both_ends() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let w = DateWindow { from: Some(d("2022-06-07")), to: Some(d("2022-12-31")) };
        assert!(w.contains(d("2022-06-07")) && w.contains(d("2022-12-31")));
        assert!(!w.contains(d("2022-06-06")) && !w.contains(d("2023-01-01")));
        assert_eq!(w.describe_ja(), "令和4年6月7日〜令和4年12月31日");
    }
}
