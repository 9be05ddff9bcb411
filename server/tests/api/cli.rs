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

/// `onshi subsidy … --json`, which must succeed, as JSON.
pub(crate) fn subsidy_json(args: &[&str]) -> serde_json::Value {
    let mut args = args.to_vec();
    args.push("--json");
    let out = subsidy(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn subsidy_json_gives_the_official_hospital_amount_with_sources() {
    let v = subsidy_json(&[
        "--facility-type",
        "hospital",
        "--readers",
        "2",
        "--reader-applied-on",
        "2021-04-01",
        "--eligible-cost",
        "3,000,000",
    ]);
    assert_eq!(v["scheme"], "normal_2020");
    assert_eq!(v["rate"], "1/2");
    assert_eq!(v["cap"], "2002000");
    assert_eq!(v["subsidy"], "1001000");
    assert_eq!(v["eligible_not_subsidised"], "1999000");
    // Nothing outside the subsidy: the 自己負担 is what is paid minus the subsidy.
    let yen = |key: &str| v[key].as_str().unwrap_or_default().parse::<i64>().expect(key);
    assert_eq!(yen("total_paid"), 3_000_000);
    assert_eq!(yen("self_burden"), yen("total_paid") - yen("subsidy"));
    assert_eq!(["not_covered", "above_cap", "rate_share"].map(yen), [0, 998_000, 1_001_000]);
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

/// The clinic of the one-answer case: reader applied for on 2022-08-01, contract in time,
/// 2,695,000円 eligible and 264,000円 of running costs (tax included).
pub(crate) const REVISION_2022_CLINIC: [&str; 16] = [
    "--facility-type",
    "medical_clinic",
    "--readers",
    "1",
    "--reader-applied-on",
    "2022-08-01",
    "--vendor-contract-on",
    "2022-11-15",
    "--completed-on",
    "2023-01-20",
    "--operation-started-on",
    "2023-02-01",
    "--eligible-cost",
    "2,695,000",
    "--not-covered",
    "264,000",
];

#[test]
fn subsidy_counts_the_costs_not_covered_in_the_self_burden_with_its_three_parts() {
    let v = subsidy_json(&REVISION_2022_CLINIC);
    assert_eq!(v["scheme"], "revision_2022");
    let yen = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        ["subsidy", "total_paid", "self_burden", "not_covered", "above_cap", "rate_share", "eligible_not_subsidised"]
            .map(yen),
        ["429000", "2959000", "2530000", "264000", "2266000", "0", "2266000"]
    );
    let conditions = v["conditions"].as_array().expect("conditions");
    assert!(!conditions.is_empty() && conditions.iter().all(|c| c["met"] == true), "{conditions:?}");
    assert!(
        conditions.iter().any(|c| c["text"].as_str().unwrap_or("").contains("令和4年11月15日")),
        "the contract date that met the condition: {conditions:?}"
    );
    assert_eq!(v["assumptions"].as_array().map(Vec::len), Some(0), "every fact was given");
    assert_eq!(v["alternatives"].as_array().map(Vec::len), Some(0), "nothing better to reach");

    let out = subsidy(&REVISION_2022_CLINIC);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    for expected in [
        "補助額: 429,000円（42.9万円）",
        "支払総額: 2,959,000円",
        "自己負担: 2,530,000円（支払総額 − 補助額）",
        "  うち補助対象外の費用: 264,000円",
        "  うち上限を超える補助対象経費: 2,266,000円",
        "  うち補助率により残る額: 0円",
        "補助対象経費のうち補助されない額: 2,266,000円",
    ] {
        assert!(text.lines().any(|l| l == expected), "{expected}:\n{text}");
    }
    assert!(!text.contains("自己負担: 2,266,000円"), "eligible − subsidy is not called 自己負担:\n{text}");
}

#[test]
fn subsidy_without_a_reader_application_says_what_it_assumed_and_what_each_window_gives() {
    let v = subsidy_json(&[
        "--facility-type",
        "medical_clinic",
        "--readers",
        "1",
        "--eligible-cost",
        "2,695,000",
        "--not-covered",
        "264,000",
    ]);
    assert_eq!((v["subsidy"].as_str(), v["self_burden"].as_str()), (Some("321000"), Some("2638000")));
    let assumptions = v["assumptions"].as_array().expect("assumptions");
    assert!(
        assumptions.iter().any(|a| a.as_str().unwrap_or("").contains("カードリーダーの申込日が入力されていない")),
        "{assumptions:?}"
    );
    let alternatives = v["alternatives"].as_array().expect("alternatives");
    let window = alternatives
        .iter()
        .find(|a| a["deadline"] == "2022-12-31")
        .unwrap_or_else(|| panic!("the 2022 window: {alternatives:?}"));
    assert_eq!((window["subsidy"].as_str(), window["self_burden"].as_str()), (Some("429000"), Some("2530000")));
    assert!(
        window["sentence"]
            .as_str()
            .unwrap_or("")
            .starts_with("令和4年12月31日までにカードリーダーを申し込み、令和5年2月28日までにベンダーと契約すると"),
        "{window}"
    );
}

#[test]
fn subsidy_refuses_negative_costs_not_covered() {
    let mut args = REVISION_2022_CLINIC[..14].to_vec();
    args.extend(["--not-covered", "-1,000"]);
    let out = subsidy(&args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("補助対象外の費用がマイナスです"), "{err}");
}
