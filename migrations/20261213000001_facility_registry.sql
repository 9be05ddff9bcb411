-- Issue 25: the registry of insured facilities, as the 地方厚生局 publish it every month
-- (「コード内容別医療機関一覧表」, one list per prefecture and per 医科 / 歯科 / 薬局).

-- Every import: who ran it, what it read, what it changed (its refused rows as JSON).
CREATE TABLE registry_imports (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    actor_label  TEXT NOT NULL,
    files        TEXT NOT NULL,
    as_of        TEXT,
    read_rows    INTEGER NOT NULL CHECK (read_rows >= 0),
    imported     INTEGER NOT NULL CHECK (imported >= 0),
    updated      INTEGER NOT NULL CHECK (updated >= 0),
    unchanged    INTEGER NOT NULL CHECK (unchanged >= 0),
    gone         INTEGER NOT NULL CHECK (gone >= 0),
    refused_json TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- One row per code: the newest list's description. `list_digit` is the code's 点数表番号,
-- kept apart so that a list's facilities (prefecture × kind) are found by an index.
CREATE TABLE registry_facilities (
    facility_code TEXT PRIMARY KEY NOT NULL CHECK (length(facility_code) = 10),
    name          TEXT NOT NULL,
    prefecture    TEXT NOT NULL REFERENCES prefectures (code),
    list_digit    INTEGER NOT NULL CHECK (list_digit IN (1, 3, 4)),
    facility_type TEXT NOT NULL REFERENCES facility_types (code),
    postal_code   TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'gone')),
    -- The date of the newest list the facility was in (NULL: a list without a date).
    as_of         TEXT,
    source        TEXT NOT NULL,
    -- For `gone`: the date of the first list it was missing from.
    gone_since    TEXT,
    import_id     INTEGER NOT NULL REFERENCES registry_imports (id)
) STRICT, WITHOUT ROWID;

CREATE INDEX registry_by_list ON registry_facilities (prefecture, list_digit);

-- Every change a newer list brought, facility by facility (the first load of a list is not
-- a change and adds no history).
CREATE TABLE registry_history (
    id            INTEGER PRIMARY KEY,
    import_id     INTEGER NOT NULL REFERENCES registry_imports (id),
    facility_code TEXT NOT NULL,
    change        TEXT NOT NULL CHECK (change IN ('added', 'updated', 'gone', 'returned')),
    fields        TEXT NOT NULL DEFAULT '',
    before_json   TEXT,
    after_json    TEXT,
    as_of         TEXT
) STRICT;

CREATE INDEX registry_history_by_code ON registry_history (facility_code, id);
