//! Server function of the audit view of a stored quote (with the facility's corrections).
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A flag as shown, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    /// Stable code.
    pub code: String,
    /// Japanese label of the code.
    pub label: String,
    /// Severity label.
    pub severity: String,
    /// Message.
    pub message: String,
    /// What it rests on.
    pub evidence: String,
    /// The quote's figure and the limit.
    pub figures: Option<String>,
    /// Source of the limit.
    pub source: Option<String>,
    /// The limit is an assumption.
    pub assumption: bool,
}

/// An audited line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLineView {
    /// Sheet row.
    pub row: u32,
    /// 品名.
    pub description: String,
    /// Category code.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// 数量・単位.
    pub quantity: String,
    /// 単価.
    pub unit_price: String,
    /// 金額 (yen, with the amount as decimal text for sums).
    pub amount: String,
    /// Plain amount for comparisons.
    pub amount_plain: String,
    /// What the quote wrote instead of a figure (別途, サービス), shown beside the amount.
    #[serde(default)]
    pub amount_text: Option<String>,
    /// Eligibility label.
    pub eligibility: String,
    /// Flags.
    pub flags: Vec<FlagView>,
}

/// The audit of a stored quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteAuditView {
    /// Quote id.
    pub id: i64,
    /// The quote itself (file, vendor, date).
    pub quote: crate::api::facilities::QuoteDetail,
    /// Facility id.
    pub facility_id: i64,
    /// Lines (none for the page, which has them as `lines_html`).
    pub lines: Vec<AuditLineView>,
    /// The rows of the lines' table as the page shows them (HTML, text escaped); empty but for
    /// the page.
    pub lines_html: String,
    /// Flags of the quote and of its lines, all told.
    pub flag_total: usize,
    /// Quote-level flags.
    pub flags: Vec<FlagView>,
    /// (label, written, computed) rows.
    pub totals: Vec<(String, String, String)>,
    /// 補助対象経費（税込）.
    pub eligible_total: String,
    /// Scheme name, rate label, cap.
    pub scheme: String,
    /// The subsidy.
    pub subsidy: String,
    /// 自己負担: what the facility pays its vendors minus the subsidy.
    pub self_burden: String,
    /// 自己負担 with its three parts in one line.
    pub burden_line: String,
    /// The subsidy and 自己負担 in full, from the facility's own facts (None when they cannot
    /// be calculated: the notes say why).
    pub settlement: Option<crate::api::settlement_view::SettlementView>,
    /// Notes on how it was computed (the settlement's assumptions are in it, not here).
    pub notes: Vec<String>,
    /// Per-category amounts (category code, label, amount plain), for comparisons.
    pub by_category: Vec<(String, String, String)>,
    /// Other quotes of the facility: (id, file name).
    pub siblings: Vec<(i64, String)>,
    /// Whether the user may file a complaint about it (the facility's own manager).
    pub can_complain: bool,
}

#[cfg(feature = "ssr")]
fn flag_view(f: &rules::audit::Flag) -> FlagView {
    let e = &f.evidence;
    FlagView {
        code: f.code.code().to_owned(),
        label: f.code.label_ja().to_owned(),
        severity: f.severity.label_ja().to_owned(),
        message: f.message.clone(),
        evidence: e.text.clone(),
        figures: match (&e.value, &e.limit) {
            (Some(v), Some(l)) => Some(format!("見積: {v} ／ 基準: {l}")),
            (Some(v), None) => Some(format!("見積: {v}")),
            _ => None,
        },
        source: e.source.clone(),
        assumption: e.assumption,
    }
}

/// The audit of a stored quote in the user's scope, its lines as data.
#[server(prefix = "/api", endpoint = "quote_audit")]
pub async fn quote_audit(id: i64) -> Result<QuoteAuditView, UiError> {
    audited(id, Shown::AsData).await
}

/// The audit of a stored quote in the user's scope as its page shows it: the lines' rows as HTML
/// made with the audit, off the async workers (a quote of 15,000 lines is 8 MB of it), and no
/// lines as data.
#[server(prefix = "/api", endpoint = "quote_audit_page")]
pub async fn quote_audit_page(id: i64) -> Result<QuoteAuditView, UiError> {
    audited(id, Shown::OnThePage).await
}

/// How a quote's lines are given.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// As data, [`QuoteAuditView::lines`].
    AsData,
    /// As the page's HTML, [`QuoteAuditView::lines_html`].
    OnThePage,
}

