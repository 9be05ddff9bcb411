//! The 交付申請 package: what a facility applies for once the work is done and paid, or why it
//! cannot apply yet and what to do.
//!
//! The subsidy is paid after the fact (精算払い): the facility applies when the installation is
//! finished and the vendor paid, attaching 領収書(写), an itemised 領収書内訳書 and the
//! オンライン資格確認等事業完了報告書; the portal computes the 補助金申請額 from the 総事業費
//! (domain.md, "The real subsidy application", from the portal FAQ).

use crate::audit::ComputedTotals;
use crate::category::{Category, Eligibility};
use crate::provisioning::ProvisioningFacts;
use crate::scheme::Catalog;
use crate::settlement::{CostSummary, Settlement, settle};
use crate::subsidy::Outcome;
use crate::{FacilityType, GraceType, Rate, Yen, format_wareki_with_western};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod receipt;
mod status;
mod stored;
pub use receipt::{ReceiptBreakdown, ReceiptLine, SHARED_COST_RULE, reason_ja, split_shared, with_shared};
pub use status::{ApplicationStatus, UnknownApplicationStatus};
pub use stored::BurdenParts;

/// Where the rule that the subsidy is applied for after payment comes from, as people read it
/// (the portal FAQ post-9; domain.md "The real subsidy application").
pub const PAYMENT_FIRST_SOURCE: &str =
    "医療機関等向け総合ポータルサイト FAQ「オンライン資格確認関係補助金申請について」";

/// The 備考 line saying the subsidy is paid after the fact and what is attached.
pub fn payment_first_note() -> String {
    format!(
        "補助金は工事完了・支払の後に申請します（精算払い）。領収書(写)・領収書内訳書(写)・事業完了報告書を添付します（出典: {PAYMENT_FIRST_SOURCE}）"
    )
}

/// One itemised cost, as paid (a quote line or an actual cost entered by hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    /// 費目.
    pub category: Category,
    /// 品名・内容.
    pub description: String,
    /// 金額; negative for a discount. Tax as the costs say ([`FinalCosts::tax_inclusive`]).
    pub amount: Yen,
}

/// What the facility finally paid for the installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalCosts {
    /// The itemised costs.
    pub lines: Vec<CostLine>,
    /// Amounts include consumption tax.
    pub tax_inclusive: bool,
    /// The day the vendor was paid (the 領収書's date); None: not paid yet.
    pub paid_on: Option<NaiveDate>,
    /// Who was paid (the vendor), for the 領収書内訳書.
    pub payee: Option<String>,
}

/// Who applies: printed at the head of every document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// 医療機関名.
    pub name: String,
    /// 医療機関コード (10 digits).
    pub facility_code: String,
    /// 施設区分.
    pub facility_type: FacilityType,
    /// 都道府県, in Japanese.
    pub prefecture: String,
    /// 所在地.
    pub address: String,
    /// 開設者: the corporation, else the facility itself (as typed on the application form).
    pub founder: String,
    /// 代表者の氏名 (理事長, 院長 …); empty on packages prepared before it was asked.
    #[serde(default)]
    pub representative_name: String,
    /// 代表者の役職.
    #[serde(default)]
    pub representative_title: String,
    /// 連絡先の電話番号.
    #[serde(default)]
    pub phone: String,
    /// 連絡先のご担当者.
    #[serde(default)]
    pub contact_person: String,
}

/// What is asked: the facility's facts, its final costs, the readers it claims and the day it applies.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Reader application, milestones and 猶予.
    pub facts: &'a ProvisioningFacts,
    /// The final costs.
    pub costs: &'a FinalCosts,
    /// Readers the application counts for the cap (基準とする事業額 grows with them for hospitals).
    pub readers_claimed: u8,
    /// 申請日.
    pub applied_on: NaiveDate,
}

/// Why an application cannot be made; stable codes for CSV, JSON and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// No reader application recorded.
    NoReaderApplication,
    /// More readers claimed than the free entitlement or than were applied for.
    ReadersBeyondEntitlement,
    /// No 導入完了日.
    NotCompleted,
    /// 導入完了 after the deadline without an accepted 猶予.
    CompletedAfterDeadline,
    /// No 運用開始日.
    NoOperationStart,
    /// The costs are not marked paid.
    CostsNotPaid,
    /// Dates in an impossible order (`date_order`): a completion, operation start or payment
    /// after the 申請日, a contract before the reader application, ….
    DatesOutOfOrder,
    /// 申請日 after the apply-by date.
    AppliedAfterDeadline,
    /// No scheme the facility qualifies for.
    NoScheme,
    /// Nothing eligible to apply for.
    NoEligibleCost,
    /// The facts cannot be calculated (e.g. a 機種未定 model chosen before the application).
    InvalidFacts,
}

