//! 補助率: a subsidy rate, an exact fraction between 0 and 1.

use crate::Yen;
use crate::money::fold_fullwidth;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A fraction `numerator / denominator` with `0 ≤ rate ≤ 1`, always reduced,
/// so that equal rates are equal values (`2/4` is stored as `1/2`).
///
/// The rates of the subsidy schemes are 1/2 (hospitals, large pharmacy
/// chains), 3/4 (clinics, other pharmacies) and 1 (実費補助, the actual cost
/// up to the cap); domain.md, from sources 001 and 003. Serialized as its
/// string form, `"1/2"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rate {
    numerator: u32,
    denominator: u32,
}

/// Why a fraction or string is not a subsidy rate; each variant carries the input and says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRate {
    /// The denominator is zero.
    #[error("補助率の分母が0です。「1/2」「3/4」のように分母を1以上にしてください（入力: {0:?}）")]
    ZeroDenominator(String),
    /// The rate is above 1: a subsidy never exceeds the cost.
    #[error(
        "補助率は1以下です（分子が分母を超えています）。「1/2」「3/4」「1」のように入力してください（入力: {0:?}）"
    )]
    AboveOne(String),
    /// Anything else that is not a fraction.
    #[error("補助率として読めません。「1/2」「3/4」「1」「0」のように分数で入力してください（入力: {0:?}）")]
    NotARate(String),
}

impl Rate {
    /// No subsidy.
    pub const ZERO: Rate = Rate { numerator: 0, denominator: 1 };
    /// 実費補助: the whole (capped) cost (domain.md, 加速化プラン and the 2022 revision).
    pub const ONE: Rate = Rate { numerator: 1, denominator: 1 };
    /// 1/10: the consumption tax rate (消費税法第29条 7.8 % + 地方消費税 2.2 %).
    pub const TEN_PERCENT: Rate = Rate { numerator: 1, denominator: 10 };
    /// 1/2: hospitals and large pharmacy chains (domain.md, sources 001 and 003).
    pub const HALF: Rate = Rate { numerator: 1, denominator: 2 };
    /// 3/4: clinics and other pharmacies (domain.md, sources 001 and 003).
    pub const THREE_QUARTERS: Rate = Rate { numerator: 3, denominator: 4 };

    /// The rate `numerator / denominator`, reduced. Refuses a zero
    /// denominator and rates above 1.
    pub fn new(numerator: u32, denominator: u32) -> Result<Rate, InvalidRate> {
        if denominator == 0 {
            return Err(InvalidRate::ZeroDenominator(format!("{numerator}/{denominator}")));
        }
        if numerator > denominator {
            return Err(InvalidRate::AboveOne(format!("{numerator}/{denominator}")));
        }
        let divisor = gcd(numerator, denominator);
        Ok(Rate { numerator: numerator / divisor, denominator: denominator / divisor })
    }

