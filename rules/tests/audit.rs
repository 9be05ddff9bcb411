//! The quote audit on quotes built line by line: clean quotes stay clean, padded ones get their flags.

#![expect(clippy::unwrap_used, reason = "test helpers panic on bad fixtures, as tests do")]

use chrono::NaiveDate;
use rules::audit::{AuditContext, AuditReport, BenchmarkRowData, Benchmarks, FlagCode, Peers, audit, letter_point};
use rules::category::Category;
use rules::classify::Classifier;
use rules::quote::{LineKind, Quote, QuoteLine, Unit, WrittenAmount, WrittenTotals};
use rules::scheme::Catalog;
use rules::{FacilityType, Yen};
use rust_decimal::Decimal;

fn bench() -> Benchmarks {
    Benchmarks::from_rows(&BenchmarkRowData::from_seed_json(include_str!("../../seed/benchmarks.json")).unwrap())
}

fn yen(n: i64) -> Yen {
    Yen::from_i64(n)
}

fn item(row: u32, description: &str, qty: i64, unit: &str, price: i64) -> QuoteLine {
    QuoteLine {
        row,
        description: description.into(),
        spec: None,
        quantity: Some(Decimal::from(qty)),
        unit: Unit::parse(unit),
        unit_price: Some(yen(price)),
        list_price: None,
        amount: Some(yen(price * qty)),
        note: None,
        kind: LineKind::Item,
        amount_text: None,
        sheet: None,
    }
}

fn written(sub: i64, tax: i64, total: i64, row: u32) -> WrittenTotals {
    WrittenTotals {
        subtotal: Some(WrittenAmount { amount: yen(sub), row }),
        tax: Some(WrittenAmount { amount: yen(tax), row: row + 1 }),
        tax_included_in_total: false,
        total: Some(WrittenAmount { amount: yen(total), row: row + 2 }),
    }
}

fn run(quote: &Quote, kind: FacilityType, readers: u8, applied: Option<&str>) -> AuditReport {
    let ctx = AuditContext::new(kind, readers, applied.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()));
    audit(quote, &ctx, &bench(), &Peers::default(), Classifier::builtin(), Catalog::builtin())
}

fn codes(report: &AuditReport) -> Vec<(u32, FlagCode)> {
    let mut all: Vec<(u32, FlagCode)> =
        report.lines.iter().flat_map(|l| l.flags.iter().map(move |f| (l.row, f.code))).collect();
    all.extend(report.flags.iter().map(|f| (0, f.code)));
    all
}

fn fair_clinic_quote() -> Quote {
    Quote {
        lines: vec![
            item(10, "資格確認端末（ノートPC）", 1, "台", 150_000),
            item(11, "顔認証付きカードリーダー", 1, "台", 0),
            item(12, "資格確認アプリケーション", 1, "式", 0),
            item(13, "ネットワーク設定作業", 1, "式", 50_000),
            item(14, "VPNルーター", 1, "台", 30_000),
            item(15, "レセコン改修（オンライン資格確認連携）", 1, "式", 80_000),
            item(16, "導入作業", 3, "時間", 10_000),
            item(17, "操作説明", 1, "回", 10_000),
        ],
        written: written(350_000, 35_000, 385_000, 18),
        ..Quote::default()
    }
}

#[test]
fn a_fair_clinic_quote_gets_no_flags_and_the_normal_subsidy() {
    let r = run(&fair_clinic_quote(), FacilityType::MedicalClinic, 1, Some("2021-05-01"));
    assert_eq!(codes(&r), vec![], "{:#?}", r.lines);
    let cats: Vec<Category> = r.lines.iter().map(|l| l.category).collect();
    use Category::*;
    assert_eq!(
        cats,
        vec![Terminal, CardReader, AppSoftware, NetworkSetup, Router, ReceiptSystem, SetupLabor, Training]
    );
    assert_eq!(r.computed.subtotal, yen(350_000));
    assert_eq!(r.computed.tax, yen(35_000));
    assert_eq!(r.computed.total, yen(385_000));
    // Eligible: everything but the two free lines, 350,000 + 10 % = 385,000; 3/4 → 288,750 → 288,000.
    assert_eq!(r.computed.eligible_total, yen(385_000));
    assert_eq!(r.subsidy.amount, yen(288_000));
    assert_eq!(r.subsidy.self_burden, yen(97_000));
    assert_eq!(r.subsidy.scheme.as_deref(), Some("normal_2020"));
}

