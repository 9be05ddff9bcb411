//! Server functions for facilities and their quotes, scoped to the signed-in user.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A facility in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilitySummary {
    /// Database id.
    pub id: i64,
    /// 医療機関コード.
    pub code: String,
    /// Name.
    pub name: String,
    /// Facility type code.
    pub facility_type: String,
    /// Prefecture code.
    pub prefecture: String,
    /// Corporation name, if any.
    pub corporation: Option<String>,
    /// Bills online (under the 2023-04-01 obligation).
    pub online_billing: bool,
    /// Where its rollout stands (the stage's Japanese label), in lists.
    pub stage: Option<String>,
}

/// A quote in a facility's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct QuoteSummary {
    /// Database id.
    pub id: i64,
    /// File as uploaded.
    pub file_name: String,
    /// Vendor name.
    pub vendor: Option<String>,
    /// 見積日.
    pub quote_date: Option<String>,
    /// When it was stored.
    pub created_at: String,
    /// Confirmed by the facility.
    pub confirmed: bool,
    /// Number of lines.
    pub lines: i64,
}

/// A facility with its quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityDetail {
    /// The list fields.
    pub summary: FacilitySummary,
    /// Name in kana.
    pub kana: String,
    /// Address.
    pub address: String,
    /// Its corporation's id.
    pub corporation_id: Option<i64>,
    /// Its quotes, newest first.
    pub quotes: Vec<QuoteSummary>,
    /// The user may edit it and enter quotes (a manager of the facility).
    pub can_edit: bool,
}

/// A stored quote: what its page shows above the audit (the lines come with the audit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct QuoteDetail {
    /// Database id.
    pub id: i64,
    /// Its facility.
    pub facility_id: i64,
    /// The facility's name.
    pub facility_name: String,
    /// File as uploaded.
    pub file_name: String,
    /// Vendor.
    pub vendor: Option<String>,
    /// 見積日.
    pub quote_date: Option<String>,
    /// Prices include tax.
    pub tax_inclusive: bool,
    /// Confirmed by the facility.
    pub confirmed: bool,
}

/// The facilities the user may see.
#[server(prefix = "/api", endpoint = "facilities")]
pub async fn list_facilities() -> Result<Vec<FacilitySummary>, UiError> {
    use crate::ssr::{context, db};
    use rules::access::Permission;
    let user = context::require_permission(Permission::ReadFacilities)?;
    db::facilities::visible(&context::pool()?, &user.scope).await.map_err(context::internal)
}

/// One facility, or [`UiError::NotFound`] when it does not exist or is outside the user's scope.
#[server(prefix = "/api", endpoint = "facility")]
pub async fn facility(id: i64) -> Result<FacilityDetail, UiError> {
    use crate::ssr::{context, db};
    use rules::access::Permission;
    let user = context::require_permission(Permission::ReadFacilities)?;
    let mut conn = context::pool()?.acquire().await.map_err(context::internal)?;
    let mut detail = db::facilities::detail(&mut conn, &user.scope, id)
        .await
        .map_err(context::internal)?
        .ok_or(UiError::NotFound)?;
    detail.can_edit = user.role.may(Permission::EditOwnFacilities);
    Ok(detail)
}
