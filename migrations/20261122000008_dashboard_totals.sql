-- Running totals for the reviewers' and auditors' dashboards (issue 9). At
-- national scale (230,000 facilities, 2.3 M quote lines) counting the raw rows
-- took seconds per page; these totals by prefecture × facility type × month
-- answer in milliseconds. Triggers keep them exact on every write, whoever
-- writes (the app, seed-national, the sqlite3 shell); a dashboard over a
-- facility's or a corporation's own rows still counts the raw rows.
--
-- One row per (metric, prefecture, type, key, detail, month):
--   facilities      every facility (month '')
--   reader_applied  カードリーダー申込, month of applied_on
--   ready           導入完了 or 運用開始, month of the earlier of the two
--   operating       運用開始, month of operation_started_on
--   blocker         a stuck facility: key = stage, detail = blocker code (or its
--                   free text), month of the progress row's updated_at
--   quote_line      a line of a confirmed quote: key = category, month of the
--                   quote date (or its entry); amount = the line's whole yen;
--                   free_item_lines = 1 when it charges for a device given free
--   complaint       key = status, detail = vendor id ('' when none), month filed
--   subsidy         交付申請: key = status, month applied; amount = 申請額, granted = 交付額
-- Rows whose count falls to zero stay (reads ignore them).
--
-- Rows with prefecture '' are the national totals by type (全国), kept by the
-- two triggers on this table itself: a national page reads a few thousand rows
-- instead of one per prefecture (measured: 25 ms → under 1 ms for the quote
-- lines of 230,000 facilities).

CREATE TABLE dashboard_totals (
    metric          TEXT NOT NULL,
    prefecture      TEXT NOT NULL,
    facility_type   TEXT NOT NULL,
    key             TEXT NOT NULL,
    detail          TEXT NOT NULL,
    month           TEXT NOT NULL,
    n               INTEGER NOT NULL,
    amount          INTEGER NOT NULL,
    free_item_lines INTEGER NOT NULL,
    granted         INTEGER NOT NULL,
    PRIMARY KEY (metric, prefecture, facility_type, key, detail, month)
) STRICT, WITHOUT ROWID;

-- Every facility's share of the totals, computed from the raw rows: the
-- initial fill, a facility moving prefecture or type, and the consistency check
-- (`dashboard_totals_drift` below) read it.
CREATE VIEW dashboard_contributions (facility_id, metric, key, detail, month, n, amount, free_item_lines, granted) AS
    SELECT id, 'facilities', '', '', '', 1, 0, 0, 0 FROM facilities
    UNION ALL
    SELECT facility_id, 'reader_applied', '', '', substr(applied_on, 1, 7), 1, 0, 0, 0 FROM reader_applications
    UNION ALL
    SELECT facility_id, 'ready', '', '',
           substr(min(coalesce(completed_on, operation_started_on), coalesce(operation_started_on, completed_on)), 1, 7),
           1, 0, 0, 0
    FROM facility_progress WHERE completed_on IS NOT NULL OR operation_started_on IS NOT NULL
    UNION ALL
    SELECT facility_id, 'operating', '', '', substr(operation_started_on, 1, 7), 1, 0, 0, 0
    FROM facility_progress WHERE operation_started_on IS NOT NULL
    UNION ALL
    SELECT facility_id, 'blocker', stage, coalesce(blocker_code, blocker_text), substr(updated_at, 1, 7), 1, 0, 0, 0
    FROM facility_progress WHERE blocker_code IS NOT NULL OR blocker_text IS NOT NULL
    UNION ALL
    SELECT q.facility_id, 'quote_line', l.category, '', substr(coalesce(q.quote_date, q.created_at), 1, 7), 1,
           coalesce(CAST(l.amount AS INTEGER), 0),
           l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0, 0
    FROM quote_lines l JOIN quotes q ON q.id = l.quote_id WHERE q.confirmed = 1
    UNION ALL
    SELECT facility_id, 'complaint', status, coalesce(CAST(vendor_id AS TEXT), ''), substr(filed_at, 1, 7), 1, 0, 0, 0
    FROM complaints
    UNION ALL
    SELECT facility_id, 'subsidy', status, '', substr(applied_on, 1, 7), 1, CAST(subsidy AS INTEGER), 0,
           coalesce(CAST(paid_amount AS INTEGER), 0)
    FROM subsidy_applications;

