//! 金額: exact yen amounts, parsed as people write them in Japanese quotes and shown as officials write them.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};
use std::str::FromStr;

/// An exact amount of yen.
///
/// Decimal rather than integer because a rate applied to a cost can leave a
/// fraction until the rule that applies truncates it (the subsidy is truncated
/// to whole 1,000円: 2,101,000 × 1/2 = 1,050,500 → 1,050,000, domain.md, from
/// the tables of sources 001 and 003). May be negative, for discount lines
/// (値引き) in quotes.
///
/// Arithmetic (`+`, `-`, `Sum`) panics only beyond ±7.9 × 10^28 yen, the range
/// of [`Decimal`], as integer arithmetic does on overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Yen(Decimal);

/// Why a string is not an amount of yen; each variant carries the input and says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidYen {
    /// Nothing but spaces.
    #[error("金額が空です。「1,050,000円」のように数字を入力してください（入力: {0:?}）")]
    Empty(String),
    /// The amount says 税込 or 税抜, which is the caller's field to record, not the amount's.
    #[error("金額に「税込」「税抜」は書けません。税区分は別の欄で指定し、金額は数字だけにしてください（入力: {0:?}）")]
    TaxWording(String),
    /// Thousands commas that are not every three digits from the right.
    #[error("桁区切りのカンマは右から3桁ごとです。「1,050,000」のように直すか、カンマを外してください（入力: {0:?}）")]
    MisplacedComma(String),
    /// More digits than an exact decimal can hold.
    #[error("金額の桁数が多すぎます。金額を確認してください（入力: {0:?}）")]
    OutOfRange(String),
    /// Anything else that is not an amount.
    #[error(
        "金額として読めません。「1,050,000円」「105万円」「-1,000」「▲1,000」「(1,000)」のように入力してください（入力: {0:?}）"
    )]
    NotAnAmount(String),
}

impl Yen {
    /// Zero yen.
    pub const ZERO: Yen = Yen(Decimal::ZERO);

    /// An exact amount.
    pub fn new(amount: Decimal) -> Self {
        Yen(amount)
    }

    /// A whole number of yen.
    pub fn from_i64(amount: i64) -> Self {
        Yen(Decimal::from(amount))
    }

    /// The exact amount.
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// Whether the amount is below zero (a discount line).
    pub fn is_negative(self) -> bool {
        self.0 < Decimal::ZERO
    }

    /// The amount as whole yen, or `None` if it has a fraction or does not fit in an `i64`.
    pub fn to_whole_yen(self) -> Option<i64> {
        if self.0.fract().is_zero() { self.0.to_i64() } else { None }
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Yen) -> Yen {
        Ord::min(self, other)
    }

    /// The larger of two amounts.
    pub fn max(self, other: Yen) -> Yen {
        Ord::max(self, other)
    }

    /// Truncates toward zero to a multiple of 1,000円, the subsidy rule
    /// (domain.md: the official tables are only consistent with truncation,
    /// 2,101,000 × 1/2 = 1,050,500 → 1,050,000).
    pub fn truncate_to_thousand(self) -> Yen {
        // Whole yen first, then the remainder of an integer: exact, no division rounding.
        let whole = self.0.trunc();
        let thousand = Decimal::from(1000);
        Yen(whole - whole % thousand)
    }

    /// Rounds down (toward negative infinity) to whole yen.
    pub fn floor_to_whole_yen(self) -> Yen {
        Yen(self.0.floor())
    }

