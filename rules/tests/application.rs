//! The 交付申請 package: amounts from the official tables, and every refusal with what to do.

use chrono::NaiveDate;
use rules::application::{Applicant, CostLine, FinalCosts, RefusalCode, Request, prepare};
use rules::category::Category;
use rules::provisioning::{Grace, ProvisioningFacts, Stage};
use rules::scheme::Catalog;
use rules::{FacilityType, GraceType, Yen};

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn yen(n: i64) -> Yen {
    Yen::from_i64(n)
}

fn applicant(kind: FacilityType) -> Applicant {
    Applicant {
        name: "さくら内科クリニック".into(),
        facility_code: "0110113719".into(),
        facility_type: kind,
        prefecture: "北海道".into(),
        address: "札幌市中央区北1条西2丁目".into(),
        founder: "医療法人さくら会".into(),
        representative_name: String::new(),
        representative_title: String::new(),
        phone: String::new(),
        contact_person: String::new(),
    }
}

/// A clinic that applied for its reader in the 加速化プラン window and finished in time.
fn clinic() -> ProvisioningFacts {
    ProvisioningFacts {
        readers: 1,
        reader_applied_on: Some(day("2021-03-15")),
        vendor_contract_on: Some(day("2022-10-01")),
        completed_on: Some(day("2023-01-20")),
        operation_started_on: Some(day("2023-02-01")),
        stage: Stage::Operating,
        ..ProvisioningFacts::new(FacilityType::MedicalClinic, true)
    }
}

fn line(category: Category, description: &str, amount: i64) -> CostLine {
    CostLine { category, description: description.into(), amount: yen(amount) }
}

/// Tax-exclusive costs: 320,000 eligible after the discount, 12,000 of maintenance.
fn paid_costs() -> FinalCosts {
    FinalCosts {
        lines: vec![
            line(Category::Terminal, "資格確認端末（PC一式）", 200_000),
            line(Category::NetworkSetup, "ネットワーク設定", 80_000),
            line(Category::SetupLabor, "導入作業費", 60_000),
            line(Category::Maintenance, "保守（月額）", 12_000),
            line(Category::Discount, "出精値引", -20_000),
        ],
        tax_inclusive: false,
        paid_on: Some(day("2023-02-10")),
        payee: Some("株式会社ヘルスケアシステムズ".into()),
    }
}

fn request<'a>(facts: &'a ProvisioningFacts, costs: &'a FinalCosts, applied_on: &str) -> Request<'a> {
    Request { facts, costs, readers_claimed: 1, applied_on: day(applied_on) }
}

fn refusal_codes(facts: &ProvisioningFacts, costs: &FinalCosts, readers: u8, applied_on: &str) -> Vec<RefusalCode> {
    let req = Request { readers_claimed: readers, ..request(facts, costs, applied_on) };
    match prepare(Catalog::builtin(), applicant(facts.facility_type), req) {
        Ok(p) => panic!("expected a refusal, got a package for {}", p.subsidy),
        Err(r) => {
            assert!(r.iter().all(|r| !r.reason.is_empty() && !r.remedy.is_empty()), "{r:?}");
            r.into_iter().map(|r| r.code).collect()
        }
    }
}

#[test]
fn a_clinic_in_the_acceleration_plan_gets_its_whole_eligible_cost_tax_included() {
    let (facts, costs) = (clinic(), paid_costs());
    let p = prepare(Catalog::builtin(), applicant(FacilityType::MedicalClinic), request(&facts, &costs, "2023-05-01"))
        .expect("eligible");
    assert_eq!(p.scheme_id, "acceleration_plan_2020");
    assert_eq!(p.scheme_name, "「加速化プラン」を踏まえた追加的な財政補助（実費補助）");
    assert_eq!(p.cap, yen(429_000), "seeds/003: 診療所 42.9万円");
    assert_eq!((p.subtotal, p.tax, p.total_cost), (yen(332_000), yen(33_200), yen(365_200)));
    assert_eq!(p.eligible_cost, yen(352_000), "(200,000 + 80,000 + 60,000 − 20,000) × 1.1");
    assert_eq!(p.subsidy, yen(352_000), "rate 1, under the cap");
    assert_eq!(p.self_burden, yen(13_200), "総事業費 − 補助金申請額");
    assert_eq!((p.complete_by, p.apply_by), (Some(day("2023-03-31")), Some(day("2023-09-30"))));
    let breakdown: Vec<(Category, Yen)> = p.breakdown.iter().map(|b| (b.category, b.amount)).collect();
    assert_eq!(
        breakdown,
        vec![
            (Category::Terminal, yen(200_000)),
            (Category::NetworkSetup, yen(80_000)),
            (Category::SetupLabor, yen(60_000)),
            (Category::Maintenance, yen(12_000)),
            (Category::Discount, yen(-20_000)),
        ]
    );
    assert_eq!(p.lines.iter().filter(|l| !l.eligible).count(), 1, "maintenance only");
    assert!(p.notes.iter().any(|n| n.contains("保守")), "{:?}", p.notes);
    assert_eq!(p.payee.as_deref(), Some("株式会社ヘルスケアシステムズ"));
}

