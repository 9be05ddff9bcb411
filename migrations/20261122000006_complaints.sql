-- Complaints (相談・不適切対応事例) with their full history and in-app notifications.

CREATE TABLE complaints (
    id          INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    quote_id    INTEGER REFERENCES quotes (id),
    vendor_id   INTEGER REFERENCES vendors (id),
    kind        TEXT NOT NULL CHECK (kind IN ('high_quote', 'delay', 'misleading_explanation', 'model_change', 'other')),
    description TEXT NOT NULL CHECK (length(trim(description)) > 0),
    status      TEXT NOT NULL CHECK (status IN ('submitted', 'under_review', 'forwarded', 'vendor_contacted',
                    'resolved', 'not_upheld', 'withdrawn')),
    filed_by    INTEGER NOT NULL REFERENCES users (id),
    filed_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE INDEX complaints_by_facility ON complaints (facility_id);

CREATE TABLE complaint_events (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    actor_id     INTEGER NOT NULL REFERENCES users (id),
    comment      TEXT NOT NULL,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE INDEX complaint_events_by_complaint ON complaint_events (complaint_id, id);

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    complaint_id INTEGER REFERENCES complaints (id),
    message      TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    read_at      TEXT
) STRICT;

CREATE INDEX notifications_by_user ON notifications (user_id, read_at);