    /// Parses an amount as written in Japanese quotes and spreadsheets.
    ///
    /// Accepts full-width digits and punctuation, surrounding spaces, a `¥`,
    /// `￥` or `\` prefix, a `円` suffix, thousands commas every three digits,
    /// `万円` / `万` amounts (`105万円`, `32.1万円`), and negatives written
    /// `-`, `−`, `▲`, `△` or in parentheses (`(1,000)`). Refuses `税込` /
    /// `税抜`: the tax basis is recorded by the caller, not inside the amount.
    pub fn parse(input: &str) -> Result<Yen, InvalidYen> {
        let normalized: String = input.chars().map(fold_money_char).collect();
        let mut rest = normalized.trim();
        if rest.is_empty() {
            return Err(InvalidYen::Empty(input.to_owned()));
        }
        if rest.contains("税込") || rest.contains("税抜") {
            return Err(InvalidYen::TaxWording(input.to_owned()));
        }
        let not_an_amount = || InvalidYen::NotAnAmount(input.to_owned());

        // `Some(true)` once a minus sign, ▲, △ or parentheses were seen; only one is allowed.
        let mut negative: Option<bool> = None;
        if let Some(inner) = strip_parentheses(rest) {
            negative = Some(true);
            rest = inner;
        }
        let mut currency_seen = false;
        loop {
            if negative.is_none()
                && let Some((is_negative, after)) = strip_sign(rest)
            {
                negative = Some(is_negative);
                rest = after.trim_start();
                continue;
            }
            if !currency_seen && let Some(after) = strip_currency(rest) {
                currency_seen = true;
                rest = after.trim_start();
                continue;
            }
            break;
        }
        let mut in_man = false;
        if let Some(counted) = parse_counted(rest.strip_suffix('円').unwrap_or(rest).trim_end()) {
            let amount = counted.map_err(|e| match e {
                NumberError::MisplacedComma => InvalidYen::MisplacedComma(input.to_owned()),
                NumberError::Malformed | NumberError::TooLong => not_an_amount(),
            })?;
            return Ok(Yen(if negative == Some(true) { -amount } else { amount }.normalize()));
        }
        if let Some(before) = rest.strip_suffix("万円").or_else(|| rest.strip_suffix('万')) {
            in_man = true;
            rest = before.trim_end();
        } else if let Some(before) = rest.strip_suffix('円') {
            rest = before.trim_end();
        }
        // "(1,000)円" and "¥(1,000)": the parentheses sit inside the currency marks.
        if negative.is_none()
            && let Some(inner) = strip_parentheses(rest)
        {
            negative = Some(true);
            rest = inner;
            if in_man {
                return Err(not_an_amount());
            }
            if let Some(before) = rest.strip_suffix("万円").or_else(|| rest.strip_suffix('万')) {
                in_man = true;
                rest = before.trim_end();
            }
        }

        let mut amount = parse_unsigned(rest).map_err(|e| match e {
            NumberError::Malformed => not_an_amount(),
            NumberError::MisplacedComma => InvalidYen::MisplacedComma(input.to_owned()),
            NumberError::TooLong => InvalidYen::OutOfRange(input.to_owned()),
        })?;
        if in_man {
            amount =
                amount.checked_mul(Decimal::from(10_000)).ok_or_else(|| InvalidYen::OutOfRange(input.to_owned()))?;
        }
        if negative == Some(true) {
            amount = -amount;
        }
        Ok(Yen(amount.normalize()))
    }

