//! `onshi seed-national`: published shares, valid and fresh codes, the same rows from the same seed, whole batches only.

use crate::helpers::spawn_app;
use rules::{FacilityCode, FacilityType};
use server::seed::national::{Options, SeedError, Summary, seed};
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// Facilities in seed/demo.json.
const DEMO_FACILITIES: i64 = 28;

/// Small runs: 500 facilities, one quote of two lines each.
fn small(facilities: u32) -> Options {
    Options { lines_per_quote: 2, ..Options::new(facilities) }
}

async fn run(pool: &SqlitePool, options: &Options) -> Summary {
    seed(pool, options, |_| {}).await.expect("seed-national runs")
}

async fn scalar(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A published figure of adoption_stats (national unless `prefecture` is given).
async fn published(pool: &SqlitePool, series: &str, kind: &str, prefecture: &str, metric: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT value FROM adoption_stats WHERE series = ? AND facility_type = ? AND prefecture = ? AND metric = ?",
    )
    .bind(series)
    .bind(kind)
    .bind(prefecture)
    .bind(metric)
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("{series}/{kind}/{metric}: {e}"))
}

/// The synthetic facilities of one type (all but the demo ones), pharmacies with the large chains.
async fn synthetic(pool: &SqlitePool, kind: &str, extra: &str) -> i64 {
    let types =
        if kind == "pharmacy" { "('pharmacy', 'large_chain_pharmacy')".to_owned() } else { format!("('{kind}')") };
    scalar(
        pool,
        &format!(
            "SELECT count(*) FROM facilities f LEFT JOIN facility_progress p ON p.facility_id = f.id
             WHERE f.id > {DEMO_FACILITIES} AND f.facility_type IN {types} {extra}"
        ),
    )
    .await
}

#[tokio::test]
async fn facility_types_and_fukuoka_follow_the_published_totals() {
    let app = spawn_app().await;
    let pool = app.pool();
    let n = 500;
    let summary = run(pool, &small(n)).await;
    assert_eq!(summary.facilities(), u64::from(n));
    assert_eq!(summary.facility_ids, Some((DEMO_FACILITIES + 1, DEMO_FACILITIES + i64::from(n))));
    let series = server::seed::national::NATIONAL_SERIES;
    let nation = published(pool, series, "all", "", "facilities").await;
    for kind in ["hospital", "medical_clinic", "dental_clinic", "pharmacy"] {
        let expected = f64::from(n) * published(pool, series, kind, "", "facilities").await as f64 / nation as f64;
        let got = synthetic(pool, kind, "").await;
        assert!((got as f64 - expected).abs() < 1.0, "{kind}: {got} created, {expected:.2} published share");
    }
    let large = synthetic(pool, "large_chain_pharmacy", "").await;
    assert!(large > 0 && large * 5 < synthetic(pool, "pharmacy", "").await, "large chains are a small share: {large}");
    let orphans = scalar(
        pool,
        "SELECT count(*) FROM facilities f JOIN corporations c ON c.id = f.corporation_id
         WHERE f.facility_type = 'large_chain_pharmacy' AND (c.kind <> 'pharmacy_chain' OR f.group_monthly_prescriptions < 40000)",
    )
    .await;
    assert_eq!(orphans, 0, "every large chain pharmacy belongs to a chain of 40,000+ prescriptions a month");

    let fukuoka = server::seed::national::FUKUOKA_SERIES;
    let share = published(pool, fukuoka, "all", "40", "facilities").await as f64
        / published(pool, fukuoka, "all", "", "facilities").await as f64;
    let got =
        scalar(pool, &format!("SELECT count(*) FROM facilities WHERE id > {DEMO_FACILITIES} AND prefecture = '40'"))
            .await;
    assert!((got as f64 - share * f64::from(n)).abs() <= 3.0, "Fukuoka: {got} of {n} (published share {share:.4})");
}

