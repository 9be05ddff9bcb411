//! Writing a batch: multi-row `INSERT … VALUES (…),(…)` statements inside the caller's transaction, and one audit-log row for the batch.
//!
//! Ids are given explicitly, from each table's largest id + 1 read inside the
//! transaction (which holds the write lock: `BEGIN IMMEDIATE`), so a batch's
//! rows can point at each other without reading anything back.

use super::context::Context;
use super::generate::{
    ApplicationRow, Batch, ComplaintEventRow, ComplaintRow, EventRow, FacilityRow, LineRow, Mover, ProgressRow,
    QUOTE_FILE_NAME, QuoteRow, UserRow,
};
use super::subsidy::SubsidyRow;
use app::ssr::audit_log::{self, Actor, Change};
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, SqliteConnection, Transaction};

/// SQLite's limit of bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
const MAX_PARAMETERS: usize = 32_766;

/// Rows per statement at most, whatever the column count. Measured on 50,000 facilities (release):
/// 250 rows 3.5 s, 2,000 rows 3.2 s, as many as the parameter limit allows (2,730–3,276) 3.3 s.
const MAX_ROWS_PER_STATEMENT: usize = 2_000;

type Q<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

/// The first id of each table the batch assigns ids in.
#[derive(Debug, Clone, Copy)]
struct Ids {
    facility: i64,
    user: i64,
    quote: i64,
    complaint: i64,
}

fn offset(i: impl TryInto<i64>) -> i64 {
    i.try_into().unwrap_or(i64::MAX)
}

/// A row type and how its values are bound.
trait Insert {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// Binds the `i`-th row of the batch (ids come from `ids` + indexes).
    fn bind<'q>(&'q self, i: usize, q: Q<'q>, ctx: &'q Context, ids: &Ids) -> Q<'q>;
}

/// `INSERT INTO table (cols) VALUES (?,…),(?,…)…` for `rows` rows.
fn values_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns.len()].join(","));
    let mut sql = String::with_capacity(32 + table.len() + rows * (row.len() + 1));
    sql.push_str("INSERT INTO ");
    sql.push_str(table);
    sql.push_str(" (");
    sql.push_str(&columns.join(", "));
    sql.push_str(") VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql
}

async fn insert_all<R: Insert>(conn: &mut SqliteConnection, rows: &[R], ctx: &Context, ids: &Ids) -> sqlx::Result<()> {
    let per_statement = (MAX_PARAMETERS / R::COLUMNS.len()).clamp(1, MAX_ROWS_PER_STATEMENT);
    let mut full_sql: Option<String> = None;
    for (c, chunk) in rows.chunks(per_statement).enumerate() {
        let partial;
        let sql = if chunk.len() == per_statement {
            full_sql.get_or_insert_with(|| values_sql(R::TABLE, R::COLUMNS, per_statement)).as_str()
        } else {
            partial = values_sql(R::TABLE, R::COLUMNS, chunk.len());
            partial.as_str()
        };
        let mut q = sqlx::query(sql);
        for (i, row) in chunk.iter().enumerate() {
            q = row.bind(c * per_statement + i, q, ctx, ids);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Insert for FacilityRow {
    const TABLE: &'static str = "facilities";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "facility_code",
        "name",
        "kana",
        "facility_type",
        "prefecture",
        "address",
        "corporation_id",
        "online_billing",
        "group_monthly_prescriptions",
    ];
    fn bind<'q>(&'q self, i: usize, q: Q<'q>, ctx: &'q Context, ids: &Ids) -> Q<'q> {
        q.bind(ids.facility + offset(i))
            .bind(self.code.as_str())
            .bind(self.name.as_str())
            .bind(self.kana.as_str())
            .bind(self.kind.code())
            .bind(ctx.prefecture_codes[self.prefecture].as_str())
            .bind(self.address.as_str())
            .bind(self.corporation)
            .bind(self.online_billing)
            .bind(self.group_prescriptions)
    }
}

