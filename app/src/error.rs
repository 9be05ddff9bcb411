//! The error every server function returns: what the user sees, in Japanese.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error from a server function, safe to show to the user.
///
/// Internal details never travel to the browser: they are logged on the
/// server, and the user sees [`UiError::Internal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    /// Input the user can fix; the message says what and where.
    #[error("{0}")]
    Invalid(String),
    /// A form refused with what to fix per field and the values as typed, so
    /// the form comes back filled in (nothing typed is lost).
    #[error("入力内容を確認してください: {}", .errors.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" / "))]
    FormRejected {
        /// (field name, what to fix).
        errors: Vec<(String, String)>,
        /// (field name, value as typed).
        values: Vec<(String, String)>,
    },
    /// Several form fields to fix: (field name, what to fix).
    #[error("入力内容を確認してください: {}", .0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" / "))]
    Fields(Vec<(String, String)>),
    /// The request needs a signed-in user.
    #[error("ログインが必要です。もう一度ログインしてください。")]
    Unauthenticated,
    /// The signed-in user may not see or do this.
    #[error("この操作を行う権限がありません。")]
    Forbidden,
    /// No such object — or one outside the user's scope, which must look the same.
    #[error("お探しの情報は存在しないか、閲覧する権限がありません。")]
    NotFound,
    /// The request conflicts with what was done meanwhile (e.g. a draft confirmed twice);
    /// the message says what happened and where to look.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts: the message says how long to wait.
    #[error("{0}")]
    Throttled(String),
    /// The page's computation did not finish in time (a large quote, a national league being
    /// computed): asked again later, it is ready or kept.
    #[error("集計に時間がかかっています。しばらくしてから再度開いてください。")]
    Busy,
    /// A server-side failure, logged with its details.
    #[error("サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。")]
    Internal,
    /// The request to the server function itself could not be read (malformed fields, an
    /// unknown function); the message is generic and the details are logged.
    #[error("{0}")]
    Transport(String),
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    /// The request could not be read or answered. The details (a serde message naming
    /// Onshi's own field types) are logged, never shown: they help no user and tell an
    /// attacker how the server is built.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        tracing::info!(error = %value, "a server function request could not be handled");
        let message = match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::MissingArg(_) => {
                "送信された内容の形式が正しくありません。ページを開き直してから、もう一度送信してください。"
            }
            _ => "要求を処理できませんでした。ページを開き直してから、もう一度お試しください。",
        };
        UiError::Transport(message.to_owned())
    }
}

impl UiError {
    /// The HTTP status a page showing this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            UiError::Invalid(_) | UiError::Fields(_) | UiError::FormRejected { .. } | UiError::Transport(_) => 400,
            UiError::Unauthenticated => 401,
            UiError::Forbidden => 403,
            UiError::NotFound => 404,
            UiError::Conflict(_) => 409,
            UiError::Throttled(_) => 429,
            UiError::Internal => 500,
            UiError::Busy => 503,
        }
    }
}

/// The longest typed value a refused form brings back: ten times the longest name Onshi
/// accepts, and well inside the 8 KB that servers and proxies commonly allow a URL.
pub const MAX_KEPT_CHARS: usize = 1_000;

impl UiError {
    /// The message for one form field, if this error names it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            UiError::Fields(fields) | UiError::FormRejected { errors: fields, .. } => {
                let messages: Vec<&str> = fields.iter().filter(|(f, _)| f == name).map(|(_, m)| m.as_str()).collect();
                (!messages.is_empty()).then(|| messages.join(" / "))
            }
            _ => None,
        }
    }

    /// This error with the values the refused form had, so that it comes back filled in:
    /// per-field errors become [`UiError::FormRejected`]; any other error stays as it is.
    /// A value over [`MAX_KEPT_CHARS`] is left out (the field comes back empty, its message
    /// still says how long it was): without JavaScript the values travel in the error link's
    /// URL, and a URL of megabytes is refused on the way.
    pub fn keeping<K: Into<String>, V: Into<String>>(self, values: impl IntoIterator<Item = (K, V)>) -> UiError {
        match self {
            UiError::Fields(errors) | UiError::FormRejected { errors, .. } => UiError::FormRejected {
                errors,
                values: values
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .filter(|(_, v)| v.chars().count() <= MAX_KEPT_CHARS)
                    .collect(),
            },
            other => other,
        }
    }

    /// Every (field, message) this error names, in the order the form was checked.
    pub fn fields(&self) -> Vec<(String, String)> {
        match self {
            UiError::Fields(fields) | UiError::FormRejected { errors: fields, .. } => fields.clone(),
            _ => Vec::new(),
        }
    }

    /// The value a refused form had in a field.
    pub fn value(&self, name: &str) -> Option<String> {
        match self {
            UiError::FormRejected { values, .. } => values.iter().find(|(f, _)| f == name).map(|(_, v)| v.clone()),
            _ => None,
        }
    }
}
