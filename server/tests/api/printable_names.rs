//! Names people can print: the facility form, admin add-user and a new vendor refuse a name the
//! PDF or a CP932 CSV cannot show, beside the field and keeping what was typed; a name with the
//! variant characters people use (髙, ㈱, ①, 﨑) comes back intact from the CSV and the PDF.

use crate::helpers::*;
use crate::quote_upload::{count, hospital as managers_facility, upload};

/// The name of the report: 412 characters with an emoji at the 6th.
fn emoji_name() -> String {
    let name = format!("さくら内科😀{}", "あ".repeat(406));
    assert_eq!(name.chars().count(), 412);
    name
}

const EMOJI_MESSAGE: &str = "『😀』（6文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください";

/// A valid medical-clinic code of 福岡 for a serial number.
fn clinic_code(serial: u32) -> String {
    (0..10)
        .map(|d| format!("401{serial:06}{d}"))
        .find(|c| rules::FacilityCode::parse(c).is_ok())
        .expect("one check digit fits")
}

fn facility_form<'a>(code: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", "0"),
        ("code", code),
        ("name", name),
        ("kana", "オンシクリニック"),
        ("facility_type", "medical_clinic"),
        ("prefecture", "40"),
        ("address", "福岡市博多区"),
        ("online_billing", "on"),
        ("group_monthly_prescriptions", ""),
        ("confirmed", "on"),
    ]
}

/// The page a refused form redirects back to.
async fn refused_page(app: &TestApp, who: &reqwest::Client, res: reqwest::Response) -> String {
    let back = location(&res);
    assert!(back.contains("__err"), "refused: {back}");
    let url = if back.starts_with("http") { back } else { app.url(&back) };
    who.get(url).send().await.expect("GET").text().await.expect("body")
}

