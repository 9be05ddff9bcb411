//! The quote reader on arbitrary bytes named `見積書.ods`, through the same
//! public entry point and limits as the upload route (server/src/routes/quote_upload.rs).
//! Seeds: the .ods fixtures. An `Err` is a correct answer; only a panic,
//! a hang (-timeout) or runaway memory (-rss_limit_mb) is a finding;
//! a panic inside calamine that the reader catches is counted, not a finding
//! (see src/lib.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: onshi_fuzz::install_panic_hook(), |data: &[u8]| {
    onshi_fuzz::read("見積書.ods", data);
});
