//! The server's errors: start-up failures, and the HTTP edge.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::path::PathBuf;

/// Why the server could not start; each message says what to check.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The SQLite file could not be opened.
    #[error("cannot open the database {path}: {source}")]
    OpenDb {
        /// The file.
        path: PathBuf,
        /// The driver error.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A seed file is malformed or inconsistent.
    #[error("seed data {file}: {message}")]
    Seed {
        /// The seed file.
        file: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The e-mail settings are not usable.
    #[error("{0}")]
    Mail(#[from] crate::mail::MailError),
    /// A query during start-up failed.
    #[error("database error during start-up: {0}")]
    Db(#[from] sqlx::Error),
    /// A restore holds the database, or its lock file cannot be opened.
    #[error("cannot start on the database: {0}（onshi restore が実行中なら、終わってから起動してください）")]
    Locked(#[from] crate::db_lock::LockError),
    /// The audit trail's append-only protections are missing from the database.
    #[error(
        "監査ログの保護（追記のみを強制するトリガー）が見つかりません: {0}。改ざんされたデータベースの可能性があります。バックアップから復元してください。"
    )]
    AuditTrailUnprotected(String),
    /// Session store set-up failed.
    #[error("session store: {0}")]
    Sessions(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// ONSHI_DEMO_PASSWORD is refused by the password policy (the demo users are real accounts).
    #[error("ONSHI_DEMO_PASSWORD: {0} / {en}", en = .0.english())]
    DemoPassword(app::ssr::password_policy::Weakness),
    /// Password hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The key file that seals the second factor's secrets cannot be read or created.
    #[error("cannot read or create the second-factor key file {path}: {source}")]
    SecondFactorKey {
        /// The key file (beside the database).
        path: PathBuf,
        /// The OS error, or why its content is not a key.
        source: std::io::Error,
    },
    /// `ONSHI_DEMO_TOTP_SECRET` is not a usable secret.
    #[error("ONSHI_DEMO_TOTP_SECRET: {0}")]
    DemoTotpSecret(app::ssr::totp::InvalidSecret),
    /// Serving failed.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// An error at the HTTP edge of a plain (non-Leptos) handler.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 500: logged with its details; the user sees a generic Japanese page.
    #[error("internal error: {0}")]
    Internal(String),
    /// 503: the database does not answer (health check).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// 403 with what the user may not do, in Japanese.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404: no such object, or one outside the user's scope (which must look the same).
    #[error("{0}が見つかりません。")]
    NotFound(&'static str),
    /// 400 with what to fix, in Japanese.
    #[error("{0}")]
    BadRequest(String),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                return server_error_page();
            }
            AppError::Unavailable(_) => {
                tracing::error!(error = %self, "request failed");
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        };
        let text = match self {
            AppError::Unavailable(_) => "データベースに接続できません。".to_owned(),
            other => other.to_string(),
        };
        (status, format!("{text}\n")).into_response()
    }
}

/// The Japanese 500 page, self-contained so it renders whatever failed.
pub fn server_error_page() -> Response {
    let body = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>エラー — Onshi</title><link rel="stylesheet" href="{css}"></head><body><main class="page"><h1>サーバーでエラーが発生しました</h1><p>ご不便をおかけしています。しばらくしてから、もう一度お試しください。</p><p>同じエラーが続く場合は、運用管理者にお問い合わせください（発生時刻をお伝えください）。</p><p><a href="/">ホームへ戻る</a></p></main></body></html>"#,
        css = app::STYLESHEET_PATH
    );
    (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_text(res: Response) -> String {
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn an_internal_error_is_a_japanese_500_page_without_details() {
        let res = AppError::Internal("secret table name users_x".into()).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let html = body_text(res).await;
        assert!(html.contains(r#"<html lang="ja">"#));
        assert!(html.contains("サーバーでエラーが発生しました"));
        assert!(!html.contains("users_x"), "details stay in the log");
    }

    #[tokio::test]
    async fn an_unavailable_database_is_a_503() {
        let res = AppError::Unavailable("closed".into()).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(body_text(res).await.contains("データベース"));
    }
}
