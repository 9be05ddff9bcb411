//! 医療機関の登録簿: the admin's page to load the 地方厚生局's lists, and each import's progress
//! and result.

use crate::api::registry::{ImportJob, ImportSummary, JobState, RegistryTotals, registry_job, registry_overview};
use crate::layout::{Layout, TableFrame, loaded};
use leptos::prelude::*;

/// The registry: what it holds, the upload form, the last imports.
#[component]
pub fn RegistryPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| registry_overview());
    view! {
        <Layout title="医療機関の登録簿">
            <p class="lead">
                "地方厚生局が毎月公表する「コード内容別医療機関一覧表」（都道府県別・医科／歯科／薬局別の Excel ファイル）を読み込みます。公表されたファイルをそのまま、またはまとめた zip、「医療機関コード・名称・郵便番号・所在地・電話番号・施設区分・状態」の列を持つ CSV を選べます。新しい一覧を読み込むと、名称や所在地の変更・休止を反映し、一覧から消えた施設には一覧の日付を記録します。変更はすべて履歴と監査ログに残ります。"
            </p>
            <form method="post" action="/admin/registry/imports" enctype="multipart/form-data" class="form" data-testid="registry-upload" novalidate>
                <label for="files">"一覧のファイル（複数選べます）"</label>
                <input id="files" name="files" type="file" multiple accept=".xlsx,.xls,.zip,.csv"/>
                <label for="as_of">"一覧の日付（CSV に「時点」の列がないときだけ。例: 令和7年8月1日）"</label>
                <input id="as_of" name="as_of" type="text" autocomplete="off"/>
                <button type="submit" class="primary">"読み込む"</button>
            </form>
            {loaded(overview, move |o| view! { <Totals overview=o /> })}
        </Layout>
    }
}

#[component]
fn Totals(overview: RegistryTotals) -> impl IntoView {
    let newest = overview.newest.as_deref().map(rules::wareki::format_stored_day);
    view! {
        <h2>"登録簿の施設数"</h2>
        {match newest {
            Some(d) => view! { <p>{format!("最新の一覧の日付: {d}")}</p> }.into_any(),
            None => view! { <p data-testid="registry-empty">"まだ一覧を読み込んでいません。読み込むまでは、ダッシュボードの導入率は公表値の施設数で計算します。"</p> }.into_any(),
        }}
        <TableFrame label="登録簿の施設数">
            <table class="data" data-testid="registry-totals">
                <thead><tr><th scope="col">"一覧"</th><th scope="col" class="num">"現存"</th><th scope="col" class="num">"休止"</th><th scope="col" class="num">"一覧から消えた施設"</th></tr></thead>
                <tbody>
                    {overview.by_kind.into_iter().map(|(kind, active, suspended, gone)| view! {
                        <tr><th scope="row">{kind}</th><td class="num">{count(active)}</td><td class="num">{count(suspended)}</td><td class="num">{count(gone)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </TableFrame>
        <h2>"読み込みの記録"</h2>
        <TableFrame label="読み込みの記録">
            <table class="data" data-testid="registry-imports">
                <thead><tr>
                    <th scope="col">"日時"</th><th scope="col">"実行者"</th><th scope="col">"ファイル"</th><th scope="col">"一覧の日付"</th>
                    <th scope="col" class="num">"読んだ行"</th><th scope="col" class="num">"新規"</th><th scope="col" class="num">"更新"</th>
                    <th scope="col" class="num">"変更なし"</th><th scope="col" class="num">"消えた施設"</th><th scope="col" class="num">"読めなかった行"</th>
                </tr></thead>
                <tbody>
                    {overview.imports.into_iter().map(|i| view! {
                        <tr>
                            <td>{rules::wareki::format_timestamp_jst(&i.at)}</td>
                            <td>{i.actor}</td>
                            <td>{i.files}</td>
                            <td>{i.as_of.as_deref().map(rules::wareki::format_stored_day).unwrap_or_else(|| "—".into())}</td>
                            {i.counts.into_iter().map(|n| view! { <td class="num">{count(n)}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </TableFrame>
    }
}

fn count(n: i64) -> String {
    rules::Yen::from_i64(n).format_plain()
}

/// One import: its progress while it runs (the page reloads itself every second), then what it did.
#[component]
pub fn RegistryImportPage() -> impl IntoView {
    let id = leptos_router::hooks::use_params_map().get_untracked().get("id").and_then(|s| s.parse::<u64>().ok());
    let job = Resource::new(move || id, |id| async move { registry_job(id.ok_or(crate::UiError::NotFound)?).await });
    view! {
        <Layout title="医療機関一覧の読み込み">
            {loaded(job, move |j| view! { <JobView job=j /> })}
            <p><a href="/admin/registry">"医療機関の登録簿へ戻る"</a></p>
        </Layout>
    }
}

#[component]
fn JobView(job: ImportJob) -> impl IntoView {
    let files = job.files.join("、");
    match job.state {
        JobState::Running { step, done, total } => view! {
            // Reloads until the import is done: no script needed.
            <meta http-equiv="refresh" content="1"/>
            <div data-testid="registry-progress" role="status">
                <p>{format!("読み込み中: {files}")}</p>
                <progress max=total.to_string() value=done.to_string() aria-label="読み込みの進み具合">{format!("{done}/{total}")}</progress>
                <p>{step}</p>
            </div>
        }
        .into_any(),
        JobState::Failed(message) => view! {
            <p class="error" role="alert" data-testid="registry-failed">{message}</p>
            <p>{format!("ファイル: {files}")}</p>
        }
        .into_any(),
        JobState::Done(summary) => view! { <Summary summary files /> }.into_any(),
    }
}

#[component]
fn Summary(summary: ImportSummary, files: String) -> impl IntoView {
    let rows = [
        ("読んだ行", summary.read),
        ("新しく登録した施設", summary.imported),
        ("更新した施設", summary.updated),
        ("変更のなかった施設", summary.unchanged),
        ("一覧から消えた施設（廃止等の可能性）", summary.gone),
        ("登録簿の方が新しいため変えなかった施設", summary.older),
        ("読み込めなかった行", summary.refused.len()),
    ];
    view! {
        <p role="status" data-testid="registry-done">{format!("読み込みが終わりました（{files}）。")}</p>
        <table class="data" data-testid="registry-summary">
            <tbody>
                {rows.into_iter().map(|(label, n)| view! { <tr><th scope="row">{label}</th><td class="num">{count(i64::try_from(n).unwrap_or(i64::MAX))}</td></tr> }).collect_view()}
            </tbody>
        </table>
        {(!summary.refused.is_empty()).then(|| view! {
            <h2>"読み込めなかった行"</h2>
            <p>"ほかの行は読み込んでいます。ファイルの該当行を確かめてください。"</p>
            <table class="data" data-testid="registry-refused">
                <thead><tr><th scope="col">"ファイル"</th><th scope="col">"シート"</th><th scope="col" class="num">"行"</th><th scope="col">"コード"</th><th scope="col">"理由"</th></tr></thead>
                <tbody>
                    {summary.refused.into_iter().map(|r| view! {
                        <tr><td>{r.file}</td><td>{r.sheet}</td><td class="num">{if r.row == 0 { "—".to_owned() } else { r.row.to_string() }}</td><td>{r.code}</td><td>{r.reason}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}
