//! One answer to "how much do we get back, and how much do we pay?".
//!
//! Every page, document, export and command that shows a subsidy or a 自己負担 asks this module,
//! with the facility's facts and a set of costs (a quote's lines or the paid receipts).
//!
//! 自己負担 is defined once: what the facility pays its vendors minus the subsidy, always in
//! three parts —
//! (a) costs the subsidy does not cover (running costs, charges for items provided free, lines
//!     not counted as eligible), with the consumption tax on them;
//! (b) the eligible cost above the cap (基準とする事業額);
//! (c) the part of the eligible cost within the cap that the rate (and the truncation to
//!     1,000円) leaves to the facility.
//! (a) + (b) + (c) = 自己負担 exactly.

use crate::audit::ComputedTotals;
use crate::category::{Category, Eligibility};
use crate::scheme::{Catalog, DateWindow, Route};
use crate::subsidy::{InputError, Outcome, SubsidyInput, calculate};
use crate::{Yen, format_wareki};
use chrono::NaiveDate;
use serde::Serialize;

/// Why a cost is left out of the eligible cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotCoveredReason {
    /// Monthly maintenance, line fees and other running costs (補助対象外, domain.md).
    RunningCost,
    /// A charge for something provided free (readers within the free count, the 資格確認 app).
    FreeItemCharged,
    /// A line not recognised as eligible work (「その他」 until someone classifies it).
    Unclassified,
    /// Consumption tax on the lines above.
    TaxOnThese,
}

impl NotCoveredReason {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            NotCoveredReason::RunningCost => "running_cost",
            NotCoveredReason::FreeItemCharged => "free_item_charged",
            NotCoveredReason::Unclassified => "unclassified",
            NotCoveredReason::TaxOnThese => "tax_on_these",
        }
    }

    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            NotCoveredReason::RunningCost => "運用費用（保守・回線使用料など。補助対象外）",
            NotCoveredReason::FreeItemCharged => "無償提供品への請求（カードリーダー・アプリケーション）",
            NotCoveredReason::Unclassified => "補助対象と確認できない費用（その他・未分類）",
            NotCoveredReason::TaxOnThese => "上記にかかる消費税",
        }
    }

    fn of(category: Category) -> Option<NotCoveredReason> {
        match category.eligibility() {
            Eligibility::Eligible => None,
            Eligibility::Free => Some(NotCoveredReason::FreeItemCharged),
            Eligibility::NotEligible => Some(NotCoveredReason::RunningCost),
            Eligibility::Unknown => Some(NotCoveredReason::Unclassified),
        }
    }
}

/// One part of (a): a reason and its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NotCoveredPart {
    /// Why.
    pub reason: NotCoveredReason,
    /// How much, tax as the costs say (the tax of tax-exclusive costs is its own part).
    pub amount: Yen,
}

/// A set of costs reduced to what the calculation needs: what is paid and what is eligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostSummary {
    /// Everything the facility pays its vendors, tax included.
    pub total: Yen,
    /// 補助対象経費, tax included.
    pub eligible: Yen,
    /// What is not covered, by reason; adds up to `total − eligible`.
    pub not_covered: Vec<NotCoveredPart>,
}

impl CostSummary {
    /// The summary of itemised costs (category and amount, negative for a discount), with tax
    /// computed as the quote audit computes it ([`ComputedTotals::of`]).
    pub fn of_lines(lines: impl IntoIterator<Item = (Category, Yen)>, tax_inclusive: bool) -> CostSummary {
        let lines: Vec<(Category, Yen)> = lines.into_iter().collect();
        let totals = ComputedTotals::of(
            lines.iter().map(|(c, a)| (*a, c.eligibility() == Eligibility::Eligible)),
            tax_inclusive,
        );
        let mut parts: Vec<NotCoveredPart> = Vec::new();
        for (c, a) in &lines {
            let Some(reason) = NotCoveredReason::of(*c) else { continue };
            match parts.iter_mut().find(|p| p.reason == reason) {
                Some(p) => p.amount = p.amount + *a,
                None => parts.push(NotCoveredPart { reason, amount: *a }),
            }
        }
        parts.retain(|p| p.amount != Yen::ZERO);
        parts.sort_by_key(|p| p.reason);
        let listed: Yen = parts.iter().map(|p| p.amount).sum();
        let rest = totals.total - totals.eligible_total - listed;
        if rest != Yen::ZERO {
            parts.push(NotCoveredPart { reason: NotCoveredReason::TaxOnThese, amount: rest });
        }
        CostSummary { total: totals.total, eligible: totals.eligible_total, not_covered: parts }
    }

