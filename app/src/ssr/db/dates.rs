//! A facility's stored dates read together — reader application, 機種選定, contract, completion,
//! operation start, the receipts' dates and the 交付申請 — so that a form checks the dates it
//! would write against all the others inside the transaction that writes them, and
//! `onshi check-dates` lists the facilities whose dates are in an impossible order
//! (`rules::date_order`).

use crate::UiError;
use chrono::NaiveDate;
use rules::date_order::{self, DateConflict, DateField};
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// The dates of one facility as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacilityDates {
    /// カードリーダー申込日.
    pub reader_applied_on: Option<NaiveDate>,
    /// Applied as 機種未定: only then is the 機種選定日 a date of its own.
    pub model_undecided: bool,
    /// 機種選定日.
    pub model_chosen_on: Option<NaiveDate>,
    /// ベンダー契約日（発注日）.
    pub vendor_contract_on: Option<NaiveDate>,
    /// 導入完了日.
    pub completed_on: Option<NaiveDate>,
    /// 運用開始日.
    pub operation_started_on: Option<NaiveDate>,
    /// 交付申請日 (recorded when the application is submitted).
    pub subsidy_applied_on: Option<NaiveDate>,
    /// The quote the submitted 交付申請 is built on; its receipt must come before the 申請日.
    pub applied_quote: Option<i64>,
    /// Paid confirmed quotes: (quote id, 支払日 — the 領収書's date).
    pub paid: Vec<(i64, NaiveDate)>,
}

impl FacilityDates {
    /// The dates as `date_order` reads them with one receipt (or none). The 交付申請日 is
    /// compared with the receipts of the application's own quote only: another quote paid
    /// later (an extension, a later purchase) is not what the application claimed.
    fn dated(&self, paid: Option<(i64, NaiveDate)>) -> [(DateField, Option<NaiveDate>); 7] {
        let applied_with = |quote: i64| self.applied_quote.is_none_or(|q| q == quote);
        let applied = self.subsidy_applied_on.filter(|_| paid.is_none_or(|(q, _)| applied_with(q)));
        [
            (DateField::ReaderApplied, self.reader_applied_on),
            (DateField::ModelChosen, self.model_chosen_on.filter(|_| self.model_undecided)),
            (DateField::VendorContract, self.vendor_contract_on),
            (DateField::Completed, self.completed_on),
            (DateField::OperationStarted, self.operation_started_on),
            (DateField::Paid, paid.map(|(_, on)| on)),
            (DateField::SubsidyApplied, applied),
        ]
    }

    /// Every conflict among the dates, with every receipt in turn: one per date, against the
    /// latest date it precedes, as `date_order` gives them.
    pub fn conflicts(&self) -> Vec<DateConflict> {
        self.each_receipt(date_order::conflicts)
    }

    /// The conflicts in which one of `written` takes part: what a form writing them must refuse.
    pub fn conflicts_involving(&self, written: &[DateField]) -> Vec<DateConflict> {
        self.each_receipt(|dates| date_order::conflicts_involving(dates, written))
    }

    fn each_receipt(&self, find: impl Fn(&[(DateField, Option<NaiveDate>)]) -> Vec<DateConflict>) -> Vec<DateConflict> {
        let mut found: Vec<DateConflict> = Vec::new();
        let receipts = std::iter::once(None).chain(self.paid.iter().copied().map(Some));
        for receipt in receipts {
            for c in find(&self.dated(receipt)) {
                match found.iter_mut().find(|f| (f.field, f.date) == (c.field, c.date)) {
                    Some(f) if c.after_date > f.after_date => *f = c,
                    Some(_) => {}
                    None => found.push(c),
                }
            }
        }
        found
    }

    /// These dates as the given 交付申請 would make them: its 申請日 and the receipt of its
    /// quote (whatever else the facility paid is not in the application).
    pub fn applying(&self, quote_id: i64, applied_on: NaiveDate) -> FacilityDates {
        FacilityDates {
            subsidy_applied_on: Some(applied_on),
            applied_quote: Some(quote_id),
            paid: self.paid.iter().copied().filter(|(q, _)| *q == quote_id).collect(),
            ..self.clone()
        }
    }
}

