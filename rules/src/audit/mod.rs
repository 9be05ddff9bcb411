//! The quote audit: each line's category and eligibility, red flags with their
//! evidence, the totals written against the totals computed, and the subsidy.

mod benchmarks;
mod flags;
mod letter_point;
mod lump_sum;
mod reading_checks;
mod summary_check;
mod tukey;

pub use benchmarks::{BenchmarkRowData, Benchmarks, Figure, LabourMax, PriceRange};
pub use flags::{Evidence, Flag, FlagCode, Severity};
pub use letter_point::{Basis, LetterPoint, OWN_GUIDE, letter_point};
pub use reading_checks::ReadingCheck;
pub use tukey::{Fence, upper_fence, upper_fence_without};

use crate::category::{Category, Eligibility};
use crate::classify::{Classification, Classifier};
use crate::provisioning::ProvisioningFacts;
use crate::quote::{Quote, QuoteLine, Unit, WrittenAmount};
use crate::scheme::Catalog;
use crate::settlement::{CostSummary, Settlement, settle};
use crate::subsidy::SubsidyInput;
use crate::{FacilityType, Rate, Yen};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// The consumption tax rate, 10 %. Source: 消費税法第29条 and 地方税法第72条の83
/// (7.8 % + 2.2 %); domain.md: consumption tax is eligible and the caps include it.
pub const TAX_RATE: Rate = Rate::TEN_PERCENT;

/// Who the quote is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// Facility type.
    pub facility_type: FacilityType,
    /// Readers applied for.
    pub readers: u8,
    /// The facility's facts for the subsidy (reader application, contract, completion, …);
    /// its `eligible_cost` is ignored, the quote gives it.
    pub facts: SubsidyInput,
}

impl AuditContext {
    /// A context from the type, readers and reader application day alone (the other facts
    /// unknown): for a quote checked without a facility.
    pub fn new(facility_type: FacilityType, readers: u8, reader_applied_on: Option<NaiveDate>) -> Self {
        let mut facts = ProvisioningFacts::new(facility_type, true);
        facts.readers = readers;
        facts.reader_applied_on = reader_applied_on;
        AuditContext::of_facility(&facts)
    }

    /// The context of a facility: its own reader application, contract and milestones.
    pub fn of_facility(facts: &ProvisioningFacts) -> Self {
        AuditContext {
            facility_type: facts.facility_type,
            readers: facts.readers.max(1),
            facts: facts.subsidy_input(Yen::ZERO),
        }
    }
}

/// Prices of confirmed lines of the same facility type, by category (as [`comparable_price`]
/// gives them), less the audited quote's own when it is one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peers {
    /// Prices by category, ascending; shared by the clones each quote of a type is audited with.
    by_category: std::sync::Arc<HashMap<Category, Vec<Yen>>>,
    /// The audited quote's own prices, left out of its fences.
    own: HashMap<Category, Vec<Yen>>,
}

impl Peers {
    /// The peer group of these prices.
    pub fn new(prices: impl IntoIterator<Item = (Category, Yen)>) -> Self {
        let mut by_category: HashMap<Category, Vec<Yen>> = HashMap::new();
        for (c, p) in prices {
            by_category.entry(c).or_default().push(p);
        }
        by_category.values_mut().for_each(|v| v.sort());
        Peers { by_category: std::sync::Arc::new(by_category), own: HashMap::new() }
    }

    /// Leaves these prices (a confirmed quote's own) out of the fences from now on, in place of
    /// those left out before: one group serves every quote of a facility type in turn.
    pub fn leave_out(&mut self, own: impl IntoIterator<Item = (Category, Yen)>) {
        self.own.clear();
        for (c, p) in own {
            self.own.entry(c).or_default().push(p);
        }
    }

    /// The upper fence of a category's prices, the quote's own left out.
    pub fn fence(&self, c: Category, k: Decimal, min_peers: usize) -> Option<Fence> {
        let prices = self.by_category.get(&c)?;
        upper_fence_without(prices, self.own.get(&c).map_or(&[], Vec::as_slice), k, min_peers)
    }
}