#[test]
fn without_an_application_date_the_normal_rates_apply_and_say_so() {
    let r = run(&fair_clinic_quote(), FacilityType::MedicalClinic, 1, None);
    assert_eq!(r.subsidy.amount, yen(288_000));
    assert!(r.notes.iter().any(|n| n.contains("通常の補助率")));
}

/// A hospital's quote padded every way a line can be.
fn padded_hospital_quote() -> Quote {
    let mut lump = item(30, "システム改修一式", 1, "一式", 1_800_000);
    lump.unit = Some(Unit::LumpSum);
    let mut wrong_math = item(31, "LAN配線工事", 3, "時間", 20_000);
    wrong_math.amount = Some(yen(90_000));
    Quote {
        lines: vec![
            item(20, "資格確認端末", 1, "台", 480_000),
            item(21, "顔認証付きカードリーダー", 2, "台", 120_000),
            item(22, "オンライン資格確認アプリケーション", 1, "式", 50_000),
            item(23, "リモート保守", 12, "ヶ月", 8_000),
            item(24, "光回線使用料", 12, "ヶ月", 5_000),
            item(25, "レセコン・電子カルテ設定作業", 40, "時間", 10_000),
            item(26, "VPNルーター", 1, "台", 60_000),
            item(27, "VPNルーター", 1, "台", 60_000),
            lump,
            wrong_math,
        ],
        written: written(3_246_000, 259_680, 3_505_680, 40),
        ..Quote::default()
    }
}

#[test]
fn a_padded_hospital_quote_gets_every_flag_with_evidence() {
    let quote = padded_hospital_quote();
    let r = run(&quote, FacilityType::Hospital, 1, Some("2021-06-01"));
    let c = codes(&r);
    let has = |row: u32, code: FlagCode| c.contains(&(row, code));
    assert!(has(20, FlagCode::AboveBenchmark), "terminal beyond 250,000: {c:?}");
    assert!(has(21, FlagCode::FreeItemCharged), "card readers are free for hospitals up to 3");
    assert!(has(22, FlagCode::FreeItemCharged), "the app is free");
    assert!(has(23, FlagCode::IneligibleRunningCost));
    assert!(has(24, FlagCode::IneligibleRunningCost));
    assert!(has(25, FlagCode::LaborOverObservedMax), "40 h against 1,440 min");
    assert!(has(27, FlagCode::DuplicateLine));
    assert!(!has(26, FlagCode::DuplicateLine), "the first occurrence is not the duplicate");
    assert!(has(30, FlagCode::LumpSumOpaque));
    assert!(has(30, FlagCode::AboveBenchmark), "1.8M against the 1.5M hospital range");
    assert!(has(31, FlagCode::ArithmeticMismatch));
    assert!(has(0, FlagCode::TaxMismatch), "8 % written");
    assert!(has(0, FlagCode::ArithmeticMismatch), "written subtotal does not match the lines");

    let labour = r.lines.iter().find(|l| l.row == 25).unwrap();
    let flag = labour.flags.iter().find(|f| f.code == FlagCode::LaborOverObservedMax).unwrap();
    assert!(
        flag.evidence.source.as_deref().unwrap().contains("mhlw")
            || flag.evidence.source.as_deref().unwrap().contains("seeds/002")
    );
    assert_eq!(flag.evidence.limit.as_deref(), Some("1,440分（24時間）"));
    let terminal = r.lines.iter().find(|l| l.row == 20).unwrap();
    let above = terminal.flags.iter().find(|f| f.code == FlagCode::AboveBenchmark).unwrap();
    assert!(above.evidence.assumption, "price ranges are assumptions");
    assert_eq!(above.evidence.limit.as_deref(), Some("250,000円"));

    let running = r.lines.iter().find(|l| l.row == 23).unwrap();
    assert!(!running.eligible);
    let reader = r.lines.iter().find(|l| l.row == 21).unwrap();
    assert!(!reader.eligible);
}

