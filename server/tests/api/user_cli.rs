//! `onshi user add` as a process: the bootstrap admin logs in, scopes land in their columns, bad input writes nothing.

use crate::helpers::{location, session_cookie, settings, spawn_on};
use server::audit_log::{self, LogFilter};
use sqlx::SqlitePool;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// A password that is easy to spot wherever it might leak.
const PASSWORD: &str = "Leak-Spotter-Passphrase-7319";

/// オンシ記念病院 (福岡県, of the corporation demo_corp) in seed/demo.json.
const DEMO_HOSPITAL_CODE: &str = "4010123018";

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn both(&self) -> String {
        format!("stdout: {}\nstderr: {}", self.stdout, self.stderr)
    }
}

/// Runs `onshi user add --db DB ARGS…` with `stdin` piped in (not a terminal).
fn user_add(db: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(BIN)
        .args(["user", "add", "--db"])
        .arg(db)
        .args(args)
        .env_remove("ONSHI_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn onshi user add");
    if let Some(mut input) = child.stdin.take() {
        // A run that fails before asking for the password exits without reading: ignore the broken pipe.
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("wait for onshi user add");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `user add` that must succeed.
fn added(db: &Path, args: &[&str]) -> Run {
    let run = user_add(db, args, &format!("{PASSWORD}\n"));
    assert_eq!(run.code, Some(0), "{args:?}\n{}", run.both());
    run
}

/// A database file with the demo corporations and facilities (and demo users), no server running.
async fn demo_database() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("onshi.sqlite");
    let app = spawn_on(settings(&db, true)).await;
    app.stop().await;
    (dir, db)
}

async fn open(db: &Path) -> SqlitePool {
    server::db::connect(db).await.expect("open the database file")
}

async fn count(pool: &SqlitePool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(pool).await.expect("count")
}

#[tokio::test]
async fn an_admin_created_by_the_cli_on_a_new_database_logs_in_and_sees_the_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("data").join("onshi.sqlite");
    assert!(!db.exists());

    let run = added(&db, &["--email", "kanri@example.jp", "--role", "admin", "--name", "管理 太郎"]);
    assert!(run.stdout.contains("利用者を登録しました: kanri@example.jp（運用管理者）"), "{}", run.both());
    assert!(db.exists(), "the bootstrap created the database and its folder");

    let app = spawn_on(settings(&db, true)).await;
    assert!(app.prepared.demo.is_none(), "a database with a user never gets demo users");
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("Origin", app.base.clone())
        .header("Accept", "text/html")
        .form(&[("email", "kanri@example.jp"), ("password", PASSWORD)])
        .send()
        .await
        .expect("POST /api/login");
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/", "signed in");
    // An admin needs a second factor: every page leads to setting one up first.
    let home = app.get("/").await;
    assert_eq!((home.status().as_u16(), location(&home).as_str()), (303, "/account/second-factor"));
    let html = app.get_html("/account/second-factor").await;
    assert!(html.contains("運用管理者"), "the role is shown: {html}");
    assert!(html.contains("管理 太郎") && html.contains("kanri@example.jp"));

    let stranger = crate::helpers::client();
    let wrong = stranger
        .post(app.url("/api/login"))
        .header("Origin", app.base.clone())
        .header("Referer", app.url("/login"))
        .header("Accept", "text/html")
        .form(&[("email", "kanri@example.jp"), ("password", "Not-The-Password-123")])
        .send()
        .await
        .expect("POST /api/login");
    assert!(session_cookie(&wrong).is_none(), "another password does not sign in");
    assert!(location(&wrong).starts_with(&app.url("/login?")), "{}", location(&wrong));
}

/// (facility_id, corporation_id, association, prefecture) as stored.
type ScopeColumns = (Option<i64>, Option<i64>, Option<String>, Option<String>);

