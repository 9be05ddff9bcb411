//! Many writers at once — quote uploads and confirmations, complaint filings and transitions,
//! logins — never surface SQLITE_BUSY or a 500: every write transaction takes the write lock
//! when it begins (`BEGIN IMMEDIATE`), and the others wait for it (busy timeout). Every page
//! answers many readers at once: a request that holds a pooled connection while it waits for
//! another would leave them all waiting once the pool's eight connections are taken.

use crate::helpers::*;
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quote_reader/tests/fixtures").join(name))
        .expect("fixture")
}

/// What a request answered: its status and, for anything but a redirect, its body.
type Answer = (String, u16, String);

async fn answer(what: String, res: reqwest::Response) -> Answer {
    let status = res.status().as_u16();
    let body = if res.status().is_redirection() {
        crate::helpers::location(&res)
    } else {
        res.text().await.unwrap_or_default()
    };
    (what, status, body)
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    app.signed_in_client(email).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_transitions_and_logins_never_surface_busy_or_a_500() {
    const UPLOADS: usize = 8;
    const COMPLAINTS: usize = 8;
    const LOGINS: usize = 12;
    let app = std::sync::Arc::new(spawn_app().await);
    let manager = signed_in(&app, MANAGER).await;
    let reviewer = signed_in(&app, REVIEWER).await;
    let hospital: i64 = sqlx::query_scalar(
        "SELECT id FROM facilities WHERE facility_type = 'hospital' AND prefecture = '40' AND corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("the corporation's Fukuoka hospital");
    let quotes_before: i64 =
        sqlx::query_scalar("SELECT count(*) FROM quotes").fetch_one(app.pool()).await.expect("count");

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..UPLOADS {
        let (app, manager) = (app.clone(), manager.clone());
        tasks.spawn(async move {
            let name = if i % 2 == 0 { "hospital_padded.xls" } else { "clinic_cover.xlsx" };
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(fixture(name)).file_name(name.to_owned()));
            let res = manager
                .post(app.url(&format!("/facilities/{hospital}/quotes")))
                .header("Origin", app.base.clone())
                .multipart(form)
                .send()
                .await
                .expect("upload");
            let draft = location(&res);
            let mut answers = vec![answer(format!("upload {i}"), res).await];
            let token = draft.rsplit('/').next().unwrap_or_default().to_owned();
            let form = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "")];
            let res = post_form(&app, &manager, "/api/confirm_quote", &draft, &form).await;
            answers.push(answer(format!("confirm {i}"), res).await);
            answers
        });
    }
    for i in 0..COMPLAINTS {
        let (app, manager, reviewer) = (app.clone(), manager.clone(), reviewer.clone());
        tasks.spawn(async move {
            let facility = hospital.to_string();
            let fields = [
                ("facility_id", facility.as_str()),
                ("quote_id", ""),
                ("kind", "delay"),
                ("description", "工事の日程が決まらない"),
            ];
            let res = post_form(&app, &manager, "/api/file_complaint", "/complaints", &fields).await;
            let case = location(&res);
            let mut answers = vec![answer(format!("file {i}"), res).await];
            let id = case.rsplit('/').next().unwrap_or_default().to_owned();
            for to in ["under_review", "forwarded"] {
                let fields = [("id", id.as_str()), ("to", to), ("comment", "確認しました"), ("confirm", "on")];
                let res = post_form(&app, &reviewer, "/api/move_complaint", "/complaints", &fields).await;
                answers.push(answer(format!("complaint {i} → {to}"), res).await);
            }
            answers
        });
    }
    for i in 0..LOGINS {
        let app = app.clone();
        tasks.spawn(async move {
            let who = [MANAGER, REVIEWER, AUDITOR, ADMIN][i % 4];
            let res =
                post_form(&app, &client(), "/api/login", "/login", &[("email", who), ("password", DEMO_PASSWORD)])
                    .await;
            vec![answer(format!("login {i} ({who})"), res).await]
        });
    }
    let answers: Vec<Answer> = tasks.join_all().await.into_iter().flatten().collect();

    assert_eq!(answers.len(), 2 * UPLOADS + 3 * COMPLAINTS + LOGINS);
    for (what, status, body) in &answers {
        assert!(*status < 500, "{what}: {status} {body}");
        assert!(!body.contains("locked") && !body.contains("BUSY") && !body.contains("__err"), "{what}: {body}");
        if what.starts_with("login") {
            // The password alone: a manager is signed in, the others are asked for their code.
            let expected = if what.contains(MANAGER) { "/" } else { "/login" };
            assert_eq!(body, expected, "{what} passes the password check");
        }
    }
    let quotes: i64 = sqlx::query_scalar("SELECT count(*) FROM quotes WHERE confirmed = 1")
        .fetch_one(app.pool())
        .await
        .expect("count");
    assert_eq!(quotes - quotes_before, UPLOADS as i64, "every confirmed upload stored once");
    let forwarded: i64 = sqlx::query_scalar("SELECT count(*) FROM complaints WHERE status = 'forwarded'")
        .fetch_one(app.pool())
        .await
        .expect("count");
    assert_eq!(forwarded, COMPLAINTS as i64);
    let report = app::ssr::audit_log::verify(app.pool()).await.expect("verify");
    assert!(report.is_intact(), "the audit chain stayed whole under concurrent writers");
    assert!(report.rows >= (UPLOADS + 3 * COMPLAINTS) as u64, "{} audit rows", report.rows);
    assert_eq!(app::ssr::db::dashboard::totals_drift(app.pool()).await.expect("drift"), vec![]);
}

/// More requests at once than the pool has connections (eight, `server/src/db.rs`), twice over.
const AT_ONCE: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_page_of_every_role_answers_more_readers_at_once_than_the_pool_has_connections() {
    let app = spawn_app_with_demo_activity().await;
    let short_forms = crate::leaks::short_forms();
    let mut failures = Vec::new();
    let mut tried = 0;
    for email in [MANAGER, REVIEWER, AUDITOR, ADMIN] {
        let (visited, _) = crate::leaks::crawl(&app, email, &short_forms).await;
        let client = signed_in(&app, email).await;
        let mut shapes = std::collections::HashSet::new();
        // One page of each shape: the pages, not the documents, hold connections while they render.
        let pages = visited.iter().filter(|u| {
            let path = u.split('?').next().unwrap_or(u);
            ![".csv", ".pdf", ".zip"].iter().any(|e| path.ends_with(e)) && shapes.insert(crate::leaks::pattern(u))
        });
        for url in pages {
            tried += 1;
            let requests = (0..AT_ONCE).map(|_| {
                let (client, url) = (client.clone(), url.clone());
                let address = app.url(&url);
                async move { (url, client.get(address).send().await.map(|r| r.status().as_u16())) }
            });
            for (url, status) in futures_util::future::join_all(requests).await {
                match status {
                    Ok(s) if s < 400 => {}
                    other => failures.push(format!("{email} {url}: {other:?}")),
                }
            }
        }
    }
    assert!(tried >= 30, "only {tried} pages tried");
    failures.dedup();
    assert!(failures.is_empty(), "{} requests failed:\n{}", failures.len(), failures.join("\n"));
}