#[test]
fn an_eligible_total_just_under_the_cap_is_flagged() {
    // Clinic cap 429,000 tax included; 390,000 + 10 % = 429,000.
    let quote = Quote {
        lines: vec![item(5, "レセコン改修", 1, "式", 250_000), item(6, "資格確認端末", 1, "台", 140_000)],
        written: written(390_000, 39_000, 429_000, 7),
        ..Quote::default()
    };
    let r = run(&quote, FacilityType::DentalClinic, 1, Some("2021-03-01"));
    assert!(codes(&r).contains(&(0, FlagCode::NearSubsidyCap)), "{:?}", codes(&r));
    assert_eq!(r.subsidy.amount, yen(429_000), "acceleration plan: the whole cap");
    let quote = Quote {
        lines: vec![item(5, "レセコン改修", 1, "式", 200_000), item(6, "資格確認端末", 1, "台", 140_000)],
        written: written(340_000, 34_000, 374_000, 7),
        ..Quote::default()
    };
    assert!(!codes(&run(&quote, FacilityType::DentalClinic, 1, None)).contains(&(0, FlagCode::NearSubsidyCap)));
}

#[test]
fn a_tax_inclusive_quote_with_its_internal_tax_checks_out() {
    let quote = Quote {
        lines: vec![item(8, "資格確認端末", 1, "台", 165_000), item(9, "ネットワーク設定", 1, "式", 55_000)],
        written: WrittenTotals {
            subtotal: None,
            tax: Some(WrittenAmount { amount: yen(20_000), row: 11 }),
            tax_included_in_total: true,
            total: Some(WrittenAmount { amount: yen(220_000), row: 10 }),
        },
        tax_inclusive: true,
        ..Quote::default()
    };
    let r = run(&quote, FacilityType::Pharmacy, 1, None);
    assert_eq!(codes(&r), vec![]);
    assert_eq!(r.computed.total, yen(220_000));
    assert_eq!(r.computed.tax, yen(20_000));
    assert_eq!(r.computed.eligible_total, yen(220_000));
    assert_eq!(r.subsidy.amount, yen(165_000), "3/4 of 220,000");
}

#[test]
fn a_discount_reduces_the_eligible_total() {
    let mut discount = item(12, "出精値引", 1, "式", 30_000);
    discount.kind = LineKind::Discount;
    let quote = Quote {
        lines: vec![item(10, "資格確認端末", 1, "台", 150_000), item(11, "保守", 12, "月", 3_000), discount],
        written: written(156_000, 15_600, 171_600, 13),
        ..Quote::default()
    };
    let r = run(&quote, FacilityType::MedicalClinic, 1, None);
    assert_eq!(r.lines[2].category, Category::Discount);
    assert_eq!(r.lines[2].amount, Some(yen(-30_000)));
    assert_eq!(r.computed.subtotal, yen(156_000));
    // Eligible: 150,000 − 30,000 = 120,000, + tax = 132,000.
    assert_eq!(r.computed.eligible_total, yen(132_000));
    assert_eq!(codes(&r), vec![(11, FlagCode::IneligibleRunningCost)]);
}

#[test]
fn a_lump_sum_of_labour_is_turned_into_hours_with_the_assumed_rate() {
    let mut lump = item(5, "導入作業一式", 1, "一式", 600_000);
    lump.unit = Some(Unit::LumpSum);
    let quote = Quote { lines: vec![lump], ..Quote::default() };
    let r = run(&quote, FacilityType::Hospital, 1, None);
    let flag = r.lines[0].flags.iter().find(|f| f.code == FlagCode::LaborOverObservedMax).expect("implied hours flag");
    assert!(flag.evidence.assumption);
    assert!(flag.message.contains("2,400分（40時間）"), "{}", flag.message);
}

