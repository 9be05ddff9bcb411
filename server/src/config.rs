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
    /// Calculate a facility's subsidy under the scheme that applies, with the reasons.
    Subsidy(SubsidyArgs),
    /// Audit a vendor's quote file (.xlsx/.xlsm/.xls/.ods/.csv) line by line.
    Audit(AuditArgs),
    /// Check the audit trail's hash chain (`audit-log verify`).
    #[command(subcommand)]
    AuditLog(AuditLogCommand),
    /// Check the dashboards' running totals against the raw rows, or rebuild them
    /// (`dashboard-totals check|rebuild`).
    #[command(subcommand)]
    DashboardTotals(DashboardTotalsCommand),
    /// Add a user account from the command line (`user add`: the first admin of a new database).
    User(UserArgs),
    /// Fill the database with national-scale synthetic data (facilities, progress, quotes, complaints); the same seed gives the same rows.
    ///
    /// Types follow the published national totals, Fukuoka its published share
    /// and the other prefectures the rest evenly; stages follow the published
    /// 申込 / 準備完了 / 運用開始 counts. Progress goes to stderr a batch at a time;
    /// a failing batch is rolled back and the message says how far the run got.
    ///
    /// Exit status: 0 done, 1 stopped (the batches before the failure stay).
    SeedNational(SeedNationalArgs),
    /// List every facility whose stored dates are in an impossible order: 医療機関コード, name and
    /// each conflict in Japanese naming both dates, one a line (tab-separated).
    ///
    /// The order: reader application ≤ vendor contract ≤ completion ≤ operation start; 機種選定
    /// not before the application; a receipt not before the contract; the 交付申請 after the
    /// payment, the completion and the operation start.
    ///
    /// Exit status: 0 no conflict (nothing on stdout), 1 some (listed), 2 the database cannot be read.
    CheckDates(CheckDatesArgs),
    /// Copy the database to FILE while the server runs (consistent: one snapshot), then check the copy.
    ///
    /// The copy is checked (integrity_check, foreign keys, the audit trail's hash chain)
    /// before it takes its name; an existing FILE is never overwritten.
    ///
    /// Exit status: 0 a checked backup, 1 none (the message says why).
    Backup(BackupArgs),
    /// Put a backup in place of the database; stop the server first.
    ///
    /// The backup is checked first; the database it replaces is kept beside it as
    /// NAME.before-restore-TIMESTAMP. The next `serve` migrates it if it is older.
    ///
    /// Exit status: 0 restored, 1 nothing changed (the message says why).
    Restore(RestoreArgs),
    /// The registry of insured facilities from the 地方厚生局's published lists
    /// (`registry import FILE...`, `registry lookup CODE`).
    #[command(subcommand)]
    Registry(RegistryCommand),
}

/// `onshi registry …`.
#[derive(Debug, Clone, Subcommand)]
pub enum RegistryCommand {
    /// Import the 地方厚生局's 「コード内容別医療機関一覧表」: workbooks as published (.xlsx,
    /// .xls), a .zip of them, or a CSV naming 医療機関コード, 名称, 郵便番号, 所在地, 電話番号,
    /// 施設区分 and 状態 in its header (UTF-8 or CP932).
    ///
    /// A newer list updates names and addresses, marks 休止, and marks facilities missing
    /// from it as gone (with the list's date); every change is kept as history and in the
    /// audit trail. Every refused row is listed with its reason.
    ///
    /// Exit status: 0 facilities were read and written, 1 none (every file or row refused;
    /// nothing changed).
    Import(RegistryImportArgs),
    /// Print the registry's description of one 医療機関コード.
    ///
    /// Exit status: 0 found, 1 unknown code, 2 no database there.
    Lookup(RegistryLookupArgs),
}

/// `onshi registry import FILE...`.
#[derive(Debug, Clone, Args)]
pub struct RegistryImportArgs {
    /// The lists: .xlsx, .xls, .zip or .csv files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the summary as JSON: {"read", "imported", "updated", "unchanged", "refused": [...]}.
    #[arg(long)]
    pub json: bool,
    /// The date of lists that do not give one (a CSV without a 時点 column): 2025-08-01 or
    /// 令和7年8月1日. A dated list marks the facilities it no longer names as gone.
    #[arg(long, value_parser = parse_day)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The database to write (created when missing).
    #[command(flatten)]
    pub db: DbArgs,
}