#[tokio::test]
async fn every_code_is_valid_for_its_type_and_none_is_a_demo_code() {
    let app = spawn_app().await;
    let pool = app.pool();
    let demo: Vec<String> =
        sqlx::query_scalar("SELECT facility_code FROM facilities ORDER BY id").fetch_all(pool).await.unwrap();
    assert_eq!(demo.len() as i64, DEMO_FACILITIES);
    run(pool, &small(500)).await;
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, facility_code, facility_type, prefecture FROM facilities ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 528);
    for (id, code, kind, prefecture) in &rows {
        let kind: FacilityType = kind.parse().unwrap();
        let parsed = FacilityCode::parse_for(code, kind).unwrap_or_else(|e| panic!("facility {id}: {e}"));
        assert_eq!(&parsed.prefecture().code(), prefecture, "facility {id}: the code's prefecture");
    }
    let demo_after: Vec<&String> = rows.iter().take(demo.len()).map(|(_, c, _, _)| c).collect();
    assert_eq!(demo_after, demo.iter().collect::<Vec<_>>(), "demo facilities untouched");
    let distinct = scalar(pool, "SELECT count(DISTINCT facility_code) FROM facilities").await;
    assert_eq!(distinct, 528);
}

#[tokio::test]
async fn a_second_run_skips_the_codes_the_first_took() {
    let app = spawn_app().await;
    let pool = app.pool();
    run(pool, &small(300)).await;
    // The same seed draws the same codes first: every one of them is taken now.
    let again = run(pool, &small(300)).await;
    assert!(again.taken_codes_skipped >= 300, "skipped {}", again.taken_codes_skipped);
    assert_eq!(scalar(pool, "SELECT count(DISTINCT facility_code) FROM facilities").await, DEMO_FACILITIES + 600);
}

#[tokio::test]
async fn the_dashboard_totals_of_an_import_are_exact_and_its_triggers_are_back() {
    let app = spawn_app().await;
    let pool = app.pool();
    let triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dashboard%'";
    let before = scalar(pool, triggers).await;
    let generation = app::ssr::db::dashboard::generation(pool).await.expect("generation");
    // Two batches and a part one, on top of the demo.
    run(pool, &Options { batch_size: 200, ..small(450) }).await;
    assert_eq!(
        app::ssr::db::dashboard::totals_drift(pool).await.expect("drift"),
        vec![],
        "totals as the triggers would keep them"
    );
    assert_eq!(scalar(pool, triggers).await, before, "every trigger is back");
    assert!(
        app::ssr::db::dashboard::generation(pool).await.expect("generation") > generation,
        "cached dashboards are stale"
    );
    // And they work again: a write after the import is counted.
    sqlx::query("UPDATE facilities SET prefecture = '13' WHERE id = (SELECT max(id) FROM facilities)")
        .execute(pool)
        .await
        .expect("move");
    assert_eq!(app::ssr::db::dashboard::totals_drift(pool).await.expect("drift"), vec![]);
}

/// SHA-256 over every row of the tables a run writes, in id order, without the
/// columns that record when a row was written (and the demo users' salted hashes).
async fn fingerprint(pool: &SqlitePool) -> String {
    let mut hash = Sha256::new();
    for table in server::seed::national::TABLES_WRITTEN {
        let columns: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT name FROM pragma_table_info('{table}')
             WHERE name NOT IN ('created_at', 'updated_at', 'recorded_at', 'password_hash') ORDER BY cid"
        ))
        .fetch_all(pool)
        .await
        .expect("columns");
        let row = columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || ',' || ");
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM {table} ORDER BY rowid"))
            .fetch_all(pool)
            .await
            .expect("rows");
        hash.update(table.as_bytes());
        for r in rows {
            hash.update(r.as_bytes());
            hash.update(b"\n");
        }
    }
    format!("{:x}", hash.finalize())
}

#[tokio::test]
async fn the_same_seed_gives_the_same_rows_and_another_seed_other_rows() {
    let (a, b, c) = (spawn_app().await, spawn_app().await, spawn_app().await);
    run(a.pool(), &small(500)).await;
    // Batches of another size: the rows do not depend on where batches end.
    run(b.pool(), &Options { batch_size: 64, ..small(500) }).await;
    run(c.pool(), &Options { seed: 2, ..small(500) }).await;
    let (fa, fb, fc) = (fingerprint(a.pool()).await, fingerprint(b.pool()).await, fingerprint(c.pool()).await);
    assert_eq!(fa, fb, "same seed, same rows");
    assert_ne!(fa, fc, "another seed, other rows");
}

