//! One subsidy and one 自己負担 for a facility's quote, from the facility's own dates: the
//! draft, the quote page, its comparison, the letter (HTML and PDF) and `onshi audit` with the
//! same facts say the same figures.

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// The quote of the clinic in the issue: 2,690,000円 before tax, 2,959,000円 with it, of which
/// a year of maintenance (240,000円 + tax) is a running cost the subsidy does not cover.
const QUOTE_CSV: &str = "品名,数量,単位,単価,金額\r\n\
資格確認端末,1,台,450000,450000\r\n\
レセコン改修,1,式,1500000,1500000\r\n\
導入設定作業,1,式,500000,500000\r\n\
保守サービス,12,ヶ月,20000,240000\r\n";

const QUOTE_NAME: &str = "naika_quote.csv";

/// オンシ内科クリニック, a 医科診療所 of the demo corporation (the demo manager's).
async fn clinic(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM facilities WHERE facility_code = '4010188425'")
        .fetch_one(app.pool())
        .await
        .expect("オンシ内科クリニック")
}

/// Applies for one reader of a listed model on `on`, through the facility page's form.
async fn apply_for_reader(app: &TestApp, facility: i64, on: &str) {
    let page = format!("/facilities/{facility}");
    let ids = facility.to_string();
    let fields = [
        ("facility_ids", ids.as_str()),
        ("applied_on", on),
        ("readers", "1"),
        ("maker", "fujitsu_japan"),
        ("bulk_declared_on", ""),
    ];
    let res = post_form(app, &app.client, "/api/apply_reader", &page, &fields).await;
    assert_eq!(location(&res), page, "the application is stored");
}

/// Records the vendor contract (ベンダ発注済) on `on`, through the facility page's form.
async fn contract_vendor(app: &TestApp, facility: i64, on: &str) {
    let page = format!("/facilities/{facility}");
    let ids = facility.to_string();
    let fields = [
        ("facility_id", ids.as_str()),
        ("stage", "vendor_ordered"),
        ("reached_on", on),
        ("vendor_id", ""),
        ("blocker_code", ""),
        ("blocker_text", ""),
    ];
    let res = post_form(app, &app.client, "/api/record_stage", &page, &fields).await;
    assert_eq!(res.status(), 302, "the contract is stored");
}

/// Uploads a quote file for the facility: the draft's path.
async fn upload(app: &TestApp, facility: i64, name: &str, bytes: Vec<u8>) -> String {
    let res = crate::quote_upload::upload(app, facility, name, bytes).await;
    assert_eq!(res.status(), 303, "{name} is read");
    location(&res)
}

/// Confirms a draft as read: the stored quote's path.
async fn confirm(app: &TestApp, draft: &str) -> String {
    let token = draft.rsplit('/').next().expect("token");
    let fields = [("token", token), ("vendor_id", ""), ("new_vendor", "株式会社ヘルスケアシステムズ")];
    let res = post_form(app, &app.client, "/api/confirm_quote", draft, &fields).await;
    let quote = location(&res);
    assert!(quote.starts_with("/quotes/") && !quote.contains("drafts"), "{quote}");
    quote
}

/// A clinic with its reader applied for on 2022-08-01 and, if given, a contract, and the
/// issue's quote uploaded and confirmed: (facility, quote page).
async fn clinic_with_quote(app: &TestApp, contract: Option<&str>) -> (i64, String) {
    let facility = clinic(app).await;
    apply_for_reader(app, facility, "2022-08-01").await;
    if let Some(on) = contract {
        contract_vendor(app, facility, on).await;
    }
    let draft = upload(app, facility, QUOTE_NAME, QUOTE_CSV.as_bytes().to_vec()).await;
    (facility, confirm(app, &draft).await)
}

