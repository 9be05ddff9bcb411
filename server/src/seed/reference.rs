//! Reference data: prefectures, facility types, reader makers, vendors,
//! benchmark tables and published adoption figures.

use super::{invalid, parse};
use crate::error::StartError;
use rules::{FacilityType, Prefecture};
use rust_decimal::Decimal;
use serde::Deserialize;
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;

const READER_MAKERS: (&str, &str) = ("seed/reader_makers.json", include_str!("../../../seed/reader_makers.json"));
const VENDORS: (&str, &str) = ("seed/vendors.json", include_str!("../../../seed/vendors.json"));
const BENCHMARKS: (&str, &str) = ("seed/benchmarks.json", include_str!("../../../seed/benchmarks.json"));
const ADOPTION: (&str, &str) = ("seed/adoption_stats.json", include_str!("../../../seed/adoption_stats.json"));
const BLOCKERS: (&str, &str) = ("seed/blocker_reasons.json", include_str!("../../../seed/blocker_reasons.json"));

#[derive(Deserialize)]
struct BlockerFile {
    stages: Vec<BlockerStage>,
}

#[derive(Deserialize)]
struct BlockerStage {
    code: String,
    reasons: Vec<BlockerReason>,
}

#[derive(Deserialize)]
struct BlockerReason {
    rank: i64,
    code: String,
    label_ja: String,
    percent: Option<serde_json::Number>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReaderMaker {
    code: String,
    name: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorSeed {
    code: String,
    name: String,
    supports_hospital: Option<bool>,
    supports_clinic: Option<bool>,
    note: Option<String>,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchmarkFile {
    tables: Vec<BenchmarkTableSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchmarkTableSeed {
    id: String,
    title_ja: String,
    source: String,
    unit: String,
    verified: bool,
    note: Option<String>,
    rows: Vec<BenchmarkRowSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchmarkRowSeed {
    key: String,
    label_ja: String,
    category: Option<String>,
    min: Option<serde_json::Number>,
    mean: Option<serde_json::Number>,
    max: Option<serde_json::Number>,
    value: Option<serde_json::Number>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FigureSeed {
    series: String,
    as_of: String,
    source: String,
    facility_type: String,
    prefecture: Option<String>,
    metric: String,
    value: i64,
}

/// What the reference load wrote, for the start-up log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReferenceCounts {
    /// Prefectures.
    pub prefectures: usize,
    /// Reader makers.
    pub reader_makers: usize,
    /// Vendors.
    pub vendors: usize,
    /// Benchmark rows.
    pub benchmark_rows: usize,
    /// Adoption figures.
    pub adoption_figures: usize,
    /// Blocker reasons of seed 002.
    pub blocker_reasons: usize,
}

/// Upserts every reference table in one transaction; running it again changes nothing.
pub async fn load(pool: &SqlitePool) -> Result<ReferenceCounts, StartError> {
    let makers: Vec<ReaderMaker> = parse(READER_MAKERS.0, READER_MAKERS.1)?;
    let vendors: Vec<VendorSeed> = parse(VENDORS.0, VENDORS.1)?;
    let benchmarks: BenchmarkFile = parse(BENCHMARKS.0, BENCHMARKS.1)?;
    let figures: Vec<FigureSeed> = parse(ADOPTION.0, ADOPTION.1)?;
    let blockers: BlockerFile = parse(BLOCKERS.0, BLOCKERS.1)?;

    // The write lock first: a deferred transaction that reads, then writes, can meet SQLITE_BUSY at once.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut counts = ReferenceCounts::default();
    for p in Prefecture::all() {
        sqlx::query("INSERT INTO prefectures (code, name_ja) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET name_ja = excluded.name_ja")
            .bind(p.code())
            .bind(p.name_ja())
            .execute(&mut *tx)
            .await?;
        counts.prefectures += 1;
    }
    for t in FacilityType::ALL {
        sqlx::query(
            "INSERT INTO facility_types (code, name_ja, free_readers, fee_schedule_digit) VALUES (?, ?, ?, ?)
             ON CONFLICT (code) DO UPDATE SET name_ja = excluded.name_ja, free_readers = excluded.free_readers,
                 fee_schedule_digit = excluded.fee_schedule_digit",
        )
        .bind(t.code())
        .bind(t.label_ja())
        .bind(i64::from(t.free_readers()))
        .bind(i64::from(t.fee_schedule_digit()))
        .execute(&mut *tx)
        .await?;
    }
    for m in &makers {
        sqlx::query(
            "INSERT INTO reader_makers (code, name, source) VALUES (?, ?, ?)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, source = excluded.source",
        )
        .bind(&m.code)
        .bind(&m.name)
        .bind(&m.source)
        .execute(&mut *tx)
        .await?;
        counts.reader_makers += 1;
    }
    for v in &vendors {
        upsert_vendor(&mut tx, v).await?;
        counts.vendors += 1;
    }
    for table in &benchmarks.tables {
        counts.benchmark_rows += upsert_benchmark_table(&mut tx, table).await?;
    }
    for f in &figures {
        upsert_figure(&mut tx, f).await?;
        counts.adoption_figures += 1;
    }
    for stage in &blockers.stages {
        for r in &stage.reasons {
            sqlx::query(
                "INSERT INTO blocker_reasons (stage, code, rank, label_ja, percent) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (stage, code) DO UPDATE SET rank = excluded.rank, label_ja = excluded.label_ja,
                     percent = excluded.percent",
            )
            .bind(&stage.code)
            .bind(&r.code)
            .bind(r.rank)
            .bind(&r.label_ja)
            .bind(r.percent.as_ref().map(ToString::to_string))
            .execute(&mut *tx)
            .await?;
            counts.blocker_reasons += 1;
        }
    }
    tx.commit().await?;
    Ok(counts)
}

async fn upsert_vendor(tx: &mut Transaction<'_, Sqlite>, v: &VendorSeed) -> Result<(), StartError> {
    sqlx::query(
        "INSERT INTO vendors (code, name, supports_hospital, supports_clinic, note, source) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, supports_hospital = excluded.supports_hospital,
             supports_clinic = excluded.supports_clinic, note = excluded.note, source = excluded.source",
    )
    .bind(&v.code)
    .bind(super::printable_name(VENDORS.0, rules::printable_name::NameKind::Vendor, &v.name)?)
    .bind(v.supports_hospital)
    .bind(v.supports_clinic)
    .bind(&v.note)
    .bind(&v.source)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Exact decimal text of a JSON number, refusing anything that is not a plain decimal.
fn decimal_text(table: &str, key: &str, n: &Option<serde_json::Number>) -> Result<Option<String>, StartError> {
    n.as_ref()
        .map(|n| {
            let text = n.to_string();
            Decimal::from_str(&text)
                .map(|d| d.normalize().to_string())
                .map_err(|e| invalid(BENCHMARKS.0, format!("table {table}, row {key}: {text} is not a decimal: {e}")))
        })
        .transpose()
}

async fn upsert_benchmark_table(tx: &mut Transaction<'_, Sqlite>, t: &BenchmarkTableSeed) -> Result<usize, StartError> {
    sqlx::query(
        "INSERT INTO benchmark_tables (id, title_ja, source, unit, verified, note) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET title_ja = excluded.title_ja, source = excluded.source,
             unit = excluded.unit, verified = excluded.verified, note = excluded.note",
    )
    .bind(&t.id)
    .bind(&t.title_ja)
    .bind(&t.source)
    .bind(&t.unit)
    .bind(t.verified)
    .bind(&t.note)
    .execute(&mut **tx)
    .await?;
    for (position, r) in t.rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO benchmark_rows (table_id, key, position, label_ja, category, min, mean, max, value, note)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (table_id, key) DO UPDATE SET position = excluded.position, label_ja = excluded.label_ja,
                 category = excluded.category, min = excluded.min, mean = excluded.mean, max = excluded.max,
                 value = excluded.value, note = excluded.note",
        )
        .bind(&t.id)
        .bind(&r.key)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&r.label_ja)
        .bind(&r.category)
        .bind(decimal_text(&t.id, &r.key, &r.min)?)
        .bind(decimal_text(&t.id, &r.key, &r.mean)?)
        .bind(decimal_text(&t.id, &r.key, &r.max)?)
        .bind(decimal_text(&t.id, &r.key, &r.value)?)
        .bind(&r.note)
        .execute(&mut **tx)
        .await?;
    }
    Ok(t.rows.len())
}

async fn upsert_figure(tx: &mut Transaction<'_, Sqlite>, f: &FigureSeed) -> Result<(), StartError> {
    let prefecture = match &f.prefecture {
        Some(code) => {
            code.parse::<Prefecture>().map_err(|e| invalid(ADOPTION.0, format!("series {}: {e}", f.series)))?.code()
        }
        None => String::new(),
    };
    if f.facility_type != "all" && f.facility_type.parse::<FacilityType>().is_err() {
        return Err(invalid(ADOPTION.0, format!("series {}: unknown facility type {:?}", f.series, f.facility_type)));
    }
    if chrono::NaiveDate::parse_from_str(&f.as_of, "%Y-%m-%d").is_err() {
        return Err(invalid(ADOPTION.0, format!("series {}: as_of {:?} is not YYYY-MM-DD", f.series, f.as_of)));
    }
    sqlx::query(
        "INSERT INTO adoption_stats (series, as_of, source, facility_type, prefecture, metric, value)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (series, facility_type, prefecture, metric) DO UPDATE SET as_of = excluded.as_of,
             source = excluded.source, value = excluded.value",
    )
    .bind(&f.series)
    .bind(&f.as_of)
    .bind(&f.source)
    .bind(&f.facility_type)
    .bind(prefecture)
    .bind(&f.metric)
    .bind(f.value)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