#[test]
fn a_hospital_at_the_normal_rate_gets_the_official_table_amount() {
    // seeds/003: 病院 1台 事業額210.1万円の1/2 → 105万円.
    let facts = ProvisioningFacts {
        readers: 1,
        reader_applied_on: Some(day("2022-01-15")),
        completed_on: Some(day("2023-03-01")),
        operation_started_on: Some(day("2023-03-10")),
        ..ProvisioningFacts::new(FacilityType::Hospital, true)
    };
    let costs = FinalCosts {
        lines: vec![line(Category::ReceiptSystem, "レセコン改修", 2_500_000)],
        tax_inclusive: true,
        paid_on: Some(day("2023-03-20")),
        payee: None,
    };
    let p = prepare(Catalog::builtin(), applicant(FacilityType::Hospital), request(&facts, &costs, "2023-06-01"))
        .expect("eligible");
    assert_eq!(p.scheme_id, "normal_2020");
    assert_eq!((p.cap, p.subsidy), (yen(2_101_000), yen(1_050_000)));
    assert_eq!(p.tax, yen(227_272), "the tax inside 2,500,000 tax-inclusive, rounded down");
    assert_eq!(p.self_burden, yen(1_450_000));
}

#[test]
fn a_hospital_claiming_three_readers_when_it_applied_for_two_is_refused() {
    let facts = ProvisioningFacts {
        readers: 2,
        reader_applied_on: Some(day("2022-01-15")),
        completed_on: Some(day("2023-03-01")),
        operation_started_on: Some(day("2023-03-10")),
        ..ProvisioningFacts::new(FacilityType::Hospital, true)
    };
    let costs = paid_costs();
    assert_eq!(refusal_codes(&facts, &costs, 3, "2023-06-01"), vec![RefusalCode::ReadersBeyondEntitlement]);
    assert_eq!(refusal_codes(&clinic(), &costs, 2, "2023-06-01"), vec![RefusalCode::ReadersBeyondEntitlement]);
    assert_eq!(refusal_codes(&clinic(), &costs, 0, "2023-06-01"), vec![RefusalCode::ReadersBeyondEntitlement]);
    let two = prepare(
        Catalog::builtin(),
        applicant(FacilityType::Hospital),
        Request { readers_claimed: 2, ..request(&facts, &costs, "2023-06-01") },
    )
    .expect("two readers applied for, two claimed");
    assert_eq!(two.cap, yen(2_002_000), "seeds/003: 病院 2台 200.2万円");
}

#[test]
fn completion_after_the_deadline_is_refused_unless_an_accepted_grace_extends_it() {
    // Operation starts after the late completion: dates in order, only the deadline is missed.
    let late = ProvisioningFacts {
        completed_on: Some(day("2023-05-01")),
        operation_started_on: Some(day("2023-05-10")),
        ..clinic()
    };
    let costs = paid_costs();
    assert_eq!(refusal_codes(&late, &costs, 1, "2023-06-01"), vec![RefusalCode::CompletedAfterDeadline]);

    let filed = ProvisioningFacts {
        grace: Some(Grace { kind: GraceType::new(1).expect("type"), accepted: false, until: None }),
        ..late.clone()
    };
    let refused =
        prepare(Catalog::builtin(), applicant(FacilityType::MedicalClinic), request(&filed, &costs, "2023-06-01"))
            .expect_err("not accepted");
    assert!(refused[0].remedy.contains("受理"), "{:?}", refused[0]);

    let accepted = ProvisioningFacts {
        grace: Some(Grace { kind: GraceType::new(1).expect("type"), accepted: true, until: None }),
        ..late
    };
    let p =
        prepare(Catalog::builtin(), applicant(FacilityType::MedicalClinic), request(&accepted, &costs, "2023-11-01"))
            .expect("the grace extends both deadlines");
    assert_eq!((p.complete_by, p.apply_by), (Some(day("2023-09-30")), Some(day("2023-12-31"))));
    assert_eq!(p.grace, GraceType::new(1).ok());
}

