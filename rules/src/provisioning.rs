//! 導入状況 and deadlines: where a facility stands on its way to 運用開始, what it must do next, by when, and what missing it costs.
//!
//! The seven stages are those of seeds/002 (「医療機関・薬局への導入支援・働きかけ」
//! 進捗状況). Every deadline date comes from the scheme catalog
//! (`rules/data/schemes.json`) or from [`crate::subsidy`], which already
//! applies the deadline revisions and the 猶予届出 extensions; the only date
//! this module knows itself is the start of 原則義務化 ([`OBLIGATION_START`]),
//! which is a rule of the 療担規則, not of a subsidy scheme.

use crate::date_order::{self, DateConflict, DateField};
use crate::readers::{self, DELIVERY_MONTHS};
use crate::scheme::{Catalog, Programme, Scheme};
use crate::subsidy::{self, InputError, Outcome, SubsidyInput};
use crate::{FacilityType, GraceType, Yen, format_wareki};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("a rule constant is not a date"),
    }
}

/// First day of 原則義務化: from this day a facility that bills online must
/// be able to check eligibility online; facilities allowed paper billing
/// (紙レセプト) are exempt.
///
/// Source: seeds/004_a9677b5c1fb6a8f2.txt (「令和５年４月１日以降、保険医療機関は…
/// オンライン資格確認によって受給資格の確認を行わなければならず」「現在紙レセプトでの
/// 請求が認められている保険医療機関は、原則義務化は例外」; 療担規則の改正、令和５年４月施行);
/// domain.md (From 2023-04-01 オン資 is mandatory (原則義務化) for facilities that bill online).
/// Not in the catalog because it is a rule of the 療担規則, not of a subsidy scheme.
pub const OBLIGATION_START: NaiveDate = ymd(2023, 4, 1);

/// Source of [`OBLIGATION_START`] and of the paper-billing exemption, shown with the deadline.
pub const OBLIGATION_SOURCE: &str = "seeds/004_a9677b5c1fb6a8f2.txt（原則義務化の内容: 令和５年４月１日以降…、紙レセプトでの請求が認められている保険医療機関は原則義務化は例外）; domain.md（原則義務化）";

/// A deadline this many days away or fewer (and not yet met) is [`DeadlineStatus::DueSoon`].
///
/// Source: issue 6 (the "next deadline" banner) — a product choice, not a rule
/// of any seed: a month is about the shortest time in which a facility can
/// still act (ask a vendor, file on the portal).
pub const DUE_SOON_DAYS: i64 = 30;

/// Why a reader must be applied for months before completion.
const READER_LEAD_SOURCE: &str = "seeds/002_5f7084ac66d79285.txt（顔認証付きカードリーダーは受注生産となっており、申込から配送まで４ヶ月程度必要; 遅くとも９月頃までのカードリーダー申込が必要）";

/// One of the seven 導入状況 of seeds/002, in the order a facility goes through them.
///
/// Source: seeds/002_5f7084ac66d79285.txt, slide 「医療機関・薬局への導入支援・働きかけ」
/// (進捗状況: ポータルサイト未登録 → ポータルサイト登録済（カードリーダ未申込） →
/// カードリーダ申込済（ベンダ未発注） → ベンダ発注済（導入作業未着手） → 導入作業中 →
/// 導入作業完了（運用未着手） → 運用開始). The blockers facilities gave per stage
/// are in `seed/blocker_reasons.json` under the same codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// ポータルサイト未登録: not yet registered on the 医療機関等向けポータルサイト.
    PortalUnregistered,
    /// ポータルサイト登録済・カードリーダー未申込.
    PortalRegistered,
    /// カードリーダー申込済・ベンダ未発注.
    ReaderApplied,
    /// ベンダ発注済・導入作業未着手.
    VendorOrdered,
    /// 導入作業中.
    Installing,
    /// 導入作業完了・運用未着手.
    Installed,
    /// 運用開始: the facility registered its 運用開始日 on the portal (seeds/002).
    Operating,
}

impl Stage {
    /// Every stage, in order (seeds/002).
    pub const ALL: [Stage; 7] = [
        Stage::PortalUnregistered,
        Stage::PortalRegistered,
        Stage::ReaderApplied,
        Stage::VendorOrdered,
        Stage::Installing,
        Stage::Installed,
        Stage::Operating,
    ];

    /// The stable code used in the database, JSON and CSV (the same as serde's).
    pub fn code(self) -> &'static str {
        match self {
            Stage::PortalUnregistered => "portal_unregistered",
            Stage::PortalRegistered => "portal_registered",
            Stage::ReaderApplied => "reader_applied",
            Stage::VendorOrdered => "vendor_ordered",
            Stage::Installing => "installing",
            Stage::Installed => "installed",
            Stage::Operating => "operating",
        }
    }

    /// The Japanese name shown to users (seeds/002).
    pub fn label_ja(self) -> &'static str {
        match self {
            Stage::PortalUnregistered => "ポータルサイト未登録",
            Stage::PortalRegistered => "ポータルサイト登録済・カードリーダー未申込",
            Stage::ReaderApplied => "カードリーダー申込済・ベンダ未発注",
            Stage::VendorOrdered => "ベンダ発注済・導入作業未着手",
            Stage::Installing => "導入作業中",
            Stage::Installed => "導入作業完了・運用未着手",
            Stage::Operating => "運用開始",
        }
    }

    /// Position in [`Stage::ALL`], 0 (ポータルサイト未登録) to 6 (運用開始).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The stage that follows, or `None` for 運用開始.
    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A stage code that is not one of the seven.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "導入状況 {0:?} はありません（portal_unregistered, portal_registered, reader_applied, vendor_ordered, installing, installed, operating のいずれか）"
)]
pub struct UnknownStage(pub String);

impl FromStr for Stage {
    type Err = UnknownStage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL.into_iter().find(|t| t.code() == s).ok_or_else(|| UnknownStage(s.to_owned()))
    }
}

/// A 猶予届出 (経過措置) the facility filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grace {
    /// 類型1–6.
    pub kind: GraceType,
    /// Whether the 地方厚生局 accepted it; only an accepted one extends deadlines.
    pub accepted: bool,
    /// The end of the grace when the facility knows it (types 2, 4 and 6 have
    /// no fixed day in the catalog); otherwise the catalog's `until` is used.
    pub until: Option<NaiveDate>,
}

/// What a facility did and when: the input of [`deadlines`] and [`obligation_status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningFacts {
    /// 施設区分.
    pub facility_type: FacilityType,
    /// Readers applied for (0 before the application). Readers beyond the
    /// free entitlement are at the facility's own cost and outside the subsidy.
    pub readers: u8,
    /// Bills online (オンライン請求); false for facilities allowed paper billing,
    /// which are exempt from 原則義務化 ([`OBLIGATION_SOURCE`]).
    pub online_billing: bool,
    /// Reader application date.
    pub reader_applied_on: Option<NaiveDate>,
    /// Applied as 機種未定 (seeds/001).
    pub model_undecided: bool,
    /// When the model was chosen (機種未定 only).
    pub model_chosen_on: Option<NaiveDate>,
    /// When the corporation's 一括申請 declaration was filed.
    pub bulk_declared_on: Option<NaiveDate>,
    /// Vendor contract (発注) date.
    pub vendor_contract_on: Option<NaiveDate>,
    /// 導入完了 date.
    pub completed_on: Option<NaiveDate>,
    /// 運用開始日 as registered on the portal.
    pub operation_started_on: Option<NaiveDate>,
    /// 交付申請 (subsidy application) date. Not in the brief of issue 6, but
    /// without it the application deadline could never be met.
    pub subsidy_applied_on: Option<NaiveDate>,
    /// The 猶予届出 filed, if any.
    pub grace: Option<Grace>,
    /// The stage the facility recorded.
    pub stage: Stage,
}

