//! Hostile uploads against the real server: crafted quote files whose declared numbers lie (which aborted the process: `memory allocation of 240000000000000 bytes failed`), honest workbooks that inflate to 250 MiB (which held both read slots for 20 s), reads past the time limit, and bodies over the size limit.
//!
//! The crafted files go to the real binary in a child process: a regression that aborts
//! kills that process, not the test run. Every case answers with a status and a Japanese
//! message, `/healthz` keeps answering, and the process stays under 500 MB.

use crate::crash::{PASSWORD, serve};
use crate::helpers::*;
use quote_reader::crafted::{self, Copied};
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../quote_reader/tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The memory budget of the issue's "done when": the server stays under 500 MB.
const MEMORY_LIMIT_KIB: u64 = 500 * 1024;

/// A generous bound for an answer that takes milliseconds (BENCHMARKS.md has the figures).
const PROMPT: Duration = Duration::from_secs(5);

/// The first facility of the demo corporation, which the demo manager looks after.
const MANAGED_FACILITY: &str = "SELECT id FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') ORDER BY id LIMIT 1";

async fn managed_facility(pool: &sqlx::SqlitePool) -> i64 {
    let id = sqlx::query_scalar::<_, i64>(MANAGED_FACILITY).fetch_one(pool).await;
    id.expect("a facility of the demo corporation")
}

