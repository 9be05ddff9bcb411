//! Server-only code of the app: database queries, passwords, request context.

pub mod context;
pub mod db;
pub mod password;

/// Keys of the values kept in a session.
pub mod session_keys {
    /// The signed-in user's id (i64).
    pub const USER_ID: &str = "user_id";
}
