//! Prints what the reader makes of quote files, as JSON or as the refusal message, to review fixtures:
//! `cargo run -p quote_reader --example dump -- FILE...`

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        let name = std::path::Path::new(&path).file_name().and_then(|n| n.to_str()).unwrap_or(&path).to_owned();
        match quote_reader::read_quote(&name, &bytes, &quote_reader::Limits::default()) {
            Ok(quote) => match serde_json::to_string_pretty(&quote) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("{name}: {e}"),
            },
            Err(e) => {
                println!("{e}\n  {:?}", e.kind);
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
