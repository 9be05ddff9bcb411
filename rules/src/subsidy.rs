//! The subsidy calculation: which scheme applies, how much it pays, by when, and why.
//!
//! subsidy = min(eligible cost, 基準とする事業額) × rate, truncated to whole
//! 1,000円 — the only rounding consistent with the official tables
//! (2,101,000 × 1/2 = 1,050,500 → 1,050,000; domain.md, seeds/003).

use crate::readers::DELIVERY_MONTHS;
use crate::scheme::{Catalog, DateWindow, Programme, Route, Scheme};
use crate::{FacilityType, GraceType, Rate, Yen, format_wareki};
use chrono::{Months, NaiveDate};
use serde::{Serialize, Serializer};

/// Source of the truncation rule, cited in explanations.
const TRUNCATION_SOURCE: &str =
    "seeds/003_bb373fb805f0f64e.txt（補助内容の表: 事業額210.1万円の1/2 → 105万円）; domain.md（千円未満切り捨て）";

/// Months between reader delivery and completion implied by MHLW's own
/// schedule: readers applied for by about September 2022 for completion by
/// 2023-03-31, delivery taking about four months (seeds/002, 【参考】取組のスケジュール).
pub const INSTALLATION_ALLOWANCE_MONTHS: u32 = 2;

/// What the facility did and when: the input of [`calculate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsidyInput {
    /// Facility type.
    pub facility_type: FacilityType,
    /// Programme (standard unless a later programme).
    pub programme: Programme,
    /// Readers applied for (within the free entitlement).
    pub readers: u8,
    /// Reader application date.
    pub reader_applied_on: Option<NaiveDate>,
    /// Applied as 機種未定.
    pub model_undecided: bool,
    /// When the model was chosen (機種未定 only).
    pub model_chosen_on: Option<NaiveDate>,
    /// When a 一括申請 declaration was filed.
    pub bulk_declared_on: Option<NaiveDate>,
    /// Vendor contract date.
    pub vendor_contract_on: Option<NaiveDate>,
    /// 導入完了 date.
    pub completed_on: Option<NaiveDate>,
    /// 運用開始 date.
    pub operation_started_on: Option<NaiveDate>,
    /// Accepted 猶予届出 type.
    pub grace_type: Option<GraceType>,
    /// Eligible cost, tax included.
    pub eligible_cost: Yen,
}

impl SubsidyInput {
    /// An input with only the required facts; the rest empty.
    pub fn new(facility_type: FacilityType, readers: u8, reader_applied_on: NaiveDate, eligible_cost: Yen) -> Self {
        SubsidyInput {
            facility_type,
            programme: Programme::Standard,
            readers,
            reader_applied_on: Some(reader_applied_on),
            model_undecided: false,
            model_chosen_on: None,
            bulk_declared_on: None,
            vendor_contract_on: None,
            completed_on: None,
            operation_started_on: None,
            grace_type: None,
            eligible_cost,
        }
    }
}

/// Input that cannot be calculated; each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Zero readers.
    #[error("カードリーダーの台数は1台以上を指定してください")]
    NoReaders,
    /// More readers than the free entitlement.
    #[error(
        "{kind}の無償提供は{free}台までです（指定: {requested}台）。{free}台を超える分は自己負担で、補助の計算には含めません。台数を{free}台以下にしてください"
    )]
    TooManyReaders {
        /// Facility type, in Japanese.
        kind: &'static str,
        /// Readers asked for.
        requested: u8,
        /// Free entitlement.
        free: u8,
    },
    /// Negative cost.
    #[error("補助対象経費がマイナスです（{0}）。0円以上の金額を指定してください")]
    NegativeCost(Yen),
    /// A 機種未定 model chosen before the application.
    #[error("機種選定日（{chosen}）がカードリーダー申込日（{applied}）より前です。日付を確認してください")]
    ModelChosenBeforeApplication {
        /// Model-choice date.
        chosen: NaiveDate,
        /// Application date.
        applied: NaiveDate,
    },
    /// No scheme of the programme covers the facility type.
    #[error("{programme}の補助は{kind}を対象としていません")]
    NotCovered {
        /// Programme name.
        programme: &'static str,
        /// Facility type name.
        kind: &'static str,
    },
}