#[tokio::test]
async fn each_role_and_scope_is_stored_in_its_own_columns() {
    let (_dir, db) = demo_database().await;
    let pool = open(&db).await;
    let hospital: i64 = sqlx::query_scalar("SELECT id FROM facilities WHERE facility_code = ?")
        .bind(DEMO_HOSPITAL_CODE)
        .fetch_one(&pool)
        .await
        .expect("demo hospital");
    let tokyo_corp: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp_tokyo'")
        .fetch_one(&pool)
        .await
        .expect("demo corporation");
    let chain: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_pharmacy_chain'")
        .fetch_one(&pool)
        .await
        .expect("demo pharmacy chain");
    let hospital_id = hospital.to_string();
    let chain_id = chain.to_string();

    let cases: [(&str, Vec<&str>, ScopeColumns, &str); 6] = [
        (
            "by-facility-code@example.jp",
            vec!["--role", "clinic_manager", "--facility", DEMO_HOSPITAL_CODE],
            (Some(hospital), None, None, None),
            "（医療機関担当者）",
        ),
        (
            "by-facility-id@example.jp",
            vec!["--role", "clinic_manager", "--facility", &hospital_id],
            (Some(hospital), None, None, None),
            "scope: オンシ記念病院",
        ),
        (
            "by-corporation-code@example.jp",
            vec!["--role", "clinic_manager", "--corporation", "demo_corp_tokyo"],
            (None, Some(tokyo_corp), None, None),
            "scope: 医療法人 オンシ東会",
        ),
        (
            "by-corporation-id@example.jp",
            vec!["--role", "clinic_manager", "--corporation", &chain_id],
            (None, Some(chain), None, None),
            "scope: 株式会社オンシ薬局ホールディングス",
        ),
        (
            "reviewer@example.jp",
            vec!["--role", "reviewer", "--association", "pharmaceutical", "--prefecture", "東京都"],
            (None, None, Some("pharmaceutical".into()), Some("13".into())),
            "（審査担当（医師会等））",
        ),
        ("auditor@example.jp", vec!["--role", "auditor"], (None, None, None, None), "（監査担当（厚生労働省））"),
    ];
    for (email, args, expected, shown) in cases {
        let mut all = vec!["--email", email];
        all.extend(args);
        let run = added(&db, &all);
        assert!(run.stdout.contains(shown), "{email}: {}", run.both());
        let (role, columns): (String, ScopeColumns) =
            sqlx::query_as::<_, (String, Option<i64>, Option<i64>, Option<String>, Option<String>)>(
                "SELECT role, facility_id, corporation_id, association, prefecture FROM users WHERE email = ?",
            )
            .bind(email)
            .fetch_one(&pool)
            .await
            .map(|(role, f, c, a, p)| (role, (f, c, a, p)))
            .expect("the user row");
        assert_eq!(columns, expected, "{email}");
        assert_eq!(role, all[3], "{email}");
    }
    pool.close().await;
}

#[tokio::test]
async fn managers_of_facilities_in_tokyo_and_kanagawa_are_created_by_their_codes() {
    // Their codes follow the seven-digit 検証番号 rule of the published lists.
    let (_dir, db) = demo_database().await;
    let pool = open(&db).await;
    for (email, code) in [("tokyo@example.jp", "1310190348"), ("kanagawa@example.jp", "1440166421")] {
        added(&db, &["--email", email, "--role", "clinic_manager", "--facility", code]);
        let scoped: String = sqlx::query_scalar(
            "SELECT f.facility_code FROM users u JOIN facilities f ON f.id = u.facility_id WHERE u.email = ?",
        )
        .bind(email)
        .fetch_one(&pool)
        .await
        .expect("user with facility");
        assert_eq!(scoped, code);
    }
}

