//! `onshi seed-national`: fills a database with national-scale synthetic data — facilities, reader applications, progress and timelines, confirmed quotes, complaints — shaped by the published figures.
//!
//! What follows the seeds and what is assumed:
//!
//! * **Types and prefectures**: the national totals per type of seeds/002
//!   (`adoption_stats`, series `mhlw_2022_05_01`) scaled to `--facilities`;
//!   福岡県 gets its published share (seeds/004, the only prefecture the seeds
//!   give totals for) and the other 46 prefectures share the rest evenly —
//!   the seeds publish no other prefecture's totals (`plan.rs`). A tenth of the
//!   pharmacies are 大型チェーン薬局 in synthetic chains (assumption,
//!   `plan::LARGE_CHAIN_PER_MILLE`).
//! * **Codes**: valid 医療機関コード (prefecture, 点数表, 郡市区番号 01–30,
//!   機関番号, the check digit of its prefecture's rule), unique, never one already in the database
//!   or in `seed/demo.json` (so demo data loaded later cannot collide).
//! * **Stages** per type as of 2022-05-01 (申込 / 準備完了 / 運用開始 of seeds/002),
//!   with dates: reader applications 2021-01 … 2022-12 (… 2022-06 for
//!   facilities already ready), vendor contract 2 weeks to 4 months later,
//!   work after the readers' ~4-month delivery (seeds/002), completion, then
//!   運用開始. 40 % of stuck facilities record a blocker of seeds/002's survey,
//!   weighted by its percentages.
//! * **Quotes**: `--quotes-per-facility` confirmed quotes of
//!   `--lines-per-quote` lines in the categories of domain.md, priced in the
//!   lower part of the audit's ranges (`benchmark_rows`, `audit_price_ranges`),
//!   so an ordinary clinic quote comes to about the 基準とする事業額 (429,000円);
//!   12.5 % are padded (a free reader or app charged, a terminal at 3–6× the
//!   ceiling, a 一式 lump sum, five years of maintenance, a total just under
//!   the cap). Descriptions read as their category to the audit's classifier.
//! * **交付申請**: a facility that started operating applies for the subsidy now and
//!   then (`generate.rs`); its first quote is then paid on the completion day and
//!   its package prepared by the rules from its own facts and lines, as a
//!   manager's would be; 1 in 10 is a draft, 3 in 10 submitted, 6 in 10 paid in
//!   full (assumption: no seed counts them; `subsidy.rs`).
//! * **Complaints**: about 1 % of facilities, most about a padded quote, with
//!   a history of moves the complaint rules allow. Each is filed by a
//!   synthetic clinic manager of that facility; reviewers (one per association
//!   and prefecture) and one auditor move them. All synthetic accounts are
//!   disabled, have no usable password and e-mails under `.invalid`. No
//!   notifications are created.
//!
//! Deterministic: the same options on the same starting database give the same
//! rows (ids included), except the `created_at`/`updated_at`/`recorded_at`
//! stamps, which say when rows were written, and the audit-log rows.
//!
//! Written a batch per transaction (`--batch-size`, default 5,000 facilities)
//! with multi-row inserts; a failing batch rolls back whole, and the error says
//! how many facilities the committed batches hold.

mod context;
mod generate;
mod plan;
mod rng;
mod subsidy;
mod text;
pub(crate) mod totals;
mod write;

use crate::config::SeedNationalArgs;
use crate::error::StartError;
use crate::startup::{DemoChoice, prepare_database};
use rules::FacilityType;
use sqlx::{Connection, SqliteConnection, SqlitePool};
use std::collections::HashSet;
use std::fmt;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub use plan::{FUKUOKA_SERIES, NATIONAL_SERIES};

/// Every table a run writes rows to, parents first (besides one audit-log row per batch).
pub const TABLES_WRITTEN: [&str; 11] = [
    "corporations",
    "facilities",
    "users",
    "reader_applications",
    "facility_progress",
    "stage_events",
    "quotes",
    "quote_lines",
    "complaints",
    "complaint_events",
    "subsidy_applications",
];

/// Facilities one run may create at most (the country has about 230,000).
pub const MAX_FACILITIES: u32 = 1_000_000;
/// Quotes per facility at most.
pub const MAX_QUOTES_PER_FACILITY: u32 = 20;
/// Lines per quote at most.
pub const MAX_LINES_PER_QUOTE: u32 = 200;
/// Facilities per transaction unless told otherwise.
pub const DEFAULT_BATCH_SIZE: u32 = 5_000;

