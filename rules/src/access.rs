//! Who may see what: the scope of a user's access (domain.md, Users; issue 5).

use crate::{Association, FacilityType, Prefecture, Role};
use serde::{Deserialize, Serialize};

/// The facilities a user's role reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// A clinic manager of one facility.
    Facility {
        /// Facility id.
        id: i64,
    },
    /// A clinic manager of a corporation (医療法人・チェーン): all its facilities.
    Corporation {
        /// Corporation id.
        id: i64,
    },
    /// A reviewer: the facilities of one prefecture that the association looks after.
    Association {
        /// 医師会, 歯科医師会 or 薬剤師会.
        association: Association,
        /// The prefecture.
        prefecture: Prefecture,
    },
    /// Auditors: every facility.
    National,
    /// Admins: users, benchmarks and schemes, but no facility's data.
    NoFacilities,
}

/// A facility as the access check needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacilityRef {
    /// Facility id.
    pub id: i64,
    /// Its corporation, if any.
    pub corporation_id: Option<i64>,
    /// Its type.
    pub facility_type: FacilityType,
    /// Its prefecture.
    pub prefecture: Prefecture,
}

impl Scope {
    /// Whether the scope reaches the facility.
    pub fn reaches(&self, f: &FacilityRef) -> bool {
        match *self {
            Scope::Facility { id } => f.id == id,
            Scope::Corporation { id } => f.corporation_id == Some(id),
            Scope::Association { association, prefecture } => {
                f.prefecture == prefecture && association.covers(f.facility_type)
            }
            Scope::National => true,
            Scope::NoFacilities => false,
        }
    }

    /// The facility types a reviewer's association covers (every type otherwise).
    pub fn facility_types(&self) -> Vec<FacilityType> {
        match self {
            Scope::Association { association, .. } => {
                FacilityType::ALL.into_iter().filter(|t| association.covers(*t)).collect()
            }
            _ => FacilityType::ALL.to_vec(),
        }
    }
}

/// What a role may do beyond reading its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See facilities, quotes and complaints (within the scope).
    ReadFacilities,
    /// Change facilities, enter quotes, apply, file complaints (own facilities).
    EditOwnFacilities,
    /// Triage complaints and forward them to MHLW.
    ActOnComplaints,
    /// Record audit outcomes; read the audit trail.
    Audit,
    /// Manage users, benchmarks and schemes.
    Administer,
}

impl Role {
    /// Whether the role has a permission (domain.md, Users).
    pub fn may(self, p: Permission) -> bool {
        use Permission::*;
        matches!(
            (self, p),
            (Role::ClinicManager, ReadFacilities | EditOwnFacilities)
                | (Role::Reviewer, ReadFacilities | ActOnComplaints)
                | (Role::Auditor, ReadFacilities | Audit)
                | (Role::Admin, Administer)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facility(id: i64, corp: Option<i64>, kind: FacilityType, pref: &str) -> FacilityRef {
        FacilityRef { id, corporation_id: corp, facility_type: kind, prefecture: pref.parse().unwrap() }
    }

    #[test]
    fn each_scope_reaches_exactly_its_facilities() {
        let tokyo_hospital = facility(1, Some(7), FacilityType::Hospital, "13");
        let tokyo_dental = facility(2, None, FacilityType::DentalClinic, "13");
        let fukuoka_clinic = facility(3, Some(7), FacilityType::MedicalClinic, "40");
        let medical_tokyo = Scope::Association { association: Association::Medical, prefecture: "13".parse().unwrap() };
        let cases = [
            (Scope::Facility { id: 2 }, [false, true, false]),
            (Scope::Corporation { id: 7 }, [true, false, true]),
            (medical_tokyo, [true, false, false]),
            (Scope::National, [true, true, true]),
            (Scope::NoFacilities, [false, false, false]),
        ];
        for (scope, expected) in cases {
            let got = [&tokyo_hospital, &tokyo_dental, &fukuoka_clinic].map(|f| scope.reaches(f));
            assert_eq!(got, expected, "{scope:?}");
        }
    }

    #[test]
    fn admins_administer_but_read_no_facility() {
        assert!(Role::Admin.may(Permission::Administer));
        assert!(!Role::Admin.may(Permission::ReadFacilities));
        assert!(Role::Auditor.may(Permission::Audit));
        assert!(!Role::Reviewer.may(Permission::Audit));
        assert!(Role::ClinicManager.may(Permission::EditOwnFacilities));
        assert!(!Role::Reviewer.may(Permission::EditOwnFacilities));
    }
}
