//! The type and prefecture fields of a filter form (dashboard, facility list).

use crate::api::filter_choices::FilterChoices;
use leptos::prelude::*;

/// 施設区分 and 都道府県 as `<select name="type">` and `<select name="prefecture">`, the applied
/// codes `t` and `p` selected ("" for すべて).
pub fn type_and_prefecture(choices: &FilterChoices, t: &str, p: &str) -> impl IntoView + use<> {
    let options = |list: &[(String, String)], chosen: &str| {
        list.iter()
            .map(|(code, label)| view! { <option value=code.clone() selected=code == chosen>{label.clone()}</option> })
            .collect_view()
    };
    let field = |label: &'static str, name: &'static str, options| {
        view! {
            <label>{label}
                <select name=name>
                    <option value="">"すべて"</option>
                    {options}
                </select>
            </label>
        }
    };
    view! {
        {field("施設区分", "type", options(&choices.types, t))}
        {field("都道府県", "prefecture", options(&choices.prefectures, p))}
    }
}