    /// A summary from two figures, as the simulator takes them: the eligible cost and the
    /// costs the subsidy does not cover (both tax included).
    pub fn of_figures(eligible: Yen, not_covered: Yen) -> CostSummary {
        let parts = if not_covered == Yen::ZERO {
            Vec::new()
        } else {
            vec![NotCoveredPart { reason: NotCoveredReason::RunningCost, amount: not_covered }]
        };
        CostSummary { total: eligible + not_covered, eligible, not_covered: parts }
    }

    /// (a): total − eligible.
    pub fn not_covered_total(&self) -> Yen {
        self.total - self.eligible
    }
}

/// What a date not yet entered would give: 「…までにカードリーダーを申し込み、…までに契約すると」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    /// The dates to meet, in Japanese, ending in 「と」.
    pub condition: String,
    /// The scheme it would give.
    pub scheme_name: String,
    /// The subsidy then.
    pub subsidy: Yen,
    /// The 自己負担 then.
    pub self_burden: Yen,
    /// The first of the dates to meet: after it, this alternative is gone.
    pub deadline: NaiveDate,
}

impl Alternative {
    /// The alternative in one sentence: 「…までに…すると 429,000円（自己負担 …）。期限: …」.
    pub fn sentence(&self, today: NaiveDate) -> String {
        format!(
            "{}「{}」で補助額 {}、自己負担 {}（{}）",
            self.condition,
            self.scheme_name,
            self.subsidy,
            self.self_burden,
            self.deadline_ja(today)
        )
    }

    /// The deadline as of `today`: 「期限: 令和5年2月28日」 or 「期限（…）は過ぎています」.
    pub fn deadline_ja(&self, today: NaiveDate) -> String {
        if today > self.deadline {
            format!("期限（{}）は過ぎています", format_wareki(self.deadline))
        } else {
            format!("期限: {}", format_wareki(self.deadline))
        }
    }
}

/// The answer: the scheme and why, the subsidy and the facility's own payment in its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// The scheme, its conditions, rate, cap and the calculation step by step.
    pub outcome: Outcome,
    /// The costs it was computed on.
    pub costs: CostSummary,
    /// The subsidy (千円未満切捨て; the whole amount under a difference scheme).
    pub subsidy: Yen,
    /// (a) costs the subsidy does not cover.
    pub not_covered: Yen,
    /// (b) eligible cost above the cap.
    pub above_cap: Yen,
    /// (c) the part of the eligible cost within the cap left by the rate.
    pub rate_share: Yen,
    /// 自己負担 = total paid − subsidy = (a) + (b) + (c).
    pub self_burden: Yen,
    /// Facts the calculation had to assume because they are not entered yet, in Japanese.
    pub assumptions: Vec<String>,
    /// What the missing dates would give under a more favourable scheme.
    pub alternatives: Vec<Alternative>,
}

impl Settlement {
    /// 自己負担 in one line with its parts: 「自己負担 2,530,000円（補助対象外 264,000円 ＋ 上限超過
    /// 2,266,000円 ＋ 補助率による負担 0円）」.
    pub fn burden_line(&self) -> String {
        burden_line(self.self_burden, self.not_covered, self.above_cap, self.rate_share)
    }
}

/// 自己負担 in its one-line form from the four figures, for what keeps them without a [`Settlement`]
/// (a 交付申請 package as stored).
pub fn burden_line(self_burden: Yen, not_covered: Yen, above_cap: Yen, rate_share: Yen) -> String {
    format!(
        "自己負担 {self_burden}（補助対象外の費用 {not_covered} ＋ 上限を超える補助対象経費 {above_cap} ＋ 補助率により残る額 {rate_share}）"
    )
}

/// The settlement of `costs` for the facility described by `facts` (its `eligible_cost` is
/// ignored: the costs give it).
pub fn settle(catalog: &Catalog, facts: &SubsidyInput, costs: &CostSummary) -> Result<Settlement, InputError> {
    let input = SubsidyInput { eligible_cost: costs.eligible, ..facts.clone() };
    let outcome = calculate(catalog, &input)?;
    let subsidy = outcome.subsidy;
    let within_cap = if outcome.scheme.is_some() { costs.eligible.min(outcome.cap) } else { costs.eligible };
    let above_cap = costs.eligible - within_cap;
    let rate_share = within_cap - subsidy;
    let not_covered = costs.not_covered_total();
    let (assumptions, alternatives) = what_missing_facts_would_give(catalog, &input, &outcome, costs);
    Ok(Settlement {
        self_burden: costs.total - subsidy,
        outcome,
        costs: costs.clone(),
        subsidy,
        not_covered,
        above_cap,
        rate_share,
        assumptions,
        alternatives,
    })
}

