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
    /// The request needs a signed-in user.
    #[error("ログインが必要です。もう一度ログインしてください。")]
    Unauthenticated,
    /// The signed-in user may not see or do this.
    #[error("この操作を行う権限がありません。")]
    Forbidden,
    /// A server-side failure, logged with its details.
    #[error("サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。")]
    Internal,
    /// The request to the server function itself failed (decoding, network).
    #[error("通信エラーが発生しました: {0}")]
    Transport(String),
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        UiError::Transport(value.to_string())
    }
}
