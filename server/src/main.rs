//! The `onshi` binary: a shim over the library, so tests can build the same app.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    server::cli::main()
}
