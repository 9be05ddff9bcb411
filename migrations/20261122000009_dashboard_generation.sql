-- A number that changes with every change to what the dashboards show, so that a
-- dashboard computed once can be served again until it does (app/src/api/dashboard.rs).
-- Every change to dashboard_totals passes through the national triggers of
-- 20261122000008 (each prefecture row feeds its national row), so they bump it;
-- the reference data the charts show by name (vendors, blocker reasons, published
-- figures) bump it too.

CREATE TABLE dashboard_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;

INSERT INTO dashboard_generation VALUES (1, 0);

DROP TRIGGER dashboard_national_added;
DROP TRIGGER dashboard_national_changed;

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
