//! Server functions of the letter to the vendor (お見積り内容についてのご確認とお願い) built from
//! an audited quote: the letter, and its facility's manager saving an edited text or going back
//! to the one built from the audit.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The letter's title, on the page, in the PDF and as the PDF's title.
pub const TITLE: &str = "お見積り内容についてのご確認とお願い";

/// The parts of the letter its sender may edit; stored as JSON when edited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterText {
    /// 医療機関名.
    pub facility: String,
    /// 医療機関コード.
    pub facility_code: String,
    /// 所在地.
    pub address: String,
    /// 電話番号.
    pub phone: String,
    /// ご担当者.
    pub person: String,
    /// The opening after 拝啓, paragraphs split at blank lines.
    pub opening: String,
    /// The points under 記, in order.
    pub points: Vec<PointText>,
}

/// The sender block as the edit form sends it (`sender[facility]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// 医療機関名.
    pub facility: String,
    /// 医療機関コード.
    pub facility_code: String,
    /// 所在地.
    pub address: String,
    /// 電話番号.
    pub phone: String,
    /// ご担当者.
    pub person: String,
}

/// One point under 記: its text (where in the quote on the first line) and whether it is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointText {
    /// The text, without its number.
    pub text: String,
    /// Left out of the letter.
    pub omitted: bool,
}

/// The letter, ready to print, with what its edit form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterView {
    /// The quote.
    pub quote_id: i64,
    /// Paragraphs in order (lines inside a paragraph kept).
    pub paragraphs: Vec<String>,
    /// Number of points printed.
    pub points: usize,
    /// The editable text, as the form shows it.
    pub text: LetterText,
    /// The user may edit it (the facility's manager).
    pub can_edit: bool,
    /// Who saved the edited text and when; None for the letter built from the audit.
    pub edited: Option<String>,
}

/// The letter template (`templates/counter_offer_letter.ja.txt`).
pub const TEMPLATE: &str = include_str!("../../../templates/counter_offer_letter.ja.txt");

/// The opening after 拝啓 (`templates/counter_offer_letter.opening.ja.txt`).
pub const OPENING: &str = include_str!("../../../templates/counter_offer_letter.opening.ja.txt");

/// Fills `{{name}}` placeholders; unknown ones are left out.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = after[..end].trim();
                if let Some((_, v)) = values.iter().find(|(k, _)| *k == key) {
                    out.push_str(v);
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits filled text into paragraphs at blank lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(|p| p.trim_matches('\n').to_owned()).filter(|p| !p.trim().is_empty()).collect()
}

/// What the letter says besides its editable text: the date, the addressee and the figures of
/// the quote for reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    /// The date of the letter, 和暦 with the western date.
    pub date: String,
    /// The vendor.
    pub vendor: String,
    /// The figures for reference, one a line.
    pub reference: Vec<String>,
}

/// The sender block: one line per detail given.
fn sender_block(t: &LetterText) -> String {
    [
        t.facility.clone(),
        format!("医療機関コード {}", t.facility_code),
        t.address.clone(),
        if t.phone.is_empty() { String::new() } else { format!("電話 {}", t.phone) },
        if t.person.is_empty() { String::new() } else { format!("担当 {}", t.person) },
    ]
    .into_iter()
    .filter(|l| !l.trim().is_empty())
    .collect::<Vec<_>>()
    .join("\n")
}

/// A point as printed: its number, its first line after it, the other lines indented.
fn numbered(n: usize, text: &str) -> String {
    let mut lines = text.lines().map(str::trim_end).filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default();
    let mut out = format!("{n}. {first}");
    for l in lines {
        out.push_str("\n　");
        out.push_str(l.trim_start_matches([' ', '　']));
    }
    out
}

