//! The audit trail on a real database file: the chain, the append-only triggers, tampering, the CLI, concurrency, queries and CSV.

use crate::helpers::{TestApp, settings, spawn_on};
use app::csv::Charset;
use futures_util::StreamExt;
use serde_json::json;
use server::audit_log::{self, Actor, BreakReason, BrokenRow, Change, LogFilter, VerifyReport};
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// The app without demo data on a file in a folder the test keeps.
async fn spawn_fresh() -> (TempDir, TestApp) {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = spawn_on(settings(&dir.path().join("onshi.sqlite"), false)).await;
    (dir, app)
}

fn change(action: &'static str, entity: &'static str, id: impl ToString) -> Change<'static> {
    Change {
        action,
        entity,
        entity_id: id.to_string(),
        before: Some(json!({ "name": "旧名称", "n": 1 })),
        after: Some(json!({ "name": "新名称", "n": 2 })),
    }
}

/// Records one change in its own committed transaction; returns the row id.
async fn record_one(pool: &SqlitePool, actor: &Actor, change: Change<'_>) -> i64 {
    let mut tx = audit_log::begin(pool).await.expect("begin immediate");
    let id = audit_log::record(&mut tx, actor, change).await.expect("record");
    tx.commit().await.expect("commit");
    id
}

async fn verified(pool: &SqlitePool) -> VerifyReport {
    audit_log::verify(pool).await.expect("verify runs")
}

async fn log_rows(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(pool).await.expect("count")
}

/// Runs `sql` with the audit_log triggers out of the way, as someone with
/// the file and a SQLite shell could, then puts the triggers back as they were.
async fn tamper(pool: &SqlitePool, sql: &str) {
    let mut tx = pool.begin().await.expect("begin");
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
            .fetch_all(&mut *tx)
            .await
            .expect("triggers");
    assert_eq!(triggers.len(), 3, "update, delete and insert guards: {triggers:?}");
    for (name, _) in &triggers {
        sqlx::query(&format!("DROP TRIGGER {name}")).execute(&mut *tx).await.expect("drop trigger");
    }
    sqlx::query(sql).execute(&mut *tx).await.expect("tampering statement");
    for (_, create) in &triggers {
        sqlx::query(create).execute(&mut *tx).await.expect("recreate trigger");
    }
    tx.commit().await.expect("commit tampering");
}

