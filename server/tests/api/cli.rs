//! The `onshi` binary as a process: help, banner, graceful stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

#[test]
fn help_lists_the_subcommands_with_one_line_descriptions() {
    let out = Command::new(BIN).arg("--help").output().expect("run onshi --help");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).expect("utf-8");
    for line in ["serve    Start the web server", "migrate  Create or upgrade the database"] {
        assert!(help.contains(line), "help lacks {line:?}:\n{help}");
    }
    assert!(help.contains("ONSHI_ADDR") && help.contains("ONSHI_DB"));
}

#[test]
fn the_binary_prints_its_address_serves_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("nested").join("onshi.sqlite");
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env_remove("ONSHI_DEMO_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn onshi");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a banner line").expect("utf-8");
    let url = first.strip_prefix("Onshi listening on ").expect("banner format").to_owned();
    let banner: Vec<String> = lines.by_ref().take(7).map(|l| l.expect("line")).collect();
    let password_line = banner.iter().find(|l| l.contains("demo password:")).expect("generated password shown");
    let password = password_line.rsplit(' ').next().expect("password");
    assert_eq!(password.len(), 16, "{password_line}");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let res = reqwest::get(format!("{url}/healthz")).await.expect("healthz");
        assert_eq!(res.status(), 200);
        let login = crate::helpers::client()
            .post(format!("{url}/api/login"))
            .header("Accept", "text/html")
            .header("Referer", format!("{url}/login"))
            .form(&[("email", crate::helpers::MANAGER), ("password", password)])
            .send()
            .await
            .expect("login");
        assert_eq!(crate::helpers::location(&login), "/", "the printed password works");
    });

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    assert!(db.exists(), "the nested folder and the file were created");
}

#[test]
fn migrate_prepares_the_database_and_the_first_serve_still_loads_demo_data() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("m.sqlite");
    let out = Command::new(BIN).arg("migrate").arg("--db").arg(&db).output().expect("migrate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let app = crate::helpers::spawn_on(crate::helpers::settings(&db, true)).await;
        assert!(app.prepared.demo.is_some(), "migrate leaves the demo decision to the first serve");
    });
}
