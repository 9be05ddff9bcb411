//! Building the application: database, reference and demo data, sessions, routes.

use crate::config::Settings;
use crate::error::StartError;
use crate::seed::demo::{self, DemoAccounts, DemoDecision};
use crate::{db, middleware, routes, seed};
use app::ssr::throttle::LoginThrottle;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use axum::serve::{ListenerExt, TapIo};
use leptos::prelude::{LeptosOptions, provide_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use rand::Rng;
use rand::distr::Alphanumeric;
use sqlx::SqlitePool;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{CachingSessionStore, ExpiredDeletion, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// State shared by the plain axum handlers.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos rendering options.
    pub leptos_options: LeptosOptions,
    /// The database.
    pub pool: SqlitePool,
    /// Login throttling shared by the middleware and the login server function.
    pub throttle: LoginThrottle,
    /// Limits on reading uploaded files.
    pub reading: crate::reading::Reading,
    /// When a vendor league is computed in the background.
    pub league_refresh: app::ssr::context::LeagueRefresh,
    /// Seals and opens the second factor's secrets.
    pub sealing_key: app::ssr::totp::SealingKey,
    /// CPU-heavy page work: bounded, off the async workers, stopped with the server.
    pub heavy: app::ssr::heavy_work::HeavyWork,
}

impl AppState {
    /// What every Leptos render and server function finds in its context.
    pub fn provide_context(&self) {
        provide_context(self.pool.clone());
        provide_context(self.throttle.clone());
        provide_context(self.league_refresh);
        provide_context(self.sealing_key.clone());
        provide_context(self.heavy.clone());
    }
}

/// What happened to the database at start.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The open pool.
    pub pool: SqlitePool,
    /// Demo accounts created now (only on a new database).
    pub demo: Option<DemoAccounts>,
    /// Their password when it was generated here (not taken from ONSHI_DEMO_PASSWORD).
    pub generated_password: Option<String>,
    /// The demo reviewer's, auditor's and admin's TOTP secret (base32) when it was generated
    /// here (not taken from ONSHI_DEMO_TOTP_SECRET).
    pub generated_totp_secret: Option<String>,
}

/// What to do about demo data on a new database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoChoice {
    /// Load it; every demo user gets this password, or a generated one. With `activity`, also
    /// the demo corporation's quotes, progress and complaint (`seed::demo_activity`).
    Load {
        /// The demo users' password; generated when `None`.
        password: Option<String>,
        /// Replay seed/demo_activity.json too.
        activity: bool,
    },
    /// Record that this database has no demo data, for good.
    Skip,
    /// Decide nothing (`onshi migrate`): the first `serve` decides.
    Undecided,
}

/// Opens and migrates the database, upserts reference data and, on a new
/// database, acts on the demo choice.
pub async fn prepare_database(path: &Path, demo: DemoChoice) -> Result<Prepared, StartError> {
    let pool = db::connect(path).await?;
    db::migrate(&pool).await?;
    let missing = app::ssr::audit_log::missing_protections(&pool).await?;
    if !missing.is_empty() {
        return Err(StartError::AuditTrailUnprotected(missing.join(", ")));
    }
    match app::ssr::db::quotes::prune_drafts(&pool, None).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(drafts = n, "expired quote drafts deleted"),
        Err(e) => tracing::warn!(error = %e, "could not delete expired quote drafts"),
    }
    let counts = seed::reference::load(&pool).await?;
    tracing::info!(?counts, "reference data loaded");
    let mut prepared =
        Prepared { pool: pool.clone(), demo: None, generated_password: None, generated_totp_secret: None };
    if demo::decided(&pool).await? {
        return Ok(prepared);
    }
    let (demo_password, activity) = match demo {
        DemoChoice::Undecided => return Ok(prepared),
        DemoChoice::Skip => {
            // The write lock first: a deferred transaction that reads, then writes, can meet SQLITE_BUSY at once.
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            demo::record_decision(&mut tx, DemoDecision::Skipped).await?;
            tx.commit().await?;
            return Ok(prepared);
        }
        DemoChoice::Load { password, activity } => (password, activity),
    };
    let password = match demo_password {
        Some(p) => {
            app::ssr::password_policy::check(&p, "").map_err(StartError::DemoPassword)?;
            p
        }
        None => {
            let generated = generate_password();
            prepared.generated_password = Some(generated.clone());
            generated
        }
    };
    let accounts = demo::load(&pool, &password).await?;
    tracing::info!(users = accounts.users.len(), facilities = accounts.facilities, "demo data loaded");
    if activity {
        let counts = seed::demo_activity::load(&pool).await?;
        tracing::info!(
            quotes = counts.quotes,
            complaints = counts.complaints,
            applications = counts.applications,
            "demo activity loaded"
        );
    }
    prepared.demo = Some(accounts);
    Ok(prepared)
}

fn generate_password() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(16).map(char::from).collect()
}

