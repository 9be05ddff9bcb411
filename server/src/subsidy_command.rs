//! `onshi subsidy`: the subsidy calculation for scripts and support staff.
//!
//! It goes through `rules::settlement::settle`, as the pages and documents do, so the same facts
//! and costs give the same subsidy and 自己負担 (with its three parts) everywhere.

use crate::config::SubsidyArgs;
use rules::provisioning::ProvisioningFacts;
use rules::scheme::Catalog;
use rules::settlement::{Alternative, CostSummary, Settlement, settle};
use rules::subsidy::{InputError, Outcome, SubsidyInput, WhatIf, what_if_applied_on};
use rules::{Yen, format_wareki_with_western};
use serde::Serialize;

/// The JSON document printed with `--json`: the outcome's fields (scheme, rate, cap, subsidy,
/// `eligible_not_subsidised`, conditions, explanation…), then the 自己負担 and its parts.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    outcome: &'a Outcome,
    /// Everything paid: eligible cost + not covered.
    total_paid: Yen,
    /// 自己負担 = total_paid − subsidy = not_covered + above_cap + rate_share.
    self_burden: Yen,
    not_covered: Yen,
    above_cap: Yen,
    rate_share: Yen,
    assumptions: &'a [String],
    alternatives: Vec<AlternativeReport<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    what_if: Option<WhatIfReport<'a>>,
}

#[derive(Serialize)]
struct AlternativeReport<'a> {
    #[serde(flatten)]
    alternative: &'a Alternative,
    /// The alternative in one Japanese sentence, with its deadline as of today.
    sentence: String,
}

#[derive(Serialize)]
struct WhatIfReport<'a> {
    reader_applied_on: chrono::NaiveDate,
    scheme: Option<&'a str>,
    subsidy: Yen,
    difference: Yen,
    self_burden: Yen,
}

impl SubsidyArgs {
    /// The facility's facts as the rules take them.
    fn to_facts(&self) -> ProvisioningFacts {
        self.facts.provisioning(self.facility_type, self.readers, self.reader_applied_on)
    }

    /// The calculation's input: the facts, with the readers and programme as given (the
    /// calculation itself refuses more readers than the free count, naming it).
    fn to_input(&self) -> SubsidyInput {
        SubsidyInput {
            readers: self.readers,
            programme: self.programme,
            ..self.to_facts().subsidy_input(self.eligible_cost)
        }
    }
}

/// Why `onshi subsidy` calculated nothing.
#[derive(Debug, thiserror::Error)]
pub enum SubsidyCommandError {
    /// The calculation refused the facts.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Dates in an impossible order (`rules::date_order`), each naming both dates.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" / "))]
    DatesOutOfOrder(Vec<rules::date_order::DateConflict>),
}

