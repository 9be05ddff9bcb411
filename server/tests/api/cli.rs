//! The `onshi` binary as a process: help, banner, graceful stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

#[test]
fn help_lists_the_subcommands_with_one_line_descriptions() {
    let out = Command::new(BIN).arg("--help").output().expect("run onshi --help");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).expect("utf-8");
    for (name, description) in [
        ("serve", "Start the web server"),
        ("migrate", "Create or upgrade the database"),
        ("subsidy", "Calculate a facility's subsidy"),
        ("audit", "Audit a vendor's quote file"),
        ("audit-log", "Check the audit trail's hash chain"),
        ("dashboard-totals", "Check the dashboards' running totals"),
        ("user", "Add a user account"),
    ] {
        let listed = help.lines().any(|l| {
            let mut words = l.split_whitespace();
            words.next() == Some(name) && l.contains(description)
        });
        assert!(listed, "help lacks {name}: {description}:\n{help}");
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
        .env_remove("ONSHI_DEMO_TOTP_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn onshi");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a banner line").expect("utf-8");
    let url = first.strip_prefix("Onshi listening on ").expect("banner format").to_owned();
    let banner: Vec<String> = lines.by_ref().take(10).map(|l| l.expect("line")).collect();
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
        let secret_line = banner.iter().find(|l| l.contains("demo TOTP secret:")).expect("generated TOTP secret shown");
        let secret = secret_line.rsplit(' ').next().expect("secret");
        assert_eq!(secret.len(), 32, "160 bits in base32: {secret_line}");
        let code = crate::helpers::totp_code_now(secret);
        let login = crate::helpers::client()
            .post(format!("{url}/api/login"))
            .header("Accept", "text/html")
            .header("Referer", format!("{url}/login"))
            .form(&[("email", crate::helpers::REVIEWER), ("password", password), ("code", &code)])
            .send()
            .await
            .expect("login");
        assert_eq!(crate::helpers::location(&login), "/", "the printed TOTP secret works for the reviewer");
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

fn subsidy(args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("subsidy").args(args).output().expect("run onshi subsidy")
}

#[test]
fn subsidy_json_gives_the_official_hospital_amount_with_sources() {
    let out = subsidy(&[
        "--facility-type",
        "hospital",
        "--readers",
        "2",
        "--reader-applied-on",
        "2021-04-01",
        "--eligible-cost",
        "3,000,000",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["scheme"], "normal_2020");
    assert_eq!(v["rate"], "1/2");
    assert_eq!(v["cap"], "2002000");
    assert_eq!(v["subsidy"], "1001000");
    assert_eq!(v["eligible_not_subsidised"], "1999000");
    assert_eq!(v["complete_by"], "2023-03-31");
    assert_eq!(v["apply_by"], "2023-09-30");
    assert!(
        v["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w["message"].as_str().unwrap_or("").contains("2,002,000円"))
    );
    let explanation = v["explanation"].as_array().expect("explanation");
    assert!(explanation.iter().any(|s| s.as_str().unwrap_or("").contains("出典: seeds/003")));
}

#[test]
fn subsidy_accepts_wareki_dates_and_shows_the_what_if_line() {
    let out = subsidy(&[
        "--facility-type",
        "medical_clinic",
        "--readers",
        "1",
        "--reader-applied-on",
        "令和3年4月1日",
        "--eligible-cost",
        "42.9万円",
        "--what-if-applied-on",
        "2021-03-31",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("補助額: 321,000円（32.1万円）"), "{text}");
    assert!(text.contains("補助額 429,000円（差 +108,000円）"), "{text}");
}

#[test]
fn subsidy_refuses_bad_input_with_what_to_fix() {
    let base = ["--eligible-cost", "100000"];
    let cases: [(&[&str], &str); 4] = [
        (&["--facility-type", "hospital", "--readers", "1", "--reader-applied-on", "2021-02-30"], "存在しない日付"),
        (&["--facility-type", "clinic", "--readers", "1", "--reader-applied-on", "2021-02-03"], "medical_clinic"),
        (
            &[
                "--facility-type",
                "pharmacy",
                "--readers",
                "1",
                "--reader-applied-on",
                "2021-02-03",
                "--grace-type",
                "7",
            ],
            "1〜6",
        ),
        (&["--facility-type", "hospital", "--readers", "4", "--reader-applied-on", "2021-02-03"], "3台まで"),
    ];
    for (args, expected) in cases {
        let mut all: Vec<&str> = base.to_vec();
        all.extend_from_slice(args);
        let out = subsidy(&all);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let negative = subsidy(&[
        "--facility-type",
        "pharmacy",
        "--readers",
        "1",
        "--reader-applied-on",
        "2021-02-03",
        "--eligible-cost",
        "-5",
    ]);
    assert!(!negative.status.success());
    assert!(String::from_utf8_lossy(&negative.stderr).contains("マイナス"));
}