/// The refusal of a form whose dates conflict: each conflict, naming both dates, beside `field`.
pub fn refuse(conflicts: &[DateConflict], field: &str) -> Result<(), UiError> {
    if conflicts.is_empty() {
        return Ok(());
    }
    Err(UiError::Fields(conflicts.iter().map(|c| (field.to_owned(), c.to_string())).collect()))
}

/// The refusal of a 交付申請 whose dates conflict: those of its 申請日 beside `applied_field`,
/// the others (stored dates that the package would print) under their refusal code.
pub fn refuse_application(conflicts: &[DateConflict], applied_field: &str) -> Result<(), UiError> {
    if conflicts.is_empty() {
        return Ok(());
    }
    let code = rules::application::RefusalCode::DatesOutOfOrder.code();
    let field = |c: &DateConflict| if c.involves(DateField::SubsidyApplied) { applied_field } else { code };
    Err(UiError::Fields(conflicts.iter().map(|c| (field(c).to_owned(), c.to_string())).collect()))
}

/// The stored columns, as text (YYYY-MM-DD).
#[derive(sqlx::FromRow)]
struct DatesRow {
    id: i64,
    facility_code: String,
    name: String,
    reader_applied_on: Option<String>,
    model_undecided: Option<bool>,
    model_chosen_on: Option<String>,
    vendor_contract_on: Option<String>,
    completed_on: Option<String>,
    operation_started_on: Option<String>,
    subsidy_applied_on: Option<String>,
    applied_quote: Option<i64>,
}

const DATES_SELECT: &str = "SELECT f.id, f.facility_code, f.name, a.applied_on AS reader_applied_on, a.model_undecided,
        a.model_chosen_on, p.vendor_contract_on, p.completed_on, p.operation_started_on, p.subsidy_applied_on,
        (SELECT s.quote_id FROM subsidy_applications s WHERE s.facility_id = f.id AND s.status <> 'draft') AS applied_quote
     FROM facilities f
     LEFT JOIN reader_applications a ON a.facility_id = f.id LEFT JOIN facility_progress p ON p.facility_id = f.id";

fn day(text: Option<&str>) -> Option<NaiveDate> {
    text.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

impl DatesRow {
    fn dates(&self, paid: Vec<(i64, NaiveDate)>) -> FacilityDates {
        FacilityDates {
            reader_applied_on: day(self.reader_applied_on.as_deref()),
            model_undecided: self.model_undecided.unwrap_or(false),
            model_chosen_on: day(self.model_chosen_on.as_deref()),
            vendor_contract_on: day(self.vendor_contract_on.as_deref()),
            completed_on: day(self.completed_on.as_deref()),
            operation_started_on: day(self.operation_started_on.as_deref()),
            subsidy_applied_on: day(self.subsidy_applied_on.as_deref()),
            applied_quote: self.applied_quote,
            paid,
        }
    }
}

/// The paid confirmed quotes of the facility (all facilities: None), by facility.
async fn receipts(
    db: &mut SqliteConnection,
    facility_id: Option<i64>,
) -> sqlx::Result<HashMap<i64, Vec<(i64, NaiveDate)>>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT facility_id, id, paid_on FROM quotes
         WHERE confirmed = 1 AND paid_on IS NOT NULL AND (?1 IS NULL OR facility_id = ?1) ORDER BY facility_id, id",
    )
    .bind(facility_id)
    .fetch_all(db)
    .await?;
    let mut by_facility: HashMap<i64, Vec<(i64, NaiveDate)>> = HashMap::new();
    for (facility, quote, paid_on) in rows {
        if let Some(on) = day(Some(&paid_on)) {
            by_facility.entry(facility).or_default().push((quote, on));
        }
    }
    Ok(by_facility)
}

/// The stored dates of one facility (call after a scoped check; inside the writing
/// transaction, so that nothing changes between the check and the write).
pub async fn of_facility(db: &mut SqliteConnection, facility_id: i64) -> sqlx::Result<FacilityDates> {
    let row: Option<DatesRow> =
        sqlx::query_as(&format!("{DATES_SELECT} WHERE f.id = ?")).bind(facility_id).fetch_optional(&mut *db).await?;
    let mut paid = receipts(db, Some(facility_id)).await?;
    Ok(row.map(|r| r.dates(paid.remove(&facility_id).unwrap_or_default())).unwrap_or_default())
}