-- The totals recomputed from the raw rows, minus the stored ones: empty when
-- they agree (the tests and `onshi dashboard-totals --check` read it).
CREATE VIEW dashboard_totals_drift (metric, prefecture, facility_type, key, detail, month, n, amount, free_item_lines, granted) AS
    WITH computed AS (
        SELECT c.metric, f.prefecture, f.facility_type, c.key, c.detail, c.month,
               c.n, c.amount, c.free_item_lines, c.granted
        FROM dashboard_contributions c JOIN facilities f ON f.id = c.facility_id
    )
    SELECT metric, prefecture, facility_type, key, detail, month,
           sum(n), sum(amount), sum(free_item_lines), sum(granted)
    FROM (
        SELECT * FROM computed
        UNION ALL
        SELECT metric, '', facility_type, key, detail, month, n, amount, free_item_lines, granted FROM computed
        UNION ALL
        SELECT metric, prefecture, facility_type, key, detail, month, -n, -amount, -free_item_lines, -granted
        FROM dashboard_totals
    )
    GROUP BY metric, prefecture, facility_type, key, detail, month
    HAVING sum(n) <> 0 OR sum(amount) <> 0 OR sum(free_item_lines) <> 0 OR sum(granted) <> 0;

INSERT INTO dashboard_totals
SELECT c.metric, f.prefecture, f.facility_type, c.key, c.detail, c.month,
       sum(c.n), sum(c.amount), sum(c.free_item_lines), sum(c.granted)
FROM dashboard_contributions c JOIN facilities f ON f.id = c.facility_id
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO dashboard_totals
SELECT metric, '', facility_type, key, detail, month, sum(n), sum(amount), sum(free_item_lines), sum(granted)
FROM dashboard_totals
GROUP BY metric, facility_type, key, detail, month;

-- A number that changes with every change to what the dashboards show, so that a
-- dashboard computed once can be served again until it does (app/src/api/dashboard.rs).
-- Every change to dashboard_totals passes through the national triggers below (each
-- prefecture row feeds its national row), so they bump it; the reference data the
-- charts show by name (vendors, blocker reasons, published figures) bump it too.
CREATE TABLE dashboard_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;

INSERT INTO dashboard_generation VALUES (1, 0);

-- National totals follow every prefecture's: a new row adds itself, a changed row its change.
CREATE TRIGGER dashboard_national_added AFTER INSERT ON dashboard_totals WHEN new.prefecture <> '' BEGIN
    INSERT INTO dashboard_totals
    VALUES (new.metric, '', new.facility_type, new.key, new.detail, new.month,
            new.n, new.amount, new.free_item_lines, new.granted)
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines, granted = granted + excluded.granted;
    UPDATE dashboard_generation SET generation = generation + 1;
END;

CREATE TRIGGER dashboard_national_changed AFTER UPDATE ON dashboard_totals WHEN new.prefecture <> '' BEGIN
    INSERT INTO dashboard_totals
    VALUES (new.metric, '', new.facility_type, new.key, new.detail, new.month,
            new.n - old.n, new.amount - old.amount, new.free_item_lines - old.free_item_lines, new.granted - old.granted)
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines, granted = granted + excluded.granted;
    UPDATE dashboard_generation SET generation = generation + 1;
END;

