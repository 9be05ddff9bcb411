//! The audit trail: an append-only, hash-chained log of every write, its check and its queries
//! (its CSV export is written by `exports::audit_log`, like every other list).
//!
//! Every write in the application calls [`record`] inside the transaction of
//! the write itself, so the write and its log row commit or roll back
//! together. Each row stores `prev_hash`, the `hash` of the row before it
//! ([`GENESIS_HASH`] for the first), and its own `hash`, SHA-256 over
//! `prev_hash` and the row's content (see `chain_hash` for the exact
//! encoding). Changing, removing or reordering a row therefore breaks the chain
//! at that row, and [`verify`] names it. The table's triggers
//! (`migrations/20261122000003_audit_log.sql`) refuse every UPDATE and DELETE,
//! and an INSERT that does not extend the chain at its head.
//!
//! # One chain, even with concurrent writers
//! [`record`] reads the head's hash and inserts the new row in the caller's
//! transaction. Two writers must not both read the same head: SQLite admits one
//! writer at a time, and the read is safe when it happens while the
//! transaction already holds the write lock. That is the case when the
//! transaction began with [`begin`] (`BEGIN IMMEDIATE`), or after it has
//! written anything else (the usual "change the row, then log it"). A
//! transaction that has only read so far holds a snapshot instead; if another
//! writer commits before it writes, SQLite refuses its write (`SQLITE_BUSY`)
//! rather than let it chain onto a stale head. Should anything still try, the
//! table refuses it: `prev_hash` is UNIQUE and an insert trigger requires it to
//! be the head's hash. The chain can fail a write; it cannot fork.
//!
//! # What the chain does not prove
//! Someone with write access to the file who rewrites a row *and* recomputes
//! every later hash, or cuts rows off the end, leaves a valid chain. `verify`
//! reports the head hash so that it can be noted elsewhere (a report, a
//! ticket) and compared later.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use futures_util::{Stream, TryStreamExt};
use sha2::{Digest, Sha256};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::fmt;

/// `prev_hash` of the first row: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Hashed before the fields, so that a later encoding (v2) can never produce
/// the same bytes as this one.
const ENCODING_TAG: &[u8] = b"onshi.audit_log.v1";

/// `at`: UTC with microseconds. Fixed width, so text order is time order and
/// the date filters compare strings.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// Japan Standard Time is UTC+9 all year (no daylight saving time); the date
/// filters are Japanese calendar days, as the auditors count them.
const JST_OFFSET_HOURS: i64 = 9;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The signed-in user; `None` for the system or the CLI.
    pub user_id: Option<i64>,
    /// What the log shows: the user's e-mail at the time, `system` or `cli`.
    pub label: String,
}

impl Actor {
    /// A signed-in user, labelled with their e-mail (kept even if it changes later).
    pub fn user(id: i64, email: impl Into<String>) -> Self {
        Actor { user_id: Some(id), label: email.into() }
    }

    /// The application itself (start-up, reference data, scheduled work).
    pub fn system() -> Self {
        Actor { user_id: None, label: "system".to_owned() }
    }

    /// An operator at the command line (`onshi user add`, …).
    pub fn cli() -> Self {
        Actor { user_id: None, label: "cli".to_owned() }
    }
}

/// One write to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change<'a> {
    /// What was done: `create`, `update`, `delete`, `disable`, `reset_password`, `login`, …
    pub action: &'a str,
    /// The table or entity: `user`, `facility`, `quote`, …
    pub entity: &'a str,
    /// The entity's id (text, so that composite or coded keys fit too).
    pub entity_id: String,
    /// The entity before the write; `None` for a creation. Leave secrets out.
    pub before: Option<serde_json::Value>,
    /// The entity after the write; `None` for a deletion. Leave secrets out.
    pub after: Option<serde_json::Value>,
}

/// One row of the log, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LogEntry {
    /// Position in the chain.
    pub id: i64,
    /// When, UTC (`2026-11-22T03:04:05.123456Z`).
    pub at: String,
    /// The user who acted; `None` for the system or the CLI.
    pub actor_user_id: Option<i64>,
    /// The actor's label: e-mail, `system` or `cli`.
    pub actor_label: String,
    /// What was done.
    pub action: String,
    /// The entity written.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// The entity before, as JSON text.
    pub before_json: Option<String>,
    /// The entity after, as JSON text.
    pub after_json: Option<String>,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