/// A warning about the outcome, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable code (e.g. `completed_after_deadline`).
    pub code: &'static str,
    /// The warning in Japanese.
    pub message: String,
}

/// One step of the explanation, citing its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The step in Japanese.
    pub text: String,
    /// Where the rule comes from.
    pub source: Option<String>,
}

impl Step {
    fn new(text: impl Into<String>, source: Option<&str>) -> Self {
        Step { text: text.into(), source: source.map(str::to_owned) }
    }

    /// The step as one line: 「…（出典: …）」.
    pub fn to_line(&self) -> String {
        match &self.source {
            Some(s) => format!("{}（出典: {}）", self.text, s),
            None => self.text.clone(),
        }
    }
}

fn steps_as_lines<S: Serializer>(steps: &[Step], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(steps.iter().map(Step::to_line))
}

/// The result of [`calculate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Id of the scheme that applies (None: none qualifies).
    pub scheme: Option<String>,
    /// Its Japanese name.
    pub scheme_name: Option<String>,
    /// Its source.
    pub scheme_source: Option<String>,
    /// False where the scheme or its rate for this type is unverified.
    pub verified: bool,
    /// The route by which the facility qualified.
    pub route: Option<String>,
    /// Rate applied.
    pub rate: Rate,
    /// 基準とする事業額.
    pub cap: Yen,
    /// Eligible cost given.
    pub eligible_cost: Yen,
    /// The subsidy (0 when not eligible).
    pub subsidy: Yen,
    /// Eligible cost − subsidy: the part of the eligible cost the subsidy leaves. Not the
    /// facility's 自己負担, which also counts what the subsidy does not cover at all
    /// ([`crate::settlement::Settlement::self_burden`]).
    pub eligible_not_subsidised: Yen,
    /// For a difference scheme: the extra paid over the original amount.
    pub difference_paid: Option<Yen>,
    /// 導入完了 deadline.
    pub complete_by: Option<NaiveDate>,
    /// 交付申請 deadline.
    pub apply_by: Option<NaiveDate>,
    /// Whether the facility can receive the subsidy (deadlines met so far).
    pub eligible: bool,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Ordered explanation with sources.
    #[serde(serialize_with = "steps_as_lines")]
    pub explanation: Vec<Step>,
    /// The conditions of the route that applies, each with the date that met it (empty when
    /// no scheme applies or its route has none).
    pub conditions: Vec<Condition>,
}

/// One condition of a route, with the fact that met or missed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The condition and the facility's date, in Japanese.
    pub text: String,
    /// Whether the fact meets it.
    pub met: bool,
    /// The fact was not entered (rather than entered and wrong).
    pub missing: bool,
    /// Where the condition comes from.
    pub source: Option<String>,
}

/// An unmet condition of a route.
struct Miss {
    text: String,
    /// A fact most facilities do not have (一括申請, 運用開始) was simply not
    /// given: not worth a "you nearly qualified" warning.
    unstated_option: bool,
}

