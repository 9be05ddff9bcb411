//! ホーム: what waits for the signed-in user in the user's own scope — deadlines, drafts,
//! flagged quotes, complaints, applications, an admin's pending work — with the national
//! figures one link away.

use crate::api::home::{HomeView, next_actions};
use crate::api::{AdoptionFigure, national_summary};
use crate::layout::{ErrorBox, Layout};
use crate::pages::reference::{date_label, facility_type_label, latest_national_series, metric_label};
use leptos::prelude::*;

/// The home page of every role.
#[component]
pub fn HomePage() -> impl IntoView {
    let me = crate::layout::signed_in_user();
    let actions = Resource::new(|| (), |_| next_actions());
    // National figures are the home of those whose scope is the country; the others have them
    // one link away.
    let national = me.as_ref().is_some_and(|u| matches!(u.scope, rules::access::Scope::National));
    let figures = Resource::new(
        move || national,
        |national| async move { if national { national_summary().await.map(Some) } else { Ok(None) } },
    );
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
                    let summary = match actions.await {
                        Ok(actions) => view! { <Waiting actions /> }.into_any(),
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
                    let national = match figures.await {
                        Ok(Some(figures)) => view! { <NationalSummary figures /> }.into_any(),
                        Ok(None) => view! {
                            <p><a href="/reference/statistics" data-testid="national-figures">"全国の導入状況（公表値）を見る"</a></p>
                        }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    };
                    view! {
                        <p class="lead">{greeting}</p>
                        {inbox}
                        {corporation}
                        {summary}
                        {national}
                    }
                })
                }}
            </Suspense>
        </Layout>
    }
}

/// What waits for the user: a manager's deadlines, then the role's lists.
#[component]
fn Waiting(actions: HomeView) -> impl IntoView {
    let deadlines = (!actions.deadlines.is_empty()).then(|| {
        view! {
            <section class="card" data-testid="home-deadlines">
                <h2>"施設の次の期限（近い順・過ぎたものが先）"</h2>
                <ul class="todo">
                    {actions.deadlines.into_iter().map(|d| {
                        let class = format!("deadline {}", d.deadline.status);
                        view! {
                            <li class=class data-status=d.deadline.status.clone()>
                                <a href=d.href>{d.facility}</a>
                                <strong>{format!(" {}（{}）", d.deadline.label, d.deadline.due)}</strong>
                                " " <span class="badge">{d.deadline.status_label}</span>
                                {d.deadline.consequence.map(|c| view! { <br/><span class="consequence">{c}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        <p data-testid="home-scope">{format!("範囲: {}", actions.scope)}</p>
        {deadlines}
        {actions.lists.into_iter().map(|list| view! {
            <section class="card" data-testid="home-list">
                <h2>{list.title}</h2>
                {if list.items.is_empty() {
                    view! { <p>{list.empty}</p> }.into_any()
                } else {
                    view! {
                        <ul class="todo">
                            {list.items.into_iter().map(|t| {
                                let class = if t.urgent { "urgent" } else { "" };
                                view! { <li class=class><a href=t.href>{t.label}</a><br/><small>{t.detail}</small></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {list.more.map(|(href, label)| view! { <p><a href=href>{format!("{label}へ")}</a></p> })}
            </section>
        }).collect_view()}
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