/// The hashed content of a row: everything but its id and its own hash.
#[derive(Debug, Clone, Copy)]
struct HashedFields<'a> {
    prev_hash: &'a str,
    at: &'a str,
    actor_user_id: Option<i64>,
    actor_label: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    before_json: Option<&'a str>,
    after_json: Option<&'a str>,
}

impl<'a> From<&'a LogEntry> for HashedFields<'a> {
    fn from(e: &'a LogEntry) -> Self {
        HashedFields {
            prev_hash: &e.prev_hash,
            at: &e.at,
            actor_user_id: e.actor_user_id,
            actor_label: &e.actor_label,
            action: &e.action,
            entity: &e.entity,
            entity_id: &e.entity_id,
            before_json: e.before_json.as_deref(),
            after_json: e.after_json.as_deref(),
        }
    }
}

/// A row's hash: lowercase hex SHA-256 of an encoding in which no two
/// different rows give the same bytes.
///
/// The bytes are, in order: the tag `onshi.audit_log.v1`, `prev_hash`, `at`,
/// `actor_user_id`, `actor_label`, `action`, `entity`, `entity_id`,
/// `before_json`, `after_json`, where
/// - a text is its UTF-8 length as 8 bytes big-endian, then its bytes
///   (so `("ab", "c")` and `("a", "bc")` differ);
/// - an optional value is the byte 0 when NULL, else the byte 1 and the value
///   (so NULL and `""`, or no user and user 0, differ);
/// - an integer is 8 bytes big-endian two's complement.
///
/// The JSON is hashed as the text stored, so verifying never depends on how a
/// JSON library orders keys. Changing this function breaks every existing
/// chain: add a `v2` tag and keep `v1` for old rows instead.
fn chain_hash(f: &HashedFields<'_>) -> String {
    fn text(h: &mut Sha256, s: &[u8]) {
        // usize → u64 is lossless on every platform Rust supports.
        h.update((s.len() as u64).to_be_bytes());
        h.update(s);
    }
    fn optional_text(h: &mut Sha256, s: Option<&str>) {
        match s {
            None => h.update([0]),
            Some(s) => {
                h.update([1]);
                text(h, s.as_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    text(&mut h, ENCODING_TAG);
    text(&mut h, f.prev_hash.as_bytes());
    text(&mut h, f.at.as_bytes());
    match f.actor_user_id {
        None => h.update([0]),
        Some(id) => {
            h.update([1]);
            h.update(id.to_be_bytes());
        }
    }
    text(&mut h, f.actor_label.as_bytes());
    text(&mut h, f.action.as_bytes());
    text(&mut h, f.entity.as_bytes());
    text(&mut h, f.entity_id.as_bytes());
    optional_text(&mut h, f.before_json);
    optional_text(&mut h, f.after_json);
    format!("{:x}", h.finalize())
}

/// Begins a write transaction that holds SQLite's write lock from its first
/// statement (`BEGIN IMMEDIATE`), so [`record`] always reads the current head.
/// Waits for other writers up to the connection's busy timeout.
pub async fn begin(pool: &SqlitePool) -> sqlx::Result<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// The migration that makes the trail append-only; its triggers are what a database must hold.
const PROTECTIONS_SQL: &str = include_str!("../../../migrations/20261122000003_audit_log.sql");

/// The `CREATE TRIGGER` statements of [`PROTECTIONS_SQL`], as (name, whitespace-normalised text).
fn expected_protections() -> Vec<(&'static str, String)> {
    PROTECTIONS_SQL
        .split("CREATE TRIGGER ")
        .skip(1)
        .filter_map(|rest| {
            let name = rest.split_whitespace().next()?;
            let end = rest.find("END;")? + "END".len();
            Some((name, normalise_sql(&format!("CREATE TRIGGER {}", &rest[..end]))))
        })
        .collect()
}

fn normalise_sql(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The append-only triggers of the audit trail that are missing from the database or differ
/// from the ones Onshi creates — empty when the trail is protected. A backup restored from a
/// copy whose triggers were dropped or rewritten would let rows be changed unseen.
pub async fn missing_protections(pool: &SqlitePool) -> sqlx::Result<Vec<&'static str>> {
    let mut missing = Vec::new();
    for (name, expected) in expected_protections() {
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = 'audit_log'",
        )
        .bind(name)
        .fetch_optional(pool)
        .await?;
        if stored.as_deref().map(normalise_sql) != Some(expected) {
            missing.push(name);
        }
    }
    Ok(missing)
}

/// Appends `change` by `actor` to the log and returns the new row's id.
///
/// Call it in the transaction of the write it describes, so that both commit
/// or neither does. The transaction must hold the write lock when this reads
/// the chain head: begin it with [`begin`], or write something before calling
/// this (the module documentation says why). Otherwise a concurrent writer
/// makes this fail with `SQLITE_BUSY`; it never forks the chain.
pub async fn record(tx: &mut Transaction<'_, Sqlite>, actor: &Actor, change: Change<'_>) -> sqlx::Result<i64> {
    // The stored text is what gets hashed; `Value`'s Display is compact JSON and cannot fail.
    let before_json = change.before.as_ref().map(serde_json::Value::to_string);
    let after_json = change.after.as_ref().map(serde_json::Value::to_string);
    let prev_hash: String = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or_else(|| GENESIS_HASH.to_owned());
    let at = Utc::now().format(TIMESTAMP_FORMAT).to_string();
    let hash = chain_hash(&HashedFields {
        prev_hash: &prev_hash,
        at: &at,
        actor_user_id: actor.user_id,
        actor_label: &actor.label,
        action: change.action,
        entity: change.entity,
        entity_id: &change.entity_id,
        before_json: before_json.as_deref(),
        after_json: after_json.as_deref(),
    });
    sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor_user_id, actor_label, action, entity, entity_id, \
         before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&at)
    .bind(actor.user_id)
    .bind(&actor.label)
    .bind(change.action)
    .bind(change.entity)
    .bind(&change.entity_id)
    .bind(&before_json)
    .bind(&after_json)
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(&mut **tx)
    .await
}

/// Why a row breaks the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakReason {
    /// `prev_hash` is not the previous row's hash: that row was changed or
    /// removed, or rows were reordered or inserted.
    PrevHashMismatch,
    /// The row's content does not give its stored hash: this row was changed.
    HashMismatch,
}

impl BreakReason {
    /// Stable English code, for scripts and logs.
    pub fn code(self) -> &'static str {
        match self {
            BreakReason::PrevHashMismatch => "prev_hash_mismatch",
            BreakReason::HashMismatch => "hash_mismatch",
        }
    }

    /// What it means, in Japanese, for the auditor.
    pub fn label_ja(self) -> &'static str {
        match self {
            BreakReason::PrevHashMismatch => {
                "前の行のハッシュと一致しません（前の行が変更・削除されたか、行の順序が変わっています）"
            }
            BreakReason::HashMismatch => "行の内容がハッシュと一致しません（この行が変更されています）",
        }
    }
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.label_ja(), self.code())
    }
}