/// Demo data's facility codes are reserved even when demo data is not (yet) loaded.
const DEMO: &str = include_str!("../../../../seed/demo.json");

/// What to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Facilities.
    pub facilities: u32,
    /// Confirmed quotes per facility.
    pub quotes_per_facility: u32,
    /// Lines per quote.
    pub lines_per_quote: u32,
    /// The random seed.
    pub seed: u64,
    /// Facilities per transaction.
    pub batch_size: u32,
}

impl Options {
    /// `facilities` facilities with one quote of ten lines each, seed 1.
    pub fn new(facilities: u32) -> Self {
        Options { facilities, quotes_per_facility: 1, lines_per_quote: 10, seed: 1, batch_size: DEFAULT_BATCH_SIZE }
    }

    fn check(&self) -> Result<(), SeedError> {
        let bad = |what: String| Err(SeedError::InvalidOptions(what));
        if !(1..=MAX_FACILITIES).contains(&self.facilities) {
            return bad(format!("--facilities must be 1–{MAX_FACILITIES} (was {})", self.facilities));
        }
        if self.quotes_per_facility > MAX_QUOTES_PER_FACILITY {
            return bad(format!("--quotes-per-facility must be 0–{MAX_QUOTES_PER_FACILITY}"));
        }
        if !(1..=MAX_LINES_PER_QUOTE).contains(&self.lines_per_quote) {
            return bad(format!("--lines-per-quote must be 1–{MAX_LINES_PER_QUOTE}"));
        }
        if self.batch_size == 0 {
            return bad("--batch-size must be at least 1".to_owned());
        }
        Ok(())
    }
}

impl From<&SeedNationalArgs> for Options {
    fn from(a: &SeedNationalArgs) -> Self {
        Options {
            facilities: a.facilities,
            quotes_per_facility: a.quotes_per_facility,
            lines_per_quote: a.lines_per_quote,
            seed: a.seed,
            batch_size: a.batch_size,
        }
    }
}

/// How far a run is, after each committed batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Facilities committed.
    pub done: u64,
    /// Facilities to create.
    pub total: u64,
    /// Since the run started.
    pub elapsed: Duration,
}

/// 1234567 → "1,234,567".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.elapsed.as_secs_f64();
        let percent = if self.total == 0 { 100.0 } else { self.done as f64 * 100.0 / self.total as f64 };
        let rate = if seconds > 0.0 { self.done as f64 / seconds } else { 0.0 };
        write!(
            f,
            "facilities {} / {} ({percent:.1} %), {seconds:.1} s, {} facilities/s",
            grouped(self.done),
            grouped(self.total),
            grouped(rate as u64)
        )
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Facilities per type, in [`FacilityType::ALL`] order.
    pub facilities_by_type: [u64; 5],
    /// Reader applications.
    pub reader_applications: u64,
    /// Stage events.
    pub stage_events: u64,
    /// Quotes.
    pub quotes: u64,
    /// Quote lines.
    pub quote_lines: u64,
    /// Complaints.
    pub complaints: u64,
    /// Synthetic accounts created for complaints (reviewers and the auditor not counted).
    pub users: u64,
    /// 交付申請 by status: draft, submitted, paid.
    pub subsidy_applications: [u64; 3],
    /// Random codes that were already taken (database or demo data) and skipped.
    pub taken_codes_skipped: u64,
    /// Id of the first and last facility created.
    pub facility_ids: Option<(i64, i64)>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Summary {
    /// Facilities of all types.
    pub fn facilities(&self) -> u64 {
        self.facilities_by_type.iter().sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "施設 / facilities: {}", grouped(self.facilities()))?;
        for (kind, n) in FacilityType::ALL.iter().zip(self.facilities_by_type) {
            writeln!(f, "  {} ({}): {}", kind.label_ja(), kind.code(), grouped(n))?;
        }
        if let Some((first, last)) = self.facility_ids {
            writeln!(f, "  ids {first}–{last}")?;
        }
        writeln!(f, "カードリーダー申込 / reader applications: {}", grouped(self.reader_applications))?;
        writeln!(f, "導入状況の履歴 / stage events: {}", grouped(self.stage_events))?;
        writeln!(f, "見積 / quotes: {} ({} lines)", grouped(self.quotes), grouped(self.quote_lines))?;
        writeln!(
            f,
            "相談 / complaints: {} (filed by {} synthetic managers)",
            grouped(self.complaints),
            grouped(self.users)
        )?;
        let [draft, submitted, paid] = self.subsidy_applications;
        writeln!(
            f,
            "交付申請 / subsidy applications: {} (下書き draft {}, 提出済み submitted {}, 交付済み paid {})",
            grouped(draft + submitted + paid),
            grouped(draft),
            grouped(submitted),
            grouped(paid)
        )?;
        writeln!(f, "使用済みのため飛ばしたコード / taken codes skipped: {}", grouped(self.taken_codes_skipped))?;
        write!(f, "{:.1} s", self.elapsed.as_secs_f64())
    }
}

