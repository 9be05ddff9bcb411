//! One subsidy and one 自己負担 per facility wherever Onshi shows them, read from outside as a
//! person or a script reads them — pages (by their data-testid), the letter and 交付申請 PDFs
//! through pdftotext, the CSVs — and compared with `onshi subsidy` and `onshi audit` given the
//! same facts and costs.

use crate::helpers::*;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// The figures a document shows, in yen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    subsidy: i64,
    self_burden: i64,
}

/// The first amount 「1,234円」 in `text`, as yen.
fn first_amount(text: &str) -> Option<i64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits: String = text[start..].chars().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    digits.replace(',', "").parse().ok()
}

/// The amount in the element marked `data-testid="{id}"` (its text up to the next tag), the
/// `n`th such element.
fn testid_amounts(html: &str, id: &str) -> Vec<i64> {
    let marker = format!("data-testid=\"{id}\"");
    html.match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &html[at..];
            let open_end = rest.find('>')?;
            let body = &rest[open_end + 1..];
            let text: String = body.chars().take_while(|c| *c != '<').collect();
            first_amount(&text)
        })
        .collect()
}

fn testid_amount(html: &str, id: &str, what: &str) -> i64 {
    let all = testid_amounts(html, id);
    assert!(!all.is_empty(), "{what}: no data-testid={id}");
    assert!(all.windows(2).all(|w| w[0] == w[1]), "{what}: {id} shows {all:?}");
    all[0]
}

fn page_figures(html: &str, what: &str) -> Figures {
    Figures { subsidy: testid_amount(html, "subsidy", what), self_burden: testid_amount(html, "self-burden", what) }
}

/// Every amount that follows `label` (within a few characters) in a text.
fn amounts_after(text: &str, label: &str) -> Vec<i64> {
    text.lines()
        // What other dates would give (「…すると」) and the amount before a revision (「見直し前の制度
        // での補助額 … との差額」) are other figures by design.
        .filter(|l| !l.contains("すると") && !l.contains("見直し前"))
        .flat_map(|l| {
            l.match_indices(label).filter_map(move |(at, _)| {
                let rest: String = l[at + label.len()..].chars().take(12).collect();
                // 「自己負担額」「自己負担（…）」: only a figure right after the label and its punctuation.
                let rest = rest.trim_start_matches(['額', ':', '：', ' ', '　', '\u{3000}']);
                rest.starts_with(|c: char| c.is_ascii_digit()).then(|| first_amount(rest)).flatten()
            })
        })
        .collect()
}

/// Requires every 自己負担 and every 補助額 of a text document to be the expected figures.
fn check_text(text: &str, expected: Figures, what: &str) {
    let burdens = amounts_after(text, "自己負担");
    assert!(!burdens.is_empty(), "{what} shows no 自己負担:\n{text}");
    assert!(
        burdens.iter().all(|b| *b == expected.self_burden),
        "{what}: 自己負担 {burdens:?}, expected {expected:?}\n{text}"
    );
    let subsidies: Vec<i64> =
        ["補助額", "補助金申請額", "補助金の見込み"].iter().flat_map(|l| amounts_after(text, l)).collect();
    assert!(!subsidies.is_empty(), "{what} shows no 補助額:\n{text}");
    assert!(
        subsidies.iter().all(|s| *s == expected.subsidy),
        "{what}: 補助額 {subsidies:?}, expected {expected:?}\n{text}"
    );
}

/// A facility's stored facts, as `onshi subsidy` flags.
#[derive(Debug, sqlx::FromRow)]
struct FactsRow {
    corporation_id: Option<i64>,
    facility_type: String,
    readers: Option<i64>,
    applied_on: Option<String>,
    model_undecided: Option<bool>,
    model_chosen_on: Option<String>,
    bulk_declared_on: Option<String>,
    vendor_contract_on: Option<String>,
    completed_on: Option<String>,
    operation_started_on: Option<String>,
    grace_type: Option<i64>,
    grace_accepted: Option<bool>,
}