    /// The amount with thousands commas and no unit: `1,050,000`, `-1,000`, `1,234.5`.
    pub fn format_plain(self) -> String {
        let (negative, integer, fraction) = self.parts();
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&group_thousands(&integer));
        if !fraction.is_empty() {
            out.push('.');
            out.push_str(&fraction);
        }
        out
    }

    /// The amount in 万円 as the official tables write it: `105万円`,
    /// `100.1万円`, `9.9万円`, `1.2345万円`. Exact, trailing zeros trimmed.
    pub fn format_man(self) -> String {
        let (negative, integer, fraction) = self.parts();
        // Move the decimal point four places left on the digits: exact at any scale.
        let digits = format!("{integer}{fraction}");
        let point = integer.len();
        let (man_integer, man_fraction) = if point > 4 {
            (digits[..point - 4].to_owned(), digits[point - 4..].to_owned())
        } else {
            ("0".to_owned(), format!("{}{digits}", "0".repeat(4 - point)))
        };
        let man_integer = man_integer.trim_start_matches('0');
        let man_integer = if man_integer.is_empty() { "0" } else { man_integer };
        let man_fraction = man_fraction.trim_end_matches('0');
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&group_thousands(man_integer));
        if !man_fraction.is_empty() {
            out.push('.');
            out.push_str(man_fraction);
        }
        out.push_str("万円");
        out
    }

    /// Sign, integer digits and fraction digits (without trailing zeros) of the amount.
    fn parts(self) -> (bool, String, String) {
        // `normalize` drops trailing zeros and turns -0 into 0.
        let text = self.0.normalize().abs().to_string();
        let (integer, fraction) = text.split_once('.').unwrap_or((text.as_str(), ""));
        (self.is_negative(), integer.to_owned(), fraction.to_owned())
    }
}

/// Folds the full-width forms of ASCII (U+FF01–U+FF5E) and the ideographic
/// space to ASCII, as NFKC does for these characters.
///
/// Shared by the parsers of this crate; spreadsheets and quotes typed with a
/// Japanese IME are full of `１２，０００` and `Ｒ４．９．１`.
pub(crate) fn fold_fullwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// [`fold_fullwidth`] plus the minus sign U+2212, which math-aware IMEs produce.
fn fold_money_char(c: char) -> char {
    match c {
        '\u{2212}' => '-',
        _ => fold_fullwidth(c),
    }
}

/// The inside of `( … )`, trimmed, if the whole string is wrapped.
fn strip_parentheses(s: &str) -> Option<&str> {
    s.strip_prefix('(').and_then(|r| r.strip_suffix(')')).map(str::trim)
}

/// A leading sign: `(is_negative, rest)`.
fn strip_sign(s: &str) -> Option<(bool, &str)> {
    let mut chars = s.chars();
    let is_negative = match chars.next()? {
        '-' | '▲' | '△' => true,
        '+' => false,
        _ => return None,
    };
    Some((is_negative, chars.as_str()))
}

/// A leading yen mark: `¥` (also what `￥` folds to in NFKC) or `\`, which
/// Japanese fonts draw as a yen mark.
fn strip_currency(s: &str) -> Option<&str> {
    s.strip_prefix(['¥', '￥', '\\'])
}

enum NumberError {
    Malformed,
    MisplacedComma,
    TooLong,
}

/// Parses `1050000`, `1,050,000` or `1234.5`: ASCII digits, commas every
/// three digits or none at all, an optional fraction after `.`.
fn parse_unsigned(s: &str) -> Result<Decimal, NumberError> {
    let (integer, fraction) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if let Some(f) = fraction
        && !all_digits(f)
    {
        return Err(NumberError::Malformed);
    }
    let digits: String = if integer.contains(',') {
        let groups: Vec<&str> = integer.split(',').collect();
        if !groups.iter().all(|g| all_digits(g)) {
            // "1,,000" and "1,000," are misplaced commas; "1,0a0" is not a number at all.
            return if integer.bytes().all(|b| b.is_ascii_digit() || b == b',') {
                Err(NumberError::MisplacedComma)
            } else {
                Err(NumberError::Malformed)
            };
        }
        let first_ok = (1..=3).contains(&groups[0].len()) && !groups[0].starts_with('0');
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(NumberError::MisplacedComma);
        }
        groups.concat()
    } else if all_digits(integer) {
        integer.to_owned()
    } else {
        return Err(NumberError::Malformed);
    };
    let text = match fraction {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    Decimal::from_str_exact(&text).map_err(|_| NumberError::TooLong)
}

