//! The `onshi` binary: a shim over the library, so tests can build the same app.

#![forbid(unsafe_code)]

/// mimalloc instead of glibc's malloc: a fifth of a signed-in page's CPU went to
/// glibc's arenas under concurrent load (BENCHMARKS.md, "Loopback load test").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
