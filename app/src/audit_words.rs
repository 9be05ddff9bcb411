//! The audit trail in words an auditor reads: Japanese names for the stored action, entity and
//! field codes, stored values shown as the pages show them (和暦, 状態の名前, 都道府県名), and a
//! before/after difference of the changed fields instead of raw JSON. The codes stay what the
//! trail stores and hashes; only their reading changes.

use serde_json::Value;

/// Every action the trail records: (code, Japanese).
pub const ACTIONS: [(&str, &str); 28] = [
    ("create", "登録"),
    ("update", "変更"),
    ("delete", "削除"),
    ("apply", "カードリーダーの申込"),
    ("choose_model", "機種の選定"),
    ("record_stage", "導入段階の記録"),
    ("set_grace", "猶予届出の記録"),
    ("transition", "状態の変更"),
    ("submit", "提出"),
    ("review", "審査"),
    ("mark_paid", "支払済みの記録"),
    ("record_payment", "交付（入金）の記録"),
    ("attach_receipt", "領収書の添付"),
    ("delete_receipt", "領収書の削除"),
    ("mark_shared", "費用の法人内共有の記録"),
    ("unmark_shared", "費用の法人内共有の取消"),
    ("reset", "最初の文面に戻す"),
    ("update_scope", "役割・範囲の変更"),
    ("disable", "利用停止"),
    ("enable", "利用再開"),
    ("reset_password", "パスワードの再設定"),
    ("enrol_second_factor", "二要素認証の設定"),
    ("reset_second_factor", "二要素認証のリセット"),
    ("use_recovery_code", "回復コードの使用"),
    ("registry_import", "医療機関一覧の取込"),
    ("registry_add", "医療機関一覧への追加"),
    ("registry_gone", "医療機関一覧からの削除"),
    ("seed_national", "全国の試験データの作成"),
];

/// Every kind of record the trail names: (code, Japanese).
pub const ENTITIES: [(&str, &str); 12] = [
    ("facility", "施設"),
    ("facility_progress", "導入状況"),
    ("reader_application", "カードリーダーの申込"),
    ("facility_patients", "患者数の見込み"),
    ("quote", "見積書"),
    ("counter_offer_letter", "ベンダーへの文書"),
    ("complaint", "相談"),
    ("subsidy_application", "補助金の交付申請"),
    ("vendor", "ベンダー"),
    ("user", "利用者"),
    ("registry_facility", "医療機関一覧の施設"),
    ("registry_import", "医療機関一覧の取込"),
];

/// The Japanese name of an action code; an unknown code is shown as it is, marked.
pub fn action_ja(code: &str) -> String {
    named(&ACTIONS, code)
}

/// The Japanese name of an entity code.
pub fn entity_ja(code: &str) -> String {
    named(&ENTITIES, code)
}

fn named(table: &[(&str, &str)], code: &str) -> String {
    table.iter().find(|(c, _)| *c == code).map_or_else(|| format!("その他（{code}）"), |(_, ja)| (*ja).to_owned())
}

/// The Japanese name of a stored field.
fn field_ja(key: &str) -> String {
    let ja = match key {
        "facility_id" => "施設",
        "quote_id" => "見積書",
        "vendor_id" => "ベンダー",
        "corporation_id" => "法人",
        "code" | "facility_code" => "医療機関コード",
        "name" => "名称",
        "kana" => "フリガナ",
        "facility_type" => "施設区分",
        "prefecture" => "都道府県",
        "address" => "所在地",
        "postal_code" => "郵便番号",
        "phone" => "電話番号",
        "online_billing" => "オンライン請求",
        "group_monthly_prescriptions" => "グループの処方箋受付回数（月）",
        "stage" => "段階",
        "on" => "日付",
        "blocker_code" => "止まっている理由",
        "blocker_text" => "理由（自由記述）",
        "applied_on" => "申込日・申請日",
        "readers" => "台数",
        "maker" => "機種",
        "model_undecided" => "機種未定",
        "chosen_on" => "機種選定日",
        "bulk_batch" => "一括申請",
        "bulk_declared_on" => "一括申請の申出日",
        "grace_type" => "猶予の類型",
        "accepted" => "受理",
        "until" => "猶予の終了日",
        "file_name" => "ファイル名",
        "file_sha256" => "ファイルのSHA-256",
        "lines" => "明細",
        "corrections" => "訂正",
        "confirmed" => "確定",
        "shared" => "法人内で共有",
        "paid_on" => "支払日・交付日",
        "amount" => "金額",
        "status" => "状態",
        "kind" => "種類",
        "comment" => "コメント",
        "held_by_auditors" => "監査担当が受付",
        "scheme" => "補助の区分",
        "subsidy" => "補助金額",
        "total_cost" => "総事業費",
        "submitted_on" => "提出日",
        "email" => "メールアドレス",
        "display_name" => "氏名",
        "role" => "役割",
        "association" => "所属団体",
        "disabled" => "利用停止",
        "second_factor" => "二要素認証",
        "recovery_codes" => "回復コード",
        "enrolled_at" => "設定日時",
        "text" | "body" => "本文",
        "points" => "指摘",
        other => return other.to_owned(),
    };
    ja.to_owned()
}

