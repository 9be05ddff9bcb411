//! 前へ・次へ for a long list, and where the page stands.

use crate::api::paging::{Paging, ROWS_PER_PAGE};
use leptos::prelude::*;

/// The pager of a page showing `shown` rows of `unit` (施設, 件); `href` gives a page's address.
pub fn pager(p: Paging, shown: usize, unit: &'static str, href: &dyn Fn(i64) -> String) -> impl IntoView + use<> {
    let last = p.first + i64::try_from(shown).unwrap_or(0) - 1;
    let previous = (p.page > 1).then(|| href(p.page - 1));
    let next = (p.page < p.pages).then(|| href(p.page + 1));
    view! {
        <nav class="pager" aria-label="ページ" data-testid="pager">
            {previous.map(|href| view! { <a href=href rel="prev">"← 前の" {ROWS_PER_PAGE} "件"</a> })}
            <span>{format!("{} {unit}中 {}–{} 件（{} / {} ページ）", p.total, p.first, last.max(0), p.page, p.pages)}</span>
            {next.map(|href| view! { <a href=href rel="next">"次の" {ROWS_PER_PAGE} "件 →"</a> })}
        </nav>
    }
}

/// `path` with the non-empty `pairs` and the page (the first page without it), URL-encoded.
pub fn list_href(path: &str, pairs: &[(&str, &str)], page: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(key, value);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    let query = query.finish();
    if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
}
