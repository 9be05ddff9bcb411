//! The benchmark tables as stored, for the audit (admins can change them).

use rules::audit::{BenchmarkRowData, Benchmarks};

/// The benchmark rows as stored, so admins' changes apply.
pub async fn stored(pool: &sqlx::SqlitePool) -> sqlx::Result<Benchmarks> {
    #[derive(sqlx::FromRow)]
    struct Row {
        table_id: String,
        source: String,
        verified: bool,
        key: String,
        label_ja: String,
        category: Option<String>,
        min: Option<String>,
        mean: Option<String>,
        max: Option<String>,
        value: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.table_id, t.source, t.verified, r.key, r.label_ja, r.category, r.min, r.mean, r.max, r.value
         FROM benchmark_rows r JOIN benchmark_tables t ON t.id = r.table_id
         ORDER BY r.table_id, r.position",
    )
    .fetch_all(pool)
    .await?;
    let rows: Vec<BenchmarkRowData> = rows
        .into_iter()
        .map(|r| BenchmarkRowData {
            table_id: r.table_id,
            table_source: r.source,
            table_verified: r.verified,
            key: r.key,
            label_ja: r.label_ja,
            category: r.category,
            min: r.min,
            mean: r.mean,
            max: r.max,
            value: r.value,
        })
        .collect();
    Ok(Benchmarks::from_rows(&rows))
}
