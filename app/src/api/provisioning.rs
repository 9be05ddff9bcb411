//! Server functions of the reader-provisioning flow: application, stages, 猶予, deadlines.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A deadline as the banner and the list show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineView {
    /// Kind code.
    pub kind: String,
    /// What to do.
    pub label: String,
    /// Due, 和暦 with the western date.
    pub due: String,
    /// Status code: met, upcoming, due_soon, missed.
    pub status: String,
    /// Status in Japanese.
    pub status_label: String,
    /// What missing it costs.
    pub consequence: Option<String>,
    /// Where the date comes from.
    pub source: String,
}

/// The reader application as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationView {
    /// Date.
    pub applied_on: String,
    /// Readers applied for.
    pub readers: u8,
    /// Readers free of charge.
    pub free: u8,
    /// Readers at the facility's own cost.
    pub own_cost: u8,
    /// Maker name, or None for 機種未定.
    pub maker: Option<String>,
    /// 機種未定.
    pub model_undecided: bool,
    /// Model chosen on.
    pub model_chosen_on: Option<String>,
    /// 一括申請 declared on.
    pub bulk_declared_on: Option<String>,
    /// Expected delivery (~4 months after the application, seeds/002).
    pub expected_delivery: Option<String>,
}

/// Everything the facility page shows of the provisioning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressView {
    /// Facility id.
    pub facility_id: i64,
    /// Stage code.
    pub stage: String,
    /// Stage label.
    pub stage_label: String,
    /// The application, if any.
    pub application: Option<ApplicationView>,
    /// Vendor doing the work.
    pub vendor: Option<String>,
    /// Milestones, 和暦.
    pub milestones: Vec<(String, String)>,
    /// The current blocker, in words.
    pub blocker: Option<String>,
    /// 猶予届出, in words.
    pub grace: Option<String>,
    /// Timeline: (stage label, date).
    pub events: Vec<(String, String)>,
    /// Every deadline.
    pub deadlines: Vec<DeadlineView>,
    /// The banner's deadline.
    pub next: Option<DeadlineView>,
    /// 原則義務化 status.
    pub obligation: String,
    /// Whether the user may edit (a manager of the facility).
    pub can_edit: bool,
    /// Reader makers: (code, name).
    pub makers: Vec<(String, String)>,
    /// Vendors: (id, name).
    pub vendors: Vec<(i64, String)>,
    /// The subsidy, the 自己負担 and the payback, from the same facts.
    pub money: crate::api::facility_money::MoneyView,
    /// Blocker reasons of seed 002: (stage, code, label).
    pub blockers: Vec<(String, String, String)>,
}

#[cfg(feature = "ssr")]
pub(crate) fn deadline_view(d: &rules::provisioning::Deadline) -> DeadlineView {
    DeadlineView {
        kind: d.kind.code().to_owned(),
        label: d.label_ja.clone(),
        due: rules::format_wareki_with_western(d.due),
        status: d.status.code().to_owned(),
        status_label: d.status.label_ja().to_owned(),
        consequence: d.consequence_ja.clone(),
        source: d.source.clone(),
    }
}

