-- The patients a facility sees a month, as its manager enters them, for the payback of the
-- fee additions for using オンライン資格確認 (電子的保健医療情報活用加算 and its successor:
-- claimed once a month per patient). Clinics and hospitals enter 初診 and 再診 patients,
-- pharmacies the patients whose prescriptions they dispense; the other columns stay NULL.
-- 1,000,000 a month bounds a typo, not a real facility.
CREATE TABLE facility_patients (
    facility_id   INTEGER PRIMARY KEY REFERENCES facilities (id),
    first_visits  INTEGER CHECK (first_visits IS NULL OR first_visits BETWEEN 0 AND 1000000),
    revisits      INTEGER CHECK (revisits IS NULL OR revisits BETWEEN 0 AND 1000000),
    prescriptions INTEGER CHECK (prescriptions IS NULL OR prescriptions BETWEEN 0 AND 1000000),
    updated_by    INTEGER REFERENCES users (id),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
