//! Start-up data: reference data every start, demo data once, nothing twice.

use crate::helpers::*;
use rules::{FacilityCode, FacilityType, Role};
use sqlx::SqlitePool;

async fn count(pool: &SqlitePool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(pool).await.expect("count")
}

async fn figure(pool: &SqlitePool, series: &str, kind: &str, metric: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT value FROM adoption_stats WHERE series = ? AND facility_type = ? AND prefecture = '' AND metric = ?",
    )
    .bind(series)
    .bind(kind)
    .bind(metric)
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("{series}/{kind}/{metric}: {e}"))
}

#[tokio::test]
async fn a_new_database_gets_all_reference_data() {
    let app = spawn_app().await;
    let pool = app.pool();
    assert_eq!(count(pool, "prefectures").await, 47);
    assert_eq!(count(pool, "facility_types").await, 5);
    assert_eq!(count(pool, "reader_makers").await, 5, "the five makers named in seeds/000");
    let vendors: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../../seed/vendors.json")).expect("vendors.json");
    assert_eq!(count(pool, "vendors").await, i64::try_from(vendors.len()).expect("len"));
    let tokyo: String =
        sqlx::query_scalar("SELECT name_ja FROM prefectures WHERE code = '13'").fetch_one(pool).await.expect("13");
    assert_eq!(tokyo, "東京都");
    let hospital_readers: i64 = sqlx::query_scalar("SELECT free_readers FROM facility_types WHERE code = 'hospital'")
        .fetch_one(pool)
        .await
        .expect("hospital");
    assert_eq!(hospital_readers, 3);
}

#[tokio::test]
async fn the_published_adoption_figures_are_stored_exactly() {
    let app = spawn_app().await;
    let pool = app.pool();
    // seeds/002, as of 2022-05-01.
    let s = "mhlw_2022_05_01";
    for (kind, metric, value) in [
        ("all", "facilities", 229_836),
        ("all", "reader_applied", 132_324),
        ("all", "ready", 55_265),
        ("all", "operating", 42_333),
        ("hospital", "facilities", 8_211),
        ("medical_clinic", "reader_applied", 40_809),
        ("dental_clinic", "ready", 11_836),
        ("pharmacy", "operating", 19_053),
    ] {
        assert_eq!(figure(pool, s, kind, metric).await, value, "{kind}/{metric}");
    }
    // seeds/004, as of 2023-01-01.
    let national: String = sqlx::query_scalar(
        "SELECT series FROM adoption_stats WHERE as_of = '2023-01-01' AND prefecture = '' AND facility_type = 'all' LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("2023 national series");
    for (kind, metric, value) in [
        ("all", "facilities", 229_963),
        ("all", "reader_applied", 208_511),
        ("all", "operating", 93_385),
        ("hospital", "facilities", 8_187),
        ("hospital", "operating", 4_349),
        ("medical_clinic", "connected", 33_862),
    ] {
        assert_eq!(figure(pool, &national, kind, metric).await, value, "{kind}/{metric}");
    }
}

#[tokio::test]
async fn benchmark_figures_are_exact_decimal_text() {
    let app = spawn_app().await;
    let (min, mean, max): (String, String, String) = sqlx::query_as(
        "SELECT min, mean, max FROM benchmark_rows WHERE table_id = 'mhlw_onsite_work_minutes' AND label_ja LIKE '%端末セットアップ%'",
    )
    .fetch_one(app.pool())
    .await
    .expect("terminal setup row");
    assert_eq!((min.as_str(), mean.as_str(), max.as_str()), ("30", "131", "370"));
    let visits: String = sqlx::query_scalar("SELECT mean FROM benchmark_rows WHERE table_id = 'mhlw_onsite_visits'")
        .fetch_one(app.pool())
        .await
        .expect("visits");
    assert_eq!(visits, "2.2");
}

#[tokio::test]
async fn demo_data_covers_every_type_with_valid_codes_and_one_user_per_role() {
    let app = spawn_app().await;
    let pool = app.pool();
    let facilities: Vec<(String, String, String)> =
        sqlx::query_as("SELECT facility_code, facility_type, prefecture FROM facilities")
            .fetch_all(pool)
            .await
            .expect("rows");
    assert!(facilities.len() >= 20, "at least 20 demo facilities, got {}", facilities.len());
    let mut kinds = std::collections::BTreeSet::new();
    let mut prefectures = std::collections::BTreeSet::new();
    for (code, kind, prefecture) in &facilities {
        let kind: FacilityType = kind.parse().expect("type");
        let code = FacilityCode::parse_for(code, kind).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(code.prefecture().code(), *prefecture);
        kinds.insert(kind);
        prefectures.insert(prefecture.clone());
    }
    assert_eq!(kinds.len(), 5, "all five facility types");
    assert!(prefectures.len() >= 3, "several prefectures");
    let corp_facilities: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM facilities f JOIN users u ON u.corporation_id = f.corporation_id WHERE u.email = ?",
    )
    .bind(MANAGER)
    .fetch_one(pool)
    .await
    .expect("corporation");
    assert!(corp_facilities >= 2, "the demo corporation has several facilities");
    let roles: Vec<(String, String)> =
        sqlx::query_as("SELECT email, role FROM users ORDER BY id").fetch_all(pool).await.expect("users");
    for (email, role) in
        [(MANAGER, Role::ClinicManager), (REVIEWER, Role::Reviewer), (AUDITOR, Role::Auditor), (ADMIN, Role::Admin)]
    {
        assert!(roles.contains(&(email.to_owned(), role.code().to_owned())), "{email} as {role}");
    }
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = ?")
        .bind(ADMIN)
        .fetch_one(pool)
        .await
        .expect("hash");
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
}

