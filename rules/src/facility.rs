//! A facility as entered in a form, parsed into domain types with per-field errors.

use crate::facility_type::LARGE_CHAIN_MONTHLY_PRESCRIPTIONS;
use crate::printable_name::{NameKind, PrintableName};
use crate::{FacilityCode, FacilityType, Prefecture};

/// What a facility form sends (all text, as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacilityInput {
    /// 医療機関コード.
    pub code: String,
    /// 施設名.
    pub name: String,
    /// フリガナ.
    pub kana: String,
    /// Facility type code.
    pub facility_type: String,
    /// Prefecture code or name.
    pub prefecture: String,
    /// 所在地 (after the prefecture).
    pub address: String,
    /// "true" when the facility bills online.
    pub online_billing: bool,
    /// A pharmacy group's monthly prescriptions, as typed.
    pub group_monthly_prescriptions: String,
}

/// A facility that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFacility {
    /// Code, consistent with type and prefecture.
    pub code: FacilityCode,
    /// Name, printable in the PDF and a CP932 CSV.
    pub name: PrintableName,
    /// Kana.
    pub kana: String,
    /// Type.
    pub facility_type: FacilityType,
    /// Prefecture.
    pub prefecture: Prefecture,
    /// Address.
    pub address: String,
    /// Bills online (under the obligation from 2023-04-01) or on paper (exempt).
    pub online_billing: bool,
    /// Monthly prescriptions of the pharmacy group.
    pub group_monthly_prescriptions: Option<u32>,
}

/// (field name, what to fix in Japanese).
pub type FieldErrors = Vec<(&'static str, String)>;

fn is_kana(s: &str) -> bool {
    s.chars().all(|c| matches!(c, 'ァ'..='ヶ' | 'ー' | '・' | ' ' | '　' | '（' | '）' | '(' | ')'))
}

/// Checks every field; all errors at once.
pub fn validate(input: &FacilityInput) -> Result<ValidFacility, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let facility_type = input.facility_type.parse::<FacilityType>().map_err(|_| {
        errors.push(("facility_type", "施設区分を選んでください".into()));
    });
    let prefecture = input.prefecture.parse::<Prefecture>().map_err(|_| {
        errors.push(("prefecture", "都道府県を選んでください".into()));
    });
    let code = match facility_type {
        Ok(t) => FacilityCode::parse_for(&input.code, t),
        Err(()) => FacilityCode::parse(&input.code),
    }
    .map_err(|e| errors.push(("code", e.to_string())));
    if let (Ok(c), Ok(p)) = (&code, &prefecture)
        && c.prefecture() != *p
    {
        errors.push((
            "code",
            format!("医療機関コードの先頭2桁（{}）が都道府県（{}）と一致しません", c.prefecture().code(), p.name_ja()),
        ));
    }
    let name = PrintableName::parse(&input.name, NameKind::Facility).map_err(|e| errors.push(("name", e.to_string())));
    let kana = input.kana.trim().to_owned();
    if kana.is_empty() || !is_kana(&kana) {
        errors.push(("kana", "フリガナを全角カタカナで入力してください".into()));
    }
    let prescriptions = match input.group_monthly_prescriptions.trim() {
        "" => None,
        t => match t.replace([',', '，'], "").parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push((
                    "group_monthly_prescriptions",
                    "処方箋の受付回数は数字で入力してください（例: 42000）".into(),
                ));
                None
            }
        },
    };
    if let (Ok(t), Some(n)) = (&facility_type, prescriptions) {
        match t {
            FacilityType::Pharmacy if n >= LARGE_CHAIN_MONTHLY_PRESCRIPTIONS => errors.push((
                "facility_type",
                format!("グループで処方箋の受付が月{LARGE_CHAIN_MONTHLY_PRESCRIPTIONS}回以上の薬局は「大型チェーン薬局」です（入力: {n}回）"),
            )),
            FacilityType::LargeChainPharmacy if n < LARGE_CHAIN_MONTHLY_PRESCRIPTIONS => errors.push((
                "facility_type",
                format!("大型チェーン薬局はグループで月{LARGE_CHAIN_MONTHLY_PRESCRIPTIONS}回以上の受付がある薬局です（入力: {n}回）。「薬局」を選んでください"),
            )),
            FacilityType::Pharmacy | FacilityType::LargeChainPharmacy => {}
            _ => errors.push(("group_monthly_prescriptions", "処方箋の受付回数は薬局の場合だけ入力してください".into())),
        }
    }
    match (code, name, facility_type, prefecture) {
        (Ok(code), Ok(name), Ok(facility_type), Ok(prefecture)) if errors.is_empty() => Ok(ValidFacility {
            code,
            name,
            kana,
            facility_type,
            prefecture,
            address: input.address.trim().to_owned(),
            online_billing: input.online_billing,
            group_monthly_prescriptions: prescriptions,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FacilityInput {
        FacilityInput {
            code: "0110113719".into(),
            name: "テスト内科".into(),
            kana: "テストナイカ".into(),
            facility_type: "medical_clinic".into(),
            prefecture: "01".into(),
            address: "札幌市".into(),
            online_billing: true,
            group_monthly_prescriptions: String::new(),
        }
    }

    #[test]
    fn a_consistent_facility_passes() {
        let v = validate(&input()).unwrap();
        assert_eq!(v.prefecture.name_ja(), "北海道");
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut i = input();
        i.prefecture = "13".into();
        i.kana = "てすと".into();
        i.name = " ".into();
        let fields: Vec<&str> = validate(&i).unwrap_err().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["code", "name", "kana"]);
        let mut i = input();
        i.facility_type = "pharmacy".into();
        assert!(validate(&i).unwrap_err()[0].1.contains("3桁目は4"));
    }

    #[test]
    fn the_facility_name_must_be_printable() {
        let mut i = input();
        i.name = format!("テスト内科😀{}", "あ".repeat(406));
        assert_eq!(
            validate(&i).unwrap_err(),
            vec![(
                "name",
                "『😀』（6文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください。医療機関名は100文字以内で入力してください（現在412文字）".to_owned()
            )]
        );
        i.name = " ㈱髙ｸﾘﾆｯｸ ".into();
        assert_eq!(validate(&i).unwrap().name.as_str(), "㈱髙クリニック");
    }

    #[test]
    fn forty_thousand_prescriptions_make_a_large_chain() {
        let mut i = input();
        i.code = "1340000000".into();
        // Find a valid pharmacy code for Tokyo by its check digit.
        let valid = (0..10).map(|d| format!("134000000{d}")).find(|c| FacilityCode::parse(c).is_ok()).unwrap();
        i.code = valid;
        i.prefecture = "13".into();
        i.facility_type = "pharmacy".into();
        i.group_monthly_prescriptions = "40,000".into();
        assert!(validate(&i).unwrap_err()[0].1.contains("大型チェーン薬局"));
        i.facility_type = "large_chain_pharmacy".into();
        assert_eq!(validate(&i).unwrap().group_monthly_prescriptions, Some(40_000));
        i.group_monthly_prescriptions = "39999".into();
        assert!(validate(&i).is_err());
    }
}
