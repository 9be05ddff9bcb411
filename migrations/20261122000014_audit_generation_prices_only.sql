-- The vendor league now reads complaints and vendor names on every view (a grouped query over
-- the complaints in scope, milliseconds at national scale) and keeps only the audits of the
-- confirmed quotes (app/src/api/vendors.rs). So a complaint filed or moved, or a vendor renamed,
-- no longer throws away the national league (10 s to compute again) or the peer groups
-- (0.7 s for a quote page): audit_generation moves only with what the audits read — confirmed
-- quotes and lines, facilities' type and prefecture, reader applications, the benchmarks.
DROP TRIGGER audit_generation_complaint_added;
DROP TRIGGER audit_generation_complaint_changed;
DROP TRIGGER audit_generation_complaint_removed;
DROP TRIGGER audit_generation_vendor_renamed;
DROP TRIGGER audit_generation_vendor_removed;
