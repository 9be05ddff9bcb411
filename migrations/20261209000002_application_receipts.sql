-- The 交付申請 package as the portal asks for it (医療機関等向け総合ポータルサイト FAQ
-- 「オンライン資格確認関係補助金申請について」): the scanned 領収書(写) attached to an
-- application, kept byte for byte as uploaded, and the receipts a corporation paid for
-- several facilities at once, whose lines a 一括申請 splits across its facilities.

CREATE TABLE application_receipts (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES subsidy_applications (id) ON DELETE CASCADE,
    file_name      TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type   TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    file_sha256    TEXT NOT NULL CHECK (length(file_sha256) = 64),
    bytes          BLOB NOT NULL,
    uploaded_by    INTEGER REFERENCES users (id),
    uploaded_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE INDEX application_receipts_by_application ON application_receipts (application_id);

-- A confirmed quote (entered under one facility of the corporation) that the corporation paid
-- for all its facilities: in the 一括申請 its lines are shared and split across the facilities
-- that apply, instead of being that one facility's costs.
CREATE TABLE shared_receipts (
    quote_id       INTEGER PRIMARY KEY REFERENCES quotes (id) ON DELETE CASCADE,
    corporation_id INTEGER NOT NULL REFERENCES corporations (id),
    marked_by      INTEGER REFERENCES users (id),
    marked_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE INDEX shared_receipts_by_corporation ON shared_receipts (corporation_id);
