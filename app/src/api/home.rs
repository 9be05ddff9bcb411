//! Server function of the home page: what waits for the signed-in user, in the user's scope.

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One thing to do, linked to where it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    /// What it is, in a line.
    pub label: String,
    /// Where it is done.
    pub href: String,
    /// A second line: a date, a count, an age.
    pub detail: String,
    /// Late or missed: shown in red.
    pub urgent: bool,
}

/// One facility's next deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeDeadline {
    /// The facility.
    pub facility: String,
    /// Its page.
    pub href: String,
    /// The deadline as the facility page's banner shows it.
    pub deadline: crate::api::provisioning::DeadlineView,
}

/// A titled list of the home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoList {
    /// Its heading.
    pub title: String,
    /// What to say when it is empty.
    pub empty: String,
    /// Where the whole list is.
    pub more: Option<(String, String)>,
    /// The items.
    pub items: Vec<Todo>,
}

/// What waits for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// The scope the lists are for, in Japanese (「福岡県 医師会」, 「全国」).
    pub scope: String,
    /// A manager's facilities' next deadlines, the nearest first (missed ones on top).
    pub deadlines: Vec<HomeDeadline>,
    /// The role's lists, in order.
    pub lists: Vec<TodoList>,
}

/// Days from a stored UTC timestamp's Japanese date to `today`.
#[cfg(feature = "ssr")]
fn age_in_days(stored: &str, today: chrono::NaiveDate) -> i64 {
    chrono::DateTime::parse_from_rfc3339(stored.trim())
        .map(|t| (t.naive_utc() + chrono::TimeDelta::hours(9)).date())
        .map(|day| (today - day).num_days().max(0))
        .unwrap_or(0)
}

/// A list of complaints: each with its status and how long it has waited.
#[cfg(feature = "ssr")]
fn complaint_list(
    title: &str,
    empty: &str,
    rows: Vec<crate::ssr::db::home::WaitingComplaint>,
    today: chrono::NaiveDate,
) -> TodoList {
    use rules::complaint::ComplaintStatus;
    TodoList {
        title: title.to_owned(),
        empty: empty.to_owned(),
        more: Some(("/complaints".to_owned(), "相談の一覧".to_owned())),
        items: rows
            .into_iter()
            .map(|(id, facility, status, filed_at, held)| {
                let days = age_in_days(&filed_at, today);
                let status = status.parse::<ComplaintStatus>().map(|s| s.label_ja()).unwrap_or_default();
                let held = if held { "・審査担当不在のため監査担当が受付" } else { "" };
                Todo {
                    label: format!("相談 #{id} {facility}"),
                    href: format!("/complaints/{id}"),
                    detail: format!("{status}{held}・提出から{days}日"),
                    // Onshi's own mark, not a rule of the seeds: two weeks without a move.
                    urgent: days >= 14,
                }
            })
            .collect(),
    }
}

