//! The provisioning part of the facility page: the deadline banner, the reader
//! application, the stages with their blockers, the 猶予届出.

use super::refused_form::{described, error_summary, field_error, field_id, invalid, last_error, typed, typed_or};
use crate::UiError;
use crate::api::provisioning::{ApplyReader, ChooseModel, DeadlineView, ProgressView, RecordStage, SetGrace};
use crate::layout::loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use rules::provisioning::Stage;

/// The banner of the deadline that matters now: red when missed.
#[component]
fn DeadlineBanner(next: Option<DeadlineView>) -> impl IntoView {
    match next {
        None => view! {
            <div class="banner ok" data-testid="deadline-banner" data-status="none">"期限のある手続きはすべて済んでいます。"</div>
        }
        .into_any(),
        Some(d) => {
            let class = format!("banner {}", d.status);
            view! {
                <div class=class data-testid="deadline-banner" data-status=d.status.clone() data-kind=d.kind.clone()>
                    <strong>{format!("次の期限: {}（{}）", d.label, d.due)}</strong>
                    " " <span class="badge">{d.status_label.clone()}</span>
                    {d.consequence.clone().map(|c| view! { <p class="consequence">{c}</p> })}
                    <crate::pages::sources::SourceLine note=d.source.clone() />
                </div>
            }
            .into_any()
        }
    }
}

