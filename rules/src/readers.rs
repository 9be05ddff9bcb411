//! 顔認証付きカードリーダー: how many a facility gets free, and the subsidy before free provision.

use crate::{FacilityType, Yen};

/// Subsidy cap per reader before the free provision (法改正前の補助), 9.9万円/台.
/// Source: seeds/003 (補助内容の表「顔認証付きカードリーダー ※現行法の内容」: 1台9.9万円, 2台19.8万円, 3台29.7万円).
pub const PRE_FREE_PROVISION_CAP_PER_READER: i64 = 99_000;

/// Months from reader application to delivery (readers are built to order).
/// Source: seeds/002 (「申込から配送まで４ヶ月程度必要」).
pub const DELIVERY_MONTHS: u32 = 4;

/// How a requested number of readers splits into free and own-cost readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderEntitlement {
    /// Readers the facility asked for.
    pub requested: u8,
    /// Readers provided free by 支払基金 (hospital up to 3, others 1; seeds/001).
    pub free: u8,
    /// Readers beyond the free count, at the facility's own cost.
    pub own_cost: u8,
}

/// Splits a request into free and own-cost readers.
pub fn entitlement(kind: FacilityType, requested: u8) -> ReaderEntitlement {
    let free = requested.min(kind.free_readers());
    ReaderEntitlement { requested, free, own_cost: requested - free }
}

/// The reader subsidy cap before the free provision: 9.9万円 a reader, for at
/// most the free count (hospital 3, others 1). Source: seeds/003.
pub fn pre_free_provision_subsidy_cap(kind: FacilityType, readers: u8) -> Yen {
    let counted = readers.min(kind.free_readers());
    Yen::from_i64(PRE_FREE_PROVISION_CAP_PER_READER * i64::from(counted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hospital_gets_three_free_readers_and_pays_for_the_fourth() {
        assert_eq!(entitlement(FacilityType::Hospital, 4), ReaderEntitlement { requested: 4, free: 3, own_cost: 1 });
        assert_eq!(entitlement(FacilityType::Pharmacy, 2), ReaderEntitlement { requested: 2, free: 1, own_cost: 1 });
        assert_eq!(entitlement(FacilityType::DentalClinic, 1).own_cost, 0);
    }

    #[test]
    fn the_pre_free_provision_caps_match_seed_003() {
        let caps: Vec<i64> = (1..=3)
            .map(|n| pre_free_provision_subsidy_cap(FacilityType::Hospital, n).to_whole_yen().unwrap())
            .collect();
        assert_eq!(caps, vec![99_000, 198_000, 297_000]);
        assert_eq!(pre_free_provision_subsidy_cap(FacilityType::MedicalClinic, 2).to_whole_yen(), Some(99_000));
    }
}
