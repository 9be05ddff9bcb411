//! `facilities.csv`: one row per facility in the scope, with its provisioning stage and reader application.

use super::{Filter, Stop, Writer, facility_type_label, number, one_zero, prefecture_label, text};
use futures_util::TryStreamExt;
use rules::access::Scope;
use rules::provisioning::Stage;
use sqlx::{QueryBuilder, SqlitePool};

/// The columns. 導入段階 is the stage the pages show: the recorded one, or the
/// one its dates prove when that is further (`ProvisioningFacts::effective_stage`).
pub const HEADER: &[&str] = &[
    "施設ID",
    "医療機関コード",
    "医療機関名",
    "フリガナ",
    "施設区分コード",
    "施設区分",
    "都道府県コード",
    "都道府県",
    "所在地",
    "法人コード",
    "法人名",
    "オンライン請求",
    "導入段階コード",
    "導入段階",
    "ベンダーコード",
    "ベンダー名",
    "カードリーダー申込日",
    "カードリーダー台数",
    "機種決定日",
    "ベンダー発注日",
    "導入完了日",
    "運用開始日",
    "交付申請日",
    "猶予届出の類型",
    "猶予届出の受理",
    "登録日時",
];

/// One value per header column, checked when the record is built.
const COLUMNS: usize = HEADER.len();

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    facility_code: String,
    name: String,
    kana: String,
    facility_type: String,
    prefecture: String,
    address: String,
    corporation_code: Option<String>,
    corporation_name: Option<String>,
    online_billing: bool,
    #[sqlx(flatten)]
    progress: crate::ssr::db::provisioning::StageRow,
    vendor_code: Option<String>,
    vendor_name: Option<String>,
    readers: Option<i64>,
    subsidy_applied_on: Option<String>,
    grace_type: Option<i64>,
    grace_accepted: Option<bool>,
    created_at: String,
}

const SELECT: &str = "SELECT f.id, f.facility_code, f.name, f.kana, f.facility_type, f.prefecture, f.address,
        c.code AS corporation_code, c.name AS corporation_name, f.online_billing,
        p.stage, v.code AS vendor_code, v.name AS vendor_name,
        a.applied_on AS reader_applied_on, a.readers, a.model_chosen_on,
        p.vendor_contract_on, p.completed_on, p.operation_started_on, p.subsidy_applied_on,
        p.grace_type, p.grace_accepted, f.created_at
 FROM facilities f
 LEFT JOIN corporations c ON c.id = f.corporation_id
 LEFT JOIN facility_progress p ON p.facility_id = f.id
 LEFT JOIN vendors v ON v.id = p.vendor_id
 LEFT JOIN reader_applications a ON a.facility_id = f.id
 WHERE 1 = 1";

impl Row {
    /// The stage the pages show for this row.
    fn stage(&self) -> Stage {
        self.progress.effective(&self.facility_type, self.online_billing)
    }
}

/// Writes the facilities of the scope, by prefecture and name (as the list page).
pub async fn write(pool: &SqlitePool, scope: &Scope, filter: &Filter, w: &mut Writer) -> Result<(), Stop> {
    let mut qb = QueryBuilder::new(SELECT);
    filter.push(&mut qb, None);
    crate::ssr::db::scope::push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY f.prefecture, f.kana, f.name, f.id");
    let mut rows = qb.build_query_as::<Row>().fetch(pool);
    while let Some(r) = rows.try_next().await? {
        let stage = r.stage();
        let (id, readers, grace) = (r.id.to_string(), number(r.readers), number(r.grace_type));
        let fields: [&str; COLUMNS] = [
            &id,
            &r.facility_code,
            &r.name,
            &r.kana,
            &r.facility_type,
            facility_type_label(&r.facility_type),
            &r.prefecture,
            prefecture_label(&r.prefecture),
            &r.address,
            text(&r.corporation_code),
            text(&r.corporation_name),
            one_zero(r.online_billing),
            stage.code(),
            stage.label_ja(),
            text(&r.vendor_code),
            text(&r.vendor_name),
            text(&r.progress.reader_applied_on),
            &readers,
            text(&r.progress.model_chosen_on),
            text(&r.progress.vendor_contract_on),
            text(&r.progress.completed_on),
            text(&r.progress.operation_started_on),
            text(&r.subsidy_applied_on),
            &grace,
            if r.grace_type.is_some() { one_zero(r.grace_accepted.unwrap_or(false)) } else { "" },
            &r.created_at,
        ];
        w.record(fields).await?;
    }
    Ok(())
}
