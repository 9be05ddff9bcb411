//! Payback: how many months of the fee additions for using オンライン資格確認 it takes to earn
//! back the facility's 自己負担, after the running costs (保守, 回線) of each month.
//!
//! The fee additions are claimed once a month per patient (月1回に限り), 1点 = 10円. The
//! calculation assumes every patient counted qualifies for the higher points; the page says so.

use crate::quote::Unit;
use crate::{FacilityType, Rate, Yen, format_wareki};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Yen per 点 (診療報酬の算定方法: 1点の単価は10円).
pub const YEN_PER_POINT: i64 = 10;

/// A fee addition for オンライン資格確認, with its points and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeAddition {
    /// Stable id.
    pub id: &'static str,
    /// Japanese name.
    pub name_ja: &'static str,
    /// First day it could be claimed.
    pub valid_from: NaiveDate,
    /// Last day, if it ended.
    pub valid_to: Option<NaiveDate>,
    /// 初診 points (medical and dental).
    pub first_visit_points: u32,
    /// 再診・外来診療料 points.
    pub revisit_points: u32,
    /// 調剤 points (pharmacies).
    pub dispensing_points: Option<u32>,
    /// The lower points of the same addition and when they apply, in Japanese.
    pub lower_points_ja: &'static str,
    /// Public source, short form.
    pub source: &'static str,
}

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(day) => day,
        None => panic!("invalid date"),
    }
}

/// The fee additions, oldest first.
pub const FEE_ADDITIONS: [FeeAddition; 2] = [
    // seeds/002 (令和4年度診療報酬改定の説明): 初診 7点 (3点 where the information cannot be
    // obtained, until 2024-03-31), 再診・外来診療料 4点, 調剤管理料 3点 (1点 once in 3 months).
    // It took effect with the 2022 revision on 2022-04-01 and was replaced on 2022-10-01.
    FeeAddition {
        id: "electronic_info_2022",
        name_ja: "電子的保健医療情報活用加算",
        valid_from: ymd(2022, 4, 1),
        valid_to: Some(ymd(2022, 9, 30)),
        first_visit_points: 7,
        revisit_points: 4,
        dispensing_points: Some(3),
        lower_points_ja: "診療情報の取得が困難な場合の初診は3点、薬局は3月に1回1点",
        source: "厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）: 令和4年度診療報酬改定",
    },
    // The 保団連 article (sources.md): 医療情報・システム基盤整備体制充実加算, 初診 4点, or 2点
    // when the information is obtained through オンライン資格確認. It gives no 再診 or 調剤 points.
    FeeAddition {
        id: "system_base_2022_10",
        name_ja: "医療情報・システム基盤整備体制充実加算",
        valid_from: ymd(2022, 10, 1),
        valid_to: None,
        first_visit_points: 4,
        revisit_points: 0,
        dispensing_points: None,
        lower_points_ja: "オンライン資格確認で情報を取得した場合の初診は2点",
        source: "全国保険医団体連合会「オンライン資格確認義務化の問題点 第5回 整備コスト」（2022年）",
    },
];

impl FeeAddition {
    /// The period in Japanese: 「令和4年4月1日〜令和4年9月30日」, 「令和4年10月1日から」.
    pub fn period_ja(&self) -> String {
        match self.valid_to {
            Some(to) => format!("{}〜{}", format_wareki(self.valid_from), format_wareki(to)),
            None => format!("{}から", format_wareki(self.valid_from)),
        }
    }
}

/// Patients a month, as the manager enters them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MonthlyPatients {
    /// 初診 patients a month.
    pub first_visits: u32,
    /// 再診 patients a month (each counted once a month).
    pub revisits: u32,
    /// Patients whose prescriptions a pharmacy dispenses a month.
    pub prescriptions: u32,
}

/// What the payback is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaybackInput {
    /// Facility type: pharmacies earn the 調剤 points, others 初診 and 再診.
    pub facility_type: FacilityType,
    /// The 自己負担 to earn back.
    pub self_burden: Yen,
    /// Running costs a month (保守, 回線), tax included.
    pub monthly_running_cost: Yen,
    /// Patients a month.
    pub patients: MonthlyPatients,
}

/// The payback under one fee addition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaybackRow {
    /// The fee addition.
    pub fee: FeeAddition,
    /// Points a month.
    pub points: u64,
    /// Fee income a month.
    pub monthly_income: Yen,
    /// Income less running costs a month.
    pub monthly_net: Yen,
    /// Months to earn back the 自己負担; None: never (the net is not positive) or the
    /// addition gives nothing to this facility type.
    pub months: Option<u64>,
    /// Why there is no figure, in Japanese.
    pub why_none: Option<String>,
}

/// The payback under each fee addition.
pub fn payback(input: &PaybackInput) -> Vec<PaybackRow> {
    FEE_ADDITIONS.iter().map(|fee| row(fee, input)).collect()
}

