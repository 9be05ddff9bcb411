//! Server function of the auditor's view of the audit trail.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per page.
pub const PER_PAGE: u32 = 50;

/// One row of the audit trail as the page shows it, in Japanese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailEntry {
    /// Position in the chain.
    pub id: i64,
    /// When, in Japan time with the era (`令和4年10月12日 10:02`).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What, in Japanese.
    pub action: String,
    /// Which kind of record, in Japanese.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// The fields that changed: (field, before, after), in Japanese.
    pub changes: Vec<crate::audit_words::FieldChange>,
    /// This row's hash.
    pub hash: String,
}

/// A page of the trail with the total count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailPage {
    /// The rows, newest first.
    pub entries: Vec<TrailEntry>,
    /// Rows matching the filter.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
}

/// A page of the audit trail, for auditors; dates are YYYY-MM-DD or 和暦, empty for any.
#[server(prefix = "/api", endpoint = "audit_trail")]
pub async fn audit_trail(
    entity: String,
    actor: String,
    action: String,
    from: String,
    to: String,
    page: u32,
) -> Result<TrailPage, UiError> {
    use crate::ssr::{audit_log, context};
    context::require_permission(rules::access::Permission::Audit)?;
    let filter = filter_from(&entity, &actor, &action, &from, &to)?;
    let pool = context::pool()?;
    let page = page.max(1);
    let total = audit_log::count(&pool, &filter).await.map_err(context::internal)?;
    let rows = audit_log::list(&pool, &filter, PER_PAGE, u64::from(page - 1) * u64::from(PER_PAGE))
        .await
        .map_err(context::internal)?;
    Ok(TrailPage {
        entries: rows
            .into_iter()
            .map(|r| TrailEntry {
                id: r.id,
                at: rules::format_timestamp_jst(&r.at),
                actor: r.actor_label,
                action: crate::audit_words::action_ja(&r.action),
                entity: crate::audit_words::entity_ja(&r.entity),
                entity_id: r.entity_id,
                changes: crate::audit_words::changes(r.before_json.as_deref(), r.after_json.as_deref()),
                hash: r.hash,
            })
            .collect(),
        total,
        page,
    })
}

/// The filter of the page and of the CSV export, from the form's text fields.
#[cfg(feature = "ssr")]
pub fn filter_from(
    entity: &str,
    actor: &str,
    action: &str,
    from: &str,
    to: &str,
) -> Result<crate::ssr::audit_log::LogFilter, UiError> {
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let day = |s: &str, what: &str| -> Result<Option<chrono::NaiveDate>, UiError> {
        match text(s) {
            None => Ok(None),
            Some(t) => rules::parse_date(&t).map(Some).map_err(|e| UiError::Invalid(format!("{what}: {e}"))),
        }
    };
    Ok(crate::ssr::audit_log::LogFilter {
        entity: text(entity),
        actor: text(actor),
        action: text(action),
        from: day(from, "開始日")?,
        to: day(to, "終了日")?,
    })
}