/// The first row at which the chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenRow {
    /// The row's id.
    pub id: i64,
    /// What is wrong with it.
    pub reason: BreakReason,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Rows in the log.
    pub rows: u64,
    /// The last row's stored hash ([`GENESIS_HASH`] for an empty log): note
    /// it elsewhere to detect later a rewrite of the whole tail.
    pub head_hash: String,
    /// The first row, in id order, that breaks the chain; `None` when intact.
    pub first_broken: Option<BrokenRow>,
}

impl VerifyReport {
    /// Whether every row links to its predecessor and matches its hash.
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// The columns of [`LogEntry`], in its field order.
macro_rules! entry_columns {
    () => {
        "SELECT id, at, actor_user_id, actor_label, action, entity, entity_id, \
         before_json, after_json, prev_hash, hash FROM audit_log"
    };
}

/// Walks the whole log in id order, recomputing each hash and checking each
/// link, and reports the first broken row.
///
/// Rows are streamed, not loaded at once; the walk reads one snapshot, so
/// rows appended meanwhile are not seen and cannot confuse it.
pub async fn verify(pool: &SqlitePool) -> Result<VerifyReport, sqlx::Error> {
    let mut rows = sqlx::query_as::<_, LogEntry>(concat!(entry_columns!(), " ORDER BY id")).fetch(pool);
    let mut report = VerifyReport { rows: 0, head_hash: GENESIS_HASH.to_owned(), first_broken: None };
    while let Some(entry) = rows.try_next().await? {
        report.rows += 1;
        if report.first_broken.is_none() {
            let reason = if entry.prev_hash != report.head_hash {
                Some(BreakReason::PrevHashMismatch)
            } else if chain_hash(&HashedFields::from(&entry)) != entry.hash {
                Some(BreakReason::HashMismatch)
            } else {
                None
            };
            report.first_broken = reason.map(|reason| BrokenRow { id: entry.id, reason });
        }
        // Always the stored hash: the next row is checked against what is on disk.
        report.head_hash = entry.hash;
    }
    Ok(report)
}

/// What the auditor view filters on; `None` (or blank text) means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Entity, exactly (`user`, `facility`, `quote`).
    pub entity: Option<String>,
    /// Part of the actor's label (e-mail, `system`, `cli`), case-insensitive for ASCII.
    pub actor: Option<String>,
    /// Action, exactly (`create`, `update`, …).
    pub action: Option<String>,
    /// First day included, a Japanese calendar day (JST, UTC+9).
    pub from: Option<NaiveDate>,
    /// Last day included, a Japanese calendar day (JST, UTC+9).
    pub to: Option<NaiveDate>,
}