/// A facility whose stored dates conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflicting {
    /// 医療機関コード.
    pub facility_code: String,
    /// Name.
    pub name: String,
    /// Each conflict.
    pub conflicts: Vec<DateConflict>,
}

/// Every facility whose stored dates conflict, by 医療機関コード.
pub async fn conflicting(db: &mut SqliteConnection) -> sqlx::Result<Vec<Conflicting>> {
    let rows: Vec<DatesRow> = sqlx::query_as(&format!(
        "{DATES_SELECT} WHERE a.facility_id IS NOT NULL OR p.facility_id IS NOT NULL ORDER BY f.facility_code"
    ))
    .fetch_all(&mut *db)
    .await?;
    let mut paid = receipts(db, None).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let conflicts = r.dates(paid.remove(&r.id).unwrap_or_default()).conflicts();
            (!conflicts.is_empty()).then_some(Conflicting { facility_code: r.facility_code, name: r.name, conflicts })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn applied() -> FacilityDates {
        FacilityDates {
            reader_applied_on: Some(d("2022-07-15")),
            vendor_contract_on: Some(d("2022-09-10")),
            completed_on: Some(d("2022-11-20")),
            operation_started_on: Some(d("2022-12-01")),
            subsidy_applied_on: Some(d("2023-01-20")),
            applied_quote: Some(1),
            paid: vec![(1, d("2022-11-25"))],
            ..FacilityDates::default()
        }
    }

    #[test]
    fn a_later_receipt_of_another_quote_does_not_conflict_with_the_application() {
        let later = FacilityDates { paid: vec![(1, d("2022-11-25")), (2, d("2023-03-01"))], ..applied() };
        assert!(later.conflicts().is_empty(), "{:?}", later.conflicts());
        let own = FacilityDates { paid: vec![(1, d("2023-03-01"))], ..applied() };
        let c = own.conflicts();
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].field, c[0].after), (DateField::SubsidyApplied, DateField::Paid));
    }

    #[test]
    fn every_receipt_is_checked_against_the_contract_and_a_conflict_is_listed_once() {
        let early = FacilityDates {
            vendor_contract_on: Some(d("2022-06-01")),
            paid: vec![(1, d("2022-11-25")), (2, d("2022-09-01"))],
            ..applied()
        };
        let c = early.conflicts();
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].field, c[0].after), (DateField::VendorContract, DateField::ReaderApplied));
        let receipt = FacilityDates { paid: vec![(2, d("2022-09-01"))], ..applied() };
        let c = receipt.conflicts_involving(&[DateField::Paid]);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].field, c[0].after), (DateField::Paid, DateField::VendorContract));
    }

    #[test]
    fn an_application_before_both_operation_and_payment_is_named_once_against_the_later() {
        let early = FacilityDates { subsidy_applied_on: Some(d("2022-11-22")), ..applied() };
        let c = early.conflicts();
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].after, c[0].after_date), (DateField::OperationStarted, d("2022-12-01")));
        let paid_late = FacilityDates { paid: vec![(1, d("2022-12-10"))], ..early };
        let c = paid_late.conflicts();
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].after, c[0].after_date), (DateField::Paid, d("2022-12-10")));
    }

    #[test]
    fn a_model_chosen_date_counts_only_for_an_undecided_application() {
        let decided = FacilityDates { model_chosen_on: Some(d("2022-01-01")), ..applied() };
        assert!(decided.conflicts().is_empty());
        let undecided = FacilityDates { model_undecided: true, ..decided };
        assert_eq!(undecided.conflicts()[0].field, DateField::ModelChosen);
    }

    #[test]
    fn an_application_is_checked_with_its_own_receipt_only() {
        let two = FacilityDates {
            subsidy_applied_on: None,
            applied_quote: None,
            paid: vec![(1, d("2022-11-25")), (2, d("2023-02-01"))],
            ..applied()
        };
        assert!(two.applying(1, d("2023-01-20")).conflicts().is_empty());
        let c = two.applying(2, d("2023-01-20")).conflicts();
        assert_eq!((c[0].field, c[0].after), (DateField::SubsidyApplied, DateField::Paid));
        assert!(refuse_application(&c, "applied_on").is_err_and(|e| e.field("applied_on").is_some()));
    }
}
