//! The registry of insured facilities: what the 地方厚生局 publish every month as
//! 「コード内容別医療機関一覧表」, one list per prefecture and per 医科 / 歯科 / 薬局.
//!
//! Source: the 地方厚生局's lists (e.g. 関東信越厚生局 「コード内容別医療機関一覧表」), whose
//! title rows name the prefecture, the date (「令和7年8月1日現在」) and the kind (医科・歯科・
//! 薬局), and whose last column says 病院 / 診療所 and 現存 / 休止.

use crate::{FacilityCode, FacilityType, Prefecture};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which of the three published lists a facility is in: the code's 点数表番号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 医科 (点数表番号 1): hospitals and medical clinics.
    Medical,
    /// 歯科 (点数表番号 3).
    Dental,
    /// 薬局 (点数表番号 4).
    Pharmacy,
}

impl ListKind {
    /// Every kind, in the order the bureaus publish them.
    pub const ALL: [ListKind; 3] = [ListKind::Medical, ListKind::Dental, ListKind::Pharmacy];

    /// The word of the list's title: 医科, 歯科, 薬局.
    pub fn label_ja(self) -> &'static str {
        match self {
            ListKind::Medical => "医科",
            ListKind::Dental => "歯科",
            ListKind::Pharmacy => "薬局",
        }
    }

    /// The 点数表番号, the third digit of every code in the list.
    pub fn fee_schedule_digit(self) -> u8 {
        match self {
            ListKind::Medical => 1,
            ListKind::Dental => 3,
            ListKind::Pharmacy => 4,
        }
    }

    /// The kind whose codes carry `digit` as their third digit.
    pub fn of_digit(digit: u8) -> Option<Self> {
        ListKind::ALL.into_iter().find(|k| k.fee_schedule_digit() == digit)
    }

    /// The kind named in a title or a file name (「医科」, 「歯科」, 「薬局」/「調剤」).
    pub fn named_in(text: &str) -> Option<Self> {
        if text.contains("歯科") {
            Some(ListKind::Dental)
        } else if text.contains("薬局") || text.contains("調剤") {
            Some(ListKind::Pharmacy)
        } else if text.contains("医科") {
            Some(ListKind::Medical)
        } else {
            None
        }
    }

    /// The facility type of a facility in this list that the list calls 病院 or not.
    pub fn facility_type(self, hospital: bool) -> FacilityType {
        match (self, hospital) {
            (ListKind::Medical | ListKind::Dental, true) => FacilityType::Hospital,
            (ListKind::Medical, false) => FacilityType::MedicalClinic,
            (ListKind::Dental, false) => FacilityType::DentalClinic,
            (ListKind::Pharmacy, _) => FacilityType::Pharmacy,
        }
    }
}

/// Whether a facility is in the newest list, as the list's last column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListedStatus {
    /// 現存: open.
    Active,
    /// 休止: listed, but not operating.
    Suspended,
    /// No longer in the newest list of its prefecture and kind: probably closed (廃止) or
    /// moved to another code; kept with the date of the list it was missing from.
    Gone,
}

impl ListedStatus {
    /// The code stored and exported.
    pub fn code(self) -> &'static str {
        match self {
            ListedStatus::Active => "active",
            ListedStatus::Suspended => "suspended",
            ListedStatus::Gone => "gone",
        }
    }

    /// The Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            ListedStatus::Active => "現存",
            ListedStatus::Suspended => "休止",
            ListedStatus::Gone => "一覧から削除（廃止等の可能性）",
        }
    }

    /// The status a list writes as 「現存」 or 「休止」 (empty: 現存).
    pub fn from_list_word(word: &str) -> Option<Self> {
        match word.trim() {
            "" | "現存" => Some(ListedStatus::Active),
            "休止" => Some(ListedStatus::Suspended),
            _ => None,
        }
    }
}

impl FromStr for ListedStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(ListedStatus::Active),
            "suspended" => Ok(ListedStatus::Suspended),
            "gone" => Ok(ListedStatus::Gone),
            other => Err(format!("unknown registry status {other:?}")),
        }
    }
}

impl fmt::Display for ListedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One facility as a published list describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEntry {
    /// The 10-digit code (the list writes its last seven digits; the prefecture and the
    /// kind come from its title).
    pub code: FacilityCode,
    /// 名称.
    pub name: String,
    /// 病院, 医科診療所, 歯科診療所 or 薬局 (never 大型チェーン薬局: the lists do not say).
    pub facility_type: FacilityType,
    /// 郵便番号 as 「104-8560」, or empty when the list gives none.
    pub postal_code: String,
    /// 所在地, without the postal code.
    pub address: String,
    /// 電話番号 as written, or empty.
    pub phone: String,
    /// 現存 or 休止.
    pub status: ListedStatus,
    /// The date the list is 「現在」 (as of), when it says.
    pub as_of: Option<NaiveDate>,
    /// What the list is, for people: 「関東信越厚生局 コード内容別医療機関一覧表（東京都・医科、
    /// 令和7年8月1日現在）」 and the file it came in.
    pub source: String,
}

impl RegistryEntry {
    /// The prefecture of the facility (from its code).
    pub fn prefecture(&self) -> Prefecture {
        self.code.prefecture()
    }

    /// The list the facility is in.
    pub fn list_kind(&self) -> Option<ListKind> {
        ListKind::of_digit(self.code.fee_schedule_digit())
    }

