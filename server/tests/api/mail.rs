//! E-mail through a real SMTP conversation: a small SMTP sink on loopback, started by the test,
//! receives what Onshi's mailer sends (lettre over TCP) — complaint notifications, the
//! password-reset link, the deadline reminders — and the test reads the messages back. Without
//! SMTP configured nothing is queued and the reset page says to ask the admin.

use crate::helpers::*;
use base64::Engine;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the sink received it: envelope recipients, decoded subject and body.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    subject: String,
    body: String,
}

/// An SMTP server that accepts everything and keeps it (RFC 5321's minimum: EHLO/HELO, MAIL,
/// RCPT, DATA, RSET, NOOP, QUIT).
struct Sink {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    async fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let kept = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut to = Vec::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
                            "RCPT" => {
                                to.push(line.split(['<', '>']).nth(1).unwrap_or_default().to_owned());
                                b"250 OK\r\n"
                            }
                            "DATA" => {
                                let _ = write.write_all(b"354 go on\r\n").await;
                                let mut data = String::new();
                                while let Ok(Some(l)) = lines.next_line().await {
                                    if l == "." {
                                        break;
                                    }
                                    data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                                    data.push('\n');
                                }
                                kept.lock().expect("sink").push(decode(std::mem::take(&mut to), &data));
                                b"250 queued\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"502 not here\r\n",
                        };
                        if write.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Sink { addr, received }
    }

    fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The first message to `to` whose subject contains `subject`, waiting up to 15 s.
    async fn wait_for(&self, to: &str, subject: &str) -> Received {
        for _ in 0..150 {
            let found = self
                .received
                .lock()
                .expect("sink")
                .iter()
                .find(|m| m.to.iter().any(|t| t == to) && m.subject.contains(subject))
                .cloned();
            if let Some(m) = found {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail to {to} about {subject}: {:?}", self.received.lock().expect("sink"));
    }

    fn count_to(&self, to: &str) -> usize {
        self.received.lock().expect("sink").iter().filter(|m| m.to.iter().any(|t| t == to)).count()
    }
}

/// The subject (RFC 2047 encoded words joined) and the base64 body of a message.
fn decode(to: Vec<String>, data: &str) -> Received {
    let (head, body) = data.split_once("\n\n").unwrap_or((data, ""));
    let mut subject = String::new();
    let mut in_subject = false;
    for line in head.lines() {
        if let Some(rest) = line.strip_prefix("Subject: ") {
            in_subject = true;
            subject.push_str(&words(rest));
        } else if in_subject && line.starts_with([' ', '\t']) {
            subject.push_str(&words(line.trim()));
        } else {
            in_subject = false;
        }
    }
    let b64: String = body.lines().collect();
    let body = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| body.to_owned());
    Received { to, subject, body }
}

/// `=?utf-8?b?...?=` words decoded, anything else kept; the space between two encoded words is
/// not part of the text (RFC 2047 §6.2), any other is.
fn words(text: &str) -> String {
    let mut out = String::new();
    let mut last_encoded = false;
    for (i, w) in text.split_whitespace().enumerate() {
        let decoded = w
            .to_ascii_lowercase()
            .strip_prefix("=?utf-8?b?")
            .and_then(|_| w.get(10..w.len().saturating_sub(2)))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok());
        if i > 0 && !(last_encoded && decoded.is_some()) {
            out.push(' ');
        }
        last_encoded = decoded.is_some();
        out.push_str(&decoded.unwrap_or_else(|| w.to_owned()));
    }
    out
}

/// The app with demo data, sending mail to `sink`.
async fn spawn_mailing(sink: &Sink) -> TestApp {
    spawn_app_mailing_to(sink.url()).await
}

