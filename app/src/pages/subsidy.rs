//! 補助金シミュレーション: the subsidy calculator, a GET form that works without JavaScript.
//!
//! The calculation is pure (`rules`), so the page computes it from the query
//! string directly; the same code can run in a browser build. It goes through
//! `rules::settlement::settle`, as the quote page, the 交付申請 and `onshi subsidy`
//! do, so the same facts and costs give the same subsidy and 自己負担 everywhere.

use crate::layout::Layout;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use rules::date_order::DateField;
use rules::scheme::{Catalog, Programme};
use rules::settlement::{CostSummary, Settlement, settle};
use rules::subsidy::{SubsidyInput, WhatIf, latest_reader_application, what_if_applied_on};
use rules::{FacilityType, GraceType, Yen, format_wareki_with_western, parse_date};

/// A form field's error, shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's `name`.
    pub field: &'static str,
    /// What to fix, in Japanese.
    pub message: String,
}

/// What the form asked for, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The calculation input.
    pub input: SubsidyInput,
    /// 補助対象外の費用 (running costs and the like), tax included.
    pub not_covered: Yen,
    /// Optional other application day to compare with.
    pub what_if: Option<chrono::NaiveDate>,
    /// Optional completion target for planning.
    pub target: Option<chrono::NaiveDate>,
}

fn text(q: &ParamsMap, key: &str) -> Option<String> {
    q.get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Parses the query string into a request; every bad field is reported at once.
pub fn parse_request(q: &ParamsMap) -> Result<Request, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &'static str, message: String| errors.push(FieldError { field, message });

    let facility_type = match text(q, "facility_type").map(|t| t.parse::<FacilityType>()) {
        Some(Ok(t)) => Some(t),
        Some(Err(_)) | None => {
            err("facility_type", "施設区分を選んでください".into());
            None
        }
    };
    let programme = match text(q, "programme").unwrap_or_else(|| "standard".into()).parse::<Programme>() {
        Ok(p) => Some(p),
        Err(e) => {
            err("programme", e.to_string());
            None
        }
    };
    let readers = match text(q, "readers").map(|r| r.parse::<u8>()) {
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            err("readers", "台数は1〜3の数字で入力してください".into());
            None
        }
        None => Some(1),
    };
    let mut day = |field: &'static str, required: bool| match text(q, field) {
        Some(s) => match parse_date(&s) {
            Ok(d) => Some(d),
            Err(e) => {
                err(field, e.to_string());
                None
            }
        },
        None => {
            if required {
                err(field, "日付を入力してください（例: 2021-03-31 または 令和3年3月31日）".into());
            }
            None
        }
    };
    let reader_applied_on = day("reader_applied_on", false);
    let model_chosen_on = day("model_chosen_on", false);
    let bulk_declared_on = day("bulk_declared_on", false);
    let vendor_contract_on = day("vendor_contract_on", false);
    let completed_on = day("completed_on", false);
    let operation_started_on = day("operation_started_on", false);
    let what_if = day("what_if_applied_on", false);
    let target = day("target_completion", false);
    let mut amount =
        |field: &'static str, what: &str, missing: Option<Yen>| match text(q, field).map(|c| Yen::parse(&c)) {
            Some(Ok(y)) if y.is_negative() => {
                err(field, format!("{what}がマイナスです（{y}）。0円以上の金額を入力してください"));
                None
            }
            Some(Ok(y)) => Some(y),
            Some(Err(e)) => {
                err(field, e.to_string());
                None
            }
            None if missing.is_some() => missing,
            None => {
                err(field, format!("{what}（税込）を入力してください（例: 1,500,000）"));
                None
            }
        };
    let eligible_cost = amount("eligible_cost", "補助対象経費", None);
    let not_covered = amount("not_covered", "補助対象外の費用", Some(Yen::ZERO));
    let grace_type = match text(q, "grace_type").map(|g| g.parse::<GraceType>()) {
        Some(Ok(g)) => Some(g),
        Some(Err(e)) => {
            err("grace_type", e.to_string());
            None
        }
        None => None,
    };
    let model_undecided = q.get("model_undecided").is_some();
    // Dates in an impossible order: both named, beside the date to fix (the fields bear the codes' names).
    let dated = [
        (DateField::ReaderApplied, reader_applied_on),
        (DateField::ModelChosen, model_chosen_on.filter(|_| model_undecided)),
        (DateField::VendorContract, vendor_contract_on),
        (DateField::Completed, completed_on),
        (DateField::OperationStarted, operation_started_on),
    ];
    for c in rules::date_order::conflicts(&dated) {
        err(c.field.code(), c.to_string());
    }
    match (facility_type, programme, readers, eligible_cost, not_covered) {
        (Some(facility_type), Some(programme), Some(readers), Some(eligible_cost), Some(not_covered))
            if errors.is_empty() =>
        {
            Ok(Request {
                not_covered,
                input: SubsidyInput {
                    facility_type,
                    programme,
                    readers,
                    reader_applied_on,
                    model_undecided,
                    model_chosen_on,
                    bulk_declared_on,
                    vendor_contract_on,
                    completed_on,
                    operation_started_on,
                    grace_type,
                    eligible_cost,
                },
                what_if,
                target,
            })
        }
        _ => Err(errors),
    }
}

