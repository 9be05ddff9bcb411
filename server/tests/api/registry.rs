//! The facility registry from the command line: `onshi registry import` of the bureaus'
//! lists (workbooks, zips, CSV) and `onshi registry lookup`, monthly updates with their
//! history and audit trail, and bad files that change nothing.

use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../registry_reader/tests/fixtures").join(name)
}

fn onshi(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).arg("--db").arg(db).env_remove("ONSHI_DB").output().expect("run onshi")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {} / {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn import(db: &Path, files: &[&Path]) -> (Output, serde_json::Value) {
    let mut args: Vec<&str> = vec!["registry", "import", "--json"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = onshi(db, &args);
    let value = json(&out);
    (out, value)
}

fn lookup(db: &Path, code: &str) -> (Output, Option<serde_json::Value>) {
    let out = onshi(db, &["registry", "lookup", code, "--json"]);
    let value = out.status.success().then(|| json(&out));
    (out, value)
}

async fn pool(db: &Path) -> SqlitePool {
    SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open the database")
}

#[tokio::test]
async fn the_published_lists_are_imported_and_each_facility_looked_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("registry.sqlite");
    let (out, summary) = import(
        &db,
        &[
            &fixture("kanto_tokyo_ika.xlsx"),
            &fixture("registry_lists.zip"),
            &fixture("kyushu_fukuoka_yakkyoku.xls"),
            &fixture("registry_cp932.csv"),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // 東京 40 (its second copy in the zip adds nothing), 北海道 12, 大阪 15, 福岡 15, and the CSV's
    // rows not in those lists.
    let imported = summary["imported"].as_u64().expect("imported");
    assert!(imported >= 40 + 12 + 15 + 15, "{summary}");
    assert_eq!(summary["updated"], 0);
    assert_eq!(summary["unchanged"], 0);
    let refused = summary["refused"].as_array().expect("refused");
    // The CSV's three bad rows, each with its file, row and reason.
    let csv_refused: Vec<&serde_json::Value> = refused
        .iter()
        .filter(|r| {
            r["file"] == "registry_cp932.csv" && r["reason"].as_str().is_some_and(|s| !s.contains("同じ医療機関コード"))
        })
        .collect();
    assert_eq!(csv_refused.len(), 3, "{refused:#?}");
    for r in &csv_refused {
        assert!(r["row"].as_u64().is_some_and(|n| n > 1) && !r["code"].as_str().unwrap_or("").is_empty(), "{r}");
    }
    assert!(summary["read"].as_u64().expect("read") >= imported + 3);

    let (out, st_lukes) = lookup(&db, "1310270751");
    assert!(out.status.success());
    let st_lukes = st_lukes.expect("found");
    assert_eq!(st_lukes["name"], "聖路加国際病院");
    assert_eq!(st_lukes["prefecture"], "13");
    assert_eq!(st_lukes["facility_type"], "hospital");
    assert_eq!(st_lukes["postal_code"], "104-8560");
    assert_eq!(st_lukes["status"], "active");
    assert_eq!(st_lukes["as_of"], "2025-08-01");
    assert!(st_lukes["source"].as_str().expect("source").contains("関東信越厚生局"), "{st_lukes}");
    for key in
        ["code", "name", "prefecture", "facility_type", "postal_code", "address", "phone", "status", "as_of", "source"]
    {
        assert!(st_lukes.get(key).is_some(), "{key} in {st_lukes}");
    }
    let (_, aizen) = lookup(&db, "0110112489");
    let aizen = aizen.expect("愛全病院");
    assert_eq!(aizen["name"], "医療法人　愛全病院");
    assert_eq!(aizen["postal_code"], "005-0813");
    let (_, dental) = lookup(&db, "2730240039");
    assert_eq!(dental.expect("大阪の歯科")["facility_type"], "dental_clinic");
    let (_, pharmacy) = lookup(&db, "4040185136");
    assert_eq!(pharmacy.expect("福岡の薬局")["facility_type"], "pharmacy");

    // A valid code the registry does not hold, and one that is not a code.
    let (out, none) = lookup(&db, "0110113719");
    assert!(none.is_none() && out.status.code() == Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("登録簿にありません"));
    let (out, _) = lookup(&db, "1310270752");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("検証番号"));
}

/// Facilities, imports and rows of the audit trail.
async fn counts(pool: &SqlitePool) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM registry_facilities), (SELECT count(*) FROM registry_imports), (SELECT count(*) FROM audit_log)",
    )
    .fetch_one(pool)
    .await
    .expect("counts")
}

