//! `spawn_app()`: the real application on 127.0.0.1:0 with its own database file.

use reqwest::redirect::Policy;
use server::config::Settings;
use server::startup::{Application, Prepared};
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const DEMO_PASSWORD: &str = "correct-horse-battery-staple";
pub const MANAGER: &str = "manager@demo.onshi.jp";
pub const REVIEWER: &str = "reviewer@demo.onshi.jp";
pub const AUDITOR: &str = "auditor@demo.onshi.jp";
pub const ADMIN: &str = "admin@demo.onshi.jp";
/// The demo reviewer's, auditor's and admin's TOTP secret (base32, 160 bits) in the tests.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// The demo users enrolled with [`DEMO_TOTP_SECRET`] at the first start.
pub const WITH_SECOND_FACTOR: [&str; 3] = [REVIEWER, AUDITOR, ADMIN];

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db_path: PathBuf,
    pub prepared: Prepared,
    /// The last TOTP time-step each account signed in with: the server refuses a code of that
    /// step or an earlier one (replay), so the next sign-in takes a later step.
    used_steps: std::sync::Mutex<std::collections::HashMap<String, u64>>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
    _dir: Option<TempDir>,
}

pub fn settings(db_path: &Path, load_demo: bool) -> Settings {
    Settings {
        addr: "127.0.0.1:0".parse().expect("address"),
        db_path: db_path.to_owned(),
        load_demo,
        // The tests start from the demo accounts alone; `demo_activity.rs` loads the activity.
        demo_activity: false,
        demo_password: Some(DEMO_PASSWORD.to_owned()),
        demo_totp_secret: Some(DEMO_TOTP_SECRET.to_owned()),
        secure_cookies: false,
        public_url: None,
        session_idle: server::config::SESSION_IDLE,
        session_absolute: server::config::SESSION_ABSOLUTE,
        read_time_limit: server::reading::TIME_LIMIT,
        league_inline: app::ssr::context::LeagueRefresh::default().0,
        // Kept out of the tests: its statements would mix with those a test counts.
        warm_league: false,
        mail: None,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
}

/// A fresh app with demo data.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("data").join("onshi.sqlite");
    let mut app = spawn_on(settings(&db_path, true)).await;
    app._dir = Some(dir);
    app
}

/// A fresh app with demo data that sends its e-mail to `smtp_url` (a test's SMTP sink).
pub async fn spawn_app_mailing_to(smtp_url: String) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut mailing = settings(&dir.path().join("onshi.sqlite"), true);
    mailing.mail = Some(server::mail::MailSettings { smtp_url, from: "Onshi <noreply@onshi.test>".into() });
    let mut app = spawn_on(mailing).await;
    app._dir = Some(dir);
    app
}

/// A fresh app with demo data and the demo activity (quotes, progress, a complaint, an
/// application), as a first `onshi serve` starts; the folder lives as long as the app.
pub async fn spawn_app_with_demo_activity() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut with_activity = settings(&dir.path().join("onshi.sqlite"), true);
    with_activity.demo_activity = true;
    let mut app = spawn_on(with_activity).await;
    app._dir = Some(dir);
    app
}

