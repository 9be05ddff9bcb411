//! Text and numbers as Japanese quotes write them: full-width forms, stray spaces, 「1台」, 「¥1,050,000-」.

use crate::grid::Value;
use rules::Yen;
use rules::quote::Unit;
use rust_decimal::Decimal;
use std::str::FromStr;

// Labels folded as the rules tell their kinds (rules::quote::SummaryKind reads the same way).
pub(crate) use rules::label::{compact, compact_unbracketed};

/// Whether text is a number as typed (CSV cells are all text): 「1」「120,000」「￥１２０，０００」「▲500」.
pub(crate) fn looks_numeric(text: &str) -> bool {
    let t = compact(text);
    t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || ",.-+¥\\円()▲△".contains(c))
}

/// A cell's text as shown to people: trimmed (full-width spaces too), line breaks as one space.
pub(crate) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

/// Largest amount accepted: 10兆円. Bounds every product and sum the audit
/// makes (10^13 × 10^7 × 200,000 lines stays far inside `Decimal`'s 7.9 × 10^28).
fn max_amount() -> Decimal {
    Decimal::from(10_000_000_000_000_i64)
}

/// Largest quantity accepted.
fn max_quantity() -> Decimal {
    Decimal::from(10_000_000_i64)
}

/// What reading a number cell found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NumberProblem {
    /// Digits that are not an amount (the text).
    Unreadable(String),
    /// Beyond the bounds above (the text).
    OutOfRange(String),
}

/// A float from a cell as an exact decimal, rounded to `dp` places: Excel's
/// 104990.00000000001 is 104,990.
fn decimal_from_f64(f: f64, dp: u32) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    // Whole numbers below 2^53 are exact in a float: no text round trip needed.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        return Some(Decimal::from(f as i64));
    }
    // Rust prints the shortest text that reads back as the same float; that
    // text parsed as a decimal is what the spreadsheet shows.
    let text = format!("{f}");
    Decimal::from_str(&text).ok().map(|d| d.round_dp(dp).normalize())
}

/// Words written in money cells that mean zero.
const FREE_WORDS: [&str; 5] = ["無償", "無料", "サービス", "0円", "０円"];

/// The word a quote writes where a price would be (別途, サービス, 無償, 込み, 一式, ―), if the
/// cell holds one rather than a figure.
pub(crate) fn amount_word(value: &Value) -> Option<String> {
    let Value::Text(s) = value else { return None };
    let t = compact(s);
    let word = !t.is_empty() && (FREE_WORDS.contains(&t.as_str()) || !t.chars().any(|c| c.is_ascii_digit()));
    word.then(|| clean(s))
}

/// Words a quote writes in a money cell instead of a figure, by their stems: 「別途」, 「込み」,
/// 「サービス」, 「見積対象外」, 「別紙参照」.
const PRICE_WORDS: [&str; 12] =
    ["別途", "込", "無償", "無料", "サービス", "対象外", "含", "別紙", "見積外", "未定", "後日", "なし"];

/// Whether a word in a money cell is one a quote writes for a price (for a scan, where OCR makes
/// words of specks).
pub(crate) fn is_price_word(word: &str) -> bool {
    let t = compact(word);
    PRICE_WORDS.iter().any(|w| t.contains(w))
}

/// Reads a money cell. `Ok(None)` for empty, 「別途」, 「―」 and other words without digits.
pub(crate) fn money(value: &Value) -> Result<Option<Yen>, NumberProblem> {
    let amount = match value {
        Value::Number(f) => match decimal_from_f64(*f, 4) {
            Some(d) => d,
            None => return Err(NumberProblem::OutOfRange(format!("{f}"))),
        },
        Value::Text(s) => match money_text(s)? {
            Some(d) => d,
            None => return Ok(None),
        },
        Value::Date(_) | Value::Bool(_) | Value::Error(_) => return Ok(None),
    };
    if amount.abs() >= max_amount() {
        return Err(NumberProblem::OutOfRange(display_value(value)));
    }
    Ok(Some(Yen::new(amount)))
}