/// The listener with TCP_NODELAY on every connection it accepts. Without it a streamed
/// body's last chunk waits for the client's delayed ACK: every CSV download took at least
/// 40 ms however small (BENCHMARKS.md, load test).
fn without_delay(listener: TcpListener) -> TapIo<TcpListener, fn(&mut tokio::net::TcpStream)> {
    fn no_delay(tcp: &mut tokio::net::TcpStream) {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
        }
    }
    listener.tap_io(no_delay)
}

/// The server, bound and ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    store: SqliteStore,
    warm_league: bool,
    /// Sends the outbox, when SMTP is configured.
    mailer: Option<crate::mail::Mailer>,
    /// Held while serving: `onshi restore` refuses while it is (`db_lock`).
    lock: crate::db_lock::DbLock,
    heavy: app::ssr::heavy_work::HeavyWork,
    /// What start-up did to the database.
    pub prepared: Prepared,
}

impl Application {
    /// Prepares the database and binds the address.
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        let demo = if settings.load_demo {
            DemoChoice::Load { password: settings.demo_password.clone(), activity: settings.demo_activity }
        } else {
            DemoChoice::Skip
        };
        // Checked before the database is touched, so a typo does not leave demo users without it.
        let demo_totp_secret = settings
            .demo_totp_secret
            .as_deref()
            .map(app::ssr::totp::Secret::parse_base32)
            .transpose()
            .map_err(StartError::DemoTotpSecret)?;
        if let Some(dir) = settings.db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StartError::CreateDir { path: dir.to_owned(), source })?;
        }
        let lock = crate::db_lock::for_server(&settings.db_path)?;
        // Checked before the database is touched, like the TOTP secret.
        let mailer = settings.mail.as_ref().map(crate::mail::Mailer::new).transpose().map_err(StartError::Mail)?;
        let mut prepared = prepare_database(&settings.db_path, demo).await?;
        let pool = prepared.pool.clone();
        // Messages are queued only while a server sends them; their links use the public address.
        let mail_base = mailer.as_ref().map(|_| settings.public_url.as_deref().unwrap_or(""));
        app::ssr::db::mail::configure(&pool, mail_base).await?;
        let sealing_key = crate::second_factor_key::load(&settings.db_path, &pool).await?;
        if let Some(accounts) = &prepared.demo {
            let secret = demo_totp_secret.unwrap_or_else(|| {
                let generated = app::ssr::totp::Secret::generate();
                prepared.generated_totp_secret = Some(generated.base32());
                generated
            });
            demo::enrol_second_factor(&pool, &sealing_key, accounts, &secret).await?;
        }

        let store = SqliteStore::new(pool.clone());
        store.migrate().await.map_err(|e| StartError::Sessions(e.to_string()))?;
        let cached = CachingSessionStore::new(crate::session_cache::SessionCache::default(), store.clone());
        let sessions = SessionManagerLayer::new(cached)
            .with_name("onshi_session")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(settings.secure_cookies)
            .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
                i64::try_from(settings.session_idle.as_secs()).unwrap_or(i64::MAX),
            )));

        let leptos_options = LeptosOptions::builder().output_name("onshi").build();
        let throttle = LoginThrottle::default();
        let state = AppState {
            leptos_options: leptos_options.clone(),
            pool: pool.clone(),
            throttle: throttle.clone(),
            reading: crate::reading::Reading::new(settings.read_time_limit),
            league_refresh: app::ssr::context::LeagueRefresh(settings.league_inline),
            sealing_key,
            heavy: app::ssr::heavy_work::HeavyWork::default(),
        };
        let heavy = state.heavy.clone();
        let routes = generate_route_list(app::App);
        let context_state = state.clone();
        let gate = middleware::GateState {
            pool: pool.clone(),
            absolute: settings.session_absolute,
            idle: settings.session_idle,
        };
        let listener = TcpListener::bind(settings.addr)
            .await
            .map_err(|source| StartError::Bind { addr: settings.addr, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: settings.addr, source })?;
        let guard = crate::request_guard::Guard::new(addr, settings.public_url.as_deref(), settings.secure_cookies);
        if settings.public_url.is_none() && !addr.ip().is_loopback() {
            tracing::warn!(%addr, "listening on a public address without --public-url: the Host header is not checked");
        }
        let router = Router::new()
            .route("/healthz", get(routes::healthz))
            .route(app::STYLESHEET_PATH, get(routes::stylesheet))
            // The audit trail, through the same CSV writer as every list (routes::exports).
            .route("/audit-log.csv", get(routes::exports::export_audit_log_csv))
            .route("/exports/{file}", get(routes::exports::export_list_csv))
            .route("/quotes/{id}/file", get(routes::quote_upload::download_quote_file))
            .route("/quotes/drafts/{token}/rows/{row}", get(routes::quote_upload::draft_row_picture))
            .route("/quotes/{id}/letter.pdf", get(routes::letter_pdf::counter_offer_letter_pdf))
            .route("/dashboard/{chart}", get(routes::dashboard_csv::chart_csv))
            .route("/applications/{id}/package.pdf", get(routes::application_docs::package_pdf))
            .route("/applications/{id}/package.csv", get(routes::application_docs::package_csv_file))
            .route("/applications/{id}/package.zip", get(routes::application_docs::package_zip))
            .route(
                "/applications/{id}/receipts",
                axum::routing::post(routes::application_receipts::upload_receipt_scan)
                    .layer(axum::extract::DefaultBodyLimit::max(routes::application_receipts::BODY_LIMIT)),
            )
            .route("/applications/{id}/receipts/{scan}", get(routes::application_receipts::download_receipt_scan))
            .route("/corporations/{id}/applications.zip", get(routes::application_docs::corporation_bundle))
            .route(
                "/facilities/{id}/quotes",
                axum::routing::post(routes::quote_upload::upload_quote)
                    .layer(axum::extract::DefaultBodyLimit::max(routes::audit::BODY_LIMIT)),
            )
            .route(
                "/admin/registry/imports",
                axum::routing::post(routes::registry_import::upload_lists)
                    .layer(axum::extract::DefaultBodyLimit::max(routes::registry_import::BODY_LIMIT)),
            )
            .route(
                "/api/audit",
                axum::routing::post(routes::audit::audit_quote)
                    .layer(axum::extract::DefaultBodyLimit::max(routes::audit::BODY_LIMIT)),
            )
            .leptos_routes_with_context(
                &state,
                routes,
                move || context_state.provide_context(),
                move || app::shell(leptos_options.clone()),
            )
            .fallback(routes::not_found)
            .layer(axum::middleware::from_fn_with_state(gate, middleware::require_session))
            .layer(axum::middleware::from_fn_with_state(throttle, app::ssr::login_gate::admit_login))
            .layer(sessions)
            .layer(axum::middleware::from_fn_with_state(guard.scheme, middleware::check_origin))
            .layer(CatchPanicLayer::custom(|_| crate::error::server_error_page()))
            .layer(axum::middleware::from_fn_with_state(guard, crate::request_guard::guard))
            .layer(crate::compression::layer())
            .layer(axum::middleware::from_fn(middleware::security_headers))
            .layer(TraceLayer::new_for_http())
            .with_state(state);

        Ok(Application {
            listener,
            router,
            addr,
            store,
            warm_league: settings.warm_league,
            mailer,
            lock,
            heavy,
            prepared,
        })
    }

    /// The server's heavy page work (stopped with the server).
    pub fn heavy_work(&self) -> app::ssr::heavy_work::HeavyWork {
        self.heavy.clone()
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then gives in-flight requests [`SHUTDOWN_GRACE`] to
    /// finish and returns even if some have not: a stopping server is not held up by a slow
    /// client or a page still computing, and the heavy work is told to stop at once.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), StartError> {
        let cleanup =
            tokio::spawn(self.store.clone().continuously_delete_expired(tokio::time::Duration::from_secs(3600)));
        let warm = self.warm_league.then(|| {
            let (pool, heavy) = (self.prepared.pool.clone(), self.heavy.clone());
            tokio::spawn(async move {
                if let Err(e) = app::api::vendors::warm_national_league(pool, heavy).await {
                    tracing::error!("computing the national vendor league at start failed: {e}");
                }
            })
        });
        let mailing = self.mailer.map(|m| m.spawn(self.prepared.pool.clone()));
        let (signalled, grace) = tokio::sync::oneshot::channel::<()>();
        let heavy = self.heavy.clone();
        let shutdown = async move {
            shutdown.await;
            heavy.stop();
            let _ = signalled.send(());
        };
        let app = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let serving = axum::serve(without_delay(self.listener), app).with_graceful_shutdown(shutdown);
        let grace_over = async {
            if grace.await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let served = tokio::select! {
            served = serving => served,
            () = grace_over => {
                tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still in flight at the end of the grace period: stopping without them");
                Ok(())
            }
        };
        cleanup.abort();
        for task in [warm, mailing].into_iter().flatten() {
            task.abort();
        }
        // A connection still held by an abandoned request would keep `close` waiting.
        if tokio::time::timeout(POOL_CLOSE_GRACE, self.prepared.pool.close()).await.is_err() {
            tracing::warn!("database connections still in use at shutdown: leaving them to the process exit");
        }
        drop(self.lock);
        served.map_err(StartError::Serve)
    }
}

/// How long in-flight requests get to finish after a stop signal before the server returns
/// without them. Ten seconds is what a service manager gives before it kills (Docker's
/// `docker stop` default; systemd's is 90 s), so the server stops on its own before that.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// How long blocking work still running after serving stopped (told to stop by then) is waited
/// for before the process exits without it.
pub const RUNTIME_STOP: std::time::Duration = std::time::Duration::from_secs(1);

/// How long the database pool gets to close after serving stopped.
const POOL_CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

#[cfg(test)]
mod tests {
    use super::without_delay;
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_connections_send_small_writes_at_once() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let mut listener = without_delay(listener);
        let _client = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().expect("socket option"), "TCP_NODELAY is set");
    }
}