/// The input named `name` and the message beside it: aria-invalid, aria-describedby pointing
/// at the message's id, the message there.
fn assert_refused_beside_the_field(html: &str, name: &str, message: &str) {
    let input_at = html.find(&format!(r#"name="{name}""#)).unwrap_or_else(|| panic!("input {name}"));
    let tag_start = html[..input_at].rfind('<').expect("tag start");
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').expect("tag end")];
    assert!(tag.contains(r#"aria-invalid="true""#), "{tag}");
    assert!(tag.contains(&format!(r#"aria-describedby="{name}-error""#)), "{tag}");
    let span = html.find(&format!(r#"id="{name}-error""#)).expect("the message's id");
    let after = &html[span..];
    assert!(after[..after.find("</span>").expect("end")].contains(message), "{name}: {message}");
}

#[tokio::test]
async fn the_facility_form_refuses_the_412_character_emoji_name_beside_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let before: i64 = count(&app, "facilities").await;
    let (code, name) = (clinic_code(412_001), emoji_name());
    let res = post_form(&app, &app.client, "/api/save_facility", "/facilities/new", &facility_form(&code, &name)).await;
    let html = refused_page(&app, &app.client, res).await;
    assert_refused_beside_the_field(&html, "name", EMOJI_MESSAGE);
    assert_refused_beside_the_field(&html, "name", "医療機関名は100文字以内で入力してください（現在412文字）");
    assert!(html.contains(&format!(r#"value="{name}""#)), "what was typed is kept");
    assert!(html.contains(&format!(r#"value="{code}""#)), "the other fields too");
    let after: i64 = count(&app, "facilities").await;
    assert_eq!(after, before, "nothing stored");
}

#[tokio::test]
async fn admin_add_user_refuses_the_412_character_emoji_name_beside_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    let admin = app.signed_in_client(ADMIN).await;
    let users: i64 = count(&app, "users").await;
    let name = emoji_name();
    let form = [
        ("email", "new.reviewer@example.jp"),
        ("display_name", name.as_str()),
        ("role", "reviewer"),
        ("password", "a-long-enough-password"),
        ("facility", ""),
        ("corporation", ""),
        ("association", "dental"),
        ("prefecture", "13"),
    ];
    let res = post_form(&app, &admin, "/api/create_user", "/admin/users", &form).await;
    let html = refused_page(&app, &admin, res).await;
    assert_refused_beside_the_field(&html, "display_name", EMOJI_MESSAGE);
    assert_refused_beside_the_field(&html, "display_name", "氏名は40文字以内で入力してください（現在412文字）");
    assert!(html.contains(&format!(r#"value="{name}""#)), "what was typed is kept");
    assert!(html.contains(r#"value="new.reviewer@example.jp""#));
    let after: i64 = count(&app, "users").await;
    assert_eq!(after, users, "nothing stored");
}

#[tokio::test]
async fn a_new_vendor_typed_with_an_emoji_is_refused_beside_the_field_with_what_was_typed() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = managers_facility(&app).await;
    let (vendors, quotes) = (count(&app, "vendors").await, count(&app, "quotes").await);
    let page = format!("/facilities/{facility}/quotes/new");
    let facility_id = facility.to_string();
    let line = [("description", "ルーター"), ("category", "router"), ("unit_price", "45000")];
    let mut form: Vec<(String, &str)> = line.iter().map(|(k, v)| (format!("lines[0][{k}]"), *v)).collect();
    form.extend(
        [
            ("facility_id", facility_id.as_str()),
            ("vendor_id", ""),
            ("new_vendor", "😀システム株式会社"),
            ("quote_date", ""),
        ]
        .map(|(k, v)| (k.to_owned(), v)),
    );
    let res = post_form(&app, &app.client, "/api/enter_quote", &page, &form).await;
    let html = refused_page(&app, &app.client, res).await;
    assert_refused_beside_the_field(
        &html,
        "new_vendor",
        "『😀』（1文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください",
    );
    assert!(html.contains(r#"value="😀システム株式会社""#), "what was typed is kept");
    let after: i64 = count(&app, "vendors").await;
    assert_eq!((after, count(&app, "quotes").await), (vendors, quotes), "no vendor and no quote stored");
}

#[tokio::test]
async fn a_name_with_the_variant_characters_people_type_comes_back_intact_from_the_cp932_csv_and_the_pdf() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let code = clinic_code(412_002);
    // Typed with half-width katakana and a Mac's wave dash; stored full-width, the dash as typed.
    let typed = "㈱髙﨑メディカル①ｸﾘﾆｯｸ〜博多";
    let stored = "㈱髙﨑メディカル①クリニック〜博多";
    let res = post_form(&app, &app.client, "/api/save_facility", "/facilities/new", &facility_form(&code, typed)).await;
    let to = location(&res);
    assert!(to.starts_with("/facilities/") && !to.contains("__err"), "{to}");
    let (id, name): (i64, String) = sqlx::query_as("SELECT id, name FROM facilities WHERE facility_code = ?")
        .bind(&code)
        .fetch_one(app.pool())
        .await
        .expect("stored");
    assert_eq!(name, stored);

    let res = app.get("/exports/facilities.csv?encoding=sjis").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("body");
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
    assert!(!had_errors, "valid CP932");
    // CP932 writes the wave dash as its twin ～ (U+FF5E), the same glyph; nothing becomes 〓.
    let in_cp932 = "㈱髙﨑メディカル①クリニック～博多";
    let row = text.lines().find(|l| l.contains(&code)).expect("the facility's row");
    assert!(row.contains(in_cp932), "{row}");
    assert!(!row.contains('〓'), "{row}");

    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    let quote = insert_confirmed_quote(app.pool(), id, vendor, &[("ルーター", "router", "45000")]).await;
    let res = app.get(&format!("/quotes/{quote}/letter.pdf")).await;
    assert_eq!(res.status(), 200);
    let pdf = pdf_text(&res.bytes().await.expect("pdf"));
    let flat: String = pdf.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(flat.contains(stored), "{pdf}");
}

#[tokio::test]
async fn a_quote_whose_vendor_name_cannot_print_is_kept_and_the_name_offered_for_correction() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = managers_facility(&app).await;
    let csv = "御見積書\r\nさくら内科クリニック 御中\r\n,,,株式会社スマイル😀システム\r\n品名,数量,単位,単価,金額\r\nルーター,1,台,45000,45000\r\n";
    let res = upload(&app, facility, "見積書.csv", csv.as_bytes().to_vec()).await;
    let draft = location(&res);
    assert!(draft.starts_with("/quotes/drafts/"), "the upload is kept as a draft: {draft}");
    let html = app.get_html(&draft).await;
    let message = "『😀』（9文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください";
    assert_refused_beside_the_field(&html, "new_vendor", message);
    assert!(html.contains(r#"value="株式会社スマイル😀システム""#), "the name as read, to correct");

    let token = draft.rsplit('/').next().expect("token").to_owned();
    let vendors = count(&app, "vendors").await;
    let as_read = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "株式会社スマイル😀システム")];
    let res = post_form(&app, &app.client, "/api/confirm_quote", &draft, &as_read).await;
    let html = refused_page(&app, &app.client, res).await;
    assert_refused_beside_the_field(&html, "new_vendor", message);
    assert_eq!((count(&app, "quotes").await, count(&app, "vendors").await), (0, vendors), "not registered as read");

    let corrected = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "株式会社スマイルシステム")];
    let res = post_form(&app, &app.client, "/api/confirm_quote", &draft, &corrected).await;
    assert!(location(&res).starts_with("/quotes/"), "{}", location(&res));
    let name: String = sqlx::query_scalar("SELECT v.name FROM quotes q JOIN vendors v ON v.id = q.vendor_id")
        .fetch_one(app.pool())
        .await
        .expect("the corrected vendor");
    assert_eq!(name, "株式会社スマイルシステム");
}
