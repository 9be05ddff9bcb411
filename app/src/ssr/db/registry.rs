//! Queries on the registry of insured facilities (`registry_facilities`, its history and its
//! imports). An import is one transaction: every facility of the lists, its changes as history
//! and in the audit trail, or nothing.

use crate::api::registry::{ImportSummary, RegistryRecord};
use crate::ssr::audit_log::{self, Actor, Change};
use rules::registry::{ListedStatus, Refused, RegistryEntry};
use serde_json::json;
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(sqlx::FromRow)]
struct Row {
    facility_code: String,
    name: String,
    prefecture: String,
    facility_type: String,
    postal_code: String,
    address: String,
    phone: String,
    status: String,
    as_of: Option<String>,
    gone_since: Option<String>,
    source: String,
}

impl Row {
    fn record(self) -> RegistryRecord {
        RegistryRecord {
            code: self.facility_code,
            name: self.name,
            prefecture: self.prefecture,
            facility_type: self.facility_type,
            postal_code: self.postal_code,
            address: self.address,
            phone: self.phone,
            status: self.status,
            as_of: self.as_of,
            gone_since: self.gone_since,
            source: self.source,
        }
    }

    /// The stored facility as a list entry (`None` for a row no longer readable as one, which
    /// the next list then rewrites whole).
    fn entry(&self) -> Option<RegistryEntry> {
        Some(RegistryEntry {
            code: rules::FacilityCode::parse(&self.facility_code).ok()?,
            name: self.name.clone(),
            facility_type: self.facility_type.parse().ok()?,
            postal_code: self.postal_code.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
            status: self.status.parse().ok()?,
            as_of: self.as_of.as_deref().and_then(|d| d.parse().ok()),
            source: self.source.clone(),
        })
    }
}

/// What the history and the audit trail keep of a facility.
fn described(entry: &RegistryEntry) -> serde_json::Value {
    json!({
        "name": entry.name,
        "facility_type": entry.facility_type.code(),
        "postal_code": entry.postal_code,
        "address": entry.address,
        "phone": entry.phone,
        "status": entry.status.code(),
        "as_of": day(entry),
    })
}

fn day(entry: &RegistryEntry) -> Option<String> {
    entry.as_of.map(|d| d.to_string())
}

const COLUMNS: &str =
    "facility_code, name, prefecture, facility_type, postal_code, address, phone, status, as_of, gone_since, source";

/// The registry's description of `code`, if it holds one.
pub async fn lookup(pool: &SqlitePool, code: &str) -> sqlx::Result<Option<RegistryRecord>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM registry_facilities WHERE facility_code = ?"))
            .bind(code)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(Row::record))
}

/// Whether any list has been imported.
pub async fn is_loaded(pool: &SqlitePool) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM registry_facilities)").fetch_one(pool).await
}

/// A prefecture × kind list (JIS code, 点数表番号).
type ListKey = (String, u8);

/// Rows written at once: 11 values each, far below SQLite's 32,766 parameters.
const INSERT_BATCH: usize = 800;
/// Codes named in one `IN (…)`.
const CODE_BATCH: usize = 900;

