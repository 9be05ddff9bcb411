//! The 和暦 date and month parsers (`rules::parse_date`, `rules::parse_month`)
//! on arbitrary text, with the formatting of what they return and of their
//! error messages (which format dates too). Only a panic, a hang or runaway
//! memory is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for result in [rules::parse_date(text), rules::parse_month(text)] {
        match result {
            Ok(date) => {
                let _ = rules::format_wareki_with_western(date);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
