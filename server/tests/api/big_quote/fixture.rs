//! The big quote of the tests and the benchmark: a confirmed quote whose lines are all
//! comparable and nearly all identical, beside a few peers.

use sqlx::SqlitePool;

/// Every 1,500th line of the big quote is priced far above the rest: an outlier among its peers.
pub const OUTLIER_EVERY: i64 = 1_500;

/// A confirmed quote of a 福岡県 hospital with `lines` routers, all at 20,000円 but every
/// [`OUTLIER_EVERY`]th at 90,000円 (the first among them), beside twenty other confirmed quotes
/// of the same hospital, one router each at 19,000–20,900円. Returns the big quote's id.
pub async fn insert_big_quote(pool: &SqlitePool, lines: i64) -> i64 {
    let facility: i64 =
        sqlx::query_scalar("SELECT id FROM facilities WHERE facility_type = 'hospital' AND prefecture = '40' LIMIT 1")
            .fetch_one(pool)
            .await
            .expect("a hospital in 福岡県");
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(pool).await.expect("vendor");
    let mut big = 0;
    for i in 0..=20 {
        let quote: i64 = sqlx::query_scalar(
            "INSERT INTO quotes (facility_id, vendor_id, file_name, confirmed) VALUES (?, ?, ?, 1) RETURNING id",
        )
        .bind(facility)
        .bind(vendor)
        .bind(format!("見積{i}.xlsx"))
        .fetch_one(pool)
        .await
        .expect("quote");
        // Twenty peers of one router each, then the big quote.
        let (count, price, outlier_every) =
            if i < 20 { (1, 19_000 + 100 * i, 0) } else { (lines, 20_000, OUTLIER_EVERY) };
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
             INSERT INTO quote_lines (quote_id, position, sheet_row, kind, description, category, quantity, unit,
                                      unit_price, amount, comparable_price)
             SELECT ?1, i, i + 5, 'item', 'ルーター', 'router', '1', '台', p, p, p
             FROM (SELECT i, CASE WHEN ?3 > 0 AND i % ?3 = 0 THEN '90000' ELSE ?4 END AS p FROM n)",
        )
        .bind(quote)
        .bind(count)
        .bind(outlier_every)
        .bind(price.to_string())
        .execute(pool)
        .await
        .expect("lines");
        big = quote;
    }
    big
}
