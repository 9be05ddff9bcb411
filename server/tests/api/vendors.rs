//! A vendor's record: every confirmed quote audited in one pass, the same flags as each quote's page.

use crate::helpers::*;
use app::api::quote_audit::QuoteAuditView;
use app::api::vendors::{LeagueTable, VendorStats};
use server::seed::national::{Options, seed};
use std::collections::BTreeMap;

/// A server function's JSON answer, as a script on the page would ask for it.
pub async fn call<T: serde::de::DeserializeOwned>(app: &TestApp, endpoint: &str, field: (&str, &str)) -> T {
    let res = app
        .client
        .post(app.url(endpoint))
        .header("Origin", app.base.clone())
        .form(&[field])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200, "{endpoint} {field:?}");
    res.json().await.expect("JSON")
}

#[tokio::test]
async fn a_vendors_record_counts_the_flags_of_its_quotes_pages_outliers_included() {
    let app = spawn_app().await;
    // Enough quotes of a type for the peer fences, padded lines among them.
    seed(app.pool(), &Options { lines_per_quote: 6, ..Options::new(400) }, |_| {}).await.expect("seed-national");
    app.login_as(AUDITOR).await;
    let vendors: Vec<i64> = sqlx::query_scalar(
        "SELECT vendor_id FROM quotes WHERE confirmed = 1 AND vendor_id IS NOT NULL
         GROUP BY vendor_id ORDER BY count(*) DESC, vendor_id LIMIT 3",
    )
    .fetch_all(app.pool())
    .await
    .expect("vendors");
    let mut outliers = 0;
    for vendor in vendors {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM quotes WHERE confirmed = 1 AND vendor_id = ?")
            .bind(vendor)
            .fetch_all(app.pool())
            .await
            .expect("quotes");
        let mut expected: BTreeMap<String, usize> = BTreeMap::new();
        for id in &ids {
            let audit: QuoteAuditView = call(&app, "/api/quote_audit", ("id", &id.to_string())).await;
            for f in audit.flags.iter().chain(audit.lines.iter().flat_map(|l| l.flags.iter())) {
                *expected.entry(f.label.clone()).or_default() += 1;
                outliers += usize::from(f.message.contains("外れ値"));
            }
        }
        // The first vendor's record is audited on its own; after the league, records come from it.
        let record: VendorStats = call(&app, "/api/vendor_record", ("id", &vendor.to_string())).await;
        assert_eq!(record.quotes, ids.len(), "vendor {vendor}");
        assert_eq!(record.flags.iter().cloned().collect::<BTreeMap<_, _>>(), expected, "vendor {vendor}");
        let league: LeagueTable = call(&app, "/api/vendor_league", ("sort", "flags")).await;
        let row = league.rows.iter().find(|r| r.id == vendor).expect("in the league");
        assert_eq!(row, &record, "vendor {vendor} in the league");
        let again: VendorStats = call(&app, "/api/vendor_record", ("id", &vendor.to_string())).await;
        assert_eq!(again, record, "vendor {vendor}'s record read from the kept league");
    }
    assert!(outliers > 0, "no quote was an outlier among its peers: the fences were not tested");
}

#[tokio::test]
async fn a_quote_is_not_its_own_peer_in_the_vendors_record() {
    let app = spawn_app().await;
    let minimum: i64 =
        sqlx::query_scalar("SELECT CAST(value AS INTEGER) FROM benchmark_rows WHERE key = 'peer_min_lines'")
            .fetch_one(app.pool())
            .await
            .expect("peer minimum");
    let facility = fukuoka_hospital(app.pool()).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    // Exactly the minimum of routers, one far above the rest: counted with itself it would have a
    // fence to stand out from; without itself its peers are one too few.
    for i in 0..minimum {
        let price = if i == 0 { "90000" } else { &(20_000 + 1_000 * i).to_string() };
        insert_confirmed_quote(app.pool(), facility, vendor, &[("ルーター", "router", price)]).await;
    }
    app.login_as(AUDITOR).await;
    let record: VendorStats = call(&app, "/api/vendor_record", ("id", &vendor.to_string())).await;
    assert_eq!(record.quotes, usize::try_from(minimum).expect("small"));
    let first: i64 = sqlx::query_scalar("SELECT min(id) FROM quotes").fetch_one(app.pool()).await.expect("first");
    let audit: QuoteAuditView = call(&app, "/api/quote_audit", ("id", &first.to_string())).await;
    assert!(!audit.lines[0].flags.iter().any(|f| f.message.contains("外れ値")), "too few peers on the quote's page");
    assert!(
        !record.flags.iter().any(|(label, _)| label == "目安を超える価格"),
        "nor in the record: {:?}",
        record.flags
    );
}