#[test]
fn an_application_after_the_apply_by_date_is_refused_and_the_last_day_is_not() {
    let (facts, costs) = (clinic(), paid_costs());
    assert_eq!(refusal_codes(&facts, &costs, 1, "2023-10-01"), vec![RefusalCode::AppliedAfterDeadline]);
    assert!(
        prepare(Catalog::builtin(), applicant(FacilityType::MedicalClinic), request(&facts, &costs, "2023-09-30"))
            .is_ok()
    );
}

#[test]
fn unpaid_costs_and_a_missing_operation_start_are_both_reported_at_once() {
    let facts = ProvisioningFacts { operation_started_on: None, ..clinic() };
    let costs = FinalCosts { paid_on: None, ..paid_costs() };
    assert_eq!(
        refusal_codes(&facts, &costs, 1, "2023-05-01"),
        vec![RefusalCode::NoOperationStart, RefusalCode::CostsNotPaid]
    );
}

#[test]
fn dates_after_the_application_day_are_refused() {
    let costs = FinalCosts { paid_on: Some(day("2023-06-01")), ..paid_costs() };
    assert_eq!(refusal_codes(&clinic(), &costs, 1, "2023-05-01"), vec![RefusalCode::DatesOutOfOrder]);
    // Operation (02-01) and payment (02-10) after the application day: one refusal, against
    // the later of the two, so that one correction clears both.
    assert_eq!(refusal_codes(&clinic(), &paid_costs(), 1, "2023-01-25"), vec![RefusalCode::DatesOutOfOrder]);
    let (facts, costs) = (clinic(), paid_costs());
    let refused = prepare(Catalog::builtin(), applicant(facts.facility_type), request(&facts, &costs, "2023-01-25"))
        .expect_err("refused");
    assert_eq!(
        format!("{}。{}", refused[0].reason, refused[0].remedy),
        "交付申請日（令和5年1月25日）が支払日（領収書の日付）（令和5年2月10日）より前になっています。交付申請日は支払日（領収書の日付）以降の日付にしてください"
    );
}

#[test]
fn a_vendor_contract_before_the_reader_application_is_never_printed_in_a_package() {
    let facts = ProvisioningFacts {
        reader_applied_on: Some(day("2022-08-01")),
        vendor_contract_on: Some(day("2022-07-01")),
        ..clinic()
    };
    let costs = paid_costs();
    let refused = prepare(Catalog::builtin(), applicant(facts.facility_type), request(&facts, &costs, "2023-05-01"))
        .expect_err("refused");
    let dates: Vec<_> = refused.iter().filter(|r| r.code == RefusalCode::DatesOutOfOrder).collect();
    assert_eq!(dates.len(), 1, "{refused:?}");
    assert_eq!(
        dates[0].reason,
        "ベンダー契約日（発注日）（令和4年7月1日）がカードリーダー申込日（令和4年8月1日）より前になっています"
    );
}

#[test]
fn a_receipt_before_the_vendor_contract_is_refused_and_one_between_contract_and_completion_is_not() {
    let facts = clinic(); // contract 2022-10-01, completed 2023-01-20
    let early = FinalCosts { paid_on: Some(day("2022-09-30")), ..paid_costs() };
    assert_eq!(refusal_codes(&facts, &early, 1, "2023-05-01"), vec![RefusalCode::DatesOutOfOrder]);
    // An advance payment after the order and before completion is a real practice.
    let advance = FinalCosts { paid_on: Some(day("2022-12-01")), ..paid_costs() };
    assert!(
        prepare(Catalog::builtin(), applicant(facts.facility_type), request(&facts, &advance, "2023-05-01")).is_ok()
    );
}

#[test]
fn a_facility_without_reader_application_completion_or_eligible_costs_is_told_each() {
    let facts = ProvisioningFacts::new(FacilityType::MedicalClinic, true);
    let costs = FinalCosts { lines: vec![line(Category::Maintenance, "保守", 10_000)], ..paid_costs() };
    let codes = refusal_codes(&facts, &costs, 1, "2023-05-01");
    for expected in [
        RefusalCode::NoReaderApplication,
        RefusalCode::NotCompleted,
        RefusalCode::NoOperationStart,
        RefusalCode::NoEligibleCost,
    ] {
        assert!(codes.contains(&expected), "{expected:?} missing from {codes:?}");
    }
}

