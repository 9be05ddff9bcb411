//! 都道府県: the 47 prefectures with their JIS X 0401 codes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The 47 prefectures in JIS X 0401 order (code = position + 1).
/// Source: JIS X 0401 都道府県コード (総務省 全国地方公共団体コード); the same
/// two digits open every 医療機関コード (domain.md).
const NAMES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// One of the 47 prefectures, identified by its JIS code 01–47.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Prefecture(u8);

impl Prefecture {
    /// Every prefecture in code order.
    pub fn all() -> impl Iterator<Item = Prefecture> {
        (1..=47).map(Prefecture)
    }

    /// The prefecture with this JIS number (1–47).
    pub fn from_number(n: u8) -> Result<Self, UnknownPrefecture> {
        if (1..=47).contains(&n) { Ok(Prefecture(n)) } else { Err(UnknownPrefecture(n.to_string())) }
    }

    /// The JIS number, 1–47.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The two-digit JIS code, "01"–"47", used in the database and CSV.
    pub fn code(self) -> String {
        format!("{:02}", self.0)
    }

    /// The Japanese name, e.g. 「東京都」.
    pub fn name_ja(self) -> &'static str {
        NAMES[usize::from(self.0 - 1)]
    }
}

impl fmt::Display for Prefecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// Not a prefecture: neither a JIS code 01–47 nor a prefecture's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown prefecture {0:?}: expected a JIS code 01–47 or a name such as 東京都")]
pub struct UnknownPrefecture(pub String);

impl FromStr for Prefecture {
    type Err = UnknownPrefecture;

    /// Accepts the two-digit code ("13"), a one-digit number ("1") or the full
    /// Japanese name (「東京都」).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
            let n: u8 = s.parse().map_err(|_| UnknownPrefecture(s.to_owned()))?;
            return Prefecture::from_number(n).map_err(|_| UnknownPrefecture(s.to_owned()));
        }
        NAMES
            .iter()
            .position(|name| *name == s)
            .and_then(|i| u8::try_from(i + 1).ok())
            .map(Prefecture)
            .ok_or_else(|| UnknownPrefecture(s.to_owned()))
    }
}

impl TryFrom<String> for Prefecture {
    type Error = UnknownPrefecture;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Prefecture> for String {
    fn from(p: Prefecture) -> String {
        p.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_forty_seven_prefectures_with_distinct_names() {
        let names: std::collections::HashSet<_> = Prefecture::all().map(|p| p.name_ja()).collect();
        assert_eq!(names.len(), 47);
    }

    #[test]
    fn codes_and_names_match_jis_x_0401() {
        for (code, name) in [("01", "北海道"), ("13", "東京都"), ("27", "大阪府"), ("40", "福岡県"), ("47", "沖縄県")]
        {
            let p: Prefecture = code.parse().unwrap();
            assert_eq!(p.name_ja(), name);
            assert_eq!(p.code(), code);
            assert_eq!(name.parse::<Prefecture>().unwrap(), p);
        }
    }

    #[test]
    fn zero_forty_eight_and_junk_are_refused() {
        for bad in ["0", "00", "48", "99", "", "東京", "tokyo", "123"] {
            assert!(bad.parse::<Prefecture>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn serde_round_trips_through_the_two_digit_code() {
        let p: Prefecture = serde_json::from_str("\"05\"").unwrap();
        assert_eq!(p.name_ja(), "秋田県");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"05\"");
    }
}