impl RefusalCode {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            RefusalCode::NoReaderApplication => "no_reader_application",
            RefusalCode::ReadersBeyondEntitlement => "readers_beyond_entitlement",
            RefusalCode::NotCompleted => "not_completed",
            RefusalCode::CompletedAfterDeadline => "completed_after_deadline",
            RefusalCode::NoOperationStart => "no_operation_start",
            RefusalCode::CostsNotPaid => "costs_not_paid",
            RefusalCode::DatesOutOfOrder => "dates_out_of_order",
            RefusalCode::AppliedAfterDeadline => "applied_after_deadline",
            RefusalCode::NoScheme => "no_scheme",
            RefusalCode::NoEligibleCost => "no_eligible_cost",
            RefusalCode::InvalidFacts => "invalid_facts",
        }
    }
}

/// One reason an application is refused, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Stable code.
    pub code: RefusalCode,
    /// Why, in Japanese.
    pub reason: String,
    /// What to do, in Japanese.
    pub remedy: String,
}

impl Refusal {
    fn new(code: RefusalCode, reason: impl Into<String>, remedy: impl Into<String>) -> Self {
        Refusal { code, reason: reason.into(), remedy: remedy.into() }
    }
}

/// A category's total in the 内訳.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTotal {
    /// 費目.
    pub category: Category,
    /// How the subsidy treats it.
    pub eligibility: Eligibility,
    /// Sum of its lines (tax as the costs say).
    pub amount: Yen,
}

/// A cost line of the 領収書内訳書 with how the subsidy treats it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageLine {
    /// 費目.
    pub category: Category,
    /// 品名・内容.
    pub description: String,
    /// 金額.
    pub amount: Yen,
    /// Counted in the eligible cost.
    pub eligible: bool,
}

/// Everything the 交付申請書, 領収書内訳書 and 事業完了報告書 say; kept as prepared, so a
/// submitted application reads the same later whatever changes afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Who applies.
    pub applicant: Applicant,
    /// 申請日.
    pub applied_on: NaiveDate,
    /// Scheme id.
    pub scheme_id: String,
    /// Its Japanese name.
    pub scheme_name: String,
    /// Its source.
    pub scheme_source: String,
    /// The condition under which the facility qualified.
    pub route: String,
    /// False when the scheme or its rate is not confirmed by a source.
    pub verified: bool,
    /// 補助率.
    pub rate: Rate,
    /// 基準とする事業額.
    pub cap: Yen,
    /// Readers counted for the cap.
    pub readers: u8,
    /// Amounts include tax.
    pub tax_inclusive: bool,
    /// Sum of the lines.
    pub subtotal: Yen,
    /// Consumption tax (inside the subtotal when tax-inclusive).
    pub tax: Yen,
    /// 総事業費: everything paid, tax included.
    pub total_cost: Yen,
    /// 補助対象経費, tax included.
    pub eligible_cost: Yen,
    /// 補助金申請額.
    pub subsidy: Yen,
    /// 自己負担額: 総事業費 − 補助金申請額 = not_covered + above_cap + rate_share.
    pub self_burden: Yen,
    /// (a) of the 自己負担: costs the subsidy does not cover, tax included.
    #[serde(default)]
    pub not_covered: Yen,
    /// (b): eligible cost above the cap.
    #[serde(default)]
    pub above_cap: Yen,
    /// (c): the part of the eligible cost within the cap the rate leaves.
    #[serde(default)]
    pub rate_share: Yen,
    /// Totals by category, in the order of domain.md's categories.
    pub breakdown: Vec<CategoryTotal>,
    /// The itemised lines.
    pub lines: Vec<PackageLine>,
    /// Who was paid.
    pub payee: Option<String>,
    /// カードリーダー申込日.
    pub reader_applied_on: Option<NaiveDate>,
    /// ベンダー契約日.
    pub vendor_contract_on: Option<NaiveDate>,
    /// 導入完了日.
    pub completed_on: NaiveDate,
    /// 運用開始日.
    pub operation_started_on: NaiveDate,
    /// 支払日.
    pub paid_on: NaiveDate,
    /// Accepted 猶予届出.
    pub grace: Option<GraceType>,
    /// 導入完了期限.
    pub complete_by: Option<NaiveDate>,
    /// 交付申請期限.
    pub apply_by: Option<NaiveDate>,
    /// Remarks: warnings and the calculation, each with its source.
    pub notes: Vec<String>,
}