const FACTS: &str = "SELECT f.corporation_id, f.facility_type, a.readers, a.applied_on, a.model_undecided,
        a.model_chosen_on, a.bulk_declared_on, p.vendor_contract_on, p.completed_on, p.operation_started_on,
        p.grace_type, p.grace_accepted
     FROM facilities f LEFT JOIN reader_applications a ON a.facility_id = f.id
     LEFT JOIN facility_progress p ON p.facility_id = f.id WHERE f.id = ?";

impl FactsRow {
    fn flags(&self) -> Vec<String> {
        let readers = self.readers.unwrap_or(1).clamp(1, if self.facility_type == "hospital" { 3 } else { 1 });
        let mut args =
            vec!["--facility-type".to_owned(), self.facility_type.clone(), "--readers".to_owned(), readers.to_string()];
        for (flag, value) in [
            ("--reader-applied-on", &self.applied_on),
            ("--model-chosen-on", &self.model_chosen_on),
            ("--bulk-declared-on", &self.bulk_declared_on),
            ("--vendor-contract-on", &self.vendor_contract_on),
            ("--completed-on", &self.completed_on),
            ("--operation-started-on", &self.operation_started_on),
        ] {
            if let Some(v) = value {
                args.extend([flag.to_owned(), v.clone()]);
            }
        }
        if self.model_undecided == Some(true) {
            args.push("--model-undecided".to_owned());
        }
        if let (Some(g), Some(true)) = (self.grace_type, self.grace_accepted) {
            args.extend(["--grace-type".to_owned(), g.to_string()]);
        }
        args
    }
}

fn json_yen(v: &serde_json::Value, key: &str) -> i64 {
    let s = v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"));
    s.parse().unwrap_or_else(|_| panic!("{key} = {s}"))
}

/// `onshi subsidy --json` with the facts and the two cost figures.
fn onshi_subsidy(facts: &FactsRow, eligible: i64, not_covered: i64) -> Figures {
    let out = Command::new(BIN)
        .arg("subsidy")
        .args(facts.flags())
        .args(["--eligible-cost", &eligible.to_string(), "--not-covered", &not_covered.to_string(), "--json"])
        .output()
        .expect("run onshi subsidy");
    assert!(out.status.success(), "onshi subsidy: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    Figures { subsidy: json_yen(&v, "subsidy"), self_burden: json_yen(&v, "self_burden") }
}

/// The simulator's query for the same facts and costs.
fn simulator_query(facts: &FactsRow, eligible: i64, not_covered: i64) -> String {
    let flags = facts.flags();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut it = flags.iter().peekable();
    while let Some(flag) = it.next() {
        let name = flag.trim_start_matches("--").replace('-', "_");
        let value = match it.peek() {
            Some(v) if !v.starts_with("--") => it.next().cloned().unwrap_or_default(),
            _ => "on".to_owned(),
        };
        pairs.push((name, value));
    }
    pairs.push(("eligible_cost".into(), eligible.to_string()));
    pairs.push(("not_covered".into(), not_covered.to_string()));
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("/subsidy?{}", query.join("&"))
}

/// The text of the PDF at `path`, through pdftotext.
async fn pdf_at(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    pdf_text(&res.bytes().await.expect("PDF"))
}

/// The CSV rows of a download (UTF-8 with BOM).
async fn csv_rows(app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    let body = res.text().await.expect("CSV body");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// The index of the CSV row whose `header` column is `id`.
fn row_with(rows: &[Vec<String>], header: &str, id: i64) -> usize {
    let col = rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("{header} in {:?}", rows[0]));
    (1..rows.len()).find(|r| rows[*r][col] == id.to_string()).unwrap_or_else(|| panic!("{header} {id} in the CSV"))
}

/// The subsidy and 自己負担 of application `id` in `applications.csv`.
fn csv_figures(list: &[Vec<String>], id: i64) -> Figures {
    let row = row_with(list, "申請ID", id);
    Figures {
        subsidy: csv_amount(list, row, "補助金申請額"), self_burden: csv_amount(list, row, "自己負担額")
    }
}

fn csv_amount(rows: &[Vec<String>], row: usize, header: &str) -> i64 {
    let col = rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("{header} in {:?}", rows[0]));
    first_amount(&rows[row][col]).unwrap_or_else(|| panic!("{header}: {:?}", rows[row][col]))
}

