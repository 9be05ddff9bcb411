//! The 領収書内訳書: every line of the paid receipt, eligible or not, with its amount tax
//! included, so that the lines add up exactly to the receipt; and the split of a 一括申請's
//! shared costs across its facilities, so that the facilities' 内訳書 add up exactly to the
//! combined receipt.
//!
//! The portal asks for the 領収書(写) and an itemised 領収書内訳書(写) with the 交付申請
//! (医療機関等向け総合ポータルサイト FAQ「オンライン資格確認関係補助金申請について」;
//! domain.md "The real subsidy application").

use super::{CostLine, FinalCosts, PackageLine};
use crate::Yen;
use crate::category::{Category, Eligibility};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Consumption tax in percent (10 %, the standard rate since 令和元年10月; the quotes' tax
/// check uses the same rate: `audit::TAX_RATE`).
const TAX_PERCENT: i64 = 10;

/// One line of the 領収書内訳書.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// No. on the receipt (1-based, the quote's order).
    pub no: usize,
    /// 費目.
    pub category: Category,
    /// 品名・内容.
    pub description: String,
    /// 金額（税込）.
    pub amount: Yen,
    /// 補助対象.
    pub eligible: bool,
    /// Why a line is 対象外, in Japanese; None for an eligible line.
    pub reason: Option<String>,
}

/// The 領収書内訳書 of one receipt: its lines tax included, the 合計 and the two subtotals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptBreakdown {
    /// Every line, eligible or not.
    pub lines: Vec<ReceiptLine>,
    /// 合計: the receipt's total, tax included; the lines add up to it exactly.
    pub total: Yen,
    /// 小計 補助対象 (税込).
    pub eligible: Yen,
    /// 小計 対象外 (税込).
    pub not_eligible: Yen,
    /// How the tax was apportioned to the lines (a 税抜 receipt), in Japanese.
    pub tax_note: Option<String>,
}

/// Why a category's cost is not covered, as the 内訳書 says it.
pub fn reason_ja(category: Category) -> Option<&'static str> {
    match category.eligibility() {
        Eligibility::Eligible => None,
        Eligibility::NotEligible => Some("月額費用（ランニングコスト）は補助対象外"),
        Eligibility::Free => Some("無償提供品の費用は補助対象外"),
        Eligibility::Unknown => Some("費目が特定できないため補助対象経費に含めていません"),
    }
}

/// 10 % of an amount, toward zero to the yen.
fn tax_of(amount: Yen) -> Decimal {
    (amount.amount() * Decimal::from(TAX_PERCENT) / Decimal::from(100)).trunc()
}

/// 10 % of an amount, rounded down to the yen (how a receipt's tax and the 補助対象経費 are computed).
fn floor_tax(amount: Yen) -> Decimal {
    (amount.amount() * Decimal::from(TAX_PERCENT) / Decimal::from(100)).floor()
}

impl ReceiptBreakdown {
    /// The 内訳書 of final costs (each line's eligibility from its category).
    pub fn of_costs(costs: &FinalCosts) -> ReceiptBreakdown {
        let (with_tax, note) = costs.tax_included();
        let lines: Vec<PackageLine> = with_tax
            .lines
            .into_iter()
            .map(|l| PackageLine {
                eligible: l.category.eligibility() == Eligibility::Eligible,
                category: l.category,
                description: l.description,
                amount: l.amount,
            })
            .collect();
        ReceiptBreakdown { tax_note: note, ..ReceiptBreakdown::of(&lines, true) }
    }

