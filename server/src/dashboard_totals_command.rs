//! `onshi dashboard-totals check|rebuild`: the dashboards' running totals against the raw rows.
//!
//! The triggers of migrations 20261122000008 and 20261122000010 keep the totals on every
//! write; a write made with them dropped (a hand-run import, a restored partial copy) would
//! leave the dashboards wrong without a sign. `check` lists what differs; `rebuild`
//! recomputes everything from the raw rows in one transaction and checks it before the commit.

use crate::config::DashboardTotalsCommand;
use sqlx::SqlitePool;
use std::path::Path;
use std::process::ExitCode;

const CANNOT_CHECK: u8 = 2;

/// Runs the subcommand.
pub fn main(command: &DashboardTotalsCommand) -> ExitCode {
    let (name, db, rebuild) = match command {
        DashboardTotalsCommand::Check(args) => ("check", &args.db, false),
        DashboardTotalsCommand::Rebuild(args) => ("rebuild", &args.db, true),
    };
    let runtime = match crate::cli::runtime_for_existing(&format!("dashboard-totals {name}"), db) {
        Ok(rt) => rt,
        Err(e) => return e,
    };
    let outcome = runtime.block_on(async {
        let pool = open(db).await?;
        let result = if rebuild { rebuild_totals(&pool).await.map(|()| Vec::new()) } else { drift(&pool).await };
        pool.close().await;
        result
    });
    match (outcome, rebuild) {
        (Ok(_), true) => {
            println!("ダッシュボードの集計を元データから作り直しました（検査済み）。");
            println!("dashboard totals rebuilt from the raw rows and checked");
            ExitCode::SUCCESS
        }
        (Ok(rows), false) if rows.is_empty() => {
            println!("ダッシュボードの集計は元データと一致しています。");
            println!("dashboard totals agree with the raw rows");
            ExitCode::SUCCESS
        }
        (Ok(rows), false) => {
            println!(
                "ダッシュボードの集計が元データと{}か所で食い違っています（`onshi dashboard-totals rebuild` で作り直せます）:",
                rows.len()
            );
            println!("metric\tprefecture\ttype\tkey\tdetail\tmonth/day\tdifference");
            for (metric, prefecture, kind, key, detail, period, n) in &rows {
                println!("{metric}\t{prefecture}\t{kind}\t{key}\t{detail}\t{period}\t{n}");
            }
            ExitCode::FAILURE
        }
        (Err(e), true) => {
            eprintln!("onshi dashboard-totals rebuild: {e} — 何も変更していません / nothing changed");
            ExitCode::FAILURE
        }
        (Err(e), false) => {
            eprintln!("onshi dashboard-totals check: {e}");
            ExitCode::from(CANNOT_CHECK)
        }
    }
}

async fn open(db: &Path) -> Result<SqlitePool, String> {
    let pool = crate::db::connect(db).await.map_err(|e| e.to_string())?;
    crate::db::migrate(&pool).await.map_err(|e| e.to_string())?;
    Ok(pool)
}

type DriftRow = (String, String, String, String, String, String, i64);

async fn drift(pool: &SqlitePool) -> Result<Vec<DriftRow>, String> {
    app::ssr::db::dashboard::totals_drift(pool).await.map_err(|e| format!("reading the totals failed: {e}"))
}

/// Empties both totals and fills them again from the raw rows, the way `seed-national` adds a
/// batch's share (the triggers set aside for the transaction, every facility's share added in
/// a few statements), then checks, all in one transaction.
async fn rebuild_totals(pool: &SqlitePool) -> Result<(), String> {
    use crate::seed::national::totals::{add_and_resume, suspend};
    let failed = |e: sqlx::Error| format!("rebuilding the totals failed: {e}");
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(failed)?;
    let suspended = suspend(&mut tx).await.map_err(failed)?;
    for sql in ["DELETE FROM dashboard_totals", "DELETE FROM dashboard_line_days"] {
        sqlx::query(sql).execute(&mut *tx).await.map_err(failed)?;
    }
    add_and_resume(&mut tx, suspended, i64::MIN, i64::MAX).await.map_err(failed)?;
    let left = app::ssr::db::dashboard::totals_drift(&mut *tx).await.map_err(failed)?;
    if !left.is_empty() {
        return Err(format!("the rebuilt totals still differ in {} rows", left.len()));
    }
    tx.commit().await.map_err(failed)
}
