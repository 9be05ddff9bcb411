-- Audit trail (issue 5, item 6): one row per write, who, when, what entity,
-- before and after. Append-only and hash-chained: each row stores the hash of
-- the row before it (prev_hash) and its own hash over its content and
-- prev_hash (server/src/audit_log.rs says the exact encoding), so
-- `onshi audit-log verify` can name the first row that was changed, removed
-- or reordered.
--
-- No foreign key to users: the log must outlive what it describes, and
-- actor_label keeps who acted (the e-mail at that time, 'system' or 'cli').

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    -- UTC, ISO 8601 with microseconds: 2026-11-22T03:04:05.123456Z.
    at            TEXT NOT NULL CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    -- NULL when the system or the CLI acted.
    actor_user_id INTEGER,
    actor_label   TEXT NOT NULL CHECK (actor_label <> ''),
    action        TEXT NOT NULL CHECK (action <> ''),
    entity        TEXT NOT NULL CHECK (entity <> ''),
    entity_id     TEXT NOT NULL,
    before_json   TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
    after_json    TEXT CHECK (after_json IS NULL OR json_valid(after_json)),
    prev_hash     TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash          TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    -- Two rows can never chain onto the same predecessor: the chain cannot fork.
    UNIQUE (prev_hash)
) STRICT;

-- The history of one object (auditor view, object pages).
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);

-- Rows are never changed or removed, by anyone using the application's SQL.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated (監査ログは変更できません)');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted (監査ログは削除できません)');
END;

-- A new row must extend the chain at its head. This also closes the door that
-- INSERT OR REPLACE would open: REPLACE removes a conflicting row without
-- firing the DELETE trigger, but it needs an explicit id or a duplicate hash,
-- both refused here. (In a BEFORE INSERT trigger NEW.id is -1 when the
-- database assigns the id.)
CREATE TRIGGER audit_log_append_at_head BEFORE INSERT ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log: id is assigned by the database; insert without an id')
    WHERE NEW.id <> -1;
    SELECT RAISE(ABORT, 'audit_log: prev_hash must be the hash of the last row (the chain head)')
    WHERE NEW.prev_hash IS NOT COALESCE(
        (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000');
    SELECT RAISE(ABORT, 'audit_log: this hash is already in the log')
    WHERE EXISTS (SELECT 1 FROM audit_log WHERE hash = NEW.hash);
END;
