-- Foundation: reference data, facilities, corporations and users.
-- Codes (facility types, roles, associations) are the stable codes of domain.md.
-- Money columns, when they come, hold whole yen as INTEGER; exact decimals as TEXT.

CREATE TABLE app_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE prefectures (
    code    TEXT PRIMARY KEY NOT NULL CHECK (length(code) = 2),
    name_ja TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE facility_types (
    code                TEXT PRIMARY KEY NOT NULL,
    name_ja             TEXT NOT NULL,
    free_readers        INTEGER NOT NULL CHECK (free_readers >= 0),
    fee_schedule_digit  INTEGER NOT NULL CHECK (fee_schedule_digit IN (1, 3, 4))
) STRICT;

CREATE TABLE reader_makers (
    code   TEXT PRIMARY KEY NOT NULL,
    name   TEXT NOT NULL,
    source TEXT NOT NULL
) STRICT;

CREATE TABLE vendors (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    supports_hospital INTEGER CHECK (supports_hospital IN (0, 1)),
    supports_clinic   INTEGER CHECK (supports_clinic IN (0, 1)),
    note              TEXT,
    source            TEXT NOT NULL
) STRICT;

CREATE TABLE benchmark_tables (
    id       TEXT PRIMARY KEY NOT NULL,
    title_ja TEXT NOT NULL,
    source   TEXT NOT NULL,
    unit     TEXT NOT NULL,
    verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
    note     TEXT
) STRICT;

-- Figures are exact decimal strings (never floats).
CREATE TABLE benchmark_rows (
    table_id TEXT NOT NULL REFERENCES benchmark_tables (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    position INTEGER NOT NULL,
    label_ja TEXT NOT NULL,
    category TEXT,
    min      TEXT,
    mean     TEXT,
    max      TEXT,
    value    TEXT,
    note     TEXT,
    PRIMARY KEY (table_id, key)
) STRICT;

-- Published adoption figures (seeds 002 and 004), one figure a row.
-- prefecture '' means national, so that the primary key also dedupes national rows.
CREATE TABLE adoption_stats (
    series        TEXT NOT NULL,
    as_of         TEXT NOT NULL,
    source        TEXT NOT NULL,
    facility_type TEXT NOT NULL,
    prefecture    TEXT NOT NULL DEFAULT '',
    metric        TEXT NOT NULL,
    value         INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (series, facility_type, prefecture, metric)
) STRICT;

CREATE TABLE corporations (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('medical_corporation', 'pharmacy_chain'))
) STRICT;

CREATE TABLE facilities (
    id             INTEGER PRIMARY KEY,
    facility_code  TEXT NOT NULL UNIQUE CHECK (length(facility_code) = 10),
    name           TEXT NOT NULL,
    kana           TEXT NOT NULL DEFAULT '',
    facility_type  TEXT NOT NULL REFERENCES facility_types (code),
    prefecture     TEXT NOT NULL REFERENCES prefectures (code),
    address        TEXT NOT NULL DEFAULT '',
    corporation_id INTEGER REFERENCES corporations (id),
    online_billing INTEGER NOT NULL DEFAULT 1 CHECK (online_billing IN (0, 1)),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE INDEX facilities_by_prefecture_type ON facilities (prefecture, facility_type);
CREATE INDEX facilities_by_corporation ON facilities (corporation_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('clinic_manager', 'reviewer', 'auditor', 'admin')),
    password_hash  TEXT NOT NULL,
    facility_id    INTEGER REFERENCES facilities (id),
    corporation_id INTEGER REFERENCES corporations (id),
    association    TEXT CHECK (association IN ('medical', 'dental', 'pharmaceutical')),
    prefecture     TEXT REFERENCES prefectures (code),
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    -- A manager belongs to one facility or one corporation; a reviewer to an
    -- association and a prefecture; auditors and admins are national.
    CHECK (
        (role = 'clinic_manager' AND (facility_id IS NULL) <> (corporation_id IS NULL)
            AND association IS NULL AND prefecture IS NULL)
        OR (role = 'reviewer' AND association IS NOT NULL AND prefecture IS NOT NULL
            AND facility_id IS NULL AND corporation_id IS NULL)
        OR (role IN ('auditor', 'admin') AND facility_id IS NULL AND corporation_id IS NULL
            AND association IS NULL AND prefecture IS NULL)
    )
) STRICT;