/// The provisioning of a facility in the user's scope.
#[server(prefix = "/api", endpoint = "facility_progress")]
pub async fn facility_progress(id: i64) -> Result<ProgressView, UiError> {
    use crate::ssr::{context, db};
    use rules::access::Permission;
    use rules::provisioning::{Stage, deadlines, next_of, obligation_status};
    use rules::scheme::Catalog;
    let user = context::require_permission(Permission::ReadFacilities)?;
    // One connection for the section's queries: each release to the pool costs sqlx a
    // round trip to the connection's thread (BENCHMARKS.md, load test).
    let mut conn = context::pool()?.acquire().await.map_err(context::internal)?;
    let (f, app, p) = db::provisioning::section(&mut *conn, &user.scope, id).await?;
    let facts = db::provisioning::facts(&f, app.as_ref(), &p);
    let today = context::today();
    let catalog = Catalog::builtin();
    let wareki = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(rules::format_wareki_with_western)
    };
    let application = app.as_ref().map(|a| {
        let readers = u8::try_from(a.readers).unwrap_or(u8::MAX);
        let ent = rules::readers::entitlement(facts.facility_type, readers);
        ApplicationView {
            applied_on: wareki(&Some(a.applied_on.clone())).unwrap_or_default(),
            readers,
            free: ent.free,
            own_cost: ent.own_cost,
            maker: a.maker_name.clone(),
            model_undecided: a.model_undecided,
            model_chosen_on: wareki(&a.model_chosen_on),
            bulk_declared_on: wareki(&a.bulk_declared_on),
            expected_delivery: facts
                .reader_applied_on
                .and_then(|d| d.checked_add_months(chrono::Months::new(rules::readers::DELIVERY_MONTHS)))
                .map(rules::format_wareki_with_western),
        }
    });
    let milestones = [
        ("ベンダー契約", &p.vendor_contract_on),
        ("導入完了", &p.completed_on),
        ("運用開始", &p.operation_started_on),
        ("交付申請", &p.subsidy_applied_on),
    ]
    .into_iter()
    .filter_map(|(label, d)| wareki(d).map(|d| (label.to_owned(), d)))
    .collect();
    // The lists below feed the edit forms; a reader of the page needs at most a blocker's label.
    let can_edit = user.role.may(Permission::EditOwnFacilities);
    let reference = if can_edit || p.blocker_code.is_some() {
        let pool = context::pool()?;
        Some(db::provisioning::reference_lists(&pool, &mut conn).await.map_err(context::internal)?)
    } else {
        None
    };
    let lists = reference.as_ref().and_then(|r| r.get());
    let blockers = lists.map(|l| l.blockers.clone()).unwrap_or_default();
    let blocker = p.blocker_text.clone().filter(|t| !t.is_empty()).or_else(|| {
        p.blocker_code
            .as_ref()
            .and_then(|c| blockers.iter().find(|(s, code, _)| *s == p.stage && code == c).map(|(_, _, l)| l.clone()))
    });
    let grace = facts.grace.as_ref().map(|g| {
        let name = catalog.grace_type(g.kind).map(|i| i.name_ja.as_str()).unwrap_or("");
        format!(
            "{}（{}）{}{}",
            g.kind,
            name,
            if g.accepted { "・受理済" } else { "・受理待ち" },
            g.until.map(|u| format!("・{}まで", rules::format_wareki(u))).unwrap_or_default()
        )
    });
    let events = db::provisioning::events(&mut *conn, id)
        .await
        .map_err(context::internal)?
        .into_iter()
        .map(|e| {
            let label = e.stage.parse::<Stage>().map(Stage::label_ja).unwrap_or("");
            (label.to_owned(), wareki(&Some(e.reached_on)).unwrap_or_default())
        })
        .collect();
    let stage = facts.effective_stage();
    let all_deadlines = deadlines(catalog, &facts, today);
    let money = crate::api::facility_money::money_of(&mut conn, &facts, id, can_edit).await?;
    Ok(ProgressView {
        money,
        facility_id: id,
        stage: stage.code().to_owned(),
        stage_label: stage.label_ja().to_owned(),
        application,
        vendor: p.vendor_name.clone(),
        milestones,
        blocker,
        grace,
        events,
        next: next_of(&all_deadlines).as_ref().map(deadline_view),
        deadlines: all_deadlines.iter().map(deadline_view).collect(),
        obligation: obligation_status(catalog, &facts, today).label_ja(),
        can_edit,
        makers: if can_edit { lists.map(|l| l.makers.clone()).unwrap_or_default() } else { Vec::new() },
        vendors: if can_edit {
            db::provisioning::vendors(&mut *conn, user.id).await.map_err(context::internal)?
        } else {
            Vec::new()
        },
        blockers,
    })
}

