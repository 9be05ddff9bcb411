//! The subsidy calculation against the official tables and every date boundary of the seeds.

#![expect(clippy::unwrap_used, reason = "test helpers panic on bad fixtures, as tests do")]

use chrono::NaiveDate;
use proptest::prelude::*;
use rules::scheme::{Catalog, Programme};
use rules::subsidy::{InputError, Outcome, SubsidyInput, calculate, latest_reader_application, what_if_applied_on};
use rules::{FacilityType, GraceType, Rate, Yen};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn yen(n: i64) -> Yen {
    Yen::from_i64(n)
}

fn run(input: &SubsidyInput) -> Outcome {
    calculate(Catalog::builtin(), input).unwrap()
}

fn input(kind: FacilityType, readers: u8, applied: &str, cost: i64) -> SubsidyInput {
    SubsidyInput::new(kind, readers, d(applied), yen(cost))
}

const ALL_TYPES: [FacilityType; 5] = FacilityType::ALL;

#[test]
fn the_official_table_under_normal_rates_for_readers_applied_from_2021_04_01() {
    // domain.md / seeds/003: 105万 / 100.1万 / 95.1万 / 21.4万 / 32.1万円.
    let cases = [
        (FacilityType::Hospital, 1, 2_101_000, 1_050_000, "1/2"),
        (FacilityType::Hospital, 2, 2_002_000, 1_001_000, "1/2"),
        (FacilityType::Hospital, 3, 1_903_000, 951_000, "1/2"),
        (FacilityType::LargeChainPharmacy, 1, 429_000, 214_000, "1/2"),
        (FacilityType::MedicalClinic, 1, 429_000, 321_000, "3/4"),
        (FacilityType::DentalClinic, 1, 429_000, 321_000, "3/4"),
        (FacilityType::Pharmacy, 1, 429_000, 321_000, "3/4"),
    ];
    for (kind, readers, cap, subsidy, rate) in cases {
        // A cost well above the cap, so the cap binds.
        let o = run(&input(kind, readers, "2021-04-01", 5_000_000));
        assert_eq!(o.scheme.as_deref(), Some("normal_2020"), "{kind} {readers}");
        assert_eq!(o.cap, yen(cap), "{kind} {readers}");
        assert_eq!(o.rate.to_string(), rate, "{kind} {readers}");
        assert_eq!(o.subsidy, yen(subsidy), "{kind} {readers}");
        assert_eq!(o.eligible_not_subsidised, yen(5_000_000 - subsidy));
    }
}

#[test]
fn the_acceleration_plan_pays_the_whole_cap_for_readers_applied_by_2021_03_31() {
    for (kind, readers, cap) in [
        (FacilityType::Hospital, 1, 2_101_000),
        (FacilityType::Hospital, 2, 2_002_000),
        (FacilityType::Hospital, 3, 1_903_000),
        (FacilityType::LargeChainPharmacy, 1, 429_000),
        (FacilityType::MedicalClinic, 1, 429_000),
        (FacilityType::DentalClinic, 1, 429_000),
        (FacilityType::Pharmacy, 1, 429_000),
    ] {
        let o = run(&input(kind, readers, "2021-03-31", 5_000_000));
        assert_eq!(o.scheme.as_deref(), Some("acceleration_plan_2020"), "{kind}");
        assert_eq!(o.rate, Rate::ONE);
        assert_eq!(o.subsidy, yen(cap), "{kind} {readers}");
    }
}

#[test]
fn actual_cost_below_the_cap_is_paid_in_full_under_the_acceleration_plan() {
    let o = run(&input(FacilityType::MedicalClinic, 1, "2021-02-01", 300_000));
    assert_eq!(o.subsidy, yen(300_000));
    assert_eq!(o.eligible_not_subsidised, Yen::ZERO);
    // Truncated to whole 1,000円.
    let o = run(&input(FacilityType::MedicalClinic, 1, "2021-02-01", 300_999));
    assert_eq!(o.subsidy, yen(300_000));
    let o = run(&input(FacilityType::MedicalClinic, 1, "2021-04-01", 300_000));
    assert_eq!(o.subsidy, yen(225_000), "3/4 of 300,000");
}

