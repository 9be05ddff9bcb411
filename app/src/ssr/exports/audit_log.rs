//! `/audit-log.csv`: the audit trail for auditors, one record per log entry, oldest first.
//!
//! The rows come from [`crate::ssr::audit_log::export_rows`], which keeps the
//! SQL beside the chain and its filter; this module only lays them out, so the
//! file is chunked, encoded and cut short like every other export.

use super::{Stop, Writer};
use crate::ssr::audit_log::{LogEntry, LogFilter, export_rows};
use futures_util::TryStreamExt;
use sqlx::SqlitePool;

/// The columns: the JSON before and after is written as stored (the text that
/// was hashed), and the hash last, so an auditor can check a line by hand.
pub const HEADER: &[&str] = &["日時", "操作者", "操作", "対象", "対象ID", "変更前", "変更後", "ハッシュ"];

const COLUMNS: usize = HEADER.len();

/// Writes the entries matching `filter`, oldest first (the chain's order).
pub async fn write(pool: &SqlitePool, filter: &LogFilter, w: &mut Writer) -> Result<(), Stop> {
    let mut rows = export_rows(pool, filter);
    while let Some(entry) = rows.try_next().await? {
        w.record(fields(&entry)).await?;
    }
    Ok(())
}

/// One entry as the fields of [`HEADER`]; the array's length ties the two together.
fn fields(e: &LogEntry) -> [&str; COLUMNS] {
    [
        &e.at,
        &e.actor_label,
        &e.action,
        &e.entity,
        &e.entity_id,
        e.before_json.as_deref().unwrap_or(""),
        e.after_json.as_deref().unwrap_or(""),
        &e.hash,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::audit_log::GENESIS_HASH;

    #[test]
    fn a_record_has_eight_fields_and_ends_with_crlf() {
        let entry = LogEntry {
            id: 1,
            at: "2026-11-22T03:04:05.123456Z".into(),
            actor_user_id: None,
            actor_label: "cli".into(),
            action: "create".into(),
            entity: "user".into(),
            entity_id: "9".into(),
            before_json: None,
            after_json: Some(r#"{"email":"a@b.jp","role":"admin"}"#.into()),
            prev_hash: GENESIS_HASH.into(),
            hash: "ab".repeat(32),
        };
        let mut out = String::new();
        crate::csv::push_record(&mut out, fields(&entry));
        let expected = format!(
            "2026-11-22T03:04:05.123456Z,cli,create,user,9,,\"{{\"\"email\"\":\"\"a@b.jp\"\",\"\"role\"\":\"\"admin\"\"}}\",{}\r\n",
            "ab".repeat(32)
        );
        assert_eq!(out, expected);
        assert_eq!(HEADER.len(), 8);
        let mut header = String::new();
        crate::csv::push_record(&mut header, HEADER);
        assert_eq!(header, "日時,操作者,操作,対象,対象ID,変更前,変更後,ハッシュ\r\n");
    }
}
