//! `onshi backup` while the server writes, and `onshi restore` into a server that starts on it.

use crate::helpers::*;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

fn onshi(args: &[&str], db: &std::path::Path) -> Output {
    Command::new(BIN).args(args).arg("--db").arg(db).output().expect("run onshi")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn count(pool: &sqlx::SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

/// One facility edit with its audit-trail row, as the app writes them.
async fn audit_one_write(pool: &sqlx::SqlitePool) {
    use app::ssr::audit_log::{Actor, Change, begin, record};
    let mut tx = begin(pool).await.expect("begin");
    sqlx::query("UPDATE facilities SET address = address || '・' WHERE id = 1")
        .execute(&mut *tx)
        .await
        .expect("update");
    let change = Change { action: "update", entity: "facility", entity_id: "1".into(), before: None, after: None };
    record(&mut tx, &Actor::cli(), change).await.expect("audit");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_backup_taken_while_the_server_writes_restores_into_a_working_server() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let dir = tempfile::tempdir().expect("dir");
    let backup = dir.path().join("onshi-backup.sqlite");

    // Writes keep landing (audit-logged facility edits) while the backup runs.
    let writer = {
        let pool = app.pool().clone();
        tokio::spawn(async move {
            for _ in 0..200 {
                audit_one_write(&pool).await;
            }
        })
    };
    let db = app.db_path.clone();
    let backup_arg = backup.to_str().expect("utf-8 path").to_owned();
    let out = tokio::task::spawn_blocking(move || onshi(&["backup", &backup_arg], &db)).await.expect("backup");
    writer.await.expect("writer");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("integrity_check ok"), "{}", text(&out));
    assert!(
        !dir.path().read_dir().expect("dir").any(|e| e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .contains("partial")),
        "no partial file left"
    );

    // The copy is a consistent snapshot: its chain verifies, whatever was written meanwhile.
    let verify = onshi(&["audit-log", "verify"], &backup);
    assert!(verify.status.success(), "{}", text(&verify));
    let facilities = count(app.pool(), "SELECT count(*) FROM facilities").await;

    // An existing file is never overwritten.
    let again = onshi(&["backup", backup.to_str().expect("path")], &app.db_path);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("既にあります"), "{}", text(&again));

    // Restore over an existing database: the old one is kept beside it.
    let target = dir.path().join("restored").join("onshi.sqlite");
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(&target, b"the database before the restore").expect("old file");
    let out = onshi(&["restore", backup.to_str().expect("path")], &target);
    assert!(out.status.success(), "{}", text(&out));
    let kept: Vec<_> = std::fs::read_dir(target.parent().expect("parent"))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains(".before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).expect("kept"), b"the database before the restore");

    let restored = spawn_on(settings(&target, false)).await;
    assert_eq!(count(restored.pool(), "SELECT count(*) FROM facilities").await, facilities);
    let integrity: String =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(restored.pool()).await.expect("check");
    assert_eq!(integrity, "ok");
    restored.login_as(MANAGER).await;
    let page = restored.client.get(restored.url("/facilities")).send().await.expect("page");
    assert_eq!(page.status(), 200, "the restored server serves pages");
}

#[tokio::test]
async fn a_file_that_is_not_a_sound_onshi_backup_is_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("onshi.sqlite");
    std::fs::write(&target, b"current").expect("target");

    let not_sqlite = dir.path().join("notes.txt");
    std::fs::write(&not_sqlite, "見積書メモ").expect("notes");
    let out = onshi(&["restore", not_sqlite.to_str().expect("path")], &target);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("使えません"), "{}", text(&out));

    // A sound backup whose audit trail was rewritten afterwards.
    audit_one_write(app.pool()).await;
    let tampered = dir.path().join("tampered.sqlite");
    let out = onshi(&["backup", tampered.to_str().expect("path")], &app.db_path);
    assert!(out.status.success(), "{}", text(&out));
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", tampered.display())).await.expect("open");
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(&pool).await.expect("drop guard");
    sqlx::query("UPDATE audit_log SET after_json = '{}' WHERE id = (SELECT min(id) FROM audit_log)")
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let out = onshi(&["restore", tampered.to_str().expect("path")], &target);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // Refused for its missing append-only trigger before its broken chain is even read.
    assert!(text(&out).contains("監査ログ") && text(&out).contains("audit_log_no_update"), "{}", text(&out));

    assert_eq!(std::fs::read(&target).expect("target"), b"current", "the database was not touched");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("before-restore") && !n.contains("restoring")),
        "nothing moved aside or left: {names:?}"
    );
}