/// An amount counted in 億・万・千・百 as people write it in a form or a letter: 「12万5千」,
/// 「1億2,000万」, 「3千5百」, 「12万5000」. `None` when the text has no such unit inside it
/// (「105万」 alone is the plain 万 amount, parsed by the caller, with its decimals).
fn parse_counted(s: &str) -> Option<Result<Decimal, NumberError>> {
    const UNITS: [(char, u64); 4] = [('億', 100_000_000), ('万', 10_000), ('千', 1_000), ('百', 100)];
    let unit_of = |c: char| UNITS.iter().find(|(u, _)| *u == c).map(|(_, v)| *v);
    let counted = s.chars().all(|c| c.is_ascii_digit() || c == ',' || unit_of(c).is_some())
        && s.char_indices().any(|(i, c)| unit_of(c).is_some() && (c != '万' || i + c.len_utf8() < s.len()));
    counted.then(|| {
        // 「千円」 alone is a column's unit (単位: 千円), not an amount.
        if !s.bytes().any(|b| b.is_ascii_digit()) {
            return Err(NumberError::Malformed);
        }
        // Each unit once, larger before smaller, a whole count before each: at most 9 below
        // 万 (「5千」; 「1万千円」 is 11,000), at most 9,999 from 万 up (「1,234万」).
        let mut total = Decimal::ZERO;
        let mut last_unit = u64::MAX;
        let mut digits = String::new();
        for c in s.chars() {
            match unit_of(c) {
                Some(unit) if unit < last_unit => {
                    let count = match digits.as_str() {
                        "" if unit < 10_000 => Decimal::ONE,
                        "" => return Err(NumberError::Malformed),
                        d => parse_unsigned(d)?,
                    };
                    let most = Decimal::from(if unit < 10_000 { 9 } else { 9_999 });
                    if !count.fract().is_zero() || count > most {
                        return Err(NumberError::Malformed);
                    }
                    total += count * Decimal::from(unit);
                    last_unit = unit;
                    digits.clear();
                }
                None if c.is_ascii_digit() || c == ',' => digits.push(c),
                _ => return Err(NumberError::Malformed),
            }
        }
        if !digits.is_empty() {
            // What follows the last unit is below it: 「12万5000」 but not 「12万50000」.
            let rest = parse_unsigned(&digits)?;
            if !rest.fract().is_zero() || rest >= Decimal::from(last_unit) {
                return Err(NumberError::Malformed);
            }
            total += rest;
        }
        Ok(total)
    })
}

/// `1050000` → `1,050,000`, for ASCII digits.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Yen {
    /// `1,050,000円`, `-1,000円`, `1,234.5円`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}円", self.format_plain())
    }
}