#[test]
fn a_price_beyond_the_peer_fence_is_an_outlier() {
    let prices = [20_000, 22_000, 25_000, 25_000, 28_000, 30_000, 30_000, 35_000].map(yen);
    let mut peers = Peers::new(prices.map(|p| (Category::Router, p)));
    let quote = Quote { lines: vec![item(3, "ルーター", 1, "台", 60_000)], ..Quote::default() };
    let ctx = AuditContext::new(FacilityType::MedicalClinic, 1, None);
    let r = audit(&quote, &ctx, &bench(), &peers, Classifier::builtin(), Catalog::builtin());
    let f = r.lines[0].flags.iter().find(|f| f.code == FlagCode::AboveBenchmark).expect("outlier");
    let fence = f.evidence.fence.expect("fence in evidence");
    assert_eq!(fence.peers, 8);
    assert!(fence.upper < yen(60_000));
    // Seven peers are too few.
    peers.leave_out([(Category::Router, yen(35_000))]);
    let r = audit(&quote, &ctx, &bench(), &peers, Classifier::builtin(), Catalog::builtin());
    assert!(r.lines[0].flags.is_empty());
    // A price that is not a peer's leaves the group whole.
    peers.leave_out([(Category::Router, yen(36_000))]);
    let r = audit(&quote, &ctx, &bench(), &peers, Classifier::builtin(), Catalog::builtin());
    assert_eq!(r.lines[0].flags[0].evidence.fence.expect("fence").peers, 8);
}

#[test]
fn a_confirmed_quote_of_fifteen_thousand_identical_lines_is_judged_against_the_others_only() {
    // 14,990 routers at 20,000円 and ten at 90,000円, confirmed (so among the peers), and 1,000
    // other quotes' routers at 19,000–21,000円. Left out, the quote's own lines do not pull the
    // fence: every line's fence is the one of the 1,000 others.
    let mut lines: Vec<QuoteLine> = (0..14_990).map(|i| item(10 + i, "ルーター", 1, "台", 20_000)).collect();
    lines.extend((0..10).map(|i| item(20_000 + i, "ルーター", 1, "台", 90_000)));
    let quote = Quote { lines, ..Quote::default() };
    let others = (0..1_000).map(|i| yen(19_000 + 2 * i));
    let own: Vec<Yen> = quote.lines.iter().map(|l| l.unit_price.unwrap()).collect();
    let mut peers = Peers::new(others.clone().chain(own.iter().copied()).map(|p| (Category::Router, p)));
    peers.leave_out(own.iter().map(|p| (Category::Router, *p)));
    let ctx = AuditContext::new(FacilityType::MedicalClinic, 1, None);
    let r = audit(&quote, &ctx, &bench(), &peers, Classifier::builtin(), Catalog::builtin());
    let alone =
        Peers::new(others.map(|p| (Category::Router, p))).fence(Category::Router, bench().tukey_k, bench().peer_min);
    let outliers: Vec<_> = r
        .lines
        .iter()
        .filter_map(|l| l.flags.iter().find_map(|f| f.evidence.fence.map(|fence| (l.row, fence))))
        .collect();
    assert_eq!(outliers.len(), 10, "the ten at 90,000円 and no other");
    assert!(outliers.iter().all(|(row, fence)| *row >= 20_000 && Some(*fence) == alone), "{:?}", outliers[0]);
}

#[test]
fn readers_beyond_the_free_count_are_noted_and_capped_in_the_subsidy() {
    let r = run(&fair_clinic_quote(), FacilityType::MedicalClinic, 2, None);
    assert!(r.notes.iter().any(|n| n.contains("自己負担")));
    assert_eq!(r.subsidy.cap, yen(429_000));
}

#[test]
fn a_written_total_is_named_by_its_row_or_as_written_when_the_row_is_unknown() {
    // 8 % tax and a subtotal off by 1,000: both messages name where they stand.
    let quote = |row: u32| {
        let at = |amount: i64, offset: u32| {
            Some(WrittenAmount { amount: yen(amount), row: if row == 0 { 0 } else { row + offset } })
        };
        Quote {
            lines: vec![item(20, "資格確認端末", 1, "台", 200_000)],
            written: WrittenTotals {
                subtotal: at(201_000, 0),
                tax: at(16_080, 1),
                tax_included_in_total: false,
                total: at(217_080, 2),
            },
            ..Quote::default()
        }
    };
    let messages = |row: u32| -> Vec<String> {
        run(&quote(row), FacilityType::MedicalClinic, 1, None).flags.into_iter().map(|f| f.message).collect()
    };
    let read = messages(28);
    assert!(read.iter().any(|m| m.starts_with("28行目の小計 201,000円")), "{read:?}");
    assert!(read.iter().any(|m| m.starts_with("29行目の消費税 16,080円")), "{read:?}");
    // A stored quote keeps its written amounts but not their rows (row 0): no 「0行目」.
    let stored = messages(0);
    assert!(stored.iter().any(|m| m.starts_with("記載の小計 201,000円")), "{stored:?}");
    assert!(stored.iter().any(|m| m.starts_with("記載の消費税 16,080円")), "{stored:?}");
    assert!(stored.iter().all(|m| !m.contains("0行目")), "{stored:?}");
}