/// Writes the facilities of the lists read from `files`: new ones inserted, changed ones
/// updated with their history, facilities missing from a newer dated list of their
/// prefecture and kind marked `gone`; every change in the audit trail, with the import itself.
/// A list older than what the registry holds changes nothing of those facilities.
pub async fn import(
    pool: &SqlitePool,
    actor: &Actor,
    files: &[String],
    entries: &[RegistryEntry],
    refused: &[Refused],
) -> sqlx::Result<ImportSummary> {
    let mut summary =
        ImportSummary { read: entries.len() + refused.len(), refused: refused.to_vec(), ..ImportSummary::default() };
    // Each list's date: its facilities' newest; a list with an undated row is undated, and
    // nothing is marked gone from it.
    let mut lists: BTreeMap<ListKey, Option<chrono::NaiveDate>> = BTreeMap::new();
    let mut undated: HashSet<ListKey> = HashSet::new();
    for e in entries {
        let key = list_key(e);
        if e.as_of.is_none() {
            undated.insert(key.clone());
        }
        let slot = lists.entry(key).or_insert(e.as_of);
        *slot = (*slot).max(e.as_of);
    }
    let newest = lists.values().flatten().max().map(|d| d.to_string());

    let mut tx = audit_log::begin(pool).await?;
    let import_id: i64 = sqlx::query_scalar(
        "INSERT INTO registry_imports (actor_label, files, as_of, read_rows, imported, updated, unchanged, gone, refused_json)
         VALUES (?, ?, ?, ?, 0, 0, 0, 0, ?) RETURNING id",
    )
    .bind(&actor.label)
    .bind(serde_json::Value::from(files.to_vec()).to_string())
    .bind(&newest)
    .bind(i64::try_from(summary.read).unwrap_or(i64::MAX))
    .bind(serde_json::to_string(refused).unwrap_or_else(|_| "[]".to_owned()))
    .fetch_one(&mut *tx)
    .await?;
    summary.import_id = import_id;

    let mut stored: HashMap<String, Row> = HashMap::new();
    let mut first_load: HashSet<ListKey> = HashSet::new();
    for (prefecture, digit) in lists.keys() {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM registry_facilities WHERE prefecture = ? AND list_digit = ?"
        ))
        .bind(prefecture)
        .bind(digit)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            first_load.insert((prefecture.clone(), *digit));
        }
        stored.extend(rows.into_iter().map(|r| (r.facility_code.clone(), r)));
    }

    let mut new_rows: Vec<&RegistryEntry> = Vec::new();
    let mut same: BTreeMap<(Option<String>, &str), Vec<&str>> = BTreeMap::new();
    let mut seen: HashSet<&str> = HashSet::with_capacity(entries.len());
    for e in entries {
        seen.insert(e.code.as_str());
        let Some(old) = stored.get(e.code.as_str()) else {
            new_rows.push(e);
            continue;
        };
        // What the registry holds is as of its newest list: the one it was in, or the one it
        // was missing from.
        let held = old.gone_since.as_deref().max(old.as_of.as_deref());
        if held.is_some_and(|held| day(e).is_some_and(|new| new.as_str() < held)) {
            summary.older += 1;
            continue;
        }
        let held_entry = old.entry();
        let changed = held_entry.as_ref().map_or_else(
            || vec!["name", "facility_type", "postal_code", "address", "phone", "status"],
            |held| held.changed_fields(e),
        );
        if changed.is_empty() {
            summary.unchanged += 1;
            if old.as_of != day(e) || old.source != e.source {
                same.entry((day(e), e.source.as_str())).or_default().push(e.code.as_str());
            }
            continue;
        }
        summary.updated += 1;
        let change = if old.status == ListedStatus::Gone.code() { "returned" } else { "updated" };
        sqlx::query(
            "UPDATE registry_facilities SET name = ?, facility_type = ?, postal_code = ?, address = ?, phone = ?,
                    status = ?, as_of = ?, source = ?, gone_since = NULL, import_id = ?
             WHERE facility_code = ?",
        )
        .bind(&e.name)
        .bind(e.facility_type.code())
        .bind(&e.postal_code)
        .bind(&e.address)
        .bind(&e.phone)
        .bind(e.status.code())
        .bind(day(e))
        .bind(&e.source)
        .bind(import_id)
        .bind(e.code.as_str())
        .execute(&mut *tx)
        .await?;
        let fields = changed.join(",");
        history(
            &mut tx,
            import_id,
            e.code.as_str(),
            change,
            &fields,
            held_entry.as_ref().map(described),
            Some(described(e)),
            day(e),
        )
        .await?;
        audit_log::record(
            &mut tx,
            actor,
            Change {
                action: if change == "returned" { "registry_return" } else { "registry_update" },
                entity: "registry_facility",
                entity_id: e.code.as_str().to_owned(),
                before: held_entry.as_ref().map(described),
                after: Some(described(e)),
            },
        )
        .await?;
    }

    for chunk in new_rows.chunks(INSERT_BATCH) {
        let mut insert: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
            "INSERT INTO registry_facilities (facility_code, name, prefecture, list_digit, facility_type, postal_code,
                                              address, phone, status, as_of, source, import_id) ",
        );
        insert.push_values(chunk, |mut b, e| {
            b.push_bind(e.code.as_str())
                .push_bind(&e.name)
                .push_bind(e.prefecture().code())
                .push_bind(i64::from(e.code.fee_schedule_digit()))
                .push_bind(e.facility_type.code())
                .push_bind(&e.postal_code)
                .push_bind(&e.address)
                .push_bind(&e.phone)
                .push_bind(e.status.code())
                .push_bind(day(e))
                .push_bind(&e.source)
                .push_bind(import_id);
        });
        insert.build().execute(&mut *tx).await?;
    }
    summary.imported = new_rows.len();
    // A facility new to a list already loaded is a change of that list: kept and logged.
    for e in new_rows.iter().filter(|e| !first_load.contains(&list_key(e))) {
        history(&mut tx, import_id, e.code.as_str(), "added", "", None, Some(described(e)), day(e)).await?;
        audit_log::record(
            &mut tx,
            actor,
            Change {
                action: "registry_add",
                entity: "registry_facility",
                entity_id: e.code.as_str().to_owned(),
                before: None,
                after: Some(described(e)),
            },
        )
        .await?;
    }

    for ((as_of, source), codes) in &same {
        for chunk in codes.chunks(CODE_BATCH) {
            let mut update: QueryBuilder<'_, Sqlite> = QueryBuilder::new("UPDATE registry_facilities SET as_of = ");
            update
                .push_bind(as_of.clone())
                .push(", source = ")
                .push_bind(*source)
                .push(", import_id = ")
                .push_bind(import_id);
            update.push(" WHERE facility_code IN (");
            let mut list = update.separated(", ");
            for code in chunk {
                list.push_bind(*code);
            }
            update.push(")");
            update.build().execute(&mut *tx).await?;
        }
    }

    // Facilities a newer dated list no longer names.
    for (key, as_of) in &lists {
        let Some(as_of) = as_of.filter(|_| !undated.contains(key)) else { continue };
        let list_day = as_of.to_string();
        let missing = stored.values().filter(|r| {
            r.prefecture == key.0
                && r.facility_code.as_bytes().get(2) == Some(&(b'0' + key.1))
                && !seen.contains(r.facility_code.as_str())
                && r.status != ListedStatus::Gone.code()
                && r.as_of.as_deref().is_none_or(|held| held < list_day.as_str())
        });
        for r in missing {
            summary.gone += 1;
            sqlx::query(
                "UPDATE registry_facilities SET status = 'gone', gone_since = ?, import_id = ? WHERE facility_code = ?",
            )
            .bind(&list_day)
            .bind(import_id)
            .bind(&r.facility_code)
            .execute(&mut *tx)
            .await?;
            let after = {
                let mut d = r.entry().as_ref().map_or_else(|| json!({}), described);
                d["status"] = json!(ListedStatus::Gone.code());
                d["gone_since"] = json!(list_day);
                d
            };
            history(
                &mut tx,
                import_id,
                &r.facility_code,
                "gone",
                "status",
                r.entry().as_ref().map(described),
                Some(after.clone()),
                Some(list_day.clone()),
            )
            .await?;
            audit_log::record(
                &mut tx,
                actor,
                Change {
                    action: "registry_gone",
                    entity: "registry_facility",
                    entity_id: r.facility_code.clone(),
                    before: r.entry().as_ref().map(described),
                    after: Some(after),
                },
            )
            .await?;
        }
    }

    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    sqlx::query("UPDATE registry_imports SET imported = ?, updated = ?, unchanged = ?, gone = ? WHERE id = ?")
        .bind(count(summary.imported))
        .bind(count(summary.updated))
        .bind(count(summary.unchanged))
        .bind(count(summary.gone))
        .bind(import_id)
        .execute(&mut *tx)
        .await?;
    audit_log::record(
        &mut tx,
        actor,
        Change {
            action: "registry_import",
            entity: "registry_import",
            entity_id: import_id.to_string(),
            before: None,
            after: Some(json!({
                "files": files,
                "as_of": newest,
                "read": summary.read,
                "imported": summary.imported,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "gone": summary.gone,
                "older": summary.older,
                "refused": summary.refused.len(),
            })),
        },
    )
    .await?;
    // The dashboards' shares rest on the registry: their cached figures are stale now.
    sqlx::query("UPDATE dashboard_generation SET generation = generation + 1").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(summary)
}