fn row(fee: &FeeAddition, input: &PaybackInput) -> PaybackRow {
    let p = input.patients;
    let (points, no_points) = if input.facility_type.is_pharmacy() {
        match fee.dispensing_points {
            Some(pts) => (u64::from(p.prescriptions) * u64::from(pts), None),
            None => (0, Some("この加算の薬局の点数は出典で確認できないため、計算していません".to_owned())),
        }
    } else {
        (
            u64::from(p.first_visits) * u64::from(fee.first_visit_points)
                + u64::from(p.revisits) * u64::from(fee.revisit_points),
            None,
        )
    };
    let monthly_income = Yen::from_i64(i64::try_from(points).unwrap_or(i64::MAX / 100) * YEN_PER_POINT);
    let monthly_net = monthly_income - input.monthly_running_cost;
    let (months, why_none) = if let Some(why) = no_points {
        (None, Some(why))
    } else if input.self_burden <= Yen::ZERO {
        (Some(0), None)
    } else if monthly_net <= Yen::ZERO {
        (
            None,
            Some(format!(
                "加算の収入（月{}）が運用費用（月{}）を上回らないため、自己負担は回収できません",
                monthly_income, input.monthly_running_cost
            )),
        )
    } else {
        let m = (input.self_burden.amount() / monthly_net.amount()).ceil();
        (u64::try_from(m).ok(), None)
    };
    PaybackRow { fee: fee.clone(), points, monthly_income, monthly_net, months, why_none }
}

/// A running-cost line of a quote, for [`monthly_running_cost`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningLine {
    /// 品名.
    pub description: String,
    /// 数量.
    pub quantity: Option<Decimal>,
    /// 単位.
    pub unit: Option<Unit>,
    /// 単価.
    pub unit_price: Option<Yen>,
    /// 金額.
    pub amount: Option<Yen>,
}

/// Words in a line's name that say its price is for a year.
const YEARLY_WORDS: [&str; 3] = ["年額", "年間", "年払"];

/// Running costs a month from a quote's 保守 and 回線 lines, tax included, with the
/// assumptions made in Japanese: a line priced per 月 counts its unit price (or its amount
/// divided by the months), per 年 — or named 年額・年間・年払 — a twelfth; a line with no
/// period is taken as monthly.
pub fn monthly_running_cost(lines: &[RunningLine], tax_inclusive: bool) -> (Yen, Vec<String>) {
    let mut total = Yen::ZERO;
    let mut notes = Vec::new();
    for l in lines {
        let qty = l.quantity.filter(|q| !q.is_zero()).unwrap_or(Decimal::ONE);
        let per_unit = l.unit_price.or_else(|| l.amount.map(|a| Yen::new(a.amount() / qty)));
        let Some(per_unit) = per_unit else { continue };
        let monthly = match &l.unit {
            Some(Unit::Month) => per_unit,
            Some(Unit::Other(u)) if u.contains('年') => Yen::new((per_unit.amount() / Decimal::from(12)).floor()),
            // A line entered by hand has no unit; its name often says the period (「保守（年額）」).
            _ if YEARLY_WORDS.iter().any(|w| l.description.contains(w)) => {
                let amount = l.amount.unwrap_or(per_unit);
                let monthly = Yen::new((amount.amount() / Decimal::from(12)).floor());
                notes.push(format!(
                    "「{}」は品名から年額とみなし、{}の12分の1の{}を月額として計算しました",
                    l.description, amount, monthly
                ));
                monthly
            }
            _ => {
                let amount = l.amount.unwrap_or(per_unit);
                notes.push(format!("「{}」は期間の記載がないため、{}を月額として計算しました", l.description, amount));
                amount
            }
        };
        total = total + monthly;
    }
    if !tax_inclusive {
        total = total + Rate::TEN_PERCENT.apply(total).floor_to_whole_yen();
    }
    (total, notes)
}

#[cfg(test)]
mod tests {
    use super::{RunningLine, monthly_running_cost};
    use crate::Yen;

    #[test]
    fn a_line_without_a_unit_named_yearly_counts_a_twelfth_and_says_so() {
        // As the quote entry form stores a line typed by hand: a name and an amount, no unit.
        let typed = |description: &str, amount: i64| RunningLine {
            description: description.into(),
            quantity: None,
            unit: None,
            unit_price: None,
            amount: Some(Yen::from_i64(amount)),
        };
        let (monthly, notes) = monthly_running_cost(&[typed("保守（年額）", 12_000), typed("回線使用料", 5_000)], true);
        assert_eq!(monthly, Yen::from_i64(1_000 + 5_000));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("年額とみなし") && notes[0].contains("1,000円"), "{notes:?}");
        assert!(notes[1].contains("期間の記載がない"), "{notes:?}");
    }
}
