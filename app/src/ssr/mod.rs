//! Server-only code of the app: database queries, passwords, request context.

pub mod audit_log;
pub mod context;
pub mod db;
pub mod exports;
pub mod facility_settlement;
pub mod generation_cache;
pub mod heavy_work;
pub mod login_gate;
pub mod password;
pub mod password_policy;
pub mod per_database;
pub mod recovery_codes;
pub mod registry_jobs;
pub mod reminders;
pub mod second_factor;
pub mod throttle;
pub mod totp;

/// Keys of the values kept in a session.
pub mod session_keys {
    /// The signed-in user's id (i64).
    pub const USER_ID: &str = "user_id";
    /// When the user signed in (Unix seconds), for the absolute timeout.
    pub const SIGNED_IN_AT: &str = "signed_in_at";
    /// When the session was last marked active (Unix milliseconds): changing it makes the
    /// session store save the session, which pushes its idle expiry forward.
    pub const ACTIVE_AT: &str = "active_at";
    /// The user's `session_epoch` at sign-in (i64): the session is honoured only while the
    /// account's epoch is unchanged (a password reset, role or scope change or disable moves it).
    pub const SESSION_EPOCH: &str = "session_epoch";
}
