//! A quote read from a scan or a photo and not yet checked by a person: what a misread digit
//! could cause is held back as 「読み取りを確認してください」 rather than put to the vendor. The
//! quote's own arithmetic (数量×単価, 小計, 消費税, 合計, the cover's 御見積金額) disagreeing is,
//! on a scan, first of all a sign that OCR misread a figure; and a line whose figures OCR was
//! unsure of cannot yet be compared with anything. Once the manager has checked the reading and
//! registered the quote, the stored quote is audited in full.

use super::{AuditReport, Flag, FlagCode};
use crate::quote::{CheckedCell, Quote};
use serde::Serialize;

/// A finding held back until the reading of a scan is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadingCheck {
    /// The line's row, or 0 for the whole quote.
    pub row: u32,
    /// The flag it would be (its stable code), had the figures been read from a file.
    pub held: FlagCode,
    /// 「読み取りを確認してください。…」 with the flag's own message.
    pub message: String,
}

fn held(row: u32, flag: Flag) -> ReadingCheck {
    ReadingCheck {
        row,
        held: flag.code,
        message: format!(
            "読み取りを確認してください。画像と見比べて数字が正しければ、次の点をベンダーに確認します: {}",
            flag.message
        ),
    }
}

/// Moves, for a quote read by OCR, the flags a misread figure could raise into the report's
/// reading checks.
pub(super) fn hold_for_reading(report: &mut AuditReport, quote: &Quote) {
    let Some(scan) = &quote.scan else { return };
    let figures = [CheckedCell::Quantity, CheckedCell::UnitPrice, CheckedCell::Amount, CheckedCell::ListPrice];
    let arithmetic = |code: FlagCode| matches!(code, FlagCode::ArithmeticMismatch | FlagCode::TaxMismatch);
    let mut checks = Vec::new();
    let mut any_doubted_figure = false;
    for line in &mut report.lines {
        let doubted = scan.doubts(line.row, &figures);
        any_doubted_figure |= doubted;
        let (keep, hold): (Vec<Flag>, Vec<Flag>) =
            std::mem::take(&mut line.flags).into_iter().partition(|f| !doubted && !arithmetic(f.code));
        line.flags = keep;
        checks.extend(hold.into_iter().map(|f| held(line.row, f)));
    }
    let (keep, hold): (Vec<Flag>, Vec<Flag>) = std::mem::take(&mut report.flags)
        .into_iter()
        .partition(|f| !(arithmetic(f.code) || any_doubted_figure && f.code == FlagCode::NearSubsidyCap));
    report.flags = keep;
    checks.extend(hold.into_iter().map(|f| held(0, f)));
    report.reading_checks = checks;
}