/// A line with its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditedLine {
    /// 1-based row in the sheet.
    pub row: u32,
    /// 品名.
    pub description: String,
    /// Category code.
    pub category: Category,
    /// Classifier confidence, 0–100.
    pub confidence: u8,
    /// 数量.
    pub quantity: Option<Decimal>,
    /// 単位.
    pub unit: Option<String>,
    /// 単価 charged.
    pub unit_price: Option<Yen>,
    /// 金額 (or quantity × unit price when the quote gives none).
    pub amount: Option<Yen>,
    /// Counted in the eligible total.
    pub eligible: bool,
    /// How the subsidy treats the category.
    pub eligibility: Eligibility,
    /// Red flags of this line.
    pub flags: Vec<Flag>,
}

/// Totals as the quote writes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WrittenTotals {
    /// 小計.
    pub subtotal: Option<Yen>,
    /// 消費税.
    pub tax: Option<Yen>,
    /// 合計.
    pub total: Option<Yen>,
}

/// Totals recomputed from the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ComputedTotals {
    /// Sum of item and discount lines.
    pub subtotal: Yen,
    /// 10 % of the subtotal (or the tax inside a tax-inclusive subtotal).
    pub tax: Yen,
    /// What the facility pays.
    pub total: Yen,
    /// Eligible lines and discounts, tax included: what the subsidy is computed on.
    pub eligible_total: Yen,
}

impl ComputedTotals {
    /// Totals of line amounts, each with whether it counts toward the subsidy: tax at
    /// [`TAX_RATE`] rounded down to the yen, on the whole subtotal (or the tax inside a
    /// tax-inclusive subtotal); the eligible total never below zero.
    pub fn of(amounts: impl Iterator<Item = (Yen, bool)>, tax_inclusive: bool) -> ComputedTotals {
        let (mut subtotal, mut eligible_before) = (Yen::ZERO, Yen::ZERO);
        for (amount, eligible) in amounts {
            subtotal = subtotal + amount;
            if eligible {
                eligible_before = eligible_before + amount;
            }
        }
        let eligible_before = eligible_before.max(Yen::ZERO);
        if tax_inclusive {
            let inside = Yen::new((subtotal.amount() * Decimal::from(10) / Decimal::from(110)).floor());
            ComputedTotals { subtotal, tax: inside, total: subtotal, eligible_total: eligible_before }
        } else {
            let tax = TAX_RATE.apply(subtotal).floor_to_whole_yen();
            let eligible_total = eligible_before + TAX_RATE.apply(eligible_before).floor_to_whole_yen();
            ComputedTotals { subtotal, tax, total: subtotal + tax, eligible_total }
        }
    }
}

/// The subsidy for the eligible total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubsidySummary {
    /// Scheme id.
    pub scheme: Option<String>,
    /// Scheme name.
    pub scheme_name: Option<String>,
    /// Rate.
    pub rate: Rate,
    /// 基準とする事業額.
    pub cap: Yen,
    /// The subsidy.
    pub amount: Yen,
    /// The computed total minus the subsidy: what the facility pays in the end.
    pub self_burden: Yen,
}

/// The audit of one quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Item and discount lines, in the order of the quote.
    pub lines: Vec<AuditedLine>,
    /// Flags about the whole quote.
    pub flags: Vec<Flag>,
    /// Written totals.
    pub written: WrittenTotals,
    /// Computed totals.
    pub computed: ComputedTotals,
    /// Prices include tax.
    pub tax_inclusive: bool,
    /// The subsidy.
    pub subsidy: SubsidySummary,
    /// The subsidy and 自己負担 in full: scheme, conditions, parts, assumptions, alternatives
    /// (None when the facts cannot be calculated; the notes say why).
    pub settlement: Option<Settlement>,
    /// Remarks on how the audit was done (e.g. normal rates assumed).
    pub notes: Vec<String>,
    /// For a quote read from a scan and not yet checked: the findings held back until the
    /// reading is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reading_checks: Vec<ReadingCheck>,
}

/// Categories priced per device: compare the unit price; others compare the line amount.
fn priced_per_unit(c: Category) -> bool {
    matches!(
        c,
        Category::Terminal | Category::CardReader | Category::GenericReader | Category::Router | Category::Certificate
    )
}

