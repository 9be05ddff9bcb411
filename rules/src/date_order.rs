//! Dates that fit together: a facility applies for its reader, then contracts a vendor, the
//! work is finished, operation starts; receipts do not come before the work they pay for was
//! ordered, and the 交付申請 comes after payment, completion and the start of operation
//! (精算払い: the portal FAQ 「オンライン資格確認関係補助金申請について」).
//!
//! A form or command that would store dates out of this order is refused with both dates named.

use crate::format_wareki;
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// A date a facility enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateField {
    /// カードリーダー申込日.
    ReaderApplied,
    /// 機種選定日 (機種未定 only).
    ModelChosen,
    /// ベンダー契約日（発注日）.
    VendorContract,
    /// 導入完了日.
    Completed,
    /// 運用開始日.
    OperationStarted,
    /// 支払日 (the 領収書's date).
    Paid,
    /// 交付申請日.
    SubsidyApplied,
}

impl DateField {
    /// Japanese name, as the forms label it.
    pub fn label_ja(self) -> &'static str {
        match self {
            DateField::ReaderApplied => "カードリーダー申込日",
            DateField::ModelChosen => "機種選定日",
            DateField::VendorContract => "ベンダー契約日（発注日）",
            DateField::Completed => "導入完了日",
            DateField::OperationStarted => "運用開始日",
            DateField::Paid => "支払日（領収書の日付）",
            DateField::SubsidyApplied => "交付申請日",
        }
    }

    /// Stable code (also the name of the form field that holds it).
    pub fn code(self) -> &'static str {
        match self {
            DateField::ReaderApplied => "reader_applied_on",
            DateField::ModelChosen => "model_chosen_on",
            DateField::VendorContract => "vendor_contract_on",
            DateField::Completed => "completed_on",
            DateField::OperationStarted => "operation_started_on",
            DateField::Paid => "paid_on",
            DateField::SubsidyApplied => "subsidy_applied_on",
        }
    }

    /// The dates this one may not come before, in the order of the work.
    fn not_before(self) -> &'static [DateField] {
        use DateField::*;
        match self {
            ReaderApplied => &[],
            ModelChosen => &[ReaderApplied],
            VendorContract => &[ReaderApplied],
            Completed => &[VendorContract, ReaderApplied],
            OperationStarted => &[Completed, VendorContract, ReaderApplied],
            Paid => &[VendorContract, ReaderApplied],
            SubsidyApplied => &[Paid, OperationStarted, Completed, VendorContract, ReaderApplied],
        }
    }
}

/// Two dates in an impossible order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateConflict {
    /// The date that comes too early (the field to fix).
    pub field: DateField,
    /// Its value.
    pub date: NaiveDate,
    /// The date it may not come before.
    pub after: DateField,
    /// Its value.
    pub after_date: NaiveDate,
}

impl DateConflict {
    /// What is wrong, naming both dates: 「ベンダー契約日（発注日）（令和4年7月1日）がカードリーダー申込日（令和4年8月1日）より前になっています」.
    pub fn problem_ja(&self) -> String {
        format!(
            "{}（{}）が{}（{}）より前になっています",
            self.field.label_ja(),
            format_wareki(self.date),
            self.after.label_ja(),
            format_wareki(self.after_date)
        )
    }

    /// What to do: 「ベンダー契約日（発注日）はカードリーダー申込日以降の日付にしてください」.
    pub fn remedy_ja(&self) -> String {
        format!("{}は{}以降の日付にしてください", self.field.label_ja(), self.after.label_ja())
    }

    /// Whether `field` is one of the two dates.
    pub fn involves(&self, field: DateField) -> bool {
        self.field == field || self.after == field
    }
}

impl fmt::Display for DateConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}。{}", self.problem_ja(), self.remedy_ja())
    }
}

/// Every date that comes before one it may not precede; one conflict per date, against the
/// latest such date (moving the date there clears all its conflicts at once: a payment may
/// come before the operation start, so the first date in the order is not always the latest).
/// Dates not entered (None) are skipped.
pub fn conflicts(dates: &[(DateField, Option<NaiveDate>)]) -> Vec<DateConflict> {
    conflicts_where(dates, |_, _| true)
}

/// The conflicts a form that writes `written` must refuse: those in which one of the two
/// dates is written. A conflict between two stored dates the form does not touch is left to
/// `onshi check-dates` (refusing it would block every form of the facility), yet it does not
/// hide a conflict of a written date, which the nearest-date rule of [`conflicts`] could.
pub fn conflicts_involving(dates: &[(DateField, Option<NaiveDate>)], written: &[DateField]) -> Vec<DateConflict> {
    conflicts_where(dates, |field, after| written.contains(&field) || written.contains(&after))
}

