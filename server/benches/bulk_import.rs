//! National-scale import (issue 9): `onshi seed-national` against the sqlite3 CLI importing the same rows.
//!
//! `cargo bench -p server --bench bulk_import` (release build). Facilities:
//! `ONSHI_BENCH_FACILITIES` (default 230,000), one quote of ten lines each.
//!
//! (a) times `server::seed::national::seed` — generating and inserting every
//!     row — into a fresh database that is migrated and has its reference data.
//! (b) exports every table (a) wrote to CSV, then times `sqlite3`
//!     (`ONSHI_SQLITE3`, default `/usr/bin/sqlite3`) importing the files into a
//!     fresh database with the same schema (made by the same migrations): each
//!     file is `.import --csv --skip 1`ed into an untyped staging table and
//!     copied with `INSERT … SELECT`, turning empty fields back into NULL —
//!     `.import` straight into the STRICT tables cannot, since CSV has no NULL
//!     and '' is refused by INTEGER columns and CHECKs.
//! (c) for reference, the bare `.import` of the same files into new untyped
//!     tables (no types, constraints or indexes).
//!
//! Both (a) and (b) run with foreign keys on, WAL, `synchronous = NORMAL` and a
//! 64 MiB page cache, in one process each. The ratio (a) / (b) is the figure
//! of BENCHMARKS.md (goal ≤ 2×).