    /// Parses `"1/2"`, `"3/4"`, `"1"`, `"0"` or `" 2/4 "` (reduced to 1/2);
    /// full-width digits, `／` and spaces around the slash are accepted.
    pub fn parse(input: &str) -> Result<Rate, InvalidRate> {
        let normalized: String = input.chars().map(fold_fullwidth).collect();
        let text = normalized.trim();
        let number = |s: &str| -> Result<u32, InvalidRate> {
            let s = s.trim();
            // `u32::from_str` also takes a leading `+`; a rate is digits only.
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InvalidRate::NotARate(input.to_owned()));
            }
            s.parse().map_err(|_| InvalidRate::NotARate(input.to_owned()))
        };
        let (numerator, denominator) = match text.split_once('/') {
            Some((n, d)) => (number(n)?, number(d)?),
            None => (number(text)?, 1),
        };
        Rate::new(numerator, denominator).map_err(|e| match e {
            InvalidRate::ZeroDenominator(_) => InvalidRate::ZeroDenominator(input.to_owned()),
            InvalidRate::AboveOne(_) => InvalidRate::AboveOne(input.to_owned()),
            InvalidRate::NotARate(_) => InvalidRate::NotARate(input.to_owned()),
        })
    }

    /// The reduced numerator.
    pub fn numerator(self) -> u32 {
        self.numerator
    }

    /// The reduced denominator (at least 1).
    pub fn denominator(self) -> u32 {
        self.denominator
    }

    /// The amount times this rate, without rounding: truncating to 1,000円 is
    /// the scheme's rule, applied by the caller (see [`Yen::truncate_to_thousand`]).
    ///
    /// Exact whenever the result has a finite decimal expansion, which is
    /// always the case for denominators made of 2s and 5s (1/2, 3/4, 1);
    /// otherwise (1/3) rounded at the 28th significant digit.
    pub fn apply(self, amount: Yen) -> Yen {
        let numerator = Decimal::from(self.numerator);
        let denominator = Decimal::from(self.denominator);
        let scaled = match amount.amount().checked_mul(numerator) {
            Some(product) => product / denominator,
            // Only near Decimal's limit (~7.9 × 10^28): divide first, since the result is at most the amount.
            None => amount.amount() / denominator * numerator,
        };
        Yen::new(scaled)
    }

    /// The label shown to people: `1/2補助`, `3/4補助`, `実費補助（全額）`, `補助なし`.
    pub fn label_ja(self) -> String {
        match self {
            Rate::ONE => "実費補助（全額）".to_owned(),
            Rate::ZERO => "補助なし".to_owned(),
            _ => format!("{self}補助"),
        }
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ord for Rate {
    /// By value: `a/b < c/d` iff `a·d < c·b` (denominators are positive; u64 cannot overflow).
    fn cmp(&self, other: &Self) -> Ordering {
        let left = u64::from(self.numerator) * u64::from(other.denominator);
        let right = u64::from(other.numerator) * u64::from(self.denominator);
        left.cmp(&right)
    }
}

impl PartialOrd for Rate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Rate {
    /// `1/2`, `3/4`, and whole rates without a denominator: `1`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.denominator == 1 {
            write!(f, "{}", self.numerator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

impl FromStr for Rate {
    type Err = InvalidRate;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Rate {
    type Error = InvalidRate;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Rate> for String {
    fn from(rate: Rate) -> String {
        rate.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fractions_are_stored_reduced() {
        let cases = [
            ((1, 2), Rate::HALF),
            ((2, 4), Rate::HALF),
            ((50, 100), Rate::HALF),
            ((3, 4), Rate::THREE_QUARTERS),
            ((75, 100), Rate::THREE_QUARTERS),
            ((1, 1), Rate::ONE),
            ((10, 10), Rate::ONE),
            ((0, 1), Rate::ZERO),
            ((0, 7), Rate::ZERO),
        ];
        for ((n, d), expected) in cases {
            assert_eq!(Rate::new(n, d), Ok(expected), "{n}/{d}");
        }
        let third = Rate::new(2, 6).unwrap();
        assert_eq!((third.numerator(), third.denominator()), (1, 3));
    }

    #[test]
    fn zero_denominators_and_rates_above_one_are_refused() {
        assert_eq!(Rate::new(1, 0), Err(InvalidRate::ZeroDenominator("1/0".to_owned())));
        assert_eq!(Rate::new(0, 0), Err(InvalidRate::ZeroDenominator("0/0".to_owned())));
        assert_eq!(Rate::new(3, 2), Err(InvalidRate::AboveOne("3/2".to_owned())));
        assert_eq!(
            Rate::new(u32::MAX, u32::MAX - 1),
            Err(InvalidRate::AboveOne(format!("{}/{}", u32::MAX, u32::MAX - 1)))
        );
    }

    #[test]
    fn rates_are_parsed_from_the_forms_people_write() {
        let cases = [
            ("1/2", Rate::HALF),
            ("3/4", Rate::THREE_QUARTERS),
            ("1", Rate::ONE),
            ("0", Rate::ZERO),
            (" 2/4 ", Rate::HALF),
            ("2 / 4", Rate::HALF),
            ("１／２", Rate::HALF),
            ("　３/４　", Rate::THREE_QUARTERS),
            ("10/10", Rate::ONE),
            ("0/4", Rate::ZERO),
        ];
        for (input, expected) in cases {
            assert_eq!(Rate::parse(input), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn junk_is_refused_and_names_the_input() {
        type Variant = fn(String) -> InvalidRate;
        let cases: [(&str, Variant); 16] = [
            ("", InvalidRate::NotARate),
            ("half", InvalidRate::NotARate),
            ("0.5", InvalidRate::NotARate),
            ("50%", InvalidRate::NotARate),
            ("1/2/3", InvalidRate::NotARate),
            ("/2", InvalidRate::NotARate),
            ("1/", InvalidRate::NotARate),
            ("+1/2", InvalidRate::NotARate),
            ("-1/2", InvalidRate::NotARate),
            ("1/-2", InvalidRate::NotARate),
            ("1 1/2", InvalidRate::NotARate),
            ("99999999999/99999999999", InvalidRate::NotARate),
            ("1/0", InvalidRate::ZeroDenominator),
            ("２／０", InvalidRate::ZeroDenominator),
            ("2", InvalidRate::AboveOne),
            ("5/4", InvalidRate::AboveOne),
        ];
        for (input, variant) in cases {
            assert_eq!(Rate::parse(input), Err(variant(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn error_messages_are_japanese_say_what_to_fix_and_quote_the_input() {
        for input in ["1/0", "5/4", "half"] {
            let message = Rate::parse(input).unwrap_err().to_string();
            assert!(message.contains("「1/2」"), "{message}");
            assert!(message.contains(&format!("{input:?}")), "{message}");
        }
    }

    #[test]
    fn display_writes_whole_rates_without_a_denominator() {
        let cases = [(Rate::HALF, "1/2"), (Rate::THREE_QUARTERS, "3/4"), (Rate::ONE, "1"), (Rate::ZERO, "0")];
        for (rate, expected) in cases {
            assert_eq!(rate.to_string(), expected);
        }
    }

    #[test]
    fn labels_name_the_kind_of_subsidy() {
        let cases = [
            (Rate::HALF, "1/2補助"),
            (Rate::THREE_QUARTERS, "3/4補助"),
            (Rate::ONE, "実費補助（全額）"),
            (Rate::ZERO, "補助なし"),
            (Rate::new(2, 3).unwrap(), "2/3補助"),
        ];
        for (rate, expected) in cases {
            assert_eq!(rate.label_ja(), expected);
        }
    }

    #[test]
    fn applying_a_rate_is_exact_and_leaves_truncation_to_the_caller() {
        let cases = [
            (Rate::HALF, 2_101_000, "1050500", 1_050_000),
            (Rate::HALF, 2_002_000, "1001000", 1_001_000),
            (Rate::HALF, 1_903_000, "951500", 951_000),
            (Rate::HALF, 429_000, "214500", 214_000),
            (Rate::THREE_QUARTERS, 429_000, "321750", 321_000),
            (Rate::ONE, 429_000, "429000", 429_000),
            (Rate::ZERO, 429_000, "0", 0),
            (Rate::HALF, 1, "0.5", 0),
            (Rate::HALF, -1_000, "-500", 0),
        ];
        for (rate, cost, exact, truncated) in cases {
            let subsidy = rate.apply(Yen::from_i64(cost));
            assert_eq!(subsidy, Yen::parse(exact).unwrap(), "{rate} × {cost}");
            assert_eq!(subsidy.truncate_to_thousand(), Yen::from_i64(truncated), "{rate} × {cost}");
        }
    }

    #[test]
    fn applying_a_rate_near_the_decimal_limit_does_not_overflow() {
        let huge = Yen::new(Decimal::MAX);
        let rate = Rate::new(u32::MAX - 1, u32::MAX).unwrap();
        assert!(rate.apply(huge) <= huge);
        assert_eq!(Rate::ONE.apply(huge), huge);
    }

    #[test]
    fn rates_are_ordered_by_value() {
        let mut rates = [Rate::ONE, Rate::new(2, 3).unwrap(), Rate::ZERO, Rate::THREE_QUARTERS, Rate::HALF];
        rates.sort();
        assert_eq!(rates, [Rate::ZERO, Rate::HALF, Rate::new(2, 3).unwrap(), Rate::THREE_QUARTERS, Rate::ONE]);
        assert!(Rate::new(1, 3).unwrap() < Rate::new(1, 2).unwrap());
        assert_eq!(Rate::new(3, 6).unwrap().cmp(&Rate::HALF), Ordering::Equal);
    }

    #[test]
    fn serde_uses_the_string_form() {
        assert_eq!(serde_json::to_string(&Rate::THREE_QUARTERS).unwrap(), "\"3/4\"");
        assert_eq!(serde_json::to_string(&Rate::ONE).unwrap(), "\"1\"");
        assert_eq!(serde_json::from_str::<Rate>("\"2/4\"").unwrap(), Rate::HALF);
        let err = serde_json::from_str::<Rate>("\"3/2\"").unwrap_err().to_string();
        assert!(err.contains("補助率は1以下"), "{err}");
    }

    fn any_rate() -> impl Strategy<Value = Rate> {
        (1u32..=10_000).prop_flat_map(|d| (0..=d, Just(d))).prop_map(|(n, d)| Rate::new(n, d).unwrap())
    }

    proptest! {
        #[test]
        fn new_accepts_exactly_the_fractions_between_zero_and_one(n in any::<u32>(), d in any::<u32>()) {
            let result = Rate::new(n, d);
            prop_assert_eq!(result.is_ok(), d != 0 && n <= d);
            if let Ok(rate) = result {
                prop_assert_eq!(gcd(rate.numerator(), rate.denominator()), 1);
                prop_assert_eq!(u64::from(rate.numerator()) * u64::from(d), u64::from(n) * u64::from(rate.denominator()));
            }
        }

        #[test]
        fn parsing_display_gives_the_rate_back(rate in any_rate()) {
            prop_assert_eq!(Rate::parse(&rate.to_string()), Ok(rate));
        }

        #[test]
        fn a_subsidy_never_exceeds_the_cost_nor_goes_below_zero(rate in any_rate(), cost in 0i64..=10_000_000_000) {
            let cost = Yen::from_i64(cost);
            let subsidy = rate.apply(cost);
            prop_assert!(subsidy <= cost);
            prop_assert!(subsidy >= Yen::ZERO);
        }

        #[test]
        fn a_larger_rate_never_gives_a_smaller_subsidy(a in any_rate(), b in any_rate(), cost in 0i64..=10_000_000_000) {
            let cost = Yen::from_i64(cost);
            if a <= b {
                prop_assert!(a.apply(cost) <= b.apply(cost));
            }
        }

        #[test]
        fn ordering_agrees_with_equality(a in any_rate(), b in any_rate()) {
            prop_assert_eq!(a.cmp(&b) == Ordering::Equal, a == b);
        }
    }
}
