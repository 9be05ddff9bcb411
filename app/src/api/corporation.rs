//! Server function of the corporation page: all its facilities with stage, next deadline and subsidy estimate.
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
    /// The subsidy at the cap under the scheme its dates give (「上限見込み」).
    pub subsidy_estimate: String,
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
    /// Sum of the estimates.
    pub total_estimate: String,
}

/// The corporation with its facilities in the user's scope (404 when none is).
#[server(prefix = "/api", endpoint = "corporation")]
pub async fn corporation(id: i64) -> Result<CorporationView, UiError> {
    use crate::ssr::{context, db};
    use rules::access::{Permission, Scope};
    use rules::provisioning::next_deadline;
    use rules::scheme::Catalog;
    use rules::subsidy::calculate;
    let user = context::require_permission(Permission::ReadFacilities)?;
    let pool = context::pool()?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM corporations WHERE id = ?")
        .bind(id)
        .fetch_optional(&pool)
        .await
        .map_err(context::internal)?;
    let name = name.ok_or(UiError::NotFound)?;
    let sections = db::provisioning::corporation_sections(&pool, &user.scope, id).await.map_err(context::internal)?;
    if sections.is_empty() {
        return Err(UiError::NotFound);
    }
    let catalog = Catalog::builtin();
    let today = context::today();
    let mut facilities = Vec::new();
    let mut total = rules::Yen::ZERO;
    for (f, a, p) in sections {
        let facts = db::provisioning::facts(&f, a.as_ref(), &p);
        let readers = facts.readers.clamp(1, facts.facility_type.free_readers());
        let cap = catalog
            .schemes
            .iter()
            .filter_map(|s| s.cap_for(facts.facility_type, readers))
            .max()
            .unwrap_or(rules::Yen::ZERO);
        let estimate = calculate(catalog, &facts.subsidy_input(cap)).map(|o| o.subsidy).unwrap_or(rules::Yen::ZERO);
        total = total + estimate;
        facilities.push(CorporationFacility {
            id: f.id,
            name: f.name.clone(),
            facility_type: facts.facility_type.label_ja().to_owned(),
            stage: facts.effective_stage().label_ja().to_owned(),
            next: next_deadline(catalog, &facts, today).map(|d| crate::api::provisioning::deadline_view(&d)),
            subsidy_estimate: format!("{}（{}）", estimate, estimate.format_man()),
            applied: a.is_some(),
        });
    }
    Ok(CorporationView {
        id,
        name,
        facilities,
        can_edit: matches!(user.scope, Scope::Corporation { id: own } if own == id)
            && user.role.may(Permission::EditOwnFacilities),
        makers: db::provisioning::makers(&pool).await.map_err(context::internal)?,
        total_estimate: format!("{}（{}）", total, total.format_man()),
    })
}
