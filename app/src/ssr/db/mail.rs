//! E-mail to send, and password-reset tokens. A message is written to the outbox in the
//! transaction of what it tells (a complaint moved, an application paid), so it is sent if and
//! only if that happened; the server's mailer sends the outbox when SMTP is configured
//! (`onshi serve --smtp-url`) and records each message's sending. Without SMTP nothing is
//! queued: the notifications stay in the app (ホームの「お知らせ」).

use sqlx::{Sqlite, SqlitePool, Transaction};

/// The `app_meta` key the server sets when it sends e-mail; the value is the address users
/// open (`--public-url`), for the links in the messages, or empty.
pub const MAIL_KEY: &str = "mail_public_url";

/// A password-reset link is valid this long (Onshi's own choice: long enough to read the
/// message, short enough that a forwarded or stolen mail is soon useless).
pub const RESET_VALID_MINUTES: i64 = 60;

/// Whether e-mail is sent, and the address for links in it.
pub async fn settings(db: impl sqlx::SqliteExecutor<'_>) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT value FROM app_meta WHERE key = ?").bind(MAIL_KEY).fetch_optional(db).await
}

/// Records, at start, whether this server sends e-mail and the address its links use.
pub async fn configure(pool: &SqlitePool, public_url: Option<&str>) -> sqlx::Result<()> {
    match public_url {
        Some(url) => {
            sqlx::query("INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(MAIL_KEY)
                .bind(url.trim_end_matches('/'))
                .execute(pool)
                .await?;
        }
        None => {
            sqlx::query("DELETE FROM app_meta WHERE key = ?").bind(MAIL_KEY).execute(pool).await?;
        }
    }
    Ok(())
}

/// Queues a message to a user (by id) when e-mail is sent; `path` is the page it is about,
/// linked at the end of the body. Nothing happens without SMTP or for a disabled user.
pub async fn queue_to_user(
    tx: &mut Transaction<'_, Sqlite>,
    user_id: i64,
    subject: &str,
    body: &str,
    path: &str,
) -> sqlx::Result<()> {
    let Some(base) = settings(&mut **tx).await? else { return Ok(()) };
    let text = message_body(body, &base, path);
    sqlx::query(
        "INSERT INTO outbox (to_address, subject, body)
         SELECT email, ?, ? FROM users WHERE id = ? AND disabled = 0",
    )
    .bind(format!("［Onshi］{subject}"))
    .bind(text)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The body of a message: what happened, where to see it, and who sent it.
fn message_body(body: &str, base: &str, path: &str) -> String {
    let link = if base.is_empty() { path.to_owned() } else { format!("{base}{path}") };
    format!(
        "{body}\n\n詳しくは Onshi で確認してください:\n{link}\n\n――\nこのメールは Onshi（オンライン資格確認 導入・補助金・見積監査）から自動で送信しています。返信されても読めません。\n"
    )
}

/// A message waiting to be sent: (id, to, subject, body).
pub type Outgoing = (i64, String, String, String);

/// Messages not yet sent, oldest first, at most `limit`, each tried fewer than `attempts` times.
pub async fn unsent(pool: &SqlitePool, limit: i64, attempts: i64) -> sqlx::Result<Vec<Outgoing>> {
    sqlx::query_as(
        "SELECT id, to_address, subject, body FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?",
    )
    .bind(attempts)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Records a message's sending, or why it failed this time.
pub async fn record_attempt(pool: &SqlitePool, id: i64, failure: Option<&str>) -> sqlx::Result<()> {
    match failure {
        None => sqlx::query(
            "UPDATE outbox SET sent_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), attempts = attempts + 1 WHERE id = ?",
        )
        .bind(id),
        Some(why) => {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?").bind(why).bind(id)
        }
    }
    .execute(pool)
    .await
    .map(|_| ())
}

/// The SHA-256 of a reset token, as stored: the database never holds a usable token.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts a password reset for the active user with this e-mail, if there is one: stores the
/// token's hash and queues the message with the link. Returns nothing either way, so the page
/// cannot tell whether the address exists. At most one link per account every
/// [`RESET_VALID_MINUTES`] / 6 minutes: a form sent again and again sends one mail.
pub async fn start_reset(pool: &SqlitePool, email: &str, token: &str) -> sqlx::Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let Some(base) = settings(&mut *tx).await? else { return Ok(()) };
    let user: Option<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.email = ? AND u.disabled = 0
           AND NOT EXISTS (SELECT 1 FROM password_resets r WHERE r.user_id = u.id
                           AND r.created_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?))",
    )
    .bind(email.trim().to_lowercase())
    .bind(format!("-{} minutes", RESET_VALID_MINUTES / 6))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = user else { return Ok(()) };
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, expires_at)
         VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?))",
    )
    .bind(token_hash(token))
    .bind(user)
    .bind(format!("+{RESET_VALID_MINUTES} minutes"))
    .execute(&mut *tx)
    .await?;
    let body = format!(
        "Onshi のパスワードの再設定を受け付けました。\n次のリンクを開いて、新しいパスワードを設定してください。リンクは{RESET_VALID_MINUTES}分間、1回だけ使えます。\n\n{}/password/reset?token={token}\n\n心当たりがない場合は、このメールを破棄してください。パスワードは変わりません。",
        base
    );
    sqlx::query("INSERT INTO outbox (to_address, subject, body) SELECT email, ?, ? FROM users WHERE id = ?")
        .bind("［Onshi］パスワードの再設定")
        .bind(format!("{body}\n\n――\nこのメールは Onshi から自動で送信しています。返信されても読めません。\n"))
        .bind(user)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The user a reset token is for, if it is known, unused and unexpired.
pub async fn reset_user(db: impl sqlx::SqliteExecutor<'_>, token: &str) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
           AND u.disabled = 0",
    )
    .bind(token_hash(token))
    .fetch_optional(db)
    .await
}

/// Uses a reset token: marks it (and the user's other open tokens) used, in the transaction
/// that sets the new password. False when it was used or expired meanwhile.
pub async fn use_token(tx: &mut Transaction<'_, Sqlite>, token: &str, user_id: i64) -> sqlx::Result<bool> {
    let used = sqlx::query(
        "UPDATE password_resets SET used_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE token_hash = ? AND user_id = ? AND used_at IS NULL AND expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    )
    .bind(token_hash(token))
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query("UPDATE password_resets SET used_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE user_id = ? AND used_at IS NULL")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(used == 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_body_links_the_page_on_the_public_address() {
        let body = super::message_body(
            "相談 #3 が「厚生労働省へ送付済み」になりました",
            "https://onshi.example.jp",
            "/complaints/3",
        );
        assert!(body.starts_with("相談 #3 が"));
        assert!(body.contains("https://onshi.example.jp/complaints/3\n"));
        assert!(super::message_body("x", "", "/complaints/3").contains("\n/complaints/3\n"));
    }

    #[test]
    fn tokens_are_stored_as_their_hash() {
        let hash = super::token_hash("abc");
        assert_eq!(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