/// The price of a line as benchmarks and peers compare it: the unit price for
/// devices, the line amount for work and systems.
pub fn comparable_price(line: &QuoteLine, category: Category) -> Option<Yen> {
    if priced_per_unit(category) {
        line.unit_price.or_else(|| {
            let q = line.quantity.filter(|q| !q.is_zero())?;
            line.amount.map(|a| Yen::new(a.amount() / q))
        })
    } else {
        line.effective_amount()
    }
}

fn is_lump_sum(line: &QuoteLine) -> bool {
    matches!(line.unit, Some(Unit::LumpSum | Unit::Set)) || line.description.contains("一式")
}

/// Hours of a labour line written in 時間 or 人日.
fn hours(line: &QuoteLine) -> Option<Decimal> {
    let per_unit = line.unit.as_ref()?.hours()?;
    Some(line.quantity.unwrap_or(Decimal::ONE) * per_unit)
}

fn yen_text(y: Yen) -> String {
    y.to_string()
}

fn minutes_text(m: Decimal) -> String {
    // Digits grouped as amounts are (「2,400分」): Yen's grouping, not a sum of money.
    let grouped = Yen::new(m.normalize()).format_plain();
    format!("{grouped}分（{}時間）", (m / Decimal::from(60)).round_dp(1).normalize())
}

/// Whether `actual` is `expected` computed with some rounding (floor, round or ceil to the yen).
fn matches_with_rounding(actual: Yen, exact: Decimal) -> bool {
    let a = actual.amount();
    a == exact.floor() || a == exact.ceil() || a == exact.round()
}

/// Audits a quote.
pub fn audit(
    quote: &Quote,
    ctx: &AuditContext,
    bench: &Benchmarks,
    peers: &Peers,
    classifier: &Classifier,
    catalog: &Catalog,
) -> AuditReport {
    let classified: Vec<Classification> = quote.lines.iter().map(|l| classifier.classify(l)).collect();
    audit_classified(quote, &classified, ctx, bench, peers, catalog)
}

