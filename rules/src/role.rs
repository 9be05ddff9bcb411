//! Roles and associations: who may see and do what (domain.md, Users).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role. The access each role has is described in domain.md (Users).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 医療機関担当者: staff of one facility or of a corporation.
    ClinicManager,
    /// 医師会・歯科医師会・薬剤師会の審査担当: one association and prefecture.
    Reviewer,
    /// 厚生労働省・支払基金の監査担当: national.
    Auditor,
    /// 運用管理者: users, benchmarks, schemes.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::ClinicManager, Role::Reviewer, Role::Auditor, Role::Admin];

    /// The stable code used in the database and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Role::ClinicManager => "clinic_manager",
            Role::Reviewer => "reviewer",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// The Japanese label shown in the UI.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::ClinicManager => "医療機関担当者",
            Role::Reviewer => "審査担当（医師会等）",
            Role::Auditor => "監査担当（厚生労働省）",
            Role::Admin => "運用管理者",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A role code that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected clinic_manager, reviewer, auditor or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.code() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The professional association a reviewer works for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Association {
    /// 医師会: hospitals and medical clinics.
    Medical,
    /// 歯科医師会: dental clinics.
    Dental,
    /// 薬剤師会: pharmacies, including large chains.
    Pharmaceutical,
}

impl Association {
    /// Every association.
    pub const ALL: [Association; 3] = [Association::Medical, Association::Dental, Association::Pharmaceutical];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Association::Medical => "medical",
            Association::Dental => "dental",
            Association::Pharmaceutical => "pharmaceutical",
        }
    }

    /// The Japanese name, e.g. 「医師会」.
    pub fn label_ja(self) -> &'static str {
        match self {
            Association::Medical => "医師会",
            Association::Dental => "歯科医師会",
            Association::Pharmaceutical => "薬剤師会",
        }
    }

    /// Whether this association looks after facilities of the given type.
    pub fn covers(self, kind: crate::FacilityType) -> bool {
        use crate::FacilityType as F;
        matches!(
            (self, kind),
            (Association::Medical, F::Hospital | F::MedicalClinic)
                | (Association::Dental, F::DentalClinic)
                | (Association::Pharmaceutical, F::Pharmacy | F::LargeChainPharmacy)
        )
    }
}

/// An association code that is not one of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown association {0:?}: expected medical, dental or pharmaceutical")]
pub struct UnknownAssociation(pub String);

impl FromStr for Association {
    type Err = UnknownAssociation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Association::ALL.into_iter().find(|a| a.code() == s).ok_or_else(|| UnknownAssociation(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FacilityType;

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>(), Ok(r));
        }
        assert!("manager".parse::<Role>().is_err());
    }

    #[test]
    fn each_facility_type_is_covered_by_exactly_one_association() {
        for t in FacilityType::ALL {
            let n = Association::ALL.iter().filter(|a| a.covers(t)).count();
            assert_eq!(n, 1, "{t}");
        }
    }
}
