//! The access matrix: every page, every role, own versus foreign object → the expected status.
//!
//! One table drives the test, and every route of the app must appear in it,
//! so a new page cannot ship without its access rules.

use crate::helpers::*;
use sqlx::SqlitePool;

/// Which object a path's `{id}` names for the role under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    /// The path has no id.
    None,
    /// A facility (or its quote) inside the role's scope.
    Own,
    /// One outside it (for auditors, who see everything: an id that does not exist).
    Foreign,
}

const ROLES: [&str; 4] = [MANAGER, REVIEWER, AUDITOR, ADMIN];

/// (path, object, expected status for manager, reviewer, auditor, admin).
const MATRIX: &[(&str, Obj, [u16; 4])] = &[
    ("/", Obj::None, [200, 200, 200, 200]),
    ("/login", Obj::None, [200, 200, 200, 200]),
    // Public pages: a link without its token says it cannot be used.
    ("/password/forgot", Obj::None, [200, 200, 200, 200]),
    ("/password/reset", Obj::None, [200, 200, 200, 200]),
    ("/subsidy", Obj::None, [200, 200, 200, 200]),
    ("/reference/vendors", Obj::None, [200, 200, 200, 200]),
    ("/reference/statistics", Obj::None, [200, 200, 200, 200]),
    ("/reference/benchmarks", Obj::None, [200, 200, 200, 200]),
    ("/reference/sources", Obj::None, [200, 200, 200, 200]),
    ("/facilities", Obj::None, [200, 200, 200, 403]),
    ("/facilities/new", Obj::None, [200, 403, 403, 403]),
    ("/facilities/{id}", Obj::Own, [200, 200, 200, 403]),
    ("/facilities/{id}/edit", Obj::Own, [200, 403, 403, 403]),
    ("/facilities/{id}/quotes/new", Obj::Own, [200, 403, 403, 403]),
    ("/facilities/{id}/edit", Obj::Foreign, [404, 403, 403, 403]),
    ("/facilities/{id}", Obj::Foreign, [404, 404, 404, 403]),
    ("/quotes/drafts/{token}", Obj::None, [404, 403, 403, 403]),
    ("/quotes/{id}", Obj::Own, [200, 200, 200, 403]),
    ("/quotes/{id}", Obj::Foreign, [404, 404, 404, 403]),
    ("/quotes/{id}/file", Obj::Own, [404, 404, 404, 403]),
    ("/quotes/{id}/file", Obj::Foreign, [404, 404, 404, 403]),
    ("/quotes/{id}/letter", Obj::Own, [200, 200, 200, 403]),
    ("/quotes/{id}/letter", Obj::Foreign, [404, 404, 404, 403]),
    ("/quotes/{id}/letter.pdf", Obj::Own, [200, 200, 200, 403]),
    ("/quotes/{id}/letter.pdf", Obj::Foreign, [404, 404, 404, 403]),
    ("/corporations/{id}", Obj::Own, [200, 200, 200, 403]),
    ("/corporations/{id}", Obj::Foreign, [404, 404, 404, 403]),
    ("/corporations/{id}/applications.zip", Obj::Own, [200, 200, 200, 403]),
    ("/corporations/{id}/applications.zip", Obj::Foreign, [404, 404, 404, 403]),
    ("/dashboard", Obj::None, [200, 200, 200, 403]),
    ("/dashboard/funnel_by_type.csv", Obj::None, [200, 200, 200, 403]),
    ("/applications", Obj::None, [200, 200, 200, 403]),
    ("/applications/{id}", Obj::Own, [200, 200, 200, 403]),
    ("/applications/{id}", Obj::Foreign, [404, 404, 404, 403]),
    ("/applications/{id}/package.pdf", Obj::Own, [200, 200, 200, 403]),
    ("/applications/{id}/package.pdf", Obj::Foreign, [404, 404, 404, 403]),
    ("/applications/{id}/package.csv", Obj::Own, [200, 200, 200, 403]),
    ("/applications/{id}/package.csv", Obj::Foreign, [404, 404, 404, 403]),
    ("/vendors", Obj::None, [403, 200, 200, 403]),
    ("/vendors/{vendor}", Obj::None, [200, 200, 200, 403]),
    ("/complaints", Obj::None, [200, 200, 200, 403]),
    ("/complaints/new", Obj::None, [200, 403, 403, 403]),
    ("/complaints/{id}", Obj::Own, [200, 200, 200, 403]),
    ("/complaints/{id}", Obj::Foreign, [404, 404, 404, 403]),
    ("/admin/users", Obj::None, [403, 403, 403, 200]),
    ("/admin/vendors", Obj::None, [403, 403, 403, 200]),
    ("/admin/registry", Obj::None, [403, 403, 403, 200]),
    // No import 0 on this server: the admin is told so, the others are refused first.
    ("/admin/registry/imports/{id}", Obj::None, [403, 403, 403, 404]),
    ("/account/second-factor", Obj::None, [200, 200, 200, 200]),
    ("/audit-log", Obj::None, [403, 403, 200, 403]),
    ("/audit-log.csv", Obj::None, [403, 403, 200, 403]),
    ("/audit-log.csv?encoding=sjis", Obj::None, [403, 403, 200, 403]),
    ("/exports/facilities.csv", Obj::None, [200, 200, 200, 403]),
    ("/exports/facilities.csv?encoding=sjis", Obj::None, [200, 200, 200, 403]),
    ("/exports/quotes.csv", Obj::None, [200, 200, 200, 403]),
    ("/exports/quote_lines.csv", Obj::None, [200, 200, 200, 403]),
    ("/exports/complaints.csv", Obj::None, [200, 200, 200, 403]),
    ("/exports/applications.csv", Obj::None, [200, 200, 200, 403]),
    ("/exports/vendors.csv", Obj::None, [200, 200, 200, 200]),
    ("/exports/vendors.csv?encoding=sjis", Obj::None, [200, 200, 200, 200]),
    ("/exports/users.csv", Obj::None, [404, 404, 404, 404]),
    ("/exports/quote_lines.csv?facility={id}", Obj::Own, [200, 200, 200, 403]),
    ("/exports/quote_lines.csv?facility={id}", Obj::Foreign, [404, 404, 404, 403]),
];

