//! Server function of the corporation page: all its facilities with stage, next deadline, and
//! the subsidy and 自己負担 each facility page shows (the estimate at the cap for those without
//! a quote).
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use crate::api::provisioning::DeadlineView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One facility of the corporation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorporationFacility {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Type label.
    pub facility_type: String,
    /// Stage label.
    pub stage: String,
    /// The banner's deadline.
    pub next: Option<DeadlineView>,
    /// The costs the figures are computed on; None: no quote yet.
    pub basis: Option<crate::api::facility_money::CostBasisView>,
    /// The subsidy on the facility's costs, as its page shows it.
    pub subsidy: Option<String>,
    /// The 自己負担 on the facility's costs, as its page shows it.
    pub self_burden: Option<String>,
    /// Without a quote: the subsidy at the cap under the scheme its dates give (「上限見込み」).
    pub cap_estimate: Option<String>,
    /// Why the facility's facts cannot be calculated.
    pub error: Option<String>,
    /// Has a reader application.
    pub applied: bool,
}

/// The corporation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorporationView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its facilities the user may see.
    pub facilities: Vec<CorporationFacility>,
    /// The user manages the corporation (may apply in bulk).
    pub can_edit: bool,
    /// Reader makers: (code, name).
    pub makers: Vec<(String, String)>,
    /// Sum of the subsidies of the facilities with costs.
    pub total_subsidy: String,
    /// Sum of their 自己負担.
    pub total_self_burden: String,
    /// Facilities counted in those two sums.
    pub with_costs: usize,
    /// Sum of the estimates at the cap of the facilities without a quote.
    pub total_estimate: String,
    /// Facilities counted in it.
    pub without_costs: usize,
}

/// The corporation with its facilities in the user's scope (404 when none is).
#[server(prefix = "/api", endpoint = "corporation")]
pub async fn corporation(id: i64) -> Result<CorporationView, UiError> {
    use crate::ssr::facility_settlement::FacilitySettlement;
    use crate::ssr::{context, db};
    use rules::Yen;
    use rules::access::{Permission, Scope};
    use rules::provisioning::next_deadline;
    use rules::scheme::Catalog;
    let user = context::require_permission(Permission::ReadFacilities)?;
    let mut conn = context::pool()?.acquire().await.map_err(context::internal)?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM corporations WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(context::internal)?;
    let name = name.ok_or(UiError::NotFound)?;
    let sections =
        db::provisioning::corporation_sections(&mut *conn, &user.scope, id).await.map_err(context::internal)?;
    if sections.is_empty() {
        return Err(UiError::NotFound);
    }
    // Every facility's quote in one statement: the ids come from the scoped sections.
    let ids: Vec<i64> = sections.iter().map(|(f, _, _)| f.id).collect();
    let chosen = db::cost_sets::chosen(&mut *conn, &ids).await.map_err(context::internal)?;
    let catalog = Catalog::builtin();
    let today = context::today();
    let mut facilities = Vec::new();
    let (mut total_subsidy, mut total_self_burden, mut total_estimate) = (Yen::ZERO, Yen::ZERO, Yen::ZERO);
    let (mut with_costs, mut without_costs) = (0, 0);
    for (f, a, p) in sections {
        let facts = db::provisioning::facts(&f, a.as_ref(), &p);
        let settled = FacilitySettlement::of(catalog, &facts, chosen.iter().find(|c| c.facility_id == f.id));
        if let (Some(subsidy), Some(burden)) = (settled.subsidy(), settled.self_burden()) {
            total_subsidy = total_subsidy + subsidy;
            total_self_burden = total_self_burden + burden;
            with_costs += 1;
        }
        if let Some(estimate) = settled.cap_estimate() {
            total_estimate = total_estimate + estimate;
            without_costs += 1;
        }
        facilities.push(CorporationFacility {
            id: f.id,
            name: f.name.clone(),
            facility_type: facts.facility_type.label_ja().to_owned(),
            stage: facts.effective_stage().label_ja().to_owned(),
            next: next_deadline(catalog, &facts, today).map(|d| crate::api::provisioning::deadline_view(&d)),
            basis: settled.costs.as_ref().map(|c| crate::api::facility_money::CostBasisView {
                label: c.basis.label_ja().to_owned(),
                quote_id: c.quote_id,
            }),
            subsidy: settled.subsidy().map(|y| y.to_string()),
            self_burden: settled.self_burden().map(|y| y.to_string()),
            cap_estimate: settled.cap_estimate().map(|y| y.to_string()),
            error: settled.settlement.as_ref().err().map(ToString::to_string),
            applied: a.is_some(),
        });
    }
    Ok(CorporationView {
        id,
        name,
        facilities,
        can_edit: matches!(user.scope, Scope::Corporation { id: own } if own == id)
            && user.role.may(Permission::EditOwnFacilities),
        makers: db::provisioning::makers(&mut *conn).await.map_err(context::internal)?,
        total_subsidy: format!("{}（{}）", total_subsidy, total_subsidy.format_man()),
        total_self_burden: format!("{}（{}）", total_self_burden, total_self_burden.format_man()),
        with_costs,
        total_estimate: format!("{}（{}）", total_estimate, total_estimate.format_man()),
        without_costs,
    })
}