/// The letter's paragraphs from its text and what is fixed; with the number of points printed.
pub fn letter_paragraphs(text: &LetterText, fixed: &Fixed) -> (Vec<String>, usize) {
    let printed: Vec<&PointText> = text.points.iter().filter(|p| !p.omitted && !p.text.trim().is_empty()).collect();
    let items = if printed.is_empty() {
        "お見積りの内訳について、念のためご確認をお願いいたします。".to_owned()
    } else {
        printed.iter().enumerate().map(|(i, p)| numbered(i + 1, &p.text)).collect::<Vec<_>>().join("\n\n")
    };
    // 拝啓 opens the first paragraph; a blank line starts the next.
    let opening = paragraphs(&text.opening.replace("\r\n", "\n")).join("\n\n");
    let values = [
        ("date", fixed.date.clone()),
        ("vendor", fixed.vendor.clone()),
        ("sender", sender_block(text)),
        ("opening", format!("拝啓　{opening}")),
        ("items", items),
        ("reference", fixed.reference.join("\n")),
    ];
    (paragraphs(&fill(TEMPLATE, &values)), printed.len())
}

/// Longest texts the letter takes, in characters: a line of the sender block fits a line of
/// the page; a point or the opening a few paragraphs.
pub mod limits {
    /// 医療機関名.
    pub const FACILITY: usize = 100;
    /// 所在地.
    pub const ADDRESS: usize = 150;
    /// 電話番号.
    pub const PHONE: usize = 30;
    /// ご担当者.
    pub const PERSON: usize = 60;
    /// The opening.
    pub const OPENING: usize = 2000;
    /// A point.
    pub const POINT: usize = 2000;
}

/// The letter's text as typed in the edit form, checked: (field, what to fix) for each field
/// that is not right.
pub fn checked(mut t: LetterText) -> Result<LetterText, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    t.facility = one_line(&t.facility);
    t.address = one_line(&t.address);
    t.phone = one_line(&t.phone);
    t.person = one_line(&t.person);
    t.facility_code = t.facility_code.trim().to_owned();
    let mut too_long = |field: String, label: &str, text: &str, max: usize| {
        let n = text.chars().count();
        if n > max {
            errors.push((field, format!("{label}は{max}文字以内で入力してください（いま{n}文字です）。")));
        }
    };
    too_long("sender[facility]".into(), "医療機関名", &t.facility, limits::FACILITY);
    too_long("sender[address]".into(), "所在地", &t.address, limits::ADDRESS);
    too_long("sender[phone]".into(), "電話番号", &t.phone, limits::PHONE);
    too_long("sender[person]".into(), "ご担当者", &t.person, limits::PERSON);
    too_long("opening".into(), "書き出しの文", &t.opening, limits::OPENING);
    for (i, p) in t.points.iter().enumerate() {
        too_long(format!("point[{}]", i + 1), &format!("{}番目の項目", i + 1), &p.text, limits::POINT);
    }
    // The letter is printed and kept: the same characters as every name Onshi prints (line
    // breaks in the opening and the points are the text's own).
    let mut unprintable = |field: String, label: &str, text: &str| {
        let bad = text.chars().enumerate().find(|(_, c)| !c.is_control() && !rules::printable_name::is_printable(*c));
        if let Some((at, c)) = bad {
            errors.push((
                field,
                format!("{label}の『{c}』（{}文字目）は印刷できない文字です。別の文字に置き換えてください。", at + 1),
            ));
        }
    };
    unprintable("sender[facility]".into(), "医療機関名", &t.facility);
    unprintable("sender[address]".into(), "所在地", &t.address);
    unprintable("sender[person]".into(), "ご担当者", &t.person);
    unprintable("opening".into(), "書き出しの文", &t.opening);
    for (i, p) in t.points.iter().enumerate() {
        unprintable(format!("point[{}]", i + 1), &format!("{}番目の項目", i + 1), &p.text);
    }
    if t.facility.is_empty() {
        errors.push(("sender[facility]".into(), "医療機関名を入力してください。".into()));
    }
    if t.opening.trim().is_empty() {
        errors.push(("opening".into(), "書き出しの文を入力してください。".into()));
    }
    if let Err(e) = rules::FacilityCode::parse(&t.facility_code) {
        errors.push(("sender[facility_code]".into(), e.to_string()));
    }
    let phone_chars = |c: char| c.is_ascii_digit() || "-()+ ０１２３４５６７８９－（）".contains(c);
    if !t.phone.chars().all(phone_chars) {
        errors
            .push(("sender[phone]".into(), "電話番号は数字とハイフンで入力してください（例: 092-123-4567）。".into()));
    }
    if errors.is_empty() { Ok(t) } else { Err(errors) }
}

