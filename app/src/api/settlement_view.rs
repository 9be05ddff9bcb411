//! The settlement of a quote (the scheme and why, the subsidy, 自己負担 with its three parts,
//! what was assumed and what missing dates would give) as pages and documents show it.

use chrono::NaiveDate;
use rules::settlement::Settlement;
use serde::{Deserialize, Serialize};

/// The heading of a settlement.
pub const TITLE: &str = "補助金と自己負担の見込み";

/// The heading of the alternatives.
pub const ALTERNATIVES_TITLE: &str = "入力されていない日付によっては";

/// One condition of the scheme that applies, with the facility's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionView {
    /// The condition and the date that met or missed it.
    pub text: String,
    /// 満たしている.
    pub met: bool,
    /// The date is not entered.
    pub missing: bool,
    /// Where the condition comes from.
    pub source: Option<String>,
}

impl ConditionView {
    /// Stable code of [`ConditionView::state_ja`]: met, missing or missed.
    pub fn state_code(&self) -> &'static str {
        match (self.met, self.missing) {
            (true, _) => "met",
            (false, true) => "missing",
            (false, false) => "missed",
        }
    }

    /// 「満たしています」 / 「満たしていません」 / 「未登録」.
    pub fn state_ja(&self) -> &'static str {
        match (self.met, self.missing) {
            (true, _) => "満たしています",
            (false, true) => "未登録",
            (false, false) => "満たしていません",
        }
    }
}

/// A settlement, its figures as yen text (「429,000円」).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementView {
    /// The scheme's name, or 「該当なし」.
    pub scheme: String,
    /// False when the scheme's terms are not confirmed by its sources.
    pub verified: bool,
    /// The route by which the facility qualifies.
    pub route: Option<String>,
    /// The route's conditions, each with its date.
    pub conditions: Vec<ConditionView>,
    /// 補助率, as people read it.
    pub rate: String,
    /// 基準とする事業額 (with 万円).
    pub cap: String,
    /// What the facility pays its vendors, tax included.
    pub total_paid: String,
    /// 補助対象経費, tax included.
    pub eligible: String,
    /// The subsidy (千円未満切捨て).
    pub subsidy: String,
    /// Of which the difference paid later (difference schemes only).
    pub difference_paid: Option<String>,
    /// (a) costs the subsidy does not cover.
    pub not_covered: String,
    /// (a) by reason: (label, amount).
    pub not_covered_parts: Vec<(String, String)>,
    /// (b) eligible cost above the cap.
    pub above_cap: String,
    /// (c) the part of the eligible cost within the cap the rate leaves.
    pub rate_share: String,
    /// 自己負担 = (a) + (b) + (c).
    pub self_burden: String,
    /// 自己負担 and its parts in one line.
    pub burden_line: String,
    /// 導入完了 deadline (和暦).
    pub complete_by: Option<String>,
    /// 交付申請 deadline (和暦).
    pub apply_by: Option<String>,
    /// Whether the deadlines met so far keep the subsidy.
    pub eligible_for_subsidy: bool,
    /// Warnings, less those an alternative already says.
    pub warnings: Vec<String>,
    /// What the calculation assumed because a fact is not entered.
    pub assumptions: Vec<String>,
    /// What the missing dates would give, each a sentence with its deadline.
    pub alternatives: Vec<String>,
}

/// One figure of a settlement as a row: the page's table and the command line's text both
/// list [`SettlementView::figures`], so they say the same thing in the same words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// Label.
    pub label: String,
    /// The `data-testid` of its cell on the page, if tests read it.
    pub testid: Option<&'static str>,
    /// The figure.
    pub value: String,
    /// 0 a figure, 1 a part of 自己負担, 2 a part of (a).
    pub depth: u8,
    /// A result (補助額, 自己負担) rather than an input.
    pub total: bool,
    /// An amount (set right), not a date.
    pub money: bool,
}

impl Figure {
    fn new(label: impl Into<String>, testid: Option<&'static str>, value: impl Into<String>) -> Figure {
        Figure { label: label.into(), testid, value: value.into(), depth: 0, total: false, money: true }
    }

    fn day(label: &str, value: &str) -> Figure {
        Figure { money: false, ..Figure::new(label, None, value) }
    }

    fn at(self, depth: u8) -> Figure {
        Figure { depth, ..self }
    }

    fn result(self) -> Figure {
        Figure { total: true, ..self }
    }
}

