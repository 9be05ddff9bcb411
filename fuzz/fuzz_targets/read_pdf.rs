//! The quote reader on arbitrary bytes named `見積書.pdf`, through the same public entry point
//! and limits as the upload route: the PDF parser (lopdf), the positioned-text walk and the
//! table rebuilding. Seeds: the printed layouts (quote_reader/tests/fixtures/pdf) and a small
//! PDF written by hand with an uncompressed content stream. An `Err` is a correct answer; only a
//! panic, a hang (-timeout) or runaway memory (-rss_limit_mb) is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: onshi_fuzz::install_panic_hook(), |data: &[u8]| {
    onshi_fuzz::read("見積書.pdf", data);
});
