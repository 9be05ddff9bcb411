//! 監査ログ: the auditor's view of the hash-chained audit trail, filtered, paged, exported to CSV.

use crate::api::audit_trail::{PER_PAGE, TrailPage, audit_trail};
use crate::audit_words::{ACTIONS, ENTITIES};
use crate::layout::{Layout, TableFrame, loaded};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The filter's fields, which the CSV link takes too.
const FIELDS: [&str; 5] = ["entity", "actor", "action", "from", "to"];

/// 監査ログ.
#[component]
pub fn AuditTrailPage() -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let value = move |k: &str| q.get(k).unwrap_or_default();
    let page: u32 = value("page").parse().unwrap_or(1);
    let args = (value("entity"), value("actor"), value("action"), value("from"), value("to"));
    let export: String =
        FIELDS.iter().map(|k| format!("{k}={}", percent_encode(&value(k)))).collect::<Vec<_>>().join("&");
    let trail = Resource::new(
        move || (args.clone(), page),
        |((entity, actor, action, from, to), page)| audit_trail(entity, actor, action, from, to, page),
    );
    view! {
        <Layout title="監査ログ">
            <p>"すべての変更（誰が・いつ・何を・変更前後）を記録した、改ざん検知つきの記録です。各行は直前の行のハッシュを含みます。"</p>
            <Form method="GET" action="/audit-log" attr:class="form filter-form" attr:data-testid="trail-filter">
                {choice("entity", "対象", &ENTITIES, value("entity"))}
                {choice("action", "操作", &ACTIONS, value("action"))}
                <label>"操作者（メールアドレスの一部）"<input name="actor" type="text" value=value("actor")/></label>
                <label>"開始日（例: 2022-10-01 / 令和4年10月1日）"<input name="from" type="text" value=value("from")/></label>
                <label>"終了日"<input name="to" type="text" value=value("to")/></label>
                <button type="submit">"絞り込む"</button>
            </Form>
            <p><a href=format!("/audit-log.csv?{export}") data-testid="csv-link">"CSVで書き出す（Excel 向け UTF-8 BOM 付き）"</a>
               " ／ " <a href=format!("/audit-log.csv?{export}&encoding=sjis") data-testid="csv-link-sjis">"CSV（Excel旧版: Shift_JIS）"</a></p>
            {loaded(trail, move |page| view! { <TrailTable page /> })}
        </Layout>
    }
}

/// A choice of codes by their Japanese names, 「すべて」 first.
fn choice(
    name: &'static str,
    label: &'static str,
    options: &[(&'static str, &'static str)],
    chosen: String,
) -> impl IntoView {
    let options = options.to_vec();
    view! {
        <label>{label}
            <select name=name>
                <option value="">"すべて"</option>
                {options.into_iter().map(|(code, ja)| view! { <option value=code selected=chosen == code>{ja}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// Percent-encodes a query value (UTF-8), keeping unreserved characters.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn TrailTable(page: TrailPage) -> impl IntoView {
    let pages = page.total.div_ceil(u64::from(PER_PAGE)).max(1);
    view! {
        <p data-testid="trail-total">{format!("{}件（{}/{}ページ）", page.total, page.page, pages)}</p>
        <TableFrame label="監査ログの一覧">
        <table class="data trail" data-testid="trail">
            <thead>
                <tr>
                    <th scope="col" class="num">"番号"</th>
                    <th scope="col">"日時（日本時間）"</th>
                    <th scope="col">"操作者"</th>
                    <th scope="col">"操作"</th>
                    <th scope="col">"対象"</th>
                    <th scope="col">"変更内容（変更前 → 変更後）"</th>
                    <th scope="col">"ハッシュ"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .entries
                    .into_iter()
                    .map(|e| view! {
                        <tr>
                            <td class="num">{e.id}</td>
                            <td>{e.at}</td>
                            <td>{e.actor}</td>
                            <td>{e.action}</td>
                            <td>{format!("{} #{}", e.entity, e.entity_id)}</td>
                            <td><ul class="changes">{e.changes.into_iter().map(|(field, before, after)| view! {
                                <li>{match (before, after) {
                                    (Some(b), Some(a)) => format!("{field}: {b} → {a}"),
                                    (None, Some(a)) => format!("{field}: {a}"),
                                    (Some(b), None) => format!("{field}: {b}（削除）"),
                                    (None, None) => field,
                                }}</li>
                            }).collect_view()}</ul></td>
                            <td><code title=e.hash.clone()>{e.hash.chars().take(12).collect::<String>()}"…"</code></td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        </TableFrame>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_percent_encoded_as_utf8() {
        assert_eq!(super::percent_encode("a b&c=ユ"), "a%20b%26c%3D%E3%83%A6");
    }
}
