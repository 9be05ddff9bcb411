//! Server functions of 事業者の確認: an admin reviews the vendors managers typed in before
//! they join the list every corporation picks from.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A vendor waiting for review, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorToReview {
    /// Vendor id.
    pub id: i64,
    /// The name as typed.
    pub name: String,
    /// Who typed it (e-mail), if known.
    pub added_by: Option<String>,
    /// Confirmed quotes that name it.
    pub quotes: i64,
}

/// Vendors typed in by managers that no admin has reviewed yet, oldest first.
#[server(prefix = "/api", endpoint = "vendors_to_review")]
pub async fn vendors_to_review() -> Result<Vec<VendorToReview>, UiError> {
    use crate::ssr::context;
    context::require_permission(rules::access::Permission::Administer)?;
    let rows: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT v.id, v.name, u.email, (SELECT count(*) FROM quotes q WHERE q.vendor_id = v.id)
         FROM vendors v LEFT JOIN users u ON u.id = v.added_by WHERE v.reviewed = 0 ORDER BY v.id LIMIT 500",
    )
    .fetch_all(&context::pool()?)
    .await
    .map_err(context::internal)?;
    Ok(rows.into_iter().map(|(id, name, added_by, quotes)| VendorToReview { id, name, added_by, quotes }).collect())
}

/// Accepts a vendor into the shared list under `name` (the name as typed, or corrected).
#[server(prefix = "/api", endpoint = "review_vendor")]
pub async fn review_vendor(vendor_id: i64, name: String) -> Result<(), UiError> {
    use crate::ssr::audit_log::{self, Actor, Change};
    use crate::ssr::context::{self, internal};
    let user = context::require_permission(rules::access::Permission::Administer)?;
    let name = crate::api::quote_draft::checked_vendor_name(&name, "name")?;
    let pool = context::pool()?;
    let mut tx = audit_log::begin(&pool).await.map_err(internal)?;
    let before: Option<String> = sqlx::query_scalar("SELECT name FROM vendors WHERE id = ? AND reviewed = 0")
        .bind(vendor_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
    let Some(before) = before else { return Err(UiError::NotFound) };
    sqlx::query("UPDATE vendors SET name = ?, reviewed = 1 WHERE id = ?")
        .bind(name.as_str())
        .bind(vendor_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let change = Change {
        action: "review",
        entity: "vendor",
        entity_id: vendor_id.to_string(),
        before: Some(serde_json::json!({"name": before, "reviewed": false})),
        after: Some(serde_json::json!({"name": name, "reviewed": true})),
    };
    audit_log::record(&mut tx, &Actor::user(user.id, user.email.clone()), change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    leptos_axum::redirect("/admin/vendors");
    Ok(())
}