/// Audits a quote whose lines were already classified — e.g. a stored quote
/// whose categories the facility corrected. `classified` has one entry per line.
pub fn audit_classified(
    quote: &Quote,
    classified: &[Classification],
    ctx: &AuditContext,
    bench: &Benchmarks,
    peers: &Peers,
    catalog: &Catalog,
) -> AuditReport {
    let mut notes = Vec::new();
    let free_readers = ctx.facility_type.free_readers();
    let mut lines: Vec<AuditedLine> = quote
        .lines
        .iter()
        .zip(classified.iter().cloned().chain(std::iter::repeat(Classification {
            category: Category::Other,
            confidence: 0,
            matched: None,
        })))
        .map(|(l, c)| {
            let amount = l.signed_amount();
            let eligibility = c.category.eligibility();
            AuditedLine {
                row: l.row,
                description: l.description.clone(),
                category: c.category,
                confidence: c.confidence,
                quantity: l.quantity,
                unit: l.unit.as_ref().map(|u| u.label_ja().to_owned()),
                unit_price: l.unit_price,
                amount,
                eligible: eligibility == Eligibility::Eligible,
                eligibility,
                flags: Vec::new(),
            }
        })
        .collect();

    // (normalised description, amount) → index of its first line.
    // Seeded per process (foldhash's RandomState): descriptions come from uploaded files.
    let mut seen: HashMap<(String, Option<Yen>), usize, foldhash::fast::RandomState> = HashMap::default();
    // Each category's peer fence, computed at its first line: every line of a category has the
    // same one, and a quote of thousands of lines of one category asked for it once per line.
    let mut fences: HashMap<Category, Option<Fence>> = HashMap::new();
    for (i, (line, raw)) in lines.iter_mut().zip(&quote.lines).enumerate() {
        let amount = line.amount.unwrap_or(Yen::ZERO);
        let charged = amount > Yen::ZERO;
        match line.category {
            Category::CardReader if charged => {
                let qty = raw.quantity.unwrap_or(Decimal::ONE);
                let free_here = qty.min(Decimal::from(free_readers));
                line.flags.push(Flag::new(
                    FlagCode::FreeItemCharged,
                    Severity::High,
                    format!(
                        "顔認証付きカードリーダーは{}に{}台まで無償で提供されます（支払基金）。この行の{}台のうち{}台分は請求されるべきではありません。",
                        ctx.facility_type.label_ja(),
                        free_readers,
                        qty.normalize(),
                        free_here.normalize()
                    ),
                    Evidence::sourced(
                        format!("無償提供台数: {}台", free_readers),
                        Some(yen_text(amount)),
                        Some("0円".into()),
                        "seeds/001_03434e09f67b16ae.txt（顔認証付きカードリーダー提供台数: 病院3台まで、その他1台）",
                    ),
                ));
            }
            Category::AppSoftware if charged => line.flags.push(Flag::new(
                FlagCode::FreeItemCharged,
                Severity::High,
                "資格確認端末のアプリケーションは支払基金が無償で提供しています（ダウンロード）。料金の根拠を確認してください。".into(),
                Evidence::sourced(
                    "アプリケーションソフト: 支払基金より提供（無償）".into(),
                    Some(yen_text(amount)),
                    Some("0円".into()),
                    "seeds/003_bb373fb805f0f64e.txt（費用の目安: アプリケーションソフト 支払基金より提供（無償））",
                ),
            )),
            Category::Maintenance | Category::LineFee if charged => line.flags.push(Flag::new(
                FlagCode::IneligibleRunningCost,
                Severity::Medium,
                format!(
                    "{}は毎月の運用費用で、補助の対象外です。導入費用（初期費用）の合計から分けて記載するよう求めてください。",
                    line.category.label_ja()
                ),
                Evidence::sourced(
                    "保守費用・回線使用料は補助対象外".into(),
                    Some(yen_text(amount)),
                    None,
                    "seeds/003_bb373fb805f0f64e.txt（補助の対象となる経費に保守費用・回線使用料は含まれない）; seeds/000_d1460235a42f43a9.txt（保守費用・回線使用料は補助対象外）",
                ),
            )),
            _ => {}
        }

        // Arithmetic: quantity × unit price against the written amount.
        if let (Some(q), Some(p), Some(a)) = (raw.quantity, raw.unit_price, raw.amount) {
            let expected = p.amount() * q;
            if (expected - a.amount()).abs() >= Decimal::ONE {
                line.flags.push(Flag::new(
                    FlagCode::ArithmeticMismatch,
                    Severity::High,
                    format!(
                        "数量 {} × 単価 {} = {} ですが、金額は {} と書かれています。",
                        q.normalize(),
                        p,
                        Yen::new(expected),
                        a
                    ),
                    Evidence::plain(
                        "数量×単価と金額の不一致".into(),
                        Some(yen_text(a)),
                        Some(yen_text(Yen::new(expected))),
                    ),
                ));
            }
        }

        // Prices above the benchmark range.
        if line.eligibility != Eligibility::Free {
            if let (Some(range), Some(price)) =
                (bench.price_range(line.category, ctx.facility_type), comparable_price(raw, line.category))
                && price > range.high
            {
                line.flags.push(Flag::new(
                    FlagCode::AboveBenchmark,
                    if range.assumption { Severity::Medium } else { Severity::High },
                    format!(
                        "{}が目安の上限 {} を超えています（{}）。",
                        if priced_per_unit(line.category) { "単価" } else { "金額" },
                        range.high,
                        range.label_ja
                    ),
                    Evidence {
                        text: range.label_ja.clone(),
                        value: Some(yen_text(price)),
                        limit: Some(yen_text(range.high)),
                        source: Some(range.source.clone()),
                        assumption: range.assumption,
                        fence: None,
                    },
                ));
            }
            if let Some(price) = comparable_price(raw, line.category)
                && let Some(fence) = *fences
                    .entry(line.category)
                    .or_insert_with(|| peers.fence(line.category, bench.tukey_k, bench.peer_min))
                && price > fence.upper
            {
                line.flags.push(Flag::new(
                    FlagCode::AboveBenchmark,
                    Severity::Medium,
                    format!(
                        "同じ施設区分の確定済み見積 {}件の{}と比べて外れ値です（上側の境界 {}）。",
                        fence.peers,
                        line.category.label_ja(),
                        fence.upper
                    ),
                    Evidence {
                        text: format!(
                            "Tukey の境界 Q3 + {}×IQR（Q1 {}, Q3 {}）",
                            bench.tukey_k.normalize(),
                            fence.q1,
                            fence.q3
                        ),
                        value: Some(yen_text(price)),
                        limit: Some(yen_text(fence.upper)),
                        source: Some("Onshi の目安（Onshi に登録された同じ費目の確定済みの見積との比較）".into()),
                        assumption: false,
                        fence: Some(fence),
                    },
                ));
            }
        }

        // A large lump sum that does not say what it is (「システム改修一式」); 一式 under a
        // name of the work (「LAN配線工事（外来受付・医事課） 一式」) is ordinary quoting.
        if amount >= bench.lump_sum_min.value && lump_sum::is_lump_sum_line(raw) && !lump_sum::says_what_it_is(raw) {
            line.flags.push(Flag::new(
                FlagCode::LumpSumOpaque,
                Severity::Medium,
                format!(
                    "「{}」は一式で内訳がありません。作業内容・作業時間・単価の内訳を求めてください。",
                    line.description
                ),
                Evidence::sourced(
                    bench.lump_sum_min.label_ja.clone(),
                    Some(yen_text(amount)),
                    Some(yen_text(bench.lump_sum_min.value)),
                    &bench.lump_sum_min.source,
                )
                .assumed(bench.lump_sum_min.assumption),
            ));
        }

        // The same line twice.
        if amount != Yen::ZERO {
            let key = (crate::classify::normalise(&raw.description), raw.effective_amount());
            match seen.get(&key) {
                Some(&first) => {
                    let first = &quote.lines[first];
                    line.flags.push(Flag::new(
                        FlagCode::DuplicateLine,
                        Severity::Medium,
                        format!("{}行目と同じ品名・金額の行です。二重計上でないか確認してください。", first.row),
                        Evidence::plain(
                            format!("{}行目「{}」", first.row, first.description),
                            Some(yen_text(amount)),
                            None,
                        ),
                    ));
                }
                None => {
                    seen.insert(key, i);
                }
            }
        }
    }

    labour_flags(&mut lines, &quote.lines, bench, &mut notes);

    // Totals.
    let computed =
        ComputedTotals::of(lines.iter().filter_map(|l| l.amount.map(|a| (a, l.eligible))), quote.tax_inclusive);
    let ComputedTotals { total, eligible_total, .. } = computed;
    let written = WrittenTotals {
        subtotal: quote.written.subtotal.map(|w| w.amount),
        tax: quote.written.tax.map(|w| w.amount),
        total: quote.written.total.map(|w| w.amount),
    };
    let mut flags = total_flags(quote, &computed);
    flags.extend(summary_check::summary_flags(quote, &lines, &computed, &mut notes));

    // Subsidy on the eligible total.
    let readers = ctx.readers.clamp(1, free_readers);
    if ctx.readers > free_readers {
        notes.push(format!(
            "カードリーダー{}台のうち{}台を超える分は自己負担のため、補助の計算は{}台で行いました。",
            ctx.readers, free_readers, free_readers
        ));
    }
    let mut facts = ctx.facts.clone();
    facts.readers = readers;
    let costs =
        CostSummary::of_lines(lines.iter().filter_map(|l| l.amount.map(|a| (l.category, a))), quote.tax_inclusive);
    debug_assert_eq!((costs.total, costs.eligible), (total, eligible_total));
    let settlement = match settle(catalog, &facts, &costs) {
        Ok(s) => {
            notes.extend(s.assumptions.iter().cloned());
            Some(s)
        }
        Err(e) => {
            notes.push(format!("補助額を計算できません: {e}"));
            None
        }
    };
    let subsidy = match &settlement {
        Some(s) => SubsidySummary {
            scheme: s.outcome.scheme.clone(),
            scheme_name: s.outcome.scheme_name.clone(),
            rate: s.outcome.rate,
            cap: s.outcome.cap,
            amount: s.subsidy,
            self_burden: s.self_burden,
        },
        None => SubsidySummary {
            scheme: None,
            scheme_name: None,
            rate: Rate::ZERO,
            cap: Yen::ZERO,
            amount: Yen::ZERO,
            self_burden: total,
        },
    };
    let cap = subsidy.cap;
    let lower = Yen::new(cap.amount() * (Decimal::from(100) - bench.near_cap_percent.value) / Decimal::from(100));
    if cap > Yen::ZERO && eligible_total >= lower && eligible_total <= cap {
        flags.push(Flag::new(
            FlagCode::NearSubsidyCap,
            Severity::Medium,
            format!(
                "補助対象経費（税込）{} が補助上限（基準とする事業額）{} の{}%以内です。作業内容にかかわらず上限に合わせた見積もりでないか確認してください。",
                eligible_total,
                cap,
                bench.near_cap_percent.value.normalize()
            ),
            Evidence::sourced(
                format!("基準とする事業額 {}（{}）", cap, cap.format_man()),
                Some(yen_text(eligible_total)),
                Some(yen_text(lower)),
                "seeds/003_bb373fb805f0f64e.txt（補助内容の表）; seeds/000（上限に近い金額での見積もり）",
            ),
        ));
    }

    let mut report = AuditReport {
        lines,
        flags,
        written,
        computed,
        tax_inclusive: quote.tax_inclusive,
        subsidy,
        settlement,
        notes,
        reading_checks: Vec::new(),
    };
    reading_checks::hold_for_reading(&mut report, quote);
    report
}