/// `onshi serve` in a child process on a fresh database, killed when dropped.
struct RealServer {
    child: Child,
    url: String,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl RealServer {
    fn start() -> RealServer {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("onshi.sqlite");
        let (child, url) = serve(&db);
        RealServer { child, url, db, _dir: dir }
    }

    async fn manager(&self) -> Manager {
        Manager::sign_in(&self.url, &self.db, PASSWORD).await
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().expect("the server's state").is_none()
    }

    /// Its peak resident memory so far (VmHWM), in KiB.
    fn peak_rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("the process's status");
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
        line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("a size in kB")
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-in manager of a running server.
struct Manager {
    url: String,
    client: reqwest::Client,
    facility: i64,
}

impl Manager {
    /// The demo manager signed in to the server at `url` on the database at `db`.
    async fn sign_in(url: &str, db: &Path, password: &str) -> Manager {
        let client = client();
        let login = client
            .post(format!("{url}/api/login"))
            .header("Origin", url)
            .form(&[("email", MANAGER), ("password", password)])
            .send()
            .await
            .expect("login");
        assert_eq!(location(&login), "/", "signed in");
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open");
        let facility = managed_facility(&pool).await;
        pool.close().await;
        Manager { url: url.to_owned(), client, facility }
    }

    fn file(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Part {
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned())
    }

    /// `POST /facilities/{id}/quotes`: the quote upload.
    async fn upload(&self, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let form = reqwest::multipart::Form::new().part("file", Self::file(name, bytes));
        self.post(&format!("/facilities/{}/quotes", self.facility), form).await
    }

    /// `POST /api/audit` with the file before or after the facility type.
    async fn audit(&self, name: &str, bytes: Vec<u8>, file_first: bool) -> reqwest::Response {
        let form = reqwest::multipart::Form::new();
        let form = if file_first {
            form.part("file", Self::file(name, bytes)).text("facility_type", "hospital")
        } else {
            form.text("facility_type", "hospital").part("file", Self::file(name, bytes))
        };
        self.post("/api/audit", form).await
    }

    async fn post(&self, path: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        let url = format!("{}{path}", self.url);
        self.client.post(&url).header("Origin", &self.url).multipart(form).send().await.expect("POST")
    }
}

/// The time `/healthz` takes to answer 200.
async fn healthz(url: &str) -> Duration {
    let started = Instant::now();
    let res = reqwest::get(format!("{url}/healthz")).await.expect("healthz answers");
    assert_eq!(res.status(), 200);
    started.elapsed()
}

/// What the server must make of a crafted file.
enum Expect {
    /// Read as the quote it is: the lie is made harmless.
    Read,
    /// Refused (422) with a message containing this.
    Refused(&'static str),
}

/// Each crafted file: what it aims at, its name, its bytes, and what must come of it.
fn crafted_files() -> Vec<(&'static str, &'static str, Vec<u8>, Expect)> {
    let xlsx = fixture("clinic_cover.xlsx");
    let ods = fixture("orthopedic_merged.ods");
    let first_row = r#"<table:table-row table:style-name="ro1">"#;
    let long_text = "あ".repeat(33_000);
    vec![
        (
            "sharedStrings uniqueCount of ten trillion",
            "sst.xlsx",
            crafted::xlsx_shared_string_count(&xlsx, "10000000000000"),
            Expect::Read,
        ),
        ("a dimension of every cell", "dimension.xlsx", crafted::xlsx_dimension(&xlsx, "A1:XFD1048576"), Expect::Read),
        (
            "a 1 MB font name copied into 10,000 cell formats",
            "font.xlsx",
            crafted::xlsx_styles_copying(&xlsx, Copied::FontName, 1_000_000, 10_000),
            Expect::Read,
        ),
        (
            "a 100 KB number format copied into 1,000 cell formats",
            "format.xlsx",
            crafted::xlsx_styles_copying(&xlsx, Copied::FormatCode, 100_000, 1_000),
            Expect::Refused("セルの文字が多すぎます"),
        ),
        (
            "an .ods row repeated 1,048,576 times behind a character reference",
            "rows.ods",
            crafted::ods_edit(
                &ods,
                first_row,
                r#"<table:table-row table:style-name="ro1" table:number-rows-repeated="1&#48;48576">"#,
            ),
            Expect::Refused("セルが多すぎます"),
        ),
        (
            "an .ods cell repeated over 16,384 columns of 1,000 rows",
            "columns.ods",
            crafted::ods_edit(
                &ods,
                first_row,
                &format!(
                    r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>{first_row}"#
                ),
            ),
            Expect::Refused("セルが多すぎます"),
        ),
        (
            "an .ods cell with two billion spaces",
            "spaces.ods",
            crafted::ods_edit(
                &ods,
                "<text:p>御見積書</text:p>",
                r#"<text:p>御見積書<text:s text:c="2000000000"/></text:p>"#,
            ),
            Expect::Refused("セルの文字が多すぎます"),
        ),
        (
            "an .ods text of 100 KB repeated over 100 × 100 cells",
            "text.ods",
            crafted::ods_edit(
                &ods,
                first_row,
                &format!(
                    r#"<table:table-row table:number-rows-repeated="100"><table:table-cell office:value-type="string" table:number-columns-repeated="100"><text:p>{long_text}</text:p></table:table-cell></table:table-row>{first_row}"#
                ),
            ),
            Expect::Refused("セルの文字が多すぎます"),
        ),
        (
            "an .xls shared string of 60,000 characters in 100,000 cells, its SST declaring 4 billion strings",
            "sst.xls",
            crafted::xls_shared_string_in_cells(60_000, 100_000),
            Expect::Refused("セルの文字が多すぎます"),
        ),
    ]
}

/// Asserts a refusal: the status, and a Japanese message containing `expected` that says what to do.
async fn assert_refused(res: reqwest::Response, status: u16, expected: &str, what: &str) {
    assert_eq!(res.status(), status, "{what}");
    let body = res.text().await.expect("body");
    assert!(body.contains(expected) && body.contains("ください"), "{what}: {body}");
}

#[test]
fn crafted_files_are_read_or_refused_in_japanese_and_the_real_server_keeps_serving() {
    let mut server = RealServer::start();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let manager = server.manager().await;
        for (what, name, bytes, expect) in crafted_files() {
            let started = Instant::now();
            let audit = manager.audit(name, bytes.clone(), true).await;
            let upload = manager.upload(name, bytes).await;
            assert!(server.alive(), "the server survived {what}");
            match expect {
                Expect::Read => {
                    assert_eq!(audit.status(), 200, "{what}: {}", audit.text().await.unwrap_or_default());
                    assert_eq!(upload.status(), 303, "{what}");
                    assert!(location(&upload).starts_with("/quotes/drafts/"), "{what}");
                }
                Expect::Refused(message) => {
                    assert_refused(audit, 422, message, what).await;
                    assert_refused(upload, 422, message, what).await;
                }
            }
            let took = started.elapsed();
            let health = healthz(&server.url).await;
            eprintln!("{what}: audit and upload answered in {took:?}, /healthz then in {health:?}");
            assert!(took < PROMPT && health < PROMPT, "{what}: {took:?}, /healthz {health:?}");
        }
        let peak = server.peak_rss_kib();
        eprintln!("peak RSS {} MiB", peak / 1024);
        assert!(peak < MEMORY_LIMIT_KIB, "peak memory {peak} KiB");
    });
}

/// Polls `/healthz` every 20 ms until told to stop; gives the slowest answer.
fn watch_healthz(url: &str) -> (Arc<AtomicBool>, tokio::task::JoinHandle<Duration>) {
    let watching = Arc::new(AtomicBool::new(true));
    let (flag, url) = (watching.clone(), url.to_owned());
    let watcher = tokio::spawn(async move {
        let mut slowest = Duration::ZERO;
        while flag.load(Ordering::Relaxed) {
            slowest = slowest.max(healthz(&url).await);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        slowest
    });
    (watching, watcher)
}

#[test]
fn two_honest_250_mib_workbooks_at_once_leave_the_next_upload_and_healthz_answering() {
    let honest = crafted::xlsx_inflating_honestly(250, 1);
    assert!(honest.len() < 2_200_000, "a {} byte file", honest.len());
    let server = RealServer::start();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let manager = server.manager().await;
        let (watching, watcher) = watch_healthz(&server.url);
        let started = Instant::now();
        let (upload, audit) =
            tokio::join!(manager.upload("見積書.xlsx", honest.clone()), manager.audit("見積書.xlsx", honest, true));
        let refused_in = started.elapsed();
        assert_refused(upload, 422, "展開すると上限の64.0MBを超えます", "the upload").await;
        assert_refused(audit, 422, "展開すると上限の64.0MBを超えます", "the audit").await;
        let next = Instant::now();
        let normal = manager.upload("clinic_cover.xlsx", fixture("clinic_cover.xlsx")).await;
        let next_in = next.elapsed();
        assert_eq!(normal.status(), 303, "the next upload is read, not told the server is busy");
        watching.store(false, Ordering::Relaxed);
        let slowest_healthz = watcher.await.expect("the watcher");
        let peak = server.peak_rss_kib();
        eprintln!(
            "two 250 MiB workbooks: refused in {refused_in:?}; next upload answered in {next_in:?}; slowest /healthz {slowest_healthz:?}; peak RSS {} MiB",
            peak / 1024
        );
        assert!(refused_in < PROMPT && next_in < PROMPT && slowest_healthz < PROMPT);
        assert!(peak < MEMORY_LIMIT_KIB, "peak memory {peak} KiB");
    });
}