#[tokio::test]
async fn a_complaint_notifies_the_reviewer_by_e_mail() {
    let sink = Sink::start().await;
    let app = spawn_mailing(&sink).await;
    let manager = app.signed_in_client(MANAGER).await;
    let facility = managed_fukuoka_hospital(app.pool()).await.to_string();
    let fields = [
        ("facility_id", facility.as_str()),
        ("quote_id", ""),
        ("kind", "delay"),
        ("description", "工事の日程が決まらない"),
    ];
    let res = post_form(&app, &manager, "/api/file_complaint", "/complaints", &fields).await;
    let id = location(&res).trim_start_matches("/complaints/").to_owned();
    let mail = sink.wait_for(REVIEWER, &format!("相談 #{id}")).await;
    assert!(mail.subject.starts_with("［Onshi］相談 #"), "{mail:?}");
    assert!(mail.body.contains(&format!("/complaints/{id}")), "links the complaint: {}", mail.body);
    assert!(mail.body.contains("自動で送信"), "{}", mail.body);
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")
        .fetch_one(app.pool())
        .await
        .expect("outbox");
    assert!(sent >= 1, "the outbox records the sending");
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_an_unknown_address_gets_no_mail() {
    let sink = Sink::start().await;
    let app = spawn_mailing(&sink).await;
    let anyone = client();
    let page = page_text(&app, &anyone, "/password/forgot").await;
    assert!(page.contains(r#"data-testid="forgot-password""#), "the form, signed out: {page}");

    // The same answer for a known and an unknown address.
    let mut answers = Vec::new();
    for email in [MANAGER, "nobody@example.jp"] {
        let res =
            post_form(&app, &anyone, "/api/request_password_reset", "/password/forgot", &[("email", email)]).await;
        answers.push((res.status(), location(&res), done_of(&res)));
    }
    assert_eq!(answers[0], answers[1], "no hint whether the address exists");
    let mail = sink.wait_for(MANAGER, "パスワードの再設定").await;
    let token = mail.body.split("token=").nth(1).and_then(|t| t.split_whitespace().next()).expect("a link").to_owned();
    assert_eq!(token.len(), 64, "{}", mail.body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.count_to("nobody@example.jp"), 0);
    let stored: String =
        sqlx::query_scalar("SELECT token_hash FROM password_resets").fetch_one(app.pool()).await.expect("row");
    assert_ne!(stored, token, "only the token's hash is stored");

    // The link's page; a mismatch is refused beside its field; then the new password.
    let link = format!("/password/reset?token={token}");
    let page = page_text(&app, &anyone, &link).await;
    assert!(page.contains(r#"data-testid="reset-password""#), "{page}");
    let new_password = "a-fresh-kumamoto-passphrase";
    let res = post_form(
        &app,
        &anyone,
        "/api/reset_password_with_link",
        &link,
        &[("token", token.as_str()), ("password", new_password), ("confirm", "typo")],
    )
    .await;
    assert!(location(&res).contains("__err"));
    let refused = page_text(&app, &anyone, &location(&res)).await;
    assert!(refused.contains("同じパスワードをもう一度"), "{refused}");
    let res = post_form(
        &app,
        &anyone,
        "/api/reset_password_with_link",
        &link,
        &[("token", token.as_str()), ("password", new_password), ("confirm", new_password)],
    )
    .await;
    assert_eq!(location(&res), "/login", "{}", raw_location(&res));
    assert_eq!(done_of(&res).as_deref(), Some("reset_password_with_link"));

    // The new password signs in, the old one no longer does; the link works once.
    assert!(location(&app.post_login(MANAGER, DEMO_PASSWORD).await).contains("__err"), "the old password");
    assert!(!location(&app.post_login(MANAGER, new_password).await).contains("__err"), "the new password");
    let page = page_text(&app, &anyone, &link).await;
    assert!(page.contains(r#"data-testid="link-expired""#), "used once: {page}");
    let res = post_form(
        &app,
        &anyone,
        "/api/reset_password_with_link",
        &link,
        &[
            ("token", token.as_str()),
            ("password", "another-long-passphrase-9"),
            ("confirm", "another-long-passphrase-9"),
        ],
    )
    .await;
    assert!(location(&res).contains("__err"), "a used link sets nothing");
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'reset_password'")
        .fetch_one(app.pool())
        .await
        .expect("log");
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let sink = Sink::start().await;
    let app = spawn_mailing(&sink).await;
    let anyone = client();
    post_form(&app, &anyone, "/api/request_password_reset", "/password/forgot", &[("email", MANAGER)]).await;
    let mail = sink.wait_for(MANAGER, "パスワードの再設定").await;
    let token = mail.body.split("token=").nth(1).and_then(|t| t.split_whitespace().next()).expect("a link").to_owned();
    sqlx::query("UPDATE password_resets SET expires_at = '2020-01-01T00:00:00Z'")
        .execute(app.pool())
        .await
        .expect("expire");
    let page = page_text(&app, &anyone, &format!("/password/reset?token={token}")).await;
    assert!(page.contains(r#"data-testid="link-expired""#), "{page}");
}

#[tokio::test]
async fn a_deadline_a_week_ahead_is_mailed_to_the_facilitys_managers_once() {
    let sink = Sink::start().await;
    let app = spawn_mailing(&sink).await;
    // A day when one of the demo manager's facilities has its next deadline within a week.
    let mut reminded = 0;
    let mut day = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("day");
    while reminded == 0 && day < chrono::NaiveDate::from_ymd_opt(2024, 12, 31).expect("day") {
        reminded = app::ssr::reminders::queue_week_ahead(app.pool(), day).await.expect("reminders");
        day += chrono::TimeDelta::days(1);
    }
    assert!(reminded > 0, "a deadline came within a week by {day}");
    let mail = sink.wait_for(MANAGER, "期限まであと").await;
    assert!(mail.body.contains("期限:"), "{}", mail.body);
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(app.pool()).await.expect("outbox");
    // The same day again: each deadline is reminded once.
    let again =
        app::ssr::reminders::queue_week_ahead(app.pool(), day - chrono::TimeDelta::days(1)).await.expect("again");
    assert_eq!(again, 0);
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(app.pool()).await.expect("outbox");
    assert_eq!(after, queued);
}

#[tokio::test]
async fn without_smtp_nothing_is_queued_and_the_reset_page_says_to_ask_the_admin() {
    let app = spawn_app().await;
    let page = page_text(&app, &client(), "/password/forgot").await;
    assert!(page.contains(r#"data-testid="ask-admin""#) && page.contains("運用管理者"), "{page}");
    let login = page_text(&app, &client(), "/login").await;
    assert!(login.contains(r#"href="/password/forgot""#), "the login page links it");
    let manager = app.signed_in_client(MANAGER).await;
    let facility = managed_fukuoka_hospital(app.pool()).await.to_string();
    let fields =
        [("facility_id", facility.as_str()), ("quote_id", ""), ("kind", "delay"), ("description", "連絡がない")];
    let res = post_form(&app, &manager, "/api/file_complaint", "/complaints", &fields).await;
    assert!(!location(&res).contains("__err"));
    post_form(&app, &client(), "/api/request_password_reset", "/password/forgot", &[("email", MANAGER)]).await;
    let (outbox, resets, notified): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM password_resets), (SELECT count(*) FROM notifications)",
    )
    .fetch_one(app.pool())
    .await
    .expect("counts");
    assert_eq!((outbox, resets), (0, 0), "nothing mailed");
    assert!(notified > 0, "the notifications stay in the app");
}
