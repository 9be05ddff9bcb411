//! `vendors.csv`: the vendor registry (reference data, every role), with counts in the user's scope.

use super::{Stop, Writer, one_zero_unknown, text};
use crate::ssr::db::scope::push_scope;
use futures_util::TryStreamExt;
use rules::access::Scope;
use sqlx::{QueryBuilder, SqlitePool};

/// The columns. 対応 columns are 1, 0 or empty (not published); the counts
/// cover only the facilities the user may see (0 for admins, who see none).
pub const HEADER: &[&str] = &[
    "ベンダーID",
    "ベンダーコード",
    "ベンダー名",
    "病院対応",
    "診療所対応",
    "備考",
    "出典",
    "確定した見積書の数（閲覧範囲内）",
    "相談の数（閲覧範囲内）",
];

const COLUMNS: usize = HEADER.len();

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    code: String,
    name: String,
    supports_hospital: Option<bool>,
    supports_clinic: Option<bool>,
    note: Option<String>,
    source: String,
    quotes: i64,
    complaints: i64,
}

/// Writes every vendor, by name (as `/reference/vendors`).
pub async fn write(pool: &SqlitePool, scope: &Scope, w: &mut Writer) -> Result<(), Stop> {
    let mut qb = QueryBuilder::new(
        "SELECT v.id, v.code, v.name, v.supports_hospital, v.supports_clinic, v.note, v.source,
                (SELECT count(*) FROM quotes q JOIN facilities f ON f.id = q.facility_id
                 WHERE q.vendor_id = v.id AND q.confirmed = 1",
    );
    push_scope(&mut qb, scope, "f");
    qb.push(
        ") AS quotes,
                (SELECT count(*) FROM complaints c JOIN facilities f ON f.id = c.facility_id WHERE c.vendor_id = v.id",
    );
    push_scope(&mut qb, scope, "f");
    qb.push(") AS complaints FROM vendors v ORDER BY v.name, v.code");
    let mut rows = qb.build_query_as::<Row>().fetch(pool);
    while let Some(r) = rows.try_next().await? {
        let (id, quotes, complaints) = (r.id.to_string(), r.quotes.to_string(), r.complaints.to_string());
        let source = crate::public_source::public_source(&r.source).unwrap_or_default();
        let fields: [&str; COLUMNS] = [
            &id,
            &r.code,
            &r.name,
            one_zero_unknown(r.supports_hospital),
            one_zero_unknown(r.supports_clinic),
            text(&r.note),
            &source,
            &quotes,
            &complaints,
        ];
        w.record(fields).await?;
    }
    Ok(())
}