#[tokio::test]
async fn bad_files_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("registry.sqlite");
    let (out, _) = import(&db, &[&fixture("kinki_osaka_shika.xlsx")]);
    assert!(out.status.success());
    let pool = pool(&db).await;
    let before = counts(&pool).await;
    for bad in ["not_registry.xlsx", "broken.zip", "empty.csv", "traversal.zip"] {
        let (out, summary) = import(&db, &[&fixture(bad)]);
        assert_eq!(out.status.code(), Some(1), "{bad}: {summary}");
        let refused = summary["refused"].as_array().expect("refused");
        assert_eq!(refused.len(), 1, "{bad}: {summary}");
        assert_eq!(refused[0]["file"], bad);
        assert!(!refused[0]["reason"].as_str().unwrap_or("").is_empty());
        assert_eq!(summary["imported"], 0);
    }
    let after = counts(&pool).await;
    assert_eq!(before, after);
}

/// A CSV list of 北海道's hospitals dated `as_of`.
fn hokkaido_list(dir: &Path, name: &str, as_of: &str, rows: &[(&str, &str, &str)]) -> PathBuf {
    let mut text = String::from("時点,医療機関コード,名称,郵便番号,所在地,電話番号,施設区分,状態\n");
    for (code, facility, status) in rows {
        text.push_str(&format!("{as_of},{code},{facility},005-0813,札幌市南区,011-571-5670,病院,{status}\n"));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the list");
    path
}

#[tokio::test]
async fn a_newer_list_updates_suspends_adds_and_marks_the_missing_with_history_and_audit_trail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("registry.sqlite");
    let august = hokkaido_list(
        dir.path(),
        "2025-08.csv",
        "2025-08-01",
        &[
            ("0110112489", "医療法人　愛全病院", "現存"),
            ("0110113420", "札幌中央病院", "現存"),
            ("0110112745", "平松記念病院", "現存"),
        ],
    );
    let (out, first) = import(&db, &[&august]);
    assert!(out.status.success());
    assert_eq!((first["imported"].as_u64(), first["updated"].as_u64()), (Some(3), Some(0)));

    let september = hokkaido_list(
        dir.path(),
        "2025-09.csv",
        "2025-09-01",
        &[
            ("0110112489", "医療法人　愛全病院", "現存"),
            ("0110113420", "医療法人　札幌中央病院", "休止"),
            ("0110120334", "北辰大学病院", "現存"),
        ],
    );
    let (out, second) = import(&db, &[&september]);
    assert!(out.status.success());
    assert_eq!(second["imported"], 1, "{second}");
    assert_eq!(second["updated"], 1, "{second}");
    assert_eq!(second["unchanged"], 1, "{second}");
    assert_eq!(second["gone"], 1, "{second}");

    let (_, renamed) = lookup(&db, "0110113420");
    let renamed = renamed.expect("still listed");
    assert_eq!(
        (renamed["name"].as_str(), renamed["status"].as_str()),
        (Some("医療法人　札幌中央病院"), Some("suspended"))
    );
    assert_eq!(renamed["as_of"], "2025-09-01");
    assert_eq!(renamed["history"][0]["change"], "updated", "{renamed}");
    assert_eq!(renamed["history"][0]["fields"], "name,status");
    let text = onshi(&db, &["registry", "lookup", "0110113420"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("変更（名称・状態）") && text.contains("令和7年9月1日"), "{text}");
    let (_, gone) = lookup(&db, "0110112745");
    let gone = gone.expect("kept, marked");
    assert_eq!((gone["status"].as_str(), gone["gone_since"].as_str()), (Some("gone"), Some("2025-09-01")));
    let (_, same) = lookup(&db, "0110112489");
    assert_eq!(same.expect("unchanged")["as_of"], "2025-09-01");

    let pool = pool(&db).await;
    let history: Vec<(String, String, String)> =
        sqlx::query_as("SELECT facility_code, change, fields FROM registry_history ORDER BY facility_code")
            .fetch_all(&pool)
            .await
            .expect("history");
    assert_eq!(
        history,
        vec![
            ("0110112745".to_owned(), "gone".to_owned(), "status".to_owned()),
            ("0110113420".to_owned(), "updated".to_owned(), "name,status".to_owned()),
            ("0110120334".to_owned(), "added".to_owned(), String::new()),
        ]
    );
    let logged: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, entity_id FROM audit_log WHERE entity IN ('registry_facility', 'registry_import') ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("audit trail");
    let actions: Vec<&str> = logged.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, vec!["registry_import", "registry_update", "registry_add", "registry_gone", "registry_import"]);
    let verify = Command::new(BIN).args(["audit-log", "verify", "--db"]).arg(&db).output().expect("verify");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));

    // The August list again: older than what the registry holds, it changes nothing.
    let (out, again) = import(&db, &[&august]);
    assert!(out.status.success());
    assert_eq!(
        (again["updated"].as_u64(), again["older"].as_u64(), again["gone"].as_u64()),
        (Some(0), Some(3), Some(0)),
        "{again}"
    );
    let (_, still) = lookup(&db, "0110113420");
    assert_eq!(still.expect("listed")["status"], "suspended");

    // The list of October names the missing hospital again: it is back.
    let october = hokkaido_list(dir.path(), "2025-10.csv", "2025-10-01", &[("0110112745", "平松記念病院", "現存")]);
    let (_, back) = import(&db, &[&october]);
    assert_eq!(back["updated"], 1, "{back}");
    let (_, returned) = lookup(&db, "0110112745");
    let returned = returned.expect("listed");
    assert_eq!((returned["status"].as_str(), returned["gone_since"].as_str()), (Some("active"), None));
}