/// Every point of the letter for a quote, as the letter prints it (sources cited as `cite`
/// gives them), with the notes it was asked to cite.
fn letter_points(r: &AuditReport, kind: FacilityType) -> Vec<(FlagCode, String, Vec<String>)> {
    let mut out = Vec::new();
    let lines = r.lines.iter().flat_map(|l| l.flags.iter().map(move |f| (Some(l), f)));
    for (line, flag) in lines.chain(r.flags.iter().map(|f| (None, f))) {
        let point = letter_point(flag, line, kind);
        let cited = std::cell::RefCell::new(Vec::new());
        let body = point.body(|note| {
            cited.borrow_mut().push(note.to_owned());
            Some("公表資料".to_owned())
        });
        out.push((flag.code, format!("{}\n{body}", point.heading), cited.into_inner()));
    }
    out
}

#[test]
fn every_flag_becomes_a_polite_request_to_the_vendor_with_what_it_rests_on() {
    let mut setup = item(32, "導入設定作業一式", 1, "式", 900_000);
    setup.unit = Some(Unit::LumpSum);
    let mut quote = padded_hospital_quote();
    quote.lines.push(setup);
    let r = run(&quote, FacilityType::Hospital, 1, Some("2021-06-01"));
    let points = letter_points(&r, FacilityType::Hospital);
    let codes: std::collections::BTreeSet<FlagCode> = points.iter().map(|(c, _, _)| *c).collect();
    for code in [
        FlagCode::FreeItemCharged,
        FlagCode::IneligibleRunningCost,
        FlagCode::AboveBenchmark,
        FlagCode::LaborOverObservedMax,
        FlagCode::LumpSumOpaque,
        FlagCode::ArithmeticMismatch,
        FlagCode::TaxMismatch,
        FlagCode::DuplicateLine,
    ] {
        assert!(codes.contains(&code), "{code} has a point: {codes:?}");
    }
    for (code, text, cited) in &points {
        assert!(text.contains("ご確認のうえ、") && text.ends_with("お願い申し上げます。"), "{code}: {text}");
        for clinic_facing in
            ["求めてください", "確認してください", "されるべきではありません", "Tukey", "IQR", "外れ値"]
        {
            assert!(!text.contains(clinic_facing), "{code} says {clinic_facing}: {text}");
        }
        let ours = quote.lines.iter().fold(text.clone(), |t, l| t.replace(&l.description, ""));
        assert!(!ours.chars().any(|c| c.is_ascii_alphabetic()), "{code} has no English: {text}");
        for note in cited {
            assert!(!note.contains("issue") && !note.contains("cardinal"), "{code} cites a developer note: {note}");
        }
    }
    let reader = points.iter().find(|(_, t, _)| t.starts_with("21行目")).expect("the reader's point");
    assert!(reader.1.contains("病院には3台まで社会保険診療報酬支払基金から無償で提供"), "{}", reader.1);
    assert!(reader.1.contains("2台分として240,000円が計上されています"), "{}", reader.1);
    let terminal = points
        .iter()
        .find(|(c, t, _)| *c == FlagCode::AboveBenchmark && t.starts_with("20行目"))
        .expect("the terminal's point");
    assert!(terminal.1.contains("単価が480,000円"), "{}", terminal.1);
    assert!(terminal.1.contains("当院が参考にしている目安（公的な基準額ではありません）"), "{}", terminal.1);
    assert!(terminal.1.contains("250,000円"), "{}", terminal.1);
    assert!(terminal.2.is_empty(), "an own 目安 cites no document");
    let implied = points
        .iter()
        .find(|(c, t, _)| *c == FlagCode::LaborOverObservedMax && t.starts_with("32行目"))
        .expect("the lump sum of setup work in hours");
    assert!(implied.1.contains("時間単価（公的な基準額ではありません）で換算すると、約"), "{}", implied.1);
    assert!(implied.2.iter().all(|n| !n.contains(';')), "only the survey is cited: {:?}", implied.2);
}

