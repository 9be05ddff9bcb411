-- Vendors a manager types in join the shared list only once an admin has reviewed them:
-- until then the manager who added them sees them, nobody else's forms do.
ALTER TABLE vendors ADD COLUMN added_by INTEGER REFERENCES users (id);
ALTER TABLE vendors ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 1 CHECK (reviewed IN (0, 1));
UPDATE vendors SET reviewed = 0 WHERE source = 'Onshi の利用者が登録';
CREATE INDEX vendors_awaiting_review ON vendors (reviewed, added_by);
