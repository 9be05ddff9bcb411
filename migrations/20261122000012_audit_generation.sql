-- The vendor league is kept in memory until dashboard_generation moves (app/src/api/vendors.rs).
-- It audits every confirmed quote by everything the audit reads, and the totals' triggers
-- (migrations 0008, 0010, 0011) move the generation only for the columns the totals count. These
-- move it for the rest: a quote's vendor and written totals, a line's text and figures, a
-- facility's reader count, and the benchmark tables.
CREATE TRIGGER audit_quote_changed AFTER UPDATE OF vendor_id, tax_inclusive, written_subtotal, written_tax,
    written_tax_included, written_total ON quotes
WHEN old.vendor_id IS NOT new.vendor_id OR old.tax_inclusive IS NOT new.tax_inclusive
    OR old.written_subtotal IS NOT new.written_subtotal OR old.written_tax IS NOT new.written_tax
    OR old.written_tax_included IS NOT new.written_tax_included OR old.written_total IS NOT new.written_total
BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_line_changed AFTER UPDATE OF position, sheet_row, kind, description, spec, quantity, unit,
    unit_price, note ON quote_lines
WHEN old.position IS NOT new.position OR old.sheet_row IS NOT new.sheet_row OR old.kind IS NOT new.kind
    OR old.description IS NOT new.description OR old.spec IS NOT new.spec OR old.quantity IS NOT new.quantity
    OR old.unit IS NOT new.unit OR old.unit_price IS NOT new.unit_price OR old.note IS NOT new.note
BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_readers_changed AFTER UPDATE OF readers ON reader_applications
WHEN old.readers IS NOT new.readers BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;

CREATE TRIGGER audit_benchmark_table_added AFTER INSERT ON benchmark_tables BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_benchmark_table_changed AFTER UPDATE ON benchmark_tables BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_benchmark_table_removed AFTER DELETE ON benchmark_tables BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_benchmark_row_added AFTER INSERT ON benchmark_rows BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_benchmark_row_changed AFTER UPDATE ON benchmark_rows BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
CREATE TRIGGER audit_benchmark_row_removed AFTER DELETE ON benchmark_rows BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