#[test]
fn the_reader_application_boundary_is_2021_03_31() {
    let on = run(&input(FacilityType::MedicalClinic, 1, "2021-03-31", 429_000));
    let after = run(&input(FacilityType::MedicalClinic, 1, "2021-04-01", 429_000));
    assert_eq!(on.subsidy, yen(429_000));
    assert_eq!(after.subsidy, yen(321_000));
    assert!(
        after.warnings.iter().any(|w| w.code == "more_favourable_scheme_missed" && w.message.contains("429,000円"))
    );
}

#[test]
fn model_undecided_counts_only_from_2021_03_01() {
    let mut early = input(FacilityType::Hospital, 1, "2021-02-28", 3_000_000);
    early.model_undecided = true;
    early.model_chosen_on = Some(d("2021-05-01"));
    let early = run(&early);
    assert_eq!(early.scheme.as_deref(), Some("normal_2020"), "機種未定 did not exist on 02-28");
    assert_eq!(early.subsidy, yen(1_050_000));

    let mut first_day = input(FacilityType::Hospital, 1, "2021-03-01", 3_000_000);
    first_day.model_undecided = true;
    first_day.model_chosen_on = Some(d("2021-05-01"));
    let first_day = run(&first_day);
    assert_eq!(first_day.scheme.as_deref(), Some("acceleration_plan_2020"));
    assert_eq!(first_day.subsidy, yen(2_101_000));
}

#[test]
fn model_undecided_must_choose_the_model_by_2021_06_30() {
    let mut chosen_in_time = input(FacilityType::DentalClinic, 1, "2021-03-15", 500_000);
    chosen_in_time.model_undecided = true;
    chosen_in_time.model_chosen_on = Some(d("2021-06-30"));
    assert_eq!(run(&chosen_in_time).subsidy, yen(429_000));

    let mut late = chosen_in_time.clone();
    late.model_chosen_on = Some(d("2021-07-01"));
    let late = run(&late);
    assert_eq!(late.subsidy, yen(321_000));
    let w = late.warnings.iter().find(|w| w.code == "model_choice_missed").expect("cancellation warning");
    assert!(w.message.contains("キャンセル") && w.message.contains("令和3年6月30日"), "{}", w.message);

    let mut never = chosen_in_time;
    never.model_chosen_on = None;
    assert!(run(&never).warnings.iter().any(|w| w.code == "model_choice_missed"));
}

#[test]
fn a_bulk_declaration_by_2021_03_31_qualifies_a_later_application() {
    let mut i = input(FacilityType::Hospital, 2, "2021-05-10", 3_000_000);
    i.bulk_declared_on = Some(d("2021-03-31"));
    let o = run(&i);
    assert_eq!(o.scheme.as_deref(), Some("acceleration_plan_2020"));
    assert_eq!(o.subsidy, yen(2_002_000));
    i.bulk_declared_on = Some(d("2021-04-01"));
    assert_eq!(run(&i).subsidy, yen(1_001_000));
}

#[test]
fn the_2022_revision_window_opens_on_2022_06_07_and_closes_on_2022_12_31() {
    let at = |applied: &str| {
        let mut i = input(FacilityType::MedicalClinic, 1, applied, 429_000);
        i.vendor_contract_on = Some(d("2023-01-15"));
        run(&i)
    };
    assert_eq!(at("2022-06-06").subsidy, yen(321_000));
    assert_eq!(at("2022-06-07").subsidy, yen(429_000));
    assert_eq!(at("2022-06-07").scheme.as_deref(), Some("revision_2022"));
    assert_eq!(at("2022-12-31").subsidy, yen(429_000));
    assert_eq!(at("2023-01-01").subsidy, yen(321_000));
}

