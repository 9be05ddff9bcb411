//! A facility's settlement: its subsidy and 自己負担 from its own facts and the costs that
//! count — the paid receipts, else its confirmed quote, else its latest quote — computed as the
//! quote page and the 交付申請 compute them, so that all three agree to the yen.
//!
//! The facility page and the corporation list both read it from here.

use super::db::cost_sets::{ChosenQuote, CostBasis};
use rules::Yen;
use rules::category::Category;
use rules::payback::RunningLine;
use rules::provisioning::ProvisioningFacts;
use rules::quote::LineKind;
use rules::scheme::Catalog;
use rules::settlement::{CostSummary, Settlement, settle};
use rules::subsidy::InputError;

/// The costs a settlement is computed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostSet {
    /// Which costs these are.
    pub basis: CostBasis,
    /// The quote they come from.
    pub quote_id: i64,
    /// What is paid and what is eligible.
    pub summary: CostSummary,
    /// The quote's running-cost lines (保守, 回線), for the payback.
    pub running: Vec<RunningLine>,
    /// Its prices include tax.
    pub tax_inclusive: bool,
}

impl CostSet {
    /// The costs of a chosen quote: each line's stored category and signed amount (a discount
    /// negative), summed with the tax as the quote audit and the 交付申請's costs sum them.
    pub fn of(chosen: &ChosenQuote) -> CostSet {
        let mut items = Vec::with_capacity(chosen.lines.len());
        let mut running = Vec::new();
        for stored in &chosen.lines {
            let category = stored.category.parse().unwrap_or(Category::Other);
            let line = stored.to_quote_line();
            if let Some(amount) = line.signed_amount() {
                items.push((category, amount));
            }
            if matches!(category, Category::Maintenance | Category::LineFee) {
                // A discount on a running cost lowers it.
                let sign = |y: Yen| if line.kind == LineKind::Discount && !y.is_negative() { -y } else { y };
                running.push(RunningLine {
                    description: line.description.clone(),
                    quantity: line.quantity,
                    unit: line.unit.clone(),
                    unit_price: line.unit_price.map(sign),
                    amount: line.amount.map(sign),
                });
            }
        }
        CostSet {
            basis: chosen.basis,
            quote_id: chosen.quote_id,
            summary: CostSummary::of_lines(items, chosen.tax_inclusive),
            running,
            tax_inclusive: chosen.tax_inclusive,
        }
    }

    /// Running costs a month, tax included, with the assumptions made reading the lines.
    pub fn monthly_running_cost(&self) -> (Yen, Vec<String>) {
        rules::payback::monthly_running_cost(&self.running, self.tax_inclusive)
    }
}

/// A facility's settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacilitySettlement {
    /// The costs it is computed on; None: no quote yet, so the settlement is the estimate at
    /// the cap — what the facility could receive at most, not what it pays.
    pub costs: Option<CostSet>,
    /// The settlement, or why the facility's facts cannot be calculated.
    pub settlement: Result<Settlement, InputError>,
}

impl FacilitySettlement {
    /// The settlement of a facility with its facts and its chosen quote, if any.
    pub fn of(catalog: &Catalog, facts: &ProvisioningFacts, chosen: Option<&ChosenQuote>) -> FacilitySettlement {
        let input = facts.subsidy_input(Yen::ZERO);
        let costs = chosen.map(CostSet::of);
        let summary = match &costs {
            Some(c) => c.summary.clone(),
            None => CostSummary::of_figures(cap_at_most(catalog, &input), Yen::ZERO),
        };
        FacilitySettlement { settlement: settle(catalog, &input, &summary), costs }
    }

    /// The subsidy on the costs; None for the estimate at the cap or facts that cannot be
    /// calculated.
    pub fn subsidy(&self) -> Option<Yen> {
        self.on_costs().map(|s| s.subsidy)
    }

    /// The 自己負担 on the costs; None for the estimate at the cap or facts that cannot be
    /// calculated.
    pub fn self_burden(&self) -> Option<Yen> {
        self.on_costs().map(|s| s.self_burden)
    }

    /// The estimate at the cap, for a facility without a quote.
    pub fn cap_estimate(&self) -> Option<Yen> {
        match (&self.costs, &self.settlement) {
            (None, Ok(s)) => Some(s.subsidy),
            _ => None,
        }
    }

    fn on_costs(&self) -> Option<&Settlement> {
        self.costs.as_ref().and(self.settlement.as_ref().ok())
    }
}