#[tokio::test]
async fn stages_and_their_dates_follow_the_published_counts() {
    let app = spawn_app().await;
    let pool = app.pool();
    let n = 2_000;
    let summary = run(pool, &small(n)).await;
    let series = server::seed::national::NATIONAL_SERIES;
    for kind in ["hospital", "medical_clinic", "dental_clinic", "pharmacy"] {
        let total = published(pool, series, kind, "", "facilities").await as f64;
        let created = synthetic(pool, kind, "").await as f64;
        for (metric, stages) in [
            ("reader_applied", "('reader_applied', 'vendor_ordered', 'installing', 'installed', 'operating')"),
            ("ready", "('installed', 'operating')"),
            ("operating", "('operating')"),
        ] {
            let expected = created * published(pool, series, kind, "", metric).await as f64 / total;
            let got = synthetic(pool, kind, &format!("AND p.stage IN {stages}")).await as f64;
            // Exact shares up to a few facilities (pharmacies: two sequences, with the large chains).
            assert!((got - expected).abs() <= 4.0, "{kind} {metric}: {got} vs {expected:.1}");
        }
    }
    // Everyone at reader_applied or later has an application; nobody before.
    let applied = scalar(
        pool,
        "SELECT count(*) FROM facility_progress WHERE stage IN ('reader_applied', 'vendor_ordered', 'installing', 'installed', 'operating')",
    )
    .await;
    assert_eq!(applied as u64, summary.reader_applications);
    assert_eq!(scalar(pool, "SELECT count(*) FROM reader_applications").await as u64, summary.reader_applications);
    let bad_dates = scalar(
        pool,
        "SELECT count(*) FROM reader_applications a JOIN facility_progress p USING (facility_id)
         WHERE a.applied_on NOT BETWEEN '2021-01-01' AND '2022-12-31'
            OR p.vendor_contract_on < a.applied_on OR p.completed_on <= p.vendor_contract_on
            OR p.operation_started_on < p.completed_on
            OR (p.stage = 'operating') <> (p.operation_started_on IS NOT NULL)
            OR (p.stage IN ('installed', 'operating')) <> (p.completed_on IS NOT NULL)",
    )
    .await;
    assert_eq!(bad_dates, 0, "dates in order, and present exactly from their stage on");
    let unordered_events = scalar(
        pool,
        "SELECT count(*) FROM stage_events e JOIN stage_events l ON l.facility_id = e.facility_id AND l.id > e.id
         WHERE l.reached_on < e.reached_on",
    )
    .await;
    assert_eq!(unordered_events, 0, "each timeline runs forward");
    let last_events = scalar(
        pool,
        "SELECT count(*) FROM facility_progress p WHERE p.facility_id > 28 AND p.stage <> 'portal_unregistered'
           AND p.stage <> (SELECT stage FROM stage_events e WHERE e.facility_id = p.facility_id ORDER BY id DESC LIMIT 1)",
    )
    .await;
    assert_eq!(last_events, 0, "the last event is the current stage");
    let blockers = scalar(
        pool,
        "SELECT count(*) FROM facility_progress p JOIN blocker_reasons b ON b.stage = p.stage AND b.code = p.blocker_code",
    )
    .await;
    let stuck = scalar(
        pool,
        "SELECT count(*) FROM facility_progress WHERE facility_id > 28 AND stage NOT IN ('portal_unregistered', 'operating')",
    )
    .await;
    assert!(
        blockers * 5 > stuck && blockers * 2 < stuck,
        "{blockers} of {stuck} stuck facilities name a blocker of their stage"
    );
    assert_eq!(scalar(pool, "SELECT count(*) FROM facility_progress WHERE blocker_code IS NOT NULL").await, blockers);
}

#[tokio::test]
async fn quotes_are_exact_decimal_text_and_about_an_eighth_are_padded() {
    let app = spawn_app().await;
    let pool = app.pool();
    let n = 1_000;
    let summary = run(pool, &small(n)).await;
    assert_eq!((summary.quotes, summary.quote_lines), (1_000, 2_000));
    let inexact = scalar(
        pool,
        "SELECT count(*) FROM quote_lines WHERE typeof(amount) <> 'text' OR typeof(unit_price) <> 'text'
            OR CAST(amount AS INTEGER) <> CAST(quantity AS INTEGER) * CAST(unit_price AS INTEGER)
            OR amount GLOB '*[^0-9-]*'",
    )
    .await;
    assert_eq!(inexact, 0, "amount = quantity × unit price, whole yen as text");
    let totals = scalar(
        pool,
        "SELECT count(*) FROM quotes q WHERE confirmed <> 1 OR CAST(written_subtotal AS INTEGER) <>
            (SELECT sum(CAST(amount AS INTEGER)) FROM quote_lines l WHERE l.quote_id = q.id)
            OR CAST(written_total AS INTEGER) <> CAST(written_subtotal AS INTEGER) + CAST(written_tax AS INTEGER)",
    )
    .await;
    assert_eq!(totals, 0, "written totals add up");
    // Two lines: the terminal within its range and the free reader at 0 yen, unless padded.
    let padded = scalar(
        pool,
        "SELECT count(*) FROM quotes q WHERE q.facility_id > 28 AND NOT (
            EXISTS (SELECT 1 FROM quote_lines l WHERE l.quote_id = q.id AND l.position = 0 AND l.category = 'terminal'
                    AND CAST(l.unit_price AS INTEGER) <= (SELECT CAST(max AS INTEGER) FROM benchmark_rows
                                                         WHERE table_id = 'audit_price_ranges' AND key = 'terminal'))
            AND EXISTS (SELECT 1 FROM quote_lines l WHERE l.quote_id = q.id AND l.position = 1
                        AND l.category = 'card_reader' AND l.unit_price = '0'))",
    )
    .await;
    assert!((80..=170).contains(&padded), "{padded} of 1,000 quotes padded (12.5 % expected)");
}