#[test]
fn a_price_beyond_comparable_quotes_is_explained_without_statistics() {
    let prices = [20_000, 22_000, 25_000, 25_000, 28_000, 30_000, 30_000, 35_000].map(yen);
    let peers = Peers::new(prices.map(|p| (Category::Router, p)));
    let quote = Quote { lines: vec![item(3, "ルーター", 1, "台", 60_000)], ..Quote::default() };
    let ctx = AuditContext::new(FacilityType::MedicalClinic, 1, None);
    let r = audit(&quote, &ctx, &bench(), &peers, Classifier::builtin(), Catalog::builtin());
    let points = letter_points(&r, FacilityType::MedicalClinic);
    let (_, text, cited) = points.iter().find(|(c, _, _)| *c == FlagCode::AboveBenchmark).expect("outlier");
    assert!(text.contains("確定済みのお見積り8件のルーター等の価格と比べて大きく高く"), "{text}");
    assert!(text.contains("公的な基準額ではありません"), "{text}");
    assert!(cited.is_empty(), "{cited:?}");
}

fn summary(label: &str, amount: i64) -> rules::quote::SummaryAmount {
    rules::quote::SummaryAmount {
        label: label.into(), amount: yen(amount), place: "シート「表紙」のB9セル".into()
    }
}

/// The fair clinic quote (350,000円 + 35,000円 tax) with monthly lines on a second sheet
/// (保守 3,000円 × 12ヶ月, 回線 2,000円 × 12ヶ月: 60,000円 + 6,000円 tax).
fn fair_quote_with_running_costs(covers: &[(&str, i64)]) -> Quote {
    let mut q = fair_clinic_quote();
    for l in &mut q.lines {
        l.sheet = Some("初期費用".into());
    }
    for (row, (description, price)) in [(4, ("保守サービス（月額）", 3_000)), (5, ("光回線使用料", 2_000))]
    {
        let mut l = item(row, description, 12, "ヶ月", price);
        l.sheet = Some("月額費用".into());
        q.lines.push(l);
    }
    q.written = written(410_000, 41_000, 451_000, 30);
    q.summary = covers.iter().map(|(l, a)| summary(l, *a)).collect();
    q
}

#[test]
fn a_cover_that_sums_the_whole_quote_or_a_part_of_it_agrees_and_says_with_what() {
    let covers = [
        ("御見積金額（税込）", 451_000),
        ("御見積金額", 410_000),
        ("初期費用（税込）", 385_000),
        ("初期導入費用", 350_000),
        ("月額費用（税込）", 5_500),
        ("月額費用", 60_000),
    ];
    let r = run(&fair_quote_with_running_costs(&covers), FacilityType::MedicalClinic, 1, Some("2021-05-01"));
    let quote_flags: Vec<FlagCode> = r.flags.iter().map(|f| f.code).collect();
    assert_eq!(quote_flags, vec![], "{:#?}", r.flags);
    let said: Vec<&String> = r.notes.iter().filter(|n| n.starts_with("シート「表紙」")).collect();
    assert_eq!(
        said,
        [
            "シート「表紙」のB9セルの「御見積金額（税込）」451,000円は、明細全体の税込の合計と一致しています。",
            "シート「表紙」のB9セルの「御見積金額」410,000円は、明細全体の税抜の合計と一致しています。",
            "シート「表紙」のB9セルの「初期費用（税込）」385,000円は、月額の費用を除いた明細の税込の合計と一致しています。",
            "シート「表紙」のB9セルの「初期導入費用」350,000円は、月額の費用を除いた明細の税抜の合計と一致しています。",
            "シート「表紙」のB9セルの「月額費用（税込）」5,500円は、月額の費用の明細（1か月分）の税込の合計と一致しています。",
            "シート「表紙」のB9セルの「月額費用」60,000円は、月額の費用の明細の税抜の合計と一致しています。",
        ]
    );
}

