//! `onshi subsidy`: the subsidy calculation for scripts and support staff.

use crate::config::SubsidyArgs;
use rules::scheme::Catalog;
use rules::subsidy::{InputError, Outcome, SubsidyInput, WhatIf, calculate, what_if_applied_on};
use rules::{Yen, format_wareki_with_western};
use serde::Serialize;

/// The JSON document printed with `--json`.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    outcome: &'a Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    what_if: Option<WhatIfReport<'a>>,
}

#[derive(Serialize)]
struct WhatIfReport<'a> {
    reader_applied_on: chrono::NaiveDate,
    scheme: Option<&'a str>,
    subsidy: Yen,
    difference: Yen,
}

impl SubsidyArgs {
    fn to_input(&self) -> SubsidyInput {
        SubsidyInput {
            facility_type: self.facility_type,
            programme: self.programme,
            readers: self.readers,
            reader_applied_on: Some(self.reader_applied_on),
            model_undecided: self.facts.model_undecided,
            model_chosen_on: self.facts.model_chosen_on,
            bulk_declared_on: self.facts.bulk_declared_on,
            vendor_contract_on: self.facts.vendor_contract_on,
            completed_on: self.facts.completed_on,
            operation_started_on: self.facts.operation_started_on,
            grace_type: self.facts.grace_type,
            eligible_cost: self.eligible_cost,
        }
    }
}

/// Runs the calculation and renders it as text or JSON.
pub fn run(args: &SubsidyArgs) -> Result<String, InputError> {
    let catalog = Catalog::builtin();
    let input = args.to_input();
    let outcome = calculate(catalog, &input)?;
    let what_if = args.what_if_applied_on.map(|day| what_if_applied_on(catalog, &input, day)).transpose()?;
    if args.json {
        let report = Report {
            outcome: &outcome,
            what_if: what_if.as_ref().map(|w| WhatIfReport {
                reader_applied_on: w.reader_applied_on,
                scheme: w.outcome.scheme.as_deref(),
                subsidy: w.outcome.subsidy,
                difference: w.difference,
            }),
        };
        // Serialising plain data cannot fail; keep the message if it ever does.
        return Ok(serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")));
    }
    Ok(render_text(&outcome, what_if.as_ref()))
}

fn render_text(o: &Outcome, what_if: Option<&WhatIf>) -> String {
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
    lines.push(format!("補助対象経費: {}", o.eligible_cost));
    lines.push(format!("補助額: {}（{}）", o.subsidy, o.subsidy.format_man()));
    if let Some(diff) = o.difference_paid {
        lines.push(format!("うち差額の追加支給: {diff}"));
    }
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
    if let Some(w) = what_if {
        let sign = if w.difference.is_negative() { "" } else { "+" };
        lines.push(format!(
            "もし {} に申し込んでいたら: 補助額 {}（差 {sign}{}）",
            format_wareki_with_western(w.reader_applied_on),
            w.outcome.subsidy,
            w.difference
        ));
    }
    if !o.warnings.is_empty() {
        lines.push("注意:".to_owned());
        lines.extend(o.warnings.iter().map(|w| format!("  - {}", w.message)));
    }
    lines.push("計算の根拠:".to_owned());
    lines.extend(o.explanation.iter().enumerate().map(|(i, s)| format!("  {}. {}", i + 1, s.to_line())));
    lines.join("\n")
}
