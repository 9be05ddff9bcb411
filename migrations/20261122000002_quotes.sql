-- Quotes and their lines, as confirmed by a facility (the upload flow of
-- issue 7 writes them in one transaction). The audit compares a new quote's
-- prices with the confirmed lines of the same category and facility type.
-- Money is exact decimal text in yen (Yen in rules), never floats.

CREATE TABLE quotes (
    id             INTEGER PRIMARY KEY,
    facility_id    INTEGER NOT NULL REFERENCES facilities (id),
    vendor_id      INTEGER REFERENCES vendors (id),
    file_name      TEXT NOT NULL,
    file_sha256    TEXT CHECK (file_sha256 IS NULL OR length(file_sha256) = 64),
    quote_date     TEXT,
    tax_inclusive  INTEGER NOT NULL DEFAULT 0 CHECK (tax_inclusive IN (0, 1)),
    confirmed      INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    created_by     INTEGER REFERENCES users (id),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE INDEX quotes_by_facility ON quotes (facility_id);

CREATE TABLE quote_lines (
    id               INTEGER PRIMARY KEY,
    quote_id         INTEGER NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    sheet_row        INTEGER,
    kind             TEXT NOT NULL CHECK (kind IN ('item', 'discount')),
    description      TEXT NOT NULL,
    spec             TEXT,
    category         TEXT NOT NULL CHECK (category IN ('terminal', 'card_reader', 'generic_reader',
                         'app_software', 'network_setup', 'router', 'certificate', 'lan_wiring',
                         'receipt_system', 'emr', 'setup_labor', 'training', 'maintenance',
                         'line_fee', 'travel', 'discount', 'other')),
    quantity         TEXT,
    unit             TEXT,
    unit_price       TEXT,
    amount           TEXT,
    -- The price benchmarks and peers compare: unit price for devices, amount for work.
    comparable_price TEXT,
    note             TEXT,
    UNIQUE (quote_id, position)
) STRICT;

CREATE INDEX quote_lines_by_category ON quote_lines (category, quote_id);
