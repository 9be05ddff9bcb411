//! gzip for browsers that ask for it: a national dashboard is 137 KB of HTML and SVG, the
//! export of every quote line 647 MB of CSV (BENCHMARKS.md); both shrink several times over.

use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Compresses responses the client accepts gzip for, streamed ones as they stream (an export
/// stays in constant memory). Not: what is compressed already (PDF streams, zip packages, the
/// uploaded quote files, sent back as they came), images, event streams, tiny bodies.
pub fn layer() -> CompressionLayer<impl Predicate> {
    let already_compressed = NotForContentType::const_new("application/pdf")
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/octet-stream"));
    CompressionLayer::new()
        .no_br()
        .no_deflate()
        .no_zstd()
        // zlib's fastest level: pages are made per request on two cores, and an export is
        // hundreds of megabytes; the best level gains a little size for several times the CPU.
        .quality(CompressionLevel::Fastest)
        .compress_when(DefaultPredicate::new().and(already_compressed))
}