/// Checks a request against the rules and prepares the package, or returns every reason it is
/// refused (all of them, so that the facility fixes everything at once).
pub fn prepare(catalog: &Catalog, applicant: Applicant, req: Request<'_>) -> Result<Package, Vec<Refusal>> {
    let facts = req.facts;
    let kind = facts.facility_type;
    let mut refusals = Vec::new();

    if facts.reader_applied_on.is_none() {
        refusals.push(Refusal::new(
            RefusalCode::NoReaderApplication,
            "顔認証付きカードリーダーの申込が登録されていません",
            "「導入の進捗」画面でカードリーダーの申込日と台数を登録してください",
        ));
    }
    let free = kind.free_readers();
    if req.readers_claimed == 0 || req.readers_claimed > free || req.readers_claimed > facts.readers.max(1) {
        refusals.push(Refusal::new(
            RefusalCode::ReadersBeyondEntitlement,
            format!(
                "補助対象として申請するカードリーダーが{}台です。{}の無償提供は{}台まで、この施設の申込は{}台です",
                req.readers_claimed,
                kind.label_ja(),
                free,
                facts.readers
            ),
            format!(
                "台数を1台以上{}台以下にしてください。無償提供を超える台数は自己負担で、補助の対象になりません（病院3台まで、その他1台。出典: 日本医師会 通知（令和3年3月）別添1「加速化プラン」を踏まえた追加的な財政補助（令和2年11月17日公表））",
                free.min(facts.readers.max(1))
            ),
        ));
    }
    if facts.completed_on.is_none() {
        refusals.push(Refusal::new(
            RefusalCode::NotCompleted,
            "導入完了日が登録されていません。補助金は工事の完了と支払の後に申請します（精算払い）",
            "導入作業が完了したら、「導入の進捗」画面で導入完了日を登録してください",
        ));
    }
    if facts.operation_started_on.is_none() {
        refusals.push(Refusal::new(
            RefusalCode::NoOperationStart,
            "運用開始日が登録されていません。事業完了報告書には運用開始日が必要です",
            "ポータルサイトで運用開始日を入力したうえで、「導入の進捗」画面に運用開始日を登録してください",
        ));
    }
    if req.costs.paid_on.is_none() {
        refusals.push(Refusal::new(
            RefusalCode::CostsNotPaid,
            "費用が支払済みになっていません。補助金は支払の後に、領収書(写)を添えて申請します（精算払い）",
            "ベンダーへの支払が済んだら、施設の画面の「補助金の交付申請」欄で、その見積の「支払済みにする」から領収書の日付を登録してください",
        ));
    }
    // Every date the package prints, in a possible order (the 申請日 after payment, completion
    // and operation start; the contract not before the reader application, …).
    let dated = ProvisioningFacts { subsidy_applied_on: Some(req.applied_on), ..facts.clone() };
    for c in dated.date_conflicts(req.costs.paid_on) {
        refusals.push(Refusal::new(RefusalCode::DatesOutOfOrder, c.problem_ja(), c.remedy_ja()));
    }

    let lines: Vec<PackageLine> = req
        .costs
        .lines
        .iter()
        .map(|l| PackageLine {
            category: l.category,
            description: l.description.clone(),
            amount: l.amount,
            eligible: l.category.eligibility() == Eligibility::Eligible,
        })
        .collect();
    let totals = ComputedTotals::of(lines.iter().map(|l| (l.amount, l.eligible)), req.costs.tax_inclusive);
    let costs = CostSummary::of_lines(lines.iter().map(|l| (l.category, l.amount)), req.costs.tax_inclusive);
    if totals.eligible_total <= Yen::ZERO {
        refusals.push(Refusal::new(
            RefusalCode::NoEligibleCost,
            "補助対象となる費用がありません（資格確認端末、ネットワーク整備、システム改修などの費目が0円です）",
            "費用の各行の費目を確認してください。「その他」の行は補助対象に数えていません",
        ));
    }

    let mut input = facts.subsidy_input(totals.eligible_total);
    input.readers = req.readers_claimed.clamp(1, free);
    let settlement = match settle(catalog, &input, &costs) {
        Ok(s) => Some(s),
        Err(e) => {
            refusals.push(Refusal::new(
                RefusalCode::InvalidFacts,
                e.to_string(),
                "「導入の進捗」画面で登録内容を直してください",
            ));
            None
        }
    };
    if let Some(s) = &settlement {
        outcome_refusals(&s.outcome, facts, req.applied_on, &mut refusals);
    }
    let (Some(settlement), true) = (settlement, refusals.is_empty()) else {
        return Err(refusals);
    };
    let outcome = &settlement.outcome;
    let (Some(completed_on), Some(operation_started_on), Some(paid_on)) =
        (facts.completed_on, facts.operation_started_on, req.costs.paid_on)
    else {
        unreachable!("a missing date is refused above");
    };
    Ok(Package {
        applicant,
        applied_on: req.applied_on,
        scheme_id: outcome.scheme.clone().unwrap_or_default(),
        scheme_name: outcome.scheme_name.clone().unwrap_or_default(),
        scheme_source: outcome.scheme_source.clone().unwrap_or_default(),
        route: outcome.route.clone().unwrap_or_default(),
        verified: outcome.verified,
        rate: outcome.rate,
        cap: outcome.cap,
        readers: input.readers,
        tax_inclusive: req.costs.tax_inclusive,
        subtotal: totals.subtotal,
        tax: totals.tax,
        total_cost: totals.total,
        eligible_cost: totals.eligible_total,
        subsidy: settlement.subsidy,
        self_burden: settlement.self_burden,
        not_covered: settlement.not_covered,
        above_cap: settlement.above_cap,
        rate_share: settlement.rate_share,
        breakdown: breakdown(&lines),
        notes: notes(&settlement, &lines),
        lines,
        payee: req.costs.payee.clone(),
        reader_applied_on: facts.reader_applied_on,
        vendor_contract_on: facts.vendor_contract_on,
        completed_on,
        operation_started_on,
        paid_on,
        grace: facts.accepted_grace(),
        complete_by: outcome.complete_by,
        apply_by: outcome.apply_by,
    })
}

