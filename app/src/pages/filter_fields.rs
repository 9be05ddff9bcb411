//! The fields of a list's filter form: type and prefecture (dashboard, facility and application
//! lists), status (complaint and application lists).

use crate::api::filter_choices::FilterChoices;
use leptos::prelude::*;

/// 施設区分 and 都道府県 as `<select name="type">` and `<select name="prefecture">`, the applied
/// codes `t` and `p` selected ("" for すべて).
pub fn type_and_prefecture(choices: &FilterChoices, t: &str, p: &str) -> impl IntoView + use<> {
    view! {
        {field("施設区分", "type", &choices.types, t)}
        {field("都道府県", "prefecture", &choices.prefectures, p)}
    }
}

/// 状態 as `<select name="status">` of `statuses` (code, label), `chosen` selected ("" for すべて).
pub fn status(statuses: &[(String, String)], chosen: &str) -> impl IntoView + use<> {
    field("状態", "status", statuses, chosen)
}

/// A `<select>` of `list` (code, label) after すべて, `chosen` selected.
fn field(label: &'static str, name: &'static str, list: &[(String, String)], chosen: &str) -> impl IntoView + use<> {
    let options = list
        .iter()
        .map(|(code, label)| view! { <option value=code.clone() selected=code == chosen>{label.clone()}</option> })
        .collect_view();
    view! {
        <label>{label}
            <select name=name>
                <option value="">"すべて"</option>
                {options}
            </select>
        </label>
    }
}
