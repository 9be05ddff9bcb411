//! 医療機関コード: the 10-digit code that identifies an insured facility.

use crate::{FacilityType, Prefecture};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A valid 10-digit 医療機関コード (or 薬局コード).
///
/// Layout: 都道府県番号 (2, 01–47) + 点数表番号 (1: 1 医科, 3 歯科, 4 調剤) +
/// 郡市区番号 (2) + 機関番号 (4) + 検証番号 (1). The 検証番号 is a Luhn check digit
/// (weights 2 and 1 from the right, the digits of two-digit products summed); see
/// [`CheckSpan`] for which digits it covers — it differs by prefecture in the published
/// lists. Sources: the 地方厚生局's 「コード内容別医療機関一覧表」 (measured on the 2025-08
/// national 医科 list, 97,024 facilities); ja.wikipedia 「処方箋発行医療機関コード」.
/// Examples: 0110113719 (北海道), 1310270751 聖路加国際病院 (東京).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FacilityCode {
    digits: String,
    prefecture: Prefecture,
}

/// Why a string is not a 医療機関コード; each variant says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidFacilityCode {
    /// Not exactly ten digits.
    #[error("医療機関コードは10桁の数字です（入力: {0:?}）")]
    NotTenDigits(String),
    /// The first two digits are not a prefecture code 01–47.
    #[error("医療機関コードの先頭2桁は都道府県番号（01〜47）です（入力: {0:?}）")]
    BadPrefecture(String),
    /// The third digit is not 1, 3 or 4.
    #[error("医療機関コードの3桁目は点数表番号（1 医科・3 歯科・4 調剤）です（入力: {0:?}）")]
    BadFeeSchedule(String),
    /// The last digit does not satisfy the check of its prefecture.
    #[error(
        "医療機関コードの検証番号（10桁目）が他の桁と合いません。入力の誤りがないか、指定通知書や地方厚生局の「コード内容別医療機関一覧表」の番号と1桁ずつ照らし合わせてください（入力: {0:?}）"
    )]
    BadCheckDigit(String),
    /// The 点数表番号 does not fit the facility type.
    #[error("{kind}の医療機関コードの3桁目は{expected}です（入力: {code:?}）")]
    WrongFeeScheduleForType {
        /// The code given.
        code: String,
        /// The facility type's Japanese name.
        kind: &'static str,
        /// The digit required for that type.
        expected: u8,
    },
}

impl FacilityCode {
    /// Parses a code, accepting full-width digits and surrounding spaces or hyphens.
    pub fn parse(input: &str) -> Result<Self, InvalidFacilityCode> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '－' | ' ' | '　'))
            .map(crate::registry::ascii_digit)
            .collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidFacilityCode::NotTenDigits(input.to_owned()));
        }
        let Ok(prefecture) = digits[..2].parse::<Prefecture>() else {
            return Err(InvalidFacilityCode::BadPrefecture(digits));
        };
        if !matches!(digits.as_bytes()[2], b'1' | b'3' | b'4') {
            return Err(InvalidFacilityCode::BadFeeSchedule(digits));
        }
        if !CheckSpan::of(prefecture).passes(&digits) {
            return Err(InvalidFacilityCode::BadCheckDigit(digits));
        }
        Ok(FacilityCode { digits, prefecture })
    }

    /// Parses a code and checks that its 点数表番号 fits the facility type.
    pub fn parse_for(input: &str, kind: FacilityType) -> Result<Self, InvalidFacilityCode> {
        let code = Self::parse(input)?;
        if code.fee_schedule_digit() != kind.fee_schedule_digit() {
            return Err(InvalidFacilityCode::WrongFeeScheduleForType {
                code: code.digits,
                kind: kind.label_ja(),
                expected: kind.fee_schedule_digit(),
            });
        }
        Ok(code)
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The prefecture named by the first two digits.
    pub fn prefecture(&self) -> Prefecture {
        self.prefecture
    }

    /// The 点数表番号: 1 医科, 3 歯科, 4 調剤.
    pub fn fee_schedule_digit(&self) -> u8 {
        self.digits.as_bytes()[2] - b'0'
    }
}

/// Which digits the 検証番号 covers, as the published lists show it.
///
/// In 埼玉 (11), 千葉 (12), 東京 (13) and 神奈川 (14) every published code passes the Luhn
/// check over its last seven digits (郡市区番号 + 機関番号 + 検証番号) and not over all
/// ten; in the other 43 prefectures every published code passes it over all ten. Source:
/// the 地方厚生局's 「コード内容別医療機関一覧表」, 2025-08 national 医科 list (28,875
/// facilities of the four prefectures; 聖路加国際病院 1310270751 among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckSpan {
    /// Luhn over all ten digits.
    AllTen,
    /// Luhn over the last seven digits only.
    LastSeven,
}

/// The prefectures whose codes follow [`CheckSpan::LastSeven`] (JIS numbers).
const LAST_SEVEN_PREFECTURES: [u8; 4] = [11, 12, 13, 14];

impl CheckSpan {
    /// The span used for codes of `prefecture`.
    pub fn of(prefecture: Prefecture) -> Self {
        if LAST_SEVEN_PREFECTURES.contains(&prefecture.number()) { CheckSpan::LastSeven } else { CheckSpan::AllTen }
    }

    /// Whether ten ASCII digits pass the check over this span.
    fn passes(self, digits: &str) -> bool {
        match self {
            CheckSpan::AllTen => passes_luhn(digits),
            CheckSpan::LastSeven => passes_luhn(&digits[3..]),
        }
    }
}

