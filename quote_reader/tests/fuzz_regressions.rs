//! Inputs that crashed (or hung) the cargo-fuzz targets in `fuzz/` (issue 10),
//! kept in tests/fixtures/fuzz/ with the refusal each must now get. Every file
//! there must be listed here; add the next finding the same way.

use quote_reader::{Limits, ReadErrorKind, read_quote};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz")
}

/// What each finding must read as: the file, and a check on the error kind.
type Expectation = (&'static str, fn(&ReadErrorKind) -> bool);

const FINDINGS: [Expectation; 3] = [
    // A DIMENSIONS record whose last row lies before its first: calamine computed
    // last − first + 1 unchecked, wrapped to ~4 billion rows and reserved a
    // terabyte for them, which aborts the process (no panic to catch).
    (
        "xls_dimensions_billions_of_rows.xls",
        |k| matches!(k, ReadErrorKind::Corrupted { detail } if detail.contains("DIMENSIONS")),
    ),
    // A FORMULA record whose formula length runs past the record: calamine
    // panics slicing it (xls.rs parse_formula); the reader's catch_unwind
    // must turn that into "corrupted", never let it reach the server.
    ("xls_formula_calamine_panics.xls", |k| matches!(k, ReadErrorKind::Corrupted { .. })),
    // The globals' EOF record claims 512 bytes of data, so a walk of the stream from its
    // start skipped the sheet; calamine starts the sheet where BOUNDSHEET says,
    // inside that record, and laid out 132,840,525 cells (4 GB) for two far-apart
    // labels. The pre-scan now walks each sheet from its BOUNDSHEET offset; its
    // count also takes in a DIMENSIONS record's columns and the formulas' range,
    // which tells it from the check after calamine that gave 132,840,525.
    ("xls_sheet_offset_inside_a_record.xls", |k| matches!(k, ReadErrorKind::TooManyCells { cells: 1_475_172_861, .. })),
];

#[test]
fn every_fuzz_finding_is_refused_with_the_error_it_now_gets() {
    for (name, expected) in FINDINGS {
        let bytes = std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        match read_quote(name, &bytes, &Limits::default()) {
            Ok(q) => panic!("{name} was read, lines: {:?}", q.lines),
            Err(e) => {
                assert!(expected(&e.kind), "{name}: {:?}", e.kind);
                assert!(e.to_string().starts_with(name) && e.to_string().contains("ください"), "{e}");
            }
        }
    }
}

#[test]
fn every_file_in_the_fuzz_fixtures_is_listed() {
    let mut files: Vec<String> =
        std::fs::read_dir(dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    files.sort_unstable();
    let mut listed: Vec<String> = FINDINGS.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort_unstable();
    assert_eq!(files, listed);
}
