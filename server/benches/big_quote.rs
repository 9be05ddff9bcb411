//! The quote page of a quote whose lines are all comparable (issue 20): how long a view takes,
//! and how long `/healthz` waits while two views are under way.
//!
//! `cargo bench -p server --bench big_quote` (release build). Lines: `ONSHI_BENCH_LINES`
//! (default 15,000), routers at 20,000円 with every 1,500th at 90,000円, confirmed, beside twenty
//! peers (`server/tests/api/big_quote/fixture.rs`). The server runs in this process on a runtime
//! of its own (as many workers as cores, as `onshi serve`), with a temporary database and the
//! demo users; the client on another thread, signed in as the auditor.
//!
//! Prints: the first view (peer groups loaded), the median, fastest and slowest of `RUNS`
//! views one after another, then two views at once with `/healthz` asked every 10 ms meanwhile
//! (how many answered, the median and the slowest), and the process's peak memory (`VmHWM`:
//! server and client together).

#[path = "../tests/api/big_quote/fixture.rs"]
mod fixture;

use server::config::Settings;
use server::startup::Application;
use std::time::{Duration, Instant};

/// The allocator of `onshi` (`server/src/main.rs`): glibc's malloc took most of the time here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 5;
const PASSWORD: &str = "bench-password-2026";
/// The demo auditor's second factor (base32), as the tests and the load test use it.
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn settings(db: &std::path::Path) -> Settings {
    Settings {
        addr: "127.0.0.1:0".parse().expect("address"),
        db_path: db.to_owned(),
        load_demo: true,
        demo_activity: false,
        demo_password: Some(PASSWORD.to_owned()),
        secure_cookies: false,
        public_url: None,
        demo_totp_secret: Some(TOTP_SECRET.to_owned()),
        session_idle: server::config::SESSION_IDLE,
        session_absolute: server::config::SESSION_ABSOLUTE,
        read_time_limit: server::reading::TIME_LIMIT,
        league_inline: app::ssr::context::LeagueRefresh::default().0,
        warm_league: false,
        mail: None,
    }
}

fn peak_memory_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap_or("0 kB");
    kb.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap_or(0) / 1024
}

fn main() {
    let lines: i64 = std::env::var("ONSHI_BENCH_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(15_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("onshi.sqlite");
    let server_runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let (base, quote) = server_runtime.block_on(async {
        let application = Application::build(settings(&db)).await.expect("application builds");
        let base = format!("http://{}", application.local_addr());
        let quote = fixture::insert_big_quote(&application.prepared.pool, lines).await;
        tokio::spawn(application.run_until(std::future::pending()));
        (base, quote)
    });
    let client_runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    client_runtime.block_on(async {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(600))
            .build()
            .expect("client");
        let secret = app::ssr::totp::Secret::parse_base32(TOTP_SECRET).expect("secret");
        let code = secret.code_at_step(app::ssr::totp::step_at(app::ssr::totp::unix_now()));
        let login = client
            .post(format!("{base}/api/login"))
            .header("Accept", "text/html")
            .header("Referer", format!("{base}/login"))
            .form(&[("email", "auditor@demo.onshi.jp"), ("password", PASSWORD), ("code", &code)])
            .send()
            .await
            .expect("login");
        assert_eq!(login.status(), 302, "signed in");
        assert_eq!(login.headers().get("location").and_then(|l| l.to_str().ok()), Some("/"), "with the code");
        let page = format!("{base}/quotes/{quote}");
        let view = |client: reqwest::Client, page: String| async move {
            let started = Instant::now();
            let res = client.get(&page).send().await.expect("GET");
            let status = res.status();
            let bytes = res.bytes().await.expect("body").len();
            assert_eq!(status, 200, "the quote page");
            (started.elapsed(), bytes)
        };
        let (first, bytes) = view(client.clone(), page.clone()).await;
        println!("{lines} lines: first view {first:.2?} ({bytes} bytes)");
        let mut times = Vec::new();
        for _ in 0..RUNS {
            times.push(view(client.clone(), page.clone()).await.0);
        }
        times.sort();
        println!(
            "{RUNS} views one after another: median {:.2?}, fastest {:.2?}, slowest {:.2?}",
            times[RUNS / 2],
            times[0],
            times[RUNS - 1]
        );
        let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let asking = tokio::spawn({
            let (client, base, waits) = (client.clone(), base.clone(), waits.clone());
            async move {
                // Bounded: at most ten minutes of 10 ms rounds; stopped when the views are done.
                for _ in 0..60_000 {
                    let started = Instant::now();
                    let res = client.get(format!("{base}/healthz")).send().await.expect("healthz");
                    assert_eq!(res.status(), 200);
                    waits.lock().expect("waits").push(started.elapsed());
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        });
        let started = Instant::now();
        tokio::join!(view(client.clone(), page.clone()), view(client.clone(), page.clone()));
        let took = started.elapsed();
        asking.abort();
        let mut waits = waits.lock().expect("waits").clone();
        waits.sort();
        let p = |q: usize| waits.get((waits.len() * q / 100).min(waits.len().saturating_sub(1))).copied();
        println!(
            "two views at once: {took:.2?}; /healthz meanwhile answered {} times, median {:.2?}, p99 {:.2?}, slowest {:.2?}",
            waits.len(),
            p(50).unwrap_or_default(),
            p(99).unwrap_or_default(),
            waits.last().copied().unwrap_or_default()
        );
    });
    println!("peak memory of the process (server and client): {} MB", peak_memory_mb());
    server_runtime.shutdown_timeout(Duration::from_secs(1));
}
