//! Crash safety: the server or a bulk import killed with SIGKILL in the middle of a write leaves
//! a sound database — no half quote, no half batch — and the server starts again on it.

use crate::helpers::*;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");
pub(crate) const PASSWORD: &str = "crash-test-password-2026";

/// `onshi serve` on `db`; returns the process and its address once it listens.
pub(crate) fn serve(db: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        // The quotes these tests count are their own.
        .arg("--no-demo-activity")
        .env("ONSHI_DEMO_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn onshi serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    stdout.read_line(&mut banner).expect("banner");
    // Keep draining the rest of the banner so the process never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url =
        banner.trim().strip_prefix("Onshi listening on ").unwrap_or_else(|| panic!("banner: {banner}")).to_owned();
    (child, url)
}

/// What a killed process left: SQLite's integrity check, and the dashboard totals' drift.
async fn sound(db: &Path) -> sqlx::SqlitePool {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.expect("check");
    assert_eq!(integrity, "ok");
    let keys: Vec<(String,)> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&pool).await.expect("fk");
    assert_eq!(keys, vec![], "no dangling reference");
    assert_eq!(app::ssr::db::dashboard::totals_drift(&pool).await.expect("drift"), vec![]);
    pool
}

/// The audit trail's chain, checked by the binary.
fn audit_chain_intact(db: &Path) {
    let out = Command::new(BIN).args(["audit-log", "verify", "--db"]).arg(db).output().expect("verify");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_bulk_import_killed_mid_batch_keeps_whole_batches_and_the_server_starts_on_it() {
    const BATCH: i64 = 1_000;
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("onshi.sqlite");
    assert!(Command::new(BIN).args(["migrate", "--db"]).arg(&db).output().expect("migrate").status.success());
    let mut import = Command::new(BIN)
        .args(["seed-national", "--facilities", "50000", "--batch-size", &BATCH.to_string(), "--db"])
        .arg(&db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn seed-national");
    let mut stderr = BufReader::new(import.stderr.take().expect("stderr"));
    // Two batches committed, the third under way: SIGKILL, no chance to roll back or clean up.
    let mut progress = 0;
    let mut line = String::new();
    while progress < 2 {
        line.clear();
        assert!(stderr.read_line(&mut line).expect("progress") > 0, "seed-national ended early");
        if line.starts_with("facilities ") {
            progress += 1;
        }
    }
    import.kill().expect("SIGKILL");
    import.wait().expect("reaped");
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let pool = sound(&db).await;
        let facilities: i64 =
            sqlx::query_scalar("SELECT count(*) FROM facilities").fetch_one(&pool).await.expect("count");
        assert!((2 * BATCH..50_000).contains(&facilities), "{facilities} facilities");
        assert_eq!(facilities % BATCH, 0, "whole batches only: {facilities}");
        let half_quotes: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM quotes q WHERE (SELECT count(*) FROM quote_lines l WHERE l.quote_id = q.id) <> 10",
        )
        .fetch_one(&pool)
        .await
        .expect("count");
        assert_eq!(half_quotes, 0, "every quote has all its lines");
        pool.close().await;
    });
    audit_chain_intact(&db);
    let (mut server, url) = serve(&db);
    let status = rt.block_on(async { reqwest::get(format!("{url}/healthz")).await.expect("healthz").status() });
    server.kill().expect("stop");
    server.wait().expect("reaped");
    assert_eq!(status, 200, "the server starts on the database the import left");
}

#[test]
fn a_server_killed_while_confirming_a_quote_leaves_all_of_it_or_none() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("onshi.sqlite");
    let mut csv = String::from("品名,数量,単位,単価,金額\r\n");
    const LINES: i64 = 15_000;
    for i in 0..LINES {
        csv.push_str(&format!("LAN配線工事 {i},1,式,1000,1000\r\n"));
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let wal = dir.path().join("onshi.sqlite-wal");
    let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    // Killed while the confirmation's transaction is being written: the WAL has grown by this
    // much past its size before the confirmation (uncommitted pages spill from the page cache).
    // A kill lands mid-write only if the confirmation is still running when the WAL has grown:
    // on a fast moment it can finish first. Such an attempt must leave a whole quote too, and
    // the next one tries again; each size needs one kill that landed mid-write.
    const ATTEMPTS: usize = 5;
    for grown in [64 * 1024, 1024 * 1024] {
        let mut landed_mid_write = false;
        for _ in 0..ATTEMPTS {
            let (mut server, url) = serve(&db);
            let answered = rt.block_on(async {
                let c = client();
                let form = [("email", MANAGER), ("password", PASSWORD)];
                let login = c.post(format!("{url}/api/login")).header("Origin", url.clone()).form(&form).send().await.expect("login");
                assert_eq!(location(&login), "/", "signed in");
                let facility: i64 = {
                    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open");
                    let id = sqlx::query_scalar(
                        "SELECT id FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
                    )
                    .fetch_one(&pool)
                    .await
                    .expect("facility");
                    pool.close().await;
                    id
                };
                let part = reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("long.csv");
                let res = c
                    .post(format!("{url}/facilities/{facility}/quotes"))
                    .header("Origin", url.clone())
                    .multipart(reqwest::multipart::Form::new().part("file", part))
                    .send()
                    .await
                    .expect("upload");
                let draft = location(&res);
                assert!(draft.starts_with("/quotes/drafts/"), "a draft: {} {draft}", res.status());
                let token = draft.rsplit('/').next().expect("token").to_owned();
                let before = wal_size();
                let confirm = tokio::spawn(
                    c.post(format!("{url}/api/confirm_quote"))
                        .header("Origin", url.clone())
                        .header("Referer", format!("{url}{draft}"))
                        .form(&[("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "")])
                        .send(),
                );
                while wal_size() < before + grown && !confirm.is_finished() {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                confirm.is_finished()
            });
            server.kill().expect("SIGKILL");
            server.wait().expect("reaped");

            rt.block_on(async {
                let pool = sound(&db).await;
                let quotes: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT q.id, (SELECT count(*) FROM quote_lines l WHERE l.quote_id = q.id),
                        (SELECT count(*) FROM quote_files f WHERE f.quote_id = q.id)
                 FROM quotes q",
                )
                .fetch_all(&pool)
                .await
                .expect("quotes");
                for (id, lines, files) in &quotes {
                    assert_eq!((*lines, *files), (LINES, 1), "quote {id} is whole");
                }
                pool.close().await;
            });
            audit_chain_intact(&db);
            if !answered {
                landed_mid_write = true;
                break;
            }
        }
        assert!(landed_mid_write, "killed while the confirmation was still being written ({grown} bytes of WAL)");
    }
}
