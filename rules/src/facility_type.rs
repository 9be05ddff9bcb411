//! 施設区分: the five kinds of facility the subsidy rules tell apart.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of insured facility (保険医療機関・薬局).
///
/// Source: seeds/001 (別添1) and seeds/003 (補助内容の表): hospitals, clinics
/// (医科・歯科), pharmacies and large chain pharmacies are treated differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityType {
    /// 病院
    Hospital,
    /// 医科診療所
    MedicalClinic,
    /// 歯科診療所
    DentalClinic,
    /// 薬局
    Pharmacy,
    /// 大型チェーン薬局: a group receiving 40,000 or more prescriptions a month
    /// (「グループで処方箋の受付が月4万回以上の薬局」, seeds/001, seeds/003).
    LargeChainPharmacy,
}

/// Monthly prescriptions of a pharmacy group from which its pharmacies count
/// as 大型チェーン薬局. Source: seeds/001 and seeds/003 (「月4万回以上」).
pub const LARGE_CHAIN_MONTHLY_PRESCRIPTIONS: u32 = 40_000;

impl FacilityType {
    /// 薬局 or 大型チェーン薬局: dispensing, not 診察.
    pub fn is_pharmacy(self) -> bool {
        matches!(self, FacilityType::Pharmacy | FacilityType::LargeChainPharmacy)
    }

    /// Every facility type, in the order the official tables list them.
    pub const ALL: [FacilityType; 5] = [
        FacilityType::Hospital,
        FacilityType::MedicalClinic,
        FacilityType::DentalClinic,
        FacilityType::Pharmacy,
        FacilityType::LargeChainPharmacy,
    ];

    /// The stable code used in the database, JSON and CSV.
    pub fn code(self) -> &'static str {
        match self {
            FacilityType::Hospital => "hospital",
            FacilityType::MedicalClinic => "medical_clinic",
            FacilityType::DentalClinic => "dental_clinic",
            FacilityType::Pharmacy => "pharmacy",
            FacilityType::LargeChainPharmacy => "large_chain_pharmacy",
        }
    }

    /// The Japanese name shown to users.
    pub fn label_ja(self) -> &'static str {
        match self {
            FacilityType::Hospital => "病院",
            FacilityType::MedicalClinic => "医科診療所",
            FacilityType::DentalClinic => "歯科診療所",
            FacilityType::Pharmacy => "薬局",
            FacilityType::LargeChainPharmacy => "大型チェーン薬局",
        }
    }

    /// Readers provided free by 支払基金: hospitals up to 3, every other type 1.
    /// Source: seeds/001 (顔認証付きカードリーダーの無償提供).
    pub fn free_readers(self) -> u8 {
        match self {
            FacilityType::Hospital => 3,
            _ => 1,
        }
    }

    /// The 点数表番号 a facility code of this type must carry: 1 医科, 3 歯科, 4 調剤.
    /// Source: domain.md (医療機関コード), ja.wikipedia 「医療機関コード」.
    pub fn fee_schedule_digit(self) -> u8 {
        match self {
            FacilityType::Hospital | FacilityType::MedicalClinic => 1,
            FacilityType::DentalClinic => 3,
            FacilityType::Pharmacy | FacilityType::LargeChainPharmacy => 4,
        }
    }
}

impl fmt::Display for FacilityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A facility-type code that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown facility type {0:?}: expected one of hospital, medical_clinic, dental_clinic, pharmacy, large_chain_pharmacy"
)]
pub struct UnknownFacilityType(pub String);

impl FromStr for FacilityType {
    type Err = UnknownFacilityType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FacilityType::ALL.into_iter().find(|t| t.code() == s).ok_or_else(|| UnknownFacilityType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_its_type() {
        for t in FacilityType::ALL {
            assert_eq!(t.code().parse::<FacilityType>(), Ok(t));
        }
    }

    #[test]
    fn hospitals_get_three_free_readers_and_others_one() {
        let free: Vec<u8> = FacilityType::ALL.iter().map(|t| t.free_readers()).collect();
        assert_eq!(free, vec![3, 1, 1, 1, 1]);
    }

    #[test]
    fn an_unknown_code_is_refused_with_the_expected_list() {
        let err = "clinic".parse::<FacilityType>().unwrap_err();
        assert!(err.to_string().contains("medical_clinic"));
    }

    #[test]
    fn serde_uses_the_stable_codes() {
        let json = serde_json::to_string(&FacilityType::LargeChainPharmacy).unwrap();
        assert_eq!(json, "\"large_chain_pharmacy\"");
    }
}
