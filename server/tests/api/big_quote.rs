//! A confirmed quote of 15,000 identical, comparable lines: its page answers with its flags while
//! the server keeps answering everyone else, and a stop signal stops a server busy with it.

use crate::helpers::*;
use sqlx::SqlitePool;
use std::io::Write;
use std::time::{Duration, Instant};

mod fixture;

use fixture::{OUTLIER_EVERY, insert_big_quote};

/// Lines of the big quote: what froze the server (15,000 lines still computing after 150 s).
const LINES: i64 = 15_000;

/// `/healthz` answered again and again (each within `bound`) until `done` is set; returns how
/// many answered and the slowest.
async fn healthz_meanwhile(
    url: String,
    bound: Duration,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> (usize, Duration) {
    let client = reqwest::Client::builder().timeout(bound).build().expect("client");
    let (mut answered, mut slowest) = (0, Duration::ZERO);
    // Bounded: ten minutes of tries at most, far beyond any view.
    for _ in 0..12_000 {
        if done.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        let started = Instant::now();
        let res =
            client.get(&url).send().await.unwrap_or_else(|e| panic!("/healthz did not answer within {bound:?}: {e}"));
        assert_eq!(res.status(), 200);
        slowest = slowest.max(started.elapsed());
        answered += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (answered, slowest)
}

/// How many lines of a quote page are marked as outliers among their peers.
fn outliers_on(page: &str) -> usize {
    page.matches("と比べて外れ値です").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_of_fifteen_thousand_identical_lines_shows_its_outliers_while_healthz_answers() {
    let app = spawn_app().await;
    let quote = insert_big_quote(app.pool(), LINES).await;
    app.login_as(AUDITOR).await;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let health = tokio::spawn(healthz_meanwhile(app.url("/healthz"), Duration::from_secs(5), done.clone()));
    // Two views at once: before, each pinned an async worker for minutes, and with both taken
    // `/healthz` and `/login` stopped answering.
    let path = format!("/quotes/{quote}");
    let (first, second) = tokio::join!(app.get_html(&path), app.get_html(&path));
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (answered, slowest) = health.await.expect("healthz task");
    for page in [&first, &second] {
        let outliers = usize::try_from(LINES / OUTLIER_EVERY).expect("small");
        assert_eq!(outliers_on(page), outliers, "every router at 90,000円 and no other");
        // Every line is shown, and all are flagged but the first at 20,000円: the other routers
        // repeat an earlier line.
        assert_eq!(page.matches("<tr class=\"flagged\">").count(), usize::try_from(LINES - 1).expect("small"));
    }
    assert!(answered > 0, "/healthz was not asked while the views were computed");
    eprintln!("/healthz answered {answered} times during two views, the slowest in {slowest:?}");
}

#[tokio::test]
async fn lines_rendered_with_the_audit_off_the_workers_show_their_text_as_text() {
    let app = spawn_app().await;
    let facility = fukuoka_hospital(app.pool()).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    let text = r#"<script>alert("x")</script> & <b>太字</b>"#;
    let quote = insert_confirmed_quote(app.pool(), facility, vendor, &[(text, "router", "20000")]).await;
    app.login_as(AUDITOR).await;
    let page = app.get_html(&format!("/quotes/{quote}")).await;
    assert!(
        page.contains(r#"&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;b&gt;太字&lt;/b&gt;"#),
        "the line's text, escaped"
    );
    assert!(!page.contains("<script>alert") && !page.contains("<b>太字"), "no markup of the line's own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_league_computed_at_start_counts_the_big_quotes_flags_as_its_page_shows_them() {
    use app::api::quote_audit::QuoteAuditView;
    use app::api::vendors::VendorStats;
    let app = spawn_app().await;
    let quote = insert_big_quote(app.pool(), LINES).await;
    // What `onshi serve` computes at start: it froze a worker for good after a restart.
    app::api::vendors::warm_national_league(app.pool().clone(), Default::default()).await.expect("the national league");
    app.login_as(AUDITOR).await;
    let vendor: i64 = sqlx::query_scalar("SELECT vendor_id FROM quotes WHERE id = ?")
        .bind(quote)
        .fetch_one(app.pool())
        .await
        .expect("vendor");
    let record: VendorStats = crate::vendors::call(&app, "/api/vendor_record", ("id", &vendor.to_string())).await;
    let quotes: Vec<i64> = sqlx::query_scalar("SELECT id FROM quotes WHERE vendor_id = ? AND confirmed = 1")
        .bind(vendor)
        .fetch_all(app.pool())
        .await
        .expect("quotes");
    let mut on_pages = 0;
    for id in &quotes {
        let page: QuoteAuditView = crate::vendors::call(&app, "/api/quote_audit", ("id", &id.to_string())).await;
        on_pages += page.flags.len() + page.lines.iter().map(|l| l.flags.len()).sum::<usize>();
    }
    assert_eq!(record.quotes, quotes.len());
    assert!(on_pages > usize::try_from(LINES).expect("small"), "{on_pages} flags: the big quote's were not counted");
    assert_eq!(record.flag_total, on_pages, "the record counts what the pages show");
}

/// Signs `client` in as the auditor on the server at `base`.
async fn sign_in_as_auditor(client: &reqwest::Client, base: &str) {
    let login = client
        .post(format!("{base}/api/login"))
        .header("Accept", "text/html")
        .header("Referer", format!("{base}/login"))
        .form(&[("email", AUDITOR), ("password", DEMO_PASSWORD), ("code", &totp_code_now(DEMO_TOTP_SECRET))])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 302, "signed in");
    assert_eq!(location(&login), "/", "signed in with the code");
}

#[tokio::test]
async fn pages_whose_work_cannot_be_done_in_time_answer_503_with_what_to_do() {
    let dir = tempfile::tempdir().expect("dir");
    let application =
        server::startup::Application::build(settings(&dir.path().join("onshi.sqlite"), true)).await.expect("builds");
    let (base, pool, heavy) =
        (format!("http://{}", application.local_addr()), application.prepared.pool.clone(), application.heavy_work());
    let quote = insert_big_quote(&pool, LINES).await;
    tokio::spawn(application.run_until(std::future::pending()));
    let client = client();
    sign_in_as_auditor(&client, &base).await;
    // As when the server is stopping: no heavy work starts any more.
    heavy.stop();
    for path in [format!("/quotes/{quote}"), "/vendors".to_owned(), format!("/quotes/{quote}/letter.pdf")] {
        let res = client.get(format!("{base}{path}")).send().await.expect("GET");
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(res.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("30"), "{path}");
        let body = res.text().await.expect("body");
        assert!(body.contains("集計に時間がかかっています。しばらくしてから再度開いてください。"), "{path}: {body}");
    }
    // What needs no heavy work still answers.
    assert_eq!(client.get(format!("{base}/healthz")).send().await.expect("GET").status(), 200);
}

/// `onshi serve` on `db` with the demo users; the process and its address once it listens.
fn serve_binary(db: &std::path::Path) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-demo-activity", "--db"])
        .arg(db)
        .env("ONSHI_DEMO_PASSWORD", DEMO_PASSWORD)
        .env("ONSHI_DEMO_TOTP_SECRET", DEMO_TOTP_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn onshi serve");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    stdout.read_line(&mut banner).expect("banner");
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = banner.trim().strip_prefix("Onshi listening on ").expect("the listening line").to_owned();
    (child, url)
}

/// The peak resident memory of a process (`VmHWM`), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).expect("VmHWM line");
    kb.trim().trim_end_matches("kB").trim().parse::<u64>().expect("kB") * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_server_busy_with_big_quotes_and_a_stalled_client_within_its_grace_period() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("onshi.sqlite");
    let (mut server, base) = serve_binary(&db);
    let pool = SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open");
    let quote = insert_big_quote(&pool, LINES).await;
    pool.close().await;
    let client = client();
    sign_in_as_auditor(&client, &base).await;
    let view = || {
        let (client, url) = (client.clone(), format!("{base}/quotes/{quote}"));
        tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) })
    };
    // Two views to the end, `/healthz` asked meanwhile, within the memory the server may use.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let health = tokio::spawn(healthz_meanwhile(format!("{base}/healthz"), Duration::from_secs(5), done.clone()));
    let (first, second) = (view(), view());
    for v in [first, second] {
        assert_eq!(v.await.expect("joined").expect("answered"), 200);
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (answered, slowest) = health.await.expect("healthz task");
    assert!(answered > 0, "/healthz was not asked while the server was busy");
    let peak = peak_memory(server.id());
    eprintln!("/healthz answered {answered} times, the slowest in {slowest:?}; peak memory {} MB", peak / 1_000_000);
    assert!(peak < 500_000_000, "peak memory {peak} bytes");
    // Busy again: four views under way, and a client that sent half a request and waits —
    // graceful shutdown alone waits for it for ever.
    let addr = base.trim_start_matches("http://").to_owned();
    let mut stalled = std::net::TcpStream::connect(&addr).expect("connect");
    stalled.write_all(format!("GET /quotes/{quote} HTTP/1.1\r\nHost: {addr}\r\n").as_bytes()).expect("half a request");
    let views: Vec<_> = (0..4).map(|_| view()).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = server.id();
    let term = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
    assert!(term.success());
    let signalled = Instant::now();
    let limit = server::startup::SHUTDOWN_GRACE + Duration::from_secs(10);
    let exited = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break Some(status);
        }
        if signalled.elapsed() > limit {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    if exited.is_none() {
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
    }
    let took = signalled.elapsed();
    assert!(exited.is_some(), "still running {took:?} after SIGTERM");
    eprintln!("stopped {took:?} after SIGTERM");
    // The views ended one way or another (answered or cut off); none is left hanging.
    for v in views {
        let _ = tokio::time::timeout(Duration::from_secs(5), v).await.expect("the view ended with the server");
    }
    drop(stalled);
}
