//! Cost categories of quote lines and whether the subsidy covers them (domain.md).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a quote line is for. The codes are the contract between database, JSON, CSV and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 資格確認端末 (the dedicated PC).
    Terminal,
    /// 顔認証付きカードリーダー.
    CardReader,
    /// 汎用カードリーダー.
    GenericReader,
    /// 資格確認アプリケーション (provided free by 支払基金).
    AppSoftware,
    /// ネットワーク設計・設定.
    NetworkSetup,
    /// ルーター and other network devices.
    Router,
    /// 電子証明書.
    Certificate,
    /// LAN工事・配線.
    LanWiring,
    /// レセコン・調剤システムの改修.
    ReceiptSystem,
    /// 電子カルテの改修.
    Emr,
    /// 導入作業・設定 (general on-site work).
    SetupLabor,
    /// 操作説明・研修.
    Training,
    /// 保守 (running cost).
    Maintenance,
    /// 回線使用料 (running cost).
    LineFee,
    /// 出張費・交通費.
    Travel,
    /// 値引.
    Discount,
    /// Anything not recognised.
    Other,
}

/// How the subsidy treats a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// Counted in the eligible total (one-off cost of the installation).
    Eligible,
    /// Provided free: any charge is suspect (card readers within the free count, the 資格確認 app).
    Free,
    /// Not covered (running costs, readers beyond the free count).
    NotEligible,
    /// Not recognised: left out of the eligible total until someone classifies it.
    Unknown,
}

impl Eligibility {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Eligibility::Eligible => "eligible",
            Eligibility::Free => "free",
            Eligibility::NotEligible => "not_eligible",
            Eligibility::Unknown => "unknown",
        }
    }

    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            Eligibility::Eligible => "補助対象",
            Eligibility::Free => "無償提供",
            Eligibility::NotEligible => "補助対象外",
            Eligibility::Unknown => "要確認",
        }
    }
}

impl Category {
    /// Every category in the order of domain.md.
    pub const ALL: [Category; 17] = [
        Category::Terminal,
        Category::CardReader,
        Category::GenericReader,
        Category::AppSoftware,
        Category::NetworkSetup,
        Category::Router,
        Category::Certificate,
        Category::LanWiring,
        Category::ReceiptSystem,
        Category::Emr,
        Category::SetupLabor,
        Category::Training,
        Category::Maintenance,
        Category::LineFee,
        Category::Travel,
        Category::Discount,
        Category::Other,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Category::Terminal => "terminal",
            Category::CardReader => "card_reader",
            Category::GenericReader => "generic_reader",
            Category::AppSoftware => "app_software",
            Category::NetworkSetup => "network_setup",
            Category::Router => "router",
            Category::Certificate => "certificate",
            Category::LanWiring => "lan_wiring",
            Category::ReceiptSystem => "receipt_system",
            Category::Emr => "emr",
            Category::SetupLabor => "setup_labor",
            Category::Training => "training",
            Category::Maintenance => "maintenance",
            Category::LineFee => "line_fee",
            Category::Travel => "travel",
            Category::Discount => "discount",
            Category::Other => "other",
        }
    }

    /// The Japanese label shown in the UI.
    pub fn label_ja(self) -> &'static str {
        match self {
            Category::Terminal => "資格確認端末",
            Category::CardReader => "顔認証付きカードリーダー",
            Category::GenericReader => "汎用カードリーダー",
            Category::AppSoftware => "資格確認アプリケーション",
            Category::NetworkSetup => "ネットワーク設定",
            Category::Router => "ルーター等",
            Category::Certificate => "電子証明書",
            Category::LanWiring => "LAN工事",
            Category::ReceiptSystem => "レセコン等改修",
            Category::Emr => "電子カルテ改修",
            Category::SetupLabor => "導入作業・設定",
            Category::Training => "操作説明",
            Category::Maintenance => "保守",
            Category::LineFee => "回線使用料",
            Category::Travel => "出張費",
            Category::Discount => "値引",
            Category::Other => "その他",
        }
    }

    /// How the subsidy treats the category.
    ///
    /// Sources: domain.md (Quote categories); seeds/001 and seeds/003 (補助対象: 資格確認端末,
    /// パッケージソフト, オンライン請求回線の導入・増強, ネットワーク環境の整備, 既存システムの改修);
    /// seeds/003 (アプリケーションソフトは支払基金より無償提供; the cost guide lists 汎用
    /// カードリーダー among the subsidised devices); seeds/000 (保守費用・回線使用料は対象外).
    pub fn eligibility(self) -> Eligibility {
        match self {
            Category::Terminal
            | Category::GenericReader
            | Category::NetworkSetup
            | Category::Router
            | Category::Certificate
            | Category::LanWiring
            | Category::ReceiptSystem
            | Category::Emr
            | Category::SetupLabor
            | Category::Training
            | Category::Travel
            | Category::Discount => Eligibility::Eligible,
            Category::CardReader | Category::AppSoftware => Eligibility::Free,
            Category::Maintenance | Category::LineFee => Eligibility::NotEligible,
            Category::Other => Eligibility::Unknown,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A category code that is not one of domain.md's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("費目コード {0:?} はありません（terminal, card_reader, … other のいずれか）")]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_domain_md() {
        let codes: Vec<&str> = Category::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes.join(", "),
            "terminal, card_reader, generic_reader, app_software, network_setup, router, certificate, \
             lan_wiring, receipt_system, emr, setup_labor, training, maintenance, line_fee, travel, discount, other"
        );
        for c in Category::ALL {
            assert_eq!(c.code().parse::<Category>(), Ok(c));
        }
    }

    #[test]
    fn free_running_and_eligible_categories_follow_domain_md() {
        use Eligibility::*;
        assert_eq!(Category::CardReader.eligibility(), Free);
        assert_eq!(Category::AppSoftware.eligibility(), Free);
        assert_eq!(Category::Maintenance.eligibility(), NotEligible);
        assert_eq!(Category::LineFee.eligibility(), NotEligible);
        assert_eq!(Category::Discount.eligibility(), Eligible);
        assert_eq!(Category::Other.eligibility(), Unknown);
        for c in [Category::Terminal, Category::Router, Category::Emr, Category::Travel, Category::Training] {
            assert_eq!(c.eligibility(), Eligible, "{c}");
        }
    }
}