#[test]
fn the_2022_revision_needs_a_vendor_contract_by_2023_02_28() {
    let with_contract = |day: Option<&str>| {
        let mut i = input(FacilityType::Hospital, 3, "2022-09-01", 2_500_000);
        i.vendor_contract_on = day.map(d);
        run(&i)
    };
    assert_eq!(with_contract(Some("2023-02-28")).subsidy, yen(1_903_000));
    let late = with_contract(Some("2023-03-01"));
    assert_eq!(late.subsidy, yen(951_000));
    assert!(late.warnings.iter().any(|w| w.message.contains("契約日")));
    assert_eq!(with_contract(None).subsidy, yen(951_000));
}

#[test]
fn pharmacies_keep_normal_rates_under_the_2022_revision_and_are_marked_unverified() {
    let mut i = input(FacilityType::Pharmacy, 1, "2022-08-01", 429_000);
    i.vendor_contract_on = Some(d("2022-10-01"));
    let o = run(&i);
    assert_eq!(o.subsidy, yen(321_000));
    assert!(!o.verified || o.scheme.as_deref() == Some("normal_2020"));
    let mut chain = input(FacilityType::LargeChainPharmacy, 1, "2022-08-01", 429_000);
    chain.vendor_contract_on = Some(d("2022-10-01"));
    assert_eq!(run(&chain).subsidy, yen(214_000));
}

#[test]
fn early_appliers_operating_from_2022_06_07_to_2023_01_31_get_the_difference() {
    let started = |day: &str| {
        let mut i = input(FacilityType::Hospital, 1, "2021-09-01", 3_000_000);
        i.operation_started_on = Some(d(day));
        run(&i)
    };
    let before = started("2022-06-06");
    assert_eq!(before.subsidy, yen(1_050_000));
    assert_eq!(before.difference_paid, None);
    let first = started("2022-06-07");
    assert_eq!(first.scheme.as_deref(), Some("revision_2022_early_difference"));
    assert_eq!(first.subsidy, yen(2_101_000));
    assert_eq!(first.difference_paid, Some(yen(1_051_000)));
    assert_eq!(started("2023-01-31").difference_paid, Some(yen(1_051_000)));
    let after = started("2023-02-01");
    assert_eq!(after.subsidy, yen(1_050_000));
    assert_eq!(after.difference_paid, None);
}

#[test]
fn an_acceleration_plan_facility_gets_no_difference_because_it_already_had_the_whole_cap() {
    let mut i = input(FacilityType::MedicalClinic, 1, "2021-03-01", 429_000);
    i.operation_started_on = Some(d("2022-07-01"));
    let o = run(&i);
    assert_eq!(o.scheme.as_deref(), Some("acceleration_plan_2020"));
    assert_eq!(o.difference_paid, None);
}

#[test]
fn deadlines_are_2023_03_31_and_the_moved_application_deadline() {
    let mut i = input(FacilityType::MedicalClinic, 1, "2021-05-01", 400_000);
    i.completed_on = Some(d("2023-03-31"));
    let o = run(&i);
    assert!(o.eligible);
    assert_eq!(o.complete_by, Some(d("2023-03-31")));
    assert_eq!(o.apply_by, Some(d("2023-09-30")), "moved from 2023-06-30 (portal FAQ)");
    assert!(o.explanation.iter().any(|s| s.text.contains("令和5年6月30日")), "the original deadline is explained");
}

#[test]
fn completion_after_2023_03_31_without_grace_is_not_eligible() {
    let mut i = input(FacilityType::MedicalClinic, 1, "2022-10-01", 400_000);
    i.completed_on = Some(d("2023-04-01"));
    let o = run(&i);
    assert!(!o.eligible);
    assert_eq!(o.subsidy, Yen::ZERO);
    assert_eq!(o.eligible_not_subsidised, yen(400_000));
    assert!(o.warnings.iter().any(|w| w.code == "completed_after_deadline"));
}

