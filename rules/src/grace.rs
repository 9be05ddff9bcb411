//! 猶予届出（経過措置）: the six types of grace a facility could file for.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A 猶予届出 type, 類型1–6.
///
/// Source: 東海北陸厚生局 page newpage_00517 and 保団連 (domain.md, 猶予届出 table);
/// seeds/004 (猶予届出により2023年9月まで).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct GraceType(u8);

/// Not a 猶予届出 type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("猶予届出の類型は1〜6の数字で指定してください（入力: {0:?}）")]
pub struct InvalidGraceType(pub String);

impl GraceType {
    /// The type with this number, 1–6.
    pub fn new(n: u8) -> Result<Self, InvalidGraceType> {
        if (1..=6).contains(&n) { Ok(GraceType(n)) } else { Err(InvalidGraceType(n.to_string())) }
    }

    /// The number, 1–6.
    pub fn number(self) -> u8 {
        self.0
    }
}

impl fmt::Display for GraceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "類型{}", self.0)
    }
}

impl FromStr for GraceType {
    type Err = InvalidGraceType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches("類型");
        t.parse::<u8>().ok().and_then(|n| GraceType::new(n).ok()).ok_or_else(|| InvalidGraceType(s.to_owned()))
    }
}

impl TryFrom<u8> for GraceType {
    type Error = InvalidGraceType;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        GraceType::new(n)
    }
}

impl From<GraceType> for u8 {
    fn from(g: GraceType) -> u8 {
        g.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_one_to_six_parse_and_others_are_refused() {
        for n in 1..=6u8 {
            assert_eq!(n.to_string().parse::<GraceType>().unwrap().number(), n);
        }
        assert_eq!("類型4".parse::<GraceType>().unwrap().number(), 4);
        for bad in ["0", "7", "", "a", "-1"] {
            assert!(bad.parse::<GraceType>().is_err(), "{bad}");
        }
    }
}