/// Every condition of a route, met or not, with the facility's date.
fn route_conditions(route: &Route, input: &SubsidyInput, source: Option<&str>) -> Vec<(Condition, bool)> {
    let mut out: Vec<(Condition, bool)> = Vec::new();
    let mut push = |text: String, met: bool, missing: bool, optional: bool| {
        out.push((Condition { text, met, missing, source: source.map(str::to_owned) }, optional));
    };
    let mut window = |what: &str, w: &DateWindow, day: Option<NaiveDate>, optional: bool| match day {
        None => push(format!("{what}が{}であること（未入力）", w.describe_ja()), false, true, optional),
        Some(d) => push(
            format!("{what}が{}であること（{what}: {}）", w.describe_ja(), format_wareki(d)),
            w.contains(d),
            false,
            optional,
        ),
    };
    if let Some(w) = &route.reader_applied {
        window("カードリーダー申込日", w, input.reader_applied_on, false);
    }
    if let Some(w) = &route.bulk_declared {
        window("一括申請の申出日", w, input.bulk_declared_on, true);
    }
    if let Some(w) = &route.operation_started {
        window("運用開始日", w, input.operation_started_on, true);
    }
    match route.model_undecided {
        Some(true) => push("「機種未定」で申し込んでいること".to_owned(), input.model_undecided, false, false),
        Some(false) if input.model_undecided => {
            push("「機種未定」での申込は別の条件で判定します".to_owned(), false, false, false)
        }
        _ => {}
    }
    if let Some(by) = route.model_chosen_by {
        let met = input.model_chosen_on.is_some_and(|d| d <= by);
        push(
            format!(
                "「機種未定」の申込は{}までに機種を選定すること。選定しないとキャンセル扱いとなり、追加補助を受けられません（機種選定日: {}）",
                format_wareki(by),
                input.model_chosen_on.map_or_else(|| "未選定".to_owned(), format_wareki)
            ),
            met,
            input.model_chosen_on.is_none(),
            false,
        );
    }
    if let Some(by) = route.vendor_contract_by {
        match input.vendor_contract_on {
            None => {
                push(format!("ベンダーとの契約日が{}までであること（未入力）", format_wareki(by)), false, true, false)
            }
            Some(d) => push(
                format!("ベンダーとの契約日が{}までであること（契約日: {}）", format_wareki(by), format_wareki(d)),
                d <= by,
                false,
                false,
            ),
        }
    }
    out
}

/// Why a route does not hold, in Japanese; empty when it holds.
fn route_misses(route: &Route, input: &SubsidyInput) -> Vec<Miss> {
    route_conditions(route, input, None)
        .into_iter()
        .filter(|(c, _)| !c.met)
        .map(|(c, optional)| Miss { text: c.text, unstated_option: optional && c.missing })
        .collect()
}

/// A scheme evaluated for the input.
struct Evaluated<'a> {
    scheme: &'a Scheme,
    rate: Rate,
    rate_verified: bool,
    rate_note: Option<&'a str>,
    cap: Yen,
    amount: Yen,
    /// The first route that holds, if any.
    route: Option<&'a Route>,
    /// Routes that miss by exactly one condition, with that condition.
    near_misses: Vec<(&'a Route, String)>,
}

fn evaluate<'a>(scheme: &'a Scheme, input: &SubsidyInput) -> Option<Evaluated<'a>> {
    let rate_row = scheme.rate_for(input.facility_type)?;
    let cap = scheme.cap_for(input.facility_type, input.readers)?;
    let amount = rate_row.rate.apply(input.eligible_cost.min(cap)).truncate_to_thousand();
    let mut route = None;
    let mut near_misses = Vec::new();
    for r in &scheme.routes {
        let misses = route_misses(r, input);
        if misses.is_empty() {
            route.get_or_insert(r);
        } else if let [only] = misses.as_slice()
            && !only.unstated_option
        {
            near_misses.push((r, only.text.clone()));
        }
    }
    Some(Evaluated {
        scheme,
        rate: rate_row.rate,
        rate_verified: rate_row.verified,
        rate_note: rate_row.note.as_deref(),
        cap,
        amount,
        route,
        near_misses,
    })
}

fn validate(input: &SubsidyInput) -> Result<(), InputError> {
    if input.readers == 0 {
        return Err(InputError::NoReaders);
    }
    let free = input.facility_type.free_readers();
    if input.readers > free {
        return Err(InputError::TooManyReaders {
            kind: input.facility_type.label_ja(),
            requested: input.readers,
            free,
        });
    }
    if input.eligible_cost.is_negative() {
        return Err(InputError::NegativeCost(input.eligible_cost));
    }
    if let (Some(chosen), Some(applied)) = (input.model_chosen_on, input.reader_applied_on)
        && input.model_undecided
        && chosen < applied
    {
        return Err(InputError::ModelChosenBeforeApplication { chosen, applied });
    }
    Ok(())
}

