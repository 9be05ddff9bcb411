//! 「…しました」: what a page says after a form sent from it was carried out. The server adds
//! `done=<server function>` to the page a successful form post goes back to
//! (`server::request_guard`); the page shows the fixed message for it. Nothing the user or a
//! link typed is shown, so a forged `done` can only repeat one of these sentences.

/// The message after a successful submission to the server function `endpoint`, or `None`
/// for one that says nothing (signing in and out, which change the page anyway).
pub fn message(endpoint: &str) -> Option<&'static str> {
    Some(match endpoint {
        "apply_reader" => "カードリーダーの申込を登録しました。配送の目安と次の期限を下に表示しています。",
        "bulk_apply_readers" => "選んだ施設のカードリーダーの申込を登録しました。",
        "choose_model" => "機種を登録しました。",
        "record_stage" => "導入の段階を記録しました。",
        "set_grace" => "猶予届出を記録しました。",
        "save_facility" => "施設の情報を保存しました。",
        "save_patients" => "患者数の見込みを保存しました。",
        "confirm_quote" => "見積書を登録しました。下の監査結果を確認してください。",
        "enter_quote" => "見積書を登録しました。下の監査結果を確認してください。",
        "save_letter" => "文書を保存しました。",
        "reset_letter" => "文書を最初の文面に戻しました。",
        "mark_quote_paid" => "支払済みとして記録しました。",
        "prepare_application" => "交付申請の書類を作成しました。内容を確認し、提出したら提出日を記録してください。",
        "submit_application" => "交付申請を提出済みとして記録しました。",
        "record_application_payment" => "補助金の交付（入金）を記録しました。",
        "delete_receipt_scan" => "領収書の画像を削除しました。",
        "mark_receipt_shared" => "領収書の共有を記録しました。",
        "file_complaint" => "相談を提出しました。誰が対応するかを下に表示しています。",
        "move_complaint" => "相談の状態を記録しました。",
        "create_user" => "利用者を追加しました。",
        "set_user_disabled" => "利用者の状態を変更しました。",
        "reset_password" => "パスワードを再設定しました。",
        "set_user_scope" => "役割と範囲を変更しました。",
        "reset_second_factor" => "二要素認証をリセットしました。",
        "confirm_second_factor" => "二要素認証を設定しました。",
        "review_vendor" => "ベンダーの審査結果を記録しました。",
        "request_password_reset" => {
            "入力されたメールアドレスが Onshi に登録されていれば、パスワード再設定用のリンクを送りました。メールが届かない場合は、迷惑メールのフォルダを確かめるか、運用管理者に連絡してください。"
        }
        "reset_password_with_link" => "パスワードを再設定しました。新しいパスワードでログインしてください。",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn every_form_that_changes_something_has_its_message() {
        // The actions of the pages (ServerAction) that change data; signing in and out do not.
        for endpoint in
            ["apply_reader", "record_stage", "confirm_quote", "enter_quote", "create_user", "file_complaint"]
        {
            assert!(message(endpoint).is_some_and(|m| m.ends_with('。')), "{endpoint}");
        }
        assert_eq!(message("login"), None);
        assert_eq!(message("<script>"), None);
    }
}