fn list_key(e: &RegistryEntry) -> ListKey {
    (e.prefecture().code(), e.code.fee_schedule_digit())
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the history row")]
async fn history(
    tx: &mut Transaction<'_, Sqlite>,
    import_id: i64,
    code: &str,
    change: &str,
    fields: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    as_of: Option<String>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO registry_history (import_id, facility_code, change, fields, before_json, after_json, as_of)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(import_id)
    .bind(code)
    .bind(change)
    .bind(fields)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .bind(as_of)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One change of a facility's history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryRow {
    /// `added`, `updated`, `gone` or `returned`.
    pub change: String,
    /// The fields changed, comma-separated.
    pub fields: String,
    /// The list's date.
    pub as_of: Option<String>,
    /// Before, as JSON.
    pub before_json: Option<String>,
    /// After, as JSON.
    pub after_json: Option<String>,
}

/// The changes the registry recorded for `code`, newest first.
pub async fn history_of(pool: &SqlitePool, code: &str) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as(
        "SELECT change, fields, as_of, before_json, after_json FROM registry_history WHERE facility_code = ? ORDER BY id DESC",
    )
    .bind(code)
    .fetch_all(pool)
    .await
}

#[derive(sqlx::FromRow)]
struct ImportRecord {
    id: i64,
    at: String,
    actor_label: String,
    files: String,
    as_of: Option<String>,
    read_rows: i64,
    imported: i64,
    updated: i64,
    unchanged: i64,
    gone: i64,
    refused_json: String,
}