impl Insert for UserRow {
    const TABLE: &'static str = "users";
    const COLUMNS: &'static [&'static str] =
        &["id", "email", "display_name", "role", "password_hash", "facility_id", "disabled"];
    fn bind<'q>(&'q self, i: usize, q: Q<'q>, _: &'q Context, ids: &Ids) -> Q<'q> {
        q.bind(ids.user + offset(i))
            .bind(self.email.as_str())
            .bind(self.display_name.as_str())
            .bind("clinic_manager")
            .bind(super::context::NO_PASSWORD)
            .bind(ids.facility + i64::from(self.facility))
            .bind(true)
    }
}

impl Insert for ApplicationRow {
    const TABLE: &'static str = "reader_applications";
    const COLUMNS: &'static [&'static str] = &[
        "facility_id",
        "applied_on",
        "readers",
        "model_undecided",
        "maker_code",
        "model_chosen_on",
        "bulk_declared_on",
        "bulk_batch",
    ];
    fn bind<'q>(&'q self, _: usize, q: Q<'q>, ctx: &'q Context, ids: &Ids) -> Q<'q> {
        q.bind(ids.facility + i64::from(self.facility))
            .bind(ctx.days.text(self.applied_on))
            .bind(i64::from(self.readers))
            .bind(self.model_undecided)
            .bind(ctx.makers[self.maker].as_str())
            .bind(ctx.days.text(self.model_chosen_on))
            .bind(self.bulk.map(|(on, _)| ctx.days.text(on)))
            .bind(self.bulk.map(|(_, chain)| format!("chain-{chain}-2021-03")))
    }
}

fn blocker<'q>(
    ctx: &'q Context,
    b: Option<(usize, usize, Option<&'static str>)>,
) -> (Option<&'q str>, Option<&'static str>) {
    match b {
        Some((stage, reason, text)) => (ctx.blockers[stage].get(reason).map(|(code, _)| code.as_str()), text),
        None => (None, None),
    }
}

impl Insert for ProgressRow {
    const TABLE: &'static str = "facility_progress";
    const COLUMNS: &'static [&'static str] = &[
        "facility_id",
        "stage",
        "vendor_id",
        "vendor_contract_on",
        "completed_on",
        "operation_started_on",
        "subsidy_applied_on",
        "grace_type",
        "grace_accepted",
        "blocker_code",
        "blocker_text",
    ];
    fn bind<'q>(&'q self, _: usize, q: Q<'q>, ctx: &'q Context, ids: &Ids) -> Q<'q> {
        let day = |d: Option<u16>| d.map(|d| ctx.days.text(d));
        let (code, text) = blocker(ctx, self.blocker);
        q.bind(ids.facility + i64::from(self.facility))
            .bind(self.stage.code())
            .bind(self.vendor)
            .bind(day(self.contract))
            .bind(day(self.completed))
            .bind(day(self.operating))
            .bind(day(self.subsidy_applied))
            .bind(self.grace_type.map(i64::from))
            .bind(self.grace_type.is_some())
            .bind(code)
            .bind(text)
    }
}

impl Insert for EventRow {
    const TABLE: &'static str = "stage_events";
    const COLUMNS: &'static [&'static str] =
        &["facility_id", "stage", "reached_on", "vendor_id", "blocker_code", "blocker_text"];
    fn bind<'q>(&'q self, _: usize, q: Q<'q>, ctx: &'q Context, ids: &Ids) -> Q<'q> {
        let (code, text) = blocker(ctx, self.blocker);
        q.bind(ids.facility + i64::from(self.facility))
            .bind(self.stage.code())
            .bind(ctx.days.text(self.on))
            .bind(self.vendor)
            .bind(code)
            .bind(text)
    }
}

