//! Server functions of the facility page's money: the subsidy and 自己負担 on the facility's
//! own costs, the payback of the fee additions, and the manager's monthly patients.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The costs a settlement was computed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostBasisView {
    /// 「支払済みの領収書」「確定した見積」「最新の見積」.
    pub label: String,
    /// The quote they come from.
    pub quote_id: i64,
}

/// The settlement as the facility page shows it: the quote page's view, with the subsidy in
/// 万円 and the calculation step by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettledView {
    /// The figures, conditions, assumptions and alternatives, as the quote page shows them.
    pub view: crate::api::settlement_view::SettlementView,
    /// The subsidy in 万円.
    pub subsidy_man: String,
    /// The calculation step by step: (step, source).
    pub explanation: Vec<(String, Option<String>)>,
}

/// The facility's settlement on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementView {
    /// The costs used; None: no quote yet, the figures are the estimate at the cap.
    pub basis: Option<CostBasisView>,
    /// The settlement, or why the facility's facts cannot be calculated.
    pub settled: Result<SettledView, String>,
}

/// The payback under one fee addition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaybackRowView {
    /// Stable id of the fee addition.
    pub fee_id: String,
    /// Its name.
    pub name: String,
    /// Its points per patient, in Japanese (「初診 7点・再診 4点」).
    pub points: String,
    /// The lower points of the same addition and when they apply.
    pub lower_points: String,
    /// Its period of validity.
    pub period: String,
    /// It has ended (the figures show what it would give had it gone on).
    pub ended: bool,
    /// Its public source.
    pub source: String,
    /// Points a month.
    pub monthly_points: String,
    /// Income a month.
    pub monthly_income: String,
    /// Running costs a month.
    pub running_cost: String,
    /// Income less running costs a month.
    pub monthly_net: String,
    /// Months to earn the 自己負担 back, if it ever is.
    pub months: Option<u64>,
    /// 「27か月（2年3か月）」, or why there is no figure.
    pub months_text: String,
}

/// The payback section: its inputs, its rows and what it assumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaybackView {
    /// A pharmacy counts prescriptions, others 初診 and 再診 patients.
    pub pharmacy: bool,
    /// What was entered, as the form shows it: (field, value).
    pub entered: Vec<(String, String)>,
    /// Why there is no payback to show, if there is none.
    pub unavailable: Option<String>,
    /// The 自己負担 to earn back.
    pub self_burden: Option<String>,
    /// Running costs a month.
    pub running_cost: Option<String>,
    /// The rows, one per fee addition.
    pub rows: Vec<PaybackRowView>,
    /// What the calculation assumes, in plain Japanese.
    pub assumptions: Vec<String>,
}

/// The facility page's money sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyView {
    /// The facility.
    pub facility_id: i64,
    /// 補助額と自己負担.
    pub settlement: SettlementView,
    /// 投資回収の見込み.
    pub payback: PaybackView,
    /// The user may enter the patients (a manager of the facility).
    pub can_edit: bool,
}

/// The patients fields of a facility type: (field, label).
pub fn patient_fields(pharmacy: bool) -> &'static [(&'static str, &'static str)] {
    if pharmacy {
        &[("prescriptions", "処方箋を受け付ける患者数（月）")]
    } else {
        &[("first_visits", "初診の患者数（月）"), ("revisits", "再診の患者数（月）")]
    }
}

/// The money sections of a facility whose provisioning facts are already read (the facility
/// page reads them once, with its progress): its chosen quote and its patients on the same
/// connection, its settlement computed once for both sections.
#[cfg(feature = "ssr")]
pub(crate) async fn money_of(
    conn: &mut sqlx::SqliteConnection,
    facts: &rules::provisioning::ProvisioningFacts,
    id: i64,
    can_edit: bool,
) -> Result<MoneyView, UiError> {
    use crate::ssr::facility_settlement::FacilitySettlement;
    use crate::ssr::{context, db};
    let chosen = db::cost_sets::chosen(&mut *conn, &[id]).await.map_err(context::internal)?;
    let entered = db::patients::entered(&mut *conn, id).await.map_err(context::internal)?;
    let settled = FacilitySettlement::of(rules::scheme::Catalog::builtin(), facts, chosen.first());
    Ok(MoneyView {
        facility_id: id,
        settlement: views::settlement(&settled, context::today()),
        payback: views::payback(&settled, facts.facility_type, entered, context::today()),
        can_edit,
    })
}

