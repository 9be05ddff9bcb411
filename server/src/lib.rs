//! The Onshi server: configuration, SQLite, sessions, routes and the CLI.
//!
//! [`startup::Application`] builds the whole app on a listener, so the
//! integration tests start the real server on port 0 with a temporary database.

#![forbid(unsafe_code)]

/// The audit trail lives with the server functions that write it.
pub use app::ssr::audit_log;
pub mod application_package;
pub mod backup_command;
pub mod check_dates_command;
pub mod cli;
mod compression;
pub mod config;
pub mod dashboard_totals_command;
pub mod db;
pub mod db_lock;
pub mod error;
pub mod mail;
mod middleware;
pub mod pdf;
pub mod quote_audit;
pub mod reading;
pub mod registry_command;
mod request_guard;
mod routes;
pub mod second_factor_key;
pub mod seed;
mod session_cache;
pub mod startup;
pub mod subsidy_command;
pub mod telemetry;
pub mod user_command;