impl Insert for QuoteRow {
    const TABLE: &'static str = "quotes";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "facility_id",
        "vendor_id",
        "file_name",
        "quote_date",
        "tax_inclusive",
        "confirmed",
        "written_subtotal",
        "written_tax",
        "written_tax_included",
        "written_total",
        "paid_on",
    ];
    fn bind<'q>(&'q self, i: usize, q: Q<'q>, ctx: &'q Context, ids: &Ids) -> Q<'q> {
        // Money columns are TEXT: SQLite stores a bound integer there as its decimal text.
        q.bind(ids.quote + offset(i))
            .bind(ids.facility + i64::from(self.facility))
            .bind(self.vendor)
            .bind(QUOTE_FILE_NAME)
            .bind(ctx.days.text(self.date))
            .bind(false)
            .bind(true)
            .bind(self.subtotal)
            .bind(self.tax)
            .bind(false)
            .bind(self.subtotal + self.tax)
            .bind(self.paid_on.map(|d| ctx.days.text(d)))
    }
}

impl Insert for LineRow {
    const TABLE: &'static str = "quote_lines";
    const COLUMNS: &'static [&'static str] = &[
        "quote_id",
        "position",
        "kind",
        "description",
        "spec",
        "category",
        "quantity",
        "unit",
        "unit_price",
        "amount",
        "comparable_price",
        "note",
    ];
    fn bind<'q>(&'q self, _: usize, q: Q<'q>, _: &'q Context, ids: &Ids) -> Q<'q> {
        q.bind(ids.quote + i64::from(self.quote))
            .bind(i64::from(self.position))
            .bind(self.kind())
            .bind(self.description)
            .bind(self.spec)
            .bind(self.category.code())
            .bind(self.quantity)
            .bind(self.unit)
            .bind(self.unit_price)
            .bind(self.amount())
            .bind(self.comparable())
            .bind(self.note)
    }
}

impl Insert for ComplaintRow {
    const TABLE: &'static str = "complaints";
    const COLUMNS: &'static [&'static str] =
        &["id", "facility_id", "quote_id", "vendor_id", "kind", "description", "status", "filed_by", "filed_at"];
    fn bind<'q>(&'q self, i: usize, q: Q<'q>, _: &'q Context, ids: &Ids) -> Q<'q> {
        // The i-th complaint was filed by the batch's i-th user (one each).
        q.bind(ids.complaint + offset(i))
            .bind(ids.facility + i64::from(self.facility))
            .bind(self.quote.map(|quote| ids.quote + i64::from(quote)))
            .bind(self.vendor)
            .bind(self.kind)
            .bind(self.description)
            .bind(self.status.code())
            .bind(ids.user + offset(i))
            .bind(self.filed_at.as_str())
    }
}

impl Insert for ComplaintEventRow {
    const TABLE: &'static str = "complaint_events";
    const COLUMNS: &'static [&'static str] = &["complaint_id", "from_status", "to_status", "actor_id", "comment", "at"];
    fn bind<'q>(&'q self, _: usize, q: Q<'q>, _: &'q Context, ids: &Ids) -> Q<'q> {
        let actor = match self.actor {
            Mover::Filer(u) => ids.user + i64::from(u),
            Mover::User(id) => id,
        };
        q.bind(ids.complaint + i64::from(self.complaint))
            .bind(self.from.map(|s| s.code()))
            .bind(self.to.code())
            .bind(actor)
            .bind(super::text::complaint_comment(self.to))
            .bind(self.at.as_str())
    }
}