async fn id(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn quote_for(pool: &SqlitePool, facility: i64, name: &str) -> i64 {
    let q: i64 =
        sqlx::query_scalar("INSERT INTO quotes (facility_id, file_name, confirmed) VALUES (?, ?, 1) RETURNING id")
            .bind(facility)
            .bind(name)
            .fetch_one(pool)
            .await
            .expect("quote");
    sqlx::query(
        "INSERT INTO quote_lines (quote_id, position, kind, description, category, amount) VALUES (?, 0, 'item', ?, 'terminal', '150000')",
    )
    .bind(q)
    .bind(format!("{name}の端末"))
    .execute(pool)
    .await
    .expect("line");
    q
}

/// A draft application of the facility, its package prepared by the rules.
async fn application_for(pool: &SqlitePool, facility: i64, quote: i64) -> i64 {
    use rules::application::{Applicant, CostLine, FinalCosts, Request, prepare};
    use rules::provisioning::ProvisioningFacts;
    let day = |s: &str| s.parse::<chrono::NaiveDate>().expect("date");
    let facts = ProvisioningFacts {
        readers: 1,
        reader_applied_on: Some(day("2021-03-15")),
        completed_on: Some(day("2023-01-20")),
        operation_started_on: Some(day("2023-02-01")),
        ..ProvisioningFacts::new(rules::FacilityType::MedicalClinic, true)
    };
    let costs = FinalCosts {
        lines: vec![CostLine {
            category: rules::category::Category::Terminal,
            description: "端末".into(),
            amount: rules::Yen::from_i64(150_000),
        }],
        tax_inclusive: false,
        paid_on: Some(day("2023-02-10")),
        payee: None,
    };
    let applicant = Applicant {
        name: format!("施設{facility}"),
        facility_code: "0110113719".into(),
        facility_type: rules::FacilityType::MedicalClinic,
        prefecture: "北海道".into(),
        address: String::new(),
        founder: format!("施設{facility}"),
        representative_name: String::new(),
        representative_title: String::new(),
        phone: String::new(),
        contact_person: String::new(),
    };
    let request = Request { facts: &facts, costs: &costs, readers_claimed: 1, applied_on: day("2023-05-01") };
    let p = prepare(rules::scheme::Catalog::builtin(), applicant, request).expect("eligible");
    sqlx::query_scalar(
        "INSERT INTO subsidy_applications (facility_id, quote_id, applied_on, scheme_id, total_cost, eligible_cost,
             subsidy, self_burden, package_json)
         VALUES (?, ?, '2023-05-01', ?, '165000', '165000', '165000', '0', ?) RETURNING id",
    )
    .bind(facility)
    .bind(quote)
    .bind(&p.scheme_id)
    .bind(serde_json::to_string(&p).expect("json"))
    .fetch_one(pool)
    .await
    .expect("application")
}

async fn complaint_for(pool: &SqlitePool, facility: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO complaints (facility_id, kind, description, status, filed_by) VALUES (?, 'high_quote', '高額', 'submitted', 1) RETURNING id",
    )
    .bind(facility)
    .fetch_one(pool)
    .await
    .expect("complaint")
}

/// (own facility, foreign facility) of each role, by the demo data's scopes.
async fn facilities_by_role(pool: &SqlitePool) -> [(i64, i64); 4] {
    let corp = "(SELECT id FROM corporations WHERE code = 'demo_corp')";
    let manager_own = id(pool, &format!("SELECT id FROM facilities WHERE corporation_id = {corp} LIMIT 1")).await;
    let manager_foreign =
        id(pool, &format!("SELECT id FROM facilities WHERE corporation_id IS NOT {corp} LIMIT 1")).await;
    let medical_fukuoka = "prefecture = '40' AND facility_type IN ('hospital', 'medical_clinic')";
    let reviewer_own = id(pool, &format!("SELECT id FROM facilities WHERE {medical_fukuoka} LIMIT 1")).await;
    // Prefer the same prefecture's dental clinic: outside the association, inside the prefecture.
    let reviewer_foreign = id(
        pool,
        &format!("SELECT id FROM facilities WHERE NOT ({medical_fukuoka}) ORDER BY prefecture = '40' DESC LIMIT 1"),
    )
    .await;
    let any = id(pool, "SELECT id FROM facilities LIMIT 1").await;
    [(manager_own, manager_foreign), (reviewer_own, reviewer_foreign), (any, 999_999), (any, manager_own)]
}

