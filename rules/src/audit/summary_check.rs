//! Amounts a quote writes outside its item tables (a cover sheet's 御見積金額 or 初期費用, the
//! 御見積金額 above the table) checked against the lines they sum.
//!
//! A vendor may sum the whole quote or only the installation, with or without tax, before or
//! after a discount, one sheet or all of them: an amount agrees when it is any of those sums.
//! Only an amount that is none of them is a mismatch — a clean quote must never be flagged
//! because its cover chose to sum something reasonable.

use super::{AuditedLine, ComputedTotals, Evidence, Flag, FlagCode, Severity, TAX_RATE, matches_with_rounding};
use crate::Yen;
use crate::category::Category;
use crate::quote::{LineKind, Quote, SummaryAmount, SummaryKind, Unit};
use rust_decimal::Decimal;

/// A sum of some of the lines, named as a person reads it.
struct Group {
    what: String,
    sum: Yen,
}

/// Whether a line is a running cost: by its category, its unit (per month) or its words.
fn running(line: &AuditedLine, raw: &crate::quote::QuoteLine) -> bool {
    matches!(line.category, Category::Maintenance | Category::LineFee)
        || matches!(raw.unit, Some(Unit::Month))
        || raw.description.contains("月額")
}

/// The sums an amount of `kind` may be, without tax.
fn groups(quote: &Quote, lines: &[AuditedLine], kind: SummaryKind) -> Vec<Group> {
    let pairs = || lines.iter().zip(&quote.lines);
    let sum = |keep: &dyn Fn(&AuditedLine, &crate::quote::QuoteLine) -> bool| {
        pairs().filter(|(l, r)| keep(l, r)).filter_map(|(l, _)| l.amount).fold(Yen::ZERO, |a, b| a + b)
    };
    let mut out = Vec::new();
    let has_discount = quote.lines.iter().any(|l| l.kind == LineKind::Discount);
    match kind {
        SummaryKind::Whole => {
            out.push(Group { what: "明細全体".into(), sum: sum(&|_, _| true) });
            if has_discount {
                out.push(Group {
                    what: "値引き前の明細".into(), sum: sum(&|_, r| r.kind != LineKind::Discount)
                });
            }
        }
        SummaryKind::Initial => {
            out.push(Group { what: "月額の費用を除いた明細".into(), sum: sum(&|l, r| !running(l, r)) });
            out.push(Group { what: "明細全体".into(), sum: sum(&|_, _| true) });
        }
        SummaryKind::Running => {
            out.push(Group { what: "月額の費用の明細".into(), sum: sum(&|l, r| running(l, r)) });
            // 「月額費用 5,500円」 beside lines of 12ヶ月: one month of them.
            let one_month = pairs()
                .filter(|(l, r)| running(l, r))
                .filter_map(|(_, r)| r.unit_price.or(r.effective_amount()))
                .fold(Yen::ZERO, |a, b| a + b);
            out.push(Group { what: "月額の費用の明細（1か月分）".into(), sum: one_month });
        }
    }
    let mut sheets: Vec<&str> = quote.lines.iter().filter_map(|l| l.sheet.as_deref()).collect();
    sheets.dedup();
    if sheets.len() > 1 {
        for name in sheets {
            let s = sum(&|_, r| r.sheet.as_deref() == Some(name));
            out.push(Group { what: format!("シート「{name}」の明細"), sum: s });
        }
    }
    out
}

/// What `amount` agrees with, said in Japanese, or `None`.
fn agreement(quote: &Quote, lines: &[AuditedLine], summary: &SummaryAmount, kind: SummaryKind) -> Option<String> {
    let amount = summary.amount;
    for g in groups(quote, lines, kind) {
        if g.sum == Yen::ZERO {
            continue;
        }
        if amount == g.sum {
            let basis = if quote.tax_inclusive { "税込" } else { "税抜" };
            return Some(format!("{}の{basis}の合計", g.what));
        }
        if quote.tax_inclusive {
            if matches_with_rounding(amount, g.sum.amount() * Decimal::from(100) / Decimal::from(110)) {
                return Some(format!("{}の税抜の合計", g.what));
            }
        } else if matches_with_rounding(amount - g.sum, TAX_RATE.apply(g.sum).amount()) {
            return Some(format!("{}の税込の合計", g.what));
        }
    }
    let w = &quote.written;
    [(w.total, "見積書に書かれた合計"), (w.subtotal, "見積書に書かれた小計")]
        .into_iter()
        .find(|(written, _)| written.is_some_and(|t| t.amount == amount))
        .map(|(_, what)| what.to_owned())
}

/// Checks each summary amount: a note when it agrees (and what with), a flag when an amount of
/// the whole quote or of its installation agrees with none of the sums, a note when a monthly
/// amount cannot be matched (a month's charge is written in too many ways to flag it).
pub(super) fn summary_flags(
    quote: &Quote,
    lines: &[AuditedLine],
    computed: &ComputedTotals,
    notes: &mut Vec<String>,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    for summary in &quote.summary {
        let Some(kind) = SummaryKind::of(&summary.label) else {
            continue;
        };
        let said = format!("{}の「{}」{}", summary.place, summary.label, summary.amount);
        match agreement(quote, lines, summary, kind) {
            Some(what) => notes.push(format!("{said}は、{what}と一致しています。")),
            None if kind == SummaryKind::Running => {
                notes.push(format!("{said}は、明細の月額の費用の合計と照合できませんでした。"));
            }
            None => flags.push(Flag::new(
                FlagCode::ArithmeticMismatch,
                Severity::High,
                format!(
                    "{said}は、明細の合計（{}）とも、その一部の合計とも一致しません。",
                    if quote.tax_inclusive {
                        format!("税込 {}", computed.total)
                    } else {
                        format!("税抜 {}・税込 {}", computed.subtotal, computed.total)
                    },
                ),
                Evidence::plain(
                    format!("{}の「{}」と明細の合計", summary.place, summary.label),
                    Some(summary.amount.to_string()),
                    Some(computed.total.to_string()),
                ),
            )),
        }
    }
    flags
}