    /// The fields whose values differ from `newer`'s (dates and sources aside): what a
    /// monthly update changes and the history keeps.
    pub fn changed_fields(&self, newer: &RegistryEntry) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.name != newer.name {
            changed.push("name");
        }
        if self.facility_type != newer.facility_type {
            changed.push("facility_type");
        }
        if self.postal_code != newer.postal_code {
            changed.push("postal_code");
        }
        if self.address != newer.address {
            changed.push("address");
        }
        if self.phone != newer.phone {
            changed.push("phone");
        }
        if self.status != newer.status {
            changed.push("status");
        }
        changed
    }
}

/// A row of a list that was not read, and why (the rows around it are read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The file (for a zip: 「lists.zip/東京都_医科.xlsx」).
    pub file: String,
    /// The sheet ("" for a CSV).
    pub sheet: String,
    /// The 1-based row number.
    pub row: u32,
    /// The code as written ("" when there was none).
    pub code: String,
    /// What is wrong, in Japanese.
    pub reason: String,
}

/// The 地方厚生局 (or 支局) that publishes the lists of `prefecture`. Source: 厚生労働省
/// 地方厚生（支）局の所在地及び管轄区域.
pub fn regional_bureau(prefecture: Prefecture) -> &'static str {
    match prefecture.number() {
        1 => "北海道厚生局",
        2..=7 => "東北厚生局",
        8..=15 | 19 | 20 => "関東信越厚生局",
        16 | 17 | 21..=24 => "東海北陸厚生局",
        18 | 25..=30 => "近畿厚生局",
        31..=35 => "中国四国厚生局",
        36..=39 => "四国厚生支局",
        _ => "九州厚生局",
    }
}

/// The title of the published list: 「関東信越厚生局 コード内容別医療機関一覧表（東京都・医科、
/// 令和7年8月1日現在）」.
pub fn list_title(prefecture: Prefecture, kind: ListKind, as_of: Option<NaiveDate>) -> String {
    let date = as_of.map(|d| format!("、{}現在", crate::wareki::format_wareki(d))).unwrap_or_default();
    format!(
        "{} コード内容別医療機関一覧表（{}・{}{date}）",
        regional_bureau(prefecture),
        prefecture.name_ja(),
        kind.label_ja()
    )
}

/// A postal code written 「〒104－8560」, 「104-8560」, 「1048560」 or with full-width digits, as
/// 「104-8560」; a code that lost its leading zero in a spreadsheet (「600001」 for 060-0001)
/// gets it back. `None` when the text holds no postal code.
pub fn normal_postal_code(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .map(ascii_digit)
        .filter(|c| !matches!(c, '〒' | '-' | '－' | 'ー' | '‐' | '−' | '―' | ' ' | '　'))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = match digits.len() {
        7 => digits,
        6 => format!("0{digits}"),
        _ => return None,
    };
    Some(format!("{}-{}", &digits[..3], &digits[3..]))
}

/// A full-width digit as ASCII; anything else unchanged.
pub fn ascii_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str) -> RegistryEntry {
        RegistryEntry {
            code: FacilityCode::parse(code).expect("valid"),
            name: "聖路加国際病院".into(),
            facility_type: FacilityType::Hospital,
            postal_code: "104-8560".into(),
            address: "東京都中央区明石町9-1".into(),
            phone: "03-3541-5151".into(),
            status: ListedStatus::Active,
            as_of: NaiveDate::from_ymd_opt(2025, 8, 1),
            source: String::new(),
        }
    }

    #[test]
    fn a_change_of_name_or_status_is_named_and_a_new_date_is_not() {
        let old = entry("1310270751");
        let mut new = entry("1310270751");
        new.as_of = NaiveDate::from_ymd_opt(2025, 9, 1);
        assert!(old.changed_fields(&new).is_empty());
        new.name = "聖路加国際病院（新館）".into();
        new.status = ListedStatus::Suspended;
        assert_eq!(old.changed_fields(&new), vec!["name", "status"]);
    }

    #[test]
    fn postal_codes_are_written_one_way() {
        assert_eq!(normal_postal_code("〒104－8560").as_deref(), Some("104-8560"));
        assert_eq!(normal_postal_code("１０４８５６０").as_deref(), Some("104-8560"));
        assert_eq!(normal_postal_code("600001").as_deref(), Some("060-0001"));
        assert_eq!(normal_postal_code("東京都"), None);
        assert_eq!(normal_postal_code("12345"), None);
    }

    #[test]
    fn every_prefecture_has_its_bureau() {
        let tokyo: Prefecture = "東京都".parse().expect("name");
        let fukui: Prefecture = "福井県".parse().expect("name");
        let okinawa: Prefecture = "沖縄県".parse().expect("name");
        assert_eq!(regional_bureau(tokyo), "関東信越厚生局");
        assert_eq!(regional_bureau(fukui), "近畿厚生局");
        assert_eq!(regional_bureau(okinawa), "九州厚生局");
        let title = list_title(tokyo, ListKind::Medical, NaiveDate::from_ymd_opt(2025, 8, 1));
        assert_eq!(title, "関東信越厚生局 コード内容別医療機関一覧表（東京都・医科、令和7年8月1日現在）");
    }

    #[test]
    fn the_list_kind_follows_the_third_digit_and_the_title() {
        assert_eq!(ListKind::of_digit(3), Some(ListKind::Dental));
        assert_eq!(ListKind::named_in("[令和7年8月1日現在　歯科　現存/休止]"), Some(ListKind::Dental));
        assert_eq!(ListKind::named_in("保険薬局"), Some(ListKind::Pharmacy));
        assert_eq!(ListKind::Dental.facility_type(true), FacilityType::Hospital);
        assert_eq!(ListKind::Dental.facility_type(false), FacilityType::DentalClinic);
    }
}