/// Facilities by kind and status, the newest list's date, the last 20 imports.
pub async fn overview(pool: &SqlitePool) -> sqlx::Result<crate::api::registry::RegistryTotals> {
    let counts: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT list_digit, status, count(*) FROM registry_facilities GROUP BY list_digit, status ORDER BY list_digit",
    )
    .fetch_all(pool)
    .await?;
    let mut by_kind = Vec::new();
    for kind in rules::registry::ListKind::ALL {
        let of = |status: &str| {
            counts
                .iter()
                .filter(|(d, s, _)| *d == i64::from(kind.fee_schedule_digit()) && s == status)
                .map(|(_, _, n)| *n)
                .sum::<i64>()
        };
        by_kind.push((kind.label_ja().to_owned(), of("active"), of("suspended"), of("gone")));
    }
    let newest: Option<String> =
        sqlx::query_scalar("SELECT max(as_of) FROM registry_facilities").fetch_one(pool).await?;
    let rows: Vec<ImportRecord> = sqlx::query_as(
        "SELECT id, at, actor_label, files, as_of, read_rows, imported, updated, unchanged, gone, refused_json
         FROM registry_imports ORDER BY id DESC LIMIT 20",
    )
    .fetch_all(pool)
    .await?;
    let imports = rows
        .into_iter()
        .map(|r| {
            let files: Vec<String> = serde_json::from_str(&r.files).unwrap_or_default();
            let refused = serde_json::from_str::<Vec<serde_json::Value>>(&r.refused_json).map_or(0, |v| v.len());
            crate::api::registry::ImportRow {
                id: r.id,
                at: r.at,
                actor: r.actor_label,
                files: files.join("、"),
                as_of: r.as_of,
                counts: [
                    r.read_rows,
                    r.imported,
                    r.updated,
                    r.unchanged,
                    r.gone,
                    i64::try_from(refused).unwrap_or(i64::MAX),
                ],
            }
        })
        .collect();
    Ok(crate::api::registry::RegistryTotals { by_kind, newest, imports })
}

