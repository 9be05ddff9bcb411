//! Login under attack, against the real server: simultaneous guesses, a hammered account, a
//! shared address, password spraying, memory during a burst, and what the log says.
//!
//! Clients take other loopback addresses (127.0.0.2, …) as their source, so the server sees
//! different client addresses as it would on a network.

use crate::helpers::*;
use reqwest::redirect::Policy;
use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A browser without JavaScript at 127.0.0.`last`.
fn client_at(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .expect("client")
}

/// Posts the login form from `client` to the server at `base`.
async fn login_from(base: &str, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/login"))
        .header("Accept", "text/html")
        .header("Referer", format!("{base}/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("POST /api/login")
}

/// Signs `email` in from `client` with its password and, if it has one, its second factor's code.
async fn full_login(app: &TestApp, client: &reqwest::Client, email: &str) -> reqwest::Response {
    let code = app.code_for(email).await;
    client
        .post(app.url("/api/login"))
        .header("Accept", "text/html")
        .header("Referer", app.url("/login"))
        .form(&[("email", email), ("password", DEMO_PASSWORD), ("code", code.as_str())])
        .send()
        .await
        .expect("POST /api/login")
}

/// Whether the answer signed the client in (a redirect home).
fn signed_in(res: &reqwest::Response) -> bool {
    res.status() == 302 && location(res) == "/"
}

/// Whether the password was accepted: signed in, or (a user with a second factor) sent on to
/// the code form, which is what the throttle decides about.
fn password_accepted(res: &reqwest::Response) -> bool {
    res.status() == 302 && matches!(location(res).as_str(), "/" | "/login")
}

/// Posts `n` wrong passwords at once for `email` from 127.0.0.`last`; the statuses.
async fn guesses_at_once(base: &str, last: u8, email: &str, n: usize) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let (base, email) = (base.to_owned(), email.to_owned());
        tasks.spawn(async move {
            let c = client_at(last);
            login_from(&base, &c, &email, &format!("guess-number-{i}-wrong")).await.status().as_u16()
        });
    }
    tasks.join_all().await
}

/// `onshi serve` as a process with warnings logged; its stderr is gathered for the test.
struct Served {
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

impl Served {
    fn start(dir: &std::path::Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(["serve", "--addr", "127.0.0.1:0", "--no-demo-activity", "--db"])
            .arg(dir.join("onshi.sqlite"))
            .env("ONSHI_DEMO_PASSWORD", DEMO_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn onshi serve");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("log").push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = String::new();
        stdout.read_line(&mut banner).expect("banner");
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = banner.trim().strip_prefix("Onshi listening on ").unwrap_or_else(|| panic!("{banner}")).to_owned();
        Served { child, url, log }
    }

    /// The process's peak resident memory so far (VmHWM), in MiB.
    fn peak_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        kib / 1024
    }