/// Stores the patients a facility sees a month: 初診 and 再診 for a clinic or hospital,
/// prescriptions for a pharmacy, each a whole number from 0 to 1,000,000; refused with the
/// message beside the field and the values as typed.
#[server(prefix = "/api", endpoint = "save_patients")]
pub async fn save_patients(
    facility_id: i64,
    first_visits: Option<String>,
    revisits: Option<String>,
    prescriptions: Option<String>,
) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    let f = db::provisioning::facility_in_scope(&pool, &user.scope, facility_id).await?;
    let pharmacy = f.facility_type.parse::<rules::FacilityType>().map_err(context::internal)?.is_pharmacy();
    let typed = |field: &str| match field {
        "first_visits" => first_visits.clone(),
        "revisits" => revisits.clone(),
        _ => prescriptions.clone(),
    };
    let mut values = Vec::new();
    let mut errors = Vec::new();
    let mut counts = Vec::new();
    for &(field, label) in patient_fields(pharmacy) {
        let text = typed(field).unwrap_or_default();
        match patients::count(label, &text) {
            Ok(n) => counts.push(n),
            Err(message) => errors.push((field.to_owned(), message)),
        }
        values.push((field.to_owned(), text));
    }
    if !errors.is_empty() {
        return Err(UiError::FormRejected { errors, values });
    }
    let entered = match counts.as_slice() {
        [prescriptions] if pharmacy => {
            db::patients::Entered { prescriptions: Some(*prescriptions), ..Default::default() }
        }
        [first, re] => db::patients::Entered { first_visits: Some(*first), revisits: Some(*re), prescriptions: None },
        _ => return Err(context::internal("the patients form has fields of another facility type")),
    };
    let actor = Actor::user(user.id, user.email.clone());
    db::patients::save(&pool, &actor, facility_id, entered).await?;
    leptos_axum::redirect(&format!("/facilities/{facility_id}#payback"));
    Ok(())
}

/// Reading the patients form.
pub mod patients {
    /// Most patients a month a facility may enter: far above any real facility, low enough to
    /// catch a typo (Onshi's own bound; the database checks it too).
    pub const MAX_A_MONTH: u32 = 1_000_000;

    /// A count of patients a month as typed: a whole number 0..=[`MAX_A_MONTH`], in ASCII or
    /// full-width digits, with or without thousands separators; the error says what to fix.
    pub fn count(label: &str, text: &str) -> Result<u32, String> {
        let digits: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | '，'))
            .map(|c| match c {
                '０'..='９' => char::from_digit(u32::from(c) - u32::from('０'), 10).unwrap_or(c),
                c => c,
            })
            .collect();
        if digits.is_empty() {
            return Err(format!("{label}を入力してください（0以上の整数。例: 120）"));
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("{label}は0から1,000,000までの整数で入力してください（入力: {}）", text.trim()));
        }
        match digits.parse::<u64>() {
            Ok(n) if n <= u64::from(MAX_A_MONTH) => u32::try_from(n).map_err(|e| e.to_string()),
            _ => Err(format!("{label}は1,000,000以下で入力してください（入力: {}）", text.trim())),
        }
    }
}

/// The settlement and the payback as the page shows them.
#[cfg(feature = "ssr")]
pub(crate) mod views {
    use super::{CostBasisView, PaybackRowView, PaybackView, SettledView, SettlementView};
    use crate::public_source::public_source;
    use crate::ssr::db::patients::Entered;
    use crate::ssr::facility_settlement::FacilitySettlement;
    use chrono::NaiveDate;
    use rules::payback::{FeeAddition, PaybackInput, YEN_PER_POINT, payback as rows_of};
    use rules::settlement::Settlement;
    use rules::{FacilityType, Yen};