#[cfg(feature = "ssr")]
async fn editable(id: i64) -> Result<(crate::SessionUser, crate::ssr::audit_log::Actor, sqlx::SqlitePool), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::provisioning::facility_in_scope(&pool, &user.scope, id).await?;
    let actor = Actor::user(user.id, user.email.clone());
    Ok((user, actor, pool))
}

#[cfg(feature = "ssr")]
fn required_day(field: &'static str, text: &str) -> Result<String, UiError> {
    rules::parse_date(text.trim())
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|e| UiError::Fields(vec![(field.to_owned(), e.to_string())]))
}

#[cfg(feature = "ssr")]
fn optional_day(field: &'static str, text: &str) -> Result<Option<String>, UiError> {
    if text.trim().is_empty() { Ok(None) } else { required_day(field, text).map(Some) }
}

/// Applies for readers (機種未定 when `maker` is empty) for one facility, or for
/// several facilities of the same corporation at once (一括申請: `facility_ids`
/// lists them, comma-separated).
#[server(prefix = "/api", endpoint = "apply_reader")]
pub async fn apply_reader(
    facility_ids: String,
    applied_on: String,
    readers: String,
    maker: String,
    bulk_declared_on: String,
) -> Result<(), UiError> {
    let ids: Vec<i64> = facility_ids.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    let values = [
        ("facility_ids", facility_ids.as_str()),
        ("applied_on", &applied_on),
        ("readers", &readers),
        ("maker", &maker),
        ("bulk_declared_on", &bulk_declared_on),
    ];
    apply_for(ids, &applied_on, &readers, &maker, &bulk_declared_on).await.map_err(|e| e.keeping(values))
}

/// 一括申請: one application for the checked facilities of a corporation
/// (checkboxes `selected[<facility id>]`).
#[server(prefix = "/api", endpoint = "bulk_apply_readers")]
pub async fn bulk_apply_readers(
    selected: Option<std::collections::BTreeMap<String, String>>,
    applied_on: String,
    readers: String,
    maker: String,
    bulk_declared_on: String,
) -> Result<(), UiError> {
    let ids: Vec<i64> = selected.unwrap_or_default().keys().filter_map(|k| k.parse().ok()).collect();
    let mut values: Vec<(String, String)> = ids.iter().map(|id| (format!("selected[{id}]"), "on".to_owned())).collect();
    values.extend(
        [
            ("applied_on", &applied_on),
            ("readers", &readers),
            ("maker", &maker),
            ("bulk_declared_on", &bulk_declared_on),
        ]
        .map(|(k, v)| (k.to_owned(), v.clone())),
    );
    apply_for(ids, &applied_on, &readers, &maker, &bulk_declared_on).await.map_err(|e| e.keeping(values))
}

#[cfg(feature = "ssr")]
async fn apply_for(
    ids: Vec<i64>,
    applied_on: &str,
    readers: &str,
    maker: &str,
    bulk_declared_on: &str,
) -> Result<(), UiError> {
    use crate::ssr::db;
    let Some(&first) = ids.first() else {
        return Err(UiError::Invalid("施設を選んでください".into()));
    };
    let mut actor_user = None;
    for &id in &ids {
        actor_user = Some(editable(id).await?);
    }
    let Some((user, actor, pool)) = actor_user else { return Err(UiError::NotFound) };
    let applied = required_day("applied_on", applied_on)?;
    let readers: u8 = readers
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=20).contains(n))
        .ok_or_else(|| UiError::Fields(vec![("readers".into(), "台数は1〜20の数字で入力してください".into())]))?;
    let maker = Some(maker.trim()).filter(|m| !m.is_empty());
    if maker.is_none() {
        // 機種未定 existed only 2021-03-01..31 (the scheme's route, seeds/001).
        let route = rules::scheme::Catalog::builtin()
            .schemes
            .iter()
            .flat_map(|s| s.routes.iter())
            .find(|r| r.model_undecided == Some(true))
            .and_then(|r| r.reader_applied);
        let day = chrono::NaiveDate::parse_from_str(&applied, "%Y-%m-%d").ok();
        if let (Some(w), Some(d)) = (route, day)
            && !w.contains(d)
        {
            return Err(UiError::Fields(vec![(
                "maker".into(),
                format!("「機種未定」での申込は{}だけ可能でした。機種を選んでください", w.describe_ja()),
            )]));
        }
    }
    let bulk = optional_day("bulk_declared_on", bulk_declared_on)?;
    let batch = (ids.len() > 1).then(|| format!("bulk-{}-{}", user.id, applied));
    let input = db::provisioning::ApplicationInput {
        applied_on: &applied,
        readers,
        maker,
        bulk_declared_on: bulk.as_deref(),
        bulk_batch: batch.as_deref(),
    };
    db::provisioning::apply_readers(&pool, &actor, user.id, &ids, &input).await?;
    if ids.len() == 1 {
        leptos_axum::redirect(&format!("/facilities/{first}"));
    }
    Ok(())
}