impl Insert for SubsidyRow {
    const TABLE: &'static str = "subsidy_applications";
    const COLUMNS: &'static [&'static str] = &[
        "facility_id",
        "quote_id",
        "status",
        "applied_on",
        "scheme_id",
        "total_cost",
        "eligible_cost",
        "subsidy",
        "self_burden",
        "package_json",
        "submitted_on",
        "paid_on",
        "paid_amount",
    ];
    fn bind<'q>(&'q self, _: usize, q: Q<'q>, ctx: &'q Context, ids: &Ids) -> Q<'q> {
        // As db::applications::save_draft, submit and record_payment write them; paid in full.
        let p = &self.package;
        q.bind(ids.facility + i64::from(self.facility))
            .bind(ids.quote + i64::from(self.quote))
            .bind(self.status.code())
            .bind(p.applied_on.to_string())
            .bind(p.scheme_id.as_str())
            .bind(p.total_cost.amount().to_string())
            .bind(p.eligible_cost.amount().to_string())
            .bind(p.subsidy.amount().to_string())
            .bind(p.self_burden.amount().to_string())
            .bind(self.package_json.as_str())
            .bind(self.submitted_on.map(|d| ctx.days.text(d)))
            .bind(self.paid_on.map(|d| ctx.days.text(d)))
            .bind(self.paid_on.map(|_| p.subsidy.amount().to_string()))
    }
}

async fn next_id(conn: &mut SqliteConnection, table: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).fetch_one(&mut *conn).await
}

/// The ids a written batch got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// First facility id.
    pub first_facility: i64,
    /// Last facility id.
    pub last_facility: i64,
}

/// Writes every row of `batch` and its audit-log row in `tx` (the caller commits).
pub async fn batch(tx: &mut Transaction<'_, Sqlite>, ctx: &Context, batch: &Batch) -> sqlx::Result<Written> {
    let conn = &mut **tx;
    let ids = Ids {
        facility: next_id(conn, "facilities").await?,
        user: next_id(conn, "users").await?,
        quote: next_id(conn, "quotes").await?,
        complaint: next_id(conn, "complaints").await?,
    };
    insert_all(conn, &batch.facilities, ctx, &ids).await?;
    insert_all(conn, &batch.users, ctx, &ids).await?;
    insert_all(conn, &batch.applications, ctx, &ids).await?;
    insert_all(conn, &batch.progress, ctx, &ids).await?;
    insert_all(conn, &batch.events, ctx, &ids).await?;
    insert_all(conn, &batch.quotes, ctx, &ids).await?;
    insert_all(conn, &batch.lines, ctx, &ids).await?;
    insert_all(conn, &batch.complaints, ctx, &ids).await?;
    insert_all(conn, &batch.complaint_events, ctx, &ids).await?;
    insert_all(conn, &batch.subsidies, ctx, &ids).await?;
    let written =
        Written { first_facility: ids.facility, last_facility: ids.facility + offset(batch.facilities.len()) - 1 };
    let o = &ctx.options;
    let change = Change {
        action: "seed_national",
        entity: "facility",
        entity_id: format!("{}-{}", written.first_facility, written.last_facility),
        before: None,
        after: Some(serde_json::json!({
            "seed": o.seed, "run_facilities": o.facilities, "quotes_per_facility": o.quotes_per_facility,
            "lines_per_quote": o.lines_per_quote, "batch_first_index": batch.first,
            "facilities": batch.facilities.len(), "quotes": batch.quotes.len(), "quote_lines": batch.lines.len(),
            "stage_events": batch.events.len(), "complaints": batch.complaints.len(), "users": batch.users.len(),
            "subsidy_applications": batch.subsidies.len(),
        })),
    };
    audit_log::record(tx, &Actor::cli(), change).await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_row_insert_has_one_group_of_placeholders_per_row() {
        assert_eq!(values_sql("t", &["a", "b"], 3), "INSERT INTO t (a, b) VALUES (?,?),(?,?),(?,?)");
    }

    #[test]
    fn no_statement_exceeds_sqlites_parameter_limit() {
        for columns in
            [FacilityRow::COLUMNS, LineRow::COLUMNS, ProgressRow::COLUMNS, QuoteRow::COLUMNS, SubsidyRow::COLUMNS]
        {
            let rows = (MAX_PARAMETERS / columns.len()).clamp(1, MAX_ROWS_PER_STATEMENT);
            assert!(rows * columns.len() <= MAX_PARAMETERS);
        }
    }
}