impl LogFilter {
    /// The values of `?1`…`?5` in `filter_where!`, in order.
    fn binds(&self) -> [Option<String>; 5] {
        let text = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        [
            text(&self.entity),
            text(&self.actor),
            text(&self.action),
            self.from.map(jst_day_start_utc),
            // The day after `to` starts where `to` ends; no bound past the last date.
            self.to.and_then(|d| d.succ_opt()).map(jst_day_start_utc),
        ]
    }
}

/// The instant a Japanese day begins, in the format of `at`.
fn jst_day_start_utc(day: NaiveDate) -> String {
    NaiveDateTime::new(day, NaiveTime::MIN)
        .checked_sub_signed(TimeDelta::hours(JST_OFFSET_HOURS))
        .unwrap_or(NaiveDateTime::MIN)
        .format(TIMESTAMP_FORMAT)
        .to_string()
}

/// The WHERE clause of the filtered queries; one static statement for every
/// combination of filters, so each query stays a single prepared statement.
/// `instr` rather than LIKE, so `%` and `_` typed by the auditor match themselves.
macro_rules! filter_where {
    () => {
        " WHERE (?1 IS NULL OR entity = ?1) \
         AND (?2 IS NULL OR instr(lower(actor_label), lower(?2)) > 0) \
         AND (?3 IS NULL OR action = ?3) \
         AND (?4 IS NULL OR at >= ?4) \
         AND (?5 IS NULL OR at < ?5)"
    };
}

/// One page of the log for the auditor view, newest first.
pub async fn list(pool: &SqlitePool, filter: &LogFilter, limit: u32, offset: u64) -> sqlx::Result<Vec<LogEntry>> {
    let mut query = sqlx::query_as::<_, LogEntry>(concat!(
        entry_columns!(),
        filter_where!(),
        " ORDER BY id DESC LIMIT ?6 OFFSET ?7"
    ));
    for value in filter.binds() {
        query = query.bind(value);
    }
    query.bind(i64::from(limit)).bind(i64::try_from(offset).unwrap_or(i64::MAX)).fetch_all(pool).await
}

