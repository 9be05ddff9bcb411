//! The facility registry's files (issue 25) on arbitrary bytes: workbooks (.xlsx, .xls) as the
//! 地方厚生局 publish them, zips of them (CP932 names, nesting, traversal), CSV in UTF-8 or
//! CP932, all through `registry_reader::read_file`. Seeds: the small fixtures of
//! registry_reader/tests/fixtures (corpus/read_registry/seed-*). Only a panic, a hang (-timeout)
//! or runaway memory (-rss_limit_mb) is a finding; a refused file is the reader's answer, and a
//! panic inside calamine that the reader catches is counted, not a finding (see src/lib.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: onshi_fuzz::install_panic_hook(), |data: &[u8]| {
    onshi_fuzz::read_registry(data);
});
