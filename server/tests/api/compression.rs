//! gzip for clients that ask for it: pages and exports compressed (and inflating to exactly what
//! an uncompressed request gets), files compressed already sent as they are.

use crate::helpers::*;
use std::io::Read;

/// GET with or without `Accept-Encoding: gzip`: (Content-Encoding, Vary, body as sent).
async fn fetch(app: &TestApp, path: &str, gzip: bool) -> (Option<String>, String, Vec<u8>) {
    let mut req = app.client.get(app.url(path));
    if gzip {
        req = req.header("Accept-Encoding", "gzip, deflate, br, zstd");
    }
    let res = req.send().await.expect("GET");
    assert_eq!(res.status(), 200, "GET {path}");
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (encoding, vary) = (header("content-encoding"), header("vary").unwrap_or_default());
    (encoding, vary, res.bytes().await.expect("body").to_vec())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("a valid gzip stream");
    out
}

/// A page without its per-response nonce (the CSP's script nonce changes on every request).
fn without_nonce(html: &[u8]) -> String {
    let text = String::from_utf8(html.to_vec()).expect("UTF-8 page");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("nonce=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        rest = after.find('"').map_or("", |j| &after[j + 1..]);
    }
    out + rest
}

#[tokio::test]
async fn pages_and_exports_are_gzipped_when_asked_for_and_inflate_to_the_same_bytes() {
    let app = spawn_app().await;
    app.login_as(AUDITOR).await;
    for path in ["/dashboard", "/facilities"] {
        let (plain_encoding, _, plain) = fetch(&app, path, false).await;
        let (encoding, vary, gzipped) = fetch(&app, path, true).await;
        assert_eq!(plain_encoding, None, "{path} uncompressed unless asked");
        assert_eq!(encoding.as_deref(), Some("gzip"), "{path}");
        assert!(vary.to_ascii_lowercase().contains("accept-encoding"), "{path}: Vary: {vary}");
        assert!(gzipped.len() * 3 < plain.len(), "{path}: {} → {} bytes", plain.len(), gzipped.len());
        assert_eq!(without_nonce(&gunzip(&gzipped)), without_nonce(&plain), "{path}");
    }
    // Exports byte for byte: the UTF-8 BOM and Shift_JIS survive, streamed or not.
    for path in [
        "/exports/facilities.csv",
        "/exports/facilities.csv?encoding=sjis",
        "/audit-log.csv",
        "/dashboard/funnel_by_type.csv",
    ] {
        let (_, _, plain) = fetch(&app, path, false).await;
        let (encoding, _, gzipped) = fetch(&app, path, true).await;
        assert_eq!(encoding.as_deref(), Some("gzip"), "{path}");
        assert_eq!(gunzip(&gzipped), plain, "{path}");
    }
}

#[tokio::test]
async fn files_compressed_already_are_sent_as_they_are() {
    let app = spawn_app().await;
    let facility = fukuoka_hospital(app.pool()).await;
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    let quote = insert_confirmed_quote(app.pool(), facility, vendor, &[("ルーター", "router", "45000")]).await;
    app.login_as(AUDITOR).await;
    let (encoding, _, pdf) = fetch(&app, &format!("/quotes/{quote}/letter.pdf"), true).await;
    assert_eq!(encoding, None, "a PDF's streams are compressed already");
    assert!(pdf.starts_with(b"%PDF-"), "the PDF itself");
}