/// Why a run stopped; each message says what to check.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// An option is out of range.
    #[error("{0}")]
    InvalidOptions(String),
    /// The database could not be opened, migrated or given its reference data.
    #[error(transparent)]
    Start(#[from] StartError),
    /// A published figure the run follows is not in `adoption_stats`.
    #[error(
        "公表値 {series}/{facility_type}/{metric}（都道府県 {prefecture:?}）が adoption_stats にありません / published figure missing from adoption_stats: series {series}, type {facility_type}, prefecture {prefecture:?}, metric {metric} (seed/adoption_stats.json loads it at start-up)"
    )]
    MissingFigure {
        /// Series.
        series: &'static str,
        /// Facility type code or `all`.
        facility_type: &'static str,
        /// Prefecture code or '' (national).
        prefecture: &'static str,
        /// Metric.
        metric: &'static str,
    },
    /// The published figures do not nest.
    #[error("published figures are inconsistent: {0}")]
    InconsistentFigures(String),
    /// A benchmark row the quotes are priced from is missing.
    #[error("benchmark {table}/{key} is missing or not whole yen (seed/benchmarks.json loads it at start-up)")]
    MissingBenchmark {
        /// benchmark_rows.table_id.
        table: &'static str,
        /// benchmark_rows.key.
        key: String,
    },
    /// No vendor serves hospitals, or none serves clinics.
    #[error("the vendors table has no vendor for hospitals or none for clinics (seed/vendors.json)")]
    NoVendors,
    /// No reader maker.
    #[error("the reader_makers table is empty (seed/reader_makers.json)")]
    NoReaderMakers,
    /// Every code of a prefecture and 点数表 is taken.
    #[error("no free facility code left for prefecture {prefecture:02}, 点数表 {digit}")]
    CodesExhausted {
        /// JIS number.
        prefecture: u8,
        /// 点数表番号.
        digit: u8,
    },
    /// Reading reference data or preparing the shared rows failed; nothing was written.
    #[error("preparing the run failed (nothing written): {0}")]
    Setup(sqlx::Error),
    /// A batch failed and was rolled back; the batches before it stay.
    #[error(
        "施設 {done} / {total} 件まで書き込み済みです。施設 {first}–{last} のバッチは失敗し、取り消しました / facilities {done} / {total} committed; the batch of facilities {first}–{last} failed and was rolled back: {source}"
    )]
    Batch {
        /// Facilities committed before.
        done: u64,
        /// Facilities asked for.
        total: u64,
        /// First facility (1-based, in the run) of the failed batch.
        first: u64,
        /// Last facility of the failed batch.
        last: u64,
        /// The database error.
        source: sqlx::Error,
    },
}

/// Codes already taken: the database's and demo data's.
async fn taken_codes(conn: &mut SqliteConnection) -> Result<HashSet<u64>, SeedError> {
    let existing: Vec<String> = sqlx::query_scalar("SELECT facility_code FROM facilities")
        .fetch_all(&mut *conn)
        .await
        .map_err(SeedError::Setup)?;
    let demo: serde_json::Value = serde_json::from_str(DEMO).unwrap_or_default();
    let demo_codes = demo["facilities"].as_array().into_iter().flatten().filter_map(|f| f["code"].as_str());
    Ok(existing.iter().map(String::as_str).chain(demo_codes).filter_map(|c| c.parse::<u64>().ok()).collect())
}

/// Page cache of the connection during a run, in KiB: 64 MiB, so the indexes
/// being filled stay in memory. With SQLite's default (2 MiB) 230,000
/// facilities took 21.0 s instead of 16.8 s (BENCHMARKS.md).
const RUN_CACHE_KIB: i64 = 65_536;

