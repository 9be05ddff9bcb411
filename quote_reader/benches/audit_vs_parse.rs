//! The whole quote audit (read, classify, audit, subsidy) against calamine's
//! bare parse of the same .xlsx, on 100 and 10,000 item lines.
//!
//! `cargo bench -p quote_reader --bench audit_vs_parse` prints the median of
//! repeated runs and their ratio; the figures go in BENCHMARKS.md.

use calamine::{Reader, Xlsx};
use rules::audit::{AuditContext, BenchmarkRowData, Benchmarks, Peers, audit};
use rules::classify::Classifier;
use rules::scheme::Catalog;
use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `f` until at least `budget` has passed (and at least 5 times); the median run.
fn measure(budget: Duration, mut f: impl FnMut()) -> (Duration, usize) {
    f(); // warm-up
    let start = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < 5 || start.elapsed() < budget {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    let n = samples.len();
    (median(samples), n)
}

fn bare_parse(bytes: &[u8]) -> usize {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let mut cells = 0;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        cells += range.cells().count();
    }
    cells
}

fn main() {
    let rows = BenchmarkRowData::from_seed_json(include_str!("../../seed/benchmarks.json")).expect("seed benchmarks");
    let bench = Benchmarks::from_rows(&rows);
    let ctx = AuditContext::new(rules::FacilityType::Hospital, 1, None);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../benches/quotes/");
    println!("file | lines | calamine bare parse | read_quote only | whole audit | whole ÷ bare | runs");
    println!("---|---|---|---|---|---|---");
    for (file, budget) in [("quote_100_lines.xlsx", 2), ("quote_10000_lines.xlsx", 10)] {
        let bytes = std::fs::read(format!("{dir}{file}")).expect("bench quote");
        let (parse, n1) = measure(Duration::from_secs(budget), || {
            black_box(bare_parse(black_box(&bytes)));
        });
        let (read, _) = measure(Duration::from_secs(budget), || {
            black_box(
                quote_reader::read_quote(file, black_box(&bytes), &quote_reader::Limits::default()).expect("quote"),
            );
        });
        let mut lines = 0;
        let (whole, n2) = measure(Duration::from_secs(budget), || {
            let quote =
                quote_reader::read_quote(file, black_box(&bytes), &quote_reader::Limits::default()).expect("quote");
            let report = audit(&quote, &ctx, &bench, &Peers::default(), Classifier::builtin(), Catalog::builtin());
            lines = report.lines.len();
            black_box(report);
        });
        let ratio = whole.as_secs_f64() / parse.as_secs_f64();
        println!(
            "{file} | {lines} | {:.2} ms | {:.2} ms | {:.2} ms | {ratio:.2}× | {n1} / {n2}",
            parse.as_secs_f64() * 1e3,
            read.as_secs_f64() * 1e3,
            whole.as_secs_f64() * 1e3
        );
    }
}
