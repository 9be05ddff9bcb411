//! Test helpers reading a rendered PDF back: its text as pdftotext extracts it, its pages.

/// The text of a PDF as pdftotext reads it (poppler-utils), pages separated by form feeds.
pub(super) fn pdftotext(pdf: &[u8], layout: bool) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let mut cmd = std::process::Command::new("pdftotext");
    if layout {
        cmd.arg("-layout");
    }
    let out = cmd.args(["-enc", "UTF-8"]).arg(&path).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Page objects in a PDF: `/Type /Page` (lopdf writes `/Type/Page`), not `/Pages`.
pub(super) fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}