#[test]
fn every_route_of_the_app_is_in_the_access_matrix() {
    let listed: Vec<String> = leptos_axum::generate_route_list(app::App).iter().map(|r| r.path().to_owned()).collect();
    assert!(!listed.is_empty());
    for path in &listed {
        let id = if path.starts_with("/vendors") { "{vendor}" } else { "{id}" };
        let template = path.replace(":id", id).replace("{id}", id).replace(":token", "{token}");
        assert!(
            MATRIX.iter().any(|(p, _, _)| *p == template),
            "route {path} has no row in the access matrix: add its expected status for every role"
        );
    }
}

#[tokio::test]
async fn every_role_gets_exactly_the_expected_status_on_every_page() {
    let app = spawn_app().await;
    let pool = app.pool().clone();
    let by_role = facilities_by_role(&pool).await;
    let demo_corp = id(&pool, "SELECT id FROM corporations WHERE code = 'demo_corp'").await;
    let tokyo_corp = id(&pool, "SELECT id FROM corporations WHERE code = 'demo_corp_tokyo'").await;
    let corporations =
        [(demo_corp, tokyo_corp), (demo_corp, tokyo_corp), (demo_corp, 999_999), (demo_corp, tokyo_corp)];
    let mut failures = Vec::new();
    for (r, email) in ROLES.iter().enumerate() {
        let (own, foreign) = by_role[r];
        let own_quote = quote_for(&pool, own, &format!("own-{r}.xlsx")).await;
        let foreign_quote =
            if foreign == 999_999 { 999_999 } else { quote_for(&pool, foreign, &format!("foreign-{r}.xlsx")).await };
        let own_complaint = complaint_for(&pool, own).await;
        let foreign_complaint = if foreign == 999_999 { 999_999 } else { complaint_for(&pool, foreign).await };
        // One application per facility: each role's pair gets its own, removed after the role's pass.
        sqlx::query("DELETE FROM subsidy_applications").execute(&pool).await.expect("clear");
        let own_application = application_for(&pool, own, own_quote).await;
        let foreign_application = match foreign {
            999_999 => 999_999,
            f if f == own => own_application,
            f => application_for(&pool, f, foreign_quote).await,
        };
        let user = app.signed_in_client(email).await;
        for (template, obj, expected) in MATRIX {
            let id = match (*obj, template.split('/').nth(1)) {
                (Obj::None, _) => 0,
                (Obj::Own, Some("quotes")) => own_quote,
                (Obj::Foreign, Some("quotes")) => foreign_quote,
                (Obj::Own, Some("complaints")) => own_complaint,
                (Obj::Foreign, Some("complaints")) => foreign_complaint,
                (Obj::Own, Some("applications")) => own_application,
                (Obj::Foreign, Some("applications")) => foreign_application,
                (Obj::Own, Some("corporations")) => corporations[r].0,
                (Obj::Foreign, Some("corporations")) => corporations[r].1,
                (Obj::Own, _) => own,
                (Obj::Foreign, _) => foreign,
            };
            let path =
                template.replace("{id}", &id.to_string()).replace("{token}", "no-such-draft").replace("{vendor}", "1");
            let res = user.get(app.url(&path)).send().await.expect("GET");
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            if status != expected[r] {
                failures.push(format!("{email} GET {path} ({obj:?}): {status}, expected {}", expected[r]));
            }
            if *obj == Obj::Foreign && template.starts_with("/quotes") && body.contains(&format!("foreign-{r}.xlsx")) {
                failures.push(format!("{email} GET {path}: the foreign quote's data leaked"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_manager_lists_only_the_corporation_and_a_reviewer_only_the_association_and_prefecture() {
    let app = spawn_app().await;
    let pool = app.pool().clone();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.expect("count") }
    };
    let corp_count = count(
        "SELECT count(*) FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp')",
    )
    .await;
    let medical_fukuoka = count(
        "SELECT count(*) FROM facilities WHERE prefecture = '40' AND facility_type IN ('hospital', 'medical_clinic')",
    )
    .await;
    let all = count("SELECT count(*) FROM facilities").await;
    for (email, expected) in [(MANAGER, corp_count), (REVIEWER, medical_fukuoka), (AUDITOR, all)] {
        let user = app.signed_in_client(email).await;
        let html = user.get(app.url("/facilities")).send().await.expect("GET").text().await.expect("body");
        let rows = html.matches("<tr>").count() - 1;
        assert_eq!(rows, usize::try_from(expected).expect("count"), "{email}");
        assert!(expected < all || email == AUDITOR);
    }
}