#[tokio::test]
async fn the_quote_page_sees_a_peer_price_that_changed_alone() {
    let app = spawn_app().await;
    let facility = fukuoka_hospital(app.pool()).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    // A router at 90,000円 among eight at 21,000–28,000円: an outlier (fence 31,500円).
    let mut ids = Vec::new();
    for price in ["90000", "21000", "22000", "23000", "24000", "25000", "26000", "27000", "28000"] {
        ids.push(insert_confirmed_quote(app.pool(), facility, vendor, &[("ルーター", "router", price)]).await);
    }
    app.login_as(AUDITOR).await;
    let outlier = |a: &QuoteAuditView| a.lines[0].flags.iter().any(|f| f.message.contains("外れ値"));
    let before: QuoteAuditView = call(&app, "/api/quote_audit", ("id", &ids[0].to_string())).await;
    assert!(outlier(&before), "{:?}", before.lines[0].flags);
    // Four peers' comparable prices alone (no total counts them): the fence rises past 200,000円.
    for id in &ids[1..5] {
        sqlx::query("UPDATE quote_lines SET comparable_price = '100000' WHERE quote_id = ?")
            .bind(id)
            .execute(app.pool())
            .await
            .expect("update");
    }
    let after: QuoteAuditView = call(&app, "/api/quote_audit", ("id", &ids[0].to_string())).await;
    assert!(!outlier(&after), "the peer group kept in memory was served after its prices changed");
}

#[tokio::test]
async fn peer_groups_hold_every_confirmed_price_whatever_the_line_ids() {
    let app = spawn_app().await;
    let pool = app.pool();
    let facility = fukuoka_hospital(pool).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(pool).await.expect("vendor");
    let quote = insert_confirmed_quote(pool, facility, vendor, &[("ルーター", "router", "30000")]).await;
    // Lines on both sides of the ranges the groups are read in (250,000 ids), and far beyond.
    for (id, price) in [(249_999, "31000"), (250_000, "32000"), (250_001, "33000"), (1_000_000, "34000")] {
        sqlx::query(
            "INSERT INTO quote_lines (id, quote_id, position, kind, description, category, quantity, unit_price, amount, comparable_price)
             VALUES (?, ?, ?, 'item', 'ルーター', 'router', '1', ?, ?, ?)",
        )
        .bind(id)
        .bind(quote)
        .bind(id)
        .bind(price)
        .bind(price)
        .bind(price)
        .execute(pool)
        .await
        .expect("line");
    }
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT f.facility_type, ql.category, ql.comparable_price FROM quote_lines ql
         JOIN quotes q ON q.id = ql.quote_id JOIN facilities f ON f.id = q.facility_id
         WHERE q.confirmed = 1 AND ql.comparable_price IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .expect("rows");
    assert!(rows.len() >= 5);
    let generation = app::ssr::db::peers::generation(pool).await.expect("generation");
    let groups = app::ssr::db::peers::every_facility_type(pool, generation).await.expect("groups");
    for kind in rules::FacilityType::ALL {
        let expected = rules::audit::Peers::new(
            rows.iter()
                .filter(|(k, _, _)| k == kind.code())
                .map(|(_, c, p)| (c.parse().expect("category"), rules::Yen::parse(p).expect("price"))),
        );
        assert_eq!(groups[kind.code()], expected, "{kind:?}");
    }
    let hospital = app::ssr::db::peers::for_facility_type(pool, rules::FacilityType::Hospital).await.expect("one");
    assert_eq!(hospital, groups["hospital"], "one type read alone");
}