/// The text inside the element with `data-testid="{id}"` (its tags left out).
fn testid(html: &str, id: &str) -> String {
    let marker = format!(r#"data-testid="{id}""#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {marker}"));
    let open = start + html[start..].find('>').expect("tag end") + 1;
    let mut depth = 0usize;
    let mut text = String::new();
    let mut rest = &html[open..];
    // Up to the element's own closing tag, counting nested ones.
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let gt = rest[lt..].find('>').expect("tag end") + lt;
        let tag = &rest[lt..=gt];
        if tag.starts_with("</") {
            if depth == 0 {
                return text;
            }
            depth -= 1;
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
        rest = &rest[gt + 1..];
    }
    text
}

/// The figures a page shows, by their test ids.
const FIGURES: [&str; 6] = ["total-paid", "subsidy", "self-burden", "not-covered", "above-cap", "rate-share"];

fn figures(html: &str) -> Vec<String> {
    FIGURES.iter().map(|id| testid(html, id)).collect()
}

fn strings(figures: &[&str]) -> Vec<String> {
    figures.iter().map(|f| (*f).to_owned()).collect()
}

/// `onshi audit FILE --facility-type medical_clinic ARGS` on the quote's bytes.
fn onshi_audit(file: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("audit")
        .arg(file)
        .args(["--facility-type", "medical_clinic"])
        .args(args)
        .env_remove("ONSHI_TODAY")
        .output()
        .expect("run onshi audit")
}

fn quote_file(dir: &Path) -> PathBuf {
    let path = dir.join(QUOTE_NAME);
    std::fs::write(&path, QUOTE_CSV).expect("write the quote");
    path
}

fn stdout(out: &std::process::Output) -> String {
    assert!(out.status.success(), "onshi audit: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[tokio::test]
async fn a_clinic_that_applied_in_2022_and_contracted_in_time_sees_the_same_full_subsidy_on_every_page_and_document() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = clinic(&app).await;
    apply_for_reader(&app, facility, "2022-08-01").await;
    contract_vendor(&app, facility, "2022-09-01").await;
    // 実費補助 up to the clinic cap: 429,000円; 自己負担 2,959,000 − 429,000 = 2,530,000円, of which
    // (a) 240,000 + 24,000 of tax, (b) 2,695,000 − 429,000, (c) nothing.
    let expected = strings(&["2,959,000円", "429,000円", "2,530,000円", "264,000円", "2,266,000円", "0円"]);

    // The draft shows them before the quote is stored.
    let draft = upload(&app, facility, QUOTE_NAME, QUOTE_CSV.as_bytes().to_vec()).await;
    let html = app.get_html(&draft).await;
    assert_eq!(figures(&html), expected, "the draft");
    assert!(testid(&html, "scheme").contains("令和4年度の補助の見直し（実費補助の再開）"));
    assert_eq!(testid(&html, "rate"), "実費補助（全額）");

    let quote = confirm(&app, &draft).await;
    let html = app.get_html(&quote).await;
    assert_eq!(figures(&html), expected, "the quote page");
    let settlement = testid(&html, "settlement");
    assert!(settlement.contains("令和4年度の補助の見直し（実費補助の再開）"), "{settlement}");
    for condition in [
        "カードリーダー申込日が令和4年6月7日〜令和4年12月31日であること（カードリーダー申込日: 令和4年8月1日）",
        "ベンダーとの契約日が令和5年2月28日までであること（契約日: 令和4年9月1日）",
    ] {
        assert!(settlement.contains(condition), "{condition}: {settlement}");
    }
    assert_eq!(html.matches(r#"data-met="true""#).count(), 2, "both conditions met");
    assert!(settlement.contains("運用費用（保守・回線使用料など。補助対象外）") && settlement.contains("240,000円"));
    assert!(settlement.contains("上記にかかる消費税") && settlement.contains("24,000円"));
    assert_eq!(testid(&html, "cap"), "429,000円（42.9万円）");
    assert!(!html.contains(r#"data-testid="assumptions""#), "nothing assumed");
    assert!(!html.contains(r#"data-testid="alternatives""#), "nothing better to reach");

    // Side by side with a second, smaller quote: the same figures, and the other's under the same scheme.
    let cover = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quote_reader/tests/fixtures/clinic_cover.xlsx"),
    )
    .expect("fixture");
    let other = confirm(&app, &upload(&app, facility, "clinic_cover.xlsx", cover).await).await;
    let other_id = other.rsplit('/').next().expect("id");
    let html = app.get_html(&format!("{quote}?compare={other_id}")).await;
    let comparison = testid(&html, "comparison");
    for row in [
        "補助額429,000円349,000円",
        "自己負担（支払総額 − 補助額）2,530,000円800円",
        "（a）補助対象外の費用264,000円0円",
        "（b）上限を超える補助対象経費2,266,000円0円",
        "（c）補助率により残る額0円800円",
    ] {
        assert!(comparison.contains(row), "{row}: {comparison}");
    }

    // The letter, as a page and as a PDF.
    let html = app.get_html(&format!("{quote}/letter")).await;
    let letter = testid(&html, "letter");
    let burden = "自己負担 2,530,000円（補助対象外の費用 264,000円 ＋ 上限を超える補助対象経費 2,266,000円 ＋ 補助率により残る額 0円）";
    assert!(letter.contains("補助金の見込み 429,000円（令和4年度の補助の見直し（実費補助の再開）"), "{letter}");
    assert!(letter.contains(burden), "{letter}");
    let res = app.get(&format!("{quote}/letter.pdf")).await;
    assert_eq!(res.status(), 200);
    let pdf: String = pdf_text(&res.bytes().await.expect("pdf")).chars().filter(|c| !c.is_whitespace()).collect();
    let squeezed = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert!(pdf.contains("補助金の見込み429,000円（令和4年度の補助の見直し"), "{pdf}");
    assert!(pdf.contains(&squeezed(burden)), "{pdf}");

    // `onshi audit` on the same file with the same facts.
    let dir = tempfile::tempdir().expect("dir");
    let file = quote_file(dir.path());
    let facts = ["--readers", "1", "--reader-applied-on", "2022-08-01", "--vendor-contract-on", "令和4年9月1日"];
    let text = stdout(&onshi_audit(&file, &facts));
    for (label, figure) in [
        "ベンダーへの支払総額（税込）",
        "補助額（千円未満切捨て）",
        "自己負担（支払総額 − 補助額）",
        "（a）補助対象外の費用",
        "（b）上限を超える補助対象経費",
        "（c）補助率により残る額",
    ]
    .iter()
    .zip(&expected)
    {
        assert!(text.contains(&format!("{label}: {figure}")), "{label}: {figure}\n{text}");
    }
    assert!(text.contains("適用する制度: 令和4年度の補助の見直し（実費補助の再開）"), "{text}");
    assert!(
        text.contains("[満たしています] ベンダーとの契約日が令和5年2月28日までであること（契約日: 令和4年9月1日）")
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&onshi_audit(&file, &[&facts[..], &["--json"]].concat()))).expect("json");
    let s = &json["settlement"];
    assert_eq!(s["outcome"]["scheme"], "revision_2022");
    let plain =
        [&s["costs"]["total"], &s["subsidy"], &s["self_burden"], &s["not_covered"], &s["above_cap"], &s["rate_share"]];
    assert_eq!(
        plain.map(|v| v.as_str().expect("a figure").to_owned()),
        ["2959000", "429000", "2530000", "264000", "2266000", "0"]
    );
    assert_eq!(json["subsidy"]["self_burden"], "2530000", "the short summary agrees");
}

#[tokio::test]
async fn without_a_reader_application_the_page_names_the_assumption_and_what_each_date_would_give() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = clinic(&app).await;
    let quote = confirm(&app, &upload(&app, facility, QUOTE_NAME, QUOTE_CSV.as_bytes().to_vec()).await).await;
    let html = app.get_html(&quote).await;
    // The normal 3/4: 429,000 × 3/4 = 321,750 → 321,000円; (c) 429,000 − 321,000.
    let expected = strings(&["2,959,000円", "321,000円", "2,638,000円", "264,000円", "2,266,000円", "108,000円"]);
    assert_eq!(figures(&html), expected);
    let assumed = testid(&html, "assumptions");
    assert!(
        assumed.contains("カードリーダーの申込日が入力されていないため、申込日を条件としない「オンライン資格確認導入補助（通常の補助率）」で計算しました。"),
        "{assumed}"
    );
    let alternatives = testid(&html, "alternatives");
    let sentences = [
        "令和4年12月31日までにカードリーダーを申し込み、令和5年2月28日までにベンダーと契約すると「令和4年度の補助の見直し（実費補助の再開）」で補助額 429,000円、自己負担 2,530,000円（期限（令和4年12月31日）は過ぎています）",
        "令和3年3月31日までにカードリーダーを申し込むと「「加速化プラン」を踏まえた追加的な財政補助（実費補助）」で補助額 429,000円、自己負担 2,530,000円（期限（令和3年3月31日）は過ぎています）",
    ];
    for sentence in sentences {
        assert!(alternatives.contains(sentence), "{sentence}\n{alternatives}");
    }
    // Said once: the assumption is not repeated among the notes.
    assert_eq!(html.matches("カードリーダーの申込日が入力されていないため").count(), 1);

    // The command line says the same, and a deadline still ahead is told as one.
    let dir = tempfile::tempdir().expect("dir");
    let file = quote_file(dir.path());
    let text = stdout(&onshi_audit(&file, &[]));
    assert!(text.contains("前提: カードリーダーの申込日が入力されていないため"), "{text}");
    for sentence in sentences {
        assert!(text.contains(&format!("- {sentence}")), "{sentence}\n{text}");
    }
    assert_eq!(figures(&html)[2], "2,638,000円");
    assert!(text.contains("自己負担（支払総額 − 補助額）: 2,638,000円"), "{text}");
    let then = Command::new(BIN)
        .arg("audit")
        .arg(&file)
        .args(["--facility-type", "medical_clinic"])
        .env("ONSHI_TODAY", "2022-10-01")
        .output()
        .expect("run onshi audit");
    let then = stdout(&then);
    assert!(then.contains("自己負担 2,530,000円（期限: 令和4年12月31日）"), "{then}");
}

#[tokio::test]
async fn a_contract_taken_away_brings_back_the_normal_rate_and_the_contract_deadline() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, quote) = clinic_with_quote(&app, Some("2022-09-01")).await;
    assert_eq!(testid(&app.get_html(&quote).await, "subsidy"), "429,000円");
    // No form withdraws a contract date once recorded: the correction is made in the data.
    sqlx::query("UPDATE facility_progress SET vendor_contract_on = NULL WHERE facility_id = ?")
        .bind(facility)
        .execute(app.pool())
        .await
        .expect("contract withdrawn");
    let html = app.get_html(&quote).await;
    let expected = strings(&["2,959,000円", "321,000円", "2,638,000円", "264,000円", "2,266,000円", "108,000円"]);
    assert_eq!(figures(&html), expected);
    assert_eq!(testid(&html, "rate"), "3/4補助");
    assert!(testid(&html, "assumptions").contains("ベンダーとの契約日が入力されていないため"));
    let alternatives = testid(&html, "alternatives");
    assert!(
        alternatives.starts_with(
            "令和5年2月28日までにベンダーと契約すると「令和4年度の補助の見直し（実費補助の再開）」で補助額 429,000円、自己負担 2,530,000円"
        ),
        "{alternatives}"
    );
    // And the letter follows.
    let letter = testid(&app.get_html(&format!("{quote}/letter")).await, "letter");
    assert!(letter.contains("補助金の見込み 321,000円") && letter.contains("自己負担 2,638,000円"), "{letter}");
}

#[tokio::test]
async fn the_same_facts_given_to_the_http_audit_and_the_command_give_the_same_settlement() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = quote_file(dir.path());
    let audit = |contract: &'static str| {
        let fields = [
            ("facility_type", "medical_clinic"),
            ("reader_applied_on", "2022-08-01"),
            ("vendor_contract_on", contract),
        ];
        let app = &app;
        async move { crate::audit::post_audit(app, QUOTE_NAME, QUOTE_CSV.as_bytes().to_vec(), &fields).await }
    };
    let res = audit("2022-09-01").await;
    assert_eq!(res.status(), 200);
    let http: serde_json::Value = res.json().await.expect("json");
    let facts = ["--reader-applied-on", "2022-08-01", "--vendor-contract-on", "2022-09-01", "--json"];
    let cli: serde_json::Value = serde_json::from_str(&stdout(&onshi_audit(&file, &facts))).expect("json");
    assert_eq!(http["settlement"], cli["settlement"]);
    assert_eq!(http["settlement"]["subsidy"], "429000");

    // A contract before the reader application is refused by both, naming both dates.
    let res = audit("2022-07-01").await;
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["field"], "vendor_contract_on");
    let both = "ベンダー契約日（発注日）（令和4年7月1日）がカードリーダー申込日（令和4年8月1日）より前になっています";
    assert!(body["error"].as_str().expect("error").contains(both), "{body}");
    let out = onshi_audit(&file, &["--reader-applied-on", "2022-08-01", "--vendor-contract-on", "2022-07-01"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--vendor-contract-on") && err.contains(both), "{err}");
}