fn conflicts_where(
    dates: &[(DateField, Option<NaiveDate>)],
    keep: impl Fn(DateField, DateField) -> bool,
) -> Vec<DateConflict> {
    let value = |f: DateField| dates.iter().find(|(g, _)| *g == f).and_then(|(_, d)| *d);
    dates
        .iter()
        .filter_map(|&(field, date)| {
            let date = date?;
            field
                .not_before()
                .iter()
                .filter(|&&after| keep(field, after))
                .filter_map(|&after| {
                    let after_date = value(after)?;
                    (date < after_date).then_some(DateConflict { field, date, after, after_date })
                })
                // The latest; on a tie the first in the order (max_by_key keeps the last).
                .rev()
                .max_by_key(|c| c.after_date)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn a_contract_before_the_reader_application_is_named_with_both_dates() {
        let c = conflicts(&[(DateField::ReaderApplied, d(2022, 8, 1)), (DateField::VendorContract, d(2022, 7, 1))]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, DateField::VendorContract);
        assert_eq!(
            c[0].to_string(),
            "ベンダー契約日（発注日）（令和4年7月1日）がカードリーダー申込日（令和4年8月1日）より前になっています。ベンダー契約日（発注日）はカードリーダー申込日以降の日付にしてください"
        );
    }

    #[test]
    fn dates_in_order_and_missing_dates_pass() {
        let ok = [
            (DateField::ReaderApplied, d(2022, 8, 1)),
            (DateField::VendorContract, None),
            (DateField::Completed, d(2022, 12, 1)),
            (DateField::OperationStarted, d(2022, 12, 1)),
            (DateField::Paid, d(2022, 12, 20)),
            (DateField::SubsidyApplied, d(2023, 1, 5)),
        ];
        assert!(conflicts(&ok).is_empty());
    }

    #[test]
    fn a_missing_middle_date_still_orders_the_ends() {
        let c = conflicts(&[
            (DateField::ReaderApplied, d(2022, 8, 1)),
            (DateField::VendorContract, None),
            (DateField::Completed, d(2022, 7, 1)),
        ]);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].field, c[0].after), (DateField::Completed, DateField::ReaderApplied));
    }

    #[test]
    fn a_receipt_before_the_order_and_an_application_before_payment_are_refused() {
        let c = conflicts(&[
            (DateField::VendorContract, d(2022, 9, 1)),
            (DateField::Paid, d(2022, 8, 31)),
            (DateField::SubsidyApplied, d(2022, 8, 30)),
        ]);
        let pairs: Vec<_> = c.iter().map(|c| (c.field, c.after)).collect();
        // The application is named against the latest date it precedes: the contract (09-01),
        // which the early receipt (08-31) itself precedes.
        assert_eq!(
            pairs,
            [(DateField::Paid, DateField::VendorContract), (DateField::SubsidyApplied, DateField::VendorContract)]
        );
    }

    #[test]
    fn an_application_before_both_payment_and_operation_is_named_against_the_later_of_them() {
        // Paid in advance (before the operation start), applied before either.
        let dates = [
            (DateField::OperationStarted, d(2022, 12, 1)),
            (DateField::Paid, d(2022, 11, 25)),
            (DateField::SubsidyApplied, d(2022, 11, 20)),
        ];
        let c = conflicts(&dates);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].after, c[0].after_date), (DateField::OperationStarted, d(2022, 12, 1).unwrap()));
        // Between the two: only the operation start is still ahead of it.
        let between = [dates[0], dates[1], (DateField::SubsidyApplied, d(2022, 11, 30))];
        assert_eq!(conflicts(&between)[0].after, DateField::OperationStarted);
    }

    #[test]
    fn a_form_sees_the_conflicts_of_the_dates_it_writes_even_behind_a_stored_conflict() {
        // Stored: completion before the contract (an old conflict). The form writes a reader
        // application after the completion: the completion's nearest conflict is the contract,
        // yet the new date's own conflict must be found.
        let dates = [
            (DateField::ReaderApplied, d(2022, 8, 15)),
            (DateField::VendorContract, d(2022, 9, 1)),
            (DateField::Completed, d(2022, 8, 1)),
        ];
        let written = conflicts_involving(&dates, &[DateField::ReaderApplied]);
        assert_eq!(written.len(), 1);
        assert_eq!((written[0].field, written[0].after), (DateField::Completed, DateField::ReaderApplied));
        assert!(written[0].involves(DateField::ReaderApplied));
        // The stored conflict alone does not concern a form that writes the payment.
        assert!(conflicts_involving(&dates, &[DateField::Paid]).is_empty());
        assert_eq!(conflicts(&dates).len(), 1, "one per date");
    }

    #[test]
    fn the_message_is_the_problem_then_the_remedy() {
        let c = conflicts(&[(DateField::Paid, d(2023, 2, 1)), (DateField::SubsidyApplied, d(2023, 1, 31))]);
        assert_eq!(
            c[0].problem_ja(),
            "交付申請日（令和5年1月31日）が支払日（領収書の日付）（令和5年2月1日）より前になっています"
        );
        assert_eq!(c[0].remedy_ja(), "交付申請日は支払日（領収書の日付）以降の日付にしてください");
        assert_eq!(c[0].to_string(), format!("{}。{}", c[0].problem_ja(), c[0].remedy_ja()));
    }
}
