-- E-mail (issue 26): messages written in the transaction of what they tell and sent by the
-- server's mailer when SMTP is configured; password-reset tokens (stored as their SHA-256,
-- single use, expiring); the deadline reminders already sent, so each is sent once.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
) STRICT;

CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY NOT NULL CHECK (length(token_hash) = 64),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) STRICT;

CREATE INDEX password_resets_by_user ON password_resets (user_id);

CREATE TABLE deadline_reminders (
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    kind        TEXT NOT NULL,
    due         TEXT NOT NULL,
    sent_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (facility_id, kind, due)
) STRICT;