/// `onshi registry lookup CODE`.
#[derive(Debug, Clone, Args)]
pub struct RegistryLookupArgs {
    /// The 10-digit 医療機関コード.
    pub code: String,
    /// Print the facility as JSON.
    #[arg(long)]
    pub json: bool,
    /// The database to read.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `onshi check-dates`.
#[derive(Debug, Clone, Args)]
pub struct CheckDatesArgs {
    /// Write CSV for Excel (UTF-8 with a BOM) with both dates in their own columns.
    #[arg(long)]
    pub csv: bool,
    /// The database to check.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `onshi backup FILE`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Where to write the backup (a new file).
    pub file: PathBuf,
    /// The database to copy.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `onshi restore FILE`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The backup to restore (made by `onshi backup`).
    pub file: PathBuf,
    /// The database to replace.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `onshi seed-national`: how much synthetic data, from which seed.
#[derive(Debug, Clone, Args)]
pub struct SeedNationalArgs {
    /// Facilities to create (the published national total is 229,836).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::seed::national::MAX_FACILITIES)))]
    pub facilities: u32,
    /// Confirmed quotes per facility.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::seed::national::MAX_QUOTES_PER_FACILITY)))]
    pub quotes_per_facility: u32,
    /// Lines per quote.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::seed::national::MAX_LINES_PER_QUOTE)))]
    pub lines_per_quote: u32,
    /// Random seed: the same seed, arguments and starting database give the same rows.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Facilities per transaction.
    #[arg(long, default_value_t = crate::seed::national::DEFAULT_BATCH_SIZE, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch_size: u32,
    /// Database location; a missing file is created, migrated and given reference data. No demo data is
    /// loaded, and a later `serve` adds none either (the run creates accounts): run `serve` first for both.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `onshi user …`: accounts from the command line.
#[derive(Debug, Clone, Args)]
pub struct UserArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: UserCommand,
}

/// The `user` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is asked for twice, or read from the first line of stdin.
    ///
    /// Scope by role: clinic_manager needs --facility or --corporation; reviewer needs
    /// --association and --prefecture; auditor and admin are national and take neither.
    ///
    /// Exit status: 0 created, 1 invalid input (nothing written), 2 the database cannot be opened or written.
    Add(UserAddArgs),
}

/// `onshi user add`: one account with its role and scope.
#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    /// E-mail address: the login name.
    #[arg(long)]
    pub email: String,
    /// Role: clinic_manager, reviewer, auditor or admin.
    #[arg(long)]
    pub role: String,
    /// clinic_manager of one facility: its id or 10-digit 医療機関コード.
    #[arg(long, value_name = "ID|CODE")]
    pub facility: Option<String>,
    /// clinic_manager of a corporation: its id or code.
    #[arg(long, value_name = "ID|CODE")]
    pub corporation: Option<String>,
    /// reviewer: medical, dental or pharmaceutical (with --prefecture).
    #[arg(long)]
    pub association: Option<String>,
    /// reviewer: prefecture as JIS code (13) or name (東京都).
    #[arg(long)]
    pub prefecture: Option<String>,
    /// Display name (表示名); the part of the e-mail before @ when omitted.
    #[arg(long)]
    pub name: Option<String>,
    /// Database location; unlike `audit-log verify`, a missing file is created (bootstrap).
    #[command(flatten)]
    pub db: DbArgs,
}

/// `onshi audit-log …`: the tamper-evident audit trail.
#[derive(Debug, Clone, Subcommand)]
pub enum AuditLogCommand {
    /// Recompute every row's hash and link, and name the first broken row.
    ///
    /// Exit status: 0 intact, 1 broken (the row is named), 2 the log cannot be checked.
    Verify(DbArgs),
}

/// `onshi dashboard-totals …`: the running totals the dashboards read (migrations
/// 20261122000008 and 20261122000010), kept by triggers.
#[derive(Debug, Clone, Subcommand)]
pub enum DashboardTotalsCommand {
    /// Recompute the totals from the raw rows and list every row that differs.
    ///
    /// Exit status: 0 they agree, 1 they differ (the rows are listed), 2 cannot check.
    Check(DbArgs),
    /// Recompute the totals from the raw rows and store them, in one transaction (for a
    /// database written with the triggers dropped); run it with the server stopped or not.
    ///
    /// Exit status: 0 rebuilt and checked, 1 nothing changed (the message says why), 2 no
    /// database there.
    Rebuild(DbArgs),
}

/// `onshi audit FILE`: what the quote's lines are, what is eligible, what is flagged.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// The quote file as the vendor sent it.
    pub file: PathBuf,
    /// Facility type: hospital, medical_clinic, dental_clinic, pharmacy, large_chain_pharmacy.
    #[arg(long, value_parser = parse_facility_type)]
    pub facility_type: rules::FacilityType,
    /// Readers applied for (hospital up to 3, others 1).
    #[arg(long, default_value_t = 1)]
    pub readers: u8,
    /// Reader application date (western or 和暦); without it the scheme that needs none is
    /// assumed, and the output says so and what the dates would give.
    #[arg(long, value_parser = parse_day)]
    pub reader_applied_on: Option<chrono::NaiveDate>,
    /// The facility's other facts, as `onshi subsidy` takes them.
    #[command(flatten)]
    pub facts: FactsArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// A facility's facts besides its type, readers and reader application date, for