#[tokio::test]
async fn complaints_are_filed_by_a_manager_of_the_facility_and_moved_as_the_rules_allow() {
    let app = spawn_app().await;
    let pool = app.pool();
    let summary = run(pool, &small(3_000)).await;
    assert!((10..=60).contains(&summary.complaints), "about 1 % of 3,000: {}", summary.complaints);
    let misfiled = scalar(
        pool,
        "SELECT count(*) FROM complaints c JOIN users u ON u.id = c.filed_by
         WHERE u.role <> 'clinic_manager' OR u.facility_id <> c.facility_id OR u.disabled <> 1",
    )
    .await;
    assert_eq!(misfiled, 0);
    let events: Vec<(i64, Option<String>, String, String)> = sqlx::query_as(
        "SELECT e.complaint_id, e.from_status, e.to_status, u.role FROM complaint_events e JOIN users u ON u.id = e.actor_id
         ORDER BY e.complaint_id, e.id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let statuses: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM complaints ORDER BY id").fetch_all(pool).await.unwrap();
    for (id, status) in statuses {
        let history: Vec<_> = events.iter().filter(|e| e.0 == id).collect();
        let mut at = rules::complaint::ComplaintStatus::Submitted;
        assert_eq!(history[0].1, None, "complaint {id} starts with its filing");
        for (_, from, to, role) in &history[1..] {
            let to: rules::complaint::ComplaintStatus = to.parse().unwrap();
            assert_eq!(from.as_deref(), Some(at.code()));
            assert!(at.may_move(to, role.parse().unwrap()), "complaint {id}: {at:?} → {to:?} by {role}");
            at = to;
        }
        assert_eq!(at.code(), status, "complaint {id}'s history ends at its status");
    }
}

#[tokio::test]
async fn subsidy_applications_are_the_packages_the_app_prepares_from_the_same_rows() {
    let app = spawn_app().await;
    let pool = app.pool();
    let summary = run(pool, &Options { lines_per_quote: 6, batch_size: 700, ..Options::new(2_000) }).await;
    let [draft, submitted, paid] = summary.subsidy_applications;
    let stored = scalar(pool, "SELECT count(*) FROM subsidy_applications").await as u64;
    assert_eq!(draft + submitted + paid, stored);
    assert!(draft > 0 && submitted > draft && paid > submitted, "1:3:6 expected: {draft}, {submitted}, {paid}");
    // Status and dates agree with the facility's record as the app's submit and payment write them.
    let inconsistent = scalar(
        pool,
        "SELECT count(*) FROM subsidy_applications a
           JOIN facility_progress p USING (facility_id) JOIN quotes q ON q.id = a.quote_id
         WHERE q.facility_id <> a.facility_id OR q.paid_on IS NULL OR q.confirmed <> 1
            OR (a.status = 'draft') <> (p.subsidy_applied_on IS NULL)
            OR (a.status <> 'draft' AND (p.subsidy_applied_on <> a.applied_on OR a.submitted_on < a.applied_on))
            OR (a.status = 'paid' AND (a.paid_amount <> a.subsidy OR a.paid_on <= a.submitted_on))
            OR p.stage <> 'operating' OR a.applied_on > '2023-06-30'",
    )
    .await;
    assert_eq!(inconsistent, 0);
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM facility_progress p WHERE p.subsidy_applied_on IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM subsidy_applications a WHERE a.facility_id = p.facility_id)"
        )
        .await,
        0,
        "every facility that applied has its application"
    );
    // Each package is exactly what the application form prepares from the stored rows.
    let rows: Vec<(i64, i64, String, String)> =
        sqlx::query_as("SELECT facility_id, quote_id, applied_on, package_json FROM subsidy_applications ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut by_rate = std::collections::BTreeSet::new();
    for (facility, quote, applied_on, json) in rows {
        let stored: rules::application::Package = serde_json::from_str(&json).expect("a package");
        let on = chrono::NaiveDate::parse_from_str(&applied_on, "%Y-%m-%d").unwrap();
        let (_, prepared) = app::api::applications::prepare_for(
            pool,
            &rules::access::Scope::National,
            facility,
            Some(quote),
            on,
            None,
            None,
        )
        .await
        .expect("prepared");
        assert_eq!(prepared.expect("the rules accept it"), stored, "facility {facility}");
        by_rate.insert(stored.rate.to_string());
    }
    assert!(by_rate.len() >= 2, "more than one subsidy rate among the packages: {by_rate:?}");
    assert_eq!(app::ssr::db::dashboard::totals_drift(pool).await.expect("drift"), vec![]);
}

