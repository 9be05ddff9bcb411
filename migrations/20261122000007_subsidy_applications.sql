-- Subsidy applications (交付申請): paid after the fact (精算払い), so a quote —
-- uploaded or entered by hand from the receipts — is marked paid first; the
-- application keeps the package exactly as prepared (rules::application::Package
-- as JSON) so a submitted application reads the same whatever changes later.

-- The day the vendor was paid (the 領収書's date); NULL: not paid.
ALTER TABLE quotes ADD COLUMN paid_on TEXT;

CREATE TABLE subsidy_applications (
    id            INTEGER PRIMARY KEY,
    -- One application per facility: the subsidy is granted once.
    facility_id   INTEGER NOT NULL UNIQUE REFERENCES facilities (id),
    quote_id      INTEGER NOT NULL REFERENCES quotes (id),
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'paid')),
    applied_on    TEXT NOT NULL,
    scheme_id     TEXT NOT NULL,
    -- Whole yen as exact decimal text, as everywhere.
    total_cost    TEXT NOT NULL,
    eligible_cost TEXT NOT NULL,
    subsidy       TEXT NOT NULL,
    self_burden   TEXT NOT NULL,
    package_json  TEXT NOT NULL CHECK (json_valid(package_json)),
    submitted_on  TEXT,
    paid_on       TEXT,
    paid_amount   TEXT,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK ((status = 'draft') = (submitted_on IS NULL)),
    CHECK ((status = 'paid') = (paid_on IS NOT NULL AND paid_amount IS NOT NULL))
) STRICT;

CREATE INDEX subsidy_applications_by_status ON subsidy_applications (status);