#[tokio::test]
async fn recorded_changes_form_an_unbroken_chain_from_the_genesis_hash() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let start = verified(pool).await;
    assert!(start.is_intact());

    // The usual shape: change a row, then log it, in one plain transaction.
    let mut tx = pool.begin().await.expect("begin");
    let corporation: i64 = sqlx::query_scalar(
        "INSERT INTO corporations (code, name, kind) VALUES ('C-AUDIT', '医療法人監査会', 'medical_corporation') RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("insert corporation");
    let created = Change {
        action: "create",
        entity: "corporation",
        entity_id: corporation.to_string(),
        before: None,
        after: Some(json!({ "code": "C-AUDIT", "name": "医療法人監査会" })),
    };
    let first = audit_log::record(&mut tx, &Actor::user(1, "admin@example.jp"), created).await.expect("record");
    tx.commit().await.expect("commit");
    let second = record_one(pool, &Actor::cli(), change("update", "corporation", corporation)).await;
    let third = record_one(
        pool,
        &Actor::system(),
        Change {
            action: "delete",
            entity: "corporation",
            entity_id: corporation.to_string(),
            before: None,
            after: None,
        },
    )
    .await;
    assert!(first < second && second < third);

    let report = verified(pool).await;
    assert_eq!(report.rows, start.rows + 3);
    assert_eq!(report.first_broken, None);
    let rows = audit_log::list(pool, &LogFilter::default(), 3, 0).await.expect("list");
    let [c, b, a] = rows.as_slice() else { panic!("three rows, got {rows:?}") };
    assert_eq!(report.head_hash, c.hash);
    assert_eq!((b.prev_hash.as_str(), c.prev_hash.as_str()), (a.hash.as_str(), b.hash.as_str()));
    if start.rows == 0 {
        assert_eq!(a.prev_hash, audit_log::GENESIS_HASH);
    }
    assert_eq!((a.actor_user_id, a.actor_label.as_str()), (Some(1), "admin@example.jp"));
    assert_eq!((b.actor_user_id, b.actor_label.as_str()), (None, "cli"));
    assert_eq!(c.actor_label, "system");
    assert_eq!(a.before_json, None);
    assert_eq!(a.after_json.as_deref(), Some(r#"{"code":"C-AUDIT","name":"医療法人監査会"}"#));
    assert!(a.at.ends_with('Z') && a.at.len() == "2026-11-22T03:04:05.123456Z".len(), "{}", a.at);
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_log_rows_or_to_insert_off_the_chain() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let id = record_one(pool, &Actor::cli(), change("update", "facility", 7)).await;
    let before = audit_log::list(pool, &LogFilter::default(), 1, 0).await.expect("list");

    let refusals = [
        ("UPDATE audit_log SET before_json = '{}' WHERE id = ?", "rows cannot be updated"),
        ("UPDATE audit_log SET hash = hash WHERE id = ?", "rows cannot be updated"),
        ("DELETE FROM audit_log WHERE id = ?", "rows cannot be deleted"),
        ("DELETE FROM audit_log WHERE id >= ?", "rows cannot be deleted"),
        // REPLACE deletes without firing DELETE triggers; the insert guard stops it.
        (
            "INSERT OR REPLACE INTO audit_log (id, at, actor_label, action, entity, entity_id, prev_hash, hash) \
             SELECT ?, '2026-01-01T00:00:00.000000Z', 'x', 'x', 'x', 'x', hash, printf('%064d', 1) \
             FROM audit_log ORDER BY id DESC LIMIT 1",
            "id is assigned by the database",
        ),
        (
            "INSERT INTO audit_log (at, actor_label, action, entity, entity_id, prev_hash, hash) \
             SELECT '2026-01-01T00:00:00.000000Z', 'x', 'x', 'x', 'x' || ?, printf('%064d', 0), printf('%064d', 2)",
            "prev_hash must be the hash of the last row",
        ),
    ];
    for (sql, message) in refusals {
        let err = sqlx::query(sql).bind(id).execute(pool).await.expect_err(sql);
        assert!(err.to_string().contains(message), "{sql}: {err}");
    }
    let after = audit_log::list(pool, &LogFilter::default(), 1, 0).await.expect("list");
    assert_eq!(before, after, "the row is as it was");
    assert!(verified(pool).await.is_intact());
}

#[tokio::test]
async fn verify_names_the_row_whose_content_was_changed() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(record_one(pool, &Actor::user(2, "admin@example.jp"), change("update", "quote", n)).await);
    }
    let rows = verified(pool).await.rows;
    tamper(pool, &format!(r#"UPDATE audit_log SET before_json = '{{"name":"改ざん","n":1}}' WHERE id = {}"#, ids[2]))
        .await;

    let report = verified(pool).await;
    assert_eq!(report.first_broken, Some(BrokenRow { id: ids[2], reason: BreakReason::HashMismatch }));
    assert_eq!(report.rows, rows, "every row is still counted");
}

#[tokio::test]
async fn verify_names_the_row_whose_hash_was_changed() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(record_one(pool, &Actor::system(), change("update", "facility", n)).await);
    }
    tamper(pool, &format!("UPDATE audit_log SET hash = printf('%064d', 42) WHERE id = {}", ids[1])).await;

    let broken = verified(pool).await.first_broken;
    assert_eq!(broken, Some(BrokenRow { id: ids[1], reason: BreakReason::HashMismatch }));
}

#[tokio::test]
async fn verify_names_the_row_after_a_removed_one() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(record_one(pool, &Actor::cli(), change("create", "user", n)).await);
    }
    tamper(pool, &format!("DELETE FROM audit_log WHERE id = {}", ids[1])).await;

    let broken = verified(pool).await.first_broken;
    assert_eq!(broken, Some(BrokenRow { id: ids[2], reason: BreakReason::PrevHashMismatch }));
}

#[tokio::test]
async fn a_rolled_back_write_leaves_no_log_row_and_a_failed_log_row_undoes_the_write() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let rows = log_rows(pool).await;
    let corporations = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM corporations WHERE code LIKE 'C-RB%'")
            .fetch_one(pool)
            .await
            .expect("count corporations")
    };

    // The write and its log row, then a rollback: neither stays.
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("INSERT INTO corporations (code, name, kind) VALUES ('C-RB1', '法人', 'pharmacy_chain')")
        .execute(&mut *tx)
        .await
        .expect("insert");
    audit_log::record(&mut tx, &Actor::cli(), change("create", "corporation", "C-RB1")).await.expect("record");
    tx.rollback().await.expect("rollback");
    assert_eq!(log_rows(pool).await, rows);
    assert_eq!(corporations().await, 0);

    // A log row the table refuses (empty action) fails the record, and the
    // transaction dropped without commit takes the write with it.
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("INSERT INTO corporations (code, name, kind) VALUES ('C-RB2', '法人', 'pharmacy_chain')")
        .execute(&mut *tx)
        .await
        .expect("insert");
    let refused = audit_log::record(&mut tx, &Actor::cli(), change("", "corporation", "C-RB2")).await;
    assert!(refused.is_err(), "an empty action is refused");
    drop(tx);
    assert_eq!(log_rows(pool).await, rows);
    assert_eq!(corporations().await, 0);
    assert!(verified(pool).await.is_intact());
}