/// The makers to choose from, with the one typed before a refusal selected.
fn maker_select(
    makers: Vec<(String, String)>,
    with_undecided: bool,
    chosen: String,
    aria: (Option<&'static str>, Option<String>),
) -> impl IntoView {
    let (invalid, described) = aria;
    view! {
        <select name="maker" id=field_id("maker") aria-invalid=invalid aria-describedby=described>
            {with_undecided.then(|| view! { <option value="">"機種未定（2021年3月の申込のみ）"</option> })}
            {makers.into_iter().map(|(code, name)| {
                let selected = code == chosen;
                view! { <option value=code selected=selected>{name}</option> }
            }).collect_view()}
        </select>
    }
}

/// The provisioning section of a facility page.
#[component]
pub fn ProvisioningSection(progress: Resource<Result<ProgressView, UiError>>) -> impl IntoView {
    let apply = ServerAction::<ApplyReader>::new();
    let choose = ServerAction::<ChooseModel>::new();
    let stage = ServerAction::<RecordStage>::new();
    let grace = ServerAction::<SetGrace>::new();
    // A refused form says what to fix beside its fields; other errors show here.
    let errors = move || {
        [last_error(apply)(), last_error(choose)(), last_error(stage)(), last_error(grace)()]
            .into_iter()
            .flatten()
            .map(|m| view! { <p class="error" role="alert">{m}</p> })
            .collect_view()
    };
    view! {
        {errors}
        {loaded(progress, move |p| view! { <Progress p apply choose stage grace /> })}
    }
}

#[component]
fn Progress(
    p: ProgressView,
    apply: ServerAction<ApplyReader>,
    choose: ServerAction<ChooseModel>,
    stage: ServerAction<RecordStage>,
    grace: ServerAction<SetGrace>,
) -> impl IntoView {
    let id = p.facility_id;
    let current = p.stage.parse::<Stage>().unwrap_or(Stage::PortalUnregistered);
    let (makers_apply, makers_choose) = (p.makers.clone(), p.makers.clone());
    let vendors = p.vendors.clone();
    let blockers: Vec<(String, String, String)> = p.blockers.clone();
    let undecided_pending = p.application.as_ref().is_some_and(|a| a.model_undecided && a.model_chosen_on.is_none());
    view! {
        <DeadlineBanner next=p.next.clone() />
        <section class="card" data-testid="provisioning">
            <h2>"導入状況: " <span data-testid="stage">{p.stage_label.clone()}</span></h2>
            <p>"原則義務化（2023年4月1日〜）: " <span data-testid="obligation">{p.obligation.clone()}</span></p>
            {p.blocker.clone().map(|b| view! { <p class="warning">"止まっている理由: " {b}</p> })}
            {p.grace.clone().map(|g| view! { <p>"猶予届出: " {g}</p> })}
            <h3>"カードリーダーの申込"</h3>
            {match p.application.clone() {
                Some(a) => view! {
                    <table class="data summary" data-testid="application">
                        <tbody>
                            <tr><th scope="row">"申込日"</th><td>{a.applied_on}</td></tr>
                            <tr><th scope="row">"台数"</th><td>{format!("{}台（無償 {}台{}）", a.readers, a.free, if a.own_cost > 0 { format!("、自己負担 {}台", a.own_cost) } else { String::new() })}</td></tr>
                            <tr><th scope="row">"機種"</th><td>{a.maker.clone().unwrap_or_else(|| "機種未定".into())}</td></tr>
                            {a.model_chosen_on.map(|d| view! { <tr><th scope="row">"機種選定日"</th><td>{d}</td></tr> })}
                            {a.bulk_declared_on.map(|d| view! { <tr><th scope="row">"一括申請の申出"</th><td>{d}</td></tr> })}
                            {a.expected_delivery.map(|d| view! { <tr><th scope="row">"配送の目安（約4か月後）"</th><td>{d}</td></tr> })}
                        </tbody>
                    </table>
                }.into_any(),
                None => view! { <p>"まだ申し込んでいません。"</p> }.into_any(),
            }}
            {(p.can_edit && p.application.is_none()).then(|| view! {
                <ActionForm action=apply attr:novalidate=true attr:class="form" attr:data-testid="apply-reader">
                    {error_summary(apply)}
                    <input type="hidden" name="facility_ids" value=id.to_string()/>
                    <label>"申込日"<input name="applied_on" id=field_id("applied_on") aria-invalid=invalid(apply, "applied_on", None) aria-describedby=described(apply, "applied_on", None) type="text" placeholder="例: 2021-03-15 / 令和3年3月15日" value=typed(apply, "applied_on") required/>{field_error(apply, "applied_on", None)}</label>
                    <label>"台数（無償提供を超える分は自己負担）"<input name="readers" id=field_id("readers") aria-invalid=invalid(apply, "readers", None) aria-describedby=described(apply, "readers", None) type="number" min="1" max="20" value=typed_or(apply, "readers", "1".into())/>{field_error(apply, "readers", None)}</label>
                    <label>"機種"{maker_select(makers_apply.clone(), true, typed(apply, "maker")(), (invalid(apply, "maker", None), described(apply, "maker", None)))}{field_error(apply, "maker", None)}</label>
                    <label>"一括申請の申出日（法人で申し込む場合）"<input name="bulk_declared_on" id=field_id("bulk_declared_on") aria-invalid=invalid(apply, "bulk_declared_on", None) aria-describedby=described(apply, "bulk_declared_on", None) type="text" value=typed(apply, "bulk_declared_on")/>{field_error(apply, "bulk_declared_on", None)}</label>
                    <button type="submit" class="primary">"申込を登録"</button>
                </ActionForm>
            })}
            {(p.can_edit && undecided_pending).then(|| view! {
                <ActionForm action=choose attr:novalidate=true attr:class="form" attr:data-testid="choose-model">
                    {error_summary(choose)}
                    <input type="hidden" name="facility_id" value=id.to_string()/>
                    <label>"選んだ機種"{maker_select(makers_choose.clone(), false, typed(choose, "maker")(), (invalid(choose, "maker", None), described(choose, "maker", None)))}{field_error(choose, "maker", None)}</label>
                    <label>"機種選定日"<input name="chosen_on" id=field_id("chosen_on") aria-invalid=invalid(choose, "chosen_on", None) aria-describedby=described(choose, "chosen_on", None) type="text" value=typed(choose, "chosen_on") required/>{field_error(choose, "chosen_on", None)}</label>
                    <button type="submit" class="primary">"機種を登録"</button>
                </ActionForm>
            })}
            <h3>"経過"</h3>
            <ol class="timeline" data-testid="timeline">
                {p.events.iter().map(|(label, on)| view! { <li>{on.clone()} " " {label.clone()}</li> }).collect_view()}
            </ol>
            {(!p.milestones.is_empty()).then(|| view! {
                <ul class="milestones">
                    {p.milestones.iter().map(|(l, d)| view! { <li>{l.clone()} ": " {d.clone()}</li> }).collect_view()}
                </ul>
            })}
            {p.vendor.clone().map(|v| view! { <p>"作業するベンダー: " {v}</p> })}
            {(p.can_edit && current != Stage::Operating).then(|| {
                let next_stages: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.index() > current.index()).collect();
                let blockers = blockers.clone();
                let (typed_stage, typed_vendor, typed_blocker) =
                    (typed(stage, "stage")(), typed(stage, "vendor_id")(), typed(stage, "blocker_code")());
                view! {
                    <ActionForm action=stage attr:novalidate=true attr:class="form" attr:data-testid="record-stage">
                        {error_summary(stage)}
                        <input type="hidden" name="facility_id" value=id.to_string()/>
                        <label>"到達した段階"
                            <select name="stage" id=field_id("stage") aria-invalid=invalid(stage, "stage", None) aria-describedby=described(stage, "stage", None)>
                                {next_stages.into_iter().map(|s| view! { <option value=s.code() selected=typed_stage == s.code()>{s.label_ja()}</option> }).collect_view()}
                            </select>
                            {field_error(stage, "stage", None)}
                        </label>
                        <label>"日付"<input name="reached_on" id=field_id("reached_on") aria-invalid=invalid(stage, "reached_on", None) aria-describedby=described(stage, "reached_on", None) type="text" value=typed(stage, "reached_on") required/>{field_error(stage, "reached_on", None)}</label>
                        <label>"ベンダー"
                            <select name="vendor_id" id=field_id("vendor_id") aria-invalid=invalid(stage, "vendor_id", None) aria-describedby=described(stage, "vendor_id", None)>
                                <option value="">"—"</option>
                                {vendors.clone().into_iter().map(|(vid, name)| {
                                    let selected = typed_vendor == vid.to_string();
                                    view! { <option value=vid.to_string() selected=selected>{name}</option> }
                                }).collect_view()}
                            </select>
                            {field_error(stage, "vendor_id", None)}
                        </label>
                        <label>"止まっている理由（厚労省調査の選択肢）"
                            <select name="blocker_code" id=field_id("blocker_code") aria-invalid=invalid(stage, "blocker_code", None) aria-describedby=described(stage, "blocker_code", None)>
                                <option value="">"—"</option>
                                {blockers.into_iter().map(|(s, code, label)| {
                                    let text = Stage::ALL.iter().find(|x| x.code() == s).map(|x| x.label_ja()).unwrap_or("");
                                    let selected = typed_blocker == code;
                                    view! { <option value=code selected=selected>{format!("［{text}］{label}")}</option> }
                                }).collect_view()}
                            </select>
                            {field_error(stage, "blocker_code", None)}
                        </label>
                        <label>"理由（自由記述）"<input name="blocker_text" id=field_id("blocker_text") aria-invalid=invalid(stage, "blocker_text", None) aria-describedby=described(stage, "blocker_text", None) type="text" value=typed(stage, "blocker_text")/>{field_error(stage, "blocker_text", None)}</label>
                        <button type="submit" class="primary">"段階を記録"</button>
                    </ActionForm>
                }
            })}
            {p.can_edit.then(|| view! {
                <details>
                    <summary>"猶予届出（経過措置）を記録"</summary>
                    <ActionForm action=grace attr:novalidate=true attr:class="form">
                        <input type="hidden" name="facility_id" value=id.to_string()/>
                        <label>"類型"
                            <select name="grace_type">
                                <option value="">"なし"</option>
                                {(1..=6).map(|n| view! { <option value=n.to_string()>{format!("類型{n}")}</option> }).collect_view()}
                            </select>
                        </label>
                        <label class="check"><input type="checkbox" name="accepted"/>"地方厚生局が受理した"</label>
                        <label>"猶予の終了日（わかる場合）"<input name="until" type="text"/></label>
                        <button type="submit">"記録する"</button>
                    </ActionForm>
                </details>
            })}
            <h3>"期限の一覧"</h3>
            <table class="data" data-testid="deadlines">
                <thead><tr><th scope="col">"手続き"</th><th scope="col">"期限"</th><th scope="col">"状況"</th><th scope="col">"失うもの"</th></tr></thead>
                <tbody>
                    {p.deadlines.iter().map(|d| view! {
                        <tr class=format!("deadline {}", d.status)>
                            <td>{d.label.clone()}</td><td>{d.due.clone()}</td><td>{d.status_label.clone()}</td>
                            <td>{d.consequence.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
