//! One subsidy and one 自己負担 for a facility and a set of costs, with its parts, the scheme
//! its dates give, and what missing dates would give.

#![expect(clippy::unwrap_used, reason = "test helpers panic on bad fixtures, as tests do")]

use chrono::NaiveDate;
use proptest::prelude::*;
use rules::category::Category;
use rules::payback::{MonthlyPatients, PaybackInput, RunningLine, monthly_running_cost, payback};
use rules::provisioning::ProvisioningFacts;
use rules::quote::Unit;
use rules::scheme::Catalog;
use rules::settlement::{CostSummary, NotCoveredReason, Settlement, settle};
use rules::{FacilityType, Yen};
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn yen(n: i64) -> Yen {
    Yen::from_i64(n)
}

/// The quote of the issue: 2,959,000円 tax included, of which 264,000円 (tax included) are
/// running costs and the rest eligible work.
fn quote_costs() -> CostSummary {
    CostSummary::of_lines(
        [
            (Category::Terminal, yen(450_000)),
            (Category::ReceiptSystem, yen(1_500_000)),
            (Category::SetupLabor, yen(500_000)),
            (Category::Maintenance, yen(240_000)),
        ],
        false,
    )
}

fn clinic(reader: Option<&str>, contract: Option<&str>) -> ProvisioningFacts {
    ProvisioningFacts {
        readers: 1,
        reader_applied_on: reader.map(d),
        vendor_contract_on: contract.map(d),
        ..ProvisioningFacts::new(FacilityType::MedicalClinic, true)
    }
}

fn run(facts: &ProvisioningFacts, costs: &CostSummary) -> Settlement {
    settle(Catalog::builtin(), &facts.subsidy_input(Yen::ZERO), costs).unwrap()
}

#[test]
fn the_costs_of_the_issue_add_up_as_the_quote_says() {
    let c = quote_costs();
    assert_eq!(c.total, yen(2_959_000), "2,690,000 + 10 %");
    assert_eq!(c.eligible, yen(2_695_000), "2,450,000 + 10 %");
    assert_eq!(
        c.not_covered.iter().map(|p| (p.reason, p.amount)).collect::<Vec<_>>(),
        [(NotCoveredReason::RunningCost, yen(240_000)), (NotCoveredReason::TaxOnThese, yen(24_000))]
    );
}

#[test]
fn a_clinic_that_applied_in_the_2022_window_and_contracted_in_time_gets_the_whole_cap() {
    let s = run(&clinic(Some("2022-08-01"), Some("2022-11-15")), &quote_costs());
    assert_eq!(s.outcome.scheme.as_deref(), Some("revision_2022"));
    assert_eq!(s.subsidy, yen(429_000));
    assert_eq!(s.self_burden, yen(2_530_000), "2,959,000 − 429,000: what the clinic pays in the end");
    assert_eq!((s.not_covered, s.above_cap, s.rate_share), (yen(264_000), yen(2_266_000), yen(0)));
    assert_eq!(s.not_covered + s.above_cap + s.rate_share, s.self_burden);
    assert!(s.assumptions.is_empty(), "{:?}", s.assumptions);
    assert!(s.alternatives.is_empty(), "nothing better to reach: {:?}", s.alternatives);
    // Each condition of the route with the date that met it.
    let texts: Vec<&str> = s.outcome.conditions.iter().map(|c| c.text.as_str()).collect();
    assert!(s.outcome.conditions.iter().all(|c| c.met), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("令和4年8月1日")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("令和4年11月15日") && t.contains("令和5年2月28日")), "{texts:?}");
    assert!(s.outcome.conditions.iter().all(|c| c.source.is_some()));
    assert!(s.burden_line().contains("2,530,000円"), "{}", s.burden_line());
}

#[test]
fn without_a_contract_the_normal_rate_is_assumed_and_the_contract_deadline_is_shown() {
    let s = run(&clinic(Some("2022-08-01"), None), &quote_costs());
    assert_eq!(s.outcome.scheme.as_deref(), Some("normal_2020"));
    assert_eq!(s.subsidy, yen(321_000), "429,000 × 3/4 = 321,750 → 321,000");
    assert_eq!(s.self_burden, yen(2_638_000));
    assert_eq!((s.not_covered, s.above_cap, s.rate_share), (yen(264_000), yen(2_266_000), yen(108_000)));
    assert_eq!(s.assumptions.len(), 1, "{:?}", s.assumptions);
    assert!(s.assumptions[0].contains("契約日"), "{:?}", s.assumptions);
    let alt = &s.alternatives[0];
    assert_eq!(alt.condition, "令和5年2月28日までにベンダーと契約すると");
    assert_eq!((alt.subsidy, alt.self_burden, alt.deadline), (yen(429_000), yen(2_530_000), d("2023-02-28")));
    assert!(alt.sentence(d("2023-01-10")).contains("期限: 令和5年2月28日"));
    assert!(alt.sentence(d("2026-12-07")).contains("過ぎています"));
}

#[test]
fn without_a_reader_application_the_page_names_the_assumption_and_each_window() {
    let s = run(&clinic(None, None), &quote_costs());
    assert_eq!(s.subsidy, yen(321_000));
    assert!(s.assumptions.iter().any(|a| a.contains("申込日が入力されていない")), "{:?}", s.assumptions);
    let conditions: Vec<&str> = s.alternatives.iter().map(|a| a.condition.as_str()).collect();
    assert!(
        conditions.contains(&"令和4年12月31日までにカードリーダーを申し込み、令和5年2月28日までにベンダーと契約すると"),
        "{conditions:?}"
    );
    assert!(conditions.contains(&"令和3年3月31日までにカードリーダーを申し込むと"), "{conditions:?}");
    assert!(s.alternatives.iter().all(|a| a.subsidy == yen(429_000)));
}

