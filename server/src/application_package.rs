//! The 交付申請 package as files: one PDF per facility (laid out by
//! `templates/subsidy_application.layout.json`), its CSV, the application's zip with the
//! scanned 領収書(写), and the 一括申請 zip.

use app::application_document::{BulkEntry, bulk_csv, fields, tables};
use rules::application::Package;
use std::io::Write;
use std::sync::LazyLock;

/// The shipped form, parsed once.
static FORM: LazyLock<Result<crate::pdf::Form, String>> =
    LazyLock::new(|| crate::pdf::Form::parse(crate::pdf::APPLICATION_FORM));

/// The package as one PDF: 交付申請書, 領収書内訳書 and 事業完了報告書.
pub fn pdf(p: &Package) -> Result<Vec<u8>, String> {
    let form = FORM.as_ref().map_err(Clone::clone)?;
    let values = crate::pdf::FormValues { fields: fields(p), tables: tables(p) };
    // The PDF's /Title (write.rs), as a reader's title bar shows it.
    crate::pdf::render_form(&format!("交付申請書類（{}）", p.applicant.name), form, &values)
}

/// One application's download: its PDF and CSV, and every scanned 領収書(写) next to them
/// exactly as uploaded.
pub fn package_zip(p: &Package, id: i64, scans: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let pdf = pdf(p)?;
    let csv = app::application_document::package_csv(p);
    let files = [(format!("application-{id}.pdf"), pdf.as_slice()), (format!("application-{id}.csv"), csv.as_bytes())];
    for (name, bytes) in
        files.iter().map(|(n, b)| (n.as_str(), *b)).chain(scans.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
    {
        add(&mut zip, name, bytes)?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// One file into a zip, compressed (a scan already compressed stays about its size).
fn add(zip: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>, name: &str, bytes: &[u8]) -> Result<(), String> {
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(name, options).map_err(|e| e.to_string())?;
    zip.write_all(bytes).map_err(|e| e.to_string())
}

/// The 一括申請 bundle: `{医療機関コード}.pdf` for each eligible facility with its scanned
/// 領収書(写) next to it, and `summary.csv` listing every facility, eligible or not and why.
pub fn bundle(entries: &[BulkEntry]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    add(&mut zip, "summary.csv", bulk_csv(entries).as_bytes())?;
    for e in entries {
        if let Ok(p) = &e.outcome {
            add(&mut zip, &format!("{}.pdf", e.facility_code), &pdf(p)?)?;
            for (name, bytes) in &e.scans {
                add(&mut zip, name, bytes)?;
            }
        }
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}