#[tokio::test]
async fn a_vendors_record_reads_every_line_whatever_its_text_and_quotes_without_lines() {
    let app = spawn_app().await;
    let facility = fukuoka_hospital(app.pool()).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    // Text a spreadsheet cell can hold (quotes, backslashes, line breaks, tabs, emoji) and
    // empty optional cells: the record packs lines as JSON and must read back each of them.
    let awkward = insert_confirmed_quote(
        app.pool(),
        facility,
        vendor,
        &[
            ("顔認証付きカードリーダー \"Caora\" \\ 1台", "card_reader", "250000"),
            ("設定作業\n（院内）\t一式 🙂", "setup_labor", "180000"),
            ("ルーター", "router", "45000"),
        ],
    )
    .await;
    sqlx::query(
        "UPDATE quote_lines SET spec = 'a\"b\\c', note = NULL, sheet_row = NULL WHERE quote_id = ? AND position = 0",
    )
    .bind(awkward)
    .execute(app.pool())
    .await
    .expect("spec");
    let empty = insert_confirmed_quote(app.pool(), facility, vendor, &[]).await;
    // Written totals the lines do not add up to: flags on both quotes, lines or none.
    sqlx::query("UPDATE quotes SET written_total = '999999' WHERE id IN (?, ?)")
        .bind(awkward)
        .bind(empty)
        .execute(app.pool())
        .await
        .expect("totals");
    app.login_as(AUDITOR).await;
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for id in [awkward, empty] {
        let audit: QuoteAuditView = call(&app, "/api/quote_audit", ("id", &id.to_string())).await;
        for f in audit.flags.iter().chain(audit.lines.iter().flat_map(|l| l.flags.iter())) {
            *expected.entry(f.label.clone()).or_default() += 1;
        }
    }
    assert!(!expected.is_empty(), "no flag on either quote: nothing compared");
    let record: VendorStats = call(&app, "/api/vendor_record", ("id", &vendor.to_string())).await;
    assert_eq!(record.quotes, 2);
    assert_eq!(record.flags.into_iter().collect::<BTreeMap<_, _>>(), expected);
    // Set-up work and the router have benchmark ceilings (the reader, given free, has none).
    let ratios: Vec<(&str, usize)> = record.ratios.iter().map(|(c, _, n)| (c.as_str(), *n)).collect();
    assert_eq!(ratios, [("導入作業・設定", 1), ("ルーター等", 1)]);
}

#[tokio::test]
async fn the_vendor_league_kept_in_memory_follows_every_change_the_audit_reads() {
    let app = spawn_app().await;
    let facility = fukuoka_hospital(app.pool()).await;
    let vendors: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM vendors ORDER BY id LIMIT 2").fetch_all(app.pool()).await.expect("vendors");
    let (mover, other) = (vendors[0], vendors[1]);
    let quote = insert_confirmed_quote(app.pool(), facility, mover, &[("ルーター", "router", "50000")]).await;
    app.login_as(AUDITOR).await;
    let row = |league: &[VendorStats], id: i64| {
        league.iter().find(|r| r.id == id).cloned().unwrap_or(VendorStats {
            id,
            name: String::new(),
            quotes: 0,
            flags: Vec::new(),
            flag_total: 0,
            ratios: Vec::new(),
            overall_ratio: None,
            complaints: Vec::new(),
            complaint_total: 0,
        })
    };
    // Computed in well under the default second: every view after a change waits for the new one.
    let league = || async {
        let table = call::<LeagueTable>(&app, "/api/vendor_league", ("sort", "flags")).await;
        assert_eq!(table.computed_at, None, "computed for the view");
        table.rows
    };
    let ratio = |r: &VendorStats, label: &str| r.ratios.iter().find(|(c, _, _)| c == label).map(|(_, m, _)| m.clone());
    let first = league().await;
    assert_eq!(first, league().await, "the same league twice");
    // The router's benchmark ceiling (audit_price_ranges: 100,000円) doubled: half the ratio.
    assert_eq!(ratio(&row(&first, mover), "ルーター等").as_deref(), Some("0.50"));
    sqlx::query("UPDATE benchmark_rows SET max = '200000' WHERE table_id = 'audit_price_ranges' AND key = 'router'")
        .execute(app.pool())
        .await
        .expect("benchmark");
    let rebenchmarked = league().await;
    assert_eq!(ratio(&row(&rebenchmarked, mover), "ルーター等").as_deref(), Some("0.25"), "benchmark change not seen");
    // The quote given to another vendor.
    sqlx::query("UPDATE quotes SET vendor_id = ? WHERE id = ?")
        .bind(other)
        .bind(quote)
        .execute(app.pool())
        .await
        .expect("vendor");
    let moved = league().await;
    assert_eq!(
        (row(&moved, mover).quotes, row(&moved, other).quotes),
        (row(&first, mover).quotes - 1, row(&first, other).quotes + 1),
        "vendor change not seen"
    );
    // Two routers at 50,000円 for the same 50,000円: the line no longer adds up, as its page says.
    sqlx::query("UPDATE quote_lines SET quantity = '2' WHERE quote_id = ?")
        .bind(quote)
        .execute(app.pool())
        .await
        .expect("line");
    let audit: QuoteAuditView = call(&app, "/api/quote_audit", ("id", &quote.to_string())).await;
    let on_page = audit.flags.len() + audit.lines.iter().map(|l| l.flags.len()).sum::<usize>();
    let requantified = league().await;
    assert!(on_page > 0, "no flag for a line that does not add up");
    assert_eq!(row(&requantified, other).flag_total, row(&moved, other).flag_total + on_page, "line change not seen");
}