impl ProvisioningFacts {
    /// A facility that has done nothing yet: no dates, no readers, ポータルサイト未登録.
    /// Fill the rest with struct-update syntax (`..ProvisioningFacts::new(…)`).
    pub fn new(facility_type: FacilityType, online_billing: bool) -> Self {
        ProvisioningFacts {
            facility_type,
            readers: 0,
            online_billing,
            reader_applied_on: None,
            model_undecided: false,
            model_chosen_on: None,
            bulk_declared_on: None,
            vendor_contract_on: None,
            completed_on: None,
            operation_started_on: None,
            subsidy_applied_on: None,
            grace: None,
            stage: Stage::PortalUnregistered,
        }
    }

    /// The furthest stage the dates prove: 運用開始日 ⇒ 運用開始, 導入完了日 ⇒
    /// 導入作業完了, a vendor contract ⇒ ベンダ発注済, a reader application (or a
    /// model chosen for one) ⇒ カードリーダー申込済. No date proves ポータルサイト
    /// 登録済 or 導入作業中, so those never come from the dates alone.
    pub fn stage_implied(&self) -> Stage {
        if self.operation_started_on.is_some() {
            Stage::Operating
        } else if self.completed_on.is_some() {
            Stage::Installed
        } else if self.vendor_contract_on.is_some() {
            Stage::VendorOrdered
        } else if self.reader_applied_on.is_some() || self.model_chosen_on.is_some() {
            Stage::ReaderApplied
        } else {
            Stage::PortalUnregistered
        }
    }

    /// The recorded stage, or the one the dates prove when that is further:
    /// a recorded stage behind its own dates is a stale record.
    pub fn effective_stage(&self) -> Stage {
        self.stage.max(self.stage_implied())
    }

    /// The 猶予 type that counts for deadlines: only an accepted 届出.
    pub fn accepted_grace(&self) -> Option<GraceType> {
        self.grace.as_ref().filter(|g| g.accepted).map(|g| g.kind)
    }

    /// The input of [`subsidy::calculate`] for these facts and an eligible cost.
    ///
    /// The reader count is clamped to 1..=the free entitlement: extra readers
    /// are at the facility's own cost (readers.rs), and before the application
    /// (0 readers) the estimate is for the one reader every facility gets.
    pub fn subsidy_input(&self, eligible_cost: Yen) -> SubsidyInput {
        SubsidyInput {
            facility_type: self.facility_type,
            programme: Programme::Standard,
            readers: subsidised_readers(self.facility_type, self.readers),
            reader_applied_on: self.reader_applied_on,
            model_undecided: self.model_undecided,
            model_chosen_on: self.model_chosen_on,
            bulk_declared_on: self.bulk_declared_on,
            vendor_contract_on: self.vendor_contract_on,
            completed_on: self.completed_on,
            operation_started_on: self.operation_started_on,
            grace_type: self.accepted_grace(),
            eligible_cost,
        }
    }

    /// Whether [`subsidy::calculate`] accepts these facts (e.g. a 機種未定 model
    /// chosen before the application is refused). [`deadlines`] leaves out the
    /// subsidy deadlines of facts it refuses, so forms should check first.
    pub fn check(&self, catalog: &Catalog) -> Result<(), InputError> {
        subsidy::calculate(catalog, &self.subsidy_input(Yen::ZERO)).map(|_| ())
    }

    /// The facility's dates as [`date_order::conflicts`] takes them, with a payment day.
    pub fn dated(&self, paid_on: Option<NaiveDate>) -> Vec<(DateField, Option<NaiveDate>)> {
        vec![
            (DateField::ReaderApplied, self.reader_applied_on),
            (DateField::ModelChosen, self.model_chosen_on.filter(|_| self.model_undecided)),
            (DateField::VendorContract, self.vendor_contract_on),
            (DateField::Completed, self.completed_on),
            (DateField::OperationStarted, self.operation_started_on),
            (DateField::Paid, paid_on),
            (DateField::SubsidyApplied, self.subsidy_applied_on),
        ]
    }

    /// Dates of these facts in an impossible order (reader application ≤ vendor contract ≤
    /// completion ≤ operation start; payment not before the order; 交付申請 after them all).
    pub fn date_conflicts(&self, paid_on: Option<NaiveDate>) -> Vec<DateConflict> {
        date_order::conflicts(&self.dated(paid_on))
    }

    /// Whether the facility operates on `today`: its 運用開始日 has come, or,
    /// without a date, it recorded the stage 運用開始.
    fn is_operating(&self, today: NaiveDate) -> bool {
        self.operation_started_on.map_or(self.stage == Stage::Operating, |d| d <= today)
    }

    /// The day 導入完了 is proven by: the 導入完了日, else a 運用開始日 (operation
    /// needs completed work, seeds/002) when that alone proves the deadline met.
    fn completion_proof(&self, due: NaiveDate) -> Option<NaiveDate> {
        self.completed_on.or(self.operation_started_on.filter(|d| *d <= due))
    }
}

fn subsidised_readers(kind: FacilityType, requested: u8) -> u8 {
    readers::entitlement(kind, requested).free.max(1)
}

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Choose the reader model of a 機種未定 application (seeds/001).
    ModelChoice,
    /// Sign the vendor contract (2022 revision route; 猶予類型1).
    VendorContract,
    /// Apply for the reader early enough to finish by the completion deadline (seeds/002).
    ReaderApplication,
    /// 導入完了 (補助事業完了期限).
    Completion,
    /// 交付申請.
    SubsidyApplication,
    /// File a 猶予届出 with the 地方厚生局.
    GraceFiling,
    /// Operate by the start of 原則義務化 (or the end of an accepted 猶予).
    Obligation,
}

impl DeadlineKind {
    /// Every kind, in the order used to break ties between deadlines on the same day.
    pub const ALL: [DeadlineKind; 7] = [
        DeadlineKind::ModelChoice,
        DeadlineKind::VendorContract,
        DeadlineKind::ReaderApplication,
        DeadlineKind::Completion,
        DeadlineKind::SubsidyApplication,
        DeadlineKind::GraceFiling,
        DeadlineKind::Obligation,
    ];

    /// Stable code (the same as serde's).
    pub fn code(self) -> &'static str {
        match self {
            DeadlineKind::ModelChoice => "model_choice",
            DeadlineKind::VendorContract => "vendor_contract",
            DeadlineKind::ReaderApplication => "reader_application",
            DeadlineKind::Completion => "completion",
            DeadlineKind::SubsidyApplication => "subsidy_application",
            DeadlineKind::GraceFiling => "grace_filing",
            DeadlineKind::Obligation => "obligation",
        }
    }

    /// Short Japanese name.
    pub fn label_ja(self) -> &'static str {
        match self {
            DeadlineKind::ModelChoice => "機種選定",
            DeadlineKind::VendorContract => "ベンダー契約",
            DeadlineKind::ReaderApplication => "カードリーダー申込",
            DeadlineKind::Completion => "導入完了",
            DeadlineKind::SubsidyApplication => "補助金の交付申請",
            DeadlineKind::GraceFiling => "猶予届出",
            DeadlineKind::Obligation => "原則義務化",
        }
    }
}

impl fmt::Display for DeadlineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Done on or before the due day.
    Met,
    /// Not done, more than [`DUE_SOON_DAYS`] days left.
    Upcoming,
    /// Not done, at most [`DUE_SOON_DAYS`] days left (the due day itself included).
    DueSoon,
    /// Past due and not done, or done after the due day.
    Missed,
}

impl DeadlineStatus {
    /// The status of a deadline `due` whose fact happened on `done`, seen on `today`.
    ///
    /// A fact dated after the due day is Missed even if `today` is earlier:
    /// that deadline can no longer be met.
    pub fn of(due: NaiveDate, done: Option<NaiveDate>, today: NaiveDate) -> DeadlineStatus {
        match done {
            Some(d) if d <= due => DeadlineStatus::Met,
            Some(_) => DeadlineStatus::Missed,
            None if today > due => DeadlineStatus::Missed,
            None if (due - today).num_days() <= DUE_SOON_DAYS => DeadlineStatus::DueSoon,
            None => DeadlineStatus::Upcoming,
        }
    }

