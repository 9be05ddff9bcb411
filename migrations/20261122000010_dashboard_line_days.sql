-- National quote-line totals by day (issue 9). A national dashboard over a
-- period that starts and ends mid-month summed the raw lines of its part
-- months one by one: 184 ms for 230,000 facilities, where twenty days of March
-- 2022 hold ~75,000 lines (BENCHMARKS.md). These rows answer those days for
-- the whole country in a few hundred rows. A prefecture's days are still
-- counted from the raw rows (a 47th of them): daily rows by prefecture would be
-- nearly as many as the quotes.
--
-- A row per day × facility type × category, for the lines of confirmed quotes,
-- on the quote's day (its date, or the day it was entered), as the monthly
-- totals of 20261122000008 count them. Every write that changes these rows also
-- changes a monthly row, whose triggers bump the dashboards' generation.

CREATE TABLE dashboard_line_days (
    day             TEXT NOT NULL,
    facility_type   TEXT NOT NULL,
    category        TEXT NOT NULL,
    n               INTEGER NOT NULL,
    amount          INTEGER NOT NULL,
    free_item_lines INTEGER NOT NULL,
    PRIMARY KEY (day, facility_type, category)
) STRICT, WITHOUT ROWID;

-- Each facility's lines by day, from the raw rows: the initial fill, a facility
-- changing type, and the consistency check read it.
CREATE VIEW dashboard_line_day_contributions (facility_id, day, category, n, amount, free_item_lines) AS
    SELECT q.facility_id, substr(coalesce(q.quote_date, q.created_at), 1, 10), l.category, 1,
           coalesce(CAST(l.amount AS INTEGER), 0),
           l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0
    FROM quote_lines l JOIN quotes q ON q.id = l.quote_id WHERE q.confirmed = 1;

-- The daily rows recomputed from the raw rows, minus the stored ones: empty when
-- they agree (read with dashboard_totals_drift).
CREATE VIEW dashboard_line_days_drift (day, facility_type, category, n, amount, free_item_lines) AS
    SELECT day, facility_type, category, sum(n), sum(amount), sum(free_item_lines)
    FROM (
        SELECT c.day, f.facility_type, c.category, c.n, c.amount, c.free_item_lines
        FROM dashboard_line_day_contributions c JOIN facilities f ON f.id = c.facility_id
        UNION ALL
        SELECT day, facility_type, category, -n, -amount, -free_item_lines FROM dashboard_line_days
    )
    GROUP BY day, facility_type, category
    HAVING sum(n) <> 0 OR sum(amount) <> 0 OR sum(free_item_lines) <> 0;

INSERT INTO dashboard_line_days
SELECT c.day, f.facility_type, c.category, sum(c.n), sum(c.amount), sum(c.free_item_lines)
FROM dashboard_line_day_contributions c JOIN facilities f ON f.id = c.facility_id
GROUP BY 1, 2, 3;

-- The same events as the monthly quote-line triggers, through the same upsert.
-- `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT.

CREATE TRIGGER dashboard_line_day_added AFTER INSERT ON quote_lines BEGIN
    INSERT INTO dashboard_line_days
    SELECT substr(coalesce(q.quote_date, q.created_at), 1, 10), f.facility_type, new.category,
           1, coalesce(CAST(new.amount AS INTEGER), 0),
           new.category IN ('card_reader', 'app_software') AND coalesce(CAST(new.amount AS INTEGER), 0) > 0
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = new.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

-- A line deleted with its quote finds no quote: the quote's own trigger took its lines out.
CREATE TRIGGER dashboard_line_day_removed AFTER DELETE ON quote_lines BEGIN
    INSERT INTO dashboard_line_days
    SELECT substr(coalesce(q.quote_date, q.created_at), 1, 10), f.facility_type, old.category,
           -1, -coalesce(CAST(old.amount AS INTEGER), 0),
           -(old.category IN ('card_reader', 'app_software') AND coalesce(CAST(old.amount AS INTEGER), 0) > 0)
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = old.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n - 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

CREATE TRIGGER dashboard_line_day_changed AFTER UPDATE OF quote_id, category, amount ON quote_lines BEGIN
    INSERT INTO dashboard_line_days
    SELECT substr(coalesce(q.quote_date, q.created_at), 1, 10), f.facility_type, old.category,
           -1, -coalesce(CAST(old.amount AS INTEGER), 0),
           -(old.category IN ('card_reader', 'app_software') AND coalesce(CAST(old.amount AS INTEGER), 0) > 0)
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = old.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n - 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
    INSERT INTO dashboard_line_days
    SELECT substr(coalesce(q.quote_date, q.created_at), 1, 10), f.facility_type, new.category,
           1, coalesce(CAST(new.amount AS INTEGER), 0),
           new.category IN ('card_reader', 'app_software') AND coalesce(CAST(new.amount AS INTEGER), 0) > 0
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = new.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

-- A quote confirmed, unconfirmed, redated or moved takes its lines with it.
CREATE TRIGGER dashboard_line_day_quote_changed AFTER UPDATE OF facility_id, quote_date, created_at, confirmed ON quotes BEGIN
    INSERT INTO dashboard_line_days
    SELECT substr(coalesce(old.quote_date, old.created_at), 1, 10), f.facility_type, l.category,
           -count(*), -sum(coalesce(CAST(l.amount AS INTEGER), 0)),
           -sum(l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0)
    FROM quote_lines l JOIN facilities f ON f.id = old.facility_id
    WHERE l.quote_id = old.id AND old.confirmed = 1
    GROUP BY l.category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
    INSERT INTO dashboard_line_days
    SELECT substr(coalesce(new.quote_date, new.created_at), 1, 10), f.facility_type, l.category,
           count(*), sum(coalesce(CAST(l.amount AS INTEGER), 0)),
           sum(l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0)
    FROM quote_lines l JOIN facilities f ON f.id = new.facility_id
    WHERE l.quote_id = new.id AND new.confirmed = 1
    GROUP BY l.category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

CREATE TRIGGER dashboard_line_day_quote_removed BEFORE DELETE ON quotes BEGIN
    INSERT INTO dashboard_line_days
    SELECT substr(coalesce(old.quote_date, old.created_at), 1, 10), f.facility_type, l.category,
           -count(*), -sum(coalesce(CAST(l.amount AS INTEGER), 0)),
           -sum(l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0)
    FROM quote_lines l JOIN facilities f ON f.id = old.facility_id
    WHERE l.quote_id = old.id AND old.confirmed = 1
    GROUP BY l.category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

-- A facility that changes type takes its lines with it (a move between prefectures
-- changes nothing here: these rows are national).
CREATE TRIGGER dashboard_line_day_facility_retyped AFTER UPDATE OF facility_type ON facilities
WHEN old.facility_type IS NOT new.facility_type BEGIN
    INSERT INTO dashboard_line_days
    SELECT day, old.facility_type, category, -sum(n), -sum(amount), -sum(free_item_lines)
    FROM dashboard_line_day_contributions WHERE facility_id = old.id GROUP BY day, category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
    INSERT INTO dashboard_line_days
    SELECT day, new.facility_type, category, sum(n), sum(amount), sum(free_item_lines)
    FROM dashboard_line_day_contributions WHERE facility_id = new.id GROUP BY day, category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;