    /// The 内訳書 of the lines of a receipt. Tax-inclusive lines are taken as they are. On a
    /// 税抜 receipt with the tax in its foot, the tax (10 % of the whole, rounded down) is
    /// apportioned: each line gets 10 % of its amount (toward zero); the eligible lines
    /// together get 10 % of their sum rounded down, exactly as the 補助対象経費 is computed, and
    /// the other lines the rest; what the per-line rounding leaves in each group is added to
    /// its largest line, which the note names. So the lines add up exactly to the receipt and
    /// the eligible subtotal to the 補助対象経費.
    pub fn of(lines: &[PackageLine], tax_inclusive: bool) -> ReceiptBreakdown {
        let mut out: Vec<ReceiptLine> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| ReceiptLine {
                no: i + 1,
                category: l.category,
                description: l.description.clone(),
                amount: l.amount,
                eligible: l.eligible,
                reason: (!l.eligible).then(|| reason_ja(l.category).unwrap_or("補助対象外").to_owned()),
            })
            .collect();
        let mut tax_note = None;
        if !tax_inclusive {
            let subtotal: Yen = lines.iter().map(|l| l.amount).sum();
            let eligible_before: Yen = lines.iter().filter(|l| l.eligible).map(|l| l.amount).sum();
            let whole_tax = floor_tax(subtotal);
            let eligible_tax = floor_tax(eligible_before.max(Yen::ZERO));
            let mut placed = Vec::new();
            for (group, group_tax) in [(true, eligible_tax), (false, whole_tax - eligible_tax)] {
                let mut sum = Decimal::ZERO;
                for l in out.iter_mut().filter(|l| l.eligible == group) {
                    let t = tax_of(l.amount);
                    sum += t;
                    l.amount = Yen::new(l.amount.amount() + t);
                }
                let residue = group_tax - sum;
                if residue.is_zero() {
                    continue;
                }
                // The group's largest line takes the residue (the first of equals); a group
                // without lines has no tax to place.
                let largest = out
                    .iter_mut()
                    .filter(|l| l.eligible == group)
                    .reduce(|best, l| if l.amount > best.amount { l } else { best });
                if let Some(l) = largest {
                    l.amount = Yen::new(l.amount.amount() + residue);
                    placed.push(format!("{}円をNo.{}の行", Yen::new(residue).format_plain(), l.no));
                }
            }
            let mut note = format!(
                "領収書は税抜表示のため、消費税（10%）{}円を各行に按分して税込金額にしました。各行の消費税は税抜金額の10%（1円未満切り捨て）、補助対象の行の消費税の合計は補助対象の税抜合計の10%（1円未満切り捨て）です",
                Yen::new(whole_tax).format_plain()
            );
            if placed.is_empty() {
                note.push('。');
            } else {
                note.push_str(&format!("。1円未満の端数の差額は、{}に加えました。", placed.join("、")));
            }
            tax_note = Some(note);
        }
        let eligible: Yen = out.iter().filter(|l| l.eligible).map(|l| l.amount).sum();
        let not_eligible: Yen = out.iter().filter(|l| !l.eligible).map(|l| l.amount).sum();
        ReceiptBreakdown { total: eligible + not_eligible, eligible, not_eligible, tax_note, lines: out }
    }
}

impl FinalCosts {
    /// The same costs with every line tax included as the 内訳書 prints it
    /// ([`ReceiptBreakdown::of`]), and how the tax was apportioned (a 税抜 receipt).
    pub fn tax_included(&self) -> (FinalCosts, Option<String>) {
        let lines: Vec<PackageLine> = self
            .lines
            .iter()
            .map(|l| PackageLine {
                category: l.category,
                description: l.description.clone(),
                amount: l.amount,
                eligible: l.category.eligibility() == Eligibility::Eligible,
            })
            .collect();
        let b = ReceiptBreakdown::of(&lines, self.tax_inclusive);
        let lines = b
            .lines
            .into_iter()
            .map(|l| CostLine { category: l.category, description: l.description, amount: l.amount })
            .collect();
        (FinalCosts { lines, tax_inclusive: true, paid_on: self.paid_on, payee: self.payee.clone() }, b.tax_note)
    }
}