    /// What the server has logged so far, without terminal colour codes.
    /// The log once it holds at least `n` lines with `word` (the server writes it from another
    /// thread), or as it is after five seconds.
    fn log_with(&self, word: &str, n: usize) -> String {
        for _ in 0..50 {
            let log = self.log();
            if log.lines().filter(|l| l.contains(word)).count() >= n {
                return log;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.log()
    }

    fn log(&self) -> String {
        let raw = self.log.lock().expect("log").clone();
        let mut plain = String::with_capacity(raw.len());
        let mut rest = raw.as_str();
        while let Some(start) = rest.find('\x1b') {
            plain.push_str(&rest[..start]);
            rest = rest[start..].find('m').map_or("", |end| &rest[start + end + 1..]);
        }
        plain.push_str(rest);
        plain
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_simultaneous_wrong_passwords_are_mostly_refused_with_429_before_any_is_checked() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Served::start(dir.path());
    let statuses = guesses_at_once(&server.url, 2, MANAGER, 60).await;
    let refused = statuses.iter().filter(|s| **s == 429).count();
    let checked = statuses.iter().filter(|s| **s == 302).count();
    assert_eq!(refused + checked, 60, "only 429 or the login page again: {statuses:?}");
    assert!(checked <= 5, "at most the five free failures are checked, {checked} were");
    assert!(refused >= 55, "{refused} refused");
    // Every checked password is logged once as a failure: the log is the count of hashes.
    let failures = server.log_with("login_failed", checked).matches("login_failed").count();
    assert_eq!(failures, checked, "one failure logged per checked guess");
    // Still locked for that address afterwards, with the wait to show.
    let again = login_from(&server.url, &client_at(2), MANAGER, DEMO_PASSWORD).await;
    assert_eq!(again.status(), 429);
    assert!(again.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_and_correct_logins_stays_under_500_mb_and_health_keeps_answering() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Served::start(dir.path());
    let stop = Arc::new(AtomicBool::new(false));
    let health = {
        let (url, stop) = (server.url.clone(), Arc::clone(&stop));
        tokio::spawn(async move {
            let c = client();
            let mut times = Vec::new();
            for _ in 0..2_000 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let started = Instant::now();
                let res = c.get(format!("{url}/healthz")).send().await.expect("healthz");
                assert_eq!(res.status(), 200);
                times.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            times.sort();
            times
        })
    };
    let started = Instant::now();
    let wrong = {
        let url = server.url.clone();
        tokio::spawn(async move { guesses_at_once(&url, 2, MANAGER, 60).await })
    };
    // 200 correct logins, 64 at a time, for the four demo users from 50 addresses. (Simultaneous
    // attempts of one account from one address beyond its five free failures wait their turn:
    // nothing tells a right password from a wrong one before it is checked.)
    let limit = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (url, limit) = (server.url.clone(), Arc::clone(&limit));
        let email = [MANAGER, REVIEWER, AUDITOR, ADMIN][i % 4];
        tasks.spawn(async move {
            let _turn = limit.acquire_owned().await.expect("turn");
            let started = Instant::now();
            let res = login_from(&url, &client_at(10 + (i % 50) as u8), email, DEMO_PASSWORD).await;
            let busy = res.status() == 503 && res.headers().contains_key("retry-after");
            (password_accepted(&res), busy, res.status().as_u16(), started.elapsed())
        });
    }
    let answers = tasks.join_all().await;
    let wrong = wrong.await.expect("wrong logins");
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let health = health.await.expect("health");
    let slowest_health = health.last().copied().unwrap_or_default();
    let median_health = health.get(health.len() / 2).copied().unwrap_or_default();

    let peak = server.peak_mib();
    let ok = answers.iter().filter(|a| a.0).count();
    let odd: Vec<u16> = answers.iter().filter(|a| !a.0 && !a.1).map(|a| a.2).collect();
    let mut times: Vec<Duration> = answers.iter().map(|a| a.3).collect();
    times.sort();
    let p95 = times[times.len() * 95 / 100];
    eprintln!(
        "burst: peak {peak} MiB, {ok}/200 signed in, p95 {p95:?}, took {took:?}, /healthz median {median_health:?} \
         slowest {slowest_health:?} of {}",
        health.len()
    );
    assert!(peak < 500, "peak resident memory {peak} MiB");
    assert!(odd.is_empty(), "every correct login is signed in or told the server is busy: {odd:?}");
    assert!(ok >= 100, "most correct logins get in: {ok}");
    assert!(wrong.iter().filter(|s| **s == 302).count() <= 5, "{wrong:?}");
    assert!(slowest_health < Duration::from_secs(3), "/healthz took {slowest_health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_signs_in_from_another_address_while_attackers_hammer_the_account() {
    let app = spawn_app().await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut attackers = tokio::task::JoinSet::new();
    for last in 2..=4u8 {
        let (base, stop) = (app.base.clone(), Arc::clone(&stop));
        attackers.spawn(async move {
            let c = client_at(last);
            let mut refused = 0;
            for i in 0..300 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let res = login_from(&base, &c, MANAGER, &format!("hammer-{last}-{i}-wrong")).await;
                refused += usize::from(res.status() == 429);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            refused
        });
    }
    // Let the attackers use up their free failures (15 from three addresses: the account is slowed).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let owner = client_at(1);
    let res = login_from(&app.base, &owner, MANAGER, DEMO_PASSWORD).await;
    stop.store(true, Ordering::SeqCst);
    let refused: usize = attackers.join_all().await.into_iter().sum();
    assert!(signed_in(&res), "the owner gets in: {} {}", res.status(), res.text().await.unwrap_or_default());
    let home = owner.get(app.url("/")).send().await.expect("home");
    assert_eq!(home.status(), 200);
    assert!(refused > 0, "the attackers were refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_behind_an_attackers_address_still_sign_in_to_their_own_accounts() {
    let app = spawn_app().await;
    let statuses = guesses_at_once(&app.base, 5, MANAGER, 20).await;
    assert!(statuses.contains(&429), "the attacker is locked out of that account: {statuses:?}");
    for colleague in [REVIEWER, AUDITOR, ADMIN] {
        let res = login_from(&app.base, &client_at(5), colleague, DEMO_PASSWORD).await;
        assert!(password_accepted(&res), "{colleague} from the same address: {} {}", res.status(), location(&res));
    }
    let res = login_from(&app.base, &client_at(6), MANAGER, DEMO_PASSWORD).await;
    assert!(signed_in(&res), "and the account's owner from elsewhere");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spraying_address_is_slowed_while_other_addresses_and_its_known_users_are_not() {
    let app = spawn_app().await;
    // A reviewer who works behind that address signed in there before.
    assert!(signed_in(&full_login(&app, &client_at(7), REVIEWER).await));
    for i in 0..30 {
        let res = login_from(&app.base, &client_at(7), &format!("staff{i}@example.jp"), "Spring2026-guess").await;
        assert_eq!(res.status(), 302, "the first 30 failures across accounts are not slowed");
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let base = app.base.clone();
        tasks.spawn(async move {
            let res = login_from(&base, &client_at(7), &format!("more{i}@example.jp"), "Spring2026-guess").await;
            let wait = res.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            (res.status().as_u16(), wait, res.text().await.unwrap_or_default())
        });
    }
    let started = Instant::now();
    let known = full_login(&app, &client_at(7), REVIEWER).await;
    let known_took = started.elapsed();
    let elsewhere = full_login(&app, &client_at(8), ADMIN).await;
    let answers = tasks.join_all().await;
    let slowed: Vec<_> = answers.iter().filter(|a| a.0 == 429).collect();
    assert!(
        !slowed.is_empty(),
        "some spraying attempts are refused: {:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    for (_, wait, body) in &slowed {
        assert!(wait.is_some_and(|w| (1..=60).contains(&w)), "Retry-After {wait:?}");
        assert!(body.contains("この接続元からのログインの失敗が多いため"), "{body}");
    }
    assert!(signed_in(&known), "the reviewer known at that address is not held back");
    assert!(known_took < Duration::from_secs(5), "nor made to wait for the spraying: {known_took:?}");
    assert!(signed_in(&elsewhere), "another address is not slowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_and_lockouts_are_logged_with_account_and_address_and_never_the_password() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Served::start(dir.path());
    let guess = "Distinctive-Guess-5512-kiwi";
    for _ in 0..6 {
        login_from(&server.url, &client_at(9), AUDITOR, guess).await;
    }
    let res = login_from(&server.url, &client_at(9), "nobody@example.jp", guess).await;
    assert_eq!(res.status(), 302);
    let log = server.log_with("login_failed", 6);
    let failed: Vec<&str> = log.lines().filter(|l| l.contains("login_failed")).collect();
    assert_eq!(failed.len(), 6, "five free failures, then a locked pair; plus the unknown account:\n{log}");
    assert!(failed.iter().all(|l| l.contains("127.0.0.9")), "{log}");
    assert_eq!(failed.iter().filter(|l| l.contains(AUDITOR)).count(), 5, "{log}");
    assert!(failed.iter().any(|l| l.contains("nobody@example.jp")), "{log}");
    let locked: Vec<&str> = log.lines().filter(|l| l.contains("login_locked")).collect();
    assert_eq!(locked.len(), 1, "{log}");
    assert!(locked[0].contains(AUDITOR) && locked[0].contains("127.0.0.9") && locked[0].contains("seconds=60"));
    assert!(!log.contains(guess), "the password is never logged:\n{log}");
}