/// Chooses the model of a 機種未定 application.
#[server(prefix = "/api", endpoint = "choose_model")]
pub async fn choose_model(facility_id: i64, maker: String, chosen_on: String) -> Result<(), UiError> {
    use crate::ssr::db;
    let (_, actor, pool) = editable(facility_id).await?;
    let values = [("maker", maker.as_str()), ("chosen_on", &chosen_on)];
    async {
        let on = required_day("chosen_on", &chosen_on)?;
        if maker.trim().is_empty() {
            return Err(UiError::Fields(vec![("maker".into(), "機種（メーカー）を選んでください".into())]));
        }
        db::provisioning::choose_model(&pool, &actor, facility_id, maker.trim(), &on).await
    }
    .await
    .map_err(|e| e.keeping(values))
}

/// Records a stage reached (with vendor and blocker).
#[server(prefix = "/api", endpoint = "record_stage")]
pub async fn record_stage(
    facility_id: i64,
    stage: String,
    reached_on: String,
    vendor_id: String,
    blocker_code: String,
    blocker_text: String,
) -> Result<(), UiError> {
    use crate::ssr::db;
    let (user, actor, pool) = editable(facility_id).await?;
    let values = [
        ("stage", stage.as_str()),
        ("reached_on", &reached_on),
        ("vendor_id", &vendor_id),
        ("blocker_code", &blocker_code),
        ("blocker_text", &blocker_text),
    ];
    async {
        let stage = stage
            .parse::<rules::provisioning::Stage>()
            .map_err(|_| UiError::Fields(vec![("stage".into(), "段階を選んでください".into())]))?;
        let on = required_day("reached_on", &reached_on)?;
        let input = db::provisioning::StageInput {
            stage,
            on: &on,
            vendor_id: vendor_id.trim().parse().ok(),
            blocker_code: Some(blocker_code.trim()).filter(|s| !s.is_empty()),
            blocker_text: Some(blocker_text.trim()).filter(|s| !s.is_empty()),
        };
        db::provisioning::record_stage(&pool, &actor, user.id, facility_id, &input).await
    }
    .await
    .map_err(|e| e.keeping(values))
}

/// Records a 猶予届出 (type 1–6, or empty to clear).
#[server(prefix = "/api", endpoint = "set_grace")]
pub async fn set_grace(
    facility_id: i64,
    grace_type: String,
    accepted: Option<String>,
    until: String,
) -> Result<(), UiError> {
    use crate::ssr::db;
    let (_, actor, pool) = editable(facility_id).await?;
    let kind = match grace_type.trim() {
        "" => None,
        t => Some(
            t.parse::<rules::GraceType>().map_err(|e| UiError::Fields(vec![("grace_type".into(), e.to_string())]))?,
        ),
    };
    let until = optional_day("until", &until)?;
    db::provisioning::set_grace(&pool, &actor, facility_id, kind, accepted.is_some(), until.as_deref()).await
}
