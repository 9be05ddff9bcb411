//! ホーム: who is signed in, and where the country stands.

use crate::api::{AdoptionFigure, national_summary};
use crate::layout::{ErrorBox, Layout};
use crate::pages::reference::{date_label, facility_type_label, latest_national_series, metric_label};
use leptos::prelude::*;

/// The home page of every role.
#[component]
pub fn HomePage() -> impl IntoView {
    let me = crate::layout::signed_in_user();
    let figures = Resource::new(|| (), |_| national_summary());
    let notes = Resource::new(|| (), |_| crate::api::complaints::notifications());
    view! {
        <Layout title="ホーム">
            <Suspense fallback=|| view! { <p>"読み込み中…"</p> }>
                {move || {
                let me = me.clone();
                Suspend::new(async move {
                    let greeting = me.as_ref().map(|u| format!("{} さん、ようこそ。", u.display_name)).unwrap_or_default();
                    let corporation = me.as_ref().and_then(|u| match u.scope {
                        rules::access::Scope::Corporation { id } => Some(view! {
                            <p><a href=format!("/corporations/{id}") data-testid="my-corporation">
                                {format!("{} の施設と期限", u.scope_label)}
                            </a></p>
                        }),
                        _ => None,
                    });
                    let summary = match figures.await {
                        Ok(figures) => view! { <NationalSummary figures /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    };
                    let unread = notes.await.unwrap_or_default();
                    let inbox = (!unread.is_empty()).then(|| view! {
                        <section class="card" data-testid="notifications">
                            <h2>"お知らせ"</h2>
                            <ul>{unread.into_iter().map(|(c, m)| view! {
                                <li>{match c {
                                    Some(c) => view! {
                                        <form method="post" action="/api/open_notification" class="inline">
                                            <input type="hidden" name="complaint_id" value=c.to_string()/>
                                            <button type="submit" class="link">{m}</button>
                                        </form>
                                    }.into_any(),
                                    None => m.into_any(),
                                }}</li>
                            }).collect_view()}</ul>
                        </section>
                    });
                    view! {
                        <p class="lead">{greeting}</p>
                        {inbox}
                        {corporation}
                        {summary}
                    }
                })
                }}
            </Suspense>
        </Layout>
    }
}

/// The newest national series: one row per facility type.
#[component]
fn NationalSummary(figures: Vec<AdoptionFigure>) -> impl IntoView {
    let Some(series) = latest_national_series(&figures) else {
        return view! { <p>"公表統計はまだ登録されていません。"</p> }.into_any();
    };
    let metrics = series.metrics.clone();
    view! {
        <section class="card">
            <h2>"全国の導入状況（" {date_label(&series.as_of)} " 時点の公表値）"</h2>
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"施設区分"</th>
                        {metrics.iter().map(|m| view! { <th scope="col" class="num">{metric_label(m)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {series
                        .rows
                        .iter()
                        .map(|(kind, values)| {
                            view! {
                                <tr>
                                    <th scope="row">{facility_type_label(kind)}</th>
                                    {values.iter().map(|v| view! { <td class="num">{v.map(crate::pages::reference::thousands).unwrap_or_default()}</td> }).collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <crate::pages::sources::SourceLine note=series.source.clone() />
            <p><a href="/reference/statistics">"すべての公表値を見る"</a></p>
        </section>
    }
    .into_any()
}