/// The letter to the vendor of a quote in the user's scope: as its manager last saved it, else
/// built from the audit.
#[server(prefix = "/api", endpoint = "counter_offer_letter")]
pub async fn counter_offer_letter(id: i64) -> Result<LetterView, UiError> {
    use crate::ssr::{context, db};
    let prepared = crate::api::quote_audit::prepare(id).await?;
    let pool = context::pool()?;
    let facility_id = prepared.detail.facility_id;
    let can_edit = prepared.user.role.may(rules::access::Permission::EditOwnFacilities);
    let display_name = prepared.user.display_name.clone();
    let (facility, facility_code, address) =
        db::letters::sender(&pool, facility_id).await.map_err(context::internal)?;
    let saved = db::letters::saved(&pool, id).await.map_err(context::internal)?;
    let last = match &saved {
        Some(_) => None,
        None => db::letters::last_of_facility(&pool, facility_id).await.map_err(context::internal)?,
    };
    let saved_text = match &saved {
        Some(s) => Some(serde_json::from_str::<LetterText>(&s.letter_json).map_err(context::internal)?),
        None => None,
    };
    let edited = saved.as_ref().map(|s| {
        format!(
            "この文面は {} に {} さんが編集して保存したものです。",
            rules::format_timestamp_jst(&s.edited_at),
            s.edited_by.clone().unwrap_or_else(|| "（削除された利用者）".into())
        )
    });
    // The phone and person of the facility's last saved letter start a new one.
    let last: Option<LetterText> = last.and_then(|j| serde_json::from_str(&j).ok());
    let today = context::today();
    crate::ssr::heavy_work::from_context()
        .page(move |_| {
            let kind = prepared.ctx.facility_type;
            let (r, detail) = prepared.run()?;
            let text = saved_text.unwrap_or_else(|| LetterText {
                facility,
                facility_code,
                address,
                phone: last.as_ref().map(|l| l.phone.clone()).unwrap_or_default(),
                person: last.map(|l| l.person).filter(|p| !p.is_empty()).unwrap_or(display_name),
                opening: fill(OPENING, &[("quote", quote_named(detail.quote_date.as_deref()))]).trim().to_owned(),
                points: points_of(&r, kind),
            });
            let fixed = Fixed {
                date: rules::format_wareki_with_western(today),
                vendor: detail.vendor.clone().unwrap_or_else(|| "（事業者名）".into()),
                reference: reference(&r),
            };
            let (paragraphs, points) = letter_paragraphs(&text, &fixed);
            Ok(LetterView { quote_id: id, paragraphs, points, text, can_edit, edited })
        })
        .await
}

/// How the opening names the quote: by its date when it has one.
#[cfg(feature = "ssr")]
fn quote_named(date: Option<&str>) -> String {
    match date.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
        Some(d) => format!("{}付けでご提示いただきましたお見積り", rules::format_wareki(d)),
        None => "先日ご提示いただきましたお見積り".to_owned(),
    }
}

/// One point per flag, lines first, then the whole quote's; sources cited as people read them.
#[cfg(feature = "ssr")]
fn points_of(r: &rules::audit::AuditReport, kind: rules::FacilityType) -> Vec<PointText> {
    let on_lines = r.lines.iter().flat_map(|l| l.flags.iter().map(move |f| (Some(l), f)));
    on_lines
        .chain(r.flags.iter().map(|f| (None, f)))
        .map(|(line, flag)| {
            let p = rules::audit::letter_point(flag, line, kind);
            PointText { text: format!("{}\n{}", p.heading, p.body(cite)), omitted: false }
        })
        .collect()
}

/// A source note as the letter cites it: the public documents alone (issuer, title, date), the
/// notes' details on where in them left to the audit page.
#[cfg(feature = "ssr")]
fn cite(note: &str) -> Option<String> {
    let documents: Vec<&str> = note.split(';').map(|part| part.split('（').next().unwrap_or_default().trim()).collect();
    crate::public_source::public_source(&documents.join("; "))
}

