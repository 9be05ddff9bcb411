//! `applications.csv`: one row per subsidy application (交付申請) in the scope.

use super::{Filter, Stop, Writer, facility_type_label, plain_yen, prefecture_label, text, yen_number};
use futures_util::TryStreamExt;
use rules::access::Scope;
use sqlx::{QueryBuilder, SqlitePool};

/// The columns; amounts in plain yen as the application stores them. The parts of the
/// 自己負担額 come last, so that the columns before keep their places.
pub const HEADER: &[&str] = &[
    "申請ID",
    "施設ID",
    "医療機関コード",
    "医療機関名",
    "施設区分コード",
    "施設区分",
    "都道府県コード",
    "都道府県",
    "見積書ID",
    "状態コード",
    "状態",
    "申請日",
    "補助制度ID",
    "総事業費",
    "補助対象経費",
    "補助金申請額",
    "自己負担額",
    "提出日",
    "交付日",
    "交付額",
    "作成日時",
    "更新日時",
    crate::application_document::BURDEN_PART_LABELS[0],
    crate::application_document::BURDEN_PART_LABELS[1],
    crate::application_document::BURDEN_PART_LABELS[2],
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
    quote_id: i64,
    status: String,
    applied_on: String,
    scheme_id: String,
    total_cost: String,
    eligible_cost: String,
    subsidy: String,
    self_burden: String,
    submitted_on: Option<String>,
    paid_on: Option<String>,
    paid_amount: Option<String>,
    created_at: String,
    updated_at: String,
    /// From the package: 基準とする事業額 and the parts of the 自己負担 (absent in packages
    /// prepared before they were kept).
    cap: Option<String>,
    not_covered: Option<String>,
    above_cap: Option<String>,
    rate_share: Option<String>,
}

const SELECT: &str = "SELECT a.id, f.id AS facility_id, f.facility_code, f.name AS facility_name, f.facility_type,
        f.prefecture, a.quote_id, a.status, a.applied_on, a.scheme_id, a.total_cost, a.eligible_cost, a.subsidy,
        a.self_burden, a.submitted_on, a.paid_on, a.paid_amount, a.created_at, a.updated_at,
        json_extract(a.package_json, '$.cap') AS cap, json_extract(a.package_json, '$.not_covered') AS not_covered,
        json_extract(a.package_json, '$.above_cap') AS above_cap,
        json_extract(a.package_json, '$.rate_share') AS rate_share
 FROM facilities f JOIN subsidy_applications a ON a.facility_id = f.id
 WHERE 1 = 1";

/// Writes the applications of the scope in the list page's order, narrowed as it is.
pub async fn write(pool: &SqlitePool, scope: &Scope, filter: &Filter, w: &mut Writer) -> Result<(), Stop> {
    let mut qb = QueryBuilder::new(SELECT);
    filter.push(&mut qb, None);
    if let Some(status) = filter.status {
        qb.push(" AND a.status = ").push_bind(status);
    }
    crate::ssr::db::scope::push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY ").push(crate::ssr::db::applications::LIST_ORDER);
    let mut rows = qb.build_query_as::<Row>().fetch(pool);
    while let Some(r) = rows.try_next().await? {
        let (id, facility_id, quote_id) = (r.id.to_string(), r.facility_id.to_string(), r.quote_id.to_string());
        let [total, eligible, subsidy, burden] =
            [&r.total_cost, &r.eligible_cost, &r.subsidy, &r.self_burden].map(|s| plain_yen(Some(s)));
        let paid_amount = plain_yen(r.paid_amount.as_deref());
        let [not_covered, above_cap, rate_share] = burden_parts(&r);
        let fields: [&str; COLUMNS] = [
            &id,
            &facility_id,
            &r.facility_code,
            &r.facility_name,
            &r.facility_type,
            facility_type_label(&r.facility_type),
            &r.prefecture,
            prefecture_label(&r.prefecture),
            &quote_id,
            &r.status,
            crate::ssr::db::applications::status_label(&r.status),
            &r.applied_on,
            &r.scheme_id,
            &total,
            &eligible,
            &subsidy,
            &burden,
            text(&r.submitted_on),
            text(&r.paid_on),
            &paid_amount,
            &r.created_at,
            &r.updated_at,
            &not_covered,
            &above_cap,
            &rate_share,
        ];
        w.record(fields).await?;
    }
    Ok(())
}

/// The parts of the row's 自己負担 as its package shows them ([`rules::application::Package::burden_parts`]):
/// kept, or derived from its figures; empty when the package does not have the figures.
fn burden_parts(r: &Row) -> [String; 3] {
    use rules::Yen;
    use rules::application::BurdenParts;
    let yen = |s: Option<&str>| s.and_then(|s| Yen::parse(s).ok());
    let figures = [&r.total_cost, &r.eligible_cost, &r.self_burden].map(|s| yen(Some(s)));
    let (Some(cap), [Some(total), Some(eligible), Some(burden)]) = (yen(r.cap.as_deref()), figures) else {
        return Default::default();
    };
    let [not_covered, above_cap, rate_share] =
        [&r.not_covered, &r.above_cap, &r.rate_share].map(|s| yen(s.as_deref()).unwrap_or(Yen::ZERO));
    let parts =
        BurdenParts::kept_or_derived(BurdenParts { not_covered, above_cap, rate_share }, total, eligible, cap, burden);
    [parts.not_covered, parts.above_cap, parts.rate_share].map(yen_number)
}
