-- Reader provisioning: the reader application, the facility's milestones and
-- the timeline of stages (seeds/001, 002, 004). Dates are YYYY-MM-DD text.

-- A pharmacy group's monthly prescriptions; 40,000 or more makes a 大型チェーン薬局 (seeds/001, 003).
ALTER TABLE facilities ADD COLUMN group_monthly_prescriptions INTEGER
    CHECK (group_monthly_prescriptions IS NULL OR group_monthly_prescriptions >= 0);

-- The reasons facilities gave for being stuck at a stage (seeds/002 survey), for the blocker picker.
CREATE TABLE blocker_reasons (
    stage    TEXT NOT NULL,
    code     TEXT NOT NULL,
    rank     INTEGER NOT NULL,
    label_ja TEXT NOT NULL,
    percent  TEXT,
    PRIMARY KEY (stage, code)
) STRICT;

-- One reader application per facility (機種未定 = no maker yet).
CREATE TABLE reader_applications (
    facility_id      INTEGER PRIMARY KEY REFERENCES facilities (id),
    applied_on       TEXT NOT NULL,
    readers          INTEGER NOT NULL CHECK (readers BETWEEN 1 AND 20),
    model_undecided  INTEGER NOT NULL CHECK (model_undecided IN (0, 1)),
    maker_code       TEXT REFERENCES reader_makers (code),
    model_chosen_on  TEXT,
    bulk_declared_on TEXT,
    -- Facilities applied for together in one 一括申請 share a batch id.
    bulk_batch       TEXT,
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (model_undecided = 1 OR maker_code IS NOT NULL)
) STRICT;

-- The facility's milestones and current stage.
CREATE TABLE facility_progress (
    facility_id          INTEGER PRIMARY KEY REFERENCES facilities (id),
    stage                TEXT NOT NULL DEFAULT 'portal_unregistered' CHECK (stage IN ('portal_unregistered',
                             'portal_registered', 'reader_applied', 'vendor_ordered', 'installing', 'installed', 'operating')),
    vendor_id            INTEGER REFERENCES vendors (id),
    vendor_contract_on   TEXT,
    completed_on         TEXT,
    operation_started_on TEXT,
    subsidy_applied_on   TEXT,
    grace_type           INTEGER CHECK (grace_type IS NULL OR grace_type BETWEEN 1 AND 6),
    grace_accepted       INTEGER NOT NULL DEFAULT 0 CHECK (grace_accepted IN (0, 1)),
    grace_until          TEXT,
    blocker_code         TEXT,
    blocker_text         TEXT,
    updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- Each stage reached, for the timeline.
CREATE TABLE stage_events (
    id           INTEGER PRIMARY KEY,
    facility_id  INTEGER NOT NULL REFERENCES facilities (id),
    stage        TEXT NOT NULL,
    reached_on   TEXT NOT NULL,
    vendor_id    INTEGER REFERENCES vendors (id),
    blocker_code TEXT,
    blocker_text TEXT,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE INDEX stage_events_by_facility ON stage_events (facility_id, reached_on);
