-- Amounts a quote writes outside its item tables as their sum (a cover sheet's 御見積金額 or
-- 初期費用, the 御見積金額 above the table), as JSON [{label, amount, place}], so that a stored
-- quote's audit checks them as the preview did.
ALTER TABLE quotes ADD COLUMN written_summary TEXT;