/// What a stored quote's audit needs, read from the database in the user's scope; the audit
/// itself ([`Prepared::run`]) is work for a heavy-work thread.
#[cfg(feature = "ssr")]
pub(crate) struct Prepared {
    /// The quote, in the user's scope.
    pub detail: crate::api::facilities::QuoteDetail,
    /// The user who asked.
    pub user: crate::SessionUser,
    /// Who the quote is for, from the facility's own facts.
    pub ctx: rules::audit::AuditContext,
    packed: String,
    head: crate::ssr::db::quotes::Written,
    bench: rules::audit::Benchmarks,
    peers: rules::audit::Peers,
    /// The `audit_generation` the peers are kept at.
    generation: i64,
    /// Where the count of flags is remembered ([`remembered_flags`]).
    flags_key: String,
}

/// How many flags each stored quote's audit raised (quote level and lines), by database and
/// quote, at the generation the audit was made at: the home page lists a manager's flagged
/// quotes from it without auditing them again (an audit is work for a heavy-work thread).
#[cfg(feature = "ssr")]
static FLAG_COUNTS: crate::ssr::generation_cache::GenerationCache<usize> =
    crate::ssr::generation_cache::GenerationCache::new();

#[cfg(feature = "ssr")]
fn flag_key(pool: &sqlx::SqlitePool, quote_id: i64) -> String {
    format!("{}|{quote_id}", pool.connect_options().get_filename().display())
}

/// The flags the last audit of a stored quote raised, if it was made at `generation` (nothing
/// the audit reads has changed since).
#[cfg(feature = "ssr")]
pub(crate) fn remembered_flags(pool: &sqlx::SqlitePool, quote_id: i64, generation: i64) -> Option<usize> {
    FLAG_COUNTS.get(&flag_key(pool, quote_id), generation).map(|n| *n)
}

#[cfg(feature = "ssr")]
impl Prepared {
    /// The audit report of the quote (a quote of 15,000 lines takes a while: call off the
    /// async workers).
    pub fn run(self) -> Result<(rules::audit::AuditReport, crate::api::facilities::QuoteDetail), UiError> {
        self.run_with_words().map(|(r, detail, _)| (r, detail))
    }

    /// [`Prepared::run`], with what each line wrote instead of a figure (別途, サービス), in line order.
    pub fn run_with_words(mut self) -> Result<Ran, UiError> {
        use crate::ssr::{context, db};
        let (stored, own) = db::audit_lines::unpack(&self.packed).map_err(context::internal)?;
        let words = stored.iter().map(|l| l.amount_text.clone()).collect();
        // A confirmed quote is one of its peers: its own prices are left out of its fences.
        if self.detail.confirmed {
            self.peers.leave_out(own);
        }
        let (quote, classified) = db::quotes::audit_input(&stored, &self.head, self.detail.tax_inclusive);
        let r = rules::audit::audit_classified(
            &quote,
            &classified,
            &self.ctx,
            &self.bench,
            &self.peers,
            rules::scheme::Catalog::builtin(),
        );
        let flags = r.flags.len() + r.lines.iter().map(|l| l.flags.len()).sum::<usize>();
        FLAG_COUNTS.put(self.flags_key, self.generation, std::sync::Arc::new(flags));
        Ok((r, self.detail, words))
    }
}

/// A stored quote's audit, the quote, and what each line wrote instead of a figure.
#[cfg(feature = "ssr")]
pub type Ran = (rules::audit::AuditReport, crate::api::facilities::QuoteDetail, Vec<Option<String>>);

