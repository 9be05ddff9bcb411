//! The mailer: sends the outbox (`app::ssr::db::mail`) over SMTP with lettre, and once an hour
//! queues the reminders of deadlines a week ahead. Runs only when `--smtp-url` is given;
//! without it the server queues nothing and the notifications stay in the app.

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::SqlitePool;
use std::time::Duration;

/// How the server sends e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, for a relay on the same host or network),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtps://host:465`, with
    /// `user:password@` before the host where the relay asks for it.
    pub smtp_url: String,
    /// The sender, `Onshi <noreply@example.jp>`.
    pub from: String,
}

/// Messages sent per round, and tries per message before it is left for an operator.
const PER_ROUND: i64 = 50;
const TRIES: i64 = 5;
/// How often the outbox is read.
const ROUND: Duration = Duration::from_secs(2);
/// How often the week-ahead reminders are looked for.
const REMINDERS: Duration = Duration::from_secs(3600);

/// Why the mailer cannot start: the SMTP address or the sender is not usable.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// `--smtp-url` is not an SMTP address lettre understands.
    #[error("--smtp-url {0:?} is not an SMTP address (smtp://host:port, smtps://host:465): {1}")]
    Url(String, String),
    /// `--mail-from` is not an address.
    #[error("--mail-from {0:?} is not an e-mail address: {1}")]
    From(String, String),
}

/// The transport and sender, checked before the server starts.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    /// Checks the settings.
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| MailError::Url(settings.smtp_url.clone(), e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::From(settings.from.clone(), e.to_string()))?;
        Ok(Mailer { transport, from })
    }

    /// Sends the outbox every [`ROUND`] and queues the reminders every [`REMINDERS`], until
    /// the server stops.
    pub fn spawn(self, pool: SqlitePool) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut round = tokio::time::interval(ROUND);
            let mut reminders = tokio::time::interval(REMINDERS);
            loop {
                tokio::select! {
                    _ = round.tick() => self.send_outbox(&pool).await,
                    _ = reminders.tick() => {
                        match app::ssr::reminders::queue_week_ahead(&pool, app::ssr::context::today()).await {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(reminders = n, "deadline reminders queued"),
                            Err(e) => tracing::warn!(error = %e, "deadline reminders could not be queued"),
                        }
                    }
                }
            }
        })
    }

    async fn send_outbox(&self, pool: &SqlitePool) {
        let waiting = match app::ssr::db::mail::unsent(pool, PER_ROUND, TRIES).await {
            Ok(w) => w,
            Err(e) => return tracing::warn!(error = %e, "the outbox could not be read"),
        };
        for (id, to, subject, body) in waiting {
            let failure = match self.message(&to, &subject, body) {
                Ok(message) => self.transport.send(message).await.err().map(|e| e.to_string()),
                Err(why) => Some(why),
            };
            if let Some(why) = &failure {
                tracing::warn!(id, error = %why, "an e-mail could not be sent");
            }
            if let Err(e) = app::ssr::db::mail::record_attempt(pool, id, failure.as_deref()).await {
                tracing::warn!(id, error = %e, "an e-mail's sending could not be recorded");
            }
        }
    }

    /// A plain-text message in UTF-8, base64 in transfer: Japanese text arrives intact through
    /// any relay.
    fn message(&self, to: &str, subject: &str, body: String) -> Result<Message, String> {
        use lettre::message::SinglePart;
        use lettre::message::header::ContentTransferEncoding;
        Message::builder()
            .from(self.from.clone())
            .to(to.parse().map_err(|e: lettre::address::AddressError| format!("{to}: {e}"))?)
            .subject(subject)
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(body),
            )
            .map_err(|e| e.to_string())
    }
}