/// One group of the registry beside Onshi (a facility type or a prefecture).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCounts {
    /// Facilities the lists hold (現存 and 休止).
    pub listed: i64,
    /// Of those, the ones with no facility in Onshi: not yet started here.
    pub not_started: i64,
    /// Onshi's facilities whose code the lists do not hold (opened since, or mistyped).
    pub unlisted: i64,
}

impl GroupCounts {
    /// The universe: every listed facility and every facility Onshi has beyond the lists.
    pub fn universe(&self) -> i64 {
        self.listed + self.unlisted
    }
}

/// The registry beside Onshi's facilities, for a reviewer's or a national scope (the lists
/// know no corporation): which lists are loaded, and per group the counts.
#[derive(Debug, Clone, Default)]
pub struct Universe {
    /// The lists loaded: (prefecture, 点数表番号).
    pub lists: HashSet<(String, u8)>,
    /// Per facility type or prefecture code.
    pub groups: BTreeMap<String, GroupCounts>,
}

impl Universe {
    /// Whether the lists of every prefecture and kind a group spans are loaded, so that its
    /// count is the whole universe and not a part of it.
    pub fn covers(&self, prefectures: &[String], digits: &[u8]) -> bool {
        !prefectures.is_empty()
            && !digits.is_empty()
            && prefectures.iter().all(|p| digits.iter().all(|d| self.lists.contains(&(p.clone(), *d))))
    }
}

/// [`Universe`] grouped by `f.facility_type` or `f.prefecture`, within the scope and the
/// dashboard's type and prefecture filter; empty for scopes the lists cannot reach.
pub async fn universe(
    pool: &SqlitePool,
    scope: &rules::access::Scope,
    facility_type: Option<&str>,
    prefecture: Option<&str>,
    by_prefecture: bool,
) -> sqlx::Result<Universe> {
    use rules::access::Scope;
    if !matches!(scope, Scope::National | Scope::Association { .. }) {
        return Ok(Universe::default());
    }
    let lists: Vec<(String, i64)> =
        sqlx::query_as("SELECT DISTINCT prefecture, list_digit FROM registry_facilities").fetch_all(pool).await?;
    let mut universe = Universe {
        lists: lists.into_iter().filter_map(|(p, d)| Some((p, u8::try_from(d).ok()?))).collect(),
        groups: BTreeMap::new(),
    };
    if universe.lists.is_empty() {
        return Ok(universe);
    }
    let key = if by_prefecture { "prefecture" } else { "facility_type" };
    let filtered = |qb: &mut QueryBuilder<'_, Sqlite>, alias: &str| {
        crate::ssr::db::scope::push_scope(qb, scope, alias);
        if let Some(t) = facility_type {
            qb.push(format!(" AND {alias}.facility_type = ")).push_bind(t.to_owned());
        }
        if let Some(p) = prefecture {
            qb.push(format!(" AND {alias}.prefecture = ")).push_bind(p.to_owned());
        }
    };
    let mut listed: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
        "SELECT r.{key}, count(*), sum(f.id IS NULL) FROM registry_facilities r
         LEFT JOIN facilities f ON f.facility_code = r.facility_code WHERE r.status <> 'gone'"
    ));
    filtered(&mut listed, "r");
    listed.push(" GROUP BY 1");
    let rows: Vec<(String, i64, i64)> = listed.build_query_as().fetch_all(pool).await?;
    for (k, n, not_started) in rows {
        let g = universe.groups.entry(k).or_default();
        g.listed = n;
        g.not_started = not_started;
    }
    let mut unlisted: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
        "SELECT f.{key}, count(*) FROM facilities f
         LEFT JOIN registry_facilities r ON r.facility_code = f.facility_code WHERE r.facility_code IS NULL"
    ));
    filtered(&mut unlisted, "f");
    unlisted.push(" GROUP BY 1");
    let rows: Vec<(String, i64)> = unlisted.build_query_as().fetch_all(pool).await?;
    for (k, n) in rows {
        universe.groups.entry(k).or_default().unlisted = n;
    }
    Ok(universe)
}
