//! Red flags: stable codes (domain.md), severity, a Japanese message and the evidence.

use super::tukey::Fence;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A red flag's code; the contract between database, JSON, CSV and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    /// A free item (card reader within the free count, the 資格確認 app) is charged.
    FreeItemCharged,
    /// A running cost (保守, 回線) inside a one-off total.
    IneligibleRunningCost,
    /// Priced beyond the benchmark range or the peer fence.
    AboveBenchmark,
    /// Hours beyond MHLW's longest observed on-site times.
    LaborOverObservedMax,
    /// A large lump sum without a breakdown.
    LumpSumOpaque,
    /// The eligible total sits just under the subsidy cap.
    NearSubsidyCap,
    /// Quantity × price ≠ amount, or totals that do not add up.
    ArithmeticMismatch,
    /// A tax line that is not 10 %.
    TaxMismatch,
    /// The same line twice.
    DuplicateLine,
}

impl FlagCode {
    /// Every code.
    pub const ALL: [FlagCode; 9] = [
        FlagCode::FreeItemCharged,
        FlagCode::IneligibleRunningCost,
        FlagCode::AboveBenchmark,
        FlagCode::LaborOverObservedMax,
        FlagCode::LumpSumOpaque,
        FlagCode::NearSubsidyCap,
        FlagCode::ArithmeticMismatch,
        FlagCode::TaxMismatch,
        FlagCode::DuplicateLine,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            FlagCode::FreeItemCharged => "free_item_charged",
            FlagCode::IneligibleRunningCost => "ineligible_running_cost",
            FlagCode::AboveBenchmark => "above_benchmark",
            FlagCode::LaborOverObservedMax => "labor_over_observed_max",
            FlagCode::LumpSumOpaque => "lump_sum_opaque",
            FlagCode::NearSubsidyCap => "near_subsidy_cap",
            FlagCode::ArithmeticMismatch => "arithmetic_mismatch",
            FlagCode::TaxMismatch => "tax_mismatch",
            FlagCode::DuplicateLine => "duplicate_line",
        }
    }

    /// A short Japanese label for the UI.
    pub fn label_ja(self) -> &'static str {
        match self {
            FlagCode::FreeItemCharged => "無償品への請求",
            FlagCode::IneligibleRunningCost => "補助対象外の月額費用",
            FlagCode::AboveBenchmark => "目安を超える価格",
            FlagCode::LaborOverObservedMax => "作業時間が調査の最長を超過",
            FlagCode::LumpSumOpaque => "内訳のない一式",
            FlagCode::NearSubsidyCap => "補助上限に近い見積",
            FlagCode::ArithmeticMismatch => "計算の不一致",
            FlagCode::TaxMismatch => "消費税の不一致",
            FlagCode::DuplicateLine => "重複した行",
        }
    }
}

impl fmt::Display for FlagCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for FlagCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FlagCode::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| format!("unknown flag code {s:?}"))
    }
}

/// How serious a flag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a question.
    Low,
    /// Likely padding or a mistake; ask the vendor.
    Medium,
    /// Clearly wrong against a published rule.
    High,
}

impl Severity {
    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            Severity::Low => "低",
            Severity::Medium => "中",
            Severity::High => "高",
        }
    }
}

/// What a flag rests on: the figure, the limit and where the limit comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What was compared, in Japanese.
    pub text: String,
    /// The quote's figure.
    pub value: Option<String>,
    /// The limit it was compared with.
    pub limit: Option<String>,
    /// Source of the limit.
    pub source: Option<String>,
    /// The limit is an assumption admins can change, not a published figure.
    pub assumption: bool,
    /// The peer fence, for outliers among peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fence: Option<Fence>,
}

impl Evidence {
    /// Evidence without a source (arithmetic).
    pub fn plain(text: String, value: Option<String>, limit: Option<String>) -> Self {
        Evidence { text, value, limit, source: None, assumption: false, fence: None }
    }

    /// Evidence resting on a published source.
    pub fn sourced(text: String, value: Option<String>, limit: Option<String>, source: &str) -> Self {
        Evidence { text, value, limit, source: Some(source.to_owned()), assumption: false, fence: None }
    }

    /// Marks the limit as an assumption (or not).
    pub fn assumed(mut self, assumption: bool) -> Self {
        self.assumption = assumption;
        self
    }
}

/// A red flag on a line or on the whole quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Stable code.
    pub code: FlagCode,
    /// Severity.
    pub severity: Severity,
    /// What is wrong and what to ask, in Japanese.
    pub message: String,
    /// What it rests on.
    pub evidence: Evidence,
}

impl Flag {
    /// A flag.
    pub fn new(code: FlagCode, severity: Severity, message: String, evidence: Evidence) -> Self {
        Flag { code, severity, message, evidence }
    }
}