    /// Stable code (the same as serde's).
    pub fn code(self) -> &'static str {
        match self {
            DeadlineStatus::Met => "met",
            DeadlineStatus::Upcoming => "upcoming",
            DeadlineStatus::DueSoon => "due_soon",
            DeadlineStatus::Missed => "missed",
        }
    }

    /// Japanese name.
    pub fn label_ja(self) -> &'static str {
        match self {
            DeadlineStatus::Met => "対応済み",
            DeadlineStatus::Upcoming => "期限前",
            DeadlineStatus::DueSoon => "期限間近",
            DeadlineStatus::Missed => "期限切れ",
        }
    }
}

/// One deadline of a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// What it is for.
    pub kind: DeadlineKind,
    /// Last day.
    pub due: NaiveDate,
    /// Where it stands on the day asked.
    pub status: DeadlineStatus,
    /// What to do, in Japanese.
    pub label_ja: String,
    /// What missing it costs, in yen where computable (at the subsidy cap).
    pub consequence_ja: Option<String>,
    /// Where the date comes from (seed file, catalog entry or URL).
    pub source: String,
}

/// The subsidy at the cap, and the scheme deadlines, for one set of facts.
struct Context<'a> {
    catalog: &'a Catalog,
    facts: &'a ProvisioningFacts,
    /// 基準とする事業額 for the type and readers: the eligible cost at which
    /// "what missing it costs" is stated, since the real cost is not known here.
    cap: Yen,
}

impl<'a> Context<'a> {
    fn new(catalog: &'a Catalog, facts: &'a ProvisioningFacts) -> Self {
        let readers = subsidised_readers(facts.facility_type, facts.readers);
        // The caps of all standard schemes are the same table (seeds/001, 003);
        // the largest is taken so that a later scheme with a higher cap counts.
        let cap = catalog
            .schemes
            .iter()
            .filter(|s| s.programme == Programme::Standard)
            .filter_map(|s| s.cap_for(facts.facility_type, readers))
            .max()
            .unwrap_or(Yen::ZERO);
        Context { catalog, facts, cap }
    }

    /// [`subsidy::calculate`] at the cap on the facts changed by `edit`.
    fn at_cap(&self, edit: impl FnOnce(&mut SubsidyInput)) -> Option<Outcome> {
        let mut input = self.facts.subsidy_input(self.cap);
        edit(&mut input);
        subsidy::calculate(self.catalog, &input).ok()
    }

    /// The subsidy at the cap if the work were finished in time: what a
    /// missed completion or application loses.
    fn subsidy_if_in_time(&self) -> Option<Yen> {
        self.at_cap(|i| i.completed_on = None).map(|o| o.subsidy)
    }

    /// How much more the subsidy at the cap is with `kept` than with `lost`
    /// applied to the facts (completion left open so that only the scheme differs).
    fn difference(&self, kept: impl FnOnce(&mut SubsidyInput), lost: impl FnOnce(&mut SubsidyInput)) -> Option<Yen> {
        let with = self.at_cap(|i| {
            i.completed_on = None;
            kept(i);
        })?;
        let without = self.at_cap(|i| {
            i.completed_on = None;
            lost(i);
        })?;
        Some(with.subsidy - without.subsidy)
    }

    fn standard_schemes(&self) -> impl Iterator<Item = &'a Scheme> {
        self.catalog.schemes.iter().filter(|s| s.programme == Programme::Standard)
    }
}

/// 「（補助上限の場合 X円）」, or nothing when the amount is unknown or zero.
fn at_cap_note(prefix: &str, amount: Option<Yen>) -> String {
    match amount {
        Some(a) if a > Yen::ZERO => format!("（補助上限の場合 {prefix}{a}）"),
        _ => String::new(),
    }
}

fn model_choice(ctx: &Context<'_>, today: NaiveDate) -> Option<Deadline> {
    let facts = ctx.facts;
    if !facts.model_undecided {
        return None;
    }
    // The 機種未定 route whose application window holds the facility's date.
    let (scheme, route, due) = ctx
        .standard_schemes()
        .flat_map(|s| s.routes.iter().map(move |r| (s, r)))
        .filter(|(_, r)| r.model_undecided == Some(true))
        .filter(|(_, r)| r.reader_applied.is_none_or(|w| facts.reader_applied_on.is_none_or(|d| w.contains(d))))
        .filter_map(|(s, r)| r.model_chosen_by.map(|by| (s, r, by)))
        .min_by_key(|(_, _, by)| *by)?;
    let difference = ctx.difference(|i| i.model_chosen_on = Some(due), |i| i.model_chosen_on = None);
    let consequence = match difference {
        Some(d) if d == Yen::ZERO => {
            "申込はキャンセル扱いとなります（他の条件で追加補助の対象のため、補助額は変わりません）".to_owned()
        }
        _ => format!(
            "申込はキャンセル扱いとなり、追加補助（実費補助）を受けられません{}",
            at_cap_note("差額 ", difference)
        ),
    };
    Some(Deadline {
        kind: DeadlineKind::ModelChoice,
        due,
        status: DeadlineStatus::of(due, facts.model_chosen_on, today),
        label_ja: "「機種未定」で申し込んだカードリーダーの機種選定".to_owned(),
        consequence_ja: Some(consequence),
        source: route.source.clone().unwrap_or_else(|| scheme.source.clone()),
    })
}

/// One reason a vendor contract is due by a day.
struct ContractReason {
    due: NaiveDate,
    /// Whose condition it is, in Japanese.
    why: String,
    /// What missing it costs.
    consequence: String,
    source: String,
}

fn vendor_contract(ctx: &Context<'_>, today: NaiveDate) -> Vec<Deadline> {
    let facts = ctx.facts;
    let mut reasons: Vec<ContractReason> = Vec::new();
    if let Some(applied) = facts.reader_applied_on {
        for s in ctx.standard_schemes() {
            for r in &s.routes {
                let Some(by) = r.vendor_contract_by else { continue };
                if !r.reader_applied.is_some_and(|w| w.contains(applied)) {
                    continue;
                }
                let difference = ctx.difference(|i| i.vendor_contract_on = Some(by), |i| i.vendor_contract_on = None);
                let consequence = match difference {
                    Some(d) if d == Yen::ZERO => {
                        format!("「{}」の条件を満たしません（この施設区分では補助額は変わりません）", s.name_ja)
                    }
                    _ => format!(
                        "「{}」の対象外となり、通常の補助率で計算されます{}",
                        s.name_ja,
                        at_cap_note("差額 ", difference)
                    ),
                };
                reasons.push(ContractReason {
                    due: by,
                    why: format!("「{}」の条件", s.name_ja),
                    consequence,
                    source: r.source.clone().unwrap_or_else(|| s.source.clone()),
                });
            }
        }
    }
    if let Some(g) = &facts.grace
        && let Some(info) = ctx.catalog.grace_type(g.kind)
        && let Some(by) = info.vendor_contract_by
    {
        reasons.push(ContractReason {
            due: by,
            why: format!("猶予届出 {}（{}）の条件", g.kind, info.name_ja),
            consequence: format!(
                "猶予届出 {}（{}）の要件（期限までの契約書または発注書）を満たしません",
                g.kind, info.name_ja
            ),
            source: ctx.catalog.grace_source.clone(),
        });
    }
    // One deadline per day: a single contract meets every reason due that day.
    let mut days: Vec<NaiveDate> = reasons.iter().map(|r| r.due).collect();
    days.sort_unstable();
    days.dedup();
    days.into_iter()
        .map(|due| {
            let same: Vec<&ContractReason> = reasons.iter().filter(|r| r.due == due).collect();
            let join =
                |f: fn(&ContractReason) -> &str, sep: &str| same.iter().map(|r| f(r)).collect::<Vec<_>>().join(sep);
            Deadline {
                kind: DeadlineKind::VendorContract,
                due,
                status: DeadlineStatus::of(due, facts.vendor_contract_on, today),
                label_ja: format!("システム事業者（ベンダー）との契約（{}）", join(|r| &r.why, "／")),
                consequence_ja: Some(join(|r| &r.consequence, "。")),
                source: join(|r| &r.source, "; "),
            }
        })
        .collect()
}