#[tokio::test]
async fn invalid_input_exits_1_naming_the_problem_and_writes_nothing() {
    let (_dir, db) = demo_database().await;
    added(&db, &["--email", "taken@example.jp", "--role", "auditor"]);
    let pool = open(&db).await;
    let good = format!("{PASSWORD}\n");

    let emoji_name = format!("管理😀{}", "あ".repeat(409));
    let cases: [(&str, &[&str], &str, &[&str]); 16] = [
        (
            "manager without scope",
            &["--email", "m@example.jp", "--role", "clinic_manager"],
            &good,
            &["clinic_manager", "--facility", "--corporation", "所属が必要です"],
        ),
        (
            "reviewer without prefecture",
            &["--email", "r@example.jp", "--role", "reviewer", "--association", "medical"],
            &good,
            &["role reviewer needs --prefecture", "--prefecture"],
        ),
        (
            "unknown facility code",
            &["--email", "m@example.jp", "--role", "clinic_manager", "--facility", "1310270751"],
            &good,
            &["unknown facility \"1310270751\"", "登録されていません"],
        ),
        (
            "facility code with a wrong check digit",
            &["--email", "m@example.jp", "--role", "clinic_manager", "--facility", "4010123010"],
            &good,
            &["検証番号", "--facility takes a facility id or a 10-digit facility code"],
        ),
        (
            "unknown corporation",
            &["--email", "m@example.jp", "--role", "clinic_manager", "--corporation", "no_such_corp"],
            &good,
            &["unknown corporation \"no_such_corp\""],
        ),
        (
            "duplicate e-mail, any case",
            &["--email", "Taken@Example.JP", "--role", "admin"],
            &good,
            &["e-mail Taken@Example.JP already exists", "既に登録されています"],
        ),
        (
            "short password",
            &["--email", "s@example.jp", "--role", "admin"],
            "eleven-char\n",
            &["password shorter than 12 characters (OWASP ASVS 2.1.1)", "12文字以上"],
        ),
        (
            "common password",
            &["--email", "s@example.jp", "--role", "admin"],
            "password1234\n",
            &["common and breached passwords (OWASP ASVS 2.1.7)", "流出したパスワード"],
        ),
        (
            "twelve spaces",
            &["--email", "s@example.jp", "--role", "admin"],
            "            \n",
            &["only whitespace", "空白だけのパスワードは使えません"],
        ),
        (
            "the e-mail's own name",
            &["--email", "kanri.tanaka@example.jp", "--role", "admin"],
            "Tanaka-Spring-Rain-7\n",
            &["the part of the e-mail before the @", "「@」より前の部分"],
        ),
        (
            "no password",
            &["--email", "s@example.jp", "--role", "admin"],
            "",
            &["no password", "パスワードがありません"],
        ),
        (
            "bad e-mail",
            &["--email", "kanri.example.jp", "--role", "admin"],
            &good,
            &["invalid e-mail \"kanri.example.jp\"", "メールアドレスの形式"],
        ),
        (
            "unknown role",
            &["--email", "x@example.jp", "--role", "superuser"],
            &good,
            &["unknown role \"superuser\"", "clinic_manager, reviewer, auditor or admin"],
        ),
        (
            "a 412-character name with an emoji",
            &["--email", "x@example.jp", "--role", "admin", "--name", &emoji_name],
            &good,
            &[
                "『😀』（3文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください",
                "氏名は40文字以内で入力してください（現在412文字）",
            ],
        ),
        (
            "a name with a line break",
            &["--email", "x@example.jp", "--role", "admin", "--name", "管理\n太郎"],
            &good,
            &["3文字目に改行が入っています。氏名は改行やタブを含めず1行で入力してください"],
        ),
        (
            "scope for a national role",
            &["--email", "x@example.jp", "--role", "admin", "--prefecture", "13"],
            &good,
            &["role admin does not take --prefecture"],
        ),
    ];
    for (what, args, stdin, expected) in cases {
        let users = count(&pool, "users").await;
        let log = count(&pool, "audit_log").await;
        let run = user_add(&db, args, stdin);
        assert_eq!(run.code, Some(1), "{what}: {}", run.both());
        for text in expected {
            assert!(run.stderr.contains(text), "{what}: stderr lacks {text:?}\n{}", run.both());
        }
        assert!(!run.stdout.contains("利用者を登録しました"), "{what}: {}", run.both());
        assert_eq!(count(&pool, "users").await, users, "{what}: no user written");
        assert_eq!(count(&pool, "audit_log").await, log, "{what}: no audit-log row written");
    }
    pool.close().await;
}

#[test]
fn every_problem_of_the_arguments_is_named_in_one_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("onshi.sqlite");
    let run = user_add(&db, &["--email", "nobody", "--role", "reviewer", "--facility", "1"], "");
    assert_eq!(run.code, Some(1), "{}", run.both());
    for text in ["invalid e-mail", "role reviewer does not take --facility", "--association", "--prefecture"] {
        assert!(run.stderr.contains(text), "lacks {text:?}: {}", run.both());
    }
    assert!(!db.exists(), "arguments that are wrong on their own do not even create the database");
}