#[tokio::test]
async fn a_second_start_on_the_same_file_keeps_the_data_and_loads_nothing_twice() {
    let app = spawn_app().await;
    let db_path = app.db_path.clone();
    let tables = ["prefectures", "vendors", "benchmark_rows", "adoption_stats", "corporations", "facilities", "users"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(app.pool(), t).await);
    }
    let users_before: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, email, password_hash FROM users ORDER BY id")
            .fetch_all(app.pool())
            .await
            .expect("users");
    app.login_as(MANAGER).await;
    let dir = app.stop().await;

    let again = spawn_on(settings(&db_path, true)).await;
    assert!(again.prepared.demo.is_none(), "no demo load on an existing database");
    let mut after = Vec::new();
    for t in tables {
        after.push(count(again.pool(), t).await);
    }
    assert_eq!(before, after);
    let users_after: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, email, password_hash FROM users ORDER BY id")
            .fetch_all(again.pool())
            .await
            .expect("users");
    assert_eq!(users_before, users_after);
    again.login_as(MANAGER).await;
    drop(dir);
}

#[tokio::test]
async fn no_demo_leaves_out_demo_data_and_a_later_start_does_not_add_it() {
    let dir = tempfile::tempdir().expect("dir");
    let db_path = dir.path().join("prod.sqlite");
    let app = spawn_on(settings(&db_path, false)).await;
    assert_eq!(count(app.pool(), "users").await, 0);
    assert_eq!(count(app.pool(), "facilities").await, 0);
    assert_eq!(count(app.pool(), "prefectures").await, 47, "reference data still loaded");
    app.stop().await;
    let again = spawn_on(settings(&db_path, true)).await;
    assert_eq!(count(again.pool(), "users").await, 0, "no demo users with a known password later");
}

#[tokio::test]
async fn the_database_runs_in_wal_mode_with_foreign_keys_enforced() {
    let app = spawn_app().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(app.pool()).await.expect("pragma");
    assert_eq!(mode, "wal");
    let bad = sqlx::query(
        "INSERT INTO facilities (facility_code, name, facility_type, prefecture) VALUES ('0110113719', 'x', 'hospital', '99')",
    )
    .execute(app.pool())
    .await;
    assert!(bad.is_err(), "a facility in an unknown prefecture is refused");
    // Every pooled connection reads through a memory map (the national dashboards rely on it).
    let mut conns = Vec::new();
    for _ in 0..3 {
        conns.push(app.pool().acquire().await.expect("a connection"));
    }
    for conn in &mut conns {
        let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size").fetch_one(&mut **conn).await.expect("pragma");
        assert_eq!(mapped, 1 << 30);
    }
}

#[tokio::test]
async fn the_home_page_query_returns_exactly_the_newest_national_series() {
    let app = spawn_app().await;
    let pool = app.pool();
    let all = app::ssr::db::reference::adoption_figures(pool).await.expect("all figures");
    let newest = app::ssr::db::reference::newest_national_figures(pool).await.expect("newest national");
    // What the statistics page shows first among the national series, row for row.
    let first = all.iter().find(|f| f.prefecture.is_empty()).expect("a national series");
    let expected: Vec<_> =
        all.iter().filter(|f| f.prefecture.is_empty() && f.series == first.series && f.as_of == first.as_of).collect();
    assert_eq!(newest.iter().collect::<Vec<_>>(), expected);
    assert_eq!(first.as_of, "2023-01-01", "seeds/004 is the newest national series");
    assert!(!newest.is_empty() && newest.len() < all.len(), "{} of {}", newest.len(), all.len());
}