/// `onshi subsidy` and `onshi audit`. Dates may be western (2021-03-31) or 和暦.
#[derive(Debug, Clone, Default, Args)]
pub struct FactsArgs {
    /// The reader was applied for as 機種未定.
    #[arg(long)]
    pub model_undecided: bool,
    /// Date the model was chosen (機種未定).
    #[arg(long, value_parser = parse_day)]
    pub model_chosen_on: Option<chrono::NaiveDate>,
    /// Date a 一括申請 declaration was filed.
    #[arg(long, value_parser = parse_day)]
    pub bulk_declared_on: Option<chrono::NaiveDate>,
    /// Vendor contract date.
    #[arg(long, value_parser = parse_day)]
    pub vendor_contract_on: Option<chrono::NaiveDate>,
    /// 導入完了 date.
    #[arg(long, value_parser = parse_day)]
    pub completed_on: Option<chrono::NaiveDate>,
    /// 運用開始 date.
    #[arg(long, value_parser = parse_day)]
    pub operation_started_on: Option<chrono::NaiveDate>,
    /// Accepted 猶予届出 type, 1–6.
    #[arg(long, value_parser = parse_grace_type)]
    pub grace_type: Option<rules::GraceType>,
}

impl FactsArgs {
    /// The facts of a facility of `facility_type` with `readers` readers applied for on
    /// `reader_applied_on`, and these (a 猶予届出 given here counts as accepted).
    pub fn provisioning(
        &self,
        facility_type: rules::FacilityType,
        readers: u8,
        reader_applied_on: Option<chrono::NaiveDate>,
    ) -> rules::provisioning::ProvisioningFacts {
        rules::provisioning::ProvisioningFacts {
            readers,
            reader_applied_on,
            model_undecided: self.model_undecided,
            model_chosen_on: self.model_chosen_on,
            bulk_declared_on: self.bulk_declared_on,
            vendor_contract_on: self.vendor_contract_on,
            completed_on: self.completed_on,
            operation_started_on: self.operation_started_on,
            grace: self.grace_type.map(|kind| rules::provisioning::Grace { kind, accepted: true, until: None }),
            ..rules::provisioning::ProvisioningFacts::new(facility_type, true)
        }
    }
}

/// Facts of one facility for `onshi subsidy`. Dates may be western
/// (2021-03-31) or 和暦 (令和3年3月31日); amounts may carry commas, 円 or 万円.
#[derive(Debug, Clone, Args)]
pub struct SubsidyArgs {
    /// Facility type: hospital, medical_clinic, dental_clinic, pharmacy, large_chain_pharmacy.
    #[arg(long, value_parser = parse_facility_type)]
    pub facility_type: rules::FacilityType,
    /// Readers applied for (hospital up to 3, others 1).
    #[arg(long)]
    pub readers: u8,
    /// Reader application date; leave out when not applied yet (the assumption and what each
    /// application window would give are printed).
    #[arg(long, value_parser = parse_day)]
    pub reader_applied_on: Option<chrono::NaiveDate>,
    /// Eligible cost in yen, tax included.
    #[arg(long, value_parser = parse_yen, allow_hyphen_values = true)]
    pub eligible_cost: rules::Yen,
    /// Costs the subsidy does not cover (maintenance, line fees…) in yen, tax included: they
    /// count in the 自己負担.
    #[arg(long, default_value = "0", value_parser = parse_not_covered, allow_hyphen_values = true)]
    pub not_covered: rules::Yen,
    /// The facility's other facts.
    #[command(flatten)]
    pub facts: FactsArgs,
    /// Programme: standard, home_visit_consent, workplace_clinic, eligibility_check_only.
    #[arg(long, default_value = "standard", value_parser = parse_programme)]
    pub programme: rules::scheme::Programme,
    /// Also show the subsidy had the reader been applied for on this date.
    #[arg(long, value_parser = parse_day)]
    pub what_if_applied_on: Option<chrono::NaiveDate>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    rules::parse_date(s).map_err(|e| e.to_string())
}

fn parse_yen(s: &str) -> Result<rules::Yen, String> {
    rules::Yen::parse(s).map_err(|e| e.to_string())
}

fn parse_not_covered(s: &str) -> Result<rules::Yen, String> {
    match parse_yen(s)? {
        y if y.is_negative() => Err(format!("補助対象外の費用がマイナスです（{y}）。0円以上の金額を指定してください")),
        y => Ok(y),
    }
}