/// Work done on site, whose lump sums can be turned into hours. System
/// modifications are mostly software made off site, so they are not.
fn on_site_work(c: Category) -> bool {
    matches!(c, Category::SetupLabor | Category::NetworkSetup | Category::Training | Category::LanWiring)
}

/// Labour hours beyond MHLW's longest observed on-site times (seeds/002).
fn labour_flags(lines: &mut [AuditedLine], raw: &[QuoteLine], bench: &Benchmarks, notes: &mut Vec<String>) {
    let sixty = Decimal::from(60);
    // Minutes per category: written hours, else implied by the hourly-rate assumption for lump sums.
    let mut written: HashMap<Category, Decimal> = HashMap::new();
    let mut all_written = Decimal::ZERO;
    for (line, r) in lines.iter().zip(raw) {
        if let Some(h) = hours(r) {
            *written.entry(line.category).or_default() += h * sixty;
            all_written += h * sixty;
        }
    }
    // Every line of a category over its maximum gets the same flag: written once, cloned after.
    let mut over: HashMap<Category, Flag> = HashMap::new();
    for (line, r) in lines.iter_mut().zip(raw) {
        let Some(max) = bench.labour_max(line.category) else { continue };
        if let Some(h) = hours(r) {
            let total = written.get(&line.category).copied().unwrap_or(h * sixty);
            if let Some(flag) = over.get(&line.category) {
                line.flags.push(flag.clone());
            } else if total > max.max_minutes {
                let flag = Flag::new(
                    FlagCode::LaborOverObservedMax,
                    Severity::High,
                    format!(
                        "{}の作業時間（この見積の合計 {}）が、厚生労働省の調査で観測された最長 {} を超えています。",
                        line.category.label_ja(),
                        minutes_text(total),
                        minutes_text(max.max_minutes)
                    ),
                    Evidence::sourced(
                        format!("現地作業の最長時間（{}）", max.tasks_ja),
                        Some(minutes_text(total)),
                        Some(minutes_text(max.max_minutes)),
                        &max.source,
                    ),
                );
                over.insert(line.category, flag.clone());
                line.flags.push(flag);
            }
        } else if is_lump_sum(r) && on_site_work(line.category) {
            let (Some(rate), Some(amount)) = (&bench.hourly_rate, line.amount) else { continue };
            if rate.value <= Yen::ZERO {
                continue;
            }
            let implied = amount.amount() / rate.value.amount() * sixty;
            if implied > max.max_minutes {
                line.flags.push(Flag::new(
                    FlagCode::LaborOverObservedMax,
                    Severity::Medium,
                    format!(
                        "金額 {} を時間単価 {} で割ると約{}の作業で、厚生労働省の調査で観測された最長 {} を超えます。作業時間の内訳を求めてください。",
                        amount,
                        rate.value,
                        minutes_text(implied.round()),
                        minutes_text(max.max_minutes)
                    ),
                    Evidence {
                        text: format!("{}、現地作業の最長時間（{}）", rate.label_ja, max.tasks_ja),
                        value: Some(minutes_text(implied.round())),
                        limit: Some(minutes_text(max.max_minutes)),
                        source: Some(format!("{}; {}", max.source, rate.source)),
                        assumption: rate.assumption,
                        fence: None,
                    },
                ));
            }
        }
    }
    if let Some(total_max) = &bench.total_labour_max_minutes
        && all_written > total_max.value
    {
        // People read the public document's short form, never the note's file name.
        let cited =
            crate::sources::resolve(&total_max.source).text().map(|s| format!("（出典: {s}）")).unwrap_or_default();
        notes.push(format!(
            "見積の作業時間の合計 {} は、厚生労働省の調査での現地作業全体の最長 {} を超えています{cited}。",
            minutes_text(all_written),
            minutes_text(total_max.value),
        ));
    }
}

