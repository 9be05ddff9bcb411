//! 施設: the facilities a user may see, one facility, one stored quote.

use crate::UiError;
use crate::api::applications::application_form;
use crate::api::facilities::{FacilityDetail, FacilityList, QuoteDetail, facility, list_facilities};
use crate::api::provisioning::facility_progress;
use crate::layout::{ErrorBox, Layout, loaded};
use crate::pages::reference::{facility_type_label, prefecture_label};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// 施設一覧: a page at a time, narrowed by type, prefecture and a search.
#[component]
pub fn FacilitiesPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let get = |k: &str| query.get(k).unwrap_or_default();
    let args = (get("type"), get("prefecture"), get("q"), get("page"));
    let facilities = Resource::new(move || args.clone(), |(t, p, q, page)| list_facilities(t, p, q, page));
    view! {
        <Layout title="施設一覧">
            {loaded(facilities, move |list| view! { <FacilityTable list /> })}
        </Layout>
    }
}

/// `/facilities` with the filter of `list` and `page`.
fn page_href(list: &FacilityList, page: i64) -> String {
    let [t, p, q] = &list.applied;
    super::pager::list_href("/facilities", &[("type", t), ("prefecture", p), ("q", q)], page)
}

/// `/exports/{export}.csv` narrowed as `list` is.
fn export_href(list: &FacilityList, export: &str) -> String {
    let [t, p, q] = &list.applied;
    super::pager::list_href(&format!("/exports/{export}.csv"), &[("type", t), ("prefecture", p), ("q", q)], 1)
}

fn filter_form(list: &FacilityList) -> impl IntoView + use<> {
    let [t, p, q] = list.applied.clone();
    view! {
        <form method="get" action="/facilities" class="form inline" data-testid="facility-filter">
            {super::filter_fields::type_and_prefecture(&list.choices, &t, &p)}
            <label>"施設名・フリガナ・医療機関コード"<input name="q" type="search" value=q/></label>
            <button type="submit">"絞り込む"</button>
        </form>
    }
}

/// Only a facility's manager registers facilities (the form refuses everyone else).
fn may_register() -> bool {
    crate::layout::signed_in_user().is_some_and(|u| u.role.may(rules::access::Permission::EditOwnFacilities))
}