#[test]
fn an_accepted_grace_of_type_1_4_5_or_6_extends_to_2023_09_30_and_2023_12_31() {
    for t in [1u8, 4, 5, 6] {
        let mut i = input(FacilityType::Hospital, 1, "2022-10-01", 1_000_000);
        i.vendor_contract_on = Some(d("2023-02-01"));
        i.completed_on = Some(d("2023-09-30"));
        i.grace_type = Some(GraceType::new(t).unwrap());
        let o = run(&i);
        assert!(o.eligible, "類型{t}");
        assert_eq!(o.complete_by, Some(d("2023-09-30")));
        assert_eq!(o.apply_by, Some(d("2023-12-31")));
        assert_eq!(o.subsidy, yen(1_000_000), "2022 revision, actual cost");
        i.completed_on = Some(d("2023-10-01"));
        assert!(!run(&i).eligible, "類型{t} after 2023-09-30");
    }
}

#[test]
fn grace_types_2_and_3_do_not_extend_the_subsidy_deadlines_and_say_so() {
    let mut i = input(FacilityType::MedicalClinic, 1, "2022-10-01", 400_000);
    i.completed_on = Some(d("2023-05-01"));
    i.grace_type = Some(GraceType::new(2).unwrap());
    let o = run(&i);
    assert!(!o.eligible);
    assert!(o.warnings.iter().any(|w| w.code == "grace_without_extension"));
}

#[test]
fn grace_type_1_without_a_contract_by_2023_02_28_is_flagged() {
    let mut i = input(FacilityType::MedicalClinic, 1, "2022-10-01", 400_000);
    i.grace_type = Some(GraceType::new(1).unwrap());
    i.vendor_contract_on = Some(d("2023-03-01"));
    assert!(run(&i).warnings.iter().any(|w| w.code == "grace_condition_unmet"));
}

#[test]
fn later_programmes_use_their_own_caps_and_rates() {
    let prog = |kind, programme, cost| {
        let mut i = input(kind, 1, "2024-06-01", cost);
        i.programme = programme;
        run(&i)
    };
    // 居宅同意取得型: 病院 41.1万, 大型チェーン薬局 8.5万, 診療所・薬局 12.8万 (domain.md).
    assert_eq!(prog(FacilityType::Hospital, Programme::HomeVisitConsent, 1_000_000).subsidy, yen(411_000));
    assert_eq!(prog(FacilityType::LargeChainPharmacy, Programme::HomeVisitConsent, 1_000_000).subsidy, yen(85_000));
    assert_eq!(prog(FacilityType::MedicalClinic, Programme::HomeVisitConsent, 1_000_000).subsidy, yen(128_000));
    assert_eq!(prog(FacilityType::Pharmacy, Programme::HomeVisitConsent, 1_000_000).subsidy, yen(128_000));
    // 職域診療所: 3/4 of 42.9万 = 32.1万, finish by 2025-06-30, apply by 2025-12-31.
    let w = prog(FacilityType::MedicalClinic, Programme::WorkplaceClinic, 1_000_000);
    assert_eq!(w.subsidy, yen(321_000));
    assert_eq!((w.complete_by, w.apply_by), (Some(d("2025-06-30")), Some(d("2025-12-31"))));
    // 資格確認限定型: up to 3.1万.
    assert_eq!(prog(FacilityType::DentalClinic, Programme::EligibilityCheckOnly, 100_000).subsidy, yen(31_000));
    let mut pharmacy = input(FacilityType::Pharmacy, 1, "2024-06-01", 100_000);
    pharmacy.programme = Programme::WorkplaceClinic;
    assert!(matches!(calculate(Catalog::builtin(), &pharmacy), Err(InputError::NotCovered { .. })));
}

#[test]
fn invalid_input_says_what_to_fix() {
    let c = Catalog::builtin();
    let err = calculate(c, &input(FacilityType::Hospital, 4, "2021-04-01", 1)).unwrap_err();
    assert!(err.to_string().contains("3台まで"), "{err}");
    let err = calculate(c, &input(FacilityType::MedicalClinic, 2, "2021-04-01", 1)).unwrap_err();
    assert!(matches!(err, InputError::TooManyReaders { requested: 2, free: 1, .. }));
    assert_eq!(calculate(c, &input(FacilityType::Pharmacy, 0, "2021-04-01", 1)).unwrap_err(), InputError::NoReaders);
    let err = calculate(c, &input(FacilityType::Pharmacy, 1, "2021-04-01", -1)).unwrap_err();
    assert!(matches!(err, InputError::NegativeCost(_)));
    let mut i = input(FacilityType::Pharmacy, 1, "2021-03-10", 1);
    i.model_undecided = true;
    i.model_chosen_on = Some(d("2021-03-01"));
    assert!(matches!(calculate(c, &i), Err(InputError::ModelChosenBeforeApplication { .. })));
}