/// One facility's costs in a 一括申請: its own receipt and its share of every receipt the
/// corporation paid for all the facilities that apply, tax included; and the 備考 that say how.
pub fn with_shared(
    own: &FinalCosts,
    shared: &[FinalCosts],
    index: usize,
    facilities: usize,
) -> (FinalCosts, Vec<String>) {
    let (mut costs, own_note) = own.tax_included();
    let mut notes: Vec<String> = own_note.into_iter().map(|n| format!("自施設の領収書: {n}")).collect();
    if shared.is_empty() {
        return (costs, notes);
    }
    for receipt in shared {
        let (receipt, note) = receipt.tax_included();
        let total: Yen = receipt.lines.iter().map(|l| l.amount).sum();
        let mine: Yen = receipt
            .lines
            .iter()
            .map(|l| {
                let share = split_shared(l.amount, facilities).get(index).copied().unwrap_or(Yen::ZERO);
                costs.lines.push(CostLine {
                    category: l.category,
                    description: format!("【共通費用 {facilities}施設で按分】{}", l.description),
                    amount: share,
                });
                share
            })
            .sum();
        notes.push(format!(
            "共通費用の領収書（支払先: {}、合計 {total}）のうち、この施設の按分額は {mine} です。{}",
            receipt.payee.as_deref().unwrap_or("—"),
            note.map(|n| format!("その領収書について: {n}")).unwrap_or_default()
        ));
        costs.paid_on = costs.paid_on.max(receipt.paid_on);
    }
    notes.push(SHARED_COST_RULE.to_owned());
    (costs, notes)
}

/// How a 一括申請 splits the costs its facilities share, as written on each 内訳書.
pub const SHARED_COST_RULE: &str = "共通費用（法人でまとめて支払い、特定の施設に属さない費用）は、申請する施設数で均等に按分し、1円未満の端数は最初の施設に加算しています。";