-- Each trigger adds a row's share with its sign through the same upsert.
-- `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT.

-- Facilities -----------------------------------------------------------------

CREATE TRIGGER dashboard_facility_added AFTER INSERT ON facilities BEGIN
    INSERT INTO dashboard_totals VALUES ('facilities', new.prefecture, new.facility_type, '', '', '', 1, 0, 0, 0)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dashboard_facility_removed AFTER DELETE ON facilities BEGIN
    INSERT INTO dashboard_totals VALUES ('facilities', old.prefecture, old.facility_type, '', '', '', -1, 0, 0, 0)
    ON CONFLICT DO UPDATE SET n = n - 1;
END;

-- A facility that moves prefecture or type takes all its shares with it.
CREATE TRIGGER dashboard_facility_moved AFTER UPDATE OF prefecture, facility_type ON facilities
WHEN old.prefecture IS NOT new.prefecture OR old.facility_type IS NOT new.facility_type BEGIN
    INSERT INTO dashboard_totals
    SELECT metric, old.prefecture, old.facility_type, key, detail, month, -n, -amount, -free_item_lines, -granted
    FROM dashboard_contributions WHERE facility_id = old.id AND true
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines, granted = granted + excluded.granted;
    INSERT INTO dashboard_totals
    SELECT metric, new.prefecture, new.facility_type, key, detail, month, n, amount, free_item_lines, granted
    FROM dashboard_contributions WHERE facility_id = new.id AND true
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines, granted = granted + excluded.granted;
END;

-- Reader applications ----------------------------------------------------------

CREATE TRIGGER dashboard_reader_applied AFTER INSERT ON reader_applications BEGIN
    INSERT INTO dashboard_totals
    SELECT 'reader_applied', prefecture, facility_type, '', '', substr(new.applied_on, 1, 7), 1, 0, 0, 0
    FROM facilities WHERE id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dashboard_reader_unapplied AFTER DELETE ON reader_applications BEGIN
    INSERT INTO dashboard_totals
    SELECT 'reader_applied', prefecture, facility_type, '', '', substr(old.applied_on, 1, 7), -1, 0, 0, 0
    FROM facilities WHERE id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER dashboard_reader_redated AFTER UPDATE OF facility_id, applied_on ON reader_applications BEGIN
    INSERT INTO dashboard_totals
    SELECT 'reader_applied', prefecture, facility_type, '', '', substr(old.applied_on, 1, 7), -1, 0, 0, 0
    FROM facilities WHERE id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1;
    INSERT INTO dashboard_totals
    SELECT 'reader_applied', prefecture, facility_type, '', '', substr(new.applied_on, 1, 7), 1, 0, 0, 0
    FROM facilities WHERE id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Progress: ready, operating, blockers ------------------------------------------
-- The old row's shares go out and the new row's come in; the sign is the only difference.

CREATE TRIGGER dashboard_progress_added AFTER INSERT ON facility_progress BEGIN
    INSERT INTO dashboard_totals
    SELECT s.metric, f.prefecture, f.facility_type, s.key, s.detail, s.month, 1, 0, 0, 0
    FROM facilities f, (
        SELECT 'ready' AS metric, '' AS key, '' AS detail,
               substr(min(coalesce(new.completed_on, new.operation_started_on),
                          coalesce(new.operation_started_on, new.completed_on)), 1, 7) AS month
        WHERE new.completed_on IS NOT NULL OR new.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'operating', '', '', substr(new.operation_started_on, 1, 7) WHERE new.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'blocker', new.stage, coalesce(new.blocker_code, new.blocker_text), substr(new.updated_at, 1, 7)
        WHERE new.blocker_code IS NOT NULL OR new.blocker_text IS NOT NULL
    ) s
    WHERE f.id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dashboard_progress_removed AFTER DELETE ON facility_progress BEGIN
    INSERT INTO dashboard_totals
    SELECT s.metric, f.prefecture, f.facility_type, s.key, s.detail, s.month, -1, 0, 0, 0
    FROM facilities f, (
        SELECT 'ready' AS metric, '' AS key, '' AS detail,
               substr(min(coalesce(old.completed_on, old.operation_started_on),
                          coalesce(old.operation_started_on, old.completed_on)), 1, 7) AS month
        WHERE old.completed_on IS NOT NULL OR old.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'operating', '', '', substr(old.operation_started_on, 1, 7) WHERE old.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'blocker', old.stage, coalesce(old.blocker_code, old.blocker_text), substr(old.updated_at, 1, 7)
        WHERE old.blocker_code IS NOT NULL OR old.blocker_text IS NOT NULL
    ) s
    WHERE f.id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER dashboard_progress_changed AFTER UPDATE ON facility_progress BEGIN
    INSERT INTO dashboard_totals
    SELECT s.metric, f.prefecture, f.facility_type, s.key, s.detail, s.month, -1, 0, 0, 0
    FROM facilities f, (
        SELECT 'ready' AS metric, '' AS key, '' AS detail,
               substr(min(coalesce(old.completed_on, old.operation_started_on),
                          coalesce(old.operation_started_on, old.completed_on)), 1, 7) AS month
        WHERE old.completed_on IS NOT NULL OR old.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'operating', '', '', substr(old.operation_started_on, 1, 7) WHERE old.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'blocker', old.stage, coalesce(old.blocker_code, old.blocker_text), substr(old.updated_at, 1, 7)
        WHERE old.blocker_code IS NOT NULL OR old.blocker_text IS NOT NULL
    ) s
    WHERE f.id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1;
    INSERT INTO dashboard_totals
    SELECT s.metric, f.prefecture, f.facility_type, s.key, s.detail, s.month, 1, 0, 0, 0
    FROM facilities f, (
        SELECT 'ready' AS metric, '' AS key, '' AS detail,
               substr(min(coalesce(new.completed_on, new.operation_started_on),
                          coalesce(new.operation_started_on, new.completed_on)), 1, 7) AS month
        WHERE new.completed_on IS NOT NULL OR new.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'operating', '', '', substr(new.operation_started_on, 1, 7) WHERE new.operation_started_on IS NOT NULL
        UNION ALL
        SELECT 'blocker', new.stage, coalesce(new.blocker_code, new.blocker_text), substr(new.updated_at, 1, 7)
        WHERE new.blocker_code IS NOT NULL OR new.blocker_text IS NOT NULL
    ) s
    WHERE f.id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Quote lines: counted while their quote is confirmed ------------------------------

CREATE TRIGGER dashboard_line_added AFTER INSERT ON quote_lines BEGIN
    INSERT INTO dashboard_totals
    SELECT 'quote_line', f.prefecture, f.facility_type, new.category, '', substr(coalesce(q.quote_date, q.created_at), 1, 7),
           1, coalesce(CAST(new.amount AS INTEGER), 0),
           new.category IN ('card_reader', 'app_software') AND coalesce(CAST(new.amount AS INTEGER), 0) > 0, 0
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = new.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

-- A line deleted with its quote finds no quote: the quote's own trigger took its lines out.
CREATE TRIGGER dashboard_line_removed AFTER DELETE ON quote_lines BEGIN
    INSERT INTO dashboard_totals
    SELECT 'quote_line', f.prefecture, f.facility_type, old.category, '', substr(coalesce(q.quote_date, q.created_at), 1, 7),
           -1, -coalesce(CAST(old.amount AS INTEGER), 0),
           -(old.category IN ('card_reader', 'app_software') AND coalesce(CAST(old.amount AS INTEGER), 0) > 0), 0
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = old.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n - 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

CREATE TRIGGER dashboard_line_changed AFTER UPDATE OF quote_id, category, amount ON quote_lines BEGIN
    INSERT INTO dashboard_totals
    SELECT 'quote_line', f.prefecture, f.facility_type, old.category, '', substr(coalesce(q.quote_date, q.created_at), 1, 7),
           -1, -coalesce(CAST(old.amount AS INTEGER), 0),
           -(old.category IN ('card_reader', 'app_software') AND coalesce(CAST(old.amount AS INTEGER), 0) > 0), 0
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = old.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n - 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
    INSERT INTO dashboard_totals
    SELECT 'quote_line', f.prefecture, f.facility_type, new.category, '', substr(coalesce(q.quote_date, q.created_at), 1, 7),
           1, coalesce(CAST(new.amount AS INTEGER), 0),
           new.category IN ('card_reader', 'app_software') AND coalesce(CAST(new.amount AS INTEGER), 0) > 0, 0
    FROM quotes q JOIN facilities f ON f.id = q.facility_id
    WHERE q.id = new.quote_id AND q.confirmed = 1
    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

-- A quote confirmed, unconfirmed, redated or moved takes its lines with it.
CREATE TRIGGER dashboard_quote_changed AFTER UPDATE OF facility_id, quote_date, created_at, confirmed ON quotes BEGIN
    INSERT INTO dashboard_totals
    SELECT 'quote_line', f.prefecture, f.facility_type, l.category, '', substr(coalesce(old.quote_date, old.created_at), 1, 7),
           -count(*), -sum(coalesce(CAST(l.amount AS INTEGER), 0)),
           -sum(l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0), 0
    FROM quote_lines l JOIN facilities f ON f.id = old.facility_id
    WHERE l.quote_id = old.id AND old.confirmed = 1
    GROUP BY l.category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
    INSERT INTO dashboard_totals
    SELECT 'quote_line', f.prefecture, f.facility_type, l.category, '', substr(coalesce(new.quote_date, new.created_at), 1, 7),
           count(*), sum(coalesce(CAST(l.amount AS INTEGER), 0)),
           sum(l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0), 0
    FROM quote_lines l JOIN facilities f ON f.id = new.facility_id
    WHERE l.quote_id = new.id AND new.confirmed = 1
    GROUP BY l.category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

CREATE TRIGGER dashboard_quote_removed BEFORE DELETE ON quotes BEGIN
    INSERT INTO dashboard_totals
    SELECT 'quote_line', f.prefecture, f.facility_type, l.category, '', substr(coalesce(old.quote_date, old.created_at), 1, 7),
           -count(*), -sum(coalesce(CAST(l.amount AS INTEGER), 0)),
           -sum(l.category IN ('card_reader', 'app_software') AND coalesce(CAST(l.amount AS INTEGER), 0) > 0), 0
    FROM quote_lines l JOIN facilities f ON f.id = old.facility_id
    WHERE l.quote_id = old.id AND old.confirmed = 1
    GROUP BY l.category
    ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
        free_item_lines = free_item_lines + excluded.free_item_lines;
END;

-- Complaints ----------------------------------------------------------------------

CREATE TRIGGER dashboard_complaint_added AFTER INSERT ON complaints BEGIN
    INSERT INTO dashboard_totals
    SELECT 'complaint', prefecture, facility_type, new.status, coalesce(CAST(new.vendor_id AS TEXT), ''),
           substr(new.filed_at, 1, 7), 1, 0, 0, 0
    FROM facilities WHERE id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dashboard_complaint_removed AFTER DELETE ON complaints BEGIN
    INSERT INTO dashboard_totals
    SELECT 'complaint', prefecture, facility_type, old.status, coalesce(CAST(old.vendor_id AS TEXT), ''),
           substr(old.filed_at, 1, 7), -1, 0, 0, 0
    FROM facilities WHERE id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER dashboard_complaint_changed AFTER UPDATE OF facility_id, status, vendor_id, filed_at ON complaints BEGIN
    INSERT INTO dashboard_totals
    SELECT 'complaint', prefecture, facility_type, old.status, coalesce(CAST(old.vendor_id AS TEXT), ''),
           substr(old.filed_at, 1, 7), -1, 0, 0, 0
    FROM facilities WHERE id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1;
    INSERT INTO dashboard_totals
    SELECT 'complaint', prefecture, facility_type, new.status, coalesce(CAST(new.vendor_id AS TEXT), ''),
           substr(new.filed_at, 1, 7), 1, 0, 0, 0
    FROM facilities WHERE id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Subsidy applications ------------------------------------------------------------

CREATE TRIGGER dashboard_subsidy_added AFTER INSERT ON subsidy_applications BEGIN
    INSERT INTO dashboard_totals
    SELECT 'subsidy', prefecture, facility_type, new.status, '', substr(new.applied_on, 1, 7), 1,
           CAST(new.subsidy AS INTEGER), 0, coalesce(CAST(new.paid_amount AS INTEGER), 0)
    FROM facilities WHERE id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount, granted = granted + excluded.granted;
END;

CREATE TRIGGER dashboard_subsidy_removed AFTER DELETE ON subsidy_applications BEGIN
    INSERT INTO dashboard_totals
    SELECT 'subsidy', prefecture, facility_type, old.status, '', substr(old.applied_on, 1, 7), -1,
           -CAST(old.subsidy AS INTEGER), 0, -coalesce(CAST(old.paid_amount AS INTEGER), 0)
    FROM facilities WHERE id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1, amount = amount + excluded.amount, granted = granted + excluded.granted;
END;

CREATE TRIGGER dashboard_subsidy_changed
AFTER UPDATE OF facility_id, status, applied_on, subsidy, paid_amount ON subsidy_applications BEGIN
    INSERT INTO dashboard_totals
    SELECT 'subsidy', prefecture, facility_type, old.status, '', substr(old.applied_on, 1, 7), -1,
           -CAST(old.subsidy AS INTEGER), 0, -coalesce(CAST(old.paid_amount AS INTEGER), 0)
    FROM facilities WHERE id = old.facility_id
    ON CONFLICT DO UPDATE SET n = n - 1, amount = amount + excluded.amount, granted = granted + excluded.granted;
    INSERT INTO dashboard_totals
    SELECT 'subsidy', prefecture, facility_type, new.status, '', substr(new.applied_on, 1, 7), 1,
           CAST(new.subsidy AS INTEGER), 0, coalesce(CAST(new.paid_amount AS INTEGER), 0)
    FROM facilities WHERE id = new.facility_id
    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount, granted = granted + excluded.granted;
END;

-- Reference data the charts show by name ---------------------------------------

CREATE TRIGGER dashboard_vendor_renamed AFTER UPDATE OF name ON vendors BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER dashboard_blocker_reason_added AFTER INSERT ON blocker_reasons BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER dashboard_blocker_reason_changed AFTER UPDATE ON blocker_reasons BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER dashboard_blocker_reason_removed AFTER DELETE ON blocker_reasons BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER dashboard_published_added AFTER INSERT ON adoption_stats BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER dashboard_published_changed AFTER UPDATE ON adoption_stats BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER dashboard_published_removed AFTER DELETE ON adoption_stats BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