/// Imports `files` (fixtures) into the running app's database as an operator would.
async fn import_into(app: &crate::helpers::TestApp, files: &[&str]) {
    let read: Vec<(String, Vec<u8>)> =
        files.iter().map(|f| ((*f).to_owned(), std::fs::read(fixture(f)).expect("fixture"))).collect();
    let list = server::registry_command::read_files(&read, &quote_reader::Stop::new());
    let entries: Vec<rules::registry::RegistryEntry> = list.entries.into_iter().map(|l| l.entry).collect();
    let names: Vec<String> = files.iter().map(|f| (*f).to_owned()).collect();
    app::ssr::db::registry::import(app.pool(), &app::ssr::audit_log::Actor::cli(), &names, &entries, &list.refused)
        .await
        .expect("import");
}

#[tokio::test]
async fn a_tokyo_hospital_registers_from_its_code_with_name_and_address_from_the_registry() {
    use crate::helpers::{MANAGER, location, post_form, spawn_app};
    let app = spawn_app().await;
    import_into(&app, &["kanto_tokyo_ika.xlsx"]).await;
    app.login_as(MANAGER).await;

    // First the code alone.
    let start = app.get_html("/facilities/new").await;
    assert!(start.contains(r#"data-testid="registry-code-step""#), "the first step asks for the code");

    let form = app.get_html("/facilities/new?code=1310270751").await;
    assert!(form.contains(r#"data-testid="facility-form""#));
    assert!(form.contains(r#"value="聖路加国際病院""#), "the name from the list");
    assert!(form.contains(r#"value="中央区明石町９－１""#), "the address from the list");
    assert!(form.contains(r#"<option value="hospital" selected"#), "the type from the list");
    assert!(form.contains(r#"<option value="13" selected"#), "東京都 from the code");
    assert!(
        form.contains(r#"data-testid="registry-notice""#) && form.contains("関東信越厚生局"),
        "the notice names the list"
    );

    let fields = [
        ("id", "0"),
        ("code", "1310270751"),
        ("name", "聖路加国際病院"),
        ("kana", "セイルカコクサイビョウイン"),
        ("facility_type", "hospital"),
        ("prefecture", "13"),
        ("address", "中央区明石町９－１"),
        ("online_billing", "on"),
        ("group_monthly_prescriptions", ""),
    ];
    // First the confirmation step: everything shown back, nothing stored yet.
    let res = post_form(&app, &app.client, "/api/save_facility", "/facilities/new?code=1310270751", &fields).await;
    let step = crate::helpers::page_text(&app, &app.client, &location(&res)).await;
    assert!(step.contains(r#"data-testid="facility-confirm-step""#) && step.contains("中央区明石町９－１"), "{step}");
    assert!(!step.contains(r#"role="alert""#), "a confirmation, not an error");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM facilities WHERE facility_code = '1310270751'")
        .fetch_one(app.pool())
        .await
        .expect("count");
    assert_eq!(stored, 0, "nothing stored before it is confirmed");
    let fields: Vec<(&str, &str)> = fields.into_iter().chain([("confirmed", "on")]).collect();
    let res = post_form(&app, &app.client, "/api/save_facility", "/facilities/new?code=1310270751", &fields).await;
    let to = location(&res);
    assert!(to.starts_with("/facilities/") && !to.contains("__err"), "{to}");
    let (name, prefecture): (String, String) =
        sqlx::query_as("SELECT name, prefecture FROM facilities WHERE facility_code = '1310270751'")
            .fetch_one(app.pool())
            .await
            .expect("registered");
    assert_eq!((name.as_str(), prefecture.as_str()), ("聖路加国際病院", "13"));

    // A code with one wrong digit: the first step again, the message beside the field.
    let wrong = app.get_html("/facilities/new?code=1310270752").await;
    assert!(wrong.contains(r#"data-testid="registry-code-step""#));
    assert!(
        wrong.contains(r#"role="alert" class="field-error">医療機関コードの検証番号"#),
        "beside the field: {}",
        &wrong[wrong.find("registry-code-step").unwrap_or(0)..].chars().take(900).collect::<String>()
    );
    assert!(wrong.contains(r#"value="1310270752""#), "what was typed is kept");

    // A valid code not in the lists loaded (神奈川): allowed, with a notice.
    let unlisted = app.get_html("/facilities/new?code=1413703659").await;
    assert!(unlisted.contains(r#"data-testid="facility-form""#));
    assert!(unlisted.contains("一覧にありません"), "the notice says so");
    assert!(unlisted.contains(r#"<option value="14" selected"#), "神奈川県 from the code");
}

async fn upload_lists(app: &crate::helpers::TestApp, client: &reqwest::Client, files: &[&str]) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for f in files {
        let bytes = std::fs::read(fixture(f)).expect("fixture");
        form = form.part("files", reqwest::multipart::Part::bytes(bytes).file_name((*f).to_owned()));
    }
    client
        .post(app.url("/admin/registry/imports"))
        .header("Origin", app.base.clone())
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// The import's page, reloaded as the browser does until the import is done.
async fn finished_page(app: &crate::helpers::TestApp, client: &reqwest::Client, page: &str) -> String {
    for _ in 0..300 {
        let html = client.get(app.url(page)).send().await.expect("GET").text().await.expect("body");
        if !html.contains(r#"data-testid="registry-progress""#) {
            return html;
        }
        assert!(html.contains(r#"http-equiv="refresh""#), "a running import's page reloads itself");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test]
async fn an_admin_imports_lists_in_the_browser_and_sees_what_was_done() {
    use crate::helpers::{ADMIN, MANAGER, location, spawn_app};
    let app = spawn_app().await;
    let admin = app.signed_in_client(ADMIN).await;
    let page = admin.get(app.url("/admin/registry")).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains(r#"data-testid="registry-upload""#) && page.contains(r#"data-testid="registry-empty""#));

    let res = upload_lists(&app, &admin, &["kanto_tokyo_ika.xlsx", "registry_utf8.csv"]).await;
    assert_eq!(res.status(), 303);
    let job = location(&res);
    assert!(job.starts_with("/admin/registry/imports/"), "{job}");
    let done = finished_page(&app, &admin, &job).await;
    assert!(done.contains(r#"data-testid="registry-done""#), "{done}");
    assert!(
        done.contains(r#"data-testid="registry-refused""#) && done.contains("介護老人保健施設"),
        "refused rows listed with reasons"
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM registry_facilities").fetch_one(app.pool()).await.expect("count");
    assert!(stored >= 40, "{stored}");
    let page = admin.get(app.url("/admin/registry")).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains("令和7年8月1日"), "the newest list's date");
    assert!(page.contains("kanto_tokyo_ika.xlsx"), "the import is listed");

    // A file that is no list: the page says so and nothing changes.
    let res = upload_lists(&app, &admin, &["not_registry.xlsx"]).await;
    let failed = finished_page(&app, &admin, &location(&res)).await;
    assert!(failed.contains(r#"data-testid="registry-failed""#) && failed.contains("何も変更していません"), "{failed}");
    let after: i64 =
        sqlx::query_scalar("SELECT count(*) FROM registry_facilities").fetch_one(app.pool()).await.expect("count");
    assert_eq!(after, stored);

    // Nobody else may import.
    app.login_as(MANAGER).await;
    let res = upload_lists(&app, &app.client, &["kanto_tokyo_ika.xlsx"]).await;
    assert_eq!(res.status(), 403);
}

/// A valid 福岡県 (all-ten Luhn rule) medical code ending in `body` (six digits).
fn fukuoka_clinic_code(body: u32) -> String {
    let stem = format!("401{body:06}");
    (0..10).map(|d| format!("{stem}{d}")).find(|c| rules::FacilityCode::parse(c).is_ok()).expect("a check digit")
}

#[tokio::test]
async fn with_a_prefecture_list_loaded_its_reviewer_sees_who_has_not_started_and_shares_of_the_list() {
    use crate::dashboard::read_csv;
    use crate::helpers::{REVIEWER, spawn_app};
    let app = spawn_app().await;
    // 福岡県's 医科 list: every medical facility Onshi has there, and four it has not.
    let onshi: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT facility_code, name, facility_type FROM facilities WHERE prefecture = '40' AND facility_type IN ('hospital', 'medical_clinic')",
    )
    .fetch_all(app.pool())
    .await
    .expect("facilities");
    let clinics = onshi.iter().filter(|(_, _, t)| t == "medical_clinic").count();
    let mut csv = String::from("医療機関コード,名称,郵便番号,所在地,電話番号,施設区分,状態,時点\n");
    for (code, name, kind) in &onshi {
        let kind = if kind == "hospital" { "病院" } else { "医科診療所" };
        csv.push_str(&format!("{code},{name},810-0001,福岡市中央区,092-000-0000,{kind},現存,2025-08-01\n"));
    }
    for i in 0..4 {
        csv.push_str(&format!(
            "{},未登録クリニック{i},810-0001,福岡市中央区,092-000-0000,医科診療所,現存,2025-08-01\n",
            fukuoka_clinic_code(990_100 + i)
        ));
    }
    let list = registry_reader::read_file("fukuoka_ika.csv", csv.as_bytes(), &registry_reader::Limits::default())
        .expect("csv");
    assert!(list.refused.is_empty(), "{:?}", list.refused);
    let entries: Vec<rules::registry::RegistryEntry> = list.entries.into_iter().map(|l| l.entry).collect();
    app::ssr::db::registry::import(
        app.pool(),
        &app::ssr::audit_log::Actor::cli(),
        &["fukuoka_ika.csv".to_owned()],
        &entries,
        &[],
    )
    .await
    .expect("import");

    let reviewer = app.signed_in_client(REVIEWER).await;
    let body = reviewer.get(app.url("/dashboard/registry.csv")).send().await.expect("GET").text().await.expect("body");
    let rows = read_csv(&body);
    assert_eq!(
        rows[0][..6],
        ["施設区分", "一覧の施設数", "Onshi 登録済み", "未着手", "未着手の割合", "一覧にない Onshi の施設"]
    );
    let row = rows.iter().find(|r| r[0] == "医科診療所").expect("clinics");
    assert_eq!(row[1..4], [(clinics + 4).to_string(), clinics.to_string(), "4".to_owned()], "{row:?}");

    // The funnel's denominator is the list (with nothing of Onshi's beyond it here).
    let body =
        reviewer.get(app.url("/dashboard/funnel_by_type.csv")).send().await.expect("GET").text().await.expect("body");
    let rows = read_csv(&body);
    let live = rows.iter().find(|r| r[0] == "医科診療所" && r[6] == "Onshiの登録データ").expect("the live clinic row");
    assert_eq!(live[1], (clinics + 4).to_string(), "{live:?}");
    let html = reviewer.get(app.url("/dashboard")).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains(r#"data-testid="chart-registry""#) && html.contains("コード内容別医療機関一覧表"));
}

#[tokio::test]
async fn an_undated_csv_is_dated_by_as_of_and_then_marks_the_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("registry.sqlite");
    let write = |name: &str, rows: &[(&str, &str)]| {
        let mut text = String::from("医療機関コード,名称,施設区分\n");
        for (code, facility) in rows {
            text.push_str(&format!("{code},{facility},病院\n"));
        }
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let august = write("aug.csv", &[("0110112489", "医療法人　愛全病院"), ("0110113420", "札幌中央病院")]);
    let september = write("sep.csv", &[("0110112489", "医療法人　愛全病院")]);
    let run = |file: &Path, day: &str| {
        let out = onshi(&db, &["registry", "import", "--json", "--as-of", day, &file.display().to_string()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        json(&out)
    };
    assert_eq!(run(&august, "令和7年8月1日")["imported"], 2);
    assert_eq!(run(&september, "2025-09-01")["gone"], 1);
    let (_, gone) = lookup(&db, "0110113420");
    assert_eq!(gone.expect("kept")["gone_since"], "2025-09-01");
    let out = onshi(&db, &["registry", "import", "--as-of", "令和7年2月30日", &august.display().to_string()]);
    assert!(!out.status.success(), "an impossible date is refused before anything is read");
}

#[tokio::test]
async fn the_browser_import_dates_an_undated_csv_by_the_date_typed_and_refuses_a_wrong_one() {
    use crate::helpers::{ADMIN, location, spawn_app};
    let app = spawn_app().await;
    let admin = app.signed_in_client(ADMIN).await;
    let send = |day: &'static str| {
        let admin = admin.clone();
        let url = app.url("/admin/registry/imports");
        let origin = app.base.clone();
        async move {
            let csv = "医療機関コード,名称,施設区分\n0110112489,医療法人　愛全病院,病院\n".as_bytes().to_vec();
            let form = reqwest::multipart::Form::new()
                .text("as_of", day)
                .part("files", reqwest::multipart::Part::bytes(csv).file_name("hokkaido.csv"));
            admin.post(url).header("Origin", origin).multipart(form).send().await.expect("upload")
        }
    };
    let refused = send("令和7年2月30日").await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.expect("body").contains("一覧の日付"));
    let res = send("令和7年8月1日").await;
    let done = finished_page(&app, &admin, &location(&res)).await;
    assert!(done.contains(r#"data-testid="registry-done""#), "{done}");
    let as_of: Option<String> =
        sqlx::query_scalar("SELECT as_of FROM registry_facilities WHERE facility_code = '0110112489'")
            .fetch_one(app.pool())
            .await
            .expect("imported");
    assert_eq!(as_of.as_deref(), Some("2025-08-01"));
}