/// Deadlines that apply to a scheme, after revisions and 猶予.
struct Deadlines {
    complete_by: Option<NaiveDate>,
    apply_by: Option<NaiveDate>,
    steps: Vec<Step>,
    warnings: Vec<Warning>,
}

fn deadlines(catalog: &Catalog, scheme: &Scheme, input: &SubsidyInput) -> Deadlines {
    let mut d = Deadlines {
        complete_by: scheme.complete_by,
        apply_by: scheme.apply_by,
        steps: Vec::new(),
        warnings: Vec::new(),
    };
    if let (Some(c), Some(a)) = (scheme.complete_by, scheme.apply_by) {
        d.steps.push(Step::new(
            format!("当初の期限: {}までに導入完了、{}までに交付申請", format_wareki(c), format_wareki(a)),
            scheme.deadline_source.as_deref(),
        ));
    }
    let mut extended_by_grace = false;
    for rev in catalog.deadline_revisions.iter().filter(|r| r.applies_to.contains(&scheme.id)) {
        let grace =
            input.grace_type.and_then(|g| rev.grace.iter().find(|e| e.grace_types.contains(&g)).map(|e| (g, e)));
        if let Some((g, ext)) = grace {
            extended_by_grace = true;
            d.complete_by = Some(ext.complete_by);
            d.apply_by = Some(ext.apply_by);
            d.steps.push(Step::new(
                format!(
                    "受理された猶予届出（{g}）により、{}までに導入完了、{}までに交付申請（{}）",
                    format_wareki(ext.complete_by),
                    format_wareki(ext.apply_by),
                    rev.name_ja
                ),
                Some(&rev.source),
            ));
        } else if input.completed_on.is_none_or(|c| c <= rev.completed_by)
            && d.apply_by.is_none_or(|a| a < rev.apply_by)
        {
            d.apply_by = Some(rev.apply_by);
            d.steps.push(Step::new(
                format!(
                    "{}: {}までに導入を完了した施設の交付申請期限は{}",
                    rev.name_ja,
                    format_wareki(rev.completed_by),
                    format_wareki(rev.apply_by)
                ),
                Some(&rev.source),
            ));
        }
    }
    if let Some(g) = input.grace_type {
        if !extended_by_grace {
            d.warnings.push(Warning {
                code: "grace_without_extension",
                message: format!(
                    "猶予届出（{g}）による補助金の期限延長は出典で確認できません。導入完了・交付申請の期限は延長せずに判定しています"
                ),
            });
        }
        if let Some(info) = catalog.grace_type(g)
            && let Some(by) = info.vendor_contract_by
            && input.vendor_contract_on.is_none_or(|c| c > by)
        {
            d.warnings.push(Warning {
                code: "grace_condition_unmet",
                message: format!(
                    "{g}（{}）は{}までのベンダー契約が条件です（契約書または発注書を添付）。契約日を確認してください",
                    info.name_ja,
                    format_wareki(by)
                ),
            });
        }
    }
    d
}