#[tokio::test]
async fn each_created_user_gets_exactly_one_create_user_row_and_the_chain_stays_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("onshi.sqlite");
    added(&db, &["--email", "admin@example.jp", "--role", "admin"]);
    added(&db, &["--email", "auditor@example.jp", "--role", "auditor", "--name", "監査 花子"]);
    added(
        &db,
        &["--email", "reviewer@example.jp", "--role", "reviewer", "--association", "dental", "--prefecture", "01"],
    );

    let pool = open(&db).await;
    let users: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, email FROM users ORDER BY id").fetch_all(&pool).await.expect("users");
    let filter = LogFilter { entity: Some("user".into()), ..LogFilter::default() };
    let mut rows = audit_log::list(&pool, &filter, 100, 0).await.expect("log rows");
    rows.reverse(); // oldest first, as the users were created
    assert_eq!(rows.len(), users.len(), "one row per user: {rows:?}");
    for ((id, email), row) in users.iter().zip(&rows) {
        assert_eq!((row.action.as_str(), row.entity_id.as_str()), ("create", id.to_string().as_str()));
        assert_eq!((row.actor_user_id, row.actor_label.as_str(), &row.before_json), (None, "cli", &None));
        let after: serde_json::Value = serde_json::from_str(row.after_json.as_deref().expect("after")).expect("json");
        assert_eq!(after["email"], email.as_str());
        let mut keys: Vec<&str> = after.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["association", "corporation_id", "display_name", "email", "facility_id", "prefecture", "role"],
            "{after}"
        );
    }
    let reviewer: serde_json::Value =
        serde_json::from_str(rows[2].after_json.as_deref().expect("after")).expect("json");
    assert_eq!(
        reviewer,
        serde_json::json!({
            "email": "reviewer@example.jp", "display_name": "reviewer", "role": "reviewer",
            "facility_id": null, "corporation_id": null, "association": "dental", "prefecture": "01"
        })
    );
    assert!(audit_log::verify(&pool).await.expect("verify").is_intact());
    pool.close().await;

    let verify = Command::new(BIN)
        .args(["audit-log", "verify", "--db"])
        .arg(&db)
        .env_remove("ONSHI_DB")
        .output()
        .expect("run onshi audit-log verify");
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&verify.stderr));
    assert!(stdout.contains("audit log intact"), "{stdout}");
}

#[tokio::test]
async fn the_password_is_in_neither_the_output_nor_the_audit_log_nor_the_database_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("onshi.sqlite");
    let runs = [
        added(&db, &["--email", "admin@example.jp", "--role", "admin"]),
        // Refused runs must not echo it either.
        user_add(&db, &["--email", "admin@example.jp", "--role", "admin"], &format!("{PASSWORD}\n")),
        user_add(&db, &["--email", "other@example.jp", "--role", "admin"], "Short-7319\n"),
    ];
    for run in &runs {
        let both = run.both();
        assert!(!both.contains(PASSWORD) && !both.contains("Short-7319"), "{both}");
        assert!(!both.contains("argon2"), "the hash is not shown either: {both}");
    }

    // Not in the file, its WAL or anything else SQLite left in the folder (read while no one has it open).
    for entry in std::fs::read_dir(dir.path()).expect("read dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read file");
        assert!(!bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "{}", path.display());
    }
    let pool = open(&db).await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'admin@example.jp'")
        .fetch_one(&pool)
        .await
        .expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let log: Vec<String> = sqlx::query_scalar(
        "SELECT actor_label || entity_id || coalesce(before_json, '') || coalesce(after_json, '') FROM audit_log",
    )
    .fetch_all(&pool)
    .await
    .expect("log");
    assert!(!log.is_empty());
    for row in &log {
        assert!(!row.contains(PASSWORD) && !row.contains(&hash) && !row.contains("password"), "{row}");
    }
    pool.close().await;
}

#[test]
fn a_database_that_cannot_be_opened_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file where the database folder should be").expect("write");
    let run = user_add(&blocker.join("onshi.sqlite"), &["--email", "a@example.jp", "--role", "admin"], PASSWORD);
    assert_eq!(run.code, Some(2), "{}", run.both());
    assert!(
        run.stderr.contains("データベースを開けません") && run.stderr.contains("cannot open the database"),
        "{}",
        run.both()
    );
}