/// 補助金シミュレーション.
#[component]
pub fn SubsidyPage() -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let submitted = q.get("facility_type").is_some();
    let (result, errors) = if submitted {
        match parse_request(&q) {
            Ok(request) => {
                let catalog = Catalog::builtin();
                let costs = CostSummary::of_figures(request.input.eligible_cost, request.not_covered);
                match settle(catalog, &request.input, &costs) {
                    Ok(settlement) => {
                        let what_if = request.what_if.and_then(|d| what_if_applied_on(catalog, &request.input, d).ok());
                        (Some((settlement, what_if, request.target)), Vec::new())
                    }
                    Err(e) => (None, vec![FieldError { field: "form", message: e.to_string() }]),
                }
            }
            Err(errors) => (None, errors),
        }
    } else {
        (None, Vec::new())
    };
    let value = move |key: &str| q.get(key).unwrap_or_default();
    let error_for = {
        let errors = errors.clone();
        move |field: &'static str| {
            errors
                .iter()
                .filter(|e| e.field == field)
                .map(|e| view! { <span class="field-error" role="alert">{e.message.clone()}</span> })
                .collect_view()
        }
    };
    let form_errors = errors.iter().filter(|e| e.field == "form").map(|e| e.message.clone()).collect::<Vec<_>>();
    let selected_type = value("facility_type");
    let selected_programme = value("programme");
    let selected_grace = value("grace_type");
    view! {
        <Layout title="補助金シミュレーション">
            <p>
                "カードリーダーの申込日などを入力すると、適用される補助制度・補助額・期限を出典つきで計算します。日付は西暦（2021-03-31）でも和暦（令和3年3月31日）でも入力できます。"
            </p>
            {form_errors.into_iter().map(|m| view! { <p class="error" role="alert">{m}</p> }).collect_view()}
            <div class="calc-layout">
            <Form method="GET" action="/subsidy" attr:class="form calc-form">
                <fieldset>
                    <legend>"施設"</legend>
                    <label for="facility_type">"施設区分"</label>
                    <select id="facility_type" name="facility_type">
                        {FacilityType::ALL
                            .into_iter()
                            .map(|t| {
                                let selected = selected_type == t.code();
                                view! { <option value=t.code() selected=selected>{t.label_ja()}</option> }
                            })
                            .collect_view()}
                    </select>
                    {error_for("facility_type")}
                    <label for="programme">"補助の種類"</label>
                    <select id="programme" name="programme">
                        {Programme::ALL
                            .into_iter()
                            .map(|p| {
                                let selected = selected_programme == p.code();
                                view! { <option value=p.code() selected=selected>{p.label_ja()}</option> }
                            })
                            .collect_view()}
                    </select>
                    {error_for("programme")}
                    <label for="readers">"カードリーダー台数（病院は3台まで、その他1台）"</label>
                    <input id="readers" name="readers" type="number" min="1" max="3" value=value("readers")/>
                    {error_for("readers")}
                    <label for="eligible_cost">"補助対象経費（税込・円）"</label>
                    <input id="eligible_cost" name="eligible_cost" type="text" inputmode="numeric" placeholder="例: 1,500,000" value=value("eligible_cost")/>
                    {error_for("eligible_cost")}
                    <label for="not_covered">"補助対象外の費用（保守・回線使用料など、税込）"</label>
                    <input id="not_covered" name="not_covered" type="text" inputmode="numeric" placeholder="例: 264,000（なければ空欄か0）" value=value("not_covered")/>
                    {error_for("not_covered")}
                </fieldset>
                <fieldset>
                    <legend>"日付"</legend>
                    <DateField name="reader_applied_on" label="カードリーダー申込日（まだ申し込んでいなければ空欄）" value=value("reader_applied_on")/>
                    {error_for("reader_applied_on")}
                    <label class="check">
                        <input type="checkbox" name="model_undecided" checked=!value("model_undecided").is_empty()/>
                        "「機種未定」で申し込んだ"
                    </label>
                    <DateField name="model_chosen_on" label="機種選定日（機種未定の場合）" value=value("model_chosen_on")/>
                    {error_for("model_chosen_on")}
                    <DateField name="bulk_declared_on" label="一括申請の申出日" value=value("bulk_declared_on")/>
                    {error_for("bulk_declared_on")}
                    <DateField name="vendor_contract_on" label="ベンダー契約日" value=value("vendor_contract_on")/>
                    {error_for("vendor_contract_on")}
                    <DateField name="completed_on" label="導入完了日" value=value("completed_on")/>
                    {error_for("completed_on")}
                    <DateField name="operation_started_on" label="運用開始日" value=value("operation_started_on")/>
                    {error_for("operation_started_on")}
                    <label for="grace_type">"受理された猶予届出"</label>
                    <select id="grace_type" name="grace_type">
                        <option value="" selected=selected_grace.is_empty()>"なし"</option>
                        {Catalog::builtin()
                            .grace_types
                            .iter()
                            .map(|g| {
                                let n = g.number.number().to_string();
                                let selected = selected_grace == n;
                                view! { <option value=n.clone() selected=selected>{format!("類型{n} {}", g.name_ja)}</option> }
                            })
                            .collect_view()}
                    </select>
                    {error_for("grace_type")}
                </fieldset>
                <fieldset>
                    <legend>"比較・計画（任意）"</legend>
                    <DateField name="what_if_applied_on" label="別の申込日だったら" value=value("what_if_applied_on")/>
                    {error_for("what_if_applied_on")}
                    <DateField name="target_completion" label="導入完了の目標日（申込期限の目安を表示）" value=value("target_completion")/>
                    {error_for("target_completion")}
                </fieldset>
                <button type="submit" class="primary">"計算する"</button>
            </Form>
            {result.map(|(settlement, what_if, target)| view! { <OutcomeView settlement what_if target/> })}
            </div>
        </Layout>
    }
}