/// The row of a page's table that links to `href`.
fn row_linking<'a>(html: &'a str, href: &str) -> &'a str {
    html.split("<tr")
        .find(|row| row.contains(&format!("href=\"{href}\"")))
        .unwrap_or_else(|| panic!("a row linking to {href}"))
}

#[tokio::test]
async fn every_page_and_document_of_each_demo_facility_with_a_quote_shows_one_subsidy_and_one_self_burden() {
    let app = spawn_app_with_demo_activity().await;
    let pool = app.pool().clone();
    app.login_as(MANAGER).await;
    let quotes: Vec<(i64, i64)> =
        sqlx::query_as("SELECT q.facility_id, max(q.id) FROM quotes q GROUP BY q.facility_id ORDER BY q.facility_id")
            .fetch_all(&pool)
            .await
            .expect("quotes");
    assert_eq!(quotes.len(), 3, "the demo activity's three facilities with a quote");
    let mut checked_application = false;
    for (facility, quote) in quotes {
        let facts: FactsRow = sqlx::query_as(FACTS).bind(facility).fetch_one(&pool).await.expect("facts");
        let what = |doc: &str| format!("facility {facility}, {doc}");

        // The quote page gives the costs and the figures everything else must repeat.
        let quote_page = app.get_html(&format!("/quotes/{quote}")).await;
        let expected = page_figures(&quote_page, &what("quote page"));
        let total = testid_amount(&quote_page, "total-paid", &what("quote page"));
        let not_covered = testid_amount(&quote_page, "not-covered", &what("quote page"));
        let above_cap = testid_amount(&quote_page, "above-cap", &what("quote page"));
        let rate_share = testid_amount(&quote_page, "rate-share", &what("quote page"));
        assert_eq!(expected.self_burden, total - expected.subsidy, "{}", what("自己負担 = 支払総額 − 補助額"));
        assert_eq!(not_covered + above_cap + rate_share, expected.self_burden, "{}", what("the three parts"));

        // `onshi subsidy` with the same facts and costs.
        assert_eq!(onshi_subsidy(&facts, total - not_covered, not_covered), expected, "{}", what("onshi subsidy"));

        // `onshi audit` on the stored file with the same facts.
        let bytes: Vec<u8> = sqlx::query_scalar("SELECT bytes FROM quote_files WHERE quote_id = ?")
            .bind(quote)
            .fetch_one(&pool)
            .await
            .expect("the quote's file");
        let file_name: String = sqlx::query_scalar("SELECT file_name FROM quotes WHERE id = ?")
            .bind(quote)
            .fetch_one(&pool)
            .await
            .expect("name");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(&file_name);
        std::fs::write(&path, &bytes).expect("write the quote file");
        let out =
            Command::new(BIN).arg("audit").arg(&path).args(facts.flags()).arg("--json").output().expect("onshi audit");
        assert!(out.status.success(), "onshi audit: {}", String::from_utf8_lossy(&out.stderr));
        let audit: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let settlement = audit.pointer("/report/settlement").or_else(|| audit.get("settlement")).unwrap_or(&audit);
        let stored_categories_differ: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM quote_lines WHERE quote_id = ? AND parsed_category IS NOT NULL AND parsed_category <> category",
        )
        .bind(quote)
        .fetch_one(&pool)
        .await
        .expect("corrections");
        if stored_categories_differ == 0 {
            assert_eq!(
                Figures { subsidy: json_yen(settlement, "subsidy"), self_burden: json_yen(settlement, "self_burden") },
                expected,
                "{}",
                what("onshi audit")
            );
        }

        // The facility page, the letter (HTML and PDF), the corporation list, the simulator.
        let facility_page = app.get_html(&format!("/facilities/{facility}")).await;
        assert_eq!(page_figures(&facility_page, &what("facility page")), expected, "{}", what("facility page"));
        let letter = app.get_html(&format!("/quotes/{quote}/letter")).await;
        check_text(&strip_tags(&letter), expected, &what("letter"));
        check_text(&pdf_at(&app, &format!("/quotes/{quote}/letter.pdf")).await, expected, &what("letter PDF"));
        if let Some(corp) = facts.corporation_id {
            let list = app.get_html(&format!("/corporations/{corp}")).await;
            let row = row_linking(&list, &format!("/facilities/{facility}"));
            assert_eq!(page_figures(row, &what("corporation list")), expected, "{}", what("corporation list"));
        }
        let simulator = app.get_html(&simulator_query(&facts, total - not_covered, not_covered)).await;
        assert_eq!(page_figures(&simulator, &what("simulator")), expected, "{}", what("simulator"));

        // The 交付申請 built on the quote: page, PDF, CSV.
        let application: Option<i64> =
            sqlx::query_scalar("SELECT id FROM subsidy_applications WHERE facility_id = ? AND quote_id = ?")
                .bind(facility)
                .bind(quote)
                .fetch_optional(&pool)
                .await
                .expect("application");
        if let Some(id) = application {
            checked_application = true;
            let page = app.get_html(&format!("/applications/{id}")).await;
            assert_eq!(page_figures(&page, &what("交付申請")), expected, "{}", what("交付申請"));
            check_text(&strip_tags(&page), expected, &what("交付申請 page text (table and 備考)"));
            check_text(
                &pdf_at(&app, &format!("/applications/{id}/package.pdf")).await,
                expected,
                &what("交付申請 PDF"),
            );
            let list = csv_rows(&app, "/exports/applications.csv").await;
            assert_eq!(csv_figures(&list, id), expected, "{}", what("applications.csv"));
        }
    }
    assert!(checked_application, "the demo's finished clinic has its 交付申請");
}