/// An app on the given settings (e.g. an existing database file).
pub async fn spawn_on(settings: Settings) -> TestApp {
    let db_path = settings.db_path.clone();
    let application = Application::build(settings).await.expect("application builds");
    let base = format!("http://{}", application.local_addr());
    let prepared = application.prepared.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        application
            .run_until(async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
    });
    TestApp {
        base,
        client: client(),
        db_path,
        prepared,
        used_steps: Default::default(),
        shutdown: Some(tx),
        handle: Some(handle),
        _dir: None,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.prepared.pool
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.expect("body")
    }

    /// Posts the login form as a browser without JavaScript does.
    pub async fn post_login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/login"))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Referer", self.url("/login"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("POST /api/login")
    }

    /// Signs in as a demo user: e-mail, password and, for those with a second factor, the
    /// code, in one request as a script does.
    pub async fn login_as(&self, email: &str) {
        self.sign_in(&self.client, email).await;
    }

    /// A new client signed in as a demo user, like [`TestApp::login_as`].
    pub async fn signed_in_client(&self, email: &str) -> reqwest::Client {
        let c = client();
        self.sign_in(&c, email).await;
        c
    }

    async fn sign_in(&self, who: &reqwest::Client, email: &str) {
        let code = self.code_for(email).await;
        let fields = [("email", email), ("password", DEMO_PASSWORD), ("code", &code)];
        let res = post_form(self, who, "/api/login", "/login", &fields).await;
        assert_eq!(res.status(), 302, "login of {email}");
        assert_eq!(location(&res), "/", "login of {email} goes home");
    }

    /// Signs in as a browser does: the password, then the code on the second form.
    pub async fn login_with_code(&self, email: &str) {
        let res = self.post_login(email, DEMO_PASSWORD).await;
        assert_eq!(location(&res), "/login", "the password of {email} leads to the code form");
        let code = self.code_for(email).await;
        let res = self.post_code(&code).await;
        assert_eq!(res.status(), 302, "code of {email}");
        assert_eq!(location(&res), "/", "the code of {email} signs in");
    }

    /// Posts the second form (the code alone).
    pub async fn post_code(&self, code: &str) -> reqwest::Response {
        post_form(self, &self.client, "/api/login", "/login", &[("code", code)]).await
    }

    /// A code of [`DEMO_TOTP_SECRET`] the server has not yet seen from `email` (empty for
    /// an account without the demo second factor): the step now, else the next one (the
    /// server accepts one step of skew), else it waits for the next step to begin.
    pub async fn code_for(&self, email: &str) -> String {
        if !WITH_SECOND_FACTOR.contains(&email) {
            return String::new();
        }
        let secret = app::ssr::totp::Secret::parse_base32(DEMO_TOTP_SECRET).expect("demo secret");
        for _ in 0..3 {
            let now = app::ssr::totp::step_at(app::ssr::totp::unix_now());
            let step = {
                let mut used = self.used_steps.lock().expect("steps");
                let step = used.get(email).map_or(now, |last| (last + 1).max(now));
                if step <= now + 1 {
                    used.insert(email.to_owned(), step);
                    Some(step)
                } else {
                    None
                }
            };
            match step {
                Some(step) => return secret.code_at_step(step),
                None => {
                    tokio::time::sleep(std::time::Duration::from_secs(
                        app::ssr::totp::STEP_SECONDS - app::ssr::totp::unix_now() % app::ssr::totp::STEP_SECONDS,
                    ))
                    .await
                }
            }
        }
        panic!("no unused TOTP step for {email} after waiting")
    }

    pub async fn post_logout(&self) -> reqwest::Response {
        self.client
            .post(self.url("/api/logout"))
            .header("Accept", "text/html")
            .header("Referer", self.url("/"))
            .send()
            .await
            .expect("POST /api/logout")
    }

    /// Stops the server gracefully and keeps the temporary folder alive for a restart.
    pub async fn stop(mut self) -> Option<TempDir> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task ends");
        }
        self._dir.take()
    }
}

/// Posts `fields` to `endpoint` as a browser without JavaScript does from the page `from`,
/// with `who`'s cookies (the CSRF check wants the Origin).
pub async fn post_form<F: serde::Serialize + ?Sized>(
    app: &TestApp,
    who: &reqwest::Client,
    endpoint: &str,
    from: &str,
    fields: &F,
) -> reqwest::Response {
    who.post(app.url(endpoint))
        .header("Accept", "text/html")
        .header("Origin", app.base.clone())
        .header("Referer", app.url(from))
        .form(fields)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {endpoint}: {e}"))
}

/// The TOTP code of `secret_base32` now, for a server started as a process.
pub fn totp_code_now(secret_base32: &str) -> String {
    let secret = app::ssr::totp::Secret::parse_base32(secret_base32).expect("a base32 secret");
    secret.code_at_step(app::ssr::totp::step_at(app::ssr::totp::unix_now()))
}

/// Where a response sends the browser, without the `done=` the server adds after a form was
/// carried out (that is [`done_of`]'s): the page itself.
pub fn location(res: &reqwest::Response) -> String {
    let raw = raw_location(res);
    let (before_fragment, fragment) = raw.split_once('#').map_or((raw.as_str(), None), |(b, f)| (b, Some(f)));
    let (path, query) = before_fragment.split_once('?').unwrap_or((before_fragment, ""));
    let rest: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("done=")).collect();
    let mut out = path.to_owned();
    if !rest.is_empty() {
        out.push('?');
        out.push_str(&rest.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The `Location` header as the server sent it.
pub fn raw_location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().expect("ascii location").to_owned()).unwrap_or_default()
}