/// How many rows match `filter` (for the pager).
pub async fn count(pool: &SqlitePool, filter: &LogFilter) -> sqlx::Result<u64> {
    let mut query = sqlx::query_scalar::<_, i64>(concat!("SELECT count(*) FROM audit_log", filter_where!()));
    for value in filter.binds() {
        query = query.bind(value);
    }
    let n = query.fetch_one(pool).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The rows of the CSV export (`exports::audit_log`), oldest first: the
/// chain's own order, so that an auditor reading the file can follow each
/// `prev_hash` to the line above it. The SQL stays here, beside the filter it
/// binds.
pub fn export_rows<'a>(
    pool: &'a SqlitePool,
    filter: &LogFilter,
) -> impl Stream<Item = sqlx::Result<LogEntry>> + Send + use<'a> {
    let mut query = sqlx::query_as::<_, LogEntry>(concat!(entry_columns!(), filter_where!(), " ORDER BY id"));
    for value in filter.binds() {
        query = query.bind(value);
    }
    query.fetch(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> HashedFields<'static> {
        HashedFields {
            prev_hash: GENESIS_HASH,
            at: "2026-11-22T03:04:05.123456Z",
            actor_user_id: Some(7),
            actor_label: "admin@example.jp",
            action: "update",
            entity: "user",
            entity_id: "42",
            before_json: Some(r#"{"disabled":false}"#),
            after_json: Some(r#"{"disabled":true}"#),
        }
    }

    #[test]
    fn the_encoding_is_pinned_by_a_known_hash() {
        // Computed independently (Python hashlib over the documented bytes).
        // If this changes, every stored chain breaks: add a v2 tag instead.
        assert_eq!(chain_hash(&fields()), "ae2b170719d734659ea6f3699b877d64924409a259d952ae8c10a05a5fef1acf");
    }

    #[test]
    fn moving_a_boundary_between_two_fields_changes_the_hash() {
        let a = HashedFields { action: "ab", entity: "c", ..fields() };
        let b = HashedFields { action: "a", entity: "bc", ..fields() };
        assert_ne!(chain_hash(&a), chain_hash(&b));
        let a = HashedFields { actor_label: "x,y", action: "z", ..fields() };
        let b = HashedFields { actor_label: "x", action: "y,z", ..fields() };
        assert_ne!(chain_hash(&a), chain_hash(&b));
        let a = HashedFields { entity_id: "1", before_json: Some("2"), ..fields() };
        let b = HashedFields { entity_id: "12", before_json: Some(""), ..fields() };
        assert_ne!(chain_hash(&a), chain_hash(&b));
    }

    #[test]
    fn null_and_empty_and_user_zero_are_all_distinct() {
        let null_before = HashedFields { before_json: None, ..fields() };
        let empty_before = HashedFields { before_json: Some(""), ..fields() };
        assert_ne!(chain_hash(&null_before), chain_hash(&empty_before));
        let no_user = HashedFields { actor_user_id: None, ..fields() };
        let user_zero = HashedFields { actor_user_id: Some(0), ..fields() };
        assert_ne!(chain_hash(&no_user), chain_hash(&user_zero));
        // Moving JSON from "before" to "after" is a different change.
        let created = HashedFields { before_json: None, after_json: Some("{}"), ..fields() };
        let deleted = HashedFields { before_json: Some("{}"), after_json: None, ..fields() };
        assert_ne!(chain_hash(&created), chain_hash(&deleted));
    }

    #[test]
    fn every_field_and_the_previous_hash_are_covered() {
        let base = chain_hash(&fields());
        let other_prev = "1".repeat(64);
        let variants = [
            HashedFields { prev_hash: &other_prev, ..fields() },
            HashedFields { at: "2026-11-22T03:04:05.123457Z", ..fields() },
            HashedFields { actor_user_id: Some(8), ..fields() },
            HashedFields { actor_label: "admin2@example.jp", ..fields() },
            HashedFields { action: "delete", ..fields() },
            HashedFields { entity: "facility", ..fields() },
            HashedFields { entity_id: "43", ..fields() },
            HashedFields { before_json: Some(r#"{"disabled":true}"#), ..fields() },
            HashedFields { after_json: Some(r#"{"disabled":false}"#), ..fields() },
        ];
        for (i, v) in variants.iter().enumerate() {
            assert_ne!(chain_hash(v), base, "variant {i} should change the hash");
        }
    }

    #[test]
    fn a_hash_is_64_lowercase_hex_digits() {
        let h = chain_hash(&fields());
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{h}");
    }

    #[test]
    fn date_filters_are_japanese_days_in_utc() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        assert_eq!(jst_day_start_utc(day), "2026-11-21T15:00:00.000000Z");
        let filter = LogFilter { from: Some(day), to: Some(day), ..LogFilter::default() };
        let [_, _, _, from, to] = filter.binds();
        assert_eq!(from.as_deref(), Some("2026-11-21T15:00:00.000000Z"));
        assert_eq!(to.as_deref(), Some("2026-11-22T15:00:00.000000Z"), "`to` includes its whole day");
    }

    #[test]
    fn blank_text_filters_mean_any() {
        let filter = LogFilter {
            entity: Some("  ".into()),
            actor: Some(" admin ".into()),
            action: Some(String::new()),
            ..LogFilter::default()
        };
        assert_eq!(filter.binds(), [None, Some("admin".into()), None, None, None]);
    }

    #[test]
    fn break_reasons_read_in_japanese_with_an_english_code() {
        assert_eq!(
            BreakReason::HashMismatch.to_string(),
            "行の内容がハッシュと一致しません（この行が変更されています） (hash_mismatch)"
        );
        assert!(BreakReason::PrevHashMismatch.to_string().ends_with("(prev_hash_mismatch)"));
    }
}