impl FromStr for Yen {
    type Err = InvalidYen;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Yen {
    type Error = InvalidYen;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl From<i64> for Yen {
    fn from(amount: i64) -> Self {
        Yen::from_i64(amount)
    }
}

impl Add for Yen {
    type Output = Yen;
    fn add(self, rhs: Yen) -> Yen {
        Yen(self.0 + rhs.0)
    }
}

impl Sub for Yen {
    type Output = Yen;
    fn sub(self, rhs: Yen) -> Yen {
        Yen(self.0 - rhs.0)
    }
}

impl Neg for Yen {
    type Output = Yen;
    fn neg(self) -> Yen {
        Yen(-self.0)
    }
}

impl Sum for Yen {
    fn sum<I: Iterator<Item = Yen>>(iter: I) -> Yen {
        iter.fold(Yen::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Yen> for Yen {
    fn sum<I: Iterator<Item = &'a Yen>>(iter: I) -> Yen {
        iter.copied().sum()
    }
}

impl Serialize for Yen {
    /// A JSON string of the plain decimal, no separators: `"1050000"`, `"-1000"`, `"1234.5"`.
    /// A string, not a number, so that no JSON reader turns it into a float.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.normalize().to_string())
    }
}

impl<'de> Deserialize<'de> for Yen {
    /// From a JSON integer, or a string that [`Yen::parse`] accepts (which
    /// includes the plain decimal that `Serialize` writes). Floats are refused:
    /// they cannot carry yen exactly.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YenVisitor)
    }
}

struct YenVisitor;

impl Visitor<'_> for YenVisitor {
    type Value = Yen;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("金額（整数、または \"1050000\" や \"1,050,000円\" のような文字列）")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Yen, E> {
        Ok(Yen::from_i64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Yen, E> {
        Ok(Yen(Decimal::from(v)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Yen, E> {
        Decimal::try_from_i128_with_scale(v, 0).map(Yen).map_err(|_| E::custom(InvalidYen::OutOfRange(v.to_string())))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Yen, E> {
        let v = i128::try_from(v).map_err(|_| E::custom(InvalidYen::OutOfRange(v.to_string())))?;
        self.visit_i128(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Yen, E> {
        Yen::parse(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn yen(s: &str) -> Yen {
        Yen::new(Decimal::from_str_exact(s).unwrap())
    }

    #[test]
    fn amounts_written_as_in_japanese_quotes_are_parsed() {
        let cases = [
            ("1050000", "1050000"),
            ("1,050,000", "1050000"),
            ("1,050,000円", "1050000"),
            ("¥1,050,000", "1050000"),
            ("￥1,050,000", "1050000"),
            ("\\1,050,000", "1050000"),
            ("＼1,050,000", "1050000"),
            ("¥1,050,000円", "1050000"),
            ("  1,050,000 円  ", "1050000"),
            ("¥ 1,050,000", "1050000"),
            ("１，０５０，０００円", "1050000"),
            ("　１０５００００　", "1050000"),
            ("０", "0"),
            ("0円", "0"),
            ("999", "999"),
            ("1,000", "1000"),
            ("+1,000", "1000"),
            ("＋１，０００", "1000"),
            ("1234.5", "1234.5"),
            ("1,234.5円", "1234.5"),
            ("１，２３４．５", "1234.5"),
            ("0500", "500"),
        ];
        for (input, expected) in cases {
            assert_eq!(Yen::parse(input), Ok(yen(expected)), "{input:?}");
        }
    }

    #[test]
    fn man_yen_amounts_are_multiplied_by_ten_thousand() {
        let cases = [
            ("105万円", 1_050_000),
            ("32.1万円", 321_000),
            ("9.9万", 99_000),
            ("210.1万円", 2_101_000),
            ("1.2345万円", 12_345),
            ("1,234万円", 12_340_000),
            ("１０５万円", 1_050_000),
            ("¥105万", 1_050_000),
            ("105 万円", 1_050_000),
            ("-9.9万円", -99_000),
            ("▲9.9万円", -99_000),
            ("(9.9万円)", -99_000),
            ("(9.9万)円", -99_000),
        ];
        for (input, expected) in cases {
            assert_eq!(Yen::parse(input), Ok(Yen::from_i64(expected)), "{input:?}");
        }
        assert_eq!(Yen::parse("1.23456万円"), Ok(yen("12345.6")));
    }

    #[test]
    fn counted_in_man_and_sen_as_people_write_it() {
        for (text, expected) in [
            ("12万5千円", 125_000),
            ("12万5千", 125_000),
            ("１２万５千円", 125_000),
            ("12万5000円", 125_000),
            ("12万5,000円", 125_000),
            ("1億2,000万円", 120_000_000),
            ("1億2000万5千円", 120_005_000),
            ("3千5百円", 3_500),
            ("5千円", 5_000),
            ("1万千円", 11_000),
            ("105万5千円", 1_055_000),
            ("1億円", 100_000_000),
            ("¥12万5千", 125_000),
            ("▲1万5千円", -15_000),
        ] {
            assert_eq!(Yen::parse(text), Ok(Yen::from_i64(expected)), "{text}");
        }
        for bad in [
            "12千5万円",
            "5万5万円",
            "12万50000円",
            "12千円",
            "万5千円",
            "1.5千円",
            "12万5千x円",
            "5千千円",
            "12万5千.5円",
            "千円",
            "百万円",
        ] {
            assert!(matches!(Yen::parse(bad), Err(InvalidYen::NotAnAmount(_))), "{bad}: {:?}", Yen::parse(bad));
        }
    }

    #[test]
    fn negatives_are_read_in_every_notation_used_for_discounts() {
        for input in [
            "-1,000",
            "−1,000",
            "－１，０００",
            "▲1,000",
            "△1,000",
            "▲ 1,000円",
            "(1,000)",
            "（１，０００）",
            "(1,000円)",
            "(1,000)円",
            "(¥1,000)",
            "¥(1,000)",
            "-¥1,000",
            "¥-1,000",
            "￥−1,000円",
        ] {
            assert_eq!(Yen::parse(input), Ok(Yen::from_i64(-1000)), "{input:?}");
        }
    }

    #[test]
    fn misplaced_thousands_commas_are_refused_with_their_own_message() {
        for input in ["1,05,0000", "10,50,000", "1,0500", "1,000,00", ",1000", "1000,", "1,,000", "0,500", "1234,567"] {
            assert_eq!(Yen::parse(input), Err(InvalidYen::MisplacedComma(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn tax_wording_is_refused_so_that_callers_record_the_tax_basis() {
        for input in ["1,000円（税込）", "税抜1,000円", "1000税込"] {
            assert_eq!(Yen::parse(input), Err(InvalidYen::TaxWording(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn empty_input_is_refused() {
        for input in ["", "   ", "　"] {
            assert_eq!(Yen::parse(input), Err(InvalidYen::Empty(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn anything_else_is_refused_and_names_the_input() {
        for input in [
            "abc",
            "円",
            "¥",
            "万円",
            "-",
            "()",
            "1.000.000",
            "1.",
            ".5",
            "1,000.5.5",
            "1 000",
            "1_000",
            "1e3",
            "--1000",
            "-▲1000",
            "-(1,000)",
            "((1000))",
            "1,000円円",
            "1,000円也",
            "円1,000",
            "1000¥",
            "1,0a0",
            "NaN",
            "1,000.-",
            "(1,000",
        ] {
            assert_eq!(Yen::parse(input), Err(InvalidYen::NotAnAmount(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn amounts_beyond_decimal_range_are_refused_as_out_of_range() {
        let huge = "9".repeat(40);
        assert_eq!(Yen::parse(&huge), Err(InvalidYen::OutOfRange(huge.clone())));
        let huge_man = format!("{}万円", "9".repeat(28));
        assert_eq!(Yen::parse(&huge_man), Err(InvalidYen::OutOfRange(huge_man.clone())));
    }

    #[test]
    fn error_messages_are_japanese_say_what_to_fix_and_quote_the_input() {
        let cases = [
            ("1,05,0000", "右から3桁ごと"),
            ("1,000円（税込）", "税区分は別の欄"),
            ("", "数字を入力してください"),
            ("abc", "のように入力してください"),
        ];
        for (input, fix) in cases {
            let message = Yen::parse(input).unwrap_err().to_string();
            assert!(message.contains(fix), "{message}");
            assert!(message.contains(&format!("{input:?}")), "{message}");
        }
    }

    #[test]
    fn display_groups_thousands_and_appends_yen() {
        let cases = [
            (yen("1050000"), "1,050,000円"),
            (yen("-1000"), "-1,000円"),
            (yen("1234.5"), "1,234.5円"),
            (yen("1234.50"), "1,234.5円"),
            (yen("0"), "0円"),
            (yen("-0"), "0円"),
            (yen("999"), "999円"),
            (yen("100000"), "100,000円"),
            (yen("-0.5"), "-0.5円"),
            (yen("1000000000000"), "1,000,000,000,000円"),
        ];
        for (amount, expected) in cases {
            assert_eq!(amount.to_string(), expected);
        }
    }

    #[test]
    fn format_plain_is_display_without_the_unit() {
        assert_eq!(Yen::from_i64(1_050_000).format_plain(), "1,050,000");
        assert_eq!(Yen::from_i64(-1_000).format_plain(), "-1,000");
        assert_eq!(yen("1234.5").format_plain(), "1,234.5");
    }

    #[test]
    fn format_man_writes_amounts_as_the_official_tables_do() {
        let cases = [
            (yen("1050000"), "105万円"),
            (yen("1001000"), "100.1万円"),
            (yen("951000"), "95.1万円"),
            (yen("321000"), "32.1万円"),
            (yen("214000"), "21.4万円"),
            (yen("99000"), "9.9万円"),
            (yen("2101000"), "210.1万円"),
            (yen("12345"), "1.2345万円"),
            (yen("12345.6"), "1.23456万円"),
            (yen("1000"), "0.1万円"),
            (yen("1"), "0.0001万円"),
            (yen("0"), "0万円"),
            (yen("10000"), "1万円"),
            (yen("12340000"), "1,234万円"),
            (yen("-99000"), "-9.9万円"),
            (yen("1050000.00"), "105万円"),
        ];
        for (amount, expected) in cases {
            assert_eq!(amount.format_man(), expected, "{amount:?}");
        }
    }

    #[test]
    fn truncate_to_thousand_goes_toward_zero() {
        let cases = [
            ("1050500", "1050000"),
            ("2101000", "2101000"),
            ("321750", "321000"),
            ("999.99", "0"),
            ("1999.5", "1000"),
            ("-1500", "-1000"),
            ("-999", "0"),
            ("-1999.9", "-1000"),
            ("0", "0"),
        ];
        for (input, expected) in cases {
            assert_eq!(yen(input).truncate_to_thousand(), yen(expected), "{input}");
        }
    }

    #[test]
    fn floor_to_whole_yen_rounds_down() {
        let cases = [("1234.9", "1234"), ("1234", "1234"), ("-0.5", "-1"), ("-1234.1", "-1235")];
        for (input, expected) in cases {
            assert_eq!(yen(input).floor_to_whole_yen(), yen(expected), "{input}");
        }
    }

    #[test]
    fn to_whole_yen_refuses_fractions_and_out_of_range_amounts() {
        assert_eq!(yen("1050000").to_whole_yen(), Some(1_050_000));
        assert_eq!(yen("1050000.00").to_whole_yen(), Some(1_050_000));
        assert_eq!(yen("-1000").to_whole_yen(), Some(-1000));
        assert_eq!(yen("1234.5").to_whole_yen(), None);
        assert_eq!(yen("100000000000000000000").to_whole_yen(), None);
    }

    #[test]
    fn arithmetic_min_max_and_sum_are_exact() {
        let a = yen("0.1");
        let b = yen("0.2");
        assert_eq!(a + b, yen("0.3"));
        assert_eq!(a - b, yen("-0.1"));
        assert_eq!(-a, yen("-0.1"));
        assert!((-a).is_negative());
        assert!(!Yen::ZERO.is_negative());
        assert!(!(-Yen::ZERO).is_negative());
        assert_eq!(a.min(b), a);
        assert_eq!(a.max(b), b);
        let lines = [Yen::from_i64(429_000), Yen::from_i64(-29_000), Yen::from_i64(1_000)];
        assert_eq!(lines.iter().sum::<Yen>(), Yen::from_i64(401_000));
        assert_eq!(lines.into_iter().sum::<Yen>(), Yen::from_i64(401_000));
        assert_eq!(std::iter::empty::<Yen>().sum::<Yen>(), Yen::ZERO);
        assert_eq!(Yen::default(), Yen::ZERO);
    }

    #[test]
    fn equal_amounts_with_different_scales_are_one_hash_key() {
        let keys: HashSet<Yen> = [yen("1000"), yen("1000.00"), yen("0"), yen("-0")].into_iter().collect();
        assert_eq!(keys.len(), 2);
    }

    #[test]
    fn serializes_as_a_plain_decimal_string() {
        let cases = [(yen("1050000"), "\"1050000\""), (yen("-1000"), "\"-1000\""), (yen("1234.50"), "\"1234.5\"")];
        for (amount, json) in cases {
            assert_eq!(serde_json::to_string(&amount).unwrap(), json);
        }
    }

    #[test]
    fn deserializes_from_integers_and_strings_people_write() {
        let cases = [
            ("1050000", "1050000"),
            ("-1000", "-1000"),
            ("18446744073709551615", "18446744073709551615"),
            ("\"1050000\"", "1050000"),
            ("\"1234.5\"", "1234.5"),
            ("\"1,050,000円\"", "1050000"),
            ("\"105万円\"", "1050000"),
            ("\"▲1,000\"", "-1000"),
        ];
        for (json, expected) in cases {
            assert_eq!(serde_json::from_str::<Yen>(json).unwrap(), yen(expected), "{json}");
        }
    }

    #[test]
    fn deserializing_floats_and_junk_is_refused_with_the_parse_message() {
        assert!(serde_json::from_str::<Yen>("1050000.5").is_err());
        assert!(serde_json::from_str::<Yen>("null").is_err());
        let err = serde_json::from_str::<Yen>("\"1,05,0000\"").unwrap_err().to_string();
        assert!(err.contains("右から3桁ごと"), "{err}");
    }

    fn any_amount() -> impl Strategy<Value = Yen> {
        (any::<i64>(), 0u32..=6).prop_map(|(mantissa, scale)| Yen::new(Decimal::new(mantissa, scale)))
    }

    proptest! {
        #[test]
        fn parsing_format_plain_gives_the_amount_back(x in any_amount()) {
            prop_assert_eq!(Yen::parse(&x.format_plain()), Ok(x));
        }

        #[test]
        fn parsing_display_gives_whole_amounts_back(n in any::<i64>()) {
            let x = Yen::from_i64(n);
            prop_assert_eq!(Yen::parse(&x.to_string()), Ok(x));
            prop_assert_eq!(x.to_whole_yen(), Some(n));
        }

        #[test]
        fn parsing_format_man_gives_the_amount_back(x in any_amount()) {
            prop_assert_eq!(Yen::parse(&x.format_man()), Ok(x));
        }

        #[test]
        fn json_round_trips(x in any_amount()) {
            let json = serde_json::to_string(&x).unwrap();
            prop_assert_eq!(serde_json::from_str::<Yen>(&json).unwrap(), x);
        }

        #[test]
        fn truncate_to_thousand_is_within_the_amount_a_multiple_of_1000_and_idempotent(x in any_amount()) {
            let t = x.truncate_to_thousand();
            prop_assert!(t.amount().abs() <= x.amount().abs());
            prop_assert!((x.amount().abs() - t.amount().abs()) < Decimal::from(1000));
            prop_assert!((t.amount() % Decimal::from(1000)).is_zero());
            prop_assert!(t.is_negative() == x.is_negative() || t == Yen::ZERO);
            prop_assert_eq!(t.truncate_to_thousand(), t);
        }

        #[test]
        fn floor_to_whole_yen_is_whole_and_at_most_one_yen_below(x in any_amount()) {
            let f = x.floor_to_whole_yen();
            prop_assert!(f.amount().fract().is_zero());
            prop_assert!(f <= x);
            prop_assert!(x.amount() - f.amount() < Decimal::ONE);
        }

        #[test]
        fn negation_and_subtraction_agree(a in any_amount(), b in any_amount()) {
            prop_assert_eq!(a - b, a + (-b));
            prop_assert_eq!(a + b - b, a);
        }
    }
}
