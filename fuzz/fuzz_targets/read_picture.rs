//! Scans and photos (issue 24) on arbitrary bytes: the decoders of JPEG, PNG and TIFF (fax G3/G4
//! included) and the preparation of a page for OCR (scaling, the skew search, turning, evening the
//! light, erasing rules), through `quote_reader::fuzzing::picture`; OCR itself runs in a child
//! process and is not fuzzed here. Seeds: the scans, faxes and photos of
//! quote_reader/tests/fixtures/scan, shrunk (fuzz/seeds/make_seeds.py). Only a panic, a hang
//! (-timeout) or runaway memory (-rss_limit_mb) is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quote_reader::fuzzing::picture(data);
});