fn verify_with_cli(db: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(["audit-log", "verify", "--db"])
        .arg(db)
        .env_remove("ONSHI_DB")
        .output()
        .expect("run onshi audit-log verify");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

#[tokio::test]
async fn the_cli_verify_exits_0_on_an_intact_log_and_1_naming_a_tampered_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db: PathBuf = dir.path().join("onshi.sqlite");
    let app = spawn_on(settings(&db, false)).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(record_one(app.pool(), &Actor::cli(), change("update", "facility", n)).await);
    }
    let report = verified(app.pool()).await;
    app.stop().await;

    let (code, stdout, stderr) = verify_with_cli(&db);
    assert_eq!(code, Some(0), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains(&format!("監査ログは正常です（{}件）", report.rows)), "{stdout}");
    assert!(stdout.contains(&format!("audit log intact ({} rows)", report.rows)), "{stdout}");
    assert!(stdout.contains(&report.head_hash), "the head hash is shown to be noted: {stdout}");

    let pool = server::db::connect(&db).await.expect("open the file again");
    tamper(&pool, &format!(r#"UPDATE audit_log SET after_json = '{{"n":999}}' WHERE id = {}"#, ids[1])).await;
    pool.close().await;

    let (code, stdout, stderr) = verify_with_cli(&db);
    assert_eq!(code, Some(1), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains(&format!("ID {}", ids[1])), "{stdout}");
    assert!(stdout.contains(&format!("audit log broken at row {}: hash_mismatch", ids[1])), "{stdout}");
    assert!(stdout.contains("行の内容がハッシュと一致しません"), "{stdout}");
}

#[test]
fn the_cli_verify_refuses_a_missing_database_instead_of_creating_an_empty_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("typo.sqlite");
    let (code, stdout, stderr) = verify_with_cli(&db);
    assert_eq!(code, Some(2), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("データベースがありません") && stderr.contains("--db"), "{stderr}");
    assert!(!db.exists(), "no file was created");
}

#[tokio::test]
async fn concurrent_recorders_produce_one_unbroken_chain() {
    const TASKS: i64 = 8;
    const EACH: i64 = 20;
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool().clone();
    let start = verified(&pool).await.rows;

    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..EACH {
                let actor = Actor::user(task, format!("user{task}@example.jp"));
                // Half take the write lock up front, half write before logging:
                // both must read the head under the lock.
                let mut tx = if task % 2 == 0 {
                    audit_log::begin(&pool).await.expect("begin immediate")
                } else {
                    let mut tx = pool.begin().await.expect("begin");
                    sqlx::query(
                        "INSERT INTO corporations (code, name, kind) VALUES (?, '法人', 'medical_corporation')",
                    )
                    .bind(format!("C-{task}-{n}"))
                    .execute(&mut *tx)
                    .await
                    .expect("write before logging");
                    tx
                };
                audit_log::record(&mut tx, &actor, change("update", "facility", task * 100 + n)).await.expect("record");
                tx.commit().await.expect("commit");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task finished");
    }

    let report = verified(&pool).await;
    assert_eq!(report.first_broken, None);
    assert_eq!(report.rows, start + u64::try_from(TASKS * EACH).expect("positive"));
    let distinct_links: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT prev_hash) FROM audit_log").fetch_one(&pool).await.expect("count");
    assert_eq!(u64::try_from(distinct_links).expect("positive"), report.rows, "no two rows share a predecessor");
}

#[tokio::test]
async fn a_writer_with_a_stale_snapshot_is_refused_rather_than_forking_the_chain() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    record_one(pool, &Actor::cli(), change("create", "user", 1)).await;

    // A deferred transaction that has only read holds a snapshot of the old head…
    let mut stale = pool.begin().await.expect("begin");
    let _: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&mut *stale).await.expect("read");
    // …while another writer moves the head.
    record_one(pool, &Actor::cli(), change("create", "user", 2)).await;

    let result = audit_log::record(&mut stale, &Actor::cli(), change("create", "user", 3)).await;
    let code = match &result {
        Err(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
        _ => None,
    };
    assert_eq!(code.as_deref(), Some("517"), "SQLITE_BUSY_SNAPSHOT refuses the stale write: {result:?}");
    drop(stale);
    let report = verified(pool).await;
    assert!(report.is_intact(), "{report:?}");
}

/// The JST calendar day of a stored UTC `at`.
fn jst_day(at: &str) -> chrono::NaiveDate {
    let utc = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S%.fZ").expect("timestamp");
    (utc + chrono::TimeDelta::hours(9)).date()
}

