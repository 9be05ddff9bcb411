-- The audit's peer groups and the vendor league are kept in memory until what they read changes
-- (app/src/ssr/db/peers.rs, app/src/api/vendors.rs). They were kept at dashboard_generation,
-- which every write moves — a stage reached, a blocker, a subsidy application — so at national
-- scale any clinic's progress threw away seconds of work (BENCHMARKS.md). audit_generation
-- moves only with what the audit reads: confirmed quotes and their lines, facilities' type and
-- prefecture, reader applications, the benchmarks, complaints and vendor names (the league).
-- Quotes and lines not confirmed (an upload being checked) are no one's peers and move nothing
-- until the confirmation, an update of the quote.
-- seed-national suspends these triggers inside each batch like the dashboard's and moves the
-- generation once per batch (server/src/seed/national/totals.rs).
CREATE TABLE audit_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;
INSERT INTO audit_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER audit_generation_quote_added AFTER INSERT ON quotes WHEN new.confirmed = 1 BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_quote_changed AFTER UPDATE ON quotes WHEN old.confirmed = 1 OR new.confirmed = 1 BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_quote_removed AFTER DELETE ON quotes WHEN old.confirmed = 1 BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_generation_line_added AFTER INSERT ON quote_lines
WHEN (SELECT confirmed FROM quotes WHERE id = new.quote_id) = 1 BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_line_changed AFTER UPDATE ON quote_lines
WHEN (SELECT confirmed FROM quotes WHERE id = old.quote_id) = 1
    OR (SELECT confirmed FROM quotes WHERE id = new.quote_id) = 1 BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
-- A confirmed quote deleted with its lines (ON DELETE CASCADE) moves it through quote_removed.
CREATE TRIGGER audit_generation_line_removed AFTER DELETE ON quote_lines
WHEN (SELECT confirmed FROM quotes WHERE id = old.quote_id) = 1 BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_generation_facility_moved AFTER UPDATE OF facility_type, prefecture ON facilities
WHEN old.facility_type IS NOT new.facility_type OR old.prefecture IS NOT new.prefecture BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_facility_removed AFTER DELETE ON facilities BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_generation_reader_added AFTER INSERT ON reader_applications BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_reader_changed AFTER UPDATE ON reader_applications BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_reader_removed AFTER DELETE ON reader_applications BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_generation_benchmark_table_added AFTER INSERT ON benchmark_tables BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_benchmark_table_changed AFTER UPDATE ON benchmark_tables BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_benchmark_table_removed AFTER DELETE ON benchmark_tables BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_benchmark_row_added AFTER INSERT ON benchmark_rows BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_benchmark_row_changed AFTER UPDATE ON benchmark_rows BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_benchmark_row_removed AFTER DELETE ON benchmark_rows BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_generation_complaint_added AFTER INSERT ON complaints BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_complaint_changed AFTER UPDATE OF facility_id, vendor_id, status ON complaints
WHEN old.facility_id IS NOT new.facility_id OR old.vendor_id IS NOT new.vendor_id OR old.status IS NOT new.status BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_complaint_removed AFTER DELETE ON complaints BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_generation_vendor_renamed AFTER UPDATE OF name ON vendors
WHEN old.name IS NOT new.name BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_generation_vendor_removed AFTER DELETE ON vendors BEGIN
    UPDATE audit_generation SET generation = generation + 1;
END;
