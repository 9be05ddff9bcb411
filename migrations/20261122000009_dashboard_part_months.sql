-- Dashboards over a period that starts or ends mid-month (issue 9). The
-- running totals (20261122000008) answer whole months; the days of a month a
-- period covers only in part are counted from the raw rows (app/src/ssr/db/
-- dashboard.rs), which need an index on the day each row counts on: without
-- them a national dashboard ending mid-month counted every row (4.7 s).
-- Each expression is the one the queries compare, so SQLite can use it.

CREATE INDEX reader_applications_by_day ON reader_applications (applied_on);
CREATE INDEX facility_progress_by_ready_day
    ON facility_progress (min(coalesce(completed_on, operation_started_on), coalesce(operation_started_on, completed_on)));
CREATE INDEX facility_progress_by_operation_start ON facility_progress (operation_started_on);
CREATE INDEX facility_progress_by_update ON facility_progress (updated_at);
CREATE INDEX quotes_by_day ON quotes (coalesce(quote_date, created_at));
CREATE INDEX complaints_by_filing ON complaints (filed_at);
CREATE INDEX subsidy_applications_by_day ON subsidy_applications (applied_on);
