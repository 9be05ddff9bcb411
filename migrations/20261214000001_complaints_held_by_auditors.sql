-- A complaint whose facility's association and prefecture have no reviewer in Onshi is held by
-- the national auditors, who then make the association's moves, so that it always reaches
-- someone; the clinic's complaint page says so. Set when the complaint is filed.
ALTER TABLE complaints ADD COLUMN held_by_auditors INTEGER NOT NULL DEFAULT 0 CHECK (held_by_auditors IN (0, 1));