#[tokio::test]
async fn a_failing_batch_is_rolled_back_whole_and_the_error_says_how_far_the_run_got() {
    let app = spawn_app().await;
    let pool = app.pool();
    // Any quote line written once 250 synthetic facilities exist fails: the third batch of 100.
    sqlx::query(&format!(
        "CREATE TRIGGER fail_in_third_batch BEFORE INSERT ON quote_lines
         WHEN (SELECT count(*) FROM facilities) > {DEMO_FACILITIES} + 250
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    ))
    .execute(pool)
    .await
    .unwrap();
    let audit_before = scalar(pool, "SELECT count(*) FROM audit_log").await;
    let err = seed(pool, &Options { batch_size: 100, ..small(500) }, |_| {}).await.unwrap_err();
    assert!(matches!(err, SeedError::Batch { done: 200, total: 500, first: 201, last: 300, .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("200 / 500") && message.contains("201–300") && message.contains("injected failure"),
        "{message}"
    );
    assert_eq!(scalar(pool, "SELECT count(*) FROM facilities").await, DEMO_FACILITIES + 200, "two whole batches");
    assert_eq!(scalar(pool, "SELECT count(*) FROM quotes").await, 200);
    assert_eq!(scalar(pool, "SELECT count(*) FROM quote_lines").await, 400);
    let strays = scalar(
        pool,
        &format!(
            "SELECT (SELECT count(*) FROM facility_progress WHERE facility_id > {last})
                  + (SELECT count(*) FROM stage_events WHERE facility_id > {last})
                  + (SELECT count(*) FROM reader_applications WHERE facility_id > {last})
                  + (SELECT count(*) FROM complaints WHERE facility_id > {last})",
            last = DEMO_FACILITIES + 200
        ),
    )
    .await;
    assert_eq!(strays, 0, "nothing of the failed batch remains");
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM audit_log").await,
        audit_before + 2,
        "one audit row per committed batch"
    );
    // The pool still works and the connection is back to its defaults.
    assert_eq!(scalar(pool, "SELECT count(*) FROM facility_types").await, 5);
}

#[test]
fn the_command_reports_progress_on_stderr_and_a_summary_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("national.sqlite");
    let out = Command::new(BIN)
        .args(["seed-national", "--facilities", "1200", "--lines-per-quote", "3", "--batch-size", "500", "--db"])
        .arg(&db)
        .env_remove("ONSHI_DB")
        .output()
        .expect("run onshi seed-national");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    for line in ["facilities 500 / 1,200", "facilities 1,000 / 1,200", "facilities 1,200 / 1,200 (100.0 %)"] {
        assert!(stderr.contains(line), "{line:?} missing from stderr:\n{stderr}");
    }
    assert!(stdout.contains("施設 / facilities: 1,200") && stdout.contains("3,600 lines"), "{stdout}");

    let refused = Command::new(BIN)
        .args(["seed-national", "--facilities", "0", "--db"])
        .arg(dir.path().join("other.sqlite"))
        .output()
        .expect("run onshi seed-national");
    assert!(!refused.status.success());
    assert!(!dir.path().join("other.sqlite").exists(), "bad arguments create nothing");
}