#[component]
fn DateField(name: &'static str, label: &'static str, value: String) -> impl IntoView {
    view! {
        <label for=name>{label}</label>
        <input id=name name=name type="text" placeholder="例: 2021-03-31 / 令和3年3月31日" value=value/>
    }
}

/// Today, for the deadlines of the alternatives (`ONSHI_TODAY` in demonstrations and tests).
fn today() -> chrono::NaiveDate {
    #[cfg(feature = "ssr")]
    return crate::ssr::context::today();
    // A browser build would take the browser's date.
    #[cfg(not(feature = "ssr"))]
    chrono::Local::now().date_naive()
}

#[component]
fn OutcomeView(settlement: Settlement, what_if: Option<WhatIf>, target: Option<chrono::NaiveDate>) -> impl IntoView {
    let s = settlement;
    let o = s.outcome.clone();
    let total = s.costs.total;
    let today = today();
    let status = if o.eligible { "result eligible" } else { "result not-eligible" };
    let row = |label: &'static str, testid: &'static str, amount: Yen| {
        view! { <tr><th scope="row">{label}</th><td class="num" data-testid=testid>{amount.to_string()}</td></tr> }
    };
    view! {
        <section class=format!("card {status}") aria-labelledby="result-title" data-testid="subsidy-result">
            <h2 id="result-title">"計算結果"</h2>
            <table class="data summary">
                <tbody>
                    <tr><th scope="row">"適用する制度"</th><td data-testid="scheme">{o.scheme_name.clone().unwrap_or_else(|| "該当なし".into())}</td></tr>
                    <tr><th scope="row">"条件"</th><td>{o.route.clone().unwrap_or_default()}</td></tr>
                    <tr><th scope="row">"補助率"</th><td>{o.rate.label_ja()}</td></tr>
                    <tr><th scope="row">"基準とする事業額（上限）"</th><td class="num">{format!("{}（{}）", o.cap, o.cap.format_man())}</td></tr>
                    {row("補助対象経費", "eligible-cost", s.costs.eligible)}
                    {row("補助対象外の費用", "not-covered-cost", s.costs.not_covered_total())}
                    {row("支払総額（補助対象経費＋補助対象外の費用）", "total-paid", total)}
                    <tr class="total"><th scope="row">"補助額"</th><td class="num" data-testid="subsidy">{format!("{}（{}）", s.subsidy, s.subsidy.format_man())}</td></tr>
                    {o.difference_paid.map(|d| view! { <tr><th scope="row">"うち差額の追加支給"</th><td class="num">{d.to_string()}</td></tr> })}
                    <tr class="total"><th scope="row">"自己負担（支払総額 − 補助額）"</th><td class="num" data-testid="self-burden">{s.self_burden.to_string()}</td></tr>
                    {row("うち補助対象外の費用", "not-covered", s.not_covered)}
                    {row("うち上限を超える補助対象経費", "above-cap", s.above_cap)}
                    {row("うち補助率により残る額", "rate-share", s.rate_share)}
                    {row("補助対象経費のうち補助されない額", "eligible-not-subsidised", o.eligible_not_subsidised)}
                    {o.complete_by.map(|d| view! { <tr><th scope="row">"導入完了期限"</th><td>{format_wareki_with_western(d)}</td></tr> })}
                    {o.apply_by.map(|d| view! { <tr><th scope="row">"交付申請期限"</th><td>{format_wareki_with_western(d)}</td></tr> })}
                </tbody>
            </table>
            <p class="note" data-testid="burden-line">{s.burden_line()}</p>
            {(!o.eligible).then(|| view! { <p class="error">"この条件では補助の対象外です。"</p> })}
            {(!o.conditions.is_empty()).then(|| view! {
                <h3>"制度の条件と入力した日付"</h3>
                <ul class="conditions" data-testid="conditions">
                    {o.conditions.iter().map(|c| view! {
                        <li data-met=c.met.to_string()>
                            {if c.met { "満たしています: " } else if c.missing { "未入力: " } else { "満たしていません: " }}
                            {c.text.clone()}
                            {c.source.clone().map(|note| view! { <crate::pages::sources::SourceSpan note /> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {(!s.assumptions.is_empty()).then(|| view! {
                <h3>"計算の前提"</h3>
                <ul data-testid="assumptions">
                    {s.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}
                </ul>
            })}
            {(!s.alternatives.is_empty()).then(|| view! {
                <h3>"日付によってはこうなります"</h3>
                <ul data-testid="alternatives">
                    {s.alternatives.iter().map(|a| view! { <li>{a.sentence(today)}</li> }).collect_view()}
                </ul>
            })}
            {what_if.map(|w| {
                let sign = if w.difference.is_negative() { "" } else { "+" };
                view! {
                    <p class="what-if" data-testid="what-if">
                        {format!(
                            "もし {} に申し込んでいたら: 補助額 {}（差 {sign}{}）、自己負担 {}",
                            format_wareki_with_western(w.reader_applied_on),
                            w.outcome.subsidy,
                            w.difference,
                            total - w.outcome.subsidy
                        )}
                    </p>
                }
            })}
            {target.and_then(latest_reader_application).zip(target).map(|(latest, t)| view! {
                <p class="plan" data-testid="plan">
                    {format!(
                        "{}までに導入を完了するには、遅くとも{}までにカードリーダーを申し込む必要があります（申込から配送まで約4か月: 厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）。導入作業の2か月は Onshi の目安で、公的な基準ではありません）。",
                        format_wareki_with_western(t),
                        format_wareki_with_western(latest)
                    )}
                </p>
            })}
            {(!o.warnings.is_empty()).then(|| view! {
                <h3>"注意"</h3>
                <ul class="warnings">
                    {o.warnings.iter().map(|w| view! { <li data-code=w.code>{w.message.clone()}</li> }).collect_view()}
                </ul>
            })}
            <h3>"計算の根拠"</h3>
            <ol class="explanation">
                {o.explanation
                    .iter()
                    .map(|s| view! {
                        <li>
                            {s.text.clone()}
                            {s.source.clone().map(|note| view! { <crate::pages::sources::SourceSpan note /> })}
                        </li>
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&'static str, &str)]) -> ParamsMap {
        let mut q = ParamsMap::new();
        for (k, v) in pairs {
            q.insert(*k, (*v).to_owned());
        }
        q
    }

    #[test]
    fn a_complete_form_parses_with_wareki_dates_and_man_yen() {
        let r = parse_request(&query(&[
            ("facility_type", "hospital"),
            ("readers", "2"),
            ("reader_applied_on", "令和3年3月31日"),
            ("eligible_cost", "210.1万円"),
            ("model_undecided", "on"),
            ("grace_type", "1"),
        ]))
        .unwrap();
        assert_eq!(r.input.readers, 2);
        assert_eq!(r.input.eligible_cost, Yen::from_i64(2_101_000));
        assert!(r.input.model_undecided);
        assert_eq!(r.input.grace_type.map(GraceType::number), Some(1));
    }

    #[test]
    fn costs_not_covered_default_to_zero_and_the_reader_date_may_be_left_out() {
        let r = parse_request(&query(&[("facility_type", "medical_clinic"), ("eligible_cost", "2,695,000")])).unwrap();
        assert_eq!((r.input.reader_applied_on, r.not_covered), (None, Yen::ZERO));
        let r = parse_request(&query(&[
            ("facility_type", "medical_clinic"),
            ("eligible_cost", "2,695,000"),
            ("not_covered", "26.4万円"),
        ]))
        .unwrap();
        assert_eq!(r.not_covered, Yen::from_i64(264_000));
    }

    #[test]
    fn a_negative_or_unreadable_cost_is_refused_beside_its_field() {
        let errors = parse_request(&query(&[
            ("facility_type", "medical_clinic"),
            ("eligible_cost", "-1"),
            ("not_covered", "保守"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["eligible_cost", "not_covered"]);
        assert!(errors[0].message.contains("マイナス"), "{:?}", errors[0]);
        let errors = parse_request(&query(&[
            ("facility_type", "medical_clinic"),
            ("eligible_cost", "1"),
            ("not_covered", "-5"),
        ]))
        .unwrap_err();
        assert_eq!(errors[0].field, "not_covered");
        assert!(errors[0].message.starts_with("補助対象外の費用がマイナスです"), "{:?}", errors[0]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = parse_request(&query(&[
            ("facility_type", "clinic"),
            ("reader_applied_on", "2021-02-30"),
            ("eligible_cost", "abc"),
            ("completed_on", "someday"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["facility_type", "reader_applied_on", "completed_on", "eligible_cost"]);
    }

    #[test]
    fn a_contract_before_the_reader_application_is_reported_beside_the_contract_date() {
        let q = query(&[
            ("facility_type", "medical_clinic"),
            ("readers", "1"),
            ("reader_applied_on", "2022-08-01"),
            ("vendor_contract_on", "令和4年7月1日"),
            ("eligible_cost", "500000"),
        ]);
        let errors = parse_request(&q).expect_err("refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "vendor_contract_on");
        assert!(
            errors[0]
                .message
                .starts_with("ベンダー契約日（発注日）（令和4年7月1日）がカードリーダー申込日（令和4年8月1日）より前")
        );
    }
}