/// The largest 基準とする事業額 any scheme of the facility's programme sets for its type and
/// readers: with that much eligible cost the facility receives the most its dates allow.
fn cap_at_most(catalog: &Catalog, input: &rules::subsidy::SubsidyInput) -> Yen {
    catalog
        .schemes
        .iter()
        .filter(|s| s.programme == input.programme)
        .filter_map(|s| s.cap_for(input.facility_type, input.readers))
        .max()
        .unwrap_or(Yen::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::db::quotes::StoredLine;
    use chrono::NaiveDate;
    use rules::FacilityType;

    fn line(kind: &str, category: &str, quantity: &str, unit: &str, unit_price: &str, amount: &str) -> StoredLine {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        StoredLine {
            sheet_row: Some(5),
            kind: kind.into(),
            description: format!("{category}の行"),
            spec: None,
            category: category.into(),
            quantity: some(quantity),
            unit: some(unit),
            unit_price: some(unit_price),
            amount: some(amount),
            note: None,
            amount_text: None,
            sheet: None,
        }
    }

    fn clinic(reader: Option<&str>, contract: Option<&str>) -> ProvisioningFacts {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        ProvisioningFacts {
            readers: 1,
            reader_applied_on: reader.and_then(d),
            vendor_contract_on: contract.and_then(d),
            ..ProvisioningFacts::new(FacilityType::MedicalClinic, true)
        }
    }

    /// The quote of issue 21 as stored lines, tax added (2,959,000円 in all).
    fn the_issues_quote(basis: CostBasis) -> ChosenQuote {
        ChosenQuote {
            facility_id: 1,
            quote_id: 7,
            basis,
            tax_inclusive: false,
            lines: vec![
                line("item", "terminal", "1", "台", "450000", "450000"),
                line("item", "receipt_system", "1", "式", "", "1500000"),
                line("item", "setup_labor", "", "", "", "500000"),
                line("item", "maintenance", "60", "月", "4000", "240000"),
            ],
        }
    }

    #[test]
    fn the_settlement_of_a_quote_is_the_rules_settlement_of_its_lines_with_the_facilitys_dates() {
        let s = FacilitySettlement::of(
            Catalog::builtin(),
            &clinic(Some("2022-08-01"), Some("2022-11-15")),
            Some(&the_issues_quote(CostBasis::ConfirmedQuote)),
        );
        assert_eq!(s.subsidy(), Some(Yen::from_i64(429_000)));
        assert_eq!(s.self_burden(), Some(Yen::from_i64(2_530_000)));
        assert_eq!(s.cap_estimate(), None);
        let set = s.costs.as_ref().expect("costs");
        assert_eq!((set.basis, set.quote_id), (CostBasis::ConfirmedQuote, 7));
        // 60か月 at 4,000円: 4,000円 a month, plus 10 % tax.
        assert_eq!(set.monthly_running_cost(), (Yen::from_i64(4_400), Vec::new()));
    }

    #[test]
    fn without_a_contract_date_the_normal_rate_is_assumed_as_on_the_quote_page() {
        let s = FacilitySettlement::of(
            Catalog::builtin(),
            &clinic(Some("2022-08-01"), None),
            Some(&the_issues_quote(CostBasis::PaidReceipts)),
        );
        assert_eq!(s.subsidy(), Some(Yen::from_i64(321_000)));
        assert_eq!(s.self_burden(), Some(Yen::from_i64(2_638_000)));
    }

    #[test]
    fn without_a_quote_the_estimate_is_at_the_cap_and_no_self_burden_is_given() {
        let s = FacilitySettlement::of(Catalog::builtin(), &clinic(Some("2022-08-01"), Some("2022-11-15")), None);
        assert_eq!(s.cap_estimate(), Some(Yen::from_i64(429_000)), "the whole cap under the 2022 revision");
        assert_eq!((s.subsidy(), s.self_burden()), (None, None));
        let normal = FacilitySettlement::of(Catalog::builtin(), &clinic(Some("2022-08-01"), None), None);
        assert_eq!(normal.cap_estimate(), Some(Yen::from_i64(321_000)), "3/4 of 429,000円, truncated");
        let hospital = ProvisioningFacts {
            readers: 3,
            reader_applied_on: NaiveDate::from_ymd_opt(2021, 5, 1),
            ..ProvisioningFacts::new(FacilityType::Hospital, true)
        };
        let h = FacilitySettlement::of(Catalog::builtin(), &hospital, None);
        assert_eq!(h.cap_estimate(), Some(Yen::from_i64(951_000)), "1/2 of 1,903,000円 for three readers");
    }

    #[test]
    fn a_discount_on_maintenance_lowers_the_running_cost() {
        let mut q = the_issues_quote(CostBasis::LatestQuote);
        q.lines.push(line("discount", "maintenance", "1", "月", "1000", "1000"));
        let set = CostSet::of(&q);
        assert_eq!(set.monthly_running_cost().0, Yen::from_i64(3_300), "(4,000 − 1,000) × 1.1");
        assert_eq!(set.summary.total, Yen::from_i64(2_957_900), "2,959,000 − 1,100");
    }
}