/// A stored value as the pages show it: the Japanese name of a code, a date in 和暦, はい／いいえ.
fn value_ja(key: &str, value: &Value) -> String {
    const LONGEST: usize = 80;
    match value {
        Value::Null => "（なし）".to_owned(),
        Value::Bool(b) => if *b { "はい" } else { "いいえ" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => format!("{}件", items.len()),
        Value::Object(fields) => format!("{}項目", fields.len()),
        Value::String(s) => {
            let named = match key {
                "stage" => s.parse::<rules::provisioning::Stage>().ok().map(|x| x.label_ja().to_owned()),
                "role" => s.parse::<rules::Role>().ok().map(|x| x.label_ja().to_owned()),
                "association" => s.parse::<rules::Association>().ok().map(|x| x.label_ja().to_owned()),
                "prefecture" => s.parse::<rules::Prefecture>().ok().map(|x| x.name_ja().to_owned()),
                "facility_type" => s.parse::<rules::FacilityType>().ok().map(|x| x.label_ja().to_owned()),
                "kind" => s.parse::<rules::complaint::ComplaintKind>().ok().map(|x| x.label_ja().to_owned()),
                "status" => s
                    .parse::<rules::complaint::ComplaintStatus>()
                    .map(|x| x.label_ja().to_owned())
                    .or_else(|_| s.parse::<rules::application::ApplicationStatus>().map(|x| x.label_ja().to_owned()))
                    .ok(),
                _ => None,
            };
            let text = named.unwrap_or_else(|| {
                if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
                    rules::format_stored_day(s)
                } else if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
                    rules::format_timestamp_jst(s)
                } else {
                    s.clone()
                }
            });
            if text.chars().count() > LONGEST {
                format!("{}…", text.chars().take(LONGEST).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// One changed field: (field, before, after), each in Japanese; `None` where the side is absent
/// (a record created or deleted).
pub type FieldChange = (String, Option<String>, Option<String>);

/// The fields that differ between the stored before and after (JSON text, as the trail keeps
/// them), in the order the record names them; every field of a record created or deleted.
pub fn changes(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let parse = |j: Option<&str>| j.and_then(|t| serde_json::from_str::<Value>(t).ok());
    let (before, after) = (parse(before), parse(after));
    let fields = |v: &Option<Value>| -> Vec<(String, Value)> {
        match v {
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Some(other) => vec![("value".to_owned(), other.clone())],
            None => Vec::new(),
        }
    };
    let (old, new) = (fields(&before), fields(&after));
    let mut keys: Vec<String> = old.iter().map(|(k, _)| k.clone()).collect();
    for (k, _) in &new {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let lookup = |side: &[(String, Value)], k: &str| side.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    keys.into_iter()
        .filter_map(|k| {
            let (b, a) = (lookup(&old, &k), lookup(&new, &k));
            if b == a {
                return None;
            }
            let show =
                |v: Option<Value>| if before.is_none() || after.is_none() { v } else { Some(v.unwrap_or(Value::Null)) };
            let (b, a) = (show(b), show(a));
            Some((field_ja(&k), b.map(|v| value_ja(&k, &v)), a.map(|v| value_ja(&k, &v))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_as_the_fields_that_moved_in_japanese() {
        let before = r#"{"role":"clinic_manager","prefecture":null,"association":null,"email":"a@example.jp"}"#;
        let after = r#"{"role":"reviewer","prefecture":"40","association":"medical","email":"a@example.jp"}"#;
        let mut listed = changes(Some(before), Some(after));
        listed.sort();
        let mut expected = vec![
            ("役割".to_owned(), Some("医療機関担当者".to_owned()), Some("審査担当（医師会等）".to_owned())),
            ("都道府県".to_owned(), Some("（なし）".to_owned()), Some("福岡県".to_owned())),
            ("所属団体".to_owned(), Some("（なし）".to_owned()), Some("医師会".to_owned())),
        ];
        expected.sort();
        assert_eq!(listed, expected, "the unchanged e-mail is left out");
    }

    #[test]
    fn a_created_record_lists_its_fields_with_dates_in_wareki() {
        let after = r#"{"stage":"vendor_ordered","on":"2022-10-01","blocker_code":null}"#;
        let listed = changes(None, Some(after));
        let field = |name: &str| listed.iter().find(|(f, _, _)| f == name).cloned().expect(name);
        assert_eq!(listed.len(), 3);
        assert_eq!(field("段階"), ("段階".to_owned(), None, Some("ベンダ発注済・導入作業未着手".to_owned())));
        assert!(field("日付").2.is_some_and(|d| d.starts_with("令和4年10月1日")), "{listed:?}");
        assert_eq!(field("止まっている理由"), ("止まっている理由".to_owned(), None, Some("（なし）".to_owned())));
    }

    #[test]
    fn codes_have_japanese_names_and_unknown_ones_say_so() {
        assert_eq!(action_ja("record_stage"), "導入段階の記録");
        assert_eq!(entity_ja("facility_progress"), "導入状況");
        assert_eq!(action_ja("transition"), "状態の変更");
        assert_eq!(action_ja("frobnicate"), "その他（frobnicate）");
        let codes: std::collections::HashSet<&str> = ACTIONS.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes.len(), ACTIONS.len(), "each action once");
    }
}
