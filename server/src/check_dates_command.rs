//! `onshi check-dates`: every facility whose stored dates are in an impossible order (reader
//! application ≤ contract ≤ completion ≤ operation start, receipts not before the contract, the
//! 交付申請 after payment, completion and operation start; `rules::date_order`).
//!
//! The forms refuse such dates; data written before they did, or by hand, is found here: one
//! line per conflict, naming both dates.

use crate::config::CheckDatesArgs;
use app::ssr::db::dates::Conflicting;
use std::process::ExitCode;

const CANNOT_CHECK: u8 = 2;

/// Runs the command: exit 0 when no dates conflict, 1 when some do (listed), 2 when the
/// database cannot be read.
pub fn main(args: &CheckDatesArgs) -> ExitCode {
    let runtime = match crate::cli::runtime_for_existing("check-dates", &args.db.db) {
        Ok(rt) => rt,
        Err(e) => return e,
    };
    let found = runtime.block_on(async {
        let pool = crate::db::connect(&args.db.db).await.map_err(|e| e.to_string())?;
        crate::db::migrate(&pool).await.map_err(|e| e.to_string())?;
        let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
        let found =
            app::ssr::db::dates::conflicting(&mut conn).await.map_err(|e| format!("reading the dates failed: {e}"));
        drop(conn);
        pool.close().await;
        found
    });
    let facilities = match found {
        Ok(f) => f,
        Err(e) => {
            eprintln!("onshi check-dates: {e}");
            return ExitCode::from(CANNOT_CHECK);
        }
    };
    print!("{}", if args.csv { csv(&facilities) } else { lines(&facilities) });
    if facilities.is_empty() {
        eprintln!("日付の順序が合わない施設はありません。");
        eprintln!("no facility has dates out of order");
        ExitCode::SUCCESS
    } else {
        let conflicts: usize = facilities.iter().map(|f| f.conflicts.len()).sum();
        eprintln!("日付の順序が合わない施設が{}件あります（矛盾{}件）。", facilities.len(), conflicts);
        eprintln!("{} facilities have dates out of order ({conflicts} conflicts)", facilities.len());
        ExitCode::FAILURE
    }
}

/// One line per conflict: 医療機関コード, name and the conflict in Japanese, tab-separated.
fn lines(facilities: &[Conflicting]) -> String {
    let mut out = String::new();
    for f in facilities {
        for c in &f.conflicts {
            out.push_str(&format!("{}\t{}\t{c}\n", f.facility_code, f.name));
        }
    }
    out
}

/// The same as CSV for Excel (UTF-8 with a BOM), with both dates in their own columns.
fn csv(facilities: &[Conflicting]) -> String {
    use app::csv::{BOM, push_record};
    let mut out = BOM.to_owned();
    push_record(
        &mut out,
        ["医療機関コード", "施設名", "直す日付", "その日付", "より前にできない日付", "その日付", "内容"],
    );
    for f in facilities {
        for c in &f.conflicts {
            let (date, after_date) = (c.date.to_string(), c.after_date.to_string());
            let message = c.to_string();
            let fields =
                [&f.facility_code, &f.name, c.field.label_ja(), &date, c.after.label_ja(), &after_date, &message];
            push_record(&mut out, fields.map(|s: &str| s));
        }
    }
    out
}