    /// The settlement's view.
    pub fn settlement(f: &FacilitySettlement, today: NaiveDate) -> SettlementView {
        SettlementView {
            basis: f
                .costs
                .as_ref()
                .map(|c| CostBasisView { label: c.basis.label_ja().to_owned(), quote_id: c.quote_id }),
            settled: f.settlement.as_ref().map(|s| settled(s, today, f.costs.is_none())).map_err(ToString::to_string),
        }
    }

    fn settled(s: &Settlement, today: NaiveDate, at_cap: bool) -> SettledView {
        let mut view = crate::api::settlement_view::SettlementView::of(s, today);
        if at_cap {
            // Without costs there is no 自己負担 to tell: the alternatives say what could be received.
            view.alternatives = s
                .alternatives
                .iter()
                .map(|a| {
                    format!(
                        "{}「{}」で上限見込み {}（{}）",
                        a.condition,
                        a.scheme_name,
                        a.subsidy,
                        a.deadline_ja(today)
                    )
                })
                .collect();
        }
        SettledView {
            view,
            subsidy_man: s.subsidy.format_man(),
            explanation: s
                .outcome
                .explanation
                .iter()
                .map(|e| (e.text.clone(), e.source.as_deref().and_then(public_source)))
                .collect(),
        }
    }

    /// The payback's view: its rows when the facility has costs and patients, else why not.
    pub fn payback(
        f: &FacilitySettlement,
        kind: FacilityType,
        entered: Option<Entered>,
        today: NaiveDate,
    ) -> PaybackView {
        let pharmacy = kind.is_pharmacy();
        let shown = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        let mut view = PaybackView {
            pharmacy,
            entered: entered
                .map(|e| {
                    vec![
                        ("first_visits".to_owned(), shown(e.first_visits)),
                        ("revisits".to_owned(), shown(e.revisits)),
                        ("prescriptions".to_owned(), shown(e.prescriptions)),
                    ]
                })
                .unwrap_or_default(),
            unavailable: None,
            self_burden: None,
            running_cost: None,
            rows: Vec::new(),
            assumptions: Vec::new(),
        };
        let (Some(costs), Some(self_burden)) = (&f.costs, f.self_burden()) else {
            view.unavailable = Some(match (&f.costs, &f.settlement) {
                (None, _) => "見積が登録されていないため、自己負担がわからず計算できません。見積書を登録してください。"
                    .to_owned(),
                (Some(_), Err(e)) => format!("補助額を計算できないため、投資回収も計算できません: {e}"),
                (Some(_), Ok(_)) => "補助額を計算できないため、投資回収も計算できません。".to_owned(),
            });
            return view;
        };
        let (running, running_notes) = costs.monthly_running_cost();
        view.self_burden = Some(self_burden.to_string());
        view.running_cost = Some(running.to_string());
        let Some(patients) =
            entered.filter(|e| if pharmacy { e.prescriptions.is_some() } else { e.first_visits.is_some() })
        else {
            view.unavailable = Some(if pharmacy {
                "処方箋を受け付ける月の患者数を入力すると、投資回収の見込みを計算します。".to_owned()
            } else {
                "月の初診・再診の患者数を入力すると、投資回収の見込みを計算します。".to_owned()
            });
            return view;
        };
        let input = PaybackInput {
            facility_type: kind,
            self_burden,
            monthly_running_cost: running,
            patients: patients.monthly(),
        };
        view.rows = rows_of(&input)
            .into_iter()
            .map(|r| PaybackRowView {
                fee_id: r.fee.id.to_owned(),
                name: r.fee.name_ja.to_owned(),
                points: points_ja(&r.fee, pharmacy),
                lower_points: r.fee.lower_points_ja.to_owned(),
                period: r.fee.period_ja(),
                ended: r.fee.valid_to.is_some_and(|to| to < today),
                source: r.fee.source.to_owned(),
                monthly_points: format!(
                    "{}点",
                    Yen::from_i64(i64::try_from(r.points).unwrap_or(i64::MAX)).format_plain()
                ),
                monthly_income: r.monthly_income.to_string(),
                running_cost: running.to_string(),
                monthly_net: r.monthly_net.to_string(),
                months: r.months,
                months_text: match (r.months, r.why_none) {
                    (Some(0), _) => "0か月（自己負担はありません）".to_owned(),
                    (Some(m), _) => months_ja(m),
                    (None, Some(why)) => why,
                    (None, None) => "計算できません".to_owned(),
                },
            })
            .collect();
        view.assumptions = assumptions(costs.basis.label_ja(), costs.quote_id, running, running_notes);
        view
    }

