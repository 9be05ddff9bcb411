//! The 交付申請 package as files: one PDF per facility (laid out by
//! `templates/subsidy_application.layout.json`), its CSV, and the 一括申請 zip.

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
    crate::pdf::render_form(&format!("交付申請 {}", p.applicant.name), form, &values)
}

/// The 一括申請 bundle: `{医療機関コード}.pdf` for each eligible facility and `summary.csv`
/// listing every facility, eligible or not and why.
pub fn bundle(entries: &[BulkEntry]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let io = |e: std::io::Error| e.to_string();
    let z = |e: zip::result::ZipError| e.to_string();
    zip.start_file("summary.csv", options).map_err(z)?;
    zip.write_all(bulk_csv(entries).as_bytes()).map_err(io)?;
    for e in entries {
        if let Ok(p) = &e.outcome {
            zip.start_file(format!("{}.pdf", e.facility_code), options).map_err(z)?;
            zip.write_all(&pdf(p)?).map_err(io)?;
        }
    }
    Ok(zip.finish().map_err(z)?.into_inner())
}
