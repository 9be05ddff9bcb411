//! The 交付申請 of a synthetic facility that finished and paid its vendor: the package is
//! prepared by the same rules as a manager's (`rules::application::prepare`) from the facility's
//! generated facts and paid quote, so every synthetic application reads, prints and totals like
//! a real one.
//!
//! The seeds publish no counts of 交付申請 or 交付決定: of the prepared applications 1 in 10 is
//! left a draft, 3 in 10 are submitted and 6 in 10 paid in full ([`STATUS_WEIGHTS`], assumption).
//! Submission follows the 申請日 by 0–14 days and payment the submission by 30–150 days
//! (assumption). As in the app, only a submitted application records the facility's 交付申請
//! date (`db::applications::submit`), so a draft's facility has none; a facility the rules
//! refuse (finished or applied after its deadline) keeps its paid quote and gets no application.

use super::context::{Context, Day};
use super::generate::{ApplicationRow, FacilityRow, LineRow, ProgressRow, QuoteRow};
use super::rng::Rng;
use rules::application::{Applicant, ApplicationStatus, CostLine, FinalCosts, Package, Request, prepare};
use rules::category::Category;
use rules::provisioning::{Grace, ProvisioningFacts};
use rules::{GraceType, Prefecture, Yen};

/// Weights of a prepared application's status, in the order of [`ApplicationStatus::ALL`]
/// (draft, submitted, paid; assumption, see above).
pub const STATUS_WEIGHTS: [u64; 3] = [1, 3, 6];

/// A prepared application and where it stands.
#[derive(Debug, Clone)]
pub struct SubsidyRow {
    /// Facility (index in the batch).
    pub facility: u32,
    /// The paid quote (index in the batch).
    pub quote: u32,
    /// Status.
    pub status: ApplicationStatus,
    /// 提出日.
    pub submitted_on: Option<Day>,
    /// 交付日.
    pub paid_on: Option<Day>,
    /// The package as prepared.
    pub package: Package,
    /// The package as JSON, as `db::applications::save_draft` stores it.
    pub package_json: String,
}

/// What one facility's generation produced that an application reads.
pub struct Finished<'a> {
    /// Index of the facility in the batch.
    pub index: u32,
    /// The facility.
    pub facility: &'a FacilityRow,
    /// Its reader application.
    pub reader_application: Option<&'a ApplicationRow>,
    /// Its progress (交付申請 date set).
    pub progress: &'a ProgressRow,
    /// Index of the paid quote in the batch.
    pub quote_index: u32,
    /// The paid quote.
    pub quote: &'a QuoteRow,
    /// Its lines.
    pub lines: &'a [LineRow],
}

/// The facility's application, or None when the rules refuse it. `rng` is the facility's stream.
pub fn application(ctx: &Context, rng: &mut Rng, f: &Finished<'_>) -> Option<SubsidyRow> {
    let days = &ctx.days;
    let applied_on = f.progress.subsidy_applied?;
    let status = ApplicationStatus::ALL[rng.weighted(&STATUS_WEIGHTS)];
    let submitted_on = status.is_sent().then(|| days.add(applied_on, rng.between(0, 14)));
    let paid_on =
        (status == ApplicationStatus::Paid).then(|| days.add(submitted_on.unwrap_or(applied_on), rng.between(30, 150)));
    // A draft's facts are those of a facility that has not applied yet.
    let facts = facts(ctx, f, status.is_sent().then_some(applied_on));
    let readers = rules::readers::entitlement(facts.facility_type, facts.readers).free.max(1);
    let costs = FinalCosts {
        lines: f
            .lines
            .iter()
            .map(|l| {
                let amount = l.amount();
                let signed = if l.category == Category::Discount && amount > 0 { -amount } else { amount };
                CostLine { category: l.category, description: l.description.to_owned(), amount: Yen::from(signed) }
            })
            .collect(),
        tax_inclusive: false,
        paid_on: f.quote.paid_on.map(|d| days.date(d)),
        payee: ctx.vendor_names.get(&f.quote.vendor).cloned(),
    };
    let request = Request { facts: &facts, costs: &costs, readers_claimed: readers, applied_on: days.date(applied_on) };
    let package = prepare(rules::scheme::Catalog::builtin(), applicant(ctx, f.facility), request).ok()?;
    let package_json = serde_json::to_string(&package).ok()?;
    Some(SubsidyRow { facility: f.index, quote: f.quote_index, status, submitted_on, paid_on, package, package_json })
}

/// The facts `db::provisioning::facts` reads from the rows this facility's batch writes.
fn facts(ctx: &Context, f: &Finished<'_>, subsidy_applied: Option<Day>) -> ProvisioningFacts {
    let days = &ctx.days;
    let p = f.progress;
    let mut facts = ProvisioningFacts::new(f.facility.kind, f.facility.online_billing);
    if let Some(a) = f.reader_application {
        facts.readers = a.readers;
        facts.reader_applied_on = Some(days.date(a.applied_on));
        facts.model_undecided = a.model_undecided;
        facts.model_chosen_on = Some(days.date(a.model_chosen_on));
        facts.bulk_declared_on = a.bulk.map(|(on, _)| days.date(on));
    }
    facts.vendor_contract_on = p.contract.map(|d| days.date(d));
    facts.completed_on = p.completed.map(|d| days.date(d));
    facts.operation_started_on = p.operating.map(|d| days.date(d));
    facts.subsidy_applied_on = subsidy_applied.map(|d| days.date(d));
    // Written accepted, without an end day (write.rs, ProgressRow).
    facts.grace =
        p.grace_type.and_then(|t| GraceType::new(t).ok()).map(|kind| Grace { kind, accepted: true, until: None });
    facts.stage = p.stage;
    facts
}

/// Who applies, as `db::applications::applicant_and_facts` reads it.
fn applicant(ctx: &Context, f: &FacilityRow) -> Applicant {
    let prefecture = Prefecture::all().nth(f.prefecture).map_or_else(String::new, |p| p.name_ja().to_owned());
    let founder = f
        .corporation
        .and_then(|id| ctx.chains.iter().find(|c| c.id == id))
        .map_or_else(|| f.name.clone(), |c| c.name.clone());
    Applicant {
        founder,
        name: f.name.clone(),
        facility_code: f.code.clone(),
        facility_type: f.kind,
        prefecture,
        address: f.address.clone(),
        representative_name: String::new(),
        representative_title: String::new(),
        phone: String::new(),
        contact_person: String::new(),
    }
}