    /// Points per patient: 「初診 7点・再診 4点」, 「調剤 3点」.
    fn points_ja(fee: &FeeAddition, pharmacy: bool) -> String {
        if pharmacy {
            return match fee.dispensing_points {
                Some(p) => format!("調剤 {p}点"),
                None => "薬局の点数は出典で確認できません".to_owned(),
            };
        }
        if fee.revisit_points == 0 {
            format!("初診 {}点（再診の加算なし）", fee.first_visit_points)
        } else {
            format!("初診 {}点・再診 {}点", fee.first_visit_points, fee.revisit_points)
        }
    }

    /// 「27か月（2年3か月）」.
    fn months_ja(m: u64) -> String {
        match (m / 12, m % 12) {
            (0, _) => format!("{m}か月"),
            (y, 0) => format!("{m}か月（{y}年）"),
            (y, r) => format!("{m}か月（{y}年{r}か月）"),
        }
    }

    fn assumptions(basis: &str, quote_id: i64, running: Yen, running_notes: Vec<String>) -> Vec<String> {
        let mut out = vec![
            format!("回収する自己負担は、{basis}（見積 #{quote_id}）から計算した額です。"),
            "来院（来局）した患者は全員、加算の高い方の点数で算定できるものとして計算しています。低い点数になる場合は、その分だけ回収が遅くなります。".to_owned(),
            "加算は患者1人につき月1回として数えています。同じ月に何度来院（来局）しても1人です。".to_owned(),
            format!("1点＝{YEN_PER_POINT}円で計算しています。"),
            format!(
                "毎月の運用費用（保守・回線使用料など）は、同じ見積の行から月{running}（税込）として差し引いています。"
            ),
            "期間が終わった加算は、その点数が続いた場合の目安です。".to_owned(),
        ];
        out.extend(running_notes.into_iter().map(|n| format!("{n}。")));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::patients::count;
    use crate::public_source::public_source;

    #[test]
    fn a_source_names_the_public_document_and_never_a_file_of_the_repository() {
        assert_eq!(
            public_source("seeds/003_bb373fb805f0f64e.txt（補助内容の表）; domain.md（千円未満切り捨て）").as_deref(),
            Some("厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）（補助内容の表）")
        );
        assert_eq!(
            public_source("中医協 2022-08-10 報告; seeds/004_a9677b5c1fb6a8f2.txt").as_deref(),
            Some(
                "中医協 総会（令和4年8月10日）資料／日本医事新報／福岡県医師会「オンライン資格確認システム導入支援基礎セミナー」（令和5年2月6日）"
            )
        );
        assert_eq!(public_source("domain.md（千円未満切り捨て）"), None);
    }

    #[test]
    fn counts_of_patients_are_whole_numbers_from_zero_to_a_million_as_people_type_them() {
        for (typed, n) in [("0", 0), ("120", 120), (" 1,200 ", 1_200), ("１２０", 120), ("1000000", 1_000_000)] {
            assert_eq!(count("初診の患者数（月）", typed), Ok(n), "{typed:?}");
        }
    }

    #[test]
    fn a_bad_count_is_refused_with_what_to_type_instead() {
        for (typed, says) in [
            ("", "を入力してください"),
            ("  ", "を入力してください"),
            ("-3", "0から1,000,000までの整数"),
            ("12.5", "0から1,000,000までの整数"),
            ("百", "0から1,000,000までの整数"),
            ("1000001", "1,000,000以下"),
            ("99999999999999999999999", "1,000,000以下"),
        ] {
            let message = count("初診の患者数（月）", typed).expect_err(typed);
            assert!(message.starts_with("初診の患者数（月）"), "{typed:?}: {message}");
            assert!(message.contains(says), "{typed:?}: {message}");
        }
    }
}