/// What waits for the signed-in user, in the user's scope.
#[server(prefix = "/api", endpoint = "next_actions")]
pub async fn next_actions() -> Result<HomeView, UiError> {
    use crate::ssr::{context, db};
    use rules::Role;
    use rules::provisioning::next_deadline;
    use rules::scheme::Catalog;
    let user = context::require_user()?;
    let pool = context::pool()?;
    let today = context::today();
    let internal = context::internal;
    let mut deadlines = Vec::new();
    let mut lists = Vec::new();
    match user.role {
        Role::ClinicManager => {
            let catalog = Catalog::builtin();
            for (f, a, p) in db::provisioning::scope_sections(&pool, &user.scope, 200).await.map_err(internal)? {
                let facts = db::provisioning::facts(&f, a.as_ref(), &p);
                if let Some(d) = next_deadline(catalog, &facts, today) {
                    deadlines.push((
                        d.due,
                        HomeDeadline {
                            facility: f.name.clone(),
                            href: format!("/facilities/{}", f.id),
                            deadline: crate::api::provisioning::deadline_view(&d),
                        },
                    ));
                }
            }
            // Missed first, then the nearest.
            deadlines.sort_by_key(|(due, d)| (d.deadline.status != "missed", *due));
            let mut drafts: Vec<Todo> = db::home::quote_drafts(&pool, user.id)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|(token, file, facility, at)| Todo {
                    label: format!("見積書「{file}」（{facility}）の確認と登録"),
                    href: format!("/quotes/drafts/{token}"),
                    detail: format!("アップロード: {}", rules::format_timestamp_jst(&at)),
                    urgent: false,
                })
                .collect();
            let (draft_applications, submitted): (Vec<_>, Vec<_>) = db::home::applications(&pool, &user.scope)
                .await
                .map_err(internal)?
                .into_iter()
                .partition(|(_, _, _, status)| status == "draft");
            drafts.extend(draft_applications.into_iter().map(|(id, facility, applied_on, _)| Todo {
                label: format!("交付申請（{facility}）の提出"),
                href: format!("/applications/{id}"),
                detail: format!("下書き・申請日 {}", rules::format_stored_day(&applied_on)),
                urgent: false,
            }));
            lists.push(TodoList {
                title: "途中の作業".into(),
                empty: "途中の見積書や申請はありません。".into(),
                more: None,
                items: drafts,
            });
            // The flags of each quote's last audit; a quote not audited since anything changed
            // is listed to be looked at (the home page audits nothing itself).
            let generation = db::peers::generation(&pool).await.map_err(internal)?;
            let mut flagged = Vec::new();
            for (id, facility, vendor, file) in
                db::home::recent_quotes(&pool, &user.scope, 5).await.map_err(internal)?
            {
                let detail = match crate::api::quote_audit::remembered_flags(&pool, id, generation) {
                    Some(0) => continue,
                    Some(n) => format!("指摘 {n}件 — 確認して、必要ならベンダーへの文書を作成してください"),
                    None => "監査結果を開いて、指摘を確認してください".to_owned(),
                };
                flagged.push(Todo {
                    label: format!(
                        "見積書 #{id}「{file}」（{facility}・{}）",
                        vendor.unwrap_or_else(|| "ベンダー未登録".into())
                    ),
                    href: format!("/quotes/{id}"),
                    detail,
                    urgent: false,
                });
            }
            lists.push(TodoList {
                title: "確認する見積書（最近の5件から、指摘のないものを除く）".into(),
                empty: "最近の見積書に指摘はありません。".into(),
                more: Some(("/facilities".into(), "施設ごとの見積書".into())),
                items: flagged,
            });
            let open = db::home::complaints(
                &pool,
                &user.scope,
                &["submitted", "under_review", "forwarded", "vendor_contacted"],
                false,
            )
            .await
            .map_err(internal)?;
            lists.push(complaint_list("対応中の相談", "対応中の相談はありません。", open, today));
            lists.push(TodoList {
                title: "交付を待っている申請".into(),
                empty: "交付を待っている申請はありません。".into(),
                more: Some(("/applications".into(), "交付申請の一覧".into())),
                items: submitted
                    .into_iter()
                    .map(|(id, facility, applied_on, _)| Todo {
                        label: format!("交付申請（{facility}）"),
                        href: format!("/applications/{id}"),
                        detail: format!(
                            "申請日 {}・交付（入金）されたら記録してください",
                            rules::format_stored_day(&applied_on)
                        ),
                        urgent: false,
                    })
                    .collect(),
            });
        }
        Role::Reviewer => {
            let queue = db::home::complaints(&pool, &user.scope, &["submitted", "under_review"], false)
                .await
                .map_err(internal)?;
            lists.push(complaint_list(
                "確認を待っている相談（古い順）",
                "確認を待っている相談はありません。",
                queue,
                today,
            ));
        }
        Role::Auditor => {
            let forwarded = db::home::complaints(&pool, &user.scope, &["forwarded", "vendor_contacted"], false)
                .await
                .map_err(internal)?;
            lists.push(complaint_list(
                "厚生労働省に送付された相談（古い順）",
                "送付された相談はありません。",
                forwarded,
                today,
            ));
            let held = db::home::complaints(&pool, &user.scope, &["submitted", "under_review"], true)
                .await
                .map_err(internal)?;
            lists.push(complaint_list(
                "審査担当がいないため受け付けた相談",
                "審査担当の不在で受け付けた相談はありません。",
                held,
                today,
            ));
            lists.push(TodoList {
                title: "確認するベンダー（送付された相談の多い順）".into(),
                empty: "送付された相談のあるベンダーはありません。".into(),
                more: Some(("/vendors".into(), "ベンダー比較".into())),
                items: db::home::vendors_to_question(&pool)
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .map(|(id, name, n)| Todo {
                        label: name,
                        href: format!("/vendors/{id}"),
                        detail: format!("送付された相談 {n}件"),
                        urgent: false,
                    })
                    .collect(),
            });
        }
        Role::Admin => {
            let (vendors, no_factor, registry) = db::home::admin_pending(&pool).await.map_err(internal)?;
            let mut items = Vec::new();
            if vendors > 0 {
                items.push(Todo {
                    label: format!("医療機関が入力したベンダー名の確認（{vendors}件）"),
                    href: "/admin/vendors".into(),
                    detail: "確認するまで、ほかの法人の一覧には出ません".into(),
                    urgent: false,
                });
            }
            if no_factor > 0 {
                items.push(Todo {
                    label: format!("二要素認証を設定していない審査担当・監査担当・運用管理者（{no_factor}人）"),
                    href: "/admin/users".into(),
                    detail: "次のログインで設定を求められます".into(),
                    urgent: false,
                });
            }
            if registry == 0 {
                items.push(Todo {
                    label: "医療機関の登録簿（地方厚生局のコード内容別医療機関一覧表）が未登録です".into(),
                    href: "/admin/registry".into(),
                    detail: "登録すると、施設の登録で名称・所在地が自動で入ります".into(),
                    urgent: false,
                });
            }
            lists.push(TodoList {
                title: "未処理の作業".into(),
                empty: "未処理の作業はありません。".into(),
                more: None,
                items,
            });
        }
    }
    Ok(HomeView { scope: user.scope_label.clone(), deadlines: deadlines.into_iter().map(|(_, d)| d).collect(), lists })
}