/// Where a scheme deadline comes from: the scheme's own, or the revisions that moved it.
fn deadline_source(catalog: &Catalog, scheme: &Scheme, original: Option<NaiveDate>, actual: NaiveDate) -> String {
    if original == Some(actual) {
        return scheme.deadline_source.clone().unwrap_or_else(|| scheme.source.clone());
    }
    let revisions: Vec<&str> = catalog
        .deadline_revisions
        .iter()
        .filter(|r| r.applies_to.contains(&scheme.id))
        .map(|r| r.source.as_str())
        .collect();
    if revisions.is_empty() { scheme.source.clone() } else { revisions.join("; ") }
}

/// The deadlines that follow from the scheme the facility falls under.
fn scheme_deadlines(ctx: &Context<'_>, today: NaiveDate) -> Vec<Deadline> {
    let (catalog, facts) = (ctx.catalog, ctx.facts);
    let mut out = Vec::new();
    // With the accepted 猶予 (extended deadlines) and without (the deadline
    // a 猶予届出 is needed for).
    let Some(with) = ctx.at_cap(|_| {}) else { return out };
    let Some(scheme) = with.scheme.as_deref().and_then(|id| catalog.scheme(id)) else { return out };
    let base_complete_by = ctx.at_cap(|i| i.grace_type = None).and_then(|o| o.complete_by);
    let in_time = ctx.subsidy_if_in_time();

    let Some(complete_by) = with.complete_by else { return out };
    let extended = base_complete_by.is_some_and(|b| b != complete_by);

    if let Some(due) = subsidy::latest_reader_application(complete_by) {
        out.push(Deadline {
            kind: DeadlineKind::ReaderApplication,
            due,
            status: DeadlineStatus::of(due, facts.reader_applied_on, today),
            label_ja: format!(
                "顔認証付きカードリーダーの申込（受注生産で配送まで約{DELIVERY_MONTHS}か月。導入完了期限 {} に間に合わせる目安）",
                format_wareki(complete_by)
            ),
            consequence_ja: Some(format!(
                "導入完了期限（{}）までに導入を終えられないおそれがあります。間に合わなければ補助を受けられません{}",
                format_wareki(complete_by),
                at_cap_note("", in_time)
            )),
            source: format!(
                "{READER_LEAD_SOURCE}; {}",
                deadline_source(catalog, scheme, scheme.complete_by, complete_by)
            ),
        });
    }

    let completion_status = DeadlineStatus::of(complete_by, facts.completion_proof(complete_by), today);
    out.push(Deadline {
        kind: DeadlineKind::Completion,
        due: complete_by,
        status: completion_status,
        label_ja: match facts.accepted_grace() {
            Some(g) if extended => format!("導入完了（受理された猶予届出 {g} により延長された補助事業の完了期限）"),
            _ => "導入完了（補助事業の完了期限）".to_owned(),
        },
        consequence_ja: Some(format!("補助の対象外となります{}", at_cap_note("", in_time))),
        source: deadline_source(catalog, scheme, scheme.complete_by, complete_by),
    });

    // Work finished late gets no subsidy at all, so an application deadline
    // would only mislead.
    if completion_status != DeadlineStatus::Missed
        && let Some(apply_by) = with.apply_by
    {
        out.push(Deadline {
            kind: DeadlineKind::SubsidyApplication,
            due: apply_by,
            status: DeadlineStatus::of(apply_by, facts.subsidy_applied_on, today),
            label_ja: "補助金の交付申請（導入完了・支払い後、領収書・内訳書・事業完了報告書を添付）".to_owned(),
            consequence_ja: Some(format!("補助金を受け取れません{}", at_cap_note("", in_time))),
            source: deadline_source(catalog, scheme, scheme.apply_by, apply_by),
        });
    }

    // A 猶予届出 is needed only by online-billing facilities (paper billing is
    // exempt from the obligation) that did not finish by the original deadline.
    if facts.online_billing
        && let Some(base) = base_complete_by
        && facts.completion_proof(base).is_none_or(|c| c > base)
    {
        let due = catalog.grace_filing_deadline;
        let extending: Vec<String> = catalog
            .deadline_revisions
            .iter()
            .filter(|r| r.applies_to.contains(&scheme.id))
            .flat_map(|r| r.grace.iter().flat_map(|e| e.grace_types.iter()))
            .map(|g| g.number().to_string())
            .collect();
        let subsidy_part = if extending.is_empty() {
            String::new()
        } else {
            format!(
                "。導入完了が{}より後になると、補助{}も受けられません（補助の期限が延びるのは類型{}のみ）",
                format_wareki(base),
                at_cap_note("", in_time),
                extending.join("・")
            )
        };
        out.push(Deadline {
            kind: DeadlineKind::GraceFiling,
            due,
            // The 届出 carries no date here: one on record (accepted or
            // pending) was filed through the portal, whose window closed on the due day.
            status: if facts.grace.is_some() { DeadlineStatus::Met } else { DeadlineStatus::of(due, None, today) },
            label_ja: "猶予届出（経過措置）の提出（ポータルサイトから地方厚生局へ）".to_owned(),
            consequence_ja: Some(format!(
                "猶予が受けられず、{}からの原則義務化を満たせません{subsidy_part}",
                format_wareki(OBLIGATION_START)
            )),
            source: catalog.grace_source.clone(),
        });
    }
    out
}

/// The end of an accepted 猶予: the facility's own date, else the catalog's for the type.
fn grace_until(catalog: &Catalog, grace: &Grace) -> Option<NaiveDate> {
    grace.until.or_else(|| catalog.grace_type(grace.kind).and_then(|g| g.until))
}

fn obligation(catalog: &Catalog, facts: &ProvisioningFacts, today: NaiveDate) -> Option<Deadline> {
    if !facts.online_billing {
        return None;
    }
    let (due, label, source) = match facts.grace.as_ref().filter(|g| g.accepted) {
        // A 猶予 without a fixed end (類型2, 4, 6) has no date to show.
        Some(g) => (
            grace_until(catalog, g)?,
            format!("オンライン資格確認の運用開始（猶予届出 {} の期限）", g.kind),
            catalog.grace_source.clone(),
        ),
        None => {
            (OBLIGATION_START, "オンライン資格確認の運用開始（原則義務化）".to_owned(), OBLIGATION_SOURCE.to_owned())
        }
    };
    Some(Deadline {
        kind: DeadlineKind::Obligation,
        due,
        status: DeadlineStatus::of(due, facts.operation_started_on, today),
        label_ja: label,
        consequence_ja: Some(
            "療養担当規則に基づく原則義務化を満たしていない状態になります（オンライン請求を行う施設）".to_owned(),
        ),
        source,
    })
}

