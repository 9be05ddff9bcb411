-- The facility list is read a page at a time in this order (app/src/ssr/db/facilities.rs,
-- `visible`): without the index every page sorted every facility in the scope again (230,000
-- for an auditor); with it, a page is the next hundred entries of the index.
CREATE INDEX facilities_in_list_order ON facilities (prefecture, kana, name, id);