/// Where a written amount stands, to start a message: 「28行目の」, or 「記載の」 when the row
/// is not known (a stored quote keeps its written amounts, not their rows).
fn written_at(w: WrittenAmount) -> String {
    if w.row == 0 { "記載の".to_owned() } else { format!("{}行目の", w.row) }
}

/// Written subtotal, tax and total against the lines.
fn total_flags(quote: &Quote, computed: &ComputedTotals) -> Vec<Flag> {
    let mut flags = Vec::new();
    let w = &quote.written;
    if let Some(sub) = w.subtotal
        && sub.amount != computed.subtotal
    {
        flags.push(Flag::new(
            FlagCode::ArithmeticMismatch,
            Severity::High,
            format!("{}小計 {} は、明細の合計 {} と一致しません。", written_at(sub), sub.amount, computed.subtotal),
            Evidence::plain("明細の合計".into(), Some(yen_text(sub.amount)), Some(yen_text(computed.subtotal))),
        ));
    }
    if let Some(tax) = w.tax {
        let (base, exact, what) = if w.tax_included_in_total {
            let base = w.total.map(|t| t.amount).unwrap_or(computed.total);
            (base, base.amount() * Decimal::from(10) / Decimal::from(110), "合計に含まれる消費税（10/110）")
        } else {
            let base = w.subtotal.map(|s| s.amount).unwrap_or(computed.subtotal);
            (base, TAX_RATE.apply(base).amount(), "小計の10%")
        };
        if !matches_with_rounding(tax.amount, exact) {
            flags.push(Flag::new(
                FlagCode::TaxMismatch,
                Severity::High,
                format!(
                    "{}消費税 {} は、{}（{} に対して {}）と一致しません。",
                    written_at(tax),
                    tax.amount,
                    what,
                    base,
                    Yen::new(exact.floor())
                ),
                Evidence::sourced(
                    "消費税率10%（標準税率7.8%＋地方消費税2.2%）".into(),
                    Some(yen_text(tax.amount)),
                    Some(yen_text(Yen::new(exact.floor()))),
                    "消費税法第29条・地方税法第72条の83",
                ),
            ));
        }
    }
    if let Some(total) = w.total {
        let expected = match (w.subtotal, w.tax, w.tax_included_in_total) {
            (Some(s), Some(t), false) => Some(s.amount + t.amount),
            (Some(s), None, _) | (Some(s), Some(_), true) => Some(s.amount),
            (None, _, _) => None,
        };
        if let Some(e) = expected.filter(|e| *e != total.amount) {
            flags.push(Flag::new(
                FlagCode::ArithmeticMismatch,
                Severity::High,
                format!("{}合計 {} は、小計と消費税の和 {} と一致しません。", written_at(total), total.amount, e),
                Evidence::plain("小計＋消費税".into(), Some(yen_text(total.amount)), Some(yen_text(e))),
            ));
        } else if expected.is_none() && total.amount != computed.total {
            flags.push(Flag::new(
                FlagCode::ArithmeticMismatch,
                Severity::High,
                format!(
                    "{}合計 {} は、明細から計算した合計 {} と一致しません。",
                    written_at(total),
                    total.amount,
                    computed.total
                ),
                Evidence::plain(
                    "明細から計算した合計".into(),
                    Some(yen_text(total.amount)),
                    Some(yen_text(computed.total)),
                ),
            ));
        }
    }
    flags
}