/// Every deadline of the facility, with its status on `today`, sorted by due
/// day (ties in [`DeadlineKind::ALL`] order).
///
/// Which ones appear: model choice only for 機種未定; vendor contract when the
/// reader date falls in a route that requires one (2022 revision) or the 猶予
/// is 類型1; reader application, completion and subsidy application from the
/// scheme [`subsidy::calculate`] picks (an accepted 猶予 of 類型1/4/5/6 extends
/// them; no application deadline once completion is missed); the 猶予届出 for
/// online-billing facilities not finished by the original completion deadline;
/// the obligation for online-billing facilities. Facts that
/// [`subsidy::calculate`] refuses (see [`ProvisioningFacts::check`]) get no
/// scheme deadlines.
pub fn deadlines(catalog: &Catalog, facts: &ProvisioningFacts, today: NaiveDate) -> Vec<Deadline> {
    let ctx = Context::new(catalog, facts);
    let mut out: Vec<Deadline> = Vec::new();
    out.extend(model_choice(&ctx, today));
    out.extend(vendor_contract(&ctx, today));
    out.extend(scheme_deadlines(&ctx, today));
    out.extend(obligation(catalog, facts, today));
    out.sort_by_key(|d| (d.due, d.kind));
    out
}

/// The deadline for the banner: the earliest not met, missed ones first.
pub fn next_deadline(catalog: &Catalog, facts: &ProvisioningFacts, today: NaiveDate) -> Option<Deadline> {
    next_of(&deadlines(catalog, facts, today))
}

/// [`next_deadline`] among deadlines already computed (each computes the subsidy).
pub fn next_of(deadlines: &[Deadline]) -> Option<Deadline> {
    deadlines
        .iter()
        .filter(|d| d.status != DeadlineStatus::Met)
        .min_by_key(|d| (d.status != DeadlineStatus::Missed, d.due, d.kind))
        .cloned()
}

/// Where a facility stands with 原則義務化 on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ObligationStatus {
    /// Before [`OBLIGATION_START`], not yet operating.
    NotYet,
    /// Allowed paper billing: not under the obligation (seeds/004).
    Exempt,
    /// Operating.
    Met,
    /// Not operating, with an accepted 猶予 that has not ended.
    Grace {
        /// 類型.
        kind: GraceType,
        /// End of the 猶予, when a fixed day is known.
        until: Option<NaiveDate>,
    },
    /// Obliged, not operating, no 猶予 in force.
    Overdue,
}

impl ObligationStatus {
    /// Stable code (the same as serde's `status`).
    pub fn code(self) -> &'static str {
        match self {
            ObligationStatus::NotYet => "not_yet",
            ObligationStatus::Exempt => "exempt",
            ObligationStatus::Met => "met",
            ObligationStatus::Grace { .. } => "grace",
            ObligationStatus::Overdue => "overdue",
        }
    }

    /// The status in Japanese, e.g. 「猶予中（類型1、令和5年9月30日まで）」.
    pub fn label_ja(self) -> String {
        match self {
            ObligationStatus::NotYet => format!("原則義務化の開始前（{}から）", format_wareki(OBLIGATION_START)),
            ObligationStatus::Exempt => "原則義務化の対象外（紙レセプトでの請求）".to_owned(),
            ObligationStatus::Met => "対応済み（運用開始）".to_owned(),
            ObligationStatus::Grace { kind, until: Some(u) } => format!("猶予中（{kind}、{}まで）", format_wareki(u)),
            ObligationStatus::Grace { kind, until: None } => format!("猶予中（{kind}、期限は類型の条件による）"),
            ObligationStatus::Overdue => format!("未対応（{}から原則義務化）", format_wareki(OBLIGATION_START)),
        }
    }
}