fn display_value(value: &Value) -> String {
    match value {
        Value::Text(s) => s.clone(),
        Value::Number(f) => format!("{f}"),
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Error(e) => e.clone(),
    }
}

fn money_text(s: &str) -> Result<Option<Decimal>, NumberProblem> {
    let t = compact(s);
    if t.is_empty() {
        return Ok(None);
    }
    if FREE_WORDS.contains(&t.as_str()) {
        return Ok(Some(Decimal::ZERO));
    }
    if !t.chars().any(|c| c.is_ascii_digit()) {
        // 「別途」「込み」「―」「-」: no amount written.
        return Ok(None);
    }
    let unreadable = || NumberProblem::Unreadable(clean(s));
    let mut candidates = vec![t.clone()];
    // 「@8,000」: the at-sign some quotes put before a unit price.
    let mut rest = t.trim_start_matches('@').to_owned();
    // 「¥1,050,000-」「1,050,000.-」「1,050,000円也」: the tail that stops figures being altered.
    for tail in ["也", "-", ".", "ー", "—", "‐"] {
        if let Some(r) = rest.strip_suffix(tail) {
            rest = r.to_owned();
        }
    }
    candidates.push(rest.clone());
    // 「1,050,000円(税込)」: the tax basis is the table's business, not the amount's.
    if let Some(open) = rest.find('(')
        && open > 0
        && rest.ends_with(')')
    {
        candidates.push(rest.get(..open).unwrap_or_default().to_owned());
    }
    for c in &candidates {
        if let Ok(y) = Yen::parse(c) {
            return Ok(Some(y.amount()));
        }
    }
    match Yen::parse(&t) {
        Err(rules::InvalidYen::OutOfRange(_)) => Err(NumberProblem::OutOfRange(clean(s))),
        _ => Err(unreadable()),
    }
}

/// Reads a quantity cell: a number, or text such as 「2」「１２」「0.5」「1台」「16時間」「一式」「3 ヶ月」.
/// Returns the quantity and the unit written with it. Unreadable text gives
/// nothing rather than an error: a quantity is not money.
pub(crate) fn quantity(value: &Value) -> Result<(Option<Decimal>, Option<Unit>), NumberProblem> {
    let (q, unit) = match value {
        Value::Number(f) => (decimal_from_f64(*f, 6), None),
        Value::Text(s) => quantity_text(s),
        Value::Date(_) | Value::Bool(_) | Value::Error(_) => (None, None),
    };
    if let Some(q) = q
        && q.abs() >= max_quantity()
    {
        return Err(NumberProblem::OutOfRange(display_value(value)));
    }
    Ok((q, unit))
}

fn quantity_text(s: &str) -> (Option<Decimal>, Option<Unit>) {
    let t = compact(s);
    if t.is_empty() {
        return (None, None);
    }
    // 「一式」「1式」 alone: one lump sum (rules::quote::Unit::parse reads both as LumpSum).
    if Unit::parse(&t) == Some(Unit::LumpSum) {
        return (Some(Decimal::ONE), Some(Unit::LumpSum));
    }
    let (number, unit) = match t.strip_prefix('一') {
        // 「一台」: a kanji one before a unit.
        Some(rest) if !rest.is_empty() => ("1".to_owned(), rest.to_owned()),
        _ => {
            let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(t.len());
            let (n, u) = t.split_at(split);
            (n.replace(',', ""), u.to_owned())
        }
    };
    if number.is_empty() && unit.chars().any(|c| c.is_ascii_digit()) {
        // 「約3」「3～4」: not a quantity this reader can state.
        return (None, None);
    }
    let q = if number.is_empty() { None } else { Decimal::from_str_exact(&number).ok().map(|d| d.normalize()) };
    (q, Unit::parse(&unit))
}

