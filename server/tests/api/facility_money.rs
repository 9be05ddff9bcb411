//! The facility page's 補助額と自己負担 and 投資回収の見込み, and the corporation list: one
//! settlement per facility, equal to the rules' settlement of the same lines with the same
//! dates, to the 交付申請 built on the same receipts, and to figures computed by hand.

use crate::helpers::*;
use chrono::NaiveDate;
use rules::category::Category;
use rules::payback::{MonthlyPatients, PaybackInput, payback};
use rules::provisioning::ProvisioningFacts;
use rules::scheme::Catalog;
use rules::settlement::{CostSummary, Settlement, settle};
use rules::{FacilityType, Yen};

/// The text of the element carrying `data-testid="{id}"` after `from` in `html`: its first
/// run of text, which is where the pages put a figure.
fn figure_after(html: &str, from: usize, id: &str) -> Option<String> {
    let at = from + html[from..].find(&format!(r#"data-testid="{id}""#))?;
    let open_end = at + html[at..].find('>')? + 1;
    let text_end = open_end + html[open_end..].find('<')?;
    Some(html[open_end..text_end].trim().to_owned())
}

fn figure(html: &str, id: &str) -> String {
    figure_after(html, 0, id).unwrap_or_else(|| panic!("no {id} on the page"))
}

/// An attribute of the element carrying `data-testid="{id}"`.
fn attribute(html: &str, id: &str, name: &str) -> Option<String> {
    let at = html.find(&format!(r#"data-testid="{id}""#))?;
    let tag = &html[html[..at].rfind('<')?..at + html[at..].find('>')?];
    let start = tag.find(&format!(r#"{name}=""#))? + name.len() + 2;
    Some(tag[start..start + tag[start..].find('"')?].to_owned())
}

fn yen(n: i64) -> String {
    Yen::from_i64(n).to_string()
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

async fn facility_id(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM facilities WHERE facility_code = ?")
        .bind(code)
        .fetch_one(app.pool())
        .await
        .unwrap_or_else(|e| panic!("facility {code}: {e}"))
}

/// applied_on, readers, model_undecided, model_chosen_on, bulk_declared_on.
type ReaderApplication = (String, i64, bool, Option<String>, Option<String>);

/// kind, category, quantity, unit_price, amount.
type StoredLine = (String, String, Option<String>, Option<String>, Option<String>);

/// The facility's facts, read from its rows here rather than through the app's queries.
async fn facts_of(app: &TestApp, id: i64) -> ProvisioningFacts {
    let kind: String = sqlx::query_scalar("SELECT facility_type FROM facilities WHERE id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .expect("facility");
    let mut facts = ProvisioningFacts::new(kind.parse::<FacilityType>().expect("type"), true);
    let application: Option<ReaderApplication> = sqlx::query_as(
        "SELECT applied_on, readers, model_undecided, model_chosen_on, bulk_declared_on
         FROM reader_applications WHERE facility_id = ?",
    )
    .bind(id)
    .fetch_optional(app.pool())
    .await
    .expect("application");
    if let Some((applied, readers, undecided, chosen, bulk)) = application {
        facts.reader_applied_on = day(Some(applied));
        facts.readers = u8::try_from(readers).expect("readers");
        facts.model_undecided = undecided;
        facts.model_chosen_on = day(chosen);
        facts.bulk_declared_on = day(bulk);
    }
    let progress: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT vendor_contract_on, completed_on, operation_started_on FROM facility_progress WHERE facility_id = ?",
    )
    .bind(id)
    .fetch_optional(app.pool())
    .await
    .expect("progress");
    if let Some((contract, completed, started)) = progress {
        facts.vendor_contract_on = day(contract);
        facts.completed_on = day(completed);
        facts.operation_started_on = day(started);
    }
    facts
}

/// The quote the facility's money is computed on: the newest paid confirmed one, else the
/// newest confirmed one, else the newest one.
async fn quote_used(app: &TestApp, facility: i64) -> Option<(i64, &'static str)> {
    let quotes: Vec<(i64, bool, Option<String>)> =
        sqlx::query_as("SELECT id, confirmed, paid_on FROM quotes WHERE facility_id = ? ORDER BY id DESC")
            .bind(facility)
            .fetch_all(app.pool())
            .await
            .expect("quotes");
    let paid = quotes.iter().filter(|q| q.1 && q.2.is_some()).max_by_key(|q| (q.2.clone(), q.0));
    paid.map(|q| (q.0, "支払済みの領収書"))
        .or_else(|| quotes.iter().find(|q| q.1).map(|q| (q.0, "確定した見積")))
        .or_else(|| quotes.first().map(|q| (q.0, "最新の見積")))
}

/// The rules' settlement of a quote's lines as stored: each line's category and amount (a
/// discount negative; quantity × unit price where no amount is written).
async fn settlement_of(app: &TestApp, facts: &ProvisioningFacts, quote: i64) -> Settlement {
    let tax_inclusive: bool = sqlx::query_scalar("SELECT tax_inclusive FROM quotes WHERE id = ?")
        .bind(quote)
        .fetch_one(app.pool())
        .await
        .expect("quote");
    let lines: Vec<StoredLine> = sqlx::query_as(
        "SELECT kind, category, quantity, unit_price, amount FROM quote_lines WHERE quote_id = ? ORDER BY position",
    )
    .bind(quote)
    .fetch_all(app.pool())
    .await
    .expect("lines");
    let costs = lines.into_iter().filter_map(|(kind, category, quantity, unit_price, amount)| {
        let written = amount.and_then(|a| Yen::parse(&a).ok());
        let computed = || {
            let q: rust_decimal::Decimal = quantity?.parse().ok()?;
            Some(Yen::new(Yen::parse(&unit_price?).ok()?.amount() * q))
        };
        let a = written.or_else(computed)?;
        let a = if kind == "discount" && !a.is_negative() { -a } else { a };
        Some((category.parse::<Category>().expect("category"), a))
    });
    let costs = CostSummary::of_lines(costs, tax_inclusive);
    settle(Catalog::builtin(), &facts.subsidy_input(Yen::ZERO), &costs).expect("the facts calculate")
}

/// The quote audit's settlement of the same quote with the facility's own facts, as the quote
/// page computes it: its stored lines and categories, the facility's context.
async fn audited_settlement(app: &TestApp, facts: &ProvisioningFacts, quote: i64) -> Settlement {
    use app::ssr::db::{benchmarks, quotes};
    let pool = app.pool();
    let tax_inclusive: bool = sqlx::query_scalar("SELECT tax_inclusive FROM quotes WHERE id = ?")
        .bind(quote)
        .fetch_one(pool)
        .await
        .expect("quote");
    let stored = quotes::lines_for_audit(pool, quote).await.expect("lines");
    let written = quotes::written(pool, quote).await.expect("written totals");
    let (q, classified) = quotes::audit_input(&stored, &written, tax_inclusive);
    let bench = benchmarks::stored(pool).await.expect("benchmarks");
    let ctx = rules::audit::AuditContext::of_facility(facts);
    let report = rules::audit::audit_classified(&q, &classified, &ctx, &bench, &Default::default(), Catalog::builtin());
    report.settlement.expect("the audit settles")
}

/// The demo corporation's facilities: (id, code).
async fn demo_corporation_facilities(app: &TestApp) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT f.id, f.facility_code FROM facilities f JOIN corporations c ON c.id = f.corporation_id
         WHERE c.code = 'demo_corp' ORDER BY f.id",
    )
    .fetch_all(app.pool())
    .await
    .expect("facilities")
}

#[tokio::test]
async fn every_demo_facility_page_shows_the_settlement_of_the_quote_it_used_with_its_three_parts() {
    let app = spawn_app_with_demo_activity().await;
    app.login_as(MANAGER).await;
    let mut with_costs = 0;
    for (id, code) in demo_corporation_facilities(&app).await {
        let html = app.get_html(&format!("/facilities/{id}")).await;
        assert!(html.contains("補助額と自己負担"), "{code}");
        let facts = facts_of(&app, id).await;
        let Some((quote, label)) = quote_used(&app, id).await else {
            // Without a quote: the most it could receive, labelled so, and no 自己負担.
            assert!(html.contains("上限見込み（見積未登録）"), "{code}");
            assert!(figure_after(&html, 0, "cap-estimate").is_some(), "{code}");
            assert!(figure_after(&html, 0, "self-burden").is_none(), "{code}: no 自己負担 without costs");
            continue;
        };
        with_costs += 1;
        assert_eq!(attribute(&html, "cost-basis", "data-quote"), Some(quote.to_string()), "{code}");
        assert!(figure(&html, "cost-basis").starts_with(label), "{code}: {}", figure(&html, "cost-basis"));
        let s = settlement_of(&app, &facts, quote).await;
        for (id_, expected) in [
            ("total-paid", s.costs.total),
            ("subsidy", s.subsidy),
            ("self-burden", s.self_burden),
            ("not-covered", s.not_covered),
            ("above-cap", s.above_cap),
            ("rate-share", s.rate_share),
        ] {
            assert_eq!(figure(&html, id_), expected.to_string(), "{code}: {id_}");
        }
        assert_eq!(s.not_covered + s.above_cap + s.rate_share, s.self_burden, "{code}");
        let audited = audited_settlement(&app, &facts, quote).await;
        assert_eq!(
            (audited.subsidy, audited.self_burden, audited.not_covered, audited.above_cap, audited.rate_share),
            (s.subsidy, s.self_burden, s.not_covered, s.above_cap, s.rate_share),
            "{code}: the quote audit with the facility's facts agrees to the yen"
        );
        assert_eq!(s.costs.total - s.subsidy, s.self_burden, "{code}");
    }
    assert_eq!(with_costs, 3, "the demo activity's three quotes");

    // By hand, the padded hospital quote (tax added): eligible 3,290,000 × 1.1 = 3,619,000円 of
    // 4,193,000 × 1.1 = 4,612,300円. No contract date: the normal rate, 1/2 of the 3-reader cap
    // 1,903,000円 = 951,500 → 951,000円.
    let hospital = app.get_html(&format!("/facilities/{}", facility_id(&app, "4010123018").await)).await;
    assert_eq!(figure(&hospital, "cost-basis"), "確定した見積（見積 #1）");
    assert_eq!(figure(&hospital, "total-paid"), yen(4_612_300));
    assert_eq!(figure(&hospital, "eligible"), yen(3_619_000));
    assert_eq!(figure(&hospital, "subsidy"), yen(951_000));
    assert_eq!(figure(&hospital, "self-burden"), yen(3_661_300), "4,612,300 − 951,000");
    assert_eq!(figure(&hospital, "not-covered"), yen(993_300), "保守・回線 456,000 + reader and app 447,000 + tax");
    assert_eq!(figure(&hospital, "above-cap"), yen(1_716_000), "3,619,000 − 1,903,000");
    assert_eq!(figure(&hospital, "rate-share"), yen(952_000), "1,903,000 − 951,000");
    assert_eq!(figure(&hospital, "scheme"), "オンライン資格確認導入補助（通常の補助率）");
    let assumptions = &hospital[hospital.find(r#"data-testid="settlement-assumptions""#).expect("assumptions")..];
    assert!(assumptions.contains("ベンダーとの契約日が入力されていないため"), "the assumption is named");
    let alternatives = &hospital[hospital.find(r#"data-testid="alternatives""#).expect("alternatives")..];
    assert!(
        alternatives.contains("令和5年2月28日までにベンダーと契約すると")
            && alternatives.contains("補助額 1,903,000円、自己負担 2,709,300円"),
        "what the contract date would have given"
    );
    let settlement = &hospital[hospital.find(r#"data-testid="facility-settlement""#).expect("section")..];
    let settlement = &settlement[..settlement.find("</section>").expect("section end")];
    assert!(settlement.contains("厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）"), "a public source");
    assert!(!settlement.contains("seeds/") && !settlement.contains("domain.md"), "never a file of the repository");

    // By hand, the clinic's paid receipts: 318,000 × 1.1 = 349,800円, all eligible; applied
    // 2022-07-15 and contracted 2022-09-10, so the 2022 revision's 実費補助: 349,000円.
    let clinic_id = facility_id(&app, "4010188425").await;
    let clinic = app.get_html(&format!("/facilities/{clinic_id}")).await;
    assert_eq!(figure(&clinic, "cost-basis"), "支払済みの領収書（見積 #2）");
    let shown: Vec<String> = ["total-paid", "subsidy", "self-burden", "not-covered", "above-cap", "rate-share"]
        .map(|i| figure(&clinic, i))
        .into();
    assert_eq!(shown, [yen(349_800), yen(349_000), yen(800), yen(0), yen(0), yen(800)]);
    let conditions = &clinic[clinic.find(r#"data-testid="scheme-conditions""#).expect("conditions")..];
    assert!(conditions.contains("令和4年7月15日") && conditions.contains("令和4年9月10日"), "the dates that met them");
    assert_eq!(conditions.matches(r#"data-status="met""#).count(), 2);
    // The 交付申請 prepared on the same receipts says the same.
    let (subsidy, burden): (String, String) =
        sqlx::query_as("SELECT subsidy, self_burden FROM subsidy_applications WHERE facility_id = ?")
            .bind(clinic_id)
            .fetch_one(app.pool())
            .await
            .expect("the clinic's application");
    assert_eq!((subsidy.as_str(), burden.as_str()), ("349000", "800"));
}

#[tokio::test]
async fn the_corporation_list_shows_each_facilitys_settlement_and_the_totals() {
    let app = spawn_app_with_demo_activity().await;
    app.login_as(MANAGER).await;
    let corp: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
        .fetch_one(app.pool())
        .await
        .expect("corp");
    let list = app.get_html(&format!("/corporations/{corp}")).await;
    let (mut subsidies, mut burdens, mut estimates) = (Yen::ZERO, Yen::ZERO, Yen::ZERO);
    for (id, code) in demo_corporation_facilities(&app).await {
        let row = list.find(&format!(r#"data-facility="{id}""#)).unwrap_or_else(|| panic!("{code} listed"));
        let row_end = row + list[row..].find("</tr>").expect("row end");
        let in_row = |testid: &str| figure_after(&list[..row_end], row, testid);
        let page = app.get_html(&format!("/facilities/{id}")).await;
        match quote_used(&app, id).await {
            Some((quote, label)) => {
                assert!(list[row..row_end].contains(&format!("{label}（見積 #{quote}）")), "{code}");
                let (s, b) = (in_row("subsidy").expect("subsidy"), in_row("self-burden").expect("burden"));
                assert_eq!((s.clone(), b.clone()), (figure(&page, "subsidy"), figure(&page, "self-burden")), "{code}");
                subsidies = subsidies + Yen::parse(&s).expect("yen");
                burdens = burdens + Yen::parse(&b).expect("yen");
            }
            None => {
                assert!(list[row..row_end].contains("上限見込み（見積未登録）"), "{code}");
                assert!(in_row("self-burden").is_none(), "{code}: no 自己負担 without costs");
                let e = in_row("cap-estimate").expect("estimate");
                assert_eq!(e, figure(&page, "cap-estimate"), "{code}");
                estimates = estimates + Yen::parse(&e).expect("yen");
            }
        }
    }
    // By hand: 951,000 + 349,000 + 363,000; 3,661,300 + 800 + 0; the second hospital's whole
    // 2-reader cap 2,002,000 under the 2022 revision + the unapplied clinic's 3/4 of 429,000.
    assert_eq!(
        (subsidies, burdens, estimates),
        (Yen::from_i64(1_663_000), Yen::from_i64(3_662_100), Yen::from_i64(2_323_000))
    );
    assert_eq!(figure(&list, "total-subsidy"), "1,663,000円（166.3万円）");
    assert_eq!(figure(&list, "total-self-burden"), "3,662,100円（366.21万円）");
    assert_eq!(figure(&list, "total-estimate"), "2,323,000円（232.3万円）");
}

async fn post_patients(app: &TestApp, who: &reqwest::Client, id: i64, fields: &[(&str, &str)]) -> reqwest::Response {
    let facility = id.to_string();
    let mut form = vec![("facility_id", facility.as_str())];
    form.extend_from_slice(fields);
    post_form(app, who, "/api/save_patients", &format!("/facilities/{id}"), &form).await
}

fn months(html: &str, fee: &str) -> (Option<String>, String) {
    let id = format!("payback-months-{fee}");
    (attribute(html, &id, "data-months"), figure(html, &id))
}

/// The rules' payback months for the hospital's 自己負担 and running costs.
fn rules_months(self_burden: i64, running: i64, first_visits: u32, revisits: u32) -> Vec<Option<String>> {
    let input = PaybackInput {
        facility_type: FacilityType::Hospital,
        self_burden: Yen::from_i64(self_burden),
        monthly_running_cost: Yen::from_i64(running),
        patients: MonthlyPatients { first_visits, revisits, prescriptions: 0 },
    };
    payback(&input).into_iter().map(|r| r.months.map(|m| m.to_string())).collect()
}

#[tokio::test]
async fn the_payback_follows_the_patients_entered_and_the_costs_as_the_rules_compute_it() {
    let app = spawn_app_with_demo_activity().await;
    app.login_as(MANAGER).await;
    let id = facility_id(&app, "4010123018").await;
    let page = format!("/facilities/{id}");
    let html = app.get_html(&page).await;
    assert!(figure(&html, "payback-unavailable").contains("患者数を入力すると"));
    // 保守 30,000 and 回線 8,000 a month, tax added.
    assert_eq!(figure(&html, "running-cost"), yen(41_800));

    let res = post_patients(&app, &app.client, id, &[("first_visits", "1,000"), ("revisits", "５０００")]).await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), format!("{page}#payback"));
    let html = app.get_html(&page).await;
    assert!(html.contains(r#"value="1000""#) && html.contains(r#"value="5000""#), "the form shows what is stored");
    // By hand: 1,000 × 7 + 5,000 × 4 = 27,000点 = 270,000円 a month, less 41,800円 = 228,200円;
    // 3,661,300 / 228,200 = 16.04 → 17 months. The successor gives 1,000 × 4点 = 40,000円,
    // less than the running costs: never.
    assert_eq!(months(&html, "electronic_info_2022"), (Some("17".into()), "17か月（1年5か月）".into()));
    let (none, why) = months(&html, "system_base_2022_10");
    assert_eq!(none, None);
    assert!(why.contains("月40,000円") && why.contains("月41,800円") && why.contains("回収できません"), "{why}");
    assert_eq!(rules_months(3_661_300, 41_800, 1_000, 5_000), [Some("17".into()), None]);
    let rows = &html[html.find(r#"data-testid="payback-rows""#).expect("rows")..];
    for shown in [
        "27,000点",
        "270,000円",
        "228,200円",
        "令和4年4月1日〜令和4年9月30日",
        "令和4年10月1日から",
        "初診 7点・再診 4点",
    ] {
        assert!(rows.contains(shown), "{shown}");
    }
    assert!(rows.contains("厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）"), "its source");
    let assumptions = &html[html.find(r#"data-testid="payback-assumptions""#).expect("assumptions")..];
    for said in ["高い方の点数", "患者1人につき月1回", "1点＝10円", "月41,800円"] {
        assert!(assumptions.contains(said), "{said}");
    }

    // More patients: 2,000 × 7 + 5,000 × 4 = 34,000点, 298,200円 net → 12.3 → 13 months; the
    // successor 80,000 − 41,800 = 38,200円 → 95.8 → 96 months.
    let res = post_patients(&app, &app.client, id, &[("first_visits", "2000"), ("revisits", "5000")]).await;
    assert_eq!(res.status(), 302);
    let html = app.get_html(&page).await;
    assert_eq!(months(&html, "electronic_info_2022").0.as_deref(), Some("13"));
    assert_eq!(months(&html, "system_base_2022_10"), (Some("96".into()), "96か月（8年）".into()));
    assert_eq!(rules_months(3_661_300, 41_800, 2_000, 5_000), [Some("13".into()), Some("96".into())]);

    // Other costs: a newer confirmed quote of 500,000円 eligible and 10,000円 of maintenance with
    // no period (taken as monthly), tax added. 550,000 × 1/2 = 275,000; 自己負担 561,000 −
    // 275,000 = 286,000; running 11,000 → 329,000 and 69,000 a month net → 1 and 5 months.
    let vendor: i64 = sqlx::query_scalar("SELECT id FROM vendors LIMIT 1").fetch_one(app.pool()).await.expect("vendor");
    let quote = insert_confirmed_quote(
        app.pool(),
        id,
        vendor,
        &[("資格確認端末", "terminal", "500000"), ("保守", "maintenance", "10000")],
    )
    .await;
    let html = app.get_html(&page).await;
    assert_eq!(attribute(&html, "cost-basis", "data-quote"), Some(quote.to_string()));
    assert_eq!(figure(&html, "self-burden"), yen(286_000));
    assert_eq!(figure(&html, "running-cost"), yen(11_000));
    assert_eq!(months(&html, "electronic_info_2022").0.as_deref(), Some("1"));
    assert_eq!(months(&html, "system_base_2022_10").0.as_deref(), Some("5"));
    assert_eq!(rules_months(286_000, 11_000, 2_000, 5_000), [Some("1".into()), Some("5".into())]);
    let assumptions = &html[html.find(r#"data-testid="payback-assumptions""#).expect("assumptions")..];
    assert!(assumptions.contains("「保守」は期間の記載がないため"), "the running-cost assumption is told");

    let logged: Vec<(String, String)> =
        sqlx::query_as("SELECT action, entity_id FROM audit_log WHERE entity = 'facility_patients' ORDER BY id")
            .fetch_all(app.pool())
            .await
            .expect("audit trail");
    assert_eq!(logged, [("create".to_owned(), id.to_string()), ("update".to_owned(), id.to_string())]);
}

async fn nothing_stored(app: &TestApp) {
    let (rows, logged): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM facility_patients), (SELECT count(*) FROM audit_log WHERE entity = 'facility_patients')",
    )
    .fetch_one(app.pool())
    .await
    .expect("counts");
    assert_eq!((rows, logged), (0, 0), "nothing stored, nothing logged");
}

#[tokio::test]
async fn bad_patient_counts_are_refused_beside_their_field_with_what_was_typed_and_nothing_stored() {
    let app = spawn_app_with_demo_activity().await;
    app.login_as(MANAGER).await;
    let id = facility_id(&app, "4010123018").await;
    for (first, re, first_says, re_says) in [
        ("12.5", "2000000", Some("0から1,000,000までの整数"), Some("1,000,000以下")),
        ("", "300", Some("を入力してください"), None),
        ("120", "-1", None, Some("0から1,000,000までの整数")),
    ] {
        let res = post_patients(&app, &app.client, id, &[("first_visits", first), ("revisits", re)]).await;
        let back = location(&res);
        assert!(back.contains("__err"), "{first:?} {re:?}: {back}");
        let html = app.client.get(&back).send().await.expect("GET").text().await.expect("body");
        let form = &html[html.find(r#"data-testid="patients-form""#).expect("the form")..];
        let form = &form[..form.find("</form>").expect("form end")];
        for (field, label, says) in
            [("first_visits", "初診の患者数（月）", first_says), ("revisits", "再診の患者数（月）", re_says)]
        {
            let input = form.find(&format!(r#"name="{field}""#)).expect("field");
            let next = form[input..].find("<label").map_or(form.len(), |i| input + i);
            let beside = &form[input..next];
            match says {
                Some(says) => {
                    assert!(beside.contains(r#"class="field-error""#), "{field}: {beside}");
                    assert!(beside.contains(label) && beside.contains(says), "{field}: {beside}");
                }
                None => assert!(!beside.contains("field-error"), "{field} is fine: {beside}"),
            }
        }
        for typed in [first, re] {
            assert!(form.contains(&format!(r#"value="{typed}""#)), "{typed:?} kept");
        }
    }
    nothing_stored(&app).await;
}

#[tokio::test]
async fn a_reviewer_reads_the_payback_but_cannot_post_the_patients_form_nor_a_manager_for_another_facility() {
    let app = spawn_app_with_demo_activity().await;
    let id = facility_id(&app, "4010123018").await;
    let reviewer = app.signed_in_client(REVIEWER).await;
    let html =
        reviewer.get(app.url(&format!("/facilities/{id}"))).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains(r#"data-testid="payback""#) && html.contains(r#"data-testid="patients""#), "read only");
    assert!(!html.contains(r#"data-testid="patients-form""#), "no form for a reviewer");
    assert_eq!(figure(&html, "subsidy"), yen(951_000), "the reviewer reads the same figures");
    let res = post_patients(&app, &reviewer, id, &[("first_visits", "100"), ("revisits", "200")]).await;
    assert_eq!(res.status(), 403);

    // A manager of the corporation, for a hospital outside it.
    app.login_as(MANAGER).await;
    let other = facility_id(&app, "4010166132").await;
    let res = post_patients(&app, &app.client, other, &[("first_visits", "100"), ("revisits", "200")]).await;
    assert!(location(&res).contains("__err"), "refused: {}", location(&res));
    nothing_stored(&app).await;
}

#[tokio::test]
async fn the_paid_receipts_come_before_a_newer_quote_and_a_confirmed_quote_before_an_unconfirmed_one() {
    let app = spawn_app_with_demo_activity().await;
    app.login_as(MANAGER).await;
    let pool = app.pool();
    let vendor: i64 = sqlx::query_scalar("SELECT id FROM vendors LIMIT 1").fetch_one(pool).await.expect("vendor");
    let basis = async |code: &str| {
        let html = app.get_html(&format!("/facilities/{}", facility_id(&app, code).await)).await;
        (figure(&html, "cost-basis"), attribute(&html, "cost-basis", "data-quote"))
    };
    let (clinic, hospital, second) = (
        facility_id(&app, "4010188425").await,
        facility_id(&app, "4010123018").await,
        facility_id(&app, "4012115079").await,
    );
    let lines = [("資格確認端末", "terminal", "100000")];
    insert_confirmed_quote(pool, clinic, vendor, &lines).await;
    assert_eq!(basis("4010188425").await.1.as_deref(), Some("2"), "the paid receipts, not the newer quote");
    let unconfirmed = |facility: i64| async move {
        let q = insert_confirmed_quote(pool, facility, vendor, &lines).await;
        sqlx::query("UPDATE quotes SET confirmed = 0 WHERE id = ?").bind(q).execute(pool).await.expect("unconfirm");
        q
    };
    unconfirmed(hospital).await;
    assert_eq!(basis("4010123018").await.1.as_deref(), Some("1"), "the confirmed quote, not the newer draft");
    let q = unconfirmed(second).await;
    assert_eq!(basis("4012115079").await, (format!("最新の見積（見積 #{q}）"), Some(q.to_string())));
}