/// Reads what the audit of a stored quote in the user's scope needs (NotFound outside it).
#[cfg(feature = "ssr")]
pub(crate) async fn prepare(id: i64) -> Result<Prepared, UiError> {
    use crate::ssr::{context, db};
    let user = context::require_permission(rules::access::Permission::ReadFacilities)?;
    let pool = context::pool()?;
    // The scoped detail doubles as the access check.
    let detail =
        db::quotes::detail(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let packed = db::audit_lines::packed(&pool, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let head = db::quotes::written(&pool, id).await.map_err(context::internal)?;
    // The facility's own reader application, contract and milestones decide the scheme.
    let facts = db::provisioning::facts_in_scope(&pool, &user.scope, detail.facility_id).await?;
    let ctx = rules::audit::AuditContext::of_facility(&facts);
    let bench = db::benchmarks::stored(&pool).await.map_err(context::internal)?;
    let (peers, generation) =
        db::peers::for_facility_type_at(&pool, facts.facility_type).await.map_err(context::internal)?;
    let flags_key = flag_key(&pool, id);
    Ok(Prepared { detail, user, ctx, packed, head, bench, peers, generation, flags_key })
}

/// The audit of a stored quote in the user's scope, its lines shown as asked.
#[cfg(feature = "ssr")]
async fn audited(id: i64, shown: Shown) -> Result<QuoteAuditView, UiError> {
    use crate::ssr::{context, db};
    let prepared = prepare(id).await?;
    let pool = context::pool()?;
    let facility_id = prepared.detail.facility_id;
    let siblings = db::quotes::siblings(&pool, facility_id, id).await.map_err(context::internal)?;
    let can_complain = prepared.user.role.may(rules::access::Permission::EditOwnFacilities);
    let today = context::today();
    // Off the async workers, with a deadline: a quote of 15,000 lines is read, audited and shown
    // line by line while the workers answer everyone else.
    crate::ssr::heavy_work::from_context()
        .page(move |_| {
            let (r, detail, words) = prepared.run_with_words()?;
            Ok(view_of(&r, (detail, &words), siblings, can_complain, (shown, today)))
        })
        .await
}

/// What the page shows of a stored quote's audit report.
#[cfg(feature = "ssr")]
fn view_of(
    r: &rules::audit::AuditReport,
    (quote, words): (crate::api::facilities::QuoteDetail, &[Option<String>]),
    siblings: Vec<(i64, String)>,
    can_complain: bool,
    (shown, today): (Shown, chrono::NaiveDate),
) -> QuoteAuditView {
    let opt = |y: Option<rules::Yen>| y.map_or_else(|| "—".to_owned(), |y| y.to_string());
    // One pass over the lines, not one per category.
    let mut sums: std::collections::HashMap<rules::category::Category, rules::Yen> = std::collections::HashMap::new();
    for l in &r.lines {
        let sum = sums.entry(l.category).or_default();
        *sum = *sum + l.amount.unwrap_or_default();
    }
    let by_category = rules::category::Category::ALL
        .into_iter()
        .filter_map(|c| {
            let sum = sums.get(&c)?;
            Some((c.code().to_owned(), c.label_ja().to_owned(), sum.amount().normalize().to_string()))
        })
        .collect();
    let lines: Vec<AuditLineView> = r
        .lines
        .iter()
        .zip(words.iter().chain(std::iter::repeat(&None)))
        .map(|(l, said)| AuditLineView {
            row: l.row,
            description: l.description.clone(),
            category: l.category.code().to_owned(),
            category_label: l.category.label_ja().to_owned(),
            quantity: format!(
                "{}{}",
                l.quantity.map(|q| q.normalize().to_string()).unwrap_or_default(),
                l.unit.clone().unwrap_or_default()
            ),
            unit_price: l.unit_price.map(|p| p.to_string()).unwrap_or_default(),
            amount: l.amount.map(|a| a.to_string()).unwrap_or_default(),
            amount_plain: l.amount.map(|a| a.amount().normalize().to_string()).unwrap_or_default(),
            amount_text: said.clone(),
            eligibility: l.eligibility.label_ja().to_owned(),
            flags: l.flags.iter().map(flag_view).collect(),
        })
        .collect();
    QuoteAuditView {
        id: quote.id,
        facility_id: quote.facility_id,
        can_complain,
        flag_total: r.flags.len() + r.lines.iter().map(|l| l.flags.len()).sum::<usize>(),
        lines_html: if shown == Shown::OnThePage {
            crate::pages::quote_audit::lines_markup(&lines)
        } else {
            String::new()
        },
        lines: if shown == Shown::AsData { lines } else { Vec::new() },
        flags: r.flags.iter().map(flag_view).collect(),
        totals: vec![
            ("小計".into(), opt(r.written.subtotal), r.computed.subtotal.to_string()),
            ("消費税".into(), opt(r.written.tax), r.computed.tax.to_string()),
            ("合計".into(), opt(r.written.total), r.computed.total.to_string()),
        ],
        eligible_total: r.computed.eligible_total.to_string(),
        scheme: format!(
            "{}（{}、上限 {}）",
            r.subsidy.scheme_name.clone().unwrap_or_else(|| "該当なし".into()),
            r.subsidy.rate.label_ja(),
            r.subsidy.cap
        ),
        subsidy: r.subsidy.amount.to_string(),
        self_burden: r.subsidy.self_burden.to_string(),
        burden_line: burden_line(r),
        settlement: r.settlement.as_ref().map(|s| crate::api::settlement_view::SettlementView::of(s, today)),
        notes: notes_besides_assumptions(r),
        by_category,
        siblings,
        quote,
    }
}

/// 自己負担 with its parts in one line; without a settlement, the whole computed total.
#[cfg(feature = "ssr")]
pub fn burden_line(r: &rules::audit::AuditReport) -> String {
    r.settlement.as_ref().map_or_else(|| format!("自己負担 {}", r.subsidy.self_burden), |s| s.burden_line())
}

/// The report's notes less the settlement's assumptions, which the settlement shows itself.
#[cfg(feature = "ssr")]
pub fn notes_besides_assumptions(r: &rules::audit::AuditReport) -> Vec<String> {
    let assumed = r.settlement.as_ref().map_or(&[][..], |s| s.assumptions.as_slice());
    r.notes.iter().filter(|n| !assumed.contains(n)).cloned().collect()
}