#[component]
fn FacilityTable(list: FacilityList) -> impl IntoView {
    let filters = list.filterable.then(|| filter_form(&list));
    if list.rows.is_empty() {
        let none = if list.applied.iter().any(|a| !a.is_empty()) {
            "条件に合う施設はありません。条件を変えてお試しください。"
        } else {
            "閲覧できる施設はありません。"
        };
        return view! { {filters} <p>{none}</p> }.into_any();
    }
    // Above and below the table: a page is a hundred rows long.
    let pager = || {
        (list.paging.pages > 1)
            .then(|| super::pager::pager(list.paging, list.rows.len(), "施設", &|page| page_href(&list, page)))
    };
    let (above, below) = (pager(), pager());
    view! {
        {filters}
        <p>{list.paging.total} " 施設"
            {may_register().then(|| view! { " ／ " <a href="/facilities/new">"施設を登録"</a> })}</p>
        // The exports take the list's filter: what is shown is what goes to Excel.
        {crate::csv::download_links("施設一覧", &export_href(&list, "facilities"))}
        {crate::csv::download_links("見積書一覧", &export_href(&list, "quotes"))}
        {crate::csv::download_links("見積明細（監査の指摘つき）", &export_href(&list, "quote_lines"))}
        {above}
        <table class="data" data-testid="facilities">
            <thead>
                <tr>
                    <th scope="col">"医療機関コード"</th>
                    <th scope="col">"施設名"</th>
                    <th scope="col">"施設区分"</th>
                    <th scope="col">"都道府県"</th>
                    <th scope="col">"法人"</th>
                    <th scope="col">"導入状況"</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .rows
                    .into_iter()
                    .map(|f| {
                        view! {
                            <tr>
                                <td>{f.code}</td>
                                <td><a href=format!("/facilities/{}", f.id)>{f.name}</a></td>
                                <td>{facility_type_label(&f.facility_type)}</td>
                                <td>{prefecture_label(&f.prefecture)}</td>
                                <td>{f.corporation.unwrap_or_default()}</td>
                                <td>{f.stage.unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {below}
    }
    .into_any()
}

/// 施設の詳細.
#[component]
pub fn FacilityPage() -> impl IntoView {
    let id = super::id_param();
    let detail = Resource::new(move || id, |id| async move { facility(id.ok_or(UiError::NotFound)?).await });
    // The sections' data is asked for here, beside the detail, not by the sections inside its
    // view: a resource made while a Suspense renders is made again when it renders again, and
    // every facility page ran the sections' queries twice (BENCHMARKS.md, load test).
    let progress = Resource::new(move || id, |id| async move { facility_progress(id.ok_or(UiError::NotFound)?).await });
    let form = Resource::new(move || id, |id| async move { application_form(id.ok_or(UiError::NotFound)?).await });
    view! {
        <Layout title="施設の詳細">
            {loaded(detail, move |d| {
                view! {
                    <FacilityView d />
                    <crate::pages::facility_money::MoneySections progress />
                    <crate::pages::provisioning::ProvisioningSection progress />
                    <crate::pages::applications::ApplicationSection form />
                }
            })}
        </Layout>
    }
}

/// The address with its prefecture in front, once: addresses are often typed with it.
fn full_address(prefecture: &str, address: &str) -> String {
    let address = address.trim();
    if address.starts_with(prefecture) {
        address.to_owned()
    } else {
        format!("{prefecture} {address}").trim().to_owned()
    }
}

#[component]
fn FacilityView(d: FacilityDetail) -> impl IntoView {
    let s = d.summary;
    view! {
        <section class="card" data-testid="facility">
            <h2>{s.name.clone()}</h2>
            {d.can_edit.then(|| view! { <p><a href=format!("/facilities/{}/edit", s.id)>"施設情報を編集"</a></p> })}
            <table class="data summary">
                <tbody>
                    <tr><th scope="row">"医療機関コード"</th><td>{s.code.clone()}</td></tr>
                    <tr><th scope="row">"フリガナ"</th><td>{d.kana}</td></tr>
                    <tr><th scope="row">"施設区分"</th><td>{facility_type_label(&s.facility_type)}</td></tr>
                    <tr><th scope="row">"所在地"</th><td>{full_address(&prefecture_label(&s.prefecture), &d.address)}</td></tr>
                    <tr><th scope="row">"法人"</th><td>{match (s.corporation.clone(), d.corporation_id) {
                        (Some(name), Some(cid)) => view! { <a href=format!("/corporations/{cid}")>{name}</a> }.into_any(),
                        _ => "—".into_any(),
                    }}</td></tr>
                    <tr><th scope="row">"請求方法"</th><td>{if s.online_billing { "オンライン請求" } else { "紙レセプト（義務化の対象外）" }}</td></tr>
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>"見積書"</h2>
            {d.can_edit.then(|| view! {
                <form method="post" enctype="multipart/form-data" action=format!("/facilities/{}/quotes", s.id) class="form upload-form" data-testid="upload-quote" novalidate>
                    <label>"ベンダーの見積書（Excel・LibreOffice・CSV・PDF・スキャンや写真の画像、20MBまで）"<input type="file" name="file" required
                        accept=".xlsx,.xlsm,.xls,.ods,.csv,.tsv,.txt,.pdf,application/pdf,.jpg,.jpeg,.png,.tif,.tiff,image/jpeg,image/png,image/tiff"/></label>
                    <p class="hint">"紙の見積書は、200～300dpiでスキャンしたPDF・画像、ファクス（TIFF・PDF）、真上から明るい場所で撮った写真（JPEG）を文字認識で読み取ります。読み取った内容は、登録する前に画像と見比べて確認できます。"</p>
                    <button type="submit">"読み取って確認する"</button>
                </form>
                <p><a href=format!("/facilities/{}/quotes/new", s.id)>"紙の見積書・支払済みの実費（領収書）を手入力する"</a></p>
            })}
            {if d.quotes.is_empty() {
                view! { <p>"登録された見積書はありません。"</p> }.into_any()
            } else {
                view! {
                    {crate::csv::download_links("この施設の見積明細（監査の指摘つき）", &format!("/exports/quote_lines.csv?facility={}", s.id))}
                    <table class="data">
                        <thead>
                            <tr>
                                <th scope="col">"ファイル"</th>
                                <th scope="col">"ベンダー"</th>
                                <th scope="col">"見積日"</th>
                                <th scope="col" class="num">"行数"</th>
                                <th scope="col">"状態"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {d.quotes
                                .into_iter()
                                .map(|q| view! {
                                    <tr>
                                        <td><a href=format!("/quotes/{}", q.id)>{q.file_name}</a></td>
                                        <td>{q.vendor.unwrap_or_default()}</td>
                                        <td>{q.quote_date.as_deref().map(rules::format_stored_day).unwrap_or_default()}</td>
                                        <td class="num">{q.lines}</td>
                                        <td>{if q.confirmed { "確定" } else { "下書き" }}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}

/// 見積書: the stored quote with its audit; `?compare=<id>` puts another quote of the facility beside it.
#[component]
pub fn QuotePage() -> impl IntoView {
    let id = super::id_param();
    let compare =
        leptos_router::hooks::use_query_map().get_untracked().get("compare").and_then(|s| s.parse::<i64>().ok());
    let audited = Resource::new(
        move || (id, compare),
        |(id, compare)| async move {
            let Some(id) = id else { return Err(UiError::NotFound) };
            let own = crate::api::quote_audit::quote_audit_page(id).await?;
            let other = match compare {
                Some(c) => Some(crate::api::quote_audit::quote_audit_page(c).await?),
                None => None,
            };
            Ok((own, other))
        },
    );
    view! {
        <Layout title="見積書">
            <Suspense fallback=|| view! { <p>"読み込み中…"</p> }>
                {move || Suspend::new(async move {
                    match audited.await {
                        Ok((a, other)) => {
                            // Cloned only to compare: a big quote's page is megabytes.
                            let comparison = other.map(|b| view! { <crate::pages::quote_audit::Comparison a=a.clone() b /> });
                            view! {
                                <QuoteView q=a.quote.clone() />
                                <crate::pages::quote_audit::AuditView a />
                                {comparison}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn QuoteView(q: QuoteDetail) -> impl IntoView {
    view! {
        <section class="card" data-testid="quote">
            <h2>{q.file_name.clone()}</h2>
            <p>
                <a href=format!("/facilities/{}", q.facility_id)>{q.facility_name.clone()}</a>
                " ／ " {q.vendor.clone().unwrap_or_else(|| "ベンダー未登録".into())}
                " ／ " {q.quote_date.as_deref().map(rules::format_stored_day).unwrap_or_default()}
                {q.tax_inclusive.then_some(" ／ 税込表示")}
                {q.has_file.then(|| view! { " ／ " <a href=format!("/quotes/{}/file", q.id) data-testid="quote-file">"元のファイル"</a> })}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{FacilityList, full_address, page_href};

    #[test]
    fn the_prefecture_is_shown_once() {
        assert_eq!(
            full_address("福岡県", "福岡県福岡市中央区オンシ一丁目1番1号"),
            "福岡県福岡市中央区オンシ一丁目1番1号"
        );
        assert_eq!(full_address("福岡県", "福岡市中央区天神1-1"), "福岡県 福岡市中央区天神1-1");
        assert_eq!(full_address("北海道", ""), "北海道");
    }

    fn listed(applied: [&str; 3]) -> FacilityList {
        FacilityList {
            rows: Vec::new(),
            paging: Default::default(),
            applied: applied.map(str::to_owned),
            filterable: true,
            choices: Default::default(),
        }
    }

    #[test]
    fn page_links_keep_the_filter_with_the_search_encoded() {
        assert_eq!(page_href(&listed(["", "", ""]), 1), "/facilities");
        assert_eq!(page_href(&listed(["", "", ""]), 2), "/facilities?page=2");
        assert_eq!(
            page_href(&listed(["pharmacy", "13", "東京 50%&x=1"]), 3),
            "/facilities?type=pharmacy&prefecture=13&q=%E6%9D%B1%E4%BA%AC+50%25%26x%3D1&page=3"
        );
    }
}
