//! `complaints.csv`: one row per history step of each complaint in the scope.
//!
//! A complaint with three steps gives three rows; its own columns (facility,
//! vendor, kind, current status, description) repeat on each, and 経過番号
//! counts its steps from 1. Filtering on 相談ID gives one case's full history;
//! the row with the highest 経過番号 is where it stands. A complaint with no
//! recorded step still gives one row, its step columns empty.

use super::{Filter, Stop, Writer, prefecture_label, text};
use futures_util::TryStreamExt;
use rules::access::Scope;
use rules::complaint::{ComplaintKind, ComplaintStatus};
use sqlx::{QueryBuilder, SqlitePool};

/// The columns.
pub const HEADER: &[&str] = &[
    "相談ID",
    "施設ID",
    "医療機関コード",
    "医療機関名",
    "施設区分コード",
    "都道府県コード",
    "都道府県",
    "ベンダーコード",
    "ベンダー名",
    "見積書ID",
    "種類コード",
    "種類",
    "現在の状態コード",
    "現在の状態",
    "提出日時",
    "提出者",
    "経緯",
    "経過番号",
    "変更前の状態コード",
    "変更後の状態コード",
    "変更後の状態",
    "記録者",
    "コメント",
    "記録日時",
];

const COLUMNS: usize = HEADER.len();

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    facility_id: i64,
    facility_code: String,
    facility_name: String,
    facility_type: String,
    prefecture: String,
    vendor_code: Option<String>,
    vendor_name: Option<String>,
    quote_id: Option<i64>,
    kind: String,
    status: String,
    filed_at: String,
    filed_by: Option<String>,
    description: String,
    event_id: Option<i64>,
    from_status: Option<String>,
    to_status: Option<String>,
    actor: Option<String>,
    comment: Option<String>,
    at: Option<String>,
}

const SELECT: &str = "SELECT c.id, f.id AS facility_id, f.facility_code, f.name AS facility_name, f.facility_type,
        f.prefecture, v.code AS vendor_code, v.name AS vendor_name, c.quote_id, c.kind, c.status, c.filed_at,
        fu.display_name AS filed_by, c.description,
        e.id AS event_id, e.from_status, e.to_status, eu.display_name AS actor, e.comment, e.at
 FROM complaints c
 JOIN facilities f ON f.id = c.facility_id
 LEFT JOIN vendors v ON v.id = c.vendor_id
 LEFT JOIN users fu ON fu.id = c.filed_by
 LEFT JOIN complaint_events e ON e.complaint_id = c.id
 LEFT JOIN users eu ON eu.id = e.actor_id
 WHERE 1 = 1";

fn status_label(code: &str) -> &'static str {
    code.parse::<ComplaintStatus>().map(|s| s.label_ja()).unwrap_or("")
}

/// Writes the complaints of the scope with their history, oldest complaint and step first.
pub async fn write(pool: &SqlitePool, scope: &Scope, filter: &Filter, w: &mut Writer) -> Result<(), Stop> {
    let mut qb = QueryBuilder::new(SELECT);
    filter.push(&mut qb, Some("c.quote_id"));
    if let Some(status) = filter.status {
        qb.push(" AND c.status = ").push_bind(status);
    }
    crate::ssr::db::scope::push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY c.id, e.id");
    let mut rows = qb.build_query_as::<Row>().fetch(pool);
    let (mut current, mut step) = (None, 0_u32);
    while let Some(r) = rows.try_next().await? {
        if current != Some(r.id) {
            (current, step) = (Some(r.id), 0);
        }
        let step_text = match r.event_id {
            Some(_) => {
                step += 1;
                step.to_string()
            }
            None => String::new(),
        };
        let (id, facility_id) = (r.id.to_string(), r.facility_id.to_string());
        let quote_id = r.quote_id.map(|q| q.to_string()).unwrap_or_default();
        let kind = r.kind.parse::<ComplaintKind>().map(|k| k.label_ja()).unwrap_or("");
        let fields: [&str; COLUMNS] = [
            &id,
            &facility_id,
            &r.facility_code,
            &r.facility_name,
            &r.facility_type,
            &r.prefecture,
            prefecture_label(&r.prefecture),
            text(&r.vendor_code),
            text(&r.vendor_name),
            &quote_id,
            &r.kind,
            kind,
            &r.status,
            status_label(&r.status),
            &r.filed_at,
            text(&r.filed_by),
            &r.description,
            &step_text,
            text(&r.from_status),
            text(&r.to_status),
            r.to_status.as_deref().map_or("", status_label),
            text(&r.actor),
            text(&r.comment),
            text(&r.at),
        ];
        w.record(fields).await?;
    }
    Ok(())
}
