//! The bare parse as a process, to compare `onshi audit` with (BENCHMARKS.md, whole-process speed):
//! calamine opens the .xlsx and materialises every sheet's range, nothing else.
//!
//! `cargo build --release -p quote_reader --example calamine_parse`, then
//! `hyperfine 'target/release/examples/calamine_parse FILE' 'target/release/onshi audit FILE …'`.

use calamine::{Reader, Xlsx};
use std::io::Cursor;

fn main() {
    let path = std::env::args().nth(1).expect("usage: calamine_parse FILE.xlsx");
    let bytes = std::fs::read(&path).expect("read the file");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx");
    let mut cells = 0usize;
    for name in book.sheet_names() {
        cells += book.worksheet_range(&name).expect("a sheet").cells().count();
    }
    println!("{cells}");
}