/// Calculates the subsidy under the most favourable scheme the facility qualifies for.
pub fn calculate(catalog: &Catalog, input: &SubsidyInput) -> Result<Outcome, InputError> {
    validate(input)?;
    let evaluated: Vec<Evaluated<'_>> =
        catalog.schemes.iter().filter(|s| s.programme == input.programme).filter_map(|s| evaluate(s, input)).collect();
    if evaluated.is_empty() {
        return Err(InputError::NotCovered {
            programme: input.programme.label_ja(),
            kind: input.facility_type.label_ja(),
        });
    }
    let better = |a: &Evaluated<'_>, b: &Evaluated<'_>| {
        a.amount > b.amount || (a.amount == b.amount && a.scheme.published_on > b.scheme.published_on)
    };
    let mut base: Option<&Evaluated<'_>> = None;
    for e in evaluated.iter().filter(|e| e.route.is_some() && !e.scheme.pays_difference) {
        if base.is_none_or(|b| better(e, b)) {
            base = Some(e);
        }
    }
    let mut difference: Option<&Evaluated<'_>> = None;
    for e in evaluated.iter().filter(|e| e.route.is_some() && e.scheme.pays_difference) {
        if base.is_none_or(|b| e.amount > b.amount) && difference.is_none_or(|d| better(e, d)) {
            difference = Some(e);
        }
    }
    let chosen = difference.or(base);

    let kind = input.facility_type;
    let mut steps = vec![Step::new(
        format!(
            "施設区分: {}、カードリーダー{}台（無償提供は{}台まで）",
            kind.label_ja(),
            input.readers,
            kind.free_readers()
        ),
        Some("seeds/001_03434e09f67b16ae.txt（顔認証付きカードリーダー提供台数: 病院3台まで、その他1台）"),
    )];
    if input.programme != Programme::Standard {
        steps.push(Step::new(format!("補助の種類: {}", input.programme.label_ja()), None));
    }
    let mut warnings = Vec::new();

    let Some(chosen) = chosen else {
        for e in &evaluated {
            for r in &e.scheme.routes {
                for miss in route_misses(r, input) {
                    steps.push(Step::new(
                        format!("{}: 満たしていない条件 — {}", e.scheme.name_ja, miss.text),
                        Some(&e.scheme.source),
                    ));
                }
            }
        }
        warnings.push(Warning {
            code: "no_scheme",
            message: "条件を満たす補助制度がありません。カードリーダーの申込日などの入力を確認してください".into(),
        });
        return Ok(Outcome {
            scheme: None,
            scheme_name: None,
            scheme_source: None,
            verified: false,
            route: None,
            rate: Rate::ZERO,
            cap: Yen::ZERO,
            eligible_cost: input.eligible_cost,
            subsidy: Yen::ZERO,
            eligible_not_subsidised: input.eligible_cost,
            difference_paid: None,
            complete_by: None,
            apply_by: None,
            eligible: false,
            warnings,
            explanation: steps,
            conditions: Vec::new(),
        });
    };

    let scheme = chosen.scheme;
    let route = chosen.route.map(|r| r.label_ja.clone());
    steps.push(Step::new(
        format!("適用する制度: {}（条件: {}）", scheme.name_ja, route.as_deref().unwrap_or("")),
        Some(chosen.route.and_then(|r| r.source.as_deref()).unwrap_or(&scheme.source)),
    ));
    if !scheme.verified {
        warnings.push(Warning {
            code: "unverified_scheme",
            message: format!(
                "「{}」は出典の確認が不十分です: {}",
                scheme.name_ja,
                scheme.note.as_deref().unwrap_or("詳細な条件を確認できません")
            ),
        });
    }
    if !chosen.rate_verified {
        warnings.push(Warning {
            code: "unverified_rate",
            message: chosen.rate_note.unwrap_or("この補助率は出典で確認できません").to_owned(),
        });
    }
    steps.push(Step::new(
        format!(
            "補助率: {}、基準とする事業額（上限）: {}（{}）",
            chosen.rate.label_ja(),
            chosen.cap,
            chosen.cap.format_man()
        ),
        Some(&scheme.source),
    ));
    let base_cost = input.eligible_cost.min(chosen.cap);
    let raw = chosen.rate.apply(base_cost);
    steps.push(Step::new(
        format!(
            "補助対象経費 {} と上限 {} の少ない方 {} × {} = {}、千円未満切り捨て → {}",
            input.eligible_cost, chosen.cap, base_cost, chosen.rate, raw, chosen.amount
        ),
        Some(TRUNCATION_SOURCE),
    ));
    let mut difference_paid = None;
    if scheme.pays_difference {
        let original = base.map_or(Yen::ZERO, |b| b.amount);
        let diff = chosen.amount - original;
        difference_paid = Some(diff);
        steps.push(Step::new(
            format!(
                "見直し前の制度（{}）での補助額 {} との差額 {} が追加で支払われます（既に支給済みの場合を除く）",
                base.map_or("なし", |b| b.scheme.name_ja.as_str()),
                original,
                diff
            ),
            Some(&scheme.source),
        ));
    }

    // What a more favourable scheme would have needed: the one condition missed.
    for e in evaluated.iter().filter(|e| e.amount > chosen.amount) {
        for (r, miss) in &e.near_misses {
            let code = if r.model_chosen_by.is_some() && miss.contains("キャンセル") {
                "model_choice_missed"
            } else {
                "more_favourable_scheme_missed"
            };
            warnings.push(Warning {
                code,
                message: format!(
                    "「{}」（{}）なら補助額は{}でした。満たしていない条件: {}",
                    e.scheme.name_ja, r.label_ja, e.amount, miss
                ),
            });
        }
    }

    let d = deadlines(catalog, scheme, input);
    steps.extend(d.steps);
    warnings.extend(d.warnings);
    let mut eligible = true;
    if let (Some(done), Some(by)) = (input.completed_on, d.complete_by)
        && done > by
    {
        eligible = false;
        warnings.push(Warning {
                code: "completed_after_deadline",
                message: format!(
                    "導入完了日（{}）が期限（{}）を過ぎているため、補助の対象外です。受理された猶予届出（類型1・4・5・6）がある場合は、その類型を入力してください",
                    format_wareki(done),
                    format_wareki(by)
                ),
            });
    }
    let subsidy = if eligible { chosen.amount } else { Yen::ZERO };
    let eligible_not_subsidised = input.eligible_cost - subsidy;
    steps.push(Step::new(
        format!(
            "補助額: {}（補助対象経費 {} のうち補助されない額: {}）",
            subsidy, input.eligible_cost, eligible_not_subsidised
        ),
        None,
    ));
    let route_source = chosen.route.and_then(|r| r.source.as_deref()).unwrap_or(&scheme.source);
    let conditions = chosen
        .route
        .map(|r| route_conditions(r, input, Some(route_source)).into_iter().map(|(c, _)| c).collect())
        .unwrap_or_default();

    Ok(Outcome {
        scheme: Some(scheme.id.clone()),
        scheme_name: Some(scheme.name_ja.clone()),
        scheme_source: Some(scheme.source.clone()),
        verified: scheme.verified && chosen.rate_verified,
        route,
        rate: chosen.rate,
        cap: chosen.cap,
        eligible_cost: input.eligible_cost,
        subsidy,
        eligible_not_subsidised,
        difference_paid: difference_paid.filter(|_| eligible),
        complete_by: d.complete_by,
        apply_by: d.apply_by,
        eligible,
        warnings,
        explanation: steps,
        conditions,
    })
}

/// The same facility had it applied for its reader on another day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIf {
    /// The other application day.
    pub reader_applied_on: NaiveDate,
    /// The outcome then.
    pub outcome: Outcome,
    /// Its subsidy minus the actual subsidy.
    pub difference: Yen,
}

/// Recalculates with another reader-application day.
pub fn what_if_applied_on(catalog: &Catalog, input: &SubsidyInput, day: NaiveDate) -> Result<WhatIf, InputError> {
    let actual = calculate(catalog, input)?;
    let other = calculate(catalog, &SubsidyInput { reader_applied_on: Some(day), ..input.clone() })?;
    Ok(WhatIf { reader_applied_on: day, difference: other.subsidy - actual.subsidy, outcome: other })
}

/// The latest reader-application day that still finishes by `target`: the
/// ~4-month delivery (seeds/002) plus the installation allowance.
pub fn latest_reader_application(target: NaiveDate) -> Option<NaiveDate> {
    target.checked_sub_months(Months::new(DELIVERY_MONTHS + INSTALLATION_ALLOWANCE_MONTHS))
}