/// A shared line's amount split across `facilities` facilities: equal shares toward zero to
/// the yen, the rest on the first, so that the shares add up exactly to the line.
pub fn split_shared(amount: Yen, facilities: usize) -> Vec<Yen> {
    let n = facilities.max(1);
    let share = (amount.amount() / Decimal::from(n as u64)).trunc();
    let first = amount.amount() - share * Decimal::from((n - 1) as u64);
    std::iter::once(Yen::new(first)).chain(std::iter::repeat_n(Yen::new(share), n - 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(category: Category, amount: i64) -> PackageLine {
        PackageLine {
            category,
            description: category.label_ja().to_owned(),
            amount: Yen::from(amount),
            eligible: category.eligibility() == Eligibility::Eligible,
        }
    }

    #[test]
    fn a_tax_exclusive_receipt_adds_up_exactly_and_its_eligible_subtotal_is_the_eligible_cost() {
        // Amounts whose 10 % leave fractions: 33,333 + 66,667 + 12,345 eligible, 8,801 maintenance.
        let lines = [
            line(Category::Terminal, 33_333),
            line(Category::NetworkSetup, 66_667),
            line(Category::SetupLabor, 12_345),
            line(Category::Maintenance, 8_801),
            line(Category::Discount, -3_335),
        ];
        let b = ReceiptBreakdown::of(&lines, false);
        let subtotal = 33_333 + 66_667 + 12_345 + 8_801 - 3_335;
        let totals = crate::audit::ComputedTotals::of(lines.iter().map(|l| (l.amount, l.eligible)), false);
        assert_eq!(b.total, Yen::from(subtotal + subtotal / 10));
        assert_eq!(b.total, totals.total);
        assert_eq!(b.lines.iter().map(|l| l.amount).sum::<Yen>(), b.total);
        assert_eq!(b.eligible, totals.eligible_total);
        assert_eq!(b.eligible + b.not_eligible, b.total);
        assert_eq!(b.lines.len(), 5, "every line, eligible or not");
        assert_eq!(b.lines[3].reason.as_deref(), Some("月額費用（ランニングコスト）は補助対象外"));
        assert_eq!(b.lines[0].reason, None);
        let note = b.tax_note.expect("a note on the apportioning");
        assert!(note.contains("11,781円") && note.contains("1円未満切り捨て"), "{note}");
    }

    #[test]
    fn the_rounding_residue_goes_on_the_largest_line_of_its_group_and_the_note_names_it() {
        // 15 + 15 + 15 eligible: each line's tax is 1 (1.5 toward zero), the group's is 4.
        let lines = [line(Category::Terminal, 15), line(Category::Router, 25), line(Category::Training, 15)];
        let b = ReceiptBreakdown::of(&lines, false);
        assert_eq!(b.lines.iter().map(|l| l.amount).collect::<Vec<_>>(), [16, 28, 16].map(Yen::from));
        assert_eq!(b.total, Yen::from(55 + 5));
        assert!(b.tax_note.expect("note").contains("1円をNo.2の行"));
    }

    #[test]
    fn a_tax_inclusive_receipt_is_taken_as_it_is() {
        let lines = [line(Category::Terminal, 110_000), line(Category::LineFee, 5_500), line(Category::Other, 1_100)];
        let b = ReceiptBreakdown::of(&lines, true);
        assert_eq!(b.lines.iter().map(|l| l.amount).collect::<Vec<_>>(), [110_000, 5_500, 1_100].map(Yen::from));
        assert_eq!((b.eligible, b.not_eligible, b.total), (Yen::from(110_000), Yen::from(6_600), Yen::from(116_600)));
        assert_eq!(b.tax_note, None);
        assert!(b.lines[2].reason.as_deref().is_some_and(|r| r.contains("費目")));
    }

    fn costs(lines: &[(Category, i64)], tax_inclusive: bool) -> FinalCosts {
        FinalCosts {
            lines: lines
                .iter()
                .map(|&(c, a)| CostLine { category: c, description: c.label_ja().to_owned(), amount: Yen::from(a) })
                .collect(),
            tax_inclusive,
            paid_on: None,
            payee: Some("株式会社テスト".to_owned()),
        }
    }

    #[test]
    fn the_facilities_of_a_bulk_application_add_up_exactly_to_the_combined_receipt() {
        let own = [
            costs(&[(Category::Terminal, 212_345), (Category::Maintenance, 8_801)], false),
            costs(&[(Category::Terminal, 199_999), (Category::SetupLabor, 33_333)], true),
            costs(&[(Category::NetworkSetup, 77_777)], false),
        ];
        let shared = [
            costs(&[(Category::SetupLabor, 100_001), (Category::LineFee, 9_999), (Category::Discount, -10_000)], false),
            costs(&[(Category::Training, 50_000)], true),
        ];
        let combined: Yen = own.iter().chain(&shared).map(|c| ReceiptBreakdown::of_costs(c).total).sum();
        let mut sum = Yen::ZERO;
        for (i, o) in own.iter().enumerate() {
            let (mine, notes) = with_shared(o, &shared, i, own.len());
            assert!(mine.tax_inclusive);
            assert_eq!(mine.lines.len(), o.lines.len() + 4, "its own lines and a share of every shared line");
            assert_eq!(notes.last().map(String::as_str), Some(SHARED_COST_RULE));
            sum = sum + mine.lines.iter().map(|l| l.amount).sum::<Yen>();
        }
        assert_eq!(sum, combined);
    }

    #[test]
    fn shared_costs_split_into_shares_that_add_up_with_the_residue_on_the_first() {
        for (amount, n) in [(100_000, 3), (1, 2), (99_999, 7), (-3_335, 2), (0, 4), (50, 1)] {
            let shares = split_shared(Yen::from(amount), n);
            assert_eq!(shares.len(), n);
            assert_eq!(shares.iter().copied().sum::<Yen>(), Yen::from(amount), "{amount} over {n}");
            assert!(shares[1..].iter().all(|s| *s == shares[n - 1]), "equal shares after the first");
        }
        assert_eq!(split_shared(Yen::from(100_000), 3), [33_334, 33_333, 33_333].map(Yen::from));
    }
}
