//! Queries on the reference tables loaded from `seed/`.

use crate::api::{AdoptionFigure, BenchmarkRow, BenchmarkTable, Vendor};
use sqlx::SqlitePool;

#[derive(sqlx::FromRow)]
struct VendorRow {
    code: String,
    name: String,
    supports_hospital: Option<bool>,
    supports_clinic: Option<bool>,
    note: Option<String>,
    source: String,
}

/// Every vendor, by name.
pub async fn vendors(pool: &SqlitePool) -> sqlx::Result<Vec<Vendor>> {
    let rows: Vec<VendorRow> = sqlx::query_as(
        "SELECT code, name, supports_hospital, supports_clinic, note, source FROM vendors WHERE reviewed = 1 ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Vendor {
            code: r.code,
            name: r.name,
            supports_hospital: r.supports_hospital,
            supports_clinic: r.supports_clinic,
            note: r.note,
            source: r.source,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct FigureRow {
    series: String,
    as_of: String,
    source: String,
    facility_type: String,
    prefecture: String,
    metric: String,
    value: i64,
}

/// Every published adoption figure, newest first.
pub async fn adoption_figures(pool: &SqlitePool) -> sqlx::Result<Vec<AdoptionFigure>> {
    figures(pool, "").await
}

/// The figures of the newest national series only (the home page's table): the
/// series `adoption_figures` lists first among the national ones.
pub async fn newest_national_figures(pool: &SqlitePool) -> sqlx::Result<Vec<AdoptionFigure>> {
    figures(
        pool,
        "WHERE prefecture = '' AND (as_of, series) =
           (SELECT as_of, series FROM adoption_stats WHERE prefecture = '' ORDER BY as_of DESC, series LIMIT 1)",
    )
    .await
}

async fn figures(pool: &SqlitePool, filter: &str) -> sqlx::Result<Vec<AdoptionFigure>> {
    let sql = format!(
        "SELECT series, as_of, source, facility_type, prefecture, metric, value
         FROM adoption_stats {filter} ORDER BY as_of DESC, series, prefecture, facility_type, metric"
    );
    let rows: Vec<FigureRow> = sqlx::query_as(&sql).fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| AdoptionFigure {
            series: r.series,
            as_of: r.as_of,
            source: r.source,
            facility_type: r.facility_type,
            prefecture: r.prefecture,
            metric: r.metric,
            value: r.value,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct TableRow {
    id: String,
    title_ja: String,
    source: String,
    unit: String,
    verified: bool,
    note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RowRow {
    table_id: String,
    key: String,
    label_ja: String,
    category: Option<String>,
    min: Option<String>,
    mean: Option<String>,
    max: Option<String>,
    value: Option<String>,
    note: Option<String>,
}

/// Every benchmark table with its rows, in seed order.
pub async fn benchmark_tables(pool: &SqlitePool) -> sqlx::Result<Vec<BenchmarkTable>> {
    let tables: Vec<TableRow> =
        sqlx::query_as("SELECT id, title_ja, source, unit, verified, note FROM benchmark_tables ORDER BY rowid")
            .fetch_all(pool)
            .await?;
    let rows: Vec<RowRow> = sqlx::query_as(
        "SELECT table_id, key, label_ja, category, min, mean, max, value, note
         FROM benchmark_rows ORDER BY table_id, position",
    )
    .fetch_all(pool)
    .await?;
    Ok(tables
        .into_iter()
        .map(|t| BenchmarkTable {
            rows: rows
                .iter()
                .filter(|r| r.table_id == t.id)
                .map(|r| BenchmarkRow {
                    key: r.key.clone(),
                    label_ja: r.label_ja.clone(),
                    category: r.category.clone(),
                    min: r.min.clone(),
                    mean: r.mean.clone(),
                    max: r.max.clone(),
                    value: r.value.clone(),
                    note: r.note.clone(),
                })
                .collect(),
            id: t.id,
            title_ja: t.title_ja,
            source: t.source,
            unit: t.unit,
            verified: t.verified,
            note: t.note,
        })
        .collect())
}
