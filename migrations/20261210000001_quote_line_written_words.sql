-- What a quote wrote instead of a figure (別途, サービス, 無償, 込み) and, for a quote read from
-- several sheets (初期費用 and 月額費用), the sheet each line came from.
ALTER TABLE quote_lines ADD COLUMN amount_text TEXT;
ALTER TABLE quote_lines ADD COLUMN sheet TEXT;
