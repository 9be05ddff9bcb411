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
    /// The uploaded file is stored (not a quote entered by hand or made by seed-national).
    pub has_file: bool,
}

/// One page of the facilities the user may see, narrowed as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityList {
    /// The facilities of this page.
    pub rows: Vec<FacilitySummary>,
    /// Where the page stands.
    pub paging: crate::api::paging::Paging,
    /// The filter as applied: type code, prefecture code, search text ("" for none).
    pub applied: [String; 3],
    /// The scope reaches more than one facility: the filter form is shown.
    pub filterable: bool,
    /// What the type and prefecture filters offer.
    pub choices: crate::api::filter_choices::FilterChoices,
}

/// The facilities the user may see: a page of them, narrowed by type, prefecture and a
/// search on name, kana or 医療機関コード.
#[server(prefix = "/api", endpoint = "facilities")]
pub async fn list_facilities(
    facility_type: String,
    prefecture: String,
    search: String,
    page: String,
) -> Result<FacilityList, UiError> {
    use crate::ssr::{context, db};
    use rules::access::{Permission, Scope};
    let user = context::require_permission(Permission::ReadFacilities)?;
    let (facility_type, prefecture) =
        crate::api::dashboard::parse_codes(&facility_type, &prefecture).map_err(UiError::Fields)?;
    let search = Some(search.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = db::facilities::ListFilter { facility_type, prefecture, search };
    let pool = context::pool()?;
    let (rows, paging) = crate::api::paging::page_of(
        &page,
        async || db::facilities::count_visible(&pool, &user.scope, &filter).await.map_err(context::internal),
        async |offset| {
            db::facilities::visible(&pool, &user.scope, &filter, offset, crate::api::paging::ROWS_PER_PAGE)
                .await
                .map_err(context::internal)
        },
    )
    .await?;
    Ok(FacilityList {
        rows,
        paging,
        applied: [filter.facility_type, filter.prefecture, filter.search].map(Option::unwrap_or_default),
        filterable: !matches!(user.scope, Scope::Facility { .. }),
        choices: crate::api::filter_choices::FilterChoices::of(&user.scope),
    })
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