fn parse_facility_type(s: &str) -> Result<rules::FacilityType, String> {
    s.parse().map_err(|e: rules::UnknownFacilityType| e.to_string())
}

fn parse_grace_type(s: &str) -> Result<rules::GraceType, String> {
    s.parse().map_err(|e: rules::InvalidGraceType| e.to_string())
}

fn parse_programme(s: &str) -> Result<rules::scheme::Programme, String> {
    s.parse().map_err(|e: rules::scheme::UnknownProgramme| e.to_string())
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
    #[arg(long, env = "ONSHI_NO_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_demo: bool,

    /// Load the demo accounts and facilities without their sample activity (quotes,
    /// progress, a complaint): a blank slate for demonstrations and tests.
    #[arg(long, env = "ONSHI_NO_DEMO_ACTIVITY", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_demo_activity: bool,

    /// Mark session cookies `Secure` (set when served over HTTPS).
    #[arg(long, env = "ONSHI_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// The address users open, e.g. `https://onshi.example.jp`: requests naming another
    /// host are refused, and forms must come from this scheme and host. Without it, a
    /// server on loopback answers its own address only.
    #[arg(long, env = "ONSHI_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Log format on stderr.
    #[arg(long, env = "ONSHI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Send e-mail (notifications, password-reset links) through this SMTP server:
    /// `smtp://host:25` (plain, a relay on the same host or network),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://host:465`.
    /// Without it nothing is mailed: notifications stay in the app and the password-reset page
    /// says to ask the admin.
    #[arg(long, env = "ONSHI_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of Onshi's e-mail.
    #[arg(long, env = "ONSHI_MAIL_FROM", default_value = "Onshi <noreply@onshi.invalid>")]
    pub mail_from: String,
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
    /// Replay the demo corporation's activity (seed/demo_activity.json) with the demo data.
    pub demo_activity: bool,
    /// Password of the demo users (ONSHI_DEMO_PASSWORD); generated when None.
    pub demo_password: Option<String>,
    /// Base32 TOTP secret of the demo reviewer, auditor and admin (ONSHI_DEMO_TOTP_SECRET);
    /// generated when None.
    pub demo_totp_secret: Option<String>,
    /// Secure cookies.
    pub secure_cookies: bool,
    /// The address users open (`--public-url`), if configured.
    pub public_url: Option<String>,
    /// A session ends after this much inactivity.
    pub session_idle: std::time::Duration,
    /// A session ends this long after sign-in, active or not.
    pub session_absolute: std::time::Duration,
    /// Longest an uploaded file may take to read ([`crate::reading::TIME_LIMIT`]).
    pub read_time_limit: std::time::Duration,
    /// A vendor league that took this long to compute is computed in the background after a
    /// change, the last one shown meanwhile ([`app::ssr::context::LeagueRefresh`]).
    pub league_inline: std::time::Duration,
    /// Compute the national vendor league (and the peer groups) in the background at start.
    pub warm_league: bool,
    /// How e-mail is sent; `None`: not at all.
    pub mail: Option<crate::mail::MailSettings>,
}

/// Idle timeout of a session: 30 minutes (OWASP ASVS 4.0 §3.3.2, level 2:
/// re-authentication after 12 hours or 30 minutes of inactivity).
pub const SESSION_IDLE: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Absolute lifetime of a session: 12 hours (OWASP ASVS 3.3.2, level 2).
pub const SESSION_ABSOLUTE: std::time::Duration = std::time::Duration::from_secs(12 * 60 * 60);

impl Settings {
    /// Settings from `serve` arguments and the environment.
    pub fn from_args(args: &ServeArgs) -> Self {
        Settings {
            addr: args.addr,
            db_path: args.db.db.clone(),
            load_demo: !args.no_demo,
            demo_activity: !args.no_demo_activity,
            demo_password: std::env::var("ONSHI_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()),
            demo_totp_secret: std::env::var("ONSHI_DEMO_TOTP_SECRET").ok().filter(|s| !s.trim().is_empty()),
            secure_cookies: args.secure_cookies,
            public_url: args.public_url.clone(),
            session_idle: SESSION_IDLE,
            session_absolute: SESSION_ABSOLUTE,
            read_time_limit: crate::reading::TIME_LIMIT,
            league_inline: app::ssr::context::LeagueRefresh::default().0,
            warm_league: true,
            mail: args
                .smtp_url
                .clone()
                .filter(|u| !u.trim().is_empty())
                .map(|smtp_url| crate::mail::MailSettings { smtp_url, from: args.mail_from.clone() }),
        }
    }
}