/// The server function a redirect says was carried out (`done=`), if any.
pub fn done_of(res: &reqwest::Response) -> Option<String> {
    let raw = raw_location(res);
    let query = raw.split('#').next()?.split_once('?')?.1.to_owned();
    query.split('&').find_map(|p| p.strip_prefix("done=")).map(str::to_owned)
}

pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("onshi_session="))
        .map(str::to_owned)
}

/// The text of a PDF as poppler's `pdftotext` reads it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The number of pages of a PDF as poppler's `pdfinfo` reads it.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdfinfo").arg(&path).output().expect("pdfinfo (poppler-utils)");
    assert!(out.status.success(), "pdfinfo: {}", String::from_utf8_lossy(&out.stderr));
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("a Pages: line");
    line.trim_start_matches("Pages:").trim().parse().expect("a page count")
}

/// A confirmed quote written straight into the database, each line one 台 of (品名, category
/// code, price) at sheet rows 5, 6, …: the quotes a test needs without uploading files.
pub async fn insert_confirmed_quote(
    pool: &SqlitePool,
    facility: i64,
    vendor: i64,
    lines: &[(&str, &str, &str)],
) -> i64 {
    let q: i64 = sqlx::query_scalar(
        "INSERT INTO quotes (facility_id, vendor_id, file_name, confirmed) VALUES (?, ?, 'q.xlsx', 1) RETURNING id",
    )
    .bind(facility)
    .bind(vendor)
    .fetch_one(pool)
    .await
    .expect("quote");
    for (i, (desc, cat, price)) in (0_i64..).zip(lines) {
        sqlx::query("INSERT INTO quote_lines (quote_id, position, sheet_row, kind, description, category, quantity, unit, unit_price, amount, comparable_price) VALUES (?, ?, ?, 'item', ?, ?, '1', '台', ?, ?, ?)")
            .bind(q).bind(i).bind(i + 5).bind(desc).bind(cat).bind(price).bind(price).bind(price)
            .execute(pool).await.expect("line");
    }
    q
}

/// A hospital of the demo data in 福岡県 (the demo reviewer's prefecture).
pub async fn fukuoka_hospital(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT id FROM facilities WHERE facility_type = 'hospital' AND prefecture = '40' LIMIT 1")
        .fetch_one(pool)
        .await
        .expect("a hospital in 福岡県")
}

/// The demo corporation's hospital in 福岡県: the demo manager's, and the demo reviewer's to review.
pub async fn managed_fukuoka_hospital(pool: &sqlx::SqlitePool) -> i64 {
    sqlx::query_scalar(
        "SELECT id FROM facilities WHERE facility_type = 'hospital' AND prefecture = '40' AND corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("hospital")
}

/// A confirmed quote of `facility` with one line the audit flags: the reader application
/// software, free of charge (無償品), billed at 50,000円. Its id.
pub async fn quote_billing_a_free_item(pool: &sqlx::SqlitePool, facility: i64) -> i64 {
    let quote: i64 = sqlx::query_scalar(
        "INSERT INTO quotes (facility_id, file_name, confirmed) VALUES (?, 'padded.xlsx', 1) RETURNING id",
    )
    .bind(facility)
    .fetch_one(pool)
    .await
    .expect("quote");
    sqlx::query("INSERT INTO quote_lines (quote_id, position, sheet_row, kind, description, category, quantity, unit, unit_price, amount) VALUES (?, 0, 5, 'item', '資格確認アプリケーション', 'app_software', '1', '式', '50000', '50000')")
        .bind(quote)
        .execute(pool)
        .await
        .expect("line");
    quote
}

/// The body of `path` (or of a whole URL, as a refused form's `Location` gives it) as `who`
/// sees it, whatever the status.
pub async fn page_text(app: &TestApp, who: &reqwest::Client, path: &str) -> String {
    let url = if path.starts_with("http") { path.to_owned() } else { app.url(path) };
    who.get(url).send().await.expect("GET").text().await.expect("body")
}