/// Runs the calculation and renders it as text or JSON.
pub fn run(args: &SubsidyArgs) -> Result<String, SubsidyCommandError> {
    let catalog = Catalog::builtin();
    let input = args.to_input();
    let out_of_order = args.to_facts().date_conflicts(None);
    if !out_of_order.is_empty() {
        return Err(SubsidyCommandError::DatesOutOfOrder(out_of_order));
    }
    let costs = CostSummary::of_figures(args.eligible_cost, args.not_covered);
    let s = settle(catalog, &input, &costs)?;
    let what_if = args.what_if_applied_on.map(|day| what_if_applied_on(catalog, &input, day)).transpose()?;
    let today = app::ssr::context::today();
    if args.json {
        let report = Report {
            outcome: &s.outcome,
            total_paid: s.costs.total,
            self_burden: s.self_burden,
            not_covered: s.not_covered,
            above_cap: s.above_cap,
            rate_share: s.rate_share,
            assumptions: &s.assumptions,
            alternatives: s
                .alternatives
                .iter()
                .map(|a| AlternativeReport { alternative: a, sentence: a.sentence(today) })
                .collect(),
            what_if: what_if.as_ref().map(|w| WhatIfReport {
                reader_applied_on: w.reader_applied_on,
                scheme: w.outcome.scheme.as_deref(),
                subsidy: w.outcome.subsidy,
                difference: w.difference,
                self_burden: s.costs.total - w.outcome.subsidy,
            }),
        };
        // Serialising plain data cannot fail; keep the message if it ever does.
        return Ok(serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")));
    }
    Ok(render_text(&s, what_if.as_ref(), today))
}

fn render_text(s: &Settlement, what_if: Option<&WhatIf>, today: chrono::NaiveDate) -> String {
    let o = &s.outcome;
    let mut lines = Vec::new();
    match (&o.scheme_name, &o.scheme) {
        (Some(name), Some(id)) => lines.push(format!("制度: {name} [{id}]")),
        _ => lines.push("制度: 該当なし".to_owned()),
    }
    if let Some(route) = &o.route {
        lines.push(format!("条件: {route}"));
    }
    lines.push(format!("補助率: {}", o.rate.label_ja()));
    lines.push(format!("基準とする事業額: {}（{}）", o.cap, o.cap.format_man()));
    lines.push(format!("補助対象経費: {}", s.costs.eligible));
    lines.push(format!("補助対象外の費用: {}", s.costs.not_covered_total()));
    lines.push(format!("支払総額: {}", s.costs.total));
    lines.push(format!("補助額: {}（{}）", s.subsidy, s.subsidy.format_man()));
    if let Some(diff) = o.difference_paid {
        lines.push(format!("うち差額の追加支給: {diff}"));
    }
    lines.push(format!("自己負担: {}（支払総額 − 補助額）", s.self_burden));
    lines.push(format!("  うち補助対象外の費用: {}", s.not_covered));
    lines.push(format!("  うち上限を超える補助対象経費: {}", s.above_cap));
    lines.push(format!("  うち補助率により残る額: {}", s.rate_share));
    lines.push(format!("補助対象経費のうち補助されない額: {}", o.eligible_not_subsidised));
    if let Some(d) = o.complete_by {
        lines.push(format!("導入完了期限: {}", format_wareki_with_western(d)));
    }
    if let Some(d) = o.apply_by {
        lines.push(format!("交付申請期限: {}", format_wareki_with_western(d)));
    }
    if !o.eligible {
        lines.push("判定: 補助の対象外".to_owned());
    }
    if !o.conditions.is_empty() {
        lines.push("制度の条件:".to_owned());
        lines.extend(o.conditions.iter().map(|c| {
            let mark = if c.met { "○" } else { "×" };
            let source = c.source.as_deref().map(|src| format!("（出典: {src}）")).unwrap_or_default();
            format!("  {mark} {}{source}", c.text)
        }));
    }
    if !s.assumptions.is_empty() {
        lines.push("計算の前提:".to_owned());
        lines.extend(s.assumptions.iter().map(|a| format!("  - {a}")));
    }
    if !s.alternatives.is_empty() {
        lines.push("日付によっては:".to_owned());
        lines.extend(s.alternatives.iter().map(|a| format!("  - {}", a.sentence(today))));
    }
    if let Some(w) = what_if {
        let sign = if w.difference.is_negative() { "" } else { "+" };
        lines.push(format!(
            "もし {} に申し込んでいたら: 補助額 {}（差 {sign}{}）、自己負担 {}",
            format_wareki_with_western(w.reader_applied_on),
            w.outcome.subsidy,
            w.difference,
            s.costs.total - w.outcome.subsidy
        ));
    }
    if !o.warnings.is_empty() {
        lines.push("注意:".to_owned());
        lines.extend(o.warnings.iter().map(|w| format!("  - {}", w.message)));
    }
    lines.push("計算の根拠:".to_owned());
    lines.extend(o.explanation.iter().enumerate().map(|(i, step)| format!("  {}. {}", i + 1, step.to_line())));
    lines.join("\n")
}