/// Creates the synthetic data in `pool`'s database (migrated, with reference
/// data), calling `progress` after every committed batch.
pub async fn seed(pool: &SqlitePool, options: &Options, progress: impl FnMut(&Progress)) -> Result<Summary, SeedError> {
    options.check()?;
    let mut conn = pool.acquire().await.map_err(SeedError::Setup)?;
    let default_cache: i64 =
        sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *conn).await.map_err(SeedError::Setup)?;
    sqlx::query(&format!("PRAGMA cache_size = -{RUN_CACHE_KIB}"))
        .execute(&mut *conn)
        .await
        .map_err(SeedError::Setup)?;
    let result = run(&mut conn, options, progress).await;
    // The connection goes back to the pool as it came.
    let _ = sqlx::query(&format!("PRAGMA cache_size = {default_cache}")).execute(&mut *conn).await;
    result
}

/// Writes a batch and its share of the dashboard totals (see [`totals`]).
async fn write_with_totals(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    ctx: &context::Context,
    batch: &generate::Batch,
) -> sqlx::Result<write::Written> {
    let suspended = totals::suspend(tx).await?;
    let written = write::batch(tx, ctx, batch).await?;
    totals::add_and_resume(tx, suspended, written.first_facility, written.last_facility).await?;
    Ok(written)
}

async fn run(
    conn: &mut SqliteConnection,
    options: &Options,
    mut progress: impl FnMut(&Progress),
) -> Result<Summary, SeedError> {
    let started = Instant::now();
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(SeedError::Setup)?;
    let ctx = context::load(&mut tx, options).await?;
    tx.commit().await.map_err(SeedError::Setup)?;
    let taken = taken_codes(conn).await?;
    let mut generator = generate::Generator::new(&ctx, taken);
    let total = generator.remaining() as u64;
    let mut summary = Summary::default();
    let mut done = 0u64;
    while generator.remaining() > 0 {
        let batch = generator.batch(&ctx, options.batch_size as usize)?;
        let n = batch.facilities.len() as u64;
        let failed = |source| SeedError::Batch { done, total, first: done + 1, last: done + n, source };
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(failed)?;
        let written = match write_with_totals(&mut tx, &ctx, &batch).await {
            Ok(w) => w,
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(failed(e));
            }
        };
        tx.commit().await.map_err(failed)?;
        done += n;
        for f in &batch.facilities {
            summary.facilities_by_type[plan::type_index(f.kind)] += 1;
        }
        summary.reader_applications += batch.applications.len() as u64;
        summary.stage_events += batch.events.len() as u64;
        summary.quotes += batch.quotes.len() as u64;
        summary.quote_lines += batch.lines.len() as u64;
        summary.complaints += batch.complaints.len() as u64;
        summary.users += batch.users.len() as u64;
        for a in &batch.subsidies {
            summary.subsidy_applications[a.status.index()] += 1;
        }
        let first = summary.facility_ids.map_or(written.first_facility, |(first, _)| first);
        summary.facility_ids = Some((first, written.last_facility));
        progress(&Progress { done, total, elapsed: started.elapsed() });
    }
    summary.taken_codes_skipped = generator.skipped_taken;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// `onshi seed-national`: prepares the database (migrations, reference data;
/// no demo decision), runs [`seed`] with progress on stderr, prints the summary.
///
/// Exit status: 0 done, 1 stopped (the message says how far it got).
pub fn main(args: &SeedNationalArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("onshi seed-national: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = Options::from(args);
    let result = runtime.block_on(async {
        options.check()?;
        let prepared = prepare_database(&args.db.db, DemoChoice::Undecided).await?;
        eprintln!(
            "onshi seed-national: {} facilities × {} quotes × {} lines into {} (seed {}, {} facilities a batch)",
            grouped(u64::from(options.facilities)),
            options.quotes_per_facility,
            options.lines_per_quote,
            args.db.db.display(),
            options.seed,
            grouped(u64::from(options.batch_size)),
        );
        let summary = seed(&prepared.pool, &options, |p| eprintln!("{p}")).await;
        prepared.pool.close().await;
        summary
    });
    match result {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("onshi seed-national: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(230_000), "230,000");
        assert_eq!(grouped(2_300_000), "2,300,000");
    }

    #[test]
    fn progress_reads_like_the_terminal_line() {
        let p = Progress { done: 50_000, total: 230_000, elapsed: Duration::from_secs(10) };
        assert_eq!(p.to_string(), "facilities 50,000 / 230,000 (21.7 %), 10.0 s, 5,000 facilities/s");
    }

    #[test]
    fn the_demo_codes_are_reserved() {
        let demo: serde_json::Value = serde_json::from_str(DEMO).unwrap();
        assert!(demo["facilities"].as_array().is_some_and(|f| f.len() > 20));
    }
}