use server::seed::national::{Options, seed};
use server::startup::{DemoChoice, prepare_database};
use sqlx::SqlitePool;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every table `seed-national` writes, parents first (the audit-log rows are left out: its
/// triggers refuse explicit ids, and a run writes one row per batch).
const TABLES: [&str; 11] = server::seed::national::TABLES_WRITTEN;

const SETTINGS: &str = ".timeout 10000\nPRAGMA foreign_keys = ON;\nPRAGMA synchronous = NORMAL;\nPRAGMA cache_size = -65536;\nPRAGMA temp_store = MEMORY;\n";

fn sqlite3() -> String {
    std::env::var("ONSHI_SQLITE3").unwrap_or_else(|_| "/usr/bin/sqlite3".to_owned())
}

/// Runs the sqlite3 CLI on `db` with `script` on stdin; returns the wall time.
fn run_sqlite3(db: &Path, script: &str) -> Duration {
    use std::io::Write;
    let start = Instant::now();
    let mut child = Command::new(sqlite3())
        .arg("-bail")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sqlite3");
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write script");
    let out = child.wait_with_output().expect("sqlite3 runs");
    let elapsed = start.elapsed();
    assert!(out.status.success(), "sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr));
    elapsed
}

/// Writes `table` of `db` to `dir/table.csv` with a header line.
fn export(db: &Path, table: &str, dir: &Path) -> PathBuf {
    let path = dir.join(format!("{table}.csv"));
    let file = std::fs::File::create(&path).expect("csv file");
    let status = Command::new(sqlite3())
        .args(["-csv", "-header"])
        .arg(db)
        .arg(format!("SELECT * FROM {table} ORDER BY rowid"))
        .stdout(file)
        .status()
        .expect("sqlite3 export");
    assert!(status.success(), "export of {table}");
    path
}

/// (column, nullable) of a table, in order.
async fn columns(pool: &SqlitePool, table: &str) -> Vec<(String, bool)> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as(&format!("SELECT name, \"notnull\" FROM pragma_table_info('{table}')"))
            .fetch_all(pool)
            .await
            .expect("table_info");
    rows.into_iter().map(|(name, notnull)| (name, notnull == 0)).collect()
}

async fn counts(pool: &SqlitePool) -> Vec<i64> {
    let mut all = Vec::new();
    for t in TABLES {
        all.push(sqlx::query_scalar(&format!("SELECT count(*) FROM {t}")).fetch_one(pool).await.expect("count"));
    }
    all
}

async fn line_total(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT sum(CAST(amount AS INTEGER)) FROM quote_lines").fetch_one(pool).await.expect("sum")
}

fn main() {
    let facilities: u32 = std::env::var("ONSHI_BENCH_FACILITIES")
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(230_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");

    // (a) seed-national into a fresh database.
    let a = dir.path().join("a.sqlite");
    let prepared = rt.block_on(prepare_database(&a, DemoChoice::Undecided)).expect("database a");
    let options = Options { facilities, quotes_per_facility: 1, lines_per_quote: 10, ..Options::new(facilities) };
    let start = Instant::now();
    let summary = rt.block_on(seed(&prepared.pool, &options, |p| eprintln!("{p}"))).expect("seed-national");
    let seed_time = start.elapsed();
    let a_counts = rt.block_on(counts(&prepared.pool));
    let a_total = rt.block_on(line_total(&prepared.pool));
    rt.block_on(prepared.pool.close());

    // The same rows as CSV (not timed).
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir_all(&csv_dir).expect("csv dir");
    let files: Vec<PathBuf> = TABLES.iter().map(|t| export(&a, t, &csv_dir)).collect();
    let csv_bytes: u64 = files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum();

    // (b) sqlite3 into a fresh database with the same schema and reference data.
    let b = dir.path().join("b.sqlite");
    let prepared = rt.block_on(prepare_database(&b, DemoChoice::Undecided)).expect("database b");
    let mut script = String::from(SETTINGS);
    script.push_str("BEGIN;\n");
    for (table, file) in TABLES.iter().zip(&files) {
        let cols = rt.block_on(columns(&prepared.pool, table));
        let names: Vec<String> = cols.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        let values: Vec<String> = cols
            .iter()
            .map(|(n, nullable)| if *nullable { format!("NULLIF(\"{n}\", '')") } else { format!("\"{n}\"") })
            .collect();
        let _ = writeln!(script, "CREATE TEMP TABLE s_{table} ({});", names.join(", "));
        let _ = writeln!(script, ".import --csv --skip 1 --schema temp {} s_{table}", file.display());
        let _ = writeln!(
            script,
            "INSERT INTO main.{table} ({}) SELECT {} FROM temp.s_{table};\nDROP TABLE temp.s_{table};",
            names.join(", "),
            values.join(", ")
        );
    }
    script.push_str("COMMIT;\n");
    rt.block_on(prepared.pool.close());
    // sqlx closes its connections on their worker threads: wait (untimed) until the file is free.
    let wait = run_sqlite3(&b, ".timeout 10000\nBEGIN IMMEDIATE;\nCOMMIT;\n");
    eprintln!("(b) database free after {:.2} s", wait.as_secs_f64());
    let import_time = run_sqlite3(&b, &script);
    let pool = rt.block_on(prepare_database(&b, DemoChoice::Undecided)).expect("database b again").pool;
    assert_eq!(rt.block_on(counts(&pool)), a_counts, "sqlite3 imported the same rows");
    assert_eq!(rt.block_on(line_total(&pool)), a_total, "and the same amounts");
    rt.block_on(pool.close());

    // (c) the bare .import, for reference.
    let c = dir.path().join("c.sqlite");
    let mut bare = String::from(SETTINGS);
    for (table, file) in TABLES.iter().zip(&files) {
        let _ = writeln!(bare, ".import --csv {} {table}", file.display());
    }
    let bare_time = run_sqlite3(&c, &bare);

    let rows: i64 = a_counts.iter().sum();
    println!(
        "bulk_import: {facilities} facilities × 1 quote × 10 lines: {} quote lines, {rows} rows in {} tables, {:.0} MB of CSV",
        summary.quote_lines,
        TABLES.len(),
        csv_bytes as f64 / 1e6
    );
    println!("(a) seed-national (generate + insert):                    {:>8.2} s", seed_time.as_secs_f64());
    println!("(b) sqlite3 .import → staging → INSERT…SELECT, same schema: {:>8.2} s", import_time.as_secs_f64());
    println!("(c) sqlite3 bare .import into untyped new tables:          {:>8.2} s", bare_time.as_secs_f64());
    println!(
        "ratio (a) / (b): {:.2}×   (a) / (c): {:.2}×   (goal (a) / (b) ≤ 2×)",
        seed_time.as_secs_f64() / import_time.as_secs_f64(),
        seed_time.as_secs_f64() / bare_time.as_secs_f64()
    );
}
