//! The yen parser (`rules::Yen::parse`, with the formatting of what it returns)
//! and the reader's cell-number parsers (money, quantity, unit), on arbitrary
//! text; the first eight bytes also as a float cell, since workbooks hold any
//! f64. Only a panic, a hang or runaway memory is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(bytes) = data.first_chunk::<8>() {
        quote_reader::fuzzing::number_cell(f64::from_le_bytes(*bytes));
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(yen) = rules::Yen::parse(text) {
        let _ = yen.format_plain();
        let _ = yen.format_man();
        let _ = yen.to_whole_yen();
        let _ = yen.truncate_to_thousand();
        let _ = yen.floor_to_whole_yen();
    } else if let Err(e) = rules::Yen::parse(text) {
        let _ = e.to_string();
    }
    quote_reader::fuzzing::text_cell(text);
});