#[test]
fn a_hospital_with_two_readers_under_the_normal_rate_pays_the_cap_excess_and_half() {
    let costs = CostSummary::of_lines([(Category::Emr, yen(3_000_000)), (Category::LineFee, yen(5_000))], true);
    let facts = ProvisioningFacts {
        readers: 2,
        reader_applied_on: Some(d("2021-05-01")),
        ..ProvisioningFacts::new(FacilityType::Hospital, true)
    };
    let s = run(&facts, &costs);
    assert_eq!(s.subsidy, yen(1_001_000), "2,002,000 × 1/2");
    assert_eq!((s.not_covered, s.above_cap, s.rate_share), (yen(5_000), yen(998_000), yen(1_001_000)));
    assert_eq!(s.self_burden, yen(3_005_000 - 1_001_000));
}

proptest! {
    /// Whatever the costs and dates, 自己負担 = total − subsidy = (a) + (b) + (c).
    #[test]
    fn the_parts_always_add_up(
        amounts in proptest::collection::vec((0usize..17, -50_000i64..3_000_000), 0..12),
        tax_inclusive: bool,
        applied in proptest::option::of(0i64..1200),
        contract in proptest::option::of(0i64..1200),
    ) {
        let lines = amounts.iter().map(|(c, a)| (Category::ALL[*c], yen(*a)));
        let costs = CostSummary::of_lines(lines, tax_inclusive);
        let start = d("2020-06-01");
        let facts = ProvisioningFacts {
            readers: 1,
            reader_applied_on: applied.map(|n| start + chrono::Days::new(n as u64)),
            vendor_contract_on: contract.map(|n| start + chrono::Days::new(n as u64)),
            ..ProvisioningFacts::new(FacilityType::DentalClinic, true)
        };
        let s = run(&facts, &costs);
        prop_assert_eq!(s.self_burden, costs.total - s.subsidy);
        prop_assert_eq!(s.not_covered + s.above_cap + s.rate_share, s.self_burden);
        prop_assert_eq!(costs.not_covered.iter().map(|p| p.amount).sum::<Yen>(), costs.total - costs.eligible);
        prop_assert!(s.alternatives.iter().all(|a| a.subsidy > s.subsidy));
    }
}

#[test]
fn payback_of_a_clinic_under_each_fee_addition() {
    let input = PaybackInput {
        facility_type: FacilityType::MedicalClinic,
        self_burden: yen(2_530_000),
        monthly_running_cost: yen(8_800),
        patients: MonthlyPatients { first_visits: 300, revisits: 1_000, prescriptions: 0 },
    };
    let rows = payback(&input);
    // 電子的保健医療情報活用加算: 300 × 7 + 1,000 × 4 = 6,100点 = 61,000円; net 52,200円.
    assert_eq!((rows[0].points, rows[0].monthly_income, rows[0].monthly_net), (6_100, yen(61_000), yen(52_200)));
    assert_eq!(rows[0].months, Some(49), "2,530,000 ÷ 52,200 = 48.5 → 49");
    // 医療情報・システム基盤整備体制充実加算: 300 × 4 = 1,200点 = 12,000円; net 3,200円.
    assert_eq!(rows[1].monthly_net, yen(3_200));
    assert_eq!(rows[1].months, Some(791));
    let more =
        payback(&PaybackInput { patients: MonthlyPatients { first_visits: 600, ..input.patients }, ..input.clone() });
    assert!(more[0].months < rows[0].months, "more patients, sooner");
    let dearer = payback(&PaybackInput { monthly_running_cost: yen(20_000), ..input.clone() });
    assert_eq!(dearer[1].months, None, "12,000円 a month does not pay 20,000円 of running costs");
    assert!(dearer[1].why_none.as_deref().unwrap().contains("回収できません"));
}

#[test]
fn a_pharmacy_earns_the_dispensing_points_and_is_told_where_none_are_sourced() {
    let input = PaybackInput {
        facility_type: FacilityType::Pharmacy,
        self_burden: yen(100_000),
        monthly_running_cost: Yen::ZERO,
        patients: MonthlyPatients { first_visits: 0, revisits: 0, prescriptions: 1_000 },
    };
    let rows = payback(&input);
    assert_eq!((rows[0].monthly_income, rows[0].months), (yen(30_000), Some(4)));
    assert_eq!(rows[1].months, None);
    assert!(rows[1].why_none.as_deref().unwrap().contains("出典で確認できない"));
}

#[test]
fn running_costs_a_month_from_quote_lines() {
    let line = |desc: &str, q: i64, unit: &str, price: i64| RunningLine {
        description: desc.into(),
        quantity: Some(Decimal::from(q)),
        unit: Unit::parse(unit),
        unit_price: Some(yen(price)),
        amount: Some(yen(q * price)),
    };
    let (monthly, notes) =
        monthly_running_cost(&[line("保守", 12, "ヶ月", 5_000), line("回線", 1, "年", 36_000)], false);
    assert_eq!(monthly, yen(8_800), "(5,000 + 3,000) + 10 %");
    assert!(notes.is_empty());
    let (lump, notes) = monthly_running_cost(&[line("保守", 1, "式", 4_000)], true);
    assert_eq!(lump, yen(4_000));
    assert_eq!(notes.len(), 1, "a line with no period is said to be taken as monthly");
}