#[tokio::test]
async fn reads_stopped_at_the_time_limit_give_their_slots_back_before_the_refusal_is_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let mut short = settings(&dir.path().join("onshi.sqlite"), true);
    // A time limit the 60 MiB workbook below runs past, and a real quote stays far under.
    short.read_time_limit = Duration::from_millis(300);
    let app = spawn_on(short).await;
    app.login_as(MANAGER).await;
    let manager =
        Manager { url: app.base.clone(), client: app.client.clone(), facility: managed_facility(app.pool()).await };
    // 60 MiB of formatted empty cells: within every size limit, and seconds of parsing.
    let slow = crafted::xlsx_inflating_honestly(60, 1);
    let (first, second) =
        tokio::join!(manager.upload("大きい.xlsx", slow.clone()), manager.audit("大きい.xlsx", slow, true));
    assert_refused(first, 422, "制限時間", "the first slow read").await;
    assert_refused(second, 422, "制限時間", "the second slow read").await;
    // Both slots are free again: a read that held its slot until it ended made this one wait
    // out its own time limit and answer 503.
    let normal = manager.upload("clinic_cover.xlsx", fixture("clinic_cover.xlsx")).await;
    assert_eq!(normal.status(), 303, "{}", normal.text().await.unwrap_or_default());
}

#[tokio::test]
async fn a_body_over_the_limit_is_answered_413_in_japanese_on_both_upload_routes() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let manager =
        Manager { url: app.base.clone(), client: app.client.clone(), facility: managed_facility(app.pool()).await };
    let big = vec![b'a'; 25 * 1024 * 1024];
    let upload = manager.upload("大きい.csv", big.clone()).await;
    assert_refused(upload, 413, "上限20MB", "the quote upload").await;
    for file_first in [true, false] {
        let audit = manager.audit("大きい.csv", big.clone(), file_first).await;
        assert_eq!(audit.status(), 413, "file first: {file_first}");
        let body: serde_json::Value = audit.json().await.expect("json");
        let message = body["error"].as_str().expect("a message");
        assert!(message.contains("上限20MB") && message.ends_with("ください。"), "{message}");
    }
    // Over the limit in a part the routes skip: the error comes while looking for the next
    // part, which used to read as "no file chosen" (400).
    for route in [format!("/facilities/{}/quotes", manager.facility), "/api/audit".to_owned()] {
        let form = reqwest::multipart::Form::new()
            .part("attachment", Manager::file("添付.bin", big.clone()))
            .text("facility_type", "hospital")
            .part("file", Manager::file("clinic_cover.xlsx", fixture("clinic_cover.xlsx")));
        let res = manager.post(&route, form).await;
        assert_refused(res, 413, "上限20MB", &route).await;
    }
    assert!(healthz(&app.base).await < PROMPT);
}