#[test]
fn every_explanation_step_of_the_scheme_cites_a_source() {
    let o = run(&input(FacilityType::Hospital, 2, "2021-04-01", 3_000_000));
    assert!(o.explanation.len() >= 5);
    let cited = o.explanation.iter().filter(|s| s.source.is_some()).count();
    assert!(cited >= o.explanation.len() - 1, "{:#?}", o.explanation);
    assert!(o.explanation.iter().any(|s| s.text.contains("1,001,000円")));
}

#[test]
fn what_if_shows_the_yen_lost_by_applying_one_day_late() {
    let i = input(FacilityType::Hospital, 1, "2021-04-01", 3_000_000);
    let w = what_if_applied_on(Catalog::builtin(), &i, d("2021-03-31")).unwrap();
    assert_eq!(w.difference, yen(1_051_000));
    assert_eq!(w.outcome.subsidy, yen(2_101_000));
}

#[test]
fn to_finish_by_2023_03_31_the_reader_had_to_be_applied_by_2022_09_30() {
    // seeds/002: 「顔認証付きカードリーダーは遅くとも９月頃までの申込が必要」.
    assert_eq!(latest_reader_application(d("2023-03-31")), Some(d("2022-09-30")));
}

fn any_type() -> impl Strategy<Value = FacilityType> {
    prop::sample::select(ALL_TYPES.to_vec())
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    (0i64..1500).prop_map(|n| d("2020-08-01") + chrono::Duration::days(n))
}

prop_compose! {
    fn any_input()(kind in any_type(), readers in 1u8..=3, applied in any_day(), cost in 0i64..10_000_000,
                   undecided in any::<bool>(), chosen in proptest::option::of(any_day()),
                   contract in proptest::option::of(any_day()), started in proptest::option::of(any_day()),
                   bulk in proptest::option::of(any_day())) -> SubsidyInput {
        let mut i = SubsidyInput::new(kind, readers.min(kind.free_readers()), applied, Yen::from_i64(cost));
        i.model_undecided = undecided;
        i.model_chosen_on = chosen.filter(|c| *c >= applied);
        i.vendor_contract_on = contract;
        i.operation_started_on = started;
        i.bulk_declared_on = bulk;
        i
    }
}

proptest! {
    #[test]
    fn the_subsidy_is_between_zero_and_the_smaller_of_cost_and_cap_in_whole_thousands(i in any_input()) {
        let o = run(&i);
        prop_assert!(o.subsidy >= Yen::ZERO);
        prop_assert!(o.subsidy <= i.eligible_cost.min(o.cap));
        prop_assert_eq!(o.subsidy.truncate_to_thousand(), o.subsidy);
        prop_assert_eq!(o.subsidy + o.eligible_not_subsidised, i.eligible_cost);
    }

    #[test]
    fn the_subsidy_never_decreases_when_the_cost_rises(i in any_input(), extra in 0i64..1_000_000) {
        let more = SubsidyInput { eligible_cost: i.eligible_cost + Yen::from_i64(extra), ..i.clone() };
        prop_assert!(run(&more).subsidy >= run(&i).subsidy);
    }

    #[test]
    fn actual_cost_reimbursement_is_never_below_the_normal_rate(kind in any_type(), readers in 1u8..=3, cost in 0i64..10_000_000) {
        let readers = readers.min(kind.free_readers());
        let early = run(&SubsidyInput::new(kind, readers, d("2021-03-31"), Yen::from_i64(cost)));
        let normal = run(&SubsidyInput::new(kind, readers, d("2021-04-01"), Yen::from_i64(cost)));
        prop_assert_eq!(early.rate, Rate::ONE);
        prop_assert!(early.subsidy >= normal.subsidy);
    }
}