#[test]
fn the_package_survives_a_json_round_trip_unchanged() {
    let (facts, costs) = (clinic(), paid_costs());
    let p = prepare(Catalog::builtin(), applicant(FacilityType::MedicalClinic), request(&facts, &costs, "2023-05-01"))
        .expect("eligible");
    let json = serde_json::to_string(&p).expect("json");
    assert_eq!(serde_json::from_str::<rules::application::Package>(&json).expect("back"), p);
}

/// The clinic of the one-answer case: reader applied for on 2022-08-01 (the 2022 revision's
/// window), vendor contract in time, and a paid quote of 2,959,000円 of which 264,000円 (tax
/// included) is maintenance.
fn revision_2022_package() -> rules::application::Package {
    let facts = ProvisioningFacts {
        reader_applied_on: Some(day("2022-08-01")),
        vendor_contract_on: Some(day("2022-11-15")),
        ..clinic()
    };
    let costs = FinalCosts {
        lines: vec![
            line(Category::Terminal, "資格確認端末", 450_000),
            line(Category::ReceiptSystem, "レセコン改修", 1_500_000),
            line(Category::SetupLabor, "導入作業費", 500_000),
            line(Category::Maintenance, "保守（年額）", 240_000),
        ],
        ..paid_costs()
    };
    prepare(Catalog::builtin(), applicant(FacilityType::MedicalClinic), request(&facts, &costs, "2023-05-01"))
        .expect("eligible")
}

#[test]
fn the_package_keeps_the_self_burden_in_its_three_parts_and_its_notes_say_the_same() {
    let p = revision_2022_package();
    assert_eq!(p.scheme_id, "revision_2022");
    assert_eq!((p.total_cost, p.eligible_cost, p.subsidy), (yen(2_959_000), yen(2_695_000), yen(429_000)));
    assert_eq!(p.self_burden, yen(2_530_000), "総事業費 − 補助金申請額");
    assert_eq!((p.not_covered, p.above_cap, p.rate_share), (yen(264_000), yen(2_266_000), yen(0)));
    assert!(p.notes.iter().any(|n| n.starts_with("自己負担 2,530,000円（補助対象外の費用 264,000円")), "{:?}", p.notes);
    assert!(!p.notes.iter().any(|n| n.contains("自己負担: ") || n.contains("自己負担 2,266,000円")), "{:?}", p.notes);
    assert_eq!(p.clone().as_shown(), p, "a package prepared today is shown as it is");
}

#[test]
fn a_package_stored_before_the_parts_were_kept_reads_back_as_a_new_one() {
    let new = revision_2022_package();
    // As packages were stored before: no parts, the step called "eligible − subsidy" 自己負担,
    // and no line of the 自己負担 with its parts.
    let mut old: serde_json::Value = serde_json::to_value(&new).expect("json");
    for key in ["not_covered", "above_cap", "rate_share"] {
        old.as_object_mut().expect("an object").remove(key);
    }
    let notes: Vec<serde_json::Value> = new
        .notes
        .iter()
        .filter(|n| !n.starts_with("自己負担 "))
        .map(|n| {
            if n.starts_with("補助額: ") {
                "補助額: 429,000円、自己負担: 2,266,000円".to_owned()
            } else {
                n.clone()
            }
        })
        .map(serde_json::Value::from)
        .collect();
    assert_eq!(notes.len() + 1, new.notes.len());
    old["notes"] = serde_json::Value::from(notes);
    let old: rules::application::Package = serde_json::from_value(old).expect("an earlier package still reads");
    assert_eq!((old.not_covered, old.above_cap, old.rate_share), (yen(0), yen(0), yen(0)));
    assert_eq!(old.as_shown(), new, "the parts derived from its figures, the notes worded as today");
}

#[test]
fn derived_parts_add_up_to_the_self_burden_under_the_cap_above_it_and_at_a_rate() {
    use rules::application::BurdenParts;
    // Total, eligible, cap, 自己負担 → (a), (b), (c).
    let cases = [
        ((2_959_000, 2_695_000, 429_000, 2_530_000), (264_000, 2_266_000, 0)),
        ((387_200, 374_000, 429_000, 13_200), (13_200, 0, 0)),
        ((3_005_000, 3_000_000, 2_002_000, 2_004_000), (5_000, 998_000, 1_001_000)),
    ];
    for ((total, eligible, cap, burden), (a, b, c)) in cases {
        let parts = BurdenParts::derived(yen(total), yen(eligible), yen(cap), yen(burden));
        assert_eq!((parts.not_covered, parts.above_cap, parts.rate_share), (yen(a), yen(b), yen(c)));
        assert_eq!(parts.sum(), yen(burden));
    }
}