/// The quote's figures for reference, one a line.
#[cfg(feature = "ssr")]
fn reference(r: &rules::audit::AuditReport) -> Vec<String> {
    let scheme = format!(
        "{}（{}、上限 {}）",
        r.subsidy.scheme_name.clone().unwrap_or_else(|| "該当なし".into()),
        r.subsidy.rate.label_ja(),
        r.subsidy.cap
    );
    vec![
        "（ご参考）".to_owned(),
        format!("見積金額（税込） {}", r.written.total.unwrap_or(r.computed.total)),
        format!("うち補助対象経費（税込） {}", r.computed.eligible_total),
        format!("補助金の見込み {}（{scheme}）", r.subsidy.amount),
        crate::api::quote_audit::burden_line(r),
    ]
}

/// The edit form's fields as a letter's text; `point[n]` and `omit[n]` count from 1.
pub fn typed_text(
    sender: Sender,
    opening: String,
    point: BTreeMap<String, String>,
    omit: &BTreeMap<String, String>,
) -> LetterText {
    let Sender { facility, facility_code, address, phone, person } = sender;
    let mut numbered: Vec<(usize, String)> =
        point.into_iter().filter_map(|(k, v)| Some((k.parse::<usize>().ok()?, v))).collect();
    numbered.sort_by_key(|(n, _)| *n);
    let points = numbered
        .into_iter()
        .map(|(n, text)| PointText { text: text.replace("\r\n", "\n"), omitted: omit.contains_key(&n.to_string()) })
        .collect();
    LetterText { facility, facility_code, address, phone, person, opening: opening.replace("\r\n", "\n"), points }
}

