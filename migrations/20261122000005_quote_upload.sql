-- Quote upload: a parsed upload waits as a draft until the manager confirms
-- it; only then are the quote, its lines and its file stored, in one
-- transaction. The file is kept exactly as uploaded, with its SHA-256.

CREATE TABLE quote_drafts (
    token        TEXT PRIMARY KEY NOT NULL,
    facility_id  INTEGER NOT NULL REFERENCES facilities (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL CHECK (length(file_sha256) = 64),
    file_bytes   BLOB NOT NULL,
    -- rules::quote::Quote as JSON.
    parsed_json  TEXT NOT NULL CHECK (json_valid(parsed_json)),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE TABLE quote_files (
    quote_id   INTEGER PRIMARY KEY REFERENCES quotes (id) ON DELETE CASCADE,
    bytes      BLOB NOT NULL
) STRICT;

-- What the manager changed before confirming (the parser's reading is kept).
ALTER TABLE quote_lines ADD COLUMN parsed_category TEXT;
ALTER TABLE quote_lines ADD COLUMN parsed_amount TEXT;

-- The totals as the quote writes them, for the audit of a stored quote.
ALTER TABLE quotes ADD COLUMN written_subtotal TEXT;
ALTER TABLE quotes ADD COLUMN written_tax TEXT;
ALTER TABLE quotes ADD COLUMN written_tax_included INTEGER NOT NULL DEFAULT 0 CHECK (written_tax_included IN (0, 1));
ALTER TABLE quotes ADD COLUMN written_total TEXT;