/// A fact a route asks for that the facility has not entered, and the latest day that meets it.
enum Fill {
    ReaderApplied(NaiveDate),
    VendorContract(NaiveDate),
    OperationStarted(DateWindow),
}

/// The facts a route needs that are missing, each filled with the latest day that meets it;
/// None when the route also needs something other than a missing date (a date entered that
/// misses, 機種未定, 一括申請: choices a facility does not make by filling in a date).
fn fills(route: &Route, input: &SubsidyInput) -> Option<Vec<Fill>> {
    if route.model_undecided == Some(true) || route.bulk_declared.is_some() {
        return None;
    }
    let mut out = Vec::new();
    if let Some(w) = route.reader_applied {
        match input.reader_applied_on {
            Some(d) if !w.contains(d) => return None,
            Some(_) => {}
            None => out.push(Fill::ReaderApplied(w.to?)),
        }
    }
    if let Some(by) = route.vendor_contract_by {
        match input.vendor_contract_on {
            Some(d) if d > by => return None,
            Some(_) => {}
            None => out.push(Fill::VendorContract(by)),
        }
    }
    if let Some(w) = route.operation_started {
        match input.operation_started_on {
            Some(d) if !w.contains(d) => return None,
            Some(_) => {}
            None => out.push(Fill::OperationStarted(w)),
        }
    }
    Some(out)
}

fn what_missing_facts_would_give(
    catalog: &Catalog,
    input: &SubsidyInput,
    outcome: &Outcome,
    costs: &CostSummary,
) -> (Vec<String>, Vec<Alternative>) {
    let mut alternatives: Vec<Alternative> = Vec::new();
    let mut missing_contract = false;
    for scheme in catalog.schemes.iter().filter(|s| s.programme == input.programme) {
        for route in &scheme.routes {
            let Some(fills) = fills(route, input) else { continue };
            if fills.is_empty() {
                continue;
            }
            let mut other = input.clone();
            let mut parts = Vec::new();
            let mut deadline: Option<NaiveDate> = None;
            for f in &fills {
                let day = match f {
                    Fill::ReaderApplied(d) => {
                        other.reader_applied_on = Some(*d);
                        parts.push(format!("{}までにカードリーダーを申し込み", format_wareki(*d)));
                        *d
                    }
                    Fill::VendorContract(d) => {
                        other.vendor_contract_on = Some(*d);
                        parts.push(format!("{}までにベンダーと契約し", format_wareki(*d)));
                        *d
                    }
                    Fill::OperationStarted(w) => {
                        let Some(to) = w.to else { continue };
                        other.operation_started_on = Some(to);
                        parts.push(format!("{}に運用を開始し", w.describe_ja()));
                        to
                    }
                };
                deadline = Some(deadline.map_or(day, |d| d.min(day)));
            }
            let Some(deadline) = deadline else { continue };
            let Ok(then) = calculate(catalog, &other) else { continue };
            if then.scheme.as_deref() != Some(scheme.id.as_str()) || then.subsidy <= outcome.subsidy {
                continue;
            }
            missing_contract |= fills.iter().any(|f| matches!(f, Fill::VendorContract(_)));
            let mut condition = parts.join("、");
            // 「…申し込み」「…契約し」「…開始し」 → 「…すると」: the last verb takes the conditional.
            for (stem, conditional) in [("申し込み", "申し込むと"), ("契約し", "契約すると"), ("開始し", "開始すると")]
            {
                if let Some(head) = condition.strip_suffix(stem) {
                    condition = format!("{head}{conditional}");
                    break;
                }
            }
            alternatives.push(Alternative {
                condition,
                scheme_name: scheme.name_ja.clone(),
                subsidy: then.subsidy,
                self_burden: costs.total - then.subsidy,
                deadline,
            });
        }
    }
    alternatives.sort_by(|a, b| b.subsidy.cmp(&a.subsidy).then(b.deadline.cmp(&a.deadline)));
    alternatives.dedup_by(|a, b| a.condition == b.condition);

    let mut assumptions = Vec::new();
    let assumed = outcome.scheme_name.as_deref().unwrap_or("該当する制度なし");
    if input.reader_applied_on.is_none() {
        assumptions.push(format!(
            "カードリーダーの申込日が入力されていないため、申込日を条件としない「{assumed}」で計算しました。"
        ));
    }
    if missing_contract {
        assumptions.push(format!(
            "ベンダーとの契約日が入力されていないため、契約日を条件とする制度を除いて「{assumed}」で計算しました。"
        ));
    }
    (assumptions, alternatives)
}