#[test]
fn a_cover_total_that_no_sum_of_the_lines_makes_is_an_arithmetic_mismatch() {
    let q = fair_quote_with_running_costs(&[("御見積金額（税込）", 495_000), ("初期費用", 400_000)]);
    let r = run(&q, FacilityType::MedicalClinic, 1, Some("2021-05-01"));
    let quote_flags: Vec<(FlagCode, &str)> = r.flags.iter().map(|f| (f.code, f.message.as_str())).collect();
    assert_eq!(
        quote_flags,
        [
            (
                FlagCode::ArithmeticMismatch,
                "シート「表紙」のB9セルの「御見積金額（税込）」495,000円は、明細の合計（税抜 410,000円・税込 451,000円）とも、その一部の合計とも一致しません。"
            ),
            (
                FlagCode::ArithmeticMismatch,
                "シート「表紙」のB9セルの「初期費用」400,000円は、明細の合計（税抜 410,000円・税込 451,000円）とも、その一部の合計とも一致しません。"
            ),
        ]
    );
    // A monthly figure written some other way is only said, never flagged.
    let q = fair_quote_with_running_costs(&[("月額費用", 7_777)]);
    let r = run(&q, FacilityType::MedicalClinic, 1, Some("2021-05-01"));
    assert_eq!(r.flags, vec![]);
    assert!(
        r.notes.iter().any(|n| n.ends_with("「月額費用」7,777円は、明細の月額の費用の合計と照合できませんでした。"))
    );
}

#[test]
fn a_tax_inclusive_quotes_cover_may_write_the_amount_before_tax() {
    let mut q = fair_clinic_quote();
    q.tax_inclusive = true;
    q.written =
        WrittenTotals { total: Some(WrittenAmount { amount: yen(350_000), row: 20 }), ..WrittenTotals::default() };
    // 350,000円 税込 → 318,181.8… before tax, written rounded either way.
    for (amount, agrees) in [(350_000, true), (318_181, true), (318_182, true), (318_000, false)] {
        q.summary = vec![summary("御見積金額", amount)];
        let r = run(&q, FacilityType::MedicalClinic, 1, Some("2021-05-01"));
        assert_eq!(r.flags.is_empty(), agrees, "{amount}: {:?}", r.flags);
    }
}

/// A scan's reading not yet checked: arithmetic that a misread digit breaks, and every flag of a
/// line whose figures OCR was unsure of, are held back as 「読み取りを確認してください」; the same
/// quote once checked (no `scan`) is flagged in full.
#[test]
fn a_scan_not_yet_checked_holds_back_what_a_misread_digit_could_cause() {
    use rules::quote::{CellCheck, CheckedCell, ScanReading};
    let mut wrong_math = item(31, "LAN配線工事", 3, "時間", 20_000);
    wrong_math.amount = Some(yen(90_000));
    let charged_reader = item(32, "顔認証付きカードリーダー", 1, "台", 6);
    let mut quote = Quote { lines: vec![wrong_math, charged_reader], ..Quote::default() };
    let checked = run(&quote, FacilityType::MedicalClinic, 1, None);
    let codes = |r: &rules::audit::AuditReport| -> Vec<(u32, FlagCode)> {
        r.lines.iter().flat_map(|l| l.flags.iter().map(move |f| (l.row, f.code))).collect()
    };
    assert!(codes(&checked).contains(&(31, FlagCode::ArithmeticMismatch)), "{:?}", codes(&checked));
    assert!(codes(&checked).contains(&(32, FlagCode::FreeItemCharged)), "{:?}", codes(&checked));
    assert!(checked.reading_checks.is_empty());

    quote.scan = Some(ScanReading {
        engine: "Tesseract".into(),
        checks: vec![CellCheck {
            row: 32,
            cell: CheckedCell::Amount,
            read: "6".into(),
            why: "文字認識の確からしさが低い（40%）".into(),
        }],
    });
    let unchecked = run(&quote, FacilityType::MedicalClinic, 1, None);
    assert_eq!(codes(&unchecked), vec![]);
    let held: Vec<(u32, FlagCode)> = unchecked.reading_checks.iter().map(|c| (c.row, c.held)).collect();
    assert!(held.contains(&(31, FlagCode::ArithmeticMismatch)), "{held:?}");
    assert!(held.contains(&(32, FlagCode::FreeItemCharged)), "{held:?}");
    assert!(unchecked.reading_checks.iter().all(|c| c.message.starts_with("読み取りを確認してください")));
}
