//! Peer prices for the audit's outlier test: confirmed lines of the same facility type, by
//! category, kept in memory until `audit_generation` moves.

use crate::ssr::generation_cache::GenerationCache;
use crate::ssr::per_database::PerDatabase;
use rules::audit::Peers;
use rules::category::Category;
use rules::{FacilityType, Yen};
use sqlx::{QueryBuilder, SqlitePool};
use std::collections::HashMap;
use std::sync::Arc;

/// Each facility type's group, by database file and type code.
static GROUPS: GenerationCache<Peers> = GenerationCache::new();

/// One load at a time (per database): a burst of quote pages after a change waits for the
/// first to load.
static LOADING: PerDatabase<tokio::sync::Mutex<()>> = PerDatabase::new(|| tokio::sync::Mutex::new(()));

/// Quote-line ids read per statement. SQLite packs each range's prices into one text value: the
/// driver hands every row and value across threads on its own, and 900,000 rows of a national
/// group took 2.5 s of the 2.9 s its quote page waited (BENCHMARKS.md, peer groups); a range
/// keeps the text a few megabytes, whatever the country's size.
const LINES_PER_READ: i64 = 250_000;

fn key(pool: &SqlitePool, kind: &str) -> String {
    format!("{}|{kind}", pool.connect_options().get_filename().display())
}

/// The generation of what the audit reads (`audit_generation`, migrations 0012 and 0014):
/// confirmed quotes and lines, facilities' type and prefecture, reader applications and
/// benchmarks. Unlike `dashboard_generation` a clinic's progress does not move it, nor does a
/// complaint or a vendor's new name (the league reads those for every view).
pub async fn generation(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT generation FROM audit_generation WHERE id = 1").fetch_one(pool).await
}

/// The group of a facility type. A confirmed quote is one of its peers: it leaves its own prices
/// out ([`Peers::leave_out`]); a draft or a file is audited against the whole group.
pub async fn for_facility_type(pool: &SqlitePool, kind: FacilityType) -> sqlx::Result<Peers> {
    Ok(for_facility_type_at(pool, kind).await?.0)
}

/// [`for_facility_type`], and the generation the group is kept at: what an audit made with it
/// is valid for.
pub async fn for_facility_type_at(pool: &SqlitePool, kind: FacilityType) -> sqlx::Result<(Peers, i64)> {
    let generation = generation(pool).await?;
    Ok((groups(pool, &[kind], generation).await?.remove(kind.code()).unwrap_or_default(), generation))
}

/// Every facility type's group (by type code), kept at `generation`, which the caller read
/// before: a vendor's record audits quotes of every type.
pub async fn every_facility_type(pool: &SqlitePool, generation: i64) -> sqlx::Result<HashMap<String, Peers>> {
    groups(pool, &FacilityType::ALL, generation).await
}

/// The groups of these types (by type code), loaded in one query when any is missing and then
/// kept until the generation moves: at national scale a type's group is up to a million lines,
/// and the quote page loaded it per view (0.6–2.3 s, BENCHMARKS.md). Every change to what a
/// group holds moves [`generation`]: any write to a confirmed quote or its lines, a facility
/// moved to another type (migration 0012).
///
/// `generation` is read before loading: a change meanwhile leaves the groups a generation behind,
/// so the next request loads them again: a group is never older than the generation it is kept at.
async fn groups(pool: &SqlitePool, kinds: &[FacilityType], generation: i64) -> sqlx::Result<HashMap<String, Peers>> {
    let cached = || -> Option<HashMap<String, Peers>> {
        kinds
            .iter()
            .map(|k| Some((k.code().to_owned(), (*GROUPS.get(&key(pool, k.code()), generation)?).clone())))
            .collect()
    };
    if let Some(groups) = cached() {
        return Ok(groups);
    }
    let lock = LOADING.of(pool);
    let _one = lock.lock().await;
    if let Some(groups) = cached() {
        return Ok(groups);
    }
    // Every type asked for gets a group, an empty one when it has no priced line yet.
    let mut prices: HashMap<String, Vec<(Category, Yen)>> =
        kinds.iter().map(|k| (k.code().to_owned(), Vec::new())).collect();
    let last: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM quote_lines").fetch_one(pool).await?;
    let mut from = 0;
    while from <= last.unwrap_or(-1) {
        let mut qb = QueryBuilder::new(
            "SELECT group_concat(f.facility_type || ' ' || ql.category || ' ' || ql.comparable_price, char(10))
             FROM quote_lines ql
             JOIN quotes q ON q.id = ql.quote_id
             JOIN facilities f ON f.id = q.facility_id
             WHERE q.confirmed = 1 AND ql.comparable_price IS NOT NULL AND ql.id >= ",
        );
        qb.push_bind(from).push(" AND ql.id < ").push_bind(from + LINES_PER_READ);
        if let [only] = kinds {
            qb.push(" AND f.facility_type = ");
            qb.push_bind(only.code());
        }
        let packed: Option<String> = qb.build_query_scalar().fetch_one(pool).await?;
        prices = off_the_workers(move || {
            unpack(packed.as_deref().unwrap_or(""), &mut prices);
            prices
        })
        .await?;
        from += LINES_PER_READ;
    }
    let groups: HashMap<String, Peers> =
        off_the_workers(move || prices.into_iter().map(|(kind, p)| (kind, Peers::new(p))).collect()).await?;
    for (kind, group) in &groups {
        GROUPS.put(key(pool, kind), generation, Arc::new(group.clone()));
    }
    Ok(groups)
}

/// Parsing and sorting a group, on a blocking thread: a million prices of a national group take
/// a good part of a second, which on an async worker would hold up every request it serves. One
/// load runs at a time per database ([`LOADING`]), so these threads are bounded too.
async fn off_the_workers<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> sqlx::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| sqlx::Error::Protocol(format!("loading the peer groups: {e}")))
}

/// Adds the packed lines `type category price` to the prices of their type, if it was asked for.
fn unpack(packed: &str, prices: &mut HashMap<String, Vec<(Category, Yen)>>) {
    for line in packed.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(kind), Some(category), Some(price)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let Some(p) = prices.get_mut(kind) {
            p.extend(parsed(category, price));
        }
    }
}

/// A stored (category, price); rows the CHECK constraint let in always parse, anything else is
/// skipped, not fatal.
fn parsed(category: &str, price: &str) -> Option<(Category, Yen)> {
    Some((category.parse().ok()?, Yen::parse(price).ok()?))
}