/// The Luhn check over ASCII digits.
fn passes_luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let p = d * 2;
                p / 10 + p % 10
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl fmt::Display for FacilityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl FromStr for FacilityCode {
    type Err = InvalidFacilityCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for FacilityCode {
    type Error = InvalidFacilityCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<FacilityCode> for String {
    fn from(c: FacilityCode) -> String {
        c.digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_example_code_is_valid() {
        let code = FacilityCode::parse("0110113719").unwrap();
        assert_eq!(code.prefecture().name_ja(), "北海道");
        assert_eq!(code.fee_schedule_digit(), 1);
    }

    #[test]
    fn full_width_digits_and_hyphens_are_accepted() {
        let code = FacilityCode::parse(" ０１１－０１１３７１９ ").unwrap();
        assert_eq!(code.as_str(), "0110113719");
    }

    #[test]
    fn every_other_check_digit_is_refused() {
        for d in (0..10).filter(|d| *d != 9) {
            let s = format!("011011371{d}");
            assert_eq!(FacilityCode::parse(&s), Err(InvalidFacilityCode::BadCheckDigit(s.clone())));
        }
    }

    #[test]
    fn malformed_codes_name_what_is_wrong() {
        type Variant = fn(String) -> InvalidFacilityCode;
        let cases: [(&str, Variant); 4] = [
            ("011011371", InvalidFacilityCode::NotTenDigits),
            ("01101137a9", InvalidFacilityCode::NotTenDigits),
            ("4810113719", InvalidFacilityCode::BadPrefecture),
            ("0120113719", InvalidFacilityCode::BadFeeSchedule),
        ];
        for (input, variant) in cases {
            assert_eq!(FacilityCode::parse(input), Err(variant(input.to_owned())));
        }
    }

    #[test]
    fn a_medical_code_is_refused_for_a_pharmacy() {
        let err = FacilityCode::parse_for("0110113719", FacilityType::Pharmacy).unwrap_err();
        assert!(err.to_string().contains("薬局の医療機関コードの3桁目は4"), "{err}");
        assert!(FacilityCode::parse_for("0110113719", FacilityType::Hospital).is_ok());
    }

    /// Real codes from the 地方厚生局's published lists (2025-08), both rules.
    const PUBLISHED: [(&str, &str); 10] = [
        ("1310270751", "東京都"),
        ("1413703659", "神奈川県"),
        ("1113102977", "埼玉県"),
        ("1212415586", "千葉県"),
        ("0110112489", "北海道"),
        ("0110113420", "北海道"),
        ("2710503687", "大阪府"),
        ("4010419705", "福岡県"),
        ("2314400611", "愛知県"),
        ("1840140055", "福井県"),
    ];

    #[test]
    fn real_published_codes_of_every_rule_are_accepted() {
        for (code, prefecture) in PUBLISHED {
            let parsed = FacilityCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(parsed.prefecture().name_ja(), prefecture, "{code}");
            let kind = if parsed.fee_schedule_digit() == 4 { FacilityType::Pharmacy } else { FacilityType::Hospital };
            assert_eq!(
                FacilityCode::parse_for(code, kind).map(|c| c.fee_schedule_digit() == 4),
                Ok(kind == FacilityType::Pharmacy),
                "{code}"
            );
        }
    }

    #[test]
    fn a_real_code_with_one_digit_changed_is_refused() {
        // Changing any one of the digits the check covers must be caught by the check digit
        // (a change that moves a code into 埼玉〜神奈川 changes the rule itself, and is skipped).
        for (code, _) in PUBLISHED {
            let first_checked =
                if CheckSpan::of(FacilityCode::parse(code).unwrap().prefecture()) == CheckSpan::LastSeven {
                    3
                } else {
                    0
                };
            for pos in first_checked..10 {
                for d in b'0'..=b'9' {
                    let mut bytes = code.as_bytes().to_vec();
                    if bytes[pos] == d {
                        continue;
                    }
                    bytes[pos] = d;
                    let changed = String::from_utf8(bytes).unwrap();
                    if pos < 2 && ["11", "12", "13", "14"].contains(&&changed[..2]) {
                        continue;
                    }
                    assert!(FacilityCode::parse(&changed).is_err(), "{code} → {changed} was accepted");
                }
            }
        }
    }

    #[test]
    fn the_four_kanto_prefectures_check_seven_digits_and_the_others_ten() {
        // 聖路加国際病院 fails the ten-digit check: the old rule refused every Tokyo code.
        assert!(!passes_luhn("1310270751"));
        assert!(passes_luhn("0270751"));
        for n in 1..=47u8 {
            let p: Prefecture = format!("{n:02}").parse().unwrap();
            let expected = if (11..=14).contains(&n) { CheckSpan::LastSeven } else { CheckSpan::AllTen };
            assert_eq!(CheckSpan::of(p), expected, "{n}");
        }
        // A Tokyo code built by the ten-digit rule is refused, with a message that says what to check.
        let err = FacilityCode::parse("1310270759").unwrap_err();
        assert_eq!(err, InvalidFacilityCode::BadCheckDigit("1310270759".into()));
        assert!(err.to_string().contains("コード内容別医療機関一覧表"), "{err}");
    }

    #[test]
    fn luhn_accepts_exactly_one_check_digit_per_prefix() {
        for prefix in ["131234567", "404000001", "273999999"] {
            let valid: Vec<u8> = (0..10u8).filter(|d| passes_luhn(&format!("{prefix}{d}"))).collect();
            assert_eq!(valid.len(), 1, "{prefix}");
        }
    }
}