/// Reads a unit cell: 「台」「時間」「一式」…
pub(crate) fn unit(value: &Value) -> Option<Unit> {
    value.text().and_then(|s| Unit::parse(&compact(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    fn yen(n: i64) -> Option<Yen> {
        Some(Yen::from_i64(n))
    }

    #[test]
    fn cell_text_is_trimmed_and_line_breaks_become_spaces() {
        assert_eq!(clean("　さくら内科クリニック　"), "さくら内科クリニック");
        assert_eq!(clean("資格確認端末\r\n（ノートPC）\n"), "資格確認端末 （ノートPC）");
    }

    #[test]
    fn money_is_read_as_quotes_write_it() {
        let cases = [
            (Value::Number(150000.0), yen(150000)),
            (Value::Number(104990.00000000001), yen(104990)),
            (text("￥１２０，０００"), yen(120000)),
            (text("\\189,000"), yen(189000)),
            (text("¥1,050,000-"), yen(1050000)),
            (text("1,050,000円也"), yen(1050000)),
            (text("@8,000"), yen(8000)),
            (text("▲１１，０００"), yen(-11000)),
            (text("(10,000)"), yen(-10000)),
            (text("32.1万円"), yen(321000)),
            (text("16,000円(税込)"), yen(16000)),
            (text("無償"), yen(0)),
            (text("別途"), None),
            (text("―"), None),
            (text(""), None),
        ];
        for (value, expected) in cases {
            assert_eq!(money(&value), Ok(expected), "{value:?}");
        }
    }

    #[test]
    fn money_with_digits_that_is_not_an_amount_is_a_problem() {
        assert_eq!(money(&text("1,05,000")), Err(NumberProblem::Unreadable("1,05,000".into())));
        assert_eq!(money(&text("約3万")), Err(NumberProblem::Unreadable("約3万".into())));
        assert!(matches!(money(&Value::Number(1e14)), Err(NumberProblem::OutOfRange(_))));
        assert!(matches!(money(&Value::Number(f64::NAN)), Err(NumberProblem::OutOfRange(_))));
        assert!(matches!(money(&text("99999999999999999999999999999999")), Err(NumberProblem::OutOfRange(_))));
        assert!(matches!(money(&Value::Number(1e300)), Err(NumberProblem::OutOfRange(_))));
        assert!(matches!(money(&Value::Number(f64::INFINITY)), Err(NumberProblem::OutOfRange(_))));
    }

    #[test]
    fn floats_at_the_edges_never_panic() {
        for f in [5e-324, -5e-324, f64::MIN_POSITIVE, -0.0, 1e-30, 9_007_199_254_740_993.0, f64::MAX, f64::MIN] {
            let _ = money(&Value::Number(f));
            let _ = quantity(&Value::Number(f));
        }
        assert_eq!(money(&Value::Number(-0.0)), Ok(Some(Yen::ZERO)));
    }

    #[test]
    fn quantities_carry_their_unit() {
        let d = |s: &str| Some(Decimal::from_str_exact(s).unwrap());
        let cases = [
            (Value::Number(3.0), (d("3"), None)),
            (Value::Number(0.1 + 0.2), (d("0.3"), None)),
            (text("１台"), (d("1"), Some(Unit::Device))),
            (text("16時間"), (d("16"), Some(Unit::Hour))),
            (text("3 ヶ月"), (d("3"), Some(Unit::Month))),
            (text("1.5人日"), (d("1.5"), Some(Unit::PersonDay))),
            (text("一式"), (d("1"), Some(Unit::LumpSum))),
            (text("1式"), (d("1"), Some(Unit::LumpSum))),
            (text("一台"), (d("1"), Some(Unit::Device))),
            (text("式"), (None, Some(Unit::Set))),
            (text("1,000本"), (d("1000"), Some(Unit::Other("本".into())))),
            (text("約3"), (None, None)),
        ];
        for (value, expected) in cases {
            assert_eq!(quantity(&value), Ok(expected), "{value:?}");
        }
        assert!(matches!(quantity(&text("99999999台")), Err(NumberProblem::OutOfRange(_))));
    }
}