impl SettlementView {
    /// The figures in the order they are read: rate, cap, what is paid and eligible, the
    /// subsidy, 自己負担 and its parts (a) with its reasons, (b), (c), then the deadlines.
    pub fn figures(&self) -> Vec<Figure> {
        let mut rows = vec![
            Figure::new("補助率", Some("rate"), &self.rate),
            Figure::new("基準とする事業額（上限）", Some("cap"), &self.cap),
            Figure::new("ベンダーへの支払総額（税込）", Some("total-paid"), &self.total_paid),
            Figure::new("補助対象経費（税込）", Some("eligible"), &self.eligible),
            Figure::new("補助額（千円未満切捨て）", Some("subsidy"), &self.subsidy).result(),
        ];
        if let Some(d) = &self.difference_paid {
            rows.push(Figure::new("うち差額の追加支給", Some("difference-paid"), d).at(1));
        }
        rows.push(Figure::new("自己負担（支払総額 − 補助額）", Some("self-burden"), &self.self_burden).result());
        rows.push(Figure::new("（a）補助対象外の費用", Some("not-covered"), &self.not_covered).at(1));
        rows.extend(
            self.not_covered_parts
                .iter()
                .map(|(label, amount)| Figure::new(format!("うち {label}"), None, amount).at(2)),
        );
        rows.push(Figure::new("（b）上限を超える補助対象経費", Some("above-cap"), &self.above_cap).at(1));
        rows.push(Figure::new("（c）補助率により残る額", Some("rate-share"), &self.rate_share).at(1));
        rows.extend(self.complete_by.iter().map(|d| Figure::day("導入完了期限", d)));
        rows.extend(self.apply_by.iter().map(|d| Figure::day("交付申請期限", d)));
        rows
    }

    /// The scheme, with a word when its sources do not confirm it.
    pub fn scheme_label(&self) -> String {
        if self.verified {
            self.scheme.clone()
        } else {
            format!("{}（出典の確認が不十分な制度です）", self.scheme)
        }
    }