/// Saves the letter of a quote as its facility's manager edited it; refused with the message
/// beside each field to fix and everything as typed.
#[server(prefix = "/api", endpoint = "save_letter")]
pub async fn save_letter(
    quote_id: i64,
    sender: Sender,
    opening: String,
    point: Option<BTreeMap<String, String>>,
    omit: Option<BTreeMap<String, String>>,
) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::quotes::detail(&pool, &user.scope, quote_id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let (point, omit) = (point.unwrap_or_default(), omit.unwrap_or_default());
    let mut values: Vec<(String, String)> = [
        ("sender[facility]", &sender.facility),
        ("sender[facility_code]", &sender.facility_code),
        ("sender[address]", &sender.address),
        ("sender[phone]", &sender.phone),
        ("sender[person]", &sender.person),
        ("opening", &opening),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect();
    values.extend(point.iter().map(|(k, v)| (format!("point[{k}]"), v.clone())));
    values.extend(omit.keys().map(|k| (format!("omit[{k}]"), "on".to_owned())));
    let text = typed_text(sender, opening, point, &omit);
    let text = checked(text).map_err(|errors| UiError::FormRejected { errors, values })?;
    let actor = Actor::user(user.id, user.email.clone());
    db::letters::save(&pool, &actor, quote_id, serde_json::json!(text)).await?;
    leptos_axum::redirect(&format!("/quotes/{quote_id}/letter"));
    Ok(())
}

/// Drops the edited letter of a quote: the letter is built from the audit again.
#[server(prefix = "/api", endpoint = "reset_letter")]
pub async fn reset_letter(quote_id: i64) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::quotes::detail(&pool, &user.scope, quote_id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    db::letters::reset(&pool, &Actor::user(user.id, user.email.clone()), quote_id).await?;
    leptos_axum::redirect(&format!("/quotes/{quote_id}/letter"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_left_out() {
        let out = fill("a {{x}} b {{ y }} c {{z}}", &[("x", "1".into()), ("y", "2".into())]);
        assert_eq!(out, "a 1 b 2 c ");
        assert_eq!(fill("no close {{x", &[("x", "1".into())]), "no close {{x");
    }

    #[test]
    fn the_templates_use_only_placeholders_the_letter_fills() {
        let known = ["date", "vendor", "sender", "opening", "items", "reference", "quote"];
        for template in [TEMPLATE, OPENING] {
            let mut rest = template;
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let end = after.find("}}").expect("closed");
                assert!(known.contains(&after[..end].trim()), "unknown placeholder {}", &after[..end]);
                rest = &after[end + 2..];
            }
        }
    }

    #[test]
    fn paragraphs_split_at_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n\nc\n"), vec!["a\nb".to_owned(), "c".to_owned()]);
    }

    fn text() -> LetterText {
        LetterText {
            facility: "オンシ記念病院".into(),
            facility_code: "4010123018".into(),
            address: "福岡県福岡市中央区オンシ一丁目1番1号".into(),
            phone: "092-123-4567".into(),
            person: "事務長 山田".into(),
            opening: "時下ますますご清栄のこととお慶び申し上げます。\n\nさて、下記のとおりです。".into(),
            points: vec![
                PointText {
                    text: "14行目「顔認証付きカードリーダー」\n一つ目です。\n二行目です。".into(),
                    omitted: false,
                },
                PointText { text: "見積全体\n外した点です。".into(), omitted: true },
                PointText { text: "15行目「保守」\n三つ目です。".into(), omitted: false },
            ],
        }
    }

    #[test]
    fn a_character_the_pdf_cannot_print_is_refused_in_its_field_and_line_breaks_are_kept() {
        assert!(checked(text()).is_ok(), "line breaks in the opening and points are the text's own");
        let mut t = text();
        t.person = "事務長 山田😀".into();
        t.points[2].text = "15行目「保守」\n∑ 三つ目です。".into();
        let errors = checked(t).expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["sender[person]", "point[3]"]);
        assert!(errors[0].1.contains("『😀』（7文字目）"), "{}", errors[0].1);
        assert!(errors[1].1.contains("『∑』（10文字目）"), "{}", errors[1].1);
    }

    #[test]
    fn the_letter_runs_from_the_date_to_以上_with_points_numbered_as_printed() {
        let fixed = Fixed {
            date: "令和8年12月9日（2026-12-09）".into(),
            vendor: "株式会社ヘルス".into(),
            reference: vec!["（ご参考）".into()],
        };
        let (p, printed) = letter_paragraphs(&text(), &fixed);
        assert_eq!(printed, 2, "the point left out is not printed");
        assert_eq!(p[0], "令和8年12月9日（2026-12-09）");
        assert_eq!(p[1], "株式会社ヘルス 御中");
        assert_eq!(
            p[2],
            "オンシ記念病院\n医療機関コード 4010123018\n福岡県福岡市中央区オンシ一丁目1番1号\n電話 092-123-4567\n担当 事務長 山田"
        );
        assert_eq!(p[3], TITLE);
        assert_eq!(p[4], "拝啓　時下ますますご清栄のこととお慶び申し上げます。");
        assert_eq!(p[5], "さて、下記のとおりです。");
        assert_eq!(&p[6..8], ["敬具", "記"]);
        assert_eq!(p[8], "1. 14行目「顔認証付きカードリーダー」\n　一つ目です。\n　二行目です。");
        assert_eq!(p[9], "2. 15行目「保守」\n　三つ目です。");
        assert!(!p.iter().any(|x| x.contains("外した点")));
        assert_eq!(p[p.len() - 1], "以上");
    }

    #[test]
    fn a_form_too_long_or_with_a_bad_code_says_what_to_fix_beside_each_field() {
        let mut t = text();
        t.facility = "病".repeat(limits::FACILITY + 1);
        t.facility_code = "123".into();
        t.phone = "電話してください".into();
        t.points[2].text = "あ".repeat(limits::POINT + 5);
        let errors = checked(t).expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["sender[facility]", "point[3]", "sender[facility_code]", "sender[phone]"], "{errors:?}");
        assert!(errors[0].1.contains("100文字以内") && errors[0].1.contains("101文字"), "{errors:?}");
        assert!(checked(text()).is_ok());
    }

    #[test]
    fn the_form_reads_points_in_their_numbers_order_and_which_are_left_out() {
        let point: BTreeMap<String, String> =
            [("10", "十"), ("2", "二"), ("1", "一")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let omit: BTreeMap<String, String> = [("2".to_owned(), "on".to_owned())].into_iter().collect();
        let t = typed_text(Sender::default(), String::new(), point, &omit);
        let got: Vec<(&str, bool)> = t.points.iter().map(|p| (p.text.as_str(), p.omitted)).collect();
        assert_eq!(got, [("一", false), ("二", true), ("十", false)]);
    }
}