/// Refusals that follow from the calculation: no scheme, completion or application too late.
fn outcome_refusals(o: &Outcome, facts: &ProvisioningFacts, applied_on: NaiveDate, refusals: &mut Vec<Refusal>) {
    if o.scheme.is_none() {
        let why: Vec<String> = o.explanation.iter().skip(1).map(|s| s.text.clone()).collect();
        refusals.push(Refusal::new(
            RefusalCode::NoScheme,
            format!("条件を満たす補助制度がありません: {}", why.join("／")),
            "カードリーダーの申込日などの登録内容を確認してください",
        ));
        return;
    }
    if let (Some(done), Some(by)) = (facts.completed_on, o.complete_by)
        && done > by
    {
        let remedy = match &facts.grace {
            Some(g) if !g.accepted => format!(
                "猶予届出（{}）が受理されていません。地方厚生局に受理された場合は「導入の進捗」画面で受理済みにしてください",
                g.kind
            ),
            _ => "受理された猶予届出（類型1・4・5・6）がある場合は「導入の進捗」画面で登録してください。ない場合、この補助は受けられません".to_owned(),
        };
        refusals.push(Refusal::new(
            RefusalCode::CompletedAfterDeadline,
            format!(
                "導入完了日（{}）が期限（{}）を過ぎています",
                format_wareki_with_western(done),
                format_wareki_with_western(by)
            ),
            remedy,
        ));
    }
    if let Some(by) = o.apply_by
        && applied_on > by
    {
        refusals.push(Refusal::new(
            RefusalCode::AppliedAfterDeadline,
            format!(
                "申請日（{}）が交付申請の期限（{}）を過ぎています",
                format_wareki_with_western(applied_on),
                format_wareki_with_western(by)
            ),
            "期限内に申請した場合はその日を申請日にしてください。期限を過ぎた申請は受け付けられません",
        ));
    }
}

/// Category totals in the order of [`Category::ALL`], only categories with lines.
fn breakdown(lines: &[PackageLine]) -> Vec<CategoryTotal> {
    Category::ALL
        .into_iter()
        .filter_map(|c| {
            let mut of_category = lines.iter().filter(|l| l.category == c).peekable();
            of_category.peek()?;
            Some(CategoryTotal {
                category: c,
                eligibility: c.eligibility(),
                amount: of_category.map(|l| l.amount).sum(),
            })
        })
        .collect()
}

/// The remarks printed with the package: what was left out, warnings, then the calculation.
fn notes(settlement: &Settlement, lines: &[PackageLine]) -> Vec<String> {
    let o = &settlement.outcome;
    let mut notes = Vec::new();
    let left_out: Vec<&str> = lines
        .iter()
        .filter(|l| !l.eligible && l.amount > Yen::ZERO)
        .map(|l| l.category.label_ja())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !left_out.is_empty() {
        notes.push(format!(
            "補助対象外として除いた費目: {}（無償提供品・運用経費・未分類は補助対象経費に含めません）",
            left_out.join("、")
        ));
    }
    notes.extend(o.warnings.iter().map(|w| w.message.clone()));
    notes.extend(o.explanation.iter().map(|s| s.to_line()));
    let parts = BurdenParts {
        not_covered: settlement.not_covered,
        above_cap: settlement.above_cap,
        rate_share: settlement.rate_share,
    };
    notes.push(burden_note(settlement.self_burden, parts, settlement.costs.total, settlement.subsidy));
    notes.push(payment_first_note());
    notes
}

/// The 備考 line of the 自己負担: its parts, then how it is reached from the totals.
fn burden_note(self_burden: Yen, parts: BurdenParts, total: Yen, subsidy: Yen) -> String {
    format!(
        "{}（総事業費 {total} − 補助金申請額 {subsidy}）",
        crate::settlement::burden_line(self_burden, parts.not_covered, parts.above_cap, parts.rate_share)
    )
}