/// The text of an HTML page: block tags become line breaks, other tags spaces, so that a table
/// row reads 「自己負担額 2,530,000円」 on one line.
fn strip_tags(html: &str) -> String {
    const BLOCKS: [&str; 10] = ["tr", "p", "li", "div", "br", "h1", "h2", "h3", "section", "table"];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else { break };
        let tag = rest[open + 1..open + close].trim_start_matches('/');
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        out.push(if BLOCKS.contains(&name.as_str()) { '\n' } else { ' ' });
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
}

#[tokio::test]
async fn a_sample_of_the_national_seeds_applications_shows_the_same_figures_on_every_page_and_in_onshi_subsidy() {
    let app = spawn_app().await;
    let pool = app.pool().clone();
    let options = server::seed::national::Options { lines_per_quote: 4, ..server::seed::national::Options::new(400) };
    server::seed::national::seed(&pool, &options, |_| {}).await.expect("seed-national runs");
    // Every fifth application, up to eight: types, schemes and dates as the generator spreads them.
    let sample: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, facility_id, quote_id FROM subsidy_applications WHERE quote_id IS NOT NULL AND id % 5 = 0 ORDER BY id LIMIT 8",
    )
    .fetch_all(&pool)
    .await
    .expect("applications");
    assert!(sample.len() >= 3, "the seed writes applications: {sample:?}");
    app.login_as(AUDITOR).await;
    let list = csv_rows(&app, "/exports/applications.csv").await;
    for (id, facility, quote) in sample {
        let what = |doc: &str| format!("application {id} (facility {facility}), {doc}");
        let facts: FactsRow = sqlx::query_as(FACTS).bind(facility).fetch_one(&pool).await.expect("facts");
        let page = app.get_html(&format!("/applications/{id}")).await;
        let expected = page_figures(&page, &what("page"));
        let total = testid_amount(&page, "total-paid", &what("page"));
        let not_covered = testid_amount(&page, "not-covered", &what("page"));
        assert_eq!(expected.self_burden, total - expected.subsidy, "{}", what("自己負担 = 総事業費 − 補助金申請額"));
        check_text(&strip_tags(&page), expected, &what("page text"));
        assert_eq!(onshi_subsidy(&facts, total - not_covered, not_covered), expected, "{}", what("onshi subsidy"));
        check_text(&pdf_at(&app, &format!("/applications/{id}/package.pdf")).await, expected, &what("PDF"));
        assert_eq!(csv_figures(&list, id), expected, "{}", what("applications.csv"));
        let quote_page = app.get_html(&format!("/quotes/{quote}")).await;
        assert_eq!(page_figures(&quote_page, &what("quote page")), expected, "{}", what("quote page"));
        let facility_page = app.get_html(&format!("/facilities/{facility}")).await;
        assert_eq!(page_figures(&facility_page, &what("facility page")), expected, "{}", what("facility page"));
    }
}