    /// The view of `s`, the alternatives' deadlines told against `today`.
    pub fn of(s: &Settlement, today: NaiveDate) -> Self {
        let o = &s.outcome;
        // A missed scheme an alternative names is said once, by the alternative (with its deadline).
        let said_by_alternative =
            |message: &str| s.alternatives.iter().any(|a| message.contains(&format!("「{}」", a.scheme_name)));
        SettlementView {
            scheme: o.scheme_name.clone().unwrap_or_else(|| "該当なし".to_owned()),
            verified: o.verified,
            route: o.route.clone(),
            conditions: o
                .conditions
                .iter()
                .map(|c| ConditionView {
                    text: c.text.clone(),
                    met: c.met,
                    missing: c.missing,
                    source: c.source.as_deref().and_then(crate::public_source::public_source),
                })
                .collect(),
            rate: o.rate.label_ja(),
            cap: format!("{}（{}）", o.cap, o.cap.format_man()),
            total_paid: s.costs.total.to_string(),
            eligible: s.costs.eligible.to_string(),
            subsidy: s.subsidy.to_string(),
            difference_paid: o.difference_paid.map(|d| d.to_string()),
            not_covered: s.not_covered.to_string(),
            not_covered_parts: s
                .costs
                .not_covered
                .iter()
                .map(|p| (p.reason.label_ja().to_owned(), p.amount.to_string()))
                .collect(),
            above_cap: s.above_cap.to_string(),
            rate_share: s.rate_share.to_string(),
            self_burden: s.self_burden.to_string(),
            burden_line: s.burden_line(),
            complete_by: o.complete_by.map(rules::format_wareki),
            apply_by: o.apply_by.map(rules::format_wareki),
            eligible_for_subsidy: o.eligible,
            warnings: o.warnings.iter().map(|w| w.message.clone()).filter(|m| !said_by_alternative(m)).collect(),
            assumptions: s.assumptions.clone(),
            alternatives: s.alternatives.iter().map(|a| a.sentence(today)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::category::Category;
    use rules::provisioning::ProvisioningFacts;
    use rules::scheme::Catalog;
    use rules::settlement::{CostSummary, settle};
    use rules::{FacilityType, Yen};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    /// The quote of the clinic in the issue: 2,959,000円, of which 264,000円 running costs.
    fn clinic(reader: Option<&str>, contract: Option<&str>) -> Settlement {
        let costs = CostSummary::of_lines(
            [
                (Category::Terminal, Yen::from_i64(450_000)),
                (Category::ReceiptSystem, Yen::from_i64(1_500_000)),
                (Category::SetupLabor, Yen::from_i64(500_000)),
                (Category::Maintenance, Yen::from_i64(240_000)),
            ],
            false,
        );
        let facts = ProvisioningFacts {
            readers: 1,
            reader_applied_on: reader.map(day),
            vendor_contract_on: contract.map(day),
            ..ProvisioningFacts::new(FacilityType::MedicalClinic, true)
        };
        settle(Catalog::builtin(), &facts.subsidy_input(Yen::ZERO), &costs).expect("a settlement")
    }

    #[test]
    fn a_clinic_in_the_2022_window_with_a_contract_shows_each_condition_met_and_the_parts() {
        let v = SettlementView::of(&clinic(Some("2022-08-01"), Some("2022-09-01")), day("2026-12-08"));
        assert_eq!(v.scheme, "令和4年度の補助の見直し（実費補助の再開）");
        assert_eq!((v.subsidy.as_str(), v.self_burden.as_str()), ("429,000円", "2,530,000円"));
        assert_eq!(
            (v.not_covered.as_str(), v.above_cap.as_str(), v.rate_share.as_str()),
            ("264,000円", "2,266,000円", "0円")
        );
        assert_eq!(v.total_paid, "2,959,000円");
        assert_eq!(
            v.not_covered_parts,
            vec![
                ("運用費用（保守・回線使用料など。補助対象外）".to_owned(), "240,000円".to_owned()),
                ("上記にかかる消費税".to_owned(), "24,000円".to_owned())
            ]
        );
        assert_eq!(v.conditions.len(), 2);
        assert!(v.conditions.iter().all(|c| c.state_ja() == "満たしています"), "{:?}", v.conditions);
        assert!(v.conditions[0].text.contains("令和4年8月1日"), "{:?}", v.conditions[0]);
        assert!(v.assumptions.is_empty() && v.alternatives.is_empty());
        assert!(!v.verified, "the 2022 revision is marked unverified, and says so");
        assert!(v.warnings.iter().any(|w| w.contains("出典の確認が不十分")), "{:?}", v.warnings);
    }

    #[test]
    fn the_figures_put_the_parts_of_self_burden_under_it_and_the_reasons_under_a() {
        let v = SettlementView::of(&clinic(Some("2022-08-01"), Some("2022-09-01")), day("2026-12-08"));
        let figures = v.figures();
        let rows: Vec<(&str, u8, Option<&str>)> =
            figures.iter().map(|f| (f.label.as_str(), f.depth, f.testid)).collect();
        let labels: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let burden = labels.iter().position(|l| l.starts_with("自己負担")).expect("自己負担");
        assert_eq!(
            &rows[burden..burden + 6],
            &[
                ("自己負担（支払総額 − 補助額）", 0, Some("self-burden")),
                ("（a）補助対象外の費用", 1, Some("not-covered")),
                ("うち 運用費用（保守・回線使用料など。補助対象外）", 2, None),
                ("うち 上記にかかる消費税", 2, None),
                ("（b）上限を超える補助対象経費", 1, Some("above-cap")),
                ("（c）補助率により残る額", 1, Some("rate-share")),
            ]
        );
        assert!(labels[..burden].contains(&"補助額（千円未満切捨て）"), "the subsidy comes first: {labels:?}");
        assert!(figures.iter().filter(|f| !f.money).all(|f| f.label.ends_with("期限")), "dates are not amounts");
    }

    #[test]
    fn without_a_contract_the_alternative_carries_its_deadline_and_its_warning_is_not_repeated() {
        let v = SettlementView::of(&clinic(Some("2022-08-01"), None), day("2023-01-10"));
        assert_eq!(
            (v.subsidy.as_str(), v.self_burden.as_str(), v.rate_share.as_str()),
            ("321,000円", "2,638,000円", "108,000円")
        );
        assert_eq!(v.alternatives.len(), 1);
        assert!(v.alternatives[0].starts_with("令和5年2月28日までにベンダーと契約すると"), "{}", v.alternatives[0]);
        assert!(v.alternatives[0].contains("補助額 429,000円、自己負担 2,530,000円（期限: 令和5年2月28日）"));
        assert!(
            !v.warnings.iter().any(|w| w.contains("令和4年度の補助の見直し")),
            "the alternative says it: {:?}",
            v.warnings
        );
        assert!(
            v.warnings.iter().any(|w| w.contains("加速化プラン")),
            "a missed scheme no date can reach is still said"
        );
        assert!(v.assumptions[0].contains("契約日が入力されていない"), "{:?}", v.assumptions);
    }
}