#[tokio::test]
async fn the_auditor_view_filters_by_entity_actor_action_and_japanese_day_and_pages() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let admin = Actor::user(1, "Admin@Example.jp");
    let reviewer = Actor::user(2, "reviewer@example.jp");
    let a = record_one(pool, &admin, change("create", "facility", 1)).await;
    let b = record_one(pool, &reviewer, change("update", "facility", 1)).await;
    let c = record_one(pool, &admin, change("delete", "quote", 5)).await;
    let d = record_one(pool, &Actor::cli(), change("update", "quote", 6)).await;
    let ids_of = |filter: LogFilter| async move {
        let rows = audit_log::list(pool, &filter, 100, 0).await.expect("list");
        let n = audit_log::count(pool, &filter).await.expect("count");
        assert_eq!(n, u64::try_from(rows.len()).expect("small"), "count agrees with list for {filter:?}");
        rows.into_iter().map(|r| r.id).filter(|id| [a, b, c, d].contains(id)).collect::<Vec<_>>()
    };

    let f = |entity: Option<&str>, actor: Option<&str>, action: Option<&str>| LogFilter {
        entity: entity.map(str::to_owned),
        actor: actor.map(str::to_owned),
        action: action.map(str::to_owned),
        ..LogFilter::default()
    };
    assert_eq!(ids_of(f(Some("facility"), None, None)).await, [b, a], "newest first");
    assert_eq!(ids_of(f(None, Some("admin@EXAMPLE"), None)).await, [c, a], "actor: part of the label, any case");
    assert_eq!(ids_of(f(None, None, Some("update"))).await, [d, b]);
    assert_eq!(ids_of(f(Some("quote"), Some("cli"), Some("update"))).await, [d]);
    assert_eq!(ids_of(f(None, Some("%"), None)).await, Vec::<i64>::new(), "% is not a wildcard");

    let at = audit_log::list(pool, &LogFilter::default(), 1, 0).await.expect("list")[0].at.clone();
    let day = jst_day(&at);
    let dated = |from, to| LogFilter { from, to, ..f(Some("quote"), None, None) };
    assert_eq!(ids_of(dated(Some(day), Some(day))).await, [d, c], "the whole Japanese day");
    assert_eq!(ids_of(dated(day.succ_opt(), None)).await, Vec::<i64>::new());
    assert_eq!(ids_of(dated(None, day.pred_opt())).await, Vec::<i64>::new());

    let page = |offset| async move {
        audit_log::list(pool, &f(None, Some("example.jp"), None), 2, offset)
            .await
            .expect("page")
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(page(0).await, [c, b]);
    assert_eq!(page(2).await, [a]);
}

#[tokio::test]
async fn the_csv_export_is_utf8_with_bom_japanese_headers_and_escaped_fields_oldest_first() {
    let (_dir, app) = spawn_fresh().await;
    let pool = app.pool();
    let actor = Actor::user(3, "=cmd|' /C calc'!A0");
    record_one(pool, &actor, change("create", "complaint", "first")).await;
    let tricky = Change {
        action: "update",
        entity: "complaint",
        entity_id: "2".into(),
        before: None,
        after: Some(json!({ "note": "高額, \"上限まで\"\n見積" })),
    };
    record_one(pool, &actor, tricky).await;
    record_one(pool, &Actor::cli(), change("update", "facility", 1)).await;

    let filter = LogFilter { entity: Some("complaint".into()), ..LogFilter::default() };
    // The bytes of the HTTP body, as the exports' writer streams them.
    let mut out = Vec::new();
    let mut chunks = std::pin::pin!(app::ssr::exports::audit_log_stream(pool.clone(), filter.clone(), Charset::Utf8));
    while let Some(chunk) = chunks.next().await {
        out.extend(chunk.expect("chunk"));
    }
    assert!(out.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM first");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(!text[3..].contains('\u{feff}'), "one BOM");
    let data_lines = text.split("\r\n").skip(1).filter(|l| !l.is_empty()).count();
    assert_eq!(data_lines, 2, "one line per matching entry (the JSON's \\n is escaped, not a line break)");
    let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
    assert_eq!(lines.next(), Some("日時,操作者,操作,対象,対象ID,変更前,変更後,ハッシュ"));
    let first = lines.next().expect("first row");
    assert!(first.contains(",'=cmd|' /C calc'!A0,create,complaint,first,"), "formula neutralised: {first}");
    let rows = audit_log::list(pool, &filter, 2, 0).await.expect("list");
    let expected_second = format!(
        "{},'=cmd|' /C calc'!A0,update,complaint,2,,\"{{\"\"note\"\":\"\"高額, \\\"\"上限まで\\\"\"\\n見積\"\"}}\",{}",
        rows[0].at, rows[0].hash
    );
    assert_eq!(lines.next(), Some(expected_second.as_str()), "oldest first, RFC 4180 quoting");
    assert_eq!(lines.next(), Some(""), "the last record ends with CRLF");
    assert_eq!(lines.next(), None);
}
