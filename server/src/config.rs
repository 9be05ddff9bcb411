//! Command-line and environment configuration, read once and typed.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Onshi — オンライン資格確認の導入・補助金・見積監査を支援するウェブアプリ。
#[derive(Debug, Parser)]
#[command(name = "onshi", version, about = "Onshi — オンライン資格確認の導入・補助金・見積監査 (online eligibility-check rollout: subsidies, quote audits)", long_about = None)]
pub struct Cli {
    /// What to do; without a subcommand, `serve`.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of `serve` when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (the default): migrate, load reference data, serve.
    Serve(ServeArgs),
    /// Create or upgrade the database and load reference data, then exit.
    Migrate(DbArgs),
}

/// Where the database lives.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// SQLite database file; created with its folder when missing.
    #[arg(long, env = "ONSHI_DB", default_value = "./data/onshi.sqlite")]
    pub db: PathBuf,
}

/// Options of the web server.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "ONSHI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Database location.
    #[command(flatten)]
    pub db: DbArgs,

    /// Do not load demo data into a new database.
    #[arg(long, env = "ONSHI_NO_DEMO")]
    pub no_demo: bool,

    /// Mark session cookies `Secure` (set when served over HTTPS).
    #[arg(long, env = "ONSHI_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Log format on stderr.
    #[arg(long, env = "ONSHI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line.
    Json,
}

/// The server's settings after parsing.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address.
    pub addr: SocketAddr,
    /// Database file.
    pub db_path: PathBuf,
    /// Load demo data into a new database.
    pub load_demo: bool,
    /// Password of the demo users (ONSHI_DEMO_PASSWORD); generated when None.
    pub demo_password: Option<String>,
    /// Secure cookies.
    pub secure_cookies: bool,
}

impl Settings {
    /// Settings from `serve` arguments and the environment.
    pub fn from_args(args: &ServeArgs) -> Self {
        Settings {
            addr: args.addr,
            db_path: args.db.db.clone(),
            load_demo: !args.no_demo,
            demo_password: std::env::var("ONSHI_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()),
            secure_cookies: args.secure_cookies,
        }
    }
}