/// A server on which every league counts as slow (after a change the last one is shown, as the
/// country's is), with a 福岡県 hospital's confirmed quote: a router at 50,000円.
async fn slow_league_app() -> (tempfile::TempDir, TestApp, i64, i64, i64) {
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = settings(&dir.path().join("onshi.sqlite"), true);
    settings.league_inline = std::time::Duration::ZERO;
    let app = spawn_on(settings).await;
    let facility = fukuoka_hospital(app.pool()).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    let quote = insert_confirmed_quote(app.pool(), facility, vendor, &[("ルーター", "router", "50000")]).await;
    (dir, app, facility, vendor, quote)
}

#[tokio::test]
async fn a_slow_league_is_shown_dated_after_a_change_while_the_new_one_is_computed() {
    let (_dir, app, facility, vendor, _) = slow_league_app().await;
    app.login_as(AUDITOR).await;
    let router = |t: &LeagueTable| {
        let row = t.rows.iter().find(|r| r.id == vendor).expect("in the league");
        row.ratios.iter().find(|(c, _, _)| c == "ルーター等").map(|(_, m, _)| m.clone())
    };
    let league = || call::<LeagueTable>(&app, "/api/vendor_league", ("sort", "flags"));
    // Nothing to show yet: the first league is computed for the view.
    let first = league().await;
    assert_eq!((first.computed_at.as_deref(), router(&first).as_deref()), (None, Some("0.50")));
    assert_eq!(league().await, first, "kept");

    sqlx::query("UPDATE benchmark_rows SET max = '200000' WHERE table_id = 'audit_price_ranges' AND key = 'router'")
        .execute(app.pool())
        .await
        .expect("benchmark");
    // The first view after the change gets the last league, dated, and says so.
    let html = app.get_html("/vendors").await;
    let note = &html[html.find(r#"data-testid="league-behind""#).expect("the league says it is behind")..];
    let note = &note[..note.find("</p>").expect("end")];
    assert!(note.contains("時点の集計です") && note.contains("年") && note.contains("時"), "{note}");
    // Meanwhile the new league is computed in the background; views get it once it is done.
    let mut behind = 0;
    let fresh = loop {
        let t = league().await;
        match &t.computed_at {
            Some(_) => {
                assert_eq!(router(&t).as_deref(), Some("0.50"), "the last league until the new one is done");
                behind += 1;
                assert!(behind < 600, "the league was never computed again");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            None => break t,
        }
    };
    assert_eq!(router(&fresh).as_deref(), Some("0.25"), "the benchmark change is in the new league");
    assert!(!app.get_html("/vendors").await.contains("league-behind"));

    // Complaints and names are read for every view: current at once, nothing computed again.
    sqlx::query(
        "INSERT INTO complaints (facility_id, vendor_id, kind, description, status, filed_by)
         VALUES (?, ?, 'high_quote', '高額', 'submitted', (SELECT min(id) FROM users))",
    )
    .bind(facility)
    .bind(vendor)
    .execute(app.pool())
    .await
    .expect("complaint");
    sqlx::query("UPDATE vendors SET name = '改名後のベンダー' WHERE id = ?")
        .bind(vendor)
        .execute(app.pool())
        .await
        .expect("name");
    let now = league().await;
    let row = now.rows.iter().find(|r| r.id == vendor).expect("in the league");
    assert_eq!(now.computed_at, None, "kept audits, current complaints");
    assert_eq!((row.name.as_str(), row.complaint_total), ("改名後のベンダー", 1));
    assert_eq!(row.complaints, vec![("提出済み（医師会等の確認待ち）".to_owned(), 1)]);
    assert_eq!(router(&now), router(&fresh));
}

#[tokio::test]
async fn the_national_league_computed_at_start_is_the_one_the_first_auditor_gets() {
    let (_dir, app, _, vendor, quote) = slow_league_app().await;
    // What `onshi serve` runs in the background at start (Settings::warm_league).
    app::api::vendors::warm_national_league(app.pool().clone(), Default::default()).await.expect("warmed");
    sqlx::query("UPDATE quote_lines SET note = '再見積' WHERE quote_id = ?")
        .bind(quote)
        .execute(app.pool())
        .await
        .expect("line");
    app.login_as(AUDITOR).await;
    // No auditor has viewed the league: only the start's computation can be what is shown behind.
    let first: LeagueTable = call(&app, "/api/vendor_league", ("sort", "flags")).await;
    assert!(first.computed_at.is_some(), "the league computed at start, shown while the new one is computed");
    assert!(first.rows.iter().any(|r| r.id == vendor && r.quotes >= 1));
    // A reviewer's league is not computed at start: computed for the view.
    app.login_as(REVIEWER).await;
    let reviewer: LeagueTable = call(&app, "/api/vendor_league", ("sort", "flags")).await;
    assert_eq!(reviewer.computed_at, None);
}

#[tokio::test]
async fn the_audit_generation_moves_with_what_the_audit_reads_and_not_with_a_clinics_progress() {
    let app = spawn_app().await;
    let pool = app.pool();
    let facility = fukuoka_hospital(pool).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(pool).await.expect("vendor");
    let quote = insert_confirmed_quote(pool, facility, vendor, &[("ルーター", "router", "45000")]).await;
    let draft: i64 = sqlx::query_scalar(
        "INSERT INTO quotes (facility_id, vendor_id, file_name, confirmed) VALUES (?, ?, 'draft.xlsx', 0) RETURNING id",
    )
    .bind(facility)
    .bind(vendor)
    .fetch_one(pool)
    .await
    .expect("draft");
    let (q, d, f) = (quote.to_string(), draft.to_string(), facility.to_string());
    // (what, statement, whether the peer groups and the league must be read again)
    let writes = [
        (
            "a stage reached",
            format!("INSERT OR REPLACE INTO facility_progress (facility_id, stage) VALUES ({f}, 'installing')"),
            false,
        ),
        ("a facility renamed", format!("UPDATE facilities SET name = name || '（新）' WHERE id = {f}"), false),
        (
            "a line of an upload being checked",
            format!(
                "INSERT INTO quote_lines (quote_id, position, kind, description, category, amount) VALUES ({d}, 0, 'item', 'ルーター', 'router', '50000')"
            ),
            false,
        ),
        ("an upload being checked renamed", format!("UPDATE quotes SET file_name = 'b.xlsx' WHERE id = {d}"), false),
        ("the upload confirmed", format!("UPDATE quotes SET confirmed = 1 WHERE id = {d}"), true),
        (
            "a confirmed line's text",
            format!("UPDATE quote_lines SET description = 'ルーター（新）' WHERE quote_id = {q}"),
            true,
        ),
        ("a confirmed line removed", format!("DELETE FROM quote_lines WHERE quote_id = {d}"), true),
        (
            "readers applied for",
            format!(
                "INSERT OR REPLACE INTO reader_applications (facility_id, applied_on, readers, model_undecided)
                 VALUES ({f}, '2021-04-01', 1, 1)"
            ),
            true,
        ),
        ("a reader count", format!("UPDATE reader_applications SET readers = 2 WHERE facility_id = {f}"), true),
        (
            "a benchmark",
            "UPDATE benchmark_rows SET max = '120000' WHERE table_id = 'audit_price_ranges' AND key = 'router'"
                .to_owned(),
            true,
        ),
        ("a facility's type", format!("UPDATE facilities SET facility_type = 'medical_clinic' WHERE id = {f}"), true),
        // The league reads names and complaints for every view (migration 0014).
        ("a vendor renamed", format!("UPDATE vendors SET name = name || '（新）' WHERE id = {vendor}"), false),
        (
            "a complaint filed",
            format!(
                "INSERT INTO complaints (facility_id, vendor_id, kind, description, status, filed_by)
             VALUES ({f}, {vendor}, 'delay', '遅れ', 'submitted', (SELECT min(id) FROM users))"
            ),
            false,
        ),
        ("a complaint moved", "UPDATE complaints SET status = 'under_review'".to_owned(), false),
        ("a confirmed quote removed", format!("DELETE FROM quotes WHERE id = {d}"), true),
    ];
    for (what, sql, moves) in writes {
        let before: i64 =
            sqlx::query_scalar("SELECT generation FROM audit_generation").fetch_one(pool).await.expect("before");
        let done = sqlx::query(&sql).execute(pool).await.expect(what);
        assert!(done.rows_affected() > 0, "{what}: nothing written, nothing tested");
        let after: i64 =
            sqlx::query_scalar("SELECT generation FROM audit_generation").fetch_one(pool).await.expect("after");
        assert_eq!(after != before, moves, "{what}");
    }
}