/// Where the facility stands with 原則義務化 on `today`.
///
/// Checked in this order: paper billing ⇒ Exempt (for good); operating ⇒ Met
/// (even before the start: it already complies); an accepted 猶予 not yet
/// ended ⇒ Grace (its end from the facts, else the catalog's type); before
/// [`OBLIGATION_START`] ⇒ NotYet; otherwise Overdue.
pub fn obligation_status(catalog: &Catalog, facts: &ProvisioningFacts, today: NaiveDate) -> ObligationStatus {
    if !facts.online_billing {
        return ObligationStatus::Exempt;
    }
    if facts.is_operating(today) {
        return ObligationStatus::Met;
    }
    if let Some(g) = facts.grace.as_ref().filter(|g| g.accepted) {
        let until = grace_until(catalog, g);
        if until.is_none_or(|u| today <= u) {
            return ObligationStatus::Grace { kind: g.kind, until };
        }
    }
    if today < OBLIGATION_START { ObligationStatus::NotYet } else { ObligationStatus::Overdue }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cat() -> &'static Catalog {
        Catalog::builtin()
    }

    fn grace(n: u8, accepted: bool) -> Option<Grace> {
        Some(Grace { kind: GraceType::new(n).unwrap(), accepted, until: None })
    }

    /// A clinic that applied for its reader on `applied`, billing online.
    fn clinic(applied: &str) -> ProvisioningFacts {
        ProvisioningFacts {
            readers: 1,
            reader_applied_on: Some(d(applied)),
            stage: Stage::ReaderApplied,
            ..ProvisioningFacts::new(FacilityType::MedicalClinic, true)
        }
    }

    fn find(list: &[Deadline], kind: DeadlineKind) -> Option<&Deadline> {
        list.iter().find(|x| x.kind == kind)
    }

    fn the(facts: &ProvisioningFacts, today: &str, kind: DeadlineKind) -> Deadline {
        let list = deadlines(cat(), facts, d(today));
        find(&list, kind).unwrap_or_else(|| panic!("no {kind} in {list:#?}")).clone()
    }

    #[test]
    fn the_seven_stages_are_in_the_order_of_seed_002_with_stable_codes() {
        let codes: Vec<&str> = Stage::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            [
                "portal_unregistered",
                "portal_registered",
                "reader_applied",
                "vendor_ordered",
                "installing",
                "installed",
                "operating"
            ]
        );
        for (i, s) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(s.code().parse::<Stage>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.code()));
            assert_eq!(s.next(), Stage::ALL.get(i + 1).copied());
        }
        assert_eq!(Stage::Operating.next(), None);
        assert_eq!(Stage::PortalRegistered.label_ja(), "ポータルサイト登録済・カードリーダー未申込");
        assert!("operational".parse::<Stage>().unwrap_err().to_string().contains("operating"));
    }

    #[test]
    fn the_stage_codes_are_those_of_the_blocker_reasons_seed() {
        let json: serde_json::Value = serde_json::from_str(include_str!("../../seed/blocker_reasons.json")).unwrap();
        let codes: Vec<&str> = json["stages"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
        let ours: Vec<&str> = Stage::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ours);
    }

    #[test]
    fn the_implied_stage_is_the_furthest_the_dates_prove() {
        let base = ProvisioningFacts::new(FacilityType::Pharmacy, true);
        let cases: [(&str, ProvisioningFacts, Stage); 6] = [
            ("nothing", base.clone(), Stage::PortalUnregistered),
            (
                "reader",
                ProvisioningFacts { reader_applied_on: Some(d("2022-01-01")), ..base.clone() },
                Stage::ReaderApplied,
            ),
            (
                "model",
                ProvisioningFacts { model_chosen_on: Some(d("2021-05-01")), ..base.clone() },
                Stage::ReaderApplied,
            ),
            (
                "contract",
                ProvisioningFacts { vendor_contract_on: Some(d("2022-02-01")), ..base.clone() },
                Stage::VendorOrdered,
            ),
            ("completed", ProvisioningFacts { completed_on: Some(d("2022-03-01")), ..base.clone() }, Stage::Installed),
            (
                "operating",
                ProvisioningFacts {
                    reader_applied_on: Some(d("2022-01-01")),
                    operation_started_on: Some(d("2022-04-01")),
                    ..base.clone()
                },
                Stage::Operating,
            ),
        ];
        for (name, facts, stage) in cases {
            assert_eq!(facts.stage_implied(), stage, "{name}");
        }
        let stale = ProvisioningFacts { stage: Stage::PortalRegistered, completed_on: Some(d("2022-03-01")), ..base };
        assert_eq!(stale.effective_stage(), Stage::Installed);
        let ahead = ProvisioningFacts { stage: Stage::Installing, ..stale.clone() };
        assert_eq!(ahead.effective_stage(), Stage::Installed);
    }

    #[test]
    fn statuses_switch_on_the_exact_days() {
        let due = d("2023-03-31");
        let cases = [
            (None, "2023-02-28", DeadlineStatus::Upcoming), // 31 days left
            (None, "2023-03-01", DeadlineStatus::DueSoon),  // 30 days left
            (None, "2023-03-31", DeadlineStatus::DueSoon),  // the due day itself
            (None, "2023-04-01", DeadlineStatus::Missed),
            (Some("2023-03-31"), "2024-01-01", DeadlineStatus::Met),
            (Some("2023-04-01"), "2024-01-01", DeadlineStatus::Missed),
            (Some("2023-04-01"), "2023-01-01", DeadlineStatus::Missed), // done late, whatever today
        ];
        for (done, today, expected) in cases {
            assert_eq!(DeadlineStatus::of(due, done.map(d), d(today)), expected, "{done:?} on {today}");
        }
    }

    fn undecided_clinic(chosen: Option<&str>) -> ProvisioningFacts {
        ProvisioningFacts { model_undecided: true, model_chosen_on: chosen.map(d), ..clinic("2021-03-15") }
    }

    #[test]
    fn the_model_choice_deadline_is_june_30_2021_and_its_miss_costs_the_extra_subsidy_in_yen() {
        let cases = [
            (Some("2021-06-30"), "2021-08-01", DeadlineStatus::Met),
            (Some("2021-07-01"), "2021-08-01", DeadlineStatus::Missed),
            (None, "2021-07-01", DeadlineStatus::Missed),
            (None, "2021-06-30", DeadlineStatus::DueSoon),
            (None, "2021-05-31", DeadlineStatus::DueSoon), // 30 days left
            (None, "2021-05-30", DeadlineStatus::Upcoming),
        ];
        for (chosen, today, status) in cases {
            let dl = the(&undecided_clinic(chosen), today, DeadlineKind::ModelChoice);
            assert_eq!((dl.due, dl.status), (d("2021-06-30"), status), "{chosen:?} on {today}");
        }
        // Clinic at the cap: 実費 429,000円 against 3/4 → 321,750 → 321,000円.
        let dl = the(&undecided_clinic(Some("2021-07-01")), "2021-08-01", DeadlineKind::ModelChoice);
        assert_eq!(
            dl.consequence_ja.as_deref(),
            Some("申込はキャンセル扱いとなり、追加補助（実費補助）を受けられません（補助上限の場合 差額 108,000円）")
        );
        assert!(dl.source.contains("seeds/001"), "{}", dl.source);
        // Hospital, one reader: 2,101,000 against 1/2 → 1,050,000円.
        let hospital = ProvisioningFacts { facility_type: FacilityType::Hospital, ..undecided_clinic(None) };
        let dl = the(&hospital, "2021-08-01", DeadlineKind::ModelChoice);
        assert!(dl.consequence_ja.unwrap().ends_with("差額 1,051,000円）"));
    }

    #[test]
    fn a_bulk_declaration_keeps_the_extra_subsidy_when_the_model_choice_is_missed() {
        let facts = ProvisioningFacts { bulk_declared_on: Some(d("2021-03-20")), ..undecided_clinic(None) };
        let dl = the(&facts, "2021-08-01", DeadlineKind::ModelChoice);
        assert_eq!(dl.status, DeadlineStatus::Missed);
        assert!(dl.consequence_ja.unwrap().contains("補助額は変わりません"));
    }

    #[test]
    fn a_decided_application_has_no_model_choice_deadline() {
        assert!(find(&deadlines(cat(), &clinic("2021-03-15"), d("2021-05-01")), DeadlineKind::ModelChoice).is_none());
    }

    #[test]
    fn the_vendor_contract_deadline_applies_only_inside_the_2022_window() {
        let cases = [
            ("2022-06-06", None),
            ("2022-06-07", Some("2023-02-28")),
            ("2022-12-31", Some("2023-02-28")),
            ("2023-01-01", None),
        ];
        for (applied, due) in cases {
            let list = deadlines(cat(), &clinic(applied), d("2022-10-01"));
            assert_eq!(find(&list, DeadlineKind::VendorContract).map(|x| x.due), due.map(d), "{applied}");
        }
    }

    #[test]
    fn a_contract_on_february_28_meets_it_and_march_1_costs_the_2022_extra_in_yen() {
        let facts = |on: &str| ProvisioningFacts { vendor_contract_on: Some(d(on)), ..clinic("2022-07-01") };
        assert_eq!(the(&facts("2023-02-28"), "2023-05-01", DeadlineKind::VendorContract).status, DeadlineStatus::Met);
        let missed = the(&facts("2023-03-01"), "2023-05-01", DeadlineKind::VendorContract);
        assert_eq!(missed.status, DeadlineStatus::Missed);
        assert_eq!(
            missed.consequence_ja.as_deref(),
            Some(
                "「令和4年度の補助の見直し（実費補助の再開）」の対象外となり、通常の補助率で計算されます（補助上限の場合 差額 108,000円）"
            )
        );
        // Pharmacies: the revised rate is unverified and kept at 3/4, so nothing to lose.
        let pharmacy = ProvisioningFacts { facility_type: FacilityType::Pharmacy, ..facts("2023-03-01") };
        let dl = the(&pharmacy, "2023-05-01", DeadlineKind::VendorContract);
        assert!(dl.consequence_ja.unwrap().contains("補助額は変わりません"));
    }

    #[test]
    fn grace_type_1_requires_the_contract_and_shares_one_deadline_with_the_2022_route() {
        let facts = ProvisioningFacts { grace: grace(1, true), ..clinic("2022-07-01") };
        let list = deadlines(cat(), &facts, d("2023-02-01"));
        let contracts: Vec<&Deadline> = list.iter().filter(|x| x.kind == DeadlineKind::VendorContract).collect();
        assert_eq!(contracts.len(), 1, "{contracts:#?}");
        assert_eq!(contracts[0].due, d("2023-02-28"));
        assert!(contracts[0].label_ja.contains("類型1"), "{}", contracts[0].label_ja);
        assert!(contracts[0].label_ja.contains("令和4年度"), "{}", contracts[0].label_ja);
        // Outside the 2022 window the contract is still due, for the 猶予 alone.
        let early = ProvisioningFacts { grace: grace(1, false), ..clinic("2021-09-01") };
        let dl = the(&early, "2023-02-01", DeadlineKind::VendorContract);
        assert_eq!((dl.due, dl.status), (d("2023-02-28"), DeadlineStatus::DueSoon));
        assert!(dl.consequence_ja.unwrap().contains("要件"));
    }

    #[test]
    fn the_reader_must_be_applied_for_by_september_30_2022_to_finish_by_march_31_2023() {
        let cases = [("2022-09-30", DeadlineStatus::Met), ("2022-10-01", DeadlineStatus::Missed)];
        for (applied, status) in cases {
            let dl = the(&clinic(applied), "2022-11-01", DeadlineKind::ReaderApplication);
            assert_eq!((dl.due, dl.status), (d("2022-09-30"), status), "{applied}");
            assert!(dl.source.contains("seeds/002"));
        }
        let not_yet = ProvisioningFacts::new(FacilityType::DentalClinic, true);
        let dl = the(&not_yet, "2022-09-01", DeadlineKind::ReaderApplication);
        assert_eq!(dl.status, DeadlineStatus::DueSoon);
    }

    #[test]
    fn completion_on_march_31_2023_is_met_and_on_april_1_loses_the_subsidy_in_yen() {
        let facts = |on: &str| ProvisioningFacts {
            vendor_contract_on: Some(d("2022-12-01")),
            completed_on: Some(d(on)),
            ..clinic("2022-07-01")
        };
        let met = the(&facts("2023-03-31"), "2023-05-01", DeadlineKind::Completion);
        assert_eq!((met.due, met.status), (d("2023-03-31"), DeadlineStatus::Met));
        let missed = the(&facts("2023-04-01"), "2023-05-01", DeadlineKind::Completion);
        assert_eq!(missed.status, DeadlineStatus::Missed);
        // revision_2022: 実費 up to the clinic cap, 429,000円.
        assert_eq!(missed.consequence_ja.as_deref(), Some("補助の対象外となります（補助上限の場合 429,000円）"));
        // Finished late: no application deadline to show.
        assert!(
            find(&deadlines(cat(), &facts("2023-04-01"), d("2023-05-01")), DeadlineKind::SubsidyApplication).is_none()
        );
    }

    #[test]
    fn operation_before_the_deadline_proves_completion_without_a_completion_date() {
        let facts = ProvisioningFacts { operation_started_on: Some(d("2023-02-01")), ..clinic("2021-02-01") };
        assert_eq!(the(&facts, "2023-05-01", DeadlineKind::Completion).status, DeadlineStatus::Met);
    }

    #[test]
    fn the_application_deadline_is_september_30_2023_for_work_finished_by_march_31() {
        let facts = ProvisioningFacts { completed_on: Some(d("2023-03-31")), ..clinic("2021-02-01") };
        let dl = the(&facts, "2023-05-01", DeadlineKind::SubsidyApplication);
        assert_eq!((dl.due, dl.status), (d("2023-09-30"), DeadlineStatus::Upcoming));
        assert!(dl.source.contains("KB 05f77f41"), "{}", dl.source);
        // acceleration plan at the clinic cap: 429,000円.
        assert_eq!(dl.consequence_ja.as_deref(), Some("補助金を受け取れません（補助上限の場合 429,000円）"));
        let applied = ProvisioningFacts { subsidy_applied_on: Some(d("2023-09-30")), ..facts.clone() };
        assert_eq!(the(&applied, "2023-10-01", DeadlineKind::SubsidyApplication).status, DeadlineStatus::Met);
        assert_eq!(the(&facts, "2023-10-01", DeadlineKind::SubsidyApplication).status, DeadlineStatus::Missed);
    }

    #[test]
    fn an_accepted_grace_of_type_1_moves_completion_to_september_30_and_application_to_december_31() {
        let facts = ProvisioningFacts {
            vendor_contract_on: Some(d("2023-02-20")),
            grace: grace(1, true),
            ..clinic("2022-11-01")
        };
        let completion = the(&facts, "2023-05-01", DeadlineKind::Completion);
        assert_eq!((completion.due, completion.status), (d("2023-09-30"), DeadlineStatus::Upcoming));
        assert!(completion.label_ja.contains("類型1"), "{}", completion.label_ja);
        assert_eq!(the(&facts, "2023-05-01", DeadlineKind::SubsidyApplication).due, d("2023-12-31"));
        let cases = [("2023-09-30", DeadlineStatus::Met), ("2023-10-01", DeadlineStatus::Missed)];
        for (done, status) in cases {
            let f = ProvisioningFacts { completed_on: Some(d(done)), ..facts.clone() };
            assert_eq!(the(&f, "2023-11-01", DeadlineKind::Completion).status, status, "{done}");
        }
    }

    #[test]
    fn only_accepted_grace_of_types_1_4_5_6_extends_completion() {
        let cases =
            [(1, true, "2023-09-30"), (4, true, "2023-09-30"), (5, true, "2023-09-30"), (6, true, "2023-09-30")]
                .into_iter()
                .chain([(2, true, "2023-03-31"), (3, true, "2023-03-31"), (1, false, "2023-03-31")]);
        for (n, accepted, due) in cases {
            let facts = ProvisioningFacts { grace: grace(n, accepted), ..clinic("2021-02-01") };
            assert_eq!(the(&facts, "2023-05-01", DeadlineKind::Completion).due, d(due), "類型{n} accepted={accepted}");
        }
    }

    #[test]
    fn a_grace_filing_is_due_march_31_2023_for_online_billers_not_finished_in_time() {
        let unfinished = clinic("2021-02-01");
        let dl = the(&unfinished, "2023-03-01", DeadlineKind::GraceFiling);
        assert_eq!((dl.due, dl.status), (d("2023-03-31"), DeadlineStatus::DueSoon));
        assert!(dl.consequence_ja.unwrap().contains("類型1・4・5・6"));
        assert_eq!(the(&unfinished, "2023-04-01", DeadlineKind::GraceFiling).status, DeadlineStatus::Missed);
        let filed = ProvisioningFacts { grace: grace(2, false), ..unfinished.clone() };
        assert_eq!(the(&filed, "2023-04-01", DeadlineKind::GraceFiling).status, DeadlineStatus::Met);
        let late = ProvisioningFacts { completed_on: Some(d("2023-04-01")), ..unfinished.clone() };
        assert_eq!(the(&late, "2023-05-01", DeadlineKind::GraceFiling).status, DeadlineStatus::Missed);

        let none_needed = [
            ProvisioningFacts { completed_on: Some(d("2023-03-31")), ..unfinished.clone() },
            ProvisioningFacts { online_billing: false, ..unfinished.clone() },
        ];
        for facts in none_needed {
            assert!(find(&deadlines(cat(), &facts, d("2023-03-01")), DeadlineKind::GraceFiling).is_none(), "{facts:?}");
        }
    }

    #[test]
    fn the_obligation_deadline_is_april_1_2023_for_online_billers_only() {
        let facts = |on: Option<&str>, online| ProvisioningFacts {
            online_billing: online,
            operation_started_on: on.map(d),
            ..clinic("2021-02-01")
        };
        let cases = [
            (Some("2023-04-01"), "2023-05-01", DeadlineStatus::Met),
            (Some("2023-04-02"), "2023-05-01", DeadlineStatus::Missed),
            (None, "2023-04-02", DeadlineStatus::Missed),
            (None, "2023-03-02", DeadlineStatus::DueSoon),
            (None, "2023-03-01", DeadlineStatus::Upcoming),
        ];
        for (on, today, status) in cases {
            let dl = the(&facts(on, true), today, DeadlineKind::Obligation);
            assert_eq!((dl.due, dl.status), (OBLIGATION_START, status), "{on:?} on {today}");
            assert!(dl.source.contains("seeds/004"));
        }
        assert!(find(&deadlines(cat(), &facts(None, false), d("2023-05-01")), DeadlineKind::Obligation).is_none());
    }

    #[test]
    fn with_an_accepted_grace_the_obligation_falls_due_at_its_end() {
        let facts = |g: Option<Grace>| ProvisioningFacts { grace: g, ..clinic("2021-02-01") };
        assert_eq!(the(&facts(grace(1, true)), "2023-05-01", DeadlineKind::Obligation).due, d("2023-09-30"));
        let own = Some(Grace { kind: GraceType::new(2).unwrap(), accepted: true, until: Some(d("2023-12-15")) });
        assert_eq!(the(&facts(own), "2023-05-01", DeadlineKind::Obligation).due, d("2023-12-15"));
        // 類型6 has no fixed end: no date to show.
        assert!(find(&deadlines(cat(), &facts(grace(6, true)), d("2023-05-01")), DeadlineKind::Obligation).is_none());
    }

    #[test]
    fn obligation_status_covers_every_case() {
        let online = clinic("2021-02-01");
        let operating = ProvisioningFacts { operation_started_on: Some(d("2023-02-01")), ..online.clone() };
        let g = |n, accepted, until: Option<&str>| ProvisioningFacts {
            grace: Some(Grace { kind: GraceType::new(n).unwrap(), accepted, until: until.map(d) }),
            ..online.clone()
        };
        let one = GraceType::new(1).unwrap();
        let cases: Vec<(&str, ProvisioningFacts, &str, ObligationStatus)> = vec![
            ("before the start", online.clone(), "2023-03-31", ObligationStatus::NotYet),
            ("on the start, not operating", online.clone(), "2023-04-01", ObligationStatus::Overdue),
            (
                "paper billing",
                ProvisioningFacts { online_billing: false, ..online.clone() },
                "2023-05-01",
                ObligationStatus::Exempt,
            ),
            (
                "paper billing, before",
                ProvisioningFacts { online_billing: false, ..online.clone() },
                "2022-05-01",
                ObligationStatus::Exempt,
            ),
            ("operating", operating.clone(), "2023-05-01", ObligationStatus::Met),
            ("operating before the start", operating.clone(), "2023-03-01", ObligationStatus::Met),
            ("operating from a later day", operating.clone(), "2023-01-31", ObligationStatus::NotYet),
            (
                "stage without a date",
                ProvisioningFacts { stage: Stage::Operating, ..online.clone() },
                "2023-05-01",
                ObligationStatus::Met,
            ),
            (
                "grace 1, catalog end",
                g(1, true, None),
                "2023-09-30",
                ObligationStatus::Grace { kind: one, until: Some(d("2023-09-30")) },
            ),
            ("grace 1 ended", g(1, true, None), "2023-10-01", ObligationStatus::Overdue),
            ("grace 1, own earlier end", g(1, true, Some("2023-07-31")), "2023-08-01", ObligationStatus::Overdue),
            ("grace pending", g(1, false, None), "2023-05-01", ObligationStatus::Overdue),
            (
                "grace 6, no end",
                g(6, true, None),
                "2025-01-01",
                ObligationStatus::Grace { kind: GraceType::new(6).unwrap(), until: None },
            ),
            (
                "grace before the start",
                g(1, true, None),
                "2023-03-31",
                ObligationStatus::Grace { kind: one, until: Some(d("2023-09-30")) },
            ),
        ];
        for (name, facts, today, expected) in cases {
            assert_eq!(obligation_status(cat(), &facts, d(today)), expected, "{name}");
        }
    }

    #[test]
    fn obligation_labels_read_as_japanese_sentences() {
        let one = GraceType::new(1).unwrap();
        assert_eq!(ObligationStatus::NotYet.label_ja(), "原則義務化の開始前（令和5年4月1日から）");
        assert_eq!(
            ObligationStatus::Grace { kind: one, until: Some(d("2023-09-30")) }.label_ja(),
            "猶予中（類型1、令和5年9月30日まで）"
        );
        assert_eq!(ObligationStatus::Exempt.label_ja(), "原則義務化の対象外（紙レセプトでの請求）");
        let json = serde_json::to_string(&ObligationStatus::Grace { kind: one, until: None }).unwrap();
        assert_eq!(json, r#"{"status":"grace","kind":1,"until":null}"#);
    }

    #[test]
    fn next_deadline_puts_missed_ones_first_then_the_earliest() {
        // Model choice missed in 2021, the rest still ahead on 2022-08-01.
        let facts = undecided_clinic(None);
        let next = next_deadline(cat(), &facts, d("2022-08-01")).unwrap();
        assert_eq!((next.kind, next.status), (DeadlineKind::ModelChoice, DeadlineStatus::Missed));
        // Model chosen in time: the reader application is Met, so completion leads.
        let on_time = undecided_clinic(Some("2021-06-01"));
        let next = next_deadline(cat(), &on_time, d("2022-08-01")).unwrap();
        assert_eq!((next.kind, next.due), (DeadlineKind::Completion, d("2023-03-31")));
        // All done: nothing to show.
        let done = ProvisioningFacts {
            completed_on: Some(d("2022-01-01")),
            operation_started_on: Some(d("2022-01-10")),
            subsidy_applied_on: Some(d("2022-02-01")),
            ..on_time
        };
        assert_eq!(next_deadline(cat(), &done, d("2023-05-01")), None);
    }

    #[test]
    fn extra_readers_at_own_cost_do_not_break_the_deadlines() {
        let facts = ProvisioningFacts { readers: 3, ..clinic("2021-02-01") };
        assert_eq!(facts.subsidy_input(Yen::ZERO).readers, 1);
        assert!(facts.check(cat()).is_ok());
        assert!(find(&deadlines(cat(), &facts, d("2022-01-01")), DeadlineKind::Completion).is_some());
    }

    #[test]
    fn facts_the_subsidy_refuses_are_reported_by_check() {
        let facts = ProvisioningFacts { model_chosen_on: Some(d("2021-03-01")), ..undecided_clinic(None) };
        assert!(matches!(facts.check(cat()), Err(InputError::ModelChosenBeforeApplication { .. })));
    }

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        (0i64..1_900).prop_map(|n| d("2020-06-01") + chrono::Duration::days(n))
    }

    fn any_facts() -> impl Strategy<Value = ProvisioningFacts> {
        let dates = (
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
        );
        let grace = proptest::option::of((1u8..=6, any::<bool>(), proptest::option::of(any_day())));
        (0usize..5, 0u8..=4, any::<bool>(), any::<bool>(), 0usize..7, dates, grace).prop_map(
            |(kind, readers, online, undecided, stage, dates, grace)| ProvisioningFacts {
                facility_type: FacilityType::ALL[kind],
                readers,
                online_billing: online,
                reader_applied_on: dates.0,
                model_undecided: undecided,
                model_chosen_on: dates.1,
                bulk_declared_on: dates.2,
                vendor_contract_on: dates.3,
                completed_on: dates.4,
                operation_started_on: dates.5,
                subsidy_applied_on: dates.6,
                grace: grace.map(|(n, accepted, until)| Grace { kind: GraceType::new(n).unwrap(), accepted, until }),
                stage: Stage::ALL[stage],
            },
        )
    }

    proptest! {
        #[test]
        fn next_deadline_is_never_met_and_deadlines_are_sorted_by_day(facts in any_facts(), today in any_day()) {
            let list = deadlines(cat(), &facts, today);
            prop_assert!(list.windows(2).all(|w| w[0].due <= w[1].due), "{:#?}", list);
            for status in [DeadlineStatus::Met, DeadlineStatus::Upcoming, DeadlineStatus::DueSoon, DeadlineStatus::Missed] {
                let group: Vec<NaiveDate> = list.iter().filter(|x| x.status == status).map(|x| x.due).collect();
                prop_assert!(group.windows(2).all(|w| w[0] <= w[1]));
            }
            let next = next_deadline(cat(), &facts, today);
            if let Some(n) = &next {
                prop_assert_ne!(n.status, DeadlineStatus::Met);
                prop_assert!(list.contains(n));
                let any_missed = list.iter().any(|x| x.status == DeadlineStatus::Missed);
                prop_assert_eq!(n.status == DeadlineStatus::Missed, any_missed);
                prop_assert!(list.iter().filter(|x| x.status == n.status).all(|x| x.due >= n.due));
            } else {
                prop_assert!(list.iter().all(|x| x.status == DeadlineStatus::Met));
            }
        }

        #[test]
        fn statuses_agree_with_the_day(facts in any_facts(), today in any_day()) {
            for x in deadlines(cat(), &facts, today) {
                match x.status {
                    DeadlineStatus::Upcoming => prop_assert!((x.due - today).num_days() > DUE_SOON_DAYS),
                    DeadlineStatus::DueSoon => prop_assert!(today <= x.due && (x.due - today).num_days() <= DUE_SOON_DAYS),
                    DeadlineStatus::Met | DeadlineStatus::Missed => {}
                }
                prop_assert!(!x.source.trim().is_empty());
            }
        }

        #[test]
        fn paper_billing_facilities_are_always_exempt(facts in any_facts(), today in any_day()) {
            let paper = ProvisioningFacts { online_billing: false, ..facts };
            prop_assert_eq!(obligation_status(cat(), &paper, today), ObligationStatus::Exempt);
            let list = deadlines(cat(), &paper, today);
            prop_assert!(list.iter().all(|x| x.kind != DeadlineKind::Obligation && x.kind != DeadlineKind::GraceFiling));
        }
    }
}
