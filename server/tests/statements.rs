//! The statements each page runs, read from sqlx's statement log: every page reachable from
//! home, for every demo role, runs no statement twice. Each query is a round trip to the
//! connection's thread, the largest cost of a page under load (BENCHMARKS.md, load test); the
//! facility page ran its sections' queries twice, because a resource made while a Suspense
//! renders is made again when it renders again.
//!
//! Its own test binary: the log is process-wide, and the API tests run servers in parallel.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use helpers::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

/// Every statement sqlx has logged since the last `take`.
static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn take() -> Vec<String> {
    std::mem::take(&mut *LOG.lock().expect("statement log"))
}

struct Statements;

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut statement = Statement(None);
        event.record(&mut statement);
        if let Some(sql) = statement.0 {
            LOG.lock().expect("statement log").push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
}

struct Statement(Option<String>);

impl Visit for Statement {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "db.statement" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "db.statement" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// The same-site pages a page links to (not downloads, API calls or the sign-out form).
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .filter(|href| !href.starts_with("/api/") && !href.starts_with("/exports/") && !href.starts_with("/assets/"))
        .filter(|href| !href.ends_with(".pdf") && !href.ends_with(".csv"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_runs_a_statement_twice() {
    let subscriber = tracing_subscriber::registry().with(
        Statements
            .with_filter(tracing_subscriber::filter::Targets::new().with_target("sqlx::query", tracing::Level::DEBUG)),
    );
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber in this binary");

    let app = spawn_app_with_demo_activity().await;
    let mut visited = 0;
    let mut repeated: Vec<String> = Vec::new();
    for user in [MANAGER, REVIEWER, AUDITOR, ADMIN] {
        app.login_as(user).await;
        let mut seen = BTreeSet::new();
        let mut queue = vec!["/".to_owned()];
        while let Some(path) = queue.pop() {
            if !seen.insert(path.clone()) || seen.len() > 200 {
                continue;
            }
            take();
            let res = app.get(&path).await;
            let status = res.status();
            let html = res.text().await.expect("body");
            let statements = take();
            assert!(status.is_success() || status.is_redirection(), "{user} GET {path}: {status}");
            visited += 1;
            queue.extend(links(&html).into_iter().filter(|l| !seen.contains(l)));
            if path.contains("compare=") {
                // Two quotes side by side: each one's audit, the same statements with other ids.
                continue;
            }
            let mut counts: HashMap<&str, usize> = HashMap::new();
            // A connection the pool opens meanwhile runs its set-up (`db::connect`'s pragmas); when
            // a page's sections ask at once, two may open in one request: the pool's, not the page's.
            for sql in statements.iter().filter(|sql| !sql.starts_with("PRAGMA journal_mode")) {
                *counts.entry(sql.as_str()).or_default() += 1;
            }
            repeated.extend(
                counts.into_iter().filter(|(_, n)| *n > 1).map(|(sql, n)| format!("{user} GET {path}: {n}× {sql}")),
            );
        }
        app.post_logout().await;
    }
    assert!(visited > 40, "the crawl reached only {visited} pages");
    assert!(repeated.is_empty(), "statements run more than once for one page:\n{}", repeated.join("\n"));
}
